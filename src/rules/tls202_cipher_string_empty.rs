//! TLS202 cipher-string-empty: the cipher string selects nothing (or is
//! refused): the server will not start.

use crate::finding::{Finding, Severity};
use crate::model::{Endpoint, ServerKind};
use crate::rules::cipher_facts::{
    directive, expansion, profile_cipher_string, quoted, short_list, stmt, APACHE_CIPHER_SUFFIX,
};
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
            let words: Vec<&str> = e.unknown_words.iter().map(String::as_str).collect();
            why.push_str(&format!("; unknown words: {}", short_list(&words, 10)));
        }
        // (not the `EXP` of the suffix mod_ssl appends)
        let unavailable: Vec<&str> = e
            .unavailable_words
            .iter()
            .map(String::as_str)
            .filter(|w| {
                ep.server == ServerKind::Nginx
                    || ep
                        .ciphers
                        .value
                        .split([':', ',', ' ', '+'])
                        .any(|x| x.trim_start_matches(['!', '-', '+']) == *w)
            })
            .collect();
        if !unavailable.is_empty() {
            why.push_str(&format!(
                "; not in OpenSSL {}: {}",
                cx.target.openssl,
                short_list(&unavailable, 10)
            ));
        }
        let d = directive(ep, "ssl_ciphers", "SSLCipherSuite");
        // the string alone would select suites: mod_ssl's suffix empties it
        if ep.server == ServerKind::Apache
            && crate::rules::cipher_facts::cache()
                .expand(&ep.ciphers.value, &cx.target.openssl)
                .is_ok()
        {
            why.push_str(&format!(
                "; mod_ssl appends `{APACHE_CIPHER_SUFFIX}`, which removes every suite it selects"
            ));
        }
        let stops = if ep.server == ServerKind::Apache {
            "httpd will not start (AH01898: Unable to configure permitted SSL ciphers)"
        } else {
            "the server will not start"
        };
        out.push(finding(
            &META,
            ep.ciphers.source.span(),
            format!(
                "OpenSSL {} refuses `{}` ({}){why}: {stops}",
                cx.target.openssl,
                quoted(&ep.ciphers.value),
                e.reason
            ),
            "selects no cipher suite".into(),
            Some(if cx.profile.ciphers.openssl.is_empty() {
                format!("remove `{d}` or give it suites this OpenSSL has")
            } else {
                let line = format!("{d} {}", profile_cipher_string(cx));
                format!("write `{}`", stmt(ep, &line, &line))
            }),
            ep,
        ));
    }
}
