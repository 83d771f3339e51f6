//! The versions a run models, and where each came from: a flag, the
//! settings file, the server installed on this machine (`auto`), or the
//! built-in default.
//!
//! `auto` reads the installed server's own account of itself:
//! - nginx: `nginx -V` (printed on stderr): `nginx version: nginx/1.22.1`,
//!   `built with OpenSSL 3.0.9 7 Feb 2023 (running with OpenSSL 3.0.11 19
//!   Sep 2023)` (nginx's `ngx_show_version_info`, src/core/nginx.c, prints
//!   "running with" only when the library it runs with differs from the one
//!   it was built with: the running one is the one modelled), and the
//!   `configure arguments:` whose `--prefix` / `--conf-path` say which file
//!   the binary reads (configure's defaults: prefix `/usr/local/nginx`, conf
//!   path `conf/nginx.conf` below the prefix, auto/options and auto/init).
//! - httpd: `apache2 -V` or `httpd -V` (stdout): `Server version:
//!   Apache/2.4.57 (Debian)`, ` -D HTTPD_ROOT="/etc/apache2"`, ` -D
//!   SERVER_CONFIG_FILE="apache2.conf"` (relative to HTTPD_ROOT, as
//!   `ap_server_root_relative` resolves it; httpd's defaults are
//!   `/usr/local/apache2` and `conf/httpd.conf`, include/ap_config_layout.h).
//!   Debian's `apache2 -V` reads the configuration to load its MPM and exits
//!   1 when the variables of /etc/apache2/envvars are not set; the lines
//!   above are printed before that, so the output is read whatever the exit
//!   code.
//! - httpd's OpenSSL is the libssl that mod_ssl links to: `ldd` on the
//!   mod_ssl.so the tree's `LoadModule ssl_module` names (relative to the
//!   server root) gives its soname (`libssl.so.3`: OpenSSL 3.x,
//!   `libssl.so.1.1`: 1.1), and `openssl version` (its `Library:` part) the
//!   exact release of that library, taken when it is of the same series.
//!   Without a readable mod_ssl (no LoadModule, no `ldd`), `openssl version`
//!   alone, with a note.
//!
//! Binaries are looked up in the absolute directories of `PATH`, then in
//! [`STANDARD_DIRS`]; relative `PATH` entries (the current directory) are
//! skipped, and a binary inside the linted tree's directory is never run.
//! Every child gets no stdin, `LC_ALL=C`, and [`TIMEOUT`] to answer, then is
//! killed. A missing or failing binary under `auto` is a note and the
//! default stays.

use std::cell::OnceCell;
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use crate::model::ServerKind;
use crate::nginx::defaults::{Target, CURRENT_STABLE};
use crate::version::Version;

/// Directories searched after `PATH`: the sbin directories (not on a
/// normal user's `PATH` on Debian), and the install locations of nginx's
/// and httpd's own `make install`.
pub const STANDARD_DIRS: &[&str] = &[
    "/usr/local/sbin",
    "/usr/sbin",
    "/sbin",
    "/usr/local/nginx/sbin",
    "/usr/local/apache2/bin",
];

/// How long a detection command may run.
pub const TIMEOUT: Duration = Duration::from_secs(5);

/// The modelled OpenSSL when nothing says otherwise.
pub const DEFAULT_OPENSSL: Version = Version::new(3, 0, 0);

/// Where a modelled version came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Origin {
    Flag,
    Config,
    Detected,
    Default,
}

impl Origin {
    pub fn as_str(self) -> &'static str {
        match self {
            Origin::Flag => "flag",
            Origin::Config => "config",
            Origin::Detected => "detected",
            Origin::Default => "default",
        }
    }
}

/// One modelled version and its origin.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Modelled {
    pub version: Version,
    /// As written or detected (`1.22.1`, `3.0`, `1.1.1w`).
    pub text: String,
    pub origin: Origin,
    /// The settings file (config), or the commands read (detected).
    pub from: Option<String>,
}

impl Modelled {
    fn default_of(version: Version, text: &str) -> Modelled {
        Modelled {
            version,
            text: text.to_string(),
            origin: Origin::Default,
            from: None,
        }
    }

