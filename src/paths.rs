//! Where bnotify's files are: the home directory, `~` in paths, the XDG state home.
//! A leaf: it reads the environment and nothing else.

use std::path::PathBuf;

/// The user's home directory.
pub(crate) fn home_dir() -> Option<PathBuf> {
    std::env::var_os("HOME")
        .filter(|h| !h.is_empty())
        .map(PathBuf::from)
}

/// `~/x` → `$HOME/x`.
pub(crate) fn expand_tilde(p: &str) -> PathBuf {
    match (p.strip_prefix("~/"), home_dir()) {
        (Some(rest), Some(home)) => home.join(rest),
        _ => PathBuf::from(p),
    }
}

/// `$XDG_STATE_HOME/bnotify` (default `~/.local/state/bnotify`; `/var/lib/bnotify`
/// without a home).
pub(crate) fn state_home() -> PathBuf {
    std::env::var_os("XDG_STATE_HOME")
        .filter(|v| !v.is_empty())
        .map(PathBuf::from)
        .or_else(|| home_dir().map(|h| h.join(".local/state")))
        .unwrap_or_else(|| PathBuf::from("/var/lib"))
        .join("bnotify")
}
