//! Each channel type against a loopback receiver, field by field (CHANNELS.md).

use std::time::Duration;

use serde_json::{json, Value};

use crate::support::{run, Env, Out, Request, Response, Server};

/// A config with one endpoint `e` of `kind` and these extra YAML lines (4-space indent).
fn one(kind: &str, extra: &str) -> String {
    format!("endpoints:\n  - name: e\n    type: {kind}\n{extra}")
}

fn send(yaml: &str, args: &[&str]) -> Out {
    let env = Env::new(yaml);
    let mut c = env.cmd();
    c.arg("send").args(args);
    run(c)
}

const TRICKY: &str = "a <b> & *c* _d_ `e`";

fn status_event(status: &str) -> &'static str {
    match status {
        "start" => "backup_start",
        "success" => "backup_success",
        "failure" => "backup_failure",
        _ => "user_login",
    }
}

// ---------------------------------------------------------------- slack

#[test]
fn slack_text_blocks_escaping_and_ok_reply() {
    let srv = Server::start(|_, _| {
        Response::status(200)
            .header("Content-Type", "text/plain")
            .body("ok")
    });
    let yaml = one(
        "slack",
        &format!(
            "    url: {}\n",
            srv.url("/services/T000/B000/slacksecretxyz")
        ),
    );
    send(
        &yaml,
        &[
            "--event",
            "backup_failure",
            "--job",
            "db",
            "--host",
            "h1",
            "--error",
            TRICKY,
        ],
    )
    .code(0);
    let r = srv.one();
    assert_eq!(
        (r.method.as_str(), r.path.as_str()),
        ("POST", "/services/T000/B000/slacksecretxyz")
    );
    assert_eq!(r.header("Content-Type"), Some("application/json"));
    let j = r.json();
    let text = j["text"].as_str().unwrap();
    // No `*title*`: a `*` in the title would break the bold; the header block has it.
    assert!(
        text.starts_with(":rotating_light: Backup failed: db on h1\n"),
        "{text}"
    );
    assert_eq!(
        j["blocks"][0]["text"]["text"],
        ":rotating_light: Backup failed: db on h1"
    );
    assert!(
        text.contains("Error: a &lt;b&gt; &amp; *c* _d_ `e`"),
        "{text}"
    );
    let blocks = j["blocks"].as_array().unwrap();
    assert!(blocks.len() <= 50);
    assert_eq!(blocks[0]["type"], "header");
    assert_eq!(blocks[0]["text"]["type"], "plain_text");
    assert_eq!(blocks[1]["text"]["type"], "mrkdwn");
    assert!(blocks[1]["text"]["text"]
        .as_str()
        .unwrap()
        .contains("a &lt;b&gt; &amp;"));
    assert_eq!(j["attachments"][0]["color"], "#e01e5a");
}

#[test]
fn slack_limits_and_errors() {
    let srv = Server::start(|_, n| {
        if n == 0 {
            Response::status(400)
                .header("Content-Type", "text/plain")
                .body("invalid_payload")
        } else {
            Response::status(200).body("ok")
        }
    });
    let yaml = one(
        "slack",
        &format!("    url: {}\n", srv.url("/services/T/B/x")),
    );
    let long = "x".repeat(10_000);
    send(&yaml, &["--event", "backup_success", "--message", &long])
        .code(1)
        .err_has("invalid_payload");
    assert_eq!(srv.requests().len(), 1, "400 is not retried");
    let j = srv.one().json();
    assert!(
        j["blocks"][0]["text"]["text"]
            .as_str()
            .unwrap()
            .chars()
            .count()
            <= 150
    );
    let section = j["blocks"][1]["text"]["text"].as_str().unwrap();
    assert!(
        section.chars().count() <= 3000 && section.contains(" characters cut …"),
        "{}",
        section.chars().count()
    );
    assert!(section.starts_with("xxx") && section.contains("\nTime: "));
    // 200 with a body other than "ok" is not a delivery
    let srv2 = Server::start(|_, _| Response::status(200).body("no_text"));
    send(
        &one(
            "slack",
            &format!("    url: {}\n", srv2.url("/services/T/B/y")),
        ),
        &["--event", "backup_success"],
    )
    .code(1);
}

// ---------------------------------------------------------------- discord

