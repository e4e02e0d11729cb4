//! The example config works as copied, the README and example name every key, the
//! endpoints table explains matching, completion knows events and endpoints, and the
//! systemd units are valid.

use std::path::{Path, PathBuf};

use crate::support::{run, Env, Server};

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn read(name: &str) -> String {
    std::fs::read_to_string(root().join(name)).unwrap()
}

/// `word` appears in `text` as a whole word (letters, digits and `_` around it do not count).
fn has_word(text: &str, word: &str) -> bool {
    let is_word = |c: char| c.is_ascii_alphanumeric() || c == '_';
    text.match_indices(word).any(|(i, _)| {
        let before = text[..i].chars().next_back();
        let after = text[i + word.len()..].chars().next();
        !before.is_some_and(is_word) && !after.is_some_and(is_word)
    })
}

#[test]
fn example_config_first_endpoint_works_when_copied_as_is() {
    let text = read("config.example.yaml");
    let header: String = text
        .lines()
        .take_while(|l| l.starts_with('#') || l.is_empty())
        .collect::<Vec<_>>()
        .join("\n");
    // Every ${VAR} an enabled endpoint uses is documented at the top; no hidden defaults.
    for line in text.lines().filter(|l| !l.trim_start().starts_with('#')) {
        assert!(
            !line.contains(":-"),
            "a default hides an unset variable: {line}"
        );
        let mut rest = line;
        while let Some(i) = rest.find("${") {
            let var = &rest[i + 2..i + 2 + rest[i + 2..].find('}').unwrap()];
            assert!(
                var.starts_with("file:") || header.contains(var),
                "${{{var}}} is not documented in the comment at the top"
            );
            rest = &rest[i + 2..];
        }
    }
    let first = text.split("\n  - ").nth(1).unwrap();
    assert!(
        !first.contains("tasks:") && !first.contains("enabled: false"),
        "{first}"
    );

    let env = Env::new("");
    let dest = env.path("home/.config/bnotify/config.yaml");
    std::fs::create_dir_all(dest.parent().unwrap()).unwrap();
    std::fs::copy(root().join("config.example.yaml"), &dest).unwrap();
    let srv = Server::ok();
    let mut c = env.bare();
    c.args([
        "send",
        "--event",
        "backup_failure",
        "--job",
        "mysql-daily",
        "--error",
        "disk full",
    ])
    .env("WEBHOOK_URL", srv.url("/hook"));
    run(c).code(0).err_has("ops-webhook");
    let j = srv.one().json();
    assert_eq!(j["event"], "backup_failure");
    assert_eq!(j["task"], "mysql-daily");
}

#[test]
fn readme_and_example_name_every_key_of_every_type() {
    use bnotify::catalog::{COMMON_KEYS, HTTP_KEYS, ROOT_KEYS};
    let mut keys: Vec<(String, &str)> = Vec::new();
    for k in ROOT_KEYS.iter().chain(COMMON_KEYS).chain(HTTP_KEYS) {
        keys.push((k.to_string(), "common"));
    }
    for t in bnotify::catalog::channel_types() {
        for k in t.keys {
            keys.push((k.to_string(), t.name));
        }
    }
    keys.push(("max_age_start".into(), "outbox"));
    let mut missing = Vec::new();
    for file in ["README.md", "config.example.yaml"] {
        let text = read(file);
        for (k, kind) in &keys {
            if !has_word(&text, k) {
                missing.push(format!("{file}: {kind} key {k}"));
            }
        }
    }
    assert!(
        missing.is_empty(),
        "not documented:\n{}",
        missing.join("\n")
    );
}

