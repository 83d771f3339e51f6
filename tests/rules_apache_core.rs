//! Apache semantics of the protocol, cipher and hygiene rules (TLS1xx,
//! TLS2xx, TLS9xx), checked through the CLI on small httpd trees. Each case
//! states what mod_ssl does (httpd 2.4 `ssl_engine_config.c`,
//! `ssl_engine_init.c`).

mod common;

use std::process::Command;

/// (code, severity, message, line) of every finding.
fn lint(conf: &str, args: &[&str]) -> Vec<(String, String, String, u64)> {
    let dir = tempfile::tempdir().unwrap();
    let main = dir.path().join("apache2.conf");
    std::fs::write(&main, conf).unwrap();
    let o = Command::new(env!("CARGO_BIN_EXE_tlslint"))
        .current_dir(dir.path())
        .arg(&main)
        .args(["--format", "json", "--no-config"])
        .args(args)
        .output()
        .unwrap();
    let v = common::report_of(&o);
    v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["code"].as_str().unwrap().to_string(),
                f["severity"].as_str().unwrap().to_string(),
                f["message"].as_str().unwrap().to_string(),
                f["line"].as_u64().unwrap(),
            )
        })
        .collect()
}

fn of<'a>(
    f: &'a [(String, String, String, u64)],
    code: &str,
) -> Vec<&'a (String, String, String, u64)> {
    f.iter().filter(|x| x.0 == code).collect()
}

const HEAD: &str = "Listen 443\nLoadModule ssl_module /usr/lib/apache2/modules/mod_ssl.so\n";

/// A tree: main server lines, then one virtual host per (name, lines).
fn tree(main: &str, vhosts: &[(&str, &str)]) -> String {
    let mut s = format!("{HEAD}{main}\n");
    for (name, body) in vhosts {
        s.push_str(&format!(
            "<VirtualHost *:443>\n    ServerName {name}\n    SSLEngine on\n    SSLCertificateFile /etc/ssl/{name}.pem\n    SSLCertificateKeyFile /etc/ssl/{name}.key\n{body}\n</VirtualHost>\n"
        ));
    }
    s
}

#[test]
fn first_virtual_host_decides_the_protocol_before_2_4_42() {
    let conf = tree(
        "",
        &[
            ("first.example", "    SSLProtocol -all +TLSv1.3"),
            ("www.example", "    SSLProtocol -all +TLSv1.2 +TLSv1.3"),
        ],
    );
    let f = lint(&conf, &["--apache-version", "2.4.41"]);
    let t = of(&f, "TLS103");
    assert_eq!(t.len(), 1, "{f:?}");
    assert!(t[0].2.starts_with("this virtual host's SSLProtocol (TLSv1.2 TLSv1.3) are not applied on *:443: the first virtual host of the address (first.example) decides"), "{t:?}");
    // from 2.4.42 (OpenSSL 1.1.1) each virtual host's own SSLProtocol applies
    assert!(of(&lint(&conf, &[]), "TLS103").is_empty());
    // but one that sets none, with no main server SSLProtocol, still gets the first's
    let conf = tree(
        "",
        &[
            ("first.example", "    SSLProtocol -all +TLSv1.3"),
            ("www.example", ""),
        ],
    );
    let f = lint(&conf, &[]);
    let t = of(&f, "TLS103");
    assert_eq!(t.len(), 1, "{f:?}");
    assert!(t[0].2.contains("sets no SSLProtocol"), "{t:?}");
    // a main server SSLProtocol is the virtual host's own again
    let conf = tree(
        "SSLProtocol -all +TLSv1.2 +TLSv1.3",
        &[
            ("first.example", "    SSLProtocol -all +TLSv1.3"),
            ("www.example", ""),
        ],
    );
    assert!(of(&lint(&conf, &[]), "TLS103").is_empty());
}

