//! Which servers TLS trusts (the system store from `SSL_CERT_FILE`/`SSL_CERT_DIR`, plus
//! `ca_file`), and what a TLS failure says, for HTTP and SMTP alike, against real TLS
//! servers on 127.0.0.1 with certificates made per test.

use std::path::Path;

use crate::support::smtp::SmtpServer;
use crate::support::tls::{Leaf, TestCerts};
use crate::support::{run, Env, Out, Response, Server};

const UNKNOWN_CA: &str = "certificate signed by an unknown CA";
const HINT: &str = "hint: add the CA with ca_file: or to the system store (SSL_CERT_FILE)";

fn hook(name: &str, url: &str, extra: &str) -> String {
    format!("  - {{name: {name}, type: webhook, url: \"{url}\", retries: 2{extra}}}\n")
}

/// `send --json` with `SSL_CERT_FILE` set to `cert_file` (or unset).
fn send(env: &Env, cert_file: Option<&Path>) -> Out {
    let mut c = env.cmd();
    c.args(["--json", "send", "--event", "backup_failure"]);
    if let Some(f) = cert_file {
        c.env("SSL_CERT_FILE", f);
    }
    run(c)
}

fn results(out: &Out) -> Vec<serde_json::Value> {
    let j: serde_json::Value = serde_json::from_str(&out.stdout)
        .unwrap_or_else(|e| panic!("{e}: {}\n{}", out.stdout, out.stderr));
    j["results"].as_array().unwrap().clone()
}

/// The one failed result: final after one attempt, with its error text.
fn failed_once(out: &Out) -> String {
    out.code(1);
    let r = &results(out)[0];
    assert_eq!(r["ok"], false, "{r}");
    assert_eq!(
        r["attempts"], 1,
        "a certificate problem is not retried: {r}"
    );
    let err = r["error"].as_str().unwrap().to_string();
    assert!(
        !err.contains("tls connection init failed"),
        "the cause is named: {err}"
    );
    err
}

#[test]
fn https_trusts_a_ca_from_ssl_cert_file_without_ca_file() {
    let env = Env::new("");
    let certs = TestCerts::new(env.dir.path());
    let srv = Server::start_tls(&certs, |_, _| Response::status(200));
    let yaml = format!("endpoints:\n{}", hook("h", &srv.https_url("/x"), ""));
    std::fs::write(&env.config, yaml).unwrap();
    let out = send(&env, Some(&certs.ca));
    out.code(0);
    assert_eq!(results(&out)[0]["ok"], true);
    assert_eq!(srv.requests().len(), 1, "delivered over verified TLS");
}

#[test]
fn https_trusts_a_ca_from_ssl_cert_dir() {
    let env = Env::new("");
    let certs = TestCerts::new(&env.path("certs"));
    let srv = Server::start_tls(&certs, |_, _| Response::status(200));
    let yaml = format!("endpoints:\n{}", hook("h", &srv.https_url("/x"), ""));
    std::fs::write(&env.config, yaml).unwrap();
    let store = env.path("store");
    std::fs::create_dir(&store).unwrap();
    std::fs::copy(&certs.ca, store.join("company-ca.pem")).unwrap();
    let mut c = env.cmd();
    c.args(["send", "--event", "backup_failure"])
        .env("SSL_CERT_DIR", &store);
    run(c).code(0);
    assert_eq!(srv.requests().len(), 1);
}

#[test]
fn https_unknown_issuer_names_the_cause_and_the_fix() {
    let env = Env::new("");
    let certs = TestCerts::new(env.dir.path());
    let srv = Server::start_tls(&certs, |_, _| Response::status(200));
    // A webhook URL with secrets in it: the error must not repeat them.
    let url = srv
        .https_url("/hooks/T0SECRETPATH?token=s3cr3t-query")
        .replace("https://", "https://user:pa55word@");
    let yaml = format!("endpoints:\n{}", hook("h", &url, ""));
    std::fs::write(&env.config, yaml).unwrap();
    // No SSL_CERT_FILE: the real system store, which does not hold this test's CA.
    let out = send(&env, None);
    let err = failed_once(&out);
    assert!(err.contains(UNKNOWN_CA) && err.contains(HINT), "{err}");
    assert!(srv.requests().is_empty(), "nothing sent unverified");
    for secret in ["T0SECRETPATH", "s3cr3t-query", "pa55word"] {
        assert!(
            !out.stdout.contains(secret) && !out.stderr.contains(secret),
            "{secret} leaked:\n{}\n{}",
            out.stdout,
            out.stderr
        );
    }
    // The text a person reads says the same.
    let mut c = env.cmd();
    c.args(["send", "--event", "backup_failure"]);
    run(c).code(1).err_has(UNKNOWN_CA).err_has(HINT);
}

