//! Keeping secrets out of every output path (SPEC §10).
//!
//! Each channel names its secret values; a [`Redactor`] built from all of them masks every
//! string before it is printed, together with URL user-info and secret-looking query values,
//! so even an error message from an HTTP library cannot leak a token.

/// The mask that replaces a secret.
pub(crate) const MASK: &str = "****";

/// Query parameter names whose values are always masked (compared without case).
pub(crate) const SECRET_QUERY_KEYS: &[&str] = &[
    "token",
    "access_token",
    "auth",
    "key",
    "apikey",
    "api-key",
    "api_key",
    "code",
    "sig",
    "signature",
    "password",
    "secret",
];

/// Masks a fixed set of secret values and secret-looking URL parts in any text.
#[derive(Debug, Default, Clone)]
pub(crate) struct Redactor {
    secrets: Vec<String>,
}

impl Redactor {
    /// A redactor for these secret values (very short values are ignored: they would mask
    /// ordinary words).
    pub(crate) fn new(secrets: impl IntoIterator<Item = String>) -> Redactor {
        let mut secrets: Vec<String> = secrets.into_iter().filter(|s| s.len() >= 3).collect();
        for s in secrets.clone() {
            secrets.extend(encodings(&s).into_iter().filter(|e| *e != s));
        }
        secrets.sort_by_key(|s| std::cmp::Reverse(s.len()));
        secrets.dedup();
        Redactor { secrets }
    }

    /// `text` with every known secret and every secret-looking URL part masked.
    pub(crate) fn mask(&self, text: &str) -> String {
        let mut out = text.to_string();
        for s in &self.secrets {
            if out.contains(s.as_str()) {
                out = out.replace(s.as_str(), MASK);
            }
        }
        mask_urls(&out)
    }
}

/// How a secret may be written in a request: percent-encoded (all but alphanumerics, or as
/// a form value), and escaped inside a JSON string.
fn encodings(s: &str) -> Vec<String> {
    use percent_encoding::{utf8_percent_encode, AsciiSet, NON_ALPHANUMERIC};
    const FORM: &AsciiSet = &NON_ALPHANUMERIC
        .remove(b'-')
        .remove(b'_')
        .remove(b'.')
        .remove(b'~');
    let json = serde_json::to_string(s).unwrap_or_default();
    vec![
        utf8_percent_encode(s, NON_ALPHANUMERIC).to_string(),
        utf8_percent_encode(s, FORM).to_string(),
        json.get(1..json.len().saturating_sub(1))
            .unwrap_or_default()
            .to_string(),
    ]
}

/// Mask URL user-info (`https://user:pass@host`) and the values of secret query parameters
/// (`?token=...`, `&sig=...`) wherever they appear in `text`.
pub(crate) fn mask_urls(text: &str) -> String {
    mask_query_values(&mask_userinfo(text))
}

fn mask_userinfo(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(pos) = rest.find("://") {
        let (head, tail) = rest.split_at(pos + 3);
        out.push_str(head);
        let authority_end = tail
            .find(|c: char| c == '/' || c == '?' || c == '#' || c.is_whitespace() || c == '"')
            .unwrap_or(tail.len());
        let authority = &tail[..authority_end];
        match authority.rfind('@') {
            Some(at) => {
                out.push_str(MASK);
                out.push_str(&authority[at..]);
            }
            None => out.push_str(authority),
        }
        rest = &tail[authority_end..];
    }
    out.push_str(rest);
    out
}

/// Mask the values of secret query parameters ([`SECRET_QUERY_KEYS`]) in `text`.
pub(crate) fn mask_query_values(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut i = 0;
    while let Some(off) = text[i..].find(['?', '&']) {
        let sep = i + off;
        out.push_str(&text[i..=sep]);
        i = sep + 1;
        let rest = &text[i..];
        let name_end = rest
            .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_' || c == '-'))
            .unwrap_or(rest.len());
        let name = rest[..name_end].to_ascii_lowercase();
        if !rest[name_end..].starts_with('=') || !SECRET_QUERY_KEYS.contains(&name.as_str()) {
            continue;
        }
        let vstart = name_end + 1;
        let vlen = rest[vstart..]
            .find(|c: char| matches!(c, '&' | '#' | '"' | '\'' | ')') || c.is_whitespace())
            .unwrap_or(rest.len() - vstart);
        out.push_str(&rest[..vstart]);
        if vlen > 0 {
            out.push_str(MASK);
        }
        i += vstart + vlen;
    }
    out.push_str(&text[i..]);
    out
}

