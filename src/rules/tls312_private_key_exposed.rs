//! TLS312 private-key-exposed: the private key file is readable by group or
//! others, or owned by a user other than root (and the one running tlslint).
//! Only for files read where the server reads them (not under `--root`: a
//! checkout's modes say nothing about the server's).

use crate::certs::Located;
use crate::finding::{Finding, Severity};
use crate::model::Endpoint;
use crate::rules::cert_facts::{at_setting, cert_directive, key_directive, shown};
use crate::rules::{Context, Rule, RuleMeta};

pub struct Tls312;

static META: RuleMeta = RuleMeta {
    code: "TLS312",
    name: "private-key-exposed",
    summary: "the key file is readable by group or others, or owned by another user",
    severity: Severity::Error,
};

impl Rule for Tls312 {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, cx: &Context<'_>, ep: &Endpoint, out: &mut Vec<Finding>) {
        if cx.files.mapped {
            return;
        }
        for pair in &ep.certificates {
            let Some((loc, value)) = cx.files.key_of(ep, pair) else {
                continue;
            };
            let Located::File { data, .. } = loc else {
                continue;
            };
            let Some(meta) = data.meta else { continue };
            if data.keys.is_empty() {
                continue;
            }
            let setting = pair.key.as_ref().unwrap_or(&pair.certificate);
            let file = shown(value);
            // Apache without SSLCertificateKeyFile: the key is in the certificate file
            let (what, directive) = match &pair.key {
                Some(_) => (format!("the private key {file}"), key_directive(ep)),
                None => (
                    format!("{file}, which holds the private key (no SSLCertificateKeyFile),"),
                    cert_directive(ep),
                ),
            };
            let who: Vec<&str> = [(0o040, "its group"), (0o004, "every user")]
                .iter()
                .filter(|(bit, _)| meta.mode & bit != 0)
                .map(|(_, w)| *w)
                .collect();
            if !who.is_empty() {
                out.push(at_setting(
                    &META,
                    setting,
                    format!(
                        "{what} is readable by {} (mode {:04o}): anyone who can read it can impersonate the server",
                        who.join(" and "),
                        meta.mode
                    ),
                    format!("mode {:04o}", meta.mode),
                    Some(format!("`chmod 600 {file}` (owned by root): the server reads {directive} as root, before it drops privileges")),
                    ep,
                ));
            }
            if meta.uid != 0 && Some(meta.uid) != cx.files.uid {
                out.push(at_setting(
                    &META,
                    setting,
                    format!(
                        "{what} is owned by uid {}, not root: that user can read and replace it",
                        meta.uid
                    ),
                    format!("owned by uid {}", meta.uid),
                    Some(format!("`chown root:root {file}`")),
                    ep,
                ));
            }
        }
    }
}
