//! TLS509 hsts-partial: only some locations (Apache: sections) send
//! Strict-Transport-Security; the server level sends none, so the other
//! requests go without.
//!
//! nginx: a `location` (or `if`, `limit_except`) handles a request on its
//! own — a header written in one does not reach the others, nor requests no
//! location matches. Apache: a `<Location>` / `<Directory>` section's
//! `Header` applies to the requests under it only. A server whose every
//! request is handled by a block that sends the header (nginx `location /`
//! with no other location going without; Apache `<Location "/">`) is
//! covered and not reported; one with no header anywhere is TLS501's.

use crate::finding::{Finding, Related, Severity};
use crate::model::{Endpoint, ServerKind};
use crate::rules::tls501_hsts_missing::{serves_http, suggested};
use crate::rules::{finding, Context, Rule, RuleMeta};

pub struct Tls509;

static META: RuleMeta = RuleMeta {
    code: "TLS509",
    name: "hsts-partial",
    summary: "only some locations or sections send HSTS: the other requests go without",
    severity: Severity::Warning,
};

/// `a`, `a and b`, `a, b and c`; past `max`, `... and N more`.
fn list(items: &[String], max: usize) -> String {
    let mut shown: Vec<String> = items.iter().take(max).cloned().collect();
    if items.len() > max {
        shown.push(format!("{} more", items.len() - max));
    }
    match shown.split_last() {
        None => String::new(),
        Some((last, [])) => last.clone(),
        Some((last, rest)) => format!("{} and {last}", rest.join(", ")),
    }
}

impl Rule for Tls509 {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, cx: &Context<'_>, ep: &Endpoint, out: &mut Vec<Finding>) {
        if !serves_http(ep) {
            return;
        }
        let Some((without, rest)) = ep.hsts_partial() else {
            return;
        };
        let quoted = |l: &str| format!("`{l}`");
        let with: Vec<String> = ep
            .hsts_blocks
            .iter()
            .filter(|b| b.hsts.is_some())
            .map(|b| quoted(&b.label))
            .collect();
        let gone: Vec<String> = without.iter().map(|b| quoted(&b.label)).collect();
        let (inside, others) = match ep.server {
            ServerKind::Nginx => ("handled by", "requests no location matches"),
            ServerKind::Apache => ("under", "all other requests"),
        };
        let tail = match (gone.is_empty(), rest) {
            (true, _) => format!("{others} go without it"),
            (false, false) => format!("requests {inside} {} go without it", list(&gone, 6)),
            (false, true) => format!(
                "requests {inside} {} go without it, and so do {others}",
                list(&gone, 6)
            ),
        };
        let message = format!(
            "Strict-Transport-Security is sent only from {}: {tail}",
            list(&with, 6)
        );
        let mut f = finding(
            &META,
            ep.span,
            message,
            match ep.server {
                ServerKind::Nginx => "this server sends HSTS from some locations only".into(),
                ServerKind::Apache => "this virtual host sends HSTS from some sections only".into(),
            },
            Some(match ep.server {
                ServerKind::Nginx => format!(
                    "write `{}` at server level, where every location inherits it (a location with add_header lines of its own needs the line too)",
                    suggested(cx, ep.server)
                ),
                ServerKind::Apache => format!(
                    "write `{}` in the virtual host itself, outside the sections",
                    suggested(cx, ep.server)
                ),
            }),
            ep,
        );
        for b in ep.hsts_blocks.iter() {
            if let Some(h) = &b.hsts {
                if f.related.iter().all(|r| r.span != h.source.span()) {
                    f.related.push(Related {
                        span: h.source.span(),
                        message: format!("HSTS for {} only", b.label),
                    });
                }
            }
        }
        out.push(f);
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn lists_read_as_english() {
        let s = |v: &[&str]| v.iter().map(|x| x.to_string()).collect::<Vec<_>>();
        assert_eq!(super::list(&s(&["a"]), 6), "a");
        assert_eq!(super::list(&s(&["a", "b", "c"]), 6), "a, b and c");
        assert_eq!(super::list(&s(&["a", "b", "c"]), 2), "a, b and 1 more");
    }
}
