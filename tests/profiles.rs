//! profiles/ against the guideline JSON, key by key; policy files.

use std::path::Path;

fn json(v: &str) -> serde_json::Value {
    let p = format!("{}/profiles/mozilla/{v}.json", env!("CARGO_MANIFEST_DIR"));
    serde_json::from_str(&std::fs::read_to_string(p).unwrap()).unwrap()
}

fn yaml(v: &str) -> serde_json::Value {
    let p = format!("{}/profiles/mozilla-{v}.yaml", env!("CARGO_MANIFEST_DIR"));
    tlslint::yaml::from_str(&std::fs::read_to_string(&p).unwrap(), Path::new(&p)).unwrap()
}

fn compare(path: &str, a: &serde_json::Value, b: &serde_json::Value, diffs: &mut Vec<String>) {
    use serde_json::Value::*;
    match (a, b) {
        (Object(x), Object(y)) => {
            for k in x.keys().chain(y.keys()) {
                match (x.get(k), y.get(k)) {
                    (Some(u), Some(v)) => compare(&format!("{path}.{k}"), u, v, diffs),
                    _ => diffs.push(format!("{path}.{k}: present on one side only")),
                }
            }
        }
        (Number(n), Number(m)) if n.as_f64() == m.as_f64() => {}
        _ if a == b => {}
        _ => diffs.push(format!("{path}: {a} != {b}")),
    }
}

#[test]
fn yaml_profiles_equal_the_guideline_json_key_by_key() {
    // also guards the shared reference copies, when present beside the repo
    for v in ["5.7", "5.8", "6.0"] {
        let mut j = json(v);
        let y = yaml(v);
        // the YAML keeps the version as a string so that 6.0 stays 6.0
        assert_eq!(y["version"], serde_json::Value::String(v.to_string()));
        j["version"] = y["version"].clone();
        let mut diffs = Vec::new();
        compare(v, &j, &y, &mut diffs);
        assert!(
            diffs.is_empty(),
            "profiles/mozilla-{v}.yaml differs from the JSON:\n{}",
            diffs.join("\n")
        );
        let shared = Path::new(env!("CARGO_MANIFEST_DIR"))
            .join(format!("../shared/reference/mozilla-guidelines/{v}.json"));
        if shared.exists() {
            let s: serde_json::Value =
                serde_json::from_str(&std::fs::read_to_string(shared).unwrap()).unwrap();
            assert_eq!(
                s,
                json(v),
                "profiles/mozilla/{v}.json is no longer the shared reference copy"
            );
        }
    }
}

#[test]
fn every_profile_loads() {
    for v in ["5.7", "5.8", "6.0"] {
        let names: Vec<&str> = if v == "6.0" {
            vec!["modern", "intermediate"]
        } else {
            vec!["modern", "intermediate", "old"]
        };
        for n in names {
            let (p, _) = tlslint::profile::Profile::builtin(n, Some(v)).unwrap();
            assert_eq!(p.guideline, v);
            assert!(!p.tls_versions.is_empty());
            assert_eq!(p.ciphers.iana.len(), p.ciphers.openssl.len());
        }
    }
    assert!(tlslint::profile::Profile::builtin("old", Some("6.0"))
        .unwrap()
        .1
        .is_some());
}

#[test]
fn policy_files() {
    use tlslint::profile::Profile;
    let d = tempfile::tempdir().unwrap();
    let p = d.path().join("acme.yaml");
    std::fs::write(
        &p,
        "name: acme\nextends: intermediate\ntls_versions: [TLSv1.3]\nhsts_min_age: 31536000\n",
    )
    .unwrap();
    let (prof, _) = Profile::from_file(&p, "intermediate", None).unwrap();
    assert_eq!(prof.tls_versions, ["TLSv1.3"]);
    assert_eq!(prof.hsts_min_age, Some(31536000));
    assert_eq!(
        prof.ciphers.openssl.len(),
        6,
        "inherited from intermediate 6.0"
    );
    assert!(prof.name.contains("acme"));

    std::fs::write(&p, "extends: intermediate\ntls_version: [TLSv1.3]\n").unwrap();
    let e = Profile::from_file(&p, "intermediate", None).unwrap_err();
    assert_eq!(e.location.as_ref().unwrap().line, 2, "{e}");

    // a guideline JSON as published
    let j = d.path().join("5.7.json");
    std::fs::copy(
        format!("{}/profiles/mozilla/5.7.json", env!("CARGO_MANIFEST_DIR")),
        &j,
    )
    .unwrap();
    let (prof, _) = Profile::from_file(&j, "old", None).unwrap();
    assert!(prof.tls_versions.contains(&"TLSv1".to_string()));
    assert!(Profile::from_file(&j, "nope", None).is_err());
}
