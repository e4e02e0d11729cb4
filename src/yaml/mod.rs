//! The parsed config file as a tree of [`Node`]s, each carrying the line and column the
//! parser saw it at (keys too), read by serde-saphyr under a budget that refuses alias
//! bombs and deep nesting before they cost anything.
//!
//! serde-saphyr (maintained, pure Rust) gives the position of every key and value
//! through `Spanned`, typed errors with locations, and a budget (depth, nodes, aliases,
//! replayed anchor events) checked while parsing. The tree is then read into the config
//! types by [`de`], whose errors carry the position of the key or value at fault.

use serde::de::{Deserialize, Deserializer, MapAccess, SeqAccess, Visitor};
use serde_json::Value as Json;

pub(crate) mod de;

pub(crate) use de::{from_node, DeError, DeErrorKind};

/// A YAML text that cannot be read: what is wrong, where, and how to fix it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub(crate) struct YamlError {
    /// What is wrong.
    pub message: String,
    /// How to fix it.
    pub hint: Option<String>,
    /// Line and column, when known.
    pub at: Option<Pos>,
}

impl YamlError {
    fn new(message: impl Into<String>) -> YamlError {
        YamlError {
            message: message.into(),
            hint: None,
            at: None,
        }
    }

    fn hint(mut self, hint: &str) -> YamlError {
        self.hint = Some(hint.to_string());
        self
    }

    fn at(mut self, at: Option<Pos>) -> YamlError {
        self.at = at;
        self
    }
}

/// How many parser events aliases may replay in all (shared headers need a few dozen).
pub(crate) const MAX_ALIASED: usize = 100_000;

/// A 1-based (line, column) in the config file.
pub(crate) type Pos = (usize, usize);

/// How deeply mappings and sequences may nest (a config needs five levels).
pub(crate) const MAX_DEPTH: usize = 64;
/// How many nodes (scalars, mappings, sequences) a config may hold, aliases expanded.
pub(crate) const MAX_NODES: usize = 2_000_000;

/// The entries of a mapping, key and value, in file order.
pub(crate) type Entries = Vec<(Node, Node)>;

/// One YAML node and where it starts.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Node {
    /// The value.
    pub value: Value,
    /// Where it starts: the first key of a block mapping, the `{`, `[` or `-` of others.
    pub at: Pos,
}

/// A YAML value whose children are [`Node`]s.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Value {
    /// `~`, `null` or nothing.
    Null,
    /// `true` / `false`.
    Bool(bool),
    /// A negative integer.
    Int(i64),
    /// A non-negative integer.
    UInt(u64),
    /// A float.
    Float(f64),
    /// Text.
    Str(String),
    /// A sequence.
    Seq(Vec<Node>),
    /// A mapping, in file order.
    Map(Entries),
}

impl Node {
    /// A node at `at`.
    pub(crate) fn new(value: Value, at: Pos) -> Node {
        Node { value, at }
    }

    /// The text, when this is a string.
    pub(crate) fn as_str(&self) -> Option<&str> {
        match &self.value {
            Value::Str(s) => Some(s),
            _ => None,
        }
    }

    /// The entry under the text key `key`, when this is a mapping.
    pub(crate) fn entry(&self, key: &str) -> Option<&(Node, Node)> {
        match &self.value {
            Value::Map(m) => m.iter().find(|(k, _)| k.as_str() == Some(key)),
            _ => None,
        }
    }

    /// The value under `key`.
    pub(crate) fn get(&self, key: &str) -> Option<&Node> {
        self.entry(key).map(|(_, v)| v)
    }

    /// The same value as JSON (keys as text), for `config show` and secret collection.
    pub(crate) fn to_json(&self) -> Json {
        match &self.value {
            Value::Null => Json::Null,
            Value::Bool(b) => Json::Bool(*b),
            Value::Int(i) => Json::from(*i),
            Value::UInt(u) => Json::from(*u),
            Value::Float(f) => serde_json::Number::from_f64(*f)
                .map_or_else(|| Json::String(f.to_string()), Json::Number),
            Value::Str(s) => Json::String(s.clone()),
            Value::Seq(s) => Json::Array(s.iter().map(Node::to_json).collect()),
            Value::Map(m) => {
                Json::Object(m.iter().map(|(k, v)| (k.key_text(), v.to_json())).collect())
            }
        }
    }

