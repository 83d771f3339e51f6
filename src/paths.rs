//! Which local file a path in a configuration means — the one place that
//! decides it, for nginx `include`, Apache `Include`/`IncludeOptional`/
//! `ServerRoot`/`<IfFile>` (after `${VAR}` substitution, so `Define`d
//! paths too), absolute symlink targets, and certificate files.
//!
//! A tree linted here may not be where its server reads it: a checkout at
//! `~/infra/nginx` holds what the server has at `/etc/nginx`. An absolute
//! path in it (`include /etc/nginx/sites-enabled/*;`) names a server file,
//! which is, in order:
//! 1. a file under the tree's own directory as it lies here: read as is;
//! 2. under a `--root` mapping (`.tlslint.yaml` `root:`): read from the
//!    copy, the longest match winning;
//! 3. anywhere, when the tree is at its server's location on this machine
//!    (linting `/etc/nginx` itself): read as is;
//! 4. under the location the main file's name implies (`nginx.conf` →
//!    `/etc/nginx`, `apache2.conf` → `/etc/apache2`, `conf/httpd.conf` →
//!    `/etc/httpd`) when its relative part exists in the tree: read from
//!    the tree, said once in a note (the inferred mapping);
//! 5. otherwise not read from this machine: a note, and the file counts as
//!    missing (never silently taken from the host).
//!
//! Certificates differ in step 5: one under the implied location is the
//! tree's file even when the tree lacks it (missing: checked as such, or the
//! "none exist here" note); one elsewhere is, without `--root`, read where
//! it is (`/etc/letsencrypt/...`: a tree's certificates are rarely in its
//! checkout, and the note covers a machine that lacks them).
//!
//! Symlinks are resolved here too ([`MappedFs`]): a link whose target is
//! absolute (`sites-enabled/default -> /etc/nginx/sites-available/default`,
//! as Debian's nginx package makes it) points at a server path, which is
//! mapped by the same rules instead of being followed into this machine's
//! `/etc`.

use std::io;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use crate::certs::RootMap;
use crate::fsx::{self, absolute, Fs, Kind, RealFs};

/// How many symlinks one path may go through (Linux's MAXSYMLINKS).
const MAX_LINKS: usize = 40;

/// Where nginx's configuration directory is on servers: the main file is
/// at its location when its directory is one of these.
const NGINX_LOCATIONS: &[&str] = &[
    "/etc/nginx",
    "/usr/local/nginx/conf",
    "/usr/local/etc/nginx",
    "/opt/homebrew/etc/nginx",
    "/usr/local/openresty/nginx/conf",
];
/// The same for Apache httpd's server root.
const APACHE_LOCATIONS: &[&str] = &[
    "/etc/apache2",
    "/etc/httpd",
    "/usr/local/apache2",
    "/usr/local/etc/apache24",
    "/opt/homebrew/etc/httpd",
];

/// What a server path is here.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Mapped {
    /// The local path to read.
    Local(PathBuf),
    /// Not read from this machine; the reason, for messages.
    NotRead(String),
}

/// The path mapping of one tree (see the module comment).
#[derive(Debug, Default)]
pub struct PathMap {
    roots: Vec<RootMap>,
    /// The tree's directory as named (mapped paths are built on it) and
    /// absolute (for comparisons); None: no tree (every path is local).
    tree: Option<(PathBuf, PathBuf)>,
    /// Where the layout puts the tree on its server.
    server: Option<PathBuf>,
    /// The tree is at a server location on this machine.
    at_location: bool,
    /// What a checkout (a tree not at its location) reads from: its
    /// repository (the nearest directory up with `.git`), else the tree's
    /// directory; canonical. None: anything (a tree at its location, none).
    boundary: Option<PathBuf>,
    /// Directories named on the command line (`--prefix`, `--server-root`):
    /// read from too.
    allowed: Mutex<Vec<PathBuf>>,
    /// How the tree is named in notes.
    label: String,
    notes: Mutex<Vec<String>>,
    inferred: Mutex<bool>,
    /// Directories resolved so far: absolute path → (real path, links
    /// followed to get there).
    dirs: Mutex<std::collections::HashMap<PathBuf, (PathBuf, usize)>>,
}

fn starts_with(p: &Path, dir: &Path) -> bool {
    p.starts_with(dir)
}

