//! Files that travel with a notification (SPEC §12): read once, shared between endpoints,
//! cut to an endpoint's `max_attachment_size` by keeping their last bytes.

use std::path::Path;
use std::sync::Arc;

use base64::Engine;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// Default `max_attachment_size`.
pub const DEFAULT_MAX: u64 = 8 * 1024 * 1024;

/// One attached file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Attachment {
    /// File name shown to the receiver (no directories).
    pub name: String,
    /// MIME type guessed from the name.
    pub content_type: String,
    /// The bytes sent.
    pub data: Arc<[u8]>,
    /// The file's full size when `data` holds only its tail.
    pub cut_from: Option<u64>,
}

impl Attachment {
    /// Read the last `tail` bytes of the regular file at `path` (seeking past the rest,
    /// so a huge log costs no more than its tail). A missing or unreadable file, or one
    /// that is not a regular file (directory, FIFO, device), is an error saying why;
    /// nothing here blocks.
    pub fn read(path: &Path, tail: u64) -> Result<Attachment, String> {
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
            return Err(what.to_string());
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
    pub fn new(name: String, data: Vec<u8>) -> Attachment {
        let content_type = mime_guess::from_path(&name)
            .first_raw()
            .unwrap_or("application/octet-stream")
            .to_string();
        Attachment {
            name,
            content_type,
            data: data.into(),
            cut_from: None,
        }
    }

    /// Size of what is sent.
    pub fn size(&self) -> u64 {
        self.data.len() as u64
    }

    /// This attachment cut to its last `max` bytes (unchanged when it fits).
    pub fn limited(&self, max: u64) -> Attachment {
        let len = self.data.len();
        let max = usize::try_from(max).unwrap_or(usize::MAX);
        if len <= max {
            return self.clone();
        }
        Attachment {
            data: self.data[len - max..].into(),
            cut_from: Some(self.cut_from.unwrap_or(len as u64)),
            ..self.clone()
        }
    }

    /// `log.txt (12 KiB)`, or with the cut: `log.txt (last 8 MiB of 20 MiB)`.
    pub fn describe(&self) -> String {
        let size = crate::event::human_size(self.size());
        match self.cut_from {
            Some(full) => format!(
                "{} (last {size} of {})",
                self.name,
                crate::event::human_size(full)
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
    content_base64: String,
}

impl Serialize for Attachment {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        Wire {
            name: self.name.clone(),
            content_type: self.content_type.clone(),
            size: self.size(),
            cut_from: self.cut_from,
            content_base64: base64::engine::general_purpose::STANDARD.encode(&self.data),
        }
        .serialize(s)
    }
}

impl<'de> Deserialize<'de> for Attachment {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let w = Wire::deserialize(d)?;
        let data = base64::engine::general_purpose::STANDARD
            .decode(w.content_base64.as_bytes())
            .map_err(serde::de::Error::custom)?;
        Ok(Attachment {
            name: w.name,
            content_type: w.content_type,
            data: data.into(),
            cut_from: w.cut_from,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tail_and_round_trip() {
        let a = Attachment::new("run.log".into(), b"0123456789".to_vec());
        assert_eq!(a.content_type, "text/plain");
        let cut = a.limited(4);
        assert_eq!(&*cut.data, b"6789");
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
        assert_eq!(&*a.data, b"6789");
        assert_eq!(a.cut_from, Some(10));
        assert_eq!(Attachment::read(&p, 100).unwrap().cut_from, None);
        for (path, want) in [
            (d.path().join("missing.log"), "no such file"),
            (d.path().to_path_buf(), "a directory"),
            (std::path::PathBuf::from("/dev/zero"), "not a regular file"),
        ] {
            let err = Attachment::read(&path, 100).unwrap_err();
            assert!(err.contains(want), "{}: {err}", path.display());
        }
    }
}
