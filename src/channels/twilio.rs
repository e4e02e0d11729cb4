//! `twilio`: one SMS per recipient through the Messages API (form-encoded, HTTP Basic
//! with the Account SID and auth token). The text is the title and the first line of the
//! error (or of the message) unless a body template or `--body` is set, cut to
//! `max_length` (320 by default, at most Twilio's 1600), keeping start and end.

use crate::redact::Secret;
use serde::Deserialize;

use super::{
    check_url, ChannelType, DeliveryError, HttpRequest, Invalid, Message, Outgoing, Reply,
};
use crate::render::cut::plain;
use crate::render::{cut, default_body, Unit};

/// Registry row.
pub(crate) const TYPE: ChannelType = ChannelType {
    name: "twilio",
    http: true,
    keys: super::fields_of::<Twilio>,
    build: super::build::<Twilio>,
};

/// Twilio's limit on a message body.
pub(crate) const MAX_BODY: usize = 1600;
/// Default `max_length`: two or three SMS segments (one emoji makes a text UCS-2, 70
/// characters a segment, each billed per recipient).
pub(crate) const DEFAULT_LENGTH: usize = 320;

/// A Twilio account sending from one number to a list.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct Twilio {
    account_sid: String,
    auth_token: Secret,
    from: String,
    to: Vec<String>,
    #[serde(default = "default_api")]
    api_url: String,
    max_length: Option<usize>,
}

fn default_api() -> String {
    "https://api.twilio.com".into()
}

impl super::Channel for Twilio {
    fn independent_requests(&self) -> bool {
        true
    }

    fn prepare(&self, msg: &Message) -> Result<Vec<Outgoing>, DeliveryError> {
        let max = self.max_length.unwrap_or(DEFAULT_LENGTH).min(MAX_BODY);
        let text = cut(&sms_text(msg), max, Unit::Utf16, plain);
        let url = super::join_url(
            &self.api_url,
            &format!("2010-04-01/Accounts/{}/Messages.json", self.account_sid),
        );
        let auth = super::basic_auth(&self.account_sid, self.auth_token.expose());
        Ok(self
            .to
            .iter()
            .map(|to| {
                let form = super::form(&[("To", to), ("From", &self.from), ("Body", &text)]);
                Outgoing::Http(
                    HttpRequest::new("POST", url.clone())
                        .header("Content-Type", "application/x-www-form-urlencoded")
                        .header("Authorization", auth.clone())
                        .body(form.into_bytes()),
                )
            })
            .collect())
    }

    fn check(&self, reply: &Reply) -> Result<(), DeliveryError> {
        reply.default_check().map_err(|mut e| {
            if let (Some(code), Some(m)) = (
                super::json_field(reply, "code"),
                super::json_field(reply, "message"),
            ) {
                e.message = format!("Twilio {} (error {code}): {m}", reply.status);
            }
            e
        })
    }

    fn secrets(&self) -> Vec<String> {
        let basic = super::basic_auth(&self.account_sid, self.auth_token.expose());
        // A receiver may echo the Authorization header back: its base64 is secret too.
        vec![basic.trim_start_matches("Basic ").to_string()]
    }

    fn validate(&self) -> Result<(), Invalid> {
        check_url("api_url", &self.api_url)?;
        if let Some(n) = self.max_length {
            if !(1..=MAX_BODY).contains(&n) {
                return Err(Invalid::key(
                    "max_length",
                    format!("max_length {n} is not 1 to {MAX_BODY}"),
                )
                .hint("Twilio refuses a message over 1600 characters"));
            }
        }
        if self.to.is_empty() {
            return Err(Invalid::key("to", "\"to\" lists no phone number")
                .hint("e.g. to: [\"+15551234567\"]"));
        }
        Ok(())
    }
}

/// Title and the first line of the error (else of the message) when the body is the
/// default one; title and body when the user wrote the body.
fn sms_text(msg: &Message) -> String {
    let ev = msg.event;
    if !msg.body.starts_with(&default_body(ev)) {
        return format!("{}\n{}", msg.title, msg.body).trim().to_string();
    }
    let first_line = [ev.error.as_deref(), ev.message.as_deref()]
        .into_iter()
        .flatten()
        .find_map(|t| t.lines().map(str::trim).find(|l| !l.is_empty()));
    match first_line {
        Some(line) => format!("{}\n{line}", msg.title),
        None => msg.title.clone(),
    }
}

#[cfg(test)]
mod prepare_table {
    use super::super::testkit::{
        channel, event, hostile_log_body, http, prepare_texts_ok, HOSTILE_TITLE,
    };
    use crate::http::{HttpRequest, Reply};
    use crate::render::{default_body, Unit};

    const KEYS: &str = "account_sid: ACtestaccount, auth_token: tok, \
                        from: '+15550001111', to: ['+15552223333', '+15554445555']";

    /// The form fields of a request, decoded as Twilio reads them.
    fn form(h: &HttpRequest) -> Vec<(String, String)> {
        url::form_urlencoded::parse(&h.body.to_vec())
            .into_owned()
            .collect()
    }

    fn field(h: &HttpRequest, name: &str) -> String {
        let f = form(h);
        let v = f.iter().find(|(k, _)| k == name);
        v.map(|(_, v)| v.clone()).unwrap_or_default()
    }