#[test]
fn an_unreadable_system_store_falls_back_to_public_roots_and_says_so() {
    let env = Env::new("");
    let certs = TestCerts::new(env.dir.path());
    let srv = Server::start_tls(&certs, |_, _| Response::status(200));
    let yaml = format!("endpoints:\n{}", hook("h", &srv.https_url("/x"), ""));
    std::fs::write(&env.config, yaml).unwrap();
    let err = failed_once(&send(&env, Some(&env.path("missing-bundle.pem"))));
    assert!(err.contains(UNKNOWN_CA), "{err}");
    assert!(
        err.contains("the system store was not usable")
            && err.contains("missing-bundle.pem")
            && err.contains("bundled public roots"),
        "{err}"
    );
    assert!(
        srv.requests().is_empty(),
        "no request after a failed handshake"
    );
}

#[test]
fn https_expired_wrong_host_and_self_signed_certificates_are_named() {
    let env = Env::new("");
    for (leaf, want) in [
        (
            Leaf::Expired,
            "certificate expired on 2021-01-01 00:00:00 UTC (it is now 20",
        ),
        (
            Leaf::OtherHost,
            "certificate is for other.example, not 127.0.0.1 (hint: use a host name the certificate names)",
        ),
        (Leaf::SelfSigned, "certificate is self-signed (hint: "),
    ] {
        let certs = TestCerts::with(&env.path(&format!("{leaf:?}")), leaf);
        let srv = Server::start_tls(&certs, |_, _| Response::status(200));
        let yaml = format!("endpoints:\n{}", hook("h", &srv.https_url("/x"), ""));
        std::fs::write(&env.config, yaml).unwrap();
        // The CA is trusted, so only the named problem is left.
        let err = failed_once(&send(&env, Some(&certs.ca)));
        assert!(err.starts_with("TLS failed: "), "{leaf:?}: {err}");
        assert!(err.contains(want), "{leaf:?}: {err}");
        assert!(srv.requests().is_empty(), "{leaf:?}: nothing sent");
    }
}

#[test]
fn ca_file_adds_to_the_system_store() {
    let env = Env::new("");
    let company = TestCerts::new(&env.path("company"));
    let private = TestCerts::new(&env.path("private"));
    let by_company = Server::start_tls(&company, |_, _| Response::status(200));
    let by_private = Server::start_tls(&private, |_, _| Response::status(200));
    let ca_file = format!(", ca_file: \"{}\"", private.ca.display());
    let yaml = format!(
        "endpoints:\n{}{}{}",
        hook("store", &by_company.https_url("/store"), ""),
        hook("own", &by_private.https_url("/own"), &ca_file),
        // The endpoint with a ca_file still trusts the system store.
        hook("both", &by_company.https_url("/both"), &ca_file),
    );
    std::fs::write(&env.config, yaml).unwrap();
    let out = send(&env, Some(&company.ca));
    out.code(0);
    assert!(results(&out).iter().all(|r| r["ok"] == true));
    let mut paths: Vec<String> = by_company
        .requests()
        .iter()
        .map(|r| r.path.clone())
        .collect();
    paths.sort();
    assert_eq!(paths, ["/both", "/store"]);
    assert_eq!(by_private.requests().len(), 1);
    // Without the company store, ca_file alone is not enough for the company server.
    let yaml = format!(
        "endpoints:\n{}",
        hook("both", &by_company.https_url("/both"), &ca_file)
    );
    std::fs::write(&env.config, yaml).unwrap();
    let err = failed_once(&send(&env, None));
    assert!(
        err.contains(UNKNOWN_CA)
            && err.contains("hint: neither ca_file nor the system store holds the CA"),
        "{err}"
    );
}

