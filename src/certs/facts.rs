//! The facts of one X.509 certificate, read with x509-parser: names, SANs,
//! validity, key, signature algorithm, fingerprint, CA flags, OCSP URLs.

use std::net::IpAddr;

use x509_parser::certificate::X509Certificate;
use x509_parser::extensions::{GeneralName, ParsedExtension};
use x509_parser::prelude::FromDer;
use x509_parser::x509::SubjectPublicKeyInfo;

use super::der;
use super::keys::{self, PublicKey};

/// A key's type as the profiles name it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeyKind {
    Rsa,
    Ec,
    Ed25519,
    Ed448,
    Dsa,
    Other,
}

impl KeyKind {
    /// The profile's `certificate_types` word.
    pub fn profile_name(self) -> &'static str {
        match self {
            KeyKind::Rsa => "rsa",
            KeyKind::Ec => "ecdsa",
            KeyKind::Ed25519 => "ed25519",
            KeyKind::Ed448 => "ed448",
            KeyKind::Dsa => "dsa",
            KeyKind::Other => "other",
        }
    }
    pub fn label(self) -> &'static str {
        match self {
            KeyKind::Rsa => "RSA",
            KeyKind::Ec => "ECDSA",
            KeyKind::Ed25519 => "Ed25519",
            KeyKind::Ed448 => "Ed448",
            KeyKind::Dsa => "DSA",
            KeyKind::Other => "unknown",
        }
    }
}

/// One certificate's facts. No private material: a certificate is public.
#[derive(Debug, Clone)]
pub struct Cert {
    pub der: Vec<u8>,
    pub subject: String,
    pub issuer: String,
    /// DER contents (no SEQUENCE header) of the names, for issuer matching.
    pub subject_raw: Vec<u8>,
    pub issuer_raw: Vec<u8>,
    /// The whole SubjectPublicKeyInfo.
    pub spki: Vec<u8>,
    pub public_key: PublicKey,
    /// The serial number in hex, as `openssl x509 -serial` prints it.
    pub serial: String,
    pub dns_names: Vec<String>,
    pub ip_addrs: Vec<IpAddr>,
    pub common_names: Vec<String>,
    pub not_before: i64,
    pub not_after: i64,
    pub key_kind: KeyKind,
    pub key_bits: u32,
    /// OpenSSL's curve name (`prime256v1`), for EC keys.
    pub curve: Option<String>,
    /// OpenSSL's long name of the signature algorithm (`sha256WithRSAEncryption`).
    pub signature_algorithm: String,
    /// SHA-256 of the DER, `AB:CD:...` as `openssl x509 -fingerprint -sha256` prints it.
    pub sha256: String,
    pub version: u32,
    /// basicConstraints, when present: cA.
    pub basic_ca: Option<bool>,
    /// keyUsage, when present: keyCertSign.
    pub ku_cert_sign: Option<bool>,
    pub path_len: Option<u32>,
    pub ocsp_urls: Vec<String>,
    pub ca_issuers_urls: Vec<String>,
    /// Self-issued and its own key verifies its signature (computed once).
    pub self_signed: bool,
}

fn name_string(n: &x509_parser::x509::X509Name<'_>) -> String {
    // a name the certificate's author chose: shown without its control characters
    let s = crate::printable::escaped(&n.to_string());
    if s.is_empty() {
        "(empty name)".into()
    } else {
        s
    }
}

