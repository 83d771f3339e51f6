//! Shared by the probe rules (TLS601–TLS606, `tlslint PATH --probe`): what
//! the configuration makes a real server do on the wire, modelled the way
//! OpenSSL does it, beside what a probe of the running server saw.
//!
//! The model, per (socket, SNI):
//! - **versions**: the protocols of the server that decides them on the
//!   socket (`Endpoint::protocols_decided_by`), those the modelled OpenSSL
//!   has, minus SSLv3/TLS 1.0/1.1 on OpenSSL 3 at security level ≥ 1 (the
//!   level of the answering server's cipher string — the handshake
//!   signature is checked after the switch to the SNI server; `@SECLEVEL=0`
//!   lowers it),
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

/// Whether OpenSSL's default security callback lets a TLS ≤ 1.2 suite be
/// negotiated at `level` (`ssl_security_default_callback`, SSL_SECOP_CIPHER_*,
/// OpenSSL 1.1.0 and later): at level ≥ 1 not below the level's strength,
/// not anonymous (aNULL), no MD5 MAC; at level ≥ 3 forward-secret key
/// exchange only; at level ≥ 4 (more than 160 bits) no SHA-1 MAC. Level 0
/// allows everything.
pub fn level_allows(s: &CipherSuite, level: u8) -> bool {
    if level == 0 {
        return true;
    }
    s.strength_bits >= level_bits(level)
        && s.au != "None"
        && s.mac != "MD5"
        && (level < 3 || matches!(s.kx, "DH" | "ECDH" | "DHEPSK" | "ECDHEPSK"))
        && (level_bits(level) <= 160 || s.mac != "SHA1")
}

/// Whether the TLS 1.3 suites of the server SNI names apply (else the
/// socket's default server's): OpenSSL picks the TLS 1.3 suite while it
/// reads the ClientHello, before the servername callback nginx switches
/// contexts in (TLS ≤ 1.2 suites are picked after it); nginx from 1.29.2
/// with OpenSSL ≥ 1.1.1 switches in the ClientHello callback, before, as
/// mod_ssl does.
pub fn tls13_suites_per_sni(server: ServerKind, target: &crate::nginx::defaults::Target) -> bool {
    match server {
        ServerKind::Nginx => crate::nginx::defaults::per_server_protocols(target).is_ok(),
        ServerKind::Apache => true,
    }
}