/// The components of `rel` before the first with glob magic (`*?[`): the
/// directory a pattern is expanded in.
fn literal_part(rel: &Path) -> (PathBuf, bool) {
    let mut out = PathBuf::new();
    for c in rel.components() {
        let s = c.as_os_str().to_string_lossy();
        if fsx::has_magic(&s) {
            return (out, true);
        }
        out.push(c);
    }
    (out, false)
}

impl PathMap {
    /// No tree (a dump, whose files are the server's paths already): only
    /// `roots` map; certificates outside them are read where they are when
    /// there are none.
    pub fn with_roots(roots: Vec<RootMap>) -> PathMap {
        PathMap {
            roots,
            ..PathMap::default()
        }
    }

    /// The mapping of a tree whose files are in `tree` (the main file's
    /// directory; Apache: the server root the layout implies), which its
    /// server has at `server` (None: the layout does not say).
    pub fn new(
        roots: Vec<RootMap>,
        tree: &Path,
        server: Option<&Path>,
        locations: &[&str],
        label: &str,
    ) -> PathMap {
        let abs = absolute(tree);
        let canon = std::fs::canonicalize(&abs).unwrap_or_else(|_| abs.clone());
        let at_location = locations
            .iter()
            .any(|l| Path::new(l) == abs || Path::new(l) == canon);
        let boundary = (!at_location).then(|| fsx::repository(&abs));
        PathMap {
            roots,
            tree: Some((tree.to_path_buf(), abs)),
            server: server.map(Path::to_path_buf),
            at_location,
            boundary,
            allowed: Mutex::new(Vec::new()),
            label: label.to_string(),
            notes: Mutex::new(Vec::new()),
            inferred: Mutex::new(false),
            dirs: Mutex::new(Default::default()),
        }
    }

    /// The mapping for an nginx main file (`X/nginx.conf` is `/etc/nginx`).
    pub fn nginx(main: &Path, roots: Vec<RootMap>) -> PathMap {
        let dir = main.parent().unwrap_or(Path::new(""));
        let server = main
            .file_name()
            .is_some_and(|n| n == "nginx.conf")
            .then_some(Path::new("/etc/nginx"));
        PathMap::new(
            roots,
            dir,
            server,
            NGINX_LOCATIONS,
            &main.display().to_string(),
        )
    }

    /// The mapping for an Apache main file: `X/apache2.conf` is
    /// `/etc/apache2` (Debian), `X/conf/httpd.conf` is `/etc/httpd` (RHEL,
    /// tree X), `X/apache2/httpd.conf`'s X/apache2 is `/etc/apache2` (Gentoo).
    pub fn apache(main: &Path, default_root: Option<&Path>, roots: Vec<RootMap>) -> PathMap {
        let dir = main.parent().unwrap_or(Path::new(""));
        let abs_dir = absolute(dir);
        let name = main.file_name().map(|n| n.to_string_lossy().into_owned());
        let (tree, server) = match name.as_deref() {
            Some("apache2.conf") => (dir.to_path_buf(), Some("/etc/apache2")),
            Some("httpd.conf") if abs_dir.file_name().is_some_and(|n| n == "conf") => (
                default_root
                    .map(Path::to_path_buf)
                    .unwrap_or_else(|| dir.parent().unwrap_or(Path::new("")).to_path_buf()),
                Some("/etc/httpd"),
            ),
            Some("httpd.conf") if abs_dir.file_name().is_some_and(|n| n == "apache2") => {
                (dir.to_path_buf(), Some("/etc/apache2"))
            }
            _ => (
                default_root
                    .map(Path::to_path_buf)
                    .unwrap_or(dir.to_path_buf()),
                None,
            ),
        };
        let map = PathMap::new(
            roots,
            &tree,
            server.map(Path::new),
            APACHE_LOCATIONS,
            &main.display().to_string(),
        );
        // Gentoo's init script reads /etc/conf.d/apache2 (APACHE2_OPTS) for
        // the server at /etc/apache2: the copy's, beside the tree
        if name.as_deref() == Some("httpd.conf")
            && abs_dir.file_name().is_some_and(|n| n == "apache2")
        {
            map.allow(&dir.join("..").join("conf.d").join("apache2"));
        }
        map
    }

    /// `--root` mappings were given.
    pub fn has_roots(&self) -> bool {
        !self.roots.is_empty()
    }

    /// The tree is at its server location here.
    pub fn at_location(&self) -> bool {
        self.at_location
    }

    /// The inferred mapping was used (files were read from a copy).
    pub fn inferred(&self) -> bool {
        self.inferred.lock().map(|b| *b).unwrap_or(false)
    }

