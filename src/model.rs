//! The server-neutral model: TLS endpoints with the effective value of every
//! setting the rules read, each knowing where it came from.

use serde::Serialize;

use crate::source::{SourceMap, Span};

/// Where an effective value comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Source {
    /// Written in the endpoint's own block.
    Set(Span),
    /// Written in an enclosing block (http, the main server config, a server
    /// for a location) and inherited.
    Inherited(Span),
    /// The server software's built-in default; `anchor` is where to point
    /// (the `listen` / `<VirtualHost>` line), `note` says which default.
    Default {
        anchor: Span,
        note: std::borrow::Cow<'static, str>,
    },
}

impl Source {
    /// The span a finding should point at.
    pub fn span(&self) -> Span {
        match self {
            Source::Set(s) | Source::Inherited(s) => *s,
            Source::Default { anchor, .. } => *anchor,
        }
    }
    pub fn kind(&self) -> &'static str {
        match self {
            Source::Set(_) => "set",
            Source::Inherited(_) => "inherited",
            Source::Default { .. } => "default",
        }
    }
}

/// An effective value and its source.
#[derive(Debug, Clone)]
pub struct Setting<T> {
    pub value: T,
    pub source: Source,
}

impl<T> Setting<T> {
    pub fn new(value: T, source: Source) -> Setting<T> {
        Setting { value, source }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum ServerKind {
    Nginx,
    Apache,
}

/// One listen socket of an endpoint.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Listen {
    /// `*`, `[::]`, `127.0.0.1`, `[::1]`, a host name, or `unix:/path`.
    pub addr: String,
    pub port: Option<u16>,
    pub default_server: bool,
    /// TLS on this socket (from this or another server's `listen` on it).
    pub ssl: bool,
    pub quic: bool,
    pub http2: bool,
    pub span: Span,
}

impl Listen {
    /// `addr:port` as the socket is identified.
    pub fn socket(&self) -> String {
        match self.port {
            Some(p) => format!("{}:{}", self.addr, p),
            None => self.addr.clone(),
        }
    }
}

/// A certificate and its key as configured (paths as written).
#[derive(Debug, Clone)]
pub struct CertPair {
    pub certificate: Setting<String>,
    pub key: Option<Setting<String>>,
    /// A separate chain file (Apache's SSLCertificateChainFile); nginx reads
    /// the chain from the certificate file.
    pub chain: Option<Setting<String>>,
}

/// The Strict-Transport-Security header as configured.
#[derive(Debug, Clone)]
pub struct Hsts {
    pub value: String,
    /// Sent with error responses too: nginx `add_header ... always`,
    /// headers-more `more_set_headers` (every status unless `-s` limits it),
    /// Apache `Header always`.
    pub always: bool,
    /// The directive as written, up to the header name, for messages:
    /// `add_header`, `more_set_headers`, `Header set`, `Header always add`.
    pub directive: String,
    /// headers-more `-s`: the status codes this value goes with (empty: no
    /// such list). With `always`, the other statuses carry the header an
    /// earlier, unlimited `more_set_headers` sets.
    pub statuses: Vec<u16>,
    /// The value as written when it was built from variables (`set`, `map`)
    /// that resolve to one static `value`.
    pub written: Option<String>,
}

/// A block inside an endpoint that handles requests of its own (nginx
/// `location`, `if`, `limit_except`; Apache `<Location>`, `<Directory>`,
/// `<Files>`, `<If>` ...), with the HSTS header its responses carry.
#[derive(Debug, Clone)]
pub struct HstsBlock {
    /// The block's opening line.
    pub block: Span,
    /// The block as written, for messages: `location /app`, `<Location "/app">`.
    pub label: String,
    /// The header in force there and where it is written (`Set`: in this
    /// block, `Inherited`: in an enclosing one); None: responses go without.
    pub hsts: Option<Setting<Hsts>>,
    /// It goes without because this block or an enclosing one drops the
    /// header the server level sends (an [`HstsDrop`], TLS504's).
    pub dropped: bool,
}

/// Where an inner block drops an inherited HSTS header (nginx `add_header`
/// in a location/if replaces every inherited one).
#[derive(Debug, Clone)]
pub struct HstsDrop {
    /// The location / if block.
    pub block: Span,
    /// Its first add_header, which causes the drop.
    pub add_header: Span,
    /// The HSTS add_header that is dropped.
    pub inherited: Option<Span>,
    /// The directive that drops it, as written (`add_header`,
    /// `more_clear_headers`, `Header always unset` ...).
    pub by: String,
    /// When the block comes from a file included by the server (a location
    /// template shared by several servers): the `include` line in this
    /// server that brings it in.
    pub included_at: Option<Span>,
}

/// TLS towards an upstream (`proxy_pass https://...`).
#[derive(Debug, Clone)]
pub struct UpstreamTls {
    /// The `proxy_pass` / `grpc_pass` directive.
    pub span: Span,
    pub target: String,
    pub verify: Setting<bool>,
    pub trusted_certificate: Setting<Option<String>>,
    pub server_name: Setting<bool>,
    pub name: Setting<Option<String>>,
    pub protocols: Setting<Vec<String>>,
    pub ciphers: Setting<String>,
    /// Whether verification checks the upstream's name (Apache's
    /// SSLProxyCheckPeerName); None: it does whenever it verifies (nginx).
    pub check_name: Option<Setting<bool>>,
}

/// Which server's settings decide the protocol version on a socket.
#[derive(Debug, Clone)]
pub struct DecidedBy {
    /// The socket (`addr:port`).
    pub socket: String,
    /// The deciding (default) server's block.
    pub server: Span,
    /// Its names, for messages.
    pub server_names: Vec<String>,
    /// Why: the version rule that applies.
    pub reason: String,
}

/// One TLS endpoint: a server block (nginx) or virtual host (Apache) that
/// terminates TLS, with its effective settings.
#[derive(Debug, Clone)]
pub struct Endpoint {
    pub server: ServerKind,
    /// `http` or `stream` (nginx); `vhost` / `main` (Apache).
    pub context: String,
    /// The server block / VirtualHost.
    pub span: Span,
    pub listen: Vec<Listen>,
    pub server_names: Vec<String>,
    /// ssl_protocols as configured for this server.
    pub protocols: Setting<Vec<String>>,
    /// When another server's protocols apply on a socket (the default server
    /// before nginx 1.29.2 / OpenSSL 1.1.1): who decides, with its setting.
    pub protocols_decided_by: Vec<(DecidedBy, Setting<Vec<String>>)>,
    pub ciphers: Setting<String>,
    pub prefer_server_ciphers: Setting<bool>,
    pub ecdh_curve: Setting<String>,
    pub dhparam: Setting<Option<String>>,
    /// `ssl_conf_command NAME VALUE` pairs (the whole list inherits).
    pub conf_commands: Setting<Vec<(String, String)>>,
    pub certificates: Vec<CertPair>,
    /// nginx: `ssl_password_file`; Apache: SSLPassPhraseDialog (`builtin`,
    /// `exec:PROGRAM`, `|PROGRAM`), None when not written.
    pub password_file: Setting<Option<String>>,
    pub session_tickets: Setting<bool>,
    pub session_cache: Setting<String>,
    pub session_timeout: Setting<String>,
    pub stapling: Setting<bool>,
    pub stapling_verify: Setting<bool>,
    /// `ssl_stapling_responder` / SSLStaplingForceURL: the OCSP responder
    /// used instead of the certificate's.
    pub stapling_responder: Setting<Option<String>>,
    pub trusted_certificate: Setting<Option<String>>,
    pub resolver: Setting<Option<Vec<String>>>,
    pub verify_client: Setting<String>,
    pub client_certificate: Setting<Option<String>>,
    pub verify_depth: Setting<u32>,
    pub crl: Setting<Option<String>>,
    pub early_data: Setting<bool>,
    pub reject_handshake: Setting<bool>,
    /// HSTS as the server / virtual host level sends it.
    pub hsts: Setting<Option<Hsts>>,
    pub hsts_dropped: Vec<HstsDrop>,
    /// Every inner block (location, section) with the HSTS header its
    /// responses carry.
    pub hsts_blocks: Vec<HstsBlock>,
    /// Whether some inner block handles every request the others do not
    /// (nginx `location /`, Apache `<Location "/">`); when not, the rest get
    /// the server level's headers.
    pub hsts_blocks_cover_rest: bool,
    /// The server answers no request: nginx `return 444` at server level
    /// closes every connection without a response, so no header goes out.
    pub never_answers: Option<Span>,
    pub upstreams: Vec<UpstreamTls>,
    /// Deprecated `ssl on` directive, if used.
    pub ssl_on: Option<Span>,
    /// The sockets (`addr:port`) for which this server is the default server.
    pub default_for: Vec<String>,
    /// `ssl_session_ticket_key` files (static ticket keys; the list inherits whole).
    pub session_ticket_keys: Setting<Vec<String>>,
    /// Settings only Apache has (None for nginx).
    pub apache: Option<Box<ApacheFacts>>,
}

/// mod_ssl settings without an nginx counterpart.
#[derive(Debug, Clone)]
pub struct ApacheFacts {
    /// The `SSLEngine` directive in force (the virtual host's or the main server's).
    pub engine: Option<Span>,
    pub compression: Setting<bool>,
    pub insecure_renegotiation: Setting<bool>,
    /// `SSLStaplingCache` (main server only); stapling needs it.
    pub stapling_cache: Setting<Option<String>>,
    /// `SSLCACertificatePath`: a directory of client CAs.
    pub ca_path: Setting<Option<String>>,
    pub crl_path: Setting<Option<String>>,
    /// `SSLCARevocationCheck` as written, lowercased (`none`, `chain`, `leaf`,
    /// with flags such as `no_crl_for_cert_ok`): httpd 2.4 uses the CRLs
    /// only when it is `chain` or `leaf` (default `none`).
    pub crl_check: Setting<String>,
    /// `SSLProxyEngine`: TLS towards backends.
    pub proxy_engine: Setting<bool>,
    /// Where each entry of the endpoint's `conf_commands` is written (same
    /// order): `SSLCipherSuite TLSv1.3` or the `SSLOpenSSLConfCmd` line.
    pub conf_command_spans: Vec<Span>,
    /// Values httpd refuses when it reads the configuration (it then does
    /// not start), in the virtual host and the main server.
    pub refused: Vec<Refused>,
    /// Words httpd overrides or drops while reading the configuration (it
    /// starts, with a warning or silently), in the virtual host and the
    /// main server.
    pub dropped: Vec<Dropped>,
}

/// Words of a directive that httpd overrides or drops: the line means less
/// than it says.
#[derive(Debug, Clone)]
pub struct Dropped {
    pub span: Span,
    /// What httpd does with the line (with its own warning, if it logs one).
    pub message: String,
    /// A line that says what was meant, to copy.
    pub help: String,
}

/// A directive value httpd refuses, with httpd's own error.
#[derive(Debug, Clone)]
pub struct Refused {
    pub span: Span,
    /// The word refused, as written.
    pub value: String,
    /// httpd's message, e.g. `SSLProtocol: Illegal protocol 'TLSv1.4'`.
    pub error: String,
}

/// A server that answers plain HTTP (for the redirect check).
#[derive(Debug, Clone)]
pub struct PlainServer {
    pub span: Span,
    pub server_names: Vec<String>,
    pub listen: Vec<Listen>,
    /// The sockets for which it is the default server.
    pub default_for: Vec<String>,
    /// It redirects to https (server-level or `location /` return/rewrite).
    pub redirects_to_https: bool,
    /// The same server also terminates TLS on other sockets (nginx
    /// `listen 80; listen 443 ssl;`): `listen` holds its plain sockets only.
    pub tls_too: bool,
}

impl Endpoint {
    /// A short human name: `server_name` list and sockets.
    pub fn label(&self) -> String {
        let names = if self.context == "stream" {
            "stream server".to_string()
        } else if self.server_names.iter().all(|n| n.is_empty()) {
            "(no server_name)".to_string()
        } else {
            self.server_names
                .iter()
                .filter(|n| !n.is_empty())
                .cloned()
                .collect::<Vec<_>>()
                .join(" ")
        };
        let socks: Vec<String> = self.listen.iter().map(|l| l.socket()).collect();
        if socks.is_empty() && self.context == "vhost" {
            // every address of the <VirtualHost> dropped by httpd (AH00547)
            return format!("{names} (no address httpd keeps: never selected)");
        }
        if socks.is_empty() {
            // Apache's main server when every Listen socket has virtual hosts
            return format!("{names} (main server, no socket of its own)");
        }
        format!("{names} on {}", socks.join(", "))
    }

