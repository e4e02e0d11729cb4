//! `ntfy`: `POST {url}/{topic}` with the message as the body and Title, Priority, Tags
//! (and Markdown) headers; priority and tags by status unless configured.

use crate::redact::Secret;
use base64::Engine;
use serde::Deserialize;

use super::{
    by_status, check_url, ChannelType, DeliveryError, HttpRequest, Invalid, Message, Outgoing,
    Reply,
};
use crate::render::cut::plain;
use crate::render::{cut, escape, Unit};

/// Registry row.
pub(crate) const TYPE: ChannelType = ChannelType {
    name: "ntfy",
    http: true,
    keys: super::fields_of::<Ntfy>,
    build: super::build::<Ntfy>,
};

/// Default priorities (1–5): start, success, failure, info.
pub(crate) const PRIORITIES: [u8; 4] = [2, 3, 4, 3];
/// Default tags (emoji short codes): start, success, failure, info.
pub(crate) const TAGS: [&str; 4] = [
    "arrow_forward",
    "white_check_mark",
    "rotating_light",
    "information_source",
];
/// Bytes of message ntfy takes as text: the server reads a body of 4,096 bytes or more as
/// a file (`attachment.txt`), and answers 400 where attachments are off.
pub(crate) const MAX_BYTES: usize = 4095;
/// Bytes of title at most: it travels in a header, and servers and proxies cap those.
pub(crate) const MAX_TITLE: usize = 1024;
/// Bytes of message sent in the `Message` header next to a file (header size limits of
/// proxies are often 8 KiB for all headers together; base64 adds a third).
pub(crate) const MAX_HEADER: usize = 2048;

/// An ntfy topic.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct Ntfy {
    #[serde(default = "default_url")]
    url: String,
    topic: String,
    token: Option<Secret>,
    user: Option<String>,
    password: Option<Secret>,
    priority: Option<u8>,
    tags: Option<Vec<String>>,
    #[serde(default)]
    markdown: bool,
}

fn default_url() -> String {
    "https://ntfy.sh".into()
}

impl Ntfy {
    fn auth(&self) -> Option<String> {
        match (&self.token, &self.user, &self.password) {
            (Some(t), _, _) => Some(format!("Bearer {}", t.expose())),
            (None, Some(u), Some(p)) => Some(super::basic_auth(u, p.expose())),
            _ => None,
        }
    }
}

impl super::Channel for Ntfy {
    fn independent_requests(&self) -> bool {
        true
    }

    fn prepare(&self, msg: &Message) -> Result<Vec<Outgoing>, DeliveryError> {
        let status = msg.event.status;
        let esc: fn(&str) -> String = if self.markdown {
            escape::markdown
        } else {
            plain
        };
        let source = if msg.body.trim().is_empty() {
            &msg.title
        } else {
            &msg.body
        };
        let text = cut(source, MAX_BYTES, Unit::Bytes, esc);
        let tags = match &self.tags {
            Some(t) => t.join(","),
            None => by_status(status, TAGS).to_string(),
        };
        let priority = self
            .priority
            .unwrap_or_else(|| by_status(status, PRIORITIES));
        let mut req = HttpRequest::new("POST", super::join_url(&self.url, &self.topic))
            .header("Content-Type", "text/plain; charset=utf-8")
            .header(
                "Title",
                header_text(&cut(&msg.title, MAX_TITLE, Unit::Bytes, plain)),
            )
            .header("Priority", priority.to_string())
            .header("Tags", tags)
            .body(text.clone().into_bytes());
        if self.markdown {
            req = req.header("Markdown", "yes");
        }
        if let Some(a) = self.auth() {
            req = req.header("Authorization", a);
        }
        if msg.event.attachments.is_empty() {
            return Ok(vec![Outgoing::Http(req)]);
        }
        // With files: one PUT per file, the file as the body, the message in a header.
        let note = cut(source, MAX_HEADER, Unit::Bytes, esc).replace('\n', "\\n");
        Ok(msg
            .event
            .attachments
            .iter()
            .map(|a| {
                let mut put = req.clone();
                put.method = "PUT".into();
                put.headers.retain(|(k, _)| k != "Content-Type");
                put.headers.push(("Filename".into(), header_text(&a.name)));
                put.headers.push(("Message".into(), header_text(&note)));
                put.body = crate::body::Body::new().file(a);
                Outgoing::Http(put)
            })
            .collect())
    }

    fn carries_attachments(&self) -> bool {
        true
    }

    fn check(&self, reply: &Reply) -> Result<(), DeliveryError> {
        reply.default_check().map_err(|mut e| {
            if let Some(d) = super::json_field(reply, "error") {
                e.message = format!("ntfy {}: {d}", reply.status);
            }
            e
        })
    }

    fn secrets(&self) -> Vec<String> {
        // On a public server the topic is the secret: anyone who knows it can read it.
        let mut s = vec![self.topic.clone()];
        if let Some(a) = self.auth() {
            s.extend(a.split_once(' ').map(|(_, c)| c.to_string()));
        }
        s
    }

    fn validate(&self) -> Result<(), Invalid> {
        check_url("url", &self.url)?;
        if self.topic.is_empty() || self.topic.contains('/') {
            return Err(Invalid::key(
                "topic",
                "topic must be one path segment, e.g. backups-prod",
            ));
        }
        if self.token.is_some() && (self.user.is_some() || self.password.is_some()) {
            return Err(Invalid::key(
                "token",
                "set either token or user/password, not both",
            ));
        }
        if self.user.is_some() != self.password.is_some() {
            return Err(
                Invalid::key("user", "user and password go together").hint("add the missing one")
            );
        }
        if let Some(p) = self.priority {
            if !(1..=5).contains(&p) {
                return Err(Invalid::key(
                    "priority",
                    format!("priority {p} is not 1 to 5"),
                ));
            }
        }
        Ok(())
    }
}

/// A header value: ASCII as is, anything else RFC 2047 encoded (ntfy decodes it).
fn header_text(s: &str) -> String {
    let s: String = s
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect();
    if s.is_ascii() {
        s
    } else {
        format!(
            "=?UTF-8?B?{}?=",
            base64::engine::general_purpose::STANDARD.encode(s)
        )
    }
}

#[cfg(test)]
mod tests {
    use super::super::testkit::{channel, event, http, prepare};

    #[test]
    fn priority_header_by_status_unless_set() {
        for (keys, ev, want) in [
            ("{topic: t1}", "backup_failure", "4"),
            ("{topic: t1}", "backup_success", "3"),
            ("{topic: t1}", "backup_start", "2"),
            ("{topic: t1, priority: 5}", "backup_success", "5"),
        ] {
            let out = prepare(&*channel("ntfy", keys), &event(ev, None));
            let h = http(&out)[0];
            assert_eq!(h.url, "https://ntfy.sh/t1", "{keys}");
            let p = h
                .headers
                .iter()
                .find(|(k, _)| k == "Priority")
                .map(|(_, v)| v.as_str());
            assert_eq!(p, Some(want), "{keys} {ev}");
        }
    }
}
