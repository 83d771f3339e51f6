//! Shared by the probe rules (TLS601–TLS606, `tlslint PATH --probe`): what
//! the configuration makes a real server do on the wire, modelled the way
//! OpenSSL does it, beside what a probe of the running server saw.
//!
//! The model, per (socket, SNI):
//! - **versions**: the protocols of the server that decides them on the
//!   socket (`Endpoint::protocols_decided_by`), those the modelled OpenSSL
//!   has, minus SSLv3/TLS 1.0/1.1 on OpenSSL 3 at security level ≥ 1 (the
//!   level of the deciding server's cipher string: `@SECLEVEL=0` lowers it),
//!   minus versions for which no suite is left (a handshake then fails);
//! - **TLS ≤ 1.2 suites**: the cipher string's expansion, without the
//!   suites the server cannot negotiate (`cipher_facts::usable`: DHE
//!   without nginx `ssl_dhparam`, PSK, SRP), the suites below the security
//!   level's strength, those the certificates' key types cannot
//!   authenticate (RSA, ECDSA; both with both pairs), those not valid for
//!   the version (AEAD/SHA-256/SHA-384 suites are TLS 1.2 only);
//! - **TLS 1.3 suites**: `Ciphersuites` (nginx `ssl_conf_command`, Apache
//!   `SSLCipherSuite TLSv1.3`) or OpenSSL's default list;
//! - **groups**: the socket's default server's (OpenSSL copies the group
//!   list into the connection before the SNI callback switches context).

use std::collections::BTreeSet;

use crate::certs::facts::KeyKind;
use crate::finding::{Evidence, Finding, Related};
use crate::model::{DecidedBy, Endpoint, ServerKind, Setting};
use crate::openssl::CipherSuite;
use crate::probe::ProbeReport;
use crate::rules::cipher_facts;
use crate::rules::{Context, RuleMeta};
use crate::version::Version;

/// The versions a probe tries, oldest first (the probe's names).
pub const PROBED: [&str; 5] = ["SSLv3", "TLSv1", "TLSv1.1", "TLSv1.2", "TLSv1.3"];

/// One probe of one (socket, SNI), and the endpoints whose settings apply.
pub struct Observed<'a> {
    /// The socket as configured (`*:443`, `127.0.0.1:8443`).
    pub socket: &'a str,
    /// `host:port` probed.
    pub target: &'a str,
    pub sni: Option<&'a str>,
    pub report: &'a ProbeReport,
    /// The endpoint that answers: the one named by the SNI, or the default.
    pub ep: &'a Endpoint,
    /// The socket's default server.
    pub default_ep: &'a Endpoint,
    /// What messages call the probe, instead of [`Observed::wire`]'s text.
    pub label: Option<&'a str>,
    /// A second look for the OCSP staple (nginx fetches it lazily): None
    /// when not retried.
    pub staple_retry: Option<bool>,
}

impl<'a> Observed<'a> {
    /// `127.0.0.1:8443 with SNI a.test` / `127.0.0.1:8443 without SNI`
    /// (or `label` when set: the caller merges probes' findings).
    pub fn wire(&self) -> String {
        if let Some(l) = self.label {
            return l.to_string();
        }
        match self.sni {
            Some(n) => format!("{} with SNI {n}", self.target),
            None => format!("{} without SNI", self.target),
        }
    }

    /// The setting that decides the protocol versions on this socket, and
    /// the endpoint it belongs to.
    pub fn versions_setting(
        &self,
        cx: &Context<'a>,
    ) -> (
        &'a Setting<Vec<String>>,
        &'a Endpoint,
        Option<&'a DecidedBy>,
    ) {
        let ep: &'a Endpoint = self.ep;
        let endpoints: &'a [Endpoint] = cx.endpoints;
        match ep
            .protocols_decided_by
            .iter()
            .find(|(d, _)| d.socket == self.socket)
            .or_else(|| ep.protocols_decided_by.first())
        {
            Some((d, s)) => {
                let decider = endpoints.iter().find(|e| e.span == d.server).unwrap_or(ep);
                (s, decider, Some(d))
            }
            None => (&ep.protocols, ep, None),
        }
    }
}

