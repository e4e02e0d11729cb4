//! What a terminal would have shown of a command's stderr: `bnotify run` sends the end of
//! it as the failure's error, and a progress bar redrawn with `\r` and ANSI escapes must
//! not bury the error line under hundreds of overwritten states and colour codes.
//!
//! The bytes are replayed on a small screen model: `\r` returns to the start of the line
//! (later text overwrites it), backspace steps back, `\n` moves down, CSI sequences that
//! erase or move the cursor (`K`, `J`, `A`–`D`, `G`) act, every other CSI, OSC and escape
//! sequence and control character is dropped. Blank lines are left out, and the last
//! [`MAX_LINES`] lines, at most [`MAX_BYTES`] bytes, are kept.

/// Lines kept at most.
pub(crate) const MAX_LINES: usize = 20;
/// Bytes kept at most.
pub(crate) const MAX_BYTES: usize = 4096;

/// The last lines `bytes` leave on a terminal, cleaned. `cut_start` says the bytes begin
/// somewhere inside the stream (a tail): the first, partial line is then left out.
pub(crate) fn tail(bytes: &[u8], cut_start: bool) -> String {
    let text = String::from_utf8_lossy(bytes);
    let mut text: &str = &text;
    if cut_start {
        if let Some(i) = text.find('\n').or_else(|| text.find('\r')) {
            text = &text[i + 1..];
        }
    }
    let mut screen = Screen::default();
    screen.feed(text.trim_start_matches('\u{FFFD}'));
    last_lines(&screen.lines())
}

/// The last [`MAX_LINES`] non-blank lines, within [`MAX_BYTES`] bytes.
fn last_lines(lines: &[String]) -> String {
    let mut kept: Vec<&str> = lines
        .iter()
        .map(|l| l.trim_end())
        .filter(|l| !l.is_empty())
        .collect();
    let skip = kept.len().saturating_sub(MAX_LINES);
    kept.drain(..skip);
    while kept.len() > 1 && kept.iter().map(|l| l.len() + 1).sum::<usize>() > MAX_BYTES + 1 {
        kept.remove(0);
    }
    let out = kept.join("\n");
    crate::render::cut(
        &out,
        MAX_BYTES,
        crate::render::Unit::Bytes,
        crate::render::cut::plain,
    )
}

/// Lines of characters and a cursor.
#[derive(Debug, Default)]
struct Screen {
    lines: Vec<Vec<char>>,
    row: usize,
    col: usize,
}

impl Screen {
    fn lines(&self) -> Vec<String> {
        self.lines.iter().map(|l| l.iter().collect()).collect()
    }

    fn line(&mut self) -> &mut Vec<char> {
        while self.lines.len() <= self.row {
            self.lines.push(Vec::new());
        }
        &mut self.lines[self.row]
    }

    fn put(&mut self, c: char) {
        let col = self.col;
        let line = self.line();
        if col < line.len() {
            line[col] = c;
        } else {
            line.resize(col, ' ');
            line.push(c);
        }
        self.col += 1;
    }

    fn feed(&mut self, text: &str) {
        let mut chars = text.chars().peekable();
        while let Some(c) = chars.next() {
            match c {
                '\n' => {
                    self.line();
                    self.row += 1;
                    self.col = 0;
                }
                '\r' => self.col = 0,
                '\u{8}' => self.col = self.col.saturating_sub(1),
                '\t' => self.put('\t'),
                '\u{1b}' => match chars.next() {
                    Some('[') => self.csi(&mut chars),
                    Some(']' | 'P' | '_' | '^' | 'X') => skip_string(&mut chars),
                    Some('(' | ')' | '*' | '+' | '#' | '%') => {
                        chars.next();
                    }
                    _ => {}
                },
                '\u{9b}' => self.csi(&mut chars),
                '\u{9d}' => skip_string(&mut chars),
                c if c.is_control() => {}
                c => self.put(c),
            }
        }
    }

    /// A CSI sequence after `ESC [`: parameters, then one final byte (`@` to `~`).
    fn csi(&mut self, chars: &mut impl Iterator<Item = char>) {
        let mut params = String::new();
        let mut last = None;
        for c in chars.by_ref() {
            if ('@'..='~').contains(&c) {
                last = Some(c);
                break;
            }
            params.push(c);
        }
        let Some(cmd) = last else { return };
        if params.starts_with(['?', '>', '<', '=']) {
            return;
        }
        let n = |default: usize| {
            params
                .split(';')
                .next()
                .and_then(|p| p.parse::<usize>().ok())
                .unwrap_or(default)
        };
        match cmd {
            'K' => self.erase_line(n(0)),
            'J' => self.erase_screen(n(0)),
            'A' | 'F' => {
                self.row = self.row.saturating_sub(n(1).max(1));
                if cmd == 'F' {
                    self.col = 0;
                }
            }
            'B' | 'E' => {
                self.row += n(1).max(1);
                if cmd == 'E' {
                    self.col = 0;
                }
            }
            'C' => self.col += n(1).max(1),
            'D' => self.col = self.col.saturating_sub(n(1).max(1)),
            'G' => self.col = n(1).max(1) - 1,
            _ => {}
        }
    }

