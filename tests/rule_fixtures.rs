//! fixtures/rules/<CODE>/{nginx,apache}-{bad,good} (`nginx.conf` /
//! `apache2.conf`): every bad tree is flagged with its rule and every good
//! tree is not; the human and JSON outputs of every tree
//! are snapshot-tested (`expected.txt`, `expected.json` beside the tree;
//! `UPDATE_SNAPSHOTS=1 cargo test --test rule_fixtures` rewrites them;
//! `FIXTURES=TLS3,TLS401` limits a run to those codes).
//!
//! A fixture that needs certificate, key or parameter files has a `setup`
//! file: a script (tests/certgen/mod.rs) that generates them with the openssl
//! CLI into a temporary copy of the fixture, where tlslint then runs. Its
//! `args` must fix the clock (`--now`); SHA-256 fingerprints of generated
//! certificates differ per run and are replaced with `<sha256>` in the
//! JSON snapshot.

mod certgen;

use std::path::{Path, PathBuf};
use std::process::Command;

fn cases() -> Vec<(String, bool, PathBuf)> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/rules");
    let mut out = Vec::new();
    let mut codes: Vec<_> = std::fs::read_dir(&root)
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .collect();
    codes.sort();
    for dir in codes {
        let code = dir.file_name().unwrap().to_string_lossy().into_owned();
        for (kind, main, bad) in [
            ("nginx-bad", "nginx.conf", true),
            ("nginx-good", "nginx.conf", false),
            ("apache-bad", "apache2.conf", true),
            ("apache-good", "apache2.conf", false),
        ] {
            let d = dir.join(kind);
            // a rule that cannot fire for a server says why instead of a bad tree
            let na = d.join("NOT-APPLICABLE");
            if bad && na.exists() {
                let why = std::fs::read_to_string(&na).unwrap_or_default();
                assert!(!why.trim().is_empty(), "{} gives no reason", na.display());
                continue;
            }
            assert!(
                d.join(main).exists(),
                "{} is missing",
                d.join(main).display()
            );
            out.push((code.clone(), bad, d));
        }
    }
    out
}

/// Where a fixture runs: its own directory, or a temporary copy with the
/// files its `setup` generates (None: openssl is missing, skip).
fn workdir(dir: &Path) -> Option<(PathBuf, Option<tempfile::TempDir>)> {
    let Ok(script) = std::fs::read_to_string(dir.join("setup")) else {
        return Some((dir.to_path_buf(), None));
    };
    let args = std::fs::read_to_string(dir.join("args")).unwrap_or_default();
    assert!(
        args.split_whitespace().any(|a| a == "--now"),
        "{}: a fixture with `setup` must fix the clock with --now in `args`",
        dir.display()
    );
    if !certgen::require_openssl(&dir.display().to_string()) {
        return None;
    }
    let tmp = tempfile::tempdir().unwrap();
    for e in std::fs::read_dir(dir).unwrap().flatten() {
        let name = e.file_name().to_string_lossy().into_owned();
        if e.path().is_file() && !name.starts_with("expected.") {
            std::fs::copy(e.path(), tmp.path().join(&name)).unwrap();
        }
    }
    certgen::setup(tmp.path(), &script);
    Some((tmp.path().to_path_buf(), Some(tmp)))
}

/// Replace what differs between runs of generated certificates.
fn normalise(json: &str) -> String {
    json.lines()
        .map(|l| match l.find("\"sha256\": \"") {
            Some(i) => {
                let end = if l.trim_end().ends_with(',') { "," } else { "" };
                format!("{}\"sha256\": \"<sha256>\"{end}", &l[..i])
            }
            None => l.to_string(),
        })
        .collect::<Vec<_>>()
        .join("\n")
        + if json.ends_with('\n') { "\n" } else { "" }
}