/// A finding from probe evidence, at a config span.
pub fn finding(
    meta: &'static RuleMeta,
    o: &Observed<'_>,
    span: crate::source::Span,
    message: String,
    label: String,
    help: Option<String>,
) -> Finding {
    Finding {
        code: meta.code,
        name: meta.name,
        severity: meta.severity,
        message,
        span,
        label,
        related: Vec::new(),
        help,
        endpoints: vec![crate::rules::endpoint_ref(o.ep)],
        evidence: Evidence::Probe,
    }
}

/// Point at the endpoint too when the span is not in its block.
pub fn relate(f: &mut Finding, o: &Observed<'_>, src: &crate::model::Source) {
    if !matches!(src, crate::model::Source::Set(_)) && f.span != o.ep.span {
        f.related.push(Related {
            span: o.ep.span,
            message: format!("the {} probed", cipher_facts::server_noun(o.ep)),
        });
    }
}

/// The minimum strength (bits) OpenSSL's security level asks of a suite.
pub fn level_bits(level: u8) -> u16 {
    match level {
        0 => 0,
        1 => 80,
        2 => 112,
        3 => 128,
        4 => 192,
        _ => 256,
    }
}

/// The security level a cipher string leaves (OpenSSL's default is 1).
pub fn seclevel(cx: &Context<'_>, ep: &Endpoint) -> u8 {
    cipher_facts::expansion(cx, ep)
        .ok()
        .and_then(|e| e.seclevel)
        .unwrap_or(1)
}

/// The key types of the endpoint's certificates (None: none could be read).
pub fn key_kinds(cx: &Context<'_>, ep: &Endpoint) -> Option<Vec<KeyKind>> {
    let kinds: Vec<KeyKind> = ep
        .certificates
        .iter()
        .filter_map(|p| cx.files.leaf(p))
        .map(|c| c.key_kind)
        .collect();
    if kinds.is_empty() {
        None
    } else {
        Some(kinds)
    }
}

fn version_index(name: &str) -> usize {
    PROBED.iter().position(|v| *v == name).unwrap_or(usize::MAX)
}

/// Whether a TLS ≤ 1.2 suite can be used at `version`.
pub fn valid_for(s: &CipherSuite, version: &str) -> bool {
    let v = version_index(version);
    version_index(s.min_protocol.openssl_name()) <= v
        && v <= version_index(s.max_protocol.openssl_name())
}

/// Whether a certificate of one of `kinds` can authenticate the suite.
fn authenticated(s: &CipherSuite, kinds: &[KeyKind], version: &str) -> bool {
    match s.au {
        "RSA" => kinds.contains(&KeyKind::Rsa),
        "ECDSA" => {
            kinds.contains(&KeyKind::Ec)
                || (version == "TLSv1.2"
                    && (kinds.contains(&KeyKind::Ed25519) || kinds.contains(&KeyKind::Ed448)))
        }
        "DSS" => kinds.contains(&KeyKind::Dsa),
        // anonymous suites need no certificate
        "None" => true,
        _ => false,
    }
}

/// The TLS ≤ 1.2 suites the endpoint negotiates at `version`, in the
/// cipher string's order (IANA names). Err: not knowable (a cipher string
/// OpenSSL refuses, certificates that could not be read).
pub fn legacy_suites(
    cx: &Context<'_>,
    ep: &Endpoint,
    version: &str,
) -> Result<Vec<&'static CipherSuite>, String> {
    let exp = cipher_facts::expansion(cx, ep).map_err(|e| {
        format!(
            "the cipher string {:?} is refused by OpenSSL: {}",
            ep.ciphers.value, e.reason
        )
    })?;
    let kinds = key_kinds(cx, ep)
        .ok_or_else(|| "no certificate of the endpoint could be read".to_string())?;
    let bits = level_bits(exp.seclevel.unwrap_or(1));
    let ecdhe = groups_have_ec(cx, ep);
    Ok(cipher_facts::usable(ep, &exp.suites)
        .into_iter()
        .filter(|s| valid_for(s, version))
        .filter(|s| s.strength_bits >= bits)
        .filter(|s| authenticated(s, &kinds, version))
        .filter(|s| ecdhe || s.kx != "ECDH")
        .collect())
}

