//! TLS401 client-auth-without-ca: client certificates are verified (`on` /
//! `optional`) with no CA file to verify them against.

use crate::finding::{Finding, Severity};
use crate::model::{Endpoint, ServerKind};
use crate::rules::cert_facts::{at_setting, verifies_clients};
use crate::rules::{Context, Rule, RuleMeta};
use crate::version::Version;

pub struct Tls401;

static META: RuleMeta = RuleMeta {
    code: "TLS401",
    name: "client-auth-without-ca",
    summary: "client verification on/optional with no CA file to verify against",
    severity: Severity::Error,
};

/// nginx 1.27.2 accepts ssl_trusted_certificate alone for ssl_verify_client.
const TRUSTED_ENOUGH: Version = Version::new(1, 27, 2);

impl Rule for Tls401 {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, cx: &Context<'_>, ep: &Endpoint, out: &mut Vec<Finding>) {
        if !verifies_clients(ep) || ep.client_certificate.value.is_some() {
            return;
        }
        // Apache: SSLCACertificatePath (a hashed directory of CAs) is a CA too
        if ep
            .apache
            .as_ref()
            .is_some_and(|a| a.ca_path.value.is_some())
        {
            return;
        }
        let v = &crate::rules::cert_facts::verify_client_shown(ep);
        let (message, help) = match ep.server {
            ServerKind::Nginx => {
                if ep.trusted_certificate.value.is_some() {
                    if cx.target.nginx >= TRUSTED_ENOUGH {
                        return;
                    }
                    (
                        format!(
                            "ssl_verify_client {v} with ssl_trusted_certificate but no ssl_client_certificate: nginx {} refuses to start (\"no ssl_client_certificate for ssl_verify_client\"; 1.27.2 accepts ssl_trusted_certificate alone)",
                            cx.target.nginx
                        ),
                        "write `ssl_client_certificate /etc/nginx/client-ca.pem;` (the CAs that issue your clients' certificates)",
                    )
                } else {
                    (
                        format!(
                            "ssl_verify_client {v} without ssl_client_certificate or ssl_trusted_certificate: there is nothing to verify client certificates against, and nginx refuses to start (\"no ssl_client_certificate for ssl_verify_client\")"
                        ),
                        "write `ssl_client_certificate /etc/nginx/client-ca.pem;` (the CAs that issue your clients' certificates)",
                    )
                }
            }
            ServerKind::Apache => (
                format!(
                    "SSLVerifyClient {v} without SSLCACertificateFile or SSLCACertificatePath: there is nothing to verify client certificates against, so httpd rejects every client certificate{}",
                    if v == "require" { " (it warns at startup: AH01899 \"you want to request client authentication, but no CAs are known for verification\")" } else { "" }
                ),
                "write `SSLCACertificateFile /etc/apache2/client-ca.pem` in this virtual host (the CAs that issue your clients' certificates)",
            ),
        };
        out.push(at_setting(
            &META,
            &ep.verify_client,
            message,
            "client verification without a CA".into(),
            Some(help.into()),
            ep,
        ));
    }
}
