//! The command line: exit codes, roots, dumps, JSON shape, errors with file:line.

use std::io::Write;
use std::path::Path;
use std::process::{Command, Output, Stdio};

fn bin() -> Command {
    Command::new(env!("CARGO_BIN_EXE_tlslint"))
}

fn run(args: &[&str]) -> Output {
    bin().args(args).env("NO_COLOR", "1").output().unwrap()
}

fn write(dir: &Path, rel: &str, text: &str) {
    let p = dir.join(rel);
    std::fs::create_dir_all(p.parent().unwrap()).unwrap();
    std::fs::write(p, text).unwrap();
}

fn s(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

const GOOD: &str = "events {}\nhttp {\n  ssl_protocols TLSv1.2 TLSv1.3;\n  include sites/*.conf;\n  add_header Strict-Transport-Security \"max-age=63072000\" always;\n  ssl_stapling on; ssl_trusted_certificate ca.pem; resolver 127.0.0.1;\n  ssl_session_cache shared:SSL:10m;\n  ssl_ciphers ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256:ECDHE-ECDSA-AES256-GCM-SHA384:ECDHE-RSA-AES256-GCM-SHA384:ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-RSA-CHACHA20-POLY1305;\n}\n";
const SITE: &str = "server {\n  listen 443 ssl;\n  server_name a.example;\n  ssl_certificate c.pem; ssl_certificate_key k.pem;\n}\n";

#[test]
fn clean_tree_exits_0_and_findings_exit_1() {
    let d = tempfile::tempdir().unwrap();
    write(d.path(), "nginx.conf", GOOD);
    write(d.path(), "sites/a.conf", SITE);
    let o = run(&[d.path().to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(0), "{}{}", s(&o.stdout), s(&o.stderr));
    assert!(s(&o.stdout).contains("0 error(s)"));

    write(
        d.path(),
        "nginx.conf",
        &GOOD.replace("TLSv1.2 TLSv1.3", "TLSv1.1 TLSv1.2"),
    );
    let o = run(&[d.path().to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(1));
    let out = s(&o.stdout);
    assert!(out.contains("TLS101"), "{out}");
    assert!(out.contains("nginx.conf:3:3"), "{out}");
    assert!(
        out.contains("ssl_protocols TLSv1.2 TLSv1.3;"),
        "help missing: {out}"
    );
}

#[test]
fn default_protocols_point_at_the_listen_line() {
    let d = tempfile::tempdir().unwrap();
    write(
        d.path(),
        "nginx.conf",
        &GOOD.replace("  ssl_protocols TLSv1.2 TLSv1.3;\n", ""),
    );
    write(d.path(), "sites/a.conf", SITE);
    let main = d.path().join("nginx.conf");
    let o = run(&[
        main.to_str().unwrap(),
        "--nginx-version",
        "1.24.0",
        "--format",
        "json",
    ]);
    assert_eq!(o.status.code(), Some(1));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let f = &v["findings"][0];
    assert_eq!(f["code"], "TLS101");
    assert_eq!(f["severity"], "error");
    assert!(f["file"].as_str().unwrap().ends_with("sites/a.conf"));
    assert_eq!(f["line"], 2);
    assert!(f["message"].as_str().unwrap().contains("TLSv1, TLSv1.1"));
    assert_eq!(f["endpoint"]["server_names"][0], "a.example");
    let e = &v["endpoints"][0];
    assert_eq!(e["server"], "nginx");
    assert_eq!(e["protocols"]["source"], "default");
    assert_eq!(
        e["protocols"]["value"],
        serde_json::json!(["TLSv1", "TLSv1.1", "TLSv1.2", "TLSv1.3"])
    );
    assert_eq!(e["listen"][0]["port"], 443);
    // the current stable default is TLSv1.2 TLSv1.3: clean
    let o = run(&[main.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(0), "{}", s(&o.stdout));
}

#[test]
fn syntax_error_exits_2_with_file_line() {
    let d = tempfile::tempdir().unwrap();
    write(d.path(), "nginx.conf", GOOD);
    write(d.path(), "sites/a.conf", "server {\n  listen 443 ssl\n}\n");
    let o = run(&[d.path().to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(2));
    let err = s(&o.stderr);
    assert!(err.contains("unexpected \"}\""), "{err}");
    assert!(err.contains("a.conf:3:1"), "{err}");
}

#[test]
fn missing_include_is_an_error_at_the_include_line() {
    let d = tempfile::tempdir().unwrap();
    write(
        d.path(),
        "nginx.conf",
        "events {}\nhttp {\n  include nope.conf;\n  include empty/*.conf;\n}\n",
    );
    let o = run(&["parse", d.path().join("nginx.conf").to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(2));
    let err = s(&o.stderr);
    assert!(err.contains("nginx.conf:3:3"), "{err}");
    assert!(err.contains("nope.conf"), "{err}");
    assert!(!err.contains("empty"), "an empty glob is fine: {err}");
}

#[test]
fn include_cycle_is_reported() {
    let d = tempfile::tempdir().unwrap();
    write(
        d.path(),
        "nginx.conf",
        "events {}\nhttp { include a.conf; }\n",
    );
    write(d.path(), "a.conf", "include b.conf;\n");
    write(d.path(), "b.conf", "\ninclude a.conf;\n");
    let o = run(&[d.path().to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(2));
    let err = s(&o.stderr);
    assert!(err.contains("include cycle"), "{err}");
    assert!(err.contains("b.conf:2:1"), "{err}");
}

#[test]
fn included_file_lints_its_roots_once() {
    let d = tempfile::tempdir().unwrap();
    std::fs::create_dir(d.path().join(".git")).unwrap();
    for t in ["one", "two"] {
        write(
            d.path(),
            &format!("{t}/nginx.conf"),
            "events {}\nhttp {\n  ssl_protocols TLSv1 TLSv1.2;\n  include ../shared/*.conf;\n}\n",
        );
    }
    write(d.path(), "shared/site.conf", SITE);
    write(
        d.path(),
        "other/unrelated.conf",
        "server { listen 443 ssl; }\n",
    );
    let site = d.path().join("shared/site.conf");
    let o = bin()
        .current_dir(d.path().join("one"))
        .args([
            site.to_str().unwrap(),
            site.to_str().unwrap(),
            "--format",
            "json",
        ])
        .output()
        .unwrap();
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let roots: Vec<String> = v["trees"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["root"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(roots.len(), 2, "{roots:?}");
    assert!(
        roots[0].ends_with("one/nginx.conf") && roots[1].ends_with("two/nginx.conf"),
        "{roots:?}"
    );
    let tls101 = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["code"] == "TLS101")
        .count();
    assert_eq!(tls101, 2);
}

#[test]
fn directory_finds_every_tree_and_skips_git() {
    let d = tempfile::tempdir().unwrap();
    write(d.path(), "a/nginx.conf", GOOD);
    write(d.path(), "a/sites/x.conf", SITE);
    write(d.path(), "b/deep/nginx.conf", "events {}\n");
    write(d.path(), ".git/nginx.conf", "this is not { a config");
    let o = run(&[d.path().to_str().unwrap(), "--format", "json"]);
    assert_eq!(o.status.code(), Some(0), "{}", s(&o.stderr));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v["trees"].as_array().unwrap().len(), 2);
}

#[test]
fn nginx_t_dump_from_stdin() {
    let dump = "nginx: the configuration file /etc/nginx/nginx.conf syntax is ok\n# configuration file /etc/nginx/nginx.conf:\nevents {}\nhttp {\n    include /etc/nginx/conf.d/*.conf;\n}\n\n# configuration file /etc/nginx/conf.d/a.conf:\nserver { listen 443 ssl; ssl_protocols TLSv1 TLSv1.2; }\n\n";
    let mut child = bin()
        .args(["-", "--format", "json"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(dump.as_bytes())
        .unwrap();
    let o = child.wait_with_output().unwrap();
    assert_eq!(o.status.code(), Some(1));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v["findings"][0]["file"], "/etc/nginx/conf.d/a.conf");
    assert_eq!(v["findings"][0]["line"], 1);
    // parse accepts the dump too
    let d = tempfile::tempdir().unwrap();
    write(d.path(), "dump.txt", dump);
    let o = run(&[
        "parse",
        "--format",
        "files",
        d.path().join("dump.txt").to_str().unwrap(),
    ]);
    assert_eq!(
        s(&o.stdout),
        "/etc/nginx/nginx.conf\n/etc/nginx/conf.d/a.conf\n"
    );
}

#[test]
fn bad_usage_exits_2() {
    assert_eq!(run(&[]).status.code(), Some(2));
    assert_eq!(run(&["--format", "xml", "x"]).status.code(), Some(2));
    assert_eq!(run(&["/nonexistent/path"]).status.code(), Some(2));
    assert_eq!(run(&["x", "--nginx-version", "one"]).status.code(), Some(2));
    assert_eq!(run(&["--help"]).status.code(), Some(0));
}

#[test]
fn the_tree_is_not_written_to() {
    let d = tempfile::tempdir().unwrap();
    write(d.path(), "nginx.conf", GOOD);
    write(d.path(), "sites/a.conf", SITE);
    let before: Vec<_> = walk(d.path());
    let _ = run(&[d.path().to_str().unwrap(), "--format", "json"]);
    assert_eq!(before, walk(d.path()));
}

fn walk(p: &Path) -> Vec<(String, Vec<u8>)> {
    let mut v: Vec<_> = walkdir::WalkDir::new(p)
        .into_iter()
        .flatten()
        .filter(|e| e.file_type().is_file())
        .map(|e| {
            (
                e.path().display().to_string(),
                std::fs::read(e.path()).unwrap(),
            )
        })
        .collect();
    v.sort();
    v
}

#[test]
fn bundled_example_shows_findings() {
    let o = run(&[concat!(env!("CARGO_MANIFEST_DIR"), "/examples/nginx")]);
    assert_eq!(o.status.code(), Some(1), "{}", s(&o.stderr));
    assert!(s(&o.stdout).contains("TLS101"));
    // the Apache example: its findings, read without a warning
    let o = run(&[concat!(env!("CARGO_MANIFEST_DIR"), "/examples/apache")]);
    assert_eq!(o.status.code(), Some(1), "{}", s(&o.stderr));
    for code in ["TLS101", "TLS402", "TLS405", "TLS503", "TLS901"] {
        assert!(s(&o.stdout).contains(code), "{code}: {}", s(&o.stdout));
    }
    assert!(!s(&o.stderr).contains("warning"), "{}", s(&o.stderr));
}

#[test]
fn unreadable_directory_is_an_error_but_readable_trees_are_linted() {
    use std::os::unix::fs::PermissionsExt;
    let setpriv = std::path::Path::new("/usr/bin/setpriv");
    // SAFETY-free check: only root can drop to another user
    let root = std::fs::metadata("/proc/self")
        .map(|m| std::os::unix::fs::MetadataExt::uid(&m) == 0)
        .unwrap_or(false);
    if !setpriv.exists() || !root {
        eprintln!("SKIPPED: needs root and setpriv to read as an unprivileged user");
        assert!(
            std::env::var("CI").is_err(),
            "CI runs as root with setpriv (util-linux)"
        );
        return;
    }
    let d = tempfile::tempdir().unwrap();
    std::fs::set_permissions(d.path(), std::fs::Permissions::from_mode(0o755)).unwrap();
    write(
        d.path(),
        "ok/nginx.conf",
        &GOOD.replace("TLSv1.2 TLSv1.3", "TLSv1 TLSv1.2"),
    );
    write(d.path(), "ok/sites/a.conf", SITE);
    write(d.path(), "locked/nginx.conf", GOOD);
    for p in ["ok", "ok/sites"] {
        std::fs::set_permissions(d.path().join(p), std::fs::Permissions::from_mode(0o755)).unwrap();
    }
    for p in ["ok/nginx.conf", "ok/sites/a.conf"] {
        std::fs::set_permissions(d.path().join(p), std::fs::Permissions::from_mode(0o644)).unwrap();
    }
    std::fs::set_permissions(
        d.path().join("locked"),
        std::fs::Permissions::from_mode(0o700),
    )
    .unwrap();
    let o = Command::new(setpriv)
        .args(["--reuid=65534", "--regid=65534", "--clear-groups"])
        .arg(env!("CARGO_BIN_EXE_tlslint"))
        .arg(d.path())
        .args(["--format", "json", "--no-config"])
        .output()
        .unwrap();
    let err = s(&o.stderr);
    assert_eq!(o.status.code(), Some(2), "{err}");
    assert!(
        err.contains("locked") && err.contains("ermission denied"),
        "{err}"
    );
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert!(
        v["findings"]
            .as_array()
            .unwrap()
            .iter()
            .any(|f| f["code"] == "TLS101"),
        "the readable tree is still linted"
    );
}