    /// Rows: keys, event, the URL; every status sends one SMS per recipient, the default
    /// text being the title and the error's first line.
    #[test]
    fn one_form_request_per_recipient_for_every_status() {
        let sid = "ACtestaccount";
        let hosted = format!("https://api.twilio.com/2010-04-01/Accounts/{sid}/Messages.json");
        let edge =
            format!("https://api.dublin.ie1.twilio.com/2010-04-01/Accounts/{sid}/Messages.json");
        let edge_keys = format!("{{{KEYS}, api_url: 'https://api.dublin.ie1.twilio.com/'}}");
        let keys = format!("{{{KEYS}}}");
        // `ACtestaccount:tok` in base64, worked out apart from the code under test.
        let auth = "Basic QUN0ZXN0YWNjb3VudDp0b2s=".to_string();
        for (keys, ev, url) in [
            (&keys, "backup_start", &hosted),
            (&keys, "backup_success", &hosted),
            (&keys, "backup_failure", &hosted),
            (&keys, "user_login", &hosted),
            (&edge_keys, "backup_failure", &edge),
        ] {
            let ch = channel("twilio", keys);
            let mut e = event(ev, None);
            e.error = Some("disk full\nat /var/lib/postgresql".into());
            let out = prepare_texts_ok(&*ch, &e, "Backup failed: db", &default_body(&e));
            let reqs = http(&out);
            assert_eq!(reqs.len(), 2, "{ev}: one request per `to`");
            for (h, to) in reqs.iter().zip(["+15552223333", "+15554445555"]) {
                assert_eq!((h.method.as_str(), h.url.as_str()), ("POST", url.as_str()));
                let header = |n: &str| h.headers.iter().find(|(k, _)| k == n).map(|(_, v)| v);
                assert_eq!(header("Authorization"), Some(&auth));
                assert_eq!(
                    header("Content-Type").map(String::as_str),
                    Some("application/x-www-form-urlencoded")
                );
                let sent = form(h);
                let names: Vec<&str> = sent.iter().map(|(k, _)| k.as_str()).collect();
                assert_eq!(names, ["To", "From", "Body"]);
                assert_eq!(field(h, "To"), to);
                assert_eq!(field(h, "From"), "+15550001111");
                assert_eq!(field(h, "Body"), "Backup failed: db\ndisk full", "{ev}");
            }
        }
    }

    /// Rows: `max_length`, the body written by the user, the longest Body sent (UTF-16
    /// units, as Twilio counts). Default 320; the hostile title arrives whole and
    /// form-encoded (`&`, `=`, `+` do not split the field); the end of the text is kept.
    #[test]
    fn max_length_and_hostile_text() {
        let long = hostile_log_body();
        assert_eq!(long.chars().count(), 10_000);
        for (extra, body, max) in [
            ("", long.as_str(), 320),
            (", max_length: 70", long.as_str(), 70),
            (", max_length: 1600", long.as_str(), 1600),
            (", max_length: 1600", "short & sweet = +1", 1600),
        ] {
            let ch = channel("twilio", &format!("{{{KEYS}{extra}}}"));
            let out = prepare_texts_ok(&*ch, &event("backup_failure", None), HOSTILE_TITLE, body);
            for h in http(&out) {
                let sent = field(h, "Body");
                let n = Unit::Utf16.len(&sent);
                assert!(n <= max, "{extra}: {n} > {max}");
                if body.len() < 100 {
                    assert_eq!(sent, format!("{HOSTILE_TITLE}\n{body}"));
                    continue;
                }
                assert!(n > max * 3 / 4, "{extra}: only {n} of {max} used");
                assert!(sent.ends_with("END-OF-LOG"), "{extra}: the end is kept");
                if max > 200 {
                    assert!(sent.starts_with(HOSTILE_TITLE), "{extra}: {sent}");
                }
            }
        }
    }

    /// Replies: 201 queued is delivered; Twilio's error JSON (code and message) names the
    /// fix; 429 (error 20429) is retried after Retry-After.
    #[test]
    fn replies() {
        let ch = channel("twilio", &format!("{{{KEYS}}}"));
        let reply = |status: u16, retry: Option<&str>, body: &str| Reply {
            status,
            headers: retry
                .map(|r| ("Retry-After".to_string(), r.to_string()))
                .into_iter()
                .collect(),
            body: body.as_bytes().to_vec(),
        };
        let ok = r#"{"sid":"SM0123","status":"queued","to":"+15552223333","error_code":null}"#;
        assert!(ch.check(&reply(201, None, ok)).is_ok());
        for (status, body, says, retryable) in [
            (
                400,
                r#"{"code":21211,"message":"The 'To' number +1555 is not a valid phone number.","more_info":"https://www.twilio.com/docs/errors/21211","status":400}"#,
                "Twilio 400 (error 21211): The 'To' number +1555 is not a valid phone number.",
                false,
            ),
            (
                401,
                r#"{"code":20003,"message":"Authenticate","more_info":"https://www.twilio.com/docs/errors/20003","status":401}"#,
                "Twilio 401 (error 20003): Authenticate",
                false,
            ),
            (
                429,
                r#"{"code":20429,"message":"Too Many Requests","status":429}"#,
                "Twilio 429 (error 20429): Too Many Requests",
                true,
            ),
            (503, "upstream", "HTTP 503: upstream", true),
        ] {
            let e = ch.check(&reply(status, Some("1"), body)).unwrap_err();
            assert_eq!(e.message, says);
            assert_eq!(
                (e.status, e.retryable),
                (Some(status), retryable),
                "{status}"
            );
            if retryable {
                assert_eq!(e.retry_after, Some(std::time::Duration::from_secs(1)));
            }
        }
    }
}
