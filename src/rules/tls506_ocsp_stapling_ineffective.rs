//! TLS506 ocsp-stapling-ineffective: stapling on but it cannot work (verify
//! without trusted certificate, cache missing, a certificate without an OCSP
//! responder URL), or works less well than written (nginx without a
//! `resolver`).
//!
//! nginx without `resolver` still staples: `ngx_ssl_stapling_responder`
//! (src/event/ngx_event_openssl_stapling.c) parses the responder URL with
//! `ngx_parse_url`, which resolves the host name with the system resolver
//! when the configuration is loaded; `ngx_ssl_ocsp_request` then finds no
//! resolver (`NGX_NO_RESOLVER`), logs "no resolver defined to resolve HOST"
//! at warn level and connects to the addresses from startup. A name that does
//! not resolve at startup makes nginx ignore stapling for that certificate
//! ("\"ssl_stapling\" ignored, host not found in OCSP responder"). An IPv4
//! literal needs no resolver (`ngx_resolve_start` answers it itself). Checked
//! with nginx 1.22.1 and `openssl ocsp` as responder on 127.0.0.1.
//!
//! `ssl_stapling_verify` without `ssl_trusted_certificate`: nginx calls
//! `OCSP_basic_verify` with the chain of `ssl_certificate` as trusted
//! (`OCSP_TRUSTOTHER`) and an empty store. Checked on the same setup: a
//! response signed by the issuing CA (sent in the chain) verifies and is
//! stapled; one signed by a delegated responder certificate fails
//! ("self-signed certificate in certificate chain") and nothing is stapled.

use crate::finding::{Finding, Related, Severity};
use crate::model::{Endpoint, ServerKind};
use crate::rules::{finding, Context, Rule, RuleMeta};

pub struct Tls506;

/// The host of an `http://` OCSP URL (None for other schemes: nginx ignores
/// stapling for them, "invalid URL prefix in OCSP responder").
fn url_host(url: &str) -> Option<&str> {
    let rest = url
        .get(..7)
        .filter(|p| p.eq_ignore_ascii_case("http://"))
        .map(|_| &url[7..])?;
    let authority = rest.split(['/', '?']).next().unwrap_or("");
    if authority.starts_with('[') {
        // an IPv6 literal, `[::1]:8080`
        return Some(authority.split_inclusive(']').next().unwrap_or(authority));
    }
    Some(authority.split(':').next().unwrap_or(""))
}

/// nginx looks a host up at run time only when it is not an IPv4 address.
fn needs_lookup(host: &str) -> bool {
    host.parse::<std::net::Ipv4Addr>().is_err()
}

/// The note for nginx's `ssl_stapling` without `resolver`: the responder
/// hosts that are names (None when every responder is an IPv4 address, or
/// no certificate read names one: TLS506's other finding says so).
fn no_resolver(cx: &Context<'_>, ep: &Endpoint, span: crate::source::Span) -> Option<Finding> {
    let urls: Vec<Option<String>> = match &ep.stapling_responder.value {
        Some(r) => vec![Some(r.clone())],
        None => ep
            .certificates
            .iter()
            .map(|p| {
                cx.files
                    .leaf(p)
                    .map(|leaf| leaf.ocsp_urls.first().cloned().unwrap_or_default())
            })
            .collect(),
    };
    let mut hosts: Vec<&str> = Vec::new();
    let mut unread = false;
    for u in &urls {
        match u {
            None => unread = true,
            Some(u) => {
                if let Some(h) = url_host(u).filter(|h| !h.is_empty() && needs_lookup(h)) {
                    if !hosts.contains(&h) {
                        hosts.push(h);
                    }
                }
            }
        }
    }
    let host = match (hosts.first(), unread) {
        (Some(_), _) => hosts.join(", "),
        (None, true) => "the OCSP responder's host".to_string(),
        (None, false) => return None,
    };
    let mut f = finding(
        &META,
        span,
        format!(
            "ssl_stapling without a resolver: nginx looks up {host} once, with the system resolver, when it loads the configuration, and keeps those addresses until the next reload; every OCSP refresh logs \"no resolver defined to resolve {}\", and a name that does not resolve at startup turns stapling off for its certificate (\"ssl_stapling\" ignored, host not found in OCSP responder)",
            hosts.first().copied().unwrap_or("HOST")
        ),
        "stapling with the addresses from startup".into(),
        Some("write `resolver 127.0.0.53;` (your DNS resolver) in this server or at http level, so that nginx follows the responder's address changes".into()),
        ep,
    );
    f.severity = Severity::Info;
    Some(f)
}

static META: RuleMeta = RuleMeta {
    code: "TLS506",
    name: "ocsp-stapling-ineffective",
    summary: "stapling on but it cannot work (verify without trusted certificate, cache missing, certificate without OCSP URL), or nginx has no resolver",
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
            if let Some(f) = no_resolver(cx, ep, span) {
                out.push(f);
            }
        }
        if ep.stapling_verify.value && ep.trusted_certificate.value.is_none() {
            let mut f = finding(
                &META,
                ep.stapling_verify.source.span(),
                "ssl_stapling_verify is on but no ssl_trusted_certificate is set: nginx verifies OCSP responses only with the certificates ssl_certificate sends, so a response signed by the issuing CA itself verifies, but one signed by a delegated OCSP responder certificate fails (\"OCSP_basic_verify() failed\") and nothing is stapled".into(),
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
