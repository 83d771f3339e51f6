//! fixtures/rules/<CODE>/nginx-{bad,good}: every bad tree is flagged with its
//! rule and every good tree is not; the human and JSON outputs of every tree
//! are snapshot-tested (`expected.txt`, `expected.json` beside the tree;
//! `UPDATE_SNAPSHOTS=1 cargo test --test rule_fixtures` rewrites them).

use std::path::{Path, PathBuf};
use std::process::Command;

fn cases() -> Vec<(String, bool, PathBuf)> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/rules");
    let mut out = Vec::new();
    let mut codes: Vec<_> = std::fs::read_dir(&root).unwrap().flatten().map(|e| e.path()).collect();
    codes.sort();
    for dir in codes {
        let code = dir.file_name().unwrap().to_string_lossy().into_owned();
        for (kind, bad) in [("nginx-bad", true), ("nginx-good", false)] {
            let d = dir.join(kind);
            assert!(d.join("nginx.conf").exists(), "{} is missing", d.display());
            out.push((code.clone(), bad, d));
        }
    }
    out
}

fn run(dir: &Path, format: &str) -> (i32, String) {
    let args: Vec<String> = std::fs::read_to_string(dir.join("args"))
        .map(|s| s.split_whitespace().map(str::to_string).collect())
        .unwrap_or_default();
    let o = Command::new(env!("CARGO_BIN_EXE_tlslint"))
        .current_dir(dir)
        .args(["nginx.conf", "--format", format])
        .args(&args)
        .env("NO_COLOR", "1")
        .output()
        .unwrap();
    (o.status.code().unwrap_or(-1), String::from_utf8_lossy(&o.stdout).into_owned())
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

#[test]
fn every_rule_has_bad_and_good_fixtures() {
    let codes: std::collections::BTreeSet<String> =
        tlslint::rules::RULES.iter().map(|r| r.meta().code.to_string()).collect();
    let fixtures: std::collections::BTreeSet<String> = cases().into_iter().map(|(c, _, _)| c).collect();
    assert_eq!(codes, fixtures);
}

#[test]
fn fixtures_are_flagged_as_named_and_outputs_match_snapshots() {
    let mut failures = Vec::new();
    for (code, bad, dir) in cases() {
        let (status, json) = run(&dir, "json");
        let v: serde_json::Value = serde_json::from_str(&json).unwrap_or_else(|e| panic!("{}: {e}\n{json}", dir.display()));
        assert!(v["errors"].as_array().unwrap().is_empty(), "{}: {}", dir.display(), v["errors"]);
        let flagged = v["findings"].as_array().unwrap().iter().any(|f| f["code"] == code.as_str());
        if flagged != bad {
            failures.push(format!("{}: {code} {}", dir.display(), if bad { "not reported" } else { "reported" }));
        }
        assert!(status == 0 || status == 1, "{}: exit {status}", dir.display());
        snapshot(&dir.join("expected.json"), &json, &mut failures);
        let (_, human) = run(&dir, "human");
        snapshot(&dir.join("expected.txt"), &human, &mut failures);
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}
