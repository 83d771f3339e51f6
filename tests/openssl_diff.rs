//! Differential tests: tlslint's cipher-string engine against the machine's
//! OpenSSL (`openssl ciphers -ciphersuites '' STRING`), same output, same
//! order, same success or failure and reason.
//!
//! `TLSLINT_CIPHER_DIFF_COUNT` sets how many random strings (default 3,000;
//! .ci/run uses 100,000), `TLSLINT_CIPHER_DIFF_SEED` the seed.

mod openssl_oracle;

use std::path::Path;
use std::process::Command;

use openssl_oracle::{sample_size, seed, Answer, Kind, Oracle, Rng};
use tlslint::openssl::{all_suites, expand, names, parse_ciphersuites};
use tlslint::version::Version;

/// The keywords of `openssl-ciphers(1)` across versions, typed in from the
/// documentation (not from tlslint's tables), plus near misses.
const KEYWORDS: &[&str] = &[
    "DEFAULT",
    "COMPLEMENTOFDEFAULT",
    "ALL",
    "COMPLEMENTOFALL",
    "HIGH",
    "MEDIUM",
    "LOW",
    "EXP",
    "EXPORT",
    "EXPORT40",
    "EXPORT56",
    "eNULL",
    "NULL",
    "aNULL",
    "kRSA",
    "aRSA",
    "RSA",
    "kDHr",
    "kDHd",
    "kDH",
    "kDHE",
    "kEDH",
    "DH",
    "DHE",
    "EDH",
    "ADH",
    "kEECDH",
    "kECDHE",
    "ECDH",
    "ECDHE",
    "EECDH",
    "AECDH",
    "aDSS",
    "DSS",
    "aDH",
    "aECDSA",
    "ECDSA",
    "TLSv1.2",
    "TLSv1.0",
    "TLSv1",
    "SSLv3",
    "SSLv2",
    "TLSv1.1",
    "TLSv1.3",
    "DTLSv1",
    "DTLSv1.2",
    "AES128",
    "AES256",
    "AES",
    "AESGCM",
    "AESCCM",
    "AESCCM8",
    "ARIA128",
    "ARIA256",
    "ARIA",
    "ARIAGCM",
    "CAMELLIA128",
    "CAMELLIA256",
    "CAMELLIA",
    "CHACHA20",
    "3DES",
    "DES",
    "RC4",
    "RC2",
    "IDEA",
    "SEED",
    "MD5",
    "SHA1",
    "SHA",
    "SHA256",
    "SHA384",
    "aGOST",
    "aGOST01",
    "aGOST12",
    "kGOST",
    "kGOST18",
    "GOST94",
    "GOST89MAC",
    "GOST12",
    "GOST",
    "PSK",
    "kPSK",
    "kECDHEPSK",
    "kDHEPSK",
    "kRSAPSK",
    "aPSK",
    "SRP",
    "kSRP",
    "aSRP",
    "SUITEB128",
    "SUITEB128ONLY",
    "SUITEB192",
    "SUITEB128C2",
    "FIPS",
    "CBC",
    "AEAD",
    "CHACHA",
    "ECDHEPSK",
    "RSAPSK",
    "KRB5",
    "aECDH",
    "kECDH",
    "MAGMA",
    "KUZNYECHIK",
    "EDH-RSA-DES-CBC3-SHA",
    "EDH-DSS-DES-CBC3-SHA",
];

const COMMANDS: &[&str] = &[
    "@STRENGTH",
    "@SECLEVEL=0",
    "@SECLEVEL=1",
    "@SECLEVEL=2",
    "@SECLEVEL=3",
    "@SECLEVEL=5",
    "@SECLEVEL=6",
    "@SECLEVEL=9",
    "@SECLEVEL=x",
    "@SECLEVEL=",
    "@SECLEVEL=10",
    "@STRENGTH+AES",
    "@FOO",
    "@",
];

