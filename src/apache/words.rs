//! mod_ssl directives whose words override each other (httpd 2.4
//! `modules/ssl/ssl_engine_config.c`).
//!
//! - `SSLProtocol` / `SSLProxyProtocol` (`ssl_cmd_protocol_parse`): the set
//!   starts empty; `+word` adds, `-word` removes, and a word without a prefix
//!   *replaces* the set. When the set it replaces is not empty httpd logs, at
//!   startup, AH02532 "SSLProtocol: Protocol 'TLSv1.2' overrides already set
//!   parameter(s). Check if a +/- prefix is missing." — so
//!   `SSLProtocol TLSv1 TLSv1.1 TLSv1.2` is TLS 1.2 only (checked with
//!   apache2 2.4.71: `SSLProtocol TLSv1.2 TLSv1.3` logs AH02532 for
//!   'TLSv1.3' and `openssl s_client -tls1_2` gets a protocol_version alert).
//! - `SSLOptions` (`ssl_cmd_SSLOptions`): every word without a prefix
//!   replaces the options, also those the same line set before it; httpd
//!   says nothing. `SSLOptions StdEnvVars StrictRequire` is StrictRequire only.
//!
//! Words httpd refuses (an unknown protocol, `SSLv2`) stop it; they are
//! reported as refused values, not here.

use crate::nginx::resolve::canonical_protocol;

/// The words of an `SSLProtocol`-like line that replace a set that was not
/// empty, in order (each one is an AH02532 warning). `all` is the versions
/// `all` stands for; `no_sslv3`: OpenSSL is built without SSLv3 (then
/// `-SSLv3` is skipped). Empty when httpd refuses a word.
pub fn protocol_overrides(words: &[String], all: &[&str], no_sslv3: bool) -> Vec<String> {
    let mut set: Vec<&str> = Vec::new();
    let mut out = Vec::new();
    for w in words {
        let (action, name) = match w.chars().next() {
            Some(c @ ('+' | '-')) => (Some(c), &w[1..]),
            _ => (None, w.as_str()),
        };
        let this: Vec<&str> = if name.eq_ignore_ascii_case("all") {
            all.to_vec()
        } else if name.eq_ignore_ascii_case("SSLv2")
            || (no_sslv3 && name.eq_ignore_ascii_case("SSLv3"))
        {
            if action == Some('-') {
                continue;
            }
            return Vec::new();
        } else {
            match canonical_protocol(name) {
                Some(p) => vec![p],
                None => return Vec::new(),
            }
        };
        if apply(&mut set, action, this) {
            out.push(name.to_string());
        }
    }
    out
}

/// One `SSLProtocol` word on the set: `-` removes, `+` adds, no prefix
/// replaces. True when it replaced a set that was not empty (AH02532).
pub fn apply<'a>(set: &mut Vec<&'a str>, action: Option<char>, this: Vec<&'a str>) -> bool {
    match action {
        Some('-') => set.retain(|p| !this.contains(p)),
        Some(_) => {
            for p in this {
                if !set.contains(&p) {
                    set.push(p);
                }
            }
        }
        None => {
            let replaced = !set.is_empty();
            *set = this;
            return replaced;
        }
    }
    false
}

/// The `SSLOptions` names mod_ssl knows.
const OPTIONS: [&str; 7] = [
    "StdEnvVars",
    "ExportCertData",
    "ExportBase64CertData",
    "FakeBasicAuth",
    "StrictRequire",
    "OptRenegotiate",
    "LegacyDNStringFormat",
];

/// An `SSLOptions` line where a word without a prefix replaces what the
/// words before it set: (the words lost, the words that stay as written).
/// None when nothing is lost or httpd refuses a word.
pub fn options_overrides(words: &[String]) -> Option<(Vec<String>, Vec<String>)> {
    if words.iter().any(|w| {
        let n = w.trim_start_matches(['+', '-']);
        !OPTIONS.iter().any(|o| o.eq_ignore_ascii_case(n))
    }) {
        return None;
    }
    let last_bare = words.iter().rposition(|w| !w.starts_with(['+', '-']))?;
    if last_bare == 0 {
        return None;
    }
    Some((words[..last_bare].to_vec(), words[last_bare..].to_vec()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn w(s: &str) -> Vec<String> {
        s.split_whitespace().map(String::from).collect()
    }

    const ALL: [&str; 4] = ["TLSv1", "TLSv1.1", "TLSv1.2", "TLSv1.3"];

    #[test]
    fn protocol_words() {
        assert_eq!(
            protocol_overrides(&w("TLSv1 TLSv1.1 TLSv1.2"), &ALL, true),
            ["TLSv1.1", "TLSv1.2"]
        );
        assert_eq!(
            protocol_overrides(&w("TLSv1.2 TLSv1.3"), &ALL, true),
            ["TLSv1.3"]
        );
        assert_eq!(
            protocol_overrides(&w("all -SSLv3 TLSv1.2"), &ALL, true),
            ["TLSv1.2"]
        );
        // nothing set before the bare word: no warning
        assert!(protocol_overrides(&w("-all TLSv1.2"), &ALL, true).is_empty());
        assert!(protocol_overrides(&w("-SSLv3 TLSv1.2"), &ALL, true).is_empty());
        assert!(protocol_overrides(&w("-all +TLSv1.2 +TLSv1.3"), &ALL, true).is_empty());
        assert!(protocol_overrides(&w("all -TLSv1 -TLSv1.1"), &ALL, true).is_empty());
        // refused: httpd stops, reported elsewhere
        assert!(protocol_overrides(&w("TLSv1.2 TLSv1.4"), &ALL, true).is_empty());
        assert!(protocol_overrides(&w("TLSv1.2 SSLv3"), &ALL, true).is_empty());
    }

    #[test]
    fn option_words() {
        assert_eq!(
            options_overrides(&w("StdEnvVars StrictRequire")),
            Some((w("StdEnvVars"), w("StrictRequire")))
        );
        assert_eq!(
            options_overrides(&w("+StdEnvVars ExportCertData +StrictRequire")),
            Some((w("+StdEnvVars"), w("ExportCertData +StrictRequire")))
        );
        assert_eq!(options_overrides(&w("StdEnvVars +StrictRequire")), None);
        assert_eq!(options_overrides(&w("+StdEnvVars +StrictRequire")), None);
        assert_eq!(options_overrides(&w("StdEnvVars Bogus")), None);
    }
}
