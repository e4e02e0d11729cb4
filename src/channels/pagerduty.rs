//! `pagerduty`: Events API v2. A failure triggers an incident and a success resolves it,
//! both with `dedup_key` = the task; start and info events send nothing. Absent keys are
//! left out (never `null`), and the error appears once, cut to 64 KiB.

use crate::redact::Secret;
use serde::Deserialize;
use serde_json::{json, Map, Value};
use time::format_description::well_known::Rfc3339;
use time::OffsetDateTime;

use super::{check_url, ChannelType, DeliveryError, HttpRequest, Invalid, Message, Outgoing};
use crate::event::Status;
use crate::render::cut::plain;
use crate::render::{cut, Unit};

/// Registry row.
pub(crate) const TYPE: ChannelType = ChannelType {
    name: "pagerduty",
    http: true,
    keys: super::fields_of::<PagerDuty>,
    build: super::build::<PagerDuty>,
};

/// PagerDuty's limit on `payload.summary`, in characters.
pub(crate) const MAX_SUMMARY: usize = 1024;
/// Bytes of each text in `custom_details` (message, error, body).
pub(crate) const MAX_DETAIL: usize = 64 * 1024;
/// Bytes of `fields` kept; with three texts of 64 KiB the event stays under 512 KB.
pub(crate) const MAX_FIELDS: usize = 256 * 1024;

/// Severities PagerDuty accepts.
pub(crate) const SEVERITIES: [&str; 4] = ["critical", "error", "warning", "info"];

/// A PagerDuty Events API v2 integration.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct PagerDuty {
    routing_key: Secret,
    #[serde(default = "default_api")]
    api_url: String,
    #[serde(default = "default_severity")]
    severity: String,
}

fn default_api() -> String {
    "https://events.pagerduty.com".into()
}

fn default_severity() -> String {
    "critical".into()
}

impl super::Channel for PagerDuty {
    fn prepare(&self, msg: &Message) -> Result<Vec<Outgoing>, DeliveryError> {
        let ev = msg.event;
        // Without a task, the host keeps one incident per machine.
        let dedup = cut(
            &ev.task
                .clone()
                .unwrap_or_else(|| format!("bnotify:{}", ev.host.as_deref().unwrap_or("unknown"))),
            255,
            Unit::Chars,
            plain,
        );
        let url = super::join_url(&self.api_url, "v2/enqueue");
        let body = match ev.status {
            Status::Failure => json!({
                "routing_key": self.routing_key.expose(),
                "event_action": "trigger",
                "dedup_key": dedup,
                "payload": self.payload(msg),
                "client": "bnotify",
            }),
            Status::Success => json!({
                "routing_key": self.routing_key.expose(),
                "event_action": "resolve",
                "dedup_key": dedup,
            }),
            Status::Start | Status::Info => return Ok(Vec::new()),
        };
        Ok(vec![Outgoing::Http(HttpRequest::post_json(url, &body))])
    }

    fn validate(&self) -> Result<(), Invalid> {
        check_url("api_url", &self.api_url)?;
        if !SEVERITIES.contains(&self.severity.as_str()) {
            return Err(Invalid::key(
                "severity",
                format!("unknown severity \"{}\"", self.severity),
            )
            .hint("use critical, error, warning or info"));
        }
        Ok(())
    }
}

impl PagerDuty {
    /// The trigger's `payload`: keys without a value are left out (PagerDuty's schema types
    /// `component`, `group` and `class` as strings, and refuses `null`).
    fn payload(&self, msg: &Message) -> Value {
        let ev = msg.event;
        let mut p = Map::new();
        p.insert(
            "summary".into(),
            cut(&msg.title, MAX_SUMMARY, Unit::Chars, plain).into(),
        );
        let source = ev.host.clone().filter(|h| !h.is_empty());
        p.insert(
            "source".into(),
            source.unwrap_or_else(|| "bnotify".into()).into(),
        );
        p.insert("severity".into(), self.severity.clone().into());
        if OffsetDateTime::parse(&ev.timestamp, &Rfc3339).is_ok() {
            p.insert("timestamp".into(), ev.timestamp.clone().into());
        }
        if let Some(task) = ev.task.as_deref().filter(|t| !t.is_empty()) {
            p.insert("component".into(), task.into());
        }
        p.insert("class".into(), ev.event.clone().into());
        p.insert("custom_details".into(), details(msg));
        Value::Object(p)
    }
}

/// `custom_details`: the message, the error (once, cut to 64 KiB), the body only when it
/// says more than the error, and the event's facts; absent ones left out. Keeps the event
/// under PagerDuty's 512 KB by leaving out `fields` when they would not fit.
fn details(msg: &Message) -> Value {
    let ev = msg.event;
    let text = |s: &str| Value::String(cut(s, MAX_DETAIL, Unit::Bytes, plain));
    let mut d = Map::new();
    if let Some(m) = &ev.message {
        d.insert("message".into(), text(m));
    }
    if let Some(e) = &ev.error {
        d.insert("error".into(), text(e));
    }
    let repeats_error = ev.error.as_deref().is_some_and(|e| msg.body.contains(e));
    if !msg.body.trim().is_empty() && !repeats_error {
        d.insert("body".into(), text(&msg.body));
    }
    if let Some(b) = &ev.backup {
        let mut backup = json!(b);
        if let Value::Object(m) = &mut backup {
            m.retain(|_, v| !v.is_null());
        }
        d.insert("backup".into(), backup);
    }
    if let Some(ms) = ev.duration_ms {
        d.insert("duration_ms".into(), ms.into());
    }
    if !ev.fields.is_empty() {
        let fields = Value::Object(ev.fields.clone());
        let size = serde_json::to_vec(&fields).map_or(usize::MAX, |b| b.len());
        if size <= MAX_FIELDS {
            d.insert("fields".into(), fields);
        } else {
            d.insert(
                "fields".into(),
                format!("left out: {size} bytes, over PagerDuty's event size").into(),
            );
        }
    }
    Value::Object(d)
}

#[cfg(test)]
mod tests {
    use super::super::testkit::{channel, event, http, json, prepare};

    #[test]
    fn trigger_resolve_or_nothing() {
        let ch = channel("pagerduty", "{routing_key: rk, api_url: 'http://pd'}");
        for (ev, want) in [
            ("backup_failure", Some("trigger")),
            ("backup_success", Some("resolve")),
            ("backup_start", None),
            ("user_login", None),
        ] {
            let out = prepare(&*ch, &event(ev, None));
            let reqs = http(&out);
            match want {
                Some(action) => {
                    let body = json(reqs[0]);
                    assert_eq!(body["event_action"], action, "{ev}");
                    assert_eq!(body["dedup_key"], "db", "{ev}");
                    assert_eq!(body["routing_key"], "rk", "{ev}");
                }
                None => assert!(reqs.is_empty(), "{ev}"),
            }
        }
    }
}
