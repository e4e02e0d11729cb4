//! `matrix`: the Client-Server API (<https://spec.matrix.org/latest/client-server-api/>)
//! with an access token (`Authorization: Bearer`). Requests, in order:
//!
//! 1. for a `#alias:server` room, `GET /_matrix/client/v3/directory/room/{alias}`, whose
//!    `room_id` (and `servers`, to join through: `via` and the older `server_name`) fill in
//!    the later requests ([`follow`]);
//! 2. `POST /_matrix/client/v3/join/{roomId}`: joins when not yet a member; for a member
//!    it changes nothing, so it is sent every time instead of asking first;
//! 3. `PUT /_matrix/client/v3/rooms/{roomId}/send/m.room.message/{txnId}`: an `m.notice`
//!    with a plain `body` and an HTML `formatted_body` (`org.matrix.custom.html`).
//!
//! The transaction id is derived from the event id, event name and endpoint name, so a
//! retried send is deduplicated by the homeserver while a run's start and end are two
//! messages. The event stays under Matrix's 65,536 bytes.
//!
//! [`follow`]: super::Channel::follow

use crate::redact::Secret;
use percent_encoding::{utf8_percent_encode, AsciiSet, NON_ALPHANUMERIC};
use serde::Deserialize;
use serde_json::{json, Value};
use sha2::{Digest, Sha256};

use super::{
    check_url, ChannelType, DeliveryError, HttpRequest, Invalid, Message, Outgoing, Reply,
};
use crate::render::{cut_plain, escape, Unit};

/// Registry row.
pub(crate) const TYPE: ChannelType = ChannelType {
    name: "matrix",
    http: true,
    keys: super::fields_of::<Matrix>,
    build: super::build::<Matrix>,
};

/// The plain `body`, in JSON bytes.
pub(crate) const MAX_BODY: usize = 24_000;
/// The HTML `formatted_body`, in JSON bytes: with `body`, well under Matrix's 65,536-byte limit on a whole event.
pub(crate) const MAX_FORMATTED: usize = 32_000;
/// Stands for the room id in a URL until the alias is resolved.
pub(crate) const ROOM_ID: &str = "{room_id}";

/// A Matrix account (its access token) posting to one room.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct Matrix {
    url: String,
    access_token: Secret,
    room: String,
}

/// Percent-encoding of one path segment.
const SEGMENT: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'_')
    .remove(b'.')
    .remove(b'~');

fn segment(s: &str) -> String {
    utf8_percent_encode(s, SEGMENT).to_string()
}

/// `s` as it appears inside a JSON string (for counting bytes on the wire).
fn json_text(s: &str) -> String {
    let j = serde_json::to_string(s).unwrap_or_default();
    j.get(1..j.len().saturating_sub(1))
        .unwrap_or_default()
        .to_string()
}

/// HTML for `formatted_body`: entities, and `<br>` for line breaks.
pub(crate) fn html(s: &str) -> String {
    escape::entities(s)
        .replace('"', "&quot;")
        .replace('\n', "<br>")
}

fn html_json(s: &str) -> String {
    json_text(&html(s))
}

/// The transaction id: hex SHA-256 of event id, event name and endpoint name.
pub(crate) fn txn_id(msg: &Message) -> String {
    let mut h = Sha256::new();
    for part in [&msg.event.id, &msg.event.event, msg.endpoint] {
        h.update(part.as_bytes());
        h.update([0]);
    }
    h.finalize()
        .iter()
        .take(16)
        .map(|b| format!("{b:02x}"))
        .collect()
}

impl Matrix {
    fn api(&self, path: &str) -> String {
        super::join_url(&self.url, &format!("_matrix/client/v3/{path}"))
    }

    fn request(&self, method: &str, path: &str) -> HttpRequest {
        HttpRequest::new(method, self.api(path)).header(
            "Authorization",
            format!("Bearer {}", self.access_token.expose()),
        )
    }

    fn content(msg: &Message) -> Value {
        let text = if msg.body.trim().is_empty() {
            msg.title.clone()
        } else {
            format!("{}\n\n{}", msg.title, msg.body)
        };
        let body = cut_plain(&text, MAX_BODY, Unit::Bytes, json_text);
        let title = cut_plain(&msg.title, 1000, Unit::Bytes, html_json);
        let head = format!("<b>{}</b>", html(&title));
        let formatted = if msg.body.trim().is_empty() {
            head
        } else {
            let rest = MAX_FORMATTED - head.len() - 8;
            let b = cut_plain(&msg.body, rest, Unit::Bytes, html_json);
            format!("{head}<br><br>{}", html(&b))
        };
        json!({
            "msgtype": "m.notice",
            "body": body,
            "format": "org.matrix.custom.html",
            "formatted_body": formatted,
        })
    }
}

impl super::Channel for Matrix {
    fn prepare(&self, msg: &Message) -> Result<Vec<Outgoing>, DeliveryError> {
        let mut out = Vec::new();
        let room = if self.room.starts_with('#') {
            out.push(self.request("GET", &format!("directory/room/{}", segment(&self.room))));
            ROOM_ID.to_string()
        } else {
            segment(&self.room)
        };
        let mut join = self
            .request("POST", &format!("join/{room}"))
            .json(&json!({}));
        if let Some((_, server)) = self.room.split_once(':').filter(|_| room != ROOM_ID) {
            let server = segment(server);
            join.url = format!("{}?via={server}&server_name={server}", join.url);
        }
        out.push(join);
        let send = self
            .request(
                "PUT",
                &format!("rooms/{room}/send/m.room.message/{}", txn_id(msg)),
            )
            .json(&Matrix::content(msg));
        out.push(send);
        Ok(out.into_iter().map(Outgoing::Http).collect())
    }

