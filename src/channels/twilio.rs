//! `twilio`: one SMS per recipient through the Messages API (form-encoded, HTTP Basic
//! with the Account SID and auth token). The text is the title and the first line of the
//! error (or of the message) unless a body template or `--body` is set, cut to
//! `max_length` (320 by default, at most Twilio's 1600), keeping start and end.

use crate::redact::Secret;
use serde::Deserialize;

use super::{
    check_url, ChannelType, DeliveryError, HttpRequest, Invalid, Message, Outgoing, Reply,
};
use crate::render::cut::plain;
use crate::render::{cut, default_body, Unit};

/// Registry row.
pub(crate) const TYPE: ChannelType = ChannelType {
    name: "twilio",
    http: true,
    keys: super::fields_of::<Twilio>,
    build: super::build::<Twilio>,
};

/// Twilio's limit on a message body.
pub(crate) const MAX_BODY: usize = 1600;
/// Default `max_length`: two or three SMS segments (one emoji makes a text UCS-2, 70
/// characters a segment, each billed per recipient).
pub(crate) const DEFAULT_LENGTH: usize = 320;

/// A Twilio account sending from one number to a list.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct Twilio {
    account_sid: String,
    auth_token: Secret,
    from: String,
    to: Vec<String>,
    #[serde(default = "default_api")]
    api_url: String,
    max_length: Option<usize>,
}

fn default_api() -> String {
    "https://api.twilio.com".into()
}

impl super::Channel for Twilio {
    fn independent_requests(&self) -> bool {
        true
    }

    fn prepare(&self, msg: &Message) -> Result<Vec<Outgoing>, DeliveryError> {
        let max = self.max_length.unwrap_or(DEFAULT_LENGTH).min(MAX_BODY);
        let text = cut(&sms_text(msg), max, Unit::Utf16, plain);
        let url = super::join_url(
            &self.api_url,
            &format!("2010-04-01/Accounts/{}/Messages.json", self.account_sid),
        );
        let auth = super::basic_auth(&self.account_sid, self.auth_token.expose());
        Ok(self
            .to
            .iter()
            .map(|to| {
                let form = super::form(&[("To", to), ("From", &self.from), ("Body", &text)]);
                Outgoing::Http(
                    HttpRequest::new("POST", url.clone())
                        .header("Content-Type", "application/x-www-form-urlencoded")
                        .header("Authorization", auth.clone())
                        .body(form.into_bytes()),
                )
            })
            .collect())
    }

    fn check(&self, reply: &Reply) -> Result<(), DeliveryError> {
        reply.default_check().map_err(|mut e| {
            if let (Some(code), Some(m)) = (
                super::json_field(reply, "code"),
                super::json_field(reply, "message"),
            ) {
                e.message = format!("Twilio {} (error {code}): {m}", reply.status);
            }
            e
        })
    }

    fn secrets(&self) -> Vec<String> {
        let basic = super::basic_auth(&self.account_sid, self.auth_token.expose());
        // A receiver may echo the Authorization header back: its base64 is secret too.
        vec![basic.trim_start_matches("Basic ").to_string()]
    }

    fn validate(&self) -> Result<(), Invalid> {
        check_url("api_url", &self.api_url)?;
        if let Some(n) = self.max_length {
            if !(1..=MAX_BODY).contains(&n) {
                return Err(Invalid::key(
                    "max_length",
                    format!("max_length {n} is not 1 to {MAX_BODY}"),
                )
                .hint("Twilio refuses a message over 1600 characters"));
            }
        }
        if self.to.is_empty() {
            return Err(Invalid::key("to", "\"to\" lists no phone number")
                .hint("e.g. to: [\"+15551234567\"]"));
        }
        Ok(())
    }
}

/// Title and the first line of the error (else of the message) when the body is the
/// default one; title and body when the user wrote the body.
fn sms_text(msg: &Message) -> String {
    let ev = msg.event;
    if !msg.body.starts_with(&default_body(ev)) {
        return format!("{}\n{}", msg.title, msg.body).trim().to_string();
    }
    let first_line = [ev.error.as_deref(), ev.message.as_deref()]
        .into_iter()
        .flatten()
        .find_map(|t| t.lines().map(str::trim).find(|l| !l.is_empty()));
    match first_line {
        Some(line) => format!("{}\n{line}", msg.title),
        None => msg.title.clone(),
    }
}

#[cfg(test)]
mod prepare_table {
    use super::super::testkit::{channel, event, http, prepare};

    #[test]
    fn one_form_request_per_recipient() {
        let ch = channel(
            "twilio",
            "{account_sid: AC1, auth_token: tok, from: '+1555', to: ['+1666', '+1777'], api_url: 'http://tw'}",
        );
        let out = prepare(&*ch, &event("backup_failure", None));
        let reqs = http(&out);
        assert_eq!(reqs.len(), 2);
        for (h, to) in reqs.iter().zip(["%2B1666", "%2B1777"]) {
            assert_eq!(h.url, "http://tw/2010-04-01/Accounts/AC1/Messages.json");
            let body = String::from_utf8(h.body.to_vec()).unwrap();
            assert!(body.contains(&format!("To={to}")), "{body}");
            assert!(body.contains("From=%2B1555"), "{body}");
            assert!(h
                .headers
                .iter()
                .any(|(k, v)| k == "Authorization" && v.starts_with("Basic ")));
        }
    }
}