    /// `1.22.1 (detected)`; a settings file shows as its file name.
    pub fn label(&self) -> String {
        let origin = match (self.origin, &self.from) {
            (Origin::Config, Some(f)) => Path::new(f)
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_else(|| f.clone()),
            (o, _) => o.as_str().to_string(),
        };
        format!("{} ({origin})", self.text)
    }

    pub fn json(&self) -> serde_json::Value {
        let mut v = serde_json::json!({ "version": self.text, "origin": self.origin.as_str() });
        if let Some(f) = &self.from {
            v["from"] = serde_json::Value::String(f.clone());
        }
        v
    }
}

/// The versions one tree is checked with.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Versions {
    pub nginx: Modelled,
    pub openssl: Modelled,
    pub apache: Modelled,
}

impl Default for Versions {
    fn default() -> Versions {
        Versions {
            nginx: Modelled::default_of(CURRENT_STABLE, &CURRENT_STABLE.to_string()),
            openssl: Modelled::default_of(DEFAULT_OPENSSL, "3.0"),
            apache: Modelled::default_of(
                crate::apache::env::DEFAULT_VERSION,
                &crate::apache::env::DEFAULT_VERSION.to_string(),
            ),
        }
    }
}

impl Versions {
    pub fn target(&self) -> Target {
        Target {
            nginx: self.nginx.version,
            openssl: self.openssl.version,
            apache: self.apache.version,
        }
    }

    /// `nginx 1.22.1 (detected), OpenSSL 3.0.11 (detected)`: the server's
    /// own version and OpenSSL's.
    pub fn describe(&self, server: ServerKind) -> String {
        let (name, own) = match server {
            ServerKind::Nginx => ("nginx", &self.nginx),
            ServerKind::Apache => ("Apache", &self.apache),
        };
        format!("{name} {}, OpenSSL {}", own.label(), self.openssl.label())
    }

    pub fn json(&self) -> serde_json::Value {
        serde_json::json!({
            "nginx": self.nginx.json(),
            "openssl": self.openssl.json(),
            "apache": self.apache.json(),
        })
    }
}

/// What the flags and the settings file say about one version.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Spec {
    /// Nothing: `auto` for the tree the installed server reads, else the
    /// default.
    Unset,
    /// `auto`, from the flag or the settings file (`from`).
    Auto {
        origin: Origin,
        from: Option<String>,
    },
    /// A version.
    Fixed(Modelled),
}

impl Spec {
    /// Read a flag's or a setting's value: `auto` or a version.
    pub fn parse(text: &str, origin: Origin, from: Option<String>) -> Result<Spec, String> {
        let t = text.trim();
        if t.eq_ignore_ascii_case("auto") {
            return Ok(Spec::Auto { origin, from });
        }
        let version: Version = t.parse()?;
        Ok(Spec::Fixed(Modelled {
            version,
            text: t.to_string(),
            origin,
            from,
        }))
    }
}

/// The three specs of a run's settings.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Specs {
    pub nginx: Spec,
    pub openssl: Spec,
    pub apache: Spec,
}

impl Default for Specs {
    fn default() -> Specs {
        Specs {
            nginx: Spec::Unset,
            openssl: Spec::Unset,
            apache: Spec::Unset,
        }
    }
}

// ------------------------------------------------------------------ parsing

/// A library's version and its text as printed (`3.0.11`, `1.1.1w`).
pub type Release = (Version, String);

/// What `nginx -V` says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NginxInfo {
    pub version: Version,
    pub version_text: String,
    /// The OpenSSL nginx runs with, or why it cannot be modelled.
    pub openssl: Result<Release, String>,
    /// The file the binary reads by default.
    pub conf_path: PathBuf,
}

/// What `apache2 -V` / `httpd -V` says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApacheInfo {
    pub version: Version,
    pub version_text: String,
    /// `HTTPD_ROOT`.
    pub root: PathBuf,
    /// `SERVER_CONFIG_FILE`, below `root` when relative.
    pub conf_path: PathBuf,
}

/// `3.0.11`, `1.1.1w`, `1.21.4.1` (OpenResty: the first three numbers are
/// nginx's): the version and its text, from the start of `token`.
fn version_token(token: &str) -> Option<Release> {
    let t: String = token
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric() || *c == '.')
        .collect();
    let t = t.trim_end_matches('.');
    let three: Vec<&str> = t.split('.').take(3).collect();
    let text = three.join(".");
    let v: Version = text.parse().ok()?;
    Some((v, text))
}

