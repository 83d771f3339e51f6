//! The subcommands, writing to the given streams and returning exit codes.

use std::io::Write;

use crate::cli::{CheckArgs, CiphersArgs, ParseArgs, ParseFormat};
use crate::input;
use crate::nginx::crossplane;

/// Exit code: nothing found.
pub const EXIT_OK: i32 = 0;
/// Exit code: findings at or above the threshold.
pub const EXIT_FINDINGS: i32 = 1;
/// Exit code: unreadable input or bad usage.
pub const EXIT_ERROR: i32 = 2;

fn fail(err: &mut dyn Write, e: &crate::error::Error) -> i32 {
    let _ = writeln!(err, "error: {e}");
    EXIT_ERROR
}

/// `tlslint parse ROOT --format crossplane`
pub fn parse(a: &ParseArgs, out: &mut dyn Write, err: &mut dyn Write) -> i32 {
    let root = match input::single_root(&a.root) {
        Ok(r) => r,
        Err(e) => return fail(err, &e),
    };
    let tree = root.load(a.prefix.as_deref(), true);
    if a.format == ParseFormat::Files {
        for p in tree.read_order() {
            let _ = writeln!(out, "{}", p.display());
        }
        return report_load_errors(&tree, err);
    }
    let payload = crossplane::payload(&tree, a.include_comments);
    let text = if a.pretty {
        serde_json::to_string_pretty(&payload)
    } else {
        serde_json::to_string(&payload)
    };
    match text {
        Ok(t) => {
            let _ = writeln!(out, "{t}");
        }
        Err(e) => return fail(err, &crate::error::Error::new(e.to_string())),
    }
    report_load_errors(&tree, err)
}

fn report_load_errors(tree: &crate::nginx::loader::Tree, err: &mut dyn Write) -> i32 {
    if tree.errors.is_empty() {
        return EXIT_OK;
    }
    for e in &tree.errors {
        let _ = writeln!(err, "error: {}", e.to_error());
    }
    EXIT_ERROR
}

/// `tlslint ciphers STRING`
pub fn ciphers(_a: &CiphersArgs, _out: &mut dyn Write, err: &mut dyn Write) -> i32 {
    let _ = writeln!(err, "error: the cipher engine is not built yet");
    EXIT_ERROR
}

/// One linted tree.
struct Checked {
    label: String,
    tree: crate::nginx::loader::Tree,
    endpoints: Vec<crate::model::Endpoint>,
    findings: Vec<crate::finding::Finding>,
}

fn parse_version(what: &str, s: &str) -> Result<crate::version::Version, crate::error::Error> {
    s.parse()
        .map_err(|e: String| crate::error::Error::new(format!("--{what}-version: {e}")))
}

