//! The one event model (SPEC §3): built from a JSON payload and command-line flags
//! (flags win), with its status derived from the event name. Pure functions only.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

pub(crate) use crate::units::{check_rfc3339, human_duration, human_size, now_rfc3339, parse_size};

/// The outcome an event reports.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub(crate) enum Status {
    /// Something began.
    Start,
    /// Something finished well.
    Success,
    /// Something went wrong.
    Failure,
    /// Anything else.
    #[default]
    Info,
}

impl Status {
    /// The lowercase name used on the wire and in configs.
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            Status::Start => "start",
            Status::Success => "success",
            Status::Failure => "failure",
            Status::Info => "info",
        }
    }

    /// Parse `start|success|failure|info`.
    pub(crate) fn parse(s: &str) -> Option<Status> {
        match s {
            "start" => Some(Status::Start),
            "success" => Some(Status::Success),
            "failure" => Some(Status::Failure),
            "info" => Some(Status::Info),
            _ => None,
        }
    }
}

/// Events bnotify knows by name, with the status each maps to.
pub(crate) const KNOWN_EVENTS: &[(&str, Status)] = &[
    ("backup_start", Status::Start),
    ("backup_success", Status::Success),
    ("backup_failure", Status::Failure),
    ("backup_report", Status::Success),
    ("restore_start", Status::Start),
    ("restore_success", Status::Success),
    ("restore_failure", Status::Failure),
    ("config_backup", Status::Success),
    ("system_error", Status::Failure),
    ("backup_missed", Status::Failure),
    ("user_login", Status::Info),
    ("user_created", Status::Info),
    ("test", Status::Info),
];

/// The event `send --to` sends when `--event` is not given (status info).
pub(crate) const TO_EVENT: &str = "notification";

/// Name suffixes of custom events and the status each implies.
pub(crate) const STATUS_SUFFIXES: &[(&str, Status)] = &[
    ("_start", Status::Start),
    ("_started", Status::Start),
    ("_success", Status::Success),
    ("_succeeded", Status::Success),
    ("_completed", Status::Success),
    ("_finished", Status::Success),
    ("_failure", Status::Failure),
    ("_failed", Status::Failure),
    ("_error", Status::Failure),
];

/// The status of an event name: the known table first, then the name's suffix, else info.
pub(crate) fn status_for(event: &str) -> Status {
    if let Some((_, s)) = KNOWN_EVENTS.iter().find(|(n, _)| *n == event) {
        return *s;
    }
    STATUS_SUFFIXES
        .iter()
        .find(|(suffix, _)| event.len() > suffix.len() && event.ends_with(suffix))
        .map_or(Status::Info, |(_, s)| *s)
}

/// Whether `name` is in the known-events table.
pub(crate) fn is_known(name: &str) -> bool {
    KNOWN_EVENTS.iter().any(|(n, _)| *n == name)
}

/// What a backup event says about the backup itself.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct Backup {
    /// Backup identifier.
    pub id: Option<String>,
    /// Free-text comment.
    pub comment: Option<String>,
    /// Date of the backup.
    pub date: Option<String>,
    /// Tags.
    #[serde(default)]
    pub tags: Vec<String>,
    /// Size in bytes.
    pub size: Option<u64>,
}

/// One event, whatever built it.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub(crate) struct Event {
    /// Event name, e.g. `backup_failure`.
    pub event: String,
    /// Outcome.
    pub status: Status,
    /// Job or task name.
    pub task: Option<String>,
    /// Run id (UUID unless given).
    pub id: String,
    /// When the event was built (RFC 3339, UTC).
    pub timestamp: String,
    /// Host the event is about.
    pub host: Option<String>,
    /// What happened.
    pub message: Option<String>,
    /// The error.
    pub error: Option<String>,
    /// Title given by the caller (the rendered title may differ per endpoint).
    pub title: Option<String>,
    /// Body given by the caller.
    pub body: Option<String>,
    /// Backup details, when any was given.
    pub backup: Option<Backup>,
    /// Who started it.
    pub operator: Option<String>,
    /// What triggered it.
    pub source: Option<String>,
    /// Dump location.
    pub dump_path: Option<String>,
    /// Start time (RFC 3339).
    pub started_at: Option<String>,
    /// End time (RFC 3339).
    pub finished_at: Option<String>,
    /// Duration in milliseconds.
    pub duration_ms: Option<u64>,
    /// Every other key.
    #[serde(default)]
    pub fields: Map<String, Value>,
    /// Attached files (`send --attach`), present in the payload only when there are some.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub attachments: Vec<crate::attach::Attachment>,
    /// Files that were asked for but left out, each as `path: why` (the body says so).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub left_out: Vec<String>,
}

