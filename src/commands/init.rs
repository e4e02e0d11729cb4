//! `bnotify config init`: a short, commented starter config for the chosen types.
//!
//! Each endpoint type has one entry in [`SNIPPETS`]: its YAML (secrets and URLs as
//! `${VAR}` references, so nothing secret lands in the file) and the variables it needs.
//! A test fails when a type registered in `channels::TYPES` has no entry here.

use std::io::Write;
use std::path::{Path, PathBuf};

use anyhow::{bail, Context, Result};

use super::Global;
use crate::cli::InitArgs;
use crate::Outcome;

/// The starter snippet of one endpoint type.
#[derive(Debug)]
pub struct Snippet {
    /// The `type:` value it is for.
    pub kind: &'static str,
    /// The endpoint, as YAML lines of the `endpoints:` list (indented by two spaces).
    pub yaml: &'static str,
    /// The variables it reads: (name, what to set it to).
    pub vars: &'static [(&'static str, &'static str)],
}

/// One starter snippet per endpoint type.
pub const SNIPPETS: &[Snippet] = &[
    Snippet {
        kind: "webhook",
        yaml: "  # Generic webhook: the event as JSON (POST). Optional: token, signing, format.
  - name: webhook
    type: webhook
    url: ${WEBHOOK_URL}
",
        vars: &[(
            "WEBHOOK_URL",
            "the URL that receives the event JSON, e.g. https://hooks.example.com/bnotify",
        )],
    },
    Snippet {
        kind: "slack",
        yaml: "  # Slack incoming webhook (Apps > Incoming Webhooks). The whole URL is the secret.
  - name: slack
    type: slack
    url: ${SLACK_WEBHOOK_URL}
",
        vars: &[(
            "SLACK_WEBHOOK_URL",
            "https://hooks.slack.com/services/T.../B.../...",
        )],
    },
    Snippet {
        kind: "discord",
        yaml: "  # Discord channel webhook (Channel settings > Integrations > Webhooks).
  - name: discord
    type: discord
    url: ${DISCORD_WEBHOOK_URL}
",
        vars: &[(
            "DISCORD_WEBHOOK_URL",
            "https://discord.com/api/webhooks/<id>/<token>",
        )],
    },
    Snippet {
        kind: "teams",
        yaml: "  # Microsoft Teams Workflows webhook (\"When a Teams webhook request is received\").
  - name: teams
    type: teams
    url: ${TEAMS_WORKFLOW_URL}
",
        vars: &[("TEAMS_WORKFLOW_URL", "the workflow's HTTP POST URL")],
    },
    Snippet {
        kind: "gotify",
        yaml: "  # Gotify: your server and an application token.
  - name: gotify
    type: gotify
    url: ${GOTIFY_URL}
    token: ${GOTIFY_TOKEN}
",
        vars: &[
            ("GOTIFY_URL", "your server, e.g. https://gotify.example.com"),
            ("GOTIFY_TOKEN", "an application token"),
        ],
    },
    Snippet {
        kind: "ntfy",
        yaml: "  # ntfy: a topic on ntfy.sh or your own server (on ntfy.sh the topic name is the secret).
  - name: ntfy
    type: ntfy
    url: ${NTFY_URL:-https://ntfy.sh}
    topic: ${NTFY_TOPIC}
",
        vars: &[
            ("NTFY_TOPIC", "a hard-to-guess topic name"),
            ("NTFY_URL", "optional: your own server (default https://ntfy.sh)"),
        ],
    },
    Snippet {
        kind: "telegram",
        yaml: "  # Telegram bot (token from @BotFather) posting to a chat, group or channel.
  - name: telegram
    type: telegram
    bot_token: ${TELEGRAM_BOT_TOKEN}
    chat_id: ${TELEGRAM_CHAT_ID}
    api_url: ${TELEGRAM_API_URL:-https://api.telegram.org}
",
        vars: &[
            ("TELEGRAM_BOT_TOKEN", "123456:ABC-..."),
            ("TELEGRAM_CHAT_ID", "the chat id, e.g. -1001234567890, or @channelname"),
            ("TELEGRAM_API_URL", "optional: a Bot API server of your own"),
        ],
    },
    Snippet {
        kind: "twilio",
        yaml: "  # Twilio SMS: one message per number in \"to\".
  - name: sms
    type: twilio
    account_sid: ${TWILIO_ACCOUNT_SID}
    auth_token: ${TWILIO_AUTH_TOKEN}
    from: ${TWILIO_FROM}
    to: [\"${TWILIO_TO}\"]
    api_url: ${TWILIO_API_URL:-https://api.twilio.com}
",
        vars: &[
            ("TWILIO_ACCOUNT_SID", "AC..."),
            ("TWILIO_AUTH_TOKEN", "the account's auth token"),
            ("TWILIO_FROM", "your Twilio number, e.g. +15550001111"),
            ("TWILIO_TO", "the number to text, e.g. +15550002222"),
            ("TWILIO_API_URL", "optional: another API base URL"),
        ],
    },
    Snippet {
        kind: "bark",
        yaml: "  # Bark (iOS): the server URL ending in your device key.
  - name: bark
    type: bark
    url: ${BARK_URL}
",
        vars: &[("BARK_URL", "https://api.day.app/<your device key>")],
    },
    Snippet {
        kind: "healthchecks",
        yaml: "  # healthchecks.io: start, success and failure pings (add tasks: [job] for one check per job).
  - name: healthchecks
    type: healthchecks
    events: [\"backup_*\"]
    url: ${HEALTHCHECKS_PING_URL}
",
        vars: &[(
            "HEALTHCHECKS_PING_URL",
            "the check's ping URL, e.g. https://hc-ping.com/<uuid>",
        )],
    },
    Snippet {
        kind: "pagerduty",
        yaml: "  # PagerDuty Events API v2: a failure triggers an incident, the next success resolves it.
  - name: pagerduty
    type: pagerduty
    events: [backup_failure, backup_success, restore_failure, restore_success, system_error]
    routing_key: ${PAGERDUTY_ROUTING_KEY}
    api_url: ${PAGERDUTY_API_URL:-https://events.pagerduty.com}
",
        vars: &[
            ("PAGERDUTY_ROUTING_KEY", "the integration key of an Events API v2 service"),
            ("PAGERDUTY_API_URL", "optional: another Events API base URL"),
        ],
    },
    Snippet {
        kind: "email",
        yaml: "  # Email over SMTP. smtp_crypto: starttls (port 587) | ssl (465) | none (25).
  - name: email
    type: email
    smtp_host: ${SMTP_HOST}
    # smtp_port: 587                  # default by smtp_crypto
    smtp_crypto: starttls
    smtp_user: ${SMTP_USER}
    smtp_password: ${SMTP_PASSWORD}
    from: ${MAIL_FROM}
    destinations: [\"${MAIL_TO}\"]
",
        vars: &[
            ("SMTP_HOST", "your mail server, e.g. smtp.example.com"),
            ("SMTP_USER", "the SMTP login"),
            ("SMTP_PASSWORD", "its password"),
            ("MAIL_FROM", "the sender, e.g. backups@example.com"),
            ("MAIL_TO", "who gets the mail, e.g. ops@example.com"),
        ],
    },
    Snippet {
        kind: "command",
        yaml: "  # A local command: the event JSON on stdin, BNOTIFY_EVENT, _STATUS, _TITLE, ... in its environment.
  - name: command
    type: command
    argv: [/bin/sh, -c, \"${NOTIFY_COMMAND}\"]
",
        vars: &[(
            "NOTIFY_COMMAND",
            "a shell command, e.g. 'cat >> /var/log/backup-events.jsonl'",
        )],
    },
    Snippet {
        kind: "pushover",
        yaml: "  # Pushover: an application's token and your user (or group) key.
  - name: pushover
    type: pushover
    token: ${PUSHOVER_APP_TOKEN}
    user: ${PUSHOVER_USER_KEY}
    api_url: ${PUSHOVER_API_URL:-https://api.pushover.net}
",
        vars: &[
            ("PUSHOVER_APP_TOKEN", "the application's API token (pushover.net/apps)"),
            ("PUSHOVER_USER_KEY", "your user key, or a group key"),
            ("PUSHOVER_API_URL", "optional: another API base URL"),
        ],
    },
    Snippet {
        kind: "matrix",
        yaml: "  # Matrix: a bot account's access token; it joins the room when not yet a member.
  - name: matrix
    type: matrix
    url: ${MATRIX_HOMESERVER_URL}
    access_token: ${MATRIX_ACCESS_TOKEN}
    room: \"${MATRIX_ROOM}\"
",
        vars: &[
            ("MATRIX_HOMESERVER_URL", "your homeserver, e.g. https://matrix.example.org"),
            ("MATRIX_ACCESS_TOKEN", "the bot account's access token"),
            ("MATRIX_ROOM", "#alias:example.org or !roomid:example.org"),
        ],
    },
    Snippet {
        kind: "mattermost",
        yaml: "  # Mattermost incoming webhook (Integrations > Incoming Webhooks).
  - name: mattermost
    type: mattermost
    url: ${MATTERMOST_HOOK_URL}
",
        vars: &[(
            "MATTERMOST_HOOK_URL",
            "https://chat.example.com/hooks/<key>",
        )],
    },
    Snippet {
        kind: "rocketchat",
        yaml: "  # Rocket.Chat incoming webhook (Administration > Integrations).
  - name: rocketchat
    type: rocketchat
    url: ${ROCKETCHAT_HOOK_URL}
",
        vars: &[(
            "ROCKETCHAT_HOOK_URL",
            "https://chat.example.com/hooks/<id>/<token>",
        )],
    },
    Snippet {
        kind: "googlechat",
        yaml: "  # Google Chat space webhook (Apps & integrations > Webhooks). Its key and token are secret.
  - name: googlechat
    type: googlechat
    url: ${GOOGLE_CHAT_WEBHOOK_URL}
",
        vars: &[(
            "GOOGLE_CHAT_WEBHOOK_URL",
            "https://chat.googleapis.com/v1/spaces/<space>/messages?key=...&token=...",
        )],
    },
    Snippet {
        kind: "zulip",
        yaml: "  # Zulip bot posting to a stream; the topic is the job name (or set topic:).
  - name: zulip
    type: zulip
    url: ${ZULIP_SITE_URL}
    bot_email: ${ZULIP_BOT_EMAIL}
    api_key: ${ZULIP_API_KEY}
    stream: ${ZULIP_STREAM}
",
        vars: &[
            ("ZULIP_SITE_URL", "your Zulip, e.g. https://example.zulipchat.com"),
            ("ZULIP_BOT_EMAIL", "the bot's email, e.g. backup-bot@example.zulipchat.com"),
            ("ZULIP_API_KEY", "the bot's API key"),
            ("ZULIP_STREAM", "the stream (channel) to post in, e.g. ops"),
        ],
    },
    Snippet {
        kind: "signal",
        yaml: "  # Signal through a signal-cli-rest-api server with a registered or linked number.
  - name: signal
    type: signal
    url: ${SIGNAL_API_URL}
    number: \"${SIGNAL_NUMBER}\"
    recipients: [\"${SIGNAL_TO}\"]
",
        vars: &[
            ("SIGNAL_API_URL", "the signal-cli-rest-api server, e.g. http://127.0.0.1:8080"),
            ("SIGNAL_NUMBER", "its number, e.g. +15550001111"),
            ("SIGNAL_TO", "the number (or group id) to message, e.g. +15550002222"),
        ],
    },
    Snippet {
        kind: "apprise",
        yaml: "  # Apprise API server: a configuration saved on it under a key (or urls: instead).
  - name: apprise
    type: apprise
    url: ${APPRISE_URL}
    key: ${APPRISE_KEY}
",
        vars: &[
            ("APPRISE_URL", "the server, e.g. http://apprise.example.com:8000"),
            ("APPRISE_KEY", "the configuration's key (letters, digits, - and _)"),
        ],
    },
    Snippet {
        kind: "alertmanager",
        yaml: "  # Prometheus Alertmanager: a failure fires an alert (BackupFailed), a success resolves it.
  - name: alertmanager
    type: alertmanager
    url: ${ALERTMANAGER_URL}
",
        vars: &[(
            "ALERTMANAGER_URL",
            "the Alertmanager, e.g. http://alertmanager.example.com:9093 (urls: [...] for a cluster)",
        )],
    },
    Snippet {
        kind: "mqtt",
        yaml: "  # MQTT broker: the event JSON on bnotify/<host>/<task>/<event>, the last outcome retained.
  - name: mqtt
    type: mqtt
    url: ${MQTT_URL}
    username: ${MQTT_USER}
    password: ${MQTT_PASSWORD}
",
        vars: &[
            ("MQTT_URL", "the broker, e.g. mqtts://broker.example.com:8883"),
            ("MQTT_USER", "its user"),
            ("MQTT_PASSWORD", "its password"),
        ],
    },
    Snippet {
        kind: "pushgateway",
        yaml: "  # Prometheus Pushgateway: the last success, duration, size and exit code of each task.
  - name: pushgateway
    type: pushgateway
    url: ${PUSHGATEWAY_URL}
    events: [\"*\"]
",
        vars: &[(
            "PUSHGATEWAY_URL",
            "the Pushgateway, e.g. http://pushgateway.example.com:9091",
        )],
    },
    Snippet {
        kind: "textfile",
        yaml: "  # node_exporter textfile collector: the same metrics in <dir>/bnotify.prom.
  - name: textfile
    type: textfile
    dir: ${TEXTFILE_DIR}
    events: [\"*\"]
",
        vars: &[(
            "TEXTFILE_DIR",
            "node_exporter's --collector.textfile.directory, e.g. /var/lib/node_exporter",
        )],
    },
];

/// The snippet of `kind`.
pub(crate) fn snippet(kind: &str) -> Option<&'static Snippet> {
    SNIPPETS.iter().find(|s| s.kind == kind)
}

/// The starter config for `kinds` (in that order, duplicates once).
pub(crate) fn render(kinds: &[String]) -> Result<(String, Vec<(&'static str, &'static str)>)> {
    let mut chosen: Vec<&Snippet> = Vec::new();
    for k in kinds {
        let s = snippet(k).with_context(|| {
            format!(
                "no starter snippet for type \"{k}\" (known: {})",
                crate::channels::type_names()
            )
        })?;
        if !chosen.iter().any(|c| c.kind == s.kind) {
            chosen.push(s);
        }
    }
    let mut vars: Vec<(&str, &str)> = Vec::new();
    for s in &chosen {
        for v in s.vars {
            if !vars.iter().any(|(n, _)| *n == v.0) {
                vars.push(*v);
            }
        }
    }
    let width = vars.iter().map(|(n, _)| n.len()).max().unwrap_or(0);
    let mut out = format!(
        "# bnotify config, written by `bnotify config init --type {}`.\n",
        chosen.iter().map(|s| s.kind).collect::<Vec<_>>().join(",")
    );
    out.push_str(
        "# Secrets and URLs are ${VAR} references: set these where bnotify runs (your shell,\n\
         # the crontab, systemd Environment=), or write ${file:/path/to/secret} instead.\n",
    );
    for (n, what) in &vars {
        out.push_str(&format!("#   {n:width$}  {what}\n"));
    }
    out.push_str(
        "# Then: bnotify config check && bnotify test notify\n\
         # Every key: man 5 bnotify.yaml (or config.example.yaml).\n\n\
         # Endpoints without their own \"events\" are told about failures only.\n\
         # Add backup_success, backup_start, ... (or \"*\") to hear about more.\n\
         events: [backup_failure, restore_failure, system_error]\n\n\
         endpoints:\n",
    );
    for (i, s) in chosen.iter().enumerate() {
        if i > 0 {
            out.push('\n');
        }
        out.push_str(s.yaml);
    }
    Ok((out, vars))
}

/// Where `config init` writes without `--path`: `$XDG_CONFIG_HOME/bnotify/config.yaml`,
/// else `~/.config/bnotify/config.yaml` (for root too).
pub(crate) fn default_path() -> Result<PathBuf> {
    if let Some(x) = std::env::var_os("XDG_CONFIG_HOME").filter(|v| !v.is_empty()) {
        return Ok(PathBuf::from(x).join("bnotify/config.yaml"));
    }
    match crate::config::home_dir() {
        Some(h) => Ok(h.join(".config/bnotify/config.yaml")),
        None => bail!("neither $XDG_CONFIG_HOME nor $HOME is set; pass --path PATH"),
    }
}

/// Run `bnotify config init`.
pub(crate) fn run(g: &Global, a: &InitArgs) -> Result<Outcome> {
    let kinds = if a.types.is_empty() {
        vec!["webhook".to_string()]
    } else {
        a.types.clone()
    };
    let (text, vars) = render(&kinds)?;
    let path = match &a.path {
        Some(p) => p.clone(),
        None => default_path()?,
    };
    write(&path, text.as_bytes(), a.force)?;
    if g.quiet {
        return Ok(Outcome::Success);
    }
    let config = match &a.path {
        Some(p) => format!(" --config {}", shell_word(p)),
        None => String::new(),
    };
    errln!("wrote {} (mode 0600)", path.display());
    let (optional, required): (Vec<_>, Vec<_>) = vars
        .iter()
        .partition(|(_, what)| what.starts_with("optional"));
    let width = required.iter().map(|(n, _)| n.len()).max().unwrap_or(0) + 11;
    errln!("set these variables where bnotify runs (shell, crontab, systemd unit):");
    for (n, what) in &required {
        errln!("  {:width$}  # {what}", format!("export {n}=..."));
    }
    if !optional.is_empty() {
        let names: Vec<&str> = optional.iter().map(|(n, _)| *n).collect();
        errln!("optional: {}", names.join(", "));
    }
    errln!("then:");
    errln!("  bnotify{config} config check");
    errln!("  bnotify{config} test notify");
    Ok(Outcome::Success)
}

fn write(path: &Path, bytes: &[u8], force: bool) -> Result<()> {
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
    }
    if force {
        return crate::files::write_atomic(path, bytes, true)
            .with_context(|| format!("writing {}", path.display()));
    }
    let mut opts = std::fs::OpenOptions::new();
    opts.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut opts, 0o600);
    let mut f = match opts.open(path) {
        Ok(f) => f,
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => bail!(
            "{} already exists; it was left as is (pass --force to replace it)",
            path.display()
        ),
        Err(e) => return Err(e).with_context(|| format!("creating {}", path.display())),
    };
    f.write_all(bytes)
        .and_then(|()| f.sync_all())
        .with_context(|| format!("writing {}", path.display()))
}

/// `p` quoted for a shell when it needs it.
fn shell_word(p: &Path) -> String {
    let s = p.display().to_string();
    if s.chars()
        .all(|c| c.is_ascii_alphanumeric() || "/._-~+=:,@".contains(c))
    {
        s
    } else {
        format!("'{}'", s.replace('\'', r"'\''"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_registered_type_has_a_starter_snippet() {
        let missing: Vec<&str> = crate::channels::TYPES
            .iter()
            .map(|t| t.name)
            .filter(|n| snippet(n).is_none())
            .collect();
        assert!(
            missing.is_empty(),
            "no `config init` snippet in src/commands/init.rs SNIPPETS for: {}",
            missing.join(", ")
        );
        for s in SNIPPETS {
            assert!(
                crate::channels::find(s.kind).is_some(),
                "snippet for unregistered type {}",
                s.kind
            );
            assert!(
                s.yaml.contains(&format!("type: {}\n", s.kind)),
                "{}",
                s.kind
            );
            for (v, _) in s.vars {
                assert!(s.yaml.contains(&format!("${{{v}")), "{} lacks {v}", s.kind);
            }
        }
    }
}
