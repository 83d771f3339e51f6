//! TLS302 key-mismatch: the private key does not belong to the certificate
//! (RSA, ECDSA, Ed25519: the public halves are compared). An encrypted key
//! is decrypted with the pass phrases of nginx's `ssl_password_file`, tried
//! in order as nginx does (src/certs/unlock.rs), then compared; when none
//! decrypts it nginx does not start. Encrypted keys without pass phrases to
//! try (no ssl_password_file, Apache's SSLPassPhraseDialog) and keys whose
//! public half cannot be derived are reported at info severity: not
//! checkable.

use crate::certs::keys::KeyRead;
use crate::certs::unlock::Unlock;
use crate::certs::{Located, Unlocked};
use crate::finding::{Finding, Related, Severity};
use crate::model::{CertPair, Endpoint, ServerKind, Setting};
use crate::rules::cert_facts::{at_setting, key_directive, server_name, shown, with_severity};
use crate::rules::{finding, Context, Rule, RuleMeta};

pub struct Tls302;

static META: RuleMeta = RuleMeta {
    code: "TLS302",
    name: "key-mismatch",
    summary: "the private key does not belong to the certificate (an encrypted key is decrypted with ssl_password_file's pass phrases)",
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
            let Some(mut key) = data.keys.first() else {
                continue;
            };
            // where to point: the key directive (Apache without one: the certificate)
            let setting = pair.key.as_ref().unwrap_or(&pair.certificate);
            let kd = key_directive(ep);
            let srv = server_name(ep);
            let mut file = match (&pair.key, ep.server) {
                (None, ServerKind::Apache) => format!(
                    "{} (no SSLCertificateKeyFile: httpd reads the key from the certificate file)",
                    shown(key_value)
                ),
                _ => shown(key_value),
            };
            // an encrypted key that a pass phrase of ssl_password_file decrypts
            // is compared like any other
            if let Some(Unlocked::Tried {
                outcome: Unlock::Opened { line, key: opened },
                ..
            }) = cx.files.unlocked(ep, pair)
            {
                if matches!(key, KeyRead::Encrypted { .. }) {
                    file = format!(
                        "{file} (decrypted with the pass phrase on line {line} of ssl_password_file {})",
                        ep.password_file.value.as_deref().map(shown).unwrap_or_default()
                    );
                    key = opened;
                }
            }
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
                KeyRead::Encrypted { legacy, .. } => {
                    let form = if *legacy {
                        "legacy-encrypted (Proc-Type)"
                    } else {
                        "encrypted (PKCS #8)"
                    };
                    encrypted(cx, ep, pair, setting, &file, form, out);
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

/// A not-checkable note (info) at a setting.
fn note<T>(
    setting: &Setting<T>,
    message: String,
    label: &str,
    help: Option<String>,
    ep: &Endpoint,
) -> Finding {
    with_severity(
        at_setting(&META, setting, message, label.into(), help, ep),
        Severity::Info,
    )
}

/// An encrypted key that was not decrypted: why, and whether the server
/// starts.
fn encrypted(
    cx: &Context<'_>,
    ep: &Endpoint,
    pair: &CertPair,
    setting: &Setting<String>,
    file: &str,
    form: &str,
    out: &mut Vec<Finding>,
) {
    let not_checked = "whether it matches the certificate is not checked";
    if ep.server == ServerKind::Apache {
        // SSLPassPhraseDialog (a main-server directive), as resolved into password_file
        let dialog = ep.password_file.value.as_deref().unwrap_or("builtin");
        let how = match dialog.strip_prefix("exec:").or_else(|| dialog.strip_prefix('|')) {
            Some(program) => format!(
                "httpd gets its pass phrase from the program {program} (SSLPassPhraseDialog {dialog}), and tlslint never runs programs"
            ),
            None => format!(
                "httpd asks for its pass phrase on the terminal at startup (SSLPassPhraseDialog {dialog}), and tlslint has none to try"
            ),
        };
        out.push(note(
            setting,
            format!("the key in {file} is {form}: {how}, so {not_checked}"),
            "not checkable: encrypted key",
            None,
            ep,
        ));
        return;
    }
    let Some(pf_value) = ep.password_file.value.as_deref() else {
        out.push(note(
            setting,
            format!("the key in {file} is {form} and there is no ssl_password_file: tlslint cannot check that it matches the certificate, and nginx asks for the pass phrase on the terminal at startup (it fails when started by systemd)"),
            "not checkable: encrypted key",
            Some("write `ssl_password_file /etc/nginx/keys.pass;`, or store the key unencrypted with mode 600".to_string()),
            ep,
        ));
        return;
    };
    let pf = shown(pf_value);
    let pf_setting = &ep.password_file;
    let related = |f: &mut Finding, message: &str| {
        f.related.push(Related {
            span: pf_setting.source.span(),
            message: message.into(),
        });
    };
    match cx.files.unlocked(ep, pair) {
        Some(Unlocked::Tried {
            outcome: Unlock::NoneWorks { tried },
            file: read_as,
            empty,
            ..
        }) => {
            let shown_file = if read_as == pf_value {
                pf.clone()
            } else {
                format!("{pf} (read as {read_as})")
            };
            let which = match (empty, tried) {
                (true, _) => format!("{shown_file} holds no pass phrase, so nginx tries an empty one, and it does not decrypt"),
                (false, 1) => format!("the pass phrase in {shown_file} does not decrypt"),
                (false, n) => format!("none of the {n} pass phrases in {shown_file} decrypts"),
            };
            let mut f = at_setting(
                &META,
                setting,
                format!(
                    "{which} the {form} key in {file}: nginx refuses to start (\"cannot load certificate key ...: PEM_read_bio_PrivateKey() failed ... bad decrypt\")"
                ),
                "no pass phrase decrypts this key".into(),
                Some(format!(
                    "put the key's pass phrase in {pf} (one per line; nginx tries each in turn), or point {} at the key those pass phrases belong to",
                    key_directive(ep)
                )),
                ep,
            );
            related(&mut f, "the pass phrases tried");
            out.push(f);
        }
        Some(Unlocked::Tried {
            outcome: Unlock::NotCheckable(why),
            ..
        }) => {
            let mut f = note(
                setting,
                format!("the {form} key in {file} {why}: {not_checked}"),
                "not checkable: encrypted key",
                None,
                ep,
            );
            related(&mut f, "the pass phrases not tried");
            out.push(f);
        }
        // decrypted: compared by the caller
        Some(Unlocked::Tried { .. }) => {}
        Some(Unlocked::Refused { file: read_as, why }) => {
            let shown_file = if read_as == pf_value {
                pf.clone()
            } else {
                format!("{pf} (read as {read_as})")
            };
            let mut f = at_setting(
                &META,
                pf_setting,
                format!("ssl_password_file {shown_file}: {why}; nginx refuses to start, so the {form} key in {file} is never loaded"),
                "nginx refuses this password file".into(),
                Some("put each pass phrase on its own line, each shorter than 4096 bytes".into()),
                ep,
            );
            f.related.push(Related {
                span: setting.source.span(),
                message: "the encrypted key".into(),
            });
            out.push(f);
        }
        Some(Unlocked::NotRead(Located::Missing(path))) => {
            let read_as = path.display().to_string();
            let shown_file = if read_as == pf_value {
                pf.clone()
            } else {
                format!("{pf} (read as {read_as})")
            };
            let mut f = at_setting(
                &META,
                pf_setting,
                format!("ssl_password_file {shown_file}: no such file; nginx reads it at startup and refuses to start (open() failed), so the {form} key in {file} is never loaded"),
                "no such file".into(),
                Some("check the path: relative paths start at the configuration prefix".into()),
                ep,
            );
            f.related.push(Related {
                span: setting.source.span(),
                message: "the encrypted key".into(),
            });
            out.push(f);
        }
        Some(Unlocked::NotRead(loc)) => {
            let why = match loc {
                Located::Unreadable { why, .. } => format!("cannot be read here ({why})"),
                Located::Unmapped(_) => "is outside the --root mappings".into(),
                _ => "was not read".into(),
            };
            let mut f = note(
                setting,
                format!(
                    "the key in {file} is {form}, and ssl_password_file {pf} {why}: {not_checked}"
                ),
                "not checkable: encrypted key",
                None,
                ep,
            );
            related(&mut f, "the password file");
            out.push(f);
        }
        None => out.push(note(
            setting,
            format!("the key in {file} is {form}: {not_checked}"),
            "not checkable: encrypted key",
            None,
            ep,
        )),
    }
}
