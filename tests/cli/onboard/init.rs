//! `bnotify config init`: where it writes, what it writes, and that what it writes works.

use std::os::unix::fs::PermissionsExt;

use bnotify::catalog::SNIPPETS;

use crate::support::smtp::SmtpServer;
use crate::support::tls::TestCerts;
use crate::support::{run, Env, Response, Server};

fn mode(p: &std::path::Path) -> u32 {
    std::fs::metadata(p).unwrap().permissions().mode() & 0o777
}

#[test]
fn init_writes_a_private_starter_config_and_keeps_an_existing_one() {
    let env = Env::new("");
    let xdg = env.path("xdg");
    let mut c = env.bare();
    c.args(["config", "init"]).env("XDG_CONFIG_HOME", &xdg);
    let out = run(c);
    out.code(0)
        .err_has("bnotify config check")
        .err_has("bnotify test notify")
        .err_has("WEBHOOK_URL");
    let path = xdg.join("bnotify/config.yaml");
    assert_eq!(mode(&path), 0o600);
    let text = std::fs::read_to_string(&path).unwrap();
    assert!(
        text.contains("events: [backup_failure, restore_failure, system_error]"),
        "{text}"
    );
    assert!(text.contains("type: webhook\n") && text.contains("url: ${WEBHOOK_URL}"));
    assert!(!text.contains(":-"), "no hidden defaults:\n{text}");

    // The file it wrote is the one bnotify finds, and an unset variable is named.
    let mut c = env.bare();
    c.args(["config", "check"]).env("XDG_CONFIG_HOME", &xdg);
    run(c).code(2).err_has("WEBHOOK_URL is not set");
    let srv = Server::ok();
    let mut c = env.bare();
    c.args(["test", "notify"])
        .env("XDG_CONFIG_HOME", &xdg)
        .env("WEBHOOK_URL", srv.url("/hook"));
    run(c).code(0).err_has("ok ");
    assert_eq!(srv.one().json()["event"], "test");

    // A second init keeps the file and says how to replace it.
    std::fs::write(&path, "# mine\n").unwrap();
    let mut c = env.bare();
    c.args(["config", "init", "--type", "slack"])
        .env("XDG_CONFIG_HOME", &xdg);
    run(c).code(2).err_has("already exists").err_has("--force");
    assert_eq!(std::fs::read_to_string(&path).unwrap(), "# mine\n");
    let mut c = env.bare();
    c.args(["config", "init", "--type", "slack", "--force"])
        .env("XDG_CONFIG_HOME", &xdg);
    run(c).code(0).err_has("SLACK_WEBHOOK_URL");
    assert!(std::fs::read_to_string(&path)
        .unwrap()
        .contains("type: slack\n"));
    assert_eq!(mode(&path), 0o600);
}

#[test]
fn init_without_xdg_writes_under_home_and_refuses_unknown_types() {
    let env = Env::new("");
    let mut c = env.bare();
    c.args(["config", "init"]);
    run(c).code(0);
    let path = env.path("home/.config/bnotify/config.yaml");
    assert_eq!(mode(&path), 0o600);
    let mut c = env.bare();
    c.args(["config", "path"]);
    run(c).code(0).out_has(".config/bnotify/config.yaml");

    let mut c = env.bare();
    c.args(["config", "init", "--type", "slak", "--path"])
        .arg(env.path("x.yaml"));
    let out = run(c);
    out.code(2).err_has("slack");
    assert!(!env.path("x.yaml").exists());
}

/// What to set each variable of the snippets to: loopback URLs, test addresses.
fn value(kind: &str, var: &str, srv: &Server, dir: &std::path::Path) -> String {
    match var {
        "SMTP_HOST" => "127.0.0.1".into(),
        "SMTP_USER" => "ops".into(),
        "SMTP_PASSWORD" => "pw-right".into(),
        "MAIL_FROM" => "backups@example.com".into(),
        "MAIL_TO" => "ops@example.com".into(),
        "NOTIFY_COMMAND" => format!("cat > '{}'", dir.join("command-event.json").display()),
        "TELEGRAM_CHAT_ID" => "-1001234567890".into(),
        "TELEGRAM_BOT_TOKEN" => "123456:tg-secret-token".into(),
        "TWILIO_FROM" => "+15550001111".into(),
        "TWILIO_TO" => "+15550002222".into(),
        "BARK_URL" => srv.url("/bark/bark-secret-key"),
        "MQTT_USER" => crate::fleet::servers::MQTT_USER.into(),
        "MQTT_PASSWORD" => crate::fleet::servers::MQTT_PASSWORD.into(),
        "TEXTFILE_DIR" => {
            let d = dir.join("textfile");
            std::fs::create_dir_all(&d).unwrap();
            d.display().to_string()
        }
        "MATRIX_ROOM" => "#backups:example.org".into(),
        "ZULIP_BOT_EMAIL" => "backup-bot@example.zulipchat.com".into(),
        "ZULIP_STREAM" => "ops".into(),
        "SIGNAL_NUMBER" => "+15550001111".into(),
        "SIGNAL_TO" => "+15550002222".into(),
        "MATTERMOST_HOOK_URL" => srv.url("/mattermost/hooks/mm-secret-hook"),
        "ROCKETCHAT_HOOK_URL" => srv.url("/rocketchat/hooks/rc-id/rc-secret-token"),
        "GOOGLE_CHAT_WEBHOOK_URL" => {
            srv.url("/googlechat/v1/spaces/AAA/messages?key=gc-secret-key&token=gc-secret-token")
        }
        v if v.ends_with("_URL") => srv.url(&format!("/{kind}/hook")),
        v => format!("{}-secret-value", v.to_ascii_lowercase()),
    }
}

