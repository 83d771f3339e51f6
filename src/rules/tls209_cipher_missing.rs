//! TLS209 cipher-missing: profile suites that are not enabled: the profile's
//! oldest clients may fail to connect.

use crate::finding::{Finding, Severity};
use crate::model::Endpoint;
use crate::rules::cipher_facts::{
    directive, expansion, profile_cipher_string, short_list, stmt, tls12_enabled, usable,
};
use crate::rules::{finding, Context, Rule, RuleMeta};

pub struct Tls209;

static META: RuleMeta = RuleMeta {
    code: "TLS209",
    name: "cipher-missing",
    summary:
        "profile suites that are not enabled: the profile's oldest clients may fail to connect",
    severity: Severity::Info,
};

impl Rule for Tls209 {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, cx: &Context<'_>, ep: &Endpoint, out: &mut Vec<Finding>) {
        if !tls12_enabled(cx, ep) {
            return;
        }
        let Ok(exp) = expansion(cx, ep) else { return };
        let enabled = usable(ep, &exp.suites);
        let v = cx.target.openssl;
        // suites this OpenSSL build does not have cannot be enabled: not reported
        let missing: Vec<&str> = cx
            .profile
            .ciphers
            .openssl
            .iter()
            .filter(|n| crate::openssl::suite_by_name(n).is_some_and(|s| s.available_in(&v)))
            .filter(|n| !enabled.iter().any(|s| s.openssl_name == n.as_str()))
            .map(|n| n.as_str())
            .collect();
        if missing.is_empty() {
            return;
        }
        let mut f = finding(
            &META,
            ep.ciphers.source.span(),
            format!(
                "{} of the {} profile's suites {} not enabled: {} (the profile's oldest clients: {})",
                missing.len(),
                cx.profile.title(),
                if missing.len() == 1 { "is" } else { "are" },
                short_list(&missing, 6),
                cx.profile.oldest_clients.join(", ")
            ),
            format!("profile suites missing ({})", crate::rules::origin(ep, &ep.ciphers.source)),
            Some({
                let line = format!(
                    "{} {}",
                    directive(ep, "ssl_ciphers", "SSLCipherSuite"),
                    profile_cipher_string(cx)
                );
                format!("write `{}`", stmt(ep, &line, &line))
            }),
            ep,
        );
        crate::rules::related_endpoint(&mut f, ep, &ep.ciphers.source);
        out.push(f);
    }
}
