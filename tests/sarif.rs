//! `--format sarif` of every fixture validates against the SARIF 2.1.0
//! schema (tests/data/sarif/, Draft 4 with format checks), and its content
//! is what GitHub code scanning needs: rules with help and default levels,
//! results with locations, related locations and fingerprints.

use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::Value;

fn bin() -> Command {
    Command::new(env!("CARGO_BIN_EXE_tlslint"))
}

fn manifest() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn validator() -> jsonschema::Validator {
    let text = std::fs::read_to_string(manifest().join("tests/data/sarif/sarif-schema-2.1.0.json"))
        .expect("the SARIF schema");
    let schema: Value = serde_json::from_str(&text).unwrap();
    jsonschema::draft4::options()
        .should_validate_formats(true)
        .build(&schema)
        .expect("the SARIF schema compiles")
}

/// Run tlslint with SARIF output; the parsed log and the exit code.
fn sarif(args: &[&str], cwd: &Path) -> (Value, i32) {
    let o = bin()
        .current_dir(cwd)
        .args(args)
        .args(["--format", "sarif", "--no-config"])
        .output()
        .unwrap();
    let code = o.status.code().unwrap_or(-1);
    let v: Value = serde_json::from_slice(&o.stdout).unwrap_or_else(|e| {
        panic!(
            "tlslint {args:?}: not JSON ({e}), exit {code}\nstdout: {}\nstderr: {}",
            String::from_utf8_lossy(&o.stdout),
            String::from_utf8_lossy(&o.stderr)
        )
    });
    (v, code)
}

fn check_valid(v: &jsonschema::Validator, log: &Value, what: &str) {
    let errors: Vec<String> = v
        .iter_errors(log)
        .map(|e| format!("{} at {}", e, e.instance_path()))
        .collect();
    assert!(
        errors.is_empty(),
        "{what}: SARIF invalid:\n{}",
        errors.join("\n")
    );
}

/// The roots a fixture names in its fixture.meta (`[file]` sections).
fn meta_roots(dir: &Path) -> Vec<PathBuf> {
    let Ok(text) = std::fs::read_to_string(dir.join("fixture.meta")) else {
        return Vec::new();
    };
    text.lines()
        .filter_map(|l| l.trim().strip_prefix('[')?.strip_suffix(']'))
        .map(|n| dir.join(n))
        .filter(|p| p.is_file())
        .collect()
}

#[test]
fn every_fixture_validates_against_the_sarif_schema() {
    let v = validator();
    let mut dirs: Vec<PathBuf> = std::fs::read_dir(manifest().join("fixtures/nginx"))
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.is_dir())
        .collect();
    dirs.sort();
    dirs.push(manifest().join("examples/nginx"));
    dirs.push(manifest().join("examples/apache"));
    assert!(dirs.len() > 10, "fixtures missing: {dirs:?}");
    // the validator does reject what is not SARIF
    let bad = serde_json::json!({"version": "2.1.0", "runs": [{"tool": {"driver": {}}, "results": [{"level": "loud", "message": {"text": "x"}}]}]});
    assert!(v.iter_errors(&bad).count() >= 2);
    let mut runs = 0;
    let mut results = 0;
    for d in &dirs {
        let mut targets = vec![d.clone()];
        targets.extend(meta_roots(d));
        for t in &targets {
            for extra in [
                &[][..],
                &["--nginx-version", "1.20.0", "--openssl-version", "1.1.0"][..],
            ] {
                let mut args = vec![t.to_str().unwrap()];
                args.extend_from_slice(extra);
                let (log, code) = sarif(&args, manifest());
                assert!([0, 1, 2].contains(&code), "{}: exit {code}", t.display());
                check_valid(&v, &log, &t.display().to_string());
                let run = &log["runs"][0];
                let ok = run["invocations"][0]["executionSuccessful"]
                    .as_bool()
                    .unwrap();
                assert_eq!(
                    ok,
                    code != 2,
                    "{}: executionSuccessful vs exit {code}",
                    t.display()
                );
                results += run["results"].as_array().unwrap().len();
                runs += 1;
            }
        }
    }
    assert!(runs >= 2 * dirs.len());
    assert!(results > 20, "too few results to say much: {results}");
}

