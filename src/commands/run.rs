//! `bnotify run -- CMD...`: send the start event, run CMD with its output passed through
//! untouched, then send the outcome with timings, exit code and the stderr tail. CMD's
//! exit code is bnotify's, whatever happens to the notifications.

use std::io::{Read, Write};
use std::process::{Command, ExitStatus, Stdio};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Instant;

use anyhow::Result;

use super::send::hostname;
use super::Global;
use crate::attach::Attachment;
use crate::cli::{Kind, RunArgs};
use crate::deliver::{self, SendOptions};
use crate::event::{now_rfc3339, Event, Input};
use crate::Outcome;

/// Bytes of stderr kept as the failure's `error`.
pub(crate) const STDERR_TAIL: usize = 4 * 1024;
/// How long to wait for the output pipes to close once the command has exited.
pub(crate) const PIPE_GRACE: std::time::Duration = std::time::Duration::from_secs(2);
/// Bytes of combined output kept for `--attach-output`.
pub(crate) const OUTPUT_TAIL: usize = 5 * 1024 * 1024;

/// The last `cap` bytes written to it.
#[derive(Debug, Default)]
pub(crate) struct Tail {
    buf: Vec<u8>,
    cap: usize,
}

impl Tail {
    /// A tail of at most `cap` bytes.
    pub(crate) fn new(cap: usize) -> Tail {
        Tail {
            buf: Vec::new(),
            cap,
        }
    }

    /// Keep `data`, dropping what falls out of the window.
    pub(crate) fn push(&mut self, data: &[u8]) {
        self.buf.extend_from_slice(data);
        if self.buf.len() > self.cap.saturating_mul(2).max(64 * 1024) {
            let cut = self.buf.len() - self.cap;
            self.buf.drain(..cut);
        }
    }

    /// The kept bytes.
    pub(crate) fn bytes(&self) -> &[u8] {
        &self.buf[self.buf.len().saturating_sub(self.cap)..]
    }
}

/// Run `bnotify run`.
pub(crate) fn run(g: &Global, args: &RunArgs) -> Result<Outcome> {
    let forward = Forwarder::install();
    let cfg = match g.load_for_sending() {
        Ok(c) => Some(c),
        Err(e) => {
            g.warn(&format!(
                "{e:#}\nthe command runs anyway, without notifications"
            ));
            None
        }
    };
    let prefix = match args.kind {
        Kind::Backup => "backup",
        Kind::Restore => "restore",
    };
    let id = uuid::Uuid::new_v4().to_string();
    let started_at = now_rfc3339();
    let t0 = Instant::now();
    let start = build(&format!("{prefix}_start"), args, &id);
    let opts = SendOptions {
        only: args.endpoints.clone(),
        dry_run: false,
        best_effort: true,
        deadline: std::time::Duration::from_secs(60),
        noise_control: true,
    };
    // The start notice is queued before the command starts (a local write), then goes
    // out while the command already runs.
    let start_batch = {
        let _hold = deliver::critical();
        cfg.as_ref()
            .and_then(|c| deliver::queue_event(g, c, &start, &opts))
    };
    let code = std::thread::scope(|s| {
        let started = start_batch.map(|b| s.spawn(|| deliver::send(g, b, &opts)));
        let (ran, hold) = execute(args, forward.as_ref());
        let (end, code) = outcome(args, ran, &id, started_at, t0, prefix);
        // Still inside the critical section taken when the command was reaped: a signal
        // from now on waits until the outcome is queued, then exits with the command's
        // code. The outcome is queued at once, and sent after the start notice.
        let end_batch = cfg
            .as_ref()
            .and_then(|c| deliver::queue_event(g, c, &end, &opts));
        drop(hold);
        if let Some(h) = started {
            let _ = h.join();
        }
        if let Some(b) = end_batch {
            deliver::send(g, b, &opts);
        }
        code
    });
    Ok(Outcome::Exit(code))
}

