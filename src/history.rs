//! What the state remembers of each task (last start, success, failure, duration, size,
//! exit code), and the histories at hand in this process for the metrics channels. A
//! leaf: the noise-control state stores these, the metrics channels read them.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

/// What the state remembers of one task (times are Unix seconds).
#[derive(Debug, Clone, Serialize, Deserialize, Default, PartialEq, Eq)]
pub(crate) struct TaskHistory {
    /// When an event for it was first seen.
    pub first_seen: u64,
    /// The last `start` event.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_start: Option<u64>,
    /// The last success.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_success: Option<u64>,
    /// The last failure.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_failure: Option<u64>,
    /// The last duration given, in milliseconds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_duration_ms: Option<u64>,
    /// The last backup size given, in bytes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_size: Option<u64>,
    /// The last exit code given (`fields.exit_code`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_exit_code: Option<i64>,
    /// event name → when it was last seen.
    #[serde(default)]
    pub events: BTreeMap<String, u64>,
}

/// The task histories this process last recorded or read, for the metrics channels.
static HISTORY: std::sync::Mutex<Option<BTreeMap<String, TaskHistory>>> =
    std::sync::Mutex::new(None);

/// Keep `tasks` as the histories the metrics channels report.
pub(crate) fn remember_history(tasks: &BTreeMap<String, TaskHistory>) {
    if let Ok(mut h) = HISTORY.lock() {
        *h = Some(tasks.clone());
    }
}

/// Set the histories from `read` when this process has none at hand yet.
pub(crate) fn load_once(read: impl FnOnce() -> BTreeMap<String, TaskHistory>) {
    let Ok(mut h) = HISTORY.lock() else { return };
    if h.is_none() {
        *h = Some(read());
    }
}

/// The task histories at hand (empty when none were recorded or read).
pub(crate) fn history() -> BTreeMap<String, TaskHistory> {
    HISTORY
        .lock()
        .ok()
        .and_then(|h| h.clone())
        .unwrap_or_default()
}
