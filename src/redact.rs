//! Keeping secrets out of every output path (SPEC §10).
//!
//! Each channel names its secret values; a [`Redactor`] built from all of them masks every
//! string before it is printed, together with URL user-info and secret-looking query values,
//! so even an error message from an HTTP library cannot leak a token.

/// The mask that replaces a secret.
pub const MASK: &str = "****";

/// Query parameter names whose values are always masked.
const SECRET_QUERY_KEYS: &[&str] = &[
    "token",
    "access_token",
    "auth",
    "key",
    "apikey",
    "api_key",
    "sig",
    "signature",
    "password",
    "secret",
];

/// Masks a fixed set of secret values and secret-looking URL parts in any text.
#[derive(Debug, Default, Clone)]
pub struct Redactor {
    secrets: Vec<String>,
}

impl Redactor {
    /// A redactor for these secret values (very short values are ignored: they would mask
    /// ordinary words).
    pub fn new(secrets: impl IntoIterator<Item = String>) -> Redactor {
        let mut secrets: Vec<String> = secrets.into_iter().filter(|s| s.len() >= 3).collect();
        for s in secrets.clone() {
            let enc = percent_encoding::utf8_percent_encode(&s, percent_encoding::NON_ALPHANUMERIC)
                .to_string();
            if enc != s {
                secrets.push(enc);
            }
        }
        secrets.sort_by_key(|s| std::cmp::Reverse(s.len()));
        secrets.dedup();
        Redactor { secrets }
    }

    /// Add more secret values.
    pub fn extend(&mut self, more: impl IntoIterator<Item = String>) {
        let mut all = std::mem::take(&mut self.secrets);
        all.extend(more);
        *self = Redactor::new(all);
    }

    /// `text` with every known secret and every secret-looking URL part masked.
    pub fn mask(&self, text: &str) -> String {
        let mut out = text.to_string();
        for s in &self.secrets {
            if out.contains(s.as_str()) {
                out = out.replace(s.as_str(), MASK);
            }
        }
        mask_urls(&out)
    }
}

/// Mask URL user-info (`https://user:pass@host`) and the values of secret query parameters
/// (`?token=...`, `&sig=...`) wherever they appear in `text`.
pub fn mask_urls(text: &str) -> String {
    mask_query_values(&mask_userinfo(text))
}

fn mask_userinfo(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(pos) = rest.find("://") {
        let (head, tail) = rest.split_at(pos + 3);
        out.push_str(head);
        let authority_end = tail
            .find(|c: char| c == '/' || c == '?' || c == '#' || c.is_whitespace() || c == '"')
            .unwrap_or(tail.len());
        let authority = &tail[..authority_end];
        match authority.rfind('@') {
            Some(at) => {
                out.push_str(MASK);
                out.push_str(&authority[at..]);
            }
            None => out.push_str(authority),
        }
        rest = &tail[authority_end..];
    }
    out.push_str(rest);
    out
}

fn mask_query_values(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut i = 0;
    while let Some(off) = text[i..].find(['?', '&']) {
        let sep = i + off;
        out.push_str(&text[i..=sep]);
        i = sep + 1;
        let rest = &text[i..];
        let name_end = rest
            .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_' || c == '-'))
            .unwrap_or(rest.len());
        let name = rest[..name_end].to_ascii_lowercase();
        if !rest[name_end..].starts_with('=') || !SECRET_QUERY_KEYS.contains(&name.as_str()) {
            continue;
        }
        let vstart = name_end + 1;
        let vlen = rest[vstart..]
            .find(|c: char| matches!(c, '&' | '#' | '"' | '\'' | ')') || c.is_whitespace())
            .unwrap_or(rest.len() - vstart);
        out.push_str(&rest[..vstart]);
        if vlen > 0 {
            out.push_str(MASK);
        }
        i += vstart + vlen;
    }
    out.push_str(&text[i..]);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn masks_known_secrets_and_url_parts() {
        let r = Redactor::new(vec!["s3cr3t-token".to_string(), "ab".to_string()]);
        for (input, want) in [
            ("Bearer s3cr3t-token", "Bearer ****"),
            ("ab stays", "ab stays"),
            ("https://u:p@host/x", "https://****@host/x"),
            (
                "http://h/p?a=1&token=xyz&b=2",
                "http://h/p?a=1&token=****&b=2",
            ),
            ("http://h/p?sig=abc", "http://h/p?sig=****"),
            ("http://h/p?sv=1.0", "http://h/p?sv=1.0"),
            ("naïve ?token=é", "naïve ?token=****"),
            ("plain text", "plain text"),
        ] {
            assert_eq!(r.mask(input), want, "{input}");
        }
    }

    #[test]
    fn masks_percent_encoded_secret() {
        let r = Redactor::new(vec!["a b/c".to_string()]);
        assert_eq!(r.mask("x/a%20b%2Fc/y"), "x/****/y");
    }
}
