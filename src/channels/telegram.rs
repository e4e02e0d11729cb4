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
    use std::time::Duration;

    use crate::attach::Attachment;
    use crate::channels::testkit::{
        channel, event, hostile_body, http, json, prepare, prepare_texts_ok, reply_of,
        HOSTILE_TITLE,
    };
    use crate::render::Unit;
    use serde_json::{json, Value};

    const TOKEN: &str = "123456:AAH-x_yZ";

    /// Rows: extra keys, event, URL, `chat_id`, `parse_mode`, `message_thread_id`, text.
    #[test]
    fn send_message_with_chat_mode_and_thread() {
        let api = "https://api.telegram.org/bot123456:AAH-x_yZ/sendMessage";
        for (extra, ev, url, chat, mode, thread, text) in [
            ("chat_id: -1001234567890", "backup_start", api, json!(-1001234567890_i64), Some("HTML"), None, "<b>T</b>\n\nB"),
            ("chat_id: 42, parse_mode: HTML", "backup_success", api, json!(42), Some("HTML"), None, "<b>T</b>\n\nB"),
            (
                "chat_id: '@backups', parse_mode: MarkdownV2, thread_id: 7, api_url: 'http://tg:8081/'",
                "backup_failure",
                "http://tg:8081/bot123456:AAH-x_yZ/sendMessage",
                json!("@backups"),
                Some("MarkdownV2"),
                Some(7),
                "*T*\n\nB",
            ),
            ("chat_id: 42, parse_mode: none", "user_login", api, json!(42), None, None, "T\n\nB"),
        ] {
            let keys = format!("{{bot_token: '{TOKEN}', {extra}}}");
            let out = prepare(&*channel("telegram", &keys), &event(ev, None));
            let reqs = http(&out);
            assert_eq!(reqs.len(), 1, "{keys}");
            let h = reqs[0];
            assert_eq!((h.method.as_str(), h.url.as_str()), ("POST", url), "{keys}");
            let b = json(h);
            assert_eq!(b["chat_id"], chat, "{keys}");
            assert_eq!(b.get("parse_mode").and_then(Value::as_str), mode, "{keys}");
            assert_eq!(b.get("message_thread_id").and_then(Value::as_i64), thread, "{keys}");
            assert_eq!(b["text"], text, "{keys}");
            assert_eq!(b["link_preview_options"], json!({"is_disabled": true}));
        }
    }

    /// A file follows the text as `sendDocument`, to the same chat and thread.
    #[test]
    fn files_follow_as_documents() {
        let keys =
            format!("{{bot_token: '{TOKEN}', chat_id: -100, thread_id: 9, api_url: 'http://tg'}}");
        let mut ev = event("backup_failure", None);
        ev.attachments = vec![Attachment::new("run.log".into(), b"FATAL".to_vec())];
        let out = prepare(&*channel("telegram", &keys), &ev);
        let reqs = http(&out);
        assert_eq!(reqs.len(), 2);
        assert_eq!(reqs[1].url, format!("http://tg/bot{TOKEN}/sendDocument"));
        let body = String::from_utf8(reqs[1].body.to_vec()).unwrap();
        for part in [
            "name=\"chat_id\"\r\n\r\n-100\r\n",
            "name=\"message_thread_id\"\r\n\r\n9\r\n",
            "name=\"document\"; filename=\"run.log\"\r\nContent-Type: text/plain\r\n\r\nFATAL\r\n",
            "name=\"caption\"",
        ] {
            assert!(body.contains(part), "{part} in {body}");
        }
    }

    /// Each parse mode escapes for itself and keeps the text within 4096 UTF-16 units,
    /// the log's start and end kept.
    #[test]
    fn hostile_text_escaped_and_within_4096() {
        let url = "https://backup-host.example.com/logs/run_2026-11-30.log?a=1&b=2";
        let url_v2 =
            "https://backup\\-host\\.example\\.com/logs/run\\_2026\\-11\\-30\\.log?a\\=1&b\\=2";
        for (mode, head, end) in [
            (
                "HTML",
                format!("<b>Sauvegarde échouée ✗ &lt;b&gt;&amp;\"'*_~| {} 🔥</b>\n\nSTART-OF-LOG\n", url.replace('&', "&amp;")),
                "FATAL-END",
            ),
            (
                "MarkdownV2",
                format!("*Sauvegarde échouée ✗ <b\\>&\"'\\*\\_\\~\\| {url_v2} 🔥*\n\nSTART\\-OF\\-LOG\n"),
                "FATAL\\-END",
            ),
            ("none", format!("{HOSTILE_TITLE}\n\nSTART-OF-LOG\n"), "FATAL-END"),
        ] {
            let keys = format!("{{bot_token: '{TOKEN}', chat_id: 1, parse_mode: {mode}}}");
            let ch = channel("telegram", &keys);
            let out = prepare_texts_ok(&*ch, &event("backup_failure", Some(1)), HOSTILE_TITLE, &hostile_body());
            let text = json(http(&out)[0])["text"].as_str().unwrap().to_string();
            let n = Unit::Utf16.len(&text);
            assert!((2_048..=4_096).contains(&n), "{mode}: {n}");
            assert!(text.starts_with(&head), "{mode}: {text:.300}");
            assert!(text.ends_with(end), "{mode}: the end of the log is kept");
            assert!(text.contains("characters cut"), "{mode}: the cut is marked");
        }
    }

    /// Rows: status, body, delivered, retryable, wait (s), words of the error.
    #[test]
    fn replies() {
        let ch = channel("telegram", &format!("{{bot_token: '{TOKEN}', chat_id: 1}}"));
        let err = |code: u16, d: &str| {
            format!(r#"{{"ok": false, "error_code": {code}, "description": "{d}"}}"#)
        };
        for (status, body, ok, retry, wait, words) in [
            (200, r#"{"ok": true, "result": {"message_id": 1}}"#.to_string(), true, false, None, String::new()),
            (200, err(400, "odd"), false, false, None, "Telegram 200: odd".into()),
            (400, err(400, "Bad Request: chat not found"), false, false, None, "Telegram 400: Bad Request: chat not found".into()),
            (401, err(401, "Unauthorized"), false, false, None, "Telegram 401: Unauthorized".into()),
            (403, err(403, "Forbidden: bot was blocked by the user"), false, false, None, "bot was blocked by the user".into()),
            (
                429,
                r#"{"ok": false, "error_code": 429, "description": "Too Many Requests: retry after 3", "parameters": {"retry_after": 3}}"#.to_string(),
                false,
                true,
                Some(3),
                "Telegram 429: Too Many Requests: retry after 3".into(),
            ),
            (502, "Bad Gateway".to_string(), false, true, None, "Telegram 502: Bad Gateway".into()),
        ] {
            let got = ch.check(&reply_of(status, &[], &body));
            assert_eq!(got.is_ok(), ok, "{status} {body}");
            if let Err(e) = got {
                assert_eq!(e.retryable, retry, "{status}");
                assert_eq!(e.retry_after, wait.map(Duration::from_secs), "{status}");
                assert!(e.message.contains(&words), "{status}: {}", e.message);
            }
        }
    }
}
