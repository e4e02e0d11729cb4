//! The schemes of push, phone, monitoring and mail services.

use serde_json::Value;

use super::schemes::{host_name, keys, s, single, unsupported};
use super::{Built, Parts, Problem};

/// A whole number option.
fn number(p: &mut Parts, names: &[&str]) -> Result<Option<i64>, Problem> {
    match p.take(names) {
        None => Ok(None),
        Some(v) => v
            .parse::<i64>()
            .map(Some)
            .map_err(|_| format!("option \"{}\" must be a whole number", names[0]).into()),
    }
}

/// `+` before a phone number written with digits only (Apprise does the same).
fn phone(n: &str) -> String {
    if !n.is_empty() && n.chars().all(|c| c.is_ascii_digit()) {
        format!("+{n}")
    } else {
        n.to_string()
    }
}

/// Apprise wiki `Notify_ntfy`: `ntfy://<topic>` (one part: that topic on ntfy.sh, HTTPS),
/// `ntfy(s)://[user:password@]host[:port]/<topic>` (`ntfy://` plain HTTP, `ntfys://` TLS),
/// `ntfy://<tk_token>@host/<topic>`, `?token=`/`?auth=`, `?priority=`, `?tags=`; shoutrrr
/// `docs/services/ntfy.md`: `ntfy://:<token>@host/<topic>`, `?scheme=http|https`.
pub(super) fn ntfy(p: &mut Parts) -> Result<Built, Problem> {
    let mut k = serde_json::Map::new();
    let name;
    let topic = if p.path.is_empty() && p.user.is_none() {
        name = "ntfy-ntfy.sh".to_string();
        p.authority_value()
    } else {
        let tls = match p.take(&["scheme"]) {
            Some(sc) => sc.eq_ignore_ascii_case("https"),
            None => p.scheme == "ntfys",
        };
        k.insert("url".into(), s(p.base(tls)?));
        name = host_name("ntfy", p)?;
        single(p.path.clone(), "topic")?.ok_or("the topic is missing")?
    };
    if topic.is_empty() {
        return Err("the topic is missing".into());
    }
    k.insert("topic".into(), s(topic));
    match (&p.user, &p.password) {
        (Some(u), None) if u.starts_with("tk_") => {
            k.insert("token".into(), s(u.clone()));
        }
        (None, Some(t)) => {
            k.insert("token".into(), s(t.clone()));
        }
        (Some(u), Some(pw)) => {
            k.insert("user".into(), s(u.clone()));
            k.insert("password".into(), s(pw.clone()));
        }
        (Some(_), None) => return Err("a user needs a password (user:password@)".into()),
        (None, None) => {}
    }
    if let Some(t) = p.take(&["token", "auth"]) {
        k.insert("token".into(), s(t));
    }
    if let Some(pr) = p.take(&["priority", "prio"]) {
        let n = match pr.to_ascii_lowercase().as_str() {
            "min" | "1" => 1,
            "low" | "2" => 2,
            "default" | "normal" | "3" => 3,
            "high" | "4" => 4,
            "max" | "urgent" | "emergency" | "5" => 5,
            _ => return Err("priority must be min, low, default, high, max or 1 to 5".into()),
        };
        k.insert("priority".into(), Value::from(n));
    }
    let tags = p.take_list(&["tags", "tag"]);
    if !tags.is_empty() {
        k.insert(
            "tags".into(),
            Value::Array(tags.into_iter().map(s).collect()),
        );
    }
    p.take(&["mode"]);
    Ok((k, name))
}

