//! Encrypted private keys and nginx's `ssl_password_file`. The pass phrases
//! are read as nginx reads them (`ngx_ssl_read_password_file`: one per line;
//! the line feed, and a carriage return before it, removed; empty lines
//! skipped; a file without any means one empty pass phrase; a line of 4096
//! bytes or more fails), and tried in file order on the key, as nginx does
//! with `PEM_read_bio_PrivateKey`: the first that decrypts it to a valid key
//! wins. A decrypted key is reduced to its public half at once.
//!
//! Nothing secret leaves this module or is printed: pass phrases, derived
//! keys and decrypted bytes live in zeroizing buffers, no type here shows
//! them in its Debug output, and the outcomes name line numbers only.
//!
//! PKCS #8 keys are decrypted with RustCrypto's `pkcs8`/`pkcs5` (PBES2:
//! PBKDF2 with HMAC-SHA1/SHA-2 or scrypt; AES-CBC, AES-GCM, DES-EDE3-CBC);
//! legacy OpenSSL keys (`Proc-Type: 4,ENCRYPTED`, `DEK-Info: CIPHER,IV`) with
//! OpenSSL's EVP_BytesToKey (MD5, the IV's first 8 bytes as salt, one
//! iteration), then CBC with PKCS #7 padding.

use zeroize::{Zeroize, Zeroizing};

use super::keys::{self, EncryptedKey, KeyFormat, KeyRead, Sealed};

/// Largest password file read.
pub const MAX_FILE: u64 = 64 * 1024;
/// Pass phrases tried per key (nginx tries them all).
pub const MAX_PHRASES: usize = 100;
/// OpenSSL's pass phrase buffer (PEM_BUFSIZE): nginx's callback truncates
/// longer pass phrases to it.
const PEM_BUFSIZE: usize = 1024;
/// nginx's read buffer (NGX_SSL_PASSWORD_BUFFER_SIZE): a line that fills it
/// is "too long".
const NGX_BUFFER: usize = 4096;
/// Key-derivation work spent on one key, in PBKDF2 iterations (an scrypt
/// try counts N·r·p): a crafted key file cannot make a lint run for long.
const MAX_WORK: u64 = 10_000_000;
/// OpenSSL's memory limit for scrypt in password-based encryption
/// (SCRYPT_MAX_MEM in crypto/evp/pbe_scrypt.c, what EVP_PBE_scrypt uses when
/// its maxmem is 0, as in PKCS #8 decryption): keys asking more are refused.
const SCRYPT_MAX_MEM: u64 = 32 * 1024 * 1024;
/// OpenSSL's largest PBKDF2 iteration count for a PKCS #8 key: the count is
/// read into a C `int` (PKCS5_v2_PBKDF2_keyivgen in crypto/evp/p5_crpt2.c
/// passes it to PKCS5_PBKDF2_HMAC, whose `iter` is an int).
const PBKDF2_MAX_ITER: u64 = i32::MAX as u64;

/// Each distinct encrypted key, with each password file (by real path),
/// derived once per run: the outcome is kept, however the key's path is
/// spelled in the configuration (50 servers naming one key with a 10^7
/// iteration count cost one derivation, not 50).
type Tried = std::collections::HashMap<(EncryptedKey, std::path::PathBuf), Unlock>;

fn tried() -> &'static std::sync::Mutex<Tried> {
    static TRIED: std::sync::OnceLock<std::sync::Mutex<Tried>> = std::sync::OnceLock::new();
    TRIED.get_or_init(Default::default)
}

/// [`unlock`], once per run for a key (by content) and a password file
/// (by real path).
pub fn unlock_once(key: &EncryptedKey, pass_file: &std::path::Path, pp: &PassPhrases) -> Unlock {
    let real = std::fs::canonicalize(pass_file).unwrap_or_else(|_| pass_file.to_path_buf());
    let k = (key.clone(), real);
    if let Some(u) = tried().lock().ok().and_then(|m| m.get(&k).cloned()) {
        return u;
    }
    let u = unlock(key, pp);
    if let Ok(mut m) = tried().lock() {
        m.insert(k, u.clone());
    }
    u
}

/// How many derivations [`unlock_once`] has kept (for tests).
pub fn derivations() -> usize {
    tried().lock().map(|m| m.len()).unwrap_or(0)
}

/// The pass phrases of a password file, in file order, each with its line
/// number. Zeroed when dropped; Debug shows the count only.
pub struct PassPhrases {
    phrases: Vec<(usize, Zeroizing<Vec<u8>>)>,
    /// How many pass phrases nginx tries (1 for a file without any: the
    /// empty pass phrase).
    pub total: usize,
    /// The file holds no pass phrase at all.
    pub empty: bool,
}

