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
    use super::super::testkit::{channel, event, http, json, prepare};

    #[test]
    fn stateful_or_stateless_and_type_by_status() {
        for (keys, url, ev, kind) in [
            (
                "{url: 'http://ap', key: cfg1}",
                "http://ap/notify/cfg1",
                "backup_failure",
                "failure",
            ),
            (
                "{url: 'http://ap', key: cfg1}",
                "http://ap/notify/cfg1",
                "backup_success",
                "success",
            ),
            (
                "{url: 'http://ap', urls: ['json://x']}",
                "http://ap/notify",
                "backup_start",
                "info",
            ),
        ] {
            let out = prepare(&*channel("apprise", keys), &event(ev, None));
            let h = http(&out)[0];
            assert_eq!(h.url, url, "{keys}");
            assert_eq!(json(h)["type"], kind, "{keys} {ev}");
        }
    }
}
