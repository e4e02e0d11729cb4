//! `discord`: an incoming webhook with one embed coloured by status (the title as its
//! title, the body as its description); user text escaped for Discord markdown except
//! URLs, which stay byte for byte; mentions disabled; every Discord length limit respected.

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
    name: "discord",
    http: true,
    keys: super::fields_of::<Discord>,
    build: super::build::<Discord>,
};

/// A Discord webhook.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct Discord {
    url: String,
    username: Option<String>,
    avatar_url: Option<String>,
}

/// Execute Webhook with files (Discord API docs, "Uploading Files"; discord-api-types
/// `RESTPostAPIWebhookWithTokenFormDataBody`): a `multipart/form-data` body whose
/// `payload_json` field holds the JSON message and whose `files[n]` fields hold the files;
/// the message's `attachments` array names each file by `id` = n and `filename`.
/// Discord's upload limit for webhooks without boosts is 8 MiB (the default cut here).
fn with_files(url: &str, mut body: Value, files: &[crate::attach::Attachment]) -> HttpRequest {
    body["attachments"] = files
        .iter()
        .enumerate()
        .map(|(i, a)| json!({"id": i, "filename": a.name}))
        .collect();
    let payload = serde_json::to_vec(&body).unwrap_or_default();
    let names: Vec<String> = (0..files.len()).map(|i| format!("files[{i}]")).collect();
    let mut parts = vec![super::Part {
        name: "payload_json",
        filename: None,
        content_type: Some("application/json"),
        data: super::PartData::Bytes(&payload),
    }];
    for (a, name) in files.iter().zip(&names) {
        parts.push(super::Part {
            name,
            filename: Some(&a.name),
            content_type: Some(&a.content_type),
            data: super::PartData::File(a),
        });
    }
    let (ct, bytes) = super::multipart(&parts);
    HttpRequest::new("POST", url)
        .header("Content-Type", ct)
        .body(bytes)
}

/// Colours by status: start blue, success green, failure red, info grey.
pub(crate) const COLOURS: [u32; 4] = [0x3498DB, 0x2ECC71, 0xE74C3C, 0x95A5A6];

impl super::Channel for Discord {
    fn prepare(&self, msg: &Message) -> Result<Vec<Outgoing>, DeliveryError> {
        let ev = msg.event;
        // Embed text limits (UTF-16 units, as Discord counts): title 256, description
        // 4096, footer 2048; all embed text together 6000. The title is shown once, as
        // the embed's title; the body is the description.
        let title = cut(&msg.title, 256, Unit::Utf16, escape::discord);
        let footer = cut(&super::slack::context(msg), 256, Unit::Utf16, plain);
        let budget = 6000 - Unit::Utf16.len(&title) - Unit::Utf16.len(&footer);
        let description = cut(&msg.body, budget.min(4096), Unit::Utf16, escape::discord);
        let mut embed = json!({
            "title": title,
            "description": description,
            "color": by_status(ev.status, COLOURS),
            "footer": {"text": footer},
        });
        if let (true, Some(e)) = (description.is_empty(), embed.as_object_mut()) {
            e.remove("description");
        }
        if time::OffsetDateTime::parse(
            &ev.timestamp,
            &time::format_description::well_known::Rfc3339,
        )
        .is_ok()
        {
            embed["timestamp"] = Value::String(ev.timestamp.clone());
        }
        let mut body = json!({
            "embeds": [embed],
            "allowed_mentions": {"parse": []},
        });
        if let Some(u) = &self.username {
            body["username"] = Value::String(u.clone());
        }
        if let Some(a) = &self.avatar_url {
            body["avatar_url"] = Value::String(a.clone());
        }
        if ev.attachments.is_empty() {
            let req = HttpRequest::post_json(self.url.clone(), &body);
            return Ok(vec![Outgoing::Http(req)]);
        }
        Ok(vec![Outgoing::Http(with_files(
            &self.url,
            body,
            &ev.attachments,
        ))])
    }

    fn carries_attachments(&self) -> bool {
        true
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

#[cfg(test)]
mod prepare_table {
    use super::super::testkit::{channel, event, http, json, prepare};

    #[test]
    fn one_embed_coloured_by_status_with_the_title_once() {
        let ch = channel("discord", "{url: 'https://discord.com/api/webhooks/1/tok'}");
        for (ev, colour) in [
            ("backup_start", 0x3498DB),
            ("backup_success", 0x2ECC71),
            ("backup_failure", 0xE74C3C),
            ("user_login", 0x95A5A6),
        ] {
            let out = prepare(&*ch, &event(ev, None));
            let body = json(http(&out)[0]);
            let embeds = body["embeds"].as_array().unwrap();
            assert_eq!(embeds.len(), 1, "{ev}");
            assert_eq!(embeds[0]["color"], colour, "{ev}");
            assert_eq!(embeds[0]["title"], "T", "{ev}");
            assert!(
                body.get("content").is_none(),
                "{ev}: the title is shown once"
            );
        }
    }
}
