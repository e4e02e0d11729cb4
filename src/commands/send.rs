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

/// Largest payload read (`--payload FILE` or stdin).
pub const MAX_PAYLOAD: u64 = 8 * 1024 * 1024;

/// Read one JSON object from `path`, or stdin for `-`, refusing (without reading
/// further) a payload over [`MAX_PAYLOAD`].
pub fn read_payload(path: &str) -> Result<Map<String, Value>> {
    let (mut reader, name): (Box<dyn Read>, String) = if path == "-" {
        (Box::new(std::io::stdin().lock()), "stdin".to_string())
    } else {
        let f = std::fs::File::open(path).with_context(|| format!("reading payload {path}"))?;
        (Box::new(f), path.to_string())
    };
    let mut bytes = Vec::new();
    (&mut reader)
        .take(MAX_PAYLOAD + 1)
        .read_to_end(&mut bytes)
        .with_context(|| format!("reading the payload from {name}"))?;
    if bytes.len() as u64 > MAX_PAYLOAD {
        bail!(
            "payload {name} is larger than {} MiB\nhint: send the log with --attach FILE instead (only its end is read), and keep the JSON payload small",
            MAX_PAYLOAD / 1024 / 1024
        );
    }
    let text = String::from_utf8(bytes)
        .map_err(|e| anyhow::anyhow!("payload {name} is not UTF-8 text: {e}"))?;
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
