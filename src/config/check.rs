//! `config check` beyond what loading already verified: templates compile, event names
//! are known, and a file holding secrets is not readable by other users.

use super::{nearest, Config, ConfigError};
use crate::event::{is_known, KNOWN_EVENTS};

/// Problems (errors) and findings (warnings) of a loaded config.
pub fn lint(cfg: &Config) -> (Vec<ConfigError>, Vec<String>) {
    let mut errors = Vec::new();
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
