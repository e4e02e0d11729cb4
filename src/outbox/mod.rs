//! The outbox (SPEC §8): write-ahead, one JSON file per delivery.
//!
//! A delivery's entry is written (atomically, without fsync) before its first attempt and
//! removed once it is delivered; a failure is recorded in it durably (fsync). So a
//! `send` killed at any instant leaves every undelivered event on disk.
//!
//! The process that writes an entry holds an `flock` on it (taken on the temp file
//! before it is renamed into place, so no entry is ever visible unlocked) until the
//! delivery is settled. A flush skips locked entries, so it never sends what a running
//! `send` is sending; the kernel drops the lock when the writer dies, however it dies.
//! Flushes and purges also hold `.lock`, so two flushes never send the same entry.

use std::collections::{BTreeMap, BTreeSet};
use std::fs::{self, File};
use std::io;
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::time::Duration;

use serde::{Deserialize, Serialize};
use time::format_description::well_known::Rfc3339;
use time::OffsetDateTime;

use crate::event::Event;
use crate::files;

/// Format version of entry files written now (version 1 files are still read).
pub(crate) const VERSION: u32 = 2;

/// One notification on its way, or that could not be delivered yet.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct Entry {
    /// Format version.
    pub version: u32,
    /// Endpoint name in the config.
    pub endpoint: String,
    /// The event, as it was built (with its attachments).
    pub event: Event,
    /// Attempts made so far.
    pub attempts: u32,
    /// The last error (masked); empty while none failed.
    #[serde(default)]
    pub last_error: String,
    /// When it first failed (RFC 3339); empty while none failed.
    #[serde(default)]
    pub first_failed: String,
    /// When it was queued (RFC 3339, milliseconds); ages count from here.
    #[serde(default)]
    pub queued_at: String,
    /// Requests (by index) already delivered, for channels whose requests stand alone
    /// (one per file, one per recipient): a flush sends only the others.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub done: Vec<usize>,
    /// Delivered, but the file could not be removed: never send it again.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub delivered: bool,
    /// The notification URL of an ad-hoc endpoint (`send --to`), so that `outbox flush`
    /// can rebuild it without a config (the entry file is 0600, like the payload it holds).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub to: Option<String>,
}

impl Entry {
    /// A new entry for `event` to `endpoint`, queued now.
    pub(crate) fn new(endpoint: &str, event: Event) -> Entry {
        Entry {
            version: VERSION,
            endpoint: endpoint.to_string(),
            event,
            attempts: 0,
            last_error: String::new(),
            first_failed: String::new(),
            queued_at: now_millis_rfc3339(),
            done: Vec::new(),
            delivered: false,
            to: None,
        }
    }

    /// The same entry for an ad-hoc endpoint given with `--to URL`.
    pub(crate) fn with_to(mut self, to: Option<String>) -> Entry {
        self.to = to;
        self
    }

    /// How long ago it was queued (for version 1 files: first failed), to the
    /// millisecond; zero when the time cannot be read.
    pub(crate) fn age(&self) -> Duration {
        let since = if self.queued_at.is_empty() {
            &self.first_failed
        } else {
            &self.queued_at
        };
        OffsetDateTime::parse(since, &Rfc3339)
            .ok()
            .and_then(|t| {
                let ms = (OffsetDateTime::now_utc() - t).whole_milliseconds();
                u64::try_from(ms).ok()
            })
            .map_or(Duration::ZERO, Duration::from_millis)
    }

    /// Record a failed attempt series (the caller writes the entry durably).
    pub(crate) fn failed(&mut self, attempts: u32, error: &str) {
        self.attempts += attempts;
        self.last_error = error.to_string();
        if self.first_failed.is_empty() {
            self.first_failed = now_millis_rfc3339();
        }
    }
}

/// Now, RFC 3339 with milliseconds.
pub(crate) fn now_millis_rfc3339() -> String {
    let now = OffsetDateTime::now_utc();
    let ms = now.millisecond();
    let now = now
        .replace_nanosecond(u32::from(ms) * 1_000_000)
        .unwrap_or(now);
    now.format(&Rfc3339).unwrap_or_default()
}

/// Entry files this process wrote and has not settled yet: what a signal handler makes
/// durable before the process exits.
static PENDING: Mutex<BTreeMap<PathBuf, String>> = Mutex::new(BTreeMap::new());

/// Attachment copies this process wrote (synced with the entries on a signal).
static STORED: Mutex<BTreeSet<PathBuf>> = Mutex::new(BTreeSet::new());

