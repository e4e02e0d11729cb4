//! `bnotify outbox list|flush|purge`.

use std::path::PathBuf;
use std::time::Duration;

use anyhow::{Context, Result};

use super::config::table;
use super::Global;
use crate::cli::OutboxCommand;
use crate::config::Config;
use crate::dispatch::{self, Delivery, Options};
use crate::event::Status;
use crate::outbox::{self, Entry};
use crate::report;
use crate::Outcome;

/// Run `bnotify outbox ...`.
pub(crate) fn run(g: &Global, cmd: &OutboxCommand) -> Result<Outcome> {
    let cfg = match cmd {
        OutboxCommand::Flush { .. } => {
            let mut cfg = g.load_optional()?;
            super::send::add_queued_targets(g, &mut cfg);
            cfg
        }
        _ => match g.no_config()? {
            Some(empty) => empty,
            None => g.load()?,
        },
    };
    match cmd {
        OutboxCommand::List => list(g, &cfg),
        OutboxCommand::Flush { deadline } => flush(g, &cfg, *deadline),
        OutboxCommand::Purge { older_than, all } => {
            purge(g, &cfg, if *all { None } else { *older_than })
        }
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
                    "first_failed": e.first_failed, "queued_at": e.queued_at,
                    "last_error": crate::sanitize::clean(&r.mask(&e.last_error)),
                    "attachments": e.event.attachments.iter().map(|a| a.name.clone()).collect::<Vec<_>>(),
                })
            })
            .collect();
        outln!("{}", serde_json::to_string_pretty(&v).unwrap_or_default());
    } else if all.is_empty() {
        errln!("the outbox is empty ({})", cfg.outbox_dir.display());
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
        out!("{}", table(std::iter::once(header).chain(rows)));
    }
    Ok(Outcome::Success)
}

fn flush(g: &Global, cfg: &Config, deadline: Duration) -> Result<Outcome> {
    let (_lock, warning) = outbox::lock(&cfg.outbox_dir)
        .with_context(|| format!("locking the outbox {}", cfg.outbox_dir.display()))?;
    if let Some(w) = warning {
        g.warn(&w);
    }
    for tmp in outbox::stale_temp_files(&cfg.outbox_dir) {
        let _ = std::fs::remove_file(tmp);
    }
    let mut pending = Vec::new();
    let mut trouble = false;
    for (path, entry) in entries(g, cfg) {
        match keep_or_send(cfg, &path, &entry) {
            Verdict::Send => pending.push((path, entry)),
            Verdict::Keep(why) => g.warn(&format!("keeping {}: {why}", file_name(&path))),
            Verdict::Drop(why) => {
                g.warn(&format!(
                    "dropping {} ({} for \"{}\", queued {}): {why}",
                    file_name(&path),
                    entry.event.event,
                    entry.endpoint,
                    if entry.queued_at.is_empty() {
                        &entry.first_failed
                    } else {
                        &entry.queued_at
                    },
                ));
                if let Err(e) = outbox::remove(&path) {
                    g.warn(&format!("cannot remove {}: {e}", path.display()));
                    trouble = true;
                }
            }
        }
    }
    if pending.is_empty() {
        outbox::clean_orphans(&cfg.outbox_dir);
        if !g.quiet && !g.json {
            errln!("nothing to flush ({})", cfg.outbox_dir.display());
        }
        if g.json {
            outln!("{}", serde_json::json!({"results": []}));
        }
        return Ok(exit(cfg, false, trouble));
    }
    let mut cache = std::collections::BTreeMap::new();
    for (_, entry) in &mut pending {
        outbox::load_attachments(&cfg.outbox_dir, entry, &mut cache);
    }
    let jobs: Vec<_> = pending
        .iter()
        .filter_map(|(_, e)| cfg.endpoint(&e.endpoint).map(|ep| (&e.event, ep)))
        .collect();
    let opts = Options {
        deadline,
        verbose: g.verbose,
    };
    let unremovable = std::sync::atomic::AtomicBool::new(false);
    let settle = |i: usize, r: &mut Delivery| {
        let Some((path, entry)) = pending.get(i) else {
            return;
        };
        let error = r.error.clone().unwrap_or_default();
        match outbox::settle(path, entry, r.ok, r.attempts, &error, &r.done) {
            outbox::Settled::Removed => {}
            outbox::Settled::Queued => r.queued = true,
            outbox::Settled::Unremovable(e) => {
                g.warn(&e.to_string());
                unremovable.store(true, std::sync::atomic::Ordering::Relaxed);
            }
            outbox::Settled::NotRecorded(e) => {
                g.warn(&format!("cannot update {}: {e}", path.display()));
            }
        }
    };
    let done: Vec<Vec<usize>> = pending.iter().map(|(_, e)| e.done.clone()).collect();
    let results = dispatch::deliver_jobs(cfg, &jobs, &opts, &cfg.redactor(), &done, &settle);
    drop(cache);
    outbox::clean_orphans(&cfg.outbox_dir);
    print(g, cfg, &pending, &results);
    let failed = results.iter().any(|r| !r.ok);
    Ok(exit(cfg, failed, trouble || unremovable.into_inner()))
}