/// `OpenSSL 3.0.11 19 Sep 2023` → 3.0.11; another library is an error.
fn openssl_library(s: &str) -> Result<Release, String> {
    let s = s.trim();
    if s.contains("BoringSSL") || s.contains("LibreSSL") || s.contains("AWS-LC") {
        let name = ["BoringSSL", "LibreSSL", "AWS-LC"]
            .into_iter()
            .find(|n| s.contains(n))
            .unwrap_or("");
        return Err(format!(
            "the TLS library is {name} ({s}), which tlslint does not model"
        ));
    }
    let mut words = s.split_whitespace();
    match (words.next(), words.next().and_then(version_token)) {
        (Some("OpenSSL"), Some(v)) => Ok(v),
        _ => Err(format!("cannot read the OpenSSL version in \"{s}\"")),
    }
}

/// Split `configure arguments:` as the shell would: quotes group, then go.
fn shell_words(s: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut cur = String::new();
    let mut quote: Option<char> = None;
    let mut any = false;
    for c in s.chars() {
        match quote {
            Some(q) if c == q => quote = None,
            Some(_) => cur.push(c),
            None if c == '\'' || c == '"' => {
                quote = Some(c);
                any = true;
            }
            None if c.is_whitespace() => {
                if any || !cur.is_empty() {
                    out.push(std::mem::take(&mut cur));
                    any = false;
                }
            }
            None => cur.push(c),
        }
    }
    if any || !cur.is_empty() {
        out.push(cur);
    }
    out
}

/// Read `nginx -V` (its stderr and stdout).
pub fn parse_nginx(text: &str) -> Result<NginxInfo, String> {
    let mut version = None;
    let mut openssl = Err("nginx -V names no TLS library (built without SSL?)".to_string());
    let mut prefix = PathBuf::from("/usr/local/nginx");
    let mut conf = PathBuf::from("conf/nginx.conf");
    for line in text.lines() {
        let line = line.trim_end();
        if let Some(rest) = line.strip_prefix("nginx version: ") {
            // nginx/1.22.1 (Ubuntu), openresty/1.21.4.1, freenginx/1.25.4
            let v = rest
                .split_whitespace()
                .next()
                .and_then(|w| w.split_once('/'))
                .and_then(|(_, v)| version_token(v));
            version = v;
        } else if let Some(rest) = line.strip_prefix("built with ") {
            openssl = match rest.split_once("(running with ") {
                Some((_, running)) => openssl_library(running.trim_end_matches(')')),
                None => openssl_library(rest),
            };
        } else if let Some(rest) = line.strip_prefix("configure arguments:") {
            for w in shell_words(rest) {
                if let Some(p) = w.strip_prefix("--prefix=") {
                    prefix = PathBuf::from(p);
                } else if let Some(p) = w.strip_prefix("--conf-path=") {
                    conf = PathBuf::from(p);
                }
            }
        }
    }
    let Some((version, version_text)) = version else {
        return Err("no \"nginx version:\" line".into());
    };
    Ok(NginxInfo {
        version,
        version_text,
        openssl,
        conf_path: prefix.join(conf),
    })
}

/// Read `apache2 -V` / `httpd -V`.
pub fn parse_apache(text: &str) -> Result<ApacheInfo, String> {
    let mut version = None;
    let mut root = PathBuf::from("/usr/local/apache2");
    let mut conf = PathBuf::from("conf/httpd.conf");
    for line in text.lines() {
        let line = line.trim();
        if let Some(rest) = line.strip_prefix("Server version:") {
            version = rest
                .split_whitespace()
                .next()
                .and_then(|w| w.strip_prefix("Apache/"))
                .and_then(version_token);
        } else if let Some(rest) = line.strip_prefix("-D HTTPD_ROOT=") {
            root = PathBuf::from(rest.trim_matches('"'));
        } else if let Some(rest) = line.strip_prefix("-D SERVER_CONFIG_FILE=") {
            conf = PathBuf::from(rest.trim_matches('"'));
        }
    }
    let Some((version, version_text)) = version else {
        return Err("no \"Server version: Apache/...\" line".into());
    };
    Ok(ApacheInfo {
        version,
        version_text,
        conf_path: root.join(conf),
        root,
    })
}

