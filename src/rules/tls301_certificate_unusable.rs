//! TLS301 certificate-unusable: a certificate, key or chain file that is
//! missing, unreadable, not PEM, or holds no certificate / key. Values built
//! from variables are reported at info severity: not checkable here.

use crate::certs::keys::KeyRead;
use crate::certs::{FileData, Located};
use crate::finding::{Finding, Severity};
use crate::model::{Endpoint, ServerKind, Setting};
use crate::rules::cert_facts::{
    at_setting, cert_directive, key_directive, server_name, shown, shown_at, with_severity,
};
use crate::rules::{Context, Rule, RuleMeta};

pub struct Tls301;

static META: RuleMeta = RuleMeta {
    code: "TLS301",
    name: "certificate-unusable",
    summary:
        "a certificate or key file that is missing, unreadable, not PEM, or not a certificate / key",
    severity: Severity::Error,
};

#[derive(Clone, Copy, PartialEq, Eq)]
enum Role {
    Certificate,
    Key,
    Chain,
}

fn labels(d: &FileData) -> String {
    let mut l: Vec<&str> = Vec::new();
    for x in &d.labels {
        if !l.contains(&x.as_str()) {
            l.push(x);
        }
    }
    l.join(", ")
}

/// What is wrong with a readable file in its role, if anything.
fn content_problem(d: &FileData, role: Role, srv: &str) -> Option<(String, String)> {
    if !d.is_pem() {
        if d.der_certificate {
            return Some((
                format!("holds a DER (binary) certificate, and {srv} reads PEM only"),
                "DER, not PEM".into(),
            ));
        }
        if d.size == 0 {
            return Some(("is empty".into(), "empty file".into()));
        }
        return Some(("is not PEM (no -----BEGIN line)".into(), "not PEM".into()));
    }
    if let Some(e) = &d.pem_error {
        return Some((format!("is malformed PEM: {e}"), "malformed PEM".into()));
    }
    match role {
        Role::Certificate | Role::Chain => {
            if let Some((n, why)) = d.bad_certs.first() {
                return Some((
                    format!("CERTIFICATE block {n}: {why}; {srv} cannot load it"),
                    "invalid certificate".into(),
                ));
            }
            if d.certs.is_empty() {
                let swapped = if role == Role::Certificate && !d.keys.is_empty() {
                    " (a private key: are the certificate and key directives swapped?)"
                } else {
                    ""
                };
                return Some((
                    format!("holds no certificate; it holds {}{swapped}", labels(d)),
                    "no certificate in this file".into(),
                ));
            }
            None
        }
        Role::Key => match d.keys.first() {
            None => Some((
                format!("holds no private key; it holds {}", labels(d)),
                "no private key in this file".into(),
            )),
            Some(KeyRead::Invalid) => Some((
                format!("holds a private key block that is not a valid key; {srv} cannot load it"),
                "invalid private key".into(),
            )),
            Some(_) => None,
        },
    }
}

fn check_file(
    cx: &Context<'_>,
    ep: &Endpoint,
    s: &Setting<String>,
    role: Role,
    out: &mut Vec<Finding>,
) {
    let directive = match role {
        Role::Certificate => cert_directive(ep),
        Role::Key => key_directive(ep),
        Role::Chain => "SSLCertificateChainFile",
    };
    let srv = server_name(ep);
    let loc = cx.files.get(&s.value);
    let what = format!("{directive} {}", shown_at(&s.value, loc));
    match loc {
        Located::Missing(_) => out.push(at_setting(
            &META,
            s,
            format!("{what}: no such file; {srv} refuses to start"),
            "no such file".into(),
            Some(match ep.server {
                ServerKind::Nginx => "check the path: relative paths start at the configuration prefix (nginx) or ServerRoot (Apache)".into(),
                ServerKind::Apache => "check the path: relative paths start at ServerRoot".into(),
            }),
            ep,
        )),
        Located::Unreadable { why, .. } => out.push(at_setting(
            &META,
            s,
            format!("{what} cannot be read: {why}; {srv} cannot load it"),
            format!("cannot be read: {why}"),
            None,
            ep,
        )),
        Located::Variables(vars) => out.push(with_severity(
            at_setting(
                &META,
                s,
                format!(
                    "{directive} {} is built from variables ({}): {srv} loads it per handshake, so its files cannot be checked here",
                    shown(&s.value),
                    vars.join(", ")
                ),
                "not checkable: built from variables".into(),
                None,
                ep,
            ),
            Severity::Info,
        )),
        Located::File { data, .. } | Located::Inline(data) => {
            if let Some((msg, label)) = content_problem(data, role, srv) {
                let help = match (role, data.der_certificate) {
                    (_, true) => Some(format!(
                        "convert it: `openssl x509 -inform der -in {0} -out {0}.pem`",
                        shown(&s.value)
                    )),
                    (Role::Key, _) => Some(format!(
                        "point {directive} at the private key that belongs to the certificate"
                    )),
                    (Role::Chain, _) => Some("point SSLCertificateChainFile at the PEM certificates of the intermediate CAs, or (httpd ≥ 2.4.8) drop it and put them in SSLCertificateFile after the server's certificate".into()),
                    _ => Some("point it at the PEM certificate file (leaf first, then its intermediates)".into()),
                };
                out.push(at_setting(&META, s, format!("{what} {msg}"), label, help, ep));
            }
        }
        Located::Unmapped(_) | Located::NotChecked | Located::Empty => {}
    }
}

/// Apache without SSLCertificateKeyFile reads the key from the certificate
/// file (mod_ssl's default): it must hold one.
fn key_in_certificate_file(
    cx: &Context<'_>,
    ep: &Endpoint,
    s: &Setting<String>,
    out: &mut Vec<Finding>,
) {
    let Some(data) = cx.files.get(&s.value).data() else {
        return;
    };
    // an unusable certificate file is reported as such
    if content_problem(data, Role::Certificate, "Apache").is_some() || !data.keys.is_empty() {
        return;
    }
    out.push(at_setting(
        &META,
        s,
        format!(
            "no SSLCertificateKeyFile for SSLCertificateFile {0}, and {0} holds no private key: httpd reads the key from the certificate file then, and refuses to start (AH02564 \"Failed to configure encrypted (?) private key\")",
            shown(&s.value)
        ),
        "certificate without a key".into(),
        Some("write `SSLCertificateKeyFile` with the certificate's private key after each `SSLCertificateFile`".into()),
        ep,
    ));
}

impl Rule for Tls301 {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, cx: &Context<'_>, ep: &Endpoint, out: &mut Vec<Finding>) {
        for p in &ep.certificates {
            check_file(cx, ep, &p.certificate, Role::Certificate, out);
            match &p.key {
                Some(k) => check_file(cx, ep, k, Role::Key, out),
                None if ep.server == ServerKind::Nginx => out.push(at_setting(
                    &META,
                    &p.certificate,
                    format!(
                        "no ssl_certificate_key for ssl_certificate {0}: nginx refuses to start (no \"ssl_certificate_key\" is defined for certificate \"{0}\")",
                        shown(&p.certificate.value)
                    ),
                    "certificate without a key".into(),
                    Some("write `ssl_certificate_key` for each `ssl_certificate`, in the same order".into()),
                    ep,
                )),
                None => key_in_certificate_file(cx, ep, &p.certificate, out),
            }
            if let Some(c) = &p.chain {
                check_file(cx, ep, c, Role::Chain, out);
            }
        }
    }
}
