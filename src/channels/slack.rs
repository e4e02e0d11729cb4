//! `slack`: an incoming webhook; `text` (the notification fallback) plus Block Kit blocks,
//! user text escaped for mrkdwn, an emoji and colour by status.

use serde::Deserialize;
use serde_json::json;

use super::{
    by_status, check_url, ChannelType, DeliveryError, HttpRequest, Invalid, Message, Outgoing,
    Reply,
};
use crate::render::escape;

/// Registry row.
pub const TYPE: ChannelType = ChannelType {
    name: "slack",
    http: true,
    keys: &["url"],
    build: super::build::<Slack>,
};

/// A Slack incoming webhook.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Slack {
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
        let header = escape::fit(&format!("{emoji} {}", msg.title), 150, str::to_string);
        let body = escape::fit(&msg.body, 3000, escape::slack);
        let head = format!(
            "{emoji} *{}*\n",
            escape::fit(&msg.title, 500, escape::slack)
        );
        let text = format!(
            "{head}{}",
            escape::fit(&msg.body, 3900 - head.chars().count(), escape::slack)
        );
        let payload = json!({
            "text": text,
            "blocks": [
                {"type": "header", "text": {"type": "plain_text", "text": header, "emoji": true}},
                {"type": "section", "text": {"type": "mrkdwn", "text": if body.is_empty() { " ".to_string() } else { body }}},
                {"type": "context", "elements": [{"type": "mrkdwn", "text": escape::fit(&context(msg), 3000, escape::slack)}]}
            ],
            "attachments": [{"color": color, "fallback": escape::slack(&msg.title)}],
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
pub fn context(msg: &Message) -> String {
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
