//! Reading one PEM file (or a `data:` value): its certificates, private keys
//! (public halves only), DH parameters and CRLs. Files are read through one
//! process-wide cache keyed by canonical path, modification time and size,
//! so a file that thousands of endpoints name is read once.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, OnceLock};

use rustls_pki_types::pem::{PemObject, SectionKind};
use zeroize::Zeroize;

use super::der;
use super::facts::Cert;
use super::keys::{self, KeyFormat, KeyRead};

/// Owner and mode of a file on disk.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FileMeta {
    pub mode: u32,
    pub uid: u32,
    pub gid: u32,
}

/// DH parameters: the size of the prime.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DhParams {
    pub bits: u32,
    /// `X9.42 DH PARAMETERS` rather than PKCS #3 `DH PARAMETERS`.
    pub x942: bool,
}

/// A certificate revocation list.
#[derive(Debug, Clone)]
pub struct Crl {
    pub issuer: String,
    pub issuer_raw: Vec<u8>,
    pub this_update: i64,
    pub next_update: Option<i64>,
}

/// What one file holds. Private keys are present only as their public halves.
#[derive(Debug, Clone, Default)]
pub struct FileData {
    /// Owner and mode (files on disk only).
    pub meta: Option<FileMeta>,
    /// Certificates in file order.
    pub certs: Vec<Arc<Cert>>,
    /// `CERTIFICATE` blocks that are not valid certificates: (position among
    /// the certificate blocks, 1-based; reason).
    pub bad_certs: Vec<(usize, String)>,
    /// Private key blocks in file order.
    pub keys: Vec<KeyRead>,
    /// The first DH parameters block, or why it could not be read.
    pub dh: Option<Result<DhParams, String>>,
    pub crls: Vec<Crl>,
    pub bad_crls: usize,
    /// Every `-----BEGIN X-----` label, in order.
    pub labels: Vec<String>,
    /// The PEM structure is broken (the message quotes nothing of the file).
    pub pem_error: Option<String>,
    /// Not PEM, but one DER certificate (nginx reads PEM only).
    pub der_certificate: bool,
    pub size: u64,
}

impl FileData {
    /// Whether the file has any PEM block at all.
    pub fn is_pem(&self) -> bool {
        !self.labels.is_empty()
    }
}

/// Why a file could not be read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ReadError {
    Missing,
    PermissionDenied,
    NotAFile,
    Other(String),
}

