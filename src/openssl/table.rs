//! The cipher-suite table (`data/ciphers.txt`), parsed once on first use.
//!
//! The algorithm bits follow the way OpenSSL's `ssl/ssl_ciph.c` classifies
//! suites (key exchange, authentication, encryption, MAC, strength), because
//! the rule language selects suites by those classes. The bit values are our
//! own; only their meaning matters.

use std::collections::HashMap;
use std::sync::OnceLock;

use crate::version::Version;

/// Key-exchange bits (`kRSA`, `kDHE`, ...).
pub(crate) mod kx {
    pub const RSA: u32 = 1 << 0;
    pub const DHE: u32 = 1 << 1;
    pub const ECDHE: u32 = 1 << 2;
    pub const PSK: u32 = 1 << 3;
    pub const GOST: u32 = 1 << 4;
    pub const SRP: u32 = 1 << 5;
    pub const RSAPSK: u32 = 1 << 6;
    pub const ECDHEPSK: u32 = 1 << 7;
    pub const DHEPSK: u32 = 1 << 8;
    /// Static DH with an RSA- or DSS-signed certificate (OpenSSL 1.0.2 only).
    pub const DHR: u32 = 1 << 9;
    pub const DHD: u32 = 1 << 10;
    /// Static ECDH (OpenSSL 1.0.2 only).
    pub const ECDHR: u32 = 1 << 11;
    pub const ECDHE_STATIC: u32 = 1 << 12;
    /// TLS 1.3: any.
    pub const ANY: u32 = 0;
    pub const ALL_PSK: u32 = PSK | RSAPSK | ECDHEPSK | DHEPSK;
}

/// Authentication bits (`aRSA`, `aNULL`, ...).
pub(crate) mod au {
    pub const RSA: u32 = 1 << 0;
    pub const DSS: u32 = 1 << 1;
    pub const NULL: u32 = 1 << 2;
    pub const ECDSA: u32 = 1 << 3;
    pub const PSK: u32 = 1 << 4;
    pub const GOST01: u32 = 1 << 5;
    pub const SRP: u32 = 1 << 6;
    pub const GOST12: u32 = 1 << 7;
    /// Static DH / ECDH certificates (OpenSSL 1.0.2 only).
    pub const DH: u32 = 1 << 8;
    pub const ECDH: u32 = 1 << 9;
    pub const ANY: u32 = 0;
}

/// Bulk-encryption bits (`AES128`, `eNULL`, ...).
pub(crate) mod enc {
    pub const DES: u32 = 1 << 0;
    pub const TDES: u32 = 1 << 1;
    pub const RC4: u32 = 1 << 2;
    pub const RC2: u32 = 1 << 3;
    pub const IDEA: u32 = 1 << 4;
    pub const NULL: u32 = 1 << 5;
    pub const AES128: u32 = 1 << 6;
    pub const AES256: u32 = 1 << 7;
    pub const CAMELLIA128: u32 = 1 << 8;
    pub const CAMELLIA256: u32 = 1 << 9;
    pub const GOST89: u32 = 1 << 10;
    pub const SEED: u32 = 1 << 11;
    pub const AES128GCM: u32 = 1 << 12;
    pub const AES256GCM: u32 = 1 << 13;
    pub const AES128CCM: u32 = 1 << 14;
    pub const AES256CCM: u32 = 1 << 15;
    pub const AES128CCM8: u32 = 1 << 16;
    pub const AES256CCM8: u32 = 1 << 17;
    pub const GOST89_12: u32 = 1 << 18;
    pub const CHACHA20POLY1305: u32 = 1 << 19;
    pub const ARIA128GCM: u32 = 1 << 20;
    pub const ARIA256GCM: u32 = 1 << 21;

