//! TLS103 protocol-not-honoured: per-server protocols that the server
//! software will not apply, because the default server of the socket
//! decides the protocol version (nginx before 1.29.2 or OpenSSL < 1.1.1;
//! Apache before 2.4.42 or OpenSSL < 1.1.1).

use crate::finding::{Finding, Related, Severity};
use crate::model::{Endpoint, ServerKind, Source};
use crate::rules::{finding, Context, Rule, RuleMeta};
use crate::version::Version;

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

    fn check(&self, cx: &Context<'_>, ep: &Endpoint, out: &mut Vec<Finding>) {
        for (by, setting) in &ep.protocols_decided_by {
            if setting.value == ep.protocols.value {
                continue;
            }
            if ep.server == ServerKind::Apache {
                out.push(apache(cx, ep, by, setting));
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

/// Apache: the first virtual host of the address decides, before httpd
/// 2.4.42 / OpenSSL 1.1.1 always, later where neither this virtual host nor
/// the main server sets SSLProtocol.
fn apache(
    cx: &Context<'_>,
    ep: &Endpoint,
    by: &crate::model::DecidedBy,
    setting: &crate::model::Setting<Vec<String>>,
) -> Finding {
    let who = if by.server_names.iter().all(|n| n.is_empty()) {
        "the first virtual host of the address".to_string()
    } else {
        format!(
            "the first virtual host of the address ({})",
            by.server_names.join(" ")
        )
    };
    let own = match &ep.protocols.source {
        Source::Default { .. } => {
            "this virtual host sets no SSLProtocol, and httpd's default protocols"
        }
        _ => "this virtual host's SSLProtocol",
    };
    let honoured =
        cx.target.apache >= Version::new(2, 4, 42) && cx.target.openssl >= Version::new(1, 1, 1);
    let (label, help) = if by.reason.contains("`SSLOpenSSLConfCmd Protocol`") {
        (
            "narrowed by the first virtual host's Protocol command".to_string(),
            format!(
                "move the `SSLOpenSSLConfCmd Protocol` out of the first virtual host of {} (into the main server config if every name should have it), and limit versions with SSLProtocol, which each virtual host keeps; {}",
                by.socket, by.reason
            ),
        )
    } else if by.reason.contains("no protocol version left") {
        (
            "no handshake possible on this address".to_string(),
            format!(
                "give the first virtual host of {} at least one protocol version (`SSLProtocol -all +TLSv1.2 +TLSv1.3`); {}",
                by.socket, by.reason
            ),
        )
    } else if honoured && matches!(ep.protocols.source, Source::Default { .. }) {
        (
            "no SSLProtocol here or in the main server config".to_string(),
            format!(
                "write SSLProtocol in this <VirtualHost> or in the main server config (`SSLProtocol -all +TLSv1.2 +TLSv1.3`), so that it applies to this virtual host; {}",
                by.reason
            ),
        )
    } else {
        (
            "not applied on this address".to_string(),
            format!(
                "give every virtual host on {} the same SSLProtocol (write it once in the main server config), or run httpd ≥ 2.4.42 with OpenSSL ≥ 1.1.1, where the virtual host SNI selects decides; {}",
                by.socket, by.reason
            ),
        )
    };
    let mut f = finding(
        &META,
        ep.protocols.source.span(),
        format!(
            "{own} ({}) are not applied on {}: {who} decides, with {}",
            ep.protocols.value.join(" "),
            by.socket,
            setting.value.join(" ")
        ),
        label,
        Some(help),
        ep,
    );
    f.related.push(Related {
        span: setting.source.span(),
        message: format!("the protocols that apply on {}", by.socket),
    });
    f
}
