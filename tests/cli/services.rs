//! The newer service types against loopback receivers, field by field: Pushover, Signal,
//! Apprise API here; the chat services in `services/chat.rs`. Each checks method, path,
//! auth, body fields, the status mapping of a failure and a success, and a reply that
//! says "error" in a 200 being judged a failure.

/// Matrix, Mattermost, Rocket.Chat, Google Chat, Zulip.
mod chat;

use serde_json::{json, Value};

use crate::support::{run, Env, Out, Response, Server};

/// A config with one endpoint `e` of `kind` and these extra YAML lines (4-space indent).
fn one(kind: &str, extra: &str) -> String {
    format!("endpoints:\n  - name: e\n    type: {kind}\n    retries: 0\n{extra}")
}

/// `bnotify send ARGS` with `yaml`.
fn send(yaml: &str, args: &[&str]) -> Out {
    let env = Env::new(yaml);
    let mut c = env.cmd();
    c.arg("send").args(args);
    run(c)
}

/// Markup, quotes and a URL with `&`.
const TRICKY: &str = "a <b> & *c* _d_ `e` https://x.example/p_q?a=1&b=2";

/// A failure event for job `db` on host `h1` with [`TRICKY`] as its error.
fn failure() -> Vec<&'static str> {
    vec![
        "--event",
        "backup_failure",
        "--job",
        "db",
        "--host",
        "h1",
        "--error",
        TRICKY,
    ]
}

fn field(fields: &[(String, String)], name: &str) -> Option<String> {
    fields
        .iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.clone())
}

// ---------------------------------------------------------------- pushover

fn pushover_server(reply: &'static str) -> Server {
    Server::start(move |_, _| Response::status(200).body(reply))
}

