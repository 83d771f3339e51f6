//! TLS305 certificate-lifespan: the server's certificate is valid for longer
//! than the profile's maximum_certificate_lifespan.

use crate::certs::time::{rfc3339, span};
use crate::finding::{Finding, Severity};
use crate::model::Endpoint;
use crate::rules::cert_facts::{at_setting, readable_pairs, shown};
use crate::rules::{Context, Rule, RuleMeta};

pub struct Tls305;

static META: RuleMeta = RuleMeta {
    code: "TLS305",
    name: "certificate-lifespan",
    summary: "the certificate is valid for longer than the profile's maximum_certificate_lifespan",
    severity: Severity::Warning,
};

impl Rule for Tls305 {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, cx: &Context<'_>, ep: &Endpoint, out: &mut Vec<Finding>) {
        let Some(max) = cx.profile.maximum_certificate_lifespan else {
            return;
        };
        for (pair, sent) in readable_pairs(cx, ep) {
            let leaf = &sent[0];
            if leaf.lifespan() <= max as i64 * 86400 {
                continue;
            }
            out.push(at_setting(
                &META,
                &pair.certificate,
                format!(
                    "the certificate {} in {} is valid for {} (from {} to {}, both included); the {} profile allows at most {max} days",
                    leaf.short_name(),
                    shown(&pair.certificate.value),
                    span(leaf.lifespan()),
                    rfc3339(leaf.not_before),
                    rfc3339(leaf.not_after),
                    cx.profile.title()
                ),
                format!("valid for {}", span(leaf.lifespan())),
                Some(match cx.profile.recommended_certificate_lifespan {
                    Some(r) => format!("issue certificates valid for at most {max} days ({r} recommended), renewed automatically"),
                    None => format!("issue certificates valid for at most {max} days, renewed automatically"),
                }),
                ep,
            ));
        }
    }
}
