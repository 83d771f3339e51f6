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
        let line_starts = line_starts_of(&text);
        SourceFile {
            path,
            link: None,
            text: Arc::from(text),
            line_starts: Arc::from(line_starts),
            redacted: std::sync::OnceLock::new(),
            shown: std::sync::OnceLock::new(),
        }
    }

    /// 1-based (line, column) of a byte offset; the column counts characters.
    pub fn line_col(&self, offset: u32) -> (u32, u32) {
        let idx = match self.line_starts.binary_search(&offset) {
            Ok(i) => i,
            Err(i) => i - 1,
        };
        let ls = self.line_starts[idx] as usize;
        let off = (offset as usize).min(self.text.len());
        let col = self
            .text
            .get(ls..off)
            .map(|s| s.chars().count())
            .unwrap_or(off - ls);
        (idx as u32 + 1, col as u32 + 1)
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
