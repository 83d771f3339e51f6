//! Rule behaviour on the cases a TLS operator meets, checked through the CLI.
//! Each case states what nginx itself does (verified on nginx 1.22.1 with
//! OpenSSL 3.0, or read from nginx's source where 1.22 cannot show it).

mod common;

use std::path::Path;
use std::process::Command;

fn lint(conf: &str, args: &[&str]) -> Vec<(String, String, String, u64)> {
    let dir = tempfile::tempdir().unwrap();
    let main = dir.path().join("nginx.conf");
    std::fs::write(&main, conf).unwrap();
    lint_path(&main, args)
}

fn lint_path(main: &Path, args: &[&str]) -> Vec<(String, String, String, u64)> {
    let o = Command::new(env!("CARGO_BIN_EXE_tlslint"))
        .arg(main)
        .args(["--format", "json"])
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

fn codes(f: &[(String, String, String, u64)]) -> Vec<&str> {
    f.iter().map(|x| x.0.as_str()).collect()
}

const I6: &str = "ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256:ECDHE-ECDSA-AES256-GCM-SHA384:ECDHE-RSA-AES256-GCM-SHA384:ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-RSA-CHACHA20-POLY1305";

fn server(extra: &str) -> String {
    format!(
        "http {{\n server {{\n  listen 443 ssl;\n  ssl_certificate c.pem;\n  ssl_certificate_key k.pem;\n  ssl_protocols TLSv1.2 TLSv1.3;\n  ssl_ciphers {I6};\n{extra}\n }}\n}}\n"
    )
}

#[test]
fn ssl_conf_command_overrides_ciphers_and_protocols() {
    // nginx 1.22.1: `s_client -tls1` negotiates TLSv1 with AES128-SHA here
    let f = lint(&server("  ssl_conf_command CipherString \"AES128-SHA:@SECLEVEL=0\";\n  ssl_conf_command Protocol \"TLSv1\";"), &[]);
    let tls101 = f.iter().find(|x| x.0 == "TLS101").expect("TLS101");
    assert!(tls101.2.contains("TLSv1 is enabled"), "{tls101:?}");
    assert_eq!(tls101.3, 9, "points at the Protocol command");
    let tls201 = f.iter().find(|x| x.0 == "TLS201").expect("TLS201");
    assert!(tls201.2.contains("AES128-SHA"), "{tls201:?}");
    assert_eq!(tls201.3, 8, "points at the CipherString command");
    // MinProtocol raises the floor
    let f = lint(
        &server("  ssl_conf_command MinProtocol TLSv1.3;")
            .replace("TLSv1.2 TLSv1.3", "TLSv1.1 TLSv1.2 TLSv1.3"),
        &[],
    );
    assert!(!codes(&f).contains(&"TLS101"), "{f:?}");
    // -TLSv1.3 removes it
    let f = lint(&server("  ssl_conf_command Protocol -TLSv1.3;"), &[]);
    assert!(
        f.iter().any(|x| x.0 == "TLS102" && x.2.contains("TLSv1.3")),
        "{f:?}"
    );
}

#[test]
fn protocol_names_are_case_insensitive_and_unknown_ones_are_invalid() {
    let f = lint(
        &server("").replace("TLSv1.2 TLSv1.3", "tlsv1 TLSV1.1 tlsv1.2 tlsv1.3"),
        &[],
    );
    let t101 = f.iter().find(|x| x.0 == "TLS101").expect("TLS101");
    assert!(t101.2.starts_with("TLSv1, TLSv1.1 are enabled"), "{t101:?}");
    assert!(!codes(&f).contains(&"TLS102"), "{f:?}");
    let f = lint(
        &server("").replace("TLSv1.2 TLSv1.3", "TLSv1.2 TLSv1.4"),
        &[],
    );
    assert!(
        f.iter()
            .any(|x| x.0 == "TLS907" && x.1 == "error" && x.2.contains("TLSv1.4")),
        "{f:?}"
    );
    assert!(
        !f.iter().any(|x| x.0 == "TLS101" && x.2.contains("TLSv1.4")),
        "{f:?}"
    );
}

#[test]
fn openssl_3_security_level_is_explained() {
    let f = lint(
        &server("").replace("TLSv1.2 TLSv1.3", "TLSv1 TLSv1.2 TLSv1.3"),
        &["--openssl-version", "3.0"],
    );
    let t = f.iter().find(|x| x.0 == "TLS101").unwrap();
    assert!(t.2.contains("@SECLEVEL=0"), "{t:?}");
    let f = lint(
        &server("")
            .replace("TLSv1.2 TLSv1.3", "TLSv1 TLSv1.2 TLSv1.3")
            .replace(I6, &format!("@SECLEVEL=0:{I6}")),
        &["--openssl-version", "3.0"],
    );
    let t = f.iter().find(|x| x.0 == "TLS101").unwrap();
    assert!(!t.2.contains("@SECLEVEL=0"), "{t:?}");
    let f = lint(
        &server("").replace("TLSv1.2 TLSv1.3", "TLSv1 TLSv1.2 TLSv1.3"),
        &["--openssl-version", "1.1.1"],
    );
    assert!(!f
        .iter()
        .find(|x| x.0 == "TLS101")
        .unwrap()
        .2
        .contains("SECLEVEL"));
}

#[test]
fn reject_handshake_catch_all_has_no_cipher_findings() {
    let conf = format!(
        "http {{\n server {{ listen 443 ssl default_server; ssl_reject_handshake on; }}\n server {{ listen 443 ssl; server_name a.test; ssl_certificate c.pem; ssl_certificate_key k.pem; ssl_ciphers {I6}; add_header Strict-Transport-Security \"max-age=63072000\" always; ssl_stapling on; ssl_trusted_certificate t.pem; resolver 127.0.0.1; }}\n}}\n"
    );
    let f = lint(&conf, &["--nginx-version", "1.22.1"]);
    let catch_all: Vec<_> = f
        .iter()
        .filter(|x| x.3 == 2)
        .map(|x| x.0.as_str())
        .collect();
    for c in ["TLS201", "TLS507", "TLS501", "TLS505", "TLS905"] {
        assert!(!catch_all.contains(&c), "{c} on the catch-all: {f:?}");
    }
    // it still decides the protocols of the socket before 1.29.2
    assert!(catch_all.contains(&"TLS101"), "{f:?}");
}

#[test]
fn quic_listeners() {
    // QUIC is TLS 1.3 only: no TLS 1.2 cipher findings for a QUIC-only server
    let f = lint("http {\n server {\n  listen 8443 quic reuseport;\n  ssl_certificate c.pem; ssl_certificate_key k.pem;\n }\n}\n", &[]);
    assert!(!codes(&f).contains(&"TLS201"), "{f:?}");
    // nginx: "ssl_protocols" must enable TLSv1.3 for the "listen ... quic" directive
    let f = lint("http {\n server {\n  listen 8443 quic;\n  ssl_protocols TLSv1.2;\n  ssl_certificate c.pem; ssl_certificate_key k.pem;\n }\n}\n", &[]);
    let t = f.iter().find(|x| x.0 == "TLS102").expect("TLS102");
    assert_eq!(t.1, "error");
    assert!(t.2.contains("must enable TLSv1.3"), "{t:?}");
}

#[test]
fn certificates_as_nginx_requires_them() {
    // default server without certificate: refused
    let f = lint("http {\n server {\n  listen 443 ssl;\n }\n}\n", &[]);
    let t = f.iter().find(|x| x.0 == "TLS905").expect("TLS905");
    assert!(
        t.2.contains("no \"ssl_certificate\" is defined for the \"listen ... ssl\" directive"),
        "{t:?}"
    );
    // a non-default server without certificate behind a default that has one: accepted
    let f = lint("http {\n server {\n  listen 443 ssl;\n  ssl_certificate c.pem; ssl_certificate_key k.pem;\n }\n server {\n  listen 443 ssl;\n  server_name b;\n }\n}\n", &[]);
    assert!(!codes(&f).contains(&"TLS905"), "{f:?}");
    // behind a default server that rejects handshakes and has none: refused
    let f = lint("http {\n server {\n  listen 443 ssl;\n  ssl_reject_handshake on;\n }\n server {\n  listen 443 ssl;\n  server_name b;\n }\n}\n", &[]);
    let t: Vec<_> = f.iter().filter(|x| x.0 == "TLS905").collect();
    assert_eq!(t.len(), 1, "{f:?}");
    assert_eq!(t[0].3, 7);
}

#[test]
fn server_add_header_drops_http_hsts_as_tls504_not_tls501() {
    let conf = format!(
        "http {{\n add_header Strict-Transport-Security \"max-age=63072000\" always;\n server {{\n  listen 443 ssl; ssl_certificate c.pem; ssl_certificate_key k.pem; ssl_ciphers {I6};\n  add_header X-Frame-Options DENY;\n }}\n}}\n"
    );
    let f = lint(&conf, &[]);
    assert!(!codes(&f).contains(&"TLS501"), "{f:?}");
    let t = f.iter().find(|x| x.0 == "TLS504").expect("TLS504");
    assert_eq!(t.3, 5);
}

#[test]
fn static_ticket_keys_are_never_rotated() {
    let f = lint(&server("  ssl_session_ticket_key ticket.key;"), &[]);
    assert!(
        f.iter()
            .any(|x| x.0 == "TLS507" && x.2.contains("static keys")),
        "{f:?}"
    );
    let f = lint(
        &server("  ssl_session_ticket_key ticket.key;\n  ssl_session_tickets off;"),
        &[],
    );
    assert!(!codes(&f).contains(&"TLS507"), "{f:?}");
}

#[test]
fn hsts_built_from_a_variable_is_not_judged() {
    let f = lint(
        &server("  add_header Strict-Transport-Security $hsts always;"),
        &[],
    );
    assert!(!codes(&f).contains(&"TLS502"), "{f:?}");
}

#[test]
fn nginx_t_dump_with_dot_dot_paths() {
    // nginx -T prints included paths as nginx built them: prefix + "../shared/x.conf"
    let dump = "# configuration file /t/dd/conf/nginx.conf:\nevents {}\nhttp {\n include ../shared/tls.conf;\n server { listen 443 ssl; ssl_certificate c.pem; ssl_certificate_key k.pem; }\n}\n\n# configuration file /t/dd/conf/../shared/tls.conf:\nssl_protocols TLSv1 TLSv1.2;\n\n";
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("dump.txt");
    std::fs::write(&p, dump).unwrap();
    let f = lint_path(&p, &[]);
    assert!(f.iter().any(|x| x.0 == "TLS101" && x.3 == 1), "{f:?}");
}

/// Apache: with `Listen 80` and no `<VirtualHost>` on port 80, the main
/// server config answers plain HTTP (apache2 2.4 on 127.0.0.1 serves the
/// main DocumentRoot there); TLS508 says so, at the Listen line, and its fix
/// is a redirecting `<VirtualHost *:80>` (a Redirect in the main server
/// config would reach the TLS virtual host too).
#[test]
fn apache_main_server_answering_plain_http_is_named() {
    let dir = tempfile::tempdir().unwrap();
    let main = dir.path().join("apache2.conf");
    let base = "Listen 80\nListen 443\nLoadModule ssl_module /usr/lib/apache2/modules/mod_ssl.so\nLoadModule alias_module /usr/lib/apache2/modules/mod_alias.so\nServerName main.example.org\n<VirtualHost *:443>\n    ServerName www.example.org\n    SSLEngine on\n    SSLCertificateFile c.pem\n    SSLCertificateKeyFile k.pem\n</VirtualHost>\n";
    std::fs::write(&main, base).unwrap();
    let f = lint_path(&main, &["--enable", "TLS508"]);
    let t: Vec<_> = f.iter().filter(|x| x.0 == "TLS508").collect();
    assert_eq!(t.len(), 1, "{f:?}");
    assert!(
        t[0].2.contains("answered by the main server config"),
        "{t:?}"
    );
    assert!(!t[0].2.contains("virtual host"), "{t:?}");
    assert_eq!(t[0].3, 1, "{t:?}");
    // a virtual host on port 80 that redirects: nothing to say
    std::fs::write(
        &main,
        format!("{base}<VirtualHost *:80>\n    ServerName www.example.org\n    Redirect permanent / https://www.example.org/\n</VirtualHost>\n"),
    )
    .unwrap();
    let f = lint_path(&main, &["--enable", "TLS508"]);
    assert!(!codes(&f).contains(&"TLS508"), "{f:?}");
}
