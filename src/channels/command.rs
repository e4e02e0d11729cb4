//! `command`: runs a local program with the event JSON on stdin and `BNOTIFY_*` variables
//! in its environment (each cut to 32 KiB); exit 0 means delivered.

use std::collections::BTreeMap;

use serde::Deserialize;

use super::{ChannelType, DeliveryError, Invalid, Message, Outgoing};
use crate::render::cut::plain;
use crate::render::{cut, Unit};

/// Registry row.
pub(crate) const TYPE: ChannelType = ChannelType {
    name: "command",
    http: false,
    keys: super::fields_of::<Command>,
    build: super::build::<Command>,
};

/// Bytes of each `BNOTIFY_*` variable at most (cut keeping start and end).
pub(crate) const MAX_VAR: usize = 32 * 1024;

/// A program to run.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct Command {
    argv: Vec<String>,
    #[serde(default)]
    env: BTreeMap<String, String>,
}

pub(crate) use crate::exec::ExecRequest;

impl super::Channel for Command {
    fn prepare(&self, msg: &Message) -> Result<Vec<Outgoing>, DeliveryError> {
        let ev = msg.event;
        let mut payload = ev.to_payload(&msg.title, &msg.body);
        if let Some(m) = payload.as_object_mut() {
            m.remove("attachments");
        }
        let mut env: Vec<(String, String)> = vec![
            ("BNOTIFY_EVENT".into(), ev.event.clone()),
            ("BNOTIFY_STATUS".into(), ev.status.as_str().into()),
            ("BNOTIFY_TASK".into(), ev.task.clone().unwrap_or_default()),
            ("BNOTIFY_TITLE".into(), msg.title.clone()),
            ("BNOTIFY_BODY".into(), msg.body.clone()),
            ("BNOTIFY_ID".into(), ev.id.clone()),
        ];
        // Linux refuses an environment string over 128 KiB (E2BIG); the whole event is
        // on stdin anyway.
        for (_, v) in &mut env {
            *v = cut(v, MAX_VAR, Unit::Bytes, plain);
        }
        env.extend(self.env.iter().map(|(k, v)| (k.clone(), v.clone())));
        Ok(vec![Outgoing::Exec(ExecRequest {
            argv: self.argv.clone(),
            env,
            stdin: serde_json::to_vec(&payload).unwrap_or_default(),
            attachments: ev.attachments.clone(),
        })])
    }

    fn carries_attachments(&self) -> bool {
        true
    }

    fn secrets(&self) -> Vec<String> {
        self.env
            .iter()
            .filter(|(k, _)| crate::redact::is_secret_key(k))
            .map(|(_, v)| v.clone())
            .collect()
    }

    fn validate(&self) -> Result<(), Invalid> {
        if self.argv.first().is_none_or(|p| p.is_empty()) {
            return Err(Invalid::key("argv", "argv is empty")
                .hint("e.g. argv: [/usr/local/bin/notify-ops, --urgent]"));
        }
        Ok(())
    }
}

#[cfg(test)]
mod prepare_table {
    use super::super::testkit::{
        channel, event, hostile_long_body, prepare, prepare_with_texts, HOSTILE_TITLE,
    };
    use super::super::Outgoing;
    use super::ExecRequest;

    fn exec(out: &[Outgoing]) -> &ExecRequest {
        assert_eq!(out.len(), 1);
        match &out[0] {
            Outgoing::Exec(x) => x,
            other => panic!("not a command: {other:?}"),
        }
    }

