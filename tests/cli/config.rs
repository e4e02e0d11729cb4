use crate::support::{run, Env};

/// Each kind of config error at its exact line and column, and hostile files refused.
mod positions;

fn check(yaml: &str) -> crate::support::Out {
    let env = Env::new(yaml);
    let mut c = env.cmd();
    c.args(["config", "check"]);
    run(c)
}

#[test]
fn bad_configs_exit_2_with_location_and_fix() {
    for (name, yaml, wants) in [
        (
            "unknown key",
            "endpoints:\n  - name: ops\n    type: webhook\n    url: http://h\n    tokne: x\n",
            &["config.yaml:5:5", "endpoint \"ops\" (webhook)", "unknown key \"tokne\"", "did you mean \"token\""][..],
        ),
        ("bad yaml", "endpoints:\n  - name: a\n   type: webhook\n", &["config.yaml:3", "invalid YAML"][..]),
        ("unset var", "endpoints:\n  - name: a\n    type: webhook\n    url: ${NOPE_NOT_SET}\n", &["NOPE_NOT_SET", "endpoint \"a\"", "${NOPE_NOT_SET:-default}"][..]),
        ("missing field", "endpoints:\n  - name: a\n    type: webhook\n", &["endpoint \"a\" (webhook)", "missing required key \"url\""][..]),
        ("duplicate", "endpoints:\n  - {name: a, type: webhook, url: http://h}\n  - {name: a, type: webhook, url: http://h}\n", &["duplicate endpoint name \"a\""][..]),
        ("unknown type", "endpoints:\n  - {name: a, type: webhok, url: http://h}\n", &["unknown type \"webhok\"", "did you mean \"webhook\""][..]),
        ("root key", "evnets: [x]\n", &["unknown key \"evnets\"", "did you mean \"events\""][..]),
        ("bad url", "endpoints:\n  - {name: a, type: webhook, url: \"ftp://h\"}\n", &["is not a usable http(s) URL", "must start with http:// or https://"][..]),
        ("bad template", "endpoints:\n  - {name: a, type: webhook, url: \"http://h\", title: \"{{ x\"}\n", &["title template error"][..]),
        ("bad duration", "endpoints:\n  - {name: a, type: webhook, url: \"http://h\", timeout: soon}\n", &["invalid duration \"soon\""][..]),
    ] {
        let out = check(yaml);
        assert_eq!(out.code, 2, "{name}: {}", out.stderr);
        for w in wants {
            assert!(out.stderr.contains(w), "{name}: stderr lacks {w:?}:\n{}", out.stderr);
        }
    }
}

#[test]
fn good_config_checks_with_warnings() {
    let out = check(
        "events: [backup_failur]\nendpoints:\n  - {name: a, type: webhook, url: \"http://h\"}\n",
    );
    out.code(0)
        .err_has("ok:")
        .err_has("\"backup_failur\" is not a known event")
        .err_has("did you mean \"backup_failure\"");
}

#[test]
fn send_with_bad_config_sends_nothing_and_exits_2() {
    let env = Env::new(
        "endpoints:\n  - {name: a, type: webhook, url: \"http://127.0.0.1:9\", bogus: 1}\n",
    );
    let mut c = env.cmd();
    c.args(["send", "--event", "backup_failure"]);
    run(c).code(2).err_has("unknown key \"bogus\"");
}

