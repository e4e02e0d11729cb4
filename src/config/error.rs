//! `ConfigError`: what is wrong with a config file, where, and how to fix it.

use std::fmt;
use std::path::PathBuf;

/// One problem in a config file. Its `Display` is the message a user sees:
/// `file:line:col: endpoint "x" (type): message` and, on the next line, `hint: ...`.
#[derive(Debug, Clone, Default)]
pub(crate) struct ConfigError {
    /// The config file.
    pub file: Option<PathBuf>,
    /// 1-based line, when known.
    pub line: Option<usize>,
    /// 1-based column, when known.
    pub column: Option<usize>,
    /// The endpoint the problem is in, with its type when known.
    pub endpoint: Option<String>,
    /// What is wrong.
    pub message: String,
    /// How to fix it.
    pub hint: Option<String>,
}

impl ConfigError {
    /// A problem with no location yet.
    pub(crate) fn new(message: impl Into<String>) -> ConfigError {
        ConfigError {
            message: message.into(),
            ..ConfigError::default()
        }
    }

    /// Attach a hint.
    pub(crate) fn hint(mut self, hint: impl Into<String>) -> ConfigError {
        self.hint = Some(hint.into());
        self
    }

    /// Attach the endpoint label (e.g. `"pager" (ntfy)`).
    pub(crate) fn endpoint(mut self, label: impl Into<String>) -> ConfigError {
        self.endpoint = Some(label.into());
        self
    }

    /// Attach a position, keeping one already set.
    pub(crate) fn at(mut self, pos: Option<(usize, usize)>) -> ConfigError {
        if self.line.is_none() {
            if let Some((l, c)) = pos {
                self.line = Some(l);
                self.column = Some(c);
            }
        }
        self
    }
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(file) = &self.file {
            write!(f, "{}", file.display())?;
            if let Some(line) = self.line {
                write!(f, ":{line}")?;
                if let Some(col) = self.column {
                    write!(f, ":{col}")?;
                }
            }
            write!(f, ": ")?;
        }
        if let Some(ep) = &self.endpoint {
            write!(f, "endpoint {ep}: ")?;
        }
        write!(f, "{}", self.message)?;
        if let Some(h) = self.hint.as_ref().filter(|h| !h.is_empty()) {
            write!(f, "\nhint: {h}")?;
        }
        Ok(())
    }
}

impl std::error::Error for ConfigError {}

impl From<crate::yaml::YamlError> for ConfigError {
    fn from(e: crate::yaml::YamlError) -> ConfigError {
        let mut c = ConfigError::new(e.message).at(e.at);
        c.hint = e.hint;
        c
    }
}

/// `message` with its secret parts masked (the message and the hint).
pub(super) fn masked(mut e: ConfigError, r: &crate::redact::Redactor) -> ConfigError {
    e.message = r.mask(&e.message);
    e.hint = e.hint.map(|h| r.mask(&h));
    e
}

/// An error from a message that may carry its own hint after `\nhint: ` (serde messages
/// of the config's own deserializers, e.g. a duration out of range).
pub(super) fn with_hint(msg: &str) -> ConfigError {
    match msg.split_once("\nhint: ") {
        Some((m, h)) => ConfigError::new(m).hint(h),
        None => ConfigError::new(msg),
    }
}

/// Every problem found while loading one config file.
#[derive(Debug)]
pub(crate) struct ConfigErrors(pub Vec<ConfigError>);

impl fmt::Display for ConfigErrors {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let n = self.0.len();
        for (i, e) in self.0.iter().enumerate() {
            if i > 0 {
                writeln!(f)?;
                write!(f, "error: ")?;
            }
            write!(f, "{e}")?;
        }
        if n > 1 {
            write!(f, "\n({n} problems in the config)")?;
        }
        Ok(())
    }
}

impl std::error::Error for ConfigErrors {}

/// The valid key closest to `wrong`, if it is close enough to be a likely typo.
pub(crate) fn nearest<'a>(
    wrong: &str,
    valid: impl IntoIterator<Item = &'a str>,
) -> Option<&'a str> {
    valid
        .into_iter()
        .map(|v| (strsim::jaro_winkler(wrong, v), v))
        .filter(|(score, _)| *score > 0.75)
        .max_by(|a, b| a.0.total_cmp(&b.0))
        .map(|(_, v)| v)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn suggestions() {
        let keys = ["priority", "topic", "url", "token"];
        assert_eq!(nearest("priorty", keys), Some("priority"));
        assert_eq!(nearest("topc", keys), Some("topic"));
        assert_eq!(nearest("zzzzzz", keys), None);
    }

    #[test]
    fn display_has_location_endpoint_and_hint() {
        let e = ConfigError {
            file: Some("/etc/b.yaml".into()),
            line: Some(14),
            column: Some(5),
            endpoint: Some("\"pager\" (ntfy)".into()),
            message: "unknown key \"priorty\"".into(),
            hint: Some("did you mean \"priority\"?".into()),
        };
        assert_eq!(
            e.to_string(),
            "/etc/b.yaml:14:5: endpoint \"pager\" (ntfy): unknown key \"priorty\"\nhint: did you mean \"priority\"?"
        );
    }
}
