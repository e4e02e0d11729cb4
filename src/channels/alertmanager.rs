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
    use crate::channels::testkit::{
        channel, event, hostile_body, http, json, prepare, prepare_texts_ok, HOSTILE_TITLE,
    };
    use serde_json::{json, Value};
    use time::format_description::well_known::Rfc3339;
    use time::{Duration, OffsetDateTime};

    /// The alerts each request carries, with the URLs they went to.
    fn alerts(keys: &str, ev: &str) -> Vec<(String, Vec<Value>)> {
        let out = prepare(&*channel("alertmanager", keys), &event(ev, None));
        http(&out)
            .into_iter()
            .map(|h| {
                assert_eq!(h.method, "POST");
                let ct = h.headers.iter().find(|(k, _)| k == "Content-Type");
                assert_eq!(ct.map(|(_, v)| v.as_str()), Some("application/json"));
                (h.url.clone(), json(h).as_array().unwrap().clone())
            })
            .collect()
    }

    fn at(v: &Value) -> OffsetDateTime {
        OffsetDateTime::parse(v.as_str().unwrap(), &Rfc3339).unwrap()
    }

    type Row = (
        &'static str,
        &'static str,
        &'static [&'static str],
        &'static [&'static str],
        &'static str,
        Option<bool>,
    );

    /// Rows: keys, event, URLs posted to, alertnames, severity, `endsAt` (None: absent,
    /// Some(true): now, Some(false): a week ahead).
    #[test]
    fn alerts_by_status_labels_and_members() {
        let one = "{url: 'http://am:9093'}";
        let rows: [Row; 9] = [
            (one, "backup_start", &[], &[], "", None),
            (
                one,
                "backup_failure",
                &["http://am:9093/api/v2/alerts"],
                &["BackupFailed"],
                "critical",
                Some(false),
            ),
            (
                one,
                "backup_missed",
                &["http://am:9093/api/v2/alerts"],
                &["BackupMissed"],
                "critical",
                Some(false),
            ),
            (
                one,
                "backup_success",
                &["http://am:9093/api/v2/alerts"],
                &["BackupFailed", "BackupMissed"],
                "critical",
                Some(true),
            ),
            (
                one,
                "user_login",
                &["http://am:9093/api/v2/alerts"],
                &["UserLogin"],
                "info",
                None,
            ),
            (
                "{url: 'http://am/api/v2/alerts/'}",
                "test",
                &["http://am/api/v2/alerts"],
                &["Test"],
                "info",
                None,
            ),
            (
                "{urls: ['http://am1:9093', 'http://am2:9093/']}",
                "backup_failure",
                &[
                    "http://am1:9093/api/v2/alerts",
                    "http://am2:9093/api/v2/alerts",
                ],
                &["BackupFailed"],
                "critical",
                Some(false),
            ),
            (
                "{url: 'http://am', resolve_on_success: false}",
                "backup_success",
                &[],
                &[],
                "",
                None,
            ),
            (
                "{url: 'http://am', resolve_on_success: true}",
                "restore_success",
                &["http://am/api/v2/alerts"],
                &["RestoreFailed", "RestoreMissed"],
                "critical",
                Some(true),
            ),
        ];
        let now = OffsetDateTime::now_utc();
        for (keys, ev, urls, names, severity, ends) in rows {
            let got = alerts(keys, ev);
            let got_urls: Vec<&str> = got.iter().map(|(u, _)| u.as_str()).collect();
            assert_eq!(got_urls, urls, "{keys} {ev}");
            for (_, list) in &got {
                let got_names: Vec<&Value> =
                    list.iter().map(|a| &a["labels"]["alertname"]).collect();
                assert_eq!(got_names, names, "{keys} {ev}");
                for a in list {
                    let l = &a["labels"];
                    assert_eq!(l["severity"], severity, "{keys} {ev}");
                    assert_eq!((&l["task"], &l["host"]), (&json!("db"), &json!("h")));
                    assert_eq!(a["annotations"]["summary"], "T", "{keys} {ev}");
                    assert_eq!(a["annotations"]["description"], "B", "{keys} {ev}");
                    assert_eq!(a["annotations"]["event"], ev, "{keys} {ev}");
                    match ends {
                        None => assert!(a.get("endsAt").is_none(), "{keys} {ev}: {a}"),
                        Some(true) => {
                            assert!(at(&a["endsAt"]) <= now + Duration::minutes(1), "{ev}");
                            assert!(a.get("startsAt").is_none(), "{ev}: {a}");
                        }
                        Some(false) => {
                            let e = at(&a["endsAt"]);
                            assert!(e > now + Duration::days(6), "{ev}: {e}");
                            assert!(e < now + Duration::days(8), "{ev}: {e}");
                        }
                    }
                    if ends != Some(true) {
                        assert!(at(&a["startsAt"]) <= now + Duration::minutes(1), "{ev}");
                    }
                }
            }
        }
    }

    /// Configured labels and annotations join (and win over) the built-in ones; a label
    /// left empty is not sent (Alertmanager refuses empty label values).
    #[test]
    fn configured_labels_and_annotations() {
        let keys = "{url: 'http://am', labels: {team: ops, severity: page, host: ''}, \
                    annotations: {runbook_url: 'https://wiki/x', summary: fixed}}";
        for ev in ["backup_failure", "backup_success"] {
            let got = alerts(keys, ev);
            let a = &got[0].1[0];
            assert_eq!(a["labels"]["team"], "ops", "{ev}");
            assert_eq!(a["labels"]["severity"], "page", "{ev}");
            assert!(a["labels"].get("host").is_none(), "{ev}: {a}");
            assert_eq!(a["annotations"]["runbook_url"], "https://wiki/x", "{ev}");
            assert_eq!(a["annotations"]["summary"], "fixed", "{ev}");
            assert_eq!(a["annotations"]["description"], "B", "{ev}");
        }
        let plain = alerts("{url: 'http://am'}", "backup_failure");
        let labels = plain[0].1[0]["labels"].as_object().unwrap().clone();
        let mut keys: Vec<&str> = labels.keys().map(String::as_str).collect();
        keys.sort_unstable();
        assert_eq!(keys, ["alertname", "host", "severity", "task"]);
        assert!(plain[0].1[0]["annotations"].get("runbook_url").is_none());
    }

    /// Title and body reach the annotations exactly as written (JSON carries them).
    #[test]
    fn hostile_text_arrives_whole() {
        let ch = channel("alertmanager", "{url: 'http://am'}");
        let body = hostile_body();
        let out = prepare_texts_ok(
            &*ch,
            &event("backup_failure", Some(2)),
            HOSTILE_TITLE,
            &body,
        );
        let a = &json(http(&out)[0])[0];
        assert_eq!(a["annotations"]["summary"], HOSTILE_TITLE);
        assert_eq!(a["annotations"]["description"], body.as_str());
    }
}
