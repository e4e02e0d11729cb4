//! The schemes of webhooks and chat services.

use serde_json::{Map, Value};

use super::schemes::{encode_segment, host_name, keys, s, segments, short, single, unsupported};
use super::{Built, Parts, Problem};

/// Apprise wiki `Notify_Custom_JSON` / `Notify_Custom_Form`: `json(s)://[user:pass@]host[:port]/path`,
/// `?method=`, `+Header=value`, `-param=value`. bnotify posts its own event (SPEC §3), not
/// Apprise's `{version, title, message, type}`; `form://` does the same.
pub(super) fn json(p: &mut Parts) -> Result<Built, Problem> {
    let tls = p.scheme.ends_with('s');
    let mut url = p.base(tls)?;
    if p.user.is_some() {
        let scheme_end = url.find("://").map_or(0, |i| i + 3);
        let info = userinfo(p);
        url.insert_str(scheme_end, &format!("{info}@"));
    }
    for seg in &p.path {
        url.push('/');
        url.push_str(&encode_segment(seg));
    }
    if p.path.is_empty() {
        url.push('/');
    }
    let params = p.take_params();
    if !params.is_empty() {
        let q: Vec<String> = params
            .iter()
            .map(|(k, v)| format!("{}={}", encode_segment(k), encode_segment(v)))
            .collect();
        url.push('?');
        url.push_str(&q.join("&"));
    }
    let mut k = keys([("url", s(url))]);
    if let Some(m) = p.take(&["method"]) {
        k.insert("method".into(), s(m.to_ascii_uppercase()));
    }
    let headers = p.take_headers();
    if !headers.is_empty() {
        k.insert("headers".into(), Value::Object(headers));
    }
    Ok((k, host_name("webhook", p)?))
}

/// `user[:password]`, encoded again for a URL.
fn userinfo(p: &Parts) -> String {
    let user = encode_segment(p.user.as_deref().unwrap_or(""));
    match &p.password {
        Some(pw) => format!("{user}:{}", encode_segment(pw)),
        None => user,
    }
}

/// Apprise wiki `Notify_discord`: `discord://[<bot name>@]<id>/<token>`, `?avatar_url=`;
/// shoutrrr `docs/services/discord.md`: `discord://<token>@<id>`, `?username=`.
pub(super) fn discord(p: &mut Parts) -> Result<Built, Problem> {
    let id = p.authority_value();
    let (token, username) = match p.path.as_slice() {
        [token] => (token.clone(), p.user.clone()),
        [] => match &p.user {
            Some(t) => (t.clone(), None),
            None => return Err("the webhook token is missing".into()),
        },
        _ => return Err("too many path parts".into()),
    };
    if id.is_empty() {
        return Err("the webhook id is missing".into());
    }
    let mut k = keys([(
        "url",
        s(format!("https://discord.com/api/webhooks/{id}/{token}")),
    )]);
    if let Some(u) = username.or_else(|| p.take(&["username", "botname"])) {
        k.insert("username".into(), s(u));
    }
    if let Some(a) = p.take(&["avatar_url", "avatar"]) {
        if a.contains("://") {
            k.insert("avatar_url".into(), s(a));
        }
    }
    Ok((k, format!("discord-{}", short(&id, 6))))
}

/// Apprise wiki `Notify_slack`: `slack://[<bot name>@]<T>/<B>/<X>[/#channel]` (an incoming
/// webhook; bnotify's slack endpoint posts to the webhook's own channel, so a bot name or
/// channel is refused); shoutrrr `docs/services/slack.md`: `slack://hook:<T>-<B>-<X>@webhook`.
pub(super) fn slack(p: &mut Parts) -> Result<Built, Problem> {
    let tokens: Vec<String> = if p.user.as_deref() == Some("hook") {
        let t = p.password.clone().unwrap_or_default();
        t.split('-').map(str::to_string).collect()
    } else if p.password.is_some() {
        return Err("bnotify's slack endpoint uses an incoming webhook, not a bot token".into());
    } else {
        if p.user.is_some() {
            return Err(unsupported("a bot name", "slack"));
        }
        let mut t = vec![p.authority_value()];
        t.extend(p.path.iter().cloned());
        t
    };
    if tokens.iter().any(|t| t.starts_with('#')) {
        return Err(unsupported("a channel", "slack"));
    }
    let [a, b, c] = tokens.as_slice() else {
        return Err(format!("expected 3 webhook tokens, found {}", tokens.len()).into());
    };
    if [a, b, c].iter().any(|t| t.is_empty()) {
        return Err("a webhook token is empty".into());
    }
    let url = format!("https://hooks.slack.com/services/{a}/{b}/{c}");
    Ok((keys([("url", s(url))]), format!("slack-{}", short(a, 6))))
}

