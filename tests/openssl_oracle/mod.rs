//! Shared by the tests/openssl_*.rs differential tests: the real OpenSSL as an
//! oracle, and a small seeded random generator.
//!
//! The oracle is `helper.c`, compiled on first use with the system C compiler
//! into cargo's per-target temp dir. It loads the machine's libssl (the one the
//! `openssl` command uses) with dlopen, so only the runtime library is needed,
//! and answers one request per line, which makes 100,000 strings a matter of
//! seconds instead of 100,000 process starts.
//!
//! Without a C compiler or libssl the tests print why and pass, unless the
//! environment says `CI=true`: then they fail, because nothing may silently skip
//! in CI.

#![allow(dead_code)]

use std::io::{BufRead, BufReader, Write};
use std::path::PathBuf;
use std::process::{Child, ChildStdin, ChildStdout, Command, Stdio};
use std::sync::Mutex;

use tlslint::version::Version;

pub fn in_ci() -> bool {
    matches!(
        std::env::var("CI")
            .map(|v| v.to_ascii_lowercase())
            .as_deref(),
        Ok("true") | Ok("1") | Ok("yes")
    )
}

/// Skip (outside CI) or fail (in CI) for a missing tool.
pub fn unavailable(why: &str) {
    if in_ci() {
        panic!("CI=true and the OpenSSL oracle is unavailable: {why}");
    }
    eprintln!("SKIPPED: the OpenSSL oracle is unavailable: {why}");
}

/// How many random strings to try: `TLSLINT_CIPHER_DIFF_COUNT`, else `default`.
pub fn sample_size(default: usize) -> usize {
    std::env::var("TLSLINT_CIPHER_DIFF_COUNT")
        .ok()
        .and_then(|v| v.trim().parse().ok())
        .unwrap_or(default)
}

static BUILD: Mutex<()> = Mutex::new(());

fn build_helper() -> Result<PathBuf, String> {
    let _guard = BUILD.lock().unwrap_or_else(|e| e.into_inner());
    let src = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/openssl_oracle/helper.c");
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR"));
    let exe = dir.join(format!("tlslint-openssl-oracle-{}", std::process::id()));
    let cc = std::env::var("CC").unwrap_or_else(|_| "cc".to_string());
    let out = Command::new(&cc)
        .arg("-O2")
        .arg("-o")
        .arg(&exe)
        .arg(&src)
        .arg("-ldl")
        .output()
        .map_err(|e| format!("cannot run the C compiler `{cc}`: {e}"))?;
    if !out.status.success() {
        return Err(format!(
            "compiling {} failed: {}",
            src.display(),
            String::from_utf8_lossy(&out.stderr)
        ));
    }
    Ok(exe)
}

/// A running oracle.
pub struct Oracle {
    child: Child,
    stdin: Option<ChildStdin>,
    stdout: BufReader<ChildStdout>,
    /// The library's version, e.g. 3.0.22.
    pub version: Version,
    /// The full version line, e.g. "OpenSSL 3.0.22 25 Aug 2026".
    pub version_text: String,
}

/// One answer: the names, or OpenSSL's reason.
pub type Answer = Result<Vec<String>, String>;

#[derive(Clone, Copy)]
pub enum Kind {
    /// cipher string, as `openssl ciphers -ciphersuites '' STRING`
    Cipher,
    /// TLS 1.3 list, as `openssl ciphers -ciphersuites LIST` (its TLS 1.3 part)
    Suites,
    /// group list, as `SSL_CTX_set1_groups_list` (`openssl s_server -groups`)
    Groups,
}

impl Kind {
    fn letter(self) -> char {
        match self {
            Kind::Cipher => 'C',
            Kind::Suites => 'S',
            Kind::Groups => 'G',
        }
    }
}

fn hex(s: &str) -> String {
    s.bytes().map(|b| format!("{b:02x}")).collect()
}

fn parse_answer(line: &str) -> Answer {
    let line = line.trim_end_matches('\n');
    if let Some(rest) = line.strip_prefix("OK") {
        let rest = rest.strip_prefix(' ').unwrap_or(rest);
        if rest.is_empty() {
            return Ok(Vec::new());
        }
        return Ok(rest.split(':').map(str::to_string).collect());
    }
    Err(line.strip_prefix("ERR ").unwrap_or(line).to_string())
}

