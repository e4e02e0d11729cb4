//! serde deserialization out of a [`Node`] tree, with typed errors that know where they
//! happened: an unknown key at the key, a missing key at its mapping, anything else at
//! the value that could not be read, plus the key path down to it.

use std::fmt;

use serde::de::{self, DeserializeSeed, IntoDeserializer, MapAccess, SeqAccess, Visitor};

use super::{Node, Pos, Value};

/// What went wrong while reading a node into a config type.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum DeErrorKind {
    /// A key the type does not take; `expected` are the keys it does take.
    UnknownKey {
        /// The key as written.
        key: String,
        /// The keys allowed there.
        expected: &'static [&'static str],
    },
    /// A required key that is absent.
    MissingKey(&'static str),
    /// A value of the wrong type or out of range (serde's or the type's own message).
    Invalid(String),
}

/// A deserialization error with its position and key path.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct DeError {
    /// What went wrong.
    pub kind: DeErrorKind,
    /// Where: the key, the mapping or the value, as [`DeErrorKind`] says.
    pub at: Option<Pos>,
    /// Key path, innermost segment first.
    path: Vec<String>,
}

impl DeError {
    fn new(kind: DeErrorKind) -> DeError {
        DeError {
            kind,
            at: None,
            path: Vec::new(),
        }
    }

    /// Set the position, keeping one a deeper node already set.
    fn at(mut self, pos: Pos) -> DeError {
        self.at.get_or_insert(pos);
        self
    }

    fn under(mut self, segment: String) -> DeError {
        self.path.push(segment);
        self
    }

    /// The key path from the deserialized mapping down to the problem, e.g.
    /// `headers.X-Key` or `destinations[1]`; empty at the top.
    pub(crate) fn path(&self) -> String {
        let mut out = String::new();
        for s in self.path.iter().rev() {
            if !out.is_empty() && !s.starts_with('[') {
                out.push('.');
            }
            out.push_str(s);
        }
        out
    }
}

impl fmt::Display for DeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let path = self.path();
        if !path.is_empty() {
            write!(f, "{path}: ")?;
        }
        match &self.kind {
            DeErrorKind::UnknownKey { key, .. } => write!(f, "unknown key \"{key}\""),
            DeErrorKind::MissingKey(k) => write!(f, "missing required key \"{k}\""),
            DeErrorKind::Invalid(m) => f.write_str(m),
        }
    }
}

impl std::error::Error for DeError {}

impl de::Error for DeError {
    fn custom<T: fmt::Display>(msg: T) -> DeError {
        DeError::new(DeErrorKind::Invalid(msg.to_string()))
    }

    fn unknown_field(field: &str, expected: &'static [&'static str]) -> DeError {
        DeError::new(DeErrorKind::UnknownKey {
            key: field.to_string(),
            expected,
        })
    }

    fn missing_field(field: &'static str) -> DeError {
        DeError::new(DeErrorKind::MissingKey(field))
    }
}

/// Read `T` from `node`.
pub(crate) fn from_node<T: de::DeserializeOwned>(node: Node) -> Result<T, DeError> {
    T::deserialize(node)
}

impl<'de> de::Deserializer<'de> for Node {
    type Error = DeError;

    fn deserialize_any<V: Visitor<'de>>(self, v: V) -> Result<V::Value, DeError> {
        let at = self.at;
        let r = match self.value {
            Value::Null => v.visit_unit(),
            Value::Bool(b) => v.visit_bool(b),
            Value::Int(i) => v.visit_i64(i),
            Value::UInt(u) => v.visit_u64(u),
            Value::Float(f) => v.visit_f64(f),
            Value::Str(s) => v.visit_string(s),
            Value::Seq(s) => v.visit_seq(Seq {
                iter: s.into_iter(),
                index: 0,
            }),
            Value::Map(m) => v.visit_map(Map {
                iter: m.into_iter(),
                value: None,
            }),
        };
        r.map_err(|e| e.at(at))
    }

    fn deserialize_option<V: Visitor<'de>>(self, v: V) -> Result<V::Value, DeError> {
        match self.value {
            Value::Null => v.visit_none().map_err(|e: DeError| e.at(self.at)),
            _ => v.visit_some(self),
        }
    }

    fn deserialize_enum<V: Visitor<'de>>(
        self,
        _name: &'static str,
        _variants: &'static [&'static str],
        v: V,
    ) -> Result<V::Value, DeError> {
        let at = self.at;
        match self.value {
            Value::Str(s) => v
                .visit_enum(IntoDeserializer::<DeError>::into_deserializer(s))
                .map_err(|e| e.at(at)),
            Value::Map(mut m) if m.len() == 1 => {
                let (key, value) = m.remove(0);
                v.visit_enum(Enum { key, value }).map_err(|e| e.at(at))
            }
            other => Node::new(other, at).deserialize_any(v),
        }
    }

    fn deserialize_newtype_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        v: V,
    ) -> Result<V::Value, DeError> {
        v.visit_newtype_struct(self)
    }

    fn deserialize_ignored_any<V: Visitor<'de>>(self, v: V) -> Result<V::Value, DeError> {
        v.visit_unit()
    }

    serde::forward_to_deserialize_any! {
        bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string
        bytes byte_buf unit unit_struct seq tuple tuple_struct map struct identifier
    }
}

