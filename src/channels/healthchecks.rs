//! `healthchecks`: pings a healthchecks.io (or self-hosted) check: start → `/start`,
//! success → the URL, failure → `/<exit code>` when `bnotify run` set `fields.exit_code`
//! (as runitor does) else `/fail`, info → `/log`; the body is the message/error cut to
//! 10,000 bytes keeping start and end, and `rid` pairs a start with its end when the event
//! id is a UUID.

use serde::Deserialize;

use super::{check_url, ChannelType, DeliveryError, HttpRequest, Invalid, Message, Outgoing};
use crate::event::{Event, Status};
use crate::render::cut::plain;
use crate::render::{cut, Unit};

/// Registry row.
pub(crate) const TYPE: ChannelType = ChannelType {
    name: "healthchecks",
    http: true,
    keys: super::fields_of::<Healthchecks>,
    build: super::build::<Healthchecks>,
};

/// Bytes of body a self-hosted server keeps (`PING_BODY_LIMIT` default; hosted keeps
/// 100,000). The rest would be dropped silently, and the end holds the error.
pub(crate) const MAX_BODY: usize = 10_000;

/// A check's ping URL.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct Healthchecks {
    url: String,
}

impl super::Channel for Healthchecks {
    fn prepare(&self, msg: &Message) -> Result<Vec<Outgoing>, DeliveryError> {
        let ev = msg.event;
        let (base, query) = match self.url.split_once('?') {
            Some((b, q)) => (b, Some(q)),
            None => (self.url.as_str(), None),
        };
        let suffix = match (ev.status, exit_code(ev)) {
            (Status::Start, _) => "start".to_string(),
            (Status::Success, _) => String::new(),
            (Status::Failure, Some(code)) => code.to_string(),
            (Status::Failure, None) => "fail".to_string(),
            (Status::Info, _) => "log".to_string(),
        };
        let mut url = super::join_url(base, &suffix);
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
            .body(cut(&text, MAX_BODY, Unit::Bytes, plain).into_bytes());
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

/// The command's exit code (1–255) that `bnotify run` put in `fields.exit_code`.
fn exit_code(ev: &Event) -> Option<u8> {
    let v = ev.fields.get("exit_code")?;
    let code = v
        .as_u64()
        .or_else(|| v.as_str().and_then(|s| s.trim().parse().ok()))?;
    u8::try_from(code).ok().filter(|c| *c != 0)
}

#[cfg(test)]
mod tests {
    use super::super::testkit::{channel, event, http, prepare};

    #[test]
    fn path_by_status_and_exit_code() {
        let ch = channel("healthchecks", "{url: 'http://hc/ping/abc'}");
        for (ev, code, want) in [
            ("backup_start", None, "http://hc/ping/abc/start"),
            ("backup_success", None, "http://hc/ping/abc"),
            ("backup_failure", None, "http://hc/ping/abc/fail"),
            ("backup_failure", Some(3), "http://hc/ping/abc/3"),
        ] {
            let out = prepare(&*ch, &event(ev, code));
            let url = &http(&out)[0].url;
            assert!(url.starts_with(want), "{ev} {code:?}: {url}");
        }
    }
}