#[test]
fn pushover_form_fields_priority_by_status_and_html() {
    let srv = pushover_server(r#"{"status":1,"request":"r1"}"#);
    let yaml = one(
        "pushover",
        &format!(
            "    token: apptoken123\n    user: userkey456\n    device: phone\n    sound: siren\n    click_url: https://backups.example.com/runs?id=1&x=2\n    api_url: {}\n",
            srv.url("")
        ),
    );
    send(&yaml, &failure()).code(0);
    send(&yaml, &["--event", "backup_success", "--job", "db"]).code(0);
    let reqs = srv.requests();
    assert_eq!(reqs.len(), 2);
    let r = &reqs[0];
    assert_eq!(
        (r.method.as_str(), r.path.as_str()),
        ("POST", "/1/messages.json")
    );
    assert_eq!(
        r.header("Content-Type"),
        Some("application/x-www-form-urlencoded")
    );
    let f = r.form();
    assert_eq!(field(&f, "token").as_deref(), Some("apptoken123"));
    assert_eq!(field(&f, "user").as_deref(), Some("userkey456"));
    assert_eq!(field(&f, "device").as_deref(), Some("phone"));
    assert_eq!(field(&f, "sound").as_deref(), Some("siren"));
    assert_eq!(
        field(&f, "url").as_deref(),
        Some("https://backups.example.com/runs?id=1&x=2")
    );
    assert_eq!(field(&f, "html").as_deref(), Some("1"));
    assert_eq!(
        field(&f, "priority").as_deref(),
        Some("1"),
        "failure is high"
    );
    assert!(field(&f, "retry").is_none() && field(&f, "expire").is_none());
    assert!(field(&f, "timestamp").unwrap().parse::<i64>().unwrap() > 1_700_000_000);
    assert_eq!(
        field(&f, "title").as_deref(),
        Some("Backup failed: db on h1"),
        "the title is plain text"
    );
    let m = field(&f, "message").unwrap();
    assert!(
        m.contains("a &lt;b&gt; &amp; *c* _d_ `e` https://x.example/p_q?a=1&amp;b=2"),
        "{m}"
    );
    let ok = reqs[1].form();
    assert_eq!(
        field(&ok, "priority").as_deref(),
        Some("0"),
        "success is normal"
    );
}

#[test]
fn pushover_emergency_priority_sends_retry_and_expire() {
    let srv = pushover_server(r#"{"status":1,"receipt":"rc1","request":"r1"}"#);
    let base = format!(
        "    token: t\n    user: u\n    priority: 2\n    html: false\n    api_url: {}\n",
        srv.url("")
    );
    send(&one("pushover", &base), &failure()).code(0);
    let timed = format!("{base}    retry: 2m\n    expire: 7200\n");
    send(&one("pushover", &timed), &failure()).code(0);
    let reqs = srv.requests();
    let (a, b) = (reqs[0].form(), reqs[1].form());
    assert_eq!(field(&a, "priority").as_deref(), Some("2"));
    assert_eq!(field(&a, "retry").as_deref(), Some("60"));
    assert_eq!(field(&a, "expire").as_deref(), Some("3600"));
    assert_eq!(field(&b, "retry").as_deref(), Some("120"));
    assert_eq!(field(&b, "expire").as_deref(), Some("7200"));
    assert!(field(&a, "html").is_none(), "html: false sends plain text");
    assert!(field(&a, "message").unwrap().contains("a <b> & *c*"));
    // out of Pushover's range: a config error naming the key
    for (bad, key) in [
        ("retry: 10s", "retry"),
        ("expire: 4h", "expire"),
        ("priority: 3", "priority"),
    ] {
        let env = Env::new(&one(
            "pushover",
            &format!("    token: t\n    user: u\n    {bad}\n"),
        ));
        let mut c = env.cmd();
        c.args(["config", "check"]);
        run(c).code(2).err_has(key);
    }
}

#[test]
fn pushover_status_zero_in_a_200_is_a_failure() {
    let srv = pushover_server(
        r#"{"user":"invalid","errors":["user identifier is not a valid user, group, or subscribed user key"],"status":0,"request":"r2"}"#,
    );
    let yaml = one(
        "pushover",
        &format!("    token: t\n    user: u\n    api_url: {}\n", srv.url("")),
    );
    send(&yaml, &failure())
        .code(1)
        .err_has("user identifier is not a valid user");
    assert_eq!(srv.requests().len(), 1, "a refused message is not retried");
}

#[test]
fn pushover_sends_one_image_and_names_the_rest() {
    let srv = pushover_server(r#"{"status":1,"request":"r1"}"#);
    let env = Env::new(&one(
        "pushover",
        &format!("    token: t\n    user: u\n    api_url: {}\n", srv.url("")),
    ));
    let png = env.path("graph.png");
    std::fs::write(&png, b"\x89PNG\r\n\x1a\nfake").unwrap();
    let log = env.path("run.log");
    std::fs::write(&log, "line\n").unwrap();
    let mut c = env.cmd();
    c.arg("send").args(failure());
    c.arg("--attach").arg(&png).arg("--attach").arg(&log);
    run(c).code(0);
    let r = srv.one();
    let parts = r.multipart();
    let get = |n: &str| parts.iter().find(|p| p.0 == n).unwrap();
    assert_eq!(get("token").3, b"t");
    assert_eq!(get("priority").3, b"1");
    let a = get("attachment");
    assert_eq!(a.1.as_deref(), Some("graph.png"));
    assert_eq!(a.2.as_deref(), Some("image/png"));
    assert_eq!(a.3, b"\x89PNG\r\n\x1a\nfake");
    let m = String::from_utf8_lossy(&get("message").3).into_owned();
    assert!(
        m.contains("Not attached (Pushover takes one image") && m.contains("run.log"),
        "{m}"
    );
}

// ---------------------------------------------------------------- signal

#[test]
fn signal_v2_send_with_recipients_and_attachment() {
    let srv = Server::start(|_, _| Response::status(201).body(r#"{"timestamp":"1700000000000"}"#));
    let env = Env::new(&one(
        "signal",
        &format!(
            "    url: {}\n    number: \"+4915100000001\"\n    recipients: [\"+4915100000002\", \"group.abc=\"]\n",
            srv.url("/signal")
        ),
    ));
    let log = env.path("run.log");
    std::fs::write(&log, "FATAL: disk full\n").unwrap();
    let mut c = env.cmd();
    c.arg("send").args(failure()).arg("--attach").arg(&log);
    run(c).code(0);
    let r = srv.one();
    assert_eq!(
        (r.method.as_str(), r.path.as_str()),
        ("POST", "/signal/v2/send")
    );
    assert_eq!(r.header("Content-Type"), Some("application/json"));
    let j = r.json();
    assert_eq!(j["number"], "+4915100000001");
    assert_eq!(j["recipients"], json!(["+4915100000002", "group.abc="]));
    assert_eq!(j["text_mode"], "normal");
    let m = j["message"].as_str().unwrap();
    assert!(m.starts_with("Backup failed: db on h1\n\n"), "{m}");
    assert!(m.contains(TRICKY), "plain text goes as written: {m}");
    assert!(!m.contains("Not attached"), "{m}");
    use base64::Engine;
    let att = j["base64_attachments"][0].as_str().unwrap();
    let (head, data) = att.split_once(";base64,").unwrap();
    assert_eq!(head, "data:text/plain;filename=run.log");
    assert_eq!(
        base64::engine::general_purpose::STANDARD
            .decode(data)
            .unwrap(),
        b"FATAL: disk full\n"
    );
}

#[test]
fn signal_error_reply_is_shown() {
    let srv = Server::start(|_, _| {
        Response::status(400).body(r#"{"error":"Failed to send message: Unregistered user"}"#)
    });
    let yaml = one(
        "signal",
        &format!(
            "    url: {}\n    number: \"+1\"\n    recipients: [\"+2\"]\n",
            srv.url("")
        ),
    );
    send(&yaml, &failure()).code(1).err_has("Unregistered user");
    assert_eq!(srv.requests().len(), 1);
}

// ---------------------------------------------------------------- apprise

#[test]
fn apprise_stateful_and_stateless_with_type_by_status() {
    let srv = Server::start(|_, _| Response::status(200).body("Notification(s) sent."));
    let keyed = one(
        "apprise",
        &format!(
            "    url: {}\n    key: backupkey77\n    tag: ops\n",
            srv.url("/ap")
        ),
    );
    send(&keyed, &failure()).code(0);
    send(&keyed, &["--event", "backup_success", "--job", "db"]).code(0);
    let urls = one(
        "apprise",
        &format!(
            "    url: {}\n    urls: [\"mailto://u:mailpass@example.com\", \"tgram://123:abc/456\"]\n    format: markdown\n",
            srv.url("/ap")
        ),
    );
    send(&urls, &["--event", "backup_start", "--job", "db"]).code(0);
    let reqs = srv.requests();
    assert_eq!(reqs.len(), 3);
    let (a, b, c) = (reqs[0].json(), reqs[1].json(), reqs[2].json());
    assert_eq!(reqs[0].path, "/ap/notify/backupkey77");
    assert_eq!(reqs[0].method, "POST");
    assert_eq!(reqs[0].header("Content-Type"), Some("application/json"));
    assert_eq!(a["type"], "failure");
    assert_eq!(b["type"], "success");
    assert_eq!(c["type"], "info");
    assert_eq!(a["tag"], "ops");
    assert_eq!(a["format"], "text");
    assert_eq!(a["title"], "Backup failed: db on h1");
    assert!(
        a["body"].as_str().unwrap().contains(TRICKY),
        "text as written"
    );
    assert!(a.get("urls").is_none());
    assert_eq!(reqs[2].path, "/ap/notify");
    assert_eq!(
        c["urls"],
        "mailto://u:mailpass@example.com,tgram://123:abc/456"
    );
    assert_eq!(c["format"], "markdown");
    assert!(c.get("tag").is_none());
}

#[test]
fn apprise_failed_dependency_and_nothing_sent_are_failures() {
    for (status, says) in [(424, "424"), (204, "no configuration under this key")] {
        let srv = Server::start(move |_, _| Response::status(status).body(""));
        let yaml = one(
            "apprise",
            &format!("    url: {}\n    key: k\n", srv.url("")),
        );
        send(&yaml, &failure()).code(1).err_has(says);
        assert_eq!(srv.requests().len(), 1, "{status} is not retried");
    }
}

/// `config check` names the endpoint and the key: missing keys, and keys that do not go
/// together.
#[test]
fn config_check_names_missing_and_conflicting_keys() {
    let check = |kind: &str, extra: &str, says: &[&str]| {
        let env = Env::new(&one(kind, extra));
        let mut c = env.cmd();
        c.args(["config", "check"]);
        let out = run(c);
        out.code(2).err_has(&format!("endpoint \"e\" ({kind})"));
        for s in says {
            out.err_has(s);
        }
    };
    check(
        "pushover",
        "    token: t\n",
        &["missing required key \"user\""],
    );
    check(
        "matrix",
        "    url: http://h\n    room: \"!r:h\"\n",
        &["access_token"],
    );
    check(
        "matrix",
        "    url: http://h\n    access_token: a\n    room: ops\n",
        &["room", "#alias:example.org"],
    );
    check(
        "mattermost",
        "    channel: x\n",
        &["missing required key \"url\""],
    );
    check(
        "rocketchat",
        "    url: chat.example.com/hooks/hookid/HOOKSECRET\n",
        &["is not a usable http(s) URL", "must start with http://"],
    );
    check("googlechat", "", &["missing required key \"url\""]);
    check(
        "zulip",
        "    url: http://h\n    bot_email: b@h\n    api_key: k\n",
        &["stream"],
    );
    check(
        "zulip",
        "    url: http://h\n    bot_email: b@h\n    api_key: k\n    stream: s\n    to: [a@h]\n",
        &["either stream"],
    );
    check(
        "signal",
        "    url: http://h\n    number: \"+1\"\n    recipients: []\n",
        &["recipients"],
    );
    check("apprise", "    url: http://h\n", &["set key or urls"]);
    check(
        "apprise",
        "    url: http://h\n    key: \"a/b\"\n",
        &["1 to 64 letters"],
    );
    check(
        "apprise",
        "    url: http://h\n    key: k\n    format: rtf\n",
        &["format"],
    );
}

// ---------------------------------------------------------------- all of them

/// Every new type with distinctive secrets: none shows in `-vv`, `--dry-run`, `--json` or
/// `config show`, whether the receiver fails or the key is in a URL path or query.
#[test]
fn secrets_of_the_new_types_never_print() {
    let srv = Server::start(|_, _| Response::status(500).body(r#"{"error":"boom"}"#));
    let u = |p: &str| srv.url(p);
    let yaml = format!(
        "defaults: {{retries: 0}}\nendpoints:\n\
  - {{name: pushover, type: pushover, token: POSECRET1, user: POUSERSECRET2, api_url: \"{}\"}}\n\
  - {{name: matrix, type: matrix, url: \"{}\", access_token: MXSECRET3, room: \"!r:example.org\"}}\n\
  - {{name: mattermost, type: mattermost, url: \"{}\"}}\n\
  - {{name: rocketchat, type: rocketchat, url: \"{}\"}}\n\
  - {{name: googlechat, type: googlechat, url: \"{}\"}}\n\
  - {{name: zulip, type: zulip, url: \"{}\", bot_email: b@example.com, api_key: ZUSECRET8, stream: s}}\n\
  - {{name: apprise, type: apprise, url: \"{}\", key: APKEYSECRET9}}\n\
  - {{name: apprise2, type: apprise, url: \"{}\", urls: \"pover://APURLSECRET10@tok\"}}\n",
        u("/po"),
        u("/mx"),
        u("/hooks/MMSECRET4"),
        u("/hooks/RCID5/RCSECRET6"),
        u("/v1/spaces/AAA/messages?key=GCKEYSECRET7&token=GCTOKSECRET11"),
        u("/zu"),
        u("/ap"),
        u("/ap"),
    );
    let secrets = [
        "POSECRET1",
        "POUSERSECRET2",
        "MXSECRET3",
        "MMSECRET4",
        "RCID5",
        "RCSECRET6",
        "GCKEYSECRET7",
        "ZUSECRET8",
        "APKEYSECRET9",
        "APURLSECRET10",
        "GCTOKSECRET11",
    ];
    let env = Env::new(&yaml);
    for args in [
        &["-vv", "send", "--event", "backup_failure"][..],
        &["--json", "send", "--event", "backup_failure"],
        &["send", "--event", "backup_failure", "--dry-run"],
        &["--json", "send", "--event", "backup_failure", "--dry-run"],
        &["config", "show"],
        &["--json", "config", "show"],
        &["config", "check"],
        &["-vv", "outbox", "flush"],
    ] {
        let mut c = env.cmd();
        c.args(args);
        let out = run(c);
        assert!(out.code <= 1, "{args:?}: {}", out.stderr);
        for s in secrets {
            assert!(
                !out.stdout.contains(s) && !out.stderr.contains(s),
                "{args:?} leaked {s}:\n{}\n{}",
                out.stdout,
                out.stderr
            );
        }
    }
    // every one was tried, and failed on the 500
    let paths: Vec<String> = srv.requests().iter().map(|r| r.path.clone()).collect();
    for p in [
        "/po/",
        "/mx/",
        "/hooks/MMSECRET4",
        "/hooks/RCID5",
        "/v1/spaces",
        "/zu/",
        "/ap/",
    ] {
        assert!(
            paths.iter().any(|x| x.starts_with(p)),
            "no request to {p}: {paths:?}"
        );
    }
}

/// `--dry-run` shows each request; for a Matrix alias the send URL holds the placeholder
/// that the directory's answer fills in.
#[test]
fn dry_run_shows_the_requests_in_order() {
    let yaml = one(
        "matrix",
        "    url: https://matrix.example.org\n    access_token: tok\n    room: \"#ops:example.org\"\n",
    );
    let out = send(&yaml, &["--event", "backup_failure", "--dry-run"]);
    out.code(0);
    let all = format!("{}{}", out.stdout, out.stderr);
    let dir = all.find("directory/room/%23ops%3Aexample.org").expect(&all);
    let join = all.find("/join/{room_id}").expect(&all);
    let put = all
        .find("/rooms/{room_id}/send/m.room.message/")
        .expect(&all);
    assert!(dir < join && join < put, "{all}");
}

/// The reply a fake homeserver gives: `Value` as JSON with `status`.
fn json_reply(status: u16, v: Value) -> Response {
    Response::status(status).body(v.to_string())
}
