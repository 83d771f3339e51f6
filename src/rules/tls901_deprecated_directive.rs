//! TLS901 deprecated-directive: `ssl on`, `listen ... http2`,
//! SSLCertificateChainFile, ... for the target version.

use crate::finding::{Finding, Severity};
use crate::model::{Endpoint, ServerKind};
use crate::rules::{finding, Context, Rule, RuleMeta};
use crate::version::Version;

pub struct Tls901;

static META: RuleMeta = RuleMeta {
    code: "TLS901",
    name: "deprecated-directive",
    summary: "`ssl on`, `listen ... http2`, SSLCertificateChainFile, ... for the target version",
    severity: Severity::Warning,
};

impl Rule for Tls901 {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, cx: &Context<'_>, ep: &Endpoint, out: &mut Vec<Finding>) {
        if ep.server == ServerKind::Apache {
            apache(cx, ep, out);
            return;
        }
        let v = cx.target.nginx;
        if let Some(span) = ep.ssl_on {
            if v >= Version::new(1, 15, 0) {
                let removed = v >= Version::new(1, 25, 1);
                let message = if removed {
                    format!(
                        "`ssl on` was removed in nginx 1.25.1: nginx {v} refuses to start with it"
                    )
                } else {
                    format!("`ssl on` is deprecated since nginx 1.15.0 (modelled: {v})")
                };
                let mut f = finding(
                    &META,
                    span,
                    message,
                    "deprecated".into(),
                    Some("remove `ssl on;` and write `listen 443 ssl;` (the `ssl` parameter on each TLS listen)".into()),
                    ep,
                );
                if removed {
                    f.severity = Severity::Error;
                }
                out.push(f);
            }
        }
        if v >= Version::new(1, 25, 1) {
            for l in ep.listen.iter().filter(|l| l.http2) {
                out.push(finding(
                    &META,
                    l.span,
                    format!("the `http2` parameter of `listen` is deprecated since nginx 1.25.1 (modelled: {v})"),
                    "deprecated `http2` parameter".into(),
                    Some("remove `http2` from the listen line and write `http2 on;` in the server".into()),
                    ep,
                ));
            }
        }
    }
}

/// Apache: `SSLCertificateChainFile`, obsolete since httpd 2.4.8, where
/// SSLCertificateFile reads the intermediate certificates after the leaf
/// (mod_ssl's documentation; the directive still works in 2.4).
fn apache(cx: &Context<'_>, ep: &Endpoint, out: &mut Vec<Finding>) {
    let v = cx.target.apache;
    if v < Version::new(2, 4, 8) {
        return;
    }
    // one chain file for all the pairs of a virtual host
    let Some(chain) = ep.certificates.iter().find_map(|p| p.chain.as_ref()) else {
        return;
    };
    let mut f = finding(
        &META,
        chain.source.span(),
        format!("SSLCertificateChainFile is obsolete since httpd 2.4.8 (modelled: {v}): SSLCertificateFile reads the intermediate certificates itself"),
        "obsolete directive".into(),
        Some("append the intermediate certificates to the SSLCertificateFile, after the server certificate, and remove SSLCertificateChainFile".into()),
        ep,
    );
    crate::rules::related_endpoint(&mut f, ep, &chain.source);
    out.push(f);
}
