//! Shared by the oracle tests: the fixture trees under `fixtures/nginx/`,
//! their expectations (`fixture.meta`), copies in temporary directories,
//! finding and running the reference tools, and the skip-or-fail rule
//! (a missing tool skips with a printed reason, and fails when `CI=true`).
//!
//! ## `fixture.meta`
//!
//! Optional; line-based, `#` starts a comment line. Keys before the first
//! `[ROOT]` section are defaults for every root; a `[FILE]` section makes FILE
//! (relative to the tree) a root of its own. Without sections the only root is
//! `nginx.conf`.
//!
//! - `cert: CERT KEY` — generate a self-signed certificate and key at these
//!   paths in the copy (repeatable; keys are never committed).
//! - `needs-module: NAME.so` — the tree loads this dynamic nginx module from
//!   `/usr/lib/nginx/modules/`; the nginx oracle needs it installed.
//! - `nginx: accept | reject | skip: REASON` — what `nginx -t` says about the
//!   root (default: `reject` for trees named `err-*`, else `accept`).
//! - `crossplane: same | no-ctx-check: REASON | differs: REASON |
//!   quirk NAME[+NAME]: REASON` — how
//!   `crossplane parse` compares (default `same`); `crossplane-comments:` the
//!   same for `--include-comments` (default: the value of `crossplane`).
//! - `see: TREE` — for a root that crossplane gets wrong but nginx cannot
//!   judge (it stops earlier, at a semantic error): the tree whose
//!   `nginx.conf` has the same construct, on which nginx is checked instead.
#![allow(dead_code)]

use std::collections::BTreeMap;
use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

/// CI=true makes every oracle mandatory.
pub fn ci() -> bool {
    matches!(
        std::env::var("CI")
            .map(|v| v.to_ascii_lowercase())
            .as_deref(),
        Ok("true") | Ok("1") | Ok("yes")
    )
}

/// Print a line that `cargo test` does not capture (skips must be visible).
pub fn say(msg: &str) {
    let mut e = std::io::stderr().lock();
    let _ = writeln!(e, "{msg}");
}

/// A required tool or condition is missing: fail under CI, else skip loudly.
/// Returns normally only when skipping is allowed.
pub fn skip_or_fail(what: &str, reason: &str) {
    if ci() {
        panic!("{what}: {reason} (CI=true: this oracle is mandatory)");
    }
    say(&format!(
        "SKIP {what}: {reason} (set CI=true to make this a failure)"
    ));
}

pub fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

pub fn tlslint() -> PathBuf {
    PathBuf::from(env!("CARGO_BIN_EXE_tlslint"))
}

fn on_path(name: &str) -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    for dir in
        std::env::split_paths(&path).chain(["/usr/sbin", "/usr/bin", "/sbin"].map(PathBuf::from))
    {
        let p = dir.join(name);
        if p.is_file() {
            return Some(p);
        }
    }
    None
}

/// `TLSLINT_CROSSPLANE`, else `.venv/bin/crossplane` in the repo, else PATH.
pub fn crossplane() -> Option<PathBuf> {
    if let Some(p) = std::env::var_os("TLSLINT_CROSSPLANE") {
        return Some(PathBuf::from(p)).filter(|p| p.is_file());
    }
    let venv = repo().join(".venv/bin/crossplane");
    if venv.is_file() {
        return Some(venv);
    }
    on_path("crossplane")
}

/// The Python interpreter that runs a `crossplane` script (its shebang).
pub fn crossplane_python(script: &Path) -> Option<PathBuf> {
    let mut head = [0u8; 512];
    let n = std::fs::File::open(script).ok()?.read(&mut head).ok()?;
    let first = String::from_utf8_lossy(&head[..n])
        .lines()
        .next()?
        .to_string();
    let interp = first
        .strip_prefix("#!")?
        .split_whitespace()
        .next()?
        .to_string();
    Some(PathBuf::from(interp)).filter(|p| p.is_file())
}

/// `TLSLINT_NGINX`, else `nginx` on PATH or in /usr/sbin.
pub fn nginx() -> Option<PathBuf> {
    if let Some(p) = std::env::var_os("TLSLINT_NGINX") {
        return Some(PathBuf::from(p)).filter(|p| p.is_file());
    }
    on_path("nginx")
}

