//! The `email` prepare() table: what the SMTP server and the mail client see for each
//! key, each status, the recipients `notify_user` adds, hostile text and files.

use base64::Engine;

use crate::channels::testkit::{
    channel, event, hostile_long_body, prepare, prepare_with_texts, HOSTILE_TITLE,
};
use crate::channels::Outgoing;
use crate::event::Event;
use crate::smtp::{Crypto, SmtpRequest};

fn smtp(out: &[Outgoing]) -> &SmtpRequest {
    assert_eq!(out.len(), 1);
    match &out[0] {
        Outgoing::Smtp(m) => m,
        other => panic!("not a mail: {other:?}"),
    }
}

/// The mail as sent: its bytes after checking every line ends in CRLF within 998 bytes.
fn raw(m: &SmtpRequest) -> String {
    let bytes = m.mail.formatted();
    let text = String::from_utf8(bytes).expect("a 7-bit mail");
    for line in text.split("\r\n") {
        assert!(!line.contains('\n'), "a bare LF: {line:?}");
        assert!(line.len() <= 998, "a line of {} bytes", line.len());
    }
    text
}

/// Header `name` of `part` (its first value, folded lines joined).
fn header(part: &str, name: &str) -> Option<String> {
    let head = part.split("\r\n\r\n").next().unwrap_or("");
    let unfolded = head.replace("\r\n ", " ").replace("\r\n\t", " ");
    unfolded.split("\r\n").find_map(|l| {
        l.split_once(':')
            .filter(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.trim().to_string())
    })
}

/// An RFC 2047 header value decoded: `=?utf-8?b?…?=` words decoded, the space between
/// two encoded words dropped, other words as they are.
fn decode_words(v: &str) -> String {
    let mut out = String::new();
    let mut prev_encoded = false;
    for (i, w) in v.split(' ').enumerate() {
        let encoded = w.starts_with("=?") && w.ends_with("?=");
        if i > 0 && !(encoded && prev_encoded) {
            out.push(' ');
        }
        if encoded {
            let inner = &w[2..w.len() - 2];
            let mut it = inner.splitn(3, '?');
            let (_, enc, data) = (it.next(), it.next().unwrap(), it.next().unwrap());
            assert!(enc.eq_ignore_ascii_case("b"), "{w}");
            let bytes = base64::engine::general_purpose::STANDARD
                .decode(data)
                .unwrap();
            out.push_str(&String::from_utf8(bytes).unwrap());
        } else {
            out.push_str(w);
        }
        prev_encoded = encoded;
    }
    out
}

/// The decoded body of the first part whose `Content-Type` starts with `ct`.
fn part(mail: &str, ct: &str) -> Option<String> {
    let parts: Vec<&str> = std::iter::once(mail)
        .chain(mail.split("\r\n--").skip(1))
        .collect();
    let p = parts.into_iter().find(|p| {
        header(p, "Content-Type").is_some_and(|v| v.starts_with(ct))
            && header(p, "Content-Type").is_some_and(|v| !v.starts_with("multipart"))
    })?;
    let (_, body) = p.split_once("\r\n\r\n")?;
    let cte = header(p, "Content-Transfer-Encoding").unwrap_or_default();
    let bytes = match cte.to_ascii_lowercase().as_str() {
        "base64" => base64::engine::general_purpose::STANDARD
            .decode(body.split_whitespace().collect::<String>())
            .unwrap(),
        "quoted-printable" => quoted_printable(body),
        _ => body.trim_end_matches("\r\n").as_bytes().to_vec(),
    };
    Some(String::from_utf8(bytes).unwrap().replace("\r\n", "\n"))
}

fn quoted_printable(body: &str) -> Vec<u8> {
    let mut out = Vec::new();
    let b = body.as_bytes();
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            b'=' if b.get(i + 1) == Some(&b'\r') => i += 3,
            b'=' => {
                let hex = std::str::from_utf8(&b[i + 1..i + 3]).unwrap();
                out.push(u8::from_str_radix(hex, 16).unwrap());
                i += 3;
            }
            c => {
                out.push(c);
                i += 1;
            }
        }
    }
    while out.ends_with(b"\r\n") {
        out.truncate(out.len() - 2);
    }
    out
}