/// Apprise wiki `Notify_gotify`: `gotify(s)://host[:port][/path]/<token>`, `?priority=`
/// (low 1, moderate 3, normal 5, high 8, emergency 10, or a number); shoutrrr
/// `docs/services/gotify.md`: `gotify://host/<token>`, `?disabletls=yes`.
pub(super) fn gotify(p: &mut Parts) -> Result<Built, Problem> {
    let mut path = p.path.clone();
    let token = path.pop().ok_or("the application token is missing")?;
    let tls = p.scheme == "gotifys" && !p.take_flag(&["disabletls"]).unwrap_or(false);
    let mut url = p.base(tls)?;
    for seg in &path {
        url.push('/');
        url.push_str(seg);
    }
    let mut k = keys([("url", s(url)), ("token", s(token))]);
    if let Some(pr) = p.take(&["priority"]) {
        let n: u8 = match pr.to_ascii_lowercase().as_str() {
            "low" => 1,
            "moderate" => 3,
            "normal" => 5,
            "high" => 8,
            "emergency" => 10,
            x => x.parse().map_err(|_| {
                "priority must be low, moderate, normal, high, emergency or 0 to 10".to_string()
            })?,
        };
        k.insert("priority".into(), Value::from(n));
    }
    Ok((k, host_name("gotify", p)?))
}

/// Apprise wiki `Notify_bark`: `bark(s)://host[:port]/<device key>`, `?sound=`, `?level=`,
/// `?group=`, `?icon=`, `?click=`, `?badge=`; shoutrrr `docs/services/bark.md`:
/// `bark://<device key>@host[:port][/path]` (HTTPS unless `?scheme=http`).
pub(super) fn bark(p: &mut Parts) -> Result<Built, Problem> {
    let (tls, key, path) = match p.user.clone() {
        Some(key) => {
            let tls = p
                .take(&["scheme"])
                .is_none_or(|x| x.eq_ignore_ascii_case("https"));
            (tls, key, p.path.clone())
        }
        None => {
            let key = single(p.path.clone(), "device key")?.ok_or("the device key is missing")?;
            (p.scheme == "barks", key, Vec::new())
        }
    };
    let mut url = p.base(tls)?;
    for seg in &path {
        url.push('/');
        url.push_str(seg);
    }
    url.push_str("/push");
    let mut k = keys([("url", s(url)), ("device_key", s(key))]);
    for (opt, key) in [
        ("sound", "sound"),
        ("level", "level"),
        ("group", "group"),
        ("icon", "icon"),
        ("click", "click_url"),
        ("url", "click_url"),
    ] {
        if let Some(v) = p.take(&[opt]) {
            k.insert(key.into(), s(v));
        }
    }
    if let Some(b) = number(p, &["badge"])? {
        k.insert("badge".into(), Value::from(b));
    }
    Ok((k, host_name("bark", p)?))
}

/// Apprise priority names for Pushover.
fn pushover_priority(p: &mut Parts) -> Result<Option<i64>, Problem> {
    Ok(match p.take(&["priority"]) {
        None => None,
        Some(v) => Some(match v.to_ascii_lowercase().as_str() {
            "lowest" | "-2" => -2,
            "low" | "-1" => -1,
            "normal" | "0" => 0,
            "high" | "1" => 1,
            "emergency" | "2" => 2,
            _ => {
                return Err(
                    "priority must be lowest, low, normal, high, emergency or -2 to 2".into(),
                )
            }
        }),
    })
}

fn pushover_keys(
    p: &mut Parts,
    token: String,
    user: String,
    devices: Vec<String>,
) -> Result<Built, Problem> {
    if token.is_empty() || user.is_empty() {
        return Err("the user key or app token is missing".into());
    }
    let mut k = keys([("token", s(token)), ("user", s(user))]);
    if !devices.is_empty() {
        k.insert("device".into(), s(devices.join(",")));
    }
    if let Some(pr) = pushover_priority(p)? {
        k.insert("priority".into(), Value::from(pr));
    }
    for (opt, key) in [("sound", "sound"), ("url", "click_url")] {
        if let Some(v) = p.take(&[opt]) {
            k.insert(key.into(), s(v));
        }
    }
    for opt in ["retry", "expire"] {
        if let Some(v) = number(p, &[opt])? {
            k.insert(opt.into(), s(format!("{v}s")));
        }
    }
    Ok((k, "pushover".to_string()))
}

