//! `tlslint ciphers 'STRING'`: expand a cipher string like `openssl ciphers`.

use std::io::Write;

use super::profile::{allows, mozilla_profile};
use super::{expand, CipherSuite};
use crate::version::Version;

/// Exit codes as in `crate::commands`.
const EXIT_OK: i32 = 0;
const EXIT_ERROR: i32 = 2;

/// Print the suites `string` selects, one OpenSSL name per line (TLS 1.2 and
/// below, in OpenSSL's order); `verbose` prints a table instead; `profile`
/// marks the suites a Mozilla profile does not allow.
pub fn run(
    string: &str,
    verbose: bool,
    profile: Option<&str>,
    openssl_version: &str,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> i32 {
    let v: Version = match openssl_version.parse() {
        Ok(v) => v,
        Err(e) => {
            let _ = writeln!(err, "error: --openssl-version: {e}");
            return EXIT_ERROR;
        }
    };
    let prof = match profile {
        None => None,
        Some(name) => match mozilla_profile(name) {
            Some(p) => Some(p),
            None => {
                let _ = writeln!(
                    err,
                    "error: --profile: unknown profile \"{name}\" (expected modern, intermediate or old)"
                );
                return EXIT_ERROR;
            }
        },
    };
    let result = expand(string, &v);
    let (unknown, unavailable) = match &result {
        Ok(e) => (&e.unknown_words, &e.unavailable_words),
        Err(e) => (&e.unknown_words, &e.unavailable_words),
    };
    for w in unknown {
        let _ = writeln!(
            err,
            "warning: OpenSSL {openssl_version} does not know \"{w}\" and ignores it"
        );
    }
    for w in unavailable {
        let _ = writeln!(
            err,
            "warning: \"{w}\" selects nothing in OpenSSL {openssl_version} (the suites are not in its default build)"
        );
    }
    let e = match result {
        Ok(e) => e,
        Err(e) => {
            let _ = writeln!(
                err,
                "error: OpenSSL {openssl_version} rejects the cipher string: {}",
                e.reason
            );
            return EXIT_ERROR;
        }
    };
    let allowed = prof.as_ref().map(|p| p.allowed_names());
    let marked = |s: &CipherSuite| allowed.as_ref().is_some_and(|a| !allows(a, s));
    let label = prof
        .as_ref()
        .map(|p| format!("not in {} ({})", p.name, p.guideline))
        .unwrap_or_default();
    if verbose {
        let header = ["Name", "IANA name", "Protocol", "Kx", "Au", "Enc", "Mac"];
        let rows: Vec<[&str; 7]> = e
            .suites
            .iter()
            .map(|s| {
                [
                    s.openssl_name,
                    s.iana_name,
                    s.min_protocol.openssl_name(),
                    s.kx,
                    s.au,
                    s.enc,
                    s.mac,
                ]
            })
            .collect();
        let mut w = header.map(str::len);
        for r in &rows {
            for (i, c) in r.iter().enumerate() {
                w[i] = w[i].max(c.len());
            }
        }
        let line = |cells: &[&str; 7], mark: &str| {
            let mut s = String::new();
            for (i, c) in cells.iter().enumerate() {
                s.push_str(&format!("{c:<width$}  ", width = w[i]));
            }
            s.push_str(mark);
            s.trim_end().to_string()
        };
        let _ = writeln!(
            out,
            "{}",
            line(&header, if prof.is_some() { "Profile" } else { "" })
        );
        for (s, r) in e.suites.iter().zip(&rows) {
            let mark = if marked(s) { label.as_str() } else { "" };
            let _ = writeln!(out, "{}", line(r, mark));
        }
    } else {
        for s in &e.suites {
            if marked(s) {
                let _ = writeln!(out, "{}  # {label}", s.openssl_name);
            } else {
                let _ = writeln!(out, "{}", s.openssl_name);
            }
        }
    }
    EXIT_OK
}
