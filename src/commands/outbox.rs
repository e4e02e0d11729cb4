//! `bnotify outbox list|flush|purge`.

use std::path::PathBuf;
use std::time::Duration;

use anyhow::{Context, Result};

use super::config::table;
use super::Global;
use crate::cli::OutboxCommand;
use crate::config::Config;
use crate::dispatch::{self, Delivery, Options};
use crate::outbox::{self, Entry};
use crate::report;
use crate::Outcome;

/// Run `bnotify outbox ...`.
pub fn run(g: &Global, cmd: &OutboxCommand) -> Result<Outcome> {
    let cfg = g.load()?;
    match cmd {
        OutboxCommand::List => list(g, &cfg),
        OutboxCommand::Flush { deadline } => flush(g, &cfg, *deadline),
        OutboxCommand::Purge { older_than } => purge(g, &cfg, *older_than),
    }
}

/// Readable entries (corrupt and foreign files are reported and skipped).
fn entries(g: &Global, cfg: &Config) -> Vec<(PathBuf, Entry)> {
    outbox::files(&cfg.outbox_dir)
        .into_iter()
        .filter_map(|p| match outbox::read(&p) {
            Ok(e) => Some((p, e)),
            Err(err) => {
                g.warn(&format!("skipping {err}"));
                None
            }
        })
        .collect()
}

fn file_name(p: &std::path::Path) -> String {
    p.file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default()
}

fn list(g: &Global, cfg: &Config) -> Result<Outcome> {
    let r = cfg.redactor();
    let all = entries(g, cfg);
    let expired = all
        .iter()
        .filter(|(_, e)| e.age() > cfg.outbox_max_age)
        .count();
    if expired > 0 {
        g.warn(&format!(
            "{expired} entr{} older than max_age ({}) will be dropped by the next flush",
            if expired == 1 { "y is" } else { "ies are" },
            humantime::format_duration(cfg.outbox_max_age)
        ));
    }
    if g.json {
        let v: Vec<_> = all
            .iter()
            .map(|(p, e)| {
                serde_json::json!({
                    "file": file_name(p), "endpoint": e.endpoint, "event": e.event.event,
                    "task": e.event.task, "id": e.event.id, "attempts": e.attempts,
                    "first_failed": e.first_failed, "last_error": crate::sanitize::clean(&r.mask(&e.last_error)),
                    "attachments": e.event.attachments.iter().map(|a| a.name.clone()).collect::<Vec<_>>(),
                })
            })
            .collect();
        crate::outln!("{}", serde_json::to_string_pretty(&v).unwrap_or_default());
    } else if all.is_empty() {
        crate::errln!("the outbox is empty ({})", cfg.outbox_dir.display());
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
        let rows = all.iter().map(|(_, e)| {
            [
                e.first_failed.clone(),
                e.endpoint.clone(),
                e.event.event.clone(),
                e.event.task.clone().unwrap_or_else(|| "-".into()),
                e.attempts.to_string(),
                r.mask(&e.last_error),
            ]
        });
        crate::out!("{}", table(std::iter::once(header).chain(rows)));
    }
    Ok(Outcome::Success)
}

