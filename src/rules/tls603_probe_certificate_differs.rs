//! TLS603 probe-certificate-differs: the chain the running server sends is
//! not the one the configured files hold (compared by SHA-256), for each
//! key type: a server with an RSA and an ECDSA certificate (nginx: two
//! `ssl_certificate`; httpd: two `SSLCertificateFile`) is asked with only
//! RSA and only ECDSA (and Ed25519) signature algorithms, and each
//! configured certificate is compared with the chain served for its key.

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

/// One configured pair: its certificates as sent (SHA-256s) and its leaf.
#[cfg(feature = "probe")]
struct Pair<'a> {
    pair: &'a crate::model::CertPair,
    fps: Vec<String>,
    leaf: Option<std::sync::Arc<crate::certs::Cert>>,
}

#[cfg(feature = "probe")]
impl Pair<'_> {
    fn key_type(&self) -> Option<&'static str> {
        self.leaf.as_ref().map(|c| c.key_kind.label())
    }

    /// The pair is what `served` holds (or OpenSSL's own chain of it).
    fn is(&self, cx: &Context<'_>, ep: &Endpoint, served: &ChainInfo) -> bool {
        let got = served.certificates.iter().map(|c| c.sha256.as_str());
        self.fps.iter().map(String::as_str).eq(got.clone())
            || auto_chain(cx, ep, self.pair).is_some_and(|c| c.iter().map(String::as_str).eq(got))
    }
}

#[cfg(feature = "probe")]
use crate::probe::cert::ChainInfo;

/// Whether the probe can ask for a certificate of this key with one family
/// of signature algorithms (rustls with ring: RSA, ECDSA P-256 and P-384,
/// Ed25519), and the wire shows a version and suite that handshake can
/// agree on: a TLS 1.3 suite rustls offers (any key, picked by signature
/// algorithm), or a TLS 1.2 suite rustls offers of its authentication, with
/// a key exchange group in common (with the server's order, the first of
/// rustls's suites it takes). A server whose ECDSA suites are ARIA,
/// Camellia, CCM or CBC ones only (OpenSSL's `COMPLEMENTOFDEFAULT`,
/// `SHA1`) serves its ECDSA certificate to OpenSSL clients, but no
/// handshake that rustls can complete shows it: not a finding.
#[cfg(feature = "probe")]
fn askable(r: &crate::probe::ProbeReport, c: &crate::certs::Cert) -> bool {
    use crate::certs::facts::KeyKind;
    let au = match c.key_kind {
        KeyKind::Rsa => "RSA",
        KeyKind::Ec
            if matches!(
                c.curve.as_deref(),
                Some("prime256v1" | "secp384r1" | "P-256" | "P-384")
            ) =>
        {
            "ECDSA"
        }
        KeyKind::Ed25519 => "ECDSA",
        _ => return false,
    };
    let suites = crate::probe::modern::offered_suites();
    let groups = crate::probe::modern::offered_groups();
    // rustls has ECDHE only: a group in common, where the probe saw the groups
    let group = r.groups.is_empty()
        || r.groups.iter().any(|name| {
            crate::openssl::all_groups()
                .iter()
                .any(|g| g.group == name && groups.contains(&g.id))
        });
    let offered = |n: &String| crate::openssl::suite_by_iana(n).filter(|s| suites.contains(&s.id));
    let tls13 = r
        .versions
        .get("TLSv1.3")
        .is_some_and(|x| x.accepted && x.ciphers.iter().any(|n| offered(n).is_some()));
    let tls12 = r.versions.get("TLSv1.2").is_some_and(|x| {
        let mut theirs = x.ciphers.iter().filter_map(offered);
        x.accepted
            && if x.server_order == Some(true) {
                // the server picks by its own order, and OpenSSL may pick an
                // RSA suite for a client that offers ECDSA signatures only
                // (then fails: "no suitable signature algorithm"): asked
                // for where the server's first choice among rustls's suites
                // is one of this authentication
                theirs.next().is_some_and(|s| s.au == au)
            } else {
                theirs.any(|s| s.au == au)
            }
    });
    group && (tls13 || tls12)
}

