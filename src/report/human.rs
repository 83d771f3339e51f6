//! Human output: rustc-style snippets (miette), colour only on a terminal.

use std::fmt;
use std::io::Write;
use std::sync::Arc;

use miette::{Diagnostic, GraphicalReportHandler, GraphicalTheme, LabeledSpan, SourceCode};

use crate::finding::{Finding, Severity};
use crate::printable::escaped;
use crate::source::{ShownText, SourceMap, Span};

/// One rendered diagnostic: a message with labelled spans in one file.
#[derive(Debug)]
pub struct Diag {
    pub code: Option<String>,
    pub message: String,
    pub severity: miette::Severity,
    pub source: Option<Src>,
    pub labels: Vec<LabeledSpan>,
    pub help: Option<String>,
    pub related: Vec<Diag>,
    /// Lines under the snippet, rendered by tlslint (not miette): `help:`,
    /// `note:` for related places in other files, the endpoints. Each is
    /// (label, text).
    pub trailer: Vec<(&'static str, String)>,
}

impl fmt::Display for Diag {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}
impl std::error::Error for Diag {}

impl Diagnostic for Diag {
    fn code<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        self.code
            .as_ref()
            .map(|c| Box::new(c) as Box<dyn fmt::Display>)
    }
    fn severity(&self) -> Option<miette::Severity> {
        Some(self.severity)
    }
    fn help<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        self.help
            .as_ref()
            .map(|h| Box::new(h) as Box<dyn fmt::Display>)
    }
    fn source_code(&self) -> Option<&dyn SourceCode> {
        self.source.as_ref().map(|s| s as &dyn SourceCode)
    }
    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        if self.labels.is_empty() {
            None
        } else {
            Some(Box::new(self.labels.iter().cloned()))
        }
    }
    fn related<'a>(&'a self) -> Option<Box<dyn Iterator<Item = &'a dyn Diagnostic> + 'a>> {
        if self.related.is_empty() {
            None
        } else {
            Some(Box::new(self.related.iter().map(|d| d as &dyn Diagnostic)))
        }
    }
}

fn miette_severity(s: Severity) -> miette::Severity {
    match s {
        Severity::Error => miette::Severity::Error,
        Severity::Warning => miette::Severity::Warning,
        Severity::Info => miette::Severity::Advice,
    }
}

/// A file's text for snippets. miette's own `SourceCode` for text scans
/// from the start of the file for every snippet; this one goes straight to
/// the lines it needs through the file's line index, so that thousands of
/// findings in one large file render in linear time. The text is the one
/// snippets show ([`ShownText`]: control characters escaped, inline keys
/// masked); labels are placed in it with [`Src::labeled`].
#[derive(Debug, Clone)]
pub struct Src {
    name: String,
    text: Arc<str>,
    line_starts: Arc<[u32]>,
    shown: ShownText,
    /// The file's own text: the column in the header is the file's.
    file_text: Arc<str>,
    file_line_starts: Arc<[u32]>,
    char_marks: Arc<[u32]>,
}

impl Src {
    fn line_of(&self, offset: usize) -> usize {
        match self.line_starts.binary_search(&(offset as u32)) {
            Ok(i) => i,
            Err(i) => i.saturating_sub(1),
        }
    }
}