/// Parse the bytes of a PEM file. `secret` says the bytes may hold a private
/// key: they are zeroed afterwards by the caller.
pub fn parse(bytes: &[u8]) -> FileData {
    let mut out = FileData {
        size: bytes.len() as u64,
        ..FileData::default()
    };
    // labels, and the private key blocks in file order (encrypted ones taken
    // apart here: the PEM iterator does not return them), from the text itself
    let mut blocks: Vec<Option<KeyRead>> = Vec::new();
    let mut legacy_blocks = 0usize;
    let mut current: Option<OpenBlock> = None;
    for line in bytes.split(|b| *b == b'\n' || *b == b'\r') {
        let line = trim(line);
        if let Some(l) = line
            .strip_prefix(b"-----BEGIN ")
            .and_then(|l| l.strip_suffix(b"-----"))
        {
            let label = String::from_utf8_lossy(l).into_owned();
            out.labels.push(label.clone());
            if let Some(mut b) = current.take() {
                b.body.zeroize();
            }
            current = Some(OpenBlock {
                label,
                proc_encrypted: false,
                dek_info: None,
                body: Vec::new(),
            });
        } else if line.starts_with(b"-----END ") {
            if let Some(b) = current.take() {
                if b.proc_encrypted {
                    legacy_blocks += 1;
                }
                if let Some(k) = b.finish() {
                    blocks.push(k);
                }
            }
        } else if let Some(b) = current.as_mut() {
            if line.starts_with(b"Proc-Type:") && line.ends_with(b"ENCRYPTED") {
                b.proc_encrypted = true;
            } else if let Some(v) = line.strip_prefix(b"DEK-Info:") {
                b.dek_info = Some(String::from_utf8_lossy(trim(v)).into_owned());
            } else if (b.proc_encrypted || b.label == "ENCRYPTED PRIVATE KEY")
                && !line.contains(&b':')
            {
                b.body.extend_from_slice(line);
            }
        }
    }
    if let Some(mut b) = current.take() {
        b.body.zeroize();
    }
    if out.labels.is_empty() {
        if bytes.first() == Some(&0x30) && Cert::from_der(bytes).is_ok() {
            out.der_certificate = true;
        }
        return out;
    }
    let mut n_cert = 0;
    let mut legacy_left = legacy_blocks;
    let mut plain: Vec<KeyRead> = Vec::new();
    for item in <(SectionKind, Vec<u8>) as PemObject>::pem_slice_iter(bytes) {
        match item {
            Ok((SectionKind::Certificate, der_bytes)) => {
                n_cert += 1;
                match Cert::from_der(&der_bytes) {
                    Ok(c) => out.certs.push(Arc::new(c)),
                    Err(e) => out.bad_certs.push((n_cert, e)),
                }
            }
            Ok((SectionKind::RsaPrivateKey, d)) => plain.push(keys::public_of(KeyFormat::Pkcs1, d)),
            Ok((SectionKind::EcPrivateKey, d)) => plain.push(keys::public_of(KeyFormat::Sec1, d)),
            Ok((SectionKind::PrivateKey, d)) => plain.push(keys::public_of(KeyFormat::Pkcs8, d)),
            Ok((SectionKind::Crl, d)) => match crl(&d) {
                Some(c) => out.crls.push(c),
                None => out.bad_crls += 1,
            },
            Ok((_, mut other)) => other.zeroize(),
            Err(e) => {
                use rustls_pki_types::pem::Error as E;
                let msg = match e {
                    // a legacy encrypted key: its header lines are not base64
                    E::Base64Decode(_) if legacy_left > 0 => {
                        legacy_left -= 1;
                        continue;
                    }
                    E::Base64Decode(_) => "a PEM block whose body is not valid base64",
                    E::MissingSectionEnd { .. } => "a PEM block without its END line",
                    E::IllegalSectionStart { .. } => "a malformed BEGIN line",
                    E::SectionTooLarge => "a PEM block larger than 256 MB",
                    _ => "malformed PEM",
                };
                out.pem_error.get_or_insert_with(|| msg.to_string());
                // the iterator does not resume reliably after an error
                break;
            }
        }
    }
    // key order matters (the server loads the first): the blocks' order, the
    // plain keys as the PEM iterator decoded them
    let mut plain = plain.into_iter();
    for b in blocks {
        match b {
            Some(encrypted) => out.keys.push(encrypted),
            None => {
                if let Some(k) = plain.next() {
                    out.keys.push(k)
                }
            }
        }
    }
    if let Some(dh) = dh_block(bytes) {
        out.dh = Some(dh);
    }
    out
}

/// A PEM block being read by the line scan of [`parse`].
struct OpenBlock {
    label: String,
    proc_encrypted: bool,
    dek_info: Option<String>,
    /// The base64 body of an encrypted key block (others: empty).
    body: Vec<u8>,
}

