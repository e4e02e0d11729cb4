//! `telegram`: Bot API `sendMessage`, text escaped for the chosen parse mode and cut to
//! Telegram's 4096 characters without splitting an escape.

use serde::Deserialize;
use serde_json::{json, Value};

use super::{
    check_url, ChannelType, DeliveryError, HttpRequest, Invalid, Message, Outgoing, Reply,
};
use crate::render::{escape, truncate};

/// Registry row.
pub const TYPE: ChannelType = ChannelType {
    name: "telegram",
    http: true,
    keys: &["bot_token", "chat_id", "thread_id", "parse_mode", "api_url"],
    build: super::build::<Telegram>,
};

/// Telegram's limit on a message's text.
pub const MAX_TEXT: usize = 4096;

/// A Telegram bot posting to one chat.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Telegram {
    bot_token: String,
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
    /// Title in bold, then the body, escaped for the parse mode, within 4096 characters.
    fn text(&self, msg: &Message) -> String {
        let (title, body) = (msg.title.as_str(), msg.body.as_str());
        let render = |body: &str| match self.parse_mode {
            ParseMode::Html => format!(
                "<b>{}</b>\n\n{}",
                escape::telegram_html(title),
                escape::telegram_html(body)
            ),
            ParseMode::MarkdownV2 => format!(
                "*{}*\n\n{}",
                escape::telegram_markdown_v2(title),
                escape::telegram_markdown_v2(body)
            ),
            ParseMode::Plain => format!("{title}\n\n{body}"),
        };
        let full = render(body);
        if full.chars().count() <= MAX_TEXT {
            return full;
        }
        // Cut the plain body, then escape; shrink until the escaped text fits.
        let mut keep = MAX_TEXT.saturating_sub(title.chars().count() * 2 + 16);
        loop {
            let t = render(&truncate(body, keep));
            if t.chars().count() <= MAX_TEXT || keep == 0 {
                return t;
            }
            keep = keep.saturating_sub((t.chars().count() - MAX_TEXT).max(16));
        }
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
        let url = super::join_url(&self.api_url, &format!("bot{}/sendMessage", self.bot_token));
        Ok(vec![Outgoing::Http(HttpRequest::post_json(url, &body))])
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

    fn secrets(&self) -> Vec<String> {
        vec![self.bot_token.clone()]
    }

    fn validate(&self) -> Result<(), Invalid> {
        check_url("api_url", &self.api_url)?;
        if self.bot_token.trim().is_empty() || self.bot_token.contains('/') {
            return Err(Invalid::key("bot_token", "bot_token looks wrong")
                .hint("paste the token BotFather gave you, e.g. 123456:ABC-DEF..."));
        }
        Ok(())
    }
}
