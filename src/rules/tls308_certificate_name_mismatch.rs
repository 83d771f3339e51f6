//! TLS308 certificate-name-mismatch: a server_name (ServerName, ServerAlias)
//! that no subjectAltName of the certificate covers (RFC 6125 wildcards,
//! IP SANs; the subject CN is not enough).

use crate::certs::names::{covers, dns_matches, expand, NameCheck};
use crate::finding::{Finding, Related, Severity};
use crate::model::{Endpoint, ServerKind};
use crate::rules::cert_facts::{readable_pairs, shown};
use crate::rules::{finding, Context, Rule, RuleMeta};

pub struct Tls308;

static META: RuleMeta = RuleMeta {
    code: "TLS308",
    name: "certificate-name-mismatch",
    summary: "a server name that no subjectAltName of the certificate covers (RFC 6125 wildcards, IP SANs)",
    severity: Severity::Error,
};

impl Rule for Tls308 {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, cx: &Context<'_>, ep: &Endpoint, out: &mut Vec<Finding>) {
        let names: Vec<NameCheck> = ep
            .server_names
            .iter()
            .flat_map(|n| expand(n))
            .filter(|n| *n != NameCheck::Skip)
            .collect();
        if names.is_empty() {
            return;
        }
        for (pair, sent) in readable_pairs(cx, ep) {
            let leaf = &sent[0];
            let missing: Vec<&NameCheck> = names.iter().filter(|n| !covers(leaf, n)).collect();
            if missing.is_empty() {
                continue;
            }
            let list = missing.iter().map(|n| n.to_string()).collect::<Vec<_>>();
            let sans: Vec<String> = leaf
                .dns_names
                .iter()
                .cloned()
                .chain(leaf.ip_addrs.iter().map(|i| i.to_string()))
                .collect();
            let has = if sans.is_empty() {
                "it has no subjectAltName".to_string()
            } else {
                format!("it covers {}", sans.join(", "))
            };
            let cn_only = leaf.dns_names.is_empty()
                && missing.iter().any(|n| match n {
                    NameCheck::Host(h) => leaf.common_names.iter().any(|c| dns_matches(c, h)),
                    _ => false,
                });
            let mut message = format!(
                "{} {} not covered by the certificate {} in {}: {has}",
                list.join(", "),
                if list.len() == 1 { "is" } else { "are" },
                leaf.short_name(),
                shown(&pair.certificate.value)
            );
            if cn_only {
                message.push_str(" (the name is only in the subject CN, which browsers ignore)");
            }
            let directive = match ep.server {
                ServerKind::Nginx => "server_name",
                ServerKind::Apache => "ServerName/ServerAlias",
            };
            let w = crate::rules::cipher_facts::server_noun(ep);
            let mut f = finding(
                &META,
                pair.certificate.source.span(),
                message,
                format!("does not cover {}", list.join(", ")),
                Some(format!(
                    "issue a certificate whose subjectAltName lists every {directive} of the {w}, or serve the names from a {w} with their own certificate"
                )),
                ep,
            );
            f.related.push(Related {
                span: ep.span,
                message: format!("the {w} named {}", ep.server_names.join(" ")),
            });
            out.push(f);
        }
    }
}
