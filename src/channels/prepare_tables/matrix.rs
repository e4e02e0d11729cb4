//! The `matrix` prepare() table: join then send, aliases resolved through `follow`,
//! every status, the homeserver's replies, and a hostile message within one event.

use std::time::Duration;

use crate::channels::testkit::{
    channel, event, hostile_body, http, json, prepare, prepare_texts_ok, reply_of, HOSTILE_TITLE,
};
use crate::channels::Channel;
use crate::event::Event;
use crate::http::HttpRequest;
use serde_json::json;

const ROOM_ID: &str = "{url: 'http://mx:8008/', access_token: syt_secret, room: '!r:example.org'}";
const ALIAS: &str = "{url: 'http://mx:8008', access_token: syt_secret, room: '#ops:example.org'}";

fn requests(ch: &dyn Channel, ev: &Event) -> Vec<HttpRequest> {
    http(&prepare(ch, ev)).into_iter().cloned().collect()
}

fn bearer(h: &HttpRequest) -> Option<&str> {
    h.headers
        .iter()
        .find(|(k, _)| k == "Authorization")
        .map(|(_, v)| v.as_str())
}

/// A room id: join (through the id's server), then the notice; every status alike.
#[test]
fn join_then_a_notice_for_every_status() {
    let ch = channel("matrix", ROOM_ID);
    let mut txns = Vec::new();
    for ev in [
        "backup_start",
        "backup_success",
        "backup_failure",
        "user_login",
    ] {
        let reqs = requests(&*ch, &event(ev, None));
        assert_eq!(reqs.len(), 2, "{ev}");
        let (join, send) = (&reqs[0], &reqs[1]);
        assert_eq!(join.method, "POST");
        assert_eq!(
            join.url,
            "http://mx:8008/_matrix/client/v3/join/%21r%3Aexample.org\
             ?via=example.org&server_name=example.org"
        );
        assert_eq!(json(join), json!({}));
        assert_eq!(send.method, "PUT");
        let prefix =
            "http://mx:8008/_matrix/client/v3/rooms/%21r%3Aexample.org/send/m.room.message/";
        let txn = send
            .url
            .strip_prefix(prefix)
            .unwrap_or_else(|| panic!("{}", send.url));
        assert_eq!(txn.len(), 32, "{txn}");
        assert!(txn.chars().all(|c| c.is_ascii_hexdigit()), "{txn}");
        txns.push(txn.to_string());
        for h in &reqs {
            assert_eq!(bearer(h), Some("Bearer syt_secret"), "{ev}: {}", h.url);
        }
        assert_eq!(
            json(send),
            json!({
                "msgtype": "m.notice",
                "body": "T\n\nB",
                "format": "org.matrix.custom.html",
                "formatted_body": "<b>T</b><br><br>B",
            }),
            "{ev}"
        );
    }
    txns.sort();
    txns.dedup();
    assert_eq!(txns.len(), 4, "each event its own transaction");
}

/// A retry of one event keeps its transaction id (the homeserver deduplicates it);
/// another endpoint or the run's start makes a new one.
#[test]
fn the_txn_id_is_stable_per_event_and_endpoint() {
    let ch = channel("matrix", ROOM_ID);
    let failure = event("backup_failure", None);
    let first = requests(&*ch, &failure);
    let again = requests(&*ch, &failure);
    assert_eq!(first[1].url, again[1].url, "a retry keeps its txn id");
    let mut started = failure.clone();
    started.event = "backup_start".into();
    assert_ne!(first[1].url, requests(&*ch, &started)[1].url);
}

