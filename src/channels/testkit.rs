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
    let msg = Message {
        event: ev,
        title: "T".into(),
        body: "B".into(),
        endpoint: "e",
        kind: "k",
    };
    ch.prepare(&msg).expect("prepare succeeds")
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
