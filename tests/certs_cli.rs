//! The certificate checks end to end: files absent from this machine,
//! `--root`, `data:` values (key material never printed), variables, the
//! JSON facts (against openssl), TLS506 and the OCSP URL, bad flags.

mod certgen;
mod common;

use std::path::Path;
use std::process::{Command, Output};

fn tlslint(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_tlslint"))
        .current_dir(dir)
        .args(args)
        .env("NO_COLOR", "1")
        .output()
        .unwrap()
}

fn json(dir: &Path, args: &[&str]) -> serde_json::Value {
    let mut a = args.to_vec();
    a.extend(["--format", "json"]);
    let o = tlslint(dir, &a);
    serde_json::from_slice(&o.stdout).unwrap_or_else(|e| {
        panic!(
            "{e}: {}{}",
            String::from_utf8_lossy(&o.stdout),
            String::from_utf8_lossy(&o.stderr)
        )
    })
}

fn text(o: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}

const SERVER: &str = "events {}\nhttp {\n  server {\n    listen 443 ssl;\n    server_name www.example.org;\n    ssl_certificate CERT;\n    ssl_certificate_key KEY;\n  }\n}\n";

fn conf(cert: &str, key: &str) -> String {
    SERVER.replace("CERT", cert).replace("KEY", key)
}

#[test]
fn files_absent_from_this_machine_are_one_note_not_findings() {
    let d = tempfile::tempdir().unwrap();
    std::fs::write(
        d.path().join("nginx.conf"),
        conf("/etc/tlslint-test/a.pem", "a.key"),
    )
    .unwrap();
    let v = json(d.path(), &["nginx.conf"]);
    let c = common::finding_codes(&v);
    assert!(!c.iter().any(|c| c.starts_with("TLS3")), "{c:?}");
    let notes = v["notes"].to_string();
    assert!(
        notes.contains("none of the 2 certificate and key file(s)"),
        "{notes}"
    );
    assert!(notes.contains("--root"), "{notes}");
    // a file that exists anyway on this machine (a system CA bundle) changes nothing
    std::fs::write(d.path().join("bundle.pem"), "x").unwrap();
    std::fs::write(
        d.path().join("nginx.conf"),
        conf("/etc/tlslint-test/a.pem", "a.key")
            .replace("  }\n}", "    ssl_trusted_certificate bundle.pem;\n  }\n}"),
    )
    .unwrap();
    let c = common::finding_codes(&json(d.path(), &["nginx.conf"]));
    assert!(!c.iter().any(|c| c.starts_with("TLS3")), "{c:?}");
    // one of them present: the missing one is a finding
    std::fs::write(d.path().join("a.key"), "not a key").unwrap();
    let v = json(d.path(), &["nginx.conf"]);
    let f: Vec<&serde_json::Value> = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["code"] == "TLS301")
        .collect();
    assert_eq!(f.len(), 2, "{f:?}");
    assert!(f[0]["message"].as_str().unwrap().contains("no such file"));
    assert!(f[1]["message"].as_str().unwrap().contains("is not PEM"));
}

