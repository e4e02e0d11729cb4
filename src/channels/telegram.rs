//! `telegram`: Bot API `sendMessage`, text escaped for the chosen parse mode and cut to
//! Telegram's 4096 characters without splitting an escape.

use crate::redact::Secret;
use serde::Deserialize;
use serde_json::{json, Value};

use super::{
    check_url, ChannelType, DeliveryError, HttpRequest, Invalid, Message, Outgoing, Reply,
};
use crate::render::cut::plain;
use crate::render::{cut, escape, Unit};

/// Registry row.
pub(crate) const TYPE: ChannelType = ChannelType {
    name: "telegram",
    http: true,
    keys: super::fields_of::<Telegram>,
    build: super::build::<Telegram>,
};

/// Telegram's limit on a message's text.
pub(crate) const MAX_TEXT: usize = 4096;
/// Room for the title, escaped; the body gets the rest.
pub(crate) const MAX_TITLE: usize = 512;
/// Telegram's limit on a document's caption.
pub(crate) const MAX_CAPTION: usize = 1024;

/// A Telegram bot posting to one chat.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct Telegram {
    bot_token: Secret,
    chat_id: ChatId,
    thread_id: Option<i64>,
    #[serde(default)]
    parse_mode: ParseMode,
    #[serde(default = "default_api")]
    api_url: String,
}

#[derive(Debug, Deserialize, Clone)]
#[serde(untagged)]
enum ChatId {
    Num(i64),
    Name(String),
}

#[derive(Debug, Deserialize, Default, Clone, Copy, PartialEq, Eq)]
enum ParseMode {
    #[default]
    #[serde(rename = "HTML", alias = "html")]
    Html,
    #[serde(rename = "MarkdownV2", alias = "markdownv2")]
    MarkdownV2,
    #[serde(rename = "none", alias = "plain", alias = "None")]
    Plain,
}

fn default_api() -> String {
    "https://api.telegram.org".into()
}

impl Telegram {
    /// Title in bold, then the body, escaped for the parse mode, within 4096 UTF-16 units:
    /// the body is cut (start and end kept) to what the escaped title leaves.
    fn text(&self, msg: &Message) -> String {
        let esc: fn(&str) -> String = match self.parse_mode {
            ParseMode::Html => escape::telegram_html,
            ParseMode::MarkdownV2 => escape::telegram_markdown_v2,
            ParseMode::Plain => plain,
        };
        let title = cut(&msg.title, MAX_TITLE, Unit::Utf16, esc);
        let head = match self.parse_mode {
            ParseMode::Html => format!("<b>{title}</b>"),
            ParseMode::MarkdownV2 => format!("*{title}*"),
            ParseMode::Plain => title,
        };
        if msg.body.trim().is_empty() {
            return head;
        }
        let room = MAX_TEXT - Unit::Utf16.len(&head) - 2;
        format!("{head}\n\n{}", cut(&msg.body, room, Unit::Utf16, esc))
    }
}

/// Bots may upload files of up to 50 MB (Bot API, sendDocument).
pub(crate) const MAX_DOCUMENT: u64 = 50 * 1000 * 1000;

impl Telegram {
    /// `sendDocument` (Bot API): a `multipart/form-data` body with `chat_id`, the file in
    /// `document` (with its file name), a `caption` of 0–1024 characters and optionally
    /// `message_thread_id`; sent after the text message.
    fn document(&self, a: &crate::attach::Attachment) -> HttpRequest {
        let chat = match &self.chat_id {
            ChatId::Num(n) => n.to_string(),
            ChatId::Name(s) => s.clone(),
        };
        let caption = cut(&a.describe(), MAX_CAPTION, Unit::Utf16, plain);
        let thread = self.thread_id.map(|t| t.to_string());
        let mut parts = vec![
            super::Part {
                name: "chat_id",
                filename: None,
                content_type: None,
                data: super::PartData::Bytes(chat.as_bytes()),
            },
            super::Part {
                name: "caption",
                filename: None,
                content_type: None,
                data: super::PartData::Bytes(caption.as_bytes()),
            },
            super::Part {
                name: "document",
                filename: Some(&a.name),
                content_type: Some(&a.content_type),
                data: super::PartData::File(a),
            },
        ];
        if let Some(t) = &thread {
            parts.push(super::Part {
                name: "message_thread_id",
                filename: None,
                content_type: None,
                data: super::PartData::Bytes(t.as_bytes()),
            });
        }
        let (ct, body) = super::multipart(&parts);
        let url = super::join_url(
            &self.api_url,
            &format!("bot{}/sendDocument", self.bot_token.expose()),
        );
        HttpRequest::new("POST", url)
            .header("Content-Type", ct)
            .body(body)
    }
}

