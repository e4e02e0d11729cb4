//! `bnotify overdue`: the dead man's switch (SPEC §9). For each task of the state's
//! history that matches the glob and whose last success is older than `--max-age` (or
//! that never succeeded and was first seen longer ago), send `backup_missed` like any
//! other event. Run it from cron on hosts that no Prometheus watches.

use anyhow::{Context, Result};

use super::Global;
use crate::cli::OverdueArgs;
use crate::deliver::{self, SendOptions};
use crate::event::{Event, Input};
use crate::state::{Store, TaskHistory};
use crate::Outcome;

/// Run `bnotify overdue`.
pub(crate) fn run(g: &Global, args: &OverdueArgs) -> Result<Outcome> {
    let cfg = g.load_for_sending()?;
    let glob = globset::Glob::new(&args.task)
        .with_context(|| format!("--task \"{}\" is not a valid glob", args.task))?
        .compile_matcher();
    let state = Store::new(&cfg.state_dir)
        .read()
        .map_err(anyhow::Error::msg)?;
    let now = crate::http::unix_now();
    let max_age = args.max_age.as_secs();
    let late: Vec<(&String, String)> = state
        .tasks
        .iter()
        .filter(|(t, _)| glob.is_match(t.as_str()))
        .filter_map(|(t, h)| overdue(h, now, max_age).map(|why| (t, why)))
        .collect();
    if late.is_empty() {
        if !g.quiet && !g.json {
            let seen = state
                .tasks
                .keys()
                .filter(|t| glob.is_match(t.as_str()))
                .count();
            if seen == 0 {
                errln!(
                    "note: no task matching \"{}\" has reported yet ({}); nothing overdue",
                    args.task,
                    cfg.state_dir.display()
                );
            } else {
                errln!(
                    "note: nothing overdue: {seen} task{} matching \"{}\" succeeded within {}",
                    if seen == 1 { "" } else { "s" },
                    args.task,
                    humantime::format_duration(args.max_age)
                );
            }
        }
        return Ok(deliver::broken_or(&cfg, Outcome::Success));
    }
    let opts = SendOptions {
        only: args.endpoints.clone(),
        dry_run: args.dry_run,
        best_effort: args.best_effort,
        deadline: args.deadline,
        noise_control: true,
    };
    let mut outcome = Outcome::Success;
    for (task, why) in late {
        let input = Input {
            task: Some(task.clone()),
            host: args.host.clone(),
            message: Some(why),
            fields: vec![(
                "max_age".into(),
                humantime::format_duration(args.max_age).to_string(),
            )],
            ..Input::default()
        };
        let ev = Event::from_input(&args.event, &input, super::send::hostname);
        match deliver::deliver_event(g, &cfg, &ev, &opts)? {
            Outcome::Success => {}
            worse => outcome = worse,
        }
    }
    Ok(outcome)
}

/// Why the task is overdue at `now`, or `None` when it is not.
pub(crate) fn overdue(h: &TaskHistory, now: u64, max_age: u64) -> Option<String> {
    let since =
        |t: u64| humantime::format_duration(std::time::Duration::from_secs(now.saturating_sub(t)));
    match h.last_success {
        Some(t) if now.saturating_sub(t) > max_age => Some(format!(
            "No success since {} ({} ago)",
            rfc3339(t),
            since(t)
        )),
        Some(_) => None,
        None if now.saturating_sub(h.first_seen) > max_age => Some(format!(
            "Never succeeded; first seen {} ({} ago)",
            rfc3339(h.first_seen),
            since(h.first_seen)
        )),
        None => None,
    }
}

/// `unix` seconds as RFC 3339 (UTC).
pub(crate) fn rfc3339(unix: u64) -> String {
    use time::format_description::well_known::Rfc3339;
    i64::try_from(unix)
        .ok()
        .and_then(|s| time::OffsetDateTime::from_unix_timestamp(s).ok())
        .and_then(|t| t.format(&Rfc3339).ok())
        .unwrap_or_else(|| unix.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn overdue_by_last_success_or_first_seen() {
        let day = 86_400;
        let h = TaskHistory {
            first_seen: 0,
            last_success: Some(10 * day),
            ..TaskHistory::default()
        };
        assert!(overdue(&h, 11 * day, 2 * day).is_none());
        let why = overdue(&h, 13 * day, 2 * day).unwrap();
        assert!(
            why.starts_with("No success since 1970-01-11T00:00:00Z (3days ago)"),
            "{why}"
        );
        let never = TaskHistory {
            first_seen: day,
            ..TaskHistory::default()
        };
        assert!(overdue(&never, day + 60, 3600).is_none());
        assert!(overdue(&never, 3 * day, 3600)
            .unwrap()
            .starts_with("Never succeeded"));
    }
}
