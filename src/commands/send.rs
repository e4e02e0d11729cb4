//! `bnotify send`: build one event and deliver it.

use std::io::Read;

use anyhow::{bail, Context, Result};
use serde_json::{Map, Value};

use super::Global;
use crate::attach::Attachment;
use crate::cli::SendArgs;
use crate::config::{nearest, Config, Endpoint};
use crate::dispatch::{self, Options};
use crate::event::{now_rfc3339, Event};
use crate::outbox;
use crate::report::{self, Style};
use crate::state;
use crate::Outcome;

/// How `deliver_event` behaves.
#[derive(Debug, Clone)]
pub struct SendOptions {
    /// Only these endpoints (empty: all matching).
    pub only: Vec<String>,
    /// Print requests, send nothing.
    pub dry_run: bool,
    /// Failures do not change the exit code.
    pub best_effort: bool,
    /// Bound on the whole delivery.
    pub deadline: std::time::Duration,
    /// Apply `when: change` and `throttle` (off for `test notify`).
    pub noise_control: bool,
}

/// Run `bnotify send`.
pub fn run(g: &Global, args: &SendArgs) -> Result<Outcome> {
    let cfg = g.load()?;
    let payload = match &args.payload_file {
        Some(p) => Some(read_payload(p)?),
        None => None,
    };
    let mut ev = Event::from_parts(&args.event, payload, &args.payload, hostname)?;
    for path in &args.attach {
        ev.attachments.push(Attachment::read(path).map_err(|e| {
            anyhow::anyhow!("{e}\nhint: check the path given to --attach; nothing was sent")
        })?);
    }
    let opts = SendOptions {
        only: args.endpoints.clone(),
        dry_run: args.dry_run,
        best_effort: args.best_effort,
        deadline: args.deadline,
        noise_control: true,
    };
    deliver_event(g, &cfg, &ev, &opts)
}

/// This machine's host name.
pub fn hostname() -> String {
    gethostname::gethostname().to_string_lossy().into_owned()
}

/// Read one JSON object from `path`, or stdin for `-`.
pub fn read_payload(path: &str) -> Result<Map<String, Value>> {
    let (text, name) = if path == "-" {
        let mut s = String::new();
        std::io::stdin()
            .read_to_string(&mut s)
            .context("reading the payload from stdin")?;
        (s, "stdin".to_string())
    } else {
        let s = std::fs::read_to_string(path).with_context(|| format!("reading payload {path}"))?;
        (s, path.to_string())
    };
    match serde_json::from_str::<Value>(&text) {
        Ok(Value::Object(m)) => Ok(m),
        Ok(_) => bail!("payload {name}: expected one JSON object ({{...}})"),
        Err(e) => bail!(
            "payload {name}: invalid JSON at line {}, column {}: {e}\nhint: check the quoting; `jq . {}` shows where it breaks",
            e.line(),
            e.column(),
            if path == "-" { "<file>" } else { path }
        ),
    }
}

/// Fail with a suggestion when `--endpoint` names an endpoint the config does not have.
pub fn check_names(cfg: &Config, names: &[String]) -> Result<()> {
    for n in names {
        if cfg.endpoint(n).is_none() {
            let hint = match nearest(n, cfg.endpoints.iter().map(|e| e.name.as_str())) {
                Some(s) => format!("did you mean \"{s}\"?"),
                None => "run \"bnotify endpoints\" to list them".to_string(),
            };
            bail!(
                "no endpoint named \"{n}\" in {}\nhint: {hint}",
                cfg.path.display()
            );
        }
    }
    Ok(())
}

/// Deliver `ev` to the matching endpoints, keep failures in the outbox, print the report.
pub fn deliver_event(g: &Global, cfg: &Config, ev: &Event, o: &SendOptions) -> Result<Outcome> {
    check_names(cfg, &o.only)?;
    let eps = dispatch::select(cfg, ev, &o.only);
    deliver_to(g, cfg, ev, &eps, o)
}

