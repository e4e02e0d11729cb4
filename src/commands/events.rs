//! `bnotify events`: the known events and the status each maps to.

use anyhow::Result;

use super::config::table;
use super::Global;
use crate::event::{KNOWN_EVENTS, STATUS_SUFFIXES};
use crate::Outcome;

/// Run `bnotify events`.
pub(crate) fn run(g: &Global) -> Result<Outcome> {
    if g.json {
        let known: Vec<_> = KNOWN_EVENTS
            .iter()
            .map(|(n, s)| serde_json::json!({"event": n, "status": s.as_str()}))
            .collect();
        let suffixes: Vec<_> = STATUS_SUFFIXES
            .iter()
            .map(|(n, s)| serde_json::json!({"suffix": n, "status": s.as_str()}))
            .collect();
        let v = serde_json::json!({"events": known, "suffixes": suffixes});
        outln!("{}", serde_json::to_string_pretty(&v).unwrap_or_default());
        return Ok(Outcome::Success);
    }
    let rows = KNOWN_EVENTS.iter().map(|(n, s)| {
        let status = if *n == "backup_report" {
            "from --status, else success".to_string()
        } else {
            s.as_str().to_string()
        };
        [n.to_string(), status]
    });
    out!(
        "{}",
        table(std::iter::once(["EVENT".into(), "STATUS".into()]).chain(rows))
    );
    outln!();
    outln!("Other event names take their status from their suffix; --status always wins:");
    for (suffix, status) in STATUS_SUFFIXES {
        outln!("  *{suffix:<12} {}", status.as_str());
    }
    outln!("  anything else  info");
    Ok(Outcome::Success)
}
