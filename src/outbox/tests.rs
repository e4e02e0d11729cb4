//! Unit tests of the outbox.

use super::*;

fn entry() -> Entry {
    Entry::new(
        "ops/hook",
        Event {
            event: "backup_failure".into(),
            ..Event::default()
        },
    )
}

#[test]
fn queue_fail_deliver() {
    let dir = tempfile::tempdir().unwrap();
    let mut ob = Outbox::new(dir.path());
    let mut e = entry();
    let (q, _) = ob.queue(&e).unwrap();
    let p = q.path.clone();
    assert!(p
        .file_name()
        .unwrap()
        .to_str()
        .unwrap()
        .contains("ops_hook"));
    assert_eq!(files(dir.path()), vec![p.clone()]);
    assert!(pending_files().iter().any(|(f, _)| *f == p));
    assert!(in_flight(&p), "locked while its writer delivers it");
    e.failed(3, "HTTP 503");
    failed(&p, &e).unwrap();
    drop(q);
    assert!(!pending_files().iter().any(|(f, _)| *f == p));
    assert!(!in_flight(&p));
    let back = read(&p).unwrap();
    assert_eq!(back.attempts, 3);
    assert!(!back.first_failed.is_empty());
    fs::write(dir.path().join("zz-foreign.json"), "not json").unwrap();
    assert!(read(&dir.path().join("zz-foreign.json")).is_err());
    let _l = lock(dir.path()).unwrap();
    assert_eq!(files(dir.path()).len(), 2, "lock files are not entries");
    delivered(&p, &back).unwrap();
    assert_eq!(files(dir.path()).len(), 1);
}

#[test]
fn age_to_the_millisecond() {
    let mut e = entry();
    assert!(e.age() < Duration::from_secs(1));
    e.queued_at = "2026-11-23T22:10:00Z".into();
    assert!(e.age() > Duration::from_secs(3600));
    let t = OffsetDateTime::now_utc() - time::Duration::milliseconds(2200);
    e.queued_at = t.format(&Rfc3339).unwrap();
    assert!(e.age() > Duration::from_secs(2) && e.age() < Duration::from_secs(3));
    e.queued_at = "garbage".into();
    assert_eq!(e.age(), Duration::ZERO);
}
