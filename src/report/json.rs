//! `--format json`: one object with `findings` and `endpoints` (schema in
//! docs/json-schema.md; field names are stable).

use serde_json::{json, Value};

use crate::finding::{EndpointRef, Finding};
use crate::source::{SourceMap, Span};

fn loc(sm: &SourceMap, span: Span) -> (String, u32, u32) {
    (
        sm.shown(span.file).display().to_string(),
        span.line,
        span.col,
    )
}

fn endpoint(sm: &SourceMap, e: &EndpointRef) -> Value {
    let (file, line, _) = loc(sm, e.span);
    json!({ "file": file, "line": line, "server_names": e.server_names, "listen": e.listen })
}

pub fn finding(sm: &SourceMap, f: &Finding) -> Value {
    let (file, line, column) = loc(sm, f.span);
    let related: Vec<Value> = f
        .related
        .iter()
        .map(|r| {
            let (file, line, column) = loc(sm, r.span);
            json!({ "file": file, "line": line, "column": column, "message": r.message })
        })
        .collect();
    json!({
        "code": f.code,
        "name": f.name,
        "severity": f.severity,
        "message": f.message,
        "file": file,
        "line": line,
        "column": column,
        "label": f.label,
        "help": f.help,
        "related": related,
        "endpoint": f.endpoints.first().map(|e| endpoint(sm, e)),
        "endpoints": f.endpoints.iter().map(|e| endpoint(sm, e)).collect::<Vec<_>>(),
        "evidence": f.evidence.as_str(),
    })
}

/// One endpoint as the report shows it: its settings, the facts of its
/// certificates, and the tree it is in.
fn endpoint_json(c: &crate::lint::Checked, e: &crate::model::Endpoint) -> Value {
    let mut v = e.to_json(c.tree.sources());
    for (i, p) in e.certificates.iter().enumerate() {
        if let Some(f) = c.files.facts_json(e, p) {
            v["certificates"][i]["facts"] = f;
        }
    }
    v["tree"] = Value::String(c.label.clone());
    v
}

/// The whole report as one JSON object.
pub fn document(report: &crate::lint::Report) -> Value {
    document_with(report, true)
}

/// The report; without `endpoints` (an empty list) when `with_endpoints` is
/// false, for [`emit`] to write them one by one.
fn document_with(report: &crate::lint::Report, with_endpoints: bool) -> Value {
    let mut findings = Vec::new();
    let mut endpoints = Vec::new();
    let mut errors = Vec::new();
    let mut trees = Vec::new();
    let mut suppressed = Vec::new();
    let mut baselined = Vec::new();
    let mut probes = Vec::new();
    for (i, c) in report.checked.iter().enumerate() {
        let post = report.post.get(i);
        for (j, f) in c.findings.iter().enumerate() {
            let mut v = finding(&c.tree.sources(), f);
            if let Some(fp) = post.and_then(|p| p.fingerprints.get(j)) {
                v["fingerprint"] = Value::String(fp.clone());
            }
            findings.push(v);
        }
        for s in post.map(|p| p.suppressed.as_slice()).unwrap_or_default() {
            let mut v = finding(&c.tree.sources(), &s.finding);
            let (file, line, column) = loc(&c.tree.sources(), s.by);
            v["suppressed_by"] =
                json!({ "file": file, "line": line, "column": column, "reason": s.reason });
            suppressed.push(v);
        }
        for f in post.map(|p| p.baselined.as_slice()).unwrap_or_default() {
            baselined.push(finding(&c.tree.sources(), f));
        }
        if with_endpoints {
            for e in &c.endpoints {
                endpoints.push(endpoint_json(c, e));
            }
        }
        for p in &c.probes {
            let mut p = p.clone();
            p["tree"] = Value::String(c.label.clone());
            probes.push(p);
        }
        for e in &c.tree.errors() {
            errors.push(json!({
                "tree": c.label,
                "file": e.path.display().to_string(),
                "line": e.line,
                "column": e.col,
                "message": e.message,
            }));
        }
        let mut tree = json!({
            "root": c.label,
            "files": c.tree.read_order().iter().map(|p| p.display().to_string()).collect::<Vec<_>>(),
            "ok": c.ok(),
            "config": post.and_then(|p| p.config.as_ref()).map(|p| p.display().to_string()),
            "target": report.versions.get(i).map(|v| v.json()),
        });
        // files read through a symlink: the link as named, the file read
        // (only when there are: most trees have none)
        let links: Vec<Value> = c
            .tree
            .sources()
            .iter()
            .filter_map(|(_, f)| {
                f.link.as_ref().map(|l| {
                    json!({ "path": f.path.display().to_string(), "real": l.real.display().to_string() })
                })
            })
            .collect();
        if !links.is_empty() {
            tree["links"] = Value::Array(links);
        }
        trees.push(tree);
    }
    let count =
        |s: crate::finding::Severity| report.findings().filter(|(_, f)| f.severity == s).count();
    let summary = json!({
        "error": count(crate::finding::Severity::Error),
        "warning": count(crate::finding::Severity::Warning),
        "info": count(crate::finding::Severity::Info),
        "suppressed": suppressed.len(),
        "baselined": baselined.len(),
    });
    let p = &report.profile;
    let mut doc = json!({
        "tool": { "name": "tlslint", "version": env!("CARGO_PKG_VERSION") },
        "profile": { "name": p.name, "guideline": p.guideline, "source": p.source },
        "target": report.versions.first().cloned().unwrap_or_default().json(),
        "trees": trees,
        "errors": errors,
        "summary": summary,
        "findings": findings,
        "suppressed": suppressed,
        "baselined": baselined,
        "endpoints": endpoints,
        "notes": report.notes,
    });
    // `--probe`: what each probe of the trees' sockets saw
    if !probes.is_empty() {
        doc["probes"] = Value::Array(probes);
    }
    doc
}

