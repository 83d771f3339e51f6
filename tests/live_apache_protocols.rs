//! Oracle: a real Apache httpd on 127.0.0.1 negotiates exactly the protocol
//! versions tlslint resolves for each virtual host.
//!
//! Random combinations of `SSLProtocol` in the main server, the first
//! (default) virtual host and a second name-based virtual host on the same
//! address — absent, or a random sequence of `all`, `+X`, `-X` and bare
//! words — are served by httpd (Debian's apache2 2.4 with OpenSSL 3), and
//! `openssl s_client -servername NAME -tls1 ... -tls1_3` is tried against
//! each name: the versions that complete a handshake are the effective
//! protocols tlslint resolves for that virtual host (its own, or the first
//! virtual host's where that one decides). The cipher strings lower the
//! security level so that TLS 1.0 and 1.1 can be negotiated at all.
//!
//! Without apache2 or openssl the test prints why it skips; with CI=true it
//! fails.

mod common;

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use tlslint::apache::loader::{load, LoadOptions};
use tlslint::fsx::RealFs;
use tlslint::nginx::defaults::Target;

const VERSIONS: &[(&str, &str)] = &[
    ("TLSv1", "-tls1"),
    ("TLSv1.1", "-tls1_1"),
    ("TLSv1.2", "-tls1_2"),
    ("TLSv1.3", "-tls1_3"),
];
const WORDS: &[&str] = &[
    "all",
    "-all",
    "+TLSv1",
    "-TLSv1",
    "+TLSv1.1",
    "-TLSv1.1",
    "+TLSv1.2",
    "-TLSv1.2",
    "+TLSv1.3",
    "-TLSv1.3",
    "TLSv1.2",
    "TLSv1.3",
    "-SSLv3",
    "+TLSv1 +TLSv1.1",
];

