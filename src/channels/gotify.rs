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
mod tests {
    use super::super::testkit::{channel, event, http, json, prepare};

    #[test]
    fn priority_by_status_unless_set() {
        for (keys, ev, want) in [
            ("{url: 'http://g', token: t}", "backup_failure", 8),
            ("{url: 'http://g', token: t}", "backup_success", 5),
            ("{url: 'http://g', token: t}", "backup_start", 2),
            ("{url: 'http://g', token: t}", "user_login", 4),
            (
                "{url: 'http://g', token: t, priority: 10}",
                "backup_success",
                10,
            ),
        ] {
            let out = prepare(&*channel("gotify", keys), &event(ev, None));
            let reqs = http(&out);
            assert_eq!(reqs[0].url, "http://g/message", "{keys} {ev}");
            assert_eq!(json(reqs[0])["priority"], want, "{keys} {ev}");
            assert!(reqs[0]
                .headers
                .iter()
                .any(|(k, v)| k == "X-Gotify-Key" && v == "t"));
        }
    }
}