pub fn emit(report: &crate::lint::Report, out: &mut dyn std::io::Write) {
    use std::io::Write;
    // the endpoints (with their certificates' facts, most of a large
    // report) are serialised one at a time into the document's place for
    // them, so that the whole document never is in memory at once; the
    // bytes are those of `to_writer_pretty(document(report))`
    let doc = document_with(report, false);
    let text = serde_json::to_string_pretty(&doc).unwrap_or_default();
    drop(doc);
    // DEL, C1 controls and bidirectional characters as \uXXXX too
    let mut w = crate::printable::JsonSafe::new(std::io::BufWriter::new(out));
    let marker = "\n  \"endpoints\": []";
    let n: usize = report.checked.iter().map(|c| c.endpoints.len()).sum();
    match text.find(marker) {
        Some(at) if n > 0 => {
            let _ = w.write_all(text[..at].as_bytes());
            let _ = w.write_all(b"\n  \"endpoints\": [");
            let mut first = true;
            for c in &report.checked {
                for e in &c.endpoints {
                    let v = endpoint_json(c, e);
                    let one = serde_json::to_string_pretty(&v).unwrap_or_default();
                    let _ = w.write_all(if first { b"\n" } else { b",\n" });
                    first = false;
                    for (i, line) in one.lines().enumerate() {
                        if i > 0 {
                            let _ = w.write_all(b"\n");
                        }
                        let _ = w.write_all(b"    ");
                        let _ = w.write_all(line.as_bytes());
                    }
                }
            }
            let _ = w.write_all(b"\n  ]");
            let _ = w.write_all(text[at + marker.len()..].as_bytes());
        }
        _ => {
            let _ = w.write_all(text.as_bytes());
        }
    }
    let _ = w.write_all(b"\n");
    let _ = w.flush();
}

#[cfg(test)]
mod tests {
    /// The streamed output is byte for byte the document written whole.
    #[test]
    fn streamed_endpoints_equal_the_whole_document() {
        let root =
            std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/nginx/nginx.conf");
        let (profile, _) = crate::profile::Profile::builtin("intermediate", None).unwrap();
        let opts = crate::lint::LintOptions {
            target: Default::default(),
            profile: profile.clone(),
            prefix: None,
            files: Default::default(),
            apache: Default::default(),
        };
        let c = crate::lint::lint_root(&crate::input::Root::File(root), &opts);
        assert!(c.endpoints.len() > 1);
        let report = crate::lint::Report {
            checked: vec![c],
            notes: vec!["a note".into()],
            profile,
            target: Default::default(),
            versions: Vec::new(),
            post: Vec::new(),
        };
        let mut whole = serde_json::to_string_pretty(&super::document(&report)).unwrap();
        whole.push('\n');
        let mut streamed = Vec::new();
        super::emit(&report, &mut streamed);
        assert_eq!(String::from_utf8(streamed).unwrap(), whole);
    }
}
