//! TLS207 group-unsupported: a group the modelled OpenSSL does not know: the
//! server will not start.

use crate::finding::{Finding, Severity};
use crate::model::{Endpoint, ServerKind};
use crate::rules::cipher_facts::{conf_command_name, conf_command_span, groups};
use crate::rules::{finding, Context, Rule, RuleMeta};
use crate::version::Version;

pub struct Tls207;

static META: RuleMeta = RuleMeta {
    code: "TLS207",
    name: "group-unsupported",
    summary: "a group the modelled OpenSSL does not know: the server will not start",
    severity: Severity::Error,
};

impl Rule for Tls207 {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, cx: &Context<'_>, ep: &Endpoint, out: &mut Vec<Finding>) {
        let (list, parsed, src) = groups(cx, ep);
        let Err(e) = parsed else { return };
        let v = cx.target.openssl;
        let help = match (&e.name, e.since) {
            (Some(n), Some(since)) if v >= Version::new(3, 3, 0) => {
                format!("`{n}` needs OpenSSL {since}: remove it, or write `?{n}` so that OpenSSL ≥ 3.3 skips it where unknown")
            }
            (Some(n), Some(since)) => format!(
                "`{n}` needs OpenSSL {since}: remove it (the `?{n}` tolerance needs OpenSSL 3.3)"
            ),
            (Some(n), None) => format!("`{n}` is not a group name: remove or correct it"),
            _ => "correct the list (names separated by `:`)".to_string(),
        };
        let (span, message) = match ep.server {
            ServerKind::Nginx => (
                src.span(),
                format!(
                    "OpenSSL {v} refuses the group list `{list}` ({}): the server will not start",
                    e.reason
                ),
            ),
            ServerKind::Apache => {
                let name = conf_command_name(ep, &["Groups", "Curves"]).unwrap_or("Curves");
                (
                    conf_command_span(ep, &["Groups", "Curves"]),
                    format!(
                        "OpenSSL {v} refuses `SSLOpenSSLConfCmd {name} {list}` ({}): httpd will not start (AH02407)",
                        e.reason
                    ),
                )
            }
        };
        out.push(finding(
            &META,
            span,
            message,
            "group list refused".into(),
            Some(help),
            ep,
        ));
    }
}