    /// Every distinct Strict-Transport-Security header this endpoint sends,
    /// with where it is written: the server level's, then the inner blocks'
    /// own (each once, with the first block that carries it).
    pub fn hsts_headers(&self) -> Vec<(&Hsts, &Source, Option<&HstsBlock>)> {
        let mut out: Vec<(&Hsts, &Source, Option<&HstsBlock>)> = Vec::new();
        if let Some(h) = &self.hsts.value {
            out.push((h, &self.hsts.source, None));
        }
        for b in &self.hsts_blocks {
            let Some(s) = &b.hsts else { continue };
            if out.iter().all(|(_, src, _)| src.span() != s.source.span()) {
                out.push((&s.value, &s.source, Some(b)));
            }
        }
        out
    }

    /// Inner blocks send HSTS while the server level sends none: what
    /// requests go without, if any do (None: no block sends it, or every
    /// request is covered). The blocks listed are those without; `true`
    /// when requests no block handles go without too.
    pub fn hsts_partial(&self) -> Option<(Vec<&HstsBlock>, bool)> {
        if self.hsts.value.is_some() || self.hsts_blocks.iter().all(|b| b.hsts.is_none()) {
            return None;
        }
        // blocks that drop an inherited header are TLS504's
        let without: Vec<&HstsBlock> = self
            .hsts_blocks
            .iter()
            .filter(|b| b.hsts.is_none() && !b.dropped)
            .collect();
        let rest = !self.hsts_blocks_cover_rest;
        (rest || !without.is_empty()).then_some((without, rest))
    }

