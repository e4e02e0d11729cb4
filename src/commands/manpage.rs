//! `bnotify.yaml(5)`: the config file's man page, built from the schema's key lists
//! (`config::schema`), the channel registry (`channels::TYPES`) and the text below.
//! A test fails when a key a type takes has no description here.

use crate::channels::TYPES;
use crate::config::schema::{COMMON_KEYS, HTTP_KEYS, ROOT_KEYS};

/// Root keys: (key, default, what it does).
const ROOT_DOCS: &[(&str, &str, &str)] = &[
    ("enabled", "true", "false sends nothing and exits 0."),
    ("events", "none: every event", "The default subscription of endpoints without their own events: exact names, globs (backup_*) or \"*\"."),
    ("best_effort", "false", "true turns exit code 1 (a delivery failed) into 0; failures are still printed and kept in the outbox."),
    ("defaults", "{timeout: 10s, retries: 2}", "timeout and retries of endpoints that do not set their own."),
    ("outbox", "{dir: $XDG_STATE_HOME/bnotify/outbox, max_age: 7d, max_age_start: 1h}", "Where undelivered notifications wait for bnotify outbox flush. Entries older than max_age are dropped with a warning; start and info events older than max_age_start are dropped too (a late \"backup started\" is noise)."),
    ("state_dir", "$XDG_STATE_HOME/bnotify", "Noise-control state (when: change, throttle)."),
    ("templates", "none", "Global minijinja templates: {title: ..., body: ...}."),
    ("endpoints", "[]", "The list of endpoints (below)."),
];

/// Keys of every endpoint: (key, default, what it does).
const COMMON_DOCS: &[(&str, &str, &str)] = &[
    ("name", "required", "Unique name, used by --endpoint, fallback and the outbox."),
    ("type", "required", "One of the types below."),
    ("enabled", "true", "false skips this endpoint."),
    ("events", "the root events, else every event", "Events this endpoint gets: exact names, globs or \"*\"."),
    ("when", "always", "always | success | failure | change. change: only when the task's outcome differs from the last one this endpoint was told; the first success after a failure is titled as a recovery and carries fields.failing_since."),
    ("tasks", "every task", "Only events whose task matches one of these globs; an event without a task matches only \"*\"."),
    ("timeout", "10s", "Bound of each attempt (connect and whole response), at most 1h."),
    ("retries", "2", "Attempts after the first, for connection errors, timeouts, 408, 429 and 5xx, with exponential backoff honouring Retry-After."),
    ("title", "the default title", "minijinja template of the title, e.g. {{ task }} failed."),
    ("body", "the default body", "minijinja template of the body."),
    ("max_attachment_size", "8MiB (Telegram 50MiB)", "Attachments larger than this are cut to their last bytes, with a note."),
    ("throttle", "none", "The same (event, task) at most once per this window; held-back repeats are counted in the next one."),
    ("fallback", "[]", "Endpoints that get the event when this one finally fails (their own when and tasks still apply)."),
];

/// Keys of every HTTP endpoint: (key, default, what it does).
const HTTP_DOCS: &[(&str, &str, &str)] = &[
    (
        "headers",
        "{}",
        "Extra HTTP headers, e.g. {Authorization: \"Bearer ${TOKEN}\"}.",
    ),
    (
        "ca_file",
        "the system's CAs",
        "PEM file of a private CA to trust.",
    ),
    (
        "tls_insecure",
        "false",
        "Skip TLS verification (warned on every use).",
    ),
];