#[test]
fn protocol_fixes_are_written_in_sslprotocol_syntax() {
    let f = lint(&tree("SSLProtocol all -SSLv3", &[("www.example", "")]), &[]);
    let t = of(&f, "TLS101");
    assert_eq!(t.len(), 1, "{f:?}");
    assert_eq!(t[0].3, 3, "points at the main server's SSLProtocol");
    assert!(t[0].2.contains("TLSv1, TLSv1.1 are enabled"), "{t:?}");
    // httpd's default `all -SSLv3` keeps TLS 1.0 and 1.1
    let f = lint(&tree("", &[("www.example", "")]), &[]);
    assert_eq!(of(&f, "TLS101").len(), 1, "{f:?}");
}

#[test]
fn tls13_needs_httpd_2_4_36() {
    // httpd 2.4.29 does not know TLSv1.3: it refuses the word, and TLS102
    // does not ask for it
    let conf = tree("SSLProtocol -all +TLSv1.2 +TLSv1.3", &[("www.example", "")]);
    let f = lint(&conf, &["--apache-version", "2.4.29"]);
    let t = of(&f, "TLS907");
    assert_eq!(t.len(), 1, "{f:?}");
    assert!(
        t[0].2.contains("SSLProtocol: Illegal protocol 'TLSv1.3'"),
        "{t:?}"
    );
    assert!(of(&f, "TLS102").is_empty(), "{f:?}");
    let conf = tree("SSLProtocol -all +TLSv1.2", &[("www.example", "")]);
    assert!(of(&lint(&conf, &["--apache-version", "2.4.29"]), "TLS102").is_empty());
    assert_eq!(of(&lint(&conf, &[]), "TLS102").len(), 1);
}

#[test]
fn refused_protocol_words() {
    for (words, want) in [
        (
            "-all +TLSv1.2 +SSLv3",
            "SSLv3 not supported by this version of OpenSSL",
        ),
        (
            "-all +TLSv1.2 +SSLv2",
            "SSLProtocol: SSLv2 is no longer supported",
        ),
        (
            "-all +TLSv1.2 +TLSv1.4",
            "SSLProtocol: Illegal protocol 'TLSv1.4'",
        ),
    ] {
        let f = lint(
            &tree(&format!("SSLProtocol {words}"), &[("www.example", "")]),
            &[],
        );
        let t = of(&f, "TLS907");
        assert_eq!(t.len(), 1, "{words}: {f:?}");
        assert!(t[0].2.ends_with(want), "{t:?}");
        assert_eq!(t[0].1, "error");
    }
    // -SSLv2 / -SSLv3 are accepted
    let f = lint(
        &tree(
            "SSLProtocol all -SSLv2 -SSLv3 -TLSv1 -TLSv1.1",
            &[("www.example", "")],
        ),
        &[],
    );
    assert!(of(&f, "TLS907").is_empty(), "{f:?}");
    assert!(of(&f, "TLS101").is_empty(), "{f:?}");
    // SSLv3 with an OpenSSL that has it
    let f = lint(
        &tree("SSLProtocol all", &[("www.example", "")]),
        &["--openssl-version", "1.0.2", "--apache-version", "2.4.29"],
    );
    assert!(of(&f, "TLS907").is_empty(), "{f:?}");
    assert!(of(&f, "TLS101")[0].2.contains("SSLv3"), "{f:?}");
    // SSLCipherSuite's protocol argument is `SSL` or `TLSv1.3`, as spelled
    let f = lint(
        &tree(
            "SSLCipherSuite TLSv13 TLS_AES_128_GCM_SHA256",
            &[("www.example", "")],
        ),
        &[],
    );
    assert!(
        of(&f, "TLS907")[0]
            .2
            .ends_with("protocol 'TLSv13' not supported"),
        "{f:?}"
    );
}

