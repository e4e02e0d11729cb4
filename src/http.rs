//! The HTTP transport: ureq agents that never follow redirects, return every status as
//! data, read at most 64 KiB of a response, pick their proxy from the environment per
//! request (`HTTPS_PROXY`, `HTTP_PROXY`, `NO_PROXY`, lowercase too), trust the system
//! store plus an endpoint's private CA, and skip verification only for `tls_insecure`
//! endpoints (see [`crate::tls`]).

use std::collections::HashMap;
use std::io::Read;
use std::net::IpAddr;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime};

use serde_json::Value;

use crate::failure::DeliveryError;
use crate::signing::Signing;

/// An HTTP request, fully built.
#[derive(Debug, Clone)]
pub(crate) struct HttpRequest {
    /// `GET`, `POST`, `PUT`, ...
    pub method: String,
    /// Full URL.
    pub url: String,
    /// Headers in order.
    pub headers: Vec<(String, String)>,
    /// Exact body (files in it are streamed, not copied).
    pub body: crate::body::Body,
    /// Signature headers to compute over `body` at each attempt.
    pub signing: Option<Signing>,
}

impl HttpRequest {
    /// A request with no headers or body.
    pub(crate) fn new(method: &str, url: impl Into<String>) -> HttpRequest {
        HttpRequest {
            method: method.to_string(),
            url: url.into(),
            headers: Vec::new(),
            body: crate::body::Body::new(),
            signing: None,
        }
    }

    /// A `POST` of `body` as JSON.
    pub(crate) fn post_json(url: impl Into<String>, body: &Value) -> HttpRequest {
        HttpRequest::new("POST", url).json(body)
    }

    /// Set a JSON body and its content type.
    pub(crate) fn json(self, body: &Value) -> HttpRequest {
        let bytes = serde_json::to_vec(body).unwrap_or_default();
        self.header("Content-Type", "application/json").body(bytes)
    }

    /// Add a header.
    pub(crate) fn header(mut self, name: &str, value: impl Into<String>) -> HttpRequest {
        self.headers.push((name.to_string(), value.into()));
        self
    }

    /// Set the body bytes.
    pub(crate) fn body(mut self, body: impl Into<crate::body::Body>) -> HttpRequest {
        self.body = body.into();
        self
    }
}

/// What came back from an HTTP request.
#[derive(Debug, Clone, Default)]
pub(crate) struct Reply {
    /// Status code.
    pub status: u16,
    /// Response headers.
    pub headers: Vec<(String, String)>,
    /// Body, at most 64 KiB of it.
    pub body: Vec<u8>,
}

impl Reply {
    /// A header's value, by case-insensitive name.
    pub(crate) fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// The first 200 bytes of the body as text, for error messages.
    pub(crate) fn snippet(&self) -> String {
        let end = self.body.len().min(200);
        String::from_utf8_lossy(&self.body[..end])
            .trim()
            .to_string()
    }

