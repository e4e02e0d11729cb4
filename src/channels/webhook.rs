//! `webhook`: a JSON POST (or PUT) in one of five formats, with an optional
//! `X-Webhook-Token` and an HMAC signature over the exact bytes sent.

use crate::redact::Secret;
use serde::Deserialize;
use serde_json::{json, Value};
use time::format_description::well_known::Rfc3339;
use time::macros::format_description;
use time::{OffsetDateTime, UtcOffset};

use super::{check_url, ChannelType, DeliveryError, HttpRequest, Invalid, Message, Outgoing};
use crate::event::{Event, Status};
use crate::signing::{Scheme, Signing};

/// Registry row.
pub(crate) const TYPE: ChannelType = ChannelType {
    name: "webhook",
    http: true,
    keys: super::fields_of::<Webhook>,
    build: super::build::<Webhook>,
};

/// A generic webhook endpoint.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct Webhook {
    url: String,
    #[serde(default)]
    method: Method,
    token: Option<Secret>,
    #[serde(default)]
    format: Format,
    payload: Option<String>,
    signing: Option<SigningConfig>,
}

#[derive(Debug, Deserialize, Default, Clone, Copy)]
#[serde(rename_all = "UPPERCASE")]
enum Method {
    #[default]
    Post,
    Put,
}

/// Payload formats.
#[derive(Debug, Deserialize, Default, Clone, Copy, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
enum Format {
    #[default]
    Bnotify,
    Backupman,
    Simplebackups,
    K8s,
    Template,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct SigningConfig {
    secret: Secret,
    #[serde(default)]
    scheme: Scheme,
    header: Option<String>,
}

impl super::Channel for Webhook {
    fn prepare(&self, msg: &Message) -> Result<Vec<Outgoing>, DeliveryError> {
        let body = match self.format {
            Format::Template => self.template_body(msg)?.into(),
            Format::Bnotify => with_files(payload(Format::Bnotify, msg), msg),
            f => serde_json::to_vec(&payload(f, msg))
                .unwrap_or_default()
                .into(),
        };
        let method = match self.method {
            Method::Post => "POST",
            Method::Put => "PUT",
        };
        let mut req = HttpRequest::new(method, self.url.clone())
            .header("Content-Type", "application/json")
            .body(body);
        if let Some(t) = &self.token {
            req = req.header("X-Webhook-Token", t.expose());
        }
        req.signing = self.signing.as_ref().map(|s| Signing {
            scheme: s.scheme,
            secret: s.secret.expose().to_string(),
            header: s.header.clone(),
            id: msg.event.id.clone(),
        });
        Ok(vec![Outgoing::Http(req)])
    }

    fn carries_attachments(&self) -> bool {
        self.format == Format::Bnotify
    }

