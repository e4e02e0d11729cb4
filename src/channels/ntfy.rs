//! `ntfy`: `POST {url}/{topic}` with the message as the body and Title, Priority, Tags
//! (and Markdown) headers; priority and tags by status unless configured.

use crate::redact::Secret;
use base64::Engine;
use serde::Deserialize;

use super::{
    by_status, check_url, ChannelType, DeliveryError, HttpRequest, Invalid, Message, Outgoing,
    Reply,
};
use crate::render::cut::plain;
use crate::render::{cut, escape, Unit};

/// Registry row.
pub(crate) const TYPE: ChannelType = ChannelType {
    name: "ntfy",
    http: true,
    keys: super::fields_of::<Ntfy>,
    build: super::build::<Ntfy>,
};

/// Default priorities (1–5): start, success, failure, info.
pub(crate) const PRIORITIES: [u8; 4] = [2, 3, 4, 3];
/// Default tags (emoji short codes): start, success, failure, info.
pub(crate) const TAGS: [&str; 4] = [
    "arrow_forward",
    "white_check_mark",
    "rotating_light",
    "information_source",
];
/// Bytes of message ntfy takes as text: the server reads a body of 4,096 bytes or more as
/// a file (`attachment.txt`), and answers 400 where attachments are off.
pub(crate) const MAX_BYTES: usize = 4095;
/// Bytes of title at most: it travels in a header, and servers and proxies cap those.
pub(crate) const MAX_TITLE: usize = 1024;
/// Bytes of message sent in the `Message` header next to a file (header size limits of
/// proxies are often 8 KiB for all headers together; base64 adds a third).
pub(crate) const MAX_HEADER: usize = 2048;

/// An ntfy topic.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct Ntfy {
    #[serde(default = "default_url")]
    url: String,
    topic: String,
    token: Option<Secret>,
    user: Option<String>,
    password: Option<Secret>,
    priority: Option<u8>,
    tags: Option<Vec<String>>,
    #[serde(default)]
    markdown: bool,
}

fn default_url() -> String {
    "https://ntfy.sh".into()
}

impl Ntfy {
    fn auth(&self) -> Option<String> {
        match (&self.token, &self.user, &self.password) {
            (Some(t), _, _) => Some(format!("Bearer {}", t.expose())),
            (None, Some(u), Some(p)) => Some(super::basic_auth(u, p.expose())),
            _ => None,
        }
    }
}

impl super::Channel for Ntfy {
    fn independent_requests(&self) -> bool {
        true
    }

    fn prepare(&self, msg: &Message) -> Result<Vec<Outgoing>, DeliveryError> {
        let status = msg.event.status;
        let esc: fn(&str) -> String = if self.markdown {
            escape::markdown
        } else {
            plain
        };
        let source = if msg.body.trim().is_empty() {
            &msg.title
        } else {
            &msg.body
        };
        let text = cut(source, MAX_BYTES, Unit::Bytes, esc);
        let tags = match &self.tags {
            Some(t) => t.join(","),
            None => by_status(status, TAGS).to_string(),
        };
        let priority = self
            .priority
            .unwrap_or_else(|| by_status(status, PRIORITIES));
        let mut req = HttpRequest::new("POST", super::join_url(&self.url, &self.topic))
            .header("Content-Type", "text/plain; charset=utf-8")
            .header(
                "Title",
                header_text(&cut(&msg.title, MAX_TITLE, Unit::Bytes, plain)),
            )
            .header("Priority", priority.to_string())
            // Header values must be ASCII (the HTTP client refuses to send anything else):
            // a tag in another script goes RFC 2047 encoded, which ntfy decodes.
            .header("Tags", header_text(&tags))
            .body(text.clone().into_bytes());
        if self.markdown {
            req = req.header("Markdown", "yes");
        }
        if let Some(a) = self.auth() {
            req = req.header("Authorization", a);
        }
        if msg.event.attachments.is_empty() {
            return Ok(vec![Outgoing::Http(req)]);
        }
        // With files: one PUT per file, the file as the body, the message in a header.
        let note = cut(source, MAX_HEADER, Unit::Bytes, esc).replace('\n', "\\n");
        Ok(msg
            .event
            .attachments
            .iter()
            .map(|a| {
                let mut put = req.clone();
                put.method = "PUT".into();
                put.headers.retain(|(k, _)| k != "Content-Type");
                put.headers.push(("Filename".into(), header_text(&a.name)));
                put.headers.push(("Message".into(), header_text(&note)));
                put.body = crate::body::Body::new().file(a);
                Outgoing::Http(put)
            })
            .collect())
    }

