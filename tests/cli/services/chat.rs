//! Chat services against loopback receivers: Matrix (a fake homeserver resolving an
//! alias, joining and sending), Mattermost, Rocket.Chat, Google Chat, Zulip.

use serde_json::{json, Value};

use super::{failure, field, json_reply, one, send, TRICKY};
use crate::support::{Request, Response, Server};

// ---------------------------------------------------------------- matrix

const ROOM_ID: &str = "!AbC123:example.org";
const ROOM_PATH: &str = "%21AbC123%3Aexample.org";

/// A homeserver: the alias `#ops:example.org` is `ROOM_ID`; join and send succeed unless
/// `send_reply` says otherwise.
fn homeserver(send_reply: fn() -> Response) -> Server {
    Server::start(move |r: &Request, _| {
        let p = r.path.as_str();
        if p == "/_matrix/client/v3/directory/room/%23ops%3Aexample.org" {
            json_reply(
                200,
                json!({"room_id": ROOM_ID, "servers": ["example.org", "relay.example.net"]}),
            )
        } else if p.starts_with("/_matrix/client/v3/directory/room/") {
            json_reply(
                404,
                json!({"errcode": "M_NOT_FOUND", "error": "Room alias not found"}),
            )
        } else if p == format!("/_matrix/client/v3/join/{ROOM_PATH}") {
            json_reply(200, json!({"room_id": ROOM_ID}))
        } else if p.starts_with(&format!(
            "/_matrix/client/v3/rooms/{ROOM_PATH}/send/m.room.message/"
        )) {
            send_reply()
        } else {
            json_reply(
                404,
                json!({"errcode": "M_UNRECOGNIZED", "error": "Unrecognized request"}),
            )
        }
    })
}

fn matrix_yaml(srv: &Server, room: &str) -> String {
    one(
        "matrix",
        &format!(
            "    url: {}\n    access_token: syt_secret_token\n    room: \"{room}\"\n",
            srv.url("")
        ),
    )
}

#[test]
fn matrix_resolves_the_alias_joins_and_sends_a_notice() {
    let srv = homeserver(|| json_reply(200, json!({"event_id": "$ev1"})));
    let yaml = matrix_yaml(&srv, "#ops:example.org");
    send(&yaml, &[&failure()[..], &["--id", "run-42"]].concat()).code(0);
    let reqs = srv.requests();
    assert_eq!(reqs.len(), 3, "{reqs:#?}");
    for r in &reqs {
        assert_eq!(r.header("Authorization"), Some("Bearer syt_secret_token"));
    }
    assert_eq!(reqs[0].method, "GET");
    assert_eq!(
        reqs[0].path,
        "/_matrix/client/v3/directory/room/%23ops%3Aexample.org"
    );
    assert_eq!(reqs[1].method, "POST");
    assert_eq!(reqs[1].path, format!("/_matrix/client/v3/join/{ROOM_PATH}"));
    let q = reqs[1].query_pairs();
    let q: Vec<(&str, &str)> = q.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    assert_eq!(
        q,
        [
            ("via", "example.org"),
            ("via", "relay.example.net"),
            ("server_name", "example.org"),
            ("server_name", "relay.example.net")
        ]
    );
    let put = &reqs[2];
    assert_eq!(put.method, "PUT");
    let prefix = format!("/_matrix/client/v3/rooms/{ROOM_PATH}/send/m.room.message/");
    let txn = put.path.strip_prefix(&prefix).unwrap().to_string();
    assert_eq!(txn.len(), 32, "{txn}");
    let j = put.json();
    assert_eq!(j["msgtype"], "m.notice");
    assert_eq!(j["format"], "org.matrix.custom.html");
    let body = j["body"].as_str().unwrap();
    assert!(body.starts_with("Backup failed: db on h1\n\n"), "{body}");
    assert!(body.contains(TRICKY), "plain body as written: {body}");
    let html = j["formatted_body"].as_str().unwrap();
    assert!(
        html.starts_with("<b>Backup failed: db on h1</b><br><br>"),
        "{html}"
    );
    assert!(
        html.contains("a &lt;b&gt; &amp; *c* _d_ `e` https://x.example/p_q?a=1&amp;b=2"),
        "{html}"
    );

    // the same event again (a retry, a flush) reuses the txn id; its start does not
    send(&yaml, &[&failure()[..], &["--id", "run-42"]].concat()).code(0);
    send(
        &yaml,
        &["--event", "backup_start", "--job", "db", "--id", "run-42"],
    )
    .code(0);
    let puts: Vec<String> = srv
        .requests()
        .iter()
        .filter(|r| r.method == "PUT")
        .map(|r| r.path.clone())
        .collect();
    assert_eq!(puts.len(), 3);
    assert_eq!(puts[0], puts[1], "a resent event has the same txn id");
    assert_ne!(
        puts[0], puts[2],
        "start and end of one run are two messages"
    );
}

