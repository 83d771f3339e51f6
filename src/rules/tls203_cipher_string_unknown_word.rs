//! TLS203 cipher-string-unknown-word: a word OpenSSL does not know (a typo
//! OpenSSL silently ignores).

use crate::finding::{Finding, Severity};
use crate::model::Endpoint;
use crate::rules::cipher_facts::expansion;
use crate::rules::{finding, Context, Rule, RuleMeta};

pub struct Tls203;

static META: RuleMeta = RuleMeta {
    code: "TLS203",
    name: "cipher-string-unknown-word",
    summary: "a word OpenSSL does not know (a typo OpenSSL silently ignores)",
    severity: Severity::Warning,
};

/// Known words close to a typo (edit distance ≤ 2, case-insensitive).
fn suggest(word: &str) -> Option<&'static str> {
    let w = word.to_ascii_uppercase();
    let mut best: Option<(usize, &'static str)> = None;
    let names = crate::openssl::all_suites()
        .iter()
        .map(|s| s.openssl_name)
        .chain(KEYWORDS.iter().copied());
    for n in names {
        let d = distance(&w, &n.to_ascii_uppercase());
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

fn distance(a: &str, b: &str) -> usize {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for i in 1..=a.len() {
        let mut cur = vec![i; b.len() + 1];
        for j in 1..=b.len() {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            cur[j] = (prev[j] + 1).min(cur[j - 1] + 1).min(prev[j - 1] + cost);
        }
        prev = cur;
    }
    prev[b.len()]
}

impl Rule for Tls203 {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, cx: &Context<'_>, ep: &Endpoint, out: &mut Vec<Finding>) {
        // an empty result is TLS202's; there the unknown words are named too
        let Ok(exp) = expansion(cx, ep) else { return };
        for w in &exp.unknown_words {
            let help = match suggest(w) {
                Some(s) => format!("did you mean `{s}`? OpenSSL ignores words it does not know"),
                None => "remove it: OpenSSL ignores words it does not know".to_string(),
            };
            out.push(finding(
                &META,
                ep.ciphers.source.span(),
                format!(
                    "`{w}` in `{}` is not a word OpenSSL {} knows: it selects nothing, silently",
                    ep.ciphers.value, cx.target.openssl
                ),
                format!("unknown word `{w}`"),
                Some(help),
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
    }
}
