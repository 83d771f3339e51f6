//! tlslint's certificate checks against OpenSSL, on certificates generated
//! at test time (tests/certgen):
//!
//! - chains: for every case, `openssl verify -untrusted REST -CAfile ROOTS
//!   FIRST` succeeds exactly when tlslint reports neither TLS310
//!   (chain-incomplete) nor TLS303 (an expired certificate, which OpenSSL
//!   also rejects), and each certificate is issued by the next (`openssl
//!   verify -partial_chain -trusted NEXT CUR`, and NEXT is not CUR repeated)
//!   exactly when there is no TLS309;
//! - keys: `openssl x509 -pubkey` equals `openssl pkey -pubout` exactly when
//!   there is no TLS302;
//! - DH parameters: the size tlslint reads equals `openssl dhparam -text`'s,
//!   and TLS208 fires exactly below the profile's 2048 bits;
//! - client chains: `openssl verify -verify_depth N` succeeds exactly when
//!   there is no TLS404 for `ssl_verify_depth N`; `-crl_check_all` succeeds
//!   exactly when there is no TLS403 about the CRLs;
//! - Apache: the same chain verdicts for virtual hosts with a separate
//!   SSLCertificateChainFile (mod_ssl sends the first certificate of
//!   SSLCertificateFile, then the chain file: that is what `openssl verify`
//!   is given), and the key compared when there is no SSLCertificateKeyFile
//!   is the one in the certificate file (`openssl pkey -pubout` of that file
//!   equals `openssl x509 -pubkey` of it exactly when there is no TLS302);
//!   SSLVerifyDepth N passes exactly when `openssl verify -show_chain` builds
//!   a chain of at most N + 1 certificates (mod_ssl refuses certificates
//!   deeper than N, the client's being 0).
//!
//! openssl is required with CI=true; elsewhere the tests skip with a reason.

mod common;

mod certgen;

use std::collections::BTreeMap;
use std::path::Path;
use std::process::Command;

const NOW: &str = "2026-01-01";
const NOW_EPOCH: &str = "1767225600";

fn openssl_ok(dir: &Path, args: &[&str]) -> bool {
    let o = Command::new("openssl")
        .current_dir(dir)
        .args(args)
        .output()
        .unwrap();
    o.status.success()
}

fn openssl_out(dir: &Path, args: &[&str]) -> String {
    let o = Command::new("openssl")
        .current_dir(dir)
        .args(args)
        .output()
        .unwrap();
    assert!(
        o.status.success(),
        "openssl {args:?}: {}",
        String::from_utf8_lossy(&o.stderr)
    );
    String::from_utf8_lossy(&o.stdout).into_owned()
}

/// Run tlslint on `conf` in `dir`; the findings per listen port: (code, message).
fn lint(dir: &Path, conf: &str, args: &[&str]) -> BTreeMap<u64, Vec<(String, String)>> {
    lint_as(dir, "nginx.conf", conf, args)
}

/// `lint` with the main file's name (`apache2.conf` for an Apache tree).
fn lint_as(
    dir: &Path,
    main: &str,
    conf: &str,
    args: &[&str],
) -> BTreeMap<u64, Vec<(String, String)>> {
    std::fs::write(dir.join(main), conf).unwrap();
    let o = Command::new(env!("CARGO_BIN_EXE_tlslint"))
        .current_dir(dir)
        .args([main, "--format", "json", "--now", NOW])
        .args(args)
        .output()
        .unwrap();
    let v = common::report_of(&o);
    let mut out: BTreeMap<u64, Vec<(String, String)>> = BTreeMap::new();
    for f in v["findings"].as_array().unwrap() {
        for e in f["endpoints"].as_array().unwrap() {
            for l in e["listen"].as_array().unwrap() {
                let port: u64 = l
                    .as_str()
                    .unwrap()
                    .rsplit(':')
                    .next()
                    .unwrap()
                    .parse()
                    .unwrap();
                out.entry(port).or_default().push((
                    f["code"].as_str().unwrap().to_string(),
                    f["message"].as_str().unwrap().to_string(),
                ));
            }
        }
    }
    out
}

fn has(found: &BTreeMap<u64, Vec<(String, String)>>, port: u64, code: &str) -> bool {
    found
        .get(&port)
        .map(|v| v.iter().any(|(c, _)| c == code))
        .unwrap_or(false)
}

fn cat(dir: &Path, out: &str, parts: &[&str]) {
    let mut s = String::new();
    for p in parts {
        s.push_str(&std::fs::read_to_string(dir.join(p)).unwrap());
    }
    std::fs::write(dir.join(out), s).unwrap();
}

