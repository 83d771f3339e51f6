//! Oracle: a real Apache httpd on 127.0.0.1 does, for each name SNI selects,
//! what tlslint resolves for the virtual host that name reaches:
//!
//! - the protocol versions that complete a handshake (`SSLProtocol` with
//!   `SSLOpenSSLConfCmd MinProtocol/MaxProtocol/Protocol`, and what the first
//!   virtual host of the address keeps in force);
//! - the TLS 1.2 suites accepted one at a time (`SSLCipherSuite` per virtual
//!   host) and whose order decides (`SSLHonorCipherOrder`, which the first
//!   virtual host's `on` turns on for every name);
//! - the key-exchange groups accepted for TLS 1.3 (`SSLOpenSSLConfCmd
//!   Curves/Groups`: the first virtual host's for every name);
//! - the Strict-Transport-Security header of a 200 and of a 404 response
//!   (`Header always` / `Header` in the main server and the virtual host:
//!   the first header of the 200 is the resolved value; the 404 has one
//!   exactly when the resolved header is `always`);
//! - a virtual host without ServerName on an IP address is not selected by
//!   the main server's name.
//!
//! Without apache2, openssl or curl the test prints why it skips; with
//! CI=true it fails.

mod common;

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use tlslint::apache::loader::{load, LoadOptions};
use tlslint::fsx::RealFs;
use tlslint::model::Endpoint;
use tlslint::nginx::defaults::Target;

const VERSIONS: &[(&str, &str)] = &[
    ("TLSv1", "-tls1"),
    ("TLSv1.1", "-tls1_1"),
    ("TLSv1.2", "-tls1_2"),
    ("TLSv1.3", "-tls1_3"),
];
/// TLS 1.2 suites the configurations list (by name, no aliases).
const SUITES: &[&str] = &[
    "ECDHE-RSA-AES128-GCM-SHA256",
    "ECDHE-RSA-AES256-GCM-SHA384",
    "ECDHE-RSA-CHACHA20-POLY1305",
];
/// Groups tried for TLS 1.3, with the spellings a configuration may use.
const GROUPS: &[(&str, &[&str])] = &[
    ("X25519", &["X25519"]),
    ("P-256", &["P-256", "prime256v1", "secp256r1"]),
    ("P-384", &["P-384", "secp384r1"]),
];

fn tool(paths: &[&'static str]) -> Option<&'static str> {
    paths.iter().copied().find(|p| Path::new(p).exists())
}

/// A started httpd, stopped (and its port released) when dropped, also
/// when a check fails.
struct Running<'a> {
    httpd: &'a str,
    conf: std::path::PathBuf,
    port: u16,
}

impl Drop for Running<'_> {
    fn drop(&mut self) {
        let _ = Command::new(self.httpd)
            .arg("-f")
            .arg(&self.conf)
            .args(["-k", "stop"])
            .output();
        let start = Instant::now();
        while std::net::TcpStream::connect(("127.0.0.1", self.port)).is_ok()
            && start.elapsed() < Duration::from_secs(10)
        {
            std::thread::sleep(Duration::from_millis(50));
        }
    }
}