pub fn openssl() -> Option<PathBuf> {
    on_path("openssl")
}

/// True when running as root (`nginx -t` creates /var/lib/nginx/* and checks `user`).
pub fn is_root() -> bool {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("Uid:"))
                .and_then(|l| l.split_whitespace().nth(2).map(|u| u == "0"))
        })
        .unwrap_or(false)
}

// ---------------------------------------------------------------- commands

pub struct Out {
    pub code: Option<i32>,
    pub stdout: Vec<u8>,
    pub stderr: String,
    pub elapsed: Duration,
}

impl Out {
    pub fn stdout_str(&self) -> String {
        String::from_utf8_lossy(&self.stdout).into_owned()
    }
}

/// Run a command with a deadline; kill it if it takes longer. Output is read
/// by threads so that a full pipe cannot block the child.
pub fn run(cmd: &mut Command, limit: Duration) -> Result<Out, String> {
    run_with_input(cmd, None, limit)
}

/// [`run`], with `input` written to the command's standard input.
pub fn run_with_input(
    cmd: &mut Command,
    input: Option<Vec<u8>>,
    limit: Duration,
) -> Result<Out, String> {
    let desc = format!("{cmd:?}");
    let start = Instant::now();
    let mut child = cmd
        .stdin(if input.is_some() {
            Stdio::piped()
        } else {
            Stdio::null()
        })
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| format!("cannot run {desc}: {e}"))?;
    if let (Some(data), Some(mut stdin)) = (input, child.stdin.take()) {
        std::thread::spawn(move || {
            let _ = stdin.write_all(&data);
        });
    }
    let mut so = child.stdout.take().expect("piped stdout");
    let mut se = child.stderr.take().expect("piped stderr");
    let t_out = std::thread::spawn(move || {
        let mut v = Vec::new();
        let _ = so.read_to_end(&mut v);
        v
    });
    let t_err = std::thread::spawn(move || {
        let mut v = Vec::new();
        let _ = se.read_to_end(&mut v);
        v
    });
    let status = loop {
        match child.try_wait() {
            Ok(Some(s)) => break s,
            Ok(None) => {
                if start.elapsed() > limit {
                    let _ = child.kill();
                    let _ = child.wait();
                    return Err(format!("{desc} did not finish within {limit:?}"));
                }
                std::thread::sleep(Duration::from_millis(5));
            }
            Err(e) => return Err(format!("waiting for {desc}: {e}")),
        }
    };
    let stdout = t_out.join().unwrap_or_default();
    let stderr = String::from_utf8_lossy(&t_err.join().unwrap_or_default()).into_owned();
    Ok(Out {
        code: status.code(),
        stdout,
        stderr,
        elapsed: start.elapsed(),
    })
}

