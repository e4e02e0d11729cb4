//! `signal`: signal-cli-rest-api (<https://github.com/bbernhard/signal-cli-rest-api>,
//! its Swagger `POST /v2/send`): JSON `message`, `number` (the registered sender),
//! `recipients` (numbers, usernames or group ids), `text_mode: normal` (plain text, so
//! `*` and `_` stay as written), and files as `base64_attachments` in the documented
//! `data:<type>;filename=<name>;base64,<data>` form. The API answers 201 with a timestamp.

use base64::Engine;
use serde::Deserialize;
use serde_json::json;

use super::{
    check_url, ChannelType, DeliveryError, HttpRequest, Invalid, Message, Outgoing, Reply,
};
use crate::render::cut::plain;
use crate::render::{cut, Unit};

/// Registry row.
pub(crate) const TYPE: ChannelType = ChannelType {
    name: "signal",
    http: true,
    keys: super::fields_of::<Signal>,
    build: super::build::<Signal>,
};

/// bnotify's cap on a Signal message, in characters (Signal sends long text as a
/// long-text attachment; this keeps a runaway body reasonable).
pub(crate) const MAX_TEXT: usize = 32_768;
/// Attachments above this are left out (signal-cli-rest-api's default upload cap is
/// far higher; Signal itself refuses files over 100 MiB).
pub(crate) const MAX_ATTACHMENT: u64 = 50 * 1024 * 1024;

/// A signal-cli-rest-api server, the registered number, and who gets the message.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct Signal {
    url: String,
    number: String,
    recipients: Vec<String>,
}

impl super::Channel for Signal {
    fn prepare(&self, msg: &Message) -> Result<Vec<Outgoing>, DeliveryError> {
        let text = if msg.body.trim().is_empty() {
            msg.title.clone()
        } else {
            format!("{}\n\n{}", msg.title, msg.body)
        };
        let mut body = json!({
            "message": cut(&text, MAX_TEXT, Unit::Chars, plain),
            "number": self.number,
            "recipients": self.recipients,
            "text_mode": "normal",
        });
        let files = &msg.event.attachments;
        if !files.is_empty() {
            body["base64_attachments"] = files
                .iter()
                .map(|a| {
                    let name = a.name.replace([';', ','], "_");
                    format!(
                        "data:{};filename={name};base64,{}",
                        a.content_type,
                        base64::engine::general_purpose::STANDARD.encode(a.bytes())
                    )
                })
                .collect();
        }
        let req = HttpRequest::post_json(super::join_url(&self.url, "v2/send"), &body);
        Ok(vec![Outgoing::Http(req)])
    }

    fn check(&self, reply: &Reply) -> Result<(), DeliveryError> {
        reply.default_check().map_err(|mut e| {
            if let Some(m) = super::json_field(reply, "error") {
                e.message = format!("signal-cli-rest-api {}: {m}", reply.status);
            }
            e
        })
    }

    fn secrets(&self) -> Vec<String> {
        Vec::new()
    }

    fn validate(&self) -> Result<(), Invalid> {
        check_url("url", &self.url)?;
        if self.recipients.is_empty() {
            return Err(Invalid::key("recipients", "recipients names no one")
                .hint("list phone numbers (+4912345), usernames or group ids"));
        }
        Ok(())
    }

    fn carries_attachments(&self) -> bool {
        true
    }

    fn max_attachment_size(&self) -> u64 {
        MAX_ATTACHMENT
    }
}

#[cfg(test)]
mod prepare_table {
    use crate::attach::Attachment;
    use crate::channels::testkit::{
        channel, event, hostile_body, http, json, prepare, prepare_texts_ok, reply_of,
        HOSTILE_TITLE,
    };
    use crate::render::Unit;
    use serde_json::json;

    const KEYS: &str =
        "{url: 'http://sg:8080/', number: '+15550001', recipients: ['+15550002', 'group.c2lnbmFs', 'u.42']}";

