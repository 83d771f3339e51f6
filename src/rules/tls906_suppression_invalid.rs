//! TLS906 suppression-invalid: a suppression without a reason, naming an
//! unknown rule, or suppressing nothing.
//!
//! The suppressions themselves are read and applied in `crate::suppress`;
//! this rule turns what is wrong with one into findings at the comment. It
//! has nothing to check per endpoint.

use crate::finding::{Finding, Severity};
use crate::model::Endpoint;
use crate::rules::{Context, Rule, RuleMeta};
use crate::suppress::Pragma;

pub struct Tls906;

pub static META: RuleMeta = RuleMeta {
    code: "TLS906",
    name: "suppression-invalid",
    summary: "a suppression without a reason, naming an unknown rule, or suppressing nothing",
    severity: Severity::Warning,
};

impl Rule for Tls906 {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, _cx: &Context<'_>, _ep: &Endpoint, _out: &mut Vec<Finding>) {}
}

fn finding(p: &Pragma, message: String, label: &str, help: String) -> Finding {
    Finding {
        code: META.code,
        name: META.name,
        severity: META.severity,
        message,
        span: p.span,
        label: label.to_string(),
        related: Vec::new(),
        help: Some(help),
        endpoints: Vec::new(),
        evidence: Default::default(),
    }
}

fn example(p: &Pragma, codes: &[&str]) -> String {
    let kind = if p.parsed.file_scope {
        "ignore-file"
    } else {
        "ignore"
    };
    let codes = if codes.is_empty() {
        "TLS101".to_string()
    } else {
        codes.join(",")
    };
    format!("# tlslint: {kind} {codes} -- why this is acceptable")
}

/// What is wrong with a suppression. `unused` lists the codes (of rules
/// that ran) for which it took no finding away in any tree.
pub fn check(p: &Pragma, unused: &[&'static str]) -> Vec<Finding> {
    let mut out = Vec::new();
    if let Some(m) = &p.parsed.malformed {
        out.push(finding(
            p,
            format!("malformed suppression: {m}"),
            "not a valid suppression",
            format!("write `{}`", example(p, &p.parsed.codes)),
        ));
        return out;
    }
    for u in &p.parsed.unknown {
        out.push(finding(
            p,
            format!("suppression names an unknown rule `{u}`"),
            "unknown rule",
            "name rules by code (`TLS101`) or name (`protocol-outside-profile`), as `tlslint rules` lists them".into(),
        ));
    }
    if p.parsed.reason.is_empty() {
        out.push(finding(
            p,
            "suppression without a reason: it is not applied".into(),
            "no `-- reason`",
            format!("write `{}`", example(p, &p.parsed.codes)),
        ));
        return out;
    }
    if !unused.is_empty() {
        let list = unused.join(", ");
        let (message, label) = if p.scope.is_empty() {
            (
                format!("suppression of {list} suppresses nothing: no directive follows it"),
                "nothing follows",
            )
        } else {
            (
                format!("suppression of {list} suppresses nothing: no such finding here"),
                "suppresses nothing",
            )
        };
        out.push(finding(
            p,
            message,
            label,
            "remove the suppression (or the codes that no longer apply)".into(),
        ));
    }
    out
}
