//! TLS208 dhparam-weak: DHE enabled with DH parameters below the profile's
//! dh_param_size (or none where they are needed).

use crate::finding::{Finding, Severity};
use crate::model::{Endpoint, ServerKind};
use crate::rules::cipher_facts::{expansion, is_dhe, profile_allows, tls12_enabled};
use crate::rules::{finding, Context, Rule, RuleMeta};

pub struct Tls208;

static META: RuleMeta = RuleMeta {
    code: "TLS208",
    name: "dhparam-weak",
    summary: "DHE enabled with DH parameters below the profile's dh_param_size (or none where they are needed)",
    severity: Severity::Error,
};

impl Rule for Tls208 {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, cx: &Context<'_>, ep: &Endpoint, out: &mut Vec<Finding>) {
        if ep.server != ServerKind::Nginx || !tls12_enabled(cx, ep) || ep.dhparam.value.is_some() {
            return;
        }
        let Ok(exp) = expansion(cx, ep) else { return };
        // DHE suites the profile wants, configured but unusable without parameters
        let wanted: Vec<&str> = exp
            .suites
            .iter()
            .filter(|s| is_dhe(s) && profile_allows(cx, s))
            .map(|s| s.openssl_name)
            .collect();
        if wanted.is_empty() {
            return;
        }
        let size = cx.profile.dh_param_size.unwrap_or(2048);
        out.push(finding(
            &META,
            ep.dhparam.source.span(),
            format!(
                "the cipher list has DHE suites the {} profile relies on ({}), but without ssl_dhparam nginx cannot use them",
                cx.profile.title(),
                wanted.join(", ")
            ),
            "no DH parameters".into(),
            Some(format!(
                "write `ssl_dhparam /etc/nginx/ffdhe{size}.pem;` with the RFC 7919 group (https://ssl-config.mozilla.org/ffdhe{size}.txt)"
            )),
            ep,
        ));
    }
}
