//! `bnotify run`: the wrapped command's output, exit code and signals, and its events.

use std::time::Duration;

use crate::support::{closed_port, run, Env, Server};

fn env_for(srv: &Server) -> Env {
    Env::new(&format!(
        "endpoints:\n  - {{name: hook, type: webhook, url: \"{}\", events: [\"*\"]}}\n",
        srv.url("/run")
    ))
}

#[test]
fn success_sends_start_and_success_with_one_id() {
    let srv = Server::ok();
    let env = env_for(&srv);
    let mut c = env.cmd();
    c.args([
        "run",
        "--job",
        "pg",
        "--",
        "sh",
        "-c",
        "echo out-line; echo err-line >&2; sleep 0.2",
    ]);
    let out = run(c);
    out.code(0);
    assert_eq!(out.stdout, "out-line\n");
    assert!(out.stderr.starts_with("err-line\n") || out.stderr.contains("err-line\n"));
    let r = srv.requests();
    assert_eq!(r.len(), 2);
    let (s, e) = (r[0].json(), r[1].json());
    assert_eq!(s["event"], "backup_start");
    assert_eq!(e["event"], "backup_success");
    assert_eq!(s["id"], e["id"]);
    assert_eq!(e["task"], "pg");
    assert_eq!(e["fields"]["exit_code"], 0);
    assert!(e["duration_ms"].as_u64().unwrap() >= 200);
    assert!(e["started_at"].is_string() && e["finished_at"].is_string());
    assert!(e["error"].is_null());
}

#[test]
fn failure_returns_the_code_and_reports_the_stderr_tail() {
    let srv = Server::ok();
    let env = env_for(&srv);
    let mut c = env.cmd();
    c.args([
        "run",
        "--job",
        "db",
        "--kind",
        "restore",
        "--",
        "sh",
        "-c",
        "printf 'a\\0b'; echo 'pg_restore: error: disk full' >&2; exit 3",
    ]);
    let out = run(c);
    out.code(3);
    assert_eq!(
        out.stdout.as_bytes(),
        b"a\0b",
        "stdout passed through byte-exact"
    );
    let e = srv.requests()[1].json();
    assert_eq!(e["event"], "restore_failure");
    assert_eq!(e["status"], "failure");
    assert_eq!(e["fields"]["exit_code"], 3);
    assert_eq!(e["error"], "pg_restore: error: disk full");
}

#[test]
fn megabytes_of_output_pass_through_and_error_keeps_the_last_4k() {
    let srv = Server::ok();
    let env = env_for(&srv);
    let mut c = env.cmd();
    c.args([
        "run", "--job", "big", "--", "sh", "-c",
        "head -c 3000000 /dev/zero | tr '\\0' 'o'; i=0; while [ $i -lt 2000 ]; do echo \"line $i\" >&2; i=$((i+1)); done; exit 1",
    ]);
    let out = run(c);
    out.code(1);
    assert_eq!(out.stdout.len(), 3_000_000);
    let e = srv.requests()[1].json();
    let err = e["error"].as_str().unwrap();
    assert!(
        err.len() <= 4096 && err.ends_with("line 1999"),
        "{}",
        err.len()
    );
    assert!(out.stderr.contains("line 0\n") && out.stderr.contains("line 1999\n"));
}

#[test]
fn killed_command_exits_128_plus_signal() {
    let srv = Server::ok();
    let env = env_for(&srv);
    let mut c = env.cmd();
    c.args(["run", "--job", "k", "--", "sh", "-c", "kill -TERM $$"]);
    run(c).code(143);
    let e = srv.requests()[1].json();
    assert_eq!(e["fields"]["exit_code"], 143);
}

