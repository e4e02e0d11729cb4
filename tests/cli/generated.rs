//! completions/ and man/ must match what the binary generates.
//! Refresh them with: BNOTIFY_BLESS=1 cargo test --test cli generated

use std::path::{Path, PathBuf};

const SHELLS: [(&str, &str); 5] = [
    ("bash", "bnotify.bash"),
    ("zsh", "_bnotify"),
    ("fish", "bnotify.fish"),
    ("elvish", "bnotify.elv"),
    ("powershell", "_bnotify.ps1"),
];

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn bless() -> bool {
    std::env::var_os("BNOTIFY_BLESS").is_some_and(|v| v == "1")
}

fn compare(path: &Path, want: &[u8], stale: &mut Vec<String>) {
    let have = std::fs::read(path).unwrap_or_default();
    if have == want {
        return;
    }
    if bless() {
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, want).unwrap();
        return;
    }
    let (h, w) = (
        String::from_utf8_lossy(&have),
        String::from_utf8_lossy(want),
    );
    let line = h
        .lines()
        .zip(w.lines())
        .position(|(a, b)| a != b)
        .unwrap_or(h.lines().count().min(w.lines().count()));
    stale.push(format!(
        "{} is stale at line {}:\n  committed: {:?}\n  generated: {:?}",
        path.display(),
        line + 1,
        h.lines().nth(line).unwrap_or("<end>"),
        w.lines().nth(line).unwrap_or("<end>")
    ));
}

#[test]
fn completions_and_man_pages_are_up_to_date() {
    let bin = assert_cmd::cargo::cargo_bin("bnotify");
    let mut stale = Vec::new();
    for (shell, file) in SHELLS {
        let out = std::process::Command::new(&bin)
            .args(["completions", shell])
            .output()
            .unwrap();
        assert!(out.status.success());
        compare(
            &root().join("completions").join(file),
            &out.stdout,
            &mut stale,
        );
    }
    let tmp = tempfile::tempdir().unwrap();
    let out = std::process::Command::new(&bin)
        .args(["man", "--dir"])
        .arg(tmp.path())
        .output()
        .unwrap();
    assert!(out.status.success());
    let mut generated: Vec<String> = std::fs::read_dir(tmp.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    generated.sort();
    assert!(
        generated.contains(&"bnotify.1".to_string())
            && generated.contains(&"bnotify-send.1".to_string())
    );
    for name in &generated {
        compare(
            &root().join("man").join(name),
            &std::fs::read(tmp.path().join(name)).unwrap(),
            &mut stale,
        );
    }
    let man_dir = root().join("man");
    for e in std::fs::read_dir(&man_dir).into_iter().flatten() {
        let name = e.unwrap().file_name().to_string_lossy().into_owned();
        if !generated.contains(&name) {
            if bless() {
                std::fs::remove_file(man_dir.join(&name)).unwrap();
            } else {
                stale.push(format!(
                    "man/{name} is no longer generated (a removed subcommand?)"
                ));
            }
        }
    }
    assert!(
        stale.is_empty(),
        "{}\nfix: BNOTIFY_BLESS=1 cargo test --test cli generated",
        stale.join("\n")
    );
}

#[test]
fn man_without_dir_prints_the_main_page() {
    let out = std::process::Command::new(assert_cmd::cargo::cargo_bin("bnotify"))
        .arg("man")
        .output()
        .unwrap();
    assert!(out.status.success());
    let page = String::from_utf8_lossy(&out.stdout);
    assert!(page.contains(".TH bnotify") && page.contains("send"));
}
