//! `bnotify send`: build one event and deliver it.

use std::io::Read;

use anyhow::{bail, Context, Result};
use serde_json::{Map, Value};

use super::Global;
use crate::attach::Attachment;
use crate::cli::SendArgs;
use crate::config::Config;
use crate::deliver::{self, SendOptions};
use crate::event::Event;
use crate::Outcome;

/// Run `bnotify send`.
pub fn run(g: &Global, args: &SendArgs) -> Result<Outcome> {
    let cfg = g.load_for_sending()?;
    let payload = match &args.payload_file {
        Some(p) => Some(read_payload(p)?),
        None => None,
    };
    let mut ev = Event::from_parts(&args.event, payload, &args.payload.to_input(), hostname)?;
    attach(g, &cfg, &mut ev, &args.attach);
    let opts = SendOptions {
        only: args.endpoints.clone(),
        dry_run: args.dry_run,
        best_effort: args.best_effort,
        deadline: args.deadline,
        noise_control: true,
    };
    if !args.dry_run {
        stop_on_signals();
    }
    deliver::deliver_event(g, &cfg, &ev, &opts)
}

/// Attach each file (only the tail the largest endpoint limit needs is read). A file
/// that cannot be attached never stops the alert: it is left out, the body says so and
/// stderr warns.
fn attach(g: &Global, cfg: &Config, ev: &mut Event, paths: &[std::path::PathBuf]) {
    if paths.is_empty() {
        return;
    }
    let tail = cfg
        .endpoints
        .iter()
        .map(|e| {
            e.max_attachment_size
                .unwrap_or_else(|| e.channel.max_attachment_size())
        })
        .max()
        .unwrap_or(crate::attach::DEFAULT_MAX);
    for path in paths {
        match Attachment::read(path, tail) {
            Ok(a) => ev.attachments.push(a),
            Err(why) => {
                g.warn(&format!(
                    "not attaching {}: {why}; the notification is sent without it",
                    path.display()
                ));
                ev.left_out.push(format!("{} ({why})", path.display()));
            }
        }
    }
}

/// On SIGTERM, SIGINT or SIGHUP (a cron or systemd timeout, Ctrl-C), stop waiting: what
/// is undelivered stays in the outbox, and the exit code is 1.
fn stop_on_signals() {
    use signal_hook::consts::{SIGHUP, SIGINT, SIGTERM};
    let Ok(mut signals) = signal_hook::iterator::Signals::new([SIGTERM, SIGINT, SIGHUP]) else {
        return;
    };
    std::thread::spawn(move || {
        if let Some(sig) = signals.forever().next() {
            let name = match sig {
                SIGINT => "SIGINT",
                SIGHUP => "SIGHUP",
                _ => "SIGTERM",
            };
            deliver::exit_on_signal(name, 1);
        }
    });
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
