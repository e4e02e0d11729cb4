//! Noise-control state (SPEC §11): the last outcome each endpoint was told per task
//! (`when: change`) and the throttle windows per (event, task).
//!
//! One JSON file in the state directory, read, decided on and written back atomically
//! under an exclusive lock, so concurrent cron jobs neither lose nor corrupt it, and each
//! decision is recorded before the next process may decide.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::config::{Endpoint, When};
use crate::event::{now_rfc3339, Event, Status};

/// The state file cannot be read, locked or written: which file, and why.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct StateError(pub String);

impl From<String> for StateError {
    fn from(s: String) -> StateError {
        StateError(s)
    }
}

impl From<&str> for StateError {
    fn from(s: &str) -> StateError {
        StateError(s.to_string())
    }
}

impl From<StateError> for String {
    fn from(e: StateError) -> String {
        e.0
    }
}

/// Format version of the state file.
pub(crate) const VERSION: u32 = 1;

/// The last outcome an endpoint was told for a task.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub(crate) struct Told {
    /// `success` or `failure`.
    pub status: Status,
    /// The event that told it.
    pub event: String,
    /// When (RFC 3339).
    pub at: String,
}

/// A throttle window of an endpoint for one (event, task).
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub(crate) struct Window {
    /// When the last delivered one went out (RFC 3339).
    pub since: String,
    /// Unix time the window closes.
    pub until: u64,
    /// Repeats held back in this window.
    pub suppressed: u64,
}

/// Everything remembered.
#[derive(Debug, Clone, Serialize, Deserialize, Default, PartialEq, Eq)]
pub(crate) struct State {
    /// Format version.
    #[serde(default)]
    pub version: u32,
    /// endpoint → task → last outcome told.
    #[serde(default)]
    pub outcomes: BTreeMap<String, BTreeMap<String, Told>>,
    /// endpoint → "event task" → window.
    #[serde(default)]
    pub throttles: BTreeMap<String, BTreeMap<String, Window>>,
    /// endpoint → task → the last outcome (success or failure) that passed its throttle,
    /// delivered or held back: a change of outcome opens a new window.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub seen: BTreeMap<String, BTreeMap<String, Status>>,
    /// task → its history, whatever the endpoints' `when` (for `overdue` and the metrics).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub tasks: BTreeMap<String, TaskHistory>,
}

pub(crate) use crate::history::{remember_history, TaskHistory};

/// What the gate decided for one endpoint.
#[derive(Debug, Clone)]
pub(crate) enum Decision {
    /// Deliver this event (possibly with `fields.suppressed` added).
    Deliver(Box<Event>),
    /// Hold it back, and why.
    Skip(String),
}

/// The state file and its lock.
#[derive(Debug)]
pub(crate) struct Store {
    dir: PathBuf,
}

impl Store {
    /// The store in `dir`.
    pub(crate) fn new(dir: &Path) -> Store {
        Store {
            dir: dir.to_path_buf(),
        }
    }

    fn file(&self) -> PathBuf {
        self.dir.join("state.json")
    }

    /// Read the state without locking (for `state show`); a missing file is empty state.
    pub(crate) fn read(&self) -> Result<State, StateError> {
        match crate::files::read_own(&self.file()) {
            Ok(b) => serde_json::from_slice(&b).map_err(|e| {
                StateError(format!(
                    "{} is not a bnotify state file: {e}",
                    self.file().display()
                ))
            }),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(State::default()),
            Err(e) => Err(format!("cannot read {}: {e}", self.file().display()).into()),
        }
    }

    /// Run `f` on the state under the exclusive lock; write the result back atomically
    /// when `write` is set. A corrupt state file is replaced (with a warning) rather than
    /// blocking every notification.
    pub(crate) fn update<T>(
        &self,
        write: bool,
        f: impl FnOnce(&mut State) -> T,
    ) -> Result<(T, Option<String>), StateError> {
        self.update_with(write, true, f)
    }

    /// [`Store::update`] for the task history alone: the same lock and atomic rename, but
    /// without waiting for the disk (`fsync`), which would triple the cost of a send. A
    /// power loss may lose the last update; a file it left torn reads as fresh state,
    /// with a warning, like any corrupt state file.
    pub(crate) fn update_quick<T>(
        &self,
        f: impl FnOnce(&mut State) -> T,
    ) -> Result<(T, Option<String>), StateError> {
        self.update_with(true, false, f)
    }