/// The OpenSSL series of the `libssl.so.N` that `ldd` lists: 3 for
/// `libssl.so.3`, 1.1 for `libssl.so.1.1`, 1.0 for `libssl.so.1.0.0` /
/// `libssl.so.10` (RHEL 7's name for 1.0.2). Other numbers are LibreSSL's.
pub fn parse_ldd(text: &str) -> Result<Release, String> {
    for line in text.lines() {
        let Some(at) = line.find("libssl.so.") else {
            continue;
        };
        let soname: String = line[at..]
            .chars()
            .take_while(|c| !c.is_whitespace())
            .collect();
        let num = &soname["libssl.so.".len()..];
        let series = match num {
            "3" => Version::new(3, 0, 0),
            "1.1" => Version::new(1, 1, 0),
            "10" | "1.0.0" | "1.0.2" => Version::new(1, 0, 0),
            _ => {
                return Err(format!(
                    "mod_ssl links to {soname}, not an OpenSSL library tlslint models (LibreSSL?)"
                ))
            }
        };
        return Ok((series, soname));
    }
    Err("ldd lists no libssl".into())
}

/// `OpenSSL 3.0.11 19 Sep 2023 (Library: OpenSSL 3.0.13 30 Jan 2024)`: the
/// library's version (what a program linking libssl gets).
pub fn parse_openssl_version(text: &str) -> Result<Release, String> {
    let line = text.lines().find(|l| !l.trim().is_empty()).unwrap_or("");
    match line.split_once("(Library: ") {
        Some((_, lib)) => openssl_library(lib.trim_end().trim_end_matches(')')),
        None => openssl_library(line),
    }
}

/// Whether `v` is of the series `libssl.so.N` names.
fn same_series(v: Version, series: Version) -> bool {
    if series.major >= 3 {
        v.major == series.major
    } else {
        v.major == series.major && v.minor == series.minor
    }
}

// ------------------------------------------------------------------ running

/// Run `bin args` with no stdin and `LC_ALL=C`; its stdout and stderr,
/// whatever its exit status, unless it cannot start, is killed by a
/// signal, prints nothing, or outlives `timeout` (then it is killed).
pub fn run(bin: &Path, args: &[&str], timeout: Duration) -> Result<String, String> {
    use std::io::Read;
    use std::process::{Command, Stdio};
    let shown = format!("{} {}", bin.display(), args.join(" "));
    let mut child = Command::new(bin)
        .args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .env("LC_ALL", "C")
        .spawn()
        .map_err(|e| format!("cannot run {shown}: {e}"))?;
    let (tx, rx) = std::sync::mpsc::channel::<String>();
    for mut stream in [
        child
            .stdout
            .take()
            .map(|s| Box::new(s) as Box<dyn Read + Send>),
        child
            .stderr
            .take()
            .map(|s| Box::new(s) as Box<dyn Read + Send>),
    ]
    .into_iter()
    .flatten()
    {
        let tx = tx.clone();
        std::thread::spawn(move || {
            let mut buf = Vec::new();
            let _ = stream.by_ref().take(1 << 20).read_to_end(&mut buf);
            let _ = tx.send(String::from_utf8_lossy(&buf).into_owned());
        });
    }
    drop(tx);
    let deadline = Instant::now() + timeout;
    let status = loop {
        match child.try_wait() {
            Ok(Some(s)) => break s,
            Ok(None) if Instant::now() >= deadline => {
                let _ = child.kill();
                let _ = child.wait();
                return Err(format!(
                    "{shown} did not answer within {} s and was stopped",
                    timeout.as_secs()
                ));
            }
            Ok(None) => std::thread::sleep(Duration::from_millis(5)),
            Err(e) => return Err(format!("{shown}: {e}")),
        }
    };
    // the output of both streams; a grandchild that keeps a pipe open is
    // not waited for past the deadline
    let mut text = String::new();
    for _ in 0..2 {
        let left = deadline.saturating_duration_since(Instant::now());
        match rx.recv_timeout(left.max(Duration::from_millis(50))) {
            Ok(s) => text.push_str(&s),
            Err(_) => break,
        }
    }
    if status.code().is_none() {
        return Err(format!("{shown} was killed by a signal"));
    }
    if text.trim().is_empty() {
        return Err(format!("{shown} printed nothing ({status})"));
    }
    Ok(text)
}

