//! Running a `command` endpoint: write its attachments to a private temp dir, start it with
//! the event on stdin, and kill it when the attempt's time is up.

use std::io::{Read, Write};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use crate::channels::command::ExecRequest;
use crate::channels::DeliveryError;

/// Run `req` within `timeout`; exit 0 is a delivery.
pub fn run(req: &ExecRequest, timeout: Duration) -> Result<(), DeliveryError> {
    let dir = tempfile::Builder::new()
        .prefix("bnotify-")
        .tempdir()
        .map_err(|e| DeliveryError::new(format!("cannot create a temp dir: {e}")))?;
    let mut paths = Vec::new();
    for a in &req.attachments {
        let p = dir.path().join(&a.name);
        std::fs::write(&p, &a.data)
            .map_err(|e| DeliveryError::new(format!("cannot write attachment {}: {e}", a.name)))?;
        paths.push(p.display().to_string());
    }
    let (program, args) = req
        .argv
        .split_first()
        .ok_or_else(|| DeliveryError::new("argv is empty"))?;
    let mut child = Command::new(program)
        .args(args)
        .envs(req.env.iter().map(|(k, v)| (k, v)))
        .env("BNOTIFY_ATTACHMENTS", paths.join("\n"))
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| DeliveryError::new(format!("cannot start {program}: {e}")))?;
    if let Some(mut stdin) = child.stdin.take() {
        let data = req.stdin.clone();
        // A program that does not read its stdin must not block us.
        std::thread::spawn(move || {
            let _ = stdin.write_all(&data);
        });
    }
    let mut stderr = child.stderr.take();
    let reader = std::thread::spawn(move || {
        let mut buf = Vec::new();
        if let Some(s) = stderr.as_mut() {
            let _ = s.take(64 * 1024).read_to_end(&mut buf);
        }
        buf
    });
    let deadline = Instant::now() + timeout;
    let status = loop {
        match child.try_wait() {
            Ok(Some(s)) => break s,
            Ok(None) if Instant::now() >= deadline => {
                let _ = child.kill();
                let _ = child.wait();
                return Err(DeliveryError::new(format!(
                    "{program} timed out after {} and was killed",
                    humantime::format_duration(timeout)
                ))
                .retryable(None));
            }
            Ok(None) => std::thread::sleep(Duration::from_millis(10)),
            Err(e) => return Err(DeliveryError::new(format!("waiting for {program}: {e}"))),
        }
    };
    if status.success() {
        return Ok(());
    }
    let err = reader.join().unwrap_or_default();
    let err = String::from_utf8_lossy(&err[..err.len().min(200)])
        .trim()
        .to_string();
    let code = status.code().map_or_else(
        || "was killed by a signal".to_string(),
        |c| format!("exited {c}"),
    );
    let detail = if err.is_empty() {
        String::new()
    } else {
        format!(": {err}")
    };
    Err(DeliveryError::new(format!("{program} {code}{detail}")).retryable(None))
}
