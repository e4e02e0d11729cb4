use std::time::{Duration, Instant};

use crate::support::{closed_port, files, run, Env, Response, Server};

fn hook(name: &str, url: &str, extra: &str) -> String {
    format!("  - name: {name}\n    type: webhook\n    url: {url}\n{extra}")
}

fn send(env: &Env, args: &[&str]) -> crate::support::Out {
    let mut c = env.cmd();
    c.arg("send").args(args);
    run(c)
}

#[test]
fn fan_out_is_parallel() {
    let srv = Server::start(|_, _| Response::status(200).delay(Duration::from_millis(500)));
    let eps: String = (0..20)
        .map(|i| hook(&format!("ep{i}"), &srv.url(&format!("/{i}")), ""))
        .collect();
    let env = Env::new(&format!("endpoints:\n{eps}"));
    let t = Instant::now();
    send(&env, &["--event", "backup_failure"]).code(0);
    let took = t.elapsed();
    assert_eq!(srv.requests().len(), 20);
    assert!(
        took < Duration::from_millis(2500),
        "20 x 500 ms took {took:?}: not parallel"
    );
}

#[test]
fn failing_endpoint_does_not_stop_a_good_one_and_is_kept_in_the_outbox() {
    let good = Server::ok();
    let bad = Server::statuses(&[500]);
    let env = Env::new(&format!(
        "defaults: {{retries: 0}}\nendpoints:\n{}{}",
        hook("good", &good.url("/g"), ""),
        hook("bad", &bad.url("/b"), "")
    ));
    let out = send(&env, &["--event", "backup_failure", "--job", "db"]);
    out.code(1)
        .err_has("FAIL  bad")
        .err_has("HTTP 500")
        .err_has("outbox flush");
    assert_eq!(good.requests().len(), 1);
    let kept = files(&env.outbox());
    assert_eq!(kept.len(), 1, "{kept:?}");
    let entry: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&kept[0]).unwrap()).unwrap();
    assert_eq!(entry["endpoint"], "bad");
    assert_eq!(entry["event"]["task"], "db");
    // the next send says how many wait
    send(&env, &["--event", "backup_failure", "--endpoint", "good"])
        .code(0)
        .err_has("1 notification waiting");
}

#[test]
fn best_effort_turns_failure_into_success() {
    let bad = Server::statuses(&[500]);
    let env = Env::new(&format!(
        "defaults: {{retries: 0}}\nendpoints:\n{}",
        hook("bad", &bad.url("/"), "")
    ));
    send(&env, &["--event", "backup_failure", "--best-effort"])
        .code(0)
        .err_has("WARN  bad");
    assert_eq!(files(&env.outbox()).len(), 1);
    let env2 = Env::new(&format!(
        "best_effort: true\ndefaults: {{retries: 0}}\nendpoints:\n{}",
        hook("bad", &bad.url("/"), "")
    ));
    send(&env2, &["--event", "backup_failure"]).code(0);
}

#[test]
fn retries_503_then_succeeds() {
    let srv = Server::statuses(&[503, 503, 200]);
    let env = Env::new(&format!(
        "endpoints:\n{}",
        hook("flaky", &srv.url("/"), "    retries: 3\n")
    ));
    let t = Instant::now();
    let out = send(&env, &["--event", "backup_failure", "--json"]);
    out.code(0);
    assert_eq!(srv.requests().len(), 3);
    let gap1 = srv.requests()[1].at - srv.requests()[0].at;
    let gap2 = srv.requests()[2].at - srv.requests()[1].at;
    assert!(
        gap1 >= Duration::from_millis(300) && gap2 > gap1,
        "backoff {gap1:?} then {gap2:?}"
    );
    assert!(t.elapsed() < Duration::from_secs(5));
    let report: serde_json::Value = serde_json::from_str(&out.stdout).unwrap();
    assert_eq!(report["results"][0]["attempts"], 3);
    assert_eq!(report["results"][0]["ok"], true);
    assert_eq!(report["results"][0]["status"], 200);
}