    fn update_with<T>(
        &self,
        write: bool,
        durable: bool,
        f: impl FnOnce(&mut State) -> T,
    ) -> Result<(T, Option<String>), StateError> {
        let dir_warning = crate::files::private_dir(&self.dir)
            .map_err(|e| format!("cannot create {}: {e}", self.dir.display()))?;
        let lock = crate::files::open_lock(&self.dir.join(".state.lock"))
            .map_err(|e| format!("cannot open the state lock in {}: {e}", self.dir.display()))?;
        lock.lock()
            .map_err(|e| format!("cannot lock the state: {e}"))?;
        let (mut state, warning) = match self.read() {
            Ok(s) => (s, dir_warning),
            Err(e) => {
                let fresh = format!("{e}; starting afresh");
                let warning = match dir_warning {
                    Some(d) => format!("{d}\nwarning: {fresh}"),
                    None => fresh,
                };
                (State::default(), Some(warning))
            }
        };
        let out = f(&mut state);
        if write {
            state.version = VERSION;
            self.save(&state, durable)?;
        }
        Ok((out, warning))
    }

    fn save(&self, state: &State, durable: bool) -> Result<(), StateError> {
        let path = self.file();
        let bytes = serde_json::to_vec_pretty(state).map_err(|e| e.to_string())?;
        crate::files::write_atomic(&path, &bytes, durable)
            .map_err(|e| StateError(format!("cannot write {}: {e}", path.display())))
    }
}

/// Whether any endpoint needs the state.
pub(crate) fn needed(eps: &[&Endpoint]) -> bool {
    eps.iter()
        .any(|e| e.when == When::Change || e.throttle.is_some())
}

impl State {
    /// Decide for one endpoint, updating the state as if it were delivered.
    pub(crate) fn decide(&mut self, ep: &Endpoint, ev: &Event, now: u64) -> Decision {
        let task = ev.task.clone().unwrap_or_default();
        let mut recovered = None;
        if ep.when == When::Change && matches!(ev.status, Status::Success | Status::Failure) {
            let told = self.outcomes.entry(ep.name.clone()).or_default();
            if let Some(last) = told.get(&task).filter(|t| t.status == ev.status) {
                return Decision::Skip(format!(
                    "unchanged: still {} since {}",
                    last.status.as_str(),
                    last.at
                ));
            }
            // The first success after a failure: say since when it had been failing.
            recovered = told
                .get(&task)
                .filter(|t| t.status == Status::Failure && ev.status == Status::Success)
                .map(|t| t.at.clone());
            told.insert(
                task.clone(),
                Told {
                    status: ev.status,
                    event: ev.event.clone(),
                    at: now_rfc3339(),
                },
            );
        }
        let recovery;
        let ev = match recovered {
            Some(since) => {
                let mut e = ev.clone();
                e.fields.insert("failing_since".into(), since.into());
                recovery = e;
                &recovery
            }
            None => ev,
        };
        let Some(window) = ep.throttle else {
            return Decision::Deliver(Box::new(ev.clone()));
        };
        let key = format!("{} {task}", ev.event);
        if matches!(ev.status, Status::Success | Status::Failure) {
            let seen = self.seen.entry(ep.name.clone()).or_default();
            let changed = seen
                .insert(task.clone(), ev.status)
                .is_some_and(|s| s != ev.status);
            if changed {
                // failure → success → failure: each change of outcome is news.
                if let Some(w) = self.throttles.get_mut(&ep.name) {
                    w.retain(|k, _| k.split_once(' ').map(|(_, kt)| kt) != Some(task.as_str()));
                }
            }
        }
        let windows = self.throttles.entry(ep.name.clone()).or_default();
        if let Some(w) = windows.get_mut(&key).filter(|w| now < w.until) {
            w.suppressed += 1;
            return Decision::Skip(format!(
                "throttled: already sent at {} ({} held back in this window)",
                w.since, w.suppressed
            ));
        }
        let mut out = ev.clone();
        if let Some(prev) = windows.get(&key).filter(|w| w.suppressed > 0) {
            out.fields
                .insert("suppressed".into(), prev.suppressed.into());
            out.fields
                .insert("suppressed_since".into(), prev.since.clone().into());
        }
        windows.insert(
            key,
            Window {
                since: now_rfc3339(),
                until: now + window.as_secs().max(1),
                suppressed: 0,
            },
        );
        Decision::Deliver(Box::new(out))
    }

