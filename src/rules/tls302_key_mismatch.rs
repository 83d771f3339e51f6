//! TLS302 key-mismatch: the private key does not belong to the certificate
//! (RSA, ECDSA, Ed25519: the public halves are compared). Encrypted keys and
//! keys whose public half cannot be derived are reported at info severity:
//! not checkable.

use crate::certs::keys::KeyRead;
use crate::finding::{Finding, Severity};
use crate::model::{Endpoint, ServerKind};
use crate::rules::cert_facts::{at_setting, key_directive, server_name, shown, with_severity};
use crate::rules::{finding, Context, Rule, RuleMeta};

pub struct Tls302;

static META: RuleMeta = RuleMeta {
    code: "TLS302",
    name: "key-mismatch",
    summary: "the private key does not belong to the certificate (an encrypted key is reported as not checkable)",
    severity: Severity::Error,
};

impl Rule for Tls302 {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, cx: &Context<'_>, ep: &Endpoint, out: &mut Vec<Finding>) {
        for pair in &ep.certificates {
            let sent = cx.files.sent(pair);
            let Some(leaf) = sent.first() else { continue };
            let Some((loc, key_value)) = cx.files.key_of(ep, pair) else {
                continue;
            };
            let Some(data) = loc.data() else { continue };
            let Some(key) = data.keys.first() else {
                continue;
            };
            // where to point: the key directive (Apache without one: the certificate)
            let setting = pair.key.as_ref().unwrap_or(&pair.certificate);
            let kd = key_directive(ep);
            let srv = server_name(ep);
            let file = match (&pair.key, ep.server) {
                (None, ServerKind::Apache) => format!(
                    "{} (no SSLCertificateKeyFile: httpd reads the key from the certificate file)",
                    shown(key_value)
                ),
                _ => shown(key_value),
            };
            let refuses = match ep.server {
                ServerKind::Nginx => format!("{srv} refuses to start (\"key values mismatch\")"),
                ServerKind::Apache => "httpd refuses to start (AH02565 \"Certificate and private key ... do not match\")".to_string(),
            };
            match key {
                KeyRead::Public(pk) if *pk == leaf.public_key => {}
                KeyRead::Public(pk) => {
                    let (message, help) = match sent.iter().position(|c| c.public_key == *pk) {
                        Some(i) if ep.server == ServerKind::Apache => (
                            format!(
                                "the key in {file} belongs to certificate {} sent ({}, {}), not to the first one ({}) of SSLCertificateFile {}: the certificate file must start with the server's own certificate; {refuses}",
                                i + 1,
                                sent[i].short_name(),
                                crate::rules::cert_facts::sent_in(pair, i),
                                leaf.short_name(),
                                shown(&pair.certificate.value),
                            ),
                            "put the server's certificate first in SSLCertificateFile, then its intermediates".to_string(),
                        ),
                        Some(i) => (
                            format!(
                                "the key in {file} belongs to certificate {} of {} ({}), not to the first one ({}): the certificate file must start with the server's own certificate; {refuses}",
                                i + 1,
                                shown(&pair.certificate.value),
                                sent[i].short_name(),
                                leaf.short_name()
                            ),
                            "put the server's certificate first in the file, then its intermediates".to_string(),
                        ),
                        None => (
                            format!(
                                "the {} key in {file} does not belong to the certificate {} in {} ({}): {refuses}",
                                pk.kind(),
                                leaf.short_name(),
                                shown(&pair.certificate.value),
                                leaf.key_description()
                            ),
                            match (&pair.key, ep.server) {
                                (None, ServerKind::Apache) => "write `SSLCertificateKeyFile` with the key the certificate was issued for (or put that key in the certificate file)".to_string(),
                                _ => format!("point {kd} at the key the certificate was issued for (after a renewal, both files change)"),
                            },
                        ),
                    };
                    out.push(at_setting(
                        &META,
                        setting,
                        message,
                        "key does not match the certificate".into(),
                        Some(help),
                        ep,
                    ));
                }
                KeyRead::Encrypted { legacy } => {
                    let form = if *legacy {
                        "legacy-encrypted (Proc-Type)"
                    } else {
                        "encrypted (PKCS #8)"
                    };
                    let (message, help) = match (ep.server, &ep.password_file.value) {
                        (ServerKind::Nginx, None) => (
                            format!("the key in {file} is {form} and there is no ssl_password_file: tlslint cannot check that it matches the certificate, and nginx asks for the pass phrase on the terminal at startup (it fails when started by systemd)"),
                            Some("write `ssl_password_file /etc/nginx/keys.pass;`, or store the key unencrypted with mode 600".to_string()),
                        ),
                        (ServerKind::Nginx, Some(_)) => (
                            format!("the key in {file} is {form}: tlslint does not decrypt keys, so whether it matches the certificate is not checked"),
                            None,
                        ),
                        (ServerKind::Apache, _) => (
                            format!("the key in {file} is {form}: tlslint does not decrypt keys, so whether it matches the certificate is not checked (Apache asks for the pass phrase through SSLPassPhraseDialog)"),
                            None,
                        ),
                    };
                    out.push(with_severity(
                        at_setting(
                            &META,
                            setting,
                            message,
                            "not checkable: encrypted key".into(),
                            help,
                            ep,
                        ),
                        Severity::Info,
                    ));
                }
                KeyRead::Unsupported(what) => {
                    let f = finding(
                        &META,
                        setting.source.span(),
                        format!("the key in {file} is {what}: whether it matches the certificate is not checked"),
                        "not checkable".into(),
                        None,
                        ep,
                    );
                    out.push(with_severity(f, Severity::Info));
                }
                KeyRead::Invalid => {} // TLS301
            }
        }
    }
}
