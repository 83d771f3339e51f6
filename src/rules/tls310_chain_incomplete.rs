//! TLS310 chain-incomplete: the certificates the server sends do not reach a
//! trusted root (Mozilla's root store by default, `--ca-file` for a private
//! PKI); the missing issuer is named. Nothing is fetched from the network.
//! Apache with only the leaf in SSLCertificateFile and no
//! SSLCertificateChainFile sends the chain OpenSSL builds from
//! SSLCACertificateFile / SSLCACertificatePath (`TreeFiles::store_chain`);
//! checked with apache2 2.4 and `openssl s_client -showcerts`.

use crate::certs::PathOutcome;
use crate::finding::{Finding, Severity};
use crate::model::Endpoint;
use crate::rules::cert_facts::{
    at_setting, ca_store, ignored_note, readable_pairs, sent_from, shown,
};
use crate::rules::{Context, Rule, RuleMeta};

pub struct Tls310;

static META: RuleMeta = RuleMeta {
    code: "TLS310",
    name: "chain-incomplete",
    summary: "the chain does not reach a trusted root (webpki-roots, or --ca-file); names the missing issuer",
    severity: Severity::Error,
};

impl Rule for Tls310 {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, cx: &Context<'_>, ep: &Endpoint, out: &mut Vec<Finding>) {
        let store = cx.files.trust_source();
        for (pair, sent) in readable_pairs(cx, ep) {
            let file = shown(&pair.certificate.value);
            // Apache: the chain OpenSSL builds from the CA store
            let built = cx.files.store_chain(ep, pair);
            let built_report = match (&built, cx.files.trust.as_deref()) {
                (Some(c), Some(t)) => crate::certs::chain::check(c, t),
                _ => None,
            };
            let Some(report) = built_report.as_ref().or_else(|| cx.files.chain(pair)) else {
                continue;
            };
            // where the chain is written, and where a missing issuer goes
            let (chain_in, append_to, in_file) = match &pair.chain {
                None if built_report.is_some() => (
                    format!(
                        "httpd sends ({file} and the issuers OpenSSL finds in {})",
                        ca_store(ep)
                    ),
                    file.clone(),
                    "sent",
                ),
                None => (format!("in {file}"), file.clone(), "in the file"),
                Some(c) => (
                    format!("sent from {}", sent_from(pair)),
                    format!("SSLCertificateChainFile {}", shown(&c.value)),
                    "sent",
                ),
            };
            let (message, label, help) = match &report.path {
                PathOutcome::Trusted { .. } => continue,
                PathOutcome::MissingIssuer {
                    at,
                    subject,
                    issuer,
                    urls,
                } => {
                    let whose = match at {
                        Some(0) => format!("the certificate {}", sent[0].short_name()),
                        Some(i) => format!("certificate {} ({subject})", i + 1),
                        None => format!("the trusted certificate {subject}"),
                    };
                    let ignored = cx.files.ignored_in_certificate_file(pair) > 0;
                    let mut help = match &pair.chain {
                        // the certificate file has a chain httpd would send without the chain file
                        Some(c) if ignored => format!(
                            "remove `SSLCertificateChainFile {}`: httpd ≥ 2.4.8 then sends the certificates that follow the server's in {file}, or append the certificate of {issuer} to {append_to}",
                            shown(&c.value)
                        ),
                        // appending to a leaf-only file would turn OpenSSL's chain building off
                        None if built_report.is_some() => format!(
                            "add the certificate of {issuer} to {}, or write the whole chain in {file} (the leaf, then {}, then {issuer}): OpenSSL builds the chain only while {file} holds the leaf alone",
                            ca_store(ep),
                            built.as_deref().unwrap_or_default()[1..]
                                .iter()
                                .map(|c| c.short_name())
                                .collect::<Vec<_>>()
                                .join(", ")
                        ),
                        _ => format!("append the certificate of {issuer} to {append_to}, after the certificate it issued"),
                    };
                    if let Some(u) = urls.first() {
                        help.push_str(&format!(
                            " (the certificate names where it is published: {u})"
                        ));
                    }
                    (
                        format!(
                            "the chain {chain_in} does not reach a root trusted by {store}: {whose} is issued by {issuer}, which is neither {in_file} nor trusted{}",
                            ignored_note(cx, pair)
                        ),
                        format!("missing issuer: {issuer}"),
                        help,
                    )
                }
                PathOutcome::SearchLimit { limit } => (
                    format!(
                        "tlslint could not decide whether the chain {chain_in} reaches a root trusted by {store}: \
                         its path search stopped at tlslint's limit of {limit} steps ({} certificates, several of which may issue each other)",
                        sent.len()
                    ),
                    format!("path search stopped at {limit} steps"),
                    "send the leaf and the intermediates of one path only, in order (leaf first)".into(),
                ),
                PathOutcome::UntrustedRoot { at, name } => {
                    if *at == 0 {
                        (
                            format!("the certificate {} in {file} is self-signed and not trusted by {store}: clients reject it", sent[0].short_name()),
                            "self-signed certificate".into(),
                            "use a certificate from a CA your clients trust (for a private CA, lint with --ca-file ROOT.pem)".into(),
                        )
                    } else {
                        (
                            format!("the chain {chain_in} ends at the root {name}, which {store} does not trust"),
                            format!("untrusted root: {name}"),
                            "use a chain to a root your clients trust (for a private CA, lint with --ca-file ROOT.pem)".into(),
                        )
                    }
                }
            };
            out.push(at_setting(
                &META,
                &pair.certificate,
                message,
                label,
                Some(help),
                ep,
            ));
        }
    }
}
