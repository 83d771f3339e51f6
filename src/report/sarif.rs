//! `--format sarif`: SARIF 2.1.0, hand-rolled (as ruff does), for GitHub code
//! scanning and other SARIF viewers.
//!
//! One run. `tool.driver.rules` lists every rule (code as `id`, its name,
//! summary, its page in `rules/*.yaml` as help, the default
//! level); each result has the rule, the level (after severity overrides),
//! the message and help, the primary location, the related locations (the
//! inherited or default source, the server it applies to) and the baseline
//! fingerprint as `partialFingerprints["tlslint/v1"]`. Suppressed and
//! baselined findings are left out. Trees that could not be read are
//! `toolExecutionNotifications` with `executionSuccessful: false`.
//! Paths are relative to the current directory (`uriBaseId: %SRCROOT%`)
//! where they are below it, `file://` URIs otherwise; columns count
//! Unicode code points.

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
    properties: ResultProps,
}

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
    cwd: Option<std::path::PathBuf>,
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
        if let Some(rel) = self.cwd.as_ref().and_then(|c| abs.strip_prefix(c).ok()) {
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

/// A rule page as Markdown: summary, rationale, the first bad and good
/// example per server kind, references.
fn markdown(d: &crate::rules::doc::RuleDoc) -> String {
    let mut s = format!("**{}** ({}): {}\n\n", d.code, d.name, d.summary);
    s.push_str(d.rationale.trim());
    s.push('\n');
    if let Some(tests) = &d.probe_only {
        s.push_str(&format!(
            "\nReported by `tlslint PATH --probe` (a running server compared with its \
             configuration): no static example. Live tests: {}\n",
            tests.trim()
        ));
    }
    for (kind, ex) in &d.examples {
        if let Some(bad) = ex.bad.first() {
            s.push_str(&format!(
                "\nFlagged ({kind}):\n\n```{kind}\n{}\n```\n",
                bad.trim_end()
            ));
        }
        if let Some(good) = ex.good.first() {
            s.push_str(&format!(
                "\nInstead ({kind}):\n\n```{kind}\n{}\n```\n",
                good.trim_end()
            ));
        }
    }
    if !d.references.is_empty() {
        s.push_str("\nReferences:\n\n");
        for r in &d.references {
            s.push_str(&format!("- <{r}>\n"));
        }
    }
    s
}

fn descriptor(m: &'static crate::rules::RuleMeta) -> Descriptor {
    let doc = crate::rules::doc::doc(m.code).ok();
    let (full, markdown) = match &doc {
        Some(d) if !d.rationale.trim().is_empty() => (d.rationale.trim().to_string(), markdown(d)),
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
    let cwd = std::env::current_dir()
        .ok()
        .map(|c| crate::fsx::lexical_normal(&c));
    let p = Paths { cwd: cwd.clone() };
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
    log(cwd, results, notifications, error.is_none())
}

/// The whole report as a SARIF log.
pub fn document(report: &Report) -> serde_json::Value {
    let cwd = std::env::current_dir()
        .ok()
        .map(|c| crate::fsx::lexical_normal(&c));
    let p = Paths { cwd: cwd.clone() };
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
        let fps = report.post.get(i).map(|p| &p.fingerprints);
        for (j, f) in c.findings.iter().enumerate() {
            results.push(result(&p, &c.tree.sources(), f, fps.and_then(|v| v.get(j))));
        }
        for e in &c.tree.errors() {
            let locations = match e.span {
                Some(span) => vec![p.location(&c.tree.sources(), span, None, None)],
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
    log(cwd, results, notifications, !report.load_failed())
}

/// The SARIF log of one run.
fn log(
    cwd: Option<std::path::PathBuf>,
    results: Vec<SarifResult>,
    notifications: Vec<Notification>,
    ok: bool,
) -> serde_json::Value {
    let mut bases = BTreeMap::new();
    if let Some(c) = &cwd {
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
        }],
    };
    serde_json::to_value(&log).unwrap_or_default()
}

pub fn emit(report: &Report, out: &mut dyn std::io::Write) {
    // written as it is serialised: no second copy of a large document
    let doc = document(report);
    let mut w = std::io::BufWriter::new(out);
    let _ = serde_json::to_writer_pretty(&mut w, &doc);
    let _ = std::io::Write::write_all(&mut w, b"\n");
    let _ = std::io::Write::flush(&mut w);
    std::mem::forget(doc);
}