const PKI: &str = r#"
key root.key
cert root.pem key=root.key ca cn="Oracle Root"
key int1.key
cert int1.pem key=int1.key issuer=root.pem ca cn="Oracle Int 1"
key int2.key
cert int2.pem key=int2.key issuer=int1.pem ca cn="Oracle Int 2"
key leaf.key
cert leaf.pem key=leaf.key issuer=int2.pem san=DNS:a.example
cert leaf1.pem key=leaf.key issuer=int1.pem san=DNS:a.example
cert oldint.pem key=int1.key issuer=root.pem ca cn="Oracle Int 1" from=2020-01-01 to=2025-06-01
key root2.key
cert root2.pem key=root2.key ca cn="Other Root"
key x.key
cert xint.pem key=x.key issuer=root2.pem ca cn="Other Int"
cert xleaf.pem key=leaf.key issuer=xint.pem san=DNS:a.example
key nc.key
cert nonca.pem key=nc.key issuer=root.pem cn="Not A CA"
cert ncleaf.pem key=leaf.key issuer=nonca.pem san=DNS:a.example
key self.key
cert self.pem key=self.key san=DNS:a.example
key rr.key rsa:2048
cert rroot.pem key=rr.key ca cn="RSA Root"
key rl.key rsa:2048
cert rleaf.pem key=rl.key issuer=rroot.pem md=sha384 san=DNS:a.example
key r1k.key rsa:1024
cert r1kint.pem key=r1k.key issuer=rroot.pem ca cn="Weak Int"
cert r1kleaf.pem key=leaf.key issuer=r1kint.pem san=DNS:a.example
cert sha1int.pem key=r1k.key issuer=rroot.pem ca cn="SHA1 Int" md=sha1
cert sha1leaf.pem key=rl.key issuer=sha1int.pem md=sha1 san=DNS:a.example
key er.key ed25519
cert eroot.pem key=er.key ca cn="Ed Root"
key el.key ed25519
cert eleaf.pem key=el.key issuer=eroot.pem san=DNS:a.example
cat roots.pem root.pem rroot.pem eroot.pem
"#;

#[test]
fn chains_agree_with_openssl_verify() {
    if !certgen::require_openssl("chain oracle") {
        return;
    }
    let d = tempfile::tempdir().unwrap();
    let dir = d.path();
    certgen::setup(dir, PKI);
    // (file's certificates in order, key)
    let cases: &[(&str, &[&str], &str)] = &[
        (
            "full chain",
            &["leaf.pem", "int2.pem", "int1.pem"],
            "leaf.key",
        ),
        (
            "top intermediate missing",
            &["leaf.pem", "int2.pem"],
            "leaf.key",
        ),
        ("leaf only", &["leaf.pem"], "leaf.key"),
        (
            "intermediates swapped",
            &["leaf.pem", "int1.pem", "int2.pem"],
            "leaf.key",
        ),
        (
            "root sent",
            &["leaf.pem", "int2.pem", "int1.pem", "root.pem"],
            "leaf.key",
        ),
        ("one intermediate", &["leaf1.pem", "int1.pem"], "leaf.key"),
        ("wrong intermediate", &["leaf1.pem", "int2.pem"], "leaf.key"),
        ("untrusted root", &["xleaf.pem", "xint.pem"], "leaf.key"),
        (
            "untrusted root sent",
            &["xleaf.pem", "xint.pem", "root2.pem"],
            "leaf.key",
        ),
        ("issuer not a CA", &["ncleaf.pem", "nonca.pem"], "leaf.key"),
        ("self-signed", &["self.pem"], "self.key"),
        (
            "expired intermediate",
            &["leaf1.pem", "oldint.pem"],
            "leaf.key",
        ),
        ("RSA, SHA-384", &["rleaf.pem"], "rl.key"),
        (
            "1024-bit RSA intermediate",
            &["r1kleaf.pem", "r1kint.pem"],
            "leaf.key",
        ),
        (
            "SHA-1 intermediate",
            &["sha1leaf.pem", "sha1int.pem"],
            "rl.key",
        ),
        ("Ed25519", &["eleaf.pem"], "el.key"),
        (
            "intermediate first",
            &["int2.pem", "leaf.pem", "int1.pem"],
            "int2.key",
        ),
        (
            "duplicate intermediate",
            &["leaf.pem", "int2.pem", "int2.pem", "int1.pem"],
            "leaf.key",
        ),
    ];
    let mut conf = String::from("events {}\nhttp {\n");
    for (i, (_, certs, key)) in cases.iter().enumerate() {
        let file = format!("case{i}.pem");
        cat(dir, &file, certs);
        conf.push_str(&format!(
            "  server {{ listen {}; server_name a.example; ssl_certificate {file}; ssl_certificate_key {key}; }}\n",
            10000 + i
        ));
    }
    conf.push_str("}\n");
    let found = lint(
        dir,
        &conf.replace("; server_name", " ssl; server_name"),
        &["--ca-file", "roots.pem"],
    );
    let mut disagreements = Vec::new();
    eprintln!(
        "{:<28} {:>14} {:>7} {:>7} {:>9} {:>7}",
        "case", "openssl verify", "TLS310", "TLS303", "in order", "TLS309"
    );
    for (i, (name, certs, _)) in cases.iter().enumerate() {
        let port = 10000 + i as u64;
        let rest = format!("rest{i}.pem");
        let mut args = vec!["verify", "-attime", NOW_EPOCH, "-CAfile", "roots.pem"];
        if certs.len() > 1 {
            cat(dir, &rest, &certs[1..]);
            args.extend(["-untrusted", rest.as_str()]);
        }
        args.push(certs[0]);
        let ok = openssl_ok(dir, &args);
        let t310 = has(&found, port, "TLS310");
        let t303 = has(&found, port, "TLS303");
        // each certificate issued by the next, as OpenSSL sees it
        // (a certificate repeated is trusted by itself under -partial_chain: it did not issue itself)
        let in_order = certs.windows(2).all(|w| {
            w[0] != w[1]
                && openssl_ok(
                    dir,
                    &[
                        "verify",
                        "-no_check_time",
                        "-partial_chain",
                        "-trusted",
                        w[1],
                        w[0],
                    ],
                )
        });
        let t309 = has(&found, port, "TLS309");
        eprintln!(
            "{name:<28} {:>14} {t310:>7} {t303:>7} {in_order:>9} {t309:>7}",
            if ok { "OK" } else { "fails" }
        );
        if ok == (t310 || t303) {
            disagreements.push(format!(
                "{name}: openssl verify {} but TLS310={t310} TLS303={t303}: {:?}",
                if ok { "OK" } else { "fails" },
                found.get(&port)
            ));
        }
        if in_order == t309 {
            disagreements.push(format!(
                "{name}: pairwise openssl in order={in_order} but TLS309={t309}: {:?}",
                found.get(&port)
            ));
        }
    }
    assert!(disagreements.is_empty(), "{}", disagreements.join("\n"));
}

