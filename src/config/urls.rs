//! The config side of notification URLs (SPEC §5): an endpoint whose `url:` is written in
//! a notification scheme (`discord://...`) and has no other `type` is expanded into its
//! type and keys before the usual strict checks. Keys written beside the URL win over the
//! URL's own (`priority: 5` next to `url: ntfy://...`). The parsing is in
//! [`crate::notify_url`]; this file only turns its JSON into config nodes, placed where
//! the URL is written so that every error about them points at it.

use super::ConfigError;
use crate::yaml::{Node, Pos, Value};

/// Expand `url:` in the endpoint `node` when it is a notification URL, and return the
/// endpoint's type (from `type:` or the URL); anything else is left unchanged.
pub(super) fn expand(
    node: &mut Node,
    kind: Option<String>,
) -> Result<Option<String>, (ConfigError, Pos)> {
    let Some((url, at)) = node
        .get("url")
        .and_then(|u| u.as_str().map(|s| (s.to_string(), u.at)))
    else {
        return Ok(kind);
    };
    let Some(scheme) = crate::notify_url::scheme_of(&url) else {
        return Ok(kind);
    };
    if let Some(k) = kind.as_deref().filter(|k| *k != scheme.kind) {
        let e = ConfigError::new(format!(
            "url is a {}:// notification URL (a {} endpoint) but type is \"{k}\"",
            scheme.scheme, scheme.kind
        ))
        .hint(format!(
            "remove \"type: {k}\" (the URL sets the type), or write the {k} endpoint's own keys"
        ));
        return Err((e, at));
    }
    let parsed = crate::notify_url::parse(&url)
        .map_err(|e| (ConfigError::new(e.to_string()).hint(e.hint()), at))?;
    let Value::Map(entries) = &mut node.value else {
        return Ok(kind);
    };
    entries.retain(|(k, _)| k.as_str() != Some("url"));
    let has = |entries: &Vec<(Node, Node)>, key: &str| {
        entries.iter().any(|(k, _)| k.as_str() == Some(key))
    };
    let mut add = |key: &str, v: Node| {
        if !has(entries, key) {
            entries.push((Node::new(Value::Str(key.to_string()), at), v));
        }
    };
    for (k, v) in &parsed.keys {
        add(k, from_json(v, at));
    }
    add("name", Node::new(Value::Str(parsed.name.clone()), at));
    entries.retain(|(k, _)| k.as_str() != Some("type"));
    entries.push((
        Node::new(Value::Str("type".into()), at),
        Node::new(Value::Str(parsed.kind.to_string()), at),
    ));
    Ok(Some(parsed.kind.to_string()))
}

/// A JSON value as a config node written at `at`.
fn from_json(v: &serde_json::Value, at: Pos) -> Node {
    use serde_json::Value as J;
    let value = match v {
        J::Null => Value::Null,
        J::Bool(b) => Value::Bool(*b),
        J::Number(n) => match (n.as_u64(), n.as_i64(), n.as_f64()) {
            (Some(u), _, _) => Value::UInt(u),
            (None, Some(i), _) => Value::Int(i),
            (_, _, f) => Value::Float(f.unwrap_or_default()),
        },
        J::String(s) => Value::Str(s.clone()),
        J::Array(a) => Value::Seq(a.iter().map(|x| from_json(x, at)).collect()),
        J::Object(m) => Value::Map(
            m.iter()
                .map(|(k, x)| (Node::new(Value::Str(k.clone()), at), from_json(x, at)))
                .collect(),
        ),
    };
    Node::new(value, at)
}
