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
/// character (backslash, backtick, `*`, `_`, `[`, `]`), and before a `>`, `#`, `-` or `+`
/// that starts a line (a quote, heading or list); nothing else, so the text reads as
/// written. `$` is not among Python-Markdown's escapes (a `\$` would show its backslash):
/// a zero-width space splits each `$$`, Zulip's only math delimiter, so `$5` and `$HOME`
/// read as written and no `$$...$$` turns into math. URLs are left as written.
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
            let mut last = '\0';
            for c in escape::backslash(part, "\\`*_[]").chars() {
                if c == '$' && last == '$' {
                    out.push('\u{200B}');
                }
                out.push(c);
                last = c;
            }
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
            markdown("a *b* _c_ `d` [e] $$f$$ $$$ $5 $HOME 1.5-2 (x) <y> & z"),
            "a \\*b\\* \\_c\\_ \\`d\\` \\[e\\] $\u{200B}$f$\u{200B}$ $\u{200B}$\u{200B}$ $5 $HOME 1.5-2 (x) <y> & z"
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
    use std::time::Duration;

    use crate::channels::testkit::{
        channel, event, hostile_body, http, prepare, prepare_texts_ok, reply_of, HOSTILE_TITLE,
    };
    use crate::http::HttpRequest;
    use crate::render::Unit;

    const BOT: &str = "url: 'https://zulip.example.com/', bot_email: backup-bot@zulip.example.com, api_key: k3y_s3cret";

    /// The form fields as Zulip's server reads them, in order.
    fn fields(h: &HttpRequest) -> Vec<(String, String)> {
        url::form_urlencoded::parse(&h.body.to_vec())
            .into_owned()
            .collect()
    }

    fn field(h: &HttpRequest, name: &str) -> Option<String> {
        fields(h)
            .into_iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v)
    }

    /// Rows: extra keys, event, task, the form fields sent (`content` last).
    #[test]
    fn stream_topic_or_direct_for_every_status() {
        for (extra, ev, task, want) in [
            (
                "stream: ops, topic: backups",
                "backup_start",
                Some("db"),
                &[("type", "stream"), ("to", "ops"), ("topic", "backups")][..],
            ),
            (
                "stream: ops",
                "backup_success",
                Some("db"),
                &[("type", "stream"), ("to", "ops"), ("topic", "db")][..],
            ),
            (
                "stream: 'ops & infra'",
                "backup_failure",
                None,
                &[
                    ("type", "stream"),
                    ("to", "ops & infra"),
                    ("topic", "bnotify"),
                ][..],
            ),
            (
                "to: [a@x.org, 'b+c@y.org']",
                "user_login",
                Some("db"),
                &[("type", "direct"), ("to", r#"["a@x.org","b+c@y.org"]"#)][..],
            ),
        ] {
            let keys = format!("{{{BOT}, {extra}}}");
            let mut e = event(ev, None);
            e.task = task.map(str::to_string);
            let out = prepare(&*channel("zulip", &keys), &e);
            let reqs = http(&out);
            assert_eq!(reqs.len(), 1, "{keys}");
            let h = reqs[0];
            assert_eq!(
                (h.method.as_str(), h.url.as_str()),
                ("POST", "https://zulip.example.com/api/v1/messages"),
                "{keys}"
            );
            let header = |n: &str| {
                h.headers
                    .iter()
                    .find(|(k, _)| k == n)
                    .map(|(_, v)| v.as_str())
            };
            assert_eq!(
                header("Content-Type"),
                Some("application/x-www-form-urlencoded")
            );
            // base64 of "backup-bot@zulip.example.com:k3y_s3cret"
            assert_eq!(
                header("Authorization"),
                Some("Basic YmFja3VwLWJvdEB6dWxpcC5leGFtcGxlLmNvbTprM3lfczNjcmV0")
            );
            let mut expected: Vec<(String, String)> = want
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect();
            expected.push(("content".into(), "**T**\n\nB".into()));
            assert_eq!(fields(h), expected, "{keys} {ev}");
        }
    }

    /// Zulip drops what is over 10,000 code points of content and 60 of a topic: both
    /// are cut here, the end kept; markdown is escaped, URLs and `<`, `&` as written.
    #[test]
    fn hostile_text_escaped_and_within_the_limits() {
        let long_topic = format!("{}-end", "t".repeat(100));
        let ch = channel(
            "zulip",
            &format!("{{{BOT}, stream: ops, topic: '{long_topic}'}}"),
        );
        let out = prepare_texts_ok(
            &*ch,
            &event("backup_failure", Some(1)),
            HOSTILE_TITLE,
            &hostile_body(),
        );
        let h = http(&out)[0];
        let topic = field(h, "topic").unwrap();
        assert!(Unit::Chars.len(&topic) <= 60, "{topic}");
        assert!(
            topic.starts_with("ttt") && topic.ends_with("-end"),
            "{topic}"
        );
        let content = field(h, "content").unwrap();
        let n = Unit::Chars.len(&content);
        assert!((8_000..=10_000).contains(&n), "{n} code points");
        let url = "https://backup-host.example.com/logs/run_2026-11-30.log?a=1&b=2";
        assert!(
            content.starts_with(&format!(
                "**Sauvegarde échouée ✗ <b>&\"'\\*\\_~| {url} 🔥**\n\nSTART-OF-LOG\n"
            )),
            "{content:.200}"
        );
        let line = "\n<b>&\"'\\*\\_~|\\` \\[a\\](b) #h > q 日本語のログ 🔥 https://h.example/run_1-2.log\n";
        assert!(content.contains(line), "{content:.400}");
        assert!(content.ends_with("FATAL-END"), "the end of the log is kept");
        assert!(content.contains("characters cut"), "the cut is marked");
    }

    /// Rows: status, headers, body, delivered, retryable, wait (ms), words of the error.
    #[test]
    fn replies() {
        let ch = channel("zulip", &format!("{{{BOT}, stream: ops}}"));
        for (status, headers, body, ok, retry, wait, words) in [
            (
                200,
                &[][..],
                r#"{"result": "success", "msg": "", "id": 42}"#,
                true,
                false,
                None,
                "",
            ),
            (
                200,
                &[][..],
                r#"{"result": "error", "msg": "odd"}"#,
                false,
                false,
                None,
                "Zulip answered 200 without success: odd",
            ),
            (
                200,
                &[][..],
                "<html>proxy</html>",
                false,
                false,
                None,
                "without success: <html>proxy</html>",
            ),
            (
                400,
                &[][..],
                r#"{"result": "error", "msg": "Stream 'ops' does not exist", "code": "STREAM_DOES_NOT_EXIST"}"#,
                false,
                false,
                None,
                "Zulip 400: Stream 'ops' does not exist",
            ),
            (
                401,
                &[][..],
                r#"{"result": "error", "msg": "Invalid API key", "code": "INVALID_API_KEY"}"#,
                false,
                false,
                None,
                "Zulip 401: Invalid API key",
            ),
            (
                429,
                &[("Retry-After", "2.5")][..],
                r#"{"result": "error", "msg": "API usage exceeded rate limit", "retry-after": 2.5, "code": "RATE_LIMIT_HIT"}"#,
                false,
                true,
                Some(2500),
                "Zulip 429: API usage exceeded rate limit",
            ),
        ] {
            let got = ch.check(&reply_of(status, headers, body));
            assert_eq!(got.is_ok(), ok, "{status} {body}");
            if let Err(e) = got {
                assert_eq!(e.retryable, retry, "{status}");
                assert_eq!(e.retry_after, wait.map(Duration::from_millis), "{status}");
                assert!(e.message.contains(words), "{status}: {}", e.message);
            }
        }
    }
}
