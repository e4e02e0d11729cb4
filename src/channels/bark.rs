//! `bark`: iOS push through a Bark server. The device key sits in the URL
//! (`https://api.day.app/<key>`) or goes with `/push` as `device_key`; its keys may also
//! sit in a nested `bark:` map (Prime Backup's form). Level by status: success passive,
//! failure critical, else active.

use serde::Deserialize;
use serde_json::{json, Value};

use super::{
    by_status, check_url, ChannelType, DeliveryError, HttpRequest, Invalid, Message, Outgoing,
    Reply,
};
use crate::render::cut::plain;
use crate::render::{cut, escape, Unit};

/// Registry row.
pub(crate) const TYPE: ChannelType = ChannelType {
    name: "bark",
    http: true,
    keys: super::fields_of::<Bark>,
    build: super::build::<Bark>,
};

/// Bytes of title and body together (bark-server passes both to APNs, whose payload limit
/// is 4 KiB with the rest of the notification).
pub(crate) const MAX_TEXT: usize = 3000;
/// Bytes of title at most; the body gets the rest.
pub(crate) const MAX_TITLE: usize = 512;

/// Levels by status: start, success, failure, info.
pub(crate) const LEVELS: [&str; 4] = ["active", "passive", "critical", "active"];

/// A Bark device.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct Bark {
    #[serde(default = "default_url")]
    url: String,
    device_key: Option<String>,
    group: Option<String>,
    level: Option<String>,
    sound: Option<String>,
    badge: Option<i64>,
    icon: Option<String>,
    click_url: Option<String>,
    markdown: Option<bool>,
    #[serde(default)]
    bark: Options,
}

/// Bark's keys under `bark:`; they win over the same keys at the top level.
#[derive(Debug, Deserialize, Default, Clone)]
#[serde(deny_unknown_fields)]
struct Options {
    device_key: Option<String>,
    group: Option<String>,
    level: Option<String>,
    sound: Option<String>,
    badge: Option<i64>,
    icon: Option<String>,
    click_url: Option<String>,
    markdown: Option<bool>,
    title: Option<String>,
    body: Option<String>,
}

fn default_url() -> String {
    "https://api.day.app/push".into()
}

impl Bark {
    /// The options in force: `bark:` keys over top-level ones.
    fn opts(&self) -> Options {
        let b = self.bark.clone();
        Options {
            device_key: b.device_key.or_else(|| self.device_key.clone()),
            group: b.group.or_else(|| self.group.clone()),
            level: b.level.or_else(|| self.level.clone()),
            sound: b.sound.or_else(|| self.sound.clone()),
            badge: b.badge.or(self.badge),
            icon: b.icon.or_else(|| self.icon.clone()),
            click_url: b.click_url.or_else(|| self.click_url.clone()),
            markdown: b.markdown.or(self.markdown),
            title: b.title,
            body: b.body,
        }
    }

    fn pick<T: Clone>(&self, f: impl Fn(&Options) -> &Option<T>) -> Option<T> {
        f(&self.opts()).clone()
    }

    fn is_push(&self) -> bool {
        super::url_path(&self.url)
            .trim_end_matches('/')
            .ends_with("/push")
    }

    fn key(&self) -> Option<String> {
        self.pick(|o| &o.device_key).or_else(|| {
            (!self.is_push())
                .then(|| super::last_segment(&self.url).map(str::to_string))
                .flatten()
        })
    }
}

impl super::Channel for Bark {
    fn prepare(&self, msg: &Message) -> Result<Vec<Outgoing>, DeliveryError> {
        let status = msg.event.status;
        let title = self.pick(|o| &o.title).unwrap_or_else(|| msg.title.clone());
        let text = self.pick(|o| &o.body).unwrap_or_else(|| msg.body.clone());
        let level = self
            .pick(|o| &o.level)
            .unwrap_or_else(|| by_status(status, LEVELS).into());
        // APNs refuses a payload over 4 KiB: title and body together stay within 3,000
        // bytes, the body cut (start and end kept) to what the title leaves.
        let title = cut(&title, MAX_TITLE, Unit::Bytes, plain);
        let room = MAX_TEXT - title.len();
        let mut body = json!({"title": title, "level": level});
        if self.pick(|o| &o.markdown).unwrap_or(false) {
            body["markdown"] = Value::String(cut(&text, room, Unit::Bytes, escape::markdown));
        } else {
            body["body"] = Value::String(cut(&text, room, Unit::Bytes, plain));
        }
        if self.is_push() {
            body["device_key"] = json!(self.key());
        }
        let put = |body: &mut Value, k: &str, v: Option<Value>| {
            if let Some(v) = v {
                body[k] = v;
            }
        };
        put(
            &mut body,
            "group",
            self.pick(|o| &o.group).map(|v| json!(v)),
        );
        put(
            &mut body,
            "sound",
            self.pick(|o| &o.sound).map(|v| json!(v)),
        );
        put(
            &mut body,
            "badge",
            self.pick(|o| &o.badge).map(|v| json!(v)),
        );
        put(&mut body, "icon", self.pick(|o| &o.icon).map(|v| json!(v)));
        put(
            &mut body,
            "url",
            self.pick(|o| &o.click_url).map(|v| json!(v)),
        );
        let req = HttpRequest::new("POST", self.url.clone())
            .header("Content-Type", "application/json; charset=utf-8")
            .body(serde_json::to_vec(&body).unwrap_or_default());
        Ok(vec![Outgoing::Http(req)])
    }

    fn check(&self, reply: &Reply) -> Result<(), DeliveryError> {
        reply.default_check()?;
        let v: Value = serde_json::from_slice(&reply.body).unwrap_or(Value::Null);
        match v["code"].as_i64() {
            Some(200) | None => Ok(()),
            Some(code) => Err(DeliveryError::new(format!(
                "Bark answered code {code}: {}",
                v["message"].as_str().unwrap_or("")
            ))),
        }
    }

    fn secrets(&self) -> Vec<String> {
        self.key().into_iter().collect()
    }

    fn validate(&self) -> Result<(), Invalid> {
        check_url("url", &self.url)?;
        if self.key().is_none() {
            return Err(Invalid::key("device_key", "no device key: put it in the URL or set device_key")
                .hint("url: https://api.day.app/<your_key>, or url: https://api.day.app/push with device_key"));
        }
        if let Some(l) = self.pick(|o| &o.level) {
            if !["active", "timeSensitive", "passive", "critical"].contains(&l.as_str()) {
                return Err(Invalid::key("level", format!("unknown level \"{l}\""))
                    .hint("use active, timeSensitive, passive or critical"));
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod prepare_table {
    use super::super::testkit::{channel, event, http, json, prepare};

    #[test]
    fn level_by_status_unless_set() {
        for (keys, ev, want) in [
            (
                "{url: 'https://api.day.app/push', device_key: k}",
                "backup_failure",
                "critical",
            ),
            (
                "{url: 'https://api.day.app/push', device_key: k}",
                "backup_success",
                "passive",
            ),
            (
                "{url: 'https://api.day.app/push', device_key: k}",
                "backup_start",
                "active",
            ),
            (
                "{url: 'https://api.day.app/push', device_key: k, level: timeSensitive}",
                "backup_failure",
                "timeSensitive",
            ),
        ] {
            let out = prepare(&*channel("bark", keys), &event(ev, None));
            let body = json(http(&out)[0]);
            assert_eq!(body["level"], want, "{keys} {ev}");
            assert_eq!(body["device_key"], "k", "{keys} {ev}");
        }
    }
}
