//! TLS205 cipher-order: server cipher preference differs from the profile's
//! server_preferred_order.

use crate::finding::{Finding, Severity};
use crate::model::{Endpoint, ServerKind};
use crate::rules::{finding, origin, related_endpoint, Context, Rule, RuleMeta};

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
        let message = if want {
            format!(
                "the server does not enforce its cipher order, but the {} profile wants server-preferred order",
                cx.profile.title()
            )
        } else {
            format!(
                "the server enforces its cipher order, but the {} profile leaves the choice to the client (all its suites are strong; clients pick what is fast for them)",
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
                origin(&s.source)
            ),
            Some(format!(
                "write `{directive} {};`",
                if want { on } else { off }
            )),
            ep,
        );
        related_endpoint(&mut f, ep, &s.source);
        out.push(f);
    }
}
