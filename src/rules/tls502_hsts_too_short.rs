//! TLS502 hsts-too-short: max-age below the profile's hsts_min_age.

use crate::finding::{Finding, Severity};
use crate::model::Endpoint;
use crate::rules::tls501_hsts_missing::{serves_http, suggested};
use crate::rules::{finding, origin, related_endpoint, Context, Rule, RuleMeta};

pub struct Tls502;

static META: RuleMeta = RuleMeta {
    code: "TLS502",
    name: "hsts-too-short",
    summary: "max-age below the profile's hsts_min_age",
    severity: Severity::Warning,
};

/// The `max-age` of a Strict-Transport-Security value (RFC 6797 §6.1.1), if any.
pub fn max_age(value: &str) -> Option<u64> {
    for part in value.split(';') {
        let part = part.trim();
        let Some((k, v)) = part.split_once('=') else {
            continue;
        };
        if k.trim().eq_ignore_ascii_case("max-age") {
            return v.trim().trim_matches('"').parse().ok();
        }
    }
    None
}

impl Rule for Tls502 {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, cx: &Context<'_>, ep: &Endpoint, out: &mut Vec<Finding>) {
        let Some(min) = cx.profile.hsts_min_age else {
            return;
        };
        if !serves_http(ep) {
            return;
        }
        // the server level's header and each one a location / section sends
        for (h, src, block) in ep.hsts_headers() {
            if h.value.contains('$') {
                // built from variables at request time: not checkable here
                continue;
            }
            let age = max_age(&h.value);
            if age.is_some_and(|a| a >= min) {
                continue;
            }
            let what = match age {
                Some(a) => format!("max-age={a} is shorter than"),
                None => "the header has no valid max-age, so it does not reach".to_string(),
            };
            let built = match &h.written {
                Some(w) => format!(" (`{w}` is `{}`)", h.value),
                None => String::new(),
            };
            let mut f = finding(
                &META,
                src.span(),
                format!(
                    "{what} the {} profile's minimum of {min} seconds{built}",
                    cx.profile.title()
                ),
                match block {
                    Some(b) => format!("HSTS max-age for {}", b.label),
                    None => format!("HSTS max-age ({})", origin(ep, src)),
                },
                Some(format!("write `{}`", suggested(cx, ep.server))),
                ep,
            );
            related_endpoint(&mut f, ep, src);
            out.push(f);
        }
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn parses_max_age() {
        assert_eq!(
            super::max_age("max-age=63072000; includeSubDomains"),
            Some(63072000)
        );
        assert_eq!(
            super::max_age("includeSubDomains; MAX-AGE=\"10\""),
            Some(10)
        );
        assert_eq!(super::max_age("includeSubDomains"), None);
    }
}
