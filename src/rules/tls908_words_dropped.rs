//! TLS908 words-dropped: words of a line that httpd overrides or drops while
//! reading the configuration. It starts (with a warning, or silently), and
//! the line means less than it says: `SSLProtocol TLSv1 TLSv1.1 TLSv1.2` is
//! TLS 1.2 only (AH02532), `SSLOptions StdEnvVars StrictRequire` is
//! StrictRequire only, and `<VirtualHost [00000::2]:443>` loses the address
//! (AH00547). The resolver works out the words (src/apache/words.rs,
//! src/apache/addr.rs); the effective settings already follow httpd.

use crate::finding::{Finding, Severity};
use crate::model::Endpoint;
use crate::rules::{finding, Context, Rule, RuleMeta};

pub struct Tls908;

static META: RuleMeta = RuleMeta {
    code: "TLS908",
    name: "words-dropped",
    summary: "words httpd overrides or drops while reading the configuration: the line means less than it says",
    severity: Severity::Warning,
};

impl Rule for Tls908 {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, _cx: &Context<'_>, ep: &Endpoint, out: &mut Vec<Finding>) {
        let Some(a) = &ep.apache else {
            return;
        };
        for d in &a.dropped {
            out.push(finding(
                &META,
                d.span,
                d.message.clone(),
                "httpd does not read this as written".into(),
                Some(d.help.clone()),
                ep,
            ));
        }
    }
}
