//! TLS201 cipher-outside-profile: the expanded TLS ≤ 1.2 cipher list has
//! suites the profile does not allow.

use crate::finding::{Finding, Severity};
use crate::model::Endpoint;
use crate::model::ServerKind;
use crate::rules::cipher_facts::{
    directive, expansion, profile_allows, profile_cipher_string, short_list, stmt, tls12_enabled,
    unusable_note, usable,
};
use crate::rules::{finding, Context, Rule, RuleMeta};

pub struct Tls201;

static META: RuleMeta = RuleMeta {
    code: "TLS201",
    name: "cipher-outside-profile",
    summary: "the expanded TLS ≤1.2 cipher list has suites the profile does not allow (name them)",
    severity: Severity::Error,
};

impl Rule for Tls201 {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, cx: &Context<'_>, ep: &Endpoint, out: &mut Vec<Finding>) {
        if !tls12_enabled(cx, ep) {
            return;
        }
        let Ok(exp) = expansion(cx, ep) else { return };
        let suites = usable(ep, &exp.suites);
        let bad: Vec<&str> = suites
            .iter()
            .filter(|s| !profile_allows(cx, s))
            .map(|s| s.openssl_name)
            .collect();
        if bad.is_empty() {
            return;
        }
        let d = directive(ep, "ssl_ciphers", "SSLCipherSuite");
        let help = match (cx.profile.ciphers.openssl.is_empty(), ep.server) {
            (true, ServerKind::Nginx) => format!(
                "the {} profile has no TLS ≤ 1.2 suites: enable only TLS 1.3",
                cx.profile.title()
            ),
            (true, ServerKind::Apache) => format!(
                "the {} profile has no TLS ≤ 1.2 suites: enable only TLS 1.3 (`SSLProtocol -all +TLSv1.3`)",
                cx.profile.title()
            ),
            (false, _) => {
                let line = format!("{d} {}", profile_cipher_string(cx));
                format!("write `{}`", stmt(ep, &line, &line))
            }
        };
        let mut f = finding(
            &META,
            ep.ciphers.source.span(),
            format!(
                "`{}` enables {} suite{} the {} profile does not allow: {}",
                crate::rules::cipher_facts::quoted(&ep.ciphers.value),
                bad.len(),
                if bad.len() == 1 { "" } else { "s" },
                cx.profile.title(),
                short_list(&bad, 8)
            ),
            format!(
                "{}; {}",
                unusable_note(ep, exp.suites.len(), suites.len()),
                crate::rules::origin(ep, &ep.ciphers.source)
            ),
            Some(help),
            ep,
        );
        crate::rules::related_endpoint(&mut f, ep, &ep.ciphers.source);
        out.push(f);
    }
}
