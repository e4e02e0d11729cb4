//! `pushover`: `POST {api_url}/1/messages.json` (Pushover Message API,
//! <https://pushover.net/api>): `token`, `user`, `message` (at most 1,024 characters),
//! `title` (at most 250), `html=1` with the text escaped as HTML, `priority` by status
//! (failure 1, else 0) with `retry`/`expire` for emergency priority 2, and one image
//! `attachment` in a `multipart/form-data` body. Pushover answers 200 `{"status":1}`;
//! `status` other than 1 is a failure whatever the HTTP status.

use crate::redact::Secret;
use std::time::Duration;

use serde::Deserialize;

use super::{
    by_status, check_url, ChannelType, DeliveryError, HttpRequest, Invalid, Message, Outgoing,
    Part, Reply,
};
use crate::render::cut::plain;
use crate::render::{cut, escape, Unit};

/// Registry row.
pub(crate) const TYPE: ChannelType = ChannelType {
    name: "pushover",
    http: true,
    keys: super::fields_of::<Pushover>,
    build: super::build::<Pushover>,
};

/// Pushover's limit on `message`, in characters.
pub(crate) const MAX_MESSAGE: usize = 1024;
/// Pushover's limit on `title`, in characters.
pub(crate) const MAX_TITLE: usize = 250;
/// Pushover's limit on `url`, in characters.
pub(crate) const MAX_URL: usize = 512;
/// Pushover's limit on an attachment: 5 MiB.
pub(crate) const MAX_ATTACHMENT: u64 = 5 * 1024 * 1024;
/// Priorities by status: start, success, failure, info.
pub(crate) const PRIORITIES: [i8; 4] = [0, 0, 1, 0];
/// Default `retry` of priority 2: how often Pushover repeats the alert.
pub(crate) const RETRY: Duration = Duration::from_secs(60);
/// Pushover refuses a `retry` under 30 seconds.
pub(crate) const MIN_RETRY: Duration = Duration::from_secs(30);
/// Default `expire` of priority 2: how long Pushover keeps repeating it.
pub(crate) const EXPIRE: Duration = Duration::from_secs(3600);
/// Pushover refuses an `expire` over 3 hours.
pub(crate) const MAX_EXPIRE: Duration = Duration::from_secs(10_800);

/// A Pushover application token and the user or group key it notifies.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct Pushover {
    token: Secret,
    user: String,
    device: Option<String>,
    sound: Option<String>,
    priority: Option<i8>,
    #[serde(default, deserialize_with = "crate::units::opt_duration")]
    retry: Option<Duration>,
    #[serde(default, deserialize_with = "crate::units::opt_duration")]
    expire: Option<Duration>,
    click_url: Option<String>,
    #[serde(default = "yes")]
    html: bool,
    #[serde(default = "default_api")]
    api_url: String,
}

fn yes() -> bool {
    true
}

fn default_api() -> String {
    "https://api.pushover.net".into()
}

impl Pushover {
    /// The form fields, in order.
    fn fields(&self, msg: &Message, note: &str) -> Vec<(&'static str, String)> {
        let esc: fn(&str) -> String = if self.html { escape::entities } else { plain };
        let body = format!("{}{note}", msg.body);
        // `message` is required: an empty body sends the title.
        let text = if body.trim().is_empty() {
            &msg.title
        } else {
            &body
        };
        let mut f = vec![
            ("token", self.token.expose().to_string()),
            ("user", self.user.clone()),
            ("title", cut(&msg.title, MAX_TITLE, Unit::Chars, plain)),
            ("message", cut(text, MAX_MESSAGE, Unit::Chars, esc)),
        ];
        if self.html {
            f.push(("html", "1".into()));
        }
        let priority = self
            .priority
            .unwrap_or_else(|| by_status(msg.event.status, PRIORITIES));
        f.push(("priority", priority.to_string()));
        if priority == 2 {
            let retry = self.retry.unwrap_or(RETRY).as_secs();
            let expire = self.expire.unwrap_or(EXPIRE).as_secs();
            f.push(("retry", retry.to_string()));
            f.push(("expire", expire.to_string()));
        }
        for (k, v) in [("device", &self.device), ("sound", &self.sound)] {
            if let Some(v) = v {
                f.push((k, v.clone()));
            }
        }
        if let Some(u) = &self.click_url {
            f.push(("url", u.clone()));
        }
        if let Ok(t) = time::OffsetDateTime::parse(
            &msg.event.timestamp,
            &time::format_description::well_known::Rfc3339,
        ) {
            f.push(("timestamp", t.unix_timestamp().to_string()));
        }
        f
    }
}

