//! Test support: a temp directory with a config, and the real `bnotify` binary run in it
//! with a clean environment (no BNOTIFY_*, XDG_*, proxies or SSL_CERT_* from the
//! developer's shell).

pub mod server;
pub mod smtp;
pub mod tls;

use std::path::{Path, PathBuf};

pub use server::{closed_port, Request, Response, Server};

/// A temp home with a config file.
pub struct Env {
    pub dir: tempfile::TempDir,
    pub config: PathBuf,
}

impl Env {
    /// A temp home whose config is `yaml`.
    pub fn new(yaml: &str) -> Env {
        let dir = tempfile::tempdir().unwrap();
        let config = dir.path().join("config.yaml");
        std::fs::write(&config, yaml).unwrap();
        Env { dir, config }
    }

    /// `bnotify --config <config>` with a clean environment.
    pub fn cmd(&self) -> assert_cmd::Command {
        let mut c = self.bare();
        c.arg("--config").arg(&self.config);
        c
    }

    /// `bnotify` with a clean environment and no `--config`.
    pub fn bare(&self) -> assert_cmd::Command {
        let mut c = assert_cmd::Command::from_std(self.std_bare());
        c.timeout(std::time::Duration::from_secs(60));
        c
    }

    /// `bnotify --config <config>` as a plain process, for tests that run several at once,
    /// signal or kill them.
    pub fn process(&self) -> std::process::Command {
        let mut c = self.std_bare();
        c.arg("--config").arg(&self.config);
        c
    }

    fn std_bare(&self) -> std::process::Command {
        let mut c = std::process::Command::new(assert_cmd::cargo::cargo_bin("bnotify"));
        for (k, _) in std::env::vars() {
            if k.starts_with("BNOTIFY_")
                || k.starts_with("XDG_")
                || k.to_ascii_uppercase().ends_with("_PROXY")
                || k.starts_with("SSL_CERT_")
            {
                c.env_remove(k);
            }
        }
        c.env("HOME", self.dir.path().join("home"))
            .env("XDG_STATE_HOME", self.dir.path().join("state"))
            .env("NO_COLOR", "1");
        c
    }

    /// The outbox directory under the temp home.
    pub fn outbox(&self) -> PathBuf {
        self.dir.path().join("state/bnotify/outbox")
    }

    /// A path inside the temp dir.
    pub fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }
}

/// Peak resident memory (MiB) of `bnotify <args>` run under GNU time, and its output.
///
/// Measured by `/usr/bin/time`, a small process of its own: the test process's own
/// size would count in a child it spawned directly (a vfork child's peak includes the
/// parent's pages until exec).
pub fn peak_mib(c: std::process::Command) -> (f64, Out) {
    let mut t = std::process::Command::new("/usr/bin/time");
    t.arg("-f")
        .arg("peak-kb:%M")
        .arg(c.get_program())
        .args(c.get_args());
    for (k, v) in c.get_envs() {
        match v {
            Some(v) => t.env(k, v),
            None => t.env_remove(k),
        };
    }
    if let Some(d) = c.get_current_dir() {
        t.current_dir(d);
    }
    let o = t
        .output()
        .expect("GNU time (/usr/bin/time, Debian package time)");
    let stderr = String::from_utf8_lossy(&o.stderr).into_owned();
    let kb: f64 = stderr
        .lines()
        .rev()
        .find_map(|l| l.strip_prefix("peak-kb:"))
        .and_then(|v| v.trim().parse().ok())
        .unwrap_or_else(|| panic!("no peak in {stderr}"));
    let out = Out {
        code: o.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&o.stdout).into_owned(),
        stderr,
    };
    (kb / 1024.0, out)
}

/// Output of a finished command.
pub struct Out {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

/// Run and capture.
pub fn run(mut c: assert_cmd::Command) -> Out {
    let o = c.output().unwrap();
    Out {
        code: o.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&o.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&o.stderr).into_owned(),
    }
}

impl Out {
    /// Assert the exit code, printing both streams when it differs.
    #[track_caller]
    pub fn code(&self, want: i32) -> &Out {
        assert_eq!(
            self.code, want,
            "exit code\n--- stdout\n{}\n--- stderr\n{}",
            self.stdout, self.stderr
        );
        self
    }

    /// Assert stderr contains `s`.
    #[track_caller]
    pub fn err_has(&self, s: &str) -> &Out {
        assert!(
            self.stderr.contains(s),
            "stderr lacks {s:?}\n--- stderr\n{}",
            self.stderr
        );
        self
    }

    /// Assert stdout contains `s`.
    #[track_caller]
    pub fn out_has(&self, s: &str) -> &Out {
        assert!(
            self.stdout.contains(s),
            "stdout lacks {s:?}\n--- stdout\n{}",
            self.stdout
        );
        self
    }
}

/// Files in a directory, hidden ones (the lock, temp files) left out, sorted.
pub fn files(dir: &Path) -> Vec<PathBuf> {
    let mut v: Vec<PathBuf> = std::fs::read_dir(dir)
        .map(|rd| rd.filter_map(Result::ok).map(|e| e.path()).collect())
        .unwrap_or_default();
    v.retain(|p| !p.file_name().unwrap().to_string_lossy().starts_with('.'));
    v.sort();
    v
}