/// Finds and runs the installed servers, once each per run.
pub struct Detector {
    dirs: Vec<PathBuf>,
    timeout: Duration,
    nginx: OnceCell<Result<(PathBuf, NginxInfo), String>>,
    apache: OnceCell<Result<(PathBuf, ApacheInfo), String>>,
    /// `ldd` of each mod_ssl.so, and `openssl version`.
    ldd: std::cell::RefCell<HashMap<PathBuf, Result<Release, String>>>,
    openssl_cli: OnceCell<Result<(PathBuf, Release), String>>,
}

impl Detector {
    /// Search the absolute directories of `PATH`, then [`STANDARD_DIRS`].
    pub fn from_env() -> Detector {
        let mut dirs: Vec<PathBuf> = std::env::var_os("PATH")
            .map(|p| std::env::split_paths(&p).collect())
            .unwrap_or_default();
        dirs.extend(STANDARD_DIRS.iter().map(PathBuf::from));
        Detector::with_dirs(dirs, TIMEOUT)
    }

    /// Search only `dirs` (relative ones are skipped).
    pub fn with_dirs(dirs: Vec<PathBuf>, timeout: Duration) -> Detector {
        let mut seen = Vec::new();
        for d in dirs {
            if d.is_absolute() && !seen.contains(&d) {
                seen.push(d);
            }
        }
        Detector {
            dirs: seen,
            timeout,
            nginx: OnceCell::new(),
            apache: OnceCell::new(),
            ldd: Default::default(),
            openssl_cli: OnceCell::new(),
        }
    }

    fn searched(&self) -> String {
        self.dirs
            .iter()
            .map(|d| d.display().to_string())
            .collect::<Vec<_>>()
            .join(":")
    }

    /// The first executable file named one of `names` in the directories.
    pub fn find(&self, names: &[&str]) -> Option<PathBuf> {
        use std::os::unix::fs::PermissionsExt;
        for d in &self.dirs {
            for n in names {
                let p = d.join(n);
                if let Ok(m) = std::fs::metadata(&p) {
                    if m.is_file() && m.permissions().mode() & 0o111 != 0 {
                        return Some(p);
                    }
                }
            }
        }
        None
    }

    /// `nginx -V`, read; None when there is no nginx to run. A binary
    /// inside `not_in` (the linted tree's directory) is not run.
    pub fn nginx(&self, not_in: Option<&Path>) -> Option<Result<(PathBuf, NginxInfo), String>> {
        self.server_v(&self.nginx, &["nginx"], not_in, parse_nginx)
    }

    /// `apache2 -V` or `httpd -V`, read; None when there is neither. A
    /// binary inside `not_in` is not run.
    pub fn apache(&self, not_in: Option<&Path>) -> Option<Result<(PathBuf, ApacheInfo), String>> {
        self.server_v(&self.apache, &["apache2", "httpd"], not_in, parse_apache)
    }

    /// The first of `names` found, run once with `-V` and read by `parse`.
    fn server_v<T: Clone>(
        &self,
        cell: &OnceCell<Result<(PathBuf, T), String>>,
        names: &[&str],
        not_in: Option<&Path>,
        parse: fn(&str) -> Result<T, String>,
    ) -> Option<Result<(PathBuf, T), String>> {
        let bin = self.find(names)?;
        if let Some(e) = refuse(&bin, not_in) {
            return Some(Err(e));
        }
        let r = cell.get_or_init(|| {
            let text = run(&bin, &["-V"], self.timeout)?;
            parse(&text)
                .map(|i| (bin.clone(), i))
                .map_err(|e| format!("{} -V: {e}", bin.display()))
        });
        Some(r.clone())
    }

