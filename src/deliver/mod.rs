//! The delivery pipeline that `send`, `run` and `test notify` share: noise control, the
//! write-ahead outbox, parallel delivery, fallbacks and the report.
//!
//! A delivery is *queued* first — its outbox entry is on disk before the first attempt,
//! and noise-control state counts it as told only then — and *sent* second: each entry
//! is removed when delivered and durably updated when it finally fails. Queuing runs
//! inside [`critical`], so a signal handler that waits for it never exits between the
//! decision and the entry.

use std::sync::{Mutex, MutexGuard};

use crate::config::{Config, Endpoint};
use crate::dispatch::{self, Delivery, Options};
use crate::event::Event;
use crate::outbox::{self, Entry, Outbox, Queued};
use crate::report::{self, Style};
use crate::settings::Global;
use crate::state;
use crate::Outcome;

mod words;

pub(crate) use words::{check_names, explain, UnknownEndpoint};

/// How a delivery behaves.
#[derive(Debug, Clone)]
pub(crate) struct SendOptions {
    /// Only these endpoints (empty: all matching).
    pub only: Vec<String>,
    /// Print requests, send nothing.
    pub dry_run: bool,
    /// Failures do not change the exit code.
    pub best_effort: bool,
    /// Bound on the whole delivery.
    pub deadline: std::time::Duration,
    /// Apply `when: change` and `throttle` (off for `test notify`).
    pub noise_control: bool,
}

static CRITICAL: Mutex<()> = Mutex::new(());

/// Held while deliveries are being queued: a signal handler takes it before it exits,
/// so an event is never half-decided when the process ends.
pub(crate) fn critical() -> MutexGuard<'static, ()> {
    CRITICAL
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}

/// Make what is queued durable, say what was left undelivered, and exit with `code`
/// (for SIGTERM, SIGINT, SIGHUP).
pub(crate) fn exit_on_signal(signal: &str, code: i32) -> ! {
    let _hold = critical();
    let left = outbox::pending_files();
    outbox::sync_pending();
    if left.is_empty() {
        errln!("bnotify: stopped by {signal}");
    } else {
        let names: Vec<String> = left.iter().map(|(_, ep)| ep.clone()).collect();
        errln!(
            "bnotify: stopped by {signal}: {} notification{} not delivered yet, kept in the outbox ({})\nhint: run \"bnotify outbox flush\" to send {}",
            left.len(),
            if left.len() == 1 { "" } else { "s" },
            names.join(", "),
            if left.len() == 1 { "it" } else { "them" },
        );
    }
    std::process::exit(code)
}

/// Deliver `ev` to the matching endpoints.
pub(crate) fn deliver_event(
    g: &Global,
    cfg: &Config,
    ev: &Event,
    o: &SendOptions,
) -> Result<Outcome, UnknownEndpoint> {
    check_names(g, cfg, &o.only)?;
    let eps = dispatch::select(cfg, ev, &o.only);
    explain(g, cfg, ev, &eps, &o.only);
    deliver_to(g, cfg, ev, &eps, o)
}

/// Deliver `ev` to exactly `eps`: queue, then send.
pub(crate) fn deliver_to(
    g: &Global,
    cfg: &Config,
    ev: &Event,
    eps: &[&Endpoint],
    o: &SendOptions,
) -> Result<Outcome, UnknownEndpoint> {
    if o.dry_run {
        let (jobs, skipped) = gate(g, cfg, ev, eps, o, None);
        let jobs: Vec<(&Event, &Endpoint)> = jobs.iter().map(|j| (&j.entry.event, j.ep)).collect();
        crate::report::dry_run::print_dry_run(g, cfg, ev, &jobs, &skipped, &cfg.redactor());
        return Ok(broken_or(cfg, Outcome::Success));
    }
    let batch = {
        let _hold = critical();
        queue(g, cfg, ev, eps, o)
    };
    Ok(send(g, batch, o))
}

/// Select the endpoints for `ev` and queue its deliveries (for `run`, which sends later
/// or in the background); problems are warnings, never errors. Call it under
/// [`critical`].
pub(crate) fn queue_event<'a>(
    g: &Global,
    cfg: &'a Config,
    ev: &'a Event,
    o: &SendOptions,
) -> Option<Batch<'a>> {
    if let Err(e) = check_names(g, cfg, &o.only) {
        g.warn(&format!("{e:#}"));
        return None;
    }
    let eps = dispatch::select(cfg, ev, &o.only);
    explain(g, cfg, ev, &eps, &o.only);
    Some(queue(g, cfg, ev, &eps, o))
}

