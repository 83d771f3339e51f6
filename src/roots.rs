//! Which trees to lint for the paths on the command line:
//! - a directory: every `nginx.conf` below it (`.git` skipped), e.g.
//!   `/etc/nginx` or every nginx tree of an infra repo;
//! - a file named `nginx.conf`, or one no tree includes: that file as a root;
//! - a file that trees include (a pre-commit hook passes changed files):
//!   each tree that includes it, once;
//! - an `nginx -T` dump (a file, or `-` for stdin).

use std::collections::HashSet;
use std::path::{Path, PathBuf};

use crate::error::Error;
use crate::input::{self, Root};

/// Directory walks stop at this many entries (a bound, not a limit users meet).
const MAX_WALK: usize = 500_000;

/// The root a main file's name makes it: `nginx.conf`; Apache's
/// `apache2.conf` (Debian) and `httpd.conf` (RHEL's `conf/httpd.conf`, whose
/// server root is the directory above, and Gentoo's).
fn root_by_name(path: &Path) -> Option<Root> {
    let name = path.file_name()?;
    if name == "nginx.conf" {
        return Some(Root::File(path.to_path_buf()));
    }
    if name == "apache2.conf" || name == "httpd.conf" {
        let server_root = input::rhel_server_root(path);
        return Some(Root::Apache(input::ApacheRoot {
            main: path.to_path_buf(),
            server_root,
        }));
    }
    None
}

/// Every main file (`nginx.conf`, `apache2.conf`, `httpd.conf`) below `dir`;
/// directories that cannot be read are returned as errors (a tree that is
/// silently skipped is a tree not linted).
fn walk_roots(dir: &Path, out: &mut Vec<Root>) -> Vec<String> {
    let mut seen = 0usize;
    let mut errors = Vec::new();
    let it = walkdir::WalkDir::new(dir)
        .follow_links(false)
        .sort_by_file_name()
        .into_iter()
        .filter_entry(|e| e.file_name() != ".git");
    for e in it {
        let e = match e {
            Ok(e) => e,
            Err(err) => {
                let path = err
                    .path()
                    .map(|p| p.display().to_string())
                    .unwrap_or_default();
                let why = err
                    .io_error()
                    .map(|io| io.to_string())
                    .unwrap_or_else(|| err.to_string());
                errors.push(format!("cannot read \"{path}\": {why}"));
                continue;
            }
        };
        seen += 1;
        if seen > MAX_WALK {
            errors.push(format!(
                "stopped after {MAX_WALK} entries under \"{}\"",
                dir.display()
            ));
            break;
        }
        if e.file_type().is_file() {
            if let Some(r) = root_by_name(e.path()) {
                out.push(r);
            }
        }
    }
    errors
}

/// Main files that could include `file`: in its ancestor directories (and
/// RHEL's `conf/httpd.conf` beside them), and anywhere in the enclosing git
/// checkout.
fn candidates(file: &Path) -> Vec<Root> {
    let abs = std::path::absolute(file).unwrap_or_else(|_| file.to_path_buf());
    let mut out: Vec<Root> = Vec::new();
    let mut dir = abs.parent();
    while let Some(d) = dir {
        for name in [
            "nginx.conf",
            "apache2.conf",
            "httpd.conf",
            "conf/httpd.conf",
        ] {
            let c = d.join(name);
            if c.is_file() && c != abs {
                if let Some(r) = root_by_name(&c) {
                    out.push(r);
                }
            }
        }
        if d.join(".git").exists() {
            // unreadable corners of the checkout cannot include the file: ignore
            let _ = walk_roots(d, &mut out);
            break;
        }
        dir = d.parent();
    }
    let mut seen = HashSet::new();
    out.retain(|r| {
        let p = r.label();
        p != abs && seen.insert(std::fs::canonicalize(p).unwrap_or_else(|_| p.to_path_buf()))
    });
    out
}

/// For a missing path that is one plain word near a subcommand's name
/// (`tlslint rule`): "; did you mean `tlslint rules`?".
fn subcommand_typo(p: &Path) -> String {
    use clap::CommandFactory;
    let Some(word) = p.to_str().filter(|w| !w.contains(['/', '.'])) else {
        return String::new();
    };
    let cmd = crate::cli::Cli::command();
    let names: Vec<String> = cmd
        .get_subcommands()
        .filter(|c| c.get_name() != "help")
        .map(|c| c.get_name().to_string())
        .collect();
    match crate::suggest::nearest(word, names.iter().map(String::as_str)) {
        Some(n) => format!("; did you mean `tlslint {n}`?"),
        None => String::new(),
    }
}

/// The roots for the command-line paths, each once, in order. `notes` gets
/// remarks for the user (a file linted on its own, ...).
pub fn discover(paths: &[PathBuf], notes: &mut Vec<String>) -> Result<Vec<Root>, Error> {
    let mut errors = Vec::new();
    let roots = discover_all(paths, notes, &mut errors)?;
    if errors.is_empty() {
        Ok(roots)
    } else {
        Err(Error::new(errors.join("; ")))
    }
}

/// Like [`discover`], but directories that cannot be read are collected in
/// `errors` while the trees that can be read are still returned (the caller
/// lints those and still exits with 2).
pub fn discover_all(
    paths: &[PathBuf],
    notes: &mut Vec<String>,
    errors: &mut Vec<String>,
) -> Result<Vec<Root>, Error> {
    discover_with(paths, notes, errors, &Discovery::default())
}

