//! The channel trait, the requests channels produce, and the registry of endpoint types.
//!
//! A channel turns a rendered [`Message`] into one or more [`Outgoing`] requests
//! (`prepare`, pure: `--dry-run` prints exactly that) and judges the receiver's answer
//! (`check`). Only `dispatch` performs I/O. Adding a channel means writing its file and
//! adding one row to [`TYPES`].

pub(crate) mod alertmanager;
pub(crate) mod apprise;
pub(crate) mod bark;
pub(crate) mod command;
pub(crate) mod discord;
pub(crate) mod email;
pub(crate) mod googlechat;
pub(crate) mod gotify;
pub(crate) mod healthchecks;
pub(crate) mod matrix;
pub(crate) mod mattermost;
pub(crate) mod mqtt;
pub(crate) mod ntfy;
pub(crate) mod pagerduty;
pub(crate) mod pushgateway;
pub(crate) mod pushover;
pub(crate) mod rocketchat;
pub(crate) mod signal;
pub(crate) mod slack;
pub(crate) mod teams;
pub(crate) mod telegram;
#[cfg(test)]
pub(crate) mod testkit;
pub(crate) mod textfile;
pub(crate) mod twilio;
pub(crate) mod webhook;
pub(crate) mod zulip;

use std::time::Duration;

use serde::de::DeserializeOwned;
use serde_json::Value;

use crate::event::Event;

pub(crate) use crate::failure::DeliveryError;
pub(crate) use crate::http::{basic_auth, HttpRequest, Reply};

/// What a channel gets to build its requests from.
#[derive(Debug)]
pub(crate) struct Message<'a> {
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
    pub(crate) fn context(&self) -> Value {
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
pub(crate) enum Outgoing {
    /// An HTTP request.
    Http(HttpRequest),
    /// A mail.
    Smtp(email::SmtpRequest),
    /// A local program.
    Exec(command::ExecRequest),
    /// An MQTT publish (one connection, its messages in order).
    Mqtt(mqtt::MqttRequest),
    /// A file written atomically.
    File(textfile::FileWrite),
}

/// A config problem a channel finds in its own keys.
#[derive(Debug, Clone)]
pub(crate) struct Invalid {
    /// What is wrong.
    pub message: String,
    /// The key it is about.
    pub key: Option<&'static str>,
    /// How to fix it.
    pub hint: Option<String>,
}

impl Invalid {
    /// A problem with `key`.
    pub(crate) fn key(key: &'static str, message: impl Into<String>) -> Invalid {
        Invalid {
            message: message.into(),
            key: Some(key),
            hint: None,
        }
    }

    /// Attach a hint.
    pub(crate) fn hint(mut self, hint: impl Into<String>) -> Invalid {
        self.hint = Some(hint.into());
        self
    }
}

/// One endpoint type.
pub(crate) trait Channel: Send + Sync + std::fmt::Debug {
    /// Build the requests for one message. Pure: no I/O.
    fn prepare(&self, msg: &Message) -> Result<Vec<Outgoing>, DeliveryError>;

    /// Judge an HTTP reply. The default is [`Reply::default_check`].
    fn check(&self, reply: &Reply) -> Result<(), DeliveryError> {
        reply.default_check()
    }

    /// Fill in a later request from an earlier one's reply, where a service answers with
    /// something the next request names (Matrix: the room id an alias resolves to).
    /// Called after each delivered HTTP request, once for each request after it, so
    /// `prepare` stays pure and `--dry-run` shows the placeholders. Default: nothing.
    fn follow(&self, _reply: &Reply, _later: &mut HttpRequest) -> Result<(), DeliveryError> {
        Ok(())
    }

    /// Secret values to mask in every output.
    /// Secret values beyond the [`crate::redact::Secret`] keys of its config (which are
    /// collected when it is built): tokens in URL paths, credentials derived from them.
    fn secrets(&self) -> Vec<String> {
        Vec::new()
    }

    /// Checks beyond the shape of the keys (URLs, either-or keys).
    fn validate(&self) -> Result<(), Invalid> {
        Ok(())
    }

    /// Whether this channel sends `event.attachments` itself; when it does not, the body
    /// names each file and says it was not attached.
    fn carries_attachments(&self) -> bool {
        false
    }

    /// Whether `prepare` reads the task histories (`crate::history::history`).
    fn uses_history(&self) -> bool {
        false
    }

    /// Whether one delivered request of several is enough (the others are warned about).
    fn any_suffices(&self) -> bool {
        false
    }

    /// Whether its requests stand alone (one per file, one per recipient): each is tried
    /// whatever became of the others, and a flush sends only those not yet delivered.
    fn independent_requests(&self) -> bool {
        false
    }

    /// The default `max_attachment_size` of this channel.
    fn max_attachment_size(&self) -> u64 {
        crate::attach::DEFAULT_MAX
    }
}

/// A registered endpoint type.
#[derive(Debug)]
pub(crate) struct ChannelType {
    /// The `type:` value.
    pub name: &'static str,
    /// Whether it speaks HTTP (takes `headers`, `ca_file`, `tls_insecure`).
    pub http: bool,
    /// Its own keys, as its typed config declares them ([`fields_of`]).
    pub keys: fn() -> &'static [&'static str],
    /// Build it from its own keys; the error says which key or value, and where.
    pub build: fn(crate::yaml::Node) -> Result<Box<dyn Channel>, crate::yaml::DeError>,
}

