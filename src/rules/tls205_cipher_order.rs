//! TLS205 cipher-order: server cipher preference differs from the profile's
//! server_preferred_order.

use crate::finding::{Finding, Severity};
use crate::model::{Endpoint, ServerKind};
use crate::rules::cipher_facts::stmt;
use crate::rules::{finding, Context, Rule, RuleMeta};

pub struct Tls205;

static META: RuleMeta = RuleMeta {
    code: "TLS205",
    name: "cipher-order",
    summary: "server cipher preference differs from the profile's server_preferred_order",
    severity: Severity::Warning,
};

impl Rule for Tls205 {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, cx: &Context<'_>, ep: &Endpoint, out: &mut Vec<Finding>) {
        if ep.reject_handshake.value {
            return;
        }
        let want = cx.profile.server_preferred_order;
        let s = &ep.prefer_server_ciphers;
        if s.value == want {
            return;
        }
        let (directive, on, off) = match ep.server {
            ServerKind::Nginx => ("ssl_prefer_server_ciphers", "on", "off"),
            ServerKind::Apache => ("SSLHonorCipherOrder", "on", "off"),
        };
        let who = match ep.server {
            ServerKind::Nginx => "the server",
            ServerKind::Apache => "the virtual host",
        };
        let message = if want {
            format!(
                "{who} does not enforce its cipher order, but the {} profile wants server-preferred order",
                cx.profile.title()
            )
        } else {
            format!(
                "{who} enforces its cipher order, but the {} profile leaves the choice to the client (all its suites are strong; clients pick what is fast for them)",
                cx.profile.title()
            )
        };
        let mut f = finding(
            &META,
            s.source.span(),
            message,
            format!(
                "{directive} {} ({})",
                if s.value { on } else { off },
                crate::rules::origin(ep, &s.source)
            ),
            Some({
                let line = format!("{directive} {}", if want { on } else { off });
                format!("write `{}`", stmt(ep, &line, &line))
            }),
            ep,
        );
        crate::rules::related_endpoint(&mut f, ep, &s.source);
        out.push(f);
    }
}
