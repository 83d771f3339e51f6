//! Oracle: which virtual host is the default (base) one of each address —
//! the one whose SSLProtocol decides on old httpd/OpenSSL (TLS103) and which
//! answers names no virtual host lists (TLS508) — is what httpd says.
//!
//! Random trees of virtual hosts over a handful of address forms (`*:443`,
//! `_default_:443`, `127.0.0.1:443`, `[::1]:443`, `*:8443`, several
//! addresses per host, TLS and plain) are read by `apache2 -t -D
//! DUMP_VHOSTS` and by tlslint's resolver: for every address httpd lists, the
//! default server (file:line) is the virtual host tlslint resolves as the
//! default of that socket. Without apache2 the test prints why it skips;
//! with CI=true it fails.

mod common;

use std::collections::BTreeMap;
use std::path::Path;
use std::process::Command;

use tlslint::apache::loader::{load, LoadOptions};
use tlslint::fsx::RealFs;
use tlslint::nginx::defaults::Target;

const ADDRS: &[&str] = &[
    "*:443",
    "_default_:443",
    "127.0.0.1:443",
    "[::1]:443",
    "*:8443",
    "127.0.0.1:8443",
    "0.0.0.0:443",
    "[::]:443",
    "*:80",
];

fn httpd() -> Option<&'static str> {
    ["/usr/sbin/apache2", "/usr/sbin/httpd"]
        .into_iter()
        .find(|p| Path::new(p).exists())
}

/// A small deterministic generator (xorshift), so failures reproduce.
struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}

/// httpd's DUMP_VHOSTS: address → line of its default virtual host.
fn httpd_defaults(text: &str) -> BTreeMap<String, u32> {
    let mut out = BTreeMap::new();
    let mut pending: Option<String> = None;
    let line_of = |s: &str| -> Option<u32> {
        let inner = s.rsplit_once(':')?.1.trim_end_matches(')');
        inner.parse().ok()
    };
    for l in text.lines() {
        if l.starts_with("VirtualHost configuration") {
            continue;
        }
        if !l.starts_with(' ') {
            let mut parts = l.split_whitespace();
            let Some(addr) = parts.next() else { continue };
            if l.contains("is a NameVirtualHost") {
                pending = Some(addr.to_string());
            } else if let Some(n) = line_of(l) {
                out.insert(addr.to_string(), n);
            }
        } else if let (Some(a), true) = (&pending, l.trim_start().starts_with("default server")) {
            if let Some(n) = line_of(l) {
                out.insert(a.clone(), n);
            }
            pending = None;
        }
    }
    out
}

#[test]
fn default_virtual_host_of_each_address_is_httpds() {
    let Some(httpd) = httpd() else {
        assert!(
            !common::ci(),
            "apache2 is not installed, and CI=true requires it"
        );
        eprintln!("skipped: apache2 is not installed");
        return;
    };
    let cases: usize = std::env::var("TLSLINT_APACHE_DEFAULT_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(150);
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
    let mut compared = 0;
    for case in 0..cases {
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path().display().to_string();
        let mut s = format!(
            "ServerRoot {d}\nServerName main.example\nPidFile {d}/pid\nDefaultRuntimeDir {d}\nErrorLog {d}/error.log\nLoadModule mpm_event_module /usr/lib/apache2/modules/mod_mpm_event.so\nLoadModule authz_core_module /usr/lib/apache2/modules/mod_authz_core.so\nLoadModule ssl_module /usr/lib/apache2/modules/mod_ssl.so\n"
        );
        let n = 1 + rng.below(7);
        for i in 0..n {
            let k = 1 + rng.below(2);
            let addrs: Vec<&str> = (0..k).map(|_| ADDRS[rng.below(ADDRS.len())]).collect();
            s.push_str(&format!("<VirtualHost {}>\n", addrs.join(" ")));
            s.push_str(&format!("    ServerName host{i}.example\n"));
            if rng.below(3) > 0 {
                // TLS or not does not change which virtual host is the default
                s.push_str("    SSLEngine on\n    SSLCertificateFile /nonexistent.pem\n");
            }
            s.push_str("</VirtualHost>\n");
        }
        let main = dir.path().join("apache2.conf");
        std::fs::write(&main, &s).unwrap();
        // httpd -t checks certificate files: compare on a copy without them
        // (same lines, so that file:line agree)
        let for_httpd = dir.path().join("httpd.conf");
        std::fs::write(
            &for_httpd,
            s.replace(
                "    SSLEngine on\n    SSLCertificateFile /nonexistent.pem\n",
                "    # SSLEngine on\n    # (no certificate for httpd -t)\n",
            ),
        )
        .unwrap();
        let o = Command::new(httpd)
            .args(["-t", "-D", "DUMP_VHOSTS", "-f"])
            .arg(&for_httpd)
            .output()
            .unwrap();
        assert!(
            o.status.success(),
            "case {case}: httpd rejects:\n{}\n{s}",
            String::from_utf8_lossy(&o.stderr)
        );
        let want = httpd_defaults(&String::from_utf8_lossy(&o.stdout));

        let tree = load(&RealFs, &main, &LoadOptions::default());
        assert!(tree.errors.is_empty(), "{:?}", tree.errors);
        let (eps, plain) = tlslint::apache::resolve::resolve(&tree, &Target::default());
        let mut got: BTreeMap<String, u32> = BTreeMap::new();
        for (span, default_for) in eps
            .iter()
            .map(|e| (e.span, &e.default_for))
            .chain(plain.iter().map(|p| (p.span, &p.default_for)))
        {
            for sock in default_for {
                got.insert(sock.clone(), span.line);
            }
        }
        // httpd names `_default_:443` and `*:443` alike (`*:443`)
        assert_eq!(
            got,
            want,
            "case {case}:\n{s}\nhttpd:\n{}",
            String::from_utf8_lossy(&o.stdout)
        );
        compared += want.len();
    }
    assert!(compared > cases, "{compared}");
    eprintln!("{cases} trees, {compared} addresses: the default virtual host agrees with httpd");
}
