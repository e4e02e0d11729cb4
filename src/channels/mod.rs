//! The channel trait, the requests channels produce, and the registry of endpoint types.
//!
//! A channel turns a rendered [`Message`] into one or more [`Outgoing`] requests
//! (`prepare`, pure: `--dry-run` prints exactly that) and judges the receiver's answer
//! (`check`). Only `dispatch` performs I/O. Adding a channel means writing its file and
//! adding one row to [`TYPES`].

pub mod bark;
pub mod command;
pub mod discord;
pub mod email;
pub mod gotify;
pub mod healthchecks;
pub mod ntfy;
pub mod pagerduty;
pub mod slack;
pub mod teams;
pub mod telegram;
pub mod twilio;
pub mod webhook;

use std::time::Duration;

use serde::de::DeserializeOwned;
use serde_json::Value;

use crate::event::Event;
use crate::signing::Signing;

/// What a channel gets to build its requests from.
#[derive(Debug)]
pub struct Message<'a> {
    /// The event.
    pub event: &'a Event,
    /// The rendered title.
    pub title: String,
    /// The rendered body.
    pub body: String,
    /// The endpoint's name.
    pub endpoint: &'a str,
    /// The endpoint's type.
    pub kind: &'a str,
}

impl Message<'_> {
    /// The template context: every event key (with the rendered title/body) plus `endpoint`.
    pub fn context(&self) -> Value {
        let mut v = self.event.to_payload(&self.title, &self.body);
        if let Value::Object(m) = &mut v {
            m.insert(
                "endpoint".into(),
                serde_json::json!({"name": self.endpoint, "type": self.kind}),
            );
        }
        v
    }
}

/// One request a channel wants sent.
#[derive(Debug, Clone)]
pub enum Outgoing {
    /// An HTTP request.
    Http(HttpRequest),
    /// A mail.
    Smtp(email::SmtpRequest),
    /// A local program.
    Exec(command::ExecRequest),
}

/// An HTTP request, fully built.
#[derive(Debug, Clone)]
pub struct HttpRequest {
    /// `GET`, `POST`, `PUT`, ...
    pub method: String,
    /// Full URL.
    pub url: String,
    /// Headers in order.
    pub headers: Vec<(String, String)>,
    /// Exact body bytes.
    pub body: Vec<u8>,
    /// Signature headers to compute over `body` at each attempt.
    pub signing: Option<Signing>,
}

impl HttpRequest {
    /// A request with no headers or body.
    pub fn new(method: &str, url: impl Into<String>) -> HttpRequest {
        HttpRequest {
            method: method.to_string(),
            url: url.into(),
            headers: Vec::new(),
            body: Vec::new(),
            signing: None,
        }
    }

    /// A `POST` of `body` as JSON.
    pub fn post_json(url: impl Into<String>, body: &Value) -> HttpRequest {
        HttpRequest::new("POST", url).json(body)
    }

    /// Set a JSON body and its content type.
    pub fn json(self, body: &Value) -> HttpRequest {
        let bytes = serde_json::to_vec(body).unwrap_or_default();
        self.header("Content-Type", "application/json").body(bytes)
    }

    /// Add a header.
    pub fn header(mut self, name: &str, value: impl Into<String>) -> HttpRequest {
        self.headers.push((name.to_string(), value.into()));
        self
    }

    /// Set the body bytes.
    pub fn body(mut self, body: Vec<u8>) -> HttpRequest {
        self.body = body;
        self
    }
}

/// What came back from an HTTP request.
#[derive(Debug, Clone, Default)]
pub struct Reply {
    /// Status code.
    pub status: u16,
    /// Response headers.
    pub headers: Vec<(String, String)>,
    /// Body, at most 64 KiB of it.
    pub body: Vec<u8>,
}

impl Reply {
    /// A header's value, by case-insensitive name.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// The first 200 bytes of the body as text, for error messages.
    pub fn snippet(&self) -> String {
        let end = self.body.len().min(200);
        String::from_utf8_lossy(&self.body[..end])
            .trim()
            .to_string()
    }

