//! Locked down (SPEC §10): distinctive secrets in every place a config can hold one never
//! reach any output, even through errors, listings or transport failures.

use base64::Engine;

use crate::support::{closed_port, run, Env, Out, Request, Response, Server};

/// Every secret below contains this; no output may.
const MARK: &str = "SEKRET";

/// The secret query parameter names of SPEC §10.
const QUERY_NAMES: &[&str] = &[
    "token",
    "key",
    "apikey",
    "api-key",
    "api_key",
    "code",
    "sig",
    "signature",
    "secret",
    "password",
    "access_token",
    "auth",
];

/// Basic credentials built from secrets: their base64 must not print either.
fn basic_forms() -> Vec<String> {
    [
        ("hookuser", "SEKRET07pw"),
        ("ntfyuser", "SEKRET15file"),
        ("AC1", "SEKRET16tw"),
        ("bot@example.com", "SEKRET31zulip"),
        ("am", "SEKRET36am"),
        ("pg", "SEKRET38pg"),
    ]
    .iter()
    .map(|(u, p)| base64::engine::general_purpose::STANDARD.encode(format!("{u}:{p}")))
    .collect()
}

/// Assert that `what`'s output shows no secret, in any form.
#[track_caller]
fn clean(what: &str, out: &Out) {
    for (stream, text) in [("stdout", &out.stdout), ("stderr", &out.stderr)] {
        assert!(
            !text.contains(MARK),
            "{what}: {stream} shows a secret:\n{}",
            text.lines()
                .filter(|l| l.contains(MARK))
                .collect::<Vec<_>>()
                .join("\n")
        );
        for b in basic_forms() {
            assert!(
                !text.contains(&b),
                "{what}: {stream} shows a Basic credential"
            );
        }
    }
    assert!(!out.stderr.contains("panicked"), "{what}: {}", out.stderr);
}

/// A receiver that fails and echoes back everything that could hold a secret: the path,
/// the query and the credential headers.
fn echo_server() -> Server {
    Server::start(|r: &Request, _| {
        Response::status(500).body(format!(
            "echo {} {}?{} auth={} tok={}",
            r.method,
            r.path,
            r.query,
            r.header("Authorization").unwrap_or(""),
            r.header("X-Webhook-Token").unwrap_or("")
        ))
    })
}