#[test]
fn root_maps_absolute_paths_onto_a_checkout() {
    if !certgen::require_openssl("--root") {
        return;
    }
    let d = tempfile::tempdir().unwrap();
    let repo = d.path();
    std::fs::create_dir_all(repo.join("nginx/ssl")).unwrap();
    certgen::setup(
        &repo.join("nginx/ssl"),
        "key a.key\ncert a.pem key=a.key san=DNS:www.example.org\n",
    );
    let text = conf("/etc/nginx/ssl/a.pem", "/etc/nginx/ssl/a.key")
        .replace("  }\n}", "  }\n  server { listen 444 ssl; ssl_certificate /etc/letsencrypt/live/x/fullchain.pem; ssl_certificate_key /etc/letsencrypt/live/x/privkey.pem; }\n}");
    std::fs::write(repo.join("nginx/nginx.conf"), text).unwrap();
    let v = json(
        repo,
        &["nginx", "--root", "/etc/nginx=nginx", "--now", "2026-01-01"],
    );
    let c = common::finding_codes(&v);
    // a.pem was read from the checkout: self-signed, so not trusted; the key matches
    assert!(c.contains(&"TLS310".to_string()), "{c:?}");
    assert!(
        !c.contains(&"TLS301".to_string()) && !c.contains(&"TLS302".to_string()),
        "{c:?}"
    );
    // a checkout's modes say nothing: no TLS312 under --root
    assert!(!c.contains(&"TLS312".to_string()), "{c:?}");
    let notes = v["notes"].to_string();
    assert!(notes.contains("outside the --root mappings"), "{notes}");
    assert!(
        notes.contains("/etc/letsencrypt/live/x/fullchain.pem"),
        "{notes}"
    );
    // facts of the certificate as read
    let facts = &v["endpoints"][0]["certificates"][0]["facts"];
    assert_eq!(facts["subject"], "CN=a");
    // a file under the mapping that is not in the checkout is missing
    let v = json(
        repo,
        &["nginx", "--root", "/etc=nginx/..", "--now", "2026-01-01"],
    );
    let c = common::finding_codes(&v);
    assert!(c.contains(&"TLS301".to_string()), "{c:?}");
}

#[test]
fn inline_data_is_checked_and_key_material_is_never_printed() {
    if !certgen::require_openssl("data: values") {
        return;
    }
    let d = tempfile::tempdir().unwrap();
    certgen::setup(
        d.path(),
        "key a.key\ncert a.pem key=a.key san=DNS:www.example.org\nkey other.key\n",
    );
    let pem = |f: &str| std::fs::read_to_string(d.path().join(f)).unwrap();
    let quote = |s: String| format!("\"data:{}\"", s.trim_end());
    // the key does not match: TLS302, with the inline key in the config
    let text = conf(&quote(pem("a.pem")), &quote(pem("other.key")));
    std::fs::write(d.path().join("nginx.conf"), &text).unwrap();
    let key_body: Vec<String> = pem("other.key")
        .lines()
        .filter(|l| !l.starts_with("-----"))
        .map(str::to_string)
        .collect();
    for format in ["human", "json", "sarif", "github"] {
        let o = tlslint(
            d.path(),
            &["nginx.conf", "--format", format, "--now", "2026-01-01"],
        );
        let out = text_of(&o);
        assert!(out.contains("TLS302"), "{format}: {out}");
        for l in &key_body {
            assert!(
                !out.contains(l.as_str()),
                "{format} prints key material: {out}"
            );
        }
    }
    // a matching inline pair is clean of TLS301/TLS302
    std::fs::write(
        d.path().join("nginx.conf"),
        conf(&quote(pem("a.pem")), &quote(pem("a.key"))),
    )
    .unwrap();
    let c = common::finding_codes(&json(d.path(), &["nginx.conf", "--now", "2026-01-01"]));
    assert!(!c.iter().any(|c| c == "TLS301" || c == "TLS302"), "{c:?}");
}

fn text_of(o: &Output) -> String {
    text(o)
}

#[test]
fn values_built_from_variables_are_not_checkable() {
    let d = tempfile::tempdir().unwrap();
    std::fs::write(d.path().join("present.pem"), "x").unwrap();
    std::fs::write(
        d.path().join("nginx.conf"),
        conf("$ssl_server_name.crt", "$ssl_server_name.key")
            .replace("  }\n}", "    ssl_dhparam present.pem;\n  }\n}"),
    )
    .unwrap();
    let v = json(d.path(), &["nginx.conf"]);
    let f: Vec<&serde_json::Value> = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["code"] == "TLS301")
        .collect();
    assert_eq!(f.len(), 2, "{f:?}");
    for f in f {
        assert_eq!(f["severity"], "info");
        assert!(f["message"].as_str().unwrap().contains("$ssl_server_name"));
    }
}

