//! Exit codes and `--fail-on`, settings files (discovery, `--config`,
//! unknown keys, flags over the file, excludes), inline suppressions with
//! TLS906, `--baseline` / `--write-baseline`, `--format github`, and the
//! pre-commit hook definition.

use std::path::Path;
use std::process::{Command, Output};

use serde_json::Value;

fn run_in(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_tlslint"))
        .current_dir(dir)
        .args(args)
        .env("NO_COLOR", "1")
        .output()
        .unwrap()
}

/// The rules these tests are about; other rules (more are added over time)
/// must not change the counts.
const RULES: &str = "TLS101,TLS501,TLS505,TLS906";

/// `run_in` with `--enable RULES`.
fn run_r(dir: &Path, args: &[&str]) -> Output {
    let mut a = args.to_vec();
    a.extend(["--enable", RULES]);
    run_in(dir, &a)
}

fn write(dir: &Path, rel: &str, text: &str) {
    let p = dir.join(rel);
    std::fs::create_dir_all(p.parent().unwrap()).unwrap();
    std::fs::write(p, text).unwrap();
}

fn s(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

fn json(o: &Output) -> Value {
    serde_json::from_slice(&o.stdout)
        .unwrap_or_else(|e| panic!("{e}: {}{}", s(&o.stdout), s(&o.stderr)))
}

fn codes(v: &Value, key: &str) -> Vec<String> {
    v[key]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["code"].as_str().unwrap().to_string())
        .collect()
}

const MAIN: &str =
    "events {}\nhttp {\n  ssl_protocols TLSv1 TLSv1.2 TLSv1.3;\n  include sites/*.conf;\n}\n";
const SITE: &str = "server {\n  listen 443 ssl;\n  server_name a.example;\n  ssl_certificate a.pem;\n  ssl_certificate_key a.key;\n}\n";

/// A git checkout (so that settings discovery stops there) with one tree:
/// TLS101 (error) at nginx.conf:3, TLS501 (warning) and TLS505 (info) at
/// sites/a.conf:2.
fn repo() -> tempfile::TempDir {
    let d = tempfile::tempdir().unwrap();
    std::fs::create_dir(d.path().join(".git")).unwrap();
    write(d.path(), "nginx.conf", MAIN);
    write(d.path(), "sites/a.conf", SITE);
    d
}

#[test]
fn fail_on_decides_exit_1() {
    let d = repo();
    let p = d.path();
    // default: warning
    assert_eq!(run_r(p, &["."]).status.code(), Some(1));
    assert_eq!(
        run_r(p, &[".", "--fail-on", "never"]).status.code(),
        Some(0)
    );
    assert_eq!(
        run_r(p, &[".", "--fail-on", "error"]).status.code(),
        Some(1)
    );
    // only the warning and the info left
    let only = ["--disable", "TLS101"];
    assert_eq!(run_r(p, &[".", only[0], only[1]]).status.code(), Some(1));
    assert_eq!(
        run_r(p, &[".", only[0], only[1], "--fail-on", "error"])
            .status
            .code(),
        Some(0)
    );
    // only the info left
    let o = run_in(p, &[".", "--enable", "TLS505"]);
    assert_eq!(o.status.code(), Some(0), "{}", s(&o.stdout));
    assert!(s(&o.stdout).contains("1 info"), "{}", s(&o.stdout));
    assert_eq!(
        run_in(p, &[".", "--enable", "TLS505", "--fail-on", "info"])
            .status
            .code(),
        Some(1)
    );
    // 2 stays for unreadable trees and bad usage, whatever --fail-on says
    write(p, "sites/b.conf", "server {\n");
    assert_eq!(
        run_r(p, &[".", "--fail-on", "never"]).status.code(),
        Some(2)
    );
    assert_eq!(
        run_in(p, &[".", "--fail-on", "sometimes"]).status.code(),
        Some(2)
    );
    assert_eq!(
        run_in(p, &[".", "--enable", "TLS999"]).status.code(),
        Some(2)
    );
}