/// What the caller says about an event, field by field (from `send`'s flags, or built
/// by `run` and `test notify`); every value is optional and wins over the payload's.
#[derive(Debug, Clone, Default)]
pub(crate) struct Input {
    /// Job or task name.
    pub task: Option<String>,
    /// `start`, `success`, `failure` or `info`.
    pub status: Option<String>,
    /// What happened.
    pub message: Option<String>,
    /// The error.
    pub error: Option<String>,
    /// Title.
    pub title: Option<String>,
    /// Body.
    pub body: Option<String>,
    /// Backup id.
    pub backup_id: Option<String>,
    /// Backup comment.
    pub backup_comment: Option<String>,
    /// Backup date.
    pub backup_date: Option<String>,
    /// Backup size in bytes.
    pub backup_size: Option<u64>,
    /// Backup tags.
    pub tags: Vec<String>,
    /// Who started it.
    pub operator: Option<String>,
    /// What triggered it.
    pub source: Option<String>,
    /// Host the event is about.
    pub host: Option<String>,
    /// Start time (RFC 3339).
    pub started_at: Option<String>,
    /// End time (RFC 3339).
    pub finished_at: Option<String>,
    /// Duration.
    pub duration: Option<std::time::Duration>,
    /// Dump location.
    pub dump_path: Option<String>,
    /// Run id.
    pub id: Option<String>,
    /// Extra fields.
    pub fields: Vec<(String, String)>,
}

/// A payload or flag value that does not fit the event model.
#[derive(Debug, thiserror::Error)]
#[error("payload key \"{key}\": {problem}")]
pub(crate) struct PayloadError {
    /// The offending key.
    pub key: String,
    /// What is wrong with it, and the fix.
    pub problem: String,
}

fn bad(key: &str, problem: impl Into<String>) -> PayloadError {
    PayloadError {
        key: key.to_string(),
        problem: problem.into(),
    }
}

impl Event {
    /// Build an event from its name, an optional JSON payload object and the flags.
    /// Keys of the model fill the model, other payload keys go to `fields`; flags win.
    pub(crate) fn from_parts(
        name: &str,
        payload: Option<Map<String, Value>>,
        flags: &Input,
        default_host: impl FnOnce() -> String,
    ) -> Result<Event, PayloadError> {
        let mut ev = Event {
            event: name.to_string(),
            status: status_for(name),
            ..Event::default()
        };
        if let Some(map) = payload {
            ev.merge_payload(map)?;
        }
        ev.apply_flags(flags)?;
        if ev.id.is_empty() {
            ev.id = uuid::Uuid::new_v4().to_string();
        }
        if ev.timestamp.is_empty() {
            ev.timestamp = now_rfc3339();
        }
        if ev.host.is_none() {
            ev.host = Some(default_host());
        }
        if ev.event.is_empty() {
            return Err(bad("event", "the event name is empty; pass --event NAME"));
        }
        ev.cap_texts();
        Ok(ev)
    }