/// The outcome event of a finished command, and its exit code.
fn outcome(
    args: &RunArgs,
    ran: Ran,
    id: &str,
    started_at: String,
    t0: Instant,
    prefix: &str,
) -> (Event, i32) {
    let Ran {
        status,
        stderr_tail,
        output,
    } = ran;
    let code = exit_code(&status);
    let mut end = build(
        &format!("{prefix}_{}", if code == 0 { "success" } else { "failure" }),
        args,
        id,
    );
    end.started_at = Some(started_at);
    end.finished_at = Some(now_rfc3339());
    end.duration_ms = Some(u64::try_from(t0.elapsed().as_millis()).unwrap_or(u64::MAX));
    end.fields.insert("exit_code".into(), code.into());
    if code != 0 {
        // What the terminal showed at the end: progress bars and escapes replayed.
        let tail = crate::screen::tail(&stderr_tail, stderr_tail.len() >= STDERR_TAIL);
        end.error = Some(match (&status, tail.is_empty()) {
            (Err((_, e)), _) => e.clone(),
            (Ok(_), false) => tail,
            (Ok(_), true) => format!(
                "{} exited with code {code}",
                args.command[0].to_string_lossy()
            ),
        });
    }
    if let Some(out) = output {
        end.attachments
            .push(Attachment::new(format!("{}-output.log", args.job), out));
    }
    (end, code)
}

fn build(name: &str, args: &RunArgs, id: &str) -> Event {
    let input = Input {
        task: Some(args.job.clone()),
        id: Some(id.to_string()),
        ..Input::default()
    };
    Event::from_input(name, &input, hostname)
}

/// 0..=255 from the command's status: its code, 128+signal, 127 when it could not start.
fn exit_code(status: &Result<ExitStatus, (i32, String)>) -> i32 {
    use std::os::unix::process::ExitStatusExt;
    match status {
        Ok(s) => s
            .code()
            .or_else(|| s.signal().map(|n| 128 + n))
            .unwrap_or(1),
        Err((code, _)) => *code,
    }
}

/// What became of the command.
struct Ran {
    /// Its status, or the code and reason it could not run.
    status: Result<ExitStatus, (i32, String)>,
    /// The end of its stderr.
    stderr_tail: Vec<u8>,
    /// Its combined output, when asked for.
    output: Option<Vec<u8>>,
}

/// Run the command, copying its output through as it comes, forwarding signals. Returns
/// with the delivery critical section held from the instant the command was reaped.
fn execute(args: &RunArgs, forward: Option<&Forwarder>) -> (Ran, MutexGuard<'static, ()>) {
    let failed = |code: i32, msg: String| Ran {
        status: Err((code, msg)),
        stderr_tail: Vec::new(),
        output: None,
    };
    let Some((program, rest)) = args.command.split_first() else {
        return (failed(127, "no command given".into()), deliver::critical());
    };
    let shown = program.to_string_lossy();
    // Stdout is only piped when the combined output is kept; otherwise the command keeps
    // our stdout (a terminal stays a terminal).
    let stdout = if args.attach_output {
        Stdio::piped()
    } else {
        Stdio::inherit()
    };
    let mut child = match Command::new(program)
        .args(rest)
        .stdin(Stdio::inherit())
        .stdout(stdout)
        .stderr(Stdio::piped())
        .spawn()
    {
        Ok(c) => c,
        Err(e) => {
            // The shell's codes: 126 found but not executable, 127 not found.
            let code = if e.kind() == std::io::ErrorKind::PermissionDenied {
                126
            } else {
                127
            };
            let msg = format!("cannot run {shown}: {e}");
            errln!("bnotify: {msg}");
            let hold = deliver::critical();
            if let Some(f) = forward {
                f.finished(code);
            }
            return (failed(code, msg), hold);
        }
    };
    let combined = args
        .attach_output
        .then(|| Arc::new(Mutex::new(Tail::new(OUTPUT_TAIL))));
    let stderr_tail = Arc::new(Mutex::new(Tail::new(STDERR_TAIL)));
    if let Some(f) = forward {
        f.started(child.id());
    }
    let out = child.stdout.take().map(|r| {
        let c = combined.clone();
        std::thread::spawn(move || pump(r, std::io::stdout(), None, c))
    });
    let err = child.stderr.take().map(|r| {
        let (c, t) = (combined.clone(), stderr_tail.clone());
        std::thread::spawn(move || pump(r, std::io::stderr(), Some(t), c))
    });
    let status = child
        .wait()
        .map_err(|e| (1, format!("waiting for {shown}: {e}")));
    let hold = deliver::critical();
    if let Some(f) = forward {
        f.finished(exit_code(&status));
    }
    // Its output is complete when the pipes close; a background process it left behind
    // may hold them open, so give up on them after a short grace.
    let grace = Instant::now() + PIPE_GRACE;
    for h in [out, err].into_iter().flatten() {
        while !h.is_finished() && Instant::now() < grace {
            std::thread::sleep(std::time::Duration::from_millis(5));
        }
        if h.is_finished() {
            let _ = h.join();
        }
    }
    let tail = stderr_tail
        .lock()
        .map(|t| t.bytes().to_vec())
        .unwrap_or_default();
    let output = combined.and_then(|c| c.lock().ok().map(|t| t.bytes().to_vec()));
    (
        Ran {
            status,
            stderr_tail: tail,
            output,
        },
        hold,
    )
}