#[test]
fn settings_file_is_found_upward_and_flags_win() {
    let d = repo();
    let p = d.path();
    write(
        p,
        ".tlslint.yaml",
        "# repo settings\nrules:\n  enable: [TLS101, TLS501, TLS505, TLS906]\n  disable: [protocol-outside-profile, TLS505]\nseverity:\n  TLS501: info\nfail_on: info\n",
    );
    // linting a file below finds the settings at the checkout's top
    let o = run_in(&p.join("sites"), &["a.conf", "--format", "json"]);
    let v = json(&o);
    assert_eq!(codes(&v, "findings"), vec!["TLS501"]);
    assert_eq!(v["findings"][0]["severity"], "info");
    assert!(v["trees"][0]["config"]
        .as_str()
        .unwrap()
        .ends_with(".tlslint.yaml"));
    assert_eq!(o.status.code(), Some(1), "fail_on: info in the file");
    // flags override the file
    let o = run_in(p, &[".", "--fail-on", "warning"]);
    assert_eq!(o.status.code(), Some(0), "{}", s(&o.stdout));
    // a rule the command line enables runs even if the file disables it
    let v = json(&run_in(p, &[".", "--enable", "TLS101", "--format", "json"]));
    assert_eq!(codes(&v, "findings"), vec!["TLS101"]);
    // --no-config ignores it
    let v = json(&run_r(p, &[".", "--no-config", "--format", "json"]));
    assert_eq!(codes(&v, "findings").len(), 3);
    // .tlslint.yml works too, and a settings file above the checkout is not used
    std::fs::remove_file(p.join(".tlslint.yaml")).unwrap();
    write(p, ".tlslint.yml", "rules: {enable: [TLS10]}\n");
    let v = json(&run_in(p, &[".", "--format", "json"]));
    let c = codes(&v, "findings");
    assert!(c.contains(&"TLS101".to_string()), "{c:?}");
    assert!(c.iter().all(|c| c.starts_with("TLS10")), "{c:?}");
    let inner = p.join("inner");
    std::fs::create_dir_all(inner.join(".git")).unwrap();
    write(
        &inner,
        "nginx.conf",
        MAIN.replace("include sites/*.conf;", "").as_str(),
    );
    let v = json(&run_in(&inner, &[".", "--format", "json"]));
    assert!(v["trees"][0]["config"].is_null(), "{}", v["trees"]);
}

#[test]
fn explicit_config_profile_and_versions() {
    let d = repo();
    let p = d.path();
    write(
        p,
        "conf/tlslint.yaml",
        "profile: modern\nnginx_version: 1.24.0\nopenssl_version: 1.1.1\napache_version: 2.4.62\nguidelines: 5.7\n",
    );
    let v = json(&run_in(
        p,
        &[".", "--config", "conf/tlslint.yaml", "--format", "json"],
    ));
    assert_eq!(v["profile"]["name"], "modern");
    assert_eq!(v["profile"]["guideline"], "5.7");
    assert_eq!(v["target"]["nginx"]["version"], "1.24.0");
    assert_eq!(v["target"]["nginx"]["origin"], "config");
    assert_eq!(v["target"]["openssl"]["version"], "1.1.1");
    // flags win
    let v = json(&run_in(
        p,
        &[
            ".",
            "--config",
            "conf/tlslint.yaml",
            "--profile",
            "intermediate",
            "--nginx-version",
            "1.26.0",
            "--format",
            "json",
        ],
    ));
    assert_eq!(v["profile"]["name"], "intermediate");
    assert_eq!(v["target"]["nginx"]["version"], "1.26.0");
    assert_eq!(v["target"]["nginx"]["origin"], "flag");
    // a missing --config is an error
    assert_eq!(
        run_in(p, &[".", "--config", "nope.yaml"]).status.code(),
        Some(2)
    );
}

