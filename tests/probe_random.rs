//! A randomized differential test of `tlslint PATH --probe`: random TLS
//! configurations for the installed nginx and Apache httpd (protocol sets,
//! cipher strings in OpenSSL's language, TLS 1.3 suite lists, groups, RSA
//! and/or ECDSA certificates, DH parameters, cipher order, a second server
//! on the socket with other settings, HSTS or none) are started on
//! 127.0.0.1 and linted with `--probe`: the tree the server runs must give
//! no TLS601–TLS606 finding. A configuration the server refuses to start
//! with must give an error-level finding in tlslint's static check.
//!
//! `TLSLINT_PROBE_RANDOM_SEED` (default: from the clock; always printed)
//! and `TLSLINT_PROBE_RANDOM_CASES` (default 25 per server kind) repeat a
//! run; a failure prints the case's seed, its configuration, the findings
//! and `tlslint probe --format json` of every probed (socket, SNI).
//!
//! `SHOW_REFUSALS=1` prints why each refused configuration was refused and
//! tlslint's error-level codes for it.
//!
//! Without nginx, apache2 or openssl the tests print why they skip; with
//! CI=true they fail.
#![cfg(feature = "probe")]

mod certgen;
mod common;
mod probe_servers;

use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

use probe_servers::apache_bin;

// ------------------------------------------------------------------ random

/// xorshift64* (no dependency; the same seed gives the same cases).
struct Rng(u64);

impl Rng {
    fn new(seed: u64) -> Rng {
        Rng(seed.max(1))
    }
    fn next(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        self.0 = x;
        x.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
    /// true with probability `p` percent.
    fn pct(&mut self, p: u64) -> bool {
        self.next() % 100 < p
    }
    fn pick<'a, T>(&mut self, v: &'a [T]) -> &'a T {
        &v[self.below(v.len())]
    }
    /// A random subset in a random order (maybe empty).
    fn subset<T: Clone>(&mut self, v: &[T]) -> Vec<T> {
        let mut out: Vec<T> = v.iter().filter(|_| self.pct(50)).cloned().collect();
        for i in (1..out.len()).rev() {
            let j = self.below(i + 1);
            out.swap(i, j);
        }
        out
    }
}

fn master_seed() -> u64 {
    match std::env::var("TLSLINT_PROBE_RANDOM_SEED") {
        Ok(s) => s.trim().parse().expect("TLSLINT_PROBE_RANDOM_SEED: a u64"),
        Err(_) => std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_nanos() as u64)
            .unwrap_or(1),
    }
}

fn cases() -> usize {
    std::env::var("TLSLINT_PROBE_RANDOM_CASES")
        .ok()
        .and_then(|s| s.trim().parse().ok())
        .unwrap_or(25)
}

/// The versions either server knows by name.
const PROTOCOLS: [&str; 4] = ["TLSv1", "TLSv1.1", "TLSv1.2", "TLSv1.3"];

/// Cipher-string words: aliases, combinations, single suites.
const CIPHER_WORDS: &[&str] = &[
    "HIGH",
    "MEDIUM",
    "DEFAULT",
    "ALL",
    "COMPLEMENTOFDEFAULT",
    "aRSA",
    "aECDSA",
    "ECDHE",
    "EECDH",
    "kRSA",
    "RSA",
    "DHE",
    "EDH",
    "kEDH",
    "AESGCM",
    "AES",
    "AES128",
    "AES256",
    "CHACHA20",
    "CAMELLIA",
    "ARIA",
    "3DES",
    "SHA1",
    "SHA256",
    "SHA384",
    "ECDHE+AESGCM",
    "ECDHE+CHACHA20",
    "EECDH+AESGCM",
    "EDH+AESGCM",
    "kRSA+SHA1",
    "aRSA+SHA1",
    "ECDHE+SHA1",
    "DHE+AES256",
    "ECDHE-RSA-AES128-GCM-SHA256",
    "ECDHE-ECDSA-AES256-GCM-SHA384",
    "ECDHE-ECDSA-CHACHA20-POLY1305",
    "ECDHE-RSA-AES128-SHA",
    "ECDHE-ECDSA-AES128-SHA",
    "DHE-RSA-AES128-SHA",
    "DHE-RSA-AES256-GCM-SHA384",
    "AES128-SHA",
    "AES256-SHA256",
    "AES128-GCM-SHA256",
    "DES-CBC3-SHA",
];

