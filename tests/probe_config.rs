//! `tlslint PATH --probe` against real servers on 127.0.0.1: nginx (as
//! tests/probe_servers runs it) and Apache httpd (`apache2 -f CONF -k
//! start`), with certificates generated at test time.
//!
//! For every fixture — Modern, Intermediate (DHE with 2048-bit parameters),
//! Old (`@SECLEVEL=0`, DHE with 1024-bit parameters), mTLS required, two
//! servers on one socket with different protocols, a wrong chain — the tree
//! the server runs gives no TLS6xx finding; copies of it edited after the
//! server started (another protocol list, cipher string, group list,
//! certificate file, HSTS header, client-certificate setting) give exactly
//! the differences, with the right code at the right line; a stopped server
//! gives TLS604 "connection refused".
//!
//! The model is the installed software: `--nginx-version` from `nginx -v`,
//! `--openssl-version` from `openssl version`. Without nginx, apache2 or
//! openssl the tests print why they skip; with CI=true they fail.
//! `SHOW_FINDINGS=1` prints the findings of every edited tree.
#![cfg(feature = "probe")]

mod certgen;
mod common;
mod probe_servers;

use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use probe_servers::{
    assert_none, check_edit, httpd, line_of, make_pki, nginx_version, openssl_version,
    probe_findings, vhost, Edit, INTERMEDIATE_CIPHERS, OLD_CIPHERS,
};

