//! `bnotify test notify [EVENT]`: sample notifications, and the `--dry-run` printer.

use anyhow::Result;

use super::send::hostname;
use super::Global;
use crate::cli::TestNotifyArgs;
use crate::config::Endpoint;
use crate::deliver::{check_names, deliver_to, SendOptions};
use crate::dispatch;
use crate::event::Event;
use crate::Outcome;

/// Run `bnotify test notify`.
pub(crate) fn run(g: &Global, args: &TestNotifyArgs) -> Result<Outcome> {
    let cfg = g.load_for_sending()?;
    check_names(g, &cfg, &args.endpoints)?;
    let name = args.event.as_deref().unwrap_or("test");
    let ev = sample(name)?;
    if args.event.is_some() {
        let eps = dispatch::select(&cfg, &ev, &args.endpoints);
        crate::deliver::explain(g, &cfg, &ev, &eps, &args.endpoints);
    }
    let eps: Vec<&Endpoint> = if args.event.is_none() {
        cfg.endpoints
            .iter()
            .filter(|e| {
                e.enabled && (args.endpoints.is_empty() || args.endpoints.contains(&e.name))
            })
            .collect()
    } else {
        dispatch::select(&cfg, &ev, &args.endpoints)
    };
    let opts = SendOptions {
        only: args.endpoints.clone(),
        dry_run: args.dry_run,
        best_effort: false,
        deadline: std::time::Duration::from_secs(60),
        noise_control: false,
    };
    Ok(deliver_to(g, &cfg, &ev, &eps, &opts)?)
}

/// `name` with sample data: task `bnotify-test`, a backup id, size, duration and tags,
/// and a title prefixed `[TEST]`.
pub(crate) fn sample(name: &str) -> Result<Event> {
    let mut ev = Event::sample(name, hostname);
    ev.title = Some(format!("[TEST] {}", crate::render::default_title(&ev)));
    Ok(ev)
}
