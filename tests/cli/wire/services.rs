//! The newer service types on the wire: the hostile title and body within each service's
//! limit in its own unit, URLs intact, and what a reader sees equal to what was written.

use serde_json::{json, Value};

use super::{
    body, decode_entities, deliver, hostile, keeps_start_and_end, last_line, s, title, utf16, URL,
};
use crate::support::{run, Env, Response, Server};

/// The hostile body `n` times over: long enough to be cut by every service.
fn long(n: usize) -> String {
    vec![body(); n].join("\n")
}

/// The hostile title with a body `n` times the hostile one, to one endpoint of `kind`.
fn long_to(kind: &str, keys: &str, reply: &'static str, n: usize) -> crate::support::Request {
    let (t, b) = (title(), long(n));
    deliver(kind, keys, reply, &["--title", &t, "--body", &b])
}

fn chars(s: &str) -> usize {
    s.chars().count()
}

/// Markdown backslash escapes removed (a `\` before ASCII punctuation).
fn unbackslash(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut it = text.chars().peekable();
    while let Some(c) = it.next() {
        if c == '\\' && it.peek().is_some_and(char::is_ascii_punctuation) {
            out.extend(it.next());
        } else {
            out.push(c);
        }
    }
    out
}

/// [`decode_entities`] around the URLs, which markdown escaping leaves as written.
fn decode_around_urls(text: &str) -> String {
    decode_entities(&text.replace(URL, "\u{1}")).replace('\u{1}', URL)
}

fn form_field(r: &crate::support::Request, name: &str) -> String {
    r.form()
        .into_iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v)
        .unwrap_or_else(|| panic!("no {name}"))
}

