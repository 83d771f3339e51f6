//! TLS306 certificate-key-weak: the certificate's key type, RSA size or curve
//! is outside the profile's certificate_types, rsa_key_size and
//! certificate_curves.

use crate::certs::facts::KeyKind;
use crate::finding::{Finding, Severity};
use crate::model::Endpoint;
use crate::rules::cert_facts::{at_setting, readable_pairs, shown};
use crate::rules::{Context, Rule, RuleMeta};

pub struct Tls306;

static META: RuleMeta = RuleMeta {
    code: "TLS306",
    name: "certificate-key-weak",
    summary: "the certificate's key type, RSA size or curve is outside the profile's certificate_types, rsa_key_size, certificate_curves",
    severity: Severity::Error,
};

impl Rule for Tls306 {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, cx: &Context<'_>, ep: &Endpoint, out: &mut Vec<Finding>) {
        let p = cx.profile;
        for (pair, sent) in readable_pairs(cx, ep) {
            let leaf = &sent[0];
            let what = format!(
                "the certificate {} in {} has an {} key",
                leaf.short_name(),
                shown(&pair.certificate.value),
                leaf.key_description()
            )
            .replace(" an DSA", " a DSA");
            let problem = if !p.certificate_types.is_empty()
                && !p
                    .certificate_types
                    .iter()
                    .any(|t| t.eq_ignore_ascii_case(leaf.key_kind.profile_name()))
            {
                Some((
                    format!(
                        "{what}; the {} profile allows {} certificates",
                        p.title(),
                        p.certificate_types.join(", ")
                    ),
                    format!("{} key", leaf.key_kind.label()),
                    format!(
                        "issue a certificate with a {} key",
                        if p.certificate_types.iter().any(|t| t == "ecdsa") {
                            "P-256 ECDSA"
                        } else {
                            "2048-bit RSA"
                        }
                    ),
                ))
            } else if leaf.key_kind == KeyKind::Rsa
                && p.rsa_key_size.map(|m| leaf.key_bits < m).unwrap_or(false)
            {
                let m = p.rsa_key_size.unwrap_or(2048);
                Some((
                    format!("{what}; the {} profile requires at least {m} bits", p.title()),
                    format!("RSA {} bits", leaf.key_bits),
                    format!("issue a certificate with an RSA key of {m} bits or more (or an ECDSA P-256 key)"),
                ))
            } else if leaf.key_kind == KeyKind::Ec
                && !p.certificate_curves.is_empty()
                && !leaf
                    .curve
                    .as_ref()
                    .map(|c| p.certificate_curves.iter().any(|x| x == c))
                    .unwrap_or(false)
            {
                Some((
                    format!(
                        "{what}; the {} profile allows the curves {}",
                        p.title(),
                        p.certificate_curves.join(", ")
                    ),
                    format!("curve {}", leaf.curve.clone().unwrap_or_default()),
                    format!("issue a certificate on {}", p.certificate_curves[0]),
                ))
            } else {
                None
            };
            if let Some((message, label, help)) = problem {
                out.push(at_setting(
                    &META,
                    &pair.certificate,
                    message,
                    label,
                    Some(help),
                    ep,
                ));
            }
        }
    }
}
