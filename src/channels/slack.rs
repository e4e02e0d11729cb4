//! `slack`: an incoming webhook; `text` (the notification fallback) plus Block Kit blocks:
//! the title in a plain-text `header`, the body in a mrkdwn `section` (`&<>` escaped, cut
//! to 3,000 UTF-16 units keeping start and end), an emoji and colour by status.

use serde::Deserialize;
use serde_json::json;

use super::{
    by_status, check_url, ChannelType, DeliveryError, HttpRequest, Invalid, Message, Outgoing,
    Reply,
};
use crate::render::cut::plain;
use crate::render::{cut, escape, Unit};

/// Slack's limit on a `header` block's plain text.
pub(crate) const MAX_HEADER: usize = 150;
/// Slack's limit on a `section` block's text.
pub(crate) const MAX_SECTION: usize = 3000;
/// The notification text is kept under Slack's readable 4,000 characters.
pub(crate) const MAX_TEXT: usize = 3900;

/// Registry row.
pub(crate) const TYPE: ChannelType = ChannelType {
    name: "slack",
    http: true,
    keys: super::fields_of::<Slack>,
    build: super::build::<Slack>,
};

/// A Slack incoming webhook.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct Slack {
    url: String,
}

impl super::Channel for Slack {
    fn prepare(&self, msg: &Message) -> Result<Vec<Outgoing>, DeliveryError> {
        let status = msg.event.status;
        let emoji = by_status(
            status,
            [
                ":arrow_forward:",
                ":white_check_mark:",
                ":rotating_light:",
                ":information_source:",
            ],
        );
        let color = by_status(status, ["#3498db", "#2eb67d", "#e01e5a", "#95a5a6"]);
        // The title goes in a `header` block: plain text, so a `*` in it cannot break the
        // mrkdwn bold that a `*title*` line would rely on.
        let header = cut(
            &format!("{emoji} {}", msg.title),
            MAX_HEADER,
            Unit::Utf16,
            plain,
        );
        let body = cut(&msg.body, MAX_SECTION, Unit::Utf16, escape::slack);
        let head = format!(
            "{emoji} {}\n",
            cut(&msg.title, 500, Unit::Utf16, escape::slack)
        );
        let text = format!(
            "{head}{}",
            cut(
                &msg.body,
                MAX_TEXT - Unit::Utf16.len(&head),
                Unit::Utf16,
                escape::slack
            )
        );
        let payload = json!({
            "text": text,
            "blocks": [
                {"type": "header", "text": {"type": "plain_text", "text": header, "emoji": true}},
                {"type": "section", "text": {"type": "mrkdwn", "text": if body.is_empty() { " ".to_string() } else { body }}},
                {"type": "context", "elements": [{"type": "mrkdwn", "text": cut(&context(msg), MAX_SECTION, Unit::Utf16, escape::slack)}]}
            ],
            "attachments": [{"color": color, "fallback": cut(&msg.title, 500, Unit::Utf16, escape::slack)}],
        });
        Ok(vec![Outgoing::Http(HttpRequest::post_json(
            self.url.clone(),
            &payload,
        ))])
    }

    fn check(&self, reply: &Reply) -> Result<(), DeliveryError> {
        reply.default_check()?;
        let body = String::from_utf8_lossy(&reply.body);
        if body.trim() == "ok" {
            Ok(())
        } else {
            Err(DeliveryError::new(format!(
                "Slack answered {}: {}",
                reply.status,
                reply.snippet()
            ))
            .status(reply.status))
        }
    }

    fn secrets(&self) -> Vec<String> {
        let path = super::url_path(&self.url);
        let hook = path.split_once("/services/").map_or(path, |(_, h)| h);
        vec![hook.to_string()]
    }

    fn validate(&self) -> Result<(), Invalid> {
        check_url("url", &self.url)
    }
}

/// `host · task · event` line under the message.
pub(crate) fn context(msg: &Message) -> String {
    let ev = msg.event;
    let mut parts = vec![ev.event.clone()];
    if let Some(t) = &ev.task {
        parts.push(t.clone());
    }
    if let Some(h) = &ev.host {
        parts.push(h.clone());
    }
    parts.push(ev.timestamp.clone());
    parts.join(" · ")
}

#[cfg(test)]
mod prepare_table {
    use std::time::Duration;

    use super::super::testkit::{
        channel, event, hostile_long_body, http, json, prepare, prepare_with_texts, reply_of,
        HOSTILE_TITLE,
    };

    use crate::render::Unit;

    const HOOK: &str = "https://hooks.slack.com/services/T0001/B0002/XXXXsecretXXXX";

