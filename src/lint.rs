//! The check pipeline for one run: load → resolve → check, per root.

use std::path::PathBuf;

use crate::finding::Finding;
use crate::input::Root;
use crate::model::Endpoint;
use crate::nginx::defaults::Target;
use crate::nginx::loader::Tree;
use crate::profile::Profile;

/// What a run checks against.
#[derive(Debug, Clone)]
pub struct LintOptions {
    pub target: Target,
    pub profile: Profile,
    pub prefix: Option<PathBuf>,
    /// Certificate, key and parameter files: `--root`, `--now`, `--ca-file`, ...
    pub files: crate::certs::FileOptions,
}

/// One linted tree.
#[derive(Debug)]
pub struct Checked {
    /// The root as given (main file, dump, `<stdin>`).
    pub label: String,
    pub tree: Tree,
    pub endpoints: Vec<Endpoint>,
    pub findings: Vec<Finding>,
    /// The certificate, key and parameter files the endpoints name, read.
    pub files: crate::certs::TreeFiles,
    /// Notes for the run (files that could not be checked).
    pub notes: Vec<String>,
}

impl Checked {
    pub fn ok(&self) -> bool {
        self.tree.errors.is_empty()
    }
}

/// Everything a run found, for the reports.
#[derive(Debug)]
pub struct Report {
    pub checked: Vec<Checked>,
    pub notes: Vec<String>,
    pub profile: Profile,
    pub target: Target,
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

/// Load, resolve and check one root. A tree that cannot be read is not
/// checked (a partial tree would mislead); its errors are in `tree.errors`.
pub fn lint_root(root: &Root, opts: &LintOptions) -> Checked {
    let tree = root.load(opts.prefix.as_deref(), true);
    let label = root.label().display().to_string();
    if !tree.errors.is_empty() {
        return Checked {
            label,
            tree,
            endpoints: Vec::new(),
            findings: Vec::new(),
            files: Default::default(),
            notes: Vec::new(),
        };
    }
    let (endpoints, plain) = crate::nginx::resolve::resolve(&tree, &opts.target);
    let mut files = crate::certs::TreeFiles::build(&endpoints, &tree.prefix, &opts.files, &label);
    let plain_index = crate::rules::tls508_http_not_redirected::PlainIndex::new(&plain);
    let cx = crate::rules::Context {
        profile: &opts.profile,
        sources: &tree.sources,
        target: &opts.target,
        plain: &plain,
        plain_index: &plain_index,
        endpoints: &endpoints,
        files: &files,
    };
    let findings = crate::rules::check_all(&cx, &endpoints);
    let notes = std::mem::take(&mut files.notes);
    Checked {
        label,
        tree,
        endpoints,
        findings,
        files,
        notes,
    }
}
