//! TLS506 ocsp-stapling-ineffective: stapling on but it cannot work (no
//! resolver, verify without trusted certificate, cache missing).

use crate::finding::{Finding, Related, Severity};
use crate::model::{Endpoint, ServerKind};
use crate::rules::{finding, Context, Rule, RuleMeta};

pub struct Tls506;

static META: RuleMeta = RuleMeta {
    code: "TLS506",
    name: "ocsp-stapling-ineffective",
    summary: "stapling on but it cannot work (no resolver, verify without trusted certificate, cache missing, certificate without OCSP URL)",
    severity: Severity::Warning,
};

impl Rule for Tls506 {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, _cx: &Context<'_>, ep: &Endpoint, out: &mut Vec<Finding>) {
        if !ep.stapling.value || ep.server != ServerKind::Nginx {
            return;
        }
        let span = ep.stapling.source.span();
        if ep.resolver.value.is_none() {
            out.push(finding(
                &META,
                span,
                "ssl_stapling is on but no resolver is configured: nginx cannot look up the OCSP responder, and sends no staple".into(),
                "stapling without a resolver".into(),
                Some("write `resolver 127.0.0.53;` (your DNS resolver) in this server or at http level".into()),
                ep,
            ));
        }
        if ep.stapling_verify.value && ep.trusted_certificate.value.is_none() {
            let mut f = finding(
                &META,
                ep.stapling_verify.source.span(),
                "ssl_stapling_verify is on but no ssl_trusted_certificate is set: the OCSP response cannot be verified, and nothing is stapled".into(),
                "verify without trusted certificates".into(),
                Some("write `ssl_trusted_certificate /path/to/root_and_intermediates.pem;`".into()),
                ep,
            );
            f.related.push(Related {
                span,
                message: "stapling is enabled here".into(),
            });
            out.push(f);
        }
    }
}