    /// The protocols that apply to a handshake with this endpoint, and the
    /// setting that decides them: the default server's where it decides.
    pub fn effective_protocols(&self) -> &Setting<Vec<String>> {
        match self.protocols_decided_by.first() {
            Some((_, s)) => s,
            None => &self.protocols,
        }
    }
}

// ---------- JSON view ----------

#[derive(Serialize)]
pub struct JsonSetting<T: Serialize> {
    pub value: T,
    pub source: &'static str,
    pub file: String,
    pub line: u32,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

pub fn json_setting<T: Serialize + Clone>(s: &Setting<T>, sm: &SourceMap) -> JsonSetting<T> {
    let span = s.source.span();
    JsonSetting {
        value: s.value.clone(),
        source: s.source.kind(),
        file: sm.shown(span.file).display().to_string(),
        line: span.line,
        note: match &s.source {
            Source::Default { note, .. } => Some(note.to_string()),
            _ => None,
        },
    }
}

fn loc(span: Span, sm: &SourceMap) -> serde_json::Value {
    serde_json::json!({ "file": sm.shown(span.file).display().to_string(), "line": span.line })
}

impl Endpoint {
    /// The endpoint as the JSON report shows it.
    pub fn to_json(&self, sm: &SourceMap) -> serde_json::Value {
        let listen: Vec<serde_json::Value> = self
            .listen
            .iter()
            .map(|l| {
                serde_json::json!({
                    "address": l.addr,
                    "port": l.port,
                    "default_server": l.default_server,
                    "ssl": l.ssl,
                    "quic": l.quic,
                    "http2": l.http2,
                    "line": l.span.line,
                })
            })
            .collect();
        let certs: Vec<serde_json::Value> = self
            .certificates
            .iter()
            .map(|c| {
                serde_json::json!({
                    "certificate": json_setting(&c.certificate, sm),
                    "key": c.key.as_ref().map(|k| {
                        let mut k = k.clone();
                        if k.value.starts_with("data:") {
                            k.value = "data:(inline key, not shown)".into();
                        }
                        json_setting(&k, sm)
                    }),
                })
            })
            .collect();
        let decided: Vec<serde_json::Value> = self
            .protocols_decided_by
            .iter()
            .map(|(d, s)| {
                serde_json::json!({
                    "socket": d.socket,
                    "server": loc(d.server, sm),
                    "server_names": d.server_names,
                    "reason": d.reason,
                    "protocols": json_setting(s, sm),
                })
            })
            .collect();
        let hsts = {
            let span = self.hsts.source.span();
            let mut j = serde_json::json!({
                "value": self.hsts.value.as_ref().map(|h| serde_json::json!({"value": h.value, "always": h.always})),
                "source": self.hsts.source.kind(),
                "file": sm.shown(span.file).display().to_string(),
                "line": span.line,
                "dropped_in": self.hsts_dropped.iter().map(|d| loc(d.block, sm)).collect::<Vec<_>>(),
            });
            // only when inner blocks send headers of their own (keeps the
            // common shape unchanged)
            let inner: Vec<serde_json::Value> = self
                .hsts_headers()
                .into_iter()
                .filter_map(|(h, src, b)| {
                    let b = b?;
                    let mut l = loc(src.span(), sm);
                    l["block"] = b.label.clone().into();
                    l["value"] = serde_json::json!({"value": h.value, "always": h.always});
                    Some(l)
                })
                .collect();
            if !inner.is_empty() {
                j["sent_in"] = inner.into();
            }
            if let Some(s) = self.never_answers {
                j["never_answers"] = loc(s, sm);
            }
            j
        };
        let upstreams: Vec<serde_json::Value> = self
            .upstreams
            .iter()
            .map(|u| {
                serde_json::json!({
                    "target": u.target,
                    "file": sm.shown(u.span.file).display().to_string(),
                    "line": u.span.line,
                    "verify": json_setting(&u.verify, sm),
                    "trusted_certificate": json_setting(&u.trusted_certificate, sm),
                    "server_name": json_setting(&u.server_name, sm),
                    "name": json_setting(&u.name, sm),
                    "protocols": json_setting(&u.protocols, sm),
                    "ciphers": json_setting(&u.ciphers, sm),
                })
            })
            .collect();
        serde_json::json!({
            "server": self.server,
            "context": self.context,
            "file": sm.shown(self.span.file).display().to_string(),
            "line": self.span.line,
            "listen": listen,
            "server_names": self.server_names,
            "protocols": json_setting(&self.protocols, sm),
            "protocols_decided_by": decided,
            "ciphers": json_setting(&self.ciphers, sm),
            "prefer_server_ciphers": json_setting(&self.prefer_server_ciphers, sm),
            "ecdh_curve": json_setting(&self.ecdh_curve, sm),
            "dhparam": json_setting(&self.dhparam, sm),
            "conf_commands": json_setting(&self.conf_commands, sm),
            "certificates": certs,
            "password_file": json_setting(&self.password_file, sm),
            "session_tickets": json_setting(&self.session_tickets, sm),
            "session_cache": json_setting(&self.session_cache, sm),
            "session_timeout": json_setting(&self.session_timeout, sm),
            "stapling": json_setting(&self.stapling, sm),
            "stapling_verify": json_setting(&self.stapling_verify, sm),
            "trusted_certificate": json_setting(&self.trusted_certificate, sm),
            "resolver": json_setting(&self.resolver, sm),
            "verify_client": json_setting(&self.verify_client, sm),
            "client_certificate": json_setting(&self.client_certificate, sm),
            "verify_depth": json_setting(&self.verify_depth, sm),
            "crl": json_setting(&self.crl, sm),
            "early_data": json_setting(&self.early_data, sm),
            "reject_handshake": json_setting(&self.reject_handshake, sm),
            "hsts": hsts,
            "upstream_tls": upstreams,
            "ssl_on": self.ssl_on.map(|s| loc(s, sm)),
            "default_for": self.default_for,
            "session_ticket_keys": json_setting(&self.session_ticket_keys, sm),
        })
    }
}

/// A server name a client can send as SNI as it is written: not a
/// wildcard, a regular expression, a catch-all (`_`) or a variable. The
/// probe asks for these names; the others cannot be asked for.
pub fn exact_server_name(n: &str) -> bool {
    !n.is_empty()
        && n != "_"
        && n != "localhost.localdomain"
        && !n.starts_with('~')
        && !n.starts_with('.')
        && !n.contains(['*', '?', '$', '/', ' '])
}
