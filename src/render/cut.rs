//! Cutting text to a service's limit (CHANNELS.md §14): the start (which names the job)
//! and the end (which holds the error that ended it) are kept, with a marker between them
//! saying how much was left out (`… 12,345 characters cut …`).
//!
//! Every channel cuts through [`cut`]: the limit is counted in the unit the service counts
//! ([`Unit`]) over the text *after* escaping, while the cut itself happens in the plain
//! text, so an escape sequence or entity is never split. The cut text always fills most of
//! the limit, however much the escaping inflates it (a body of dense `<…>` for Telegram
//! HTML never collapses to a marker alone).

/// How a service counts the length of a text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Unit {
    /// Bytes of UTF-8 (ntfy, Bark, Teams, PagerDuty, healthchecks, environment variables).
    Bytes,
    /// UTF-16 code units, as JavaScript's `length` (Discord, Telegram, Slack).
    Utf16,
    /// Unicode scalar values (`char`s).
    Chars,
}

impl Unit {
    /// The length of `s` in this unit.
    pub(crate) fn len(self, s: &str) -> usize {
        match self {
            Unit::Bytes => s.len(),
            Unit::Utf16 => s.chars().map(char::len_utf16).sum(),
            Unit::Chars => s.chars().count(),
        }
    }
}

/// No escaping: the text goes out as written.
pub(crate) fn plain(text: &str) -> String {
    text.to_string()
}

/// `text` escaped with `escape`, at most `max` long in `unit` once escaped. When it does
/// not fit, its start and end are kept around a marker (`… 12,345 characters cut …`).
pub(crate) fn cut(text: &str, max: usize, unit: Unit, escape: fn(&str) -> String) -> String {
    escape(&cut_plain(text, max, unit, escape))
}

/// The plain (unescaped) text that [`cut`] escapes: `text` itself when `escape(text)`
/// fits in `max` `unit`s, else its start, a marker and its end, chosen so that the escaped
/// result fits. For callers that escape later, e.g. when the limit counts JSON bytes.
pub(crate) fn cut_plain(text: &str, max: usize, unit: Unit, escape: fn(&str) -> String) -> String {
    if unit.len(&escape(text)) <= max {
        return text.to_string();
    }
    let chars: Vec<char> = text.chars().collect();
    let cost = |c: char| unit.len(&escape(c.encode_utf8(&mut [0; 4])));
    let sep = if text.contains('\n') { "\n" } else { " " };
    let mut slack = 0;
    for _ in 0..8 {
        let Some(out) = attempt(&chars, max.saturating_sub(slack), unit, sep, escape, &cost) else {
            break;
        };
        let len = unit.len(&escape(&out));
        if len <= max {
            return out;
        }
        slack += (len - max).max(1);
    }
    head_only(&chars, max, unit, escape, &cost)
}

/// One try at head + marker + tail within `max`, costs estimated char by char.
fn attempt(
    chars: &[char],
    max: usize,
    unit: Unit,
    sep: &str,
    escape: fn(&str) -> String,
    cost: &dyn Fn(char) -> usize,
) -> Option<String> {
    // The marker's number is at most the whole length: reserve room for its digits. A
    // marker taking more than a quarter of the limit gives way to a shorter one.
    let short = format!("{sep}{SHORT}{sep}");
    let candidates = [marker(chars.len(), sep), short.clone(), SHORT.to_string()];
    let costs = candidates.map(|m| unit.len(&escape(&m)));
    let pick = (0..3)
        .find(|&i| costs[i] <= max / 4)
        .or_else(|| (costs[2] < max).then_some(2))?;
    let reserve = costs[pick];
    let budget = max - reserve;
    let (head, used) = take(chars.iter().copied(), budget / 2, cost);
    let (tail, _) = take(chars.iter().rev().copied(), budget - used, cost);
    let head = snap_head(&chars[..head]);
    let tail_start = chars.len() - tail;
    let tail_start = tail_start + snap_tail(&chars[tail_start..]);
    if head >= tail_start {
        return None;
    }
    let removed = tail_start - head;
    let mid = match pick {
        0 => marker(removed, sep),
        1 => short,
        _ => SHORT.to_string(),
    };
    let mut out: String = chars[..head].iter().collect();
    out.push_str(&mid);
    out.extend(&chars[tail_start..]);
    Some(out)
}

/// The marker used when a full one would take more than a quarter of the limit.
const SHORT: &str = "…";

pub(crate) use crate::units::cut_marker as marker;