    fn merge_payload(&mut self, map: Map<String, Value>) -> Result<(), PayloadError> {
        for (key, value) in map {
            match key.as_str() {
                "event" => {
                    if self.event.is_empty() {
                        self.event = want_string(&key, value)?.unwrap_or_default();
                    }
                }
                "status" => {
                    if let Some(s) = want_string(&key, value)? {
                        self.status = Status::parse(&s).ok_or_else(|| {
                            bad(
                                &key,
                                format!("\"{s}\" is not one of start, success, failure, info"),
                            )
                        })?;
                    }
                }
                "task" | "job" => self.task = want_string(&key, value)?,
                "id" => self.id = want_string(&key, value)?.unwrap_or_default(),
                "timestamp" => self.timestamp = want_string(&key, value)?.unwrap_or_default(),
                "host" => self.host = want_string(&key, value)?,
                "message" => self.message = want_string(&key, value)?,
                "error" => self.error = want_string(&key, value)?,
                "title" => self.title = want_string(&key, value)?,
                "body" => self.body = want_string(&key, value)?,
                "operator" => self.operator = want_string(&key, value)?,
                "source" => self.source = want_string(&key, value)?,
                "dump_path" => self.dump_path = want_string(&key, value)?,
                "started_at" => self.started_at = want_string(&key, value)?,
                "finished_at" => self.finished_at = want_string(&key, value)?,
                "duration_ms" => self.duration_ms = want_millis(&key, value)?,
                "backup" => self.backup = want_backup(value)?,
                "fields" => match value {
                    Value::Object(m) => self.fields.extend(m),
                    Value::Null => {}
                    _ => return Err(bad(&key, "must be a JSON object")),
                },
                "desp" | "attachments" | "left_out" => {}
                _ => {
                    self.fields.insert(key, value);
                }
            }
        }
        Ok(())
    }

    /// `name` with the sample data of `test notify`: task `bnotify-test`, a backup id,
    /// size, duration and tags, and an error when the event is a failure.
    pub(crate) fn sample(name: &str, default_host: impl FnOnce() -> String) -> Event {
        let input = Input {
            task: Some("bnotify-test".into()),
            message: Some("This is a test notification sent by \"bnotify test notify\".".into()),
            backup_id: Some("test-backup-0001".into()),
            backup_size: Some(1_610_612_736),
            duration: Some(std::time::Duration::from_secs(252)),
            tags: vec!["test".into(), "sample".into()],
            ..Input::default()
        };
        let mut ev = Event::from_input(name, &input, default_host);
        if ev.status == Status::Failure {
            ev.error = Some("sample error: no space left on device (this is a test)".into());
        }
        ev
    }

    /// An event from `name` and `input` alone (no payload).
    pub(crate) fn from_input(
        name: &str,
        input: &Input,
        default_host: impl FnOnce() -> String,
    ) -> Event {
        let mut ev = Event {
            event: name.to_string(),
            status: status_for(name),
            ..Event::default()
        };
        // Without a payload, only `status` can be refused; `run` and `test notify` set none.
        let _ = ev.apply_flags(input);
        ev.id = input
            .id
            .clone()
            .unwrap_or_else(|| uuid::Uuid::new_v4().to_string());
        ev.timestamp = now_rfc3339();
        if ev.host.is_none() {
            ev.host = Some(default_host());
        }
        ev
    }

    fn apply_flags(&mut self, f: &Input) -> Result<(), PayloadError> {
        set(&mut self.task, &f.task);
        set(&mut self.message, &f.message);
        set(&mut self.error, &f.error);
        set(&mut self.title, &f.title);
        set(&mut self.body, &f.body);
        set(&mut self.operator, &f.operator);
        set(&mut self.source, &f.source);
        set(&mut self.host, &f.host);
        set(&mut self.started_at, &f.started_at);
        set(&mut self.finished_at, &f.finished_at);
        set(&mut self.dump_path, &f.dump_path);
        if let Some(s) = &f.status {
            self.status = Status::parse(s).ok_or_else(|| bad("status", "unknown status"))?;
        }
        if let Some(id) = &f.id {
            self.id = id.clone();
        }
        if let Some(d) = f.duration {
            self.duration_ms = Some(u64::try_from(d.as_millis()).unwrap_or(u64::MAX));
        }
        let any_backup = f.backup_id.is_some()
            || f.backup_comment.is_some()
            || f.backup_date.is_some()
            || f.backup_size.is_some()
            || !f.tags.is_empty();
        if any_backup {
            let b = self.backup.get_or_insert_with(Backup::default);
            set(&mut b.id, &f.backup_id);
            set(&mut b.comment, &f.backup_comment);
            set(&mut b.date, &f.backup_date);
            if f.backup_size.is_some() {
                b.size = f.backup_size;
            }
            if !f.tags.is_empty() {
                b.tags = f.tags.clone();
            }
        }
        for (k, v) in &f.fields {
            self.fields.insert(k.clone(), Value::String(v.clone()));
        }
        Ok(())
    }

