//! `apprise`: an Apprise API server (<https://github.com/caronc/apprise-api>, its README
//! "API Details"): stateful `POST {url}/notify/{key}` sends to the URLs saved under
//! `key` (filtered by `tag`); stateless `POST {url}/notify` sends to the `urls` given.
//! JSON `title` (at most 250 characters), `body` (at most 32,768), `type` by status
//! (`info`, `success`, `failure`), `format` (`text`, `markdown` or `html`, the text escaped
//! for it) and `tag`. The server answers 200 when every notification went out; 424 when
//! one failed, and 204 when the key has no configuration: both are failures.

use crate::redact::Secret;
use serde::Deserialize;
use serde_json::{json, Value};

use super::{
    by_status, check_url, ChannelType, DeliveryError, HttpRequest, Invalid, Message, Outgoing,
    Reply,
};
use crate::render::cut::plain;
use crate::render::{cut, escape, Unit};

/// Registry row.
pub(crate) const TYPE: ChannelType = ChannelType {
    name: "apprise",
    http: true,
    keys: super::fields_of::<Apprise>,
    build: super::build::<Apprise>,
};

/// Apprise's limit on a title, in characters.
pub(crate) const MAX_TITLE: usize = 250;
/// Apprise's limit on a body, in characters.
pub(crate) const MAX_BODY: usize = 32_768;
/// Notification types by status: start, success, failure, info.
pub(crate) const TYPES: [&str; 4] = ["info", "success", "failure", "info"];

/// An Apprise API server and what it should notify.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct Apprise {
    url: String,
    key: Option<Secret>,
    #[serde(default)]
    urls: Urls,
    tag: Option<String>,
    #[serde(default)]
    format: Format,
}

/// Apprise URLs: one string (comma or space separated) or a list.
#[derive(Debug, Deserialize, Default)]
#[serde(untagged)]
enum Urls {
    #[default]
    None,
    One(String),
    List(Vec<String>),
}

impl Urls {
    fn list(&self) -> Vec<String> {
        match self {
            Urls::None => Vec::new(),
            Urls::One(s) => s
                .split([',', ' ', '\n'])
                .filter(|u| !u.trim().is_empty())
                .map(|u| u.trim().to_string())
                .collect(),
            Urls::List(l) => l.clone(),
        }
    }
}

/// The `format` the body is written in.
#[derive(Debug, Deserialize, Default, Clone, Copy, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
enum Format {
    #[default]
    Text,
    Markdown,
    Html,
}

/// Apprise API's rule for a `{KEY}`: 1 to 64 of `A-Z a-z 0-9 - _`.
fn valid_key(k: &str) -> bool {
    (1..=64).contains(&k.len())
        && k.chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
}

impl super::Channel for Apprise {
    fn prepare(&self, msg: &Message) -> Result<Vec<Outgoing>, DeliveryError> {
        let (esc, format): (fn(&str) -> String, &str) = match self.format {
            Format::Text => (plain, "text"),
            Format::Markdown => (escape::markdown, "markdown"),
            Format::Html => (escape::entities, "html"),
        };
        // Apprise needs a body; an empty one sends the title.
        let text = if msg.body.trim().is_empty() {
            &msg.title
        } else {
            &msg.body
        };
        let mut body = json!({
            "title": cut(&msg.title, MAX_TITLE, Unit::Chars, esc),
            "body": cut(text, MAX_BODY, Unit::Chars, esc),
            "type": by_status(msg.event.status, TYPES),
            "format": format,
        });
        if let Some(t) = &self.tag {
            body["tag"] = Value::String(t.clone());
        }
        let url = match &self.key {
            Some(key) => super::join_url(&self.url, &format!("notify/{}", key.expose())),
            None => {
                body["urls"] = Value::String(self.urls.list().join(","));
                super::join_url(&self.url, "notify")
            }
        };
        let req = HttpRequest::post_json(url, &body).header("Accept", "application/json");
        Ok(vec![Outgoing::Http(req)])
    }

    fn check(&self, reply: &Reply) -> Result<(), DeliveryError> {
        if reply.status == 204 {
            return Err(DeliveryError::new(
                "Apprise API sent nothing (204): no configuration under this key, or no URL with this tag",
            )
            .status(204));
        }
        reply.default_check().map_err(|mut e| {
            if let Some(m) = super::json_field(reply, "error") {
                e.message = format!("Apprise API {}: {m}", reply.status);
            }
            e
        })
    }

    fn secrets(&self) -> Vec<String> {
        // Apprise URLs carry their own credentials anywhere in them.
        self.urls.list()
    }

    fn validate(&self) -> Result<(), Invalid> {
        check_url("url", &self.url)?;
        match (&self.key, self.urls.list().is_empty()) {
            (Some(_), false) => Err(Invalid::key("urls", "set either key or urls").hint(
                "key: a configuration saved on the server; urls: Apprise URLs sent each time",
            )),
            (None, true) => Err(Invalid::key("key", "set key or urls")
                .hint("key: apprise (saved configuration) or urls: [\"mailto://…\"]")),
            (Some(k), true) if !valid_key(k.expose()) => Err(Invalid::key(
                "key",
                "key: an Apprise key is 1 to 64 letters, digits, - and _",
            )),
            _ => Ok(()),
        }
    }
}

#[cfg(test)]
mod prepare_table {
    use crate::channels::testkit::{
        channel, event, hostile_body, http, json, prepare, prepare_texts_ok, reply_of,
        HOSTILE_TITLE,
    };
    use serde_json::json;

    const STATEFUL: &str = "{url: 'http://ap:8000/', key: cfg1}";