#[test]
fn init_for_every_type_passes_check_and_delivers_a_test_to_each() {
    let env = Env::new("");
    // Each service answers as it does; the others take the usual JSON.
    let srv = Server::start(|r, _| {
        let p = r.path.as_str();
        let json = |body: &str| Response::status(200).body(body.to_string());
        if p.starts_with("/slack/") || p.starts_with("/mattermost/") {
            Response::status(200).body("ok")
        } else if p.starts_with("/pushover/") {
            json(r#"{"status":1,"request":"x"}"#)
        } else if p.starts_with("/zulip/") {
            json(r#"{"result":"success","msg":"","id":1}"#)
        } else if p.starts_with("/rocketchat/") {
            json(r#"{"success":true}"#)
        } else if p.starts_with("/googlechat/") {
            json(r#"{"name":"spaces/AAA/messages/x"}"#)
        } else if p.starts_with("/matrix/") && p.contains("/directory/room/") {
            json(r#"{"room_id":"!r:example.org","servers":["example.org"]}"#)
        } else if p.starts_with("/matrix/") && p.contains("/join/") {
            json(r#"{"room_id":"!r:example.org"}"#)
        } else if p.starts_with("/matrix/") {
            json(r#"{"event_id":"$e"}"#)
        } else if p.starts_with("/signal/") {
            Response::status(201).body(r#"{"timestamp":"1700000000000"}"#)
        } else if p.starts_with("/apprise/") {
            Response::status(200).body("Notification(s) sent.")
        } else {
            Response::status(200)
        }
    });
    let certs = TestCerts::new(env.dir.path());
    let smtp = SmtpServer::start(env.dir.path(), "starttls", Some(&certs));
    let broker = crate::fleet::servers::mosquitto(env.dir.path());
    let kinds: Vec<&str> = bnotify::catalog::channel_types()
        .iter()
        .map(|t| t.name)
        .collect();
    let path = env.path("all/config.yaml");
    let mut c = env.bare();
    c.args(["config", "init", "--type", &kinds.join(","), "--path"])
        .arg(&path);
    let out = run(c);
    out.code(0)
        .err_has(&format!("bnotify --config {} config check", path.display()))
        .err_has(&format!("bnotify --config {} test notify", path.display()));
    let text = std::fs::read_to_string(&path).unwrap();
    for k in &kinds {
        assert!(
            text.contains(&format!("type: {k}\n")),
            "no {k} endpoint:\n{text}"
        );
    }
    for line in text.lines().filter(|l| l.contains(":-")) {
        assert!(
            line.contains(":-https://"),
            "a default other than the service's real URL hides an unset variable: {line}"
        );
    }
    // A user sets the port of their mail server and trusts its (private) CA.
    let text = text.replace("# smtp_port: 587", &format!("smtp_port: {}", smtp.port));
    let text = text.replace(
        "\n    smtp_crypto: starttls\n",
        &format!(
            "\n    smtp_crypto: starttls\n    ca_file: {}\n",
            certs.ca.display()
        ),
    );
    std::fs::write(&path, text).unwrap();

    let mut vars: Vec<(String, String)> = Vec::new();
    for s in SNIPPETS {
        for (var, _) in s.vars {
            if !vars.iter().any(|(n, _)| n == var) {
                let v = match *var {
                    "MQTT_URL" => broker.url(),
                    _ => value(s.kind, var, &srv, env.dir.path()),
                };
                vars.push((var.to_string(), v));
            }
        }
    }
    let cmd = |args: &[&str]| {
        let mut c = env.bare();
        c.arg("--config").arg(&path).args(args);
        for (k, v) in &vars {
            c.env(k, v);
        }
        c
    };
    run(cmd(&["config", "check"])).code(0).err_has("is valid");
    let out = run(cmd(&["test", "notify"]));
    out.code(0);
    for (var, v) in &vars {
        if var.contains("TOKEN") || var.contains("PASSWORD") || var.contains("KEY") {
            assert!(!out.stderr.contains(v.as_str()), "{var} printed");
        }
    }
    // Each endpoint took it (pagerduty has nothing to say about an info event).
    for line in out.stderr.lines().filter(|l| l.contains("  ")) {
        assert!(line.starts_with("ok "), "{}", out.stderr);
    }
    let mails = smtp.messages();
    assert_eq!(mails.len(), 1, "{}", out.stderr);
    assert_eq!(mails[0]["auth_user"], "ops");
    assert_eq!(mails[0]["rcpt_tos"], serde_json::json!(["ops@example.com"]));
    let event: serde_json::Value = serde_json::from_slice(
        &std::fs::read(env.path("command-event.json")).expect("the command ran"),
    )
    .unwrap();
    assert_eq!(event["event"], "test");

    // A real failure with hostile text reaches every endpoint subscribed to failures.
    let title = "Sauvegarde échouée ✗ <b>&\"'*_~| https://backup-host.example.com/logs/run_2026-11-30.log?a=1&b=2 🔥";
    let before = srv.requests().len();
    run(cmd(&[
        "send",
        "--event",
        "backup_failure",
        "--job",
        "mysql-daily",
        "--title",
        title,
    ]))
    .code(0);
    // healthchecks and pagerduty subscribe to backup_failure themselves, the others by default.
    let reqs = &srv.requests()[before..];
    for t in bnotify::catalog::channel_types().iter().filter(|t| t.http) {
        assert!(
            reqs.iter()
                .any(|r| r.path.starts_with(&format!("/{}/", t.name))),
            "{} got no request; paths: {:?}",
            t.name,
            reqs.iter().map(|r| r.path.clone()).collect::<Vec<_>>(),
        );
    }
    assert_eq!(smtp.messages().len(), 2);
}
