//! `--format sarif`: SARIF 2.1.0, hand-rolled (as ruff does), for GitHub code
//! scanning and other SARIF viewers.
//!
//! One run. `tool.driver.rules` lists every rule (code as `id`, its name,
//! summary, its page in `rules/*.yaml` as help, the default
//! level); each result has the rule, the level (after severity overrides),
//! the message and help, the primary location, the related locations (the
//! inherited or default source, the server it applies to) and the baseline
//! fingerprint as `partialFingerprints["tlslint/v1"]`. Findings an inline
//! comment suppressed are results with `suppressions: [{kind: "inSource",
//! justification: REASON, location: the comment}]`, baselined ones with
//! `kind: "external"`, so that code scanning shows them closed rather than
//! losing track of them. Trees that could not be read are
//! `toolExecutionNotifications` with `executionSuccessful: false`.
//! `%SRCROOT%` is the top of the checkout the current directory is in (the
//! nearest directory upward holding `.git`, a directory or a worktree's
//! file; found without running git), else the current directory; paths
//! below it are relative to it, others `file://` URIs. Columns count
//! Unicode code points. The driver's `informationUri` and each rule's
//! `helpUri` (its page under docs/rules/) come from Cargo.toml's
//! `homepage`/`repository`, and are left out when it names none.

use std::collections::BTreeMap;
use std::path::Path;

use serde::Serialize;

use crate::finding::{Finding, Severity};
use crate::lint::Report;
use crate::rules::RULES;
use crate::source::{SourceMap, Span};

pub const SCHEMA: &str =
    "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json";
const SRCROOT: &str = "%SRCROOT%";

