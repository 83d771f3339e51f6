//! The Apache httpd configuration grammar at the level of lines and words,
//! as httpd reads them (`ap_cfg_getline` and `ap_getword_conf` in
//! server/util.c), with spans for everything.
//!
//! Facts reproduced here:
//! - a line ending in `\` (before the newline, and an optional `\r`) goes on
//!   with the next line: the backslash and the line end are removed, nothing
//!   is inserted, and the next line's leading white space is kept. This holds
//!   for comment lines too (`# a \` + newline makes the next line part of
//!   the comment);
//! - the joined line is trimmed of white space at both ends; a line whose
//!   first character is then `#` is a comment (there are no trailing
//!   comments: `Foo bar # x` has the arguments `bar`, `#` and `x`);
//! - httpd counts a directive's line at the *last* physical line of its
//!   logical line; a continuation on the last line of a file counts one more;
//! - a NUL byte ends what httpd sees of a physical line (C strings), and that
//!   line cannot continue;
//! - words are separated by white space; a word that *starts* with `"` or
//!   `'` runs to the matching quote (`\\` and `\` + quote are skipped over)
//!   or to the end of the line if there is none, and the next word starts
//!   right after the closing quote (`"a"b` is two words). Quotes elsewhere
//!   are ordinary characters (`a"b c"` is `a"b` and `c"`).
//!
//! Structure (sections, conditionals, includes) is the loader's: whether
//! `</IfModule>` closes a section depends on whether the section was active.

use nom::bytes::complete::{take_till, take_while};
use nom::IResult;
use nom::Parser as _;

use crate::apache::ast::{Comment, Quote, Word};
use crate::source::{FileId, SourceFile, SourceMap, Span};

/// httpd's limit on one logical line (VARBUF_MAX_LEN, 16 MiB).
pub const MAX_LINE: usize = 16 * 1024 * 1024;

/// `apr_isspace` in the C locale.
pub fn is_space(c: u8) -> bool {
    matches!(c, b' ' | b'\t' | b'\n' | b'\r' | 0x0b | 0x0c)
}

/// One logical line: physical lines joined at continuations, trimmed.
#[derive(Debug, Clone)]
pub struct LogicalLine {
    /// The joined, trimmed text (empty for a blank line).
    pub text: String,
    /// Mapping of `text` offsets to file offsets: (text offset, file offset)
    /// at the start of each joined piece.
    segs: Vec<(u32, u32)>,
    /// File offset of the first character of `text` (or of the line, if blank).
    pub start: u32,
    /// File offset just after the last character of `text`.
    pub end: u32,
    /// The physical line on which the logical line starts (1-based).
    pub first_line: u32,
    /// The line httpd reports for it (its last physical line).
    pub line: u32,
}

impl LogicalLine {
    pub fn is_blank(&self) -> bool {
        self.text.is_empty()
    }
    pub fn is_comment(&self) -> bool {
        self.text.starts_with('#')
    }

    /// File offset of a text offset.
    pub fn file_offset(&self, off: usize) -> u32 {
        let off = off as u32;
        let i = match self.segs.binary_search_by(|s| s.0.cmp(&off)) {
            Ok(i) => i,
            Err(0) => 0,
            Err(i) => i - 1,
        };
        match self.segs.get(i) {
            Some(&(t, f)) => f + off.saturating_sub(t),
            None => self.start,
        }
    }

    /// File offsets of the text range `a..b`.
    pub fn range(&self, a: usize, b: usize) -> (usize, usize) {
        let start = self.file_offset(a);
        let end = if b > a {
            self.file_offset(b - 1) + 1
        } else {
            start
        };
        (start as usize, end.max(start) as usize)
    }

    /// A span for the text range `a..b`.
    pub fn span(&self, sources: &SourceMap, file: FileId, a: usize, b: usize) -> Span {
        let (s, e) = self.range(a, b);
        sources.span(file, s, e)
    }