#[test]
fn json_facts_agree_with_openssl() {
    if !certgen::require_openssl("JSON facts") {
        return;
    }
    let d = tempfile::tempdir().unwrap();
    certgen::setup(
        d.path(),
        "key root.key rsa:2048\ncert root.pem key=root.key ca cn=\"Facts Root\"\nkey a.key ec:P-384\ncert a.pem key=a.key issuer=root.pem san=DNS:www.example.org,IP:192.0.2.1 ocsp=http://ocsp.example.org/ from=2025-08-01 to=2025-10-30\ncat full.pem a.pem root.pem\n",
    );
    std::fs::write(d.path().join("nginx.conf"), conf("full.pem", "a.key")).unwrap();
    let v = json(d.path(), &["nginx.conf", "--now", "2025-09-01"]);
    let f = &v["endpoints"][0]["certificates"][0]["facts"];
    assert_eq!(f["subject"], "CN=a");
    assert_eq!(f["issuer"], "CN=Facts Root");
    assert_eq!(
        f["sans"],
        serde_json::json!(["DNS:www.example.org", "IP:192.0.2.1"])
    );
    assert_eq!(f["not_before"], "2025-08-01T00:00:00Z");
    assert_eq!(f["not_after"], "2025-10-30T00:00:00Z");
    assert_eq!(f["key_type"], "ecdsa");
    assert_eq!(f["key_bits"], 384);
    assert_eq!(f["curve"], "secp384r1");
    assert_eq!(f["signature_algorithm"], "sha256WithRSAEncryption");
    assert_eq!(f["ocsp"], serde_json::json!(["http://ocsp.example.org/"]));
    assert_eq!(f["chain"].as_array().unwrap().len(), 2);
    assert_eq!(f["chain"][1]["subject"], "CN=Facts Root");
    assert_eq!(f["chain"][1]["key_type"], "rsa");
    assert_eq!(f["chain"][1]["key_bits"], 2048);
    for (i, file) in ["a.pem", "root.pem"].iter().enumerate() {
        let o = Command::new("openssl")
            .current_dir(d.path())
            .args([
                "x509",
                "-noout",
                "-fingerprint",
                "-sha256",
                "-serial",
                "-in",
                file,
            ])
            .output()
            .unwrap();
        let out = String::from_utf8_lossy(&o.stdout);
        let fp = out
            .lines()
            .find_map(|l| l.split_once("Fingerprint="))
            .unwrap()
            .1;
        let serial = out.lines().find_map(|l| l.strip_prefix("serial=")).unwrap();
        assert_eq!(f["chain"][i]["sha256"], fp.trim(), "{file}");
        assert_eq!(f["chain"][i]["serial"], serial.trim(), "{file}");
    }
    assert_eq!(f["sha256"], f["chain"][0]["sha256"]);
    // no key material in the endpoint
    let e = v["endpoints"].to_string();
    assert!(!e.contains("PRIVATE KEY"), "{e}");
}