#[test]
fn pushover_message_1024_and_title_250_characters() {
    let keys = "    token: t\n    user: u\n    api_url: \"{base}\"\n";
    let r = hostile("pushover", keys, r#"{"status":1}"#);
    let (t, m) = (form_field(&r, "title"), form_field(&r, "message"));
    assert_eq!(t, title(), "the title is plain and fits");
    assert!(chars(&m) <= 1024, "{} characters", chars(&m));
    keeps_start_and_end(&decode_entities(&m), "pushover");
    assert!(m.contains(&URL.replace('&', "&amp;")), "URL broken");
    let long_title = format!("{} {}", "T".repeat(300), title());
    let r = deliver(
        "pushover",
        keys,
        r#"{"status":1}"#,
        &["--title", &long_title],
    );
    let t = form_field(&r, "title");
    assert!(chars(&t) <= 250 && t.ends_with(&title()), "{}", chars(&t));
}

#[test]
fn matrix_event_within_65536_bytes_with_plain_and_html_bodies() {
    let srv = Server::start(|r, _| {
        let v = if r.method == "PUT" {
            json!({"event_id": "$e"})
        } else {
            json!({"room_id": "!r:example.org"})
        };
        Response::status(200).body(v.to_string())
    });
    let yaml = format!(
        "endpoints:\n  - name: e\n    type: matrix\n    retries: 0\n    url: \"{}\"\n    access_token: tok\n    room: \"!r:example.org\"\n",
        srv.url("")
    );
    let env = Env::new(&yaml);
    for n in [1, 8] {
        let (t, b) = (title(), long(n));
        let mut c = env.cmd();
        c.args([
            "send",
            "--event",
            "backup_failure",
            "--title",
            &t,
            "--body",
            &b,
        ]);
        run(c).code(0);
    }
    let puts: Vec<_> = srv
        .requests()
        .into_iter()
        .filter(|r| r.method == "PUT")
        .collect();
    assert_eq!(puts.len(), 2);
    for (i, p) in puts.iter().enumerate() {
        assert!(p.body.len() < 65_536, "{} bytes", p.body.len());
        let j: Value = p.json();
        let plain = s(&j["body"]);
        let html = s(&j["formatted_body"]);
        let seen = decode_entities(
            &html
                .replace("<br>", "\n")
                .replace("<b>", "")
                .replace("</b>", "")
                .replace("&quot;", "\""),
        );
        if i == 0 {
            assert_eq!(
                plain,
                format!("{}\n\n{}", title(), body()),
                "10,000 characters fit whole"
            );
            assert_eq!(seen, format!("{}\n\n{}", title(), body()));
        } else {
            keeps_start_and_end(plain, "matrix body");
            keeps_start_and_end(&seen, "matrix formatted_body");
        }
        assert!(plain.starts_with(&title()) && seen.starts_with(&title()));
    }
}

#[test]
fn mattermost_markdown_reads_as_written_within_16383_characters() {
    let keys = "    url: \"{base}/hooks/k\"\n";
    let r = hostile("mattermost", keys, "ok");
    let t = r.json()["text"].as_str().unwrap().to_string();
    assert!(chars(&t) <= 16_383);
    let seen = decode_around_urls(&unbackslash(&t));
    assert!(seen.contains(&format!("**{}**", title())), "{seen}");
    assert!(
        seen.ends_with(&format!("\n\n{}", body())),
        "the whole body fits"
    );
    assert_eq!(t.matches(URL).count(), 3, "a URL was escaped");
    let r = long_to("mattermost", keys, "ok", 3);
    let t = r.json()["text"].as_str().unwrap().to_string();
    assert!(chars(&t) <= 16_383, "{}", chars(&t));
    keeps_start_and_end(&decode_around_urls(&unbackslash(&t)), "mattermost");
}

#[test]
fn rocketchat_text_within_5000_utf16_units() {
    let r = hostile(
        "rocketchat",
        "    url: \"{base}/hooks/a/b\"\n",
        r#"{"success":true}"#,
    );
    let j = r.json();
    let t = s(&j["text"]);
    assert!(utf16(t) <= 5000, "{}", utf16(t));
    assert!(t.contains(&title()), "title as written");
    keeps_start_and_end(t, "rocketchat");
}

#[test]
fn googlechat_4096_characters_and_32000_bytes() {
    let keys = "    url: \"{base}/v1/spaces/A/messages?key=k&token=t\"\n";
    let r = hostile("googlechat", keys, "{}");
    assert!(r.body.len() <= 32_000, "{} bytes", r.body.len());
    let t = r.json()["text"].as_str().unwrap().to_string();
    assert!(chars(&t) <= 4096, "{}", chars(&t));
    // Chat's text is not HTML: `&` goes as written, `<` is followed by a zero-width space.
    assert!(
        !t.contains("&amp;") && !t.contains("&lt;"),
        "no entities: {t}"
    );
    let seen = t.replace('\u{200B}', "");
    assert!(
        seen.starts_with(&title()),
        "a title with * is not bolded: {seen}"
    );
    keeps_start_and_end(&seen, "googlechat");
}

#[test]
fn zulip_content_10000_code_points_and_topic_60() {
    let t = title();
    let keys = format!(
        "    url: \"{{base}}\"\n    bot_email: b@example.com\n    api_key: k\n    stream: ops\n    topic: \"{}\"\n",
        t.replace('\\', "\\\\").replace('"', "\\\"")
    );
    let r = hostile("zulip", &keys, r#"{"result":"success"}"#);
    let topic = form_field(&r, "topic");
    assert!(chars(&topic) <= 60, "{}", chars(&topic));
    let c = form_field(&r, "content");
    assert!(chars(&c) <= 10_000, "{}", chars(&c));
    let seen = unbackslash(&c);
    assert!(seen.starts_with(&format!("**{}**", title())), "{seen}");
    keeps_start_and_end(&seen, "zulip");
    assert_eq!(c.matches(URL).count(), 3, "a URL was escaped");
}

#[test]
fn signal_plain_text_whole_then_cut_at_32768() {
    let keys = "    url: \"{base}\"\n    number: \"+1\"\n    recipients: [\"+2\"]\n";
    let r = hostile("signal", keys, r#"{"timestamp":"1"}"#);
    assert_eq!(
        r.json()["message"],
        format!("{}\n\n{}", title(), body()),
        "plain text goes as written"
    );
    let r = long_to("signal", keys, r#"{"timestamp":"1"}"#, 4);
    let m = r.json()["message"].as_str().unwrap().to_string();
    assert!(chars(&m) <= 32_768, "{}", chars(&m));
    keeps_start_and_end(&m, "signal");
}

#[test]
fn apprise_title_250_and_body_32768_characters() {
    let keys = "    url: \"{base}\"\n    key: k\n";
    let r = hostile("apprise", keys, "ok");
    let j = r.json();
    assert_eq!(j["title"], title());
    assert_eq!(j["body"], body());
    let r = long_to("apprise", keys, "ok", 4);
    let b = r.json()["body"].as_str().unwrap().to_string();
    assert!(chars(&b) <= 32_768, "{}", chars(&b));
    keeps_start_and_end(&b, "apprise");
    assert!(b.ends_with(&last_line()));
}
