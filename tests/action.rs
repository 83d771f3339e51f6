//! The composite GitHub Action (`action.yml`): its `run:` steps are executed
//! as the runner executes them (`bash --noprofile --norc -eo pipefail`, each
//! step's `env:` with its `${{ inputs.* }}` / `${{ steps.*.outputs.* }}`
//! expressions evaluated, `$GITHUB_OUTPUT` and `$GITHUB_PATH` files read
//! after each step), in a fake runner environment: `GITHUB_ACTION_PATH` is
//! this checkout, the workspace a copy of examples/nginx, no network. The
//! install step runs `cargo install --locked --path $GITHUB_ACTION_PATH` with
//! `cargo-install-args: --debug --offline` and this test's own target
//! directory, so that it reuses the build `cargo test` just made instead of
//! a release build of its own. The `uses:` upload step is checked for what
//! it is given (it needs GitHub).

mod common;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

use serde_json::Value;

/// The target directory this test's tlslint was built in.
fn target_dir() -> PathBuf {
    // .../TARGET/debug/tlslint
    common::tlslint()
        .parent()
        .and_then(Path::parent)
        .expect("target dir")
        .to_path_buf()
}

struct Runner {
    inputs: BTreeMap<String, String>,
    outputs: BTreeMap<String, BTreeMap<String, String>>,
    path: Vec<PathBuf>,
    workspace: PathBuf,
    temp: PathBuf,
    action_path: PathBuf,
}

impl Runner {
    /// `${{ EXPR }}` in `text`: inputs, step outputs, literal text around.
    fn eval(&self, text: &str) -> String {
        let mut out = String::new();
        let mut rest = text;
        while let Some(i) = rest.find("${{") {
            out.push_str(&rest[..i]);
            let j = rest[i..].find("}}").expect("unclosed ${{") + i;
            let expr = rest[i + 3..j].trim();
            let v = if let Some(name) = expr.strip_prefix("inputs.") {
                self.inputs
                    .get(name)
                    .unwrap_or_else(|| panic!("no input {name}"))
                    .clone()
            } else if let Some(s) = expr.strip_prefix("steps.") {
                let (id, name) = s.split_once(".outputs.").expect("steps.ID.outputs.NAME");
                self.outputs
                    .get(id)
                    .and_then(|o| o.get(name))
                    .cloned()
                    .unwrap_or_default()
            } else {
                panic!("expression this test does not evaluate: {expr}")
            };
            out.push_str(&v);
            rest = &rest[j + 2..];
        }
        out.push_str(rest);
        out
    }

    /// Run one `run:` step; its exit code.
    fn run(&mut self, step: &Value, extra_env: &[(&str, &str)]) -> i32 {
        assert_eq!(step["shell"], "bash", "{step}");
        let dir = tempfile::tempdir_in(&self.temp).unwrap();
        let script = dir.path().join("step.sh");
        std::fs::write(&script, step["run"].as_str().unwrap()).unwrap();
        let output = dir.path().join("output");
        let gpath = dir.path().join("path");
        for f in [&output, &gpath] {
            std::fs::write(f, "").unwrap();
        }
        let mut cmd = Command::new("bash");
        cmd.args(["--noprofile", "--norc", "-eo", "pipefail"])
            .arg(&script)
            .current_dir(&self.workspace);
        let base = std::env::var_os("PATH").unwrap_or_default();
        let path = std::env::join_paths(
            self.path
                .iter()
                .cloned()
                .chain(std::env::split_paths(&base)),
        )
        .unwrap();
        cmd.env("PATH", path)
            .env("GITHUB_ACTION_PATH", &self.action_path)
            .env("GITHUB_WORKSPACE", &self.workspace)
            .env("RUNNER_TEMP", &self.temp)
            .env("GITHUB_OUTPUT", &output)
            .env("GITHUB_PATH", &gpath)
            .env("GITHUB_ACTIONS", "true")
            .env("CARGO_TARGET_DIR", target_dir());
        if let Some(env) = step["env"].as_object() {
            for (k, v) in env {
                cmd.env(k, self.eval(v.as_str().unwrap_or_default()));
            }
        }
        for (k, v) in extra_env {
            cmd.env(k, v);
        }
        let o = common::run(&mut cmd, Duration::from_secs(900)).unwrap_or_else(|e| panic!("{e}"));
        common::say(&format!(
            "step {:?}: exit {:?}\n{}{}",
            step["name"],
            o.code,
            o.stdout_str(),
            o.stderr
        ));
        if let Some(id) = step["id"].as_str() {
            let text = std::fs::read_to_string(&output).unwrap();
            let map = text
                .lines()
                .filter_map(|l| l.split_once('='))
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect();
            self.outputs.insert(id.to_string(), map);
        }
        for l in std::fs::read_to_string(&gpath).unwrap().lines() {
            self.path.insert(0, PathBuf::from(l));
        }
        o.code.expect("exited")
    }
}

