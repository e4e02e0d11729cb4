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

#[test]
fn missing_file_is_exit_2_before_anything_is_sent() {
    let srv = Server::ok();
    let env = Env::new(&format!(
        "endpoints:\n  - {{name: w, type: webhook, url: \"{}\"}}\n",
        srv.url("/a")
    ));
    let mut c = env.cmd();
    c.args([
        "send",
        "--event",
        "backup_failure",
        "--attach",
        "/nonexistent/run.log",
    ]);
    run(c)
        .code(2)
        .err_has("cannot attach /nonexistent/run.log")
        .err_has("nothing was sent");
    assert!(srv.requests().is_empty());
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
    let kept = files(&env.outbox());
    assert_eq!(kept.len(), 1);
    let entry: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&kept[0]).unwrap()).unwrap();
    assert_eq!(
        sha(&decode(&entry["event"]["attachments"][0])),
        sha(&binary())
    );
}
