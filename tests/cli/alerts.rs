//! The failure alert always arrives: write-ahead outbox under SIGKILL and SIGTERM,
//! honest noise-control state, and no silent drops.

use std::collections::HashSet;
use std::process::{Child, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use crate::support::{closed_port, files, run, Env, Out, Response, Server};

fn kill(child: &Child, sig: i32) {
    // SAFETY: signalling our own child, not yet reaped.
    unsafe {
        libc::kill(child.id() as i32, sig);
    }
}

fn wait_for(what: &str, limit: Duration, mut ready: impl FnMut() -> bool) {
    let t0 = Instant::now();
    while !ready() {
        assert!(t0.elapsed() < limit, "timed out waiting for {what}");
        std::thread::sleep(Duration::from_millis(10));
    }
}

fn finish(child: Child) -> Out {
    let o = child.wait_with_output().unwrap();
    Out {
        code: o.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&o.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&o.stderr).into_owned(),
    }
}

fn flush(env: &Env) -> Out {
    let mut c = env.cmd();
    c.args(["outbox", "flush"]);
    run(c)
}

/// (endpoint path, event name, id, task) of a delivery answered with 200.
type Seen = Arc<Mutex<HashSet<(String, String, String, String)>>>;

/// A receiver that is slow and fails half the time until `healthy` is set; it records
/// every (endpoint path, event name, id, task) it answered with 200.
struct Flaky {
    srv: Server,
    healthy: Arc<AtomicBool>,
    got: Seen,
}

fn flaky(seed: u64) -> Flaky {
    let healthy = Arc::new(AtomicBool::new(false));
    let got: Seen = Arc::new(Mutex::new(HashSet::new()));
    let (h, g) = (healthy.clone(), got.clone());
    let rng = Mutex::new(fastrand::Rng::with_seed(seed));
    let srv = Server::start(move |req, _| {
        let (fail, delay) = {
            let mut r = rng.lock().unwrap();
            (r.bool(), r.u64(50..400))
        };
        if !h.load(Ordering::SeqCst) && fail {
            return Response::status(503).delay(Duration::from_millis(delay));
        }
        let j = req.json();
        let s = |k: &str| j[k].as_str().unwrap_or("").to_string();
        g.lock()
            .unwrap()
            .insert((req.path.clone(), s("event"), s("id"), s("task")));
        let d = if h.load(Ordering::SeqCst) { 0 } else { delay };
        Response::status(200).delay(Duration::from_millis(d))
    });
    Flaky { srv, healthy, got }
}

fn two_endpoints(srv: &Server) -> Env {
    Env::new(&format!(
        "defaults: {{retries: 4, timeout: 3s}}\nendpoints:\n  - {{name: a, type: webhook, url: \"{}\", events: [\"*\"]}}\n  - {{name: b, type: webhook, url: \"{}\", events: [\"*\"]}}\n",
        srv.url("/a"),
        srv.url("/b")
    ))
}