impl OpenBlock {
    /// The key this block is in the file's key order: `Some(None)` a plain
    /// key the PEM iterator decodes, `Some(Some(k))` an encrypted key, None
    /// not a key.
    fn finish(mut self) -> Option<Option<KeyRead>> {
        use super::keys::{EncryptedKey, Sealed};
        let r = if self.label == "ENCRYPTED PRIVATE KEY" {
            let sealed = match base64(&self.body) {
                Some(d) => Sealed::Pkcs8(d),
                None => Sealed::Malformed(
                    "an ENCRYPTED PRIVATE KEY block whose body is not valid base64".into(),
                ),
            };
            Some(Some(KeyRead::Encrypted {
                legacy: false,
                sealed: EncryptedKey::new(sealed),
            }))
        } else if self.proc_encrypted {
            let format = match self.label.as_str() {
                "RSA PRIVATE KEY" => Some(KeyFormat::Pkcs1),
                "EC PRIVATE KEY" => Some(KeyFormat::Sec1),
                "PRIVATE KEY" => Some(KeyFormat::Pkcs8),
                _ => None,
            };
            let dek = self.dek_info.as_deref().and_then(|d| d.split_once(','));
            let sealed = match (dek, base64(&self.body)) {
                (Some((cipher, iv)), Some(data)) => match hex(iv.trim()) {
                    Some(iv) => Sealed::Legacy {
                        format,
                        cipher: cipher.trim().to_ascii_uppercase(),
                        iv,
                        data,
                    },
                    None => {
                        Sealed::Malformed("a DEK-Info header whose IV is not hexadecimal".into())
                    }
                },
                (None, _) => Sealed::Malformed(
                    "a Proc-Type: 4,ENCRYPTED block without a DEK-Info header".into(),
                ),
                (_, None) => {
                    Sealed::Malformed("an encrypted block whose body is not valid base64".into())
                }
            };
            Some(Some(KeyRead::Encrypted {
                legacy: true,
                sealed: EncryptedKey::new(sealed),
            }))
        } else if matches!(
            self.label.as_str(),
            "RSA PRIVATE KEY" | "EC PRIVATE KEY" | "PRIVATE KEY"
        ) {
            Some(None)
        } else {
            None
        };
        self.body.zeroize();
        r
    }
}

/// Standard base64 (whitespace already removed by the line scan), with
/// optional `=` padding.
fn base64(text: &[u8]) -> Option<Vec<u8>> {
    let text = match text.iter().position(|&c| c == b'=') {
        Some(i) if text[i..].iter().all(|&c| c == b'=') && text.len() - i <= 2 => &text[..i],
        Some(_) => return None,
        None => text,
    };
    let mut out = Vec::with_capacity(text.len() * 3 / 4);
    let mut acc: u32 = 0;
    let mut bits = 0;
    for &c in text {
        let v = match c {
            b'A'..=b'Z' => c - b'A',
            b'a'..=b'z' => c - b'a' + 26,
            b'0'..=b'9' => c - b'0' + 52,
            b'+' => 62,
            b'/' => 63,
            b' ' | b'\t' => continue,
            _ => return None,
        };
        acc = (acc << 6) | u32::from(v);
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push((acc >> bits) as u8);
        }
    }
    acc.zeroize();
    Some(out)
}

fn hex(s: &str) -> Option<Vec<u8>> {
    if !s.len().is_multiple_of(2) || s.is_empty() {
        return None;
    }
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(s.get(i..i + 2)?, 16).ok())
        .collect()
}

fn trim(l: &[u8]) -> &[u8] {
    let mut l = l;
    while let [b' ' | b'\t', rest @ ..] = l {
        l = rest;
    }
    while let [rest @ .., b' ' | b'\t'] = l {
        l = rest;
    }
    l
}

/// The first `DH PARAMETERS` / `X9.42 DH PARAMETERS` block.
fn dh_block(bytes: &[u8]) -> Option<Result<DhParams, String>> {
    for pem in x509_parser::pem::Pem::iter_from_buffer(bytes) {
        let Ok(pem) = pem else { continue };
        let x942 = match pem.label.as_str() {
            "DH PARAMETERS" => false,
            "X9.42 DH PARAMETERS" => true,
            _ => continue,
        };
        // DHParameter ::= SEQUENCE { prime INTEGER, base INTEGER, ... }
        // DomainParameters ::= SEQUENCE { p INTEGER, g INTEGER, q INTEGER, ... }
        return Some(match der::sequence(&pem.contents) {
            Some(v) if v.len() >= 2 && v[0].tag == 0x02 => Ok(DhParams {
                bits: der::bit_len(v[0].contents),
                x942,
            }),
            _ => Err("the DH parameters block is not valid".into()),
        });
    }
    None
}