#[test]
fn key_matching_agrees_with_openssl_pubkeys() {
    if !certgen::require_openssl("key oracle") {
        return;
    }
    let d = tempfile::tempdir().unwrap();
    let dir = d.path();
    let keys: &[(&str, &str)] = &[
        ("rsa.key", "rsa:2048"),
        ("rsa-pkcs1.key", "rsa:2048 pkcs1"),
        ("rsa1024.key", "rsa:1024"),
        ("p256.key", "ec:P-256"),
        ("p256-sec1.key", "ec:P-256 sec1"),
        ("p384.key", "ec:P-384"),
        ("p521.key", "ec:P-521"),
        ("ed25519.key", "ed25519"),
        ("ed25519-b.key", "ed25519"),
    ];
    let mut script = String::new();
    for (k, spec) in keys {
        script.push_str(&format!(
            "key {k} {spec}\ncert {k}.pem key={k} san=DNS:a.example\n"
        ));
    }
    certgen::setup(dir, &script);
    let cert_pub: Vec<String> = keys
        .iter()
        .map(|(k, _)| {
            openssl_out(
                dir,
                &["x509", "-in", &format!("{k}.pem"), "-pubkey", "-noout"],
            )
        })
        .collect();
    let key_pub: Vec<String> = keys
        .iter()
        .map(|(k, _)| openssl_out(dir, &["pkey", "-in", k, "-pubout"]))
        .collect();
    let mut conf = String::from("events {}\nhttp {\n");
    for (i, (c, _)) in keys.iter().enumerate() {
        for (j, (k, _)) in keys.iter().enumerate() {
            conf.push_str(&format!(
                "  server {{ listen {} ssl; ssl_certificate {c}.pem; ssl_certificate_key {k}; }}\n",
                10000 + i * 100 + j
            ));
        }
    }
    conf.push_str("}\n");
    let found = lint(dir, &conf, &[]);
    let mut pairs = 0;
    let mut matching = 0;
    for i in 0..keys.len() {
        for j in 0..keys.len() {
            let port = (10000 + i * 100 + j) as u64;
            let same = cert_pub[i] == key_pub[j];
            let t302 = has(&found, port, "TLS302");
            assert_eq!(
                same, !t302,
                "certificate of {} with key {}: openssl says same={same}, TLS302={t302}",
                keys[i].0, keys[j].0
            );
            pairs += 1;
            matching += same as usize;
        }
    }
    eprintln!("{pairs} certificate/key pairs: {matching} matching, {} not; TLS302 agrees with openssl on all", pairs - matching);
    assert_eq!(matching, keys.len());
}

