//! Property tests: hostile input to the parsers never panics, and round-trips hold.

use proptest::prelude::*;

use crate::config::{expand_str, Config};
use crate::event::Event;

fn cfg() -> ProptestConfig {
    // PROPTEST_CASES runs longer (scripts/bench.sh); 128 keeps `cargo test` quick.
    let cases = std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(128);
    ProptestConfig {
        cases,
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
        kind in prop::sample::select(crate::catalog::channel_types().iter().map(|t| t.name).collect::<Vec<_>>()),
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
            let _ = Event::from_parts("x_failed", Some(map), &crate::event::Input::default(), || "h".into());
        }
    }

    #[test]
    fn unknown_payload_keys_land_in_fields(key in "zz[a-z]{1,10}", value in "[ -~]{0,30}") {
        let mut map = serde_json::Map::new();
        map.insert(key.clone(), serde_json::Value::String(value.clone()));
        let ev = Event::from_parts("x", Some(map), &crate::event::Input::default(), || "h".into()).unwrap();
        prop_assert_eq!(ev.fields.get(&key).and_then(|v| v.as_str()), Some(value.as_str()));
    }

    #[test]
    fn template_rendering_never_panics(src in ".{0,120}") {
        let ctx = serde_json::json!({"task": "t", "backup": {"size": 12}, "duration_ms": 5});
        let _ = crate::render::render("body", &src, &ctx);
    }

    #[test]
    fn outbox_reader_never_panics(bytes in prop::collection::vec(any::<u8>(), 0..300)) {
        let _ = crate::outbox::parse(&bytes);
    }

    #[test]
    fn outbox_entries_round_trip(task in "[a-z0-9-]{1,20}", attempts in 0u32..100, data in prop::collection::vec(any::<u8>(), 0..64)) {
        let mut event = Event { event: "backup_failure".into(), task: Some(task), ..Event::default() };
        event.attachments.push(crate::attach::Attachment::new("log.bin".into(), data));
        let mut entry = crate::outbox::Entry::new("e", event);
        entry.failed(attempts, "x");
        let back = crate::outbox::parse(&serde_json::to_vec(&entry).unwrap()).unwrap();
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

/// Which secrets fit a place: any printable text, text that can sit in a URL unencoded, or
/// a key shaped like a healthchecks UUID or ping key.
#[derive(Debug, Clone, Copy)]
enum Fit {
    Any,
    Url,
    Key,
}

/// Every place of SPEC §10 a secret can sit, as (type, YAML lines using `${S}`, fit).
const PLACES: &[(&str, &str, Fit)] = &[
    ("webhook", "url: http://127.0.0.1:9/h\n    token: \"${S}\"", Fit::Any),
    ("webhook", "url: http://127.0.0.1:9/h\n    headers: {Authorization: \"Bearer ${S}\"}", Fit::Any),
    ("webhook", "url: http://127.0.0.1:9/h\n    headers: {X-Api-Key: \"${S}\"}", Fit::Any),
    ("webhook", "url: http://127.0.0.1:9/h\n    signing: {secret: \"${S}\", scheme: hex, header: X-Sig}", Fit::Any),
    ("webhook", "url: \"http://hookuser:${S}@127.0.0.1:9/h\"", Fit::Url),
    ("webhook", "url: \"http://127.0.0.1:9/h?a=1&token=${S}\"", Fit::Url),
    ("webhook", "url: \"http://127.0.0.1:9/h?key=${S}\"", Fit::Url),
    ("webhook", "url: \"http://127.0.0.1:9/h?apikey=${S}\"", Fit::Url),
    ("webhook", "url: \"http://127.0.0.1:9/h?api-key=${S}\"", Fit::Url),
    ("webhook", "url: \"http://127.0.0.1:9/h?api_key=${S}\"", Fit::Url),
    ("webhook", "url: \"http://127.0.0.1:9/h?code=${S}&x=1\"", Fit::Url),
    ("webhook", "url: \"http://127.0.0.1:9/h?sig=${S}\"", Fit::Url),
    ("webhook", "url: \"http://127.0.0.1:9/h?signature=${S}\"", Fit::Url),
    ("webhook", "url: \"http://127.0.0.1:9/h?secret=${S}\"", Fit::Url),
    ("webhook", "url: \"http://127.0.0.1:9/h?password=${S}\"", Fit::Url),
    ("webhook", "url: \"http://127.0.0.1:9/h?access_token=${S}\"", Fit::Url),
    ("webhook", "url: \"http://127.0.0.1:9/h?auth=${S}\"", Fit::Url),
    ("bark", "url: \"http://127.0.0.1:9/${S}\"", Fit::Url),
    ("bark", "url: \"http://127.0.0.1:9/push\"\n    device_key: \"${S}\"", Fit::Any),
    ("telegram", "bot_token: \"123456:${S}\"\n    chat_id: 1\n    api_url: http://127.0.0.1:9", Fit::Url),
    ("discord", "url: \"http://127.0.0.1:9/api/webhooks/123/${S}\"", Fit::Url),
    ("slack", "url: \"http://127.0.0.1:9/services/T0/B0/${S}\"", Fit::Url),
    ("healthchecks", "url: \"http://127.0.0.1:9/${S}\"", Fit::Key),
    ("healthchecks", "url: \"http://127.0.0.1:9/ping/${S}/db-backup\"", Fit::Key),
    ("teams", "url: \"http://127.0.0.1:9/workflows/x?api-version=1&sig=${S}\"", Fit::Url),
    ("gotify", "url: http://127.0.0.1:9\n    token: \"${S}\"", Fit::Any),
    ("ntfy", "url: http://127.0.0.1:9\n    topic: \"${S}\"", Fit::Url),
    ("ntfy", "url: http://127.0.0.1:9\n    topic: t1\n    token: \"${S}\"", Fit::Any),
    ("ntfy", "url: http://127.0.0.1:9\n    topic: t1\n    user: me\n    password: \"${S}\"", Fit::Any),
    ("twilio", "account_sid: AC1\n    auth_token: \"${S}\"\n    from: \"+1\"\n    to: [\"+2\"]\n    api_url: http://127.0.0.1:9", Fit::Any),
    ("pagerduty", "routing_key: \"${S}\"\n    api_url: http://127.0.0.1:9", Fit::Any),
    ("email", "smtp_host: 127.0.0.1\n    smtp_user: me\n    smtp_password: \"${S}\"\n    from: a@example.com\n    destinations: [{email: b@example.com}]", Fit::Any),
    ("command", "argv: [\"true\"]\n    env: {API_TOKEN: \"${S}\"}", Fit::Any),
];

/// A place and a secret that fits it.
fn place_and_secret() -> impl Strategy<Value = (usize, String)> {
    (0..PLACES.len()).prop_flat_map(|i| {
        let secret = match PLACES[i].2 {
            Fit::Any => "[!-~][ -~\u{e9}\u{65e5}]{4,30}[!-~]".boxed(),
            Fit::Url => "[A-Za-z0-9._~-]{6,32}".boxed(),
            Fit::Key => "[A-Za-z0-9_-]{16,40}".boxed(),
        };
        (Just(i), secret)
    })
}

/// What `--dry-run` and `config show` print for `cfg`, through its redactor.
fn printed(cfg: &Config) -> String {
    use crate::channels::Outgoing;
    use crate::dispatch::{mask_header, prepare};
    let r = cfg.redactor();
    let ev = crate::commands::test_notify::sample("backup_failure").unwrap();
    let mut out = String::new();
    for ep in &cfg.endpoints {
        out.push_str(&r.mask(&crate::config::to_yaml(&serde_json::Value::Object(
            ep.raw.clone(),
        ))));
        let reqs = match prepare(cfg, ep, &ev) {
            Ok(reqs) => reqs,
            Err(e) => {
                out.push_str(&r.mask(&e.message));
                continue;
            }
        };
        for req in reqs {
            match req {
                Outgoing::Http(h) => {
                    out.push_str(&format!("{} {}\n", h.method, r.mask(&h.url)));
                    for (k, v) in h.headers.iter().chain(&ep.headers) {
                        out.push_str(&format!("{k}: {}\n", mask_header(k, v, &r)));
                    }
                    out.push_str(&r.mask(&h.body.describe()));
                }
                Outgoing::Smtp(m) => out.push_str(&r.mask(&format!("{:?}", m.summary))),
                Outgoing::Exec(x) => {
                    for (k, v) in &x.env {
                        out.push_str(&format!("{k}={}\n", mask_header(k, v, &r)));
                    }
                    out.push_str(&r.mask(&x.argv.join(" ")));
                }
                Outgoing::Mqtt(m) => out.push_str(&r.mask(&m.url)),
                Outgoing::File(f) => out.push_str(&f.path.display().to_string()),
            }
        }
    }
    out
}

proptest! {
    #![proptest_config(cfg())]

    /// Whatever the secret and wherever it sits, the redacted dry run and config show hold
    /// no copy of it, nor does any config error.
    #[test]
    fn no_secret_survives_the_redactor((i, secret) in place_and_secret()) {
        let (kind, lines, _) = PLACES[i];
        let text = format!("endpoints:\n  - name: p\n    type: {kind}\n    {lines}\n");
        let env = |n: &str| (n == "S").then(|| secret.clone());
        match Config::parse(&text, std::path::Path::new("p.yaml"), &env) {
            Ok(cfg) => {
                let shown = printed(&cfg);
                prop_assert!(!shown.contains(&secret), "{kind} {lines}: {shown}");
            }
            Err(e) => {
                let shown = e.to_string();
                prop_assert!(!shown.contains(&secret), "{kind} {lines} (error): {shown}");
            }
        }
    }

    /// Nested references, file references and odd braces in any value never panic.
    #[test]
    fn nested_expansion_never_panics(
        s in "([$]|[{]|[}]|:-|file:|[A-C]|x|/| ){0,60}",
        a in proptest::option::of("[ -~]{0,10}"),
    ) {
        let env = |n: &str| match n {
            "A" => a.clone(),
            "B" => Some("${A}".into()),
            _ => None,
        };
        let _ = expand_str(&s, &env);
        let text = format!("endpoints:\n  - name: x\n    type: webhook\n    url: \"http://h/{}\"\n    timeout: \"{}\"\n", s.replace('"', ""), s.replace('"', ""));
        let _ = Config::parse(&text, std::path::Path::new("p.yaml"), &env);
    }

    /// Durations of any size never panic and are either accepted within bounds or refused.
    #[test]
    fn durations_are_bounded(n in any::<u64>(), unit in prop::sample::select(vec!["ns", "s", "m", "h", "d", "w", "y", ""]), float in any::<f64>()) {
        for value in [format!("\"{n}{unit}\""), format!("{float:e}"), n.to_string()] {
            let text = format!("endpoints:\n  - name: x\n    type: webhook\n    url: http://h\n    throttle: {value}\n    timeout: {value}\n");
            if let Some(ep) = Config::parse(&text, std::path::Path::new("p.yaml"), &|_| None).ok().and_then(|c| c.endpoints.into_iter().next()) {
                prop_assert!(ep.timeout > std::time::Duration::ZERO && ep.timeout <= std::time::Duration::from_secs(3600));
                let t = ep.throttle.unwrap();
                prop_assert!(t > std::time::Duration::ZERO && t <= std::time::Duration::from_secs(3_155_760_000));
            }
        }
    }
}
