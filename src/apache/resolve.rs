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
//! replacing the main server's at the same position (the first three; later
//! ones are appended). Before 2.4.42 (or with OpenSSL older than 1.1.1) the
//! protocol of a handshake is that of the first virtual host of the address;
//! later, a name-based virtual host's own SSLProtocol applies — if neither it
//! nor the main server sets one, the first virtual host's still does.
//!
//! Checked against a running httpd 2.4.71 with OpenSSL 3.0 (Debian), reading
//! `ssl_engine_init.c`/`ssl_engine_kernel.c`/`mod_headers.c`/`vhost.c` for
//! the why:
//! - With OpenSSL 1.1.0 and later SSLProtocol becomes a minimum and a maximum;
//!   `SSLOpenSSLConfCmd MinProtocol/MaxProtocol` (applied after it, wherever
//!   written) replace them, `Protocol` only switches versions off or back on
//!   inside them (`SSL_OP_NO_*`).
//! - SNI: the connection starts from the first virtual host's context;
//!   switching to the named one takes its certificates, ciphers (TLS 1.2 and
//!   1.3) and, when SSLProtocol is set for it or the main server, its
//!   minimum/maximum — but its options are *added* to the first one's, so the
//!   first virtual host's `SSLHonorCipherOrder on`, `SSLSessionTickets off`,
//!   `SSLCompression off`, `SSLInsecureRenegotiation on` and
//!   `SSLOpenSSLConfCmd Protocol -X` hold for every name, and the
//!   key-exchange groups (`SSLOpenSSLConfCmd Curves/Groups`) are the first
//!   virtual host's alone: a name-based virtual host's `conf_commands` carry
//!   the first one's Curves/Groups (pointing at its line) in place of its own.
//! - `SSLEngine` takes `on`/`off` (`optional`: no TLS on connect); anything
//!   else stops httpd (reported as refused).
//! - mod_headers: `Header always` and `Header [onsuccess]` are separate
//!   tables; with both, the `always` header comes first and is the one
//!   user agents heed. A trailing colon in the header name is dropped
//!   (`Strict-Transport-Security:` sends one `Strict-Transport-Security`).
//!   A `<Location>`'s `Header` applies after the virtual host's, to the
//!   requests under it only (the main server's sections too).
//! - A virtual host without ServerName takes the main server's name only
//!   with a wildcard address; on an IP address it is named by reverse DNS.

use std::collections::HashMap;

