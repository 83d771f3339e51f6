//! Fingerprints and baselines: adopt tlslint on a repository with existing
//! findings by recording them once (`--write-baseline FILE`) and failing
//! later only on findings that are not in the record (`--baseline FILE`).
//!
//! A fingerprint survives edits that only move things around: it is made
//! of the rule code, the file's path relative to the tree's main-file
//! directory, the text of the directive the finding points at (whitespace
//! collapsed), the `server_name`s of the server block that directive sits in
//! (none at `http` level), and which occurrence of all that it is, counted in
//! file order. Line numbers are not part of it; nor is the message (a new
//! guideline version can reword it), nor the list of endpoints a shared
//! directive affects (adding a vhost does not make an `http`-level finding
//! new). SARIF output carries it as `partialFingerprints["tlslint/v1"]`.
//!
//! The baseline file (JSON, sorted, meant to be committed):
//!
//! ```json
//! { "tool": "tlslint", "format": 1,
//!   "findings": [ { "root": "nginx/nginx.conf", "fingerprint": "5f0c...",
//!                   "code": "TLS101", "file": "conf.d/shop.conf", "line": 12,
//!                   "message": "..." } ] }
//! ```
//!
//! `root` is the tree's main file relative to the baseline file's directory;
//! a finding is baselined when an entry with the same `root` and
//! `fingerprint` is left (each entry absorbs one finding). `file`, `line`
//! and `message` are for people reading the file.

use std::collections::HashMap;
use std::path::{Component, Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::error::Error;
use crate::finding::Finding;
use crate::nginx::loader::Tree;
use crate::source::FileId;

/// The key in SARIF's `partialFingerprints`.
pub const SARIF_KEY: &str = "tlslint/v1";

fn abs(p: &Path) -> PathBuf {
    crate::fsx::lexical_normal(&std::path::absolute(p).unwrap_or_else(|_| p.to_path_buf()))
}

/// `path` relative to `base` (both made absolute), with `/` separators.
pub fn relative(path: &Path, base: &Path) -> String {
    let p = abs(path);
    let b = abs(base);
    let pc: Vec<Component> = p.components().collect();
    let bc: Vec<Component> = b.components().collect();
    let common = pc.iter().zip(&bc).take_while(|(a, b)| a == b).count();
    if common == 0 {
        return p.to_string_lossy().replace('\\', "/");
    }
    let mut parts: Vec<String> = Vec::new();
    for _ in common..bc.len() {
        parts.push("..".into());
    }
    for c in &pc[common..] {
        parts.push(c.as_os_str().to_string_lossy().into_owned());
    }
    if parts.is_empty() {
        ".".into()
    } else {
        parts.join("/")
    }
}

/// 64-bit FNV-1a: small, stable across Rust versions and platforms.
fn fnv1a(s: &str) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in s.bytes() {
        h ^= b as u64;
        h = h.wrapping_mul(0x0000_0100_0000_01b3);
    }
    h
}

/// The `server_name`s of the server block each directive sits in (or, for a
/// `server` directive, its own), keyed by the directive's position.
fn servers(tree: &Tree) -> HashMap<(FileId, u32), String> {
    fn names(d: &crate::nginx::ast::Directive) -> String {
        let mut v: Vec<String> = Vec::new();
        if let Some(b) = &d.block {
            for n in b
                .items
                .iter()
                .filter_map(crate::nginx::ast::Node::as_directive)
            {
                if n.is("server_name") {
                    v.extend(n.arg_values());
                }
            }
        }
        v.join(" ")
    }
    let mut m = HashMap::new();
    tree.walk(&mut |d, parents| {
        let server = if d.is("server") {
            Some(d)
        } else {
            parents.iter().rev().find(|p| p.is("server")).copied()
        };
        m.entry((d.span.file, d.span.start))
            .or_insert_with(|| server.map(names).unwrap_or_default());
        true
    });
    m
}

