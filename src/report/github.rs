//! `--format github`: GitHub Actions workflow commands, one annotation per
//! finding (`::error file=F,line=L,col=C,endLine=..,endColumn=..,title=TLS101
//! protocol-outside-profile::message`). Warnings are `::warning`, info
//! `::notice`; trees that could not be read are `::error`. Paths are
//! relative to the current directory (the workspace in a workflow).
//!
//! Every text is escaped twice: its control, bidirectional and invisible
//! characters as `crate::printable` writes them (a configuration from a pull
//! request may hold a newline and `::error::` in a quoted argument or a file
//! name, an escape sequence in a comment), then by GitHub's rules for a
//! workflow command's message (`%`, CR, LF) or property (also `:` and `,`).

use std::io::Write;
use std::path::Path;

use crate::finding::{Finding, Severity};
use crate::lint::Report;
use crate::printable::escaped;
use crate::source::SourceMap;

/// Escape the message of a workflow command (GitHub's rules only).
pub fn escape_data(s: &str) -> String {
    s.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

/// Escape a property value of a workflow command: control characters as
/// `crate::printable` shows them, then GitHub's rules.
pub fn escape_property(s: &str) -> String {
    escape_data(&escaped(s))
        .replace(':', "%3A")
        .replace(',', "%2C")
}

fn command(s: Severity) -> &'static str {
    match s {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Info => "notice",
    }
}

fn display_path(p: &Path) -> String {
    if p.to_str()
        .is_some_and(|s| s.starts_with(crate::source::PROBE_SCHEME))
    {
        return p.to_string_lossy().into_owned();
    }
    let abs =
        crate::fsx::lexical_normal(&std::path::absolute(p).unwrap_or_else(|_| p.to_path_buf()));
    match std::env::current_dir().ok().and_then(|c| {
        abs.strip_prefix(crate::fsx::lexical_normal(&c))
            .ok()
            .map(Path::to_path_buf)
    }) {
        Some(rel) if !rel.as_os_str().is_empty() => rel.to_string_lossy().into_owned(),
        _ => abs.to_string_lossy().into_owned(),
    }
}

/// One annotation line for a finding.
pub fn annotation(sm: &SourceMap, f: &Finding) -> String {
    let file = sm.get(f.span.file);
    let (end_line, end_col) = if f.span.end > f.span.start {
        file.line_col(f.span.end)
    } else {
        (f.span.line, f.span.col)
    };
    // what a live server did has no file to annotate: the annotation goes on
    // the run, naming the server in its message
    let live = file
        .path
        .to_str()
        .and_then(|s| s.strip_prefix(crate::source::PROBE_SCHEME));
    let mut props = Vec::new();
    if live.is_none() {
        props.push(format!(
            "file={}",
            escape_property(&display_path(file.shown()))
        ));
        props.push(format!("line={}", f.span.line));
        props.push(format!("col={}", f.span.col));
        // GitHub accepts endLine, and endColumn only on the same line
        if end_line == f.span.line {
            props.push(format!("endColumn={end_col}"));
        } else {
            props.push(format!("endLine={end_line}"));
        }
    }
    props.push(format!(
        "title={}",
        escape_property(&format!("{} {}", f.code, f.name))
    ));
    // each part escaped; the lines between them are the annotation's own
    let mut msg = escaped(&match live {
        Some(target) => format!("{} (the server at {target})", f.message),
        None => f.message.clone(),
    });
    if let Some(h) = &f.help {
        msg.push_str(&format!("\nhelp: {}", escaped(h)));
    }
    for r in &f.related {
        let rf = sm.get(r.span.file);
        msg.push_str(&format!(
            "\nnote: {}",
            escaped(&format!(
                "{}:{}:{}: {}",
                display_path(rf.shown()),
                r.span.line,
                r.span.col,
                r.message
            ))
        ));
    }
    format!(
        "::{} {}::{}",
        command(f.severity),
        props.join(","),
        escape_data(&msg)
    )
}

pub fn emit(report: &Report, out: &mut dyn Write, err: &mut dyn Write) {
    for n in &report.notes {
        let _ = writeln!(err, "note: {}", escaped(n));
    }
    for c in &report.checked {
        for e in &c.tree.errors() {
            let mut props = vec![format!("file={}", escape_property(&display_path(&e.path)))];
            if e.line > 0 {
                props.push(format!("line={}", e.line));
                props.push(format!("col={}", e.col.max(1)));
            }
            props.push(format!(
                "title={}",
                escape_property("tlslint: cannot read the tree")
            ));
            let _ = writeln!(
                out,
                "::error {}::{}",
                props.join(","),
                escape_data(&escaped(&e.message))
            );
        }
        for f in &c.findings {
            let _ = writeln!(out, "{}", annotation(&c.tree.sources(), f));
        }
    }
    let _ = writeln!(out, "{}", crate::report::human::summary(report));
}

#[cfg(test)]
mod tests {
    use crate::finding::{Evidence, Finding, Severity};
    use crate::source::{SourceMap, Span};

    fn finding(sm: &mut SourceMap, path: &str) -> Finding {
        let file = sm.add(path.into(), "x\n".repeat(30));
        Finding {
            code: "TLS101",
            name: "protocol-outside-profile",
            severity: Severity::Error,
            message: "TLSv1 is accepted".into(),
            span: Span {
                file,
                start: 38,
                end: 39,
                line: 20,
                col: 1,
            },
            label: String::new(),
            related: vec![],
            help: None,
            endpoints: vec![],
            evidence: Evidence::Probe,
        }
    }

    #[test]
    fn what_a_live_server_did_has_no_file() {
        let mut sm = SourceMap::new();
        let f = finding(&mut sm, "probe://127.0.0.1:8443");
        let a = super::annotation(&sm, &f);
        assert!(!a.contains("file=") && !a.contains("line="), "{a}");
        assert!(a.starts_with("::error title=TLS101"), "{a}");
        assert!(a.contains("(the server at 127.0.0.1:8443)"), "{a}");
        // a drift finding at a directive keeps its file and line
        let f = finding(&mut sm, "nginx.conf");
        let a = super::annotation(&sm, &f);
        assert!(a.contains("file=nginx.conf,line=20,col=1"), "{a}");
    }
}
