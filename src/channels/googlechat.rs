//! `googlechat`: a space's incoming webhook (Google Chat docs, "Send messages to Google
//! Chat with incoming webhooks" and "Format messages",
//! <https://developers.google.com/workspace/chat/format-messages>): `POST` on the webhook
//! URL with its `key`/`token` query kept verbatim, JSON `text` in Chat's own markup: the
//! title in `*bold*` (plain when it holds a `*` itself), `&`, `<`, `>` as entities so no
//! `<users/all>` mention or `<url|link>` gets through. Chat allows 4,096 characters of
//! text and 32,000 bytes a request.

use serde::Deserialize;
use serde_json::json;

use super::{
    check_url, ChannelType, DeliveryError, HttpRequest, Invalid, Message, Outgoing, Reply,
};
use crate::render::{cut, escape, Unit};

/// Registry row.
pub(crate) const TYPE: ChannelType = ChannelType {
    name: "googlechat",
    http: true,
    keys: super::fields_of::<GoogleChat>,
    build: super::build::<GoogleChat>,
};

/// Google Chat's limit on a message's text, in characters.
pub(crate) const MAX_TEXT: usize = 4_096;
/// Google Chat's limit on a request, in bytes (4,096 characters are at most 16,384).
pub(crate) const MAX_REQUEST: usize = 32_000;
/// Room the title line may take.
pub(crate) const MAX_TITLE: usize = 500;

/// A Google Chat space webhook.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct GoogleChat {
    url: String,
}

/// The message text: the title line, then the body, escaped, within [`MAX_TEXT`].
pub(crate) fn text(msg: &Message) -> String {
    let title = cut(&msg.title, MAX_TITLE, Unit::Chars, escape::entities);
    let head = if title.contains('*') || title.trim().is_empty() {
        title
    } else {
        format!("*{title}*")
    };
    if msg.body.trim().is_empty() {
        return head;
    }
    let rest = MAX_TEXT - Unit::Chars.len(&head) - 1;
    format!(
        "{head}\n{}",
        cut(&msg.body, rest, Unit::Chars, escape::entities)
    )
}

impl super::Channel for GoogleChat {
    fn prepare(&self, msg: &Message) -> Result<Vec<Outgoing>, DeliveryError> {
        let bytes = serde_json::to_vec(&json!({"text": text(msg)})).unwrap_or_default();
        let req = HttpRequest::new("POST", self.url.clone())
            .header("Content-Type", "application/json; charset=UTF-8")
            .body(bytes);
        if req.body.len() > MAX_REQUEST as u64 {
            return Err(DeliveryError::new(format!(
                "the Google Chat request is {} bytes, over {MAX_REQUEST}",
                req.body.len()
            )));
        }
        Ok(vec![Outgoing::Http(req)])
    }

    fn check(&self, reply: &Reply) -> Result<(), DeliveryError> {
        reply.default_check().map_err(|mut e| {
            let v: Option<serde_json::Value> = serde_json::from_slice(&reply.body).ok();
            if let Some(m) = v
                .as_ref()
                .and_then(|v| v.pointer("/error/message"))
                .and_then(serde_json::Value::as_str)
            {
                e.message = format!("Google Chat {}: {m}", reply.status);
            }
            e
        })
    }

    fn secrets(&self) -> Vec<String> {
        let query = self.url.split_once('?').map_or("", |(_, q)| q);
        query
            .split('&')
            .filter_map(|kv| kv.split_once('='))
            .filter(|(k, v)| (*k == "key" || *k == "token") && !v.is_empty())
            .map(|(_, v)| v.to_string())
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
    fn text_with_a_bold_title_and_the_query_kept() {
        let ch = channel(
            "googlechat",
            "{url: 'https://chat.googleapis.com/v1/spaces/AbC/messages?key=k&token=t'}",
        );
        for ev in ["backup_failure", "backup_success"] {
            let out = prepare(&*ch, &event(ev, None));
            let h = http(&out)[0];
            assert!(
                h.url.ends_with("/spaces/AbC/messages?key=k&token=t"),
                "{ev}: {}",
                h.url
            );
            let text = json(h)["text"].as_str().unwrap().to_string();
            assert!(text.starts_with("*T*"), "{ev}: {text}");
        }
    }
}
