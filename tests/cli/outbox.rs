//! The outbox: flush, purge, max_age, locks, crashes.

use std::time::{Duration, Instant};

use crate::support::{closed_port, files, run, Env, Response, Server};

fn env_with(url: &str, extra_root: &str) -> Env {
    Env::new(&format!(
        "{extra_root}defaults: {{retries: 0}}\nendpoints:\n  - {{name: hook, type: webhook, url: \"{url}\"}}\n"
    ))
}

/// Fill the outbox with `n` failed sends (the endpoint is down), then point it at `url`.
fn fill(env: &Env, n: usize, url: &str) {
    for i in 0..n {
        let mut c = env.cmd();
        c.args([
            "send",
            "--event",
            "backup_failure",
            "--job",
            &format!("job{i}"),
        ]);
        run(c).code(1);
    }
    let text = std::fs::read_to_string(&env.config).unwrap();
    let down = text.split('"').nth(1).unwrap().to_string();
    std::fs::write(&env.config, text.replace(&down, url)).unwrap();
}

fn down_url() -> String {
    format!("http://127.0.0.1:{}/x", closed_port())
}

fn flush(env: &Env) -> crate::support::Out {
    let mut c = env.cmd();
    c.args(["outbox", "flush"]);
    run(c)
}

#[test]
fn flush_delivers_and_empties_the_outbox() {
    let srv = Server::ok();
    let env = env_with(&down_url(), "");
    fill(&env, 3, &srv.url("/up"));
    assert_eq!(files(&env.outbox()).len(), 3);
    let mut c = env.cmd();
    c.args(["outbox", "list"]);
    run(c)
        .code(0)
        .out_has("job0")
        .out_has("job2")
        .out_has("connection");
    flush(&env).code(0).err_has("3 delivered, 0 still waiting");
    let mut jobs: Vec<String> = srv
        .requests()
        .iter()
        .map(|r| r.json()["task"].as_str().unwrap().to_string())
        .collect();
    jobs.sort();
    assert_eq!(jobs, ["job0", "job1", "job2"]);
    assert!(files(&env.outbox()).is_empty());
}

#[test]
fn failed_flush_keeps_entries_with_updated_attempts() {
    let srv = Server::statuses(&[500]);
    let env = env_with(&down_url(), "");
    fill(&env, 1, &srv.url("/still-down"));
    flush(&env).code(1).err_has("HTTP 500");
    let kept = files(&env.outbox());
    assert_eq!(kept.len(), 1);
    let e: serde_json::Value = serde_json::from_slice(&std::fs::read(&kept[0]).unwrap()).unwrap();
    assert_eq!(e["attempts"], 2);
    assert!(e["last_error"].as_str().unwrap().contains("500"));
}

#[test]
fn corrupt_files_and_unknown_endpoints_are_reported_and_kept() {
    let srv = Server::ok();
    let env = env_with(&down_url(), "");
    fill(&env, 1, &srv.url("/up"));
    std::fs::write(env.outbox().join("0-garbage.json"), "{ not json").unwrap();
    std::fs::write(env.outbox().join("README.txt"), "foreign").unwrap();
    let text = std::fs::read_to_string(&env.config)
        .unwrap()
        .replace("name: hook", "name: renamed");
    std::fs::write(&env.config, text).unwrap();
    let out = flush(&env);
    out.code(0)
        .err_has("skipping")
        .err_has("0-garbage.json")
        .err_has("no endpoint named \"hook\"");
    assert_eq!(files(&env.outbox()).len(), 3, "nothing deleted");
    assert!(
        srv.requests().is_empty(),
        "nothing sent for an unknown endpoint"
    );
    let mut c = env.cmd();
    c.args(["outbox", "list"]);
    run(c).code(0).err_has("0-garbage.json");
}

#[test]
fn entries_past_max_age_are_dropped_with_a_warning() {
    let srv = Server::ok();
    let env = env_with(&down_url(), "outbox: {max_age: 1h}\n");
    fill(&env, 2, &srv.url("/up"));
    let old = files(&env.outbox())[0].clone();
    let text = std::fs::read_to_string(&old).unwrap();
    let v: serde_json::Value = serde_json::from_str(&text).unwrap();
    let stale = text.replace(v["queued_at"].as_str().unwrap(), "2020-01-01T00:00:00Z");
    std::fs::write(&old, stale).unwrap();
    let mut c = env.cmd();
    c.args(["outbox", "list"]);
    run(c).code(0).err_has("older than max_age");
    flush(&env)
        .code(0)
        .err_has("dropping")
        .err_has("older than max_age");
    assert_eq!(srv.requests().len(), 1);
    assert!(files(&env.outbox()).is_empty());
}

