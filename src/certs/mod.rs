//! Certificate, key, DH parameter and CRL files that a configuration names:
//! where they are (`locate`), what they hold (`read`, `facts`, `keys`), how
//! their chains reach a trusted root (`chain`), which names they cover
//! (`names`). Server-neutral: it takes values as written and the directory
//! relative paths are resolved against (nginx's prefix, Apache's ServerRoot).
//!
//! Every file is read once per run however many endpoints name it (a
//! process-wide cache: [`read::cache`]); private keys are read only to derive
//! their public half, and nothing of a key is kept or printed. Encrypted keys
//! are decrypted with nginx's `ssl_password_file` pass phrases ([`unlock`]),
//! which are read once per tree and zeroed after use, never cached.

pub mod chain;
pub mod der;
pub mod facts;
pub mod keys;
pub mod locate;
pub mod names;
pub mod read;
pub mod time;
pub mod unlock;

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use crate::error::Error;
use crate::model::{CertPair, Endpoint, ServerKind};

pub use chain::{CaReport, ChainReport, PathOutcome, TrustStore};
pub use facts::Cert;
pub use locate::{RootMap, Where};
pub use read::{cache, FileData, ReadError};

/// Command-line flags for the file checks (flattened into `check`).
#[derive(Debug, Clone, clap::Args)]
pub struct CertArgs {
    /// Read the absolute paths of included files, certificates, keys, DH parameter and CRL files
    /// from a copy of the server's files: `DIR` stands for the server's `/`; `SERVERDIR=DIR` maps
    /// one directory (e.g. `--root /etc/nginx=./nginx`; repeatable, the longest match wins).
    /// Relative paths are always read against the tree's prefix
    #[arg(long, value_name = "[SERVERDIR=]DIR")]
    pub root: Vec<String>,
    /// Check certificate validity at this time instead of now: RFC 3339 or YYYY-MM-DD
    #[arg(long, value_name = "TIME")]
    pub now: Option<String>,
    /// Warn about certificates that expire within this many days [default: 30]
    #[arg(long, value_name = "DAYS", allow_negative_numbers = true, value_parser = days)]
    pub expiry_warn_days: Option<u32>,
    /// The roots clients trust, for a private PKI (PEM; replaces Mozilla's root store)
    #[arg(long, value_name = "FILE")]
    pub ca_file: Option<PathBuf>,
}

/// `--expiry-warn-days`: a whole number of days, 0 or more.
fn days(s: &str) -> Result<u32, String> {
    match s.trim().parse::<i64>() {
        Ok(n) if n < 0 => Err(
            "a number of days cannot be negative (0 warns only about expired certificates)"
                .to_string(),
        ),
        Ok(n) => u32::try_from(n).map_err(|_| "more days than anyone waits".to_string()),
        Err(_) => Err("a whole number of days is expected, e.g. 30".to_string()),
    }
}

/// What the file checks need from the command line.
#[derive(Debug, Clone)]
pub struct FileOptions {
    pub roots: Vec<RootMap>,
    /// `--now` (seconds since the epoch); None: the clock.
    pub now: Option<i64>,
    pub expiry_warn_days: u32,
    /// `--ca-file`, read; None: Mozilla's root store.
    pub trust: Option<Arc<TrustStore>>,
}

impl Default for FileOptions {
    fn default() -> FileOptions {
        FileOptions {
            roots: Vec::new(),
            now: None,
            expiry_warn_days: 30,
            trust: None,
        }
    }
}

impl FileOptions {
    pub fn from_args(a: &CertArgs) -> Result<FileOptions, Error> {
        FileOptions::from_args_and_config(a, None)
    }

