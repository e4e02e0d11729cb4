//! `pushover`: `POST {api_url}/1/messages.json` (Pushover Message API,
//! <https://pushover.net/api>): `token`, `user`, `message` (at most 1,024 characters),
//! `title` (at most 250), `html=1` with the text escaped as HTML, `priority` by status
//! (failure 1, else 0) with `retry`/`expire` for emergency priority 2, and one image
//! `attachment` in a `multipart/form-data` body. Pushover answers 200 `{"status":1}`;
//! `status` other than 1 is a failure whatever the HTTP status.

use crate::redact::Secret;
use std::time::Duration;

use serde::Deserialize;

use super::{
    by_status, check_url, ChannelType, DeliveryError, HttpRequest, Invalid, Message, Outgoing,
    Part, Reply,
};
use crate::render::cut::plain;
use crate::render::{cut, escape, Unit};

/// Registry row.
pub(crate) const TYPE: ChannelType = ChannelType {
    name: "pushover",
    http: true,
    keys: super::fields_of::<Pushover>,
    build: super::build::<Pushover>,
};

/// Pushover's limit on `message`, in characters.
pub(crate) const MAX_MESSAGE: usize = 1024;
/// Pushover's limit on `title`, in characters.
pub(crate) const MAX_TITLE: usize = 250;
/// Pushover's limit on `url`, in characters.
pub(crate) const MAX_URL: usize = 512;
/// Pushover's limit on an attachment: 5 MiB.
pub(crate) const MAX_ATTACHMENT: u64 = 5 * 1024 * 1024;
/// Priorities by status: start, success, failure, info.
pub(crate) const PRIORITIES: [i8; 4] = [0, 0, 1, 0];
/// Default `retry` of priority 2: how often Pushover repeats the alert.
pub(crate) const RETRY: Duration = Duration::from_secs(60);
/// Pushover refuses a `retry` under 30 seconds.
pub(crate) const MIN_RETRY: Duration = Duration::from_secs(30);
/// Default `expire` of priority 2: how long Pushover keeps repeating it.
pub(crate) const EXPIRE: Duration = Duration::from_secs(3600);
/// Pushover refuses an `expire` over 3 hours.
pub(crate) const MAX_EXPIRE: Duration = Duration::from_secs(10_800);

/// A Pushover application token and the user or group key it notifies.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct Pushover {
    token: Secret,
    user: String,
    device: Option<String>,
    sound: Option<String>,
    priority: Option<i8>,
    #[serde(default, deserialize_with = "crate::units::opt_duration")]
    retry: Option<Duration>,
    #[serde(default, deserialize_with = "crate::units::opt_duration")]
    expire: Option<Duration>,
    click_url: Option<String>,
    #[serde(default = "yes")]
    html: bool,
    #[serde(default = "default_api")]
    api_url: String,
}

fn yes() -> bool {
    true
}

fn default_api() -> String {
    "https://api.pushover.net".into()
}

impl Pushover {
    /// The form fields, in order.
    fn fields(&self, msg: &Message, note: &str) -> Vec<(&'static str, String)> {
        let esc: fn(&str) -> String = if self.html { escape::entities } else { plain };
        let body = format!("{}{note}", msg.body);
        // `message` is required: an empty body sends the title.
        let text = if body.trim().is_empty() {
            &msg.title
        } else {
            &body
        };
        let mut f = vec![
            ("token", self.token.expose().to_string()),
            ("user", self.user.clone()),
            ("title", cut(&msg.title, MAX_TITLE, Unit::Chars, plain)),
            ("message", cut(text, MAX_MESSAGE, Unit::Chars, esc)),
        ];
        if self.html {
            f.push(("html", "1".into()));
        }
        let priority = self
            .priority
            .unwrap_or_else(|| by_status(msg.event.status, PRIORITIES));
        f.push(("priority", priority.to_string()));
        if priority == 2 {
            let retry = self.retry.unwrap_or(RETRY).as_secs();
            let expire = self.expire.unwrap_or(EXPIRE).as_secs();
            f.push(("retry", retry.to_string()));
            f.push(("expire", expire.to_string()));
        }
        for (k, v) in [("device", &self.device), ("sound", &self.sound)] {
            if let Some(v) = v {
                f.push((k, v.clone()));
            }
        }
        if let Some(u) = &self.click_url {
            f.push(("url", u.clone()));
        }
        if let Ok(t) = time::OffsetDateTime::parse(
            &msg.event.timestamp,
            &time::format_description::well_known::Rfc3339,
        ) {
            f.push(("timestamp", t.unix_timestamp().to_string()));
        }
        f
    }
}

