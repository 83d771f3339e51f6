//! The profile on a probe's evidence (`tlslint probe HOST`): the static
//! rules' codes where they make sense — protocols (TLS101/102), TLS ≤ 1.2
//! suites (TLS201), TLS 1.3 suites (TLS204), groups (TLS206), DH size
//! (TLS208), the served certificate's validity, name and chain
//! (TLS303/308/310), HSTS (TLS501/502), stapling (TLS505) — with
//! `evidence: probe`.
//!
//! There is no configuration file to point at: the findings are located in
//! a synthetic source `probe://HOST:PORT` whose text is the report as
//! `tlslint probe` prints it ([`super::text::render`]), each at the line
//! that shows its evidence, so snippets, JSON and SARIF locations work.

use std::path::PathBuf;

use crate::finding::{Evidence, Finding};
use crate::profile::Profile;
use crate::source::{FileId, SourceMap, Span};

use super::ProbeReport;

/// The synthetic source of a report.
pub fn source(rep: &ProbeReport) -> (SourceMap, FileId) {
    let mut sm = SourceMap::new();
    let id = sm.add(
        PathBuf::from(format!("{}{}", crate::source::PROBE_SCHEME, rep.target)),
        super::text::render(rep),
    );
    (sm, id)
}

struct At<'a> {
    sm: &'a SourceMap,
    file: FileId,
}

impl At<'_> {
    /// The first line (after `after`, if found) that starts with `prefix`
    /// once trimmed; its text without the indentation. The first line when
    /// nothing matches.
    fn line(&self, after: Option<&str>, prefix: &str) -> Span {
        let f = self.sm.get(self.file);
        let text = &f.text;
        let mut from = 0usize;
        if let Some(a) = after {
            if let Some(i) = text.find(a) {
                from = i;
            }
        }
        let mut offset = text[..from].rfind('\n').map(|i| i + 1).unwrap_or(0);
        for l in text[offset..].split_inclusive('\n') {
            let trimmed = l.trim_start();
            if trimmed.starts_with(prefix) {
                let start = offset + (l.len() - trimmed.len());
                let end = offset + l.trim_end().len();
                return self.sm.span(self.file, start, end.max(start));
            }
            offset += l.len();
        }
        let first = text.find('\n').unwrap_or(text.len());
        self.sm.span(self.file, 0, first)
    }
}

fn meta(code: &str) -> Option<&'static crate::rules::RuleMeta> {
    crate::rules::RULES
        .iter()
        .map(|r| r.meta())
        .find(|m| m.code == code)
}

fn push(out: &mut Vec<Finding>, code: &str, span: Span, message: String, label: &str, help: &str) {
    let Some(m) = meta(code) else { return };
    out.push(Finding {
        code: m.code,
        name: m.name,
        severity: m.severity,
        message,
        span,
        label: label.to_string(),
        related: Vec::new(),
        help: (!help.is_empty()).then(|| help.to_string()),
        endpoints: Vec::new(),
        evidence: Evidence::Probe,
    });
}

/// Group ids a profile's curve names stand for.
fn group_id(name: &str) -> Option<u16> {
    crate::openssl::all_groups()
        .iter()
        .find(|g| g.name.eq_ignore_ascii_case(name) || g.group.eq_ignore_ascii_case(name))
        .map(|g| g.id)
}

