//! The words of OpenSSL's cipher-string language that name groups of suites.
//!
//! Facts from OpenSSL's `ssl/ssl_ciph.c` (`cipher_aliases[]`) in the 1.0.2,
//! 1.1.0, 1.1.1 and 3.0 branches and `openssl-ciphers(1)`, checked for 3.0
//! against the machine's library by tests/openssl_diff.rs. An alias narrows
//! on each class it sets (key exchange, authentication, encryption, MAC,
//! protocol, strength); a class it leaves at 0 matches anything.

use super::table::{au, enc, kx, mac, proto, strength};
use crate::version::Version;

#[derive(Debug, Clone, Copy)]
pub(crate) struct Alias {
    pub name: &'static str,
    pub kx: u32,
    pub au: u32,
    pub enc: u32,
    pub mac: u32,
    pub min_tls: u16,
    pub strength: u32,
    /// First OpenSSL version with the alias (inclusive).
    pub since: Version,
    /// First OpenSSL version without it (exclusive), if it was removed.
    pub until: Option<Version>,
}

impl Alias {
    pub fn in_version(&self, v: &Version) -> bool {
        *v >= self.since && self.until.is_none_or(|u| *v < u)
    }
}

const V102: Version = Version::new(1, 0, 2);
const V110: Version = Version::new(1, 1, 0);
const V111: Version = Version::new(1, 1, 1);
const V300: Version = Version::new(3, 0, 0);

const fn a(name: &'static str, kx: u32, au: u32, enc: u32, mac: u32) -> Alias {
    Alias {
        name,
        kx,
        au,
        enc,
        mac,
        min_tls: 0,
        strength: 0,
        since: V102,
        until: None,
    }
}
const fn since(mut x: Alias, v: Version) -> Alias {
    x.since = v;
    x
}
const fn until(mut x: Alias, v: Version) -> Alias {
    x.until = Some(v);
    x
}
const fn tls(name: &'static str, min_tls: u16) -> Alias {
    let mut x = a(name, 0, 0, 0, 0);
    x.min_tls = min_tls;
    x
}
const fn st(name: &'static str, enc: u32, strength: u32) -> Alias {
    let mut x = a(name, 0, 0, enc, 0);
    x.strength = strength;
    x
}

const NOT_ANON: u32 = !au::NULL;
const NOT_NULL: u32 = !enc::NULL;

