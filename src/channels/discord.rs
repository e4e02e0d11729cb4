//! `discord`: an incoming webhook with one embed coloured by status (the title as its
//! title, the body as its description); user text escaped for Discord markdown except
//! URLs, which stay byte for byte; mentions disabled; every Discord length limit respected.

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
    name: "discord",
    http: true,
    keys: super::fields_of::<Discord>,
    build: super::build::<Discord>,
};

/// A Discord webhook.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct Discord {
    url: String,
    username: Option<String>,
    avatar_url: Option<String>,
}

/// Execute Webhook with files (Discord API docs, "Uploading Files"; discord-api-types
/// `RESTPostAPIWebhookWithTokenFormDataBody`): a `multipart/form-data` body whose
/// `payload_json` field holds the JSON message and whose `files[n]` fields hold the files;
/// the message's `attachments` array names each file by `id` = n and `filename`.
/// Discord's upload limit for webhooks without boosts is 8 MiB (the default cut here).
fn with_files(url: &str, mut body: Value, files: &[crate::attach::Attachment]) -> HttpRequest {
    body["attachments"] = files
        .iter()
        .enumerate()
        .map(|(i, a)| json!({"id": i, "filename": a.name}))
        .collect();
    let payload = serde_json::to_vec(&body).unwrap_or_default();
    let names: Vec<String> = (0..files.len()).map(|i| format!("files[{i}]")).collect();
    let mut parts = vec![super::Part {
        name: "payload_json",
        filename: None,
        content_type: Some("application/json"),
        data: super::PartData::Bytes(&payload),
    }];
    for (a, name) in files.iter().zip(&names) {
        parts.push(super::Part {
            name,
            filename: Some(&a.name),
            content_type: Some(&a.content_type),
            data: super::PartData::File(a),
        });
    }
    let (ct, bytes) = super::multipart(&parts);
    HttpRequest::new("POST", url)
        .header("Content-Type", ct)
        .body(bytes)
}

/// Colours by status: start blue, success green, failure red, info grey.
pub(crate) const COLOURS: [u32; 4] = [0x3498DB, 0x2ECC71, 0xE74C3C, 0x95A5A6];

impl super::Channel for Discord {
    fn prepare(&self, msg: &Message) -> Result<Vec<Outgoing>, DeliveryError> {
        let ev = msg.event;
        // Embed text limits (UTF-16 units, as Discord counts): title 256, description
        // 4096, footer 2048; all embed text together 6000. The title is shown once, as
        // the embed's title; the body is the description.
        let title = cut(&msg.title, 256, Unit::Utf16, escape::discord);
        let footer = cut(&super::slack::context(msg), 256, Unit::Utf16, plain);
        let budget = 6000 - Unit::Utf16.len(&title) - Unit::Utf16.len(&footer);
        let description = cut(&msg.body, budget.min(4096), Unit::Utf16, escape::discord);
        let mut embed = json!({
            "title": title,
            "description": description,
            "color": by_status(ev.status, COLOURS),
            "footer": {"text": footer},
        });
        if let (true, Some(e)) = (description.is_empty(), embed.as_object_mut()) {
            e.remove("description");
        }
        if time::OffsetDateTime::parse(
            &ev.timestamp,
            &time::format_description::well_known::Rfc3339,
        )
        .is_ok()
        {
            embed["timestamp"] = Value::String(ev.timestamp.clone());
        }
        let mut body = json!({
            "embeds": [embed],
            "allowed_mentions": {"parse": []},
        });
        if let Some(u) = &self.username {
            body["username"] = Value::String(u.clone());
        }
        if let Some(a) = &self.avatar_url {
            body["avatar_url"] = Value::String(a.clone());
        }
        if ev.attachments.is_empty() {
            let req = HttpRequest::post_json(self.url.clone(), &body);
            return Ok(vec![Outgoing::Http(req)]);
        }
        Ok(vec![Outgoing::Http(with_files(
            &self.url,
            body,
            &ev.attachments,
        ))])
    }

    fn carries_attachments(&self) -> bool {
        true
    }

    fn check(&self, reply: &Reply) -> Result<(), DeliveryError> {
        super::check_with_body_wait(reply, "/retry_after")
    }

    fn secrets(&self) -> Vec<String> {
        super::last_segment(&self.url)
            .map(str::to_string)
            .into_iter()
            .collect()
    }