#[test]
fn retry_after_is_honoured() {
    let srv = Server::start(|_, n| {
        if n == 0 {
            Response::status(429).header("Retry-After", "2")
        } else {
            Response::status(200)
        }
    });
    let env = Env::new(&format!("endpoints:\n{}", hook("rl", &srv.url("/"), "")));
    send(&env, &["--event", "backup_failure"]).code(0);
    let r = srv.requests();
    assert_eq!(r.len(), 2);
    assert!(
        r[1].at - r[0].at >= Duration::from_millis(1900),
        "waited {:?}",
        r[1].at - r[0].at
    );
}

#[test]
fn client_error_is_not_retried() {
    let srv = Server::start(|_, _| Response::status(400).body("invalid_payload"));
    let env = Env::new(&format!(
        "endpoints:\n{}",
        hook("h", &srv.url("/"), "    retries: 3\n")
    ));
    send(&env, &["--event", "backup_failure"])
        .code(1)
        .err_has("400")
        .err_has("invalid_payload");
    assert_eq!(srv.requests().len(), 1);
}

#[test]
fn timeout_fails_the_endpoint_in_time() {
    let srv = Server::start(|_, _| Response::status(200).delay(Duration::from_secs(5)));
    let env = Env::new(&format!(
        "endpoints:\n{}",
        hook(
            "slow",
            &srv.url("/"),
            "    timeout: 300ms\n    retries: 0\n"
        )
    ));
    let t = Instant::now();
    send(&env, &["--event", "backup_failure"])
        .code(1)
        .err_has("FAIL  slow")
        .err_has("timed out");
    assert!(
        t.elapsed() < Duration::from_secs(3),
        "took {:?}",
        t.elapsed()
    );
}

#[test]
fn closed_port_is_a_connection_failure() {
    let url = format!("http://127.0.0.1:{}/x", closed_port());
    let env = Env::new(&format!(
        "endpoints:\n{}",
        hook("down", &url, "    retries: 1\n")
    ));
    send(&env, &["--event", "backup_failure"])
        .code(1)
        .err_has("FAIL  down")
        .err_has("connection");
}

#[test]
fn redirect_is_refused_and_names_location() {
    let target = Server::ok();
    let loc = target.url("/elsewhere");
    let srv = Server::start(move |_, _| Response::status(302).header("Location", &loc));
    let env = Env::new(&format!(
        "endpoints:\n{}",
        hook("r", &srv.url("/"), "    token: tok-redirect\n")
    ));
    send(&env, &["--event", "backup_failure"])
        .code(1)
        .err_has("redirect")
        .err_has("/elsewhere");
    assert_eq!(target.requests().len(), 0, "redirect was followed");
    assert_eq!(srv.requests().len(), 1, "a redirect is not retried");
}

#[test]
fn deadline_bounds_the_whole_send() {
    let srv = Server::statuses(&[503]);
    let env = Env::new(&format!(
        "endpoints:\n{}",
        hook("h", &srv.url("/"), "    retries: 10\n")
    ));
    let t = Instant::now();
    send(&env, &["--event", "backup_failure", "--deadline", "1500ms"])
        .code(1)
        .err_has("deadline");
    assert!(
        t.elapsed() < Duration::from_millis(3500),
        "took {:?}",
        t.elapsed()
    );
}

