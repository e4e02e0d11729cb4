//! Unit-test helpers for the channels' `prepare` tables: build a channel from its YAML
//! keys and a rendered message for an event, with no config file and no network.

use super::{Channel, Message, Outgoing};
use crate::event::{Event, Input};
use crate::http::HttpRequest;

/// The channel of type `kind` built from `yaml` (its own keys, flow or block style).
pub(crate) fn channel(kind: &str, yaml: &str) -> Box<dyn Channel> {
    let t = super::find(kind).expect("a registered type");
    let node = crate::yaml::parse(yaml).expect("valid YAML");
    (t.build)(node).expect("valid keys")
}

/// The event `name` for task `db` on host `h` (with `exit_code` in its fields when given).
pub(crate) fn event(name: &str, exit_code: Option<i64>) -> Event {
    let mut ev = Event::from_input(
        name,
        &Input {
            task: Some("db".into()),
            error: Some("disk full".into()),
            ..Input::default()
        },
        || "h".into(),
    );
    if let Some(c) = exit_code {
        ev.fields.insert("exit_code".into(), c.into());
    }
    ev
}

/// What `ch` would send for `ev`, titled "T" with body "B".
pub(crate) fn prepare(ch: &dyn Channel, ev: &Event) -> Vec<Outgoing> {
    prepare_texts_ok(ch, ev, "T", "B")
}

/// The HTTP requests among `out`.
pub(crate) fn http(out: &[Outgoing]) -> Vec<&HttpRequest> {
    out.iter()
        .filter_map(|o| match o {
            Outgoing::Http(h) => Some(h),
            _ => None,
        })
        .collect()
}

/// A request's body as JSON.
pub(crate) fn json(h: &HttpRequest) -> serde_json::Value {
    serde_json::from_slice(&h.body.to_vec()).expect("a JSON body")
}

/// What `ch` would send for `ev` with the rendered `title` and `body`, or why it cannot.
pub(crate) fn prepare_with_texts(
    ch: &dyn Channel,
    ev: &Event,
    title: &str,
    body: &str,
) -> Result<Vec<Outgoing>, super::DeliveryError> {
    let msg = Message {
        event: ev,
        title: title.into(),
        body: body.into(),
        endpoint: "e",
        kind: "k",
    };
    ch.prepare(&msg)
}

/// A hostile body of exactly 10,000 characters: markup, a URL, CJK, emoji, a line of
/// 1,500 characters, many lines. It starts with `START` and ends with `END`, so a cut that
/// keeps start and end shows both.
pub(crate) fn hostile_long_body() -> String {
    let mut b = String::from(
        "START job <b>db</b> & *bold* _it_ `code` [x](y) https://backup-host.example.com/logs/run_2026-11-30.log?a=1&b=2\n",
    );
    b.push_str(&"long-line_".repeat(150));
    b.push('\n');
    fill_to_10k(
        b,
        "日本語のログ 🔥 <tag> & *x* _y_ 错误\n",
        "FATAL: disk full END",
    )
}

/// What `ch` would send for `ev` titled `title` with body `body`; the table expects it
/// to succeed.
pub(crate) fn prepare_texts_ok(
    ch: &dyn Channel,
    ev: &Event,
    title: &str,
    body: &str,
) -> Vec<Outgoing> {
    prepare_with_texts(ch, ev, title, body).expect("prepare succeeds")
}

/// A 10,000-character log: markup, a URL, CJK, emoji, a 1,500-character line, newlines;
/// it starts with `START-OF-LOG` and ends with `END-OF-LOG`.
pub(crate) fn hostile_log_body() -> String {
    let mut s = String::from("START-OF-LOG <b>bold</b> *star* _under_ `tick` [l](x) &amp; \n");
    s.push_str("see https://backup-host.example.com/logs/run_2026-11-30.log?a=1&b=2\n");
    s.push_str(&"x".repeat(1500));
    s.push('\n');
    fill_to_10k(
        s,
        "バックアップ失敗 🔥 <i>err</i> & \"q\" 'a' ~|_\n",
        "\nEND-OF-LOG",
    )
}

/// The hostile title of the prepare() tables: markup, quotes, a URL with `-` and `_`,
/// accents and emoji.
pub(crate) const HOSTILE_TITLE: &str = "Sauvegarde échouée ✗ <b>&\"'*_~| https://backup-host.example.com/logs/run_2026-11-30.log?a=1&b=2 🔥";