/// `tlslint check PATH...`
pub fn check(a: &CheckArgs, out: &mut dyn Write, err: &mut dyn Write) -> i32 {
    use crate::cli::OutputFormat;
    use crate::nginx::defaults::{Target, CURRENT_STABLE};
    use std::io::IsTerminal;

    if a.paths.is_empty() {
        let _ = writeln!(err, "error: no PATH given (try `tlslint /etc/nginx` or `tlslint --help`)");
        return EXIT_ERROR;
    }
    let nginx = match a.target.nginx_version.as_deref() {
        Some(v) => match parse_version("nginx", v) {
            Ok(v) => v,
            Err(e) => return fail(err, &e),
        },
        None => CURRENT_STABLE,
    };
    let openssl = match parse_version("openssl", &a.target.openssl_version) {
        Ok(v) => v,
        Err(e) => return fail(err, &e),
    };
    let target = Target { nginx, openssl };
    let (profile, note) = match crate::profile::Profile::builtin(&a.profile, None) {
        Ok(p) => p,
        Err(e) => return fail(err, &e),
    };
    if let Some(n) = note {
        let _ = writeln!(err, "note: {n}");
    }
    let mut notes = Vec::new();
    let roots = match crate::roots::discover(&a.paths, &mut notes) {
        Ok(r) => r,
        Err(e) => return fail(err, &e),
    };
    let color = a.format == OutputFormat::Human && std::io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none();

    let mut checked: Vec<Checked> = Vec::new();
    let mut load_failed = false;
    for root in &roots {
        let tree = root.load(a.target.prefix.as_deref(), true);
        let label = root.label().display().to_string();
        if !tree.errors.is_empty() {
            load_failed = true;
        }
        let (endpoints, findings) = if tree.errors.is_empty() {
            let endpoints = crate::nginx::resolve::endpoints(&tree, &target);
            let cx = crate::rules::Context {
                profile: &profile,
                sources: &tree.sources,
                target: &target,
            };
            let findings = crate::rules::check_all(&cx, &endpoints);
            (endpoints, findings)
        } else {
            (Vec::new(), Vec::new())
        };
        checked.push(Checked { label, tree, endpoints, findings });
    }

    let total: usize = checked.iter().map(|c| c.findings.len()).sum();
    match a.format {
        OutputFormat::Human => {
            for n in &notes {
                let _ = writeln!(err, "note: {n}");
            }
            for c in &checked {
                for e in &c.tree.errors {
                    let d = match e.span {
                        Some(span) => crate::report::human::diag_at(
                            &c.tree.sources,
                            span,
                            None,
                            e.message.clone(),
                            "here",
                            miette::Severity::Error,
                        ),
                        None => crate::report::human::Diag {
                            code: None,
                            message: e.to_error().to_string(),
                            severity: miette::Severity::Error,
                            source: None,
                            labels: vec![],
                            help: None,
                            related: vec![],
                        },
                    };
                    crate::report::human::render(err, &d, color);
                }
                for f in &c.findings {
                    let d = crate::report::human::finding_diag(&c.tree.sources, f);
                    crate::report::human::render(out, &d, color);
                }
            }
            let count = |s: crate::finding::Severity| {
                checked.iter().flat_map(|c| &c.findings).filter(|f| f.severity == s).count()
            };
            let eps: usize = checked.iter().map(|c| c.endpoints.len()).sum();
            let failed: Vec<&str> = checked.iter().filter(|c| !c.tree.errors.is_empty()).map(|c| c.label.as_str()).collect();
            let mut line = format!(
                "tlslint: {} error(s), {} warning(s), {} info in {} TLS endpoint(s) of {} tree(s); profile {}",
                count(crate::finding::Severity::Error),
                count(crate::finding::Severity::Warning),
                count(crate::finding::Severity::Info),
                eps,
                checked.len(),
                profile.title()
            );
            if !failed.is_empty() {
                line.push_str(&format!("; could not read: {}", failed.join(", ")));
            }
            let _ = writeln!(out, "{line}");
        }
        OutputFormat::Json => {
            let mut findings = Vec::new();
            let mut endpoints = Vec::new();
            let mut errors = Vec::new();
            let mut trees = Vec::new();
            for c in &checked {
                for f in &c.findings {
                    findings.push(crate::report::json::finding(&c.tree.sources, f));
                }
                for e in &c.endpoints {
                    let mut v = e.to_json(&c.tree.sources);
                    v["tree"] = serde_json::Value::String(c.label.clone());
                    endpoints.push(v);
                }
                for e in &c.tree.errors {
                    errors.push(serde_json::json!({
                        "tree": c.label,
                        "file": e.path.display().to_string(),
                        "line": e.line,
                        "column": e.col,
                        "message": e.message,
                    }));
                }
                trees.push(serde_json::json!({
                    "root": c.label,
                    "files": c.tree.read_order().iter().map(|p| p.display().to_string()).collect::<Vec<_>>(),
                    "ok": c.tree.errors.is_empty(),
                }));
            }
            let doc = serde_json::json!({
                "tool": { "name": "tlslint", "version": env!("CARGO_PKG_VERSION") },
                "profile": { "name": profile.name, "guideline": profile.guideline, "source": profile.source },
                "target": { "nginx": target.nginx.to_string(), "openssl": target.openssl.to_string() },
                "trees": trees,
                "errors": errors,
                "findings": findings,
                "endpoints": endpoints,
                "notes": notes,
            });
            let _ = writeln!(out, "{}", serde_json::to_string_pretty(&doc).unwrap_or_default());
        }
    }
    if load_failed {
        EXIT_ERROR
    } else if total > 0 {
        EXIT_FINDINGS
    } else {
        EXIT_OK
    }
}