/// Words that are mostly subtracted.
const CIPHER_NEGATIVES: &[&str] = &[
    "aNULL", "eNULL", "MD5", "3DES", "SHA1", "kRSA", "DHE", "RC4", "CAMELLIA", "aECDSA", "aRSA",
    "CBC",
];

fn cipher_string(r: &mut Rng) -> String {
    let mut parts: Vec<String> = Vec::new();
    let n = 1 + r.below(4);
    for _ in 0..n {
        parts.push(r.pick(CIPHER_WORDS).to_string());
    }
    for _ in 0..r.below(3) {
        let w = r.pick(CIPHER_NEGATIVES);
        let op = *r.pick(&["!", "!", "-", "+"]);
        parts.push(format!("{op}{w}"));
    }
    if r.pct(15) {
        parts.push("@STRENGTH".into());
    }
    // legacy now and then: TLS 1.0/1.1 (and SHA-1 signatures) need level 0
    match r.below(10) {
        0..=3 => parts.push("@SECLEVEL=0".into()),
        4 => parts.push("@SECLEVEL=1".into()),
        5 => parts.push("@SECLEVEL=2".into()),
        _ => {}
    }
    parts.join(":")
}

const TLS13: [&str; 5] = [
    "TLS_AES_128_GCM_SHA256",
    "TLS_AES_256_GCM_SHA384",
    "TLS_CHACHA20_POLY1305_SHA256",
    "TLS_AES_128_CCM_SHA256",
    "TLS_AES_128_CCM_8_SHA256",
];

const GROUPS: [&str; 5] = [
    "X25519",
    "prime256v1",
    "secp384r1",
    "secp521r1",
    "ffdhe2048",
];

/// The certificate pairs one server presents (one or both key types).
fn cert_pairs(r: &mut Rng, second: bool) -> Vec<(&'static str, &'static str)> {
    let (rsa, ec) = if second {
        (("other.pem", "other.key"), ("ec-other.pem", "ec-other.key"))
    } else {
        (("cert.pem", "key.pem"), ("ec.pem", "ec.key"))
    };
    match r.below(4) {
        0 | 1 => vec![rsa],
        2 => vec![ec],
        _ => {
            if r.pct(50) {
                vec![rsa, ec]
            } else {
                vec![ec, rsa]
            }
        }
    }
}

/// The settings of one server / virtual host (None: not written).
#[derive(Debug, Default)]
struct Settings {
    protocols: Option<String>,
    ciphers: Option<String>,
    tls13: Option<String>,
    groups: Option<String>,
    dhparam: Option<&'static str>,
    order: Option<bool>,
    hsts: Option<String>,
    certs: Vec<(&'static str, &'static str)>,
}

fn nginx_protocols(r: &mut Rng) -> String {
    let mut p: Vec<&str> = PROTOCOLS.iter().copied().filter(|_| r.pct(50)).collect();
    if p.is_empty() {
        p.push(*r.pick(&PROTOCOLS));
    }
    p.join(" ")
}

/// `SSLProtocol` words: `all`, `-all`, `+X`, `-X`, `X`.
fn apache_protocols(r: &mut Rng) -> String {
    let mut words: Vec<String> = Vec::new();
    match r.below(4) {
        0 => words.push("all".into()),
        1 => words.push("-all".into()),
        2 => words.push(r.pick(&PROTOCOLS).to_string()),
        _ => {}
    }
    for _ in 0..1 + r.below(3) {
        let op = *r.pick(&["+", "+", "-"]);
        words.push(format!("{op}{}", r.pick(&PROTOCOLS)));
    }
    words.join(" ")
}

