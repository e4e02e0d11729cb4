//! Files that travel with a notification (SPEC §12): read once (only the tail that the
//! largest endpoint limit needs), shared between endpoints without copies, cut to an
//! endpoint's `max_attachment_size` by keeping their last bytes (a view of the same
//! buffer), and kept once per send in the outbox (entries refer to that copy).

use std::path::Path;
use std::sync::Arc;

use base64::Engine;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// Default `max_attachment_size`.
pub(crate) const DEFAULT_MAX: u64 = 8 * 1024 * 1024;

/// Why a file cannot be attached, as a reader would say it (it is left out).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct Unreadable(pub String);

impl From<String> for Unreadable {
    fn from(s: String) -> Unreadable {
        Unreadable(s)
    }
}

impl From<&str> for Unreadable {
    fn from(s: &str) -> Unreadable {
        Unreadable(s.to_string())
    }
}

impl From<Unreadable> for String {
    fn from(e: Unreadable) -> String {
        e.0
    }
}

/// One attached file.
#[derive(Debug, Clone)]
pub(crate) struct Attachment {
    /// File name shown to the receiver (no directories).
    pub name: String,
    /// MIME type guessed from the name.
    pub content_type: String,
    /// The buffer; the bytes sent are `data[start..]`.
    data: Arc<[u8]>,
    start: usize,
    /// The file's full size when only its tail is sent.
    pub cut_from: Option<u64>,
    /// The outbox's copy of it (a file name in the outbox's `files/`), once stored.
    pub stored: Option<String>,
    /// Size as recorded, for an entry whose copy has not been loaded.
    recorded_size: Option<u64>,
}

impl PartialEq for Attachment {
    fn eq(&self, other: &Self) -> bool {
        self.name == other.name
            && self.content_type == other.content_type
            && self.cut_from == other.cut_from
            && self.bytes() == other.bytes()
    }
}

impl Attachment {
    /// Read the last `tail` bytes of the regular file at `path` (seeking past the rest,
    /// so a huge log costs no more than its tail). A missing or unreadable file, or one
    /// that is not a regular file (directory, FIFO, device), is an error saying why;
    /// nothing here blocks.
    pub(crate) fn read(path: &Path, tail: u64) -> Result<Attachment, Unreadable> {
        use std::io::{Read, Seek, SeekFrom};
        let mut o = std::fs::OpenOptions::new();
        o.read(true);
        #[cfg(unix)]
        {
            use std::os::unix::fs::OpenOptionsExt;
            // A FIFO opened without O_NONBLOCK waits for a writer forever.
            o.custom_flags(libc::O_NONBLOCK | libc::O_CLOEXEC);
        }
        let mut f = o.open(path).map_err(|e| reason(&e))?;
        let meta = f.metadata().map_err(|e| reason(&e))?;
        if !meta.is_file() {
            let what = if meta.is_dir() {
                "a directory"
            } else {
                "not a regular file (a FIFO, socket or device)"
            };
            return Err(what.into());
        }
        let len = meta.len();
        let start = len.saturating_sub(tail);
        if start > 0 {
            f.seek(SeekFrom::Start(start)).map_err(|e| reason(&e))?;
        }
        let mut data = Vec::with_capacity(usize::try_from(len - start).unwrap_or(0));
        f.take(len - start)
            .read_to_end(&mut data)
            .map_err(|e| reason(&e))?;
        let name = path.file_name().map_or_else(
            || "attachment".to_string(),
            |n| n.to_string_lossy().into_owned(),
        );
        let mut a = Attachment::new(name, data);
        if start > 0 {
            a.cut_from = Some(len);
        }
        Ok(a)
    }

    /// An attachment from bytes, its type guessed from `name`.
    pub(crate) fn new(name: String, data: Vec<u8>) -> Attachment {
        let content_type = mime_guess::from_path(&name)
            .first_raw()
            .unwrap_or("application/octet-stream")
            .to_string();
        Attachment {
            name,
            content_type,
            data: data.into(),
            start: 0,
            cut_from: None,
            stored: None,
            recorded_size: None,
        }
    }

    /// The bytes sent.
    pub(crate) fn bytes(&self) -> &[u8] {
        self.data.get(self.start..).unwrap_or_default()
    }

    /// Size of what is sent.
    pub(crate) fn size(&self) -> u64 {
        match self.recorded_size {
            Some(n) if self.data.is_empty() => n,
            _ => self.bytes().len() as u64,
        }
    }

    /// Which buffer and view this is (equal for clones of one read).
    pub(crate) fn identity(&self) -> (usize, usize) {
        (Arc::as_ptr(&self.data) as *const u8 as usize, self.start)
    }

    /// Whether its bytes are here (an outbox entry's are loaded from the stored copy).
    pub(crate) fn is_loaded(&self) -> bool {
        self.recorded_size.is_none() || !self.data.is_empty()
    }

