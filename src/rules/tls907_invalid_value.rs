//! TLS907 invalid-value: a value the server software does not accept: it
//! will not start.

use crate::finding::{Finding, Severity};
use crate::model::{Endpoint, ServerKind};
use crate::rules::tls101_protocol_outside_profile::ORDER;
use crate::rules::{finding, Context, Rule, RuleMeta};

pub struct Tls907;

static META: RuleMeta = RuleMeta {
    code: "TLS907",
    name: "invalid-value",
    summary: "a value the server software does not accept: it will not start",
    severity: Severity::Error,
};

impl Rule for Tls907 {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, _cx: &Context<'_>, ep: &Endpoint, out: &mut Vec<Finding>) {
        let directive = match ep.server {
            ServerKind::Nginx => "ssl_protocols",
            ServerKind::Apache => "SSLProtocol",
        };
        for v in ep
            .protocols
            .value
            .iter()
            .filter(|p| !ORDER.contains(&p.as_str()))
        {
            out.push(finding(
                &META,
                ep.protocols.source.span(),
                format!(
                    "invalid value \"{v}\" in \"{directive}\" directive: the server will not start"
                ),
                format!("`{v}` is not a protocol name"),
                Some(format!("use the names {}", ORDER.join(", "))),
                ep,
            ));
        }
    }
}
