//! Group names against the machine's OpenSSL: a list is accepted by tlslint
//! exactly when `SSL_CTX_set1_groups_list` (what `openssl s_server -groups`
//! calls) accepts it, and a sample is checked with `openssl s_server` itself.

mod openssl_oracle;

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};

use openssl_oracle::{sample_size, seed, Kind, Oracle, Rng};
use tlslint::openssl::{all_groups, lookup_group, parse_groups, GroupLookup};
use tlslint::version::Version;

/// Names to try besides the table's: near misses and names of later versions.
const EXTRA: &[&str] = &[
    "p-256",
    "SECP256R1",
    "X25519MLKEM768",
    "SecP256r1MLKEM768",
    "MLKEM768",
    "brainpoolP256r1tls13",
    "prime384v1",
    "curve25519",
    "ffdhe1024",
    "FFDHE2048",
    "auto",
    "DEFAULT",
    "secp256r2",
    "P256",
];

fn list(rng: &mut Rng, names: &[&str]) -> String {
    let n = 1 + rng.below(4);
    let mut parts = Vec::new();
    for _ in 0..n {
        let mut w = rng.pick(names).to_string();
        match rng.below(12) {
            0 => w = format!("?{w}"),
            1 => w = format!(" {w} "),
            2 => w = w.to_ascii_lowercase(),
            3 => w = w.to_ascii_uppercase(),
            4 if !w.is_empty() => {
                w.pop();
            }
            _ => {}
        }
        parts.push(w);
    }
    let sep = if rng.chance(90) {
        ":"
    } else {
        rng.pick_str(&[",", " ", "::", "/"])
    };
    let mut s = parts.join(sep);
    if rng.chance(3) {
        s.push(':');
    }
    s
}

fn accepted_by_tlslint(s: &str, v: &Version) -> bool {
    // "auto" is nginx's keyword, not OpenSSL's
    s != "auto" && parse_groups(s, v).is_ok()
}

#[test]
fn group_lists_match_openssl() {
    let Some(mut oracle) = Oracle::start() else {
        return;
    };
    let v = oracle.version;
    let mut names: Vec<&str> = all_groups().iter().map(|g| g.name).collect();
    names.extend(EXTRA);
    let mut lists: Vec<String> = names.iter().map(|s| s.to_string()).collect();
    lists.extend(
        [
            "",
            ":",
            "X25519:",
            "P-256:P-256",
            "P-256:prime256v1",
            "x25519:X25519",
        ]
        .map(String::from),
    );
    let from_fixtures: Vec<String> = [
        openssl_oracle::fixture_values(&["ssl_ecdh_curve", "proxy_ssl_ecdh_curve"], None),
        openssl_oracle::fixture_values(&["ssl_conf_command", "SSLOpenSSLConfCmd"], Some("Curves")),
        openssl_oracle::fixture_values(&["ssl_conf_command", "SSLOpenSSLConfCmd"], Some("Groups")),
    ]
    .concat();
    eprintln!("fixtures: {} group lists", from_fixtures.len());
    lists.extend(from_fixtures);
    let mut rng = Rng::new(seed() ^ 0x6e0b);
    for _ in 0..sample_size(3000) / 3 {
        lists.push(list(&mut rng, &names));
    }
    let answers = oracle.ask_all(Kind::Groups, &lists);
    let mut bad = Vec::new();
    for (s, a) in lists.iter().zip(&answers) {
        let mine = accepted_by_tlslint(s, &v);
        if mine != a.is_ok() {
            bad.push(format!(
                "  {s:?}: openssl {}, tlslint {}",
                if a.is_ok() { "accepts" } else { "refuses" },
                if mine { "accepts" } else { "refuses" }
            ));
        }
    }
    assert!(
        bad.is_empty(),
        "{} of {} group lists differ from {}:\n{}",
        bad.len(),
        lists.len(),
        oracle.version_text,
        bad.iter().take(10).cloned().collect::<Vec<_>>().join("\n")
    );
    eprintln!(
        "{} group lists agree with {}",
        lists.len(),
        oracle.version_text
    );
    // the version that introduced a name the machine lacks is known
    if v < Version::new(3, 5, 0) {
        assert!(matches!(
            lookup_group("X25519MLKEM768", &v),
            GroupLookup::NotInVersion { since, .. } if since == Version::new(3, 5, 0)
        ));
    }
}

/// Whether `openssl s_server -groups LIST` starts (it then listens on a
/// loopback port; we stop it) or refuses.
fn s_server_accepts(groups: &str) -> Option<bool> {
    let mut child = match Command::new("openssl")
        .args([
            "s_server",
            "-nocert",
            "-naccept",
            "1",
            "-accept",
            "127.0.0.1:0",
            "-groups",
            groups,
        ])
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
    {
        Ok(c) => c,
        Err(e) => {
            openssl_oracle::unavailable(&format!("cannot run `openssl s_server`: {e}"));
            return None;
        }
    };
    let mut out = BufReader::new(child.stdout.take().expect("stdout"));
    let mut line = String::new();
    let mut listening = false;
    while out.read_line(&mut line).map(|n| n > 0).unwrap_or(false) {
        if line.starts_with("ACCEPT") {
            listening = true;
            break;
        }
        line.clear();
    }
    if listening {
        let _ = child.kill();
    }
    let _ = child.wait();
    Some(listening)
}

#[test]
fn s_server_agrees_on_a_sample() {
    let Some(oracle) = Oracle::start() else {
        return;
    };
    let v = oracle.version;
    for groups in [
        "P-256:X25519",
        "prime256v1:secp384r1",
        "X25519:P-256:foo",
        "X25519MLKEM768:X25519",
        "ffdhe2048",
        "x448",
        "P-256:P-256",
        "?X25519:P-256",
        "X25519 : P-256",
        "brainpoolP512r1",
    ] {
        let Some(theirs) = s_server_accepts(groups) else {
            return;
        };
        assert_eq!(
            accepted_by_tlslint(groups, &v),
            theirs,
            "openssl s_server -groups {groups:?}"
        );
    }
}
