//! Notification URLs (SPEC §5) and `send --to` (SPEC §1): the URL form of an endpoint
//! sends the same request as its key form, a malformed URL is a clear exit-2 error that
//! names the endpoint and the expected shape, no secret written in a URL reaches any
//! output, and `--to` works on a machine with no config, outbox included.

mod adhoc;

use serde_json::Value;

use crate::support::{run, Env, Out, Request, Response, Server};

/// Types a notification URL cannot stand for: a local command is no URL, and the
/// monitoring types have no scheme in Apprise or shoutrrr.
const NO_URL: &[&str] = &["command", "alertmanager", "pushgateway", "textfile"];

/// `(type, key form, URL form)`: the key form is the YAML an endpoint would have, the URL
/// form the Apprise (or shoutrrr) URL that must send the same request.
fn pairs() -> Vec<(&'static str, &'static str, &'static str)> {
    vec![
        ("webhook", "{type: webhook, url: 'http://127.0.0.1:9/hook'}", "json://127.0.0.1:9/hook"),
        ("mqtt", "{type: mqtt, url: 'mqtts://broker.example:8883', username: bnotify, password: pw1, topic: site/backups, qos: 0}", "mqtts://bnotify:pw1@broker.example:8883/site/backups?qos=0"),
        ("webhook", "{type: webhook, url: 'https://h.example/x', method: PUT, headers: {X-Api-Key: k1}}", "forms://h.example/x?method=put&+X-Api-Key=k1"),
        ("bark", "{type: bark, url: 'http://127.0.0.1:9/push', device_key: DevKey123}", "bark://127.0.0.1:9/DevKey123"),
        ("bark", "{type: bark, url: 'https://api.day.app/push', device_key: DevKey123}", "bark://DevKey123@api.day.app"),
        ("discord", "{type: discord, url: 'https://discord.com/api/webhooks/1234567890/Tok_abc123'}", "discord://1234567890/Tok_abc123"),
        ("discord", "{type: discord, url: 'https://discord.com/api/webhooks/1234567890/Tok_abc123'}", "discord://Tok_abc123@1234567890"),
        ("slack", "{type: slack, url: 'https://hooks.slack.com/services/T0AA/B0BB/XcCc123'}", "slack://T0AA/B0BB/XcCc123"),
        ("slack", "{type: slack, url: 'https://hooks.slack.com/services/T0AA/B0BB/XcCc123'}", "slack://hook:T0AA-B0BB-XcCc123@webhook"),
        ("teams", "{type: teams, url: 'https://prod.example.com:443/workflows/wf1/triggers/manual/paths/invoke?api-version=2016-06-01&sp=%2Ftriggers%2Fmanual%2Frun&sv=1.0&sig=SiG'}", "workflows://prod.example.com:443/wf1/SiG"),
        ("gotify", "{type: gotify, url: 'http://127.0.0.1:9', token: AppTok1, priority: 8}", "gotify://127.0.0.1:9/AppTok1?priority=high"),
        ("ntfy", "{type: ntfy, topic: mytopic1}", "ntfy://mytopic1"),
        ("ntfy", "{type: ntfy, url: 'https://n.example', topic: t1, user: u, password: pw1}", "ntfys://u:pw1@n.example/t1"),
        ("telegram", "{type: telegram, bot_token: '123456:ABC-def', chat_id: -100987}", "tgram://123456:ABC-def/-100987"),
        ("telegram", "{type: telegram, bot_token: '123456:ABC-def', chat_id: -100987}", "telegram://123456:ABC-def@telegram?chats=-100987"),
        ("twilio", "{type: twilio, account_sid: ACsid123, auth_token: AuthTok1, from: '+15551230000', to: ['+15557654321']}", "twilio://ACsid123:AuthTok1@15551230000/15557654321"),
        ("healthchecks", "{type: healthchecks, url: 'https://hc-ping.com/0b0c6a4e-1111-2222-3333-444455556666'}", "hc://0b0c6a4e-1111-2222-3333-444455556666"),
        ("pagerduty", "{type: pagerduty, routing_key: IntKey123}", "pagerduty://IntKey123@ApiKey"),
        ("email", "{type: email, smtp_host: mail.example, smtp_port: 465, smtp_crypto: ssl, from: me@mail.example, smtp_user: me, smtp_password: pw1, destinations: [a@b.example]}", "mailtos://me:pw1@mail.example:465?to=a@b.example"),
        ("email", "{type: email, smtp_host: mail.example, smtp_crypto: none, from: me@mail.example, smtp_user: me, smtp_password: pw1, destinations: [me@mail.example]}", "mailto://me:pw1@mail.example"),
        ("email", "{type: email, smtp_host: mail.example, smtp_port: 587, smtp_crypto: starttls, from: b@x.example, smtp_user: me, smtp_password: pw1, destinations: [a@y.example]}", "smtp://me:pw1@mail.example:587/?from=b@x.example&to=a@y.example"),
        ("pushover", "{type: pushover, token: AppTok1, user: UserKey1, device: phone}", "pover://UserKey1@AppTok1/phone"),
        ("pushover", "{type: pushover, token: AppTok1, user: UserKey1, device: 'a,b'}", "pushover://shoutrrr:AppTok1@UserKey1/?devices=a,b"),
        ("matrix", "{type: matrix, url: 'https://m.example', access_token: syt_tok1, room: '#ops:m.example'}", "matrixs://syt_tok1@m.example/%23ops"),
        ("mattermost", "{type: mattermost, url: 'http://127.0.0.1:9/hooks/tok1', username: bot, channel: ops}", "mmost://bot@127.0.0.1:9/tok1?channel=ops"),
        ("rocketchat", "{type: rocketchat, url: 'https://rc.example/hooks/id/tok1'}", "rockets://id%2Ftok1@rc.example"),
        ("googlechat", "{type: googlechat, url: 'https://chat.googleapis.com/v1/spaces/AbCdEf/messages?key=KeY&token=ToK1'}", "gchat://AbCdEf/KeY/ToK1"),
        ("zulip", "{type: zulip, url: 'https://acme.zulipchat.com', bot_email: backup-bot@acme.zulipchat.com, api_key: KEY123, stream: ops}", "zulip://backup@acme/KEY123/ops"),
        ("signal", "{type: signal, url: 'http://127.0.0.1:9', number: '+15551230000', recipients: ['+15557654321']}", "signal://127.0.0.1:9/15551230000/15557654321"),
        ("apprise", "{type: apprise, url: 'http://127.0.0.1:9', key: cfgkey}", "apprise://127.0.0.1:9/cfgkey"),
    ]
}

