//! Endpoint resolution: inheritance, defaults by version, default servers,
//! add_header inheritance. Trees are built in memory.

use std::path::{Path, PathBuf};

use tlslint::fsx::MemFs;
use tlslint::model::{Endpoint, Source};
use tlslint::nginx::defaults::Target;
use tlslint::nginx::loader::{load, LoadOptions};
use tlslint::nginx::resolve::endpoints;

fn tree(
    files: &[(&str, &str)],
    nginx: &str,
    openssl: &str,
) -> (Vec<Endpoint>, tlslint::nginx::loader::Tree) {
    let mut fs = MemFs::new();
    for (p, t) in files {
        fs.insert(
            PathBuf::from(format!("/etc/nginx/{p}")),
            t.as_bytes().to_vec(),
        );
    }
    let t = load(
        &fs,
        Path::new("/etc/nginx/nginx.conf"),
        &LoadOptions::default(),
    );
    assert!(t.errors.is_empty(), "{:?}", t.errors);
    let target = Target {
        nginx: nginx.parse().unwrap(),
        openssl: openssl.parse().unwrap(),
        ..Target::default()
    };
    (endpoints(&t, &target), t)
}

fn main_only(conf: &str) -> Vec<Endpoint> {
    tree(&[("nginx.conf", conf)], "1.30.4", "3.0").0
}

#[test]
fn defaults_follow_the_nginx_version() {
    let conf =
        "events {} http { server { listen 443 ssl; ssl_certificate c; ssl_certificate_key k; } }";
    for (v, want) in [
        ("1.22.1", vec!["TLSv1", "TLSv1.1", "TLSv1.2"]),
        ("1.23.4", vec!["TLSv1", "TLSv1.1", "TLSv1.2", "TLSv1.3"]),
        ("1.27.3", vec!["TLSv1.2", "TLSv1.3"]),
    ] {
        let (eps, _) = tree(&[("nginx.conf", conf)], v, "3.0");
        assert_eq!(eps.len(), 1);
        assert_eq!(eps[0].protocols.value, want, "nginx {v}");
        match &eps[0].protocols.source {
            Source::Default { note, anchor } => {
                assert!(note.contains(v), "{note}");
                assert_eq!(anchor.line, 1);
            }
            s => panic!("expected a default, got {s:?}"),
        }
        assert_eq!(eps[0].ciphers.value, "HIGH:!aNULL:!MD5");
        assert!(eps[0].session_tickets.value);
    }
}

#[test]
fn server_inherits_from_http_and_overrides() {
    let eps = main_only(
        "events {}\nhttp {\n ssl_protocols TLSv1.2;\n ssl_ciphers ECDHE+AESGCM;\n server { listen 443 ssl; ssl_ciphers X; }\n server { listen 8443 ssl; }\n}\n",
    );
    assert_eq!(eps.len(), 2);
    assert!(matches!(eps[0].protocols.source, Source::Inherited(s) if s.line == 3));
    assert_eq!(eps[0].ciphers.value, "X");
    assert!(matches!(eps[0].ciphers.source, Source::Set(_)));
    assert_eq!(eps[1].ciphers.value, "ECDHE+AESGCM");
    assert!(matches!(eps[1].ciphers.source, Source::Inherited(s) if s.line == 4));
}

#[test]
fn repeated_ssl_protocols_add_up() {
    let eps = main_only(
        "http { server { listen 443 ssl; ssl_protocols TLSv1.2; ssl_protocols TLSv1.3; } }",
    );
    assert_eq!(eps[0].protocols.value, ["TLSv1.2", "TLSv1.3"]);
}

#[test]
fn includes_are_spliced_in_each_context() {
    let (eps, _) = tree(
        &[
            ("nginx.conf", "http { include tls.conf; server { listen 443 ssl; include tls.conf; } server { listen 8443 ssl; } }"),
            ("tls.conf", "ssl_protocols TLSv1.3;"),
        ],
        "1.30.4",
        "3.0",
    );
    assert!(matches!(eps[0].protocols.source, Source::Set(_)));
    assert!(matches!(eps[1].protocols.source, Source::Inherited(_)));
    assert_eq!(eps[1].protocols.value, ["TLSv1.3"]);
}