    /// Notes for the user: the inferred mapping, paths not read.
    pub fn notes(&self) -> Vec<String> {
        self.notes.lock().map(|n| n.clone()).unwrap_or_default()
    }

    fn note(&self, n: String) {
        if let Ok(mut v) = self.notes.lock() {
            if !v.contains(&n) {
                v.push(n);
            }
        }
    }

    fn by_roots(&self, p: &Path) -> Option<PathBuf> {
        let best = self
            .roots
            .iter()
            .filter(|r| p.starts_with(fsx::lexical_normal(&r.server)))
            .max_by_key(|r| fsx::lexical_normal(&r.server).components().count())?;
        let server = fsx::lexical_normal(&best.server);
        let rest = p.strip_prefix(&server).unwrap_or(p);
        Some(if rest.as_os_str().is_empty() {
            best.local.clone()
        } else {
            best.local.join(rest)
        })
    }

    /// Steps 1–4 of the module comment; None: no rule reads it here.
    fn map_abs(&self, p: &Path) -> Option<PathBuf> {
        let p = fsx::lexical_normal(p);
        if let Some((_, abs)) = &self.tree {
            if starts_with(&p, abs) {
                return Some(p);
            }
        }
        if let Some(l) = self.by_roots(&p) {
            return Some(l);
        }
        if self.at_location {
            return Some(p);
        }
        let (named, abs) = self.tree.as_ref()?;
        let server = self.server.as_ref()?;
        let rel = p.strip_prefix(server).ok()?;
        let (lit, pattern) = literal_part(rel);
        let probe = abs.join(&lit);
        let exists = if pattern {
            RealFs.kind(&probe) == Some(Kind::Dir)
        } else {
            std::fs::symlink_metadata(&probe).is_ok()
        };
        if !exists {
            return None;
        }
        let mut first = self.inferred.lock().ok()?;
        if !*first {
            *first = true;
            let shown = if named.as_os_str().is_empty() {
                ".".to_string()
            } else {
                named.display().to_string()
            };
            self.note(format!(
                "{}: the tree is not at {} here: absolute paths under {} are read from {shown}, which has them \
                 (inferred from the main file's name; --root {}=DIR maps them elsewhere)",
                self.label,
                server.display(),
                server.display(),
                server.display()
            ));
        }
        Some(if rel.as_os_str().is_empty() {
            named.clone()
        } else {
            named.join(rel)
        })
    }

    /// Why `p` is not read (step 5), for the message and the note.
    fn not_read(&self, p: &Path) -> String {
        let tree = self
            .tree
            .as_ref()
            .map(|(n, _)| {
                if n.as_os_str().is_empty() {
                    ".".into()
                } else {
                    n.display().to_string()
                }
            })
            .unwrap_or_default();
        let why = match &self.server {
            Some(s) if p.starts_with(s) => format!(
                "the tree at {tree} is not at {} here and has no {}",
                s.display(),
                p.strip_prefix(s).unwrap_or(p).display()
            ),
            Some(s) => format!(
                "it is outside the tree at {tree}, which is not at {} here",
                s.display()
            ),
            None => format!("it is outside the tree at {tree}"),
        };
        format!(
            "{why}: not read from this machine (map it with --root SERVERDIR=DIR, or give --root / \
             when this machine is the server)"
        )
    }

    /// The local path of a configuration file the tree names (`include`,
    /// `Include`, `ServerRoot`, `<IfFile>`): relative paths are the
    /// loaders' (already local), absolute ones go through the rules.
    pub fn config(&self, p: &Path) -> Mapped {
        if !p.is_absolute() {
            return Mapped::Local(p.to_path_buf());
        }
        match self.map_abs(p) {
            Some(l) => Mapped::Local(l),
            None => Mapped::NotRead(self.not_read(&fsx::lexical_normal(p))),
        }
    }

    /// Note that `p` was not read (a pattern or an optional include matches
    /// nothing, silently without the note; a plain include fails).
    pub fn skipped(&self, p: &Path, why: &str) {
        self.note(format!(
            "{}: {} is not read: {why}",
            self.label,
            p.display()
        ));
    }