#[test]
fn sarif_has_rules_results_related_locations_and_fingerprints() {
    let d = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(d.path().join("sites")).unwrap();
    std::fs::write(
        d.path().join("nginx.conf"),
        "events {}\nhttp {\n  ssl_protocols TLSv1 TLSv1.2;\n  include sites/*.conf;\n}\n",
    )
    .unwrap();
    std::fs::write(
        d.path().join("sites/a b.conf"),
        "server {\n  listen 443 ssl;\n  server_name a.example;\n}\n",
    )
    .unwrap();
    let (log, code) = sarif(&["."], d.path());
    assert_eq!(code, 1);
    check_valid(&validator(), &log, "tempdir");
    assert_eq!(log["version"], "2.1.0");
    let run = &log["runs"][0];
    let rules = run["tool"]["driver"]["rules"].as_array().unwrap();
    let r101 = rules.iter().find(|r| r["id"] == "TLS101").unwrap();
    assert_eq!(r101["name"], "protocol-outside-profile");
    assert_eq!(r101["defaultConfiguration"]["level"], "error");
    assert!(r101["help"]["markdown"]
        .as_str()
        .unwrap()
        .contains("ssl_protocols TLSv1.2 TLSv1.3;"));
    assert!(r101["shortDescription"]["text"].as_str().unwrap().len() > 10);
    let r906 = rules.iter().find(|r| r["id"] == "TLS906").unwrap();
    assert_eq!(r906["defaultConfiguration"]["level"], "warning");
    for r in rules {
        let lvl = r["defaultConfiguration"]["level"].as_str().unwrap();
        assert!(["error", "warning", "note"].contains(&lvl), "{r}");
    }
    let res = run["results"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["ruleId"] == "TLS101")
        .unwrap();
    assert_eq!(res["level"], "error");
    let idx = res["ruleIndex"].as_u64().unwrap() as usize;
    assert_eq!(rules[idx]["id"], "TLS101");
    let loc = &res["locations"][0]["physicalLocation"];
    assert_eq!(loc["artifactLocation"]["uri"], "nginx.conf");
    assert_eq!(loc["artifactLocation"]["uriBaseId"], "%SRCROOT%");
    assert_eq!(loc["region"]["startLine"], 3);
    assert_eq!(loc["region"]["startColumn"], 3);
    let rel = &res["relatedLocations"][0];
    assert_eq!(
        rel["physicalLocation"]["artifactLocation"]["uri"],
        "sites/a%20b.conf"
    );
    assert_eq!(rel["physicalLocation"]["region"]["startLine"], 1);
    assert!(rel["message"]["text"].as_str().unwrap().len() > 3);
    assert_eq!(
        res["partialFingerprints"]["tlslint/v1"]
            .as_str()
            .unwrap()
            .len(),
        16
    );
    assert!(res["message"]["text"]
        .as_str()
        .unwrap()
        .contains("ssl_protocols TLSv1.2 TLSv1.3;"));
    let base = run["originalUriBaseIds"]["%SRCROOT%"]["uri"]
        .as_str()
        .unwrap();
    assert!(
        base.starts_with("file:///") && base.ends_with('/'),
        "{base}"
    );
}

#[test]
fn unreadable_tree_is_a_notification_in_sarif() {
    let d = tempfile::tempdir().unwrap();
    std::fs::write(d.path().join("nginx.conf"), "events {}\nhttp {\n").unwrap();
    let (log, code) = sarif(&["nginx.conf"], d.path());
    assert_eq!(code, 2);
    check_valid(&validator(), &log, "broken");
    let inv = &log["runs"][0]["invocations"][0];
    assert_eq!(inv["executionSuccessful"], false);
    let n = &inv["toolExecutionNotifications"][0];
    assert_eq!(n["level"], "error");
    assert!(n["message"]["text"]
        .as_str()
        .unwrap()
        .contains("unexpected end of file"));
}
