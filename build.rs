//! `tlslint --version` names the commit it was built from: `tlslint 0.1.0
//! (0e197ea 2026-11-26)`, the short hash and the commit's date, read with
//! `git` when the crate is built from its own git checkout. Built from
//! anything else (a crates.io tarball, an exported tree, a crate vendored
//! inside another project's repository, no git installed) it is the plain
//! `tlslint 0.1.0`. `TLSLINT_BUILD_COMMIT` overrides it for packagers who
//! build from a tarball of a known commit (`TLSLINT_BUILD_COMMIT="0e197ea
//! 2026-11-26"`; empty: none).

use std::path::{Path, PathBuf};
use std::process::Command;

fn git(dir: &Path, args: &[&str]) -> Option<String> {
    let out = Command::new("git")
        .arg("-C")
        .arg(dir)
        .args(args)
        .output()
        .ok()?;
    if !out.status.success() {
        return None;
    }
    let s = String::from_utf8(out.stdout).ok()?.trim().to_string();
    (!s.is_empty()).then_some(s)
}

/// The commit, when `dir` is the top of a git work tree.
fn commit(dir: &Path) -> Option<String> {
    // a crate inside someone else's repository is not that repository's commit
    let top = PathBuf::from(git(dir, &["rev-parse", "--show-toplevel"])?);
    if top.canonicalize().ok()? != dir.canonicalize().ok()? {
        return None;
    }
    // rebuild when HEAD moves: HEAD itself, the branch it names, packed refs
    for p in ["HEAD", "packed-refs"] {
        if let Some(f) = git(dir, &["rev-parse", "--git-path", p]) {
            println!("cargo:rerun-if-changed={}", dir.join(f).display());
        }
    }
    if let Some(branch) = git(dir, &["symbolic-ref", "-q", "HEAD"]) {
        if let Some(f) = git(dir, &["rev-parse", "--git-path", &branch]) {
            println!("cargo:rerun-if-changed={}", dir.join(f).display());
        }
    }
    git(
        dir,
        &[
            "log",
            "-1",
            "--no-show-signature",
            "--format=%h %cs",
            "HEAD",
        ],
    )
}

fn main() {
    println!("cargo:rerun-if-changed=build.rs");
    println!("cargo:rerun-if-env-changed=TLSLINT_BUILD_COMMIT");
    let dir = PathBuf::from(std::env::var_os("CARGO_MANIFEST_DIR").expect("set by cargo"));
    let commit = match std::env::var("TLSLINT_BUILD_COMMIT") {
        Ok(c) => Some(c.trim().to_string()).filter(|c| !c.is_empty()),
        Err(_) => commit(&dir),
    };
    let version = std::env::var("CARGO_PKG_VERSION").expect("set by cargo");
    let long = match commit {
        Some(c) => format!("{version} ({c})"),
        None => version,
    };
    println!("cargo:rustc-env=TLSLINT_VERSION={long}");
}