/// How many of `chars` fit in `budget`, and what they cost.
fn take(
    chars: impl Iterator<Item = char>,
    budget: usize,
    cost: &dyn Fn(char) -> usize,
) -> (usize, usize) {
    let (mut n, mut used) = (0, 0);
    for c in chars {
        let k = cost(c);
        if used + k > budget {
            break;
        }
        used += k;
        n += 1;
    }
    (n, used)
}

/// Where to end the kept start: at a line break or a space near its end when there is
/// one, so no line or word (nor a URL) is split; else right at the limit.
fn snap_head(head: &[char]) -> usize {
    let n = head.len();
    let near = |window: usize, hit: &dyn Fn(char) -> bool| {
        (n.saturating_sub(window)..n).rev().find(|&i| hit(head[i]))
    };
    near((n / 3).min(400), &|c| c == '\n')
        .or_else(|| near((n / 4).min(100), &char::is_whitespace))
        .unwrap_or(n)
}

/// How many chars to skip at the start of the kept end, to begin on a fresh line or word.
fn snap_tail(tail: &[char]) -> usize {
    let n = tail.len();
    let near = |window: usize, hit: &dyn Fn(char) -> bool| {
        (0..window.min(n)).find(|&i| hit(tail[i])).map(|i| i + 1)
    };
    near((n / 3).min(400), &|c| c == '\n')
        .or_else(|| near((n / 4).min(100), &char::is_whitespace))
        .unwrap_or(0)
}

