//! Escaping user text for each channel's markup, so a message containing `<`, `&`, `*`,
//! `_` or backticks arrives as written.

/// Slack mrkdwn: `&`, `<`, `>` become entities (Slack's documented escapes).
pub fn slack(text: &str) -> String {
    entities(text)
}

/// Telegram `HTML` parse mode: `&`, `<`, `>` become entities.
pub fn telegram_html(text: &str) -> String {
    entities(text)
}

/// Telegram `MarkdownV2`: a backslash before each of `_*[]()~`>#+-=|{}.!` and `\`.
pub fn telegram_markdown_v2(text: &str) -> String {
    backslash(text, "_*[]()~`>#+-=|{}.!\\")
}

/// Discord markdown: a backslash before each markdown character.
pub fn discord(text: &str) -> String {
    backslash(text, "\\*_~`|>#[]()-")
}

/// CommonMark (ntfy, Bark and Teams markdown): a backslash before ASCII punctuation that
/// markdown reads, and `<`, `>`, `&` as entities so no HTML gets through.
pub fn markdown(text: &str) -> String {
    backslash(text, "\\`*_{}[]()#+-.!|~")
        .replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

/// `text` escaped with `escape` and at most `max` characters long, cut with `…` when it
/// does not fit. The plain text is cut before escaping, so no escape sequence or entity
/// is ever split; the cut is as long as still fits once escaped.
pub fn fit(text: &str, max: usize, escape: fn(&str) -> String) -> String {
    let whole = escape(text);
    if whole.chars().count() <= max {
        return whole;
    }
    // Escaping never shortens text, so at most `max` plain characters can fit.
    let plain = crate::render::truncate(text, max);
    let fits = |keep: usize| {
        let out = escape(&crate::render::truncate(&plain, keep));
        (out.chars().count() <= max).then_some(out)
    };
    let (mut lo, mut hi) = (0, max);
    let mut best = fits(0).unwrap_or_default();
    while lo < hi {
        let mid = (lo + hi).div_ceil(2);
        match fits(mid) {
            Some(out) => {
                best = out;
                lo = mid;
            }
            None => hi = mid - 1,
        }
    }
    best
}

fn entities(text: &str) -> String {
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

fn backslash(text: &str, special: &str) -> String {
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
    fn fit_never_splits_an_escape() {
        for (name, input, max, escape, want) in [
            ("fits", "a&b", 10, slack as fn(&str) -> String, "a&amp;b"),
            ("entity kept whole", "ab&cd", 6, slack, "ab…"),
            ("entity fits", "ab&cd", 8, slack, "ab&amp;…"),
            (
                "backslash kept whole",
                "a_b_c",
                4,
                telegram_markdown_v2,
                "a\\_…",
            ),
            ("backslash dropped", "a_b_c", 3, telegram_markdown_v2, "a…"),
            ("all escapes", "&&&&&&&&&&", 12, slack, "&amp;&amp;…"),
            ("plain", "abcdef", 4, slack, "abc…"),
        ] {
            let got = fit(input, max, escape);
            assert_eq!(got, want, "{name}");
            assert!(got.chars().count() <= max, "{name}");
        }
    }
}