/// One delivery to make, with its outbox entry.
#[derive(Debug)]
pub(crate) struct Job<'a> {
    ep: &'a Endpoint,
    entry: Entry,
    file: Option<Queued>,
}

/// Deliveries decided and queued, ready to be sent.
#[derive(Debug)]
pub(crate) struct Batch<'a> {
    cfg: &'a Config,
    event: &'a Event,
    jobs: Vec<Job<'a>>,
    skipped: Vec<(&'a Endpoint, String)>,
    outbox: Outbox,
}

/// Decide (noise control) and write each delivery's outbox entry ahead of it. Call it
/// under [`critical`].
pub(crate) fn queue<'a>(
    g: &Global,
    cfg: &'a Config,
    ev: &'a Event,
    eps: &[&'a Endpoint],
    o: &SendOptions,
) -> Batch<'a> {
    let mut outbox = Outbox::new(&cfg.outbox_dir);
    let (jobs, skipped) = gate(g, cfg, ev, eps, o, Some(&mut outbox));
    Batch {
        cfg,
        event: ev,
        jobs,
        skipped,
        outbox,
    }
}

/// Write the entries of `jobs` ahead of their delivery. A full or read-only disk never
/// costs the notification: it is still sent, with a warning.
fn write_ahead(g: &Global, cfg: &Config, outbox: &mut Outbox, jobs: &mut [Job]) {
    if jobs.len() > 200 {
        raise_file_limit();
    }
    for job in jobs {
        if let Err(e) = outbox.store_attachments(&mut job.entry) {
            g.warn(&format!(
                "cannot keep a copy of the attachments in the outbox {}: {e}",
                cfg.outbox_dir.display()
            ));
        }
        match outbox.queue(&job.entry) {
            Ok((queued, warning)) => {
                if let Some(w) = warning {
                    g.warn(&w);
                }
                job.file = Some(queued);
            }
            Err(e) => g.warn(&format!(
                "cannot queue the notification for \"{}\" in the outbox {}: {e}; sending it anyway",
                job.ep.name,
                cfg.outbox_dir.display()
            )),
        }
    }
}

/// Each queued entry stays open (locked) until it is settled: with hundreds of endpoints
/// that needs more than the usual 1024 descriptors, so take what the hard limit allows.
fn raise_file_limit() {
    #[cfg(unix)]
    // SAFETY: getrlimit/setrlimit on a local struct.
    unsafe {
        let mut l = libc::rlimit {
            rlim_cur: 0,
            rlim_max: 0,
        };
        if libc::getrlimit(libc::RLIMIT_NOFILE, &mut l) == 0 && l.rlim_cur < l.rlim_max {
            l.rlim_cur = l.rlim_max;
            libc::setrlimit(libc::RLIMIT_NOFILE, &l);
        }
    }
}

/// Send a queued batch, then the fallbacks of endpoints that finally failed; print the
/// report and say how the command should exit.
pub(crate) fn send(g: &Global, mut batch: Batch, o: &SendOptions) -> Outcome {
    let cfg = batch.cfg;
    print_skipped(g, &batch.skipped);
    if batch.jobs.is_empty() {
        nothing_sent(g, cfg, batch.event, &batch.skipped);
        return broken_or(cfg, Outcome::Success);
    }
    let opts = Options {
        deadline: o.deadline,
        verbose: g.verbose,
    };
    let mut results = run_jobs(g, cfg, &batch.jobs, &opts);
    let mut tried: Vec<String> = batch.jobs.iter().map(|j| j.ep.name.clone()).collect();
    let mut failed: Vec<String> = failures(&results);
    while !failed.is_empty() {
        let mut round = Vec::new();
        let mut causes = Vec::new();
        for name in &failed {
            for fb in fallbacks_of(cfg, name, batch.event, &tried) {
                tried.push(fb.name.clone());
                round.push(Job {
                    ep: fb,
                    entry: Entry::new(&fb.name, batch.event.clone()).with_to(fb.to.clone()),
                    file: None,
                });
                causes.push(name.clone());
            }
        }
        if round.is_empty() {
            break;
        }
        {
            let _hold = critical();
            write_ahead(g, cfg, &mut batch.outbox, &mut round);
        }
        let mut more = run_jobs(g, cfg, &round, &opts);
        for (r, cause) in more.iter_mut().zip(causes) {
            r.fallback_for = Some(cause);
        }
        failed = failures(&more);
        results.extend(more);
    }
    let best_effort = o.best_effort || cfg.best_effort;
    report::print(
        batch.event,
        &results,
        Style {
            quiet: g.quiet,
            json: g.json,
        },
        best_effort,
    );
    // Counted only when it is printed: a quiet run (cron's) skips the directory scan.
    let waiting = if g.quiet || g.json {
        0
    } else {
        outbox::count(&cfg.outbox_dir)
    };
    if waiting > 0 {
        errln!(
            "note: {waiting} notification{} waiting in the outbox ({})",
            if waiting == 1 { "" } else { "s" },
            cfg.outbox_dir.display()
        );
        errln!("{}", flush_hint(g, cfg));
    }
    let failed = results.iter().any(|r| !r.ok);
    broken_or(
        cfg,
        if failed && !best_effort {
            Outcome::Failed
        } else {
            Outcome::Success
        },
    )
}