/// `url` (well-formed or not) with everything after the host masked: user-info, every
/// path segment, every query value and the fragment. This is how a URL is shown when it is
/// wrong (a config error), since a broken URL cannot be trusted to put its secret where
/// the channel expects it: `htps://hooks.slack.com/services/T0/B0/X` becomes
/// `htps://hooks.slack.com/****/****/****/****`.
pub(crate) fn mask_url_parts(url: &str) -> String {
    let (scheme, rest) = match url.find("://") {
        Some(i) => url.split_at(i + 3),
        None => ("", url),
    };
    let end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    let (authority, tail) = rest.split_at(end);
    let mut out = String::from(scheme);
    match authority.rfind('@') {
        Some(at) => {
            out.push_str(MASK);
            out.push_str(&authority[at..]);
        }
        None => out.push_str(authority),
    }
    let (path, fragment) = match tail.split_once('#') {
        Some((p, _)) => (p, Some(MASK)),
        None => (tail, None),
    };
    let (path, query) = match path.split_once('?') {
        Some((p, q)) => (p, Some(q)),
        None => (path, None),
    };
    let masked: Vec<&str> = path
        .split('/')
        .map(|seg| if seg.is_empty() { "" } else { MASK })
        .collect();
    out.push_str(&masked.join("/"));
    if let Some(q) = query {
        out.push('?');
        let pairs: Vec<String> = q
            .split('&')
            .map(|kv| match kv.split_once('=') {
                Some((k, _)) => format!("{k}={MASK}"),
                None if kv.is_empty() => String::new(),
                None => MASK.to_string(),
            })
            .collect();
        out.push_str(&pairs.join("&"));
    }
    if let Some(f) = fragment {
        out.push('#');
        out.push_str(f);
    }
    out
}

/// The parts of a URL-looking value that may be secret, to mask wherever they show up:
/// the whole value, the user-info password (as written and
/// decoded), the values
/// of secret query parameters, and path segments that look like keys (at least 6
/// characters with a digit, or at least 16).
pub(crate) fn url_secrets(url: &str) -> Vec<String> {
    let mut out = vec![url.to_string(), url.trim().to_string()];
    let rest = url.split_once("://").map_or(url, |(_, r)| r);
    let rest = rest.trim_start().trim_start_matches('/');
    let end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    let (authority, tail) = rest.split_at(end);
    if let Some((info, _)) = authority.rsplit_once('@') {
        if let Some((_, pass)) = info.split_once(':') {
            out.push(pass.to_string());
            out.push(decode(pass));
        }
    }
    let (path, query) = tail.split_once('?').unwrap_or((tail, ""));
    for seg in path.split('/') {
        let seg = seg.trim();
        if (seg.len() >= 6 && seg.contains(|c: char| c.is_ascii_digit())) || seg.len() >= 16 {
            out.push(seg.to_string());
        }
    }
    for kv in query.split(['&', '#']) {
        if let Some((k, v)) = kv.split_once('=') {
            if SECRET_QUERY_KEYS.contains(&k.to_ascii_lowercase().as_str()) {
                out.push(v.to_string());
                out.push(decode(v));
            }
        }
    }
    out
}

/// Secret values written in a config value (an endpoint's keys): everything under a key
/// whose name says secret (see [`is_secret_key`]), the ntfy `topic`, and
/// the secret parts of every URL-looking string ([`url_secrets`]). Used to mask config
/// errors about an endpoint that could not be built, so its channel cannot name them.
pub(crate) fn value_secrets(v: &serde_json::Value) -> Vec<String> {
    let mut out = Vec::new();
    collect(v, "", false, &mut out);
    out
}

