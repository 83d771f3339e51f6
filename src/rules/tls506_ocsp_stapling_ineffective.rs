//! TLS506 ocsp-stapling-ineffective: stapling on but it cannot work (no
//! resolver, verify without trusted certificate, cache missing, a certificate
//! without an OCSP responder URL).

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

    fn check(&self, cx: &Context<'_>, ep: &Endpoint, out: &mut Vec<Finding>) {
        if ep.reject_handshake.value || !ep.stapling.value {
            return;
        }
        let span = ep.stapling.source.span();
        // the certificate must name an OCSP responder (unless one is configured)
        if ep.stapling_responder.value.is_none() {
            for p in &ep.certificates {
                let Some(leaf) = cx.files.leaf(p) else {
                    continue;
                };
                if !leaf.ocsp_urls.is_empty() {
                    continue;
                }
                let mut f = finding(
                    &META,
                    span,
                    format!(
                        "stapling is on, but the certificate {} in {} names no OCSP responder (no OCSP URL in Authority Information Access): there is nothing to staple",
                        leaf.short_name(),
                        crate::rules::cert_facts::shown(&p.certificate.value)
                    ),
                    "stapling a certificate without an OCSP URL".into(),
                    Some(match ep.server {
                        ServerKind::Nginx => "turn `ssl_stapling off;` for this certificate (Let's Encrypt certificates have no OCSP URL since 2025), or name a responder with `ssl_stapling_responder`".into(),
                        ServerKind::Apache => "turn `SSLUseStapling off` for this certificate, or name a responder with `SSLStaplingForceURL`".into(),
                    }),
                    ep,
                );
                f.related.push(Related {
                    span: p.certificate.source.span(),
                    message: "the certificate".into(),
                });
                out.push(f);
            }
        }
        if let Some(a) = &ep.apache {
            // mod_ssl needs a stapling cache (main server config only)
            if a.stapling_cache.value.is_none() {
                out.push(finding(
                    &META,
                    span,
                    "SSLUseStapling is on but the main server config has no SSLStaplingCache: httpd refuses to start (AH01958 \"SSLStapling: no stapling cache available\")".into(),
                    "stapling without a stapling cache".into(),
                    Some("write `SSLStaplingCache \"shmcb:logs/ssl_stapling(32768)\"` in the main server config (outside every <VirtualHost>)".into()),
                    ep,
                ));
            }
            return;
        }
        if ep.server != ServerKind::Nginx {
            return;
        }
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