/// Keys of each type: (type, key, what it does); `*` is a fallback for any type.
const TYPE_DOCS: &[(&str, &str, &str)] = &[
    ("webhook", "url", "Where the request goes."),
    ("webhook", "method", "POST (default) or PUT."),
    ("webhook", "token", "Sent as the X-Webhook-Token header."),
    ("webhook", "format", "bnotify (default: the event object) | backupman | simplebackups | k8s | template."),
    ("webhook", "payload", "With format: template, a minijinja template whose output must be JSON."),
    ("webhook", "signing", "{secret, scheme: standard | hex | github, header}: HMAC-SHA256 signature of the exact body (standard: Standard Webhooks)."),
    ("bark", "url", "https://api.day.app/<key>, or .../push with device_key."),
    ("bark", "device_key", "The device key, when url ends in /push."),
    ("bark", "group", "Notification group."),
    ("bark", "level", "active | timeSensitive | passive | critical; default by status (success passive, failure critical)."),
    ("bark", "sound", "Sound name."),
    ("bark", "badge", "Badge number."),
    ("bark", "icon", "Icon URL."),
    ("bark", "click_url", "URL opened on tap."),
    ("bark", "markdown", "true sends the body as Markdown."),
    ("bark", "bark", "A nested map of these keys (Prime Backup's form)."),
    ("discord", "url", "The channel webhook URL."),
    ("discord", "username", "Name shown as the sender."),
    ("discord", "avatar_url", "Avatar shown for the sender."),
    ("slack", "url", "The incoming webhook URL."),
    ("teams", "url", "The Workflows webhook URL."),
    ("gotify", "url", "The server's base URL."),
    ("gotify", "token", "Application token."),
    ("gotify", "priority", "Default by status: failure 8, success 5, start 2, info 4."),
    ("ntfy", "url", "Server (default https://ntfy.sh)."),
    ("ntfy", "topic", "Topic (on a public server, the topic is the secret)."),
    ("ntfy", "token", "Access token, or user and password."),
    ("ntfy", "user", "User of a protected topic."),
    ("ntfy", "password", "Its password."),
    ("ntfy", "priority", "1-5; default by status: failure 4, success 3, start 2."),
    ("ntfy", "tags", "Emoji tags; default by status."),
    ("ntfy", "markdown", "true sends the body as Markdown."),
    ("telegram", "bot_token", "The bot's token from @BotFather."),
    ("telegram", "chat_id", "Chat id (e.g. -1001234567890) or @channelname."),
    ("telegram", "thread_id", "Forum topic id."),
    ("telegram", "parse_mode", "HTML (default) | MarkdownV2 | none; text is escaped for it."),
    ("telegram", "api_url", "Bot API base URL (default https://api.telegram.org)."),
    ("twilio", "account_sid", "Account SID (AC...)."),
    ("twilio", "auth_token", "Auth token."),
    ("twilio", "from", "Sending number."),
    ("twilio", "to", "List of numbers; one message each."),
    ("twilio", "api_url", "API base URL (default https://api.twilio.com)."),
    ("twilio", "max_length", "Characters per text (default 320, at most 1600)."),
    ("healthchecks", "url", "The check's ping URL: start pings /start, success the URL, failure /fail."),
    ("pagerduty", "routing_key", "Integration key of an Events API v2 service."),
    ("pagerduty", "api_url", "API base URL (default https://events.pagerduty.com)."),
    ("pagerduty", "severity", "critical (default) | error | warning | info."),
    ("email", "smtp_host", "Mail server."),
    ("email", "smtp_port", "Port; default by smtp_crypto: 465 (ssl), 587 (starttls), 25 (none)."),
    ("email", "smtp_user", "SMTP login."),
    ("email", "smtp_password", "Its password."),
    ("email", "smtp_crypto", "starttls (default, required) | ssl | none."),
    ("email", "from", "Sender address."),
    ("email", "destinations", "Recipients: addresses or {name, email} maps."),
    ("email", "html", "true adds an HTML alternative."),
    ("email", "notify_user", "also | only: mail fields.user_email too, or only it (user_login, user_created)."),
    ("email", "ca_file", "PEM file of a private CA to trust."),
    ("email", "tls_insecure", "Skip TLS verification (warned on every use)."),
    ("command", "argv", "Program and arguments (no shell); the event JSON on stdin, BNOTIFY_* variables in its environment; exit 0 means delivered."),
    ("command", "env", "Extra environment variables."),
    ("pushover", "token", "The application's API token."),
    ("pushover", "user", "User or group key to notify."),
    ("pushover", "device", "Only this device of the user."),
    ("pushover", "sound", "Sound name."),
    ("pushover", "priority", "-2 to 2; default by status: failure 1, else 0. 2 (emergency) repeats until acknowledged."),
    ("pushover", "retry", "With priority 2, how often Pushover repeats the alert (default 60s, at least 30s)."),
    ("pushover", "expire", "With priority 2, how long it keeps repeating (default 1h, at most 3h)."),
    ("pushover", "click_url", "URL sent as the message's url."),
    ("pushover", "html", "true (default) sends the text as escaped HTML; false sends it plain."),
    ("pushover", "api_url", "API base URL (default https://api.pushover.net)."),
    ("matrix", "url", "The homeserver's base URL, e.g. https://matrix.example.org."),
    ("matrix", "access_token", "The bot account's access token."),
    ("matrix", "room", "\"#alias:server\" or \"!roomid:server\" (quoted: # starts a YAML comment); joined when not yet a member."),
    ("mattermost", "url", "The incoming webhook URL."),
    ("mattermost", "channel", "Channel to post in instead of the webhook's own."),
    ("mattermost", "username", "Name shown as the sender."),
    ("mattermost", "icon_url", "Avatar shown for the sender."),
    ("rocketchat", "url", "The incoming webhook URL, https://chat.example.com/hooks/<id>/<token>."),
    ("googlechat", "url", "The space's webhook URL, with its key and token query."),
    ("zulip", "url", "The Zulip server, e.g. https://example.zulipchat.com."),
    ("zulip", "bot_email", "The bot's email address."),
    ("zulip", "api_key", "The bot's API key."),
    ("zulip", "stream", "Stream (channel) to post in."),
    ("zulip", "topic", "Topic in the stream; default the job name."),
    ("zulip", "to", "Email addresses for a direct message instead of stream and topic."),
    ("signal", "url", "The signal-cli-rest-api server, e.g. http://127.0.0.1:8080."),
    ("signal", "number", "The registered or linked sending number, e.g. \"+15550001111\"."),
    ("signal", "recipients", "Numbers, usernames or group ids to send to."),
    ("apprise", "url", "The Apprise API server's base URL."),
    ("apprise", "key", "A configuration saved on the server (1 to 64 letters, digits, - and _); or urls."),
    ("apprise", "urls", "Apprise URLs sent with each request (stateless), instead of key."),
    ("apprise", "tag", "Only the configuration's URLs with this tag."),
    ("apprise", "format", "text (default) | markdown | html; the text is escaped for it."),
    ("alertmanager", "url", "The Alertmanager (alerts go to /api/v2/alerts)."),
    ("alertmanager", "urls", "Every member of a cluster; delivered when one accepts."),
    ("alertmanager", "labels", "Extra labels (they win over alertname, task, host, severity)."),
    ("alertmanager", "annotations", "Extra annotations besides summary and description."),
    ("alertmanager", "resolve_on_success", "A success resolves the task's alert (default true)."),
    ("mqtt", "url", "mqtt://host:port or mqtts://host:port (TLS)."),
    ("mqtt", "username", "Broker user."),
    ("mqtt", "password", "Its password."),
    ("mqtt", "topic", "Topic template (default bnotify/<host>/<task>/<event>)."),
    ("mqtt", "qos", "0 or 1 (default 1: waits for the broker's acknowledgement)."),
    ("mqtt", "retain", "Retain the event message too (the status topic is always retained)."),
    ("mqtt", "ca_file", "PEM file of CAs to trust for mqtts://, added to the system store."),
    ("mqtt", "tls_insecure", "Skip certificate checks (warned on every use)."),
    ("pushgateway", "url", "The Pushgateway (metrics go to /metrics/job/<job>/instance/<host>)."),
    ("pushgateway", "job", "The job label (default bnotify)."),
    ("textfile", "dir", "Directory of node_exporter's textfile collector; bnotify.prom is written there atomically."),
    ("*", "url", "The service's URL."),
    ("*", "api_url", "The API's base URL."),
    ("*", "token", "Access token."),
];