/// Exit 2 when some endpoints were left out for config problems (after delivering the
/// others), else `outcome`.
pub(crate) fn broken_or(cfg: &Config, outcome: Outcome) -> Outcome {
    if cfg.broken.is_empty() {
        outcome
    } else {
        Outcome::Exit(2)
    }
}

fn failures(results: &[Delivery]) -> Vec<String> {
    results
        .iter()
        .filter(|r| !r.ok)
        .map(|r| r.endpoint.clone())
        .collect()
}

/// The fallbacks of `name` that have not been tried and whose own `when` and `tasks`
/// admit `ev` (their `events` subscription does not matter).
fn fallbacks_of<'a>(
    cfg: &'a Config,
    name: &str,
    ev: &Event,
    tried: &[String],
) -> Vec<&'a Endpoint> {
    let Some(primary) = cfg.endpoint(name) else {
        return Vec::new();
    };
    primary
        .fallback
        .iter()
        .filter_map(|f| cfg.endpoint(f))
        .filter(|fb| !tried.contains(&fb.name))
        .filter(|fb| {
            fb.enabled
                && dispatch::admits_status(fb, ev).is_ok()
                && dispatch::admits_task(fb, ev).is_ok()
        })
        .collect()
}

/// Deliver the jobs in parallel, settling each outbox entry as soon as its delivery ends.
fn run_jobs(g: &Global, cfg: &Config, jobs: &[Job], opts: &Options) -> Vec<Delivery> {
    let pairs: Vec<(&Event, &Endpoint)> = jobs.iter().map(|j| (&j.entry.event, j.ep)).collect();
    let settle = |i: usize, r: &mut Delivery| {
        let Some(job) = jobs.get(i) else { return };
        let Some(file) = job.file.as_ref().map(|q| &q.path) else {
            return;
        };
        let error = r.error.clone().unwrap_or_default();
        match outbox::settle(file, &job.entry, r.ok, r.attempts, &error, &r.done) {
            outbox::Settled::Removed => {}
            outbox::Settled::Queued => r.queued = true,
            outbox::Settled::Unremovable(e) => g.warn(&e.to_string()),
            outbox::Settled::NotRecorded(e) => g.warn(&format!(
                "could not record the failed notification for \"{}\" in {}: {e}",
                r.endpoint,
                file.display()
            )),
        }
    };
    dispatch::deliver_jobs(cfg, &pairs, opts, &cfg.redactor(), &[], &settle)
}