fn wait_closed(port: u16) {
    let start = Instant::now();
    while start.elapsed() < Duration::from_secs(10) {
        if TcpStream::connect(("127.0.0.1", port)).is_err() {
            return;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    panic!("127.0.0.1:{port} still accepts connections");
}

// ------------------------------------------------------------------ nginx

/// The nginx fixtures: (name, server blocks, edits).
fn nginx_cases() -> Vec<(&'static str, String, Vec<Edit>)> {
    let block = probe_servers::server_block;
    vec![
        (
            "modern",
            block("    ssl_protocols TLSv1.3;\n"),
            vec![
                (
                    "ssl_protocols TLSv1.3;",
                    "ssl_protocols TLSv1.2 TLSv1.3;".into(),
                    vec![("TLS601", "ssl_protocols")],
                ),
                (
                    "max-age=63072000",
                    "max-age=600".into(),
                    vec![("TLS606", "Strict-Transport-Security")],
                ),
            ],
        ),
        (
            "intermediate",
            block(&format!(
                "    ssl_protocols TLSv1.2 TLSv1.3;\n    ssl_ciphers {INTERMEDIATE_CIPHERS};\n    \
                 ssl_prefer_server_ciphers off;\n    ssl_dhparam {{dir}}/dh2048.pem;\n    \
                 ssl_ecdh_curve X25519:prime256v1:secp384r1;\n"
            )),
            vec![
                (
                    ":DHE-RSA-CHACHA20-POLY1305",
                    String::new(),
                    vec![("TLS602", "ssl_ciphers")],
                ),
                (
                    "ssl_ecdh_curve X25519:prime256v1:secp384r1;",
                    "ssl_ecdh_curve X25519:prime256v1;".into(),
                    vec![("TLS605", "ssl_ecdh_curve")],
                ),
                (
                    "ssl_dhparam",
                    "#ssl_dhparam".into(),
                    vec![("TLS602", "ssl_ciphers")],
                ),
            ],
        ),
        (
            "old",
            block(&format!(
                "    ssl_protocols TLSv1 TLSv1.1 TLSv1.2 TLSv1.3;\n    ssl_ciphers {OLD_CIPHERS};\n    \
                 ssl_prefer_server_ciphers on;\n    ssl_dhparam {{dir}}/dh1024.pem;\n"
            )),
            vec![(
                ":@SECLEVEL=0",
                String::new(),
                vec![("TLS601", "ssl_protocols")],
            )],
        ),
        (
            "mtls",
            block(
                "    ssl_protocols TLSv1.2 TLSv1.3;\n    ssl_verify_client on;\n    \
                 ssl_client_certificate {dir}/ca.pem;\n",
            ),
            vec![(
                "max-age=63072000",
                "max-age=1".into(),
                vec![("TLS606", "Strict-Transport-Security")],
            )],
        ),
        (
            "two-servers",
            block("    ssl_protocols TLSv1.2 TLSv1.3;\n")
                + "  server {\n    listen 127.0.0.1:{port} ssl;\n    server_name default.test;\n    \
                   ssl_certificate {dir}/other.pem;\n    ssl_certificate_key {dir}/other.key;\n    \
                   ssl_protocols TLSv1.3;\n    location / { return 200 \"other\\n\"; }\n  }\n",
            vec![(
                "ssl_protocols TLSv1.2 TLSv1.3;",
                "ssl_protocols TLSv1.3;".into(),
                // one finding for the three probes (no SNI, localhost,
                // default.test): the default server decides on nginx < 1.29.2
                vec![("TLS601", "ssl_protocols")],
            )],
        ),
        (
            "wrong-chain",
            block("    ssl_protocols TLSv1.2 TLSv1.3;\n")
                .replace("{dir}/cert.pem", "{dir}/wrongchain.pem"),
            vec![
                (
                    "{dir}/wrongchain.pem",
                    "{dir}/cert.pem".into(),
                    vec![("TLS603", "ssl_certificate ")],
                ),
                (
                    "ssl_certificate {dir}/wrongchain.pem;\n    ssl_certificate_key {dir}/key.pem;",
                    "ssl_certificate {dir}/other.pem;\n    ssl_certificate_key {dir}/other.key;".into(),
                    vec![("TLS603", "ssl_certificate ")],
                ),
            ],
        ),
    ]
}

#[test]
fn nginx_as_run_and_edited() {
    let Some((nginx, versions)) = probe_servers::installed("--probe against nginx", false) else {
        return;
    };
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    make_pki(dir);
    certgen::setup(dir, "cat wrongchain.pem cert.pem other.pem\n");
    let mut failures = Vec::new();
    let mut stopped: Option<(PathBuf, u16)> = None;
    for (name, blocks, edits) in nginx_cases() {
        let blocks = blocks.replace("{dir}", &dir.display().to_string());
        let server = probe_servers::nginx(&nginx, dir, name, &blocks);
        let conf = dir.join(name).join("nginx.conf");
        assert_none(&conf, &versions, &mut failures);
        for e in &edits {
            let e = (
                e.0,
                e.1.replace("{dir}", &dir.display().to_string()),
                e.2.clone(),
            );
            let from = e.0.replace("{dir}", &dir.display().to_string());
            let from: &'static str = Box::leak(from.into_boxed_str());
            check_edit(&conf, &versions, &(from, e.1, e.2), &mut failures);
        }
        let port = server.port;
        drop(server);
        wait_closed(port);
        if stopped.is_none() {
            stopped = Some((conf, port));
        }
    }
    // a stopped server: connection refused at its listen line
    let (conf, _) = stopped.unwrap();
    let got = probe_findings(&conf, &versions);
    let text = std::fs::read_to_string(&conf).unwrap();
    let listen = line_of(&text, "listen ");
    assert!(
        !got.is_empty()
            && got
                .iter()
                .all(|(c, l, m)| c == "TLS604" && *l == listen && m.contains("connection refused")),
        "{got:#?}"
    );
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

/// `--nginx-version auto --openssl-version auto` models the installed nginx:
/// a server without `ssl_protocols` serves its version's default protocols,
/// and the probe finds no difference; modelled as the current stable
/// instead, an nginx older than 1.23.4 (no TLSv1.3 by default) differs.
#[test]
fn auto_models_the_running_nginx_defaults() {
    let Some(nginx) = probe_servers::nginx_bin("--probe with auto versions") else {
        return;
    };
    if !certgen::require_openssl("--probe with auto versions") {
        return;
    }
    let Some(nv) = nginx_version(&nginx) else {
        common::skip_or_fail("--probe with auto versions", "no nginx version");
        return;
    };
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    make_pki(dir);
    let server = probe_servers::nginx(&nginx, dir, "auto", &probe_servers::server_block(""));
    let conf = dir.join("auto").join("nginx.conf");
    let auto: Vec<String> = ["--nginx-version", "auto", "--openssl-version", "auto"]
        .map(String::from)
        .to_vec();
    let got = probe_findings(&conf, &auto);
    assert!(got.is_empty(), "nginx {nv}, auto: {got:#?}");
    let installed: tlslint::version::Version = nv.parse().unwrap();
    if installed < tlslint::version::Version::new(1, 23, 4) {
        let got = probe_findings(&conf, &[]);
        assert!(
            got.iter()
                .any(|(c, _, m)| c == "TLS601" && m.contains("not served: TLSv1.3")),
            "nginx {nv}, modelled as the current stable: {got:#?}"
        );
    }
    drop(server);
}

// ------------------------------------------------------------------ Apache

fn apache_cases() -> Vec<(&'static str, String, Vec<Edit>)> {
    vec![
        (
            "modern",
            vhost("localhost", "    SSLProtocol -all +TLSv1.3\n"),
            vec![
                (
                    "SSLProtocol -all +TLSv1.3",
                    "SSLProtocol -all +TLSv1.2 +TLSv1.3".into(),
                    vec![("TLS601", "SSLProtocol")],
                ),
                (
                    "max-age=63072000",
                    "max-age=600".into(),
                    vec![("TLS606", "Strict-Transport-Security")],
                ),
            ],
        ),
        (
            "intermediate",
            vhost(
                "localhost",
                &format!(
                    "    SSLProtocol -all +TLSv1.2 +TLSv1.3\n    SSLCipherSuite {INTERMEDIATE_CIPHERS}\n    \
                     SSLOpenSSLConfCmd Curves X25519:prime256v1:secp384r1\n"
                ),
            ),
            vec![
                (
                    ":DHE-RSA-CHACHA20-POLY1305",
                    String::new(),
                    vec![("TLS602", "SSLCipherSuite")],
                ),
                (
                    "Curves X25519:prime256v1:secp384r1",
                    "Curves X25519:prime256v1".into(),
                    vec![("TLS605", "SSLOpenSSLConfCmd Curves")],
                ),
            ],
        ),
        (
            "old",
            vhost(
                "localhost",
                &format!("    SSLProtocol all\n    SSLCipherSuite {OLD_CIPHERS}\n    SSLHonorCipherOrder on\n"),
            ),
            vec![(
                ":@SECLEVEL=0",
                String::new(),
                vec![("TLS601", "SSLProtocol")],
            )],
        ),
        (
            "mtls",
            vhost(
                "localhost",
                "    SSLProtocol -all +TLSv1.2 +TLSv1.3\n    SSLVerifyClient require\n    \
                 SSLCACertificateFile {dir}/ca.pem\n",
            ),
            vec![(
                "SSLVerifyClient require",
                "SSLVerifyClient none".into(),
                vec![("TLS604", "SSLVerifyClient")],
            )],
        ),
        (
            "two-vhosts",
            vhost("localhost", "    SSLProtocol -all +TLSv1.2 +TLSv1.3\n")
                + &vhost("default.test", "    SSLProtocol -all +TLSv1.3\n")
                    .replace("{dir}/cert.pem", "{dir}/other.pem")
                    .replace("{dir}/key.pem", "{dir}/other.key"),
            vec![(
                "SSLProtocol -all +TLSv1.3",
                "SSLProtocol +TLSv1.2 +TLSv1.3".into(),
                vec![("TLS601", "SSLProtocol +TLSv1.2")],
            )],
        ),
    ]
}

#[test]
fn apache_as_run_and_edited() {
    let Some((bin, versions)) = probe_servers::installed("--probe against Apache httpd", true)
    else {
        return;
    };
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    make_pki(dir);
    let mut failures = Vec::new();
    for (name, vhosts, edits) in apache_cases() {
        let server = httpd(&bin, dir, name, &vhosts);
        let conf = server.conf.clone();
        assert_none(&conf, &versions, &mut failures);
        for e in &edits {
            let from = e.0.replace("{dir}", &dir.display().to_string());
            let from: &'static str = Box::leak(from.into_boxed_str());
            let e = (
                from,
                e.1.replace("{dir}", &dir.display().to_string()),
                e.2.clone(),
            );
            check_edit(&conf, &versions, &e, &mut failures);
        }
        drop(server);
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

// ------------------------------------------------- outputs and `tlslint probe`

/// `--probe` findings in every output format, and the profile on the
/// evidence of `tlslint probe` alone (located in `probe://HOST:PORT`).
#[test]
fn outputs_and_standalone_probe_findings() {
    let Some(nginx) = probe_servers::nginx_bin("--probe outputs") else {
        return;
    };
    if !certgen::require_openssl("--probe outputs") {
        return;
    }
    let (Some(nv), Some(ov)) = (nginx_version(&nginx), openssl_version()) else {
        common::skip_or_fail("--probe outputs", "no nginx or openssl version");
        return;
    };
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    make_pki(dir);
    let blocks = probe_servers::server_block(&format!(
        "    ssl_protocols TLSv1 TLSv1.1 TLSv1.2 TLSv1.3;\n    ssl_ciphers {OLD_CIPHERS};\n    \
         ssl_dhparam {}/dh1024.pem;\n",
        dir.display()
    ))
    .replace("{dir}", &dir.display().to_string());
    let server = probe_servers::nginx(&nginx, dir, "old", &blocks);
    let conf = dir.join("old").join("nginx.conf");
    // a tree that differs: TLS 1.3 only
    let edited = dir.join("old").join("edited.conf");
    let text = std::fs::read_to_string(&conf).unwrap();
    std::fs::write(
        &edited,
        text.replace(
            "ssl_protocols TLSv1 TLSv1.1 TLSv1.2 TLSv1.3;",
            "ssl_protocols TLSv1.3;",
        ),
    )
    .unwrap();
    let run = |args: &[&str]| {
        let mut c = Command::new(common::tlslint());
        c.args(args).env("NO_COLOR", "1");
        common::run(&mut c, Duration::from_secs(120)).expect("tlslint finishes")
    };
    let e = edited.display().to_string();
    let base = [
        e.as_str(),
        "--probe",
        "--no-config",
        "--nginx-version",
        &nv,
        "--openssl-version",
        &ov,
    ];
    // SARIF: a result property
    let o = run(&[&base[..], &["--format", "sarif"]].concat());
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let results = v["runs"][0]["results"].as_array().unwrap();
    let r = results
        .iter()
        .find(|r| r["ruleId"] == "TLS601")
        .unwrap_or_else(|| panic!("no TLS601 in {results:#?}"));
    assert_eq!(r["properties"]["evidence"], "probe");
    assert!(results
        .iter()
        .filter(|r| r["ruleId"] != "TLS601")
        .all(|r| r["properties"]["evidence"] == "config"));
    // human and GitHub
    let o = run(&[&base[..], &["--format", "human"]].concat());
    assert!(
        o.stdout_str().contains("TLS601 probe-protocols-differ"),
        "{}",
        o.stdout_str()
    );
    assert_eq!(o.code, Some(1));
    // the summary counts the drift findings apart, and the probes made
    let drift = results
        .iter()
        .filter(|r| r["properties"]["evidence"] == "probe")
        .count();
    let summary = o
        .stdout_str()
        .lines()
        .last()
        .unwrap_or_default()
        .to_string();
    assert!(
        summary.contains(&format!("; {drift} from the probe (")) && summary.contains(" probe(s)"),
        "{summary}"
    );
    let o = run(&[&base[..], &["--format", "github"]].concat());
    assert!(
        o.stdout_str()
            .lines()
            .any(|l| l.starts_with("::error file=")
                && l.contains("title=TLS601 probe-protocols-differ")),
        "{}",
        o.stdout_str()
    );
    // --fail-on error with only a TLS606 warning would pass; TLS601 is an error
    let o = run(&[&base[..], &["--format", "json", "--fail-on", "never"]].concat());
    assert_eq!(o.code, Some(0));

    // tlslint probe alone: the intermediate profile on the evidence
    let target = format!("127.0.0.1:{}", server.port);
    let o = run(&[
        "probe",
        &target,
        "--sni",
        "localhost",
        "--format",
        "json",
        "--profile",
        "intermediate",
        "--fail-on",
        "error",
    ]);
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let findings = v["findings"].as_array().unwrap();
    let codes: Vec<&str> = findings
        .iter()
        .map(|f| f["code"].as_str().unwrap())
        .collect();
    for want in ["TLS101", "TLS201", "TLS208"] {
        assert!(codes.contains(&want), "{want} missing: {findings:#?}");
    }
    for f in findings {
        assert_eq!(f["evidence"], "probe");
        assert_eq!(f["file"], format!("probe://{target}"));
        assert!(f["line"].as_u64().unwrap() > 1, "{f}");
    }
    assert!(findings
        .iter()
        .any(|f| f["code"] == "TLS101" && f["message"].as_str().unwrap().contains("TLSv1.1")));
    assert_eq!(o.code, Some(1), "--fail-on error with TLS101");
    // the default --fail-on for `tlslint probe` is never: 0 when probed
    let o = run(&["probe", &target, "--format", "json"]);
    assert_eq!(o.code, Some(0));
    // the same findings as SARIF (valid against the 2.1.0 schema) and as
    // GitHub annotations, located in the probe's evidence
    let o = run(&["probe", &target, "--sni", "localhost", "--format", "sarif"]);
    let log: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let schema: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(
            Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/sarif/sarif-schema-2.1.0.json"),
        )
        .unwrap(),
    )
    .unwrap();
    let validator = jsonschema::draft4::options().build(&schema).unwrap();
    let errors: Vec<String> = validator.iter_errors(&log).map(|e| e.to_string()).collect();
    assert!(errors.is_empty(), "SARIF invalid: {errors:?}");
    let results = log["runs"][0]["results"].as_array().unwrap();
    assert_eq!(results.len(), findings.len());
    for r in results {
        let uri = r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
            .as_str()
            .unwrap();
        assert_eq!(uri, format!("probe://{target}"));
        assert_eq!(r["properties"]["evidence"], "probe");
    }
    let o = run(&["probe", &target, "--sni", "localhost", "--format", "github"]);
    let text = String::from_utf8_lossy(&o.stdout);
    assert_eq!(text.lines().count(), findings.len(), "{text}");
    // what a live server did has no file to annotate: no `file=` property,
    // the server named in the message
    assert!(text.lines().all(|l| !l.contains("file=")), "{text}");
    assert!(
        text.lines()
            .all(|l| l.contains(&format!("(the server at {target})"))),
        "{text}"
    );
    drop(server);
}

/// `--probe-client-cert/--probe-client-key`: an endpoint that requires
/// client certificates completes its handshakes, and the response behind
/// it is the one compared (nginx answers 400 without a certificate).
#[test]
fn client_certificate_for_mtls_endpoints() {
    let Some(nginx) = probe_servers::nginx_bin("--probe with a client certificate") else {
        return;
    };
    if !certgen::require_openssl("--probe with a client certificate") {
        return;
    }
    let (Some(nv), Some(ov)) = (nginx_version(&nginx), openssl_version()) else {
        common::skip_or_fail(
            "--probe with a client certificate",
            "no nginx or openssl version",
        );
        return;
    };
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    make_pki(dir);
    let (_, blocks, _) = nginx_cases()
        .into_iter()
        .find(|(n, _, _)| *n == "mtls")
        .unwrap();
    let blocks = blocks.replace("{dir}", &dir.display().to_string());
    let server = probe_servers::nginx(&nginx, dir, "mtls-client", &blocks);
    let conf = dir.join("mtls-client").join("nginx.conf");
    let status = |extra: &[&str]| -> (Vec<String>, Vec<String>) {
        let mut c = Command::new(common::tlslint());
        c.arg(&conf)
            .args([
                "--probe",
                "--format",
                "json",
                "--no-config",
                "--probe-timeout",
                "3",
            ])
            .args(["--nginx-version", &nv, "--openssl-version", &ov])
            .args(extra);
        let o = common::run(&mut c, Duration::from_secs(120)).expect("tlslint finishes");
        let v: serde_json::Value =
            serde_json::from_slice(&o.stdout).unwrap_or_else(|e| panic!("{e}: {}", o.stderr));
        let statuses = v["probes"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| {
                p["report"]["http_status"]
                    .as_str()
                    .unwrap_or("")
                    .to_string()
            })
            .collect();
        let probe_codes = v["findings"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| f["code"].as_str().unwrap().to_string())
            .filter(|c| c.starts_with("TLS6"))
            .collect();
        (statuses, probe_codes)
    };
    let (without, codes) = status(&[]);
    assert!(codes.is_empty(), "{codes:?}");
    // no certificate: no response at all, or nginx's 400
    assert!(without.iter().all(|s| !s.contains("200")), "{without:?}");
    let cert = dir.join("client.pem").display().to_string();
    let key = dir.join("client.key").display().to_string();
    let (with, codes) = status(&["--probe-client-cert", &cert, "--probe-client-key", &key]);
    assert!(codes.is_empty(), "{codes:?}");
    assert!(with.iter().all(|s| s.contains("200")), "{with:?}");
    drop(server);
}
