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
    use super::super::testkit::{channel, event, http, json, prepare};

    #[test]
    fn title_in_a_header_block_and_a_text_fallback() {
        let ch = channel("slack", "{url: 'https://hooks.slack.com/services/T/B/x'}");
        for ev in ["backup_failure", "backup_success", "backup_start"] {
            let out = prepare(&*ch, &event(ev, None));
            let body = json(http(&out)[0]);
            assert!(!body["text"].as_str().unwrap().is_empty(), "{ev}");
            let blocks = body["blocks"].as_array().unwrap();
            assert_eq!(blocks[0]["type"], "header", "{ev}");
            assert_eq!(blocks[0]["text"]["type"], "plain_text", "{ev}");
            let header = blocks[0]["text"]["text"].as_str().unwrap();
            assert!(header.ends_with(" T"), "{ev}: {header}");
        }
    }
}
