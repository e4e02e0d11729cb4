//! Property tests: hostile input to the parsers never panics, and round-trips hold.

use proptest::prelude::*;

use bnotify::config::{expand_str, Config};
use bnotify::event::Event;

fn cfg() -> ProptestConfig {
    ProptestConfig {
        cases: 128,
        ..ProptestConfig::default()
    }
}

proptest! {
    #![proptest_config(cfg())]

    #[test]
    fn config_parsing_never_panics(text in ".{0,400}") {
        let _ = Config::parse(&text, std::path::Path::new("p.yaml"), &|_| None);
    }

    #[test]
    fn config_like_yaml_never_panics(
        key in "[a-z_]{1,12}",
        value in "[ -~]{0,40}",
        kind in prop::sample::select(bnotify::channels::TYPES.iter().map(|t| t.name).collect::<Vec<_>>()),
    ) {
        let text = format!("endpoints:\n  - name: x\n    type: {kind}\n    {key}: \"{}\"\n", value.replace('"', ""));
        let _ = Config::parse(&text, std::path::Path::new("p.yaml"), &|_| Some("v".into()));
    }

    #[test]
    fn expansion_never_panics_and_plain_text_is_unchanged(s in ".{0,200}") {
        let got = expand_str(&s, &|_| Some("X".into()));
        if !s.contains('$') {
            prop_assert_eq!(got.unwrap(), s);
        }
    }

    #[test]
    fn literal_dollar_brace_round_trips(s in "[a-z ]{0,20}") {
        let escaped = format!("$${{{s}}}");
        prop_assert_eq!(expand_str(&escaped, &|_| None).unwrap(), format!("${{{s}}}"));
    }

    #[test]
    fn payload_merge_never_panics(json in prop_json()) {
        if let serde_json::Value::Object(map) = json {
            let _ = Event::from_parts("x_failed", Some(map), &bnotify::event::Input::default(), || "h".into());
        }
    }

    #[test]
    fn unknown_payload_keys_land_in_fields(key in "zz[a-z]{1,10}", value in "[ -~]{0,30}") {
        let mut map = serde_json::Map::new();
        map.insert(key.clone(), serde_json::Value::String(value.clone()));
        let ev = Event::from_parts("x", Some(map), &bnotify::event::Input::default(), || "h".into()).unwrap();
        prop_assert_eq!(ev.fields.get(&key).and_then(|v| v.as_str()), Some(value.as_str()));
    }

    #[test]
    fn template_rendering_never_panics(src in ".{0,120}") {
        let ctx = serde_json::json!({"task": "t", "backup": {"size": 12}, "duration_ms": 5});
        let _ = bnotify::render::render("body", &src, &ctx);
    }

    #[test]
    fn outbox_reader_never_panics(bytes in prop::collection::vec(any::<u8>(), 0..300)) {
        let _ = bnotify::outbox::parse(&bytes);
    }

    #[test]
    fn outbox_entries_round_trip(task in "[a-z0-9-]{1,20}", attempts in 0u32..100, data in prop::collection::vec(any::<u8>(), 0..64)) {
        let mut event = Event { event: "backup_failure".into(), task: Some(task), ..Event::default() };
        event.attachments.push(bnotify::attach::Attachment::new("log.bin".into(), data));
        let mut entry = bnotify::outbox::Entry::new("e", event);
        entry.failed(attempts, "x");
        let back = bnotify::outbox::parse(&serde_json::to_vec(&entry).unwrap()).unwrap();
        prop_assert_eq!(back.event, entry.event);
        prop_assert_eq!(back.attempts, attempts);
    }
}

fn prop_json() -> impl Strategy<Value = serde_json::Value> {
    let leaf = prop_oneof![
        Just(serde_json::Value::Null),
        any::<bool>().prop_map(serde_json::Value::from),
        any::<i64>().prop_map(serde_json::Value::from),
        any::<f64>()
            .prop_filter("finite", |f| f.is_finite())
            .prop_map(serde_json::Value::from),
        "[ -~]{0,12}".prop_map(serde_json::Value::from),
    ];
    let keys = prop::sample::select(vec![
        "task",
        "job",
        "status",
        "backup",
        "size",
        "tags",
        "duration_ms",
        "fields",
        "id",
        "host",
        "other",
        "id",
        "attachments",
        "error",
        "started_at",
    ]);
    leaf.prop_recursive(3, 24, 6, move |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(serde_json::Value::from),
            prop::collection::vec((keys.clone(), inner), 0..6).prop_map(|kv| {
                serde_json::Value::Object(kv.into_iter().map(|(k, v)| (k.to_string(), v)).collect())
            }),
        ]
    })
}
