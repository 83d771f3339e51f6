//! File access for the loaders: the real file system or a virtual one (the
//! files of an `nginx -T` dump), and glob(3)-style pattern expansion over
//! either, as nginx (`ngx_open_glob`) and httpd (`apr_fnmatch`) expand
//! `include` patterns: `*`, `?` and `[...]` within one path component, a
//! leading `.` matched only literally, results sorted bytewise.

use std::collections::{BTreeMap, BTreeSet};
use std::io;
use std::path::{Component, Path, PathBuf};

/// Largest configuration file read; larger ones are an error, not a hang.
pub const MAX_FILE_BYTES: u64 = 256 * 1024 * 1024;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    File,
    Dir,
    Other,
}

pub trait Fs {
    /// Read a whole file (bounded by [`MAX_FILE_BYTES`]).
    fn read(&self, path: &Path) -> io::Result<Vec<u8>>;
    /// What is at `path` (following symlinks), if anything.
    fn kind(&self, path: &Path) -> Option<Kind>;
    /// The names in a directory (unsorted).
    fn list(&self, dir: &Path) -> Vec<String>;
    /// A canonical identity for cycle detection (symlinks resolved where real).
    fn identity(&self, path: &Path) -> io::Result<PathBuf>;
    /// The real file behind `path` when a symlink leads to it (findings are
    /// reported there); None when no link was followed.
    fn real(&self, _path: &Path) -> Option<PathBuf> {
        None
    }
    /// The local path of an absolute path a configuration names (see
    /// `crate::paths`); by default, the path itself.
    fn map_config(&self, path: &Path) -> crate::paths::Mapped {
        crate::paths::Mapped::Local(path.to_path_buf())
    }
    /// True when a real path (see [`Fs::real`]) is one the tree may read
    /// from: inside the tree or a `--root` mapping (anything, for a tree at
    /// its server location or none).
    fn holds(&self, _real: &Path) -> bool {
        true
    }
    /// A path `map_config` did not map was not read (a pattern or an
    /// optional include matches nothing, a plain include fails): say so.
    fn skipped(&self, _path: &Path, _why: &str) {}
}

/// The machine's file system.
#[derive(Debug, Default, Clone, Copy)]
pub struct RealFs;

impl Fs for RealFs {
    fn read(&self, path: &Path) -> io::Result<Vec<u8>> {
        use std::io::Read;
        if path == Path::new("/dev/null") {
            return Ok(Vec::new());
        }
        // a pipe, socket or device would block or never end, and what the
        // kernel shows under /proc and /sys (a process's environment) is
        // no configuration: never read, so never shown in a snippet
        let (f, meta) = open_checked(path, |m| {
            if m.is_dir() {
                return Err(io::Error::other("Is a directory"));
            }
            if !m.is_file() {
                return Err(io::Error::other(
                    "not a regular file (tlslint reads no pipes, sockets or devices)",
                ));
            }
            Ok(())
        })?;
        if let Some(real) = opened_path(&f).or_else(|| std::fs::canonicalize(path).ok()) {
            if real.starts_with("/proc") || real.starts_with("/sys") {
                return Err(io::Error::other(format!(
                    "{} is a kernel interface, not a configuration file",
                    real.display()
                )));
            }
        }
        if meta.len() > MAX_FILE_BYTES {
            return Err(io::Error::other(format!(
                "file is larger than {} MiB",
                MAX_FILE_BYTES / (1024 * 1024)
            )));
        }
        let mut buf = Vec::with_capacity(meta.len() as usize);
        f.take(MAX_FILE_BYTES + 1).read_to_end(&mut buf)?;
        if buf.len() as u64 > MAX_FILE_BYTES {
            return Err(io::Error::other("file grew while being read"));
        }
        // binary data (an executable, an image, a database) is no
        // configuration: never parsed, so its bytes are never a snippet
        if buf.contains(&0) {
            return Err(io::Error::other(
                "binary data (a NUL byte), not a configuration file",
            ));
        }
        Ok(buf)
    }
    fn kind(&self, path: &Path) -> Option<Kind> {
        let m = std::fs::metadata(path).ok()?;
        Some(if m.is_dir() {
            Kind::Dir
        } else if m.is_file() {
            Kind::File
        } else {
            Kind::Other
        })
    }
    fn list(&self, dir: &Path) -> Vec<String> {
        let dir = if dir.as_os_str().is_empty() {
            Path::new(".")
        } else {
            dir
        };
        match std::fs::read_dir(dir) {
            Ok(rd) => rd
                .filter_map(|e| e.ok())
                .map(|e| e.file_name().to_string_lossy().into_owned())
                .collect(),
            Err(_) => Vec::new(),
        }
    }
    fn identity(&self, path: &Path) -> io::Result<PathBuf> {
        std::fs::canonicalize(path)
    }
}

