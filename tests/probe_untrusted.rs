//! The probe in a CI gate that checks an untrusted pull request:
//!
//! - every string a server controls (certificate subject, issuer, SANs) is
//!   shown escaped in every format of `tlslint probe` and `tlslint PATH
//!   --probe`: no escape sequence reaches the terminal, no newline starts a
//!   GitHub workflow command (`\n::warning::...`), in stdout or stderr;
//! - `tlslint PATH --probe` connects only to loopback addresses, the
//!   `--probe-host` and what `--probe-allow` / `probe_allow` allow.
//!
//! The server is `openssl s_server` on 127.0.0.1 with a certificate made by
//! `openssl req` whose subject and SAN hold a newline, `::warning::pwned`
//! and `ESC [31m`.
#![cfg(feature = "probe")]

mod certgen;
mod common;
mod probe_servers;

use std::path::Path;
use std::process::Command;
use std::time::Duration;

const CN: &str = "evil\n::warning::pwned\u{1b}[31m.test";
const O: &str = "Org\r\n::error::injected";
const SAN: &str = "a\u{1b}[31m.test";

/// `cert.pem`/`key.pem` in `dir`: P-256, self-signed, the hostile names.
fn hostile_cert(dir: &Path) {
    let o = Command::new("openssl")
        .current_dir(dir)
        .args(["req", "-x509", "-newkey", "ec", "-pkeyopt"])
        .args(["ec_paramgen_curve:P-256", "-nodes", "-days", "30", "-utf8"])
        .args(["-keyout", "key.pem", "-out", "cert.pem", "-subj"])
        .arg(format!("/CN={CN}/O={O}"))
        .arg("-addext")
        .arg(format!("subjectAltName=DNS:{SAN}"))
        .output()
        .expect("openssl req");
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
}

/// Nothing in `text` acts on a terminal or a workflow log: no control
/// character but newlines, and no line is a workflow command other than
/// tlslint's own annotations.
fn assert_inert(what: &str, text: &str) {
    for (i, line) in text.lines().enumerate() {
        assert!(
            !line.chars().any(|c| c.is_control() && c != '\t'),
            "{what}: line {} holds a control character: {line:?}",
            i + 1
        );
        if let Some(rest) = line.strip_prefix("::") {
            assert!(
                ["error ", "warning ", "notice "]
                    .iter()
                    .any(|p| rest.starts_with(p))
                    && rest.contains("title=TLS"),
                "{what}: line {} is a workflow command not written by tlslint: {line:?}",
                i + 1
            );
        }
    }
}

fn tlslint(args: &[&str]) -> common::Out {
    let mut c = Command::new(common::tlslint());
    c.args(args).env_remove("NO_COLOR");
    common::run(&mut c, Duration::from_secs(120)).expect("tlslint finishes")
}

#[test]
fn server_strings_are_escaped_in_every_format() {
    if !certgen::require_openssl("server_strings_are_escaped_in_every_format") {
        return;
    }
    let tmp = tempfile::tempdir().unwrap();
    hostile_cert(tmp.path());
    let server = probe_servers::s_server(tmp.path(), "hostile", &[]);
    let target = server.target();

    // tlslint probe, each format
    for format in ["human", "github", "json", "sarif"] {
        let o = tlslint(&["probe", &target, "--timeout", "5", "--format", format]);
        assert_eq!(o.code, Some(0), "{format}: {}", o.stderr);
        let out = o.stdout_str();
        assert_inert(&format!("probe --format {format} (stdout)"), &out);
        assert_inert(&format!("probe --format {format} (stderr)"), &o.stderr);
        match format {
            "human" => {
                // shown, escaped: not dropped
                assert!(
                    out.contains("CN=evil\\n::warning::pwned\\x1b[31m.test"),
                    "{out}"
                );
                assert!(out.contains("Org\\r\\n::error::injected"), "{out}");
                assert!(out.contains("a\\x1b[31m.test"), "{out}");
            }
            "json" => {
                let v: serde_json::Value = serde_json::from_str(&out).unwrap();
                let leaf = &v["certificate_chain"]["without_sni"]["certificates"][0];
                let subject = leaf["subject"].as_str().unwrap();
                assert!(!subject.chars().any(char::is_control), "{subject:?}");
                assert!(
                    subject.contains("\\n::warning::pwned\\x1b[31m"),
                    "{subject}"
                );
                assert_eq!(leaf["dns_names"][0], "a\\x1b[31m.test");
            }
            _ => {}
        }
    }

    // tlslint PATH --probe: the tree names an RSA certificate, the server
    // sends the hostile one, so the findings quote its subject
    let tree = tempfile::tempdir().unwrap();
    certgen::setup(
        tree.path(),
        "key good.key rsa:2048\ncert good.pem key=good.key cn=localhost san=DNS:localhost\n",
    );
    let conf = tree.path().join("nginx.conf");
    std::fs::write(
        &conf,
        format!(
            "events {{}}\nhttp {{\n  server {{\n    listen {target} ssl;\n    server_name localhost;\n    \
             ssl_certificate {d}/good.pem;\n    ssl_certificate_key {d}/good.key;\n  }}\n}}\n",
            d = tree.path().display()
        ),
    )
    .unwrap();
    let conf = conf.to_string_lossy().into_owned();
    let mut quoted = false;
    for format in ["human", "github", "json", "sarif"] {
        let o = tlslint(&[
            &conf,
            "--probe",
            "--no-config",
            "--probe-timeout",
            "5",
            "--format",
            format,
        ]);
        let out = o.stdout_str();
        assert!(
            matches!(o.code, Some(0) | Some(1)),
            "{format}: {}{out}",
            o.stderr
        );
        assert!(out.contains("TLS603"), "{format}: no TLS603 in {out}");
        assert_inert(&format!("PATH --probe --format {format} (stdout)"), &out);
        assert_inert(
            &format!("PATH --probe --format {format} (stderr)"),
            &o.stderr,
        );
        if format != "json" && format != "sarif" {
            quoted |= out.contains("::warning::pwned\\x1b[31m");
        }
    }
    assert!(
        quoted,
        "the served subject is quoted, escaped, in a finding"
    );
}