    /// The local path of a certificate, key or parameter file (absolute):
    /// one under the tree's server location that the tree lacks is the
    /// tree's (missing) file; None when `--root` mappings were given and
    /// none covers it; without any, one elsewhere is read where it is.
    pub fn file(&self, p: &Path) -> Option<PathBuf> {
        if let Some(l) = self.map_abs(p) {
            return Some(l);
        }
        // under the tree's own server location, which this machine's copy
        // is not: the tree's file, missing (never this machine's /etc/nginx)
        if let (Some((named, _)), Some(server)) = (&self.tree, &self.server) {
            if let Ok(rel) = fsx::lexical_normal(p).strip_prefix(server) {
                return Some(named.join(rel));
            }
        }
        if self.roots.is_empty() {
            Some(p.to_path_buf())
        } else {
            None
        }
    }

    /// Resolve the symlinks of a local path, one component at a time, an
    /// absolute link target being a server path (mapped like an include).
    /// Returns the real path and whether a link was followed; a target not
    /// read here is an error saying why.
    pub fn resolve(&self, p: &Path) -> io::Result<(PathBuf, bool)> {
        let (out, links) = self.resolve_abs(&absolute(p), 0, p)?;
        if links == 0 {
            return Ok((p.to_path_buf(), false));
        }
        // named relatively: shown relatively when it is below the directory
        if p.is_relative() {
            if let Some(rest) = std::env::current_dir()
                .ok()
                .and_then(|cwd| out.strip_prefix(cwd).ok().map(Path::to_path_buf))
            {
                return Ok((rest, true));
            }
        }
        Ok((out, true))
    }

    /// [`Self::resolve`] of an absolute, lexically normal path: its
    /// directory (resolved once per run, then cached), then its last
    /// component. Returns the real path and how many links the lookup
    /// followed; `so_far` links were followed before it, and more than
    /// [`MAX_LINKS`] in one lookup is ELOOP, as the kernel counts them.
    fn resolve_abs(&self, abs: &Path, so_far: usize, named: &Path) -> io::Result<(PathBuf, usize)> {
        let eloop = || Err(io::Error::from_raw_os_error(40));
        if so_far > MAX_LINKS {
            return eloop();
        }
        let (Some(parent), Some(name)) = (abs.parent(), abs.file_name()) else {
            return Ok((abs.to_path_buf(), 0));
        };
        let cached = self.dirs.lock().ok().and_then(|c| c.get(parent).cloned());
        let (dir, n_dir) = match cached {
            Some(r) => r,
            None => {
                let r = self.resolve_abs(parent, so_far, named)?;
                if let Ok(mut c) = self.dirs.lock() {
                    c.insert(parent.to_path_buf(), r.clone());
                }
                r
            }
        };
        if so_far + n_dir > MAX_LINKS {
            return eloop();
        }
        let next = dir.join(name);
        let target = match std::fs::symlink_metadata(&next) {
            Ok(m) if m.file_type().is_symlink() => std::fs::read_link(&next)?,
            _ => return Ok((next, n_dir)),
        };
        let target = if target.is_absolute() {
            match self.map_abs(&target) {
                Some(l) => absolute(&l),
                None => {
                    let why = self.not_read(&fsx::lexical_normal(&target));
                    self.note(format!(
                        "{}: the symlink {} points to {}, which is not read: {why}",
                        self.label,
                        named.display(),
                        target.display()
                    ));
                    return Err(not_read_error(format!(
                        "symlink to {} not followed: {why}",
                        target.display()
                    )));
                }
            }
        } else {
            fsx::lexical_normal(&dir.join(target))
        };
        let (real, n_target) = self.resolve_abs(&target, so_far + n_dir + 1, named)?;
        let total = n_dir + 1 + n_target;
        if so_far + total > MAX_LINKS {
            return eloop();
        }
        Ok((real, total))
    }
}

impl PathMap {
    /// Also read from `dir` (a directory named on the command line:
    /// `--prefix`, `--server-root`), as from the tree.
    pub fn allow(&self, dir: &Path) {
        if let Ok(mut v) = self.allowed.lock() {
            v.push(absolute(dir));
        }
    }

    /// True when `real` (a path with its symlinks resolved) is one the
    /// tree may read: in its repository (without one, its directory), under
    /// a `--root` mapping's local directory or a directory named on the
    /// command line; always for a tree at its server location, or no tree.
    /// A checkout's relative include (`include ../x;`) or relative symlink
    /// leading elsewhere is not read: its server would read a file of its
    /// own there, not this machine's.
    pub fn holds(&self, real: &Path) -> bool {
        let (Some((_, abs)), Some(boundary)) = (&self.tree, &self.boundary) else {
            return true;
        };
        let real = absolute(real);
        if real == Path::new("/dev/null") {
            return true;
        }
        let under = |dir: &Path| {
            let dir = absolute(dir);
            real.starts_with(&dir) || std::fs::canonicalize(&dir).is_ok_and(|c| real.starts_with(c))
        };
        let allowed = self.allowed.lock().map(|v| v.clone()).unwrap_or_default();
        under(boundary)
            || under(abs)
            || self.roots.iter().any(|r| under(&r.local))
            || allowed.iter().any(|d| under(d))
    }

