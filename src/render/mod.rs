//! Titles and bodies (SPEC §6): the built-in defaults, and minijinja templates over the
//! event with the `humansize`, `humanduration` and `truncate` filters.

pub(crate) mod cut;
pub(crate) mod escape;

pub(crate) use cut::{cut, cut_plain, Unit};

use minijinja::{Environment, UndefinedBehavior};
use serde_json::Value;

use crate::event::{human_duration, human_size, Event, Status};

/// A template that failed to compile or render.
#[derive(Debug, Clone, thiserror::Error)]
#[error("{which} template error{}: {message}", line.map(|l| format!(" at line {l}")).unwrap_or_default())]
pub(crate) struct RenderError {
    /// Which template (`title`, `body`, `payload`).
    pub which: String,
    /// 1-based line in the template.
    pub line: Option<usize>,
    /// What went wrong.
    pub message: String,
}

/// Steps one rendering may take: far above any real title, body or payload template,
/// far below what a runaway loop needs (SPEC §4).
pub(crate) const FUEL: u64 = 200_000;
/// Output one rendering may produce.
pub(crate) const MAX_OUTPUT: usize = 1024 * 1024;

fn environment() -> Environment<'static> {
    let mut env = Environment::new();
    env.set_undefined_behavior(UndefinedBehavior::Lenient);
    env.set_fuel(Some(FUEL));
    env.add_filter("humansize", |v: Option<f64>| {
        v.map(|b| human_size(b.max(0.0) as u64)).unwrap_or_default()
    });
    env.add_filter("humanduration", |v: Option<f64>| {
        v.map(|ms| human_duration(ms.max(0.0) as u64))
            .unwrap_or_default()
    });
    env.add_filter("truncate", |s: String, n: Option<usize>| {
        truncate(&s, n.unwrap_or(255))
    });
    env
}

/// Render `source` over `ctx` within the step budget ([`FUEL`]) and the output cap
/// ([`MAX_OUTPUT`]); errors name `which` template and the line.
pub(crate) fn render(which: &str, source: &str, ctx: &Value) -> Result<String, RenderError> {
    let env = environment();
    let tmpl = env
        .template_from_str(source)
        .map_err(|e| render_error(which, &e))?;
    let mut out = Capped(Vec::new());
    let rendered = tmpl.render_captured_to(ctx, &mut out).map(|_| ());
    match rendered {
        Ok(()) => Ok(String::from_utf8_lossy(&out.0).into_owned()),
        Err(e) if e.kind() == minijinja::ErrorKind::WriteFailure => Err(RenderError {
            which: which.to_string(),
            line: e.line(),
            message: format!(
                "the output exceeds {} MiB; check the template for a runaway loop",
                MAX_OUTPUT / 1024 / 1024
            ),
        }),
        Err(e) if e.kind() == minijinja::ErrorKind::OutOfFuel => Err(RenderError {
            which: which.to_string(),
            line: e.line(),
            message: format!(
                "the template takes more than {FUEL} steps; check it for a runaway loop"
            ),
        }),
        Err(e) => Err(render_error(which, &e)),
    }
}

/// A buffer that refuses to grow past [`MAX_OUTPUT`].
struct Capped(Vec<u8>);