    pub const AESGCM: u32 = AES128GCM | AES256GCM;
    pub const AESCCM: u32 = AES128CCM | AES256CCM | AES128CCM8 | AES256CCM8;
    pub const AES: u32 = AES128 | AES256 | AESGCM | AESCCM;
    pub const CAMELLIA: u32 = CAMELLIA128 | CAMELLIA256;
    pub const ARIA: u32 = ARIA128GCM | ARIA256GCM;
    pub const CBC: u32 =
        DES | TDES | RC2 | IDEA | AES128 | AES256 | CAMELLIA128 | CAMELLIA256 | SEED;
}

/// MAC bits (`SHA1`, `AEAD`, ...).
pub(crate) mod mac {
    pub const MD5: u32 = 1 << 0;
    pub const SHA1: u32 = 1 << 1;
    pub const GOST94: u32 = 1 << 2;
    pub const GOST89MAC: u32 = 1 << 3;
    pub const SHA256: u32 = 1 << 4;
    pub const SHA384: u32 = 1 << 5;
    pub const AEAD: u32 = 1 << 6;
    pub const GOST12_256: u32 = 1 << 7;
    pub const GOST89MAC12: u32 = 1 << 8;
}

/// Strength bits: the class (one of NONE..HIGH, or EXP) plus FIPS and NOT_DEFAULT.
pub(crate) mod strength {
    pub const NONE: u32 = 1 << 0;
    pub const LOW: u32 = 1 << 1;
    pub const MEDIUM: u32 = 1 << 2;
    pub const HIGH: u32 = 1 << 3;
    pub const FIPS: u32 = 1 << 4;
    /// OpenSSL's "strong" group: the class bits and FIPS, matched together.
    pub const STRONG_MASK: u32 = NONE | LOW | MEDIUM | HIGH | FIPS;
    pub const NOT_DEFAULT: u32 = 1 << 5;
    pub const DEFAULT_MASK: u32 = NOT_DEFAULT;
    /// Export grade (OpenSSL 1.0.2 `EXP`/`EXPORT`), matched on its own.
    pub const EXP: u32 = 1 << 6;
    pub const EXP_MASK: u32 = EXP;
}

/// Protocol versions as on the wire (SSL 3.0 = 0x0300 ...).
pub(crate) mod proto {
    pub const SSL3: u16 = 0x0300;
    pub const TLS1: u16 = 0x0301;
    pub const TLS1_2: u16 = 0x0303;
    pub const TLS1_3: u16 = 0x0304;
}

/// A protocol version a suite can be used with.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize)]
pub enum Protocol {
    #[serde(rename = "SSLv3")]
    Ssl3,
    #[serde(rename = "TLSv1")]
    Tls1,
    #[serde(rename = "TLSv1.1")]
    Tls1_1,
    #[serde(rename = "TLSv1.2")]
    Tls1_2,
    #[serde(rename = "TLSv1.3")]
    Tls1_3,
}

impl Protocol {
    /// The name OpenSSL prints (`openssl ciphers -v`).
    pub fn openssl_name(self) -> &'static str {
        match self {
            Protocol::Ssl3 => "SSLv3",
            Protocol::Tls1 => "TLSv1",
            Protocol::Tls1_1 => "TLSv1.1",
            Protocol::Tls1_2 => "TLSv1.2",
            Protocol::Tls1_3 => "TLSv1.3",
        }
    }
    fn wire(self) -> u16 {
        match self {
            Protocol::Ssl3 => proto::SSL3,
            Protocol::Tls1 => proto::TLS1,
            Protocol::Tls1_1 => 0x0302,
            Protocol::Tls1_2 => proto::TLS1_2,
            Protocol::Tls1_3 => proto::TLS1_3,
        }
    }
}

/// OpenSSL's strength class of a suite.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize)]
pub enum StrengthClass {
    High,
    Medium,
    Low,
    /// Export grade (40/56-bit), OpenSSL 1.0.2 and older.
    Export,
    /// No encryption.
    None,
}

