//! TLS, proxies, hostile receivers and load.

use std::io::{Read, Write};
use std::net::TcpListener;
use std::time::{Duration, Instant};

use crate::support::tls::TestCerts;
use crate::support::{files, run, Env, Out, Response, Server};

fn hook(url: &str, extra: &str) -> String {
    format!("endpoints:\n  - {{name: h, type: webhook, url: \"{url}\", retries: 0{extra}}}\n")
}

fn send(env: &Env) -> Out {
    let mut c = env.cmd();
    c.args(["send", "--event", "backup_failure"]);
    run(c)
}

#[test]
fn https_with_a_private_ca_untrusted_and_insecure() {
    let env = Env::new("");
    let certs = TestCerts::new(env.dir.path());
    let srv = Server::start_tls(&certs, |_, _| Response::status(200));
    let url = srv.https_url("/tls");
    // trusted through ca_file
    std::fs::write(
        &env.config,
        hook(&url, &format!(", ca_file: \"{}\"", certs.ca.display())),
    )
    .unwrap();
    send(&env).code(0);
    assert_eq!(srv.requests().len(), 1);
    // verified by default: the private CA is not trusted
    std::fs::write(&env.config, hook(&url, "")).unwrap();
    send(&env).code(1).err_has("FAIL");
    assert_eq!(
        srv.requests().len(),
        1,
        "nothing was sent over an unverified connection"
    );
    // tls_insecure works, and warns on every use
    std::fs::write(&env.config, hook(&url, ", tls_insecure: true")).unwrap();
    for _ in 0..2 {
        send(&env)
            .code(0)
            .err_has("warning: endpoint \"h\": TLS certificates are not checked");
    }
    assert_eq!(srv.requests().len(), 3);
}

#[test]
fn http_proxy_and_no_proxy_are_honoured() {
    let target = Server::ok();
    let proxy = Server::ok();
    let env = Env::new(&hook(&target.url("/direct"), ""));
    let mut c = env.cmd();
    c.args(["send", "--event", "backup_failure"])
        .env("HTTP_PROXY", proxy.url(""));
    run(c).code(0);
    let r = proxy.one();
    assert!(
        r.path.starts_with("http://127.0.0.1:") && r.path.ends_with("/direct"),
        "absolute-form through the proxy: {}",
        r.path
    );
    assert!(target.requests().is_empty());
    let mut c = env.cmd();
    c.args(["send", "--event", "backup_failure"])
        .env("http_proxy", proxy.url(""))
        .env("NO_PROXY", "localhost,127.0.0.0/8");
    run(c).code(0);
    assert_eq!(target.requests().len(), 1, "NO_PROXY sends it direct");
    assert_eq!(proxy.requests().len(), 1);
}

/// A raw TCP server that answers every connection with `f`.
fn raw_server(f: impl Fn(std::net::TcpStream) + Send + Sync + Clone + 'static) -> u16 {
    let l = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = l.local_addr().unwrap().port();
    std::thread::spawn(move || {
        for conn in l.incoming().flatten() {
            let f = f.clone();
            std::thread::spawn(move || f(conn));
        }
    });
    port
}

fn read_request(conn: &mut std::net::TcpStream) {
    let mut buf = [0u8; 65536];
    let _ = conn.set_read_timeout(Some(Duration::from_millis(500)));
    let _ = conn.read(&mut buf);
}

