//! A tree of 20,000 servers sharing 1,000 distinct certificates (and 100
//! keys) reads each certificate and key file once; linting it again in the
//! same process reads nothing. The same for an Apache tree of 20,000
//! virtual hosts.

mod certgen;

use std::process::Command;
use std::time::Instant;

use tlslint::input::Root;
use tlslint::lint::{lint_root, LintOptions};
use tlslint::nginx::defaults::Target;
use tlslint::profile::Profile;

const SERVERS: usize = 20_000;
const CERTS: usize = 1_000;
const KEYS: usize = 100;

#[test]
fn twenty_thousand_servers_read_each_file_once() {
    if !certgen::require_openssl("the 20,000-server read-once test") {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    // one shell, many openssl runs: 100 keys, 1,000 self-signed certificates
    let script = format!(
        "set -e\nmkdir -p ssl\nfor k in $(seq 0 {}); do openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out ssl/k$k.key 2>/dev/null; done\n\
         for c in $(seq 0 {}); do openssl req -x509 -new -key ssl/k$((c % {KEYS})).key -subj /CN=s$c.example -addext subjectAltName=DNS:s$c.example -days 365 -out ssl/c$c.pem 2>/dev/null; done\n",
        KEYS - 1,
        CERTS - 1
    );
    let t = Instant::now();
    let o = Command::new("sh")
        .current_dir(d)
        .args(["-c", &script])
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    eprintln!(
        "generated {CERTS} certificates and {KEYS} keys in {:.1?}",
        t.elapsed()
    );
    let mut conf = String::from("events {}\nhttp {\n");
    for i in 0..SERVERS {
        let c = i % CERTS;
        conf.push_str(&format!(
            "  server {{ listen {} ssl; server_name s{c}.example; ssl_certificate ssl/c{c}.pem; ssl_certificate_key ssl/k{}.key; }}\n",
            10_000 + i % 50_000,
            c % KEYS
        ));
    }
    conf.push_str("}\n");
    let main = d.join("nginx.conf");
    std::fs::write(&main, conf).unwrap();
    let opts = LintOptions {
        target: Target::default(),
        profile: Profile::builtin("intermediate", None).unwrap().0,
        prefix: None,
        files: Default::default(),
        apache: Default::default(),
    };
    let cache = tlslint::certs::cache();
    let before = cache.reads();
    let t = Instant::now();
    let c = lint_root(&Root::File(main.clone()), &opts);
    let first = t.elapsed();
    assert_eq!(c.endpoints.len(), SERVERS);
    let reads = cache.reads() - before;
    eprintln!(
        "{SERVERS} servers, {CERTS} certificates, {KEYS} keys: {reads} file reads, lint {:.1?}",
        first
    );
    assert_eq!(
        reads,
        CERTS + KEYS,
        "each certificate and key file read once"
    );
    // the files were checked: self-signed certificates are not trusted, keys match
    assert!(c.findings.iter().any(|f| f.code == "TLS310"));
    assert!(!c
        .findings
        .iter()
        .any(|f| ["TLS301", "TLS302", "TLS308"].contains(&f.code)));
    // a second lint of the same files reads nothing
    let again = cache.reads();
    let _ = lint_root(&Root::File(main), &opts);
    assert_eq!(cache.reads(), again, "unchanged files are not read again");

    // the same for an Apache tree of 20,000 virtual hosts (a copy of the
    // files: the cache would otherwise have read them already)
    let cp = Command::new("cp")
        .args(["-r", "ssl", "ssl-apache"])
        .current_dir(d)
        .status()
        .unwrap();
    assert!(cp.success());
    let mut conf = String::from("Listen 443\n");
    for i in 0..SERVERS {
        let c = i % CERTS;
        conf.push_str(&format!(
            "<VirtualHost *:443>\n    ServerName s{c}.example\n    SSLEngine on\n    SSLCertificateFile ssl-apache/c{c}.pem\n    SSLCertificateKeyFile ssl-apache/k{}.key\n</VirtualHost>\n",
            c % KEYS
        ));
    }
    let main = d.join("apache2.conf");
    std::fs::write(&main, conf).unwrap();
    let root = Root::Apache(tlslint::input::ApacheRoot {
        main,
        server_root: None,
    });
    let before = cache.reads();
    let t = Instant::now();
    let c = lint_root(&root, &opts);
    assert_eq!(c.endpoints.len(), SERVERS);
    let reads = cache.reads() - before;
    eprintln!(
        "{SERVERS} Apache virtual hosts, {CERTS} certificates, {KEYS} keys: {reads} file reads, lint {:.1?}",
        t.elapsed()
    );
    assert_eq!(
        reads,
        CERTS + KEYS,
        "each certificate and key file read once"
    );
    assert!(c.findings.iter().any(|f| f.code == "TLS310"));
    assert!(!c
        .findings
        .iter()
        .any(|f| ["TLS301", "TLS302", "TLS308"].contains(&f.code)));
}