struct Seq {
    iter: std::vec::IntoIter<Node>,
    index: usize,
}

impl<'de> SeqAccess<'de> for Seq {
    type Error = DeError;

    fn next_element_seed<T: DeserializeSeed<'de>>(
        &mut self,
        seed: T,
    ) -> Result<Option<T::Value>, DeError> {
        let Some(n) = self.iter.next() else {
            return Ok(None);
        };
        let (i, at) = (self.index, n.at);
        self.index += 1;
        seed.deserialize(n)
            .map(Some)
            .map_err(|e| e.at(at).under(format!("[{i}]")))
    }

    fn size_hint(&self) -> Option<usize> {
        Some(self.iter.len())
    }
}

struct Map {
    iter: std::vec::IntoIter<(Node, Node)>,
    value: Option<(String, Node)>,
}

impl<'de> MapAccess<'de> for Map {
    type Error = DeError;

    fn next_key_seed<K: DeserializeSeed<'de>>(
        &mut self,
        seed: K,
    ) -> Result<Option<K::Value>, DeError> {
        let Some((k, v)) = self.iter.next() else {
            return Ok(None);
        };
        self.value = Some((k.key_text(), v));
        let at = k.at;
        seed.deserialize(k).map(Some).map_err(|e| e.at(at))
    }

    fn next_value_seed<V: DeserializeSeed<'de>>(&mut self, seed: V) -> Result<V::Value, DeError> {
        match self.value.take() {
            Some((key, v)) => {
                let at = v.at;
                seed.deserialize(v).map_err(|e| e.at(at).under(key))
            }
            None => Err(de::Error::custom("a value without its key")),
        }
    }

    fn size_hint(&self) -> Option<usize> {
        Some(self.iter.len())
    }
}

/// `{variant: value}`, an externally tagged enum.
struct Enum {
    key: Node,
    value: Node,
}

impl<'de> de::EnumAccess<'de> for Enum {
    type Error = DeError;
    type Variant = Node;

    fn variant_seed<V: DeserializeSeed<'de>>(self, seed: V) -> Result<(V::Value, Node), DeError> {
        Ok((seed.deserialize(self.key)?, self.value))
    }
}

impl<'de> de::VariantAccess<'de> for Node {
    type Error = DeError;

    fn unit_variant(self) -> Result<(), DeError> {
        de::Deserialize::deserialize(self)
    }

    fn newtype_variant_seed<T: DeserializeSeed<'de>>(self, seed: T) -> Result<T::Value, DeError> {
        seed.deserialize(self)
    }

    fn tuple_variant<V: Visitor<'de>>(self, _len: usize, v: V) -> Result<V::Value, DeError> {
        de::Deserializer::deserialize_any(self, v)
    }

    fn struct_variant<V: Visitor<'de>>(
        self,
        _fields: &'static [&'static str],
        v: V,
    ) -> Result<V::Value, DeError> {
        de::Deserializer::deserialize_any(self, v)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::Deserialize;

    #[derive(Debug, Deserialize)]
    #[serde(deny_unknown_fields)]
    #[allow(dead_code)]
    struct Inner {
        port: u16,
    }

    #[derive(Debug, Deserialize)]
    #[serde(deny_unknown_fields)]
    #[allow(dead_code)]
    struct Outer {
        name: String,
        inner: Option<Inner>,
        list: Option<Vec<u8>>,
    }

    fn err(text: &str) -> DeError {
        let node = crate::yaml::parse(text).unwrap();
        from_node::<Outer>(node).unwrap_err()
    }

    #[test]
    fn errors_point_at_the_key_the_mapping_or_the_value() {
        let e = err("name: a\nnmae: b\n");
        assert_eq!(e.at, Some((2, 1)));
        assert!(matches!(e.kind, DeErrorKind::UnknownKey { ref key, .. } if key == "nmae"));
        let e = err("inner: {port: 1}\n");
        assert_eq!(
            (e.at, e.kind),
            (Some((1, 1)), DeErrorKind::MissingKey("name"))
        );
        let e = err("name: a\ninner:\n  port: 70000\n");
        assert_eq!(e.at, Some((3, 9)));
        assert!(
            e.to_string().starts_with("inner.port: invalid value"),
            "{e}"
        );
        let e = err("name: a\nlist: [1, x]\n");
        assert_eq!(e.at, Some((2, 11)));
        assert!(e.to_string().starts_with("list[1]: "), "{e}");
        let e = err("name: a\ninner: {port: 1, prot: 2}\n");
        assert_eq!(e.at, Some((2, 18)));
    }
}
