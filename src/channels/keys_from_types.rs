//! Unit tests: keys, secrets and prepare() tables come with every type.

#[test]
fn every_type_takes_its_keys_from_its_typed_config() {
    for t in super::TYPES {
        assert!(
            !(t.keys)().is_empty(),
            "{}: no keys read from its config type",
            t.name
        );
    }
    let gotify = super::find("gotify").unwrap();
    assert_eq!((gotify.keys)(), ["url", "token", "priority"]);
}

/// The `Secret` keys of a channel's config are its secrets, with no list kept by hand.
#[test]
fn secrets_come_from_the_typed_config() {
    use super::testkit::channel;
    for (kind, keys, want) in [
        ("gotify", "{url: 'http://g', token: tok1}", &["tok1"][..]),
        ("pagerduty", "{routing_key: rk1}", &["rk1"][..]),
        (
            "webhook",
            "{url: 'http://w', token: t2, signing: {secret: s2}}",
            &["t2", "s2"][..],
        ),
        (
            "email",
            "{smtp_host: m, smtp_user: u, smtp_password: pw3, from: a@x, destinations: [b@x]}",
            &["pw3"][..],
        ),
    ] {
        let got = channel(kind, keys).secrets();
        for w in want {
            assert!(
                got.iter().any(|g| g == w),
                "{kind}: {w} missing from {}",
                got.len()
            );
        }
    }
}

/// Every registered type has its table of `prepare()` cases (no network).
#[test]
fn every_type_has_a_prepare_table() {
    for t in super::TYPES {
        let path = format!("{}/src/channels/{}.rs", env!("CARGO_MANIFEST_DIR"), t.name);
        let src = std::fs::read_to_string(&path).unwrap();
        assert!(
            src.contains("mod prepare_table") || src.contains("testkit::"),
            "{path} has no prepare() table (see channels::testkit)"
        );
    }
}
