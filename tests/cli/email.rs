//! `email` against a real SMTP server (aiosmtpd) on 127.0.0.1.

use crate::support::smtp::SmtpServer;
use crate::support::tls::TestCerts;
use crate::support::{run, Env, Out};

fn endpoint(port: u16, crypto: &str, extra: &str) -> String {
    format!(
        "endpoints:\n  - name: mail\n    type: email\n    smtp_host: 127.0.0.1\n    smtp_port: {port}\n    smtp_crypto: {crypto}\n    from: \"Backups <backups@example.com>\"\n    destinations:\n      - {{name: Ops Team, email: ops@example.com}}\n      - {{email: dba@example.com}}\n    retries: 0\n{extra}"
    )
}

fn send(env: &Env, args: &[&str]) -> Out {
    let mut c = env.cmd();
    c.arg("send").args(args);
    run(c)
}

fn header<'a>(raw: &'a str, name: &str) -> Option<&'a str> {
    let head = raw.split("\r\n\r\n").next().unwrap_or(raw);
    head.lines()
        .find(|l| {
            l.to_ascii_lowercase()
                .starts_with(&format!("{}:", name.to_ascii_lowercase()))
        })
        .map(|l| l[name.len() + 1..].trim())
}

#[test]
fn plain_delivery_with_well_formed_headers() {
    let env = Env::new("");
    let smtp = SmtpServer::start(env.dir.path(), "plain", None);
    std::fs::write(&env.config, endpoint(smtp.port, "none", "")).unwrap();
    send(
        &env,
        &[
            "--event",
            "backup_failure",
            "--job",
            "mysql",
            "--host",
            "db1",
            "--error",
            "disk full",
        ],
    )
    .code(0);
    let m = &smtp.messages()[0];
    assert_eq!(m["mail_from"], "backups@example.com");
    assert_eq!(
        m["rcpt_tos"],
        serde_json::json!(["ops@example.com", "dba@example.com"])
    );
    assert_eq!(m["tls"], false);
    let raw = m["data"].as_str().unwrap();
    assert_eq!(header(raw, "Subject"), Some("Backup failed: mysql on db1"));
    assert!(header(raw, "From")
        .unwrap()
        .contains("Backups <backups@example.com>"));
    let to = header(raw, "To").unwrap();
    assert!(
        to.contains("Ops Team")
            && to.contains("<ops@example.com>")
            && to.contains("dba@example.com"),
        "{to}"
    );
    assert!(
        header(raw, "Date").unwrap().contains(" +0000")
            || header(raw, "Date").unwrap().contains("GMT")
    );
    let mid = header(raw, "Message-ID").unwrap();
    assert!(
        mid.starts_with('<') && mid.ends_with("@example.com>"),
        "{mid}"
    );
    assert_eq!(header(raw, "MIME-Version"), Some("1.0"));
    assert!(header(raw, "Content-Type")
        .unwrap()
        .starts_with("text/plain; charset=utf-8"));
    assert!(raw.contains("Error: disk full"));
}

#[test]
fn starttls_with_auth_after_tls_and_a_private_ca() {
    let env = Env::new("");
    let certs = TestCerts::new(env.dir.path());
    let smtp = SmtpServer::start(env.dir.path(), "starttls", Some(&certs));
    let extra = format!(
        "    smtp_user: ops\n    smtp_password: pw-right\n    ca_file: {}\n",
        certs.ca.display()
    );
    std::fs::write(&env.config, endpoint(smtp.port, "starttls", &extra)).unwrap();
    let mut c = env.cmd();
    c.args([
        "-vv",
        "send",
        "--event",
        "backup_success",
        "--title",
        "Sauvegarde réussie ✓",
    ]);
    let out = run(c);
    out.code(0);
    assert!(!out.stderr.contains("pw-right"));
    let msgs = smtp.messages();
    let m = msgs.last().unwrap();
    assert_eq!(m["tls"], true);
    assert_eq!(m["auth_user"], "ops");
    assert_eq!(m["auth_tls"], true, "AUTH happened before TLS");
    let subject = header(m["data"].as_str().unwrap(), "Subject").unwrap();
    assert!(
        subject.to_ascii_lowercase().contains("=?utf-8?"),
        "{subject}"
    );
}

#[test]
fn implicit_tls() {
    let env = Env::new("");
    let certs = TestCerts::new(env.dir.path());
    let smtp = SmtpServer::start(env.dir.path(), "ssl", Some(&certs));
    let extra = format!("    ca_file: {}\n", certs.ca.display());
    std::fs::write(&env.config, endpoint(smtp.port, "ssl", &extra)).unwrap();
    send(&env, &["--event", "backup_failure"]).code(0);
    assert_eq!(smtp.messages()[0]["tls"], true);
}

