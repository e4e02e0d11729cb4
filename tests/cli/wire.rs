//! Correct on the wire: every channel, sent a hostile title and a 10,000-character body,
//! stays within the limit its service counts (in the service's unit), keeps URLs byte for
//! byte, and shows the reader the text as written (CHANNELS.md §14).

use serde_json::Value;

use crate::support::{run, Env, Request, Response, Server};

/// Pushover, Matrix, Mattermost, Rocket.Chat, Google Chat, Zulip, Signal, Apprise API.
mod services;

/// The link that must arrive intact everywhere.
pub const URL: &str = "https://backup-host.example.com/logs/run_2026-11-30.log?a=1&b=2";

/// A title with markup, quotes, a URL, accents and an emoji.
pub fn title() -> String {
    format!("Sauvegarde échouée ✗ <b>&\"'*_~| {URL} 🔥")
}

/// The first line of [`body`]: it names the job and holds the URL.
pub fn first_line() -> String {
    format!("pg-nightly_main: dump started, log at {URL}")
}

/// The last line of [`body`]: the error that ended the run.
pub fn last_line() -> String {
    format!("FATAL: could not write block 7 of base/16384: No space left on device, see {URL}")
}

/// Exactly 10,000 characters: markup of every kind, CJK, emoji, a 1,500-character line,
/// newlines, and the URL in its first and last lines.
pub fn body() -> String {
    let filler = |i: usize| {
        format!("step {i:03}: <b>copied</b> *files* _done_ ~x~ `c` [a](b) | 1.5-2=3! #t {{x}} 備份完成 🔥 & ok\n")
    };
    let mut s = format!("{}\n", first_line());
    let mut i = 0;
    while s.chars().count() < 4000 {
        s.push_str(&filler(i));
        i += 1;
    }
    s.push_str(&format!("{}{}\n", "-".repeat(700), "=".repeat(800)));
    let end = format!("\n{}", last_line());
    while s.chars().count() + end.chars().count() + 120 < 10_000 {
        s.push_str(&filler(i));
        i += 1;
    }
    let pad = 10_000 - s.chars().count() - end.chars().count();
    s.push_str(&"x".repeat(pad));
    s.push_str(&end);
    assert_eq!(s.chars().count(), 10_000);
    s
}

/// Send the hostile failure to one endpoint of `kind` (`{base}` in `keys` becomes the
/// receiver's URL) and return the one request it made.
fn deliver(kind: &str, keys: &str, reply: &'static str, args: &[&str]) -> Request {
    let srv = Server::start(move |_, _| Response::status(200).body(reply));
    let yaml = format!(
        "endpoints:\n  - name: e\n    type: {kind}\n    retries: 0\n{}",
        keys.replace("{base}", &srv.url(""))
    );
    let env = Env::new(&yaml);
    let mut c = env.cmd();
    c.args([
        "send",
        "--event",
        "backup_failure",
        "--job",
        "pg-nightly_main",
    ]);
    c.args(["--host", "db-1"]).args(args);
    run(c).code(0);
    srv.one()
}

/// The hostile title and body, and the body again as the error.
fn hostile(kind: &str, keys: &str, reply: &'static str) -> Request {
    let (t, b) = (title(), body());
    deliver(
        kind,
        keys,
        reply,
        &["--title", &t, "--body", &b, "--error", &b],
    )
}

/// `seen` (what a reader sees) begins like the body, ends like it, and says what was cut.
#[track_caller]
fn keeps_start_and_end(seen: &str, ctx: &str) {
    assert!(seen.contains(&first_line()), "{ctx}: start lost:\n{seen}");
    assert!(seen.ends_with(&last_line()), "{ctx}: end lost:\n{seen}");
    assert!(seen.contains(" characters cut …"), "{ctx}: no marker");
}

fn s(v: &Value) -> &str {
    v.as_str().unwrap_or_else(|| panic!("not a string: {v}"))
}

fn utf16(s: &str) -> usize {
    s.encode_utf16().count()
}

