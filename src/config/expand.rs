//! `${VAR}`, `${VAR:-default}`, `${file:PATH}` and `$${` expansion in every string value.
//! A default and a file path may themselves hold references: `${A:-${B}}` is B when A is
//! unset or empty, `${file:${CREDENTIALS_DIRECTORY}/token}` reads a systemd credential.

use crate::yaml::{Node, Pos, Value};

/// Why a string could not be expanded.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum ExpandError {
    /// `${NAME}` with NAME unset and no default.
    Unset(String),
    /// `${file:PATH}` that could not be read.
    File(String, String),
    /// `${` without its closing `}`.
    Unclosed,
    /// References nested deeper than [`MAX_DEPTH`].
    TooDeep,
}

/// How deeply `${...}` references may nest.
pub(super) const MAX_DEPTH: usize = 8;

impl std::fmt::Display for ExpandError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ExpandError::Unset(v) => write!(f, "environment variable {v} is not set"),
            ExpandError::File(p, e) => write!(f, "cannot read secret file {p}: {e}"),
            ExpandError::Unclosed => write!(f, "\"${{\" without a closing \"}}\""),
            ExpandError::TooDeep => write!(
                f,
                "\"${{...}}\" references nested more than {MAX_DEPTH} deep"
            ),
        }
    }
}

/// Expand one string, looking variables up with `env`.
pub(crate) fn expand_str(
    input: &str,
    env: &dyn Fn(&str) -> Option<String>,
) -> Result<String, ExpandError> {
    expand_at(input, env, 0)
}

fn expand_at(
    input: &str,
    env: &dyn Fn(&str) -> Option<String>,
    depth: usize,
) -> Result<String, ExpandError> {
    if depth > MAX_DEPTH {
        return Err(ExpandError::TooDeep);
    }
    let mut out = String::with_capacity(input.len());
    let mut rest = input;
    while let Some(pos) = rest.find('$') {
        out.push_str(&rest[..pos]);
        let after = &rest[pos..];
        if let Some(tail) = after.strip_prefix("$${") {
            out.push_str("${");
            rest = tail;
        } else if let Some(tail) = after.strip_prefix("${") {
            let end = closing(tail).ok_or(ExpandError::Unclosed)?;
            out.push_str(&resolve(&tail[..end], env, depth)?);
            rest = &tail[end + 1..];
        } else {
            out.push('$');
            rest = &after[1..];
        }
    }
    out.push_str(rest);
    Ok(out)
}

/// The index of the `}` that closes a `${` whose text starts `tail`, skipping nested
/// `${...}` and literal `$${`.
fn closing(tail: &str) -> Option<usize> {
    let bytes = tail.as_bytes();
    let mut depth = 1usize;
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i..].starts_with(b"$${") {
            i += 3;
        } else if bytes[i..].starts_with(b"${") {
            depth += 1;
            i += 2;
        } else {
            if bytes[i] == b'}' {
                depth -= 1;
                if depth == 0 {
                    return Some(i);
                }
            }
            i += 1;
        }
    }
    None
}

fn resolve(
    expr: &str,
    env: &dyn Fn(&str) -> Option<String>,
    depth: usize,
) -> Result<String, ExpandError> {
    if let Some(path) = expr.strip_prefix("file:") {
        let path = expand_at(path, env, depth + 1)?;
        let path = crate::config::expand_tilde(&path);
        let text = std::fs::read_to_string(&path)
            .map_err(|e| ExpandError::File(path.display().to_string(), e.to_string()))?;
        let text = text.strip_suffix('\n').unwrap_or(&text);
        return Ok(text.strip_suffix('\r').unwrap_or(text).to_string());
    }
    match expr.split_once(":-") {
        Some((name, default)) => match env(name).filter(|v| !v.is_empty()) {
            Some(v) => Ok(v),
            None => expand_at(default, env, depth + 1),
        },
        None => env(expr).ok_or_else(|| ExpandError::Unset(expr.to_string())),
    }
}

