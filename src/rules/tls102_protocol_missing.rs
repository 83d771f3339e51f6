//! TLS102 protocol-missing: a version the profile lists is not enabled.

use crate::finding::{Finding, Severity};
use crate::model::Endpoint;
use crate::model::ServerKind;
use crate::rules::cipher_facts::{protocols_line, version_available};
use crate::rules::tls101_protocol_outside_profile::ORDER;
use crate::rules::{finding, origin, Context, Rule, RuleMeta};

pub struct Tls102;

static META: RuleMeta = RuleMeta {
    code: "TLS102",
    name: "protocol-missing",
    summary: "a version the profile lists is not enabled (e.g. TLSv1.3)",
    severity: Severity::Warning,
};

impl Rule for Tls102 {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, cx: &Context<'_>, ep: &Endpoint, out: &mut Vec<Finding>) {
        let setting = ep.effective_protocols();
        // nginx refuses to start when the default server of a QUIC address
        // has certificates but ssl_protocols without TLSv1.3 (ngx_http_ssl_init)
        if let Some(l) = ep
            .listen
            .iter()
            .find(|l| l.quic && ep.default_for.contains(&l.socket()))
        {
            if !ep.certificates.is_empty() && !setting.value.iter().any(|p| p == "TLSv1.3") {
                let mut f = finding(
                    &META,
                    setting.source.span(),
                    format!(
                        "nginx refuses to start: \"ssl_protocols\" must enable TLSv1.3 for the \"listen ... quic\" directive ({} on line {})",
                        l.socket(),
                        l.span.line
                    ),
                    format!("no TLSv1.3 ({})", origin(ep, &setting.source)),
                    Some("add TLSv1.3 to ssl_protocols: QUIC is TLS 1.3 only".into()),
                    ep,
                );
                f.severity = Severity::Error;
                out.push(f);
                return;
            }
        }
        let missing: Vec<&str> = ORDER
            .iter()
            .copied()
            .filter(|p| cx.profile.tls_versions.iter().any(|a| a == p))
            .filter(|p| version_available(cx, ep, p))
            .filter(|p| !setting.value.iter().any(|v| v == p))
            .collect();
        if missing.is_empty() {
            return;
        }
        let list = missing.join(", ");
        let mut want: Vec<String> = setting.value.clone();
        for m in &missing {
            want.push(m.to_string());
        }
        want.sort_by_key(|p| ORDER.iter().position(|o| o == p).unwrap_or(99));
        want.retain(|p| cx.profile.tls_versions.iter().any(|a| a == p));
        let want: Vec<&str> = want.iter().map(String::as_str).collect();
        let mut help = format!("write `{}`", protocols_line(ep, &want));
        if ep.server == ServerKind::Apache {
            // the first virtual host of the address decides here
            if let Some((d, _)) = ep.protocols_decided_by.first() {
                help.push_str(&format!(
                    " in the first virtual host of {} ({})",
                    d.socket, d.reason
                ));
            }
        }
        let mut f = finding(
            &META,
            setting.source.span(),
            format!(
                "{list} {} not enabled, but the {} profile lists {}",
                if missing.len() == 1 { "is" } else { "are" },
                cx.profile.title(),
                cx.profile.tls_versions.join(", ")
            ),
            format!(
                "{list} missing ({})",
                crate::rules::origin(ep, &setting.source)
            ),
            Some(help),
            ep,
        );
        crate::rules::related_endpoint(&mut f, ep, &setting.source);
        out.push(f);
    }
}