/// Read a file tlslint itself is given (settings, profile, baseline): only
/// a regular file (a FIFO, device, socket or directory is refused at once,
/// never a blocked or endless read) of at most `limit` bytes. Error
/// messages say what the file is, never what it holds.
pub fn read_regular(path: &Path, limit: u64) -> io::Result<Vec<u8>> {
    use std::io::Read;
    let regular = |m: &std::fs::Metadata| -> io::Result<()> {
        if m.is_dir() {
            return Err(io::Error::other("it is a directory"));
        }
        if !m.is_file() {
            return Err(io::Error::other(
                "it is not a regular file (a pipe, socket or device is never read)",
            ));
        }
        if m.len() > limit {
            return Err(io::Error::other(format!(
                "it is larger than {}",
                size_text(limit)
            )));
        }
        Ok(())
    };
    let (f, _) = open_checked(path, regular)?;
    let mut buf = Vec::new();
    f.take(limit + 1).read_to_end(&mut buf)?;
    if buf.len() as u64 > limit {
        return Err(io::Error::other(format!(
            "it is larger than {}",
            size_text(limit)
        )));
    }
    Ok(buf)
}

/// Open a file to read after `check` accepts what is there, twice: on the
/// path before opening (opening a device can have effects of its own) and
/// on the opened handle (the name may have changed in between: a FIFO
/// swapped in is refused, never read). The open itself never blocks: on
/// unix it is non-blocking (opening a FIFO for reading otherwise waits for
/// a writer), which changes nothing for the regular file that is read.
pub fn open_checked(
    path: &Path,
    check: impl Fn(&std::fs::Metadata) -> io::Result<()>,
) -> io::Result<(std::fs::File, std::fs::Metadata)> {
    check(&std::fs::metadata(path)?)?;
    let f = open_nonblocking(path)?;
    let meta = f.metadata()?;
    check(&meta)?;
    Ok((f, meta))
}

/// Open a file for reading without waiting: `O_NONBLOCK` (a FIFO with no
/// writer opens at once) and `O_NOCTTY` (a terminal never becomes the
/// process's) on unix. The caller checks what it opened (`fstat`).
pub fn open_nonblocking(path: &Path) -> io::Result<std::fs::File> {
    let mut o = std::fs::OpenOptions::new();
    o.read(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        o.custom_flags(libc::O_NONBLOCK | libc::O_NOCTTY);
    }
    o.open(path)
}

/// The path of the file a handle has open, as the kernel names it (Linux:
/// `/proc/self/fd/N`), so that a decision about where the file is holds for
/// what was opened, whatever the name now leads to.
fn opened_path(f: &std::fs::File) -> Option<PathBuf> {
    #[cfg(target_os = "linux")]
    {
        use std::os::fd::AsRawFd;
        std::fs::read_link(format!("/proc/self/fd/{}", f.as_raw_fd())).ok()
    }
    #[cfg(not(target_os = "linux"))]
    {
        let _ = f;
        None
    }
}

fn size_text(n: u64) -> String {
    if n >= 1024 * 1024 && n % (1024 * 1024) == 0 {
        format!("{} MiB", n / (1024 * 1024))
    } else {
        format!("{n} bytes")
    }
}

/// Replace the file at `path` with `data`, for every file tlslint writes
/// (`--write-baseline`, fixes): never through a symlink (a link at `path`
/// is refused, its target left alone) and atomically (a temporary file in
/// the same directory, renamed over `path`), so that a reader sees the old
/// file or the new one, never a part. An existing file keeps its
/// permissions.
pub fn write_atomic(path: &Path, data: &[u8]) -> io::Result<()> {
    use std::io::Write;
    let old = match std::fs::symlink_metadata(path) {
        Ok(m) if m.file_type().is_symlink() => {
            return Err(io::Error::other(
                "it is a symbolic link (not followed: tlslint writes no file through a link)",
            ))
        }
        Ok(m) if !m.is_file() => return Err(io::Error::other("it is not a regular file")),
        Ok(m) => Some(m.permissions()),
        Err(e) if e.kind() == io::ErrorKind::NotFound => None,
        Err(e) => return Err(e),
    };
    let name = path
        .file_name()
        .ok_or_else(|| io::Error::other("no file name"))?;
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    };
    // create_new: O_CREAT|O_EXCL, which follows no link either
    let mut n = 0u32;
    let (tmp, mut f) = loop {
        let tmp = dir.join(format!(
            ".{}.{}-{n}.tmp",
            name.to_string_lossy(),
            std::process::id()
        ));
        match std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&tmp)
        {
            Ok(f) => break (tmp, f),
            Err(e) if e.kind() == io::ErrorKind::AlreadyExists && n < 100 => n += 1,
            Err(e) => return Err(e),
        }
    };
    let written = f
        .write_all(data)
        .and_then(|_| f.sync_all())
        .and_then(|_| match old {
            Some(p) => f.set_permissions(p),
            None => Ok(()),
        });
    drop(f);
    let done = written.and_then(|_| std::fs::rename(&tmp, path));
    if done.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    done
}