#[test]
fn bad_settings_are_errors_with_the_yaml_line() {
    let d = repo();
    let p = d.path();
    for (text, line, what) in [
        ("profile: modern\nrulez: {}\n", 2, "rulez"),
        (
            "rules:\n  disable:\n    - TLS101\n    - TLS998\n",
            4,
            "TLS998",
        ),
        ("severity:\n  TLS101: loud\n", 2, "loud"),
        ("nginx_version: latest\n", 1, "latest"),
        ("rules: {enable: [TLS101], exclude: [x]}\n", 1, "exclude"),
    ] {
        write(p, ".tlslint.yaml", text);
        let o = run_in(p, &["."]);
        assert_eq!(o.status.code(), Some(2), "{text}");
        let err = s(&o.stderr);
        assert!(
            err.contains(&format!(".tlslint.yaml:{line}:")),
            "{text}: {err}"
        );
        assert!(err.contains(what), "{text}: {err}");
    }
}

#[test]
fn excluded_files_drop_findings_and_are_not_roots() {
    let d = repo();
    let p = d.path();
    write(
        p,
        ".tlslint.yaml",
        "exclude: [\"sites/**\", \"legacy\"]\nrules: {enable: [TLS101, TLS501, TLS505]}\n",
    );
    let v = json(&run_in(p, &[".", "--format", "json"]));
    assert_eq!(codes(&v, "findings"), vec!["TLS101"]);
    write(p, "legacy/nginx.conf", MAIN);
    let o = run_in(p, &[".", "--format", "json"]);
    let v = json(&o);
    assert_eq!(v["trees"].as_array().unwrap().len(), 1, "{}", v["trees"]);
    assert!(s(&o.stderr).is_empty() || !s(&o.stderr).contains("error"));
    // an Apache tree there is excluded too (even one that would not read)
    write(p, "legacy/a/apache2.conf", "<VirtualHost *:443>\n");
    let o = run_in(p, &[".", "--format", "json"]);
    let v = json(&o);
    assert_eq!(v["trees"].as_array().unwrap().len(), 1, "{}", v["trees"]);
    assert_eq!(o.status.code(), Some(1), "{}", s(&o.stderr));
    assert!(
        v["notes"]
            .to_string()
            .contains("legacy/a/apache2.conf is excluded"),
        "{}",
        v["notes"]
    );
}

fn suppression_tree(p: &Path, main: &str, site: &str) -> Value {
    write(p, "nginx.conf", main);
    write(p, "sites/a.conf", site);
    json(&run_in(
        p,
        &[".", "--enable", "TLS101,TLS501,TLS906", "--format", "json"],
    ))
}

