//! Shared by the certificate, key and client-certificate rules (TLS3xx,
//! TLS4xx): directive names per server, how a configured file is named in
//! messages, and the pairs whose files could be read.

use std::sync::Arc;

use crate::certs::{Cert, Located};
use crate::finding::{Finding, Severity};
use crate::model::{CertPair, Endpoint, ServerKind, Setting};
use crate::rules::{finding, Context, RuleMeta};

/// The directive that names a pair's part, per server.
pub fn cert_directive(ep: &Endpoint) -> &'static str {
    match ep.server {
        ServerKind::Nginx => "ssl_certificate",
        ServerKind::Apache => "SSLCertificateFile",
    }
}

pub fn key_directive(ep: &Endpoint) -> &'static str {
    match ep.server {
        ServerKind::Nginx => "ssl_certificate_key",
        ServerKind::Apache => "SSLCertificateKeyFile",
    }
}

pub fn server_name(ep: &Endpoint) -> &'static str {
    match ep.server {
        ServerKind::Nginx => "nginx",
        ServerKind::Apache => "Apache",
    }
}

/// A configured value as messages name it: the value as written, or
/// `data:` for inline PEM (never its contents).
pub fn shown(value: &str) -> String {
    if value.starts_with("data:") {
        "(inline data: value)".into()
    } else {
        value.to_string()
    }
}

/// `cert.pem` or `cert.pem (read from /srv/x/cert.pem)` when the path read differs.
pub fn shown_at(value: &str, loc: &Located) -> String {
    let read = loc.shown();
    if read.is_empty() || read == value || value.starts_with("data:") {
        shown(value)
    } else {
        format!("{value} (read as {read})")
    }
}

/// The pairs of an endpoint with a readable leaf certificate, with the
/// certificates they send (none for a server that rejects handshakes).
pub fn readable_pairs<'a>(
    cx: &Context<'a>,
    ep: &'a Endpoint,
) -> Vec<(&'a CertPair, Vec<Arc<Cert>>)> {
    // a catch-all that rejects handshakes never shows its certificate
    if ep.reject_handshake.value {
        return Vec::new();
    }
    ep.certificates
        .iter()
        .filter_map(|p| {
            let sent = cx.files.sent(p);
            if sent.is_empty() {
                None
            } else {
                Some((p, sent))
            }
        })
        .collect()
}

/// "certificate 2 (CN=R3)" / "the certificate (CN=a.example)".
pub fn nth(i: usize, c: &Cert) -> String {
    if i == 0 {
        format!("the certificate {}", c.short_name())
    } else {
        format!("certificate {} ({})", i + 1, c.short_name())
    }
}

/// A finding at a setting, with the endpoint as a related location when
/// the setting is inherited.
pub fn at_setting<T>(
    meta: &'static RuleMeta,
    s: &Setting<T>,
    message: String,
    label: String,
    help: Option<String>,
    ep: &Endpoint,
) -> Finding {
    let mut f = finding(meta, s.source.span(), message, label, help, ep);
    crate::rules::related_endpoint(&mut f, ep, &s.source);
    f
}

/// The same finding at another severity (a "not checkable" note).
pub fn with_severity(mut f: Finding, s: Severity) -> Finding {
    f.severity = s;
    f
}

/// Verification of client certificates is on (`on`/`optional`; Apache
/// `require`/`optional`): the CA file decides.
pub fn verifies_clients(ep: &Endpoint) -> bool {
    matches!(
        ep.verify_client.value.to_ascii_lowercase().as_str(),
        "on" | "optional" | "require"
    )
}

/// The date of a Unix time, with how far it is from the clock.
pub fn when(t: i64, now: i64) -> String {
    format!(
        "{} ({})",
        crate::certs::time::date(t),
        crate::certs::time::relative_days(t, now)
    )
}

/// The setting that writes the `i`-th certificate a pair sends: the
/// certificate file, or (Apache) SSLCertificateChainFile for all but the first.
pub fn sent_setting(pair: &CertPair, i: usize) -> &Setting<String> {
    match &pair.chain {
        Some(c) if i > 0 => c,
        _ => &pair.certificate,
    }
}

/// The files a pair's certificates are sent from: `cert.pem`, or (Apache)
/// `cert.pem and SSLCertificateChainFile chain.pem`.
pub fn sent_from(pair: &CertPair) -> String {
    match &pair.chain {
        Some(c) if c.value != pair.certificate.value => format!(
            "{} and SSLCertificateChainFile {}",
            shown(&pair.certificate.value),
            shown(&c.value)
        ),
        _ => shown(&pair.certificate.value),
    }
}

/// Where the `i`-th certificate sent is written, for messages: `in cert.pem`,
/// or (Apache) `in SSLCertificateChainFile chain.pem`.
pub fn sent_in(pair: &CertPair, i: usize) -> String {
    match &pair.chain {
        Some(c) if i > 0 => format!("in SSLCertificateChainFile {}", shown(&c.value)),
        _ => format!("in {}", shown(&pair.certificate.value)),
    }
}

/// A note when SSLCertificateChainFile makes httpd ignore the certificates
/// after the first in SSLCertificateFile (empty otherwise).
pub fn ignored_note(cx: &Context<'_>, pair: &CertPair) -> String {
    let n = cx.files.ignored_in_certificate_file(pair);
    if n == 0 {
        return String::new();
    }
    format!(
        " ({n} more certificate(s) in {} are not sent: with SSLCertificateChainFile set, httpd reads only the first certificate of SSLCertificateFile)",
        shown(&pair.certificate.value)
    )
}

/// The client verification mode as the server's directive spells it
/// (Apache: `require` / `none` for the model's `on` / `off`).
pub fn verify_client_shown(ep: &Endpoint) -> String {
    let v = &ep.verify_client.value;
    match (ep.server, v.as_str()) {
        (ServerKind::Apache, "on") => "require".into(),
        (ServerKind::Apache, "off") => "none".into(),
        _ => v.clone(),
    }
}

/// `SSLCACertificateFile x` and/or `SSLCACertificatePath y`, for messages.
pub fn ca_store(ep: &Endpoint) -> String {
    let file = ep
        .client_certificate
        .value
        .as_ref()
        .map(|v| format!("SSLCACertificateFile {}", shown(v)));
    let dir = ep
        .apache
        .as_ref()
        .and_then(|a| a.ca_path.value.as_ref())
        .map(|v| format!("SSLCACertificatePath {v}"));
    [file, dir]
        .into_iter()
        .flatten()
        .collect::<Vec<_>>()
        .join(" and ")
}