impl SourceCode for Src {
    fn read_span<'a>(
        &'a self,
        span: &miette::SourceSpan,
        before: usize,
        after: usize,
    ) -> Result<Box<dyn miette::SpanContents<'a> + 'a>, miette::MietteError> {
        let len = self.text.len();
        // an error at the end of the file ("unexpected end of file") points
        // just past the last byte: show the last line, not an error of our own
        let start = span.offset().min(len);
        let end = (span.offset() + span.len()).min(len).max(start);
        // at the very end, the line that was left open is the one to see
        let before = if span.offset() >= len && len > 0 {
            before.max(1)
        } else {
            before
        };
        let first_span_line = self.line_of(start);
        let last_span_line = self.line_of(end.saturating_sub(1).max(start));
        let first = first_span_line.saturating_sub(before);
        let last = (last_span_line + after).min(self.line_starts.len() - 1);
        let mut from = self.line_starts[first] as usize;
        let mut to = self
            .line_starts
            .get(last + 1)
            .map(|&e| e as usize)
            .unwrap_or(len);
        // a long line is shown as a window around the span (a 1 MB line is
        // not printed whole, and miette cannot pad past 65,535 columns)
        if before == 0 {
            from = from.max(floor_boundary(&self.text, start.saturating_sub(WINDOW)));
            to = to.min(ceil_boundary(&self.text, end.saturating_add(WINDOW)));
        }
        // the header's column: characters from the start of the line in the
        // file itself (not in the escaped text, nor from a window's start)
        let column = if before == 0 {
            let at = self.shown.unmap(start).min(self.file_text.len());
            let (_, col) = crate::source::line_col(
                &self.file_text,
                &self.file_line_starts,
                &self.char_marks,
                at as u32,
            );
            col as usize - 1
        } else {
            0
        };
        Ok(Box::new(miette::MietteSpanContents::new_named(
            self.name.clone(),
            &self.text.as_bytes()[from..to],
            (from, to - from).into(),
            first,
            column,
            last - first + 1,
        )))
    }
}

fn named(sm: &SourceMap, span: Span) -> Src {
    let f = sm.get(span.file);
    // inline `data:` private keys never reach a snippet, nor raw control
    // characters (the configuration may come from anyone's pull request)
    let shown = f.shown_text();
    Src {
        name: escaped(&f.shown().display().to_string()),
        text: shown.text.clone(),
        line_starts: shown.line_starts.clone(),
        shown,
        file_text: f.text.clone(),
        file_line_starts: f.line_starts(),
        char_marks: f.char_marks(),
    }
}

impl Src {
    /// A label at `span` of the file, placed in the shown text.
    fn labeled(&self, span: Span, label: &str) -> LabeledSpan {
        let start = self.shown.map(span.start as usize);
        let end = self.shown.map(span.end as usize).max(start);
        // a directive thousands of bytes long is underlined at its start only
        let len = (end - start).clamp(1, WINDOW);
        LabeledSpan::new(Some(escaped(label)), start, len)
    }
}

/// Bytes of a long line shown on either side of a span, and the longest
/// stretch a label underlines.
const WINDOW: usize = 200;

/// The largest char boundary of `s` at or before `i`.
fn floor_boundary(s: &str, i: usize) -> usize {
    let mut i = i.min(s.len());
    while !s.is_char_boundary(i) {
        i -= 1;
    }
    i
}

/// The smallest char boundary of `s` at or after `i`.
fn ceil_boundary(s: &str, i: usize) -> usize {
    let mut i = i.min(s.len());
    while !s.is_char_boundary(i) {
        i += 1;
    }
    i
}

/// A diagnostic with a snippet at `span` (`message` and `label` are shown
/// escaped).
pub fn diag_at(
    sm: &SourceMap,
    span: Span,
    code: Option<&str>,
    message: String,
    label: &str,
    severity: miette::Severity,
) -> Diag {
    let src = named(sm, span);
    Diag {
        code: code.map(str::to_string),
        message: escaped(&message),
        severity,
        labels: vec![src.labeled(span, label)],
        source: Some(src),
        help: None,
        related: Vec::new(),
        trailer: Vec::new(),
    }
}

pub fn finding_diag(sm: &SourceMap, f: &Finding) -> Diag {
    let message = format!("{} {}: {}", f.code, f.name, f.message);
    let mut d = diag_at(
        sm,
        f.span,
        None,
        message,
        &f.label,
        miette_severity(f.severity),
    );
    for r in &f.related {
        if r.span == f.span {
            continue;
        }
        if r.span.file == f.span.file {
            let label = d.source.as_ref().map(|s| s.labeled(r.span, &r.message));
            d.labels.extend(label);
        } else {
            // another file: one line inside the finding, not a diagnostic of its own
            let path = sm.path(r.span.file).display().to_string();
            d.trailer.push((
                "note",
                escaped(&format!(
                    "{}: {path}:{}:{}",
                    r.message, r.span.line, r.span.col
                )),
            ));
        }
    }
    if let Some(h) = &f.help {
        d.trailer.push(("help", escaped(h)));
    }
    let eps = &f.endpoints;
    if !eps.is_empty() {
        // a server with 100,000 names is named by its first ones
        let names: Vec<String> = eps
            .iter()
            .take(5)
            .map(|e| crate::rules::cipher_facts::quoted(&e.label).into_owned())
            .collect();
        let more = if eps.len() > 5 {
            format!(" and {} more", eps.len() - 5)
        } else {
            String::new()
        };
        let what = if eps.len() == 1 {
            "endpoint"
        } else {
            "endpoints"
        };
        d.trailer
            .push((what, escaped(&format!("{}{more}", names.join("; ")))));
    }
    d
}