    /// The usual reading of a reply: 2xx delivered; 3xx a failure naming `Location`;
    /// 408, 429 and 5xx retryable (with `Retry-After`); other 4xx final.
    pub fn default_check(&self) -> Result<(), DeliveryError> {
        let status = self.status;
        match status {
            200..=299 => Ok(()),
            300..=399 => Err(DeliveryError::new(format!(
                "redirect to {} refused (redirects are not followed)",
                self.header("Location").unwrap_or("?")
            ))
            .status(status)),
            408 | 429 | 500..=599 => Err(DeliveryError::new(self.describe())
                .status(status)
                .retryable(crate::http::retry_after(self))),
            _ => Err(DeliveryError::new(self.describe()).status(status)),
        }
    }

    fn describe(&self) -> String {
        let snippet = self.snippet();
        if snippet.is_empty() {
            format!("HTTP {}", self.status)
        } else {
            format!("HTTP {}: {snippet}", self.status)
        }
    }
}

/// Why a delivery attempt failed, and whether to try again.
#[derive(Debug, Clone, Default)]
pub struct DeliveryError {
    /// What happened (secrets are masked before printing).
    pub message: String,
    /// HTTP status, when there was one.
    pub status: Option<u16>,
    /// Whether another attempt may succeed.
    pub retryable: bool,
    /// How long the receiver asked us to wait.
    pub retry_after: Option<Duration>,
}

impl DeliveryError {
    /// A final (not retried) failure.
    pub fn new(message: impl Into<String>) -> DeliveryError {
        DeliveryError {
            message: message.into(),
            ..DeliveryError::default()
        }
    }

    /// Mark it retryable, optionally after a wait the receiver asked for.
    pub fn retryable(mut self, after: Option<Duration>) -> DeliveryError {
        self.retryable = true;
        self.retry_after = after;
        self
    }

    /// Attach the HTTP status.
    pub fn status(mut self, status: u16) -> DeliveryError {
        self.status = Some(status);
        self
    }
}

/// A config problem a channel finds in its own keys.
#[derive(Debug, Clone)]
pub struct Invalid {
    /// What is wrong.
    pub message: String,
    /// The key it is about.
    pub key: Option<&'static str>,
    /// How to fix it.
    pub hint: Option<String>,
}

impl Invalid {
    /// A problem with `key`.
    pub fn key(key: &'static str, message: impl Into<String>) -> Invalid {
        Invalid {
            message: message.into(),
            key: Some(key),
            hint: None,
        }
    }

    /// Attach a hint.
    pub fn hint(mut self, hint: impl Into<String>) -> Invalid {
        self.hint = Some(hint.into());
        self
    }
}

/// One endpoint type.
pub trait Channel: Send + Sync + std::fmt::Debug {
    /// Build the requests for one message. Pure: no I/O.
    fn prepare(&self, msg: &Message) -> Result<Vec<Outgoing>, DeliveryError>;

    /// Judge an HTTP reply. The default is [`Reply::default_check`].
    fn check(&self, reply: &Reply) -> Result<(), DeliveryError> {
        reply.default_check()
    }

    /// Secret values to mask in every output.
    fn secrets(&self) -> Vec<String>;

    /// Checks beyond the shape of the keys (URLs, either-or keys).
    fn validate(&self) -> Result<(), Invalid> {
        Ok(())
    }

    /// Whether this channel sends `event.attachments` itself; when it does not, the body
    /// names each file and says it was not attached.
    fn carries_attachments(&self) -> bool {
        false
    }

    /// The default `max_attachment_size` of this channel.
    fn max_attachment_size(&self) -> u64 {
        crate::attach::DEFAULT_MAX
    }
}

/// A registered endpoint type.
#[derive(Debug)]
pub struct ChannelType {
    /// The `type:` value.
    pub name: &'static str,
    /// Whether it speaks HTTP (takes `headers`, `ca_file`, `tls_insecure`).
    pub http: bool,
    /// Its own keys, for suggestions.
    pub keys: &'static [&'static str],
    /// Build it from its own keys; the error says which key or value, and where.
    pub build: fn(crate::config::Node) -> Result<Box<dyn Channel>, crate::config::DeError>,
}

/// Deserialize a channel strictly from its keys.
pub fn build<T: Channel + DeserializeOwned + 'static>(
    v: crate::config::Node,
) -> Result<Box<dyn Channel>, crate::config::DeError> {
    deserialize::<T>(v).map(|c| Box::new(c) as Box<dyn Channel>)
}