    /// Put back what `before` knew about endpoint `name` (a decision that must not count).
    pub(crate) fn restore_endpoint(&mut self, before: &State, name: &str) {
        fn put<T: Clone>(map: &mut BTreeMap<String, T>, before: &BTreeMap<String, T>, name: &str) {
            match before.get(name) {
                Some(v) => {
                    map.insert(name.to_string(), v.clone());
                }
                None => {
                    map.remove(name);
                }
            }
        }
        put(&mut self.outcomes, &before.outcomes, name);
        put(&mut self.throttles, &before.throttles, name);
        put(&mut self.seen, &before.seen, name);
    }

    /// Remember `ev` in its task's history at `now` (an event without a task is not kept).
    pub(crate) fn record(&mut self, ev: &Event, now: u64) {
        let Some(task) = ev.task.as_deref().filter(|t| !t.is_empty()) else {
            return;
        };
        let h = self
            .tasks
            .entry(task.to_string())
            .or_insert_with(|| TaskHistory {
                first_seen: now,
                ..TaskHistory::default()
            });
        match ev.status {
            Status::Start => h.last_start = Some(now),
            Status::Success => h.last_success = Some(now),
            Status::Failure => h.last_failure = Some(now),
            Status::Info => {}
        }
        if let Some(d) = ev.duration_ms {
            h.last_duration_ms = Some(d);
        }
        if let Some(size) = ev.backup.as_ref().and_then(|b| b.size) {
            h.last_size = Some(size);
        }
        if let Some(code) = ev.fields.get("exit_code").and_then(exit_code) {
            h.last_exit_code = Some(code);
        }
        h.events.insert(ev.event.clone(), now);
    }

    /// Forget everything about `task` (or everything).
    pub(crate) fn reset(&mut self, task: Option<&str>) {
        match task {
            None => *self = State::default(),
            Some(t) => {
                for told in self.outcomes.values_mut() {
                    told.remove(t);
                }
                for w in self.throttles.values_mut() {
                    w.retain(|k, _| k.split_once(' ').map(|(_, kt)| kt) != Some(t));
                }
                for s in self.seen.values_mut() {
                    s.remove(t);
                }
                self.tasks.remove(t);
                self.seen.retain(|_, v| !v.is_empty());
                self.outcomes.retain(|_, v| !v.is_empty());
                self.throttles.retain(|_, v| !v.is_empty());
            }
        }
    }
}

/// An exit code given as a number or a numeric string.
fn exit_code(v: &serde_json::Value) -> Option<i64> {
    v.as_i64()
        .or_else(|| v.as_str().and_then(|s| s.trim().parse().ok()))
}

