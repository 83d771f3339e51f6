//! Oracle: a real Apache httpd on 127.0.0.1 sends exactly the certificates
//! tlslint says each virtual host sends (`facts.chain` in the JSON report),
//! and starts exactly when tlslint finds the key usable:
//!
//! - SSLCertificateFile with the chain after the server's certificate, no
//!   chain file: the whole file is sent;
//! - with SSLCertificateChainFile: the first certificate of
//!   SSLCertificateFile, then the chain file (the certificate file's other
//!   certificates are not sent, even when the chain file is stale);
//! - the chain file being the certificate file itself: each certificate once;
//! - only the leaf in SSLCertificateFile, no chain file: OpenSSL builds the
//!   chain from SSLCACertificateFile / SSLCACertificatePath (up to the root
//!   when the root is there too);
//! - no SSLCertificateKeyFile: the key is read from the certificate file;
//!   httpd starts with the right key there, and refuses to start (AH02565)
//!   with another, where tlslint reports TLS302.
//!
//! The certificates sent are read with `openssl s_client -showcerts` and
//! compared by SHA-256 fingerprint. Without apache2 or openssl the test
//! prints why it skips; with CI=true it fails.

mod certgen;
mod common;

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

fn tool(paths: &[&'static str]) -> Option<&'static str> {
    paths.iter().copied().find(|p| Path::new(p).exists())
}

fn wait(port: u16, up: bool) -> bool {
    let start = Instant::now();
    while start.elapsed() < Duration::from_secs(10) {
        if std::net::TcpStream::connect(("127.0.0.1", port)).is_ok() == up {
            return true;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    false
}

/// SHA-256 fingerprints (lowercase hex) of the certificates a server sends.
fn sent_by_server(openssl: &str, dir: &Path, port: u16) -> Vec<String> {
    let o = Command::new(openssl)
        .args(["s_client", "-connect", &format!("127.0.0.1:{port}")])
        .args(["-servername", "a.example", "-showcerts"])
        .stdin(Stdio::null())
        .output()
        .unwrap();
    let out = String::from_utf8_lossy(&o.stdout);
    let mut fps = Vec::new();
    for (i, block) in out.split("-----BEGIN CERTIFICATE-----").skip(1).enumerate() {
        let body = block.split("-----END CERTIFICATE-----").next().unwrap();
        let f = dir.join(format!("sent-{port}-{i}.pem"));
        std::fs::write(
            &f,
            format!("-----BEGIN CERTIFICATE-----{body}-----END CERTIFICATE-----\n"),
        )
        .unwrap();
        fps.push(fingerprint(openssl, &f));
    }
    fps
}

fn fingerprint(openssl: &str, f: &Path) -> String {
    let o = Command::new(openssl)
        .args(["x509", "-noout", "-fingerprint", "-sha256", "-in"])
        .arg(f)
        .output()
        .unwrap();
    let s = String::from_utf8_lossy(&o.stdout);
    s.split('=')
        .nth(1)
        .unwrap_or_default()
        .trim()
        .replace(':', "")
        .to_ascii_lowercase()
}

fn httpd(httpd: &str, conf: &Path, action: &str) -> bool {
    Command::new(httpd)
        .arg("-f")
        .arg(conf)
        .args(["-k", action])
        .output()
        .unwrap()
        .status
        .success()
}

fn head(d: &Path, name: &str) -> String {
    let user = if std::env::var("USER").as_deref() == Ok("root") {
        "User nobody\nGroup nogroup\n"
    } else {
        ""
    };
    let d = d.display();
    format!(
        "ServerRoot {d}\nServerName main.test\nPidFile {d}/{name}.pid\nDefaultRuntimeDir {d}\nErrorLog {d}/{name}.log\n{user}\
LoadModule mpm_event_module /usr/lib/apache2/modules/mod_mpm_event.so\n\
LoadModule authz_core_module /usr/lib/apache2/modules/mod_authz_core.so\n\
LoadModule socache_shmcb_module /usr/lib/apache2/modules/mod_socache_shmcb.so\n\
LoadModule ssl_module /usr/lib/apache2/modules/mod_ssl.so\n"
    )
}

fn vhost(port: u16, body: &str) -> String {
    format!("Listen 127.0.0.1:{port}\n<VirtualHost 127.0.0.1:{port}>\n    ServerName a.example\n    SSLEngine on\n{body}</VirtualHost>\n")
}

fn lint(dir: &Path, conf: &Path) -> serde_json::Value {
    let o = Command::new(env!("CARGO_BIN_EXE_tlslint"))
        .current_dir(dir)
        .arg(conf)
        .args([
            "--format",
            "json",
            "--now",
            "2026-01-01",
            "--ca-file",
            "root.pem",
        ])
        .output()
        .unwrap();
    serde_json::from_slice(&o.stdout)
        .unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&o.stderr)))
}

#[test]
fn httpd_sends_the_certificates_tlslint_says() {
    let (Some(httpd_bin), Some(openssl)) = (
        tool(&["/usr/sbin/apache2", "/usr/sbin/httpd"]),
        tool(&["/usr/bin/openssl", "/usr/local/bin/openssl"]),
    ) else {
        assert!(
            !common::ci(),
            "apache2 and openssl are required when CI=true"
        );
        eprintln!("skipped: apache2 or openssl is not installed");
        return;
    };
    let d = tempfile::tempdir().unwrap();
    let dir = d.path();
    certgen::setup(
        dir,
        r#"
key root.key
cert root.pem key=root.key ca cn="Live Root"
key int1.key
cert int1.pem key=int1.key issuer=root.pem ca cn="Live Int 1"
key int2.key
cert int2.pem key=int2.key issuer=int1.pem ca cn="Live Int 2"
key key.pem
cert leaf.pem key=key.pem issuer=int2.pem san=DNS:a.example
key other.key
cert other-int.pem key=other.key issuer=root.pem ca cn="Live Other Int"
key wrong.pem
cat fullchain.pem leaf.pem int2.pem int1.pem
cat chain.pem int2.pem int1.pem
cat combined.pem leaf.pem int2.pem int1.pem key.pem
cat combined-wrong.pem leaf.pem wrong.pem
cat chain-root.pem int2.pem int1.pem root.pem
chmod combined.pem 600
chmod combined-wrong.pem 600
rehash capath int2.pem int1.pem
"#,
    );
    // (name, virtual host body)
    let cases: &[(&str, &str)] = &[
        ("full chain", "SSLCertificateFile fullchain.pem\n    SSLCertificateKeyFile key.pem\n"),
        ("chain file", "SSLCertificateFile leaf.pem\n    SSLCertificateKeyFile key.pem\n    SSLCertificateChainFile chain.pem\n"),
        ("stale chain file", "SSLCertificateFile fullchain.pem\n    SSLCertificateKeyFile key.pem\n    SSLCertificateChainFile other-int.pem\n"),
        ("chain file is the certificate file", "SSLCertificateFile fullchain.pem\n    SSLCertificateKeyFile key.pem\n    SSLCertificateChainFile fullchain.pem\n"),
        ("key in the certificate file", "SSLCertificateFile combined.pem\n"),
        ("leaf alone, CA file", "SSLCertificateFile leaf.pem\n    SSLCertificateKeyFile key.pem\n    SSLCACertificateFile chain.pem\n"),
        ("leaf alone, CA file with the root", "SSLCertificateFile leaf.pem\n    SSLCertificateKeyFile key.pem\n    SSLCACertificateFile chain-root.pem\n"),
        ("leaf alone, CA path", "SSLCertificateFile leaf.pem\n    SSLCertificateKeyFile key.pem\n    SSLCACertificatePath capath\n"),
        ("leaf alone, CA file short of int 1", "SSLCertificateFile leaf.pem\n    SSLCertificateKeyFile key.pem\n    SSLCACertificateFile int2.pem\n"),
        ("full chain and a CA file", "SSLCertificateFile fullchain.pem\n    SSLCertificateKeyFile key.pem\n    SSLCACertificateFile chain-root.pem\n"),
    ];
    let mut conf = head(dir, "good");
    let ports: Vec<u16> = cases.iter().map(|_| common::free_port()).collect();
    for ((_, body), port) in cases.iter().zip(&ports) {
        conf.push_str(&vhost(*port, &format!("    {body}")));
    }
    let path = dir.join("good.conf");
    std::fs::write(&path, &conf).unwrap();
    let v = lint(dir, &path);
    assert!(
        v["errors"].as_array().unwrap().is_empty(),
        "{}",
        v["errors"]
    );
    let codes: Vec<&str> = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["code"].as_str().unwrap())
        .collect();
    assert!(
        !codes.contains(&"TLS301") && !codes.contains(&"TLS302"),
        "{codes:?}"
    );
    let eps = v["endpoints"].as_array().unwrap();
    assert_eq!(eps.len(), cases.len());
    assert!(
        httpd(httpd_bin, &path, "start"),
        "httpd did not start:\n{conf}"
    );
    let mut results = Vec::new();
    for (i, port) in ports.iter().enumerate() {
        assert!(wait(*port, true), "port {port} not listening");
        let got = sent_by_server(openssl, dir, *port);
        let want: Vec<String> = eps[i]["certificates"][0]["facts"]["chain"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| {
                c["sha256"]
                    .as_str()
                    .unwrap()
                    .replace(':', "")
                    .to_ascii_lowercase()
            })
            .collect();
        results.push((cases[i].0, got, want));
    }
    httpd(httpd_bin, &path, "stop");
    for port in &ports {
        wait(*port, false);
    }
    for (name, got, want) in &results {
        eprintln!(
            "{name:<36} httpd sends {} certificate(s), tlslint says {}",
            got.len(),
            want.len()
        );
        assert_eq!(
            got, want,
            "{name}: httpd sends {got:?}, tlslint says {want:?}"
        );
    }
    // the wrong key in the certificate file: httpd refuses to start, tlslint reports TLS302
    let port = common::free_port();
    let bad = head(dir, "bad") + &vhost(port, "    SSLCertificateFile combined-wrong.pem\n");
    let path = dir.join("bad.conf");
    std::fs::write(&path, &bad).unwrap();
    let v = lint(dir, &path);
    assert!(
        v["findings"]
            .as_array()
            .unwrap()
            .iter()
            .any(|f| f["code"] == "TLS302"),
        "{}",
        v["findings"]
    );
    let started = httpd(httpd_bin, &path, "start") && wait(port, true);
    httpd(httpd_bin, &path, "stop");
    let log = std::fs::read_to_string(dir.join("bad.log")).unwrap_or_default();
    assert!(!started, "httpd started with a mismatched key");
    assert!(log.contains("AH02565"), "{log}");
}
