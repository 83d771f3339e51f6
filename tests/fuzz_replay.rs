//! The fuzz targets on stable: every input of `fuzz/corpus/TARGET/` and
//! `fuzz/regressions/TARGET/` (each crash, hang or OOM the fuzzer found,
//! kept after its fix), plus seeds built from `fixtures/` and `examples/`,
//! runs through the same harness the cargo-fuzz targets use
//! (`fuzz/harness.rs`). A panic fails the test and names the input; an
//! abort or a hang fails the run.
//!
//! `UPDATE_FUZZ_SEEDS=1 cargo test --test fuzz_replay` writes the seeds into
//! `fuzz/corpus/` (what `fuzz/seed.sh` does before a campaign).

#[path = "../fuzz/harness.rs"]
mod harness;

use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::{Path, PathBuf};

type Target = fn(&[u8]);

const TARGETS: &[(&str, Target)] = &[
    ("nginx_parse", harness::nginx_parse),
    ("nginx_load", harness::nginx_load),
    ("apache_parse", harness::apache_parse),
    ("apache_load", harness::apache_load),
    ("apache_regex", harness::apache_regex),
    ("cipher_string", harness::cipher_string),
    ("tls13_groups", harness::tls13_groups),
    ("pem_x509", harness::pem_x509),
    ("key_decrypt", harness::key_decrypt),
    ("settings", harness::settings),
    ("suppress_comment", harness::suppress_comment),
    ("baseline", harness::baseline),
    ("probe_wire", harness::probe_wire),
];

fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Every file below `dir`, sorted.
fn files_below(dir: &Path) -> Vec<PathBuf> {
    let mut out: Vec<PathBuf> = walkdir::WalkDir::new(dir)
        .sort_by_file_name()
        .into_iter()
        .filter_map(|e| e.ok())
        .filter(|e| e.file_type().is_file())
        .map(|e| e.into_path())
        .collect();
    out.sort();
    out
}

/// A tree below `dir` as one multi-file input, `main` first.
fn tree_input(dir: &Path, main: &Path) -> Vec<u8> {
    let mut files = vec![(
        main.strip_prefix(dir)
            .unwrap()
            .to_string_lossy()
            .into_owned(),
        std::fs::read(main).unwrap(),
    )];
    for f in files_below(dir) {
        if f != main {
            files.push((
                f.strip_prefix(dir).unwrap().to_string_lossy().into_owned(),
                std::fs::read(&f).unwrap_or_default(),
            ));
        }
    }
    harness::join_files(&files)
}

/// The seeds of a target, from the repository's own trees and snippets.
fn seeds(target: &str) -> Vec<(String, Vec<u8>)> {
    let r = repo();
    // (tree directory, main file) of every fixture tree and the example
    let trees = |server: &str, mains: &[&str]| {
        let mut v = Vec::new();
        for d in std::fs::read_dir(r.join("fixtures").join(server))
            .unwrap()
            .flatten()
        {
            let dir = d.path();
            for main in files_below(&dir) {
                if main
                    .file_name()
                    .is_some_and(|n| mains.iter().any(|m| n == *m))
                {
                    v.push((dir.clone(), main));
                }
            }
        }
        let ex = r.join("examples").join(server);
        v.push((ex.clone(), ex.join(mains[0])));
        v.sort();
        v
    };
    let nginx_trees = || trees("nginx", &["nginx.conf"]);
    let apache_trees = || trees("apache", &["apache2.conf", "httpd.conf"]);
    // directive arguments of a kind, from every config file in the repository
    let args = |names: &[&str]| {
        let mut v: Vec<String> = Vec::new();
        for dir in ["fixtures", "examples"] {
            for f in files_below(&r.join(dir)) {
                let Ok(t) = std::fs::read_to_string(&f) else {
                    continue;
                };
                for line in t.lines() {
                    let mut w = line.trim().splitn(2, char::is_whitespace);
                    let (Some(d), Some(rest)) = (w.next(), w.next()) else {
                        continue;
                    };
                    if names.iter().any(|n| n.eq_ignore_ascii_case(d)) {
                        let a = rest.trim().trim_end_matches(';').trim_matches('"');
                        if !v.iter().any(|x| x == a) {
                            v.push(a.to_string());
                        }
                    }
                }
            }
        }
        v
    };
    let named = |v: Vec<Vec<u8>>| {
        v.into_iter()
            .enumerate()
            .map(|(i, d)| (format!("seed-{i:04}"), d))
            .collect::<Vec<_>>()
    };
    match target {
        "nginx_parse" | "apache_parse" => {
            let trees = if target == "nginx_parse" {
                nginx_trees()
            } else {
                apache_trees()
            };
            let mut v = Vec::new();
            for (dir, _) in trees {
                for f in files_below(&dir) {
                    v.push(std::fs::read(&f).unwrap());
                }
            }
            v.sort();
            v.dedup();
            named(v)
        }
        "nginx_load" => named(
            nginx_trees()
                .iter()
                .map(|(d, m)| tree_input(d, m))
                .collect(),
        ),
        "apache_load" => named(
            apache_trees()
                .iter()
                .map(|(d, m)| tree_input(d, m))
                .collect(),
        ),
        "apache_regex" => {
            let mut v = Vec::new();
            for a in args(&["<IfVersion"]) {
                let a = a.trim_end_matches('>');
                let re = a
                    .trim_start_matches(['~', '=', ' '])
                    .trim_matches('/')
                    .trim();
                v.push(format!("{re}\0{}", "2.4.62").into_bytes());
            }
            for re in [
                "^2\\.4\\.[0-9]+$",
                "^(x?){2}2",
                "[[:digit:]]+\\.[[:alpha:]]",
                "a|b|(c|d)*e{2,3}",
                "[^]a-c]",
            ] {
                v.push(format!("{re}\x002.4.62").into_bytes());
            }
            named(v)
        }
        "cipher_string" => named(
            args(&["ssl_ciphers", "SSLCipherSuite", "SSLProxyCipherSuite"])
                .into_iter()
                .map(String::into_bytes)
                .collect(),
        ),
        "tls13_groups" => {
            let suites = args(&["ssl_conf_command", "SSLOpenSSLConfCmd"]);
            let groups = args(&["ssl_ecdh_curve", "SSLOpenSSLConfCmd"]);
            let mut v = Vec::new();
            for (i, g) in groups.iter().enumerate() {
                let s = suites.get(i % suites.len().max(1)).cloned().unwrap_or_default();
                let s = s.trim_start_matches("Ciphersuites").trim();
                v.push(format!("{s}\0{g}").into_bytes());
            }
            v.push(b"TLS_AES_128_GCM_SHA256:TLS_CHACHA20_POLY1305_SHA256\0X25519:prime256v1".to_vec());
            named(v)
        }
        "settings" => named(
            files_below(&r)
                .into_iter()
                .filter(|p| !p.starts_with(r.join("target")) && !p.starts_with(r.join(".git")))
                .filter(|p| p.file_name().is_some_and(|n| n == ".tlslint.yaml"))
                .map(|p| std::fs::read(p).unwrap())
                .chain([b"profile: modern\ndisable: [TLS3]\nexclude: [\"**/test/**\"]\nroot: {\"/etc/nginx\": \".\"}\n".to_vec()])
                .collect(),
        ),
        "suppress_comment" => named(
            [
                "# tlslint: disable=TLS101 -- legacy clients",
                "# tlslint: disable-file=TLS2,certificate-expired -- test tree",
                "# tlslint:disable=TLS101",
                "# tlslint: disable=no-such-rule -- x",
            ]
            .iter()
            .map(|s| s.as_bytes().to_vec())
            .collect(),
        ),
        "baseline" => named(vec![
            br#"{"tool":"tlslint","format":1,"findings":[{"root":"nginx.conf","fingerprint":"abc","code":"TLS101"}]}"#.to_vec(),
        ]),
        // certificate, key and record seeds are made by fuzz/seed.sh (openssl)
        _ => Vec::new(),
    }
}

