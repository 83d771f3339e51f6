//! Turning command-line paths into loaded trees: files on disk, `nginx -T`
//! dumps (from a file or stdin), and the discovery of roots.

use std::io::Read;
use std::path::{Path, PathBuf};

use crate::error::Error;
use crate::fsx::MemFs;
use crate::nginx::dump;
use crate::nginx::loader::{self, LoadOptions, Tree};
use crate::paths::{MappedFs, PathMap};

/// Largest dump read from stdin.
const MAX_STDIN: u64 = 512 * 1024 * 1024;

/// Where a tree comes from.
#[derive(Debug, Clone)]
pub enum Root {
    /// A main file on disk.
    File(PathBuf),
    /// An `nginx -T` dump (its files are virtual).
    Dump {
        label: PathBuf,
        fs: MemFs,
        main: PathBuf,
    },
    /// An Apache httpd tree.
    Apache(ApacheRoot),
}

/// How to read an Apache tree (`--server-root`, `-D`, `--apache-version`).
#[derive(Debug, Clone, Default)]
pub struct ApacheOptions {
    pub server_root: Option<PathBuf>,
    pub defines: Vec<String>,
    pub version: Option<crate::version::Version>,
}

impl Root {
    pub fn label(&self) -> &Path {
        match self {
            Root::File(p) => p,
            Root::Dump { label, .. } => label,
            Root::Apache(a) => &a.main,
        }
    }

    /// The path mapping of the root's tree (`crate::paths`): `--root`
    /// mappings, the location its main file's name implies. A dump's files
    /// are the server's paths already: no mapping.
    pub fn path_map(&self, roots: Vec<crate::certs::RootMap>) -> PathMap {
        match self {
            Root::File(p) => PathMap::nginx(p, roots),
            Root::Dump { .. } => PathMap::with_roots(roots),
            Root::Apache(a) => PathMap::apache(&a.main, a.server_root.as_deref(), roots),
        }
    }

    /// Read an nginx root (a main file or a dump); None for an Apache root.
    pub fn load_nginx(&self, prefix: Option<&Path>, map: &PathMap) -> Option<Tree> {
        let opts = LoadOptions {
            prefix: prefix.map(Path::to_path_buf),
            keep_going: true,
        };
        // a prefix named on the command line is read from, as the tree
        if let Some(p) = prefix {
            map.allow(p);
        }
        match self {
            Root::File(p) => Some(loader::load(&MappedFs { map }, p, &opts)),
            Root::Dump { fs, main, .. } => Some(loader::load(fs, main, &opts)),
            Root::Apache(_) => None,
        }
    }

    /// Read the root with the reader of its server, without `--root`.
    pub fn load(&self, prefix: Option<&Path>, apache: &ApacheOptions) -> crate::lint::Loaded {
        self.load_with(prefix, apache, &self.path_map(Vec::new()))
    }

    /// Read the root with the reader of its server, paths mapped by `map`.
    pub fn load_with(
        &self,
        prefix: Option<&Path>,
        apache: &ApacheOptions,
        map: &PathMap,
    ) -> crate::lint::Loaded {
        let a = match self {
            Root::Apache(a) => a,
            _ => {
                return crate::lint::Loaded::Nginx(
                    self.load_nginx(prefix, map)
                        .expect("an nginx root loads as nginx"),
                )
            }
        };
        let opts = crate::apache::loader::LoadOptions {
            server_root: apache.server_root.clone(),
            default_root: a.server_root.clone(),
            defines: apache.defines.clone(),
            version: apache.version,
            envvars: crate::apache::loader::Envvars::Auto,
        };
        if let Some(r) = &apache.server_root {
            map.allow(r);
        }
        crate::lint::Loaded::Apache(crate::apache::loader::load(
            &MappedFs { map },
            &a.main,
            &opts,
        ))
    }
}

/// Read `-` (stdin) or a file as a dump if it is one.
pub fn dump_root(path: &Path) -> Result<Option<Root>, Error> {
    if path == Path::new("-") {
        let mut buf = Vec::new();
        std::io::stdin()
            .take(MAX_STDIN)
            .read_to_end(&mut buf)
            .map_err(|e| Error::new(format!("cannot read standard input: {e}")))?;
        let text = String::from_utf8_lossy(&buf);
        return match dump::parse_dump(&text) {
            Some((fs, main)) => Ok(Some(Root::Dump {
                label: PathBuf::from("<stdin>"),
                fs,
                main,
            })),
            None => Err(Error::new(
                "standard input is not an `nginx -T` dump (no \"# configuration file PATH:\" line)",
            )),
        };
    }
    if !path.is_file() {
        return Ok(None);
    }
    // only look at the start of the file to decide
    let mut head = vec![0u8; 64 * 1024];
    let n = head_of(path)
        .and_then(|mut f| f.read(&mut head))
        .unwrap_or(0);
    head.truncate(n);
    if !dump::is_dump(&String::from_utf8_lossy(&head)) {
        return Ok(None);
    }
    let bytes = crate::fsx::read_regular(path, crate::fsx::MAX_FILE_BYTES)
        .map_err(|e| Error::new(format!("cannot read \"{}\": {e}", path.display())))?;
    let text = String::from_utf8_lossy(&bytes);
    Ok(dump::parse_dump(&text).map(|(fs, main)| Root::Dump {
        label: path.to_path_buf(),
        fs,
        main,
    }))
}