#[test]
fn dh_sizes_agree_with_openssl_dhparam() {
    if !certgen::require_openssl("DH oracle") {
        return;
    }
    let d = tempfile::tempdir().unwrap();
    let dir = d.path();
    let groups = [
        "ffdhe2048",
        "ffdhe3072",
        "ffdhe4096",
        "modp_1536",
        "modp_2048",
        "dh_1024_160",
        "dsa:1024",
        "dsa:2048",
    ];
    let mut script = String::from("key k.pem\ncert c.pem key=k.pem\n");
    for (i, g) in groups.iter().enumerate() {
        script.push_str(&format!("dh dh{i}.pem {g}\n"));
    }
    certgen::setup(dir, &script);
    let mut conf = String::from(
        "events {}\nhttp {\n  ssl_ciphers ECDHE-RSA-AES128-GCM-SHA256:DHE-RSA-AES128-GCM-SHA256;\n",
    );
    for i in 0..groups.len() {
        conf.push_str(&format!(
            "  server {{ listen {} ssl; ssl_certificate c.pem; ssl_certificate_key k.pem; ssl_dhparam dh{i}.pem; }}\n",
            10000 + i
        ));
    }
    conf.push_str("}\n");
    let found = lint(dir, &conf, &[]);
    for (i, g) in groups.iter().enumerate() {
        let text = openssl_out(
            dir,
            &["dhparam", "-in", &format!("dh{i}.pem"), "-noout", "-text"],
        );
        let bits: u32 = text
            .split('(')
            .nth(1)
            .and_then(|s| s.split(' ').next())
            .and_then(|s| s.parse().ok())
            .unwrap_or_else(|| panic!("{g}: {text}"));
        let ours =
            tlslint::certs::read::parse(&std::fs::read(dir.join(format!("dh{i}.pem"))).unwrap())
                .dh
                .unwrap()
                .unwrap()
                .bits;
        assert_eq!(ours, bits, "{g}");
        let t208 = has(&found, 10000 + i as u64, "TLS208");
        assert_eq!(t208, bits < 2048, "{g}: {bits} bits, TLS208={t208}");
        eprintln!("{g:<12} openssl {bits} bits, tlslint {ours} bits, TLS208 {t208}");
    }
}

#[test]
fn client_chains_agree_with_openssl_depth_and_crls() {
    if !certgen::require_openssl("client chain oracle") {
        return;
    }
    let d = tempfile::tempdir().unwrap();
    let dir = d.path();
    certgen::setup(
        dir,
        r#"
key root.key
cert root.pem key=root.key ca cn="Client Root"
key i1.key
cert i1.pem key=i1.key issuer=root.pem ca cn="Client Int 1"
key i2.key
cert i2.pem key=i2.key issuer=i1.pem ca cn="Client Int 2"
key i3.key
cert i3.pem key=i3.key issuer=i2.pem ca cn="Client Int 3"
key c.key
cert c0.pem key=c.key issuer=root.pem cn=client0
cert c1.pem key=c.key issuer=i1.pem cn=client1
cert c2.pem key=c.key issuer=i2.pem cn=client2
cert c3.pem key=c.key issuer=i3.pem cn=client3
cat ca0.pem root.pem
cat ca1.pem i1.pem root.pem
cat ca2.pem i2.pem i1.pem root.pem
cat ca3.pem i3.pem i2.pem i1.pem root.pem
key s.key
cert s.pem key=s.key san=DNS:a.example
crl root.crl ca=root.pem
crl i1.crl ca=i1.pem
crl i1-old.crl ca=i1.pem from=2025-01-01 to=2025-06-01
cat crl-root.pem root.crl
cat crl-i1.pem i1.crl
cat crl-both.pem root.crl i1.crl
cat crl-both-old.pem root.crl i1-old.crl
"#,
    );
    // depth: CA file n holds n intermediates above the client certificate
    let mut conf = String::from("events {}\nhttp {\n  ssl_certificate s.pem; ssl_certificate_key s.key;\n  ssl_verify_client on;\n");
    for n in 0..4 {
        for depth in 0..4 {
            conf.push_str(&format!(
                "  server {{ listen {} ssl; ssl_client_certificate ca{n}.pem; ssl_verify_depth {depth}; }}\n",
                10000 + n * 10 + depth
            ));
        }
    }
    let crls = [
        "crl-root.pem",
        "crl-i1.pem",
        "crl-both.pem",
        "crl-both-old.pem",
    ];
    for (k, crl) in crls.iter().enumerate() {
        conf.push_str(&format!(
            "  server {{ listen {} ssl; ssl_client_certificate ca1.pem; ssl_verify_depth 5; ssl_crl {crl}; }}\n",
            11000 + k
        ));
    }
    conf.push_str("}\n");
    let found = lint(dir, &conf, &[]);
    for n in 0..4 {
        for depth in 0..4 {
            let port = (10000 + n * 10 + depth) as u64;
            let ok = openssl_ok(
                dir,
                &[
                    "verify",
                    "-attime",
                    NOW_EPOCH,
                    "-verify_depth",
                    &depth.to_string(),
                    "-CAfile",
                    &format!("ca{n}.pem"),
                    &format!("c{n}.pem"),
                ],
            );
            let t404 = has(&found, port, "TLS404");
            eprintln!(
                "{n} intermediate(s), depth {depth}: openssl {}, TLS404 {t404}",
                if ok { "OK" } else { "fails" }
            );
            assert_eq!(
                ok,
                !t404,
                "{n} intermediates, ssl_verify_depth {depth}: {:?}",
                found.get(&port)
            );
            assert!(!has(&found, port, "TLS403"), "{:?}", found.get(&port));
        }
    }
    for (k, crl) in crls.iter().enumerate() {
        let port = (11000 + k) as u64;
        let ok = openssl_ok(
            dir,
            &[
                "verify",
                "-attime",
                NOW_EPOCH,
                "-crl_check_all",
                "-CRLfile",
                crl,
                "-CAfile",
                "ca1.pem",
                "c1.pem",
            ],
        );
        let t403 = has(&found, port, "TLS403");
        eprintln!(
            "CRLs {crl}: openssl -crl_check_all {}, TLS403 {t403}",
            if ok { "OK" } else { "fails" }
        );
        assert_eq!(ok, !t403, "{crl}: {:?}", found.get(&port));
    }
}