/// Check a profile against what a probe saw. `now` is the clock for
/// certificate validity (seconds since the epoch).
pub fn check(
    rep: &ProbeReport,
    sm: &SourceMap,
    file: FileId,
    profile: &Profile,
    now: i64,
) -> Vec<Finding> {
    let at = At { sm, file };
    let mut out = Vec::new();
    if rep.error.is_some() {
        return out;
    }
    let title = profile.title();
    // protocols
    for (v, vr) in &rep.versions {
        let allowed = profile.tls_versions.iter().any(|a| a == v);
        let span = at.line(Some("Protocols and cipher suites"), &format!("{v} "));
        if vr.accepted && !allowed {
            push(
                &mut out,
                "TLS101",
                span,
                format!(
                    "{} accepts {v}, but the {title} profile allows only {}",
                    rep.target,
                    profile.tls_versions.join(", ")
                ),
                "accepted",
                "disable it in the server's configuration",
            );
        } else if !vr.accepted && allowed && v == "TLSv1.3" {
            push(
                &mut out,
                "TLS102",
                span,
                format!(
                    "{} does not accept {v}, which the {title} profile lists",
                    rep.target
                ),
                "not accepted",
                "enable it in the server's configuration",
            );
        }
        if !vr.accepted || !allowed {
            continue;
        }
        // suites
        if v == "TLSv1.3" {
            let bad: Vec<&str> = vr
                .ciphers
                .iter()
                .filter(|c| !profile.ciphersuites.iter().any(|p| p == *c))
                .map(String::as_str)
                .collect();
            if !bad.is_empty() && !profile.ciphersuites.is_empty() {
                push(
                    &mut out,
                    "TLS204",
                    span,
                    format!(
                        "{} negotiates TLS 1.3 suites the {title} profile does not allow: {}",
                        rep.target,
                        bad.join(", ")
                    ),
                    "suites outside the profile",
                    "",
                );
            }
        } else {
            let p = &profile.ciphers;
            let bad: Vec<&str> = vr
                .ciphers
                .iter()
                .filter(|c| {
                    let openssl = crate::openssl::suite_by_iana(c).map(|s| s.openssl_name);
                    !p.iana.iter().any(|n| n == *c)
                        && !openssl.is_some_and(|o| p.openssl.iter().any(|n| n == o))
                })
                .map(String::as_str)
                .collect();
            if !bad.is_empty() {
                push(
                    &mut out,
                    "TLS201",
                    span,
                    format!(
                        "{} negotiates {} {v} suite(s) the {title} profile does not allow: {}",
                        rep.target,
                        bad.len(),
                        crate::rules::cipher_facts::short_list(&bad, 6)
                    ),
                    "suites outside the profile",
                    "",
                );
            }
        }
    }
    // groups; OpenSSL's default list is not reported, as TLS206 does not
    // report `ssl_ecdh_curve auto` or no list in a configuration
    if rep.groups_method.is_some() && rep.groups_default.is_none() && !profile.tls_curves.is_empty()
    {
        let allowed: Vec<u16> = profile
            .tls_curves
            .iter()
            .filter_map(|n| group_id(n))
            .collect();
        let bad: Vec<&str> = rep
            .groups
            .iter()
            .filter(|g| group_id(g).is_none_or(|id| !allowed.contains(&id)))
            .map(String::as_str)
            .collect();
        if !bad.is_empty() {
            push(
                &mut out,
                "TLS206",
                at.line(None, "Groups:"),
                format!(
                    "{} takes groups outside the {title} profile's {}: {}",
                    rep.target,
                    profile.tls_curves.join(", "),
                    bad.join(", ")
                ),
                "groups outside the profile",
                "",
            );
        }
    }
    // DH size
    if let (Some(bits), Some(min)) = (rep.dh_bits, profile.dh_param_size) {
        if bits < min {
            push(
                &mut out,
                "TLS208",
                at.line(None, "DH parameters:"),
                format!(
                    "{} uses a {bits}-bit DH prime; the {title} profile asks for at least {min} bits",
                    rep.target
                ),
                "DH prime too small",
                "",
            );
        }
    }
    // the certificate served for the SNI (or without SNI), and the chains
    // of the other key types (a server with RSA and ECDSA certificates)
    let chains = &rep.certificate_chain;
    let main = chains.main(rep.sni.is_some());
    if let Some(c) = main {
        chain_findings(&mut out, &at, rep, c, "Certificate chain", "", now);
    }
    for k in &chains.by_key_type {
        if main.is_some_and(|m| m.certificates == k.chain.certificates) {
            continue;
        }
        let title = super::text::keyed_title(rep, &k.key_type);
        let what = format!(" ({} key)", k.key_type);
        chain_findings(&mut out, &at, rep, &k.chain, &title, &what, now);
    }
    // HSTS
    if rep.http_status.is_some() {
        let span = at.line(None, "HSTS:");
        match &rep.hsts {
            None => push(
                &mut out,
                "TLS501",
                span,
                format!(
                    "{} answers GET / without Strict-Transport-Security",
                    rep.target
                ),
                "no HSTS",
                "",
            ),
            Some(h) => {
                let age = crate::rules::tls502_hsts_too_short::max_age(h);
                if let Some(min) = profile.hsts_min_age {
                    if age.is_none_or(|a| a < min) {
                        push(
                            &mut out,
                            "TLS502",
                            span,
                            format!(
                                "{} sends Strict-Transport-Security `{h}`; the {title} profile asks for max-age of at least {min}",
                                rep.target
                            ),
                            "max-age too short",
                            "",
                        );
                    }
                }
            }
        }
    }
    // stapling
    if profile.ocsp_staple && rep.ocsp_stapled == Some(false) {
        push(
            &mut out,
            "TLS505",
            at.line(None, "OCSP stapled:"),
            format!(
                "{} staples no OCSP response; the {title} profile wants stapling",
                rep.target
            ),
            "no staple",
            "",
        );
    }
    out.sort_by_key(|f| (f.span.start, f.code));
    out
}

/// TLS303/308/310 on one chain served; `title` starts its section in the
/// report's text, `what` qualifies it in messages (` (ECDSA key)`).
fn chain_findings(
    out: &mut Vec<Finding>,
    at: &At<'_>,
    rep: &ProbeReport,
    c: &super::cert::ChainInfo,
    title: &str,
    what: &str,
    now: i64,
) {
    let chain_line = at.line(None, title);
    if let Some(leaf) = c.certificates.first().filter(|l| l.error.is_none()) {
        let span = at.line(Some(title), "valid ");
        let now_s = crate::certs::time::rfc3339(now);
        if leaf.not_after < now_s || leaf.not_before > now_s {
            push(
                out,
                "TLS303",
                span,
                format!(
                    "{} sends {}{what}, valid {} .. {}: {} at {now_s}",
                    rep.target,
                    leaf.subject,
                    leaf.not_before,
                    leaf.not_after,
                    if leaf.not_after < now_s {
                        "expired"
                    } else {
                        "not yet valid"
                    }
                ),
                "validity",
                "",
            );
        }
        if let Some(sni) = &rep.sni {
            if !leaf
                .dns_names
                .iter()
                .any(|d| crate::certs::names::dns_matches(d, sni))
            {
                push(
                    out,
                    "TLS308",
                    at.line(Some(title), "0  "),
                    format!(
                        "{} sends {}{what} for the SNI {sni}, which none of its names covers ({})",
                        rep.target,
                        leaf.subject,
                        if leaf.dns_names.is_empty() {
                            "no DNS names".to_string()
                        } else {
                            leaf.dns_names.join(", ")
                        }
                    ),
                    "the certificate served",
                    "",
                );
            }
        }
    }
    if !c.trust.starts_with("trusted") {
        push(
            out,
            "TLS310",
            chain_line,
            format!(
                "{}: the chain served{what} does not reach a trusted root: {}",
                rep.target, c.trust
            ),
            "the chain served",
            "",
        );
    }
}
