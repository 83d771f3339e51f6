//! TLS902 compression-on: TLS compression enabled (CRIME).

use crate::finding::{Finding, Severity};
use crate::model::Endpoint;
use crate::rules::{finding, Context, Rule, RuleMeta};

pub struct Tls902;

static META: RuleMeta = RuleMeta {
    code: "TLS902",
    name: "compression-on",
    summary: "TLS compression enabled (CRIME)",
    severity: Severity::Error,
};

/// Whether an OpenSSL `Options` value sets `flag` (comma list; `-X` clears X).
pub fn options_set(value: &str, flag: &str) -> bool {
    let mut on = false;
    for item in value.split(',').map(str::trim) {
        if item.eq_ignore_ascii_case(flag) {
            on = true;
        } else if item
            .strip_prefix('-')
            .is_some_and(|i| i.eq_ignore_ascii_case(flag))
        {
            on = false;
        }
    }
    on
}

/// The state an OpenSSL `Options` value leaves `flag` in, if it names it
/// (the last mention wins; `-X` clears X).
pub fn options_state(value: &str, flag: &str) -> Option<bool> {
    let mut state = None;
    for item in value.split(',').map(str::trim) {
        if item.eq_ignore_ascii_case(flag)
            || item
                .strip_prefix('+')
                .is_some_and(|i| i.eq_ignore_ascii_case(flag))
        {
            state = Some(true);
        } else if item
            .strip_prefix('-')
            .is_some_and(|i| i.eq_ignore_ascii_case(flag))
        {
            state = Some(false);
        }
    }
    state
}

/// Apache: a mod_ssl switch (`SSLCompression`, `SSLInsecureRenegotiation`)
/// and the `SSLOpenSSLConfCmd Options` flag that OpenSSL applies after it.
/// Some(span of what turns it on) when it ends up on.
pub fn apache_switch(
    ep: &Endpoint,
    switch: &crate::model::Setting<bool>,
    flag: &str,
) -> Option<(crate::source::Span, bool)> {
    let mut on = switch.value.then(|| (switch.source.span(), false));
    let spans = ep
        .apache
        .as_ref()
        .map(|a| a.conf_command_spans.as_slice())
        .unwrap_or(&[]);
    for (i, (k, v)) in ep.conf_commands.value.iter().enumerate() {
        if !k.eq_ignore_ascii_case("Options") {
            continue;
        }
        match options_state(v, flag) {
            Some(true) => {
                let span = spans
                    .get(i)
                    .copied()
                    .unwrap_or(ep.conf_commands.source.span());
                on = Some((span, true));
            }
            Some(false) => on = None,
            None => {}
        }
    }
    on
}

impl Rule for Tls902 {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, _cx: &Context<'_>, ep: &Endpoint, out: &mut Vec<Finding>) {
        if let Some(a) = &ep.apache {
            if let Some((span, by_options)) = apache_switch(ep, &a.compression, "Compression") {
                let (message, help) = if by_options {
                    (
                        "TLS compression is enabled (`SSLOpenSSLConfCmd Options Compression`): it leaks secrets through compressed sizes (CRIME)",
                        "remove `Compression` from the SSLOpenSSLConfCmd Options (OpenSSL disables it by default)",
                    )
                } else {
                    (
                        "TLS compression is enabled (`SSLCompression on`): it leaks secrets through compressed sizes (CRIME); with an OpenSSL built without compression methods (OpenSSL's default build has none), httpd refuses to start instead",
                        "write `SSLCompression off` (httpd's default since 2.4.4), or remove the line",
                    )
                };
                let mut f = finding(
                    &META,
                    span,
                    message.into(),
                    "enables TLS compression".into(),
                    Some(help.into()),
                    ep,
                );
                crate::rules::related_endpoint(
                    &mut f,
                    ep,
                    &if by_options {
                        ep.conf_commands.source.clone()
                    } else {
                        a.compression.source.clone()
                    },
                );
                out.push(f);
            }
            return;
        }
        let cc = &ep.conf_commands;
        if cc
            .value
            .iter()
            .any(|(k, v)| k.eq_ignore_ascii_case("Options") && options_set(v, "Compression"))
        {
            out.push(finding(
                &META,
                cc.source.span(),
                "TLS compression is enabled (`Options Compression`): it leaks secrets through compressed sizes (CRIME)".into(),
                "enables TLS compression".into(),
                Some("remove `Compression` from the Options (OpenSSL disables it by default)".into()),
                ep,
            ));
        }
    }
}
