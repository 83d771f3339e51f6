//! TLS603 probe-certificate-differs: the chain the running server sends is
//! not the one the configured files hold (compared by SHA-256).

use crate::finding::{Finding, Severity};
use crate::model::Endpoint;
use crate::rules::{Context, Rule, RuleMeta};

pub struct Tls603;

pub static META: RuleMeta = RuleMeta {
    code: "TLS603",
    name: "probe-certificate-differs",
    summary: "the served chain is not the configured files (by fingerprint)",
    severity: Severity::Error,
};

impl Rule for Tls603 {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    /// Nothing to see in the files alone: see [`compare`].
    fn check(&self, _cx: &Context<'_>, _ep: &Endpoint, _out: &mut Vec<Finding>) {}
}

#[cfg(feature = "probe")]
fn short(sha: &str) -> String {
    let parts: Vec<&str> = sha.split(':').take(4).collect();
    format!("{}…", parts.join(":"))
}

/// The chain OpenSSL builds itself when an Apache pair has no chain, as
/// fingerprints (see `TreeFiles::store_chain`).
#[cfg(feature = "probe")]
fn auto_chain(
    cx: &Context<'_>,
    ep: &Endpoint,
    pair: &crate::model::CertPair,
) -> Option<Vec<String>> {
    let chain = cx.files.store_chain(ep, pair)?;
    Some(chain.iter().map(|c| c.sha256.clone()).collect())
}

/// Compare the served chain (with the SNI, or without for the default
/// server) with the certificate files of the endpoint's pairs.
#[cfg(feature = "probe")]
pub fn compare<'a>(
    cx: &Context<'a>,
    o: &crate::rules::probe_facts::Observed<'a>,
    out: &mut Vec<Finding>,
) {
    use crate::rules::cipher_facts::directive;
    use crate::rules::probe_facts as pf;
    let chains = &o.report.certificate_chain;
    let served = if o.sni.is_some() {
        chains.with_sni.as_ref()
    } else {
        chains.without_sni.as_ref()
    };
    let Some(served) = served else { return };
    let Some(leaf) = served.certificates.first() else {
        return;
    };
    let got: Vec<&str> = served
        .certificates
        .iter()
        .map(|c| c.sha256.as_str())
        .collect();
    let pairs: Vec<(&crate::model::CertPair, Vec<String>)> =
        o.ep.certificates
            .iter()
            .map(|p| {
                (
                    p,
                    cx.files.sent(p).iter().map(|c| c.sha256.clone()).collect(),
                )
            })
            .filter(|(_, v): &(_, Vec<String>)| !v.is_empty())
            .collect();
    if pairs.is_empty() {
        return; // nothing readable to compare with (TLS301 says why)
    }
    if pairs.iter().any(|(p, fps)| {
        fps.iter().map(String::as_str).eq(got.iter().copied())
            || auto_chain(cx, o.ep, p)
                .is_some_and(|c| c.iter().map(String::as_str).eq(got.iter().copied()))
    }) {
        return;
    }
    let dir = directive(o.ep, "ssl_certificate", "SSLCertificateFile");
    // the configured leaf with another chain
    if let Some((pair, fps)) = pairs.iter().find(|(_, fps)| fps[0] == leaf.sha256) {
        let at = pair.chain.as_ref().unwrap_or(&pair.certificate);
        let mut f = pf::finding(
            &META,
            o,
            at.source.span(),
            format!(
                "{} sends the configured certificate with another chain: {} certificate(s) served ({}), {} in the files ({})",
                o.wire(),
                got.len(),
                got.iter().map(|s| short(s)).collect::<Vec<_>>().join(", "),
                fps.len(),
                fps.iter().map(|s| short(s)).collect::<Vec<_>>().join(", ")
            ),
            "the chain the files hold".into(),
            Some(pf::reload_help(o.ep)),
        );
        pf::relate(&mut f, o, &at.source);
        out.push(f);
        return;
    }
    // another leaf: whose is it?
    let elsewhere = cx.endpoints.iter().find(|e| {
        e.span != o.ep.span
            && e.certificates
                .iter()
                .any(|p| cx.files.leaf(p).is_some_and(|c| c.sha256 == leaf.sha256))
    });
    let why = match (elsewhere, o.sni) {
        (Some(e), Some(n)) => format!(
            "it is the certificate of {}: the SNI {n} does not reach this {} (a missing or misspelt name, or another server wins it)",
            e.label(),
            crate::rules::cipher_facts::server_noun(o.ep)
        ),
        (Some(e), None) => format!(
            "it is the certificate of {}: that one is the default for the socket",
            e.label()
        ),
        (None, _) => "a stale deploy (the file changed since the server started: a missed reload), another server on the socket, or something in the middle".into(),
    };
    let (pair, fps) = &pairs[0];
    let configured = cx
        .files
        .leaf(pair)
        .map(|c| format!("{} (SHA-256 {})", c.subject, short(&c.sha256)))
        .unwrap_or_else(|| short(&fps[0]));
    let mut f = pf::finding(
        &META,
        o,
        pair.certificate.source.span(),
        format!(
            "{} sends {} (SHA-256 {}, not after {}), not the configured {configured}: {why}",
            o.wire(),
            leaf.subject,
            short(&leaf.sha256),
            leaf.not_after
        ),
        format!("{dir} names another certificate"),
        Some(pf::reload_help(o.ep)),
    );
    pf::relate(&mut f, o, &pair.certificate.source);
    out.push(f);
}
