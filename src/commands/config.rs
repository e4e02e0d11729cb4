//! `bnotify config check|show|path` and `bnotify endpoints`.

use anyhow::Result;
use serde_json::{Map as Mapping, Value};

use super::Global;
use crate::cli::ConfigCommand;
use crate::config::{is_secret_key, lint, locate, Config, ConfigErrors, Endpoint};
use crate::redact::{Redactor, MASK};
use crate::Outcome;

/// Run `bnotify config ...`.
pub(crate) fn run(g: &Global, cmd: &ConfigCommand) -> Result<Outcome> {
    match cmd {
        ConfigCommand::Path => path(g),
        ConfigCommand::Check => check(g),
        ConfigCommand::Show => show(g),
        ConfigCommand::Init(a) => super::init::run(g, a),
    }
}

fn path(g: &Global) -> Result<Outcome> {
    let found = locate(g.config.as_deref())?;
    outln!("{}", found.path.display());
    if !g.quiet {
        errln!("({})", found.reason);
    }
    Ok(Outcome::Success)
}

fn check(g: &Global) -> Result<Outcome> {
    let cfg = g.load()?;
    let (errors, warnings) = lint(&cfg);
    let redactor = cfg.redactor();
    for w in &warnings {
        g.warn(&redactor.mask(w));
    }
    if !errors.is_empty() {
        let errors = errors
            .into_iter()
            .map(|mut e| {
                e.file = Some(cfg.path.clone());
                e.message = redactor.mask(&e.message);
                e
            })
            .collect();
        return Err(ConfigErrors(errors).into());
    }
    if !g.quiet {
        let enabled = cfg.endpoints.iter().filter(|e| e.enabled).count();
        errln!(
            "ok: {} is valid ({} endpoint{}, {enabled} enabled{})",
            cfg.path.display(),
            cfg.endpoints.len(),
            if cfg.endpoints.len() == 1 { "" } else { "s" },
            if warnings.is_empty() {
                String::new()
            } else {
                format!(
                    ", {} warning{}",
                    warnings.len(),
                    if warnings.len() == 1 { "" } else { "s" }
                )
            }
        );
    }
    Ok(Outcome::Success)
}

fn show(g: &Global) -> Result<Outcome> {
    // Endpoints with a config problem are left out, with a warning and exit 2.
    let cfg = g.load_for_sending()?;
    let r = cfg.redactor();
    let v = effective(&cfg, &r);
    if g.json {
        outln!(
            "{}",
            r.mask(&serde_json::to_string_pretty(&v).unwrap_or_default())
        );
    } else {
        out!("{}", r.mask(&crate::config::to_yaml(&v)));
    }
    Ok(crate::deliver::broken_or(&cfg, Outcome::Success))
}

/// The effective config as a YAML value, defaults filled in and secrets masked.
fn effective(cfg: &Config, r: &Redactor) -> Value {
    let mut root = Mapping::new();
    root.insert("enabled".into(), cfg.enabled.into());
    if let Some(e) = &cfg.events {
        root.insert("events".into(), strings(&e.raw));
    }
    root.insert("best_effort".into(), cfg.best_effort.into());
    let mut outbox = Mapping::new();
    outbox.insert("dir".into(), cfg.outbox_dir.display().to_string().into());
    outbox.insert(
        "max_age".into(),
        humantime::format_duration(cfg.outbox_max_age)
            .to_string()
            .into(),
    );
    outbox.insert(
        "max_age_start".into(),
        humantime::format_duration(cfg.outbox_max_age_start)
            .to_string()
            .into(),
    );
    root.insert("outbox".into(), Value::Object(outbox));
    root.insert(
        "state_dir".into(),
        cfg.state_dir.display().to_string().into(),
    );
    if cfg.templates.title.is_some() || cfg.templates.body.is_some() {
        let mut t = Mapping::new();
        if let Some(s) = &cfg.templates.title {
            t.insert("title".into(), s.clone().into());
        }
        if let Some(s) = &cfg.templates.body {
            t.insert("body".into(), s.clone().into());
        }
        root.insert("templates".into(), Value::Object(t));
    }
    let eps: Vec<Value> = cfg.endpoints.iter().map(|e| endpoint(e, r)).collect();
    root.insert("endpoints".into(), Value::Array(eps));
    Value::Object(root)
}

fn endpoint(ep: &Endpoint, r: &Redactor) -> Value {
    let mut m = ep.raw.clone();
    m.insert("enabled".into(), ep.enabled.into());
    m.insert("when".into(), ep.when.as_str().into());
    m.insert(
        "timeout".into(),
        humantime::format_duration(ep.timeout).to_string().into(),
    );
    m.insert("retries".into(), ep.retries.into());
    let mut v = Value::Object(m);
    mask_value(&mut v, false, r);
    v
}