fn recipients(m: &SmtpRequest) -> Vec<String> {
    m.mail
        .envelope()
        .to()
        .iter()
        .map(ToString::to_string)
        .collect()
}

/// Server, port, crypto, login and trust by key; the headers and body of a well-formed
/// notification for every status.
#[test]
fn each_key_and_status_shapes_the_mail() {
    let base = "smtp_host: mail.example.com, destinations: [ops@example.com]";
    #[allow(clippy::type_complexity)]
    let rows: [(
        &str,
        &str,
        u16,
        Crypto,
        Option<(&str, &str)>,
        Option<&str>,
        bool,
        &str,
    ); 8] = [
        (
            "from: 'Backups <backups@example.com>'",
            "backup_start",
            587,
            Crypto::Starttls,
            None,
            None,
            false,
            "Backups <backups@example.com>",
        ),
        (
            "from: backups@example.com, smtp_crypto: ssl",
            "backup_success",
            465,
            Crypto::Ssl,
            None,
            None,
            false,
            "backups@example.com",
        ),
        (
            "from: backups@example.com, smtp_crypto: none",
            "backup_failure",
            25,
            Crypto::None,
            None,
            None,
            false,
            "backups@example.com",
        ),
        (
            "from: backups@example.com, smtp_crypto: starttls, smtp_port: 2525",
            "user_login",
            2525,
            Crypto::Starttls,
            None,
            None,
            false,
            "backups@example.com",
        ),
        (
            "from: backups@example.com, smtp_user: relay, smtp_password: pw3",
            "backup_failure",
            587,
            Crypto::Starttls,
            Some(("relay", "pw3")),
            None,
            false,
            "backups@example.com",
        ),
        // Backupman's block has no `from`: the login is the sender when it is an address.
        (
            "smtp_user: robot@example.com, smtp_password: pw3",
            "backup_failure",
            587,
            Crypto::Starttls,
            Some(("robot@example.com", "pw3")),
            None,
            false,
            "robot@example.com",
        ),
        (
            "from: backups@example.com, ca_file: /etc/bnotify/ca.pem",
            "backup_failure",
            587,
            Crypto::Starttls,
            None,
            Some("/etc/bnotify/ca.pem"),
            false,
            "backups@example.com",
        ),
        (
            "from: backups@example.com, tls_insecure: true, html: false",
            "backup_failure",
            587,
            Crypto::Starttls,
            None,
            None,
            true,
            "backups@example.com",
        ),
    ];
    for (more, ev, port, crypto, login, ca, insecure, from) in rows {
        let keys = format!("{{{base}, {more}}}");
        let ch = channel("email", &keys);
        ch.validate().unwrap();
        let out = prepare(&*ch, &event(ev, None));
        let m = smtp(&out);
        assert_eq!(
            (m.host.as_str(), m.port, m.crypto),
            ("mail.example.com", port, crypto),
            "{keys}"
        );
        let creds = m
            .credentials
            .as_ref()
            .map(|(u, p)| (u.as_str(), p.as_str()));
        assert_eq!(creds, login, "{keys}");
        assert_eq!(m.ca_file.as_deref(), ca.map(std::path::Path::new), "{keys}");
        assert_eq!(m.tls_insecure, insecure, "{keys}");
        let mail = raw(m);
        assert_eq!(header(&mail, "From").as_deref(), Some(from), "{keys}");
        assert_eq!(
            header(&mail, "To").as_deref(),
            Some("ops@example.com"),
            "{keys}"
        );
        assert_eq!(header(&mail, "Subject").as_deref(), Some("T"), "{keys}");
        assert_eq!(
            header(&mail, "MIME-Version").as_deref(),
            Some("1.0"),
            "{keys}"
        );
        let id = header(&mail, "Message-ID").unwrap();
        assert!(id.starts_with('<') && id.ends_with("@example.com>"), "{id}");
        let date = header(&mail, "Date").unwrap();
        time::OffsetDateTime::parse(&date, &time::format_description::well_known::Rfc2822)
            .unwrap_or_else(|e| panic!("{date}: {e}"));
        assert_eq!(
            header(&mail, "Content-Type").as_deref(),
            Some("text/plain; charset=utf-8"),
            "{keys}"
        );
        assert_eq!(part(&mail, "text/plain").as_deref(), Some("B"), "{keys}");
        assert_eq!(recipients(m), ["ops@example.com"], "{keys}");
        // The password is the config's secret, masked in every output.
        if login.is_some() {
            assert!(ch.secrets().contains(&"pw3".to_string()));
        }
    }
}

