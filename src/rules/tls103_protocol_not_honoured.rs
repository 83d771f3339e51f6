//! TLS103 protocol-not-honoured: per-server protocols that the server
//! software will not apply, because the default server of the socket
//! decides the protocol version (nginx before 1.29.2 or OpenSSL < 1.1.1;
//! Apache before 2.4.42 or OpenSSL < 1.1.1).

use crate::finding::{Finding, Related, Severity};
use crate::model::Endpoint;
use crate::rules::{finding, Context, Rule, RuleMeta};

pub struct Tls103;

static META: RuleMeta = RuleMeta {
    code: "TLS103",
    name: "protocol-not-honoured",
    summary: "per-server protocols that the server software will not apply (the default server / base vhost of the socket decides, by version)",
    severity: Severity::Warning,
};

impl Rule for Tls103 {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, _cx: &Context<'_>, ep: &Endpoint, out: &mut Vec<Finding>) {
        for (by, setting) in &ep.protocols_decided_by {
            if setting.value == ep.protocols.value {
                continue;
            }
            let who = if by.server_names.iter().all(|n| n.is_empty()) {
                "the default server".to_string()
            } else {
                format!("the default server ({})", by.server_names.join(" "))
            };
            let mut f = finding(
                &META,
                ep.protocols.source.span(),
                format!(
                    "this server's protocols ({}) are not applied on {}: {who} decides, with {}",
                    ep.protocols.value.join(" "),
                    by.socket,
                    setting.value.join(" ")
                ),
                "not applied on this socket".into(),
                Some(format!(
                    "give every server on {} the same ssl_protocols (set them at http level), or run nginx ≥ 1.29.2 with OpenSSL ≥ 1.1.1, where the server SNI selects decides; {}",
                    by.socket, by.reason
                )),
                ep,
            );
            f.related.push(Related {
                span: setting.source.span(),
                message: format!("the protocols that apply on {}", by.socket),
            });
            out.push(f);
        }
    }
}
