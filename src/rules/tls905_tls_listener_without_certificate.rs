//! TLS905 tls-listener-without-certificate: a TLS socket whose server has no
//! certificate and does not reject handshakes: the server will not start.
//!
//! nginx (ngx_http_ssl_init) checks the default server of every TLS address:
//! without a certificate it must reject handshakes, and then every other
//! server on the address must have a certificate or reject handshakes too.

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
        if ep.server != ServerKind::Nginx || !without_certificate(ep) {
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
