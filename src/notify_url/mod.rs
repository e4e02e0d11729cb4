//! Notification URLs (SPEC §5): one URL in Apprise's syntax (or shoutrrr's, where it
//! differs) stands for an endpoint's keys. [`parse`] turns `discord://id/token` into the
//! type `discord` and the keys the YAML form would have (`url: https://discord.com/...`),
//! so both forms build the same channel and send the same request.
//!
//! The module knows nothing of YAML: it returns JSON values, which the config loader and
//! `send --to` convert. Errors name the scheme and the expected shape and never hold the
//! secret parts of the URL (they show it through [`crate::redact::mask_url_parts`]).
//!
//! Each mapping (`chat.rs`, `push.rs`) names the documentation it follows: the Apprise wiki page
//! `Notify_<service>` (and `apprise/plugins/<service>.py`'s `parse_url`), or shoutrrr's
//! `docs/services/<service>.md`. Where Apprise and shoutrrr give one scheme two meanings
//! (`gotify://` is plain HTTP in Apprise and TLS in shoutrrr), Apprise's meaning holds.

mod chat;
mod parts;
mod push;
mod schemes;

use serde_json::{Map, Value};

pub(crate) use parts::Parts;

/// What is wrong with a notification URL, as the user should read it (the caller adds
/// the scheme, the masked URL and the expected shapes: [`UrlError`]).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub(crate) struct Problem(pub String);

impl From<String> for Problem {
    fn from(s: String) -> Problem {
        Problem(s)
    }
}

impl From<&str> for Problem {
    fn from(s: &str) -> Problem {
        Problem(s.to_string())
    }
}

/// An endpoint written as a notification URL, expanded into its keys.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct NotifyUrl {
    /// The endpoint type (`discord`, `ntfy`, ...), as `type:` would name it.
    pub kind: &'static str,
    /// The keys the YAML form of the endpoint would have (without `name` and `type`).
    pub keys: Map<String, Value>,
    /// A default endpoint name made of public parts only (`discord-123456`, `ntfy-host`).
    pub name: String,
}

/// A notification URL that cannot be read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct UrlError {
    /// The scheme as written (`discord`), empty when the URL has none.
    pub scheme: String,
    /// The URL with everything after its host masked.
    pub masked: String,
    /// What is wrong.
    pub problem: String,
    /// The shapes this scheme takes (`discord://<webhook id>/<webhook token>`).
    pub expected: Vec<&'static str>,
}

impl std::fmt::Display for UrlError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "\"{}\" is not a valid {}:// URL: {}",
            self.masked, self.scheme, self.problem
        )
    }
}

impl std::error::Error for UrlError {}

impl UrlError {
    /// The hint for the user: the shapes of this scheme.
    pub(crate) fn hint(&self) -> String {
        format!("expected {}", self.expected.join(" or "))
    }
}

/// One scheme bnotify reads.
#[derive(Debug)]
pub(crate) struct Scheme {
    /// The scheme, without `://`.
    pub scheme: &'static str,
    /// The endpoint type it makes.
    pub kind: &'static str,
    /// Whose syntax it is: `Apprise`, `shoutrrr` or `bnotify`.
    pub origin: &'static str,
    /// The shapes, for errors and the README.
    pub syntax: &'static [&'static str],
    /// The mapping.
    pub(crate) parse: fn(&mut Parts) -> Result<Built, Problem>,
}

/// What a mapping makes: the keys and the default name.
pub(crate) type Built = (Map<String, Value>, String);

/// Every scheme, in README order.
pub(crate) fn schemes() -> &'static [Scheme] {
    schemes::SCHEMES
}

/// The scheme of `url`, lowercased, when it is one of [`schemes`].
pub(crate) fn scheme_of(url: &str) -> Option<&'static Scheme> {
    let (scheme, _) = url.trim().split_once("://")?;
    let scheme = scheme.to_ascii_lowercase();
    schemes().iter().find(|s| s.scheme == scheme)
}

/// Whether `url` is written in a notification scheme (and not, e.g., `https://`).
pub(crate) fn is_notify_url(url: &str) -> bool {
    scheme_of(url).is_some()
}

/// Read a notification URL.
pub(crate) fn parse(url: &str) -> Result<NotifyUrl, UrlError> {
    let url = url.trim();
    let masked = mask(url);
    let Some(scheme) = scheme_of(url) else {
        let written = url.split_once("://").map(|(s, _)| s).unwrap_or("");
        return Err(UrlError {
            scheme: written.to_string(),
            masked,
            problem: "unknown scheme".into(),
            expected: vec!["one of the schemes in the README's \"Notification URLs\" table"],
        });
    };
    let fail = |Problem(problem): Problem| UrlError {
        scheme: scheme.scheme.to_string(),
        masked: masked.clone(),
        problem,
        expected: scheme.syntax.to_vec(),
    };
    let mut parts = Parts::new(url).map_err(fail)?;
    let (mut keys, name) = (scheme.parse)(&mut parts).map_err(fail)?;
    let leftover = parts.finish(&mut keys).map_err(fail)?;
    if let Some(k) = leftover {
        return Err(fail(format!("unknown option \"{k}\"").into()));
    }
    Ok(NotifyUrl {
        kind: scheme.kind,
        keys,
        name,
    })
}

/// Schemes whose host part is a secret (`tgram://<bot token>/...`, `pover://user@<token>`).
const SECRET_HOST: &[&str] = &["tgram", "pover", "pagerduty"];
/// Schemes whose host part is a secret when it is one word (`ntfy://<topic>`, `hc://<uuid>`).
const SECRET_WORD: &[&str] = &["ntfy", "ntfys", "hc", "healthchecks", "discord"];

/// `url` as errors show it: [`crate::redact::mask_url_parts`] (user-info, path, query
/// and fragment masked), and the host too where a scheme puts a secret there.
pub(crate) fn mask(url: &str) -> String {
    let masked = crate::redact::mask_url_parts(url);
    let Some((scheme, rest)) = masked.split_once("://") else {
        return masked;
    };
    let scheme_lc = scheme.to_ascii_lowercase();
    let end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    let (authority, tail) = rest.split_at(end);
    let (info, host) = match authority.rsplit_once('@') {
        Some((i, h)) => (format!("{i}@"), h),
        None => (String::new(), authority),
    };
    let word = !host.contains(['.', ':', '[']) && host != "localhost";
    let secret = SECRET_HOST.contains(&scheme_lc.as_str())
        || (SECRET_WORD.contains(&scheme_lc.as_str()) && word && !host.is_empty());
    if secret {
        format!("{scheme}://{info}{}{tail}", crate::redact::MASK)
    } else {
        masked
    }
}

#[cfg(test)]
mod tests;
