//! The config side of notification URLs (SPEC §5): an endpoint whose `url:` is written in
//! a notification scheme (`discord://...`) and has no other `type` is expanded into its
//! type and keys before the usual strict checks. Keys written beside the URL win over the
//! URL's own (`priority: 5` next to `url: ntfy://...`). The parsing is in
//! [`crate::notify_url`]; this file only converts between its JSON and the YAML values.

use serde_yaml::{Mapping, Value};

use super::ConfigError;

/// What became of an endpoint's keys.
pub(super) struct Expanded {
    /// The keys, with the URL replaced by its type's keys (and a default name).
    pub map: Mapping,
    /// The type, from `type:` or the URL.
    pub kind: Option<String>,
}

/// Expand `url:` when it is a notification URL; anything else is returned unchanged.
pub(super) fn expand(mut map: Mapping, kind: Option<String>) -> Result<Expanded, ConfigError> {
    let Some(url) = map.get("url").and_then(Value::as_str).map(str::to_string) else {
        return Ok(Expanded { map, kind });
    };
    let Some(scheme) = crate::notify_url::scheme_of(&url) else {
        return Ok(Expanded { map, kind });
    };
    if let Some(k) = kind.as_deref().filter(|k| *k != scheme.kind) {
        return Err(ConfigError::new(format!(
            "url is a {}:// notification URL (a {} endpoint) but type is \"{k}\"",
            scheme.scheme, scheme.kind
        ))
        .hint(format!(
            "remove \"type: {k}\" (the URL sets the type), or write the {k} endpoint's own keys"
        )));
    }
    let parsed = crate::notify_url::parse(&url)
        .map_err(|e| ConfigError::new(e.to_string()).hint(e.hint()))?;
    map.remove("url");
    for (k, v) in parsed.keys {
        let key = Value::String(k);
        if !map.contains_key(&key) {
            let v = serde_yaml::to_value(v).map_err(|e| ConfigError::new(e.to_string()))?;
            map.insert(key, v);
        }
    }
    map.insert("type".into(), Value::String(parsed.kind.to_string()));
    if !map.contains_key("name") {
        map.insert("name".into(), Value::String(parsed.name));
    }
    Ok(Expanded {
        map,
        kind: Some(parsed.kind.to_string()),
    })
}
