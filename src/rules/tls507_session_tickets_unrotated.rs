//! TLS507 session-tickets-unrotated: session tickets on where the server
//! version does not rotate ticket keys (nginx 1.5.9 to 1.23.1: one key per
//! start, never rotated; the Mozilla generator turns tickets off there), or
//! with static `ssl_session_ticket_key` files, which nothing rotates.

use crate::finding::{Finding, Related, Severity};
use crate::model::{Endpoint, ServerKind};
use crate::rules::{finding, origin, related_endpoint, Context, Rule, RuleMeta};
use crate::version::Version;

pub struct Tls507;

static META: RuleMeta = RuleMeta {
    code: "TLS507",
    name: "session-tickets-unrotated",
    summary: "session tickets on where the server version does not rotate ticket keys",
    severity: Severity::Warning,
};

impl Rule for Tls507 {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, cx: &Context<'_>, ep: &Endpoint, out: &mut Vec<Finding>) {
        if ep.server != ServerKind::Nginx || !ep.session_tickets.value || ep.reject_handshake.value
        {
            return;
        }
        let v = cx.target.nginx;
        let keys = &ep.session_ticket_keys;
        if !keys.value.is_empty() {
            let mut f = finding(
                &META,
                keys.source.span(),
                format!(
                    "session tickets are encrypted with static keys from {}: nginx never rotates them, so a stolen key decrypts every session recorded while it was in use",
                    keys.value.join(", ")
                ),
                format!("static ticket keys ({})", origin(&keys.source)),
                Some("rotate the key files regularly (and reload nginx), or remove `ssl_session_ticket_key` and use nginx ≥ 1.23.2 with a shared `ssl_session_cache`, which rotates keys itself".into()),
                ep,
            );
            f.related.push(Related {
                span: ep.session_tickets.source.span(),
                message: "session tickets are on".into(),
            });
            out.push(f);
            return;
        }
        if !(Version::new(1, 5, 9) <= v && v < Version::new(1, 23, 2)) {
            return;
        }
        let mut f = finding(
            &META,
            ep.session_tickets.source.span(),
            format!(
                "session tickets are on, and nginx {v} does not rotate ticket keys (automatic rotation came in 1.23.2): a stolen key decrypts every session since the last restart"
            ),
            format!("tickets on ({})", origin(&ep.session_tickets.source)),
            Some("write `ssl_session_tickets off;` (or upgrade to nginx ≥ 1.23.2)".into()),
            ep,
        );
        related_endpoint(&mut f, ep, &ep.session_tickets.source);
        out.push(f);
    }
}