use crate::apache::ast::Directive;
use crate::apache::loader::Tree;
use crate::model::{
    ApacheFacts, CertPair, DecidedBy, Endpoint, Hsts, HstsBlock, HstsDrop, Listen, PlainServer,
    ServerKind, Setting, Source, UpstreamTls,
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
    /// This scope's `https://` proxy targets and the values httpd refuses in
    /// it, worked out once (the main server's serve every virtual host).
    proxy_targets: std::cell::OnceCell<Vec<(&'t Directive, String)>>,
    refusals: std::cell::OnceCell<Vec<crate::model::Refused>>,
    dropped: std::cell::OnceCell<Vec<crate::model::Dropped>>,
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
    /// Server-level and per-directory directives, in order.
    fn everything(&self) -> impl Iterator<Item = &'t Directive> + '_ {
        self.dirs
            .iter()
            .copied()
            .chain(self.nested.iter().map(|(d, _)| *d))
    }
    /// `ProxyPass`, `ProxyPassMatch`, `RewriteRule [P]` and `BalancerMember`
    /// towards `https://`, with their targets.
    fn proxy_targets(&self) -> &[(&'t Directive, String)] {
        self.proxy_targets.get_or_init(|| {
            let mut out = Vec::new();
            for d in self.everything() {
                let target = if d.is("ProxyPass") || d.is("ProxyPassMatch") {
                    d.values().into_iter().find(|a| a.contains("://"))
                } else if d.is("RewriteRule") {
                    let v = d.values();
                    v.get(1).filter(|_| rewrite_proxies(&v)).cloned()
                } else if d.is("BalancerMember") {
                    d.values().into_iter().next()
                } else {
                    None
                };
                if let Some(tg) = target.filter(|s| s.to_ascii_lowercase().starts_with("https://"))
                {
                    out.push((d, tg));
                }
            }
            out
        })
    }
    /// The values httpd refuses in this scope (it then does not start).
    /// (`t` is the same for every call during one resolve.)
    fn refusals(&self, t: &Target) -> &[crate::model::Refused] {
        self.refusals.get_or_init(|| scope_refusals(self, t))
    }
    fn dropped(&self, t: &Target) -> &[crate::model::Dropped] {
        self.dropped.get_or_init(|| scope_dropped(self, t))
    }
}

/// The words httpd overrides among a scope's directives (server level and
/// sections): `SSLProtocol` / `SSLProxyProtocol` words without a +/- prefix
/// after others (AH02532), `SSLOptions` words without a prefix after others.
fn scope_dropped(scope: &Scope<'_>, t: &Target) -> Vec<crate::model::Dropped> {
    let all = all_protocols(t);
    let no_sslv3 = t.openssl >= Version::new(1, 1, 0);
    let mut out = Vec::new();
    for d in scope
        .dirs
        .iter()
        .copied()
        .chain(scope.nested.iter().map(|(d, _)| *d))
    {
        let words = d.values();
        let name = d.effective_name();
        if d.is("SSLProtocol") || d.is("SSLProxyProtocol") {
            let over = crate::apache::words::protocol_overrides(&words, &all, no_sslv3);
            if over.is_empty() {
                continue;
            }
            let means = parse_protocol(&words, t);
            let warnings: Vec<String> = over
                .iter()
                .map(|w| format!("AH02532: {name}: Protocol '{w}' overrides already set parameter(s). Check if a +/- prefix is missing."))
                .collect();
            let listed: Vec<String> = words
                .iter()
                .enumerate()
                .map(|(i, w)| match w.chars().next() {
                    Some('+' | '-') => w.clone(),
                    _ if w.eq_ignore_ascii_case("all") => w.clone(),
                    _ if i == 0 => format!("-all +{w}"),
                    _ => format!("+{w}"),
                })
                .collect();
            let now = if means.len() == 1 {
                means[0].clone()
            } else {
                format!("-all +{}", means.join(" +"))
            };
            out.push(crate::model::Dropped {
                span: d.span,
                message: format!(
                    "`{name} {}` means {}: a word without + or - replaces the versions before it (httpd warns at startup: {})",
                    words.join(" "),
                    if means.is_empty() { "no version".to_string() } else { format!("{} only", means.join(" and ")) },
                    warnings.join(" ")
                ),
                help: format!(
                    "write `{name} {}` to enable every version listed, or `{name} {now}` for what httpd does now",
                    listed.join(" ")
                ),
            });
        } else if d.is("SSLOptions") {
            let Some((lost, kept)) = crate::apache::words::options_overrides(&words) else {
                continue;
            };
            let plus: Vec<String> = words
                .iter()
                .map(|w| match w.chars().next() {
                    Some('+' | '-') => w.clone(),
                    _ => format!("+{w}"),
                })
                .collect();
            out.push(crate::model::Dropped {
                span: d.span,
                message: format!(
                    "`SSLOptions {}` sets only {}: a word without + or - replaces the options before it, so {} {} dropped (httpd says nothing)",
                    words.join(" "),
                    kept.join(" "),
                    lost.join(" "),
                    if lost.len() == 1 { "is" } else { "are" }
                ),
                help: format!(
                    "write `SSLOptions {}` to set every option listed",
                    plus.join(" ")
                ),
            });
        }
    }
    out
}

/// Whether mod_ssl checks a backend certificate's name: unless
/// `SSLProxyCheckPeerName off`, and then only if `SSLProxyCheckPeerCN` is
/// not off or `SSLProxyCheckPeerName on` is written (both unset by default;
/// mod_ssl tests `name != FALSE && (cn != FALSE || name == TRUE)`).
fn proxy_checks_name(l: &Lookup<'_, '_>) -> Setting<bool> {
    let name = l.first_value("SSLProxyCheckPeerName");
    let cn = l.first_value("SSLProxyCheckPeerCN");
    let on = |v: &(String, Source)| v.0.eq_ignore_ascii_case("on");
    match (&name, &cn) {
        (Some(n), _) if !on(n) => Setting::new(false, n.1.clone()),
        (Some(n), _) => Setting::new(true, n.1.clone()),
        (None, Some(c)) if !on(c) => Setting::new(false, c.1.clone()),
        (None, Some(c)) => Setting::new(true, c.1.clone()),
        (None, None) => Setting::new(
            true,
            l.default("httpd's default: SSLProxyCheckPeerName and SSLProxyCheckPeerCN unset, the name is checked"),
        ),
    }
}

/// `RewriteRule pattern target [flags]`: whether the flags include `P`
/// (proxy).
fn rewrite_proxies(v: &[String]) -> bool {
    v.get(2).is_some_and(|f| {
        f.trim_matches(|c| c == '[' || c == ']')
            .split(',')
            .any(|x| x.eq_ignore_ascii_case("P"))
    })
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
        crate::apache::words::apply(&mut set, action, this);
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
    // httpd files `_default_`, `0.0.0.0` and `[::]` under `*` (its
    // DUMP_VHOSTS lists them all as `*:port`; tests/oracle_apache_defaults.rs)
    let addr = if matches!(
        addr.as_str(),
        "_default_" | "0.0.0.0" | "[::]" | "[0:0:0:0:0:0:0:0]"
    ) {
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

/// A `<VirtualHost>`'s addresses as httpd keeps them (`vhost.c`
/// `get_addresses`), with the ones it refuses (it does not start) and the
/// ones it drops with AH00547 (see [`crate::apache::addr`]).
fn vhost_addresses(
    addrs: &[String],
    span: Span,
) -> (
    Vec<Listen>,
    Vec<crate::model::Refused>,
    Vec<crate::model::Dropped>,
) {
    use crate::apache::addr::{judge, V6};
    let mut kept = Vec::new();
    let mut refused = Vec::new();
    let mut dropped = Vec::new();
    for a in addrs {
        match judge(a) {
            V6::Fine => kept.push(parse_address(a, span)),
            V6::Invalid => {
                refused.push(crate::model::Refused {
                    span,
                    value: a.clone(),
                    error: "The address or port is invalid".into(),
                });
                kept.push(parse_address(a, span));
            }
            V6::Unresolvable(host) => dropped.push((a.clone(), host)),
        }
    }
    let alone = kept.is_empty();
    let dropped = dropped
        .into_iter()
        .map(|(a, host)| {
            let short: Vec<String> = host
                .split(':')
                .map(|g| {
                    if g.len() > 4 && g.chars().all(|c| c.is_ascii_hexdigit()) {
                        let t = g.trim_start_matches('0');
                        if t.is_empty() { "0".to_string() } else { t.to_string() }
                    } else {
                        g.to_string()
                    }
                })
                .collect();
            let fixed = a.replacen(&host, &short.join(":"), 1);
            crate::model::Dropped {
                span,
                message: format!(
                    "httpd drops the address {a}: it logs \"AH00547: Could not resolve host name {host} -- ignoring!\" at startup (a group of more than four digits passes APR's check but not the C library's){}",
                    if alone {
                        "; the virtual host has no other address, so httpd never selects it"
                    } else {
                        ""
                    }
                ),
                help: format!("write the address with at most four digits per group: `{fixed}`"),
            }
        })
        .collect();
    (kept, refused, dropped)
}

/// What makes httpd refuse the whole configuration, for every endpoint:
/// `Listen` addresses it cannot use, and `LoadModule` of a module built into
/// the modelled httpd.
fn tree_refusals(tree: &Tree, main: &Scope<'_>) -> Vec<crate::model::Refused> {
    use crate::apache::addr::{judge, V6};
    let mut out = Vec::new();
    for d in main.all("Listen") {
        let Some(a) = d.values().into_iter().next() else {
            continue;
        };
        let error = match judge(&a) {
            V6::Fine => continue,
            V6::Invalid => "Invalid address or port".to_string(),
            V6::Unresolvable(host) => format!(
                "Listen setup failed (AH00077: alloc_listener: failed to set up sockaddr for {host})"
            ),
        };
        out.push(crate::model::Refused {
            span: d.span,
            value: a,
            error,
        });
    }
    // mod_so refuses a module linked into httpd (`load_module`: "module
    // NAME is built-in and can't be loaded"), for modules whose source is
    // mod_*.c. mod_so itself is built in wherever LoadModule works; the
    // rest of the list is Debian's (`apache2 -l`), used only for a tree
    // laid out as Debian's (main file apache2.conf): RHEL's httpd, for one,
    // loads mod_version, mod_watchdog and mod_log_config as shared objects.
    let debian = tree.root.0 < tree.sources.len() as u32
        && tree
            .sources
            .path(tree.root)
            .file_name()
            .is_some_and(|n| n == "apache2.conf");
    for d in main.all("LoadModule") {
        let Some(id) = d.values().into_iter().next() else {
            continue;
        };
        let builtin = crate::apache::env::BUILTIN_MODULES
            .iter()
            .any(|(m, src)| *m == id && src.starts_with("mod_"));
        if id == "so_module" || (debian && builtin) {
            out.push(crate::model::Refused {
                span: d.span,
                value: id.clone(),
                error: format!("module {id} is built-in and can't be loaded"),
            });
        }
    }
    out
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

/// `SSLEngine` in force for a scope. mod_ssl accepts `on`, `off` and (until
/// 2.4.63) `optional` — RFC 2817 upgrade, no TLS on connect; 2.4.64 and later
/// log AH10510 and treat it as off. Any other value (an address list is
/// mod_tls's `TLSEngine` syntax, never mod_ssl's) makes httpd refuse to
/// start: it counts as on here, so that the refusal is reported on the
/// endpoint it was meant to make (see [`refused`]).
fn engine_on(d: &Directive) -> bool {
    let v = d.values();
    let Some(first) = v.first() else {
        return false;
    };
    !(first.eq_ignore_ascii_case("off") || first.eq_ignore_ascii_case("optional"))
}

/// httpd's message for an `SSLEngine` value it refuses, if it does.
fn engine_refused(d: &Directive, t: &Target) -> Option<(String, String)> {
    let v = d.values();
    let first = v.first()?;
    if ["on", "off", "optional"]
        .iter()
        .any(|w| first.eq_ignore_ascii_case(w))
        && v.len() == 1
    {
        return None;
    }
    let error = if v.len() != 1 {
        "SSLEngine takes one argument, SSL switch for the protocol engine ('on', 'off')".to_string()
    } else if t.apache >= Version::new(2, 4, 64) {
        "Argument must be On or Off".to_string()
    } else {
        "Argument must be On, Off, or Optional".to_string()
    };
    Some((v.join(" "), error))
}

/// The socket key a virtual host is matched on (`*` and `_default_` alike).
fn socket_key(l: &Listen) -> String {
    l.socket()
}

/// mod_headers' two tables for Strict-Transport-Security: [onsuccess,
/// always], each with the header and where it was (last) written.
type HstsTables = [Option<(Hsts, Source)>; 2];

/// Apply one `Header` directive to the tables.
fn apply_header(tables: &mut HstsTables, d: &Directive, src: Source) {
    let Some(p) = header_parts(d) else { return };
    if !p.header.eq_ignore_ascii_case("Strict-Transport-Security") {
        return;
    }
    let value = p.value.unwrap_or_default();
    let hsts = |value: String| Hsts {
        value,
        always: p.always,
        directive: p.written.clone(),
        statuses: Vec::new(),
        written: None,
    };
    let table = &mut tables[usize::from(p.always)];
    match p.action.as_str() {
        "set" => *table = Some((hsts(value), src)),
        // a second header after the first, which stays the one heeded
        "add" | "setifempty" if table.is_none() => *table = Some((hsts(value), src)),
        "append" | "merge" => match table {
            Some((h, s)) => {
                let present = h.value.split(',').any(|x| x.trim() == value);
                if p.action == "append" || !present {
                    h.value = format!("{}, {value}", h.value);
                    h.directive = p.written.clone();
                    *s = src;
                }
            }
            None => *table = Some((hsts(value), src)),
        },
        "unset" => *table = None,
        _ => {}
    }
}

/// The header user agents heed: the `always` table's comes first.
fn heeded(tables: HstsTables) -> Option<(Hsts, Source)> {
    let [onsuccess, always] = tables;
    always.or(onsuccess)
}

/// The tables at virtual host level: the main server's `Header`s, then
/// the virtual host's.
fn hsts_tables<'t>(main: Option<&Scope<'t>>, own: &Scope<'t>) -> HstsTables {
    let mut tables: HstsTables = [None, None];
    for (scope, is_own) in main
        .into_iter()
        .map(|m| (m, false))
        .chain(std::iter::once((own, true)))
    {
        for d in scope.all("Header") {
            let src = if is_own {
                Source::Set(d.span)
            } else {
                Source::Inherited(d.span)
            };
            apply_header(&mut tables, d, src);
        }
    }
    tables
}

/// The Strict-Transport-Security header set by `Header` directives: the
/// main server's, then the virtual host's (mod_headers appends the virtual
/// host's list to the main server's and applies them in that order).
/// mod_headers keeps one table per condition — `Header always` writes the
/// error headers (sent with every response), `Header [onsuccess]` the
/// headers of successful responses only — and `unset` clears only its own
/// table. When both carry the header, a 2xx response has two of them, the
/// `always` one first (httpd 2.4.71), and a user agent heeds only the first
/// (RFC 6797 8.1): the `always` one decides.
fn hsts<'t>(main: Option<&Scope<'t>>, own: &Scope<'t>, anchor: Span) -> Setting<Option<Hsts>> {
    match heeded(hsts_tables(main, own)) {
        Some((h, src)) => Setting::new(Some(h), src),
        None => Setting::new(
            None,
            Source::Default {
                anchor,
                note: "no Header directive sets Strict-Transport-Security".into(),
            },
        ),
    }
}

/// The per-directory sections of a virtual host whose `Header` directives
/// touch Strict-Transport-Security, with the header their requests carry:
/// mod_headers merges a section's list after the virtual host's (checked
/// with httpd 2.4.71: `Header always set` in `<Location /app>` replaces the
/// virtual host's for /app). Sections overlap (a `<Location>` applies on
/// top of a `<Directory>`), so only those that change the header are
/// listed (the main server's sections too: they apply to every virtual
/// host). Also whether one of them covers every request (`<Location />`).
fn hsts_sections<'t>(main: Option<&Scope<'t>>, own: &Scope<'t>) -> (Vec<HstsBlock>, bool) {
    let base = hsts_tables(main, own);
    // the main server's sections apply to every virtual host, before its own
    let nested: Vec<(&Directive, &Directive, bool)> = main
        .map(|m| m.nested.as_slice())
        .unwrap_or_default()
        .iter()
        .map(|(d, c)| (*d, *c, false))
        .chain(own.nested.iter().map(|(d, c)| (*d, *c, true)))
        .collect();
    let mut sections: Vec<&Directive> = Vec::new();
    for (d, c, _) in &nested {
        let touches = d.is("Header")
            && header_parts(d)
                .is_some_and(|p| p.header.eq_ignore_ascii_case("Strict-Transport-Security"));
        if touches && !sections.iter().any(|s| std::ptr::eq(*s, *c)) {
            sections.push(c);
        }
    }
    let mut cover_rest = false;
    let blocks = sections
        .into_iter()
        .map(|c| {
            let mut tables = base.clone();
            for (d, _, is_own) in nested
                .iter()
                .filter(|(d, s, _)| std::ptr::eq(*s, c) && d.is("Header"))
            {
                let src = if *is_own {
                    Source::Set(d.span)
                } else {
                    Source::Inherited(d.span)
                };
                apply_header(&mut tables, d, src);
            }
            let args = c.values();
            let whole = match args.as_slice() {
                [p] if c.is("Location") => p == "/",
                [p] if c.is("LocationMatch") => matches!(p.as_str(), "/" | "^/" | ".*" | "^.*"),
                // true for every request of a TLS virtual host
                [e] if c.is("If") => {
                    let e: String = e
                        .chars()
                        .filter(|ch| !ch.is_whitespace() && *ch != '\'' && *ch != '"')
                        .collect::<String>()
                        .to_ascii_lowercase();
                    matches!(e.as_str(), "%{https}==on" | "%{request_scheme}==https")
                }
                _ => false,
            };
            cover_rest |= whole;
            HstsBlock {
                block: c.span,
                label: section_label(c),
                hsts: heeded(tables).map(|(h, src)| Setting::new(h, src)),
                dropped: false,
            }
        })
        .collect();
    (blocks, cover_rest)
}

/// A section's opening line as written: `<Location "/app">`.
fn section_label(c: &Directive) -> String {
    let args: Vec<String> = c
        .args
        .iter()
        .map(|a| match a.quote {
            crate::apache::ast::Quote::None => a.raw.clone(),
            crate::apache::ast::Quote::Single => format!("'{}'", a.raw),
            crate::apache::ast::Quote::Double => format!("\"{}\"", a.raw),
        })
        .collect();
    format!("<{} {}>", c.name.value(), args.join(" "))
}

/// A `Header` directive's parts.
struct HeaderParts {
    /// The `always` condition (else `onsuccess`, written or not).
    always: bool,
    action: String,
    /// The header name; mod_headers drops a trailing colon
    /// (`Strict-Transport-Security:` is the same header, checked with httpd
    /// 2.4.71).
    header: String,
    value: Option<String>,
    /// `Header [condition] action` as written, for messages.
    written: String,
}

/// `Header [always|onsuccess] action header [value]`.
fn header_parts(d: &Directive) -> Option<HeaderParts> {
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
    let written = std::iter::once(d.name.value())
        .chain(v[..=i].iter().cloned())
        .collect::<Vec<_>>()
        .join(" ");
    let header = v.get(i + 1)?;
    let header = header.strip_suffix(':').unwrap_or(header).to_string();
    Some(HeaderParts {
        always,
        action,
        header,
        value: v.get(i + 2).cloned(),
        written,
    })
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
            let p = header_parts(d)?;
            (p.action == "unset"
                && p.always == set.always
                && p.header.eq_ignore_ascii_case("Strict-Transport-Security"))
            .then(|| HstsDrop {
                block: c.span,
                add_header: d.span,
                inherited: Some(hsts.source.span()),
                by: p.written,
                included_at: None,
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
        return target_https && !rewrite_proxies(&v);
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
    let targets: Vec<(&Directive, String)> = l
        .main
        .into_iter()
        .chain(std::iter::once(l.own))
        .flat_map(|scope| scope.proxy_targets().iter().cloned())
        .collect();
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
                check_name: Some(proxy_checks_name(l)),
            }
        })
        .collect()
}

/// The names a virtual host answers to (ServerName, then ServerAlias). A
/// virtual host without ServerName takes the main server's when one of its
/// addresses is a wildcard (`*`, `_default_`, `0.0.0.0`, `[::]`); otherwise
/// httpd names it by the reverse DNS of its first address (`localhost` for
/// 127.0.0.1), which is not known here: it has no name then, and SNI with
/// the main server's name does not select it (httpd 2.4.71, `vhost.c`).
fn names(own: &Scope<'_>, main: Option<&Scope<'_>>, listen: &[Listen]) -> Vec<String> {
    let mut out = Vec::new();
    let wildcard = listen.iter().any(|l| {
        matches!(
            l.addr.as_str(),
            "*" | "0.0.0.0" | "[::]" | "[0:0:0:0:0:0:0:0]"
        )
    });
    let sn = own
        .last("ServerName")
        .or_else(|| main.filter(|_| wildcard).and_then(|m| m.last("ServerName")));
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
    // the sockets of each virtual host (without the addresses httpd drops),
    // and the first virtual host of each socket
    let mut addr_refused: Vec<Vec<crate::model::Refused>> = Vec::new();
    let mut addr_dropped: Vec<Vec<crate::model::Dropped>> = Vec::new();
    let listens: Vec<Vec<Listen>> = vhosts
        .iter()
        .map(|v| {
            let s = v.section.map(|d| d.span).unwrap_or(root_span);
            let (ls, refused, dropped) =
                vhost_addresses(&v.section.map(|d| d.values()).unwrap_or_default(), s);
            addr_refused.push(refused);
            addr_dropped.push(dropped);
            ls
        })
        .collect();
    let tree_refused = tree_refusals(tree, &main);
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
        .map(|v| v.last("SSLEngine").or(main_engine).is_some_and(engine_on))
        .collect();

    let mut endpoints = Vec::new();
    let mut plain = Vec::new();
    // per virtual host: its own protocol setting and SNI-relevant context,
    // for what the first virtual host of an address decides
    let mut own_protocols: Vec<Option<Setting<Vec<String>>>> = Vec::new();
    let mut snis: Vec<Option<Sni>> = Vec::new();
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
            snis.push(None);
            plain.push(PlainServer {
                span: anchor,
                server_names: names(v, Some(&main), &listen),
                listen,
                default_for,
                redirects_to_https: redirects(v),
                tls_too: false,
            });
            continue;
        }
        let l = Lookup {
            own: v,
            main: Some(&main),
            anchor,
        };
        let server_names = names(v, Some(&main), &listen);
        let (mut ep, sni) = endpoint(&l, t, "vhost", listen, server_names, default_for);
        if let Some(a) = ep.apache.as_mut() {
            a.refused.extend(addr_refused[i].iter().cloned());
            a.refused.extend(tree_refused.iter().cloned());
            a.dropped.extend(addr_dropped[i].iter().cloned());
        }
        own_protocols.push(Some(ep.protocols.clone()));
        snis.push(Some(sni));
        endpoints.push((i, ep));
    }
    // what the first virtual host of an address decides for the names SNI
    // selects there (kernel: `ssl_find_vhost`): the connection is made from
    // its context; `SSL_set_SSL_CTX` then switches certificates, cipher
    // lists and DH parameters, adds the selected context's options to the
    // first one's (`SSL_set_options` only sets bits), and — httpd 2.4.42 and
    // later with OpenSSL 1.1.1 — its minimum/maximum version when SSLProtocol
    // is set for it or the main server. The key-exchange groups stay the
    // first virtual host's.
    let honoured = t.apache >= Version::new(2, 4, 42) && t.openssl >= Version::new(1, 1, 1);
    let snapshot: Vec<FirstView> = endpoints
        .iter()
        .map(|(i, e)| FirstView {
            index: *i,
            names: e.server_names.clone(),
            prefer: e.prefer_server_ciphers.clone(),
            tickets: e.session_tickets.clone(),
            flags: e.apache.as_ref().map(|a| ApacheFlags {
                compression: a.compression.clone(),
                insecure_renegotiation: a.insecure_renegotiation.clone(),
            }),
        })
        .collect();
    let names_of = |b: usize| -> Vec<String> {
        snapshot
            .iter()
            .find(|s| s.index == b)
            .map(|s| s.names.clone())
            .unwrap_or_default()
    };
    for (i, ep) in endpoints.iter_mut() {
        let mut decided = Vec::new();
        // the first virtual host of each socket, where it is another one
        let mut bases: Vec<(String, usize)> = Vec::new();
        let mut is_base = false;
        for l in &ep.listen {
            let key = socket_key(l);
            let Some(&b) = base.get(&key) else { continue };
            if b == *i {
                is_base = true;
                continue;
            }
            let Some(Some(bp)) = own_protocols.get(b) else {
                continue;
            };
            bases.push((key.clone(), b));
            let server = vhosts[b].section.map(|d| d.span).unwrap_or(root_span);
            let by = |reason: String| DecidedBy {
                socket: key.clone(),
                server,
                server_names: names_of(b),
                reason,
            };
            if !honoured {
                let reason = if t.apache < Version::new(2, 4, 42) {
                    format!(
                        "httpd before 2.4.42 (modelled: {}) takes the protocol from the first virtual host of an address",
                        t.apache
                    )
                } else {
                    format!(
                        "with OpenSSL before 1.1.1 (modelled: {}) the protocol is that of the first virtual host of an address",
                        t.openssl
                    )
                };
                decided.push((by(reason), bp.clone()));
                continue;
            }
            let (Some(Some(own)), Some(Some(first))) = (snis.get(*i), snis.get(b)) else {
                continue;
            };
            let range = if own.protocol_set {
                own.range
            } else {
                first.range
            };
            let mut disabled = own.disabled.clone();
            for d in &first.disabled {
                if !disabled.contains(d) {
                    disabled.push(d);
                }
            }
            // OpenSSL checks the connection's versions before it reads the
            // name (`tls_setup_handshake`): with none left in the first
            // virtual host's context, every handshake there fails
            if first.range.is_some()
                && protocol_list(first.range, &first.disabled, &[], t).is_empty()
            {
                let list = protocol_list(None, &[], &own.extra, t);
                if list != ep.protocols.value {
                    decided.push((
                        by("the first virtual host of the address has no protocol version left, and OpenSSL refuses every handshake there before it reads the name (no protocols available)".to_string()),
                        Setting::new(list, bp.source.clone()),
                    ));
                }
                continue;
            }
            let list = protocol_list(range, &disabled, &own.extra, t);
            if list == ep.protocols.value {
                continue;
            }
            let own_range = protocol_list(range, &own.disabled, &own.extra, t);
            if own_range != ep.protocols.value {
                decided.push((
                    by("neither this virtual host nor the main server sets SSLProtocol, so the first virtual host's applies".to_string()),
                    Setting::new(list, bp.source.clone()),
                ));
            } else {
                let src = first
                    .disabled_src
                    .clone()
                    .unwrap_or_else(|| bp.source.clone());
                decided.push((
                    by("the first virtual host's `SSLOpenSSLConfCmd Protocol` switches versions off for every name of the address (mod_ssl adds the options of the virtual host SNI selects to the first one's)".to_string()),
                    Setting::new(list, src),
                ));
            }
        }
        ep.protocols_decided_by = decided;
        // options and groups: where every socket of this virtual host has
        // another first virtual host (the first such one is modelled)
        let Some((key, b)) = bases.first().cloned().filter(|_| !is_base) else {
            continue;
        };
        let Some(first) = snapshot.iter().find(|s| s.index == b) else {
            continue;
        };
        let from_first = |src: &Source, what: &str| -> Source {
            match src {
                Source::Set(s) | Source::Inherited(s) => Source::Inherited(*s),
                Source::Default { anchor, .. } => Source::Default {
                    anchor: *anchor,
                    note: format!(
                        "{what} of the first virtual host of {key} (httpd's default) stays in force for every name there"
                    )
                    .into(),
                },
            }
        };
        // SSL_OP_CIPHER_SERVER_PREFERENCE
        if !ep.prefer_server_ciphers.value && first.prefer.value {
            ep.prefer_server_ciphers = Setting::new(
                true,
                from_first(&first.prefer.source, "SSLHonorCipherOrder on"),
            );
        }
        // SSL_OP_NO_TICKET
        if ep.session_tickets.value && !first.tickets.value {
            ep.session_tickets = Setting::new(
                false,
                from_first(&first.tickets.source, "SSLSessionTickets off"),
            );
        }
        if let (Some(a), Some(f)) = (ep.apache.as_mut(), first.flags.as_ref()) {
            // SSL_OP_NO_COMPRESSION
            if a.compression.value && !f.compression.value {
                a.compression = Setting::new(
                    false,
                    from_first(&f.compression.source, "SSLCompression off"),
                );
            }
            // SSL_OP_ALLOW_UNSAFE_LEGACY_RENEGOTIATION
            if !a.insecure_renegotiation.value && f.insecure_renegotiation.value {
                a.insecure_renegotiation = Setting::new(
                    true,
                    from_first(
                        &f.insecure_renegotiation.source,
                        "SSLInsecureRenegotiation on",
                    ),
                );
            }
        }
        // the groups: the first virtual host's Curves/Groups, in place of
        // this one's (whose own are never used)
        let Some(Some(first_sni)) = snis.get(b) else {
            continue;
        };
        let is_groups =
            |k: &str| k.eq_ignore_ascii_case("Curves") || k.eq_ignore_ascii_case("Groups");
        let own_has = ep.conf_commands.value.iter().any(|(k, _)| is_groups(k));
        let same = match (&first_sni.groups, snis.get(*i).and_then(|s| s.as_ref())) {
            (f, Some(o)) => f == &o.groups,
            _ => false,
        };
        if same || (!own_has && first_sni.groups.is_none()) {
            continue;
        }
        if let Some(a) = ep.apache.as_mut() {
            let mut kept_cmds = Vec::new();
            let mut kept_spans = Vec::new();
            for (c, sp) in ep.conf_commands.value.iter().zip(&a.conf_command_spans) {
                if !is_groups(&c.0) {
                    kept_cmds.push(c.clone());
                    kept_spans.push(*sp);
                }
            }
            if let Some((k, v, sp)) = &first_sni.groups {
                kept_cmds.push((k.clone(), v.clone()));
                kept_spans.push(*sp);
            }
            a.conf_command_spans = kept_spans;
            ep.conf_commands.value = kept_cmds;
            if ep.conf_commands.value.is_empty() {
                ep.conf_commands.source = Source::Default {
                    anchor: ep.span,
                    note: "no SSLOpenSSLConfCmd in force".into(),
                };
            }
        }
        if first_sni.groups.is_none() {
            ep.ecdh_curve = Setting::new(
                "auto".into(),
                Source::Default {
                    anchor: vhosts[b].section.map(|d| d.span).unwrap_or(root_span),
                    note: format!(
                        "the first virtual host of {key} decides the groups and sets no SSLOpenSSLConfCmd Curves: OpenSSL's default groups"
                    )
                    .into(),
                },
            );
        }
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
    if main_engine.is_some_and(engine_on) {
        let l = Lookup {
            own: &main,
            main: None,
            anchor: main_engine.map(|d| d.span).unwrap_or(root_span),
        };
        let mut listen = main_sockets;
        for s in &mut listen {
            s.ssl = true;
        }
        let mut ep = endpoint(&l, t, "main", listen, names(&main, None, &[]), Vec::new()).0;
        if let Some(a) = ep.apache.as_mut() {
            a.refused.extend(tree_refused.iter().cloned());
        }
        endpoints.push(ep);
    } else if !main_sockets.is_empty() {
        plain.push(PlainServer {
            span: main_sockets[0].span,
            server_names: names(&main, None, &[]),
            // no virtual host covers these sockets: the main server answers every name there
            default_for: main_sockets.iter().map(socket_key).collect(),
            listen: main_sockets,
            redirects_to_https: redirects(&main),
            tls_too: false,
        });
    }
    (endpoints, plain)
}

