//! `mattermost`: an incoming webhook (Mattermost developer docs, "Incoming webhooks",
//! <https://developers.mattermost.com/integrate/webhooks/incoming/>): a JSON `text` in
//! Mattermost markdown (user text escaped, URLs left as written) with a status emoji and
//! the title in bold; optional `channel`, `username`, `icon_url`. The text stays within
//! the server's 16,383 characters a post (`PostMessageMaxRunesV2`).

use serde::Deserialize;
use serde_json::{json, Value};

use super::{
    by_status, check_url, ChannelType, DeliveryError, HttpRequest, Invalid, Message, Outgoing,
};
use crate::render::{cut, escape, Unit};

/// Registry row.
pub(crate) const TYPE: ChannelType = ChannelType {
    name: "mattermost",
    http: true,
    keys: super::fields_of::<Mattermost>,
    build: super::build::<Mattermost>,
};

/// Mattermost's limit on a post's message, in characters.
pub(crate) const MAX_TEXT: usize = 16_383;
/// Room the title line may take.
pub(crate) const MAX_TITLE: usize = 1_000;

/// Emoji by status: start, success, failure, info.
pub(crate) const EMOJI: [&str; 4] = [
    ":arrow_forward:",
    ":white_check_mark:",
    ":rotating_light:",
    ":information_source:",
];

/// A Mattermost incoming webhook.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct Mattermost {
    url: String,
    channel: Option<String>,
    username: Option<String>,
    icon_url: Option<String>,
}

/// `**emoji title**` and the body, escaped, within `max` characters.
pub(crate) fn text(msg: &Message, emoji: &str, max: usize) -> String {
    let head = format!(
        "{emoji} **{}**",
        cut(&msg.title, MAX_TITLE, Unit::Chars, escape::markdown)
    );
    if msg.body.trim().is_empty() {
        return head;
    }
    let rest = max - Unit::Chars.len(&head) - 2;
    format!(
        "{head}\n\n{}",
        cut(&msg.body, rest, Unit::Chars, escape::markdown)
    )
}

impl super::Channel for Mattermost {
    fn prepare(&self, msg: &Message) -> Result<Vec<Outgoing>, DeliveryError> {
        let emoji = by_status(msg.event.status, EMOJI);
        let mut body = json!({"text": text(msg, emoji, MAX_TEXT)});
        for (k, v) in [
            ("channel", &self.channel),
            ("username", &self.username),
            ("icon_url", &self.icon_url),
        ] {
            if let Some(v) = v {
                body[k] = Value::String(v.clone());
            }
        }
        Ok(vec![Outgoing::Http(HttpRequest::post_json(
            self.url.clone(),
            &body,
        ))])
    }

    fn secrets(&self) -> Vec<String> {
        super::last_segment(&self.url)
            .map(str::to_string)
            .into_iter()
            .collect()
    }

    fn validate(&self) -> Result<(), Invalid> {
        check_url("url", &self.url)?;
        if let Some(u) = &self.icon_url {
            check_url("icon_url", u)?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod prepare_table {
    use super::super::testkit::{channel, event, http, json, prepare};

    #[test]
    fn text_and_the_optional_overrides() {
        for (keys, channel_key) in [
            ("{url: 'http://mm/hooks/x'}", None),
            (
                "{url: 'http://mm/hooks/x', channel: ops, username: backups}",
                Some("ops"),
            ),
        ] {
            let out = prepare(
                &*channel("mattermost", keys),
                &event("backup_failure", None),
            );
            let body = json(http(&out)[0]);
            assert!(body["text"].as_str().unwrap().contains('T'), "{keys}");
            assert_eq!(
                body.get("channel").and_then(|v| v.as_str()),
                channel_key,
                "{keys}"
            );
        }
    }
}