    fn validate(&self) -> Result<(), Invalid> {
        check_url("url", &self.url)?;
        if let Some(a) = &self.avatar_url {
            check_url("avatar_url", a)?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod prepare_table {
    use std::time::Duration;

    use crate::channels::testkit::{
        channel, event, hostile_body, http, json, prepare, prepare_texts_ok, reply_of,
        HOSTILE_TITLE,
    };
    use crate::render::Unit;
    use serde_json::{json, Value};

    const HOOK: &str = "https://discord.com/api/webhooks/1234/tok-_en";

    /// Rows: extra keys, event, colour, `username`, `avatar_url` (None: absent).
    #[test]
    fn one_embed_coloured_by_status_and_the_overrides() {
        for (extra, ev, colour, username, avatar) in [
            ("", "backup_start", 0x3498DB, None, None),
            ("", "backup_success", 0x2ECC71, None, None),
            ("", "backup_failure", 0xE74C3C, None, None),
            ("", "user_login", 0x95A5A6, None, None),
            (
                ", username: Backups, avatar_url: 'https://img.example/b.png'",
                "test",
                0x95A5A6,
                Some("Backups"),
                Some("https://img.example/b.png"),
            ),
            (
                ", username: 'Nightly DB'",
                "backup_failure",
                0xE74C3C,
                Some("Nightly DB"),
                None,
            ),
        ] {
            let keys = format!("{{url: '{HOOK}'{extra}}}");
            let out = prepare(&*channel("discord", &keys), &event(ev, None));
            let reqs = http(&out);
            assert_eq!(reqs.len(), 1, "{keys}");
            let h = reqs[0];
            assert_eq!(
                (h.method.as_str(), h.url.as_str()),
                ("POST", HOOK),
                "{keys}"
            );
            let ct = h.headers.iter().find(|(k, _)| k == "Content-Type");
            assert_eq!(ct.map(|(_, v)| v.as_str()), Some("application/json"));
            let body = json(h);
            let embeds = body["embeds"].as_array().unwrap();
            assert_eq!(embeds.len(), 1, "{ev}");
            let e = &embeds[0];
            assert_eq!(e["color"], colour, "{ev}");
            assert_eq!((&e["title"], &e["description"]), (&json!("T"), &json!("B")));
            let footer = e["footer"]["text"].as_str().unwrap();
            assert!(footer.starts_with(&format!("{ev} · db · h · ")), "{footer}");
            assert!(
                e["timestamp"].as_str().is_some_and(|t| t.ends_with('Z')),
                "{e}"
            );
            assert!(
                body.get("content").is_none(),
                "{ev}: the title is shown once"
            );
            assert_eq!(body["allowed_mentions"], json!({"parse": []}), "no pings");
            assert_eq!(
                body.get("username").and_then(Value::as_str),
                username,
                "{keys}"
            );
            assert_eq!(
                body.get("avatar_url").and_then(Value::as_str),
                avatar,
                "{keys}"
            );
        }
    }

    /// Discord's limits in UTF-16 units: title 256, description 4096, all embed text
    /// 6000; markdown escaped, URLs byte for byte, the body's end kept.
    #[test]
    fn hostile_text_within_the_embed_limits() {
        let ch = channel("discord", &format!("{{url: '{HOOK}'}}"));
        let ev = event("backup_failure", Some(3));
        let body = hostile_body();
        let out = prepare_texts_ok(&*ch, &ev, HOSTILE_TITLE, &body);
        let e = &json(http(&out)[0])["embeds"][0];
        let url = "https://backup-host.example.com/logs/run_2026-11-30.log?a=1&b=2";
        assert_eq!(
            e["title"],
            format!("Sauvegarde échouée ✗ <b\\>&\"'\\*\\_\\~\\| {url} 🔥")
        );
        let d = e["description"].as_str().unwrap();
        assert!(d.starts_with("START\\-OF\\-LOG\n"), "{}", &d[..40]);
        assert!(d.ends_with("FATAL\\-END"), "the end of the log is kept");
        assert!(
            d.contains("https://h.example/run_1-2.log"),
            "URLs unescaped"
        );
        let len = |v: &Value| Unit::Utf16.len(v.as_str().unwrap_or(""));
        assert!(len(&e["description"]) <= 4096, "{}", len(&e["description"]));
        assert!(len(&e["description"]) > 3000, "{}", len(&e["description"]));
        let long_title = HOSTILE_TITLE.repeat(5);
        let out = prepare_texts_ok(&*ch, &ev, &long_title, &body);
        let e = &json(http(&out)[0])["embeds"][0];
        assert!(len(&e["title"]) <= 256, "{}", len(&e["title"]));
        let total = len(&e["title"]) + len(&e["description"]) + len(&e["footer"]["text"]);
        assert!(total <= 6000, "{total}");
    }

    /// Rows: status, headers, body, delivered, retryable, wait, words of the error.
    #[test]
    fn replies() {
        let ch = channel("discord", &format!("{{url: '{HOOK}'}}"));
        let limited =
            r#"{"message": "You are being rate limited.", "retry_after": 0.5, "global": false}"#;
        for (status, headers, body, ok, retry, wait, words) in [
            (204, &[][..], "", true, false, None, ""),
            (
                200,
                &[][..],
                r#"{"id": "1", "channel_id": "2"}"#,
                true,
                false,
                None,
                "",
            ),
            (
                404,
                &[][..],
                r#"{"code": 10015, "message": "Unknown Webhook"}"#,
                false,
                false,
                None,
                "HTTP 404: {\"code\": 10015, \"message\": \"Unknown Webhook\"}",
            ),
            (
                401,
                &[][..],
                r#"{"code": 50027, "message": "Invalid Webhook Token"}"#,
                false,
                false,
                None,
                "Invalid Webhook Token",
            ),
            (
                400,
                &[][..],
                r#"{"code": 50006, "message": "Cannot send an empty message"}"#,
                false,
                false,
                None,
                "Cannot send an empty message",
            ),
            (
                429,
                &[][..],
                limited,
                false,
                true,
                Some(500),
                "rate limited",
            ),
            (
                429,
                &[("Retry-After", "2")][..],
                limited,
                false,
                true,
                Some(2000),
                "429",
            ),
            (502, &[][..], "", false, true, None, "HTTP 502"),
        ] {
            let got = ch.check(&reply_of(status, headers, body));
            assert_eq!(got.is_ok(), ok, "{status}");
            if let Err(e) = got {
                assert_eq!(e.retryable, retry, "{status}");
                assert_eq!(e.retry_after, wait.map(Duration::from_millis), "{status}");
                assert!(e.message.contains(words), "{status}: {}", e.message);
            }
        }
    }
}