/// How the command line's paths are taken.
#[derive(Debug, Clone, Default)]
pub struct Discovery {
    /// The paths are a pre-commit hook's changed files (`--changed`).
    pub changed: bool,
    /// `--root` mappings, for reading the trees that may include a file.
    pub roots: Vec<crate::certs::RootMap>,
}

/// True if the tree `root` makes can be a server's main file: nginx needs an
/// `events` block ("no \"events\" section in configuration"); an Apache
/// main file sets up the server (`Listen`, `ServerRoot`, `LoadModule`) —
/// a snippet has none of these.
fn is_main_file(root: &Root) -> bool {
    match root.load(None, &input::ApacheOptions::default()) {
        crate::lint::Loaded::Nginx(t) => t.file(t.root).is_some_and(|f| {
            f.items
                .iter()
                .any(|n| matches!(n, crate::nginx::ast::Node::Directive(d) if d.is("events")))
        }),
        crate::lint::Loaded::Apache(t) => t.file(t.root).is_some_and(|f| {
            f.items.iter().any(|n| {
                matches!(n, crate::apache::ast::Node::Directive(d)
                    if ["Listen", "ServerRoot", "LoadModule"].iter().any(|x| d.is(x)))
            })
        }),
    }
}

/// [`discover_all`] with the run's [`Discovery`].
pub fn discover_with(
    paths: &[PathBuf],
    notes: &mut Vec<String>,
    errors: &mut Vec<String>,
    how: &Discovery,
) -> Result<Vec<Root>, Error> {
    let mut roots: Vec<Root> = Vec::new();
    let mut seen: HashSet<PathBuf> = HashSet::new();
    let mut push = |r: Root, roots: &mut Vec<Root>| {
        let key = match &r {
            Root::File(p) => std::fs::canonicalize(p).unwrap_or_else(|_| p.clone()),
            Root::Dump { label, .. } => label.clone(),
            Root::Apache(a) => std::fs::canonicalize(&a.main).unwrap_or_else(|_| a.main.clone()),
        };
        if seen.insert(key) {
            roots.push(r);
        }
    };
    for p in paths {
        if let Some(r) = input::dump_root(p)? {
            push(r, &mut roots);
            continue;
        }
        if p.is_dir() {
            let mut found = Vec::new();
            let walk_errors = walk_roots(p, &mut found);
            if found.is_empty() && !walk_errors.is_empty() {
                return Err(Error::new(walk_errors.join("; ")));
            }
            errors.extend(walk_errors);
            if found.is_empty() {
                return Err(Error::new(format!(
                    "no nginx.conf, apache2.conf or httpd.conf found under \"{}\"",
                    p.display()
                )));
            }
            for r in found {
                push(r, &mut roots);
            }
            continue;
        }
        // a symlink is there even when its target is a server path
        if std::fs::symlink_metadata(p).is_err() {
            return Err(Error::new(format!(
                "cannot read \"{}\": No such file or directory{}",
                p.display(),
                subcommand_typo(p)
            )));
        }
        // a binary is never parsed (its bytes would be the snippet of an error)
        if let Some(why) = input::not_a_config(p).filter(|w| w.starts_with("binary")) {
            errors.push(format!(
                "\"{}\" is not an nginx or Apache configuration ({why})",
                p.display()
            ));
            continue;
        }
        if let Some(r) = root_by_name(p) {
            push(r, &mut roots);
            continue;
        }
        let target = std::fs::canonicalize(p).unwrap_or_else(|_| p.clone());
        let mut including = Vec::new();
        for c in candidates(p) {
            // read as it is linted: with the path mapping (a checkout's
            // `include /etc/nginx/...` names its own files)
            let map = c.path_map(how.roots.clone());
            let tree = c.load_with(None, &input::ApacheOptions::default(), &map);
            // the file itself, or (a changed symlink, whose target may be
            // a server path) the name it is included by
            let named = crate::fsx::absolute(p);
            let includes = tree.sources().iter().any(|(_, f)| {
                crate::fsx::absolute(&f.path) == named
                    || [f.path.as_path(), f.shown()].iter().any(|f| {
                        std::fs::canonicalize(f)
                            .map(|x| x == target)
                            .unwrap_or(false)
                    })
            });
            if includes {
                including.push(c);
            }
        }
        if including.is_empty() {
            let alone = match input::apache_root(p, None)? {
                Some(a) => Root::Apache(a),
                None => Root::File(p.clone()),
            };
            if how.changed && !is_main_file(&alone) {
                notes.push(format!(
                    "{}: skipped: no tree includes it and it is not a main file (an unused snippet)",
                    p.display()
                ));
                continue;
            }
            // a file linted on its own that is no configuration at all
            // (/etc/passwd) is one line, never a parse error with its bytes
            if let Some(why) = input::not_a_config(p) {
                errors.push(format!(
                    "\"{}\" is not an nginx or Apache configuration ({why})",
                    p.display()
                ));
                continue;
            }
            push(alone, &mut roots);
        } else {
            for c in including {
                notes.push(format!(
                    "{} is included by {}",
                    p.display(),
                    c.label().display()
                ));
                push(c, &mut roots);
            }
        }
    }
    Ok(roots)
}
