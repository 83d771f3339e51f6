//! TLS505 ocsp-stapling-off: the profile wants stapling and it is off.

use crate::finding::{Finding, Severity};
use crate::model::{Endpoint, ServerKind};
use crate::rules::{finding, origin, related_endpoint, Context, Rule, RuleMeta};

pub struct Tls505;

static META: RuleMeta = RuleMeta {
    code: "TLS505",
    name: "ocsp-stapling-off",
    summary: "the profile wants stapling and it is off",
    severity: Severity::Info,
};

impl Rule for Tls505 {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, cx: &Context<'_>, ep: &Endpoint, out: &mut Vec<Finding>) {
        // stream servers have no stapling in nginx
        if !cx.profile.ocsp_staple
            || ep.stapling.value
            || ep.context == "stream"
            || ep.reject_handshake.value
        {
            return;
        }
        let help = match ep.server {
            ServerKind::Nginx => "write `ssl_stapling on; ssl_stapling_verify on;` with `ssl_trusted_certificate` and a `resolver` (certificates without an OCSP responder URL, such as Let's Encrypt's since 2025, cannot be stapled)",
            ServerKind::Apache => "write `SSLUseStapling on` in this virtual host and, in the main server config, `SSLStaplingCache \"shmcb:logs/ssl_stapling(32768)\"` (certificates without an OCSP responder URL, such as Let's Encrypt's since 2025, cannot be stapled)",
        };
        let mut f = finding(
            &META,
            ep.stapling.source.span(),
            format!(
                "OCSP stapling is off; the {} profile recommends it",
                cx.profile.title()
            ),
            format!("stapling off ({})", origin(ep, &ep.stapling.source)),
            Some(help.into()),
            ep,
        );
        related_endpoint(&mut f, ep, &ep.stapling.source);
        out.push(f);
    }
}
