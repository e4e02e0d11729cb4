//! `alertmanager`: `POST /api/v2/alerts` with one alert per event, so the alerts of many
//! hosts meet in Alertmanager's routing, grouping, inhibition and silences.
//!
//! A failure fires `alertname` (`backup_failure` → `BackupFailed`, `backup_missed` →
//! `BackupMissed`, others the event in CamelCase) with labels `task`, `host`, `severity`
//! and the configured ones; it stays active for [`FAILURE_TTL`] unless resolved. A success
//! sends the same label sets with `endsAt` = now, which resolves the task's failure and
//! missed alerts. Start events send nothing. With several `urls` (an HA cluster) each
//! member gets the alert; one that accepts is enough, the others are warned about.

use std::collections::BTreeMap;
use std::time::Duration;

use serde::Deserialize;
use serde_json::{json, Map, Value};
use time::format_description::well_known::Rfc3339;
use time::OffsetDateTime;

use super::{check_url, ChannelType, DeliveryError, HttpRequest, Invalid, Message, Outgoing};
use crate::event::{Event, Status, STATUS_SUFFIXES};

/// Registry row.
pub(crate) const TYPE: ChannelType = ChannelType {
    name: "alertmanager",
    http: true,
    keys: super::fields_of::<Alertmanager>,
    build: super::build::<Alertmanager>,
};

/// How long a failure alert stays active when no success resolves it (Alertmanager would
/// otherwise end it after its `resolve_timeout`, 5 minutes by default).
pub(crate) const FAILURE_TTL: Duration = Duration::from_secs(7 * 24 * 3600);

/// An Alertmanager, or the members of an HA cluster.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct Alertmanager {
    #[serde(default)]
    url: Option<String>,
    #[serde(default)]
    urls: Vec<String>,
    #[serde(default)]
    labels: BTreeMap<String, String>,
    #[serde(default)]
    annotations: BTreeMap<String, String>,
    #[serde(default = "yes")]
    resolve_on_success: bool,
}

fn yes() -> bool {
    true
}

impl super::Channel for Alertmanager {
    fn prepare(&self, msg: &Message) -> Result<Vec<Outgoing>, DeliveryError> {
        let ev = msg.event;
        let now = OffsetDateTime::now_utc();
        let alerts: Vec<Value> = match ev.status {
            Status::Start => return Ok(Vec::new()),
            Status::Success if !self.resolve_on_success => return Ok(Vec::new()),
            Status::Success => resolved_names(&ev.event)
                .iter()
                .map(|name| {
                    json!({
                        "labels": self.labels_for(ev, name, "critical"),
                        "annotations": self.annotations_for(msg),
                        "endsAt": rfc3339(now),
                    })
                })
                .collect(),
            Status::Failure | Status::Info => {
                let starts = OffsetDateTime::parse(&ev.timestamp, &Rfc3339).unwrap_or(now);
                let mut alert = json!({
                    "labels": self.labels_for(ev, &alertname(&ev.event), severity(ev.status)),
                    "annotations": self.annotations_for(msg),
                    "startsAt": rfc3339(starts),
                });
                if ev.status == Status::Failure {
                    alert["endsAt"] = rfc3339(now + FAILURE_TTL).into();
                }
                vec![alert]
            }
        };
        let body = Value::Array(alerts);
        Ok(self
            .targets()
            .into_iter()
            .map(|u| Outgoing::Http(HttpRequest::post_json(alerts_url(u), &body)))
            .collect())
    }

    fn secrets(&self) -> Vec<String> {
        Vec::new()
    }

    fn validate(&self) -> Result<(), Invalid> {
        match (&self.url, self.urls.is_empty()) {
            (Some(_), false) => {
                return Err(Invalid::key("urls", "give url or urls, not both")
                    .hint("list every cluster member under urls"))
            }
            (None, true) => {
                return Err(Invalid::key("url", "missing: the Alertmanager's URL")
                    .hint("e.g. url: http://alertmanager:9093"))
            }
            _ => {}
        }
        for u in self.targets() {
            check_url(if self.url.is_some() { "url" } else { "urls" }, u)?;
        }
        for k in self.labels.keys().chain(self.annotations.keys()) {
            if !is_label_name(k) {
                return Err(
                    Invalid::key("labels", format!("\"{k}\" is not a valid label name"))
                        .hint("use letters, digits and _, not starting with a digit"),
                );
            }
        }
        Ok(())
    }

    fn any_suffices(&self) -> bool {
        true
    }
}

impl Alertmanager {
    fn targets(&self) -> Vec<&str> {
        self.url
            .iter()
            .chain(&self.urls)
            .map(String::as_str)
            .collect()
    }

    /// `alertname`, `task`, `host`, `severity`, then the configured labels (which win).
    fn labels_for(&self, ev: &Event, name: &str, severity: &str) -> Map<String, Value> {
        let mut l = Map::new();
        l.insert("alertname".into(), name.into());
        l.insert("task".into(), ev.task_or_empty().into());
        l.insert("host".into(), ev.host.clone().unwrap_or_default().into());
        l.insert("severity".into(), severity.into());
        for (k, v) in &self.labels {
            l.insert(k.clone(), v.clone().into());
        }
        l.retain(|_, v| v.as_str().is_some_and(|s| !s.is_empty()));
        l
    }

