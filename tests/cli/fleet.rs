//! Fleets: events handed to the engines fleets already run (a real Alertmanager,
//! mosquitto and Pushgateway, and node_exporter's textfile format read by Python's
//! prometheus_client), the per-task history in the state, and `overdue`, the dead man's
//! switch for the backup that never reported.

/// The per-task history and `overdue`.
mod history;
pub(crate) mod servers;

use std::time::{Duration, Instant};

use serde_json::Value;

use crate::support::{closed_port, run, Env};
use crate::wire::{body, title};
use servers::{MQTT_PASSWORD, MQTT_USER};

fn send(env: &Env, args: &[&str]) -> crate::support::Out {
    let mut c = env.cmd();
    c.arg("send").args(args);
    run(c)
}

fn now() -> f64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs_f64()
}

/// The alerts of `task` in Alertmanager's API, whatever their state.
fn alerts_of(am: &servers::Daemon, task: &str) -> Vec<Value> {
    am.json("/api/v2/alerts")
        .as_array()
        .unwrap()
        .iter()
        .filter(|a| a["labels"]["task"] == task)
        .cloned()
        .collect()
}

#[test]
fn alertmanager_failure_fires_and_success_resolves() {
    let env = Env::new("");
    let am = servers::alertmanager(env.dir.path());
    std::fs::write(
        &env.config,
        format!(
            "endpoints:\n  - name: am\n    type: alertmanager\n    url: \"{}\"\n    labels: {{team: storage}}\n    annotations: {{runbook: \"https://wiki.example/backups\"}}\n",
            am.url()
        ),
    )
    .unwrap();
    let (t, b) = (title(), body());
    send(
        &env,
        &[
            "-e",
            "backup_failure",
            "--job",
            "pg-main",
            "--host",
            "db1",
            "--title",
            &t,
            "--body",
            &b,
        ],
    )
    .code(0);
    let alerts = alerts_of(&am, "pg-main");
    assert_eq!(alerts.len(), 1, "{alerts:#?}");
    let a = &alerts[0];
    assert_eq!(a["labels"]["alertname"], "BackupFailed");
    assert_eq!(a["labels"]["host"], "db1");
    assert_eq!(a["labels"]["severity"], "critical");
    assert_eq!(a["labels"]["team"], "storage");
    assert_eq!(a["status"]["state"], "active");
    assert_eq!(
        a["annotations"]["summary"],
        t.as_str(),
        "the title arrives intact"
    );
    assert_eq!(
        a["annotations"]["description"],
        b.as_str(),
        "the body arrives intact"
    );
    assert_eq!(a["annotations"]["runbook"], "https://wiki.example/backups");

    send(
        &env,
        &["-e", "backup_success", "--job", "pg-main", "--host", "db1"],
    )
    .code(0);
    for a in alerts_of(&am, "pg-main") {
        let ends = time::OffsetDateTime::parse(
            a["endsAt"].as_str().unwrap(),
            &time::format_description::well_known::Rfc3339,
        )
        .unwrap();
        assert!(
            ends <= time::OffsetDateTime::now_utc(),
            "still active after the success: {a:#}"
        );
    }
    let active = am.json("/api/v2/alerts?active=true&silenced=false&inhibited=false");
    assert!(
        !active
            .as_array()
            .unwrap()
            .iter()
            .any(|a| a["labels"]["task"] == "pg-main"),
        "{active:#}"
    );
}

