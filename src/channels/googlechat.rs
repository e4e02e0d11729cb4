//! `googlechat`: a space's incoming webhook (Google Chat docs, "Send messages to Google
//! Chat with incoming webhooks" and "Format messages",
//! <https://developers.google.com/workspace/chat/format-messages>): `POST` on the webhook
//! URL with its `key`/`token` query kept verbatim, JSON `text` in Chat's own markup: the
//! title in `*bold*` (plain when it holds a `*` itself). Chat's text markup is not HTML
//! (entities show as typed, `&amp;` and all), so `&` and `>` go as written and each `<`
//! is followed by a zero-width space: no `<users/all>` mention or `<url|link>` forms
//! from user text, and the text reads as written. Chat allows 4,096 characters of text
//! and 32,000 bytes a request.

use serde::Deserialize;
use serde_json::json;

use super::{
    check_url, ChannelType, DeliveryError, HttpRequest, Invalid, Message, Outgoing, Reply,
};
use crate::render::{cut, Unit};

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

/// User text for Chat's markup: a zero-width space after each `<`, so no `<users/…>`
/// mention or `<url|label>` link forms; everything else as written.
pub(crate) fn neutralise(text: &str) -> String {
    text.replace('<', "<\u{200B}")
}

/// The message text: the title line, then the body, escaped, within [`MAX_TEXT`]. Counted
/// in UTF-16 units, the larger count: an emoji is one character but two units, and
/// Google does not say which it counts.
pub(crate) fn text(msg: &Message) -> String {
    let title = cut(&msg.title, MAX_TITLE, Unit::Utf16, neutralise);
    let head = if title.contains('*') || title.trim().is_empty() {
        title
    } else {
        format!("*{title}*")
    };
    if msg.body.trim().is_empty() {
        return head;
    }
    let rest = MAX_TEXT - Unit::Utf16.len(&head) - 1;
    format!("{head}\n{}", cut(&msg.body, rest, Unit::Utf16, neutralise))
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
    use crate::channels::testkit::{
        channel, event, hostile_body, http, json, prepare, prepare_texts_ok, reply_of,
        HOSTILE_TITLE,
    };
    use crate::render::Unit;

    const URL: &str =
        "https://chat.googleapis.com/v1/spaces/AbC-d_E/messages?key=k-1_x&token=t%3Dz";

    /// Every status sends one message: `*title*`, a line break, the body; the webhook's
    /// `key`/`token` query goes as written.
    #[test]
    fn one_message_for_every_status_with_the_query_kept() {
        let ch = channel("googlechat", &format!("{{url: '{URL}'}}"));
        for ev in [
            "backup_start",
            "backup_success",
            "backup_failure",
            "user_login",
            "test",
        ] {
            let out = prepare(&*ch, &event(ev, None));
            let reqs = http(&out);
            assert_eq!(reqs.len(), 1, "{ev}");
            let h = reqs[0];
            assert_eq!((h.method.as_str(), h.url.as_str()), ("POST", URL), "{ev}");
            let ct = h.headers.iter().find(|(k, _)| k == "Content-Type");
            assert_eq!(
                ct.map(|(_, v)| v.as_str()),
                Some("application/json; charset=UTF-8")
            );
            assert_eq!(json(h), serde_json::json!({"text": "*T*\nB"}), "{ev}");
        }
    }

    /// Rows: title, body, text. A title with `*` is not made bold; a zero-width space
    /// after `<` keeps `<users/all>` from pinging everyone and `<url|label>` from
    /// hiding a link; `&` and `>` go as written (Chat shows entities as typed).
    #[test]
    fn markup_and_mentions_are_neutralised() {
        let ch = channel("googlechat", &format!("{{url: '{URL}'}}"));
        for (title, body, text) in [
            ("db *down*", "x", "db *down*\nx"),
            (
                "<users/all> & co",
                "see <https://e.x|here> a=1&b=2 -> ok",
                "*<\u{200B}users/all> & co*\nsee <\u{200B}https://e.x|here> a=1&b=2 -> ok",
            ),
            (
                "Discard rate > 1000 & rising",
                "",
                "*Discard rate > 1000 & rising*",
            ),
            ("Only title", "  ", "*Only title*"),
        ] {
            let out = prepare_texts_ok(&*ch, &event("backup_failure", None), title, body);
            assert_eq!(json(http(&out)[0])["text"], text, "{title}");
        }
    }

    /// Chat's limits: 4,096 characters of text, 32,000 bytes a request.
    #[test]
    fn hostile_text_within_the_limits() {
        let ch = channel("googlechat", &format!("{{url: '{URL}'}}"));
        let out = prepare_texts_ok(
            &*ch,
            &event("backup_failure", Some(1)),
            HOSTILE_TITLE,
            &hostile_body(),
        );
        let h = http(&out)[0];
        assert!(h.body.len() <= 32_000, "{} bytes", h.body.len());
        let text = json(h)["text"].as_str().unwrap().to_string();
        let n = Unit::Utf16.len(&text);
        assert!((3_500..=4_096).contains(&n), "{n} UTF-16 units");
        let emoji = "🔥".repeat(3_000);
        let out = prepare_texts_ok(&*ch, &event("backup_failure", None), "T", &emoji);
        let all = json(http(&out)[0])["text"].as_str().unwrap().to_string();
        assert!(
            Unit::Utf16.len(&all) <= 4_096,
            "emoji count twice: {}",
            all.len()
        );
        let url = "https://backup-host.example.com/logs/run_2026-11-30.log?a=1&b=2";
        let head = format!("Sauvegarde échouée ✗ <\u{200B}b>&\"'*_~| {url} 🔥\n");
        assert!(
            text.starts_with(&head),
            "a title holding * is not bolded: {text:.80}"
        );
        assert!(text.contains("\nSTART-OF-LOG\n"));
        assert!(
            !text.contains("&amp;") && !text.contains("&lt;"),
            "no entities"
        );
        assert!(
            text.contains(" https://h.example/run_1-2.log\n"),
            "URLs as written"
        );
        assert!(text.ends_with("FATAL-END"), "the end of the log is kept");
        assert!(text.contains("characters cut"), "the cut is marked");
    }

    /// Rows: status, body, delivered, retryable, words of the error.
    #[test]
    fn replies() {
        let ch = channel("googlechat", &format!("{{url: '{URL}'}}"));
        let error = |code: u16, message: &str, status: &str| {
            format!(
                r#"{{"error": {{"code": {code}, "message": "{message}", "status": "{status}"}}}}"#
            )
        };
        for (status, body, ok, retry, words) in [
            (
                200,
                r#"{"name": "spaces/AbC/messages/1", "text": "x"}"#.to_string(),
                true,
                false,
                "",
            ),
            (
                400,
                error(400, "Invalid JSON payload received.", "INVALID_ARGUMENT"),
                false,
                false,
                "Google Chat 400: Invalid JSON payload received.",
            ),
            (
                403,
                error(
                    403,
                    "The caller does not have permission",
                    "PERMISSION_DENIED",
                ),
                false,
                false,
                "Google Chat 403: The caller does not have permission",
            ),
            (
                429,
                error(429, "Resource has been exhausted", "RESOURCE_EXHAUSTED"),
                false,
                true,
                "Google Chat 429: Resource has been exhausted",
            ),
            (
                404,
                "<html>Not Found</html>".to_string(),
                false,
                false,
                "HTTP 404",
            ),
        ] {
            let got = ch.check(&reply_of(status, &[], &body));
            assert_eq!(got.is_ok(), ok, "{status}");
            if let Err(e) = got {
                assert_eq!(e.retryable, retry, "{status}");
                assert!(e.message.contains(words), "{status}: {}", e.message);
            }
        }
    }
}