fn typo(rng: &mut Rng, w: &str) -> String {
    let mut b: Vec<u8> = w.bytes().collect();
    if b.is_empty() {
        return String::new();
    }
    let i = rng.below(b.len());
    match rng.below(5) {
        0 => {
            b.remove(i);
        }
        1 => b.insert(i, *rng.pick(b"ABCXYZaez019-_.=")),
        2 => b[i] = b[i].to_ascii_lowercase(),
        3 if i + 1 < b.len() => b.swap(i, i + 1),
        _ => b[i] = *rng.pick(b"ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"),
    }
    String::from_utf8_lossy(&b).into_owned()
}

fn word(rng: &mut Rng) -> String {
    let suites = all_suites();
    match rng.below(20) {
        0..=7 => rng.pick(KEYWORDS).to_string(),
        8..=12 => rng.pick(suites).openssl_name.to_string(),
        13 => rng.pick(suites).iana_name.to_string(),
        14..=16 => {
            let base = if rng.chance(50) {
                rng.pick(KEYWORDS).to_string()
            } else {
                rng.pick(suites).openssl_name.to_string()
            };
            typo(rng, &base)
        }
        17 => {
            let n = 1 + rng.below(8);
            (0..n)
                .map(|_| *rng.pick(b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefxyz0123456789-_.=") as char)
                .collect()
        }
        18 if rng.chance(30) => rng.pick(COMMANDS).to_string(),
        18 => rng
            .pick_str(&["@STRENGTH", "@SECLEVEL=1", "@SECLEVEL=0"])
            .to_string(),
        _ => rng
            .pick_str(&["", "+", "TLS_AES_128_GCM_SHA256", "aes", "Default"])
            .to_string(),
    }
}

fn item(rng: &mut Rng) -> String {
    let mut s = String::new();
    if rng.chance(3) {
        s.push('@');
    } else {
        s.push_str(rng.pick_str(&["", "", "", "", "", "", "!", "!", "-", "-", "+"]));
    }
    let parts = if rng.chance(30) { 2 + rng.below(3) } else { 1 };
    for i in 0..parts {
        if i > 0 {
            s.push('+');
        }
        s.push_str(&word(rng));
    }
    if rng.chance(1) {
        s.push_str(rng.pick_str(&["+", "|", "*", "(", "\t", "é", "!", "~"]));
    }
    s
}

/// A random cipher string: items, operators, `+` combinations, commands,
/// mixed separators, typos, odd bytes, DEFAULT/SUITEB prefixes.
fn cipher_string(rng: &mut Rng) -> String {
    let mut s = String::new();
    match rng.below(12) {
        0 => s.push_str("DEFAULT"),
        1 => s.push_str("DEFAULT:"),
        2 => s.push_str(rng.pick_str(&["SUITEB128", "SUITEB192", "SUITEB128ONLY", "SUITEB128C2:"])),
        _ => {}
    }
    let n = if rng.chance(4) { 0 } else { 1 + rng.below(6) };
    for i in 0..n {
        if i > 0 || (!s.is_empty() && rng.chance(50)) {
            let sep = if rng.chance(70) {
                ":"
            } else {
                rng.pick_str(&[",", " ", ";", "::", ": ", ", ", ":,"])
            };
            s.push_str(sep);
        }
        s.push_str(&item(rng));
    }
    if rng.chance(2) {
        s.push_str(rng.pick_str(&[":", " ", "-", "!", "@", "+"]));
    }
    s
}

fn mine(s: &str, v: &Version) -> Answer {
    match expand(s, v) {
        Ok(e) => Ok(e
            .suites
            .iter()
            .map(|s| s.openssl_name.to_string())
            .collect()),
        Err(e) => Err(e.reason),
    }
}

/// Compare every string; panic with the first few differences.
fn compare(oracle: &mut Oracle, strings: &[String], what: &str) {
    let want = oracle.ask_all(Kind::Cipher, strings);
    let v = oracle.version;
    let mut bad = Vec::new();
    for (s, w) in strings.iter().zip(&want) {
        let got = mine(s, &v);
        if &got != w {
            bad.push(format!(
                "  {s:?}\n    openssl: {}\n    tlslint: {}",
                show(w),
                show(&got)
            ));
        }
    }
    assert!(
        bad.is_empty(),
        "{what}: {} of {} cipher strings differ from {} (first ones):\n{}",
        bad.len(),
        strings.len(),
        oracle.version_text,
        bad.iter().take(8).cloned().collect::<Vec<_>>().join("\n")
    );
    eprintln!(
        "{what}: {} cipher strings identical to {}",
        strings.len(),
        oracle.version_text
    );
}

fn show(a: &Answer) -> String {
    match a {
        Ok(n) => {
            let j = n.join(":");
            if j.len() > 400 {
                format!("{}... ({} suites)", &j[..400], n.len())
            } else {
                j
            }
        }
        Err(r) => format!("ERROR {r}"),
    }
}

#[test]
fn random_cipher_strings_match_openssl() {
    let Some(mut oracle) = Oracle::start() else {
        return;
    };
    let mut rng = Rng::new(seed());
    let n = sample_size(3000);
    let strings: Vec<String> = (0..n).map(|_| cipher_string(&mut rng)).collect();
    let mut ok = 0;
    let mut invalid = 0;
    for s in &strings {
        match mine(s, &oracle.version) {
            Ok(_) => ok += 1,
            Err(r) if r == "invalid command" => invalid += 1,
            Err(_) => {}
        }
    }
    eprintln!(
        "random strings: {ok} of {n} accepted, {invalid} invalid, {} select nothing",
        n - ok - invalid
    );
    compare(&mut oracle, &strings, "random");
}

#[test]
fn every_word_alone_and_negated_matches_openssl() {
    let Some(mut oracle) = Oracle::start() else {
        return;
    };
    let mut strings = Vec::new();
    let words: Vec<String> = KEYWORDS
        .iter()
        .map(|s| s.to_string())
        .chain(COMMANDS.iter().map(|s| s.to_string()))
        .chain(all_suites().iter().map(|s| s.openssl_name.to_string()))
        .chain(all_suites().iter().map(|s| s.iana_name.to_string()))
        .collect();
    for w in &words {
        strings.push(w.clone());
        strings.push(format!("ALL:!{w}"));
        strings.push(format!("ALL:-{w}:{w}"));
        strings.push(format!("ALL:+{w}"));
        strings.push(format!("{w}+HIGH"));
        strings.push(format!("DEFAULT:{w}"));
    }
    compare(&mut oracle, &strings, "single words");
}

/// Cipher strings people really use.
fn real_world_strings() -> Vec<String> {
    let mut out = vec![
        // nginx's default (NGX_DEFAULT_CIPHERS) and Apache's (SSLCipherSuite default)
        "HIGH:!aNULL:!MD5".to_string(),
        "DEFAULT".to_string(),
        "PROFILE=SYSTEM".to_string(),
        "ECDHE+AESGCM:ECDHE+CHACHA20:DHE+AESGCM:!aNULL".to_string(),
        "EECDH+AESGCM:EDH+AESGCM".to_string(),
        "EECDH+AESGCM:EDH+AESGCM:AES256+EECDH:AES256+EDH".to_string(),
        "ALL:!ADH:!EXPORT:!SSLv2:RC4+RSA:+HIGH:+MEDIUM:+LOW".to_string(),
        "HIGH:MEDIUM:!MD5:!RC4:!3DES".to_string(),
        "HIGH:!aNULL:!MD5:!3DES:!CAMELLIA:!AES128".to_string(),
        "kEECDH+ECDSA+AES128:kEECDH+ECDSA+AES256:kEECDH+AES128:kEECDH+AES256:kEDH+AES128:kEDH+AES256:DES-CBC3-SHA:+SHA:!aNULL:!eNULL:!LOW:!kECDH:!DSS:!MD5:!RC4:!EXP:!PSK:!SRP:!CAMELLIA:!SEED".to_string(),
        "ECDHE-RSA-AES256-GCM-SHA512:DHE-RSA-AES256-GCM-SHA512:ECDHE-RSA-AES256-GCM-SHA384".to_string(),
        "DEFAULT:!EXP:!LOW:@SECLEVEL=1".to_string(),
        "ALL:@SECLEVEL=0".to_string(),
    ];
    for file in ["5.7.json", "5.8.json", "6.0.json"] {
        let path = Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("profiles/mozilla")
            .join(file);
        let doc: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(&path).expect("guideline")).unwrap();
        for (_, conf) in doc["configurations"].as_object().unwrap() {
            let list: Vec<&str> = conf["ciphers"]["openssl"]
                .as_array()
                .unwrap()
                .iter()
                .map(|x| x.as_str().unwrap())
                .collect();
            if !list.is_empty() {
                out.push(list.join(":"));
                // each suite on its own too: some are not in every build (3DES)
                out.extend(list.iter().map(|s| s.to_string()));
            }
        }
    }
    out.extend(fixture_cipher_strings());
    out
}

/// Every `ssl_ciphers` / `SSLCipherSuite` / `CipherString` value under fixtures/.
fn fixture_cipher_strings() -> Vec<String> {
    let mut out = openssl_oracle::fixture_values(
        &[
            "ssl_ciphers",
            "proxy_ssl_ciphers",
            "grpc_ssl_ciphers",
            "uwsgi_ssl_ciphers",
            "CipherString",
        ],
        None,
    );
    for v in openssl_oracle::fixture_values(&["SSLCipherSuite", "SSLProxyCipherSuite"], None) {
        // an optional protocol first: "SSL" is the TLS <= 1.2 string, "TLSv1.3" the other list
        match v.split_once(' ') {
            Some((p, rest)) if p.eq_ignore_ascii_case("SSL") => out.push(rest.trim().to_string()),
            Some((p, _)) if p.to_ascii_uppercase().starts_with("TLSV1.3") => {}
            _ => out.push(v),
        }
    }
    out.sort();
    out.dedup();
    eprintln!("fixtures: {} distinct cipher strings", out.len());
    out
}

#[test]
fn real_world_strings_match_openssl() {
    let Some(mut oracle) = Oracle::start() else {
        return;
    };
    let strings = real_world_strings();
    compare(&mut oracle, &strings, "real-world");
    // Debian's 3.0 has no 3DES suites: the engine knows the suite, and says so
    if oracle.version >= Version::new(3, 0, 0) {
        let e = expand("DES-CBC3-SHA", &oracle.version).unwrap_err();
        assert_eq!(e.reason, "no cipher match");
        assert_eq!(e.unavailable_words, vec!["DES-CBC3-SHA"]);
    }
}

/// The `openssl ciphers` command itself, one process per string, against
/// both the batching helper and tlslint's engine. `TLSLINT_CIPHER_CMD_COUNT`
/// sets how many random strings (default 60; .ci/run runs several thousand).
#[test]
fn oracle_and_engine_agree_with_the_openssl_command() {
    let Some(mut oracle) = Oracle::start() else {
        return;
    };
    let count: usize = std::env::var("TLSLINT_CIPHER_CMD_COUNT")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(60);
    let mut rng = Rng::new(seed() ^ 0x5eed);
    let mut strings: Vec<String> = (0..count).map(|_| cipher_string(&mut rng)).collect();
    strings.extend(["HIGH:!aNULL:!MD5", "DEFAULT", "FOO", "AES+", "-AES"].map(String::from));
    strings.retain(|s| !s.contains('\0'));
    let answers = oracle.ask_all(Kind::Cipher, &strings);
    for (s, a) in strings.iter().zip(&answers) {
        let out = match Command::new("openssl")
            .args(["ciphers", "-ciphersuites", "", "--", s])
            .output()
        {
            Ok(o) => o,
            Err(e) => {
                openssl_oracle::unavailable(&format!("cannot run `openssl`: {e}"));
                return;
            }
        };
        let stdout = String::from_utf8_lossy(&out.stdout).trim().to_string();
        let stderr = String::from_utf8_lossy(&out.stderr);
        // tlslint's own answer must be the command's, not only the helper's
        assert_eq!(
            &mine(s, &oracle.version),
            a,
            "{s:?}: tlslint differs from the helper"
        );
        match a {
            Ok(list) => {
                assert!(out.status.success(), "{s:?}: openssl failed: {stderr}");
                assert_eq!(&stdout, &list.join(":"), "{s:?}");
            }
            Err(reason) => {
                assert!(!out.status.success(), "{s:?}: openssl succeeded");
                assert!(stderr.contains(&format!(":{reason}:")), "{s:?}: {stderr}");
            }
        }
    }
}

/// TLS 1.3 lists against `openssl ciphers -ciphersuites LIST`, random ones
/// and every list under fixtures/.
#[test]
fn ciphersuites_lists_match_openssl() {
    let Some(mut oracle) = Oracle::start() else {
        return;
    };
    let v = oracle.version;
    let tls13 = [
        "TLS_AES_128_GCM_SHA256",
        "TLS_AES_256_GCM_SHA384",
        "TLS_CHACHA20_POLY1305_SHA256",
        "TLS_AES_128_CCM_SHA256",
        "TLS_AES_128_CCM_8_SHA256",
    ];
    let mut rng = Rng::new(seed() ^ 0x1313);
    let mut lists: Vec<String> = vec![
        String::new(),
        ":".into(),
        " ".into(),
        "TLS_AES_128_GCM_SHA256:TLS_AES_256_GCM_SHA384:TLS_CHACHA20_POLY1305_SHA256".into(),
        "TLS_EMPTY_RENEGOTIATION_INFO_SCSV".into(),
        "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256".into(),
        "TLS_RSA_WITH_3DES_EDE_CBC_SHA".into(),
    ];
    let from_fixtures: Vec<String> = [
        openssl_oracle::fixture_values(
            &["ssl_conf_command", "SSLOpenSSLConfCmd"],
            Some("Ciphersuites"),
        ),
        openssl_oracle::fixture_values(&["SSLCipherSuite", "SSLProxyCipherSuite"], Some("TLSv1.3")),
    ]
    .concat();
    eprintln!("fixtures: {} TLS 1.3 lists", from_fixtures.len());
    lists.extend(from_fixtures);
    for _ in 0..sample_size(3000) / 3 {
        let n = rng.below(5);
        let mut s = String::new();
        for i in 0..n {
            if i > 0 {
                s.push_str(rng.pick_str(&[":", ":", ":", " : ", ",", " ", "::", "\t:"]));
            }
            let w = match rng.below(10) {
                0..=5 => rng.pick_str(&tls13).to_string(),
                6 => rng.pick(all_suites()).iana_name.to_string(),
                7 => rng.pick(all_suites()).openssl_name.to_string(),
                8 => {
                    let w = rng.pick_str(&tls13);
                    typo(&mut rng, w)
                }
                _ => rng
                    .pick_str(&[
                        "",
                        "TLS_FALLBACK_SCSV",
                        "tls_aes_128_gcm_sha256",
                        "ALL",
                        " ",
                    ])
                    .to_string(),
            };
            s.push_str(&w);
        }
        lists.push(s);
    }
    let want = oracle.ask_all(Kind::Suites, &lists);
    let mut bad = Vec::new();
    for (s, w) in lists.iter().zip(&want) {
        let got: Answer = match parse_ciphersuites(s, &v) {
            Ok(l) => Ok(l.iter().map(|c| c.iana_name.to_string()).collect()),
            Err(e) => Err(e.reason),
        };
        if &got != w {
            bad.push(format!(
                "  {s:?}: openssl {} / tlslint {}",
                show(w),
                show(&got)
            ));
        }
    }
    assert!(
        bad.is_empty(),
        "{} of {} lists differ:\n{}",
        bad.len(),
        lists.len(),
        bad.iter().take(8).cloned().collect::<Vec<_>>().join("\n")
    );
    eprintln!(
        "{} TLS 1.3 lists identical to {}",
        lists.len(),
        oracle.version_text
    );
    let d = tlslint::openssl::default_ciphersuites(&v);
    let want = oracle.ask_all(Kind::Suites, &[names(&d)]);
    assert_eq!(want[0].as_ref().unwrap().join(":"), names(&d));
}