    /// The §3 JSON object with the rendered `title` and `body` (and `desp` = body).
    pub(crate) fn to_payload(&self, title: &str, body: &str) -> Value {
        let mut v = serde_json::to_value(self).unwrap_or(Value::Null);
        if let Value::Object(m) = &mut v {
            m.remove("left_out");
            if !self.attachments.is_empty() {
                // Names, types and sizes only: the bytes never enter a template context.
                let list = self
                    .attachments
                    .iter()
                    .map(crate::attach::metadata)
                    .collect();
                m.insert("attachments".into(), Value::Array(list));
            }
            m.insert("title".into(), Value::String(title.to_string()));
            m.insert("body".into(), Value::String(body.to_string()));
            m.insert("desp".into(), Value::String(body.to_string()));
        }
        v
    }

    /// Cut `message`, `error`, `body` and each text in `fields` to [`MAX_TEXT`] bytes,
    /// keeping start and end (a 300 MB error must not become a 300 MB request per
    /// endpoint).
    pub(crate) fn cap_texts(&mut self) {
        for t in [&mut self.message, &mut self.error, &mut self.body]
            .into_iter()
            .flatten()
        {
            cap_text(t, MAX_TEXT);
        }
        for v in self.fields.values_mut() {
            if let Value::String(t) = v {
                cap_text(t, MAX_TEXT);
            }
        }
    }

    /// The task name, or an empty string.
    pub(crate) fn task_or_empty(&self) -> &str {
        self.task.as_deref().unwrap_or("")
    }
}

/// Longest text field kept at intake (bytes).
pub(crate) const MAX_TEXT: usize = 64 * 1024;

/// Cut `t` to at most `max` bytes: its start, a marker saying how much was cut, its end.
fn cap_text(t: &mut String, max: usize) {
    if t.len() <= max {
        return;
    }
    let sep = if t.contains('\n') { "\n" } else { " " };
    let keep = max.saturating_sub(64) / 2;
    let mut head = keep;
    while !t.is_char_boundary(head) {
        head -= 1;
    }
    let mut tail = t.len() - keep;
    while !t.is_char_boundary(tail) {
        tail += 1;
    }
    let removed = t[head..tail].chars().count();
    let mut out = String::with_capacity(max);
    out.push_str(&t[..head]);
    out.push_str(&crate::units::cut_marker(removed, sep));
    out.push_str(&t[tail..]);
    *t = out;
}

fn set(slot: &mut Option<String>, flag: &Option<String>) {
    if let Some(v) = flag {
        *slot = Some(v.clone());
    }
}

fn want_string(key: &str, v: Value) -> Result<Option<String>, PayloadError> {
    match v {
        Value::Null => Ok(None),
        Value::String(s) => Ok(Some(s)),
        Value::Number(n) => Ok(Some(n.to_string())),
        Value::Bool(b) => Ok(Some(b.to_string())),
        _ => Err(bad(key, "must be a string")),
    }
}

fn want_millis(key: &str, v: Value) -> Result<Option<u64>, PayloadError> {
    match v {
        Value::Null => Ok(None),
        Value::Number(n) => n
            .as_u64()
            .or_else(|| n.as_f64().filter(|f| *f >= 0.0).map(|f| f as u64))
            .map(Some)
            .ok_or_else(|| bad(key, "must be a non-negative number of milliseconds")),
        Value::String(s) => humantime::parse_duration(&s)
            .map(|d| Some(u64::try_from(d.as_millis()).unwrap_or(u64::MAX)))
            .map_err(|e| {
                bad(
                    key,
                    format!("{e}; use milliseconds or a duration like \"4m 12s\""),
                )
            }),
        _ => Err(bad(key, "must be a number of milliseconds")),
    }
}

fn want_backup(v: Value) -> Result<Option<Backup>, PayloadError> {
    let Value::Object(mut m) = v else {
        return match v {
            Value::Null => Ok(None),
            _ => Err(bad(
                "backup",
                "must be an object with id, comment, date, tags, size",
            )),
        };
    };
    if let Some(size) = m.get("size").cloned() {
        let bytes = match size {
            Value::String(s) => Value::from(parse_size(&s).map_err(|e| bad("backup.size", e))?),
            other => other,
        };
        m.insert("size".into(), bytes);
    }
    serde_json::from_value(Value::Object(m))
        .map(Some)
        .map_err(|e| bad("backup", e.to_string()))
}

#[cfg(test)]
mod tests;