/// `ca_file` with `~/` is read from the home directory.
#[test]
fn ca_file_under_home() {
    let ch = channel(
        "email",
        "{smtp_host: m, from: a@example.com, destinations: [b@example.com], ca_file: '~/ca.pem'}",
    );
    let out = prepare(&*ch, &event("backup_failure", None));
    assert_eq!(
        smtp(&out).ca_file,
        Some(crate::paths::expand_tilde("~/ca.pem"))
    );
}

/// Named destinations show their names; `html` adds an HTML alternative after the text.
#[test]
fn names_and_the_html_alternative() {
    let ch = channel(
        "email",
        "{smtp_host: m, from: 'Backups <backups@example.com>', destinations: [{name: Ops Team, email: ops@example.com}, dev@example.com], html: true}",
    );
    let out = prepare_with_texts(
        &*ch,
        &event("backup_failure", None),
        "<b>T</b> & co",
        "line <1>\nline 2",
    )
    .unwrap();
    let m = smtp(&out);
    let mail = raw(m);
    assert_eq!(
        header(&mail, "To").as_deref(),
        Some("\"Ops Team\" <ops@example.com>, dev@example.com")
    );
    assert_eq!(recipients(m), ["ops@example.com", "dev@example.com"]);
    assert!(header(&mail, "Content-Type")
        .unwrap()
        .starts_with("multipart/alternative; boundary="));
    let plain_at = mail.find("Content-Type: text/plain").unwrap();
    let html_at = mail.find("Content-Type: text/html").unwrap();
    assert!(plain_at < html_at, "text/plain first, text/html last");
    assert_eq!(
        part(&mail, "text/plain").as_deref(),
        Some("line <1>\nline 2")
    );
    let html = part(&mail, "text/html").unwrap();
    assert!(
        html.contains("<h2>&lt;b&gt;T&lt;/b&gt; &amp; co</h2>"),
        "{html}"
    );
    assert!(html.contains(">line &lt;1&gt;\nline 2</pre>"), "{html}");
}

fn with_user(name: &str, email: Option<&str>) -> Event {
    let mut ev = event(name, None);
    if let Some(e) = email {
        ev.fields.insert("user_email".into(), e.into());
    }
    ev
}

/// `notify_user` adds (or is) the event's `fields.user_email`; a user address holding a
/// line break never adds a recipient or a header.
#[test]
fn notify_user_recipients() {
    let keys = |mode: &str| {
        format!("{{smtp_host: m, from: a@example.com, destinations: [ops@example.com], notify_user: {mode}}}")
    };
    for (mode, email, want) in [
        (
            "also",
            Some("alice@example.org"),
            &["ops@example.com", "alice@example.org"][..],
        ),
        (
            "also",
            Some(" alice@example.org "),
            &["ops@example.com", "alice@example.org"][..],
        ),
        ("also", None, &["ops@example.com"][..]),
        (
            "also",
            Some("alice@example.org\r\nBcc: evil@example.net"),
            &["ops@example.com"][..],
        ),
        (
            "only",
            Some("alice@example.org"),
            &["alice@example.org"][..],
        ),
    ] {
        let out = prepare(
            &*channel("email", &keys(mode)),
            &with_user("user_created", email),
        );
        let m = smtp(&out);
        assert_eq!(recipients(m), want, "{mode} {email:?}");
        let mail = raw(m);
        assert!(!mail.contains("evil@"), "{mode}: {mail}");
        assert_eq!(
            header(&mail, "To").unwrap(),
            want.join(", "),
            "{mode} {email:?}"
        );
    }
    for (email, says) in [
        (
            None,
            "no recipient: notify_user is set but the event has no fields.user_email",
        ),
        (
            Some("alice@example.org\nBcc: evil@example.net"),
            "control character",
        ),
        (Some("not-an-address"), "is not an email address"),
    ] {
        let e = prepare_with_texts(
            &*channel("email", &keys("only")),
            &with_user("user_created", email),
            "T",
            "B",
        )
        .unwrap_err();
        assert!(e.message.contains(says), "{email:?}: {}", e.message);
    }
    // `only` needs no destinations; the others do.
    let only = channel(
        "email",
        "{smtp_host: m, from: a@example.com, notify_user: only}",
    );
    only.validate().unwrap();
    let e = channel(
        "email",
        "{smtp_host: m, from: a@example.com, notify_user: also}",
    )
    .validate()
    .unwrap_err();
    assert_eq!(e.key, Some("destinations"));
}