fn crl(d: &[u8]) -> Option<Crl> {
    use x509_parser::prelude::FromDer;
    let (_, c) = x509_parser::revocation_list::CertificateRevocationList::from_der(d).ok()?;
    Some(Crl {
        issuer: c.issuer().to_string(),
        issuer_raw: der::contents(c.issuer().as_raw()).to_vec(),
        this_update: c.last_update().timestamp(),
        next_update: c.next_update().map(|t| t.timestamp()),
    })
}

/// What reading a file gave.
pub type ReadResult = Result<Arc<FileData>, ReadError>;

type Entry = (Option<std::time::SystemTime>, u64, ReadResult);

/// The process-wide file cache.
pub struct FileCache {
    map: Mutex<HashMap<PathBuf, Entry>>,
    reads: AtomicUsize,
}

static CACHE: OnceLock<FileCache> = OnceLock::new();

/// The process-wide cache of certificate, key and parameter files.
pub fn cache() -> &'static FileCache {
    CACHE.get_or_init(|| FileCache {
        map: Mutex::new(HashMap::new()),
        reads: AtomicUsize::new(0),
    })
}

fn meta_of(m: &std::fs::Metadata) -> Option<FileMeta> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        Some(FileMeta {
            mode: m.mode() & 0o7777,
            uid: m.uid(),
            gid: m.gid(),
        })
    }
    #[cfg(not(unix))]
    {
        let _ = m;
        None
    }
}

/// Whether the error means "not there".
fn classify(e: &std::io::Error) -> ReadError {
    match e.kind() {
        std::io::ErrorKind::NotFound => ReadError::Missing,
        std::io::ErrorKind::PermissionDenied => ReadError::PermissionDenied,
        _ => match e.raw_os_error() {
            // ENOTDIR: a path component is a file
            Some(20) => ReadError::Missing,
            _ => {
                let s = e.to_string();
                ReadError::Other(match s.find(" (os error") {
                    Some(i) => s[..i].to_string(),
                    None => s,
                })
            }
        },
    }
}

/// Largest file read (a CA bundle of a few thousand certificates is ~1 MB).
const MAX_FILE: u64 = 64 * 1024 * 1024;

/// Read a file (at most [`MAX_FILE`] bytes) opened without waiting, if
/// what was opened is a regular file (checked on the handle: a FIFO swapped
/// in after the check on the name is never read); None if it is not.
fn read_opened(path: &Path) -> std::io::Result<Option<Vec<u8>>> {
    use std::io::Read;
    let f = crate::fsx::open_nonblocking(path)?;
    let m = f.metadata()?;
    if !m.is_file() {
        return Ok(None);
    }
    let mut buf = Vec::with_capacity(m.len().min(MAX_FILE) as usize);
    f.take(MAX_FILE + 1).read_to_end(&mut buf)?;
    if buf.len() as u64 > MAX_FILE {
        buf.zeroize();
        return Err(std::io::Error::other(format!(
            "larger than {} MB",
            MAX_FILE / 1024 / 1024
        )));
    }
    Ok(Some(buf))
}

impl FileCache {
    /// Files actually read (cache misses) since the process started.
    pub fn reads(&self) -> usize {
        self.reads.load(Ordering::Relaxed)
    }

    /// Whether a file exists (no read).
    pub fn exists(path: &Path) -> bool {
        std::fs::metadata(path).is_ok()
    }

    /// Read a small secret file (nginx's `ssl_password_file`) with the same
    /// checks as other files, counted in [`FileCache::reads`]. Unlike other
    /// files it is not parsed and not kept: the bytes come back in a buffer
    /// that is zeroed when dropped (allocated once, so no copy is left
    /// behind by a reallocation).
    pub fn read_secret(
        &self,
        path: &Path,
        max: u64,
    ) -> Result<zeroize::Zeroizing<Vec<u8>>, ReadError> {
        use std::io::Read;
        let md = std::fs::metadata(path).map_err(|e| classify(&e))?;
        if !md.is_file() {
            return Err(ReadError::NotAFile);
        }
        if md.len() > max {
            return Err(ReadError::Other(format!("larger than {} KiB", max / 1024)));
        }
        self.reads.fetch_add(1, Ordering::Relaxed);
        // opened without waiting, and checked again on the handle: a FIFO
        // swapped in after the check above is refused, never read
        let f = crate::fsx::open_nonblocking(path).map_err(|e| classify(&e))?;
        match f.metadata() {
            Ok(m) if m.is_file() && m.len() <= max => {}
            Ok(m) if m.is_file() => {
                return Err(ReadError::Other(format!("larger than {} KiB", max / 1024)))
            }
            Ok(_) => return Err(ReadError::NotAFile),
            Err(e) => return Err(classify(&e)),
        }
        let mut buf = zeroize::Zeroizing::new(Vec::with_capacity(max as usize + 1));
        f.take(max + 1)
            .read_to_end(&mut buf)
            .map_err(|e| classify(&e))?;
        if buf.len() as u64 > max {
            return Err(ReadError::Other(format!("larger than {} KiB", max / 1024)));
        }
        Ok(buf)
    }

