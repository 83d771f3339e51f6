//! The cipher table against the machine's OpenSSL: every suite the library
//! offers is in the table, marked available for that version, and equal field
//! by field to `openssl ciphers -V -stdname ALL:COMPLEMENTOFALL`; and the
//! table marks nothing else available for that version.

mod openssl_oracle;

use std::collections::BTreeSet;
use std::process::Command;

use tlslint::openssl::{all_suites, suite_by_id};
use tlslint::version::Version;

const TLS13: &str = "TLS_AES_256_GCM_SHA384:TLS_CHACHA20_POLY1305_SHA256:TLS_AES_128_GCM_SHA256:TLS_AES_128_CCM_SHA256:TLS_AES_128_CCM_8_SHA256";

fn openssl(args: &[&str]) -> Option<String> {
    match Command::new("openssl").args(args).output() {
        Ok(o) if o.status.success() => Some(String::from_utf8_lossy(&o.stdout).into_owned()),
        Ok(o) => panic!(
            "openssl {args:?} failed: {}",
            String::from_utf8_lossy(&o.stderr)
        ),
        Err(e) => {
            openssl_oracle::unavailable(&format!("cannot run `openssl`: {e}"));
            None
        }
    }
}

#[test]
fn table_matches_openssl_ciphers_v() {
    let Some(version_text) = openssl(&["version"]) else {
        return;
    };
    let v: Version = version_text
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .expect("openssl version");
    let Some(listing) = openssl(&[
        "ciphers",
        "-V",
        "-stdname",
        "-ciphersuites",
        TLS13,
        "ALL:COMPLEMENTOFALL",
    ]) else {
        return;
    };
    let mut seen = BTreeSet::new();
    let mut problems = Vec::new();
    for line in listing.lines() {
        // 0xC0,0x2C - TLS_ECDHE_..._SHA384 - ECDHE-ECDSA-AES256-GCM-SHA384 TLSv1.2 Kx=ECDH Au=ECDSA Enc=AESGCM(256) Mac=AEAD
        let f: Vec<&str> = line.split_whitespace().collect();
        assert!(f.len() >= 10, "unexpected line: {line}");
        let (hi, lo) = f[0].split_once(',').expect("id");
        let id = (u16::from_str_radix(hi.trim_start_matches("0x"), 16).unwrap() << 8)
            | u16::from_str_radix(lo.trim_start_matches("0x"), 16).unwrap();
        seen.insert(id);
        let Some(s) = suite_by_id(id) else {
            problems.push(format!("{:#06x} {} is not in the table", id, f[4]));
            continue;
        };
        let fields = [
            ("IANA name", s.iana_name, f[2]),
            ("name", s.openssl_name, f[4]),
            ("protocol", s.min_protocol.openssl_name(), f[5]),
            ("Kx", s.kx, f[6].trim_start_matches("Kx=")),
            ("Au", s.au, f[7].trim_start_matches("Au=")),
            ("Enc", s.enc, f[8].trim_start_matches("Enc=")),
            ("Mac", s.mac, f[9].trim_start_matches("Mac=")),
        ];
        for (what, mine, theirs) in fields {
            if mine != theirs {
                problems.push(format!(
                    "{:#06x} {what}: table {mine:?}, openssl {theirs:?}",
                    id
                ));
            }
        }
        if !s.available_in(&v) {
            problems.push(format!(
                "{:#06x} {} is offered by {} but not marked available",
                id,
                s.openssl_name,
                version_text.trim()
            ));
        }
    }
    for s in all_suites() {
        if s.available_in(&v) && !seen.contains(&s.id) {
            problems.push(format!(
                "{:#06x} {} is marked available in {v} but {} does not offer it",
                s.id,
                s.openssl_name,
                version_text.trim()
            ));
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
    eprintln!(
        "{} suites of {} equal the table field by field",
        seen.len(),
        version_text.trim()
    );
}

#[test]
fn table_is_consistent() {
    let mut names = BTreeSet::new();
    for s in all_suites() {
        assert!(names.insert(s.openssl_name), "duplicate {}", s.openssl_name);
        assert!(s.strength_bits <= s.alg_bits);
        assert_eq!(s.is_tls13(), (0x1301..=0x1305).contains(&s.id));
        if !s.is_tls13() {
            assert!(
                s.iana_name.starts_with("TLS_") && s.iana_name.contains("_WITH_"),
                "{}",
                s.iana_name
            );
        }
    }
    // suites older builds had, known so old configs are understood
    for old in [
        "RC4-SHA",
        "EXP-RC4-MD5",
        "DES-CBC-SHA",
        "SEED-SHA",
        "IDEA-CBC-SHA",
        "DES-CBC3-SHA",
    ] {
        let s = tlslint::openssl::suite_by_name(old).expect(old);
        assert!(!s.available_in(&Version::new(3, 0, 0)), "{old}");
    }
}