/// Apprise wiki `Notify_pushover`: `pover://<user key>@<app token>[/<device>...]`,
/// `?priority=`, `?sound=`, `?url=`, `?retry=`, `?expire=` (seconds).
pub(super) fn pover(p: &mut Parts) -> Result<Built, Problem> {
    let user = p.user.clone().ok_or("the user key is missing")?;
    let token = p.authority_value();
    let mut devices = p.path.clone();
    devices.extend(p.take_list(&["to"]));
    pushover_keys(p, token, user, devices)
}

/// shoutrrr `docs/services/pushover.md`: `pushover://shoutrrr:<app token>@<user key>/?devices=a,b`.
pub(super) fn pushover_shoutrrr(p: &mut Parts) -> Result<Built, Problem> {
    let token = p
        .password
        .clone()
        .ok_or("the app token (after \"shoutrrr:\") is missing")?;
    let user = p.authority_value();
    let devices = p.take_list(&["devices", "device"]);
    p.take(&["title"]);
    pushover_keys(p, token, user, devices)
}

fn telegram_keys(p: &mut Parts, token: String, chat: String) -> Result<Built, Problem> {
    if !token.contains(':') {
        return Err("the bot token (<digits>:<secret>) is missing".into());
    }
    let chat_value = match chat.parse::<i64>() {
        Ok(n) => Value::from(n),
        Err(_) => s(chat.clone()),
    };
    let mut k = keys([("bot_token", s(token)), ("chat_id", chat_value)]);
    if let Some(t) = number(p, &["topic", "thread", "thread_id"])? {
        k.insert("thread_id".into(), Value::from(t));
    }
    if let Some(m) = p.take(&["parsemode", "parse_mode"]) {
        k.insert("parse_mode".into(), s(m));
    }
    p.take(&["preview", "notification", "silent", "content"]);
    Ok((
        k,
        format!("telegram-{}", chat.trim_start_matches(['@', '-'])),
    ))
}

/// Apprise wiki `Notify_telegram`: `tgram://<bot token>/<chat id>` (the token's `:` is not
/// a port; a leading `bot` is dropped), `?topic=` (thread).
pub(super) fn tgram(p: &mut Parts) -> Result<Built, Problem> {
    let raw = p.authority_value();
    let token = match raw.strip_prefix("bot") {
        Some(t) if t.starts_with(|c: char| c.is_ascii_digit()) => t.to_string(),
        _ => raw,
    };
    let mut chats = p.path.clone();
    chats.extend(p.take_list(&["to"]));
    let chat = single(chats, "chat")?.ok_or("the chat id is missing")?;
    telegram_keys(p, token, chat)
}

/// shoutrrr `docs/services/telegram.md`: `telegram://<bot token>@telegram?chats=<chat>`
/// (older `?channels=`).
pub(super) fn telegram_shoutrrr(p: &mut Parts) -> Result<Built, Problem> {
    let token = match (&p.user, &p.password) {
        (Some(a), Some(b)) => format!("{a}:{b}"),
        _ => return Err("the bot token is missing".into()),
    };
    let chats = p.take_list(&["chats", "channels"]);
    let chat = single(chats, "chat")?.ok_or("the chats option is missing")?;
    telegram_keys(p, token, chat)
}