    fn ldd(&self, module: &Path) -> Result<Release, String> {
        if let Some(r) = self.ldd.borrow().get(module) {
            return r.clone();
        }
        let r = match self.find(&["ldd"]) {
            None => Err(format!("no ldd in {}", self.searched())),
            Some(ldd) => {
                run(&ldd, &[&module.to_string_lossy()], self.timeout).and_then(|t| parse_ldd(&t))
            }
        };
        self.ldd
            .borrow_mut()
            .insert(module.to_path_buf(), r.clone());
        r
    }

    fn openssl_cli(&self) -> &Result<(PathBuf, Release), String> {
        self.openssl_cli.get_or_init(|| {
            let bin = self
                .find(&["openssl"])
                .ok_or_else(|| format!("no openssl in {}", self.searched()))?;
            let text = run(&bin, &["version"], self.timeout)?;
            parse_openssl_version(&text)
                .map(|v| (bin.clone(), v))
                .map_err(|e| format!("{} version: {e}", bin.display()))
        })
    }

    /// The OpenSSL of httpd's mod_ssl at `module` (None: the tree loads no
    /// mod_ssl), with notes on what could not be read.
    pub fn apache_openssl(
        &self,
        module: Option<&Path>,
        notes: &mut Vec<String>,
    ) -> Result<Modelled, String> {
        let series = match module {
            Some(m) => match self.ldd(m) {
                Ok(s) => Some((s, m)),
                Err(e) => {
                    notes.push(format!(
                        "the libssl that {} links to could not be read ({e}); the OpenSSL version comes from `openssl version`",
                        m.display()
                    ));
                    None
                }
            },
            None => {
                notes.push(
                    "no mod_ssl.so found (the tree has no LoadModule ssl_module, and the module directories have none); the OpenSSL version comes from `openssl version`".into(),
                );
                None
            }
        };
        let cli = self.openssl_cli();
        match (series, cli) {
            (Some(((sv, soname), m)), Ok((bin, (v, text)))) if same_series(*v, sv) => {
                Ok(Modelled {
                    version: *v,
                    text: text.clone(),
                    origin: Origin::Detected,
                    from: Some(format!(
                        "ldd {}: {soname}; {} version",
                        m.display(),
                        bin.display()
                    )),
                })
            }
            (Some(((sv, soname), m)), other) => {
                let text = format!("{}.{}", sv.major, sv.minor);
                let why = match other {
                    Ok((bin, (v, _))) => format!("{} version says {v}", bin.display()),
                    Err(e) => e.clone(),
                };
                notes.push(format!(
                    "{} links to {soname} but its exact release is unknown ({why}): OpenSSL {text} is modelled",
                    m.display()
                ));
                Ok(Modelled {
                    version: sv,
                    text,
                    origin: Origin::Detected,
                    from: Some(format!("ldd {}: {soname}", m.display())),
                })
            }
            (None, Ok((bin, (v, text)))) => Ok(Modelled {
                version: *v,
                text: text.clone(),
                origin: Origin::Detected,
                from: Some(format!("{} version", bin.display())),
            }),
            (None, Err(e)) => Err(e.clone()),
        }
    }
}

/// Whether `a` and `b` name the same file (or the same path when either
/// does not exist).
fn same_file(a: &Path, b: &Path) -> bool {
    match (std::fs::canonicalize(a), std::fs::canonicalize(b)) {
        (Ok(x), Ok(y)) => x == y,
        _ => crate::fsx::lexical_normal(a) == crate::fsx::lexical_normal(b),
    }
}

/// Why `bin` is not run: it lies in `dir`, the linted tree's directory.
fn refuse(bin: &Path, dir: Option<&Path>) -> Option<String> {
    let d = dir?;
    inside(bin, d).then(|| format!("{} is inside the linted tree and is not run", bin.display()))
}

/// Whether `bin` lies in `dir` (a linted tree's directory).
fn inside(bin: &Path, dir: &Path) -> bool {
    let b = std::fs::canonicalize(bin).unwrap_or_else(|_| bin.to_path_buf());
    let d = std::fs::canonicalize(dir).unwrap_or_else(|_| dir.to_path_buf());
    b.starts_with(d)
}

/// The installed server, as its `-V` describes it.
struct Installed {
    bin: PathBuf,
    version: Release,
    /// The file it reads.
    conf: PathBuf,
    /// nginx: the OpenSSL it runs with.
    openssl: Option<Result<Release, String>>,
}

