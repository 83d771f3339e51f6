//! TLS505 ocsp-stapling-off: the profile wants stapling and it is off, for
//! a certificate that could be stapled: it names an OCSP responder (or a
//! responder is configured, or the certificate could not be read to tell).
//! A certificate without an OCSP URL (Let's Encrypt's since 2025) cannot be
//! stapled: nginx ignores `ssl_stapling` for it ("no OCSP responder URL in
//! the certificate", ngx_event_openssl_stapling.c), mod_ssl too (AH02218).

use crate::finding::{Finding, Severity};
use crate::model::{Endpoint, ServerKind};
use crate::rules::{finding, origin, related_endpoint, Context, Rule, RuleMeta};

pub struct Tls505;

static META: RuleMeta = RuleMeta {
    code: "TLS505",
    name: "ocsp-stapling-off",
    summary:
        "the profile wants stapling and it is off, and the certificate names an OCSP responder",
    severity: Severity::Info,
};

/// What could be stapled: `Some(url)` for the first certificate read that
/// names an OCSP responder (or the configured responder); `Some("")` when a
/// certificate could not be read to tell; None when every certificate read
/// has no OCSP URL, or there is no certificate (nothing to staple).
fn staplable(cx: &Context<'_>, ep: &Endpoint) -> Option<String> {
    if let Some(r) = &ep.stapling_responder.value {
        return Some(r.clone());
    }
    let mut unread = false;
    for p in &ep.certificates {
        match cx.files.leaf(p) {
            Some(leaf) => {
                if let Some(u) = leaf.ocsp_urls.first() {
                    return Some(format!("{u} in {}", leaf.short_name()));
                }
            }
            None => unread = true,
        }
    }
    unread.then(String::new)
}

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
        let Some(responder) = staplable(cx, ep) else {
            return;
        };
        let why = if responder.is_empty() {
            "the certificate could not be read to tell whether it names an OCSP responder".into()
        } else {
            format!("the OCSP responder is {responder}")
        };
        let help = match ep.server {
            ServerKind::Nginx => "write `ssl_stapling on; ssl_stapling_verify on;` with `ssl_trusted_certificate` (the issuer's chain) and a `resolver`",
            ServerKind::Apache => "write `SSLUseStapling on` in this virtual host and, in the main server config, `SSLStaplingCache \"shmcb:logs/ssl_stapling(32768)\"`",
        };
        let mut f = finding(
            &META,
            ep.stapling.source.span(),
            format!(
                "OCSP stapling is off; the {} profile recommends it, and it can work here ({why})",
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
