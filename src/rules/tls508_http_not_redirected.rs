//! TLS508 http-not-redirected: a plain-HTTP server for the same names does
//! not redirect to https: the server answering on port 80 (by name, else the
//! default server of the socket), the TLS server itself when it also listens
//! on a plain socket (nginx `listen 80; listen 443 ssl;`), and a plain server
//! that lists the name on another port others can reach (`listen 8080`, not
//! on a loopback address).

use std::collections::HashMap;

use crate::finding::{Finding, Related, Severity};
use crate::model::{Endpoint, PlainServer, ServerKind};
use crate::rules::tls501_hsts_missing::serves_http;
use crate::rules::{finding, Context, Rule, RuleMeta};
use crate::source::Span;

pub struct Tls508;

static META: RuleMeta = RuleMeta {
    code: "TLS508",
    name: "http-not-redirected",
    summary: "a plain-HTTP server for the same names does not redirect to https",
    severity: Severity::Info,
};

/// The plain servers, indexed by name as nginx looks them up (Apache's
/// `*.x` ServerAlias matches the same names): exact names first, then the
/// longest `*.x` / `.x` wildcard, then the longest `x.*` one, then (port 80
/// only) the default server of the socket. Lookups are by the name's
/// suffixes and prefixes, so many wildcards cost nothing per name.
pub struct PlainIndex {
    /// Port 80, where `http://name/` goes.
    http: Names,
    /// Other ports on addresses others can reach (not loopback, not a unix
    /// socket): a plain server there that lists the name serves it too.
    other: std::collections::BTreeMap<u16, Names>,
}

#[derive(Default)]
struct Names {
    exact: HashMap<String, usize>,
    /// `*.x` by `x`: names that end in `.x`.
    star: HashMap<String, usize>,
    /// `.x` by `x`: `x` and names that end in `.x`.
    dot: HashMap<String, usize>,
    /// `x.*` by `x`: names that start with `x.`.
    tail: HashMap<String, usize>,
    default: Option<usize>,
}

/// A socket others can reach: not on a loopback address or a unix socket.
fn reachable(l: &crate::model::Listen) -> bool {
    let a = l.addr.trim_start_matches('[').trim_end_matches(']');
    !(l.port.is_none()
        || a.starts_with("127.")
        || a == "::1"
        || a.eq_ignore_ascii_case("localhost"))
}

impl Names {
    fn add(&mut self, i: usize, p: &PlainServer) {
        for n in &p.server_names {
            let n = n.to_ascii_lowercase();
            let (map, key) = if let Some(x) = n.strip_prefix("*.") {
                (&mut self.star, x.to_string())
            } else if let Some(x) = n.strip_prefix('.') {
                (&mut self.dot, x.to_string())
            } else if let Some(x) = n.strip_suffix(".*") {
                (&mut self.tail, x.to_string())
            } else if n.starts_with('~') || n.contains('*') {
                continue;
            } else {
                (&mut self.exact, n)
            };
            map.entry(key).or_insert(i);
        }
    }

