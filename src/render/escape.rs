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
}
