//! Source map: every file tlslint reads, with line index, so that any byte
//! offset can be turned into `file:line:column`.

use std::path::{Path, PathBuf};
use std::sync::Arc;

/// Index of a file in a [`SourceMap`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize)]
pub struct FileId(pub u32);

/// The scheme of the synthetic source `tlslint probe` locates its findings
/// in (`probe://HOST:PORT`, whose text is the probe's report).
pub const PROBE_SCHEME: &str = "probe://";

/// Bytes between the character counts a [`SourceFile`] keeps.
const CHAR_MARK: usize = 256;

/// A byte that starts a character (not a UTF-8 continuation byte).
fn is_char_start(b: u8) -> bool {
    b & 0xC0 != 0x80
}

/// Characters in `text` before byte `at` (a character boundary), from the
/// nearest mark.
fn chars_before(text: &str, marks: &[u32], at: usize) -> usize {
    // the end of a text whose length is a multiple of CHAR_MARK has no mark
    // of its own: it counts from the last one
    let block = (at / CHAR_MARK).min(marks.len().saturating_sub(1));
    let Some(&mark) = marks.get(block) else {
        return text.get(..at).map_or(0, |s| s.chars().count());
    };
    // the mark counts the character a block starts inside of
    let mut from = block * CHAR_MARK;
    while !text.is_char_boundary(from) {
        from += 1;
    }
    mark as usize + text.get(from..at).map_or(0, |s| s.chars().count())
}

/// 1-based (line, column) of byte `offset` of `text`, whose lines start at
/// `line_starts` and whose characters are counted at `marks` (see
/// [`SourceFile`]): in time independent of the length of the line.
pub fn line_col(text: &str, line_starts: &[u32], marks: &[u32], offset: u32) -> (u32, u32) {
    let idx = match line_starts.binary_search(&offset) {
        Ok(i) => i,
        Err(i) => i.saturating_sub(1),
    };
    let ls = line_starts.get(idx).map_or(0, |&l| l as usize);
    let off = (offset as usize).min(text.len());
    let col = match text.get(ls..off) {
        None => off.saturating_sub(ls),
        Some(s) if s.len() <= 2 * CHAR_MARK => s.chars().count(),
        Some(_) => chars_before(text, marks, off) - chars_before(text, marks, ls),
    };
    (idx as u32 + 1, col as u32 + 1)
}

/// A byte range in one file, with the 1-based line and column of its start.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Span {
    pub file: FileId,
    pub start: u32,
    pub end: u32,
    pub line: u32,
    pub col: u32,
}

impl Span {
    pub fn len(&self) -> usize {
        (self.end - self.start) as usize
    }
    pub fn is_empty(&self) -> bool {
        self.end == self.start
    }
}

/// One file's text. Files that are not UTF-8 are read lossily, like crossplane
/// does (`errors='replace'`); offsets refer to the text held here.
#[derive(Debug)]
pub struct SourceFile {
    /// The path as the configuration (or the user) names it.
    pub path: PathBuf,
    /// The real file when a symlink leads to it (Debian's `sites-enabled/x`
    /// → `sites-available/x`), with the directive that included it: reports
    /// locate findings at the real file, the link being a related location.
    pub link: Option<Link>,
    pub text: Arc<str>,
    line_starts: Arc<[u32]>,
    /// Characters before each block of [`CHAR_MARK`] bytes: a column is
    /// counted from the nearest mark, not from the start of its line (a
    /// 4 MB line would make that quadratic).
    char_marks: Arc<[u32]>,
    /// The text with inline private keys masked, made once (for snippets).
    redacted: std::sync::OnceLock<Arc<str>>,
    /// The text as snippets show it, made once.
    shown: std::sync::OnceLock<ShownText>,
}

/// A file's text as snippets show it: inline private keys masked, control,
/// bidirectional and invisible characters escaped (lines and tabs kept; see
/// [`crate::printable::Shown`]).
#[derive(Debug, Clone)]
pub struct ShownText {
    pub text: Arc<str>,
    /// Byte offsets of the starts of the lines in `text`.
    pub line_starts: Arc<[u32]>,
    /// How offsets in the file move (none: the text is shown as it is).
    map: Option<Arc<crate::printable::Shown>>,
}

