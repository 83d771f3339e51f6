//! TLS203 cipher-string-unknown-word: a word OpenSSL does not know (a typo
//! OpenSSL silently ignores). TLS 1.3 suite names in the cipher list
//! (`ssl_ciphers`, `SSLCipherSuite`) are reported once per directive: the
//! list (`SSL_CTX_set_cipher_list`) sets only TLS 1.2-and-older suites and
//! ignores them; TLS 1.3 suites are set with `Ciphersuites`.

use crate::finding::{Finding, Severity};
use crate::model::{Endpoint, ServerKind};
use crate::rules::cipher_facts::{directive, expansion, quoted, short_list};

/// Unknown words reported one finding each; the others share one finding.
const MAX_WORD_FINDINGS: usize = 20;
use crate::rules::{finding, Context, Rule, RuleMeta};

pub struct Tls203;

static META: RuleMeta = RuleMeta {
    code: "TLS203",
    name: "cipher-string-unknown-word",
    summary: "a word OpenSSL does not know (a typo OpenSSL silently ignores)",
    severity: Severity::Warning,
};

/// Known words close to a typo (edit distance ≤ 2, case-insensitive), never
/// the word itself, nor a TLS 1.3 suite (the cipher list ignores those).
fn suggest(word: &str) -> Option<&'static str> {
    let w = word.to_ascii_uppercase();
    let mut best: Option<(usize, &'static str)> = None;
    let names = crate::openssl::all_suites()
        .iter()
        .filter(|s| !s.is_tls13())
        .map(|s| s.openssl_name)
        .chain(KEYWORDS.iter().copied())
        .filter(|n| *n != word);
    for n in names {
        let d = crate::suggest::distance(&w, n);
        if d <= 2 && best.is_none_or(|(b, _)| d < b) {
            best = Some((d, n));
        }
    }
    best.map(|(_, n)| n)
}

const KEYWORDS: &[&str] = &[
    "DEFAULT",
    "COMPLEMENTOFDEFAULT",
    "ALL",
    "COMPLEMENTOFALL",
    "HIGH",
    "MEDIUM",
    "LOW",
    "aNULL",
    "eNULL",
    "NULL",
    "kRSA",
    "aRSA",
    "RSA",
    "kEECDH",
    "kECDHE",
    "EECDH",
    "ECDHE",
    "ECDH",
    "kEDH",
    "kDHE",
    "EDH",
    "DHE",
    "DH",
    "aECDSA",
    "ECDSA",
    "AES",
    "AES128",
    "AES256",
    "AESGCM",
    "AESCCM",
    "AESCCM8",
    "CHACHA20",
    "CAMELLIA",
    "ARIA",
    "3DES",
    "SHA1",
    "SHA",
    "SHA256",
    "SHA384",
    "MD5",
    "PSK",
    "SRP",
    "TLSv1.2",
    "TLSv1.0",
    "TLSv1",
    "SSLv3",
    "SUITEB128",
    "SUITEB192",
    "FIPS",
];

/// The TLS 1.3 suite a word names (case-insensitive: what was meant).
fn tls13_suite(word: &str) -> Option<&'static str> {
    crate::openssl::all_suites()
        .iter()
        .find(|s| s.is_tls13() && s.openssl_name.eq_ignore_ascii_case(word))
        .map(|s| s.openssl_name)
}

/// One finding for the TLS 1.3 suite names of a cipher list.
fn tls13_finding(ep: &Endpoint, names: &[&str]) -> Finding {
    let dir = directive(ep, "ssl_ciphers", "SSLCipherSuite");
    let list = names.join(":");
    let shown = names
        .iter()
        .map(|n| format!("`{n}`"))
        .collect::<Vec<_>>()
        .join(", ");
    let (are, them) = if names.len() == 1 {
        ("is a TLS 1.3 suite", "it")
    } else {
        ("are TLS 1.3 suites", "them")
    };
    let fix = match ep.server {
        ServerKind::Nginx => format!("`ssl_conf_command Ciphersuites {list};` (nginx ≥ 1.19.4)"),
        ServerKind::Apache => format!("`SSLCipherSuite TLSv1.3 {list}`"),
    };
    finding(
        &META,
        ep.ciphers.source.span(),
        format!(
            "{shown} in `{dir}` {are}: {dir} sets only the TLS 1.2 and older suites, and OpenSSL ignores {them} there"
        ),
        format!("TLS 1.3 suite name(s) in {dir}"),
        Some(format!(
            "remove {them} from {dir}; TLS 1.3 suites are chosen with {fix} (without it, OpenSSL's default TLS 1.3 suites apply)"
        )),
        ep,
    )
}

impl Rule for Tls203 {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, cx: &Context<'_>, ep: &Endpoint, out: &mut Vec<Finding>) {
        // an empty result is TLS202's; there the unknown words are named too
        let Ok(exp) = expansion(cx, ep) else { return };
        let tls13: Vec<&'static str> = exp
            .unknown_words
            .iter()
            .filter_map(|w| tls13_suite(w))
            .fold(Vec::new(), |mut v, n| {
                if !v.contains(&n) {
                    v.push(n);
                }
                v
            });
        if !tls13.is_empty() {
            out.push(tls13_finding(ep, &tls13));
        }
        let words: Vec<&String> = exp
            .unknown_words
            .iter()
            .filter(|w| tls13_suite(w).is_none())
            .collect();
        let (each, rest) = words.split_at(words.len().min(MAX_WORD_FINDINGS));
        for w in each {
            let help = match suggest(w) {
                Some(s) => format!("did you mean `{s}`? OpenSSL ignores words it does not know"),
                None => "remove it: OpenSSL ignores words it does not know".to_string(),
            };
            out.push(finding(
                &META,
                ep.ciphers.source.span(),
                format!(
                    "`{w}` in `{}` is not a word OpenSSL {} knows: it selects nothing, silently",
                    quoted(&ep.ciphers.value),
                    cx.target.openssl
                ),
                format!("unknown word `{w}`"),
                Some(help),
                ep,
            ));
        }
        if !rest.is_empty() {
            // one finding for the others, not one each (150,000 words)
            let names: Vec<&str> = rest.iter().map(|w| w.as_str()).collect();
            out.push(finding(
                &META,
                ep.ciphers.source.span(),
                format!(
                    "{} more words in `{}` are not words OpenSSL {} knows (findings name the first {MAX_WORD_FINDINGS} one by one): {}",
                    rest.len(),
                    quoted(&ep.ciphers.value),
                    cx.target.openssl,
                    short_list(&names, 10)
                ),
                format!("{} more unknown words", rest.len()),
                Some("remove them: OpenSSL ignores words it does not know".to_string()),
                ep,
            ));
        }
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn suggestions() {
        assert_eq!(
            super::suggest("ECDHE-RSA-AES128-GCM-SHA265"),
            Some("ECDHE-RSA-AES128-GCM-SHA256")
        );
        assert_eq!(super::suggest("HGIH"), Some("HIGH"));
        // never the word itself, never a TLS 1.3 suite (ignored in a cipher list)
        assert_eq!(super::suggest("TLS_AES_128_GCM_SHA256"), None);
        assert_eq!(
            super::tls13_suite("tls_aes_128_gcm_sha256"),
            Some("TLS_AES_128_GCM_SHA256")
        );
        assert_eq!(super::tls13_suite("ECDHE-RSA-AES128-GCM-SHA256"), None);
    }
}
