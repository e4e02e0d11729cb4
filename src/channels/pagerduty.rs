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
/// PagerDuty's limit on a whole event, in bytes (512 KB, read as the smaller 512,000).
pub(crate) const MAX_EVENT: usize = 512_000;

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
            Status::Failure => {
                // Texts of quotes, backslashes or control characters grow up to sixfold as
                // JSON: halve the budgets until the whole event fits, never lose it to a 400.
                let mut share = 1;
                loop {
                    let body = json!({
                        "routing_key": self.routing_key.expose(),
                        "event_action": "trigger",
                        "dedup_key": dedup,
                        "payload": self.payload(msg, share),
                        "client": "bnotify",
                    });
                    let size = serde_json::to_vec(&body).map_or(usize::MAX, |b| b.len());
                    if size <= MAX_EVENT || share >= 64 {
                        break body;
                    }
                    share *= 2;
                }
            }
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
    fn payload(&self, msg: &Message, share: usize) -> Value {
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
        p.insert("custom_details".into(), details(msg, share));
        Value::Object(p)
    }
}

/// `custom_details`: the message, the error (once, cut to 64 KiB), the body only when it
/// says more than the error, and the event's facts; absent ones left out. Keeps the event
/// under PagerDuty's 512 KB by leaving out `fields` when they would not fit. Each budget
/// is divided by `share` (1, then 2, 4... when the escaped event came out too large).
fn details(msg: &Message, share: usize) -> Value {
    let ev = msg.event;
    let text = |s: &str| Value::String(cut(s, MAX_DETAIL / share, Unit::Bytes, plain));
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
        if size <= MAX_FIELDS / share {
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
mod prepare_table {
    use super::super::testkit::{
        channel, event, hostile_log_body, http, json, prepare, prepare_texts_ok, reply_of,
        HOSTILE_TITLE,
    };

    use serde_json::{json, Value};

    const DEFAULT: &str = "{routing_key: R0123456789abcdef0123456789abcde}";
    const EU: &str =
        "{routing_key: rk-eu, api_url: 'https://events.eu.pagerduty.com/', severity: warning}";

    /// Rows: keys, event, the URL and the `event_action` (none: nothing is sent).
    #[test]
    fn failure_triggers_success_resolves_others_send_nothing() {
        let pd = "https://events.pagerduty.com/v2/enqueue";
        let eu = "https://events.eu.pagerduty.com/v2/enqueue";
        for (keys, ev, want) in [
            (DEFAULT, "backup_failure", Some((pd, "trigger"))),
            (DEFAULT, "backup_success", Some((pd, "resolve"))),
            (DEFAULT, "backup_start", None),
            (DEFAULT, "user_login", None),
            (DEFAULT, "test", None),
            (EU, "restore_failure", Some((eu, "trigger"))),
            (EU, "restore_success", Some((eu, "resolve"))),
        ] {
            let out = prepare(&*channel("pagerduty", keys), &event(ev, None));
            let reqs = http(&out);
            let Some((url, action)) = want else {
                assert!(out.is_empty(), "{keys} {ev}: nothing to send");
                continue;
            };
            assert_eq!(reqs.len(), 1, "{keys} {ev}");
            let h = reqs[0];
            assert_eq!(
                (h.method.as_str(), h.url.as_str()),
                ("POST", url),
                "{keys} {ev}"
            );
            assert!(
                !h.headers.iter().any(|(k, _)| k == "Authorization"),
                "the routing key is the only credential"
            );
            let body = json(h);
            assert_eq!(body["event_action"], action, "{keys} {ev}");
            assert_eq!(body["dedup_key"], "db", "same key on trigger and resolve");
            let rk = if keys == EU {
                "rk-eu"
            } else {
                "R0123456789abcdef0123456789abcde"
            };
            assert_eq!(body["routing_key"], rk);
        }
    }

    /// A trigger carries the payload PagerDuty requires (summary, source, severity) and
    /// the optional keys that have a value; a resolve carries nothing more than it needs.
    #[test]
    fn trigger_payload_and_bare_resolve() {
        for (keys, severity) in [(DEFAULT, "critical"), (EU, "warning")] {
            let ch = channel("pagerduty", keys);
            let ev = event("backup_failure", None);
            let body = json(http(&prepare(&*ch, &ev))[0]);
            assert_eq!(body["client"], "bnotify");
            assert_eq!(
                body["payload"],
                json!({
                    "summary": "T",
                    "source": "h",
                    "severity": severity,
                    "timestamp": ev.timestamp,
                    "component": "db",
                    "class": "backup_failure",
                    "custom_details": {"error": "disk full", "body": "B"},
                }),
                "{keys}"
            );
            let resolve = json(http(&prepare(&*ch, &event("backup_success", None)))[0]);
            let mut got: Vec<&str> = resolve
                .as_object()
                .unwrap()
                .keys()
                .map(String::as_str)
                .collect();
            got.sort_unstable();
            assert_eq!(got, ["dedup_key", "event_action", "routing_key"], "{keys}");
        }
    }

    /// Without task, host or a valid timestamp: keys left out (never `null`, which the
    /// schema refuses), the host keeps the incident, and a body that repeats the error
    /// is not sent twice.
    #[test]
    fn absent_values_are_left_out() {
        let ch = channel("pagerduty", DEFAULT);
        let mut ev = event("system_error", None);
        ev.task = None;
        ev.timestamp = "yesterday".into();
        let body = json(http(&prepare_texts_ok(&*ch, &ev, "T", "Error: disk full"))[0]);
        assert_eq!(body["dedup_key"], "bnotify:h");
        let payload = body["payload"].as_object().unwrap();
        assert!(!payload.contains_key("component") && !payload.contains_key("timestamp"));
        assert!(!payload.values().any(Value::is_null), "{payload:?}");
        assert_eq!(payload["custom_details"], json!({"error": "disk full"}));
        ev.host = Some(String::new());
        let body = json(http(&prepare(&*ch, &ev))[0]);
        assert_eq!(body["payload"]["source"], "bnotify", "source is required");
    }

    /// Texts that grow most as JSON (quotes, backslashes, control characters: up to six
    /// bytes each) and fields just under their budget: the event still fits in 512 KB,
    /// with the error's end (the line that says what failed) kept.
    #[test]
    fn text_that_grows_when_escaped_still_fits_one_event() {
        let ch = channel("pagerduty", DEFAULT);
        let mut ev = event("backup_failure", None);
        let worst = "\u{1}\"\\".repeat(30_000);
        ev.message = Some(worst.clone());
        ev.error = Some(format!("{worst}FATAL: no space left on device"));
        ev.fields.insert("log".into(), "\"".repeat(120_000).into());
        let body = format!("{worst} and more");
        let h = http(&prepare_texts_ok(&*ch, &ev, "T", &body))[0].clone();
        let bytes = h.body.to_vec();
        assert!(bytes.len() <= 512_000, "event of {} bytes", bytes.len());
        let sent = json(&h);
        let e = sent["payload"]["custom_details"]["error"].as_str().unwrap();
        assert!(
            e.ends_with("FATAL: no space left on device"),
            "{}",
            &e[e.len() - 40..]
        );
        assert!(
            e.len() > 10_000,
            "still a useful part of the error: {}",
            e.len()
        );
    }

    /// Hostile texts: summary ≤ 1024 characters, dedup_key ≤ 255, the error once and
    /// cut to 64 KiB keeping its end, oversized fields left out, the event under 512 KB.
    #[test]
    fn hostile_text_within_pagerduty_limits() {
        let ch = channel("pagerduty", DEFAULT);
        let mut ev = event("backup_failure", None);
        ev.task = Some("ジョブ".repeat(200));
        let mut error = String::from("START <b>&\"'*_~| 🔥\n");
        while error.len() < 200_000 {
            error.push_str("バックアップ失敗 https://backup-host.example.com/run_2026-11-30.log\n");
        }
        error.push_str("FATAL: no space left on device");
        ev.error = Some(error.clone());
        ev.fields.insert("log".into(), "y".repeat(300_000).into());
        let title = format!("{HOSTILE_TITLE} {}", "🔥".repeat(1_200));
        let body = format!("{}\n{error}", hostile_log_body());
        let h = http(&prepare_texts_ok(&*ch, &ev, &title, &body))[0].clone();
        let bytes = h.body.to_vec();
        assert!(bytes.len() < 512_000, "event of {} bytes", bytes.len());
        let sent = json(&h);
        let summary = sent["payload"]["summary"].as_str().unwrap();
        assert!(
            (1_000..=1_024).contains(&summary.chars().count()),
            "{}",
            summary.len()
        );
        assert!(summary.starts_with(HOSTILE_TITLE), "as written, unescaped");
        assert_eq!(sent["dedup_key"].as_str().unwrap().chars().count(), 255);
        let details = &sent["payload"]["custom_details"];
        let e = details["error"].as_str().unwrap();
        assert!(e.len() <= 65_536 && e.len() > 60_000, "{}", e.len());
        assert!(
            e.starts_with("START <b>&\"'*_~| 🔥") && e.ends_with("FATAL: no space left on device")
        );
        assert!(
            details.get("body").is_none(),
            "the body repeats the error: left out"
        );
        assert!(details["fields"].as_str().unwrap().starts_with("left out:"));
    }

    /// Replies: 202 accepted; 400 "invalid event" is final and shows PagerDuty's
    /// reasons; 429 and 5xx are retried.
    #[test]
    fn replies() {
        let ch = channel("pagerduty", DEFAULT);
        let reply = |status: u16, body: &str| reply_of(status, &[], body);
        let ok = r#"{"status":"success","message":"Event processed","dedup_key":"db"}"#;
        assert!(ch.check(&reply(202, ok)).is_ok());
        let bad = r#"{"status":"invalid event","message":"Event object is invalid","errors":["'payload.severity' is invalid"]}"#;
        let e = ch.check(&reply(400, bad)).unwrap_err();
        assert!(
            !e.retryable && e.message.contains("'payload.severity' is invalid"),
            "{}",
            e.message
        );
        assert!(ch.check(&reply(429, "")).unwrap_err().retryable);
        assert!(ch.check(&reply(502, "")).unwrap_err().retryable);
    }
}