#[test]
fn purge_all_or_older_than() {
    let env = env_with(&down_url(), "");
    fill(&env, 2, &down_url());
    let first = files(&env.outbox())[0].clone();
    let text = std::fs::read_to_string(&first).unwrap();
    let v: serde_json::Value = serde_json::from_str(&text).unwrap();
    std::fs::write(
        &first,
        text.replace(v["queued_at"].as_str().unwrap(), "2020-01-01T00:00:00Z"),
    )
    .unwrap();
    let mut c = env.cmd();
    c.args(["outbox", "purge", "--older-than", "1d"]);
    run(c).code(0).err_has("removed 1 entry");
    assert_eq!(files(&env.outbox()).len(), 1);
    let mut c = env.cmd();
    c.args(["outbox", "purge"]);
    run(c).code(2).err_has("--all");
    assert_eq!(
        files(&env.outbox()).len(),
        1,
        "a bare purge deletes nothing"
    );
    let mut c = env.cmd();
    c.args(["outbox", "purge", "--all"]);
    run(c).code(0).err_has("removed 1 entry");
    assert!(files(&env.outbox()).is_empty());
}

#[test]
fn two_flushes_at_once_send_each_entry_exactly_once() {
    let srv = Server::start(|_, _| Response::status(200).delay(Duration::from_millis(300)));
    let env = env_with(&down_url(), "");
    fill(&env, 5, &srv.url("/slow"));
    let spawn = || {
        env.process()
            .args(["-q", "outbox", "flush"])
            .spawn()
            .unwrap()
    };
    let (mut a, mut b) = (spawn(), spawn());
    assert!(a.wait().unwrap().success());
    assert!(b.wait().unwrap().success());
    let mut jobs: Vec<String> = srv
        .requests()
        .iter()
        .map(|r| r.json()["task"].as_str().unwrap().to_string())
        .collect();
    jobs.sort();
    assert_eq!(
        jobs,
        ["job0", "job1", "job2", "job3", "job4"],
        "each entry exactly once"
    );
    assert!(files(&env.outbox()).is_empty());
}

#[test]
fn a_killed_flush_loses_nothing() {
    let srv = Server::start(|_, _| Response::status(200).delay(Duration::from_millis(40)));
    let env = env_with(&down_url(), "");
    fill(&env, 8, &srv.url("/k"));
    let seed = std::env::var("BNOTIFY_TEST_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| fastrand::u64(..));
    eprintln!("killed-flush seed: {seed} (BNOTIFY_TEST_SEED={seed} replays it)");
    let mut rng = fastrand::Rng::with_seed(seed);
    for round in 0..5u64 {
        let mut child = env
            .process()
            .args(["-q", "outbox", "flush"])
            .spawn()
            .unwrap();
        // kill at a different moment each round
        std::thread::sleep(Duration::from_millis(
            5 + (round * 37 + rng.u64(0..30)) % 120,
        ));
        let _ = child.kill();
        let _ = child.wait();
        let mut received: Vec<String> = srv
            .requests()
            .iter()
            .map(|r| r.json()["task"].as_str().unwrap().to_string())
            .collect();
        for f in files(&env.outbox()) {
            let e: serde_json::Value =
                serde_json::from_slice(&std::fs::read(&f).unwrap()).expect("outbox stays readable");
            received.push(e["event"]["task"].as_str().unwrap().to_string());
        }
        received.sort();
        received.dedup();
        assert_eq!(received.len(), 8, "round {round}: an entry was lost");
    }
    let t = Instant::now();
    flush(&env).code(0);
    assert!(t.elapsed() < Duration::from_secs(10));
    assert!(files(&env.outbox()).is_empty());
    let mut got: Vec<String> = srv
        .requests()
        .iter()
        .map(|r| r.json()["task"].as_str().unwrap().to_string())
        .collect();
    got.sort();
    got.dedup();
    assert_eq!(got.len(), 8);
}

#[test]
fn flushed_entry_still_sends_its_attachment() {
    let srv = Server::ok();
    let env = env_with(&down_url(), "");
    let log = env.path("run.log");
    std::fs::write(&log, b"\x00binary\xfflog").unwrap();
    let mut c = env.cmd();
    c.args(["send", "--event", "backup_failure", "--attach"])
        .arg(&log);
    run(c).code(1);
    std::fs::remove_file(&log).unwrap();
    let text = std::fs::read_to_string(&env.config).unwrap();
    let down = text.split('"').nth(1).unwrap().to_string();
    std::fs::write(&env.config, text.replace(&down, &srv.url("/a"))).unwrap();
    flush(&env).code(0);
    let j = srv.one().json();
    use base64::Engine;
    let data = base64::engine::general_purpose::STANDARD
        .decode(j["attachments"][0]["content_base64"].as_str().unwrap())
        .unwrap();
    assert_eq!(data, b"\x00binary\xfflog");
}
