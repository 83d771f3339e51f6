//! TLS403 client-ca-unusable: the client CA file is missing, not PEM, holds
//! no CA certificate (basicConstraints), holds an expired CA or one whose
//! issuer is missing; a CRL that is missing, expired, or (nginx checks the
//! whole chain) does not cover every CA.

use crate::certs::Located;
use crate::finding::{Finding, Severity};
use crate::model::{Endpoint, ServerKind};
use crate::rules::cert_facts::{at_setting, server_name, shown, verifies_clients, when};
use crate::rules::{Context, Rule, RuleMeta};

pub struct Tls403;

static META: RuleMeta = RuleMeta {
    code: "TLS403",
    name: "client-ca-unusable",
    summary: "the client CA file is missing, not PEM, holds no CA certificate, or is expired; a CRL that is missing, expired or does not cover every CA",
    severity: Severity::Error,
};

impl Rule for Tls403 {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, cx: &Context<'_>, ep: &Endpoint, out: &mut Vec<Finding>) {
        let now = cx.files.now;
        let srv = server_name(ep);
        let (ca_d, crl_d) = match ep.server {
            ServerKind::Nginx => ("ssl_client_certificate", "ssl_crl"),
            ServerKind::Apache => ("SSLCACertificateFile", "SSLCARevocationFile"),
        };
        let verifying = verifies_clients(ep);
        let mut push = |s, message: String, label: &str, help: Option<String>| {
            out.push(at_setting(&META, s, message, label.into(), help, ep));
        };
        let mut ca_certs = Vec::new();
        if let (true, Some(ca)) = (verifying, &ep.client_certificate.value) {
            let s = &ep.client_certificate;
            let file = shown(ca);
            match cx.files.get(ca) {
                Located::Missing(p) => push(
                    s,
                    format!(
                        "{ca_d} {file}: no such file ({}); {srv} refuses to start",
                        p.display()
                    ),
                    "no such file",
                    None,
                ),
                Located::Unreadable { why, .. } => push(
                    s,
                    format!("{ca_d} {file} cannot be read: {why}"),
                    "cannot be read",
                    None,
                ),
                loc => {
                    if let Some(d) = loc.data() {
                        ca_certs = d.certs.clone();
                        if d.certs.is_empty() {
                            push(
                                s,
                                format!(
                                    "{ca_d} {file} holds no certificate{}: no client certificate can be verified",
                                    if d.is_pem() { "" } else { " (it is not PEM)" }
                                ),
                                "no certificate",
                                Some("point it at the PEM certificates of the CAs that issue your clients' certificates".into()),
                            );
                        } else if let Some(r) = cx.files.ca_file(ep) {
                            if r.cas.is_empty() {
                                push(
                                    s,
                                    format!(
                                        "{ca_d} {file} holds no CA certificate (none has basicConstraints CA:TRUE): OpenSSL cannot verify client certificates with it"
                                    ),
                                    "no CA certificate",
                                    Some("point it at the issuing CA's certificate (and its root), not at a client or server certificate".into()),
                                );
                            }
                            for &i in &r.cas {
                                let c = &d.certs[i];
                                if now > c.not_after {
                                    push(
                                        s,
                                        format!(
                                            "the client CA {} in {file} expired on {}: every client certificate it issued fails verification",
                                            c.short_name(),
                                            when(c.not_after, now)
                                        ),
                                        "expired CA",
                                        Some("replace it with the CA's current certificate".into()),
                                    );
                                }
                            }
                            for (i, issuer) in &r.incomplete {
                                push(
                                    s,
                                    format!(
                                        "the client CA {} in {file} is issued by {issuer}, which is not in the file: OpenSSL needs the CAs up to a self-signed root, and client certificates fail (\"unable to get issuer certificate\")",
                                        d.certs[*i].short_name()
                                    ),
                                    "CA chain incomplete",
                                    Some(format!("append the certificate of {issuer} to {file}")),
                                );
                            }
                        }
                    }
                }
            }
        }
        // CRLs: nginx loads ssl_crl whenever it is set
        let Some(crl) = &ep.crl.value else { return };
        let s = &ep.crl;
        let file = shown(crl);
        match cx.files.get(crl) {
            Located::Missing(p) => push(
                s,
                format!(
                    "{crl_d} {file}: no such file ({}); {srv} refuses to start",
                    p.display()
                ),
                "no such file",
                None,
            ),
            Located::Unreadable { why, .. } => push(
                s,
                format!("{crl_d} {file} cannot be read: {why}"),
                "cannot be read",
                None,
            ),
            loc => {
                let Some(d) = loc.data() else { return };
                if d.crls.is_empty() {
                    push(
                        s,
                        format!(
                            "{crl_d} {file} holds no CRL (X509 CRL block){}",
                            if d.bad_crls > 0 {
                                " that can be read"
                            } else {
                                ""
                            }
                        ),
                        "no CRL",
                        None,
                    );
                    return;
                }
                if !verifying {
                    return;
                }
                // httpd 2.4 uses the CRLs only with SSLCARevocationCheck chain or leaf
                let check = ep.apache.as_ref().map(|a| {
                    a.crl_check
                        .value
                        .split_whitespace()
                        .next()
                        .unwrap_or("none")
                        .to_string()
                });
                if check.as_deref() == Some("none") {
                    let mut f = at_setting(
                        &META,
                        s,
                        format!(
                            "{crl_d} {file} is set, but SSLCARevocationCheck is none{}: httpd does not check client certificates against the CRL, so revoked certificates are accepted",
                            match ep.apache.as_ref().map(|a| &a.crl_check.source) {
                                Some(crate::model::Source::Default { .. }) => " (httpd's default)",
                                _ => "",
                            }
                        ),
                        "CRL not checked".into(),
                        Some("write `SSLCARevocationCheck chain` (every CA of a client's chain needs its CRL then) or `SSLCARevocationCheck leaf`".into()),
                        ep,
                    );
                    if let Some(a) = &ep.apache {
                        if !matches!(a.crl_check.source, crate::model::Source::Default { .. }) {
                            f.related.push(crate::finding::Related {
                                span: a.crl_check.source.span(),
                                message: "CRL checking is off here".into(),
                            });
                        }
                    }
                    out.push(f);
                    return;
                }
                for c in &d.crls {
                    if let Some(next) = c.next_update {
                        if now > next {
                            push(
                                s,
                                format!(
                                    "the CRL of {} in {file} expired on {} (nextUpdate): OpenSSL rejects every client certificate (\"CRL has expired\")",
                                    c.issuer,
                                    when(next, now)
                                ),
                                "expired CRL",
                                Some("fetch the current CRL from the CA, and refresh it before nextUpdate (cron, then reload)".into()),
                            );
                        }
                    }
                }
                // nginx sets X509_V_FLAG_CRL_CHECK_ALL: every CA of a client's chain
                // needs its CRL; httpd with `SSLCARevocationCheck chain` (unless
                // no_crl_for_cert_ok)
                let check_all = match &ep.apache {
                    None => true,
                    Some(a) => {
                        let w: Vec<&str> = a.crl_check.value.split_whitespace().collect();
                        w.first() == Some(&"chain") && !w.contains(&"no_crl_for_cert_ok")
                    }
                };
                if check_all {
                    let why = match ep.server {
                        ServerKind::Nginx => "with ssl_crl nginx checks every certificate of a client's chain",
                        ServerKind::Apache => "with SSLCARevocationCheck chain httpd checks every certificate of a client's chain",
                    };
                    if let Some(r) = cx.files.ca_file(ep) {
                        for &i in &r.cas {
                            let ca = &ca_certs[i];
                            if !d.crls.iter().any(|c| c.issuer_raw == ca.subject_raw) {
                                push(
                                    s,
                                    format!(
                                        "{file} has no CRL from the client CA {}: {why}, and chains through this CA fail (\"unable to get certificate CRL\")",
                                        ca.short_name()
                                    ),
                                    "CRL missing for a CA",
                                    Some(format!("add the CRL that {} publishes to {file}", ca.short_name())),
                                );
                            }
                        }
                    }
                }
            }
        }
    }
}