fn run(dir: &Path, format: &str) -> (i32, String) {
    let args: Vec<String> = std::fs::read_to_string(dir.join("args"))
        .map(|s| s.split_whitespace().map(str::to_string).collect())
        .unwrap_or_default();
    let main = if dir.join("apache2.conf").exists() {
        "apache2.conf"
    } else {
        "nginx.conf"
    };
    let o = Command::new(env!("CARGO_BIN_EXE_tlslint"))
        // the human snapshots are taken at 100 columns, whatever the terminal
        .env("COLUMNS", "100")
        .current_dir(dir)
        .args([main, "--format", format])
        .args(&args)
        .env("NO_COLOR", "1")
        .output()
        .unwrap();
    (
        o.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&o.stdout).into_owned(),
    )
}

fn snapshot(path: &Path, actual: &str, failures: &mut Vec<String>) {
    if std::env::var_os("UPDATE_SNAPSHOTS").is_some() {
        std::fs::write(path, actual).unwrap();
        return;
    }
    match std::fs::read_to_string(path) {
        Ok(expected) if expected == actual => {}
        Ok(expected) => failures.push(format!(
            "{} differs (UPDATE_SNAPSHOTS=1 to accept):\n--- expected\n{expected}\n--- actual\n{actual}",
            path.display()
        )),
        Err(_) => failures.push(format!("{} is missing (UPDATE_SNAPSHOTS=1 writes it)", path.display())),
    }
}

/// Rules that compare a running server with its configuration
/// (`probe_only` in their page): no fixture tree can show them; their
/// pages name the live tests.
fn probe_only(code: &str) -> bool {
    tlslint::rules::doc::doc(code)
        .map(|d| d.probe_only.is_some())
        .unwrap_or(false)
}

#[test]
fn every_rule_has_bad_and_good_fixtures() {
    let codes: std::collections::BTreeSet<String> = tlslint::rules::RULES
        .iter()
        .map(|r| r.meta().code.to_string())
        .filter(|c| !probe_only(c))
        .collect();
    for r in tlslint::rules::RULES {
        let code = r.meta().code;
        if probe_only(code) {
            let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
                .join("fixtures/rules")
                .join(code);
            assert!(
                !dir.exists(),
                "{}: {code} is probe-only (its page says so): no static fixtures",
                dir.display()
            );
        }
    }
    let fixtures: std::collections::BTreeSet<String> =
        cases().into_iter().map(|(c, _, _)| c).collect();
    assert_eq!(codes, fixtures);
}

#[test]
fn fixtures_are_flagged_as_named_and_outputs_match_snapshots() {
    let mut failures = Vec::new();
    // `FIXTURES=TLS3,TLS40` runs (and with UPDATE_SNAPSHOTS rewrites) only those codes
    let only: Vec<String> = std::env::var("FIXTURES")
        .map(|v| v.split(',').map(|c| c.trim().to_uppercase()).collect())
        .unwrap_or_default();
    for (code, bad, dir) in cases() {
        if !only.is_empty() && !only.iter().any(|o| code.starts_with(o.as_str())) {
            continue;
        }
        let Some((work, _tmp)) = workdir(&dir) else {
            continue;
        };
        let (status, json) = run(&work, "json");
        let json = normalise(&json);
        let v: serde_json::Value = serde_json::from_str(&json)
            .unwrap_or_else(|e| panic!("{}: {e}\n{json}", dir.display()));
        assert!(
            v["errors"].as_array().unwrap().is_empty(),
            "{}: {}",
            dir.display(),
            v["errors"]
        );
        let flagged = v["findings"]
            .as_array()
            .unwrap()
            .iter()
            .any(|f| f["code"] == code.as_str());
        if flagged != bad {
            failures.push(format!(
                "{}: {code} {}",
                dir.display(),
                if bad { "not reported" } else { "reported" }
            ));
        }
        assert!(
            status == 0 || status == 1,
            "{}: exit {status}",
            dir.display()
        );
        snapshot(&dir.join("expected.json"), &json, &mut failures);
        let (_, human) = run(&work, "human");
        snapshot(&dir.join("expected.txt"), &human, &mut failures);
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}
