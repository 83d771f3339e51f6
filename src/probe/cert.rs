//! The certificates a server sent, as facts for the report: the x509 facts
//! of `crate::certs` (subject, issuer, SHA-256, expiry, key) and the path to
//! a trusted root (`crate::certs::chain`, Mozilla's roots by default).

use std::sync::Arc;

use serde::Serialize;

use crate::certs::chain::{self, PathOutcome, TrustStore};
use crate::certs::{time, Cert};

/// One certificate as served.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CertInfo {
    /// `AB:CD:...` over the DER.
    pub sha256: String,
    pub subject: String,
    pub issuer: String,
    /// RFC 3339.
    pub not_before: String,
    pub not_after: String,
    /// `RSA 2048`, `ECDSA prime256v1` ...
    pub key: String,
    /// `RSA`, `ECDSA`, `Ed25519`, `Ed448`, `DSA` (empty when unreadable).
    pub key_type: String,
    pub signature_algorithm: String,
    pub dns_names: Vec<String>,
    /// Set when the DER could not be read as a certificate.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

/// A chain as served, with its trust path.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ChainInfo {
    /// The SNI sent (None: none).
    pub sni: Option<String>,
    pub certificates: Vec<CertInfo>,
    /// `trusted (root: ...)`, `missing issuer ...`, `untrusted root ...`.
    pub trust: String,
    /// The certificates that follow do not each issue the one before.
    pub misordered: bool,
}

fn info(der: &[u8]) -> (CertInfo, Option<Arc<Cert>>) {
    match Cert::from_der(der) {
        Ok(c) => (
            CertInfo {
                sha256: c.sha256.clone(),
                subject: c.subject.clone(),
                issuer: c.issuer.clone(),
                not_before: time::rfc3339(c.not_before),
                not_after: time::rfc3339(c.not_after),
                key: c.key_description(),
                key_type: c.key_kind.label().to_string(),
                signature_algorithm: c.signature_algorithm.clone(),
                dns_names: c.dns_names.clone(),
                error: None,
            },
            Some(Arc::new(c)),
        ),
        Err(e) => (
            CertInfo {
                sha256: crate::certs::facts::fingerprint(der),
                subject: String::new(),
                issuer: String::new(),
                not_before: String::new(),
                not_after: String::new(),
                key: String::new(),
                key_type: String::new(),
                signature_algorithm: String::new(),
                dns_names: Vec::new(),
                error: Some(e),
            },
            None,
        ),
    }
}

/// The chain served for one key type of the leaf.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct KeyedChain {
    /// The leaf's key: `RSA`, `ECDSA`, `Ed25519` ...
    pub key_type: String,
    /// The signature algorithms offered that got it: `any` (every one
    /// rustls verifies: the main chain), `RSA`, `ECDSA`, `Ed25519`.
    pub asked: Vec<String>,
    pub chain: ChainInfo,
}

/// The distinct chains of the handshakes that offered one family of
/// signature algorithms each (`keyed`: family, handshake), with the main
/// chain (`any`), by the leaf's key type; the families that got no
/// certificate, and why; notes (two chains of one key type).
pub fn by_key_type(
    sni: Option<&str>,
    main: Option<&ChainInfo>,
    keyed: &[(&'static str, super::modern::Full)],
    store: &TrustStore,
) -> (
    Vec<KeyedChain>,
    std::collections::BTreeMap<String, String>,
    Vec<String>,
) {
    let mut out: Vec<KeyedChain> = Vec::new();
    let mut not_served = std::collections::BTreeMap::new();
    let mut notes = Vec::new();
    let mut candidates: Vec<(&str, ChainInfo)> = Vec::new();
    if let Some(m) = main {
        candidates.push(("any", m.clone()));
    }
    for (family, f) in keyed {
        if f.chain.is_empty() {
            not_served.insert(
                family.to_string(),
                f.error
                    .clone()
                    .unwrap_or_else(|| "no certificate received".into()),
            );
            continue;
        }
        candidates.push((family, chain_info(sni, &f.chain, store)));
    }
    for (asked, info) in candidates {
        let Some(kt) = info
            .certificates
            .first()
            .map(|c| c.key_type.clone())
            .filter(|k| !k.is_empty())
        else {
            continue;
        };
        match out.iter_mut().find(|k| k.key_type == kt) {
            Some(k) if k.chain.certificates == info.certificates => k.asked.push(asked.into()),
            Some(k) => {
                notes.push(format!(
                    "two different {kt} chains: offering {} signature algorithms got {}, offering {asked} got {}",
                    k.asked.join("/"),
                    k.chain.certificates[0].sha256,
                    info.certificates[0].sha256
                ));
                k.asked.push(asked.into());
            }
            None => out.push(KeyedChain {
                key_type: kt,
                asked: vec![asked.into()],
                chain: info,
            }),
        }
    }
    let rank = |k: &str| {
        ["RSA", "ECDSA", "Ed25519", "Ed448", "DSA"]
            .iter()
            .position(|x| *x == k)
            .unwrap_or(9)
    };
    out.sort_by_key(|k| rank(&k.key_type));
    (out, not_served, notes)
}

/// Facts and trust path of the certificates sent (leaf first).
pub fn chain_info(sni: Option<&str>, ders: &[Vec<u8>], store: &TrustStore) -> ChainInfo {
    let mut certs = Vec::new();
    let mut parsed = Vec::new();
    for d in ders {
        let (i, c) = info(d);
        certs.push(i);
        if let Some(c) = c {
            parsed.push(c);
        }
    }
    let (trust, misordered) = if parsed.len() != ders.len() {
        ("unreadable certificate".to_string(), false)
    } else {
        match chain::check(&parsed, store) {
            None => ("no certificate".to_string(), false),
            Some(r) => {
                let t = match r.path {
                    PathOutcome::Trusted { root, .. } => format!("trusted (root: {root})"),
                    PathOutcome::MissingIssuer {
                        subject, issuer, ..
                    } => {
                        format!("untrusted: the issuer of {subject} ({issuer}) is neither sent nor trusted")
                    }
                    PathOutcome::UntrustedRoot { name, .. } => {
                        format!("untrusted: the chain ends at {name}, which is not trusted")
                    }
                    PathOutcome::SearchLimit { limit } => {
                        format!("not decided: the path search stopped at tlslint's limit of {limit} steps")
                    }
                };
                (t, r.misordered.is_some())
            }
        }
    };
    ChainInfo {
        sni: sni.map(str::to_string),
        certificates: certs,
        trust,
        misordered,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn garbage_certificate_is_reported_not_fatal() {
        let c = chain_info(
            Some("x"),
            &[vec![0x30, 0x03, 0x02, 0x01]],
            &TrustStore::mozilla(),
        );
        assert_eq!(c.certificates.len(), 1);
        assert!(c.certificates[0].error.is_some());
        assert_eq!(c.trust, "unreadable certificate");
        let c = chain_info(None, &[], &TrustStore::mozilla());
        assert_eq!(c.trust, "no certificate");
    }
}
