//! From an nginx tree to TLS endpoints: every `server` in `http` and `stream`
//! with a TLS listener (`listen ... ssl`, `listen ... quic`, or `ssl on`),
//! with the effective value of each setting the rules read.
//!
//! nginx semantics reproduced here:
//! - the ssl module's settings live at http/stream and server level; a server
//!   inherits what it does not set (ngx_http_ssl_merge_srv_conf); array
//!   directives (`ssl_certificate`, `ssl_conf_command`, `add_header`) inherit
//!   as a whole list, only when the inner level has none;
//! - repeated `ssl_protocols` in one block add up (a bitmask slot);
//! - a socket (address:port) is TLS when any server's `listen` on it says `ssl`;
//! - the default server of a socket is the one with `default_server`, else
//!   the first to listen on it; before 1.29.2 (or with OpenSSL < 1.1.1) it
//!   decides the protocol version for every server on the socket;
//! - an `add_header` in a location/if drops every inherited one, unless
//!   `add_header_inherit merge` (1.29.3+) says otherwise; headers-more's
//!   `more_set_headers` add up from the outer levels instead (see [`More`]);
//!   each location's HSTS header is kept (`Endpoint::hsts_blocks`), with
//!   values built from `set`/`map` resolved where static (see [`Vars`]).

use std::collections::HashMap;

use crate::model::{
    CertPair, DecidedBy, Endpoint, Hsts, HstsBlock, HstsDrop, Listen, PlainServer, ServerKind,
    Setting, Source, UpstreamTls,
};
use crate::nginx::ast::{Directive, Node};
use crate::nginx::defaults::{self, Target};
use crate::nginx::loader::Tree;
use crate::source::Span;

/// A guard for the recursive walks below. It is never reached: the loader
/// refuses, with an error, includes nested deeper than 128 levels and blocks
/// nested deeper than 200 counting across includes (`loader::count_spliced`),
/// so no part of a tree that loaded is skipped here.
const MAX_DEPTH: usize = 256;

/// The directives directly in a block, with includes spliced in.
fn children<'t>(tree: &'t Tree, items: &'t [Node]) -> Vec<&'t Directive> {
    let mut out = Vec::new();
    push_children(tree, items, &mut out, 0);
    out
}

fn push_children<'t>(
    tree: &'t Tree,
    items: &'t [Node],
    out: &mut Vec<&'t Directive>,
    depth: usize,
) {
    for n in items {
        let Node::Directive(d) = n else { continue };
        if d.is("include") {
            if depth < MAX_DEPTH {
                for &f in &d.includes {
                    if let Some(cf) = tree.file(f) {
                        push_children(tree, &cf.items, out, depth + 1);
                    }
                }
            }
        } else {
            out.push(d);
        }
    }
}

fn block_children<'t>(tree: &'t Tree, d: &'t Directive) -> Vec<&'t Directive> {
    match &d.block {
        Some(b) => children(tree, &b.items),
        None => Vec::new(),
    }
}

/// Levels of configuration, innermost first (server, then http).
struct Levels<'a, 't> {
    levels: Vec<&'a [&'t Directive]>,
    anchor: Span,
}

impl<'a, 't> Levels<'a, 't> {
    fn first(&self, name: &str) -> Option<(&'t Directive, Source)> {
        for (i, lvl) in self.levels.iter().enumerate() {
            if let Some(d) = lvl.iter().find(|d| d.is(name)) {
                let src = if i == 0 {
                    Source::Set(d.span)
                } else {
                    Source::Inherited(d.span)
                };
                return Some((d, src));
            }
        }
        None
    }

    /// All occurrences at the innermost level that has any.
    fn all(&self, name: &str) -> Option<(Vec<&'t Directive>, usize)> {
        for (i, lvl) in self.levels.iter().enumerate() {
            let v: Vec<&'t Directive> = lvl.iter().copied().filter(|d| d.is(name)).collect();
            if !v.is_empty() {
                return Some((v, i));
            }
        }
        None
    }

    fn default(&self, note: impl Into<std::borrow::Cow<'static, str>>) -> Source {
        Source::Default {
            anchor: self.anchor,
            note: note.into(),
        }
    }

    fn string(
        &self,
        name: &str,
        default: &str,
        note: impl Into<std::borrow::Cow<'static, str>>,
    ) -> Setting<String> {
        match self.first(name) {
            Some((d, src)) => {
                Setting::new(d.args.first().map(|a| a.value()).unwrap_or_default(), src)
            }
            None => Setting::new(default.to_string(), self.default(note)),
        }
    }

    fn opt_string(
        &self,
        name: &str,
        note: impl Into<std::borrow::Cow<'static, str>>,
    ) -> Setting<Option<String>> {
        match self.first(name) {
            Some((d, src)) => Setting::new(d.args.first().map(|a| a.value()), src),
            None => Setting::new(None, self.default(note)),
        }
    }

    fn flag(
        &self,
        name: &str,
        default: bool,
        note: impl Into<std::borrow::Cow<'static, str>>,
    ) -> Setting<bool> {
        match self.first(name) {
            Some((d, src)) => Setting::new(
                d.args
                    .first()
                    .map(|a| a.value().eq_ignore_ascii_case("on"))
                    .unwrap_or(default),
                src,
            ),
            None => Setting::new(default, self.default(note)),
        }
    }

    /// ssl_protocols-style bitmask: every occurrence in the innermost block
    /// that has one adds up; names are matched case-insensitively, as nginx
    /// does, and written canonically (unknown names are kept as written).
    fn protocols(&self, name: &str, t: &Target) -> Setting<Vec<String>> {
        match self.all(name) {
            Some((ds, lvl)) => {
                let mut v: Vec<String> = Vec::new();
                for d in &ds {
                    for a in &d.args {
                        let raw = a.value();
                        let s = canonical_protocol(&raw).map(str::to_string).unwrap_or(raw);
                        if !v.contains(&s) {
                            v.push(s);
                        }
                    }
                }
                let span = ds[0].span;
                let src = if lvl == 0 {
                    Source::Set(span)
                } else {
                    Source::Inherited(span)
                };
                Setting::new(sort_protocols(v), src)
            }
            None => {
                let (list, note) = defaults::default_protocols(t.nginx);
                Setting::new(list, self.default(note))
            }
        }
    }