    /// Refuse `real`, what `named` leads to, when the tree may not read it
    /// ([`Self::holds`]): a note names it (never its contents), and the
    /// error is one [`is_not_read`] knows.
    fn confine(&self, named: &Path, real: &Path) -> io::Result<()> {
        if self.holds(real) {
            return Ok(());
        }
        let within = match &self.boundary {
            Some(b) if b.join(".git").exists() => format!("the repository at {}", b.display()),
            Some(b) => format!("the tree at {} (no repository around it)", b.display()),
            None => String::new(),
        };
        let shown = absolute(real);
        let what = if absolute(named) == shown {
            String::new()
        } else {
            format!(" (it leads to {})", shown.display())
        };
        let why = format!(
            "it is outside {within}{what}: a checkout's files are read only from it and its --root \
             mappings (give --root / when this machine is the server)"
        );
        self.skipped(named, &why);
        Err(not_read_error(why))
    }
}

/// Why [`MappedFs`] does not read a file: a symlink to a server path not
/// read from this machine, or a file outside the checkout (a note says so).
#[derive(Debug)]
struct NotRead(String);

impl std::fmt::Display for NotRead {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for NotRead {}

fn not_read_error(why: String) -> io::Error {
    io::Error::new(io::ErrorKind::NotFound, NotRead(why))
}

/// True for the error [`MappedFs`] gives for a file it does not read: a
/// symlink whose target is a server path not read from this machine, or a
/// file outside the checkout (the note says why). A pattern skips such a
/// file; a plain include of one fails.
pub fn is_not_read(e: &io::Error) -> bool {
    e.get_ref().is_some_and(|r| r.is::<NotRead>())
}

impl PathMap {
    /// For a file to read with the system's calls (certificates): the real
    /// path when its symlinks resolve differently through the mapping than
    /// the system would resolve them (an absolute link target in a copy),
    /// None when they resolve alike, Err when a target is not read here
    /// (the note says why). A tree at its location, or none, follows links
    /// as the system does.
    pub fn follow(&self, p: &Path) -> Result<Option<PathBuf>, ()> {
        if self.tree.is_none() || self.at_location {
            return Ok(None);
        }
        match self.resolve(p) {
            Ok((real, true)) => {
                let system = std::fs::canonicalize(p).ok();
                if system.as_deref() == Some(absolute(&real).as_path()) {
                    Ok(None)
                } else {
                    Ok(Some(real))
                }
            }
            Ok((_, false)) => Ok(None),
            Err(e) if e.kind() == io::ErrorKind::NotFound && e.raw_os_error().is_none() => Err(()),
            Err(_) => Ok(None),
        }
    }
}

/// The machine's file system seen through a tree's [`PathMap`]: symlinks
/// are resolved by [`PathMap::resolve`] before anything is read.
pub struct MappedFs<'a> {
    pub map: &'a PathMap,
}