/// The entries this process has not settled yet, with their endpoint names.
pub(crate) fn pending_files() -> Vec<(PathBuf, String)> {
    PENDING
        .lock()
        .map(|p| p.iter().map(|(f, e)| (f.clone(), e.clone())).collect())
        .unwrap_or_default()
}

/// Make every unsettled entry of this process durable (for a process about to exit on
/// a signal).
pub(crate) fn sync_pending() {
    let mut files = pending_files();
    if let Ok(s) = STORED.lock() {
        files.extend(s.iter().map(|p| (p.clone(), String::new())));
    }
    let mut dirs = BTreeSet::new();
    for (f, _) in &files {
        if let Ok(file) = File::open(f) {
            let _ = file.sync_all();
        }
        if let Some(d) = f.parent() {
            dirs.insert(d.to_path_buf());
        }
    }
    for d in dirs {
        let _ = files::sync_dir(&d);
    }
}

fn track(path: &Path, endpoint: Option<&str>) {
    if let Ok(mut p) = PENDING.lock() {
        match endpoint {
            Some(e) => p.insert(path.to_path_buf(), e.to_string()),
            None => p.remove(path),
        };
    }
}

/// The outbox of one process that queues deliveries.
#[derive(Debug)]
pub(crate) struct Outbox {
    dir: PathBuf,
    ready: bool,
    /// Attachments stored by this process: (buffer identity) → file name in `files/`.
    stored: Vec<((usize, usize), String)>,
}

/// The folder of attachment copies, shared by the entries of one send.
pub(crate) const FILES: &str = "files";

/// Bytes that are not an outbox entry of a version this bnotify reads.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct NotAnEntry(pub String);

impl From<String> for NotAnEntry {
    fn from(s: String) -> NotAnEntry {
        NotAnEntry(s)
    }
}

impl From<&str> for NotAnEntry {
    fn from(s: &str) -> NotAnEntry {
        NotAnEntry(s.to_string())
    }
}

impl From<NotAnEntry> for String {
    fn from(e: NotAnEntry) -> String {
        e.0
    }
}

/// An entry on disk, locked by this process until it is settled (dropped).
#[derive(Debug)]
pub(crate) struct Queued {
    /// The entry file.
    pub(crate) path: PathBuf,
    _lock: File,
}

impl Outbox {
    /// The outbox in `dir` (nothing is created until an entry is written).
    pub(crate) fn new(dir: &Path) -> Outbox {
        Outbox {
            dir: dir.to_path_buf(),
            ready: false,
            stored: Vec::new(),
        }
    }

    /// Keep one copy of each of `entry`'s attachments (once per send, whatever the
    /// number of entries) and make the entry refer to it.
    pub(crate) fn store_attachments(&mut self, entry: &mut Entry) -> io::Result<()> {
        for a in &mut entry.event.attachments {
            if a.stored.is_some() || !a.is_loaded() {
                continue;
            }
            let id = a.identity();
            if let Some((_, name)) = self.stored.iter().find(|(k, _)| *k == id) {
                a.stored = Some(name.clone());
                continue;
            }
            let dir = self.dir.join(FILES);
            files::private_dir(&dir)?;
            let name = format!(
                "{}-{}",
                &uuid::Uuid::new_v4().simple().to_string()[..12],
                sanitize(&a.name)
            );
            let path = dir.join(&name);
            files::write_atomic(&path, a.bytes(), false)?;
            if let Ok(mut s) = STORED.lock() {
                s.insert(path);
            }
            self.stored.push((id, name.clone()));
            a.stored = Some(name);
        }
        Ok(())
    }

    /// Write `entry` ahead of its delivery (no fsync: the success path stays cheap),
    /// locked until the returned [`Queued`] is dropped. Also returns a warning when the
    /// directory's mode lets other users in.
    pub(crate) fn queue(&mut self, entry: &Entry) -> io::Result<(Queued, Option<String>)> {
        let mut warning = None;
        if !self.ready {
            warning = files::private_dir(&self.dir)?;
            self.ready = true;
        }
        let path = self.dir.join(entry_name(&entry.endpoint));
        let bytes = serde_json::to_vec_pretty(entry).map_err(io::Error::other)?;
        track(&path, Some(&entry.endpoint));
        match files::write_atomic_locked(&path, &bytes) {
            Ok(lock) => Ok((Queued { path, _lock: lock }, warning)),
            Err(e) => {
                track(&path, None);
                Err(e)
            }
        }
    }
}

/// A fresh entry file name: time, endpoint, random part (sorted oldest first).
fn entry_name(endpoint: &str) -> String {
    let ms = OffsetDateTime::now_utc().unix_timestamp_nanos() / 1_000_000;
    format!(
        "{ms}-{}-{}.json",
        sanitize(endpoint),
        &uuid::Uuid::new_v4().simple().to_string()[..8]
    )
}