#[test]
fn matrix_room_id_needs_no_directory_and_errcode_is_a_failure() {
    let srv = homeserver(|| {
        json_reply(
            200,
            json!({"errcode": "M_FORBIDDEN", "error": "User not in room"}),
        )
    });
    let yaml = matrix_yaml(&srv, ROOM_ID);
    send(&yaml, &failure())
        .code(1)
        .err_has("M_FORBIDDEN")
        .err_has("User not in room");
    let reqs = srv.requests();
    assert_eq!(reqs.len(), 2, "join then send: {reqs:#?}");
    assert_eq!(reqs[0].path, format!("/_matrix/client/v3/join/{ROOM_PATH}"));
    assert_eq!(reqs[0].query, "via=example.org&server_name=example.org");
    assert_eq!(reqs[1].method, "PUT");
}

#[test]
fn matrix_unknown_alias_stops_before_joining() {
    let srv = homeserver(|| json_reply(200, json!({"event_id": "$e"})));
    let yaml = matrix_yaml(&srv, "#nope:example.org");
    send(&yaml, &failure())
        .code(1)
        .err_has("M_NOT_FOUND")
        .err_has("Room alias not found");
    assert_eq!(srv.requests().len(), 1);
}

// ---------------------------------------------------------------- mattermost

#[test]
fn mattermost_markdown_text_and_overrides() {
    let srv = Server::start(|_, _| Response::status(200).body("ok"));
    let yaml = one(
        "mattermost",
        &format!(
            "    url: {}\n    channel: town-square\n    username: backups\n    icon_url: https://example.com/i.png\n",
            srv.url("/hooks/xxgeneratedkeyxx")
        ),
    );
    send(&yaml, &failure()).code(0);
    send(
        &yaml,
        &["--event", "backup_success", "--job", "db", "--host", "h1"],
    )
    .code(0);
    let reqs = srv.requests();
    let r = &reqs[0];
    assert_eq!(
        (r.method.as_str(), r.path.as_str()),
        ("POST", "/hooks/xxgeneratedkeyxx")
    );
    assert_eq!(r.header("Content-Type"), Some("application/json"));
    let j = r.json();
    assert_eq!(j["channel"], "town-square");
    assert_eq!(j["username"], "backups");
    assert_eq!(j["icon_url"], "https://example.com/i.png");
    let t = j["text"].as_str().unwrap();
    assert!(
        t.starts_with(":rotating_light: **Backup failed: db on h1**\n\n"),
        "{t}"
    );
    assert!(
        t.contains(r"a &lt;b&gt; &amp; \*c\* \_d\_ \`e\` https://x.example/p_q?a=1&b=2"),
        "{t}"
    );
    let ok = reqs[1].json();
    assert!(ok["text"]
        .as_str()
        .unwrap()
        .starts_with(":white_check_mark: **Backup succeeded"));
}