    /// The span of the whole line.
    pub fn whole(&self, sources: &SourceMap, file: FileId) -> Span {
        sources.span(file, self.start as usize, self.end.max(self.start) as usize)
    }

    /// The line as a comment node.
    pub fn comment(&self, sources: &SourceMap, file: FileId, active: bool) -> Comment {
        Comment {
            text: self.text.get(1..).unwrap_or("").to_string(),
            span: self.whole(sources, file),
            active,
        }
    }
}

/// Split a file into logical lines, as `ap_varbuf_cfg_getline` reads it.
/// Blank lines are kept (macro bodies count them). Returns an error (the
/// line number and httpd's message) for a line longer than [`MAX_LINE`].
pub fn logical_lines(src: &SourceFile) -> Result<Vec<LogicalLine>, (u32, String)> {
    let b = src.text.as_bytes();
    let len = b.len();
    let mut out = Vec::new();
    let mut pos = 0usize;
    let mut line_no = 0u32;
    while pos < len {
        let mut buf: Vec<u8> = Vec::new();
        let mut segs: Vec<(u32, u32)> = Vec::new();
        let first_line = line_no + 1;
        loop {
            line_no += 1;
            if pos >= len {
                // a continuation on the last line: httpd's next read hits
                // the end of the file (and still counts a line)
                break;
            }
            let nl = b[pos..].iter().position(|&c| c == b'\n').map(|i| pos + i);
            let phys_end = nl.unwrap_or(len);
            let next = nl.map(|i| i + 1).unwrap_or(len);
            let mut content = &b[pos..phys_end];
            let mut can_continue = nl.is_some();
            if let Some(z) = content.iter().position(|&c| c == 0) {
                content = &content[..z];
                can_continue = false;
            }
            if segs
                .last()
                .is_some_and(|s: &(u32, u32)| s.0 as usize == buf.len())
            {
                segs.pop();
            }
            segs.push((buf.len() as u32, pos as u32));
            buf.extend_from_slice(content);
            // httpd looks at the end of the whole buffer: `\` + newline
            // (after an optional `\r`) continues, even when the backslash
            // came from the previous piece
            let mut cont = false;
            if can_continue {
                let mut e = buf.len();
                if e > 0 && buf[e - 1] == b'\r' {
                    e -= 1;
                }
                if e > 0 && buf[e - 1] == b'\\' {
                    buf.truncate(e - 1);
                    while segs.len() > 1 && segs.last().is_some_and(|s| s.0 as usize > buf.len()) {
                        segs.pop();
                    }
                    cont = true;
                }
            }
            pos = next;
            if buf.len() > MAX_LINE {
                return Err((
                    line_no,
                    format!(
                        "Error reading {} at line {line_no}: Line too long",
                        src.path.display()
                    ),
                ));
            }
            if !cont {
                break;
            }
        }
        // trim white space at both ends
        let lead = buf.iter().take_while(|&&c| is_space(c)).count();
        let trail = buf[lead..]
            .iter()
            .rev()
            .take_while(|&&c| is_space(c))
            .count();
        let text_bytes = &buf[lead..buf.len() - trail];
        let text = String::from_utf8_lossy(text_bytes).into_owned();
        // re-base the segments on the trimmed text
        let mut tsegs: Vec<(u32, u32)> = Vec::with_capacity(segs.len());
        for (i, &(t, f)) in segs.iter().enumerate() {
            let seg_end = segs.get(i + 1).map(|s| s.0).unwrap_or(buf.len() as u32);
            let lo = lead as u32;
            if seg_end <= lo && i + 1 < segs.len() {
                continue;
            }
            if t >= lo {
                tsegs.push((t - lo, f));
            } else {
                tsegs.push((0, f + (lo - t)));
            }
        }
        let mut ll = LogicalLine {
            text,
            segs: tsegs,
            start: 0,
            end: 0,
            first_line,
            line: line_no,
        };
        if text_bytes.is_empty() {
            let s = segs.first().map(|s| s.1).unwrap_or(pos as u32);
            ll.start = s;
            ll.end = s;
        } else {
            ll.start = ll.file_offset(0);
            ll.end = ll.file_offset(text_bytes.len() - 1) + 1;
            let (l, _) = src.line_col(ll.start);
            ll.first_line = l;
        }
        out.push(ll);
    }
    Ok(out)
}