// ---------------------------------------------------------------- fixtures

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NginxExpect {
    Accept,
    Reject,
    Skip(String),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CpExpect {
    /// `crossplane parse` output equals ours.
    Same,
    /// The root is a snippet for another context: compare with crossplane's
    /// parser run without its context analysis (`check_ctx=False`).
    NoCtxCheck(String),
    /// crossplane is wrong here (documented reason): the outputs must differ,
    /// and nginx's behaviour is checked instead.
    Differs(String),
    /// A known crossplane lexer quirk, undone exactly: the outputs must differ,
    /// and be equal once the named transformations are applied (see
    /// oracle_crossplane.rs).
    Quirk(Vec<String>, String),
}

/// The quirks `crossplane: quirk NAME[+NAME]: REASON` may name.
pub const QUIRKS: &[&str] = &["final-comment", "crlf", "arg-comments"];

#[derive(Debug, Clone)]
pub struct RootSpec {
    /// Relative to the tree.
    pub file: String,
    pub nginx: NginxExpect,
    pub crossplane: CpExpect,
    pub crossplane_comments: CpExpect,
    /// A tree on which nginx checks the same construct (see `see:`).
    pub see: Option<String>,
}

#[derive(Debug, Clone)]
pub struct Fixture {
    pub name: String,
    pub dir: PathBuf,
    pub certs: Vec<(String, String)>,
    pub needs_module: Vec<String>,
    pub roots: Vec<RootSpec>,
}

impl Fixture {
    pub fn label(&self, root: &RootSpec) -> String {
        if root.file == "nginx.conf" {
            self.name.clone()
        } else {
            format!("{}[{}]", self.name, root.file)
        }
    }
}

fn parse_nginx(v: &str, at: &str) -> NginxExpect {
    match v.split_once(':') {
        Some(("skip", r)) if !r.trim().is_empty() => NginxExpect::Skip(r.trim().to_string()),
        _ => match v {
            "accept" => NginxExpect::Accept,
            "reject" => NginxExpect::Reject,
            _ => panic!("{at}: bad nginx expectation {v:?} (accept | reject | skip: REASON)"),
        },
    }
}

fn parse_cp(v: &str, at: &str) -> CpExpect {
    if v == "same" {
        return CpExpect::Same;
    }
    match v.split_once(':') {
        Some(("differs", r)) if !r.trim().is_empty() => CpExpect::Differs(r.trim().to_string()),
        Some((q, r)) if q.starts_with("quirk ") && !r.trim().is_empty() => {
            let names: Vec<String> = q["quirk ".len()..].trim().split('+').map(str::to_string).collect();
            for n in &names {
                assert!(QUIRKS.contains(&n.as_str()), "{at}: unknown quirk {n:?} (known: {QUIRKS:?})");
            }
            CpExpect::Quirk(names, r.trim().to_string())
        }
        Some(("no-ctx-check", r)) if !r.trim().is_empty() => CpExpect::NoCtxCheck(r.trim().to_string()),
        _ => panic!("{at}: bad crossplane expectation {v:?} (same | differs: REASON | quirk NAME[+NAME]: REASON | no-ctx-check: REASON)"),
    }
}

pub fn fixtures_dir() -> PathBuf {
    repo().join("fixtures/nginx")
}

/// Every tree under fixtures/nginx/, sorted by name.
pub fn fixtures() -> Vec<Fixture> {
    let mut names: Vec<String> = std::fs::read_dir(fixtures_dir())
        .expect("fixtures/nginx exists")
        .filter_map(|e| e.ok())
        .filter(|e| e.path().is_dir())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names.into_iter().map(|n| load_fixture(&n)).collect()
}

pub fn load_fixture(name: &str) -> Fixture {
    let dir = fixtures_dir().join(name);
    let meta_path = dir.join("fixture.meta");
    let text = std::fs::read_to_string(&meta_path).unwrap_or_default();
    let mut defaults: BTreeMap<String, String> = BTreeMap::new();
    let mut sections: Vec<(String, BTreeMap<String, String>)> = Vec::new();
    let mut certs = Vec::new();
    let mut needs_module = Vec::new();
    for (i, raw) in text.lines().enumerate() {
        let line = raw.trim();
        let at = format!("{}:{}", meta_path.display(), i + 1);
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        if let Some(sec) = line.strip_prefix('[').and_then(|l| l.strip_suffix(']')) {
            sections.push((sec.to_string(), BTreeMap::new()));
            continue;
        }
        let (k, v) = line
            .split_once(':')
            .unwrap_or_else(|| panic!("{at}: expected KEY: VALUE, got {line:?}"));
        let (k, v) = (k.trim().to_string(), v.trim().to_string());
        match k.as_str() {
            "cert" => {
                let parts: Vec<&str> = v.split_whitespace().collect();
                assert_eq!(parts.len(), 2, "{at}: cert: CERT KEY");
                certs.push((parts[0].to_string(), parts[1].to_string()));
            }
            "needs-module" => needs_module.push(v),
            "nginx" | "crossplane" | "crossplane-comments" | "see" => {
                let target = match sections.last_mut() {
                    Some((_, m)) => m,
                    None => &mut defaults,
                };
                target.insert(k, v);
            }
            _ => panic!("{at}: unknown key {k:?}"),
        }
    }
    if sections.is_empty() {
        sections.push(("nginx.conf".to_string(), BTreeMap::new()));
    }
    let roots = sections
        .into_iter()
        .map(|(file, m)| {
            let at = format!("{}[{}]", meta_path.display(), file);
            let get = |k: &str| m.get(k).or_else(|| defaults.get(k)).cloned();
            let nginx = match get("nginx") {
                Some(v) => parse_nginx(&v, &at),
                None if name.starts_with("err-") => NginxExpect::Reject,
                None => NginxExpect::Accept,
            };
            let crossplane = get("crossplane")
                .map(|v| parse_cp(&v, &at))
                .unwrap_or(CpExpect::Same);
            let crossplane_comments = get("crossplane-comments")
                .map(|v| parse_cp(&v, &at))
                .unwrap_or_else(|| crossplane.clone());
            assert!(dir.join(&file).is_file(), "{at}: root {file} is not a file");
            let see = get("see");
            if let Some(s) = &see {
                assert!(
                    fixtures_dir().join(s).join("nginx.conf").is_file(),
                    "{at}: see: {s} is not a tree"
                );
            }
            RootSpec {
                file,
                nginx,
                crossplane,
                crossplane_comments,
                see,
            }
        })
        .collect();
    Fixture {
        name: name.to_string(),
        dir,
        certs,
        needs_module,
        roots,
    }
}

// ---------------------------------------------------------------- copies

/// A copy of a fixture tree in a fresh temporary directory, so that every
/// tool sees the same absolute paths.
pub struct Copy {
    _tmp: tempfile::TempDir,
    pub dir: PathBuf,
}

impl Copy {
    pub fn root(&self, r: &RootSpec) -> PathBuf {
        self.dir.join(&r.file)
    }
}

pub fn copy_dir(from: &Path, to: &Path) -> std::io::Result<()> {
    std::fs::create_dir_all(to)?;
    for e in std::fs::read_dir(from)? {
        let e = e?;
        let ty = e.file_type()?;
        let dst = to.join(e.file_name());
        if ty.is_symlink() {
            std::os::unix::fs::symlink(std::fs::read_link(e.path())?, &dst)?;
        } else if ty.is_dir() {
            copy_dir(&e.path(), &dst)?;
        } else {
            std::fs::copy(e.path(), &dst)?;
        }
    }
    Ok(())
}

/// One self-signed certificate and key, made once per test process.
fn cert_pair() -> Result<&'static (Vec<u8>, Vec<u8>), String> {
    static PAIR: OnceLock<Result<(Vec<u8>, Vec<u8>), String>> = OnceLock::new();
    PAIR.get_or_init(|| {
        let openssl = openssl().ok_or("openssl is not installed")?;
        let tmp = tempfile::tempdir().map_err(|e| e.to_string())?;
        let (c, k) = (tmp.path().join("cert.pem"), tmp.path().join("key.pem"));
        let out = run(
            Command::new(openssl)
                .args([
                    "req",
                    "-x509",
                    "-newkey",
                    "ec",
                    "-pkeyopt",
                    "ec_paramgen_curve:prime256v1",
                    "-nodes",
                ])
                .args(["-subj", "/CN=tlslint.test", "-days", "3650", "-keyout"])
                .arg(&k)
                .arg("-out")
                .arg(&c),
            Duration::from_secs(60),
        )?;
        if out.code != Some(0) {
            return Err(format!("openssl req failed: {}", out.stderr));
        }
        Ok((
            std::fs::read(&c).map_err(|e| e.to_string())?,
            std::fs::read(&k).map_err(|e| e.to_string())?,
        ))
    })
    .as_ref()
    .map_err(|e| e.clone())
}

