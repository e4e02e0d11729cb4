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
    use super::super::testkit::{channel, event, http, json, prepare};

    #[test]
    fn v2_send_with_number_and_recipients() {
        let ch = channel(
            "signal",
            "{url: 'http://sg', number: '+1555', recipients: ['+1666', 'group.x']}",
        );
        let out = prepare(&*ch, &event("backup_failure", None));
        let h = http(&out)[0];
        assert_eq!(h.url, "http://sg/v2/send");
        let body = json(h);
        assert_eq!(body["number"], "+1555");
        assert_eq!(body["recipients"], serde_json::json!(["+1666", "group.x"]));
        assert!(body["message"].as_str().unwrap().contains('T'));
    }
}
