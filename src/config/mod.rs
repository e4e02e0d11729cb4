//! Loading the config file (SPEC §4): discovery, `${VAR}` expansion, the `notification:`
//! wrapper, strict keys with suggestions, and the ready-to-use [`Config`].

mod check;
mod emit;
mod error;
mod expand;
mod load;
mod paths;
pub(crate) mod schema;
mod urls;

use std::path::{Path, PathBuf};
use std::time::Duration;

pub(crate) use crate::yaml::Pos;
pub(crate) use check::lint;
pub(crate) use emit::to_yaml;
pub(crate) use error::{nearest, ConfigError, ConfigErrors};
#[cfg(test)]
pub(crate) use expand::expand_str;
pub(crate) use expand::{expand_value, file_refs, without_refs, ExpandError};
pub(crate) use paths::{expand_tilde, home_dir, locate};
pub(crate) use schema::When;

use crate::channels::{Channel, ChannelType};

/// Default per-attempt timeout.
pub(crate) const DEFAULT_TIMEOUT: Duration = Duration::from_secs(10);
/// Default number of retries after the first attempt.
pub(crate) const DEFAULT_RETRIES: u32 = 2;
/// Default maximum age of outbox entries.
pub(crate) const DEFAULT_MAX_AGE: Duration = Duration::from_secs(7 * 24 * 3600);
/// Default maximum age of start and info events in the outbox.
pub(crate) const DEFAULT_MAX_AGE_START: Duration = Duration::from_secs(3600);

/// An event or task pattern that is not a valid glob.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct PatternError(pub String);

impl From<String> for PatternError {
    fn from(s: String) -> PatternError {
        PatternError(s)
    }
}

impl From<&str> for PatternError {
    fn from(s: &str) -> PatternError {
        PatternError(s.to_string())
    }
}

impl From<PatternError> for String {
    fn from(e: PatternError) -> String {
        e.0
    }
}

/// A list of event or task patterns: exact names, globs, or `*`.
#[derive(Debug, Clone)]
pub(crate) struct Patterns {
    /// As written.
    pub raw: Vec<String>,
    set: globset::GlobSet,
}

impl Patterns {
    /// Compile the patterns.
    pub(crate) fn new(raw: Vec<String>) -> Result<Patterns, PatternError> {
        let mut b = globset::GlobSetBuilder::new();
        for p in &raw {
            let g = globset::GlobBuilder::new(p)
                .literal_separator(false)
                .build()
                .map_err(|e| format!("bad pattern \"{p}\": {e}"))?;
            b.add(g);
        }
        let set = b.build().map_err(|e| e.to_string())?;
        Ok(Patterns { raw, set })
    }

    /// Whether `name` matches any pattern.
    pub(crate) fn matches(&self, name: &str) -> bool {
        self.set.is_match(name)
    }

    /// Whether the list holds a bare `*`.
    pub(crate) fn has_star(&self) -> bool {
        self.raw.iter().any(|p| p == "*")
    }
}

/// One endpoint, ready to use.
pub(crate) struct Endpoint {
    /// Unique name.
    pub name: String,
    /// Registered channel type.
    pub kind: &'static ChannelType,
    /// `enabled:`.
    pub enabled: bool,
    /// Own subscription, when set.
    pub events: Option<Patterns>,
    /// `when:`.
    pub when: When,
    /// `tasks:` globs, when set.
    pub tasks: Option<Patterns>,
    /// Per-attempt timeout.
    pub timeout: Duration,
    /// Retries after the first attempt.
    pub retries: u32,
    /// Title template.
    pub title: Option<String>,
    /// Body template.
    pub body: Option<String>,
    /// Extra HTTP headers, added to every request.
    pub headers: Vec<(String, String)>,
    /// PEM file of CAs to trust.
    pub ca_file: Option<PathBuf>,
    /// Skip TLS verification.
    pub tls_insecure: bool,
    /// `max_attachment_size:`, when set.
    pub max_attachment_size: Option<u64>,
    /// `throttle:` window, when set.
    pub throttle: Option<Duration>,
    /// `fallback:` endpoint names.
    pub fallback: Vec<String>,
    /// The channel itself.
    pub channel: Box<dyn Channel>,
    /// Line in the file where the endpoint starts.
    pub line: Option<usize>,
    /// Where the endpoint's mapping starts (its first key, or its `{`).
    pub at: Pos,
    /// Where each of its keys and their values are written.
    pub spots: Vec<Spot>,
    /// The endpoint's keys after expansion, for `config show` (masked before printing).
    pub raw: serde_json::Map<String, serde_json::Value>,
    /// The notification URL of an ad-hoc endpoint (`send --to`), kept in its outbox entries.
    pub to: Option<String>,
}

/// Where one key of an endpoint and its value are written.
#[derive(Debug, Clone)]
pub(crate) struct Spot {
    /// The key.
    pub key: String,
    /// Position of the key.
    pub key_at: Pos,
    /// Position of its value.
    pub value_at: Pos,
}

/// Debug output never shows the endpoint's keys as written (they hold its secrets); the
/// channel prints its own, with secrets masked.
impl std::fmt::Debug for Endpoint {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Endpoint")
            .field("name", &self.name)
            .field("kind", &self.kind.name)
            .field("enabled", &self.enabled)
            .field("when", &self.when)
            .field("timeout", &self.timeout)
            .field("retries", &self.retries)
            .field("channel", &self.channel)
            .field("line", &self.line)
            .finish_non_exhaustive()
    }
}

