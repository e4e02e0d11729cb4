//! `healthchecks`: pings a healthchecks.io (or self-hosted) check: start → `/start`,
//! success → the URL, failure → `/fail`, info → `/log`; the body is the message/error and
//! `rid` pairs a start with its end when the event id is a UUID.

use serde::Deserialize;

use super::ntfy::cut_bytes;
use super::{check_url, ChannelType, DeliveryError, HttpRequest, Invalid, Message, Outgoing};
use crate::event::Status;

/// Registry row.
pub const TYPE: ChannelType = ChannelType {
    name: "healthchecks",
    http: true,
    keys: &["url"],
    build: super::build::<Healthchecks>,
};

/// Bytes of body hosted healthchecks keeps.
pub const MAX_BODY: usize = 100_000;

/// A check's ping URL.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Healthchecks {
    url: String,
}

impl super::Channel for Healthchecks {
    fn prepare(&self, msg: &Message) -> Result<Vec<Outgoing>, DeliveryError> {
        let ev = msg.event;
        let (base, query) = match self.url.split_once('?') {
            Some((b, q)) => (b, Some(q)),
            None => (self.url.as_str(), None),
        };
        let suffix = match ev.status {
            Status::Start => "start",
            Status::Success => "",
            Status::Failure => "fail",
            Status::Info => "log",
        };
        let mut url = super::join_url(base, suffix);
        let mut params: Vec<String> = query.into_iter().map(str::to_string).collect();
        if let Ok(id) = uuid::Uuid::parse_str(&ev.id) {
            params.push(format!("rid={}", id.hyphenated()));
        }
        if !params.is_empty() {
            url = format!("{url}?{}", params.join("&"));
        }
        let text: Vec<&str> = [ev.message.as_deref(), ev.error.as_deref()]
            .into_iter()
            .flatten()
            .collect();
        let text = if text.is_empty() {
            msg.body.clone()
        } else {
            text.join("\n")
        };
        let req = HttpRequest::new("POST", url)
            .header("Content-Type", "text/plain; charset=utf-8")
            .body(cut_bytes(&text, MAX_BODY).into_bytes());
        Ok(vec![Outgoing::Http(req)])
    }

    fn secrets(&self) -> Vec<String> {
        super::url_path(&self.url)
            .split('/')
            .filter(|s| s.len() >= 16)
            .map(str::to_string)
            .collect()
    }

    fn validate(&self) -> Result<(), Invalid> {
        check_url("url", &self.url)
    }
}