#[derive(Serialize)]
struct Log {
    #[serde(rename = "$schema")]
    schema: &'static str,
    version: &'static str,
    runs: Vec<Run>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Run {
    tool: Tool,
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    original_uri_base_ids: BTreeMap<&'static str, ArtifactLocation>,
    column_kind: &'static str,
    invocations: Vec<Invocation>,
    results: Vec<SarifResult>,
    /// The summary line and the versions modelled (with their origins).
    #[serde(skip_serializing_if = "Option::is_none")]
    properties: Option<serde_json::Value>,
}

#[derive(Serialize)]
struct Tool {
    driver: Driver,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Driver {
    name: &'static str,
    version: &'static str,
    semantic_version: &'static str,
    /// The project's home (absent without one in Cargo.toml).
    #[serde(skip_serializing_if = "Option::is_none")]
    information_uri: Option<&'static str>,
    rules: Vec<Descriptor>,
}

#[derive(Serialize)]
struct Text {
    text: String,
}

#[derive(Serialize)]
struct Help {
    text: String,
    markdown: String,
}

#[derive(Serialize)]
struct Level {
    level: &'static str,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Descriptor {
    id: &'static str,
    name: &'static str,
    short_description: Text,
    full_description: Text,
    help: Help,
    /// The rule's page under docs/rules/ (absent without a repository URL).
    #[serde(skip_serializing_if = "Option::is_none")]
    help_uri: Option<String>,
    default_configuration: Level,
    properties: DescriptorProps,
}

#[derive(Serialize)]
struct DescriptorProps {
    tags: Vec<&'static str>,
    #[serde(rename = "security-severity")]
    security_severity: &'static str,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Invocation {
    execution_successful: bool,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    tool_execution_notifications: Vec<Notification>,
}

#[derive(Serialize)]
struct Notification {
    level: &'static str,
    message: Text,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    locations: Vec<Location>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct SarifResult {
    rule_id: &'static str,
    rule_index: usize,
    level: &'static str,
    message: Text,
    locations: Vec<Location>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    related_locations: Vec<Location>,
    partial_fingerprints: BTreeMap<&'static str, String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    suppressions: Vec<Suppression>,
    properties: ResultProps,
}

/// Why a result does not count: an inline comment (`inSource`) or the
/// baseline (`external`).
#[derive(Serialize)]
struct Suppression {
    kind: &'static str,
    status: &'static str,
    justification: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    location: Option<Location>,
}

/// The justification of a baselined result.
pub const BASELINED: &str =
    "in the baseline (--baseline / --write-baseline): recorded before, not new";

#[derive(Serialize)]
struct ResultProps {
    name: &'static str,
    label: String,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    endpoints: Vec<String>,
    /// `config` or `probe` (a live server's behaviour).
    evidence: &'static str,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Location {
    #[serde(skip_serializing_if = "Option::is_none")]
    id: Option<usize>,
    physical_location: PhysicalLocation,
    #[serde(skip_serializing_if = "Option::is_none")]
    message: Option<Text>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct PhysicalLocation {
    artifact_location: ArtifactLocation,
    #[serde(skip_serializing_if = "Option::is_none")]
    region: Option<Region>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct ArtifactLocation {
    uri: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    uri_base_id: Option<&'static str>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Region {
    start_line: u32,
    start_column: u32,
    end_line: u32,
    end_column: u32,
}

/// The SARIF level of a severity.
pub fn level(s: Severity) -> &'static str {
    match s {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Info => "note",
    }
}

fn security_severity(s: Severity) -> &'static str {
    match s {
        Severity::Error => "7.5",
        Severity::Warning => "5.0",
        Severity::Info => "2.0",
    }
}

fn pct(s: &str) -> String {
    let mut o = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~/".contains(&b) {
            o.push(b as char);
        } else {
            o.push_str(&format!("%{b:02X}"));
        }
    }
    o
}

/// A file URI of an absolute path, ending in `/` if `dir`.
fn file_uri(p: &Path, dir: bool) -> String {
    let mut s = p.to_string_lossy().replace('\\', "/");
    if !s.starts_with('/') {
        s.insert(0, '/');
    }
    if dir && !s.ends_with('/') {
        s.push('/');
    }
    format!("file://{}", pct(&s))
}

struct Paths {
    /// `%SRCROOT%`.
    root: Option<std::path::PathBuf>,
}

/// `%SRCROOT%` of a run in `cwd`: the nearest directory upward that holds
/// `.git` (a checkout's top, `git rev-parse --show-toplevel`, also for a
/// worktree or submodule, whose `.git` is a file), else `cwd`.
fn srcroot(cwd: &Path) -> std::path::PathBuf {
    cwd.ancestors()
        .find(|d| d.join(".git").exists())
        .unwrap_or(cwd)
        .to_path_buf()
}

impl Paths {
    /// Paths of a run in the current directory.
    fn here() -> Paths {
        let cwd = std::env::current_dir()
            .ok()
            .map(|c| crate::fsx::lexical_normal(&c));
        Paths {
            root: cwd.as_deref().map(srcroot),
        }
    }
}

impl Paths {
    fn artifact(&self, path: &Path) -> ArtifactLocation {
        // `tlslint probe`'s evidence: located in `probe://host:port`
        let scheme = crate::source::PROBE_SCHEME;
        if let Some(rest) = path.to_str().and_then(|p| p.strip_prefix(scheme)) {
            return ArtifactLocation {
                uri: format!("{scheme}{rest}"),
                uri_base_id: None,
            };
        }
        let abs = crate::fsx::lexical_normal(
            &std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf()),
        );
        if let Some(rel) = self.root.as_ref().and_then(|c| abs.strip_prefix(c).ok()) {
            let parts: Vec<String> = rel
                .components()
                .map(|c| c.as_os_str().to_string_lossy().into_owned())
                .collect();
            if !parts.is_empty() {
                return ArtifactLocation {
                    uri: pct(&parts.join("/")),
                    uri_base_id: Some(SRCROOT),
                };
            }
        }
        ArtifactLocation {
            uri: file_uri(&abs, false),
            uri_base_id: None,
        }
    }

