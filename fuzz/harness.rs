//! What each fuzz target does with one input. Shared by the cargo-fuzz
//! targets (`fuzz/fuzz_targets/*.rs`, nightly) and the stable replay test
//! (`tests/fuzz_replay.rs`), which runs every corpus and regression input
//! through the same functions under `cargo test`.
//!
//! A target fails by panicking (or aborting, hanging, running out of
//! memory): the functions also assert the invariants every result must keep
//! (errors point into the file they name).
//!
//! Multi-file inputs (`nginx_load`, `apache_load`) are a sequence of
//! `NAME\0CONTENT\0` pairs: the first file is the main file, names are
//! relative to `/t/` (a name that is no plain relative path becomes `N.conf`).

#![allow(dead_code)]

use std::path::{Path, PathBuf};

use tlslint::fsx::MemFs;
use tlslint::source::{FileId, SourceFile};
use tlslint::version::Version;

/// OpenSSL versions the engines are driven with (the branches differ).
const OPENSSL: [Version; 4] = [
    Version::new(1, 0, 2),
    Version::new(1, 1, 1),
    Version::new(3, 0, 0),
    Version::new(3, 5, 0),
];

fn text(data: &[u8]) -> String {
    String::from_utf8_lossy(data).into_owned()
}

/// The files of a multi-file input, the main file first.
pub fn files(data: &[u8]) -> Vec<(PathBuf, Vec<u8>)> {
    let mut out: Vec<(PathBuf, Vec<u8>)> = Vec::new();
    let mut parts = data.split(|b| *b == 0);
    while let Some(name) = parts.next() {
        let content = parts.next().unwrap_or_default();
        let name = String::from_utf8_lossy(name);
        let plain = !name.is_empty()
            && name.len() < 200
            && !name.starts_with('/')
            && Path::new(&*name)
                .components()
                .all(|c| matches!(c, std::path::Component::Normal(_)));
        let rel = if plain {
            name.into_owned()
        } else {
            format!("{}.conf", out.len())
        };
        out.push((Path::new("/t").join(rel), content.to_vec()));
        if out.len() >= 64 {
            break;
        }
    }
    if out.is_empty() {
        out.push((PathBuf::from("/t/main.conf"), Vec::new()));
    }
    out
}

/// The inverse of [`files`]: a tree as one input (for seeding corpora).
pub fn join_files(files: &[(String, Vec<u8>)]) -> Vec<u8> {
    let mut out = Vec::new();
    for (name, content) in files {
        out.extend_from_slice(name.as_bytes());
        out.push(0);
        out.extend(content.iter().map(|b| if *b == 0 { b' ' } else { *b }));
        out.push(0);
    }
    out
}

fn memfs(files: &[(PathBuf, Vec<u8>)]) -> MemFs {
    let mut fs = MemFs::new();
    for (p, c) in files {
        fs.insert(p.clone(), c.clone());
    }
    fs
}

// ------------------------------------------------------------ nginx

pub fn nginx_parse(data: &[u8]) {
    let t = text(data);
    let src = SourceFile::new(PathBuf::from("/t/nginx.conf"), t.clone());
    if let Err(e) = tlslint::nginx::parser::parse(&src, FileId(0)) {
        assert!(e.line >= 1 && e.line <= src.last_line(), "{}", e.message);
        assert!(e.offset <= t.len());
        assert!(!e.message.is_empty());
    }
    let _ = tlslint::nginx::parser::parse_partial(&src, FileId(0));
}

/// Load, resolve and check a tree (as an `nginx -T` dump would give it:
/// every file in memory), then write the JSON report.
pub fn nginx_load(data: &[u8]) {
    let files = files(data);
    let fs = memfs(&files);
    let main = files[0].0.clone();
    let tree = tlslint::nginx::loader::load(
        &fs,
        &main,
        &tlslint::nginx::loader::LoadOptions {
            prefix: None,
            keep_going: true,
        },
    );
    for e in &tree.errors {
        assert!(!e.message.is_empty());
        if let Some(f) = e.file {
            let src = tree.sources.get(f);
            assert!(e.line >= 1 && e.line <= src.last_line(), "{}", e.message);
        }
    }
    let _ = tlslint::nginx::crossplane::payload(&tree, true);
    let _ = tlslint::suppress::pragmas(&tree);
    let root = tlslint::input::Root::Dump {
        label: PathBuf::from("<fuzz>"),
        fs,
        main,
    };
    lint_and_report(&root);
}

fn lint_and_report(root: &tlslint::input::Root) {
    let (profile, _) = tlslint::profile::Profile::builtin("intermediate", None).expect("bundled");
    let opts = tlslint::lint::LintOptions {
        target: Default::default(),
        profile: profile.clone(),
        prefix: None,
        files: tlslint::certs::FileOptions {
            // a fixed clock: the same input, the same run
            now: Some(1_800_000_000),
            ..Default::default()
        },
        apache: Default::default(),
    };
    let c = tlslint::lint::lint_root(root, &opts);
    let report = tlslint::lint::Report {
        checked: vec![c],
        notes: Vec::new(),
        profile,
        target: Default::default(),
        versions: Vec::new(),
        post: Vec::new(),
    };
    let mut out = Vec::new();
    tlslint::report::json::emit(&report, &mut out);
    serde_json::from_slice::<serde_json::Value>(&out).expect("the JSON report is JSON");
}

// ------------------------------------------------------------ Apache

