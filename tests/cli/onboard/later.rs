//! After the first alert: recoveries say since when a job had been failing, an old
//! "backup started" is not delivered hours late, and a queued send says how to flush.

use crate::support::{closed_port, files, run, Env, Out, Server};

fn send(env: &Env, event: &str) -> Out {
    let mut c = env.cmd();
    c.args([
        "send",
        "--event",
        event,
        "--job",
        "mysql-daily",
        "--host",
        "db1",
    ]);
    run(c)
}

#[test]
fn first_success_after_failures_is_titled_a_recovery_with_failing_since() {
    let srv = Server::ok();
    let env = Env::new(&format!(
        "endpoints:\n  - {{name: chat, type: webhook, url: \"{}\", events: [\"*\"], when: change}}\n",
        srv.url("/chat")
    ));
    send(&env, "backup_failure").code(0);
    send(&env, "backup_failure")
        .code(0)
        .err_has("unchanged: still failure since");
    send(&env, "backup_success").code(0);
    send(&env, "backup_success").code(0);
    let reqs = srv.requests();
    assert_eq!(reqs.len(), 2, "one alert, one recovery");
    let failed = reqs[0].json();
    assert_eq!(failed["title"], "Backup failed: mysql-daily on db1");
    assert!(failed["fields"].get("failing_since").is_none());
    let since = failed["timestamp"].as_str().unwrap();

    let rec = reqs[1].json();
    assert_eq!(rec["title"], "Backup recovered: mysql-daily on db1");
    let told = rec["fields"]["failing_since"].as_str().unwrap();
    // Told when the first failure was decided: the same second as its timestamp, or just after.
    assert!(
        told.get(..16) == since.get(..16),
        "failing_since {told} vs first failure at {since}"
    );
    let body = rec["body"].as_str().unwrap();
    assert!(
        body.contains(&format!("Recovered: it had been failing since {told}")),
        "{body}"
    );

    // A new failure after the recovery alerts again; the next success is a recovery again.
    send(&env, "backup_failure").code(0);
    send(&env, "backup_success").code(0);
    let reqs = srv.requests();
    assert_eq!(reqs.len(), 4);
    assert_eq!(reqs[2].json()["title"], "Backup failed: mysql-daily on db1");
    assert_eq!(
        reqs[3].json()["title"],
        "Backup recovered: mysql-daily on db1"
    );

    // An endpoint without `when: change` sees a plain success.
    let plain = Server::ok();
    let env2 = Env::new(&format!(
        "endpoints:\n  - {{name: all, type: webhook, url: \"{}\", events: [\"*\"]}}\n",
        plain.url("/all")
    ));
    send(&env2, "backup_failure").code(0);
    send(&env2, "backup_success").code(0);
    assert_eq!(
        plain.requests()[1].json()["title"],
        "Backup succeeded: mysql-daily on db1"
    );
}

fn age_entries(env: &Env, to: &str) {
    for f in files(&env.outbox()) {
        let text = std::fs::read_to_string(&f).unwrap();
        let v: serde_json::Value = serde_json::from_str(&text).unwrap();
        let q = v["queued_at"].as_str().unwrap().to_string();
        std::fs::write(&f, text.replace(&q, to)).unwrap();
    }
}

#[test]
fn flush_drops_an_old_start_but_sends_a_failure_of_the_same_age() {
    let down = format!("http://127.0.0.1:{}/x", closed_port());
    let env = Env::new(&format!(
        "defaults: {{retries: 0}}\nendpoints:\n  - {{name: hook, type: webhook, url: \"{down}\", events: [\"*\"]}}\n"
    ));
    send(&env, "backup_start").code(1);
    send(&env, "backup_failure").code(1);
    assert_eq!(files(&env.outbox()).len(), 2);
    let two_hours_ago = time::OffsetDateTime::now_utc() - time::Duration::hours(2);
    let stamp = two_hours_ago
        .format(&time::format_description::well_known::Rfc3339)
        .unwrap();
    age_entries(&env, &stamp);
    let srv = Server::ok();
    let text = std::fs::read_to_string(&env.config).unwrap();
    std::fs::write(&env.config, text.replace(&down, &srv.url("/up"))).unwrap();
    let mut c = env.cmd();
    c.args(["outbox", "flush"]);
    run(c)
        .code(0)
        .err_has("older than max_age_start")
        .err_has("backup_start");
    let got: Vec<String> = srv
        .requests()
        .iter()
        .map(|r| r.json()["event"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(got, ["backup_failure"]);
    assert!(files(&env.outbox()).is_empty());
}

#[test]
fn a_queued_send_says_how_to_schedule_flushes_but_not_with_quiet() {
    let down = format!("http://127.0.0.1:{}/x", closed_port());
    let env = Env::new(&format!(
        "defaults: {{retries: 0}}\nendpoints:\n  - {{name: hook, type: webhook, url: \"{down}\"}}\n"
    ));
    let out = send(&env, "backup_failure");
    out.code(1)
        .err_has("*/5 * * * * ")
        .err_has(" -q outbox flush")
        .err_has("bnotify-flush.timer");
    let hint = out
        .stderr
        .lines()
        .find(|l| l.contains("*/5 * * * *"))
        .unwrap();
    let exe = assert_cmd::cargo::cargo_bin("bnotify");
    assert!(
        hint.contains(&format!("{} --config ", exe.display())),
        "an absolute path cron can run: {hint}"
    );
    assert_eq!(
        out.stderr.lines().filter(|l| l.contains("*/5")).count(),
        1,
        "one hint line"
    );
    let mut c = env.cmd();
    c.args(["-q", "send", "--event", "backup_failure"]);
    let quiet = run(c);
    quiet.code(1);
    assert!(!quiet.stderr.contains("*/5"), "{}", quiet.stderr);

    // run leaves its events queued the same way and says so too.
    let mut c = env.cmd();
    c.args(["run", "--job", "j", "--", "true"]);
    run(c).code(0).err_has("-q outbox flush");
}
