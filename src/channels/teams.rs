//! `teams`: a Teams Workflows (Power Automate) webhook carrying one Adaptive Card; the
//! retired Office 365 connector URLs are rejected with a hint.

use serde::Deserialize;
use serde_json::json;

use super::{
    by_status, check_url, ChannelType, DeliveryError, HttpRequest, Invalid, Message, Outgoing,
};
use crate::event::{human_duration, human_size};
use crate::render::escape;

/// Registry row.
pub const TYPE: ChannelType = ChannelType {
    name: "teams",
    http: true,
    keys: &["url"],
    build: super::build::<Teams>,
};

/// A Teams Workflows webhook.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Teams {
    url: String,
}

impl super::Channel for Teams {
    fn prepare(&self, msg: &Message) -> Result<Vec<Outgoing>, DeliveryError> {
        let ev = msg.event;
        let color = by_status(ev.status, ["Accent", "Good", "Attention", "Default"]);
        let mut facts = Vec::new();
        let mut fact = |t: &str, v: Option<String>| {
            if let Some(v) = v {
                facts.push(json!({"title": t, "value": escape::markdown(&v)}));
            }
        };
        fact("Task", ev.task.clone());
        fact("Host", ev.host.clone());
        fact("Event", Some(ev.event.clone()));
        fact(
            "Size",
            ev.backup.as_ref().and_then(|b| b.size).map(human_size),
        );
        fact("Duration", ev.duration_ms.map(human_duration));
        fact("Time", Some(ev.timestamp.clone()));
        let card = json!({
            "$schema": "http://adaptivecards.io/schemas/adaptive-card.json",
            "type": "AdaptiveCard",
            "version": "1.4",
            "body": [
                {"type": "TextBlock", "text": escape::fit(&msg.title, 1000, escape::markdown), "weight": "Bolder", "size": "Large", "wrap": true, "color": color},
                {"type": "TextBlock", "text": escape::fit(&msg.body.replace('\n', "\n\n"), 15_000, escape::markdown), "wrap": true},
                {"type": "FactSet", "facts": facts},
            ],
            "msteams": {"width": "Full"},
        });
        let body = json!({
            "type": "message",
            "attachments": [{"contentType": "application/vnd.microsoft.card.adaptive", "contentUrl": null, "content": card}],
        });
        Ok(vec![Outgoing::Http(HttpRequest::post_json(
            self.url.clone(),
            &body,
        ))])
    }

    fn secrets(&self) -> Vec<String> {
        self.url
            .split(['?', '&'])
            .filter_map(|kv| kv.strip_prefix("sig="))
            .map(str::to_string)
            .collect()
    }

    fn validate(&self) -> Result<(), Invalid> {
        check_url("url", &self.url)?;
        let lower = self.url.to_ascii_lowercase();
        if lower.contains("webhook.office.com") || lower.contains("outlook.office.com") {
            return Err(Invalid::key("url", "this is a retired Office 365 connector URL; Teams no longer delivers to it")
                .hint("in Teams, create a Workflows webhook (\"Post to a channel when a webhook request is received\") and use its URL"));
        }
        Ok(())
    }
}
