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
    use super::super::testkit::{
        channel, event, hostile_log_body, http, json, prepare, prepare_texts_ok, reply_of,
        HOSTILE_TITLE,
    };

    use crate::render::Unit;

    const HOOK: &str = "https://chat.example.com/hooks/6a8QXbq2Sa/XkT3bRx9-token_1";

    /// Rows: event, the text (status emoji, title, body) and the attachment's colour.
    #[test]
    fn text_with_status_emoji_and_an_attachment_coloured_by_status() {
        let ch = channel("rocketchat", &format!("{{url: '{HOOK}'}}"));
        for (ev, text, colour) in [
            ("backup_start", ":arrow_forward: T\nB", "#3498db"),
            ("backup_success", ":white_check_mark: T\nB", "#2eb67d"),
            ("backup_failure", ":rotating_light: T\nB", "#e01e5a"),
            ("user_login", ":information_source: T\nB", "#95a5a6"),
            ("test", ":information_source: T\nB", "#95a5a6"),
        ] {
            let e = event(ev, None);
            let out = prepare(&*ch, &e);
            let reqs = http(&out);
            assert_eq!(reqs.len(), 1, "{ev}");
            let h = reqs[0];
            assert_eq!((h.method.as_str(), h.url.as_str()), ("POST", HOOK), "{ev}");
            let ct = h.headers.iter().find(|(k, _)| k == "Content-Type");
            assert_eq!(ct.map(|(_, v)| v.as_str()), Some("application/json"));
            let body = json(h);
            assert_eq!(body["text"], text, "{ev}");
            let attachments = body["attachments"].as_array().unwrap();
            assert_eq!(attachments.len(), 1, "{ev}");
            assert_eq!(attachments[0]["color"], colour, "{ev}");
            let context = format!("{ev} · db · h · {}", e.timestamp);
            assert_eq!(attachments[0]["text"], context.as_str(), "{ev}");
        }
    }

    /// An empty body sends the title line alone; hostile text goes as written (no
    /// escapes: Rocket.Chat's parser has none) within 5,000 UTF-16 units, keeping the
    /// end of the log.
    #[test]
    fn empty_body_and_hostile_text_within_the_message_limit() {
        let ch = channel("rocketchat", &format!("{{url: '{HOOK}'}}"));
        let ev = event("backup_failure", None);
        let body = json(http(&prepare_texts_ok(&*ch, &ev, "T", "  \n"))[0]);
        assert_eq!(body["text"], ":rotating_light: T");
        let long = hostile_log_body();
        let body = json(http(&prepare_texts_ok(&*ch, &ev, HOSTILE_TITLE, &long))[0]);
        let text = body["text"].as_str().unwrap();
        let n = Unit::Utf16.len(text);
        assert!(n <= 5_000 && n > 4_500, "{n} UTF-16 units");
        assert!(text.starts_with(&format!(":rotating_light: {HOSTILE_TITLE}\nSTART-OF-LOG")));
        assert!(text.ends_with("END-OF-LOG"));
        let title = "🔥".repeat(400);
        let body = json(http(&prepare_texts_ok(&*ch, &ev, &title, "B"))[0]);
        let head = body["text"].as_str().unwrap().split('\n').next().unwrap();
        assert!(Unit::Utf16.len(head) <= 520, "{}", head.len());
        assert!(
            body["text"].as_str().unwrap().ends_with("\nB"),
            "the body survives a long title"
        );
    }

    /// Replies: `{"success": true}` delivered; a refusal (200 with `"success": false`, or
    /// 404 for a wrong hook id/token) is final and shows Rocket.Chat's reason.
    #[test]
    fn replies() {
        let ch = channel("rocketchat", &format!("{{url: '{HOOK}'}}"));
        let reply = |status: u16, body: &str| {
            reply_of(status, &[("Content-Type", "application/json")], body)
        };
        assert!(ch.check(&reply(200, r#"{"success":true}"#)).is_ok());
        assert!(
            ch.check(&reply(200, "")).is_ok(),
            "an empty 200 is delivered"
        );
        for (status, body, says, retryable) in [
            (
                200,
                r#"{"success":false,"error":"error-invalid-room"}"#,
                "Rocket.Chat refused the message: {\"success\":false,\"error\":\"error-invalid-room\"}",
                false,
            ),
            (
                404,
                r#"{"success":false,"error":"Invalid integration id or token provided."}"#,
                "HTTP 404: {\"success\":false,\"error\":\"Invalid integration id or token provided.\"}",
                false,
            ),
            (
                429,
                r#"{"success":false,"error":"Error, too many requests. Please slow down."}"#,
                "HTTP 429: ",
                true,
            ),
        ] {
            let e = ch.check(&reply(status, body)).unwrap_err();
            assert!(e.message.starts_with(says), "{status}: {}", e.message);
            assert_eq!((e.status, e.retryable), (Some(status), retryable), "{status}");
        }
    }
}
