//! The cipher engine without an oracle: bad input never panics, the cache
//! expands each distinct string once, `tlslint ciphers` prints what
//! `openssl ciphers` prints, and the version model's landmarks hold.

mod openssl_oracle;

use std::process::Command;
use std::time::Instant;

use openssl_oracle::{sample_size, seed, Rng};
use tlslint::cli::CiphersArgs;
use tlslint::openssl::{
    default_ciphersuites, expand, lookup_group, names, parse_ciphersuites, parse_groups,
    ExpansionCache,
};
use tlslint::version::Version;

const VERSIONS: &[Version] = &[
    Version::new(1, 0, 2),
    Version::new(1, 1, 0),
    Version::new(1, 1, 1),
    Version::new(3, 0, 0),
    Version::new(3, 3, 0),
    Version::new(3, 5, 0),
    Version::new(4, 0, 0),
];

fn random_bytes(rng: &mut Rng) -> String {
    let n = rng.below(64);
    let bytes: Vec<u8> = (0..n)
        .map(|_| {
            if rng.chance(60) {
                *rng.pick(b"ABCDEHILMNORSTaeklx0123456789-+!@:=,; .\0_?*/")
            } else {
                (rng.next() & 0xff) as u8
            }
        })
        .collect();
    String::from_utf8_lossy(&bytes).into_owned()
}

#[test]
fn random_bytes_never_panic() {
    let mut rng = Rng::new(seed() ^ 0xf022);
    let n = sample_size(3000);
    for _ in 0..n {
        let s = random_bytes(&mut rng);
        for v in VERSIONS {
            let _ = expand(&s, v);
            let _ = parse_ciphersuites(&s, v);
            let _ = parse_groups(&s, v);
            let _ = lookup_group(&s, v);
        }
    }
}

#[test]
fn cache_expands_each_distinct_string_once() {
    let strings = [
        "HIGH:!aNULL:!MD5",
        "ECDHE+AESGCM:ECDHE+CHACHA20",
        "DEFAULT",
        "EECDH+AESGCM:EDH+AESGCM",
        "NOPE",
    ];
    let versions = [Version::new(3, 0, 0), Version::new(1, 1, 1)];
    let cache = ExpansionCache::new();
    let start = Instant::now();
    for i in 0..20_000 {
        let s = strings[i % strings.len()];
        let v = &versions[(i / strings.len()) % versions.len()];
        let r = cache.expand(s, v);
        assert_eq!(r.is_err(), s == "NOPE");
    }
    assert_eq!(cache.expansions(), strings.len() * versions.len());
    assert_eq!(cache.len(), strings.len() * versions.len());
    eprintln!("20,000 endpoints expanded in {:?}", start.elapsed());
}

fn run_ciphers(string: &str, verbose: bool, profile: Option<&str>) -> (i32, String, String) {
    let args = CiphersArgs {
        string: string.to_string(),
        verbose,
        profile: profile.map(str::to_string),
        openssl_version: "3.0".to_string(),
    };
    let mut out = Vec::new();
    let mut err = Vec::new();
    let code = tlslint::commands::ciphers(&args, &mut out, &mut err);
    (
        code,
        String::from_utf8(out).unwrap(),
        String::from_utf8(err).unwrap(),
    )
}

#[test]
fn ciphers_command_prints_like_openssl() {
    let (code, out, _) = run_ciphers("HIGH:!aNULL:!MD5", false, None);
    assert_eq!(code, 0);
    let mine: Vec<&str> = out.lines().collect();
    assert_eq!(mine[0], "ECDHE-ECDSA-AES256-GCM-SHA384");
    match Command::new("openssl")
        .args(["ciphers", "-ciphersuites", "", "HIGH:!aNULL:!MD5"])
        .output()
    {
        Ok(o) if o.status.success() => {
            let theirs = String::from_utf8_lossy(&o.stdout);
            let theirs: Vec<&str> = theirs.trim().split(':').collect();
            assert_eq!(mine, theirs);
        }
        _ => openssl_oracle::unavailable("cannot run `openssl ciphers`"),
    }

    let (code, out, _) = run_ciphers("ECDHE+AESGCM", true, Some("intermediate"));
    assert_eq!(code, 0);
    let header = out.lines().next().unwrap();
    for col in ["IANA name", "Protocol", "Kx", "Au", "Enc", "Mac"] {
        assert!(header.contains(col), "{header}");
    }
    assert!(out.contains("TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256"));

    let (code, out, _) = run_ciphers("ECDHE+AESGCM:AES256-SHA", false, Some("intermediate"));
    assert_eq!(code, 0);
    assert!(out.contains("AES256-SHA  # not in intermediate"), "{out}");
    assert!(out.lines().next().unwrap() == "ECDHE-ECDSA-AES256-GCM-SHA384");

    let (code, out, err) = run_ciphers("DES-CBC3-SHA:FOO", false, None);
    assert_eq!(code, 2);
    assert!(out.is_empty());
    assert!(err.contains("no cipher match"), "{err}");
    assert!(err.contains("\"FOO\""), "{err}");
    assert!(err.contains("\"DES-CBC3-SHA\" selects nothing"), "{err}");

    let (code, _, err) = run_ciphers("AES+", false, None);
    assert_eq!(code, 2);
    assert!(err.contains("invalid command"), "{err}");
    let (code, _, _) = run_ciphers("HIGH", false, Some("nonsense"));
    assert_eq!(code, 2);
}

#[test]
fn version_model_landmarks() {
    let v102 = Version::new(1, 0, 2);
    let v111 = Version::new(1, 1, 1);
    let v30 = Version::new(3, 0, 0);
    // RC4 left default builds in 1.1.0, 3DES in 3.0
    assert!(expand("RC4", &v102).is_ok());
    assert!(expand("RC4", &v111).is_err());
    assert!(expand("3DES", &v111).is_ok());
    assert_eq!(
        expand("3DES", &v30).unwrap_err().unavailable_words,
        ["3DES"]
    );
    // words of 1.0.2 that later versions do not know
    assert!(expand("ALL:!EXP", &v102).is_ok());
    assert_eq!(expand("ALL:!EXP", &v30).unwrap().unavailable_words, ["EXP"]);
    // ChaCha20 arrived in 1.1.0
    assert!(expand("CHACHA20", &v102).is_err());
    assert!(expand("CHACHA20", &v111).is_ok());
    // TLS 1.3
    assert!(default_ciphersuites(&v102).is_empty());
    assert_eq!(
        names(&default_ciphersuites(&v30)),
        "TLS_AES_256_GCM_SHA384:TLS_CHACHA20_POLY1305_SHA256:TLS_AES_128_GCM_SHA256"
    );
    assert!(parse_ciphersuites("TLS_AES_128_GCM_SHA256", &v102).is_err());
    // IANA names are not cipher-string words in 3.0: unknown (a rule can point to the OpenSSL name)
    let e = expand("HIGH:TLS_RSA_WITH_AES_128_CBC_SHA", &v30).unwrap();
    assert_eq!(e.unknown_words, ["TLS_RSA_WITH_AES_128_CBC_SHA"]);
}
