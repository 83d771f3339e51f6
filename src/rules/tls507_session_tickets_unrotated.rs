//! TLS507 session-tickets-unrotated: session tickets on where the server
//! version does not rotate ticket keys (nginx 1.5.9 to 1.23.1: one key per
//! start, never rotated; the Mozilla generator turns tickets off there), or
//! with static `ssl_session_ticket_key` files, which nothing rotates. Apache:
//! httpd never rotates ticket keys (OpenSSL's key lives until the next
//! restart, SSLSessionTicketKeyFile is static), so tickets on is reported for
//! every version, as Mozilla's generator writes `SSLSessionTickets off`.
//! nginx 1.23.2 and later rotates keys only through a shared session cache:
//! tickets on without `ssl_session_ticket_key` and without a `shared:` zone
//! are reported too (info for TLS 1.3 only without early data).

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

/// nginx ≥ 1.23.2 rotates ticket keys only when they live in a shared
/// session cache: `ngx_ssl_session_ticket_keys` (ngx_event_openssl.c) leaves
/// ticket encryption to OpenSSL when there are no `ssl_session_ticket_key`
/// files and no `shared:` zone in `ssl_session_cache`, and OpenSSL keeps the
/// key it made with the server's SSL_CTX until the next reload;
/// `ngx_ssl_rotate_ticket_keys` rotates only keys marked shared.
fn unshared(ep: &Endpoint, v: Version, out: &mut Vec<Finding>) {
    let cache = &ep.session_cache;
    if cache
        .value
        .split_whitespace()
        .any(|w| w.starts_with("shared:"))
    {
        return;
    }
    // TLS 1.3 only, as Mozilla's Modern configuration: the ticket is sent
    // encrypted, and a resumption with a fresh key exchange (psk_dhe_ke,
    // what browsers offer) does not depend on the ticket key alone; only
    // early data is encrypted with keys the ticket carries
    let tls13_only = ep.protocols.value.iter().all(|p| p == "TLSv1.3")
        && !ep.protocols.value.is_empty()
        && !ep.early_data.value;
    let written = if matches!(cache.source, crate::model::Source::Default { .. }) {
        "no `ssl_session_cache`".to_string()
    } else {
        format!("`ssl_session_cache {}`", cache.value)
    };
    let message = if tls13_only {
        format!(
            "session tickets are on with {written} (no shared cache), so nginx {v} never rotates the ticket key: OpenSSL keeps the key it made when nginx read its configuration until the next reload. With TLS 1.3 only and no early data a stolen key decrypts no recorded session that resumed with a fresh key exchange, as browsers do; this is stricter than Mozilla's generator, whose Modern configuration for nginx ≥ 1.23.2 is this shape (tickets on, the session cache commented out)"
        )
    } else {
        format!(
            "session tickets are on with {written} (no shared cache), so nginx {v} never rotates the ticket key: OpenSSL keeps the key it made when nginx read its configuration until the next reload, and a stolen key decrypts every TLS 1.2 session since then"
        )
    };
    let mut f = finding(
        &META,
        cache.source.span(),
        message,
        format!("no shared session cache ({})", origin(ep, &cache.source)),
        Some("write `ssl_session_cache shared:SSL:10m;` (nginx ≥ 1.23.2 then rotates ticket keys itself), or `ssl_session_tickets off;`".into()),
        ep,
    );
    if tls13_only {
        f.severity = Severity::Info;
    }
    if ep.session_tickets.source.span() != cache.source.span() {
        f.related.push(Related {
            span: ep.session_tickets.source.span(),
            message: format!(
                "session tickets are on ({})",
                origin(ep, &ep.session_tickets.source)
            ),
        });
    }
    related_endpoint(&mut f, ep, &cache.source);
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
        if v >= Version::new(1, 23, 2) {
            unshared(ep, v, out);
            return;
        }
        if v < Version::new(1, 5, 9) {
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