fn detected(version: Version, text: &str, from: String) -> Modelled {
    Modelled {
        version,
        text: text.to_string(),
        origin: Origin::Detected,
        from: Some(from),
    }
}

/// The versions a tree with main file `main` (None: a dump or stdin) is
/// checked with, from `specs`, and whether the OpenSSL of this Apache tree
/// is to be detected once it is loaded ([`apache_openssl`], which needs the
/// tree's `LoadModule ssl_module`). Notes say what `auto` could not do.
pub fn choose(
    specs: &Specs,
    server: ServerKind,
    main: Option<&Path>,
    det: &Detector,
    notes: &mut Vec<String>,
) -> (Versions, bool) {
    let mut v = Versions::default();
    let fixed = |s: &Spec, slot: &mut Modelled| {
        if let Spec::Fixed(m) = s {
            *slot = m.clone();
        }
    };
    fixed(&specs.nginx, &mut v.nginx);
    fixed(&specs.openssl, &mut v.openssl);
    fixed(&specs.apache, &mut v.apache);
    let own_spec = match server {
        ServerKind::Nginx => &specs.nginx,
        ServerKind::Apache => &specs.apache,
    };
    let wants = |s: &Spec| !matches!(s, Spec::Fixed(_));
    if !wants(own_spec) && !wants(&specs.openssl) {
        return (v, false);
    }
    let dir = main
        .and_then(Path::parent)
        .filter(|d| !d.as_os_str().is_empty());
    // (flag name, server name)
    let (what, name) = match server {
        ServerKind::Nginx => ("nginx", "nginx"),
        ServerKind::Apache => ("apache", "httpd"),
    };
    // what the installed server says (for nginx also its OpenSSL), and
    // whether the tree is the file it reads
    let info: Result<Installed, String> = match server {
        ServerKind::Nginx => match det.nginx(dir) {
            None => Err(format!("no nginx in {}", det.searched())),
            Some(Err(e)) => Err(e),
            Some(Ok((bin, i))) => Ok(Installed {
                bin,
                version: (i.version, i.version_text),
                conf: i.conf_path,
                openssl: Some(i.openssl),
            }),
        },
        ServerKind::Apache => match det.apache(dir) {
            None => Err(format!("no apache2 or httpd in {}", det.searched())),
            Some(Err(e)) => Err(e),
            Some(Ok((bin, i))) => Ok(Installed {
                bin,
                version: (i.version, i.version_text),
                conf: i.conf_path,
                openssl: None,
            }),
        },
    };
    let own = match (&info, main) {
        (Ok(i), Some(m)) => same_file(m, &i.conf),
        _ => false,
    };
    let auto = |s: &Spec| match s {
        Spec::Auto { .. } => true,
        Spec::Unset => own,
        Spec::Fixed(_) => false,
    };
    if auto(own_spec) {
        let slot = match server {
            ServerKind::Nginx => &mut v.nginx,
            ServerKind::Apache => &mut v.apache,
        };
        match &info {
            Ok(i) => *slot = detected(i.version.0, &i.version.1, format!("{} -V", i.bin.display())),
            Err(e) => notes.push(format!(
                "{}: {e}; {name} {} (default) is modelled",
                auto_origin(what, own_spec),
                slot.text
            )),
        }
    }
    // nginx's OpenSSL is in its -V; httpd's needs the loaded tree
    let ssl_auto = auto(&specs.openssl);
    if let (true, ServerKind::Nginx) = (ssl_auto, server) {
        let r = match &info {
            Err(e) => Err(e.clone()),
            Ok(i) => i
                .openssl
                .clone()
                .unwrap_or_else(|| Err("nginx -V names no TLS library".into()))
                .map(|(ver, text)| detected(ver, &text, format!("{} -V", i.bin.display()))),
        };
        match r {
            Ok(m) => v.openssl = m,
            Err(e) => notes.push(format!(
                "{}: {e}; OpenSSL {} (default) is modelled",
                auto_origin("openssl", &specs.openssl),
                v.openssl.text
            )),
        }
    }
    if own && (matches!(own_spec, Spec::Unset) || matches!(specs.openssl, Spec::Unset)) {
        if let Ok(i) = &info {
            notes.push(format!(
                "{} is the configuration {} reads: its versions are detected (`auto`)",
                i.conf.display(),
                i.bin.display()
            ));
        }
    }
    (v, ssl_auto && server == ServerKind::Apache)
}