/// Noise control (`when: change`, `throttle`) decides which endpoints get which event;
/// with an outbox, each delivery's entry is written while the state is still locked and
/// before the decisions are saved, so "told" means queued at least. Trouble with the
/// state file never costs a notification: everything is then delivered.
fn gate<'a>(
    g: &Global,
    cfg: &Config,
    ev: &Event,
    eps: &[&'a Endpoint],
    o: &SendOptions,
    outbox: Option<&mut Outbox>,
) -> (Vec<Job<'a>>, Vec<(&'a Endpoint, String)>) {
    let job = |ev: Event, ep: &'a Endpoint| Job {
        ep,
        entry: Entry::new(&ep.name, ev).with_to(ep.to.clone()),
        file: None,
    };
    let all = || -> Vec<Job<'a>> { eps.iter().map(|ep| job(ev.clone(), ep)).collect() };
    let write = |jobs: &mut Vec<Job<'a>>, outbox: Option<&mut Outbox>| {
        if let Some(ob) = outbox {
            write_ahead(g, cfg, ob, jobs);
        }
    };
    // `test notify` and `--dry-run` leave the history alone.
    let record = o.noise_control && !o.dry_run && ev.task.is_some();
    if !o.noise_control || !state::needed(eps) {
        if record {
            record_history(g, cfg, ev);
        }
        let mut jobs = all();
        write(&mut jobs, outbox);
        return (jobs, Vec::new());
    }
    let store = state::Store::new(&cfg.state_dir);
    let now = crate::http::unix_now();
    let mut outbox = outbox;
    let decided = store.update(!o.dry_run, |st| {
        if record {
            st.record(ev, now);
            state::remember_history(&st.tasks);
        }
        let before = st.clone();
        let mut jobs = Vec::new();
        let mut skipped = Vec::new();
        for ep in eps {
            match st.decide(ep, ev, now) {
                state::Decision::Deliver(e) => jobs.push(job(*e, ep)),
                state::Decision::Skip(why) => skipped.push((*ep, why)),
            }
        }
        if let Some(ob) = outbox.as_deref_mut() {
            write_ahead(g, cfg, ob, &mut jobs);
            // Not queued means not told (yet): the next event decides afresh.
            for j in jobs.iter().filter(|j| j.file.is_none()) {
                st.restore_endpoint(&before, &j.ep.name);
            }
        }
        (jobs, skipped)
    });
    match decided {
        Ok((d, warning)) => {
            if let Some(w) = warning {
                g.warn(&w);
            }
            d
        }
        Err(e) => {
            g.warn(&format!("{e}; noise control is off for this send"));
            let mut jobs = all();
            write(&mut jobs, outbox);
            (jobs, Vec::new())
        }
    }
}

/// Remember `ev` in its task's history (SPEC §9) when no endpoint needs the state
/// otherwise: one short locked update; trouble is a warning, never a lost notification.
fn record_history(g: &Global, cfg: &Config, ev: &Event) {
    let now = crate::http::unix_now();
    let updated = state::Store::new(&cfg.state_dir).update_quick(|st| {
        st.record(ev, now);
        state::remember_history(&st.tasks);
    });
    match updated {
        Ok(((), Some(w))) => g.warn(&w),
        Ok(_) => {}
        Err(e) => g.warn(&format!("{e}; the task's history is not updated")),
    }
}

fn print_skipped(g: &Global, skipped: &[(&Endpoint, String)]) {
    if g.quiet || g.json {
        return;
    }
    for (ep, why) in skipped {
        errln!("skip  {}  {}  {why}", ep.name, ep.kind.name);
    }
}

fn nothing_sent(g: &Global, cfg: &Config, ev: &Event, skipped: &[(&Endpoint, String)]) {
    if !g.quiet && !g.json && skipped.is_empty() {
        if cfg.enabled {
            errln!(
                "note: no endpoint is subscribed to {}; nothing sent",
                ev.event
            );
        } else {
            errln!(
                "note: notifications are off (enabled: false in {}); nothing sent",
                cfg.path.display()
            );
        }
    }
    if g.json {
        let skipped: Vec<_> = skipped
            .iter()
            .map(|(ep, why)| serde_json::json!({"endpoint": ep.name, "reason": why}))
            .collect();
        outln!(
            "{}",
            serde_json::json!({"event": ev.event, "id": ev.id, "results": [], "skipped": skipped})
        );
    }
}

/// How to have the outbox flushed on a schedule: the cron line, with this binary's
/// absolute path (cron's PATH lacks ~/.cargo/bin), or the systemd timer.
fn flush_hint(g: &Global, cfg: &Config) -> String {
    let exe = std::env::current_exe()
        .map(|p| p.display().to_string())
        .unwrap_or_else(|_| "/usr/local/bin/bnotify".to_string());
    let config = match &g.config {
        Some(_) => format!(
            " --config {}",
            std::fs::canonicalize(&cfg.path)
                .unwrap_or_else(|_| cfg.path.clone())
                .display()
        ),
        None => String::new(),
    };
    format!(
        "hint: flush it every 5 minutes, from cron: \"*/5 * * * * {exe}{config} -q outbox flush\" (or contrib/systemd/bnotify-flush.timer)"
    )
}