/// The endpoint whose suites apply at `version` on this probe.
pub fn suites_ep<'a>(cx: &Context<'a>, o: &Observed<'a>, version: &str) -> &'a Endpoint {
    if version == "TLSv1.3" && !tls13_suites_per_sni(o.ep.server, cx.target) {
        o.default_ep
    } else {
        o.ep
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
///
/// ECDHE needs an EC group in `groups_ep`'s list: the socket's default
/// server's, which the connection keeps after an SNI switch.
pub fn legacy_suites(
    cx: &Context<'_>,
    ep: &Endpoint,
    groups_ep: &Endpoint,
    version: &str,
) -> Result<Vec<&'static CipherSuite>, String> {
    let exp = cipher_facts::expansion(cx, ep).map_err(|e| {
        format!(
            "the cipher string {:?} is refused by OpenSSL: {}",
            cipher_facts::quoted(&ep.ciphers.value),
            e.reason
        )
    })?;
    let kinds = key_kinds(cx, ep)
        .ok_or_else(|| "no certificate of the endpoint could be read".to_string())?;
    let level = exp.seclevel.unwrap_or(1);
    let ecdhe = groups_have_ec(cx, groups_ep);
    Ok(cipher_facts::usable(ep, &exp.suites)
        .into_iter()
        .filter(|s| valid_for(s, version))
        .filter(|s| level_allows(s, level))
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

/// The groups a TLS ≤ 1.2 probe that offers one curve at a time can see,
/// when the certificates limit them: where every ECDHE suite the answering
/// endpoint serves at its highest TLS ≤ 1.2 version is ECDSA-authenticated,
/// OpenSSL uses an EC certificate only if the client's supported groups
/// name the certificate's curve (`tls1_check_cert_param`), so a one-curve
/// ClientHello completes only with the curve of one of the EC
/// certificates. None: no such limit (an RSA-authenticated ECDHE suite is
/// served, or nothing is known).
pub fn legacy_group_limit<'a>(cx: &Context<'a>, o: &Observed<'a>) -> Option<BTreeSet<u16>> {
    let want = expected_versions(cx, o);
    let top = want.expected.iter().rev().find(|v| **v != "TLSv1.3")?;
    let suites = legacy_suites(cx, o.ep, o.default_ep, top).ok()?;
    let ecdhe: Vec<&CipherSuite> = suites.into_iter().filter(|s| s.kx == "ECDH").collect();
    if ecdhe.is_empty() || ecdhe.iter().any(|s| s.au != "ECDSA") {
        return None;
    }
    let curves: BTreeSet<u16> =
        o.ep.certificates
            .iter()
            .filter_map(|p| cx.files.leaf(p))
            .filter(|c| c.key_kind == KeyKind::Ec)
            .filter_map(|c| {
                let n = c.curve.as_deref()?;
                crate::openssl::all_groups()
                    .iter()
                    .find(|g| g.name.eq_ignore_ascii_case(n))
                    .map(|g| g.id)
            })
            .collect();
    Some(curves)
}

/// The TLS 1.3 suites the endpoint negotiates.
pub fn tls13_suites(cx: &Context<'_>, ep: &Endpoint) -> Result<Vec<&'static CipherSuite>, String> {
    cipher_facts::tls13_suites(cx, ep)
        .0
        .map_err(|e| format!("the TLS 1.3 suite list is refused by OpenSSL: {}", e.reason))
}

/// The suites (IANA names) expected at a version on this probe.
pub fn expected_suites<'a>(
    cx: &Context<'a>,
    o: &Observed<'a>,
    version: &str,
) -> Result<BTreeSet<String>, String> {
    let ep = suites_ep(cx, o, version);
    let list = if version == "TLSv1.3" {
        tls13_suites(cx, ep)?
    } else {
        legacy_suites(cx, ep, o.default_ep, version)?
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
    let (setting, _, _) = o.versions_setting(cx);
    let mut v = Versions {
        expected: Vec::new(),
        notes: Vec::new(),
    };
    // the level of the server that answers: SSLv3/TLS 1.0/1.1 fail in the
    // signature (MD5-SHA1, SHA-1) checks after the SNI switch, not in the
    // version check (which refuses them only from level 4)
    let level = seclevel(cx, o.ep);
    if let Some(note) = no_suite_for_max(cx, o) {
        v.notes.push(note);
        return v;
    }
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
        match expected_suites(cx, o, p) {
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

/// The highest version OpenSSL's `ssl_get_min_max_version` leaves of an
/// enabled set (oldest first in `PROBED` order): versions are walked from
/// the newest down, and a disabled version below an enabled one starts
/// the range again, so the lowest contiguous run wins (`TLSv1 TLSv1.3`
/// gives TLS 1.0, `TLSv1.1 TLSv1.2` TLS 1.2).
pub fn contiguous_max<'v>(enabled: &[&'v str]) -> Option<&'v str> {
    let mut max = None;
    let mut hole = true;
    for p in PROBED.iter().rev() {
        match enabled.iter().find(|e| *e == p) {
            Some(e) => {
                if hole {
                    max = Some(*e);
                    hole = false;
                }
            }
            None => hole = true,
        }
    }
    max
}

/// OpenSSL (1.1.1 and later) checks, before it reads a ClientHello, that
/// the connection's cipher list has a suite for the highest version of
/// [`contiguous_max`] (`tls_setup_handshake`: "no ciphers available") and
/// otherwise fails every handshake with handshake_failure. The connection
/// is still the socket's default server's then. Some(why) when it fails.
fn no_suite_for_max<'a>(cx: &Context<'a>, o: &Observed<'a>) -> Option<String> {
    if cx.target.openssl < Version::new(1, 1, 1) {
        return None;
    }
    let d = o.default_ep;
    let enabled: Vec<&str> = PROBED
        .iter()
        .copied()
        .filter(|p| d.protocols.value.iter().any(|c| c == p))
        .filter(|p| cipher_facts::version_available(cx, d, p))
        .collect();
    let max = contiguous_max(&enabled)?;
    let covered = if max == "TLSv1.3" {
        tls13_suites(cx, d).is_ok_and(|l| !l.is_empty())
    } else {
        cipher_facts::expansion(cx, d)
            .ok()?
            .suites
            .iter()
            .any(|s| valid_for(s, max))
    };
    if covered {
        return None;
    }
    Some(format!(
        "OpenSSL takes {max} as the highest version of {} (the lowest contiguous run) and refuses every handshake, as the cipher list of the socket's default {} has no suite for {max}",
        d.protocols.value.join(" "),
        cipher_facts::server_noun(d)
    ))
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::openssl::suite_by_name;

    fn allowed(name: &str, level: u8) -> bool {
        level_allows(suite_by_name(name).expect(name), level)
    }

    /// As OpenSSL 3.0 serves them (`openssl s_server -cipher 'X:@SECLEVEL=N'`
    /// against `s_client -cipher 'X:@SECLEVEL=0'`).
    #[test]
    fn security_levels_refuse_suites_as_openssl_does() {
        // anonymous suites: served at level 0 only
        for n in [
            "AECDH-AES256-SHA",
            "ADH-AES128-GCM-SHA256",
            "ADH-AES128-SHA",
        ] {
            assert!(allowed(n, 0), "{n}");
            assert!(!allowed(n, 1), "{n}");
            assert!(!allowed(n, 2), "{n}");
        }
        // authenticated: strength and MAC
        assert!(allowed("AES128-SHA", 1) && allowed("AES128-SHA", 2));
        assert!(allowed("ECDHE-RSA-AES128-SHA", 2));
        // level 3: forward secrecy only; level 4: no SHA-1 MAC
        assert!(!allowed("AES256-GCM-SHA384", 3));
        assert!(allowed("ECDHE-RSA-AES256-GCM-SHA384", 3));
        assert!(allowed("DHE-RSA-AES256-GCM-SHA384", 3));
        assert!(!allowed("ECDHE-RSA-AES256-SHA", 4));
        assert!(allowed("ECDHE-RSA-AES256-GCM-SHA384", 4));
    }

    #[test]
    fn the_lowest_contiguous_run_gives_the_highest_version() {
        assert_eq!(contiguous_max(&["TLSv1", "TLSv1.3"]), Some("TLSv1"));
        assert_eq!(
            contiguous_max(&["TLSv1", "TLSv1.1", "TLSv1.3"]),
            Some("TLSv1.1")
        );
        assert_eq!(contiguous_max(&["TLSv1.1", "TLSv1.2"]), Some("TLSv1.2"));
        assert_eq!(contiguous_max(&["TLSv1.2", "TLSv1.3"]), Some("TLSv1.3"));
        assert_eq!(contiguous_max(&["TLSv1.3"]), Some("TLSv1.3"));
        assert_eq!(contiguous_max(&[]), None);
    }

    #[test]
    fn tls13_suites_follow_sni_where_the_context_switches_early() {
        let v = |s: &str| s.parse::<Version>().unwrap();
        let t = |nginx: &str, openssl: &str| crate::nginx::defaults::Target {
            nginx: v(nginx),
            openssl: v(openssl),
            ..Default::default()
        };
        // nginx 1.22: servername callback, after the TLS 1.3 suite is picked
        assert!(!tls13_suites_per_sni(
            ServerKind::Nginx,
            &t("1.22.1", "3.0.22")
        ));
        assert!(tls13_suites_per_sni(
            ServerKind::Nginx,
            &t("1.29.2", "3.0.22")
        ));
        // mod_ssl switches in the ClientHello callback
        assert!(tls13_suites_per_sni(
            ServerKind::Apache,
            &t("1.22.1", "3.0.22")
        ));
    }
}

/// Whether the endpoint can staple at all: a responder URL configured, or
/// one in a certificate it serves.
pub fn can_staple(files: &crate::certs::TreeFiles, ep: &Endpoint) -> bool {
    ep.stapling_responder.value.is_some()
        || ep
            .certificates
            .iter()
            .filter_map(|p| files.leaf(p))
            .any(|c| !c.ocsp_urls.is_empty())
}
