//! Bounded at any size: memory does not grow with the size of a log, a payload or the
//! number of endpoints (peaks measured by GNU time on the real binary).

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpListener;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

use crate::support::{files, peak_mib, run, Env};

/// An HTTP sink: reads each request to its end, counts the body bytes, answers 200.
fn sink() -> (u16, Arc<AtomicUsize>, Arc<AtomicUsize>) {
    let l = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = l.local_addr().unwrap().port();
    let (requests, bytes) = (Arc::new(AtomicUsize::new(0)), Arc::new(AtomicUsize::new(0)));
    let (r, b) = (requests.clone(), bytes.clone());
    std::thread::spawn(move || {
        for conn in l.incoming().flatten() {
            let (r, b) = (r.clone(), b.clone());
            std::thread::spawn(move || {
                let mut reader = BufReader::new(conn.try_clone().unwrap());
                let mut len = 0usize;
                loop {
                    let mut line = String::new();
                    if reader.read_line(&mut line).unwrap_or(0) == 0 {
                        return;
                    }
                    let l = line.to_ascii_lowercase();
                    if let Some(v) = l.strip_prefix("content-length:") {
                        len = v.trim().parse().unwrap_or(0);
                    }
                    if line == "\r\n" {
                        break;
                    }
                }
                let n = std::io::copy(&mut reader.by_ref().take(len as u64), &mut std::io::sink())
                    .unwrap_or(0);
                b.fetch_add(n as usize, Ordering::SeqCst);
                r.fetch_add(1, Ordering::SeqCst);
                let mut c = conn;
                let _ = c.write_all(
                    b"HTTP/1.1 200 OK\r\nContent-Length: 0\r\nConnection: close\r\n\r\n",
                );
            });
        }
    });
    (port, requests, bytes)
}

fn webhooks(port: u16, n: usize) -> String {
    let eps: String = (0..n)
        .map(|i| {
            format!("  - {{name: w{i}, type: webhook, url: \"http://127.0.0.1:{port}/w{i}\"}}\n")
        })
        .collect();
    format!("defaults: {{retries: 0, timeout: 30s}}\nendpoints:\n{eps}")
}

fn send_attached(env: &Env, log: &std::path::Path) -> (f64, crate::support::Out) {
    let mut c = env.process();
    c.args(["-q", "send", "--event", "backup_failure", "--attach"])
        .arg(log);
    peak_mib(c)
}

#[test]
fn an_attachment_to_thirty_endpoints_costs_about_what_it_costs_to_one() {
    let (port, requests, bytes) = sink();
    let one = Env::new(&webhooks(port, 1));
    let thirty = Env::new(&webhooks(port, 30));
    let log = one.path("big.log");
    std::fs::write(&log, vec![b'L'; 11 * 1024 * 1024]).unwrap();
    let (peak1, out1) = send_attached(&one, &log);
    out1.code(0);
    let (peak30, out30) = send_attached(&thirty, &log);
    out30.code(0);
    assert_eq!(requests.load(Ordering::SeqCst), 31);
    // Each request carried the last 8 MiB as base64 (about 11.2 MB).
    assert!(bytes.load(Ordering::SeqCst) > 31 * 11_000_000);
    eprintln!("11 MiB log: 1 endpoint {peak1:.1} MiB, 30 endpoints {peak30:.1} MiB");
    assert!(
        peak30 <= peak1 * 1.5,
        "30 endpoints {peak30:.1} MiB vs 1 endpoint {peak1:.1} MiB"
    );
    assert!(peak30 <= 64.0, "{peak30:.1} MiB");
}

#[test]
fn a_3_gib_log_costs_no_more_than_its_tail() {
    let (port, requests, bytes) = sink();
    let env = Env::new(&webhooks(port, 1));
    let log = env.path("huge.log");
    let f = std::fs::File::create(&log).unwrap();
    f.set_len(3 * 1024 * 1024 * 1024).unwrap();
    let (peak, out) = send_attached(&env, &log);
    out.code(0);
    eprintln!("3 GiB log: {peak:.1} MiB");
    assert_eq!(requests.load(Ordering::SeqCst), 1);
    assert!(
        bytes.load(Ordering::SeqCst) > 11_000_000,
        "the last 8 MiB went out"
    );
    assert!(peak <= 64.0, "{peak:.1} MiB");
}

#[test]
fn a_huge_payload_is_refused_without_reading_it_all() {
    let env = Env::new("endpoints: []\n");
    let path = env.path("big.json");
    let mut f = std::fs::File::create(&path).unwrap();
    f.write_all(b"{\"message\": \"").unwrap();
    let chunk = vec![b'm'; 1024 * 1024];
    for _ in 0..100 {
        f.write_all(&chunk).unwrap();
    }
    f.write_all(b"\"}").unwrap();
    drop(f);
    let mut c = env.process();
    c.args(["send", "--event", "backup_failure", "--payload"])
        .arg(&path);
    let (peak, out) = peak_mib(c);
    out.code(2).err_has("larger than 8 MiB");
    eprintln!("100 MB payload: {peak:.1} MiB");
    assert!(peak <= 64.0, "{peak:.1} MiB");
}

#[test]
fn long_texts_are_cut_at_intake() {
    let (port, requests, bytes) = sink();
    let env = Env::new(&webhooks(port, 1));
    let error = format!(
        "pg_dump: starting\n{}\nFATAL: disk full",
        "x".repeat(3_000_000)
    );
    let path = env.path("p.json");
    std::fs::write(&path, serde_json::json!({"error": error}).to_string()).unwrap();
    let mut c = env.cmd();
    c.args(["send", "--event", "backup_failure", "--payload"])
        .arg(&path);
    run(c).code(0);
    assert_eq!(requests.load(Ordering::SeqCst), 1);
    assert!(
        bytes.load(Ordering::SeqCst) < 3 * 64 * 1024 + 8192,
        "{}",
        bytes.load(Ordering::SeqCst)
    );
}

#[test]
fn outbox_list_reads_no_attachment() {
    let env = Env::new(&format!(
        "defaults: {{retries: 0}}\nendpoints:\n{}",
        (0..10)
            .map(|i| format!(
                "  - {{name: w{i}, type: webhook, url: \"http://127.0.0.1:{}/\"}}\n",
                crate::support::closed_port()
            ))
            .collect::<String>()
    ));
    let log = env.path("big.log");
    std::fs::write(&log, vec![b'L'; 40 * 1024 * 1024]).unwrap();
    let mut c = env.cmd();
    c.args(["-q", "send", "--event", "backup_failure", "--attach"])
        .arg(&log);
    run(c).code(1);
    let entries = files(&env.outbox())
        .into_iter()
        .filter(|p| p.extension().is_some_and(|x| x == "json"))
        .count();
    assert_eq!(entries, 10);
    let stored: u64 = std::fs::read_dir(env.outbox().join("files"))
        .unwrap()
        .map(|e| e.unwrap().metadata().unwrap().len())
        .sum();
    assert_eq!(
        stored,
        8 * 1024 * 1024,
        "one copy of the cut log for ten entries"
    );
    let mut c = env.process();
    c.args(["outbox", "list"]);
    let (peak, out) = peak_mib(c);
    out.code(0);
    eprintln!("outbox list of 10 entries with an 8 MiB log: {peak:.1} MiB");
    assert!(peak <= 32.0, "{peak:.1} MiB");
}
