//! The per-task history every send records in the state, and `overdue`, the dead man's
//! switch that reads it.

use serde_json::Value;

use super::{now, send};
use crate::support::{closed_port, run, Env, Server};

/// A state file whose history says `pg-main` last succeeded 3 days ago, `files` 1 hour
/// ago, and `new-job` never, first seen 2 days ago.
pub(super) fn write_history(env: &Env) {
    let n = now() as u64;
    let state = serde_json::json!({
        "version": 1, "outcomes": {}, "throttles": {},
        "tasks": {
            "pg-main": {"first_seen": n - 900_000, "last_success": n - 3 * 86_400, "events": {"backup_success": n - 3 * 86_400}},
            "files": {"first_seen": n - 900_000, "last_success": n - 3600, "events": {}},
            "new-job": {"first_seen": n - 2 * 86_400, "last_failure": n - 100, "events": {}},
            "other": {"first_seen": n - 900_000, "events": {}}
        }
    });
    let dir = env.path("state/bnotify");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("state.json"), state.to_string()).unwrap();
}

#[test]
fn overdue_sends_backup_missed_for_each_late_task() {
    let srv = Server::ok();
    let env = Env::new(&format!(
        "endpoints:\n  - {{name: hook, type: webhook, url: \"{}\"}}\n",
        srv.url("/h")
    ));
    write_history(&env);
    let mut c = env.cmd();
    c.args([
        "overdue",
        "--task",
        "*-*",
        "--max-age",
        "1d",
        "--host",
        "db1",
    ]);
    run(c).code(0);
    let mut got: Vec<Value> = srv.requests().iter().map(|r| r.json()).collect();
    got.sort_by_key(|v| v["task"].to_string());
    assert_eq!(got.len(), 2, "{got:#?}");
    assert_eq!(got[0]["task"], "new-job");
    assert!(
        got[0]["message"]
            .as_str()
            .unwrap()
            .starts_with("Never succeeded; first seen "),
        "{}",
        got[0]["message"]
    );
    assert_eq!(got[1]["task"], "pg-main");
    assert_eq!(got[1]["event"], "backup_missed");
    assert_eq!(got[1]["status"], "failure");
    assert_eq!(got[1]["title"], "Backup missed: pg-main on db1");
    let msg = got[1]["message"].as_str().unwrap();
    assert!(
        msg.starts_with("No success since 20") && msg.contains("(3days"),
        "{msg}"
    );
}

#[test]
fn overdue_event_override_and_nothing_overdue() {
    let srv = Server::ok();
    let env = Env::new(&format!(
        "endpoints:\n  - {{name: hook, type: webhook, url: \"{}\"}}\n",
        srv.url("/h")
    ));
    write_history(&env);
    let mut c = env.cmd();
    c.args([
        "overdue",
        "--task",
        "pg-main",
        "--max-age",
        "1d",
        "--event",
        "db_backup_late",
    ]);
    run(c).code(0);
    assert_eq!(srv.requests()[0].json()["event"], "db_backup_late");

    let mut c = env.cmd();
    c.args(["overdue", "--task", "files", "--max-age", "2h"]);
    run(c).code(0).err_has("nothing overdue");
    let mut c = env.cmd();
    c.args(["overdue", "--task", "nope-*", "--max-age", "2h"]);
    run(c)
        .code(0)
        .err_has("no task matching \"nope-*\" has reported yet");
    assert_eq!(srv.requests().len(), 1);

    // a failed delivery exits like send
    let env2 = Env::new(&format!(
        "endpoints:\n  - {{name: hook, type: webhook, retries: 0, url: \"http://127.0.0.1:{}/\"}}\n",
        closed_port()
    ));
    write_history(&env2);
    let mut c = env2.cmd();
    c.args(["overdue", "--task", "pg-main", "--max-age", "1d"]);
    run(c).code(1);
}

#[test]
fn every_send_records_the_task_history() {
    let srv = Server::ok();
    let env = Env::new(&format!(
        "endpoints:\n  - {{name: hook, type: webhook, url: \"{}\", when: failure}}\n",
        srv.url("/h")
    ));
    // an old state file, written before the history existed, still loads
    let dir = env.path("state/bnotify");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(
        dir.join("state.json"),
        r#"{"version":1,"outcomes":{"hook":{"t":{"status":"failure","event":"backup_failure","at":"2026-01-01T00:00:00Z"}}},"throttles":{}}"#,
    )
    .unwrap();
    send(
        &env,
        &[
            "-e",
            "backup_success",
            "--job",
            "t",
            "--backup-size",
            "2KiB",
        ],
    )
    .code(0);
    send(&env, &["-e", "backup_start", "--job", "t", "--dry-run"]).code(0);
    let state: Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("state.json")).unwrap()).unwrap();
    let h = &state["tasks"]["t"];
    assert!(
        h["last_success"].as_u64().unwrap() as f64 > now() - 60.0,
        "{state:#}"
    );
    assert_eq!(h["last_size"], 2048);
    assert!(
        h.get("last_start").is_none(),
        "a dry run records nothing: {h}"
    );
    assert_eq!(
        state["outcomes"]["hook"]["t"]["status"], "failure",
        "old state kept"
    );
    assert!(srv.requests().is_empty(), "when: failure still holds");

    let mut c = env.cmd();
    c.args(["state", "show"]);
    let out = run(c);
    out.code(0).out_has("LAST SUCCESS");
    assert!(
        out.stdout
            .lines()
            .any(|l| l.starts_with("t ") && l.contains("Z")),
        "{}",
        out.stdout
    );

    let mut c = env.cmd();
    c.args(["state", "reset", "--task", "t"]);
    run(c).code(0);
    let state: Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("state.json")).unwrap()).unwrap();
    assert!(state["tasks"].get("t").is_none(), "{state:#}");
}