#[test]
fn payload_errors() {
    let env = Env::new("endpoints: []\n");
    let mut c = env.cmd();
    c.args(["send", "--event", "x", "--payload", "-"])
        .write_stdin("{\n  \"task\": \"a\",\n  oops\n}");
    run(c).code(2).err_has("invalid JSON at line 3, column 3");
    let mut c = env.cmd();
    c.args(["send", "--event", "x", "--payload", "-"])
        .write_stdin("[1]");
    run(c).code(2).err_has("one JSON object");
    let mut c = env.cmd();
    c.args(["send", "--event", "x", "--payload", "-"])
        .write_stdin(r#"{"duration_ms": "soon"}"#);
    run(c).code(2).err_has("duration_ms");
    let mut c = env.cmd();
    c.args(["send", "--event", "x", "--backup-size", "3 parsecs"]);
    run(c).code(2).err_has("unknown size unit");
    let mut c = env.cmd();
    c.args(["send", "--event", "x", "--duration", "forever"]);
    run(c).code(2).err_has("--duration");
    let mut c = env.cmd();
    c.args(["send", "--event", "x", "--bogus"]);
    run(c).code(2).err_has("--bogus");
    let mut c = env.cmd();
    c.args(["send"]);
    run(c).code(2).err_has("--event");
}

#[test]
fn discovery_order_and_config_path() {
    let env = Env::new("endpoints: []\n");
    let xdg = env.path("xdg");
    std::fs::create_dir_all(xdg.join("bnotify")).unwrap();
    std::fs::write(xdg.join("bnotify/config.yaml"), "endpoints: []\n").unwrap();
    let home_cfg = env.path("home/.config/bnotify");
    std::fs::create_dir_all(&home_cfg).unwrap();
    std::fs::write(home_cfg.join("config.yaml"), "endpoints: []\n").unwrap();

    let mut c = env.bare();
    c.args(["config", "path"])
        .env("BNOTIFY_CONFIG", &env.config)
        .env("XDG_CONFIG_HOME", &xdg);
    let o = run(c);
    o.code(0).out_has("config.yaml").err_has("$BNOTIFY_CONFIG");
    assert_eq!(o.stdout.trim(), env.config.to_str().unwrap());

    let mut c = env.bare();
    c.args(["config", "path"]).env("XDG_CONFIG_HOME", &xdg);
    let o = run(c);
    o.code(0).err_has("XDG_CONFIG_HOME");
    assert!(o.stdout.trim().ends_with("xdg/bnotify/config.yaml"));

    let mut c = env.bare();
    c.args(["config", "path"]);
    let o = run(c);
    o.code(0).err_has("~/.config");
    assert!(o
        .stdout
        .trim()
        .ends_with("home/.config/bnotify/config.yaml"));

    let mut c = env.bare();
    c.args(["--config", "/nonexistent/b.yaml", "config", "path"]);
    run(c).code(2).err_has("does not exist");
}

#[test]
fn config_show_masks_secrets_and_fills_defaults() {
    let env = Env::new(
        "endpoints:\n  - name: a\n    type: webhook\n    url: \"http://user:pw-secret-1@h/x?token=qs-secret-2\"\n    token: tok-secret-3\n    headers: {Authorization: \"Bearer hdr-secret-4\"}\n    signing: {secret: sig-secret-5}\n",
    );
    let mut c = env.cmd();
    c.args(["config", "show"]);
    let out = run(c);
    out.code(0)
        .out_has("timeout: 10s")
        .out_has("retries: 2")
        .out_has("when: always")
        .out_has("****");
    for s in [
        "pw-secret-1",
        "qs-secret-2",
        "tok-secret-3",
        "hdr-secret-4",
        "sig-secret-5",
    ] {
        assert!(!out.stdout.contains(s), "{s} leaked:\n{}", out.stdout);
    }
}

#[test]
fn endpoints_and_events_commands() {
    let env = Env::new("events: [backup_failure]\nendpoints:\n  - {name: ops, type: webhook, url: \"http://h/?token=zz-secret\"}\n  - {name: off, type: webhook, url: \"http://h\", enabled: false, events: [\"backup_*\"], when: failure}\n");
    let mut c = env.cmd();
    c.arg("endpoints");
    let out = run(c);
    out.code(0)
        .out_has("ops")
        .out_has("webhook")
        .out_has("backup_failure")
        .out_has("backup_*")
        .out_has("failure");
    assert!(!out.stdout.contains("zz-secret"));
    let mut c = env.cmd();
    c.arg("events");
    run(c)
        .code(0)
        .out_has("backup_failure   failure")
        .out_has("user_login")
        .out_has("_completed");
}

#[test]
fn env_expansion_forms() {
    let srv = crate::support::Server::ok();
    let env = Env::new(&format!(
        "endpoints:\n  - name: a\n    type: webhook\n    url: \"{}\"\n    headers: {{X-A: \"${{A_VAR}}\", X-B: \"${{B_VAR:-dflt}}\", X-C: \"$${{lit}}\", X-D: \"${{file:{}}}\"}}\n",
        srv.url("/e"),
        "SECRET_FILE"
    ));
    let secret_file = env.path("secret.txt");
    std::fs::write(&secret_file, "from-file\n").unwrap();
    let text = std::fs::read_to_string(&env.config)
        .unwrap()
        .replace("SECRET_FILE", secret_file.to_str().unwrap());
    std::fs::write(&env.config, text).unwrap();
    let mut c = env.cmd();
    c.args(["send", "--event", "x"]).env("A_VAR", "aaa");
    run(c).code(0);
    let r = srv.one();
    assert_eq!(r.header("X-A"), Some("aaa"));
    assert_eq!(r.header("X-B"), Some("dflt"));
    assert_eq!(r.header("X-C"), Some("${lit}"));
    assert_eq!(r.header("X-D"), Some("from-file"));
}

#[test]
fn example_config_is_valid_and_covers_every_type() {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/config.example.yaml");
    let env = Env::new("");
    let mut c = env.bare();
    c.args(["--config", path, "config", "check"])
        .env("WEBHOOK_URL", "https://hooks.example.com/bnotify");
    run(c).code(0);
    let text = std::fs::read_to_string(path).unwrap();
    for t in bnotify::catalog::channel_types() {
        assert!(
            text.contains(&format!("type: {}\n", t.name)),
            "config.example.yaml has no example of type {}",
            t.name
        );
    }
}

#[test]
fn config_check_warns_when_secrets_are_world_readable() {
    use std::os::unix::fs::PermissionsExt;
    let env = Env::new(
        "endpoints:\n  - {name: a, type: webhook, url: \"http://h\", token: tok-secret-x}\n",
    );
    std::fs::set_permissions(&env.config, std::fs::Permissions::from_mode(0o644)).unwrap();
    let mut c = env.cmd();
    c.args(["config", "check"]);
    let out = run(c);
    out.code(0)
        .err_has("holds secrets and is readable by other users")
        .err_has("chmod 600");
    assert!(!out.stderr.contains("tok-secret-x"));
    std::fs::set_permissions(&env.config, std::fs::Permissions::from_mode(0o600)).unwrap();
    let mut c = env.cmd();
    c.args(["config", "check"]);
    let out = run(c);
    out.code(0);
    assert!(!out.stderr.contains("readable by other users"));
}

/// Block-style endpoint `a` of `kind` with extra `lines` (each `key: value`).
fn one(kind: &str, lines: &[&str]) -> String {
    let mut y = format!("endpoints:\n  - name: a\n    type: {kind}\n");
    for l in lines {
        y.push_str(&format!("    {l}\n"));
    }
    y
}

#[test]
fn out_of_range_values_are_errors_with_the_allowed_range() {
    for (name, yaml, wants) in [
        (
            "zero timeout",
            one("webhook", &["url: http://h/x", "timeout: 0s"]),
            &[
                "config.yaml:5:14",
                "endpoint \"a\" (webhook)",
                "timeout",
                "zero",
                "hint: write a duration above zero and at most 1 hour",
            ][..],
        ),
        (
            "zero seconds as a number",
            one("webhook", &["url: http://h/x", "timeout: 0"]),
            &["config.yaml:5:14", "timeout", "zero", "at most 1 hour"][..],
        ),
        (
            "timeout over an hour",
            one("webhook", &["url: http://h/x", "timeout: 61m"]),
            &[
                "config.yaml:5:14",
                "timeout",
                "longer than 1 hour",
                "hint: write a duration above zero and at most 1 hour",
            ][..],
        ),
        (
            "throttle overflow",
            one(
                "webhook",
                &["url: http://h/x", "throttle: 213503982334601d"],
            ),
            &[
                "config.yaml:5:15",
                "throttle",
                "213503982334601d",
                "longer than 100 years",
                "at most 100 years",
            ][..],
        ),
        (
            "throttle past any integer",
            one(
                "webhook",
                &["url: http://h/x", "throttle: 99999999999999999999999d"],
            ),
            &["config.yaml:5:15", "throttle", "at most 100 years"][..],
        ),
        (
            "throttle of 101 years",
            one("webhook", &["url: http://h/x", "throttle: 101years"]),
            &["throttle", "longer than 100 years"][..],
        ),
        (
            "huge number of seconds",
            one("webhook", &["url: http://h/x", "throttle: 1e300"]),
            &["throttle", "longer than 100 years"][..],
        ),
        (
            "zero throttle",
            one("webhook", &["url: http://h/x", "throttle: 0s"]),
            &["throttle", "zero", "above zero"][..],
        ),
        (
            "outbox max_age zero",
            "outbox: {max_age: 0s}\nendpoints: []\n".to_string(),
            &["config.yaml:1:19", "max_age", "zero", "above zero"][..],
        ),
        (
            "default timeout over an hour",
            "defaults:\n  timeout: 2h\nendpoints: []\n".to_string(),
            &["config.yaml:2:12", "timeout", "longer than 1 hour"][..],
        ),
        (
            "port over 65535",
            one("webhook", &["url: http://127.0.0.1:70000/hook"]),
            &[
                "config.yaml:4:10",
                "endpoint \"a\" (webhook)",
                "url",
                "invalid port",
                "hint: a port is a number from 1 to 65535",
            ][..],
        ),
        (
            "CR/LF in a header value",
            one(
                "webhook",
                &[
                    "url: http://h/x",
                    "headers: {X-A: \"a\\r\\nX-Injected: 1\"}",
                ],
            ),
            &[
                "config.yaml:5:20",
                "endpoint \"a\" (webhook)",
                "header \"X-A\"",
                "line break",
                "hint: write the value on one line",
            ][..],
        ),
        (
            "LF in a header name",
            one(
                "webhook",
                &["url: http://h/x", "headers: {\"X-A\\nX-B\": v}"],
            ),
            &["config.yaml:5:15", "header name", "line break", "hint:"][..],
        ),
        (
            "CR/LF from a variable",
            one(
                "webhook",
                &["url: http://h/x", "headers: {X-A: \"${CRLF_VAR}\"}"],
            ),
            &["config.yaml:5:20", "header \"X-A\"", "line break"][..],
        ),
        (
            "non-ASCII header value (the HTTP client would refuse to send it)",
            one(
                "webhook",
                &["url: http://h/x", "headers: {X-Note: \"café\"}"],
            ),
            &[
                "config.yaml:5:23",
                "endpoint \"a\" (webhook)",
                "header \"X-Note\"",
                "not ASCII ('é')",
                "hint: keep header values to ASCII",
            ][..],
        ),
    ] {
        let env = Env::new(&yaml);
        let mut c = env.cmd();
        c.args(["config", "check"])
            .env("CRLF_VAR", "ok\r\nX-Evil: 1");
        let out = run(c);
        assert_eq!(out.code, 2, "{name}: {}", out.stderr);
        for w in wants {
            assert!(
                out.stderr.contains(w),
                "{name}: stderr lacks {w:?}:\n{}",
                out.stderr
            );
        }
        assert!(
            !out.stderr.contains("X-Evil") && !out.stderr.contains("X-Injected"),
            "{name}: {}",
            out.stderr
        );
        let mut c = env.cmd();
        c.args(["send", "--event", "backup_failure"]);
        assert_eq!(run(c).code, 2, "{name}: send must refuse it too");
    }
}

#[test]
fn durations_in_range_are_accepted() {
    let out = check(&one(
        "webhook",
        &[
            "url: http://h/x",
            "timeout: 1h",
            "throttle: 100years",
            "retries: 0",
        ],
    ));
    out.code(0);
    let out = check(&one(
        "webhook",
        &["url: http://h/x", "timeout: 0.5", "throttle: 1ms"],
    ));
    out.code(0);
}

#[test]
fn nested_default_expands_the_inner_reference() {
    let srv = crate::support::Server::ok();
    let env = Env::new(&one(
        "webhook",
        &[
            &format!("url: \"{}\"", srv.url("/n")),
            "headers: {X-A: \"${UNSET_A:-${INNER_B}}\", X-B: \"${UNSET_A:-pre-${UNSET_C:-deep}-post}\", X-C: \"${SET_A:-${UNSET_C}}\"}",
        ],
    ));
    let mut c = env.cmd();
    c.args(["send", "--event", "x"])
        .env("INNER_B", "inner-value")
        .env("SET_A", "set-value");
    run(c).code(0);
    let r = srv.one();
    assert_eq!(r.header("X-A"), Some("inner-value"));
    assert_eq!(r.header("X-B"), Some("pre-deep-post"));
    assert_eq!(r.header("X-C"), Some("set-value"));
    let env = Env::new(&one("webhook", &["url: \"${UNSET_A:-${UNSET_B}}\""]));
    let mut c = env.cmd();
    c.args(["config", "check"]);
    run(c)
        .code(2)
        .err_has("environment variable UNSET_B is not set")
        .err_has("endpoint \"a\" (webhook)");
}

#[test]
fn percent_encoded_userinfo_is_decoded_once_for_basic_auth() {
    use base64::Engine;
    let srv = crate::support::Server::ok();
    let url = srv
        .url("/auth")
        .replace("http://", "http://us%40er:p%40ss%3Aw@");
    let env = Env::new(&one("webhook", &[&format!("url: \"{url}\"")]));
    let mut c = env.cmd();
    c.args(["send", "--event", "x"]);
    let out = run(c);
    out.code(0);
    let auth = srv.one().header("Authorization").unwrap().to_string();
    let decoded = base64::engine::general_purpose::STANDARD
        .decode(auth.trim_start_matches("Basic "))
        .unwrap();
    assert_eq!(String::from_utf8(decoded).unwrap(), "us@er:p@ss:w");
    assert!(!out.stderr.contains("p%40ss") && !out.stderr.contains("p@ss"));
}

#[test]
fn mode_warnings_follow_where_the_secret_is() {
    use std::os::unix::fs::PermissionsExt;
    let mode = |p: &std::path::Path, m: u32| {
        std::fs::set_permissions(p, std::fs::Permissions::from_mode(m)).unwrap()
    };
    let check_with = |env: &Env| {
        let mut c = env.cmd();
        c.args(["config", "check"])
            .env("HOOK_TOKEN", "env-token-123456");
        let out = run(c);
        out.code(0);
        out
    };
    // Only references: the file itself holds nothing secret.
    let env = Env::new(&one(
        "webhook",
        &[
            "url: \"http://h/x?token=${HOOK_TOKEN}\"",
            "token: \"${HOOK_TOKEN}\"",
            "headers: {Authorization: \"Bearer ${HOOK_TOKEN}\"}",
        ],
    ));
    mode(&env.config, 0o644);
    let out = check_with(&env);
    assert!(
        !out.stderr.contains("readable by other users"),
        "{}",
        out.stderr
    );
    // Literal secrets in every form warn.
    for (name, line) in [
        ("token", "token: literal-tok-1"),
        ("user-info", "url: \"http://user:literal-pw@h/x\""),
        ("query", "url: \"http://h/x?api-key=literal-key\""),
        ("header", "headers: {X-Api-Key: literal-hdr}"),
    ] {
        let lines = if line.starts_with("url") {
            vec![line]
        } else {
            vec!["url: http://h/x", line]
        };
        let env = Env::new(&one("webhook", &lines));
        mode(&env.config, 0o644);
        let out = check_with(&env);
        assert!(
            out.stderr
                .contains("holds secrets and is readable by other users"),
            "{name}: {}",
            out.stderr
        );
        assert!(!out.stderr.contains("literal-"), "{name}: {}", out.stderr);
    }
    // A ${file:} secret readable by others warns, naming that file.
    let env = Env::new("");
    let tok = env.path("tok");
    std::fs::write(&tok, "file-secret-987654\n").unwrap();
    std::fs::write(
        &env.config,
        one(
            "webhook",
            &[
                "url: http://h/x",
                &format!("token: \"${{file:{}}}\"", tok.display()),
            ],
        ),
    )
    .unwrap();
    mode(&env.config, 0o600);
    mode(&tok, 0o644);
    let out = check_with(&env);
    assert!(
        out.stderr
            .contains(&format!("{} holds a secret", tok.display()))
            && out.stderr.contains(&format!("chmod 600 {}", tok.display())),
        "{}",
        out.stderr
    );
    assert!(
        !out.stderr.contains(&env.config.display().to_string())
            || !out.stderr.contains("config.yaml holds")
    );
    assert!(!out.stderr.contains("file-secret-987654"));
    mode(&tok, 0o600);
    let out = check_with(&env);
    assert!(
        !out.stderr.contains("readable by other users"),
        "{}",
        out.stderr
    );
}