/// `&lt;`, `&gt;`, `&amp;` decoded, after checking no bare `<`, `>` or `&` is left.
#[track_caller]
fn decode_entities(text: &str) -> String {
    assert!(!text.contains(['<', '>']), "unescaped < or >: {text}");
    let bare = text
        .replace("&lt;", "")
        .replace("&gt;", "")
        .replace("&amp;", "");
    assert!(!bare.contains('&'), "bare or split &: {text}");
    text.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&amp;", "&")
}

#[test]
fn discord_urls_stay_links_and_the_title_shows_once() {
    let r = hostile("discord", "    url: \"{base}/api/webhooks/1/tok\"\n", "");
    let j = r.json();
    let e = &j["embeds"][0];
    let (t, d) = (s(&e["title"]), s(&e["description"]));
    assert!(j.get("content").is_none(), "title repeated in content");
    assert!(
        utf16(t) <= 256 && utf16(d) <= 4096,
        "{} {}",
        utf16(t),
        utf16(d)
    );
    assert!(utf16(t) + utf16(d) + utf16(s(&e["footer"]["text"])) <= 6000);
    // Discord keeps backslashes inside links: the URL must be there byte for byte.
    assert!(t.contains(URL), "title URL escaped: {t}");
    assert_eq!(d.matches(URL).count(), 2, "body URLs escaped");
    assert_eq!(t.replace('\\', ""), title());
    assert!(
        !d.contains("Sauvegarde"),
        "the title is repeated in the description"
    );
    keeps_start_and_end(&d.replace('\\', ""), "discord");
}

#[test]
fn slack_header_block_and_escaped_section() {
    let r = hostile("slack", "    url: \"{base}/services/T/B/x\"\n", "ok");
    let j = r.json();
    let header = &j["blocks"][0];
    assert_eq!(header["type"], "header");
    assert_eq!(header["text"]["type"], "plain_text");
    let h = s(&header["text"]["text"]);
    assert!(utf16(h) <= 150 && h.ends_with(&title()), "{h}");
    let section = s(&j["blocks"][1]["text"]["text"]);
    assert!(utf16(section) <= 3000, "{}", utf16(section));
    keeps_start_and_end(&decode_entities(section), "slack section");
    let text = s(&j["text"]);
    assert!(utf16(text) <= 4000);
    assert!(decode_entities(text).contains(&title()));
}

#[test]
fn teams_shows_text_literally_under_28_kb() {
    let r = hostile("teams", "    url: \"{base}/workflows/x?sig=s\"\n", "");
    assert!(r.body.len() < 28_000, "{} bytes", r.body.len());
    let j = r.json();
    let card = &j["attachments"][0]["content"];
    let blocks = card["body"].as_array().unwrap();
    let runs = |b: &Value| -> Vec<Value> { b["inlines"].as_array().unwrap().clone() };
    // Every piece of user text is a TextRun: Teams renders it without markdown.
    for b in blocks {
        assert_eq!(b["type"], "RichTextBlock", "{b}");
        for run in runs(b) {
            assert_eq!(run["type"], "TextRun");
        }
    }
    assert_eq!(runs(&blocks[0])[0]["text"], title());
    let inlines = runs(&blocks[1]);
    let seen: String = inlines.iter().map(|r| s(&r["text"])).collect();
    // 10,000 characters fit in 28 KB: the reader sees exactly the body, no escapes.
    assert_eq!(seen, body());
    let links: Vec<&Value> = inlines
        .iter()
        .filter(|r| r.get("selectAction").is_some())
        .collect();
    assert_eq!(links.len(), 2, "{links:?}");
    for l in links {
        assert_eq!(l["text"], URL);
        assert_eq!(l["selectAction"]["url"], URL);
    }
}

#[test]
fn teams_counts_bytes_not_characters() {
    let cjk = "備份失敗，磁碟已滿。".repeat(2000);
    let r = deliver(
        "teams",
        "    url: \"{base}/workflows/x?sig=s\"\n",
        "",
        &["--title", &title(), "--body", &cjk],
    );
    assert!(r.body.len() < 28_000, "{} bytes", r.body.len());
    assert!(
        r.body.len() > 20_000,
        "most of the room used: {}",
        r.body.len()
    );
}

