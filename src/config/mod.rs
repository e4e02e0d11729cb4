//! Loading the config file (SPEC §4): discovery, `${VAR}` expansion, the `notification:`
//! wrapper, strict keys with suggestions, and the ready-to-use [`Config`].

mod check;
mod error;
mod expand;
pub mod schema;
mod urls;

use std::path::{Path, PathBuf};
use std::time::Duration;

use serde_yaml::{Mapping, Value};

pub use check::lint;
pub use error::{nearest, ConfigError, ConfigErrors};
pub use expand::{expand_str, expand_value, file_refs, without_refs, ExpandError};
pub use schema::When;

use crate::channels::{self, Channel, ChannelType};
use schema::{CommonFile, RootFile, COMMON_KEYS, HTTP_KEYS, ROOT_KEYS};

/// Default per-attempt timeout.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(10);
/// Default number of retries after the first attempt.
pub const DEFAULT_RETRIES: u32 = 2;
/// Default maximum age of outbox entries.
pub const DEFAULT_MAX_AGE: Duration = Duration::from_secs(7 * 24 * 3600);
/// Default maximum age of start and info events in the outbox.
pub const DEFAULT_MAX_AGE_START: Duration = Duration::from_secs(3600);

/// Which file is used, and why.
#[derive(Debug, Clone)]
pub struct Located {
    /// The file.
    pub path: PathBuf,
    /// Why it was chosen, for `config path`.
    pub reason: String,
}

/// Find the config file: `--config`, `$BNOTIFY_CONFIG`, `$XDG_CONFIG_HOME/bnotify/config.yaml`
/// (default `~/.config/...`), `/etc/bnotify/config.yaml`; the first hit wins.
pub fn locate(cli: Option<&Path>) -> Result<Located, ConfigError> {
    if let Some(p) = cli {
        return exists(p.to_path_buf(), "given with --config");
    }
    if let Some(p) = std::env::var_os("BNOTIFY_CONFIG").filter(|v| !v.is_empty()) {
        return exists(PathBuf::from(p), "from $BNOTIFY_CONFIG");
    }
    let mut tried = Vec::new();
    for (path, why) in candidates() {
        if path.is_file() {
            return Ok(Located { path, reason: why });
        }
        tried.push(path.display().to_string());
    }
    Err(ConfigError::new(format!(
        "no config file found (looked in {})",
        tried.join(", ")
    ))
    .hint("create ~/.config/bnotify/config.yaml (start from config.example.yaml) or pass --config PATH"))
}

fn candidates() -> Vec<(PathBuf, String)> {
    let mut out = Vec::new();
    match std::env::var_os("XDG_CONFIG_HOME").filter(|v| !v.is_empty()) {
        Some(x) => out.push((
            PathBuf::from(x).join("bnotify/config.yaml"),
            "found in $XDG_CONFIG_HOME".to_string(),
        )),
        None => {
            if let Some(home) = home_dir() {
                out.push((
                    home.join(".config/bnotify/config.yaml"),
                    "found in ~/.config (XDG default)".to_string(),
                ));
            }
        }
    }
    out.push((
        PathBuf::from("/etc/bnotify/config.yaml"),
        "found in /etc/bnotify".to_string(),
    ));
    out
}

fn exists(path: PathBuf, why: &str) -> Result<Located, ConfigError> {
    if path.is_file() {
        Ok(Located {
            path,
            reason: why.to_string(),
        })
    } else {
        Err(ConfigError::new(format!(
            "config file {} ({why}) does not exist",
            path.display()
        ))
        .hint("check the path, or run \"bnotify config path\" to see where bnotify looks"))
    }
}

use crate::paths::state_home;
pub use crate::paths::{expand_tilde, home_dir};

/// A list of event or task patterns: exact names, globs, or `*`.
#[derive(Debug, Clone)]
pub struct Patterns {
    /// As written.
    pub raw: Vec<String>,
    set: globset::GlobSet,
}

