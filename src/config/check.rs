//! `config check` beyond what loading already verified: templates compile, event names
//! are known, and a file holding secrets is not readable by other users.

use super::{nearest, Config, ConfigError};
use crate::event::{is_known, KNOWN_EVENTS};

/// Problems (errors) and findings (warnings) of a loaded config.
pub(crate) fn lint(cfg: &Config) -> (Vec<ConfigError>, Vec<String>) {
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
                            .at(ep.value_at(which).or(Some(ep.at))),
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
    warnings.extend(permission_warnings(cfg));
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
                    .at(Some(ep.at))
                    .hint("try it with \"bnotify test notify backup_failure --dry-run\""),
            );
        }
    }
    errors
}

/// Whether the config text holds a secret written out, not only `${...}` references: a
/// secret value of an endpoint, URL user-info, or a secret query value.
pub(super) fn has_literal_secret(text: &str, cfg: &Config) -> bool {
    let literal = super::without_refs(text);
    let secrets = cfg.endpoints.iter().flat_map(super::Endpoint::secrets);
    secrets
        .filter(|s| s.trim().len() >= 3)
        .any(|s| literal.contains(&s))
        || has_userinfo(&literal)
        || crate::redact::mask_query_values(&literal) != literal
}

/// Whether some URL in `text` carries user-info (`://user:pass@host`).
fn has_userinfo(text: &str) -> bool {
    text.match_indices("://").any(|(i, _)| {
        let rest = &text[i + 3..];
        let end = rest
            .find(|c: char| "/?#\"'".contains(c) || c.is_whitespace())
            .unwrap_or(rest.len());
        rest[..end]
            .rsplit_once('@')
            .is_some_and(|(info, _)| !info.trim_matches(':').is_empty())
    })
}

/// Warnings for files that hold secrets and that other users can read: the config file
/// when it holds a literal secret, and every `${file:}` it reads.
#[cfg(unix)]
fn permission_warnings(cfg: &Config) -> Vec<String> {
    let Ok(text) = std::fs::read_to_string(&cfg.path) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    if has_literal_secret(&text, cfg) {
        out.extend(world_readable(&cfg.path, "holds secrets"));
    }
    for p in super::file_refs(&text, &|n| std::env::var(n).ok()) {
        out.extend(world_readable(&p, "holds a secret (read with ${file:})"));
    }
    out
}

#[cfg(unix)]
fn world_readable(path: &std::path::Path, what: &str) -> Option<String> {
    use std::os::unix::fs::PermissionsExt;
    let mode = std::fs::metadata(path).ok()?.permissions().mode();
    (mode & 0o004 != 0).then(|| {
        format!(
            "{} {what} and is readable by other users (mode {:o}); run: chmod 600 {}",
            path.display(),
            mode & 0o777,
            path.display()
        )
    })
}

#[cfg(not(unix))]
fn permission_warnings(_: &Config) -> Vec<String> {
    Vec::new()
}