fn wait_listening(port: u16) -> bool {
    let start = Instant::now();
    while start.elapsed() < Duration::from_secs(10) {
        if std::net::TcpStream::connect(("127.0.0.1", port)).is_ok() {
            return true;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    false
}

/// `openssl s_client` with these arguments: the negotiated cipher, if a
/// handshake completes.
fn handshake(openssl: &str, port: u16, name: &str, args: &[&str]) -> Option<String> {
    let o = Command::new(openssl)
        .args(["s_client", "-connect", &format!("127.0.0.1:{port}")])
        .args(["-servername", name])
        .args(args)
        .stdin(Stdio::null())
        .output()
        .unwrap();
    let out = String::from_utf8_lossy(&o.stdout);
    let cipher = out.lines().find_map(|l| {
        l.split_once(", Cipher is ")
            .map(|(_, c)| c.trim().to_string())
    })?;
    (o.status.success() && cipher != "(NONE)").then_some(cipher)
}

/// The Strict-Transport-Security headers of a HEAD request, in order.
fn hsts_headers(curl: &str, port: u16, name: &str, path: &str) -> (String, Vec<String>) {
    let o = Command::new(curl)
        .args(["-k", "-sI", "--resolve"])
        .arg(format!("{name}:{port}:127.0.0.1"))
        .arg(format!("https://{name}:{port}{path}"))
        .output()
        .unwrap();
    common::sts_values(&String::from_utf8_lossy(&o.stdout))
}

/// The endpoint a name reaches: the virtual host naming it, else the first
/// one of the address.
fn reached<'e>(eps: &'e [Endpoint], name: &str) -> &'e Endpoint {
    eps.iter()
        .find(|e| e.server_names.iter().any(|n| n == name))
        .or_else(|| eps.iter().find(|e| !e.default_for.is_empty()))
        .unwrap()
}

fn resolved_groups(ep: &Endpoint) -> Option<Vec<String>> {
    ep.conf_commands
        .value
        .iter()
        .rev()
        .find(|(k, _)| k.eq_ignore_ascii_case("Curves") || k.eq_ignore_ascii_case("Groups"))
        .map(|(_, v)| v.split(':').map(str::to_string).collect())
}