/// Copy a tree to a temporary directory. Certificates the tree needs are
/// generated only when `with_certs` (only nginx reads them), and a `logs/`
/// directory is made for relative log paths.
pub fn copy_fixture(f: &Fixture, with_certs: bool) -> Result<Copy, String> {
    let tmp = tempfile::Builder::new()
        .prefix("tlslint-oracle-")
        .tempdir()
        .map_err(|e| e.to_string())?;
    let dir = tmp.path().join(&f.name);
    copy_dir(&f.dir, &dir).map_err(|e| format!("copying {}: {e}", f.dir.display()))?;
    if with_certs && !f.certs.is_empty() {
        let (cert, key) = cert_pair()?;
        for (c, k) in &f.certs {
            for (rel, data) in [(c, cert), (k, key)] {
                let p = dir.join(rel);
                if let Some(parent) = p.parent() {
                    std::fs::create_dir_all(parent).map_err(|e| e.to_string())?;
                }
                std::fs::write(&p, data).map_err(|e| e.to_string())?;
            }
        }
    }
    if with_certs {
        std::fs::create_dir_all(dir.join("logs")).map_err(|e| e.to_string())?;
    }
    Ok(Copy { _tmp: tmp, dir })
}

// ---------------------------------------------------------------- tlslint

/// `tlslint parse ROOT --format FORMAT [extra]`.
pub fn tlslint_parse(root: &Path, format: &str, extra: &[&str]) -> Result<Out, String> {
    run(
        Command::new(tlslint())
            .arg("parse")
            .arg(root)
            .args(["--format", format])
            .args(extra),
        Duration::from_secs(60),
    )
}

