//! YAML text of a JSON value, for `config show` (serde-saphyr's serializer: strings that
//! would read back as something else are quoted).

/// `value` as a YAML document.
pub(crate) fn to_yaml(value: &serde_json::Value) -> String {
    serde_saphyr::to_string(value).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn emitted_yaml_reads_back_the_same() {
        let v = serde_json::json!({
            "enabled": true,
            "events": ["backup_*", "yes", "no", "123", "", "a: b", "# c", "- d", "null", "~"],
            "endpoints": [{"name": "x", "url": "http://h/?a=1&b=2", "retries": 2,
                           "title": "line one\nline two", "odd": "é 日 🔥 \"q\" 'q' \\ {x} [y]",
                           "headers": {"X-Key": "v"}, "empty": {}, "list": []}],
        });
        let text = to_yaml(&v);
        let back = crate::yaml::parse(&text).unwrap().to_json();
        assert_eq!(back, v, "{text}");
    }
}