    fn location(
        &self,
        sm: &SourceMap,
        span: Span,
        id: Option<usize>,
        msg: Option<String>,
    ) -> Location {
        let f = sm.get(span.file);
        let (end_line, end_column) = if span.end > span.start {
            f.line_col(span.end)
        } else {
            (span.line, span.col)
        };
        Location {
            id,
            physical_location: PhysicalLocation {
                artifact_location: self.artifact(f.shown()),
                region: Some(Region {
                    start_line: span.line.max(1),
                    start_column: span.col.max(1),
                    end_line: end_line.max(span.line.max(1)),
                    end_column: end_column.max(1),
                }),
            },
            message: msg.map(|text| Text { text }),
        }
    }
}

fn descriptor(m: &'static crate::rules::RuleMeta) -> Descriptor {
    let doc = crate::rules::doc::doc(m.code).ok();
    let help_uri = crate::rules::doc::page_url(m.code);
    let (full, markdown) = match &doc {
        Some(d) if !d.rationale.trim().is_empty() => (
            d.rationale.trim().to_string(),
            crate::rules::doc::markdown::help(d, help_uri.as_deref()),
        ),
        _ => (m.summary.to_string(), m.summary.to_string()),
    };
    Descriptor {
        id: m.code,
        name: m.name,
        short_description: Text {
            text: m.summary.to_string(),
        },
        full_description: Text { text: full.clone() },
        help: Help {
            text: full,
            markdown,
        },
        help_uri,
        default_configuration: Level {
            level: level(m.severity),
        },
        properties: DescriptorProps {
            tags: vec!["security", "tls"],
            security_severity: security_severity(m.severity),
        },
    }
}

fn result(p: &Paths, sm: &SourceMap, f: &Finding, fp: Option<&String>) -> SarifResult {
    let rule_index = RULES
        .iter()
        .position(|r| r.meta().code == f.code)
        .unwrap_or(0);
    let mut text = f.message.clone();
    if let Some(h) = &f.help {
        text.push_str(&format!("\nHelp: {h}"));
    }
    let related = f
        .related
        .iter()
        .enumerate()
        .map(|(i, r)| p.location(sm, r.span, Some(i + 1), Some(r.message.clone())))
        .collect();
    let mut partial_fingerprints = BTreeMap::new();
    if let Some(fp) = fp {
        partial_fingerprints.insert(crate::baseline::SARIF_KEY, fp.clone());
    }
    SarifResult {
        rule_id: f.code,
        rule_index,
        level: level(f.severity),
        message: Text { text },
        locations: vec![p.location(sm, f.span, None, None)],
        related_locations: related,
        partial_fingerprints,
        suppressions: Vec::new(),
        properties: ResultProps {
            name: f.name,
            label: f.label.clone(),
            endpoints: f.endpoints.iter().map(|e| e.label.clone()).collect(),
            evidence: f.evidence.as_str(),
        },
    }
}

/// `tlslint probe`'s findings (located in the probe's own report text) as
/// a SARIF log; `error` (the target could not be probed) makes the run
/// unsuccessful.
pub fn probe_document(
    sm: &SourceMap,
    findings: &[Finding],
    notes: &[String],
    error: Option<&str>,
) -> serde_json::Value {
    let p = Paths::here();
    let results = findings.iter().map(|f| result(&p, sm, f, None)).collect();
    let notifications = error
        .map(|e| ("error", e.to_string()))
        .into_iter()
        .chain(notes.iter().map(|n| ("note", n.clone())))
        .map(|(level, text)| Notification {
            level,
            message: Text { text },
            locations: Vec::new(),
        })
        .collect();
    log(&p, results, notifications, error.is_none(), None)
}

