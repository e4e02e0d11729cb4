//! Matching endpoints to an event, and delivering to all of them in parallel: one worker
//! per endpoint up to a cap, per-attempt timeouts, retries with exponential backoff,
//! jitter and `Retry-After`, and one deadline over the whole run.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use crate::channels::{DeliveryError, Message, Outgoing};
use crate::config::{Config, Endpoint, When};
use crate::event::{Event, Status};
use crate::redact::Redactor;

mod send;

use send::{send_any, send_each, send_one};

/// Why an endpoint does not take an event (not subscribed, `when`, `tasks`, disabled).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct Declined(pub String);

impl From<String> for Declined {
    fn from(s: String) -> Declined {
        Declined(s)
    }
}

impl From<&str> for Declined {
    fn from(s: &str) -> Declined {
        Declined(s.to_string())
    }
}

impl From<Declined> for String {
    fn from(e: Declined) -> String {
        e.0
    }
}

/// At most this many endpoints are delivered at the same time.
pub(crate) const MAX_PARALLEL: usize = 32;
/// First backoff delay.
pub(crate) const BACKOFF_BASE: Duration = Duration::from_millis(500);
/// Longest wait between two attempts, whatever `Retry-After` says.
pub(crate) const BACKOFF_CAP: Duration = Duration::from_secs(30);

/// Characters of a request body `-vv` prints.
pub(crate) const LOG_BODY_MAX: usize = 4096;

/// How to deliver.
#[derive(Debug, Clone)]
pub(crate) struct Options {
    /// Bound on the whole delivery.
    pub deadline: Duration,
    /// 0 quiet about requests, 1 request lines, 2 headers and bodies too.
    pub verbose: u8,
}

/// The outcome for one endpoint.
#[derive(Debug, Clone, serde::Serialize)]
pub(crate) struct Delivery {
    /// Endpoint name.
    pub endpoint: String,
    /// Endpoint type.
    #[serde(rename = "type")]
    pub kind: &'static str,
    /// Delivered.
    pub ok: bool,
    /// Last HTTP status seen.
    pub status: Option<u16>,
    /// Attempts made.
    pub attempts: u32,
    /// Wall time for this endpoint.
    pub duration_ms: u64,
    /// Why it failed (masked).
    pub error: Option<String>,
    /// Kept in the outbox.
    pub queued: bool,
    /// The endpoint this one stood in for, when it was a fallback.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fallback_for: Option<String>,
    /// Requests (by index) delivered, for channels whose requests stand alone.
    #[serde(skip)]
    pub done: Vec<usize>,
}

/// Why an endpoint does or does not get an event (for `--dry-run` and `-v`).
pub(crate) fn admits(cfg: &Config, ep: &Endpoint, ev: &Event) -> Result<(), Declined> {
    if !ep.enabled {
        return Err("disabled".into());
    }
    let subscribed = match ep.events.as_ref().or(cfg.events.as_ref()) {
        Some(p) => p.matches(&ev.event),
        None => true,
    };
    if !subscribed {
        return Err(format!("not subscribed to {}", ev.event).into());
    }
    admits_status(ep, ev)?;
    admits_task(ep, ev)?;
    Ok(())
}

/// Whether the endpoint's `when` lets the event's status through (`change` is decided
/// later, against the stored state).
pub(crate) fn admits_status(ep: &Endpoint, ev: &Event) -> Result<(), Declined> {
    let ok = match ep.when {
        When::Always | When::Change => true,
        When::Success => ev.status == Status::Success,
        When::Failure => ev.status == Status::Failure,
    };
    if ok {
        Ok(())
    } else {
        Err(format!(
            "when: {} skips status {}",
            ep.when.as_str(),
            ev.status.as_str()
        )
        .into())
    }
}

/// Whether the endpoint's `tasks` globs admit the event's task (an event without a task
/// matches only `*`).
pub(crate) fn admits_task(ep: &Endpoint, ev: &Event) -> Result<(), Declined> {
    let Some(tasks) = &ep.tasks else {
        return Ok(());
    };
    let ok = match ev.task.as_deref() {
        Some(t) => tasks.matches(t),
        None => tasks.has_star(),
    };
    if ok {
        Ok(())
    } else {
        Err(Declined(match ev.task.as_deref() {
            Some(t) => format!("task \"{t}\" is not in tasks {:?}", tasks.raw),
            None => format!(
                "the event has no task and tasks {:?} has no \"*\"",
                tasks.raw
            ),
        }))
    }
}