#[test]
fn matching_rules() {
    let srv = Server::ok();
    let yaml = format!(
        "events: [backup_failure]\nendpoints:\n{}{}{}{}{}{}{}",
        hook("root-default", &srv.url("/root-default"), ""),
        hook(
            "globs",
            &srv.url("/globs"),
            "    events: [\"backup_*\", restore_failure]\n"
        ),
        hook("star", &srv.url("/star"), "    events: [\"*\"]\n"),
        hook(
            "only-success",
            &srv.url("/only-success"),
            "    events: [\"*\"]\n    when: success\n"
        ),
        hook(
            "only-failure",
            &srv.url("/only-failure"),
            "    events: [\"*\"]\n    when: failure\n"
        ),
        hook(
            "off",
            &srv.url("/off"),
            "    events: [\"*\"]\n    enabled: false\n"
        ),
        hook(
            "mysql-only",
            &srv.url("/mysql-only"),
            "    events: [\"*\"]\n    tasks: [\"mysql-*\"]\n"
        ),
    );
    let env = Env::new(&yaml);
    let hits = |args: &[&str]| {
        let before = srv.requests().len();
        send(&env, args).code(0);
        let mut v: Vec<String> = srv.requests()[before..]
            .iter()
            .map(|r| r.path[1..].to_string())
            .collect();
        v.sort();
        v
    };
    assert_eq!(
        hits(&["--event", "backup_failure", "--job", "mysql-daily"]),
        [
            "globs",
            "mysql-only",
            "only-failure",
            "root-default",
            "star"
        ]
    );
    assert_eq!(
        hits(&["--event", "backup_success", "--job", "pg"]),
        ["globs", "only-success", "star"]
    );
    assert_eq!(
        hits(&["--event", "restore_failure"]),
        ["globs", "only-failure", "star"]
    );
    assert_eq!(hits(&["--event", "user_login"]), ["star"]);
    assert_eq!(
        hits(&[
            "--event",
            "backup_failure",
            "--endpoint",
            "star",
            "--endpoint",
            "globs"
        ]),
        ["globs", "star"]
    );
    // custom event status from suffix, and --status wins
    assert_eq!(
        hits(&["--event", "db_dump_failed"]),
        ["only-failure", "star"]
    );
    assert_eq!(
        hits(&["--event", "db_dump_failed", "--status", "success"]),
        ["only-success", "star"]
    );
    // root enabled: false sends nothing
    std::fs::write(&env.config, format!("enabled: false\n{yaml}")).unwrap();
    assert!(hits(&["--event", "backup_failure"]).is_empty());
}

#[test]
fn unknown_endpoint_name_is_a_usage_error() {
    let env = Env::new(&format!(
        "endpoints:\n{}",
        hook("ops-hook", "http://127.0.0.1:9/", "")
    ));
    send(&env, &["--event", "x", "--endpoint", "ops-hok"])
        .code(2)
        .err_has("did you mean \"ops-hook\"");
}

#[test]
fn json_report_and_quiet() {
    let good = Server::ok();
    let env = Env::new(&format!("endpoints:\n{}", hook("g", &good.url("/"), "")));
    let out = send(
        &env,
        &["--event", "backup_success", "--json", "--id", "abc"],
    );
    out.code(0);
    let j: serde_json::Value = serde_json::from_str(&out.stdout).unwrap();
    assert_eq!(j["event"], "backup_success");
    assert_eq!(j["id"], "abc");
    let r = &j["results"][0];
    for k in [
        "endpoint",
        "type",
        "ok",
        "status",
        "attempts",
        "duration_ms",
        "error",
        "queued",
    ] {
        assert!(r.get(k).is_some(), "result lacks {k}: {r}");
    }
    let mut c = env.cmd();
    c.args(["-q", "send", "--event", "backup_success"]);
    let q = run(c);
    q.code(0);
    assert!(q.stderr.is_empty(), "quiet printed: {}", q.stderr);
}

#[test]
fn verbose_shows_requests_without_secrets() {
    let srv = Server::ok();
    let env = Env::new(&format!(
        "endpoints:\n{}",
        hook("v", &srv.url("/p?token=qs-secret-1"), "    token: hdr-secret-2\n    headers: {Authorization: \"Bearer hdr-secret-3\"}\n    signing: {secret: sign-secret-4, scheme: github}\n")
    ));
    let mut c = env.cmd();
    c.args(["-vv", "send", "--event", "backup_success"]);
    let out = run(c);
    out.code(0)
        .err_has("> v POST")
        .err_has("< v 200")
        .err_has("X-Webhook-Token: ****");
    for s in [
        "qs-secret-1",
        "hdr-secret-2",
        "hdr-secret-3",
        "sign-secret-4",
    ] {
        assert!(
            !out.stderr.contains(s) && !out.stdout.contains(s),
            "{s} leaked:\n{}",
            out.stderr
        );
    }
}

