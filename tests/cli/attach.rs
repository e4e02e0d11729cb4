use base64::Engine;
use sha2::{Digest, Sha256};

use crate::support::{files, run, Env, Server};

fn sha(b: &[u8]) -> String {
    Sha256::digest(b)
        .iter()
        .map(|x| format!("{x:02x}"))
        .collect()
}

fn decode(v: &serde_json::Value) -> Vec<u8> {
    base64::engine::general_purpose::STANDARD
        .decode(v["content_base64"].as_str().unwrap())
        .unwrap()
}

/// Bytes that are not text: every byte value, twice.
fn binary() -> Vec<u8> {
    (0..512u32).map(|i| (i % 256) as u8).collect()
}

#[test]
fn webhook_carries_exact_bytes_of_text_and_binary_files() {
    let srv = Server::ok();
    let env = Env::new(&format!(
        "endpoints:\n  - {{name: w, type: webhook, url: \"{}\"}}\n",
        srv.url("/a")
    ));
    let log = env.path("backup.log");
    std::fs::write(&log, "line 1\nline 2: error\n").unwrap();
    let bin = env.path("dump.bin");
    std::fs::write(&bin, binary()).unwrap();
    let mut c = env.cmd();
    c.args(["send", "--event", "backup_failure", "--attach"])
        .arg(&log)
        .arg("--attach")
        .arg(&bin);
    run(c).code(0);
    let j = srv.one().json();
    let a = j["attachments"].as_array().unwrap();
    assert_eq!(a.len(), 2);
    assert_eq!(a[0]["name"], "backup.log");
    assert_eq!(a[0]["size"], 21);
    assert_eq!(decode(&a[0]), b"line 1\nline 2: error\n");
    assert_eq!(a[1]["name"], "dump.bin");
    assert_eq!(a[1]["content_type"], "application/octet-stream");
    assert_eq!(sha(&decode(&a[1])), sha(&binary()));
}

/// A path that is not UTF-8 (a Latin-1 file name from an old system) reaches the file:
/// the command line is read as bytes, and the file is attached under a readable name.
#[test]
fn a_path_that_is_not_utf8_is_attached() {
    use std::os::unix::ffi::OsStrExt;
    let srv = Server::ok();
    let env = Env::new(&format!(
        "endpoints:\n  - {{name: w, type: webhook, url: \"{}\"}}\n",
        srv.url("/a")
    ));
    let log = env
        .dir
        .path()
        .join(std::ffi::OsStr::from_bytes(b"sauvegarde-\xe9t\xe9.log"));
    std::fs::write(&log, "disk full\n").unwrap();
    let mut c = env.cmd();
    c.args(["send", "--event", "backup_failure", "--attach"])
        .arg(&log);
    run(c).code(0);
    let j = srv.one().json();
    let a = &j["attachments"][0];
    assert_eq!(decode(a), b"disk full\n");
    let name = a["name"].as_str().unwrap();
    assert!(
        name.starts_with("sauvegarde-") && name.ends_with(".log"),
        "{name}"
    );
}

#[test]
fn big_file_is_cut_to_its_tail_with_a_note() {
    let srv = Server::ok();
    let env = Env::new(&format!(
        "endpoints:\n  - {{name: w, type: webhook, url: \"{}\", max_attachment_size: 1KiB}}\n",
        srv.url("/a")
    ));
    let big: Vec<u8> = (0..5000u32).map(|i| (i * 7 % 251) as u8).collect();
    let path = env.path("big.log");
    std::fs::write(&path, &big).unwrap();
    let mut c = env.cmd();
    c.args(["send", "--event", "backup_failure", "--attach"])
        .arg(&path);
    run(c).code(0);
    let j = srv.one().json();
    let a = &j["attachments"][0];
    assert_eq!(a["size"], 1024);
    assert_eq!(a["cut_from"], 5000);
    assert_eq!(sha(&decode(a)), sha(&big[5000 - 1024..]));
    assert!(
        j["body"]
            .as_str()
            .unwrap()
            .contains("big.log (last 1 KiB of 4.9 KiB)"),
        "{}",
        j["body"]
    );
}