    /// A scalar key as text (`5`, `true`, `name`).
    pub(crate) fn key_text(&self) -> String {
        match &self.value {
            Value::Str(s) => s.clone(),
            Value::Null => String::new(),
            Value::Bool(b) => b.to_string(),
            Value::Int(i) => i.to_string(),
            Value::UInt(u) => u.to_string(),
            Value::Float(f) => f.to_string(),
            Value::Seq(_) | Value::Map(_) => self.to_json().to_string(),
        }
    }
}

/// Parse config text into a tree. An empty file is an empty mapping.
pub(crate) fn parse(text: &str) -> Result<Node, YamlError> {
    let mut budget = serde_saphyr::Budget::default();
    budget.max_depth = MAX_DEPTH;
    budget.max_nodes = MAX_NODES;
    budget.max_events = 2 * MAX_NODES;
    budget.flow_nesting_limit = MAX_DEPTH;
    budget.max_recorded_anchor_events = MAX_ALIASED;
    let mut alias_limits = serde_saphyr::options::AliasLimits::default();
    alias_limits.max_total_replayed_events = MAX_ALIASED;
    let options = serde_saphyr::options! {
        budget: Some(budget),
        alias_limits: alias_limits,
        strict_booleans: true,
        with_snippet: false,
        non_finite_float_policy: serde_saphyr::NonFiniteFloatPolicy::AsString,
    };
    match serde_saphyr::from_str_with_options::<Option<Node>>(text, options) {
        Ok(Some(n)) if n.value != Value::Null => Ok(n),
        Ok(_) => Ok(Node::new(Value::Map(Vec::new()), (1, 1))),
        Err(e) => Err(yaml_error(&e)),
    }
}

/// A parser error, located; budget breaches say what was refused.
fn yaml_error(e: &serde_saphyr::Error) -> YamlError {
    use serde_saphyr::budget::BudgetBreach;
    use serde_saphyr::MessageFormatter;
    let pos = e
        .location()
        .filter(|l| l.line() > 0)
        .map(|l| (l.line() as usize, l.column().max(1) as usize));
    let mut inner = e;
    while let serde_saphyr::Error::AliasError { error, .. }
    | serde_saphyr::Error::WithSnippet { error, .. } = inner
    {
        inner = error;
    }
    let too_deep = match inner {
        serde_saphyr::Error::Budget {
            breach: BudgetBreach::Depth { .. },
            ..
        } => true,
        serde_saphyr::Error::ExternalMessage { source, .. } => matches!(
            &**source,
            serde_saphyr::ExternalMessageSource::Parser(scan)
                if matches!(scan.kind(), serde_saphyr::granit_parser::ErrorKind::RecursionLimitExceeded)
        ),
        _ => false,
    };
    let err = match inner {
        _ if too_deep => YamlError::new(format!(
            "the YAML nests more than {MAX_DEPTH} levels deep"
        ))
        .hint("a bnotify config needs a few levels only; is this the right file?"),
        serde_saphyr::Error::Budget { breach, .. } => YamlError::new(format!(
            "the YAML expands beyond what a config may hold ({})",
            breach_text(breach)
        ))
        .hint("anchors and aliases that expand into each other (an alias bomb?) are refused; write the values out"),
        other => {
            let msg = serde_saphyr::DefaultMessageFormatter.format_message(other);
            YamlError::new(format!("invalid YAML: {}", msg.escape_debug()))
                .hint("check the indentation and quoting around this line")
        }
    };
    err.at(pos)
}

fn breach_text(b: &serde_saphyr::budget::BudgetBreach) -> String {
    use serde_saphyr::budget::BudgetBreach as B;
    match b {
        B::Nodes { nodes } => format!("more than {} nodes, {nodes} reached", MAX_NODES),
        B::Aliases { aliases } => format!("{aliases} aliases"),
        B::Anchors { anchors } => format!("{anchors} anchors"),
        B::Events { events } => format!("{events} parser events"),
        B::RecordedAnchorEvents {
            recorded_anchor_events,
        } => format!("{recorded_anchor_events} copies of anchored values"),
        other => format!("{other:?}"),
    }
}

