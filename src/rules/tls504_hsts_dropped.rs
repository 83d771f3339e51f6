//! TLS504 hsts-dropped: an inner add_header (location, if) drops the
//! inherited HSTS header.

use crate::finding::{Finding, Related, Severity};
use crate::model::{Endpoint, ServerKind};
use crate::rules::tls501_hsts_missing::{serves_http, suggested};
use crate::rules::{finding, Context, Rule, RuleMeta};

pub struct Tls504;

static META: RuleMeta = RuleMeta {
    code: "TLS504",
    name: "hsts-dropped",
    summary: "an inner add_header (location, if) drops the inherited HSTS header",
    severity: Severity::Warning,
};

impl Rule for Tls504 {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, cx: &Context<'_>, ep: &Endpoint, out: &mut Vec<Finding>) {
        if !serves_http(ep) {
            return;
        }
        for d in &ep.hsts_dropped {
            let (message, label, help) = match ep.server {
                ServerKind::Nginx => (
                    "this add_header replaces every inherited add_header, so responses from this block have no Strict-Transport-Security".to_string(),
                    "drops the inherited HSTS header",
                    format!(
                        "repeat `{}` in this block (or, with nginx ≥ 1.29.3, write `add_header_inherit merge;`)",
                        suggested(cx, ep.server)
                    ),
                ),
                ServerKind::Apache => (
                    "this Header directive unsets the Strict-Transport-Security header the virtual host sets, so responses from this section have no HSTS".to_string(),
                    "removes the HSTS header",
                    "remove it: HSTS applies to the whole host, whatever the path".to_string(),
                ),
            };
            let mut f = finding(&META, d.add_header, message, label.into(), Some(help), ep);
            f.related.push(Related {
                span: d.inherited.unwrap_or(ep.hsts.source.span()),
                message: "the HSTS header that is dropped".into(),
            });
            out.push(f);
        }
    }
}
