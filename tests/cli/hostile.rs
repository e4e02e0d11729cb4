//! Hostile input and closed outputs (SPEC §10, §2): what a receiver or the event sends
//! is stripped of control characters before it is printed, an event's text cannot add a
//! mail recipient, and a closed stdout or stderr never makes bnotify panic.

use std::io::Read;
use std::process::Stdio;

use crate::support::{run, Env, Response, Server};

#[test]
fn receiver_text_cannot_drive_the_terminal() {
    const HOSTILE: &str = "\x1b]0;pwned\x07\r\nFAKE: ok\x1b[2K\x1b[1A\u{9b}31m\u{202e}evil";
    let srv = Server::start(|_, _| Response::status(500).body(HOSTILE));
    let env = Env::new(&format!(
        "defaults: {{retries: 0}}\nendpoints:\n  - {{name: hook, type: webhook, url: \"{}\"}}\n",
        srv.url("/h")
    ));
    let bad = |what: &str, text: &str| {
        for c in ['\x1b', '\x07', '\r', '\u{9b}', '\u{202e}'] {
            assert!(!text.contains(c), "{what}: {c:?} got through:\n{text:?}");
        }
        assert!(!text.contains("]0;"), "{what}: an OSC survived: {text:?}");
        assert!(
            !text.lines().any(|l| l.starts_with("FAKE")),
            "{what}: a receiver forged a line:\n{text}"
        );
    };
    for args in [
        &["send", "--event", "backup_failure"][..],
        &["-vv", "send", "--event", "backup_failure"][..],
        &["--json", "send", "--event", "backup_failure"][..],
        &["outbox", "list"][..],
        &["--json", "outbox", "list"][..],
        &["-v", "outbox", "flush"][..],
    ] {
        let mut c = env.cmd();
        c.args(args);
        let out = run(c);
        bad(&format!("{args:?} stderr"), &out.stderr);
        bad(&format!("{args:?} stdout"), &out.stdout);
        if args.contains(&"--json") && args.contains(&"send") {
            let j: serde_json::Value = serde_json::from_str(&out.stdout).unwrap();
            let err = j["results"][0]["error"].as_str().unwrap();
            for c in ['\x1b', '\x07', '\r', '\u{9b}', '\u{202e}'] {
                assert!(
                    !err.contains(c),
                    "JSON error field: {c:?} got through: {err:?}"
                );
            }
            assert!(
                err.contains("FAKE: ok") && err.contains("evil") && !err.contains("pwned"),
                "{err}"
            );
        }
    }
    // The event's own text, printed on the terminal (dry run, -vv), is cleaned too: ntfy
    // sends the body as plain text, so it reaches the output unescaped.
    let env = Env::new(&format!(
        "endpoints:\n  - {{name: n, type: ntfy, url: \"{}\", topic: alerts-x1}}\n",
        srv.url("")
    ));
    for dry in [true, false] {
        let mut c = env.cmd();
        c.args([
            "-vv",
            "send",
            "--event",
            "backup_failure",
            "--title",
            "\x1b]0;title\x07T",
            "--body",
            "line\r\nFORGED\x1b[31m red",
        ]);
        if dry {
            c.arg("--dry-run");
        }
        let out = run(c);
        for text in [&out.stdout, &out.stderr] {
            for ch in ['\x1b', '\x07', '\r'] {
                assert!(
                    !text.contains(ch),
                    "dry {dry}: {ch:?} got through:\n{text:?}"
                );
            }
        }
        let all = format!("{}{}", out.stdout, out.stderr);
        assert!(
            all.contains("FORGED red"),
            "dry {dry}: the text itself stays:\n{all}"
        );
    }
}

/// Run bnotify with the read end of its stdout (or stderr) closed before it writes.
fn with_closed(stream: &str, env: &Env, args: &[&str]) -> (i32, String) {
    let mut c = env.process();
    c.args(args).stdin(Stdio::null());
    let mut child = c
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut text = String::new();
    if stream == "stdout" {
        drop(child.stdout.take());
        child
            .stderr
            .take()
            .unwrap()
            .read_to_string(&mut text)
            .unwrap();
    } else {
        drop(child.stderr.take());
        child
            .stdout
            .take()
            .unwrap()
            .read_to_string(&mut text)
            .unwrap();
    }
    let status = child.wait().unwrap();
    (status.code().unwrap_or(-1), text)
}

