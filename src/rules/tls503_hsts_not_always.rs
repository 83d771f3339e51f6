//! TLS503 hsts-not-always: nginx add_header without `always` (headers-more
//! `more_set_headers -s`/`-t`, Apache `Header set|add|append|merge` without
//! `always`): error responses go without HSTS. Every message names the
//! directive as written.

use crate::finding::{Finding, Severity};
use crate::model::{Endpoint, Hsts, ServerKind};
use crate::rules::tls501_hsts_missing::{serves_http, with_always};
use crate::rules::{finding, related_endpoint, Context, Rule, RuleMeta};

pub struct Tls503;

static META: RuleMeta = RuleMeta {
    code: "TLS503",
    name: "hsts-not-always",
    summary: "nginx add_header without `always`: error responses go without HSTS",
    severity: Severity::Warning,
};

/// Why the header is not sent with every response, naming the directive
/// as written.
fn why(h: &Hsts, server: ServerKind) -> String {
    match server {
        ServerKind::Nginx if h.directive == "more_set_headers" => {
            if h.statuses.is_empty() {
                "`more_set_headers -t` sends HSTS only with the content types it lists: other responses, error pages among them, go without".into()
            } else {
                let list: Vec<String> = h.statuses.iter().map(|s| s.to_string()).collect();
                format!(
                    "`more_set_headers -s` sends HSTS only with status {}: other responses, error pages among them, go without",
                    list.join(", ")
                )
            }
        }
        ServerKind::Nginx => format!(
            "`{}` without `always` sends HSTS only with 2xx and 3xx responses, not with error pages",
            h.directive
        ),
        ServerKind::Apache => format!(
            "`{}` without `always` (the onsuccess condition) adds the header to successful responses only: error pages and the redirects httpd generates itself go without HSTS",
            h.directive
        ),
    }
}

impl Rule for Tls503 {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, _cx: &Context<'_>, ep: &Endpoint, out: &mut Vec<Finding>) {
        if !serves_http(ep) {
            return;
        }
        // the server level's header and each one a location / section sends
        for (h, src, block) in ep.hsts_headers() {
            if h.always {
                continue;
            }
            let mut f = finding(
                &META,
                src.span(),
                why(h, ep.server),
                match block {
                    Some(b) => format!("HSTS without `always` for {}", b.label),
                    None => "HSTS without `always`".into(),
                },
                Some(format!("write `{}`", with_always(h, ep.server))),
                ep,
            );
            related_endpoint(&mut f, ep, src);
            out.push(f);
        }
    }
}
