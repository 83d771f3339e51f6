//! Findings about a directive in a file that several servers include.
//!
//! A file such as `snippets/ssl.conf` included by several `server` blocks
//! (Apache: `<VirtualHost>` sections) holds one directive for all of them.
//! When a finding holds for some of those servers only (the certificate
//! does not cover one server's names, a cipher string that one server's
//! other settings make wrong), editing the shared file is not the fix: the
//! server the finding is about needs its own value. Such a finding keeps
//! its place at the deciding directive (what its label describes) and gains,
//! as related locations, the `include` line of each server it is about.
//! A finding that holds for every server including the file gains nothing:
//! fixing the shared file is then right.

use std::collections::{HashMap, HashSet};

use crate::finding::{Finding, Related};
use crate::source::{FileId, Span};

/// For each server block (by the span of its `server {` / `<VirtualHost>`
/// line): the include line inside it through which it reads each file.
#[derive(Debug, Default)]
pub struct IncludeSites {
    by_server: HashMap<Span, Vec<(Span, FileId)>>,
    /// `servers` / `virtual hosts`, for messages.
    noun: &'static str,
}

impl IncludeSites {
    fn add(&mut self, server: Span, site: Span, file: FileId) {
        let v = self.by_server.entry(server).or_default();
        if !v.iter().any(|(_, f)| *f == file) {
            v.push((site, file));
        }
    }

    /// The include line of `server` that reads `file`.
    fn site(&self, server: Span, file: FileId) -> Option<Span> {
        self.by_server
            .get(&server)?
            .iter()
            .find(|(_, f)| *f == file)
            .map(|(s, _)| *s)
    }

    /// The servers that read each file through an include line of theirs
    /// (one pass over every server's include lines).
    fn sharers_by_file(&self) -> HashMap<FileId, Vec<Span>> {
        let mut out: HashMap<FileId, Vec<Span>> = HashMap::new();
        for (server, v) in &self.by_server {
            for (_, f) in v {
                out.entry(*f).or_default().push(*server);
            }
        }
        out
    }

    /// The include sites of an nginx tree.
    pub fn nginx(tree: &crate::nginx::loader::Tree) -> IncludeSites {
        fn view(n: &crate::nginx::ast::Node) -> Option<View<'_, crate::nginx::ast::Node>> {
            n.as_directive().map(|d| View {
                span: d.span,
                includes: &d.includes,
                block: d.block.as_ref().map(|b| b.items.as_slice()),
                server: d.is("server"),
            })
        }
        let items = |f: FileId| tree.file(f).map(|c| c.items.as_slice());
        IncludeSites {
            noun: "servers",
            ..IncludeSites::walk(tree.root, &view, &items)
        }
    }

    /// The include sites of an Apache tree (`Include`, `IncludeOptional`,
    /// `Use` inside a `<VirtualHost>`).
    pub fn apache(tree: &crate::apache::loader::Tree) -> IncludeSites {
        fn view(n: &crate::apache::ast::Node) -> Option<View<'_, crate::apache::ast::Node>> {
            n.as_directive().map(|d| View {
                span: d.span,
                includes: &d.includes,
                block: d.block.as_ref().map(|b| b.items.as_slice()),
                server: d.name().eq_ignore_ascii_case("VirtualHost"),
            })
        }
        let items = |f: FileId| tree.file(f).map(|c| c.items.as_slice());
        IncludeSites {
            noun: "virtual hosts",
            ..IncludeSites::walk(tree.root, &view, &items)
        }
    }

    fn walk<'a, N: 'a>(
        root: FileId,
        view: &dyn Fn(&'a N) -> Option<View<'a, N>>,
        items: &dyn Fn(FileId) -> Option<&'a [N]>,
    ) -> IncludeSites {
        struct W<'a, 'v, N> {
            view: &'v dyn Fn(&'a N) -> Option<View<'a, N>>,
            items: &'v dyn Fn(FileId) -> Option<&'a [N]>,
            out: IncludeSites,
        }
        impl<'a, N> W<'a, '_, N> {
            fn go(&mut self, nodes: &'a [N], server: Option<(Span, Option<Span>)>, depth: usize) {
                if depth > 64 {
                    return;
                }
                for d in nodes.iter().filter_map(|n| (self.view)(n)) {
                    for &f in d.includes {
                        // the outermost include line inside the server is the one to show
                        let inner = server.map(|(s, site)| {
                            let site = site.unwrap_or(d.span);
                            self.out.add(s, site, f);
                            (s, Some(site))
                        });
                        if let Some(it) = (self.items)(f) {
                            self.go(it, inner, depth + 1);
                        }
                    }
                    if let Some(b) = d.block {
                        let inner = match server {
                            None if d.server => Some((d.span, None)),
                            s => s,
                        };
                        self.go(b, inner, depth + 1);
                    }
                }
            }
        }
        let mut w = W {
            view,
            items,
            out: IncludeSites::default(),
        };
        if let Some(it) = items(root) {
            w.go(it, None, 0);
        }
        w.out
    }
}

