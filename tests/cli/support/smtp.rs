//! A real SMTP server (Python aiosmtpd, installed by scripts/test.sh) on 127.0.0.1.

use std::io::{BufRead, BufReader};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};

/// A running SMTP server; killed when dropped.
pub struct SmtpServer {
    pub port: u16,
    child: Child,
    log: PathBuf,
}

impl SmtpServer {
    /// Start in `mode` (plain, starttls, ssl); TLS modes need `certs`.
    pub fn start(
        dir: &std::path::Path,
        mode: &str,
        certs: Option<&super::tls::TestCerts>,
    ) -> SmtpServer {
        let log = dir.join(format!("smtp-{mode}.jsonl"));
        let script = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/tests/cli/support/smtp_server.py"
        );
        let mut cmd = Command::new("python3");
        cmd.arg(script)
            .arg("--mode")
            .arg(mode)
            .arg("--log")
            .arg(&log);
        if let Some(c) = certs {
            cmd.arg("--cert").arg(&c.cert).arg("--key").arg(&c.key);
        }
        let mut child = cmd
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("python3 runs (scripts/test.sh installs aiosmtpd)");
        let mut line = String::new();
        BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut line)
            .unwrap();
        let port = line.trim().parse().unwrap_or_else(|_| {
            panic!(
                "SMTP server did not start (is aiosmtpd installed? run scripts/test.sh): {line:?}"
            )
        });
        SmtpServer { port, child, log }
    }

    /// Messages received so far.
    pub fn messages(&self) -> Vec<serde_json::Value> {
        std::fs::read_to_string(&self.log)
            .unwrap_or_default()
            .lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect()
    }
}

impl Drop for SmtpServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
