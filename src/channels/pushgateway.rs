//! `pushgateway`: the task histories of SPEC §9 as Prometheus metrics, `PUT` to
//! `/metrics/job/<job>/instance/<host>` in the text exposition format (HELP and TYPE
//! lines), replacing that group whole. [`render`] is shared with `textfile`.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use serde::Deserialize;

use super::{check_url, ChannelType, DeliveryError, HttpRequest, Invalid, Message, Outgoing};
use crate::history::TaskHistory;

/// Registry row.
pub(crate) const TYPE: ChannelType = ChannelType {
    name: "pushgateway",
    http: true,
    keys: super::fields_of::<Pushgateway>,
    build: super::build::<Pushgateway>,
};

/// A Prometheus Pushgateway.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct Pushgateway {
    url: String,
    #[serde(default = "default_job")]
    job: String,
}

fn default_job() -> String {
    "bnotify".into()
}

impl super::Channel for Pushgateway {
    fn prepare(&self, msg: &Message) -> Result<Vec<Outgoing>, DeliveryError> {
        let host = msg.event.host.as_deref().filter(|h| !h.is_empty());
        let url = super::join_url(
            &self.url,
            &format!(
                "metrics/job/{}/instance/{}",
                segment(&self.job),
                segment(host.unwrap_or("unknown"))
            ),
        );
        let body = render(&crate::history::history()).into_bytes();
        Ok(vec![Outgoing::Http(
            HttpRequest::new("PUT", url)
                .header("Content-Type", "text/plain; version=0.0.4; charset=utf-8")
                .body(body),
        )])
    }

    fn secrets(&self) -> Vec<String> {
        Vec::new()
    }

    fn validate(&self) -> Result<(), Invalid> {
        check_url("url", &self.url)?;
        if self.job.is_empty() {
            return Err(Invalid::key("job", "the job name is empty"));
        }
        Ok(())
    }

    fn uses_history(&self) -> bool {
        true
    }
}

/// A grouping label value as a URL path segment: percent-encoded, or base64url in the
/// `@base64` form when it holds a slash (the Pushgateway's rule).
fn segment(value: &str) -> String {
    use base64::Engine;
    use percent_encoding::{utf8_percent_encode, NON_ALPHANUMERIC};
    if value.contains('/') {
        let b = base64::engine::general_purpose::URL_SAFE.encode(value);
        format!("{b}@base64")
    } else {
        utf8_percent_encode(value, NON_ALPHANUMERIC).to_string()
    }
}