impl<'de> Deserialize<'de> for Node {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = serde_saphyr::Spanned::<Value>::deserialize(d)?;
        let at = (s.referenced.line() as usize, s.referenced.column() as usize);
        Ok(Node::new(s.value, at))
    }
}

impl<'de> Deserialize<'de> for Value {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(TreeVisitor)
    }
}

struct TreeVisitor;

impl<'de> Visitor<'de> for TreeVisitor {
    type Value = Value;

    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("a YAML value")
    }
    fn visit_unit<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }
    fn visit_none<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }
    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Value, D::Error> {
        d.deserialize_any(TreeVisitor)
    }
    fn visit_bool<E>(self, v: bool) -> Result<Value, E> {
        Ok(Value::Bool(v))
    }
    fn visit_i64<E>(self, v: i64) -> Result<Value, E> {
        Ok(if v >= 0 {
            Value::UInt(v.unsigned_abs())
        } else {
            Value::Int(v)
        })
    }
    fn visit_u64<E>(self, v: u64) -> Result<Value, E> {
        Ok(Value::UInt(v))
    }
    fn visit_i128<E: serde::de::Error>(self, v: i128) -> Result<Value, E> {
        Ok(Value::Float(v as f64))
    }
    fn visit_u128<E: serde::de::Error>(self, v: u128) -> Result<Value, E> {
        Ok(Value::Float(v as f64))
    }
    fn visit_f64<E>(self, v: f64) -> Result<Value, E> {
        Ok(Value::Float(v))
    }
    fn visit_str<E>(self, v: &str) -> Result<Value, E> {
        Ok(Value::Str(v.to_string()))
    }
    fn visit_string<E>(self, v: String) -> Result<Value, E> {
        Ok(Value::Str(v))
    }
    fn visit_bytes<E>(self, v: &[u8]) -> Result<Value, E> {
        Ok(Value::Str(String::from_utf8_lossy(v).into_owned()))
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut a: A) -> Result<Value, A::Error> {
        let mut out = Vec::with_capacity(a.size_hint().unwrap_or(0).min(1024));
        while let Some(n) = a.next_element()? {
            out.push(n);
        }
        Ok(Value::Seq(out))
    }
    fn visit_map<A: MapAccess<'de>>(self, mut a: A) -> Result<Value, A::Error> {
        let mut out: Vec<(Node, Node)> = Vec::new();
        while let Some(k) = a.next_key::<Node>()? {
            let v = a.next_value()?;
            out.push((k, v));
        }
        Ok(Value::Map(out))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_and_values_carry_their_positions() {
        let n = parse("a: 1\nlist:\n  - {name: x, n: -2}\n  - name: y\n    t: \"5\"\n").unwrap();
        let (k, v) = n.entry("a").unwrap();
        assert_eq!((k.at, v.at, &v.value), ((1, 1), (1, 4), &Value::UInt(1)));
        let list = match &n.get("list").unwrap().value {
            Value::Seq(s) => s.clone(),
            other => panic!("{other:?}"),
        };
        assert_eq!(list[0].at, (3, 5));
        assert_eq!(list[0].get("n").unwrap().value, Value::Int(-2));
        assert_eq!(list[1].at, (4, 5));
        let (k, v) = list[1].entry("t").unwrap();
        assert_eq!((k.at, v.at), ((5, 5), (5, 8)));
        assert_eq!(v.as_str(), Some("5"));
        assert_eq!(parse("").unwrap().value, Value::Map(Vec::new()));
        assert_eq!(
            parse("a: yes").unwrap().get("a").unwrap().as_str(),
            Some("yes")
        );
    }

    #[test]
    fn bombs_and_depth_are_refused() {
        let deep = format!("a: {}{}\n", "[".repeat(100_000), "]".repeat(100_000));
        assert!(parse(&deep).is_err());
        let mut lol = "a: &a [lol,lol,lol,lol,lol,lol,lol,lol,lol]\n".to_string();
        for (p, n) in "abcdefgh".chars().zip("bcdefghi".chars()) {
            lol.push_str(&format!(
                "{n}: &{n} [{}]\n",
                vec![format!("*{p}"); 9].join(",")
            ));
        }
        let e = parse(&lol).unwrap_err();
        assert!(e.message.contains("expands beyond"), "{e}");
        assert!(e.hint.unwrap_or_default().contains("alias bomb"));
    }
}