#[test]
fn inline_suppressions() {
    let d = repo();
    let p = d.path();
    // the next directive, by code or name, with a reason
    let main = MAIN.replace(
        "  ssl_protocols",
        "  # tlslint: ignore protocol-outside-profile -- POS terminals until 2026\n  ssl_protocols",
    );
    let v = suppression_tree(p, &main, SITE);
    assert_eq!(codes(&v, "findings"), vec!["TLS501"]);
    assert_eq!(codes(&v, "suppressed"), vec!["TLS101"]);
    let by = &v["suppressed"][0]["suppressed_by"];
    assert_eq!(by["line"], 3);
    assert_eq!(by["reason"], "POS terminals until 2026");
    assert_eq!(v["summary"]["suppressed"], 1);

    // a trailing comment applies to its own line's directive
    let main = MAIN.replace("TLSv1.3;", "TLSv1.3; # tlslint: ignore TLS101 -- legacy");
    let v = suppression_tree(p, &main, SITE);
    assert_eq!(codes(&v, "findings"), vec!["TLS501"]);

    // a block: everything inside it; several codes
    let site = format!("# tlslint: ignore TLS501, TLS101 -- internal only\n{SITE}");
    let v = suppression_tree(p, MAIN, &site);
    // TLS501 is gone; TLS101 sits in nginx.conf, outside that block: that code suppressed nothing
    assert_eq!(codes(&v, "findings"), vec!["TLS101", "TLS906"]);
    let tls906 = &v["findings"][1];
    assert!(
        tls906["message"].as_str().unwrap().contains("TLS101"),
        "{tls906}"
    );
    assert!(
        !tls906["message"].as_str().unwrap().contains("TLS501"),
        "{tls906}"
    );
    assert!(tls906["file"].as_str().unwrap().ends_with("sites/a.conf"));
    assert_eq!(tls906["line"], 1);
    assert_eq!(tls906["severity"], "warning");
    // the block's opening line
    let site = SITE.replace(
        "server {",
        "server { # tlslint: ignore TLS501 -- internal only",
    );
    let v = suppression_tree(p, MAIN, &site);
    assert_eq!(codes(&v, "findings"), vec!["TLS101"]);

    // an include: the files it brings in
    let main = MAIN.replace(
        "  include",
        "  # tlslint: ignore TLS501 -- vendor snippets\n  include",
    );
    let v = suppression_tree(p, &main, SITE);
    assert_eq!(codes(&v, "findings"), vec!["TLS101"]);

    // ignore-file
    let site = format!("{SITE}# tlslint: ignore-file hsts-missing -- no browsers here\n");
    let v = suppression_tree(p, MAIN, &site);
    assert_eq!(codes(&v, "findings"), vec!["TLS101"]);

    // the reason is required: not applied, and TLS906
    let main = MAIN.replace(
        "  ssl_protocols",
        "  # tlslint: ignore TLS101\n  ssl_protocols",
    );
    let v = suppression_tree(p, &main, SITE);
    assert_eq!(codes(&v, "findings"), vec!["TLS101", "TLS501", "TLS906"]);
    assert!(v["findings"][2]["message"]
        .as_str()
        .unwrap()
        .contains("without a reason"));
    assert_eq!(v["findings"][2]["line"], 3);

    // an unknown rule; a malformed comment; nothing after it
    let main = MAIN.replace(
        "  ssl_protocols",
        "  # tlslint: ignore TLS101,TLS9999 -- typo\n  # tlslint: disable TLS101 -- wrong word\n  ssl_protocols",
    ) + "# tlslint: ignore TLS501 -- at the end\n";
    let v = suppression_tree(p, &main, SITE);
    assert_eq!(
        codes(&v, "findings"),
        vec!["TLS501", "TLS906", "TLS906", "TLS906"]
    );
    let msgs: Vec<&str> = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .skip(1)
        .map(|f| f["message"].as_str().unwrap())
        .collect();
    assert!(msgs[0].contains("unknown rule `TLS9999`"), "{msgs:?}");
    assert!(msgs[1].contains("malformed"), "{msgs:?}");
    assert!(msgs[2].contains("no directive follows"), "{msgs:?}");

    // unused suppressions of rules that did not run are not reported
    let main = MAIN.replace(
        "  include",
        "  # tlslint: ignore TLS505 -- not run\n  include",
    );
    let v = suppression_tree(p, &main, SITE);
    assert_eq!(codes(&v, "findings"), vec!["TLS101", "TLS501"]);

    // --no-inline-ignores
    let main = MAIN.replace(
        "  ssl_protocols",
        "  # tlslint: ignore TLS101 -- ok\n  ssl_protocols",
    );
    write(p, "nginx.conf", &main);
    let v = json(&run_in(
        p,
        &[
            ".",
            "--enable",
            "TLS101,TLS906",
            "--no-inline-ignores",
            "--format",
            "json",
        ],
    ));
    assert_eq!(codes(&v, "findings"), vec!["TLS101"]);
    // TLS906 itself can be disabled, and its severity changed
    write(p, ".tlslint.yaml", "severity: {TLS906: error}\n");
    let main = MAIN.replace(
        "  ssl_protocols",
        "  # tlslint: ignore TLS101\n  ssl_protocols",
    );
    write(p, "nginx.conf", &main);
    let v = json(&run_in(p, &[".", "--format", "json"]));
    let f = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["code"] == "TLS906")
        .unwrap()
        .clone();
    assert_eq!(f["severity"], "error");
    let v = json(&run_in(
        p,
        &[".", "--disable", "TLS906", "--format", "json"],
    ));
    assert!(!codes(&v, "findings").contains(&"TLS906".to_string()));
}