/// One cipher suite as OpenSSL knows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CipherSuite {
    /// OpenSSL's name (`ECDHE-RSA-AES128-GCM-SHA256`; TLS 1.3 suites use the IANA name).
    pub openssl_name: &'static str,
    /// The IANA / standard name (`TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256`).
    pub iana_name: &'static str,
    /// The IANA code point (`0xC02F`).
    pub id: u16,
    /// Lowest protocol version the suite is defined for.
    pub min_protocol: Protocol,
    /// Highest protocol version (TLS 1.2 for every suite below TLS 1.3).
    pub max_protocol: Protocol,
    /// Key exchange as `openssl ciphers -v` prints it (`Kx=ECDH`).
    pub kx: &'static str,
    /// Authentication as `openssl ciphers -v` prints it (`Au=RSA`).
    pub au: &'static str,
    /// Encryption as `openssl ciphers -v` prints it (`Enc=AESGCM(128)`).
    pub enc: &'static str,
    /// MAC as `openssl ciphers -v` prints it (`Mac=AEAD`).
    pub mac: &'static str,
    /// Effective key bits (what `@STRENGTH` sorts on).
    pub strength_bits: u16,
    /// The cipher's nominal key bits (3DES: 168).
    pub alg_bits: u16,
    /// HIGH, MEDIUM, LOW, export or none.
    pub class: StrengthClass,
    /// In OpenSSL's FIPS alias.
    pub fips: bool,
    /// In `COMPLEMENTOFDEFAULT` (OpenSSL 1.1.0 and later), so not in `DEFAULT`.
    pub not_default: bool,
    /// Why a build may lack the suite (weak-ssl-ciphers, removed, legacy provider ...).
    pub note: &'static str,
    pub(crate) kx_bits: u32,
    pub(crate) au_bits: u32,
    pub(crate) enc_bits: u32,
    pub(crate) mac_bits: u32,
    pub(crate) strength_mask: u32,
    pub(crate) min_tls: u16,
    versions: VersionSet,
}

impl CipherSuite {
    /// True for the five TLS 1.3 suites (set with `Ciphersuites`, not cipher strings).
    pub fn is_tls13(&self) -> bool {
        self.min_protocol == Protocol::Tls1_3
    }
    /// Whether the default build of this OpenSSL version offers the suite.
    pub fn available_in(&self, openssl: &Version) -> bool {
        self.versions.contains(openssl)
    }
    /// Whether the version's library has the suite compiled in, runnable or not
    /// (TLS 1.3 `Ciphersuites` accepts the standard name of such a suite).
    pub fn compiled_in(&self, openssl: &Version) -> bool {
        self.versions.compiled_in(openssl)
    }
    /// The first OpenSSL version (of those tlslint models) that offers it, if any.
    pub fn first_version(&self) -> Option<Version> {
        self.versions.first()
    }
    /// Ephemeral key exchange (ECDHE, DHE and their PSK forms; every TLS 1.3 suite).
    pub fn uses_forward_secrecy(&self) -> bool {
        self.is_tls13() || self.kx_bits & (kx::DHE | kx::ECDHE | kx::DHEPSK | kx::ECDHEPSK) != 0
    }
    /// AEAD cipher (GCM, CCM, ChaCha20-Poly1305).
    pub fn is_aead(&self) -> bool {
        self.mac_bits & mac::AEAD != 0
    }
    /// No authentication (anonymous DH/ECDH).
    pub fn is_anonymous(&self) -> bool {
        self.au_bits & au::NULL != 0
    }
    /// No encryption.
    pub fn is_null_encryption(&self) -> bool {
        self.enc_bits & enc::NULL != 0
    }
}

/// Versions of OpenSSL as inclusive ranges (`None` upper bound = open), each
/// either runnable in the default build or only compiled in.
#[derive(Debug, Clone, PartialEq, Eq)]
struct VersionSet(Vec<Range>);

#[derive(Debug, Clone, PartialEq, Eq)]
struct Range {
    lo: Version,
    hi: Option<Version>,
    runnable: bool,
}

impl Range {
    fn contains(&self, v: &Version) -> bool {
        *v >= self.lo && self.hi.as_ref().is_none_or(|h| v <= h)
    }
}