impl ShownText {
    /// Where the file's byte offset `offset` is in `text`.
    pub fn map(&self, offset: usize) -> usize {
        match &self.map {
            Some(m) => m.map(offset),
            None => offset,
        }
    }
    /// The file's byte offset of the shown offset `shown`.
    pub fn unmap(&self, shown: usize) -> usize {
        match &self.map {
            Some(m) => m.unmap(shown),
            None => shown,
        }
    }
}

/// How a file read through a symlink was reached.
#[derive(Debug, Clone)]
pub struct Link {
    /// The file the link leads to.
    pub real: PathBuf,
    /// The `include` / `Include` that named the link, if any.
    pub included_at: Option<Span>,
}

impl SourceFile {
    /// Where findings in this file are reported: the real file behind a
    /// symlink, else the path as named.
    pub fn shown(&self) -> &Path {
        match &self.link {
            Some(l) => &l.real,
            None => &self.path,
        }
    }

    pub fn new(path: PathBuf, text: String) -> SourceFile {
        let mut line_starts = vec![0u32];
        let mut char_marks = Vec::with_capacity(text.len() / CHAR_MARK + 1);
        let mut chars = 0u32;
        for (i, b) in text.bytes().enumerate() {
            if i % CHAR_MARK == 0 {
                char_marks.push(chars);
            }
            if b == b'\n' {
                line_starts.push(i as u32 + 1);
            }
            if is_char_start(b) {
                chars += 1;
            }
        }
        SourceFile {
            path,
            link: None,
            text: Arc::from(text),
            line_starts: Arc::from(line_starts),
            char_marks: Arc::from(char_marks),
            redacted: std::sync::OnceLock::new(),
            shown: std::sync::OnceLock::new(),
        }
    }

    /// 1-based (line, column) of a byte offset; the column counts characters
    /// (bytes when the offset is inside a character). Constant time in the
    /// length of the line.
    pub fn line_col(&self, offset: u32) -> (u32, u32) {
        line_col(&self.text, &self.line_starts, &self.char_marks, offset)
    }

    /// Character counts at every [`CHAR_MARK`] bytes (for [`line_col`]).
    pub fn char_marks(&self) -> Arc<[u32]> {
        self.char_marks.clone()
    }

    /// Byte offsets of the starts of the lines.
    pub fn line_starts(&self) -> Arc<[u32]> {
        self.line_starts.clone()
    }

    /// The text with inline (`data:`) private keys masked, same length, made once.
    pub fn redacted_text(&self) -> Arc<str> {
        self.redacted
            .get_or_init(|| match crate::certs::redact_private_keys(&self.text) {
                std::borrow::Cow::Borrowed(_) => self.text.clone(),
                std::borrow::Cow::Owned(t) => Arc::from(t),
            })
            .clone()
    }

    /// The text as snippets show it (see [`ShownText`]), made once.
    pub fn shown_text(&self) -> ShownText {
        self.shown
            .get_or_init(|| {
                let redacted = self.redacted_text();
                match crate::printable::Shown::of(&redacted) {
                    None => ShownText {
                        text: redacted,
                        line_starts: self.line_starts.clone(),
                        map: None,
                    },
                    Some(mut m) => {
                        let text: Arc<str> = Arc::from(std::mem::take(&mut m.text));
                        let line_starts = line_starts_of(&text);
                        ShownText {
                            text,
                            line_starts: Arc::from(line_starts),
                            map: Some(Arc::new(m)),
                        }
                    }
                }
            })
            .clone()
    }

    /// Number of lines as nginx counts them at end of file (newlines + 1).
    pub fn last_line(&self) -> u32 {
        self.line_starts.len() as u32
    }

