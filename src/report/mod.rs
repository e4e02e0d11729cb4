//! What the user sees after a delivery: one human line per endpoint on stderr, or one
//! JSON report on stdout; and the writers every print path uses.
//!
//! Output never panics: `println!` panics when its stream is gone (a reader that closed
//! the pipe, `bnotify --json send | head -c0`), and a panic would abort mid-delivery. The
//! [`outln!`](crate::outln)/[`errln!`](crate::errln) macros write through [`stdout`] and
//! [`stderr`] instead: the text is cleaned of control characters
//! ([`crate::sanitize::clean`]), and a stream that fails is marked gone and left alone.
//! The command still finishes (deliveries, the outbox) and exits with its usual code.

/// `println!` that cleans its text and never panics (see [`stdout`]).
macro_rules! outln {
    () => {
        $crate::report::stdout_raw("\n")
    };
    ($($arg:tt)*) => {
        $crate::report::stdout(&format!("{}\n", format_args!($($arg)*)))
    };
}

/// `print!` that cleans its text and never panics (see [`stdout`]).
macro_rules! out {
    ($($arg:tt)*) => {
        $crate::report::stdout(&format!($($arg)*))
    };
}

/// `eprintln!` that cleans its text and never panics (see [`stderr`]).
macro_rules! errln {
    ($($arg:tt)*) => {
        $crate::report::stderr(&format!("{}\n", format_args!($($arg)*)))
    };
}

/// `eprint!` that cleans its text and never panics (see [`stderr`]).
macro_rules! err {
    ($($arg:tt)*) => {
        $crate::report::stderr(&format!($($arg)*))
    };
}

pub(crate) mod dry_run;

use std::io::{IsTerminal, Write};
use std::sync::atomic::{AtomicBool, Ordering};

use serde_json::json;

use crate::dispatch::Delivery;
use crate::event::Event;

static STDOUT_GONE: AtomicBool = AtomicBool::new(false);
static STDERR_GONE: AtomicBool = AtomicBool::new(false);

/// Print `text` to stdout, cleaned of control characters; never panics.
pub(crate) fn stdout(text: &str) {
    stdout_raw(&crate::sanitize::clean(text));
}

/// Print `text` to stderr, cleaned of control characters; never panics.
pub(crate) fn stderr(text: &str) {
    stderr_raw(&crate::sanitize::clean(text));
}

/// Print `text` to stdout as it is (generated files, already-clean text).
pub(crate) fn stdout_raw(text: &str) {
    if STDOUT_GONE.load(Ordering::Relaxed) {
        return;
    }
    let mut out = std::io::stdout().lock();
    if let Err(e) = out.write_all(text.as_bytes()).and_then(|()| out.flush()) {
        STDOUT_GONE.store(true, Ordering::Relaxed);
        if e.kind() != std::io::ErrorKind::BrokenPipe {
            stderr(&format!("warning: cannot write to stdout: {e}\n"));
        }
    }
}

/// Print `text` to stderr as it is (colour codes of the report lines).
pub(crate) fn stderr_raw(text: &str) {
    if STDERR_GONE.load(Ordering::Relaxed) {
        return;
    }
    let mut err = std::io::stderr().lock();
    if err
        .write_all(text.as_bytes())
        .and_then(|()| err.flush())
        .is_err()
    {
        STDERR_GONE.store(true, Ordering::Relaxed);
    }
}

/// How to print.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Style {
    /// Only failures.
    pub quiet: bool,
    /// JSON on stdout.
    pub json: bool,
}

/// Whether stderr gets colour: a terminal, and `NO_COLOR` unset.
pub(crate) fn colour() -> bool {
    std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty()) && std::io::stderr().is_terminal()
}

/// Print the results of one delivery run.
pub(crate) fn print(ev: &Event, results: &[Delivery], style: Style, best_effort: bool) {
    if style.json {
        let report = json!({"event": ev.event, "id": ev.id, "results": results});
        outln!(
            "{}",
            serde_json::to_string_pretty(&report).unwrap_or_default()
        );
    }
    let name_w = results.iter().map(|r| r.endpoint.len()).max().unwrap_or(0);
    let kind_w = results.iter().map(|r| r.kind.len()).max().unwrap_or(0);
    let colour = colour();
    for r in results {
        if style.json || (style.quiet && r.ok) {
            continue;
        }
        let via = r
            .fallback_for
            .as_ref()
            .map(|p| format!("  (fallback for {})", crate::sanitize::clean(p)))
            .unwrap_or_default();
        stderr_raw(&format!(
            "{}{via}\n",
            line(r, name_w, kind_w, colour, best_effort)
        ));
    }
    if !style.json && results.iter().any(|r| r.queued) {
        errln!("hint: kept in the outbox; run \"bnotify outbox flush\" later");
    }
}

/// One human result line; the endpoint's name and the error are cleaned of control
/// characters (only the colour codes added here reach the terminal).
pub(crate) fn line(
    r: &Delivery,
    name_w: usize,
    kind_w: usize,
    colour: bool,
    best_effort: bool,
) -> String {
    let status = r.status.map_or_else(|| "-".to_string(), |s| s.to_string());
    let endpoint = crate::sanitize::clean(&r.endpoint);
    if r.ok {
        let tag = paint("ok  ", "32", colour);
        return format!(
            "{tag}  {endpoint:name_w$}  {:kind_w$}  {status:>3}  {} ms",
            r.kind, r.duration_ms
        );
    }
    let tag = if best_effort {
        paint("WARN", "33", colour)
    } else {
        paint("FAIL", "31", colour)
    };
    // A receiver's text may span lines: indent them, so none can pass for a result line.
    let err = crate::sanitize::clean(r.error.as_deref().unwrap_or("failed"))
        .trim_end()
        .replace('\n', "\n      ");
    format!(
        "{tag}  {endpoint:name_w$}  {:kind_w$}  {status:>3}  {err}",
        r.kind
    )
}

fn paint(s: &str, code: &str, on: bool) -> String {
    if on {
        format!("\x1b[{code}m{s}\x1b[0m")
    } else {
        s.to_string()
    }
}