/// The names of the virtual host each directive of an Apache tree sits in
/// (its ServerName and ServerAliases, wherever they are read from: an
/// `Include` or a macro inside the section counts); empty outside one.
fn vhosts(tree: &crate::apache::loader::Tree) -> HashMap<(FileId, u32), String> {
    // first the names of each virtual host (by its opening line), then every
    // directive with the names of the one it is in
    let mut names: HashMap<(FileId, u32), (Option<String>, Vec<String>)> = HashMap::new();
    tree.walk(&mut |d, parents| {
        if let Some(v) = parents.iter().find(|p| p.is("VirtualHost")) {
            let e = names.entry((v.span.file, v.span.start)).or_default();
            if d.is("ServerName") {
                e.0 = d.values().into_iter().next();
            } else if d.is("ServerAlias") {
                e.1.extend(d.values());
            }
        }
        true
    });
    let joined: HashMap<(FileId, u32), String> = names
        .into_iter()
        .map(|(k, (name, aliases))| {
            (
                k,
                name.into_iter()
                    .chain(aliases)
                    .collect::<Vec<_>>()
                    .join(" "),
            )
        })
        .collect();
    let mut m = HashMap::new();
    tree.walk(&mut |d, parents| {
        let vh = if d.is("VirtualHost") {
            Some(d)
        } else {
            parents.iter().find(|p| p.is("VirtualHost")).copied()
        };
        let name = vh
            .and_then(|v| joined.get(&(v.span.file, v.span.start)))
            .cloned()
            .unwrap_or_default();
        m.entry((d.span.file, d.span.start)).or_insert(name);
        true
    });
    m
}

/// The directory of a tree's main file.
pub fn root_dir(tree: &crate::lint::Loaded) -> PathBuf {
    let main = tree.sources().path(tree.root());
    abs(main)
        .parent()
        .map(Path::to_path_buf)
        .unwrap_or_default()
}