/// Deliver `ev` to exactly `eps`: noise control first, then the deliveries, the outbox
/// for failures, and the fallbacks of endpoints that finally failed.
pub fn deliver_to(
    g: &Global,
    cfg: &Config,
    ev: &Event,
    eps: &[&Endpoint],
    o: &SendOptions,
) -> Result<Outcome> {
    let redactor = cfg.redactor();
    let (jobs, skipped) = gate(g, cfg, ev, eps, o.dry_run, o.noise_control);
    if o.dry_run {
        let jobs: Vec<(&Event, &Endpoint)> = jobs.iter().map(|(e, ep)| (e, *ep)).collect();
        crate::commands::test_notify::print_dry_run(g, cfg, ev, &jobs, &skipped, &redactor);
        return Ok(Outcome::Success);
    }
    print_skipped(g, &skipped);
    if jobs.is_empty() {
        if !g.quiet && skipped.is_empty() && cfg.enabled {
            crate::errln!(
                "note: no endpoint is subscribed to {}; nothing sent",
                ev.event
            );
        } else if !g.quiet && !cfg.enabled {
            crate::errln!(
                "note: notifications are off (enabled: false in {}); nothing sent",
                cfg.path.display()
            );
        }
        if g.json {
            let skipped: Vec<_> = skipped
                .iter()
                .map(|(ep, why)| serde_json::json!({"endpoint": ep.name, "reason": why}))
                .collect();
            crate::outln!(
                "{}",
                serde_json::json!({"event": ev.event, "id": ev.id, "results": [], "skipped": skipped})
            );
        }
        return Ok(Outcome::Success);
    }
    let opts = Options {
        deadline: o.deadline,
        verbose: g.verbose,
    };
    let refs: Vec<(&Event, &Endpoint)> = jobs.iter().map(|(e, ep)| (e, *ep)).collect();
    let mut results = dispatch::deliver_jobs(cfg, &refs, &opts, &redactor);
    keep_failures(g, cfg, &refs, &mut results);
    let mut tried: Vec<&str> = eps.iter().map(|e| e.name.as_str()).collect();
    let mut failed: Vec<String> = results
        .iter()
        .filter(|r| !r.ok)
        .map(|r| r.endpoint.clone())
        .collect();
    while !failed.is_empty() {
        let mut round: Vec<(&Event, &Endpoint)> = Vec::new();
        let mut causes = Vec::new();
        for name in &failed {
            let Some(primary) = cfg.endpoint(name) else {
                continue;
            };
            for f in &primary.fallback {
                if let Some(fb) = cfg
                    .endpoint(f)
                    .filter(|fb| !tried.contains(&fb.name.as_str()))
                {
                    tried.push(&fb.name);
                    round.push((ev, fb));
                    causes.push(name.clone());
                }
            }
        }
        if round.is_empty() {
            break;
        }
        let mut more = dispatch::deliver_jobs(cfg, &round, &opts, &redactor);
        for (r, cause) in more.iter_mut().zip(causes) {
            r.fallback_for = Some(cause);
        }
        keep_failures(g, cfg, &round, &mut more);
        failed = more
            .iter()
            .filter(|r| !r.ok)
            .map(|r| r.endpoint.clone())
            .collect();
        results.extend(more);
    }
    let best_effort = o.best_effort || cfg.best_effort;
    report::print(
        ev,
        &results,
        Style {
            quiet: g.quiet,
            json: g.json,
        },
        best_effort,
    );
    let waiting = outbox::count(&cfg.outbox_dir);
    if waiting > 0 && !g.quiet && !g.json {
        crate::errln!(
            "note: {waiting} notification{} waiting in the outbox ({})",
            if waiting == 1 { "" } else { "s" },
            cfg.outbox_dir.display()
        );
    }
    let failed = results.iter().any(|r| !r.ok);
    Ok(if failed && !best_effort {
        Outcome::Failed
    } else {
        Outcome::Success
    })
}

/// Endpoints with the event each gets, and endpoints held back with the reason.
type Gated<'a> = (Vec<(Event, &'a Endpoint)>, Vec<(&'a Endpoint, String)>);

/// Noise control (`when: change`, `throttle`): which endpoints get which event, and which
/// are held back and why. Decisions are recorded under the state lock unless `dry_run`.
/// Trouble with the state file never costs a notification: everything is then delivered.
fn gate<'a>(
    g: &Global,
    cfg: &Config,
    ev: &Event,
    eps: &[&'a Endpoint],
    dry_run: bool,
    noise_control: bool,
) -> Gated<'a> {
    let all = || eps.iter().map(|ep| (ev.clone(), *ep)).collect();
    if !noise_control || !state::needed(eps) {
        return (all(), Vec::new());
    }
    let store = state::Store::new(&cfg.state_dir);
    let now = crate::http::unix_now();
    let decided = store.update(!dry_run, |st| {
        eps.iter()
            .map(|ep| (*ep, st.decide(ep, ev, now)))
            .collect::<Vec<_>>()
    });
    let decisions = match decided {
        Ok((d, warning)) => {
            if let Some(w) = warning {
                g.warn(&w);
            }
            d
        }
        Err(e) => {
            g.warn(&format!("{e}; noise control is off for this send"));
            return (all(), Vec::new());
        }
    };
    let mut jobs = Vec::new();
    let mut skipped = Vec::new();
    for (ep, d) in decisions {
        match d {
            state::Decision::Deliver(e) => jobs.push((*e, ep)),
            state::Decision::Skip(why) => skipped.push((ep, why)),
        }
    }
    (jobs, skipped)
}

fn print_skipped(g: &Global, skipped: &[(&Endpoint, String)]) {
    if g.quiet || g.json {
        return;
    }
    for (ep, why) in skipped {
        crate::errln!("skip  {}  {}  {why}", ep.name, ep.kind.name);
    }
}

/// Keep every failed delivery in the outbox.
fn keep_failures(
    g: &Global,
    cfg: &Config,
    jobs: &[(&Event, &Endpoint)],
    results: &mut [dispatch::Delivery],
) {
    for ((ev, _), r) in jobs.iter().zip(results.iter_mut()).filter(|(_, r)| !r.ok) {
        let entry = outbox::Entry {
            version: outbox::VERSION,
            endpoint: r.endpoint.clone(),
            event: (*ev).clone(),
            attempts: r.attempts,
            last_error: r.error.clone().unwrap_or_default(),
            first_failed: now_rfc3339(),
        };
        match outbox::write(&cfg.outbox_dir, &entry) {
            Ok(_) => r.queued = true,
            Err(e) => g.warn(&format!(
                "could not keep the failed notification for \"{}\" in the outbox {}: {e}",
                r.endpoint,
                cfg.outbox_dir.display()
            )),
        }
    }
}
