//! `teams`: a Teams Workflows (Power Automate) webhook carrying one Adaptive Card; the
//! retired Office 365 connector URLs are rejected with a hint.
//!
//! Teams shows TextBlock markdown without backslash escapes (`pg\-nightly` stays as
//! typed), so user text never goes through markdown: title, body and facts are
//! `RichTextBlock`s whose `TextRun`s are shown literally (Adaptive Cards schema: "Markdown
//! is not supported" in a TextRun). URLs become runs of their own that open the link. The
//! whole request stays under Teams's 28 KB, counted in bytes (CJK text is 3 bytes a char).

use serde::Deserialize;
use serde_json::{json, Value};

use super::{
    by_status, check_url, ChannelType, DeliveryError, HttpRequest, Invalid, Message, Outgoing,
};
use crate::event::{human_duration, human_size};
use crate::render::{cut_plain, escape, Unit};

/// Registry row.
pub(crate) const TYPE: ChannelType = ChannelType {
    name: "teams",
    http: true,
    keys: super::fields_of::<Teams>,
    build: super::build::<Teams>,
};

/// Bytes the whole request may take: under Teams's 28 KB per message, with room for the
/// envelope Teams adds.
pub(crate) const MAX_REQUEST: usize = 27_000;

/// A Teams Workflows webhook.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct Teams {
    url: String,
}

impl super::Channel for Teams {
    fn prepare(&self, msg: &Message) -> Result<Vec<Outgoing>, DeliveryError> {
        let ev = msg.event;
        let color = by_status(ev.status, ["Accent", "Good", "Attention", "Default"]);
        let mut facts = Vec::new();
        let mut fact = |t: &str, v: Option<String>| {
            if let Some(v) = v {
                facts.push((t.to_string(), cut_plain(&v, 500, Unit::Bytes, json_text)));
            }
        };
        fact("Task", ev.task.clone());
        fact("Host", ev.host.clone());
        fact("Event", Some(ev.event.clone()));
        fact(
            "Size",
            ev.backup.as_ref().and_then(|b| b.size).map(human_size),
        );
        fact("Duration", ev.duration_ms.map(human_duration));
        fact("Time", Some(ev.timestamp.clone()));
        let title = cut_plain(&msg.title, 1000, Unit::Bytes, json_text);
        let build = |body: &str| message(&title, color, body, &facts);
        // Cut the body to what is left of the budget; URL runs add a little, so measure
        // the real request and shrink until it fits.
        let overhead = request_len(&build(""));
        let mut budget = MAX_REQUEST.saturating_sub(overhead);
        let mut body = build(&cut_plain(&msg.body, budget, Unit::Bytes, json_text));
        for _ in 0..8 {
            let len = request_len(&body);
            if len <= MAX_REQUEST {
                break;
            }
            budget = budget.saturating_sub(len - MAX_REQUEST + 64);
            body = build(&cut_plain(&msg.body, budget, Unit::Bytes, json_text));
        }
        Ok(vec![Outgoing::Http(HttpRequest::post_json(
            self.url.clone(),
            &body,
        ))])
    }

    fn secrets(&self) -> Vec<String> {
        self.url
            .split(['?', '&'])
            .filter_map(|kv| kv.strip_prefix("sig="))
            .map(str::to_string)
            .collect()
    }

    fn validate(&self) -> Result<(), Invalid> {
        check_url("url", &self.url)?;
        let lower = self.url.to_ascii_lowercase();
        if lower.contains("webhook.office.com") || lower.contains("outlook.office.com") {
            return Err(Invalid::key("url", "this is a retired Office 365 connector URL; Teams no longer delivers to it")
                .hint("in Teams, create a Workflows webhook (\"Post to a channel when a webhook request is received\") and use its URL"));
        }
        Ok(())
    }
}

/// The Workflows message: one Adaptive Card with the title, the body and the facts.
fn message(title: &str, color: &str, body: &str, facts: &[(String, String)]) -> Value {
    let mut blocks = vec![json!({
        "type": "RichTextBlock",
        "inlines": [{"type": "TextRun", "text": title, "weight": "Bolder", "size": "Large", "color": color}],
    })];
    if !body.trim().is_empty() {
        blocks.push(json!({"type": "RichTextBlock", "inlines": runs(body)}));
    }
    let mut inlines = Vec::new();
    for (i, (name, value)) in facts.iter().enumerate() {
        let end = if i + 1 < facts.len() { "\n" } else { "" };
        inlines.push(json!({"type": "TextRun", "text": format!("{name}: "), "weight": "Bolder"}));
        inlines.push(json!({"type": "TextRun", "text": format!("{value}{end}"), "isSubtle": true}));
    }
    if !inlines.is_empty() {
        blocks.push(json!({"type": "RichTextBlock", "inlines": inlines, "separator": true}));
    }
    let card = json!({
        "$schema": "http://adaptivecards.io/schemas/adaptive-card.json",
        "type": "AdaptiveCard",
        "version": "1.4",
        "body": blocks,
        "msteams": {"width": "Full"},
    });
    json!({
        "type": "message",
        "attachments": [{"contentType": "application/vnd.microsoft.card.adaptive", "contentUrl": null, "content": card}],
    })
}

/// `text` as literal TextRuns; each URL (`http(s)://` up to whitespace) a run that opens it.
fn runs(text: &str) -> Vec<Value> {
    let mut out = Vec::new();
    let mut rest = text;
    while let Some(start) = escape::find_url(rest) {
        let len = rest[start..]
            .find(char::is_whitespace)
            .unwrap_or(rest.len() - start);
        let url = &rest[start..start + len];
        if start > 0 {
            out.push(json!({"type": "TextRun", "text": &rest[..start]}));
        }
        out.push(json!({"type": "TextRun", "text": url, "color": "Accent",
            "selectAction": {"type": "Action.OpenUrl", "url": url}}));
        rest = &rest[start + len..];
    }
    if !rest.is_empty() {
        out.push(json!({"type": "TextRun", "text": rest}));
    }
    out
}

/// `s` as it appears inside a JSON string (quotes, backslashes and controls escaped).
fn json_text(s: &str) -> String {
    let quoted = serde_json::to_string(s).unwrap_or_default();
    quoted
        .get(1..quoted.len().saturating_sub(1))
        .unwrap_or_default()
        .to_string()
}

fn request_len(body: &Value) -> usize {
    serde_json::to_vec(body).map_or(0, |b| b.len())
}

#[cfg(test)]
mod prepare_table {
    use super::super::testkit::{channel, event, http, json, prepare};

    #[test]
    fn one_adaptive_card_for_every_status() {
        let ch = channel(
            "teams",
            "{url: 'https://x.logic.azure.com/workflows/1?sig=s'}",
        );
        for ev in [
            "backup_failure",
            "backup_success",
            "backup_start",
            "user_login",
        ] {
            let out = prepare(&*ch, &event(ev, None));
            let h = http(&out)[0];
            assert!(h.url.ends_with("?sig=s"), "{ev}: the query stays");
            let body = json(h);
            assert_eq!(body["type"], "message", "{ev}");
            let card = &body["attachments"][0];
            assert_eq!(
                card["contentType"], "application/vnd.microsoft.card.adaptive",
                "{ev}"
            );
            assert_eq!(card["content"]["type"], "AdaptiveCard", "{ev}");
            assert!(
                card["content"]["body"]
                    .as_array()
                    .is_some_and(|b| !b.is_empty()),
                "{ev}"
            );
        }
    }
}