/// A hostile body of exactly 10,000 characters: markup, a URL, CJK, emoji, a 1,500-char
/// line and newlines; it starts with `START-OF-LOG` and ends with `FATAL-END`.
pub(crate) fn hostile_body() -> String {
    let mut s = String::from("START-OF-LOG\n");
    s.push_str(&"x".repeat(1_500));
    s.push('\n');
    let chunk = "<b>&\"'*_~|` [a](b) #h > q 日本語のログ 🔥 https://h.example/run_1-2.log\n";
    fill_to_10k(s, chunk, "\nFATAL-END")
}

/// `head`, then as many `filler`s as fit, dots, and `tail`: exactly 10,000 characters.
fn fill_to_10k(mut head: String, filler: &str, tail: &str) -> String {
    let n = |s: &str| s.chars().count();
    while n(&head) + n(filler) + n(tail) <= 10_000 {
        head.push_str(filler);
    }
    while n(&head) + n(tail) < 10_000 {
        head.push('.');
    }
    head.push_str(tail);
    head
}

/// A reply with `status`, `headers` and `body`, for the tables' `check` rows.
pub(crate) fn reply_of(status: u16, headers: &[(&str, &str)], body: &str) -> crate::http::Reply {
    crate::http::Reply {
        status,
        headers: headers
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect(),
        body: body.as_bytes().to_vec(),
    }
}

/// Task histories for the metrics channels' tables (`pushgateway`, `textfile`): set
/// as this process's histories, and the exposition text they render to. Every caller
/// sets the same histories, so tests running at once agree on them.
pub(crate) fn metrics_histories_fixture() -> &'static str {
    use crate::history::TaskHistory;
    let mut tasks = std::collections::BTreeMap::new();
    let mut db = TaskHistory {
        first_seen: 1_700_000_000,
        last_start: Some(1_764_460_000),
        last_success: Some(1_764_400_000),
        last_failure: Some(1_764_460_300),
        last_duration_ms: Some(300_250),
        last_size: Some(1_610_612_736),
        last_exit_code: Some(2),
        ..TaskHistory::default()
    };
    db.events.insert("backup_start".into(), 1_764_460_000);
    db.events.insert("backup_failure".into(), 1_764_460_300);
    tasks.insert("db".to_string(), db);
    let mut odd = TaskHistory::default();
    odd.events.insert("user_login".into(), 1_764_000_000);
    tasks.insert("we\"ird\\name\nx".to_string(), odd);
    crate::history::remember_history(&tasks);
    concat!(
        "# HELP bnotify_last_event_timestamp_seconds Unix time bnotify last saw this event for this task.\n",
        "# TYPE bnotify_last_event_timestamp_seconds gauge\n",
        "bnotify_last_event_timestamp_seconds{task=\"db\",event=\"backup_failure\"} 1764460300\n",
        "bnotify_last_event_timestamp_seconds{task=\"db\",event=\"backup_start\"} 1764460000\n",
        "bnotify_last_event_timestamp_seconds{task=\"we\\\"ird\\\\name\\nx\",event=\"user_login\"} 1764000000\n",
        "# HELP bnotify_last_success_timestamp_seconds Unix time of the task's last success.\n",
        "# TYPE bnotify_last_success_timestamp_seconds gauge\n",
        "bnotify_last_success_timestamp_seconds{task=\"db\"} 1764400000\n",
        "# HELP bnotify_last_duration_seconds Duration of the task's last run that reported one.\n",
        "# TYPE bnotify_last_duration_seconds gauge\n",
        "bnotify_last_duration_seconds{task=\"db\"} 300.25\n",
        "# HELP bnotify_last_backup_size_bytes Size of the task's last backup that reported one.\n",
        "# TYPE bnotify_last_backup_size_bytes gauge\n",
        "bnotify_last_backup_size_bytes{task=\"db\"} 1610612736\n",
        "# HELP bnotify_last_exit_code Exit code of the task's last run that reported one.\n",
        "# TYPE bnotify_last_exit_code gauge\n",
        "bnotify_last_exit_code{task=\"db\"} 2\n",
    )
}