#[test]
fn readme_installs_for_cron_and_systemd_without_traps() {
    let text = read("README.md");
    for want in [
        "cargo build --release && sudo install -m 755 target/release/bnotify /usr/local/bin/",
        "*/5 * * * *  /usr/local/bin/bnotify -q outbox flush",
        "~/.cargo/bin",
        "${file:",
        "mkdir -p ~/.local/share/bash-completion/completions ~/.zfunc ~/.config/fish/completions ~/.local/share/man/man1",
        "bnotify config init",
        "contrib/systemd/",
    ] {
        assert!(text.contains(want), "README lacks {want:?}");
    }
    // Cron lines use absolute paths.
    let cron = text
        .split("```cron")
        .skip(1)
        .map(|b| b.split("```").next().unwrap());
    for block in cron {
        for line in block.lines().filter(|l| l.contains(" bnotify ")) {
            assert!(line.contains("/usr/local/bin/bnotify"), "{line}");
        }
    }
    // Per-user installs need no sudo.
    let user = text.split("Per user, without sudo:").nth(1).unwrap();
    let block = user.split("```").nth(1).unwrap();
    assert!(!block.contains("sudo"), "{block}");
}

#[test]
fn endpoints_shows_events_tasks_and_when() {
    let env = Env::new(
        "endpoints:\n  - {name: all, type: webhook, url: \"http://127.0.0.1:9/a\"}\n  - {name: pg, type: slack, url: \"http://127.0.0.1:9/b\", events: [\"backup_*\"], tasks: [\"pg-*\"], when: change}\n  - {name: off, type: webhook, url: \"http://127.0.0.1:9/c\", enabled: false}\n",
    );
    let mut c = env.cmd();
    c.arg("endpoints");
    let out = run(c);
    out.code(0);
    let lines: Vec<Vec<&str>> = out
        .stdout
        .lines()
        .map(|l| {
            l.split("  ")
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .collect()
        })
        .collect();
    assert_eq!(
        lines[0],
        ["NAME", "TYPE", "ENABLED", "EVENTS", "TASKS", "WHEN"],
        "{}",
        out.stdout
    );
    assert_eq!(
        lines[1],
        [
            "all",
            "webhook",
            "yes",
            "* (every event)",
            "* (every task)",
            "always"
        ]
    );
    assert_eq!(
        lines[2],
        ["pg", "slack", "yes", "backup_*", "pg-*", "change"]
    );
    assert_eq!(lines[3][2], "no");

    let mut c = env.cmd();
    c.args(["--json", "endpoints"]);
    let out = run(c);
    let v: serde_json::Value = serde_json::from_str(&out.stdout).unwrap();
    let row = v[1].as_object().unwrap();
    let mut keys: Vec<&str> = row.keys().map(String::as_str).collect();
    keys.sort_unstable();
    assert_eq!(keys, ["enabled", "events", "name", "tasks", "type", "when"]);
    assert_eq!(row["tasks"], serde_json::json!(["pg-*"]));
    assert_eq!(v[0]["events"], serde_json::json!(["*"]));
}

#[test]
fn send_verbose_names_why_each_endpoint_declined() {
    let env = Env::new(
        "endpoints:\n  - {name: subs-other, type: webhook, url: \"http://127.0.0.1:9/a\", events: [backup_success]}\n  - {name: only-success, type: webhook, url: \"http://127.0.0.1:9/b\", when: success}\n  - {name: pg-only, type: webhook, url: \"http://127.0.0.1:9/c\", tasks: [\"pg-*\"]}\n",
    );
    let mut c = env.cmd();
    c.args(["-v", "send", "--event", "backup_failure", "--job", "mysql"]);
    run(c)
        .code(0)
        .err_has("subs-other: not subscribed to backup_failure")
        .err_has("only-success: when: success")
        .err_has("pg-only: task \"mysql\" is not in tasks");
}