    /// Rows: keys, event, URL, `type`, `format`, `tag`, `urls` (absent: None).
    #[test]
    fn target_type_format_and_tag() {
        for (keys, ev, url, kind, format, tag, urls) in [
            (
                STATEFUL,
                "backup_start",
                "http://ap:8000/notify/cfg1",
                "info",
                "text",
                None,
                None,
            ),
            (
                STATEFUL,
                "backup_success",
                "http://ap:8000/notify/cfg1",
                "success",
                "text",
                None,
                None,
            ),
            (
                STATEFUL,
                "backup_failure",
                "http://ap:8000/notify/cfg1",
                "failure",
                "text",
                None,
                None,
            ),
            (
                STATEFUL,
                "user_login",
                "http://ap:8000/notify/cfg1",
                "info",
                "text",
                None,
                None,
            ),
            (
                "{url: 'http://ap', key: cfg1, tag: 'ops,db', format: markdown}",
                "backup_failure",
                "http://ap/notify/cfg1",
                "failure",
                "markdown",
                Some("ops,db"),
                None,
            ),
            (
                "{url: 'http://ap', urls: ['json://x', 'mailto://u:p@y'], format: html}",
                "test",
                "http://ap/notify",
                "info",
                "html",
                None,
                Some("json://x,mailto://u:p@y"),
            ),
            (
                "{url: 'http://ap', urls: 'json://x, tgram://b/c', format: text}",
                "backup_success",
                "http://ap/notify",
                "success",
                "text",
                None,
                Some("json://x,tgram://b/c"),
            ),
        ] {
            let out = prepare(&*channel("apprise", keys), &event(ev, None));
            let reqs = http(&out);
            assert_eq!(reqs.len(), 1, "{keys}");
            let h = reqs[0];
            assert_eq!((h.method.as_str(), h.url.as_str()), ("POST", url), "{keys}");
            let accept = h.headers.iter().find(|(k, _)| k == "Accept");
            assert_eq!(accept.map(|(_, v)| v.as_str()), Some("application/json"));
            let b = json(h);
            assert_eq!(b["type"], kind, "{keys} {ev}");
            assert_eq!(b["format"], format, "{keys}");
            assert_eq!(b.get("tag").and_then(|t| t.as_str()), tag, "{keys}");
            assert_eq!(b.get("urls").and_then(|t| t.as_str()), urls, "{keys}");
            assert_eq!((&b["title"], &b["body"]), (&json!("T"), &json!("B")));
        }
    }

    /// Each format escapes for itself: text as written, markdown backslashes and
    /// entities, html entities; an empty body sends the title.
    #[test]
    fn text_escaped_for_the_format() {
        let title = "a <b> & *c*_d";
        for (format, want) in [
            ("text", "a <b> & *c*_d"),
            ("markdown", "a &lt;b&gt; &amp; \\*c\\*\\_d"),
            ("html", "a &lt;b&gt; &amp; *c*_d"),
        ] {
            let ch = channel(
                "apprise",
                &format!("{{url: 'http://ap', key: k, format: {format}}}"),
            );
            let out = prepare_texts_ok(&*ch, &event("backup_failure", None), title, " ");
            let b = json(http(&out)[0]);
            assert_eq!(b["title"], want, "{format}");
            assert_eq!(b["body"], want, "{format}: an empty body sends the title");
        }
    }

    /// Apprise API's limits: title 250 characters, body 32,768; the cut keeps the end.
    #[test]
    fn hostile_text_within_the_limits() {
        let ch = channel("apprise", "{url: 'http://ap', key: k}");
        let ev = event("backup_failure", Some(1));
        let body = hostile_body();
        let out = prepare_texts_ok(&*ch, &ev, HOSTILE_TITLE, &body);
        let b = json(http(&out)[0]);
        assert_eq!(b["title"], HOSTILE_TITLE, "a short title goes as written");
        assert_eq!(b["body"], body.as_str(), "10,000 characters fit whole");
        let long_title = HOSTILE_TITLE.repeat(4);
        let long_body = body.repeat(4);
        let out = prepare_texts_ok(&*ch, &ev, &long_title, &long_body);
        let b = json(http(&out)[0]);
        let (t, text) = (b["title"].as_str().unwrap(), b["body"].as_str().unwrap());
        assert!(t.chars().count() <= 250, "{}", t.chars().count());
        assert!(
            t.starts_with("Sauvegarde échouée") && t.ends_with("🔥"),
            "{t}"
        );
        let n = text.chars().count();
        assert!((30_000..=32_768).contains(&n), "{n}");
        assert!(text.starts_with("START-OF-LOG") && text.ends_with("FATAL-END"));
        assert!(text.contains("characters cut"), "the cut is marked");
    }

    /// Rows: status, body, delivered, retryable, words the error must hold.
    #[test]
    fn replies() {
        let ch = channel("apprise", STATEFUL);
        for (status, body, ok, retry, words) in [
            (200, "", true, false, ""),
            (204, "", false, false, "no configuration under this key"),
            (
                424,
                r#"{"error": "One or more notification could not be sent."}"#,
                false,
                false,
                "Apprise API 424: One or more notification could not be sent.",
            ),
            (
                400,
                r#"{"error": "Unsupported format specified."}"#,
                false,
                false,
                "Apprise API 400: Unsupported format specified.",
            ),
            (500, "boom", false, true, "HTTP 500: boom"),
        ] {
            let got = ch.check(&reply_of(status, &[], body));
            assert_eq!(got.is_ok(), ok, "{status}");
            if let Err(e) = got {
                assert_eq!(e.retryable, retry, "{status}");
                assert!(e.message.contains(words), "{status}: {}", e.message);
            }
        }
    }
}