/// The description of `key` of type `kind`.
pub(crate) fn type_doc(kind: &str, key: &str) -> Option<&'static str> {
    let find = |k: &str| {
        TYPE_DOCS
            .iter()
            .find(|(t, n, _)| *t == k && *n == key)
            .map(|(_, _, d)| *d)
    };
    find(kind).or_else(|| find("*"))
}

fn esc(s: &str) -> String {
    s.replace('\\', "\\e").replace('-', "\\-")
}

fn entry(out: &mut String, key: &str, default: Option<&str>, doc: &str) {
    out.push_str(".TP\n");
    match default {
        Some("required") => out.push_str(&format!("\\fB{}\\fR (required)\n", esc(key))),
        Some(d) => out.push_str(&format!("\\fB{}\\fR (default: {})\n", esc(key), esc(d))),
        None => out.push_str(&format!("\\fB{}\\fR\n", esc(key))),
    }
    out.push_str(&esc(doc));
    out.push('\n');
}

fn section(out: &mut String, keys: &[&str], docs: &[(&str, &str, &str)]) {
    for key in keys {
        let (default, doc) = docs
            .iter()
            .find(|(k, _, _)| k == key)
            .map_or((None, "See the README."), |(_, d, t)| (Some(*d), *t));
        entry(out, key, default, doc);
    }
}

fn para(out: &mut String, text: &str) {
    out.push_str(".PP\n");
    out.push_str(&esc(text));
    out.push('\n');
}