#[test]
fn dry_run_prints_requests_and_sends_nothing() {
    let srv = Server::ok();
    let env = Env::new(&format!(
        "endpoints:\n{}",
        hook(
            "d",
            &srv.url("/dry"),
            "    token: dry-secret-9\n    signing: {secret: dry-sign-8, scheme: standard}\n"
        )
    ));
    let out = send(
        &env,
        &["--event", "backup_failure", "--job", "j", "--dry-run"],
    );
    out.code(0)
        .out_has("POST http://127.0.0.1")
        .out_has("/dry")
        .out_has("webhook-signature: v1,")
        .out_has("\"task\":\"j\"");
    assert!(!out.stdout.contains("dry-secret-9") && !out.stdout.contains("dry-sign-8"));
    std::thread::sleep(Duration::from_millis(100));
    assert!(srv.requests().is_empty());
    assert!(files(&env.outbox()).is_empty());
}

#[test]
fn template_error_fails_that_endpoint_alone() {
    let srv = Server::ok();
    let env = Env::new(&format!(
        "endpoints:\n{}{}",
        hook(
            "broken",
            &srv.url("/b"),
            "    body: \"line one\\n{{{{ task | nosuchfilter }}}}\"\n"
        ),
        hook("fine", &srv.url("/f"), "")
    ));
    send(&env, &["--event", "backup_failure"])
        .code(1)
        .err_has("broken")
        .err_has("line 2");
    assert_eq!(srv.one().path, "/f");
}

#[test]
fn test_notify_sends_samples() {
    let srv = Server::ok();
    let env = Env::new(&format!(
        "endpoints:\n{}{}",
        hook("sub", &srv.url("/sub"), "    events: [backup_failure]\n"),
        hook(
            "other",
            &srv.url("/other"),
            "    events: [restore_success]\n"
        )
    ));
    let mut c = env.cmd();
    c.args(["test", "notify"]);
    run(c).code(0);
    assert_eq!(
        srv.requests().len(),
        2,
        "plain test notify reaches every endpoint"
    );
    let j = srv.requests()[0].json();
    assert_eq!(j["event"], "test");
    assert_eq!(j["task"], "bnotify-test");
    assert!(j["title"].as_str().unwrap().starts_with("[TEST] "));
    let mut c = env.cmd();
    c.args(["test", "notify", "backup_failure"]);
    run(c).code(0);
    let reqs = srv.requests();
    assert_eq!(reqs.len(), 3);
    let j = reqs[2].json();
    assert_eq!(reqs[2].path, "/sub");
    assert_eq!(j["status"], "failure");
    assert!(
        j["backup"]["id"].is_string()
            && j["backup"]["size"].is_number()
            && j["duration_ms"].is_number()
    );
    assert!(!j["backup"]["tags"].as_array().unwrap().is_empty());
}

#[test]
fn retry_after_as_an_http_date_is_honoured() {
    let srv = Server::start(|_, n| {
        if n == 0 {
            let when = std::time::SystemTime::now() + Duration::from_secs(2);
            Response::status(503).header("Retry-After", &httpdate::fmt_http_date(when))
        } else {
            Response::status(200)
        }
    });
    let env = Env::new(&format!("endpoints:\n{}", hook("rl", &srv.url("/"), "")));
    send(&env, &["--event", "backup_failure"]).code(0);
    let r = srv.requests();
    assert_eq!(r.len(), 2);
    let gap = r[1].at - r[0].at;
    assert!(
        gap >= Duration::from_millis(900) && gap < Duration::from_secs(4),
        "waited {gap:?}"
    );
}
