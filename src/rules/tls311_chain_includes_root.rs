//! TLS311 chain-includes-root: the certificate file includes a root (a
//! self-signed CA certificate), sent in every handshake for nothing. For an
//! Apache leaf alone, the root OpenSSL adds when it builds the chain from
//! SSLCACertificateFile / SSLCACertificatePath (`TreeFiles::store_chain`;
//! apache2 2.4 sends it, `tests/live_apache_certs.rs`).

use crate::finding::{Finding, Severity};
use crate::model::Endpoint;
use crate::rules::cert_facts::{at_setting, ca_store, readable_pairs, sent_setting, shown};
use crate::rules::{Context, Rule, RuleMeta};

pub struct Tls311;

static META: RuleMeta = RuleMeta {
    code: "TLS311",
    name: "chain-includes-root",
    summary: "the root is sent needlessly",
    severity: Severity::Info,
};

impl Rule for Tls311 {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, cx: &Context<'_>, ep: &Endpoint, out: &mut Vec<Finding>) {
        for (pair, sent) in readable_pairs(cx, ep) {
            if let Some(built) = cx.files.store_chain(ep, pair) {
                if let Some(root) = built.iter().skip(1).find(|c| c.self_signed) {
                    let file = shown(&pair.certificate.value);
                    out.push(at_setting(
                        &META,
                        &pair.certificate,
                        format!(
                            "{file} holds the certificate alone, so OpenSSL builds the chain from {} and sends the root {} with it: clients use their own copy, so it only adds bytes to every handshake",
                            ca_store(ep),
                            root.subject
                        ),
                        "root certificate sent (built chain)".into(),
                        Some(format!("write the intermediates after the certificate in {file}: OpenSSL then sends the file as it is and builds nothing")),
                        ep,
                    ));
                }
                continue;
            }
            let Some(report) = cx.files.chain(pair) else {
                continue;
            };
            for &i in &report.roots_sent {
                let at = sent_setting(pair, i);
                let file = match &pair.chain {
                    Some(c) if i > 0 => format!("SSLCertificateChainFile {}", shown(&c.value)),
                    _ => shown(&pair.certificate.value),
                };
                out.push(at_setting(
                    &META,
                    at,
                    format!(
                        "{} includes the root {} (certificate {}): clients use their own copy, so it only adds bytes to every handshake",
                        file,
                        sent[i].subject,
                        i + 1
                    ),
                    "root certificate sent".into(),
                    Some("leave the root out of the file: the server's certificate and its intermediates are enough".into()),
                    ep,
                ));
            }
        }
    }
}
