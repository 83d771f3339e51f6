//! TLS501 hsts-missing: no Strict-Transport-Security on a TLS endpoint.

use crate::finding::{Finding, Severity};
use crate::model::{Endpoint, ServerKind};
use crate::rules::{finding, Context, Rule, RuleMeta};

pub struct Tls501;

static META: RuleMeta = RuleMeta {
    code: "TLS501",
    name: "hsts-missing",
    summary: "no Strict-Transport-Security on a TLS endpoint",
    severity: Severity::Warning,
};

/// The header line to suggest, with the profile's minimum age.
pub fn suggested(cx: &Context<'_>, server: ServerKind) -> String {
    let age = cx.profile.hsts_min_age.unwrap_or(63_072_000);
    match server {
        ServerKind::Nginx => {
            format!(
                "add_header Strict-Transport-Security \"max-age={age}; includeSubDomains\" always;"
            )
        }
        ServerKind::Apache => {
            format!(
                "Header always set Strict-Transport-Security \"max-age={age}; includeSubDomains\""
            )
        }
    }
}

/// Endpoints that do not serve HTTP (stream, catch-alls that reject every
/// handshake or close every connection unanswered: nginx `return 444`).
pub fn serves_http(ep: &Endpoint) -> bool {
    ep.context != "stream" && !ep.reject_handshake.value && ep.never_answers.is_none()
}

/// The copyable fix that adds `always` to a header as written: the same
/// value (as written, variables and all), sent with every response.
pub fn with_always(h: &crate::model::Hsts, server: ServerKind) -> String {
    let value = h.written.as_deref().unwrap_or(&h.value);
    match server {
        ServerKind::Nginx if h.directive == "more_set_headers" => {
            format!("more_set_headers \"Strict-Transport-Security: {value}\";")
        }
        ServerKind::Nginx => format!("add_header Strict-Transport-Security \"{value}\" always;"),
        ServerKind::Apache => format!("Header always set Strict-Transport-Security \"{value}\""),
    }
}

impl Rule for Tls501 {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, cx: &Context<'_>, ep: &Endpoint, out: &mut Vec<Finding>) {
        // a server whose own add_header drops the http-level HSTS is TLS504's;
        // one whose locations / sections send it is TLS509's (or covered)
        if !serves_http(ep)
            || ep.hsts.value.is_some()
            || ep.hsts_dropped.iter().any(|d| d.block == ep.span)
            || ep.hsts_blocks.iter().any(|b| b.hsts.is_some())
        {
            return;
        }
        out.push(finding(
            &META,
            ep.hsts.source.span(),
            "no Strict-Transport-Security header: browsers may still try plain HTTP first".into(),
            match ep.server {
                ServerKind::Nginx => "this server sends no HSTS header".into(),
                ServerKind::Apache => "this virtual host sends no HSTS header".into(),
            },
            Some(match ep.server {
                ServerKind::Nginx => format!(
                    "write `{}` in this server (or at http level)",
                    suggested(cx, ep.server)
                ),
                ServerKind::Apache => format!(
                    "write `{}` in this virtual host (or in the main server config); it needs mod_headers",
                    suggested(cx, ep.server)
                ),
            }),
            ep,
        ));
    }
}