    /// Each status: its emoji in the header and the text, its colour, the context line.
    #[test]
    fn each_status_has_its_emoji_and_colour() {
        let ch = channel("slack", &format!("{{url: '{HOOK}'}}"));
        for (ev, emoji, color) in [
            ("backup_start", ":arrow_forward:", "#3498db"),
            ("backup_success", ":white_check_mark:", "#2eb67d"),
            ("backup_failure", ":rotating_light:", "#e01e5a"),
            ("user_login", ":information_source:", "#95a5a6"),
        ] {
            let e = event(ev, None);
            let out = prepare(&*ch, &e);
            assert_eq!(out.len(), 1, "{ev}");
            let h = http(&out)[0];
            assert_eq!((h.method.as_str(), h.url.as_str()), ("POST", HOOK), "{ev}");
            assert!(
                h.headers
                    .iter()
                    .any(|(k, v)| k == "Content-Type" && v == "application/json"),
                "{ev}"
            );
            let body = json(h);
            assert_eq!(body["text"], format!("{emoji} T\nB"), "{ev}");
            let blocks = body["blocks"].as_array().unwrap();
            assert_eq!(blocks.len(), 3, "{ev}");
            assert_eq!(blocks[0]["type"], "header", "{ev}");
            assert_eq!(blocks[0]["text"]["type"], "plain_text", "{ev}");
            assert_eq!(blocks[0]["text"]["text"], format!("{emoji} T"), "{ev}");
            assert_eq!(blocks[0]["text"]["emoji"], true, "{ev}");
            assert_eq!(blocks[1]["type"], "section", "{ev}");
            assert_eq!(blocks[1]["text"]["type"], "mrkdwn", "{ev}");
            assert_eq!(blocks[1]["text"]["text"], "B", "{ev}");
            assert_eq!(blocks[2]["type"], "context", "{ev}");
            assert_eq!(
                blocks[2]["elements"][0]["text"],
                format!("{ev} · db · h · {}", e.timestamp),
                "{ev}"
            );
            assert_eq!(body["attachments"][0]["color"], color, "{ev}");
            assert_eq!(body["attachments"][0]["fallback"], "T", "{ev}");
        }
    }

    /// Slack's answers: `ok` in plain text, or an error code as the body.
    #[test]
    fn replies() {
        let ch = channel("slack", &format!("{{url: '{HOOK}'}}"));
        let reply = reply_of;
        ch.check(&reply(200, &[("Content-Type", "text/plain")], "ok"))
            .unwrap();
        for (status, headers, body, names, retryable, wait) in [
            (
                400,
                &[][..],
                "invalid_payload",
                "invalid_payload",
                false,
                None,
            ),
            (400, &[], "no_text", "no_text", false, None),
            (403, &[], "invalid_token", "invalid_token", false, None),
            (404, &[], "no_service", "no_service", false, None),
            (
                410,
                &[],
                "channel_is_archived",
                "channel_is_archived",
                false,
                None,
            ),
            (
                429,
                &[("Retry-After", "3")],
                "rate_limited",
                "rate_limited",
                true,
                Some(Duration::from_secs(3)),
            ),
            (500, &[], "rollup_error", "rollup_error", true, None),
            // A 200 that is not Slack's `ok` (a proxy's login page) is not a delivery.
            (
                200,
                &[],
                "<html>sign in</html>",
                "Slack answered 200",
                false,
                None,
            ),
        ] {
            let e = ch.check(&reply(status, headers, body)).unwrap_err();
            assert!(e.message.contains(names), "{status}: {}", e.message);
            assert_eq!(e.retryable, retryable, "{status} {body}");
            assert_eq!(e.retry_after, wait, "{status} {body}");
            assert_eq!(e.status, Some(status), "{status} {body}");
        }
    }

    /// A hostile title and a 10,000-character body: the header stays plain and within 150
    /// UTF-16 units, the section within 3,000 and escaped, the text within 4,000.
    #[test]
    fn hostile_text_fits_slack() {
        let ch = channel("slack", &format!("{{url: '{HOOK}'}}"));
        let long = hostile_long_body();
        let title = format!("{HOSTILE_TITLE} {}", "漢".repeat(200));
        let out = prepare_with_texts(&*ch, &event("backup_failure", None), &title, &long).unwrap();
        let body = json(http(&out)[0]);
        let s = |v: &serde_json::Value| v.as_str().unwrap().to_string();
        let header = s(&body["blocks"][0]["text"]["text"]);
        assert!(Unit::Utf16.len(&header) <= 150, "{header}");
        // Plain text: shown as written, nothing escaped.
        assert!(
            header.starts_with(":rotating_light: Sauvegarde échouée ✗ <b>&\"'*_~| "),
            "{header}"
        );
        assert!(
            header.contains("characters cut") && header.ends_with('漢'),
            "{header}"
        );
        let section = s(&body["blocks"][1]["text"]["text"]);
        assert!(Unit::Utf16.len(&section) <= 3000);
        assert!(Unit::Utf16.len(&section) > 2500);
        assert!(section.starts_with("START job &lt;b&gt;db&lt;/b&gt; &amp; *bold*"));
        assert!(section.ends_with("FATAL: disk full END"));
        assert!(section.contains("characters cut"));
        assert!(!section.contains('<') && !section.contains('>'));
        let text = s(&body["text"]);
        assert!(Unit::Utf16.len(&text) <= 4000, "{}", Unit::Utf16.len(&text));
        assert!(text.starts_with(":rotating_light: Sauvegarde échouée ✗ &lt;b&gt;&amp;"));
        assert!(text.ends_with("END"));
        assert!(!text.contains('<') && !text.contains('>'));
        assert!(body["blocks"].as_array().unwrap().len() <= 50);
        // An empty body still makes a valid section (Slack refuses empty text).
        let out = prepare_with_texts(&*ch, &event("backup_success", None), "T", "").unwrap();
        assert_eq!(json(http(&out)[0])["blocks"][1]["text"]["text"], " ");
    }

    /// The hook path is the secret; only http(s) URLs are taken.
    #[test]
    fn the_hook_path_is_masked() {
        assert_eq!(
            channel("slack", &format!("{{url: '{HOOK}'}}")).secrets(),
            ["T0001/B0002/XXXXsecretXXXX"]
        );
        let e = channel("slack", "{url: 'hooks.slack.com/services/x'}")
            .validate()
            .unwrap_err();
        assert_eq!(e.key, Some("url"));
    }
}