    fn check(&self, reply: &Reply) -> Result<(), DeliveryError> {
        let v: Option<Value> = serde_json::from_slice(&reply.body).ok();
        let errcode = v
            .as_ref()
            .and_then(|v| v.get("errcode"))
            .and_then(Value::as_str);
        let describe = |status: u16| {
            let error = v
                .as_ref()
                .and_then(|v| v.get("error"))
                .and_then(Value::as_str)
                .unwrap_or("");
            format!("Matrix {status}: {} {error}", errcode.unwrap_or(""))
                .trim()
                .to_string()
        };
        if let Err(mut e) = reply.default_check() {
            if errcode.is_some() {
                e.message = describe(reply.status);
            }
            if e.retryable && e.retry_after.is_none() {
                e.retry_after = v
                    .as_ref()
                    .and_then(|v| v.get("retry_after_ms"))
                    .and_then(Value::as_u64)
                    .map(std::time::Duration::from_millis);
            }
            return Err(e);
        }
        match errcode {
            Some(_) => Err(DeliveryError::new(describe(reply.status)).status(reply.status)),
            None => Ok(()),
        }
    }

    /// The room id an alias resolved to goes into the join and send URLs; the servers
    /// that know the room become the join's `server_name`s.
    fn follow(&self, reply: &Reply, later: &mut HttpRequest) -> Result<(), DeliveryError> {
        if !later.url.contains(ROOM_ID) {
            return Ok(());
        }
        let v: Value = serde_json::from_slice(&reply.body).unwrap_or(Value::Null);
        let Some(id) = v.get("room_id").and_then(Value::as_str) else {
            return Err(DeliveryError::new(format!(
                "Matrix gave no room id for {}: {}",
                self.room,
                reply.snippet()
            )));
        };
        later.url = later.url.replace(ROOM_ID, &segment(id));
        if later.url.contains("/join/") {
            let servers: Vec<String> = v
                .get("servers")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
                .filter_map(Value::as_str)
                .take(3)
                .map(segment)
                .collect();
            if !servers.is_empty() {
                // `via` since Matrix 1.12; `server_name` for older homeservers.
                let query: Vec<String> = ["via", "server_name"]
                    .iter()
                    .flat_map(|k| servers.iter().map(move |s| format!("{k}={s}")))
                    .collect();
                later.url = format!("{}?{}", later.url, query.join("&"));
            }
        }
        Ok(())
    }

    fn validate(&self) -> Result<(), Invalid> {
        check_url("url", &self.url)?;
        let ok = (self.room.starts_with('!') || self.room.starts_with('#'))
            && self.room.len() > 1
            && !self.room.contains(char::is_whitespace);
        let alias_ok = !self.room.starts_with('#') || self.room.contains(':');
        if ok && alias_ok {
            Ok(())
        } else {
            Err(Invalid::key(
                "room",
                format!("room \"{}\" is not a Matrix room id or alias", self.room),
            )
            .hint("write !roomid:example.org or #alias:example.org (quote it in YAML)"))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::event::Event;

    /// Matrix's limit on a whole event, in bytes.
    const MAX_EVENT: usize = 65_536;

    fn msg<'a>(ev: &'a Event, endpoint: &'a str) -> Message<'a> {
        Message {
            event: ev,
            title: "t".into(),
            body: "b".into(),
            endpoint,
            kind: "matrix",
        }
    }

    #[test]
    fn txn_id_is_stable_and_tells_events_and_endpoints_apart() {
        let mut ev = Event::sample("backup_start", || "h".into());
        ev.id = "run-1".into();
        let start = txn_id(&msg(&ev, "m"));
        assert_eq!(start, txn_id(&msg(&ev, "m")), "a retry reuses it");
        assert_ne!(start, txn_id(&msg(&ev, "m2")), "another endpoint");
        let mut end = ev.clone();
        end.event = "backup_failure".into();
        assert_ne!(start, txn_id(&msg(&end, "m")), "start and end of one run");
        assert_eq!(start.len(), 32);
        assert!(start.chars().all(|c| c.is_ascii_hexdigit()));
    }

    #[test]
    fn a_huge_hostile_message_fits_one_event() {
        let ev = Event::sample("backup_failure", || "h".into());
        let line = "<b>&\"'*_~| 日本語 🔥 \\ \u{1}\n";
        let m = Message {
            event: &ev,
            title: line.repeat(200),
            body: line.repeat(2000),
            endpoint: "m",
            kind: "matrix",
        };
        let content = serde_json::to_vec(&Matrix::content(&m)).unwrap();
        // The homeserver adds its own keys (sender, room, ids, signatures) around content.
        assert!(content.len() + 2_048 < MAX_EVENT, "{} bytes", content.len());
        let v: Value = serde_json::from_slice(&content).unwrap();
        assert!(
            v["body"].as_str().unwrap().starts_with("<b>&\"'"),
            "plain body keeps the text"
        );
        assert!(v["formatted_body"]
            .as_str()
            .unwrap()
            .contains("&lt;b&gt;&amp;"));
    }

    #[test]
    fn html_escapes_and_breaks_lines() {
        assert_eq!(html("a<b>&\"c\"\nd"), "a&lt;b&gt;&amp;&quot;c&quot;<br>d");
    }
}

#[cfg(test)]
#[path = "prepare_tables/matrix.rs"]
mod prepare_table;