/// A fixed event, so that two runs build byte-identical requests.
fn payload(env: &Env) -> std::path::PathBuf {
    let p = env.path("payload.json");
    std::fs::write(
        &p,
        r#"{"id": "7f1c0f8e-2f4e-4f55-9d8a-0a6f1b1e2c3d", "timestamp": "2026-11-30T12:00:00Z",
            "host": "db1", "task": "nightly", "error": "disk full <b>&\"'*_~|"}"#,
    )
    .unwrap();
    p
}

/// The dry-run requests of one endpoint named `ep`, with the mail headers that differ
/// on every run (Message-ID, Date) taken out.
fn dry_run(entry: &str) -> Value {
    let env = Env::new(&format!("endpoints:\n  - {{name: ep, {}\n", &entry[1..]));
    let mut c = env.cmd();
    c.args([
        "--json",
        "send",
        "--event",
        "backup_failure",
        "--dry-run",
        "--payload",
    ])
    .arg(payload(&env));
    let out = run(c);
    out.code(0);
    let v: Value = serde_json::from_str(&out.stdout).unwrap();
    let text = serde_json::to_string(&v["requests"]).unwrap();
    let cleaned: String = text
        .split("\\r\\n")
        .filter(|l| !l.starts_with("Message-ID:") && !l.starts_with("Date:"))
        .collect::<Vec<_>>()
        .join("\\r\\n");
    serde_json::from_str(&cleaned).unwrap()
}

