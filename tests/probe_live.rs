//! `tlslint probe` against real servers on 127.0.0.1: nginx with Mozilla's
//! Modern, Intermediate and Old settings, DHE with 1024- and 2048-bit
//! parameters, a server that requires a client certificate, two names with
//! two certificates (SNI); `openssl s_server` for OCSP stapling and ALPN.
//! What each must accept comes from OpenSSL (`openssl ciphers -s`) for the
//! same cipher string. A missing nginx or openssl skips with a reason, and
//! fails with CI=true.
#![cfg(feature = "probe")]

mod certgen;
mod common;
mod probe_servers;

use probe_servers::*;

fn pki(what: &str) -> Option<tempfile::TempDir> {
    if !certgen::require_openssl(what) {
        return None;
    }
    let dir = tempfile::tempdir().expect("tempdir");
    make_pki(dir.path());
    Some(dir)
}

#[test]
fn probe_nginx_profiles_accept_exactly_what_openssl_selects() {
    let what = "probe of nginx Modern/Intermediate/Old";
    let Some(nginx_bin) = nginx_bin(what) else {
        return;
    };
    let Some(dir) = pki(what) else { return };
    for (name, directives, protocols, cipher_string) in nginx_fixtures() {
        let srv = nginx(&nginx_bin, dir.path(), name, &server_block(&directives));
        let (code, v, err) = probe_json(&[&format!("localhost:{}", srv.port)]);
        assert_eq!(code, Some(0), "{name}: {err}\n{}", srv.log());
        assert_eq!(
            accepted(&v),
            protocols.iter().map(|s| s.to_string()).collect::<Vec<_>>(),
            "{name}: accepted versions\n{v:#}"
        );
        for p in ["SSLv3", "TLSv1", "TLSv1.1", "TLSv1.2", "TLSv1.3"] {
            let got = ciphers(&v, p);
            if !protocols.contains(&p) {
                assert!(got.is_empty(), "{name} {p}: {got:?}");
                continue;
            }
            let want = openssl_suites(version_flag(p), cipher_string);
            assert!(!want.is_empty(), "{name} {p}: openssl selects nothing");
            let prefer = v["versions"][p]["server_order"].as_bool();
            if directives.contains("ssl_prefer_server_ciphers on") {
                // the server's order, exactly
                assert_eq!(prefer, Some(true), "{name} {p}: server order\n{v:#}");
                assert_eq!(got, want, "{name} {p}: suites in server order");
            } else {
                if want.len() > 1 {
                    assert_eq!(prefer, Some(false), "{name} {p}: client order\n{v:#}");
                }
                assert_eq!(sorted(got), sorted(want), "{name} {p}: suites");
            }
        }
        // HSTS over a complete handshake, ALPN from nginx's http module
        assert_eq!(v["hsts"], "max-age=63072000", "{name}\n{v:#}");
        assert_eq!(
            v["alpn"],
            serde_json::json!(["http/1.1"]),
            "{name}: nginx has no http2 here"
        );
        assert_eq!(v["client_certificate_requested"], false);
        let leaf = &v["certificate_chain"]["with_sni"]["certificates"][0];
        assert_eq!(leaf["subject"], "CN=localhost", "{name}\n{v:#}");
        assert_eq!(leaf["issuer"], "CN=Probe Test CA");
        assert_eq!(leaf["not_after"], "2026-06-30T00:00:00Z");
        match name {
            "intermediate" => {
                assert_eq!(v["dh_bits"], 2048, "{name}");
                assert_eq!(
                    v["groups"],
                    serde_json::json!(["secp256r1", "secp384r1", "x25519"]),
                    "{name}: ssl_ecdh_curve"
                );
            }
            "old" => assert_eq!(v["dh_bits"], 1024, "{name}"),
            _ => assert_eq!(v["dh_bits"], serde_json::Value::Null, "{name}"),
        }
    }
}

#[test]
fn probe_nginx_dhe_parameter_sizes() {
    let what = "probe of nginx DHE 1024/2048";
    let Some(nginx_bin) = nginx_bin(what) else {
        return;
    };
    let Some(dir) = pki(what) else { return };
    for bits in [1024, 2048] {
        let block = server_block(&format!(
            "    ssl_protocols TLSv1.2;\n    ssl_ciphers DHE-RSA-AES128-GCM-SHA256:DHE-RSA-AES256-GCM-SHA384:@SECLEVEL=0;\n    \
             ssl_dhparam {{dir}}/dh{bits}.pem;\n"
        ));
        let srv = nginx(&nginx_bin, dir.path(), &format!("dhe{bits}"), &block);
        let (code, v, err) = probe_json(&[&srv.target()]);
        assert_eq!(code, Some(0), "{err}");
        assert_eq!(v["dh_bits"], bits, "{v:#}");
        assert_eq!(accepted(&v), vec!["TLSv1.2"]);
        assert_eq!(
            sorted(ciphers(&v, "TLSv1.2")),
            vec![
                "TLS_DHE_RSA_WITH_AES_128_GCM_SHA256",
                "TLS_DHE_RSA_WITH_AES_256_GCM_SHA384"
            ]
        );
        // no SNI sent to an address: the chain is the one without SNI
        assert_eq!(v["sni"], serde_json::Value::Null);
        assert_eq!(
            v["certificate_chain"]["without_sni"]["certificates"][0]["subject"],
            "CN=localhost"
        );
    }
}