/// Make sure the histories are at hand: read them from the state file in `dir` when this
/// process has recorded none (`outbox flush`, `--dry-run`). Trouble reading means none.
pub(crate) fn load_history(dir: &Path) {
    crate::history::load_once(|| Store::new(dir).read().map(|s| s.tasks).unwrap_or_default());
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::channels::testkit::event;
    use crate::config::Config;

    /// The endpoint `a` with these extra keys (e.g. `when: change`, `throttle: 1h`).
    fn endpoint(keys: &str) -> Endpoint {
        let text =
            format!("endpoints:\n  - {{name: a, type: webhook, url: 'http://h/x', {keys}}}\n");
        let cfg = Config::parse(&text, Path::new("c.yaml"), &|_| None).expect("valid");
        cfg.endpoints.into_iter().next().expect("one endpoint")
    }

    fn sent(d: &Decision) -> Option<&Event> {
        match d {
            Decision::Deliver(e) => Some(e),
            Decision::Skip(_) => None,
        }
    }

    /// `when: change`, one row per event in order: whether it goes out, and why not.
    #[test]
    fn change_tells_each_outcome_once_and_the_recovery() {
        let ep = endpoint("when: change");
        let mut st = State::default();
        for (i, (name, goes, why)) in [
            ("backup_start", true, ""),
            ("backup_failure", true, ""),
            ("backup_failure", false, "unchanged: still failure"),
            ("backup_start", true, "a start is not an outcome"),
            ("user_login", true, "info is not an outcome"),
            ("backup_success", true, ""),
            ("backup_success", false, "unchanged: still success"),
            ("backup_failure", true, ""),
        ]
        .into_iter()
        .enumerate()
        {
            let d = st.decide(&ep, &event(name, None), 1_000 + i as u64);
            assert_eq!(sent(&d).is_some(), goes, "row {i} {name}: {d:?}");
            if let Decision::Skip(w) = &d {
                assert!(w.starts_with(why), "row {i}: {w}");
            }
            if i == 5 {
                let e = sent(&d).unwrap();
                assert!(
                    e.fields.contains_key("failing_since"),
                    "the recovery says since when"
                );
            }
        }
        // Another task has its own outcome.
        let mut other = event("backup_failure", None);
        other.task = Some("web".into());
        assert!(sent(&st.decide(&ep, &other, 2_000)).is_some());
    }

    /// `throttle: 1h` with the clock as an argument: repeats inside the window are held
    /// back and counted; the first one after it says how many were.
    #[test]
    fn throttle_holds_repeats_within_the_window_by_the_given_clock() {
        let ep = endpoint("throttle: 1h");
        let mut st = State::default();
        let fail = event("backup_failure", None);
        let t0 = 1_764_460_000;
        assert!(sent(&st.decide(&ep, &fail, t0)).is_some());
        for (k, dt) in [1, 60, 3_599].into_iter().enumerate() {
            match st.decide(&ep, &fail, t0 + dt) {
                Decision::Skip(w) => {
                    assert!(w.contains(&format!("({} held back", k + 1)), "{w}")
                }
                d => panic!("+{dt}s: {d:?}"),
            }
        }
        let after = st.decide(&ep, &fail, t0 + 3_600);
        let e = sent(&after).expect("the window has closed");
        assert_eq!(e.fields["suppressed"], 3);
        assert!(e.fields.contains_key("suppressed_since"));
        // A change of outcome is news at once, even inside a window.
        let ok = event("backup_success", None);
        assert!(sent(&st.decide(&ep, &ok, t0 + 3_601)).is_some());
        assert!(
            sent(&st.decide(&ep, &fail, t0 + 3_602)).is_some(),
            "failure again"
        );
        // Another event of the same task has a window of its own.
        assert!(sent(&st.decide(&ep, &event("backup_start", None), t0 + 3_603)).is_some());
        // Endpoints without either key never consult the state.
        assert!(!needed(&[&endpoint("retries: 1")]));
        assert!(needed(&[&endpoint("retries: 1"), &ep]));
    }

    /// A decision that must not count (its outbox entry could not be written) is undone
    /// for that endpoint only; `reset` forgets one task or everything.
    #[test]
    fn restore_and_reset() {
        let ep = endpoint("when: change");
        let mut st = State::default();
        let before = st.clone();
        assert!(sent(&st.decide(&ep, &event("backup_failure", None), 1)).is_some());
        st.restore_endpoint(&before, "a");
        assert_eq!(st, before);
        assert!(sent(&st.decide(&ep, &event("backup_failure", None), 2)).is_some());
        let mut web = event("backup_failure", None);
        web.task = Some("web".into());
        st.decide(&ep, &web, 3);
        st.record(&web, 3);
        st.reset(Some("db"));
        assert!(sent(&st.decide(&ep, &event("backup_failure", None), 4)).is_some());
        assert!(
            sent(&st.decide(&ep, &web, 5)).is_none(),
            "web is still remembered"
        );
        st.reset(None);
        assert_eq!(st, State::default());
    }

    /// The history keeps, per task, when each kind of event was last seen and the last
    /// duration, size and exit code reported; events without a task are not kept.
    #[test]
    fn record_keeps_the_task_history() {
        let mut st = State::default();
        let mut start = event("backup_start", None);
        start.task = Some("db".into());
        st.record(&start, 100);
        let mut fail = event("backup_failure", Some(3));
        fail.duration_ms = Some(4_200);
        st.record(&fail, 160);
        st.record(&event("backup_success", Some(0)), 200);
        let h = &st.tasks["db"];
        assert_eq!(h.first_seen, 100);
        assert_eq!(
            (h.last_start, h.last_failure, h.last_success),
            (Some(100), Some(160), Some(200))
        );
        assert_eq!(h.last_duration_ms, Some(4_200));
        assert_eq!(h.last_exit_code, Some(0), "the newest exit code");
        assert_eq!(h.events["backup_failure"], 160);
        let mut no_task = event("backup_failure", None);
        no_task.task = None;
        st.record(&no_task, 300);
        assert_eq!(st.tasks.len(), 1);
    }
}
