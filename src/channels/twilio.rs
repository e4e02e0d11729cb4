//! `twilio`: one SMS per recipient through the Messages API (form-encoded, HTTP Basic
//! with the Account SID and auth token), the text cut to Twilio's 1600 characters.

use serde::Deserialize;

use super::{
    check_url, ChannelType, DeliveryError, HttpRequest, Invalid, Message, Outgoing, Reply,
};
use crate::render::truncate;

/// Registry row.
pub const TYPE: ChannelType = ChannelType {
    name: "twilio",
    http: true,
    keys: &["account_sid", "auth_token", "from", "to", "api_url"],
    build: super::build::<Twilio>,
};

/// Twilio's limit on a message body.
pub const MAX_BODY: usize = 1600;

/// A Twilio account sending from one number to a list.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Twilio {
    account_sid: String,
    auth_token: String,
    from: String,
    to: Vec<String>,
    #[serde(default = "default_api")]
    api_url: String,
}

fn default_api() -> String {
    "https://api.twilio.com".into()
}

impl super::Channel for Twilio {
    fn prepare(&self, msg: &Message) -> Result<Vec<Outgoing>, DeliveryError> {
        let text = truncate(&format!("{}\n{}", msg.title, msg.body), MAX_BODY);
        let url = super::join_url(
            &self.api_url,
            &format!("2010-04-01/Accounts/{}/Messages.json", self.account_sid),
        );
        let auth = super::basic_auth(&self.account_sid, &self.auth_token);
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
        let basic = super::basic_auth(&self.account_sid, &self.auth_token);
        vec![
            self.auth_token.clone(),
            basic.trim_start_matches("Basic ").to_string(),
        ]
    }

    fn validate(&self) -> Result<(), Invalid> {
        check_url("api_url", &self.api_url)?;
        if self.to.is_empty() {
            return Err(Invalid::key("to", "\"to\" lists no phone number")
                .hint("e.g. to: [\"+15551234567\"]"));
        }
        Ok(())
    }
}