    /// The flags, over a settings file's `root`, `now`, `expiry_warn_days`
    /// and `ca_file` (validated, with paths resolved, when it was loaded).
    pub fn from_args_and_config(
        a: &CertArgs,
        cfg: Option<&crate::config::Config>,
    ) -> Result<FileOptions, Error> {
        let roots = if a.root.is_empty() {
            cfg.map(|c| c.root.clone()).unwrap_or_default()
        } else {
            let roots = a
                .root
                .iter()
                .map(|r| RootMap::parse(r).map_err(Error::new))
                .collect::<Result<Vec<_>, _>>()?;
            for r in &roots {
                if !r.local.is_dir() {
                    return Err(Error::new(format!(
                        "--root: \"{}\" is not a directory",
                        r.local.display()
                    )));
                }
            }
            roots
        };
        let now = match (&a.now, cfg.and_then(|c| c.now.as_ref())) {
            (Some(s), _) => Some(time::parse(s).map_err(|e| Error::new(format!("--now: {e}")))?),
            (None, Some(s)) => Some(time::parse(s).map_err(|e| {
                Error::new(format!(
                    "{}: now: {e}",
                    cfg.map(|c| c.path.display().to_string())
                        .unwrap_or_default()
                ))
            })?),
            (None, None) => None,
        };
        let ca_file: Option<PathBuf> = a
            .ca_file
            .clone()
            .or_else(|| cfg.and_then(|c| c.ca_file.clone()));
        let from = if a.ca_file.is_some() {
            "--ca-file".to_string()
        } else {
            format!(
                "{}: ca_file",
                cfg.map(|c| c.path.display().to_string())
                    .unwrap_or_default()
            )
        };
        let trust = match &ca_file {
            Some(f) => {
                let d = cache().read(f);
                let data = match &d {
                    Ok(d) => d,
                    Err(e) => {
                        return Err(Error::new(format!(
                            "{from}: cannot read \"{}\": {}",
                            f.display(),
                            read_error_text(e)
                        )))
                    }
                };
                if data.certs.is_empty() {
                    return Err(Error::new(format!(
                        "{from}: \"{}\" holds no PEM certificate",
                        f.display()
                    )));
                }
                Some(Arc::new(TrustStore::from_certs(
                    &data.certs,
                    if a.ca_file.is_some() {
                        format!("--ca-file {}", f.display())
                    } else {
                        format!("ca_file {}", f.display())
                    },
                )))
            }
            None => None,
        };
        Ok(FileOptions {
            roots,
            now,
            expiry_warn_days: a
                .expiry_warn_days
                .or_else(|| cfg.and_then(|c| c.expiry_warn_days))
                .unwrap_or(30),
            trust,
        })
    }

    pub fn trust(&self) -> Arc<TrustStore> {
        self.trust.clone().unwrap_or_else(TrustStore::mozilla)
    }
}

/// Words for a read error (never quoting the file).
pub fn read_error_text(e: &ReadError) -> String {
    match e {
        ReadError::Missing => "no such file".into(),
        ReadError::PermissionDenied => "permission denied".into(),
        ReadError::NotAFile => "not a regular file".into(),
        ReadError::Other(s) => s.clone(),
    }
}

/// A configured file, located and read.
#[derive(Debug, Clone)]
pub enum Located {
    File {
        path: PathBuf,
        data: Arc<FileData>,
    },
    /// A `data:` value.
    Inline(Arc<FileData>),
    Missing(PathBuf),
    /// Could not be read; `as_root`: tlslint ran as root (so the server cannot either).
    Unreadable {
        path: PathBuf,
        why: String,
        as_root: bool,
    },
    /// Built from variables: resolved per handshake, not checkable here.
    Variables(Vec<String>),
    /// An absolute path outside the `--root` mappings.
    Unmapped(PathBuf),
    /// The tree's files are not on this machine (see the tree's note).
    NotChecked,
    Empty,
}

impl Located {
    pub fn data(&self) -> Option<&FileData> {
        match self {
            Located::File { data, .. } | Located::Inline(data) => Some(data),
            _ => None,
        }
    }
    /// The path as read, for messages (`data:` for inline values).
    pub fn shown(&self) -> String {
        match self {
            Located::File { path, .. }
            | Located::Missing(path)
            | Located::Unreadable { path, .. }
            | Located::Unmapped(path) => path.display().to_string(),
            Located::Inline(_) => "the inline data: value".into(),
            _ => String::new(),
        }
    }
}

static NOT_CHECKED: Located = Located::NotChecked;

fn euid() -> Option<u32> {
    #[cfg(unix)]
    {
        // the owner of a file we create is our effective uid; /proc is Linux-only
        std::fs::metadata("/proc/self")
            .ok()
            .map(|m| std::os::unix::fs::MetadataExt::uid(&m))
    }
    #[cfg(not(unix))]
    {
        None
    }
}