fn flush(g: &Global, cfg: &Config, deadline: Duration) -> Result<Outcome> {
    let _lock = outbox::lock(&cfg.outbox_dir)
        .with_context(|| format!("locking the outbox {}", cfg.outbox_dir.display()))?;
    let mut pending = Vec::new();
    for (path, entry) in entries(g, cfg) {
        if entry.age() > cfg.outbox_max_age {
            g.warn(&format!(
                "dropping {} ({} for \"{}\", first failed {}): older than max_age {}",
                file_name(&path),
                entry.event.event,
                entry.endpoint,
                entry.first_failed,
                humantime::format_duration(cfg.outbox_max_age)
            ));
            outbox::remove(&path).with_context(|| format!("removing {}", path.display()))?;
            continue;
        }
        match cfg.endpoint(&entry.endpoint) {
            Some(_) => pending.push((path, entry)),
            None => g.warn(&format!(
                "keeping {}: no endpoint named \"{}\" in {} any more",
                file_name(&path),
                entry.endpoint,
                cfg.path.display()
            )),
        }
    }
    if pending.is_empty() {
        if !g.quiet && !g.json {
            crate::errln!("nothing to flush ({})", cfg.outbox_dir.display());
        }
        if g.json {
            crate::outln!("{}", serde_json::json!({"results": []}));
        }
        return Ok(Outcome::Success);
    }
    let jobs: Vec<_> = pending
        .iter()
        .filter_map(|(_, e)| cfg.endpoint(&e.endpoint).map(|ep| (&e.event, ep)))
        .collect();
    let opts = Options {
        deadline,
        verbose: g.verbose,
    };
    let mut results = dispatch::deliver_jobs(cfg, &jobs, &opts, &cfg.redactor());
    settle(&pending, &mut results)?;
    print(g, cfg, &pending, &results);
    let failed = results.iter().any(|r| !r.ok);
    Ok(if failed && !cfg.best_effort {
        Outcome::Failed
    } else {
        Outcome::Success
    })
}

/// Remove delivered entries; update the others with their new attempts and error.
fn settle(pending: &[(PathBuf, Entry)], results: &mut [Delivery]) -> Result<()> {
    for ((path, entry), r) in pending.iter().zip(results.iter_mut()) {
        if r.ok {
            outbox::remove(path)
                .with_context(|| format!("removing delivered {}", path.display()))?;
        } else {
            let mut e = entry.clone();
            e.attempts += r.attempts;
            e.last_error = r.error.clone().unwrap_or_default();
            outbox::replace(path, &e).with_context(|| format!("updating {}", path.display()))?;
            r.queued = true;
        }
    }
    Ok(())
}

fn print(g: &Global, cfg: &Config, pending: &[(PathBuf, Entry)], results: &[Delivery]) {
    if g.json {
        let v: Vec<_> = pending
            .iter()
            .zip(results)
            .map(|((p, e), r)| {
                let mut j = serde_json::to_value(r).unwrap_or_default();
                j["file"] = file_name(p).into();
                j["event"] = e.event.event.clone().into();
                j
            })
            .collect();
        crate::outln!(
            "{}",
            serde_json::to_string_pretty(&serde_json::json!({"results": v})).unwrap_or_default()
        );
        return;
    }
    for ((_, e), r) in pending.iter().zip(results) {
        if !(g.quiet && r.ok) {
            let what = format!(
                "{} {}",
                e.event.event,
                e.event.task.as_deref().unwrap_or("")
            );
            let line = report::line(r, 0, 0, report::colour(), cfg.best_effort);
            crate::errln!("{line}  ({})", what.trim());
        }
    }
    let left = outbox::count(&cfg.outbox_dir);
    if !g.quiet {
        crate::errln!(
            "{} delivered, {} still waiting",
            results.iter().filter(|r| r.ok).count(),
            left
        );
    }
}

fn purge(g: &Global, cfg: &Config, older_than: Option<Duration>) -> Result<Outcome> {
    let _lock = outbox::lock(&cfg.outbox_dir)
        .with_context(|| format!("locking the outbox {}", cfg.outbox_dir.display()))?;
    let mut removed = 0;
    for path in outbox::files(&cfg.outbox_dir) {
        let old_enough = match (older_than, outbox::read(&path)) {
            (None, _) => true,
            (Some(d), Ok(e)) => e.age() > d,
            (Some(_), Err(err)) => {
                g.warn(&format!("skipping {err}"));
                false
            }
        };
        if old_enough {
            outbox::remove(&path).with_context(|| format!("removing {}", path.display()))?;
            removed += 1;
        }
    }
    if g.json {
        crate::outln!("{}", serde_json::json!({"removed": removed}));
    } else if !g.quiet {
        crate::errln!(
            "removed {removed} entr{} from {}",
            if removed == 1 { "y" } else { "ies" },
            cfg.outbox_dir.display()
        );
    }
    Ok(Outcome::Success)
}