/// Apprise wiki `Notify_twilio`: `twilio://<account sid>:<auth token>@<from>/<to>[/<to>...]`.
pub(super) fn twilio(p: &mut Parts) -> Result<Built, Problem> {
    let (Some(sid), Some(token)) = (p.user.clone(), p.password.clone()) else {
        return Err("the account sid and auth token are missing".into());
    };
    let from = phone(&p.authority_value());
    let mut to: Vec<String> = p.path.iter().map(|n| phone(n)).collect();
    to.extend(p.take_list(&["to"]).iter().map(|n| phone(n)));
    if to.is_empty() {
        return Err("no phone number to send to".into());
    }
    let digits: String = from.chars().filter(char::is_ascii_digit).collect();
    let k = keys([
        ("account_sid", s(sid)),
        ("auth_token", s(token)),
        ("from", s(from)),
        ("to", Value::Array(to.into_iter().map(s).collect())),
    ]);
    Ok((
        k,
        format!("twilio-{}", &digits[digits.len().saturating_sub(4)..]),
    ))
}

/// Apprise wiki `Notify_signal`: `signal(s)://[user:password@]host[:port]/<from>/<to>[/<to>...]`
/// (signal-cli-rest-api; `signal://` plain HTTP).
pub(super) fn signal(p: &mut Parts) -> Result<Built, Problem> {
    let mut url = p.base(p.scheme == "signals")?;
    if p.user.is_some() {
        let end = url.find("://").map_or(0, |i| i + 3);
        let info = format!(
            "{}:{}@",
            super::schemes::encode_segment(p.user.as_deref().unwrap_or("")),
            super::schemes::encode_segment(p.password.as_deref().unwrap_or(""))
        );
        url.insert_str(end, &info);
    }
    let mut path: Vec<String> = p.path.iter().map(|n| phone(n)).collect();
    if path.is_empty() {
        return Err("the sender's phone number is missing".into());
    }
    let from = path.remove(0);
    path.extend(p.take_list(&["to"]).iter().map(|n| phone(n)));
    if path.is_empty() {
        return Err("no recipient".into());
    }
    let k = keys([
        ("url", s(url)),
        ("number", s(from)),
        (
            "recipients",
            Value::Array(path.into_iter().map(s).collect()),
        ),
    ]);
    Ok((k, host_name("signal", p)?))
}

/// Apprise wiki `Notify_apprise_api`: `apprise(s)://[user:password@]host[:port][/path]/<key>`,
/// `?tags=`.
pub(super) fn apprise(p: &mut Parts) -> Result<Built, Problem> {
    let mut path = p.path.clone();
    let key = path.pop().ok_or("the configuration key is missing")?;
    let mut url = p.base(p.scheme == "apprises")?;
    if p.user.is_some() {
        let end = url.find("://").map_or(0, |i| i + 3);
        let info = format!(
            "{}:{}@",
            super::schemes::encode_segment(p.user.as_deref().unwrap_or("")),
            super::schemes::encode_segment(p.password.as_deref().unwrap_or(""))
        );
        url.insert_str(end, &info);
    }
    for seg in &path {
        url.push('/');
        url.push_str(seg);
    }
    let mut k = keys([("url", s(url)), ("key", s(key))]);
    let tags = p.take_list(&["tags", "tag"]);
    if !tags.is_empty() {
        k.insert("tag".into(), s(tags.join(",")));
    }
    Ok((k, host_name("apprise", p)?))
}

/// Apprise wiki `Notify_pagerduty`: `pagerduty://<integration key>@<api key>[/<source>/<component>]`,
/// `?region=us|eu`, `?severity=`; the integration key is the Events v2 routing key.
pub(super) fn pagerduty(p: &mut Parts) -> Result<Built, Problem> {
    let key = p.user.clone().ok_or("the integration key is missing")?;
    let mut k = keys([("routing_key", s(key))]);
    match p
        .take(&["region"])
        .as_deref()
        .map(str::to_ascii_lowercase)
        .as_deref()
    {
        None | Some("us") => {}
        Some("eu") => {
            k.insert("api_url".into(), s("https://events.eu.pagerduty.com"));
        }
        Some(_) => return Err("region must be us or eu".into()),
    }
    if let Some(sev) = p.take(&["severity"]) {
        k.insert("severity".into(), s(sev.to_ascii_lowercase()));
    }
    p.take(&["source", "component", "group", "class", "click", "image"]);
    Ok((k, "pagerduty".to_string()))
}

