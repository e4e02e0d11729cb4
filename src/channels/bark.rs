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
        // bark-server reads the last segment of any URL but `/push` as the device key,
        // over the body's: next to a server's base URL (no route: 404) or another key's
        // URL, device_key would never reach its device.
        if let Some(k) = self.pick(|o| &o.device_key) {
            if !self.is_push() && super::last_segment(&self.url) != Some(k.as_str()) {
                return Err(Invalid::key(
                    "device_key",
                    "device_key needs a url ending in /push: bark-server reads the end of any other URL as the device key",
                )
                .hint("url: https://api.day.app/push (or your server's …/push) with device_key, or the key at the end of url without device_key"));
            }
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
    use serde_json::{json, Value};

    use super::super::testkit::{
        channel, event, hostile_long_body, http, json, prepare, prepare_with_texts, reply_of,
        HOSTILE_TITLE,
    };

    /// The JSON body bark-server reads, after checking the request's method, URL and type.
    fn sent(keys: &str, ev: &str) -> (String, Value) {
        let ch = channel("bark", keys);
        ch.validate().unwrap();
        let out = prepare(&*ch, &event(ev, None));
        assert_eq!(out.len(), 1, "{keys}");
        let h = http(&out)[0];
        assert_eq!(h.method, "POST", "{keys}");
        assert!(
            h.headers
                .iter()
                .any(|(k, v)| k == "Content-Type" && v == "application/json; charset=utf-8"),
            "{keys}"
        );
        (h.url.clone(), json(h))
    }

    /// Level by status unless set; the device key in the body for `/push`, in the URL
    /// otherwise; every option as its bark-server field; `bark:` keys over top-level ones.
    #[test]
    fn each_key_and_status_shapes_the_push() {
        let push = "https://api.day.app/push";
        let base = json!({"title": "T", "body": "B", "device_key": "k"});
        let with = |extra: Value| {
            let mut v = base.clone();
            for (k, x) in extra.as_object().unwrap() {
                if x.is_null() {
                    v.as_object_mut().unwrap().remove(k);
                } else {
                    v[k] = x.clone();
                }
            }
            v
        };
        let rows: Vec<(&str, &str, &str, Value)> = vec![
            ("{device_key: k}", "backup_start", push, with(json!({"level": "active"}))),
            ("{device_key: k}", "backup_success", push, with(json!({"level": "passive"}))),
            ("{device_key: k}", "backup_failure", push, with(json!({"level": "critical"}))),
            ("{device_key: k}", "user_login", push, with(json!({"level": "active"}))),
            (
                "{url: 'http://127.0.0.1:8080/bark/push/', device_key: k, level: timeSensitive}",
                "backup_failure",
                "http://127.0.0.1:8080/bark/push/",
                with(json!({"level": "timeSensitive"})),
            ),
            // The key in the URL: the route names the device, the body does not.
            (
                "{url: 'https://api.day.app/dEvKeY123'}",
                "backup_failure",
                "https://api.day.app/dEvKeY123",
                with(json!({"level": "critical", "device_key": null})),
            ),
            (
                "{device_key: k, group: backups, sound: alarm, badge: 3, icon: 'https://x.example/i.png', click_url: 'https://x.example/run_1-a'}",
                "backup_success",
                push,
                with(json!({"level": "passive", "group": "backups", "sound": "alarm", "badge": 3,
                    "icon": "https://x.example/i.png", "url": "https://x.example/run_1-a"})),
            ),
            // Markdown replaces `body` (the app renders it).
            (
                "{device_key: k, markdown: true}",
                "backup_failure",
                push,
                with(json!({"level": "critical", "body": null, "markdown": "B"})),
            ),
            (
                "{device_key: k, markdown: false}",
                "backup_failure",
                push,
                with(json!({"level": "critical"})),
            ),
            // Prime Backup's nested form wins over the top-level keys, title and body too.
            (
                "{device_key: top, group: g1, sound: s1, badge: 1, icon: i1, click_url: c1, level: active, markdown: false, bark: {device_key: nested, group: g2, sound: s2, badge: 2, icon: i2, click_url: c2, level: passive, markdown: true, title: Custom, body: 'Custom *body*'}}",
                "backup_failure",
                push,
                json!({"title": "Custom", "markdown": "Custom \\*body\\*", "level": "passive",
                    "device_key": "nested", "group": "g2", "sound": "s2", "badge": 2,
                    "icon": "i2", "url": "c2"}),
            ),
        ];
        for (keys, ev, url, want) in rows {
            let (got_url, got) = sent(keys, ev);
            assert_eq!(got_url, url, "{keys}");
            assert_eq!(got, want, "{keys} {ev}");
        }
        assert_eq!(
            channel("bark", "{url: 'https://api.day.app/dEvKeY123'}").secrets(),
            ["dEvKeY123"]
        );
        assert_eq!(
            channel("bark", "{device_key: k, bark: {device_key: n}}").secrets(),
            ["n"]
        );
    }

    /// Keys bark-server would refuse are refused before sending.
    #[test]
    fn refused_keys() {
        for (keys, key) in [
            ("{url: 'https://api.day.app/push'}", "device_key"),
            ("{device_key: k, level: urgent}", "level"),
            ("{device_key: k, bark: {level: loud}}", "level"),
            ("{url: 'api.day.app/k'}", "url"),
            // bark-server would read the URL's end, not device_key, as the device.
            ("{url: 'https://api.day.app', device_key: k}", "device_key"),
            (
                "{url: 'https://bark.example.com/prefix/', device_key: k}",
                "device_key",
            ),
            (
                "{url: 'https://api.day.app/otherkey', bark: {device_key: k}}",
                "device_key",
            ),
        ] {
            let e = channel("bark", keys).validate().unwrap_err();
            assert_eq!(e.key, Some(key), "{keys}: {}", e.message);
        }
        for keys in [
            "{url: 'https://api.day.app/k', device_key: k}",
            "{url: 'https://bark.example.com/prefix/push/', device_key: k}",
            "{url: 'https://api.day.app/k'}",
        ] {
            channel("bark", keys).validate().unwrap();
        }
    }

    /// bark-server's envelope: `code` 200 is success, any other code a failure, whatever
    /// the HTTP status.
    #[test]
    fn replies() {
        let ch = channel("bark", "{device_key: k}");
        let reply = |status: u16, body: &str| {
            reply_of(status, &[("Content-Type", "application/json")], body)
        };
        ch.check(&reply(
            200,
            r#"{"code":200,"message":"success","timestamp":1764540000}"#,
        ))
        .unwrap();
        for (status, body, says, retryable) in [
            (
                400,
                r#"{"code":400,"message":"failed to get device token: device key is empty","timestamp":1}"#,
                "failed to get device token",
                false,
            ),
            (
                200,
                r#"{"code":400,"message":"device key is empty","timestamp":1}"#,
                "Bark answered code 400: device key is empty",
                false,
            ),
            (
                500,
                r#"{"code":500,"message":"push failed: BadDeviceToken","timestamp":1}"#,
                "push failed: BadDeviceToken",
                true,
            ),
        ] {
            let e = ch.check(&reply(status, body)).unwrap_err();
            assert!(e.message.contains(says), "{status}: {}", e.message);
            assert_eq!(e.retryable, retryable, "{status}");
        }
    }

    /// APNs refuses a payload over 4 KiB: title and body stay within 3,000 bytes together,
    /// the title within 512, start and end of the body kept.
    #[test]
    fn hostile_text_fits_apns() {
        let long = hostile_long_body();
        let long_title = format!("{HOSTILE_TITLE} {}", "漢".repeat(400));
        for (keys, field) in [
            ("{device_key: k}", "body"),
            ("{device_key: k, markdown: true}", "markdown"),
        ] {
            for title in [HOSTILE_TITLE, long_title.as_str()] {
                let out = prepare_with_texts(
                    &*channel("bark", keys),
                    &event("backup_failure", None),
                    title,
                    &long,
                )
                .unwrap();
                let v = json(http(&out)[0]);
                let (t, b) = (v["title"].as_str().unwrap(), v[field].as_str().unwrap());
                assert!(t.len() <= 512, "{keys}: title {} bytes", t.len());
                assert!(
                    t.len() + b.len() <= 3000,
                    "{keys}: {} bytes",
                    t.len() + b.len()
                );
                assert!(
                    t.len() + b.len() > 2500,
                    "{keys}: {} bytes",
                    t.len() + b.len()
                );
                assert!(t.starts_with("Sauvegarde échouée ✗ <b>&\"'*_~|"), "{t}");
                assert!(b.starts_with("START") && b.ends_with("END"), "{keys}");
                assert!(b.contains("characters cut"), "{keys}");
            }
        }
        // Markdown: the link is left as written, the markup is escaped.
        let out = prepare_with_texts(
            &*channel("bark", "{device_key: k, markdown: true}"),
            &event("backup_failure", None),
            "T",
            "<b>x</b> https://backup-host.example.com/logs/run_2026-11-30.log?a=1&b=2",
        )
        .unwrap();
        assert_eq!(
            json(http(&out)[0])["markdown"],
            "&lt;b&gt;x&lt;/b&gt; https://backup-host.example.com/logs/run_2026-11-30.log?a=1&b=2"
        );
    }
}
