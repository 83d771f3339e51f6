//! Trust anchors and certification paths: from the certificates a server
//! sends (its certificate file, leaf first) to a trusted root, as a client
//! builds it — with only what is sent and what the client trusts (no AIA
//! fetching), and OpenSSL's rules for who may issue (`X509_check_ca`).

use std::collections::HashMap;
use std::sync::{Arc, OnceLock};

use super::der;
use super::facts::Cert;

/// A trusted certificate or key.
#[derive(Debug, Clone)]
pub struct Anchor {
    pub subject_raw: Vec<u8>,
    /// The whole SubjectPublicKeyInfo.
    pub spki: Vec<u8>,
    pub name: String,
    /// The certificate, when the anchor came from a file (`--ca-file`).
    pub cert: Option<Arc<Cert>>,
}

impl Anchor {
    /// A root: where a path ends. Mozilla's anchors are all roots; a
    /// certificate from `--ca-file` is one when it is self-signed (OpenSSL
    /// without partial chains goes on from a trusted intermediate).
    fn terminal(&self) -> bool {
        self.cert.as_ref().map(|c| c.self_signed).unwrap_or(true)
    }
    fn can_issue(&self) -> bool {
        self.cert.as_ref().map(|c| c.can_issue()).unwrap_or(true)
    }
}

/// The certificates clients trust.
#[derive(Debug)]
pub struct TrustStore {
    pub anchors: Vec<Anchor>,
    by_subject: HashMap<Vec<u8>, Vec<usize>>,
    /// For messages: `Mozilla's root store (webpki-roots)` or `--ca-file x.pem`.
    pub source: String,
}

impl TrustStore {
    fn new(anchors: Vec<Anchor>, source: String) -> TrustStore {
        let mut by_subject: HashMap<Vec<u8>, Vec<usize>> = HashMap::new();
        for (i, a) in anchors.iter().enumerate() {
            by_subject.entry(a.subject_raw.clone()).or_default().push(i);
        }
        TrustStore {
            anchors,
            by_subject,
            source,
        }
    }

    /// Mozilla's root store as webpki-roots compiles it in.
    pub fn mozilla() -> Arc<TrustStore> {
        static STORE: OnceLock<Arc<TrustStore>> = OnceLock::new();
        STORE
            .get_or_init(|| {
                let anchors = webpki_roots::TLS_SERVER_ROOTS
                    .iter()
                    .map(|ta| {
                        let subject = ta.subject.as_ref().to_vec();
                        let wrapped = der::wrap_sequence(&subject);
                        let name = {
                            use x509_parser::prelude::FromDer;
                            x509_parser::x509::X509Name::from_der(&wrapped)
                                .map(|(_, n)| n.to_string())
                                .unwrap_or_default()
                        };
                        Anchor {
                            subject_raw: subject,
                            spki: der::wrap_sequence(ta.subject_public_key_info.as_ref()),
                            name,
                            cert: None,
                        }
                    })
                    .collect();
                Arc::new(TrustStore::new(
                    anchors,
                    "Mozilla's root store (webpki-roots)".into(),
                ))
            })
            .clone()
    }

    /// The certificates of a CA file (`--ca-file`).
    pub fn from_certs(certs: &[Arc<Cert>], source: String) -> TrustStore {
        let anchors = certs
            .iter()
            .map(|c| Anchor {
                subject_raw: c.subject_raw.clone(),
                spki: c.spki.clone(),
                name: c.subject.clone(),
                cert: Some(c.clone()),
            })
            .collect();
        TrustStore::new(anchors, source)
    }

    /// The anchor that is this very certificate (same name and key).
    fn same(&self, c: &Cert) -> Option<&Anchor> {
        self.by_subject
            .get(&c.subject_raw)?
            .iter()
            .map(|&i| &self.anchors[i])
            .find(|a| a.spki == c.spki)
    }

    /// Trusted certificates that issued `c`.
    fn issuers<'a>(&'a self, c: &'a Cert) -> impl Iterator<Item = &'a Anchor> + 'a {
        self.by_subject
            .get(&c.issuer_raw)
            .into_iter()
            .flatten()
            .map(|&i| &self.anchors[i])
            .filter(move |a| a.can_issue() && c.signed_by(&a.spki))
    }
}

/// How the certificates sent reach (or do not reach) a trusted root.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PathOutcome {
    /// Trusted; `sent` are the indexes of the sent certificates on the path.
    Trusted { sent: Vec<usize>, root: String },
    /// The issuer of `subject` is neither sent nor trusted.
    MissingIssuer {
        /// Index among the sent certificates (None: a trusted intermediate from `--ca-file`).
        at: Option<usize>,
        subject: String,
        issuer: String,
        /// The issuer's certificate URLs (AIA caIssuers) the certificate names.
        urls: Vec<String>,
    },
    /// The path ends at a self-signed certificate the clients do not trust.
    UntrustedRoot { at: usize, name: String },
}

/// What a certificate file sends, checked.
#[derive(Debug, Clone)]
pub struct ChainReport {
    /// The first place where the next certificate did not issue the one
    /// before it: (i, i + 1), 0-based.
    pub misordered: Option<(usize, usize)>,
    pub path: PathOutcome,
    /// Sent self-signed certificates other than the first (roots sent).
    pub roots_sent: Vec<usize>,
}

