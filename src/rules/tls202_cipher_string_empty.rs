//! TLS202 cipher-string-empty: the cipher string selects nothing (or is
//! refused): the server will not start.

use crate::finding::{Finding, Severity};
use crate::model::Endpoint;
use crate::rules::cipher_facts::{directive, expansion, profile_cipher_string};
use crate::rules::{finding, Context, Rule, RuleMeta};

pub struct Tls202;

static META: RuleMeta = RuleMeta {
    code: "TLS202",
    name: "cipher-string-empty",
    summary: "the cipher string selects nothing: the server will not start",
    severity: Severity::Error,
};

impl Rule for Tls202 {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, cx: &Context<'_>, ep: &Endpoint, out: &mut Vec<Finding>) {
        let Err(e) = expansion(cx, ep) else { return };
        let mut why = String::new();
        if !e.unknown_words.is_empty() {
            why.push_str(&format!("; unknown words: {}", e.unknown_words.join(", ")));
        }
        if !e.unavailable_words.is_empty() {
            why.push_str(&format!(
                "; not in OpenSSL {}: {}",
                cx.target.openssl,
                e.unavailable_words.join(", ")
            ));
        }
        let d = directive(ep, "ssl_ciphers", "SSLCipherSuite");
        out.push(finding(
            &META,
            ep.ciphers.source.span(),
            format!(
                "OpenSSL {} refuses `{}` ({}){why}: the server will not start",
                cx.target.openssl, ep.ciphers.value, e.reason
            ),
            "selects no cipher suite".into(),
            Some(if cx.profile.ciphers.openssl.is_empty() {
                format!("remove `{d}` or give it suites this OpenSSL has")
            } else {
                format!("write `{d} {};`", profile_cipher_string(cx))
            }),
            ep,
        ));
    }
}