/// The first `error: PATH:LINE:COL: MESSAGE` line of tlslint's stderr.
pub fn tlslint_first_error(stderr: &str) -> Option<(String, u32, String)> {
    let line = stderr.lines().find_map(|l| l.strip_prefix("error: "))?;
    let mut it = line.splitn(4, ':');
    let path = it.next()?.to_string();
    let ln = it.next()?.parse().ok()?;
    let _col: u32 = it.next()?.parse().ok()?;
    let msg = it.next()?.trim_start().to_string();
    Some((path, ln, msg))
}

// ---------------------------------------------------------------- nginx

/// The `[emerg]` message of `nginx -t`: (file, line, message).
pub fn nginx_emerg(stderr: &str) -> Option<(String, u32, String)> {
    let l = stderr.lines().find(|l| l.contains("[emerg] "))?;
    let mut rest = &l[l.find("[emerg] ")? + "[emerg] ".len()..];
    // "PID#TID: " when written through the error log
    if let Some((head, tail)) = rest.split_once(": ") {
        if head.split('#').count() == 2
            && head
                .split('#')
                .all(|p| p.chars().all(|c| c.is_ascii_digit()))
        {
            rest = tail;
        }
    }
    let (msg, loc) = rest.rsplit_once(" in ")?;
    let (file, line) = loc.rsplit_once(':')?;
    Some((file.to_string(), line.trim().parse().ok()?, msg.to_string()))
}

/// The file sections of an `nginx -T` dump, in order.
pub fn dump_sections(stdout: &str) -> Vec<String> {
    stdout
        .lines()
        .filter_map(|l| l.strip_prefix("# configuration file "))
        .filter_map(|l| l.strip_suffix(':'))
        .map(str::to_string)
        .collect()
}

pub fn nginx_cmd(nginx: &Path, copy: &Copy, root: &Path, dump: bool) -> Command {
    let mut c = Command::new(nginx);
    c.arg(if dump { "-T" } else { "-t" })
        .arg("-q")
        .arg("-p")
        .arg(format!("{}/", copy.dir.display()))
        .arg("-c")
        .arg(root)
        .args(["-e", "stderr"]);
    c
}

pub enum Checked {
    Agree(String),
    Skipped(String),
}

/// Why the nginx oracle cannot run here, if it cannot.
pub fn nginx_unavailable(f: &Fixture) -> Option<String> {
    if nginx().is_none() {
        return Some("nginx is not installed (apt-get install nginx)".into());
    }
    if !is_root() {
        return Some(
            "nginx -t must run as root (it checks `user` and creates /var/lib/nginx/*)".into(),
        );
    }
    if !f.certs.is_empty() && openssl().is_none() {
        return Some("openssl is not installed (needed for test certificates)".into());
    }
    for m in &f.needs_module {
        let p = Path::new("/usr/lib/nginx/modules").join(m);
        if !p.is_file() {
            return Some(format!(
                "{} is not installed (Debian: libnginx-mod-stream)",
                p.display()
            ));
        }
    }
    None
}

