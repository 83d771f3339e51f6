//! Servers with several certificates, private CAs and OpenSSL's default
//! groups, against real nginx and Apache httpd on 127.0.0.1 (certificates
//! generated at test time):
//!
//! - an nginx with an RSA and an ECDSA `ssl_certificate`: `tlslint probe`
//!   lists both chains (asked with only RSA, only ECDSA signature
//!   algorithms) in JSON, human, SARIF and GitHub output; `--probe` on the
//!   tree it runs finds no difference; edited copies (another ECDSA or RSA
//!   certificate, no ECDSA certificate) give TLS603 for that key type at the
//!   right line; a server with only the RSA certificate, linted with a tree
//!   that has both, gives TLS603 "serves no ECDSA certificate";
//! - `tlslint probe --ca-file` with the private CA: every chain trusted (no
//!   TLS310); without it, every chain untrusted (TLS310 for each);
//! - `ssl_ecdh_curve auto`: the groups the server takes are OpenSSL's
//!   default list of the installed version, as the model says: no static
//!   TLS206, no TLS605 from `--probe`, no TLS206 from `tlslint probe` (the
//!   report names the default list); an explicit list outside the profile
//!   gets TLS206 from both;
//! - the same dual-certificate comparison on httpd (two SSLCertificateFile).
//!
//! Without nginx, apache2 or openssl the tests print why they skip; with
//! CI=true they fail.
#![cfg(feature = "probe")]

mod certgen;
mod common;
mod probe_servers;

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

use probe_servers::{
    assert_none, httpd, line_of, make_pki_with, probe_findings, probe_json, vhost,
};

/// The PKI of `make_pki` and two ECDSA certificates for localhost.
fn make_keys(dir: &Path) {
    make_pki_with(
        dir,
        "key ec.key ec:P-256\n\
         cert ec.pem key=ec.key issuer=ca.pem cn=localhost san=DNS:localhost\n\
         key ec2.key ec:P-256\n\
         cert ec2.pem key=ec2.key issuer=ca.pem cn=localhost san=DNS:localhost\n",
    );
}

/// `AB:CD:...`: the SHA-256 of a PEM certificate, as `openssl x509` prints it.
fn fingerprint(pem: &Path) -> String {
    let o = Command::new("openssl")
        .args(["x509", "-noout", "-fingerprint", "-sha256", "-in"])
        .arg(pem)
        .output()
        .expect("openssl x509");
    let s = String::from_utf8_lossy(&o.stdout).to_string();
    s.trim()
        .split_once('=')
        .map(|(_, f)| f.to_string())
        .unwrap_or_else(|| panic!("no fingerprint of {}: {s}", pem.display()))
}

fn tlslint(args: &[&str]) -> common::Out {
    let mut c = Command::new(common::tlslint());
    c.args(args).env("NO_COLOR", "1");
    common::run(&mut c, Duration::from_secs(120)).expect("tlslint finishes")
}

/// The server, the installed versions as flags, and a directory with the
/// certificates of [`make_keys`]; None: skipped (or failed under CI).
fn setup(what: &str, apache: bool) -> Option<(PathBuf, Vec<String>, tempfile::TempDir)> {
    let (bin, versions) = probe_servers::installed(what, apache)?;
    let tmp = tempfile::tempdir().unwrap();
    make_keys(tmp.path());
    Some((bin, versions, tmp))
}

/// The second certificate pair of the dual-certificate servers.
const EC_PAIR: &str = "    ssl_certificate {dir}/ec.pem;\n    ssl_certificate_key {dir}/ec.key;\n";

/// `(key_type, leaf sha256, trust, asked)` of each chain by key type.
fn by_key(v: &serde_json::Value) -> Vec<(String, String, String, Vec<String>)> {
    v["certificate_chain"]["by_key_type"]
        .as_array()
        .unwrap_or_else(|| panic!("no by_key_type in {v:#}"))
        .iter()
        .map(|k| {
            (
                k["key_type"].as_str().unwrap().to_string(),
                k["chain"]["certificates"][0]["sha256"]
                    .as_str()
                    .unwrap()
                    .to_string(),
                k["chain"]["trust"].as_str().unwrap().to_string(),
                k["asked"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|a| a.as_str().unwrap().to_string())
                    .collect(),
            )
        })
        .collect()
}

/// `tlslint CONF --format json` with the installed versions (no probe).
fn static_json(conf: &Path, versions: &[String]) -> serde_json::Value {
    let mut args = vec![conf.to_str().unwrap(), "--no-config", "--format", "json"];
    args.extend(versions.iter().map(String::as_str));
    serde_json::from_slice(&tlslint(&args).stdout).unwrap()
}