/// Write `entry` to `path` atomically; `durable` syncs file and directory.
pub(crate) fn write(path: &Path, entry: &Entry, durable: bool) -> io::Result<()> {
    let bytes = serde_json::to_vec_pretty(entry).map_err(io::Error::other)?;
    files::write_atomic(path, &bytes, durable)
}

/// The entry was delivered: remove its file (no fsync: at worst it is sent again).
/// When the file cannot be removed, it is marked delivered in place so that no flush
/// sends it again; the error is returned for the report.
/// What became of an entry once its delivery ended.
#[derive(Debug)]
pub(crate) enum Settled {
    /// Delivered, and its file is gone.
    Removed,
    /// Delivered, but its file could not be removed (it is marked delivered if it can be).
    Unremovable(io::Error),
    /// Failed, and recorded durably for a later flush.
    Queued,
    /// Failed, and the record could not be written.
    NotRecorded(io::Error),
}

/// Settle the entry at `path` after its delivery: remove it when delivered, else record
/// the attempts, the error and the requests already delivered (`done`), durably.
pub(crate) fn settle(
    path: &Path,
    entry: &Entry,
    ok: bool,
    attempts: u32,
    error: &str,
    done: &[usize],
) -> Settled {
    if ok {
        return match delivered(path, entry) {
            Ok(()) => Settled::Removed,
            Err(e) => Settled::Unremovable(e),
        };
    }
    let mut e = entry.clone();
    e.failed(attempts, error);
    e.done = done.to_vec();
    match failed(path, &e) {
        Ok(()) => Settled::Queued,
        Err(err) => Settled::NotRecorded(err),
    }
}

pub(crate) fn delivered(path: &Path, entry: &Entry) -> io::Result<()> {
    track(path, None);
    match fs::remove_file(path) {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(()),
        Err(e) => {
            let mut marked = entry.clone();
            marked.delivered = true;
            let how = mark_in_place(path, &marked).map_or_else(
                |m| format!("; marking it failed too: {m}"),
                |()| "; it is marked delivered and will not be sent again".to_string(),
            );
            Err(io::Error::new(
                e.kind(),
                format!(
                    "delivered, but {} could not be removed: {e}{how}",
                    path.display()
                ),
            ))
        }
    }
}

/// Rewrite the file itself (its directory may refuse new names).
fn mark_in_place(path: &Path, entry: &Entry) -> io::Result<()> {
    let bytes = serde_json::to_vec_pretty(entry).map_err(io::Error::other)?;
    if files::write_atomic(path, &bytes, true).is_ok() {
        return Ok(());
    }
    let mut o = fs::OpenOptions::new();
    o.write(true).truncate(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        o.custom_flags(libc::O_NOFOLLOW);
    }
    let mut f = o.open(path)?;
    io::Write::write_all(&mut f, &bytes)?;
    f.sync_all()
}

/// The delivery failed: record it durably, and stop tracking it as in flight.
pub(crate) fn failed(path: &Path, entry: &Entry) -> io::Result<()> {
    if let Some(dir) = path.parent() {
        sync_attachments(dir, entry)?;
    }
    let r = write(path, entry, true);
    track(path, None);
    r
}

/// Make the attachment copies an entry refers to durable.
fn sync_attachments(dir: &Path, entry: &Entry) -> io::Result<()> {
    let mut any = false;
    for name in entry
        .event
        .attachments
        .iter()
        .filter_map(|a| a.stored.as_ref())
    {
        File::open(dir.join(FILES).join(name))?.sync_all()?;
        any = true;
    }
    if any {
        files::sync_dir(&dir.join(FILES))?;
    }
    Ok(())
}

/// Load the bytes of the attachments an entry refers to (each copy read once per
/// `cache`). A copy that is gone is named in `left_out` instead.
pub(crate) fn load_attachments(
    dir: &Path,
    entry: &mut Entry,
    cache: &mut BTreeMap<String, std::sync::Arc<[u8]>>,
) {
    let mut kept = Vec::new();
    for a in std::mem::take(&mut entry.event.attachments) {
        let Some(name) = a.stored.clone().filter(|_| !a.is_loaded()) else {
            kept.push(a);
            continue;
        };
        let data = match cache.get(&name) {
            Some(d) => Some(d.clone()),
            None => files::read_own(&dir.join(FILES).join(&name)).ok().map(|b| {
                let d: std::sync::Arc<[u8]> = b.into();
                cache.insert(name.clone(), d.clone());
                d
            }),
        };
        match data {
            Some(d) => kept.push(a.with_data(d)),
            None => entry
                .event
                .left_out
                .push(format!("{} (its copy in the outbox is gone)", a.name)),
        }
    }
    entry.event.attachments = kept;
}