/// bnotify's own (Apprise and shoutrrr have no healthchecks scheme): `hc://<uuid>` and
/// `hc://<ping key>/<slug>` ping hc-ping.com over HTTPS; with a host (a name with a dot,
/// a port, or `localhost`), `hc://host[:port]/<path>` is the ping URL over HTTP, `hcs://`
/// over HTTPS.
pub(super) fn healthchecks(p: &mut Parts) -> Result<Built, Problem> {
    let first = p.authority_value();
    let is_host = first.contains(['.', ':', '[']) || first == "localhost";
    let (url, name) = if is_host {
        if p.path.is_empty() {
            return Err("the ping path (/ping/<uuid>) is missing".into());
        }
        let mut url = p.base(p.scheme == "hcs")?;
        for seg in &p.path {
            url.push('/');
            url.push_str(seg);
        }
        (url, host_name("healthchecks", p)?)
    } else {
        if p.scheme == "hcs" {
            return Err("hcs:// needs a host; write hc://<uuid> for hc-ping.com".into());
        }
        let mut url = format!("https://hc-ping.com/{first}");
        match p.path.as_slice() {
            [] => {}
            [slug] => {
                url.push('/');
                url.push_str(slug);
            }
            _ => return Err("too many path parts".into()),
        }
        (url, "healthchecks".to_string())
    };
    Ok((keys([("url", s(url))]), name))
}

fn email_keys(
    p: &mut Parts,
    crypto: &str,
    from: String,
    to: Vec<String>,
    smtp_user: Option<String>,
) -> Result<Built, Problem> {
    let (host, port) = p.host_port()?;
    let mut k = keys([
        ("smtp_host", s(host)),
        ("smtp_crypto", s(crypto)),
        ("from", s(from.clone())),
    ]);
    if let Some(port) = port {
        k.insert("smtp_port".into(), Value::from(port));
    }
    if let Some(u) = smtp_user {
        k.insert("smtp_user".into(), s(u));
        if let Some(pw) = &p.password {
            k.insert("smtp_password".into(), s(pw.clone()));
        }
    }
    let to = if to.is_empty() {
        vec![address_of(&from)]
    } else {
        to
    };
    k.insert(
        "destinations".into(),
        Value::Array(to.into_iter().map(s).collect()),
    );
    Ok((k, host_name("email", p)?))
}

/// `Name <a@b>` → `a@b`.
fn address_of(from: &str) -> String {
    match (from.rfind('<'), from.rfind('>')) {
        (Some(a), Some(b)) if a < b => from[a + 1..b].to_string(),
        _ => from.to_string(),
    }
}

/// Apprise wiki `Notify_email`: `mailto(s)://user:password@host[:port]` with `?to=`
/// (or `/<to>` parts), `?from=`, `?name=`, `?smtp=` (server, when it is not the host),
/// `?user=`, `?mode=ssl|starttls`. `mailto://` is plain SMTP (port 25), `mailtos://` is TLS:
/// STARTTLS, or implicit TLS on port 465 or with `?mode=ssl`. The sender defaults to
/// `user@host`, the recipient to the sender.
pub(super) fn mailto(p: &mut Parts) -> Result<Built, Problem> {
    let (host, port) = p.host_port()?;
    let crypto = if p.scheme == "mailto" {
        "none"
    } else {
        match p.take(&["mode"]).map(|m| m.to_ascii_lowercase()) {
            Some(m) if m == "ssl" => "ssl",
            Some(m) if m == "starttls" => "starttls",
            Some(_) => return Err("mode must be ssl or starttls".into()),
            None if port == Some(465) => "ssl",
            None => "starttls",
        }
    };
    if p.scheme == "mailto" {
        p.take(&["mode"]);
    }
    let user = p.user.clone();
    let login = p.take(&["user"]).or_else(|| user.clone());
    let mut from = match p.take(&["from"]) {
        Some(f) => f,
        None => match &user {
            Some(u) if u.contains('@') => u.clone(),
            Some(u) => format!("{u}@{host}"),
            None => return Err("no sender: add user@ or ?from=".into()),
        },
    };
    if let Some(n) = p.take(&["name"]) {
        from = format!("{n} <{}>", address_of(&from));
    }
    let mut to = p.path.clone();
    to.extend(p.take_list(&["to"]));
    if let Some(server) = p.take(&["smtp"]) {
        p.authority = match port {
            Some(port) => format!("{server}:{port}"),
            None => server,
        };
    }
    if p.take(&["cc", "bcc", "reply"]).is_some() {
        return Err(unsupported("cc, bcc or reply", "email"));
    }
    email_keys(p, crypto, from, to, login)
}