    /// Read and parse a file, once per (canonical path, mtime, size).
    pub fn read(&self, path: &Path) -> ReadResult {
        let md = match std::fs::metadata(path) {
            Ok(m) => m,
            Err(e) => return Err(classify(&e)),
        };
        if !md.is_file() {
            return Err(ReadError::NotAFile);
        }
        let key = std::fs::canonicalize(path).unwrap_or_else(|_| path.to_path_buf());
        let mtime = md.modified().ok();
        if let Some((t, len, v)) = self.map.lock().unwrap().get(&key) {
            if *t == mtime && *len == md.len() {
                return v.clone();
            }
        }
        let result = if md.len() > MAX_FILE {
            Err(ReadError::Other(format!(
                "larger than {} MB",
                MAX_FILE / 1024 / 1024
            )))
        } else {
            self.reads.fetch_add(1, Ordering::Relaxed);
            match read_opened(path) {
                Ok(None) => Err(ReadError::NotAFile),
                Ok(Some(mut bytes)) => {
                    let mut d = parse(&bytes);
                    bytes.zeroize();
                    d.meta = meta_of(&md);
                    Ok(Arc::new(d))
                }
                Err(e) => Err(classify(&e)),
            }
        };
        self.map
            .lock()
            .unwrap()
            .insert(key, (mtime, md.len(), result.clone()));
        result
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn encrypted_keys_keep_their_place_and_are_not_shown() {
        let text = "-----BEGIN EC PRIVATE KEY-----\nProc-Type: 4,ENCRYPTED\nDEK-Info: AES-256-CBC,00112233445566778899AABBCCDDEEFF\n\nq83vEjRWeJCrze8SNFZ4kA==\n-----END EC PRIVATE KEY-----\n\
                    -----BEGIN ENCRYPTED PRIVATE KEY-----\nq83vEjRWeJCrze8SNFZ4kA==\n-----END ENCRYPTED PRIVATE KEY-----\n\
                    -----BEGIN RSA PRIVATE KEY-----\nProc-Type: 4,ENCRYPTED\n\nq83v\n-----END RSA PRIVATE KEY-----\n";
        let d = parse(text.as_bytes());
        assert_eq!(d.pem_error, None);
        let forms: Vec<Option<bool>> = d
            .keys
            .iter()
            .map(|k| match k {
                KeyRead::Encrypted { legacy, .. } => Some(*legacy),
                _ => None,
            })
            .collect();
        assert_eq!(forms, vec![Some(true), Some(false), Some(true)]);
        let shown = format!("{d:?}");
        assert!(
            shown.contains("EncryptedKey(legacy AES-256-CBC)"),
            "{shown}"
        );
        assert!(shown.contains("EncryptedKey(PKCS #8)"), "{shown}");
        assert!(shown.contains("EncryptedKey(malformed)"), "{shown}");
        // the body bytes (0xab 0xcd 0xef ...) appear nowhere
        assert!(!shown.contains("171, 205"), "{shown}");
        assert_eq!(
            base64(b"q83vEjRWeJCrze8SNFZ4kA==").unwrap()[..3],
            [0xab, 0xcd, 0xef]
        );
        assert_eq!(base64(b"q8=v"), None);
    }
}
