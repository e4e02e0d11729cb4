//! `mattermost`: an incoming webhook (Mattermost developer docs, "Incoming webhooks",
//! <https://developers.mattermost.com/integrate/webhooks/incoming/>): a JSON `text` in
//! Mattermost markdown (user text escaped, URLs left as written) with a status emoji and
//! the title in bold; optional `channel`, `username`, `icon_url`. The text stays within
//! the server's 16,383 characters a post (`PostMessageMaxRunesV2`).

use serde::Deserialize;
use serde_json::{json, Value};

use super::{
    by_status, check_url, ChannelType, DeliveryError, HttpRequest, Invalid, Message, Outgoing,
};
use crate::render::{cut, escape, Unit};

/// Registry row.
pub(crate) const TYPE: ChannelType = ChannelType {
    name: "mattermost",
    http: true,
    keys: super::fields_of::<Mattermost>,
    build: super::build::<Mattermost>,
};

/// Mattermost's limit on a post's message, in characters.
pub(crate) const MAX_TEXT: usize = 16_383;
/// Room the title line may take.
pub(crate) const MAX_TITLE: usize = 1_000;

/// Emoji by status: start, success, failure, info.
pub(crate) const EMOJI: [&str; 4] = [
    ":arrow_forward:",
    ":white_check_mark:",
    ":rotating_light:",
    ":information_source:",
];

/// A Mattermost incoming webhook.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct Mattermost {
    url: String,
    channel: Option<String>,
    username: Option<String>,
    icon_url: Option<String>,
}

/// `**emoji title**` and the body, escaped, within `max` characters.
pub(crate) fn text(msg: &Message, emoji: &str, max: usize) -> String {
    let head = format!(
        "{emoji} **{}**",
        cut(&msg.title, MAX_TITLE, Unit::Chars, escape::markdown)
    );
    if msg.body.trim().is_empty() {
        return head;
    }
    let rest = max - Unit::Chars.len(&head) - 2;
    format!(
        "{head}\n\n{}",
        cut(&msg.body, rest, Unit::Chars, escape::markdown)
    )
}

impl super::Channel for Mattermost {
    fn prepare(&self, msg: &Message) -> Result<Vec<Outgoing>, DeliveryError> {
        let emoji = by_status(msg.event.status, EMOJI);
        let mut body = json!({"text": text(msg, emoji, MAX_TEXT)});
        for (k, v) in [
            ("channel", &self.channel),
            ("username", &self.username),
            ("icon_url", &self.icon_url),
        ] {
            if let Some(v) = v {
                body[k] = Value::String(v.clone());
            }
        }
        Ok(vec![Outgoing::Http(HttpRequest::post_json(
            self.url.clone(),
            &body,
        ))])
    }

    fn secrets(&self) -> Vec<String> {
        super::last_segment(&self.url)
            .map(str::to_string)
            .into_iter()
            .collect()
    }

    fn validate(&self) -> Result<(), Invalid> {
        check_url("url", &self.url)?;
        if let Some(u) = &self.icon_url {
            check_url("icon_url", u)?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod prepare_table {
    use crate::channels::testkit::{
        channel, event, hostile_body, http, json, prepare, prepare_texts_ok, HOSTILE_TITLE,
    };
    use crate::render::Unit;
    use serde_json::json;

    const HOOK: &str = "https://mm.example.com/hooks/xjw3-k_9";

    /// Rows: extra keys, event, the JSON body Mattermost receives (overrides only when set).
    #[test]
    fn emoji_by_status_and_the_optional_overrides() {
        for (extra, ev, want) in [
            (
                "",
                "backup_start",
                json!({"text": ":arrow_forward: **T**\n\nB"}),
            ),
            (
                "",
                "backup_success",
                json!({"text": ":white_check_mark: **T**\n\nB"}),
            ),
            (
                "",
                "backup_failure",
                json!({"text": ":rotating_light: **T**\n\nB"}),
            ),
            (
                "",
                "user_login",
                json!({"text": ":information_source: **T**\n\nB"}),
            ),
            (
                ", channel: town-square, username: backups, icon_url: 'https://img.example/i.png'",
                "test",
                json!({
                    "text": ":information_source: **T**\n\nB",
                    "channel": "town-square",
                    "username": "backups",
                    "icon_url": "https://img.example/i.png",
                }),
            ),
            (
                ", channel: '@alice'",
                "backup_failure",
                json!({"text": ":rotating_light: **T**\n\nB", "channel": "@alice"}),
            ),
        ] {
            let keys = format!("{{url: '{HOOK}'{extra}}}");
            let out = prepare(&*channel("mattermost", &keys), &event(ev, None));
            let reqs = http(&out);
            assert_eq!(reqs.len(), 1, "{keys}");
            let h = reqs[0];
            assert_eq!(
                (h.method.as_str(), h.url.as_str()),
                ("POST", HOOK),
                "{keys}"
            );
            let ct = h.headers.iter().find(|(k, _)| k == "Content-Type");
            assert_eq!(ct.map(|(_, v)| v.as_str()), Some("application/json"));
            assert_eq!(json(h), want, "{keys} {ev}");
        }
    }

    /// Markdown escaped (URLs as written), an empty body leaves the title line alone,
    /// and the post stays within Mattermost's 16,383 characters keeping the log's end.
    #[test]
    fn hostile_text_escaped_and_within_the_limit() {
        let ch = channel("mattermost", &format!("{{url: '{HOOK}'}}"));
        let ev = event("backup_failure", Some(1));
        let out = prepare_texts_ok(&*ch, &ev, HOSTILE_TITLE, " ");
        let url = "https://backup-host.example.com/logs/run_2026-11-30.log?a=1&b=2";
        assert_eq!(
            json(http(&out)[0])["text"],
            format!(
                ":rotating_light: **Sauvegarde échouée ✗ &lt;b&gt;&amp;\"'\\*\\_\\~\\| {url} 🔥**"
            )
        );
        for body in [hostile_body(), hostile_body().repeat(3)] {
            let out = prepare_texts_ok(&*ch, &ev, HOSTILE_TITLE, &body);
            let text = json(http(&out)[0])["text"].as_str().unwrap().to_string();
            let n = Unit::Chars.len(&text);
            assert!((12_000..=16_383).contains(&n), "{n} characters");
            assert!(text.contains("**\n\nSTART\\-OF\\-LOG\n"), "{text:.300}");
            assert!(text.ends_with("FATAL\\-END"), "the end of the log is kept");
            assert!(
                text.contains(" https://h.example/run_1-2.log\n"),
                "URLs as written"
            );
            assert!(!text.contains("<b>"), "no raw HTML");
        }
    }
}