impl std::io::Write for Capped {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        if self.0.len() + buf.len() > MAX_OUTPUT {
            return Err(std::io::Error::other("output limit"));
        }
        self.0.extend_from_slice(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// Compile `source` without rendering it (for `config check`).
pub(crate) fn check(which: &str, source: &str) -> Result<(), RenderError> {
    let env = environment();
    env.template_from_str(source)
        .map(|_| ())
        .map_err(|e| render_error(which, &e))
}

fn render_error(which: &str, e: &minijinja::Error) -> RenderError {
    RenderError {
        which: which.to_string(),
        line: e.line(),
        message: e
            .detail()
            .map_or_else(|| e.kind().to_string(), str::to_string),
    }
}

/// Cut `s` to at most `max` characters, ending with `…` when cut.
pub(crate) fn truncate(s: &str, max: usize) -> String {
    if s.chars().count() <= max {
        return s.to_string();
    }
    let keep = max.saturating_sub(1);
    let mut out: String = s.chars().take(keep).collect();
    out.push('…');
    out
}

/// The title and body for one endpoint: its own templates, else the global ones, else
/// the caller's `--title`/`--body`, else the defaults.
pub(crate) fn texts(
    event: &Event,
    endpoint: (&str, &str),
    own: (Option<&str>, Option<&str>),
    global: (Option<&str>, Option<&str>),
) -> Result<(String, String), RenderError> {
    let mut ctx = event.to_payload("", "");
    if let Value::Object(m) = &mut ctx {
        m.insert("title".into(), event.title.clone().into());
        m.insert("body".into(), event.body.clone().into());
        m.insert("default_title".into(), default_title(event).into());
        m.insert("default_body".into(), default_body(event).into());
        m.insert(
            "endpoint".into(),
            serde_json::json!({"name": endpoint.0, "type": endpoint.1}),
        );
    }
    let title = match own.0.or(global.0) {
        Some(t) => render("title", t, &ctx)?.trim().to_string(),
        None => event.title.clone().unwrap_or_else(|| default_title(event)),
    };
    let body = match own.1.or(global.1) {
        Some(t) => render("body", t, &ctx)?.trim_end().to_string(),
        None => event.body.clone().unwrap_or_else(|| default_body(event)),
    };
    Ok((title, body))
}

/// `Backup failed: mysql-daily on db1`.
pub(crate) fn default_title(ev: &Event) -> String {
    let mut t = headline(ev);
    if let Some(task) = ev.task.as_deref().filter(|t| !t.is_empty()) {
        t.push_str(": ");
        t.push_str(task);
    }
    if let Some(host) = ev.host.as_deref().filter(|h| !h.is_empty()) {
        t.push_str(" on ");
        t.push_str(host);
    }
    t
}

/// `Backup failed`, `Restore started`, `System error`, `User login`.
fn headline(ev: &Event) -> String {
    if ev.event == "test" {
        return "Test notification from bnotify".to_string();
    }
    let outcome = |s: Status| match s {
        Status::Start => "started",
        Status::Success => "succeeded",
        Status::Failure => "failed",
        Status::Info => "",
    };
    let stripped = crate::event::STATUS_SUFFIXES
        .iter()
        .find_map(|(suffix, _)| {
            ev.event
                .strip_suffix(suffix)
                .filter(|s| !s.is_empty())
                .map(|s| (s, *suffix))
        });
    let recovered = ev.status == Status::Success && ev.fields.contains_key("failing_since");
    let head = match stripped {
        Some((subject, _)) if recovered => format!("{} recovered", humanize(subject)),
        Some((subject, "_error")) => format!("{} error", humanize(subject)),
        Some((subject, _)) => format!("{} {}", humanize(subject), outcome(ev.status)),
        None if ev.status == Status::Failure && !ev.event.ends_with("_missed") => {
            format!("{} failed", humanize(&ev.event))
        }
        None => humanize(&ev.event),
    };
    head.trim_end().to_string()
}

fn humanize(name: &str) -> String {
    let spaced = name.replace(['_', '-'], " ");
    let mut chars = spaced.chars();
    match chars.next() {
        Some(c) => c.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

/// One line per known fact, absent ones left out.
pub(crate) fn default_body(ev: &Event) -> String {
    let mut lines: Vec<String> = Vec::new();
    if let Some(m) = &ev.message {
        lines.push(m.clone());
    }
    if let Some(e) = &ev.error {
        lines.push(format!("Error: {e}"));
    }
    if let Some(since) = ev
        .fields
        .get("failing_since")
        .filter(|_| ev.status == Status::Success)
    {
        lines.push(format!(
            "Recovered: it had been failing since {}",
            plain(since)
        ));
    }
    if let Some(b) = &ev.backup {
        if let Some(size) = b.size {
            lines.push(format!("Size: {}", human_size(size)));
        }
    }
    if let Some(ms) = ev.duration_ms {
        lines.push(format!("Duration: {}", human_duration(ms)));
    }
    if let Some(b) = &ev.backup {
        match (&b.id, &b.comment) {
            (Some(id), Some(c)) => lines.push(format!("Backup: {id} ({c})")),
            (Some(id), None) => lines.push(format!("Backup: {id}")),
            (None, Some(c)) => lines.push(format!("Backup: {c}")),
            (None, None) => {}
        }
        if !b.tags.is_empty() {
            lines.push(format!("Tags: {}", b.tags.join(", ")));
        }
    }
    if let Some(p) = &ev.dump_path {
        lines.push(format!("Dump: {p}"));
    }
    if let Some(code) = ev.fields.get("exit_code") {
        lines.push(format!("Exit code: {}", plain(code)));
    }
    match (&ev.operator, &ev.source) {
        (Some(o), Some(s)) => lines.push(format!("By: {o} ({s})")),
        (Some(o), None) => lines.push(format!("By: {o}")),
        (None, Some(s)) => lines.push(format!("Source: {s}")),
        (None, None) => {}
    }
    if let Some(n) = ev.fields.get("suppressed").and_then(Value::as_u64) {
        let since = ev
            .fields
            .get("suppressed_since")
            .map(plain)
            .unwrap_or_default();
        lines.push(format!(
            "Held back: {n} more like this since {since} (throttle)"
        ));
    }
    lines.push(format!("Time: {}", ev.timestamp));
    lines.join("\n")
}

fn plain(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::event::Backup;

    fn ev(name: &str) -> Event {
        Event {
            event: name.into(),
            status: crate::event::status_for(name),
            task: Some("mysql-daily".into()),
            host: Some("db1".into()),
            timestamp: "2026-11-23T22:10:00Z".into(),
            ..Event::default()
        }
    }

    #[test]
    fn titles() {
        for (name, want) in [
            ("backup_failure", "Backup failed: mysql-daily on db1"),
            ("backup_success", "Backup succeeded: mysql-daily on db1"),
            ("restore_start", "Restore started: mysql-daily on db1"),
            ("system_error", "System error: mysql-daily on db1"),
            ("user_login", "User login: mysql-daily on db1"),
            ("db_dump_completed", "Db dump succeeded: mysql-daily on db1"),
            ("test", "Test notification from bnotify: mysql-daily on db1"),
        ] {
            assert_eq!(default_title(&ev(name)), want, "{name}");
        }
    }

    #[test]
    fn body_lists_what_is_known() {
        let mut e = ev("backup_failure");
        e.error = Some("disk full".into());
        e.duration_ms = Some(252_000);
        e.backup = Some(Backup {
            id: Some("b-42".into()),
            size: Some(1_610_612_736),
            tags: vec!["daily".into(), "db".into()],
            ..Backup::default()
        });
        assert_eq!(
            default_body(&e),
            "Error: disk full\nSize: 1.5 GiB\nDuration: 4m 12s\nBackup: b-42\nTags: daily, db\nTime: 2026-11-23T22:10:00Z"
        );
    }

    #[test]
    fn templates_and_filters() {
        let mut e = ev("backup_success");
        e.backup = Some(Backup {
            size: Some(2048),
            ..Backup::default()
        });
        e.duration_ms = Some(61_000);
        let (t, b) = texts(
            &e,
            ("ops", "webhook"),
            (Some("{{ task | upper }} via {{ endpoint.name }}"), None),
            (None, Some("{{ backup.size | humansize }} in {{ duration_ms | humanduration }}; {{ 'abcdef' | truncate(4) }}")),
        )
        .unwrap();
        assert_eq!(t, "MYSQL-DAILY via ops");
        assert_eq!(b, "2 KiB in 1m 1s; abc…");
    }

    #[test]
    fn runaway_templates_fail_fast() {
        let ctx = serde_json::json!({});
        let t0 = std::time::Instant::now();
        for (src, want) in [
            (
                "{% for i in range(100000) %}{% for j in range(100000) %}x{% endfor %}{% endfor %}",
                "steps",
            ),
            (
                "{% for i in range(90) %}{{ 'x' * 100000 }}{% endfor %}",
                "exceeds 1 MiB",
            ),
        ] {
            let err = render("body", src, &ctx).unwrap_err().to_string();
            assert!(err.contains(want), "{src}: {err}");
        }
        assert!(t0.elapsed() < std::time::Duration::from_secs(5));
        assert_eq!(
            render("body", "{% for i in range(3) %}{{ i }}{% endfor %}", &ctx).unwrap(),
            "012"
        );
    }

    #[test]
    fn template_error_names_line() {
        let err = texts(
            &ev("x"),
            ("a", "b"),
            (None, Some("ok\n{{ nope(")),
            (None, None),
        )
        .unwrap_err();
        assert_eq!(err.which, "body");
        assert_eq!(err.line, Some(2));
    }
}