/// nginx's `ssl_password_file` tried on an encrypted key.
#[derive(Debug, Clone)]
pub enum Unlocked {
    /// The pass phrases were read and tried. `file`: the password file as
    /// read, for messages; `phrases`: how many nginx tries; `empty`: the
    /// file holds none (nginx tries the empty pass phrase).
    Tried {
        file: String,
        phrases: usize,
        empty: bool,
        outcome: unlock::Unlock,
    },
    /// nginx refuses the password file itself (and does not start).
    Refused { file: String, why: String },
    /// The password file as located, when it could not be read.
    NotRead(Located),
}

/// The files of one tree, read, and what the rules need from them.
#[derive(Debug, Default)]
pub struct TreeFiles {
    located: HashMap<String, Located>,
    /// (ssl_certificate_key value, ssl_password_file value) → pass phrases tried.
    unlocked: HashMap<(String, String), Unlocked>,
    chains: HashMap<(String, Option<String>), Option<ChainReport>>,
    ca_files: HashMap<(String, Option<String>), CaReport>,
    /// The certificates of each `SSLCACertificatePath` directory that OpenSSL
    /// can look up (its `HASH.N` files).
    ca_dirs: HashMap<String, Vec<Arc<Cert>>>,
    /// The clock the checks use.
    pub now: i64,
    pub expiry_warn_days: u32,
    /// `--root` was given: paths are read from a copy of the server's files.
    pub mapped: bool,
    /// tlslint's effective uid (for the key-permission check).
    pub uid: Option<u32>,
    pub trust: Option<Arc<TrustStore>>,
    /// Notes for the run: files not on this machine, unreadable, unmapped.
    pub notes: Vec<String>,
}

fn values(ep: &Endpoint) -> Vec<&str> {
    let mut v: Vec<&str> = Vec::new();
    for p in &ep.certificates {
        v.push(&p.certificate.value);
        if let Some(k) = &p.key {
            v.push(&k.value);
        }
        if let Some(c) = &p.chain {
            v.push(&c.value);
        }
    }
    for s in [
        &ep.dhparam,
        &ep.client_certificate,
        &ep.trusted_certificate,
        &ep.crl,
    ] {
        if let Some(x) = &s.value {
            v.push(x);
        }
    }
    v
}

/// Locate and read nginx's `ssl_password_file` (never `data:` or variables:
/// nginx reads the value as a file name at startup).
fn read_password_file(
    value: &str,
    base: &Path,
    map: &crate::paths::PathMap,
    as_root: bool,
    denied: &mut Vec<String>,
    unmapped: &mut Vec<String>,
) -> Result<(String, unlock::PassPhrases), Unlocked> {
    let path = match locate::locate(value, base, map, false) {
        Where::Empty => return Err(Unlocked::NotRead(Located::Empty)),
        Where::Unmapped(p) => {
            unmapped.push(p.display().to_string());
            return Err(Unlocked::NotRead(Located::Unmapped(p)));
        }
        Where::Path(p) => p,
        // nginx takes `data:…` and `$…` literally here: a file of that name
        Where::Inline(_) | Where::Variables(_) => base.join(value),
    };
    let shown = path.display().to_string();
    match cache().read_secret(&path, unlock::MAX_FILE) {
        Ok(bytes) => match unlock::pass_phrases(&bytes) {
            Ok(pp) => Ok((shown, pp)),
            Err(unlock::PassFileError::TooLongLine { line }) => Err(Unlocked::Refused {
                file: shown,
                why: format!("line {line} is 4096 bytes or longer (nginx: \"too long line\")"),
            }),
        },
        Err(ReadError::Missing) => Err(Unlocked::NotRead(Located::Missing(path))),
        Err(ReadError::PermissionDenied) if !as_root => {
            denied.push(shown);
            Err(Unlocked::NotRead(Located::Unreadable {
                path,
                why: "permission denied".into(),
                as_root,
            }))
        }
        Err(e) => Err(Unlocked::NotRead(Located::Unreadable {
            path,
            why: read_error_text(&e),
            as_root,
        })),
    }
}

/// The certificates of a hashed CA directory (`SSLCACertificatePath`): only
/// files named `HASH.N` (as `openssl rehash` / `c_rehash` make them), the
/// names OpenSSL's directory lookup opens; unreadable files are skipped.
fn read_hashed_dir(dir: &Path) -> Vec<Arc<Cert>> {
    let hashed = |n: &str| {
        n.split_once('.').is_some_and(|(h, i)| {
            h.len() == 8
                && h.bytes()
                    .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
                && !i.is_empty()
                && i.bytes().all(|b| b.is_ascii_digit())
        })
    };
    let Ok(rd) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    let mut names: Vec<PathBuf> = rd
        .flatten()
        .filter(|e| e.file_name().to_str().is_some_and(hashed))
        .map(|e| e.path())
        .collect();
    names.sort();
    names
        .iter()
        .filter_map(|p| cache().read(p).ok().map(|d| d.certs.clone()))
        .flatten()
        .collect()
}