/// Deserialize strictly; the error is typed (unknown key, missing key, bad value), with
/// the position of the key or value and the key path down to it.
pub fn deserialize<T: DeserializeOwned>(
    v: crate::config::Node,
) -> Result<T, crate::config::DeError> {
    crate::config::de::from_node(v)
}

/// Every endpoint type, by name.
pub const TYPES: &[ChannelType] = &[
    webhook::TYPE,
    bark::TYPE,
    discord::TYPE,
    slack::TYPE,
    teams::TYPE,
    gotify::TYPE,
    ntfy::TYPE,
    telegram::TYPE,
    twilio::TYPE,
    healthchecks::TYPE,
    pagerduty::TYPE,
    email::TYPE,
    command::TYPE,
];

/// The type called `name`.
pub fn find(name: &str) -> Option<&'static ChannelType> {
    TYPES.iter().find(|t| t.name == name)
}

/// `webhook, bark, ...` for hints.
pub fn type_names() -> String {
    TYPES.iter().map(|t| t.name).collect::<Vec<_>>().join(", ")
}

/// `base` + `/` + `path`, with exactly one slash between them.
pub fn join_url(base: &str, path: &str) -> String {
    let base = base.trim_end_matches('/');
    let path = path.trim_start_matches('/');
    if path.is_empty() {
        base.to_string()
    } else {
        format!("{base}/{path}")
    }
}

/// Check that `url` is an absolute http(s) URL with a host and a valid port. The error
/// shows the URL with everything after its host masked ([`crate::redact::mask_url_parts`]):
/// a broken URL may hold its secret anywhere.
pub fn check_url(key: &'static str, url: &str) -> Result<(), Invalid> {
    let Some((why, hint)) = url_problem(url) else {
        return Ok(());
    };
    Err(Invalid::key(
        key,
        format!(
            "{key}: \"{}\" is not a usable http(s) URL: {why}",
            crate::redact::mask_url_parts(url)
        ),
    )
    .hint(hint))
}

/// What is wrong with `url`, and how to fix it.
fn url_problem(url: &str) -> Option<(String, &'static str)> {
    let example = "write the full URL, e.g. https://example.com/hook";
    if url.contains(char::is_whitespace) {
        return Some((
            "it contains whitespace".into(),
            "remove the spaces or line breaks (a value pasted with a trailing space?)",
        ));
    }
    let scheme_ok = ["http://", "https://"].iter().any(|p| {
        url.len() > p.len()
            && url
                .get(..p.len())
                .is_some_and(|h| h.eq_ignore_ascii_case(p))
    });
    if !scheme_ok {
        return Some(("it must start with http:// or https://".into(), example));
    }
    if url
        .split_once("://")
        .is_some_and(|(_, r)| r.starts_with('/'))
    {
        return Some(("it has no host".into(), example));
    }
    match url::Url::parse(url) {
        Err(url::ParseError::InvalidPort) => {
            Some(("invalid port".into(), "a port is a number from 1 to 65535"))
        }
        Err(e) => Some((e.to_string(), example)),
        Ok(u) if u.host_str().is_none_or(str::is_empty) => Some(("it has no host".into(), example)),
        Ok(u) if u.port() == Some(0) => {
            Some(("invalid port".into(), "a port is a number from 1 to 65535"))
        }
        Ok(_) => None,
    }
}

/// Pick a value by status: `[start, success, failure, info]`.
pub fn by_status<T: Copy>(status: crate::event::Status, values: [T; 4]) -> T {
    use crate::event::Status;
    match status {
        Status::Start => values[0],
        Status::Success => values[1],
        Status::Failure => values[2],
        Status::Info => values[3],
    }
}

/// The path of `url` after its host (without query), e.g. `/services/T/B/x`.
pub fn url_path(url: &str) -> &str {
    let rest = url.split_once("://").map_or(url, |(_, r)| r);
    let path = rest.find('/').map_or("", |i| &rest[i..]);
    path.split(['?', '#']).next().unwrap_or("")
}

/// The last non-empty path segment of `url`.
pub fn last_segment(url: &str) -> Option<&str> {
    url_path(url).split('/').rev().find(|s| !s.is_empty())
}

