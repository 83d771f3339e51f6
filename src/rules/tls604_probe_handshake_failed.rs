//! TLS604 probe-handshake-failed: no handshake with the running server
//! completes, with a diagnosis (connection refused or timed out, no TLS,
//! no shared protocol, no shared cipher, a client certificate required).

use crate::finding::{Finding, Severity};
use crate::model::Endpoint;
use crate::rules::{Context, Rule, RuleMeta};

pub struct Tls604;

pub static META: RuleMeta = RuleMeta {
    code: "TLS604",
    name: "probe-handshake-failed",
    summary: "no handshake at all with the running server, diagnosed",
    severity: Severity::Error,
};

impl Rule for Tls604 {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    /// Nothing to see in the files alone: see [`compare`].
    fn check(&self, _cx: &Context<'_>, _ep: &Endpoint, _out: &mut Vec<Finding>) {}
}

/// Whether a verify-client value makes the server refuse clients without
/// a certificate (nginx answers them with HTTP 400 instead).
#[cfg(feature = "probe")]
fn requires_client_cert(ep: &Endpoint) -> bool {
    let v = ep.verify_client.value.to_ascii_lowercase();
    v == "require" || v == "on"
}

#[cfg(feature = "probe")]
pub fn compare<'a>(
    cx: &Context<'a>,
    o: &crate::rules::probe_facts::Observed<'a>,
    out: &mut Vec<Finding>,
) {
    use crate::rules::cipher_facts::directive;
    use crate::rules::probe_facts as pf;
    let r = o.report;
    if o.ep.reject_handshake.value {
        return; // refusing is what it is configured to do
    }
    let listen =
        o.ep.listen
            .iter()
            .find(|l| l.socket() == o.socket)
            .map(|l| l.span)
            .unwrap_or(o.ep.span);
    let listen_label = format!("{} listens here", o.socket);
    if let Some(e) = &r.error {
        let lower = e.to_ascii_lowercase();
        let why = if !r.reachable && lower.contains("refused") {
            "connection refused: nothing listens on the socket (the server is stopped, failed to start, or listens elsewhere)".to_string()
        } else if !r.reachable && (lower.contains("timed out") || lower.contains("timeout")) {
            "connection timed out: a firewall drops the packets, the address is not this host's, or the server is stuck".to_string()
        } else if !r.reachable {
            format!("no connection: {e}")
        } else {
            format!("no TLS: {e} (plain HTTP on the port, or another service)")
        };
        out.push(pf::finding(
            &META,
            o,
            listen,
            format!("no handshake with {}: {why}", o.wire()),
            listen_label,
            Some(
                "start or reload the server and check that it listens on this address and port"
                    .into(),
            ),
        ));
        return;
    }
    if !pf::handshakes(r) {
        let want = pf::expected_versions(cx, o);
        let refusals: Vec<String> = r
            .versions
            .iter()
            .filter_map(|(v, x)| x.refused.as_ref().map(|why| format!("{v}: {why}")))
            .collect();
        let (setting, decider, _) = o.versions_setting(cx);
        let (span, label, why) = if o.ep.certificates.is_empty() {
            (
                listen,
                listen_label,
                "no certificate is configured for this server".to_string(),
            )
        } else if no_suite_left(cx, o) {
            (
                o.ep.ciphers.source.span(),
                directive(o.ep, "ssl_ciphers", "SSLCipherSuite").to_string(),
                "no shared cipher: the cipher string leaves no suite the certificate can serve"
                    .to_string(),
            )
        } else if want.expected.is_empty() && !want.notes.is_empty() {
            (
                setting.source.span(),
                format!(
                    "{}: {} ({})",
                    directive(o.ep, "ssl_protocols", "SSLProtocol"),
                    setting.value.join(" "),
                    crate::rules::origin(decider, &setting.source)
                ),
                format!(
                    "no shared protocol, as the configuration says: {}",
                    want.notes.join("; ")
                ),
            )
        } else {
            (
                listen,
                listen_label,
                format!(
                    "the server refuses every ClientHello, though the configuration accepts {}: it runs another configuration, or something in the middle answers",
                    pf::list(&want.expected)
                ),
            )
        };
        out.push(pf::finding(
            &META,
            o,
            span,
            format!(
                "no handshake with {}: {why} (the server answered {})",
                o.wire(),
                if refusals.is_empty() {
                    "nothing".to_string()
                } else {
                    refusals.join(", ")
                }
            ),
            label,
            Some(pf::reload_help(o.ep)),
        ));
        return;
    }
    // hellos are answered, but a complete handshake without a client
    // certificate fails
    if r.client_certificate_requested
        && r.handshake_error.is_some()
        && r.http_status.is_none()
        && !requires_client_cert(o.ep)
    {
        let s = &o.ep.verify_client;
        out.push(pf::finding(
            &META,
            o,
            s.source.span(),
            format!(
                "no handshake with {} without a client certificate ({}), but the configuration does not require one ({} {})",
                o.wire(),
                r.handshake_error.as_deref().unwrap_or(""),
                directive(o.ep, "ssl_verify_client", "SSLVerifyClient"),
                s.value
            ),
            crate::rules::origin(o.ep, &s.source),
            Some(pf::reload_help(o.ep)),
        ));
    }
}

/// Every version the configuration enables has no suite left.
#[cfg(feature = "probe")]
fn no_suite_left<'a>(cx: &Context<'a>, o: &crate::rules::probe_facts::Observed<'a>) -> bool {
    let (setting, _, _) = o.versions_setting(cx);
    let configured: Vec<&str> = crate::rules::probe_facts::PROBED
        .iter()
        .copied()
        .filter(|p| setting.value.iter().any(|c| c == p))
        .collect();
    !configured.is_empty()
        && configured.iter().all(|p| {
            crate::rules::probe_facts::expected_suites(cx, o, p).is_ok_and(|s| s.is_empty())
        })
}
