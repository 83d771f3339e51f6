//! The human form of a [`ProbeReport`].

use std::fmt::Write;

use super::cert::ChainInfo;
use super::ProbeReport;

fn yes(b: bool) -> &'static str {
    if b {
        "yes"
    } else {
        "no"
    }
}

fn chain(s: &mut String, title: &str, c: &Option<ChainInfo>, same_as: Option<&ChainInfo>) {
    match c {
        None => {
            let _ = writeln!(s, "{title}: not obtained");
        }
        Some(c) if same_as.is_some_and(|o| o.certificates == c.certificates) => {
            let _ = writeln!(s, "{title}: the same chain");
        }
        Some(c) => {
            let _ = writeln!(s, "{title}: {}", c.trust);
            if c.misordered {
                let _ = writeln!(
                    s,
                    "  (misordered: a certificate does not issue the one before it)"
                );
            }
            for (i, cert) in c.certificates.iter().enumerate() {
                if let Some(e) = &cert.error {
                    let _ = writeln!(s, "  {i}  unreadable: {e}  sha256 {}", cert.sha256);
                    continue;
                }
                let _ = writeln!(s, "  {i}  {}", cert.subject);
                let _ = writeln!(s, "     issuer     {}", cert.issuer);
                let _ = writeln!(
                    s,
                    "     key        {}, {}",
                    cert.key, cert.signature_algorithm
                );
                let _ = writeln!(
                    s,
                    "     valid      {} .. {}",
                    cert.not_before, cert.not_after
                );
                if !cert.dns_names.is_empty() {
                    let _ = writeln!(s, "     names      {}", cert.dns_names.join(", "));
                }
                let _ = writeln!(s, "     sha256     {}", cert.sha256);
            }
        }
    }
}

/// The title of the chain served for a key type other than the main one's.
pub fn keyed_title(r: &ProbeReport, key_type: &str) -> String {
    match &r.sni {
        Some(n) => format!("Certificate chain (SNI {n}, {key_type} key)"),
        None => format!("Certificate chain (no SNI, {key_type} key)"),
    }
}

/// The chains by key type: which one each family of signature algorithms
/// got, and the chains not shown above.
fn key_types(s: &mut String, r: &ProbeReport) {
    let c = &r.certificate_chain;
    if c.by_key_type.is_empty() && c.not_served.is_empty() {
        return;
    }
    let main = c.main(r.sni.is_some());
    let mut parts: Vec<String> = c
        .by_key_type
        .iter()
        .map(|k| {
            let same = main.is_some_and(|m| m.certificates == k.chain.certificates);
            format!(
                "{} ({}; asked with {})",
                k.key_type,
                if same { "the chain above" } else { "below" },
                k.asked.join(", ")
            )
        })
        .collect();
    for (family, why) in &c.not_served {
        parts.push(format!("{family} none (asked with {family} only: {why})"));
    }
    let _ = writeln!(s);
    let _ = writeln!(s, "Key types served:  {}", parts.join("; "));
    for k in &c.by_key_type {
        if main.is_some_and(|m| m.certificates == k.chain.certificates) {
            continue;
        }
        chain(
            s,
            &keyed_title(r, &k.key_type),
            &Some(k.chain.clone()),
            None,
        );
    }
}