/// The files that `${file:PATH}` references in `text` read (paths expanded with `env`;
/// a path that cannot be expanded is left out).
pub(crate) fn file_refs(
    text: &str,
    env: &dyn Fn(&str) -> Option<String>,
) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    let mut rest = text;
    while let Some(pos) = rest.find("${file:") {
        let tail = &rest[pos + 2..];
        let Some(end) = closing(tail) else { break };
        if let Some(path) = tail[..end].strip_prefix("file:") {
            if let Ok(p) = expand_at(path, env, 1) {
                out.push(crate::config::expand_tilde(&p));
            }
        }
        rest = &tail[end..];
    }
    out
}

/// `text` with every `${...}` reference removed (what is written literally).
pub(crate) fn without_refs(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(pos) = rest.find("${") {
        out.push_str(&rest[..pos]);
        let tail = &rest[pos + 2..];
        match closing(tail) {
            Some(end) => rest = &tail[end + 1..],
            None => {
                rest = tail;
            }
        }
    }
    out.push_str(rest);
    out
}

/// Expand every string value inside `node` (keys are left alone); an error comes with
/// the position of the string that could not be expanded.
pub(crate) fn expand_value(
    node: &mut Node,
    env: &dyn Fn(&str) -> Option<String>,
) -> Result<(), (ExpandError, Pos)> {
    let at = node.at;
    match &mut node.value {
        Value::Str(s) if s.contains('$') => *s = expand_str(s, env).map_err(|e| (e, at))?,
        Value::Seq(seq) => {
            for v in seq {
                expand_value(v, env)?;
            }
        }
        Value::Map(map) => {
            for (_, v) in map.iter_mut() {
                expand_value(v, env)?;
            }
        }
        _ => {}
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env(name: &str) -> Option<String> {
        match name {
            "TOKEN" => Some("abc".into()),
            "EMPTY" => Some(String::new()),
            _ => None,
        }
    }

    #[test]
    fn table() {
        for (input, want) in [
            ("Bearer ${TOKEN}", Ok("Bearer abc".to_string())),
            ("${MISSING:-fallback}", Ok("fallback".into())),
            ("${EMPTY:-fallback}", Ok("fallback".into())),
            ("${TOKEN:-x}", Ok("abc".into())),
            ("$${TOKEN}", Ok("${TOKEN}".into())),
            ("cost $5", Ok("cost $5".into())),
            ("${MISSING}", Err(ExpandError::Unset("MISSING".into()))),
            ("${TOKEN", Err(ExpandError::Unclosed)),
            ("a${TOKEN}b${TOKEN}c", Ok("aabcbabcc".into())),
            ("${MISSING:-${TOKEN}}", Ok("abc".into())),
            ("${MISSING:-x${MISSING:-${TOKEN}}y}", Ok("xabcy".into())),
            ("${TOKEN:-${MISSING}}", Ok("abc".into())),
            (
                "${MISSING:-${NOPE}}",
                Err(ExpandError::Unset("NOPE".into())),
            ),
            ("${MISSING:-$${x}}", Ok("${x}".into())),
            ("${MISSING:-${TOKEN}", Err(ExpandError::Unclosed)),
            ("${MISSING:-a}}", Ok("a}".into())),
            ("${MISSING:-é${TOKEN}日}", Ok("éabc日".into())),
            (
                "${A:-${A:-${A:-${A:-${A:-${A:-${A:-${A:-${A:-${A:-x}}}}}}}}}}",
                Err(ExpandError::TooDeep),
            ),
        ] {
            assert_eq!(expand_str(input, &env), want, "{input}");
        }
    }

    #[test]
    fn references_found_and_removed() {
        let text = "a: ${file:/run/x}\nb: ${file:${TOKEN}/y}\nc: k${T:-${U}}v ${MISSING}";
        assert_eq!(
            file_refs(text, &env),
            vec![std::path::PathBuf::from("/run/x"), "abc/y".into()]
        );
        assert_eq!(without_refs(text), "a: \nb: \nc: kv ");
    }

    #[test]
    fn file_secret_without_trailing_newline() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("tok");
        std::fs::write(&p, "s3cret\n").unwrap();
        let got = expand_str(&format!("${{file:{}}}", p.display()), &env).unwrap();
        assert_eq!(got, "s3cret");
    }
}
