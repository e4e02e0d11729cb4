//! Push, SMS and monitoring channels against a loopback receiver: Gotify, ntfy, Bark,
//! Twilio, healthchecks.io, PagerDuty.

use serde_json::json;

use super::{one, send, status_event};
use crate::support::{run, Env, Response, Server};

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
