//! Does a certificate cover a server name? RFC 6125 as browsers apply it:
//! DNS SANs only (the subject CN is ignored when the certificate has SANs,
//! and browsers ignore it altogether), `*` only as the whole left-most label
//! matching exactly one label, IP addresses only against IP SANs.

use std::net::IpAddr;

use super::facts::Cert;

/// How a configured server name is to be checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NameCheck {
    /// A host name (lower case, no trailing dot).
    Host(String),
    /// `*.example.com` in the configuration: needs a wildcard certificate.
    Wildcard(String),
    Ip(IpAddr),
    /// Regular expressions, `www.example.*`, `_`, empty, variables: not checkable.
    Skip,
}

/// The names to check for one nginx `server_name` / Apache ServerName or
/// ServerAlias word. `.example.com` stands for `example.com` and `*.example.com`.
pub fn expand(word: &str) -> Vec<NameCheck> {
    let w = word.trim().trim_end_matches('.').to_ascii_lowercase();
    if w.is_empty() || w == "_" || w.starts_with('~') || w.contains('$') || w.ends_with(".*") {
        return vec![NameCheck::Skip];
    }
    let w = w.trim_start_matches('[').trim_end_matches(']').to_string();
    if let Ok(ip) = w.parse::<IpAddr>() {
        return vec![NameCheck::Ip(ip)];
    }
    if let Some(rest) = w.strip_prefix('.') {
        return vec![
            NameCheck::Host(rest.to_string()),
            NameCheck::Wildcard(format!("*.{rest}")),
        ];
    }
    if w.starts_with("*.") {
        return vec![NameCheck::Wildcard(w)];
    }
    if w.contains('*') {
        return vec![NameCheck::Skip];
    }
    vec![NameCheck::Host(w)]
}

/// RFC 6125 §6.4.3: does the presented DNS identifier `pattern` match `host`?
pub fn dns_matches(pattern: &str, host: &str) -> bool {
    let p = pattern.trim_end_matches('.').to_ascii_lowercase();
    let h = host.trim_end_matches('.').to_ascii_lowercase();
    match p.strip_prefix("*.") {
        Some(suffix) => {
            // at least two labels after the wildcard (no `*.com`)
            if !suffix.contains('.') || suffix.contains('*') {
                return false;
            }
            match h.split_once('.') {
                Some((first, rest)) => !first.is_empty() && rest == suffix,
                None => false,
            }
        }
        None => !p.contains('*') && p == h,
    }
}

/// Whether the certificate covers the name.
pub fn covers(cert: &Cert, name: &NameCheck) -> bool {
    match name {
        NameCheck::Host(h) => cert.dns_names.iter().any(|p| dns_matches(p, h)),
        NameCheck::Wildcard(w) => cert
            .dns_names
            .iter()
            .any(|p| p.trim_end_matches('.').eq_ignore_ascii_case(w)),
        NameCheck::Ip(ip) => cert.ip_addrs.contains(ip),
        NameCheck::Skip => true,
    }
}

impl std::fmt::Display for NameCheck {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            NameCheck::Host(h) | NameCheck::Wildcard(h) => f.write_str(h),
            NameCheck::Ip(ip) => write!(f, "{ip}"),
            NameCheck::Skip => f.write_str("(not checked)"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rfc6125() {
        assert!(dns_matches("*.example.com", "www.example.com"));
        assert!(dns_matches("*.Example.com.", "WWW.example.com"));
        assert!(!dns_matches("*.example.com", "example.com"));
        assert!(!dns_matches("*.example.com", "a.b.example.com"));
        assert!(!dns_matches("*.com", "example.com"));
        assert!(!dns_matches("w*.example.com", "www.example.com"));
        assert!(dns_matches("example.com", "example.com."));
        assert_eq!(
            expand(".example.com"),
            vec![
                NameCheck::Host("example.com".into()),
                NameCheck::Wildcard("*.example.com".into())
            ]
        );
        assert_eq!(expand("~^www\\d+"), vec![NameCheck::Skip]);
        assert_eq!(expand("www.example.*"), vec![NameCheck::Skip]);
        assert_eq!(expand("_"), vec![NameCheck::Skip]);
        assert_eq!(
            expand("192.0.2.1"),
            vec![NameCheck::Ip("192.0.2.1".parse().unwrap())]
        );
        assert_eq!(
            expand("[2001:db8::1]"),
            vec![NameCheck::Ip("2001:db8::1".parse().unwrap())]
        );
    }
}
