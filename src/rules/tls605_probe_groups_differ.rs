//! TLS605 probe-groups-differ: the running server takes other key-exchange
//! groups than its configuration says.

use crate::finding::{Finding, Severity};
use crate::model::Endpoint;
use crate::rules::{Context, Rule, RuleMeta};

pub struct Tls605;

pub static META: RuleMeta = RuleMeta {
    code: "TLS605",
    name: "probe-groups-differ",
    summary: "other groups than the config says",
    severity: Severity::Warning,
};

impl Rule for Tls605 {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    /// Nothing to see in the files alone: see [`compare`].
    fn check(&self, _cx: &Context<'_>, _ep: &Endpoint, _out: &mut Vec<Finding>) {}
}

/// Compare the groups the probe saw with the socket's default server's
/// group list (OpenSSL copies it into each connection before the SNI
/// callback switches to the named server's settings). TLS 1.3 groups are
/// seen through HelloRetryRequests, every group tlslint knows; without TLS
/// 1.3, only the ECDHE curves of TLS 1.2 are tried.
#[cfg(feature = "probe")]
pub fn compare<'a>(
    cx: &Context<'a>,
    o: &crate::rules::probe_facts::Observed<'a>,
    out: &mut Vec<Finding>,
) {
    use crate::rules::cipher_facts::{conf_command_name, conf_command_span, directive, groups};
    use crate::rules::probe_facts::{self as pf, difference};
    use std::collections::BTreeSet;
    let r = o.report;
    if !pf::handshakes(r) {
        return;
    }
    let Some(method) = r.groups_method.as_deref() else {
        return;
    };
    let ep = o.default_ep;
    let (list, parsed, src) = groups(cx, ep);
    let Ok(parsed) = parsed else { return };
    let all = crate::openssl::all_groups();
    let name_of = |id: u16| {
        all.iter()
            .find(|g| g.id == id)
            .map(|g| g.group)
            .unwrap_or("?")
    };
    let tls13 = method.starts_with("TLSv1.3");
    let tested: BTreeSet<u16> = if tls13 {
        all.iter().map(|g| g.id).collect()
    } else {
        crate::probe::legacy::legacy_groups().into_iter().collect()
    };
    // TLS ≤ 1.2 with ECDSA-only ECDHE: the certificates' curves only
    let limit = if tls13 {
        None
    } else {
        pf::legacy_group_limit(cx, o)
    };
    let config: BTreeSet<&str> = parsed
        .groups
        .iter()
        .filter(|g| tested.contains(&g.id))
        .filter(|g| limit.as_ref().is_none_or(|l| l.contains(&g.id)))
        .map(|g| name_of(g.id))
        .collect();
    let wire: BTreeSet<&str> = r
        .groups
        .iter()
        .filter_map(|n| {
            all.iter()
                .find(|g| g.group == n.as_str())
                .map(|g| name_of(g.id))
        })
        .collect();
    if wire == config {
        return;
    }
    let written = conf_command_name(ep, &["Groups", "Curves"]);
    let (span, label) = match written {
        Some(n) => (
            conf_command_span(ep, &["Groups", "Curves"]),
            format!("{n} {list}"),
        ),
        None => (
            src.span(),
            format!(
                "{} {list} ({})",
                directive(ep, "ssl_ecdh_curve", "SSLOpenSSLConfCmd Curves"),
                crate::rules::origin(ep, &src)
            ),
        ),
    };
    let mut message = format!(
        "{} takes the groups {}, the configuration {} ({}; {method})",
        o.wire(),
        wire.iter().copied().collect::<Vec<_>>().join(", "),
        config.iter().copied().collect::<Vec<_>>().join(", "),
        difference(&wire, &config)
    );
    if limit.is_some() {
        message.push_str(
            "; only ECDSA suites use ECDHE here, so only the EC certificates' curves can be seen",
        );
    }
    if ep.span != o.ep.span {
        message.push_str(&format!(
            "; the socket's default {} decides the groups",
            crate::rules::cipher_facts::server_noun(ep)
        ));
    }
    let mut f = pf::finding(&META, o, span, message, label, Some(pf::reload_help(ep)));
    pf::relate(&mut f, o, &src);
    out.push(f);
}
