//! A notification URL cut into its parts by hand: the `url` crate would lowercase the
//! host (a Google Chat space id keeps its case), read `123:ABC` (a Telegram bot token) as
//! host and port, and take `#room` for a fragment, where Apprise reads it as a target.

use serde_json::{Map, Value};

use super::Problem;

/// The parts of a notification URL, percent-decoded.
#[derive(Debug, Clone)]
pub(crate) struct Parts {
    /// The scheme, lowercased.
    pub scheme: String,
    /// User-info before `:`, when there is user-info.
    pub user: Option<String>,
    /// User-info after `:`.
    pub password: Option<String>,
    /// `host[:port]` as written (not decoded).
    pub authority: String,
    /// The non-empty path segments (a `#` is part of its segment).
    pub path: Vec<String>,
    query: Vec<(String, String)>,
}

/// Query options every scheme takes: Apprise's generic ones, which bnotify has no use for
/// (`format`, `overflow`, ... are handled by each channel's own rendering).
const GENERIC: &[&str] = &["format", "overflow", "emojis", "tz", "cto", "rto", "store"];

fn decode(s: &str) -> String {
    percent_encoding::percent_decode_str(s)
        .decode_utf8_lossy()
        .into_owned()
}

impl Parts {
    /// Cut `url` (with a `scheme://`) into parts.
    pub(crate) fn new(url: &str) -> Result<Parts, Problem> {
        if url.contains(char::is_whitespace) {
            return Err("it contains whitespace".into());
        }
        let (scheme, rest) = url
            .split_once("://")
            .ok_or_else(|| "it has no \"://\"".to_string())?;
        let (head, query) = rest.split_once('?').unwrap_or((rest, ""));
        let (authority, path) = head.split_once('/').unwrap_or((head, ""));
        let (userinfo, authority) = match authority.rsplit_once('@') {
            Some((u, a)) => (Some(u), a),
            None => (None, authority),
        };
        let (user, password) = match userinfo {
            None => (None, None),
            Some(u) => match u.split_once(':') {
                Some((a, b)) => (Some(decode(a)), Some(decode(b))),
                None => (Some(decode(u)), None),
            },
        };
        let query = query
            .split('&')
            .filter(|kv| !kv.is_empty())
            .map(|kv| {
                let (k, v) = kv.split_once('=').unwrap_or((kv, ""));
                (decode(k).to_ascii_lowercase(), decode(v))
            })
            .collect();
        Ok(Parts {
            scheme: scheme.to_ascii_lowercase(),
            user: user.filter(|u| !u.is_empty()),
            password: password.filter(|p| !p.is_empty()),
            authority: authority.to_string(),
            path: path
                .split('/')
                .filter(|s| !s.is_empty())
                .map(decode)
                .collect(),
            query,
        })
    }

    /// The host (decoded, case kept) and port.
    pub(crate) fn host_port(&self) -> Result<(String, Option<u16>), Problem> {
        let a = self.authority.as_str();
        let (host, port) = if let Some(rest) = a.strip_prefix('[') {
            let (h, after) = rest
                .split_once(']')
                .ok_or_else(|| "unclosed \"[\" in the host".to_string())?;
            (format!("[{h}]"), after.strip_prefix(':'))
        } else {
            match a.rsplit_once(':') {
                Some((h, p)) => (h.to_string(), Some(p)),
                None => (a.to_string(), None),
            }
        };
        if host.is_empty() {
            return Err("it has no host".into());
        }
        let port = match port {
            None | Some("") => None,
            Some(p) => match p.parse::<u16>() {
                Ok(n) if n > 0 => Some(n),
                _ => return Err("invalid port (a number from 1 to 65535)".into()),
            },
        };
        Ok((decode(&host), port))
    }

    /// The host alone.
    pub(crate) fn host(&self) -> Result<String, Problem> {
        self.host_port().map(|(h, _)| h)
    }

    /// `http(s)://host[:port]`.
    pub(crate) fn base(&self, tls: bool) -> Result<String, Problem> {
        let (host, port) = self.host_port()?;
        let scheme = if tls { "https" } else { "http" };
        Ok(match port {
            Some(p) => format!("{scheme}://{host}:{p}"),
            None => format!("{scheme}://{host}"),
        })
    }

    /// The authority decoded, as a plain value (a Telegram token, a Discord id).
    pub(crate) fn authority_value(&self) -> String {
        decode(&self.authority)
    }

    /// Take the first of the query options `names` (a later repeat is dropped too).
    pub(crate) fn take(&mut self, names: &[&str]) -> Option<String> {
        let mut found = None;
        self.query.retain(|(k, v)| {
            if names.contains(&k.as_str()) {
                found.get_or_insert_with(|| v.clone());
                false
            } else {
                true
            }
        });
        found
    }

    /// Take a yes/no option.
    pub(crate) fn take_flag(&mut self, names: &[&str]) -> Option<bool> {
        self.take(names).map(|v| {
            matches!(
                v.to_ascii_lowercase().as_str(),
                "yes" | "true" | "1" | "on" | "y"
            )
        })
    }

    /// Take Apprise's `+Name=value` options: HTTP headers.
    pub(crate) fn take_headers(&mut self) -> Map<String, Value> {
        let mut out = Map::new();
        let mut rest = Vec::new();
        for (k, v) in std::mem::take(&mut self.query) {
            match k.strip_prefix('+') {
                Some(name) if !name.is_empty() => {
                    out.insert(header_case(name), Value::String(v));
                }
                _ => rest.push((k, v)),
            }
        }
        self.query = rest;
        out
    }

    /// Take Apprise's `-name=value` options: query parameters of the request.
    pub(crate) fn take_params(&mut self) -> Vec<(String, String)> {
        let mut out = Vec::new();
        self.query.retain(|(k, v)| match k.strip_prefix('-') {
            Some(name) if !name.is_empty() => {
                out.push((name.to_string(), v.clone()));
                false
            }
            _ => true,
        });
        out
    }

    /// A list option (`a,b` or repeated).
    pub(crate) fn take_list(&mut self, names: &[&str]) -> Vec<String> {
        let mut out = Vec::new();
        self.query.retain(|(k, v)| {
            if names.contains(&k.as_str()) {
                out.extend(
                    v.split([',', ' '])
                        .filter(|s| !s.is_empty())
                        .map(str::to_string),
                );
                false
            } else {
                true
            }
        });
        out
    }

    /// After the mapping: `verify=no` becomes `tls_insecure: true` (HTTP types), generic
    /// options are dropped, and the first unknown option is returned.
    pub(crate) fn finish(
        &mut self,
        keys: &mut Map<String, Value>,
    ) -> Result<Option<String>, Problem> {
        if let Some(v) = self.take_flag(&["verify"]) {
            if !v && !keys.contains_key("smtp_host") {
                keys.insert("tls_insecure".into(), Value::Bool(true));
            }
        }
        self.query.retain(|(k, _)| !GENERIC.contains(&k.as_str()));
        Ok(self.query.first().map(|(k, _)| k.clone()))
    }

    /// Whether the query still holds options.
    pub(crate) fn has_query(&self) -> bool {
        !self.query.is_empty()
    }
}

/// `x-api-key` → `X-Api-Key` (query names are lowercased; header names are not case
/// sensitive, this only reads better).
fn header_case(name: &str) -> String {
    name.split('-')
        .map(|w| {
            let mut c = w.chars();
            match c.next() {
                Some(f) => f.to_ascii_uppercase().to_string() + c.as_str(),
                None => String::new(),
            }
        })
        .collect::<Vec<_>>()
        .join("-")
}
