//! Shared by the cipher and group rules: the endpoint's cipher string, TLS 1.3
//! suites and groups as the modelled OpenSSL reads them. Cipher strings are
//! expanded through one process-wide cache, so a tree of thousands of
//! endpoints that share a few strings expands each distinct string once.

use std::sync::{Arc, OnceLock};

use crate::model::{Endpoint, ServerKind, Source};
use crate::openssl::{CipherError, CipherSuite, Expansion, ExpansionCache, GroupError, GroupList};
use crate::rules::tls101_protocol_outside_profile::openssl_has;
use crate::rules::Context;

static CACHE: OnceLock<ExpansionCache> = OnceLock::new();

/// The process-wide cipher-string cache.
pub fn cache() -> &'static ExpansionCache {
    CACHE.get_or_init(ExpansionCache::new)
}

/// The endpoint completes handshakes (a catch-all with
/// `ssl_reject_handshake on` refuses every one).
pub fn handshakes(ep: &Endpoint) -> bool {
    !ep.reject_handshake.value
}

/// The endpoint negotiates TLS 1.2 or older (so its cipher string matters):
/// it completes handshakes on a TCP listener (QUIC is TLS 1.3 only).
pub fn tls12_enabled(cx: &Context<'_>, ep: &Endpoint) -> bool {
    handshakes(ep)
        && ep.listen.iter().any(|l| !l.quic)
        && ep.effective_protocols().value.iter().any(|p| {
            matches!(p.as_str(), "SSLv3" | "TLSv1" | "TLSv1.1" | "TLSv1.2")
                && openssl_has(p, cx.target.openssl)
        })
}

/// The endpoint negotiates TLS 1.3.
pub fn tls13_enabled(cx: &Context<'_>, ep: &Endpoint) -> bool {
    handshakes(ep)
        && ep
            .effective_protocols()
            .value
            .iter()
            .any(|p| p == "TLSv1.3")
        && openssl_has("TLSv1.3", cx.target.openssl)
}

/// What mod_ssl appends to every TLS ≤ 1.2 cipher string, its default
/// included (`ssl_cmd_SSLCipherSuite`, `ssl_init_ctx_cipher_suite`).
pub const APACHE_CIPHER_SUFFIX: &str = ":!aNULL:!eNULL:!EXP";

/// The cipher string OpenSSL is given: Apache's with mod_ssl's suffix.
pub fn effective_cipher_string(ep: &Endpoint) -> std::borrow::Cow<'_, str> {
    match ep.server {
        ServerKind::Nginx => ep.ciphers.value.as_str().into(),
        ServerKind::Apache => format!("{}{APACHE_CIPHER_SUFFIX}", ep.ciphers.value).into(),
    }
}

/// The expansion of the endpoint's cipher string (for Apache with the
/// `:!aNULL:!eNULL:!EXP` mod_ssl appends).
pub fn expansion(cx: &Context<'_>, ep: &Endpoint) -> Result<Arc<Expansion>, CipherError> {
    cache().expand(&effective_cipher_string(ep), &cx.target.openssl)
}

/// Whether a suite is a (finite-field) DHE suite.
pub fn is_dhe(s: &CipherSuite) -> bool {
    s.kx == "DH" || s.kx == "DHEPSK"
}

/// Whether a suite authenticates with a pre-shared key or SRP password, which
/// neither nginx nor Apache configures: such suites are never negotiated.
pub fn needs_psk_or_srp(s: &CipherSuite) -> bool {
    matches!(s.au, "PSK" | "SRP") || s.kx.contains("PSK") || s.kx == "SRP"
}

/// The suites of an expansion the server can actually negotiate: nginx has no
/// DH parameters without `ssl_dhparam` (OpenSSL's automatic DH is not turned
/// on), so its DHE suites are never chosen; Apache turns automatic DH on. PSK
/// and SRP suites need keys no web server configures.
pub fn usable(ep: &Endpoint, suites: &[&'static CipherSuite]) -> Vec<&'static CipherSuite> {
    let no_dh = ep.server == ServerKind::Nginx && ep.dhparam.value.is_none();
    suites
        .iter()
        .copied()
        .filter(|s| !(no_dh && is_dhe(s)) && !needs_psk_or_srp(s))
        .collect()
}

/// Why `usable` is shorter than the expansion, for labels.
pub fn unusable_note(ep: &Endpoint, total: usize, usable: usize) -> String {
    if total == usable {
        return format!("expands to {total} suites");
    }
    let why = if ep.server == ServerKind::Nginx && ep.dhparam.value.is_none() {
        "DHE without ssl_dhparam, PSK and SRP suites are never negotiated"
    } else {
        "PSK and SRP suites are never negotiated"
    };
    format!("expands to {total} suites, {usable} usable ({why})")
}

/// The last `NAME value` of an OpenSSL configuration command, if set.
pub fn conf_command<'a>(ep: &'a Endpoint, names: &[&str]) -> Option<&'a str> {
    ep.conf_commands
        .value
        .iter()
        .rev()
        .find(|(k, _)| names.iter().any(|n| k.eq_ignore_ascii_case(n)))
        .map(|(_, v)| v.as_str())
}

/// The TLS 1.3 suites: `Ciphersuites` from the configuration commands, else
/// OpenSSL's default list. The source says which.
pub fn tls13_suites(
    cx: &Context<'_>,
    ep: &Endpoint,
) -> (Result<Vec<&'static CipherSuite>, CipherError>, Source, bool) {
    match conf_command(ep, &["Ciphersuites"]) {
        Some(list) => (
            crate::openssl::parse_ciphersuites(list, &cx.target.openssl),
            ep.conf_commands.source.clone(),
            true,
        ),
        None => (
            Ok(crate::openssl::default_ciphersuites(&cx.target.openssl)),
            ep.conf_commands.source.clone(),
            false,
        ),
    }
}