/// A log that is missing, a directory, a FIFO nobody writes to, or a device never stops
/// the alert: it goes out without that file, says which was left out and why, and the
/// exit code is the delivery's. Nothing blocks (the FIFO would hang a plain read).
#[test]
fn a_file_that_cannot_be_attached_never_stops_the_alert() {
    let srv = Server::start(|_, _| crate::support::Response::status(200).body("ok"));
    let env = Env::new(&format!(
        "endpoints:\n  - {{name: w, type: webhook, url: \"{}\"}}\n  - {{name: s, type: slack, url: \"{}\"}}\n",
        srv.url("/a"),
        srv.url("/slack")
    ));
    let fifo = env.path("pipe.log");
    let c_path = std::ffi::CString::new(fifo.to_str().unwrap()).unwrap();
    // SAFETY: mkfifo on a path in our own temp dir.
    assert_eq!(unsafe { libc::mkfifo(c_path.as_ptr(), 0o600) }, 0);
    let good = env.path("good.log");
    std::fs::write(&good, "the end of the log\n").unwrap();
    let t0 = std::time::Instant::now();
    let mut c = env.cmd();
    c.args(["-q", "send", "--event", "backup_failure", "--job", "db"])
        .args(["--attach", "/nonexistent/run.log", "--attach"])
        .arg(env.dir.path())
        .arg("--attach")
        .arg(&fifo)
        .args(["--attach", "/dev/zero", "--attach"])
        .arg(&good);
    let out = run(c);
    out.code(0)
        .err_has("not attaching /nonexistent/run.log: no such file")
        .err_has("a directory")
        .err_has("pipe.log: not a regular file")
        .err_has("/dev/zero: not a regular file");
    assert!(
        t0.elapsed() < std::time::Duration::from_secs(10),
        "nothing blocks"
    );
    let reqs = srv.requests();
    assert_eq!(reqs.len(), 2, "both endpoints were told");
    let hook = reqs.iter().find(|r| r.path == "/a").unwrap().json();
    let files: Vec<_> = hook["attachments"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["name"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(files, ["good.log"], "the readable file still travels");
    let body = hook["body"].as_str().unwrap();
    assert!(
        body.contains("Not attached: /nonexistent/run.log (no such file)"),
        "{body}"
    );
    assert!(body.contains("pipe.log (not a regular file"), "{body}");
    let slack = reqs.iter().find(|r| r.path == "/slack").unwrap().text();
    assert!(slack.contains("/nonexistent/run.log"), "{slack}");
}

#[test]
fn outbox_entry_keeps_its_own_copy() {
    let env = Env::new(&format!(
        "defaults: {{retries: 0}}\nendpoints:\n  - {{name: w, type: webhook, url: \"http://127.0.0.1:{}/\"}}\n",
        crate::support::closed_port()
    ));
    let path = env.path("run.log");
    std::fs::write(&path, binary()).unwrap();
    let mut c = env.cmd();
    c.args(["send", "--event", "backup_failure", "--attach"])
        .arg(&path);
    run(c).code(1);
    std::fs::remove_file(&path).unwrap();
    let kept: Vec<_> = files(&env.outbox())
        .into_iter()
        .filter(|p| p.extension().is_some_and(|x| x == "json"))
        .collect();
    assert_eq!(kept.len(), 1);
    let entry: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&kept[0]).unwrap()).unwrap();
    let copy = entry["event"]["attachments"][0]["file"].as_str().unwrap();
    assert!(
        entry["event"]["attachments"][0]
            .get("content_base64")
            .is_none(),
        "the entry refers to the copy instead of holding the bytes"
    );
    let bytes = std::fs::read(env.outbox().join("files").join(copy)).unwrap();
    assert_eq!(sha(&bytes), sha(&binary()));
}