fn list(paths: &[String]) -> String {
    let mut s = paths.iter().take(3).cloned().collect::<Vec<_>>().join(", ");
    if paths.len() > 3 {
        s.push_str(&format!(" and {} more", paths.len() - 3));
    }
    s
}

impl TreeFiles {
    /// Locate and read every file the endpoints name. `base` is where
    /// relative paths start (nginx's prefix, Apache's ServerRoot); `label`
    /// names the tree in notes.
    pub fn build(
        endpoints: &[Endpoint],
        base: &Path,
        opts: &FileOptions,
        map: &crate::paths::PathMap,
        label: &str,
    ) -> TreeFiles {
        let mut tf = TreeFiles {
            now: opts.now.unwrap_or_else(time::now),
            expiry_warn_days: opts.expiry_warn_days,
            mapped: !opts.roots.is_empty(),
            uid: euid(),
            trust: Some(opts.trust()),
            ..TreeFiles::default()
        };
        let mut wheres: Vec<(String, Where)> = Vec::new();
        let mut seen: std::collections::HashSet<&str> = std::collections::HashSet::new();
        for ep in endpoints {
            for v in values(ep) {
                if seen.insert(v) {
                    let literal = ep.server == crate::model::ServerKind::Apache;
                    wheres.push((v.to_string(), locate::locate(v, base, map, literal)));
                }
            }
        }
        // files that are not on this machine at all: one note, no findings. The
        // certificates and keys decide (a system CA bundle or DH file that happens
        // to exist here says nothing about where the configuration is linted).
        let pair_values: std::collections::HashSet<&str> = endpoints
            .iter()
            .flat_map(|ep| ep.certificates.iter())
            .flat_map(|p| [Some(&p.certificate), p.key.as_ref(), p.chain.as_ref()])
            .flatten()
            .map(|s| s.value.as_str())
            .collect();
        let paths: Vec<&PathBuf> = wheres
            .iter()
            .filter_map(|(_, w)| match w {
                Where::Path(p) => Some(p),
                _ => None,
            })
            .collect();
        let deciding: Vec<&PathBuf> = wheres
            .iter()
            .filter(|(v, _)| pair_values.contains(v.as_str()))
            .filter_map(|(_, w)| match w {
                Where::Path(p) => Some(p),
                _ => None,
            })
            .collect();
        let deciding = if deciding.is_empty() {
            &paths
        } else {
            &deciding
        };
        let absent = !tf.mapped && !deciding.is_empty() && !deciding.iter().any(|p| p.exists());
        if absent {
            let shown: Vec<String> = deciding.iter().map(|p| p.display().to_string()).collect();
            tf.notes.push(format!(
                "{label}: none of the {} certificate and key file(s) it names exist here ({}): \
                 the certificate, key and parameter checks did not run; lint on the server, or map a \
                 copy of the files with --root",
                shown.len(),
                list(&shown)
            ));
        }
        // a tree read as a copy of the server's (the inferred mapping): its
        // files' modes say nothing about the server's, as under --root
        tf.mapped |= map.inferred();
        let mut denied = Vec::new();
        let mut unmapped = Vec::new();
        let as_root = tf.uid == Some(0);
        for (v, w) in wheres {
            let loc = match w {
                Where::Empty => Located::Empty,
                Where::Variables(vars) => Located::Variables(vars),
                Where::Unmapped(p) => {
                    unmapped.push(p.display().to_string());
                    Located::Unmapped(p)
                }
                Where::Inline(text) => {
                    let mut bytes = text.into_bytes();
                    let d = read::parse(&bytes);
                    zeroize::Zeroize::zeroize(&mut bytes);
                    Located::Inline(Arc::new(d))
                }
                Where::Path(_) if absent => Located::NotChecked,
                Where::Path(p) => match &cache().read(&p) {
                    Ok(d) => Located::File {
                        path: p,
                        data: d.clone(),
                    },
                    Err(ReadError::Missing) => Located::Missing(p),
                    Err(ReadError::PermissionDenied) if !as_root => {
                        denied.push(p.display().to_string());
                        Located::Unreadable {
                            path: p,
                            why: "permission denied".into(),
                            as_root,
                        }
                    }
                    Err(e) => Located::Unreadable {
                        path: p,
                        why: read_error_text(e),
                        as_root,
                    },
                },
            };
            tf.located.insert(v, loc);
        }
        if !absent {
            for ep in endpoints {
                let Some(dir) = ep.apache.as_ref().and_then(|a| a.ca_path.value.as_ref()) else {
                    continue;
                };
                if !tf.ca_dirs.contains_key(dir) {
                    let certs = match locate::locate(dir, base, map, true) {
                        Where::Path(p) => read_hashed_dir(&p),
                        _ => Vec::new(),
                    };
                    tf.ca_dirs.insert(dir.clone(), certs);
                }
            }
        }
        // encrypted keys with nginx's ssl_password_file: each password file
        // read once for the tree (its pass phrases are not kept after the build)
        if !absent {
            let mut wanted: Vec<(String, String, keys::EncryptedKey)> = Vec::new();
            let mut seen_pairs: std::collections::HashSet<(&str, &str)> =
                std::collections::HashSet::new();
            for ep in endpoints.iter().filter(|e| e.server == ServerKind::Nginx) {
                let Some(pf) = &ep.password_file.value else {
                    continue;
                };
                for p in &ep.certificates {
                    let Some(k) = &p.key else { continue };
                    if let Some(keys::KeyRead::Encrypted { sealed, .. }) =
                        tf.get(&k.value).data().and_then(|d| d.keys.first())
                    {
                        if seen_pairs.insert((&k.value, pf)) {
                            wanted.push((k.value.clone(), pf.clone(), sealed.clone()));
                        }
                    }
                }
            }
            let mut files: HashMap<String, Result<(String, unlock::PassPhrases), Unlocked>> =
                HashMap::new();
            for (kv, pv, sealed) in wanted {
                let pass = files.entry(pv.clone()).or_insert_with(|| {
                    read_password_file(&pv, base, map, as_root, &mut denied, &mut unmapped)
                });
                let u = match pass {
                    Ok((file, pp)) => Unlocked::Tried {
                        file: file.clone(),
                        phrases: pp.total,
                        empty: pp.empty,
                        outcome: unlock::unlock_once(&sealed, std::path::Path::new(file), pp),
                    },
                    Err(u) => u.clone(),
                };
                tf.unlocked.insert((kv, pv), u);
            }
        }
        if !denied.is_empty() {
            tf.notes.push(format!(
                "{label}: {} file(s) could not be read as uid {} (permission denied): {}; \
                 they were not checked (the server reads them as root: run tlslint as root to check them)",
                denied.len(),
                tf.uid.map(|u| u.to_string()).unwrap_or_default(),
                list(&denied)
            ));
        }
        if !unmapped.is_empty() {
            tf.notes.push(format!(
                "{label}: {} absolute path(s) are outside the --root mappings (or the tree) and were not checked: {}",
                unmapped.len(),
                list(&unmapped)
            ));
        }
        // chains and client CA files, once per distinct value
        let trust = opts.trust();
        for ep in endpoints {
            for p in &ep.certificates {
                let k = (
                    p.certificate.value.clone(),
                    p.chain.as_ref().map(|c| c.value.clone()),
                );
                if !tf.chains.contains_key(&k) {
                    let sent = tf.sent(p);
                    let r = chain::check(&sent, &trust);
                    tf.chains.insert(k, r);
                }
            }
            if let Some(ca) = &ep.client_certificate.value {
                let k = (ca.clone(), ep.trusted_certificate.value.clone());
                if !tf.ca_files.contains_key(&k) {
                    let certs = tf.certs_of(ca);
                    let extra = ep
                        .trusted_certificate
                        .value
                        .as_deref()
                        .map(|t| tf.certs_of(t))
                        .unwrap_or_default();
                    let r = chain::check_ca_file(&certs, &extra);
                    tf.ca_files.insert(k, r);
                }
            }
        }
        tf
    }

