//! The table of schemes and the helpers the mappings share. The mappings are in `chat.rs`
//! (webhooks and chat services) and `push.rs` (push, phone, monitoring and mail); each
//! names the documentation it follows; the code is bnotify's own.

use serde_json::{Map, Value};

use super::{chat, push};
use super::{Built, Parts, Problem, Scheme};

/// Every scheme, in README order.
pub(super) const SCHEMES: &[Scheme] = &[
    sch(
        "mqtt",
        "mqtt",
        "Apprise",
        &["mqtt://[<user name>:<password>@]host[:port]/<topic>"],
        push::mqtt,
    ),
    sch(
        "mqtts",
        "mqtt",
        "Apprise",
        &["mqtts://[<user name>:<password>@]host[:port]/<topic>"],
        push::mqtt,
    ),
    sch(
        "json",
        "webhook",
        "Apprise",
        &["json://host[:port]/path", "jsons://host[:port]/path"],
        chat::json,
    ),
    sch(
        "jsons",
        "webhook",
        "Apprise",
        &["jsons://host[:port]/path"],
        chat::json,
    ),
    sch(
        "form",
        "webhook",
        "Apprise",
        &["form://host[:port]/path", "forms://host[:port]/path"],
        chat::json,
    ),
    sch(
        "forms",
        "webhook",
        "Apprise",
        &["forms://host[:port]/path"],
        chat::json,
    ),
    sch(
        "discord",
        "discord",
        "Apprise, shoutrrr",
        &[
            "discord://<webhook id>/<webhook token>",
            "discord://<webhook token>@<webhook id> (shoutrrr)",
        ],
        chat::discord,
    ),
    sch(
        "slack",
        "slack",
        "Apprise, shoutrrr",
        &[
            "slack://<token A>/<token B>/<token C>",
            "slack://hook:<token A>-<token B>-<token C>@webhook (shoutrrr)",
        ],
        chat::slack,
    ),
    sch(
        "msteams",
        "teams",
        "Apprise",
        &["msteams://<team>/<token A>/<token B>/<token C>"],
        chat::msteams,
    ),
    sch(
        "workflows",
        "teams",
        "Apprise",
        &["workflows://<host>[:port]/<workflow id>/<signature>"],
        chat::workflows,
    ),
    sch(
        "teams",
        "teams",
        "shoutrrr",
        &["teams://<group>@<tenant>/<alt id>/<group owner>?host=<org>.webhook.office.com"],
        chat::teams_shoutrrr,
    ),
    sch(
        "gchat",
        "googlechat",
        "Apprise",
        &["gchat://<space>/<key>/<token>"],
        chat::gchat,
    ),
    sch(
        "googlechat",
        "googlechat",
        "shoutrrr",
        &["googlechat://chat.googleapis.com/v1/spaces/<space>/messages?key=<key>&token=<token>"],
        chat::googlechat,
    ),
    sch(
        "hangouts",
        "googlechat",
        "shoutrrr",
        &["hangouts://chat.googleapis.com/v1/spaces/<space>/messages?key=<key>&token=<token>"],
        chat::googlechat,
    ),
    sch(
        "mmost",
        "mattermost",
        "Apprise",
        &["mmost://[<bot name>@]host[:port][/path]/<token>[?channel=<channel>]"],
        chat::mmost,
    ),
    sch(
        "mmosts",
        "mattermost",
        "Apprise",
        &["mmosts://[<bot name>@]host[:port][/path]/<token>[?channel=<channel>]"],
        chat::mmost,
    ),
    sch(
        "mattermost",
        "mattermost",
        "shoutrrr",
        &["mattermost://[<user name>@]host[:port]/<token>[/<channel>]"],
        chat::mattermost_shoutrrr,
    ),
    sch(
        "rocket",
        "rocketchat",
        "Apprise",
        &["rocket://<webhook id%2Ftoken>@host[:port]"],
        chat::rocket,
    ),
    sch(
        "rockets",
        "rocketchat",
        "Apprise",
        &["rockets://<webhook id%2Ftoken>@host[:port]"],
        chat::rocket,
    ),
    sch(
        "rocketchat",
        "rocketchat",
        "shoutrrr",
        &["rocketchat://host[:port]/<token A>/<token B>"],
        chat::rocketchat_shoutrrr,
    ),
    sch(
        "zulip",
        "zulip",
        "Apprise, shoutrrr",
        &[
            "zulip://<bot name>@<organization>/<api key>[/<stream>]",
            "zulip://<bot email>:<api key>@<host>/?stream=<stream>&topic=<topic> (shoutrrr)",
        ],
        chat::zulip,
    ),
    sch(
        "matrix",
        "matrix",
        "Apprise, shoutrrr",
        &[
            "matrix://<access token>@host[:port]/<room>",
            "matrix://:<access token>@host[:port]/?rooms=<room> (shoutrrr)",
        ],
        chat::matrix,
    ),
    sch(
        "matrixs",
        "matrix",
        "Apprise",
        &["matrixs://<access token>@host[:port]/<room>"],
        chat::matrix,
    ),
    sch(
        "ntfy",
        "ntfy",
        "Apprise, shoutrrr",
        &[
            "ntfy://<topic>",
            "ntfy://[<user name>:<password>@]host[:port]/<topic>",
            "ntfy://<tk_ access token>@host/<topic>",
        ],
        push::ntfy,
    ),
    sch(
        "ntfys",
        "ntfy",
        "Apprise",
        &["ntfys://[<user name>:<password>@]host[:port]/<topic>"],
        push::ntfy,
    ),
    sch(
        "gotify",
        "gotify",
        "Apprise, shoutrrr",
        &["gotify://host[:port][/path]/<token>"],
        push::gotify,
    ),
    sch(
        "gotifys",
        "gotify",
        "Apprise",
        &["gotifys://host[:port][/path]/<token>"],
        push::gotify,
    ),
    sch(
        "bark",
        "bark",
        "Apprise, shoutrrr",
        &[
            "bark://host[:port]/<device key>",
            "bark://<device key>@host[:port] (shoutrrr)",
        ],
        push::bark,
    ),
    sch(
        "barks",
        "bark",
        "Apprise",
        &["barks://host[:port]/<device key>"],
        push::bark,
    ),
    sch(
        "pover",
        "pushover",
        "Apprise",
        &["pover://<user key>@<app token>[/<device>]"],
        push::pover,
    ),
    sch(
        "pushover",
        "pushover",
        "shoutrrr",
        &["pushover://shoutrrr:<app token>@<user key>/[?devices=<device>]"],
        push::pushover_shoutrrr,
    ),
    sch(
        "tgram",
        "telegram",
        "Apprise",
        &["tgram://<bot token>/<chat id>"],
        push::tgram,
    ),
    sch(
        "telegram",
        "telegram",
        "shoutrrr",
        &["telegram://<bot token>@telegram?chats=<chat id>"],
        push::telegram_shoutrrr,
    ),
    sch(
        "twilio",
        "twilio",
        "Apprise",
        &["twilio://<account sid>:<auth token>@<from phone>/<to phone>[/<to phone>...]"],
        push::twilio,
    ),
    sch(
        "signal",
        "signal",
        "Apprise",
        &["signal://[<user name>:<password>@]host[:port]/<from phone>/<to>[/<to>...]"],
        push::signal,
    ),
    sch(
        "signals",
        "signal",
        "Apprise",
        &["signals://[<user name>:<password>@]host[:port]/<from phone>/<to>[/<to>...]"],
        push::signal,
    ),
    sch(
        "apprise",
        "apprise",
        "Apprise",
        &["apprise://[<user name>:<password>@]host[:port][/path]/<config key>[?tags=<tag>]"],
        push::apprise,
    ),
    sch(
        "apprises",
        "apprise",
        "Apprise",
        &["apprises://[<user name>:<password>@]host[:port][/path]/<config key>[?tags=<tag>]"],
        push::apprise,
    ),
    sch(
        "pagerduty",
        "pagerduty",
        "Apprise",
        &["pagerduty://<integration key>@<api key>[?region=us|eu&severity=<severity>]"],
        push::pagerduty,
    ),
    sch(
        "hc",
        "healthchecks",
        "bnotify",
        &[
            "hc://<uuid>",
            "hc://<ping key>/<slug>",
            "hc://host[:port]/ping/<uuid>",
        ],
        push::healthchecks,
    ),
    sch(
        "hcs",
        "healthchecks",
        "bnotify",
        &["hcs://host[:port]/ping/<uuid>"],
        push::healthchecks,
    ),
    sch(
        "healthchecks",
        "healthchecks",
        "bnotify",
        &[
            "healthchecks://<uuid>",
            "healthchecks://host[:port]/ping/<uuid>",
        ],
        push::healthchecks,
    ),
    sch(
        "mailto",
        "email",
        "Apprise",
        &["mailto://<user name>:<password>@host[:port]?to=<address>[,<address>...]"],
        push::mailto,
    ),
    sch(
        "mailtos",
        "email",
        "Apprise",
        &["mailtos://<user name>:<password>@host[:port]?to=<address>[,<address>...]"],
        push::mailto,
    ),
    sch(
        "smtp",
        "email",
        "shoutrrr",
        &["smtp://<user name>:<password>@host:port/?from=<address>&to=<address>[,<address>...]"],
        push::smtp,
    ),
];