/// A word of a line: where it is (including quotes) and its raw text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Tok {
    /// Offsets in the line text, including the quotes.
    pub start: usize,
    pub end: usize,
    /// The text between the quotes (or the whole bare word).
    pub raw: String,
    pub quote: Quote,
}

impl Tok {
    pub fn value(&self) -> String {
        let q = match self.quote {
            Quote::None => None,
            Quote::Single => Some('\''),
            Quote::Double => Some('"'),
        };
        crate::apache::ast::unescape(&self.raw, q)
    }
}

fn spaces(i: &[u8]) -> IResult<&[u8], &[u8]> {
    take_while(is_space).parse(i)
}

fn bare(i: &[u8]) -> IResult<&[u8], &[u8]> {
    take_till(is_space).parse(i)
}

/// The body of a quoted word after its opening quote `q`: up to the closing
/// quote, skipping `\\` and `\q`; the whole rest if it is not closed.
/// Returns (rest after the closing quote, body, closed).
fn quoted(i: &[u8], q: u8) -> (&[u8], &[u8], bool) {
    let mut k = 0;
    while k < i.len() && i[k] != q {
        if i[k] == b'\\' && k + 1 < i.len() && (i[k + 1] == q || i[k + 1] == b'\\') {
            k += 2;
        } else {
            k += 1;
        }
    }
    if k < i.len() {
        (&i[k + 1..], &i[..k], true)
    } else {
        (&i[k..], &i[..k.min(i.len())], false)
    }
}

/// Split a line into words as repeated `ap_getword_conf` calls do.
pub fn tokenize(s: &str) -> Vec<Tok> {
    let b = s.as_bytes();
    let mut out = Vec::new();
    let mut rest: &[u8] = b;
    loop {
        rest = spaces(rest).map(|(r, _)| r).unwrap_or(rest);
        if rest.is_empty() {
            break;
        }
        let start = b.len() - rest.len();
        let c = rest[0];
        if c == b'"' || c == b'\'' {
            let (r, body, _closed) = quoted(&rest[1..], c);
            let end = b.len() - r.len();
            out.push(Tok {
                start,
                end,
                raw: String::from_utf8_lossy(body).into_owned(),
                quote: if c == b'"' {
                    Quote::Double
                } else {
                    Quote::Single
                },
            });
            rest = r;
        } else {
            let (r, w) = bare(rest).unwrap_or((&rest[rest.len()..], rest));
            let end = b.len() - r.len();
            out.push(Tok {
                start,
                end,
                raw: String::from_utf8_lossy(w).into_owned(),
                quote: Quote::None,
            });
            rest = r;
        }
    }
    out
}

/// The values of the words of a line.
pub fn words(s: &str) -> Vec<String> {
    tokenize(s).iter().map(Tok::value).collect()
}

/// The first word of a line (its value) and the rest of the line after the
/// white space that follows it, as `ap_getword_conf` leaves them.
pub fn first_word(s: &str) -> (String, usize) {
    match tokenize_first(s) {
        Some(t) => {
            let b = s.as_bytes();
            let mut k = t.end;
            while k < b.len() && is_space(b[k]) {
                k += 1;
            }
            (t.value(), k)
        }
        None => (String::new(), s.len()),
    }
}