/// The inputs on disk for a target: its corpus and its regressions.
fn stored(target: &str) -> Vec<(String, Vec<u8>)> {
    let mut v = Vec::new();
    for kind in ["corpus", "regressions"] {
        let dir = repo().join("fuzz").join(kind).join(target);
        for f in files_below(&dir) {
            v.push((
                f.strip_prefix(repo()).unwrap().display().to_string(),
                std::fs::read(&f).unwrap(),
            ));
        }
    }
    v
}

fn replay(name: &str, run: Target, inputs: &[(String, Vec<u8>)]) -> Vec<String> {
    let mut failed = Vec::new();
    // FUZZ_REPLAY_VERBOSE=1: name each input before it runs (an abort or a
    // stack overflow ends the process without a panic to report)
    let verbose = std::env::var_os("FUZZ_REPLAY_VERBOSE").is_some();
    for (label, data) in inputs {
        if verbose {
            eprintln!("{name}: {label}");
        }
        if catch_unwind(AssertUnwindSafe(|| run(data))).is_err() {
            failed.push(format!("{name}: {label}"));
        }
    }
    failed
}

#[test]
fn every_corpus_and_regression_input_replays() {
    let update = std::env::var_os("UPDATE_FUZZ_SEEDS").is_some();
    let mut failed = Vec::new();
    let mut total = 0;
    for (name, run) in TARGETS {
        let seeds = seeds(name);
        if update {
            let dir = repo().join("fuzz/corpus").join(name);
            std::fs::create_dir_all(&dir).unwrap();
            for (label, data) in &seeds {
                std::fs::write(dir.join(label), data).unwrap();
            }
        }
        let stored = stored(name);
        let mut inputs: Vec<(String, Vec<u8>)> = seeds
            .into_iter()
            .map(|(l, d)| (format!("seed {l}"), d))
            .chain(stored)
            .collect();
        // a seed written into the corpus runs once
        let mut seen = std::collections::HashSet::new();
        inputs.retain(|(_, d)| seen.insert(d.clone()));
        total += inputs.len();
        println!("{name}: {} inputs", inputs.len());
        // on a thread with the stack the CLI's main thread has on Linux
        // (8 MiB), not the 2 MiB of a test thread
        let (name, run) = (*name, *run);
        failed.extend(
            std::thread::Builder::new()
                .stack_size(8 << 20)
                .spawn(move || replay(name, run, &inputs))
                .unwrap()
                .join()
                .unwrap(),
        );
    }
    assert!(
        failed.is_empty(),
        "inputs that fail:\n{}",
        failed.join("\n")
    );
    // the corpora are in the repository: an empty run would test nothing
    assert!(total >= 500, "only {total} inputs replayed");
}

/// Every target has stored inputs (a corpus from a campaign, or seeds).
#[test]
fn every_target_has_a_corpus() {
    for (name, _) in TARGETS {
        let n = stored(name).len() + seeds(name).len();
        assert!(n > 0, "{name}: no corpus in fuzz/corpus/{name}");
    }
}