/// The fingerprint of every finding of a tree, in order.
pub fn fingerprints(tree: &crate::lint::Loaded, findings: &[Finding]) -> Vec<String> {
    let dir = root_dir(tree);
    let srv = match tree {
        crate::lint::Loaded::Nginx(t) => servers(t),
        crate::lint::Loaded::Apache(t) => vhosts(t),
    };
    let keys: Vec<String> = findings
        .iter()
        .map(|f| {
            let sf = tree.sources().get(f.span.file);
            let text = sf
                .text
                .get(f.span.start as usize..f.span.end as usize)
                .unwrap_or("");
            let text = text.split_whitespace().collect::<Vec<_>>().join(" ");
            let server = srv
                .get(&(f.span.file, f.span.start))
                .map(String::as_str)
                .unwrap_or("");
            format!(
                "{}\0{}\0{}\0{}",
                f.code,
                relative(&sf.path, &dir),
                text,
                server
            )
        })
        .collect();
    // occurrence: the n-th finding with the same key, in file order
    let mut order: Vec<usize> = (0..findings.len()).collect();
    order.sort_by_key(|&i| (findings[i].span.file, findings[i].span.start, i));
    let mut seen: HashMap<&str, usize> = HashMap::new();
    let mut out = vec![String::new(); findings.len()];
    for i in order {
        let n = seen.entry(keys[i].as_str()).or_insert(0);
        out[i] = format!("{:016x}", fnv1a(&format!("{}\0{n}", keys[i])));
        *n += 1;
    }
    out
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Entry {
    pub root: String,
    pub fingerprint: String,
    pub code: String,
    #[serde(default)]
    pub file: String,
    #[serde(default)]
    pub line: u32,
    #[serde(default)]
    pub message: String,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct File {
    tool: String,
    format: u32,
    findings: Vec<Entry>,
}

/// A loaded baseline: how many findings of each (root, fingerprint) it absorbs.
#[derive(Debug, Default)]
pub struct Baseline {
    dir: PathBuf,
    left: HashMap<(String, String), usize>,
    pub entries: usize,
}

/// How a tree's root is named in a baseline in `dir`.
pub fn root_key(label: &str, dir: &Path) -> String {
    if label.starts_with('<') {
        return label.to_string();
    }
    relative(Path::new(label), dir)
}

fn dir_of(file: &Path) -> PathBuf {
    abs(file)
        .parent()
        .map(Path::to_path_buf)
        .unwrap_or_default()
}

/// Largest baseline read.
const MAX_BASELINE_BYTES: u64 = 64 * 1024 * 1024;

impl Baseline {
    /// Read a baseline file. A missing file is an empty baseline (`None`
    /// note says so); a file that is not a baseline is an error.
    pub fn load(path: &Path) -> Result<(Baseline, Option<String>), Error> {
        let mut b = Baseline {
            dir: dir_of(path),
            ..Baseline::default()
        };
        if let Some(why) = crate::config::escapes_by_link(path) {
            return Err(Error::new(format!(
                "baseline \"{}\" not read: {why}",
                path.display()
            )));
        }
        let text = match crate::fsx::read_regular(path, MAX_BASELINE_BYTES) {
            Ok(b) => String::from_utf8(b).map_err(|_| {
                Error::new(format!(
                    "baseline \"{}\" not read: it is not UTF-8 text",
                    path.display()
                ))
            })?,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                return Ok((
                    b,
                    Some(format!(
                        "baseline \"{}\" does not exist: every finding is new (write it with --write-baseline)",
                        path.display()
                    )),
                ))
            }
            Err(e) if e.kind() == std::io::ErrorKind::Other => {
                return Err(Error::new(format!(
                    "baseline \"{}\" not read: {e}",
                    path.display()
                )))
            }
            Err(e) => {
                return Err(Error::new(format!(
                    "cannot read baseline \"{}\": {e}",
                    path.display()
                )))
            }
        };
        let f: File = serde_json::from_str(&text).map_err(|e| {
            // serde's words for a wrong value quote the value: not shown
            let why = if e.is_data() {
                "its JSON does not have a baseline's fields (tool, format, findings)".to_string()
            } else {
                e.to_string()
            };
            Error::at(
                format!("not a tlslint baseline: {why}"),
                path,
                e.line() as u32,
                e.column() as u32,
            )
        })?;
        if f.tool != "tlslint" || f.format != 1 {
            return Err(Error::new(format!(
                "\"{}\" is not a tlslint baseline of format 1",
                path.display()
            )));
        }
        b.entries = f.findings.len();
        for e in f.findings {
            *b.left.entry((e.root, e.fingerprint)).or_insert(0) += 1;
        }
        Ok((b, None))
    }

    /// True (and one entry used up) if the finding is in the baseline.
    pub fn absorb(&mut self, root_label: &str, fingerprint: &str) -> bool {
        let k = (root_key(root_label, &self.dir), fingerprint.to_string());
        match self.left.get_mut(&k) {
            Some(n) if *n > 0 => {
                *n -= 1;
                true
            }
            _ => false,
        }
    }
}

/// Write a baseline of `findings` (tree label, finding, fingerprint, file path).
pub fn write(path: &Path, findings: &[(&str, &Finding, &str, &Path)]) -> Result<usize, Error> {
    let dir = dir_of(path);
    let mut entries: Vec<Entry> = findings
        .iter()
        .map(|(label, f, fp, file)| {
            let root = root_key(label, &dir);
            let rd = if label.starts_with('<') {
                PathBuf::from("/")
            } else {
                dir_of(Path::new(label))
            };
            Entry {
                root,
                fingerprint: fp.to_string(),
                code: f.code.to_string(),
                file: relative(file, &rd),
                line: f.span.line,
                message: f.message.clone(),
            }
        })
        .collect();
    entries.sort_by(|a, b| {
        (&a.root, &a.file, a.line, &a.code, &a.fingerprint).cmp(&(
            &b.root,
            &b.file,
            b.line,
            &b.code,
            &b.fingerprint,
        ))
    });
    let n = entries.len();
    let doc = File {
        tool: "tlslint".into(),
        format: 1,
        findings: entries,
    };
    let text = serde_json::to_string_pretty(&doc).map_err(|e| Error::new(e.to_string()))? + "\n";
    crate::fsx::write_atomic(path, text.as_bytes())
        .map_err(|e| Error::new(format!("cannot write baseline \"{}\": {e}", path.display())))?;
    Ok(n)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn relative_paths() {
        assert_eq!(
            relative(Path::new("/a/b/c.conf"), Path::new("/a")),
            "b/c.conf"
        );
        assert_eq!(
            relative(Path::new("/a/x/c.conf"), Path::new("/a/b")),
            "../x/c.conf"
        );
        assert_eq!(relative(Path::new("/a"), Path::new("/a")), ".");
    }

    #[test]
    fn fnv_is_stable() {
        assert_eq!(fnv1a(""), 0xcbf2_9ce4_8422_2325);
        assert_eq!(fnv1a("a"), 0xaf63_dc4c_8601_ec8c);
    }
}