fn strings(v: &[String]) -> Value {
    Value::Array(v.iter().map(|s| Value::String(s.clone())).collect())
}

/// Mask values under secret-looking keys, and known secrets anywhere.
fn mask_value(v: &mut Value, secret: bool, r: &Redactor) {
    match v {
        Value::String(s) => {
            *s = if secret { MASK.to_string() } else { r.mask(s) };
        }
        Value::Number(_) | Value::Bool(_) if secret => *v = Value::String(MASK.into()),
        Value::Object(m) => {
            for (k, val) in m.iter_mut() {
                let key_secret = is_secret_key(k);
                mask_value(val, secret || key_secret, r);
            }
        }
        Value::Array(s) => {
            for val in s {
                mask_value(val, secret, r);
            }
        }
        _ => {}
    }
}

/// Run `bnotify endpoints`: NAME, TYPE, ENABLED, EVENTS, TASKS, WHEN.
pub(crate) fn endpoints(g: &Global) -> Result<Outcome> {
    let cfg = g.load_for_sending()?;
    let r = cfg.redactor();
    struct Row {
        name: String,
        kind: String,
        enabled: bool,
        events: Vec<String>,
        tasks: Vec<String>,
        when: String,
    }
    let rows: Vec<Row> = cfg
        .endpoints
        .iter()
        .map(|e| Row {
            name: e.name.clone(),
            kind: e.kind.name.to_string(),
            enabled: e.enabled && cfg.enabled,
            events: e
                .events
                .as_ref()
                .or(cfg.events.as_ref())
                .map_or_else(|| vec!["*".to_string()], |p| p.raw.clone()),
            tasks: e
                .tasks
                .as_ref()
                .map_or_else(|| vec!["*".to_string()], |p| p.raw.clone()),
            when: match e.throttle {
                Some(t) => format!(
                    "{}, throttle {}",
                    e.when.as_str(),
                    humantime::format_duration(t)
                ),
                None => e.when.as_str().to_string(),
            },
        })
        .collect();
    if g.json {
        let v: Vec<_> = rows
            .iter()
            .map(|row| {
                serde_json::json!({"name": row.name, "type": row.kind, "enabled": row.enabled,
                    "events": row.events, "tasks": row.tasks, "when": row.when})
            })
            .collect();
        outln!(
            "{}",
            r.mask(&serde_json::to_string_pretty(&v).unwrap_or_default())
        );
        return Ok(crate::deliver::broken_or(&cfg, Outcome::Success));
    }
    let list = |v: &[String], every: &str| {
        if v == ["*"] {
            format!("* ({every})")
        } else {
            v.join(",")
        }
    };
    let header = ["NAME", "TYPE", "ENABLED", "EVENTS", "TASKS", "WHEN"].map(String::from);
    let body = rows.iter().map(|row| {
        [
            row.name.clone(),
            row.kind.clone(),
            if row.enabled { "yes" } else { "no" }.to_string(),
            list(&row.events, "every event"),
            list(&row.tasks, "every task"),
            row.when.clone(),
        ]
    });
    out!("{}", r.mask(&table(std::iter::once(header).chain(body))));
    Ok(crate::deliver::broken_or(&cfg, Outcome::Success))
}

/// The names of the configured endpoints (broken ones too), one per line, for shell
/// completion; prints nothing when no config is found.
pub(crate) fn endpoint_names(g: &Global) -> Result<Outcome> {
    if let Ok(cfg) = g.load() {
        let mut names: Vec<&str> = cfg.endpoints.iter().map(|e| e.name.as_str()).collect();
        names.extend(cfg.broken.iter().filter_map(|b| b.name.as_deref()));
        for n in names {
            outln!("{n}");
        }
    }
    Ok(Outcome::Success)
}

/// Left-aligned columns separated by two spaces; a cell's line breaks and tabs become
/// spaces, so no cell can start a row of its own.
pub(crate) fn table<const N: usize>(rows: impl IntoIterator<Item = [String; N]>) -> String {
    let rows: Vec<[String; N]> = rows
        .into_iter()
        .map(|r| r.map(|c| c.replace(['\n', '\t'], " ")))
        .collect();
    let mut widths = [0usize; N];
    for row in &rows {
        for (w, c) in widths.iter_mut().zip(row) {
            *w = (*w).max(c.chars().count());
        }
    }
    let mut out = String::new();
    for row in &rows {
        let line: Vec<String> = row
            .iter()
            .zip(widths)
            .map(|(c, w)| format!("{c:w$}"))
            .collect();
        out.push_str(line.join("  ").trim_end());
        out.push('\n');
    }
    out
}
