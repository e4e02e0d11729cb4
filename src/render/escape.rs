//! Escaping user text for each channel's markup, so a message containing `<`, `&`, `*`,
//! `_` or backticks arrives as written.

/// Slack mrkdwn: `&`, `<`, `>` become entities (Slack's documented escapes).
pub(crate) fn slack(text: &str) -> String {
    entities(text)
}

/// Telegram `HTML` parse mode: `&`, `<`, `>` become entities.
pub(crate) fn telegram_html(text: &str) -> String {
    entities(text)
}

/// Telegram `MarkdownV2`: a backslash before each of `_*[]()~`>#+-=|{}.!` and `\`.
pub(crate) fn telegram_markdown_v2(text: &str) -> String {
    backslash(text, "_*[]()~`>#+-=|{}.!\\")
}

/// Discord markdown: a backslash before each markdown character, URLs left as written.
///
/// Discord keeps backslashes inside a link (and browsers read `\` as `/`), so a URL
/// (`http://` or `https://` up to the next whitespace) is copied byte for byte.
pub(crate) fn discord(text: &str) -> String {
    outside_urls(text, |part, out| {
        out.push_str(&backslash(part, "\\*_~`|>#[]()-"));
    })
}

/// CommonMark (ntfy and Bark markdown): a backslash before ASCII punctuation that
/// markdown reads, and `<`, `>`, `&` as entities so no HTML gets through; URLs are left as
/// written, so autolinkers that read the source see the real link.
pub(crate) fn markdown(text: &str) -> String {
    outside_urls(text, |part, out| {
        out.push_str(&entities(&backslash(part, "\\`*_{}[]()#+-.!|~")));
    })
}

/// Run `escape` on the text between URLs; URLs (`http(s)://` up to whitespace) are copied.
pub(crate) fn outside_urls(text: &str, escape: impl Fn(&str, &mut String)) -> String {
    let mut out = String::with_capacity(text.len() + 16);
    let mut rest = text;
    while let Some(start) = find_url(rest) {
        escape(&rest[..start], &mut out);
        let len = rest[start..]
            .find(char::is_whitespace)
            .unwrap_or(rest.len() - start);
        out.push_str(&rest[start..start + len]);
        rest = &rest[start + len..];
    }
    escape(rest, &mut out);
    out
}

/// Byte offset of the first `http://` or `https://` (any case) in `text`.
pub(crate) fn find_url(text: &str) -> Option<usize> {
    text.match_indices("://").find_map(|(i, _)| {
        let before = text.as_bytes()[i.saturating_sub(5)..i].to_ascii_lowercase();
        [&b"https"[..], &b"http"[..]]
            .iter()
            .find(|p| before.ends_with(p))
            .map(|p| i - p.len())
    })
}

/// `&`, `<`, `>` as HTML entities.
pub(crate) fn entities(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            c => out.push(c),
        }
    }
    out
}

/// A backslash before each character of `special`.
pub(crate) fn backslash(text: &str, special: &str) -> String {
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        if special.contains(c) {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table() {
        let s = "a<b> & *c* _d_ `e` [f](g) 1.5!";
        for (name, got, want) in [
            (
                "slack",
                slack(s),
                "a&lt;b&gt; &amp; *c* _d_ `e` [f](g) 1.5!",
            ),
            (
                "telegram html",
                telegram_html(s),
                "a&lt;b&gt; &amp; *c* _d_ `e` [f](g) 1.5!",
            ),
            (
                "telegram mdv2",
                telegram_markdown_v2(s),
                "a<b\\> & \\*c\\* \\_d\\_ \\`e\\` \\[f\\]\\(g\\) 1\\.5\\!",
            ),
            (
                "discord",
                discord(s),
                "a<b\\> & \\*c\\* \\_d\\_ \\`e\\` \\[f\\]\\(g\\) 1.5!",
            ),
            (
                "markdown",
                markdown(s),
                "a&lt;b&gt; &amp; \\*c\\* \\_d\\_ \\`e\\` \\[f\\]\\(g\\) 1\\.5\\!",
            ),
        ] {
            assert_eq!(got, want, "{name}");
        }
        assert_eq!(telegram_markdown_v2("a\\b"), "a\\\\b");
    }

    #[test]
    fn urls_are_left_as_written() {
        let url = "https://backup-host.example.com/logs/run_2026-11-30.log?a=1&b=2";
        let text = format!("see {url} and *x*_y_\nHTTP://A_B/c-d (pg-nightly_main)");
        for (name, got) in [("discord", discord(&text)), ("markdown", markdown(&text))] {
            assert!(
                got.contains(&format!("see {url} and \\*x\\*\\_y\\_")),
                "{name}: {got}"
            );
            assert!(
                got.contains("HTTP://A_B/c-d \\(pg\\-nightly\\_main\\)"),
                "{name}: {got}"
            );
        }
        assert_eq!(find_url("x http:/ y hTTps://z"), Some(11));
        assert_eq!(find_url("no link://here"), None);
    }
}