    /// The usual reading of a reply: 2xx delivered; 3xx a failure naming `Location`;
    /// 408, 429 and 5xx retryable (with `Retry-After`); other 4xx final.
    pub(crate) fn default_check(&self) -> Result<(), DeliveryError> {
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
                .retryable(retry_after(self))),
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

/// An HTTP Basic `Authorization` value.
pub(crate) fn basic_auth(user: &str, password: &str) -> String {
    use base64::Engine;
    format!(
        "Basic {}",
        base64::engine::general_purpose::STANDARD.encode(format!("{user}:{password}"))
    )
}

/// Largest response body read.
pub(crate) const MAX_BODY: u64 = 64 * 1024;

/// The `User-Agent` of every request.
pub(crate) const USER_AGENT: &str = concat!("bnotify/", env!("CARGO_PKG_VERSION"));

/// The longest wait a `Retry-After` can ask for that is taken at face value.
const RETRY_AFTER_MAX: f64 = 365.0 * 86_400.0;

/// What makes two agents different: the CA file, verification, and the proxy.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
struct AgentKey {
    ca_file: Option<PathBuf>,
    insecure: bool,
    proxy: Option<String>,
    /// Whether anything on the way speaks TLS (an `https` URL or proxy); a plain HTTP
    /// request builds no TLS configuration.
    tls: bool,
}

/// The agent for one request to `url` from an endpoint with these TLS settings.
///
/// Agents are shared (and so is their connection pool) between requests with the same CA
/// file, verification and proxy. The proxy comes from the environment (see [`proxy_for`]);
/// ureq's own lookup is off because it ignores `NO_PROXY` and the request's scheme.
pub(crate) fn agent(
    url: &str,
    ca_file: Option<&Path>,
    insecure: bool,
) -> Result<ureq::Agent, crate::tls::TlsSetup> {
    static AGENTS: Mutex<Option<HashMap<AgentKey, ureq::Agent>>> = Mutex::new(None);
    let proxy = proxy_for(url, &|name| std::env::var(name).ok())?;
    let plain = |u: &str| {
        u.get(..7)
            .is_some_and(|s| s.eq_ignore_ascii_case("http://"))
    };
    let key = AgentKey {
        ca_file: ca_file.map(Path::to_path_buf),
        insecure,
        tls: !plain(url) || proxy.as_deref().is_some_and(|p| !plain(p)),
        proxy,
    };
    let mut cache = AGENTS
        .lock()
        .map_err(|_| "internal error: the HTTP agent cache is poisoned".to_string())?;
    let cache = cache.get_or_insert_with(HashMap::new);
    if let Some(a) = cache.get(&key) {
        return Ok(a.clone());
    }
    let built = build(&key)?;
    cache.insert(key, built.clone());
    Ok(built)
}

fn build(key: &AgentKey) -> Result<ureq::Agent, crate::tls::TlsSetup> {
    let mut b = ureq::AgentBuilder::new()
        .redirects(0)
        .user_agent(USER_AGENT);
    if key.tls {
        let tls = crate::tls::client_config(key.ca_file.as_deref(), key.insecure)?;
        b = b.tls_config(Arc::new(tls));
    }
    if let Some(p) = &key.proxy {
        let proxy = ureq::Proxy::new(p).map_err(|e| {
            format!(
                "proxy {} from the environment is not usable ({e}); write it as http://host:port",
                crate::redact::mask_urls(p)
            )
        })?;
        b = b.proxy(proxy);
    }
    Ok(b.build())
}

/// The proxy URL to use for `url`, from the environment read through `env`.
///
/// `https://` targets use `https_proxy`, then `HTTPS_PROXY`; `http://` targets use
/// `http_proxy`, then `HTTP_PROXY`; both fall back to `all_proxy`/`ALL_PROXY`. No proxy
/// when `no_proxy`/`NO_PROXY` matches the host (see [`no_proxy_matches`]).
pub(crate) fn proxy_for(
    url: &str,
    env: &dyn Fn(&str) -> Option<String>,
) -> Result<Option<String>, crate::tls::TlsSetup> {
    let parsed = url::Url::parse(url)
        .map_err(|e| format!("invalid URL {}: {e}", crate::redact::mask_urls(url)))?;
    let names: &[&str] = match parsed.scheme() {
        "https" => &["https_proxy", "HTTPS_PROXY", "all_proxy", "ALL_PROXY"],
        "http" => &["http_proxy", "HTTP_PROXY", "all_proxy", "ALL_PROXY"],
        _ => return Ok(None),
    };
    let lookup = |n: &str| {
        env(n)
            .map(|v| v.trim().to_string())
            .filter(|v| !v.is_empty())
    };
    let Some(proxy) = names.iter().find_map(|n| lookup(n)) else {
        return Ok(None);
    };
    let no_proxy = lookup("no_proxy").or_else(|| lookup("NO_PROXY"));
    let (Some(host), Some(port)) = (parsed.host(), parsed.port_or_known_default()) else {
        return Ok(Some(proxy));
    };
    match no_proxy {
        Some(list) if no_proxy_matches(&list, &host, port) => Ok(None),
        _ => Ok(Some(proxy)),
    }
}

/// Whether the `NO_PROXY` list `list` exempts `host:port` from the proxy.
///
/// Entries are separated by commas (or spaces): `*` matches every host; a domain matches
/// itself and its subdomains (`example.com`, `.example.com` and `*.example.com` all match
/// `api.example.com`); an IP address matches itself; `10.0.0.0/8` or `fd00::/8` match the
/// addresses in that range; `host:port` matches that port only. Case does not matter.
pub(crate) fn no_proxy_matches(list: &str, host: &url::Host<&str>, port: u16) -> bool {
    let host_ip: Option<IpAddr> = match host {
        url::Host::Ipv4(a) => Some(IpAddr::V4(*a)),
        url::Host::Ipv6(a) => Some(IpAddr::V6(*a)),
        url::Host::Domain(_) => None,
    };
    let host_name = match host {
        url::Host::Domain(d) => d.trim_end_matches('.').to_ascii_lowercase(),
        other => other.to_string(),
    };
    list.split([',', ' ', '\t', '\n'])
        .map(str::trim)
        .filter(|e| !e.is_empty())
        .any(|entry| {
            if entry == "*" {
                return true;
            }
            let (pattern, want_port) = split_port(entry);
            if want_port.is_some_and(|p| p != port) {
                return false;
            }
            if let Some(ip) = host_ip {
                return ip_matches(pattern, ip);
            }
            let pattern = pattern
                .trim_start_matches("*.")
                .trim_start_matches('.')
                .trim_end_matches('.')
                .to_ascii_lowercase();
            !pattern.is_empty()
                && (host_name == pattern || host_name.ends_with(&format!(".{pattern}")))
        })
}

/// `host:port` → (`host`, port); `[::1]:8080` → (`::1`, 8080); a bare IPv6 address has no port.
fn split_port(entry: &str) -> (&str, Option<u16>) {
    if let Some(rest) = entry.strip_prefix('[') {
        if let Some((ip, tail)) = rest.split_once(']') {
            return (ip, tail.strip_prefix(':').and_then(|p| p.parse().ok()));
        }
    }
    match entry.rsplit_once(':') {
        Some((h, p)) if !h.contains(':') => match p.parse() {
            Ok(port) => (h, Some(port)),
            Err(_) => (entry, None),
        },
        _ => (entry, None),
    }
}

/// Whether `ip` is the address `pattern`, or lies in the CIDR range `pattern`.
fn ip_matches(pattern: &str, ip: IpAddr) -> bool {
    let (net, bits) = match pattern.split_once('/') {
        Some((n, b)) => match b.parse::<u32>() {
            Ok(b) => (n, Some(b)),
            Err(_) => return false,
        },
        None => (pattern, None),
    };
    let Ok(net) = net.parse::<IpAddr>() else {
        return false;
    };
    match (net, ip, bits) {
        (a, b, None) => a == b,
        (IpAddr::V4(n), IpAddr::V4(a), Some(b)) if b <= 32 => {
            let mask = u32::MAX.checked_shl(32 - b).unwrap_or(0);
            u32::from(n) & mask == u32::from(a) & mask
        }
        (IpAddr::V6(n), IpAddr::V6(a), Some(b)) if b <= 128 => {
            let mask = u128::MAX.checked_shl(128 - b).unwrap_or(0);
            u128::from(n) & mask == u128::from(a) & mask
        }
        _ => false,
    }
}

/// Send one request with `extra` headers (the endpoint's own) and this attempt's timeout.
pub(crate) fn send(
    agent: &ureq::Agent,
    req: &HttpRequest,
    extra: &[(String, String)],
    timeout: Duration,
) -> Result<Reply, DeliveryError> {
    let mut r = agent.request(&req.method, &req.url).timeout(timeout);
    for (k, v) in &req.headers {
        r = r.set(k, v);
    }
    if let Some(s) = &req.signing {
        for (k, v) in s.headers(&req.body, unix_now()) {
            r = r.set(&k, &v);
        }
    }
    for (k, v) in extra {
        r = r.set(k, v);
    }
    if r.header("Authorization").is_none() {
        if let Some(basic) = userinfo_basic(&req.url) {
            r = r.set("Authorization", &basic);
        }
    }
    let result = if req.body.is_empty() && matches!(req.method.as_str(), "GET" | "HEAD") {
        r.call()
    } else {
        // A known length: no chunked encoding, which some receivers refuse.
        r = r.set("Content-Length", &req.body.len().to_string());
        r.send(req.body.reader())
    };
    match result {
        Ok(resp) | Err(ureq::Error::Status(_, resp)) => Ok(read_reply(resp)),
        Err(ureq::Error::Transport(t)) => Err(transport_error(&t)),
    }
}

/// A failure before any reply: network trouble is retried; a TLS failure is final (the
/// certificate or the protocol will not change on the next attempt) and names its cause.
fn transport_error(t: &ureq::Transport) -> DeliveryError {
    if let Some(tls) = crate::tls::find_error(t) {
        // Our own verifier already says whether there is a ca_file.
        let message = match crate::tls::certificate_problem(tls, crate::tls::Context::default()) {
            Some(problem) => format!("TLS failed: {problem}"),
            None => format!(
                "TLS failed: {tls} (hint: does this host speak HTTPS on this port? use \
                 http:// for a plain HTTP server)"
            ),
        };
        return DeliveryError::new(message);
    }
    let e = DeliveryError::new(transport_message(t));
    match t.kind() {
        // The request itself cannot be made: the next attempt would fail the same way.
        ureq::ErrorKind::BadHeader
        | ureq::ErrorKind::InvalidUrl
        | ureq::ErrorKind::UnknownScheme => e,
        _ => e.retryable(None),
    }
}

/// Basic auth from the URL's user-info, percent-decoded once (`us%40r:p%40ss@` logs in as
/// `us@r` with `p@ss`); ureq would send the still-encoded text.
fn userinfo_basic(url: &str) -> Option<String> {
    let u = url::Url::parse(url).ok()?;
    if u.username().is_empty() && u.password().is_none() {
        return None;
    }
    let decode = |s: &str| {
        percent_encoding::percent_decode_str(s)
            .decode_utf8_lossy()
            .into_owned()
    };
    Some(basic_auth(
        &decode(u.username()),
        &decode(u.password().unwrap_or("")),
    ))
}

fn transport_message(t: &ureq::Transport) -> String {
    let kind = t.kind();
    let detail = t
        .message()
        .map(str::to_string)
        .unwrap_or_else(|| t.to_string());
    match kind {
        ureq::ErrorKind::ConnectionFailed => format!("connection failed: {detail}"),
        ureq::ErrorKind::Dns => format!("DNS lookup failed: {detail}"),
        ureq::ErrorKind::Io if detail.contains("timed out") || detail.contains("Timeout") => {
            format!("timed out: {detail}")
        }
        _ => t.to_string(),
    }
}

fn read_reply(resp: ureq::Response) -> Reply {
    let status = resp.status();
    let headers = resp
        .headers_names()
        .into_iter()
        .filter_map(|n| resp.header(&n).map(|v| (n.clone(), v.to_string())))
        .collect();
    let mut body = Vec::new();
    // A body that errors or never ends still leaves what was read.
    let _ = resp.into_reader().take(MAX_BODY).read_to_end(&mut body);
    Reply {
        status,
        headers,
        body,
    }
}

pub(crate) use crate::units::unix_now;

/// The wait a `Retry-After` header asks for: seconds, or an HTTP date.
pub(crate) fn retry_after(reply: &Reply) -> Option<Duration> {
    let v = reply.header("Retry-After")?.trim();
    if let Ok(secs) = v.parse::<f64>() {
        return (secs >= 0.0 && secs.is_finite())
            .then(|| Duration::from_secs_f64(secs.min(RETRY_AFTER_MAX)));
    }
    let when = httpdate::parse_http_date(v).ok()?;
    Some(
        when.duration_since(SystemTime::now())
            .unwrap_or(Duration::ZERO),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn proxy_choice_and_no_proxy() {
        let env = |pairs: &'static [(&'static str, &'static str)]| {
            move |n: &str| {
                pairs
                    .iter()
                    .find(|(k, _)| *k == n)
                    .map(|(_, v)| v.to_string())
            }
        };
        let p = |url: &str, pairs: &'static [(&'static str, &'static str)]| {
            proxy_for(url, &env(pairs)).unwrap()
        };
        let both: &[(&str, &str)] = &[
            ("HTTPS_PROXY", "http://sp:1"),
            ("HTTP_PROXY", "http://hp:1"),
        ];
        assert_eq!(
            p("https://a.example.com/x", both),
            Some("http://sp:1".into())
        );
        assert_eq!(
            p("http://a.example.com/x", both),
            Some("http://hp:1".into())
        );
        assert_eq!(
            p(
                "http://a/x",
                &[
                    ("http_proxy", "http://low:1"),
                    ("HTTP_PROXY", "http://up:1")
                ]
            ),
            Some("http://low:1".into())
        );
        assert_eq!(p("http://a/x", &[]), None);
        for (no_proxy, url, direct) in [
            ("example.com", "https://api.example.com/", true),
            (".example.com", "https://example.com/", true),
            ("*.example.com", "https://x.example.com/", true),
            ("example.com", "https://badexample.com/", false),
            ("10.0.0.0/8", "http://10.1.2.3/", true),
            ("10.0.0.0/8", "http://11.1.2.3/", false),
            ("127.0.0.1", "http://127.0.0.1:8080/", true),
            ("localhost:9000", "http://localhost:8080/", false),
            ("localhost:8080", "http://LOCALHOST:8080/", true),
            ("*", "https://anything/", true),
            ("::1", "http://[::1]:80/", true),
        ] {
            let pairs: &'static [(&'static str, &'static str)] = Box::leak(
                vec![
                    ("HTTPS_PROXY", "http://p:1"),
                    ("HTTP_PROXY", "http://p:1"),
                    ("NO_PROXY", no_proxy),
                ]
                .into_boxed_slice(),
            );
            assert_eq!(p(url, pairs).is_none(), direct, "NO_PROXY={no_proxy} {url}");
        }
    }

    #[test]
    fn retry_after_forms() {
        let r = |v: &str| Reply {
            status: 503,
            headers: vec![("retry-after".into(), v.into())],
            body: vec![],
        };
        assert_eq!(retry_after(&r("2")), Some(Duration::from_secs(2)));
        let future = httpdate::fmt_http_date(SystemTime::now() + Duration::from_secs(30));
        let got = retry_after(&r(&future)).unwrap();
        assert!(
            got > Duration::from_secs(27) && got <= Duration::from_secs(30),
            "{got:?}"
        );
        assert_eq!(
            retry_after(&r("Wed, 21 Oct 2015 07:28:00 GMT")),
            Some(Duration::ZERO)
        );
        assert_eq!(retry_after(&r("soon")), None);
        assert_eq!(retry_after(&r("-1")), None);
        assert!(
            retry_after(&r("1e300")).unwrap() > Duration::from_secs(86_400),
            "huge values do not panic"
        );
    }
}