#[test]
fn telegram_html_and_markdown_v2_escape_everything_and_keep_the_end() {
    let r = hostile(
        "telegram",
        "    bot_token: \"1:x\"\n    chat_id: 1\n    api_url: \"{base}\"\n",
        r#"{"ok":true}"#,
    );
    let text = s(&r.json()["text"]).to_string();
    assert!(
        utf16(&text) <= 4096 && utf16(&text) >= 4096 / 2,
        "{}",
        utf16(&text)
    );
    let rest = text.strip_prefix("<b>").unwrap();
    let (t, b) = rest.split_once("</b>\n\n").unwrap();
    assert_eq!(decode_entities(t), title());
    keeps_start_and_end(&decode_entities(b), "telegram html");

    let r = hostile(
        "telegram",
        "    bot_token: \"1:x\"\n    chat_id: 1\n    parse_mode: MarkdownV2\n    api_url: \"{base}\"\n",
        r#"{"ok":true}"#,
    );
    let text = s(&r.json()["text"]).to_string();
    assert!(
        utf16(&text) <= 4096 && utf16(&text) >= 4096 / 2,
        "{}",
        utf16(&text)
    );
    let rest = text.strip_prefix('*').unwrap();
    let (t, b) = rest.split_once("*\n\n").unwrap();
    for part in [t, b] {
        let mut chars = part.chars();
        while let Some(c) = chars.next() {
            if c == '\\' {
                chars.next();
            } else {
                assert!(
                    !"_*[]()~`>#+-=|{}.!".contains(c),
                    "unescaped {c:?} in MarkdownV2"
                );
            }
        }
    }
    assert_eq!(t.replace('\\', ""), title());
    keeps_start_and_end(&b.replace('\\', ""), "telegram markdownv2");
}

