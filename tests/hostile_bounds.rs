//! Hostile inputs that once made work grow with how often something is
//! named, each with a generous bound the fixed code meets by a factor of
//! ten or more: an encrypted key named by 50 spellings of its path.

mod certgen;
mod common;

use std::process::Command;
use std::time::{Duration, Instant};

#[test]
fn an_encrypted_key_is_derived_once_whatever_the_spelling_of_its_path() {
    if !certgen::require_openssl("key derivation once per key") {
        return;
    }
    let d = tempfile::tempdir().unwrap();
    certgen::setup(
        d.path(),
        "key k.pem\ncert c.pem key=k.pem san=DNS:www.example.org\nwrite pass.txt secret\n",
    );
    // PBKDF2 with 100,000 iterations: about a second per derivation in a debug build
    let o = Command::new("openssl")
        .current_dir(d.path())
        .args([
            "pkcs8",
            "-topk8",
            "-in",
            "k.pem",
            "-v2",
            "aes-256-cbc",
            "-iter",
            "100000",
        ])
        .args(["-passout", "pass:secret", "-out", "ke.pem"])
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let servers: String = (0..50)
        .map(|i| {
            let spelling = format!("{}ke.pem", "./".repeat(i));
            format!("  server {{ listen 443 ssl; server_name s{i}.example.org; ssl_certificate c.pem; ssl_certificate_key {spelling}; ssl_password_file pass.txt; }}\n")
        })
        .collect();
    std::fs::write(
        d.path().join("nginx.conf"),
        format!("events {{}}\nhttp {{\n{servers}}}\n"),
    )
    .unwrap();
    let t = Instant::now();
    let o = Command::new(env!("CARGO_BIN_EXE_tlslint"))
        .current_dir(d.path())
        .args(["check", "nginx.conf", "--format", "json"])
        .output()
        .unwrap();
    let took = t.elapsed();
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    // the key was decrypted (no "not checkable" TLS302 about it) for every server
    let keys_unchecked = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["message"].as_str().unwrap_or("").contains("ke.pem") && f["code"] == "TLS302")
        .count();
    assert_eq!(keys_unchecked, 0, "{}", String::from_utf8_lossy(&o.stdout));
    // 50 derivations took ~50 s here; one takes ~1 s
    assert!(took < Duration::from_secs(20), "took {took:?}");
}