/// Keys a server would refuse are refused before sending.
#[test]
fn refused_keys() {
    for (keys, key) in [
        ("{smtp_host: m, destinations: [b@example.com]}", "from"),
        (
            "{smtp_host: m, from: 'not an address', destinations: [b@example.com]}",
            "from",
        ),
        (
            "{smtp_host: m, from: a@example.com, destinations: [nope]}",
            "destinations",
        ),
        (
            "{smtp_host: m, from: a@example.com, destinations: [b@example.com], smtp_password: p}",
            "smtp_password",
        ),
    ] {
        let e = channel("email", keys).validate().unwrap_err();
        assert_eq!(e.key, Some(key), "{keys}: {}", e.message);
    }
}

/// A hostile title is an RFC 2047 Subject that decodes back; a 10,000-character body with
/// a 1,500-character line arrives whole in lines of at most 998 bytes; a log with bare LF
/// endings is attached as base64.
#[test]
fn hostile_text_and_a_log_arrive_whole() {
    let long = hostile_long_body();
    let mut ev = event("backup_failure", None);
    let log: String = (0..200)
        .map(|i| format!("{i:04} rsync: sending file list ... done 日本\n"))
        .collect::<String>()
        + &"x".repeat(1500)
        + "\n";
    ev.attachments = vec![crate::attach::Attachment::new(
        "run.log".into(),
        log.clone().into_bytes(),
    )];
    for html in ["false", "true"] {
        let ch = channel(
            "email",
            &format!("{{smtp_host: m, from: a@example.com, destinations: [b@example.com], html: {html}}}"),
        );
        for ev in [&event("backup_failure", None), &ev] {
            let out = prepare_with_texts(&*ch, ev, HOSTILE_TITLE, &long).unwrap();
            let m = smtp(&out);
            assert_eq!(m.summary.2, HOSTILE_TITLE);
            let mail = raw(m);
            let subject = header(&mail, "Subject").unwrap();
            assert!(subject.is_ascii(), "{subject}");
            assert_eq!(decode_words(&subject), HOSTILE_TITLE);
            assert_eq!(part(&mail, "text/plain").unwrap(), long, "html: {html}");
            if html == "true" {
                let h = part(&mail, "text/html").unwrap();
                assert!(h.contains("START job &lt;b&gt;db&lt;/b&gt; &amp; *bold*"));
                assert!(!h.contains("<b>db"));
            }
            if !ev.attachments.is_empty() {
                let a = mail.find("filename=\"run.log\"").expect("the log attached");
                let after = &mail[a..];
                let h = after.split("\r\n\r\n").next().unwrap();
                assert!(h.contains("Content-Transfer-Encoding: base64"), "{h}");
                let body = after.split_once("\r\n\r\n").unwrap().1;
                let end = body.find("\r\n--").unwrap();
                let decoded = base64::engine::general_purpose::STANDARD
                    .decode(body[..end].split_whitespace().collect::<String>())
                    .unwrap();
                assert_eq!(String::from_utf8(decoded).unwrap(), log);
            }
        }
    }
}
