//! `tlslint parse --format json` for Apache trees: the shape of crossplane's
//! `parse` JSON (`status`, `errors[]`, `config[]` with `file`, `status`,
//! `errors`, `parsed[]` of `{directive, line, args, includes?, block?,
//! comment?}`), so that nginx and Apache trees are read the same way by
//! tools.
//!
//! Apache specifics:
//! - `config[]` lists every read of a file in the order httpd reads them
//!   (a file included twice is listed twice: each read can come out
//!   differently), and every macro expansion (its `file` is httpd's name
//!   for it, `macro 'x' (defined on line N of "F") used on line M of "G"`);
//!   `includes` (on `Include`, `IncludeOptional` and `Use`) are indices
//!   into `config[]`;
//! - a section `<VirtualHost *:443>` is `{"directive": "VirtualHost",
//!   "args": ["*:443"], "block": [...]}`;
//! - `args` are the words as written, unquoted (httpd's unescaping), before
//!   `${VAR}` substitution;
//! - `line` is the line the directive starts on;
//! - directives httpd does not act on (inside a false `<IfModule>` and the
//!   like, or in a `<Macro>` body) carry `"active": false`.

use serde::Serialize;

use crate::apache::ast::{Directive, Node};
use crate::apache::loader::Tree;

pub use crate::nginx::crossplane::{ConfigError, PayloadError};

/// crossplane's payload with Apache's statements.
pub type Payload = crate::nginx::crossplane::Payload<Stmt>;
/// One file of the payload.
pub type Config = crate::nginx::crossplane::Config<Stmt>;

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
    /// Omitted when true.
    #[serde(skip_serializing_if = "is_true")]
    pub active: bool,
}

fn is_true(b: &bool) -> bool {
    *b
}

fn convert(items: &[Node], comments: bool, out: &mut Vec<Stmt>) {
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
                        active: c.active,
                    });
                }
            }
            Node::Directive(d) => out.push(stmt(d, comments)),
        }
    }
}

fn stmt(d: &Directive, comments: bool) -> Stmt {
    let includes = if d.is("Include") || d.is("IncludeOptional") || d.is("Use") {
        Some(d.includes.iter().map(|f| f.0 as usize).collect())
    } else {
        None
    };
    let block = d.block.as_ref().map(|b| {
        let mut v = Vec::new();
        convert(&b.items, comments, &mut v);
        v
    });
    Stmt {
        directive: d.name.value(),
        line: d.span.line,
        args: d
            .raw_values()
            .into_iter()
            .map(crate::certs::redacted)
            .collect(),
        includes,
        block,
        comment: None,
        active: d.active,
    }
}

/// Build the payload for a loaded tree.
pub fn payload(tree: &Tree, comments: bool) -> Payload {
    let mut payload = Payload {
        status: "ok",
        errors: Vec::new(),
        config: Vec::new(),
    };
    for (id, src) in tree.sources.iter() {
        let mut cfg = Config {
            file: src.path.display().to_string(),
            status: "ok",
            errors: Vec::new(),
            parsed: Vec::new(),
        };
        if let Some(cf) = tree.file(id) {
            convert(&cf.items, comments, &mut cfg.parsed);
        }
        for e in tree.errors.iter().filter(|e| e.file == Some(id)) {
            cfg.status = "failed";
            cfg.errors.push(ConfigError {
                error: e.message.clone(),
                line: Some(e.line),
            });
            payload.errors.push(PayloadError {
                file: cfg.file.clone(),
                error: e.message.clone(),
                line: Some(e.line),
            });
        }
        payload.config.push(cfg);
    }
    for e in tree.errors.iter().filter(|e| e.file.is_none()) {
        payload.errors.push(PayloadError {
            file: e.path.display().to_string(),
            error: e.message.clone(),
            line: None,
        });
    }
    if !payload.errors.is_empty() {
        payload.status = "failed";
    }
    payload
}