#[test]
fn the_action_installs_tlslint_writes_sarif_and_fails_on_findings() {
    let repo = common::repo();
    let text = std::fs::read_to_string(repo.join("action.yml")).unwrap();
    let action: Value = tlslint::yaml::from_str(&text, Path::new("action.yml")).unwrap();
    assert_eq!(action["runs"]["using"], "composite");
    let temp = tempfile::tempdir().unwrap();
    let workspace = temp.path().join("workspace");
    common::copy_dir(&repo.join("examples/nginx"), &workspace).unwrap();
    let runner_temp = temp.path().join("runner");
    std::fs::create_dir_all(&runner_temp).unwrap();
    let mut inputs: BTreeMap<String, String> = action["inputs"]
        .as_object()
        .unwrap()
        .iter()
        .map(|(k, v)| (k.clone(), v["default"].as_str().unwrap_or("").to_string()))
        .collect();
    inputs.insert(
        "cargo-install-args".into(),
        "--debug --offline --quiet".into(),
    );
    let mut r = Runner {
        inputs,
        outputs: BTreeMap::new(),
        path: Vec::new(),
        workspace: workspace.clone(),
        temp: runner_temp.clone(),
        action_path: repo.clone(),
    };
    let steps = action["runs"]["steps"].as_array().unwrap();
    let names: Vec<&str> = steps.iter().map(|s| s["name"].as_str().unwrap()).collect();
    assert_eq!(
        names,
        ["Install tlslint", "Run tlslint", "Upload SARIF", "Result"]
    );

    // install: into $RUNNER_TEMP/tlslint, on PATH for the next steps
    assert_eq!(r.run(&steps[0], &[]), 0);
    let installed = runner_temp.join("tlslint/bin/tlslint");
    assert!(installed.is_file(), "{}", installed.display());
    assert_eq!(r.path, [runner_temp.join("tlslint/bin")]);

    // run: the example has findings; the SARIF is written, the step passes
    assert_eq!(r.run(&steps[1], &[]), 0);
    let out = &r.outputs["run"];
    assert_eq!(out["exit-code"], "1");
    assert_eq!(out["sarif-file"], "tlslint.sarif");
    let sarif: Value =
        serde_json::from_str(&std::fs::read_to_string(workspace.join("tlslint.sarif")).unwrap())
            .unwrap();
    assert_eq!(sarif["version"], "2.1.0");
    let results = sarif["runs"][0]["results"].as_array().unwrap();
    assert!(!results.is_empty(), "{sarif}");
    assert_eq!(sarif["runs"][0]["tool"]["driver"]["name"], "tlslint");

    // upload: the SARIF of the run step, under the category input
    let up = &steps[2];
    assert!(up["uses"]
        .as_str()
        .unwrap()
        .starts_with("github/codeql-action/upload-sarif@"));
    assert_eq!(
        r.eval(up["with"]["sarif_file"].as_str().unwrap()),
        "tlslint.sarif"
    );
    assert_eq!(r.eval(up["with"]["category"].as_str().unwrap()), "tlslint");
    assert!(up["if"].as_str().unwrap().contains("always()"));

    // result: fails with tlslint's exit code, unless `fail: false`
    assert_eq!(r.run(&steps[3], &[]), 1);
    r.inputs.insert("fail".into(), "false".into());
    assert_eq!(r.run(&steps[3], &[]), 0);

    // a tree that cannot be read: exit 2, still a SARIF, and the job fails
    std::fs::write(workspace.join("nginx.conf"), "http {\n").unwrap();
    r.inputs.insert("fail".into(), "true".into());
    assert_eq!(r.run(&steps[1], &[]), 0);
    assert_eq!(r.outputs["run"]["exit-code"], "2");
    assert!(workspace.join("tlslint.sarif").metadata().unwrap().len() > 0);
    assert_eq!(r.run(&steps[3], &[]), 2);
}
