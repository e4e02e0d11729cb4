//! Noise control and escalation: when: change, throttle, fallback, state.

use std::time::Duration;

use crate::support::{closed_port, files, run, Env, Out, Server};

fn send(env: &Env, event: &str, task: &str) -> Out {
    let mut c = env.cmd();
    c.args(["send", "--event", event, "--job", task]);
    run(c)
}

fn events(srv: &Server, path: &str) -> Vec<String> {
    srv.requests()
        .iter()
        .filter(|r| r.path == path)
        .map(|r| {
            let j = r.json();
            format!(
                "{} {}",
                j["event"].as_str().unwrap(),
                j["task"].as_str().unwrap_or("")
            )
        })
        .collect()
}

#[test]
fn change_alerts_once_and_on_recovery() {
    let srv = Server::ok();
    let env = Env::new(&format!(
        "endpoints:\n  - {{name: a, type: webhook, url: \"{}\", events: [\"*\"], when: change}}\n  - {{name: b, type: webhook, url: \"{}\", events: [\"*\"], when: change}}\n",
        srv.url("/a"),
        srv.url("/b")
    ));
    for ev in [
        "backup_failure",
        "backup_failure",
        "backup_failure",
        "backup_success",
        "backup_success",
    ] {
        send(&env, ev, "db").code(0);
    }
    send(&env, "backup_start", "db").code(0);
    send(&env, "backup_failure", "web").code(0);
    send(&env, "backup_failure", "web")
        .code(0)
        .err_has("skip  a  webhook  unchanged: still failure since");
    let want = [
        "backup_failure db",
        "backup_success db",
        "backup_start db",
        "backup_failure web",
    ];
    assert_eq!(events(&srv, "/a"), want);
    assert_eq!(events(&srv, "/b"), want, "endpoints are tracked apart");
}

#[test]
fn throttle_holds_repeats_and_counts_them() {
    let srv = Server::ok();
    let env = Env::new(&format!(
        "endpoints:\n  - {{name: t, type: webhook, url: \"{}\", events: [\"*\"], throttle: 3s}}\n",
        srv.url("/t")
    ));
    send(&env, "backup_failure", "db").code(0);
    send(&env, "backup_failure", "db")
        .code(0)
        .err_has("throttled");
    send(&env, "backup_failure", "db").code(0);
    send(&env, "backup_failure", "other").code(0);
    assert_eq!(
        events(&srv, "/t"),
        ["backup_failure db", "backup_failure other"]
    );
    // The window passes: no sleeping, the state says so (its clock is the one input).
    let state_file = env.path("state/bnotify/state.json");
    let mut st: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&state_file).unwrap()).unwrap();
    st["throttles"]["t"]["backup_failure db"]["until"] = 0.into();
    std::fs::write(&state_file, st.to_string()).unwrap();
    send(&env, "backup_failure", "db").code(0);
    let last = srv.requests().pop().unwrap().json();
    assert_eq!(last["fields"]["suppressed"], 2);
    assert!(
        last["body"]
            .as_str()
            .unwrap()
            .contains("Held back: 2 more like this since"),
        "{}",
        last["body"]
    );
}

#[test]
fn fallback_gets_the_event_only_when_the_primary_fails() {
    let srv = Server::ok();
    let down = format!("http://127.0.0.1:{}/", closed_port());
    let yaml = |primary: &str| {
        format!(
            "defaults: {{retries: 0}}\nendpoints:\n  - {{name: chat, type: webhook, url: \"{primary}\", events: [backup_failure], fallback: [pager]}}\n  - {{name: pager, type: webhook, url: \"{}\", events: [restore_failure]}}\n",
            srv.url("/pager")
        )
    };
    let env = Env::new(&yaml(&srv.url("/chat")));
    send(&env, "backup_failure", "db").code(0);
    assert!(
        events(&srv, "/pager").is_empty(),
        "primary up: the fallback gets nothing"
    );
    std::fs::write(&env.config, yaml(&down)).unwrap();
    let out = send(&env, "backup_failure", "db");
    out.code(1)
        .err_has("FAIL  chat")
        .err_has("(fallback for chat)");
    assert_eq!(
        events(&srv, "/pager"),
        ["backup_failure db"],
        "whatever its subscriptions"
    );
    let kept = files(&env.outbox());
    assert_eq!(kept.len(), 1, "the primary's failure is kept");
    assert!(std::fs::read_to_string(&kept[0])
        .unwrap()
        .contains("\"endpoint\": \"chat\""));
}