impl VersionSet {
    fn contains(&self, v: &Version) -> bool {
        self.0.iter().any(|r| r.runnable && r.contains(v))
    }
    fn compiled_in(&self, v: &Version) -> bool {
        self.0.iter().any(|r| r.contains(v))
    }
    fn first(&self) -> Option<Version> {
        self.0.iter().filter(|r| r.runnable).map(|r| r.lo).min()
    }
    fn parse(s: &str) -> Result<VersionSet, String> {
        if s == "none" {
            return Ok(VersionSet(Vec::new()));
        }
        let mut out = Vec::new();
        for part in s.split(',') {
            let (part, runnable) = match part.strip_suffix('*') {
                Some(p) => (p, false),
                None => (part, true),
            };
            let (lo, hi) = match part.split_once('-') {
                Some((lo, "")) => (lo, None),
                Some((lo, hi)) => (lo, Some(hi)),
                None => (part, Some(part)),
            };
            let lo: Version = lo.parse()?;
            let hi = match hi {
                Some(h) => Some(h.parse::<Version>()?),
                None => None,
            };
            out.push(Range { lo, hi, runnable });
        }
        Ok(VersionSet(out))
    }
}

/// The whole table, sorted by code point.
pub struct Table {
    pub suites: Vec<CipherSuite>,
    by_name: HashMap<&'static str, usize>,
    by_iana: HashMap<&'static str, usize>,
    by_id: HashMap<u16, usize>,
}

static TABLE: OnceLock<Table> = OnceLock::new();
const DATA: &str = include_str!("data/ciphers.txt");

pub(crate) fn table() -> &'static Table {
    TABLE.get_or_init(|| parse_table(DATA).expect("src/openssl/data/ciphers.txt is well-formed"))
}

/// Every suite tlslint knows (all OpenSSL versions), sorted by code point.
pub fn all_suites() -> &'static [CipherSuite] {
    &table().suites
}

/// A suite by OpenSSL name (exact, as OpenSSL 3 matches it).
pub fn suite_by_name(name: &str) -> Option<&'static CipherSuite> {
    let t = table();
    t.by_name.get(name).map(|&i| &t.suites[i])
}

/// A suite by IANA name.
pub fn suite_by_iana(name: &str) -> Option<&'static CipherSuite> {
    let t = table();
    t.by_iana.get(name).map(|&i| &t.suites[i])
}

/// A suite by code point.
pub fn suite_by_id(id: u16) -> Option<&'static CipherSuite> {
    let t = table();
    t.by_id.get(&id).map(|&i| &t.suites[i])
}