    /// Every status sends one `POST /v2/send` in plain text mode to every recipient.
    #[test]
    fn v2_send_for_every_status() {
        let ch = channel("signal", KEYS);
        for ev in [
            "backup_start",
            "backup_success",
            "backup_failure",
            "user_login",
        ] {
            let out = prepare(&*ch, &event(ev, None));
            let reqs = http(&out);
            assert_eq!(reqs.len(), 1, "{ev}");
            let h = reqs[0];
            assert_eq!(
                (h.method.as_str(), h.url.as_str()),
                ("POST", "http://sg:8080/v2/send")
            );
            let ct = h.headers.iter().find(|(k, _)| k == "Content-Type");
            assert_eq!(ct.map(|(_, v)| v.as_str()), Some("application/json"));
            assert_eq!(
                json(h),
                json!({
                    "message": "T\n\nB",
                    "number": "+15550001",
                    "recipients": ["+15550002", "group.c2lnbmFs", "u.42"],
                    "text_mode": "normal",
                }),
                "{ev}"
            );
        }
    }

    /// Files go as `data:` URIs named after the file (`;` and `,` would end the name);
    /// an empty body sends the title alone.
    #[test]
    fn attachments_and_an_empty_body() {
        let ch = channel(
            "signal",
            "{url: 'http://sg', number: '+1', recipients: ['+2']}",
        );
        let mut ev = event("test", None);
        ev.attachments = vec![Attachment::new("db;1,run.log".into(), b"hello".to_vec())];
        let out = prepare_texts_ok(&*ch, &ev, "Only *title*", "\n ");
        let b = json(http(&out)[0]);
        assert_eq!(b["message"], "Only *title*");
        assert_eq!(
            b["base64_attachments"],
            json!(["data:text/plain;filename=db_1_run.log;base64,aGVsbG8="])
        );
    }

    /// Text goes as written (plain mode); bnotify's cap is 32,768 characters and the cut
    /// keeps the end of the log.
    #[test]
    fn hostile_text_as_written_within_the_cap() {
        let ch = channel("signal", KEYS);
        let ev = event("backup_failure", Some(1));
        let body = hostile_body();
        let out = prepare_texts_ok(&*ch, &ev, HOSTILE_TITLE, &body);
        let b = json(http(&out)[0]);
        assert_eq!(b["message"], format!("{HOSTILE_TITLE}\n\n{body}"));
        let out = prepare_texts_ok(&*ch, &ev, HOSTILE_TITLE, &body.repeat(4));
        let m = json(http(&out)[0])["message"].as_str().unwrap().to_string();
        let n = Unit::Chars.len(&m);
        assert!((30_000..=32_768).contains(&n), "{n}");
        assert!(m.starts_with(HOSTILE_TITLE) && m.ends_with("FATAL-END"));
    }

    /// Rows: status, body, delivered, retryable, words of the error.
    #[test]
    fn replies() {
        let ch = channel("signal", KEYS);
        for (status, body, ok, retry, words) in [
            (201, r#"{"timestamp": "1764460300123"}"#, true, false, ""),
            (
                400,
                r#"{"error": "Invalid account (phone number), make sure you include the country code."}"#,
                false,
                false,
                "signal-cli-rest-api 400: Invalid account (phone number), make sure you include the country code.",
            ),
            (
                400,
                r#"{"error": "Failed to send message: Unregistered user"}"#,
                false,
                false,
                "Unregistered user",
            ),
            (
                500,
                r#"{"error": "Failed to send message: Rate limit exceeded"}"#,
                false,
                true,
                "signal-cli-rest-api 500: Failed to send message",
            ),
            (404, "404 page not found", false, false, "HTTP 404: 404 page not found"),
        ] {
            let got = ch.check(&reply_of(status, &[], body));
            assert_eq!(got.is_ok(), ok, "{status}");
            if let Err(e) = got {
                assert_eq!(e.retryable, retry, "{status}");
                assert!(e.message.contains(words), "{status}: {}", e.message);
            }
        }
    }
}
