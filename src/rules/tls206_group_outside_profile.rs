//! TLS206 group-outside-profile: a group/curve outside the profile's tls_curves.

use crate::finding::{Finding, Severity};
use crate::model::{Endpoint, ServerKind, Source};
use crate::openssl::GroupLookup;
use crate::rules::cipher_facts::{conf_command_span, groups, short_list};
use crate::rules::{finding, Context, Rule, RuleMeta};

pub struct Tls206;

static META: RuleMeta = RuleMeta {
    code: "TLS206",
    name: "group-outside-profile",
    summary: "a group/curve outside the profile's tls_curves",
    severity: Severity::Warning,
};

/// The OpenSSL group a name stands for, in any version (aliases resolved).
pub fn canonical(name: &str) -> Option<&'static str> {
    let n = name.trim_start_matches('?');
    crate::openssl::all_groups()
        .iter()
        .find(|g| g.name.eq_ignore_ascii_case(n))
        .map(|g| g.group)
}

impl Rule for Tls206 {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, cx: &Context<'_>, ep: &Endpoint, out: &mut Vec<Finding>) {
        let (list, parsed, src) = groups(cx, ep);
        // OpenSSL's own default list (nginx `auto`, nothing configured) is not
        // reported: clients negotiate within it, and no server can list fewer
        // defaults; an explicit list is the operator's choice and is checked.
        // `tlslint probe` does the same on the wire: groups that are exactly
        // an OpenSSL default list (`ProbeReport::groups_default`; nginx 1.22.1
        // with OpenSSL 3.0 and `auto` takes x25519, secp256r1, x448,
        // secp521r1, secp384r1 and ffdhe2048-8192, `default_groups`) are
        // not reported, and TLS605 finds no difference for `auto`.
        if matches!(src, Source::Default { .. })
            || list == "auto"
            || cx.profile.tls_curves.is_empty()
            || list.eq_ignore_ascii_case("DEFAULT")
            || ep.reject_handshake.value
        {
            return;
        }
        let Ok(parsed) = parsed else { return };
        let allowed: Vec<&str> = cx
            .profile
            .tls_curves
            .iter()
            .filter_map(|c| canonical(c))
            .collect();
        let bad: Vec<&str> = parsed
            .groups
            .iter()
            .filter(|g| !allowed.contains(&g.group))
            .map(|g| g.name)
            .collect();
        if bad.is_empty() {
            return;
        }
        let usable: Vec<&str> = cx
            .profile
            .tls_curves
            .iter()
            .filter(|c| {
                matches!(
                    crate::openssl::lookup_group(c, &cx.target.openssl),
                    GroupLookup::Known(_)
                )
            })
            .map(|c| c.as_str())
            .collect();
        let write = match ep.server {
            ServerKind::Nginx => format!("ssl_ecdh_curve {};", usable.join(":")),
            ServerKind::Apache => format!("SSLOpenSSLConfCmd Curves {}", usable.join(":")),
        };
        let span = match ep.server {
            ServerKind::Nginx => src.span(),
            ServerKind::Apache => conf_command_span(ep, &["Groups", "Curves"]),
        };
        out.push(finding(
            &META,
            span,
            format!(
                "groups outside the {} profile: {} (it lists {})",
                cx.profile.title(),
                short_list(&bad, 6),
                cx.profile.tls_curves.join(", ")
            ),
            "groups outside the profile".into(),
            Some(format!("write `{write}`")),
            ep,
        ));
    }
}