/// Copy `from` to `to` chunk by chunk, keeping tails on the side.
fn pump(
    mut from: impl Read,
    mut to: impl Write,
    tail: Option<Arc<Mutex<Tail>>>,
    combined: Option<Arc<Mutex<Tail>>>,
) {
    let mut buf = vec![0u8; 64 * 1024];
    loop {
        let n = match from.read(&mut buf) {
            Ok(0) | Err(_) => break,
            Ok(n) => n,
        };
        // A closed stdout of ours must not stop the command: keep draining its pipe.
        let _ = to.write_all(&buf[..n]).and_then(|()| to.flush());
        for t in [&tail, &combined].into_iter().flatten() {
            if let Ok(mut t) = t.lock() {
                t.push(&buf[..n]);
            }
        }
    }
}

/// Whether we run in the foreground process group of a terminal on stdin, where a
/// Ctrl-C reaches the whole group (the command included) by itself.
fn terminal_foreground() -> bool {
    // SAFETY: isatty, tcgetpgrp and getpgrp only read process state.
    unsafe { libc::isatty(0) == 1 && libc::tcgetpgrp(0) == libc::getpgrp() }
}

/// SIGINT, SIGTERM and SIGHUP while `run` works: forwarded to the command while it runs
/// (one that arrives before it started is forwarded as soon as it has); once it has
/// exited and been reaped, they end bnotify with the command's code — after its outcome
/// is queued in the outbox — instead of reaching a pid that may belong to another
/// process by then.
struct Forwarder {
    /// 0 before the command started, then its pid, then -1 once it was reaped.
    pid: Arc<std::sync::atomic::AtomicI32>,
    code: Arc<std::sync::atomic::AtomicI32>,
}

impl Forwarder {
    fn install() -> Option<Forwarder> {
        use signal_hook::consts::{SIGHUP, SIGINT, SIGTERM};
        use std::sync::atomic::{AtomicI32, Ordering};
        let mut signals = signal_hook::iterator::Signals::new([SIGINT, SIGTERM, SIGHUP]).ok()?;
        let pid = Arc::new(AtomicI32::new(0));
        let code = Arc::new(AtomicI32::new(0));
        let (p, c) = (pid.clone(), code.clone());
        std::thread::spawn(move || {
            for sig in signals.forever() {
                let mut target = p.load(Ordering::SeqCst);
                let wait_until = Instant::now() + std::time::Duration::from_secs(5);
                while target == 0 && Instant::now() < wait_until {
                    std::thread::sleep(std::time::Duration::from_millis(5));
                    target = p.load(Ordering::SeqCst);
                }
                if target > 0 {
                    if sig == SIGINT && terminal_foreground() {
                        // Ctrl-C: the terminal already sent it to the command (same
                        // foreground group); a second one makes many tools abort hard.
                        continue;
                    }
                    // SAFETY: kill(2) on the pid of our own child, not yet reaped.
                    unsafe {
                        libc::kill(target, sig);
                    }
                } else {
                    let name = match sig {
                        SIGINT => "SIGINT",
                        SIGHUP => "SIGHUP",
                        _ => "SIGTERM",
                    };
                    deliver::exit_on_signal(name, c.load(Ordering::SeqCst));
                }
            }
        });
        Some(Forwarder { pid, code })
    }

    fn started(&self, pid: u32) {
        let pid = i32::try_from(pid).unwrap_or(-1);
        self.pid.store(pid, std::sync::atomic::Ordering::SeqCst);
    }

    fn finished(&self, code: i32) {
        self.code.store(code, std::sync::atomic::Ordering::SeqCst);
        self.pid.store(-1, std::sync::atomic::Ordering::SeqCst);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tail_keeps_the_end() {
        let mut t = Tail::new(4);
        for chunk in [&b"abc"[..], b"defgh", &[b'x'; 100_000], b"END!"] {
            t.push(chunk);
        }
        assert_eq!(t.bytes(), b"END!");
        let mut t = Tail::new(10);
        t.push(b"abc");
        assert_eq!(t.bytes(), b"abc");
    }
}