impl Endpoint {
    /// `"name" (type)`, as errors name an endpoint.
    pub(crate) fn label(&self) -> String {
        format!("\"{}\" ({})", self.name, self.kind.name)
    }

    /// Position of `key`, when the endpoint has it.
    pub(crate) fn key_at(&self, key: &str) -> Option<Pos> {
        self.spots.iter().find(|s| s.key == key).map(|s| s.key_at)
    }

    /// Position of the value of `key`, when the endpoint has it.
    pub(crate) fn value_at(&self, key: &str) -> Option<Pos> {
        self.spots.iter().find(|s| s.key == key).map(|s| s.value_at)
    }

    /// Secret values of this endpoint: the channel's, plus header values that carry credentials.
    pub(crate) fn secrets(&self) -> Vec<String> {
        let mut s = self.channel.secrets();
        s.extend(crate::redact::userinfo_secrets(&self.raw));
        for (k, v) in &self.headers {
            if is_secret_key(k) {
                s.push(v.clone());
                if let Some((_, cred)) = v.split_once(' ') {
                    s.push(cred.to_string());
                }
            }
        }
        s
    }
}

pub(crate) use crate::redact::is_secret_key;

/// The loaded config.
#[derive(Debug)]
pub(crate) struct Config {
    /// The file it came from.
    pub path: PathBuf,
    /// Root `enabled`.
    pub enabled: bool,
    /// Root subscription.
    pub events: Option<Patterns>,
    /// Exit 0 even on failed deliveries.
    pub best_effort: bool,
    /// Outbox directory.
    pub outbox_dir: PathBuf,
    /// Outbox entries older than this are dropped.
    pub outbox_max_age: Duration,
    /// Start and info events older than this are dropped instead of delivered late.
    pub outbox_max_age_start: Duration,
    /// Noise-control state directory.
    pub state_dir: PathBuf,
    /// Global templates.
    pub templates: schema::TemplatesFile,
    /// Endpoints in file order.
    pub endpoints: Vec<Endpoint>,
    /// Non-fatal findings (`config check` prints them).
    pub warnings: Vec<String>,
    /// Endpoints left out for a problem confined to them (SPEC §4): `config check`
    /// reports them as errors; sending delivers the others and exits 2.
    pub broken: Vec<Broken>,
}

/// An endpoint left out of the config because of a problem confined to it.
#[derive(Debug, Clone)]
pub(crate) struct Broken {
    /// Its name, when it has one.
    pub name: Option<String>,
    /// The problems (file, line, key and hint).
    pub errors: Vec<ConfigError>,
}

impl Broken {
    /// `"name"` or `#N`, for messages.
    pub(crate) fn label(&self) -> String {
        self.errors
            .iter()
            .find_map(|e| e.endpoint.clone())
            .or_else(|| self.name.as_ref().map(|n| format!("\"{n}\"")))
            .unwrap_or_else(|| "(unnamed)".to_string())
    }
}

impl Config {
    /// Read and check the file at `path`.
    pub(crate) fn load(path: &Path) -> Result<Config, ConfigErrors> {
        let text = std::fs::read_to_string(path).map_err(|e| {
            ConfigErrors(vec![with_file(
                ConfigError::new(format!("cannot read config: {e}")),
                path,
            )])
        })?;
        Config::parse(&text, path, &|name| std::env::var(name).ok())
    }

    /// Parse config text; `env` resolves `${VAR}`.
    pub(crate) fn parse(
        text: &str,
        path: &Path,
        env: &dyn Fn(&str) -> Option<String>,
    ) -> Result<Config, ConfigErrors> {
        let mut loader = load::Loader {
            path,
            env,
            errors: Vec::new(),
            secrets: Vec::new(),
        };
        let cfg = loader.load(text);
        // The secrets only mask errors: without errors, no redactor is built.
        let clean = loader.errors.is_empty() && cfg.as_ref().is_some_and(|c| c.broken.is_empty());
        let secrets = std::mem::take(&mut loader.secrets);
        let redactor = crate::redact::Redactor::new(if clean { Vec::new() } else { secrets });
        match cfg {
            Some(mut c) if loader.errors.is_empty() => {
                for b in &mut c.broken {
                    for e in &mut b.errors {
                        *e = error::masked(with_file(std::mem::take(e), path), &redactor);
                    }
                }
                Ok(c)
            }
            _ => Err(ConfigErrors(
                loader
                    .errors
                    .into_iter()
                    .map(|e| error::masked(with_file(e, path), &redactor))
                    .collect(),
            )),
        }
    }

    /// The endpoint called `name`.
    pub(crate) fn endpoint(&self, name: &str) -> Option<&Endpoint> {
        self.endpoints.iter().find(|e| e.name == name)
    }

    /// A redactor for every secret of every endpoint.
    pub(crate) fn redactor(&self) -> crate::redact::Redactor {
        crate::redact::Redactor::new(self.endpoints.iter().flat_map(Endpoint::secrets))
    }
}

fn with_file(mut e: ConfigError, path: &Path) -> ConfigError {
    e.file = Some(path.to_path_buf());
    e
}

fn empty_patterns() -> Patterns {
    Patterns {
        raw: Vec::new(),
        set: globset::GlobSet::empty(),
    }
}
