//! `healthchecks`: pings a healthchecks.io (or self-hosted) check: start → `/start`,
//! success → the URL, failure → `/<exit code>` when `bnotify run` set `fields.exit_code`
//! (as runitor does) else `/fail`, info → `/log`; the body is the message/error cut to
//! 10,000 bytes keeping start and end, and `rid` pairs a start with its end when the event
//! id is a UUID.

use serde::Deserialize;

use super::{check_url, ChannelType, DeliveryError, HttpRequest, Invalid, Message, Outgoing};
use crate::event::{Event, Status};
use crate::render::cut::plain;
use crate::render::{cut, Unit};

/// Registry row.
pub(crate) const TYPE: ChannelType = ChannelType {
    name: "healthchecks",
    http: true,
    keys: super::fields_of::<Healthchecks>,
    build: super::build::<Healthchecks>,
};

/// Bytes of body a self-hosted server keeps (`PING_BODY_LIMIT` default; hosted keeps
/// 100,000). The rest would be dropped silently, and the end holds the error.
pub(crate) const MAX_BODY: usize = 10_000;

/// A check's ping URL.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct Healthchecks {
    url: String,
}

impl super::Channel for Healthchecks {
    fn prepare(&self, msg: &Message) -> Result<Vec<Outgoing>, DeliveryError> {
        let ev = msg.event;
        let (base, query) = match self.url.split_once('?') {
            Some((b, q)) => (b, Some(q)),
            None => (self.url.as_str(), None),
        };
        let suffix = match (ev.status, exit_code(ev)) {
            (Status::Start, _) => "start".to_string(),
            (Status::Success, _) => String::new(),
            (Status::Failure, Some(code)) => code.to_string(),
            (Status::Failure, None) => "fail".to_string(),
            (Status::Info, _) => "log".to_string(),
        };
        let mut url = super::join_url(base, &suffix);
        let mut params: Vec<String> = query.into_iter().map(str::to_string).collect();
        if let Ok(id) = uuid::Uuid::parse_str(&ev.id) {
            params.push(format!("rid={}", id.hyphenated()));
        }
        if !params.is_empty() {
            url = format!("{url}?{}", params.join("&"));
        }
        let text: Vec<&str> = [ev.message.as_deref(), ev.error.as_deref()]
            .into_iter()
            .flatten()
            .collect();
        let text = if text.is_empty() {
            msg.body.clone()
        } else {
            text.join("\n")
        };
        let req = HttpRequest::new("POST", url)
            .header("Content-Type", "text/plain; charset=utf-8")
            .body(cut(&text, MAX_BODY, Unit::Bytes, plain).into_bytes());
        Ok(vec![Outgoing::Http(req)])
    }

    fn secrets(&self) -> Vec<String> {
        super::url_path(&self.url)
            .split('/')
            .filter(|s| s.len() >= 16)
            .map(str::to_string)
            .collect()
    }

    fn validate(&self) -> Result<(), Invalid> {
        check_url("url", &self.url)
    }
}

/// The command's exit code (1–255) that `bnotify run` put in `fields.exit_code`.
fn exit_code(ev: &Event) -> Option<u8> {
    let v = ev.fields.get("exit_code")?;
    let code = v
        .as_u64()
        .or_else(|| v.as_str().and_then(|s| s.trim().parse().ok()))?;
    u8::try_from(code).ok().filter(|c| *c != 0)
}

#[cfg(test)]
mod prepare_table {
    use super::super::testkit::{channel, event, http, prepare, prepare_texts_ok, reply_of};

    const ID: &str = "0b3bd6f2-8ba6-4fd7-a8b6-9fbd8a0b3c11";