fn mail(port: u16, crypto: &str, extra: &str) -> String {
    format!(
        "endpoints:\n  - name: mail\n    type: email\n    smtp_host: 127.0.0.1\n    smtp_port: {port}\n    smtp_crypto: {crypto}\n    from: backups@example.com\n    destinations: [{{email: ops@example.com}}]\n    retries: 2\n{extra}"
    )
}

#[test]
fn smtp_trusts_the_system_store_for_implicit_tls_and_starttls() {
    let env = Env::new("");
    let certs = TestCerts::new(env.dir.path());
    for (mode, crypto) in [("ssl", "ssl"), ("starttls", "starttls")] {
        let smtp = SmtpServer::start(env.dir.path(), mode, Some(&certs));
        std::fs::write(&env.config, mail(smtp.port, crypto, "")).unwrap();
        send(&env, Some(&certs.ca)).code(0);
        let msgs = smtp.messages();
        assert_eq!(msgs.len(), 1, "{crypto}");
        assert_eq!(msgs[0]["tls"], true, "{crypto}");
    }
}

#[test]
fn smtp_certificate_failures_name_the_cause() {
    let env = Env::new("");
    let good = TestCerts::new(&env.path("good"));
    // Untrusted CA, implicit TLS and STARTTLS.
    for (mode, crypto) in [("ssl", "ssl"), ("starttls", "starttls")] {
        let smtp = SmtpServer::start(env.dir.path(), mode, Some(&good));
        std::fs::write(&env.config, mail(smtp.port, crypto, "")).unwrap();
        let err = failed_once(&send(&env, None));
        assert!(
            err.starts_with(&format!("SMTP 127.0.0.1:{}: TLS failed: ", smtp.port)),
            "{err}"
        );
        assert!(err.contains(UNKNOWN_CA) && err.contains(HINT), "{err}");
        assert!(smtp.messages().is_empty(), "{crypto}: nothing sent");
    }
    // A ca_file that holds another CA: the hint says neither place has the right one.
    let other = TestCerts::new(&env.path("other"));
    let smtp = SmtpServer::start(&env.path("good"), "ssl", Some(&good));
    let extra = format!("    ca_file: {}\n", other.ca.display());
    std::fs::write(&env.config, mail(smtp.port, "ssl", &extra)).unwrap();
    let err = failed_once(&send(&env, None));
    assert!(
        err.contains(UNKNOWN_CA)
            && err.contains("hint: neither ca_file nor the system store holds the CA"),
        "{err}"
    );
    for (leaf, want) in [
        (Leaf::Expired, "certificate expired on 2021-01-01"),
        (
            Leaf::OtherHost,
            "certificate is for other.example, not 127.0.0.1",
        ),
    ] {
        let dir = env.path(&format!("{leaf:?}"));
        let certs = TestCerts::with(&dir, leaf);
        let smtp = SmtpServer::start(&dir, "ssl", Some(&certs));
        std::fs::write(&env.config, mail(smtp.port, "ssl", "")).unwrap();
        let err = failed_once(&send(&env, Some(&certs.ca)));
        assert!(err.contains(want), "{leaf:?}: {err}");
        assert!(smtp.messages().is_empty());
    }
}

#[test]
fn smtp_tls_insecure_warns_on_every_use() {
    let env = Env::new("");
    let certs = TestCerts::with(env.dir.path(), Leaf::SelfSigned);
    let smtp = SmtpServer::start(env.dir.path(), "starttls", Some(&certs));
    std::fs::write(
        &env.config,
        mail(smtp.port, "starttls", "    tls_insecure: true\n"),
    )
    .unwrap();
    for n in 1..=2 {
        let mut c = env.cmd();
        c.args(["send", "--event", "backup_failure"]);
        run(c).code(0).err_has(
            "warning: endpoint \"mail\": TLS certificates are not checked (tls_insecure: true)",
        );
        assert_eq!(smtp.messages().len(), n);
    }
}