#[test]
fn hostile_receivers_do_not_hang_or_blow_memory() {
    // a 1 GB body, streamed as fast as the client reads it
    let huge = raw_server(|mut c| {
        read_request(&mut c);
        let _ = c.write_all(b"HTTP/1.1 500 Oops\r\nContent-Length: 1000000000\r\n\r\n");
        let chunk = vec![b'x'; 65536];
        for _ in 0..(1_000_000_000 / 65536) {
            if c.write_all(&chunk).is_err() {
                break;
            }
        }
    });
    // headers, then a body that trickles forever
    let endless = raw_server(|mut c| {
        read_request(&mut c);
        let _ = c.write_all(b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n");
        for _ in 0..600 {
            if c.write_all(b"1\r\nx\r\n").is_err() {
                break;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
    });
    // not HTTP at all
    let garbage = raw_server(|mut c| {
        read_request(&mut c);
        let _ = c.write_all(&[
            0xde, 0xad, 0xbe, 0xef, b'\n', 0, 1, 2, 3, b'\r', b'\n', b'\r', b'\n',
        ]);
    });
    // accepts, never answers
    let silent = raw_server(|mut c| {
        read_request(&mut c);
        std::thread::sleep(Duration::from_secs(20));
    });
    // The endless body follows a 200: the receiver accepted, so it counts as delivered.
    for (name, port, want_code) in [
        ("huge", huge, 1),
        ("endless", endless, 0),
        ("garbage", garbage, 1),
        ("silent", silent, 1),
    ] {
        let env = Env::new(&hook(&format!("http://127.0.0.1:{port}/"), ", timeout: 1s"));
        let t = Instant::now();
        let mut c = env.process();
        c.args(["send", "--event", "backup_failure"]);
        let out = c.output().unwrap();
        let took = t.elapsed();
        assert_eq!(
            out.status.code(),
            Some(want_code),
            "{name}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        assert!(took < Duration::from_secs(4), "{name} took {took:?}");
        assert_eq!(
            files(&env.outbox()).len(),
            want_code as usize,
            "{name}: kept in the outbox"
        );
    }
}

#[test]
fn peak_memory_stays_small_against_a_huge_body() {
    let huge = raw_server(|mut c| {
        read_request(&mut c);
        let _ = c.write_all(b"HTTP/1.1 200 OK\r\nContent-Length: 1000000000\r\n\r\n");
        let chunk = vec![b'y'; 65536];
        for _ in 0..(1_000_000_000 / 65536) {
            if c.write_all(&chunk).is_err() {
                break;
            }
        }
    });
    let env = Env::new(&hook(&format!("http://127.0.0.1:{huge}/"), ", timeout: 2s"));
    let mut c = env.process();
    c.args(["-q", "send", "--event", "backup_failure"]);
    let (peak_mb, _) = crate::support::peak_mib(c);
    eprintln!("peak RSS against a 1 GB body: {peak_mb:.1} MB");
    assert!(peak_mb < 40.0, "peak RSS {peak_mb:.1} MB");
}

#[test]
fn two_hundred_endpoints_and_a_thousand_entry_flush() {
    let srv = Server::ok();
    let eps: String = (0..200)
        .map(|i| {
            format!(
                "  - {{name: ep{i}, type: webhook, url: \"{}\", retries: 0}}\n",
                srv.url(&format!("/e{i}"))
            )
        })
        .collect();
    let env = Env::new(&format!("endpoints:\n{eps}"));
    let t = Instant::now();
    send(&env).code(0);
    let fan_out = t.elapsed();
    assert_eq!(srv.requests().len(), 200);
    // 1000 outbox entries for one endpoint, written the way send writes them
    let env2 = Env::new(&hook(&srv.url("/flush"), ""));
    let dir = env2.outbox();
    std::fs::create_dir_all(&dir).unwrap();
    for i in 0..1000 {
        let entry = serde_json::json!({
            "version": 1, "endpoint": "h", "attempts": 1, "last_error": "HTTP 503",
            "first_failed": "2099-01-01T00:00:00Z",
            "event": {"event": "backup_failure", "status": "failure", "task": format!("t{i}"),
                      "id": format!("id-{i}"), "timestamp": "2026-11-25T00:00:00Z", "fields": {}},
        });
        std::fs::write(dir.join(format!("{i:05}-h.json")), entry.to_string()).unwrap();
    }
    let t = Instant::now();
    let mut c = env2.cmd();
    c.args(["-q", "outbox", "flush"]);
    run(c).code(0);
    let flush = t.elapsed();
    assert!(files(&dir).is_empty());
    assert_eq!(srv.requests().len(), 1200);
    eprintln!("200-endpoint send: {fan_out:?}; 1000-entry flush: {flush:?}");
    assert!(fan_out < Duration::from_secs(10) && flush < Duration::from_secs(30));
}