#[test]
fn stapling_needs_an_ocsp_url_in_the_certificate() {
    if !certgen::require_openssl("TLS506 and OCSP URLs") {
        return;
    }
    let d = tempfile::tempdir().unwrap();
    certgen::setup(
        d.path(),
        "key a.key\ncert with.pem key=a.key san=DNS:www.example.org ocsp=http://ocsp.example.org/\ncert without.pem key=a.key san=DNS:www.example.org\n",
    );
    let staple = |cert: &str| {
        conf(cert, "a.key").replace(
            "  }\n}",
            "    ssl_stapling on;\n    resolver 127.0.0.53;\n  }\n}",
        )
    };
    std::fs::write(d.path().join("nginx.conf"), staple("without.pem")).unwrap();
    let v = json(d.path(), &["nginx.conf", "--now", "2026-01-01"]);
    let m: Vec<String> = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["code"] == "TLS506")
        .map(|f| f["message"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(m.len(), 1, "{m:?}");
    assert!(m[0].contains("names no OCSP responder"), "{m:?}");
    std::fs::write(d.path().join("nginx.conf"), staple("with.pem")).unwrap();
    let c = common::finding_codes(&json(d.path(), &["nginx.conf", "--now", "2026-01-01"]));
    assert!(!c.contains(&"TLS506".to_string()), "{c:?}");
    // ssl_stapling_responder stands in for the certificate's URL
    std::fs::write(
        d.path().join("nginx.conf"),
        staple("without.pem").replace(
            "ssl_stapling on;",
            "ssl_stapling on; ssl_stapling_responder http://ocsp.example.org/;",
        ),
    )
    .unwrap();
    let c = common::finding_codes(&json(d.path(), &["nginx.conf", "--now", "2026-01-01"]));
    assert!(!c.contains(&"TLS506".to_string()), "{c:?}");
}

#[test]
fn bad_flags_exit_2() {
    let d = tempfile::tempdir().unwrap();
    std::fs::write(d.path().join("nginx.conf"), conf("a.pem", "a.key")).unwrap();
    for (args, want) in [
        (&["--now", "yesterday"][..], "--now"),
        (&["--ca-file", "nope.pem"][..], "--ca-file"),
        (&["--root", "/etc/nginx=no-such-dir"][..], "--root"),
    ] {
        let mut a = vec!["nginx.conf"];
        a.extend_from_slice(args);
        let o = tlslint(d.path(), &a);
        assert_eq!(o.status.code(), Some(2), "{args:?}: {}", text(&o));
        assert!(text(&o).contains(want), "{}", text(&o));
    }
    std::fs::write(d.path().join("empty.pem"), "").unwrap();
    let o = tlslint(d.path(), &["nginx.conf", "--ca-file", "empty.pem"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(text(&o).contains("no PEM certificate"), "{}", text(&o));
}

#[cfg(unix)]
#[test]
fn unreadable_and_foreign_owned_keys() {
    if !certgen::require_openssl("key permissions") {
        return;
    }
    let d = tempfile::tempdir().unwrap();
    certgen::setup(
        d.path(),
        "key a.key\ncert a.pem key=a.key san=DNS:www.example.org\n",
    );
    std::fs::write(d.path().join("nginx.conf"), conf("a.pem", "a.key")).unwrap();
    let root = Command::new("id")
        .arg("-u")
        .output()
        .map(|o| o.stdout == b"0\n")
        .unwrap_or(false);
    if root {
        // owned by another user: TLS312 even with mode 600
        let o = Command::new("chown")
            .args(["65534", "a.key"])
            .current_dir(d.path())
            .output()
            .unwrap();
        assert!(o.status.success());
        let v = json(d.path(), &["nginx.conf", "--now", "2026-01-01"]);
        let m = v["findings"].to_string();
        assert!(m.contains("owned by uid 65534"), "{m}");
    } else {
        // not root and unreadable: said in a note, and the run goes on
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(
            d.path().join("a.key"),
            std::fs::Permissions::from_mode(0o000),
        )
        .unwrap();
        let v = json(d.path(), &["nginx.conf", "--now", "2026-01-01"]);
        let notes = v["notes"].to_string();
        assert!(notes.contains("could not be read as uid"), "{notes}");
        let c = common::finding_codes(&v);
        assert!(
            !c.contains(&"TLS301".to_string()) && !c.contains(&"TLS302".to_string()),
            "{c:?}"
        );
        assert!(
            c.contains(&"TLS310".to_string()),
            "the certificate is still checked: {c:?}"
        );
    }
}

#[test]
fn encrypted_keys_and_password_files() {
    if !certgen::require_openssl("encrypted keys") {
        return;
    }
    let d = tempfile::tempdir().unwrap();
    certgen::setup(
        d.path(),
        "key a.key\ncert a.pem key=a.key san=DNS:www.example.org\nkey p8.key encrypt=secret\nkey legacy.key rsa:2048 legacy-encrypt=secret\nwrite pass.txt secret\n",
    );
    // a-p8.key: a.key encrypted (the same key, so the pair matches once decrypted)
    let o = Command::new("openssl")
        .current_dir(d.path())
        .args([
            "pkey",
            "-in",
            "a.key",
            "-aes256",
            "-passout",
            "pass:secret",
            "-out",
            "a-p8.key",
        ])
        .output()
        .unwrap();
    assert!(o.status.success());
    let tls302 = |v: &serde_json::Value| -> Vec<serde_json::Value> {
        v["findings"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|f| f["code"] == "TLS302" || f["code"] == "TLS301")
            .cloned()
            .collect()
    };
    for (key, form) in [
        ("p8.key", "encrypted (PKCS #8)"),
        ("legacy.key", "legacy-encrypted"),
    ] {
        // no ssl_password_file: nothing to try
        std::fs::write(d.path().join("nginx.conf"), conf("a.pem", key)).unwrap();
        let v = json(d.path(), &["nginx.conf", "--now", "2026-01-01"]);
        let f = tls302(&v);
        assert_eq!(f.len(), 1, "{key}: {f:?}");
        assert_eq!(f[0]["code"], "TLS302");
        assert_eq!(f[0]["severity"], "info");
        let m = f[0]["message"].as_str().unwrap();
        assert!(
            m.contains(form) && m.contains("no ssl_password_file"),
            "{m}"
        );
        // with the pass phrase: decrypted, and it is another key than the certificate's
        let c = conf("a.pem", key).replace("  }\n}", "    ssl_password_file pass.txt;\n  }\n}");
        std::fs::write(d.path().join("nginx.conf"), c).unwrap();
        let v = json(d.path(), &["nginx.conf", "--now", "2026-01-01"]);
        let f = tls302(&v);
        assert_eq!(f.len(), 1, "{key}: {f:?}");
        assert_eq!(f[0]["severity"], "error");
        let m = f[0]["message"].as_str().unwrap();
        assert!(
            m.contains("does not belong to the certificate")
                && m.contains(
                    "decrypted with the pass phrase on line 1 of ssl_password_file pass.txt"
                ),
            "{m}"
        );
        assert!(!m.contains("secret"), "{m}");
    }
    // the certificate's own key, encrypted: nothing to report
    let c = conf("a.pem", "a-p8.key").replace("  }\n}", "    ssl_password_file pass.txt;\n  }\n}");
    std::fs::write(d.path().join("nginx.conf"), &c).unwrap();
    let v = json(d.path(), &["nginx.conf", "--now", "2026-01-01"]);
    assert!(tls302(&v).is_empty(), "{:?}", tls302(&v));
    // a missing password file: nginx does not start
    std::fs::write(
        d.path().join("nginx.conf"),
        c.replace("pass.txt", "missing.pass"),
    )
    .unwrap();
    let v = json(d.path(), &["nginx.conf", "--now", "2026-01-01"]);
    let f = tls302(&v);
    assert_eq!(f.len(), 1, "{f:?}");
    assert_eq!(f[0]["severity"], "error");
    assert!(f[0]["message"]
        .as_str()
        .unwrap()
        .contains("ssl_password_file missing.pass: no such file"));
    // a line nginx refuses: nginx does not start
    std::fs::write(d.path().join("long.pass"), "x".repeat(5000)).unwrap();
    std::fs::write(
        d.path().join("nginx.conf"),
        c.replace("pass.txt", "long.pass"),
    )
    .unwrap();
    let v = json(d.path(), &["nginx.conf", "--now", "2026-01-01"]);
    let f = tls302(&v);
    assert_eq!(f.len(), 1, "{f:?}");
    assert_eq!(f[0]["severity"], "error");
    assert!(
        f[0]["message"]
            .as_str()
            .unwrap()
            .contains("line 1 is 4096 bytes or longer"),
        "{f:?}"
    );
    // Apache: SSLPassPhraseDialog asks a person or runs a program, neither of which tlslint does
    for (dialog, says) in [
        ("", "on the terminal at startup (SSLPassPhraseDialog builtin)"),
        ("SSLPassPhraseDialog builtin\n", "on the terminal at startup (SSLPassPhraseDialog builtin)"),
        (
            "SSLPassPhraseDialog exec:/usr/libexec/httpd-ssl-pass-dialog\n",
            "from the program /usr/libexec/httpd-ssl-pass-dialog (SSLPassPhraseDialog exec:/usr/libexec/httpd-ssl-pass-dialog), and tlslint never runs programs",
        ),
    ] {
        std::fs::write(
            d.path().join("apache2.conf"),
            format!("Listen 443\nLoadModule ssl_module /usr/lib/apache2/modules/mod_ssl.so\n{dialog}<VirtualHost *:443>\n    ServerName www.example.org\n    SSLEngine on\n    SSLCertificateFile a.pem\n    SSLCertificateKeyFile a-p8.key\n</VirtualHost>\n"),
        )
        .unwrap();
        let v = json(d.path(), &["apache2.conf", "--now", "2026-01-01"]);
        let f = tls302(&v);
        assert_eq!(f.len(), 1, "{dialog}: {f:?}");
        assert_eq!(f[0]["severity"], "info");
        let m = f[0]["message"].as_str().unwrap();
        assert!(m.contains(says) && m.contains("is not checked"), "{m}");
    }
    // an unreadable password file: a note, not a verdict
    let root = Command::new("id")
        .arg("-u")
        .output()
        .map(|o| o.stdout == b"0\n")
        .unwrap_or(false);
    #[cfg(unix)]
    if !root {
        use std::os::unix::fs::PermissionsExt;
        std::fs::write(d.path().join("locked.pass"), "secret\n").unwrap();
        std::fs::set_permissions(
            d.path().join("locked.pass"),
            std::fs::Permissions::from_mode(0o000),
        )
        .unwrap();
        std::fs::write(
            d.path().join("nginx.conf"),
            c.replace("pass.txt", "locked.pass"),
        )
        .unwrap();
        let v = json(d.path(), &["nginx.conf", "--now", "2026-01-01"]);
        let f = tls302(&v);
        assert_eq!(f.len(), 1, "{f:?}");
        assert_eq!(f[0]["severity"], "info");
        assert!(
            v["notes"].to_string().contains("locked.pass"),
            "{}",
            v["notes"]
        );
    }
}

/// `ssl_dhparam` below what the cipher string's security level accepts:
/// OpenSSL refuses the parameters when nginx loads them ("dh key too
/// small") and nginx does not start — checked against `nginx -t`.
#[test]
fn dh_parameters_below_the_security_level_stop_nginx() {
    if !certgen::require_openssl("DH parameters and the security level") {
        return;
    }
    let d = tempfile::tempdir().unwrap();
    certgen::setup(
        d.path(),
        "key a.key rsa:2048\ncert a.pem key=a.key san=DNS:www.example.org\ndh dh1024.pem dsa:1024\n",
    );
    let nginx = ["/usr/sbin/nginx", "/usr/local/sbin/nginx"]
        .into_iter()
        .find(|p| Path::new(p).exists());
    // no @SECLEVEL: Debian's OpenSSL (the one installed here) defaults to 2
    for (level, refused) in [(Some(1), false), (Some(2), true), (None, true)] {
        let at = level.map(|l| format!(":@SECLEVEL={l}")).unwrap_or_default();
        let text = conf("a.pem", "a.key").replace(
            "  }\n}",
            &format!(
                "    ssl_dhparam dh1024.pem;\n    ssl_ciphers DHE-RSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256{at};\n  }}\n}}"
            ),
        );
        std::fs::write(d.path().join("nginx.conf"), &text).unwrap();
        let v = json(
            d.path(),
            &[
                "nginx.conf",
                "--now",
                "2026-01-01",
                "--openssl-version",
                "3.0",
            ],
        );
        let said = v["findings"].as_array().unwrap().iter().any(|f| {
            f["code"] == "TLS208" && f["message"].as_str().unwrap().contains("refuses to start")
        });
        assert_eq!(said, refused, "level {level:?}: {}", v["findings"]);
        match nginx {
            Some(bin) => {
                let o = Command::new(bin)
                    .args(["-t", "-p"])
                    .arg(d.path())
                    .args(["-c", "nginx.conf", "-e", "/dev/null"])
                    .args(["-g", "pid nginx.pid; error_log /dev/null;"])
                    .output()
                    .unwrap();
                let err = String::from_utf8_lossy(&o.stderr);
                assert_eq!(
                    err.contains("dh key too small"),
                    refused,
                    "nginx -t at level {level:?}: {err}"
                );
            }
            None => {
                assert!(!common::ci(), "nginx is required when CI=true");
                eprintln!("skipped the nginx -t half: nginx is not installed");
            }
        }
    }
}

/// Debian's ssl-cert convention: a key `0640 root:ssl-cert` is a warning
/// naming the group; `0640` with another group, or readable by everyone,
/// stays an error. Needs root (to chown) and an `ssl-cert` group in this
/// machine's /etc/group (the group tlslint looks the key's gid up in).
#[cfg(unix)]
#[test]
fn ssl_cert_group_keys_are_a_warning() {
    if !certgen::require_openssl("ssl-cert keys") {
        return;
    }
    let root = Command::new("id")
        .arg("-u")
        .output()
        .map(|o| o.stdout == b"0\n")
        .unwrap_or(false);
    let gid = std::fs::read_to_string("/etc/group")
        .unwrap_or_default()
        .lines()
        .find_map(|l| {
            let f: Vec<&str> = l.split(':').collect();
            (f.len() > 2 && f[0] == "ssl-cert").then(|| f[2].parse::<u32>().ok())?
        });
    let (true, Some(gid)) = (root, gid) else {
        // CI runs as root and .ci/run installs Debian's ssl-cert: mandatory there
        return common::skip_or_fail(
            "ssl-cert keys",
            "needs root and an ssl-cert group in /etc/group (Debian package ssl-cert)",
        );
    };
    let d = tempfile::tempdir().unwrap();
    certgen::setup(
        d.path(),
        "key a.key\ncert a.pem key=a.key san=DNS:www.example.org\nchmod a.key 640\n",
    );
    std::fs::write(d.path().join("nginx.conf"), conf("a.pem", "a.key")).unwrap();
    let tls312 = |v: &serde_json::Value| -> Vec<(String, String)> {
        v["findings"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|f| f["code"] == "TLS312")
            .map(|f| {
                (
                    f["severity"].as_str().unwrap().to_string(),
                    f["message"].as_str().unwrap().to_string(),
                )
            })
            .collect()
    };
    let key = d.path().join("a.key");
    // 0640 root:ssl-cert: a warning that names the group
    std::os::unix::fs::chown(&key, Some(0), Some(gid)).unwrap();
    let f = tls312(&json(d.path(), &["nginx.conf", "--now", "2026-01-01"]));
    assert_eq!(f.len(), 1, "{f:?}");
    assert_eq!(f[0].0, "warning", "{f:?}");
    assert!(f[0].1.contains("group ssl-cert"), "{f:?}");
    // 0644 root:ssl-cert: readable by everyone, an error
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&key, std::fs::Permissions::from_mode(0o644)).unwrap();
    }
    let f = tls312(&json(d.path(), &["nginx.conf", "--now", "2026-01-01"]));
    assert_eq!(f.len(), 1, "{f:?}");
    assert_eq!(f[0].0, "error", "{f:?}");
    // 0640 root:root: another group, an error
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&key, std::fs::Permissions::from_mode(0o640)).unwrap();
    }
    std::os::unix::fs::chown(&key, Some(0), Some(0)).unwrap();
    let f = tls312(&json(d.path(), &["nginx.conf", "--now", "2026-01-01"]));
    assert_eq!(f.len(), 1, "{f:?}");
    assert_eq!(f[0].0, "error", "{f:?}");
    assert!(f[0].1.contains("readable by its group"), "{f:?}");
}

