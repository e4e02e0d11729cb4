//! `gotify`: `POST {url}/message` with the application token in `X-Gotify-Key`, priority by
//! status (failure 8, success 5, start 2, info 4) unless `priority` is set.

use crate::redact::Secret;
use serde::Deserialize;
use serde_json::json;

use super::{
    by_status, check_url, ChannelType, DeliveryError, HttpRequest, Invalid, Message, Outgoing,
    Reply,
};

/// Registry row.
pub(crate) const TYPE: ChannelType = ChannelType {
    name: "gotify",
    http: true,
    keys: super::fields_of::<Gotify>,
    build: super::build::<Gotify>,
};

/// Default priorities: start, success, failure, info.
pub(crate) const PRIORITIES: [u8; 4] = [2, 5, 8, 4];

/// A Gotify server and application token.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct Gotify {
    url: String,
    token: Secret,
    priority: Option<u8>,
}

impl super::Channel for Gotify {
    fn prepare(&self, msg: &Message) -> Result<Vec<Outgoing>, DeliveryError> {
        let message = if msg.body.trim().is_empty() {
            msg.title.clone()
        } else {
            msg.body.clone()
        };
        let body = json!({
            "title": msg.title,
            "message": message,
            "priority": self.priority.unwrap_or_else(|| by_status(msg.event.status, PRIORITIES)),
        });
        let req = HttpRequest::post_json(super::join_url(&self.url, "message"), &body)
            .header("X-Gotify-Key", self.token.expose());
        Ok(vec![Outgoing::Http(req)])
    }

    fn check(&self, reply: &Reply) -> Result<(), DeliveryError> {
        reply.default_check().map_err(|mut e| {
            if let Some(d) = super::json_field(reply, "errorDescription") {
                e.message = format!("Gotify {}: {d}", reply.status);
            }
            e
        })
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

    const BASE: &str = "{url: 'http://g/gotify/', token: tok-1";

    /// Rows: extra keys, event, the URL, the `priority` sent.
    #[test]
    fn url_token_and_priority_by_status_unless_set() {
        for (extra, ev, url, want) in [
            ("", "backup_start", "http://g/gotify/message", 2),
            ("", "backup_success", "http://g/gotify/message", 5),
            ("", "backup_failure", "http://g/gotify/message", 8),
            ("", "user_login", "http://g/gotify/message", 4),
            ("", "test", "http://g/gotify/message", 4),
            (
                ", priority: 10",
                "backup_success",
                "http://g/gotify/message",
                10,
            ),
            (
                ", priority: 0",
                "backup_failure",
                "http://g/gotify/message",
                0,
            ),
        ] {
            let keys = format!("{BASE}{extra}}}");
            let out = prepare(&*channel("gotify", &keys), &event(ev, None));
            let reqs = http(&out);
            assert_eq!(reqs.len(), 1, "{keys} {ev}");
            let h = reqs[0];
            assert_eq!(
                (h.method.as_str(), h.url.as_str()),
                ("POST", url),
                "{keys} {ev}"
            );
            assert!(!h.url.contains("tok-1"), "the token stays out of the URL");
            let header = |name: &str| {
                h.headers
                    .iter()
                    .find(|(k, _)| k == name)
                    .map(|(_, v)| v.as_str())
            };
            assert_eq!(header("X-Gotify-Key"), Some("tok-1"), "{keys} {ev}");
            assert_eq!(header("Content-Type"), Some("application/json"));
            let body = json(h);
            assert_eq!(body["priority"], want, "{keys} {ev}");
            assert!(
                body["priority"].is_u64(),
                "an integer, as Gotify's model wants"
            );
            assert_eq!(
                (body["title"].as_str(), body["message"].as_str()),
                (Some("T"), Some("B"))
            );
        }
    }

    /// Gotify refuses an empty `message` (400 "Field 'message' is required"): an empty
    /// body sends the title as the message; hostile text goes as written, uncut.
    #[test]
    fn message_never_empty_and_text_as_written() {
        let ch = channel("gotify", "{url: 'http://g', token: t}");
        let ev = event("backup_failure", None);
        for (title, body, message) in [("T", "", "T"), ("T", " \n ", "T")] {
            let sent = json(http(&prepare_texts_ok(&*ch, &ev, title, body))[0]);
            assert_eq!(sent["message"], message, "{body:?}");
        }
        let long = hostile_log_body();
        let sent = json(http(&prepare_texts_ok(&*ch, &ev, HOSTILE_TITLE, &long))[0]);
        assert_eq!(sent["title"], HOSTILE_TITLE);
        assert_eq!(sent["message"], long.as_str(), "Gotify has no length limit");
    }

    /// Replies: 200 with the stored message is delivered; Gotify's error envelope names
    /// what to fix; 5xx is retried.
    #[test]
    fn replies() {
        let ch = channel("gotify", "{url: 'http://g', token: t}");
        let reply = |status: u16, body: &str| {
            reply_of(status, &[("Content-Type", "application/json")], body)
        };
        let ok = r#"{"id":25,"appid":5,"message":"B","title":"T","priority":8,"date":"2026-11-30T22:00:00Z"}"#;
        assert!(ch.check(&reply(200, ok)).is_ok());
        for (status, body, says, retry) in [
            (
                401,
                r#"{"error":"Unauthorized","errorCode":401,"errorDescription":"you need to provide a valid access token or user credentials to access this api"}"#,
                "Gotify 401: you need to provide a valid access token",
                false,
            ),
            (
                400,
                r#"{"error":"Bad Request","errorCode":400,"errorDescription":"Field 'message' is required"}"#,
                "Gotify 400: Field 'message' is required",
                false,
            ),
            (
                403,
                r#"{"error":"Forbidden","errorCode":403,"errorDescription":"you are not allowed to access this api"}"#,
                "Gotify 403: you are not allowed",
                false,
            ),
            (502, "Bad Gateway", "HTTP 502: Bad Gateway", true),
        ] {
            let e = ch.check(&reply(status, body)).unwrap_err();
            assert!(e.message.starts_with(says), "{status}: {}", e.message);
            assert_eq!((e.status, e.retryable), (Some(status), retry), "{status}");
        }
    }
}
