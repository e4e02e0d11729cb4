//! `discord`: an incoming webhook with one embed coloured by status; user text escaped
//! for Discord markdown, mentions disabled, every Discord length limit respected.

use serde::Deserialize;
use serde_json::{json, Value};

use super::{
    by_status, check_url, ChannelType, DeliveryError, HttpRequest, Invalid, Message, Outgoing,
    Reply,
};
use crate::render::{escape, truncate};

/// Registry row.
pub const TYPE: ChannelType = ChannelType {
    name: "discord",
    http: true,
    keys: &["url", "username", "avatar_url"],
    build: super::build::<Discord>,
};

/// A Discord webhook.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Discord {
    url: String,
    username: Option<String>,
    avatar_url: Option<String>,
}

/// Colours by status: start blue, success green, failure red, info grey.
pub const COLOURS: [u32; 4] = [0x3498DB, 0x2ECC71, 0xE74C3C, 0x95A5A6];

impl super::Channel for Discord {
    fn prepare(&self, msg: &Message) -> Result<Vec<Outgoing>, DeliveryError> {
        let ev = msg.event;
        // Embed text limits: title 256, description 4096, footer 2048; total 6000.
        let title = truncate(&escape::discord(&msg.title), 256);
        let footer = truncate(&super::slack::context(msg), 256);
        let budget = 6000 - title.chars().count() - footer.chars().count();
        let description = truncate(&escape::discord(&msg.body), budget.min(4096));
        let mut embed = json!({
            "title": title,
            "description": description,
            "color": by_status(ev.status, COLOURS),
            "footer": {"text": footer},
        });
        if time::OffsetDateTime::parse(
            &ev.timestamp,
            &time::format_description::well_known::Rfc3339,
        )
        .is_ok()
        {
            embed["timestamp"] = Value::String(ev.timestamp.clone());
        }
        let mut body = json!({
            "content": truncate(&escape::discord(&msg.title), 2000),
            "embeds": [embed],
            "allowed_mentions": {"parse": []},
        });
        if let Some(u) = &self.username {
            body["username"] = Value::String(u.clone());
        }
        if let Some(a) = &self.avatar_url {
            body["avatar_url"] = Value::String(a.clone());
        }
        Ok(vec![Outgoing::Http(HttpRequest::post_json(
            self.url.clone(),
            &body,
        ))])
    }

    fn check(&self, reply: &Reply) -> Result<(), DeliveryError> {
        super::check_with_body_wait(reply, "/retry_after")
    }

    fn secrets(&self) -> Vec<String> {
        super::last_segment(&self.url)
            .map(str::to_string)
            .into_iter()
            .collect()
    }

    fn validate(&self) -> Result<(), Invalid> {
        check_url("url", &self.url)?;
        if let Some(a) = &self.avatar_url {
            check_url("avatar_url", a)?;
        }
        Ok(())
    }
}
