//! Strings that come from outside tlslint's control — a served certificate's
//! subject, issuer and names, an HTTP header a server sent — shown without
//! their control characters acting on the reader's terminal or CI log.
//!
//! A newline in a certificate subject would start a new line of output (in
//! GitHub Actions, `\n::warning::...` is a workflow command, in stdout and
//! stderr alike), an escape sequence would recolour or rewrite the terminal,
//! and a bidirectional override would reorder what is shown. Each such
//! character is written as an escape instead: `\n`, `\r`, `\t`, `\x1b`
//! (other C0 controls and DEL), `\u{85}` (C1 controls), `\u{202e}`
//! (bidirectional formatting characters, zero-width joiners and the BOM).
//!
//! The same holds for text from the configuration under test, which a pull
//! request controls: nginx and httpd accept such bytes in quoted arguments and
//! comments, and a file name may hold a newline. Reports escape every such
//! string ([`escape`]), source snippets are shown through [`Shown`] (lines
//! kept, everything else escaped, positions mapped), and JSON is written
//! through [`JsonSafe`] (serde escapes C0 controls; DEL, C1 controls and the
//! bidirectional and invisible characters are written as `\uXXXX` too, so
//! that the bytes never act on a terminal while the values stay the same).

use std::borrow::Cow;

/// A character [`escape`] escapes.
pub fn needs_escape(c: char) -> bool {
    c.is_control()
        || matches!(c, '\u{200b}'..='\u{200f}' | '\u{2028}'..='\u{202e}' | '\u{2060}'..='\u{2069}' | '\u{feff}')
}

/// `s` with every control, bidirectional or invisible formatting character
/// escaped (borrowed when there is none).
pub fn escape(s: &str) -> Cow<'_, str> {
    if !s.chars().any(needs_escape) {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        match c {
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if (c as u32) < 0x80 && needs_escape(c) => {
                out.push_str(&format!("\\x{:02x}", c as u32))
            }
            c if needs_escape(c) => out.push_str(&format!("\\u{{{:x}}}", c as u32)),
            c => out.push(c),
        }
    }
    Cow::Owned(out)
}

/// [`escape`] into an owned string.
pub fn escaped(s: &str) -> String {
    escape(s).into_owned()
}

/// A file's text as a snippet shows it: line breaks (`\n`, and `\r\n` shown
/// as `\n`) and tabs kept, every other character [`escape`] escapes written
/// as its escape, with a map from offsets in the file to offsets in the
/// shown text (so that an underline still points at what it points at).
#[derive(Debug, Clone)]
pub struct Shown {
    pub text: String,
    /// (end offset of a changed character in the file, shown offset minus
    /// file offset from there on), in order.
    shifts: Vec<(u32, i64)>,
}

/// A character a snippet does not show as it is.
fn shown_changed(c: char) -> bool {
    c != '\n' && c != '\t' && needs_escape(c)
}

impl Shown {
    /// The shown form of `text`; `None` when it is shown as it is.
    pub fn of(text: &str) -> Option<Shown> {
        if !text.chars().any(shown_changed) {
            return None;
        }
        let mut out = String::with_capacity(text.len() + 16);
        let mut shifts = Vec::new();
        let bytes = text.as_bytes();
        for (i, c) in text.char_indices() {
            if !shown_changed(c) {
                out.push(c);
                continue;
            }
            // the `\r` of a CRLF line end is not shown (the line ends there)
            if !(c == '\r' && bytes.get(i + 1) == Some(&b'\n')) {
                out.push_str(&escape(c.encode_utf8(&mut [0; 4])));
            }
            let end = i + c.len_utf8();
            shifts.push((end as u32, out.len() as i64 - end as i64));
        }
        Some(Shown { text: out, shifts })
    }

    /// Where the file's byte offset `offset` is in the shown text: a
    /// character's start maps to the start of its escape, its end to the
    /// end of its escape.
    pub fn map(&self, offset: usize) -> usize {
        let i = self
            .shifts
            .partition_point(|&(end, _)| end as usize <= offset);
        let shift = if i == 0 { 0 } else { self.shifts[i - 1].1 };
        (offset as i64 + shift) as usize
    }
    /// The file offset of the shown offset `shown` (the inverse of [`map`](Self::map)
    /// at the starts of characters and escapes).
    pub fn unmap(&self, shown: usize) -> usize {
        let i = self
            .shifts
            .partition_point(|&(end, d)| (end as i64 + d) as usize <= shown);
        let shift = if i == 0 { 0 } else { self.shifts[i - 1].1 };
        (shown as i64 - shift).max(0) as usize
    }
}

/// A writer for JSON that writes DEL, C1 controls and the bidirectional and
/// invisible characters [`escape`] escapes as `\uXXXX` (serde_json writes
/// them raw; it escapes only `"`, `\` and C0 controls). Such characters
/// only occur inside JSON strings, where `\uXXXX` is the same value. Call
/// `flush` at the end (a character cut between two writes is held until
/// its last byte comes).
pub struct JsonSafe<W: std::io::Write> {
    inner: W,
    pending: Vec<u8>,
}

impl<W: std::io::Write> JsonSafe<W> {
    pub fn new(inner: W) -> JsonSafe<W> {
        JsonSafe {
            inner,
            pending: Vec::new(),
        }
    }