/// Apprise wiki `Notify_msteams`: `msteams://<team>/<A>/<B>/<C>` names an Office 365
/// connector (`https://<team>.webhook.office.com/webhookb2/...`); Microsoft retired those
/// and Teams no longer delivers to them, so the URL is refused with the way out.
pub(super) fn msteams(_: &mut Parts) -> Result<Built, Problem> {
    Err(RETIRED.into())
}

const RETIRED: &str =
    "it names a retired Office 365 connector, which Teams no longer delivers to; \
    in Teams, create a Workflows webhook and write workflows://<host>/<workflow id>/<signature>";

/// Apprise wiki `Notify_workflows` (Power Automate): `workflows://<host>[:port]/<workflow>/<signature>`
/// → `https://<host>/workflows/<workflow>/triggers/manual/paths/invoke?api-version=2016-06-01&sp=...&sv=1.0&sig=<signature>`.
pub(super) fn workflows(p: &mut Parts) -> Result<Built, Problem> {
    let seg = segments(p, 2, "the workflow id and signature")?;
    let version = p
        .take(&["api-version", "ver"])
        .unwrap_or_else(|| "2016-06-01".into());
    let url = format!(
        "{}/workflows/{}/triggers/manual/paths/invoke?api-version={version}&sp=%2Ftriggers%2Fmanual%2Frun&sv=1.0&sig={}",
        p.base(true)?,
        seg[0],
        encode_segment(&seg[1])
    );
    Ok((keys([("url", s(url))]), host_name("teams", p)?))
}

/// shoutrrr `docs/services/teams.md`: `teams://<group>@<tenant>/<altId>/<groupOwner>?host=...`
/// is the same retired connector (see [`msteams`]).
pub(super) fn teams_shoutrrr(_: &mut Parts) -> Result<Built, Problem> {
    Err(RETIRED.into())
}

/// Apprise wiki `Notify_googlechat`: `gchat://<space>/<key>/<token>` →
/// `https://chat.googleapis.com/v1/spaces/<space>/messages?key=<key>&token=<token>`; the
/// space id keeps its case.
pub(super) fn gchat(p: &mut Parts) -> Result<Built, Problem> {
    let space = p.authority_value();
    let seg = segments(p, 2, "the key and token")?;
    if space.is_empty() {
        return Err("the space id is missing".into());
    }
    Ok((
        gchat_keys(&space, &seg[0], &seg[1]),
        format!("googlechat-{}", short(&space, 6)),
    ))
}

fn gchat_keys(space: &str, key: &str, token: &str) -> Map<String, Value> {
    let url = format!(
        "https://chat.googleapis.com/v1/spaces/{space}/messages?key={}&token={}",
        encode_segment(key),
        encode_segment(token)
    );
    keys([("url", s(url))])
}

/// shoutrrr `docs/services/googlechat.md`: the webhook URL with `googlechat://` (or the
/// older `hangouts://`) in place of `https://`.
pub(super) fn googlechat(p: &mut Parts) -> Result<Built, Problem> {
    let space = match p.path.as_slice() {
        [v1, spaces, space, messages]
            if v1 == "v1" && spaces == "spaces" && messages == "messages" =>
        {
            space.clone()
        }
        _ => return Err("the path must be /v1/spaces/<space>/messages".into()),
    };
    let key = p.take(&["key"]).ok_or("the key option is missing")?;
    let token = p.take(&["token"]).ok_or("the token option is missing")?;
    Ok((
        gchat_keys(&space, &key, &token),
        format!("googlechat-{}", short(&space, 6)),
    ))
}

