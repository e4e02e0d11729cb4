//! A request body that may carry files without copying them: a list of segments (bytes
//! of its own, a file's bytes, a file's bytes as base64) read in order. Thirty endpoints
//! sending the same 8 MiB log share that log's one buffer; each body only adds its own
//! JSON or multipart framing.

use std::io::{self, Read};

use base64::Engine;

use crate::attach::Attachment;

/// One piece of a body.
#[derive(Debug, Clone)]
enum Segment {
    Bytes(Vec<u8>),
    File(Attachment),
    Base64(Attachment),
}

/// An HTTP request body.
#[derive(Debug, Clone, Default)]
pub(crate) struct Body {
    parts: Vec<Segment>,
}

/// Bytes of a file encoded per step when streaming base64 (a multiple of 3, so the
/// pieces join into one valid base64 text).
const B64_STEP: usize = 48 * 1024;

impl Body {
    /// An empty body.
    pub(crate) fn new() -> Body {
        Body::default()
    }

    /// Append bytes.
    pub(crate) fn bytes(mut self, b: impl Into<Vec<u8>>) -> Body {
        let b = b.into();
        if !b.is_empty() {
            self.parts.push(Segment::Bytes(b));
        }
        self
    }

    /// Append a file's bytes.
    pub(crate) fn file(mut self, a: &Attachment) -> Body {
        self.parts.push(Segment::File(a.clone()));
        self
    }

    /// Append a file's bytes as standard base64.
    pub(crate) fn base64(mut self, a: &Attachment) -> Body {
        self.parts.push(Segment::Base64(a.clone()));
        self
    }

    /// Length in bytes.
    pub(crate) fn len(&self) -> u64 {
        self.parts
            .iter()
            .map(|p| match p {
                Segment::Bytes(b) => b.len() as u64,
                Segment::File(a) => a.bytes().len() as u64,
                Segment::Base64(a) => (a.bytes().len() as u64).div_ceil(3) * 4,
            })
            .sum()
    }

    /// Whether it has no bytes.
    pub(crate) fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Whether every byte is in memory as its own (no file segments).
    fn is_plain(&self) -> bool {
        self.parts.iter().all(|p| matches!(p, Segment::Bytes(_)))
    }

    /// Call `f` with each piece of the body, in order (for signatures).
    pub(crate) fn for_each_chunk(&self, mut f: impl FnMut(&[u8])) {
        let mut text = String::new();
        for p in &self.parts {
            match p {
                Segment::Bytes(b) => f(b),
                Segment::File(a) => f(a.bytes()),
                Segment::Base64(a) => {
                    for chunk in a.bytes().chunks(B64_STEP) {
                        text.clear();
                        base64::engine::general_purpose::STANDARD.encode_string(chunk, &mut text);
                        f(text.as_bytes());
                    }
                }
            }
        }
    }

    /// The whole body in one buffer (tests, dry runs, small bodies).
    pub(crate) fn to_vec(&self) -> Vec<u8> {
        if let [Segment::Bytes(b)] = self.parts.as_slice() {
            return b.clone();
        }
        let mut out = Vec::with_capacity(usize::try_from(self.len()).unwrap_or(0));
        self.for_each_chunk(|c| out.extend_from_slice(c));
        out
    }

    /// The body as text for a person: files are named, not shown.
    pub(crate) fn describe(&self) -> String {
        if self.is_plain() {
            return String::from_utf8_lossy(&self.to_vec()).into_owned();
        }
        let mut out = String::new();
        for p in &self.parts {
            match p {
                Segment::Bytes(b) => out.push_str(&String::from_utf8_lossy(b)),
                Segment::File(a) => {
                    out.push_str(&format!("<{} bytes of {}>", a.bytes().len(), a.name));
                }
                Segment::Base64(a) => {
                    out.push_str(&format!(
                        "<{} bytes of {} as base64>",
                        a.bytes().len(),
                        a.name
                    ));
                }
            }
        }
        out
    }

    /// A reader over the body, streaming files without copying them whole.
    pub(crate) fn reader(&self) -> BodyReader<'_> {
        BodyReader {
            parts: &self.parts,
            index: 0,
            offset: 0,
            pending: Vec::new(),
            pending_at: 0,
        }
    }
}

impl From<Vec<u8>> for Body {
    fn from(b: Vec<u8>) -> Body {
        Body::new().bytes(b)
    }
}

/// Reads a [`Body`] in order.
#[derive(Debug)]
pub(crate) struct BodyReader<'a> {
    parts: &'a [Segment],
    index: usize,
    offset: usize,
    pending: Vec<u8>,
    pending_at: usize,
}

impl Read for BodyReader<'_> {
    fn read(&mut self, out: &mut [u8]) -> io::Result<usize> {
        loop {
            if self.pending_at < self.pending.len() {
                let n = out.len().min(self.pending.len() - self.pending_at);
                out[..n].copy_from_slice(&self.pending[self.pending_at..self.pending_at + n]);
                self.pending_at += n;
                return Ok(n);
            }
            let Some(part) = self.parts.get(self.index) else {
                return Ok(0);
            };
            let src: &[u8] = match part {
                Segment::Bytes(b) => b,
                Segment::File(a) | Segment::Base64(a) => a.bytes(),
            };
            if self.offset >= src.len() {
                self.index += 1;
                self.offset = 0;
                continue;
            }
            match part {
                Segment::Base64(_) => {
                    let end = (self.offset + B64_STEP).min(src.len());
                    self.pending.clear();
                    self.pending_at = 0;
                    let mut text = String::with_capacity(B64_STEP / 3 * 4);
                    base64::engine::general_purpose::STANDARD
                        .encode_string(&src[self.offset..end], &mut text);
                    self.pending.extend_from_slice(text.as_bytes());
                    self.offset = end;
                }
                _ => {
                    let n = out.len().min(src.len() - self.offset);
                    out[..n].copy_from_slice(&src[self.offset..self.offset + n]);
                    self.offset += n;
                    return Ok(n);
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn streams_the_same_bytes_as_it_copies() {
        let data: Vec<u8> = (0..200_000u32).map(|i| (i * 7 % 251) as u8).collect();
        let a = Attachment::new("x.bin".into(), data.clone());
        let body = Body::new()
            .bytes(b"{\"a\":\"".to_vec())
            .base64(&a)
            .bytes(b"\"}--".to_vec())
            .file(&a.limited(1000));
        let mut want = b"{\"a\":\"".to_vec();
        want.extend(
            base64::engine::general_purpose::STANDARD
                .encode(&data)
                .as_bytes(),
        );
        want.extend(b"\"}--");
        want.extend(&data[data.len() - 1000..]);
        assert_eq!(body.len(), want.len() as u64);
        assert_eq!(body.to_vec(), want);
        let mut streamed = Vec::new();
        let mut r = body.reader();
        let mut buf = [0u8; 777];
        loop {
            let n = r.read(&mut buf).unwrap();
            if n == 0 {
                break;
            }
            streamed.extend_from_slice(&buf[..n]);
        }
        assert_eq!(streamed, want);
        assert!(body
            .describe()
            .contains("<200000 bytes of x.bin as base64>"));
    }
}