    /// Rows: url, event, `fields.exit_code`, the ping URL (with the run id `rid`).
    #[test]
    fn ping_path_by_status_and_exit_code() {
        let uuid_url = "{url: 'https://hc-ping.com/5a9a1e7c-3e1f-4c4e-9f3e-0d2f6c1b7a10'}";
        let hc = "https://hc-ping.com/5a9a1e7c-3e1f-4c4e-9f3e-0d2f6c1b7a10";
        for (keys, ev, code, want) in [
            (
                uuid_url,
                "backup_start",
                None,
                format!("{hc}/start?rid={ID}"),
            ),
            (uuid_url, "backup_success", None, format!("{hc}?rid={ID}")),
            (
                uuid_url,
                "backup_failure",
                None,
                format!("{hc}/fail?rid={ID}"),
            ),
            (
                uuid_url,
                "backup_failure",
                Some(3),
                format!("{hc}/3?rid={ID}"),
            ),
            (
                uuid_url,
                "backup_failure",
                Some(255),
                format!("{hc}/255?rid={ID}"),
            ),
            (
                uuid_url,
                "backup_failure",
                Some(0),
                format!("{hc}/fail?rid={ID}"),
            ),
            (
                uuid_url,
                "backup_failure",
                Some(256),
                format!("{hc}/fail?rid={ID}"),
            ),
            (
                uuid_url,
                "backup_success",
                Some(0),
                format!("{hc}?rid={ID}"),
            ),
            (uuid_url, "user_login", None, format!("{hc}/log?rid={ID}")),
            (uuid_url, "test", None, format!("{hc}/log?rid={ID}")),
            (
                "{url: 'http://hc.local/ping/'}",
                "backup_start",
                None,
                format!("http://hc.local/ping/start?rid={ID}"),
            ),
            (
                "{url: 'http://hc.local/ping/pk-1/db-nightly?create=1'}",
                "backup_failure",
                Some(2),
                format!("http://hc.local/ping/pk-1/db-nightly/2?create=1&rid={ID}"),
            ),
        ] {
            let mut e = event(ev, code);
            e.id = ID.into();
            let out = prepare(&*channel("healthchecks", keys), &e);
            let reqs = http(&out);
            assert_eq!(reqs.len(), 1, "{keys} {ev} {code:?}");
            let h = reqs[0];
            assert_eq!(h.method, "POST");
            assert_eq!(h.url, want, "{keys} {ev} {code:?}");
            let ct = h.headers.iter().find(|(k, _)| k == "Content-Type");
            assert_eq!(
                ct.map(|(_, v)| v.as_str()),
                Some("text/plain; charset=utf-8")
            );
        }
    }

    /// The exit code as text (a payload's `"exit_code": "7"`) counts too; an event id
    /// that is no UUID sends no `rid` (healthchecks answers 400 "invalid uuid format").
    #[test]
    fn exit_code_as_text_and_rid_only_for_a_uuid() {
        let ch = channel("healthchecks", "{url: 'http://hc/ping/abc'}");
        let mut e = event("backup_failure", None);
        e.fields.insert("exit_code".into(), " 7 ".into());
        e.id = "run-42".into();
        assert_eq!(http(&prepare(&*ch, &e))[0].url, "http://hc/ping/abc/7");
        let mut e = event("backup_start", None);
        e.id = "0B3BD6F28BA64FD7A8B69FBD8A0B3C11".into();
        assert_eq!(
            http(&prepare(&*ch, &e))[0].url,
            format!("http://hc/ping/abc/start?rid={ID}"),
            "rid in canonical form"
        );
    }

    /// The ping body is the event's message and error, else the rendered body; at most
    /// 10,000 bytes (a self-hosted server's `PING_BODY_LIMIT`), keeping the end (the
    /// FATAL line).
    #[test]
    fn body_is_the_log_within_the_ping_body_limit() {
        let ch = channel("healthchecks", "{url: 'http://hc/ping/abc'}");
        let body_of = |e: &crate::event::Event, body: &str| {
            let out = prepare_texts_ok(&*ch, e, "T", body);
            String::from_utf8(http(&out)[0].body.to_vec()).unwrap()
        };
        let mut e = event("backup_failure", None);
        assert_eq!(body_of(&e, "B"), "disk full");
        e.message = Some("pg_dump ran 2 h".into());
        assert_eq!(body_of(&e, "B"), "pg_dump ran 2 h\ndisk full");
        e.message = None;
        e.error = None;
        assert_eq!(body_of(&e, "rendered body"), "rendered body");
        let mut log = String::from("START 🔥 <b>&\"'*_~|\n");
        while log.len() < 30_000 {
            log.push_str("バックアップ https://backup-host.example.com/run_2026-11-30.log\n");
        }
        log.push_str("FATAL: no space left on device");
        e.error = Some(log);
        let sent = body_of(&e, "B");
        assert!(sent.len() <= 10_000, "{} bytes", sent.len());
        assert!(
            sent.len() > 9_000,
            "the limit is used: {} bytes",
            sent.len()
        );
        assert!(
            sent.starts_with("START 🔥 <b>&\"'*_~|\n"),
            "as written, not escaped"
        );
        assert!(sent.ends_with("FATAL: no space left on device"));
        assert!(sent.contains("cut"), "a marker says text was left out");
    }

    /// healthchecks answers `200 OK`; a 404 (unknown check) is final, a 5xx retried.
    #[test]
    fn replies() {
        let ch = channel("healthchecks", "{url: 'http://hc/ping/abc'}");
        let reply =
            |status: u16, body: &str| reply_of(status, &[("Ping-Body-Limit", "10000")], body);
        assert!(ch.check(&reply(200, "OK")).is_ok());
        assert!(ch.check(&reply(201, "Created")).is_ok());
        let e = ch.check(&reply(404, "not found")).unwrap_err();
        assert_eq!(
            (e.message.as_str(), e.retryable),
            ("HTTP 404: not found", false)
        );
        let e = ch.check(&reply(400, "invalid uuid format")).unwrap_err();
        assert!(e.message.contains("invalid uuid format") && !e.retryable);
        assert!(ch.check(&reply(503, "")).unwrap_err().retryable);
    }
}
