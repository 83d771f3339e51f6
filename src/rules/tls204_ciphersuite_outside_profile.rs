//! TLS204 ciphersuite-outside-profile: a TLS 1.3 suite the profile does not allow.

use crate::finding::{Finding, Severity};
use crate::model::{Endpoint, ServerKind};
use crate::rules::cipher_facts::{conf_command_span, short_list, tls13_enabled, tls13_suites};
use crate::rules::{finding, Context, Rule, RuleMeta};

pub struct Tls204;

static META: RuleMeta = RuleMeta {
    code: "TLS204",
    name: "ciphersuite-outside-profile",
    summary: "a TLS 1.3 suite the profile does not allow",
    severity: Severity::Error,
};

impl Rule for Tls204 {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, cx: &Context<'_>, ep: &Endpoint, out: &mut Vec<Finding>) {
        if !tls13_enabled(cx, ep) {
            return;
        }
        let (suites, src, explicit) = tls13_suites(cx, ep);
        let span = if explicit {
            match ep.server {
                ServerKind::Nginx => src.span(),
                ServerKind::Apache => conf_command_span(ep, &["Ciphersuites"]),
            }
        } else {
            ep.effective_protocols().source.span()
        };
        let suites = match suites {
            Ok(s) => s,
            Err(e) => {
                let mut f = finding(
                    &META,
                    span,
                    match ep.server {
                        ServerKind::Nginx => format!("OpenSSL {} refuses the TLS 1.3 Ciphersuites list ({}): the server will not start", cx.target.openssl, e.reason),
                        ServerKind::Apache => format!("OpenSSL {} refuses the TLS 1.3 suite list ({}): httpd will not start", cx.target.openssl, e.reason),
                    },
                    "invalid Ciphersuites".into(),
                    Some(format!("write `{}`", write(ep, &cx.profile.ciphersuites))),
                    ep,
                );
                f.severity = Severity::Error;
                out.push(f);
                return;
            }
        };
        let bad: Vec<&str> = suites
            .iter()
            .filter(|s| {
                !cx.profile
                    .ciphersuites
                    .iter()
                    .any(|p| p == s.iana_name || p == s.openssl_name)
            })
            .map(|s| s.iana_name)
            .collect();
        if bad.is_empty() {
            return;
        }
        let what = if explicit {
            "the configured TLS 1.3 suites include"
        } else {
            "OpenSSL's default TLS 1.3 suites include"
        };
        out.push(finding(
            &META,
            span,
            format!(
                "{what} {} that the {} profile does not allow",
                short_list(&bad, 5),
                cx.profile.title()
            ),
            "TLS 1.3 suites outside the profile".into(),
            Some(format!("write `{}`", write(ep, &cx.profile.ciphersuites))),
            ep,
        ));
    }
}

fn write(ep: &Endpoint, suites: &[String]) -> String {
    match ep.server {
        ServerKind::Nginx => format!("ssl_conf_command Ciphersuites {};", suites.join(":")),
        ServerKind::Apache => format!("SSLCipherSuite TLSv1.3 {}", suites.join(":")),
    }
}