    fn erase_line(&mut self, mode: usize) {
        let col = self.col;
        let line = self.line();
        match mode {
            0 => line.truncate(col),
            1 => line.iter_mut().take(col + 1).for_each(|c| *c = ' '),
            _ => line.iter_mut().for_each(|c| *c = ' '),
        }
    }

    fn erase_screen(&mut self, mode: usize) {
        match mode {
            0 => {
                self.erase_line(0);
                self.lines.truncate(self.row + 1);
            }
            1 => {
                self.erase_line(1);
                let row = self.row.min(self.lines.len());
                self.lines[..row].iter_mut().for_each(Vec::clear);
            }
            _ => self.lines.iter_mut().for_each(Vec::clear),
        }
    }
}

/// Skip an OSC/DCS string up to BEL or ST (`ESC \`).
fn skip_string(chars: &mut std::iter::Peekable<std::str::Chars<'_>>) {
    while let Some(c) = chars.next() {
        match c {
            '\u{7}' | '\u{9c}' => return,
            '\u{1b}' => {
                if chars.peek() == Some(&'\\') {
                    chars.next();
                }
                return;
            }
            _ => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn terminal_replay() {
        for (name, input, want) in [
            ("plain", "a\nb\n", "a\nb"),
            (
                "progress bar",
                "\r[  0%] copying…\r[ 33%] copying…\r\x1b[2K[100%] done\nerror: disk full\n",
                "[100%] done\nerror: disk full",
            ),
            ("shorter overwrite keeps the rest", "abcdef\rXY\n", "XYcdef"),
            ("erase to end", "abcdef\rXY\x1b[K\n", "XY"),
            ("colours", "\x1b[1;31merror:\x1b[0m bad\n", "error: bad"),
            (
                "osc title and hyperlink",
                "\x1b]0;title\x07\x1b]8;;http://x\x1b\\link\x1b]8;;\x1b\\ here\n",
                "link here",
            ),
            ("blank lines dropped", "a\n\n   \n\x1b[0m\nb\n", "a\nb"),
            ("backspace", "abc\u{8}\u{8}X\n", "aXc"),
            ("controls dropped", "a\u{7}b\u{0}c\u{1}\n", "abc"),
            (
                "multi-line bar redrawn upwards",
                "x: 1%\ny: 1%\n\x1b[2A\x1b[2Kx: done\n\x1b[2Ky: done\nfailed\n",
                "x: done\ny: done\nfailed",
            ),
            ("column move", "abc\x1b[1Gz\n", "zbc"),
            (
                "private modes ignored",
                "\x1b[?25lhidden cursor\x1b[?25h\n",
                "hidden cursor",
            ),
            ("charset", "\x1b(Bok\n", "ok"),
        ] {
            assert_eq!(tail(input.as_bytes(), false), want, "{name}");
        }
    }

    #[test]
    fn last_twenty_lines_within_4_kib() {
        let many: String = (0..100).map(|i| format!("line {i}\n")).collect();
        let out = tail(many.as_bytes(), false);
        assert_eq!(out.lines().count(), MAX_LINES);
        assert!(out.starts_with("line 80\n") && out.ends_with("line 99"));
        let wide: String = (0..20)
            .map(|i| format!("{i} {}\n", "w".repeat(1000)))
            .collect();
        let out = tail(wide.as_bytes(), false);
        assert!(out.len() <= MAX_BYTES, "{}", out.len());
        assert!(out.starts_with("16 ") && out.ends_with('w'));
        let huge = format!("{}FATAL\n", "z".repeat(10_000));
        let out = tail(huge.as_bytes(), false);
        assert!(out.len() <= MAX_BYTES && out.ends_with("zFATAL"), "{out}");
    }

    #[test]
    fn a_cut_tail_drops_its_partial_first_line() {
        assert_eq!(tail(b"5;1Hjunk\nreal error\n", true), "real error");
        assert_eq!(tail(b"\xa9rest\nreal\n", false), "rest\nreal");
        assert_eq!(tail("only one".as_bytes(), true), "only one");
    }
}
