//! `--dry-run`: each endpoint's requests as they would be sent (secrets masked), and what
//! noise control would hold back; nothing is sent.

use serde_json::json;

use crate::channels::Outgoing;
use crate::config::{Config, Endpoint};
use crate::dispatch;
use crate::event::Event;
use crate::redact::Redactor;
use crate::settings::Global;

/// Print each endpoint's requests (secrets masked) instead of sending them, and what
/// noise control would hold back.
pub(crate) fn print_dry_run(
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
        outln!("{}", serde_json::to_string_pretty(&v).unwrap_or_default());
        return;
    }
    if jobs.is_empty() && skipped.is_empty() {
        outln!("# no endpoint is subscribed to {}", ev.event);
    }
    for s in &skipped {
        outln!(
            "# {} ({}) would be skipped: {}",
            s["endpoint"].as_str().unwrap_or(""),
            s["type"].as_str().unwrap_or(""),
            s["reason"].as_str().unwrap_or("")
        );
    }
    for v in out {
        outln!("{}", human(&v));
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
                "headers": headers, "body": r.mask(&h.body.describe()),
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