/// Complete `words` (the last one is the word under the cursor) with the committed bash
/// script, as bash does: it calls the function `complete -p bnotify` names.
fn bash_complete(env: &Env, words: &[&str], extra_env: &[(&str, &Path)]) -> Vec<String> {
    let bin_dir = assert_cmd::cargo::cargo_bin("bnotify")
        .parent()
        .unwrap()
        .to_path_buf();
    let script = format!(
        r#"source '{}'
fn=$(complete -p bnotify | sed -E 's/.*-F ([^ ]+).*/\1/')
COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1)); COMP_LINE="$*"; COMP_POINT=${{#COMP_LINE}}
"$fn" "$1" "${{COMP_WORDS[COMP_CWORD]}}" "${{COMP_WORDS[COMP_CWORD-1]}}"
printf '%s\n' "${{COMPREPLY[@]}}""#,
        root().join("completions/bnotify.bash").display()
    );
    let mut c = std::process::Command::new("bash");
    c.arg("-c").arg(script).arg("bash").args(words);
    c.env(
        "PATH",
        format!("{}:{}", bin_dir.display(), std::env::var("PATH").unwrap()),
    )
    .env("HOME", env.path("home"))
    .env_remove("BNOTIFY_CONFIG")
    .env_remove("XDG_CONFIG_HOME");
    for (k, v) in extra_env {
        c.env(k, v);
    }
    let out = c.output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .filter(|l| !l.is_empty())
        .map(str::to_string)
        .collect()
}

#[test]
fn bash_completes_known_events_and_configured_endpoints() {
    let env = Env::new(
        "endpoints:\n  - {name: ops-hook, type: webhook, url: \"http://127.0.0.1:9/a\"}\n  - {name: pager, type: webhook, url: \"${UNSET_IN_COMPLETION}\"}\n",
    );
    let events = bash_complete(&env, &["bnotify", "send", "--event", ""], &[]);
    for (e, _) in bnotify::catalog::known_events() {
        assert!(events.iter().any(|x| x == e), "{e} not offered: {events:?}");
    }
    let failure = bash_complete(&env, &["bnotify", "send", "-e", "backup_f"], &[]);
    assert_eq!(failure, ["backup_failure"]);
    let test_event = bash_complete(&env, &["bnotify", "test", "notify", "restore_s"], &[]);
    assert!(
        test_event.iter().any(|x| x == "restore_success"),
        "{test_event:?}"
    );

    let cfg = env.config.display().to_string();
    let names = bash_complete(
        &env,
        &["bnotify", "--config", &cfg, "send", "--endpoint", ""],
        &[],
    );
    assert_eq!(
        names,
        ["ops-hook", "pager"],
        "a broken endpoint is still named"
    );
    let names = bash_complete(
        &env,
        &["bnotify", "test", "notify", "--endpoint", "p"],
        &[("BNOTIFY_CONFIG", &env.config)],
    );
    assert_eq!(names, ["pager"]);
    // The discovered config, as `bnotify` with no --config would use it.
    let home_cfg = env.path("home/.config/bnotify/config.yaml");
    std::fs::create_dir_all(home_cfg.parent().unwrap()).unwrap();
    std::fs::copy(&env.config, &home_cfg).unwrap();
    let names = bash_complete(&env, &["bnotify", "run", "--endpoint", "o"], &[]);
    assert_eq!(names, ["ops-hook"]);
    // No config: nothing offered, no error printed into the terminal.
    std::fs::remove_file(&home_cfg).unwrap();
    assert!(bash_complete(&env, &["bnotify", "send", "--endpoint", ""], &[]).is_empty());
}