    fn src(&self, lvl: usize, d: &Directive) -> Source {
        if lvl == 0 {
            Source::Set(d.span)
        } else {
            Source::Inherited(d.span)
        }
    }

    /// The protocols and cipher string after the `ssl_conf_command`s, which
    /// nginx applies after its own settings: `CipherString` replaces
    /// ssl_ciphers; `Protocol` enables (`-`: disables) versions; `MinProtocol`
    /// and `MaxProtocol` bound them.
    fn with_conf_commands(
        &self,
        protocols: Setting<Vec<String>>,
        ciphers: Setting<String>,
        t: &Target,
    ) -> (Setting<Vec<String>>, Setting<String>) {
        let Some((ds, lvl)) = self.all("ssl_conf_command") else {
            return (protocols, ciphers);
        };
        let cmds: Vec<(String, String, Source)> = ds
            .iter()
            .filter_map(|d| {
                let a = d.arg_values();
                Some((a.first()?.clone(), a.get(1)?.clone(), self.src(lvl, d)))
            })
            .collect();
        apply_conf_commands(protocols, ciphers, &cmds, t.openssl)
    }

    /// The protocols in force for a server: ssl_protocols, then the
    /// configuration commands.
    fn effective_protocols(&self, t: &Target) -> Setting<Vec<String>> {
        let p = self.protocols("ssl_protocols", t);
        let c = self.string("ssl_ciphers", defaults::DEFAULT_CIPHERS, "");
        self.with_conf_commands(p, c, t).0
    }
}

/// Protocol versions as nginx names them, oldest first.
pub const PROTOCOLS: [&str; 6] = ["SSLv2", "SSLv3", "TLSv1", "TLSv1.1", "TLSv1.2", "TLSv1.3"];

/// The canonical spelling of a protocol name (nginx and OpenSSL compare
/// case-insensitively), if it is one.
pub fn canonical_protocol(s: &str) -> Option<&'static str> {
    PROTOCOLS
        .iter()
        .copied()
        .find(|p| p.eq_ignore_ascii_case(s))
}

fn sort_protocols(mut v: Vec<String>) -> Vec<String> {
    v.sort_by_key(|p| PROTOCOLS.iter().position(|x| x == p).unwrap_or(usize::MAX));
    v
}

/// The protocols and cipher string after OpenSSL configuration commands, as
/// a server that sets versions by `SSL_OP_NO_*` options applies them after
/// its own settings (nginx's `ssl_conf_command`; Apache's `SSLOpenSSLConfCmd`
/// with OpenSSL before 1.1.0 — later, Apache sets a minimum and maximum: see
/// `apache::resolve`): `CipherString` replaces the cipher string; `Protocol`
/// enables (`-`: disables) versions, `ALL` being those the OpenSSL build has;
/// `MinProtocol` and `MaxProtocol` bound them.
pub fn apply_conf_commands(
    protocols: Setting<Vec<String>>,
    ciphers: Setting<String>,
    cmds: &[(String, String, Source)],
    openssl: crate::version::Version,
) -> (Setting<Vec<String>>, Setting<String>) {
    use crate::version::Version;
    // SSLv2 went in OpenSSL 1.1.0, SSLv3 is not built by default since
    // 1.1.0, TLSv1.3 came in 1.1.1
    let built = |p: &&str| match *p {
        "SSLv2" | "SSLv3" => openssl < Version::new(1, 1, 0),
        "TLSv1.3" => openssl >= Version::new(1, 1, 1),
        _ => true,
    };
    let (mut protocols, mut ciphers) = (protocols, ciphers);
    let (mut min, mut max): (Option<usize>, Option<usize>) = (None, None);
    let mut bound_src: Option<Source> = None;
    for (cmd, value, src) in cmds {
        if cmd.eq_ignore_ascii_case("CipherString") {
            ciphers = Setting::new(value.clone(), src.clone());
        } else if cmd.eq_ignore_ascii_case("Protocol") {
            let mut set = protocols.value.clone();
            for item in value.split(',').map(str::trim).filter(|i| !i.is_empty()) {
                let (off, name) = match item.strip_prefix('-') {
                    Some(n) => (true, n),
                    None => (false, item.strip_prefix('+').unwrap_or(item)),
                };
                let names: Vec<&str> = if name.eq_ignore_ascii_case("ALL") {
                    PROTOCOLS.iter().copied().filter(built).collect()
                } else {
                    canonical_protocol(name).into_iter().collect()
                };
                for n in names {
                    if off {
                        set.retain(|p| p != n);
                    } else if !set.iter().any(|p| p == n) {
                        set.push(n.to_string());
                    }
                }
            }
            protocols = Setting::new(sort_protocols(set), src.clone());
        } else if cmd.eq_ignore_ascii_case("MinProtocol") || cmd.eq_ignore_ascii_case("MaxProtocol")
        {
            let bound =
                canonical_protocol(value).and_then(|c| PROTOCOLS.iter().position(|p| *p == c));
            if cmd.eq_ignore_ascii_case("MinProtocol") {
                min = bound;
            } else {
                max = bound;
            }
            bound_src = Some(src.clone());
        }
    }
    if let Some(src) = bound_src {
        let kept: Vec<String> = protocols
            .value
            .iter()
            .filter(|p| match PROTOCOLS.iter().position(|x| x == p) {
                Some(i) => min.is_none_or(|m| i >= m) && max.is_none_or(|m| i <= m),
                None => true,
            })
            .cloned()
            .collect();
        if kept != protocols.value {
            protocols = Setting::new(kept, src);
        }
    }
    (protocols, ciphers)
}

/// Parse a `listen` directive's address part (ngx_parse_url forms).
fn parse_listen(d: &Directive, stream: bool) -> Option<Listen> {
    let first = d.args.first()?.value();
    let (addr, port): (String, Option<u16>) = if first.starts_with("unix:") {
        (first.clone(), None)
    } else if let Some(rest) = first.strip_prefix('[') {
        let close = rest.find(']')?;
        let host = format!("[{}]", &rest[..close]);
        let after = &rest[close + 1..];
        let port = match after.strip_prefix(':') {
            Some(p) => Some(p.parse().ok()?),
            None if stream => None,
            None => Some(80),
        };
        (host, port)
    } else if first.bytes().all(|c| c.is_ascii_digit()) {
        ("*".to_string(), Some(first.parse().ok()?))
    } else if let Some((h, p)) = first.rsplit_once(':') {
        (h.to_string(), Some(p.parse().ok()?))
    } else {
        (first.clone(), if stream { None } else { Some(80) })
    };
    let addr = match addr.as_str() {
        "0.0.0.0" => "*".to_string(),
        "[::0]" | "[0:0:0:0:0:0:0:0]" => "[::]".to_string(),
        _ => addr,
    };
    let mut l = Listen {
        addr,
        port,
        default_server: false,
        ssl: false,
        quic: false,
        http2: false,
        span: d.span,
    };
    for a in &d.args[1..] {
        match a.value().as_str() {
            "default_server" | "default" => l.default_server = true,
            "ssl" => l.ssl = true,
            "quic" => l.quic = true,
            "http2" => l.http2 = true,
            _ => {}
        }
    }
    Some(l)
}

