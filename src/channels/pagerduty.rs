//! `pagerduty`: Events API v2. A failure triggers an incident and a success resolves it,
//! both with `dedup_key` = the task; start and info events send nothing.

use serde::Deserialize;
use serde_json::json;

use super::{check_url, ChannelType, DeliveryError, HttpRequest, Invalid, Message, Outgoing};
use crate::event::Status;
use crate::render::truncate;

/// Registry row.
pub const TYPE: ChannelType = ChannelType {
    name: "pagerduty",
    http: true,
    keys: &["routing_key", "api_url", "severity"],
    build: super::build::<PagerDuty>,
};

/// Severities PagerDuty accepts.
pub const SEVERITIES: [&str; 4] = ["critical", "error", "warning", "info"];

/// A PagerDuty Events API v2 integration.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PagerDuty {
    routing_key: String,
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
        let dedup = truncate(
            &ev.task
                .clone()
                .unwrap_or_else(|| format!("bnotify:{}", ev.host.as_deref().unwrap_or("unknown"))),
            255,
        );
        let url = super::join_url(&self.api_url, "v2/enqueue");
        let body = match ev.status {
            Status::Failure => json!({
                "routing_key": self.routing_key,
                "event_action": "trigger",
                "dedup_key": dedup,
                "payload": {
                    "summary": truncate(&msg.title, 1024),
                    "source": ev.host.clone().unwrap_or_else(|| "bnotify".into()),
                    "severity": self.severity,
                    "timestamp": ev.timestamp,
                    "component": ev.task,
                    "class": ev.event,
                    "custom_details": {
                        "message": ev.message, "error": ev.error, "body": msg.body,
                        "backup": ev.backup, "duration_ms": ev.duration_ms, "fields": ev.fields,
                    },
                },
                "client": "bnotify",
            }),
            Status::Success => json!({
                "routing_key": self.routing_key,
                "event_action": "resolve",
                "dedup_key": dedup,
            }),
            Status::Start | Status::Info => return Ok(Vec::new()),
        };
        Ok(vec![Outgoing::Http(HttpRequest::post_json(url, &body))])
    }

    fn secrets(&self) -> Vec<String> {
        vec![self.routing_key.clone()]
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