#[test]
fn ntfy_stays_a_message_not_an_attachment() {
    for markdown in [false, true] {
        let keys = format!("    url: \"{{base}}\"\n    topic: t\n    markdown: {markdown}\n");
        let r = hostile("ntfy", &keys, r#"{"id":"1","event":"message"}"#);
        assert!(r.body.len() <= 4095, "{} bytes", r.body.len());
        assert!(r.body.len() >= 3000, "{} bytes", r.body.len());
        let text = r.text();
        assert_eq!(
            text.matches(URL).count(),
            2,
            "markdown {markdown}: URL touched"
        );
        if !markdown {
            keeps_start_and_end(&text, "ntfy");
        }
        let t = r.header("Title").unwrap();
        let b64 = t
            .strip_prefix("=?UTF-8?B?")
            .unwrap()
            .strip_suffix("?=")
            .unwrap();
        use base64::Engine;
        let decoded = base64::engine::general_purpose::STANDARD
            .decode(b64)
            .unwrap();
        assert_eq!(String::from_utf8(decoded).unwrap(), title());
    }
}

#[test]
fn bark_title_and_body_within_3000_bytes() {
    let r = hostile("bark", "    url: \"{base}/key\"\n", r#"{"code":200}"#);
    let j = r.json();
    let (t, b) = (s(&j["title"]), s(&j["body"]));
    assert_eq!(t, title());
    assert!(t.len() + b.len() <= 3000, "{} bytes", t.len() + b.len());
    assert!(t.len() + b.len() >= 2000, "{} bytes", t.len() + b.len());
    keeps_start_and_end(b, "bark");
    let r = hostile(
        "bark",
        "    url: \"{base}/key\"\n    markdown: true\n",
        r#"{"code":200}"#,
    );
    let j = r.json();
    let (t, m) = (s(&j["title"]), s(&j["markdown"]));
    assert!(t.len() + m.len() <= 3000, "{} bytes", t.len() + m.len());
    assert_eq!(m.matches(URL).count(), 2, "markdown escaping touched a URL");
}

#[test]
fn gotify_and_webhook_carry_the_text_whole() {
    let r = hostile(
        "gotify",
        "    url: \"{base}\"\n    token: t\n",
        r#"{"id":1}"#,
    );
    assert_eq!(r.json()["title"], title());
    assert_eq!(r.json()["message"], body());
    let r = hostile("webhook", "    url: \"{base}/hook\"\n", "");
    assert_eq!(r.json()["title"], title());
    assert_eq!(r.json()["body"], body());
    assert_eq!(r.json()["error"], body());
}

#[test]
fn healthchecks_body_within_10000_bytes_keeps_the_fatal_line() {
    let r = hostile("healthchecks", "    url: \"{base}/ping/abc\"\n", "OK");
    assert_eq!(
        r.path, "/ping/abc/fail",
        "send of a failure without exit_code"
    );
    assert!(r.body.len() <= 10_000, "{} bytes", r.body.len());
    keeps_start_and_end(&r.text(), "healthchecks");
}

#[test]
fn pagerduty_omits_absent_keys_and_sends_the_error_once() {
    let r = hostile(
        "pagerduty",
        "    routing_key: k\n    api_url: \"{base}\"\n",
        "{}",
    );
    assert!(r.body.len() < 512_000);
    let j = r.json();
    let p = &j["payload"];
    for (k, v) in p
        .as_object()
        .unwrap()
        .iter()
        .chain(p["custom_details"].as_object().unwrap())
    {
        assert!(!v.is_null(), "{k} is null");
    }
    assert!(utf16(s(&p["summary"])) <= 1024);
    assert_eq!(p["component"], "pg-nightly_main");
    assert_eq!(
        r.text().matches("FATAL: could not write").count(),
        1,
        "error sent twice"
    );

    // No task: no component at all; a 600 KB error is cut to 64 KiB.
    let env = Env::new("");
    let srv = Server::start(|_, _| Response::status(202).body("{}"));
    let big = format!("{}\n{}", "log line\n".repeat(70_000), last_line());
    let payload = serde_json::json!({"event": "backup_failure", "error": big});
    std::fs::write(env.path("p.json"), payload.to_string()).unwrap();
    std::fs::write(
        &env.config,
        format!(
            "endpoints:\n  - {{name: pd, type: pagerduty, routing_key: k, api_url: \"{}\"}}\n",
            srv.url("")
        ),
    )
    .unwrap();
    let mut c = env.cmd();
    c.args(["send", "--event", "backup_failure", "--payload"])
        .arg(env.path("p.json"));
    run(c).code(0);
    let r = srv.one();
    assert!(r.body.len() < 512_000, "{} bytes", r.body.len());
    let p = &r.json()["payload"];
    assert!(p.get("component").is_none(), "{p}");
    let error = s(&p["custom_details"]["error"]);
    assert!(
        error.len() <= 64 * 1024 && error.ends_with(&last_line()),
        "{}",
        error.len()
    );
}

#[test]
fn twilio_sends_title_and_first_error_line_within_max_length() {
    let keys = "    account_sid: AC1\n    auth_token: t\n    from: \"+1\"\n    to: [\"+2\"]\n    api_url: \"{base}\"\n";
    let (t, b) = (title(), body());
    let r = deliver("twilio", keys, "{}", &["--title", &t, "--error", &b]);
    let form: std::collections::HashMap<_, _> = r.form().into_iter().collect();
    assert_eq!(form["Body"], format!("{}\n{}", title(), first_line()));
    let r = hostile("twilio", &format!("{keys}    max_length: 1000\n"), "{}");
    let form: std::collections::HashMap<_, _> = r.form().into_iter().collect();
    let sms = &form["Body"];
    assert!(utf16(sms) <= 1000 && utf16(sms) >= 500, "{}", utf16(sms));
    assert!(
        sms.starts_with(&title()) && sms.ends_with(&last_line()),
        "{sms}"
    );
}

#[test]
fn command_env_capped_at_32_kib_and_the_whole_event_on_stdin() {
    let env = Env::new("");
    let script = format!(
        "printf %s \"$BNOTIFY_BODY\" > {0}/env.txt; cat > {0}/stdin.json",
        env.dir.path().display()
    );
    std::fs::write(
        &env.config,
        format!(
            "endpoints:\n  - name: c\n    type: command\n    argv: [sh, -c, {}]\n",
            serde_json::to_string(&script).unwrap()
        ),
    )
    .unwrap();
    // 200 KB: over Linux's 128 KiB per environment string.
    let big = format!(
        "{}\n{}{}",
        first_line(),
        "備份 log line\n".repeat(12_000),
        last_line()
    );
    let payload = serde_json::json!({"event": "backup_failure", "body": big});
    std::fs::write(env.path("p.json"), payload.to_string()).unwrap();
    let mut c = env.cmd();
    c.args(["send", "--event", "backup_failure", "--payload"])
        .arg(env.path("p.json"));
    run(c).code(0);
    let var = std::fs::read_to_string(env.path("env.txt")).unwrap();
    assert!(var.len() <= 32 * 1024, "{} bytes", var.len());
    keeps_start_and_end(&var, "BNOTIFY_BODY");
    let stdin: Value =
        serde_json::from_slice(&std::fs::read(env.path("stdin.json")).unwrap()).unwrap();
    // The event on stdin carries the body as cut at intake (64 KiB), more than the
    // 32 KiB variable, with the same start and end.
    let body = stdin["body"].as_str().unwrap();
    assert!(
        body.len() <= 64 * 1024 && body.len() > var.len(),
        "{} bytes",
        body.len()
    );
    keeps_start_and_end(body, "stdin body");
}

#[test]
fn run_sends_the_error_line_a_terminal_showed() {
    let srv = Server::ok();
    let hc = Server::start(|_, _| Response::status(200).body("OK"));
    let env = Env::new(&format!(
        "endpoints:\n  - {{name: hook, type: webhook, url: \"{}\"}}\n  - {{name: hc, type: healthchecks, url: \"{}\"}}\n",
        srv.url("/run"),
        hc.url("/ping/abc")
    ));
    let script = r#"for p in 0 33 66 99; do printf '\r\033[2K\033[32m[%3d%%]\033[0m copying…' $p >&2; done
printf '\r\033[2K\033]0;backup\007' >&2
echo 'tar: /srv/data: Cannot open: Permission denied' >&2
exit 2"#;
    let mut c = env.cmd();
    c.args(["run", "--job", "files", "--", "sh", "-c", script]);
    run(c).code(2);
    let end = srv.requests().pop().unwrap().json();
    assert_eq!(end["event"], "backup_failure");
    assert_eq!(
        end["error"],
        "tar: /srv/data: Cannot open: Permission denied"
    );
    let ping = hc.requests().pop().unwrap();
    assert_eq!(ping.path, "/ping/abc/2", "run pings the exit code");
    assert_eq!(
        ping.text(),
        "tar: /srv/data: Cannot open: Permission denied"
    );
}

/// Each registered type has its hostile-text test here (email's is in `email.rs`).
#[test]
fn every_type_is_tested_on_the_wire() {
    let this: String = [include_str!("wire.rs"), include_str!("wire/services.rs")]
        .concat()
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect();
    let email = include_str!("email.rs");
    // the engines fleets run get the hostile text in fleet.rs, against the real servers
    let fleet: String = include_str!("fleet.rs")
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect();
    for t in bnotify::catalog::channel_types() {
        let here = this.contains(&format!("hostile(\"{}\"", t.name))
            || this.contains(&format!("deliver(\"{}\"", t.name))
            || this.contains(&format!("type:{}", t.name));
        let mail = t.name == "email" && email.contains("crate::wire::body()");
        let fleet = fleet.contains(&format!("type:{}", t.name)) && fleet.contains("body()");
        assert!(here || mail || fleet, "no wire test for type {}", t.name);
    }
}
