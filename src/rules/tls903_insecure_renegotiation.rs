//! TLS903 insecure-renegotiation: insecure renegotiation allowed.

use crate::finding::{Finding, Severity};
use crate::model::Endpoint;
use crate::rules::tls902_compression_on::options_set;
use crate::rules::{finding, Context, Rule, RuleMeta};

pub struct Tls903;

static META: RuleMeta = RuleMeta {
    code: "TLS903",
    name: "insecure-renegotiation",
    summary: "insecure renegotiation allowed",
    severity: Severity::Error,
};

impl Rule for Tls903 {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, _cx: &Context<'_>, ep: &Endpoint, out: &mut Vec<Finding>) {
        let cc = &ep.conf_commands;
        if cc.value.iter().any(|(k, v)| {
            k.eq_ignore_ascii_case("Options") && options_set(v, "UnsafeLegacyRenegotiation")
        }) {
            out.push(finding(
                &META,
                cc.source.span(),
                "insecure legacy renegotiation is allowed (`Options UnsafeLegacyRenegotiation`): clients without RFC 5746 can be attacked by prefix injection (CVE-2009-3555)".into(),
                "allows insecure renegotiation".into(),
                Some("remove `UnsafeLegacyRenegotiation` from the Options".into()),
                ep,
            ));
        }
    }
}
