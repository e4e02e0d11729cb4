//! `bnotify outbox list`.

use anyhow::Result;

use super::config::table;
use super::Global;
use crate::cli::OutboxCommand;
use crate::outbox;
use crate::Outcome;

/// Run `bnotify outbox ...`.
pub fn run(g: &Global, cmd: &OutboxCommand) -> Result<Outcome> {
    match cmd {
        OutboxCommand::List => list(g),
    }
}

fn list(g: &Global) -> Result<Outcome> {
    let cfg = g.load()?;
    let r = cfg.redactor();
    let mut rows = Vec::new();
    let mut json = Vec::new();
    for path in outbox::files(&cfg.outbox_dir) {
        let file = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        match outbox::read(&path) {
            Ok(e) => {
                json.push(serde_json::json!({
                    "file": file, "endpoint": e.endpoint, "event": e.event.event,
                    "task": e.event.task, "id": e.event.id, "attempts": e.attempts,
                    "first_failed": e.first_failed, "last_error": r.mask(&e.last_error),
                }));
                rows.push([
                    e.first_failed.clone(),
                    e.endpoint.clone(),
                    e.event.event.clone(),
                    e.event.task.clone().unwrap_or_else(|| "-".into()),
                    e.attempts.to_string(),
                    r.mask(&e.last_error),
                ]);
            }
            Err(err) => g.warn(&format!("skipping {err}")),
        }
    }
    if g.json {
        println!(
            "{}",
            serde_json::to_string_pretty(&json).unwrap_or_default()
        );
    } else if rows.is_empty() {
        eprintln!("the outbox is empty ({})", cfg.outbox_dir.display());
    } else {
        let header = [
            "FIRST FAILED",
            "ENDPOINT",
            "EVENT",
            "TASK",
            "ATTEMPTS",
            "LAST ERROR",
        ]
        .map(String::from);
        print!("{}", table(std::iter::once(header).chain(rows)));
    }
    Ok(Outcome::Success)
}
