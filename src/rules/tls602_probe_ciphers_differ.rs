//! TLS602 probe-ciphers-differ: the running server negotiates other cipher
//! suites (per protocol version) than the configuration's expansion.

use crate::finding::{Finding, Severity};
use crate::model::Endpoint;
use crate::rules::{Context, Rule, RuleMeta};

pub struct Tls602;

pub static META: RuleMeta = RuleMeta {
    code: "TLS602",
    name: "probe-ciphers-differ",
    summary: "other cipher suites (per version) than the config's expansion",
    severity: Severity::Error,
};

impl Rule for Tls602 {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    /// Nothing to see in the files alone: see [`compare`].
    fn check(&self, _cx: &Context<'_>, _ep: &Endpoint, _out: &mut Vec<Finding>) {}
}

/// Compare the suites the probe saw per version with the modelled ones:
/// TLS ≤ 1.2 at the cipher string, TLS 1.3 at its suite list.
#[cfg(feature = "probe")]
pub fn compare<'a>(
    cx: &Context<'a>,
    o: &crate::rules::probe_facts::Observed<'a>,
    out: &mut Vec<Finding>,
) {
    use crate::rules::cipher_facts::{conf_command_span, directive, tls13_suites};
    use crate::rules::probe_facts::{self as pf, difference};
    use std::collections::BTreeSet;
    if !pf::handshakes(o.report) {
        return;
    }
    let want = pf::expected_versions(cx, o);
    let mut legacy = Vec::new();
    let mut modern = None;
    for (version, vr) in &o.report.versions {
        if !vr.accepted || !want.expected.contains(&version.as_str()) {
            continue; // TLS601's business
        }
        let Ok(expected) = pf::expected_suites(cx, o, version) else {
            continue;
        };
        let wire: BTreeSet<&str> = vr.ciphers.iter().map(String::as_str).collect();
        let config: BTreeSet<&str> = expected.iter().map(String::as_str).collect();
        if wire == config {
            continue;
        }
        // an enumeration that ended early proves the suites it found, not
        // the absence of the others
        if vr.incomplete.is_some() && wire.is_subset(&config) {
            continue;
        }
        let d = format!("{version}: {}", difference(&wire, &config));
        if version == "TLSv1.3" {
            modern = Some(d);
        } else {
            legacy.push(d);
        }
    }
    if !legacy.is_empty() {
        let src = &o.ep.ciphers.source;
        let dir = directive(o.ep, "ssl_ciphers", "SSLCipherSuite");
        let exp = crate::rules::cipher_facts::expansion(cx, o.ep)
            .map(|e| e.suites.len())
            .unwrap_or(0);
        let mut f = pf::finding(
            &META,
            o,
            src.span(),
            format!(
                "{} negotiates other suites than the configuration: {}",
                o.wire(),
                legacy.join("; ")
            ),
            format!(
                "{dir} expands to {exp} suites ({})",
                crate::rules::origin(o.ep, src)
            ),
            Some(pf::reload_help(o.ep)),
        );
        pf::relate(&mut f, o, src);
        out.push(f);
    }
    if let Some(mut d) = modern {
        let ep = pf::suites_ep(cx, o, "TLSv1.3");
        if ep.span != o.ep.span {
            d.push_str(&format!(
                "; the socket's default {} decides the TLS 1.3 suites",
                crate::rules::cipher_facts::server_noun(ep)
            ));
        }
        let (_, src, set) = tls13_suites(cx, ep);
        let span = if set {
            conf_command_span(ep, &["Ciphersuites"])
        } else {
            src.span()
        };
        let label = if set {
            "the TLS 1.3 suites configured".to_string()
        } else {
            format!(
                "no TLS 1.3 suite list: OpenSSL {}'s default applies",
                cx.target.openssl
            )
        };
        let mut f = pf::finding(
            &META,
            o,
            span,
            format!(
                "{} negotiates other TLS 1.3 suites than the configuration: {d}",
                o.wire()
            ),
            label,
            Some(pf::reload_help(o.ep)),
        );
        pf::relate(&mut f, o, &src);
        out.push(f);
    }
}
