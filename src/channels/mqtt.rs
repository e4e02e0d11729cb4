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
            // MQTT 3.1.1 (3.1.3.1) has every broker take 1 to 23 characters of [0-9a-zA-Z];
            // longer or other ids are each broker's choice.
            client_id: format!("bnotify{:016x}", uuid::Uuid::new_v4().as_u64_pair().0),
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
    use super::super::testkit::{
        channel, event, hostile_log_body, prepare, prepare_texts_ok, HOSTILE_TITLE,
    };
    use super::super::{Message, Outgoing};
    use super::MqttRequest;
    use crate::event::Event;
    use serde_json::{json, Value};

    fn one(out: &[Outgoing]) -> &MqttRequest {
        match out {
            [Outgoing::Mqtt(m)] => m,
            other => panic!("not one MQTT request: {other:?}"),
        }
    }

    fn payload(p: &super::Publish) -> Value {
        serde_json::from_slice(&p.payload).unwrap()
    }

    /// Rows: keys, then what the connection uses: (tls, host, port, username,
    /// password, ca_file, tls_insecure) and the event message's (qos, retain).
    #[test]
    fn connection_keys_and_publish_options() {
        type Conn<'a> = (bool, &'a str, u16, Option<&'a str>, Option<&'a str>);
        for (keys, conn, ca, insecure, (qos, retain)) in [
            (
                "{url: 'mqtt://broker'}",
                (false, "broker", 1883, None, None),
                None,
                false,
                (1, false),
            ),
            (
                "{url: 'tcp://broker'}",
                (false, "broker", 1883, None, None),
                None,
                false,
                (1, false),
            ),
            (
                "{url: 'mqtts://broker.example'}",
                (true, "broker.example", 8883, None, None),
                None,
                false,
                (1, false),
            ),
            (
                "{url: 'ssl://broker:8884'}",
                (true, "broker", 8884, None, None),
                None,
                false,
                (1, false),
            ),
            (
                "{url: 'mqtt://[::1]:1884'}",
                (false, "::1", 1884, None, None),
                None,
                false,
                (1, false),
            ),
            (
                "{url: 'mqtts://u1:p%40ss@broker:8884'}",
                (true, "broker", 8884, Some("u1"), Some("p@ss")),
                None,
                false,
                (1, false),
            ),
            (
                "{url: 'mqtts://u1:p1@broker', username: svc, password: s3cret}",
                (true, "broker", 8883, Some("svc"), Some("s3cret")),
                None,
                false,
                (1, false),
            ),
            (
                "{url: 'mqtts://broker', ca_file: /etc/bnotify/ca.pem, tls_insecure: true}",
                (true, "broker", 8883, None, None),
                Some("/etc/bnotify/ca.pem"),
                true,
                (1, false),
            ),
            (
                "{url: 'mqtt://broker', qos: 0, retain: true, tls_insecure: false}",
                (false, "broker", 1883, None, None),
                None,
                false,
                (0, true),
            ),
            (
                "{url: 'mqtt://broker', qos: 1, retain: false}",
                (false, "broker", 1883, None, None),
                None,
                false,
                (1, false),
            ),
        ] {
            let conn: Conn = conn;
            let out = prepare(&*channel("mqtt", keys), &event("backup_failure", None));
            let m = one(&out);
            let got = (
                m.tls,
                m.host.as_str(),
                m.port,
                m.username.as_deref(),
                m.password.as_deref(),
            );
            assert_eq!(got, conn, "{keys}");
            assert_eq!(m.ca_file.as_deref(), ca.map(std::path::Path::new), "{keys}");
            assert_eq!(m.tls_insecure, insecure, "{keys}");
            let [event_msg, status_msg] = &m.messages[..] else {
                panic!("{keys}: {} messages", m.messages.len())
            };
            assert_eq!((event_msg.qos, event_msg.retain), (qos, retain), "{keys}");
            assert_eq!((status_msg.qos, status_msg.retain), (qos, true), "{keys}");
        }
    }

    /// Rows: event, the topics published. The event JSON goes first; a success or
    /// failure also leaves the task's outcome retained on `…/status`.
    #[test]
    fn the_event_then_the_retained_outcome_by_status() {
        let ch = channel("mqtt", "{url: 'mqtt://broker'}");
        for (ev, topics) in [
            ("backup_start", &["bnotify/h/db/backup_start"][..]),
            (
                "backup_success",
                &["bnotify/h/db/backup_success", "bnotify/h/db/status"][..],
            ),
            (
                "backup_failure",
                &["bnotify/h/db/backup_failure", "bnotify/h/db/status"][..],
            ),
            ("user_login", &["bnotify/h/db/user_login"][..]),
            ("test", &["bnotify/h/db/test"][..]),
        ] {
            let e = event(ev, None);
            let out = prepare(&*ch, &e);
            let m = one(&out);
            let got: Vec<&str> = m.messages.iter().map(|p| p.topic.as_str()).collect();
            assert_eq!(got, topics, "{ev}");
            assert_eq!(payload(&m.messages[0]), e.to_payload("T", "B"), "{ev}");
            if let Some(status) = m.messages.get(1) {
                let want = json!({
                    "status": e.status.as_str(), "event": ev,
                    "id": e.id, "timestamp": e.timestamp,
                });
                assert_eq!(payload(status), want, "{ev}");
            }
            let id = &m.client_id;
            assert!(id.starts_with("bnotify") && id.len() == 23, "{id}");
            assert!(id.chars().all(|c| c.is_ascii_alphanumeric()), "{id}");
        }
        let ids: Vec<String> = (0..2)
            .map(|_| {
                one(&prepare(&*ch, &event("backup_start", None)))
                    .client_id
                    .clone()
            })
            .collect();
        assert_ne!(
            ids[0], ids[1],
            "a fresh client id: a clean session never kicks another"
        );
    }

    /// Rows: keys, a change to the event, the first topic (or the error). Host, task
    /// and event become one topic level each (`/`, `+`, `#` → `_`); a `topic` template
    /// may not yield a wildcard or nothing.
    #[test]
    fn topics_default_template_and_refused() {
        let templ = "{url: 'mqtt://b', topic: 'backups/{{ host }}/{{ task }}/{{ status }}'}";
        let plain = "{url: 'mqtt://b'}";
        let odd = |e: &mut Event| {
            e.host = Some("nas/01".into());
            e.task = Some("pg+main#1".into());
        };
        let no_task = |e: &mut Event| e.task = None;
        let hash = |e: &mut Event| e.task = Some("a/#".into());
        let same = |_: &mut Event| {};
        type Row<'a> = (&'a str, &'a dyn Fn(&mut Event), Result<&'a str, &'a str>);
        let rows: [Row; 6] = [
            (plain, &odd, Ok("bnotify/nas_01/pg_main_1/backup_failure")),
            (plain, &no_task, Ok("bnotify/h/none/backup_failure")),
            (templ, &same, Ok("backups/h/db/failure")),
            (
                templ,
                &hash,
                Err("the topic \"backups/h/a/#/failure\" is empty or holds a wildcard"),
            ),
            (
                "{url: 'mqtt://b', topic: '{{ \"\" }}'}",
                &same,
                Err("the topic \"\" is empty"),
            ),
            (
                "{url: 'mqtt://b', topic: 'x/{{ endpoint.name }}/+'}",
                &same,
                Err("the topic \"x/e/+\""),
            ),
        ];
        for (keys, change, want) in rows {
            let ch = channel("mqtt", keys);
            let mut ev = event("backup_failure", None);
            change(&mut ev);
            let msg = Message {
                event: &ev,
                title: "T".into(),
                body: "B".into(),
                endpoint: "e",
                kind: "mqtt",
            };
            match (ch.prepare(&msg), want) {
                (Ok(out), Ok(topic)) => {
                    let m = one(&out);
                    assert_eq!(m.messages[0].topic, topic, "{keys}");
                    if keys == plain {
                        let status = topic.rsplit_once('/').unwrap().0;
                        assert_eq!(m.messages[1].topic, format!("{status}/status"), "{keys}");
                    }
                }
                (Err(e), Err(says)) => {
                    assert!(e.message.starts_with(says), "{keys}: {}", e.message)
                }
                (got, _) => panic!("{keys}: {got:?}"),
            }
        }
    }

    /// Hostile title and a 10,000-character body arrive exactly as written in the event
    /// JSON (MQTT carries bytes; no limit applies at this size).
    #[test]
    fn hostile_text_round_trips() {
        let ch = channel("mqtt", "{url: 'mqtt://b', username: u, password: p}");
        let long = hostile_log_body();
        let out = prepare_texts_ok(&*ch, &event("backup_failure", None), HOSTILE_TITLE, &long);
        let sent = payload(&one(&out).messages[0]);
        assert_eq!(sent["title"], HOSTILE_TITLE);
        assert_eq!(sent["body"], long.as_str());
    }
}