/// Where distributions install mod_ssl.so: below `HTTPD_ROOT` (RHEL's
/// /etc/httpd/modules, httpd's own /usr/local/apache2/modules), Debian's and
/// Ubuntu's
/// /usr/lib/apache2/modules, Fedora's and RHEL's /usr/lib64/httpd/modules,
/// Alpine's /usr/lib/apache2.
const MODULE_DIRS: &[&str] = &[
    "/usr/lib/apache2/modules",
    "/usr/lib64/httpd/modules",
    "/usr/lib/httpd/modules",
    "/usr/lib/apache2",
];

fn module_dir_ssl(det: &Detector) -> Option<PathBuf> {
    let root = match det.apache(None) {
        Some(Ok((_, i))) => Some(i.root.join("modules")),
        _ => None,
    };
    root.into_iter()
        .chain(MODULE_DIRS.iter().map(PathBuf::from))
        .map(|d| d.join("mod_ssl.so"))
        .find(|p| p.is_file())
}

/// Where an `auto` that could not be honoured was asked for: the flag, or
/// the settings file's key.
fn auto_origin(what: &str, s: &Spec) -> String {
    match s {
        Spec::Auto {
            origin: Origin::Config,
            from,
        } => format!(
            "{}: {what}_version: auto",
            from.as_deref().unwrap_or(".tlslint.yaml")
        ),
        _ => format!("--{what}-version auto"),
    }
}

/// After an Apache tree is loaded: its OpenSSL, from the mod_ssl.so its
/// `LoadModule ssl_module` names (relative to `server_root`), else the one
/// in the installed server's module directory.
pub fn apache_openssl(
    specs: &Specs,
    v: &mut Versions,
    module: Option<&str>,
    server_root: &Path,
    tree_dir: Option<&Path>,
    det: &Detector,
    notes: &mut Vec<String>,
) {
    // the tree's LoadModule, else the installed server's module directory
    let module = module
        .map(|m| server_root.join(m))
        .or_else(|| module_dir_ssl(det));
    let module = match (module, tree_dir) {
        (Some(m), Some(d)) if inside(&m, d) => {
            notes.push(format!(
                "{} is inside the linted tree: ldd is not run on it",
                m.display()
            ));
            None
        }
        (m, _) => m,
    };
    match det.apache_openssl(module.as_deref(), notes) {
        Ok(m) => v.openssl = m,
        Err(e) => {
            let what = auto_origin("openssl", &specs.openssl);
            notes.push(format!(
                "{what}: {e}; OpenSSL {} (default) is modelled",
                v.openssl.text
            ))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_and_tokens() {
        assert_eq!(
            shell_words("--with-cc-opt='-g -O2' --prefix=/etc/nginx \"a b\""),
            ["--with-cc-opt=-g -O2", "--prefix=/etc/nginx", "a b"]
        );
        assert_eq!(version_token("1.21.4.1").unwrap().1, "1.21.4");
        assert_eq!(version_token("1.1.1w").unwrap().1, "1.1.1w");
        assert!(
            openssl_library("OpenSSL 1.1.1 (compatible; BoringSSL) (running with BoringSSL)")
                .is_err()
        );
        assert_eq!(
            parse_openssl_version(
                "OpenSSL 3.0.11 19 Sep 2023 (Library: OpenSSL 3.0.13 30 Jan 2024)\n"
            )
            .unwrap()
            .1,
            "3.0.13"
        );
        assert!(same_series(Version::new(3, 2, 2), Version::new(3, 0, 0)));
        assert!(!same_series(Version::new(1, 1, 1), Version::new(3, 0, 0)));
    }

    #[test]
    fn spec_reads_auto_and_versions() {
        assert!(matches!(
            Spec::parse("auto", Origin::Flag, None),
            Ok(Spec::Auto { .. })
        ));
        assert!(Spec::parse("latest", Origin::Flag, None).is_err());
    }
}