    fn write_escaped(&mut self, s: &str) -> std::io::Result<()> {
        let mut from = 0;
        for (i, c) in s.char_indices() {
            // C0 controls are escaped by serde already; a raw `\n` is pretty
            // printing's own
            if c as u32 >= 0x20 && needs_escape(c) {
                self.inner.write_all(&s.as_bytes()[from..i])?;
                write!(self.inner, "\\u{:04x}", c as u32)?;
                from = i + c.len_utf8();
            }
        }
        self.inner.write_all(&s.as_bytes()[from..])
    }
}

impl<W: std::io::Write> std::io::Write for JsonSafe<W> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.pending.extend_from_slice(buf);
        let pending = std::mem::take(&mut self.pending);
        let mut rest = &pending[..];
        while !rest.is_empty() {
            match std::str::from_utf8(rest) {
                Ok(s) => {
                    self.write_escaped(s)?;
                    rest = &[];
                }
                Err(e) => {
                    let (good, bad) = rest.split_at(e.valid_up_to());
                    self.write_escaped(std::str::from_utf8(good).unwrap_or_default())?;
                    match e.error_len() {
                        // a character cut short: wait for its other bytes
                        None => {
                            self.pending = bad.to_vec();
                            rest = &[];
                        }
                        // not UTF-8 (serde never writes it): as it is
                        Some(n) => {
                            self.inner.write_all(&bad[..n])?;
                            rest = &bad[n..];
                        }
                    }
                }
            }
        }
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        let rest = std::mem::take(&mut self.pending);
        self.inner.write_all(&rest)?;
        self.inner.flush()
    }
}

/// `value` as JSON (pretty or compact), written through [`JsonSafe`].
pub fn to_json<T: serde::Serialize + ?Sized>(
    value: &T,
    pretty: bool,
) -> serde_json::Result<String> {
    let mut w = JsonSafe::new(Vec::new());
    if pretty {
        serde_json::to_writer_pretty(&mut w, value)?;
    } else {
        serde_json::to_writer(&mut w, value)?;
    }
    std::io::Write::flush(&mut w).map_err(serde_json::Error::io)?;
    // UTF-8 in, UTF-8 out
    Ok(String::from_utf8(w.inner).unwrap_or_default())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn snippets_keep_lines_and_map_offsets() {
        assert!(Shown::of("a\tb\nc\n").is_none());
        let t = "ab\x1b[2Jcd\r\nx\u{202e}y\rz\n";
        let s = Shown::of(t).unwrap();
        assert_eq!(s.text, "ab\\x1b[2Jcd\nx\\u{202e}y\\rz\n");
        // same lines
        assert_eq!(s.text.matches('\n').count(), t.matches('\n').count());
        // `cd`, `y` and `z` are where they were, after the escapes
        let at = |needle: &str| t.find(needle).unwrap();
        assert_eq!(&s.text[s.map(at("cd"))..s.map(at("cd") + 2)], "cd");
        assert_eq!(&s.text[s.map(at("x"))..s.map(at("y") + 1)], "x\\u{202e}y");
        assert_eq!(&s.text[s.map(at("z"))..s.map(at("z") + 1)], "z");
        // an escaped character is covered whole
        assert_eq!(&s.text[s.map(2)..s.map(3)], "\\x1b");
        // the CR of a CRLF is at the line end
        assert_eq!(s.map(at("\r\n")), s.text.find('\n').unwrap());
        assert_eq!(s.map(t.len()), s.text.len());
        // back to the file (the CR of a CRLF is not shown: it maps to the
        // line end, which maps back to the LF)
        for (i, _) in t.char_indices().filter(|&(i, _)| i != at("\r\n")) {
            assert_eq!(s.unmap(s.map(i)), i, "{i}");
        }
    }

    #[test]
    fn json_is_escaped_and_means_the_same() {
        let v = serde_json::json!({"k\u{202e}": "a\x1b]0;x\x07b\u{7f}\u{85}\u{9b}c\u{2028}\u{feff}é\n"});
        for pretty in [false, true] {
            let j = to_json(&v, pretty).unwrap();
            assert!(!j.chars().any(|c| needs_escape(c) && c != '\n'), "{j}");
            assert!(
                j.contains("\\u001b") && j.contains("\\u202e") && j.contains('é'),
                "{j}"
            );
            let back: serde_json::Value = serde_json::from_str(&j).unwrap();
            assert_eq!(back, v);
        }
        // a character cut between writes
        use std::io::Write;
        let mut w = JsonSafe::new(Vec::new());
        for byte in "\"x\u{202e}é\"".as_bytes() {
            w.write_all(std::slice::from_ref(byte)).unwrap();
        }
        w.flush().unwrap();
        assert_eq!(String::from_utf8(w.inner).unwrap(), "\"x\\u202eé\"");
    }

    #[test]
    fn controls_are_shown_escaped() {
        assert_eq!(escape("CN=a.test"), "CN=a.test");
        assert!(matches!(escape("CN=a.test, O=Ünïcode"), Cow::Borrowed(_)));
        assert_eq!(
            escape("x\n::warning::pwned\x1b[31m\r\t\x00\x7f"),
            "x\\n::warning::pwned\\x1b[31m\\r\\t\\x00\\x7f"
        );
        assert_eq!(
            escape("a\u{85}b\u{202e}c\u{feff}"),
            "a\\u{85}b\\u{202e}c\\u{feff}"
        );
        // nothing that acts on a terminal or a log is left
        let e = escape("\u{1b}]0;title\u{7}\u{9b}2J");
        assert!(!e.chars().any(needs_escape), "{e}");
    }
}
