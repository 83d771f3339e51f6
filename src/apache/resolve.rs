//! The TLS endpoints of an Apache httpd tree: every `<VirtualHost>` whose
//! merged `SSLEngine` is on (and the main server when it is), with the
//! effective mod_ssl settings — set in the virtual host, inherited from the
//! main server configuration (mod_ssl merges each unset setting from it), or
//! httpd's built-in default for the modelled httpd and OpenSSL versions.
//!
//! Facts (from httpd 2.4's mod_ssl documentation and `ssl_engine_config.c`,
//! read for semantics): `SSLProtocol` starts from nothing and applies its
//! words left to right (`+X` adds, `-X` removes, a bare word replaces), its
//! default is `all -SSLv3` (2.4.17 and later; `all` before); `all` means
//! every version the OpenSSL build has (TLSv1.3 from OpenSSL 1.1.1 with
//! httpd 2.4.36). `SSLCipherSuite` (or `SSLCipherSuite SSL ...`) sets the
//! TLS ≤ 1.2 string, `SSLCipherSuite TLSv1.3 ...` the TLS 1.3 suites;
//! unset, OpenSSL's DEFAULT applies. `SSLOpenSSLConfCmd`s accumulate from the
//! main server to the virtual host and are applied after the other settings.
//! `SSLCertificateFile`/`KeyFile` pair by position, a virtual host's entries
//! replacing the main server's at the same position. Before 2.4.42 (or with
//! OpenSSL older than 1.1.1) the protocol of a handshake is that of the first
//! virtual host of the address; later, a name-based virtual host's own
//! SSLProtocol applies — if neither it nor the main server sets one, the
//! first virtual host's still does.

use std::collections::HashMap;

use crate::apache::ast::Directive;
use crate::apache::loader::Tree;
use crate::model::{
    ApacheFacts, CertPair, DecidedBy, Endpoint, Hsts, HstsDrop, Listen, PlainServer, ServerKind,
    Setting, Source, UpstreamTls,
};
use crate::nginx::defaults::Target;
use crate::nginx::resolve::{apply_conf_commands, canonical_protocol};
use crate::source::Span;
use crate::version::Version;

/// Sections that hold per-directory configuration (not server settings).
fn is_container(d: &Directive) -> bool {
    !d.is("VirtualHost")
}

/// The main server or one virtual host, with its directives in order.
#[derive(Default)]
struct Scope<'t> {
    section: Option<&'t Directive>,
    /// Directives read at server level (conditional sections flattened).
    dirs: Vec<&'t Directive>,
    /// Directives inside `<Location>`, `<Directory>`, `<If>`, ...: with the
    /// outermost such section.
    nested: Vec<(&'t Directive, &'t Directive)>,
    /// `dirs` by lower-case name (positions, in order), built by [`Scope::index`].
    by_name: HashMap<String, Vec<usize>>,
}

impl<'t> Scope<'t> {
    /// Index the directives by name once: the resolver looks up some forty
    /// names per virtual host.
    fn index(&mut self) {
        let mut m: HashMap<String, Vec<usize>> = HashMap::new();
        for (i, d) in self.dirs.iter().enumerate() {
            m.entry(d.effective_name().to_ascii_lowercase())
                .or_default()
                .push(i);
        }
        self.by_name = m;
    }
    fn positions(&self, name: &str) -> &[usize] {
        self.by_name
            .get(&name.to_ascii_lowercase())
            .map(Vec::as_slice)
            .unwrap_or(&[])
    }
    fn last(&self, name: &str) -> Option<&'t Directive> {
        self.positions(name).last().map(|&i| self.dirs[i])
    }
    fn all(&self, name: &str) -> Vec<&'t Directive> {
        self.positions(name).iter().map(|&i| self.dirs[i]).collect()
    }
}

fn collect(tree: &Tree) -> (Scope<'_>, Vec<Scope<'_>>) {
    let mut main = Scope::default();
    let mut vhosts: Vec<Scope<'_>> = Vec::new();
    tree.walk(&mut |d, parents| {
        let vh = parents.iter().position(|p| p.is("VirtualHost"));
        if d.is_section() {
            if d.is("VirtualHost") {
                if vh.is_some() {
                    return false; // httpd refuses nested virtual hosts
                }
                vhosts.push(Scope {
                    section: Some(d),
                    ..Scope::default()
                });
            }
            return true;
        }
        let scope = match vh {
            Some(_) => match vhosts.last_mut() {
                Some(s) => s,
                None => return true,
            },
            None => &mut main,
        };
        match parents.iter().find(|p| is_container(p)) {
            Some(c) => scope.nested.push((d, c)),
            None => scope.dirs.push(d),
        }
        true
    });
    main.index();
    for v in &mut vhosts {
        v.index();
    }
    (main, vhosts)
}

/// Looks a setting up in the virtual host, then the main server.
struct Lookup<'a, 't> {
    own: &'a Scope<'t>,
    main: Option<&'a Scope<'t>>,
    anchor: Span,
}

impl<'a, 't> Lookup<'a, 't> {
    fn find(&self, name: &str) -> Option<(&'t Directive, Source)> {
        if let Some(d) = self.own.last(name) {
            return Some((d, Source::Set(d.span)));
        }
        let d = self.main?.last(name)?;
        Some((d, Source::Inherited(d.span)))
    }
    fn default(&self, note: impl Into<std::borrow::Cow<'static, str>>) -> Source {
        Source::Default {
            anchor: self.anchor,
            note: note.into(),
        }
    }
    fn first_value(&self, name: &str) -> Option<(String, Source)> {
        let (d, src) = self.find(name)?;
        Some((d.values().into_iter().next().unwrap_or_default(), src))
    }
    fn flag(&self, name: &str, default: bool, note: &'static str) -> Setting<bool> {
        match self.first_value(name) {
            Some((v, src)) => Setting::new(v.eq_ignore_ascii_case("on"), src),
            None => Setting::new(default, self.default(note)),
        }
    }
    fn path(&self, name: &str, note: &'static str) -> Setting<Option<String>> {
        match self.first_value(name) {
            Some((v, src)) => Setting::new(Some(v), src),
            None => Setting::new(None, self.default(note)),
        }
    }
    fn string(&self, name: &str, default: &str, note: &'static str) -> Setting<String> {
        match self.first_value(name) {
            Some((v, src)) => Setting::new(v, src),
            None => Setting::new(default.to_string(), self.default(note)),
        }
    }
}