#[test]
fn probe_nginx_mtls_required() {
    let what = "probe of nginx with ssl_verify_client on";
    let Some(nginx_bin) = nginx_bin(what) else {
        return;
    };
    let Some(dir) = pki(what) else { return };
    let block = server_block(
        "    ssl_protocols TLSv1.2 TLSv1.3;\n    ssl_verify_client on;\n    \
         ssl_client_certificate {dir}/ca.pem;\n",
    );
    let srv = nginx(&nginx_bin, dir.path(), "mtls", &block);
    // without a client certificate: still enumerated, the request is seen,
    // no HTTP answer (nginx answers 400 without a certificate)
    let (code, v, err) = probe_json(&[&format!("localhost:{}", srv.port)]);
    assert_eq!(code, Some(0), "{err}");
    assert_eq!(v["client_certificate_requested"], true, "{v:#}");
    assert_eq!(accepted(&v), vec!["TLSv1.2", "TLSv1.3"]);
    assert_ne!(v["http_status"].as_str().unwrap_or(""), "HTTP/1.1 200 OK");
    // with one: a complete exchange, HSTS read
    let cert = dir.path().join("client.pem");
    let key = dir.path().join("client.key");
    let (code, v, err) = probe_json(&[
        &format!("localhost:{}", srv.port),
        "--client-cert",
        cert.to_str().unwrap_or_default(),
        "--client-key",
        key.to_str().unwrap_or_default(),
    ]);
    assert_eq!(code, Some(0), "{err}");
    assert_eq!(v["http_status"], "HTTP/1.1 200 OK", "{v:#}\n{}", srv.log());
    assert_eq!(v["hsts"], "max-age=63072000");
    assert_eq!(v["client_certificate_requested"], true);
    // a key that is not PEM is bad usage
    let (code, _, err) = probe_json(&[
        &srv.target(),
        "--client-cert",
        cert.to_str().unwrap_or_default(),
        "--client-key",
        cert.to_str().unwrap_or_default(),
    ]);
    assert_eq!(code, Some(2), "{err}");
    assert!(err.contains("client certificate"), "{err}");
}

#[test]
fn probe_nginx_chain_with_and_without_sni() {
    let what = "probe of nginx with two names";
    let Some(nginx_bin) = nginx_bin(what) else {
        return;
    };
    let Some(dir) = pki(what) else { return };
    let blocks = format!(
        "  server {{\n    listen 127.0.0.1:{{port}} ssl default_server;\n    server_name default.test;\n    \
         ssl_certificate {{dir}}/other.pem;\n    ssl_certificate_key {{dir}}/other.key;\n  }}\n{}",
        server_block("")
    );
    let srv = nginx(&nginx_bin, dir.path(), "sni", &blocks);
    let (code, v, err) = probe_json(&[&srv.target(), "--sni", "localhost"]);
    assert_eq!(code, Some(0), "{err}");
    let chains = &v["certificate_chain"];
    assert_eq!(chains["with_sni"]["sni"], "localhost");
    assert_eq!(
        chains["with_sni"]["certificates"][0]["subject"], "CN=localhost",
        "{v:#}"
    );
    assert_eq!(
        chains["without_sni"]["certificates"][0]["subject"], "CN=default.test",
        "{v:#}"
    );
    let fp = chains["with_sni"]["certificates"][0]["sha256"]
        .as_str()
        .unwrap_or("");
    assert_eq!(fp.len(), 95, "AB:CD:... over 32 bytes: {fp}");
    assert!(chains["with_sni"]["trust"]
        .as_str()
        .unwrap_or("")
        .starts_with("untrusted"));
}