const APACHE_HEAD: &str = "LoadModule ssl_module /usr/lib/apache2/modules/mod_ssl.so\n";

fn apache_vhost(port: usize, body: &str) -> String {
    format!("Listen {port}\n<VirtualHost *:{port}>\n    ServerName a.example\n    SSLEngine on\n{body}</VirtualHost>\n")
}

#[test]
fn apache_chain_files_agree_with_openssl_verify() {
    if !certgen::require_openssl("Apache chain oracle") {
        return;
    }
    let d = tempfile::tempdir().unwrap();
    let dir = d.path();
    certgen::setup(dir, PKI);
    // (SSLCertificateFile's certificates, SSLCertificateChainFile's, key)
    let cases: &[(&str, &[&str], Option<&[&str]>, &str)] = &[
        (
            "full chain in the certificate file",
            &["leaf.pem", "int2.pem", "int1.pem"],
            None,
            "leaf.key",
        ),
        (
            "chain file",
            &["leaf.pem"],
            Some(&["int2.pem", "int1.pem"]),
            "leaf.key",
        ),
        (
            "chain file, top missing",
            &["leaf.pem"],
            Some(&["int2.pem"]),
            "leaf.key",
        ),
        (
            "chain file swapped",
            &["leaf.pem"],
            Some(&["int1.pem", "int2.pem"]),
            "leaf.key",
        ),
        (
            "chain file with root",
            &["leaf.pem"],
            Some(&["int2.pem", "int1.pem", "root.pem"]),
            "leaf.key",
        ),
        // the certificate file's intermediates are not sent when a chain file is set
        (
            "stale chain file over a full chain",
            &["leaf.pem", "int2.pem", "int1.pem"],
            Some(&["xint.pem"]),
            "leaf.key",
        ),
        (
            "chain file completes a partial one",
            &["leaf.pem", "xint.pem"],
            Some(&["int2.pem", "int1.pem"]),
            "leaf.key",
        ),
        (
            "wrong chain file",
            &["leaf1.pem"],
            Some(&["int2.pem"]),
            "leaf.key",
        ),
        (
            "expired intermediate in the chain file",
            &["leaf1.pem"],
            Some(&["oldint.pem"]),
            "leaf.key",
        ),
        (
            "untrusted root",
            &["xleaf.pem"],
            Some(&["xint.pem"]),
            "leaf.key",
        ),
        ("self-signed", &["self.pem"], None, "self.key"),
    ];
    let mut conf = String::from(APACHE_HEAD);
    for (i, (_, certs, chain, key)) in cases.iter().enumerate() {
        let file = format!("acase{i}.pem");
        cat(dir, &file, certs);
        let mut body = format!("    SSLCertificateFile {file}\n    SSLCertificateKeyFile {key}\n");
        if let Some(ch) = chain {
            let cf = format!("achain{i}.pem");
            cat(dir, &cf, ch);
            body.push_str(&format!("    SSLCertificateChainFile {cf}\n"));
        }
        conf.push_str(&apache_vhost(10000 + i, &body));
    }
    let found = lint_as(dir, "apache2.conf", &conf, &["--ca-file", "roots.pem"]);
    let mut disagreements = Vec::new();
    for (i, (name, certs, chain, _)) in cases.iter().enumerate() {
        let port = 10000 + i as u64;
        // what mod_ssl sends: with a chain file, the certificate file's first
        // certificate and the chain file's; without, the certificate file
        let sent: Vec<&str> = match chain {
            Some(ch) => std::iter::once(certs[0])
                .chain(ch.iter().copied())
                .collect(),
            None => certs.to_vec(),
        };
        let rest = format!("arest{i}.pem");
        let mut args = vec!["verify", "-attime", NOW_EPOCH, "-CAfile", "roots.pem"];
        if sent.len() > 1 {
            cat(dir, &rest, &sent[1..]);
            args.extend(["-untrusted", rest.as_str()]);
        }
        args.push(sent[0]);
        let ok = openssl_ok(dir, &args);
        let in_order = sent.windows(2).all(|w| {
            w[0] != w[1]
                && openssl_ok(
                    dir,
                    &[
                        "verify",
                        "-no_check_time",
                        "-partial_chain",
                        "-trusted",
                        w[1],
                        w[0],
                    ],
                )
        });
        let (t310, t303, t309) = (
            has(&found, port, "TLS310"),
            has(&found, port, "TLS303"),
            has(&found, port, "TLS309"),
        );
        eprintln!(
            "{name:<40} openssl {:<5} TLS310 {t310:<5} TLS303 {t303:<5} in order {in_order:<5} TLS309 {t309}",
            if ok { "OK" } else { "fails" }
        );
        if ok == (t310 || t303) {
            disagreements.push(format!(
                "{name}: openssl verify ok={ok} but TLS310={t310} TLS303={t303}: {:?}",
                found.get(&port)
            ));
        }
        if in_order == t309 {
            disagreements.push(format!(
                "{name}: in order={in_order} but TLS309={t309}: {:?}",
                found.get(&port)
            ));
        }
    }
    assert!(disagreements.is_empty(), "{}", disagreements.join("\n"));
}