#[test]
fn nginx_rsa_and_ecdsa_certificates() {
    let Some((nginx, versions, tmp)) = setup("an nginx with RSA and ECDSA certificates", false)
    else {
        return;
    };
    let dir = tmp.path();
    let d = dir.display().to_string();
    let rsa_fp = fingerprint(&dir.join("cert.pem"));
    let ec_fp = fingerprint(&dir.join("ec.pem"));
    let blocks = probe_servers::server_block(&format!(
        "{EC_PAIR}    ssl_protocols TLSv1.2 TLSv1.3;\n    ssl_ecdh_curve auto;\n"
    ))
    .replace("{dir}", &d);
    let server = probe_servers::nginx(&nginx, dir, "dual", &blocks);
    let target = server.target();

    // `tlslint probe`: both chains, by key type, each untrusted without --ca-file
    let (code, v, err) = probe_json(&[&target, "--sni", "localhost"]);
    assert_eq!(code, Some(0), "{err}");
    let keys = by_key(&v);
    let kinds: Vec<&str> = keys.iter().map(|k| k.0.as_str()).collect();
    assert_eq!(kinds, ["RSA", "ECDSA"], "{keys:#?}");
    assert_eq!(keys[0].1, rsa_fp);
    assert_eq!(keys[1].1, ec_fp);
    assert!(keys[0].3.contains(&"RSA".to_string()), "{keys:#?}");
    assert!(keys[1].3.contains(&"ECDSA".to_string()), "{keys:#?}");
    for k in &keys {
        assert!(k.2.starts_with("untrusted"), "{keys:#?}");
    }
    // no Ed25519 certificate: the Ed25519-only handshake fails
    assert!(
        v["certificate_chain"]["not_served"]["Ed25519"].is_string(),
        "{:#}",
        v["certificate_chain"]
    );
    // TLS310 for each chain: the one shown first and the other key type's
    let tls310: Vec<&str> = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["code"] == "TLS310")
        .map(|f| f["message"].as_str().unwrap())
        .collect();
    assert_eq!(tls310.len(), 2, "{tls310:#?}");
    assert!(tls310.iter().any(|m| m.contains(" key) does not reach")));

    // human: both chains with their fingerprints, the key types line
    let o = tlslint(&["probe", &target, "--sni", "localhost"]);
    let text = o.stdout_str();
    assert!(text.contains("Key types served:  RSA ("), "{text}");
    for fp in [&rsa_fp, &ec_fp] {
        assert!(text.contains(&format!("sha256     {fp}")), "{text}");
    }
    assert!(
        text.contains("Certificate chain (SNI localhost, RSA key)")
            || text.contains("Certificate chain (SNI localhost, ECDSA key)"),
        "{text}"
    );
    // SARIF and GitHub: one TLS310 per chain
    let o = tlslint(&["probe", &target, "--sni", "localhost", "--format", "sarif"]);
    let log: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let results = log["runs"][0]["results"].as_array().unwrap();
    assert_eq!(
        results.iter().filter(|r| r["ruleId"] == "TLS310").count(),
        2,
        "{results:#?}"
    );
    let o = tlslint(&["probe", &target, "--sni", "localhost", "--format", "github"]);
    assert_eq!(
        o.stdout_str()
            .lines()
            .filter(|l| l.contains("title=TLS310"))
            .count(),
        2,
        "{}",
        o.stdout_str()
    );

    // --ca-file with the private CA: every chain trusted, no TLS310
    let ca = format!("{d}/ca.pem");
    let (code, v, err) = probe_json(&[&target, "--sni", "localhost", "--ca-file", &ca]);
    assert_eq!(code, Some(0), "{err}");
    let keys = by_key(&v);
    assert_eq!(keys.len(), 2, "{keys:#?}");
    for k in &keys {
        assert_eq!(k.2, "trusted (root: CN=Probe Test CA)", "{keys:#?}");
    }
    assert!(
        !common::finding_codes(&v).contains(&"TLS310".to_string()),
        "{v:#}"
    );
    // a CA file that is not there is bad usage
    let o = tlslint(&["probe", &target, "--ca-file", &format!("{d}/nope.pem")]);
    assert_eq!(o.code, Some(2));
    assert!(o.stderr.contains("--ca-file: cannot read"), "{}", o.stderr);

    // `auto`: OpenSSL's default list, on the wire as in the model
    let groups = v["groups"].as_array().unwrap();
    let default_list = v["groups_default"].as_str().unwrap_or("");
    assert!(
        default_list.starts_with("OpenSSL 3.0 to") || default_list.starts_with("OpenSSL 3.5"),
        "groups {groups:?} are not named as OpenSSL's default list: {default_list:?}"
    );
    assert!(
        !common::finding_codes(&v).contains(&"TLS206".to_string()),
        "{v:#}"
    );

    // --probe on the tree the server runs: nothing differs (TLS605 agrees
    // with `auto`; each certificate is the one served for its key type)
    let conf = dir.join("dual").join("nginx.conf");
    let mut failures = Vec::new();
    assert_none(&conf, &versions, &mut failures);
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    // statically, `auto` is not TLS206 either
    let sv = static_json(&conf, &versions);
    assert!(
        !common::finding_codes(&sv).contains(&"TLS206".to_string()),
        "{sv:#}"
    );

    // edited copies of the tree
    let text = std::fs::read_to_string(&conf).unwrap();
    let edit = |name: &str, from: &str, to: &str| {
        let from = from.replace("{dir}", &d);
        let to = to.replace("{dir}", &d);
        assert!(text.contains(&from), "{from:?} not in {text}");
        let edited = text.replacen(&from, &to, 1);
        let p = dir.join("dual").join(name);
        std::fs::write(&p, &edited).unwrap();
        (p, edited)
    };
    // another ECDSA certificate in the files: TLS603 for the ECDSA chain
    let (p, edited) = edit(
        "ec2.conf",
        "{dir}/ec.pem;\n    ssl_certificate_key {dir}/ec.key;",
        "{dir}/ec2.pem;\n    ssl_certificate_key {dir}/ec2.key;",
    );
    let got = probe_findings(&p, &versions);
    let line = line_of(&edited, "ec2.pem");
    assert!(
        got.len() == 1
            && got[0].0 == "TLS603"
            && got[0].1 == line
            && got[0].2.contains("to ECDSA clients")
            && got[0].2.contains(&ec_fp[..11]),
        "{got:#?}"
    );
    // another RSA certificate: TLS603 for the RSA chain, at its line
    let (p, edited) = edit(
        "other.conf",
        "{dir}/cert.pem;\n    ssl_certificate_key {dir}/key.pem;",
        "{dir}/other.pem;\n    ssl_certificate_key {dir}/other.key;",
    );
    let got = probe_findings(&p, &versions);
    let tls603: Vec<_> = got.iter().filter(|g| g.0 == "TLS603").collect();
    assert!(
        tls603.len() == 1
            && tls603[0].1 == line_of(&edited, "other.pem")
            && tls603[0].2.contains("to RSA clients"),
        "{got:#?}"
    );
    // no ECDSA certificate in the files: the served one is reported (and
    // the ECDSA suites it serves, TLS602)
    let (p, edited) = edit("rsa-only.conf", &EC_PAIR.replace("{dir}", &d), "");
    let got = probe_findings(&p, &versions);
    let tls603: Vec<_> = got.iter().filter(|g| g.0 == "TLS603").collect();
    assert!(
        tls603.len() == 1
            && tls603[0].1 == line_of(&edited, "cert.pem")
            && tls603[0].2.contains("ECDSA key")
            && tls603[0].2.contains("only RSA certificates"),
        "{got:#?}"
    );
    assert!(
        got.iter().all(|g| g.0 == "TLS603" || g.0 == "TLS602"),
        "{got:#?}"
    );
    drop(server);

    // a server with only the RSA certificate, linted with a tree that has
    // both: the ECDSA certificate is not served
    let blocks =
        probe_servers::server_block("    ssl_protocols TLSv1.2 TLSv1.3;\n").replace("{dir}", &d);
    let server = probe_servers::nginx(&nginx, dir, "rsa", &blocks);
    let conf = dir.join("rsa").join("nginx.conf");
    let text = std::fs::read_to_string(&conf).unwrap();
    let key_line = format!("ssl_certificate_key {d}/key.pem;\n");
    assert!(text.contains(&key_line), "{text}");
    let edited = text.replacen(
        &key_line,
        &format!("{key_line}{}", EC_PAIR.replace("{dir}", &d)),
        1,
    );
    let p = dir.join("rsa").join("both.conf");
    std::fs::write(&p, &edited).unwrap();
    let got = probe_findings(&p, &versions);
    let tls603: Vec<_> = got.iter().filter(|g| g.0 == "TLS603").collect();
    assert!(
        tls603.len() == 1
            && tls603[0].1 == line_of(&edited, "ec.pem")
            && tls603[0].2.contains("serves no ECDSA certificate"),
        "{got:#?}"
    );
    drop(server);
}

