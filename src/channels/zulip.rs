//! `zulip`: the REST API's "Send a message" (<https://zulip.com/api/send-message>):
//! `POST {url}/api/v1/messages`, HTTP Basic with the bot's email and API key, a
//! form-encoded body: `type=stream`, `to` = the stream, `topic`; or `type=direct`, `to` =
//! a JSON list of emails. `content` is Zulip markdown: the title in bold, user text with
//! markdown characters backslash-escaped (URLs left as written; Zulip shows raw HTML as
//! text, so `<` and `&` go as written). Zulip silently drops the end of content over
//! 10,000 code points and of a topic over 60: both are cut here, keeping the end. Zulip
//! answers `{"result": "success"}`; `"result": "error"` is a failure.

use crate::redact::Secret;
use serde::Deserialize;
use serde_json::Value;

use super::{
    basic_auth, check_url, ChannelType, DeliveryError, HttpRequest, Invalid, Message, Outgoing,
    Reply,
};
use crate::render::cut::plain;
use crate::render::{cut, escape, Unit};

/// Registry row.
pub(crate) const TYPE: ChannelType = ChannelType {
    name: "zulip",
    http: true,
    keys: super::fields_of::<Zulip>,
    build: super::build::<Zulip>,
};

/// Zulip's limit on a message's content, in code points.
pub(crate) const MAX_CONTENT: usize = 10_000;
/// Zulip's limit on a topic, in code points.
pub(crate) const MAX_TOPIC: usize = 60;
/// Room the title line may take.
pub(crate) const MAX_TITLE: usize = 1_000;

/// A Zulip bot posting to a stream topic, or to people directly.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct Zulip {
    url: String,
    bot_email: String,
    api_key: Secret,
    stream: Option<String>,
    topic: Option<String>,
    #[serde(default)]
    to: Vec<String>,
}

/// Zulip markdown: a backslash (Python-Markdown's escapes) before each inline markup
/// character (backslash, backtick, `*`, `_`, `[`, `]`, `$`), and before a `>`, `#`, `-` or
/// `+` that starts a line (a quote, heading or list); nothing else, so the text reads as
/// written. URLs are left as written.
pub(crate) fn markdown(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 16);
    for (i, line) in text.split('\n').enumerate() {
        if i > 0 {
            out.push('\n');
        }
        let body = line.trim_start();
        let indent = &line[..line.len() - body.len()];
        out.push_str(indent);
        if body.starts_with(['>', '#', '-', '+']) {
            out.push('\\');
        }
        out.push_str(&escape::outside_urls(body, |part, out| {
            out.push_str(&escape::backslash(part, "\\`*_[]$"));
        }));
    }
    out
}

/// The message content: `**title**`, a blank line, the body; within [`MAX_CONTENT`].
pub(crate) fn content(msg: &Message) -> String {
    let head = format!("**{}**", cut(&msg.title, MAX_TITLE, Unit::Chars, markdown));
    if msg.body.trim().is_empty() {
        return head;
    }
    let rest = MAX_CONTENT - Unit::Chars.len(&head) - 2;
    format!("{head}\n\n{}", cut(&msg.body, rest, Unit::Chars, markdown))
}

impl super::Channel for Zulip {
    fn prepare(&self, msg: &Message) -> Result<Vec<Outgoing>, DeliveryError> {
        let content = content(msg);
        let mut pairs: Vec<(&str, String)> = Vec::new();
        match &self.stream {
            Some(stream) => {
                let topic = self
                    .topic
                    .clone()
                    .or_else(|| msg.event.task.clone())
                    .unwrap_or_else(|| "bnotify".into());
                pairs.push(("type", "stream".into()));
                pairs.push(("to", stream.clone()));
                pairs.push(("topic", cut(&topic, MAX_TOPIC, Unit::Chars, plain)));
            }
            None => {
                pairs.push(("type", "direct".into()));
                pairs.push(("to", Value::from(self.to.clone()).to_string()));
            }
        }
        pairs.push(("content", content));
        let borrowed: Vec<(&str, &str)> = pairs.iter().map(|(k, v)| (*k, v.as_str())).collect();
        let req = HttpRequest::new("POST", super::join_url(&self.url, "api/v1/messages"))
            .header(
                "Authorization",
                basic_auth(&self.bot_email, self.api_key.expose()),
            )
            .header("Content-Type", "application/x-www-form-urlencoded")
            .body(super::form(&borrowed).into_bytes());
        Ok(vec![Outgoing::Http(req)])
    }