#[test]
fn apache_key_in_the_certificate_file_agrees_with_openssl_pubkeys() {
    if !certgen::require_openssl("Apache key oracle") {
        return;
    }
    let d = tempfile::tempdir().unwrap();
    let dir = d.path();
    let keys: &[(&str, &str)] = &[
        ("rsa.key", "rsa:2048"),
        ("rsa-pkcs1.key", "rsa:2048 pkcs1"),
        ("p256.key", "ec:P-256"),
        ("p384-sec1.key", "ec:P-384 sec1"),
        ("ed25519.key", "ed25519"),
    ];
    let mut script = String::new();
    for (k, spec) in keys {
        script.push_str(&format!(
            "key {k} {spec}\ncert {k}.pem key={k} san=DNS:a.example\n"
        ));
    }
    certgen::setup(dir, &script);
    let mut conf = String::from(APACHE_HEAD);
    for (i, (c, _)) in keys.iter().enumerate() {
        for (j, (k, _)) in keys.iter().enumerate() {
            // the certificate, then a private key, in one file; no SSLCertificateKeyFile
            let file = format!("combined-{i}-{j}.pem");
            cat(dir, &file, &[&format!("{c}.pem"), k]);
            conf.push_str(&apache_vhost(
                10000 + i * 100 + j,
                &format!("    SSLCertificateFile {file}\n"),
            ));
        }
    }
    // no key anywhere: httpd cannot start (TLS301), and openssl finds none either
    conf.push_str(&apache_vhost(19999, "    SSLCertificateFile rsa.key.pem\n"));
    let found = lint_as(dir, "apache2.conf", &conf, &[]);
    for i in 0..keys.len() {
        for j in 0..keys.len() {
            let file = format!("combined-{i}-{j}.pem");
            let port = (10000 + i * 100 + j) as u64;
            // what httpd pairs: the first certificate and the first key of the file
            let cert_pub = openssl_out(dir, &["x509", "-in", &file, "-pubkey", "-noout"]);
            let key_pub = openssl_out(dir, &["pkey", "-in", &file, "-pubout"]);
            let t302 = has(&found, port, "TLS302");
            assert_eq!(
                cert_pub == key_pub,
                !t302,
                "{file}: openssl same={}, TLS302={t302}: {:?}",
                cert_pub == key_pub,
                found.get(&port)
            );
            assert!(
                !has(&found, port, "TLS301"),
                "{file}: {:?}",
                found.get(&port)
            );
        }
    }
    assert!(!openssl_ok(dir, &["pkey", "-in", "rsa.key.pem", "-pubout"]));
    assert!(has(&found, 19999, "TLS301"), "{:?}", found.get(&19999));
}