impl std::fmt::Debug for PassPhrases {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "PassPhrases({})", self.total)
    }
}

/// A password file nginx refuses.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PassFileError {
    /// A line of 4096 bytes or more (nginx: "too long line").
    TooLongLine { line: usize },
}

/// Read a password file's pass phrases as nginx does. `bytes` is not kept.
pub fn pass_phrases(bytes: &[u8]) -> Result<PassPhrases, PassFileError> {
    let mut phrases = Vec::new();
    let mut total = 0;
    let mut lines = bytes.split(|b| *b == b'\n').enumerate().peekable();
    while let Some((i, line)) = lines.next() {
        // the last piece after a final line feed is no line
        if line.is_empty() && lines.peek().is_none() {
            break;
        }
        if line.len() >= NGX_BUFFER {
            return Err(PassFileError::TooLongLine { line: i + 1 });
        }
        let line = line.strip_suffix(b"\r").unwrap_or(line);
        if line.is_empty() {
            continue;
        }
        total += 1;
        if phrases.len() < MAX_PHRASES {
            let n = line.len().min(PEM_BUFSIZE);
            phrases.push((i + 1, Zeroizing::new(line[..n].to_vec())));
        }
    }
    let empty = total == 0;
    if empty {
        phrases.push((1, Zeroizing::new(Vec::new())));
        total = 1;
    }
    Ok(PassPhrases {
        phrases,
        total,
        empty,
    })
}

/// What trying the pass phrases on an encrypted key gave.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Unlock {
    /// The pass phrase on this line decrypts it; the key as read then
    /// (its public half, or why that cannot be had).
    Opened { line: usize, key: KeyRead },
    /// None of the `tried` pass phrases (all the file's) decrypts it.
    NoneWorks { tried: usize },
    /// Not decided, and why (worded to follow "the key in FILE ").
    NotCheckable(String),
}

/// Try the pass phrases on an encrypted key, in order.
pub fn unlock(key: &EncryptedKey, pp: &PassPhrases) -> Unlock {
    match key.sealed() {
        Sealed::Malformed(why) => Unlock::NotCheckable(format!("is {why}")),
        Sealed::Pkcs8(der) => pkcs8(der, pp),
        Sealed::Legacy {
            format,
            cipher,
            iv,
            data,
        } => legacy(*format, cipher, iv, data, pp),
    }
}

/// After the pass phrases tried: none worked.
fn none_worked(tried: usize, pp: &PassPhrases, why_stopped: Option<&str>) -> Unlock {
    if tried == pp.total {
        return Unlock::NoneWorks { tried };
    }
    let why = why_stopped.unwrap_or("tlslint tries no more");
    Unlock::NotCheckable(format!(
        "is not decrypted by the first {tried} of the {} pass phrases, and {why}",
        pp.total
    ))
}

/// The OID naming what encrypts an EncryptedPrivateKeyInfo (PBES2: its
/// cipher), for messages.
fn scheme_oid(der: &[u8]) -> String {
    let oid_of = |alg: &super::der::Tlv<'_>| {
        super::der::children(alg.contents)
            .unwrap_or_default()
            .first()
            .filter(|t| t.tag == 0x06)
            .map(|t| super::der::oid_string(t.contents))
    };
    let Some(parts) = super::der::sequence(der) else {
        return "?".into();
    };
    let Some(alg) = parts.first() else {
        return "?".into();
    };
    let outer = oid_of(alg).unwrap_or_default();
    if outer == "1.2.840.113549.1.5.13" {
        // PBES2-params ::= SEQUENCE { keyDerivationFunc, encryptionScheme }
        let inner = super::der::children(alg.contents).unwrap_or_default();
        if let Some(params) = inner.get(1) {
            let p = super::der::children(params.contents).unwrap_or_default();
            let kdf = p.first().and_then(oid_of).unwrap_or_default();
            let enc = p.get(1).and_then(oid_of).unwrap_or_default();
            return format!("PBES2 with {} and {}", oid_name(&kdf), oid_name(&enc));
        }
    }
    oid_name(&outer)
}

fn oid_name(oid: &str) -> String {
    let name = match oid {
        "1.2.840.113549.1.5.12" => "PBKDF2",
        "1.3.6.1.4.1.11591.4.11" => "scrypt",
        "1.3.14.3.2.7" => "DES-CBC",
        "1.2.840.113549.3.2" => "RC2-CBC",
        "1.2.840.113549.1.5.3" => "PBES1 pbeWithMD5AndDES-CBC",
        "1.2.840.113549.1.5.10" => "PBES1 pbeWithSHA1AndDES-CBC",
        "1.2.840.113549.1.12.1.3" => "PKCS #12 pbeWithSHAAnd3-KeyTripleDES-CBC",
        "1.2.840.113549.1.12.1.6" => "PKCS #12 pbeWithSHAAnd40BitRC2-CBC",
        _ => return format!("OID {oid}"),
    };
    name.to_string()
}

