//! `--format json`: one object with `findings` and `endpoints` (schema in
//! docs/json-schema.md; field names are stable).

use serde_json::{json, Value};

use crate::finding::{EndpointRef, Finding};
use crate::source::{SourceMap, Span};

fn loc(sm: &SourceMap, span: Span) -> (String, u32, u32) {
    (sm.path(span.file).display().to_string(), span.line, span.col)
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
        "evidence": "config",
    })
}
