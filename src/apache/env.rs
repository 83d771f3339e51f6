//! What httpd knows while it reads a tree: the defines (`-D`, `Define`),
//! the variables `${VAR}` resolves against (`Define NAME VALUE`, then the
//! process environment, which on Debian comes from `/etc/apache2/envvars`),
//! the loaded modules, the known directives, and its version.

use std::collections::BTreeMap;

use crate::source::FileId;
use crate::version::Version;

/// The newest Apache httpd 2.4 release confirmed while writing this:
/// 2.4.71 (`apache2 -v` of Debian 12's apache2 2.4.71-1~deb12u1).
pub const DEFAULT_VERSION: Version = Version::new(2, 4, 71);

/// Debian's statically linked modules (`apache2 -l`): loaded before any
/// `LoadModule`. (identifier, source file name)
pub const BUILTIN_MODULES: &[(&str, &str)] = &[
    ("core_module", "core.c"),
    ("so_module", "mod_so.c"),
    ("watchdog_module", "mod_watchdog.c"),
    ("http_module", "http_core.c"),
    ("log_config_module", "mod_log_config.c"),
    ("logio_module", "mod_logio.c"),
    ("version_module", "mod_version.c"),
    ("unixd_module", "mod_unixd.c"),
];

/// A loaded module.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Module {
    /// The identifier `<IfModule>` and `LoadModule` use (`ssl_module`).
    pub id: String,
    /// The module's source file name, which `<IfModule>` also accepts
    /// (`mod_ssl.c`).
    pub source: String,
    /// The shared object `LoadModule` names (None for a built-in module).
    pub file: Option<String>,
    /// Where it was loaded (file instance, httpd line).
    pub at: Option<(FileId, u32)>,
}

/// The source file name httpd registers for a module identifier: the
/// `STANDARD20_MODULE_STUFF` name is the module's `__FILE__`, which is
/// `mod_X.c` for `X_module`, except for the MPMs and the core.
pub fn source_name(id: &str) -> String {
    let base = id.strip_suffix("_module").unwrap_or(id);
    match base {
        "core" => "core.c".into(),
        "http" => "http_core.c".into(),
        "mpm_event" => "event.c".into(),
        "mpm_prefork" => "prefork.c".into(),
        "mpm_worker" => "worker.c".into(),
        "mpm_winnt" => "mpm_winnt.c".into(),
        "mpm_itk" => "mpm_itk.c".into(),
        _ => format!("mod_{base}.c"),
    }
}

/// Directives known to `<IfDirective>` / `<IfSection>`: a fixed list of the
/// directives of httpd 2.4's core and of the modules below (names from
/// their command tables). A directive of a module not listed here counts
/// as unknown.
#[rustfmt::skip]
pub(crate) const CORE_DIRECTIVES: &[&str] = &[
    "<Directory", "<Location", "<VirtualHost", "<Files", "<Limit", "<LimitExcept", "<IfModule",
    "<IfDefine", "<IfFile", "<IfDirective", "<IfSection", "<DirectoryMatch", "<LocationMatch",
    "<FilesMatch", "AddDefaultCharset", "AcceptPathInfo", "Define", "UnDefine", "Error", "<If",
    "<ElseIf", "<Else", "AccessFileName", "DocumentRoot", "ErrorDocument", "AllowOverride",
    "AllowOverrideList", "Options", "DefaultType", "FileETag", "EnableMMAP", "EnableSendfile",
    "ReadBufferSize", "FlushMaxThreshold", "FlushMaxPipelined", "Protocol", "AcceptFilter",
    "Port", "HostnameLookups", "ServerAdmin", "ServerName", "ServerSignature", "ServerRoot",
    "DefaultRuntimeDir", "ErrorLog", "ErrorLogFormat", "ServerAlias", "ServerPath", "Timeout",
    "ContentDigest", "UseCanonicalName", "UseCanonicalPhysicalPort", "Include",
    "IncludeOptional", "LogLevel", "NameVirtualHost", "ServerTokens", "LimitRequestLine",
    "LimitRequestFieldsize", "LimitRequestFields", "LimitRequestBody", "LimitXMLRequestBody",
    "Mutex", "MaxRanges", "MaxRangeOverlaps", "MaxRangeReversals", "RLimitCPU", "RLimitMEM",
    "RLimitNPROC", "RegexDefaultOptions", "LimitInternalRecursion", "CGIPassAuth", "CGIVar",
    "QualifyRedirectURL", "StrictHostCheck", "ForceType", "SetHandler", "SetOutputFilter",
    "SetInputFilter", "AllowEncodedSlashes", "ScoreBoardFile", "ExtendedStatus",
    "SeeRequestTail", "PidFile", "MaxRequestsPerChild", "MaxConnectionsPerChild",
    "CoreDumpDirectory", "MaxMemFree", "ThreadStackSize", "EnableExceptionHook", "TraceEnable",
    "MergeTrailers", "Protocols", "ProtocolsHonorOrder", "HttpProtocolOptions",
    "RegisterHttpMethod", "MergeSlashes",
    // http_core
    "KeepAliveTimeout", "MaxKeepAliveRequests", "KeepAlive",
    // listen.c, mpm_common.c (every MPM)
    "Listen", "ListenBacklog", "ListenCoresBucketsRatio", "SendBufferSize",
    "ReceiveBufferSize", "GracefulShutdownTimeout",
];