impl super::Channel for Pushover {
    fn prepare(&self, msg: &Message) -> Result<Vec<Outgoing>, DeliveryError> {
        let url = super::join_url(&self.api_url, "1/messages.json");
        // Pushover takes one image; anything else is named in the message instead.
        let files = &msg.event.attachments;
        let image = files
            .iter()
            .find(|a| a.content_type.starts_with("image/") && a.cut_from.is_none());
        let others: Vec<String> = files
            .iter()
            .filter(|a| image.is_none_or(|i| !std::ptr::eq(*a, i)))
            .map(crate::attach::Attachment::describe)
            .collect();
        let note = if others.is_empty() {
            String::new()
        } else {
            format!(
                "\n\nNot attached (Pushover takes one image of at most 5 MiB): {}",
                others.join(", ")
            )
        };
        let fields = self.fields(msg, &note);
        let req = match image {
            None => {
                let pairs: Vec<(&str, &str)> =
                    fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
                HttpRequest::new("POST", url)
                    .header("Content-Type", "application/x-www-form-urlencoded")
                    .body(super::form(&pairs).into_bytes())
            }
            Some(a) => {
                let mut parts: Vec<Part> = fields
                    .iter()
                    .map(|(k, v)| Part {
                        name: k,
                        filename: None,
                        content_type: None,
                        data: super::PartData::Bytes(v.as_bytes()),
                    })
                    .collect();
                parts.push(Part {
                    name: "attachment",
                    filename: Some(&a.name),
                    content_type: Some(&a.content_type),
                    data: super::PartData::File(a),
                });
                let (ct, body) = super::multipart(&parts);
                HttpRequest::new("POST", url)
                    .header("Content-Type", ct)
                    .body(body)
            }
        };
        Ok(vec![Outgoing::Http(req)])
    }

    fn check(&self, reply: &Reply) -> Result<(), DeliveryError> {
        let v: Option<serde_json::Value> = serde_json::from_slice(&reply.body).ok();
        let errors = v.as_ref().and_then(|v| v.get("errors")).map(|e| match e {
            serde_json::Value::Array(a) => a
                .iter()
                .map(|x| x.as_str().map_or_else(|| x.to_string(), str::to_string))
                .collect::<Vec<_>>()
                .join("; "),
            other => other.to_string(),
        });
        reply.default_check().map_err(|mut e| {
            if let Some(errs) = &errors {
                e.message = format!("Pushover {}: {errs}", reply.status);
            }
            e
        })?;
        let status = v
            .as_ref()
            .and_then(|v| v.get("status"))
            .and_then(serde_json::Value::as_i64);
        if status == Some(1) {
            Ok(())
        } else {
            Err(DeliveryError::new(format!(
                "Pushover answered {} without status 1: {}",
                reply.status,
                errors.unwrap_or_else(|| reply.snippet())
            ))
            .status(reply.status))
        }
    }

    fn secrets(&self) -> Vec<String> {
        // The user key addresses the phone: as good as a credential.
        vec![self.user.clone()]
    }

