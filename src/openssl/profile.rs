//! Which suites a Mozilla profile allows, for `tlslint ciphers --profile`.
//!
//! A stop-gap until the profile engine: the allowed lists come from the
//! verbatim Mozilla guideline files in `data/mozilla/` (MPL-2.0, see the
//! README there): `modern` and `intermediate` from 6.0, `old` from 5.8 (6.0
//! dropped it).

use super::table::CipherSuite;

const G58: &str = include_str!("data/mozilla/5.8.json");
const G60: &str = include_str!("data/mozilla/6.0.json");

/// The cipher lists of one profile.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProfileCiphers {
    /// `modern`, `intermediate` or `old`.
    pub name: String,
    /// The guideline version the lists come from (`6.0`).
    pub guideline: &'static str,
    /// TLS 1.2-and-below suites, OpenSSL names.
    pub openssl: Vec<String>,
    /// The same suites, IANA names.
    pub iana: Vec<String>,
    /// TLS 1.3 suites.
    pub ciphersuites: Vec<String>,
}

impl ProfileCiphers {
    /// Every name the profile allows (OpenSSL, IANA and TLS 1.3 names).
    pub fn allowed_names(&self) -> Vec<&str> {
        self.openssl
            .iter()
            .chain(&self.iana)
            .chain(&self.ciphersuites)
            .map(String::as_str)
            .collect()
    }
}

/// The Mozilla profile `name` (`modern`, `intermediate`, `old`), if there is one.
pub fn mozilla_profile(name: &str) -> Option<ProfileCiphers> {
    let (text, guideline) = match name {
        "modern" | "intermediate" => (G60, "6.0"),
        "old" => (G58, "5.8"),
        _ => return None,
    };
    let doc: serde_json::Value = serde_json::from_str(text).ok()?;
    let conf = doc.get("configurations")?.get(name)?;
    let strings = |v: Option<&serde_json::Value>| -> Vec<String> {
        v.and_then(|v| v.as_array())
            .map(|a| {
                a.iter()
                    .filter_map(|x| x.as_str().map(str::to_string))
                    .collect()
            })
            .unwrap_or_default()
    };
    let ciphers = conf.get("ciphers");
    Some(ProfileCiphers {
        name: name.to_string(),
        guideline,
        openssl: strings(ciphers.and_then(|c| c.get("openssl"))),
        iana: strings(ciphers.and_then(|c| c.get("iana"))),
        ciphersuites: strings(conf.get("ciphersuites")),
    })
}

/// Whether a suite is in an allowed list given by OpenSSL or IANA names.
pub fn allows<S: AsRef<str>>(allowed: &[S], suite: &CipherSuite) -> bool {
    allowed
        .iter()
        .any(|a| a.as_ref() == suite.openssl_name || a.as_ref() == suite.iana_name)
}

/// For each suite, whether the allowed list leaves it out.
pub fn disallowed<S: AsRef<str>>(allowed: &[S], suites: &[&CipherSuite]) -> Vec<bool> {
    suites.iter().map(|s| !allows(allowed, s)).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn profiles_load() {
        let m = mozilla_profile("modern").unwrap();
        assert!(m.openssl.is_empty());
        assert_eq!(m.ciphersuites.len(), 3);
        let i = mozilla_profile("intermediate").unwrap();
        assert!(i
            .openssl
            .contains(&"ECDHE-RSA-AES128-GCM-SHA256".to_string()));
        assert!(mozilla_profile("old").unwrap().openssl.len() > i.openssl.len());
        assert!(mozilla_profile("nope").is_none());
    }
}