/// The root for `tlslint parse ROOT`: a dump, or a main file.
pub fn single_root(path: &Path) -> Result<Root, Error> {
    if let Some(r) = dump_root(path)? {
        return Ok(r);
    }
    if path.is_dir() {
        let main = path.join("nginx.conf");
        if main.is_file() {
            return Ok(Root::File(main));
        }
        return Err(Error::new(format!(
            "\"{}\" is a directory without nginx.conf",
            path.display()
        )));
    }
    if !path.exists() {
        return Err(Error::new(format!(
            "cannot read \"{}\": No such file or directory",
            path.display()
        )));
    }
    Ok(Root::File(path.to_path_buf()))
}

/// Which server a configuration root is for (`tlslint parse --server`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ServerKind {
    Nginx,
    Apache,
}

/// An Apache httpd tree to read.
#[derive(Debug, Clone)]
pub struct ApacheRoot {
    /// The main file (`apache2.conf`, `httpd.conf`).
    pub main: PathBuf,
    /// The server root implied by the layout (`/etc/httpd` for
    /// `/etc/httpd/conf/httpd.conf`); None: the main file's directory.
    pub server_root: Option<PathBuf>,
}

/// Main files of Apache layouts below a directory: Debian and Gentoo
/// (`apache2.conf`, `httpd.conf` in the directory), RHEL (`conf/httpd.conf`,
/// whose server root is the directory).
pub fn apache_main_in(dir: &Path) -> Option<ApacheRoot> {
    for name in ["apache2.conf", "httpd.conf"] {
        let p = dir.join(name);
        if p.is_file() {
            return Some(ApacheRoot {
                main: p,
                server_root: None,
            });
        }
    }
    let p = dir.join("conf").join("httpd.conf");
    if p.is_file() {
        return Some(ApacheRoot {
            main: p,
            server_root: Some(dir.to_path_buf()),
        });
    }
    None
}

/// A file named on the command line, opened to look at its start: only a
/// regular file, opened without waiting (a FIFO is never read).
fn head_of(path: &Path) -> std::io::Result<std::fs::File> {
    crate::fsx::open_checked(path, |m| {
        if m.is_file() {
            Ok(())
        } else {
            Err(std::io::Error::other("not a regular file"))
        }
    })
    .map(|(f, _)| f)
}

/// True if a file's start reads like Apache configuration: a line that
/// starts with a section tag (`<VirtualHost`, `</Directory>`), which nginx
/// configuration never has.
fn looks_like_apache(path: &Path) -> bool {
    let mut head = vec![0u8; 64 * 1024];
    let n = head_of(path)
        .and_then(|mut f| f.read(&mut head))
        .unwrap_or(0);
    head.truncate(n);
    String::from_utf8_lossy(&head).lines().any(|l| {
        let t = l.trim_start().as_bytes();
        t.first() == Some(&b'<')
            && t.get(1)
                .is_some_and(|c| c.is_ascii_alphabetic() || *c == b'/')
    })
}

/// The Apache tree at `path` for `tlslint parse`, or None when `path` is
/// for nginx: `--server` decides if given; else a file named `apache2.conf`
/// or `httpd.conf`, a directory holding one (and no `nginx.conf`), or
/// another file that has Apache section tags is Apache.
pub fn apache_root(path: &Path, server: Option<ServerKind>) -> Result<Option<ApacheRoot>, Error> {
    if server == Some(ServerKind::Nginx) || path == Path::new("-") {
        return Ok(None);
    }
    if path.is_dir() {
        let found = apache_main_in(path);
        if server == Some(ServerKind::Apache) {
            return found.map(Some).ok_or_else(|| {
                Error::new(format!(
                    "\"{}\" is a directory without apache2.conf, httpd.conf or conf/httpd.conf",
                    path.display()
                ))
            });
        }
        if path.join("nginx.conf").is_file() {
            return Ok(None);
        }
        return Ok(found);
    }
    if !path.is_file() {
        return Ok(None);
    }
    let apache_name = path
        .file_name()
        .is_some_and(|n| n == "apache2.conf" || n == "httpd.conf");
    let is_apache = server == Some(ServerKind::Apache)
        || apache_name
        || (path.file_name().is_some_and(|n| n != "nginx.conf")
            && dump_root_is_not(path)
            && looks_like_apache(path));
    if !is_apache {
        return Ok(None);
    }
    let server_root = rhel_server_root(path);
    Ok(Some(ApacheRoot {
        main: path.to_path_buf(),
        server_root,
    }))
}