    /// nginx's `ssl_password_file` tried on a pair's encrypted key (None:
    /// no password file, or the key is not an encrypted one that was read).
    pub fn unlocked(&self, ep: &Endpoint, pair: &CertPair) -> Option<&Unlocked> {
        let k = pair.key.as_ref()?;
        let pf = ep.password_file.value.as_ref()?;
        self.unlocked.get(&(k.value.clone(), pf.clone()))
    }

    /// A configured value, located and read.
    pub fn get(&self, value: &str) -> &Located {
        self.located.get(value).unwrap_or(&NOT_CHECKED)
    }

    fn certs_of(&self, value: &str) -> Vec<Arc<Cert>> {
        self.get(value)
            .data()
            .map(|d| d.certs.clone())
            .unwrap_or_default()
    }

    /// The certificates a pair sends, in order. nginx: its certificate file.
    /// Apache with SSLCertificateChainFile: the first certificate of
    /// SSLCertificateFile (mod_ssl then loads it with
    /// `SSL_CTX_use_certificate_file`, which reads one certificate), then the
    /// chain file's certificates (its first skipped when the chain file is
    /// the certificate file itself, as mod_ssl does).
    pub fn sent(&self, pair: &CertPair) -> Vec<Arc<Cert>> {
        let mut v = self.certs_of(&pair.certificate.value);
        if let Some(c) = &pair.chain {
            v.truncate(1);
            let skip = usize::from(c.value == pair.certificate.value);
            v.extend(self.certs_of(&c.value).into_iter().skip(skip));
        }
        v
    }