#[test]
fn probe_s_server_ocsp_alpn_tickets_and_ipv6() {
    let what = "probe of openssl s_server";
    let Some(dir) = pki(what) else { return };
    let d = dir.path();
    // an OCSP response for cert.pem, signed by the CA, for -status_file
    std::fs::write(
        d.join("index.txt"),
        "V\t301231235959Z\t\t1000\tunknown\t/CN=localhost\n",
    )
    .unwrap();
    let serial = std::process::Command::new("openssl")
        .current_dir(d)
        .args(["x509", "-noout", "-serial", "-in", "cert.pem"])
        .output()
        .unwrap();
    let serial = String::from_utf8_lossy(&serial.stdout)
        .trim()
        .trim_start_matches("serial=")
        .to_string();
    std::fs::write(
        d.join("index.txt"),
        format!("V\t301231235959Z\t\t{serial}\tunknown\t/CN=localhost\n"),
    )
    .unwrap();
    let st = std::process::Command::new("openssl")
        .current_dir(d)
        .args([
            "ocsp",
            "-index",
            "index.txt",
            "-rsigner",
            "ca.pem",
            "-rkey",
            "ca.key",
            "-CA",
            "ca.pem",
            "-issuer",
            "ca.pem",
            "-cert",
            "cert.pem",
            "-respout",
            "ocsp.der",
            "-ndays",
            "1",
        ])
        .output()
        .unwrap();
    assert!(
        d.join("ocsp.der").is_file(),
        "openssl ocsp: {}",
        String::from_utf8_lossy(&st.stderr)
    );
    let srv = s_server(
        d,
        "s_server-ocsp",
        &[
            "-status_file",
            "ocsp.der",
            "-alpn",
            "h2,http/1.1",
            "-cert_chain",
            "ca.pem",
        ],
    );
    let (code, v, err) = probe_json(&[&format!("localhost:{}", srv.port)]);
    assert_eq!(code, Some(0), "{err}");
    assert_eq!(v["ocsp_stapled"], true, "{v:#}\n{}", srv.log());
    assert_eq!(v["alpn"], serde_json::json!(["h2", "http/1.1"]));
    assert_eq!(v["session_tickets"]["tls1_3"], true, "{v:#}");
    assert_eq!(v["session_tickets"]["tls1_2"], true, "{v:#}");
    assert_eq!(
        v["certificate_chain"]["with_sni"]["certificates"][1]["subject"],
        "CN=Probe Test CA"
    );
    // the same server without OCSP and with tickets off
    let srv2 = s_server(d, "s_server-plain", &["-no_ticket"]);
    let (code, v, err) = probe_json(&[&srv2.target()]);
    assert_eq!(code, Some(0), "{err}");
    assert_eq!(v["ocsp_stapled"], false, "{v:#}");
    assert_eq!(v["session_tickets"]["tls1_2"], false, "{v:#}");
    // OpenSSL still sends (stateful) NewSessionTickets in TLS 1.3 with -no_ticket
    assert_eq!(v["session_tickets"]["tls1_3"], true, "{v:#}");
    assert_eq!(v["alpn"], serde_json::json!([]));
    // IPv6 loopback, when the machine has it
    if std::net::TcpListener::bind("[::1]:0").is_ok() {
        let port = free_port();
        let mut child = std::process::Command::new("openssl")
            .current_dir(d)
            .args(["s_server", "-accept", &format!("[::1]:{port}"), "-6"])
            .args(["-cert", "cert.pem", "-key", "key.pem", "-quiet", "-www"])
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .unwrap();
        let addr: std::net::SocketAddr = format!("[::1]:{port}").parse().unwrap();
        let t0 = std::time::Instant::now();
        while std::net::TcpStream::connect(addr).is_err() && t0.elapsed().as_secs() < 10 {
            std::thread::sleep(std::time::Duration::from_millis(20));
        }
        let (code, v, err) = probe_json(&[&format!("[::1]:{port}"), "--sni", "localhost"]);
        let _ = child.kill();
        let _ = child.wait();
        assert_eq!(code, Some(0), "{err}");
        assert_eq!(v["target"], format!("[::1]:{port}"));
        assert!(accepted(&v).contains(&"TLSv1.3".to_string()), "{v:#}");
    }
}

#[test]
fn probe_human_report_and_bad_usage() {
    let what = "probe human report";
    let Some(dir) = pki(what) else { return };
    let srv = s_server(dir.path(), "s_server-human", &["-serverpref"]);
    let mut c = std::process::Command::new(common::tlslint());
    c.args(["probe", &format!("localhost:{}", srv.port)]);
    let o = common::run(&mut c, std::time::Duration::from_secs(60)).unwrap();
    assert_eq!(o.code, Some(0), "{}", o.stderr);
    let text = o.stdout_str();
    assert!(text.contains("TLSv1.3  yes"), "{text}");
    assert!(text.contains("TLSv1    no"), "{text}");
    assert!(text.contains("server's order"), "{text}");
    assert!(text.contains("Certificate chain (SNI localhost)"), "{text}");
    // no progress bar when stderr is not a terminal
    assert!(o.stderr.is_empty(), "{}", o.stderr);
    for bad in [
        &["probe", "host:notaport"][..],
        &["probe", "localhost:1", "--timeout", "0"],
    ] {
        let mut c = std::process::Command::new(common::tlslint());
        c.args(bad);
        let o = common::run(&mut c, std::time::Duration::from_secs(30)).unwrap();
        assert_eq!(o.code, Some(2), "{bad:?}: {}", o.stderr);
        assert!(o.stderr.starts_with("error: "), "{}", o.stderr);
    }
}