#[test]
fn a_socket_is_tls_when_any_server_says_so() {
    let eps = main_only("http { server { listen 443 ssl; server_name a; } server { listen 443; server_name b; } server { listen 80; } }");
    let names: Vec<String> = eps.iter().map(|e| e.server_names.join(",")).collect();
    assert_eq!(names, ["a", "b"]);
}

#[test]
fn default_server_decides_protocols_before_1_29_2() {
    let conf = "http {\n server { listen 443 ssl; server_name first; ssl_protocols TLSv1 TLSv1.2; }\n server { listen 443 ssl default_server; server_name dflt; ssl_protocols TLSv1.2; }\n server { listen 443 ssl; server_name other; ssl_protocols TLSv1.3; }\n}\n";
    let (eps, _) = tree(&[("nginx.conf", conf)], "1.28.0", "3.0");
    let other = eps.iter().find(|e| e.server_names == ["other"]).unwrap();
    assert_eq!(other.protocols_decided_by.len(), 1);
    let (by, setting) = &other.protocols_decided_by[0];
    assert_eq!(by.server_names, ["dflt"]);
    assert_eq!(setting.value, ["TLSv1.2"]);
    assert_eq!(other.effective_protocols().value, ["TLSv1.2"]);
    let dflt = eps.iter().find(|e| e.server_names == ["dflt"]).unwrap();
    assert!(dflt.protocols_decided_by.is_empty());
    // per-SNI from 1.29.2 with OpenSSL >= 1.1.1, but not with OpenSSL 1.1.0
    let (eps, _) = tree(&[("nginx.conf", conf)], "1.29.2", "3.0");
    assert!(eps.iter().all(|e| e.protocols_decided_by.is_empty()));
    let (eps, _) = tree(&[("nginx.conf", conf)], "1.29.2", "1.1.0");
    assert_eq!(
        eps.iter()
            .filter(|e| !e.protocols_decided_by.is_empty())
            .count(),
        2
    );
}

#[test]
fn first_server_is_default_without_default_server() {
    let conf = "http { server { listen 443 ssl; server_name a; } server { listen 443 ssl; server_name b; ssl_protocols TLSv1.3; } }";
    let (eps, _) = tree(&[("nginx.conf", conf)], "1.22.1", "3.0");
    assert_eq!(eps[1].protocols_decided_by[0].0.server_names, ["a"]);
    assert_eq!(
        eps[1].effective_protocols().value,
        ["TLSv1", "TLSv1.1", "TLSv1.2"]
    );
}

#[test]
fn different_addresses_are_different_sockets() {
    let conf = "http { server { listen 127.0.0.1:443 ssl; server_name a; } server { listen 443 ssl; server_name b; ssl_protocols TLSv1.3; } server { listen [::]:443 ssl; server_name c; } }";
    let (eps, _) = tree(&[("nginx.conf", conf)], "1.22.1", "3.0");
    assert!(eps.iter().all(|e| e.protocols_decided_by.is_empty()));
    assert_eq!(eps[0].listen[0].socket(), "127.0.0.1:443");
    assert_eq!(eps[1].listen[0].socket(), "*:443");
    assert_eq!(eps[2].listen[0].socket(), "[::]:443");
}

#[test]
fn listen_forms() {
    let eps = main_only("http { server { listen 10.0.0.1 ssl; listen [::1]:8443 ssl http2; listen *:9443 quic; listen localhost:7443 ssl default; } }");
    let s: Vec<String> = eps[0].listen.iter().map(|l| l.socket()).collect();
    assert_eq!(s, ["10.0.0.1:80", "[::1]:8443", "*:9443", "localhost:7443"]);
    assert!(eps[0].listen[1].http2 && eps[0].listen[2].quic && eps[0].listen[3].default_server);
}

#[test]
fn ssl_on_makes_listens_tls() {
    let eps = main_only("http { server { listen 443; ssl on; } }");
    assert_eq!(eps.len(), 1);
    assert!(eps[0].ssl_on.is_some());
}

#[test]
fn stream_servers_are_endpoints() {
    let eps = main_only("stream { ssl_protocols TLSv1.3; server { listen 5443 ssl; proxy_pass backend:5000; proxy_ssl on; } }");
    assert_eq!(eps.len(), 1);
    assert_eq!(eps[0].context, "stream");
    assert_eq!(eps[0].protocols.value, ["TLSv1.3"]);
    assert_eq!(eps[0].upstreams.len(), 1);
    assert!(!eps[0].upstreams[0].verify.value);
}

