//! TLS208 dhparam-weak: DHE enabled with DH parameters below the profile's
//! dh_param_size (or none where they are needed). It reads the `ssl_dhparam`
//! file (and, for Apache, parameters appended to the certificate file) for
//! their real size.
//!
//! Apache (mod_ssl 2.4, `ssl_init_server_certs`): DH parameters come from
//! `SSLOpenSSLConfCmd DHParameters` (applied last, so it wins), else from a
//! `DH PARAMETERS` block appended to the first SSLCertificateFile, else
//! automatic selection (OpenSSL's `dh_auto`, or before OpenSSL 1.1.0 a
//! group as large as the key): so "no parameters" is never reported for
//! Apache, only parameters that are written and too small (or missing).

use crate::certs::Located;
use crate::finding::{Finding, Severity};
use crate::model::{Endpoint, ServerKind};
use crate::rules::cert_facts::{server_name, shown};
use crate::rules::cipher_facts::{
    directive, expansion, is_dhe, profile_allows, short_list, tls12_enabled,
};
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
        if !tls12_enabled(cx, ep) {
            return;
        }
        let Ok(exp) = expansion(cx, ep) else { return };
        match (&ep.dhparam.value, ep.server) {
            (None, ServerKind::Nginx) => no_params(cx, ep, &exp, out),
            (Some(file), _) => weak_file(cx, ep, file, &exp, out),
            // Apache: DH parameters appended to the first certificate file
            (None, ServerKind::Apache) => {
                if let Some(p) = ep.certificates.first() {
                    appended(cx, ep, p, &exp, out);
                }
            }
        }
    }
}

fn dhe_suites(exp: &crate::openssl::Expansion) -> Vec<&'static str> {
    exp.suites
        .iter()
        .filter(|s| is_dhe(s))
        .map(|s| s.openssl_name)
        .collect()
}

fn no_params(
    cx: &Context<'_>,
    ep: &Endpoint,
    exp: &crate::openssl::Expansion,
    out: &mut Vec<Finding>,
) {
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

/// The size of the DH parameters in a file, against the profile.
fn weak_file(
    cx: &Context<'_>,
    ep: &Endpoint,
    file: &str,
    exp: &crate::openssl::Expansion,
    out: &mut Vec<Finding>,
) {
    let d = directive(ep, "ssl_dhparam", "SSLOpenSSLConfCmd DHParameters");
    let srv = server_name(ep);
    let loc = cx.files.get(file);
    let (message, label) = match loc {
        Located::Missing(p) => (
            format!(
                "{d} {}: no such file ({}); {srv} refuses to start",
                shown(file),
                p.display()
            ),
            "no such file".to_string(),
        ),
        Located::Unreadable { why, .. } => (
            format!("{d} {} cannot be read: {why}", shown(file)),
            "cannot be read".to_string(),
        ),
        _ => {
            let Some(data) = loc.data() else { return };
            match &data.dh {
                None => (
                    format!(
                        "{d} {} holds no DH PARAMETERS block; {srv} cannot load it",
                        shown(file)
                    ),
                    "no DH parameters".to_string(),
                ),
                Some(Err(e)) => (
                    format!("{d} {}: {e}", shown(file)),
                    "invalid DH parameters".to_string(),
                ),
                Some(Ok(p)) => {
                    let Some(min) = cx.profile.dh_param_size else {
                        return;
                    };
                    let dhe = dhe_suites(exp);
                    if p.bits >= min || dhe.is_empty() {
                        return;
                    }
                    (
                        format!(
                            "{d} {} holds {}-bit DH parameters; the {} profile requires {min} bits for its DHE suites ({})",
                            shown(file),
                            p.bits,
                            cx.profile.title(),
                            short_list(&dhe, 3)
                        ),
                        format!("{}-bit DH parameters", p.bits),
                    )
                }
            }
        }
    };
    let size = cx.profile.dh_param_size.unwrap_or(2048).max(2048);
    let mut f = finding(
        &META,
        ep.dhparam.source.span(),
        message,
        label,
        Some(format!(
            "use the RFC 7919 group ffdhe{size} (https://ssl-config.mozilla.org/ffdhe{size}.txt)"
        )),
        ep,
    );
    crate::rules::cipher_facts::related_to(&mut f, ep, &ep.dhparam.source);
    out.push(f);
}

/// Apache: DH parameters appended to the first SSLCertificateFile.
fn appended(
    cx: &Context<'_>,
    ep: &Endpoint,
    pair: &crate::model::CertPair,
    exp: &crate::openssl::Expansion,
    out: &mut Vec<Finding>,
) {
    let Some(data) = cx.files.get(&pair.certificate.value).data() else {
        return;
    };
    let Some(Ok(p)) = &data.dh else { return };
    let Some(min) = cx.profile.dh_param_size else {
        return;
    };
    let dhe = dhe_suites(exp);
    if p.bits >= min || dhe.is_empty() {
        return;
    }
    out.push(finding(
        &META,
        pair.certificate.source.span(),
        format!(
            "{} has {}-bit DH parameters appended, which Apache uses for DHE; the {} profile requires {min} bits for its DHE suites ({})",
            shown(&pair.certificate.value),
            p.bits,
            cx.profile.title(),
            short_list(&dhe, 3)
        ),
        format!("{}-bit DH parameters", p.bits),
        Some(format!("replace them with the RFC 7919 group ffdhe{0} (https://ssl-config.mozilla.org/ffdhe{0}.txt), or remove them (Apache then picks a group as large as the key)", min.max(2048))),
        ep,
    ));
}