/// OpenSSL's long name of a signature algorithm OID.
pub fn signature_name(oid: &str) -> String {
    match oid {
        "1.2.840.113549.1.1.2" => "md2WithRSAEncryption",
        "1.2.840.113549.1.1.4" => "md5WithRSAEncryption",
        "1.2.840.113549.1.1.5" | "1.3.14.3.2.29" => "sha1WithRSAEncryption",
        "1.2.840.113549.1.1.10" => "rsassaPss",
        "1.2.840.113549.1.1.11" => "sha256WithRSAEncryption",
        "1.2.840.113549.1.1.12" => "sha384WithRSAEncryption",
        "1.2.840.113549.1.1.13" => "sha512WithRSAEncryption",
        "1.2.840.113549.1.1.14" => "sha224WithRSAEncryption",
        "1.2.840.10045.4.1" => "ecdsa-with-SHA1",
        "1.2.840.10045.4.3.1" => "ecdsa-with-SHA224",
        "1.2.840.10045.4.3.2" => "ecdsa-with-SHA256",
        "1.2.840.10045.4.3.3" => "ecdsa-with-SHA384",
        "1.2.840.10045.4.3.4" => "ecdsa-with-SHA512",
        "1.3.101.112" => "ED25519",
        "1.3.101.113" => "ED448",
        "1.2.840.10040.4.3" => "dsa_with_SHA1",
        "2.16.840.1.101.3.4.3.2" => "dsa_with_SHA256",
        other => return other.to_string(),
    }
    .to_string()
}

/// OpenSSL's name of a named curve OID.
pub fn curve_name(oid: &str) -> String {
    match oid {
        "1.2.840.10045.3.1.7" => "prime256v1",
        "1.3.132.0.34" => "secp384r1",
        "1.3.132.0.35" => "secp521r1",
        "1.3.132.0.10" => "secp256k1",
        "1.2.840.10045.3.1.1" => "prime192v1",
        "1.3.132.0.33" => "secp224r1",
        "1.3.36.3.3.2.8.1.1.7" => "brainpoolP256r1",
        "1.3.36.3.3.2.8.1.1.11" => "brainpoolP384r1",
        "1.3.36.3.3.2.8.1.1.13" => "brainpoolP512r1",
        other => return other.to_string(),
    }
    .to_string()
}

/// The key size in bits of a curve, by OpenSSL name.
fn curve_bits(name: &str) -> u32 {
    match name {
        "prime256v1" | "secp256k1" | "brainpoolP256r1" => 256,
        "secp384r1" | "brainpoolP384r1" => 384,
        "secp521r1" => 521,
        "prime192v1" => 192,
        "secp224r1" => 224,
        "brainpoolP512r1" => 512,
        _ => 0,
    }
}

/// `AB:CD:...`
pub fn fingerprint(der: &[u8]) -> String {
    let d = ring::digest::digest(&ring::digest::SHA256, der);
    d.as_ref()
        .iter()
        .map(|b| format!("{b:02X}"))
        .collect::<Vec<_>>()
        .join(":")
}

/// Key type, size and curve of a SubjectPublicKeyInfo.
pub fn key_facts(spki: &SubjectPublicKeyInfo<'_>) -> (KeyKind, u32, Option<String>) {
    let alg = spki.algorithm.algorithm.to_id_string();
    match alg.as_str() {
        "1.2.840.113549.1.1.1" | "1.2.840.113549.1.1.10" => {
            let bits = match spki.parsed() {
                Ok(x509_parser::public_key::PublicKey::RSA(r)) => der::bit_len(r.modulus),
                _ => 0,
            };
            (KeyKind::Rsa, bits, None)
        }
        "1.2.840.10045.2.1" => {
            let curve = spki
                .algorithm
                .parameters
                .as_ref()
                .and_then(|p| p.as_oid().ok())
                .map(|o| curve_name(&o.to_id_string()));
            let bits = curve.as_deref().map(curve_bits).unwrap_or(0);
            (KeyKind::Ec, bits, curve)
        }
        "1.3.101.112" => (KeyKind::Ed25519, 256, None),
        "1.3.101.113" => (KeyKind::Ed448, 456, None),
        "1.2.840.10040.4.1" => {
            let bits = match spki.parsed() {
                Ok(x509_parser::public_key::PublicKey::DSA(y)) => der::bit_len(y),
                _ => 0,
            };
            (KeyKind::Dsa, bits, None)
        }
        _ => (KeyKind::Other, 0, None),
    }
}

