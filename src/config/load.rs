//! From the parsed tree to a [`Config`]: the root keys, then each endpoint on its own, so
//! an endpoint with a problem is left out alone. Every error is placed from the parser's
//! positions: an unknown key at the key, a missing key at the endpoint, a bad value at
//! the value.

use std::collections::HashMap;
use std::path::Path;
use std::time::Duration;

use super::schema::{CommonFile, RootFile, COMMON_KEYS, HTTP_KEYS, ROOT_KEYS};
use super::{
    error, expand_tilde, expand_value, nearest, paths, Broken, Config, ConfigError, Endpoint,
    ExpandError, Patterns, Spot, DEFAULT_MAX_AGE, DEFAULT_MAX_AGE_START, DEFAULT_RETRIES,
    DEFAULT_TIMEOUT,
};
use crate::channels;
use crate::yaml::{self as node, Entries, Node, Pos, Value};
use crate::yaml::{from_node, DeError, DeErrorKind};

pub(super) struct Loader<'a> {
    pub(super) path: &'a Path,
    pub(super) env: &'a dyn Fn(&str) -> Option<String>,
    pub(super) errors: Vec<ConfigError>,
    /// Secret values written in the endpoints, masked in every error.
    pub(super) secrets: Vec<String>,
}

impl Loader<'_> {
    pub(super) fn load(&mut self, text: &str) -> Option<Config> {
        let root = match node::parse(text) {
            Ok(n) => n,
            Err(e) => {
                self.errors.push(e.into());
                return None;
            }
        };
        let root = unwrap_notification(root);
        let at = root.at;
        let Value::Map(mut map) = root.value else {
            self.errors.push(
                ConfigError::new(
                    "the config must be a mapping of keys (enabled, events, endpoints, ...)",
                )
                .at(Some(at))
                .hint("see config.example.yaml"),
            );
            return None;
        };
        let endpoints = map
            .iter()
            .position(|(k, _)| k.as_str() == Some("endpoints"))
            .map(|i| map.remove(i).1);
        let mut root_node = Node::new(Value::Map(map), at);
        let events_at = root_node.get("events").map(|v| v.at);
        if let Err((e, pos)) = expand_value(&mut root_node, self.env) {
            self.errors.push(expand_error(e, None).at(Some(pos)));
            return None;
        }
        let root: RootFile = match from_node(root_node) {
            Ok(r) => r,
            Err(e) => {
                self.errors.push(de_error(e, ROOT_KEYS, at));
                return None;
            }
        };
        let endpoints = match endpoints {
            None => Vec::new(),
            Some(Node {
                value: Value::Null, ..
            }) => Vec::new(),
            Some(Node {
                value: Value::Seq(seq),
                ..
            }) => seq,
            Some(other) => {
                self.errors.push(
                    ConfigError::new("\"endpoints\" must be a list")
                        .at(Some(other.at))
                        .hint("write one \"- name: ...\" entry per endpoint"),
                );
                return None;
            }
        };
        self.build(root, events_at, endpoints)
    }

    fn build(
        &mut self,
        root: RootFile,
        events_at: Option<Pos>,
        endpoints: Vec<Node>,
    ) -> Option<Config> {
        let timeout = root.defaults.timeout.unwrap_or(DEFAULT_TIMEOUT);
        let retries = root.defaults.retries.unwrap_or(DEFAULT_RETRIES);
        let events = root.events.map(|raw| {
            Patterns::new(raw).unwrap_or_else(|e| {
                self.errors.push(ConfigError::new(e).at(events_at));
                super::empty_patterns()
            })
        });
        let mut out: Vec<Endpoint> = Vec::new();
        let mut names = std::collections::HashSet::new();
        let mut broken = Vec::new();
        for (i, v) in endpoints.into_iter().enumerate() {
            let name = v.get("name").and_then(Node::as_str).map(str::to_string);
            let before = self.errors.len();
            match self.endpoint(i, v, timeout, retries) {
                Some(ep) if names.contains(&ep.name) => {
                    self.errors.push(
                        ConfigError::new(format!("duplicate endpoint name \"{}\"", ep.name))
                            .endpoint(ep.label())
                            .at(ep.value_at("name").or(Some(ep.at)))
                            .hint("give every endpoint a unique name"),
                    );
                }
                Some(ep) => {
                    names.insert(ep.name.clone());
                    out.push(ep);
                }
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
        let state_dir = root
            .state_dir
            .map_or_else(paths::state_home, |s| expand_tilde(&s));
        Some(Config {
            path: self.path.to_path_buf(),
            enabled: root.enabled,
            events,
            best_effort: root.best_effort,
            outbox_dir: root
                .outbox
                .dir
                .map_or_else(|| paths::state_home().join("outbox"), |d| expand_tilde(&d)),
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
        mut node: Node,
        timeout: Duration,
        retries: u32,
    ) -> Option<Endpoint> {
        let at = node.at;
        if !matches!(node.value, Value::Map(_)) {
            self.errors.push(
                ConfigError::new(format!(
                    "endpoint #{} must be a mapping with name, type and the channel's keys",
                    index + 1
                ))
                .at(Some(at)),
            );
            return None;
        }
        let name = node.get("name").and_then(Node::as_str).map(str::to_string);
        let label_name = name
            .clone()
            .map_or_else(|| format!("#{}", index + 1), |n| format!("\"{n}\""));
        let kind_name = node.get("type").and_then(Node::as_str).map(str::to_string);
        let label = match &kind_name {
            Some(k) => format!("{label_name} ({k})"),
            None => label_name.clone(),
        };
        if let Err((e, pos)) = expand_value(&mut node, self.env) {
            self.errors
                .push(expand_error(e, Some(&label)).at(Some(pos)));
            return None;
        }
        // A notification URL (`url: discord://...`) stands for the type and its keys.
        let kind_name = match super::urls::expand(&mut node, kind_name) {
            Ok(k) => k,
            Err((e, pos)) => {
                self.errors.push(e.endpoint(&label).at(Some(pos)));
                return None;
            }
        };
        let label = match (node.get("name").and_then(Node::as_str), &kind_name) {
            (Some(n), Some(k)) => format!("\"{n}\" ({k})"),
            _ => label,
        };
        let json = node.to_json();
        self.secrets.extend(crate::redact::value_secrets(&json));
        let raw = match json {
            serde_json::Value::Object(m) => m,
            _ => serde_json::Map::new(),
        };
        let Value::Map(map) = node.value else {
            return None;
        };
        let spots: Vec<Spot> = map
            .iter()
            .map(|(k, v)| Spot {
                key: k.key_text(),
                key_at: k.at,
                value_at: v.at,
            })
            .collect();
        let value_at = |key: &str| spots.iter().find(|s| s.key == key).map(|s| s.value_at);
        let Some(kind_name) = kind_name else {
            self.errors.push(
                ConfigError::new("missing required key \"type\"")
                    .endpoint(&label)
                    .at(Some(at))
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
                    .at(value_at("type"))
                    .hint(hint),
            );
            return None;
        };
        let (common, own) = split_keys(map, kind.http);
        let mut valid: Vec<&str> = COMMON_KEYS.to_vec();
        if kind.http {
            valid.extend(HTTP_KEYS);
        }
        valid.extend((kind.keys)());
        let common: CommonFile = match from_node(Node::new(Value::Map(common), at)) {
            Ok(c) => c,
            Err(e) => {
                self.errors.push(de_error(e, &valid, at).endpoint(&label));
                return None;
            }
        };
        let channel = match (kind.build)(Node::new(Value::Map(own), at)) {
            Ok(c) => c,
            Err(e) => {
                self.errors.push(de_error(e, &valid, at).endpoint(&label));
                return None;
            }
        };
        if let Err(e) = channel.validate() {
            self.errors.push(
                ConfigError::new(e.message)
                    .endpoint(&label)
                    .at(e.key.and_then(value_at).or(Some(at)))
                    .hint(e.hint.unwrap_or_default()),
            );
            return None;
        }
        let events = self.patterns(common.events, value_at("events"), &label)?;
        let tasks = self.patterns(common.tasks, value_at("tasks"), &label)?;
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
            line: Some(at.0),
            at,
            spots,
            raw,
            to: None,
        })
    }

    /// Every fallback names an endpoint, and no chain of fallbacks comes back to its start.
    fn check_fallbacks(&mut self, eps: &[Endpoint]) {
        let names: std::collections::HashSet<&str> = eps.iter().map(|e| e.name.as_str()).collect();
        for ep in eps {
            for f in &ep.fallback {
                if !names.contains(f.as_str()) {
                    let hint = match nearest(f, eps.iter().map(|e| e.name.as_str())) {
                        Some(n) => format!("did you mean \"{n}\"?"),
                        None => format!(
                            "endpoints: {}",
                            eps.iter()
                                .map(|e| e.name.as_str())
                                .collect::<Vec<_>>()
                                .join(", ")
                        ),
                    };
                    self.errors.push(
                        ConfigError::new(format!("fallback \"{f}\" is not an endpoint"))
                            .endpoint(ep.label())
                            .at(ep.key_at("fallback").or(Some(ep.at)))
                            .hint(hint),
                    );
                }
            }
        }
        let by_name: HashMap<&str, &Endpoint> = eps.iter().map(|e| (e.name.as_str(), e)).collect();
        let mut reported: Vec<Vec<String>> = Vec::new();
        for ep in eps.iter().filter(|e| !e.fallback.is_empty()) {
            if let Some(cycle) = fallback_cycle(&by_name, &ep.name) {
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
                        .at(ep.key_at("fallback").or(Some(ep.at)))
                        .hint("a fallback must not lead back to the endpoint it stands in for"),
                );
            }
        }
    }

    fn patterns(
        &mut self,
        raw: Option<Vec<String>>,
        at: Option<Pos>,
        label: &str,
    ) -> Option<Option<Patterns>> {
        match raw.map(Patterns::new) {
            None => Some(None),
            Some(Ok(p)) => Some(Some(p)),
            Some(Err(e)) => {
                self.errors.push(ConfigError::new(e).endpoint(label).at(at));
                None
            }
        }
    }
}

