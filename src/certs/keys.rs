//! Private keys, read only to find their public half (to compare it with a
//! certificate's). Nothing here keeps, prints or returns private material:
//! the public key is derived and the decoded private key is zeroed.

use zeroize::Zeroize;

use super::der;

/// A public key in a form two keys can be compared in.
#[derive(Clone, PartialEq, Eq)]
pub enum PublicKey {
    Rsa {
        n: Vec<u8>,
        e: Vec<u8>,
    },
    Ec {
        curve: String,
        point: Vec<u8>,
    },
    Ed25519(Vec<u8>),
    Ed448(Vec<u8>),
    /// Another algorithm: the SubjectPublicKeyInfo's algorithm OID and key bits.
    Other {
        alg: String,
        bits: Vec<u8>,
    },
}

impl std::fmt::Debug for PublicKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            PublicKey::Rsa { n, .. } => write!(f, "RSA({} bits)", der::bit_len(n)),
            PublicKey::Ec { curve, .. } => write!(f, "EC({curve})"),
            PublicKey::Ed25519(_) => write!(f, "Ed25519"),
            PublicKey::Ed448(_) => write!(f, "Ed448"),
            PublicKey::Other { alg, .. } => write!(f, "Other({alg})"),
        }
    }
}

impl PublicKey {
    pub fn kind(&self) -> &'static str {
        match self {
            PublicKey::Rsa { .. } => "RSA",
            PublicKey::Ec { .. } => "ECDSA",
            PublicKey::Ed25519(_) => "Ed25519",
            PublicKey::Ed448(_) => "Ed448",
            PublicKey::Other { .. } => "other",
        }
    }
}

const RSA: &str = "1.2.840.113549.1.1.1";
const RSA_PSS: &str = "1.2.840.113549.1.1.10";
const EC: &str = "1.2.840.10045.2.1";
const ED25519: &str = "1.3.101.112";
const ED448: &str = "1.3.101.113";

/// The public key of a whole SubjectPublicKeyInfo.
pub fn from_spki(spki: &[u8]) -> PublicKey {
    let other = |alg: String, bits: &[u8]| PublicKey::Other {
        alg,
        bits: bits.to_vec(),
    };
    let Some(parts) = der::sequence(spki) else {
        return other(String::new(), spki);
    };
    let (Some(alg), Some(bits)) = (parts.first(), parts.get(1)) else {
        return other(String::new(), spki);
    };
    let alg_parts = der::children(alg.contents).unwrap_or_default();
    let oid = alg_parts
        .first()
        .filter(|t| t.tag == 0x06)
        .map(|t| der::oid_string(t.contents))
        .unwrap_or_default();
    // BIT STRING: an unused-bits byte, then the key
    let key = bits.contents.get(1..).unwrap_or_default();
    match oid.as_str() {
        RSA | RSA_PSS => match der::sequence(key) {
            Some(v) if v.len() >= 2 => PublicKey::Rsa {
                n: der::unsigned(v[0].contents).to_vec(),
                e: der::unsigned(v[1].contents).to_vec(),
            },
            _ => other(oid, key),
        },
        EC => {
            let curve = alg_parts
                .get(1)
                .filter(|t| t.tag == 0x06)
                .map(|t| der::oid_string(t.contents))
                .unwrap_or_default();
            PublicKey::Ec {
                curve,
                point: key.to_vec(),
            }
        }
        ED25519 => PublicKey::Ed25519(key.to_vec()),
        ED448 => PublicKey::Ed448(key.to_vec()),
        _ => other(oid, key),
    }
}

/// The PEM label a key came in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum KeyFormat {
    /// `RSA PRIVATE KEY`
    Pkcs1,
    /// `EC PRIVATE KEY`
    Sec1,
    /// `PRIVATE KEY`
    Pkcs8,
}

/// What a private key block says about its public key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum KeyRead {
    Public(PublicKey),
    /// Encrypted: `ENCRYPTED PRIVATE KEY` (PKCS #8) or a legacy
    /// `Proc-Type: 4,ENCRYPTED` block; `sealed` is the block as read (still
    /// encrypted), for [`super::unlock`] to try pass phrases on.
    Encrypted {
        legacy: bool,
        sealed: EncryptedKey,
    },
    /// A key whose public half tlslint cannot derive (the algorithm, or an
    /// EC key stored without its public point).
    Unsupported(String),
    /// Not a well-formed key of its kind (nothing of it is reported).
    Invalid,
}

/// An encrypted private key block as read: still encrypted, so nothing of
/// the key without its pass phrase, yet never printed (no Debug of the bytes)
/// and zeroed when dropped.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct EncryptedKey(std::sync::Arc<Sealed>);

#[derive(PartialEq, Eq, Hash)]
pub(crate) enum Sealed {
    /// `ENCRYPTED PRIVATE KEY`: the DER of an EncryptedPrivateKeyInfo.
    Pkcs8(Vec<u8>),
    /// `Proc-Type: 4,ENCRYPTED` with `DEK-Info: CIPHER,IV`: what the block
    /// decrypts to (None: a label tlslint does not read, e.g. DSA), the
    /// cipher name as written, the IV and the encrypted body.
    Legacy {
        format: Option<KeyFormat>,
        cipher: String,
        iv: Vec<u8>,
        data: Vec<u8>,
    },
    /// An encrypted block tlslint cannot take apart (why).
    Malformed(String),
}

impl Drop for Sealed {
    fn drop(&mut self) {
        match self {
            Sealed::Pkcs8(d) | Sealed::Legacy { data: d, .. } => d.zeroize(),
            Sealed::Malformed(_) => {}
        }
    }
}