/// One send to several failing endpoints keeps one copy of the log, shared by their
/// entries; `outbox list` reads no attachment; a flush sends it and cleans it up.
#[test]
fn one_copy_per_send_shared_by_its_entries() {
    let srv = crate::support::Server::ok();
    let down = format!("http://127.0.0.1:{}/", crate::support::closed_port());
    let cfg = |url: &str| {
        let eps: String = (0..5)
            .map(|i| format!("  - {{name: w{i}, type: webhook, url: \"{url}\"}}\n"))
            .collect();
        format!("defaults: {{retries: 0}}\nendpoints:\n{eps}")
    };
    let env = Env::new(&cfg(&down));
    let path = env.path("run.log");
    std::fs::write(&path, binary()).unwrap();
    let mut c = env.cmd();
    c.args(["-q", "send", "--event", "backup_failure", "--attach"])
        .arg(&path);
    run(c).code(1);
    let copies = std::fs::read_dir(env.outbox().join("files"))
        .unwrap()
        .count();
    assert_eq!(copies, 1, "one copy for five entries");
    let mut c = env.cmd();
    c.args(["--json", "outbox", "list"]);
    let out = run(c);
    let list: serde_json::Value = serde_json::from_str(&out.stdout).unwrap();
    assert_eq!(list.as_array().unwrap().len(), 5);
    assert_eq!(list[0]["attachments"][0], "run.log");
    std::fs::write(&env.config, cfg(&srv.url("/up"))).unwrap();
    let mut c = env.cmd();
    c.args(["outbox", "flush"]);
    run(c).code(0);
    let got = srv.requests();
    assert_eq!(got.len(), 5);
    for r in &got {
        assert_eq!(sha(&decode(&r.json()["attachments"][0])), sha(&binary()));
    }
    // The copy goes once no entry refers to it (after a minute, in case a send is
    // still writing its entries); age it to check.
    let copy = std::fs::read_dir(env.outbox().join("files"))
        .unwrap()
        .next()
        .unwrap()
        .unwrap()
        .path();
    let old = std::time::SystemTime::now() - std::time::Duration::from_secs(120);
    std::fs::File::options()
        .write(true)
        .open(&copy)
        .unwrap()
        .set_modified(old)
        .unwrap();
    let mut c = env.cmd();
    c.args(["outbox", "flush"]);
    run(c).code(0);
    assert!(!copy.exists(), "the orphaned copy is cleaned");
}

/// A text log and a binary file, written into the env's dir.
fn two_files(env: &Env) -> (std::path::PathBuf, std::path::PathBuf) {
    let log = env.path("backup.log");
    std::fs::write(&log, "pg_dump: error: could not write\n").unwrap();
    let bin = env.path("dump.bin");
    std::fs::write(&bin, binary()).unwrap();
    (log, bin)
}

fn send_with(env: &Env, files: &[&std::path::Path]) -> crate::support::Out {
    let mut c = env.cmd();
    c.args(["send", "--event", "backup_failure", "--job", "db"]);
    for f in files {
        c.arg("--attach").arg(f);
    }
    run(c)
}