/// Compare the served chains (with the SNI, or without for the default
/// server) with the certificate files of the endpoint's pairs. Where the
/// probe got chains by key type (signature algorithms of one family
/// offered at a time), each configured pair is compared with the chain
/// served for its key type — OpenSSL keeps one certificate per key type,
/// the last configured — and a key type served but not configured is
/// reported too; else the one chain served must be one of the pairs.
#[cfg(feature = "probe")]
pub fn compare<'a>(
    cx: &Context<'a>,
    o: &crate::rules::probe_facts::Observed<'a>,
    out: &mut Vec<Finding>,
) {
    let chains = &o.report.certificate_chain;
    let Some(main) = chains.main(o.sni.is_some()) else {
        return;
    };
    if main.certificates.is_empty() {
        return;
    }
    let pairs: Vec<Pair<'_>> =
        o.ep.certificates
            .iter()
            .map(|p| Pair {
                pair: p,
                fps: cx.files.sent(p).iter().map(|c| c.sha256.clone()).collect(),
                leaf: cx.files.leaf(p),
            })
            .filter(|p| !p.fps.is_empty())
            .collect();
    if pairs.is_empty() {
        return; // nothing readable to compare with (TLS301 says why)
    }
    let keyed = chains
        .by_key_type
        .iter()
        .any(|k| k.asked.iter().any(|a| a != "any"));
    if !keyed {
        if pairs.iter().any(|p| p.is(cx, o.ep, main)) {
            return;
        }
        let p = pairs
            .iter()
            .find(|p| p.fps[0] == main.certificates[0].sha256)
            .unwrap_or(&pairs[0]);
        differs(cx, o, main, p, "", out);
        return;
    }
    // the pair OpenSSL keeps for each key type: the last of that type
    let mut kept: Vec<&Pair<'_>> = Vec::new();
    for p in &pairs {
        let Some(kt) = p.key_type() else { continue };
        kept.retain(|q| q.key_type() != Some(kt));
        kept.push(p);
    }
    for p in &kept {
        let kt = p.key_type().unwrap_or("");
        match chains.for_key_type(kt) {
            Some(k) => {
                if !pairs
                    .iter()
                    .filter(|q| q.key_type() == Some(kt))
                    .any(|q| q.is(cx, o.ep, &k.chain))
                {
                    differs(cx, o, &k.chain, p, &format!(" to {kt} clients"), out);
                }
            }
            None => {
                let Some(leaf) = p.leaf.as_ref().filter(|l| askable(o.report, l)) else {
                    continue;
                };
                not_served(o, p, leaf, kt, out);
            }
        }
    }
    // key types served that no pair has
    for k in &chains.by_key_type {
        if pairs
            .iter()
            .any(|p| p.key_type() == Some(k.key_type.as_str()))
        {
            continue;
        }
        let types: Vec<&str> = kept.iter().filter_map(|p| p.key_type()).collect();
        let leaf = &k.chain.certificates[0];
        let why = whose(
            cx,
            o,
            &leaf.sha256,
            "a stale deploy (a certificate removed from the files since the server started: a missed reload), another server on the socket, or something in the middle",
        );
        let message = format!(
            "{} sends {} ({} key, SHA-256 {}) to clients that ask for {} signatures, but the configuration has only {} certificates: {why}",
            o.wire(),
            leaf.subject,
            k.key_type,
            short(&leaf.sha256),
            k.key_type,
            types.join(" and ")
        );
        let label = format!("no {} certificate configured", k.key_type);
        at_certificate(o, &pairs[0], message, label, out);
    }
}

/// The configured certificate `leaf` of key type `kt` is not served,
/// though the probe asked for that key type where the wire could carry it.
#[cfg(feature = "probe")]
fn not_served(
    o: &crate::rules::probe_facts::Observed<'_>,
    p: &Pair<'_>,
    leaf: &crate::certs::Cert,
    kt: &str,
    out: &mut Vec<Finding>,
) {
    let chains = &o.report.certificate_chain;
    let got = match chains.not_served.get(kt) {
        Some(why) => format!("the handshake failed: {why}"),
        None => match chains
            .by_key_type
            .iter()
            .find(|k| k.asked.iter().any(|a| a == kt))
        {
            Some(k) => format!(
                "it sent {} ({} key, SHA-256 {})",
                k.chain.certificates[0].subject,
                k.key_type,
                short(&k.chain.certificates[0].sha256)
            ),
            None => "nothing".into(),
        },
    };
    let dir = crate::rules::cipher_facts::directive(o.ep, "ssl_certificate", "SSLCertificateFile");
    let message = format!(
        "{} serves no {kt} certificate: asked with {kt} signature algorithms only, {got}; the configuration has {} (SHA-256 {}): added since the server started (a missed reload), or another server on the socket",
        o.wire(),
        leaf.subject,
        short(&leaf.sha256)
    );
    at_certificate(
        o,
        p,
        message,
        format!("{dir} names a {kt} certificate"),
        out,
    );
}