/// A readable report.
pub fn render(r: &ProbeReport) -> String {
    let mut s = String::new();
    let _ = writeln!(
        s,
        "Probe of {} ({}), SNI {}",
        r.target,
        r.address.as_deref().unwrap_or("?"),
        r.sni.as_deref().unwrap_or("none")
    );
    let _ = writeln!(s);
    let _ = writeln!(s, "Protocols and cipher suites");
    for (name, v) in &r.versions {
        if !v.accepted {
            let _ = writeln!(
                s,
                "  {name:<8} no{}",
                v.refused
                    .as_deref()
                    .map(|w| format!("   ({w})"))
                    .unwrap_or_default()
            );
            continue;
        }
        let order = match v.server_order {
            Some(true) => "server's order",
            Some(false) => "client's order (listed by code point)",
            None => "order unknown",
        };
        let _ = writeln!(
            s,
            "  {name:<8} yes  {} suites{}, {order}",
            v.ciphers.len(),
            if v.incomplete.is_some() {
                " (may be incomplete: see the notes)"
            } else {
                ""
            }
        );
        for c in &v.ciphers {
            let _ = writeln!(s, "             {c}");
        }
    }
    let _ = writeln!(s);
    match &r.groups_method {
        Some(m) => {
            let _ = writeln!(s, "Groups:            {}  [{m}]", r.groups.join(", "));
            if let Some(d) = &r.groups_default {
                let _ = writeln!(
                    s,
                    "                   {d}'s default list (nginx `ssl_ecdh_curve auto`, its default; httpd without `SSLOpenSSLConfCmd Curves`)"
                );
            }
        }
        None => {
            let _ = writeln!(
                s,
                "Groups:            not tested (no TLS 1.3, no ECDHE suite)"
            );
        }
    }
    let _ = writeln!(
        s,
        "DH parameters:     {}",
        r.dh_bits
            .map(|b| format!("{b} bits"))
            .unwrap_or_else(|| "none (no DHE suite)".into())
    );
    let _ = writeln!(
        s,
        "ALPN:              {}",
        match &r.alpn {
            None => "unknown (no complete handshake)".to_string(),
            Some(a) if a.is_empty() => "none of h2, http/1.1".to_string(),
            Some(a) => a.join(", "),
        }
    );
    let opt = |b: Option<bool>| b.map(yes).unwrap_or("unknown");
    let _ = writeln!(s, "OCSP stapled:      {}", opt(r.ocsp_stapled));
    let _ = writeln!(
        s,
        "Session tickets:   TLSv1.2 {}, TLSv1.3 {}",
        opt(r.session_tickets.tls1_2),
        opt(r.session_tickets.tls1_3)
    );
    let _ = writeln!(
        s,
        "HSTS:              {}",
        match (&r.hsts, &r.http_status) {
            (Some(h), _) => h.clone(),
            (None, Some(st)) => format!("none ({st})"),
            (None, None) => match &r.http_error {
                Some(e) => format!("unknown ({e})"),
                None => "unknown (no HTTP answer)".into(),
            },
        }
    );
    let _ = writeln!(
        s,
        "Client cert:       {}",
        if r.client_certificate_requested {
            "requested (CertificateRequest)"
        } else {
            "not requested"
        }
    );
    if let Some(f) = &r.full_handshake {
        let _ = writeln!(s, "rustls handshake:  {f}");
    }
    let _ = writeln!(s);
    if r.sni.is_some() {
        let sni = r.sni.as_deref().unwrap_or("");
        chain(
            &mut s,
            &format!("Certificate chain (SNI {sni})"),
            &r.certificate_chain.with_sni,
            None,
        );
        chain(
            &mut s,
            "Certificate chain (no SNI)",
            &r.certificate_chain.without_sni,
            r.certificate_chain.with_sni.as_ref(),
        );
    } else {
        chain(
            &mut s,
            "Certificate chain (no SNI)",
            &r.certificate_chain.without_sni,
            None,
        );
    }
    key_types(&mut s, r);
    if !r.notes.is_empty() {
        let _ = writeln!(s);
        for n in &r.notes {
            let _ = writeln!(s, "note: {n}");
        }
    }
    let _ = writeln!(s);
    let _ = writeln!(
        s,
        "{} connections in {} ms (versions {} ms, suites and groups {} ms, the rest {} ms)",
        r.timings.connections,
        r.timings.total_ms,
        r.timings.versions_ms,
        r.timings.ciphers_ms,
        r.timings.extras_ms
    );
    s
}
