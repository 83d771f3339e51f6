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

/// The plain servers on port 80, indexed by name as nginx looks them up
/// (Apache's `*.x` ServerAlias matches the same names): exact names first,
/// then the longest `*.x` / `.x` wildcard, then the longest `x.*` one, then
/// the default server of the socket. Lookups are by the name's suffixes and
/// prefixes, so many wildcards cost nothing per name.
pub struct PlainIndex {
    exact: HashMap<String, usize>,
    /// `*.x` by `x`: names that end in `.x`.
    star: HashMap<String, usize>,
    /// `.x` by `x`: `x` and names that end in `.x`.
    dot: HashMap<String, usize>,
    /// `x.*` by `x`: names that start with `x.`.
    tail: HashMap<String, usize>,
    default: Option<usize>,
}

impl PlainIndex {
    pub fn new(plain: &[PlainServer]) -> PlainIndex {
        let mut ix = PlainIndex {
            exact: HashMap::new(),
            star: HashMap::new(),
            dot: HashMap::new(),
            tail: HashMap::new(),
            default: None,
        };
        for (i, p) in plain.iter().enumerate() {
            if !p.listen.iter().any(|l| l.port == Some(80)) {
                continue;
            }
            for n in &p.server_names {
                let n = n.to_ascii_lowercase();
                let (map, key) = if let Some(x) = n.strip_prefix("*.") {
                    (&mut ix.star, x.to_string())
                } else if let Some(x) = n.strip_prefix('.') {
                    (&mut ix.dot, x.to_string())
                } else if let Some(x) = n.strip_suffix(".*") {
                    (&mut ix.tail, x.to_string())
                } else if n.starts_with('~') || n.contains('*') {
                    continue;
                } else {
                    (&mut ix.exact, n)
                };
                map.entry(key).or_insert(i);
            }
            if ix.default.is_none() && !p.default_for.is_empty() {
                ix.default = Some(i);
            }
        }
        ix
    }

    /// The plain server that answers `name` on port 80.
    pub fn answering(&self, name: &str) -> Option<usize> {
        self.by_name(name).or(self.default)
    }

    /// The plain server that lists `name` (exactly or by a wildcard).
    pub fn by_name(&self, name: &str) -> Option<usize> {
        let n = name.to_ascii_lowercase();
        if let Some(&i) = self.exact.get(&n).or_else(|| self.dot.get(&n)) {
            return Some(i);
        }
        // longest suffix first: for a.b.c, `b.c` then `c`
        let mut rest = n.as_str();
        while let Some((_, suffix)) = rest.split_once('.') {
            if let Some(&i) = self.star.get(suffix).or_else(|| self.dot.get(suffix)) {
                return Some(i);
            }
            rest = suffix;
        }
        // longest prefix first: for a.b.c, `a.b` then `a`
        let mut head = n.as_str();
        while let Some((prefix, _)) = head.rsplit_once('.') {
            if let Some(&i) = self.tail.get(prefix) {
                return Some(i);
            }
            head = prefix;
        }
        None
    }
}

/// Apache's main server answering plain HTTP: its entry is anchored at the
/// `Listen` directive no virtual host covers (a virtual host's at its
/// `<VirtualHost>` line). Checked with apache2 2.4: a request on such a port
/// gets the main server's DocumentRoot.
fn is_main_server(cx: &Context<'_>, p: &PlainServer) -> bool {
    let text = &cx.sources.get(p.span.file).text;
    text.get(p.span.start as usize..)
        .is_some_and(|t| t.get(..6).is_some_and(|w| w.eq_ignore_ascii_case("listen")))
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
                // no <VirtualHost> covers the port: the resolver anchors the
                // main server's entry at its Listen line
                ServerKind::Apache if is_main_server(cx, p) => (
                    format!(
                        "plain HTTP for {name} is answered by the main server config (no <VirtualHost> covers {}), which does not redirect to https",
                        p.default_for.first().cloned().unwrap_or_else(|| "port 80".into())
                    ),
                    format!("add `<VirtualHost *:80>` with `ServerName {name}` and `Redirect permanent / https://{name}/` (keep /.well-known/acme-challenge/ reachable if you use it); a Redirect in the main server config would also apply to the TLS virtual hosts"),
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
                    crate::rules::cipher_facts::server_noun(ep)
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
        use crate::model::{Listen, PlainServer};
        use crate::source::{FileId, Span};
        let span = Span {
            file: FileId(0),
            start: 0,
            end: 0,
            line: 1,
            col: 1,
        };
        let plain = |names: &[&str]| PlainServer {
            span,
            server_names: names.iter().map(|s| s.to_string()).collect(),
            listen: vec![Listen {
                addr: "*".into(),
                port: Some(80),
                default_server: false,
                ssl: false,
                quic: false,
                http2: false,
                span,
            }],
            default_for: Vec::new(),
            redirects_to_https: false,
        };
        let ix = super::PlainIndex::new(&[
            plain(&["*.example.com"]),
            plain(&[".example.org", "www.*"]),
            plain(&["*.a.example.com", "A.example"]),
        ]);
        assert_eq!(ix.by_name("x.example.com"), Some(0));
        assert_eq!(ix.by_name("example.com"), None);
        // the longest wildcard wins
        assert_eq!(ix.by_name("x.a.example.com"), Some(2));
        assert_eq!(ix.by_name("example.org"), Some(1));
        assert_eq!(ix.by_name("deep.x.example.org"), Some(1));
        assert_eq!(ix.by_name("www.example.net"), Some(1));
        assert_eq!(ix.by_name("a.example"), Some(2));
        assert_eq!(ix.by_name("other.net"), None);
    }
}