/// `application/x-www-form-urlencoded` encoding of `pairs`.
pub fn form(pairs: &[(&str, &str)]) -> String {
    use percent_encoding::{utf8_percent_encode, AsciiSet, NON_ALPHANUMERIC};
    const SET: &AsciiSet = &NON_ALPHANUMERIC
        .remove(b'-')
        .remove(b'_')
        .remove(b'.')
        .remove(b'~');
    pairs
        .iter()
        .map(|(k, v)| {
            format!(
                "{}={}",
                utf8_percent_encode(k, SET),
                utf8_percent_encode(v, SET)
            )
        })
        .collect::<Vec<_>>()
        .join("&")
}

/// An HTTP Basic `Authorization` value.
pub fn basic_auth(user: &str, password: &str) -> String {
    use base64::Engine;
    format!(
        "Basic {}",
        base64::engine::general_purpose::STANDARD.encode(format!("{user}:{password}"))
    )
}

/// The text of a JSON reply field, for error messages.
pub fn json_field(reply: &Reply, key: &str) -> Option<String> {
    let v: Value = serde_json::from_slice(&reply.body).ok()?;
    match v.get(key)? {
        Value::String(s) => Some(s.clone()),
        Value::Null => None,
        other => Some(other.to_string()),
    }
}

/// A 429/5xx reply judged the usual way, with the wait taken from a JSON body field
/// (seconds) when the reply has no `Retry-After` header.
pub fn check_with_body_wait(reply: &Reply, pointer: &str) -> Result<(), DeliveryError> {
    let mut r = reply.default_check();
    if let Err(e) = &mut r {
        if e.retryable && e.retry_after.is_none() {
            e.retry_after = serde_json::from_slice::<Value>(&reply.body)
                .ok()
                .and_then(|v| v.pointer(pointer).and_then(Value::as_f64))
                .filter(|s| *s >= 0.0 && s.is_finite())
                .map(Duration::from_secs_f64);
        }
    }
    r
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn join() {
        assert_eq!(join_url("http://h/", "/message"), "http://h/message");
        assert_eq!(
            join_url("http://h/base", "message"),
            "http://h/base/message"
        );
        assert_eq!(join_url("http://h", ""), "http://h");
    }

    #[test]
    fn registry_names_are_unique() {
        for (i, t) in TYPES.iter().enumerate() {
            assert!(
                TYPES[i + 1..].iter().all(|o| o.name != t.name),
                "{}",
                t.name
            );
        }
    }

    #[test]
    fn reply_classes() {
        let r = |status| Reply {
            status,
            ..Reply::default()
        };
        assert!(r(204).default_check().is_ok());
        assert!(r(503).default_check().unwrap_err().retryable);
        assert!(r(429).default_check().unwrap_err().retryable);
        assert!(r(408).default_check().unwrap_err().retryable);
        assert!(!r(400).default_check().unwrap_err().retryable);
        assert!(!r(302).default_check().unwrap_err().retryable);
    }
}

/// One field of a `multipart/form-data` body.
#[derive(Debug)]
pub struct Part<'a> {
    /// Field name.
    pub name: &'a str,
    /// File name, for file fields.
    pub filename: Option<&'a str>,
    /// Content type of the field.
    pub content_type: Option<&'a str>,
    /// The bytes.
    pub data: &'a [u8],
}

/// A `multipart/form-data` body (RFC 7578): its `Content-Type` and its bytes.
pub fn multipart(parts: &[Part]) -> (String, Vec<u8>) {
    let boundary = format!("bnotify-{}", uuid::Uuid::new_v4().simple());
    let quote = |s: &str| s.replace(['"', '\r', '\n'], "_");
    let mut body = Vec::new();
    for p in parts {
        body.extend_from_slice(format!("--{boundary}\r\n").as_bytes());
        let mut disp = format!("Content-Disposition: form-data; name=\"{}\"", quote(p.name));
        if let Some(f) = p.filename {
            disp.push_str(&format!("; filename=\"{}\"", quote(f)));
        }
        body.extend_from_slice(disp.as_bytes());
        body.extend_from_slice(b"\r\n");
        if let Some(ct) = p.content_type {
            body.extend_from_slice(format!("Content-Type: {ct}\r\n").as_bytes());
        }
        body.extend_from_slice(b"\r\n");
        body.extend_from_slice(p.data);
        body.extend_from_slice(b"\r\n");
    }
    body.extend_from_slice(format!("--{boundary}--\r\n").as_bytes());
    (format!("multipart/form-data; boundary={boundary}"), body)
}