impl std::fmt::Debug for EncryptedKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match &*self.0 {
            Sealed::Pkcs8(_) => write!(f, "EncryptedKey(PKCS #8)"),
            Sealed::Legacy { cipher, .. } => write!(f, "EncryptedKey(legacy {cipher})"),
            Sealed::Malformed(_) => write!(f, "EncryptedKey(malformed)"),
        }
    }
}

impl EncryptedKey {
    pub(crate) fn new(s: Sealed) -> EncryptedKey {
        EncryptedKey(std::sync::Arc::new(s))
    }
    pub(crate) fn sealed(&self) -> &Sealed {
        &self.0
    }
}

/// Read the public half of a decoded private key, then zero the buffer.
pub fn public_of(format: KeyFormat, mut secret: Vec<u8>) -> KeyRead {
    let r = match format {
        KeyFormat::Pkcs1 => rsa_private(&secret),
        KeyFormat::Sec1 => ec_private(&secret, None),
        KeyFormat::Pkcs8 => pkcs8(&secret),
    };
    secret.zeroize();
    r
}

fn rsa_private(d: &[u8]) -> KeyRead {
    // RSAPrivateKey ::= SEQUENCE { version, modulus, publicExponent, ... }
    match der::sequence(d) {
        Some(v) if v.len() >= 3 && v[1].tag == 0x02 && v[2].tag == 0x02 => {
            KeyRead::Public(PublicKey::Rsa {
                n: der::unsigned(v[1].contents).to_vec(),
                e: der::unsigned(v[2].contents).to_vec(),
            })
        }
        _ => KeyRead::Invalid,
    }
}

fn ec_private(d: &[u8], curve_from_alg: Option<String>) -> KeyRead {
    // ECPrivateKey ::= SEQUENCE { version 1, privateKey OCTET STRING,
    //   parameters [0] ECParameters OPTIONAL, publicKey [1] BIT STRING OPTIONAL }
    let Some(v) = der::sequence(d) else {
        return KeyRead::Invalid;
    };
    if v.len() < 2 || v[1].tag != 0x04 {
        return KeyRead::Invalid;
    }
    let mut curve = curve_from_alg;
    let mut point = None;
    for t in &v[2..] {
        match t.tag {
            0xa0 => {
                if let Some((o, _)) = der::read(t.contents).filter(|(o, _)| o.tag == 0x06) {
                    curve = Some(der::oid_string(o.contents));
                }
            }
            0xa1 => {
                if let Some((b, _)) = der::read(t.contents).filter(|(b, _)| b.tag == 0x03) {
                    point = b.contents.get(1..).map(<[u8]>::to_vec);
                }
            }
            _ => {}
        }
    }
    match (curve, point) {
        (Some(curve), Some(point)) => KeyRead::Public(PublicKey::Ec { curve, point }),
        (_, None) => KeyRead::Unsupported("an EC key stored without its public key".into()),
        (None, Some(_)) => KeyRead::Unsupported("an EC key without its curve".into()),
    }
}

fn pkcs8(d: &[u8]) -> KeyRead {
    // OneAsymmetricKey ::= SEQUENCE { version, privateKeyAlgorithm AlgorithmIdentifier,
    //   privateKey OCTET STRING, attributes [0] OPTIONAL, publicKey [1] BIT STRING OPTIONAL }
    let Some(v) = der::sequence(d) else {
        return KeyRead::Invalid;
    };
    if v.len() < 3 || v[1].tag != 0x30 || v[2].tag != 0x04 {
        return KeyRead::Invalid;
    }
    let alg = der::children(v[1].contents).unwrap_or_default();
    let Some(oid) = alg.first().filter(|t| t.tag == 0x06) else {
        return KeyRead::Invalid;
    };
    let oid = der::oid_string(oid.contents);
    let public = v[3..]
        .iter()
        .find(|t| t.tag == 0x81)
        .and_then(|t| t.contents.get(1..))
        .map(<[u8]>::to_vec);
    let inner = v[2].contents;
    match oid.as_str() {
        RSA | RSA_PSS => rsa_private(inner),
        EC => {
            let curve = alg
                .get(1)
                .filter(|t| t.tag == 0x06)
                .map(|t| der::oid_string(t.contents));
            ec_private(inner, curve)
        }
        ED25519 => {
            if let Some(p) = public {
                return KeyRead::Public(PublicKey::Ed25519(p));
            }
            // CurvePrivateKey ::= OCTET STRING (the 32-byte seed)
            match der::read(inner) {
                Some((seed, _)) if seed.tag == 0x04 && seed.contents.len() == 32 => {
                    match ring::signature::Ed25519KeyPair::from_seed_unchecked(seed.contents) {
                        Ok(kp) => {
                            use ring::signature::KeyPair;
                            KeyRead::Public(PublicKey::Ed25519(kp.public_key().as_ref().to_vec()))
                        }
                        Err(_) => KeyRead::Invalid,
                    }
                }
                _ => KeyRead::Invalid,
            }
        }
        ED448 => match public {
            Some(p) => KeyRead::Public(PublicKey::Ed448(p)),
            None => {
                KeyRead::Unsupported("an Ed448 key (tlslint cannot derive its public key)".into())
            }
        },
        "1.2.840.10040.4.1" => KeyRead::Unsupported("a DSA key".into()),
        other => KeyRead::Unsupported(format!("a key of algorithm {other}")),
    }
}