    /// This attachment cut to its last `max` bytes (unchanged when it fits): a view of
    /// the same buffer, no copy.
    pub(crate) fn limited(&self, max: u64) -> Attachment {
        let len = self.bytes().len();
        let max = usize::try_from(max).unwrap_or(usize::MAX);
        if len <= max {
            return self.clone();
        }
        let full = self.cut_from.unwrap_or(len as u64);
        Attachment {
            start: self.start + (len - max),
            cut_from: Some(full),
            ..self.clone()
        }
    }

    /// The same attachment with its bytes loaded from `data` (an outbox copy).
    pub(crate) fn with_data(&self, data: Arc<[u8]>) -> Attachment {
        Attachment {
            data,
            start: 0,
            recorded_size: None,
            ..self.clone()
        }
    }

    /// `log.txt (12 KiB)`, or with the cut: `log.txt (last 8 MiB of 20 MiB)`.
    pub(crate) fn describe(&self) -> String {
        let size = crate::units::human_size(self.size());
        match self.cut_from {
            Some(full) => format!(
                "{} (last {size} of {})",
                self.name,
                crate::units::human_size(full)
            ),
            None => format!("{} ({size})", self.name),
        }
    }
}

/// Why a file could not be read, as a reader would say it.
fn reason(e: &std::io::Error) -> String {
    match e.kind() {
        std::io::ErrorKind::NotFound => "no such file".to_string(),
        std::io::ErrorKind::PermissionDenied => "permission denied".to_string(),
        _ => e.to_string(),
    }
}

#[derive(Serialize, Deserialize)]
struct Wire {
    name: String,
    content_type: String,
    size: u64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    cut_from: Option<u64>,
    /// The bytes (only when not stored in the outbox).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    content_base64: Option<String>,
    /// The outbox's copy.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    file: Option<String>,
}

/// An outbox entry refers to the stored copy; otherwise the bytes travel as base64.
impl Serialize for Attachment {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let content_base64 = match &self.stored {
            Some(_) => None,
            None => Some(base64::engine::general_purpose::STANDARD.encode(self.bytes())),
        };
        Wire {
            name: self.name.clone(),
            content_type: self.content_type.clone(),
            size: self.size(),
            cut_from: self.cut_from,
            content_base64,
            file: self.stored.clone(),
        }
        .serialize(s)
    }
}

impl<'de> Deserialize<'de> for Attachment {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let w = Wire::deserialize(d)?;
        let data: Vec<u8> = match &w.content_base64 {
            Some(b) => base64::engine::general_purpose::STANDARD
                .decode(b.as_bytes())
                .map_err(serde::de::Error::custom)?,
            None => Vec::new(),
        };
        Ok(Attachment {
            name: w.name,
            content_type: w.content_type,
            data: data.into(),
            start: 0,
            cut_from: w.cut_from,
            recorded_size: w.file.as_ref().map(|_| w.size),
            stored: w.file,
        })
    }
}

/// What templates and payloads see of an attachment: its name, type and size, never
/// its bytes (they would be copied once per endpoint).
pub(crate) fn metadata(a: &Attachment) -> serde_json::Value {
    serde_json::json!({
        "name": a.name, "content_type": a.content_type, "size": a.size(),
        "cut_from": a.cut_from,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tail_and_round_trip() {
        let a = Attachment::new("run.log".into(), b"0123456789".to_vec());
        assert_eq!(a.content_type, "text/plain");
        let cut = a.limited(4);
        assert_eq!(cut.bytes(), b"6789");
        assert_eq!(cut.limited(2).bytes(), b"89");
        assert_eq!(cut.limited(2).cut_from, Some(10));
        assert_eq!(cut.cut_from, Some(10));
        assert_eq!(cut.describe(), "run.log (last 4 B of 10 B)");
        assert_eq!(a.limited(100), a);
        let json = serde_json::to_string(&cut).unwrap();
        let back: Attachment = serde_json::from_str(&json).unwrap();
        assert_eq!(back, cut);
        let bin = Attachment::new("x.bin".into(), vec![0, 255, 1]);
        assert_eq!(bin.content_type, "application/octet-stream");
    }

    #[test]
    fn reads_only_the_tail_and_refuses_what_is_not_a_file() {
        let d = tempfile::tempdir().unwrap();
        let p = d.path().join("big.log");
        std::fs::write(&p, b"0123456789").unwrap();
        let a = Attachment::read(&p, 4).unwrap();
        assert_eq!(a.bytes(), b"6789");
        assert_eq!(a.cut_from, Some(10));
        assert_eq!(Attachment::read(&p, 100).unwrap().cut_from, None);
        for (path, want) in [
            (d.path().join("missing.log"), "no such file"),
            (d.path().to_path_buf(), "a directory"),
            (std::path::PathBuf::from("/dev/zero"), "not a regular file"),
        ] {
            let err = Attachment::read(&path, 100).unwrap_err();
            assert!(err.0.contains(want), "{}: {err}", path.display());
        }
    }
}