/// Apprise wiki `Notify_mattermost`: `mmost(s)://[<bot name>@]host[:port][/path]/<token>`,
/// `?channel=` (or a `#channel` part) → `<base>[/path]/hooks/<token>`.
pub(super) fn mmost(p: &mut Parts) -> Result<Built, Problem> {
    let tls = p.scheme == "mmosts";
    let mut path = p.path.clone();
    let mut channels: Vec<String> = Vec::new();
    path.retain(|s| match s.strip_prefix('#') {
        Some(c) => {
            channels.push(c.to_string());
            false
        }
        None => true,
    });
    channels.extend(p.take_list(&["channel", "channels", "to"]));
    let token = path.pop().ok_or("the webhook token is missing")?;
    let mut url = p.base(tls)?;
    for seg in &path {
        url.push('/');
        url.push_str(seg);
    }
    url.push_str("/hooks/");
    url.push_str(&token);
    mattermost_keys(p, url, p.user.clone(), single(channels, "channel")?)
}

fn mattermost_keys(
    p: &mut Parts,
    url: String,
    user: Option<String>,
    channel: Option<String>,
) -> Result<Built, Problem> {
    let mut k = keys([("url", s(url))]);
    if let Some(u) = user.or_else(|| p.take(&["username", "botname"])) {
        k.insert("username".into(), s(u));
    }
    if let Some(c) = channel {
        k.insert("channel".into(), s(c.trim_start_matches('#')));
    }
    if let Some(i) = p.take(&["icon_url", "icon", "image_url"]) {
        k.insert("icon_url".into(), s(i));
    }
    Ok((k, host_name("mattermost", p)?))
}

/// shoutrrr `docs/services/mattermost.md`: `mattermost://[<user name>@]host[:port]/<token>[/<channel>]`
/// (HTTPS unless `?disabletls=yes`).
pub(super) fn mattermost_shoutrrr(p: &mut Parts) -> Result<Built, Problem> {
    let tls = !p.take_flag(&["disabletls"]).unwrap_or(false);
    let (token, channel) = match p.path.as_slice() {
        [t] => (t.clone(), None),
        [t, c] => (t.clone(), Some(c.clone())),
        [] => return Err("the webhook token is missing".into()),
        _ => return Err("too many path parts".into()),
    };
    let url = format!("{}/hooks/{token}", p.base(tls)?);
    mattermost_keys(p, url, p.user.clone(), channel)
}

/// Apprise wiki `Notify_rocketchat`, webhook mode: `rocket(s)://<webhook>@host[:port]` →
/// `<base>/hooks/<webhook>` (the webhook is `<id>/<token>`, its `/` written as `%2F`). Basic
/// mode (user and password) and channel overrides are refused: bnotify's rocketchat
/// endpoint is an incoming webhook.
pub(super) fn rocket(p: &mut Parts) -> Result<Built, Problem> {
    if p.password.is_some() {
        return Err(
            "bnotify's rocketchat endpoint uses an incoming webhook, not a user and password"
                .into(),
        );
    }
    let hook = p.user.clone().ok_or("the webhook is missing")?;
    if !p.path.is_empty() {
        return Err(unsupported("a channel or room", "rocketchat"));
    }
    p.take(&["mode"]);
    let url = format!("{}/hooks/{hook}", p.base(p.scheme == "rockets")?);
    Ok((keys([("url", s(url))]), host_name("rocketchat", p)?))
}

/// shoutrrr `docs/services/rocketchat.md`: `rocketchat://[<user name>@]host[:port]/<token A>/<token B>[/<channel>]`
/// (HTTPS) → `https://host/hooks/<A>/<B>`.
pub(super) fn rocketchat_shoutrrr(p: &mut Parts) -> Result<Built, Problem> {
    if p.user.is_some() {
        return Err(unsupported("a user name", "rocketchat"));
    }
    let seg = segments(p, 2, "the two webhook tokens")?;
    let url = format!("{}/hooks/{}/{}", p.base(true)?, seg[0], seg[1]);
    Ok((keys([("url", s(url))]), host_name("rocketchat", p)?))
}