#[test]
fn closed_stdout_or_stderr_never_panics() {
    let srv = Server::statuses(&[500; 64]);
    let env = Env::new(&format!(
        "defaults: {{retries: 0}}\nendpoints:\n  - {{name: a, type: webhook, url: \"{}\"}}\n  - {{name: b, type: webhook, url: \"{}\", events: [\"*\"]}}\n",
        srv.url("/a"),
        srv.url("/b")
    ));
    let body = "x\n".repeat(40_000);
    for (stream, args, want) in [
        (
            "stdout",
            &["--json", "send", "--event", "backup_failure"][..],
            1,
        ),
        (
            "stdout",
            &[
                "send",
                "--event",
                "backup_failure",
                "--dry-run",
                "--body",
                body.as_str(),
            ][..],
            0,
        ),
        ("stdout", &["config", "show"][..], 0),
        ("stdout", &["outbox", "list"][..], 0),
        ("stdout", &["events"][..], 0),
        ("stdout", &["completions", "bash"][..], 0),
        (
            "stderr",
            &["-vv", "send", "--event", "backup_failure"][..],
            1,
        ),
        ("stderr", &["send", "--event", "backup_failure"][..], 1),
        ("stderr", &["config", "check"][..], 0),
        (
            "stderr",
            &["send", "--event", "x", "--endpoint", "nope", "--bogus"][..],
            2,
        ),
    ] {
        let (code, other) = with_closed(stream, &env, args);
        assert_ne!(code, 134, "{stream} closed, {args:?}: aborted");
        assert!(code >= 0, "{stream} closed, {args:?}: killed by a signal");
        assert!(
            !other.contains("panicked"),
            "{stream} closed, {args:?}: {other}"
        );
        assert_eq!(
            code, want,
            "{stream} closed, {args:?}: the usual exit code\n{other}"
        );
    }
    // The deliveries still happened and what failed is still kept.
    let mut c = env.cmd();
    c.args(["--json", "outbox", "list"]);
    let out = run(c);
    out.code(0).out_has("\"endpoint\": \"a\"");
}

/// `notify_user: also` with a user address that is not one: only the user's copy is
/// dropped (with a warning); the configured recipients still get the mail, and the text
/// can add neither a recipient nor a header.
#[test]
fn bad_user_email_drops_only_the_user_copy() {
    use crate::support::smtp::SmtpServer;
    let env = Env::new("");
    let smtp = SmtpServer::start(env.dir.path(), "plain", None);
    let yaml = |mode: &str| {
        format!(
            "endpoints:\n  - name: mail\n    type: email\n    smtp_host: 127.0.0.1\n    smtp_port: {}\n    smtp_crypto: none\n    from: backups@example.com\n    destinations: [{{email: ops@example.com}}, {{email: dba@example.com}}]\n    notify_user: {mode}\n    retries: 0\n",
            smtp.port
        )
    };
    std::fs::write(&env.config, yaml("also")).unwrap();
    let bad = [
        "evil@example.com\r\nBcc: spy@example.com",
        "evil@example.com\nX-Injected: 1",
        "not an address",
        "a@b.example, spy@example.com",
    ];
    for (i, user) in bad.iter().enumerate() {
        let mut c = env.cmd();
        c.args(["send", "--event", "user_created", "--field"])
            .arg(format!("user_email={user}"));
        let out = run(c);
        out.code(0)
            .err_has("warning: endpoint \"mail\": fields.user_email")
            .err_has("the user's copy is left out");
        assert!(!out.stderr.contains('\r'), "{user:?}: {}", out.stderr);
        let msgs = smtp.messages();
        assert_eq!(msgs.len(), i + 1, "{user:?}: one mail");
        assert_eq!(
            msgs[i]["rcpt_tos"],
            serde_json::json!(["ops@example.com", "dba@example.com"]),
            "{user:?}"
        );
        let data = msgs[i]["data"].as_str().unwrap();
        assert!(
            !data.contains("spy@") && !data.contains("X-Injected") && !data.contains("evil@"),
            "{user:?}: {data}"
        );
    }
    // With `only`, the user was the one recipient: that is a failure, not a silent drop.
    std::fs::write(&env.config, yaml("only")).unwrap();
    let mut c = env.cmd();
    c.args(["send", "--event", "user_created", "--field"])
        .arg(format!("user_email={}", bad[0]));
    run(c).code(1).err_has("fields.user_email");
    assert_eq!(smtp.messages().len(), bad.len());
    // A good address still gets its copy.
    std::fs::write(&env.config, yaml("also")).unwrap();
    let mut c = env.cmd();
    c.args([
        "send",
        "--event",
        "user_created",
        "--field",
        "user_email=new@example.com",
    ]);
    run(c).code(0);
    assert_eq!(
        smtp.messages().last().unwrap()["rcpt_tos"],
        serde_json::json!(["ops@example.com", "dba@example.com", "new@example.com"])
    );
}