fn groups_have_ec(cx: &Context<'_>, ep: &Endpoint) -> bool {
    match cipher_facts::groups(cx, ep).1 {
        Ok(l) => l.groups.iter().any(|g| g.kind == "ec" || g.kind == "ecx"),
        Err(_) => true,
    }
}

/// The TLS 1.3 suites the endpoint negotiates.
pub fn tls13_suites(cx: &Context<'_>, ep: &Endpoint) -> Result<Vec<&'static CipherSuite>, String> {
    cipher_facts::tls13_suites(cx, ep)
        .0
        .map_err(|e| format!("the TLS 1.3 suite list is refused by OpenSSL: {}", e.reason))
}

/// The suites (IANA names) expected at a version.
pub fn expected_suites(
    cx: &Context<'_>,
    ep: &Endpoint,
    version: &str,
) -> Result<BTreeSet<String>, String> {
    let list = if version == "TLSv1.3" {
        tls13_suites(cx, ep)?
    } else {
        legacy_suites(cx, ep, version)?
    };
    Ok(list.iter().map(|s| s.iana_name.to_string()).collect())
}

/// The versions the server is expected to accept, with why configured
/// versions are not among them.
pub struct Versions {
    pub expected: Vec<&'static str>,
    pub notes: Vec<String>,
}

pub fn expected_versions<'a>(cx: &Context<'a>, o: &Observed<'a>) -> Versions {
    let (setting, decider, _) = o.versions_setting(cx);
    let mut v = Versions {
        expected: Vec::new(),
        notes: Vec::new(),
    };
    let level = seclevel(cx, decider);
    let ossl3 = cx.target.openssl >= Version::new(3, 0, 0);
    for p in PROBED {
        if !setting.value.iter().any(|c| c == p) {
            continue;
        }
        if !cipher_facts::version_available(cx, o.ep, p) {
            v.notes
                .push(format!("{p} is not available with the modelled software"));
            continue;
        }
        if ossl3 && level > 0 && matches!(p, "SSLv3" | "TLSv1" | "TLSv1.1") {
            v.notes.push(format!(
                "{p} is configured, but OpenSSL {} at security level {level} refuses it (only @SECLEVEL=0 allows it)",
                cx.target.openssl
            ));
            continue;
        }
        match expected_suites(cx, o.ep, p) {
            Ok(s) if s.is_empty() => {
                v.notes
                    .push(format!("{p} is configured, but no suite for it is left"));
                continue;
            }
            _ => {}
        }
        v.expected.push(p);
    }
    v
}

/// Names joined for a message, or `none`.
pub fn list(names: &[&str]) -> String {
    if names.is_empty() {
        "none".into()
    } else {
        names.join(", ")
    }
}

/// `extra: A, B; missing: C` between what the wire shows and what the config says.
pub fn difference(wire: &BTreeSet<&str>, config: &BTreeSet<&str>) -> String {
    let extra: Vec<&str> = wire.difference(config).copied().collect();
    let missing: Vec<&str> = config.difference(wire).copied().collect();
    let mut parts = Vec::new();
    if !extra.is_empty() {
        parts.push(format!("served but not configured: {}", extra.join(", ")));
    }
    if !missing.is_empty() {
        parts.push(format!("configured but not served: {}", missing.join(", ")));
    }
    parts.join("; ")
}

/// What to do about a difference: the server runs another configuration.
pub fn reload_help(ep: &Endpoint) -> String {
    match ep.server {
        ServerKind::Nginx => "the running nginx does not serve this configuration: reload it (`nginx -t && nginx -s reload`) if the files changed since it started, check that this is the tree it runs (`nginx -T`), and that nothing else answers on the socket".into(),
        ServerKind::Apache => "the running httpd does not serve this configuration: reload it (`apachectl configtest && apachectl graceful`) if the files changed since it started, check that this is the tree it runs (`apachectl -S`), and that nothing else answers on the socket".into(),
    }
}

/// The probe saw handshakes complete at some version (the comparisons of
/// TLS601/602/605 need that; TLS604 reports the rest).
pub fn handshakes(r: &ProbeReport) -> bool {
    r.error.is_none() && r.versions.values().any(|v| v.accepted)
}