/// A typed deserialization error as a located [`ConfigError`]: an unknown key gets the
/// nearest valid key as a hint (`valid` at the top, the type's own keys deeper down).
fn de_error(e: DeError, valid: &[&str], fallback_at: Pos) -> ConfigError {
    let at = Some(e.at.unwrap_or(fallback_at));
    let err = match &e.kind {
        DeErrorKind::UnknownKey { key, expected } => {
            let keys: Vec<&str> = if e.path().is_empty() {
                valid.to_vec()
            } else {
                expected.to_vec()
            };
            let hint = match nearest(key, keys.iter().copied()) {
                Some(n) => format!("did you mean \"{n}\"?"),
                None => format!("valid keys here: {}", keys.join(", ")),
            };
            ConfigError::new(e.to_string()).hint(hint)
        }
        DeErrorKind::MissingKey(k) => {
            ConfigError::new(e.to_string()).hint(format!("add \"{k}: ...\""))
        }
        DeErrorKind::Invalid(_) => error::with_hint(&e.to_string()),
    };
    err.at(at)
}

/// The fallback chain from `start` back to itself, if there is one: `a -> b -> a`.
fn fallback_cycle(by_name: &HashMap<&str, &Endpoint>, start: &str) -> Option<Vec<String>> {
    fn walk(
        by_name: &HashMap<&str, &Endpoint>,
        start: &str,
        at: &str,
        path: &mut Vec<String>,
    ) -> bool {
        let Some(ep) = by_name.get(at) else {
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
            if walk(by_name, start, f, path) {
                return true;
            }
            path.pop();
        }
        false
    }
    let mut path = vec![start.to_string()];
    walk(by_name, start, start, &mut path).then_some(path)
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
fn unwrap_notification(root: Node) -> Node {
    match root.value {
        Value::Map(mut m) if m.len() == 1 && m[0].0.as_str() == Some("notification") => {
            let (_, v) = m.remove(0);
            v
        }
        value => Node::new(value, root.at),
    }
}

/// Split an endpoint's keys into the shared ones and the channel's own.
fn split_keys(map: Entries, http: bool) -> (Entries, Entries) {
    map.into_iter().partition(|(k, _)| {
        let key = k.as_str().unwrap_or("");
        COMMON_KEYS.contains(&key) || (http && HTTP_KEYS.contains(&key))
    })
}

#[cfg(test)]
mod tests {
    use super::super::*;
    use std::path::Path;
    use std::time::Duration;

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
                "c.yaml:3:11: endpoint \"a\" (webhok): unknown type \"webhok\"",
            ),
            (
                "endpoints:\n  - name: a\n    type: webhook\n",
                "c.yaml:2:5: endpoint \"a\" (webhook): missing required key \"url\"",
            ),
            (
                "endpoints:\n  - name: a\n    type: webhook\n    url: ${NOPE}\n",
                "endpoint \"a\" (webhook): environment variable NOPE is not set",
            ),
            ("enabeld: true\n", "c.yaml:1:1: unknown key \"enabeld\"\nhint: did you mean \"enabled\"?"),
            ("endpoints: [\n", "c.yaml:1:12: invalid YAML"),
            (
                "endpoints:\n  - {name: a, type: webhook, url: http://h}\n  - {name: a, type: webhook, url: http://h}\n",
                "c.yaml:3:12: endpoint \"a\" (webhook): duplicate endpoint name \"a\"",
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