    fn check(&self, reply: &Reply) -> Result<(), DeliveryError> {
        let v: Option<Value> = serde_json::from_slice(&reply.body).ok();
        let msg = v
            .as_ref()
            .and_then(|v| v.get("msg"))
            .and_then(Value::as_str)
            .filter(|m| !m.is_empty());
        reply.default_check().map_err(|mut e| {
            if let Some(m) = msg {
                e.message = format!("Zulip {}: {m}", reply.status);
            }
            e
        })?;
        match v
            .as_ref()
            .and_then(|v| v.get("result"))
            .and_then(Value::as_str)
        {
            Some("success") => Ok(()),
            _ => Err(DeliveryError::new(format!(
                "Zulip answered {} without success: {}",
                reply.status,
                msg.map_or_else(|| reply.snippet(), str::to_string)
            ))
            .status(reply.status)),
        }
    }

    fn secrets(&self) -> Vec<String> {
        // A receiver may echo the Authorization header back: its base64 is secret too.
        let basic = basic_auth(&self.bot_email, self.api_key.expose());
        vec![basic.trim_start_matches("Basic ").to_string()]
    }

    fn validate(&self) -> Result<(), Invalid> {
        check_url("url", &self.url)?;
        match (&self.stream, self.to.is_empty()) {
            (Some(_), false) => Err(Invalid::key("to", "set either stream (and topic) or to")
                .hint("stream: sends to a stream topic; to: [emails] sends a direct message")),
            (None, true) => Err(Invalid::key("stream", "set stream (and topic) or to")
                .hint("stream: backups, topic: nightly; or to: [ops@example.com]")),
            (None, false) if self.topic.is_some() => {
                Err(Invalid::key("topic", "a direct message (to) has no topic"))
            }
            _ => Ok(()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markdown_escapes_inline_markup_and_line_starts_only() {
        assert_eq!(
            markdown("a *b* _c_ `d` [e] $$f$$ 1.5-2 (x) <y> & z"),
            "a \\*b\\* \\_c\\_ \\`d\\` \\[e\\] \\$\\$f\\$\\$ 1.5-2 (x) <y> & z"
        );
        assert_eq!(
            markdown("> q\n# h\n  - l\n+ p"),
            "\\> q\n\\# h\n  \\- l\n\\+ p"
        );
        let url = "https://h.example/run_1.log?a=1&b=2";
        assert_eq!(
            markdown(&format!("see {url} _x_")),
            format!("see {url} \\_x\\_")
        );
    }
}

#[cfg(test)]
mod prepare_table {
    use super::super::testkit::{channel, event, http, prepare};

    #[test]
    fn stream_and_topic_or_direct() {
        for (keys, want) in [
            (
                "{url: 'http://z', bot_email: b@x, api_key: k, stream: ops, topic: backups}",
                &["type=stream", "to=ops", "topic=backups"][..],
            ),
            (
                "{url: 'http://z', bot_email: b@x, api_key: k, stream: ops}",
                &["type=stream", "topic=db"][..],
            ),
            (
                "{url: 'http://z', bot_email: b@x, api_key: k, to: [a@x]}",
                &["type=direct"][..],
            ),
        ] {
            let out = prepare(&*channel("zulip", keys), &event("backup_failure", None));
            let h = http(&out)[0];
            assert_eq!(h.url, "http://z/api/v1/messages", "{keys}");
            let body = String::from_utf8(h.body.to_vec()).unwrap();
            for w in want {
                assert!(body.contains(w), "{keys}: {body}");
            }
        }
    }
}
