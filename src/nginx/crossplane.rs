//! `tlslint parse --format crossplane`: the tree as crossplane's `parse` JSON
//! (crossplane README, "Schema"), so that it can be diffed against
//! `crossplane parse` and fed to tools built around that format.
//!
//! Where crossplane's own model differs from nginx's, this follows
//! crossplane's *format* and nginx's *reading*:
//! - `config[]` lists each file once, in crossplane's breadth-first order,
//!   and `includes` are indices into it;
//! - argument values are crossplane's (escapes other than `\"`/`\'` in
//!   quotes kept); `if` loses its parentheses; a Lua block body is one
//!   argument;
//! - syntax errors are nginx's (message and line), and a file with one has
//!   `parsed: []`, as in crossplane.

use std::collections::HashMap;

use serde::Serialize;

use crate::nginx::ast::{Directive, Node};
use crate::nginx::loader::Tree;
use crate::source::FileId;

/// crossplane's payload; `S` is the statement type (Apache's adds `active`).
#[derive(Serialize)]
pub struct Payload<S = Stmt> {
    pub status: &'static str,
    pub errors: Vec<PayloadError>,
    pub config: Vec<Config<S>>,
}

#[derive(Serialize)]
pub struct PayloadError {
    pub file: String,
    pub error: String,
    pub line: Option<u32>,
}

#[derive(Serialize)]
pub struct Config<S = Stmt> {
    pub file: String,
    pub status: &'static str,
    pub errors: Vec<ConfigError>,
    pub parsed: Vec<S>,
}

#[derive(Serialize)]
pub struct ConfigError {
    pub error: String,
    pub line: Option<u32>,
}

#[derive(Serialize)]
pub struct Stmt {
    pub directive: String,
    pub line: u32,
    pub args: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub includes: Option<Vec<usize>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub block: Option<Vec<Stmt>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub comment: Option<String>,
}

/// crossplane's `_prepare_if_args`: strip the parentheses of `if (...)`.
fn prepare_if_args(args: &mut Vec<String>) {
    if args.is_empty() || !args[0].starts_with('(') || !args[args.len() - 1].ends_with(')') {
        return;
    }
    args[0] = args[0][1..].trim_start().to_string();
    let last = args.len() - 1;
    let l = args[last].len();
    args[last] = args[last][..l - 1].trim_end().to_string();
    let start = usize::from(args[0].is_empty());
    let end = args.len() - usize::from(args[args.len() - 1].is_empty());
    if start <= end {
        *args = args[start..end].to_vec();
    } else {
        args.clear();
    }
}

fn convert(items: &[Node], index: &HashMap<FileId, usize>, comments: bool, out: &mut Vec<Stmt>) {
    for node in items {
        match node {
            Node::Comment(c) => {
                if comments {
                    out.push(Stmt {
                        directive: "#".into(),
                        line: c.span.line,
                        args: vec![],
                        includes: None,
                        block: None,
                        comment: Some(crate::certs::redacted(c.text.clone())),
                    });
                }
            }
            Node::Directive(d) => {
                out.push(stmt(d, index, comments));
                if comments {
                    for c in &d.inner_comments {
                        out.push(Stmt {
                            directive: "#".into(),
                            line: d.span.line,
                            args: vec![],
                            includes: None,
                            block: None,
                            comment: Some(crate::certs::redacted(c.text.clone())),
                        });
                    }
                }
            }
        }
    }
}

fn stmt(d: &Directive, index: &HashMap<FileId, usize>, comments: bool) -> Stmt {
    // an inline `data:` key is never printed (nor a key pasted anywhere else)
    let mut args: Vec<String> = d
        .args
        .iter()
        .map(|a| crate::certs::redacted(a.crossplane_value()))
        .collect();
    if d.is("if") {
        prepare_if_args(&mut args);
    }
    let includes = if d.is("include") {
        Some(
            d.includes
                .iter()
                .filter_map(|f| index.get(f).copied())
                .collect(),
        )
    } else {
        None
    };
    let block = d.block.as_ref().map(|b| {
        let mut v = Vec::new();
        convert(&b.items, index, comments, &mut v);
        v
    });
    Stmt {
        directive: d.name.crossplane_value(),
        line: d.name.span.line,
        args,
        includes,
        block,
        comment: None,
    }
}

fn collect_includes(items: &[Node], out: &mut Vec<FileId>) {
    for node in items {
        if let Node::Directive(d) = node {
            if d.is("include") {
                out.extend(d.includes.iter().copied());
            }
            if let Some(b) = &d.block {
                collect_includes(&b.items, out);
            }
        }
    }
}

/// Build crossplane's payload for a loaded tree.
pub fn payload(tree: &Tree, comments: bool) -> Payload {
    // crossplane's order: breadth-first over files, each file once
    let mut order: Vec<FileId> = Vec::new();
    let mut index: HashMap<FileId, usize> = HashMap::new();
    if tree.file(tree.root).is_some() || tree.sources.len() > tree.root.0 as usize {
        order.push(tree.root);
        index.insert(tree.root, 0);
    }
    let mut i = 0;
    while i < order.len() {
        let mut incs = Vec::new();
        if let Some(cf) = tree.file(order[i]) {
            collect_includes(&cf.items, &mut incs);
        }
        for f in incs {
            if let std::collections::hash_map::Entry::Vacant(e) = index.entry(f) {
                e.insert(order.len());
                order.push(f);
            }
        }
        i += 1;
    }

    let mut payload = Payload {
        status: "ok",
        errors: Vec::new(),
        config: Vec::new(),
    };
    for &f in &order {
        let path = tree.sources.path(f).display().to_string();
        let mut cfg = Config {
            file: path.clone(),
            status: "ok",
            errors: Vec::new(),
            parsed: Vec::new(),
        };
        // crossplane drops the whole tree of a file with a syntax error
        if let Some(cf) = tree.file(f).filter(|_| !tree.failed.contains(&f)) {
            convert(&cf.items, &index, comments, &mut cfg.parsed);
        }
        for e in tree.errors.iter().filter(|e| e.file == Some(f)) {
            cfg.status = "failed";
            cfg.errors.push(ConfigError {
                error: e.crossplane_message(),
                line: Some(e.line),
            });
        }
        payload.config.push(cfg);
    }
    // payload-level errors in file order, as crossplane lists them
    for &f in &order {
        for e in tree.errors.iter().filter(|e| e.file == Some(f)) {
            payload.errors.push(PayloadError {
                file: tree.sources.path(f).display().to_string(),
                error: e.crossplane_message(),
                line: Some(e.line),
            });
        }
    }
    for e in tree.errors.iter().filter(|e| e.file.is_none()) {
        payload.errors.push(PayloadError {
            file: e.path.display().to_string(),
            error: e.crossplane_message(),
            line: None,
        });
    }
    if !payload.errors.is_empty() {
        payload.status = "failed";
    }
    payload
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn if_args() {
        let mut a = vec!["($a".to_string(), "=".into(), "x)".into()];
        prepare_if_args(&mut a);
        assert_eq!(a, vec!["$a", "=", "x"]);
        let mut a = vec!["(".to_string(), "$a".into(), ")".into()];
        prepare_if_args(&mut a);
        assert_eq!(a, vec!["$a"]);
    }
}