/// The key-exchange groups: `Groups`/`Curves` from the configuration
/// commands (applied after `ssl_ecdh_curve`), else the curve setting.
pub fn groups(cx: &Context<'_>, ep: &Endpoint) -> (String, Result<GroupList, GroupError>, Source) {
    let (list, src) = match conf_command(ep, &["Groups", "Curves"]) {
        Some(v) => (v.to_string(), ep.conf_commands.source.clone()),
        None => (ep.ecdh_curve.value.clone(), ep.ecdh_curve.source.clone()),
    };
    let parsed = crate::openssl::parse_groups(&list, &cx.target.openssl);
    (list, parsed, src)
}

/// `--verbose`: messages list every name instead of the first few and a
/// count. A display preference of the whole run (set once by the command
/// line before any check runs), hence process-wide.
pub static FULL_LISTS: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);

/// A list of names, shortened for a message (whole with `--verbose`).
pub fn short_list(names: &[&str], max: usize) -> String {
    if names.len() <= max || FULL_LISTS.load(std::sync::atomic::Ordering::Relaxed) {
        names.join(", ")
    } else {
        format!("{} and {} more", names[..max].join(", "), names.len() - max)
    }
}

/// Bytes of a configured value a message quotes; a longer one is cut.
pub const QUOTE_MAX: usize = 200;

/// A configured value for a message: whole up to [`QUOTE_MAX`] bytes, else
/// its start, `…` and its length (a 2 MB cipher string is not repeated in
/// every finding about it).
pub fn quoted(value: &str) -> std::borrow::Cow<'_, str> {
    if value.len() <= QUOTE_MAX {
        return value.into();
    }
    let mut end = QUOTE_MAX;
    while !value.is_char_boundary(end) {
        end -= 1;
    }
    format!("{}… ({} bytes)", &value[..end], value.len()).into()
}

/// Whether the profile allows a TLS ≤ 1.2 suite (by OpenSSL or IANA name).
pub fn profile_allows(cx: &Context<'_>, s: &CipherSuite) -> bool {
    let p = &cx.profile.ciphers;
    p.openssl.iter().any(|n| n == s.openssl_name) || p.iana.iter().any(|n| n == s.iana_name)
}

/// A setting's directive name for messages.
pub fn directive(ep: &Endpoint, nginx: &'static str, apache: &'static str) -> &'static str {
    match ep.server {
        ServerKind::Nginx => nginx,
        ServerKind::Apache => apache,
    }
}

/// The cipher string that writes exactly the profile's TLS ≤ 1.2 suites.
pub fn profile_cipher_string(cx: &Context<'_>) -> String {
    cx.profile.ciphers.openssl.join(":")
}

/// A directive line as a fix writes it: nginx's ends with `;`.
pub fn stmt(ep: &Endpoint, nginx: &str, apache: &str) -> String {
    match ep.server {
        ServerKind::Nginx => format!("{nginx};"),
        ServerKind::Apache => apache.to_string(),
    }
}

/// What an endpoint is called in messages.
pub fn server_noun(ep: &Endpoint) -> &'static str {
    match ep.server {
        ServerKind::Nginx => "server",
        ServerKind::Apache => "virtual host",
    }
}

/// Where a setting for this endpoint (and its neighbours) is written.
pub fn set_here(ep: &Endpoint) -> &'static str {
    match ep.server {
        ServerKind::Nginx => "in this server or at http level",
        ServerKind::Apache => "in this <VirtualHost> or in the main server config",
    }
}

/// The line that enables exactly `versions`: `ssl_protocols A B;` /
/// `SSLProtocol -all +A +B`.
pub fn protocols_line(ep: &Endpoint, versions: &[&str]) -> String {
    match ep.server {
        ServerKind::Nginx => format!("ssl_protocols {};", versions.join(" ")),
        ServerKind::Apache => {
            let mut s = "SSLProtocol -all".to_string();
            for v in versions {
                s.push_str(&format!(" +{v}"));
            }
            s
        }
    }
}

/// Where the last configuration command of one of `names` is written: its
/// own line for Apache, the (inherited whole) list's source for nginx.
pub fn conf_command_span(ep: &Endpoint, names: &[&str]) -> crate::source::Span {
    if let Some(a) = &ep.apache {
        let found = ep
            .conf_commands
            .value
            .iter()
            .zip(&a.conf_command_spans)
            .rev()
            .find(|((k, _), _)| names.iter().any(|n| k.eq_ignore_ascii_case(n)));
        if let Some((_, span)) = found {
            return *span;
        }
    }
    ep.conf_commands.source.span()
}

/// The written name of the last configuration command of one of `names`
/// (`Curves` or `Groups`).
pub fn conf_command_name<'a>(ep: &'a Endpoint, names: &[&str]) -> Option<&'a str> {
    ep.conf_commands
        .value
        .iter()
        .rev()
        .find(|(k, _)| names.iter().any(|n| k.eq_ignore_ascii_case(n)))
        .map(|(k, _)| k.as_str())
}

/// Whether the modelled software can negotiate a protocol version: the
/// OpenSSL build, and for Apache TLSv1.3 from httpd 2.4.36.
pub fn version_available(cx: &Context<'_>, ep: &Endpoint, proto: &str) -> bool {
    crate::rules::tls101_protocol_outside_profile::openssl_has(proto, cx.target.openssl)
        && !(ep.server == ServerKind::Apache
            && proto == "TLSv1.3"
            && cx.target.apache < crate::version::Version::new(2, 4, 36))
}