/// `send --json` with `retries: 2`: the one result.
fn failed_once(env: &Env, port: u16, crypto: &str) -> serde_json::Value {
    let yaml = endpoint(port, crypto, "").replace("retries: 0", "retries: 2");
    std::fs::write(&env.config, yaml).unwrap();
    let mut c = env.cmd();
    c.args(["--json", "send", "--event", "backup_failure"]);
    let out = run(c);
    out.code(1);
    let j: serde_json::Value = serde_json::from_str(&out.stdout).unwrap();
    let r = j["results"][0].clone();
    assert_eq!(r["attempts"], 1, "a failure no retry can fix is final: {r}");
    r
}

#[test]
fn no_downgrade_and_no_untrusted_certificate() {
    let env = Env::new("");
    let plain = SmtpServer::start(env.dir.path(), "plain", None);
    let r = failed_once(&env, plain.port, "starttls");
    assert!(
        r["error"]
            .as_str()
            .unwrap()
            .contains("does not offer STARTTLS"),
        "{r}"
    );
    assert!(
        plain.messages().is_empty(),
        "sent in clear text although STARTTLS was required"
    );
    let r = failed_once(&env, plain.port, "ssl");
    assert!(r["error"].as_str().unwrap().contains("TLS failed"), "{r}");

    let certs = TestCerts::new(env.dir.path());
    let tls = SmtpServer::start(env.dir.path(), "starttls", Some(&certs));
    let r = failed_once(&env, tls.port, "starttls");
    let err = r["error"].as_str().unwrap();
    assert!(err.contains("TLS failed") && err.contains("ca_file"), "{r}");
    assert!(tls.messages().is_empty());
}

#[test]
fn html_alternative_ends_with_html() {
    let env = Env::new("");
    let smtp = SmtpServer::start(env.dir.path(), "plain", None);
    std::fs::write(&env.config, endpoint(smtp.port, "none", "    html: true\n")).unwrap();
    send(
        &env,
        &["--event", "backup_failure", "--error", "<script>x</script>"],
    )
    .code(0);
    let raw = smtp.messages()[0]["data"].as_str().unwrap().to_string();
    assert!(header(&raw, "Content-Type")
        .unwrap()
        .starts_with("multipart/alternative"));
    let plain = raw.find("Content-Type: text/plain").unwrap();
    let html = raw.find("Content-Type: text/html").unwrap();
    assert!(plain < html, "text/plain must come first");
    let html_part = &raw[html..];
    assert!(
        html_part.contains("&lt;script&gt;") && !html_part.contains("<script>x"),
        "user text escaped in HTML"
    );
}

#[test]
fn notify_user_also_and_only() {
    let env = Env::new("");
    let smtp = SmtpServer::start(env.dir.path(), "plain", None);
    std::fs::write(
        &env.config,
        endpoint(smtp.port, "none", "    notify_user: also\n"),
    )
    .unwrap();
    send(
        &env,
        &[
            "--event",
            "user_created",
            "--field",
            "user_email=new@example.com",
        ],
    )
    .code(0);
    assert_eq!(
        smtp.messages()[0]["rcpt_tos"],
        serde_json::json!(["ops@example.com", "dba@example.com", "new@example.com"])
    );
    std::fs::write(
        &env.config,
        endpoint(smtp.port, "none", "    notify_user: only\n"),
    )
    .unwrap();
    send(
        &env,
        &[
            "--event",
            "user_login",
            "--field",
            "user_email=me@example.com",
        ],
    )
    .code(0);
    assert_eq!(
        smtp.messages()[1]["rcpt_tos"],
        serde_json::json!(["me@example.com"])
    );
}

#[test]
fn permanent_rcpt_error_is_not_retried() {
    let env = Env::new("");
    let smtp = SmtpServer::start(env.dir.path(), "plain", None);
    let yaml = format!(
        "endpoints:\n  - {{name: mail, type: email, smtp_host: 127.0.0.1, smtp_port: {}, smtp_crypto: none, from: a@example.com, destinations: [{{email: reject@example.com}}], retries: 3}}\n",
        smtp.port
    );
    std::fs::write(&env.config, yaml).unwrap();
    let mut c = env.cmd();
    c.args(["--json", "send", "--event", "backup_failure"]);
    let out = run(c);
    out.code(1);
    let j: serde_json::Value = serde_json::from_str(&out.stdout).unwrap();
    assert_eq!(j["results"][0]["attempts"], 1);
    assert_eq!(j["results"][0]["status"], 550);
    assert!(j["results"][0]["error"].as_str().unwrap().contains("550"));
}

#[test]
fn email_config_errors() {
    for (yaml, want) in [
        ("endpoints:\n  - {name: m, type: email, smtp_host: h, from: not-an-address, destinations: [{email: a@b.c}]}\n", "not an email address"),
        ("endpoints:\n  - {name: m, type: email, smtp_host: h, from: a@b.c}\n", "no destinations"),
        ("endpoints:\n  - {name: m, type: email, from: a@b.c, destinations: [{email: a@b.c}]}\n", "missing required key \"smtp_host\""),
        ("endpoints:\n  - {name: m, type: email, smtp_host: h, from: a@b.c, destinations: [{email: a@b.c}], smtp_crypto: tls}\n", "smtp_crypto"),
    ] {
        let env = Env::new(yaml);
        let mut c = env.cmd();
        c.args(["config", "check"]);
        run(c).code(2).err_has(want).err_has("endpoint \"m\" (email)");
    }
}

