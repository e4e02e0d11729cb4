//! The outbox (SPEC §8): one JSON file per delivery that failed after its retries,
//! written atomically (temp file, fsync, rename, fsync of the directory).

use std::fs::{self, File};
use std::io::Write;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

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
    /// The event, as it was built.
    pub event: Event,
    /// Attempts made so far.
    pub attempts: u32,
    /// The last error (masked).
    pub last_error: String,
    /// When it first failed (RFC 3339).
    pub first_failed: String,
}

/// Write `entry` into `dir` atomically; returns the file's path.
pub fn write(dir: &Path, entry: &Entry) -> std::io::Result<PathBuf> {
    fs::create_dir_all(dir)?;
    let name = format!(
        "{}-{}-{}.json",
        crate::http::unix_now(),
        sanitize(&entry.endpoint),
        &uuid::Uuid::new_v4().simple().to_string()[..8]
    );
    let path = dir.join(&name);
    let tmp = dir.join(format!(".{name}.tmp"));
    let bytes = serde_json::to_vec_pretty(entry).map_err(std::io::Error::other)?;
    let result = (|| {
        let mut f = File::create(&tmp)?;
        f.write_all(&bytes)?;
        f.sync_all()?;
        fs::rename(&tmp, &path)?;
        File::open(dir)?.sync_all()
    })();
    if result.is_err() {
        let _ = fs::remove_file(&tmp);
    }
    result.map(|()| path)
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

/// Entry files in `dir`, oldest first (temp files and other names are skipped).
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
    serde_json::from_slice(&bytes)
        .map_err(|e| format!("{}: not a bnotify outbox entry ({e})", path.display()))
}

/// How many entries wait in `dir`.
pub fn count(dir: &Path) -> usize {
    files(dir).len()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn write_then_read_back() {
        let dir = tempfile::tempdir().unwrap();
        let entry = Entry {
            version: VERSION,
            endpoint: "ops/hook".into(),
            event: Event {
                event: "backup_failure".into(),
                ..Event::default()
            },
            attempts: 3,
            last_error: "HTTP 503".into(),
            first_failed: "2026-11-23T22:10:00Z".into(),
        };
        let p = write(dir.path(), &entry).unwrap();
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
    }
}