fn settings(r: &mut Rng, apache: bool, second: bool) -> Settings {
    let mut s = Settings {
        certs: cert_pairs(r, second),
        ..Settings::default()
    };
    if r.pct(85) {
        s.protocols = Some(if apache {
            apache_protocols(r)
        } else {
            nginx_protocols(r)
        });
    }
    if r.pct(85) {
        s.ciphers = Some(cipher_string(r));
    }
    if r.pct(40) {
        let mut l = r.subset(&TLS13);
        if l.is_empty() {
            l.push(*r.pick(&TLS13));
        }
        s.tls13 = Some(l.join(":"));
    }
    if r.pct(50) {
        let mut l = r.subset(&GROUPS);
        if l.is_empty() {
            l.push(*r.pick(&GROUPS));
        }
        s.groups = Some(l.join(":"));
    }
    if !apache && r.pct(40) {
        s.dhparam = Some(*r.pick(&["dh2048.pem", "dh1024.pem"]));
    }
    if r.pct(50) {
        s.order = Some(r.pct(50));
    }
    if r.pct(70) {
        let age = *r.pick(&["63072000", "31536000", "600", "0"]);
        let sub = if r.pct(30) { "; includeSubDomains" } else { "" };
        s.hsts = Some(format!("max-age={age}{sub}"));
    }
    s
}

/// A quoted or bare nginx argument.
fn nginx_arg(r: &mut Rng, v: &str) -> String {
    if r.pct(30) {
        format!("\"{v}\"")
    } else {
        v.to_string()
    }
}

/// One nginx case: the http-level directives and server blocks.
fn nginx_case(r: &mut Rng) -> String {
    let mut out = String::new();
    // http-level settings the servers inherit (and may override)
    if r.pct(30) {
        let p = nginx_protocols(r);
        out.push_str(&format!("  ssl_protocols {p};\n"));
    }
    if r.pct(30) {
        let c = cipher_string(r);
        let c = nginx_arg(r, &c);
        out.push_str(&format!("  ssl_ciphers {c};\n"));
    }
    let two = r.pct(35);
    let names = if two {
        vec!["localhost", "default.test"]
    } else {
        vec!["localhost"]
    };
    for (i, name) in names.iter().enumerate() {
        let s = settings(r, false, i == 1);
        let mut b =
            format!("  server {{\n    listen 127.0.0.1:{{port}} ssl;\n    server_name {name};\n");
        for (c, k) in &s.certs {
            b.push_str(&format!(
                "    ssl_certificate {{dir}}/{c};\n    ssl_certificate_key {{dir}}/{k};\n"
            ));
        }
        if let Some(p) = &s.protocols {
            b.push_str(&format!("    ssl_protocols {p};\n"));
        }
        if let Some(c) = &s.ciphers {
            let c = nginx_arg(r, c);
            b.push_str(&format!("    ssl_ciphers {c};\n"));
        }
        if let Some(t) = &s.tls13 {
            b.push_str(&format!("    ssl_conf_command Ciphersuites {t};\n"));
        }
        if let Some(g) = &s.groups {
            b.push_str(&format!("    ssl_ecdh_curve {g};\n"));
        }
        if let Some(d) = s.dhparam {
            b.push_str(&format!("    ssl_dhparam {{dir}}/{d};\n"));
        }
        if let Some(o) = s.order {
            let o = if o { "on" } else { "off" };
            b.push_str(&format!("    ssl_prefer_server_ciphers {o};\n"));
        }
        if let Some(h) = &s.hsts {
            b.push_str(&format!(
                "    add_header Strict-Transport-Security \"{h}\" always;\n"
            ));
        }
        b.push_str(&format!(
            "    location / {{ return 200 \"{name}\\n\"; }}\n  }}\n"
        ));
        out.push_str(&b);
    }
    out
}