/// The endpoints that get `ev`: enabled at the root, matching, and named by `only` when given.
pub(crate) fn select<'a>(cfg: &'a Config, ev: &Event, only: &[String]) -> Vec<&'a Endpoint> {
    if !cfg.enabled {
        return Vec::new();
    }
    cfg.endpoints
        .iter()
        .filter(|ep| only.is_empty() || only.contains(&ep.name))
        .filter(|ep| admits(cfg, ep, ev).is_ok())
        .collect()
}

/// Title, body and requests of one endpoint for `ev`.
pub(crate) fn prepare(
    cfg: &Config,
    ep: &Endpoint,
    ev: &Event,
) -> Result<Vec<Outgoing>, DeliveryError> {
    let local;
    let ev = if ev.attachments.is_empty() {
        ev
    } else {
        local = with_attachments_for(ep, ev);
        &local
    };
    let (title, mut body) = crate::render::texts(
        ev,
        (&ep.name, ep.kind.name),
        (ep.title.as_deref(), ep.body.as_deref()),
        (
            cfg.templates.title.as_deref(),
            cfg.templates.body.as_deref(),
        ),
    )
    .map_err(|e| DeliveryError::new(e.to_string()))?;
    body.push_str(&attachment_note(ep, ev));
    if ep.channel.uses_history() {
        crate::state::load_history(&cfg.state_dir);
    }
    let msg = Message {
        event: ev,
        title,
        body,
        endpoint: &ep.name,
        kind: ep.kind.name,
    };
    ep.channel.prepare(&msg)
}

/// `ev` with its attachments cut to the endpoint's limit.
fn with_attachments_for(ep: &Endpoint, ev: &Event) -> Event {
    let max = ep
        .max_attachment_size
        .unwrap_or_else(|| ep.channel.max_attachment_size());
    let mut local = ev.clone();
    local.attachments = ev.attachments.iter().map(|a| a.limited(max)).collect();
    local
}

/// The line the body gets about attachments: which were cut, or which this channel
/// could not carry.
fn attachment_note(ep: &Endpoint, ev: &Event) -> String {
    let left_out: String = ev
        .left_out
        .iter()
        .map(|l| format!("\n\nNot attached: {l}"))
        .collect();
    if ev.attachments.is_empty() {
        return left_out;
    }
    let list = |pick: &dyn Fn(&crate::attach::Attachment) -> bool| {
        ev.attachments
            .iter()
            .filter(|a| pick(a))
            .map(crate::attach::Attachment::describe)
            .collect::<Vec<_>>()
            .join(", ")
    };
    if !ep.channel.carries_attachments() {
        return format!(
            "\n\nNot attached ({} cannot carry files): {}{left_out}",
            ep.kind.name,
            list(&|_| true)
        );
    }
    let cut = list(&|a| a.cut_from.is_some());
    if cut.is_empty() {
        left_out
    } else {
        format!("\n\nCut to fit (max_attachment_size): {cut}{left_out}")
    }
}

