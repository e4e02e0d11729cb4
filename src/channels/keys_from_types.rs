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

/// The prepare() table of `name`: what follows `mod prepare_table` in its file, and its
/// own file under `prepare_tables/` when it has one.
fn table_source(name: &str) -> String {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/src/channels");
    let own = std::fs::read_to_string(format!("{dir}/{name}.rs")).unwrap_or_default();
    let inline = own
        .find("mod prepare_table")
        .map_or("", |i| &own[i..])
        .to_string();
    let apart =
        std::fs::read_to_string(format!("{dir}/prepare_tables/{name}.rs")).unwrap_or_default();
    inline + &apart
}

/// Every table sets every key of its type and sends an event of every status; a type
/// that reads replies itself (`fn check`) has its replies in the table too.
#[test]
fn every_prepare_table_covers_every_key_and_status() {
    let statuses: [(&str, &[&str]); 4] = [
        ("start", &["backup_start", "restore_start"]),
        (
            "success",
            &[
                "backup_success",
                "restore_success",
                "backup_report",
                "config_backup",
            ],
        ),
        (
            "failure",
            &[
                "backup_failure",
                "restore_failure",
                "system_error",
                "backup_missed",
            ],
        ),
        ("info", &["user_login", "user_created", "\"test\""]),
    ];
    let mut missing = Vec::new();
    for t in super::TYPES {
        let table = table_source(t.name);
        for k in (t.keys)() {
            if !table.contains(&format!("{k}:")) {
                missing.push(format!("{}: key {k}", t.name));
            }
        }
        for (status, events) in statuses {
            if !events.iter().any(|e| table.contains(e)) {
                missing.push(format!("{}: no {status} event", t.name));
            }
        }
        let own = std::fs::read_to_string(format!(
            "{}/src/channels/{}.rs",
            env!("CARGO_MANIFEST_DIR"),
            t.name
        ))
        .unwrap_or_default();
        if own.contains("fn check(") && !table.contains(".check(") {
            missing.push(format!("{}: replies (check) not in the table", t.name));
        }
    }
    assert!(
        missing.is_empty(),
        "prepare() tables lack:\n{}",
        missing.join("\n")
    );
}