impl Fs for MappedFs<'_> {
    fn read(&self, path: &Path) -> io::Result<Vec<u8>> {
        let (real, _) = self.map.resolve(path)?;
        self.map.confine(path, &real)?;
        RealFs.read(&real)
    }
    fn kind(&self, path: &Path) -> Option<Kind> {
        let (real, _) = self.map.resolve(path).ok()?;
        RealFs.kind(&real)
    }
    fn list(&self, dir: &Path) -> Vec<String> {
        match self.map.resolve(dir) {
            Ok((real, _)) => RealFs.list(&real),
            Err(_) => Vec::new(),
        }
    }
    fn identity(&self, path: &Path) -> io::Result<PathBuf> {
        let (real, _) = self.map.resolve(path)?;
        std::fs::symlink_metadata(&real)?;
        self.map.confine(path, &real)?;
        Ok(absolute(&real))
    }
    fn real(&self, path: &Path) -> Option<PathBuf> {
        match self.map.resolve(path) {
            Ok((real, true)) => Some(real),
            _ => None,
        }
    }
    fn map_config(&self, path: &Path) -> Mapped {
        self.map.config(path)
    }
    fn holds(&self, real: &Path) -> bool {
        self.map.holds(real)
    }
    fn skipped(&self, path: &Path, why: &str) {
        self.map.skipped(path, why)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn maps_in_order() {
        let d = tempfile::tempdir().unwrap();
        let x = d.path().join("nginx");
        std::fs::create_dir_all(x.join("conf.d")).unwrap();
        std::fs::write(x.join("conf.d/a.conf"), "").unwrap();
        let m = PathMap::nginx(&x.join("nginx.conf"), Vec::new());
        assert!(!m.at_location());
        // under the tree: as is
        let inside = x.join("conf.d/a.conf");
        assert_eq!(m.config(&inside), Mapped::Local(inside.clone()));
        assert!(m.notes().is_empty());
        // the inferred mapping, said once
        assert_eq!(
            m.config(Path::new("/etc/nginx/conf.d/a.conf")),
            Mapped::Local(x.join("conf.d/a.conf"))
        );
        assert_eq!(
            m.config(Path::new("/etc/nginx/conf.d/*.conf")),
            Mapped::Local(x.join("conf.d/*.conf"))
        );
        assert_eq!(m.notes().len(), 1, "{:?}", m.notes());
        // not in the tree, not mapped: not read
        assert!(matches!(
            m.config(Path::new("/etc/nginx/mime.types")),
            Mapped::NotRead(_)
        ));
        assert!(matches!(
            m.config(Path::new("/etc/letsencrypt/options-ssl-nginx.conf")),
            Mapped::NotRead(_)
        ));
        // (said by the caller that skips or fails on it)
        assert_eq!(m.notes().len(), 1);
        // certificates under /etc/nginx are the tree's, even when it lacks them
        assert_eq!(
            m.file(Path::new("/etc/nginx/ssl/a.pem")),
            Some(x.join("ssl/a.pem"))
        );
        // certificates outside: read where they are without --root
        assert_eq!(
            m.file(Path::new("/etc/ssl/a.pem")),
            Some(PathBuf::from("/etc/ssl/a.pem"))
        );
        // --root wins over the inferred mapping
        let m = PathMap::nginx(
            &x.join("nginx.conf"),
            vec![RootMap::parse(&format!("/etc={}", d.path().display())).unwrap()],
        );
        assert_eq!(
            m.config(Path::new("/etc/letsencrypt/x.conf")),
            Mapped::Local(d.path().join("letsencrypt/x.conf"))
        );
        assert_eq!(m.file(Path::new("/opt/a.pem")), None);
    }

    #[test]
    fn at_its_location_reads_the_host() {
        let m = PathMap::nginx(Path::new("/etc/nginx/nginx.conf"), Vec::new());
        assert!(m.at_location());
        assert_eq!(
            m.config(Path::new("/usr/share/nginx/modules/a.conf")),
            Mapped::Local("/usr/share/nginx/modules/a.conf".into())
        );
    }

    #[cfg(unix)]
    #[test]
    fn absolute_symlinks_are_mapped() {
        let d = tempfile::tempdir().unwrap();
        let x = d.path().join("nginx");
        std::fs::create_dir_all(x.join("sites-available")).unwrap();
        std::fs::create_dir_all(x.join("sites-enabled")).unwrap();
        std::fs::write(x.join("sites-available/default"), "x").unwrap();
        std::os::unix::fs::symlink(
            "/etc/nginx/sites-available/default",
            x.join("sites-enabled/default"),
        )
        .unwrap();
        std::os::unix::fs::symlink("/etc/passwd", x.join("sites-enabled/host")).unwrap();
        let m = PathMap::nginx(&x.join("nginx.conf"), Vec::new());
        let (real, link) = m.resolve(&x.join("sites-enabled/default")).unwrap();
        assert!(link);
        assert_eq!(real, x.join("sites-available/default"));
        // a certificate behind such a link: the mapped file; behind a link
        // out of the copy: not read
        assert_eq!(
            m.follow(&x.join("sites-enabled/default")),
            Ok(Some(x.join("sites-available/default")))
        );
        assert_eq!(m.follow(&x.join("sites-enabled/host")), Err(()));
        assert_eq!(m.follow(&x.join("sites-available/default")), Ok(None));
        let fs = MappedFs { map: &m };
        assert_eq!(fs.read(&x.join("sites-enabled/default")).unwrap(), b"x");
        assert!(fs.read(&x.join("sites-enabled/host")).is_err());
        assert_eq!(fs.kind(&x.join("sites-enabled/host")), None);
    }
}