#[test]
fn sigterm_to_bnotify_is_forwarded() {
    let srv = Server::ok();
    let env = env_for(&srv);
    let marker = env.path("trapped");
    let ready = env.path("ready");
    let mut c = env.process();
    c.args(["run", "--job", "sig", "--", "sh", "-c"])
        .arg(format!(
            "trap 'echo got > {}; exit 7' TERM; touch {}; sleep 30 & wait",
            marker.display(),
            ready.display()
        ))
        .stdout(std::process::Stdio::null());
    let mut child = c.spawn().unwrap();
    // Readiness, not a guess: the command has set its trap.
    let t0 = std::time::Instant::now();
    while !ready.exists() {
        assert!(
            t0.elapsed() < Duration::from_secs(20),
            "the command never started"
        );
        std::thread::sleep(Duration::from_millis(5));
    }
    unsafe {
        libc::kill(child.id() as i32, libc::SIGTERM);
    }
    let status = child.wait().unwrap();
    assert_eq!(
        status.code(),
        Some(7),
        "bnotify returns the command's own code"
    );
    assert!(marker.exists(), "the command got SIGTERM");
    assert_eq!(srv.requests()[1].json()["fields"]["exit_code"], 7);
}

#[test]
fn notification_failures_never_change_the_exit_code() {
    let env = Env::new(&format!(
        "defaults: {{retries: 0}}\nendpoints:\n  - {{name: down, type: webhook, url: \"http://127.0.0.1:{}/\", events: [\"*\"]}}\n",
        closed_port()
    ));
    let mut c = env.cmd();
    c.args(["run", "--job", "x", "--", "true"]);
    run(c).code(0);
    let mut c = env.cmd();
    c.args(["run", "--job", "x", "--", "sh", "-c", "exit 5"]);
    run(c).code(5);
    // a broken config: the command still runs, its code is returned
    std::fs::write(&env.config, "endpoints: [\n").unwrap();
    let mut c = env.cmd();
    c.args(["run", "--job", "x", "--", "sh", "-c", "echo ran; exit 4"]);
    let out = run(c);
    out.code(4).err_has("invalid YAML").out_has("ran");
}

#[test]
fn command_not_found_is_127_with_a_failure_event() {
    let srv = Server::ok();
    let env = env_for(&srv);
    let mut c = env.cmd();
    c.args(["run", "--job", "nf", "--", "/nonexistent/backup-tool"]);
    run(c)
        .code(127)
        .err_has("cannot run /nonexistent/backup-tool");
    let e = srv.requests()[1].json();
    assert_eq!(e["event"], "backup_failure");
    assert!(e["error"].as_str().unwrap().contains("cannot run"));
}

#[test]
fn attach_output_sends_the_combined_log() {
    let srv = Server::ok();
    let env = env_for(&srv);
    let mut c = env.cmd();
    c.args([
        "run",
        "--job",
        "logged",
        "--attach-output",
        "--",
        "sh",
        "-c",
        "echo one; echo two >&2; echo three; exit 2",
    ]);
    let out = run(c);
    out.code(2);
    assert_eq!(out.stdout, "one\nthree\n");
    let e = srv.requests()[1].json();
    let a = &e["attachments"][0];
    assert_eq!(a["name"], "logged-output.log");
    use base64::Engine;
    let log = base64::engine::general_purpose::STANDARD
        .decode(a["content_base64"].as_str().unwrap())
        .unwrap();
    let log = String::from_utf8(log).unwrap();
    for line in ["one\n", "two\n", "three\n"] {
        assert!(log.contains(line), "{log}");
    }
}

#[test]
fn a_file_that_is_not_executable_is_126() {
    let srv = Server::ok();
    let env = env_for(&srv);
    let script = env.path("not-exec.sh");
    std::fs::write(&script, "#!/bin/sh\necho hi\n").unwrap();
    let mut c = env.cmd();
    c.args(["run", "--job", "ne", "--"]).arg(&script);
    run(c).code(126).err_has("cannot run");
    assert_eq!(srv.requests()[1].json()["fields"]["exit_code"], 126);
}