/// Last resort for tiny limits: as much of the start as fits, no marker.
fn head_only(
    chars: &[char],
    max: usize,
    unit: Unit,
    escape: fn(&str) -> String,
    cost: &dyn Fn(char) -> usize,
) -> String {
    let (mut n, _) = take(chars.iter().copied(), max, cost);
    loop {
        let out: String = chars[..n].iter().collect();
        if n == 0 || unit.len(&escape(&out)) <= max {
            return out;
        }
        n -= 1;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::render::escape;

    type Escape = fn(&str) -> String;

    /// The escapers of every markup bnotify writes.
    const MARKUPS: [(&str, Escape); 6] = [
        ("slack", escape::slack),
        ("telegram html", escape::telegram_html),
        ("telegram markdownv2", escape::telegram_markdown_v2),
        ("discord", escape::discord),
        ("markdown", escape::markdown),
        ("plain", plain),
    ];

    const UNITS: [Unit; 3] = [Unit::Bytes, Unit::Utf16, Unit::Chars];

    fn samples() -> Vec<(&'static str, String)> {
        let mut log = String::from("pg-nightly_main: starting https://backup-host.example.com/logs/run_2026-11-30.log?a=1&b=2\n");
        for i in 0..300 {
            log.push_str(&format!(
                "step {i}: copied 備份 {i} files 🔥 <ok> & *done*\n"
            ));
        }
        log.push_str(&"x".repeat(1500));
        log.push_str("\nFATAL: disk full");
        vec![
            ("log", log),
            ("dense html", "<b>&</b>".repeat(2000)),
            ("separator lines", "-----.-----|=====\n".repeat(600)),
            ("one long line", "ab_c ".repeat(3000)),
            ("cjk", "備份失敗".repeat(2000)),
        ]
    }

    /// `out` is a prefix of `text`, a marker and a suffix of `text`, and the marker counts
    /// the characters left out.
    fn check_shape(text: &str, out: &str, ctx: &str) {
        let (head, rest) = out
            .split_once("… ")
            .or_else(|| out.split_once('…'))
            .unwrap_or_else(|| panic!("{ctx}: no marker in {out:?}"));
        let (count, tail) = match rest.split_once(" cut …") {
            Some((n, t)) => (Some(n), t),
            None => (None, rest),
        };
        let (head, tail) = (
            head.trim_end_matches(['\n', ' ']),
            tail.trim_start_matches(['\n', ' ']),
        );
        assert!(text.starts_with(head), "{ctx}: head is not the start");
        assert!(text.ends_with(tail), "{ctx}: tail is not the end");
        if let Some(n) = count {
            let n: usize = n
                .split(' ')
                .next()
                .unwrap()
                .replace(',', "")
                .parse()
                .unwrap();
            let kept = head.chars().count() + tail.chars().count();
            let between = text.chars().count() - kept;
            // The separators around the marker may be the text's own line breaks.
            assert!(
                between.abs_diff(n) <= 2,
                "{ctx}: marker says {n}, {between} cut"
            );
        }
    }

    #[test]
    fn every_markup_and_unit_fits_and_keeps_start_and_end() {
        for (name, esc) in MARKUPS {
            for unit in UNITS {
                for (sample, text) in samples() {
                    for max in [4096, 3000, 300] {
                        let ctx = format!("{name} {unit:?} {sample} {max}");
                        let plain = cut_plain(&text, max, unit, esc);
                        let out = cut(&text, max, unit, esc);
                        assert_eq!(out, esc(&plain), "{ctx}");
                        let len = unit.len(&out);
                        assert!(len <= max, "{ctx}: {len} > {max}");
                        assert!(len >= max / 2, "{ctx}: only {len} of {max} kept");
                        check_shape(&text, &plain, &ctx);
                        let kept = plain.chars().count();
                        assert!(kept >= max / 20, "{ctx}: {kept} chars kept");
                    }
                }
            }
        }
    }

    #[test]
    fn text_that_fits_is_only_escaped() {
        for (name, esc) in MARKUPS {
            let text = "a <b> & *c* https://x.example/a_b?c=1&d=2";
            assert_eq!(cut(text, 1000, Unit::Bytes, esc), esc(text), "{name}");
        }
    }

    #[test]
    fn never_splits_an_escape() {
        // Each `<` is `&lt;` and each `.` `\.`: the cut text must still read back whole.
        for (name, esc, entity) in [
            (
                "telegram html",
                escape::telegram_html as fn(&str) -> String,
                "&lt;",
            ),
            ("telegram markdownv2", escape::telegram_markdown_v2, "\\."),
        ] {
            let text = "<.".repeat(5000);
            let out = cut(&text, 4096, Unit::Utf16, esc);
            let cleaned = out
                .replace("&lt;", "")
                .replace("&amp;", "")
                .replace("\\.", "")
                .replace("\\!", "");
            assert!(
                !cleaned.contains('&') && !cleaned.contains('\\'),
                "{name}: split {entity}"
            );
            assert!(
                out.chars().count() > 3000,
                "{name}: {}",
                out.chars().count()
            );
        }
    }

    #[test]
    fn marker_names_what_was_cut() {
        let text = format!("start\n{}\nend", "x\n".repeat(20_000));
        let out = cut(&text, 200, Unit::Bytes, plain);
        assert!(out.starts_with("start\nx\n"), "{out}");
        assert!(out.ends_with("x\n\nend"), "{out}");
        assert!(out.contains("\n… 39,"), "{out}");
        assert!(out.contains(" characters cut …\n"), "{out}");
        // one line: spaces around the marker
        let out = cut(&"word ".repeat(100), 200, Unit::Chars, plain);
        assert!(out.contains(" … 3") && !out.contains('\n'), "{out}");
        // a small limit: a short marker
        let out = cut(&"word ".repeat(100), 60, Unit::Chars, plain);
        assert!(
            out.contains("word … word") && out.chars().count() <= 60,
            "{out}"
        );
    }

    #[test]
    fn units_count_as_services_do() {
        let s = "é🔥備";
        assert_eq!(Unit::Bytes.len(s), 2 + 4 + 3);
        assert_eq!(Unit::Utf16.len(s), 1 + 2 + 1);
        assert_eq!(Unit::Chars.len(s), 3);
        let cjk = "備".repeat(5000);
        assert!(cut(&cjk, 4095, Unit::Bytes, plain).len() <= 4095);
        let emoji = "🔥".repeat(5000);
        assert!(Unit::Utf16.len(&cut(&emoji, 4096, Unit::Utf16, plain)) <= 4096);
    }

    #[test]
    fn tiny_limits_still_fit() {
        for max in 0..12 {
            for unit in UNITS {
                let out = cut("&&&&&&&&&&&&&&&&&&&&", max, unit, escape::slack);
                assert!(unit.len(&out) <= max, "{max} {unit:?}: {out}");
            }
        }
        assert_eq!(crate::units::grouped(1234567), "1,234,567");
        assert_eq!(crate::units::grouped(999), "999");
    }

    #[test]
    fn a_url_near_the_cut_stays_whole() {
        let url = "https://backup-host.example.com/logs/run_2026-11-30.log?a=1&b=2";
        let text = format!("{} {url} {}", "a ".repeat(60), "b ".repeat(2000));
        let out = cut(&text, 300, Unit::Chars, escape::discord);
        assert!(!out.contains("https://") || out.contains(url), "{out}");
    }
}
