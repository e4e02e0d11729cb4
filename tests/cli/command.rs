//! `command`: a local program with the event on stdin and BNOTIFY_* variables.

use std::time::{Duration, Instant};

use crate::support::{run, Env};

#[test]
fn stdin_json_and_environment() {
    let env = Env::new("");
    let out_dir = env.path("rec");
    std::fs::create_dir_all(&out_dir).unwrap();
    let script = env.path("rec.sh");
    std::fs::write(
        &script,
        format!("#!/bin/sh\ncat > {d}/stdin.json\nenv | grep -E '^(BNOTIFY_|EXTRA)' | sort > {d}/env.txt\n", d = out_dir.display()),
    )
    .unwrap();
    std::fs::write(
        &env.config,
        format!("endpoints:\n  - name: cmd\n    type: command\n    argv: [sh, {}]\n    env: {{EXTRA: yes-extra}}\n", script.display()),
    )
    .unwrap();
    let mut c = env.cmd();
    c.args([
        "send",
        "--event",
        "backup_failure",
        "--job",
        "db",
        "--host",
        "h",
        "--error",
        "boom",
    ]);
    run(c).code(0);
    let j: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out_dir.join("stdin.json")).unwrap())
            .unwrap();
    assert_eq!(j["event"], "backup_failure");
    assert_eq!(j["task"], "db");
    assert_eq!(j["error"], "boom");
    assert_eq!(j["title"], "Backup failed: db on h");
    let envs = std::fs::read_to_string(out_dir.join("env.txt")).unwrap();
    for want in [
        "BNOTIFY_EVENT=backup_failure",
        "BNOTIFY_STATUS=failure",
        "BNOTIFY_TASK=db",
        "BNOTIFY_TITLE=Backup failed: db on h",
        "BNOTIFY_BODY=Error: boom",
        "EXTRA=yes-extra",
    ] {
        assert!(envs.contains(want), "missing {want} in\n{envs}");
    }
}

#[test]
fn non_zero_exit_is_a_failure_with_its_code_and_stderr() {
    let env = Env::new("defaults: {retries: 0}\nendpoints:\n  - {name: cmd, type: command, argv: [sh, -c, \"echo nope >&2; exit 3\"]}\n");
    let mut c = env.cmd();
    c.args(["send", "--event", "backup_failure"]);
    run(c)
        .code(1)
        .err_has("FAIL  cmd")
        .err_has("exited 3")
        .err_has("nope");
}

#[test]
fn slow_command_is_killed_at_its_timeout() {
    let env = Env::new("");
    let pidfile = env.path("pid");
    std::fs::write(
        &env.config,
        format!(
            "endpoints:\n  - {{name: slow, type: command, timeout: 500ms, retries: 0, argv: [sh, -c, \"echo $$ > {}; exec sleep 30\"]}}\n",
            pidfile.display()
        ),
    )
    .unwrap();
    let t = Instant::now();
    let mut c = env.cmd();
    c.args(["send", "--event", "backup_failure"]);
    run(c).code(1).err_has("timed out");
    assert!(
        t.elapsed() < Duration::from_secs(3),
        "took {:?}",
        t.elapsed()
    );
    let pid = std::fs::read_to_string(&pidfile)
        .unwrap()
        .trim()
        .to_string();
    std::thread::sleep(Duration::from_millis(100));
    let alive = std::path::Path::new(&format!("/proc/{pid}")).exists()
        && !std::fs::read_to_string(format!("/proc/{pid}/stat"))
            .unwrap_or_default()
            .contains(") Z ");
    assert!(!alive, "the command is still running");
}

/// Whether `pid` has exited (gone, or a zombie nobody reaped yet).
fn exited(pid: &str) -> bool {
    match std::fs::read_to_string(format!("/proc/{pid}/stat")) {
        Err(_) => true,
        Ok(stat) => stat
            .rsplit(')')
            .next()
            .is_some_and(|rest| rest.trim_start().starts_with('Z')),
    }
}

#[cfg(target_os = "linux")]
#[test]
fn what_a_command_leaves_behind_neither_survives_a_timeout_nor_holds_the_send() {
    let env = Env::new("");
    let bg = env.path("bg.pid");
    let bg2 = env.path("bg2.pid");
    std::fs::write(
        &env.config,
        format!(
            "endpoints:\n  - {{name: slow, type: command, timeout: 500ms, retries: 0, argv: [sh, -c, \"sleep 30 & echo $! > {}; wait\"]}}\n  - {{name: quick, type: command, timeout: 5s, retries: 0, argv: [sh, -c, \"sleep 30 & echo $! > {}; echo nope >&2; exit 3\"]}}\n",
            bg.display(),
            bg2.display()
        ),
    )
    .unwrap();
    let t = Instant::now();
    let mut c = env.cmd();
    c.args(["send", "--event", "backup_failure"]);
    run(c)
        .code(1)
        .err_has("timed out")
        .err_has("exited 3: nope");
    assert!(
        t.elapsed() < Duration::from_secs(3),
        "took {:?}",
        t.elapsed()
    );
    let pid = std::fs::read_to_string(&bg).unwrap().trim().to_string();
    let until = Instant::now() + Duration::from_secs(2);
    while !exited(&pid) && Instant::now() < until {
        std::thread::sleep(Duration::from_millis(20));
    }
    assert!(
        exited(&pid),
        "the command's background process {pid} survived the kill"
    );
    let left = std::fs::read_to_string(&bg2).unwrap().trim().to_string();
    unsafe {
        libc::kill(left.parse().unwrap(), libc::SIGKILL);
    }
}