    fn var<'a>(x: &'a ExecRequest, k: &str) -> Option<&'a str> {
        x.env.iter().find(|(n, _)| n == k).map(|(_, v)| v.as_str())
    }

    /// argv as written, the `BNOTIFY_*` variables for each status, `env` added, and the
    /// whole event on stdin.
    #[test]
    fn argv_env_and_the_event_on_stdin() {
        for (keys, ev, status, level) in [
            ("{argv: [notify-send, x]}", "backup_start", "start", None),
            (
                "{argv: [notify-send, x]}",
                "backup_success",
                "success",
                None,
            ),
            (
                "{argv: [notify-send, x], env: {LEVEL: hi, API_TOKEN: s3cret}}",
                "backup_failure",
                "failure",
                Some("hi"),
            ),
            (
                "{argv: [notify-send, x], env: {}}",
                "user_login",
                "info",
                None,
            ),
        ] {
            let e = event(ev, Some(3));
            let out = prepare(&*channel("command", keys), &e);
            let x = exec(&out);
            assert_eq!(x.argv, ["notify-send", "x"], "{keys}");
            assert_eq!(var(x, "BNOTIFY_EVENT"), Some(ev));
            assert_eq!(var(x, "BNOTIFY_STATUS"), Some(status));
            assert_eq!(var(x, "BNOTIFY_TASK"), Some("db"));
            assert_eq!(var(x, "BNOTIFY_TITLE"), Some("T"));
            assert_eq!(var(x, "BNOTIFY_BODY"), Some("B"));
            assert_eq!(var(x, "BNOTIFY_ID"), Some(e.id.as_str()));
            assert_eq!(var(x, "LEVEL"), level, "{keys}");
            // Only the BNOTIFY_* variables unless `env` adds some.
            let own = x
                .env
                .iter()
                .filter(|(k, _)| !k.starts_with("BNOTIFY_"))
                .count();
            let want = if level.is_some() { 2 } else { 0 };
            assert_eq!((x.env.len() - own, own), (6, want), "{keys}");
            let stdin: serde_json::Value = serde_json::from_slice(&x.stdin).unwrap();
            assert_eq!(stdin["event"], ev);
            assert_eq!(stdin["status"], status);
            assert_eq!(stdin["task"], "db");
            assert_eq!(stdin["error"], "disk full");
            assert_eq!(stdin["title"], "T");
            assert_eq!(stdin["body"], "B");
            assert_eq!(stdin["fields"]["exit_code"], 3);
            assert!(x.attachments.is_empty());
        }
        // A value under a secret-looking name in `env` is masked in every output.
        let ch = channel(
            "command",
            "{argv: [x], env: {API_TOKEN: s3cret, DB_PASSWORD: pw9, LEVEL: hi}}",
        );
        assert_eq!(ch.secrets(), ["s3cret", "pw9"]);
        let e = channel("command", "{argv: []}").validate().unwrap_err();
        assert_eq!(e.key, Some("argv"));
        assert!(channel("command", "{argv: ['']}").validate().is_err());
    }

    /// Files are handed over as files, not inside the stdin JSON.
    #[test]
    fn attachments_are_files_not_stdin() {
        let mut e = event("backup_failure", None);
        e.attachments = vec![crate::attach::Attachment::new(
            "run.log".into(),
            b"log".to_vec(),
        )];
        let out = prepare(&*channel("command", "{argv: [x]}"), &e);
        let x = exec(&out);
        assert_eq!(x.attachments.len(), 1);
        assert_eq!(x.attachments[0].name, "run.log");
        let stdin: serde_json::Value = serde_json::from_slice(&x.stdin).unwrap();
        assert!(stdin.get("attachments").is_none(), "{stdin}");
    }

    /// Hostile text passes unchanged; a body over 32 KiB is cut in its variable (Linux
    /// refuses an environment string over 128 KiB) but whole on stdin.
    #[test]
    fn hostile_and_huge_text() {
        let ch = channel("command", "{argv: [x]}");
        let long = hostile_long_body();
        let out =
            prepare_with_texts(&*ch, &event("backup_failure", None), HOSTILE_TITLE, &long).unwrap();
        let x = exec(&out);
        assert_eq!(var(x, "BNOTIFY_TITLE"), Some(HOSTILE_TITLE));
        assert_eq!(var(x, "BNOTIFY_BODY"), Some(long.as_str()));
        let huge = format!("START {} END", "漢字ログ🔥\n".repeat(12_000));
        let out = prepare_with_texts(&*ch, &event("backup_failure", None), "T", &huge).unwrap();
        let x = exec(&out);
        let body = var(x, "BNOTIFY_BODY").unwrap();
        assert!(body.len() <= 32 * 1024, "{}", body.len());
        assert!(body.len() > 30 * 1024, "{}", body.len());
        assert!(body.starts_with("START") && body.ends_with("END"));
        assert!(body.contains("characters cut"));
        let stdin: serde_json::Value = serde_json::from_slice(&x.stdin).unwrap();
        assert_eq!(stdin["body"], huge);
    }
}