/// The repository a file lies in: the nearest directory upward from `dir`
/// that holds `.git`, else `dir` itself; canonical where it exists.
pub fn repository(dir: &Path) -> PathBuf {
    let abs = absolute(dir);
    let repo = abs
        .ancestors()
        .find(|d| d.join(".git").exists())
        .unwrap_or(&abs);
    std::fs::canonicalize(repo).unwrap_or_else(|_| repo.to_path_buf())
}

/// True when `path` (its symlinks resolved where it exists) lies inside
/// `repo` (canonical).
pub fn inside(path: &Path, repo: &Path) -> bool {
    let real = std::fs::canonicalize(path).unwrap_or_else(|_| absolute(path));
    real.starts_with(repo)
}

/// A set of files held in memory (an `nginx -T` dump).
#[derive(Debug, Default, Clone)]
pub struct MemFs {
    files: BTreeMap<PathBuf, Vec<u8>>,
    dirs: BTreeMap<PathBuf, BTreeSet<String>>,
}

impl MemFs {
    pub fn new() -> MemFs {
        MemFs::default()
    }
    pub fn insert(&mut self, path: PathBuf, data: Vec<u8>) {
        // `nginx -T` prints paths as nginx built them (`conf/../shared/x.conf`);
        // lookups normalise, so storage does too
        let path = lexical_normal(&path);
        let mut child = path.clone();
        while let Some(parent) = child.parent().map(Path::to_path_buf) {
            if let Some(name) = child.file_name() {
                self.dirs
                    .entry(parent.clone())
                    .or_default()
                    .insert(name.to_string_lossy().into_owned());
            }
            if parent.as_os_str().is_empty() {
                break;
            }
            child = parent;
        }
        self.files.insert(path, data);
    }
    pub fn paths(&self) -> impl Iterator<Item = &PathBuf> {
        self.files.keys()
    }
}

impl Fs for MemFs {
    fn read(&self, path: &Path) -> io::Result<Vec<u8>> {
        let p = lexical_normal(path);
        match self.files.get(&p) {
            Some(d) => Ok(d.clone()),
            None if self.dirs.contains_key(&p) => Err(io::Error::other("Is a directory")),
            None => Err(io::Error::new(
                io::ErrorKind::NotFound,
                "No such file or directory (not in the dump)",
            )),
        }
    }
    fn kind(&self, path: &Path) -> Option<Kind> {
        let p = lexical_normal(path);
        if self.files.contains_key(&p) {
            Some(Kind::File)
        } else if self.dirs.contains_key(&p) {
            Some(Kind::Dir)
        } else {
            None
        }
    }
    fn list(&self, dir: &Path) -> Vec<String> {
        self.dirs
            .get(&lexical_normal(dir))
            .map(|s| s.iter().cloned().collect())
            .unwrap_or_default()
    }
    fn identity(&self, path: &Path) -> io::Result<PathBuf> {
        Ok(lexical_normal(path))
    }
}

/// The absolute, lexically normal form of a path (the empty path is the
/// current directory), for decisions that must not depend on how a path
/// was named.
pub fn absolute(p: &Path) -> PathBuf {
    let abs = if p.as_os_str().is_empty() {
        std::env::current_dir().unwrap_or_default()
    } else {
        std::path::absolute(p).unwrap_or_else(|_| p.to_path_buf())
    };
    lexical_normal(&abs)
}

/// `a/./b/../c` → `a/c`, without touching the file system.
pub fn lexical_normal(p: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for c in p.components() {
        match c {
            Component::CurDir => {}
            Component::ParentDir => match out.components().next_back() {
                // `/..` is `/`
                Some(Component::RootDir) | Some(Component::Prefix(_)) => {}
                // leading `..`s add up (`../../x` stays so)
                None | Some(Component::ParentDir) => out.push(".."),
                _ => {
                    out.pop();
                }
            },
            other => out.push(other.as_os_str()),
        }
    }
    out
}

