//! OpenSSL as the servers use it: cipher strings, TLS 1.3 suites, groups.
//!
//! - [`expand`] reads a cipher string (`ssl_ciphers`, `SSLCipherSuite`) the way
//!   `SSL_CTX_set_cipher_list` does and returns the TLS 1.2-and-below suites
//!   in OpenSSL's order, as `openssl ciphers -ciphersuites '' STRING` prints them.
//! - [`parse_ciphersuites`] / [`default_ciphersuites`]: the TLS 1.3 list
//!   (`Ciphersuites`, `SSLCipherSuite TLSv1.3 ...`).
//! - [`lookup_group`] / [`parse_groups`]: `ssl_ecdh_curve`, `Curves`, `Groups`.
//!
//! The modelled library is an OpenSSL version as its default build ships it
//! (3.0 = what Debian 12 ships). Facts live in `data/` with their sources.
//!
//! How far each version is modelled:
//! - 3.0 is checked against the real library (tests/openssl_*.rs): same
//!   suites, same order, same errors, for random strings and real configs.
//! - Other versions change the facts, not the engine: which suites the
//!   default build offers (RC4 until 1.0.2, 3DES until 1.1.1, export and single
//!   DES never by default), which aliases exist (`EXP`, `kECDH` ... until
//!   1.0.2; `CHACHA20`, `AESCCM` from 1.1.0; `ARIA` from 1.1.1; `CBC` from
//!   3.0), `DEFAULT`, TLS 1.3 (1.1.1+), `@SECLEVEL` (1.1.0+), group names and
//!   case-insensitive names (4.0+). The default preference order of 1.0.2
//!   differs slightly from the one modelled (1.1.0+'s); not checked.
//! - A word naming a suite or alias the build lacks is reported in
//!   `unavailable_words`, anything else OpenSSL ignores in `unknown_words`.
//!   IANA names are not cipher-string words in 3.0 (`_` ends a word).

mod aliases;
pub mod command;
mod groups;
pub mod profile;
mod rules;
mod table;
mod tls13;

use std::collections::HashMap;
use std::fmt;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use crate::version::Version;

pub use groups::{
    all_groups, default_groups, lookup_group, parse_groups, Group, GroupError, GroupList,
    GroupLookup,
};
pub use table::{
    all_suites, suite_by_iana, suite_by_id, suite_by_name, CipherSuite, Protocol, StrengthClass,
};
pub use tls13::{default_ciphersuites, parse_ciphersuites, parse_ciphersuites_detailed, Tls13List};

/// A cipher string as OpenSSL reads it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Expansion {
    /// The selected TLS 1.2-and-below suites, in OpenSSL's preference order.
    pub suites: Vec<&'static CipherSuite>,
    /// Words OpenSSL does not know and so ignores (likely typos), first occurrence order.
    pub unknown_words: Vec<String>,
    /// Real suite names or aliases that select nothing in the modelled build
    /// (`DES-CBC3-SHA`, `RC4` on 3.0; `EXP` after 1.0.2).
    pub unavailable_words: Vec<String>,
    /// The last valid `@SECLEVEL=n`.
    pub seclevel: Option<u8>,
}

/// A cipher string OpenSSL refuses (nginx and Apache then fail to start).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CipherError {
    /// OpenSSL's reason text: `no cipher match` or `invalid command`.
    pub reason: String,
    /// As in [`Expansion`]: why the string may have selected nothing.
    pub unknown_words: Vec<String>,
    pub unavailable_words: Vec<String>,
}

impl CipherError {
    pub(crate) fn new(reason: &str) -> CipherError {
        CipherError {
            reason: reason.to_string(),
            unknown_words: Vec::new(),
            unavailable_words: Vec::new(),
        }
    }
}

impl fmt::Display for CipherError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.reason)
    }
}

impl std::error::Error for CipherError {}

/// OpenSSL's `DEFAULT` cipher string for a version.
pub fn default_cipher_string(openssl: &Version) -> &'static str {
    rules::default_rule(openssl)
}

/// Expand a cipher string as `SSL_CTX_set_cipher_list` does in the modelled OpenSSL.
///
/// Bytes after a NUL are ignored (C strings end there).
pub fn expand(cipher_string: &str, openssl: &Version) -> Result<Expansion, CipherError> {
    let s = cipher_string.split('\0').next().unwrap_or("");
    let (unknown_words, unavailable_words) = classify_words(s, openssl);
    let fail = |reason: &str| CipherError {
        reason: reason.to_string(),
        unknown_words: unknown_words.clone(),
        unavailable_words: unavailable_words.clone(),
    };
    // a Suite B keyword at the start replaces the whole string
    let mut rule = rules::suite_b(s).unwrap_or(s);
    let mut ev = rules::Evaluator::new(openssl);
    if let Some(rest) = rule.strip_prefix("DEFAULT") {
        ev.process(rules::default_rule(openssl).as_bytes())
            .map_err(fail)?;
        rule = rest.strip_prefix(':').unwrap_or(rest);
    }
    if !rule.is_empty() {
        ev.process(rule.as_bytes()).map_err(fail)?;
    }
    let suites = ev.result();
    if suites.is_empty() {
        return Err(fail(rules::NO_CIPHER_MATCH));
    }
    Ok(Expansion {
        suites,
        unknown_words,
        unavailable_words,
        seclevel: ev.seclevel,
    })
}