#[test]
fn each_name_gets_the_resolved_settings() {
    let (Some(httpd), Some(openssl), Some(curl)) = (
        tool(&["/usr/sbin/apache2", "/usr/sbin/httpd"]),
        tool(&["/usr/bin/openssl"]),
        tool(&["/usr/bin/curl"]),
    ) else {
        assert!(
            !common::ci(),
            "apache2, openssl and curl are required when CI=true"
        );
        eprintln!("skipped: apache2, openssl or curl is not installed");
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path().display().to_string();
    // httpd's workers (nobody when run as root) read the document root
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(dir.path(), std::fs::Permissions::from_mode(0o755)).unwrap();
    }
    std::fs::create_dir(dir.path().join("www")).unwrap();
    std::fs::write(dir.path().join("www/index.html"), "hi\n").unwrap();
    let made = Command::new(openssl)
        .args([
            "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
        ])
        .args([
            "-subj",
            "/CN=a.test",
            "-addext",
            "subjectAltName=DNS:a.test,DNS:b.test,DNS:c.test,DNS:main.test",
        ])
        .args([
            "-keyout",
            &format!("{d}/key.pem"),
            "-out",
            &format!("{d}/cert.pem"),
        ])
        .output()
        .unwrap();
    assert!(made.status.success());
    let user = if cfg!(unix) && std::env::var("USER").as_deref() == Ok("root") {
        "User nobody\nGroup nogroup\n"
    } else {
        ""
    };
    let hsts = "Header always set Strict-Transport-Security";
    let hsts_ok = "Header set Strict-Transport-Security";
    // (main server, first virtual host, second, third without ServerName)
    let cases: &[(&str, &str, &str, &str)] = &[
        (
            "",
            "SSLCipherSuite ECDHE-RSA-AES128-GCM-SHA256:ECDHE-RSA-AES256-GCM-SHA384\nSSLHonorCipherOrder on\nSSLOpenSSLConfCmd Curves X25519",
            "SSLCipherSuite ECDHE-RSA-AES256-GCM-SHA384:ECDHE-RSA-CHACHA20-POLY1305\nSSLHonorCipherOrder off\nSSLOpenSSLConfCmd Curves secp384r1",
            "SSLCipherSuite ECDHE-RSA-CHACHA20-POLY1305",
        ),
        (
            "SSLOpenSSLConfCmd Groups P-256:P-384",
            "SSLProtocol all\nSSLOpenSSLConfCmd Protocol -TLSv1.2",
            "SSLProtocol all\nSSLOpenSSLConfCmd Groups X25519\nSSLHonorCipherOrder on",
            "",
        ),
        (
            "SSLCipherSuite DEFAULT:@SECLEVEL=0",
            "SSLProtocol TLSv1.2\nSSLOpenSSLConfCmd Protocol +TLSv1.3",
            "SSLOpenSSLConfCmd MinProtocol TLSv1",
            "SSLProtocol TLSv1.2\nSSLOpenSSLConfCmd MinProtocol TLSv1.1",
        ),
        (
            &format!("{hsts} max-age=1"),
            &format!("{hsts_ok} max-age=2"),
            &format!("{hsts_ok} max-age=3\n{hsts} max-age=4"),
            &format!("{hsts} max-age=5\n<Location />\nHeader always unset Strict-Transport-Security\n</Location>"),
        ),
        (
            &format!("{hsts_ok} max-age=1\nSSLCipherSuite DEFAULT:@SECLEVEL=0\nSSLProtocol TLSv1.2\nSSLOpenSSLConfCmd MaxProtocol TLSv1.3"),
            &format!("{hsts} max-age=2\nHeader unset Strict-Transport-Security"),
            "<Location />\nHeader unset Strict-Transport-Security\n</Location>\nSSLOpenSSLConfCmd MinProtocol TLSv1.1",
            &format!("{hsts} max-age=3\nHeader always unset Strict-Transport-Security"),
        ),
    ];
    let mut checked = 0;
    for (case, (main, first, second, third)) in cases.iter().enumerate() {
        let port = common::free_port();
        let vhost = |name: &str, body: &str| {
            let sn = if name.is_empty() {
                String::new()
            } else {
                format!("ServerName {name}\n")
            };
            format!("<VirtualHost 127.0.0.1:{port}>\n{sn}SSLEngine on\n{body}\n</VirtualHost>\n")
        };
        let conf = format!(
            "ServerRoot {d}\nServerName main.test\nPidFile {d}/httpd-{case}.pid\nDefaultRuntimeDir {d}\nErrorLog {d}/error-{case}.log\n{user}\
LoadModule mpm_event_module /usr/lib/apache2/modules/mod_mpm_event.so\n\
LoadModule authz_core_module /usr/lib/apache2/modules/mod_authz_core.so\n\
LoadModule socache_shmcb_module /usr/lib/apache2/modules/mod_socache_shmcb.so\n\
LoadModule ssl_module /usr/lib/apache2/modules/mod_ssl.so\n\
LoadModule headers_module /usr/lib/apache2/modules/mod_headers.so\n\
DocumentRoot {d}/www\nListen 127.0.0.1:{port}\n\
SSLCertificateFile {d}/cert.pem\nSSLCertificateKeyFile {d}/key.pem\n{main}\n{}{}{}",
            vhost("a.test", first),
            vhost("b.test", second),
            vhost("", third),
        );
        let path = dir.path().join(format!("apache-{case}.conf"));
        std::fs::write(&path, &conf).unwrap();
        let tree = load(&RealFs, &path, &LoadOptions::default());
        assert!(tree.errors.is_empty(), "{:?}", tree.errors);
        let (eps, _) = tlslint::apache::resolve::resolve(&tree, &Target::default());
        assert_eq!(eps.len(), 3, "{conf}");
        let o = Command::new(httpd)
            .arg("-f")
            .arg(&path)
            .args(["-k", "start"])
            .output()
            .unwrap();
        let running = Running {
            httpd,
            conf: path.clone(),
            port,
        };
        if !o.status.success() || !wait_listening(port) {
            let log = std::fs::read_to_string(dir.path().join(format!("error-{case}.log")))
                .unwrap_or_default();
            panic!(
                "case {case}: httpd did not start:\n{}{log}\n{conf}",
                String::from_utf8_lossy(&o.stderr)
            );
        }
        let mut problems = Vec::new();
        // main.test: no virtual host names it (the third has no ServerName
        // on an IP address), so it reaches the first one
        for name in ["a.test", "b.test", "main.test"] {
            let ep = reached(&eps, name);
            let mut diff = |what: &str, got: String, want: String| {
                if got != want {
                    problems.push(format!(
                        "{name}: {what}: httpd {got}, tlslint {want} (endpoint {:?})",
                        ep.server_names
                    ));
                }
            };
            // protocol versions
            let want: Vec<&str> = ep
                .effective_protocols()
                .value
                .iter()
                .map(String::as_str)
                .filter(|p| VERSIONS.iter().any(|(v, _)| v == p))
                .collect();
            // TLS 1.0 and 1.1 need security level 0 with OpenSSL 3
            let low = ep.ciphers.value.contains("@SECLEVEL=0");
            let want: Vec<&str> = want
                .into_iter()
                .filter(|p| low || *p == "TLSv1.2" || *p == "TLSv1.3")
                .collect();
            let got: Vec<&str> = VERSIONS
                .iter()
                .filter(|(v, _)| low || *v == "TLSv1.2" || *v == "TLSv1.3")
                .filter(|(_, f)| {
                    handshake(openssl, port, name, &[f, "-cipher", "DEFAULT:@SECLEVEL=0"]).is_some()
                })
                .map(|(v, _)| *v)
                .collect();
            diff("protocols", format!("{got:?}"), format!("{want:?}"));
            let tls12 = want.contains(&"TLSv1.2");
            // TLS 1.2 suites, one at a time, where the string lists names
            let listed: Vec<&str> = ep.ciphers.value.split(':').collect();
            if tls12 && listed.iter().all(|c| SUITES.contains(c)) {
                let got: Vec<&str> = SUITES
                    .iter()
                    .copied()
                    .filter(|s| {
                        handshake(openssl, port, name, &["-tls1_2", "-cipher", s]).is_some()
                    })
                    .collect();
                let want: Vec<&str> = SUITES
                    .iter()
                    .copied()
                    .filter(|s| listed.contains(s))
                    .collect();
                diff("TLS 1.2 suites", format!("{got:?}"), format!("{want:?}"));
                // the client offers the server's list reversed
                if listed.len() > 1 {
                    let offer: Vec<&str> = listed.iter().rev().copied().collect();
                    let got = handshake(
                        openssl,
                        port,
                        name,
                        &["-tls1_2", "-cipher", &offer.join(":")],
                    )
                    .unwrap_or_default();
                    let want = if ep.prefer_server_ciphers.value {
                        listed[0]
                    } else {
                        offer[0]
                    };
                    diff("suite chosen", got, want.to_string());
                }
            }
            // groups, TLS 1.3
            if want.contains(&"TLSv1.3") {
                let resolved = resolved_groups(ep);
                for (group, spellings) in GROUPS {
                    let got =
                        handshake(openssl, port, name, &["-tls1_3", "-groups", group]).is_some();
                    let want = resolved.as_ref().is_none_or(|list| {
                        list.iter()
                            .any(|g| spellings.iter().any(|s| s.eq_ignore_ascii_case(g)))
                    });
                    diff(&format!("group {group}"), got.to_string(), want.to_string());
                }
            }
            // HSTS of a 200 and a 404
            if !want.is_empty() {
                let (status, ok) = hsts_headers(curl, port, name, "/index.html");
                let (nf_status, nf) = hsts_headers(curl, port, name, "/nope");
                assert!(
                    status.contains("200") && nf_status.contains("404"),
                    "{status} {nf_status}"
                );
                // the `<Location />` of these cases covers /index.html
                let resolved = ep
                    .hsts
                    .value
                    .as_ref()
                    .filter(|_| ep.hsts_dropped.is_empty());
                diff(
                    "HSTS heeded on 200",
                    format!("{:?}", ok.first()),
                    format!("{:?}", resolved.map(|h| h.value.clone())),
                );
                diff(
                    "HSTS on 404",
                    format!("{:?}", nf.first()),
                    format!(
                        "{:?}",
                        resolved.filter(|h| h.always).map(|h| h.value.clone())
                    ),
                );
            }
            checked += 1;
        }
        drop(running);
        assert!(
            problems.is_empty(),
            "case {case}:\n{}\n{conf}",
            problems.join("\n")
        );
    }
    eprintln!("{checked} names: httpd does what tlslint resolves");
}
