//! What the user sees after a delivery: one human line per endpoint on stderr, or one
//! JSON report on stdout.

use std::io::IsTerminal;

use serde_json::json;

use crate::dispatch::Delivery;
use crate::event::Event;

/// How to print.
#[derive(Debug, Clone, Copy)]
pub struct Style {
    /// Only failures.
    pub quiet: bool,
    /// JSON on stdout.
    pub json: bool,
}

/// Whether stderr gets colour: a terminal, and `NO_COLOR` unset.
pub fn colour() -> bool {
    std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty()) && std::io::stderr().is_terminal()
}

/// Print the results of one delivery run.
pub fn print(ev: &Event, results: &[Delivery], style: Style, best_effort: bool) {
    if style.json {
        let report = json!({"event": ev.event, "id": ev.id, "results": results});
        println!(
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
            .map(|p| format!("  (fallback for {p})"))
            .unwrap_or_default();
        eprintln!("{}{via}", line(r, name_w, kind_w, colour, best_effort));
    }
    if !style.json && results.iter().any(|r| r.queued) {
        eprintln!("hint: kept in the outbox; run \"bnotify outbox flush\" later");
    }
}

/// One human result line.
pub fn line(r: &Delivery, name_w: usize, kind_w: usize, colour: bool, best_effort: bool) -> String {
    let status = r.status.map_or_else(|| "-".to_string(), |s| s.to_string());
    if r.ok {
        let tag = paint("ok  ", "32", colour);
        return format!(
            "{tag}  {:name_w$}  {:kind_w$}  {status:>3}  {} ms",
            r.endpoint, r.kind, r.duration_ms
        );
    }
    let tag = if best_effort {
        paint("WARN", "33", colour)
    } else {
        paint("FAIL", "31", colour)
    };
    let err = r.error.as_deref().unwrap_or("failed");
    format!(
        "{tag}  {:name_w$}  {:kind_w$}  {status:>3}  {err}",
        r.endpoint, r.kind
    )
}

fn paint(s: &str, code: &str, on: bool) -> String {
    if on {
        format!("\x1b[{code}m{s}\x1b[0m")
    } else {
        s.to_string()
    }
}
