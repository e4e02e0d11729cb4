//! `send --to URL`: no config needed, in addition to a config's endpoints, outbox
//! entries that flush later with no config; and the README's scheme table.

use std::io::{Read, Write};

use crate::support::{closed_port, files, run, Env, Request, Response, Server};

/// An empty temp home: no config anywhere bnotify looks.
fn fresh() -> Env {
    let env = Env::new("");
    std::fs::remove_file(&env.config).unwrap();
    env
}

#[test]
fn send_to_works_on_a_machine_with_no_config() {
    let env = fresh();
    let srv = Server::ok();
    let title = "Sauvegarde échouée ✗ <b>&\"'*_~| https://backup-host.example.com/logs/run_2026-11-30.log?a=1&b=2 🔥";
    let mut c = env.bare();
    c.args([
        "send",
        "--to",
        &format!("json://127.0.0.1:{}/hook", srv.port),
        "-t",
        title,
        "-b",
        "hi",
    ]);
    let out = run(c);
    out.code(0);
    assert!(!out.stderr.contains("warning"), "{}", out.stderr);
    let r = srv.one();
    assert_eq!((r.method.as_str(), r.path.as_str()), ("POST", "/hook"));
    let ev = r.json();
    assert_eq!(ev["event"], "notification");
    assert_eq!(ev["status"], "info");
    assert_eq!(ev["title"], title);
    assert_eq!(ev["body"], "hi");
    // A hostile 10,000-character body arrives whole, byte for byte.
    let body = hostile_body();
    let mut c = env.bare();
    c.args([
        "send",
        "--to",
        &format!("jsons://127.0.0.1:{}/hook?verify=no", srv.port),
    ])
    .args([
        "--to",
        &format!("json://127.0.0.1:{}/big", srv.port),
        "-t",
        title,
        "-b",
        &body,
    ]);
    let out = run(c);
    out.code(1).err_has("webhook-127.0.0.1-");
    let big = srv
        .requests()
        .into_iter()
        .find(|r| r.path == "/big")
        .unwrap();
    assert_eq!(big.json()["body"], body.as_str());
    // --to is repeatable, and works with --event.
    let (a, b) = (Server::ok(), Server::ok());
    let mut c = env.bare();
    c.args(["send", "-e", "backup_failure", "--job", "db"])
        .args(["--to", &format!("json://127.0.0.1:{}/a", a.port)])
        .args(["--to", &format!("ntfy://127.0.0.1:{}/topic1", b.port)]);
    run(c).code(0);
    assert_eq!(a.one().json()["event"], "backup_failure");
    assert_eq!(b.one().path, "/topic1");
}

/// 10,000 characters: markup, a URL, CJK, emoji, a 1,500-character line, newlines.
fn hostile_body() -> String {
    let mut b = String::from(
        "<b>bold</b> *x* _y_ `z` & \"q\" https://h.example/a?b=1&c=2\n备份失败 バックアップ 🔥🔥\n",
    );
    b.push_str(&"L".repeat(1500));
    b.push('\n');
    while b.chars().count() < 10_000 {
        b.push_str("line <i>é</i> ✗ 日本\n");
    }
    b.chars().take(10_000).collect()
}

#[test]
fn send_to_adds_to_the_config_endpoints_even_with_endpoint_filters() {
    let (cfg_srv, to_srv, other) = (Server::ok(), Server::ok(), Server::ok());
    let env = Env::new(&format!(
        "events: [backup_*]\nendpoints:\n  - name: hook\n    type: webhook\n    url: {}\n  - name: other\n    type: webhook\n    url: {}\n",
        cfg_srv.url("/cfg"),
        other.url("/other")
    ));
    let mut c = env.cmd();
    c.args(["send", "-e", "backup_failure", "--endpoint", "hook"])
        .args(["--to", &format!("json://127.0.0.1:{}/adhoc", to_srv.port)]);
    run(c).code(0);
    assert_eq!(cfg_srv.one().path, "/cfg");
    assert_eq!(to_srv.one().path, "/adhoc");
    assert!(
        other.requests().is_empty(),
        "--endpoint still limits the config's endpoints"
    );
    // The root subscription does not hold back a --to target; a named config that is
    // missing is still an error.
    let mut c = env.cmd();
    c.args([
        "send",
        "-b",
        "x",
        "--to",
        &format!("json://127.0.0.1:{}/adhoc", to_srv.port),
    ]);
    run(c).code(0);
    assert_eq!(to_srv.requests().len(), 2);
    let mut c = env.bare();
    c.args([
        "--config",
        "/nonexistent/bnotify.yaml",
        "send",
        "-b",
        "x",
        "--to",
        "ntfy://t1",
    ]);
    run(c).code(2).err_has("does not exist");
}