#[test]
fn discord_embed_colour_mentions_and_escaping() {
    let srv = Server::start(|_, _| Response::status(204).body(""));
    for (status, colour) in [
        ("start", 0x3498DB),
        ("success", 0x2ECC71),
        ("failure", 0xE74C3C),
        ("info", 0x95A5A6),
    ] {
        let yaml = one(
            "discord",
            &format!("    url: {}\n    username: bnotify-bot\n    avatar_url: https://example.com/a.png\n", srv.url("/api/webhooks/123/discordtok")),
        );
        send(
            &yaml,
            &[
                "--event",
                status_event(status),
                "--message",
                TRICKY,
                "--status",
                status,
            ],
        )
        .code(0);
        let r = srv.requests().pop().unwrap();
        assert_eq!(r.path, "/api/webhooks/123/discordtok");
        assert_eq!(r.header("Content-Type"), Some("application/json"));
        let j = r.json();
        assert_eq!(j["embeds"][0]["color"], colour, "{status}");
        assert_eq!(j["allowed_mentions"], json!({"parse": []}));
        assert_eq!(j["username"], "bnotify-bot");
        assert_eq!(j["avatar_url"], "https://example.com/a.png");
        let d = j["embeds"][0]["description"].as_str().unwrap();
        assert!(d.contains("a <b\\> & \\*c\\* \\_d\\_ \\`e\\`"), "{d}");
        assert!(j["embeds"][0]["timestamp"].is_string());
    }
}