    fn carries_attachments(&self) -> bool {
        true
    }

    fn check(&self, reply: &Reply) -> Result<(), DeliveryError> {
        reply.default_check().map_err(|mut e| {
            if let Some(d) = super::json_field(reply, "error") {
                e.message = format!("ntfy {}: {d}", reply.status);
            }
            e
        })
    }

    fn secrets(&self) -> Vec<String> {
        // On a public server the topic is the secret: anyone who knows it can read it.
        let mut s = vec![self.topic.clone()];
        if let Some(a) = self.auth() {
            s.extend(a.split_once(' ').map(|(_, c)| c.to_string()));
        }
        s
    }

    fn validate(&self) -> Result<(), Invalid> {
        check_url("url", &self.url)?;
        if self.topic.is_empty() || self.topic.contains('/') {
            return Err(Invalid::key(
                "topic",
                "topic must be one path segment, e.g. backups-prod",
            ));
        }
        if self.token.is_some() && (self.user.is_some() || self.password.is_some()) {
            return Err(Invalid::key(
                "token",
                "set either token or user/password, not both",
            ));
        }
        if self.user.is_some() != self.password.is_some() {
            return Err(
                Invalid::key("user", "user and password go together").hint("add the missing one")
            );
        }
        if let Some(p) = self.priority {
            if !(1..=5).contains(&p) {
                return Err(Invalid::key(
                    "priority",
                    format!("priority {p} is not 1 to 5"),
                ));
            }
        }
        Ok(())
    }
}

/// A header value: ASCII as is, anything else RFC 2047 encoded (ntfy decodes it).
fn header_text(s: &str) -> String {
    let s: String = s
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect();
    if s.is_ascii() {
        s
    } else {
        format!(
            "=?UTF-8?B?{}?=",
            base64::engine::general_purpose::STANDARD.encode(s)
        )
    }
}

#[cfg(test)]
mod prepare_table {
    use super::super::testkit::{
        channel, event, hostile_long_body, http, prepare, prepare_with_texts, reply_of,
        HOSTILE_TITLE,
    };
    use super::super::HttpRequest;
    use base64::Engine;