/// One endpoint of every type, with secrets in every place they can be.
fn full_config(env: &Env, srv: &Server) -> String {
    let tok_file = env.path("ntfy-password");
    std::fs::write(&tok_file, "SEKRET15file\n").unwrap();
    let query: Vec<String> = QUERY_NAMES
        .iter()
        .map(|n| format!("{n}=SEKRET08{}", n.replace(['-', '_'], "")))
        .collect();
    let hook = srv
        .url(&format!("/hook?{}", query.join("&")))
        .replace("http://", "http://hookuser:SEKRET07pw@");
    let smtp = closed_port();
    format!(
        "defaults: {{retries: 0, timeout: 5s}}
endpoints:
  - name: webhook
    type: webhook
    url: \"{hook}\"
    token: SEKRET09tok
    headers: {{Authorization: \"Bearer SEKRET10hdr\", X-Api-Key: SEKRET11key}}
    signing: {{secret: SEKRET12sign}}
  - name: bark
    type: bark
    url: \"{bark}\"
  - name: telegram
    type: telegram
    bot_token: \"123456:SEKRET02tg\"
    chat_id: 1
    api_url: \"{api}\"
  - name: discord
    type: discord
    url: \"{discord}\"
  - name: slack
    type: slack
    url: \"{slack}\"
  - name: healthchecks
    type: healthchecks
    url: \"{hc}\"
  - name: teams
    type: teams
    url: \"{teams}\"
  - name: gotify
    type: gotify
    url: \"{api}\"
    token: \"${{GOTIFY_TOKEN}}\"
    throttle: 1h
  - name: ntfy
    type: ntfy
    url: \"{api}\"
    topic: SEKRET14topic
    user: ntfyuser
    password: \"${{file:{tok}}}\"
  - name: twilio
    type: twilio
    account_sid: AC1
    auth_token: SEKRET16tw
    from: \"+15550001\"
    to: [\"+15550002\"]
    api_url: \"{api}\"
  - name: pagerduty
    type: pagerduty
    routing_key: SEKRET17pd
    api_url: \"{api}\"
  - name: email
    type: email
    smtp_host: 127.0.0.1
    smtp_port: {smtp}
    smtp_crypto: none
    smtp_user: mailer
    smtp_password: SEKRET18smtp
    from: a@example.com
    destinations: [{{email: b@example.com}}]
  - name: command
    type: command
    argv: [sh, -c, \"echo leaking $API_TOKEN >&2; exit 3\"]
    env: {{API_TOKEN: SEKRET19cmd}}
  - name: pushover
    type: pushover
    token: SEKRET25potoken
    user: SEKRET26pouser
    api_url: \"{api}\"
  - name: matrix
    type: matrix
    url: \"{api}\"
    access_token: SEKRET27matrix
    room: \"#backups:example.org\"
  - name: mattermost
    type: mattermost
    url: \"{mattermost}\"
  - name: rocketchat
    type: rocketchat
    url: \"{rocketchat}\"
  - name: googlechat
    type: googlechat
    url: \"{googlechat}\"
  - name: zulip
    type: zulip
    url: \"{api}\"
    bot_email: bot@example.com
    api_key: SEKRET31zulip
    stream: ops
  - name: signal
    type: signal
    url: \"{api}\"
    number: \"+15550001111\"
    recipients: [\"+15550002222\"]
  - name: apprise
    type: apprise
    url: \"{api}\"
    key: SEKRET32apkey
  - name: apprise-urls
    type: apprise
    url: \"{api}\"
    urls: [\"pover://SEKRET33user@SEKRET34token\", \"tgram://SEKRET35bot/123\"]
  - name: alertmanager
    type: alertmanager
    urls: [\"{am}\", \"http://am:SEKRET36am@127.0.0.1:{down}/\"]
  - name: mqtt
    type: mqtt
    url: \"mqtt://127.0.0.1:{down}\"
    username: bnotify
    password: SEKRET37mqtt
  - name: pushgateway
    type: pushgateway
    url: \"{pg}\"
  - name: textfile
    type: textfile
    dir: \"{textfile}\"
",
        am = srv.url("").replace("http://", "http://am:SEKRET36am@"),
        pg = srv.url("").replace("http://", "http://pg:SEKRET38pg@"),
        down = closed_port(),
        textfile = env.path("textfile").display(),
        bark = srv.url("/SEKRET01bark"),
        api = srv.url(""),
        discord = srv.url("/api/webhooks/1234/SEKRET03discord"),
        slack = srv.url("/services/T0/B0/SEKRET04slack"),
        hc = srv.url("/ping/SEKRET05-aaaa-bbbb-cccc"),
        teams = srv.url("/workflows/x/triggers/run?api-version=1&sv=1&sig=SEKRET06teams"),
        mattermost = srv.url("/hooks/SEKRET28mattermost"),
        rocketchat = srv.url("/hooks/ID1/SEKRET29rocketchat"),
        googlechat = srv.url("/v1/spaces/AAA/messages?key=SEKRET30gckey&token=SEKRET30gctoken"),
        tok = tok_file.display(),
    )
}

fn cmd(env: &Env, args: &[&str]) -> Out {
    let mut c = env.cmd();
    c.args(args).env("GOTIFY_TOKEN", "SEKRET13var");
    run(c)
}

#[test]
fn no_secret_in_any_output() {
    let srv = echo_server();
    let env = Env::new("");
    let yaml = full_config(&env, &srv);
    std::fs::write(&env.config, &yaml).unwrap();
    for t in bnotify::catalog::channel_types() {
        assert!(
            yaml.contains(&format!("type: {}\n", t.name)),
            "no row for {}",
            t.name
        );
    }
    let send = ["send", "--event", "backup_failure", "--job", "db"];
    for (args, code) in [
        (&["-vv"][..], 1),
        (&["--json"][..], 1),
        (&["-v", "--json"][..], 1),
        (&[][..], 1),
    ] {
        let out = cmd(&env, &[args, &send[..]].concat());
        clean(&format!("{args:?} send"), &out);
        out.code(code);
    }
    assert!(srv.requests().len() >= 10, "the receivers were reached");
    for args in [
        &["send", "--event", "backup_failure", "--dry-run"][..],
        &["-vv", "send", "--event", "backup_failure", "--dry-run"][..],
        &["--json", "send", "--event", "backup_failure", "--dry-run"][..],
        &[
            "test",
            "notify",
            "--endpoint",
            "webhook",
            "--endpoint",
            "ntfy",
        ][..],
        &["config", "show"][..],
        &["--json", "config", "show"][..],
        &["config", "check"][..],
        &["endpoints"][..],
        &["--json", "endpoints"][..],
        &["outbox", "list"][..],
        &["--json", "outbox", "list"][..],
        &["state", "show"][..],
        &["--json", "state", "show"][..],
        &["-vv", "outbox", "flush"][..],
    ] {
        clean(&format!("{args:?}"), &cmd(&env, args));
    }
    let out = cmd(&env, &["outbox", "list"]);
    out.out_has("pagerduty").out_has("command");
    cmd(&env, &["state", "show"]).out_has("gotify");
    for entry in crate::support::files(&env.outbox()) {
        let text = std::fs::read_to_string(&entry).unwrap();
        assert!(
            !text.contains(MARK),
            "outbox entry {entry:?} holds a secret"
        );
    }
    let out = cmd(&env, &["config", "show"]);
    out.out_has("****").out_has("name: ntfy");
}

/// URL-bearing keys of each type, with what the rest of the endpoint needs.
fn url_rows() -> Vec<(&'static str, &'static str, &'static str, &'static str)> {
    // (type, key, the secret path/query after the host, other keys)
    vec![
        (
            "webhook",
            "url",
            "hook?token=SEKRETa&api-key=SEKRETb&code=SEKRETc",
            "",
        ),
        ("bark", "url", "SEKRETbarkkey", ""),
        ("discord", "url", "api/webhooks/99/SEKRETdiscord", ""),
        ("slack", "url", "services/T0/B0/SEKRETslack", ""),
        ("teams", "url", "workflows/x?sig=SEKRETteams", ""),
        (
            "gotify",
            "url",
            "gotify/SEKRETpath",
            ", token: SEKRETgotify",
        ),
        ("ntfy", "url", "SEKRETntfypath", ", topic: SEKRETtopic"),
        ("healthchecks", "url", "SEKRET0000-1111-2222-3333", ""),
        (
            "telegram",
            "api_url",
            "SEKRETtgpath",
            ", bot_token: \"1:SEKRETtg\", chat_id: 1",
        ),
        (
            "twilio",
            "api_url",
            "SEKRETtwpath",
            ", account_sid: AC1, auth_token: SEKRETtw, from: \"+1\", to: [\"+2\"]",
        ),
        (
            "pagerduty",
            "api_url",
            "SEKRETpdpath",
            ", routing_key: SEKRETpd",
        ),
        (
            "discord",
            "avatar_url",
            "SEKRETavatar",
            ", url: \"https://127.0.0.1/api/webhooks/1/SEKRETd2\"",
        ),
        (
            "pushover",
            "api_url",
            "SEKRETpopath",
            ", token: SEKRETpo, user: SEKRETpu",
        ),
        (
            "pushover",
            "click_url",
            "SEKRETclick",
            ", token: SEKRETpo, user: SEKRETpu",
        ),
        (
            "matrix",
            "url",
            "SEKRETmxpath",
            ", access_token: SEKRETmx, room: \"!r:example.org\"",
        ),
        ("mattermost", "url", "hooks/SEKRETmattermost", ""),
        (
            "mattermost",
            "icon_url",
            "SEKRETicon",
            ", url: \"https://127.0.0.1/hooks/SEKRETmm2\"",
        ),
        ("rocketchat", "url", "hooks/id1/SEKRETrocket", ""),
        (
            "googlechat",
            "url",
            "v1/spaces/AAA/messages?key=SEKRETgckey&token=SEKRETgctoken",
            "",
        ),
        (
            "zulip",
            "url",
            "SEKRETzupath",
            ", bot_email: b@example.com, api_key: SEKRETzu, stream: s",
        ),
        (
            "signal",
            "url",
            "SEKRETsigpath",
            ", number: \"+15550001111\", recipients: [\"+15550002222\"]",
        ),
        ("apprise", "url", "SEKRETappath", ", key: SEKRETapkey"),
        ("alertmanager", "url", "SEKRETampath", ""),
        ("pushgateway", "url", "SEKRETpgpath", ""),
    ]
}

/// Malformed URLs of every kind, built around `rest` (path and query).
fn malformed(rest: &str) -> Vec<String> {
    vec![
        format!("htps://hooks.example.com/{rest}"),
        format!("hooks.example.com/{rest}"),
        format!("https://hooks.example.com/{rest} "),
        format!(" https://hooks.example.com/{rest}"),
        format!("https://hooks.example.com:99999/{rest}"),
        format!("https://hooks.example.com:0/{rest}"),
        format!("https://user:SEKRETui@/{rest}"),
        format!("https://[::1/{rest}"),
        format!("https://hooks example.com/{rest}"),
        format!("ftp://user:SEKRETftp@hooks.example.com/{rest}"),
        format!("https://hooks.example.com/{rest}\\n"),
        format!("https:///{rest}"),
        format!("//hooks.example.com/{rest}"),
        rest.to_string(),
    ]
}

#[test]
fn malformed_urls_of_every_type_show_no_secret() {
    let env = Env::new("");
    let mut n = 0;
    for (kind, key, rest, extra) in url_rows() {
        let mut yaml = String::from("endpoints:\n");
        for url in malformed(rest) {
            n += 1;
            let url = url.replace('"', "\\\"");
            yaml.push_str(&format!(
                "  - {{name: e{n}, type: {kind}, {key}: \"{url}\"{extra}}}\n"
            ));
        }
        std::fs::write(&env.config, &yaml).unwrap();
        for args in [
            &["config", "check"][..],
            &["config", "show"][..],
            &["endpoints"][..],
            &["send", "--event", "backup_failure"][..],
            &["--json", "send", "--event", "backup_failure", "--dry-run"][..],
        ] {
            let out = cmd(&env, args);
            clean(&format!("{kind} {key} {args:?}"), &out);
            assert_eq!(out.code, 2, "{kind} {key} {args:?}: {}", out.stderr);
        }
        let out = cmd(&env, &["config", "check"]);
        out.err_has(&format!("({kind})")).err_has(key);
        assert!(
            out.stderr.matches("hint:").count() >= malformed(rest).len(),
            "{kind}: every endpoint has its error and hint:\n{}",
            out.stderr
        );
    }
}

#[test]
fn config_errors_next_to_secrets_show_none() {
    let srv = echo_server();
    let env = Env::new("");
    let yaml = full_config(&env, &srv)
        .replace(
            "    token: SEKRET09tok\n",
            "    token: SEKRET09tok\n    methd: PUT\n",
        )
        .replace(
            "    topic: SEKRET14topic\n",
            "    topic: SEKRET14topic\n    priority: 9\n",
        )
        .replace(
            "    chat_id: 1\n",
            "    chat_id: 1\n    parse_mode: bogus\n",
        )
        .replace(
            "    routing_key: SEKRET17pd\n",
            "    routing_key: SEKRET17pd\n    timeout: 0s\n",
        )
        .replace(
            "X-Api-Key: SEKRET11key",
            "X-Api-Key: \"SEKRET11key\\r\\nX-Evil: 1\"",
        );
    std::fs::write(&env.config, yaml).unwrap();
    for args in [
        &["config", "check"][..],
        &["config", "show"][..],
        &["-vv", "send", "--event", "backup_failure"][..],
        &["--json", "send", "--event", "backup_failure"][..],
    ] {
        let out = cmd(&env, args);
        clean(&format!("{args:?}"), &out);
        assert_eq!(out.code, 2, "{args:?}: {}", out.stderr);
    }
    cmd(&env, &["config", "check"])
        .err_has("unknown variant `bogus`")
        .err_has("line break")
        .err_has("zero");
}

/// Failures below HTTP: refused connections, TLS to a plain server, DNS, a dead proxy
/// with credentials.
#[test]
fn transport_errors_show_no_secret() {
    let plain = Server::ok();
    let env = Env::new("");
    let long_label = "a".repeat(70);
    let yaml = format!(
        "defaults: {{retries: 0, timeout: 3s}}\nendpoints:\n  - {{name: closed, type: bark, url: \"http://127.0.0.1:{}/SEKRET21closed\"}}\n  - {{name: tls, type: bark, url: \"{}\"}}\n  - {{name: dns, type: bark, url: \"http://{long_label}.invalid/SEKRET22dns\"}}\n  - {{name: slack-tls, type: slack, url: \"{}\"}}\n",
        closed_port(),
        plain.https_url("/SEKRET20tls"),
        plain.https_url("/services/T/B/SEKRET23slack"),
    );
    std::fs::write(&env.config, yaml).unwrap();
    let proxy = format!("http://proxyuser:SEKRET24proxy@127.0.0.1:{}", closed_port());
    for proxied in [false, true] {
        for args in [
            &["-vv", "send", "--event", "backup_failure"][..],
            &["--json", "send", "--event", "backup_failure"][..],
            &["outbox", "list"][..],
            &["--json", "outbox", "list"][..],
            &["-vv", "outbox", "flush"][..],
        ] {
            let mut c = env.cmd();
            c.args(args);
            if proxied {
                c.env("HTTP_PROXY", &proxy).env("HTTPS_PROXY", &proxy);
            }
            let out = run(c);
            clean(&format!("proxy {proxied} {args:?}"), &out);
        }
    }
    let mut c = env.cmd();
    c.args(["--json", "outbox", "list"]);
    let out = run(c);
    for name in ["closed", "tls", "dns", "slack-tls"] {
        out.out_has(&format!("\"{name}\""));
    }
    assert!(
        plain.requests().is_empty(),
        "https to a plain server never gets a request through"
    );
}
