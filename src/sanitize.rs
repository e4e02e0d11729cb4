//! Making untrusted text safe to print (SPEC §10).
//!
//! Text a receiver sends back (error bodies, JSON error fields) and text from the event
//! itself may hold terminal control sequences: `\e]0;pwned\a` retitles a terminal, `\r`
//! lets a line overwrite the one before it and forge `ok` for a failure. [`clean`] removes
//! every control character except `\n` and `\t`, whole escape sequences (CSI, OSC, DCS and
//! the two-byte forms, 7-bit and 8-bit), and the Unicode bidirectional overrides that can
//! make a line read differently from what it holds. Every print path goes through it:
//! the `outln!`/`errln!` macros of `report` and the error text kept for the JSON report.

use std::borrow::Cow;

/// `text` without control characters (newlines and tabs kept), escape sequences or
/// bidirectional overrides. Borrows when there is nothing to remove.
pub(crate) fn clean(text: &str) -> Cow<'_, str> {
    if !text.chars().any(is_unsafe) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\x1b' => skip_escape(&mut chars),
            // 8-bit CSI / OSC, DCS, SOS, PM, APC: the same sequences without the ESC.
            '\u{9b}' => skip_csi(&mut chars),
            '\u{9d}' | '\u{90}' | '\u{98}' | '\u{9e}' | '\u{9f}' => skip_string(&mut chars),
            c if is_unsafe(c) => {}
            c => out.push(c),
        }
    }
    Cow::Owned(out)
}

/// Whether `c` must not reach a terminal.
fn is_unsafe(c: char) -> bool {
    (c.is_control() && c != '\n' && c != '\t')
        || matches!(c, '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
}

type Chars<'a> = std::iter::Peekable<std::str::Chars<'a>>;

/// After an ESC: drop the sequence it starts.
fn skip_escape(chars: &mut Chars) {
    match chars.peek() {
        Some('[') => {
            chars.next();
            skip_csi(chars);
        }
        Some(']' | 'P' | 'X' | '^' | '_') => {
            chars.next();
            skip_string(chars);
        }
        // Intermediate bytes, then one final byte (e.g. `ESC ( B`, `ESC c`).
        Some(_) => {
            while chars.next_if(|c| ('\x20'..='\x2f').contains(c)).is_some() {}
            chars.next_if(|c| ('\x30'..='\x7e').contains(c));
        }
        None => {}
    }
}

/// A CSI sequence: parameter and intermediate bytes up to a final byte in `@`..`~`.
fn skip_csi(chars: &mut Chars) {
    while let Some(&c) = chars.peek() {
        if !('\x20'..='\x3f').contains(&c) {
            break;
        }
        chars.next();
    }
    chars.next_if(|c| ('\x40'..='\x7e').contains(c));
}

/// An OSC/DCS-like string: up to BEL, ST (`ESC \` or 8-bit `\u{9c}`), or a newline (an
/// unterminated sequence must not swallow the rest of the text).
fn skip_string(chars: &mut Chars) {
    while let Some(&c) = chars.peek() {
        match c {
            '\x07' | '\u{9c}' => {
                chars.next();
                return;
            }
            '\x1b' => {
                chars.next();
                chars.next_if_eq(&'\\');
                return;
            }
            '\n' => return,
            _ => {
                chars.next();
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table() {
        for (input, want) in [
            ("plain\ttext\nline 2", "plain\ttext\nline 2"),
            ("\x1b]0;pwned\x07\r\nFAKE: ok", "\nFAKE: ok"),
            ("a\x1b[31mred\x1b[0m b", "ared b"),
            ("a\x1b]8;;http://x\x1b\\link\x1b]8;;\x1b\\", "alink"),
            ("bell\x07 nul\0 del\x7f", "bell nul del"),
            ("over\rwrite", "overwrite"),
            ("c1 \u{9b}2Jx \u{9d}0;t\u{9c}y", "c1 x y"),
            ("bidi \u{202e}txt.exe", "bidi txt.exe"),
            ("unterminated \x1b]0;title\nnext", "unterminated \nnext"),
            ("esc at end \x1b", "esc at end "),
            ("charset \x1b(Bx", "charset x"),
            (
                "Sauvegarde échouée ✗ 🔥 日本",
                "Sauvegarde échouée ✗ 🔥 日本",
            ),
        ] {
            assert_eq!(clean(input), want, "{input:?}");
        }
    }

    #[test]
    fn borrows_clean_text() {
        assert!(matches!(clean("nothing to do"), Cow::Borrowed(_)));
    }
}