    fn header<'a>(h: &'a HttpRequest, name: &str) -> Option<&'a str> {
        h.headers
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    fn body(h: &HttpRequest) -> String {
        String::from_utf8(h.body.to_vec()).unwrap()
    }

    /// An RFC 2047 `=?UTF-8?B?…?=` header value decoded (ASCII values as they are).
    fn decoded(v: &str) -> String {
        match v
            .strip_prefix("=?UTF-8?B?")
            .and_then(|r| r.strip_suffix("?="))
        {
            Some(b) => {
                String::from_utf8(base64::engine::general_purpose::STANDARD.decode(b).unwrap())
                    .unwrap()
            }
            None => v.to_string(),
        }
    }

    /// Keys, event, and the URL, Priority, Tags, Markdown and Authorization the server sees.
    #[test]
    fn each_key_and_status_shapes_the_request() {
        let basic = format!(
            "Basic {}",
            base64::engine::general_purpose::STANDARD.encode("alice:pw1")
        );
        #[allow(clippy::type_complexity)]
        let rows: [(&str, &str, &str, &str, &str, Option<&str>, Option<&str>); 9] = [
            (
                "{topic: backups-prod}",
                "backup_start",
                "https://ntfy.sh/backups-prod",
                "2",
                "arrow_forward",
                None,
                None,
            ),
            (
                "{topic: backups-prod}",
                "backup_success",
                "https://ntfy.sh/backups-prod",
                "3",
                "white_check_mark",
                None,
                None,
            ),
            (
                "{topic: backups-prod}",
                "backup_failure",
                "https://ntfy.sh/backups-prod",
                "4",
                "rotating_light",
                None,
                None,
            ),
            (
                "{topic: backups-prod}",
                "user_login",
                "https://ntfy.sh/backups-prod",
                "3",
                "information_source",
                None,
                None,
            ),
            (
                "{url: 'http://127.0.0.1:8080/ntfy/', topic: t1}",
                "backup_failure",
                "http://127.0.0.1:8080/ntfy/t1",
                "4",
                "rotating_light",
                None,
                None,
            ),
            (
                "{topic: t1, priority: 5, tags: [floppy_disk, prod]}",
                "backup_success",
                "https://ntfy.sh/t1",
                "5",
                "floppy_disk,prod",
                None,
                None,
            ),
            (
                "{topic: t1, priority: 1}",
                "backup_failure",
                "https://ntfy.sh/t1",
                "1",
                "rotating_light",
                None,
                None,
            ),
            (
                "{topic: t1, markdown: true, token: tk_abc123}",
                "\"test\"",
                "https://ntfy.sh/t1",
                "3",
                "information_source",
                Some("yes"),
                Some("Bearer tk_abc123"),
            ),
            (
                "{topic: t1, user: alice, password: pw1}",
                "backup_failure",
                "https://ntfy.sh/t1",
                "4",
                "rotating_light",
                None,
                Some(basic.as_str()),
            ),
        ];
        for (keys, ev, url, prio, tags, markdown, auth) in rows {
            let ch = channel("ntfy", keys);
            ch.validate().unwrap();
            let out = prepare(&*ch, &event(ev.trim_matches('"'), None));
            assert_eq!(out.len(), 1, "{keys}");
            let h = http(&out)[0];
            let row = format!("{keys} {ev}");
            assert_eq!((h.method.as_str(), h.url.as_str()), ("POST", url), "{row}");
            assert_eq!(header(h, "Priority"), Some(prio), "{row}");
            assert_eq!(header(h, "Tags"), Some(tags), "{row}");
            assert_eq!(header(h, "Markdown"), markdown, "{row}");
            assert_eq!(header(h, "Authorization"), auth, "{row}");
            assert_eq!(header(h, "Title"), Some("T"), "{row}");
            assert_eq!(
                header(h, "Content-Type"),
                Some("text/plain; charset=utf-8"),
                "{row}"
            );
            assert_eq!(body(h), "B", "{row}");
        }
    }

    /// What the server answers: its stored message, or its error JSON (no Retry-After).
    #[test]
    fn replies() {
        let ch = channel("ntfy", "{topic: t1}");
        let reply = |status: u16, body: &str| {
            reply_of(status, &[("Content-Type", "application/json")], body)
        };
        ch.check(&reply(
            200,
            r#"{"id":"sPs8dLuTlH","time":1764540000,"expires":1764583200,"event":"message","topic":"t1","message":"B"}"#,
        ))
        .unwrap();
        for (status, json, message, retryable) in [
            (
                400,
                r#"{"code":40007,"http":400,"error":"invalid priority","link":"https://ntfy.sh/docs/publish/#message-priority"}"#,
                "ntfy 400: invalid priority",
                false,
            ),
            (
                401,
                r#"{"code":40101,"http":401,"error":"unauthorized"}"#,
                "ntfy 401: unauthorized",
                false,
            ),
            (
                403,
                r#"{"code":40301,"http":403,"error":"forbidden"}"#,
                "ntfy 403: forbidden",
                false,
            ),
            (
                413,
                r#"{"code":41301,"http":413,"error":"invalid request: attachment too large"}"#,
                "ntfy 413: invalid request: attachment too large",
                false,
            ),
            (
                429,
                r#"{"code":42901,"http":429,"error":"limit reached: too many requests"}"#,
                "ntfy 429: limit reached: too many requests",
                true,
            ),
            (
                502,
                "<html>Bad Gateway</html>",
                "HTTP 502: <html>Bad Gateway</html>",
                true,
            ),
        ] {
            let e = ch.check(&reply(status, json)).unwrap_err();
            assert_eq!(e.message, message, "{status}");
            assert_eq!(e.retryable, retryable, "{status}");
            assert_eq!(e.retry_after, None, "{status}");
        }
    }

    /// A 10,000-character body stays under the 4,096 bytes ntfy takes as text, start and
    /// end kept; the title reaches the header decodable and on one line.
    #[test]
    fn hostile_text_fits_ntfy() {
        let long = hostile_long_body();
        for keys in ["{topic: t1}", "{topic: t1, markdown: true}"] {
            let ch = channel("ntfy", keys);
            let out =
                prepare_with_texts(&*ch, &event("backup_failure", None), HOSTILE_TITLE, &long)
                    .unwrap();
            let h = http(&out)[0];
            let text = body(h);
            assert!(text.len() <= 4095, "{keys}: {} bytes", text.len());
            assert!(text.len() > 3000, "{keys}: {} bytes", text.len());
            assert!(text.starts_with("START"), "{keys}");
            assert!(text.ends_with("END"), "{keys}");
            assert!(text.contains("characters cut"), "{keys}");
            // Links stay clickable when markdown is on: no backslash inside the URL.
            assert!(
                text.contains("https://backup-host.example.com/logs/run_2026-11-30.log?a=1&b=2"),
                "{keys}"
            );
            let title = header(h, "Title").unwrap();
            assert!(title.is_ascii(), "{keys}: {title}");
            assert_eq!(decoded(title), HOSTILE_TITLE, "{keys}");
        }
        let md = prepare_with_texts(
            &*channel("ntfy", "{topic: t1, markdown: true}"),
            &event("backup_failure", None),
            "T",
            "<b>x</b> *y* _z_",
        )
        .unwrap();
        assert_eq!(body(http(&md)[0]), r"&lt;b&gt;x&lt;/b&gt; \*y\* \_z\_");
        // A line break in the title must not end the header; a long title is cut.
        let out = prepare_with_texts(
            &*channel("ntfy", "{topic: t1}"),
            &event("backup_failure", None),
            &format!("a\r\nX-Injected: 1{}", "t".repeat(3000)),
            "",
        )
        .unwrap();
        let h = http(&out)[0];
        let sent = header(h, "Title").unwrap();
        // The marker makes it non-ASCII: RFC 2047, a third longer than the cut title.
        assert!(
            sent.len() <= 1024usize.div_ceil(3) * 4 + 12,
            "{}",
            sent.len()
        );
        let title = decoded(sent);
        assert!(title.starts_with("a  X-Injected: 1t"), "{title}");
        assert!(title.contains("characters cut"), "{title}");
        assert!(title.len() <= 1024, "{}", title.len());
        // An empty body sends the title (ntfy would show "triggered" for an empty one).
        assert!(body(h).starts_with("a\r\nX-Injected"));
    }

    /// With files: one PUT per file, the file as body, the message in a header.
    #[test]
    fn attachments_go_as_puts() {
        let mut ev = event("backup_failure", None);
        ev.attachments = vec![
            crate::attach::Attachment::new("run.log".into(), b"line1\nline2\n".to_vec()),
            crate::attach::Attachment::new("échec.txt".into(), b"x".to_vec()),
        ];
        let ch = channel("ntfy", "{topic: t1, token: tk_abc}");
        let out = prepare_with_texts(&*ch, &ev, "T", "first\nsecond").unwrap();
        let reqs = http(&out);
        assert_eq!(reqs.len(), 2);
        for (h, (name, data)) in reqs
            .iter()
            .zip([("run.log", &b"line1\nline2\n"[..]), ("échec.txt", b"x")])
        {
            assert_eq!(
                (h.method.as_str(), h.url.as_str()),
                ("PUT", "https://ntfy.sh/t1")
            );
            assert_eq!(decoded(header(h, "Filename").unwrap()), name);
            assert_eq!(header(h, "Message"), Some(r"first\nsecond"));
            assert_eq!(header(h, "Content-Type"), None);
            assert_eq!(header(h, "Authorization"), Some("Bearer tk_abc"));
            assert_eq!(h.body.to_vec(), data);
        }
        assert!(ch.independent_requests());
    }

    /// Tags in any script reach ntfy: header values must be ASCII, so they go RFC 2047
    /// encoded as the title does.
    #[test]
    fn non_ascii_tags_are_encoded() {
        let out = prepare(
            &*channel("ntfy", "{topic: t1, tags: [prod, sécurité, 数据库]}"),
            &event("backup_failure", None),
        );
        let tags = header(http(&out)[0], "Tags").unwrap();
        assert!(tags.is_ascii(), "{tags}");
        assert_eq!(decoded(tags), "prod,sécurité,数据库");
        for (_, v) in &http(&out)[0].headers {
            assert!(
                v.bytes().all(|b| b == b'\t' || (0x20..0x7f).contains(&b)),
                "{v}"
            );
        }
    }

    /// The topic and credentials are masked; contradictory keys are refused.
    #[test]
    fn secrets_and_refused_keys() {
        let s = channel("ntfy", "{topic: t1, user: alice, password: pw1}").secrets();
        let basic = base64::engine::general_purpose::STANDARD.encode("alice:pw1");
        assert!(s.contains(&"t1".to_string()) && s.contains(&basic), "{s:?}");
        for (keys, key) in [
            ("{topic: t1, priority: 6}", "priority"),
            ("{topic: t1, priority: 0}", "priority"),
            ("{topic: t1, token: tk, user: u, password: p}", "token"),
            ("{topic: t1, user: u}", "user"),
            ("{topic: 'a/b'}", "topic"),
            ("{url: 'ntfy.sh', topic: t1}", "url"),
        ] {
            let e = channel("ntfy", keys).validate().unwrap_err();
            assert_eq!(e.key, Some(key), "{keys}: {}", e.message);
        }
    }
}