/// A finding about what a live server did (`tlslint probe`): no snippet
/// (there is no file), the evidence named in a line of its own.
pub fn evidence_diag(sm: &SourceMap, f: &Finding) -> Diag {
    let mut d = finding_diag(sm, f);
    d.source = None;
    d.labels.clear();
    let target = escaped(&sm.path(f.span.file).display().to_string());
    d.trailer
        .insert(0, ("evidence", format!("the server at {target}")));
    d
}

/// The width human output wraps to: `COLUMNS`, else the terminal's, else 100.
pub fn width() -> usize {
    if let Some(w) = std::env::var("COLUMNS")
        .ok()
        .and_then(|c| c.trim().parse::<usize>().ok())
        .filter(|&w| w > 0)
    {
        return w.clamp(40, 1000);
    }
    match terminal_size::terminal_size() {
        Some((terminal_size::Width(w), _)) if w > 0 => (w as usize).clamp(40, 1000),
        _ => 100,
    }
}

/// Wrap `text` to `width` after `label: `, continuation lines indented
/// under the text. Words are never split (not at hyphens either), and a
/// `quoted` fix is one word: a fix that does not fit on the current line
/// starts a line of its own, unwrapped even where it is wider than the
/// terminal, so that it can be copied as printed. Explicit newlines in
/// `text` are kept.
pub fn wrap_trailer(label: &str, text: &str, width: usize) -> Vec<String> {
    let first = format!("  {label}: ");
    let indent = " ".repeat(first.chars().count());
    let mut lines = Vec::new();
    let mut cur = first.clone();
    let mut fresh = true;
    for (pi, para) in text.split('\n').enumerate() {
        if pi > 0 {
            lines.push(std::mem::replace(&mut cur, indent.clone()));
            fresh = true;
        }
        for word in atomic_words(para) {
            let wl = word.chars().count();
            let cl = cur.chars().count();
            if !fresh && cl + 1 + wl > width {
                lines.push(std::mem::replace(&mut cur, indent.clone()));
                fresh = true;
            }
            if !fresh {
                cur.push(' ');
            }
            cur.push_str(word);
            fresh = false;
        }
    }
    lines.push(cur);
    lines
}

/// The words of a line, a `backtick-quoted` part being one word whatever
/// spaces it holds.
fn atomic_words(s: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let b = s.as_bytes();
    let mut i = 0;
    while i < b.len() {
        while i < b.len() && b[i] == b' ' {
            i += 1;
        }
        if i >= b.len() {
            break;
        }
        let start = i;
        let mut in_quote = false;
        while i < b.len() && (in_quote || b[i] != b' ') {
            if b[i] == b'`' {
                in_quote = !in_quote;
            }
            i += 1;
        }
        out.push(&s[start..i]);
    }
    out
}

pub fn handler(color: bool, width: usize) -> GraphicalReportHandler {
    let theme = if color {
        GraphicalTheme::unicode()
    } else {
        GraphicalTheme::unicode_nocolor()
    };
    GraphicalReportHandler::new_themed(theme)
        .with_width(width)
        .with_links(false)
        // a cipher name or a directive is never split across lines
        .with_break_words(false)
        .with_word_splitter(textwrap::WordSplitter::NoHyphenation)
        // and never inside a path (`/usr/share/...` after a `/`)
        .with_word_separator(textwrap::WordSeparator::AsciiSpace)
        // the lines the finding points at, no more (rustc shows no context either)
        .with_context_lines(0)
}

