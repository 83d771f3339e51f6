//! The check pipeline for one run: load → resolve → check, per root.

use std::path::PathBuf;

use crate::finding::Finding;
use crate::input::Root;
use crate::model::Endpoint;
use crate::nginx::defaults::Target;
use crate::profile::Profile;
use crate::source::{FileId, SourceMap, Span};

/// What a run checks against.
#[derive(Debug, Clone)]
pub struct LintOptions {
    pub target: Target,
    pub profile: Profile,
    pub prefix: Option<PathBuf>,
    /// Certificate, key and parameter files: `--root`, `--now`, `--ca-file`, ...
    pub files: crate::certs::FileOptions,
    /// How Apache trees are read.
    pub apache: crate::input::ApacheOptions,
}

/// A tree as its server's reader read it.
#[derive(Debug)]
pub enum Loaded {
    Nginx(crate::nginx::loader::Tree),
    Apache(crate::apache::loader::Tree),
}

/// A reason a tree could not be read, whichever the server.
#[derive(Debug, Clone)]
pub struct TreeError {
    pub message: String,
    pub path: PathBuf,
    pub line: u32,
    pub col: u32,
    pub span: Option<Span>,
}

impl From<&crate::nginx::loader::LoadError> for TreeError {
    fn from(e: &crate::nginx::loader::LoadError) -> TreeError {
        TreeError {
            message: e.message.clone(),
            path: e.path.clone(),
            line: e.line,
            col: e.col,
            span: e.span,
        }
    }
}

impl From<&crate::apache::loader::LoadError> for TreeError {
    fn from(e: &crate::apache::loader::LoadError) -> TreeError {
        TreeError {
            message: e.message.clone(),
            path: e.path.clone(),
            line: e.line,
            col: e.col,
            span: e.span,
        }
    }
}

impl TreeError {
    pub fn to_error(&self) -> crate::error::Error {
        crate::error::Error::located(
            self.message.clone(),
            self.path.clone(),
            self.line,
            self.col,
            self.span,
        )
    }
}

impl Loaded {
    pub fn sources(&self) -> &SourceMap {
        match self {
            Loaded::Nginx(t) => &t.sources,
            Loaded::Apache(t) => &t.sources,
        }
    }
    /// The main file.
    pub fn root(&self) -> FileId {
        match self {
            Loaded::Nginx(t) => t.root,
            Loaded::Apache(t) => t.root,
        }
    }
    pub fn errors(&self) -> Vec<TreeError> {
        match self {
            Loaded::Nginx(t) => t.errors.iter().map(TreeError::from).collect(),
            Loaded::Apache(t) => t.errors.iter().map(TreeError::from).collect(),
        }
    }
    pub fn has_errors(&self) -> bool {
        match self {
            Loaded::Nginx(t) => !t.errors.is_empty(),
            Loaded::Apache(t) => !t.errors.is_empty(),
        }
    }
    /// The files read, in order.
    pub fn read_order(&self) -> Vec<&std::path::Path> {
        match self {
            Loaded::Nginx(t) => t.read_order(),
            Loaded::Apache(t) => t.read_order(),
        }
    }
    /// The directory relative certificate paths are read from: nginx's
    /// prefix, Apache's ServerRoot.
    pub fn base_dir(&self) -> &std::path::Path {
        match self {
            Loaded::Nginx(t) => &t.prefix,
            Loaded::Apache(t) => &t.server_root,
        }
    }
    pub fn server(&self) -> crate::model::ServerKind {
        match self {
            Loaded::Nginx(_) => crate::model::ServerKind::Nginx,
            Loaded::Apache(_) => crate::model::ServerKind::Apache,
        }
    }
}

/// One linted tree.
#[derive(Debug)]
pub struct Checked {
    /// The root as given (main file, dump, `<stdin>`).
    pub label: String,
    pub tree: Loaded,
    pub endpoints: Vec<Endpoint>,
    pub findings: Vec<Finding>,
    /// The certificate, key and parameter files the endpoints name, read.
    pub files: crate::certs::TreeFiles,
    /// Notes for the run (files that could not be checked).
    pub notes: Vec<String>,
    /// `--probe`: each probe of the tree's sockets (socket, target, SNI,
    /// endpoint, report), for the JSON report.
    pub probes: Vec<serde_json::Value>,
    /// `--probe`: the sockets not probed because their address is not
    /// loopback, the `--probe-host` or allowed (`HOST:PORT`).
    pub probes_not_allowed: Vec<String>,
}

impl Checked {
    pub fn ok(&self) -> bool {
        !self.tree.has_errors()
    }
}

