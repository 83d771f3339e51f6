//! TLS303 certificate-expired: a certificate the server sends has expired or
//! is not yet valid (`--now` sets the clock).

use crate::finding::{Finding, Severity};
use crate::model::Endpoint;
use crate::rules::cert_facts::{at_setting, nth, readable_pairs, sent_in, sent_setting, when};
use crate::rules::{Context, Rule, RuleMeta};

pub struct Tls303;

static META: RuleMeta = RuleMeta {
    code: "TLS303",
    name: "certificate-expired",
    summary: "a certificate the server sends has expired or is not yet valid",
    severity: Severity::Error,
};

impl Rule for Tls303 {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, cx: &Context<'_>, ep: &Endpoint, out: &mut Vec<Finding>) {
        let now = cx.files.now;
        for (pair, sent) in readable_pairs(cx, ep) {
            for (i, c) in sent.iter().enumerate() {
                // a root sent along is not used by clients (TLS311)
                if i > 0 && c.self_signed {
                    continue;
                }
                let file = sent_in(pair, i);
                let (message, label) = if now > c.not_after {
                    (
                        format!(
                            "{} {file} expired on {}: clients refuse the connection",
                            nth(i, c),
                            when(c.not_after, now)
                        ),
                        "expired certificate".to_string(),
                    )
                } else if now < c.not_before {
                    (
                        format!(
                            "{} {file} is not valid before {}: clients refuse the connection until then",
                            nth(i, c),
                            when(c.not_before, now)
                        ),
                        "certificate not yet valid".to_string(),
                    )
                } else {
                    continue;
                };
                let help = if i == 0 {
                    "renew the certificate and reload the server"
                } else {
                    "replace the intermediate with the current one from your CA"
                };
                out.push(at_setting(
                    &META,
                    sent_setting(pair, i),
                    message,
                    label,
                    Some(help.into()),
                    ep,
                ));
            }
        }
    }
}