/// Protocol versions, oldest first (nginx's spelling, which the model uses).
const VERSIONS: [&str; 5] = ["SSLv3", "TLSv1", "TLSv1.1", "TLSv1.2", "TLSv1.3"];

/// What `all` means for the modelled httpd and OpenSSL.
fn all_protocols(t: &Target) -> Vec<&'static str> {
    VERSIONS
        .iter()
        .copied()
        .filter(|p| match *p {
            // OpenSSL 1.1.0 and later are built without SSLv3 by default
            "SSLv3" => t.openssl < Version::new(1, 1, 0),
            "TLSv1.3" => t.openssl >= Version::new(1, 1, 1) && t.apache >= Version::new(2, 4, 36),
            _ => true,
        })
        .collect()
}

/// `SSLProtocol` words applied as mod_ssl does; words it refuses are kept
/// at the end of the list (a refused version name written bare, such as
/// `TLSv1.3` before httpd 2.4.36, is left out: it enables nothing).
pub fn parse_protocol(words: &[String], t: &Target) -> Vec<String> {
    parse_protocol_checked(words, t, "SSLProtocol").0
}

/// `parse_protocol`, with the words httpd refuses (`ssl_cmd_protocol_parse`)
/// and its message for each: `SSLv2` (unless `-SSLv2`), `SSLv3` where
/// OpenSSL is built without it (1.1.0 and later; `-SSLv3` is accepted),
/// `TLSv1.3` before httpd 2.4.36 or OpenSSL 1.1.1, and unknown words.
pub fn parse_protocol_checked(
    words: &[String],
    t: &Target,
    directive: &str,
) -> (Vec<String>, Vec<(String, String)>) {
    let mut set: Vec<&'static str> = Vec::new();
    let mut invalid: Vec<String> = Vec::new();
    let mut refused: Vec<(String, String)> = Vec::new();
    let has_tls13 = t.openssl >= Version::new(1, 1, 1) && t.apache >= Version::new(2, 4, 36);
    for w in words {
        let (action, name) = match w.chars().next() {
            Some(c @ ('+' | '-')) => (Some(c), &w[1..]),
            _ => (None, w.as_str()),
        };
        let illegal = || format!("{directive}: Illegal protocol '{name}'");
        let this: Vec<&'static str> = if name.eq_ignore_ascii_case("all") {
            all_protocols(t)
        } else if name.eq_ignore_ascii_case("SSLv2") {
            if action == Some('-') {
                continue;
            }
            invalid.push(w.clone());
            refused.push((
                w.clone(),
                "SSLProtocol: SSLv2 is no longer supported".into(),
            ));
            continue;
        } else {
            match canonical_protocol(name) {
                Some("SSLv3") if t.openssl >= Version::new(1, 1, 0) => {
                    if action == Some('-') {
                        continue;
                    }
                    invalid.push(w.clone());
                    refused.push((
                        w.clone(),
                        "SSLv3 not supported by this version of OpenSSL".into(),
                    ));
                    continue;
                }
                Some("TLSv1.3") if !has_tls13 => {
                    invalid.push(w.clone());
                    refused.push((w.clone(), illegal()));
                    continue;
                }
                Some(p) if p != "SSLv2" => vec![p],
                _ => {
                    invalid.push(w.clone());
                    refused.push((w.clone(), illegal()));
                    continue;
                }
            }
        };
        match action {
            Some('-') => set.retain(|p| !this.contains(p)),
            Some(_) => {
                for p in this {
                    if !set.contains(&p) {
                        set.push(p);
                    }
                }
            }
            None => set = this,
        }
    }
    // with OpenSSL 1.1.0 and later mod_ssl sets a minimum and a maximum
    // version: the highest enabled one, and down from it while the next
    // lower one is enabled too (no holes: `+TLSv1.1 +TLSv1.3` is TLS 1.3 only)
    let contiguous = t.openssl >= Version::new(1, 1, 0);
    let mut out: Vec<String> = Vec::new();
    for p in VERSIONS.iter().rev() {
        if set.contains(p) {
            out.insert(0, p.to_string());
        } else if contiguous && !out.is_empty() {
            break;
        }
    }
    out.extend(
        invalid
            .into_iter()
            .filter(|w| canonical_protocol(w).is_none() && !w.eq_ignore_ascii_case("SSLv2")),
    );
    (out, refused)
}

/// httpd's default SSLProtocol for a version, and its description.
fn default_protocol(t: &Target) -> (Vec<String>, String) {
    if t.apache >= Version::new(2, 4, 17) {
        (
            parse_protocol(&["all".into(), "-SSLv3".into()], t),
            format!("httpd {}'s default SSLProtocol `all -SSLv3`", t.apache),
        )
    } else {
        (
            parse_protocol(&["all".into()], t),
            format!("httpd {}'s default SSLProtocol `all`", t.apache),
        )
    }
}

/// A `<VirtualHost>` address as a listen socket.
fn parse_address(a: &str, span: Span) -> Listen {
    let (addr, port) = if let Some(rest) = a.strip_prefix('[') {
        match rest.split_once(']') {
            Some((host, tail)) => (
                format!("[{host}]"),
                tail.strip_prefix(':').and_then(|p| p.parse::<u16>().ok()),
            ),
            None => (a.to_string(), None),
        }
    } else {
        match a.rsplit_once(':') {
            Some((h, p)) if !h.contains(':') => (h.to_string(), p.parse::<u16>().ok()),
            _ => (a.to_string(), None),
        }
    };
    let addr = if addr == "_default_" {
        "*".to_string()
    } else {
        addr
    };
    Listen {
        addr,
        port,
        default_server: false,
        ssl: false,
        quic: false,
        http2: false,
        span,
    }
}

