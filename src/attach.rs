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
    /// Read `path`; a missing or unreadable file is an error naming it.
    pub fn read(path: &Path) -> Result<Attachment, String> {
        let data =
            std::fs::read(path).map_err(|e| format!("cannot attach {}: {e}", path.display()))?;
        let name = path.file_name().map_or_else(
            || "attachment".to_string(),
            |n| n.to_string_lossy().into_owned(),
        );
        Ok(Attachment::new(name, data))
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
}
