//! rules/<CODE>.yaml and src/rules/ match one to one, and every example in
//! the rule pages is flagged (bad) or clean (good) for its rule, as it says.

use std::collections::BTreeSet;

use tlslint::rules::{doc, RULES};

mod certgen;

fn yaml_codes() -> BTreeSet<String> {
    std::fs::read_dir(concat!(env!("CARGO_MANIFEST_DIR"), "/rules"))
        .unwrap()
        .flatten()
        .filter_map(|e| {
            e.file_name()
                .to_str()
                .and_then(|n| n.strip_suffix(".yaml"))
                .map(str::to_string)
        })
        .collect()
}

#[test]
fn yaml_pages_and_rust_rules_match_one_to_one() {
    let rust: BTreeSet<String> = RULES.iter().map(|r| r.meta().code.to_string()).collect();
    assert_eq!(rust.len(), RULES.len(), "duplicate codes in RULES");
    assert_eq!(yaml_codes(), rust, "rules/*.yaml vs RULES");
    let embedded: BTreeSet<String> = doc::DOCS.iter().map(|(c, _)| c.to_string()).collect();
    assert_eq!(
        embedded, rust,
        "the docs! list in src/rules/doc.rs vs RULES"
    );
    let mut names = BTreeSet::new();
    for r in RULES {
        let m = r.meta();
        let d = doc::doc(m.code).unwrap();
        assert_eq!(d.code, m.code);
        assert_eq!(d.name, m.name, "{}", m.code);
        assert_eq!(d.summary, m.summary, "{}", m.code);
        assert_eq!(d.default_severity, m.severity.as_str(), "{}", m.code);
        assert!(!d.rationale.trim().is_empty(), "{}", m.code);
        assert!(names.insert(m.name), "duplicate name {}", m.name);
        // the source file is named after the code and the name
        let file = format!(
            "{}/src/rules/{}_{}.rs",
            env!("CARGO_MANIFEST_DIR"),
            m.code.to_lowercase(),
            m.name.replace('-', "_")
        );
        assert!(std::path::Path::new(&file).exists(), "missing {file}");
    }
}

/// The codes tlslint reports for one example, run through the command line
/// (so that suppressions and every other stage apply).
fn codes_for(
    server: &str,
    text: &str,
    args: &[String],
    setup: Option<&str>,
) -> (Vec<String>, String) {
    let dir = tempfile::tempdir().unwrap();
    if let Some(script) = setup {
        certgen::setup(dir.path(), script);
    }
    let main = dir.path().join(if server == "apache" {
        "apache2.conf"
    } else {
        "nginx.conf"
    });
    std::fs::write(&main, text).unwrap();
    let o = std::process::Command::new(env!("CARGO_BIN_EXE_tlslint"))
        .current_dir(dir.path())
        .arg(&main)
        .args(["--format", "json"])
        .args(args)
        .output()
        .unwrap();
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap_or_else(|e| {
        panic!(
            "{e}: {}{}",
            String::from_utf8_lossy(&o.stdout),
            String::from_utf8_lossy(&o.stderr)
        )
    });
    assert!(
        v["errors"].as_array().unwrap().is_empty(),
        "example does not parse: {}\n{text}",
        v["errors"]
    );
    let codes = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["code"].as_str().unwrap().to_string())
        .collect();
    (codes, v["findings"].to_string())
}

#[test]
fn every_example_is_flagged_or_clean_as_it_says() {
    let mut checked = 0;
    let mut probe_only = 0;
    for r in RULES {
        let code = r.meta().code;
        let d = doc::doc(code).unwrap();
        if let Some(tests) = &d.probe_only {
            // compares a running server with its configuration: no static
            // example can be flagged or clean; the page names the live tests
            assert!(
                d.examples.is_empty(),
                "{code}: a probe-only rule has no static examples"
            );
            assert!(
                d.applies_to.probe,
                "{code}: probe_only needs applies_to.probe"
            );
            let file = tests.split_whitespace().next().unwrap_or("");
            assert!(
                std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
                    .join(file)
                    .is_file(),
                "{code}: probe_only must start with the live test file, not {file:?}"
            );
            probe_only += 1;
            continue;
        }
        for server in ["nginx", "apache"] {
            let ex = d
                .examples
                .get(server)
                .unwrap_or_else(|| panic!("{code}: no {server} examples"));
            assert!(
                (!ex.bad.is_empty() || ex.not_applicable.is_some()) && !ex.good.is_empty(),
                "{code}: needs bad (or `not_applicable: reason`) and good {server} examples"
            );
            assert!(
                ex.not_applicable.is_none() || ex.bad.is_empty(),
                "{code}: {server} is not applicable, yet has bad examples"
            );
            if ex.setup.is_some() {
                // generated certificates have fixed dates: the clock must be fixed too
                assert!(
                    ex.args.iter().any(|a| a == "--now"),
                    "{code}: examples with `setup` must set `--now` in `args`"
                );
                if !certgen::require_openssl(&format!("{code}'s examples")) {
                    checked += ex.bad.len() + ex.good.len();
                    continue;
                }
            }
            for (want, list) in [(true, &ex.bad), (false, &ex.good)] {
                for text in list {
                    let (codes, all) = codes_for(server, text, &ex.args, ex.setup.as_deref());
                    let got = codes.iter().any(|c| c == code);
                    assert_eq!(
                        got,
                        want,
                        "{code}: {server} {} example {}:\n{text}\nfindings: {all}",
                        if want { "bad" } else { "good" },
                        if want { "not flagged" } else { "flagged" },
                    );
                    checked += 1;
                }
            }
        }
    }
    assert!(checked >= 4 * (RULES.len() - probe_only));
}

#[test]
fn explain_by_code_and_name() {
    let a = doc::explain("tls504").unwrap();
    let b = doc::explain("hsts-dropped").unwrap();
    assert_eq!(a, b);
    assert!(a.contains("Bad (nginx)"));
    assert!(doc::explain("TLS000").is_err());
}