/// Without TLS 1.3 the certificate follows the suite (ECDHE-RSA or
/// ECDHE-ECDSA) among those the signature algorithms allow: both chains
/// are still seen, and the tree the server runs gives no difference.
#[test]
fn nginx_rsa_and_ecdsa_certificates_over_tls12() {
    let Some((nginx, versions, tmp)) =
        setup("a TLS 1.2 nginx with RSA and ECDSA certificates", false)
    else {
        return;
    };
    let dir = tmp.path();
    let blocks = probe_servers::server_block(&format!("{EC_PAIR}    ssl_protocols TLSv1.2;\n"))
        .replace("{dir}", &dir.display().to_string());
    let server = probe_servers::nginx(&nginx, dir, "dual12", &blocks);
    let (_, v, err) = probe_json(&[&server.target(), "--sni", "localhost"]);
    let keys = by_key(&v);
    let kinds: Vec<&str> = keys.iter().map(|k| k.0.as_str()).collect();
    assert_eq!(kinds, ["RSA", "ECDSA"], "{keys:#?} {err}");
    assert_eq!(keys[0].1, fingerprint(&dir.join("cert.pem")));
    assert_eq!(keys[1].1, fingerprint(&dir.join("ec.pem")));
    let mut failures = Vec::new();
    assert_none(
        &dir.join("dual12").join("nginx.conf"),
        &versions,
        &mut failures,
    );
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    drop(server);
}