/// The whole report as a SARIF log.
pub fn document(report: &Report) -> serde_json::Value {
    let p = Paths::here();
    let mut results = Vec::new();
    let mut notifications = Vec::new();
    for n in &report.notes {
        notifications.push(Notification {
            level: "note",
            message: Text { text: n.clone() },
            locations: Vec::new(),
        });
    }
    for (i, c) in report.checked.iter().enumerate() {
        let post = report.post.get(i);
        let sm = c.tree.sources();
        for (j, f) in c.findings.iter().enumerate() {
            let fp = post.and_then(|p| p.fingerprints.get(j));
            results.push(result(&p, sm, f, fp));
        }
        for s in post.map(|p| p.suppressed.as_slice()).unwrap_or_default() {
            let mut r = result(&p, sm, &s.finding, Some(&s.fingerprint));
            r.suppressions.push(Suppression {
                kind: "inSource",
                status: "accepted",
                justification: s.reason.clone(),
                location: Some(p.location(sm, s.by, None, None)),
            });
            results.push(r);
        }
        if let Some(post) = post {
            for (j, f) in post.baselined.iter().enumerate() {
                let mut r = result(&p, sm, f, post.baselined_fingerprints.get(j));
                r.suppressions.push(Suppression {
                    kind: "external",
                    status: "accepted",
                    justification: BASELINED.to_string(),
                    location: None,
                });
                results.push(r);
            }
        }
        for e in &c.tree.errors() {
            let locations = match e.span {
                Some(span) => vec![p.location(sm, span, None, None)],
                None if e.line > 0 => vec![Location {
                    id: None,
                    physical_location: PhysicalLocation {
                        artifact_location: p.artifact(&e.path),
                        region: Some(Region {
                            start_line: e.line,
                            start_column: e.col.max(1),
                            end_line: e.line,
                            end_column: e.col.max(1),
                        }),
                    },
                    message: None,
                }],
                None => Vec::new(),
            };
            notifications.push(Notification {
                level: "error",
                message: Text {
                    text: e.to_error().to_string(),
                },
                locations,
            });
        }
    }
    let properties = serde_json::json!({
        "summary": crate::report::human::summary(report),
        "target": report.versions.first().cloned().unwrap_or_default().json(),
        "trees": report.checked.iter().zip(&report.versions).map(|(c, v)| {
            serde_json::json!({ "root": c.label, "target": v.json() })
        }).collect::<Vec<_>>(),
    });
    log(
        &p,
        results,
        notifications,
        !report.load_failed(),
        Some(properties),
    )
}

/// The SARIF log of one run.
fn log(
    p: &Paths,
    results: Vec<SarifResult>,
    notifications: Vec<Notification>,
    ok: bool,
    properties: Option<serde_json::Value>,
) -> serde_json::Value {
    let mut bases = BTreeMap::new();
    if let Some(c) = &p.root {
        bases.insert(
            SRCROOT,
            ArtifactLocation {
                uri: file_uri(c, true),
                uri_base_id: None,
            },
        );
    }
    let log = Log {
        schema: SCHEMA,
        version: "2.1.0",
        runs: vec![Run {
            tool: Tool {
                driver: Driver {
                    name: "tlslint",
                    version: env!("CARGO_PKG_VERSION"),
                    semantic_version: env!("CARGO_PKG_VERSION"),
                    information_uri: crate::rules::doc::home_url(),
                    rules: RULES.iter().map(|r| descriptor(r.meta())).collect(),
                },
            },
            original_uri_base_ids: bases,
            column_kind: "unicodeCodePoints",
            invocations: vec![Invocation {
                execution_successful: ok,
                tool_execution_notifications: notifications,
            }],
            results,
            properties,
        }],
    };
    serde_json::to_value(&log).unwrap_or_default()
}

pub fn emit(report: &Report, out: &mut dyn std::io::Write) {
    // written as it is serialised: no second copy of a large document
    let doc = document(report);
    // DEL, C1 controls and bidirectional characters as \uXXXX too
    let mut w = crate::printable::JsonSafe::new(std::io::BufWriter::new(out));
    let _ = serde_json::to_writer_pretty(&mut w, &doc);
    let _ = std::io::Write::write_all(&mut w, b"\n");
    let _ = std::io::Write::flush(&mut w);
    std::mem::forget(doc);
}