#[test]
fn mod_ssl_appends_not_anull_to_every_cipher_string() {
    // `ALL` with mod_ssl's `:!aNULL:!eNULL:!EXP`: no anonymous or NULL suites
    let f = lint(&tree("SSLCipherSuite ALL", &[("www.example", "")]), &[]);
    let t = of(&f, "TLS201");
    assert_eq!(t.len(), 1, "{f:?}");
    assert!(
        !t[0].2.contains("ADH-") && !t[0].2.contains("NULL-"),
        "{t:?}"
    );
    // a string that only the suffix empties
    let f = lint(&tree("SSLCipherSuite aNULL", &[("www.example", "")]), &[]);
    let t = of(&f, "TLS202");
    assert_eq!(t.len(), 1, "{f:?}");
    assert!(t[0].2.contains("mod_ssl appends"), "{t:?}");
    // the suffix's EXP is not reported as a word this OpenSSL lacks
    let f = lint(&tree("SSLCipherSuite RC4-SHA", &[("www.example", "")]), &[]);
    let t = of(&f, "TLS202");
    assert!(t[0].2.contains("not in OpenSSL 3.0.0: RC4-SHA:"), "{t:?}");
}

#[test]
fn conf_command_findings_point_at_their_own_line() {
    let conf = tree(
        "SSLOpenSSLConfCmd Curves X25519:secp521r1\nSSLCipherSuite TLSv1.3 TLS_AES_128_CCM_8_SHA256\nSSLOpenSSLConfCmd Options -SessionTicket",
        &[("www.example", "")],
    );
    let f = lint(&conf, &[]);
    assert_eq!(of(&f, "TLS206")[0].3, 3, "{f:?}");
    assert_eq!(of(&f, "TLS204")[0].3, 4, "{f:?}");
}

#[test]
fn compression_sslcompression_and_options() {
    let f = lint(&tree("SSLCompression on", &[("www.example", "")]), &[]);
    let t = of(&f, "TLS902");
    assert_eq!(t.len(), 1, "{f:?}");
    assert_eq!((t[0].1.as_str(), t[0].3), ("error", 3));
    assert!(t[0].2.contains("`SSLCompression on`"), "{t:?}");
    // SSLOpenSSLConfCmd applies after SSLCompression
    let f = lint(
        &tree(
            "SSLCompression on\nSSLOpenSSLConfCmd Options -Compression",
            &[("www.example", "")],
        ),
        &[],
    );
    assert!(of(&f, "TLS902").is_empty(), "{f:?}");
    let f = lint(
        &tree(
            "SSLCompression off\nSSLOpenSSLConfCmd Options Compression",
            &[("www.example", "")],
        ),
        &[],
    );
    assert_eq!(of(&f, "TLS902")[0].3, 4, "{f:?}");
    // a virtual host's SSLCompression off overrides the main server's on
    let f = lint(
        &tree(
            "SSLCompression on",
            &[("www.example", "    SSLCompression off")],
        ),
        &[],
    );
    assert!(of(&f, "TLS902").is_empty(), "{f:?}");
}

#[test]
fn insecure_renegotiation_is_an_error_on_apache() {
    let f = lint(
        &tree("", &[("www.example", "    SSLInsecureRenegotiation on")]),
        &[],
    );
    let t = of(&f, "TLS903");
    assert_eq!(t.len(), 1, "{f:?}");
    assert_eq!(t[0].1, "error");
    assert!(t[0].2.contains("`SSLInsecureRenegotiation on`"), "{t:?}");
    let f = lint(
        &tree(
            "SSLOpenSSLConfCmd Options UnsafeLegacyRenegotiation",
            &[("www.example", "")],
        ),
        &[],
    );
    assert_eq!(of(&f, "TLS903")[0].1, "error", "{f:?}");
}

#[test]
fn chain_file_is_obsolete_from_2_4_8() {
    let conf = tree(
        "",
        &[(
            "www.example",
            "    SSLCertificateChainFile /etc/ssl/chain.pem",
        )],
    );
    let f = lint(&conf, &[]);
    assert_eq!(of(&f, "TLS901").len(), 1, "{f:?}");
    let f = lint(&conf, &["--apache-version", "2.4.7"]);
    assert!(of(&f, "TLS901").is_empty(), "{f:?}");
}

