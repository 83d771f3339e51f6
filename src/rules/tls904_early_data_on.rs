//! TLS904 early-data-on: 0-RTT early data on: replayable requests.

use crate::finding::{Finding, Severity};
use crate::model::Endpoint;
use crate::rules::{finding, Context, Rule, RuleMeta};

pub struct Tls904;

static META: RuleMeta = RuleMeta {
    code: "TLS904",
    name: "early-data-on",
    summary: "0-RTT early data on: replayable requests",
    severity: Severity::Warning,
};

impl Rule for Tls904 {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, _cx: &Context<'_>, ep: &Endpoint, out: &mut Vec<Finding>) {
        if !ep.early_data.value {
            return;
        }
        out.push(finding(
            &META,
            ep.early_data.source.span(),
            "TLS 1.3 early data (0-RTT) is on: requests sent as early data can be replayed by an attacker".into(),
            "0-RTT on".into(),
            Some("write `ssl_early_data off;`, or make the application reject non-idempotent requests with `$ssl_early_data` (`proxy_set_header Early-Data $ssl_early_data;`)".into()),
            ep,
        ));
    }
}