fn tokenize_first(s: &str) -> Option<Tok> {
    // tokenizing only the first word: cheap even on long lines
    let b = s.as_bytes();
    let lead = b.iter().take_while(|&&c| is_space(c)).count();
    if lead >= b.len() {
        return None;
    }
    let rest = &b[lead..];
    let c = rest[0];
    if c == b'"' || c == b'\'' {
        let (r, body, _) = quoted(&rest[1..], c);
        Some(Tok {
            start: lead,
            end: b.len() - r.len(),
            raw: String::from_utf8_lossy(body).into_owned(),
            quote: if c == b'"' {
                Quote::Double
            } else {
                Quote::Single
            },
        })
    } else {
        let n = rest.iter().take_while(|&&c| !is_space(c)).count();
        Some(Tok {
            start: lead,
            end: lead + n,
            raw: String::from_utf8_lossy(&rest[..n]).into_owned(),
            quote: Quote::None,
        })
    }
}

/// A [`Word`] for a token of a logical line.
pub fn word(line: &LogicalLine, tok: &Tok, sources: &SourceMap, file: FileId) -> Word {
    Word {
        raw: tok.raw.clone(),
        quote: tok.quote,
        span: line.span(sources, file, tok.start, tok.end),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::PathBuf;

    fn lines(t: &str) -> Vec<LogicalLine> {
        let src = SourceFile::new(PathBuf::from("t.conf"), t.to_string());
        logical_lines(&src).unwrap()
    }

    #[test]
    fn continuations_and_line_numbers() {
        let l = lines("A b \\\n   c\n# x \\\nY z\n\n  Q  \r\nR \\\r\n s");
        let t: Vec<(&str, u32, u32)> = l
            .iter()
            .map(|l| (l.text.as_str(), l.first_line, l.line))
            .collect();
        assert_eq!(
            t,
            vec![
                ("A b    c", 1, 2),
                ("# x Y z", 3, 4),
                ("", 5, 5),
                ("Q", 6, 6),
                ("R  s", 7, 8)
            ]
        );
        // a continuation on the last line counts one more line
        let l = lines("A \\\n");
        assert_eq!((l[0].text.as_str(), l[0].line), ("A", 2));
    }

    #[test]
    fn spans_across_continuations() {
        let text = "Foo ab\\\ncd ef\n";
        let mut sm = SourceMap::new();
        let id = sm.add(PathBuf::from("t"), text.to_string());
        let l = logical_lines(sm.get(id)).unwrap();
        let toks = tokenize(&l[0].text);
        assert_eq!(toks[1].raw, "abcd");
        let sp = l[0].span(&sm, id, toks[1].start, toks[1].end);
        assert_eq!(&text[sp.start as usize..sp.end as usize], "ab\\\ncd");
        let sp = l[0].span(&sm, id, toks[2].start, toks[2].end);
        assert_eq!(&text[sp.start as usize..sp.end as usize], "ef");
        assert_eq!(sp.line, 2);
    }

    #[test]
    fn words_like_getword_conf() {
        assert_eq!(words(r#"a "b c" 'd e'"#), vec!["a", "b c", "d e"]);
        assert_eq!(words(r#""a"b"#), vec!["a", "b"]);
        assert_eq!(words(r#"a"b c""#), vec!["a\"b", "c\""]);
        assert_eq!(
            words(r#""a \" b" 'c \' d' e\\f g\h"#),
            vec!["a \" b", "c ' d", "e\\f", "g\\h"]
        );
        assert_eq!(words(r#""unterminated x"#), vec!["unterminated x"]);
        assert_eq!(words(r#""x\\" y"#), vec!["x\\", "y"]);
        assert_eq!(
            first_word("  <VirtualHost   *:80>"),
            ("<VirtualHost".into(), 17)
        );
    }

    #[test]
    fn nul_ends_a_physical_line() {
        let l = lines("A b\0c \\\nD\n");
        assert_eq!(l[0].text, "A b");
        assert_eq!(l[1].text, "D");
    }
}