enum Step {
    Sent(usize),
    Trusted(usize),
}

fn dfs(
    sent: &[Arc<Cert>],
    store: &TrustStore,
    cur: &Cert,
    cur_at: Option<usize>,
    used: &mut Vec<usize>,
    depth: usize,
) -> Result<String, PathOutcome> {
    if cur.self_signed {
        if let Some(a) = store.same(cur) {
            return Ok(a.name.clone());
        }
    }
    let missing = || PathOutcome::MissingIssuer {
        at: cur_at,
        subject: cur.subject.clone(),
        issuer: cur.issuer.clone(),
        urls: cur.ca_issuers_urls.clone(),
    };
    if depth > 16 {
        return Err(missing());
    }
    // trusted issuers first (OpenSSL's default X509_V_FLAG_TRUSTED_FIRST), then sent ones
    let mut steps: Vec<Step> = Vec::new();
    for a in store.issuers(cur) {
        let i = store
            .anchors
            .iter()
            .position(|x| std::ptr::eq(x, a))
            .unwrap_or(0);
        steps.push(Step::Trusted(i));
    }
    // the next certificate in the file first, then any other
    let mut order: Vec<usize> = (0..sent.len()).collect();
    if let Some(i) = cur_at {
        order.sort_by_key(|&j| if j == i + 1 { 0 } else { 1 });
    }
    for j in order {
        if used.contains(&j) || Some(j) == cur_at {
            continue;
        }
        let s = &sent[j];
        if s.can_issue() && cur.issued_by(s) {
            steps.push(Step::Sent(j));
        }
    }
    let mut first_err = None;
    for st in steps {
        let r = match st {
            Step::Trusted(i) => {
                let a = &store.anchors[i];
                if a.terminal() {
                    return Ok(a.name.clone());
                }
                let c = a
                    .cert
                    .clone()
                    .expect("non-terminal anchors are certificates");
                if c.spki == cur.spki && c.subject_raw == cur.subject_raw {
                    continue;
                }
                dfs(sent, store, &c, None, used, depth + 1)
            }
            Step::Sent(j) => {
                used.push(j);
                let r = dfs(sent, store, &sent[j], Some(j), used, depth + 1);
                if r.is_err() {
                    used.retain(|&u| u != j);
                }
                r
            }
        };
        match r {
            Ok(root) => return Ok(root),
            Err(e) => {
                first_err.get_or_insert(e);
            }
        }
    }
    if let Some(e) = first_err {
        return Err(e);
    }
    if cur.self_signed {
        return Err(PathOutcome::UntrustedRoot {
            at: cur_at.unwrap_or(0),
            name: cur.subject.clone(),
        });
    }
    Err(missing())
}

/// Check the certificates one file sends (leaf first) against a trust store.
pub fn check(sent: &[Arc<Cert>], store: &TrustStore) -> Option<ChainReport> {
    let leaf = sent.first()?;
    let misordered = (0..sent.len().saturating_sub(1))
        .find(|&i| !(sent[i + 1].can_issue() && sent[i].issued_by(&sent[i + 1])))
        .map(|i| (i, i + 1));
    let mut used = vec![0];
    let path = match dfs(sent, store, leaf, Some(0), &mut used, 0) {
        Ok(root) => PathOutcome::Trusted { sent: used, root },
        Err(e) => e,
    };
    let roots_sent = (1..sent.len()).filter(|&i| sent[i].self_signed).collect();
    Some(ChainReport {
        misordered,
        path,
        roots_sent,
    })
}

/// A client CA file (`ssl_client_certificate`), checked for verifying clients.
#[derive(Debug, Clone, Default)]
pub struct CaReport {
    /// Certificates that may issue (X509_check_ca).
    pub cas: Vec<usize>,
    /// Certificates that may not.
    pub not_ca: Vec<usize>,
    /// CA certificates whose path to a self-signed root is not in the file:
    /// (index, the missing issuer's name).
    pub incomplete: Vec<(usize, String)>,
    /// The most intermediate CA certificates a client chain needs (OpenSSL's
    /// verify depth counts them; neither the client's certificate nor the
    /// root counts), and the CA that needs them.
    pub depth_needed: Option<(u32, usize)>,
}

/// Check the certificates of a client CA file (plus other trusted ones).
pub fn check_ca_file(certs: &[Arc<Cert>], extra: &[Arc<Cert>]) -> CaReport {
    let mut r = CaReport::default();
    let all: Vec<&Arc<Cert>> = certs.iter().chain(extra.iter()).collect();
    for (i, c) in certs.iter().enumerate() {
        if !c.can_issue() {
            r.not_ca.push(i);
            continue;
        }
        r.cas.push(i);
        // walk up within the file
        let mut cur: &Cert = c;
        let mut count = 0u32;
        let mut seen = 0;
        loop {
            if cur.self_signed {
                break;
            }
            count += 1;
            seen += 1;
            match all.iter().find(|p| p.can_issue() && cur.issued_by(p)) {
                Some(p) if seen < 32 => cur = p,
                _ => {
                    r.incomplete.push((i, cur.issuer.clone()));
                    break;
                }
            }
        }
        if r.depth_needed.map(|(d, _)| count > d).unwrap_or(true) {
            r.depth_needed = Some((count, i));
        }
    }
    r
}