/// The nginx oracle for one root: for an accepted tree, the files tlslint
/// reads (in order) are the sections of `nginx -T`; for a rejected one, both
/// stop at the same file, line and message. `Err` is a disagreement.
pub fn nginx_check(f: &Fixture, root: &RootSpec) -> Result<Checked, String> {
    let label = f.label(root);
    if let NginxExpect::Skip(r) = &root.nginx {
        return Ok(Checked::Skipped(format!("{label}: {r}")));
    }
    if let Some(why) = nginx_unavailable(f) {
        return Ok(Checked::Skipped(format!("{label}: {why}")));
    }
    let nginx = nginx().expect("checked");
    let copy = copy_fixture(f, true)?;
    let main = copy.root(root);
    match root.nginx {
        NginxExpect::Accept => {
            let n = run(
                &mut nginx_cmd(&nginx, &copy, &main, true),
                Duration::from_secs(60),
            )?;
            if n.code != Some(0) {
                return Err(format!(
                    "{label}: nginx -T rejects the tree (expected accept):\n{}",
                    n.stderr
                ));
            }
            let nginx_files = dump_sections(&n.stdout_str());
            if nginx_files.is_empty() {
                return Err(format!("{label}: nginx -T printed no file sections"));
            }
            let t = tlslint_parse(&main, "files", &[])?;
            if t.code != Some(0) {
                return Err(format!(
                    "{label}: nginx accepts the tree but tlslint exits {:?}:\n{}",
                    t.code, t.stderr
                ));
            }
            let ours: Vec<String> = t.stdout_str().lines().map(str::to_string).collect();
            if ours != nginx_files {
                return Err(format!(
                    "{label}: read order differs\n  nginx -T: {nginx_files:#?}\n  tlslint:  {ours:#?}"
                ));
            }
            // the dump itself (`nginx -T | tlslint parse -`) is the same tree
            let from_dump = |format: &str| {
                run_with_input(
                    Command::new(tlslint()).args(["parse", "-", "--format", format]),
                    Some(n.stdout.clone()),
                    Duration::from_secs(60),
                )
            };
            let d = from_dump("files")?;
            let dump_files: Vec<String> = d.stdout_str().lines().map(str::to_string).collect();
            if d.code != Some(0) || dump_files != nginx_files {
                return Err(format!(
                    "{label}: `nginx -T | tlslint parse - --format files` exits {:?} with {dump_files:#?}\n{}",
                    d.code, d.stderr
                ));
            }
            let d = from_dump("crossplane")?;
            let disk = tlslint_parse(&main, "crossplane", &[])?;
            let (a, b): (serde_json::Value, serde_json::Value) = (
                serde_json::from_slice(&disk.stdout).map_err(|e| format!("{label}: {e}"))?,
                serde_json::from_slice(&d.stdout).map_err(|e| format!("{label}: dump: {e}"))?,
            );
            if let Some(diff) = json_diff(&a, &b) {
                return Err(format!(
                    "{label}: the tree (left) and its nginx -T dump (right) parse differently at {diff}"
                ));
            }
            Ok(Checked::Agree(format!(
                "{label}: accepted, {} files in the same order (also from its nginx -T dump)",
                ours.len()
            )))
        }
        NginxExpect::Reject => {
            let n = run(
                &mut nginx_cmd(&nginx, &copy, &main, false),
                Duration::from_secs(60),
            )?;
            if n.code == Some(0) {
                return Err(format!(
                    "{label}: nginx -t accepts the tree (expected a syntax error)"
                ));
            }
            let Some((nf, nl, nm)) = nginx_emerg(&n.stderr) else {
                return Err(format!(
                    "{label}: no `[emerg] ... in FILE:LINE` from nginx:\n{}",
                    n.stderr
                ));
            };
            let t = tlslint_parse(&main, "crossplane", &[])?;
            if t.code != Some(2) {
                return Err(format!(
                    "{label}: nginx rejects ({nm} in {nf}:{nl}) but tlslint exits {:?}",
                    t.code
                ));
            }
            let Some((tf, tl, tm)) = tlslint_first_error(&t.stderr) else {
                return Err(format!(
                    "{label}: no `error: PATH:LINE:COL: MESSAGE` from tlslint:\n{}",
                    t.stderr
                ));
            };
            if (nf.as_str(), nl, nm.as_str()) != (tf.as_str(), tl, tm.as_str()) {
                return Err(format!(
                    "{label}: first error differs\n  nginx:   {nf}:{nl}: {nm}\n  tlslint: {tf}:{tl}: {tm}"
                ));
            }
            let rel = nf
                .strip_prefix(&format!("{}/", copy.dir.display()))
                .unwrap_or(&nf)
                .to_string();
            Ok(Checked::Agree(format!(
                "{label}: rejected at {rel}:{nl}: {nm}"
            )))
        }
        NginxExpect::Skip(_) => unreachable!(),
    }
}