#[test]
fn the_url_form_sends_the_same_request_as_the_key_form() {
    let pairs = pairs();
    for t in bnotify::catalog::channel_types() {
        if !NO_URL.contains(&t.name) {
            assert!(
                pairs.iter().any(|(k, _, _)| *k == t.name),
                "type {} has no URL form in this test",
                t.name
            );
        }
    }
    for (kind, keys, url) in pairs {
        let by_keys = dry_run(keys);
        let by_url = dry_run(&format!("{{url: '{url}'}}"));
        assert_eq!(by_keys, by_url, "{kind}: {url}");
        let reqs = by_url.as_array().unwrap();
        assert!(!reqs.is_empty(), "{kind}: {url}: {by_url}");
        for r in reqs {
            assert_eq!(r["type"], kind, "{url}");
            assert!(r.get("error").is_none(), "{url}: {by_url}");
        }
    }
}

/// One config holding the key form and the URL form of an endpoint, both aimed at one
/// loopback receiver: the two requests it receives are the same.
#[test]
fn both_forms_deliver_the_same_request_to_a_receiver() {
    let cases = [
        ("{type: webhook, url: 'http://127.0.0.1:PORT/hook', headers: {X-Api-Key: k1}}", "json://127.0.0.1:PORT/hook?+X-Api-Key=k1"),
        ("{type: ntfy, url: 'http://127.0.0.1:PORT', topic: t1, user: u, password: pw1, priority: 5, tags: [a]}", "ntfy://u:pw1@127.0.0.1:PORT/t1?priority=max&tags=a"),
        ("{type: gotify, url: 'http://127.0.0.1:PORT', token: AppTok1}", "gotify://127.0.0.1:PORT/AppTok1"),
        ("{type: bark, url: 'http://127.0.0.1:PORT/push', device_key: DevKey1}", "bark://127.0.0.1:PORT/DevKey1"),
        ("{type: mattermost, url: 'http://127.0.0.1:PORT/hooks/tok1', channel: ops}", "mmost://127.0.0.1:PORT/tok1/%23ops"),
        ("{type: rocketchat, url: 'http://127.0.0.1:PORT/hooks/id/tok1'}", "rocket://id%2Ftok1@127.0.0.1:PORT"),
        ("{type: signal, url: 'http://127.0.0.1:PORT', number: '+15551230000', recipients: ['+15557654321']}", "signal://127.0.0.1:PORT/15551230000/15557654321"),
        ("{type: apprise, url: 'http://127.0.0.1:PORT', key: cfgkey, tag: ops}", "apprise://127.0.0.1:PORT/cfgkey?tags=ops"),
        ("{type: healthchecks, url: 'http://127.0.0.1:PORT/ping/uuid-1'}", "hc://127.0.0.1:PORT/ping/uuid-1"),
    ];
    for (keys, url) in cases {
        let srv = Server::start(|_: &Request, _| Response::status(200).body("{}"));
        let port = srv.port.to_string();
        let (keys, url) = (keys.replace("PORT", &port), url.replace("PORT", &port));
        let env = Env::new(&format!(
            "endpoints:\n  - {{name: by-keys, {}\n  - name: by-url\n    url: '{url}'\n",
            &keys[1..]
        ));
        let mut c = env.cmd();
        c.args([
            "send",
            "--event",
            "backup_failure",
            "-t",
            "Sauvegarde échouée ✗ <b>&\"'",
            "-b",
            "a body",
            "--payload",
        ])
        .arg(payload(&env));
        run(c).code(0);
        let reqs = srv.requests();
        assert_eq!(reqs.len(), 2, "{url}");
        let shape = |r: &Request| {
            let mut h: Vec<(String, String)> = r
                .headers
                .iter()
                .map(|(k, v)| (k.to_ascii_lowercase(), v.clone()))
                .collect();
            h.sort();
            (
                r.method.clone(),
                r.path.clone(),
                r.query.clone(),
                h,
                r.body.clone(),
            )
        };
        assert_eq!(shape(&reqs[0]), shape(&reqs[1]), "{url}");
    }
}