/// Directives of some modules, by module identifier.
#[rustfmt::skip]
pub(crate) const MODULE_DIRECTIVES: &[(&str, &[&str])] = &[
    ("so_module", &["LoadModule", "LoadFile"]),
    (
        "log_config_module",
        &[
            "CustomLog",
            "GlobalLog",
            "TransferLog",
            "LogFormat",
            "BufferedLogs",
        ],
    ),
    ("version_module", &["<IfVersion"]),
    ("unixd_module", &["User", "Group", "ChrootDir", "Suexec"]),
    ("macro_module", &["<Macro", "Use", "UndefMacro"]),
    ("headers_module", &["Header", "RequestHeader"]),
    (
        "rewrite_module",
        &[
            "RewriteEngine",
            "RewriteOptions",
            "RewriteBase",
            "RewriteCond",
            "RewriteRule",
            "RewriteMap",
        ],
    ),
    (
        "alias_module",
        &[
            "Alias",
            "ScriptAlias",
            "Redirect",
            "AliasMatch",
            "ScriptAliasMatch",
            "RedirectMatch",
            "RedirectTemp",
            "RedirectPermanent",
            "RedirectRelative",
            "AliasPreservePath",
        ],
    ),
    (
        "setenvif_module",
        &[
            "SetEnvIf",
            "SetEnvIfNoCase",
            "SetEnvIfExpr",
            "BrowserMatch",
            "BrowserMatchNoCase",
        ],
    ),
    (
        "dir_module",
        &[
            "FallbackResource",
            "DirectoryIndex",
            "DirectorySlash",
            "DirectoryCheckHandler",
            "DirectoryIndexRedirect",
        ],
    ),
    (
        "mime_module",
        &[
            "AddCharset",
            "AddEncoding",
            "AddHandler",
            "AddInputFilter",
            "AddLanguage",
            "AddOutputFilter",
            "AddType",
            "DefaultLanguage",
            "MultiviewsMatch",
            "RemoveCharset",
            "RemoveEncoding",
            "RemoveHandler",
            "RemoveInputFilter",
            "RemoveLanguage",
            "RemoveOutputFilter",
            "RemoveType",
            "TypesConfig",
            "ModMimeUsePathInfo",
        ],
    ),
    (
        "mpm_event_module",
        &[
            "StartServers",
            "ServerLimit",
            "MinSpareThreads",
            "MaxSpareThreads",
            "MaxClients",
            "MaxRequestWorkers",
            "ThreadsPerChild",
            "ThreadLimit",
            "AsyncRequestWorkerFactor",
        ],
    ),
    (
        "mpm_worker_module",
        &[
            "StartServers",
            "ServerLimit",
            "MinSpareThreads",
            "MaxSpareThreads",
            "MaxClients",
            "MaxRequestWorkers",
            "ThreadsPerChild",
            "ThreadLimit",
        ],
    ),
    (
        "mpm_prefork_module",
        &[
            "StartServers",
            "MinSpareServers",
            "MaxSpareServers",
            "MaxClients",
            "MaxRequestWorkers",
            "ServerLimit",
        ],
    ),
    (
        "http2_module",
        &[
            "H2MaxSessionStreams",
            "H2WindowSize",
            "H2MinWorkers",
            "H2MaxWorkers",
            "H2MaxWorkerIdleSeconds",
            "H2StreamMaxMemSize",
            "H2SerializeHeaders",
            "H2ModernTLSOnly",
            "H2Upgrade",
            "H2Direct",
            "H2SessionExtraFiles",
            "H2TLSWarmUpSize",
            "H2TLSCoolDownSecs",
            "H2Push",
            "H2PushPriority",
            "H2PushDiarySize",
            "H2CopyFiles",
            "H2PushResource",
            "H2EarlyHints",
            "H2Padding",
            "H2OutputBuffering",
            "H2StreamTimeout",
            "H2MaxDataFrameLen",
            "H2EarlyHint",
            "H2ProxyRequests",
            "H2WebSockets",
        ],
    ),
    (
        "ssl_module",
        &[
            "SSLPassPhraseDialog",
            "SSLSessionCache",
            "SSLCryptoDevice",
            "SSLRandomSeed",
            "SSLEngine",
            "SSLFIPS",
            "SSLCipherSuite",
            "SSLCertificateFile",
            "SSLCertificateKeyFile",
            "SSLCertificateChainFile",
            "SSLSessionTicketKeyFile",
            "SSLCACertificatePath",
            "SSLCACertificateFile",
            "SSLCADNRequestPath",
            "SSLCADNRequestFile",
            "SSLCARevocationPath",
            "SSLCARevocationFile",
            "SSLCARevocationCheck",
            "SSLVerifyClient",
            "SSLVerifyDepth",
            "SSLSessionCacheTimeout",
            "SSLProtocol",
            "SSLHonorCipherOrder",
            "SSLCompression",
            "SSLSessionTickets",
            "SSLInsecureRenegotiation",
            "SSLUserName",
            "SSLStrictSNIVHostCheck",
            "SSLSRPVerifierFile",
            "SSLSRPUnknownUserSeed",
            "SSLProxyEngine",
            "SSLProxyProtocol",
            "SSLProxyCipherSuite",
            "SSLProxyVerify",
            "SSLProxyVerifyDepth",
            "SSLProxyCACertificateFile",
            "SSLProxyCACertificatePath",
            "SSLProxyCARevocationPath",
            "SSLProxyCARevocationFile",
            "SSLProxyCARevocationCheck",
            "SSLProxyMachineCertificateFile",
            "SSLProxyMachineCertificatePath",
            "SSLProxyMachineCertificateChainFile",
            "SSLProxyCheckPeerExpire",
            "SSLProxyCheckPeerCN",
            "SSLProxyCheckPeerName",
            "SSLOptions",
            "SSLRequireSSL",
            "SSLRequire",
            "SSLRenegBufferSize",
            "SSLOCSPEnable",
            "SSLOCSPDefaultResponder",
            "SSLOCSPOverrideResponder",
            "SSLOCSPResponseTimeSkew",
            "SSLOCSPResponseMaxAge",
            "SSLOCSPResponderTimeout",
            "SSLOCSPUseRequestNonce",
            "SSLOCSPProxyURL",
            "SSLOCSPNoVerify",
            "SSLOCSPResponderCertificateFile",
            "SSLStaplingCache",
            "SSLUseStapling",
            "SSLStaplingResponseTimeSkew",
            "SSLStaplingResponderTimeout",
            "SSLStaplingResponseMaxAge",
            "SSLStaplingStandardCacheTimeout",
            "SSLStaplingReturnResponderErrors",
            "SSLStaplingFakeTryLater",
            "SSLStaplingErrorCacheTimeout",
            "SSLStaplingForceURL",
            "SSLOpenSSLConfCmd",
        ],
    ),
];