    fn validate(&self) -> Result<(), Invalid> {
        check_url("url", &self.url)?;
        match (self.format, &self.payload) {
            (Format::Template, None) => {
                return Err(Invalid::key(
                    "payload",
                    "format \"template\" needs a \"payload\" template",
                )
                .hint("add payload: '{\"text\": {{ title | tojson }}}'"))
            }
            (Format::Template, Some(p)) => crate::render::check("payload", p)
                .map_err(|e| Invalid::key("payload", e.to_string()))?,
            (_, Some(_)) => {
                return Err(Invalid::key(
                    "payload",
                    "\"payload\" is only used with format: template",
                )
                .hint("add \"format: template\" or remove \"payload\""))
            }
            _ => {}
        }
        if let Some(s) = &self.signing {
            if s.secret.expose().is_empty() {
                return Err(Invalid::key("signing", "signing.secret is empty"));
            }
            if s.scheme == Scheme::Standard && Signing::bad_whsec(s.secret.expose()) {
                return Err(Invalid::key(
                    "signing",
                    "signing.secret starts with whsec_ but is not valid base64",
                )
                .hint("paste the secret exactly as the receiver shows it"));
            }
            if s.scheme == Scheme::Hex && s.header.is_none() {
                return Err(
                    Invalid::key("signing", "scheme \"hex\" needs signing.header")
                        .hint("e.g. header: SB-Signature"),
                );
            }
        }
        Ok(())
    }
}

impl Webhook {
    fn template_body(&self, msg: &Message) -> Result<Vec<u8>, DeliveryError> {
        let src = self.payload.as_deref().unwrap_or("");
        let text = crate::render::render("payload", src, &msg.context())
            .map_err(|e| DeliveryError::new(e.to_string()))?;
        serde_json::from_str::<Value>(&text).map_err(|e| {
            DeliveryError::new(format!(
                "payload template output is not JSON (line {}, column {}: {e})",
                e.line(),
                e.column()
            ))
        })?;
        Ok(text.into_bytes())
    }
}

fn payload(format: Format, msg: &Message) -> Value {
    let ev = msg.event;
    match format {
        Format::Backupman => backupman(ev),
        Format::Simplebackups => simplebackups(ev),
        Format::K8s => json!({
            "status": if ev.status == Status::Failure { "failure" } else { "success" },
            "message": ev.message.clone().unwrap_or_else(|| msg.title.clone()),
            "host": ev.host,
            "volume": field_str(ev, "volume").or_else(|| ev.task.clone()),
        }),
        Format::Bnotify | Format::Template => ev.to_payload(&msg.title, &msg.body),
    }
}

/// The bnotify payload with each attachment's `content_base64`, streamed from the
/// shared file buffer instead of being copied into this endpoint's JSON.
fn with_files(mut v: Value, msg: &Message) -> crate::body::Body {
    let files = &msg.event.attachments;
    if files.is_empty() {
        return serde_json::to_vec(&v).unwrap_or_default().into();
    }
    let token = format!("bnotify-file-{}-", uuid::Uuid::new_v4().simple());
    if let Some(list) = v.get_mut("attachments").and_then(Value::as_array_mut) {
        for (i, item) in list.iter_mut().enumerate() {
            item["content_base64"] = Value::String(format!("{token}{i}"));
        }
    }
    let bytes = serde_json::to_vec(&v).unwrap_or_default();
    let mut body = crate::body::Body::new();
    let mut rest: &[u8] = &bytes;
    for (i, a) in files.iter().enumerate() {
        let mark = format!("{token}{i}\"");
        let Some(at) = find(rest, mark.as_bytes()) else {
            break;
        };
        body = body.bytes(rest[..at].to_vec()).base64(a);
        rest = &rest[at + mark.len() - 1..];
    }
    body.bytes(rest.to_vec())
}

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}

fn backupman(ev: &Event) -> Value {
    let status = match ev.status {
        Status::Start => "pending",
        Status::Failure => "failed",
        Status::Success | Status::Info => "finished",
    };
    let id = ev
        .backup
        .as_ref()
        .and_then(|b| b.id.clone())
        .unwrap_or_else(|| ev.id.clone());
    json!({
        "Event": ev.event,
        "Payload": {
            "Id": id,
            "Status": status,
            "Label": ev.task.clone().unwrap_or_default(),
            "DumpPath": ev.dump_path,
            "CreatedAt": ev.started_at.clone().unwrap_or_else(|| ev.timestamp.clone()),
            "UpdatedAt": ev.finished_at.clone().or_else(|| Some(ev.timestamp.clone())),
            "DriveFiles": ev.fields.get("drive_files").cloned().unwrap_or_else(|| json!([])),
        }
    })
}

fn simplebackups(ev: &Event) -> Value {
    let kind = if ev.event.starts_with("restore") {
        "restore"
    } else {
        "backup"
    };
    let when = |t: &Option<String>| sb_time(t.as_deref().unwrap_or(&ev.timestamp));
    json!({
        "id": ev.id,
        "type": kind,
        "status": if ev.status == Status::Failure { "error" } else { "success" },
        "started_at": when(&ev.started_at),
        "finished_at": when(&ev.finished_at),
        "backup": {
            "id": ev.backup.as_ref().and_then(|b| b.id.clone()).or_else(|| field_str(ev, "backup_id")),
            "name": ev.task,
            "type": field_str(ev, "backup_type").unwrap_or_else(|| "file".into()),
        },
        "server": {"id": field(ev, "server_id"), "name": field_str(ev, "server_name").or_else(|| ev.host.clone())},
        "storage": {"id": field(ev, "storage_id"), "name": field_str(ev, "storage_name")},
    })
}

/// RFC 3339 → `YYYY-MM-DD HH:MM:SS` in UTC (unparseable input is passed through).
fn sb_time(s: &str) -> String {
    let fmt = format_description!("[year]-[month]-[day] [hour]:[minute]:[second]");
    OffsetDateTime::parse(s, &Rfc3339)
        .ok()
        .and_then(|t| t.to_offset(UtcOffset::UTC).format(&fmt).ok())
        .unwrap_or_else(|| s.to_string())
}

