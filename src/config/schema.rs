//! serde structs for the root of the config file and the keys every endpoint shares.
//! Channel-specific keys are deserialized by each channel (see `channels/`).

use std::time::Duration;

use serde::{Deserialize, Deserializer};

/// The root of the file, minus `endpoints` (taken out first and read one by one, so a
/// problem in one endpoint leaves the others in).
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RootFile {
    /// `false`: send nothing.
    #[serde(default = "yes")]
    pub enabled: bool,
    /// Default subscription.
    pub events: Option<Vec<String>>,
    /// Turn exit code 1 into 0.
    #[serde(default)]
    pub best_effort: bool,
    /// Defaults of every endpoint.
    #[serde(default)]
    pub defaults: DefaultsFile,
    /// Outbox settings.
    #[serde(default)]
    pub outbox: OutboxFile,
    /// Where noise-control state lives.
    pub state_dir: Option<String>,
    /// Global title/body templates.
    #[serde(default)]
    pub templates: TemplatesFile,
}

/// The keys allowed at the root.
pub const ROOT_KEYS: &[&str] = &[
    "enabled",
    "events",
    "best_effort",
    "defaults",
    "outbox",
    "state_dir",
    "templates",
    "endpoints",
];

/// `defaults:`.
#[derive(Debug, Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub(crate) struct DefaultsFile {
    /// Per-attempt timeout.
    #[serde(default, deserialize_with = "opt_timeout")]
    pub timeout: Option<Duration>,
    /// Retries after the first attempt.
    pub retries: Option<u32>,
}

/// `outbox:`.
#[derive(Debug, Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub(crate) struct OutboxFile {
    /// Directory of entry files.
    pub dir: Option<String>,
    /// Entries older than this are dropped.
    #[serde(default, deserialize_with = "opt_duration")]
    pub max_age: Option<Duration>,
    /// Start and info events older than this are dropped instead of delivered late.
    #[serde(default, deserialize_with = "opt_duration")]
    pub max_age_start: Option<Duration>,
}

/// `templates:`.
#[derive(Debug, Deserialize, Default, Clone)]
#[serde(deny_unknown_fields)]
pub(crate) struct TemplatesFile {
    /// Title template.
    pub title: Option<String>,
    /// Body template.
    pub body: Option<String>,
}

/// The keys every endpoint shares.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct CommonFile {
    /// Unique name.
    pub name: String,
    /// Channel type: the loader reads it before this struct (it picks the type's keys).
    /// Kept as a `String` rather than `IgnoredAny`: measured, the other way round made
    /// glibc's malloc spend 2.6 times as long and `config check` of 10,000 endpoints 20%
    /// slower.
    #[serde(rename = "type")]
    #[expect(dead_code, reason = "read by the loader before this struct")]
    kind: String,
    /// `false`: skip this endpoint.
    #[serde(default = "yes")]
    pub enabled: bool,
    /// Subscribed events (names, globs, `*`).
    pub events: Option<Vec<String>>,
    /// Which statuses pass.
    #[serde(default)]
    pub when: When,
    /// Only these tasks (globs).
    pub tasks: Option<Vec<String>>,
    /// Per-attempt timeout.
    #[serde(default, deserialize_with = "opt_timeout")]
    pub timeout: Option<Duration>,
    /// Retries after the first attempt.
    pub retries: Option<u32>,
    /// Title template.
    pub title: Option<String>,
    /// Body template.
    pub body: Option<String>,
    /// Extra HTTP headers.
    #[serde(default)]
    pub headers: indexmap_like::Headers,
    /// PEM file of CAs to trust.
    pub ca_file: Option<String>,
    /// Skip TLS verification (warned on every use).
    #[serde(default)]
    pub tls_insecure: bool,
    /// Attachments larger than this are cut to their last bytes.
    #[serde(default, deserialize_with = "opt_size")]
    pub max_attachment_size: Option<u64>,
    /// The same (event, task) at most once per this window.
    #[serde(default, deserialize_with = "opt_duration")]
    pub throttle: Option<Duration>,
    /// Endpoints that get the event when this one finally fails.
    #[serde(default)]
    pub fallback: Vec<String>,
}

/// Keys every endpoint takes.
pub const COMMON_KEYS: &[&str] = &[
    "name",
    "type",
    "enabled",
    "events",
    "when",
    "tasks",
    "timeout",
    "retries",
    "title",
    "body",
    "max_attachment_size",
    "throttle",
    "fallback",
];

/// Keys every HTTP endpoint takes besides [`COMMON_KEYS`].
pub const HTTP_KEYS: &[&str] = &["headers", "ca_file", "tls_insecure"];

/// `when:` — which outcomes an endpoint is told about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Default, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub(crate) enum When {
    /// Every status.
    #[default]
    Always,
    /// Only success.
    Success,
    /// Only failure.
    Failure,
    /// Only a change of outcome per task (start and info pass through).
    Change,
}

impl When {
    /// The config spelling.
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            When::Always => "always",
            When::Success => "success",
            When::Failure => "failure",
            When::Change => "change",
        }
    }
}

fn yes() -> bool {
    true
}

pub(crate) use crate::units::{opt_duration, opt_timeout};