/// Section names httpd's modules define, spelled as in their command
/// tables; messages name a known section this way whatever case the file
/// uses.
#[rustfmt::skip]
const KNOWN_SECTIONS: &[&str] = &[
    "Directory", "DirectoryMatch", "Files", "FilesMatch", "Location", "LocationMatch",
    "VirtualHost", "Limit", "LimitExcept", "If", "ElseIf", "Else", "IfModule", "IfDefine",
    "IfFile", "IfDirective", "IfSection", "IfVersion", "Macro", "Proxy", "ProxyMatch",
    "RequireAll", "RequireAny", "RequireNone", "AuthnProviderAlias", "AuthzProviderAlias",
    "MDomain", "MDomainSet",
];

/// The canonical spelling of a known section name.
pub fn canonical_section(name: &str) -> Option<&'static str> {
    KNOWN_SECTIONS
        .iter()
        .find(|k| k.eq_ignore_ascii_case(name))
        .copied()
}

/// The environment of a read.
#[derive(Debug, Clone)]
pub struct Env {
    /// Names defined (for `<IfDefine>`), in order: `-D` first, then `Define`.
    pub defines: Vec<String>,
    /// `Define NAME VALUE` values (for `${NAME}`).
    pub vars: BTreeMap<String, String>,
    /// The process environment httpd would see (Debian: the exports of
    /// `envvars`); consulted after `vars`.
    pub environ: BTreeMap<String, String>,
    /// Loaded modules, built-in ones first.
    pub modules: Vec<Module>,
    /// The modelled httpd version (`<IfVersion>`).
    pub version: Version,
}

