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

/// A tree whose server listens on `listen` (TLS), in `dir`, with a
/// self-signed certificate; returns nginx.conf's path.
fn tree_listening_on(dir: &Path, listen: &str) -> String {
    certgen::setup(
        dir,
        "key k.pem ec:P-256\ncert c.pem key=k.pem cn=a.test san=DNS:a.test\n",
    );
    let conf = dir.join("nginx.conf");
    std::fs::write(
        &conf,
        format!(
            "events {{}}\nhttp {{\n  server {{\n    listen {listen} ssl;\n    server_name a.test;\n    \
             ssl_certificate {d}/c.pem;\n    ssl_certificate_key {d}/k.pem;\n  }}\n}}\n",
            d = dir.display()
        ),
    )
    .unwrap();
    conf.to_string_lossy().into_owned()
}

#[test]
fn config_probe_connects_only_to_loopback_unless_allowed() {
    // the notes are on stderr: --verbose in human form, always in JSON's "notes"
    if !certgen::require_openssl("config_probe_connects_only_to_loopback_unless_allowed") {
        return;
    }
    let tmp = tempfile::tempdir().unwrap();
    let conf = tree_listening_on(tmp.path(), "10.0.0.1:443");
    // documentation ranges, never routed: nothing is connected to either way
    for extra in [&[][..], &["--probe-allow", "192.0.2.0/24"][..]] {
        let mut args = vec![
            conf.as_str(),
            "--probe",
            "--no-config",
            "--probe-timeout",
            "2",
            "--format",
            "json",
        ];
        args.extend_from_slice(extra);
        let o = tlslint(&args);
        let v: serde_json::Value = serde_json::from_slice(&o.stdout)
            .unwrap_or_else(|e| panic!("{e}: {}{}", o.stdout_str(), o.stderr));
        let notes = v["notes"].to_string();
        // no probe made (the key is left out when there is none)
        assert!(
            v["probes"].as_array().is_none_or(|a| a.is_empty()),
            "{}",
            v["probes"]
        );
        assert!(
            notes.contains("--probe: 10.0.0.1:443 not probed: 10.0.0.1 is not a loopback address nor the --probe-host")
                && notes.contains("--probe-allow 10.0.0.1/32")
                && notes.contains("probe_allow: [10.0.0.1/32]"),
            "{notes}"
        );
        assert!(o.elapsed < Duration::from_secs(30), "{:?}", o.elapsed);
    }
    // in human form, the summary line says so without --verbose
    let o = tlslint(&[&conf, "--probe", "--no-config", "--probe-timeout", "2"]);
    assert!(
        o.stdout_str()
            .contains("1 socket(s) not probed: not loopback (see --probe-allow)"),
        "{}",
        o.stdout_str()
    );

    // a loopback listener is probed (nothing listens: TLS604 says so)
    let port = probe_servers::free_port();
    let dir2 = tempfile::tempdir().unwrap();
    let conf2 = tree_listening_on(dir2.path(), &format!("127.0.0.1:{port}"));
    let o = tlslint(&[
        &conf2,
        "--probe",
        "--no-config",
        "--probe-timeout",
        "2",
        "--format",
        "json",
    ]);
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    // without SNI and with SNI a.test
    assert_eq!(
        v["probes"].as_array().map(Vec::len),
        Some(2),
        "{}",
        o.stderr
    );
    assert!(
        !v["notes"].to_string().contains("not probed"),
        "{}",
        v["notes"]
    );

    // probe_allow in the settings file: checked, at its line
    std::fs::write(
        tmp.path().join(".tlslint.yaml"),
        "profile: intermediate\nprobe_allow: [10.0.0.0/8, 300.1.2.3/8]\n",
    )
    .unwrap();
    let o = tlslint(&[&conf, "--probe", "--probe-timeout", "2"]);
    assert_eq!(o.code, Some(2), "{}", o.stderr);
    assert!(
        o.stderr.contains(".tlslint.yaml:2:")
            && o.stderr
                .contains("probe_allow: \"300.1.2.3/8\" is not an address range"),
        "{}",
        o.stderr
    );
    // and a bad --probe-allow is a usage error
    let o = tlslint(&[
        &conf,
        "--probe",
        "--no-config",
        "--probe-allow",
        "10.0.0.0/40",
    ]);
    assert_eq!(o.code, Some(2), "{}", o.stderr);
    assert!(
        o.stderr
            .contains("--probe-allow: \"10.0.0.0/40\": the prefix length must be 0 to 32"),
        "{}",
        o.stderr
    );
}

#[test]
fn tlslint_probe_of_a_named_target_is_not_confined() {
    // the user names the target: `tlslint probe` takes it as given (here a
    // loopback one; the point is that no allow-list applies to it)
    let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = l.local_addr().unwrap().port();
    drop(l);
    let o = tlslint(&["probe", &format!("127.0.0.1:{port}"), "--timeout", "2"]);
    assert_eq!(o.code, Some(2));
    assert!(o.stderr.contains("cannot connect"), "{}", o.stderr);
    assert!(!o.stderr.contains("--probe-allow"), "{}", o.stderr);
}