/// Apprise wiki `Notify_zulip`: `zulip://<bot name>@<organization>[.<host>]/<api key>[/<stream>]`
/// → site `https://<organization>.zulipchat.com` (or `<organization>.<host>`), bot email
/// `<botname>-bot@<site host>`, stream `general` when none is given, `?topic=`; a target
/// with `@` is a direct message. shoutrrr `docs/services/zulip.md`:
/// `zulip://<bot email>:<api key>@<host>/?stream=&topic=`.
pub(super) fn zulip(p: &mut Parts) -> Result<Built, Problem> {
    let host = p.host()?;
    let (site, email, key, targets) = match (p.user.clone(), p.password.clone()) {
        (Some(mail), Some(key)) if mail.contains('@') => {
            let t = p.take_list(&["stream"]);
            (
                host.clone(),
                mail,
                key,
                t.into_iter().map(|x| format!("#{x}")).collect(),
            )
        }
        (Some(bot), None) => {
            let site = if host.contains('.') {
                host.clone()
            } else {
                format!("{host}.zulipchat.com")
            };
            let bot = bot.strip_suffix("-bot").unwrap_or(&bot);
            let mut path = p.path.clone();
            if path.is_empty() {
                return Err("the api key is missing".into());
            }
            let key = path.remove(0);
            (site.clone(), format!("{bot}-bot@{site}"), key, path)
        }
        _ => return Err("the bot name is missing".into()),
    };
    let site = match p.host_port()?.1 {
        Some(port) => format!("https://{site}:{port}"),
        None => format!("https://{site}"),
    };
    let mut k = keys([
        ("url", s(site)),
        ("bot_email", s(email)),
        ("api_key", s(key)),
    ]);
    let (people, streams): (Vec<String>, Vec<String>) =
        targets.into_iter().partition(|t| t.contains('@'));
    let topic = p.take(&["topic"]);
    if !people.is_empty() {
        if !streams.is_empty() || topic.is_some() {
            return Err(
                "mix of a stream and people: an endpoint sends to a stream or to people".into(),
            );
        }
        k.insert(
            "to".into(),
            Value::Array(people.into_iter().map(s).collect()),
        );
    } else {
        let stream = single(streams, "stream")?.unwrap_or_else(|| "general".into());
        k.insert("stream".into(), s(stream.trim_start_matches('#')));
        if let Some(t) = topic {
            k.insert("topic".into(), s(t));
        }
    }
    Ok((
        k,
        format!("zulip-{}", host.split('.').next().unwrap_or(&host)),
    ))
}

/// Apprise wiki `Notify_matrix`, token mode: `matrix(s)://<access token>@host[:port]/<room>`
/// (a room without `#`/`!` is an alias; without `:server` it is on this host); shoutrrr
/// `docs/services/matrix.md`: `matrix://:<access token>@host[:port]/?rooms=<room>`
/// (HTTPS unless `?disabletls=yes`). Logging in with a user and password is refused:
/// bnotify's matrix endpoint takes an access token.
pub(super) fn matrix(p: &mut Parts) -> Result<Built, Problem> {
    let shoutrrr = p.has_query() && p.path.is_empty();
    let token = match (&p.user, &p.password) {
        (Some(t), None) | (None, Some(t)) => t.clone(),
        (Some(_), Some(_)) => {
            return Err(
                "bnotify's matrix endpoint takes an access token, not a user and password".into(),
            )
        }
        (None, None) => p
            .take(&["token", "access_token"])
            .ok_or("the access token is missing")?,
    };
    let mut rooms = p.path.clone();
    rooms.extend(p.take_list(&["rooms", "room", "to"]));
    let room = single(rooms, "room")?.ok_or("the room is missing")?;
    let host = p.host()?;
    let mut room = if room.starts_with(['#', '!', '@']) {
        room
    } else {
        format!("#{room}")
    };
    if !room.contains(':') {
        room = format!("{room}:{host}");
    }
    let tls = match p.take_flag(&["disabletls"]) {
        Some(off) => !off,
        None => p.scheme == "matrixs" || shoutrrr,
    };
    p.take(&["mode", "msgtype"]);
    let k = keys([
        ("url", s(p.base(tls)?)),
        ("access_token", s(token)),
        ("room", s(room)),
    ]);
    Ok((k, host_name("matrix", p)?))
}