/// What the walk needs of a directive, whichever the server.
struct View<'a, N> {
    span: Span,
    includes: &'a [FileId],
    block: Option<&'a [N]>,
    /// A `server { }` block (nginx) or `<VirtualHost>` section (Apache).
    server: bool,
}

/// Add the include line of each server a finding is about, when the
/// finding's directive is in a file several servers include and the
/// finding holds for some of them only.
pub fn point_at_includers(
    findings: &mut [Finding],
    sites: &IncludeSites,
    sources: &crate::source::SourceMap,
) {
    // the same finding from each instance of a file httpd includes twice
    type Key = (&'static str, std::path::PathBuf, u32, u32, String);
    let key = |f: &Finding| -> Key {
        (
            f.code,
            sources.path(f.span.file).to_path_buf(),
            f.span.start,
            f.span.end,
            f.message.clone(),
        )
    };
    let mut about_all: HashMap<Key, HashSet<Span>> = HashMap::new();
    for f in findings.iter() {
        about_all
            .entry(key(f))
            .or_default()
            .extend(f.endpoints.iter().map(|e| e.span));
    }
    // httpd reads an included file once per Include (one FileId each): the
    // same file is the same path. Both indexes are built once, so the work
    // grows with the findings, not with findings x files x servers.
    let mut by_path: HashMap<&std::path::Path, Vec<FileId>> = HashMap::new();
    for (id, sf) in sources.iter() {
        by_path.entry(sf.path.as_path()).or_default().push(id);
    }
    let by_file = sites.sharers_by_file();
    let mut sharers_of: HashMap<&std::path::Path, HashSet<Span>> = HashMap::new();
    for f in findings.iter_mut() {
        let file = f.span.file;
        let path = sources.path(file);
        let same: &[FileId] = by_path.get(path).map(Vec::as_slice).unwrap_or(&[]);
        let sharers = sharers_of.entry(path).or_insert_with(|| {
            same.iter()
                .filter_map(|id| by_file.get(id))
                .flatten()
                .copied()
                .collect()
        });
        if sharers.len() < 2 {
            continue;
        }
        let about = &about_all[&key(f)];
        if !about.is_subset(sharers) || about == sharers {
            continue;
        }
        let shown = sources.path(file).display().to_string();
        let name = std::path::Path::new(&shown)
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or(shown);
        for e in f.endpoints.clone() {
            let Some(site) = same.iter().find_map(|&id| sites.site(e.span, id)) else {
                continue;
            };
            if f.related.iter().any(|r| r.span == site) {
                continue;
            }
            f.related.push(Related {
                span: site,
                message: format!(
                    "{name} is included here, in {}: {} {} include it, and this one needs the fix, not {name}",
                    e.label,
                    sharers.len(),
                    sites.noun
                ),
            });
        }
    }
}
