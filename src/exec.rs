//! Running a `command` endpoint: write its attachments to a private temp dir, start it with
//! the event on stdin, and kill it when the attempt's time is up.

use std::io::{Read, Write};
use std::process::{Child, Command, Stdio};
use std::sync::{mpsc, Arc, Mutex};
use std::time::{Duration, Instant};

use crate::failure::DeliveryError;

/// One run of a program.
#[derive(Debug, Clone)]
pub(crate) struct ExecRequest {
    /// Program and arguments.
    pub argv: Vec<String>,
    /// Extra environment.
    pub env: Vec<(String, String)>,
    /// Bytes written to its stdin.
    pub stdin: Vec<u8>,
    /// Files to write before the run; their paths go in `BNOTIFY_ATTACHMENTS`.
    pub attachments: Vec<crate::attach::Attachment>,
}

/// How long to wait for stderr to close once the program has exited.
const PIPE_GRACE: Duration = Duration::from_millis(500);

/// Kill the child and its process group, and reap it.
fn kill(child: &mut Child) {
    #[cfg(unix)]
    if let Ok(pid) = i32::try_from(child.id()) {
        // SAFETY: kill(2) with a negative pid signals the process group the child leads
        // (made with process_group(0) above); it touches no memory of ours.
        unsafe {
            libc::kill(-pid, libc::SIGKILL);
        }
    }
    let _ = child.kill();
    let _ = child.wait();
}

/// Run `req` within `timeout`; exit 0 is a delivery.
pub(crate) fn run(req: &ExecRequest, timeout: Duration) -> Result<(), DeliveryError> {
    let dir = tempfile::Builder::new()
        .prefix("bnotify-")
        .tempdir()
        .map_err(|e| DeliveryError::new(format!("cannot create a temp dir: {e}")))?;
    let mut paths = Vec::new();
    for a in &req.attachments {
        let p = dir.path().join(&a.name);
        std::fs::write(&p, a.bytes())
            .map_err(|e| DeliveryError::new(format!("cannot write attachment {}: {e}", a.name)))?;
        paths.push(p.display().to_string());
    }
    let (program, args) = req
        .argv
        .split_first()
        .ok_or_else(|| DeliveryError::new("argv is empty"))?;
    let mut cmd = Command::new(program);
    cmd.args(args)
        .envs(req.env.iter().map(|(k, v)| (k, v)))
        .env("BNOTIFY_ATTACHMENTS", paths.join("\n"))
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::piped());
    #[cfg(unix)]
    {
        // Its own process group, so a timeout also kills what it started.
        use std::os::unix::process::CommandExt;
        cmd.process_group(0);
    }
    let mut child = cmd
        .spawn()
        .map_err(|e| DeliveryError::new(format!("cannot start {program}: {e}")))?;
    if let Some(mut stdin) = child.stdin.take() {
        let data = req.stdin.clone();
        // A program that does not read its stdin must not block us.
        std::thread::spawn(move || {
            let _ = stdin.write_all(&data);
        });
    }
    let stderr = child.stderr.take();
    let kept = Arc::new(Mutex::new(Vec::new()));
    let (done_tx, done_rx) = mpsc::channel::<()>();
    let sink = Arc::clone(&kept);
    std::thread::spawn(move || {
        // Keep the first 64 KiB and drain the rest, so a chatty program never blocks.
        if let Some(mut s) = stderr {
            let mut buf = [0u8; 8192];
            while let Ok(n) = s.read(&mut buf) {
                if n == 0 {
                    break;
                }
                if let Ok(mut k) = sink.lock() {
                    let room = (64 * 1024usize).saturating_sub(k.len());
                    k.extend_from_slice(&buf[..n.min(room)]);
                }
            }
        }
        let _ = done_tx.send(());
    });
    let deadline = Instant::now() + timeout;
    let status = loop {
        match child.try_wait() {
            Ok(Some(s)) => break s,
            Ok(None) if Instant::now() >= deadline => {
                kill(&mut child);
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
    // A background process it left behind may hold stderr open: wait only briefly.
    let _ = done_rx.recv_timeout(PIPE_GRACE);
    let err = kept.lock().map(|k| k.clone()).unwrap_or_default();
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