fn field(ev: &Event, key: &str) -> Value {
    ev.fields.get(key).cloned().unwrap_or(Value::Null)
}

fn field_str(ev: &Event, key: &str) -> Option<String> {
    match ev.fields.get(key)? {
        Value::String(s) => Some(s.clone()),
        Value::Null => None,
        other => Some(other.to_string()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn simplebackups_time() {
        assert_eq!(sb_time("2021-12-12T12:12:12Z"), "2021-12-12 12:12:12");
        assert_eq!(sb_time("2021-12-12T14:12:12+02:00"), "2021-12-12 12:12:12");
    }
}

#[cfg(test)]
mod prepare_table {
    use super::super::testkit::{
        channel, event, hostile_log_body, http, json, prepare, prepare_texts_ok, HOSTILE_TITLE,
    };
    use super::super::Message;
    use crate::http::HttpRequest;

    fn header<'a>(h: &'a HttpRequest, name: &str) -> Option<&'a str> {
        let found = h.headers.iter().find(|(k, _)| k == name);
        found.map(|(_, v)| v.as_str())
    }

    /// Rows: keys, event, a JSON pointer into the body and its value. Covers each
    /// format's status mapping, the method and the token header.
    #[test]
    fn formats_map_each_status() {
        let (bm, sb, k8s) = (
            "{url: 'http://w/hook', format: backupman}",
            "{url: 'http://w/hook', format: simplebackups, method: PUT}",
            "{url: 'http://w/hook', format: k8s, token: tk-9}",
        );
        let plain = "{url: 'http://w/hook'}";
        let bn = "{url: 'http://w/hook', format: bnotify, method: POST, token: tk-9}";
        for (keys, ev, pointer, want) in [
            (plain, "backup_start", "/status", "start"),
            (plain, "backup_success", "/status", "success"),
            (bn, "backup_failure", "/status", "failure"),
            (bn, "user_login", "/status", "info"),
            (bn, "backup_failure", "/event", "backup_failure"),
            (bn, "backup_failure", "/title", "T"),
            (bn, "backup_failure", "/body", "B"),
            (bn, "backup_failure", "/task", "db"),
            (bm, "backup_start", "/Payload/Status", "pending"),
            (bm, "backup_success", "/Payload/Status", "finished"),
            (bm, "backup_failure", "/Payload/Status", "failed"),
            (bm, "user_login", "/Payload/Status", "finished"),
            (bm, "backup_failure", "/Event", "backup_failure"),
            (bm, "backup_failure", "/Payload/Label", "db"),
            (sb, "backup_failure", "/status", "error"),
            (sb, "backup_success", "/status", "success"),
            (sb, "backup_success", "/type", "backup"),
            (sb, "restore_start", "/type", "restore"),
            (sb, "backup_failure", "/backup/name", "db"),
            (sb, "backup_failure", "/backup/type", "file"),
            (sb, "backup_failure", "/server/name", "h"),
            (k8s, "backup_failure", "/status", "failure"),
            (k8s, "backup_success", "/status", "success"),
            (k8s, "backup_start", "/status", "success"),
            (k8s, "backup_failure", "/message", "T"),
            (k8s, "backup_failure", "/volume", "db"),
            (k8s, "backup_failure", "/host", "h"),
        ] {
            let out = prepare(&*channel("webhook", keys), &event(ev, None));
            let reqs = http(&out);
            assert_eq!(reqs.len(), 1, "{keys} {ev}");
            let h = reqs[0];
            let method = if keys.contains("PUT") { "PUT" } else { "POST" };
            assert_eq!(
                (h.method.as_str(), h.url.as_str()),
                (method, "http://w/hook")
            );
            assert_eq!(header(h, "Content-Type"), Some("application/json"));
            let token = keys.contains("token").then_some("tk-9");
            assert_eq!(header(h, "X-Webhook-Token"), token, "{keys}");
            assert!(h.signing.is_none(), "{keys}: no signing unless configured");
            assert_eq!(
                json(h).pointer(pointer).and_then(|v| v.as_str()),
                Some(want),
                "{keys} {ev} {pointer}"
            );
        }
    }

    /// `format: template` sends the rendered `payload` byte for byte; a template whose
    /// output is not JSON fails before sending, naming the line and column.
    #[test]
    fn template_payload_exact_bytes_or_a_named_error() {
        let ch = channel(
            "webhook",
            r#"{url: 'http://w', format: template, payload: '{"text": {{ title | tojson }}, "s": "{{ status }}"}'}"#,
        );
        let out = prepare(&*ch, &event("backup_failure", None));
        assert_eq!(
            http(&out)[0].body.to_vec(),
            br#"{"text": "T", "s": "failure"}"#
        );
        let out = prepare_texts_ok(&*ch, &event("test", None), HOSTILE_TITLE, "B");
        let sent = json(http(&out)[0]);
        assert_eq!(
            (sent["text"].as_str(), sent["s"].as_str()),
            (Some(HOSTILE_TITLE), Some("info"))
        );
        let broken = channel(
            "webhook",
            "{url: 'http://w', format: template, payload: '{\"text\": {{ title }}}'}",
        );
        let ev = event("backup_failure", None);
        let msg = Message {
            event: &ev,
            title: "T".into(),
            body: "B".into(),
            endpoint: "e",
            kind: "webhook",
        };
        let e = broken.prepare(&msg).unwrap_err();
        assert!(
            e.message
                .starts_with("payload template output is not JSON (line 1, column"),
            "{}",
            e.message
        );
    }

    /// Rows: `signing` keys and the headers sent over body `{"a":1}` at Unix time
    /// 1700000000 (CHANNELS.md §11–12 test vectors).
    #[test]
    fn signing_schemes_match_the_reference_vectors() {
        let hex = "aa9e2e3575f5d7098b6caccd790888c36d5fdb63342a73bada2d6a51747a8494";
        // The vector's key: bytes 0x00..0x1f, written the Standard Webhooks way.
        use base64::Engine as _;
        let key = base64::engine::general_purpose::STANDARD.encode((0u8..32).collect::<Vec<_>>());
        let standard = format!("{{secret: 'whsec_{key}'}}");
        let standard_named = format!("{{secret: 'whsec_{key}', scheme: standard}}");
        for (signing, want) in [
            (
                standard.as_str(),
                vec![
                    ("webhook-id", "msg_test".to_string()),
                    ("webhook-timestamp", "1700000000".to_string()),
                    (
                        "webhook-signature",
                        "v1,zM805ub/HuNgRQquf7DOmQTAXz4paUhBB8MyV0LLA4M=".to_string(),
                    ),
                ],
            ),
            (
                standard_named.as_str(),
                vec![
                    ("webhook-id", "msg_test".to_string()),
                    ("webhook-timestamp", "1700000000".to_string()),
                    (
                        "webhook-signature",
                        "v1,zM805ub/HuNgRQquf7DOmQTAXz4paUhBB8MyV0LLA4M=".to_string(),
                    ),
                ],
            ),
            (
                "{secret: secret, scheme: hex, header: SB-Signature}",
                vec![("SB-Signature", hex.to_string())],
            ),
            (
                "{secret: secret, scheme: github}",
                vec![("X-Hub-Signature-256", format!("sha256={hex}"))],
            ),
        ] {
            let keys = format!(
                "{{url: 'http://w', format: template, payload: '{{\"a\":1}}', signing: {signing}}}"
            );
            let mut ev = event("backup_failure", None);
            ev.id = "msg_test".into();
            let out = prepare(&*channel("webhook", &keys), &ev);
            let h = http(&out)[0];
            assert_eq!(h.body.to_vec(), br#"{"a":1}"#);
            let got = h.signing.as_ref().unwrap().headers(&h.body, 1_700_000_000);
            let got: Vec<(&str, String)> =
                got.iter().map(|(k, v)| (k.as_str(), v.clone())).collect();
            assert_eq!(got, want, "{signing}");
        }
    }

    /// Hostile title and a 10,000-character body arrive exactly as written in the
    /// bnotify JSON (a webhook has no length limit, and JSON escaping is lossless).
    #[test]
    fn hostile_text_round_trips() {
        let ch = channel("webhook", "{url: 'http://w'}");
        let long = hostile_log_body();
        let out = prepare_texts_ok(&*ch, &event("backup_failure", None), HOSTILE_TITLE, &long);
        let sent = json(http(&out)[0]);
        assert_eq!(sent["title"], HOSTILE_TITLE);
        assert_eq!(sent["body"], long.as_str());
        assert_eq!(sent["error"], "disk full");
    }
}