    fn validate(&self) -> Result<(), Invalid> {
        check_url("api_url", &self.api_url)?;
        if let Some(u) = &self.click_url {
            check_url("click_url", u)?;
            if u.chars().count() > MAX_URL {
                return Err(Invalid::key(
                    "click_url",
                    format!("click_url is longer than Pushover's {MAX_URL} characters"),
                ));
            }
        }
        if let Some(p) = self.priority {
            if !(-2..=2).contains(&p) {
                return Err(Invalid::key(
                    "priority",
                    format!("priority {p} is not a Pushover priority"),
                )
                .hint("use -2, -1, 0, 1 or 2 (2 repeats until acknowledged)"));
            }
        }
        if self.retry.is_some_and(|r| r < MIN_RETRY) {
            return Err(
                Invalid::key("retry", "retry: Pushover needs at least 30 seconds")
                    .hint("e.g. retry: 60s"),
            );
        }
        if self.expire.is_some_and(|e| e > MAX_EXPIRE || e.is_zero()) {
            return Err(Invalid::key(
                "expire",
                "expire: Pushover allows at most 3 hours (and more than 0)",
            )
            .hint("e.g. expire: 1h"));
        }
        Ok(())
    }

    fn carries_attachments(&self) -> bool {
        true
    }

    fn max_attachment_size(&self) -> u64 {
        MAX_ATTACHMENT
    }
}

#[cfg(test)]
mod prepare_table {
    use super::super::testkit::{
        channel, event, hostile_long_body, http, prepare, prepare_with_texts, reply_of,
        HOSTILE_TITLE,
    };
    use super::super::HttpRequest;
    use crate::render::Unit;

    /// The form fields Pushover reads, after checking the URL and the content type.
    fn form(h: &HttpRequest) -> Vec<(String, String)> {
        assert_eq!(h.method, "POST");
        assert!(h
            .headers
            .iter()
            .any(|(k, v)| k == "Content-Type" && v == "application/x-www-form-urlencoded"));
        url::form_urlencoded::parse(&h.body.to_vec())
            .into_owned()
            .collect()
    }