/// An explicit group list outside the profile: TLS206 from the
/// configuration and from the probe alike.
#[test]
fn nginx_explicit_groups_outside_the_profile() {
    let Some((nginx, versions, tmp)) = setup("TLS206 on nginx with an explicit group list", false)
    else {
        return;
    };
    let dir = tmp.path();
    let blocks = probe_servers::server_block(
        "    ssl_protocols TLSv1.2 TLSv1.3;\n    ssl_ecdh_curve X25519:secp521r1;\n",
    )
    .replace("{dir}", &dir.display().to_string());
    let server = probe_servers::nginx(&nginx, dir, "explicit", &blocks);
    let (_, v, err) = probe_json(&[&server.target(), "--sni", "localhost"]);
    let groups: Vec<&str> = v["groups"]
        .as_array()
        .unwrap_or_else(|| panic!("{err}"))
        .iter()
        .map(|g| g.as_str().unwrap())
        .collect();
    assert_eq!(groups, ["secp521r1", "x25519"]);
    assert!(v["groups_default"].is_null(), "{v:#}");
    let f = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["code"] == "TLS206")
        .unwrap_or_else(|| panic!("no TLS206 from the probe: {v:#}"));
    assert!(
        f["message"].as_str().unwrap().ends_with(": secp521r1"),
        "{f}"
    );
    let conf = dir.join("explicit").join("nginx.conf");
    let sv = static_json(&conf, &versions);
    let f = sv["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["code"] == "TLS206")
        .unwrap_or_else(|| panic!("no static TLS206: {sv:#}"));
    assert!(f["message"].as_str().unwrap().contains("secp521r1"), "{f}");
    // and the running server is what the tree says
    let mut failures = Vec::new();
    assert_none(&conf, &versions, &mut failures);
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    drop(server);
}

#[test]
fn apache_rsa_and_ecdsa_certificates() {
    let Some((bin, versions, tmp)) = setup("an httpd with RSA and ECDSA certificates", true) else {
        return;
    };
    let dir = tmp.path();
    let d = dir.display().to_string();
    let ec_fp = fingerprint(&dir.join("ec.pem"));
    let vhosts = vhost(
        "localhost",
        "    SSLCertificateFile {dir}/ec.pem\n    SSLCertificateKeyFile {dir}/ec.key\n    \
         SSLProtocol -all +TLSv1.2 +TLSv1.3\n",
    );
    let server = httpd(&bin, dir, "dual", &vhosts);
    let (_, v, err) = probe_json(&[&format!("127.0.0.1:{}", server.port), "--sni", "localhost"]);
    let keys = by_key(&v);
    let kinds: Vec<&str> = keys.iter().map(|k| k.0.as_str()).collect();
    assert_eq!(kinds, ["RSA", "ECDSA"], "{keys:#?} {err}");
    assert_eq!(keys[1].1, ec_fp);
    let conf = server.conf.clone();
    let mut failures = Vec::new();
    assert_none(&conf, &versions, &mut failures);
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    let text = std::fs::read_to_string(&conf).unwrap();
    let edited = text
        .replacen(&format!("{d}/ec.pem"), &format!("{d}/ec2.pem"), 1)
        .replacen(&format!("{d}/ec.key"), &format!("{d}/ec2.key"), 1);
    let p = dir.join("dual-edited.conf");
    std::fs::write(&p, &edited).unwrap();
    let got = probe_findings(&p, &versions);
    assert!(
        got.len() == 1
            && got[0].0 == "TLS603"
            && got[0].1 == line_of(&edited, "ec2.pem")
            && got[0].2.contains("to ECDSA clients"),
        "{got:#?}"
    );
    drop(server);
}