/// The certificate/key pairs: position by position (the first three), the
/// virtual host's entries replace the main server's.
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
        // mod_ssl (2.4.8 and later, CERTKEYS_IDX_MAX): the virtual host's
        // first three entries knock out the main server's at the same
        // position; the main server's others follow, then the virtual
        // host's fourth and later ones
        let knock = own.len().min(3);
        let mut out: Vec<(String, Source)> = own[..knock].to_vec();
        out.extend(base.into_iter().skip(knock));
        out.extend(own[knock..].iter().cloned());
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
/// The values httpd refuses among a scope's directives.
fn scope_refusals(scope: &Scope<'_>, t: &Target) -> Vec<crate::model::Refused> {
    let has_tls13 = t.openssl >= Version::new(1, 1, 1) && t.apache >= Version::new(2, 4, 36);
    let mut out = Vec::new();
    for d in scope.everything() {
        if d.is("SSLEngine") {
            if let Some((value, error)) = engine_refused(d, t) {
                out.push(crate::model::Refused {
                    span: d.span,
                    value,
                    error,
                });
            }
            continue;
        }
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
    out
}

fn refused(l: &Lookup<'_, '_>, t: &Target) -> Vec<crate::model::Refused> {
    let mut out: Vec<crate::model::Refused> = l
        .main
        .into_iter()
        .chain(std::iter::once(l.own))
        .flat_map(|scope| scope.refusals(t).iter().cloned())
        .collect();
    // the SSLProtocol in force leaves no version: mod_ssl stops at startup
    // (AH02231); `SSLOpenSSLConfCmd` applies later and cannot prevent it
    if let Some((d, _)) = l.find("SSLProtocol") {
        let (set, _) = parse_protocol_checked(&d.values(), t, "SSLProtocol");
        if !set.iter().any(|p| canonical_protocol(p).is_some()) {
            out.push(crate::model::Refused {
                span: d.span,
                value: d.values().join(" "),
                error: "No SSL protocols available [hint: SSLProtocol] (AH02231)".into(),
            });
        }
    }
    out
}

/// What of a virtual host's SSL context matters when SNI selects it on a
/// connection that began with the first virtual host of the address (mod_ssl
/// creates the connection from that one's context, then `SSL_set_SSL_CTX`).
#[derive(Clone, Default)]
struct Sni {
    /// mod_ssl's minimum and maximum version (indices into `VERSIONS`),
    /// after `SSLOpenSSLConfCmd MinProtocol/MaxProtocol`; `None`: no version.
    range: Option<(usize, usize)>,
    /// `SSLProtocol` set here or in the main server (mod_ssl's `protocol_set`):
    /// only then does the selected virtual host's range replace the first one's.
    protocol_set: bool,
    /// Versions `SSLOpenSSLConfCmd Protocol` switches off (`SSL_OP_NO_*`), and
    /// where the last such command is.
    disabled: Vec<&'static str>,
    disabled_src: Option<Source>,
    /// Refused `SSLProtocol` words, kept at the end of the list.
    extra: Vec<String>,
    /// The last `SSLOpenSSLConfCmd Curves|Groups`: name, value, where.
    groups: Option<(String, String, Span)>,
}

/// An endpoint's settings that the first virtual host of an address keeps
/// in force for the other names there, for [`resolve`].
struct FirstView {
    index: usize,
    names: Vec<String>,
    prefer: Setting<bool>,
    tickets: Setting<bool>,
    flags: Option<ApacheFlags>,
}

/// The first virtual host's option-like mod_ssl settings.
struct ApacheFlags {
    compression: Setting<bool>,
    insecure_renegotiation: Setting<bool>,
}

/// The versions a context with this range and these disabled versions
/// negotiates (the server side allows holes), then the refused words.
fn protocol_list(
    range: Option<(usize, usize)>,
    disabled: &[&str],
    extra: &[String],
    t: &Target,
) -> Vec<String> {
    let mut out: Vec<String> = match range {
        Some((lo, hi)) => VERSIONS
            .iter()
            .enumerate()
            .filter(|(i, p)| {
                *i >= lo
                    && *i <= hi
                    && !disabled.contains(p)
                    && match **p {
                        "SSLv3" => t.openssl < Version::new(1, 1, 0),
                        "TLSv1.3" => t.openssl >= Version::new(1, 1, 1),
                        _ => true,
                    }
            })
            .map(|(_, p)| p.to_string())
            .collect(),
        None => Vec::new(),
    };
    out.extend(extra.iter().cloned());
    out
}

/// `SSLProtocol` with OpenSSL 1.1.0 and later: mod_ssl sets a minimum and a
/// maximum version (`ssl_init_ctx_protocol`); the configuration commands run
/// later on the same context (`ssl_init_server_ctx`), wherever they are
/// written: `MinProtocol`/`MaxProtocol` replace that minimum/maximum (`None`:
/// no bound), `Protocol` only sets or clears `SSL_OP_NO_*` options — it
/// switches versions off inside the range and cannot add one outside it
/// (`SSLProtocol TLSv1.2` with `Protocol +TLSv1.3` is TLS 1.2 only; `ALL`
/// clears every option and so adds nothing).
fn apache_protocols(
    sslprotocol: Setting<Vec<String>>,
    cmds: &[(String, String, Source)],
    t: &Target,
    sni: &mut Sni,
) -> Setting<Vec<String>> {
    let idx = |p: &str| VERSIONS.iter().position(|v| *v == p);
    let vers: Vec<usize> = sslprotocol.value.iter().filter_map(|p| idx(p)).collect();
    sni.extra = sslprotocol
        .value
        .iter()
        .filter(|p| idx(p).is_none())
        .cloned()
        .collect();
    sni.range = vers.first().zip(vers.last()).map(|(a, b)| (*a, *b));
    let mut last: Option<Source> = None;
    // with no version at all httpd stops before the commands (AH02231)
    if sni.range.is_some() {
        for (cmd, value, src) in cmds {
            let min = cmd.eq_ignore_ascii_case("MinProtocol");
            if min || cmd.eq_ignore_ascii_case("MaxProtocol") {
                let bound = if value.eq_ignore_ascii_case("None") {
                    Some(if min { 0 } else { VERSIONS.len() - 1 })
                } else {
                    canonical_protocol(value).and_then(idx)
                };
                if let (Some(b), Some((lo, hi))) = (bound, sni.range) {
                    sni.range = Some(if min { (b, hi) } else { (lo, b) });
                    last = Some(src.clone());
                }
            } else if cmd.eq_ignore_ascii_case("Protocol") {
                for item in value.split(',').map(str::trim).filter(|i| !i.is_empty()) {
                    let (off, name) = match item.strip_prefix('-') {
                        Some(n) => (true, n),
                        None => (false, item.strip_prefix('+').unwrap_or(item)),
                    };
                    let names: Vec<&'static str> = if name.eq_ignore_ascii_case("ALL") {
                        VERSIONS.to_vec()
                    } else {
                        canonical_protocol(name)
                            .and_then(|c| VERSIONS.iter().copied().find(|v| *v == c))
                            .into_iter()
                            .collect()
                    };
                    for n in names {
                        if off {
                            if !sni.disabled.contains(&n) {
                                sni.disabled.push(n);
                            }
                        } else {
                            sni.disabled.retain(|d| *d != n);
                        }
                    }
                }
                sni.disabled_src = Some(src.clone());
                last = Some(src.clone());
            }
        }
    }
    let list = protocol_list(sni.range, &sni.disabled, &sni.extra, t);
    match last {
        Some(src) if list != sslprotocol.value => Setting::new(list, src),
        _ => sslprotocol,
    }
}