#[test]
fn send_to_a_bad_url_is_a_usage_error() {
    let env = fresh();
    for (url, want) in [
        (
            "tgram://123456:SEKRET",
            "expected tgram://<bot token>/<chat id>",
        ),
        (
            "https://hooks.example.com/SEKRET",
            "--to takes a notification URL",
        ),
        ("gotify://127.0.0.1:70000/SEKRET", "invalid port"),
    ] {
        let mut c = env.bare();
        c.args(["send", "-b", "x", "--to", url]);
        let out = run(c);
        out.code(2).err_has(want);
        assert!(!out.stderr.contains("SEKRET"), "{}", out.stderr);
    }
    let mut c = env.bare();
    c.args(["send", "-b", "x"]);
    run(c).code(2).err_has("--event <EVENT>");
}

/// Answer one HTTP request on `listener` with 200 and return what was posted.
fn serve_once(listener: std::net::TcpListener) -> std::thread::JoinHandle<String> {
    std::thread::spawn(move || {
        let (mut s, _) = listener.accept().unwrap();
        s.set_read_timeout(Some(std::time::Duration::from_secs(20)))
            .unwrap();
        let mut buf = Vec::new();
        let mut chunk = [0u8; 4096];
        loop {
            let n = s.read(&mut chunk).unwrap();
            buf.extend_from_slice(&chunk[..n]);
            let text = String::from_utf8_lossy(&buf).to_string();
            if let Some(i) = text.find("\r\n\r\n") {
                let len = text[..i]
                    .lines()
                    .find_map(|l| {
                        l.to_ascii_lowercase()
                            .strip_prefix("content-length:")
                            .map(|v| v.trim().parse::<usize>().unwrap())
                    })
                    .unwrap_or(0);
                if buf.len() >= i + 4 + len {
                    s.write_all(
                        b"HTTP/1.1 200 OK\r\ncontent-length: 0\r\nconnection: close\r\n\r\n",
                    )
                    .unwrap();
                    return text;
                }
            }
            if n == 0 {
                return text;
            }
        }
    })
}

#[test]
fn a_to_target_that_is_down_is_queued_and_flushed_later_without_a_config() {
    let env = fresh();
    let port = closed_port();
    let url = format!("json://127.0.0.1:{port}/late");
    let mut c = env.bare();
    c.args([
        "send",
        "-e",
        "backup_failure",
        "-b",
        "late body",
        "--to",
        &url,
        "--deadline",
        "5s",
    ]);
    let out = run(c);
    out.code(1).err_has("outbox");
    let queued = files(&env.outbox());
    assert_eq!(queued.len(), 1, "{queued:?}");
    let entry: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&queued[0]).unwrap()).unwrap();
    assert_eq!(entry["to"], url.as_str(), "the entry keeps its URL");
    let mut c = env.bare();
    c.args(["outbox", "list"]);
    run(c).code(0).out_has(&format!("webhook-127.0.0.1-{port}"));
    // The receiver comes up; a flush with no config rebuilds the endpoint from the entry.
    let listener = std::net::TcpListener::bind(("127.0.0.1", port)).unwrap();
    let got = serve_once(listener);
    let mut c = env.bare();
    c.args(["outbox", "flush"]);
    run(c).code(0).err_has("1 delivered");
    let text = got.join().unwrap();
    assert!(text.starts_with("POST /late "), "{text}");
    assert!(text.contains("\"body\":\"late body\""), "{text}");
    assert!(files(&env.outbox()).is_empty());
}

/// Every scheme the parser reads has its row in the README's table.
#[test]
fn the_readme_table_lists_every_scheme() {
    let readme =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/README.md")).unwrap();
    let start = readme
        .find("## Notification URLs")
        .expect("README has a Notification URLs section");
    let section = &readme[start..];
    let section = &section[..section[3..].find("\n## ").map_or(section.len(), |i| i + 3)];
    for s in bnotify::catalog::url_schemes() {
        let row = section
            .lines()
            .find(|l| l.starts_with('|') && l.contains(&format!("`{}://", s.scheme)))
            .unwrap_or_else(|| panic!("README table lacks `{}://`", s.scheme));
        assert!(
            row.contains(&format!("| {} |", s.kind)) || row.contains(&format!("| `{}` |", s.kind)),
            "{row}"
        );
        assert!(
            row.contains(s.origin),
            "{row} does not say whose syntax (`{}`)",
            s.origin
        );
    }
    assert!(section.contains("--to"));
}

#[test]
fn send_to_respects_retries_then_succeeds() {
    let env = fresh();
    let srv = Server::start(|_: &Request, i| Response::status(if i == 0 { 503 } else { 200 }));
    let mut c = env.bare();
    c.args([
        "send",
        "-b",
        "x",
        "--to",
        &format!("json://127.0.0.1:{}/r", srv.port),
    ]);
    run(c).code(0);
    assert_eq!(
        srv.requests().len(),
        2,
        "a 503 is retried as for any endpoint"
    );
}
