//! TLS404 client-verify-depth: the verify depth is shorter than chains
//! through the client CA file need (OpenSSL ≥ 1.1.0 counts the intermediate
//! CAs: neither the client's certificate nor the root counts).

use crate::finding::{Finding, Severity};
use crate::model::{Endpoint, ServerKind};
use crate::rules::cert_facts::{at_setting, shown, verifies_clients};
use crate::rules::{Context, Rule, RuleMeta};

pub struct Tls404;

static META: RuleMeta = RuleMeta {
    code: "TLS404",
    name: "client-verify-depth",
    summary: "the verify depth is shorter than the client CA chain needs",
    severity: Severity::Warning,
};

impl Rule for Tls404 {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, cx: &Context<'_>, ep: &Endpoint, out: &mut Vec<Finding>) {
        if !verifies_clients(ep) {
            return;
        }
        let Some(ca) = &ep.client_certificate.value else {
            return;
        };
        let Some(r) = cx.files.ca_file(ep) else {
            return;
        };
        let Some((intermediates, i)) = r.depth_needed else {
            return;
        };
        // mod_ssl's verify callback refuses any certificate deeper than
        // SSLVerifyDepth (the client's is 0, the root is intermediates + 1);
        // OpenSSL's own verify depth counts only the intermediates
        let needed = match ep.server {
            ServerKind::Nginx => intermediates,
            ServerKind::Apache => intermediates + 1,
        };
        let depth = ep.verify_depth.value;
        if depth >= needed {
            return;
        }
        let Some(data) = cx.files.get(ca).data() else {
            return;
        };
        let Some(c) = data.certs.get(i) else { return };
        let d = match ep.server {
            ServerKind::Nginx => "ssl_verify_depth",
            ServerKind::Apache => "SSLVerifyDepth",
        };
        let label = format!("{d} {depth}");
        let help = match ep.server {
            ServerKind::Nginx => format!("write `ssl_verify_depth {needed};`"),
            ServerKind::Apache => format!("write `SSLVerifyDepth {needed}`"),
        };
        let message = match ep.server {
            ServerKind::Nginx => format!(
                "{d} {depth} is shorter than client certificates issued by {} ({}) need: {needed} intermediate CA(s) between them and the root; OpenSSL rejects them (\"certificate chain too long\")",
                c.short_name(),
                shown(ca)
            ),
            ServerKind::Apache => format!(
                "{d} {depth} is shorter than client certificates issued by {} ({}) need: their chains have {needed} CA certificate(s) above the client's, root included ({intermediates} intermediate(s)), and mod_ssl rejects certificates deeper than {d} (AH02040 \"Certificate Chain too long\")",
                c.short_name(),
                shown(ca)
            ),
        };
        out.push(at_setting(
            &META,
            &ep.verify_depth,
            message,
            label,
            Some(help),
            ep,
        ));
    }
}
