//! TLS601 probe-protocols-differ: the running server accepts other protocol
//! versions than its configuration says (`tlslint PATH --probe`).

use crate::finding::{Finding, Severity};
use crate::model::Endpoint;
use crate::rules::{Context, Rule, RuleMeta};

pub struct Tls601;

pub static META: RuleMeta = RuleMeta {
    code: "TLS601",
    name: "probe-protocols-differ",
    summary: "the server accepts other protocol versions than the config says",
    severity: Severity::Error,
};

impl Rule for Tls601 {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    /// Nothing to see in the files alone: see [`compare`].
    fn check(&self, _cx: &Context<'_>, _ep: &Endpoint, _out: &mut Vec<Finding>) {}
}

/// Compare the versions the probe saw accepted with the modelled ones.
#[cfg(feature = "probe")]
pub fn compare<'a>(
    cx: &Context<'a>,
    o: &crate::rules::probe_facts::Observed<'a>,
    out: &mut Vec<Finding>,
) {
    use crate::rules::probe_facts::{self as pf, difference, list};
    use std::collections::BTreeSet;
    if !pf::handshakes(o.report) {
        return;
    }
    let want = pf::expected_versions(cx, o);
    let got: Vec<&str> = o.report.accepted_versions();
    let (wire, config): (BTreeSet<&str>, BTreeSet<&str>) = (
        got.iter().copied().collect(),
        want.expected.iter().copied().collect(),
    );
    if wire == config {
        return;
    }
    let (setting, decider, decided) = o.versions_setting(cx);
    let mut message = format!(
        "{} accepts {}, but the configuration makes it accept {} ({})",
        o.wire(),
        list(&got),
        list(&want.expected),
        difference(&wire, &config)
    );
    if !want.notes.is_empty() {
        message.push_str(&format!("; modelled: {}", want.notes.join("; ")));
    }
    let directive = crate::rules::cipher_facts::directive(o.ep, "ssl_protocols", "SSLProtocol");
    let label = format!(
        "{directive}: {} ({})",
        setting.value.join(" "),
        crate::rules::origin(decider, &setting.source)
    );
    let mut f = pf::finding(
        &META,
        o,
        setting.source.span(),
        message,
        label,
        Some(pf::reload_help(o.ep)),
    );
    if let Some(d) = decided {
        f.related.push(crate::finding::Related {
            span: o.ep.span,
            message: format!(
                "this {}'s own protocols do not apply on {}: {}",
                crate::rules::cipher_facts::server_noun(o.ep),
                d.socket,
                d.reason
            ),
        });
    } else {
        pf::relate(&mut f, o, &setting.source);
    }
    out.push(f);
}
