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
        let Ok(exp) = expansion(cx, ep) else { return };
        if !tls12_enabled(cx, ep) {
            // no DHE without TLS ≤ 1.2, but nginx still loads the file at
            // startup: a missing or refused one stops it
            if let (Some(file), ServerKind::Nginx) = (&ep.dhparam.value, ep.server) {
                weak_file(cx, ep, file, &exp, false, out);
            }
            return;
        }
        match (&ep.dhparam.value, ep.server) {
            (None, ServerKind::Nginx) => no_params(cx, ep, &exp, out),
            (Some(file), _) => weak_file(cx, ep, file, &exp, true, out),
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
/// nginx loads `ssl_dhparam` after the cipher string, whose security level
/// then decides whether OpenSSL (1.1.0 and later) takes the parameters at
/// all: `@SECLEVEL=N` in the string, else the build's default — 1 upstream,
/// but 2 in Debian's and Ubuntu's builds (compiled in) and under RHEL's
/// DEFAULT crypto policy, where most servers run, so an implicit level is
/// taken as 2. Returns the level, the bits it needs (SP 800-57 sizes: 80,
/// 112, 128, 192, 256-bit security) and whether the level was written.
fn refused_by_seclevel(
    cx: &Context<'_>,
    ep: &Endpoint,
    exp: &crate::openssl::Expansion,
    bits: u32,
) -> Option<(u8, u32, bool)> {
    if ep.server != ServerKind::Nginx || cx.target.openssl < crate::version::Version::new(1, 1, 0) {
        return None;
    }
    let (level, written) = match exp.seclevel {
        Some(l) => (l, true),
        None => (2, false),
    };
    let need = match level {
        0 => 0,
        1 => 1024,
        2 => 2048,
        3 => 3072,
        4 => 7680,
        _ => 15360,
    };
    (bits < need).then_some((level, need, written))
}

fn weak_file(
    cx: &Context<'_>,
    ep: &Endpoint,
    file: &str,
    exp: &crate::openssl::Expansion,
    profile_checks: bool,
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
                Some(Ok(p)) if refused_by_seclevel(cx, ep, exp, p.bits).is_some() => {
                    let (level, need, written) =
                        refused_by_seclevel(cx, ep, exp, p.bits).unwrap_or((0, 0, true));
                    let whose = if written {
                        format!("at the security level the cipher string sets (@SECLEVEL={level})")
                    } else {
                        "at security level 2, the default of Debian's, Ubuntu's and RHEL's OpenSSL builds (upstream's default 1 takes 1024 bits; write @SECLEVEL=1 to rely on that)".to_string()
                    };
                    (
                        format!(
                            "{d} {} holds {}-bit DH parameters, below the {need} bits OpenSSL {} accepts {whose}: nginx refuses to start (\"dh key too small\")",
                            shown(file),
                            p.bits,
                            cx.target.openssl
                        ),
                        format!("{}-bit DH parameters refused", p.bits),
                    )
                }
                Some(Ok(_)) if !profile_checks => return,
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
    crate::rules::related_endpoint(&mut f, ep, &ep.dhparam.source);
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
