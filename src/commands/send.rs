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

/// Deliver `ev` to exactly `eps`.
pub fn deliver_to(
    g: &Global,
    cfg: &Config,
    ev: &Event,
    eps: &[&Endpoint],
    o: &SendOptions,
) -> Result<Outcome> {
    let redactor = cfg.redactor();
    if o.dry_run {
        crate::commands::test_notify::print_dry_run(g, cfg, ev, eps, &redactor);
        return Ok(Outcome::Success);
    }
    if eps.is_empty() {
        if !g.quiet {
            eprintln!(
                "note: no endpoint is subscribed to {}; nothing sent",
                ev.event
            );
        }
        if g.json {
            println!(
                "{}",
                serde_json::json!({"event": ev.event, "id": ev.id, "results": []})
            );
        }
        return Ok(Outcome::Success);
    }
    let opts = Options {
        deadline: o.deadline,
        verbose: g.verbose,
    };
    let mut results = dispatch::deliver(cfg, ev, eps, &opts, &redactor);
    for r in results.iter_mut().filter(|r| !r.ok) {
        let entry = outbox::Entry {
            version: outbox::VERSION,
            endpoint: r.endpoint.clone(),
            event: ev.clone(),
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
        eprintln!(
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