/// Exit 2 when the outbox itself needs attention (an entry that cannot be removed) or
/// an endpoint is left out for a config problem; else 1 when a delivery failed (unless
/// `best_effort`); else 0.
fn exit(cfg: &Config, failed: bool, trouble: bool) -> Outcome {
    if trouble || !cfg.broken.is_empty() {
        Outcome::Exit(2)
    } else if failed && !cfg.best_effort {
        Outcome::Failed
    } else {
        Outcome::Success
    }
}

/// What a flush does with one entry.
enum Verdict {
    Send,
    Keep(String),
    Drop(String),
}

fn keep_or_send(cfg: &Config, path: &std::path::Path, entry: &Entry) -> Verdict {
    if entry.delivered {
        return Verdict::Drop(
            "it was delivered already (its file could not be removed then)".into(),
        );
    }
    if outbox::in_flight(path) {
        return Verdict::Keep("another bnotify process is delivering it right now".into());
    }
    let age = entry.age();
    if age > cfg.outbox_max_age {
        return Verdict::Drop(format!(
            "older than max_age {}",
            humantime::format_duration(cfg.outbox_max_age)
        ));
    }
    let stale_news = matches!(entry.event.status, Status::Start | Status::Info);
    if stale_news && age > cfg.outbox_max_age_start {
        return Verdict::Drop(format!(
            "a {} event older than max_age_start {} is no longer news",
            entry.event.status.as_str(),
            humantime::format_duration(cfg.outbox_max_age_start)
        ));
    }
    match cfg.endpoint(&entry.endpoint) {
        Some(ep) if ep.enabled => Verdict::Send,
        Some(_) => Verdict::Keep(format!(
            "endpoint \"{}\" is disabled (enabled: false); it is sent once it is enabled again",
            entry.endpoint
        )),
        None if cfg
            .broken
            .iter()
            .any(|b| b.name.as_deref() == Some(entry.endpoint.as_str())) =>
        {
            Verdict::Keep(format!(
                "endpoint \"{}\" has a config problem (see above); it is sent once that is fixed",
                entry.endpoint
            ))
        }
        None => Verdict::Keep(format!(
            "no endpoint named \"{}\" in {} any more",
            entry.endpoint,
            cfg.path.display()
        )),
    }
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
        outln!(
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
            errln!("{line}  ({})", what.trim());
        }
    }
    let left = outbox::count(&cfg.outbox_dir);
    if !g.quiet {
        errln!(
            "{} delivered, {} still waiting",
            results.iter().filter(|r| r.ok).count(),
            left
        );
    }
}

fn purge(g: &Global, cfg: &Config, older_than: Option<Duration>) -> Result<Outcome> {
    let (_lock, warning) = outbox::lock(&cfg.outbox_dir)
        .with_context(|| format!("locking the outbox {}", cfg.outbox_dir.display()))?;
    if let Some(w) = warning {
        g.warn(&w);
    }
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
    for tmp in outbox::stale_temp_files(&cfg.outbox_dir) {
        let _ = std::fs::remove_file(tmp);
    }
    outbox::clean_orphans(&cfg.outbox_dir);
    if g.json {
        outln!("{}", serde_json::json!({"removed": removed}));
    } else if !g.quiet {
        errln!(
            "removed {removed} entr{} from {}",
            if removed == 1 { "y" } else { "ies" },
            cfg.outbox_dir.display()
        );
    }
    Ok(Outcome::Success)
}
