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
}

/// One linted tree.
#[derive(Debug)]
pub struct Checked {
    /// The root as given (main file, dump, `<stdin>`).
    pub label: String,
    pub tree: Tree,
    pub endpoints: Vec<Endpoint>,
    pub findings: Vec<Finding>,
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
        };
    }
    let endpoints = crate::nginx::resolve::endpoints(&tree, &opts.target);
    let cx = crate::rules::Context {
        profile: &opts.profile,
        sources: &tree.sources,
        target: &opts.target,
    };
    let findings = crate::rules::check_all(&cx, &endpoints);
    Checked {
        label,
        tree,
        endpoints,
        findings,
    }
}