impl Cert {
    /// Parse one DER certificate.
    pub fn from_der(der_bytes: &[u8]) -> Result<Cert, String> {
        let (rest, x) = X509Certificate::from_der(der_bytes)
            .map_err(|_| "not a valid X.509 certificate".to_string())?;
        if !rest.is_empty() {
            return Err("trailing data after the certificate".into());
        }
        let whole = &der_bytes[..der_bytes.len() - rest.len()];
        let spki_raw = x.public_key().raw.to_vec();
        let (key_kind, key_bits, curve) = key_facts(x.public_key());
        let mut dns_names = Vec::new();
        let mut ip_addrs = Vec::new();
        let mut ocsp_urls = Vec::new();
        let mut ca_issuers_urls = Vec::new();
        let mut basic_ca = None;
        let mut path_len = None;
        let mut ku_cert_sign = None;
        for ext in x.extensions() {
            match ext.parsed_extension() {
                ParsedExtension::SubjectAlternativeName(san) => {
                    for g in &san.general_names {
                        match g {
                            GeneralName::DNSName(d) => dns_names.push(crate::printable::escaped(d)),
                            GeneralName::IPAddress(b) => match b.len() {
                                4 => ip_addrs.push(IpAddr::from(<[u8; 4]>::try_from(*b).unwrap())),
                                16 => {
                                    ip_addrs.push(IpAddr::from(<[u8; 16]>::try_from(*b).unwrap()))
                                }
                                _ => {}
                            },
                            _ => {}
                        }
                    }
                }
                ParsedExtension::BasicConstraints(bc) => {
                    basic_ca = Some(bc.ca);
                    path_len = bc.path_len_constraint;
                }
                ParsedExtension::KeyUsage(ku) => ku_cert_sign = Some(ku.key_cert_sign()),
                ParsedExtension::AuthorityInfoAccess(aia) => {
                    for ad in aia.iter() {
                        let GeneralName::URI(u) = &ad.access_location else {
                            continue;
                        };
                        match ad.access_method.to_id_string().as_str() {
                            "1.3.6.1.5.5.7.48.1" => ocsp_urls.push(crate::printable::escaped(u)),
                            "1.3.6.1.5.5.7.48.2" => {
                                ca_issuers_urls.push(crate::printable::escaped(u))
                            }
                            _ => {}
                        }
                    }
                }
                _ => {}
            }
        }
        let common_names = x
            .subject()
            .iter_common_name()
            .filter_map(|a| a.as_str().ok().map(crate::printable::escaped))
            .collect();
        let mut c = Cert {
            der: whole.to_vec(),
            subject: name_string(x.subject()),
            issuer: name_string(x.issuer()),
            subject_raw: der::contents(x.subject().as_raw()).to_vec(),
            issuer_raw: der::contents(x.issuer().as_raw()).to_vec(),
            public_key: keys::from_spki(&spki_raw),
            spki: spki_raw,
            serial: der::unsigned(x.raw_serial())
                .iter()
                .map(|b| format!("{b:02X}"))
                .collect(),
            dns_names,
            ip_addrs,
            common_names,
            not_before: x.validity().not_before.timestamp(),
            not_after: x.validity().not_after.timestamp(),
            key_kind,
            key_bits,
            curve,
            signature_algorithm: signature_name(&x.signature_algorithm.algorithm.to_id_string()),
            sha256: fingerprint(whole),
            version: x.version().0 + 1,
            basic_ca,
            ku_cert_sign,
            path_len,
            ocsp_urls,
            ca_issuers_urls,
            self_signed: false,
        };
        c.self_signed = c.self_issued() && c.signed_by(&c.spki);
        Ok(c)
    }

    /// Subject and issuer are the same name.
    pub fn self_issued(&self) -> bool {
        self.subject_raw == self.issuer_raw
    }