pub fn apache_parse(data: &[u8]) {
    let src = SourceFile::new(PathBuf::from("/t/httpd.conf"), text(data));
    if let Ok(lines) = tlslint::apache::parser::logical_lines(&src) {
        for l in lines.iter().take(10_000) {
            let _ = tlslint::apache::parser::words(&l.text);
        }
    }
}

/// Read a tree as httpd does (conditionals, `Define`, `mod_macro`,
/// includes), then resolve its virtual hosts.
pub fn apache_load(data: &[u8]) {
    let files = files(data);
    let fs = memfs(&files);
    let tree = tlslint::apache::loader::load(
        &fs,
        &files[0].0,
        &tlslint::apache::loader::LoadOptions {
            server_root: Some(PathBuf::from("/t")),
            ..Default::default()
        },
    );
    for e in &tree.errors {
        assert!(!e.message.is_empty());
    }
    let _ = tlslint::suppress::apache_pragmas(&tree);
    if tree.errors.is_empty() {
        let _ = tlslint::apache::resolve::resolve(&tree, &Default::default());
    }
}

/// `<IfVersion ~ RE>`: the regex, a NUL, the version string.
pub fn apache_regex(data: &[u8]) {
    let t = text(data);
    let (re, subject) = t.split_once('\0').unwrap_or((&t, "2.4.62"));
    let _ = tlslint::apache::regex::matches(re, subject);
}

// ------------------------------------------------------------ OpenSSL

pub fn cipher_string(data: &[u8]) {
    let t = text(data);
    for v in &OPENSSL {
        if let Ok(x) = tlslint::openssl::expand(&t, v) {
            let _ = tlslint::openssl::names(&x.suites);
        }
    }
}

/// A TLS 1.3 suite list and a group list (split at the first NUL).
pub fn tls13_groups(data: &[u8]) {
    let t = text(data);
    let (suites, groups) = t.split_once('\0').unwrap_or((&t, &t));
    for v in &OPENSSL {
        let _ = tlslint::openssl::parse_ciphersuites_detailed(suites, v);
        let _ = tlslint::openssl::parse_groups(groups, v);
    }
}

// ------------------------------------------------------------ files

/// A certificate/key/parameters file: PEM, X.509, keys, DH, CRLs; then
/// the chain checks on what it holds.
pub fn pem_x509(data: &[u8]) {
    let f = tlslint::certs::read::parse(data);
    if let Some(e) = &f.pem_error {
        assert!(!e.is_empty());
    }
    for c in &f.certs {
        let _ = c.short_name();
        let _ = c.key_description();
        let _ = c.lifespan();
    }
    if !f.certs.is_empty() {
        let _ = tlslint::certs::chain::check_ca_file(&f.certs, &[]);
    }
    // one DER certificate, as the probe receives them
    let _ = tlslint::certs::facts::Cert::from_der(data);
}

/// An `ssl_password_file`, a NUL, an encrypted key file.
pub fn key_decrypt(data: &[u8]) {
    let (pass, key) = match data.iter().position(|b| *b == 0) {
        Some(i) => (&data[..i], &data[i + 1..]),
        None => (&b""[..], data),
    };
    let Ok(pp) = tlslint::certs::unlock::pass_phrases(pass) else {
        return;
    };
    for k in tlslint::certs::read::parse(key).keys {
        if let tlslint::certs::keys::KeyRead::Encrypted { sealed, .. } = k {
            let _ = tlslint::certs::unlock::unlock(&sealed, &pp);
        }
    }
}

// ------------------------------------------------------------ settings, suppressions, baselines

pub fn settings(data: &[u8]) {
    let _ = tlslint::config::parse(&text(data), Path::new("/t/.tlslint.yaml"));
}

pub fn suppress_comment(data: &[u8]) {
    if let Some(p) = tlslint::suppress::parse_comment(&text(data)) {
        let _ = p.codes.len() + p.unknown.len();
    }
}

/// A baseline file (read from a temporary file, as `--baseline` reads it).
pub fn baseline(data: &[u8]) {
    use std::io::Write;
    let dir = std::env::temp_dir().join(format!("tlslint-fuzz-baseline-{}", std::process::id()));
    let _ = std::fs::create_dir_all(&dir);
    let path = dir.join("baseline.json");
    let Ok(mut f) = std::fs::File::create(&path) else {
        return;
    };
    if f.write_all(data).is_err() {
        return;
    }
    drop(f);
    if let Ok((mut b, _)) = tlslint::baseline::Baseline::load(&path) {
        let _ = b.absorb("<fuzz>", "0000");
    }
}

// ------------------------------------------------------------ probe

/// What a server sends: the record header, alerts, ServerHello,
/// Certificate, CertificateStatus and ServerKeyExchange parsers of the
/// probe, each on the input.
pub fn probe_wire(data: &[u8]) {
    use tlslint::probe::wire;
    let _ = wire::record_header(data);
    let _ = wire::alert(data);
    if let Ok((_, sh)) = wire::server_hello(data) {
        let _ = tlslint::probe::legacy::version_name(sh.version);
    }
    if let Ok((_, certs)) = wire::certificate_list(data) {
        for der in certs.iter().take(16) {
            let _ = tlslint::certs::facts::Cert::from_der(der);
        }
    }
    let _ = wire::certificate_status(data);
    let _ = wire::ske_dh_prime_bits(data);
    let _ = wire::ske_ec_group(data);
}
