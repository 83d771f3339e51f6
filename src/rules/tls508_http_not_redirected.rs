//! TLS508 http-not-redirected: a plain-HTTP server for the same names does
//! not redirect to https.

use std::collections::HashMap;

use crate::finding::{Finding, Related, Severity};
use crate::model::{Endpoint, PlainServer, ServerKind};
use crate::rules::tls501_hsts_missing::serves_http;
use crate::rules::{finding, Context, Rule, RuleMeta};

pub struct Tls508;

static META: RuleMeta = RuleMeta {
    code: "TLS508",
    name: "http-not-redirected",
    summary: "a plain-HTTP server for the same names does not redirect to https",
    severity: Severity::Info,
};

/// nginx server_name matching for exact names and `*.x` / `.x` wildcards.
fn name_matches(pattern: &str, name: &str) -> bool {
    let p = pattern.to_ascii_lowercase();
    let n = name.to_ascii_lowercase();
    if p == n {
        return true;
    }
    if let Some(suffix) = p.strip_prefix("*.") {
        return n.ends_with(&format!(".{suffix}"));
    }
    if let Some(suffix) = p.strip_prefix('.') {
        return n == suffix || n.ends_with(&format!(".{suffix}"));
    }
    if let Some(prefix) = p.strip_suffix(".*") {
        return n.starts_with(&format!("{prefix}."));
    }
    false
}

/// The plain servers on port 80, indexed by name as nginx looks them up:
/// exact names first, then wildcards, then the default server of the socket.
pub struct PlainIndex {
    exact: HashMap<String, usize>,
    wildcards: Vec<(String, usize)>,
    default: Option<usize>,
}

impl PlainIndex {
    pub fn new(plain: &[PlainServer]) -> PlainIndex {
        let mut exact = HashMap::new();
        let mut wildcards = Vec::new();
        let mut default = None;
        for (i, p) in plain.iter().enumerate() {
            if !p.listen.iter().any(|l| l.port == Some(80)) {
                continue;
            }
            for n in &p.server_names {
                if n.starts_with('*') || n.starts_with('.') || n.ends_with(".*") {
                    wildcards.push((n.to_ascii_lowercase(), i));
                } else if !n.starts_with('~') {
                    exact.entry(n.to_ascii_lowercase()).or_insert(i);
                }
            }
            if default.is_none() && !p.default_for.is_empty() {
                default = Some(i);
            }
        }
        PlainIndex {
            exact,
            wildcards,
            default,
        }
    }

    /// The plain server that answers `name` on port 80.
    pub fn answering(&self, name: &str) -> Option<usize> {
        self.by_name(name).or(self.default)
    }

    /// The plain server that lists `name` (exactly or by a wildcard).
    pub fn by_name(&self, name: &str) -> Option<usize> {
        let n = name.to_ascii_lowercase();
        self.exact.get(&n).copied().or_else(|| {
            self.wildcards
                .iter()
                .find(|(p, _)| name_matches(p, &n))
                .map(|(_, i)| *i)
        })
    }
}

impl Rule for Tls508 {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, cx: &Context<'_>, ep: &Endpoint, out: &mut Vec<Finding>) {
        if !serves_http(ep) {
            return;
        }
        let mut seen: Vec<crate::source::Span> = Vec::new();
        for name in ep
            .server_names
            .iter()
            .filter(|n| !n.is_empty() && !n.starts_with('~') && !n.contains('*') && *n != "_")
        {
            let Some(i) = cx.plain_index.answering(name) else {
                continue;
            };
            let p = &cx.plain[i];
            if p.redirects_to_https || seen.contains(&p.span) {
                continue;
            }
            seen.push(p.span);
            let (message, help) = match ep.server {
                ServerKind::Nginx => (
                    format!("plain HTTP for {name} is served by this server, which does not redirect to https"),
                    "write `return 308 https://$host$request_uri;` in this server (keep /.well-known/acme-challenge/ reachable if you use it)".to_string(),
                ),
                ServerKind::Apache if cx.plain_index.by_name(name) == Some(i) => (
                    format!("plain HTTP for {name} is served by this virtual host, which does not redirect to https"),
                    format!("write `Redirect permanent / https://{name}/` in this virtual host (keep /.well-known/acme-challenge/ reachable if you use it)"),
                ),
                ServerKind::Apache => (
                    format!(
                        "plain HTTP for {name} is answered by this virtual host, the first on {} (httpd's default for names no virtual host on the port lists), which does not redirect to https",
                        p.default_for.first().cloned().unwrap_or_else(|| "port 80".into())
                    ),
                    "write `RewriteEngine on` and `RewriteRule ^ https://%{HTTP_HOST}%{REQUEST_URI} [R=301,L]` in this virtual host, or give the name a virtual host of its own that redirects (keep /.well-known/acme-challenge/ reachable if you use it)".to_string(),
                ),
            };
            let mut f = finding(
                &META,
                p.span,
                message,
                "answers http:// without redirecting".into(),
                Some(help),
                ep,
            );
            f.related.push(Related {
                span: ep.span,
                message: format!(
                    "the TLS {} for {name}",
                    crate::rules::cert_facts::server_word(ep)
                ),
            });
            out.push(f);
        }
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn names() {
        assert!(super::name_matches("*.example.com", "a.example.com"));
        assert!(!super::name_matches("*.example.com", "example.com"));
        assert!(super::name_matches(".example.com", "example.com"));
        assert!(super::name_matches("www.*", "www.example.com"));
        assert!(super::name_matches("A.example", "a.example"));
    }
}