/// SIGKILL at random instants of `send` and `run` (22 kills) against a slow, failing
/// receiver: afterwards every event was received or is in the outbox, and a flush
/// delivers the rest. The seed is printed; BNOTIFY_TEST_SEED replays a run.
#[test]
fn sigkill_at_random_instants_loses_nothing() {
    let seed = std::env::var("BNOTIFY_TEST_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| fastrand::u64(..));
    eprintln!("kill test seed: {seed} (BNOTIFY_TEST_SEED={seed} replays it)");
    let mut rng = fastrand::Rng::with_seed(seed);
    let f = flaky(seed);
    let env = two_endpoints(&f.srv);
    // (event, id, task) that must arrive at both endpoints, and the kill delay of each
    // send: an event is accepted once its entry is queued, which takes a few ms; the
    // receiver seeing an attempt proves it was, and so does a kill 1 s after the start.
    let mut want: Vec<(String, String, String)> = Vec::new();
    let mut maybe: Vec<(String, String, String)> = Vec::new();
    let mut kills = 0;
    for i in 0..12 {
        let id = format!("00000000-0000-4000-8000-{i:012}");
        let task = format!("send-{i}");
        let child = env
            .process()
            .args([
                "-q",
                "send",
                "--event",
                "backup_failure",
                "--job",
                &task,
                "--id",
                &id,
            ])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let after = Duration::from_millis(rng.u64(20..1500));
        std::thread::sleep(after);
        kill(&child, libc::SIGKILL);
        finish(child);
        kills += 1;
        let ev = ("backup_failure".to_string(), id, task);
        if after >= Duration::from_secs(1) {
            want.push(ev);
        } else {
            maybe.push(ev);
        }
    }
    for i in 0..10 {
        let task = format!("run-{i}");
        let started = env.path(&format!("started-{i}"));
        let done = env.path(&format!("done-{i}"));
        let script = format!(
            "touch {}; sleep 0.{}; touch {}; exit 3",
            started.display(),
            rng.u64(1..6),
            done.display()
        );
        let child = env
            .process()
            .args(["-q", "run", "--job", &task, "--", "sh", "-c", &script])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        std::thread::sleep(Duration::from_millis(rng.u64(20..1500)));
        kill(&child, libc::SIGKILL);
        let killed_at = std::time::SystemTime::now();
        finish(child);
        kills += 1;
        // The start event is queued before the command starts.
        if started.exists() {
            want.push(("backup_start".into(), String::new(), task.clone()));
        }
        // The outcome: proved queued by an attempt the receiver saw, or expected when
        // bnotify had a whole second after the command ended to queue it.
        let end = ("backup_failure".to_string(), String::new(), task.clone());
        match std::fs::metadata(&done) {
            Ok(m)
                if killed_at
                    .duration_since(m.modified().unwrap())
                    .unwrap_or_default()
                    > Duration::from_secs(1) =>
            {
                want.push(end)
            }
            Ok(_) => maybe.push(end),
            Err(_) => {}
        }
    }
    // Every event the receiver saw an attempt of was accepted: it must arrive.
    let tried: Vec<(String, String, String)> = f
        .srv
        .requests()
        .iter()
        .map(|r| {
            let j = r.json();
            let s = |k: &str| j[k].as_str().unwrap_or("").to_string();
            (s("event"), s("id"), s("task"))
        })
        .collect();
    let mut uncounted = 0;
    for (event, id, task) in maybe {
        if tried
            .iter()
            .any(|(e, i, t)| *e == event && *t == task && (id.is_empty() || *i == id))
        {
            want.push((event, id, task));
        } else {
            uncounted += 1;
        }
    }
    eprintln!("events killed before any attempt was seen (not counted): {uncounted}");
    f.healthy.store(true, Ordering::SeqCst);
    for _ in 0..3 {
        if files(&env.outbox()).is_empty() {
            break;
        }
        flush(&env);
    }
    assert!(
        files(&env.outbox()).is_empty(),
        "seed {seed}: the outbox still holds {:?}",
        files(&env.outbox())
    );
    let got = f.got.lock().unwrap().clone();
    let mut lost = Vec::new();
    for (event, id, task) in &want {
        for path in ["/a", "/b"] {
            let arrived = got.iter().any(|(p, e, i, t)| {
                p == path && e == event && t == task && (id.is_empty() || i == id)
            });
            if !arrived {
                lost.push(format!("{event} {task} {id} at {path}"));
            }
        }
    }
    eprintln!(
        "kills: {kills}, events expected: {}, deliveries expected: {}, lost: {}",
        want.len(),
        want.len() * 2,
        lost.len()
    );
    assert!(kills >= 20);
    assert!(lost.is_empty(), "seed {seed}: lost {lost:#?}");
}

#[test]
fn sigterm_stops_send_keeps_what_is_undelivered_and_exits_1() {
    let srv = Server::start(|_, _| Response::status(200).delay(Duration::from_secs(8)));
    let env = Env::new(&format!(
        "endpoints:\n  - {{name: slow, type: webhook, url: \"{}\"}}\n",
        srv.url("/slow")
    ));
    for (sig, name) in [
        (libc::SIGTERM, "SIGTERM"),
        (libc::SIGINT, "SIGINT"),
        (libc::SIGHUP, "SIGHUP"),
    ] {
        let before = srv.requests().len();
        let child = env
            .process()
            .args(["-q", "send", "--event", "backup_failure", "--job", "db"])
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        wait_for("the request", Duration::from_secs(10), || {
            srv.requests().len() > before
        });
        let t0 = Instant::now();
        kill(&child, sig);
        let out = finish(child);
        assert!(
            t0.elapsed() < Duration::from_secs(3),
            "stops waiting at once"
        );
        out.code(1)
            .err_has(&format!("stopped by {name}"))
            .err_has("1 notification not delivered yet, kept in the outbox (slow)");
    }
    assert_eq!(files(&env.outbox()).len(), 3);
    let mut c = env.cmd();
    c.args(["outbox", "list", "--json"]);
    let _ = run(c);
}

#[test]
fn run_signalled_after_its_command_ended_keeps_the_outcome_and_its_code() {
    let hold = Arc::new(AtomicBool::new(true));
    let h = hold.clone();
    let srv = Server::start(move |_, _| {
        if h.load(Ordering::SeqCst) {
            Response::status(503).delay(Duration::from_secs(5))
        } else {
            Response::status(200)
        }
    });
    let env = Env::new(&format!(
        "endpoints:\n  - {{name: w, type: webhook, url: \"{}\", events: [backup_failure]}}\n",
        srv.url("/w")
    ));
    let child = env
        .process()
        .args([
            "-q",
            "run",
            "--job",
            "nightly",
            "--",
            "sh",
            "-c",
            "echo boom >&2; exit 4",
        ])
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    wait_for("the outcome's request", Duration::from_secs(10), || {
        !srv.requests().is_empty()
    });
    kill(&child, libc::SIGTERM);
    let out = finish(child);
    out.code(4).err_has("stopped by SIGTERM");
    assert_eq!(files(&env.outbox()).len(), 1, "{}", out.stderr);
    hold.store(false, Ordering::SeqCst);
    flush(&env).code(0);
    let last = srv.requests().last().unwrap().json();
    assert_eq!(last["event"], "backup_failure");
    assert_eq!(last["task"], "nightly");
    assert_eq!(last["fields"]["exit_code"], 4);
}

#[test]
fn a_killed_delivery_under_when_change_is_queued_not_swallowed() {
    let up = Arc::new(AtomicBool::new(false));
    let u = up.clone();
    let srv = Server::start(move |_, _| {
        if u.load(Ordering::SeqCst) {
            Response::status(200)
        } else {
            Response::status(200).delay(Duration::from_secs(8))
        }
    });
    let env = Env::new(&format!(
        "endpoints:\n  - {{name: w, type: webhook, url: \"{}\", when: change}}\n",
        srv.url("/w")
    ));
    let child = env
        .process()
        .args(["-q", "send", "--event", "backup_failure", "--job", "db"])
        .spawn()
        .unwrap();
    wait_for("the request", Duration::from_secs(10), || {
        !srv.requests().is_empty()
    });
    kill(&child, libc::SIGKILL);
    finish(child);
    assert_eq!(
        files(&env.outbox()).len(),
        1,
        "the killed delivery is queued"
    );
    up.store(true, Ordering::SeqCst);
    flush(&env).code(0);
    assert_eq!(srv.requests().len(), 2, "the flush delivered it");
    let mut c = env.cmd();
    c.args(["send", "--event", "backup_failure", "--job", "db"]);
    run(c).code(0).err_has("unchanged: still failure");
    assert_eq!(srv.requests().len(), 2);
}

#[test]
fn not_queued_and_not_delivered_is_not_told() {
    let env = Env::new(&format!(
        "outbox: {{dir: /dev/null/outbox}}\ndefaults: {{retries: 0}}\nendpoints:\n  - {{name: w, type: webhook, url: \"http://127.0.0.1:{}/\", when: change}}\n",
        closed_port()
    ));
    for _ in 0..2 {
        let mut c = env.cmd();
        c.args(["send", "--event", "backup_failure", "--job", "db"]);
        let out = run(c);
        out.code(1).err_has("cannot queue the notification");
        assert!(!out.stderr.contains("unchanged"), "{}", out.stderr);
    }
}

#[test]
fn throttle_window_resets_when_the_outcome_changes() {
    let srv = Server::ok();
    let env = Env::new(&format!(
        "endpoints:\n  - {{name: w, type: webhook, url: \"{}\", events: [\"*\"], throttle: 1h}}\n",
        srv.url("/w")
    ));
    for ev in [
        "backup_failure",
        "backup_success",
        "backup_failure",
        "backup_failure",
    ] {
        let mut c = env.cmd();
        c.args(["send", "--event", ev, "--job", "db"]);
        run(c).code(0);
    }
    let got: Vec<_> = srv
        .requests()
        .iter()
        .map(|r| r.json()["event"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(got, ["backup_failure", "backup_success", "backup_failure"]);
}

#[test]
fn a_fallback_obeys_its_own_when_and_tasks() {
    let srv = Server::ok();
    let env = Env::new(&format!(
        "defaults: {{retries: 0}}\nendpoints:\n  - {{name: chat, type: webhook, url: \"http://127.0.0.1:{}/\", events: [\"*\"], fallback: [pager, other]}}\n  - {{name: pager, type: webhook, url: \"{}\", events: [], when: failure}}\n  - {{name: other, type: webhook, url: \"{}\", events: [], tasks: [\"web-*\"]}}\n",
        closed_port(),
        srv.url("/pager"),
        srv.url("/other")
    ));
    for ev in ["backup_start", "backup_success", "backup_failure"] {
        let mut c = env.cmd();
        c.args(["send", "--event", ev, "--job", "db"]);
        run(c).code(1);
    }
    let got: Vec<_> = srv
        .requests()
        .iter()
        .map(|r| format!("{} {}", r.path, r.json()["event"].as_str().unwrap()))
        .collect();
    assert_eq!(
        got,
        ["/pager backup_failure"],
        "never paged for a start or success; other task only"
    );
}

#[test]
fn unknown_events_and_unheard_failures_are_warned_even_with_q() {
    let srv = Server::ok();
    let env = Env::new(&format!(
        "endpoints:\n  - {{name: ops, type: webhook, url: \"{}\", events: [backup_failure]}}\n  - {{name: mysql-only, type: webhook, url: \"{}\", tasks: [\"mysql-*\"]}}\n  - {{name: off, type: webhook, url: \"{}\", enabled: false}}\n",
        srv.url("/a"),
        srv.url("/b"),
        srv.url("/c")
    ));
    let mut c = env.cmd();
    c.args(["-q", "send", "--event", "backup_failur", "--job", "mysql-a"]);
    run(c)
        .code(0)
        .err_has("unknown event \"backup_failur\"; did you mean \"backup_failure\"?");
    assert_eq!(srv.requests().len(), 1, "an unknown event is still sent");
    let mut c = env.cmd();
    c.args(["-q", "send", "--event", "backup_failed", "--job", "pg"]);
    run(c)
        .code(0)
        .err_has("unknown event \"backup_failed\"")
        .err_has("reaches no endpoint; nobody is told")
        .err_has("ops: not subscribed to backup_failed")
        .err_has("mysql-only: task \"pg\" is not in tasks")
        .err_has("off: disabled");
    assert_eq!(srv.requests().len(), 1);
    let mut c = env.cmd();
    c.args(["-v", "send", "--event", "backup_failure", "--job", "pg"]);
    run(c)
        .code(0)
        .err_has("skip  mysql-only  task \"pg\" is not in tasks");
}

#[test]
fn a_problem_in_one_endpoint_leaves_out_that_endpoint_alone() {
    let srv = Server::ok();
    let yaml = format!(
        "defaults: {{retries: 0}}\nendpoints:\n  - {{name: good, type: webhook, url: \"{}\", events: [\"*\"]}}\n  - {{name: secret, type: webhook, url: \"{}\", token: \"${{NOT_SET_ANYWHERE}}\"}}\n  - {{name: typo, type: webhook, url: \"{}\", methd: PUT}}\n  - {{name: badurl, type: webhook, url: \"htps://x\"}}\n",
        srv.url("/good"),
        srv.url("/secret"),
        srv.url("/typo")
    );
    let env = Env::new(&yaml);
    let mut c = env.cmd();
    c.args(["-q", "send", "--event", "backup_failure", "--job", "db"]);
    run(c)
        .code(2)
        .err_has("NOT_SET_ANYWHERE is not set")
        .err_has("unknown key \"methd\"")
        .err_has("endpoint \"secret\" (webhook) is left out");
    assert_eq!(srv.requests().len(), 1, "the good endpoint delivered");
    let mut c = env.cmd();
    c.args(["test", "notify"]);
    run(c).code(2).err_has("is left out");
    assert_eq!(srv.requests().len(), 2);
    let mut c = env.cmd();
    c.args(["-q", "run", "--job", "db", "--", "sh", "-c", "exit 5"]);
    run(c).code(5);
    assert_eq!(srv.requests().len(), 4, "start and outcome");
    let mut c = env.cmd();
    c.args(["state", "reset"]);
    run(c).code(0);
    let mut c = env.cmd();
    c.args(["config", "check"]);
    run(c)
        .code(2)
        .err_has("NOT_SET_ANYWHERE")
        .err_has("methd")
        .err_has("endpoint \"badurl\" (webhook)");
    std::fs::write(&env.config, format!("{yaml}  - [broken\n")).unwrap();
    let mut c = env.cmd();
    c.args(["send", "--event", "backup_failure"]);
    run(c).code(2).err_has("invalid YAML");
    assert_eq!(
        srv.requests().len(),
        4,
        "a file that does not parse sends nothing"
    );
}

#[test]
fn a_runaway_template_fails_its_endpoint_alone_and_fast() {
    let srv = Server::ok();
    let env = Env::new(&format!(
        "defaults: {{retries: 0}}\nendpoints:\n  - {{name: loop, type: webhook, url: \"{}\", body: \"{{% for i in range(100000) %}}{{% for j in range(100000) %}}x{{% endfor %}}{{% endfor %}}\"}}\n  - {{name: bomb, type: webhook, url: \"{}\", body: \"{{% for i in range(100000) %}}{{{{ 'x' * 100000 }}}}{{% endfor %}}\"}}\n  - {{name: fine, type: webhook, url: \"{}\"}}\n",
        srv.url("/loop"),
        srv.url("/bomb"),
        srv.url("/fine")
    ));
    let t0 = Instant::now();
    let mut c = env.cmd();
    c.args(["send", "--event", "backup_failure", "--deadline", "5s"]);
    run(c)
        .code(1)
        .err_has("more than 200000 steps")
        .err_has("exceeds 1 MiB");
    assert!(t0.elapsed() < Duration::from_secs(5));
    let paths: Vec<_> = srv.requests().iter().map(|r| r.path.clone()).collect();
    assert_eq!(paths, ["/fine"]);
    let t0 = Instant::now();
    let mut c = env.cmd();
    c.args(["-q", "run", "--job", "j", "--", "sh", "-c", "exit 7"]);
    run(c).code(7);
    assert!(t0.elapsed() < Duration::from_secs(10));
    let mut c = env.cmd();
    c.args(["config", "check"]);
    run(c)
        .code(2)
        .err_has("endpoint \"loop\" (webhook): fails on the sample event")
        .err_has("endpoint \"bomb\" (webhook): fails on the sample event");
}

#[test]
fn flush_marks_what_it_cannot_remove_and_keeps_disabled_endpoints() {
    let srv = Server::ok();
    let down = format!("http://127.0.0.1:{}/", closed_port());
    let cfg = |url: &str, enabled: bool| {
        format!(
            "defaults: {{retries: 0}}\nendpoints:\n  - {{name: w, type: webhook, url: \"{url}\", enabled: {enabled}}}\n"
        )
    };
    let env = Env::new(&cfg(&down, true));
    let mut c = env.cmd();
    c.args(["-q", "send", "--event", "backup_failure"]);
    run(c).code(1);
    std::fs::write(&env.config, cfg(&srv.url("/w"), false)).unwrap();
    flush(&env)
        .code(0)
        .err_has("keeping")
        .err_has("endpoint \"w\" is disabled");
    assert!(srv.requests().is_empty());
    assert_eq!(files(&env.outbox()).len(), 1);

    // Delivered, but the outbox directory refuses the removal (run as another user).
    if unsafe { libc::geteuid() } != 0 {
        eprintln!("not root: the unremovable-entry half of this test needs to run as root");
        return;
    }
    std::fs::write(&env.config, cfg(&srv.url("/w"), true)).unwrap();
    let nobody = 65534;
    let chown = |p: &std::path::Path| {
        let c = std::ffi::CString::new(p.to_str().unwrap()).unwrap();
        // SAFETY: chown of files in our own temp dir.
        unsafe { libc::chown(c.as_ptr(), nobody, nobody) };
    };
    use std::os::unix::fs::PermissionsExt;
    for p in [
        env.dir.path().to_path_buf(),
        env.path("state"),
        env.path("state/bnotify"),
        env.outbox(),
        env.config.clone(),
    ] {
        chown(&p);
    }
    for f in std::fs::read_dir(env.outbox()).unwrap() {
        chown(&f.unwrap().path());
    }
    std::fs::set_permissions(env.outbox(), std::fs::Permissions::from_mode(0o500)).unwrap();
    let as_nobody = || {
        use std::os::unix::process::CommandExt;
        let mut c = env.process();
        c.args(["outbox", "flush"]).uid(nobody).gid(nobody);
        let o = c.output().unwrap();
        Out {
            code: o.status.code().unwrap_or(-1),
            stdout: String::from_utf8_lossy(&o.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&o.stderr).into_owned(),
        }
    };
    as_nobody()
        .code(2)
        .err_has("delivered, but")
        .err_has("marked delivered and will not be sent again");
    assert_eq!(srv.requests().len(), 1);
    as_nobody().err_has("delivered already");
    assert_eq!(srv.requests().len(), 1, "never sent twice");
    std::fs::set_permissions(env.outbox(), std::fs::Permissions::from_mode(0o700)).unwrap();
    flush(&env).code(0);
    assert!(files(&env.outbox()).is_empty(), "removed once it can be");
}

#[test]
fn purge_measures_ages_to_the_millisecond() {
    let env = Env::new(&format!(
        "defaults: {{retries: 0}}\nendpoints:\n  - {{name: w, type: webhook, url: \"http://127.0.0.1:{}/\"}}\n",
        closed_port()
    ));
    let mut c = env.cmd();
    c.args(["-q", "send", "--event", "backup_failure"]);
    run(c).code(1);
    std::thread::sleep(Duration::from_millis(2200));
    let mut c = env.cmd();
    c.args(["outbox", "purge", "--older-than", "2s"]);
    run(c).code(0).err_has("removed 1 entry");
}

#[test]
fn run_passes_non_utf8_arguments_unchanged() {
    use std::os::unix::ffi::OsStrExt;
    let srv = Server::ok();
    let env = Env::new(&format!(
        "endpoints:\n  - {{name: w, type: webhook, url: \"{}\"}}\n",
        srv.url("/w")
    ));
    let out_file = env.path("arg.bin");
    let arg = std::ffi::OsStr::from_bytes(b"caf\xe9-\xff\xfe");
    let mut c = env.cmd();
    c.args([
        "-q",
        "run",
        "--job",
        "j",
        "--",
        "sh",
        "-c",
        "printf %s \"$1\" > \"$2\"",
        "sh",
    ])
    .arg(arg)
    .arg(&out_file);
    run(c).code(0);
    assert_eq!(std::fs::read(&out_file).unwrap(), b"caf\xe9-\xff\xfe");
}

/// Outbox and state are private: directories 0700, files 0600, a looser existing
/// directory is warned about, and a symlink planted where bnotify writes is replaced,
/// never followed.
#[test]
fn outbox_and_state_are_private_and_follow_no_planted_link() {
    use std::os::unix::fs::PermissionsExt;
    let mode = |p: &std::path::Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
    let env = Env::new(&format!(
        "defaults: {{retries: 0}}\nendpoints:\n  - {{name: w, type: webhook, url: \"http://127.0.0.1:{}/\", when: change}}\n",
        closed_port()
    ));
    let state = env.path("state/bnotify");
    std::fs::create_dir_all(&state).unwrap();
    std::fs::set_permissions(&state, std::fs::Permissions::from_mode(0o755)).unwrap();
    let victim = env.path("victim.txt");
    std::fs::write(&victim, "precious").unwrap();
    std::os::unix::fs::symlink(&victim, state.join("state.json")).unwrap();
    let mut c = env.cmd();
    c.args(["send", "--event", "backup_failure", "--job", "db"]);
    run(c)
        .code(1)
        .err_has("is readable by other users (mode 755)")
        .err_has("chmod 700");
    assert_eq!(
        std::fs::read_to_string(&victim).unwrap(),
        "precious",
        "the link was not followed"
    );
    assert!(!std::fs::symlink_metadata(state.join("state.json"))
        .unwrap()
        .file_type()
        .is_symlink());
    assert_eq!(mode(&state.join("state.json")), 0o600);
    assert_eq!(mode(&env.outbox()), 0o700);
    for f in files(&env.outbox()) {
        assert_eq!(mode(&f), 0o600, "{}", f.display());
    }
}

#[test]
fn flush_keeps_the_entries_of_an_endpoint_with_a_config_problem() {
    let down = format!("http://127.0.0.1:{}/", closed_port());
    let env = Env::new(&format!(
        "defaults: {{retries: 0}}\nendpoints:\n  - {{name: w, type: webhook, url: \"{down}\"}}\n"
    ));
    let mut c = env.cmd();
    c.args(["-q", "send", "--event", "backup_failure"]);
    run(c).code(1);
    std::fs::write(
        &env.config,
        "endpoints:\n  - {name: w, type: webhook, url: \"${UNSET_HOOK_URL}\"}\n",
    )
    .unwrap();
    flush(&env)
        .code(2)
        .err_has("UNSET_HOOK_URL")
        .err_has("endpoint \"w\" has a config problem");
    assert_eq!(
        files(&env.outbox()).len(),
        1,
        "kept until the config is fixed"
    );
}

/// A channel with one request per recipient records which were delivered: a flush sends
/// only the rest, so nobody gets the alert twice.
#[test]
fn a_flush_sends_only_the_requests_that_had_not_arrived() {
    let up = Arc::new(AtomicBool::new(false));
    let u = up.clone();
    let srv = Server::start(move |r, _| {
        let to = r
            .form()
            .into_iter()
            .find(|(k, _)| k == "To")
            .map(|(_, v)| v)
            .unwrap_or_default();
        if to == "+15550003333" && !u.load(Ordering::SeqCst) {
            Response::status(500)
        } else {
            Response::status(201).body("{\"sid\":\"SM1\",\"status\":\"queued\"}")
        }
    });
    let env = Env::new(&format!(
        "defaults: {{retries: 0}}\nendpoints:\n  - {{name: sms, type: twilio, account_sid: ACabc, auth_token: tok, from: \"+15550001111\", to: [\"+15550002222\", \"+15550003333\"], api_url: \"{}\"}}\n",
        srv.url("")
    ));
    let mut c = env.cmd();
    c.args(["-q", "send", "--event", "backup_failure"]);
    run(c).code(1);
    let to = |srv: &Server| -> Vec<String> {
        srv.requests()
            .iter()
            .flat_map(|r| {
                r.form()
                    .into_iter()
                    .filter(|(k, _)| k == "To")
                    .map(|(_, v)| v)
            })
            .collect()
    };
    assert_eq!(
        to(&srv),
        ["+15550002222", "+15550003333"],
        "both were tried"
    );
    let entry: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&files(&env.outbox())[0]).unwrap()).unwrap();
    assert_eq!(entry["done"], serde_json::json!([0]));
    up.store(true, Ordering::SeqCst);
    flush(&env).code(0);
    assert_eq!(
        to(&srv),
        ["+15550002222", "+15550003333", "+15550003333"],
        "the flush sent only the recipient that had not got it"
    );
    assert!(files(&env.outbox()).is_empty());
}