fn endpoint(
    l: &Lookup<'_, '_>,
    t: &Target,
    context: &str,
    listen: Vec<Listen>,
    server_names: Vec<String>,
    default_for: Vec<String>,
) -> (Endpoint, Sni) {
    let mut sni = Sni {
        protocol_set: l.find("SSLProtocol").is_some(),
        ..Sni::default()
    };
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
    sni.groups = cmds
        .iter()
        .rev()
        .find(|c| c.0.eq_ignore_ascii_case("Curves") || c.0.eq_ignore_ascii_case("Groups"))
        .map(|(k, v, src)| (k.clone(), v.clone(), src.span()));
    let (protocols, ciphers) = if t.openssl >= Version::new(1, 1, 0) {
        let (_, ciphers) = apply_conf_commands(protocols.clone(), ciphers, &cmds, t.openssl);
        (apache_protocols(protocols, &cmds, t, &mut sni), ciphers)
    } else {
        apply_conf_commands(protocols, ciphers, &cmds, t.openssl)
    };
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
    let (mut hsts_blocks, hsts_blocks_cover_rest) = hsts_sections(l.main, l.own);
    for b in &mut hsts_blocks {
        b.dropped = b.hsts.is_none() && hsts_dropped.iter().any(|d| d.block == b.block);
    }
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
        dropped: l
            .main
            .into_iter()
            .chain(std::iter::once(l.own))
            .flat_map(|scope| scope.dropped(t).iter().cloned())
            .collect(),
    };
    let ep = Endpoint {
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
        hsts_blocks,
        hsts_blocks_cover_rest,
        never_answers: None,
        upstreams: upstreams(l, t),
        ssl_on: None,
        default_for,
        session_ticket_keys,
        apache: Some(Box::new(apache)),
    };
    (ep, sni)
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
    fn sslprotocol_without_a_version_is_refused() {
        let (eps, _) = resolve_text(
            "Listen 443\n<VirtualHost *:443>\nSSLEngine on\nSSLCertificateFile a.pem\nSSLProtocol -all +TLSv1.1 -TLSv1.1\n</VirtualHost>\n",
        );
        let r = &eps[0].apache.as_ref().unwrap().refused;
        assert!(r.iter().any(|x| x.error.contains("AH02231")), "{r:?}");
        // a version left: nothing refused
        let (eps, _) = resolve_text(
            "Listen 443\n<VirtualHost *:443>\nSSLEngine on\nSSLCertificateFile a.pem\nSSLProtocol -all +TLSv1.2\n</VirtualHost>\n",
        );
        assert!(eps[0].apache.as_ref().unwrap().refused.is_empty());
    }

    #[test]
    fn backend_name_check_follows_peername_and_peercn() {
        let check = |lines: &str| {
            let (eps, _) = resolve_text(&format!(
                "Listen 443\n<VirtualHost *:443>\nSSLEngine on\nSSLCertificateFile a.pem\nSSLProxyEngine on\n{lines}\nProxyPass / https://b.internal/\n</VirtualHost>\n"
            ));
            eps[0].upstreams[0].check_name.as_ref().unwrap().value
        };
        assert!(check(""));
        assert!(!check("SSLProxyCheckPeerName off"));
        assert!(!check("SSLProxyCheckPeerCN off"));
        assert!(check("SSLProxyCheckPeerCN off\nSSLProxyCheckPeerName on"));
        assert!(check("SSLProxyCheckPeerCN on"));
        assert!(!check("SSLProxyCheckPeerCN on\nSSLProxyCheckPeerName off"));
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

    /// Two name-based TLS virtual hosts on 127.0.0.1:443 (a.test first),
    /// with `main`, `a` and `b` written in the main server and each.
    fn two(main: &str, a: &str, b: &str) -> Vec<Endpoint> {
        resolve_text(&format!(
            "LoadModule ssl_module m.so\nLoadModule headers_module h.so\n{main}\n<VirtualHost 127.0.0.1:443>\nServerName a.test\nSSLEngine on\n{a}\n</VirtualHost>\n<VirtualHost 127.0.0.1:443>\nServerName b.test\nSSLEngine on\n{b}\n</VirtualHost>\n"
        ))
        .0
    }

    fn eff(ep: &Endpoint) -> Vec<String> {
        ep.effective_protocols().value.clone()
    }

    #[test]
    fn conf_commands_move_the_bounds_and_switch_versions_off() {
        // observed on httpd 2.4.71 / OpenSSL 3.0: MinProtocol/MaxProtocol
        // replace SSLProtocol's bounds, Protocol cannot add a version
        let eps = two(
            "",
            "SSLProtocol TLSv1.2\nSSLOpenSSLConfCmd MinProtocol TLSv1",
            "",
        );
        assert_eq!(eff(&eps[0]), ["TLSv1", "TLSv1.1", "TLSv1.2"]);
        let eps = two(
            "",
            "SSLOpenSSLConfCmd Protocol +TLSv1.3\nSSLProtocol TLSv1.2",
            "",
        );
        assert_eq!(eff(&eps[0]), ["TLSv1.2"]);
        let eps = two(
            "",
            "SSLProtocol all -TLSv1 -TLSv1.1\nSSLOpenSSLConfCmd Protocol ALL",
            "",
        );
        assert_eq!(eff(&eps[0]), ["TLSv1.2", "TLSv1.3"]);
        let eps = two(
            "",
            "SSLProtocol all\nSSLOpenSSLConfCmd Protocol -TLSv1.2",
            "",
        );
        assert_eq!(eff(&eps[0]), ["TLSv1", "TLSv1.1", "TLSv1.3"]); // a hole
        let eps = two(
            "",
            "SSLProtocol TLSv1.3\nSSLOpenSSLConfCmd MaxProtocol TLSv1.2",
            "",
        );
        assert!(eff(&eps[0]).is_empty());
        let eps = two(
            "",
            "SSLProtocol all\nSSLOpenSSLConfCmd MaxProtocol TLSv1.2",
            "",
        );
        assert_eq!(eff(&eps[0]), ["TLSv1", "TLSv1.1", "TLSv1.2"]);
    }

    #[test]
    fn sni_keeps_the_first_virtual_hosts_options_and_unset_range() {
        // the first one's `Protocol -X` stays in force for every name
        let eps = two(
            "",
            "SSLProtocol all\nSSLOpenSSLConfCmd Protocol -TLSv1.2",
            "SSLProtocol all",
        );
        assert_eq!(eff(&eps[1]), ["TLSv1", "TLSv1.1", "TLSv1.3"]);
        assert!(eps[1].protocols_decided_by[0]
            .0
            .reason
            .contains("SSLOpenSSLConfCmd Protocol"));
        // without SSLProtocol here or in the main server, the own
        // MinProtocol is not used: the first one's range is
        let eps = two(
            "",
            "SSLProtocol TLSv1.2",
            "SSLOpenSSLConfCmd MinProtocol TLSv1",
        );
        assert_eq!(eff(&eps[1]), ["TLSv1.2"]);
        // with it, it is
        let eps = two(
            "",
            "SSLProtocol TLSv1.2",
            "SSLProtocol TLSv1.2\nSSLOpenSSLConfCmd MinProtocol TLSv1",
        );
        assert_eq!(eff(&eps[1]), ["TLSv1", "TLSv1.1", "TLSv1.2"]);
        let eps = two(
            "SSLProtocol TLSv1.2",
            "SSLOpenSSLConfCmd MaxProtocol TLSv1.3",
            "SSLOpenSSLConfCmd MinProtocol TLSv1.1",
        );
        assert_eq!(eff(&eps[0]), ["TLSv1.2", "TLSv1.3"]);
        assert_eq!(eff(&eps[1]), ["TLSv1.1", "TLSv1.2"]);
        let eps = two(
            "",
            "SSLProtocol TLSv1.3",
            "SSLOpenSSLConfCmd Protocol -ALL,TLSv1.1",
        );
        assert!(eff(&eps[1]).is_empty());
        // nothing left in the first one: nothing for any name
        let eps = two(
            "SSLOpenSSLConfCmd Protocol -TLSv1.2\nSSLProtocol TLSv1.2",
            "",
            "SSLOpenSSLConfCmd MinProtocol None\nSSLProtocol TLSv1.3",
        );
        assert!(eff(&eps[0]).is_empty());
        assert_eq!(eps[1].protocols.value, ["TLSv1", "TLSv1.1", "TLSv1.3"]);
        assert!(eff(&eps[1]).is_empty());
        // SSLHonorCipherOrder on and SSLSessionTickets off of the first
        // virtual host hold for every name; the selected one's add to them
        let eps = two(
            "",
            "SSLHonorCipherOrder on\nSSLSessionTickets off",
            "SSLHonorCipherOrder off",
        );
        assert!(eps[1].prefer_server_ciphers.value);
        assert!(!eps[1].session_tickets.value);
        assert!(matches!(
            eps[1].prefer_server_ciphers.source,
            Source::Inherited(_)
        ));
        let eps = two(
            "",
            "SSLHonorCipherOrder off",
            "SSLHonorCipherOrder on\nSSLSessionTickets off",
        );
        assert!(!eps[0].prefer_server_ciphers.value && eps[1].prefer_server_ciphers.value);
        assert!(eps[0].session_tickets.value && !eps[1].session_tickets.value);
    }

    #[test]
    fn the_first_virtual_host_decides_the_groups() {
        let eps = two(
            "",
            "SSLOpenSSLConfCmd Curves X25519",
            "SSLOpenSSLConfCmd Curves secp384r1",
        );
        let groups = |e: &Endpoint| -> Vec<(String, String)> {
            e.conf_commands
                .value
                .iter()
                .filter(|(k, _)| k == "Curves" || k == "Groups")
                .cloned()
                .collect()
        };
        assert_eq!(groups(&eps[1]), [("Curves".into(), "X25519".into())]);
        let spans = &eps[1].apache.as_ref().unwrap().conf_command_spans;
        assert_eq!(spans.len(), eps[1].conf_commands.value.len());
        assert_eq!(spans[0].line, 7); // a.test's line
                                      // the main server's groups reach b.test through a.test, b.test's own never
        let eps = two(
            "SSLOpenSSLConfCmd Groups P-256",
            "",
            "SSLOpenSSLConfCmd Groups P-384",
        );
        assert_eq!(groups(&eps[1]), [("Groups".into(), "P-256".into())]);
        // none in the first: OpenSSL's defaults, b.test's own dropped
        let eps = two(
            "",
            "SSLOpenSSLConfCmd Options -SessionTicket",
            "SSLOpenSSLConfCmd Curves P-384",
        );
        assert!(groups(&eps[1]).is_empty());
        assert_eq!(eps[1].ecdh_curve.value, "auto");
        assert!(matches!(eps[1].ecdh_curve.source, Source::Default { .. }));
    }

    #[test]
    fn hsts_from_both_tables_the_always_one_is_heeded() {
        // httpd 2.4.71 sends both on 200, the `always` one first; only it on errors
        let eps = two(
            "Header always set Strict-Transport-Security max-age=1",
            "Header set Strict-Transport-Security max-age=2",
            "Header always set Strict-Transport-Security max-age=2\nHeader set Strict-Transport-Security max-age=3",
        );
        let h = |e: &Endpoint| e.hsts.value.clone().map(|h| (h.value, h.always));
        assert_eq!(h(&eps[0]), Some(("max-age=1".into(), true)));
        assert!(matches!(eps[0].hsts.source, Source::Inherited(_)));
        assert_eq!(h(&eps[1]), Some(("max-age=2".into(), true)));
        let eps = two(
            "Header set Strict-Transport-Security max-age=1",
            "",
            "Header always unset Strict-Transport-Security",
        );
        assert_eq!(h(&eps[1]), Some(("max-age=1".into(), false)));
    }

    #[test]
    fn a_virtual_host_without_server_name() {
        // on an IP address: named by reverse DNS, not the main server's name
        let (eps, _) = resolve_text(
            "ServerName main.test\nLoadModule ssl_module m.so\n<VirtualHost 127.0.0.1:443>\nServerName a.test\nSSLEngine on\n</VirtualHost>\n<VirtualHost 127.0.0.1:443>\nSSLEngine on\n</VirtualHost>\n<VirtualHost *:8443>\nSSLEngine on\n</VirtualHost>\n",
        );
        assert!(eps[1].server_names.is_empty());
        assert_eq!(eps[2].server_names, ["main.test"]);
    }

    #[test]
    fn ssl_engine_takes_on_off_only() {
        let (eps, plain) = resolve_text(
            "LoadModule ssl_module m.so\n<VirtualHost *:443>\nSSLEngine *:443\n</VirtualHost>\n<VirtualHost *:8443>\nSSLEngine optional\n</VirtualHost>\n",
        );
        assert_eq!(eps.len(), 1);
        let r = &eps[0].apache.as_ref().unwrap().refused;
        assert_eq!(r[0].error, "Argument must be On or Off");
        assert_eq!(plain.len(), 1); // optional: no TLS on connect
    }

    #[test]
    fn certificate_positions_knock_out_up_to_three() {
        let mut conf = String::from("LoadModule ssl_module m.so\n");
        for i in 0..4 {
            conf.push_str(&format!("SSLCertificateFile /m{i}.pem\n"));
        }
        conf.push_str("<VirtualHost *:443>\nSSLEngine on\n");
        for i in 0..4 {
            conf.push_str(&format!("SSLCertificateFile /v{i}.pem\n"));
        }
        conf.push_str("</VirtualHost>\n");
        let (eps, _) = resolve_text(&conf);
        let got: Vec<String> = eps[0]
            .certificates
            .iter()
            .map(|c| c.certificate.value.clone())
            .collect();
        assert_eq!(got, ["/v0.pem", "/v1.pem", "/v2.pem", "/m3.pem", "/v3.pem"]);
    }
}
