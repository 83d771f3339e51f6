//! TLS402 client-auth-unverified: `optional_no_ca` requests a client
//! certificate and does not verify it.

use crate::finding::{Finding, Severity};
use crate::model::{Endpoint, ServerKind};
use crate::rules::cert_facts::at_setting;
use crate::rules::{Context, Rule, RuleMeta};

pub struct Tls402;

static META: RuleMeta = RuleMeta {
    code: "TLS402",
    name: "client-auth-unverified",
    summary: "optional_no_ca: a client certificate is requested and not verified",
    severity: Severity::Error,
};

impl Rule for Tls402 {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, _cx: &Context<'_>, ep: &Endpoint, out: &mut Vec<Finding>) {
        if !ep
            .verify_client
            .value
            .eq_ignore_ascii_case("optional_no_ca")
        {
            return;
        }
        let (d, var, help) = match ep.server {
            ServerKind::Nginx => (
                "ssl_verify_client",
                "$ssl_client_verify",
                "write `ssl_verify_client on;` (or `optional;`) with `ssl_client_certificate`; keep optional_no_ca only where the application verifies the certificate itself, and suppress this finding there with the reason",
            ),
            ServerKind::Apache => (
                "SSLVerifyClient",
                "SSL_CLIENT_VERIFY",
                "write `SSLVerifyClient require` (or `optional`) with `SSLCACertificateFile`; keep optional_no_ca only where the application verifies the certificate itself",
            ),
        };
        out.push(at_setting(
            &META,
            &ep.verify_client,
            format!(
                "{d} optional_no_ca requests a client certificate but does not verify it: any self-made certificate is accepted, and {var} is not a proof of identity"
            ),
            "client certificate not verified".into(),
            Some(help.into()),
            ep,
        ));
    }
}