    /// The chain OpenSSL builds itself for an Apache pair whose certificate
    /// file holds only the leaf and that has no SSLCertificateChainFile:
    /// mod_ssl leaves automatic chain building on (nginx turns it off with
    /// `SSL_MODE_NO_AUTO_CHAIN`), so OpenSSL (`ssl_add_cert_chain`) sends the
    /// leaf and the issuers it finds in the context's verify store, which
    /// mod_ssl loads from SSLCACertificateFile and SSLCACertificatePath
    /// (`SSL_CTX_load_verify_locations`, whatever SSLVerifyClient says), up to
    /// and including a self-signed root found there. None when OpenSSL adds
    /// nothing (not Apache, a chain written, no issuer in the store).
    pub fn store_chain(&self, ep: &Endpoint, pair: &CertPair) -> Option<Vec<Arc<Cert>>> {
        let a = ep.apache.as_ref()?;
        if pair.chain.is_some() {
            return None;
        }
        let sent = self.certs_of(&pair.certificate.value);
        if sent.len() != 1 {
            return None;
        }
        let mut store = ep
            .client_certificate
            .value
            .as_deref()
            .map(|v| self.certs_of(v))
            .unwrap_or_default();
        if let Some(dir) = &a.ca_path.value {
            store.extend(self.ca_dirs.get(dir).into_iter().flatten().cloned());
        }
        let mut chain = sent;
        while chain.len() < 10 {
            let last = chain.last()?.clone();
            if last.self_signed {
                break;
            }
            let next = store.iter().find(|c| {
                c.can_issue() && last.issued_by(c) && !chain.iter().any(|x| x.sha256 == c.sha256)
            });
            match next {
                Some(c) => chain.push(c.clone()),
                None => break,
            }
        }
        (chain.len() > 1).then_some(chain)
    }

    /// Certificates after the first in SSLCertificateFile that httpd does
    /// not send because SSLCertificateChainFile is set (0 for nginx).
    pub fn ignored_in_certificate_file(&self, pair: &CertPair) -> usize {
        match &pair.chain {
            Some(c) if c.value != pair.certificate.value => self
                .certs_of(&pair.certificate.value)
                .len()
                .saturating_sub(1),
            _ => 0,
        }
    }

    /// The pair's leaf certificate (the first of its file).
    pub fn leaf(&self, pair: &CertPair) -> Option<Arc<Cert>> {
        self.get(&pair.certificate.value)
            .data()
            .and_then(|d| d.certs.first().cloned())
    }

    /// The chain check of a pair's certificates.
    pub fn chain(&self, pair: &CertPair) -> Option<&ChainReport> {
        self.chains
            .get(&(
                pair.certificate.value.clone(),
                pair.chain.as_ref().map(|c| c.value.clone()),
            ))
            .and_then(|r| r.as_ref())
    }

    /// The client CA file check of an endpoint.
    pub fn ca_file(&self, ep: &Endpoint) -> Option<&CaReport> {
        let ca = ep.client_certificate.value.as_ref()?;
        self.ca_files
            .get(&(ca.clone(), ep.trusted_certificate.value.clone()))
    }