/// Sort the words of a cipher string into unknown and unavailable ones.
fn classify_words(s: &str, v: &Version) -> (Vec<String>, Vec<String>) {
    let mut unknown: Vec<String> = Vec::new();
    let mut unavailable: Vec<String> = Vec::new();
    // the words already listed (a string of 150,000 words is read once)
    let mut seen: std::collections::HashSet<&str> = std::collections::HashSet::new();
    if rules::suite_b(s).is_some() {
        return (unknown, unavailable);
    }
    let body = match s.strip_prefix("DEFAULT") {
        Some(rest) => rest.strip_prefix(':').unwrap_or(rest),
        None => s,
    };
    for item in body.split(|c: char| c.is_ascii() && rules::item_sep(c as u8)) {
        let item = match item.as_bytes().first() {
            Some(b'@') | None => continue,
            Some(b'-' | b'+' | b'!') => &item[1..],
            Some(_) => item,
        };
        for part in item.split('+') {
            // an IANA name is one unknown word, not "TLS" (OpenSSL 3.0 stops at the "_")
            let raw_end = part
                .bytes()
                .position(|c| !(rules::word_byte(c) || c == b'_'))
                .unwrap_or(part.len());
            let end = part
                .bytes()
                .position(|c| !rules::word_byte(c))
                .unwrap_or(part.len());
            let word = if table::suite_by_iana(&part[..raw_end]).is_some() {
                &part[..raw_end]
            } else {
                &part[..end]
            };
            if word.is_empty() {
                continue;
            }
            let list = match rules::classify(word, v) {
                rules::WordClass::Known => continue,
                rules::WordClass::Unknown => &mut unknown,
                rules::WordClass::Unavailable => &mut unavailable,
            };
            if seen.insert(word) {
                list.push(word.to_string());
            }
        }
    }
    (unknown, unavailable)
}

/// The OpenSSL names of a list of suites, joined with `:` as `openssl ciphers` prints them.
pub fn names(suites: &[&CipherSuite]) -> String {
    let mut out = String::new();
    for (i, s) in suites.iter().enumerate() {
        if i > 0 {
            out.push(':');
        }
        out.push_str(s.openssl_name);
    }
    out
}

type CacheKey = (String, Version);
type CacheValue = Result<Arc<Expansion>, CipherError>;

/// Memoises [`expand`] by (string, version): a tree of thousands of endpoints
/// that share a handful of cipher strings expands each distinct string once.
#[derive(Default)]
pub struct ExpansionCache {
    map: Mutex<HashMap<CacheKey, CacheValue>>,
    expansions: AtomicUsize,
}

impl ExpansionCache {
    pub fn new() -> ExpansionCache {
        ExpansionCache::default()
    }

    /// [`expand`], computed once per distinct (string, version).
    pub fn expand(&self, cipher_string: &str, openssl: &Version) -> CacheValue {
        let key = (cipher_string.to_string(), *openssl);
        if let Some(hit) = self.lock().get(&key) {
            return hit.clone();
        }
        let value = expand(cipher_string, openssl).map(Arc::new);
        self.expansions.fetch_add(1, Ordering::Relaxed);
        self.lock().entry(key).or_insert(value).clone()
    }

    /// How many times [`expand`] actually ran.
    pub fn expansions(&self) -> usize {
        self.expansions.load(Ordering::Relaxed)
    }

    /// How many distinct (string, version) pairs are cached.
    pub fn len(&self) -> usize {
        self.lock().len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<CacheKey, CacheValue>> {
        // a panic elsewhere cannot leave the map half-written: use it anyway
        self.map.lock().unwrap_or_else(|e| e.into_inner())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn v30() -> Version {
        Version::new(3, 0, 0)
    }

    #[test]
    fn nginx_default_starts_with_ecdhe_ecdsa_gcm() {
        let e = expand("HIGH:!aNULL:!MD5", &v30()).unwrap();
        assert_eq!(e.suites[0].openssl_name, "ECDHE-ECDSA-AES256-GCM-SHA384");
        assert!(e.unknown_words.is_empty());
    }

    #[test]
    fn errors_carry_openssl_reasons() {
        assert_eq!(expand("FOO", &v30()).unwrap_err().reason, "no cipher match");
        assert_eq!(
            expand("AES+", &v30()).unwrap_err().reason,
            "invalid command"
        );
        assert_eq!(
            expand("@SECLEVEL=6", &v30()).unwrap_err().reason,
            "invalid command"
        );
    }

    #[test]
    fn unavailable_is_not_a_typo() {
        let e = expand("DES-CBC3-SHA", &v30()).unwrap_err();
        assert_eq!(e.unavailable_words, vec!["DES-CBC3-SHA"]);
        assert!(e.unknown_words.is_empty());
        let e = expand("ECDHE+AESGCM:RC4:AESGCN", &v30()).unwrap();
        assert_eq!(e.unavailable_words, vec!["RC4"]);
        assert_eq!(e.unknown_words, vec!["AESGCN"]);
        let old = expand("DES-CBC3-SHA", &Version::new(1, 1, 1)).unwrap();
        assert_eq!(old.suites.len(), 1);
    }

    #[test]
    fn seclevel_is_reported() {
        let e = expand("DEFAULT:@SECLEVEL=0", &v30()).unwrap();
        assert_eq!(e.seclevel, Some(0));
    }

    #[test]
    fn cache_expands_once() {
        let c = ExpansionCache::new();
        for _ in 0..10 {
            c.expand("HIGH", &v30()).unwrap();
            let _ = c.expand("FOO", &v30());
        }
        assert_eq!(c.expansions(), 2);
    }
}