pub fn render(out: &mut dyn Write, d: &Diag, color: bool) {
    render_at(out, d, color, width());
}

/// Render one diagnostic at `width` columns: miette's header and snippet,
/// then the trailer lines, then one blank line.
pub fn render_at(out: &mut dyn Write, d: &Diag, color: bool, width: usize) {
    let mut s = String::new();
    if handler(color, width).render_report(&mut s, d).is_err() {
        s = format!("{d}\n");
    }
    let mut s = s.trim_end_matches('\n').to_string();
    s.push('\n');
    for (label, text) in &d.trailer {
        for line in wrap_trailer(label, text, width) {
            s.push_str(&line);
            s.push('\n');
        }
    }
    s.push('\n');
    let _ = write!(out, "{s}");
}

/// How human output is shown.
#[derive(Debug, Clone, Copy)]
pub struct Style {
    /// Colour (only on a terminal, never with NO_COLOR).
    pub color: bool,
    pub width: usize,
    /// Findings only: no notes, no summary line.
    pub quiet: bool,
}

/// Print a whole report: load errors to `err`, findings and a summary line to `out`.
pub fn emit(report: &crate::lint::Report, style: Style, out: &mut dyn Write, err: &mut dyn Write) {
    if !style.quiet {
        for n in &report.notes {
            let _ = writeln!(err, "note: {}", escaped(n));
        }
    }
    for c in &report.checked {
        for e in &c.tree.errors() {
            let d = match e.span {
                Some(span) => diag_at(
                    &c.tree.sources(),
                    span,
                    None,
                    e.message.clone(),
                    "here",
                    miette::Severity::Error,
                ),
                None => Diag {
                    code: None,
                    // the error's Display escapes
                    message: e.to_error().to_string(),
                    severity: miette::Severity::Error,
                    source: None,
                    labels: vec![],
                    help: None,
                    related: vec![],
                    trailer: vec![],
                },
            };
            render_at(err, &d, style.color, style.width);
        }
        for f in &c.findings {
            render_at(
                out,
                &finding_diag(&c.tree.sources(), f),
                style.color,
                style.width,
            );
        }
    }
    if !style.quiet {
        let _ = writeln!(out, "{}", summary(report));
    }
}

/// `--format concise`: one line per finding,
/// `path:line:col: CODE [severity] message`, then the summary line.
pub fn emit_concise(
    report: &crate::lint::Report,
    quiet: bool,
    out: &mut dyn Write,
    err: &mut dyn Write,
) {
    if !quiet {
        for n in &report.notes {
            let _ = writeln!(err, "note: {}", escaped(n));
        }
    }
    let mut w = std::io::BufWriter::new(out);
    for c in &report.checked {
        let sm = c.tree.sources();
        for e in &c.tree.errors() {
            let _ = writeln!(err, "{}", e.to_error());
        }
        for f in &c.findings {
            let _ = writeln!(
                w,
                "{}:{}:{}: {} [{}] {}",
                escaped(&sm.path(f.span.file).display().to_string()),
                f.span.line,
                f.span.col,
                f.code,
                f.severity.as_str(),
                escaped(&f.message)
            );
        }
    }
    if !quiet {
        let _ = writeln!(w, "{}", summary(report));
    }
    let _ = w.flush();
}