fn pkcs8(der: &[u8], pp: &PassPhrases) -> Unlock {
    use pkcs8::pkcs5::pbes2::Kdf;
    let unsupported = || {
        Unlock::NotCheckable(format!(
            "is encrypted with {}, which tlslint does not decrypt",
            scheme_oid(der)
        ))
    };
    let Ok(info) = pkcs8::EncryptedPrivateKeyInfoRef::try_from(der) else {
        return unsupported();
    };
    let Some(params) = info.encryption_algorithm.pbes2() else {
        return unsupported();
    };
    let cost: u64 = match &params.kdf {
        Kdf::Pbkdf2(p) => {
            let n = u64::from(p.iteration_count);
            if n > PBKDF2_MAX_ITER {
                return Unlock::NotCheckable(format!(
                    "is encrypted with a PBKDF2 iteration count ({n}) above OpenSSL's limit of {PBKDF2_MAX_ITER}: OpenSSL does not decrypt it"
                ));
            }
            n
        }
        Kdf::Scrypt(s) => {
            let (n, r, p) = (
                s.cost_parameter,
                u64::from(s.block_size),
                u64::from(s.parallelization),
            );
            let mem = 128u64
                .saturating_mul(r)
                .saturating_mul(n.saturating_add(2))
                .saturating_add(128u64.saturating_mul(r).saturating_mul(p));
            if mem > SCRYPT_MAX_MEM {
                return Unlock::NotCheckable(format!(
                    "is encrypted with scrypt parameters (N={n}, r={r}, p={p}) that need more than OpenSSL's {} MiB limit",
                    SCRYPT_MAX_MEM >> 20
                ));
            }
            n.saturating_mul(r).saturating_mul(p)
        }
        _ => return unsupported(),
    }
    .max(1);
    if cost > MAX_WORK {
        return Unlock::NotCheckable(format!(
            "is encrypted with a key derivation too costly to try ({cost} iterations; tlslint's limit is {MAX_WORK})"
        ));
    }
    let data = info.encrypted_data.as_bytes();
    let mut spent = 0u64;
    for (i, (line, phrase)) in pp.phrases.iter().enumerate() {
        if spent + cost > MAX_WORK {
            return none_worked(
                i,
                pp,
                Some("trying more would exceed tlslint's key-derivation budget"),
            );
        }
        spent += cost;
        let mut buf = Zeroizing::new(data.to_vec());
        match info
            .encryption_algorithm
            .decrypt_in_place(phrase.as_slice(), buf.as_mut_slice())
        {
            Ok(plain) => {
                let k = keys::public_of(KeyFormat::Pkcs8, plain.to_vec());
                if k != KeyRead::Invalid {
                    return Unlock::Opened {
                        line: *line,
                        key: k,
                    };
                }
            }
            Err(pkcs8::pkcs5::Error::DecryptFailed) => {}
            Err(_) => return unsupported(),
        }
    }
    none_worked(pp.phrases.len(), pp, None)
}

#[derive(Clone, Copy)]
enum LegacyCipher {
    Aes128,
    Aes192,
    Aes256,
    DesEde3,
}

fn legacy(
    format: Option<KeyFormat>,
    cipher: &str,
    iv: &[u8],
    data: &[u8],
    pp: &PassPhrases,
) -> Unlock {
    let (c, key_len, iv_len) = match cipher {
        "AES-128-CBC" => (LegacyCipher::Aes128, 16, 16),
        "AES-192-CBC" => (LegacyCipher::Aes192, 24, 16),
        "AES-256-CBC" => (LegacyCipher::Aes256, 32, 16),
        "DES-EDE3-CBC" => (LegacyCipher::DesEde3, 24, 8),
        other => {
            return Unlock::NotCheckable(format!(
                "is encrypted with {other}, which tlslint does not decrypt"
            ))
        }
    };
    let Some(format) = format else {
        return Unlock::NotCheckable(
            "is a legacy-encrypted key of a kind tlslint does not read".into(),
        );
    };
    if iv.len() != iv_len {
        return Unlock::NotCheckable(format!(
            "has a DEK-Info IV of {} bytes where {cipher} takes {iv_len}",
            iv.len()
        ));
    }
    for (line, phrase) in &pp.phrases {
        let key = bytes_to_key(phrase, &iv[..8], key_len);
        let mut buf = Zeroizing::new(data.to_vec());
        if let Some(plain) = cbc_open(c, &key, iv, buf.as_mut_slice()) {
            let k = keys::public_of(format, plain.to_vec());
            if k != KeyRead::Invalid {
                return Unlock::Opened {
                    line: *line,
                    key: k,
                };
            }
        }
    }
    none_worked(pp.phrases.len(), pp, None)
}