    /// Where the key of a pair is: its key file; for Apache without
    /// SSLCertificateKeyFile, the certificate file itself.
    pub fn key_of<'a>(
        &'a self,
        ep: &Endpoint,
        pair: &'a CertPair,
    ) -> Option<(&'a Located, &'a str)> {
        match &pair.key {
            Some(k) => Some((self.get(&k.value), k.value.as_str())),
            None if ep.server == ServerKind::Apache => Some((
                self.get(&pair.certificate.value),
                pair.certificate.value.as_str(),
            )),
            None => None,
        }
    }

    /// The trust store's name, for messages.
    pub fn trust_source(&self) -> String {
        self.trust
            .as_ref()
            .map(|t| t.source.clone())
            .unwrap_or_default()
    }

    /// The facts of a pair's certificates for the JSON report.
    /// `chain` is what the server sends: the pair's files, or (Apache, leaf
    /// alone) the chain OpenSSL builds from the CA store.
    pub fn facts_json(&self, ep: &Endpoint, pair: &CertPair) -> Option<serde_json::Value> {
        let built = self.store_chain(ep, pair);
        let sent = built.clone().unwrap_or_else(|| self.sent(pair));
        let leaf = sent.first()?;
        let one = |c: &Cert| {
            serde_json::json!({
                "subject": c.subject,
                "issuer": c.issuer,
                "serial": c.serial,
                "not_before": time::rfc3339(c.not_before),
                "not_after": time::rfc3339(c.not_after),
                "key_type": c.key_kind.profile_name(),
                "key_bits": c.key_bits,
                "curve": c.curve,
                "signature_algorithm": c.signature_algorithm,
                "sha256": c.sha256,
                "ca": c.can_issue(),
                "self_signed": c.self_signed,
            })
        };
        let mut v = one(leaf);
        v["sans"] = serde_json::json!(leaf
            .dns_names
            .iter()
            .map(|d| format!("DNS:{d}"))
            .chain(leaf.ip_addrs.iter().map(|i| format!("IP:{i}")))
            .collect::<Vec<_>>());
        v["ocsp"] = serde_json::json!(leaf.ocsp_urls);
        v["chain"] = serde_json::json!(sent.iter().map(|c| one(c)).collect::<Vec<_>>());
        let report = match (&built, &self.trust) {
            (Some(b), Some(t)) => chain::check(b, t),
            _ => self.chain(pair).cloned(),
        };
        if let Some(r) = report {
            v["trusted"] = serde_json::json!(matches!(r.path, PathOutcome::Trusted { .. }));
        }
        Some(v)
    }
}

/// Replace the body of every PEM private key in a text with `*` (same
/// length, so offsets into the text stay valid): configuration snippets and
/// values shown to people never carry key material, even with `data:` keys.
pub fn redact_private_keys(text: &str) -> std::borrow::Cow<'_, str> {
    if !text.contains("PRIVATE KEY-----") {
        return std::borrow::Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(i) = rest.find("-----BEGIN ") {
        let after = &rest[i..];
        let Some(hdr_end) = after[11..].find("-----").map(|j| 11 + j + 5) else {
            break;
        };
        let label = &after[11..hdr_end - 5];
        out.push_str(&rest[..i + hdr_end]);
        rest = &rest[i + hdr_end..];
        if !label.ends_with("PRIVATE KEY") {
            continue;
        }
        let end = rest.find("-----END ").unwrap_or(rest.len());
        out.extend(rest[..end].chars().map(|c| {
            if c.is_ascii_alphanumeric() || c == '+' || c == '/' || c == '=' {
                '*'
            } else {
                c
            }
        }));
        rest = &rest[end..];
    }
    out.push_str(rest);
    std::borrow::Cow::Owned(out)
}

/// [`redact_private_keys`] of an owned string (a parsed word or comment).
pub fn redacted(s: String) -> String {
    match redact_private_keys(&s) {
        std::borrow::Cow::Borrowed(_) => s,
        std::borrow::Cow::Owned(r) => r,
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn redacts_key_bodies_only() {
        let t = "ssl_certificate_key \"data:-----BEGIN PRIVATE KEY-----\nMIIEv+/=\n-----END PRIVATE KEY-----\";\nssl_certificate \"data:-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\";";
        let r = super::redact_private_keys(t);
        assert_eq!(r.len(), t.len());
        assert!(!r.contains("MIIEv"));
        assert!(r.contains("********"));
        assert!(r.contains("MIIB"));
    }
}
