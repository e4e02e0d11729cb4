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
pub(crate) fn run(g: &Global, args: &SendArgs) -> Result<Outcome> {
    let mut cfg = if args.to.is_empty() {
        g.load_for_sending()?
    } else {
        g.load_optional()?
    };
    let targets: Vec<(Option<&str>, &str)> = args.to.iter().map(|u| (None, u.as_str())).collect();
    let names = add_targets(&mut cfg, &targets)?;
    let payload = match &args.payload_file {
        Some(p) => Some(read_payload(p)?),
        None => None,
    };
    let event = args.event.as_deref().unwrap_or(TO_EVENT);
    let mut ev = Event::from_parts(event, payload, &args.payload.to_input(), hostname)?;
    attach(g, &cfg, &mut ev, &args.attach);
    // `--endpoint` picks among the config's endpoints; `--to` targets are always sent.
    let mut only = args.endpoints.clone();
    if !only.is_empty() {
        only.extend(names);
    }
    let opts = SendOptions {
        only,
        dry_run: args.dry_run,
        best_effort: args.best_effort,
        deadline: args.deadline,
        noise_control: true,
    };
    if !args.dry_run {
        stop_on_signals();
    }
    Ok(deliver::deliver_event(g, &cfg, &ev, &opts)?)
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
pub(crate) fn hostname() -> String {
    gethostname::gethostname().to_string_lossy().into_owned()
}

/// Largest payload read (`--payload FILE` or stdin).
pub(crate) const MAX_PAYLOAD: u64 = 8 * 1024 * 1024;

/// Read one JSON object from `path`, or stdin for `-`, refusing (without reading
/// further) a payload over [`MAX_PAYLOAD`].
pub(crate) fn read_payload(path: &str) -> Result<Map<String, Value>> {
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

pub(crate) use crate::event::TO_EVENT;

/// Add one ad-hoc endpoint per notification URL (`send --to`, SPEC §1) to `cfg`, named
/// as given or after the URL (made unique among the config's endpoints), subscribed to
/// every event, and carrying its URL so that its outbox entries can be flushed later
/// without a config. Returns their names. A malformed URL is an error (exit 2) that shows
/// the URL with its secret parts masked.
pub(crate) fn add_targets(
    cfg: &mut Config,
    targets: &[(Option<&str>, &str)],
) -> Result<Vec<String>> {
    let mut names = Vec::new();
    for (given, url) in targets {
        let parsed = crate::notify_url::parse(url).map_err(|e| {
            let hint = if crate::notify_url::is_notify_url(url) {
                e.hint()
            } else {
                "--to takes a notification URL such as ntfy://topic, discord://id/token or \
                 jsons://host/path (a webhook); see \"Notification URLs\" in the README"
                    .to_string()
            };
            anyhow::anyhow!("--to: {e}\nhint: {hint}")
        })?;
        let name = match given {
            Some(n) => n.to_string(),
            None => unique(cfg, &parsed.name),
        };
        let entry = serde_json::json!({"endpoints": [{
            "name": name,
            "url": url.replace("${", "$${"),
            "events": ["*"],
        }]});
        let text = serde_json::to_string(&entry)?;
        let mut one = Config::parse(&text, std::path::Path::new("--to"), &|_| None)
            .map_err(|e| anyhow::anyhow!("{e}"))?;
        if let Some(b) = one.broken.first() {
            let errs: Vec<String> = b.errors.iter().map(ToString::to_string).collect();
            bail!("{}", errs.join("\n"));
        }
        let Some(mut ep) = one.endpoints.pop() else {
            bail!(
                "--to: {} gives no endpoint",
                crate::redact::mask_url_parts(url)
            );
        };
        ep.to = Some(url.to_string());
        names.push(ep.name.clone());
        cfg.endpoints.push(ep);
    }
    Ok(names)
}

/// `base`, or `base-2`, `base-3`, ... when an endpoint already has that name.
fn unique(cfg: &Config, base: &str) -> String {
    let taken = |n: &str| cfg.endpoints.iter().any(|e| e.name == n);
    let mut name = base.to_string();
    let mut i = 2;
    while taken(&name) {
        name = format!("{base}-{i}");
        i += 1;
    }
    name
}

/// For `outbox flush`: rebuild the ad-hoc endpoints (`send --to`) that queued entries
/// name, unless the config has an endpoint of that name. An entry whose URL no longer
/// reads stays in the outbox, with a warning.
pub(crate) fn add_queued_targets(g: &Global, cfg: &mut Config) {
    let mut seen: Vec<String> = Vec::new();
    for path in crate::outbox::files(&cfg.outbox_dir) {
        let Ok(entry) = crate::outbox::read(&path) else {
            continue;
        };
        let Some(url) = entry.to else {
            continue;
        };
        if cfg.endpoint(&entry.endpoint).is_some() || seen.contains(&entry.endpoint) {
            continue;
        }
        seen.push(entry.endpoint.clone());
        if let Err(e) = add_targets(cfg, &[(Some(&entry.endpoint), &url)]) {
            g.warn(&format!(
                "cannot rebuild --to endpoint \"{}\": {e:#}",
                entry.endpoint
            ));
        }
    }
}