/// Every alias of every modelled version; the first one valid for a version wins.
pub(crate) static ALIASES: &[Alias] = &[
    // "ALL" leaves out eNULL; COMPLEMENTOFALL is exactly eNULL
    a("ALL", 0, 0, NOT_NULL, 0),
    a("COMPLEMENTOFALL", 0, 0, enc::NULL, 0),
    since(st("COMPLEMENTOFDEFAULT", 0, strength::NOT_DEFAULT), V110),
    // 1.0.2: COMPLEMENTOFDEFAULT was the anonymous (EC)DH suites
    until(
        a(
            "COMPLEMENTOFDEFAULT",
            kx::DHE | kx::ECDHE,
            au::NULL,
            NOT_NULL,
            0,
        ),
        V110,
    ),
    // key exchange
    a("kRSA", kx::RSA, 0, 0, 0),
    a("kEDH", kx::DHE, 0, 0, 0),
    a("kDHE", kx::DHE, 0, 0, 0),
    since(a("DH", kx::DHE, 0, 0, 0), V110),
    until(a("DH", kx::DHE | kx::DHR | kx::DHD, 0, 0, 0), V110),
    a("kEECDH", kx::ECDHE, 0, 0, 0),
    a("kECDHE", kx::ECDHE, 0, 0, 0),
    since(a("ECDH", kx::ECDHE, 0, 0, 0), V110),
    until(
        a("ECDH", kx::ECDHE | kx::ECDHR | kx::ECDHE_STATIC, 0, 0, 0),
        V110,
    ),
    a("kPSK", kx::PSK, 0, 0, 0),
    since(a("kRSAPSK", kx::RSAPSK, 0, 0, 0), V110),
    since(a("kECDHEPSK", kx::ECDHEPSK, 0, 0, 0), V110),
    since(a("kDHEPSK", kx::DHEPSK, 0, 0, 0), V110),
    a("kSRP", kx::SRP, 0, 0, 0),
    a("kGOST", kx::GOST, 0, 0, 0),
    until(a("kDHr", kx::DHR, 0, 0, 0), V110),
    until(a("kDHd", kx::DHD, 0, 0, 0), V110),
    until(a("kDH", kx::DHR | kx::DHD, 0, 0, 0), V110),
    until(a("kECDHr", kx::ECDHR, 0, 0, 0), V110),
    until(a("kECDHe", kx::ECDHE_STATIC, 0, 0, 0), V110),
    until(a("kECDH", kx::ECDHR | kx::ECDHE_STATIC, 0, 0, 0), V110),
    // authentication
    a("aRSA", 0, au::RSA, 0, 0),
    a("aDSS", 0, au::DSS, 0, 0),
    a("DSS", 0, au::DSS, 0, 0),
    a("aNULL", 0, au::NULL, 0, 0),
    a("aECDSA", 0, au::ECDSA, 0, 0),
    a("ECDSA", 0, au::ECDSA, 0, 0),
    a("aPSK", 0, au::PSK, 0, 0),
    a("aGOST01", 0, au::GOST01, 0, 0),
    since(a("aGOST12", 0, au::GOST12, 0, 0), V110),
    a("aGOST", 0, au::GOST01 | au::GOST12, 0, 0),
    a("aSRP", 0, au::SRP, 0, 0),
    until(a("aDH", 0, au::DH, 0, 0), V110),
    until(a("aECDH", 0, au::ECDH, 0, 0), V110),
    // key exchange and authentication together
    a("EDH", kx::DHE, NOT_ANON, 0, 0),
    a("DHE", kx::DHE, NOT_ANON, 0, 0),
    a("EECDH", kx::ECDHE, NOT_ANON, 0, 0),
    a("ECDHE", kx::ECDHE, NOT_ANON, 0, 0),
    a("NULL", 0, 0, enc::NULL, 0),
    a("RSA", kx::RSA, au::RSA, 0, 0),
    a("ADH", kx::DHE, au::NULL, 0, 0),
    a("AECDH", kx::ECDHE, au::NULL, 0, 0),
    since(a("PSK", kx::ALL_PSK, 0, 0, 0), V110),
    until(a("PSK", kx::PSK, 0, 0, 0), V110),
    a("SRP", kx::SRP, 0, 0, 0),
    // encryption
    a("3DES", 0, 0, enc::TDES, 0),
    a("RC4", 0, 0, enc::RC4, 0),
    a("RC2", 0, 0, enc::RC2, 0),
    a("IDEA", 0, 0, enc::IDEA, 0),
    a("SEED", 0, 0, enc::SEED, 0),
    a("eNULL", 0, 0, enc::NULL, 0),
    a("GOST", 0, 0, enc::GOST89 | enc::GOST89_12, 0),
    until(a("DES", 0, 0, enc::DES, 0), V110),
    a(
        "AES128",
        0,
        0,
        enc::AES128 | enc::AES128GCM | enc::AES128CCM | enc::AES128CCM8,
        0,
    ),
    a(
        "AES256",
        0,
        0,
        enc::AES256 | enc::AES256GCM | enc::AES256CCM | enc::AES256CCM8,
        0,
    ),
    a("AES", 0, 0, enc::AES, 0),
    a("AESGCM", 0, 0, enc::AESGCM, 0),
    since(a("AESCCM", 0, 0, enc::AESCCM, 0), V110),
    since(
        a("AESCCM8", 0, 0, enc::AES128CCM8 | enc::AES256CCM8, 0),
        V110,
    ),
    a("CAMELLIA128", 0, 0, enc::CAMELLIA128, 0),
    a("CAMELLIA256", 0, 0, enc::CAMELLIA256, 0),
    a("CAMELLIA", 0, 0, enc::CAMELLIA, 0),
    since(a("CHACHA20", 0, 0, enc::CHACHA20POLY1305, 0), V110),
    since(a("ARIA", 0, 0, enc::ARIA, 0), V111),
    since(a("ARIAGCM", 0, 0, enc::ARIA, 0), V111),
    since(a("ARIA128", 0, 0, enc::ARIA128GCM, 0), V111),
    since(a("ARIA256", 0, 0, enc::ARIA256GCM, 0), V111),
    since(a("CBC", 0, 0, enc::CBC, 0), V300),
    // MAC
    a("MD5", 0, 0, 0, mac::MD5),
    a("SHA1", 0, 0, 0, mac::SHA1),
    a("SHA", 0, 0, 0, mac::SHA1),
    a("GOST94", 0, 0, 0, mac::GOST94),
    a("GOST89MAC", 0, 0, 0, mac::GOST89MAC | mac::GOST89MAC12),
    a("SHA256", 0, 0, 0, mac::SHA256),
    a("SHA384", 0, 0, 0, mac::SHA384),
    since(a("GOST12", 0, 0, 0, mac::GOST12_256), V110),
    // protocol versions: the lowest version a suite is defined for
    tls("SSLv3", proto::SSL3),
    tls("TLSv1", proto::TLS1),
    since(tls("TLSv1.0", proto::TLS1), V110),
    tls("TLSv1.2", proto::TLS1_2),
    // strength classes
    st("LOW", 0, strength::LOW),
    st("MEDIUM", 0, strength::MEDIUM),
    st("HIGH", 0, strength::HIGH),
    st("FIPS", NOT_NULL, strength::FIPS),
    until(st("EXP", 0, strength::EXP), V110),
    until(st("EXPORT", 0, strength::EXP), V110),
    until(st("EXPORT40", 0, strength::EXP), V110),
    // 56-bit export suites were gone before 1.0.2: the word selects nothing
    until(
        Alias {
            min_tls: 0xFFFF,
            ..st("EXPORT56", 0, strength::EXP)
        },
        V110,
    ),
    // "EDH-" names of the DHE 3DES suites (names before 1.1.0, aliases after);
    // still HIGH here though the suites became MEDIUM ("MEDIUM+EDH-RSA-DES-CBC3-SHA"
    // matches nothing in 3.0)
    Alias {
        strength: strength::HIGH | strength::FIPS,
        ..a(
            "EDH-DSS-DES-CBC3-SHA",
            kx::DHE,
            au::DSS,
            enc::TDES,
            mac::SHA1,
        )
    },
    Alias {
        strength: strength::HIGH | strength::FIPS,
        ..a(
            "EDH-RSA-DES-CBC3-SHA",
            kx::DHE,
            au::RSA,
            enc::TDES,
            mac::SHA1,
        )
    },
];

/// Every word OpenSSL ever accepted that selects nothing in any build tlslint
/// models (SSLv2-era and Kerberos aliases), so they are "unavailable", not typos.
pub(crate) static RETIRED_WORDS: &[&str] = &[
    "SSLv2",
    "KRB5",
    "kKRB5",
    "aKRB5",
    "kFZA",
    "aFZA",
    "eFZA",
    "FZA",
    "EXPORT56",
    "kGOST18",
    "MAGMA",
    "KUZNYECHIK",
    "DTLSv1",
    "DTLSv1.0",
    "DTLSv1.2",
];
