//! The shape of `src/` as tests: no source file over 600 lines, no import cycle between
//! top-level modules (a folder counts as one module, read from the `crate::module` paths
//! of the code outside its tests), typed errors with `anyhow` only at the command edge,
//! and `unreachable_pub` denied.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

fn sources(dir: &Path, out: &mut Vec<PathBuf>) {
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.is_dir() {
            sources(&p, out);
        } else if p.extension().is_some_and(|x| x == "rs") {
            out.push(p);
        }
    }
}

fn src() -> (PathBuf, Vec<PathBuf>) {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    sources(&root, &mut files);
    files.sort();
    (root, files)
}

#[test]
fn no_source_file_is_over_600_lines() {
    let (_, files) = src();
    let long: Vec<String> = files
        .iter()
        .map(|f| (f, std::fs::read_to_string(f).unwrap().lines().count()))
        .filter(|(_, n)| *n > 600)
        .map(|(f, n)| format!("{}: {n} lines", f.display()))
        .collect();
    assert!(long.is_empty(), "split these: {long:?}");
}

#[test]
fn no_import_cycle_between_top_level_modules() {
    let (root, files) = src();
    let module = |f: &Path| {
        let rel = f.strip_prefix(&root).unwrap();
        let first = rel
            .components()
            .next()
            .unwrap()
            .as_os_str()
            .to_string_lossy();
        first.trim_end_matches(".rs").to_string()
    };
    let names: BTreeSet<String> = files.iter().map(|f| module(f)).collect();
    let mut edges: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for f in &files {
        let code = code_of(f);
        let from = module(f);
        for (i, _) in code.match_indices("crate::") {
            let rest = &code[i + "crate::".len()..];
            let mut targets: Vec<&str> = Vec::new();
            if let Some(list) = rest.strip_prefix('{') {
                let list = &list[..list.find('}').unwrap_or(0)];
                targets.extend(
                    list.split(',')
                        .map(|s| s.trim().split("::").next().unwrap_or("")),
                );
            } else {
                let end = rest
                    .find(|c: char| !(c.is_alphanumeric() || c == '_'))
                    .unwrap_or(rest.len());
                targets.push(&rest[..end]);
            }
            for t in targets {
                if t != from && names.contains(t) && !["lib", "main"].contains(&from.as_str()) {
                    edges.entry(from.clone()).or_default().insert(t.to_string());
                }
            }
        }
    }
    // A module on a cycle reaches itself.
    let mut cycles = Vec::new();
    for start in edges.keys() {
        let mut seen = BTreeSet::new();
        let mut todo: Vec<&String> = edges[start].iter().collect();
        while let Some(m) = todo.pop() {
            if m == start {
                cycles.push(start.clone());
                break;
            }
            if seen.insert(m) {
                todo.extend(edges.get(m).into_iter().flatten());
            }
        }
    }
    assert!(!edges.is_empty(), "no crate:: paths read");
    assert!(cycles.is_empty(), "modules on an import cycle: {cycles:?}");
}

/// The code of `f` without its tests (they sit at the end of each file).
fn code_of(f: &Path) -> String {
    let text = std::fs::read_to_string(f).unwrap();
    text.split("#[cfg(test)]").next().unwrap_or("").to_string()
}

#[test]
fn errors_are_typed_and_anyhow_stays_at_the_command_edge() {
    let (root, files) = src();
    let mut found = Vec::new();
    for f in &files {
        let code = code_of(f);
        let rel = f
            .strip_prefix(&root)
            .unwrap()
            .to_string_lossy()
            .into_owned();
        let edge = rel.starts_with("commands/")
            || ["lib.rs", "settings.rs", "layout.rs"].contains(&rel.as_str());
        if code.contains("anyhow") && !edge {
            found.push(format!("{rel}: anyhow below the command edge"));
        }
        for (i, _) in code.match_indices("Result<") {
            let sig = &code[i..code[i..]
                .find(['{', ';', '\n'])
                .map_or(code.len(), |e| i + e)];
            if sig.contains(", String>") {
                found.push(format!("{rel}: {sig}"));
            }
        }
    }
    assert!(found.is_empty(), "{found:#?}");
    let manifest = std::fs::read_to_string(root.join("../Cargo.toml")).unwrap();
    assert!(manifest.contains("unreachable_pub = \"deny\""));
}