/// The roff source of `bnotify.yaml(5)`.
pub(crate) fn config_page() -> Vec<u8> {
    let mut o = format!(
        ".TH BNOTIFY.YAML 5 \"\" \"bnotify {}\" \"File Formats\"\n",
        env!("CARGO_PKG_VERSION")
    );
    o.push_str(".SH NAME\nbnotify.yaml \\- the configuration file of bnotify\n");
    o.push_str(".SH SYNOPSIS\n");
    para(&mut o, "The first of: --config PATH, $BNOTIFY_CONFIG, $XDG_CONFIG_HOME/bnotify/config.yaml (default ~/.config/bnotify/config.yaml), /etc/bnotify/config.yaml. bnotify config path says which; bnotify config init writes a starter file; bnotify config check checks it.");
    o.push_str(".SH DESCRIPTION\n");
    para(&mut o, "A YAML file: root keys, then a list of endpoints, each of one type. Unknown keys are errors naming the nearest valid key. A file whose only root key is notification is read as if its content were the root (Prime Backup's block works unchanged).");
    o.push_str(".SH ROOT KEYS\n");
    section(&mut o, ROOT_KEYS, ROOT_DOCS);
    o.push_str(".SH ENDPOINT KEYS\nEvery endpoint takes:\n");
    section(&mut o, COMMON_KEYS, COMMON_DOCS);
    o.push_str(".PP\nEvery HTTP endpoint also takes:\n");
    section(&mut o, HTTP_KEYS, HTTP_DOCS);
    o.push_str(".SH ENDPOINT TYPES\n");
    for t in TYPES {
        o.push_str(&format!(".SS {}\n", esc(t.name)));
        if t.http {
            o.push_str("HTTP; takes headers, ca_file and tls_insecure.\n");
        }
        for key in (t.keys)() {
            entry(
                &mut o,
                key,
                None,
                type_doc(t.name, key).unwrap_or("See the README."),
            );
        }
    }
    o.push_str(".SH VALUES\n");
    para(&mut o, "${VAR} and ${VAR:-default} are replaced by environment variables in every string value; ${file:PATH} by that file's content without its trailing newline (systemd credentials, Docker secrets); $${ is a literal ${. An unset variable without a default disables the endpoint that uses it, with an error naming both. Durations are humantime (30s, 5m, \"1h 30m\") or seconds; sizes are bytes or with a unit (8MiB, 700KB).");
    para(&mut o, "A problem confined to one endpoint (an unset variable, an unknown key, a bad URL or template) disables that endpoint alone: the others are still delivered, and the exit code is 2.");
    o.push_str(".SH MATCHING\n");
    para(&mut o, "An endpoint receives an event when: the root is enabled; the endpoint is enabled; the event matches its events (or the root events; if neither is set, every event); its when admits the event's status (success only success, failure only failure, change a change of outcome; start and info events pass change); the event's task matches its tasks (when set); its throttle window does not hold it back; and, with --endpoint, its name is listed. bnotify endpoints shows each endpoint's EVENTS, TASKS and WHEN; bnotify send -v says why an endpoint declined.");
    o.push_str(".SH EXIT CODES\n");
    entry(
        &mut o,
        "0",
        None,
        "Every matching endpoint accepted the notification, or none matched, or --dry-run.",
    );
    entry(&mut o, "1", None, "At least one delivery failed after its retries (kept in the outbox; bnotify outbox flush sends it again).");
    entry(&mut o, "2", None, "Usage, config or payload error. With some endpoints broken, the others are still delivered.");
    o.push_str(".SH FILES\n");
    para(&mut o, "~/.config/bnotify/config.yaml, /etc/bnotify/config.yaml, ~/.local/state/bnotify/outbox/, ~/.local/state/bnotify/state.json.");
    o.push_str(".SH SEE ALSO\n\\fBbnotify\\fR(1), \\fBbnotify\\-config\\-init\\fR(1), \\fBbnotify\\-outbox\\-flush\\fR(1)\n");
    o.into_bytes()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_key_has_a_description() {
        let mut missing = Vec::new();
        for (keys, docs, what) in [
            (ROOT_KEYS, ROOT_DOCS, "root"),
            (COMMON_KEYS, COMMON_DOCS, "endpoint"),
            (HTTP_KEYS, HTTP_DOCS, "http"),
        ] {
            for k in keys {
                if !docs.iter().any(|(n, _, _)| n == k) {
                    missing.push(format!("{what} key {k}"));
                }
            }
        }
        for t in TYPES {
            for k in (t.keys)() {
                if type_doc(t.name, k).is_none() {
                    missing.push(format!("{} key {k}", t.name));
                }
            }
        }
        assert!(
            missing.is_empty(),
            "no description in src/commands/manpage.rs for: {}",
            missing.join(", ")
        );
    }

    #[test]
    fn roff_escapes_and_names_every_type() {
        let page = String::from_utf8(config_page()).unwrap();
        for t in TYPES {
            assert!(
                page.contains(&format!(".SS {}\n", esc(t.name))),
                "{}",
                t.name
            );
        }
        assert!(page.contains("max_age_start"));
        assert!(!page.lines().any(|l| l.starts_with('\'')));
    }
}