/// OpenSSL's EVP_BytesToKey with MD5 and one iteration: D1 = MD5(pass ||
/// salt), Di = MD5(Di-1 || pass || salt), the key their concatenation.
fn bytes_to_key(pass: &[u8], salt: &[u8], len: usize) -> Zeroizing<Vec<u8>> {
    use md5::Digest;
    let mut out = Zeroizing::new(Vec::with_capacity(len + 16));
    let mut prev = Zeroizing::new(Vec::new());
    while out.len() < len {
        let mut h = md5::Md5::new();
        h.update(prev.as_slice());
        h.update(pass);
        h.update(salt);
        let mut d = h.finalize();
        prev.clear();
        prev.extend_from_slice(&d);
        out.extend_from_slice(&d);
        d[..].zeroize();
    }
    out.truncate(len);
    out
}

fn cbc_open<'a>(c: LegacyCipher, key: &[u8], iv: &[u8], buf: &'a mut [u8]) -> Option<&'a [u8]> {
    use cbc::cipher::{
        block_padding::Pkcs7, BlockCipherDecrypt, BlockModeDecrypt, KeyInit, KeyIvInit,
    };
    fn open<'a, C: BlockCipherDecrypt + KeyInit>(
        key: &[u8],
        iv: &[u8],
        buf: &'a mut [u8],
    ) -> Option<&'a [u8]> {
        cbc::Decryptor::<C>::new_from_slices(key, iv)
            .ok()?
            .decrypt_padded::<Pkcs7>(buf)
            .ok()
    }
    match c {
        LegacyCipher::Aes128 => open::<aes::Aes128Dec>(key, iv, buf),
        LegacyCipher::Aes192 => open::<aes::Aes192Dec>(key, iv, buf),
        LegacyCipher::Aes256 => open::<aes::Aes256Dec>(key, iv, buf),
        LegacyCipher::DesEde3 => open::<des::TdesEde3>(key, iv, buf),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lines(pp: &PassPhrases) -> Vec<(usize, Vec<u8>)> {
        pp.phrases.iter().map(|(l, p)| (*l, p.to_vec())).collect()
    }

    #[test]
    fn reads_pass_phrases_as_nginx_does() {
        let pp = pass_phrases(b"one\r\n\ntwo \n  three\nlast").unwrap();
        assert_eq!(
            lines(&pp),
            vec![
                (1, b"one".to_vec()),
                (3, b"two ".to_vec()),
                (4, b"  three".to_vec()),
                (5, b"last".to_vec())
            ]
        );
        assert_eq!((pp.total, pp.empty), (4, false));
        // no pass phrase at all: nginx tries the empty one
        for empty in [&b""[..], b"\n\n", b"\r\n"] {
            let pp = pass_phrases(empty).unwrap();
            assert_eq!(lines(&pp), vec![(1, Vec::new())]);
            assert_eq!((pp.total, pp.empty), (1, true));
        }
        // a line of 4096 bytes fails nginx; 4095 is fine, truncated to 1024 when tried
        let mut long = vec![b'x'; 4095];
        long.push(b'\n');
        let pp = pass_phrases(&long).unwrap();
        assert_eq!(pp.phrases[0].1.len(), PEM_BUFSIZE);
        let long = vec![b'x'; 4096];
        assert_eq!(
            pass_phrases(&long).unwrap_err(),
            PassFileError::TooLongLine { line: 1 }
        );
        // at most MAX_PHRASES are kept, all are counted
        let many: String = (0..150).map(|i| format!("p{i}\n")).collect();
        let pp = pass_phrases(many.as_bytes()).unwrap();
        assert_eq!((pp.phrases.len(), pp.total), (MAX_PHRASES, 150));
        assert_eq!(format!("{pp:?}"), "PassPhrases(150)");
    }

    #[test]
    fn evp_bytes_to_key_matches_openssl() {
        // `openssl enc -aes-256-cbc -P -md md5 -pass pass:secret -S 0102030405060708`
        let k = bytes_to_key(b"secret", &[1, 2, 3, 4, 5, 6, 7, 8], 32);
        assert_eq!(k.len(), 32);
        let hex: String = k.iter().map(|b| format!("{b:02X}")).collect();
        assert_eq!(hex, EXPECTED_AES256_KEY);
    }

    // from the command above (OpenSSL 3.0)
    const EXPECTED_AES256_KEY: &str =
        "C9E5A1BD216DBE1317E230CEF48F38EE7F0E17AD64022144BCCEC4A1AA2879AB";
}