impl super::Channel for Telegram {
    fn prepare(&self, msg: &Message) -> Result<Vec<Outgoing>, DeliveryError> {
        let chat = match &self.chat_id {
            ChatId::Num(n) => json!(n),
            ChatId::Name(s) => json!(s),
        };
        let mut body = json!({
            "chat_id": chat,
            "text": self.text(msg),
            "link_preview_options": {"is_disabled": true},
        });
        match self.parse_mode {
            ParseMode::Html => body["parse_mode"] = json!("HTML"),
            ParseMode::MarkdownV2 => body["parse_mode"] = json!("MarkdownV2"),
            ParseMode::Plain => {}
        }
        if let Some(t) = self.thread_id {
            body["message_thread_id"] = json!(t);
        }
        let url = super::join_url(
            &self.api_url,
            &format!("bot{}/sendMessage", self.bot_token.expose()),
        );
        let mut out = vec![Outgoing::Http(HttpRequest::post_json(url, &body))];
        for a in &msg.event.attachments {
            out.push(Outgoing::Http(self.document(a)));
        }
        Ok(out)
    }

    fn carries_attachments(&self) -> bool {
        true
    }

    fn max_attachment_size(&self) -> u64 {
        MAX_DOCUMENT
    }

    fn check(&self, reply: &Reply) -> Result<(), DeliveryError> {
        let v: Option<Value> = serde_json::from_slice(&reply.body).ok();
        let ok = v.as_ref().and_then(|v| v["ok"].as_bool());
        if (200..300).contains(&reply.status) && ok != Some(false) {
            return Ok(());
        }
        let described = v
            .as_ref()
            .and_then(|v| v["description"].as_str().map(str::to_string))
            .unwrap_or_else(|| reply.snippet());
        let mut err = super::check_with_body_wait(reply, "/parameters/retry_after")
            .err()
            .unwrap_or_else(|| DeliveryError::new("").status(reply.status));
        err.message = format!("Telegram {}: {described}", reply.status);
        Err(err)
    }

    fn validate(&self) -> Result<(), Invalid> {
        check_url("api_url", &self.api_url)?;
        if let ChatId::Name(n) = &self.chat_id {
            if !n.starts_with('@') && n.parse::<i64>().is_err() {
                return Err(Invalid::key(
                    "chat_id",
                    format!("chat_id \"{n}\" is neither a number nor an @channel name"),
                )
                .hint("use the numeric id (e.g. -1001234567890) or \"@channelname\""));
            }
        }
        if self.bot_token.expose().trim().is_empty() || self.bot_token.expose().contains('/') {
            return Err(Invalid::key("bot_token", "bot_token looks wrong")
                .hint("paste the token BotFather gave you, e.g. 123456:ABC-DEF..."));
        }
        Ok(())
    }
}

#[cfg(test)]
mod prepare_table {
    use super::super::testkit::{channel, event, http, json, prepare};

    #[test]
    fn send_message_with_the_parse_mode_and_thread() {
        for (keys, mode, thread) in [
            ("{bot_token: '1:abc', chat_id: -100, api_url: 'http://tg'}", "HTML", None),
            ("{bot_token: '1:abc', chat_id: -100, api_url: 'http://tg', parse_mode: MarkdownV2, thread_id: 7}", "MarkdownV2", Some(7)),
        ] {
            let out = prepare(&*channel("telegram", keys), &event("backup_failure", None));
            let h = http(&out)[0];
            assert_eq!(h.url, "http://tg/bot1:abc/sendMessage", "{keys}");
            let body = json(h);
            assert_eq!(body["parse_mode"], mode, "{keys}");
            assert_eq!(body["chat_id"], -100, "{keys}");
            assert_eq!(body.get("message_thread_id").and_then(|v| v.as_i64()), thread, "{keys}");
        }
    }
}