#[test]
fn a_suppression_in_a_shared_file_counts_once_across_trees() {
    let d = tempfile::tempdir().unwrap();
    let p = d.path();
    std::fs::create_dir(p.join(".git")).unwrap();
    // tree one inherits TLSv1 (TLS101 in the shared file? no: at its own http) —
    // the shared site is suppressed for TLS501 in both trees
    for t in ["one", "two"] {
        write(
            p,
            &format!("{t}/nginx.conf"),
            "events {}\nhttp {\n  ssl_protocols TLSv1.2 TLSv1.3;\n  include ../shared/*.conf;\n}\n",
        );
    }
    write(
        p,
        "shared/site.conf",
        &format!("# tlslint: ignore TLS501 -- internal\n{SITE}# tlslint: ignore TLS501 -- unused\nssl_session_timeout 1d;\n"),
    );
    let v = json(&run_in(
        p,
        &[".", "--enable", "TLS501,TLS906", "--format", "json"],
    ));
    assert_eq!(codes(&v, "suppressed"), vec!["TLS501", "TLS501"]);
    // the unused one is reported once, not once per tree
    assert_eq!(codes(&v, "findings"), vec!["TLS906"], "{}", v["findings"]);
}

#[test]
fn baseline_fails_only_on_new_findings() {
    let d = repo();
    let p = d.path();
    let o = run_r(p, &[".", "--write-baseline", "tlslint-baseline.json"]);
    assert_eq!(o.status.code(), Some(0), "{}{}", s(&o.stdout), s(&o.stderr));
    assert!(
        s(&o.stderr).contains("wrote 3 finding(s)"),
        "{}",
        s(&o.stderr)
    );
    let b: Value =
        serde_json::from_str(&std::fs::read_to_string(p.join("tlslint-baseline.json")).unwrap())
            .unwrap();
    assert_eq!(b["tool"], "tlslint");
    assert_eq!(b["format"], 1);
    assert_eq!(b["findings"].as_array().unwrap().len(), 3);
    assert_eq!(b["findings"][0]["root"], "nginx.conf");

    let o = run_r(p, &[".", "--baseline", "tlslint-baseline.json"]);
    assert_eq!(o.status.code(), Some(0), "{}", s(&o.stdout));
    assert!(
        s(&o.stdout).contains("3 in the baseline"),
        "{}",
        s(&o.stdout)
    );

    // unrelated edits shift every line: still baselined (also from another directory)
    write(
        p,
        "nginx.conf",
        &format!(
            "# header\n\nuser www-data;\n{}",
            MAIN.replace("http {", "http {\n  sendfile on;\n")
        ),
    );
    write(
        p,
        "sites/a.conf",
        &format!("\n\n{}", SITE.replace("  listen", "  root /srv;\n  listen")),
    );
    let o = run_r(
        &p.join("sites"),
        &[
            "..",
            "--baseline",
            "../tlslint-baseline.json",
            "--format",
            "json",
        ],
    );
    let v = json(&o);
    assert_eq!(
        codes(&v, "findings"),
        Vec::<String>::new(),
        "{}",
        v["findings"]
    );
    assert_eq!(v["summary"]["baselined"], 3);
    assert_eq!(o.status.code(), Some(0));

    // a new finding fails, and is the only one reported
    write(
        p,
        "sites/b.conf",
        "server {\n  listen 8443 ssl;\n  server_name b.example;\n  ssl_protocols TLSv1.1 TLSv1.2;\n  ssl_certificate b.pem;\n  ssl_certificate_key b.key;\n}\n",
    );
    let o = run_r(
        p,
        &[
            ".",
            "--baseline",
            "tlslint-baseline.json",
            "--format",
            "json",
        ],
    );
    assert_eq!(o.status.code(), Some(1));
    let v = json(&o);
    assert!(!codes(&v, "findings").is_empty());
    for f in v["findings"].as_array().unwrap() {
        assert!(f["file"].as_str().unwrap().ends_with("b.conf"), "{f}");
    }

    // a missing baseline: every finding is new (with a note); a broken one: exit 2
    let o = run_r(p, &[".", "--baseline", "nope.json"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(s(&o.stderr).contains("does not exist"), "{}", s(&o.stderr));
    write(p, "broken.json", "{\"findings\": 3}");
    assert_eq!(
        run_r(p, &[".", "--baseline", "broken.json"]).status.code(),
        Some(2)
    );
    // no baseline is written while a tree cannot be read
    let before = std::fs::read(p.join("tlslint-baseline.json")).unwrap();
    write(p, "sites/c.conf", "server {\n");
    let o = run_r(p, &[".", "--write-baseline", "tlslint-baseline.json"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        s(&o.stderr).contains("not writing the baseline"),
        "{}",
        s(&o.stderr)
    );
    assert_eq!(
        before,
        std::fs::read(p.join("tlslint-baseline.json")).unwrap()
    );
    assert_eq!(
        run_r(
            p,
            &[".", "--baseline", "a.json", "--write-baseline", "b.json"]
        )
        .status
        .code(),
        Some(2)
    );
}

#[test]
fn identical_findings_are_counted_not_collapsed() {
    let d = repo();
    let p = d.path();
    let two = "server {\n  listen 443 ssl;\n  server_name a.example;\n  ssl_certificate a.pem;\n  ssl_certificate_key a.key;\n}\nserver {\n  listen 443 ssl;\n  server_name a.example;\n  ssl_certificate a.pem;\n  ssl_certificate_key a.key;\n}\n";
    write(p, "sites/a.conf", two);
    let args = [".", "--enable", "TLS501"];
    let mut w = args.to_vec();
    w.extend(["--write-baseline", "bl.json"]);
    assert_eq!(run_in(p, &w).status.code(), Some(0));
    let mut r = args.to_vec();
    r.extend(["--baseline", "bl.json"]);
    assert_eq!(run_in(p, &r).status.code(), Some(0));
    // a third identical server is new
    write(p, "sites/a.conf", &format!("{two}{SITE}"));
    let o = run_in(p, &r);
    assert_eq!(o.status.code(), Some(1), "{}", s(&o.stdout));
    assert!(s(&o.stdout).contains("1 warning(s)"), "{}", s(&o.stdout));
}

#[test]
fn github_annotations() {
    let d = repo();
    let p = d.path();
    write(
        p,
        "sites/a,b.conf",
        "server {\n  listen 8443 ssl;\n  ssl_certificate a.pem;\n  ssl_certificate_key a.key;\n}\n",
    );
    let o = run_in(
        p,
        &[
            ".",
            "--format",
            "github",
            "--enable",
            "TLS101,TLS501,TLS505",
        ],
    );
    assert_eq!(o.status.code(), Some(1));
    let out = s(&o.stdout);
    let lines: Vec<&str> = out.lines().collect();
    let e = lines
        .iter()
        .find(|l| l.starts_with("::error "))
        .unwrap_or_else(|| panic!("{out}"));
    assert!(
        e.starts_with("::error file=nginx.conf,line=3,col=3,endColumn="),
        "{e}"
    );
    assert!(
        e.contains(",title=TLS101 protocol-outside-profile::"),
        "{e}"
    );
    assert!(
        e.contains("%0Ahelp: write `ssl_protocols TLSv1.2 TLSv1.3;`"),
        "{e}"
    );
    assert!(!e.contains('\n'));
    assert!(
        lines
            .iter()
            .any(|l| l.starts_with("::warning file=sites/a.conf,line=2,")),
        "{out}"
    );
    assert!(
        lines
            .iter()
            .any(|l| l.starts_with("::notice file=sites/a.conf,line=2,")),
        "{out}"
    );
    assert!(
        lines
            .iter()
            .any(|l| l.starts_with("::warning file=sites/a%2Cb.conf,line=2,")),
        "{out}"
    );
    assert!(out
        .lines()
        .last()
        .unwrap()
        .starts_with("tlslint: 1 error(s)"));
}

#[test]
fn the_tls906_examples_do_what_they_say() {
    let text =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/rules/TLS906.yaml")).unwrap();
    let doc: Value = tlslint::yaml::from_str(&text, Path::new("TLS906.yaml")).unwrap();
    assert_eq!(doc["code"], "TLS906");
    assert_eq!(doc["name"], "suppression-invalid");
    for (kind, want) in [("bad", true), ("good", false)] {
        for ex in doc["examples"]["nginx"][kind].as_array().unwrap() {
            let d = repo();
            write(
                d.path(),
                "nginx.conf",
                &format!("events {{}}\n{}", ex.as_str().unwrap()),
            );
            let v = json(&run_in(d.path(), &["nginx.conf", "--format", "json"]));
            assert_eq!(
                codes(&v, "findings").contains(&"TLS906".to_string()),
                want,
                "{kind}: {}",
                v["findings"]
            );
        }
    }
}

#[test]
fn pre_commit_hook_definition() {
    let text = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/.pre-commit-hooks.yaml"
    ))
    .unwrap();
    let hooks: Value = tlslint::yaml::from_str(&text, Path::new(".pre-commit-hooks.yaml")).unwrap();
    let h = &hooks[0];
    assert_eq!(h["id"], "tlslint");
    // --changed: an unused snippet in the list is skipped with a note, not linted alone
    assert_eq!(h["entry"], "tlslint --changed");
    assert_eq!(h["language"], "rust");
    // one process: every changed file maps to its trees, each linted once
    assert_eq!(h["require_serial"], true);
    let files = h["files"].as_str().unwrap();
    assert!(files.contains("conf"), "{files}");
    // the installed-binary variant: the same hook but `language: system`
    let s = &hooks[1];
    assert_eq!(s["id"], "tlslint-system");
    assert_eq!(s["language"], "system");
    for key in [
        "entry",
        "files",
        "types",
        "require_serial",
        "minimum_pre_commit_version",
    ] {
        assert_eq!(s[key], h[key], "{key}");
    }
    assert_eq!(hooks.as_array().map(Vec::len), Some(2));
}

#[test]
fn only_the_baseline_file_is_written() {
    let d = repo();
    let p = d.path();
    let list = |p: &Path| -> Vec<String> {
        let mut v: Vec<String> = walkdir::WalkDir::new(p)
            .into_iter()
            .flatten()
            .map(|e| e.path().display().to_string())
            .collect();
        v.sort();
        v
    };
    let before = list(p);
    for args in [
        &[".", "--format", "sarif"][..],
        &[".", "--format", "github"][..],
        &[".", "--baseline", "x.json"][..],
    ] {
        run_in(p, args);
    }
    assert_eq!(before, list(p));
    run_in(p, &[".", "--write-baseline", "x.json"]);
    let mut after = before.clone();
    after.push(p.join("x.json").display().to_string());
    after.sort();
    assert_eq!(after, list(p));
}

/// An Apache tree's findings carry their virtual host's names in the
/// fingerprint, also when ServerName comes from an Include inside the
/// section: two hosts with the same directive differ, and a baseline keeps
/// them apart.
#[test]
fn apache_baseline_tells_virtual_hosts_apart() {
    let d = tempfile::tempdir().unwrap();
    let p = d.path();
    write(p, ".git/HEAD", "");
    let vhost = |name: &str| {
        format!("<VirtualHost *:443>\n    Include names/{name}.conf\n    SSLEngine on\n    SSLProtocol all\n</VirtualHost>\n")
    };
    write(p, "names/a.conf", "ServerName a.example\n");
    write(p, "names/b.conf", "ServerName b.example\n");
    write(
        p,
        "apache2.conf",
        &format!("Listen 443\n{}{}", vhost("a"), vhost("b")),
    );
    let args = [".", "--no-config", "--enable", "TLS101"];
    let o = run_in(p, &[&args[..], &["--write-baseline", "b.json"]].concat());
    assert_eq!(o.status.code(), Some(0), "{}", s(&o.stderr));
    let b: Value =
        serde_json::from_str(&std::fs::read_to_string(p.join("b.json")).unwrap()).unwrap();
    let fps: Vec<&str> = b["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["fingerprint"].as_str().unwrap())
        .collect();
    assert_eq!(fps.len(), 2, "{b}");
    assert_ne!(fps[0], fps[1], "{b}");
    // renaming one host makes its finding new; the other stays baselined
    write(p, "names/b.conf", "ServerName c.example\n");
    let o = run_in(
        p,
        &[&args[..], &["--baseline", "b.json", "--format", "json"]].concat(),
    );
    let v = json(&o);
    assert_eq!(codes(&v, "findings"), vec!["TLS101"], "{v}");
    assert_eq!(v["baselined"].as_array().unwrap().len(), 1, "{v}");
}
