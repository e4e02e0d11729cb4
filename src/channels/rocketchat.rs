//! `rocketchat`: an incoming webhook integration (Rocket.Chat docs, "Integrations" >
//! "Incoming WebHook"; payload as `chat.postMessage`,
//! <https://developer.rocket.chat/reference/api/rest-api/endpoints/messaging/chat-endpoints/postmessage>):
//! JSON `text` with a status emoji, the title and the body, within the server's default
//! `Message_MaxAllowedSize` of 5,000 characters (JavaScript length, UTF-16 units), and
//! one attachment carrying the colour by status. Rocket.Chat's message parser has no
//! backslash escapes (its grammar escapes only timestamps) and renders text, not HTML, so
//! the text goes as written.

use serde::Deserialize;
use serde_json::json;

use super::{
    by_status, check_url, ChannelType, DeliveryError, HttpRequest, Invalid, Message, Outgoing,
    Reply,
};
use crate::render::cut::plain;
use crate::render::{cut, Unit};

/// Registry row.
pub(crate) const TYPE: ChannelType = ChannelType {
    name: "rocketchat",
    http: true,
    keys: super::fields_of::<RocketChat>,
    build: super::build::<RocketChat>,
};

/// Rocket.Chat's default `Message_MaxAllowedSize`, in UTF-16 units.
pub(crate) const MAX_TEXT: usize = 5_000;
/// Room the title line may take.
pub(crate) const MAX_TITLE: usize = 500;
/// Colours by status: start, success, failure, info.
pub(crate) const COLOURS: [&str; 4] = ["#3498db", "#2eb67d", "#e01e5a", "#95a5a6"];

/// A Rocket.Chat incoming webhook (`…/hooks/<id>/<token>`).
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RocketChat {
    url: String,
}

impl super::Channel for RocketChat {
    fn prepare(&self, msg: &Message) -> Result<Vec<Outgoing>, DeliveryError> {
        let status = msg.event.status;
        let emoji = by_status(status, super::mattermost::EMOJI);
        let head = format!("{emoji} {}", cut(&msg.title, MAX_TITLE, Unit::Utf16, plain));
        let text = if msg.body.trim().is_empty() {
            head
        } else {
            let rest = MAX_TEXT - Unit::Utf16.len(&head) - 1;
            format!("{head}\n{}", cut(&msg.body, rest, Unit::Utf16, plain))
        };
        let body = json!({
            "text": text,
            "attachments": [{
                "color": by_status(status, COLOURS),
                "text": super::slack::context(msg),
            }],
        });
        Ok(vec![Outgoing::Http(HttpRequest::post_json(
            self.url.clone(),
            &body,
        ))])
    }

    fn check(&self, reply: &Reply) -> Result<(), DeliveryError> {
        reply.default_check()?;
        // The integration answers `{"success": false, "error": …}` on a refused message.
        match serde_json::from_slice::<serde_json::Value>(&reply.body) {
            Ok(v) if v.get("success") == Some(&serde_json::Value::Bool(false)) => {
                Err(DeliveryError::new(format!(
                    "Rocket.Chat refused the message: {}",
                    reply.snippet()
                ))
                .status(reply.status))
            }
            _ => Ok(()),
        }
    }

    fn secrets(&self) -> Vec<String> {
        let path = super::url_path(&self.url);
        let hook = path.split_once("/hooks/").map_or(path, |(_, h)| h);
        hook.split('/')
            .filter(|s| !s.is_empty())
            .map(str::to_string)
            .collect()
    }

    fn validate(&self) -> Result<(), Invalid> {
        check_url("url", &self.url)
    }
}

#[cfg(test)]
mod prepare_table {
    use super::super::testkit::{channel, event, http, json, prepare};

    #[test]
    fn text_and_an_attachment_coloured_by_status() {
        let ch = channel("rocketchat", "{url: 'http://rc/hooks/id/tok'}");
        for (ev, colour) in [
            ("backup_start", "#3498db"),
            ("backup_success", "#2eb67d"),
            ("backup_failure", "#e01e5a"),
            ("user_login", "#95a5a6"),
        ] {
            let out = prepare(&*ch, &event(ev, None));
            let body = json(http(&out)[0]);
            assert!(!body["text"].as_str().unwrap().is_empty(), "{ev}");
            assert_eq!(body["attachments"][0]["color"], colour, "{ev}");
        }
    }
}
