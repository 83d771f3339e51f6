//! Which suites a profile allows, for `tlslint ciphers --profile`: the
//! bundled Mozilla/TLSRef profiles of `crate::profile` (`modern` and
//! `intermediate` from the newest guideline, `old` from 5.8, which 6.0 dropped).

use super::table::CipherSuite;

/// The cipher lists of one profile.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProfileCiphers {
    /// `modern`, `intermediate` or `old`.
    pub name: String,
    /// The guideline version the lists come from (`6.0`).
    pub guideline: String,
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

/// The bundled profile `name` (`modern`, `intermediate`, `old`), if there is one.
pub fn mozilla_profile(name: &str) -> Option<ProfileCiphers> {
    let (p, _) = crate::profile::Profile::builtin(name, None).ok()?;
    Some(ProfileCiphers {
        name: p.name,
        guideline: p.guideline,
        openssl: p.ciphers.openssl,
        iana: p.ciphers.iana,
        ciphersuites: p.ciphersuites,
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