/// One Apache case: main-server directives and virtual hosts.
fn apache_case(r: &mut Rng) -> String {
    let mut out = String::new();
    if r.pct(30) {
        let p = apache_protocols(r);
        out.push_str(&format!("SSLProtocol {p}\n"));
    }
    if r.pct(30) {
        let c = cipher_string(r);
        out.push_str(&format!("SSLCipherSuite {c}\n"));
    }
    let two = r.pct(35);
    let names = if two {
        vec!["localhost", "default.test"]
    } else {
        vec!["localhost"]
    };
    for (i, name) in names.iter().enumerate() {
        let s = settings(r, true, i == 1);
        let mut b =
            format!("<VirtualHost 127.0.0.1:{{port}}>\n    ServerName {name}\n    SSLEngine on\n");
        for (c, k) in &s.certs {
            b.push_str(&format!(
                "    SSLCertificateFile {{dir}}/{c}\n    SSLCertificateKeyFile {{dir}}/{k}\n"
            ));
        }
        if let Some(p) = &s.protocols {
            b.push_str(&format!("    SSLProtocol {p}\n"));
        }
        if let Some(c) = &s.ciphers {
            b.push_str(&format!("    SSLCipherSuite {c}\n"));
        }
        if let Some(t) = &s.tls13 {
            b.push_str(&format!("    SSLCipherSuite TLSv1.3 {t}\n"));
        }
        if let Some(g) = &s.groups {
            b.push_str(&format!("    SSLOpenSSLConfCmd Curves {g}\n"));
        }
        if let Some(o) = s.order {
            let o = if o { "on" } else { "off" };
            b.push_str(&format!("    SSLHonorCipherOrder {o}\n"));
        }
        if let Some(h) = &s.hsts {
            b.push_str(&format!(
                "    Header always set Strict-Transport-Security \"{h}\"\n"
            ));
        }
        b.push_str("</VirtualHost>\n");
        out.push_str(&b);
    }
    out
}

// ------------------------------------------------------------------ tlslint

/// `openssl version` → `3.0.22`.
fn openssl_version() -> Option<String> {
    let v = certgen::openssl_version()?;
    v.split_whitespace().nth(1).map(|s| {
        s.chars()
            .take_while(|c| c.is_ascii_digit() || *c == '.')
            .collect()
    })
}