fn tool(paths: &[&'static str]) -> Option<&'static str> {
    paths.iter().copied().find(|p| Path::new(p).exists())
}

struct Rng(u64);
impl Rng {
    fn below(&mut self, n: usize) -> usize {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        (self.0 % n as u64) as usize
    }
}

/// `SSLOpenSSLConfCmd`s that move mod_ssl's bounds or switch versions off.
const CONF_CMDS: &[&str] = &[
    "MinProtocol TLSv1",
    "MinProtocol TLSv1.2",
    "MinProtocol None",
    "MaxProtocol TLSv1.2",
    "MaxProtocol TLSv1.3",
    "Protocol -TLSv1.2",
    "Protocol -TLSv1.1",
    "Protocol +TLSv1.3",
    "Protocol -ALL,TLSv1.2",
    "Protocol ALL",
];

/// A random SSLProtocol line, or none, and now and then an
/// `SSLOpenSSLConfCmd` (before or after it: it applies after either way).
fn protocol_line(rng: &mut Rng) -> Option<String> {
    let cmd = (rng.below(3) == 0).then(|| {
        format!(
            "SSLOpenSSLConfCmd {}",
            CONF_CMDS[rng.below(CONF_CMDS.len())]
        )
    });
    if rng.below(3) == 0 {
        return cmd;
    }
    let n = 1 + rng.below(3);
    let words: Vec<&str> = (0..n).map(|_| WORDS[rng.below(WORDS.len())]).collect();
    let line = format!("SSLProtocol {}", words.join(" "));
    Some(match cmd {
        Some(c) if rng.below(2) == 0 => format!("{c}\n    {line}"),
        Some(c) => format!("{line}\n    {c}"),
        None => line,
    })
}

/// Whether a handshake with `name` at `version` completes.
fn handshakes(openssl: &str, port: u16, name: &str, flag: &str) -> bool {
    let o = Command::new(openssl)
        .args(["s_client", "-connect", &format!("127.0.0.1:{port}")])
        .args(["-servername", name, flag, "-cipher", "DEFAULT:@SECLEVEL=0"])
        .stdin(Stdio::null())
        .output()
        .unwrap();
    let out = String::from_utf8_lossy(&o.stdout);
    o.status.success() && out.contains("Cipher is") && !out.contains("Cipher is (NONE)")
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

#[test]
fn negotiated_protocols_are_the_resolved_ones() {
    let (Some(httpd), Some(openssl)) = (
        tool(&["/usr/sbin/apache2", "/usr/sbin/httpd"]),
        tool(&["/usr/bin/openssl"]),
    ) else {
        assert!(
            !common::ci(),
            "apache2 and openssl are required when CI=true"
        );
        eprintln!("skipped: apache2 or openssl is not installed");
        return;
    };
    let cases: usize = std::env::var("TLSLINT_APACHE_LIVE_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(40);
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path().display().to_string();
    let made = Command::new(openssl)
        .args([
            "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
        ])
        .args([
            "-subj",
            "/CN=a.test",
            "-addext",
            "subjectAltName=DNS:a.test,DNS:b.test",
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
    let mut rng = Rng(0x2545_f491_4f6c_dd1d);
    let mut checked = 0;
    for case in 0..cases {
        let port = common::free_port();
        let (main, first, second) = (
            protocol_line(&mut rng),
            protocol_line(&mut rng),
            protocol_line(&mut rng),
        );
        let user = if cfg!(unix) && std::env::var("USER").as_deref() == Ok("root") {
            "User nobody\nGroup nogroup\n"
        } else {
            ""
        };
        let conf = format!(
            "ServerRoot {d}\nServerName main.test\nPidFile {d}/httpd-{case}.pid\nDefaultRuntimeDir {d}\nErrorLog {d}/error-{case}.log\n{user}\
LoadModule mpm_event_module /usr/lib/apache2/modules/mod_mpm_event.so\n\
LoadModule authz_core_module /usr/lib/apache2/modules/mod_authz_core.so\n\
LoadModule socache_shmcb_module /usr/lib/apache2/modules/mod_socache_shmcb.so\n\
LoadModule ssl_module /usr/lib/apache2/modules/mod_ssl.so\n\
Listen 127.0.0.1:{port}\nSSLCipherSuite DEFAULT:@SECLEVEL=0\n{}\n\
<VirtualHost 127.0.0.1:{port}>\n    ServerName a.test\n    SSLEngine on\n    SSLCertificateFile {d}/cert.pem\n    SSLCertificateKeyFile {d}/key.pem\n    {}\n</VirtualHost>\n\
<VirtualHost 127.0.0.1:{port}>\n    ServerName b.test\n    SSLEngine on\n    SSLCertificateFile {d}/cert.pem\n    SSLCertificateKeyFile {d}/key.pem\n    {}\n</VirtualHost>\n",
            main.clone().unwrap_or_default(),
            first.clone().unwrap_or_default(),
            second.clone().unwrap_or_default(),
        );
        let path = dir.path().join(format!("apache-{case}.conf"));
        std::fs::write(&path, &conf).unwrap();
        // tlslint's view
        let tree = load(&RealFs, &path, &LoadOptions::default());
        assert!(tree.errors.is_empty(), "{:?}", tree.errors);
        let (eps, _) = tlslint::apache::resolve::resolve(&tree, &Target::default());
        assert_eq!(eps.len(), 2, "{conf}");
        // a word httpd refuses makes it refuse to start: both must agree
        let refused = eps.iter().any(|e| {
            e.protocols
                .value
                .iter()
                .any(|p| p.starts_with(['+', '-']) || p == "SSLv2")
        });
        let o = Command::new(httpd)
            .args(["-f"])
            .arg(&path)
            .args(["-k", "start"])
            .output()
            .unwrap();
        if !o.status.success() || !wait_listening(port) {
            let log = std::fs::read_to_string(dir.path().join(format!("error-{case}.log")))
                .unwrap_or_default();
            // an empty protocol list is refused too ("No SSL protocols available")
            let empty = eps.iter().any(|e| e.effective_protocols().value.is_empty());
            assert!(
                refused || empty,
                "case {case}: httpd did not start, tlslint expected it to:\n{}{log}\n{conf}",
                String::from_utf8_lossy(&o.stderr)
            );
            let _ = Command::new(httpd)
                .args(["-f"])
                .arg(&path)
                .args(["-k", "stop"])
                .output();
            continue;
        }
        let mut results = Vec::new();
        for (name, ep) in [("a.test", &eps[0]), ("b.test", &eps[1])] {
            let want: Vec<&str> = ep
                .effective_protocols()
                .value
                .iter()
                .map(String::as_str)
                .filter(|p| VERSIONS.iter().any(|(v, _)| v == p))
                .collect();
            let got: Vec<&str> = VERSIONS
                .iter()
                .filter(|(_, flag)| handshakes(openssl, port, name, flag))
                .map(|(v, _)| *v)
                .collect();
            results.push((name, want, got));
        }
        let _ = Command::new(httpd)
            .args(["-f"])
            .arg(&path)
            .args(["-k", "stop"])
            .output();
        // wait for the port to be released before the next case
        let start = Instant::now();
        while std::net::TcpStream::connect(("127.0.0.1", port)).is_ok()
            && start.elapsed() < Duration::from_secs(10)
        {
            std::thread::sleep(Duration::from_millis(50));
        }
        for (name, want, got) in results {
            assert_eq!(
                got, want,
                "case {case}: {name}: httpd negotiates {got:?}, tlslint resolves {want:?}\n{conf}"
            );
            checked += 1;
        }
    }
    assert!(checked >= cases, "only {checked} virtual hosts compared");
    eprintln!("{checked} virtual hosts: negotiated protocols equal the resolved ones");
}
