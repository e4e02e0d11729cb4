//! Matching endpoints to an event, and delivering to all of them in parallel: one worker
//! per endpoint up to a cap, per-attempt timeouts, retries with exponential backoff,
//! jitter and `Retry-After`, and one deadline over the whole run.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use crate::channels::{DeliveryError, HttpRequest, Message, Outgoing};
use crate::config::{Config, Endpoint, When};
use crate::event::{Event, Status};
use crate::redact::Redactor;

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
pub const MAX_PARALLEL: usize = 32;
/// First backoff delay.
pub const BACKOFF_BASE: Duration = Duration::from_millis(500);
/// Longest wait between two attempts, whatever `Retry-After` says.
pub const BACKOFF_CAP: Duration = Duration::from_secs(30);

/// Characters of a request body `-vv` prints.
pub const LOG_BODY_MAX: usize = 4096;

/// How to deliver.
#[derive(Debug, Clone)]
pub struct Options {
    /// Bound on the whole delivery.
    pub deadline: Duration,
    /// 0 quiet about requests, 1 request lines, 2 headers and bodies too.
    pub verbose: u8,
}

/// The outcome for one endpoint.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Delivery {
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
pub fn admits(cfg: &Config, ep: &Endpoint, ev: &Event) -> Result<(), Declined> {
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
pub fn admits_status(ep: &Endpoint, ev: &Event) -> Result<(), Declined> {
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
pub fn admits_task(ep: &Endpoint, ev: &Event) -> Result<(), Declined> {
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
pub fn select<'a>(cfg: &'a Config, ev: &Event, only: &[String]) -> Vec<&'a Endpoint> {
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
pub fn prepare(cfg: &Config, ep: &Endpoint, ev: &Event) -> Result<Vec<Outgoing>, DeliveryError> {
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
pub fn deliver_jobs(
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
            crate::errln!(
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

/// Requests that stand alone (one per file, one per recipient): each is tried, those in
/// `done` (delivered by an earlier attempt) are skipped, and the delivered ones are
/// recorded so that a flush sends only the rest. Fails with the first failure.
fn send_each(
    ep: &Endpoint,
    reqs: &[Outgoing],
    done: &[usize],
    deadline: Instant,
    opts: &Options,
    redactor: &Redactor,
    d: &mut Delivery,
) -> Result<(), DeliveryError> {
    let mut first = None;
    d.done = done.to_vec();
    for (i, req) in reqs.iter().enumerate() {
        if done.contains(&i) {
            continue;
        }
        match send_one(ep, req, deadline, opts, redactor, d) {
            Ok(_) => d.done.push(i),
            Err(e) => {
                first.get_or_insert(e);
            }
        }
    }
    first.map_or(Ok(()), Err)
}

/// Send every request at once (an HA cluster's members, each with its own retries):
/// delivered when one accepted, with a warning naming each that did not; failed, with
/// every reason, when none did.
fn send_any(
    ep: &Endpoint,
    reqs: &[Outgoing],
    deadline: Instant,
    opts: &Options,
    redactor: &Redactor,
    d: &mut Delivery,
) -> Result<(), DeliveryError> {
    let each: Vec<(Result<(), DeliveryError>, Delivery)> = std::thread::scope(|s| {
        let workers: Vec<_> = reqs
            .iter()
            .map(|req| {
                let mut mine = d.clone();
                mine.attempts = 0;
                s.spawn(move || {
                    (
                        send_one(ep, req, deadline, opts, redactor, &mut mine).map(|_| ()),
                        mine,
                    )
                })
            })
            .collect();
        workers.into_iter().filter_map(|w| w.join().ok()).collect()
    });
    let mut errors = Vec::new();
    for ((r, mine), req) in each.into_iter().zip(reqs) {
        d.attempts += mine.attempts;
        if r.is_ok() || d.status.is_none() {
            d.status = mine.status.or(d.status);
        }
        if let Err(mut e) = r {
            if let Outgoing::Http(h) = req {
                e.message = format!("{}: {}", h.url, e.message);
            }
            errors.push(e);
        }
    }
    if errors.len() < reqs.len() {
        for e in &errors {
            crate::errln!(
                "warning: endpoint \"{}\": {}",
                ep.name,
                redactor.mask(&e.message)
            );
        }
        return Ok(());
    }
    let message = errors
        .iter()
        .map(|e| e.message.as_str())
        .collect::<Vec<_>>()
        .join("; ");
    Err(DeliveryError {
        message,
        ..errors.pop().unwrap_or_default()
    })
}

/// Send one request with retries: every kind of request shares the attempt, backoff and
/// deadline logic; only the attempt itself differs. An HTTP request returns its reply.
fn send_one(
    ep: &Endpoint,
    req: &Outgoing,
    deadline: Instant,
    opts: &Options,
    redactor: &Redactor,
    d: &mut Delivery,
) -> Result<Option<crate::channels::Reply>, DeliveryError> {
    match req {
        Outgoing::Http(h) => {
            let agent = crate::http::agent(&h.url, ep.ca_file.as_deref(), ep.tls_insecure)
                .map_err(DeliveryError::new)?;
            let mut last = None;
            with_retries(ep, deadline, opts, redactor, d, |timeout, d| {
                log_request(ep, h, opts.verbose, redactor);
                let t0 = Instant::now();
                crate::http::send(&agent, h, &ep.headers, timeout).and_then(|reply| {
                    d.status = Some(reply.status);
                    log_reply(ep, &reply, t0.elapsed(), opts.verbose, redactor);
                    let judged = ep.channel.check(&reply);
                    last = Some(reply);
                    judged
                })
            })?;
            Ok(last)
        }
        Outgoing::Smtp(m) => with_retries(ep, deadline, opts, redactor, d, |timeout, _| {
            if opts.verbose > 0 {
                crate::errln!("> {} SMTP {}:{} ({:?})", ep.name, m.host, m.port, m.crypto);
            }
            crate::smtp::send(m, timeout)
        })
        .map(|()| None),
        Outgoing::Exec(x) => with_retries(ep, deadline, opts, redactor, d, |timeout, _| {
            if opts.verbose > 0 {
                crate::errln!("> {} exec {}", ep.name, redactor.mask(&x.argv.join(" ")));
            }
            crate::exec::run(x, timeout)
        })
        .map(|()| None),
        Outgoing::Mqtt(m) => with_retries(ep, deadline, opts, redactor, d, |timeout, _| {
            if opts.verbose > 0 {
                crate::errln!("> {} MQTT {}", ep.name, redactor.mask(&m.url));
            }
            crate::mqtt::publish(m, timeout)
        })
        .map(|()| None),
        Outgoing::File(f) => with_retries(ep, deadline, opts, redactor, d, |_, _| {
            if opts.verbose > 0 {
                crate::errln!("> {} write {}", ep.name, f.path.display());
            }
            f.write()
        })
        .map(|()| None),
    }
}

fn with_retries(
    ep: &Endpoint,
    deadline: Instant,
    opts: &Options,
    redactor: &Redactor,
    d: &mut Delivery,
    mut attempt: impl FnMut(Duration, &mut Delivery) -> Result<(), DeliveryError>,
) -> Result<(), DeliveryError> {
    let mut tries = 0u32;
    loop {
        let remaining = deadline.saturating_duration_since(Instant::now());
        if remaining.is_zero() {
            return Err(DeliveryError::new("deadline reached before delivery"));
        }
        tries += 1;
        d.attempts += 1;
        let err = match attempt(ep.timeout.min(remaining), d) {
            Ok(()) => return Ok(()),
            Err(e) => e,
        };
        if !err.retryable || tries > ep.retries {
            return Err(with_attempts(err, tries));
        }
        let wait = backoff(tries, err.retry_after);
        if Instant::now() + wait >= deadline {
            return Err(with_attempts(
                DeliveryError {
                    message: format!("{} (deadline reached)", err.message),
                    ..err
                },
                tries,
            ));
        }
        if opts.verbose > 0 {
            crate::errln!(
                "  {} retrying in {} ms: {}",
                ep.name,
                wait.as_millis(),
                redactor.mask(&err.message)
            );
        }
        std::thread::sleep(wait);
    }
}

fn with_attempts(mut e: DeliveryError, tries: u32) -> DeliveryError {
    if tries > 1 {
        e.message = format!("after {tries} attempts: {}", e.message);
    }
    e
}

/// The wait before attempt `tries + 1`: `Retry-After` when given, else 0.5 s doubling with
/// ±25 % jitter; never more than [`BACKOFF_CAP`].
pub fn backoff(tries: u32, retry_after: Option<Duration>) -> Duration {
    if let Some(ra) = retry_after {
        return ra.min(BACKOFF_CAP);
    }
    let exp = BACKOFF_BASE.saturating_mul(1 << tries.saturating_sub(1).min(16));
    let jitter = 0.75 + fastrand::f64() * 0.5;
    exp.mul_f64(jitter).min(BACKOFF_CAP)
}

fn log_request(ep: &Endpoint, req: &HttpRequest, verbose: u8, r: &Redactor) {
    if verbose == 0 {
        return;
    }
    let mut out = format!("> {} {} {}\n", ep.name, req.method, r.mask(&req.url));
    if verbose > 1 {
        for (k, v) in req.headers.iter().chain(&ep.headers) {
            out.push_str(&format!(">   {k}: {}\n", mask_header(k, v, r)));
        }
        let body = crate::render::truncate(&req.body.describe(), LOG_BODY_MAX);
        out.push_str(&format!(">   {}\n", r.mask(&body).replace('\n', "\n>   ")));
    }
    crate::err!("{out}");
}

fn log_reply(
    ep: &Endpoint,
    reply: &crate::channels::Reply,
    took: Duration,
    verbose: u8,
    r: &Redactor,
) {
    if verbose == 0 {
        return;
    }
    let mut out = format!("< {} {} ({} ms)\n", ep.name, reply.status, took.as_millis());
    if verbose > 1 && !reply.body.is_empty() {
        let body = r.mask(&body_text(&reply.body)).replace('\n', "\n<   ");
        out.push_str(&format!("<   {body}\n"));
    }
    crate::err!("{out}");
}

/// A header value as printed: masked entirely when its name says it is a credential.
pub fn mask_header(name: &str, value: &str, r: &Redactor) -> String {
    if crate::redact::is_secret_key(name) {
        crate::redact::MASK.to_string()
    } else {
        r.mask(value)
    }
}

/// Body bytes as printable text.
pub fn body_text(body: &[u8]) -> String {
    match std::str::from_utf8(body) {
        Ok(s) => s.to_string(),
        Err(_) => format!("<{} bytes of binary data>", body.len()),
    }
}

#[cfg(test)]
mod tests {
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
