//! TLS309 chain-order: the certificate file is not the server's certificate
//! first, each certificate issued by the next.

use crate::finding::{Finding, Severity};
use crate::model::{Endpoint, ServerKind};
use crate::rules::cert_facts::{at_setting, ignored_note, readable_pairs, sent_from, sent_setting};
use crate::rules::{Context, Rule, RuleMeta};

pub struct Tls309;

static META: RuleMeta = RuleMeta {
    code: "TLS309",
    name: "chain-order",
    summary: "the certificate file is not leaf first, each certificate signed by the next",
    severity: Severity::Error,
};

impl Rule for Tls309 {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, cx: &Context<'_>, ep: &Endpoint, out: &mut Vec<Finding>) {
        for (pair, sent) in readable_pairs(cx, ep) {
            let Some(report) = cx.files.chain(pair) else {
                continue;
            };
            let Some((i, j)) = report.misordered else {
                continue;
            };
            let (a, b) = (&sent[i], &sent[j]);
            let file = match &pair.chain {
                Some(_) => format!("the chain sent ({})", sent_from(pair)),
                None => sent_from(pair),
            };
            let mut message = if a.der == b.der {
                format!(
                    "in {}, certificate {} repeats certificate {} ({}): a certificate does not issue itself, and clients that take the chain in order reject it",
                    file,
                    j + 1,
                    i + 1,
                    a.short_name()
                )
            } else {
                format!(
                    "in {}, certificate {} ({}) did not issue certificate {} ({}, issued by {}): clients that take the chain in order reject it",
                    file,
                    j + 1,
                    b.short_name(),
                    i + 1,
                    a.short_name(),
                    a.issuer
                )
            };
            message.push_str(&ignored_note(cx, pair));
            let help = match (ep.server, &pair.chain) {
                (ServerKind::Nginx, _) => "order the file: the server's certificate, then its issuer, then that one's issuer (as Let's Encrypt's fullchain.pem); drop certificates that are not part of the chain",
                (ServerKind::Apache, None) => "order SSLCertificateFile: the server's certificate, then its issuer, then that one's issuer (as Let's Encrypt's fullchain.pem); drop certificates that are not part of the chain",
                (ServerKind::Apache, Some(_)) => "order SSLCertificateChainFile: the issuer of the server's certificate first, then its issuer; or (httpd ≥ 2.4.8) put the whole chain in SSLCertificateFile after the server's certificate and drop SSLCertificateChainFile",
            };
            out.push(at_setting(
                &META,
                sent_setting(pair, j),
                message,
                "certificates out of order".into(),
                Some(help.into()),
                ep,
            ));
        }
    }
}