/// A byte size written as a number or with a unit (`8MiB`, `700KB`).
pub(crate) fn opt_size<'de, D: Deserializer<'de>>(d: D) -> Result<Option<u64>, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum Raw {
        Bytes(u64),
        Text(String),
    }
    match Option::<Raw>::deserialize(d)? {
        None => Ok(None),
        Some(Raw::Bytes(b)) => Ok(Some(b)),
        Some(Raw::Text(t)) => crate::event::parse_size(&t)
            .map(Some)
            .map_err(serde::de::Error::custom),
    }
}

/// Header maps that keep their order.
pub(crate) mod indexmap_like {
    use serde::{Deserialize, Deserializer};

    /// Ordered `name: value` headers.
    #[derive(Debug, Clone, Default)]
    pub(crate) struct Headers(pub Vec<(String, String)>);

    impl<'de> Deserialize<'de> for Headers {
        fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
            d.deserialize_map(HeadersVisitor)
        }
    }

    struct HeadersVisitor;

    impl<'de> serde::de::Visitor<'de> for HeadersVisitor {
        type Value = Headers;

        fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
            f.write_str("a mapping of header names to values")
        }

        fn visit_map<A: serde::de::MapAccess<'de>>(self, mut a: A) -> Result<Headers, A::Error> {
            let mut out = Vec::new();
            // Each check runs inside the key's or the value's own deserialization, so an
            // error is placed at that key or value.
            while let Some(k) = a.next_key_seed(Name)? {
                let v = a.next_value_seed(HeaderValue(&k))?;
                out.push((k, v));
            }
            Ok(Headers(out))
        }
    }

    struct Name;

    impl<'de> serde::de::DeserializeSeed<'de> for Name {
        type Value = String;

        fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<String, D::Error> {
            let k = Scalar::deserialize(d)?
                .0
                .ok_or_else(|| serde::de::Error::custom("header names must be text"))?;
            check(&k, "").map_err(serde::de::Error::custom)?;
            Ok(k)
        }
    }

    struct HeaderValue<'a>(&'a str);

    impl<'de> serde::de::DeserializeSeed<'de> for HeaderValue<'_> {
        type Value = String;

        fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<String, D::Error> {
            let name = self.0;
            let v = Scalar::deserialize(d)?.0.ok_or_else(|| {
                serde::de::Error::custom(format!("header \"{name}\" must have a text value"))
            })?;
            check(name, &v).map_err(serde::de::Error::custom)?;
            Ok(v)
        }
    }

    /// A header name is an HTTP token; neither name nor value may hold CR, LF or another
    /// control character (a line break would start a header of its own), and the value is
    /// ASCII (the HTTP client refuses anything else, so the alert would never leave).
    fn check(name: &str, value: &str) -> Result<(), super::HeaderProblem> {
        let token = |c: char| c.is_ascii_alphanumeric() || "!#$%&'*+-.^_`|~".contains(c);
        if name.contains(['\r', '\n']) {
            return Err(super::HeaderProblem(format!(
                "header name {name:?} contains a line break (CR/LF)\nhint: write the header on one line: a name of letters, digits and -"
            )));
        }
        if name.is_empty() || !name.chars().all(token) {
            return Err(super::HeaderProblem(format!(
                "header name {name:?} is not a valid HTTP header name\nhint: use letters, digits and -, e.g. X-Api-Key"
            )));
        }
        if value.contains(['\r', '\n']) {
            return Err(super::HeaderProblem(format!(
                "header \"{name}\": the value contains a line break (CR/LF)\nhint: write the value on one line; check the variable or file it comes from"
            )));
        }
        if value.chars().any(|c| c.is_control() && c != '\t') {
            return Err(super::HeaderProblem(format!(
                "header \"{name}\": the value contains a control character\nhint: header values are printable text on one line"
            )));
        }
        if !value.is_ascii() {
            return Err(super::HeaderProblem(format!(
                "header \"{name}\": the value is not ASCII ({:?}), which HTTP clients and servers refuse or garble\nhint: keep header values to ASCII; percent-encode other text (caf%C3%A9)",
                value.chars().find(|c| !c.is_ascii()).unwrap_or('?')
            )));
        }
        Ok(())
    }

    /// A scalar as text (`None` for a mapping, a sequence or null).
    struct Scalar(Option<String>);

    impl<'de> Deserialize<'de> for Scalar {
        fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
            Ok(Scalar(match serde_json::Value::deserialize(d)? {
                serde_json::Value::String(s) => Some(s),
                serde_json::Value::Number(n) => Some(n.to_string()),
                serde_json::Value::Bool(b) => Some(b.to_string()),
                _ => None,
            }))
        }
    }
}

/// A header name or value that cannot be sent (CR, LF or another control character).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct HeaderProblem(pub String);

impl From<String> for HeaderProblem {
    fn from(s: String) -> HeaderProblem {
        HeaderProblem(s)
    }
}

impl From<&str> for HeaderProblem {
    fn from(s: &str) -> HeaderProblem {
        HeaderProblem(s.to_string())
    }
}

impl From<HeaderProblem> for String {
    fn from(e: HeaderProblem) -> String {
        e.0
    }
}