/// Everything a run found, for the reports.
#[derive(Debug)]
pub struct Report {
    pub checked: Vec<Checked>,
    pub notes: Vec<String>,
    pub profile: Profile,
    pub target: Target,
    /// Per tree, in the order of `checked`: the versions modelled and
    /// where each came from.
    pub versions: Vec<crate::detect::Versions>,
    /// Per tree, in the order of `checked`: what the settings, inline
    /// suppressions and the baseline did (see `crate::post`).
    pub post: Vec<Post>,
}

/// What happened to a tree's findings after the rules ran.
#[derive(Debug, Clone)]
pub struct Post {
    /// The settings file that governs the tree, if any.
    pub config: Option<PathBuf>,
    /// The fingerprint of each of `Checked.findings` (same order).
    pub fingerprints: Vec<String>,
    /// Findings an inline suppression took away.
    pub suppressed: Vec<crate::suppress::Suppressed>,
    /// Findings the baseline took away.
    pub baselined: Vec<Finding>,
    /// The fingerprint of each of `baselined` (same order).
    pub baselined_fingerprints: Vec<String>,
    /// Findings at or above this severity make the exit code 1.
    pub fail_on: crate::config::FailOn,
}

impl Report {
    pub fn findings(&self) -> impl Iterator<Item = (&Checked, &Finding)> {
        self.checked
            .iter()
            .flat_map(|c| c.findings.iter().map(move |f| (c, f)))
    }
    pub fn load_failed(&self) -> bool {
        self.checked.iter().any(|c| !c.ok())
    }
}

/// A finding in a file reached through a symlink is reported at the real
/// file (`SourceFile::shown`); the link, with the include that named it,
/// becomes a related location.
fn link_related(sources: &SourceMap, findings: &mut [Finding]) {
    for f in findings.iter_mut() {
        let sf = sources.get(f.span.file);
        let Some(link) = &sf.link else { continue };
        let Some(at) = link.included_at else { continue };
        f.related.push(crate::finding::Related {
            span: at,
            message: format!(
                "reached through the symlink {} (included here)",
                sf.path.display()
            ),
        });
    }
}

/// Load, resolve and check one root. A tree that cannot be read is not
/// checked (a partial tree would mislead); its errors are in `tree.errors`.
pub fn lint_root(root: &Root, opts: &LintOptions) -> Checked {
    let map = root.path_map(opts.files.roots.clone());
    let tree = root.load_with(opts.prefix.as_deref(), &opts.apache, &map);
    lint_loaded(root, tree, &map, opts)
}

/// Resolve and check a tree `root` loaded into `tree` through `map` (the
/// path mapping it was read with, which certificate paths follow too).
pub fn lint_loaded(
    root: &Root,
    tree: Loaded,
    map: &crate::paths::PathMap,
    opts: &LintOptions,
) -> Checked {
    let label = root.label().display().to_string();
    let mut notes = map.notes();
    if let Loaded::Apache(t) = &tree {
        notes.extend(t.notes.iter().map(|n| format!("{label}: {n}")));
        // what httpd logs while reading (an undefined ${VAR}, ...)
        notes.extend(t.warnings.iter().map(|w| {
            format!(
                "{}:{}: httpd warns: {}",
                w.path.display(),
                w.line,
                w.message
            )
        }));
    }
    if tree.has_errors() {
        return Checked {
            label,
            tree,
            endpoints: Vec::new(),
            findings: Vec::new(),
            files: Default::default(),
            notes,
            probes: Vec::new(),
            probes_not_allowed: Vec::new(),
        };
    }
    let (endpoints, plain) = match &tree {
        Loaded::Nginx(t) => crate::nginx::resolve::resolve(t, &opts.target),
        Loaded::Apache(t) => crate::apache::resolve::resolve(t, &opts.target),
    };
    let mut files =
        crate::certs::TreeFiles::build(&endpoints, tree.base_dir(), &opts.files, map, &label);
    let plain_index = crate::rules::tls508_http_not_redirected::PlainIndex::new(&plain);
    let cx = crate::rules::Context {
        profile: &opts.profile,
        sources: tree.sources(),
        target: &opts.target,
        plain: &plain,
        plain_index: &plain_index,
        endpoints: &endpoints,
        files: &files,
    };
    let mut findings = crate::rules::check_all(&cx, &endpoints);
    link_related(tree.sources(), &mut findings);
    let sites = match &tree {
        Loaded::Nginx(t) => crate::rules::shared_include::IncludeSites::nginx(t),
        Loaded::Apache(t) => crate::rules::shared_include::IncludeSites::apache(t),
    };
    crate::rules::shared_include::point_at_includers(&mut findings, &sites, tree.sources());
    notes.append(&mut files.notes);
    // certificate paths the inferred mapping read from the tree
    for n in map.notes() {
        if !notes.contains(&n) {
            notes.push(n);
        }
    }
    Checked {
        label,
        tree,
        endpoints,
        findings,
        files,
        notes,
        probes: Vec::new(),
        probes_not_allowed: Vec::new(),
    }
}
