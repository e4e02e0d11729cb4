//! Sending one endpoint's requests: each request with its retries (backoff, jitter,
//! `Retry-After`, the deadline), requests that stand alone, requests of which one is
//! enough, and the `-v`/`-vv` request and reply lines.

use std::time::{Duration, Instant};

use super::{body_text, mask_header, Delivery, Options, BACKOFF_BASE, BACKOFF_CAP, LOG_BODY_MAX};
use crate::channels::{DeliveryError, HttpRequest, Outgoing};
use crate::config::Endpoint;
use crate::redact::Redactor;

/// Requests that stand alone (one per file, one per recipient): each is tried, those in
/// `done` (delivered by an earlier attempt) are skipped, and the delivered ones are
/// recorded so that a flush sends only the rest. Fails with the first failure.
pub(super) fn send_each(
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
pub(super) fn send_any(
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
            errln!(
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
pub(super) fn send_one(
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
                errln!("> {} SMTP {}:{} ({:?})", ep.name, m.host, m.port, m.crypto);
            }
            crate::smtp::send(m, timeout)
        })
        .map(|()| None),
        Outgoing::Exec(x) => with_retries(ep, deadline, opts, redactor, d, |timeout, _| {
            if opts.verbose > 0 {
                errln!("> {} exec {}", ep.name, redactor.mask(&x.argv.join(" ")));
            }
            crate::exec::run(x, timeout)
        })
        .map(|()| None),
        Outgoing::Mqtt(m) => with_retries(ep, deadline, opts, redactor, d, |timeout, _| {
            if opts.verbose > 0 {
                errln!("> {} MQTT {}", ep.name, redactor.mask(&m.url));
            }
            crate::mqtt::publish(m, timeout)
        })
        .map(|()| None),
        Outgoing::File(f) => with_retries(ep, deadline, opts, redactor, d, |_, _| {
            if opts.verbose > 0 {
                errln!("> {} write {}", ep.name, f.path.display());
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
            errln!(
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
pub(crate) fn backoff(tries: u32, retry_after: Option<Duration>) -> Duration {
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
    err!("{out}");
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
    err!("{out}");
}
