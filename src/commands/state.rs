//! `bnotify state show|reset`.

use anyhow::{anyhow, Result};

use super::config::table;
use super::Global;
use crate::cli::StateCommand;
use crate::state::Store;
use crate::Outcome;

/// Run `bnotify state ...`.
pub(crate) fn run(g: &Global, cmd: &StateCommand) -> Result<Outcome> {
    let cfg = g.load()?;
    let store = Store::new(&cfg.state_dir);
    match cmd {
        StateCommand::Show => {
            let st = store.read().map_err(|e| anyhow!(e))?;
            if g.json {
                outln!("{}", serde_json::to_string_pretty(&st).unwrap_or_default());
                return Ok(Outcome::Success);
            }
            print_history(&st.tasks);
            if st.outcomes.is_empty() && st.throttles.is_empty() {
                if !st.tasks.is_empty() {
                    return Ok(Outcome::Success);
                }
                errln!("no noise-control state yet ({})", cfg.state_dir.display());
                return Ok(Outcome::Success);
            }
            let rows = st.outcomes.iter().flat_map(|(ep, tasks)| {
                tasks.iter().map(move |(task, t)| {
                    [
                        ep.clone(),
                        task_name(task),
                        t.status.as_str().to_string(),
                        t.event.clone(),
                        t.at.clone(),
                    ]
                })
            });
            let header = ["ENDPOINT", "TASK", "LAST TOLD", "EVENT", "SINCE"].map(String::from);
            out!("{}", table(std::iter::once(header).chain(rows)));
            let now = crate::http::unix_now();
            let windows: Vec<[String; 5]> = st
                .throttles
                .iter()
                .flat_map(|(ep, ws)| {
                    ws.iter().map(move |(key, w)| {
                        let (event, task) = key.split_once(' ').unwrap_or((key, ""));
                        let left = w.until.saturating_sub(now);
                        [
                            ep.clone(),
                            format!("{event} {}", task_name(task)),
                            w.since.clone(),
                            w.suppressed.to_string(),
                            if left > 0 {
                                format!("{left}s left")
                            } else {
                                "closed".into()
                            },
                        ]
                    })
                })
                .collect();
            if !windows.is_empty() {
                outln!();
                let header =
                    ["ENDPOINT", "THROTTLED", "LAST SENT", "HELD BACK", "WINDOW"].map(String::from);
                out!("{}", table(std::iter::once(header).chain(windows)));
            }
        }
        StateCommand::Reset { task } => {
            store
                .update(true, |st| st.reset(task.as_deref()))
                .map_err(|e| anyhow!(e))?;
            if !g.quiet {
                match task {
                    Some(t) => errln!("forgot the state of task {t}"),
                    None => errln!("forgot all noise-control state"),
                }
            }
        }
    }
    Ok(Outcome::Success)
}

fn task_name(t: &str) -> String {
    if t.is_empty() {
        "-".into()
    } else {
        t.to_string()
    }
}

/// The task history (for `overdue` and the metrics), one row per task.
fn print_history(tasks: &std::collections::BTreeMap<String, crate::state::TaskHistory>) {
    if tasks.is_empty() {
        return;
    }
    let when =
        |t: Option<u64>| t.map_or_else(|| "-".to_string(), crate::commands::overdue::rfc3339);
    let rows = tasks.iter().map(|(task, h)| {
        [
            task_name(task),
            when(h.last_success),
            when(h.last_failure),
            when(Some(h.first_seen)),
        ]
    });
    let header = ["TASK", "LAST SUCCESS", "LAST FAILURE", "FIRST SEEN"].map(String::from);
    out!("{}", table(std::iter::once(header).chain(rows)));
    outln!();
}