#[test]
fn apache_verify_depth_agrees_with_openssl_chain_length() {
    if !certgen::require_openssl("Apache client depth oracle") {
        return;
    }
    let d = tempfile::tempdir().unwrap();
    let dir = d.path();
    certgen::setup(
        dir,
        r#"
key root.key
cert root.pem key=root.key ca cn="Client Root"
key i1.key
cert i1.pem key=i1.key issuer=root.pem ca cn="Client Int 1"
key i2.key
cert i2.pem key=i2.key issuer=i1.pem ca cn="Client Int 2"
key c.key
cert c0.pem key=c.key issuer=root.pem cn=client0
cert c1.pem key=c.key issuer=i1.pem cn=client1
cert c2.pem key=c.key issuer=i2.pem cn=client2
cat ca0.pem root.pem
cat ca1.pem i1.pem root.pem
cat ca2.pem i2.pem i1.pem root.pem
key s.key
cert s.pem key=s.key san=DNS:a.example
"#,
    );
    let mut conf = String::from(APACHE_HEAD);
    conf.push_str(
        "SSLCertificateFile s.pem\nSSLCertificateKeyFile s.key\nSSLVerifyClient require\n",
    );
    for n in 0..3 {
        for depth in 0..4 {
            conf.push_str(&apache_vhost(
                10000 + n * 10 + depth,
                &format!("    SSLCACertificateFile ca{n}.pem\n    SSLVerifyDepth {depth}\n"),
            ));
        }
    }
    let found = lint_as(dir, "apache2.conf", &conf, &[]);
    for n in 0..3 {
        // the chain OpenSSL builds for the client's certificate
        let out = openssl_out(
            dir,
            &[
                "verify",
                "-attime",
                NOW_EPOCH,
                "-show_chain",
                "-CAfile",
                &format!("ca{n}.pem"),
                &format!("c{n}.pem"),
            ],
        );
        let len = out.lines().filter(|l| l.starts_with("depth=")).count();
        assert_eq!(len, n + 2, "{out}");
        for depth in 0..4 {
            let port = (10000 + n * 10 + depth) as u64;
            // mod_ssl: every certificate's depth (client 0, root len - 1) must be <= SSLVerifyDepth
            let ok = len - 1 <= depth;
            let t404 = has(&found, port, "TLS404");
            eprintln!("{n} intermediate(s), SSLVerifyDepth {depth}: chain of {len}, mod_ssl {}, TLS404 {t404}", if ok { "OK" } else { "refuses" });
            assert_eq!(
                ok,
                !t404,
                "{n} intermediates, SSLVerifyDepth {depth}: {:?}",
                found.get(&port)
            );
        }
    }
}

/// The public key openssl reads from an encrypted key with the pass phrases
/// of a password file tried as nginx tries them (each non-empty line, in
/// order, without its line ending), or None when none decrypts it.
fn openssl_unlocked_pubkey(dir: &Path, key: &str, pass_file: &str) -> Option<String> {
    let text = std::fs::read_to_string(dir.join(pass_file)).unwrap();
    text.split('\n')
        .map(|l| l.strip_suffix('\r').unwrap_or(l))
        .filter(|l| !l.is_empty())
        .find_map(|phrase| {
            let o = Command::new("openssl")
                .current_dir(dir)
                .args(["pkey", "-in", key, "-pubout", "-passin"])
                .arg(format!("pass:{phrase}"))
                .output()
                .unwrap();
            o.status
                .success()
                .then(|| String::from_utf8_lossy(&o.stdout).into_owned())
        })
}

