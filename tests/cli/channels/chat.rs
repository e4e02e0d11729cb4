//! Chat channels against a loopback receiver: Slack, Discord, Teams, Telegram.

use std::time::Duration;

use serde_json::{json, Value};

use super::{one, send, status_event, TRICKY};
use crate::support::{run, Env, Response, Server};

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