    /// `summary` = title, `description` = body, then the configured annotations.
    fn annotations_for(&self, msg: &Message) -> Map<String, Value> {
        let mut a = Map::new();
        a.insert("summary".into(), msg.title.clone().into());
        a.insert("description".into(), msg.body.clone().into());
        a.insert("event".into(), msg.event.event.clone().into());
        a.insert("event_id".into(), msg.event.id.clone().into());
        for (k, v) in &self.annotations {
            a.insert(k.clone(), v.clone().into());
        }
        a
    }
}

/// `…/api/v2/alerts` under the configured base URL (kept when already given).
fn alerts_url(base: &str) -> String {
    if base.trim_end_matches('/').ends_with("/api/v2/alerts") {
        base.trim_end_matches('/').to_string()
    } else {
        super::join_url(base, "api/v2/alerts")
    }
}

fn rfc3339(t: OffsetDateTime) -> String {
    t.format(&Rfc3339).unwrap_or_default()
}

fn severity(status: Status) -> &'static str {
    match status {
        Status::Failure => "critical",
        _ => "info",
    }
}

/// The alert an event fires: `backup_failure` (or `_failed`) → `BackupFailed`, any other
/// name in CamelCase (`backup_missed` → `BackupMissed`, `system_error` → `SystemError`).
pub(crate) fn alertname(event: &str) -> String {
    let base = ["_failure", "_failed"]
        .iter()
        .find_map(|s| event.strip_suffix(s).filter(|b| !b.is_empty()));
    match base {
        Some(b) => camel(&format!("{b}_failed")),
        None => camel(event),
    }
}

/// The alerts a success resolves: its task's failure and missed alerts
/// (`backup_success` → `BackupFailed`, `BackupMissed`); a success without a known
/// suffix resolves its own name.
pub(crate) fn resolved_names(event: &str) -> Vec<String> {
    let base = STATUS_SUFFIXES
        .iter()
        .filter(|(_, s)| *s == Status::Success)
        .find_map(|(suffix, _)| event.strip_suffix(suffix).filter(|b| !b.is_empty()));
    match base {
        Some(b) => vec![camel(&format!("{b}_failed")), camel(&format!("{b}_missed"))],
        None => vec![camel(event)],
    }
}

/// `backup_failed` → `BackupFailed`; characters other than letters and digits separate
/// words.
fn camel(s: &str) -> String {
    s.split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(|w| {
            let mut c = w.chars();
            c.next()
                .map(|f| f.to_ascii_uppercase().to_string() + c.as_str())
                .unwrap_or_default()
        })
        .collect()
}

fn is_label_name(k: &str) -> bool {
    let mut c = k.chars();
    c.next()
        .is_some_and(|f| f.is_ascii_alphabetic() || f == '_')
        && c.all(|x| x.is_ascii_alphanumeric() || x == '_')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names() {
        assert_eq!(alertname("backup_failure"), "BackupFailed");
        assert_eq!(alertname("backup_missed"), "BackupMissed");
        assert_eq!(alertname("restore_failure"), "RestoreFailed");
        assert_eq!(alertname("system_error"), "SystemError");
        assert_eq!(alertname("test"), "Test");
        assert_eq!(
            resolved_names("backup_success"),
            ["BackupFailed", "BackupMissed"]
        );
        assert_eq!(
            resolved_names("restore_success"),
            ["RestoreFailed", "RestoreMissed"]
        );
        assert_eq!(resolved_names("config_backup"), ["ConfigBackup"]);
        assert_eq!(alerts_url("http://a:9093/"), "http://a:9093/api/v2/alerts");
        assert_eq!(
            alerts_url("http://a/api/v2/alerts"),
            "http://a/api/v2/alerts"
        );
    }
}

#[cfg(test)]
mod prepare_table {
    use super::super::testkit::{channel, event, http, json, prepare};

    #[test]
    fn a_failure_fires_a_success_resolves_a_start_sends_nothing() {
        let ch = channel("alertmanager", "{url: 'http://am', labels: {team: ops}}");
        for (ev, sends, resolves) in [
            ("backup_failure", true, false),
            ("backup_success", true, true),
            ("backup_start", false, false),
        ] {
            let out = prepare(&*ch, &event(ev, None));
            let reqs = http(&out);
            assert_eq!(!reqs.is_empty(), sends, "{ev}");
            if let Some(h) = reqs.first() {
                assert_eq!(h.url, "http://am/api/v2/alerts", "{ev}");
                let alerts = json(h);
                let a = &alerts.as_array().unwrap()[0];
                assert_eq!(a["labels"]["alertname"], "BackupFailed", "{ev}");
                assert_eq!(a["labels"]["task"], "db", "{ev}");
                assert_eq!(a["labels"]["team"], "ops", "{ev}");
                let ends = time::OffsetDateTime::parse(
                    a["endsAt"].as_str().unwrap(),
                    &time::format_description::well_known::Rfc3339,
                )
                .unwrap();
                let now = time::OffsetDateTime::now_utc();
                if resolves {
                    assert!(
                        ends <= now + time::Duration::minutes(1),
                        "{ev}: resolved now"
                    );
                } else {
                    assert!(
                        ends > now + time::Duration::days(1),
                        "{ev}: active for days"
                    );
                }
            }
        }
    }
}
