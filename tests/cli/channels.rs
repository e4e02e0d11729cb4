//! Each channel type against a loopback receiver, field by field (CHANNELS.md): one file
//! per family, and here what spans them all.

/// Slack, Discord, Teams, Telegram.
mod chat;
/// Gotify, ntfy, Bark, Twilio, healthchecks.io, PagerDuty.
mod push;

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
  - {{name: command, type: command, argv: [sh, -c, \"exit 1\"], env: {{API_TOKEN: CMDSECRET17}}}}\n\
  - {{name: pushover, type: pushover, token: POSECRET18, user: u, api_url: \"{down}/po\"}}\n\
  - {{name: matrix, type: matrix, url: \"{down}\", access_token: MXSECRET19, room: \"!r:x\"}}\n\
  - {{name: mattermost, type: mattermost, url: \"{down}/hooks/MMSECRET20\"}}\n\
  - {{name: rocketchat, type: rocketchat, url: \"{down}/hooks/i/RCSECRET21\"}}\n\
  - {{name: googlechat, type: googlechat, url: \"{down}/v1/spaces/A/messages?key=k&token=GCSECRET22\"}}\n\
  - {{name: zulip, type: zulip, url: \"{down}\", bot_email: b@x, api_key: ZUSECRET23, stream: s}}\n\
  - {{name: signal, type: signal, url: \"{down}\", number: \"+1\", recipients: [\"+2\"]}}\n\
  - {{name: apprise, type: apprise, url: \"{down}\", key: APSECRET24}}\n\
  - {{name: alertmanager, type: alertmanager, urls: [\"{down}/am\", \"http://am:AMSECRET18@127.0.0.1:{}/\"]}}\n\
  - {{name: mqtt, type: mqtt, url: \"mqtt://127.0.0.1:{}\", username: u, password: MQTTSECRET19}}\n\
  - {{name: pushgateway, type: pushgateway, url: \"http://pg:PGSECRET20@127.0.0.1:{}/\"}}\n\
  - {{name: textfile, type: textfile, dir: /nonexistent/bnotify-textfile}}\n",
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
        crate::support::closed_port(),
        crate::support::closed_port(),
        crate::support::closed_port(),
    );
    for t in bnotify::catalog::channel_types() {
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
        "POSECRET18",
        "MXSECRET19",
        "MMSECRET20",
        "RCSECRET21",
        "GCSECRET22",
        "ZUSECRET23",
        "APSECRET24",
        "AMSECRET18",
        "MQTTSECRET19",
        "PGSECRET20",
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