/// The one-line summary: counts by severity, suppressed and baselined
/// findings, endpoints, trees, profile, trees that could not be read.
pub fn summary(report: &crate::lint::Report) -> String {
    let count = |s: Severity| report.findings().filter(|(_, f)| f.severity == s).count();
    let eps: usize = report.checked.iter().map(|c| c.endpoints.len()).sum();
    let failed: Vec<&str> = report
        .checked
        .iter()
        .filter(|c| !c.ok())
        .map(|c| c.label.as_str())
        .collect();
    let mut line = format!(
        "tlslint: {} error(s), {} warning(s), {} info in {} TLS endpoint(s) of {} tree(s); profile {}",
        count(Severity::Error),
        count(Severity::Warning),
        count(Severity::Info),
        eps,
        report.checked.len(),
        report.profile.title()
    );
    if let Some(v) = versions(report) {
        line.push_str("; ");
        line.push_str(&v);
    }
    let suppressed: usize = report.post.iter().map(|p| p.suppressed.len()).sum();
    let baselined: usize = report.post.iter().map(|p| p.baselined.len()).sum();
    if suppressed > 0 {
        line.push_str(&format!("; {suppressed} suppressed inline"));
    }
    if baselined > 0 {
        line.push_str(&format!("; {baselined} in the baseline"));
    }
    if let Some(p) = probe_counts(report) {
        line.push_str("; ");
        line.push_str(&p);
    }
    if !failed.is_empty() {
        line.push_str(&format!("; could not read: {}", failed.join(", ")));
    }
    // the trees' labels are paths, and a path may hold any character
    escaped(&line)
}

/// With `--probe`: how many findings come from the wire (drift) apart from
/// the configuration's, and what the probe could not check: probes that
/// failed, server names it cannot ask for (wildcards, regular expressions).
fn probe_counts(report: &crate::lint::Report) -> Option<String> {
    if report
        .checked
        .iter()
        .all(|c| c.probes.is_empty() && c.probes_not_allowed.is_empty())
    {
        return None;
    }
    let drift = report
        .findings()
        .filter(|(_, f)| f.evidence == crate::finding::Evidence::Probe)
        .count();
    let probes: usize = report.checked.iter().map(|c| c.probes.len()).sum();
    let failed: usize = report
        .checked
        .iter()
        .flat_map(|c| &c.probes)
        .filter(|p| !p["report"]["error"].is_null())
        .count();
    let not_asked: usize = report
        .checked
        .iter()
        .flat_map(|c| &c.endpoints)
        .filter(|e| e.listen.iter().any(|l| l.ssl && l.port.is_some()))
        .flat_map(|e| &e.server_names)
        .filter(|n| !crate::model::exact_server_name(n))
        .count();
    let mut s = format!("{drift} from the probe ({probes} probe(s)");
    if failed > 0 {
        s.push_str(&format!(", {failed} failed"));
    }
    if not_asked > 0 {
        s.push_str(&format!(
            ", {not_asked} server name(s) not asked for: wildcards and regular expressions"
        ));
    }
    let refused: usize = report
        .checked
        .iter()
        .map(|c| c.probes_not_allowed.len())
        .sum();
    if refused > 0 {
        s.push_str(&format!(
            ", {refused} socket(s) not probed: not loopback (see --probe-allow)"
        ));
    }
    s.push(')');
    Some(s)
}

/// The versions the trees were checked with and where each came from:
/// `nginx 1.22.1 (detected), OpenSSL 3.0.11 (detected)`; per tree when the
/// trees were checked with different ones.
pub fn versions(report: &crate::lint::Report) -> Option<String> {
    use crate::model::ServerKind;
    let mut merged: Vec<(&str, String)> = Vec::new();
    let mut differ = false;
    for (c, v) in report.checked.iter().zip(&report.versions) {
        let own = match c.tree.server() {
            ServerKind::Nginx => ("nginx", v.nginx.label()),
            ServerKind::Apache => ("Apache", v.apache.label()),
        };
        for (name, label) in [own, ("OpenSSL", v.openssl.label())] {
            match merged.iter().find(|(n, _)| *n == name) {
                Some((_, l)) if *l != label => differ = true,
                Some(_) => {}
                None => merged.push((name, label)),
            }
        }
    }
    if merged.is_empty() {
        return None;
    }
    if differ {
        let per: Vec<String> = report
            .checked
            .iter()
            .zip(&report.versions)
            .map(|(c, v)| format!("{}: {}", c.label, v.describe(c.tree.server())))
            .collect();
        return Some(per.join("; "));
    }
    // the servers first, then OpenSSL
    merged.sort_by_key(|(n, _)| *n == "OpenSSL");
    Some(
        merged
            .iter()
            .map(|(n, l)| format!("{n} {l}"))
            .collect::<Vec<_>>()
            .join(", "),
    )
}