#[test]
fn backupman_mail_block_without_from_and_plain_destinations() {
    let env = Env::new("");
    let smtp = SmtpServer::start(env.dir.path(), "plain", None);
    std::fs::write(
        &env.config,
        format!(
            "endpoints:\n  - name: mail\n    type: email\n    smtp_host: 127.0.0.1\n    smtp_port: {}\n    smtp_crypto: none\n    smtp_user: backups@example.com\n    smtp_password: pw-right\n    destinations:\n      - name: John Doe\n        email: john.doe@example.com\n      - ops@example.com\n",
            smtp.port
        ),
    )
    .unwrap();
    send(&env, &["--event", "backup_report"]).code(0);
    let m = &smtp.messages()[0];
    assert_eq!(m["mail_from"], "backups@example.com");
    assert_eq!(
        m["rcpt_tos"],
        serde_json::json!(["john.doe@example.com", "ops@example.com"])
    );
}

#[test]
fn a_silent_smtp_server_is_bounded_by_the_timeout() {
    let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = l.local_addr().unwrap().port();
    std::thread::spawn(move || {
        let conns: Vec<_> = l.incoming().take(4).collect();
        std::thread::sleep(std::time::Duration::from_secs(20));
        drop(conns);
    });
    let env = Env::new(&format!(
        "endpoints:\n  - {{name: mail, type: email, smtp_host: 127.0.0.1, smtp_port: {port}, smtp_crypto: none, from: a@example.com, destinations: [b@example.com], timeout: 1s, retries: 0}}\n"
    ));
    let t = std::time::Instant::now();
    send(&env, &["--event", "backup_failure"])
        .code(1)
        .err_has("FAIL  mail");
    assert!(
        t.elapsed() < std::time::Duration::from_secs(4),
        "took {:?}",
        t.elapsed()
    );
}

fn sha256(b: &[u8]) -> String {
    use sha2::Digest;
    sha2::Sha256::digest(b)
        .iter()
        .map(|x| format!("{x:02x}"))
        .collect()
}

/// A strict server (aiosmtpd refuses a line over 998 bytes, RFC 5321 §4.5.3.1.6) takes the
/// hostile title and body, a 6 KB log with LF endings and a binary file, in every mode; the
/// attachments decode to the very bytes sent.
#[test]
fn long_text_and_attachments_pass_a_strict_server_in_every_mode() {
    let env = Env::new("");
    let certs = TestCerts::new(env.dir.path());
    let log: String = (0..400).map(|i| format!("backup step {i}\n")).collect();
    assert!(log.len() > 6000);
    let bin: Vec<u8> = (0..20_000u32).map(|i| (i * 7 % 256) as u8).collect();
    std::fs::write(env.path("backup.log"), &log).unwrap();
    std::fs::write(env.path("dump.bin"), &bin).unwrap();
    let (title, body) = (crate::wire::title(), crate::wire::body());
    for (mode, crypto, html) in [
        ("plain", "none", false),
        ("starttls", "starttls", true),
        ("ssl", "ssl", false),
    ] {
        let smtp = SmtpServer::start(env.dir.path(), mode, (mode != "plain").then_some(&certs));
        let extra = format!("    ca_file: {}\n    html: {html}\n", certs.ca.display());
        std::fs::write(&env.config, endpoint(smtp.port, crypto, &extra)).unwrap();
        let mut c = env.cmd();
        c.args(["send", "--event", "backup_failure", "--title", &title])
            .args(["--body", &body, "--attach"])
            .arg(env.path("backup.log"))
            .arg("--attach")
            .arg(env.path("dump.bin"));
        run(c).code(0);
        let msgs = smtp.messages();
        let m = msgs
            .last()
            .unwrap_or_else(|| panic!("{mode}: nothing accepted"));
        assert_eq!(m["tls"], mode != "plain", "{mode}");
        let raw = m["data"].as_str().unwrap();
        for line in raw.split("\r\n") {
            assert!(line.len() <= 998, "{mode}: a line of {} bytes", line.len());
            assert!(!line.contains('\n'), "{mode}: a bare LF");
        }
        let a = m["attachments"].as_array().unwrap();
        assert_eq!(a.len(), 2, "{mode}");
        assert_eq!(a[0]["filename"], "backup.log");
        assert_eq!(
            a[0]["sha256"],
            sha256(log.as_bytes()),
            "{mode}: log changed"
        );
        assert_eq!(a[1]["filename"], "dump.bin");
        assert_eq!(a[1]["sha256"], sha256(&bin), "{mode}: binary changed");
    }
}