#[test]
fn mattermost_refusal_is_reported_not_retried() {
    let srv = Server::start(|_, _| {
        Response::status(400).body(r#"{"id":"web.incoming_webhook.text.app_error","message":"No text specified","status_code":400}"#)
    });
    let yaml = one("mattermost", &format!("    url: {}\n", srv.url("/hooks/k")));
    send(&yaml, &failure())
        .code(1)
        .err_has("400")
        .err_has("No text specified");
    assert_eq!(srv.requests().len(), 1);
}

// ---------------------------------------------------------------- rocket.chat

#[test]
fn rocketchat_text_colour_and_success_false() {
    let srv = Server::start(|_, n| {
        if n < 2 {
            Response::status(200).body(r#"{"success":true}"#)
        } else {
            Response::status(200).body(r#"{"success":false,"error":"error-invalid-channel"}"#)
        }
    });
    let yaml = one(
        "rocketchat",
        &format!("    url: {}\n", srv.url("/hooks/IntegId/tokenXYZ")),
    );
    send(&yaml, &failure()).code(0);
    send(&yaml, &["--event", "backup_success", "--job", "db"]).code(0);
    send(&yaml, &failure())
        .code(1)
        .err_has("error-invalid-channel");
    let reqs = srv.requests();
    assert_eq!(
        (reqs[0].method.as_str(), reqs[0].path.as_str()),
        ("POST", "/hooks/IntegId/tokenXYZ")
    );
    let j = reqs[0].json();
    let t = j["text"].as_str().unwrap();
    assert!(
        t.starts_with(":rotating_light: Backup failed: db on h1\n"),
        "{t}"
    );
    assert!(t.contains(TRICKY), "as written: {t}");
    assert_eq!(j["attachments"][0]["color"], "#e01e5a");
    assert_eq!(reqs[1].json()["attachments"][0]["color"], "#2eb67d");
}

// ---------------------------------------------------------------- google chat

#[test]
fn googlechat_keeps_the_query_and_escapes_text() {
    let srv = Server::start(|_, _| {
        Response::status(200).body(r#"{"name":"spaces/AAA/messages/x","text":"..."}"#)
    });
    let path = "/v1/spaces/AAAAbCdE/messages?key=AIzaKey-x_y&token=tok%3D%3D";
    let yaml = one("googlechat", &format!("    url: \"{}\"\n", srv.url(path)));
    send(&yaml, &failure()).code(0);
    let r = srv.one();
    assert_eq!(r.method, "POST");
    assert_eq!(r.path, "/v1/spaces/AAAAbCdE/messages");
    assert_eq!(r.query, "key=AIzaKey-x_y&token=tok%3D%3D", "query verbatim");
    assert_eq!(
        r.header("Content-Type"),
        Some("application/json; charset=UTF-8")
    );
    let t = r.json()["text"].as_str().unwrap().to_string();
    assert!(t.starts_with("*Backup failed: db on h1*\n"), "{t}");
    assert!(t.contains("a <\u{200B}b> & *c* _d_"), "{t}");
}

#[test]
fn googlechat_error_message_is_shown() {
    let srv = Server::start(|_, _| {
        Response::status(400).body(r#"{"error":{"code":400,"message":"Invalid JSON payload received.","status":"INVALID_ARGUMENT"}}"#)
    });
    let yaml = one(
        "googlechat",
        &format!(
            "    url: \"{}\"\n",
            srv.url("/v1/spaces/A/messages?key=k&token=t")
        ),
    );
    send(&yaml, &failure())
        .code(1)
        .err_has("Invalid JSON payload received.");
}

// ---------------------------------------------------------------- zulip

#[test]
fn zulip_stream_and_direct_messages_with_basic_auth() {
    let srv = Server::start(|_, _| {
        Response::status(200).body(r#"{"result":"success","msg":"","id":42}"#)
    });
    let base = format!(
        "    url: {}\n    bot_email: backup-bot@example.zulipchat.com\n    api_key: zulipkey123\n",
        srv.url("/z")
    );
    send(
        &one(
            "zulip",
            &format!("{base}    stream: ops\n    topic: nightly\n"),
        ),
        &failure(),
    )
    .code(0);
    send(
        &one("zulip", &format!("{base}    stream: ops\n")),
        &failure(),
    )
    .code(0);
    send(
        &one(
            "zulip",
            &format!("{base}    to: [a@example.com, b@example.com]\n"),
        ),
        &failure(),
    )
    .code(0);
    let reqs = srv.requests();
    let r = &reqs[0];
    assert_eq!(
        (r.method.as_str(), r.path.as_str()),
        ("POST", "/z/api/v1/messages")
    );
    use base64::Engine;
    let auth = base64::engine::general_purpose::STANDARD
        .encode("backup-bot@example.zulipchat.com:zulipkey123");
    assert_eq!(
        r.header("Authorization"),
        Some(format!("Basic {auth}").as_str())
    );
    assert_eq!(
        r.header("Content-Type"),
        Some("application/x-www-form-urlencoded")
    );
    let f = r.form();
    assert_eq!(field(&f, "type").as_deref(), Some("stream"));
    assert_eq!(field(&f, "to").as_deref(), Some("ops"));
    assert_eq!(field(&f, "topic").as_deref(), Some("nightly"));
    let c = field(&f, "content").unwrap();
    assert!(c.starts_with("**Backup failed: db on h1**\n\n"), "{c}");
    assert!(
        c.contains(r"a <b> & \*c\* \_d\_ \`e\` https://x.example/p_q?a=1&b=2"),
        "{c}"
    );
    assert_eq!(
        field(&reqs[1].form(), "topic").as_deref(),
        Some("db"),
        "topic defaults to the job"
    );
    let d = reqs[2].form();
    assert_eq!(field(&d, "type").as_deref(), Some("direct"));
    let to: Value = serde_json::from_str(&field(&d, "to").unwrap()).unwrap();
    assert_eq!(to, json!(["a@example.com", "b@example.com"]));
    assert!(field(&d, "topic").is_none());
}

#[test]
fn zulip_result_error_is_a_failure() {
    let srv = Server::start(|_, _| {
        Response::status(200).body(r#"{"result":"error","msg":"Stream 'nope' does not exist","code":"STREAM_DOES_NOT_EXIST"}"#)
    });
    let yaml = one(
        "zulip",
        &format!(
            "    url: {}\n    bot_email: b@x\n    api_key: k\n    stream: nope\n",
            srv.url("")
        ),
    );
    send(&yaml, &failure())
        .code(1)
        .err_has("Stream 'nope' does not exist");
    assert_eq!(srv.requests().len(), 1);
}
