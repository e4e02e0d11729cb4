//! `bnotify test notify [EVENT]`: sample notifications, and the `--dry-run` printer.

use anyhow::Result;
use serde_json::json;

use super::send::hostname;
use super::Global;
use crate::channels::Outgoing;
use crate::cli::TestNotifyArgs;
use crate::config::{Config, Endpoint};
use crate::deliver::{check_names, deliver_to, SendOptions};
use crate::dispatch;
use crate::event::Event;
use crate::redact::Redactor;
use crate::Outcome;

/// Run `bnotify test notify`.
pub fn run(g: &Global, args: &TestNotifyArgs) -> Result<Outcome> {
    let cfg = g.load_for_sending()?;
    check_names(g, &cfg, &args.endpoints)?;
    let name = args.event.as_deref().unwrap_or("test");
    let ev = sample(name)?;
    if args.event.is_some() {
        let eps = dispatch::select(&cfg, &ev, &args.endpoints);
        crate::deliver::explain(g, &cfg, &ev, &eps, &args.endpoints);
    }
    let eps: Vec<&Endpoint> = if args.event.is_none() {
        cfg.endpoints
            .iter()
            .filter(|e| {
                e.enabled && (args.endpoints.is_empty() || args.endpoints.contains(&e.name))
            })
            .collect()
    } else {
        dispatch::select(&cfg, &ev, &args.endpoints)
    };
    let opts = SendOptions {
        only: args.endpoints.clone(),
        dry_run: args.dry_run,
        best_effort: false,
        deadline: std::time::Duration::from_secs(60),
        noise_control: false,
    };
    deliver_to(g, &cfg, &ev, &eps, &opts)
}

/// `name` with sample data: task `bnotify-test`, a backup id, size, duration and tags,
/// and a title prefixed `[TEST]`.
pub fn sample(name: &str) -> Result<Event> {
    let mut ev = Event::sample(name, hostname);
    ev.title = Some(format!("[TEST] {}", crate::render::default_title(&ev)));
    Ok(ev)
}

/// Print each endpoint's requests (secrets masked) instead of sending them, and what
/// noise control would hold back.
pub fn print_dry_run(
    g: &Global,
    cfg: &Config,
    ev: &Event,
    jobs: &[(&Event, &Endpoint)],
    skipped: &[(&Endpoint, String)],
    r: &Redactor,
) {
    let mut out = Vec::new();
    for (job_ev, ep) in jobs {
        match dispatch::prepare(cfg, ep, job_ev) {
            Ok(reqs) => {
                for req in reqs {
                    out.push(describe(ep, &req, r));
                }
            }
            Err(e) => out.push(
                json!({"endpoint": ep.name, "type": ep.kind.name, "error": r.mask(&e.message)}),
            ),
        }
    }
    let skipped: Vec<_> = skipped
        .iter()
        .map(|(ep, why)| json!({"endpoint": ep.name, "type": ep.kind.name, "reason": why}))
        .collect();
    if g.json {
        let v = json!({"event": ev.event, "id": ev.id, "dry_run": true, "requests": out, "skipped": skipped});
        println!("{}", serde_json::to_string_pretty(&v).unwrap_or_default());
        return;
    }
    if jobs.is_empty() && skipped.is_empty() {
        println!("# no endpoint is subscribed to {}", ev.event);
    }
    for s in &skipped {
        println!(
            "# {} ({}) would be skipped: {}",
            s["endpoint"].as_str().unwrap_or(""),
            s["type"].as_str().unwrap_or(""),
            s["reason"].as_str().unwrap_or("")
        );
    }
    for v in out {
        println!("{}", human(&v));
    }
}

fn describe(ep: &Endpoint, req: &Outgoing, r: &Redactor) -> serde_json::Value {
    match req {
        Outgoing::Http(h) => {
            let mut headers: Vec<(String, String)> = h.headers.clone();
            if let Some(s) = &h.signing {
                headers.extend(s.headers(&h.body, crate::http::unix_now()));
            }
            headers.extend(ep.headers.iter().cloned());
            let headers: Vec<_> = headers
                .iter()
                .map(|(k, v)| json!([k, dispatch::mask_header(k, v, r)]))
                .collect();
            json!({
                "endpoint": ep.name, "type": ep.kind.name,
                "method": h.method, "url": r.mask(&h.url),
                "headers": headers, "body": r.mask(&dispatch::body_text(&h.body)),
            })
        }
        Outgoing::Smtp(m) => {
            let (from, to, subject) = &m.summary;
            let raw = String::from_utf8_lossy(&m.mail.formatted()).into_owned();
            json!({
                "endpoint": ep.name, "type": ep.kind.name,
                "method": "SMTP", "url": format!("smtp://{}:{} ({:?})", m.host, m.port, m.crypto),
                "headers": [["From", from], ["To", to.join(", ")], ["Subject", subject]],
                "body": r.mask(&raw),
            })
        }
        Outgoing::Mqtt(m) => json!({
            "endpoint": ep.name, "type": ep.kind.name,
            "method": "MQTT", "url": r.mask(&m.url),
            "headers": m.messages.iter().map(|p| json!(["Topic", format!("{} (qos {}, retain {})", p.topic, p.qos, p.retain)])).collect::<Vec<_>>(),
            "body": r.mask(&m.messages.iter().map(|p| dispatch::body_text(&p.payload)).collect::<Vec<_>>().join("\n")),
        }),
        Outgoing::File(f) => json!({
            "endpoint": ep.name, "type": ep.kind.name,
            "method": "WRITE", "url": f.path.display().to_string(),
            "headers": [], "body": r.mask(&dispatch::body_text(&f.bytes)),
        }),
        Outgoing::Exec(x) => {
            let env: Vec<_> = x
                .env
                .iter()
                .map(|(k, v)| json!([k, dispatch::mask_header(k, v, r)]))
                .collect();
            json!({
                "endpoint": ep.name, "type": ep.kind.name,
                "method": "EXEC", "url": r.mask(&x.argv.join(" ")),
                "headers": env, "body": r.mask(&dispatch::body_text(&x.stdin)),
            })
        }
    }
}

fn human(v: &serde_json::Value) -> String {
    let s = |k: &str| v[k].as_str().unwrap_or("").to_string();
    let mut out = format!("# {} ({})\n", s("endpoint"), s("type"));
    if let Some(err) = v["error"].as_str() {
        out.push_str(&format!("error: {err}\n"));
        return out;
    }
    out.push_str(&format!("{} {}\n", s("method"), s("url")));
    for h in v["headers"].as_array().into_iter().flatten() {
        out.push_str(&format!(
            "{}: {}\n",
            h[0].as_str().unwrap_or(""),
            h[1].as_str().unwrap_or("")
        ));
    }
    out.push('\n');
    out.push_str(&s("body"));
    out.push('\n');
    out
}
