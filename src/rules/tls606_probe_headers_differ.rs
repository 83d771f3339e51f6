//! TLS606 probe-headers-differ: the running server's HSTS header or OCSP
//! staple is not what its configuration says.

use crate::finding::{Finding, Severity};
use crate::model::Endpoint;
use crate::rules::{Context, Rule, RuleMeta};

pub struct Tls606;

pub static META: RuleMeta = RuleMeta {
    code: "TLS606",
    name: "probe-headers-differ",
    summary: "HSTS or stapling differ from the config",
    severity: Severity::Warning,
};

impl Rule for Tls606 {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    /// Nothing to see in the files alone: see [`compare`].
    fn check(&self, _cx: &Context<'_>, _ep: &Endpoint, _out: &mut Vec<Finding>) {}
}

/// A header value as compared: no case, blanks or quotes, no trailing `;`.
#[cfg(feature = "probe")]
pub fn normal(v: &str) -> String {
    v.chars()
        .filter(|c| !c.is_whitespace() && *c != '"')
        .collect::<String>()
        .to_ascii_lowercase()
        .trim_end_matches(';')
        .to_string()
}

/// Status codes nginx's `add_header` (without `always`) adds headers to;
/// Apache's `Header set` (the `onsuccess` table) behaves alike for 2xx/3xx.
#[cfg(feature = "probe")]
fn success(status: u16) -> bool {
    matches!(
        status,
        200 | 201 | 204 | 206 | 301 | 302 | 303 | 304 | 307 | 308
    )
}

#[cfg(feature = "probe")]
pub fn compare<'a>(
    cx: &Context<'a>,
    o: &crate::rules::probe_facts::Observed<'a>,
    out: &mut Vec<Finding>,
) {
    use crate::rules::probe_facts as pf;
    let r = o.report;
    let ep = o.ep;
    // HSTS: only when an HTTP answer came, and no inner block may drop it
    if let Some(status_line) = &r.http_status {
        let status: u16 = status_line
            .split_whitespace()
            .nth(1)
            .and_then(|s| s.parse().ok())
            .unwrap_or(0);
        // which location / section answers GET / is not known here: compare
        // only when every block sends what the server level sends
        let server_span = ep.hsts.value.as_ref().map(|_| ep.hsts.source.span());
        let uniform = ep.hsts_dropped.is_empty()
            && ep
                .hsts_blocks
                .iter()
                .all(|b| b.hsts.as_ref().map(|h| h.source.span()) == server_span);
        // headers-more `-s` lists the statuses; `-t` depends on the content type
        let sent = |h: &crate::model::Hsts| {
            if h.always && !h.statuses.is_empty() && !h.statuses.contains(&status) {
                // another value goes with this status
                None
            } else if h.always {
                Some(true)
            } else if !h.statuses.is_empty() {
                Some(h.statuses.contains(&status))
            } else if h.directive == "more_set_headers" {
                None
            } else {
                Some(success(status))
            }
        };
        let known = ep.hsts.value.as_ref().is_none_or(|h| sent(h).is_some());
        if uniform && known {
            let want = ep
                .hsts
                .value
                .as_ref()
                .filter(|h| sent(h) == Some(true))
                .map(|h| h.value.as_str());
            let got = r.hsts.as_deref();
            if want.map(normal) != got.map(normal) {
                let src = &ep.hsts.source;
                let shown = |v: Option<&str>| match v {
                    Some(v) => format!("`{v}`"),
                    None => "no Strict-Transport-Security header".into(),
                };
                let mut f = pf::finding(
                    &META,
                    o,
                    src.span(),
                    format!(
                        "{} answers GET / ({status_line}) with {}; the configuration sends {}",
                        o.wire(),
                        shown(got),
                        shown(want)
                    ),
                    match &ep.hsts.value {
                        Some(h) => format!("HSTS configured: {}", h.value),
                        None => "no HSTS configured".into(),
                    },
                    Some(pf::reload_help(ep)),
                );
                pf::relate(&mut f, o, src);
                out.push(f);
            }
        }
    }
    // OCSP stapling
    let Some(stapled) = r.ocsp_stapled else {
        return;
    };
    let stapled = stapled || o.staple_retry == Some(true);
    let want = ep.stapling.value && pf::can_staple(cx.files, ep);
    if want == stapled {
        return;
    }
    let src = &ep.stapling.source;
    let dir = crate::rules::cipher_facts::directive(ep, "ssl_stapling", "SSLUseStapling");
    let message = if stapled {
        format!(
            "{} staples an OCSP response, but the configuration has {dir} {}",
            o.wire(),
            if ep.stapling.value {
                "on without a responder URL"
            } else {
                "off"
            }
        )
    } else {
        let lazily = if ep.server == crate::model::ServerKind::Nginx {
            if o.staple_retry.is_some() {
                " (looked twice: nginx fetches the response lazily, so the first handshakes after a start carry none; a second handshake a moment later had none either: the responder may be unreachable from the server, check its error log and `resolver`)"
            } else {
                " (nginx fetches the response lazily: the first handshakes after a start carry none)"
            }
        } else {
            ""
        };
        format!(
            "{} staples no OCSP response, but the configuration has {dir} on{lazily}",
            o.wire()
        )
    };
    let mut f = pf::finding(
        &META,
        o,
        src.span(),
        message,
        format!("{dir} {}", if ep.stapling.value { "on" } else { "off" }),
        Some(pf::reload_help(ep)),
    );
    pf::relate(&mut f, o, src);
    out.push(f);
}