/// True if a pattern has glob magic (nginx: `strpbrk(name, "*?[")`).
pub fn has_magic(pattern: &str) -> bool {
    pattern.contains(['*', '?', '['])
}

/// Expand a glob pattern as glob(3) does; results sorted bytewise.
pub fn glob(fs: &dyn Fs, pattern: &str) -> Vec<PathBuf> {
    let absolute = pattern.starts_with('/');
    let comps: Vec<&str> = pattern.split('/').filter(|c| !c.is_empty()).collect();
    let mut current: Vec<String> = vec![if absolute { "/".into() } else { String::new() }];
    for (i, comp) in comps.iter().enumerate() {
        let last = i + 1 == comps.len();
        let mut next = Vec::new();
        for base in &current {
            let join = |name: &str| -> String {
                if base.is_empty() {
                    name.to_string()
                } else if base.ends_with('/') {
                    format!("{base}{name}")
                } else {
                    format!("{base}/{name}")
                }
            };
            if has_magic(comp) {
                let dir = if base.is_empty() { "." } else { base.as_str() };
                let mut names = fs.list(Path::new(dir));
                names.sort();
                for name in names {
                    if fnmatch(comp.as_bytes(), name.as_bytes()) {
                        let p = join(&name);
                        if last || fs.kind(Path::new(&p)) == Some(Kind::Dir) {
                            next.push(p);
                        }
                    }
                }
            } else {
                let p = join(&unescape(comp));
                let k = fs.kind(Path::new(&p));
                if (last && k.is_some()) || k == Some(Kind::Dir) {
                    next.push(p);
                }
            }
        }
        current = next;
        if current.is_empty() {
            break;
        }
    }
    if comps.is_empty() {
        return Vec::new();
    }
    let mut out: Vec<PathBuf> = current.into_iter().map(PathBuf::from).collect();
    out.sort_by(|a, b| {
        a.as_os_str()
            .as_encoded_bytes()
            .cmp(b.as_os_str().as_encoded_bytes())
    });
    out.dedup();
    out
}

fn unescape(s: &str) -> String {
    let mut out = String::new();
    let mut it = s.chars();
    while let Some(c) = it.next() {
        if c == '\\' {
            if let Some(n) = it.next() {
                out.push(n);
            }
        } else {
            out.push(c);
        }
    }
    out
}

/// fnmatch(3) for one path component, with FNM_PERIOD: a leading `.` in the
/// name must be matched by a literal `.`.
pub fn fnmatch(pat: &[u8], name: &[u8]) -> bool {
    if name.first() == Some(&b'.') && pat.first() != Some(&b'.') {
        return false;
    }
    fnmatch_at(pat, name)
}

fn fnmatch_at(pat: &[u8], name: &[u8]) -> bool {
    // iterative matcher with single backtrack point for `*`
    let (mut p, mut n) = (0usize, 0usize);
    let mut star: Option<(usize, usize)> = None;
    while n < name.len() {
        if p < pat.len() {
            match pat[p] {
                b'*' => {
                    star = Some((p, n));
                    p += 1;
                    continue;
                }
                b'?' => {
                    p += 1;
                    n += 1;
                    continue;
                }
                b'[' => {
                    if let Some((matched, len)) = bracket(&pat[p..], name[n]) {
                        if matched {
                            p += len;
                            n += 1;
                            continue;
                        }
                    } else if name[n] == b'[' {
                        p += 1;
                        n += 1;
                        continue;
                    }
                }
                b'\\' if p + 1 < pat.len() => {
                    if pat[p + 1] == name[n] {
                        p += 2;
                        n += 1;
                        continue;
                    }
                }
                c => {
                    if c == name[n] {
                        p += 1;
                        n += 1;
                        continue;
                    }
                }
            }
        }
        match star {
            Some((sp, sn)) => {
                p = sp + 1;
                n = sn + 1;
                star = Some((sp, sn + 1));
            }
            None => return false,
        }
    }
    while p < pat.len() && pat[p] == b'*' {
        p += 1;
    }
    p == pat.len()
}

