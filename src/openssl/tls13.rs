//! TLS 1.3 suite lists: OpenSSL's `Ciphersuites` setting (nginx
//! `ssl_conf_command Ciphersuites ...`, Apache `SSLCipherSuite TLSv1.3 ...`
//! and `SSLOpenSSLConfCmd Ciphersuites ...`), as `SSL_CTX_set_ciphersuites`
//! reads it: a `:`-separated list of IANA names, blanks around names ignored,
//! unknown names skipped, duplicates kept; an empty string is an empty list;
//! a non-empty string that names nothing is an error.

use super::rules::NO_CIPHER_MATCH;
use super::table::{all_suites, CipherSuite};
use super::CipherError;
use crate::version::Version;

const V111: Version = Version::new(1, 1, 1);

/// The standard names OpenSSL also accepts in the list (and ignores for TLS 1.3).
const SCSV: &[&str] = &["TLS_EMPTY_RENEGOTIATION_INFO_SCSV", "TLS_FALLBACK_SCSV"];

/// Parse a TLS 1.3 suite list. Returns the TLS 1.3 suites in the given order.
///
/// Standard names of TLS 1.2 suites are accepted without error, as OpenSSL
/// accepts them, but they are left out: they do not configure TLS 1.3.
pub fn parse_ciphersuites(
    list: &str,
    openssl: &Version,
) -> Result<Vec<&'static CipherSuite>, CipherError> {
    parse_ciphersuites_detailed(list, openssl).map(|l| l.suites)
}

/// A parsed TLS 1.3 list with the names OpenSSL skipped.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Tls13List {
    /// The TLS 1.3 suites, in the given order (duplicates kept, as OpenSSL keeps them).
    pub suites: Vec<&'static CipherSuite>,
    /// Names OpenSSL does not know (typos, OpenSSL-style names such as `ECDHE-RSA-...`).
    pub unknown_names: Vec<String>,
    /// Standard names of suites this build does not have.
    pub unavailable_names: Vec<String>,
    /// Standard names of TLS 1.2 suites: accepted, but they do not configure TLS 1.3.
    pub tls12_names: Vec<String>,
}

/// [`parse_ciphersuites`], also returning what was skipped.
pub fn parse_ciphersuites_detailed(
    list: &str,
    openssl: &Version,
) -> Result<Tls13List, CipherError> {
    if *openssl < V111 {
        return Err(CipherError::new(
            "TLS 1.3 ciphersuites need OpenSSL 1.1.1 or later",
        ));
    }
    let list = list.split('\0').next().unwrap_or("");
    let mut tls12 = Vec::new();
    if list.is_empty() {
        return Ok(Tls13List {
            suites: Vec::new(),
            unknown_names: Vec::new(),
            unavailable_names: Vec::new(),
            tls12_names: tls12,
        });
    }
    let ci = *openssl >= Version::new(4, 0, 0);
    let mut out = Vec::new();
    let mut matched = 0usize;
    let mut unknown = Vec::new();
    let mut unavailable = Vec::new();
    for elem in list.split(':') {
        // C isspace(): space, \t, \n, \v, \f, \r
        let name =
            elem.trim_matches(|c: char| matches!(c, ' ' | '\t' | '\n' | '\x0b' | '\x0c' | '\r'));
        if name.is_empty() {
            continue;
        }
        let eq = |a: &str| {
            if ci {
                a.eq_ignore_ascii_case(name)
            } else {
                a == name
            }
        };
        if SCSV.iter().any(|s| eq(s)) {
            matched += 1;
            continue;
        }
        match all_suites().iter().find(|s| eq(s.iana_name)) {
            Some(s) if s.compiled_in(openssl) => {
                matched += 1;
                if s.is_tls13() {
                    out.push(s);
                } else {
                    tls12.push(name.to_string());
                }
            }
            Some(_) => unavailable.push(name.to_string()),
            None => unknown.push(name.to_string()),
        }
    }
    if matched == 0 {
        return Err(CipherError {
            reason: NO_CIPHER_MATCH.to_string(),
            unknown_words: unknown,
            unavailable_words: unavailable,
        });
    }
    Ok(Tls13List {
        suites: out,
        unknown_names: unknown,
        unavailable_names: unavailable,
        tls12_names: tls12,
    })
}

/// OpenSSL's default TLS 1.3 list (`TLS_DEFAULT_CIPHERSUITES`); empty before 1.1.1.
pub fn default_ciphersuites(openssl: &Version) -> Vec<&'static CipherSuite> {
    if *openssl < V111 {
        return Vec::new();
    }
    [0x1302u16, 0x1303, 0x1301]
        .iter()
        .filter_map(|&id| super::table::suite_by_id(id))
        .collect()
}