/// A `Listen` directive as a socket.
fn parse_listen_directive(d: &Directive) -> Option<Listen> {
    let v = d.values();
    let first = v.first()?;
    let mut l = if first.parse::<u16>().is_ok() {
        parse_address(&format!("*:{first}"), d.span)
    } else {
        parse_address(first, d.span)
    };
    l.ssl = v.get(1).is_some_and(|p| p.eq_ignore_ascii_case("https"));
    Some(l)
}

/// `ServerName [scheme://]host[:port]`: the host.
fn server_name_host(v: &str) -> String {
    let v = v.split_once("://").map(|(_, r)| r).unwrap_or(v);
    if v.starts_with('[') {
        return v
            .split_once(']')
            .map(|(h, _)| format!("{h}]"))
            .unwrap_or_else(|| v.into());
    }
    match v.rsplit_once(':') {
        Some((h, p)) if p.chars().all(|c| c.is_ascii_digit()) => h.to_string(),
        _ => v.to_string(),
    }
}

/// `SSLEngine` in force for a scope: on, or an address list that matches
/// one of the virtual host's ports.
fn engine_on(d: &Directive, listen: &[Listen]) -> bool {
    let v = d.values();
    let Some(first) = v.first() else {
        return false;
    };
    if first.eq_ignore_ascii_case("on") {
        return true;
    }
    if first.eq_ignore_ascii_case("off") || first.eq_ignore_ascii_case("optional") {
        return false;
    }
    // 2.4.30: SSLEngine addr[:port] ...
    v.iter().any(|a| {
        let s = parse_address(a, d.span);
        listen
            .iter()
            .any(|l| s.port.is_none_or(|p| l.port == Some(p)))
    })
}

/// The socket key a virtual host is matched on (`*` and `_default_` alike).
fn socket_key(l: &Listen) -> String {
    l.socket()
}

