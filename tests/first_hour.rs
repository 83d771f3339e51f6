//! The README's install command and usage lines, from a clean clone
//! (`tests/first_hour.sh`, which reads them from the README's blocks marked
//! `sh first-hour`). The install reuses this test's own target directory
//! with `--debug --offline`, so that it takes the build `cargo test` made
//! instead of a release build of its own. Needs git and a git checkout:
//! without them it skips with a reason (and fails with CI=true).
#![cfg(unix)]

mod common;

use std::path::Path;
use std::process::Command;
use std::time::Duration;

#[test]
fn the_readme_first_hour_runs_as_written() {
    let what = "first-hour script (README install and usage lines)";
    let repo = common::repo();
    let git_ok = Command::new("git")
        .arg("-C")
        .arg(&repo)
        .args(["rev-parse", "--verify", "HEAD"])
        .output()
        .is_ok_and(|o| o.status.success());
    if !git_ok {
        common::skip_or_fail(what, "not a git checkout with a commit (or no git)");
        return;
    }
    let target = common::tlslint()
        .parent()
        .and_then(Path::parent)
        .expect("target dir")
        .to_path_buf();
    // the install from the clone shares this target directory, and cargo
    // copies its binary to TARGET/debug/tlslint: the tests that run after
    // this one must keep the working tree's build (which may have changes
    // the clone of HEAD lacks), so it is put back afterwards
    let bin = common::tlslint();
    let saved = std::fs::read(&bin).expect("read the tlslint under test");
    let restore = Restore { bin, saved };
    let o = common::run(
        Command::new("bash")
            .arg(repo.join("tests/first_hour.sh"))
            .env("CARGO_TARGET_DIR", &target)
            .env("FIRST_HOUR_INSTALL_ARGS", "--debug --offline --quiet"),
        Duration::from_secs(1800),
    )
    .unwrap_or_else(|e| panic!("{e}"));
    drop(restore);
    let out = o.stdout_str();
    common::say(&out);
    assert_eq!(o.code, Some(0), "{out}\n{}", o.stderr);
    let summary = out
        .lines()
        .find(|l| l.starts_with("first-hour: "))
        .unwrap_or_else(|| panic!("no summary:\n{out}"));
    assert!(summary.ends_with(", 0 did not"), "{summary}");
    // the install and at least the two examples ran
    assert!(
        out.contains("ok   (exit 0) cargo install --locked --path ."),
        "{out}"
    );
    assert!(
        out.contains("ok   (exit 1) tlslint examples/nginx"),
        "{out}"
    );
    assert!(
        out.contains("ok   (exit 1) tlslint examples/apache"),
        "{out}"
    );
}

/// Puts the binary back (also when the test fails): a new file renamed over
/// the one cargo install left.
struct Restore {
    bin: std::path::PathBuf,
    saved: Vec<u8>,
}

impl Drop for Restore {
    fn drop(&mut self) {
        use std::os::unix::fs::PermissionsExt;
        let tmp = self.bin.with_extension("first-hour-restore");
        let put = std::fs::write(&tmp, &self.saved)
            .and_then(|()| std::fs::set_permissions(&tmp, std::fs::Permissions::from_mode(0o755)))
            .and_then(|()| std::fs::rename(&tmp, &self.bin));
        if let Err(e) = put {
            let msg = format!("cannot restore {}: {e}", self.bin.display());
            if std::thread::panicking() {
                common::say(&msg);
            } else {
                panic!("{msg}");
            }
        }
    }
}