/// An alias is looked up first; its room id and servers fill in the later requests.
#[test]
fn an_alias_is_resolved_then_joined_and_sent_to() {
    let ch = channel("matrix", ALIAS);
    let mut reqs = requests(&*ch, &event("backup_success", None));
    assert_eq!(reqs.len(), 3);
    assert_eq!(reqs[0].method, "GET");
    assert_eq!(
        reqs[0].url,
        "http://mx:8008/_matrix/client/v3/directory/room/%23ops%3Aexample.org"
    );
    assert_eq!(bearer(&reqs[0]), Some("Bearer syt_secret"));
    assert!(reqs[1].url.ends_with("/join/{room_id}"), "{}", reqs[1].url);
    let found = reply_of(
        200,
        &[],
        r#"{"room_id": "!abc:example.org", "servers": ["example.org", "b.org"]}"#,
    );
    let (_, later) = reqs.split_at_mut(1);
    for r in later.iter_mut() {
        ch.follow(&found, r).unwrap();
    }
    assert_eq!(
        reqs[1].url,
        "http://mx:8008/_matrix/client/v3/join/%21abc%3Aexample.org\
         ?via=example.org&via=b.org&server_name=example.org&server_name=b.org"
    );
    assert!(
        reqs[2].url.starts_with(
            "http://mx:8008/_matrix/client/v3/rooms/%21abc%3Aexample.org/send/m.room.message/"
        ),
        "{}",
        reqs[2].url
    );
    assert!(!reqs[2].url.contains('?'), "{}", reqs[2].url);

    let mut fresh = requests(&*ch, &event("test", None));
    let unknown = reply_of(
        404,
        &[],
        r#"{"errcode": "M_NOT_FOUND", "error": "Room alias not found"}"#,
    );
    let err = ch.follow(&unknown, &mut fresh[1]).unwrap_err();
    assert!(err.message.contains("#ops:example.org"), "{}", err.message);
    assert!(err.message.contains("M_NOT_FOUND"), "{}", err.message);
}

/// Rows: status, body, delivered, retryable, wait (ms), words of the error.
#[test]
fn replies() {
    let ch = channel("matrix", ROOM_ID);
    for (status, body, ok, retry, wait, words) in [
        (200, r#"{"event_id": "$ev1"}"#, true, false, None, ""),
        (
            200,
            r#"{"room_id": "!r:example.org"}"#,
            true,
            false,
            None,
            "",
        ),
        (
            403,
            r#"{"errcode": "M_FORBIDDEN", "error": "You are not invited to this room."}"#,
            false,
            false,
            None,
            "Matrix 403: M_FORBIDDEN You are not invited to this room.",
        ),
        (
            401,
            r#"{"errcode": "M_UNKNOWN_TOKEN", "error": "Invalid access token passed."}"#,
            false,
            false,
            None,
            "Matrix 401: M_UNKNOWN_TOKEN Invalid access token passed.",
        ),
        (
            429,
            r#"{"errcode": "M_LIMIT_EXCEEDED", "error": "Too Many Requests", "retry_after_ms": 2500}"#,
            false,
            true,
            Some(2500),
            "Matrix 429: M_LIMIT_EXCEEDED",
        ),
        (
            200,
            r#"{"errcode": "M_UNKNOWN", "error": "odd"}"#,
            false,
            false,
            None,
            "Matrix 200: M_UNKNOWN odd",
        ),
        (
            502,
            "Bad Gateway",
            false,
            true,
            None,
            "HTTP 502: Bad Gateway",
        ),
    ] {
        let got = ch.check(&reply_of(status, &[], body));
        assert_eq!(got.is_ok(), ok, "{status} {body}");
        if let Err(e) = got {
            assert_eq!(e.retryable, retry, "{status}");
            assert_eq!(e.retry_after, wait.map(Duration::from_millis), "{status}");
            assert!(e.message.contains(words), "{status}: {}", e.message);
        }
    }
}

/// The event stays under Matrix's 65,536 bytes; HTML is escaped, the plain body keeps
/// the text as written, both keep the end of the log.
#[test]
fn hostile_text_fits_one_event() {
    let ch = channel("matrix", ROOM_ID);
    let body = hostile_body().repeat(5);
    let out = prepare_texts_ok(
        &*ch,
        &event("backup_failure", Some(2)),
        HOSTILE_TITLE,
        &body,
    );
    let send = http(&out)[1];
    assert!(
        send.body.len() + 2_048 < 65_536,
        "{} bytes",
        send.body.len()
    );
    let c = json(send);
    let plain = c["body"].as_str().unwrap();
    assert!(plain.starts_with(&format!("{HOSTILE_TITLE}\n\nSTART-OF-LOG")));
    assert!(plain.ends_with("FATAL-END"), "the end of the log is kept");
    let html = c["formatted_body"].as_str().unwrap();
    assert!(
        html.starts_with(
            "<b>Sauvegarde échouée ✗ &lt;b&gt;&amp;&quot;'*_~| \
             https://backup-host.example.com/logs/run_2026-11-30.log?a=1&amp;b=2 🔥</b>\
             <br><br>START-OF-LOG<br>"
        ),
        "{html:.200}"
    );
    assert!(
        html.ends_with("<br>FATAL-END"),
        "the end of the log is kept"
    );
    assert!(!html.contains("<b>&"), "no raw markup from the text");
}
