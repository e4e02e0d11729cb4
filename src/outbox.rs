//! The outbox (SPEC §8): one JSON file per delivery that failed after its retries,
//! written atomically (temp file, fsync, rename, fsync of the directory).
//!
//! Flushes and purges hold an exclusive lock on `.lock` in the outbox directory, so two
//! flushes never send the same entry. An entry is removed only after its delivery
//! succeeded: a crash at any instant loses none (at worst one is sent again).

use std::fs::{self, File};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};

use serde::{Deserialize, Serialize};
use time::format_description::well_known::Rfc3339;
use time::OffsetDateTime;

use crate::event::Event;

/// Format version of entry files.
pub const VERSION: u32 = 1;

/// One undelivered notification.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Entry {
    /// Format version.
    pub version: u32,
    /// Endpoint name in the config.
    pub endpoint: String,
    /// The event, as it was built (with its attachments).
    pub event: Event,
    /// Attempts made so far.
    pub attempts: u32,
    /// The last error (masked).
    pub last_error: String,
    /// When it first failed (RFC 3339).
    pub first_failed: String,
}

impl Entry {
    /// How long ago it first failed (zero when the time cannot be read).
    pub fn age(&self) -> Duration {
        OffsetDateTime::parse(&self.first_failed, &Rfc3339)
            .ok()
            .and_then(|t| {
                let secs = (OffsetDateTime::now_utc() - t).whole_seconds();
                u64::try_from(secs).ok()
            })
            .map_or(Duration::ZERO, Duration::from_secs)
    }
}

/// The outbox directory's lock, held until dropped.
#[derive(Debug)]
pub struct Lock {
    _file: File,
}

/// Take the outbox's exclusive lock, waiting for another holder to finish.
pub fn lock(dir: &Path) -> std::io::Result<Lock> {
    fs::create_dir_all(dir)?;
    let f = fs::OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(dir.join(".lock"))?;
    f.lock()?;
    Ok(Lock { _file: f })
}

/// Write `entry` into `dir` atomically under a new name; returns the file's path.
pub fn write(dir: &Path, entry: &Entry) -> std::io::Result<PathBuf> {
    fs::create_dir_all(dir)?;
    let name = format!(
        "{}-{}-{}.json",
        crate::http::unix_now(),
        sanitize(&entry.endpoint),
        &uuid::Uuid::new_v4().simple().to_string()[..8]
    );
    let path = dir.join(name);
    replace(&path, entry)?;
    Ok(path)
}

/// Atomically write `entry` to `path` (creating or replacing it).
pub fn replace(path: &Path, entry: &Entry) -> std::io::Result<()> {
    let dir = path.parent().unwrap_or(Path::new("."));
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let tmp = dir.join(format!(".{name}.{}.tmp", std::process::id()));
    let bytes = serde_json::to_vec_pretty(entry).map_err(std::io::Error::other)?;
    let result = (|| {
        let mut f = File::create(&tmp)?;
        f.write_all(&bytes)?;
        f.sync_all()?;
        fs::rename(&tmp, path)?;
        File::open(dir)?.sync_all()
    })();
    if result.is_err() {
        let _ = fs::remove_file(&tmp);
    }
    result
}

/// Remove a delivered entry (and make the removal durable).
pub fn remove(path: &Path) -> std::io::Result<()> {
    fs::remove_file(path)?;
    if let Some(dir) = path.parent() {
        File::open(dir)?.sync_all()?;
    }
    Ok(())
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

/// Entry files in `dir`, oldest first (temp files, the lock and other names are skipped).
pub fn files(dir: &Path) -> Vec<PathBuf> {
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

/// Read one entry; a corrupt or foreign file gives an error naming it.
pub fn read(path: &Path) -> Result<Entry, String> {
    let bytes = fs::read(path).map_err(|e| format!("{}: {e}", path.display()))?;
    parse(&bytes).map_err(|e| format!("{}: not a bnotify outbox entry ({e})", path.display()))
}

/// Parse entry bytes.
pub fn parse(bytes: &[u8]) -> Result<Entry, String> {
    let e: Entry = serde_json::from_slice(bytes).map_err(|e| e.to_string())?;
    if e.version != VERSION {
        return Err(format!("unknown version {}", e.version));
    }
    Ok(e)
}

/// How many entries wait in `dir`.
pub fn count(dir: &Path) -> usize {
    files(dir).len()
}

/// The modification time of a file, for sorting and purging foreign files.
pub fn modified(path: &Path) -> Option<SystemTime> {
    fs::metadata(path).and_then(|m| m.modified()).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry() -> Entry {
        Entry {
            version: VERSION,
            endpoint: "ops/hook".into(),
            event: Event {
                event: "backup_failure".into(),
                ..Event::default()
            },
            attempts: 3,
            last_error: "HTTP 503".into(),
            first_failed: "2026-11-23T22:10:00Z".into(),
        }
    }

    #[test]
    fn write_then_read_back() {
        let dir = tempfile::tempdir().unwrap();
        let p = write(dir.path(), &entry()).unwrap();
        assert!(p
            .file_name()
            .unwrap()
            .to_str()
            .unwrap()
            .contains("ops_hook"));
        assert_eq!(files(dir.path()), vec![p.clone()]);
        assert_eq!(read(&p).unwrap().attempts, 3);
        fs::write(dir.path().join("zz-foreign.json"), "not json").unwrap();
        assert!(read(&dir.path().join("zz-foreign.json")).is_err());
        let _l = lock(dir.path()).unwrap();
        assert_eq!(files(dir.path()).len(), 2, "the lock file is not an entry");
        remove(&p).unwrap();
        assert_eq!(files(dir.path()).len(), 1);
    }

    #[test]
    fn age_from_first_failed() {
        let mut e = entry();
        assert!(e.age() > Duration::from_secs(3600));
        e.first_failed = crate::event::now_rfc3339();
        assert!(e.age() < Duration::from_secs(5));
        e.first_failed = "garbage".into();
        assert_eq!(e.age(), Duration::ZERO);
    }
}
