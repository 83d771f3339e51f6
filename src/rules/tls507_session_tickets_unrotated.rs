//! TLS507 session-tickets-unrotated: session tickets on where the server
//! version does not rotate ticket keys (nginx 1.5.9 to 1.23.1: one key per
//! start, never rotated; the Mozilla generator turns tickets off there), or
//! with static `ssl_session_ticket_key` files, which nothing rotates. Apache:
//! httpd never rotates ticket keys (OpenSSL's key lives until the next
//! restart, SSLSessionTicketKeyFile is static), so tickets on is reported for
//! every version, as Mozilla's generator writes `SSLSessionTickets off`.

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

/// httpd never rotates ticket keys: without SSLSessionTicketKeyFile OpenSSL
/// makes one when httpd starts (or reloads) and keeps it; the key file is
/// static. Mozilla's generator writes `SSLSessionTickets off` (httpd ≥ 2.4.11).
fn apache(cx: &Context<'_>, ep: &Endpoint, out: &mut Vec<Finding>) {
    let has_off = cx.target.apache >= Version::new(2, 4, 11);
    let help = if has_off {
        "write `SSLSessionTickets off` (as Mozilla's generator does for httpd ≥ 2.4.11): resumption then uses the SSLSessionCache".to_string()
    } else {
        format!(
            "upgrade httpd (modelled: {}) to 2.4.11 or later and write `SSLSessionTickets off`",
            cx.target.apache
        )
    };
    let keys = &ep.session_ticket_keys;
    let src = if keys.value.is_empty() {
        &ep.session_tickets.source
    } else {
        &keys.source
    };
    let mut f = if !keys.value.is_empty() {
        let mut f = finding(
            &META,
            keys.source.span(),
            format!(
                "session tickets are encrypted with the static key in {}: httpd reads it at startup and never rotates it, so a stolen key decrypts every session recorded while it was in use",
                keys.value.join(", ")
            ),
            format!("static ticket key ({})", origin(ep, &keys.source)),
            Some(format!("{help}; or replace the key file regularly and reload httpd")),
            ep,
        );
        f.related.push(Related {
            span: ep.session_tickets.source.span(),
            message: "session tickets are on".into(),
        });
        f
    } else {
        finding(
            &META,
            ep.session_tickets.source.span(),
            "session tickets are on, and httpd does not rotate ticket keys: OpenSSL makes one when httpd starts and keeps it until the next restart or reload, so a stolen key decrypts every session since then".into(),
            format!("tickets on ({})", origin(ep, &ep.session_tickets.source)),
            Some(help),
            ep,
        )
    };
    related_endpoint(&mut f, ep, src);
    out.push(f);
}

impl Rule for Tls507 {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, cx: &Context<'_>, ep: &Endpoint, out: &mut Vec<Finding>) {
        if !ep.session_tickets.value || ep.reject_handshake.value {
            return;
        }
        if ep.server == ServerKind::Apache {
            apache(cx, ep, out);
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
                format!("static ticket keys ({})", origin(ep, &keys.source)),
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
            format!("tickets on ({})", origin(ep, &ep.session_tickets.source)),
            Some("write `ssl_session_tickets off;` (or upgrade to nginx ≥ 1.23.2)".into()),
            ep,
        );
        related_endpoint(&mut f, ep, &ep.session_tickets.source);
        out.push(f);
    }
}
