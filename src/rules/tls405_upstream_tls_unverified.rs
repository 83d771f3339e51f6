//! TLS405 upstream-tls-unverified: TLS to an upstream (`proxy_pass https://`,
//! `grpc_pass grpcs://`, ...) without verifying its certificate against a
//! trusted CA file; Apache: SSLProxyVerify none or SSLProxyCheckPeerName off.
//! Upstreams on loopback addresses are left out: nobody is on that path.

use crate::finding::{Finding, Related, Severity};
use crate::model::{Endpoint, ServerKind, Source, UpstreamTls};
use crate::rules::{finding, Context, Rule, RuleMeta};

pub struct Tls405;

static META: RuleMeta = RuleMeta {
    code: "TLS405",
    name: "upstream-tls-unverified",
    summary: "TLS to an upstream without verifying its certificate (proxy_ssl_verify off or no trusted certificate; SSLProxyVerify none, SSLProxyCheckPeerName off)",
    severity: Severity::Warning,
};

/// The module prefix of the directives (`proxy`, `grpc`, `uwsgi`).
fn prefix(u: &UpstreamTls) -> &'static str {
    let t = u.target.to_ascii_lowercase();
    if t.starts_with("grpcs://") {
        "grpc"
    } else if t.starts_with("suwsgi://") {
        "uwsgi"
    } else {
        "proxy"
    }
}

fn loopback(target: &str) -> bool {
    let rest = target.split_once("://").map(|(_, r)| r).unwrap_or(target);
    let host = if let Some(r) = rest.strip_prefix('[') {
        r.split(']').next().unwrap_or("")
    } else {
        rest.split([':', '/']).next().unwrap_or("")
    };
    host.eq_ignore_ascii_case("localhost")
        || host
            .parse::<std::net::IpAddr>()
            .map(|ip| ip.is_loopback())
            .unwrap_or(false)
}

fn at(u: &UpstreamTls, src: &Source) -> crate::source::Span {
    match src {
        Source::Set(s) | Source::Inherited(s) => *s,
        Source::Default { .. } => u.span,
    }
}

impl Rule for Tls405 {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, cx: &Context<'_>, ep: &Endpoint, out: &mut Vec<Finding>) {
        for u in &ep.upstreams {
            if loopback(&u.target) {
                continue;
            }
            let (span, message, label, help) = match ep.server {
                ServerKind::Nginx => {
                    let p = prefix(u);
                    if !u.verify.value {
                        (
                            at(u, &u.verify.source),
                            format!(
                                "TLS to {} without {p}_ssl_verify on{}: nginx accepts any certificate the upstream shows, so anyone on the path can read and change the traffic",
                                u.target,
                                if matches!(u.verify.source, Source::Default { .. }) { " (off by default)" } else { "" }
                            ),
                            "upstream certificate not verified".to_string(),
                            format!("write `{p}_ssl_verify on;` and `{p}_ssl_trusted_certificate /etc/ssl/certs/ca-certificates.crt;` (or your internal CA), with `{p}_ssl_server_name on;`"),
                        )
                    } else if u.trusted_certificate.value.is_none() {
                        (
                            at(u, &u.verify.source),
                            format!(
                                "{p}_ssl_verify on without {p}_ssl_trusted_certificate for {}: nginx refuses to start (\"no {p}_ssl_trusted_certificate for {p}_ssl_verify\")",
                                u.target
                            ),
                            "verification without trusted certificates".to_string(),
                            format!("write `{p}_ssl_trusted_certificate /etc/ssl/certs/ca-certificates.crt;` (or your internal CA)"),
                        )
                    } else {
                        continue;
                    }
                }
                ServerKind::Apache => {
                    if !u.verify.value {
                        (
                            at(u, &u.verify.source),
                            format!(
                                "TLS to {} with SSLProxyVerify none{}: mod_proxy accepts any certificate the backend shows, so anyone on the path can read and change the traffic",
                                u.target,
                                if matches!(u.verify.source, Source::Default { .. }) { " (the default)" } else { "" }
                            ),
                            "backend certificate not verified".to_string(),
                            "write `SSLProxyVerify require` and `SSLProxyCACertificateFile /etc/ssl/certs/ca-certificates.crt` (or your internal CA) in this virtual host; SSLProxyCheckPeerName is on by default".to_string(),
                        )
                    } else if let Some(c) = u.check_name.as_ref().filter(|c| !c.value) {
                        // off by SSLProxyCheckPeerName, or by SSLProxyCheckPeerCN
                        // where SSLProxyCheckPeerName is not written
                        let what = if text_at(cx, c.source.span())
                            .to_ascii_lowercase()
                            .contains("peercn")
                        {
                            "SSLProxyCheckPeerCN off (and no SSLProxyCheckPeerName on)"
                        } else {
                            "SSLProxyCheckPeerName off"
                        };
                        (
                            at(u, &c.source),
                            format!("TLS to {} with {what}: any certificate from a trusted CA is accepted, whatever its name", u.target),
                            "backend name not checked".to_string(),
                            format!("remove `{}`, or write `SSLProxyCheckPeerName on`, which checks the name whatever SSLProxyCheckPeerCN says", what.split(" (").next().unwrap_or(what)),
                        )
                    } else {
                        continue;
                    }
                }
            };
            let mut f = finding(&META, span, message, label, Some(help), ep);
            if span != u.span {
                f.related.push(Related {
                    span: u.span,
                    message: format!("TLS to {}", u.target),
                });
            }
            out.push(f);
        }
    }
}

/// The text a span covers: the directive that set a value (SSLProxyCheckPeerName
/// or SSLProxyCheckPeerCN).
fn text_at<'a>(cx: &'a Context<'_>, span: crate::source::Span) -> &'a str {
    cx.sources
        .get(span.file)
        .text
        .get(span.start as usize..span.end as usize)
        .unwrap_or("")
}
