//! TLS907 invalid-value: a value the server software does not accept: it
//! will not start.

use crate::finding::{Finding, Severity};
use crate::model::{Endpoint, ServerKind};
use crate::rules::tls101_protocol_outside_profile::ORDER;
use crate::rules::{finding, Context, Rule, RuleMeta};

pub struct Tls907;

static META: RuleMeta = RuleMeta {
    code: "TLS907",
    name: "invalid-value",
    summary: "a value the server software does not accept: it will not start",
    severity: Severity::Error,
};

impl Rule for Tls907 {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, cx: &Context<'_>, ep: &Endpoint, out: &mut Vec<Finding>) {
        if let Some(a) = &ep.apache {
            for r in &a.refused {
                out.push(finding(
                    &META,
                    r.span,
                    format!("httpd refuses to start: {}", r.error),
                    format!("`{}` refused", r.value),
                    Some(apache_help(cx, &r.value, &r.error)),
                    ep,
                ));
            }
            return;
        }
        // nginx (`ngx_parse_url` → `ngx_inet6_addr`) refuses an IPv6 literal
        // with more than four digits in a group, a zone, or any other flaw;
        // `nginx -t`: invalid IPv6 address in "[00000::2]:443" of the
        // "listen" directive
        for l in &ep.listen {
            let Some(host) = l.addr.strip_prefix('[').and_then(|a| a.strip_suffix(']')) else {
                continue;
            };
            if host.parse::<std::net::Ipv6Addr>().is_ok() {
                continue;
            }
            let written = written_arg(cx, l.span).unwrap_or_else(|| l.socket());
            out.push(finding(
                &META,
                l.span,
                format!("nginx refuses to start: invalid IPv6 address in \"{written}\" of the \"listen\" directive"),
                format!("`{}` is not an IPv6 address", l.addr),
                Some("write a valid IPv6 address: at most four hexadecimal digits per group, one `::`, no zone (`%eth0`)".into()),
                ep,
            ));
        }
        let directive = match ep.server {
            ServerKind::Nginx => "ssl_protocols",
            ServerKind::Apache => "SSLProtocol",
        };
        for v in ep
            .protocols
            .value
            .iter()
            .filter(|p| !ORDER.contains(&p.as_str()))
        {
            out.push(finding(
                &META,
                ep.protocols.source.span(),
                format!(
                    "invalid value \"{v}\" in \"{directive}\" directive: the server will not start"
                ),
                format!("`{v}` is not a protocol name"),
                Some(format!("use the names {}", ORDER.join(", "))),
                ep,
            ));
        }
    }
}

/// How to correct a value httpd refuses.
fn apache_help(cx: &Context<'_>, value: &str, error: &str) -> String {
    let name = value.trim_start_matches(['+', '-']);
    if error.starts_with("No SSL protocols available") {
        return format!(
            "`SSLProtocol {value}` leaves no protocol version: write `SSLProtocol -all +TLSv1.2 +TLSv1.3`"
        );
    }
    if error.starts_with("Argument must be") || error.starts_with("SSLEngine takes") {
        return format!(
            "write `SSLEngine on` inside each TLS <VirtualHost> (or `SSLEngine off`); `{value}` is not an SSLEngine argument — the address form belongs to mod_tls's TLSEngine"
        );
    }
    if error.ends_with("is built-in and can't be loaded") {
        return format!(
            "remove this LoadModule line: {value} is linked into httpd (`apache2 -l` lists it), so it is always loaded"
        );
    }
    if error.contains("address or port") || error.starts_with("Listen setup failed") {
        return format!(
            "write `{value}` as a valid IPv6 address: at most four hexadecimal digits per group, one `::`"
        );
    }
    if error.starts_with("protocol '") {
        return "the first argument of SSLCipherSuite is `SSL` (TLS ≤ 1.2 suites, also the default) or `TLSv1.3` (TLS 1.3 suites, httpd ≥ 2.4.36 with OpenSSL ≥ 1.1.1), spelled exactly so".into();
    }
    if name.eq_ignore_ascii_case("SSLv2") || name.eq_ignore_ascii_case("SSLv3") {
        return format!("remove `{value}` (for example `SSLProtocol -all +TLSv1.2 +TLSv1.3`)");
    }
    if name.eq_ignore_ascii_case("TLSv1.3") {
        return format!(
            "TLSv1.3 needs httpd ≥ 2.4.36 and OpenSSL ≥ 1.1.1 (modelled: httpd {}, OpenSSL {}): remove `{value}`, or set --apache-version/--openssl-version to what runs",
            cx.target.apache, cx.target.openssl
        );
    }
    "use the names all, TLSv1, TLSv1.1, TLSv1.2, TLSv1.3, each with `+` (add) or `-` (remove)"
        .into()
}

/// The first argument of the directive at `span`, as written.
fn written_arg(cx: &Context<'_>, span: crate::source::Span) -> Option<String> {
    let f = cx.sources.get(span.file);
    let text = f.text.get(span.start as usize..span.end as usize)?;
    let arg = text.split_whitespace().nth(1)?;
    Some(arg.trim_end_matches(';').to_string())
}