#[test]
fn certificate_pairs_and_arrays_inherit_whole() {
    let eps = main_only("http { ssl_certificate a.pem; ssl_certificate_key a.key; ssl_certificate b.pem; ssl_certificate_key b.key; server { listen 443 ssl; } server { listen 8443 ssl; ssl_certificate c.pem; ssl_certificate_key c.key; } }");
    let certs: Vec<(String, String)> = eps[0]
        .certificates
        .iter()
        .map(|c| {
            (
                c.certificate.value.clone(),
                c.key.as_ref().unwrap().value.clone(),
            )
        })
        .collect();
    assert_eq!(
        certs,
        [
            ("a.pem".into(), "a.key".into()),
            ("b.pem".into(), "b.key".into())
        ]
    );
    assert_eq!(eps[1].certificates.len(), 1);
}

#[test]
fn hsts_and_inner_add_header_drops_it() {
    let conf = "http { add_header Strict-Transport-Security \"max-age=63072000\" always; server { listen 443 ssl; location / { } location /api { add_header X-Frame-Options DENY; location /api/v2 { } } location /x { add_header Strict-Transport-Security \"max-age=1\"; } } }";
    let (eps, _) = tree(&[("nginx.conf", conf)], "1.30.4", "3.0");
    let h = eps[0].hsts.value.as_ref().unwrap();
    assert!(h.always);
    assert!(matches!(eps[0].hsts.source, Source::Inherited(_)));
    // only /api drops it (its nested location inherits the already-dropped set)
    assert_eq!(eps[0].hsts_dropped.len(), 1);
}

#[test]
fn server_add_header_without_hsts_drops_http_hsts() {
    let eps = main_only("http { add_header Strict-Transport-Security max-age=1; server { listen 443 ssl; add_header X-A b; } }");
    assert!(eps[0].hsts.value.is_none());
}

#[test]
fn add_header_inherit_merge_keeps_hsts() {
    let conf = "http { add_header Strict-Transport-Security max-age=1 always; server { listen 443 ssl; location / { add_header_inherit merge; add_header X-A b; } } }";
    let (eps, _) = tree(&[("nginx.conf", conf)], "1.29.3", "3.0");
    assert!(eps[0].hsts_dropped.is_empty());
    let (eps, _) = tree(&[("nginx.conf", conf)], "1.29.2", "3.0");
    assert_eq!(eps[0].hsts_dropped.len(), 1);
}

#[test]
fn upstream_tls_settings_inherit_through_locations() {
    let eps = main_only("http { proxy_ssl_verify on; server { listen 443 ssl; location / { proxy_ssl_trusted_certificate ca.pem; location /a { proxy_pass https://b; } } location /c { proxy_pass http://c; } } }");
    assert_eq!(eps[0].upstreams.len(), 1);
    let u = &eps[0].upstreams[0];
    assert!(u.verify.value);
    assert!(matches!(u.verify.source, Source::Inherited(_)));
    assert_eq!(u.trusted_certificate.value.as_deref(), Some("ca.pem"));
}

#[test]
fn conf_command_protocol_all_is_what_the_openssl_build_has() {
    let conf = "events {}\nhttp {\n  server {\n    listen 443 ssl;\n    ssl_protocols TLSv1.2;\n    ssl_conf_command Protocol ALL;\n  }\n}\n";
    let eps = tree(&[("nginx.conf", conf)], "1.30.4", "3.0").0;
    assert_eq!(
        eps[0].effective_protocols().value,
        ["TLSv1", "TLSv1.1", "TLSv1.2", "TLSv1.3"]
    );
    let eps = tree(&[("nginx.conf", conf)], "1.20.2", "1.0.2").0;
    assert_eq!(
        eps[0].effective_protocols().value,
        ["SSLv2", "SSLv3", "TLSv1", "TLSv1.1", "TLSv1.2"]
    );
    // `-TLSv1.1` takes one away
    let conf = conf.replace("Protocol ALL", "Protocol \"ALL,-TLSv1.1\"");
    let eps = tree(&[("nginx.conf", &conf)], "1.30.4", "3.0").0;
    assert_eq!(
        eps[0].effective_protocols().value,
        ["TLSv1", "TLSv1.2", "TLSv1.3"]
    );
}
