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

/// Run tlslint in `cwd` with `args` (and `--no-config`); stdout as text.
fn stdout_of(args: &[&str], cwd: &Path) -> String {
    let o = bin()
        .current_dir(cwd)
        .args(args)
        .arg("--no-config")
        .output()
        .unwrap();
    String::from_utf8(o.stdout).unwrap()
}

fn file_uri_of(dir: &Path) -> String {
    let canon = dir.canonicalize().unwrap();
    format!("file://{}/", canon.display())
}

/// Suppressed findings are results with an `inSource` suppression (the
/// comment's reason and place), baselined ones with an `external` one, both
/// with their fingerprint; `%SRCROOT%` is the checkout's top, not the
/// directory tlslint runs in. JSON and GitHub annotations keep their
/// meaning: the same findings count, the suppressed are apart.
#[test]
fn suppressed_and_baselined_findings_are_suppressed_results() {
    let d = tempfile::tempdir().unwrap();
    let top = d.path();
    std::fs::create_dir_all(top.join(".git")).unwrap();
    std::fs::create_dir_all(top.join("conf")).unwrap();
    let server = "    server {\n        listen 443 ssl;\n        server_name a.example;\n    }\n";
    // the baseline records what the tree has today
    std::fs::write(
        top.join("conf/nginx.conf"),
        format!("events {{}}\nhttp {{\n{server}}}\n"),
    )
    .unwrap();
    let conf = top.join("conf");
    let w = bin()
        .current_dir(&conf)
        .args([".", "--no-config", "--write-baseline", "b.json"])
        .output()
        .unwrap();
    assert_eq!(w.status.code(), Some(0), "{w:?}");
    let b: Value =
        serde_json::from_str(&std::fs::read_to_string(conf.join("b.json")).unwrap()).unwrap();
    let recorded: Vec<&str> = b["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["fingerprint"].as_str().unwrap())
        .collect();
    assert!(!recorded.is_empty(), "{b}");
    // then: one suppressed finding (TLS101) and one new (TLS904)
    std::fs::write(
        top.join("conf/nginx.conf"),
        format!(
            "events {{}}\nhttp {{\n    # tlslint: ignore TLS101 -- payment terminals, until 2026-06\n    \
             ssl_protocols TLSv1 TLSv1.2 TLSv1.3;\n    ssl_early_data on;\n{server}}}\n"
        ),
    )
    .unwrap();
    let args = [".", "--baseline", "b.json"];
    let (log, code) = sarif(&args, &conf);
    assert_eq!(code, 1);
    check_valid(&validator(), &log, "suppressions");
    let run = &log["runs"][0];
    // %SRCROOT% is the checkout's top: paths from there
    assert_eq!(
        run["originalUriBaseIds"]["%SRCROOT%"]["uri"],
        file_uri_of(top).as_str()
    );
    let results = run["results"].as_array().unwrap();
    for r in results {
        let a = &r["locations"][0]["physicalLocation"]["artifactLocation"];
        assert_eq!(a["uri"], "conf/nginx.conf", "{r}");
        assert_eq!(a["uriBaseId"], "%SRCROOT%");
        assert_eq!(
            r["partialFingerprints"]["tlslint/v1"]
                .as_str()
                .unwrap()
                .len(),
            16,
            "{r}"
        );
    }
    let kinds = |r: &Value| -> Vec<String> {
        r["suppressions"]
            .as_array()
            .map(|s| {
                s.iter()
                    .map(|x| x["kind"].as_str().unwrap().to_string())
                    .collect()
            })
            .unwrap_or_default()
    };
    // the suppressed one: inSource, the reason, the comment's place
    let r101 = results.iter().find(|r| r["ruleId"] == "TLS101").unwrap();
    assert_eq!(kinds(r101), ["inSource"]);
    let s = &r101["suppressions"][0];
    assert_eq!(s["status"], "accepted");
    assert_eq!(s["justification"], "payment terminals, until 2026-06");
    let at = &s["location"]["physicalLocation"];
    assert_eq!(at["artifactLocation"]["uri"], "conf/nginx.conf");
    assert_eq!(at["region"]["startLine"], 3);
    assert_eq!(
        r101["locations"][0]["physicalLocation"]["region"]["startLine"],
        4
    );
    // the new one: not suppressed
    let r904 = results.iter().find(|r| r["ruleId"] == "TLS904").unwrap();
    assert!(r904.get("suppressions").is_none(), "{r904}");
    // the baselined ones: external, with the fingerprint the baseline holds
    let external: Vec<&Value> = results
        .iter()
        .filter(|r| kinds(r) == ["external"])
        .collect();
    assert_eq!(external.len(), recorded.len(), "{results:#?}");
    for r in &external {
        let fp = r["partialFingerprints"]["tlslint/v1"].as_str().unwrap();
        assert!(recorded.contains(&fp), "{fp} not in {recorded:?}");
        assert!(r["suppressions"][0]["justification"]
            .as_str()
            .unwrap()
            .contains("baseline"));
    }
    // JSON: the same findings, suppressed and baselined apart, as before
    let j: Value = serde_json::from_str(&stdout_of(
        &[&args[..], &["--format", "json"]].concat(),
        &conf,
    ))
    .unwrap();
    let open: Vec<&Value> = results.iter().filter(|r| kinds(r).is_empty()).collect();
    assert_eq!(j["findings"].as_array().unwrap().len(), open.len());
    assert_eq!(j["suppressed"].as_array().unwrap().len(), 1);
    assert_eq!(j["suppressed"][0]["code"], "TLS101");
    assert_eq!(j["baselined"].as_array().unwrap().len(), external.len());
    assert_eq!(j["summary"]["suppressed"], 1);
    assert_eq!(j["summary"]["baselined"], external.len());
    // GitHub annotations: only the open findings
    let gh = stdout_of(&[&args[..], &["--format", "github"]].concat(), &conf);
    let annotations: Vec<&str> = gh.lines().filter(|l| l.starts_with("::")).collect();
    assert_eq!(annotations.len(), open.len(), "{gh}");
    assert!(annotations.iter().any(|l| l.contains("title=TLS904")));
    assert!(!annotations.iter().any(|l| l.contains("title=TLS101")));
}

/// `%SRCROOT%` of a worktree (`.git` is a file) is its top; with no `.git`
/// upward it is the current directory.
#[test]
fn srcroot_is_the_checkout_top_or_the_current_directory() {
    let d = tempfile::tempdir().unwrap();
    let top = d.path();
    std::fs::create_dir_all(top.join("a/b")).unwrap();
    std::fs::write(
        top.join("a/b/nginx.conf"),
        "events {}\nhttp {\n  ssl_protocols TLSv1 TLSv1.2;\n  server { listen 443 ssl; }\n}\n",
    )
    .unwrap();
    let uri_and_base = |cwd: &Path, arg: &str| {
        let (log, _) = sarif(&[arg], cwd);
        check_valid(&validator(), &log, "srcroot");
        let run = &log["runs"][0];
        let r = run["results"]
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["ruleId"] == "TLS101")
            .unwrap()
            .clone();
        (
            r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
                .as_str()
                .unwrap()
                .to_string(),
            run["originalUriBaseIds"]["%SRCROOT%"]["uri"]
                .as_str()
                .unwrap()
                .to_string(),
        )
    };
    // no .git: the current directory
    assert_eq!(
        uri_and_base(&top.join("a"), "b"),
        ("b/nginx.conf".to_string(), file_uri_of(&top.join("a")))
    );
    // a worktree's .git file at the top
    std::fs::write(top.join(".git"), "gitdir: /elsewhere/.git/worktrees/x\n").unwrap();
    assert_eq!(
        uri_and_base(&top.join("a/b"), "."),
        ("a/b/nginx.conf".to_string(), file_uri_of(top))
    );
    // a file outside the checkout: an absolute file URI
    let other = tempfile::tempdir().unwrap();
    std::fs::write(
        other.path().join("nginx.conf"),
        "events {}\nhttp {\n  ssl_protocols TLSv1 TLSv1.2;\n  server { listen 443 ssl; }\n}\n",
    )
    .unwrap();
    let (uri, base) = uri_and_base(&top.join("a"), other.path().to_str().unwrap());
    assert_eq!(base, file_uri_of(top));
    assert_eq!(uri, format!("{}nginx.conf", file_uri_of(other.path())));
}