/// Match one byte against a bracket expression at the start of `pat`.
/// Returns (matched, length of the expression) or None if it is not closed.
fn bracket(pat: &[u8], c: u8) -> Option<(bool, usize)> {
    let mut i = 1;
    let negate = matches!(pat.get(i), Some(b'!') | Some(b'^'));
    if negate {
        i += 1;
    }
    let mut matched = false;
    let mut first = true;
    loop {
        let &ch = pat.get(i)?;
        if ch == b']' && !first {
            return Some((matched != negate, i + 1));
        }
        first = false;
        if ch == b'[' && pat.get(i + 1) == Some(&b':') {
            if let Some(end) = pat[i + 2..].windows(2).position(|w| w == b":]") {
                let class = &pat[i + 2..i + 2 + end];
                matched |= match class {
                    b"alpha" => c.is_ascii_alphabetic(),
                    b"digit" => c.is_ascii_digit(),
                    b"alnum" => c.is_ascii_alphanumeric(),
                    b"upper" => c.is_ascii_uppercase(),
                    b"lower" => c.is_ascii_lowercase(),
                    b"space" => c.is_ascii_whitespace(),
                    b"punct" => c.is_ascii_punctuation(),
                    b"xdigit" => c.is_ascii_hexdigit(),
                    _ => false,
                };
                i += 2 + end + 2;
                continue;
            }
        }
        let lo = if ch == b'\\' {
            i += 1;
            *pat.get(i)?
        } else {
            ch
        };
        if pat.get(i + 1) == Some(&b'-') && pat.get(i + 2).is_some_and(|&h| h != b']') {
            let hi = pat[i + 2];
            matched |= lo <= c && c <= hi;
            i += 3;
        } else {
            matched |= lo == c;
            i += 1;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fnmatch_basics() {
        assert!(fnmatch(b"*.conf", b"a.conf"));
        assert!(!fnmatch(b"*.conf", b".a.conf"));
        assert!(fnmatch(b".*", b".a"));
        assert!(fnmatch(b"a?c", b"abc"));
        assert!(fnmatch(b"[a-c]x", b"bx"));
        assert!(!fnmatch(b"[!a-c]x", b"bx"));
        assert!(fnmatch(b"[]]", b"]"));
        assert!(fnmatch(b"*a*b*", b"xxaxxbxx"));
        assert!(!fnmatch(b"*a*b", b"xxaxxbxx"));
        assert!(fnmatch(b"[", b"["));
        assert!(fnmatch(b"[[:digit:]]*", b"10-x"));
    }

    /// The name checked, then a FIFO swapped in before the open: the open
    /// does not wait for a writer, and the check on the handle refuses it.
    #[cfg(unix)]
    #[test]
    fn a_fifo_swapped_in_after_the_check_is_refused_without_blocking() {
        let d = tempfile::tempdir().unwrap();
        let p = d.path().join("x.conf");
        std::fs::write(&p, "x").unwrap();
        let (tx, rx) = std::sync::mpsc::channel();
        let path = p.clone();
        std::thread::spawn(move || {
            let calls = std::cell::Cell::new(0);
            let r = open_checked(&path, |m| {
                calls.set(calls.get() + 1);
                if calls.get() == 1 {
                    std::fs::remove_file(&path).unwrap();
                    let made = std::process::Command::new("mkfifo")
                        .arg(&path)
                        .status()
                        .is_ok_and(|s| s.success());
                    assert!(made, "mkfifo");
                }
                if m.is_file() {
                    Ok(())
                } else {
                    Err(io::Error::other("not a regular file"))
                }
            });
            let _ = tx.send((r.map(|_| ()).map_err(|e| e.to_string()), calls.get()));
        });
        let (r, calls) = rx
            .recv_timeout(std::time::Duration::from_secs(20))
            .expect("the open blocked on the FIFO");
        assert_eq!(calls, 2);
        assert_eq!(r, Err("not a regular file".to_string()));
        assert!(std::fs::metadata(&p).is_ok_and(|m| !m.is_file()));
    }

    #[test]
    fn lexical_normal_keeps_leading_parents() {
        assert_eq!(lexical_normal(Path::new("./../../x")), Path::new("../../x"));
        assert_eq!(
            lexical_normal(Path::new("a/../../b/./c")),
            Path::new("../b/c")
        );
        assert_eq!(lexical_normal(Path::new("/../a/..")), Path::new("/"));
        assert_eq!(lexical_normal(Path::new("a/b/../c")), Path::new("a/c"));
    }

    #[test]
    fn memfs_glob_sorted() {
        let mut m = MemFs::new();
        for p in [
            "/e/conf.d/b.conf",
            "/e/conf.d/a.conf",
            "/e/conf.d/.h.conf",
            "/e/x/y.conf",
        ] {
            m.insert(PathBuf::from(p), b"".to_vec());
        }
        let g = glob(&m, "/e/conf.d/*.conf");
        assert_eq!(
            g,
            vec![
                PathBuf::from("/e/conf.d/a.conf"),
                PathBuf::from("/e/conf.d/b.conf")
            ]
        );
        let g = glob(&m, "/e/*/y.conf");
        assert_eq!(g, vec![PathBuf::from("/e/x/y.conf")]);
        assert!(glob(&m, "/e/none/*.conf").is_empty());
    }
}