struct ServerInfo<'t> {
    block: &'t Directive,
    dirs: Vec<&'t Directive>,
    listens: Vec<Listen>,
    names: Vec<String>,
    ssl_on: Option<&'t Directive>,
}

/// Socket identity: address, port, and whether it is the QUIC (UDP) one.
type SocketKey = (String, Option<u16>, bool);

fn key(l: &Listen) -> SocketKey {
    (l.addr.clone(), l.port, l.quic)
}

/// Resolve every TLS endpoint of the tree.
pub fn endpoints(tree: &Tree, target: &Target) -> Vec<Endpoint> {
    resolve(tree, target).0
}

/// TLS endpoints and the plain-HTTP servers of the tree.
pub fn resolve(tree: &Tree, target: &Target) -> (Vec<Endpoint>, Vec<PlainServer>) {
    let mut out = Vec::new();
    let mut plain = Vec::new();
    let Some(root) = tree.file(tree.root) else {
        return (out, plain);
    };
    for top in children(tree, &root.items) {
        let context = if top.is("http") {
            "http"
        } else if top.is("stream") {
            "stream"
        } else {
            continue;
        };
        let outer = block_children(tree, top);
        resolve_context(tree, target, context, top, &outer, &mut out, &mut plain);
    }
    (out, plain)
}