#[test]
fn zsh_and_fish_scripts_ask_the_binary_for_endpoints() {
    let zsh = read("completions/_bnotify");
    let fish = read("completions/bnotify.fish");
    let z: Vec<&str> = zsh.lines().filter(|l| l.contains("--endpoint=[")).collect();
    assert!(!z.is_empty());
    for l in z {
        assert!(l.contains(":_bnotify_endpoints'"), "{l}");
    }
    assert!(zsh.contains("BNOTIFY_COMPLETE=endpoints"));
    assert!(zsh.contains(":EVENT:(backup_start "));
    let f: Vec<&str> = fish
        .lines()
        .filter(|l| l.contains(" -l endpoint "))
        .collect();
    assert!(!f.is_empty());
    for l in f {
        assert!(l.contains("(__fish_bnotify_endpoints)"), "{l}");
    }
    assert!(fish.contains("BNOTIFY_COMPLETE=endpoints"));
    // Driven for real when the shell is installed: fish's own completer, and zsh's helper
    // with `_describe` (which needs a live completion widget) printing what it was given.
    let env = Env::new(
        "endpoints:\n  - {name: ops-hook, type: webhook, url: \"http://127.0.0.1:9/a\"}\n  - {name: pager, type: webhook, url: \"http://127.0.0.1:9/b\"}\n",
    );
    let cfg = env.config.display();
    let fish_script = format!(
        "source '{}'\ncomplete -C 'bnotify --config {cfg} send --endpoint '\necho ---\ncomplete -C 'bnotify send --event backup_f'",
        root().join("completions/bnotify.fish").display()
    );
    let zsh_script = format!(
        "autoload -U compinit && compinit -u -D\nsource '{}'\n_describe() {{ print -l -- ${{(P)4}} }}\nBUFFER='bnotify --config {cfg} test notify --endpoint '\n_bnotify_endpoints",
        root().join("completions/_bnotify").display()
    );
    for (shell, script) in [("fish", fish_script), ("zsh", zsh_script)] {
        let mut c = std::process::Command::new(shell);
        if shell == "zsh" {
            c.arg("-f");
        }
        c.arg("-c").arg(&script).env(
            "PATH",
            format!(
                "{}:{}",
                assert_cmd::cargo::cargo_bin("bnotify")
                    .parent()
                    .unwrap()
                    .display(),
                std::env::var("PATH").unwrap()
            ),
        );
        c.env("HOME", env.path("home")).env_remove("BNOTIFY_CONFIG");
        let Ok(out) = c.output() else {
            eprintln!("note: {shell} is not installed; its script was checked as text only");
            continue;
        };
        let stdout = String::from_utf8_lossy(&out.stdout);
        assert!(
            out.status.success(),
            "{shell}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        // zsh's event values are static in the script (checked above); fish's are driven.
        let (names, events) = stdout
            .split_once("---\n")
            .unwrap_or((&stdout, "backup_failure"));
        let names: Vec<&str> = names
            .lines()
            .map(|l| l.split('\t').next().unwrap())
            .collect();
        assert_eq!(names, ["ops-hook", "pager"], "{shell}: {stdout}");
        assert_eq!(events.trim(), "backup_failure", "{shell}: {stdout}");
    }
}

#[test]
fn flush_units_are_valid_and_run_every_five_minutes() {
    let dir = root().join("contrib/systemd");
    let service = std::fs::read_to_string(dir.join("bnotify-flush.service")).unwrap();
    let timer = std::fs::read_to_string(dir.join("bnotify-flush.timer")).unwrap();
    assert!(service.contains("ExecStart=/usr/local/bin/bnotify -q outbox flush"));
    assert!(service.contains("Type=oneshot"));
    assert!(timer.contains("OnCalendar=*:0/5") && timer.contains("Persistent=true"));
    assert!(timer.contains("WantedBy=timers.target"));
    if std::process::Command::new("systemd-analyze")
        .arg("--version")
        .output()
        .is_err()
    {
        eprintln!("note: systemd-analyze is not installed; the units were checked as text only");
        return;
    }
    // Verify them as installed: the binary at its place (here, the one just built).
    let tmp = tempfile::tempdir().unwrap();
    let bin = assert_cmd::cargo::cargo_bin("bnotify");
    std::fs::write(
        tmp.path().join("bnotify-flush.service"),
        service.replace("/usr/local/bin/bnotify", &bin.display().to_string()),
    )
    .unwrap();
    std::fs::write(tmp.path().join("bnotify-flush.timer"), &timer).unwrap();
    let out = std::process::Command::new("systemd-analyze")
        .args(["verify", "--man=no"])
        .arg(tmp.path().join("bnotify-flush.service"))
        .arg(tmp.path().join("bnotify-flush.timer"))
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    assert!(
        !stderr.contains("bnotify-flush"),
        "systemd-analyze complains:\n{stderr}"
    );
}