/// The keys a config type takes, read from what its `Deserialize` declares: the channel's
/// valid keys come from its typed config, never from a list kept by hand.
pub(crate) fn fields_of<T: DeserializeOwned>() -> &'static [&'static str] {
    use serde::de::{self, Visitor};
    #[derive(Debug)]
    struct Found(&'static [&'static str]);
    impl std::fmt::Display for Found {
        fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            f.write_str("probe")
        }
    }
    impl std::error::Error for Found {}
    impl de::Error for Found {
        fn custom<M: std::fmt::Display>(_: M) -> Found {
            Found(&[])
        }
    }
    struct Probe;
    impl<'de> de::Deserializer<'de> for Probe {
        type Error = Found;
        fn deserialize_any<V: Visitor<'de>>(self, _: V) -> Result<V::Value, Found> {
            Err(Found(&[]))
        }
        fn deserialize_struct<V: Visitor<'de>>(
            self,
            _: &'static str,
            fields: &'static [&'static str],
            _: V,
        ) -> Result<V::Value, Found> {
            Err(Found(fields))
        }
        serde::forward_to_deserialize_any! {
            bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string bytes
            byte_buf option unit unit_struct newtype_struct seq tuple tuple_struct map enum
            identifier ignored_any
        }
    }
    match T::deserialize(Probe) {
        Err(Found(fields)) => fields,
        Ok(_) => &[],
    }
}

/// Deserialize a channel strictly from its keys. Every [`crate::redact::Secret`] its config
/// type holds is collected while reading it and joins the channel's secret list.
pub(crate) fn build<T: Channel + DeserializeOwned + 'static>(
    v: crate::yaml::Node,
) -> Result<Box<dyn Channel>, crate::yaml::DeError> {
    let (built, secrets) = crate::redact::collect_secrets(|| deserialize::<T>(v));
    built.map(|inner| Box::new(Typed { inner, secrets }) as Box<dyn Channel>)
}

/// A channel with the secrets read from its typed config.
struct Typed<T> {
    inner: T,
    secrets: Vec<String>,
}

impl<T: std::fmt::Debug> std::fmt::Debug for Typed<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.inner.fmt(f)
    }
}

impl<T: Channel> Channel for Typed<T> {
    fn prepare(&self, msg: &Message) -> Result<Vec<Outgoing>, DeliveryError> {
        self.inner.prepare(msg)
    }
    fn check(&self, reply: &Reply) -> Result<(), DeliveryError> {
        self.inner.check(reply)
    }
    fn follow(&self, reply: &Reply, later: &mut HttpRequest) -> Result<(), DeliveryError> {
        self.inner.follow(reply, later)
    }
    fn secrets(&self) -> Vec<String> {
        let mut s = self.secrets.clone();
        s.extend(self.inner.secrets());
        s
    }
    fn validate(&self) -> Result<(), Invalid> {
        self.inner.validate()
    }
    fn carries_attachments(&self) -> bool {
        self.inner.carries_attachments()
    }
    fn uses_history(&self) -> bool {
        self.inner.uses_history()
    }
    fn any_suffices(&self) -> bool {
        self.inner.any_suffices()
    }
    fn independent_requests(&self) -> bool {
        self.inner.independent_requests()
    }
    fn max_attachment_size(&self) -> u64 {
        self.inner.max_attachment_size()
    }
}

/// Deserialize strictly; the error is typed (unknown key, missing key, bad value), with
/// the position of the key or value and the key path down to it.
pub(crate) fn deserialize<T: DeserializeOwned>(
    v: crate::yaml::Node,
) -> Result<T, crate::yaml::DeError> {
    crate::yaml::from_node(v)
}