/// A certificate in a file included by two servers, right for one of them
/// only: the finding (TLS308) keeps its place at ssl_certificate /
/// SSLCertificateFile in the shared file and gains the include line of the
/// server it is about; a finding for both servers (TLS203, one directive)
/// gains nothing.
#[test]
fn findings_in_a_shared_include_point_at_the_server_to_fix() {
    if !certgen::require_openssl("shared includes") {
        return;
    }
    let d = tempfile::tempdir().unwrap();
    certgen::setup(
        d.path(),
        "key a.key\ncert a.pem key=a.key san=DNS:a.example.org\nchmod a.key 600\n",
    );
    std::fs::create_dir(d.path().join("snippets")).unwrap();
    let cases = [
        (
            "nginx.conf",
            "snippets/tls.conf",
            "ssl_certificate a.pem;\nssl_certificate_key a.key;\nssl_ciphers HIGH:HGIH;\n",
            "events {}\nhttp {\n    server {\n        listen 443 ssl;\n        server_name a.example.org;\n        include snippets/tls.conf;\n    }\n    server {\n        listen 443 ssl;\n        server_name b.example.org;\n        include snippets/tls.conf;\n    }\n}\n",
            11,
        ),
        (
            "apache2.conf",
            "snippets/tls-apache.conf",
            "SSLEngine on\nSSLCertificateFile a.pem\nSSLCertificateKeyFile a.key\nSSLCipherSuite HIGH:HGIH\n",
            "Listen 443\nLoadModule ssl_module /usr/lib/apache2/modules/mod_ssl.so\n<VirtualHost *:443>\n    ServerName a.example.org\n    Include snippets/tls-apache.conf\n</VirtualHost>\n<VirtualHost *:443>\n    ServerName b.example.org\n    Include snippets/tls-apache.conf\n</VirtualHost>\n",
            9,
        ),
    ];
    for (main, snippet, shared, conf, include_line) in cases {
        std::fs::write(d.path().join(snippet), shared).unwrap();
        std::fs::write(d.path().join(main), conf).unwrap();
        let v = json(d.path(), &[main, "--now", "2026-01-01"]);
        let fs = v["findings"].as_array().unwrap();
        let by = |code: &str| {
            fs.iter()
                .find(|f| f["code"] == code)
                .unwrap_or_else(|| panic!("{code}: {v}"))
        };
        let t308 = by("TLS308");
        assert!(t308["file"].as_str().unwrap().ends_with(snippet), "{t308}");
        let rel = t308["related"].as_array().unwrap();
        let inc: Vec<_> = rel
            .iter()
            .filter(|r| r["message"].as_str().unwrap().contains("is included here"))
            .collect();
        assert_eq!(inc.len(), 1, "{main}: {t308}");
        assert_eq!(inc[0]["file"].as_str().unwrap(), main, "{t308}");
        assert_eq!(inc[0]["line"], include_line, "{t308}");
        assert!(
            inc[0]["message"]
                .as_str()
                .unwrap()
                .contains("b.example.org"),
            "{t308}"
        );
        // about both servers: one finding (httpd reads the file once per
        // Include, still one directive), and the shared file is the place
        let t203: Vec<_> = fs.iter().filter(|f| f["code"] == "TLS203").collect();
        assert_eq!(t203.len(), 1, "{t203:?}");
        assert_eq!(
            t203[0]["endpoints"].as_array().unwrap().len(),
            2,
            "{t203:?}"
        );
        assert!(
            !t203[0]["related"].to_string().contains("is included here"),
            "{t203:?}"
        );
    }
}