/// shoutrrr `docs/services/email.md`: `smtp://user:password@host:port/?from=&to=a,b`
/// (older `fromaddress`, `toaddresses`), `?fromname=`, `?encryption=auto|none|explicittls|implicittls`
/// (auto: implicit TLS on port 465, else STARTTLS), `?usestarttls=no`.
pub(super) fn smtp(p: &mut Parts) -> Result<Built, Problem> {
    let port = p.host_port()?.1;
    let mut crypto = match p
        .take(&["encryption"])
        .map(|e| e.to_ascii_lowercase())
        .as_deref()
    {
        Some("none") => "none",
        Some("implicittls") => "ssl",
        Some("explicittls") => "starttls",
        None | Some("auto") => {
            if port == Some(465) {
                "ssl"
            } else {
                "starttls"
            }
        }
        Some(_) => return Err("encryption must be auto, none, explicittls or implicittls".into()),
    };
    if p.take_flag(&["usestarttls"]) == Some(false) && crypto == "starttls" {
        crypto = "none";
    }
    let mut from = p
        .take(&["from", "fromaddress"])
        .ok_or("the from option is missing")?;
    if let Some(n) = p.take(&["fromname"]) {
        from = format!("{n} <{from}>");
    }
    let to = p.take_list(&["to", "toaddresses"]);
    if to.is_empty() {
        return Err("the to option is missing".into());
    }
    p.take(&["auth", "subject", "usehtml", "clienthost", "title"]);
    let user = p.user.clone();
    if !p.path.is_empty() {
        return Err("unexpected path after the host".into());
    }
    email_keys(p, crypto, from, to, user)
}

/// Apprise wiki `Notify_mqtt`: `mqtt(s)://[user[:password]@]host[:port]/<topic>`,
/// `?qos=0|1`, `?retain=yes|no`. Without a topic, bnotify's own
/// (`bnotify/<host>/<task>/<event>`) is used.
pub(super) fn mqtt(p: &mut Parts) -> Result<Built, Problem> {
    if p.authority.is_empty() {
        return Err("the broker host is missing".into());
    }
    let url = format!("{}://{}", p.scheme, p.authority);
    let mut k = keys([("url", s(url))]);
    if let Some(u) = p.user.clone() {
        k.insert("username".into(), s(u));
    }
    if let Some(pw) = p.password.clone() {
        k.insert("password".into(), s(pw));
    }
    if !p.path.is_empty() {
        k.insert("topic".into(), s(p.path.join("/")));
    }
    if let Some(q) = p.take(&["qos"]) {
        let n: u8 = match q.as_str() {
            "0" => 0,
            "1" => 1,
            _ => return Err("qos must be 0 or 1".into()),
        };
        k.insert("qos".into(), Value::from(n));
    }
    if let Some(r) = p.take_flag(&["retain"]) {
        k.insert("retain".into(), Value::from(r));
    }
    Ok((k, host_name("mqtt", p)?))
}