impl Env {
    pub fn new(version: Version) -> Env {
        Env {
            defines: Vec::new(),
            vars: BTreeMap::new(),
            environ: BTreeMap::new(),
            modules: BUILTIN_MODULES
                .iter()
                .map(|(id, src)| Module {
                    id: id.to_string(),
                    source: src.to_string(),
                    file: None,
                    at: None,
                })
                .collect(),
            version,
        }
    }

    pub fn is_defined(&self, name: &str) -> bool {
        self.defines.iter().any(|d| d == name)
    }

    /// `Define NAME [VALUE]`.
    pub fn define(&mut self, name: &str, value: Option<&str>) {
        if !self.is_defined(name) {
            self.defines.push(name.to_string());
        }
        if let Some(v) = value {
            self.vars.insert(name.to_string(), v.to_string());
        }
    }

    /// `UnDefine NAME`.
    pub fn undefine(&mut self, name: &str) {
        if let Some(i) = self.defines.iter().position(|d| d == name) {
            // httpd moves the last define into the hole
            let last = self.defines.pop();
            if i < self.defines.len() {
                if let Some(l) = last {
                    self.defines[i] = l;
                }
            }
        }
        self.vars.remove(name);
    }

    /// `${NAME}`: a `Define`d value, else the environment.
    pub fn lookup(&self, name: &str) -> Option<&str> {
        self.vars
            .get(name)
            .or_else(|| self.environ.get(name))
            .map(String::as_str)
    }

