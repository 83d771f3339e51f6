//! Cross-check of `tlslint probe` with sslyze on the same servers (nginx
//! Modern / Intermediate / Old / DHE-1024, Apache httpd Modern /
//! Intermediate / Old with its automatic DH parameters, and an `openssl
//! s_server` that speaks only TLS 1.0 with `ALL:@SECLEVEL=0`): the same
//! accepted protocol versions and the same accepted suites per version.
//!
//! sslyze comes from `TLSLINT_SSLYZE` (e.g. a venv: `python3 -m venv
//! /tmp/venv-sslyze && /tmp/venv-sslyze/bin/pip install sslyze`), else
//! `sslyze` on PATH. Missing sslyze, nginx or openssl skips with a reason,
//! and fails with CI=true.
#![cfg(feature = "probe")]

mod certgen;
mod common;
mod probe_servers;

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::time::Duration;

use probe_servers::*;

fn sslyze() -> Option<PathBuf> {
    if let Some(p) = std::env::var_os("TLSLINT_SSLYZE") {
        return Some(PathBuf::from(p)).filter(|p| p.is_file());
    }
    std::env::var_os("PATH").and_then(|path| {
        std::env::split_paths(&path)
            .map(|d| d.join("sslyze"))
            .find(|p| p.is_file())
    })
}

/// sslyze's verdict: version → accepted suites (sorted); versions it found
/// unsupported map to an empty list.
fn sslyze_scan(bin: &PathBuf, port: u16, dir: &std::path::Path) -> BTreeMap<String, Vec<String>> {
    let out = dir.join(format!("sslyze-{port}.json"));
    let mut c = std::process::Command::new(bin);
    c.args([
        "--quiet",
        "--sslv3",
        "--tlsv1",
        "--tlsv1_1",
        "--tlsv1_2",
        "--tlsv1_3",
        "--mozilla_config",
        "disable",
    ])
    .arg(format!("--json_out={}", out.display()))
    .arg(format!("localhost:{port}{{127.0.0.1}}"));
    let o = common::run(&mut c, Duration::from_secs(300)).expect("sslyze finishes");
    assert_eq!(o.code, Some(0), "sslyze: {}", o.stderr);
    let text = std::fs::read_to_string(&out).expect("sslyze JSON");
    let v: serde_json::Value = serde_json::from_str(&text).expect("sslyze JSON parses");
    let server = &v["server_scan_results"][0];
    assert_eq!(server["scan_status"], "COMPLETED", "{text}");
    let mut res = BTreeMap::new();
    for (key, name) in [
        ("ssl_3_0_cipher_suites", "SSLv3"),
        ("tls_1_0_cipher_suites", "TLSv1"),
        ("tls_1_1_cipher_suites", "TLSv1.1"),
        ("tls_1_2_cipher_suites", "TLSv1.2"),
        ("tls_1_3_cipher_suites", "TLSv1.3"),
    ] {
        let r = &server["scan_result"][key];
        assert_eq!(r["status"], "COMPLETED", "sslyze {key}: {r}");
        let suites: Vec<String> = r["result"]["accepted_cipher_suites"]
            .as_array()
            .map(|a| {
                a.iter()
                    .filter_map(|s| s["cipher_suite"]["name"].as_str().map(str::to_string))
                    .collect()
            })
            .unwrap_or_default();
        assert_eq!(
            r["result"]["is_tls_version_supported"].as_bool(),
            Some(!suites.is_empty()),
            "{key}"
        );
        res.insert(name.to_string(), sorted(suites));
    }
    res
}

fn ours(port: u16) -> BTreeMap<String, Vec<String>> {
    let (code, v, err) = probe_json(&[&format!("localhost:{port}")]);
    assert_eq!(code, Some(0), "{err}");
    ["SSLv3", "TLSv1", "TLSv1.1", "TLSv1.2", "TLSv1.3"]
        .iter()
        .map(|p| {
            let c = ciphers(&v, p);
            assert_eq!(
                v["versions"][p]["accepted"].as_bool(),
                Some(!c.is_empty()),
                "{p}"
            );
            (p.to_string(), sorted(c))
        })
        .collect()
}

#[test]
fn probe_agrees_with_sslyze() {
    let what = "sslyze cross-check";
    let Some(bin) = sslyze() else {
        common::skip_or_fail(what, "sslyze not found (set TLSLINT_SSLYZE)");
        return;
    };
    if !certgen::require_openssl(what) {
        return;
    }
    let Some(nginx_bin) = nginx_bin(what) else {
        return;
    };
    let dir = tempfile::tempdir().expect("tempdir");
    make_pki(dir.path());
    let mut servers = Vec::new();
    for (name, directives, _, _) in nginx_fixtures() {
        servers.push(nginx(
            &nginx_bin,
            dir.path(),
            name,
            &server_block(&directives),
        ));
    }
    servers.push(nginx(
        &nginx_bin,
        dir.path(),
        "dhe1024",
        &server_block(
            "    ssl_protocols TLSv1.2;\n    ssl_ciphers DHE-RSA-AES128-GCM-SHA256:DHE-RSA-AES256-SHA:@SECLEVEL=0;\n    \
             ssl_dhparam {dir}/dh1024.pem;\n",
        ),
    ));
    servers.push(s_server(
        dir.path(),
        "s_server-tls1-all",
        &["-tls1", "-cipher", "ALL:@SECLEVEL=0"],
    ));
    let mut ports: Vec<(String, u16)> = servers.iter().map(|s| (s.name.clone(), s.port)).collect();
    // Apache httpd, as the probe_config tests run it
    let mut httpds = Vec::new();
    if let Some(httpd_bin) = apache_bin(what) {
        for (name, extra) in [
            (
                "apache-modern",
                "    SSLProtocol -all +TLSv1.3
"
                .to_string(),
            ),
            (
                "apache-intermediate",
                format!(
                    "    SSLProtocol -all +TLSv1.2 +TLSv1.3
    SSLCipherSuite {INTERMEDIATE_CIPHERS}
"
                ),
            ),
            (
                "apache-old",
                format!(
                    "    SSLProtocol -all +TLSv1 +TLSv1.1 +TLSv1.2 +TLSv1.3
    SSLCipherSuite {OLD_CIPHERS}
    SSLHonorCipherOrder on
"
                ),
            ),
        ] {
            let h = httpd(&httpd_bin, dir.path(), name, &vhost("localhost", &extra));
            ports.push((name.to_string(), h.port));
            httpds.push(h);
        }
    }
    for (name, port) in &ports {
        let (name, port) = (name.as_str(), *port);
        let theirs = sslyze_scan(&bin, port, dir.path());
        let mine = ours(port);
        assert_eq!(
            mine, theirs,
            "{name}: tlslint (left) and sslyze (right) differ"
        );
        assert!(
            mine.values().any(|v| !v.is_empty()),
            "{name}: nothing accepted"
        );
    }
    drop(httpds);
    drop(servers);
}