/// The driver's informationUri and each rule's helpUri come from Cargo.toml
/// (`homepage` / `repository`): the rule's page under docs/rules/ when there
/// is a repository, absent (never invented) when there is none.
#[test]
fn help_uris_point_at_the_rule_pages_or_are_absent() {
    let d = tempfile::tempdir().unwrap();
    std::fs::write(d.path().join("nginx.conf"), "events {}\nhttp {}\n").unwrap();
    let (log, _) = sarif(&["nginx.conf"], d.path());
    let driver = &log["runs"][0]["tool"]["driver"];
    let repository = env!("CARGO_PKG_REPOSITORY").trim();
    let home = [env!("CARGO_PKG_HOMEPAGE").trim(), repository]
        .into_iter()
        .find(|u| !u.is_empty());
    assert_eq!(driver["informationUri"].as_str(), home);
    let rules = driver["rules"].as_array().unwrap();
    assert!(rules.len() >= 50);
    // with a repository, the addresses are valid SARIF (format "uri")
    let mut with_urls = log.clone();
    with_urls["runs"][0]["tool"]["driver"]["informationUri"] =
        "https://example.org/o/tlslint".into();
    for r in with_urls["runs"][0]["tool"]["driver"]["rules"]
        .as_array_mut()
        .unwrap()
    {
        let id = r["id"].as_str().unwrap().to_string();
        r["helpUri"] = tlslint::rules::doc::page_url_in("https://example.org/o/tlslint", &id)
            .unwrap()
            .into();
    }
    check_valid(&validator(), &with_urls, "helpUri");
    let mut bad = with_urls.clone();
    bad["runs"][0]["tool"]["driver"]["rules"][0]["helpUri"] = "not a uri".into();
    assert!(validator().iter_errors(&bad).count() > 0);
    for r in rules {
        let id = r["id"].as_str().unwrap();
        let page = manifest().join(format!("docs/rules/{id}.md"));
        assert!(page.is_file(), "{id}: no {}", page.display());
        match tlslint::rules::doc::page_url(id) {
            Some(url) => {
                assert!(url.ends_with(&format!("/docs/rules/{id}.md")), "{url}");
                assert!(url.starts_with(repository.trim_end_matches('/')));
                assert_eq!(r["helpUri"], url.as_str());
                assert!(r["help"]["markdown"].as_str().unwrap().contains(&url));
            }
            None => {
                assert!(repository.is_empty());
                assert!(r.get("helpUri").is_none(), "{r}");
            }
        }
    }
}