/// RHEL: `/etc/httpd/conf/httpd.conf` reads relative paths from
/// `/etc/httpd`, the directory above `conf`. Decided on the absolute path,
/// so that `httpd.conf` named from inside `conf/` is the same tree; the
/// server root is named as the main file is (`..` for `httpd.conf`).
pub fn rhel_server_root(main: &Path) -> Option<PathBuf> {
    if main.file_name()? != "httpd.conf" {
        return None;
    }
    let dir = main.parent().unwrap_or(Path::new(""));
    if crate::fsx::absolute(dir).file_name()? != "conf" {
        return None;
    }
    Some(if dir.as_os_str().is_empty() {
        PathBuf::from("..")
    } else {
        crate::fsx::lexical_normal(&dir.join(".."))
    })
}

/// True unless the file is an `nginx -T` dump.
fn dump_root_is_not(path: &Path) -> bool {
    let mut head = vec![0u8; 64 * 1024];
    let n = head_of(path)
        .and_then(|mut f| f.read(&mut head))
        .unwrap_or(0);
    head.truncate(n);
    !dump::is_dump(&String::from_utf8_lossy(&head))
}

/// Why a file named on the command line is no configuration at all, if it
/// is not: binary data (a NUL byte near the top; other encodings are text),
/// or no directive nginx or httpd knows among its first statements (as
/// `/etc/passwd`). Such a file is reported in one line instead of being
/// parsed into an error with a snippet of its bytes. A file with nothing but
/// comments and blank lines is a configuration (it sets nothing).
pub fn not_a_config(path: &Path) -> Option<&'static str> {
    let mut head = vec![0u8; 16 * 1024];
    let n = head_of(path).and_then(|mut f| f.read(&mut head)).ok()?;
    head.truncate(n);
    if head.contains(&0) {
        return Some("binary data");
    }
    // other encodings are fine (nginx and httpd read bytes: a comment in
    // EUC-KR is configuration); only a NUL byte says binary
    let text = String::from_utf8_lossy(&head);
    let text = text.as_ref();
    let mut statements = 0;
    for line in text.lines() {
        let t = line.trim_start();
        if t.is_empty() || t.starts_with('#') {
            continue;
        }
        // the first word of each statement on the line (nginx puts several on one)
        for stmt in t.split([';', '{', '}']) {
            let word = stmt
                .trim_start()
                .trim_start_matches("</")
                .trim_start_matches('<')
                .split(|c: char| c.is_whitespace() || c == '>')
                .next()
                .unwrap_or("");
            if word.is_empty() || word.starts_with('#') {
                continue;
            }
            if known_directive(word) || nginx_shaped(stmt, t) {
                return None;
            }
            statements += 1;
            if statements >= 50 {
                break;
            }
        }
        if statements >= 50 {
            break;
        }
    }
    if statements == 0 {
        None
    } else {
        Some("no directive nginx or httpd knows near its top")
    }
}

/// An nginx statement of a module tlslint does not know: a lowercase
/// name (`fastcgi_param`, `more_set_headers`) with arguments, ended by `;`
/// or opening a block on the same line.
fn nginx_shaped(stmt: &str, line: &str) -> bool {
    let mut words = stmt.split_whitespace();
    let Some(name) = words.next() else {
        return false;
    };
    let named = name.len() > 1
        && name.bytes().next().is_some_and(|b| b.is_ascii_lowercase())
        && name
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_');
    named && words.next().is_some() && {
        // the statement's terminator follows it on the line
        let at = line.find(stmt.trim()).map(|i| i + stmt.trim().len());
        at.and_then(|i| line[i..].trim_start().chars().next())
            .is_some_and(|c| c == ';' || c == '{')
    }
}

/// A directive name of nginx or httpd (case-insensitively for httpd), or a
/// name of the families third-party modules use (`ssl_*`, `proxy_*`, `SSL*`).
fn known_directive(word: &str) -> bool {
    use crate::apache::env::{CORE_DIRECTIVES, MODULE_DIRECTIVES};
    use crate::nginx::parser::{BLOCK_DIRECTIVES, SIMPLE_DIRECTIVES};
    if BLOCK_DIRECTIVES.contains(&word) || SIMPLE_DIRECTIVES.contains(&word) {
        return true;
    }
    let lower = word.to_ascii_lowercase();
    if [
        "ssl_",
        "proxy_",
        "add_header",
        "return",
        "rewrite",
        "error_page",
        "access_log",
        "error_log",
        "index",
        "set",
    ]
    .iter()
    .any(|p| lower == *p || (p.ends_with('_') && lower.starts_with(p)))
    {
        return true;
    }
    let is = |d: &&str| d.trim_start_matches('<').eq_ignore_ascii_case(word);
    CORE_DIRECTIVES.iter().any(is) || MODULE_DIRECTIVES.iter().any(|(_, ds)| ds.iter().any(is))
}