/// Every endpoint type, by name.
pub(crate) const TYPES: &[ChannelType] = &[
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
    pushover::TYPE,
    matrix::TYPE,
    mattermost::TYPE,
    rocketchat::TYPE,
    googlechat::TYPE,
    zulip::TYPE,
    signal::TYPE,
    apprise::TYPE,
    alertmanager::TYPE,
    mqtt::TYPE,
    pushgateway::TYPE,
    textfile::TYPE,
];

/// The type called `name`.
pub(crate) fn find(name: &str) -> Option<&'static ChannelType> {
    TYPES.iter().find(|t| t.name == name)
}

/// `webhook, bark, ...` for hints.
pub(crate) fn type_names() -> String {
    TYPES.iter().map(|t| t.name).collect::<Vec<_>>().join(", ")
}

/// `base` + `/` + `path`, with exactly one slash between them.
pub(crate) fn join_url(base: &str, path: &str) -> String {
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
pub(crate) fn check_url(key: &'static str, url: &str) -> Result<(), Invalid> {
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
pub(crate) fn by_status<T: Copy>(status: crate::event::Status, values: [T; 4]) -> T {
    use crate::event::Status;
    match status {
        Status::Start => values[0],
        Status::Success => values[1],
        Status::Failure => values[2],
        Status::Info => values[3],
    }
}

/// The path of `url` after its host (without query), e.g. `/services/T/B/x`.
pub(crate) fn url_path(url: &str) -> &str {
    let rest = url.split_once("://").map_or(url, |(_, r)| r);
    let path = rest.find('/').map_or("", |i| &rest[i..]);
    path.split(['?', '#']).next().unwrap_or("")
}

/// The last non-empty path segment of `url`.
pub(crate) fn last_segment(url: &str) -> Option<&str> {
    url_path(url).split('/').rev().find(|s| !s.is_empty())
}

/// `application/x-www-form-urlencoded` encoding of `pairs`.
pub(crate) fn form(pairs: &[(&str, &str)]) -> String {
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

/// The text of a JSON reply field, for error messages.
pub(crate) fn json_field(reply: &Reply, key: &str) -> Option<String> {
    let v: Value = serde_json::from_slice(&reply.body).ok()?;
    match v.get(key)? {
        Value::String(s) => Some(s.clone()),
        Value::Null => None,
        other => Some(other.to_string()),
    }
}

/// A 429/5xx reply judged the usual way, with the wait taken from a JSON body field
/// (seconds) when the reply has no `Retry-After` header.
pub(crate) fn check_with_body_wait(reply: &Reply, pointer: &str) -> Result<(), DeliveryError> {
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
pub(crate) struct Part<'a> {
    /// Field name.
    pub name: &'a str,
    /// File name, for file fields.
    pub filename: Option<&'a str>,
    /// Content type of the field.
    pub content_type: Option<&'a str>,
    /// The bytes.
    pub data: PartData<'a>,
}

/// What a multipart field holds: its own bytes, or a file (streamed, not copied).
#[derive(Debug)]
pub(crate) enum PartData<'a> {
    /// Bytes of the field.
    Bytes(&'a [u8]),
    /// An attached file.
    File(&'a crate::attach::Attachment),
}

/// A `multipart/form-data` body (RFC 7578): its `Content-Type` and its bytes, files
/// streamed from their shared buffers.
pub(crate) fn multipart(parts: &[Part]) -> (String, crate::body::Body) {
    let boundary = format!("bnotify-{}", uuid::Uuid::new_v4().simple());
    let quote = |s: &str| s.replace(['"', '\r', '\n'], "_");
    let mut body = crate::body::Body::new();
    let mut head = Vec::new();
    for p in parts {
        head.extend_from_slice(format!("--{boundary}\r\n").as_bytes());
        let mut disp = format!("Content-Disposition: form-data; name=\"{}\"", quote(p.name));
        if let Some(f) = p.filename {
            disp.push_str(&format!("; filename=\"{}\"", quote(f)));
        }
        head.extend_from_slice(disp.as_bytes());
        head.extend_from_slice(b"\r\n");
        if let Some(ct) = p.content_type {
            head.extend_from_slice(format!("Content-Type: {ct}\r\n").as_bytes());
        }
        head.extend_from_slice(b"\r\n");
        match p.data {
            PartData::Bytes(b) => head.extend_from_slice(b),
            PartData::File(a) => {
                body = body.bytes(std::mem::take(&mut head)).file(a);
            }
        }
        head.extend_from_slice(b"\r\n");
    }
    head.extend_from_slice(format!("--{boundary}--\r\n").as_bytes());
    (
        format!("multipart/form-data; boundary={boundary}"),
        body.bytes(head),
    )
}

#[cfg(test)]
mod keys_from_types;
