//! Unit tests of the event model.

use super::*;

#[test]
fn status_from_name() {
    for (name, want) in [
        ("backup_start", Status::Start),
        ("backup_failure", Status::Failure),
        ("backup_report", Status::Success),
        ("system_error", Status::Failure),
        ("user_login", Status::Info),
        ("db_dump_started", Status::Start),
        ("db_dump_completed", Status::Success),
        ("sync_finished", Status::Success),
        ("sync_failed", Status::Failure),
        ("disk_error", Status::Failure),
        ("custom", Status::Info),
        ("_failed", Status::Info),
    ] {
        assert_eq!(status_for(name), want, "{name}");
    }
}

#[test]
fn sizes() {
    for (input, want) in [
        ("123", Ok(123)),
        ("1.5GiB", Ok(1_610_612_736)),
        ("700MB", Ok(700_000_000)),
        ("4 KiB", Ok(4096)),
        ("2k", Ok(2000)),
        ("x", Err(())),
        ("3 parsecs", Err(())),
    ] {
        assert_eq!(parse_size(input).map_err(|_| ()), want, "{input}");
    }
}

#[test]
fn long_texts_are_cut_at_intake_keeping_both_ends() {
    let mut ev = Event::from_parts(
        "backup_failure",
        None,
        &Input {
            error: Some(format!(
                "START{}é{}FATAL: disk full",
                "x".repeat(300_000),
                "y".repeat(300_000)
            )),
            fields: vec![("log".into(), "z".repeat(100_000))],
            ..Input::default()
        },
        || "h".into(),
    )
    .unwrap();
    let e = ev.error.take().unwrap();
    assert!(e.len() <= MAX_TEXT, "{}", e.len());
    assert!(e.starts_with("START") && e.ends_with("FATAL: disk full"));
    assert!(e.contains("characters cut"), "{}", &e[32_700..32_800]);
    assert!(ev.fields["log"].as_str().unwrap().len() <= MAX_TEXT);
}

#[test]
fn human_units() {
    assert_eq!(human_size(512), "512 B");
    assert_eq!(human_size(1536), "1.5 KiB");
    assert_eq!(human_size(1_610_612_736), "1.5 GiB");
    assert_eq!(human_duration(252_000), "4m 12s");
    assert_eq!(human_duration(90_061_000), "1d 1h 1m 1s");
    assert_eq!(human_duration(250), "250ms");
}

#[test]
fn flags_win_over_payload_and_unknown_keys_go_to_fields() {
    let payload: Map<String, Value> = serde_json::from_str(
        r#"{"task":"from-json","message":"m","region":"eu","backup":{"id":"b1","size":"1KiB"}}"#,
    )
    .unwrap();
    let flags = Input {
        task: Some("from-flag".into()),
        ..Input::default()
    };
    let ev = Event::from_parts("backup_success", Some(payload), &flags, || "h".into()).unwrap();
    assert_eq!(ev.task.as_deref(), Some("from-flag"));
    assert_eq!(ev.message.as_deref(), Some("m"));
    assert_eq!(ev.fields["region"], "eu");
    assert_eq!(ev.backup.as_ref().unwrap().size, Some(1024));
    assert_eq!(ev.status, Status::Success);
    assert_eq!(ev.host.as_deref(), Some("h"));
    assert_eq!(ev.id.len(), 36);
}

#[test]
fn payload_type_errors_name_the_key() {
    let payload: Map<String, Value> = serde_json::from_str(r#"{"task":[1]}"#).unwrap();
    let err = Event::from_parts("x", Some(payload), &Input::default(), String::new).unwrap_err();
    assert_eq!(err.key, "task");
}

#[test]
fn every_key_present_in_payload() {
    let ev = Event::from_parts("test", None, &Input::default(), || "h".into()).unwrap();
    let v = ev.to_payload("T", "B");
    for key in [
        "event",
        "status",
        "task",
        "id",
        "timestamp",
        "host",
        "message",
        "error",
        "title",
        "body",
        "desp",
        "backup",
        "operator",
        "source",
        "dump_path",
        "started_at",
        "finished_at",
        "duration_ms",
        "fields",
    ] {
        assert!(v.get(key).is_some(), "missing {key}");
    }
    assert_eq!(v["desp"], "B");
    assert!(v["backup"].is_null());
}