    /// The text of line `line` (1-based), without its newline.
    pub fn line_text(&self, line: u32) -> &str {
        let i = (line.max(1) - 1) as usize;
        let Some(&s) = self.line_starts.get(i) else {
            return "";
        };
        let e = self
            .line_starts
            .get(i + 1)
            .map(|&e| e as usize - 1)
            .unwrap_or(self.text.len());
        self.text
            .get(s as usize..e)
            .unwrap_or("")
            .trim_end_matches('\r')
    }
}

/// Byte offsets of the starts of the lines of `text`.
fn line_starts_of(text: &str) -> Vec<u32> {
    let mut line_starts = vec![0u32];
    for (i, b) in text.bytes().enumerate() {
        if b == b'\n' {
            line_starts.push(i as u32 + 1);
        }
    }
    line_starts
}

/// All files read in one run.
#[derive(Debug, Default)]
pub struct SourceMap {
    files: Vec<SourceFile>,
}

impl SourceMap {
    pub fn new() -> SourceMap {
        SourceMap::default()
    }
    pub fn add(&mut self, path: PathBuf, text: String) -> FileId {
        let id = FileId(self.files.len() as u32);
        self.files.push(SourceFile::new(path, text));
        id
    }
    /// Add another read of the text of `of` (httpd reads a file again for
    /// each `Include` of it): the text and its index are shared, not copied.
    pub fn add_again(&mut self, path: PathBuf, of: FileId) -> FileId {
        let id = FileId(self.files.len() as u32);
        let f = &self.files[of.0 as usize];
        let again = SourceFile {
            path,
            link: None,
            text: f.text.clone(),
            line_starts: f.line_starts.clone(),
            char_marks: f.char_marks.clone(),
            redacted: f.redacted.clone(),
            shown: f.shown.clone(),
        };
        self.files.push(again);
        id
    }
    pub fn get(&self, id: FileId) -> &SourceFile {
        &self.files[id.0 as usize]
    }
    pub fn path(&self, id: FileId) -> &Path {
        &self.files[id.0 as usize].path
    }
    /// Where findings in a file are reported (see [`SourceFile::shown`]).
    pub fn shown(&self, id: FileId) -> &Path {
        self.files[id.0 as usize].shown()
    }
    /// Record that a file was reached through a symlink.
    pub fn set_link(&mut self, id: FileId, real: PathBuf, included_at: Option<Span>) {
        if let Some(f) = self.files.get_mut(id.0 as usize) {
            f.link = Some(Link { real, included_at });
        }
    }
    pub fn len(&self) -> usize {
        self.files.len()
    }
    pub fn is_empty(&self) -> bool {
        self.files.is_empty()
    }
    pub fn iter(&self) -> impl Iterator<Item = (FileId, &SourceFile)> {
        self.files
            .iter()
            .enumerate()
            .map(|(i, f)| (FileId(i as u32), f))
    }
    /// Build a span for a byte range of a file.
    pub fn span(&self, file: FileId, start: usize, end: usize) -> Span {
        let (line, col) = self.get(file).line_col(start as u32);
        Span {
            file,
            start: start as u32,
            end: end as u32,
            line,
            col,
        }
    }
}

#[cfg(test)]
mod column_tests {
    use super::*;

    /// Columns from the marks equal columns counted from the line's start,
    /// at every offset, whatever the text's length (the end of a text of
    /// 512 bytes has no mark of its own).
    #[test]
    fn columns_from_marks_equal_counted_columns() {
        for len in [0usize, 1, 255, 256, 257, 511, 512, 513, 1024, 1500] {
            for unit in ["a", "\u{e9}", "\u{fffd}", "x\u{1f600}"] {
                let mut text = String::new();
                while text.len() < len {
                    text.push_str(unit);
                }
                let f = SourceFile::new(PathBuf::from("t"), text.clone());
                for off in (0..=text.len()).filter(|o| text.is_char_boundary(*o)) {
                    let (_, col) = f.line_col(off as u32);
                    assert_eq!(
                        col as usize,
                        text[..off].chars().count() + 1,
                        "{len} {unit:?} {off}"
                    );
                }
            }
        }
    }
}
