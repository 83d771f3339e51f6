//! TLS503 hsts-not-always: nginx add_header without `always` (Apache
//! `Header set` without `always`): error responses go without HSTS.

use crate::finding::{Finding, Severity};
use crate::model::{Endpoint, ServerKind};
use crate::rules::tls501_hsts_missing::{serves_http, suggested};
use crate::rules::{finding, related_endpoint, Context, Rule, RuleMeta};

pub struct Tls503;

static META: RuleMeta = RuleMeta {
    code: "TLS503",
    name: "hsts-not-always",
    summary: "nginx add_header without `always`: error responses go without HSTS",
    severity: Severity::Warning,
};

impl Rule for Tls503 {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, cx: &Context<'_>, ep: &Endpoint, out: &mut Vec<Finding>) {
        let Some(h) = &ep.hsts.value else { return };
        if h.always || !serves_http(ep) {
            return;
        }
        let msg = match ep.server {
            ServerKind::Nginx => "add_header without `always` sends HSTS only with 2xx and 3xx responses, not with error pages",
            ServerKind::Apache => "`Header set` without `always` (the onsuccess condition) adds the header to successful responses only: error pages and the redirects httpd generates itself go without HSTS",
        };
        let mut f = finding(
            &META,
            ep.hsts.source.span(),
            msg.into(),
            "HSTS without `always`".into(),
            Some(format!("write `{}`", suggested(cx, ep.server))),
            ep,
        );
        related_endpoint(&mut f, ep, &ep.hsts.source);
        out.push(f);
    }
}