fn collect(v: &serde_json::Value, key: &str, secret: bool, out: &mut Vec<String>) {
    use serde_json::Value;
    match v {
        Value::String(s) => {
            if secret {
                out.push(s.clone());
            }
            if s.contains("://") || key == "url" || key.ends_with("_url") {
                out.extend(url_secrets(s));
            }
        }
        Value::Number(n) if secret => out.push(n.to_string()),
        Value::Array(seq) => seq.iter().for_each(|x| collect(x, key, secret, out)),
        Value::Object(m) => {
            for (k, x) in m {
                let k = k.as_str();
                let s = secret || is_secret_key(k) || k == "topic";
                collect(x, k, s, out);
            }
        }
        _ => {}
    }
}

/// The credentials of URL user-info in any string under `m` (an endpoint's keys): the
/// password as written and decoded, and the Basic credential made from it, so
/// a receiver that echoes its `Authorization` header cannot print them either.
pub(crate) fn userinfo_secrets(m: &serde_json::Map<String, serde_json::Value>) -> Vec<String> {
    use base64::Engine;
    let mut out = Vec::new();
    let mut urls = Vec::new();
    m.values().for_each(|x| strings(x, &mut urls));
    for u in urls.iter().filter_map(|s| url::Url::parse(s.trim()).ok()) {
        if u.username().is_empty() && u.password().is_none() {
            continue;
        }
        // The user name alone is often a plain word ("admin"): masking it everywhere
        // would garble unrelated text; in a URL, mask_urls hides it with the password.
        let (user, pass) = (decode(u.username()), decode(u.password().unwrap_or("")));
        let basic = base64::engine::general_purpose::STANDARD.encode(format!("{user}:{pass}"));
        out.extend([pass, basic]);
        out.extend(u.password().map(str::to_string));
    }
    out
}

fn strings(v: &serde_json::Value, out: &mut Vec<String>) {
    use serde_json::Value;
    match v {
        Value::String(s) if s.contains("://") => out.push(s.clone()),
        Value::Array(seq) => seq.iter().for_each(|x| strings(x, out)),
        Value::Object(m) => m.values().for_each(|x| strings(x, out)),
        _ => {}
    }
}

fn decode(s: &str) -> String {
    percent_encoding::percent_decode_str(s)
        .decode_utf8_lossy()
        .into_owned()
}

/// A credential from the config (a token, a password, a key). Its `Debug` prints the mask,
/// and it has no `Display`: the value is reached only through [`Secret::expose`], at the
/// one place that sends it.
#[derive(Clone, PartialEq, Eq, Default)]
pub(crate) struct Secret(String);

thread_local! {
    /// The credentials read while [`collect_secrets`] runs on this thread.
    static COLLECTED: std::cell::RefCell<Option<Vec<String>>> = const { std::cell::RefCell::new(None) };
}

/// Run `read` (a config type's deserialization) and return what it built together with
/// every [`Secret`] it read: a channel's secret list comes from its typed config.
pub(crate) fn collect_secrets<T>(read: impl FnOnce() -> T) -> (T, Vec<String>) {
    COLLECTED.with(|c| *c.borrow_mut() = Some(Vec::new()));
    let out = read();
    let found = COLLECTED
        .with(|c| c.borrow_mut().take())
        .unwrap_or_default();
    (out, found)
}

impl<'de> serde::Deserialize<'de> for Secret {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Secret, D::Error> {
        let s = String::deserialize(d)?;
        COLLECTED.with(|c| {
            if let Some(v) = c.borrow_mut().as_mut() {
                v.push(s.clone());
            }
        });
        Ok(Secret(s))
    }
}

impl Secret {
    /// Wrap a credential (config files make theirs through `Deserialize`).
    #[cfg(test)]
    pub(crate) fn new(value: impl Into<String>) -> Secret {
        Secret(value.into())
    }