impl super::Channel for Pushover {
    fn prepare(&self, msg: &Message) -> Result<Vec<Outgoing>, DeliveryError> {
        let url = super::join_url(&self.api_url, "1/messages.json");
        // Pushover takes one image; anything else is named in the message instead.
        let files = &msg.event.attachments;
        let image = files
            .iter()
            .find(|a| a.content_type.starts_with("image/") && a.cut_from.is_none());
        let others: Vec<String> = files
            .iter()
            .filter(|a| image.is_none_or(|i| !std::ptr::eq(*a, i)))
            .map(crate::attach::Attachment::describe)
            .collect();
        let note = if others.is_empty() {
            String::new()
        } else {
            format!(
                "\n\nNot attached (Pushover takes one image of at most 5 MiB): {}",
                others.join(", ")
            )
        };
        let fields = self.fields(msg, &note);
        let req = match image {
            None => {
                let pairs: Vec<(&str, &str)> =
                    fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
                HttpRequest::new("POST", url)
                    .header("Content-Type", "application/x-www-form-urlencoded")
                    .body(super::form(&pairs).into_bytes())
            }
            Some(a) => {
                let mut parts: Vec<Part> = fields
                    .iter()
                    .map(|(k, v)| Part {
                        name: k,
                        filename: None,
                        content_type: None,
                        data: super::PartData::Bytes(v.as_bytes()),
                    })
                    .collect();
                parts.push(Part {
                    name: "attachment",
                    filename: Some(&a.name),
                    content_type: Some(&a.content_type),
                    data: super::PartData::File(a),
                });
                let (ct, body) = super::multipart(&parts);
                HttpRequest::new("POST", url)
                    .header("Content-Type", ct)
                    .body(body)
            }
        };
        Ok(vec![Outgoing::Http(req)])
    }

    fn check(&self, reply: &Reply) -> Result<(), DeliveryError> {
        let v: Option<serde_json::Value> = serde_json::from_slice(&reply.body).ok();
        let errors = v.as_ref().and_then(|v| v.get("errors")).map(|e| match e {
            serde_json::Value::Array(a) => a
                .iter()
                .map(|x| x.as_str().map_or_else(|| x.to_string(), str::to_string))
                .collect::<Vec<_>>()
                .join("; "),
            other => other.to_string(),
        });
        reply.default_check().map_err(|mut e| {
            if let Some(errs) = &errors {
                e.message = format!("Pushover {}: {errs}", reply.status);
            }
            e
        })?;
        let status = v
            .as_ref()
            .and_then(|v| v.get("status"))
            .and_then(serde_json::Value::as_i64);
        if status == Some(1) {
            Ok(())
        } else {
            Err(DeliveryError::new(format!(
                "Pushover answered {} without status 1: {}",
                reply.status,
                errors.unwrap_or_else(|| reply.snippet())
            ))
            .status(reply.status))
        }
    }

    fn secrets(&self) -> Vec<String> {
        // The user key addresses the phone: as good as a credential.
        vec![self.user.clone()]
    }

    fn validate(&self) -> Result<(), Invalid> {
        check_url("api_url", &self.api_url)?;
        if let Some(u) = &self.click_url {
            check_url("click_url", u)?;
            if u.chars().count() > MAX_URL {
                return Err(Invalid::key(
                    "click_url",
                    format!("click_url is longer than Pushover's {MAX_URL} characters"),
                ));
            }
        }
        if let Some(p) = self.priority {
            if !(-2..=2).contains(&p) {
                return Err(Invalid::key(
                    "priority",
                    format!("priority {p} is not a Pushover priority"),
                )
                .hint("use -2, -1, 0, 1 or 2 (2 repeats until acknowledged)"));
            }
        }
        if self.retry.is_some_and(|r| r < MIN_RETRY) {
            return Err(
                Invalid::key("retry", "retry: Pushover needs at least 30 seconds")
                    .hint("e.g. retry: 60s"),
            );
        }
        if self.expire.is_some_and(|e| e > MAX_EXPIRE || e.is_zero()) {
            return Err(Invalid::key(
                "expire",
                "expire: Pushover allows at most 3 hours (and more than 0)",
            )
            .hint("e.g. expire: 1h"));
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
    use super::super::testkit::{channel, event, http, prepare};

    #[test]
    fn priority_by_status_and_emergency_retry() {
        for (keys, ev, want) in [
            (
                "{token: at, user: uk, api_url: 'http://po'}",
                "backup_failure",
                &["priority=1"][..],
            ),
            (
                "{token: at, user: uk, api_url: 'http://po'}",
                "backup_success",
                &["priority=0"][..],
            ),
            (
                "{token: at, user: uk, api_url: 'http://po', priority: 2}",
                "backup_failure",
                &["priority=2", "retry=60", "expire=3600"][..],
            ),
        ] {
            let out = prepare(&*channel("pushover", keys), &event(ev, None));
            let h = http(&out)[0];
            assert_eq!(h.url, "http://po/1/messages.json", "{keys}");
            let body = String::from_utf8(h.body.to_vec()).unwrap();
            for w in want {
                assert!(body.contains(w), "{keys} {ev}: {body}");
            }
            assert!(
                body.contains("token=at") && body.contains("user=uk"),
                "{body}"
            );
        }
    }
}
