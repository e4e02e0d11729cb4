//! Where the config file and the state live: `--config`, `$BNOTIFY_CONFIG`, XDG, `/etc`.

use std::path::{Path, PathBuf};

use super::ConfigError;

/// Which file is used, and why.
#[derive(Debug, Clone)]
pub(crate) struct Located {
    /// The file.
    pub path: PathBuf,
    /// Why it was chosen, for `config path`.
    pub reason: String,
}

/// Find the config file: `--config`, `$BNOTIFY_CONFIG`, `$XDG_CONFIG_HOME/bnotify/config.yaml`
/// (default `~/.config/...`), `/etc/bnotify/config.yaml`; the first hit wins.
pub(crate) fn locate(cli: Option<&Path>) -> Result<Located, ConfigError> {
    if let Some(p) = cli {
        return exists(p.to_path_buf(), "given with --config");
    }
    if let Some(p) = std::env::var_os("BNOTIFY_CONFIG").filter(|v| !v.is_empty()) {
        return exists(PathBuf::from(p), "from $BNOTIFY_CONFIG");
    }
    let mut tried = Vec::new();
    for (path, why) in candidates() {
        if path.is_file() {
            return Ok(Located { path, reason: why });
        }
        tried.push(path.display().to_string());
    }
    Err(ConfigError::new(format!(
        "no config file found (looked in {})",
        tried.join(", ")
    ))
    .hint("create ~/.config/bnotify/config.yaml (start from config.example.yaml) or pass --config PATH"))
}

fn candidates() -> Vec<(PathBuf, String)> {
    let mut out = Vec::new();
    match std::env::var_os("XDG_CONFIG_HOME").filter(|v| !v.is_empty()) {
        Some(x) => out.push((
            PathBuf::from(x).join("bnotify/config.yaml"),
            "found in $XDG_CONFIG_HOME".to_string(),
        )),
        None => {
            if let Some(home) = home_dir() {
                out.push((
                    home.join(".config/bnotify/config.yaml"),
                    "found in ~/.config (XDG default)".to_string(),
                ));
            }
        }
    }
    out.push((
        PathBuf::from("/etc/bnotify/config.yaml"),
        "found in /etc/bnotify".to_string(),
    ));
    out
}

fn exists(path: PathBuf, why: &str) -> Result<Located, ConfigError> {
    if path.is_file() {
        Ok(Located {
            path,
            reason: why.to_string(),
        })
    } else {
        Err(ConfigError::new(format!(
            "config file {} ({why}) does not exist",
            path.display()
        ))
        .hint("check the path, or run \"bnotify config path\" to see where bnotify looks"))
    }
}

pub(super) use crate::paths::state_home;
pub(crate) use crate::paths::{expand_tilde, home_dir};