/// Remove attachment copies no entry refers to (left by a killed send or by entries
/// removed since), once they are a minute old.
pub(crate) fn clean_orphans(dir: &Path) {
    let mut used = BTreeSet::new();
    for p in files(dir) {
        if let Ok(e) = read(&p) {
            used.extend(e.event.attachments.iter().filter_map(|a| a.stored.clone()));
        }
    }
    let fdir = dir.join(FILES);
    for p in stale_temp_files(&fdir) {
        let _ = fs::remove_file(p);
    }
    let Ok(rd) = fs::read_dir(&fdir) else {
        return;
    };
    for e in rd.filter_map(Result::ok) {
        let name = e.file_name().to_string_lossy().into_owned();
        let old = e
            .metadata()
            .and_then(|m| m.modified())
            .ok()
            .and_then(|t| t.elapsed().ok())
            .is_some_and(|age| age > Duration::from_secs(60));
        if old && !name.starts_with('.') && !used.contains(&name) {
            let _ = fs::remove_file(e.path());
        }
    }
}

/// Remove an entry for good (purge, expiry).
pub(crate) fn remove(path: &Path) -> io::Result<()> {
    track(path, None);
    fs::remove_file(path)
}

/// Whether a live process holds this entry (it is being delivered right now).
pub(crate) fn in_flight(path: &Path) -> bool {
    let Ok(f) = File::open(path) else {
        return false;
    };
    matches!(f.try_lock(), Err(fs::TryLockError::WouldBlock))
}

/// The outbox directory's lock (for flush and purge), held until dropped.
#[derive(Debug)]
pub(crate) struct Lock {
    _file: File,
}

/// Take the outbox's exclusive lock, waiting for another holder to finish.
pub(crate) fn lock(dir: &Path) -> io::Result<(Lock, Option<String>)> {
    let warning = files::private_dir(dir)?;
    let f = files::open_lock(&dir.join(".lock"))?;
    f.lock()?;
    Ok((Lock { _file: f }, warning))
}

fn sanitize(name: &str) -> String {
    name.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' || c == '_' {
                c
            } else {
                '_'
            }
        })
        .take(40)
        .collect()
}

/// Entry files in `dir`, oldest first (temp files, locks and other names are skipped).
pub(crate) fn files(dir: &Path) -> Vec<PathBuf> {
    let Ok(rd) = fs::read_dir(dir) else {
        return Vec::new();
    };
    let mut v: Vec<PathBuf> = rd
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| {
            p.extension().is_some_and(|x| x == "json")
                && p.file_name()
                    .and_then(|n| n.to_str())
                    .is_some_and(|n| !n.starts_with('.'))
        })
        .collect();
    v.sort();
    v
}

/// Temp files left behind by a process killed while writing, older than a minute.
pub(crate) fn stale_temp_files(dir: &Path) -> Vec<PathBuf> {
    let Ok(rd) = fs::read_dir(dir) else {
        return Vec::new();
    };
    rd.filter_map(Result::ok)
        .filter(|e| {
            e.file_name()
                .to_str()
                .is_some_and(|n| n.starts_with(".tmp-") && n.ends_with(".part"))
        })
        .filter(|e| {
            e.metadata()
                .and_then(|m| m.modified())
                .ok()
                .and_then(|t| t.elapsed().ok())
                .is_some_and(|age| age > Duration::from_secs(60))
        })
        .map(|e| e.path())
        .collect()
}

/// An entry file that could not be read as one.
#[derive(Debug, thiserror::Error)]
#[error("{path}: {problem}")]
pub(crate) struct ReadError {
    path: String,
    problem: String,
}

/// Read one entry; a corrupt or foreign file gives an error naming it.
pub(crate) fn read(path: &Path) -> Result<Entry, ReadError> {
    let err = |problem: String| ReadError {
        path: path.display().to_string(),
        problem,
    };
    let bytes = files::read_own(path).map_err(|e| err(e.to_string()))?;
    parse(&bytes).map_err(|e| err(format!("not a bnotify outbox entry ({e})")))
}

/// Parse entry bytes.
pub(crate) fn parse(bytes: &[u8]) -> Result<Entry, NotAnEntry> {
    let e: Entry = serde_json::from_slice(bytes).map_err(|e| e.to_string())?;
    if !(1..=VERSION).contains(&e.version) {
        return Err(format!("unknown version {}", e.version).into());
    }
    Ok(e)
}

/// How many entries wait in `dir`.
pub(crate) fn count(dir: &Path) -> usize {
    files(dir).len()
}

#[cfg(test)]
mod tests;