    fn field<'a>(f: &'a [(String, String)], k: &str) -> Option<&'a str> {
        f.iter().find(|(n, _)| n == k).map(|(_, v)| v.as_str())
    }

    /// Priority by status unless set, `retry`/`expire` only for emergency priority, every
    /// option as its Message API field, `html=1` unless turned off.
    #[test]
    fn each_key_and_status_fills_the_form() {
        let base = "token: azGDORePK8gMaC0QOYAMyEEuzJnyUi, user: uQiRzpo4DXghDmr9QzzfQu27cmVRsG";
        #[allow(clippy::type_complexity)]
        let rows: [(&str, &str, &[(&str, Option<&str>)]); 9] = [
            (
                "",
                "backup_start",
                &[
                    ("priority", Some("0")),
                    ("retry", None),
                    ("expire", None),
                    ("device", None),
                    ("sound", None),
                    ("url", None),
                    ("html", Some("1")),
                ],
            ),
            ("", "backup_success", &[("priority", Some("0"))]),
            ("", "backup_failure", &[("priority", Some("1")), ("retry", None)]),
            ("", "user_login", &[("priority", Some("0")), ("html", Some("1"))]),
            (
                ", priority: 2",
                "backup_failure",
                &[("priority", Some("2")), ("retry", Some("60")), ("expire", Some("3600"))],
            ),
            (
                ", priority: 2, retry: 90s, expire: 2h",
                "backup_success",
                &[("priority", Some("2")), ("retry", Some("90")), ("expire", Some("7200"))],
            ),
            (
                ", priority: -1, retry: 90s, expire: 2h",
                "backup_failure",
                &[("priority", Some("-1")), ("retry", None), ("expire", None)],
            ),
            (
                ", device: phone1, sound: siren, click_url: 'https://backup-host.example.com/run_1-a'",
                "backup_failure",
                &[
                    ("device", Some("phone1")),
                    ("sound", Some("siren")),
                    ("url", Some("https://backup-host.example.com/run_1-a")),
                ],
            ),
            (", html: false", "backup_failure", &[("html", None), ("device", None), ("sound", None), ("url", None)]),
        ];
        for (more, ev, want) in rows {
            let keys = format!("{{{base}{more}}}");
            let ch = channel("pushover", &keys);
            ch.validate().unwrap();
            let e = event(ev, None);
            let out = prepare(&*ch, &e);
            assert_eq!(out.len(), 1, "{keys}");
            let h = http(&out)[0];
            assert_eq!(h.url, "https://api.pushover.net/1/messages.json", "{keys}");
            let f = form(h);
            assert_eq!(field(&f, "token"), Some("azGDORePK8gMaC0QOYAMyEEuzJnyUi"));
            assert_eq!(field(&f, "user"), Some("uQiRzpo4DXghDmr9QzzfQu27cmVRsG"));
            assert_eq!(field(&f, "title"), Some("T"), "{keys}");
            assert_eq!(field(&f, "message"), Some("B"), "{keys}");
            let ts = time::OffsetDateTime::parse(
                &e.timestamp,
                &time::format_description::well_known::Rfc3339,
            )
            .unwrap()
            .unix_timestamp()
            .to_string();
            assert_eq!(field(&f, "timestamp"), Some(ts.as_str()), "{keys}");
            for (k, v) in want {
                assert_eq!(field(&f, k), *v, "{keys} {ev}: {k}");
            }
        }
        let out = prepare(
            &*channel(
                "pushover",
                "{token: at, user: uk, api_url: 'http://127.0.0.1:9/po/'}",
            ),
            &event("backup_failure", None),
        );
        assert_eq!(http(&out)[0].url, "http://127.0.0.1:9/po/1/messages.json");
        assert_eq!(
            channel("pushover", "{token: at, user: uk}").secrets(),
            ["at", "uk"]
        );
    }

    /// Values Pushover would refuse are refused before sending.
    #[test]
    fn refused_keys() {
        let long = format!("https://x.example/{}", "a".repeat(500));
        for (more, key) in [
            ("priority: 3", "priority"),
            ("priority: -3", "priority"),
            ("priority: 2, retry: 10s", "retry"),
            ("priority: 2, expire: 4h", "expire"),
            ("click_url: 'x.example/run'", "click_url"),
            (&format!("click_url: '{long}'"), "click_url"),
            ("api_url: 'api.pushover.net'", "api_url"),
        ] {
            let e = channel("pushover", &format!("{{token: at, user: uk, {more}}}"))
                .validate()
                .unwrap_err();
            assert_eq!(e.key, Some(key), "{more}: {}", e.message);
        }
    }

    /// Pushover answers `{"status":1}`; errors name what is wrong in `errors`.
    #[test]
    fn replies() {
        let ch = channel("pushover", "{token: at, user: uk}");
        let reply = |status: u16, body: &str| {
            reply_of(status, &[("Content-Type", "application/json")], body)
        };
        ch.check(&reply(
            200,
            r#"{"status":1,"request":"647d2300-702c-4b38-8b2f-d56326ae460b"}"#,
        ))
        .unwrap();
        for (status, body, message, retryable) in [
            (
                400,
                r#"{"user":"invalid","errors":["user identifier is not a valid user, group, or subscribed user key"],"status":0,"request":"r1"}"#,
                "Pushover 400: user identifier is not a valid user, group, or subscribed user key",
                false,
            ),
            (
                400,
                r#"{"token":"invalid","errors":["application token is invalid","message cannot be blank"],"status":0}"#,
                "Pushover 400: application token is invalid; message cannot be blank",
                false,
            ),
            (
                200,
                r#"{"status":0,"errors":["message is too long"]}"#,
                "Pushover answered 200 without status 1: message is too long",
                false,
            ),
            (
                200,
                "<html>captive portal</html>",
                "Pushover answered 200 without status 1: <html>captive portal</html>",
                false,
            ),
            (
                429,
                r#"{"status":0,"errors":["too many requests"]}"#,
                "Pushover 429: too many requests",
                true,
            ),
            (500, "", "HTTP 500", true),
        ] {
            let e = ch.check(&reply(status, body)).unwrap_err();
            assert_eq!(e.message, message, "{status}");
            assert_eq!(e.retryable, retryable, "{status}");
            assert_eq!(e.status, Some(status), "{status}");
        }
    }

    /// Message within 1,024 characters and title within 250 however long and escaped the
    /// text; start and end kept; entities whole.
    #[test]
    fn hostile_text_fits_pushover() {
        let long = hostile_long_body();
        let long_title = format!("{HOSTILE_TITLE} {}", "漢".repeat(300));
        for (keys, html) in [
            ("{token: at, user: uk}", true),
            ("{token: at, user: uk, html: false}", false),
        ] {
            for title in [HOSTILE_TITLE, long_title.as_str()] {
                let ch = channel("pushover", keys);
                let out =
                    prepare_with_texts(&*ch, &event("backup_failure", None), title, &long).unwrap();
                let f = form(http(&out)[0]);
                let t = field(&f, "title").unwrap();
                let m = field(&f, "message").unwrap();
                assert!(Unit::Chars.len(t) <= 250, "{keys}: {}", Unit::Chars.len(t));
                assert!(t.starts_with("Sauvegarde échouée ✗ <b>&\"'*_~|"), "{t}");
                assert!(Unit::Chars.len(m) <= 1024, "{keys}: {}", Unit::Chars.len(m));
                assert!(Unit::Chars.len(m) > 900, "{keys}: {}", Unit::Chars.len(m));
                assert!(m.starts_with("START") && m.ends_with("END"), "{keys}");
                assert!(m.contains("characters cut"), "{keys}");
                if html {
                    assert!(
                        m.starts_with("START job &lt;b&gt;db&lt;/b&gt; &amp; "),
                        "{m}"
                    );
                    assert!(!m.contains('<') && !m.contains('>'), "{keys}");
                    assert_eq!(
                        m.matches('&').count(),
                        m.matches("&amp;").count()
                            + m.matches("&lt;").count()
                            + m.matches("&gt;").count(),
                        "{keys}"
                    );
                } else {
                    assert!(m.starts_with("START job <b>db</b> & "), "{m}");
                }
            }
        }
        // `message` is required: an empty body sends the title.
        let out = prepare_with_texts(
            &*channel("pushover", "{token: at, user: uk}"),
            &event("backup_failure", None),
            "Only a title",
            " ",
        )
        .unwrap();
        assert_eq!(field(&form(http(&out)[0]), "message"), Some("Only a title"));
    }

    /// One image goes as `attachment` in a multipart body; other files are named.
    #[test]
    fn one_image_attached_others_named() {
        use crate::attach::Attachment;
        let mut e = event("backup_failure", None);
        e.attachments = vec![
            Attachment::new("run.log".into(), b"log".to_vec()),
            Attachment::new("graph.png".into(), b"\x89PNG-data".to_vec()),
        ];
        let out = prepare(&*channel("pushover", "{token: at, user: uk}"), &e);
        let h = http(&out)[0];
        let ct = h
            .headers
            .iter()
            .find(|(k, _)| k == "Content-Type")
            .map(|(_, v)| v.clone())
            .unwrap();
        let boundary = ct.strip_prefix("multipart/form-data; boundary=").unwrap();
        let body = String::from_utf8_lossy(&h.body.to_vec()).into_owned();
        assert!(body.ends_with(&format!("--{boundary}--\r\n")));
        assert!(body.contains(
            "Content-Disposition: form-data; name=\"attachment\"; filename=\"graph.png\"\r\nContent-Type: image/png\r\n\r\n\u{FFFD}PNG-data\r\n"
        ));
        assert!(body.contains("name=\"token\"\r\n\r\nat\r\n"));
        assert!(body.contains("name=\"priority\"\r\n\r\n1\r\n"));
        assert!(body.contains("Not attached (Pushover takes one image of at most 5 MiB): run.log"));
        assert!(
            !body.contains("graph.png ("),
            "the image is not listed as left out"
        );
    }
}