#[test]
fn discord_limits_and_rate_limit() {
    let srv = Server::start(|_, n| {
        if n == 0 {
            Response::status(429).body(r#"{"message": "You are being rate limited.", "retry_after": 1.2, "global": false}"#)
        } else {
            Response::status(204).body("")
        }
    });
    let yaml = one(
        "discord",
        &format!("    url: {}\n", srv.url("/api/webhooks/1/t")),
    );
    let long = "y".repeat(9000);
    let title = "T".repeat(400);
    send(
        &yaml,
        &[
            "--event",
            "backup_failure",
            "--message",
            &long,
            "--title",
            &title,
        ],
    )
    .code(0);
    let r = srv.requests();
    assert_eq!(r.len(), 2);
    assert!(
        r[1].at - r[0].at >= Duration::from_millis(1100),
        "retry_after from the body honoured"
    );
    let j = r[1].json();
    let e = &j["embeds"][0];
    let len = |v: &Value| v.as_str().unwrap().encode_utf16().count();
    assert!(
        j.get("content").is_none(),
        "the title is shown once, in the embed"
    );
    assert!(len(&e["title"]) <= 256 && len(&e["description"]) <= 4096);
    assert!(len(&e["title"]) + len(&e["description"]) + len(&e["footer"]["text"]) <= 6000);
    let d = e["description"].as_str().unwrap();
    assert!(
        d.starts_with("yyy") && d.contains(" characters cut …"),
        "{d}"
    );
}

// ---------------------------------------------------------------- teams

#[test]
fn teams_adaptive_card_keeps_the_query() {
    let srv = Server::start(|_, _| Response::status(202).body(""));
    let path = "/workflows/abc/triggers/manual/paths/invoke?api-version=2016-06-01&sp=%2Ftriggers%2Fmanual%2Frun&sv=1.0&sig=teamssig123";
    let yaml = one("teams", &format!("    url: \"{}\"\n", srv.url(path)));
    send(
        &yaml,
        &[
            "--event",
            "backup_failure",
            "--job",
            "db",
            "--backup-size",
            "2048",
            "--error",
            TRICKY,
        ],
    )
    .code(0);
    let r = srv.one();
    assert_eq!(
        r.query,
        "api-version=2016-06-01&sp=%2Ftriggers%2Fmanual%2Frun&sv=1.0&sig=teamssig123"
    );
    let j = r.json();
    assert_eq!(j["type"], "message");
    let a = &j["attachments"][0];
    assert_eq!(a["contentType"], "application/vnd.microsoft.card.adaptive");
    assert_eq!(a["content"]["type"], "AdaptiveCard");
    assert!(a["content"]["version"].is_string());
    let body = a["content"]["body"].as_array().unwrap();
    // User text goes in TextRuns, which Teams shows literally (no markdown, no escapes).
    let title = &body[0]["inlines"][0];
    assert_eq!(body[0]["type"], "RichTextBlock");
    assert_eq!(title["type"], "TextRun");
    assert!(title["text"]
        .as_str()
        .unwrap()
        .starts_with("Backup failed: db on "));
    assert_eq!(title["color"], "Attention");
    let text = body[1]["inlines"][0]["text"].as_str().unwrap();
    assert!(text.starts_with(&format!("Error: {TRICKY}\n")), "{text}");
    let facts: Vec<&str> = body[2]["inlines"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["text"].as_str().unwrap())
        .collect();
    let facts = facts.concat();
    assert!(facts.contains("Size: 2 KiB\n"), "{facts}");
}

#[test]
fn teams_rejects_retired_connector_urls() {
    let env = Env::new(&one(
        "teams",
        "    url: https://contoso.webhook.office.com/webhookb2/x/IncomingWebhook/y/z\n",
    ));
    let mut c = env.cmd();
    c.args(["config", "check"]);
    run(c).code(2).err_has("retired").err_has("Workflows");
}

// ---------------------------------------------------------------- telegram

fn telegram_ok() -> Server {
    Server::start(|_, _| Response::status(200).body(r#"{"ok":true,"result":{"message_id":1}}"#))
}

#[test]
fn telegram_html_and_markdown_v2() {
    let srv = telegram_ok();
    let yaml = one(
        "telegram",
        &format!("    bot_token: \"123456:tgsecretABC\"\n    chat_id: -100200\n    thread_id: 7\n    api_url: {}\n", srv.url("")),
    );
    send(
        &yaml,
        &[
            "--event",
            "backup_failure",
            "--job",
            "db",
            "--host",
            "h",
            "--error",
            TRICKY,
        ],
    )
    .code(0);
    let r = srv.one();
    assert_eq!(r.path, "/bot123456:tgsecretABC/sendMessage");
    let j = r.json();
    assert_eq!(j["chat_id"], -100200);
    assert_eq!(j["message_thread_id"], 7);
    assert_eq!(j["parse_mode"], "HTML");
    let text = j["text"].as_str().unwrap();
    assert!(
        text.starts_with("<b>Backup failed: db on h</b>\n\n"),
        "{text}"
    );
    assert!(
        text.contains("Error: a &lt;b&gt; &amp; *c* _d_ `e`"),
        "{text}"
    );

    let srv = telegram_ok();
    let yaml = one(
        "telegram",
        &format!("    bot_token: \"1:t\"\n    chat_id: \"@ops\"\n    parse_mode: MarkdownV2\n    api_url: {}\n", srv.url("/")),
    );
    send(
        &yaml,
        &[
            "--event",
            "backup_failure",
            "--error",
            TRICKY,
            "--host",
            "h.example",
        ],
    )
    .code(0);
    let j = srv.one().json();
    assert_eq!(j["chat_id"], "@ops");
    assert_eq!(j["parse_mode"], "MarkdownV2");
    let text = j["text"].as_str().unwrap();
    assert!(text.contains("a <b\\> & \\*c\\* \\_d\\_ \\`e\\`"), "{text}");
    assert!(text.contains("h\\.example"), "{text}");
}

#[test]
fn telegram_cuts_to_4096_after_escaping() {
    let srv = telegram_ok();
    let yaml = one(
        "telegram",
        &format!(
            "    bot_token: \"1:t\"\n    chat_id: 1\n    api_url: {}\n",
            srv.url("")
        ),
    );
    let long = "<&>".repeat(3000);
    send(&yaml, &["--event", "backup_failure", "--message", &long]).code(0);
    let text = srv.one().json()["text"].as_str().unwrap().to_string();
    let len = text.encode_utf16().count();
    assert!(len <= 4096, "{len}");
    // Dense markup does not collapse the text to a marker: most of the room is used.
    assert!(len >= 3500, "{len}");
    assert!(text.contains(" characters cut …"), "{text}");
    let unescaped = text
        .replace("&lt;", "")
        .replace("&amp;", "")
        .replace("&gt;", "");
    assert!(!unescaped.contains('&'), "an entity was split");
}

#[test]
fn telegram_ok_false_fails_and_429_waits() {
    let srv = Server::start(|_, _| {
        Response::status(200)
            .body(r#"{"ok":false,"error_code":400,"description":"Bad Request: chat not found"}"#)
    });
    let yaml = one(
        "telegram",
        &format!(
            "    bot_token: \"1:t\"\n    chat_id: 1\n    api_url: {}\n",
            srv.url("")
        ),
    );
    send(&yaml, &["--event", "backup_failure"])
        .code(1)
        .err_has("chat not found");
    assert_eq!(srv.requests().len(), 1);

    let srv = Server::start(|_, n| {
        if n == 0 {
            Response::status(429).body(r#"{"ok":false,"error_code":429,"description":"Too Many Requests: retry after 1","parameters":{"retry_after":1}}"#)
        } else {
            Response::status(200).body(r#"{"ok":true,"result":{"message_id":2}}"#)
        }
    });
    let yaml = one(
        "telegram",
        &format!(
            "    bot_token: \"1:t\"\n    chat_id: 1\n    api_url: {}\n",
            srv.url("")
        ),
    );
    send(&yaml, &["--event", "backup_failure"]).code(0);
    let r = srv.requests();
    assert_eq!(r.len(), 2);
    assert!(r[1].at - r[0].at >= Duration::from_millis(950));
}

// ---------------------------------------------------------------- gotify

#[test]
fn gotify_message_token_and_priorities() {
    let srv = Server::start(|_, _| {
        Response::status(200).body(r#"{"id":1,"appid":1,"message":"m","title":"t","priority":8}"#)
    });
    for (status, prio) in [("start", 2), ("success", 5), ("failure", 8), ("info", 4)] {
        let yaml = one(
            "gotify",
            &format!("    url: {}\n    token: gotifytok1\n", srv.url("/gotify/")),
        );
        send(
            &yaml,
            &[
                "--event",
                status_event(status),
                "--status",
                status,
                "--message",
                "m",
            ],
        )
        .code(0);
        let r = srv.requests().pop().unwrap();
        assert_eq!(
            (r.method.as_str(), r.path.as_str(), r.query.as_str()),
            ("POST", "/gotify/message", "")
        );
        assert_eq!(r.header("X-Gotify-Key"), Some("gotifytok1"));
        let j = r.json();
        assert_eq!(j["priority"], prio, "{status}");
        assert!(j["title"].is_string() && !j["message"].as_str().unwrap().is_empty());
    }
    let yaml = one(
        "gotify",
        &format!("    url: {}\n    token: t\n    priority: 10\n", srv.url("")),
    );
    send(&yaml, &["--event", "backup_success"]).code(0);
    assert_eq!(srv.requests().pop().unwrap().json()["priority"], 10);
}

#[test]
fn gotify_401_shows_the_error() {
    let srv = Server::start(|_, _| {
        Response::status(401).body(r#"{"error":"Unauthorized","errorCode":401,"errorDescription":"you need to provide a valid access token"}"#)
    });
    let yaml = one(
        "gotify",
        &format!("    url: {}\n    token: bad\n", srv.url("")),
    );
    send(&yaml, &["--event", "backup_failure"])
        .code(1)
        .err_has("valid access token");
    assert_eq!(srv.requests().len(), 1);
}

// ---------------------------------------------------------------- ntfy

#[test]
fn ntfy_headers_auth_and_defaults() {
    let srv = Server::start(|_, _| Response::status(200).body(r#"{"id":"x","event":"message"}"#));
    for (status, prio, tag) in [
        ("start", "2", "arrow_forward"),
        ("success", "3", "white_check_mark"),
        ("failure", "4", "rotating_light"),
    ] {
        let yaml = one(
            "ntfy",
            &format!(
                "    url: {}\n    topic: backups\n    token: tk_ntfysecret\n",
                srv.url("/")
            ),
        );
        send(
            &yaml,
            &["--event", status_event(status), "--message", "hello"],
        )
        .code(0);
        let r = srv.requests().pop().unwrap();
        assert_eq!((r.method.as_str(), r.path.as_str()), ("POST", "/backups"));
        assert_eq!(r.header("Priority"), Some(prio));
        assert_eq!(r.header("Tags"), Some(tag));
        assert_eq!(r.header("Authorization"), Some("Bearer tk_ntfysecret"));
        assert!(r.header("Title").unwrap().starts_with("Backup"));
        assert!(r.text().starts_with("hello"));
    }
    let yaml = one(
        "ntfy",
        &format!("    url: {}\n    topic: t\n    user: bob\n    password: ntfypw\n    priority: 5\n    tags: [floppy_disk, prod]\n    markdown: true\n", srv.url("")),
    );
    send(
        &yaml,
        &[
            "--event",
            "backup_failure",
            "--title",
            "Sauvegarde échouée",
            "--message",
            "*x*",
        ],
    )
    .code(0);
    let r = srv.requests().pop().unwrap();
    assert_eq!(r.header("Authorization"), Some("Basic Ym9iOm50Znlwdw=="));
    assert_eq!(r.header("Priority"), Some("5"));
    assert_eq!(r.header("Tags"), Some("floppy_disk,prod"));
    assert_eq!(r.header("Markdown"), Some("yes"));
    assert!(r.header("Title").unwrap().starts_with("=?UTF-8?B?"));
    assert!(r.text().starts_with("\\*x\\*"));
}

#[test]
fn ntfy_body_fits_4096_bytes() {
    let srv = Server::ok();
    let yaml = one("ntfy", &format!("    url: {}\n    topic: t\n", srv.url("")));
    send(
        &yaml,
        &["--event", "backup_failure", "--message", &"é".repeat(5000)],
    )
    .code(0);
    let r = srv.one();
    // 4,096 bytes or more would turn the message into an attachment.
    assert!(r.body.len() <= 4095, "{}", r.body.len());
    assert!(r.body.len() >= 4000, "{}", r.body.len());
    assert!(r.text().contains(" characters cut …"));
}

// ---------------------------------------------------------------- bark

#[test]
fn bark_key_in_url_and_levels() {
    let srv = Server::start(|_, _| {
        Response::status(200).body(r#"{"code":200,"message":"success","timestamp":1}"#)
    });
    for (status, level) in [
        ("start", "active"),
        ("success", "passive"),
        ("failure", "critical"),
        ("info", "active"),
    ] {
        let yaml = one(
            "bark",
            &format!(
                "    url: {}\n    group: backups\n    sound: minuet\n    badge: 1\n",
                srv.url("/barkkey123")
            ),
        );
        send(
            &yaml,
            &["--event", status_event(status), "--status", status],
        )
        .code(0);
        let r = srv.requests().pop().unwrap();
        assert_eq!(
            (r.method.as_str(), r.path.as_str()),
            ("POST", "/barkkey123")
        );
        assert!(r
            .header("Content-Type")
            .unwrap()
            .starts_with("application/json"));
        let j = r.json();
        assert_eq!(j["level"], level, "{status}");
        assert_eq!(j["group"], "backups");
        assert_eq!(j["sound"], "minuet");
        assert_eq!(j["badge"], 1);
        assert!(j["title"].is_string() && j["body"].is_string());
    }
}

#[test]
fn bark_push_with_nested_prime_backup_map() {
    let srv = Server::start(|_, _| {
        Response::status(200).body(r#"{"code":200,"message":"success","timestamp":1}"#)
    });
    let yaml = one(
        "bark",
        &format!("    url: {}\n    bark:\n      device_key: nestedkey9\n      group: prime_backup\n      level: timeSensitive\n      sound: minuet\n      badge: 1\n", srv.url("/push")),
    );
    send(&yaml, &["--event", "backup_failure"]).code(0);
    let r = srv.one();
    assert_eq!(r.path, "/push");
    let j = r.json();
    assert_eq!(j["device_key"], "nestedkey9");
    assert_eq!(j["level"], "timeSensitive");
    assert_eq!(j["group"], "prime_backup");
    // code != 200 in the envelope is a failure
    let bad = Server::start(|_, _| {
        Response::status(200).body(r#"{"code":400,"message":"device key is empty"}"#)
    });
    send(
        &one("bark", &format!("    url: {}\n", bad.url("/k"))),
        &["--event", "backup_failure"],
    )
    .code(1)
    .err_has("device key is empty");
    // no key anywhere is a config error
    let env = Env::new(&one("bark", "    url: https://api.day.app/push\n"));
    let mut c = env.cmd();
    c.args(["config", "check"]);
    run(c).code(2).err_has("device_key");
}

// ---------------------------------------------------------------- twilio

#[test]
fn twilio_one_form_request_per_recipient() {
    let srv =
        Server::start(|_, _| Response::status(201).body(r#"{"sid":"SM1","status":"queued"}"#));
    let yaml = one(
        "twilio",
        &format!("    account_sid: ACabc\n    auth_token: twiliotok\n    from: \"+15550001111\"\n    to: [\"+15550002222\", \"+15550003333\"]\n    api_url: {}\n", srv.url("")),
    );
    send(
        &yaml,
        &["--event", "backup_failure", "--message", &"z".repeat(3000)],
    )
    .code(0);
    let r = srv.requests();
    assert_eq!(r.len(), 2);
    let mut tos = Vec::new();
    for req in &r {
        assert_eq!(req.path, "/2010-04-01/Accounts/ACabc/Messages.json");
        assert_eq!(
            req.header("Content-Type"),
            Some("application/x-www-form-urlencoded")
        );
        assert_eq!(
            req.header("Authorization"),
            Some("Basic QUNhYmM6dHdpbGlvdG9r")
        );
        let f: std::collections::HashMap<_, _> = req.form().into_iter().collect();
        assert_eq!(f["From"], "+15550001111");
        // Default max_length: 320, title and the message's first line, cut in the middle.
        let body = &f["Body"];
        assert!(body.encode_utf16().count() <= 320, "{body}");
        assert!(
            body.starts_with("Backup failed") && body.contains('…'),
            "{body}"
        );
        tos.push(f["To"].clone());
    }
    tos.sort();
    assert_eq!(tos, ["+15550002222", "+15550003333"]);
}

#[test]
fn twilio_error_is_shown_and_not_retried() {
    let srv = Server::start(|_, _| {
        Response::status(400).body(r#"{"code":21211,"message":"The 'To' number is not valid.","more_info":"x","status":400}"#)
    });
    let yaml = one(
        "twilio",
        &format!("    account_sid: AC1\n    auth_token: t0k\n    from: \"+1\"\n    to: [\"bad\"]\n    api_url: {}\n", srv.url("")),
    );
    send(&yaml, &["--event", "backup_failure"])
        .code(1)
        .err_has("21211")
        .err_has("not valid");
    assert_eq!(srv.requests().len(), 1);
}

// ---------------------------------------------------------------- healthchecks

#[test]
fn healthchecks_paths_rid_and_body() {
    let srv = Server::start(|_, _| {
        Response::status(200)
            .header("Ping-Body-Limit", "100000")
            .body("OK")
    });
    let uuid = "5bf66975-d4c7-4bf5-bcc8-b8d8a82ea278";
    let run_id = "0b6f2a3c-1d2e-4f50-8a9b-0c1d2e3f4a5b";
    let yaml = one(
        "healthchecks",
        &format!("    url: {}\n", srv.url(&format!("/ping/{uuid}"))),
    );
    let paths: Vec<(String, String)> = [
        "backup_start",
        "backup_success",
        "backup_failure",
        "user_login",
    ]
    .iter()
    .map(|ev| {
        send(
            &yaml,
            &[
                "--event",
                ev,
                "--id",
                run_id,
                "--message",
                "msg",
                "--error",
                "err",
            ],
        )
        .code(0);
        let r = srv.requests().pop().unwrap();
        assert_eq!(r.method, "POST");
        assert_eq!(r.header("Content-Type"), Some("text/plain; charset=utf-8"));
        assert_eq!(r.text(), "msg\nerr");
        (r.path, r.query)
    })
    .collect();
    let rid = format!("rid={run_id}");
    assert_eq!(
        paths,
        [
            (format!("/ping/{uuid}/start"), rid.clone()),
            (format!("/ping/{uuid}"), rid.clone()),
            (format!("/ping/{uuid}/fail"), rid.clone()),
            (format!("/ping/{uuid}/log"), rid),
        ]
    );
    // a non-UUID id is not sent as rid
    send(&yaml, &["--event", "backup_success", "--id", "not-a-uuid"]).code(0);
    assert_eq!(srv.requests().pop().unwrap().query, "");
}

// ---------------------------------------------------------------- pagerduty

#[test]
fn pagerduty_trigger_and_resolve_share_the_dedup_key() {
    let srv = Server::start(|_, _| {
        Response::status(202)
            .body(r#"{"status":"success","message":"Event processed","dedup_key":"db"}"#)
    });
    let yaml = one(
        "pagerduty",
        &format!(
            "    routing_key: pdroutingkey0123456789\n    api_url: {}\n",
            srv.url("")
        ),
    );
    send(
        &yaml,
        &[
            "--event",
            "backup_failure",
            "--job",
            "db",
            "--host",
            "h1",
            "--error",
            "disk full",
        ],
    )
    .code(0);
    send(&yaml, &["--event", "backup_start", "--job", "db"]).code(0);
    send(&yaml, &["--event", "backup_success", "--job", "db"]).code(0);
    let r = srv.requests();
    assert_eq!(r.len(), 2, "start sends nothing");
    for req in &r {
        assert_eq!(req.path, "/v2/enqueue");
        assert_eq!(req.header("Authorization"), None);
    }
    let t = r[0].json();
    assert_eq!(t["routing_key"], "pdroutingkey0123456789");
    assert_eq!(t["event_action"], "trigger");
    assert_eq!(t["dedup_key"], "db");
    assert_eq!(t["payload"]["summary"], "Backup failed: db on h1");
    assert_eq!(t["payload"]["source"], "h1");
    assert_eq!(t["payload"]["severity"], "critical");
    assert_eq!(t["payload"]["custom_details"]["error"], "disk full");
    let s = r[1].json();
    assert_eq!(
        s,
        json!({"routing_key": "pdroutingkey0123456789", "event_action": "resolve", "dedup_key": "db"})
    );
}

#[test]
fn pagerduty_400_is_final() {
    let srv = Server::start(|_, _| {
        Response::status(400).body(
            r#"{"status":"invalid event","message":"Event object is invalid","errors":["x"]}"#,
        )
    });
    let yaml = one(
        "pagerduty",
        &format!(
            "    routing_key: k\n    api_url: {}\n    severity: warning\n",
            srv.url("")
        ),
    );
    send(&yaml, &["--event", "backup_failure"])
        .code(1)
        .err_has("invalid");
    assert_eq!(srv.requests().len(), 1);
    assert_eq!(srv.one().json()["payload"]["severity"], "warning");
}

// ---------------------------------------------------------------- all together

/// Every HTTP type in one config; one receiver is down, the others still get theirs.
#[test]
fn all_types_at_once_with_one_down() {
    let srv = Server::start(|r: &Request, _| match r.path.as_str() {
        p if p.starts_with("/slack") => Response::status(200).body("ok"),
        p if p.starts_with("/tg") => Response::status(200).body(r#"{"ok":true}"#),
        p if p.starts_with("/bark") => Response::status(200).body(r#"{"code":200}"#),
        _ => Response::status(200),
    });
    let down = format!("http://127.0.0.1:{}", crate::support::closed_port());
    let u = |p: &str| srv.url(p);
    let yaml = format!(
        "defaults: {{retries: 0}}\nendpoints:\n\
  - {{name: webhook, type: webhook, url: \"{}\"}}\n\
  - {{name: slack, type: slack, url: \"{}\"}}\n\
  - {{name: discord, type: discord, url: \"{}\"}}\n\
  - {{name: teams, type: teams, url: \"{}\"}}\n\
  - {{name: gotify, type: gotify, url: \"{}\", token: t}}\n\
  - {{name: ntfy, type: ntfy, url: \"{}\", topic: x}}\n\
  - {{name: telegram, type: telegram, bot_token: \"1:a\", chat_id: 1, api_url: \"{}\"}}\n\
  - {{name: twilio, type: twilio, account_sid: AC1, auth_token: t, from: \"+1\", to: [\"+2\"], api_url: \"{}\"}}\n\
  - {{name: bark, type: bark, url: \"{}\"}}\n\
  - {{name: healthchecks, type: healthchecks, url: \"{}\"}}\n\
  - {{name: pagerduty, type: pagerduty, routing_key: k, api_url: \"{}\"}}\n\
  - {{name: down, type: webhook, url: \"{down}/x\"}}\n",
        u("/webhook"), u("/slack/services/a"), u("/discord/api/webhooks/1/t"), u("/teams"), u("/gotify"),
        u("/ntfy"), u("/tg"), u("/twilio"), u("/bark/key1"), u("/hc/uuid-here"), u("/pd"),
    );
    let out = send(&yaml, &["--event", "backup_failure", "--job", "db"]);
    out.code(1).err_has("FAIL  down");
    let mut got: Vec<String> = srv
        .requests()
        .iter()
        .map(|r| r.path.split('/').nth(1).unwrap().to_string())
        .collect();
    got.sort();
    assert_eq!(
        got,
        [
            "bark", "discord", "gotify", "hc", "ntfy", "pd", "slack", "teams", "tg", "twilio",
            "webhook"
        ]
    );
    assert_eq!(
        out.stderr.lines().filter(|l| l.starts_with("ok ")).count(),
        11,
        "{}",
        out.stderr
    );
}

#[test]
fn missing_required_keys_name_endpoint_and_key() {
    for (kind, key) in [
        ("slack", "url"),
        ("discord", "url"),
        ("teams", "url"),
        ("gotify", "token"),
        ("ntfy", "topic"),
        ("telegram", "bot_token"),
        ("twilio", "account_sid"),
        ("healthchecks", "url"),
        ("pagerduty", "routing_key"),
    ] {
        let extra = match kind {
            "gotify" => "    url: http://h\n",
            "telegram" => "    chat_id: 1\n",
            "twilio" => "    auth_token: t\n    from: a\n    to: [b]\n",
            _ => "",
        };
        let env = Env::new(&one(kind, extra));
        let mut c = env.cmd();
        c.args(["config", "check"]);
        run(c)
            .code(2)
            .err_has(&format!("endpoint \"e\" ({kind})"))
            .err_has(&format!("missing required key \"{key}\""));
    }
}

/// Every type with distinctive secrets, sent to failing and unreachable receivers: no
/// secret shows up in any output, error or listing.
#[test]
fn secrets_never_print_anywhere() {
    let srv = Server::start(|_, _| Response::status(500));
    let down = format!("http://127.0.0.1:{}", crate::support::closed_port());
    let yaml = format!(
        "defaults: {{retries: 0}}\nendpoints:\n\
  - {{name: webhook, type: webhook, url: \"{}\", token: WEBHOOKSECRET11, headers: {{Authorization: \"Bearer HEADERSECRET12\"}}, signing: {{secret: SIGNSECRET13}}}}\n\
  - {{name: webhook-down, type: webhook, url: \"http://user:USERINFOSECRET14@127.0.0.1:{}/x?token=QUERYSECRET15\"}}\n\
  - {{name: slack, type: slack, url: \"{}\"}}\n\
  - {{name: discord, type: discord, url: \"{}\"}}\n\
  - {{name: teams, type: teams, url: \"{}\"}}\n\
  - {{name: gotify, type: gotify, url: \"{}\", token: GOTIFYSECRET1}}\n\
  - {{name: ntfy, type: ntfy, url: \"{}\", topic: x, user: u, password: NTFYSECRET2}}\n\
  - {{name: telegram, type: telegram, bot_token: \"1:TGSECRET3\", chat_id: 1, api_url: \"{}\"}}\n\
  - {{name: twilio, type: twilio, account_sid: AC1, auth_token: TWILIOSECRET4, from: \"+1\", to: [\"+2\"], api_url: \"{}\"}}\n\
  - {{name: bark, type: bark, url: \"{}\"}}\n\
  - {{name: healthchecks, type: healthchecks, url: \"{}\"}}\n\
  - {{name: pagerduty, type: pagerduty, routing_key: PDSECRET7, api_url: \"{}\"}}\n\
  - {{name: email, type: email, smtp_host: 127.0.0.1, smtp_port: {}, smtp_crypto: none, smtp_user: u, smtp_password: SMTPSECRET16, from: a@example.com, destinations: [{{email: b@example.com}}]}}\n\
  - {{name: command, type: command, argv: [sh, -c, \"exit 1\"], env: {{API_TOKEN: CMDSECRET17}}}}\n",
        srv.url("/w"),
        crate::support::closed_port(),
        srv.url("/services/T/B/SLACKSECRET5"),
        srv.url("/api/webhooks/1/DISCORDSECRET6"),
        srv.url("/t?sv=1&sig=TEAMSSECRET8"),
        srv.url("/g"),
        down.clone() + "/n",
        srv.url("/tg"),
        srv.url("/tw"),
        srv.url("/BARKSECRET9"),
        srv.url("/ping/HCSECRET10-aaaa-bbbb-cccc"),
        down.clone() + "/pd",
        crate::support::closed_port(),
    );
    for t in bnotify::channels::TYPES {
        assert!(
            yaml.contains(&format!("type: {},", t.name)),
            "no secrets row for type {}",
            t.name
        );
    }
    let secrets = [
        "GOTIFYSECRET1",
        "NTFYSECRET2",
        "TGSECRET3",
        "TWILIOSECRET4",
        "SLACKSECRET5",
        "DISCORDSECRET6",
        "PDSECRET7",
        "TEAMSSECRET8",
        "BARKSECRET9",
        "HCSECRET10",
        "WEBHOOKSECRET11",
        "HEADERSECRET12",
        "SIGNSECRET13",
        "USERINFOSECRET14",
        "QUERYSECRET15",
        "SMTPSECRET16",
        "CMDSECRET17",
    ];
    let env = Env::new(&yaml);
    let check = |args: &[&str], env: &Env| {
        let mut c = env.cmd();
        c.args(args);
        let out = run(c);
        for s in secrets {
            assert!(
                !out.stdout.contains(s) && !out.stderr.contains(s),
                "{args:?} leaked {s}:\n{}\n{}",
                out.stdout,
                out.stderr
            );
        }
        out
    };
    check(&["-vv", "send", "--event", "backup_failure"], &env).code(1);
    check(&["--json", "send", "--event", "backup_failure"], &env).code(1);
    check(&["send", "--event", "backup_failure", "--dry-run"], &env).code(0);
    check(
        &["--json", "send", "--event", "backup_failure", "--dry-run"],
        &env,
    )
    .code(0);
    check(&["config", "show"], &env).code(0);
    check(&["--json", "config", "show"], &env).code(0);
    check(&["config", "check"], &env).code(0);
    check(&["endpoints"], &env).code(0);
    check(&["outbox", "list"], &env)
        .code(0)
        .out_has("pagerduty");
    check(&["--json", "outbox", "list"], &env).code(0);
    check(&["-vv", "outbox", "flush"], &env).code(1);
    for entry in crate::support::files(&env.outbox()) {
        let text = std::fs::read_to_string(entry).unwrap();
        for s in secrets {
            assert!(!text.contains(s), "outbox entry holds {s}");
        }
    }
    // a config with errors still masks what it prints
    let broken = yaml
        .replace("token: GOTIFYSECRET1}", "token: GOTIFYSECRET1, bogus: 1}")
        .replace("url: \"http://user:", "methd: PUT, url: \"http://user:");
    let env2 = Env::new(&broken);
    check(&["config", "check"], &env2).code(2).err_has("bogus");
}

#[test]
fn escaping_never_pushes_text_past_a_limit() {
    let srv = Server::start(|_, _| Response::status(200).body("ok"));
    let yaml = one(
        "slack",
        &format!("    url: {}\n", srv.url("/services/T/B/z")),
    );
    let title = "T&".repeat(200);
    send(
        &yaml,
        &[
            "--event",
            "backup_failure",
            "--title",
            &title,
            "--message",
            &"<&>".repeat(3000),
        ],
    )
    .code(0);
    let j = srv.one().json();
    let header = j["blocks"][0]["text"]["text"].as_str().unwrap();
    let section = j["blocks"][1]["text"]["text"].as_str().unwrap();
    assert!(
        header.chars().count() <= 150,
        "header {}",
        header.chars().count()
    );
    assert!(
        section.chars().count() <= 3000,
        "section {}",
        section.chars().count()
    );
    let bare = section
        .replace("&lt;", "")
        .replace("&amp;", "")
        .replace("&gt;", "");
    assert!(!bare.contains('&'), "an entity was split");
    assert!(section.starts_with("&lt;&amp;&gt;") && section.contains(" characters cut …"));
    assert!(j["text"].as_str().unwrap().chars().count() <= 4000);
}
