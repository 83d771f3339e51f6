//! TLS312 private-key-exposed: the private key file is readable by group or
//! others, or owned by a user other than root (and the one running tlslint).
//! Only for files read where the server reads them (not under `--root`: a
//! checkout's modes say nothing about the server's).
//!
//! Debian's `ssl-cert` convention (the ssl-cert package: keys in
//! /etc/ssl/private are `0640 root:ssl-cert`, and services that read keys
//! themselves are made members of the group) is a warning that names the
//! group's members, not an error: the group is looked up by the file's gid
//! in this machine's /etc/group. That is the right database because the
//! rule only runs on files read where the server reads them (a gid is
//! meaningless elsewhere); a gid /etc/group does not name stays an error.

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

/// Debian's group for readers of private keys.
const SSL_CERT: &str = "ssl-cert";

/// The name and listed members of group `gid` in an /etc/group text.
fn group_entry(text: &str, gid: u32) -> Option<(String, Vec<String>)> {
    text.lines().find_map(|l| {
        let f: Vec<&str> = l.split(':').collect();
        if f.len() < 4 || f[2].trim().parse::<u32>().ok()? != gid {
            return None;
        }
        let members = f[3]
            .split(',')
            .map(str::trim)
            .filter(|m| !m.is_empty())
            .map(String::from)
            .collect();
        Some((f[0].to_string(), members))
    })
}

/// The members of `ssl-cert` when a key follows Debian's convention: owned
/// by root, readable (not writable) by its group `ssl-cert`, nothing for
/// others.
fn ssl_cert_group(meta: &crate::certs::read::FileMeta) -> Option<Vec<String>> {
    if meta.uid != 0 || meta.mode & 0o077 != 0o040 {
        return None;
    }
    let text = std::fs::read_to_string("/etc/group").ok()?;
    match group_entry(&text, meta.gid)? {
        (name, members) if name == SSL_CERT => Some(members),
        _ => None,
    }
}

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
            if let Some(members) = (!who.is_empty()).then(|| ssl_cert_group(&meta)).flatten() {
                let listed = if members.is_empty() {
                    "no members listed in /etc/group".to_string()
                } else {
                    format!("members: {}", members.join(", "))
                };
                let mut f = at_setting(
                    &META,
                    setting,
                    format!(
                        "{what} is readable by the group {SSL_CERT} (mode {:04o}, owner root): Debian's convention for services that read keys themselves; every member of {SSL_CERT} ({listed}), and every user whose primary group it is, can read the key and impersonate the server",
                        meta.mode
                    ),
                    format!("mode {:04o}, group {SSL_CERT}", meta.mode),
                    Some(format!("keep {SSL_CERT} to the services that need the key (`getent group {SSL_CERT}`); if only the web server reads it, `chmod 600 {file}`: it reads {directive} as root, before it drops privileges")),
                    ep,
                );
                f.severity = Severity::Warning;
                out.push(f);
            } else if !who.is_empty() {
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

#[cfg(test)]
mod tests {
    #[test]
    fn group_entries() {
        let g = "root:x:0:\nssl-cert:x:103:postgres, www-data\nbroken\nstaff:x:50:\n";
        assert_eq!(
            super::group_entry(g, 103),
            Some((
                "ssl-cert".into(),
                vec!["postgres".into(), "www-data".into()]
            ))
        );
        assert_eq!(super::group_entry(g, 50), Some(("staff".into(), vec![])));
        assert_eq!(super::group_entry(g, 7), None);
    }
}
