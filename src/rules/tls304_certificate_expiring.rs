//! TLS304 certificate-expiring: a certificate the server sends expires within
//! `--expiry-warn-days` (default 30).

use crate::finding::{Finding, Severity};
use crate::model::Endpoint;
use crate::rules::cert_facts::{at_setting, nth, readable_pairs, sent_in, sent_setting, when};
use crate::rules::{Context, Rule, RuleMeta};

pub struct Tls304;

static META: RuleMeta = RuleMeta {
    code: "TLS304",
    name: "certificate-expiring",
    summary: "a certificate the server sends expires within --expiry-warn-days (default 30)",
    severity: Severity::Warning,
};

impl Rule for Tls304 {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, cx: &Context<'_>, ep: &Endpoint, out: &mut Vec<Finding>) {
        let now = cx.files.now;
        let window = cx.files.expiry_warn_days as i64 * 86400;
        for (pair, sent) in readable_pairs(cx, ep) {
            for (i, c) in sent.iter().enumerate() {
                if (i > 0 && c.self_signed) || now > c.not_after || now < c.not_before {
                    continue;
                }
                if c.not_after - now >= window {
                    continue;
                }
                out.push(at_setting(
                    &META,
                    sent_setting(pair, i),
                    format!(
                        "{} {} expires on {}, within {} days",
                        nth(i, c),
                        sent_in(pair, i),
                        when(c.not_after, now),
                        cx.files.expiry_warn_days
                    ),
                    "certificate expires soon".into(),
                    Some("renew it now (and check that automatic renewal works and reloads the server)".into()),
                    ep,
                ));
            }
        }
    }
}