/// Deliver each (event, endpoint) pair in parallel, at most [`MAX_PARALLEL`] at a time,
/// all within one deadline; one result per pair, in order. `settle` is called in the
/// worker as soon as a pair's delivery has ended (to update its outbox entry at once).
pub(crate) fn deliver_jobs(
    cfg: &Config,
    jobs: &[(&Event, &Endpoint)],
    opts: &Options,
    redactor: &Redactor,
    done: &[Vec<usize>],
    settle: &(dyn Fn(usize, &mut Delivery) + Sync),
) -> Vec<Delivery> {
    let deadline = Instant::now() + opts.deadline;
    let next = AtomicUsize::new(0);
    let results: Mutex<Vec<Option<Delivery>>> = Mutex::new(vec![None; jobs.len()]);
    let work = || loop {
        let i = next.fetch_add(1, Ordering::Relaxed);
        let Some((ev, ep)) = jobs.get(i) else { break };
        let skip = done.get(i).map_or(&[][..], Vec::as_slice);
        let mut d = deliver_one(cfg, ep, ev, skip, deadline, opts, redactor);
        settle(i, &mut d);
        if let Ok(mut r) = results.lock() {
            r[i] = Some(d);
        }
    };
    // The calling thread is one of the workers: one endpoint costs no thread at all.
    let helpers = jobs.len().min(MAX_PARALLEL).saturating_sub(1);
    std::thread::scope(|s| {
        for _ in 0..helpers {
            s.spawn(work);
        }
        work();
    });
    results
        .into_inner()
        .unwrap_or_default()
        .into_iter()
        .flatten()
        .collect()
}

fn deliver_one(
    cfg: &Config,
    ep: &Endpoint,
    ev: &Event,
    done: &[usize],
    deadline: Instant,
    opts: &Options,
    redactor: &Redactor,
) -> Delivery {
    let started = Instant::now();
    let mut d = Delivery {
        endpoint: ep.name.clone(),
        kind: ep.kind.name,
        ok: false,
        status: None,
        attempts: 0,
        duration_ms: 0,
        error: None,
        queued: false,
        fallback_for: None,
        done: Vec::new(),
    };
    let outcome = prepare(cfg, ep, ev).and_then(|reqs| {
        // email keeps its own tls_insecure (it is not an HTTP key)
        let smtp_insecure = reqs
            .iter()
            .any(|r| matches!(r, Outgoing::Smtp(m) if m.tls_insecure));
        if ep.tls_insecure || smtp_insecure {
            errln!(
                "warning: endpoint \"{}\": TLS certificates are not checked (tls_insecure: true)",
                ep.name
            );
        }
        if ep.channel.any_suffices() && reqs.len() > 1 {
            return send_any(ep, &reqs, deadline, opts, redactor, &mut d);
        }
        if ep.channel.independent_requests() && reqs.len() > 1 {
            return send_each(ep, &reqs, done, deadline, opts, redactor, &mut d);
        }
        let mut reqs = reqs;
        for i in 0..reqs.len() {
            let reply = send_one(ep, &reqs[i], deadline, opts, redactor, &mut d)?;
            if let Some(reply) = reply {
                for later in &mut reqs[i + 1..] {
                    if let Outgoing::Http(h) = later {
                        ep.channel.follow(&reply, h)?;
                    }
                }
            }
        }
        Ok(())
    });
    if let Err(e) = outcome {
        d.status = e.status.or(d.status);
        d.error = Some(crate::sanitize::clean(&redactor.mask(&e.message)).into_owned());
    } else {
        d.ok = true;
    }
    d.duration_ms = u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX);
    d
}

/// A header value as printed: masked entirely when its name says it is a credential.
pub(crate) fn mask_header(name: &str, value: &str, r: &Redactor) -> String {
    if crate::redact::is_secret_key(name) {
        crate::redact::MASK.to_string()
    } else {
        r.mask(value)
    }
}

/// Body bytes as printable text.
pub(crate) fn body_text(body: &[u8]) -> String {
    match std::str::from_utf8(body) {
        Ok(s) => s.to_string(),
        Err(_) => format!("<{} bytes of binary data>", body.len()),
    }
}

#[cfg(test)]
mod tests {
    use super::send::backoff;
    use super::*;

    #[test]
    fn backoff_grows_and_is_capped() {
        for tries in 1..6 {
            let want = BACKOFF_BASE * (1 << (tries - 1));
            let got = backoff(tries, None);
            assert!(
                got >= want.mul_f64(0.75) && got <= want.mul_f64(1.25),
                "{tries}: {got:?}"
            );
        }
        assert_eq!(backoff(30, None), BACKOFF_CAP);
        assert_eq!(
            backoff(1, Some(Duration::from_secs(3))),
            Duration::from_secs(3)
        );
        assert_eq!(backoff(1, Some(Duration::from_secs(3600))), BACKOFF_CAP);
    }
}