    /// The credential itself, for the request that carries it.
    pub(crate) fn expose(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Debug for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(MASK)
    }
}

/// Whether a key (config key or header name) holds a credential.
pub(crate) fn is_secret_key(key: &str) -> bool {
    let k = key.to_ascii_lowercase();
    [
        "token",
        "password",
        "secret",
        "authorization",
        "key",
        "auth",
        "cookie",
        "sid_token",
    ]
    .iter()
    .any(|s| k.contains(s))
        && k != "device_key_name"
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_in_channel_configs_never_debug_print() {
        assert_eq!(format!("{:?}", Secret::new("hunter2")), MASK);
        let yaml = "endpoints:
  - {name: g, type: gotify, url: http://h, token: SEKRETgotify}
  - {name: t, type: telegram, bot_token: \"1:SEKRETtg\", chat_id: 1}
  - {name: p, type: pagerduty, routing_key: SEKRETpd}
  - {name: z, type: zulip, url: http://h, bot_email: b@x, api_key: SEKRETzu, stream: s}
  - {name: w, type: webhook, url: http://h, token: SEKRETwh, signing: {secret: SEKRETsign}}
  - {name: e, type: email, smtp_host: h, smtp_user: u, smtp_password: SEKRETmail, from: a@x, destinations: [b@x]}
";
        let cfg =
            crate::config::Config::parse(yaml, std::path::Path::new("c.yaml"), &|_| None).unwrap();
        assert_eq!(cfg.endpoints.len(), 6, "{:?}", cfg.broken);
        let shown = format!("{:?}", cfg.endpoints);
        assert!(!shown.contains("SEKRET"), "{shown}");
    }

    #[test]
    fn masks_known_secrets_and_url_parts() {
        let r = Redactor::new(vec!["s3cr3t-token".to_string(), "ab".to_string()]);
        for (input, want) in [
            ("Bearer s3cr3t-token", "Bearer ****"),
            ("ab stays", "ab stays"),
            ("https://u:p@host/x", "https://****@host/x"),
            (
                "http://h/p?a=1&token=xyz&b=2",
                "http://h/p?a=1&token=****&b=2",
            ),
            ("http://h/p?sig=abc", "http://h/p?sig=****"),
            ("http://h/p?sv=1.0", "http://h/p?sv=1.0"),
            (
                "http://h/p?code=abc&API-Key=k1",
                "http://h/p?code=****&API-Key=****",
            ),
            (
                "http://h/p?api_key=a&apikey=b",
                "http://h/p?api_key=****&apikey=****",
            ),
            ("naïve ?token=é", "naïve ?token=****"),
            ("plain text", "plain text"),
        ] {
            assert_eq!(r.mask(input), want, "{input}");
        }
    }

    #[test]
    fn masks_percent_encoded_secret() {
        let r = Redactor::new(vec!["a b/c".to_string()]);
        assert_eq!(r.mask("x/a%20b%2Fc/y"), "x/****/y");
    }

    #[test]
    fn malformed_urls_show_only_scheme_and_host() {
        for (input, want) in [
            (
                "htps://hooks.slack.com/services/T0/B0/SEKRET",
                "htps://hooks.slack.com/****/****/****/****",
            ),
            ("https://api.day.app/KEY1 ", "https://api.day.app/****"),
            ("hc-ping.com/0f0e-uuid", "hc-ping.com/****"),
            (
                "https://u:p@h:99999/x?sig=1&a#frag",
                "https://****@h:99999/****?sig=****&****#****",
            ),
            ("http://h", "http://h"),
        ] {
            assert_eq!(mask_url_parts(input), want, "{input}");
        }
    }

    #[test]
    fn url_secrets_find_keys_and_credentials() {
        let s = url_secrets("https://us%40r:p%40ss@h/services/T0/B0/SEKRET1x?code=c0de&x=1");
        for want in ["p%40ss", "p@ss", "SEKRET1x", "c0de"] {
            assert!(s.iter().any(|x| x == want), "{want} in {s:?}");
        }
        assert!(!s.iter().any(|x| x == "services"));
    }
}