    fn by_name(&self, name: &str) -> Option<usize> {
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

impl PlainIndex {
    pub fn new(plain: &[PlainServer]) -> PlainIndex {
        let mut ix = PlainIndex {
            http: Names::default(),
            other: Default::default(),
        };
        for (i, p) in plain.iter().enumerate() {
            if p.listen.iter().any(|l| l.port == Some(80)) {
                ix.http.add(i, p);
                if ix.http.default.is_none() && !p.default_for.is_empty() {
                    ix.http.default = Some(i);
                }
            }
            let mut ports: Vec<u16> = p
                .listen
                .iter()
                .filter(|l| reachable(l))
                .filter_map(|l| l.port)
                .filter(|&port| port != 80)
                .collect();
            ports.sort_unstable();
            ports.dedup();
            for port in ports {
                ix.other.entry(port).or_default().add(i, p);
            }
        }
        ix
    }

    /// The plain server that answers `name` on port 80.
    pub fn answering(&self, name: &str) -> Option<usize> {
        self.http.by_name(name).or(self.http.default)
    }

    /// The plain server on port 80 that lists `name` (exactly or by a wildcard).
    pub fn by_name(&self, name: &str) -> Option<usize> {
        self.http.by_name(name)
    }

    /// The plain servers on other reachable ports that list `name`, by port.
    pub fn other_ports(&self, name: &str) -> Vec<(u16, usize)> {
        self.other
            .iter()
            .filter_map(|(&port, names)| names.by_name(name).map(|i| (port, i)))
            .collect()
    }
}

/// nginx: the TLS server itself listens on a plain socket too (`listen 80;`
/// beside `listen 443 ssl;`) and does not redirect requests that came in
/// plain (`if ($scheme = http) { return 308 ...; }`).
fn mixed(ep: &Endpoint, name: &str, p: &PlainServer, at: Span, out: &mut Vec<Finding>) {
    let socket = p
        .listen
        .iter()
        .find(|l| l.span == at)
        .map_or_else(|| "a plain socket".to_string(), |l| l.socket());
    let mut f = finding(
        &META,
        at,
        format!("this server also listens on {socket} without TLS: plain HTTP for {name} is served there, and the server does not redirect it to https"),
        "plain HTTP, same server".into(),
        Some("write `if ($scheme = http) { return 308 https://$host$request_uri; }` in this server, or move the plain `listen` to a server of its own that redirects (keep /.well-known/acme-challenge/ reachable if you use it)".into()),
        ep,
    );
    f.related.push(Related {
        span: ep.listen.first().map_or(ep.span, |l| l.span),
        message: "its TLS socket".into(),
    });
    out.push(f);
}

/// A plain server on another port others can reach that lists the name:
/// `http://name:PORT/` is served without TLS.
fn elsewhere(
    cx: &Context<'_>,
    ep: &Endpoint,
    name: &str,
    port: u16,
    i: usize,
    seen: &mut Vec<(Span, u16)>,
    out: &mut Vec<Finding>,
) {
    let p = &cx.plain[i];
    if p.redirects_to_https || seen.contains(&(p.span, port)) {
        return;
    }
    seen.push((p.span, port));
    let at = p
        .listen
        .iter()
        .find(|l| l.port == Some(port) && reachable(l))
        .map_or(p.span, |l| l.span);
    let (message, help) = match ep.server {
        ServerKind::Nginx if p.tls_too && p.span == ep.span => (
            format!("this server also listens on port {port} without TLS: plain HTTP for {name} is served there, and the server does not redirect it to https"),
            format!("write `if ($scheme = http) {{ return 308 https://$host$request_uri; }}` in this server, or remove the plain `listen` for port {port}"),
        ),
        ServerKind::Nginx => (
            format!("plain HTTP for {name} is also served on port {port} by this server, which does not redirect to https"),
            format!("write `return 308 https://$host$request_uri;` in this server, or `listen 127.0.0.1:{port};` if only local clients (a proxy in front) use it"),
        ),
        ServerKind::Apache => (
            format!("plain HTTP for {name} is also served on port {port} by this virtual host, which does not redirect to https"),
            format!("write `Redirect permanent / https://{name}/` in this virtual host, or write `Listen 127.0.0.1:{port}` and `<VirtualHost 127.0.0.1:{port}>` if only local clients (a proxy in front) use it"),
        ),
    };
    let label = format!("answers http:// on port {port} without redirecting");
    push(ep, name, at, message, label, help, out);
}

/// The finding at a plain server, with the TLS server it shadows.
fn push(
    ep: &Endpoint,
    name: &str,
    at: Span,
    message: String,
    label: String,
    help: String,
    out: &mut Vec<Finding>,
) {
    let mut f = finding(&META, at, message, label, Some(help), ep);
    f.related.push(Related {
        span: ep.span,
        message: format!(
            "the TLS {} for {name}",
            crate::rules::cipher_facts::server_noun(ep)
        ),
    });
    out.push(f);
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
        let mut seen_other: Vec<(crate::source::Span, u16)> = Vec::new();
        for name in ep
            .server_names
            .iter()
            .filter(|n| !n.is_empty() && !n.starts_with('~') && !n.contains('*') && *n != "_")
        {
            for (port, i) in cx.plain_index.other_ports(name) {
                elsewhere(cx, ep, name, port, i, &mut seen_other, out);
            }
            let Some(i) = cx.plain_index.answering(name) else {
                continue;
            };
            let p = &cx.plain[i];
            if p.redirects_to_https || seen.contains(&p.span) {
                continue;
            }
            seen.push(p.span);
            if p.tls_too && p.span == ep.span {
                let at = p.listen.iter().find(|l| l.port == Some(80));
                mixed(ep, name, p, at.map_or(p.span, |l| l.span), out);
                continue;
            }
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
            let label = "answers http:// without redirecting".to_string();
            push(ep, name, p.span, message, label, help, out);
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
            tls_too: false,
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
