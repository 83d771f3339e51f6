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
            let repeat = format!("repeat `{}` in this block", suggested(cx, ep.server));
            let (message, label, help) = match (ep.server, d.by.as_str()) {
                (ServerKind::Nginx, "add_header") => (
                    "this add_header replaces every inherited add_header, so responses from this block have no Strict-Transport-Security".to_string(),
                    "drops the inherited HSTS header",
                    format!("{repeat} (or, with nginx ≥ 1.29.3, write `add_header_inherit merge;`)"),
                ),
                (ServerKind::Nginx, "add_header_inherit") => (
                    "`add_header_inherit off` stops the inherited add_header lines, so responses from this block have no Strict-Transport-Security".to_string(),
                    "drops the inherited HSTS header",
                    format!("{repeat} (or write `add_header_inherit merge;`)"),
                ),
                (ServerKind::Nginx, by @ ("more_clear_headers" | "more_set_headers")) => (
                    format!("this `{by}` removes the Strict-Transport-Security header, so responses from this block have none"),
                    "removes the HSTS header",
                    "remove it: HSTS applies to the whole host, whatever the path".to_string(),
                ),
                (ServerKind::Nginx, _) => (
                    "the Strict-Transport-Security value is empty in this block, so nginx sends no header with its responses".to_string(),
                    "drops the HSTS header",
                    repeat,
                ),
                (ServerKind::Apache, by) => (
                    format!("this `{by}` removes the Strict-Transport-Security header the virtual host sets, so responses from this section have no HSTS"),
                    "removes the HSTS header",
                    "remove it: HSTS applies to the whole host, whatever the path".to_string(),
                ),
            };
            let mut f = finding(&META, d.add_header, message, label.into(), Some(help), ep);
            f.related.push(Related {
                span: d.inherited.unwrap_or(ep.hsts.source.span()),
                message: "the HSTS header that is dropped".into(),
            });
            // a shared location template: where this server takes it in
            if let Some(inc) = d.included_at {
                f.related.push(Related {
                    span: inc,
                    message: "the block comes in through this include".into(),
                });
            }
            out.push(f);
        }
    }
}