impl Oracle {
    /// Start the oracle, or `None` (after `unavailable`) when it cannot run here.
    pub fn start() -> Option<Oracle> {
        let exe = match build_helper() {
            Ok(e) => e,
            Err(why) => {
                unavailable(&why);
                return None;
            }
        };
        let child = Command::new(&exe)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn();
        let _ = std::fs::remove_file(&exe);
        let mut child = match child {
            Ok(c) => c,
            Err(e) => {
                unavailable(&format!("cannot start the helper: {e}"));
                return None;
            }
        };
        let stdin = child.stdin.take();
        let stdout = BufReader::new(child.stdout.take().expect("piped stdout"));
        let mut o = Oracle {
            child,
            stdin,
            stdout,
            version: Version::new(0, 0, 0),
            version_text: String::new(),
        };
        let line = match o.raw("V\n") {
            Some(l) => l,
            None => {
                let mut msg = String::new();
                if let Some(mut e) = o.child.stderr.take() {
                    let _ = std::io::Read::read_to_string(&mut e, &mut msg);
                }
                unavailable(&format!("the helper did not answer: {}", msg.trim()));
                return None;
            }
        };
        let text = line.trim().trim_start_matches("OK ").to_string();
        let v = text
            .split_whitespace()
            .nth(1)
            .and_then(|v| v.parse().ok())
            .unwrap_or(Version::new(0, 0, 0));
        o.version = v;
        o.version_text = text;
        Some(o)
    }

    fn raw(&mut self, req: &str) -> Option<String> {
        let stdin = self.stdin.as_mut()?;
        stdin.write_all(req.as_bytes()).ok()?;
        stdin.flush().ok()?;
        let mut line = String::new();
        match self.stdout.read_line(&mut line) {
            Ok(n) if n > 0 => Some(line),
            _ => None,
        }
    }

    /// Ask one question.
    pub fn ask(&mut self, kind: Kind, s: &str) -> Answer {
        let line = self
            .raw(&format!("{} {}\n", kind.letter(), hex(s)))
            .expect("the oracle stopped answering");
        parse_answer(&line)
    }

    /// Ask many questions at once (a writer thread keeps the pipes flowing).
    pub fn ask_all(&mut self, kind: Kind, items: &[String]) -> Vec<Answer> {
        let mut stdin = self.stdin.take().expect("oracle stdin");
        let requests: String = items
            .iter()
            .map(|s| format!("{} {}\n", kind.letter(), hex(s)))
            .collect();
        let writer = std::thread::spawn(move || {
            stdin
                .write_all(requests.as_bytes())
                .expect("write to oracle");
            stdin.flush().expect("flush oracle");
            stdin
        });
        let mut answers = Vec::with_capacity(items.len());
        let mut line = String::new();
        for _ in items {
            line.clear();
            let n = self.stdout.read_line(&mut line).expect("read from oracle");
            assert!(n > 0, "the oracle stopped answering");
            answers.push(parse_answer(&line));
        }
        self.stdin = Some(writer.join().expect("oracle writer"));
        answers
    }
}

impl Drop for Oracle {
    fn drop(&mut self) {
        self.stdin.take();
        let _ = self.child.wait();
    }
}

/// xorshift64*: tiny, seeded, reproducible.
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Rng {
        Rng(seed.max(1))
    }
    pub fn next(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        self.0 = x;
        x.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    pub fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
    pub fn chance(&mut self, percent: u64) -> bool {
        self.next() % 100 < percent
    }
    pub fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }
    pub fn pick_str<'a>(&mut self, items: &[&'a str]) -> &'a str {
        items[self.below(items.len())]
    }
}

/// The seed: `TLSLINT_CIPHER_DIFF_SEED`, else a fixed one.
pub fn seed() -> u64 {
    std::env::var("TLSLINT_CIPHER_DIFF_SEED")
        .ok()
        .and_then(|v| v.trim().parse().ok())
        .unwrap_or(0x7115_1157)
}

/// The values of a directive under fixtures/: lines whose first word is one
/// of `keys` (any case) and, when `sub` is given, whose second word is `sub`
/// (any case); the rest of the line, without a trailing `;` and quotes.
pub fn fixture_values(keys: &[&str], sub: Option<&str>) -> Vec<String> {
    let mut out = Vec::new();
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("fixtures");
    let mut stack = vec![root];
    while let Some(dir) = stack.pop() {
        let Ok(entries) = std::fs::read_dir(&dir) else {
            continue;
        };
        for e in entries.flatten() {
            let p = e.path();
            if p.is_dir() {
                stack.push(p);
                continue;
            }
            let Ok(text) = std::fs::read_to_string(&p) else {
                continue;
            };
            for line in text.lines() {
                let mut words = line.split_whitespace();
                let key = words.next().unwrap_or("");
                if !keys.iter().any(|k| k.eq_ignore_ascii_case(key)) {
                    continue;
                }
                if let Some(sub) = sub {
                    if !words.next().is_some_and(|w| w.eq_ignore_ascii_case(sub)) {
                        continue;
                    }
                }
                let v = words.collect::<Vec<_>>().join(" ");
                let v = v
                    .trim_end_matches(';')
                    .trim()
                    .trim_matches(|c| c == '"' || c == '\'');
                if !v.is_empty() {
                    out.push(v.to_string());
                }
            }
        }
    }
    out.sort();
    out.dedup();
    out
}