fn resolve_context<'t>(
    tree: &'t Tree,
    target: &Target,
    context: &str,
    _top: &'t Directive,
    outer: &[&'t Directive],
    out: &mut Vec<Endpoint>,
    plain: &mut Vec<PlainServer>,
) {
    let stream = context == "stream";
    let outer_ssl_on = outer
        .iter()
        .find(|d| d.is("ssl") && first_arg_is(d, "on"))
        .copied();
    let mut servers: Vec<ServerInfo<'t>> = Vec::new();
    let servers_in_context: Vec<&'t Directive> =
        outer.iter().copied().filter(|d| d.is("server")).collect();
    // settings are looked up among the simple directives of the context only:
    // scanning its thousands of server blocks for each setting of each server
    // would make resolution quadratic (`map` blocks stay: header values
    // are built from them)
    let simple: Vec<&'t Directive> = outer
        .iter()
        .copied()
        .filter(|d| d.block.is_none() || d.is("map"))
        .collect();
    let outer: &[&'t Directive] = &simple;
    for s in servers_in_context {
        let dirs = block_children(tree, s);
        let mut listens: Vec<Listen> = dirs
            .iter()
            .filter(|d| d.is("listen"))
            .filter_map(|d| parse_listen(d, stream))
            .collect();
        let own_ssl_on = dirs.iter().find(|d| d.is("ssl")).copied();
        let ssl_on = match own_ssl_on {
            Some(d) if first_arg_is(d, "on") => Some(d),
            Some(_) => None,
            None => outer_ssl_on,
        };
        if listens.is_empty() && !stream {
            // nginx: a server without listen listens on *:80
            listens.push(Listen {
                addr: "*".into(),
                port: Some(80),
                default_server: false,
                ssl: false,
                quic: false,
                http2: false,
                span: s.span,
            });
        }
        if ssl_on.is_some() {
            for l in listens.iter_mut() {
                if !l.quic {
                    l.ssl = true;
                }
            }
        }
        let names: Vec<String> = if stream {
            Vec::new()
        } else {
            let v: Vec<String> = dirs
                .iter()
                .filter(|d| d.is("server_name"))
                .flat_map(|d| d.args.iter().map(|a| a.value()))
                .collect();
            if v.is_empty() {
                vec![String::new()]
            } else {
                v
            }
        };
        servers.push(ServerInfo {
            block: s,
            dirs,
            listens,
            names,
            ssl_on,
        });
    }

    // a socket is TLS when any server says ssl on it
    let mut tls_socket: HashMap<SocketKey, bool> = HashMap::new();
    for s in &servers {
        for l in &s.listens {
            *tls_socket.entry(key(l)).or_default() |= l.ssl;
        }
    }
    // default server of each socket: the marked one, else the first
    let mut default_of: HashMap<SocketKey, usize> = HashMap::new();
    for (i, s) in servers.iter().enumerate() {
        for l in &s.listens {
            if l.default_server {
                default_of.entry(key(l)).or_insert(i);
            }
        }
    }
    for (i, s) in servers.iter().enumerate() {
        for l in &s.listens {
            default_of.entry(key(l)).or_insert(i);
        }
    }

    let per_server = defaults::per_server_protocols(target);
    let mut protos_cache: HashMap<usize, Setting<Vec<String>>> = HashMap::new();
    for (i, s) in servers.iter().enumerate() {
        let tls_listens: Vec<Listen> = s
            .listens
            .iter()
            .filter(|l| l.quic || tls_socket.get(&key(l)).copied().unwrap_or(false))
            .map(|l| {
                let mut l = l.clone();
                l.ssl = !l.quic;
                l
            })
            .collect();
        let default_for: Vec<String> = s
            .listens
            .iter()
            .filter(|l| default_of.get(&key(l)) == Some(&i))
            .map(|l| l.socket())
            .collect();
        // the plain sockets of the server (all of them, or beside TLS ones:
        // `listen 80; listen 443 ssl;` serves the same site in plain HTTP)
        let plain_listens: Vec<Listen> = s
            .listens
            .iter()
            .filter(|l| !l.quic && !tls_socket.get(&key(l)).copied().unwrap_or(false))
            .cloned()
            .collect();
        if !stream && !plain_listens.is_empty() {
            plain.push(PlainServer {
                span: s.block.span,
                server_names: s.names.clone(),
                default_for: default_for
                    .iter()
                    .filter(|d| plain_listens.iter().any(|l| &l.socket() == *d))
                    .cloned()
                    .collect(),
                listen: plain_listens,
                redirects_to_https: redirects_to_https(tree, &s.dirs, 0),
                tls_too: !tls_listens.is_empty(),
            });
        }
        if tls_listens.is_empty() {
            continue;
        }
        let anchor = tls_listens[0].span;
        let lv = Levels {
            levels: vec![&s.dirs, outer],
            anchor,
        };
        let protocols = lv.effective_protocols(target);
        let mut decided = Vec::new();
        if let Err(reason) = &per_server {
            for l in tls_listens.iter().filter(|l| !l.quic) {
                let Some(&d) = default_of.get(&key(l)) else {
                    continue;
                };
                if d == i || decided.iter().any(|(x, _): &(usize, _)| *x == d) {
                    continue;
                }
                let ds = &servers[d];
                let setting = protos_cache
                    .entry(d)
                    .or_insert_with(|| {
                        let dlv = Levels {
                            levels: vec![&ds.dirs, outer],
                            anchor: ds.listens.first().map(|l| l.span).unwrap_or(ds.block.span),
                        };
                        dlv.effective_protocols(target)
                    })
                    .clone();
                decided.push((
                    d,
                    (
                        DecidedBy {
                            socket: l.socket(),
                            server: ds.block.span,
                            server_names: ds.names.clone(),
                            reason: reason.clone(),
                        },
                        setting,
                    ),
                ));
            }
        }
        let mut ep = build_endpoint(
            tree,
            target,
            context,
            s,
            outer,
            &lv,
            tls_listens,
            protocols,
            decided,
        );
        ep.default_for = default_for;
        out.push(ep);
    }
}

fn first_arg_is(d: &Directive, v: &str) -> bool {
    d.args
        .first()
        .is_some_and(|a| a.value().eq_ignore_ascii_case(v))
}

#[allow(clippy::too_many_arguments)]
fn build_endpoint<'t>(
    tree: &'t Tree,
    target: &Target,
    context: &str,
    s: &ServerInfo<'t>,
    outer: &[&'t Directive],
    lv: &Levels<'_, 't>,
    listen: Vec<Listen>,
    protocols: Setting<Vec<String>>,
    decided: Vec<(usize, (DecidedBy, Setting<Vec<String>>))>,
) -> Endpoint {
    let stream = context == "stream";
    // certificates: the arrays pair by position
    let certs = lv.all("ssl_certificate");
    let keys = lv.all("ssl_certificate_key");
    let mut certificates = Vec::new();
    if let Some((cds, clvl)) = &certs {
        let kds = keys.as_ref().map(|(k, l)| (k.clone(), *l));
        for (idx, cd) in cds.iter().enumerate() {
            let csrc = if *clvl == 0 {
                Source::Set(cd.span)
            } else {
                Source::Inherited(cd.span)
            };
            let key = kds.as_ref().and_then(|(k, kl)| {
                k.get(idx).map(|kd| {
                    let ksrc = if *kl == 0 {
                        Source::Set(kd.span)
                    } else {
                        Source::Inherited(kd.span)
                    };
                    Setting::new(kd.args.first().map(|a| a.value()).unwrap_or_default(), ksrc)
                })
            });
            certificates.push(CertPair {
                certificate: Setting::new(
                    cd.args.first().map(|a| a.value()).unwrap_or_default(),
                    csrc,
                ),
                key,
                chain: None,
            });
        }
    }
    let conf_commands = match lv.all("ssl_conf_command") {
        Some((ds, lvl)) => {
            let v: Vec<(String, String)> = ds
                .iter()
                .map(|d| {
                    let a = d.arg_values();
                    (
                        a.first().cloned().unwrap_or_default(),
                        a.get(1).cloned().unwrap_or_default(),
                    )
                })
                .collect();
            let src = if lvl == 0 {
                Source::Set(ds[0].span)
            } else {
                Source::Inherited(ds[0].span)
            };
            Setting::new(v, src)
        }
        None => Setting::new(Vec::new(), lv.default("nginx default: no ssl_conf_command")),
    };
    let resolver = match lv.first("resolver") {
        Some((d, src)) => Setting::new(Some(d.arg_values()), src),
        None => Setting::new(None, lv.default("nginx default: no resolver")),
    };
    let verify_depth = match lv.first("ssl_verify_depth") {
        Some((d, src)) => Setting::new(
            d.args
                .first()
                .and_then(|a| a.value().parse().ok())
                .unwrap_or(1),
            src,
        ),
        None => Setting::new(1, lv.default("nginx default: ssl_verify_depth 1")),
    };
    let (hsts, hsts_dropped, upstreams, hw) = if stream {
        (
            Setting::new(None, lv.default("stream servers send no HTTP headers")),
            Vec::new(),
            stream_upstreams(lv, target),
            HstsWalk::default(),
        )
    } else {
        let mut ups = Vec::new();
        let mut hw = HstsWalk::default();
        let base = HeaderLevel::server(&s.dirs, outer, target);
        let mut chain: Vec<Vec<&'t Directive>> = vec![s.dirs.clone(), outer.to_vec()];
        let hsts = match base.hsts(&Vars {
            tree,
            chain: &chain,
        }) {
            Some((h, d)) => {
                let own = s.dirs.iter().any(|x| std::ptr::eq(*x, d));
                Setting::new(
                    Some(h),
                    if own {
                        Source::Set(d.span)
                    } else {
                        Source::Inherited(d.span)
                    },
                )
            }
            None => headers_hsts(&s.dirs, outer, lv.anchor),
        };
        if hsts.value.is_none() {
            // the server's own add_header drops an http-level HSTS header
            let http = HeaderLevel::server(&[], outer, target);
            let http_hsts = http.hsts(&Vars {
                tree,
                chain: &[Vec::new(), outer.to_vec()],
            });
            let own = s.dirs.iter().find(|d| d.is("add_header"));
            if let (Some((_, h)), Some(o)) = (http_hsts, own) {
                hw.drops.push(HstsDrop {
                    block: s.block.span,
                    add_header: o.span,
                    inherited: Some(h.span),
                    by: "add_header".into(),
                    included_at: None,
                });
            }
        }
        hw.cover_rest = s.dirs.iter().any(|d| d.is("location") && catches_all(d));
        // a server whose own add_header drops http's HSTS: its locations
        // go without because of that drop
        let server_drop = !hw.drops.is_empty();
        walk_locations(
            tree,
            target,
            &s.dirs,
            &base,
            &mut chain,
            &mut hw,
            &mut ups,
            lv.anchor,
            "",
            server_drop,
            0,
        );
        let mut drops = std::mem::take(&mut hw.drops);
        for d in &mut drops {
            if d.block.file != s.block.span.file {
                d.included_at = s
                    .block
                    .block
                    .as_ref()
                    .and_then(|b| include_site(tree, &b.items, d.block.file, 0));
            }
        }
        (hsts, drops, ups, hw)
    };
    let (protocols, decided_by) = (protocols, decided.into_iter().map(|(_, x)| x).collect());
    let ciphers = lv.string(
        "ssl_ciphers",
        defaults::DEFAULT_CIPHERS,
        format!("nginx default: ssl_ciphers {}", defaults::DEFAULT_CIPHERS),
    );
    let ciphers = lv.with_conf_commands(protocols.clone(), ciphers, target).1;
    Endpoint {
        server: ServerKind::Nginx,
        context: context.to_string(),
        span: s.block.span,
        listen,
        server_names: s.names.clone(),
        protocols,
        protocols_decided_by: decided_by,
        ciphers,
        prefer_server_ciphers: lv.flag(
            "ssl_prefer_server_ciphers",
            false,
            "nginx default: ssl_prefer_server_ciphers off",
        ),
        ecdh_curve: lv.string(
            "ssl_ecdh_curve",
            defaults::default_ecdh_curve(target.nginx),
            format!(
                "nginx {} default: ssl_ecdh_curve {}",
                target.nginx,
                defaults::default_ecdh_curve(target.nginx)
            ),
        ),
        dhparam: lv.opt_string("ssl_dhparam", "nginx default: no ssl_dhparam (no DHE)"),
        conf_commands,
        certificates,
        password_file: lv.opt_string("ssl_password_file", "nginx default: no ssl_password_file"),
        session_tickets: lv.flag(
            "ssl_session_tickets",
            true,
            "nginx default: ssl_session_tickets on",
        ),
        // every word: `ssl_session_cache builtin:1000 shared:SSL:10m`
        session_cache: match lv.first("ssl_session_cache") {
            Some((d, src)) => Setting::new(d.arg_values().join(" "), src),
            None => Setting::new(
                "none".to_string(),
                lv.default("nginx default: ssl_session_cache none"),
            ),
        },
        session_timeout: lv.string(
            "ssl_session_timeout",
            "5m",
            "nginx default: ssl_session_timeout 5m",
        ),
        stapling: lv.flag("ssl_stapling", false, "nginx default: ssl_stapling off"),
        stapling_verify: lv.flag(
            "ssl_stapling_verify",
            false,
            "nginx default: ssl_stapling_verify off",
        ),
        stapling_responder: lv.opt_string(
            "ssl_stapling_responder",
            "nginx default: the certificate's OCSP responder",
        ),
        trusted_certificate: lv.opt_string(
            "ssl_trusted_certificate",
            "nginx default: no ssl_trusted_certificate",
        ),
        resolver,
        verify_client: lv.string(
            "ssl_verify_client",
            "off",
            "nginx default: ssl_verify_client off",
        ),
        client_certificate: lv.opt_string(
            "ssl_client_certificate",
            "nginx default: no ssl_client_certificate",
        ),
        verify_depth,
        crl: lv.opt_string("ssl_crl", "nginx default: no ssl_crl"),
        early_data: lv.flag("ssl_early_data", false, "nginx default: ssl_early_data off"),
        reject_handshake: lv.flag(
            "ssl_reject_handshake",
            false,
            "nginx default: ssl_reject_handshake off",
        ),
        hsts,
        hsts_dropped,
        hsts_blocks: hw.blocks,
        hsts_blocks_cover_rest: hw.cover_rest,
        never_answers: if stream {
            None
        } else {
            never_answers(tree, &s.dirs)
        },
        upstreams,
        ssl_on: s.ssl_on.map(|d| d.span),
        default_for: Vec::new(),
        session_ticket_keys: match lv.all("ssl_session_ticket_key") {
            Some((ds, lvl)) => Setting::new(
                ds.iter()
                    .filter_map(|d| d.args.first().map(|a| a.value()))
                    .collect(),
                lv.src(lvl, ds[0]),
            ),
            None => Setting::new(
                Vec::new(),
                lv.default("nginx default: no ssl_session_ticket_key"),
            ),
        },
        apache: None,
    }
}

fn is_https_redirect(d: &Directive) -> bool {
    let v = d.arg_values();
    if d.is("return") {
        let url = match v.as_slice() {
            [code, url, ..] if matches!(code.as_str(), "301" | "302" | "303" | "307" | "308") => {
                url
            }
            [url] => url,
            _ => return false,
        };
        return url.to_ascii_lowercase().starts_with("https://");
    }
    if d.is("rewrite") {
        return v
            .get(1)
            .is_some_and(|u| u.to_ascii_lowercase().starts_with("https://"));
    }
    false
}

/// A server that sends everything to https: a `return`/`rewrite` to an
/// https URL at server level, in an `if` there, or in `location /`.
fn redirects_to_https(tree: &Tree, dirs: &[&Directive], depth: usize) -> bool {
    if depth > 2 {
        return false;
    }
    for d in dirs {
        if is_https_redirect(d) {
            return true;
        }
        let root_location = d.is("location") && d.arg_values().last().is_some_and(|a| a == "/");
        if (d.is("if") || root_location)
            && redirects_to_https(tree, &block_children(tree, d), depth + 1)
        {
            return true;
        }
    }
    false
}

const STS: &str = "strict-transport-security";

/// `add_header Strict-Transport-Security ...`.
fn is_hsts(d: &Directive) -> bool {
    d.is("add_header")
        && d.args
            .first()
            .is_some_and(|a| a.value().eq_ignore_ascii_case(STS))
}

/// A value with its variables replaced by their static values, if they
/// all have one (see [`Vars`]).
fn hsts_value(raw: String, vars: &Vars<'_, '_>) -> Option<(String, Option<String>)> {
    if !raw.contains('$') {
        return Some((raw, None));
    }
    match vars.expand(&raw) {
        Some(v) => Some((v, Some(raw))),
        None => Some((raw, None)),
    }
    .filter(|(v, _)| !v.is_empty())
}

/// The HSTS header of an `add_header Strict-Transport-Security` line; None
/// when its value is empty (nginx then sends no header).
fn hsts_of(d: &Directive, vars: &Vars<'_, '_>) -> Option<Hsts> {
    let v = d.arg_values();
    let (value, written) = hsts_value(v.get(1).cloned().unwrap_or_default(), vars)?;
    Some(Hsts {
        value,
        always: v.get(2).is_some_and(|a| a == "always"),
        directive: "add_header".into(),
        statuses: Vec::new(),
        written,
    })
}

/// What a headers-more command does to Strict-Transport-Security.
///
/// headers-more (ngx_headers_more, checked with the Debian module 0.34 on
/// nginx 1.22.1): `more_set_headers [-s STATUSES] [-t TYPES] 'Name: value'
/// ...` sets the header with every status code unless `-s` limits it (like
/// add_header's `always`); an empty value, or `more_clear_headers Name`
/// (`Name*` wildcards too), removes it. The commands of the enclosing levels
/// run first, then the block's own — an add_header in a location does not
/// affect them — and its header goes out before add_header's, so user
/// agents heed it.
struct More {
    /// The value (None: the header is removed).
    value: Option<String>,
    statuses: Vec<u16>,
    /// `-t`: limited to some content types.
    types: bool,
}

fn more_of(d: &Directive) -> Option<More> {
    let clear = d.is("more_clear_headers");
    if !clear && !d.is("more_set_headers") {
        return None;
    }
    let v = d.arg_values();
    let (mut statuses, mut types, mut found) = (Vec::new(), false, None);
    let mut i = 0;
    while i < v.len() {
        let a = &v[i];
        if a == "-s" || a == "-t" {
            if let Some(list) = v.get(i + 1) {
                if a == "-s" {
                    statuses.extend(
                        list.split_whitespace()
                            .filter_map(|x| x.parse::<u16>().ok()),
                    );
                } else {
                    types = true;
                }
            }
            i += 2;
            continue;
        }
        let (name, value) = match a.split_once(':') {
            Some((n, val)) => (n.trim(), val.trim()),
            None => (a.trim(), ""),
        };
        let lname = name.to_ascii_lowercase();
        let hit = match lname.strip_suffix('*') {
            Some(prefix) if clear => STS.starts_with(prefix),
            _ => lname == STS,
        };
        if hit {
            found = Some(if clear || value.is_empty() {
                None
            } else {
                Some(value.to_string())
            });
        }
        i += 1;
    }
    found.map(|value| More {
        value,
        statuses,
        types,
    })
}

/// HSTS as the server level sends it (server add_headers, else http's).
fn headers_hsts<'t>(
    server: &[&'t Directive],
    http: &[&'t Directive],
    anchor: Span,
) -> Setting<Option<Hsts>> {
    let note = if server.iter().chain(http).any(|d| d.is("add_header")) {
        "no Strict-Transport-Security add_header"
    } else {
        "no add_header Strict-Transport-Security"
    };
    Setting::new(
        None,
        Source::Default {
            anchor,
            note: note.into(),
        },
    )
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Inherit {
    Off,
    On,
    Merge,
}

fn header_inherit(server: &[&Directive], http: &[&Directive], t: &Target) -> Inherit {
    if !defaults::has_add_header_inherit(t.nginx) {
        return Inherit::On;
    }
    for lvl in [server, http] {
        if let Some(d) = lvl.iter().find(|d| d.is("add_header_inherit")) {
            return parse_inherit(d);
        }
    }
    Inherit::On
}

fn parse_inherit(d: &Directive) -> Inherit {
    match d.args.first().map(|a| a.value()).as_deref() {
        Some("off") => Inherit::Off,
        Some("merge") => Inherit::Merge,
        _ => Inherit::On,
    }
}

fn merge_headers<'t>(
    own: Vec<&'t Directive>,
    inherited: Vec<&'t Directive>,
    inherit: Inherit,
) -> Vec<&'t Directive> {
    match inherit {
        Inherit::Off => own,
        Inherit::On => {
            if own.is_empty() {
                inherited
            } else {
                own
            }
        }
        Inherit::Merge => {
            let mut v = own;
            v.extend(inherited);
            v
        }
    }
}

/// The response headers in force at one level: the add_header list (an
/// inner level's own replaces the inherited one), and the headers-more
/// commands (which add up, outer first).
#[derive(Clone)]
struct HeaderLevel<'t> {
    add: Vec<&'t Directive>,
    inherit: Inherit,
    more: Vec<&'t Directive>,
}