#[test]
fn alertmanager_groups_one_task_across_hosts() {
    let env = Env::new("");
    let am = servers::alertmanager(env.dir.path());
    std::fs::write(
        &env.config,
        format!(
            "endpoints:\n  - {{name: am, type: alertmanager, url: \"{}\"}}\n",
            am.url()
        ),
    )
    .unwrap();
    for host in ["a", "b"] {
        send(
            &env,
            &["-e", "backup_failure", "--job", "nightly", "--host", host],
        )
        .code(0);
    }
    send(
        &env,
        &["-e", "backup_failure", "--job", "other", "--host", "a"],
    )
    .code(0);
    let groups = am.json("/api/v2/alerts/groups");
    let nightly: Vec<&Value> = groups
        .as_array()
        .unwrap()
        .iter()
        .filter(|g| g["labels"]["task"] == "nightly")
        .collect();
    assert_eq!(nightly.len(), 1, "one group for the task: {groups:#}");
    assert_eq!(nightly[0]["labels"]["alertname"], "BackupFailed");
    let mut hosts: Vec<&str> = nightly[0]["alerts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["labels"]["host"].as_str().unwrap())
        .collect();
    hosts.sort_unstable();
    assert_eq!(hosts, ["a", "b"]);
}

/// `overdue` feeds Alertmanager too, and the README's inhibition holds: a job whose
/// failure is already firing does not also page for being overdue.
#[test]
fn overdue_backup_missed_is_inhibited_by_the_failure() {
    let env = Env::new("");
    let am = servers::alertmanager(env.dir.path());
    std::fs::write(
        &env.config,
        format!(
            "endpoints:\n  - {{name: am, type: alertmanager, url: \"{}\", events: [\"*\"]}}\n",
            am.url()
        ),
    )
    .unwrap();
    history::write_history(&env);
    send(
        &env,
        &["-e", "backup_failure", "--job", "pg-main", "--host", "a"],
    )
    .code(0);
    let mut c = env.cmd();
    c.args(["overdue", "--task", "*-*", "--max-age", "1d", "--host", "a"]);
    run(c).code(0);
    // the inhibitor learns of the failure asynchronously: give it a moment
    let until = Instant::now() + Duration::from_secs(10);
    let missed = loop {
        let alerts = alerts_of(&am, "pg-main");
        let missed = alerts
            .iter()
            .find(|a| a["labels"]["alertname"] == "BackupMissed")
            .unwrap_or_else(|| panic!("no BackupMissed: {alerts:#?}"))
            .clone();
        if missed["status"]["state"] == "suppressed" || Instant::now() > until {
            break missed;
        }
        std::thread::sleep(Duration::from_millis(50));
    };
    assert_eq!(missed["status"]["state"], "suppressed", "{missed:#}");
    assert_eq!(missed["status"]["inhibitedBy"].as_array().unwrap().len(), 1);
    // new-job never succeeded and nothing explains it: its BackupMissed is active
    let new_job = alerts_of(&am, "new-job");
    assert_eq!(new_job[0]["labels"]["alertname"], "BackupMissed");
    assert_eq!(new_job[0]["status"]["state"], "active");
}

#[test]
fn alertmanager_cluster_needs_one_member() {
    let env = Env::new("");
    let am = servers::alertmanager(env.dir.path());
    let down = format!("http://127.0.0.1:{}", closed_port());
    std::fs::write(
        &env.config,
        format!(
            "endpoints:\n  - {{name: am, type: alertmanager, retries: 0, urls: [\"{down}\", \"{}\"]}}\n  - {{name: dead, type: alertmanager, retries: 0, urls: [\"{down}\"], events: [backup_missed]}}\n",
            am.url()
        ),
    )
    .unwrap();
    send(&env, &["-e", "backup_failure", "--job", "ha"])
        .code(0)
        .err_has("warning: endpoint \"am\": ")
        .err_has(&down);
    assert_eq!(alerts_of(&am, "ha").len(), 1);
    send(
        &env,
        &["-e", "backup_missed", "--job", "ha", "--endpoint", "dead"],
    )
    .code(1);
}

#[test]
fn alertmanager_dry_run_shows_the_alert() {
    let env =
        Env::new("endpoints:\n  - {name: am, type: alertmanager, url: \"http://127.0.0.1:9/\"}\n");
    let out = send(
        &env,
        &[
            "-e",
            "backup_missed",
            "--job",
            "x",
            "--host",
            "h",
            "--dry-run",
        ],
    );
    out.code(0)
        .out_has("POST http://127.0.0.1:9/api/v2/alerts")
        .out_has("\"alertname\":\"BackupMissed\"");
    let out = send(&env, &["-e", "backup_start", "--job", "x", "--dry-run"]);
    assert!(
        !out.stdout.contains("api/v2/alerts"),
        "start sends nothing:\n{}",
        out.stdout
    );
}

fn mqtt_env(broker: &servers::Mosquitto, extra: &str) -> Env {
    Env::new(&format!(
        "endpoints:\n  - name: mq\n    type: mqtt\n    url: \"{}\"\n    username: {MQTT_USER}\n    password: {MQTT_PASSWORD}\n{extra}",
        broker.url()
    ))
}

#[test]
fn mqtt_publishes_the_event_and_retains_the_outcome() {
    let tmp = tempfile::tempdir().unwrap();
    let broker = servers::mosquitto(tmp.path());
    let env = mqtt_env(&broker, "");
    let live = broker.subscribe("bnotify/#", 2);
    let (t, b) = (title(), body());
    let out = send(
        &env,
        &[
            "-e",
            "backup_failure",
            "--job",
            "pg/main",
            "--host",
            "db1",
            "--title",
            &t,
            "--body",
            &b,
            "--id",
            "run-42",
        ],
    );
    out.code(0);
    assert!(!out.stderr.contains(MQTT_PASSWORD) && !out.stdout.contains(MQTT_PASSWORD));
    let got = live.messages();
    assert_eq!(got.len(), 2, "{got:#?}");
    assert_eq!(got[0]["topic"], "bnotify/db1/pg_main/backup_failure");
    let ev: Value = serde_json::from_str(got[0]["payload"].as_str().unwrap()).unwrap();
    assert_eq!(ev["title"], t.as_str());
    assert_eq!(ev["body"], b.as_str());
    assert_eq!(ev["task"], "pg/main");
    assert_eq!(ev["status"], "failure");
    assert_eq!(got[1]["topic"], "bnotify/db1/pg_main/status");

    // A dashboard that subscribes later still sees the last outcome.
    let retained: Value =
        serde_json::from_str(&broker.retained("bnotify/db1/pg_main/status")).unwrap();
    assert_eq!(retained["status"], "failure");
    assert_eq!(retained["event"], "backup_failure");
    assert_eq!(retained["id"], "run-42");
    assert!(retained["timestamp"].as_str().unwrap().ends_with('Z'));
    send(
        &env,
        &["-e", "backup_success", "--job", "pg/main", "--host", "db1"],
    )
    .code(0);
    let retained: Value =
        serde_json::from_str(&broker.retained("bnotify/db1/pg_main/status")).unwrap();
    assert_eq!(retained["status"], "success");
}

#[test]
fn mqtt_topic_template_and_qos_0() {
    let tmp = tempfile::tempdir().unwrap();
    let broker = servers::mosquitto(tmp.path());
    let env = mqtt_env(
        &broker,
        "    topic: \"backups/{{ host }}/{{ status }}\"\n    qos: 0\n",
    );
    let live = broker.subscribe("backups/#", 1);
    send(&env, &["-e", "backup_start", "--job", "j", "--host", "h1"]).code(0);
    let got = live.messages();
    assert_eq!(got[0]["topic"], "backups/h1/start");
}

#[test]
fn mqtt_over_tls_with_a_private_ca() {
    let tmp = tempfile::tempdir().unwrap();
    let broker = servers::mosquitto(tmp.path());
    let env = Env::new(&format!(
        "endpoints:\n  - {{name: mq, type: mqtt, url: \"{}\", username: {MQTT_USER}, password: {MQTT_PASSWORD}, ca_file: \"{}\"}}\n",
        broker.tls_url(),
        broker.certs.ca.display()
    ));
    send(
        &env,
        &["-e", "backup_success", "--job", "tls-job", "--host", "h"],
    )
    .code(0);
    let retained: Value =
        serde_json::from_str(&broker.retained("bnotify/h/tls-job/status")).unwrap();
    assert_eq!(retained["status"], "success");

    // Without the CA the broker's certificate is refused, and the message says so.
    let env = Env::new(&format!(
        "endpoints:\n  - {{name: mq, type: mqtt, url: \"{}\", username: {MQTT_USER}, password: {MQTT_PASSWORD}, retries: 0}}\n",
        broker.tls_url(),
    ));
    send(&env, &["-e", "backup_success", "--job", "tls-job"])
        .code(1)
        .err_has("certificate");
}

#[test]
fn mqtt_wrong_password_fails_at_once_and_says_authentication() {
    let tmp = tempfile::tempdir().unwrap();
    let broker = servers::mosquitto(tmp.path());
    let env = Env::new(&format!(
        "endpoints:\n  - {{name: mq, type: mqtt, url: \"{}\", username: {MQTT_USER}, password: not-the-password, retries: 5}}\n",
        broker.url()
    ));
    let t0 = Instant::now();
    let out = send(&env, &["-e", "backup_failure", "--job", "j"]);
    out.code(1).err_has("authentication failed");
    assert!(
        t0.elapsed() < Duration::from_secs(3),
        "retried: {:?}",
        t0.elapsed()
    );
    assert!(!out.stderr.contains("after 2 attempts"), "{}", out.stderr);
    assert!(!out.stderr.contains("not-the-password"), "{}", out.stderr);
}

#[test]
fn mqtt_broker_down_is_retried_and_queued() {
    let env = Env::new(&format!(
        "endpoints:\n  - {{name: mq, type: mqtt, url: \"mqtt://127.0.0.1:{}\", retries: 1}}\n",
        closed_port()
    ));
    send(&env, &["-e", "backup_failure", "--job", "j"])
        .code(1)
        .err_has("after 2 attempts")
        .err_has("MQTT 127.0.0.1:");
    assert_eq!(crate::support::files(&env.outbox()).len(), 1);
}

/// The value of the sample `name` whose labels include `labels`.
fn sample(samples: &[Value], name: &str, labels: &[(&str, &str)]) -> Option<f64> {
    samples
        .iter()
        .find(|s| s[0] == name && labels.iter().all(|(k, v)| s[1][*k] == *v))
        .map(|s| s[2].as_f64().unwrap())
}

#[test]
fn pushgateway_shows_the_history_grouped_by_job_and_host() {
    let env = Env::new("");
    let pg = servers::pushgateway(env.dir.path());
    std::fs::write(
        &env.config,
        format!(
            "endpoints:\n  - {{name: pg, type: pushgateway, url: \"{}\", job: backups}}\n",
            pg.url()
        ),
    )
    .unwrap();
    let t0 = now();
    send(
        &env,
        &[
            "-e",
            "backup_success",
            "--job",
            "pg-main",
            "--host",
            "db1",
            "--duration",
            "4m 12s",
            "--backup-size",
            "1GiB",
            "--field",
            "exit_code=0",
        ],
    )
    .code(0);
    send(
        &env,
        &[
            "-e",
            "backup_failure",
            "--job",
            "files",
            "--host",
            "db1",
            "--field",
            "exit_code=2",
        ],
    )
    .code(0);
    let text = pg.get("/metrics");
    let samples = servers::parse_prom(&text);
    let g = |name: &str, task: &str| {
        sample(
            &samples,
            name,
            &[("job", "backups"), ("instance", "db1"), ("task", task)],
        )
        .unwrap_or_else(|| panic!("no {name} for {task} in\n{text}"))
    };
    let success = g("bnotify_last_success_timestamp_seconds", "pg-main");
    assert!((success - t0).abs() < 30.0, "{success} vs {t0}");
    assert_eq!(g("bnotify_last_duration_seconds", "pg-main"), 252.0);
    assert_eq!(
        g("bnotify_last_backup_size_bytes", "pg-main"),
        1_073_741_824.0
    );
    assert_eq!(g("bnotify_last_exit_code", "pg-main"), 0.0);
    assert_eq!(g("bnotify_last_exit_code", "files"), 2.0);
    assert!(
        sample(
            &samples,
            "bnotify_last_success_timestamp_seconds",
            &[("task", "files")]
        )
        .is_none(),
        "files never succeeded"
    );
    assert!(sample(
        &samples,
        "bnotify_last_event_timestamp_seconds",
        &[
            ("instance", "db1"),
            ("task", "files"),
            ("event", "backup_failure")
        ]
    )
    .is_some());
    assert!(
        text.contains("# HELP bnotify_last_success_timestamp_seconds"),
        "{text}"
    );
}

#[test]
fn textfile_is_written_atomically_and_parses() {
    let env = Env::new("");
    let dir = env.path("textfile");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(
        &env.config,
        format!(
            "endpoints:\n  - {{name: tf, type: textfile, dir: \"{}\", events: [\"*_success\", \"*_failure\"]}}\n",
            dir.display()
        ),
    )
    .unwrap();
    let odd = "db \"main\"\\nightly";
    send(&env, &["-e", "backup_start", "--job", odd]).code(0);
    send(
        &env,
        &["-e", "backup_success", "--job", odd, "--duration", "90s"],
    )
    .code(0);
    let entries: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(entries, ["bnotify.prom"], "no temp file left behind");
    let text = std::fs::read_to_string(dir.join("bnotify.prom")).unwrap();
    let samples = servers::parse_prom(&text);
    assert_eq!(
        sample(&samples, "bnotify_last_duration_seconds", &[("task", odd)]),
        Some(90.0),
        "{text}"
    );
    // the start was recorded in the history although the endpoint did not get it
    assert!(sample(
        &samples,
        "bnotify_last_event_timestamp_seconds",
        &[("task", odd), ("event", "backup_start")]
    )
    .is_some());
}