/// Every way a URL can be wrong: the endpoint is named, the expected shape is shown, the
/// secret is not, `config check` exits 2 and `send` delivers the others and exits 2.
#[test]
fn a_malformed_url_names_the_endpoint_and_the_expected_shape() {
    for (url, named, problem, shape) in [
        (
            "discord://1234567890",
            "pager",
            "the webhook token is missing",
            "discord://<webhook id>/<webhook token>",
        ),
        (
            "slack://T0AA/B0SEKRET1",
            "pager",
            "expected 3 webhook tokens",
            "slack://<token A>/<token B>/<token C>",
        ),
        (
            "tgram://123456:SEKRET2",
            "pager",
            "the chat id is missing",
            "tgram://<bot token>/<chat id>",
        ),
        (
            "gotify://127.0.0.1:99999/SEKRET3",
            "pager",
            "invalid port",
            "gotify://host[:port][/path]/<token>",
        ),
        (
            "ntfy://127.0.0.1/SEKRET4?priorty=high",
            "pager",
            "unknown option \"priorty\"",
            "ntfy://<topic>",
        ),
        (
            "zulip://127.0.0.1",
            "pager",
            "the bot name is missing",
            "zulip://<bot name>@<organization>/<api key>",
        ),
        (
            "mailtos://me:SEKRET5@mail.example?mode=tls",
            "pager",
            "mode must be ssl or starttls",
            "mailtos://<user name>:<password>@host",
        ),
        (
            "matrix://me:SEKRET6@m.example/%23ops",
            "pager",
            "takes an access token",
            "matrix://<access token>@host",
        ),
    ] {
        let env = Env::new(&format!(
            "endpoints:\n  - name: {named}\n    url: '{url}'\n  - name: fine\n    url: 'json://127.0.0.1:9/x'\n"
        ));
        let mut c = env.cmd();
        c.args(["config", "check"]);
        let out = run(c);
        out.code(2)
            .err_has(&format!("endpoint \"{named}\""))
            .err_has(problem)
            .err_has(shape);
        assert!(!out.stderr.contains("SEKRET"), "{}", out.stderr);
        let mut c = env.cmd();
        c.args(["send", "--event", "backup_failure", "--dry-run"]);
        let out = run(c);
        out.code(2).err_has(problem).out_has("# fine (webhook)");
        assert!(!out.stderr.contains("SEKRET") && !out.stdout.contains("SEKRET"));
    }
    // An unnamed endpoint is named by its place; a type that contradicts the URL is refused.
    let env = Env::new("endpoints:\n  - url: 'discord://1234567890'\n  - name: x\n    type: slack\n    url: 'discord://1/SEKRET7'\n");
    let mut c = env.cmd();
    c.args(["config", "check"]);
    let out = run(c);
    out.code(2)
        .err_has("endpoint #1")
        .err_has("the webhook token is missing")
        .err_has("but type is \"slack\"");
    assert!(!out.stderr.contains("SEKRET"), "{}", out.stderr);
}

/// Keys written beside the URL win; `name` is optional and derived from public parts.
#[test]
fn keys_beside_the_url_win_and_the_name_is_derived() {
    let srv = Server::ok();
    let env = Env::new(&format!(
        "endpoints:\n  - url: 'ntfy://127.0.0.1:{p}/SEKRETtopic?priority=low'\n    priority: 5\n    events: [backup_failure]\n  - url: 'json://127.0.0.1:{p}/hook'\n",
        p = srv.port
    ));
    let mut c = env.cmd();
    c.arg("endpoints");
    let out = run(c);
    out.code(0)
        .out_has(&format!("ntfy-127.0.0.1-{}", srv.port))
        .out_has(&format!("webhook-127.0.0.1-{}", srv.port));
    let mut c = env.cmd();
    c.args(["send", "--event", "backup_failure"]);
    run(c).code(0);
    let reqs = srv.requests();
    let ntfy = reqs.iter().find(|r| r.path == "/SEKRETtopic").unwrap();
    assert_eq!(ntfy.header("Priority"), Some("5"));
}