#[test]
fn ssl_engine_on_without_a_certificate() {
    let conf = format!(
        "{HEAD}SSLEngine on\n<VirtualHost *:443>\n    ServerName www.example\n</VirtualHost>\n"
    );
    let f = lint(&conf, &[]);
    let t = of(&f, "TLS905");
    assert_eq!(t.len(), 1, "{f:?}");
    assert_eq!(t[0].3, 3, "points at the SSLEngine in force");
    assert!(t[0].2.contains("AH02572"), "{t:?}");
    // SSLOpenSSLConfCmd Certificate configures one too
    let conf = format!(
        "{HEAD}<VirtualHost *:443>\n    ServerName www.example\n    SSLEngine on\n    SSLOpenSSLConfCmd Certificate /etc/ssl/www.pem\n</VirtualHost>\n"
    );
    assert!(of(&lint(&conf, &[]), "TLS905").is_empty());
}

/// (code, help) of every finding.
fn helps(conf: &str) -> Vec<(String, String)> {
    let dir = tempfile::tempdir().unwrap();
    let main = dir.path().join("apache2.conf");
    std::fs::write(&main, conf).unwrap();
    let o = Command::new(env!("CARGO_BIN_EXE_tlslint"))
        .arg(&main)
        .args(["--format", "json", "--no-config"])
        .output()
        .unwrap();
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["code"].as_str().unwrap().to_string(),
                f["help"].as_str().unwrap_or("").to_string(),
            )
        })
        .collect()
}

#[test]
fn first_virtual_hosts_protocol_command_and_sslengine_address_get_their_own_fixes() {
    // the first virtual host's `Protocol -X` holds for every name (live:
    // tests/live_apache_settings.rs): the fix moves the command
    let conf = tree(
        "",
        &[
            (
                "first.example",
                "    SSLProtocol -all +TLSv1.2 +TLSv1.3\n    SSLOpenSSLConfCmd Protocol -TLSv1.2",
            ),
            ("www.example", "    SSLProtocol -all +TLSv1.2 +TLSv1.3"),
        ],
    );
    let h = helps(&conf);
    let t: Vec<_> = h.iter().filter(|(c, _)| c == "TLS103").collect();
    assert_eq!(t.len(), 1, "{h:?}");
    assert!(
        t[0].1.starts_with(
            "move the `SSLOpenSSLConfCmd Protocol` out of the first virtual host of *:443"
        ),
        "{t:?}"
    );
    // `SSLEngine ADDRESS` is not mod_ssl syntax: httpd refuses it
    let conf = format!(
        "{HEAD}<VirtualHost *:443>\n    ServerName www.example\n    SSLEngine *:443\n    SSLCertificateFile /etc/ssl/a.pem\n</VirtualHost>\n"
    );
    let h = helps(&conf);
    let t: Vec<_> = h.iter().filter(|(c, _)| c == "TLS907").collect();
    assert!(!t.is_empty(), "{h:?}");
    assert!(t[0].1.contains("not an SSLEngine argument"), "{t:?}");
}

#[test]
fn undefined_variables_are_a_note_and_the_literal_name_is_read() {
    // httpd warns and opens the literal `${CERTDIR}/a.pem`, which does not exist
    let dir = tempfile::tempdir().unwrap();
    let main = dir.path().join("apache2.conf");
    std::fs::write(
        &main,
        format!("{HEAD}<VirtualHost *:443>\n    ServerName www.example\n    SSLEngine on\n    SSLCertificateFile ${{CERTDIR}}/a.pem\n    SSLCertificateKeyFile a.key\n</VirtualHost>\n"),
    )
    .unwrap();
    // one file the tree names exists here, so the missing one is a finding
    std::fs::write(dir.path().join("a.key"), "").unwrap();
    let o = Command::new(env!("CARGO_BIN_EXE_tlslint"))
        .arg(&main)
        .args(["--format", "json", "--no-config", "--enable", "TLS301"])
        .output()
        .unwrap();
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert!(
        v["notes"]
            .to_string()
            .contains("httpd warns: Config variable ${CERTDIR} is not defined"),
        "{}",
        v["notes"]
    );
    let f = &v["findings"][0];
    assert_eq!(f["code"], "TLS301", "{v}");
    assert!(
        f["message"].as_str().unwrap().contains("${CERTDIR}/a.pem"),
        "{f}"
    );
    assert!(!f["message"].as_str().unwrap().contains("variables"), "{f}");
}
