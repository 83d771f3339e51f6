//! TLS311 chain-includes-root: the certificate file includes a root (a
//! self-signed CA certificate), sent in every handshake for nothing.

use crate::finding::{Finding, Severity};
use crate::model::Endpoint;
use crate::rules::cert_facts::{at_setting, readable_pairs, sent_setting, shown};
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
