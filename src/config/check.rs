//! `config check` beyond what loading already verified: templates compile, event names
//! are known, and a file holding secrets is not readable by other users.

use super::{nearest, Config, ConfigError};
use crate::event::{is_known, KNOWN_EVENTS};

/// Problems (errors) and findings (warnings) of a loaded config.
pub fn lint(cfg: &Config) -> (Vec<ConfigError>, Vec<String>) {
    let mut errors: Vec<ConfigError> = cfg
        .broken
        .iter()
        .flat_map(|b| b.errors.iter().cloned())
        .collect();
    let mut warnings = cfg.warnings.clone();
    for (which, t) in [
        ("title", &cfg.templates.title),
        ("body", &cfg.templates.body),
    ] {
        if let Some(src) = t {
            if let Err(e) = crate::render::check(which, src) {
                errors.push(ConfigError::new(format!("templates.{e}")));
            }
        }
    }
    for ep in &cfg.endpoints {
        for (which, t) in [("title", &ep.title), ("body", &ep.body)] {
            if let Some(src) = t {
                if let Err(e) = crate::render::check(which, src) {
                    errors.push(
                        ConfigError::new(e.to_string())
                            .endpoint(ep.label())
                            .at(ep.line.map(|l| (l, 1))),
                    );
                }
            }
        }
    }
    errors.extend(render_samples(cfg));
    let mut lists: Vec<(String, &Vec<String>)> = Vec::new();
    if let Some(p) = &cfg.events {
        lists.push(("root events".into(), &p.raw));
    }
    for ep in &cfg.endpoints {
        if let Some(p) = &ep.events {
            lists.push((format!("endpoint {}", ep.label()), &p.raw));
        }
    }
    for (owner, names) in lists {
        for name in names {
            if name.contains(['*', '?', '[']) || is_known(name) {
                continue;
            }
            let status = crate::event::status_for(name);
            let hint = match nearest(name, KNOWN_EVENTS.iter().map(|(n, _)| *n)) {
                Some(n) => format!("; did you mean \"{n}\"?"),
                None => String::new(),
            };
            warnings.push(format!(
                "{owner}: \"{name}\" is not a known event (it would map to status {}){hint}",
                status.as_str()
            ));
        }
    }
    if let Some(w) = permission_warning(cfg) {
        warnings.push(w);
    }
    (errors, warnings)
}

/// Render every endpoint's texts and requests once against the sample failure event, so
/// a template that loops, explodes or produces invalid JSON is caught here, not at 3 a.m.
fn render_samples(cfg: &Config) -> Vec<ConfigError> {
    let ev = crate::event::Event::sample("backup_failure", || "bnotify-check".to_string());
    let mut errors = Vec::new();
    for ep in &cfg.endpoints {
        let texts = crate::render::texts(
            &ev,
            (&ep.name, ep.kind.name),
            (ep.title.as_deref(), ep.body.as_deref()),
            (
                cfg.templates.title.as_deref(),
                cfg.templates.body.as_deref(),
            ),
        );
        let result = texts.map_err(|e| e.to_string()).and_then(|(title, body)| {
            let msg = crate::channels::Message {
                event: &ev,
                title,
                body,
                endpoint: &ep.name,
                kind: ep.kind.name,
            };
            ep.channel.prepare(&msg).map(|_| ()).map_err(|e| e.message)
        });
        if let Err(e) = result {
            errors.push(
                ConfigError::new(format!("fails on the sample event: {e}"))
                    .endpoint(ep.label())
                    .at(ep.line.map(|l| (l, 1)))
                    .hint("try it with \"bnotify test notify backup_failure --dry-run\""),
            );
        }
    }
    errors
}

#[cfg(unix)]
fn permission_warning(cfg: &Config) -> Option<String> {
    use std::os::unix::fs::PermissionsExt;
    let mode = std::fs::metadata(&cfg.path).ok()?.permissions().mode();
    let has_secrets = cfg.endpoints.iter().any(|e| !e.secrets().is_empty());
    (has_secrets && mode & 0o004 != 0).then(|| {
        format!(
            "{} holds secrets and is readable by other users (mode {:o}); run: chmod 600 {}",
            cfg.path.display(),
            mode & 0o777,
            cfg.path.display()
        )
    })
}

#[cfg(not(unix))]
fn permission_warning(_: &Config) -> Option<String> {
    None
}
