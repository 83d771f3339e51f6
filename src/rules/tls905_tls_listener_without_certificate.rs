//! TLS905 tls-listener-without-certificate: a TLS socket whose server has no
//! certificate and does not reject handshakes: the server will not start.
//!
//! nginx (ngx_http_ssl_init) checks the default server of every TLS address:
//! without a certificate it must reject handshakes, and then every other
//! server on the address must have a certificate or reject handshakes too.
//!
//! httpd (mod_ssl `ssl_init_server_ctx`): a virtual host with `SSLEngine on`
//! and no SSLCertificateFile (nor `SSLOpenSSLConfCmd Certificate`) fails
//! `SSL_CTX_check_private_key`, and httpd does not start (AH02572) — unless
//! a module such as mod_md supplies a certificate, which tlslint cannot see.

use crate::finding::{Finding, Related, Severity};
use crate::model::{Endpoint, ServerKind};
use crate::rules::{finding, Context, Rule, RuleMeta};

pub struct Tls905;

static META: RuleMeta = RuleMeta {
    code: "TLS905",
    name: "tls-listener-without-certificate",
    summary: "a TLS socket whose server has no certificate and does not reject handshakes: the server will not start",
    severity: Severity::Error,
};

fn without_certificate(ep: &Endpoint) -> bool {
    ep.certificates.is_empty() && !ep.reject_handshake.value
}

impl Rule for Tls905 {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, cx: &Context<'_>, ep: &Endpoint, out: &mut Vec<Finding>) {
        if ep.server == ServerKind::Apache {
            apache(ep, out);
            return;
        }
        if !without_certificate(ep) {
            return;
        }
        let file = cx.sources.path(ep.span.file).display().to_string();
        for l in &ep.listen {
            let socket = l.socket();
            let kind = if l.quic { "quic" } else { "ssl" };
            let is_default = ep.default_for.contains(&socket)
                || ep.ssl_on.is_some() && ep.default_for.is_empty();
            let default = cx
                .endpoints
                .iter()
                .find(|e| e.default_for.contains(&socket) && e.context == ep.context);
            let refused = if is_default {
                true
            } else {
                // behind a default server that rejects handshakes and has no certificate
                default.is_some_and(|d| d.certificates.is_empty() && d.reject_handshake.value)
            };
            if !refused {
                continue;
            }
            let mut f = finding(
                &META,
                l.span,
                format!(
                    "nginx refuses to start: no \"ssl_certificate\" is defined for the \"listen ... {kind}\" directive in {file}:{}",
                    ep.span.line
                ),
                "TLS listener without a certificate".into(),
                Some("write `ssl_certificate` and `ssl_certificate_key` in this server (or at http level), or `ssl_reject_handshake on;` for a catch-all server".into()),
                ep,
            );
            if let (false, Some(d)) = (is_default, default) {
                f.related.push(Related {
                    span: d.span,
                    message: format!("the default server of {socket} rejects handshakes and has no certificate, so every server on it needs one"),
                });
            }
            out.push(f);
            break;
        }
    }
}

fn apache(ep: &Endpoint, out: &mut Vec<Finding>) {
    if !ep.certificates.is_empty()
        || crate::rules::cipher_facts::conf_command(ep, &["Certificate"]).is_some()
    {
        return;
    }
    let engine = ep.apache.as_ref().and_then(|a| a.engine);
    let mut f = finding(
        &META,
        engine.unwrap_or(ep.span),
        "httpd refuses to start: SSLEngine is on, but no SSLCertificateFile is configured (AH02572: Failed to configure at least one certificate and key)".into(),
        "TLS without a certificate".into(),
        Some("write `SSLCertificateFile` and `SSLCertificateKeyFile` in this <VirtualHost> (or in the main server config), or `SSLEngine off` if it should serve plain HTTP".into()),
        ep,
    );
    if engine.is_some_and(|e| e != ep.span) && ep.context == "vhost" {
        f.related.push(Related {
            span: ep.span,
            message: "the virtual host it applies to".into(),
        });
    }
    out.push(f);
}
