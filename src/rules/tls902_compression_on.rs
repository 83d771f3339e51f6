//! TLS902 compression-on: TLS compression enabled (CRIME).

use crate::finding::{Finding, Severity};
use crate::model::Endpoint;
use crate::rules::{finding, Context, Rule, RuleMeta};

pub struct Tls902;

static META: RuleMeta = RuleMeta {
    code: "TLS902",
    name: "compression-on",
    summary: "TLS compression enabled (CRIME)",
    severity: Severity::Error,
};

/// Whether an OpenSSL `Options` value sets `flag` (comma list; `-X` clears X).
pub fn options_set(value: &str, flag: &str) -> bool {
    let mut on = false;
    for item in value.split(',').map(str::trim) {
        if item.eq_ignore_ascii_case(flag) {
            on = true;
        } else if item
            .strip_prefix('-')
            .is_some_and(|i| i.eq_ignore_ascii_case(flag))
        {
            on = false;
        }
    }
    on
}

impl Rule for Tls902 {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, _cx: &Context<'_>, ep: &Endpoint, out: &mut Vec<Finding>) {
        let cc = &ep.conf_commands;
        if cc
            .value
            .iter()
            .any(|(k, v)| k.eq_ignore_ascii_case("Options") && options_set(v, "Compression"))
        {
            out.push(finding(
                &META,
                cc.source.span(),
                "TLS compression is enabled (`Options Compression`): it leaks secrets through compressed sizes (CRIME)".into(),
                "enables TLS compression".into(),
                Some("remove `Compression` from the Options (OpenSSL disables it by default)".into()),
                ep,
            ));
        }
    }
}
