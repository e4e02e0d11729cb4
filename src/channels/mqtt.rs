//! `mqtt`: the event JSON (SPEC §3, with the rendered title and body) published to
//! `topic` (default `bnotify/<host>/<task>/<event>`), then, for a success or a failure,
//! the task's last outcome retained on `bnotify/<host>/<task>/status` as
//! `{"status", "event", "id", "timestamp"}`, so a dashboard that subscribes later still
//! sees it. MQTT 3.1.1 over TCP or TLS (`mqtts://`); the transport is `crate::mqtt`.

use crate::redact::Secret;
use std::path::PathBuf;

use serde::Deserialize;
use serde_json::json;

use super::{ChannelType, DeliveryError, Invalid, Message, Outgoing};
use crate::event::Status;

/// Registry row.
pub(crate) const TYPE: ChannelType = ChannelType {
    name: "mqtt",
    http: false,
    keys: super::fields_of::<Mqtt>,
    build: super::build::<Mqtt>,
};

/// An MQTT broker and where to publish.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct Mqtt {
    url: String,
    #[serde(default)]
    username: Option<String>,
    #[serde(default)]
    password: Option<Secret>,
    #[serde(default)]
    topic: Option<String>,
    #[serde(default = "default_qos")]
    qos: u8,
    #[serde(default)]
    retain: bool,
    #[serde(default)]
    ca_file: Option<PathBuf>,
    #[serde(default)]
    tls_insecure: bool,
}

fn default_qos() -> u8 {
    1
}

pub(crate) use crate::mqtt::{MqttRequest, Publish};

impl super::Channel for Mqtt {
    fn prepare(&self, msg: &Message) -> Result<Vec<Outgoing>, DeliveryError> {
        let ev = msg.event;
        let (tls, host, port, user, password) =
            parse_url(&self.url).map_err(|e| DeliveryError::new(e.message))?;
        let host_seg = level(ev.host.as_deref().unwrap_or("unknown"));
        let task_seg = level(ev.task.as_deref().unwrap_or("none"));
        let topic = match &self.topic {
            Some(t) => crate::render::render("topic", t, &msg.context())
                .map_err(|e| DeliveryError::new(e.to_string()))?,
            None => format!("bnotify/{host_seg}/{task_seg}/{}", level(&ev.event)),
        };
        if topic.is_empty() || topic.contains(['+', '#', '\0']) {
            return Err(DeliveryError::new(format!(
                "the topic \"{topic}\" is empty or holds a wildcard (+ or #)"
            )));
        }
        let payload = serde_json::to_vec(&ev.to_payload(&msg.title, &msg.body))
            .map_err(|e| DeliveryError::new(e.to_string()))?;
        let mut messages = vec![Publish {
            topic,
            payload,
            qos: self.qos,
            retain: self.retain,
        }];
        if matches!(ev.status, Status::Success | Status::Failure) {
            let status = json!({
                "status": ev.status.as_str(), "event": ev.event,
                "id": ev.id, "timestamp": ev.timestamp,
            });
            messages.push(Publish {
                topic: format!("bnotify/{host_seg}/{task_seg}/status"),
                payload: status.to_string().into_bytes(),
                qos: self.qos,
                retain: true,
            });
        }
        Ok(vec![Outgoing::Mqtt(MqttRequest {
            url: self.url.clone(),
            host,
            port,
            tls,
            ca_file: self.ca_file.clone(),
            tls_insecure: self.tls_insecure,
            username: self.username.clone().or(user),
            password: self
                .password
                .as_ref()
                .map(|p| p.expose().to_string())
                .or(password),
            client_id: format!("bnotify-{}", uuid::Uuid::new_v4().simple()),
            messages,
        })])
    }

    fn secrets(&self) -> Vec<String> {
        // A password written in the URL's user-info.
        parse_url(&self.url)
            .ok()
            .and_then(|p| p.4)
            .into_iter()
            .collect()
    }

    fn validate(&self) -> Result<(), Invalid> {
        parse_url(&self.url)?;
        if self.qos > 1 {
            return Err(
                Invalid::key("qos", format!("qos {} is not supported", self.qos))
                    .hint("use 0 (at most once) or 1 (at least once)"),
            );
        }
        if let Some(t) = &self.topic {
            crate::render::check("topic", t).map_err(|e| Invalid::key("topic", e.to_string()))?;
        }
        Ok(())
    }
}

/// A host, task or event name as one topic level: `/`, `+`, `#` and NUL become `_`.
fn level(s: &str) -> String {
    s.replace(['/', '+', '#', '\0'], "_")
}

type Parsed = (bool, String, u16, Option<String>, Option<String>);

/// `mqtt[s]://[user:password@]host[:port]` → (tls, host, port, user, password).
fn parse_url(raw: &str) -> Result<Parsed, Invalid> {
    let bad = |why: &str| {
        Invalid::key(
            "url",
            format!("\"{}\" {why}", crate::redact::mask_urls(raw)),
        )
        .hint("write mqtt://host:1883 or mqtts://host:8883")
    };
    let u = url::Url::parse(raw).map_err(|_| bad("is not a URL"))?;
    let tls = match u.scheme() {
        "mqtt" | "tcp" => false,
        "mqtts" | "ssl" => true,
        _ => return Err(bad("is not an mqtt:// or mqtts:// URL")),
    };
    let host = u
        .host_str()
        .filter(|h| !h.is_empty())
        .ok_or_else(|| bad("has no host"))?
        .trim_start_matches('[')
        .trim_end_matches(']')
        .to_string();
    let port = u.port().unwrap_or(if tls { 8883 } else { 1883 });
    let decode = |s: &str| {
        percent_encoding::percent_decode_str(s)
            .decode_utf8_lossy()
            .into_owned()
    };
    let user = Some(decode(u.username())).filter(|s| !s.is_empty());
    let password = u.password().map(decode);
    Ok((tls, host, port, user, password))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls() {
        let p = parse_url("mqtts://u:p%40ss@broker.example:1884").unwrap();
        assert_eq!(
            p,
            (
                true,
                "broker.example".into(),
                1884,
                Some("u".into()),
                Some("p@ss".into())
            )
        );
        assert_eq!(parse_url("mqtt://h").unwrap().2, 1883);
        assert_eq!(parse_url("mqtts://h").unwrap().2, 8883);
        assert!(parse_url("http://h").is_err());
        assert_eq!(level("a/b+c#"), "a_b_c_");
    }
}

#[cfg(test)]
mod prepare_table {
    use super::super::testkit::{channel, event, prepare};
    use super::super::Outgoing;

    #[test]
    fn the_event_then_the_retained_outcome() {
        let ch = channel("mqtt", "{url: 'mqtt://broker:1883'}");
        for (ev, topics) in [
            (
                "backup_failure",
                &["bnotify/h/db/backup_failure", "bnotify/h/db/status"][..],
            ),
            (
                "backup_success",
                &["bnotify/h/db/backup_success", "bnotify/h/db/status"][..],
            ),
            ("backup_start", &["bnotify/h/db/backup_start"][..]),
        ] {
            let out = prepare(&*ch, &event(ev, None));
            let Outgoing::Mqtt(m) = &out[0] else {
                panic!("{ev}: not an MQTT publish")
            };
            let got: Vec<&str> = m.messages.iter().map(|p| p.topic.as_str()).collect();
            assert_eq!(got, topics, "{ev}");
            assert!(
                m.messages.iter().all(|p| p.qos == 1),
                "{ev}: QoS 1 by default"
            );
            if let Some(status) = m.messages.get(1) {
                assert!(status.retain, "{ev}: the outcome is retained");
            }
        }
    }
}
