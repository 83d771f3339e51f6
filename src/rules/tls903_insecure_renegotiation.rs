//! TLS903 insecure-renegotiation: insecure renegotiation allowed.

use crate::finding::{Finding, Severity};
use crate::model::Endpoint;
use crate::rules::tls902_compression_on::{apache_switch, options_set};
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
        // Apache: mod_ssl renegotiates (per-directory client certificates,
        // cipher changes), and SSLInsecureRenegotiation on lets clients
        // without RFC 5746 do so insecurely: an error
        if let Some(a) = &ep.apache {
            let Some((span, by_options)) =
                apache_switch(ep, &a.insecure_renegotiation, "UnsafeLegacyRenegotiation")
            else {
                return;
            };
            let (message, help) = if by_options {
                (
                    "insecure legacy renegotiation is allowed (`SSLOpenSSLConfCmd Options UnsafeLegacyRenegotiation`): clients without RFC 5746 can be attacked by prefix injection (CVE-2009-3555)",
                    "remove `UnsafeLegacyRenegotiation` from the SSLOpenSSLConfCmd Options",
                )
            } else {
                (
                    "insecure legacy renegotiation is allowed (`SSLInsecureRenegotiation on`): clients without RFC 5746 can be attacked by prefix injection (CVE-2009-3555)",
                    "write `SSLInsecureRenegotiation off` (httpd's default), or remove the line",
                )
            };
            let mut f = finding(
                &META,
                span,
                message.into(),
                "allows insecure renegotiation".into(),
                Some(help.into()),
                ep,
            );
            let src = if by_options {
                ep.conf_commands.source.clone()
            } else {
                a.insecure_renegotiation.source.clone()
            };
            crate::rules::related_endpoint(&mut f, ep, &src);
            out.push(f);
            return;
        }
        let cc = &ep.conf_commands;
        if cc.value.iter().any(|(k, v)| {
            k.eq_ignore_ascii_case("Options") && options_set(v, "UnsafeLegacyRenegotiation")
        }) {
            let mut f = finding(
                &META,
                cc.source.span(),
                "insecure legacy renegotiation is allowed (`Options UnsafeLegacyRenegotiation`): clients without RFC 5746 can be attacked by prefix injection (CVE-2009-3555)".into(),
                "allows insecure renegotiation".into(),
                Some("remove `UnsafeLegacyRenegotiation` from the Options".into()),
                ep,
            );
            if ep.server == crate::model::ServerKind::Nginx {
                // nginx refuses every renegotiation a client starts, so the
                // option opens nothing there; it still says what it should not
                f.severity = Severity::Warning;
                f.message.push_str(" (nginx itself refuses client-initiated renegotiation, so this has no effect today; remove it)");
            }
            out.push(f);
        }
    }
}