// ---------------------------------------------------------------- JSON

/// The first place where two JSON values differ, as `path: left != right`.
pub fn json_diff(a: &serde_json::Value, b: &serde_json::Value) -> Option<String> {
    fn short(v: Option<&serde_json::Value>) -> String {
        match v {
            None => "(absent)".into(),
            Some(v) => {
                let s = v.to_string();
                if s.len() > 300 {
                    format!(
                        "{}...",
                        &s[..s.char_indices().nth(300).map(|(i, _)| i).unwrap_or(s.len())]
                    )
                } else {
                    s
                }
            }
        }
    }
    fn go(
        a: Option<&serde_json::Value>,
        b: Option<&serde_json::Value>,
        path: &str,
    ) -> Option<String> {
        use serde_json::Value::{Array, Object};
        match (a, b) {
            (Some(Object(x)), Some(Object(y))) => {
                let mut keys: Vec<&String> = x.keys().chain(y.keys()).collect();
                keys.sort();
                keys.dedup();
                keys.into_iter()
                    .find_map(|k| go(x.get(k), y.get(k), &format!("{path}.{k}")))
            }
            (Some(Array(x)), Some(Array(y))) => (0..x.len().max(y.len()))
                .find_map(|i| go(x.get(i), y.get(i), &format!("{path}[{i}]"))),
            (x, y) if x == y => None,
            (x, y) => Some(format!("{path}: {} != {}", short(x), short(y))),
        }
    }
    go(Some(a), Some(b), "$")
}

/// The JSON report a `tlslint ... --format json` run printed; the tree
/// must have loaded (no `errors`).
pub fn report_of(o: &std::process::Output) -> serde_json::Value {
    let v: serde_json::Value = serde_json::from_slice(&o.stdout)
        .unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&o.stderr)));
    assert!(
        v["errors"].as_array().unwrap().is_empty(),
        "{}",
        v["errors"]
    );
    v
}

/// `tlslint MAIN --format json --no-config ARGS` run in MAIN's directory:
/// (code, severity, message, line) of every finding; the tree must load.
pub fn findings(main: &Path, args: &[&str]) -> Vec<(String, String, String, u64)> {
    let o = Command::new(tlslint())
        .current_dir(main.parent().unwrap())
        .arg(main)
        .args(["--format", "json", "--no-config"])
        .args(args)
        .output()
        .unwrap();
    let v = report_of(&o);
    v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["code"].as_str().unwrap().to_string(),
                f["severity"].as_str().unwrap().to_string(),
                f["message"].as_str().unwrap().to_string(),
                f["line"].as_u64().unwrap(),
            )
        })
        .collect()
}

// ---------------------------------------------------------------- live servers

/// The codes of the `findings` of a `--format json` report.
pub fn finding_codes(v: &serde_json::Value) -> Vec<String> {
    v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["code"].as_str().unwrap().to_string())
        .collect()
}

/// A TCP port free on 127.0.0.1 right now.
pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// The status line and the Strict-Transport-Security values (in order) of
/// an HTTP response head as curl prints it.
pub fn sts_values(head: &str) -> (String, Vec<String>) {
    let status = head.lines().next().unwrap_or_default().trim().to_string();
    let values = head
        .lines()
        .filter_map(|l| l.split_once(':'))
        .filter(|(k, _)| k.eq_ignore_ascii_case("Strict-Transport-Security"))
        .map(|(_, v)| v.trim().to_string())
        .collect();
    (status, values)
}

/// A small deterministic generator (xorshift), so random cases reproduce
/// from their seed (which must not be 0).
pub struct Rng(pub u64);

impl Rng {
    pub fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    pub fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}