const fn sch(
    scheme: &'static str,
    kind: &'static str,
    origin: &'static str,
    syntax: &'static [&'static str],
    parse: fn(&mut Parts) -> Result<Built, Problem>,
) -> Scheme {
    Scheme {
        scheme,
        kind,
        origin,
        syntax,
        parse,
    }
}

/// A string value.
pub(super) fn s(v: impl Into<String>) -> Value {
    Value::String(v.into())
}

/// Keys from pairs.
pub(super) fn keys<const N: usize>(pairs: [(&str, Value); N]) -> Map<String, Value> {
    pairs.into_iter().map(|(k, v)| (k.to_string(), v)).collect()
}

/// The first `n` characters of a public id, for a default name.
pub(super) fn short(id: &str, n: usize) -> String {
    id.chars().take(n).collect()
}

/// `kind-host[-port]` for a default name.
pub(super) fn host_name(kind: &str, p: &Parts) -> Result<String, Problem> {
    let (host, port) = p.host_port()?;
    let host = host.trim_matches(['[', ']']).replace(':', "-");
    Ok(match port {
        Some(port) => format!("{kind}-{host}-{port}"),
        None => format!("{kind}-{host}"),
    })
}

/// Exactly `n` path segments.
pub(super) fn segments(p: &Parts, n: usize, what: &str) -> Result<Vec<String>, Problem> {
    match p.path.len() {
        x if x == n => Ok(p.path.clone()),
        x if x < n => Err(format!("{what} is missing").into()),
        _ => Err(format!("too many path parts (expected {what})").into()),
    }
}

/// At most one target: bnotify sends one endpoint to one place.
pub(super) fn single(list: Vec<String>, what: &str) -> Result<Option<String>, Problem> {
    if list.len() > 1 {
        return Err(format!(
            "it names {} {what}s; an endpoint sends to one (write one URL per {what})",
            list.len()
        )
        .into());
    }
    Ok(list.into_iter().next())
}

/// Reject a part bnotify's channel has no key for, rather than drop it unseen.
pub(super) fn unsupported(what: &str, kind: &str) -> Problem {
    format!("{what} is not supported by bnotify's {kind} endpoint").into()
}

/// Percent-encode what cannot stand in a path segment or query value.
pub(super) fn encode_segment(v: &str) -> String {
    use percent_encoding::{utf8_percent_encode, AsciiSet, CONTROLS};
    const SET: &AsciiSet = &CONTROLS
        .add(b' ')
        .add(b'"')
        .add(b'#')
        .add(b'%')
        .add(b'/')
        .add(b'?')
        .add(b'&')
        .add(b'=')
        .add(b'@')
        .add(b':')
        .add(b'<')
        .add(b'>');
    utf8_percent_encode(v, SET).to_string()
}