fn is_more(d: &Directive) -> bool {
    d.is("more_set_headers") || d.is("more_clear_headers")
}

impl<'t> HeaderLevel<'t> {
    fn server(server: &[&'t Directive], http: &[&'t Directive], t: &Target) -> HeaderLevel<'t> {
        let adds = |l: &[&'t Directive]| -> Vec<&'t Directive> {
            l.iter().copied().filter(|d| d.is("add_header")).collect()
        };
        let inherit = header_inherit(server, http, t);
        HeaderLevel {
            add: merge_headers(adds(server), adds(http), inherit),
            inherit,
            more: http
                .iter()
                .chain(server)
                .copied()
                .filter(|d| is_more(d))
                .collect(),
        }
    }

    fn child(&self, inner: &[&'t Directive], t: &Target) -> HeaderLevel<'t> {
        let own: Vec<&'t Directive> = inner
            .iter()
            .copied()
            .filter(|x| x.is("add_header"))
            .collect();
        let inherit = if defaults::has_add_header_inherit(t.nginx) {
            inner
                .iter()
                .find(|x| x.is("add_header_inherit"))
                .map(|x| parse_inherit(x))
                .unwrap_or(self.inherit)
        } else {
            Inherit::On
        };
        let mut more = self.more.clone();
        more.extend(inner.iter().copied().filter(|d| is_more(d)));
        HeaderLevel {
            add: merge_headers(own, self.add.clone(), inherit),
            inherit,
            more,
        }
    }

    /// The Strict-Transport-Security header user agents heed at this level,
    /// and the directive that writes it: headers-more's (sent first), else
    /// the first add_header's.
    fn hsts(&self, vars: &Vars<'_, 't>) -> Option<(Hsts, &'t Directive)> {
        let mut more: Option<(Hsts, &'t Directive)> = None;
        for d in &self.more {
            let Some(m) = more_of(d) else { continue };
            let limited = !m.statuses.is_empty() || m.types;
            match m.value {
                Some(raw) => {
                    // a limited set over an earlier header: the other
                    // statuses keep that one (curl: `-s 200` in a location
                    // under a server-level one leaves the 404s the server's)
                    let before = limited && more.as_ref().is_some_and(|(h, _)| h.always);
                    more = hsts_value(raw, vars).map(|(value, written)| {
                        let h = Hsts {
                            value,
                            always: !limited || before,
                            directive: "more_set_headers".into(),
                            statuses: m.statuses,
                            written,
                        };
                        (h, *d)
                    })
                }
                // a limited clear leaves the header on the other responses
                None if limited => {
                    if let Some((h, _)) = &mut more {
                        h.always = false;
                    }
                }
                None => more = None,
            }
        }
        more.or_else(|| {
            let d = self.add.iter().copied().find(|d| is_hsts(d))?;
            hsts_of(d, vars).map(|h| (h, d))
        })
    }
}

/// Variables a header value is built from, resolved where they are static
/// for the block that handles a request: `set $v value` in the block itself
/// or at server level (the block's runs after the server's), else an
/// http-level `map` whose every result is the same value — or, with source
/// `$scheme` / `$https`, its `https` / `on` entry (this is a TLS endpoint).
/// A `set` inside an `if`, or in an enclosing location, leaves the variable
/// unresolved, as does anything computed per request.
struct Vars<'a, 't> {
    tree: &'t Tree,
    /// The handling block's directives first, then its enclosing levels,
    /// the server's, and http's last.
    chain: &'a [Vec<&'t Directive>],
}

/// The value the last `set $name` of a level gives (Some(None): set
/// without a value), None when the level does not set it.
fn set_value(level: &[&Directive], name: &str) -> Option<Option<String>> {
    level
        .iter()
        .filter(|d| d.is("set"))
        .filter_map(|d| {
            let v = d.arg_values();
            (v.first()?.as_str() == format!("${name}")).then(|| v.get(1).cloned())
        })
        .next_back()
}

impl<'t> Vars<'_, 't> {
    fn expand(&self, raw: &str) -> Option<String> {
        let mut out = String::new();
        let mut rest = raw;
        while let Some(i) = rest.find('$') {
            out.push_str(&rest[..i]);
            let after = &rest[i + 1..];
            let (name, tail) = match after.strip_prefix('{') {
                Some(b) => {
                    let end = b.find('}')?;
                    (&b[..end], &b[end + 1..])
                }
                None => {
                    let end = after
                        .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
                        .unwrap_or(after.len());
                    (&after[..end], &after[end..])
                }
            };
            if name.is_empty() {
                return None;
            }
            out.push_str(&self.var(name)?);
            rest = tail;
        }
        out.push_str(rest);
        Some(out)
    }

    fn var(&self, name: &str) -> Option<String> {
        let (http, levels) = self.chain.split_last()?;
        let conditional = levels.iter().flatten().any(|d| {
            d.is("if")
                && block_children(self.tree, d)
                    .iter()
                    .any(|x| x.is("set") && set_value(&[x], name).is_some())
        });
        if conditional {
            return None;
        }
        let value = match levels {
            [] => None,
            [server] => set_value(server, name),
            [own, between @ .., server] => match set_value(own, name) {
                Some(v) => Some(v),
                None if between.iter().any(|l| set_value(l, name).is_some()) => return None,
                None => set_value(server, name),
            },
        };
        let value = match value {
            Some(v) => v.unwrap_or_default(),
            None => self.map(http, name)?,
        };
        (!value.contains('$')).then_some(value)
    }

    fn map(&self, http: &[&'t Directive], name: &str) -> Option<String> {
        let m = http.iter().rev().find(|d| {
            d.is("map")
                && d.arg_values()
                    .get(1)
                    .is_some_and(|v| *v == format!("${name}"))
        })?;
        let source = m.arg_values().first().cloned().unwrap_or_default();
        let mut default = String::new();
        let mut entries: Vec<(String, String)> = Vec::new();
        for e in block_children(self.tree, m) {
            let key = e.name.value();
            match (key.as_str(), e.arg_values().first()) {
                ("hostnames" | "volatile", None) => {}
                ("default", Some(v)) => default = v.clone(),
                (_, Some(v)) => entries.push((key, v.clone())),
                (_, None) => return None,
            }
        }
        let pick = |k: &str| {
            entries
                .iter()
                .find(|(key, _)| key == k)
                .map(|(_, v)| v.clone())
                .unwrap_or_else(|| default.clone())
        };
        match source.as_str() {
            "$scheme" => Some(pick("https")),
            "$https" => Some(pick("on")),
            _ => entries
                .iter()
                .all(|(_, v)| *v == default)
                .then(|| default.clone()),
        }
    }
}

/// How a block is written, for messages.
fn block_label(d: &Directive) -> String {
    let name = d.name.value();
    let args = d.arg_values().join(" ");
    if args.is_empty() {
        name
    } else {
        format!("{name} {args}")
    }
}

/// The `include` line among `items` (or in their blocks) that brings in
/// `file`, directly or through further includes.
fn include_site(
    tree: &Tree,
    items: &[Node],
    file: crate::source::FileId,
    depth: usize,
) -> Option<Span> {
    if depth > 16 {
        return None;
    }
    for n in items {
        let Node::Directive(d) = n else { continue };
        if d.is("include") {
            let reaches = d.includes.iter().any(|&f| {
                f == file
                    || tree
                        .file(f)
                        .is_some_and(|cf| include_site(tree, &cf.items, file, depth + 1).is_some())
            });
            if reaches {
                return Some(d.span);
            }
        } else if let Some(b) = &d.block {
            if let Some(s) = include_site(tree, &b.items, file, depth + 1) {
                return Some(s);
            }
        }
    }
    None
}

/// `location /` (`^~ /`, or a `~ /` regex): every request URI matches it
/// (`location = /` matches `/` alone).
fn catches_all(l: &Directive) -> bool {
    match l.arg_values().as_slice() {
        [p] => p == "/",
        [m, p] => m != "=" && p == "/",
        _ => false,
    }
}

/// `return 444` at server level: nginx closes every connection without
/// an answer (the server's rewrite phase runs before any location) — or in
/// `location /` when it is the server's only location (every request
/// lands there). Checked with nginx 1.22.1: curl gets an empty reply.
fn never_answers(tree: &Tree, dirs: &[&Directive]) -> Option<Span> {
    let r444 = |ds: &[&Directive]| {
        ds.iter()
            .find(|d| d.is("return") && d.arg_values().first().is_some_and(|c| c == "444"))
            .map(|d| d.span)
    };
    if let Some(s) = r444(dirs) {
        return Some(s);
    }
    let locations: Vec<&&Directive> = dirs.iter().filter(|d| d.is("location")).collect();
    match locations.as_slice() {
        [l] if catches_all(l) => {
            let inner = block_children(tree, l);
            if inner.iter().any(|d| d.is("location")) {
                return None;
            }
            r444(&inner)
        }
        _ => None,
    }
}

/// HSTS as the walk over the inner blocks finds it.
#[derive(Default)]
struct HstsWalk {
    drops: Vec<HstsDrop>,
    blocks: Vec<HstsBlock>,
    cover_rest: bool,
}

#[allow(clippy::too_many_arguments)]
fn walk_locations<'t>(
    tree: &'t Tree,
    target: &Target,
    dirs: &[&'t Directive],
    level: &HeaderLevel<'t>,
    chain: &mut Vec<Vec<&'t Directive>>,
    hw: &mut HstsWalk,
    ups: &mut Vec<UpstreamTls>,
    anchor: Span,
    outer_label: &str,
    in_drop: bool,
    depth: usize,
) {
    if depth > MAX_DEPTH {
        return;
    }
    // upstream TLS at this level
    for d in dirs
        .iter()
        .filter(|d| d.is("proxy_pass") || d.is("grpc_pass"))
    {
        let Some(t) = d.args.first().map(|a| a.value()) else {
            continue;
        };
        let lower = t.to_ascii_lowercase();
        let (tls, prefix) = if d.is("proxy_pass") {
            (lower.starts_with("https://"), "proxy")
        } else {
            (lower.starts_with("grpcs://"), "grpc")
        };
        if tls {
            ups.push(upstream(d, &t, prefix, chain, target, anchor));
        }
    }
    for d in dirs
        .iter()
        .filter(|d| d.is("location") || d.is("if") || d.is("limit_except"))
    {
        let inner = block_children(tree, d);
        let child = level.child(&inner, target);
        let had = level.hsts(&Vars { tree, chain });
        chain.insert(0, inner.clone());
        let has = child.hsts(&Vars { tree, chain });
        let dropped = has.is_none() && (in_drop || had.is_some());
        if let (Some((_, hd)), None) = (&had, &has) {
            // what takes it away: a headers-more command, the block's own
            // add_header, or `add_header_inherit off`
            let cause = inner
                .iter()
                .find(|x| is_more(x) && more_of(x).is_some_and(|m| m.value.is_none()))
                .or_else(|| inner.iter().find(|x| x.is("add_header")))
                .or_else(|| inner.iter().find(|x| x.is("add_header_inherit")))
                .or_else(|| inner.iter().find(|x| x.is("set")));
            hw.drops.push(HstsDrop {
                block: d.span,
                add_header: cause.map(|x| x.span).unwrap_or(d.span),
                inherited: Some(hd.span),
                by: cause.map(|x| x.name.value()).unwrap_or_default(),
                included_at: None,
            });
        }
        let mut label = block_label(d);
        if !d.is("location") && !outer_label.is_empty() {
            label = format!("{label} in {outer_label}");
        }
        hw.blocks.push(HstsBlock {
            block: d.span,
            label: label.clone(),
            hsts: has.map(|(h, hd)| {
                let own = inner.iter().any(|x| std::ptr::eq(*x, hd));
                Setting::new(
                    h,
                    if own {
                        Source::Set(hd.span)
                    } else {
                        Source::Inherited(hd.span)
                    },
                )
            }),
            dropped,
        });
        walk_locations(
            tree,
            target,
            &inner,
            &child,
            chain,
            hw,
            ups,
            anchor,
            &label,
            dropped,
            depth + 1,
        );
        chain.remove(0);
    }
}

fn upstream(
    d: &Directive,
    target_url: &str,
    prefix: &str,
    chain: &[Vec<&Directive>],
    t: &Target,
    anchor: Span,
) -> UpstreamTls {
    let lv = Levels {
        levels: chain.iter().map(|v| v.as_slice()).collect(),
        anchor,
    };
    let name = |s: &str| format!("{prefix}_{s}");
    let (dp, dnote) = defaults::default_protocols(t.nginx);
    let protocols = match lv.all(&name("ssl_protocols")) {
        Some(_) => lv.protocols(&name("ssl_protocols"), t),
        None => Setting::new(
            dp,
            lv.default(dnote.replace("ssl_protocols", &name("ssl_protocols"))),
        ),
    };
    UpstreamTls {
        span: d.span,
        target: target_url.to_string(),
        verify: lv.flag(
            &name("ssl_verify"),
            false,
            format!("nginx default: {} off", name("ssl_verify")),
        ),
        trusted_certificate: lv.opt_string(
            &name("ssl_trusted_certificate"),
            format!("nginx default: no {}", name("ssl_trusted_certificate")),
        ),
        server_name: lv.flag(
            &name("ssl_server_name"),
            false,
            format!("nginx default: {} off", name("ssl_server_name")),
        ),
        name: lv.opt_string(
            &name("ssl_name"),
            format!("nginx default: {} is the proxied host", name("ssl_name")),
        ),
        protocols,
        ciphers: lv.string(
            &name("ssl_ciphers"),
            defaults::DEFAULT_PROXY_CIPHERS,
            format!("nginx default: {} DEFAULT", name("ssl_ciphers")),
        ),
        check_name: None,
    }
}

fn stream_upstreams(lv: &Levels<'_, '_>, t: &Target) -> Vec<UpstreamTls> {
    let on = lv.flag("proxy_ssl", false, "");
    if !on.value {
        return Vec::new();
    }
    let Some((pp, _)) = lv.first("proxy_pass") else {
        return Vec::new();
    };
    let target = pp.args.first().map(|a| a.value()).unwrap_or_default();
    let chain: Vec<Vec<&Directive>> = lv.levels.iter().map(|l| l.to_vec()).collect();
    vec![upstream(pp, &target, "proxy", &chain, t, lv.anchor)]
}