/// Why a leaf that is not the endpoint's is served: the endpoint that has
/// it (the SNI does not reach this one, or it is the socket's default), or
/// `stale` (no endpoint of the tree has it).
#[cfg(feature = "probe")]
fn whose(
    cx: &Context<'_>,
    o: &crate::rules::probe_facts::Observed<'_>,
    sha256: &str,
    stale: &str,
) -> String {
    let elsewhere = cx.endpoints.iter().find(|e| {
        e.span != o.ep.span
            && e.certificates
                .iter()
                .any(|p| cx.files.leaf(p).is_some_and(|c| c.sha256 == sha256))
    });
    match (elsewhere, o.sni) {
        (Some(e), Some(n)) => format!(
            "it is the certificate of {}: the SNI {n} does not reach this {} (a missing or misspelt name, or another server wins it)",
            e.label(),
            crate::rules::cipher_facts::server_noun(o.ep)
        ),
        (Some(e), None) => format!(
            "it is the certificate of {}: that one is the default for the socket",
            e.label()
        ),
        (None, _) => stale.to_string(),
    }
}

/// A finding at the pair's certificate directive.
#[cfg(feature = "probe")]
fn at_certificate(
    o: &crate::rules::probe_facts::Observed<'_>,
    p: &Pair<'_>,
    message: String,
    label: String,
    out: &mut Vec<Finding>,
) {
    use crate::rules::probe_facts as pf;
    let src = &p.pair.certificate.source;
    let mut f = pf::finding(
        &META,
        o,
        src.span(),
        message,
        label,
        Some(pf::reload_help(o.ep)),
    );
    pf::relate(&mut f, o, src);
    out.push(f);
}

/// `served` is not `p`'s chain: the configured leaf with another chain, or
/// another leaf (whose, if another endpoint has it). `to` qualifies the
/// clients it is served to (` to ECDSA clients`).
#[cfg(feature = "probe")]
fn differs<'a>(
    cx: &Context<'a>,
    o: &crate::rules::probe_facts::Observed<'a>,
    served: &ChainInfo,
    p: &Pair<'_>,
    to: &str,
    out: &mut Vec<Finding>,
) {
    use crate::rules::cipher_facts::directive;
    use crate::rules::probe_facts as pf;
    let Some(leaf) = served.certificates.first() else {
        return;
    };
    let got: Vec<&str> = served
        .certificates
        .iter()
        .map(|c| c.sha256.as_str())
        .collect();
    let dir = directive(o.ep, "ssl_certificate", "SSLCertificateFile");
    // the configured leaf with another chain
    if p.fps[0] == leaf.sha256 {
        let at = p.pair.chain.as_ref().unwrap_or(&p.pair.certificate);
        let mut f = pf::finding(
            &META,
            o,
            at.source.span(),
            format!(
                "{} sends the configured certificate{to} with another chain: {} certificate(s) served ({}), {} in the files ({})",
                o.wire(),
                got.len(),
                got.iter().map(|s| short(s)).collect::<Vec<_>>().join(", "),
                p.fps.len(),
                p.fps.iter().map(|s| short(s)).collect::<Vec<_>>().join(", ")
            ),
            "the chain the files hold".into(),
            Some(pf::reload_help(o.ep)),
        );
        pf::relate(&mut f, o, &at.source);
        out.push(f);
        return;
    }
    // another leaf: whose is it?
    let why = whose(
        cx,
        o,
        &leaf.sha256,
        "a stale deploy (the file changed since the server started: a missed reload), another server on the socket, or something in the middle",
    );
    let configured = p
        .leaf
        .as_ref()
        .map(|c| format!("{} (SHA-256 {})", c.subject, short(&c.sha256)))
        .unwrap_or_else(|| short(&p.fps[0]));
    at_certificate(
        o,
        p,
        format!(
            "{} sends {} (SHA-256 {}, not after {}){to}, not the configured {configured}: {why}",
            o.wire(),
            leaf.subject,
            short(&leaf.sha256),
            leaf.not_after
        ),
        format!("{dir} names another certificate"),
        out,
    );
}