    /// Whether the key in `issuer_spki` (a whole SubjectPublicKeyInfo) made this
    /// certificate's signature.
    pub fn signed_by(&self, issuer_spki: &[u8]) -> bool {
        use ring::signature as sig;
        let Ok((_, x)) = X509Certificate::from_der(&self.der) else {
            return false;
        };
        let Ok((_, key)) = SubjectPublicKeyInfo::from_der(issuer_spki) else {
            return false;
        };
        let curve = key
            .algorithm
            .parameters
            .as_ref()
            .and_then(|p| p.as_oid().ok())
            .map(|o| o.to_id_string())
            .unwrap_or_default();
        // as OpenSSL without a security level: RSA keys from 1024 bits verify
        let alg: &dyn sig::VerificationAlgorithm = match (
            x.signature_algorithm.algorithm.to_id_string().as_str(),
            curve.as_str(),
        ) {
            ("1.2.840.113549.1.1.5" | "1.3.14.3.2.29", _) => {
                &sig::RSA_PKCS1_1024_8192_SHA1_FOR_LEGACY_USE_ONLY
            }
            ("1.2.840.113549.1.1.11", _) => &sig::RSA_PKCS1_1024_8192_SHA256_FOR_LEGACY_USE_ONLY,
            ("1.2.840.113549.1.1.12", _) => &sig::RSA_PKCS1_2048_8192_SHA384,
            ("1.2.840.113549.1.1.13", _) => &sig::RSA_PKCS1_1024_8192_SHA512_FOR_LEGACY_USE_ONLY,
            ("1.2.840.10045.4.3.2", "1.2.840.10045.3.1.7") => &sig::ECDSA_P256_SHA256_ASN1,
            ("1.2.840.10045.4.3.3", "1.2.840.10045.3.1.7") => &sig::ECDSA_P256_SHA384_ASN1,
            ("1.2.840.10045.4.3.2", "1.3.132.0.34") => &sig::ECDSA_P384_SHA256_ASN1,
            ("1.2.840.10045.4.3.3", "1.3.132.0.34") => &sig::ECDSA_P384_SHA384_ASN1,
            ("1.3.101.112", _) => &sig::ED25519,
            // RSA-PSS and the rest, as x509-parser knows them
            _ => return x.verify_signature(Some(&key)).is_ok(),
        };
        sig::UnparsedPublicKey::new(alg, &key.subject_public_key.data)
            .verify(x.tbs_certificate.as_ref(), &x.signature_value.data)
            .is_ok()
    }

    /// `issuer` issued this certificate: the names chain and its key verifies
    /// the signature.
    pub fn issued_by(&self, issuer: &Cert) -> bool {
        self.issuer_raw == issuer.subject_raw && self.signed_by(&issuer.spki)
    }

    /// OpenSSL's X509_check_ca, as `openssl verify` applies it to issuers:
    /// a keyUsage without keyCertSign rules a certificate out; basicConstraints
    /// decides when present; without it a v1 self-signed root, or a keyUsage
    /// with keyCertSign, is still a CA.
    pub fn can_issue(&self) -> bool {
        if self.ku_cert_sign == Some(false) {
            return false;
        }
        match self.basic_ca {
            Some(ca) => ca,
            None => (self.version == 1 && self.self_issued()) || self.ku_cert_sign == Some(true),
        }
    }

    /// The validity in seconds (both ends inclusive).
    pub fn lifespan(&self) -> i64 {
        self.not_after - self.not_before + 1
    }

    /// The key as `RSA 2048`, `ECDSA prime256v1`, `Ed25519`.
    pub fn key_description(&self) -> String {
        match (&self.key_kind, &self.curve) {
            (KeyKind::Ec, Some(c)) => format!("ECDSA {c}"),
            (KeyKind::Rsa | KeyKind::Dsa, _) => {
                format!("{} {}", self.key_kind.label(), self.key_bits)
            }
            (k, _) => k.label().to_string(),
        }
    }

    /// A short name for messages: the CN, else the first DNS SAN, else the subject.
    pub fn short_name(&self) -> String {
        if let Some(n) = self.common_names.first() {
            return format!("CN={n}");
        }
        match self.dns_names.first() {
            Some(n) => n.clone(),
            None => self.subject.clone(),
        }
    }
}