fn parse_table(data: &'static str) -> Result<Table, String> {
    let mut suites = Vec::new();
    for (n, line) in data.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let fail = |what: &str| format!("ciphers.txt line {}: {what}", n + 1);
        let mut rest = line;
        let mut f: Vec<&'static str> = Vec::with_capacity(12);
        for _ in 0..12 {
            rest = rest.trim_start();
            let end = rest.find(char::is_whitespace).unwrap_or(rest.len());
            if end == 0 {
                return Err(fail("too few columns"));
            }
            f.push(&rest[..end]);
            rest = &rest[end..];
        }
        let note = rest.trim();
        let id =
            u16::from_str_radix(f[0].trim_start_matches("0x"), 16).map_err(|_| fail("bad id"))?;
        let min_protocol = match f[3] {
            "SSLv3" => Protocol::Ssl3,
            "TLSv1" => Protocol::Tls1,
            "TLSv1.2" => Protocol::Tls1_2,
            "TLSv1.3" => Protocol::Tls1_3,
            _ => return Err(fail("bad protocol")),
        };
        let (kx_bits, kx_text) = match f[4] {
            "RSA" => (kx::RSA, "RSA"),
            "DHE" => (kx::DHE, "DH"),
            "ECDHE" => (kx::ECDHE, "ECDH"),
            "PSK" => (kx::PSK, "PSK"),
            "RSAPSK" => (kx::RSAPSK, "RSAPSK"),
            "DHEPSK" => (kx::DHEPSK, "DHEPSK"),
            "ECDHEPSK" => (kx::ECDHEPSK, "ECDHEPSK"),
            "SRP" => (kx::SRP, "SRP"),
            "GOST" => (kx::GOST, "GOST"),
            "DHr" => (kx::DHR, "DH/RSA"),
            "DHd" => (kx::DHD, "DH/DSS"),
            "ECDHr" => (kx::ECDHR, "ECDH/RSA"),
            "ECDHe" => (kx::ECDHE_STATIC, "ECDH/ECDSA"),
            "ANY" => (kx::ANY, "any"),
            _ => return Err(fail("bad kx")),
        };
        let (au_bits, au_text) = match f[5] {
            "RSA" => (au::RSA, "RSA"),
            "DSS" => (au::DSS, "DSS"),
            "ECDSA" => (au::ECDSA, "ECDSA"),
            "NULL" => (au::NULL, "None"),
            "PSK" => (au::PSK, "PSK"),
            "SRP" => (au::SRP, "SRP"),
            "GOST01" => (au::GOST01, "GOST01"),
            "GOST12" => (au::GOST12, "GOST12"),
            "DH" => (au::DH, "DH"),
            "ECDH" => (au::ECDH, "ECDH"),
            "ANY" => (au::ANY, "any"),
            _ => return Err(fail("bad au")),
        };
        let (sb, ab) = f[7].split_once('/').ok_or_else(|| fail("bad bits"))?;
        let strength_bits: u16 = sb.parse().map_err(|_| fail("bad bits"))?;
        let alg_bits: u16 = ab.parse().map_err(|_| fail("bad bits"))?;
        let (enc_bits, enc_text) = match f[6] {
            "DES" if strength_bits == 40 => (enc::DES, "DES(40)"),
            "DES" => (enc::DES, "DES(56)"),
            "3DES" => (enc::TDES, "3DES(168)"),
            "RC4" if strength_bits == 40 => (enc::RC4, "RC4(40)"),
            "RC4" => (enc::RC4, "RC4(128)"),
            "RC2" if strength_bits == 40 => (enc::RC2, "RC2(40)"),
            "RC2" => (enc::RC2, "RC2(128)"),
            "IDEA" => (enc::IDEA, "IDEA(128)"),
            "NULL" => (enc::NULL, "None"),
            "AES128" => (enc::AES128, "AES(128)"),
            "AES256" => (enc::AES256, "AES(256)"),
            "CAMELLIA128" => (enc::CAMELLIA128, "Camellia(128)"),
            "CAMELLIA256" => (enc::CAMELLIA256, "Camellia(256)"),
            "GOST89" => (enc::GOST89, "GOST89(256)"),
            "GOST89_12" => (enc::GOST89_12, "GOST89(256)"),
            "SEED" => (enc::SEED, "SEED(128)"),
            "AESGCM128" => (enc::AES128GCM, "AESGCM(128)"),
            "AESGCM256" => (enc::AES256GCM, "AESGCM(256)"),
            "AESCCM128" => (enc::AES128CCM, "AESCCM(128)"),
            "AESCCM256" => (enc::AES256CCM, "AESCCM(256)"),
            "AESCCM8_128" => (enc::AES128CCM8, "AESCCM8(128)"),
            "AESCCM8_256" => (enc::AES256CCM8, "AESCCM8(256)"),
            "CHACHA20POLY1305" => (enc::CHACHA20POLY1305, "CHACHA20/POLY1305(256)"),
            "ARIAGCM128" => (enc::ARIA128GCM, "ARIAGCM(128)"),
            "ARIAGCM256" => (enc::ARIA256GCM, "ARIAGCM(256)"),
            _ => return Err(fail("bad enc")),
        };
        let (mac_bits, mac_text) = match f[8] {
            "MD5" => (mac::MD5, "MD5"),
            "SHA1" => (mac::SHA1, "SHA1"),
            "SHA256" => (mac::SHA256, "SHA256"),
            "SHA384" => (mac::SHA384, "SHA384"),
            "AEAD" => (mac::AEAD, "AEAD"),
            "GOST94" => (mac::GOST94, "GOST94"),
            "GOST89MAC" => (mac::GOST89MAC, "GOST89"),
            "GOST12_256" => (mac::GOST12_256, "GOST2012"),
            "GOST89MAC12" => (mac::GOST89MAC12, "GOST89IMIT"),
            _ => return Err(fail("bad mac")),
        };
        let (class, mut strength_mask) = match f[9] {
            "HIGH" => (StrengthClass::High, strength::HIGH),
            "MEDIUM" => (StrengthClass::Medium, strength::MEDIUM),
            "LOW" => (StrengthClass::Low, strength::LOW),
            "EXP" => (StrengthClass::Export, strength::EXP),
            "NONE" => (StrengthClass::None, strength::NONE),
            _ => return Err(fail("bad class")),
        };
        let mut fips = false;
        let mut not_default = false;
        if f[10] != "-" {
            for flag in f[10].split(',') {
                match flag {
                    "FIPS" => {
                        fips = true;
                        strength_mask |= strength::FIPS;
                    }
                    "NOTDEFAULT" => {
                        not_default = true;
                        strength_mask |= strength::NOT_DEFAULT;
                    }
                    _ => return Err(fail("bad flag")),
                }
            }
        }
        let versions = VersionSet::parse(f[11]).map_err(|e| fail(&e))?;
        let max_protocol = if min_protocol == Protocol::Tls1_3 {
            Protocol::Tls1_3
        } else {
            Protocol::Tls1_2
        };
        suites.push(CipherSuite {
            openssl_name: f[1],
            iana_name: f[2],
            id,
            min_protocol,
            max_protocol,
            kx: kx_text,
            au: au_text,
            enc: enc_text,
            mac: mac_text,
            strength_bits,
            alg_bits,
            class,
            fips,
            not_default,
            note,
            kx_bits,
            au_bits,
            enc_bits,
            mac_bits,
            strength_mask,
            min_tls: min_protocol.wire(),
            versions,
        });
    }
    suites.sort_by_key(|s| s.id);
    let mut by_name = HashMap::new();
    let mut by_iana = HashMap::new();
    let mut by_id = HashMap::new();
    for (i, s) in suites.iter().enumerate() {
        if by_name.insert(s.openssl_name, i).is_some() {
            return Err(format!("ciphers.txt: duplicate name {}", s.openssl_name));
        }
        if by_iana.insert(s.iana_name, i).is_some() {
            return Err(format!("ciphers.txt: duplicate IANA name {}", s.iana_name));
        }
        if by_id.insert(s.id, i).is_some() {
            return Err(format!("ciphers.txt: duplicate id {:#06x}", s.id));
        }
    }
    Ok(Table {
        suites,
        by_name,
        by_iana,
        by_id,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table_parses_and_indexes() {
        let t = table();
        assert!(t.suites.len() > 200);
        let s = suite_by_name("ECDHE-RSA-AES128-GCM-SHA256").unwrap();
        assert_eq!(s.id, 0xC02F);
        assert_eq!(s.iana_name, "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256");
        assert_eq!(s.kx, "ECDH");
        assert!(s.available_in(&Version::new(3, 0, 0)));
        let d = suite_by_name("DES-CBC3-SHA").unwrap();
        assert!(!d.available_in(&Version::new(3, 0, 0)));
        assert!(d.available_in(&Version::new(1, 1, 1)));
        assert_eq!(
            suite_by_id(0x1301).unwrap().openssl_name,
            "TLS_AES_128_GCM_SHA256"
        );
        assert!(suite_by_iana("TLS_RSA_WITH_RC4_128_SHA").is_some());
    }
}