#[test]
fn fallback_cycles_and_unknown_names_are_config_errors() {
    let env = Env::new(
        "endpoints:\n  - {name: a, type: webhook, url: \"http://h\", fallback: [b]}\n  - {name: b, type: webhook, url: \"http://h\", fallback: [c]}\n  - {name: c, type: webhook, url: \"http://h\", fallback: [a]}\n",
    );
    let mut c = env.cmd();
    c.args(["config", "check"]);
    run(c)
        .code(2)
        .err_has("fallbacks form a cycle: a -> b -> c -> a");
    let env = Env::new("endpoints:\n  - {name: a, type: webhook, url: \"http://h\", fallback: [pagr]}\n  - {name: pager, type: webhook, url: \"http://h\"}\n");
    let mut c = env.cmd();
    c.args(["config", "check"]);
    run(c)
        .code(2)
        .err_has("fallback \"pagr\" is not an endpoint")
        .err_has("did you mean \"pager\"");
}

#[test]
fn concurrent_sends_deliver_one_change_and_keep_the_state_valid() {
    let srv = Server::start(|_, _| {
        crate::support::Response::status(200).delay(Duration::from_millis(50))
    });
    let env = Env::new(&format!(
        "endpoints:\n  - {{name: c, type: webhook, url: \"{}\", events: [\"*\"], when: change}}\n",
        srv.url("/c")
    ));
    let children: Vec<_> = (0..20)
        .map(|_| {
            env.process()
                .args([
                    "-q",
                    "send",
                    "--event",
                    "backup_failure",
                    "--job",
                    "nightly",
                ])
                .spawn()
                .unwrap()
        })
        .collect();
    for mut ch in children {
        assert!(ch.wait().unwrap().success());
    }
    assert_eq!(
        srv.requests().len(),
        1,
        "exactly one notification for twenty identical outcomes"
    );
    let state: serde_json::Value = serde_json::from_slice(
        &std::fs::read(env.dir.path().join("state/bnotify/state.json")).unwrap(),
    )
    .unwrap();
    assert_eq!(state["outcomes"]["c"]["nightly"]["status"], "failure");
}

#[test]
fn state_show_reset_and_dry_run() {
    let srv = Server::ok();
    let env = Env::new(&format!(
        "endpoints:\n  - {{name: c, type: webhook, url: \"{}\", events: [\"*\"], when: change, throttle: 1h}}\n",
        srv.url("/c")
    ));
    let state_file = env.dir.path().join("state/bnotify/state.json");
    let mut c = env.cmd();
    c.args([
        "send",
        "--event",
        "backup_failure",
        "--job",
        "db",
        "--dry-run",
    ]);
    run(c).code(0).out_has("POST");
    assert!(!state_file.exists(), "dry-run changes no state");
    send(&env, "backup_failure", "db").code(0);
    send(&env, "backup_failure", "api").code(0);
    let before = std::fs::read(&state_file).unwrap();
    let mut c = env.cmd();
    c.args([
        "send",
        "--event",
        "backup_failure",
        "--job",
        "db",
        "--dry-run",
    ]);
    run(c)
        .code(0)
        .out_has("would be skipped: unchanged: still failure");
    assert_eq!(
        std::fs::read(&state_file).unwrap(),
        before,
        "dry-run changes no state"
    );
    let mut c = env.cmd();
    c.args(["state", "show"]);
    run(c)
        .code(0)
        .out_has("LAST TOLD")
        .out_has("db")
        .out_has("failure")
        .out_has("HELD BACK");
    let mut c = env.cmd();
    c.args(["state", "reset", "--task", "db"]);
    run(c).code(0);
    send(&env, "backup_failure", "db").code(0);
    send(&env, "backup_failure", "api").code(0).err_has("skip");
    assert_eq!(
        events(&srv, "/c"),
        [
            "backup_failure db",
            "backup_failure api",
            "backup_failure db"
        ]
    );
    let mut c = env.cmd();
    c.args(["state", "reset"]);
    run(c).code(0);
    let mut c = env.cmd();
    c.args(["--json", "state", "show"]);
    let out = run(c);
    let j: serde_json::Value = serde_json::from_str(&out.stdout).unwrap();
    assert!(j["outcomes"].as_object().unwrap().is_empty());
}

#[test]
fn test_notify_ignores_noise_control() {
    let srv = Server::ok();
    let env = Env::new(&format!(
        "endpoints:\n  - {{name: c, type: webhook, url: \"{}\", when: change, throttle: 1h}}\n",
        srv.url("/c")
    ));
    for _ in 0..2 {
        let mut c = env.cmd();
        c.args(["test", "notify", "backup_failure"]);
        run(c).code(0);
    }
    assert_eq!(srv.requests().len(), 2);
}