/// One metric family: name, help and its samples (labels, value).
struct Family {
    name: &'static str,
    help: &'static str,
    samples: Vec<(Vec<(&'static str, String)>, f64)>,
}

/// The metrics of SPEC §9 for `tasks`, in the Prometheus text format.
pub(crate) fn render(tasks: &BTreeMap<String, TaskHistory>) -> String {
    let mut fams = [
        Family {
            name: "bnotify_last_event_timestamp_seconds",
            help: "Unix time bnotify last saw this event for this task.",
            samples: Vec::new(),
        },
        Family {
            name: "bnotify_last_success_timestamp_seconds",
            help: "Unix time of the task's last success.",
            samples: Vec::new(),
        },
        Family {
            name: "bnotify_last_duration_seconds",
            help: "Duration of the task's last run that reported one.",
            samples: Vec::new(),
        },
        Family {
            name: "bnotify_last_backup_size_bytes",
            help: "Size of the task's last backup that reported one.",
            samples: Vec::new(),
        },
        Family {
            name: "bnotify_last_exit_code",
            help: "Exit code of the task's last run that reported one.",
            samples: Vec::new(),
        },
    ];
    for (task, h) in tasks {
        for (event, at) in &h.events {
            fams[0].samples.push((
                vec![("task", task.clone()), ("event", event.clone())],
                *at as f64,
            ));
        }
        let one = |v: f64| (vec![("task", task.clone())], v);
        if let Some(t) = h.last_success {
            fams[1].samples.push(one(t as f64));
        }
        if let Some(ms) = h.last_duration_ms {
            fams[2].samples.push(one(ms as f64 / 1000.0));
        }
        if let Some(b) = h.last_size {
            fams[3].samples.push(one(b as f64));
        }
        if let Some(c) = h.last_exit_code {
            fams[4].samples.push(one(c as f64));
        }
    }
    let mut out = String::new();
    for f in fams.iter().filter(|f| !f.samples.is_empty()) {
        let _ = writeln!(out, "# HELP {} {}", f.name, f.help);
        let _ = writeln!(out, "# TYPE {} gauge", f.name);
        for (labels, v) in &f.samples {
            let labels: Vec<String> = labels
                .iter()
                .map(|(k, v)| format!("{k}=\"{}\"", escape(v)))
                .collect();
            let _ = writeln!(out, "{}{{{}}} {v}", f.name, labels.join(","));
        }
    }
    out
}

/// A label value escaped for the text format: backslash, double quote and newline.
fn escape(v: &str) -> String {
    v.replace('\\', "\\\\")
        .replace('"', "\\\"")
        .replace('\n', "\\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_families_with_escaped_labels() {
        let mut tasks = BTreeMap::new();
        let mut h = TaskHistory {
            first_seen: 1,
            last_success: Some(1_700_000_000),
            last_duration_ms: Some(1500),
            ..TaskHistory::default()
        };
        h.events.insert("backup_success".into(), 1_700_000_000);
        tasks.insert("a\"b\\c\nd".to_string(), h);
        let text = render(&tasks);
        assert!(text.contains("# TYPE bnotify_last_success_timestamp_seconds gauge\n"));
        assert!(text.contains(
            "bnotify_last_success_timestamp_seconds{task=\"a\\\"b\\\\c\\nd\"} 1700000000\n"
        ));
        assert!(text.contains("bnotify_last_duration_seconds{task=\"a\\\"b\\\\c\\nd\"} 1.5\n"));
        assert!(!text.contains("bnotify_last_exit_code"));
    }

    #[test]
    fn segments() {
        assert_eq!(segment("db1"), "db1");
        assert_eq!(segment("a b"), "a%20b");
        assert_eq!(segment("a/b"), "YS9i@base64");
    }
}

#[cfg(test)]
mod prepare_table {
    use crate::channels::testkit::{channel, event, http, metrics_histories_fixture, prepare};

    /// Rows: keys, event, host, URL. Every status replaces the group with the task
    /// histories; the job defaults to `bnotify`, the instance is the host (`unknown`
    /// without one, base64url when it holds a slash, as the Pushgateway reads it).
    #[test]
    fn a_put_of_the_histories_grouped_by_job_and_instance() {
        let want = metrics_histories_fixture();
        for (keys, ev, host, url) in [
            (
                "{url: 'http://pg:9091'}",
                "backup_start",
                Some("h"),
                "http://pg:9091/metrics/job/bnotify/instance/h",
            ),
            (
                "{url: 'http://pg:9091/'}",
                "backup_success",
                Some("h"),
                "http://pg:9091/metrics/job/bnotify/instance/h",
            ),
            (
                "{url: 'http://pg', job: backups}",
                "backup_failure",
                Some("db-1.example.com"),
                "http://pg/metrics/job/backups/instance/db%2D1%2Eexample%2Ecom",
            ),
            (
                "{url: 'http://pg', job: 'nightly db'}",
                "user_login",
                None,
                "http://pg/metrics/job/nightly%20db/instance/unknown",
            ),
            (
                "{url: 'http://pg', job: 'a/b'}",
                "test",
                Some("h/1"),
                "http://pg/metrics/job/YS9i@base64/instance/aC8x@base64",
            ),
        ] {
            let mut e = event(ev, None);
            e.host = host.map(str::to_string);
            let out = prepare(&*channel("pushgateway", keys), &e);
            let reqs = http(&out);
            assert_eq!(reqs.len(), 1, "{keys}");
            let h = reqs[0];
            assert_eq!((h.method.as_str(), h.url.as_str()), ("PUT", url), "{keys}");
            let ct = h.headers.iter().find(|(k, _)| k == "Content-Type");
            assert_eq!(
                ct.map(|(_, v)| v.as_str()),
                Some("text/plain; version=0.0.4; charset=utf-8")
            );
            assert_eq!(
                String::from_utf8(h.body.to_vec()).unwrap(),
                want,
                "{keys} {ev}"
            );
        }
    }
}