/// The Strict-Transport-Security header set by `Header` directives, in
/// order: the main server's, then the virtual host's (mod_headers merges
/// both and applies them in that order).
fn hsts(main: Option<&Scope<'_>>, own: &Scope<'_>, anchor: Span) -> Setting<Option<Hsts>> {
    let mut cur: Setting<Option<Hsts>> = Setting::new(
        None,
        Source::Default {
            anchor,
            note: "no Header directive sets Strict-Transport-Security".into(),
        },
    );
    let scopes: Vec<(&Scope<'_>, bool)> = main
        .into_iter()
        .map(|m| (m, false))
        .chain(std::iter::once((own, true)))
        .collect();
    for (scope, is_own) in scopes {
        for d in scope.all("Header") {
            let Some((always, action, header, value)) = header_parts(d) else {
                continue;
            };
            if !header.eq_ignore_ascii_case("Strict-Transport-Security") {
                continue;
            }
            let src = if is_own {
                Source::Set(d.span)
            } else {
                Source::Inherited(d.span)
            };
            match action.as_str() {
                "set" | "add" | "append" | "merge" | "setifempty" => {
                    if action == "setifempty" && cur.value.is_some() {
                        continue;
                    }
                    cur = Setting::new(
                        Some(Hsts {
                            value: value.unwrap_or_default(),
                            always,
                        }),
                        src,
                    );
                }
                // each condition has its own table: `Header unset` does not
                // remove what `Header always set` added, nor the reverse
                "unset" if cur.value.as_ref().is_none_or(|h| h.always == always) => {
                    cur = Setting::new(None, src)
                }
                _ => {}
            }
        }
    }
    cur
}

/// `Header [always|onsuccess] action header [value]`: (always, action, header, value).
fn header_parts(d: &Directive) -> Option<(bool, String, String, Option<String>)> {
    let v = d.values();
    let mut i = 0;
    let mut always = false;
    if let Some(c) = v.first() {
        if c.eq_ignore_ascii_case("always") {
            always = true;
            i = 1;
        } else if c.eq_ignore_ascii_case("onsuccess") {
            i = 1;
        }
    }
    let action = v.get(i)?.to_ascii_lowercase();
    let header = v.get(i + 1)?.clone();
    Some((always, action, header, v.get(i + 2).cloned()))
}

/// Where a `Header unset Strict-Transport-Security` in a `<Location>` (or
/// other per-directory section) takes the header away again. mod_headers
/// keeps two tables: `Header unset` (onsuccess) removes only a header set
/// without `always`, `Header always unset` only one set with `always`.
fn hsts_drops(own: &Scope<'_>, hsts: &Setting<Option<Hsts>>) -> Vec<HstsDrop> {
    let Some(set) = &hsts.value else {
        return Vec::new();
    };
    own.nested
        .iter()
        .filter(|(d, _)| d.is("Header"))
        .filter_map(|(d, c)| {
            let (always, action, header, _) = header_parts(d)?;
            (action == "unset"
                && always == set.always
                && header.eq_ignore_ascii_case("Strict-Transport-Security"))
            .then(|| HstsDrop {
                block: c.span,
                add_header: d.span,
                inherited: Some(hsts.source.span()),
            })
        })
        .collect()
}

/// True for a redirect to https: `Redirect`, `RedirectMatch`,
/// `RedirectPermanent`, or `RewriteRule` to an `https://` target.
fn is_https_redirect(d: &Directive) -> bool {
    let v = d.values();
    if d.is("Redirect") || d.is("RedirectMatch") || d.is("RedirectPermanent") {
        return v
            .iter()
            .any(|a| a.to_ascii_lowercase().starts_with("https://"));
    }
    if d.is("RewriteRule") {
        let target_https = v
            .get(1)
            .is_some_and(|a| a.to_ascii_lowercase().starts_with("https://"));
        let proxy = v.get(2).is_some_and(|f| {
            f.trim_matches(|c| c == '[' || c == ']')
                .split(',')
                .any(|x| x.eq_ignore_ascii_case("P"))
        });
        return target_https && !proxy;
    }
    false
}

fn redirects(scope: &Scope<'_>) -> bool {
    scope.dirs.iter().any(|d| is_https_redirect(d))
        || scope.nested.iter().any(|(d, c)| {
            is_https_redirect(d)
                && (c.is("Location") || c.is("LocationMatch") || c.is("Directory"))
                && c.values().first().is_some_and(|p| {
                    p == "/" || p == "^/" || p.starts_with("/var/www") || p == "^/(.*)"
                })
        })
}

/// The `proxy_pass`-like directives towards https upstreams.
fn upstreams(l: &Lookup<'_, '_>, t: &Target) -> Vec<UpstreamTls> {
    let mut targets: Vec<(&Directive, String)> = Vec::new();
    let scopes: Vec<&Scope<'_>> = l.main.into_iter().chain(std::iter::once(l.own)).collect();
    for scope in scopes {
        let all = scope
            .dirs
            .iter()
            .copied()
            .chain(scope.nested.iter().map(|(d, _)| *d));
        for d in all {
            let v = d.values();
            let target = if d.is("ProxyPass") || d.is("ProxyPassMatch") {
                v.iter().find(|a| a.contains("://")).cloned()
            } else if d.is("RewriteRule") {
                let proxy = v.get(2).is_some_and(|f| {
                    f.trim_matches(|c| c == '[' || c == ']')
                        .split(',')
                        .any(|x| x.eq_ignore_ascii_case("P"))
                });
                v.get(1).filter(|_| proxy).cloned()
            } else if d.is("BalancerMember") {
                v.first().cloned()
            } else {
                None
            };
            if let Some(tg) = target.filter(|s| s.to_ascii_lowercase().starts_with("https://")) {
                targets.push((d, tg));
            }
        }
    }
    targets
        .into_iter()
        .map(|(d, target)| {
            let verify = match l.first_value("SSLProxyVerify") {
                Some((v, src)) => Setting::new(v.eq_ignore_ascii_case("require"), src),
                None => Setting::new(false, l.default("httpd's default SSLProxyVerify none")),
            };
            let trusted = match l.find("SSLProxyCACertificateFile") {
                Some((d, src)) => Setting::new(d.values().into_iter().next(), src),
                None => l.path(
                    "SSLProxyCACertificatePath",
                    "no SSLProxyCACertificateFile or SSLProxyCACertificatePath",
                ),
            };
            let protocols = match l.find("SSLProxyProtocol") {
                Some((d, src)) => Setting::new(parse_protocol(&d.values(), t), src),
                None => {
                    let (v, note) = default_protocol(t);
                    Setting::new(
                        v,
                        l.default(note.replace("SSLProtocol", "SSLProxyProtocol")),
                    )
                }
            };
            UpstreamTls {
                span: d.span,
                target,
                verify,
                trusted_certificate: trusted,
                server_name: Setting::new(
                    true,
                    l.default("mod_proxy sends the backend's host name as SNI"),
                ),
                name: Setting::new(None, l.default("the backend's host name")),
                protocols,
                ciphers: l.string(
                    "SSLProxyCipherSuite",
                    "DEFAULT",
                    "httpd's default: OpenSSL's DEFAULT list",
                ),
                check_name: Some(l.flag(
                    "SSLProxyCheckPeerName",
                    true,
                    "httpd's default SSLProxyCheckPeerName on",
                )),
            }
        })
        .collect()
}

/// The names a virtual host answers to (ServerName, then ServerAlias); a
/// virtual host without ServerName takes the main server's.
fn names(own: &Scope<'_>, main: Option<&Scope<'_>>) -> Vec<String> {
    let mut out = Vec::new();
    let sn = own
        .last("ServerName")
        .or_else(|| main.and_then(|m| m.last("ServerName")));
    if let Some(v) = sn.and_then(|d| d.values().into_iter().next()) {
        out.push(server_name_host(&v));
    }
    for d in own.all("ServerAlias") {
        out.extend(d.values());
    }
    out
}

/// The resolved endpoints and the plain-HTTP virtual hosts of a tree.
pub fn resolve(tree: &Tree, t: &Target) -> (Vec<Endpoint>, Vec<PlainServer>) {
    let (main, vhosts) = collect(tree);
    let root_span = Span {
        file: tree.root,
        start: 0,
        end: 0,
        line: 1,
        col: 1,
    };
    // the sockets of each virtual host, and the first virtual host of each socket
    let listens: Vec<Vec<Listen>> = vhosts
        .iter()
        .map(|v| {
            let s = v.section.map(|d| d.span).unwrap_or(root_span);
            v.section
                .map(|d| d.values())
                .unwrap_or_default()
                .iter()
                .map(|a| parse_address(a, s))
                .collect()
        })
        .collect();
    let mut base: HashMap<String, usize> = HashMap::new();
    for (i, ls) in listens.iter().enumerate() {
        for l in ls {
            base.entry(socket_key(l)).or_insert(i);
        }
    }
    let main_engine = main.last("SSLEngine");
    let main_listen: Vec<Listen> = main
        .all("Listen")
        .into_iter()
        .filter_map(parse_listen_directive)
        .collect();
    let enabled: Vec<bool> = vhosts
        .iter()
        .zip(&listens)
        .map(|(v, ls)| match v.last("SSLEngine").or(main_engine) {
            Some(d) => engine_on(d, ls),
            None => false,
        })
        .collect();

    let mut endpoints = Vec::new();
    let mut plain = Vec::new();
    // per virtual host: its own protocol setting, for the deciding rule
    let mut own_protocols: Vec<Option<Setting<Vec<String>>>> = Vec::new();
    for (i, v) in vhosts.iter().enumerate() {
        let anchor = v.section.map(|d| d.span).unwrap_or(root_span);
        let mut listen = listens[i].clone();
        let default_for: Vec<String> = listen
            .iter()
            .filter(|l| base.get(&socket_key(l)) == Some(&i))
            .map(socket_key)
            .collect();
        for l in &mut listen {
            l.default_server = default_for.contains(&socket_key(l));
            l.ssl = enabled[i];
        }
        if !enabled[i] {
            own_protocols.push(None);
            plain.push(PlainServer {
                span: anchor,
                server_names: names(v, Some(&main)),
                listen,
                default_for,
                redirects_to_https: redirects(v),
            });
            continue;
        }
        let l = Lookup {
            own: v,
            main: Some(&main),
            anchor,
        };
        let ep = endpoint(&l, t, "vhost", listen, names(v, Some(&main)), default_for);
        own_protocols.push(Some(ep.protocols.clone()));
        endpoints.push((i, ep));
    }
    // the protocol of a handshake: the first virtual host's where per-vhost
    // settings are not honoured, or where this one sets none
    let honoured = t.apache >= Version::new(2, 4, 42) && t.openssl >= Version::new(1, 1, 1);
    let snapshot: Vec<(usize, Vec<String>)> = endpoints
        .iter()
        .map(|(i, e)| (*i, e.server_names.clone()))
        .collect();
    for (i, ep) in endpoints.iter_mut() {
        let mut decided = Vec::new();
        for l in &ep.listen {
            let key = socket_key(l);
            let Some(&b) = base.get(&key) else { continue };
            if b == *i {
                continue;
            }
            let Some(Some(bp)) = own_protocols.get(b) else {
                continue;
            };
            let reason = if !honoured {
                if t.apache < Version::new(2, 4, 42) {
                    format!(
                        "httpd before 2.4.42 (modelled: {}) takes the protocol from the first virtual host of an address",
                        t.apache
                    )
                } else {
                    format!(
                        "with OpenSSL before 1.1.1 (modelled: {}) the protocol is that of the first virtual host of an address",
                        t.openssl
                    )
                }
            } else if matches!(ep.protocols.source, Source::Default { .. })
                && matches!(bp.source, Source::Set(_))
            {
                "neither this virtual host nor the main server sets SSLProtocol, so the first virtual host's applies".to_string()
            } else {
                continue;
            };
            let names = snapshot
                .iter()
                .find(|(j, _)| *j == b)
                .map(|(_, n)| n.clone())
                .unwrap_or_default();
            let server = vhosts[b].section.map(|d| d.span).unwrap_or(root_span);
            decided.push((
                DecidedBy {
                    socket: key,
                    server,
                    server_names: names,
                    reason,
                },
                bp.clone(),
            ));
        }
        ep.protocols_decided_by = decided;
    }
    let mut endpoints: Vec<Endpoint> = endpoints.into_iter().map(|(_, e)| e).collect();

    // the main server answers connections no virtual host matches
    let covered = |l: &Listen| {
        listens
            .iter()
            .flatten()
            .any(|v| v.port == l.port && (v.addr == "*" || v.addr == l.addr))
    };
    let main_sockets: Vec<Listen> = main_listen
        .iter()
        .filter(|l| !covered(l))
        .cloned()
        .collect();
    if main_engine.is_some_and(|d| engine_on(d, &main_listen)) {
        let l = Lookup {
            own: &main,
            main: None,
            anchor: main_engine.map(|d| d.span).unwrap_or(root_span),
        };
        let mut listen = main_sockets;
        for s in &mut listen {
            s.ssl = true;
        }
        endpoints.push(endpoint(
            &l,
            t,
            "main",
            listen,
            names(&main, None),
            Vec::new(),
        ));
    } else if !main_sockets.is_empty() {
        plain.push(PlainServer {
            span: main_sockets[0].span,
            server_names: names(&main, None),
            // no virtual host covers these sockets: the main server answers every name there
            default_for: main_sockets.iter().map(socket_key).collect(),
            listen: main_sockets,
            redirects_to_https: redirects(&main),
        });
    }
    (endpoints, plain)
}

/// The certificate/key pairs: position by position, the virtual host's
/// entries replace the main server's.
fn cert_pairs(l: &Lookup<'_, '_>) -> Vec<CertPair> {
    let files = |name: &str| -> Vec<(String, Source)> {
        let own: Vec<(String, Source)> = l
            .own
            .all(name)
            .into_iter()
            .filter_map(|d| Some((d.values().into_iter().next()?, Source::Set(d.span))))
            .collect();
        let base: Vec<(String, Source)> = l
            .main
            .map(|m| m.all(name))
            .unwrap_or_default()
            .into_iter()
            .filter_map(|d| Some((d.values().into_iter().next()?, Source::Inherited(d.span))))
            .collect();
        let mut out = own.clone();
        if base.len() > own.len() {
            out.extend(base.into_iter().skip(own.len()));
        }
        out
    };
    let certs = files("SSLCertificateFile");
    let keys = files("SSLCertificateKeyFile");
    let chain = l
        .find("SSLCertificateChainFile")
        .and_then(|(d, src)| Some(Setting::new(d.values().into_iter().next()?, src)));
    certs
        .into_iter()
        .enumerate()
        .map(|(i, (c, src))| CertPair {
            certificate: Setting::new(c, src),
            key: keys.get(i).map(|(k, s)| Setting::new(k.clone(), s.clone())),
            chain: chain.clone(),
        })
        .collect()
}

/// The values httpd refuses while reading the configuration, in the
/// virtual host and the main server: SSLProtocol / SSLProxyProtocol words
/// and the protocol argument of SSLCipherSuite / SSLProxyCipherSuite.
fn refused(l: &Lookup<'_, '_>, t: &Target) -> Vec<crate::model::Refused> {
    let has_tls13 = t.openssl >= Version::new(1, 1, 1) && t.apache >= Version::new(2, 4, 36);
    let mut out = Vec::new();
    for scope in l.main.into_iter().chain(std::iter::once(l.own)) {
        let all = scope
            .dirs
            .iter()
            .copied()
            .chain(scope.nested.iter().map(|(d, _)| *d));
        for d in all {
            let name = if d.is("SSLProtocol") {
                "SSLProtocol"
            } else if d.is("SSLProxyProtocol") {
                "SSLProxyProtocol"
            } else if d.is("SSLCipherSuite") || d.is("SSLProxyCipherSuite") {
                // `SSLCipherSuite [SSL|TLSv1.3] spec`: the protocol is
                // compared case-sensitively
                if let [proto, _] = d.values().as_slice() {
                    if !(proto == "SSL" || proto == "TLSv1.3" && has_tls13) {
                        out.push(crate::model::Refused {
                            span: d.span,
                            value: proto.clone(),
                            error: format!("protocol '{proto}' not supported"),
                        });
                    }
                }
                continue;
            } else {
                continue;
            };
            for (value, error) in parse_protocol_checked(&d.values(), t, name).1 {
                out.push(crate::model::Refused {
                    span: d.span,
                    value,
                    error,
                });
            }
        }
    }
    out
}

fn endpoint(
    l: &Lookup<'_, '_>,
    t: &Target,
    context: &str,
    listen: Vec<Listen>,
    server_names: Vec<String>,
    default_for: Vec<String>,
) -> Endpoint {
    let protocols = match l.find("SSLProtocol") {
        Some((d, src)) => Setting::new(parse_protocol(&d.values(), t), src),
        None => {
            let (v, note) = default_protocol(t);
            Setting::new(v, l.default(note))
        }
    };
    // SSLCipherSuite [SSL|TLSv1.3] spec: the last of each kind
    let mut ciphers: Option<(String, Source)> = None;
    let mut tls13: Option<(String, Source)> = None;
    for (scope, own) in l
        .main
        .into_iter()
        .map(|m| (m, false))
        .chain(std::iter::once((l.own, true)))
    {
        for d in scope.all("SSLCipherSuite") {
            let v = d.values();
            let src = if own {
                Source::Set(d.span)
            } else {
                Source::Inherited(d.span)
            };
            match v.as_slice() {
                [spec] => ciphers = Some((spec.clone(), src)),
                [proto, spec, ..] if proto.eq_ignore_ascii_case("TLSv1.3") => {
                    tls13 = Some((spec.clone(), src))
                }
                [proto, spec, ..]
                    if proto.eq_ignore_ascii_case("SSL") || proto.eq_ignore_ascii_case("SSLv3") =>
                {
                    ciphers = Some((spec.clone(), src))
                }
                _ => {}
            }
        }
    }
    let ciphers = match ciphers {
        Some((v, src)) => Setting::new(v, src),
        None => Setting::new(
            "DEFAULT".to_string(),
            l.default("no SSLCipherSuite: OpenSSL's DEFAULT list"),
        ),
    };
    // configuration commands: the TLS 1.3 suites first, then every
    // SSLOpenSSLConfCmd of the main server and the virtual host
    let mut cmds: Vec<(String, String, Source)> = Vec::new();
    if let Some((v, src)) = tls13 {
        cmds.push(("Ciphersuites".into(), v, src));
    }
    for (scope, own) in l
        .main
        .into_iter()
        .map(|m| (m, false))
        .chain(std::iter::once((l.own, true)))
    {
        for d in scope.all("SSLOpenSSLConfCmd") {
            let v = d.values();
            if let (Some(k), Some(val)) = (v.first(), v.get(1)) {
                let src = if own {
                    Source::Set(d.span)
                } else {
                    Source::Inherited(d.span)
                };
                cmds.push((k.clone(), val.clone(), src));
            }
        }
    }
    let conf_commands = match cmds
        .iter()
        .rev()
        .find(|c| matches!(c.2, Source::Set(_)))
        .or(cmds.last())
    {
        Some(c) => Setting::new(
            cmds.iter()
                .map(|(k, v, _)| (k.clone(), v.clone()))
                .collect(),
            c.2.clone(),
        ),
        None => Setting::new(Vec::new(), l.default("no SSLOpenSSLConfCmd")),
    };
    let conf_command_spans: Vec<Span> = cmds.iter().map(|c| c.2.span()).collect();
    // SSLOpenSSLConfCmd DHParameters, applied after the certificate file's
    // own parameters, decides the DH group
    let dhparam = match cmds
        .iter()
        .rev()
        .find(|c| c.0.eq_ignore_ascii_case("DHParameters"))
    {
        Some((_, v, src)) => Setting::new(Some(v.clone()), src.clone()),
        None => Setting::new(
            None,
            l.default("no DH parameters in the certificate file: httpd picks DH parameters that match the key size"),
        ),
    };
    let (protocols, ciphers) = apply_conf_commands(protocols, ciphers, &cmds);
    let verify_client = match l.first_value("SSLVerifyClient") {
        Some((v, src)) => {
            let v = match v.to_ascii_lowercase().as_str() {
                "none" => "off".to_string(),
                "require" => "on".to_string(),
                other => other.to_string(),
            };
            Setting::new(v, src)
        }
        None => Setting::new(
            "off".into(),
            l.default("httpd's default SSLVerifyClient none"),
        ),
    };
    let verify_depth = match l.first_value("SSLVerifyDepth") {
        Some((v, src)) => Setting::new(v.parse().unwrap_or(1), src),
        None => Setting::new(1, l.default("httpd's default SSLVerifyDepth 1")),
    };
    let hsts = hsts(l.main, l.own, l.anchor);
    let hsts_dropped = hsts_drops(l.own, &hsts);
    let session_ticket_keys = match l.find("SSLSessionTicketKeyFile") {
        Some((d, src)) => Setting::new(d.values().into_iter().take(1).collect(), src),
        None => Setting::new(Vec::new(), l.default("no SSLSessionTicketKeyFile")),
    };
    let apache = ApacheFacts {
        engine: l.find("SSLEngine").map(|(d, _)| d.span),
        compression: l.flag(
            "SSLCompression",
            false,
            "httpd's default SSLCompression off",
        ),
        insecure_renegotiation: l.flag(
            "SSLInsecureRenegotiation",
            false,
            "httpd's default SSLInsecureRenegotiation off",
        ),
        stapling_cache: match l.main.unwrap_or(l.own).last("SSLStaplingCache") {
            Some(d) => Setting::new(d.values().into_iter().next(), Source::Inherited(d.span)),
            None => Setting::new(None, l.default("no SSLStaplingCache in the main server")),
        },
        ca_path: l.path("SSLCACertificatePath", "no SSLCACertificatePath"),
        crl_path: l.path("SSLCARevocationPath", "no SSLCARevocationPath"),
        crl_check: match l.find("SSLCARevocationCheck") {
            Some((d, src)) => Setting::new(d.values().join(" ").to_ascii_lowercase(), src),
            None => Setting::new(
                "none".into(),
                l.default("httpd's default SSLCARevocationCheck none"),
            ),
        },
        proxy_engine: l.flag(
            "SSLProxyEngine",
            false,
            "httpd's default SSLProxyEngine off",
        ),
        conf_command_spans,
        refused: refused(l, t),
    };
    Endpoint {
        server: ServerKind::Apache,
        context: context.to_string(),
        span: l.anchor,
        listen,
        server_names,
        protocols,
        protocols_decided_by: Vec::new(),
        ciphers,
        prefer_server_ciphers: l.flag(
            "SSLHonorCipherOrder",
            false,
            "httpd's default SSLHonorCipherOrder off",
        ),
        ecdh_curve: Setting::new(
            "auto".into(),
            l.default("no SSLOpenSSLConfCmd Curves: OpenSSL's default groups"),
        ),
        dhparam,
        conf_commands,
        certificates: cert_pairs(l),
        // Apache: how httpd gets pass phrases (SSLPassPhraseDialog, main server
        // config only): `builtin`, `exec:PROGRAM` or `|PROGRAM`
        password_file: match l.main.unwrap_or(l.own).last("SSLPassPhraseDialog") {
            Some(d) => Setting::new(Some(d.values().join(" ")), Source::Inherited(d.span)),
            None => Setting::new(None, l.default("SSLPassPhraseDialog builtin")),
        },
        session_tickets: l.flag(
            "SSLSessionTickets",
            true,
            "httpd's default SSLSessionTickets on",
        ),
        session_cache: match l.main.unwrap_or(l.own).last("SSLSessionCache") {
            Some(d) => Setting::new(d.values().join(" "), Source::Inherited(d.span)),
            None => Setting::new(
                "none".into(),
                l.default("httpd's default SSLSessionCache none"),
            ),
        },
        session_timeout: l.string(
            "SSLSessionCacheTimeout",
            "300",
            "httpd's default SSLSessionCacheTimeout 300",
        ),
        stapling: l.flag(
            "SSLUseStapling",
            false,
            "httpd's default SSLUseStapling off",
        ),
        stapling_verify: Setting::new(true, l.default("httpd verifies OCSP responses")),
        stapling_responder: l.path("SSLStaplingForceURL", "no SSLStaplingForceURL"),
        trusted_certificate: Setting::new(None, l.default("(not an Apache setting)")),
        resolver: Setting::new(None, l.default("httpd uses the system resolver")),
        verify_client,
        client_certificate: l.path("SSLCACertificateFile", "no SSLCACertificateFile"),
        verify_depth,
        crl: l.path("SSLCARevocationFile", "no SSLCARevocationFile"),
        early_data: Setting::new(
            false,
            l.default("mod_ssl does not accept TLS 1.3 early data"),
        ),
        reject_handshake: Setting::new(false, l.default("(not an Apache setting)")),
        hsts,
        hsts_dropped,
        upstreams: upstreams(l, t),
        ssl_on: None,
        default_for,
        session_ticket_keys,
        apache: Some(apache),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(apache: &str, openssl: &str) -> Target {
        Target {
            apache: apache.parse().unwrap(),
            openssl: openssl.parse().unwrap(),
            ..Target::default()
        }
    }

    fn p(words: &str, t: &Target) -> Vec<String> {
        let w: Vec<String> = words.split_whitespace().map(String::from).collect();
        parse_protocol(&w, t)
    }

    #[test]
    fn protocol_words() {
        let t3 = t("2.4.71", "3.0");
        assert_eq!(
            p("all -SSLv3", &t3),
            ["TLSv1", "TLSv1.1", "TLSv1.2", "TLSv1.3"]
        );
        assert_eq!(p("-all +TLSv1.2 +TLSv1.3", &t3), ["TLSv1.2", "TLSv1.3"]);
        assert_eq!(p("TLSv1.2", &t3), ["TLSv1.2"]);
        assert_eq!(p("TLSv1.2 TLSv1.3", &t3), ["TLSv1.3"]); // a bare word replaces
        assert_eq!(p("all -TLSv1 -TLSv1.1", &t3), ["TLSv1.2", "TLSv1.3"]);
        assert_eq!(p("+TLSv1.2 -SSLv2", &t3), ["TLSv1.2"]);
        // OpenSSL >= 1.1.0: a minimum and a maximum, no holes
        assert_eq!(p("+TLSv1.1 +TLSv1.3", &t3), ["TLSv1.3"]);
        assert_eq!(p("all -TLSv1.2", &t3), ["TLSv1.3"]);
        assert_eq!(
            p("+TLSv1 +TLSv1.2 +TLSv1.1", &t3),
            ["TLSv1", "TLSv1.1", "TLSv1.2"]
        );
        assert_eq!(
            p("all TLSv1.4", &t3),
            ["TLSv1", "TLSv1.1", "TLSv1.2", "TLSv1.3", "TLSv1.4"]
        );
        let old = t("2.4.29", "1.0.2");
        assert_eq!(p("all", &old), ["SSLv3", "TLSv1", "TLSv1.1", "TLSv1.2"]);
        assert_eq!(p("+TLSv1.3", &old), ["+TLSv1.3"]);
    }

    #[test]
    fn refused_protocol_words() {
        let w = |s: &str| -> Vec<String> { s.split_whitespace().map(String::from).collect() };
        let t3 = t("2.4.71", "3.0");
        // OpenSSL 3 is built without SSLv3: `+SSLv3` is refused, `-SSLv3` accepted
        let (v, r) = parse_protocol_checked(&w("all -SSLv3"), &t3, "SSLProtocol");
        assert_eq!(v, ["TLSv1", "TLSv1.1", "TLSv1.2", "TLSv1.3"]);
        assert!(r.is_empty());
        let (v, r) = parse_protocol_checked(&w("TLSv1.2 +SSLv3"), &t3, "SSLProtocol");
        assert_eq!(v, ["TLSv1.2", "+SSLv3"]);
        assert_eq!(r[0].1, "SSLv3 not supported by this version of OpenSSL");
        let (_, r) = parse_protocol_checked(&w("+SSLv2"), &t3, "SSLProtocol");
        assert_eq!(r[0].1, "SSLProtocol: SSLv2 is no longer supported");
        let (_, r) = parse_protocol_checked(&w("-all +TLSv1.4"), &t3, "SSLProxyProtocol");
        assert_eq!(r[0].1, "SSLProxyProtocol: Illegal protocol 'TLSv1.4'");
        // TLSv1.3 needs httpd 2.4.36: a bare refused name enables nothing
        let old = t("2.4.29", "1.1.1");
        let (v, r) = parse_protocol_checked(&w("TLSv1.2 TLSv1.3"), &old, "SSLProtocol");
        assert_eq!(v, ["TLSv1.2"]);
        assert_eq!(
            r[0],
            (
                "TLSv1.3".into(),
                "SSLProtocol: Illegal protocol 'TLSv1.3'".into()
            )
        );
    }

    #[test]
    fn addresses() {
        let s = Span {
            file: crate::source::FileId(0),
            start: 0,
            end: 0,
            line: 1,
            col: 1,
        };
        let l = parse_address("[::1]:8443", s);
        assert_eq!((l.addr.as_str(), l.port), ("[::1]", Some(8443)));
        let l = parse_address("_default_:443", s);
        assert_eq!((l.addr.as_str(), l.port), ("*", Some(443)));
        let l = parse_address("example.com", s);
        assert_eq!((l.addr.as_str(), l.port), ("example.com", None));
        assert_eq!(
            server_name_host("https://www.example.com:443"),
            "www.example.com"
        );
    }

    fn resolve_text(conf: &str) -> (Vec<Endpoint>, Vec<PlainServer>) {
        let mut fs = crate::fsx::MemFs::new();
        fs.insert("/t/apache2.conf".into(), conf.as_bytes().to_vec());
        let tree = crate::apache::loader::load(
            &fs,
            std::path::Path::new("/t/apache2.conf"),
            &crate::apache::loader::LoadOptions::default(),
        );
        assert!(tree.errors.is_empty(), "{:?}", tree.errors);
        resolve(&tree, &Target::default())
    }

    #[test]
    fn header_unset_removes_only_its_own_condition() {
        let base = "LoadModule ssl_module m.so\nLoadModule headers_module h.so\n<VirtualHost *:443>\nSSLEngine on\nHeader always set Strict-Transport-Security max-age=63072000\n";
        // `Header unset` (onsuccess) does not touch the `always` table
        let (eps, _) = resolve_text(&format!(
            "{base}<Location /a>\nHeader unset Strict-Transport-Security\n</Location>\nHeader unset Strict-Transport-Security\n</VirtualHost>\n"
        ));
        assert!(eps[0].hsts.value.as_ref().is_some_and(|h| h.always));
        assert!(eps[0].hsts_dropped.is_empty());
        let (eps, _) = resolve_text(&format!(
            "{base}<Location /a>\nHeader always unset Strict-Transport-Security\n</Location>\n</VirtualHost>\n"
        ));
        assert_eq!(eps[0].hsts_dropped.len(), 1);
        let (eps, _) = resolve_text(&format!(
            "{base}Header always unset Strict-Transport-Security\n</VirtualHost>\n"
        ));
        assert!(eps[0].hsts.value.is_none());
    }

    #[test]
    fn main_server_on_a_port_without_virtual_hosts_is_its_default() {
        let (_, plain) = resolve_text(
            "Listen 80\nListen 443\nLoadModule ssl_module m.so\n<VirtualHost *:443>\nSSLEngine on\n</VirtualHost>\n",
        );
        assert_eq!(plain.len(), 1);
        assert_eq!(plain[0].default_for, ["*:80"]);
    }

    #[test]
    fn revocation_check_defaults_to_none() {
        let conf = "LoadModule ssl_module m.so\n<VirtualHost *:443>\nSSLEngine on\n</VirtualHost>\n<VirtualHost *:8443>\nSSLEngine on\nSSLCARevocationCheck Chain no_crl_for_cert_ok\n</VirtualHost>\n";
        let (eps, _) = resolve_text(conf);
        let a = |i: usize| eps[i].apache.as_ref().unwrap().crl_check.value.clone();
        assert_eq!(a(0), "none");
        assert_eq!(a(1), "chain no_crl_for_cert_ok");
    }
}