#[test]
fn encrypted_keys_with_password_files_agree_with_openssl() {
    if !certgen::require_openssl("encrypted key oracle") {
        return;
    }
    let d = tempfile::tempdir().unwrap();
    let dir = d.path();
    // plain keys, each with a certificate, and a second key of the same type
    let types: &[(&str, &str)] = &[("rsa", "rsa:2048"), ("ec", "ec:P-256"), ("ed", "ed25519")];
    let mut script = String::new();
    for (t, spec) in types {
        script.push_str(&format!(
            "key {t}.key {spec}\ncert {t}.pem key={t}.key san=DNS:a.example\nkey {t}-other.key {spec}\n"
        ));
    }
    certgen::setup(dir, &script);
    // nginx: one pass phrase per line, CR LF endings and empty lines allowed
    std::fs::write(dir.join("right.pass"), "s3cret phrase\n").unwrap();
    std::fs::write(dir.join("second.pass"), "wrong\r\n\ns3cret phrase\r\n").unwrap();
    std::fs::write(dir.join("wrong.pass"), "wrong\nalso wrong").unwrap();
    // how each key is encrypted: PKCS #8 PBES2 (OpenSSL 3's default and
    // variants), legacy Proc-Type PEM (RSA and EC only), and a PKCS #12 PBE
    // scheme tlslint does not decrypt
    let pass = "pass:s3cret phrase";
    let schemes: &[(&str, &[&str], bool)] = &[
        ("pkey-aes256", &["pkey", "-aes256", "-passout", pass], true),
        (
            "p8-aes128",
            &["pkcs8", "-topk8", "-v2", "aes-128-cbc", "-passout", pass],
            true,
        ),
        (
            "p8-sha1",
            &[
                "pkcs8",
                "-topk8",
                "-v2",
                "aes-256-cbc",
                "-v2prf",
                "hmacWithSHA1",
                "-passout",
                pass,
            ],
            true,
        ),
        (
            "p8-des3",
            &["pkcs8", "-topk8", "-v2", "des3", "-passout", pass],
            true,
        ),
        (
            "p8-scrypt",
            &[
                "pkcs8",
                "-topk8",
                "-scrypt",
                "-scrypt_N",
                "1024",
                "-passout",
                pass,
            ],
            true,
        ),
        (
            "legacy-aes256",
            &["pkey", "-traditional", "-aes256", "-passout", pass],
            false,
        ),
        (
            "legacy-aes128",
            &["pkey", "-traditional", "-aes128", "-passout", pass],
            false,
        ),
        (
            "legacy-des3",
            &["pkey", "-traditional", "-des3", "-passout", pass],
            false,
        ),
        (
            "p12-3des",
            &["pkcs8", "-topk8", "-v1", "PBE-SHA1-3DES", "-passout", pass],
            true,
        ),
    ];
    let mut keys: Vec<(String, &str, &str)> = Vec::new(); // (file, type, scheme)
    for (t, _) in types {
        for (name, args, ed) in schemes {
            if *t == "ed" && !ed {
                continue; // Ed25519 has no legacy form
            }
            for base in [t.to_string(), format!("{t}-other")] {
                let out = format!("{base}.{name}.key");
                openssl_out(
                    dir,
                    &[args, &["-in", &format!("{base}.key"), "-out", &out][..]].concat(),
                );
                let head = std::fs::read_to_string(dir.join(&out)).unwrap();
                assert!(
                    head.contains("ENCRYPTED"),
                    "{out} is not encrypted:\n{}",
                    &head[..head.len().min(120)]
                );
                if base == *t {
                    keys.push((out, t, name));
                }
            }
        }
    }
    let cert_pub = |t: &str| {
        openssl_out(
            dir,
            &["x509", "-in", &format!("{t}.pem"), "-pubkey", "-noout"],
        )
    };
    // every encrypted key (own and other) with each certificate of its type and each password file
    let mut conf = String::from("events {}\nhttp {\n");
    let mut cases = Vec::new();
    let mut port = 20000u64;
    for (key, t, scheme) in &keys {
        for which in ["own", "other"] {
            let key = if which == "own" {
                key.clone()
            } else {
                key.replacen(&format!("{t}."), &format!("{t}-other."), 1)
            };
            for pf in ["right.pass", "second.pass", "wrong.pass"] {
                conf.push_str(&format!(
                    "  server {{ listen {port} ssl; ssl_certificate {t}.pem; ssl_certificate_key {key}; ssl_password_file {pf}; }}\n"
                ));
                cases.push((port, key.clone(), t.to_string(), *scheme, pf));
                port += 1;
            }
        }
    }
    conf.push_str("}\n");
    let found = lint(dir, &conf, &[]);
    let (mut matched, mut mismatched, mut undecrypted, mut unchecked) = (0, 0, 0, 0);
    for (port, key, t, scheme, pf) in &cases {
        let msgs: Vec<&String> = found
            .get(port)
            .map(|v| {
                v.iter()
                    .filter(|(c, _)| c == "TLS302")
                    .map(|(_, m)| m)
                    .collect()
            })
            .unwrap_or_default();
        let what = format!("certificate {t}.pem, key {key}, {pf} (port {port})");
        if *scheme == "p12-3des" {
            // OpenSSL reads it; tlslint says it does not decrypt this scheme
            assert_eq!(msgs.len(), 1, "{what}: {msgs:?}");
            assert!(
                msgs[0].contains("which tlslint does not decrypt"),
                "{what}: {}",
                msgs[0]
            );
            unchecked += 1;
            continue;
        }
        match openssl_unlocked_pubkey(dir, key, pf) {
            Some(p) if p == cert_pub(t) => {
                assert!(
                    msgs.is_empty(),
                    "{what}: openssl decrypts it to the certificate's key, yet {msgs:?}"
                );
                matched += 1;
            }
            Some(_) => {
                assert_eq!(msgs.len(), 1, "{what}: {msgs:?}");
                assert!(
                    msgs[0].contains("does not belong to the certificate"),
                    "{what}: {}",
                    msgs[0]
                );
                assert!(
                    msgs[0].contains("decrypted with the pass phrase on line"),
                    "{what}: {}",
                    msgs[0]
                );
                mismatched += 1;
            }
            None => {
                assert_eq!(msgs.len(), 1, "{what}: {msgs:?}");
                assert!(
                    msgs[0].contains("none of the 2 pass phrases in wrong.pass decrypts")
                        && msgs[0].contains("nginx refuses to start"),
                    "{what}: {}",
                    msgs[0]
                );
                undecrypted += 1;
            }
        }
        // nothing of a pass phrase is ever shown
        for m in &msgs {
            assert!(
                !m.contains("s3cret") && !m.contains("also wrong"),
                "{what}: {m}"
            );
        }
    }
    eprintln!(
        "{} encrypted key cases: {matched} decrypt and match, {mismatched} decrypt and do not match, {undecrypted} not decrypted, {unchecked} not checkable; TLS302 agrees with openssl on all",
        cases.len()
    );
    assert!(matched > 0 && mismatched > 0 && undecrypted > 0 && unchecked > 0);
}