    /// `ap_resolve_env`: replace each `${NAME}` (up to the first `}`) by its
    /// value; an undefined one is left as it is. Returns the new text and
    /// the undefined names that httpd warns about (those without `:`).
    ///
    /// A result longer than `max` bytes is not built: `Err(max)`.
    pub fn resolve(&self, s: &str, max: usize) -> Result<(String, Vec<String>), usize> {
        if !s.contains("${") {
            return Ok((s.to_string(), Vec::new()));
        }
        let mut out = String::with_capacity(s.len());
        let mut undefined = Vec::new();
        let mut rest = s;
        while let Some(i) = rest.find("${") {
            out.push_str(&rest[..i]);
            let after = &rest[i + 2..];
            match after.find('}') {
                Some(e) => {
                    let name = &after[..e];
                    match self.lookup(name) {
                        Some(v) if out.len() + v.len() > max => return Err(max),
                        Some(v) => out.push_str(v),
                        None => {
                            if !name.contains(':') {
                                undefined.push(name.to_string());
                            }
                            out.push_str(&rest[i..i + 2 + e + 1]);
                        }
                    }
                    rest = &after[e + 1..];
                }
                None => {
                    out.push_str(&rest[i..]);
                    rest = "";
                }
            }
        }
        out.push_str(rest);
        Ok((out, undefined))
    }

    /// `<IfModule NAME>`: a loaded module's identifier or source file name.
    pub fn has_module(&self, name: &str) -> bool {
        self.modules
            .iter()
            .any(|m| m.id == name || m.source == name)
    }

    pub fn module(&self, id: &str) -> Option<&Module> {
        self.modules.iter().find(|m| m.id == id)
    }

    /// `<IfDirective NAME>` (and `<IfSection>` with `<NAME`): known to the
    /// core or to a loaded module in tlslint's fixed list.
    pub fn has_directive(&self, name: &str) -> bool {
        if CORE_DIRECTIVES.iter().any(|d| d.eq_ignore_ascii_case(name)) {
            return true;
        }
        MODULE_DIRECTIVES.iter().any(|(m, ds)| {
            self.module(m).is_some() && ds.iter().any(|d| d.eq_ignore_ascii_case(name))
        })
    }
}

/// mod_version's `compare_version`: `Some(ordering of the modelled version
/// against the string)`, or None if the string is not `major[.minor[.patch]]`.
pub fn compare_version(have: Version, s: &str) -> Option<std::cmp::Ordering> {
    if !s.as_bytes().first().is_some_and(u8::is_ascii_digit) {
        return None;
    }
    let mut parts = [0u32; 3];
    for (n, piece) in s.split('.').enumerate() {
        if n == 3 || !piece.bytes().all(|c| c.is_ascii_digit()) {
            return None;
        }
        // atoi: an empty piece is 0, an overlong one saturates
        parts[n] = piece
            .parse()
            .unwrap_or(if piece.is_empty() { 0 } else { u32::MAX });
    }
    let want = Version::new(parts[0], parts[1], parts[2]);
    Some(have.cmp(&want))
}

