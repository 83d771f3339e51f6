//! TLS905 tls-listener-without-certificate: a TLS socket whose (default)
//! server has no certificate and does not reject handshakes: the server will
//! not start ("no ssl_certificate is defined for server listening on SSL port").

use crate::finding::{Finding, Severity};
use crate::model::Endpoint;
use crate::rules::{finding, Context, Rule, RuleMeta};

pub struct Tls905;

static META: RuleMeta = RuleMeta {
    code: "TLS905",
    name: "tls-listener-without-certificate",
    summary: "a TLS socket whose server has no certificate and does not reject handshakes: the server will not start",
    severity: Severity::Error,
};

impl Rule for Tls905 {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, _cx: &Context<'_>, ep: &Endpoint, out: &mut Vec<Finding>) {
        if !ep.certificates.is_empty() || ep.reject_handshake.value {
            return;
        }
        // nginx requires a certificate of the default server of each TLS socket
        // (and of every server with `ssl on` / a QUIC listener)
        let tls_default: Vec<&String> = ep
            .default_for
            .iter()
            .filter(|s| ep.listen.iter().any(|l| &l.socket() == *s))
            .collect();
        if tls_default.is_empty() && ep.ssl_on.is_none() {
            return;
        }
        let span = ep.listen.first().map(|l| l.span).unwrap_or(ep.span);
        let sockets = tls_default
            .iter()
            .map(|s| s.as_str())
            .collect::<Vec<_>>()
            .join(", ");
        out.push(finding(
            &META,
            span,
            format!("no ssl_certificate for the default server of {sockets}: nginx refuses to start (\"no ssl_certificate is defined for server listening on SSL port\")"),
            "TLS listener without a certificate".into(),
            Some("write `ssl_certificate` and `ssl_certificate_key` in this server (or at http level), or `ssl_reject_handshake on;` for a catch-all server".into()),
            ep,
        ));
    }
}