impl Patterns {
    /// Compile the patterns.
    pub fn new(raw: Vec<String>) -> Result<Patterns, String> {
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
    pub fn matches(&self, name: &str) -> bool {
        self.set.is_match(name)
    }

    /// Whether the list holds a bare `*`.
    pub fn has_star(&self) -> bool {
        self.raw.iter().any(|p| p == "*")
    }
}

/// One endpoint, ready to use.
#[derive(Debug)]
pub struct Endpoint {
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
    /// The endpoint's keys after expansion, for `config show` (masked before printing).
    pub raw: Mapping,
    /// The notification URL of an ad-hoc endpoint (`send --to`), kept in its outbox entries.
    pub to: Option<String>,
}

impl Endpoint {
    /// `"name" (type)`, as errors name an endpoint.
    pub fn label(&self) -> String {
        format!("\"{}\" ({})", self.name, self.kind.name)
    }

    /// Secret values of this endpoint: the channel's, plus header values that carry credentials.
    pub fn secrets(&self) -> Vec<String> {
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

pub use crate::redact::is_secret_key;

/// The loaded config.
#[derive(Debug)]
pub struct Config {
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
pub struct Broken {
    /// Its name, when it has one.
    pub name: Option<String>,
    /// The problems (file, line, key and hint).
    pub errors: Vec<ConfigError>,
}

impl Broken {
    /// `"name"` or `#N`, for messages.
    pub fn label(&self) -> String {
        self.errors
            .iter()
            .find_map(|e| e.endpoint.clone())
            .or_else(|| self.name.as_ref().map(|n| format!("\"{n}\"")))
            .unwrap_or_else(|| "(unnamed)".to_string())
    }
}

impl Config {
    /// Read and check the file at `path`.
    pub fn load(path: &Path) -> Result<Config, ConfigErrors> {
        let text = std::fs::read_to_string(path).map_err(|e| {
            ConfigErrors(vec![with_file(
                ConfigError::new(format!("cannot read config: {e}")),
                path,
            )])
        })?;
        Config::parse(&text, path, &|name| std::env::var(name).ok())
    }

    /// Parse config text; `env` resolves `${VAR}`.
    pub fn parse(
        text: &str,
        path: &Path,
        env: &dyn Fn(&str) -> Option<String>,
    ) -> Result<Config, ConfigErrors> {
        let mut loader = Loader {
            text,
            path,
            env,
            errors: Vec::new(),
            secrets: Vec::new(),
        };
        let cfg = loader.load();
        let redactor = crate::redact::Redactor::new(std::mem::take(&mut loader.secrets));
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
    pub fn endpoint(&self, name: &str) -> Option<&Endpoint> {
        self.endpoints.iter().find(|e| e.name == name)
    }

    /// A redactor for every secret of every endpoint.
    pub fn redactor(&self) -> crate::redact::Redactor {
        crate::redact::Redactor::new(self.endpoints.iter().flat_map(Endpoint::secrets))
    }
}

fn with_file(mut e: ConfigError, path: &Path) -> ConfigError {
    e.file = Some(path.to_path_buf());
    e
}

struct Loader<'a> {
    text: &'a str,
    path: &'a Path,
    env: &'a dyn Fn(&str) -> Option<String>,
    errors: Vec<ConfigError>,
    /// Secret values written in the endpoints, masked in every error.
    secrets: Vec<String>,
}

impl Loader<'_> {
    fn load(&mut self) -> Option<Config> {
        let root = self.parse_yaml()?;
        let root = unwrap_notification(root);
        let Value::Mapping(mut map) = root else {
            self.errors.push(
                ConfigError::new(
                    "the config must be a mapping of keys (enabled, events, endpoints, ...)",
                )
                .hint("see config.example.yaml"),
            );
            return None;
        };
        let endpoints = map.remove("endpoints");
        let mut root_value = Value::Mapping(map);
        if let Err(e) = expand_value(&mut root_value, self.env) {
            self.errors.push(expand_error(e, None));
            return None;
        }
        let root: RootFile = match channels::deserialize(root_value) {
            Ok(r) => r,
            Err(e) => {
                let err = self.serde_error(&e.to_string(), ROOT_KEYS, None, None);
                self.errors.push(err);
                return None;
            }
        };
        let endpoints = match endpoints {
            None | Some(Value::Null) => Vec::new(),
            Some(Value::Sequence(seq)) => seq,
            Some(_) => {
                self.errors.push(
                    ConfigError::new("\"endpoints\" must be a list")
                        .at(self.find_root_key("endpoints")),
                );
                return None;
            }
        };
        self.build(root, endpoints)
    }

    fn parse_yaml(&mut self) -> Option<Value> {
        match serde_yaml::from_str::<Value>(self.text) {
            Ok(Value::Null) => Some(Value::Mapping(Mapping::new())),
            Ok(v) => Some(v),
            Err(e) => {
                let pos = e.location().map(|l| (l.line(), l.column()));
                let msg = e.to_string();
                let msg = msg.split(" at line ").next().unwrap_or(&msg).to_string();
                self.errors.push(
                    ConfigError::new(format!("invalid YAML: {msg}"))
                        .at(pos)
                        .hint("check the indentation and quoting around this line"),
                );
                None
            }
        }
    }

    fn build(&mut self, root: RootFile, endpoints: Vec<Value>) -> Option<Config> {
        let timeout = root.defaults.timeout.unwrap_or(DEFAULT_TIMEOUT);
        let retries = root.defaults.retries.unwrap_or(DEFAULT_RETRIES);
        let events = root.events.map(|raw| {
            Patterns::new(raw).unwrap_or_else(|e| {
                self.errors
                    .push(ConfigError::new(e).at(self.find_root_key("events")));
                empty_patterns()
            })
        });
        let mut out = Vec::new();
        let mut broken = Vec::new();
        for (i, v) in endpoints.into_iter().enumerate() {
            let name = v.get("name").and_then(Value::as_str).map(str::to_string);
            let before = self.errors.len();
            match self.endpoint(i, v, timeout, retries) {
                Some(ep) if out.iter().any(|o: &Endpoint| o.name == ep.name) => {
                    self.errors.push(
                        ConfigError::new(format!("duplicate endpoint name \"{}\"", ep.name))
                            .endpoint(ep.label())
                            .at(ep.line.map(|l| (l, 1)))
                            .hint("give every endpoint a unique name"),
                    );
                }
                Some(ep) => out.push(ep),
                None => {}
            }
            if self.errors.len() > before {
                broken.push(Broken {
                    name,
                    errors: self.errors.split_off(before),
                });
            }
        }
        self.check_fallbacks(&out);
        // A fallback problem leaves out the endpoint that names it.
        for e in std::mem::take(&mut self.errors) {
            let at = out
                .iter()
                .position(|o| e.endpoint.as_deref() == Some(o.label().as_str()));
            match at {
                Some(i) => {
                    let ep = out.remove(i);
                    broken.push(Broken {
                        name: Some(ep.name),
                        errors: vec![e],
                    });
                }
                None => match broken.iter_mut().find(|b| {
                    e.endpoint.is_some() && b.errors.iter().any(|x| x.endpoint == e.endpoint)
                }) {
                    Some(b) => b.errors.push(e),
                    None => self.errors.push(e),
                },
            }
        }
        let state_dir = root.state_dir.map_or_else(state_home, |s| expand_tilde(&s));
        Some(Config {
            path: self.path.to_path_buf(),
            enabled: root.enabled,
            events,
            best_effort: root.best_effort,
            outbox_dir: root
                .outbox
                .dir
                .map_or_else(|| state_home().join("outbox"), |d| expand_tilde(&d)),
            outbox_max_age: root.outbox.max_age.unwrap_or(DEFAULT_MAX_AGE),
            outbox_max_age_start: root.outbox.max_age_start.unwrap_or(DEFAULT_MAX_AGE_START),
            state_dir,
            templates: root.templates,
            endpoints: out,
            warnings: Vec::new(),
            broken,
        })
    }

    fn endpoint(
        &mut self,
        index: usize,
        value: Value,
        timeout: Duration,
        retries: u32,
    ) -> Option<Endpoint> {
        let Value::Mapping(map) = value else {
            self.errors.push(ConfigError::new(format!(
                "endpoint #{} must be a mapping with name, type and the channel's keys",
                index + 1
            )));
            return None;
        };
        let name = map.get("name").and_then(Value::as_str).map(str::to_string);
        let line = name.as_deref().and_then(|n| self.find_endpoint(n));
        let label_name = name
            .clone()
            .map_or_else(|| format!("#{}", index + 1), |n| format!("\"{n}\""));
        let kind_name = map.get("type").and_then(Value::as_str).map(str::to_string);
        let label = match &kind_name {
            Some(k) => format!("{label_name} ({k})"),
            None => label_name.clone(),
        };
        let mut expanded = Value::Mapping(map);
        if let Err(e) = expand_value(&mut expanded, self.env) {
            self.errors
                .push(expand_error(e, Some(&label)).at(line.map(|l| (l, 1))));
            return None;
        }
        self.secrets.extend(crate::redact::value_secrets(&expanded));
        let Value::Mapping(map) = expanded else {
            return None;
        };
        // A notification URL (`url: discord://...`) stands for the type and its keys.
        let (map, kind_name) = match urls::expand(map, kind_name) {
            Ok(x) => (x.map, x.kind),
            Err(e) => {
                let at = self.find_key(line, "url");
                self.errors.push(e.endpoint(&label).at(at));
                return None;
            }
        };
        self.secrets
            .extend(crate::redact::value_secrets(&Value::Mapping(map.clone())));
        let label = match (map.get("name").and_then(Value::as_str), &kind_name) {
            (Some(n), Some(k)) => format!("\"{n}\" ({k})"),
            _ => label,
        };
        let Some(kind_name) = kind_name else {
            self.errors.push(
                ConfigError::new("missing required key \"type\"")
                    .endpoint(&label)
                    .at(line.map(|l| (l, 1)))
                    .hint(format!(
                        "add e.g. \"type: webhook\"; types: {}",
                        channels::type_names()
                    )),
            );
            return None;
        };
        let Some(kind) = channels::find(&kind_name) else {
            let hint = match nearest(&kind_name, channels::TYPES.iter().map(|t| t.name)) {
                Some(n) => format!("did you mean \"{n}\"? types: {}", channels::type_names()),
                None => format!("types: {}", channels::type_names()),
            };
            self.errors.push(
                ConfigError::new(format!("unknown type \"{kind_name}\""))
                    .endpoint(&label)
                    .at(self.find_key(line, "type"))
                    .hint(hint),
            );
            return None;
        };
        let raw = map.clone();
        let (common, own) = split_keys(map, kind.http);
        let mut valid: Vec<&str> = COMMON_KEYS.to_vec();
        if kind.http {
            valid.extend(HTTP_KEYS);
        }
        valid.extend(kind.keys);
        let common: CommonFile = match channels::deserialize(Value::Mapping(common)) {
            Ok(c) => c,
            Err(e) => {
                let err = self.serde_error(&e.to_string(), &valid, Some(&label), line);
                self.errors.push(err);
                return None;
            }
        };
        let channel = match (kind.build)(Value::Mapping(own)) {
            Ok(c) => c,
            Err(e) => {
                let err = self.serde_error(&e, &valid, Some(&label), line);
                self.errors.push(err);
                return None;
            }
        };
        if let Err(e) = channel.validate() {
            self.errors.push(
                ConfigError::new(e.message)
                    .endpoint(&label)
                    .at(e
                        .key
                        .and_then(|k| self.find_key(line, k))
                        .or(line.map(|l| (l, 1))))
                    .hint(e.hint.unwrap_or_default()),
            );
            return None;
        }
        let events = self.patterns(common.events, "events", &label, line)?;
        let tasks = self.patterns(common.tasks, "tasks", &label, line)?;
        Some(Endpoint {
            name: common.name,
            kind,
            enabled: common.enabled,
            events,
            when: common.when,
            tasks,
            timeout: common.timeout.unwrap_or(timeout),
            retries: common.retries.unwrap_or(retries),
            title: common.title,
            body: common.body,
            headers: common.headers.0,
            ca_file: common.ca_file.map(|p| expand_tilde(&p)),
            tls_insecure: common.tls_insecure,
            max_attachment_size: common.max_attachment_size,
            throttle: common.throttle,
            fallback: common.fallback,
            channel,
            line,
            raw,
            to: None,
        })
    }

    /// Every fallback names an endpoint, and no chain of fallbacks comes back to its start.
    fn check_fallbacks(&mut self, eps: &[Endpoint]) {
        let names: Vec<&str> = eps.iter().map(|e| e.name.as_str()).collect();
        for ep in eps {
            for f in &ep.fallback {
                if !names.contains(&f.as_str()) {
                    let hint = match nearest(f, names.iter().copied()) {
                        Some(n) => format!("did you mean \"{n}\"?"),
                        None => format!("endpoints: {}", names.join(", ")),
                    };
                    self.errors.push(
                        ConfigError::new(format!("fallback \"{f}\" is not an endpoint"))
                            .endpoint(ep.label())
                            .at(self.find_key(ep.line, "fallback"))
                            .hint(hint),
                    );
                }
            }
        }
        let mut reported: Vec<Vec<String>> = Vec::new();
        for ep in eps {
            if let Some(cycle) = fallback_cycle(eps, &ep.name) {
                let mut key = cycle.clone();
                key.sort();
                key.dedup();
                if reported.contains(&key) {
                    continue;
                }
                reported.push(key);
                self.errors.push(
                    ConfigError::new(format!("fallbacks form a cycle: {}", cycle.join(" -> ")))
                        .endpoint(ep.label())
                        .at(self.find_key(ep.line, "fallback"))
                        .hint("a fallback must not lead back to the endpoint it stands in for"),
                );
            }
        }
    }

    fn patterns(
        &mut self,
        raw: Option<Vec<String>>,
        key: &str,
        label: &str,
        line: Option<usize>,
    ) -> Option<Option<Patterns>> {
        match raw.map(Patterns::new) {
            None => Some(None),
            Some(Ok(p)) => Some(Some(p)),
            Some(Err(e)) => {
                self.errors.push(
                    ConfigError::new(e)
                        .endpoint(label)
                        .at(self.find_key(line, key)),
                );
                None
            }
        }
    }

    /// Turn a serde message into a located error with a suggestion.
    fn serde_error(
        &self,
        msg: &str,
        valid: &[&str],
        label: Option<&str>,
        line: Option<usize>,
    ) -> ConfigError {
        let msg = msg.split(" at line ").next().unwrap_or(msg);
        let mut err = if let Some(key) = between(msg, "unknown field `", "`") {
            let hint = match nearest(key, valid.iter().copied()) {
                Some(n) => format!("did you mean \"{n}\"?"),
                None => format!("valid keys here: {}", valid.join(", ")),
            };
            let pos = match label {
                Some(_) => self.find_key(line, key),
                None => self.find_root_key(key),
            };
            ConfigError::new(format!("unknown key \"{key}\""))
                .at(pos)
                .hint(hint)
        } else if let Some(key) = between(msg, "missing field `", "`") {
            ConfigError::new(format!("missing required key \"{key}\""))
                .at(line.map(|l| (l, 1)))
                .hint(format!("add \"{key}: ...\""))
        } else {
            let key = msg.split([':', '.', '[']).next().unwrap_or("").trim();
            let pos = if valid.contains(&key) {
                match label {
                    Some(_) => self.find_key(line, key),
                    None => self.find_root_key(key),
                }
            } else {
                line.map(|l| (l, 1))
            };
            error::with_hint(msg).at(pos)
        };
        if let Some(l) = label {
            err = err.endpoint(l);
        }
        err
    }

    /// Line of `name: <name>` (YAML) or `"name": "<name>"` (JSON).
    fn find_endpoint(&self, name: &str) -> Option<usize> {
        self.text
            .lines()
            .position(|l| {
                let t = l.trim_start().trim_start_matches("- ").trim_start();
                let t = t
                    .strip_prefix("\"name\"")
                    .or_else(|| t.strip_prefix("name"))
                    .map(str::trim_start);
                t.and_then(|t| t.strip_prefix(':')).is_some_and(|v| {
                    let v = v.trim().trim_end_matches(',').trim();
                    v.trim_matches(|c| c == '"' || c == '\'') == name
                })
            })
            .map(|i| i + 1)
    }

    /// Position of `key` in the endpoint that starts near `line`: the nearest line at or
    /// after the endpoint start (or before it, for keys written above `name`).
    fn find_key(&self, line: Option<usize>, key: &str) -> Option<(usize, usize)> {
        let start = line?;
        let lines: Vec<&str> = self.text.lines().collect();
        let is_key = |l: &str| key_column(l, key);
        let end = lines.len();
        (start - 1..end)
            .chain((start.saturating_sub(8)..start - 1).rev())
            .find_map(|i| is_key(lines[i]).map(|c| (i + 1, c)))
            .or(Some((start, 1)))
    }

    fn find_root_key(&self, key: &str) -> Option<(usize, usize)> {
        self.text
            .lines()
            .enumerate()
            .find_map(|(i, l)| key_column(l, key).map(|c| (i + 1, c)))
    }
}

/// The 1-based column of `key:` on this line, if the line defines that key.
/// The fallback chain from `start` back to itself, if there is one: `a -> b -> a`.
fn fallback_cycle(eps: &[Endpoint], start: &str) -> Option<Vec<String>> {
    fn walk(eps: &[Endpoint], start: &str, at: &str, path: &mut Vec<String>) -> bool {
        let Some(ep) = eps.iter().find(|e| e.name == at) else {
            return false;
        };
        for f in &ep.fallback {
            if f == start {
                path.push(f.clone());
                return true;
            }
            if path.contains(f) {
                continue;
            }
            path.push(f.clone());
            if walk(eps, start, f, path) {
                return true;
            }
            path.pop();
        }
        false
    }
    let mut path = vec![start.to_string()];
    walk(eps, start, start, &mut path).then_some(path)
}

fn key_column(line: &str, key: &str) -> Option<usize> {
    let t = line.trim_start();
    let t2 = t.strip_prefix("- ").unwrap_or(t).trim_start();
    let col = line.len() - t2.len() + 1;
    let rest = t2
        .strip_prefix(&format!("\"{key}\""))
        .or_else(|| t2.strip_prefix(key))?;
    rest.trim_start().starts_with(':').then_some(col)
}

fn between<'a>(s: &'a str, start: &str, end: &str) -> Option<&'a str> {
    let i = s.find(start)? + start.len();
    let j = s[i..].find(end)? + i;
    Some(&s[i..j])
}

fn empty_patterns() -> Patterns {
    Patterns {
        raw: Vec::new(),
        set: globset::GlobSet::empty(),
    }
}

fn expand_error(e: ExpandError, label: Option<&str>) -> ConfigError {
    let hint = match &e {
        ExpandError::Unset(v) => {
            format!("export {v}=..., or write ${{{v}:-default}} to fall back to a default")
        }
        ExpandError::File(..) => "check the path and its permissions".to_string(),
        ExpandError::Unclosed => {
            "close it with \"}\", or write \"$${\" for a literal \"${\"".to_string()
        }
        ExpandError::TooDeep => "nest fewer defaults inside each other".to_string(),
    };
    let err = ConfigError::new(e.to_string()).hint(hint);
    match label {
        Some(l) => err.endpoint(l),
        None => err,
    }
}

/// A file whose only top-level key is `notification` is read as if that were the root.
fn unwrap_notification(root: Value) -> Value {
    match root {
        Value::Mapping(mut m) if m.len() == 1 && m.contains_key("notification") => {
            m.remove("notification").unwrap_or(Value::Null)
        }
        other => other,
    }
}

/// Split an endpoint's keys into the shared ones and the channel's own.
fn split_keys(map: Mapping, http: bool) -> (Mapping, Mapping) {
    let mut common = Mapping::new();
    let mut own = Mapping::new();
    for (k, v) in map {
        let key = k.as_str().unwrap_or("");
        if COMMON_KEYS.contains(&key) || (http && HTTP_KEYS.contains(&key)) {
            common.insert(k, v);
        } else {
            own.insert(k, v);
        }
    }
    (common, own)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Strict, as `config check` is: a broken endpoint is an error.
    fn parse(text: &str) -> Result<Config, String> {
        let cfg = Config::parse(text, Path::new("c.yaml"), &|n| {
            (n == "TOKEN").then(|| "tok".to_string())
        })
        .map_err(|e| e.to_string())?;
        if cfg.broken.is_empty() {
            Ok(cfg)
        } else {
            let errs = cfg.broken.iter().flat_map(|b| b.errors.clone()).collect();
            Err(ConfigErrors(errs).to_string())
        }
    }

    #[test]
    fn a_broken_endpoint_is_left_out_alone() {
        let text = "endpoints:\n  - {name: ok, type: webhook, url: http://h}\n  - {name: bad, type: webhook, url: \"${NOPE}\"}\n  - {name: typo, type: webhook, url: http://h, methd: PUT}\n  - {name: fb, type: webhook, url: http://h, fallback: [nobody]}\n";
        let cfg = Config::parse(text, Path::new("c.yaml"), &|_| None).unwrap();
        let names: Vec<_> = cfg.endpoints.iter().map(|e| e.name.as_str()).collect();
        assert_eq!(names, ["ok"]);
        let broken: Vec<_> = cfg.broken.iter().map(|b| b.name.clone().unwrap()).collect();
        assert_eq!(broken, ["bad", "typo", "fb"]);
        assert!(cfg.broken[0].errors[0].to_string().contains("NOPE"));
        let err = Config::parse("bogus: 1\nendpoints: []\n", Path::new("c.yaml"), &|_| None);
        assert!(err.is_err(), "a root problem still fails the whole file");
    }

    #[test]
    fn notification_wrapper_and_json() {
        let cfg = parse(
            r#"{"notification": {"enabled": true, "events": ["backup_*"],
               "endpoints": [{"name": "w", "type": "webhook", "url": "http://h/x", "timeout": "5s"}]}}"#,
        )
        .unwrap();
        assert_eq!(cfg.endpoints.len(), 1);
        assert_eq!(cfg.endpoints[0].timeout, Duration::from_secs(5));
        assert!(cfg.events.unwrap().matches("backup_failure"));
    }

    #[test]
    fn errors_name_file_line_endpoint_and_fix() {
        for (text, want) in [
            (
                "endpoints:\n  - name: a\n    type: webhook\n    url: http://h\n    methd: PUT\n",
                "c.yaml:5:5: endpoint \"a\" (webhook): unknown key \"methd\"\nhint: did you mean \"method\"?",
            ),
            (
                "endpoints:\n  - name: a\n    type: webhok\n",
                "c.yaml:3:5: endpoint \"a\" (webhok): unknown type \"webhok\"",
            ),
            (
                "endpoints:\n  - name: a\n    type: webhook\n",
                "c.yaml:2:1: endpoint \"a\" (webhook): missing required key \"url\"",
            ),
            (
                "endpoints:\n  - name: a\n    type: webhook\n    url: ${NOPE}\n",
                "endpoint \"a\" (webhook): environment variable NOPE is not set",
            ),
            ("enabeld: true\n", "c.yaml:1:1: unknown key \"enabeld\"\nhint: did you mean \"enabled\"?"),
            ("endpoints: [\n", "c.yaml:2:1: invalid YAML"),
            (
                "endpoints:\n  - {name: a, type: webhook, url: http://h}\n  - {name: a, type: webhook, url: http://h}\n",
                "duplicate endpoint name \"a\"",
            ),
        ] {
            let got = parse(text).unwrap_err();
            assert!(got.contains(want), "input:\n{text}\ngot:\n{got}\nwant: {want}");
        }
    }

    #[test]
    fn expansion_reaches_headers() {
        let cfg = parse(
            "endpoints:\n  - name: a\n    type: webhook\n    url: http://h\n    headers: {Authorization: \"Bearer ${TOKEN}\"}\n",
        )
        .unwrap();
        assert_eq!(cfg.endpoints[0].headers[0].1, "Bearer tok");
        assert!(cfg.endpoints[0].secrets().contains(&"tok".to_string()));
    }
}