/// The result of `<IfVersion args>` (the arguments as httpd's TAKE123 splits
/// them): Ok(true/false), or httpd's error message.
pub fn if_version(have: Version, args: &[String]) -> Result<bool, String> {
    let missing = "<IfVersion> directive missing closing '>'".to_string();
    let (mut a1, mut a2, mut a3): (String, String, Option<String>) = match args {
        [a] => ("=".into(), a.clone(), None),
        [a, b] => (a.clone(), b.clone(), None),
        [a, b, c] => (a.clone(), b.clone(), Some(c.clone())),
        _ => {
            return Err(
                "<IfVersion takes one, two or three arguments, a comparison operator, a version (and a delimiter)"
                    .into(),
            )
        }
    };
    // surrounding quotes without operator: `<IfVersion "2.4" >`
    if a3.is_none() && a2 == ">" {
        a3 = Some(">".into());
        a2 = a1.clone();
        a1 = "=".into();
    }
    let closed_by_a3 = a3.as_deref() == Some(">");
    if a2.is_empty() || (!closed_by_a3 && !a2.ends_with('>')) {
        return Err(missing);
    }
    let mut ver: &str = if closed_by_a3 {
        &a2
    } else {
        &a2[..a2.len() - 1]
    };
    let mut op: &str = &a1;
    let mut reverse = false;
    if let Some(r) = op.strip_prefix('!') {
        reverse = true;
        if !r.is_empty() {
            op = r;
        }
    }
    let ob = op.as_bytes();
    let c = ob.first().copied().unwrap_or(0);
    let rest = &ob[1.min(ob.len())..];
    let ok_form = rest.is_empty() || (rest == b"=" && c != b'~');
    if !ok_form {
        return Err(format!("unrecognized operator '{a1}'"));
    }
    let bad = "Version appears to be invalid. It must have the format major[.minor[.patch]] where major, minor and patch are numbers.";
    let m = match c {
        b'=' => {
            if !ver.starts_with('/') {
                compare_version(have, ver).ok_or(bad)? == std::cmp::Ordering::Equal
            } else {
                ver = &ver[1..];
                if ver.is_empty() || !ver.ends_with('/') {
                    return Err("Missing delimiting / of regular expression.".into());
                }
                let re = &ver[..ver.len() - 1];
                crate::apache::regex::matches(re, &have.to_string()).map_err(|r| r.message())?
            }
        }
        b'~' => crate::apache::regex::matches(ver, &have.to_string()).map_err(|r| r.message())?,
        b'<' => {
            let o = compare_version(have, ver).ok_or(bad)?;
            o == std::cmp::Ordering::Less || (!rest.is_empty() && o == std::cmp::Ordering::Equal)
        }
        b'>' => {
            let o = compare_version(have, ver).ok_or(bad)?;
            o == std::cmp::Ordering::Greater || (!rest.is_empty() && o == std::cmp::Ordering::Equal)
        }
        _ => return Err(format!("unrecognized operator '{a1}'")),
    };
    Ok(m != reverse)
}

/// The variables a Debian `envvars` file exports (what `apache2ctl` puts in
/// httpd's environment). A small reading of the shell: `NAME=VALUE`,
/// `export NAME[=VALUE]`, `unset NAME`, with `$NAME` / `${NAME}` expanded
/// from earlier assignments (unset: empty) and quotes removed; lines inside
/// `if`/`case`/`for`/`while` blocks are skipped (Debian's only such block
/// sets SUFFIX for a second instance `/etc/apache2-NAME`, so SUFFIX stays
/// empty as for `/etc/apache2`).
pub fn parse_envvars(text: &str) -> BTreeMap<String, String> {
    let mut shell: BTreeMap<String, String> = BTreeMap::new();
    let mut exported: Vec<String> = Vec::new();
    let mut depth = 0i32;
    for raw in text.lines() {
        let line = raw.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let first = line.split_whitespace().next().unwrap_or("");
        match first {
            "if" | "case" | "for" | "while" | "until" => {
                depth += 1;
                continue;
            }
            "fi" | "esac" | "done" => {
                depth -= 1;
                continue;
            }
            _ => {}
        }
        if depth > 0 {
            continue;
        }
        if first == "unset" {
            for n in line.split_whitespace().skip(1) {
                shell.remove(n);
                exported.retain(|e| e != n);
            }
            continue;
        }
        let (export, body) = match line.strip_prefix("export ") {
            Some(b) => (true, b.trim_start()),
            None => (false, line),
        };
        let name_len = body
            .bytes()
            .take_while(|c| c.is_ascii_alphanumeric() || *c == b'_')
            .count();
        if name_len == 0 || body.as_bytes()[0].is_ascii_digit() {
            continue;
        }
        let name = &body[..name_len];
        let after = &body[name_len..];
        if let Some(v) = after.strip_prefix('=') {
            let value = shell_word(v, &shell);
            shell.insert(name.to_string(), value);
        } else if !export || !(after.is_empty() || after.starts_with(char::is_whitespace)) {
            continue;
        }
        if export && !exported.iter().any(|e| e == name) {
            exported.push(name.to_string());
        }
    }
    exported
        .into_iter()
        .filter_map(|n| shell.get(&n).map(|v| (n, v.clone())))
        .collect()
}

