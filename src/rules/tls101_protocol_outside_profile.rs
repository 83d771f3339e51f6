//! TLS101 protocol-outside-profile: an enabled protocol version the profile
//! does not allow.

use crate::finding::{Finding, Related, Severity};
use crate::model::{Endpoint, ServerKind, Setting, Source};
use crate::rules::cipher_facts::{protocols_line, set_here, version_available};
use crate::rules::{endpoint_ref, Context, Rule, RuleMeta};
use crate::version::Version;

pub struct Tls101;

static META: RuleMeta = RuleMeta {
    code: "TLS101",
    name: "protocol-outside-profile",
    summary: "an enabled protocol version the profile does not allow",
    severity: Severity::Error,
};

/// Protocol names as nginx writes them, oldest first.
pub const ORDER: &[&str] = &["SSLv2", "SSLv3", "TLSv1", "TLSv1.1", "TLSv1.2", "TLSv1.3"];

/// Whether the modelled OpenSSL can speak a protocol at all: SSLv2 went in
/// 1.1.0, SSLv3 is not built by default since 1.1.0 (`no-ssl3`), TLSv1.3
/// arrived in 1.1.1.
pub fn openssl_has(proto: &str, openssl: Version) -> bool {
    match proto {
        "SSLv2" | "SSLv3" => openssl < Version::new(1, 1, 0),
        "TLSv1.3" => openssl >= Version::new(1, 1, 1),
        _ => true,
    }
}

impl Rule for Tls101 {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, cx: &Context<'_>, ep: &Endpoint, out: &mut Vec<Finding>) {
        let deciders: Vec<(&Setting<Vec<String>>, Option<&crate::model::DecidedBy>)> =
            if ep.protocols_decided_by.is_empty() {
                vec![(&ep.protocols, None)]
            } else {
                ep.protocols_decided_by
                    .iter()
                    .map(|(d, s)| (s, Some(d)))
                    .collect()
            };
        let allowed = &cx.profile.tls_versions;
        for (setting, decided) in deciders {
            let bad: Vec<&String> = setting
                .value
                .iter()
                .filter(|p| ORDER.contains(&p.as_str()))
                .filter(|p| openssl_has(p, cx.target.openssl))
                .filter(|p| !allowed.iter().any(|a| a == *p))
                .collect();
            if bad.is_empty() {
                continue;
            }
            let list = bad
                .iter()
                .map(|s| s.as_str())
                .collect::<Vec<_>>()
                .join(", ");
            let verb = if bad.len() == 1 { "is" } else { "are" };
            let mut message = format!(
                "{list} {verb} enabled, but the {} profile allows only {}",
                cx.profile.title(),
                allowed.join(", ")
            );
            // OpenSSL 3.0 and later refuse TLS 1.0/1.1 (SHA-1/MD5 handshake
            // signatures) at security level 1 and above
            let legacy = bad
                .iter()
                .any(|p| matches!(p.as_str(), "SSLv3" | "TLSv1" | "TLSv1.1"));
            if legacy && cx.target.openssl >= Version::new(3, 0, 0) {
                if let Ok(exp) = crate::rules::cipher_facts::expansion(cx, ep) {
                    let level = exp.seclevel.unwrap_or(1);
                    if level > 0 {
                        message.push_str(&format!(
                            " (configured, though OpenSSL {} at security level {level} negotiates TLS 1.0/1.1 only if the cipher string lowers it with @SECLEVEL=0)",
                            cx.target.openssl
                        ));
                    }
                }
            }
            let apache = ep.server == ServerKind::Apache;
            let label = match (&setting.source, apache) {
                (Source::Set(_), _) => format!("enables {list}"),
                (Source::Inherited(_), false) => {
                    format!("enables {list}; inherited by this server")
                }
                (Source::Inherited(_), true) => {
                    format!("enables {list}; inherited from the main server config")
                }
                (Source::Default { note, .. }, false) => format!("no ssl_protocols: {note}"),
                (Source::Default { note, .. }, true) => format!("no SSLProtocol: {note}"),
            };
            let mut related = Vec::new();
            if let Some(d) = decided {
                related.push(Related {
                    span: ep.span,
                    message: if apache {
                        format!(
                            "this virtual host's own protocols do not apply on {}: {}; the first virtual host of the address decides",
                            d.socket, d.reason
                        )
                    } else {
                        format!(
                            "this server's own ssl_protocols do not apply on {}: {}; the default server decides",
                            d.socket, d.reason
                        )
                    },
                });
            } else if !matches!(setting.source, Source::Set(_)) {
                related.push(Related {
                    span: ep.span,
                    message: if apache {
                        "the virtual host that inherits it".into()
                    } else {
                        "the server that inherits it".into()
                    },
                });
            }
            let mut want: Vec<&str> = ORDER
                .iter()
                .copied()
                .filter(|p| allowed.iter().any(|a| a == p) && version_available(cx, ep, p))
                .collect();
            if want.is_empty() {
                want = allowed.iter().map(|s| s.as_str()).collect();
            }
            let mut help = format!("write `{}`", protocols_line(ep, &want));
            match (&setting.source, decided, apache) {
                (_, Some(d), false) => help.push_str(&format!(
                    " in the default server of {} (or at http level, for every server)",
                    d.socket
                )),
                (_, Some(d), true) => help.push_str(&format!(
                    " in the first virtual host of {} (or in the main server config, for every virtual host that sets none)",
                    d.socket
                )),
                (Source::Default { .. }, None, _) => {
                    help.push_str(&format!(" {}", set_here(ep)))
                }
                (Source::Inherited(_), None, false) => {
                    help.push_str(" where it is inherited from, or override it in this server")
                }
                (Source::Inherited(_), None, true) => help.push_str(
                    " in the main server config, or override it in this <VirtualHost>",
                ),
                (Source::Set(_), None, _) => help.push_str(" instead"),
            }
            out.push(Finding {
                code: META.code,
                name: META.name,
                severity: META.severity,
                message,
                span: setting.source.span(),
                label,
                related,
                help: Some(help),
                endpoints: vec![endpoint_ref(ep)],
                evidence: Default::default(),
            });
        }
    }
}