/// Run bnotify through `sh` with stdin, stdout and stderr closed (`<&- >&- 2>&-`).
fn closed_stdio(env: &Env, args: &[&str]) -> Option<i32> {
    let bnotify = env.process();
    let mut c = std::process::Command::new("sh");
    c.arg("-c")
        .arg("exec \"$0\" \"$@\" <&- >&- 2>&-")
        .arg(bnotify.get_program())
        .args(bnotify.get_args())
        .args(args);
    for (k, v) in bnotify.get_envs() {
        match v {
            Some(v) => c.env(k, v),
            None => c.env_remove(k),
        };
    }
    c.status().unwrap().code()
}

/// Started with stdin, stdout and stderr closed (as some cron setups and daemons do):
/// the descriptors are reopened on /dev/null, so no file bnotify opens takes the place
/// of fd 1 or 2 (what it prints cannot land in an outbox entry or the state), and a
/// wrapped backup that writes to its stdout does not fail for want of one.
#[test]
fn closed_standard_descriptors_never_become_files() {
    let srv = Server::statuses(&[500, 500, 200]);
    let env = Env::new(&format!(
        "defaults: {{retries: 0}}\nendpoints:\n  - {{name: a, type: webhook, url: \"{}\", when: change}}\n",
        srv.url("/a")
    ));
    let send = ["-vv", "send", "--event", "backup_failure", "--job", "db"];
    assert_eq!(closed_stdio(&env, &send), Some(1), "the delivery failed");
    assert_eq!(closed_stdio(&env, &["-vv", "outbox", "flush"]), Some(1));
    let mut c = env.cmd();
    c.args(["--json", "outbox", "list"]);
    run(c).code(0).out_has("\"endpoint\": \"a\"");
    for f in crate::support::files(&env.outbox()) {
        let text = std::fs::read_to_string(&f).unwrap();
        serde_json::from_str::<serde_json::Value>(&text)
            .unwrap_or_else(|e| panic!("{} is not an outbox entry ({e}): {text}", f.display()));
    }
    let state = env.outbox().parent().unwrap().join("state.json");
    let text = std::fs::read_to_string(&state).unwrap();
    serde_json::from_str::<serde_json::Value>(&text)
        .unwrap_or_else(|e| panic!("state.json is not JSON ({e}): {text}"));
    // The wrapped command's `echo` has a stdout to write to, so the backup succeeds and
    // its recovery is what arrives.
    let wrapped = [
        "run",
        "--job",
        "db",
        "--",
        "sh",
        "-c",
        "echo dumped && echo note >&2",
    ];
    assert_eq!(
        closed_stdio(&env, &wrapped),
        Some(0),
        "the backup succeeded"
    );
    let reqs = srv.requests();
    let seen: Vec<_> = reqs
        .iter()
        .map(|r| (r.json()["event"].clone(), r.json()["status"].clone()))
        .collect();
    assert_eq!(seen.len(), 4, "{seen:?}");
    assert_eq!(reqs[3].json()["status"], "success", "{seen:?}");
}
