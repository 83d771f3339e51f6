//! TLS307 certificate-signature: the certificate's signature algorithm is
//! outside the profile's certificate_signatures (e.g. SHA-1).

use crate::finding::{Finding, Severity};
use crate::model::Endpoint;
use crate::rules::cert_facts::{at_setting, readable_pairs, shown};
use crate::rules::{Context, Rule, RuleMeta};

pub struct Tls307;

static META: RuleMeta = RuleMeta {
    code: "TLS307",
    name: "certificate-signature",
    summary: "the certificate's signature algorithm is outside the profile's certificate_signatures (e.g. SHA-1)",
    severity: Severity::Error,
};

impl Rule for Tls307 {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, cx: &Context<'_>, ep: &Endpoint, out: &mut Vec<Finding>) {
        let allowed = &cx.profile.certificate_signatures;
        if allowed.is_empty() {
            return;
        }
        for (pair, sent) in readable_pairs(cx, ep) {
            let leaf = &sent[0];
            let alg = &leaf.signature_algorithm;
            if allowed.iter().any(|a| a.eq_ignore_ascii_case(alg)) {
                continue;
            }
            let weak = alg.to_ascii_lowercase().contains("sha1")
                || alg.to_ascii_lowercase().contains("md5");
            let mut message = format!(
                "the certificate {} in {} is signed with {alg}; the {} profile allows {}",
                leaf.short_name(),
                shown(&pair.certificate.value),
                cx.profile.title(),
                allowed.join(", ")
            );
            if weak {
                message.push_str(" (browsers reject SHA-1 and MD5 signatures)");
            }
            out.push(at_setting(
                &META,
                &pair.certificate,
                message,
                format!("signed with {alg}"),
                Some(format!("have the certificate reissued with {}", allowed[0])),
                ep,
            ));
        }
    }
}
