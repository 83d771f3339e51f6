//! Human output: rustc-style snippets (miette), colour only on a terminal.

use std::fmt;
use std::io::Write;
use std::sync::Arc;

use miette::{Diagnostic, GraphicalReportHandler, GraphicalTheme, LabeledSpan, SourceCode};

use crate::finding::{Finding, Severity};
use crate::source::{SourceMap, Span};

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
/// findings in one large file render in linear time.
#[derive(Debug, Clone)]
pub struct Src {
    name: String,
    text: Arc<str>,
    line_starts: Arc<[u32]>,
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
        let start = span.offset();
        let end = start + span.len();
        if start > len || end > len {
            return Err(miette::MietteError::OutOfBounds);
        }
        let first_span_line = self.line_of(start);
        let last_span_line = self.line_of(end.saturating_sub(1).max(start));
        let first = first_span_line.saturating_sub(before);
        let last = (last_span_line + after).min(self.line_starts.len() - 1);
        let from = self.line_starts[first] as usize;
        let to = self
            .line_starts
            .get(last + 1)
            .map(|&e| e as usize)
            .unwrap_or(len);
        let column = if before == 0 {
            self.text[from..start].chars().count()
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
    // inline `data:` private keys never reach a snippet (same length: spans stay valid)
    Src {
        name: f.shown().display().to_string(),
        text: f.redacted_text(),
        line_starts: f.line_starts(),
    }
}

fn labeled(span: Span, label: &str) -> LabeledSpan {
    LabeledSpan::new(
        Some(label.to_string()),
        span.start as usize,
        span.len().max(1),
    )
}

/// A diagnostic with a snippet at `span`.
pub fn diag_at(
    sm: &SourceMap,
    span: Span,
    code: Option<&str>,
    message: String,
    label: &str,
    severity: miette::Severity,
) -> Diag {
    Diag {
        code: code.map(str::to_string),
        message,
        severity,
        source: Some(named(sm, span)),
        labels: vec![labeled(span, label)],
        help: None,
        related: Vec::new(),
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
    d.help = f.help.clone();
    for r in &f.related {
        if r.span.file == f.span.file && r.span != f.span {
            d.labels.push(labeled(r.span, &r.message));
        } else if r.span != f.span {
            d.related.push(diag_at(
                sm,
                r.span,
                None,
                r.message.clone(),
                "here",
                miette::Severity::Advice,
            ));
        }
    }
    let eps = &f.endpoints;
    if !eps.is_empty() {
        let names: Vec<&str> = eps.iter().take(5).map(|e| e.label.as_str()).collect();
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
        let line = format!("{what}: {}{more}", names.join("; "));
        d.help = Some(match d.help.take() {
            Some(h) => format!("{h}\n{line}"),
            None => line,
        });
    }
    d
}

pub fn handler(color: bool) -> GraphicalReportHandler {
    let theme = if color {
        GraphicalTheme::unicode()
    } else {
        GraphicalTheme::unicode_nocolor()
    };
    GraphicalReportHandler::new_themed(theme)
        .with_width(110)
        .with_links(false)
}

pub fn render(out: &mut dyn Write, d: &Diag, color: bool) {
    let mut s = String::new();
    if handler(color).render_report(&mut s, d).is_err() {
        s = format!("{d}\n");
    }
    let _ = write!(out, "{s}");
}

/// Print a whole report: load errors to `err`, findings and a summary line to `out`.
pub fn emit(report: &crate::lint::Report, color: bool, out: &mut dyn Write, err: &mut dyn Write) {
    for n in &report.notes {
        let _ = writeln!(err, "note: {n}");
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
                    message: e.to_error().to_string(),
                    severity: miette::Severity::Error,
                    source: None,
                    labels: vec![],
                    help: None,
                    related: vec![],
                },
            };
            render(err, &d, color);
        }
        for f in &c.findings {
            render(out, &finding_diag(&c.tree.sources(), f), color);
        }
    }
    let _ = writeln!(out, "{}", summary(report));
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
    let suppressed: usize = report.post.iter().map(|p| p.suppressed.len()).sum();
    let baselined: usize = report.post.iter().map(|p| p.baselined.len()).sum();
    if suppressed > 0 {
        line.push_str(&format!("; {suppressed} suppressed inline"));
    }
    if baselined > 0 {
        line.push_str(&format!("; {baselined} in the baseline"));
    }
    if !failed.is_empty() {
        line.push_str(&format!("; could not read: {}", failed.join(", ")));
    }
    line
}