/// `BIN -v` → the version after `marker` (`nginx/`, `Apache/`).
fn server_version(bin: &Path, marker: &str) -> Option<String> {
    let o = Command::new(bin).arg("-v").output().ok()?;
    let s = format!(
        "{}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    );
    s.split(marker)
        .nth(1)
        .map(|v| v.split_whitespace().next().unwrap_or("").to_string())
}

/// `tlslint CONF [--probe] --format json --no-config VERSIONS`.
fn lint(conf: &Path, versions: &[String], probe: bool) -> (serde_json::Value, String) {
    let mut c = Command::new(common::tlslint());
    c.arg(conf);
    if probe {
        c.args(["--probe", "--probe-timeout", "3"]);
    }
    c.args(["--format", "json", "--no-config"]).args(versions);
    let o = common::run(&mut c, Duration::from_secs(120)).expect("tlslint finishes");
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap_or_else(|e| {
        panic!(
            "{}: {e}: {}{}",
            conf.display(),
            String::from_utf8_lossy(&o.stdout),
            o.stderr
        )
    });
    (v, o.stderr)
}

/// `code line: message` of the findings whose code passes `keep`.
fn findings(v: &serde_json::Value, keep: impl Fn(&str, &str) -> bool) -> Vec<String> {
    v["findings"]
        .as_array()
        .map(|a| {
            a.iter()
                .filter(|f| {
                    keep(
                        f["code"].as_str().unwrap_or(""),
                        f["severity"].as_str().unwrap_or(""),
                    )
                })
                .map(|f| {
                    format!(
                        "{} line {}: {}",
                        f["code"].as_str().unwrap_or("?"),
                        f["line"],
                        f["message"].as_str().unwrap_or("")
                    )
                })
                .collect()
        })
        .unwrap_or_default()
}

/// `tlslint probe` of every (socket, SNI) `--probe` probed, as evidence.
fn probe_evidence(v: &serde_json::Value) -> String {
    let mut out = String::new();
    for p in v["probes"].as_array().into_iter().flatten() {
        let target = p["target"].as_str().unwrap_or("");
        let mut args = vec![target.to_string()];
        if let Some(sni) = p["sni"].as_str() {
            args.push("--sni".into());
            args.push(sni.into());
        }
        let a: Vec<&str> = args.iter().map(String::as_str).collect();
        let (_, j, _) = probe_servers::probe_json(&a);
        let keep = serde_json::json!({
            "versions": j["versions"],
            "groups": j["groups"],
            "groups_method": j["groups_method"],
            "dh_bits": j["dh_bits"],
            "certificate_chain": j["certificate_chain"],
            "hsts": j["hsts"],
            "http_status": j["http_status"],
            "error": j["error"],
            "handshake_error": j["handshake_error"],
            "notes": j["notes"],
        });
        out.push_str(&format!(
            "tlslint probe {}:\n{}\n",
            args.join(" "),
            serde_json::to_string_pretty(&keep).unwrap_or_default()
        ));
    }
    out
}

/// Start again (on another free port) when the port was taken between
/// `free_port` and the server's bind: the other test runs at the same time.
fn retry_bind<T>(mut start: impl FnMut() -> Result<T, String>) -> Result<T, String> {
    let mut last = String::new();
    for _ in 0..3 {
        match start() {
            Ok(s) => return Ok(s),
            Err(e) if e.contains("Address already in use") => last = e,
            Err(e) => return Err(e),
        }
    }
    Err(last)
}

/// Counts and failures of one server kind.
#[derive(Default)]
struct Tally {
    run: usize,
    started: usize,
    refused: usize,
    /// Started, but the configuration leaves some probe no handshake
    /// (TLS604 with the model's own diagnosis).
    no_handshake: usize,
    /// Why each refused configuration was refused (the server's first
    /// error line) and tlslint's error-level findings for it.
    refusals: Vec<String>,
    /// Refusals tlslint's static check does not explain yet (listed in
    /// [`KNOWN_STATIC_GAPS`]).
    known_gaps: usize,
    failures: Vec<String>,
}

/// Server refusals the static check does not report at error level yet
/// (found by this test; the probe side is unaffected, as no server runs).
/// Both found so far are now reported (Apache AH02231 by TLS907, nginx "dh
/// key too small" by TLS208); the list stays for the next one.
const KNOWN_STATIC_GAPS: &[&str] = &[];

/// Why a server did not start must be an error-level static finding (or a
/// configuration error): returns a failure text otherwise.
fn check_refused(
    conf: &Path,
    versions: &[String],
    why: &str,
    text: &str,
    t: &mut Tally,
) -> Option<String> {
    let (v, stderr) = lint(conf, versions, false);
    let errors = findings(&v, |_, sev| sev == "error");
    let parse_errors = v["errors"].as_array().map(|a| a.len()).unwrap_or(0);
    let server_line = why
        .lines()
        .find(|l| l.contains("[emerg]") || l.contains(":error]") || l.contains(":emerg]"))
        .unwrap_or("?");
    let codes: Vec<&str> = errors
        .iter()
        .map(|e| e.split_whitespace().next().unwrap_or(""))
        .collect();
    t.refusals.push(format!(
        "{} <- tlslint {}{}",
        server_line
            .chars()
            .skip_while(|c| *c != ']')
            .take(160)
            .collect::<String>(),
        codes.join(","),
        if parse_errors > 0 {
            " (+ tree errors)"
        } else {
            ""
        }
    ));
    // the error-level codes that explain the server's refusal
    let explains: &[&str] =
        if server_line.contains("no cipher match") || server_line.contains("AH01898") {
            &["TLS202", "TLS203", "TLS907"]
        } else if server_line.contains("dh key too small") {
            &["TLS208"]
        } else if server_line.contains("AH02231") {
            &["TLS102", "TLS907"]
        } else {
            &[
                "TLS202", "TLS203", "TLS207", "TLS208", "TLS907", "TLS102", "TLS301", "TLS302",
            ]
        };
    let explained = parse_errors > 0 || codes.iter().any(|c| explains.contains(c));
    if !explained {
        if let Some(gap) = KNOWN_STATIC_GAPS.iter().find(|g| server_line.contains(*g)) {
            t.known_gaps += 1;
            common::say(&format!(
                "probe_random: refused, not explained by tlslint (known gap {gap:?}): {server_line}\n{text}"
            ));
            return None;
        }
        return Some(format!(
            "the server refused the configuration, tlslint reports no error-level finding that explains it ({explains:?}):\n--- server:\n{why}\n--- config:\n{text}\n--- findings:\n{:#?}\n{stderr}",
            findings(&v, |_, _| true)
        ));
    }
    None
}

fn summary(kind: &str, seed: u64, t: &Tally) {
    common::say(&format!(
        "probe_random {kind}: seed {seed}: {} cases, {} started ({} with a probe the configuration leaves no handshake), {} refused ({} of them a known static gap), {} failed",
        t.run,
        t.started,
        t.no_handshake,
        t.refused,
        t.known_gaps,
        t.failures.len()
    ));
    if std::env::var_os("SHOW_REFUSALS").is_some() {
        for r in &t.refusals {
            common::say(&format!("  refused: {r}"));
        }
    }
}

/// At least this share of the cases must start (the test compares servers).
fn enough_started(t: &Tally) -> bool {
    t.started * 2 >= t.run
}

// ------------------------------------------------------------------ setup

/// As `probe_servers::make_pki`, plus ECDSA pairs (P-256 for localhost,
/// P-384 for default.test); every leaf valid until 2099.
fn pki(dir: &Path) {
    certgen::setup(
        dir,
        "key ca.key rsa:2048\n\
         cert ca.pem key=ca.key ca cn=\"Probe Test CA\"\n\
         key key.pem rsa:2048\n\
         cert cert.pem key=key.pem issuer=ca.pem cn=localhost san=DNS:localhost from=2020-01-01 to=2099-12-31\n\
         key other.key rsa:2048\n\
         cert other.pem key=other.key issuer=ca.pem cn=default.test san=DNS:default.test from=2020-01-01 to=2099-12-31\n\
         key ec.key ec:P-256\n\
         cert ec.pem key=ec.key issuer=ca.pem cn=localhost san=DNS:localhost from=2020-01-01 to=2099-12-31\n\
         key ec-other.key ec:P-384\n\
         cert ec-other.pem key=ec-other.key issuer=ca.pem cn=default.test san=DNS:default.test from=2020-01-01 to=2099-12-31\n\
         dh dh1024.pem dsa:1024\n\
         dh dh2048.pem ffdhe2048\n",
    );
}

#[test]
fn nginx_random_configs_probe_clean() {
    let what = "--probe against random nginx configurations";
    let Some(nginx) = probe_servers::nginx_bin(what) else {
        return;
    };
    if !certgen::require_openssl(what) {
        return;
    }
    let (Some(nv), Some(ov)) = (server_version(&nginx, "nginx/"), openssl_version()) else {
        common::skip_or_fail(what, "no nginx or openssl version");
        return;
    };
    let versions = vec![
        "--nginx-version".to_string(),
        nv,
        "--openssl-version".to_string(),
        ov,
    ];
    let seed = master_seed();
    common::say(&format!(
        "probe_random nginx: seed {seed} (TLSLINT_PROBE_RANDOM_SEED={seed} repeats the run)"
    ));
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    pki(dir);
    let d = dir.display().to_string();
    let mut master = Rng::new(seed);
    let mut t = Tally::default();
    let begin = Instant::now();
    for i in 0..cases() {
        let case_seed = master.next();
        let mut r = Rng::new(case_seed);
        let blocks = nginx_case(&mut r).replace("{dir}", &d);
        let name = format!("case{i}");
        t.run += 1;
        let conf = dir.join(&name).join("nginx.conf");
        let server = match retry_bind(|| probe_servers::try_nginx(&nginx, dir, &name, &blocks)) {
            Ok(s) => s,
            Err(why) => {
                t.refused += 1;
                let text = std::fs::read_to_string(&conf).unwrap_or_default();
                if let Some(f) = check_refused(&conf, &versions, &why, &text, &mut t) {
                    t.failures.push(format!(
                        "case {i} (seed {seed}, case seed {case_seed}): {f}"
                    ));
                }
                continue;
            }
        };
        t.started += 1;
        compare(&conf, &versions, i, seed, case_seed, &mut t);
        drop(server);
    }
    common::say(&format!("probe_random nginx: {:?}", begin.elapsed()));
    summary("nginx", seed, &t);
    assert!(
        t.failures.is_empty(),
        "seed {seed}:\n{}",
        t.failures.join("\n\n")
    );
    assert!(
        enough_started(&t),
        "seed {seed}: only {} of {} nginx configurations started",
        t.started,
        t.run
    );
}

#[test]
fn apache_random_configs_probe_clean() {
    let what = "--probe against random Apache configurations";
    let Some(bin) = apache_bin(what) else {
        return;
    };
    if !certgen::require_openssl(what) {
        return;
    }
    let (Some(av), Some(ov)) = (server_version(&bin, "Apache/"), openssl_version()) else {
        common::skip_or_fail(what, "no apache2 or openssl version");
        return;
    };
    let versions = vec![
        "--apache-version".to_string(),
        av,
        "--openssl-version".to_string(),
        ov,
    ];
    let seed = master_seed();
    common::say(&format!(
        "probe_random Apache: seed {seed} (TLSLINT_PROBE_RANDOM_SEED={seed} repeats the run)"
    ));
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    pki(dir);
    let d = dir.display().to_string();
    let mut master = Rng::new(seed ^ 0xA9AC_4E00);
    let mut t = Tally::default();
    let begin = Instant::now();
    for i in 0..cases() {
        let case_seed = master.next();
        let mut r = Rng::new(case_seed);
        let vhosts = apache_case(&mut r).replace("{dir}", &d);
        let name = format!("case{i}");
        t.run += 1;
        let conf = dir.join(format!("{name}.conf"));
        let server = match retry_bind(|| probe_servers::try_httpd(&bin, dir, &name, &vhosts)) {
            Ok(s) => s,
            Err(why) => {
                t.refused += 1;
                let text = std::fs::read_to_string(&conf).unwrap_or_default();
                if let Some(f) = check_refused(&conf, &versions, &why, &text, &mut t) {
                    t.failures.push(format!(
                        "case {i} (seed {seed}, case seed {case_seed}): {f}"
                    ));
                }
                continue;
            }
        };
        t.started += 1;
        compare(&conf, &versions, i, seed, case_seed, &mut t);
        drop(server);
    }
    common::say(&format!("probe_random Apache: {:?}", begin.elapsed()));
    summary("Apache", seed, &t);
    assert!(
        t.failures.is_empty(),
        "seed {seed}:\n{}",
        t.failures.join("\n\n")
    );
    assert!(
        enough_started(&t),
        "seed {seed}: only {} of {} Apache configurations started",
        t.started,
        t.run
    );
}

/// Lint the running tree with `--probe`: no TLS6xx finding, or a failure
/// with everything needed to tell which side is wrong.
fn compare(conf: &Path, versions: &[String], i: usize, seed: u64, case_seed: u64, t: &mut Tally) {
    let (v, stderr) = lint(conf, versions, true);
    let text = std::fs::read_to_string(conf).unwrap_or_default();
    let probes = v["probes"].as_array().map(|a| a.len()).unwrap_or(0);
    let errs = v["errors"].as_array().map(|a| a.len()).unwrap_or(0);
    let all = findings(&v, |c, _| c.starts_with("TLS6"));
    // no handshake at all where the configuration itself leaves none (the
    // diagnosis comes from the model): the model and the wire agree
    let predicted = |f: &String| {
        f.starts_with("TLS604")
            && (f.contains("no shared cipher: the cipher string leaves no suite")
                || f.contains("no shared protocol, as the configuration says"))
    };
    if all.iter().any(predicted) {
        t.no_handshake += 1;
    }
    let got: Vec<String> = all.into_iter().filter(|f| !predicted(f)).collect();
    if got.is_empty() && probes > 0 && errs == 0 {
        return;
    }
    let evidence = probe_evidence(&v);
    t.failures.push(format!(
        "case {i} (seed {seed}, case seed {case_seed}): {} probe(s), errors {}, TLS6xx findings:\n{}\n--- config {}:\n{text}\n--- stderr:\n{stderr}\n--- evidence:\n{evidence}",
        probes,
        v["errors"],
        got.join("\n"),
        conf.display()
    ));
}