/// The `-D NAME` options of `APACHE2_OPTS="..."` in Gentoo's
/// `/etc/conf.d/apache2` (the last assignment counts).
pub fn gentoo_defines(text: &str) -> Vec<String> {
    let mut value = None;
    for raw in text.lines() {
        let line = raw.trim();
        if let Some(v) = line.strip_prefix("APACHE2_OPTS=") {
            value = Some(shell_word(v, &BTreeMap::new()));
        }
    }
    let mut out = Vec::new();
    let Some(v) = value else { return out };
    let mut words = v.split_whitespace();
    while let Some(w) = words.next() {
        let name = if w == "-D" {
            words.next()
        } else {
            w.strip_prefix("-D")
        };
        if let Some(n) = name.filter(|n| !n.is_empty()) {
            if !out.iter().any(|o| o == n) {
                out.push(n.to_string());
            }
        }
    }
    out
}

/// One shell word: quotes removed, `$X` / `${X}` expanded in double quotes
/// and bare text; stops at unquoted white space or `;`.
fn shell_word(s: &str, vars: &BTreeMap<String, String>) -> String {
    let b: Vec<char> = s.chars().collect();
    let mut out = String::new();
    let mut i = 0;
    let mut quote: Option<char> = None;
    while i < b.len() {
        let c = b[i];
        if quote == Some('\'') {
            if c == '\'' {
                quote = None;
            } else {
                out.push(c);
            }
            i += 1;
            continue;
        }
        if quote.is_none() && (c.is_whitespace() || c == ';') {
            break;
        }
        if c == '"' {
            quote = if quote.is_some() { None } else { Some('"') };
            i += 1;
            continue;
        }
        if c == '\'' && quote.is_none() {
            quote = Some('\'');
            i += 1;
            continue;
        }
        if c == '\\' && i + 1 < b.len() {
            out.push(b[i + 1]);
            i += 2;
            continue;
        }
        if c == '$' && i + 1 < b.len() {
            if b[i + 1] == '{' {
                if let Some(e) = b[i + 2..].iter().position(|&x| x == '}') {
                    let inner: String = b[i + 2..i + 2 + e].iter().collect();
                    // `${NAME...}` with an operator: the variable's value
                    let name: String = inner
                        .chars()
                        .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                        .collect();
                    out.push_str(vars.get(&name).map(String::as_str).unwrap_or(""));
                    i += 3 + e;
                    continue;
                }
            } else if b[i + 1].is_ascii_alphabetic() || b[i + 1] == '_' {
                let mut j = i + 1;
                while j < b.len() && (b[j].is_ascii_alphanumeric() || b[j] == '_') {
                    j += 1;
                }
                let name: String = b[i + 1..j].iter().collect();
                out.push_str(vars.get(&name).map(String::as_str).unwrap_or(""));
                i = j;
                continue;
            }
        }
        out.push(c);
        i += 1;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn resolve_like_ap_resolve_env() {
        let mut e = Env::new(DEFAULT_VERSION);
        e.define("A", Some("x y"));
        e.environ.insert("B".into(), "b".into());
        assert_eq!(
            e.resolve("1 ${A} ${B} ${C} $D ${ ${E:F}", 1000).unwrap().0,
            "1 x y b ${C} $D ${ ${E:F}"
        );
        assert_eq!(
            e.resolve("${C}${X:y}", 1000).unwrap().1,
            vec!["C".to_string()]
        );
        e.define("A", Some("z"));
        assert_eq!(e.resolve("${A}", 1000).unwrap().0, "z");
        e.undefine("A");
        assert_eq!(e.resolve("${A}", 1000).unwrap().0, "${A}");
        assert!(!e.is_defined("A"));
        // a result longer than the bound is not built
        e.define("A", Some("0123456789"));
        assert_eq!(e.resolve("${A}${A}", 19), Err(19));
        assert!(e.resolve("${A}${A}", 20).is_ok());
    }

    #[test]
    fn modules_and_directives() {
        let mut e = Env::new(DEFAULT_VERSION);
        assert!(e.has_module("mod_version.c") && e.has_module("version_module"));
        assert!(!e.has_module("ssl_module"));
        assert!(e.has_directive("servername") && !e.has_directive("SSLEngine"));
        e.modules.push(Module {
            id: "ssl_module".into(),
            source: source_name("ssl_module"),
            file: None,
            at: None,
        });
        assert!(e.has_module("mod_ssl.c") && e.has_directive("SSLProtocol"));
        assert_eq!(source_name("mpm_event_module"), "event.c");
    }

    #[test]
    fn ifversion() {
        let v = Version::new(2, 4, 71);
        let t = |a: &[&str]| if_version(v, &a.iter().map(|s| s.to_string()).collect::<Vec<_>>());
        assert_eq!(t(&[">=", "2.4.71>"]), Ok(true));
        assert_eq!(t(&[">", "2.4.71>"]), Ok(false));
        assert_eq!(t(&["<", "2.4.72>"]), Ok(true));
        assert_eq!(t(&["2.4>"]), Ok(false));
        assert_eq!(t(&["2.4.71>"]), Ok(true));
        assert_eq!(t(&["!=", "2.2>"]), Ok(true));
        assert_eq!(t(&["~", "^2\\.4\\.7>"]), Ok(true));
        assert_eq!(t(&["=", "/^2\\.2/>"]), Ok(false));
        assert_eq!(t(&["2.4.71", ">"]), Ok(true));
        assert!(t(&["<>", "2.4>"]).is_err());
        assert!(t(&[">=", "2.4"]).is_err());
        assert!(t(&[">=", "x>"]).is_err());
        // PCRE2 matches repeats of what can be empty (the section applies)
        assert_eq!(t(&["~", "^(x?){2}2>"]), Ok(true));
        // thousands of x? then y: no deep recursion, no abort
        let long = format!("{}y>", "x?".repeat(5000));
        assert_eq!(t(&["~", &long]), Ok(false));
        // PCRE2 compiles a backreference; tlslint says it cannot evaluate it
        let e = t(&["~", "^(2)\\1>"]).unwrap_err();
        assert!(
            e.contains("cannot evaluate") && e.contains("backreferences"),
            "{e}"
        );
        let e = t(&["~", "(>"]).unwrap_err();
        assert!(e.starts_with("Unable to compile regular expression"), "{e}");
    }

    #[test]
    fn gentoo_opts() {
        let t =
            "# APACHE2_OPTS=\"-D NO\"\nAPACHE2_OPTS=\"-D DEFAULT_VHOST -DSSL -k start -D SSL\"\n";
        assert_eq!(gentoo_defines(t), vec!["DEFAULT_VHOST", "SSL"]);
        assert!(gentoo_defines("").is_empty());
    }

    #[test]
    fn envvars_of_debian() {
        let text = "unset HOME\nif [ \"${APACHE_CONFDIR##/etc/apache2-}\" != \"${APACHE_CONFDIR}\" ] ; then\n\tSUFFIX=\"-${APACHE_CONFDIR##/etc/apache2-}\"\nelse\n\tSUFFIX=\nfi\nexport APACHE_RUN_USER=www-data\nexport APACHE_PID_FILE=/var/run/apache2$SUFFIX/apache2.pid\nexport APACHE_LOG_DIR=/var/log/apache2${SUFFIX}\nexport LANG=C\nexport LANG\nX=1\n#export Y=2\n";
        let v = parse_envvars(text);
        assert_eq!(
            v.get("APACHE_RUN_USER").map(String::as_str),
            Some("www-data")
        );
        assert_eq!(
            v.get("APACHE_PID_FILE").map(String::as_str),
            Some("/var/run/apache2/apache2.pid")
        );
        assert_eq!(
            v.get("APACHE_LOG_DIR").map(String::as_str),
            Some("/var/log/apache2")
        );
        assert_eq!(v.get("LANG").map(String::as_str), Some("C"));
        assert!(!v.contains_key("X") && !v.contains_key("Y"));
    }
}