/// The sweep of secrets (SPEC §10) over URL-form endpoints: `config show`, `endpoints`,
/// `config check`, `--dry-run`, `-vv` deliveries to a receiver that fails and echoes what
/// it got, and `--to`.
#[test]
fn no_secret_written_in_a_url_reaches_any_output() {
    let srv = Server::start(|r: &Request, _| {
        Response::status(500).body(format!(
            "echo {} {}?{} auth={} tok={}",
            r.method,
            r.path,
            r.query,
            r.header("Authorization").unwrap_or(""),
            r.header("X-Gotify-Key").unwrap_or("")
        ))
    });
    let p = srv.port;
    let urls = [
        format!("json://hookuser:SEKRET01pw@127.0.0.1:{p}/hook?+Authorization=Bearer%20SEKRET02h"),
        format!("ntfy://ntfyuser:SEKRET03pw@127.0.0.1:{p}/SEKRET04topic"),
        format!("ntfy://tk_SEKRET05@127.0.0.1:{p}/t1"),
        format!("gotify://127.0.0.1:{p}/SEKRET06app"),
        format!("bark://127.0.0.1:{p}/SEKRET07dev"),
        format!("mmost://127.0.0.1:{p}/SEKRET08hook"),
        format!("rocket://id%2FSEKRET09@127.0.0.1:{p}"),
        format!("apprise://127.0.0.1:{p}/SEKRET10key"),
        format!("hc://127.0.0.1:{p}/ping/SEKRET11-0123456789"),
        "discord://1234567890/SEKRET12dc".to_string(),
        "slack://T0AA/B0BB/SEKRET13sl".to_string(),
        "tgram://123456:SEKRET14tg/-100987".to_string(),
        "telegram://123456:SEKRET15tg@telegram?chats=-100987".to_string(),
        "gchat://AbCdEf/SEKRET16key/SEKRET17tok".to_string(),
        "pover://SEKRET18user@SEKRET19app".to_string(),
        "pagerduty://SEKRET20int@SEKRET21api".to_string(),
        "twilio://ACsid:SEKRET22tw@15551230000/15557654321".to_string(),
        "matrixs://SEKRET23mx@m.example/%23ops".to_string(),
        "zulip://backup@acme/SEKRET24zk/ops".to_string(),
        "mailtos://me:SEKRET25pw@mail.example:465?to=a@b.example".to_string(),
        "hc://SEKRET26-1111-2222-3333-444455556666".to_string(),
        "ntfy://SEKRET27topic".to_string(),
        "workflows://prod.example.com/wf1/SEKRET28sig".to_string(),
    ];
    let mut yaml = String::from("endpoints:\n");
    for u in &urls {
        yaml.push_str(&format!("  - url: '{u}'\n    retries: 0\n"));
    }
    yaml.push_str("  - name: broken\n    url: 'tgram://123456:SEKRET29tg'\n");
    let env = Env::new(&yaml);
    let clean = |what: &str, out: &Out| {
        for (stream, text) in [("stdout", &out.stdout), ("stderr", &out.stderr)] {
            let bad: Vec<&str> = text.lines().filter(|l| l.contains("SEKRET")).collect();
            assert!(
                bad.is_empty(),
                "{what}: {stream} shows a secret:\n{}",
                bad.join("\n")
            );
        }
        assert!(!out.stderr.contains("panicked"), "{what}: {}", out.stderr);
    };
    for args in [
        &["config", "show"][..],
        &["config", "check"][..],
        &["endpoints"][..],
        &["--json", "endpoints"][..],
        &["send", "--event", "backup_failure", "--dry-run"][..],
        &["--json", "send", "--event", "backup_failure", "--dry-run"][..],
        &[
            "-vv",
            "send",
            "--event",
            "backup_failure",
            "--deadline",
            "5s",
        ][..],
        &[
            "--json",
            "send",
            "--event",
            "backup_failure",
            "--deadline",
            "5s",
        ][..],
        &["outbox", "list"][..],
    ] {
        let mut c = env.cmd();
        c.args(args);
        let out = run(c);
        assert!(out.code == 0 || out.code == 1 || out.code == 2, "{args:?}");
        clean(&args.join(" "), &out);
    }
    assert!(
        !srv.requests().is_empty(),
        "the loopback endpoints were tried"
    );
    for u in urls
        .iter()
        .take(9)
        .chain(["tgram://123456:SEKRET30tg".to_string()].iter())
    {
        let mut c = env.bare();
        c.args(["-vv", "send", "--to", u, "-b", "x", "--deadline", "5s"]);
        clean(&format!("--to {u}"), &run(c));
    }
}
