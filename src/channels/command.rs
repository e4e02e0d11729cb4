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
    use super::super::testkit::{channel, event, prepare};
    use super::super::Outgoing;

    #[test]
    fn argv_env_and_the_event_on_stdin() {
        let ch = channel("command", "{argv: [notify-send, x], env: {LEVEL: hi}}");
        for (ev, status) in [("backup_failure", "failure"), ("backup_start", "start")] {
            let out = prepare(&*ch, &event(ev, None));
            let Outgoing::Exec(x) = &out[0] else {
                panic!("{ev}: not a command")
            };
            assert_eq!(x.argv, ["notify-send", "x"]);
            let env = |k: &str| x.env.iter().find(|(n, _)| n == k).map(|(_, v)| v.as_str());
            assert_eq!(env("BNOTIFY_EVENT"), Some(ev));
            assert_eq!(env("BNOTIFY_STATUS"), Some(status));
            assert_eq!(env("BNOTIFY_TASK"), Some("db"));
            assert_eq!(env("LEVEL"), Some("hi"));
            let stdin: serde_json::Value = serde_json::from_slice(&x.stdin).unwrap();
            assert_eq!(stdin["event"], ev);
        }
    }
}