#[test]
fn discord_multipart_payload_json_and_files() {
    let srv = Server::start(|_, _| crate::support::Response::status(200).body(r#"{"id":"1"}"#));
    let env = Env::new(&format!(
        "endpoints:\n  - {{name: d, type: discord, url: \"{}\"}}\n",
        srv.url("/api/webhooks/1/t")
    ));
    let (log, bin) = two_files(&env);
    send_with(&env, &[&log, &bin]).code(0);
    let r = srv.one();
    assert!(r
        .header("Content-Type")
        .unwrap()
        .starts_with("multipart/form-data; boundary="));
    let parts = r.multipart();
    assert_eq!(parts[0].0, "payload_json");
    let payload: serde_json::Value = serde_json::from_slice(&parts[0].3).unwrap();
    assert_eq!(
        payload["attachments"][1],
        serde_json::json!({"id": 1, "filename": "dump.bin"})
    );
    assert!(payload["embeds"][0]["title"]
        .as_str()
        .unwrap()
        .contains("Backup failed"));
    assert_eq!(
        (parts[1].0.as_str(), parts[1].1.as_deref()),
        ("files[0]", Some("backup.log"))
    );
    assert_eq!(parts[1].3, b"pg_dump: error: could not write\n");
    assert_eq!(
        (parts[2].0.as_str(), parts[2].1.as_deref()),
        ("files[1]", Some("dump.bin"))
    );
    assert_eq!(sha(&parts[2].3), sha(&binary()));
}

#[test]
fn telegram_send_document_after_the_text() {
    let srv = Server::start(|_, _| {
        crate::support::Response::status(200).body(r#"{"ok":true,"result":{}}"#)
    });
    let env = Env::new(&format!(
        "endpoints:\n  - {{name: t, type: telegram, bot_token: \"1:x\", chat_id: 42, thread_id: 5, api_url: \"{}\"}}\n",
        srv.url("")
    ));
    let (_, bin) = two_files(&env);
    send_with(&env, &[&bin]).code(0);
    let r = srv.requests();
    assert_eq!(r.len(), 2);
    assert_eq!(r[0].path, "/bot1:x/sendMessage");
    assert_eq!(r[1].path, "/bot1:x/sendDocument");
    let parts = r[1].multipart();
    let field = |n: &str| parts.iter().find(|p| p.0 == n).unwrap().clone();
    assert_eq!(field("chat_id").3, b"42");
    assert_eq!(field("message_thread_id").3, b"5");
    assert!(String::from_utf8(field("caption").3)
        .unwrap()
        .starts_with("dump.bin"));
    let doc = field("document");
    assert_eq!(doc.1.as_deref(), Some("dump.bin"));
    assert_eq!(sha(&doc.3), sha(&binary()));
}

#[test]
fn ntfy_puts_the_file_with_filename_and_message() {
    let srv = Server::ok();
    let env = Env::new(&format!(
        "endpoints:\n  - {{name: n, type: ntfy, url: \"{}\", topic: backups}}\n",
        srv.url("")
    ));
    let (_, bin) = two_files(&env);
    send_with(&env, &[&bin]).code(0);
    let r = srv.one();
    assert_eq!((r.method.as_str(), r.path.as_str()), ("PUT", "/backups"));
    assert_eq!(r.header("Filename"), Some("dump.bin"));
    assert!(r.header("Message").unwrap().contains("Time:"));
    assert!(r.header("Title").unwrap().starts_with("Backup failed"));
    assert_eq!(sha(&r.body), sha(&binary()));
}

#[test]
fn email_mime_attachments_keep_their_bytes() {
    let env = Env::new("");
    let smtp = crate::support::smtp::SmtpServer::start(env.dir.path(), "plain", None);
    std::fs::write(
        &env.config,
        format!(
            "endpoints:\n  - {{name: m, type: email, smtp_host: 127.0.0.1, smtp_port: {}, smtp_crypto: none, from: a@example.com, destinations: [{{email: ops@example.com}}], max_attachment_size: 300}}\n",
            smtp.port
        ),
    )
    .unwrap();
    let (log, bin) = two_files(&env);
    send_with(&env, &[&log, &bin]).code(0);
    let m = &smtp.messages()[0];
    let a = m["attachments"].as_array().unwrap();
    assert_eq!(a[0]["filename"], "backup.log");
    assert_eq!(a[0]["content_type"], "text/plain");
    assert_eq!(a[0]["sha256"], sha(b"pg_dump: error: could not write\n"));
    assert_eq!(a[1]["filename"], "dump.bin");
    assert_eq!(a[1]["size"], 300, "cut to max_attachment_size");
    assert_eq!(a[1]["sha256"], sha(&binary()[512 - 300..]));
    assert!(m["data"].as_str().unwrap().contains("multipart/mixed"));
}

#[test]
fn command_gets_paths_in_bnotify_attachments() {
    let env = Env::new("");
    let copy = env.path("copied");
    std::fs::create_dir_all(&copy).unwrap();
    std::fs::write(
        &env.config,
        format!(
            "endpoints:\n  - name: c\n    type: command\n    argv: [sh, -c, 'printf \"%s\\n\" \"$BNOTIFY_ATTACHMENTS\" | while read -r f; do cp \"$f\" {}/; done']\n",
            copy.display()
        ),
    )
    .unwrap();
    let (log, bin) = two_files(&env);
    send_with(&env, &[&log, &bin]).code(0);
    assert_eq!(
        std::fs::read(copy.join("backup.log")).unwrap(),
        b"pg_dump: error: could not write\n"
    );
    assert_eq!(
        sha(&std::fs::read(copy.join("dump.bin")).unwrap()),
        sha(&binary())
    );
}

#[test]
fn other_channels_name_the_files_they_cannot_carry() {
    let srv = Server::start(|_, _| crate::support::Response::status(200).body("ok"));
    let env = Env::new(&format!(
        "endpoints:\n  - {{name: s, type: slack, url: \"{}\"}}\n",
        srv.url("/services/a")
    ));
    let (log, _) = two_files(&env);
    send_with(&env, &[&log]).code(0);
    let text = srv.one().json()["text"].as_str().unwrap().to_string();
    assert!(
        text.contains("Not attached (slack cannot carry files): backup.log (32 B)"),
        "{text}"
    );
}

/// Every channel that carries files gets the exact last bytes of a file over its limit.
#[test]
fn over_the_limit_each_channel_gets_the_exact_tail() {
    let srv = Server::start(|r: &crate::support::Request, _| {
        if r.path.contains("/bot") {
            crate::support::Response::status(200).body(r#"{"ok":true}"#)
        } else {
            crate::support::Response::status(200)
        }
    });
    let env = Env::new("");
    let copy = env.path("copied");
    std::fs::create_dir_all(&copy).unwrap();
    std::fs::write(
        &env.config,
        format!(
            "defaults: {{retries: 0}}\nendpoints:\n\
  - {{name: d, type: discord, url: \"{}\", max_attachment_size: 100}}\n\
  - {{name: t, type: telegram, bot_token: \"1:x\", chat_id: 1, api_url: \"{}\", max_attachment_size: 100}}\n\
  - {{name: n, type: ntfy, url: \"{}\", topic: top, max_attachment_size: 100}}\n\
  - {{name: c, type: command, max_attachment_size: 100, argv: [sh, -c, 'cp \"$BNOTIFY_ATTACHMENTS\" {}/']}}\n",
            srv.url("/api/webhooks/1/x"),
            srv.url("/tg"),
            srv.url("/ntfy"),
            copy.display()
        ),
    )
    .unwrap();
    let bin = env.path("dump.bin");
    std::fs::write(&bin, binary()).unwrap();
    send_with(&env, &[&bin]).code(0);
    let want = sha(&binary()[512 - 100..]);
    let reqs = srv.requests();
    let discord = reqs
        .iter()
        .find(|r| r.path.starts_with("/api/webhooks"))
        .unwrap();
    assert_eq!(sha(&discord.multipart()[1].3), want, "discord");
    let tg = reqs
        .iter()
        .find(|r| r.path.ends_with("/sendDocument"))
        .unwrap();
    let doc = tg
        .multipart()
        .into_iter()
        .find(|p| p.0 == "document")
        .unwrap();
    assert_eq!(sha(&doc.3), want, "telegram");
    let ntfy = reqs.iter().find(|r| r.path == "/ntfy/top").unwrap();
    assert_eq!(sha(&ntfy.body), want, "ntfy");
    assert_eq!(
        sha(&std::fs::read(copy.join("dump.bin")).unwrap()),
        want,
        "command"
    );
}
