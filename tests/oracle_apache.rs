//! Oracle: Apache httpd itself (`apache2 -t -D DUMP_INCLUDES -D DUMP_VHOSTS`,
//! Debian's apache2 2.4).
//!
//! Every root of every tree under fixtures/apache/ is copied to a fresh
//! temporary directory (a fragment — `scaffold: debian` — is dropped into a
//! copy of Debian's /etc/apache2, fixtures/apache/debian-etc-apache2, as
//! `sites-enabled/NAME`, with the modules it needs enabled) and read by both
//! `apache2 -d ROOT -f MAIN -t -D DUMP_INCLUDES -D DUMP_VHOSTS` (with
//! Debian's `envvars` sourced where the tree has one, as apache2ctl does)
//! and `tlslint parse MAIN --format includes`:
//!
//! - when httpd reads the whole tree, the include tree it prints (files,
//!   order, depth and the line numbers it prints) is exactly tlslint's, and
//!   tlslint finds no error in reading; if httpd accepts the tree, tlslint
//!   exits 0 and its virtual hosts (`--format vhosts`) are httpd's
//!   (`DUMP_VHOSTS`: the same file:line for each, with the address);
//! - when httpd stops reading at a syntax error, tlslint's first error is at
//!   the same file and line, with httpd's message, and the include trees
//!   up to the error agree;
//! - when httpd reads the whole tree and then rejects it (`httpd:
//!   walk-error`), tlslint reports that error at the same line; trees that
//!   httpd rejects for reasons tlslint does not model (`httpd:
//!   rejects-later: WHY`: unknown directives of modules certbot's snapshots
//!   do not load, users that do not exist here) are compared on the
//!   include tree only.
//!
//! `fixture.meta` (optional) per tree, `KEY: VALUE` lines, `[ROOT]` sections
//! for several roots: `main:` the main file (default apache2.conf,
//! httpd.conf or conf/httpd.conf); `server-root:` passed to both as
//! `--server-root` / `-d`; `define:` passed to both as `-D`; `httpd-define:`
//! to httpd only (what an init script passes; tlslint finds it by itself,
//! as Gentoo's APACHE2_OPTS); `rewrite: A =>
//! B` replaces A by B in every file of the copy (`{COPY}` is the copy's
//! path) — for trees that name absolute paths of the machine they came from;
//! `append: FILE => LINE` adds a line at the end of FILE; `mkdir: DIR`
//! creates DIR in the copy; `symlink: LINK => TARGET` makes a symlink in it; `fix-modules: debian` points every `LoadModule` at Debian's module of the
//! same file name, or comments it out when Debian has none (both readers
//! read the same copy); `scaffold: debian` with `fragments: DIR...` makes
//! every `*.conf` in DIR a fragment root; `httpd: accept | read-error |
//! walk-error | rejects-later: WHY | skip: WHY` is what httpd must say
//! (default `read-error` for trees named `err-*`, else `accept`).
//!
//! Without apache2 the test prints why it skips; with CI=true it fails.

use std::collections::BTreeMap;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

fn ci() -> bool {
    matches!(
        std::env::var("CI")
            .map(|v| v.to_ascii_lowercase())
            .as_deref(),
        Ok("true") | Ok("1") | Ok("yes")
    )
}

fn say(msg: &str) {
    let _ = writeln!(std::io::stderr().lock(), "{msg}");
}

fn skip_or_fail(what: &str, reason: &str) {
    if ci() {
        panic!("{what}: {reason} (CI=true: this oracle is mandatory)");
    }
    say(&format!(
        "SKIP {what}: {reason} (set CI=true to make this a failure)"
    ));
}

fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn apache2() -> Option<PathBuf> {
    [
        "/usr/sbin/apache2",
        "/usr/bin/apache2",
        "/usr/local/sbin/apache2",
    ]
    .iter()
    .map(PathBuf::from)
    .find(|p| p.is_file())
}

#[derive(Debug, Clone, PartialEq)]
enum Expect {
    Accept,
    ReadError,
    WalkError,
    RejectsLater(String),
    Skip(String),
}

#[derive(Debug, Clone)]
struct RootMeta {
    /// label for messages
    name: String,
    /// the main file (relative to the copy), or the fragment (relative to the tree)
    main: String,
    scaffold: bool,
    expect: Expect,
    fix_modules: bool,
    rewrites: Vec<(String, String)>,
    appends: Vec<(String, String)>,
    mkdirs: Vec<String>,
    symlinks: Vec<(String, String)>,
    server_root: Option<String>,
    defines: Vec<String>,
    /// `-D` for httpd only (what an init script passes, which tlslint
    /// finds by itself)
    httpd_defines: Vec<String>,
}

#[derive(Debug, Clone)]
struct Tree {
    dir: PathBuf,
    roots: Vec<RootMeta>,
}

fn default_main(dir: &Path) -> String {
    for m in ["apache2.conf", "httpd.conf", "conf/httpd.conf"] {
        if dir.join(m).is_file() {
            return m.into();
        }
    }
    "httpd.conf".into()
}

fn parse_expect(v: &str) -> Expect {
    let v = v.trim();
    if let Some(r) = v.strip_prefix("skip:") {
        return Expect::Skip(r.trim().into());
    }
    if let Some(r) = v.strip_prefix("rejects-later:") {
        return Expect::RejectsLater(r.trim().into());
    }
    match v {
        "accept" => Expect::Accept,
        "read-error" => Expect::ReadError,
        "walk-error" => Expect::WalkError,
        other => panic!("unknown httpd expectation {other:?}"),
    }
}

fn load_tree(dir: &Path) -> Tree {
    let name = dir.file_name().unwrap().to_string_lossy().into_owned();
    let meta = std::fs::read_to_string(dir.join("fixture.meta")).unwrap_or_default();
    let base = RootMeta {
        name: name.clone(),
        main: default_main(dir),
        scaffold: false,
        expect: if name.starts_with("err-") {
            Expect::ReadError
        } else {
            Expect::Accept
        },
        fix_modules: false,
        rewrites: vec![],
        appends: vec![],
        mkdirs: vec![],
        symlinks: vec![],
        server_root: None,
        defines: vec![],
        httpd_defines: vec![],
    };
    let mut defaults = base.clone();
    let mut sections: Vec<RootMeta> = Vec::new();
    let mut fragments: Vec<String> = Vec::new();
    let mut explicit_expect: BTreeMap<String, Expect> = BTreeMap::new();
    let mut current: Option<usize> = None;
    for raw in meta.lines() {
        let line = raw.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        if let Some(sec) = line.strip_prefix('[').and_then(|l| l.strip_suffix(']')) {
            let mut r = defaults.clone();
            r.main = sec.to_string();
            r.name = format!("{name}/{sec}");
            sections.push(r);
            current = Some(sections.len() - 1);
            continue;
        }
        let (k, v) = line.split_once(':').expect("KEY: VALUE");
        let v = v.trim();
        let target: &mut RootMeta = match current {
            Some(i) => &mut sections[i],
            None => &mut defaults,
        };
        match k.trim() {
            "main" => target.main = v.into(),
            "scaffold" => {
                assert_eq!(v, "debian");
                target.scaffold = true;
            }
            "httpd" => {
                target.expect = parse_expect(v);
                if current.is_some() {
                    explicit_expect.insert(target.main.clone(), target.expect.clone());
                }
            }
            "fix-modules" => {
                assert_eq!(v, "debian");
                target.fix_modules = true;
            }
            "rewrite" => {
                let (a, b) = v.split_once("=>").expect("rewrite: A => B");
                target.rewrites.push((a.trim().into(), b.trim().into()));
            }
            "append" => {
                let (a, b) = v.split_once("=>").expect("append: FILE => LINE");
                target.appends.push((a.trim().into(), b.trim().into()));
            }
            "mkdir" => target.mkdirs.push(v.into()),
            "symlink" => {
                let (a, b) = v.split_once("=>").expect("symlink: LINK => TARGET");
                target.symlinks.push((a.trim().into(), b.trim().into()));
            }
            "server-root" => target.server_root = Some(v.into()),
            "define" => target.defines.push(v.into()),
            "httpd-define" => target.httpd_defines.push(v.into()),
            "fragments" => fragments.extend(v.split_whitespace().map(String::from)),
            other => panic!("{}: unknown key {other:?}", dir.display()),
        }
    }
    let mut roots = Vec::new();
    if !fragments.is_empty() {
        for d in &fragments {
            let mut files: Vec<PathBuf> = std::fs::read_dir(dir.join(d))
                .unwrap()
                .map(|e| e.unwrap().path())
                .filter(|p| p.extension().is_some_and(|e| e == "conf"))
                .collect();
            files.sort();
            for f in files {
                let rel = format!("{d}/{}", f.file_name().unwrap().to_string_lossy());
                let mut r = defaults.clone();
                r.name = format!("{name}/{rel}");
                if let Some(e) = explicit_expect.get(&rel) {
                    r.expect = e.clone();
                }
                if let Some(s) = sections.iter().find(|s| s.main == rel) {
                    r = s.clone();
                }
                r.main = rel;
                roots.push(r);
            }
        }
    } else if sections.is_empty() {
        roots.push(defaults);
    } else {
        roots = sections;
    }
    Tree {
        dir: dir.to_path_buf(),
        roots,
    }
}

fn trees() -> Vec<Tree> {
    let mut dirs: Vec<PathBuf> = std::fs::read_dir(repo().join("fixtures/apache"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.is_dir())
        .collect();
    dirs.sort();
    dirs.iter().map(|d| load_tree(d)).collect()
}

/// Copy a tree, keeping symlinks as symlinks.
fn copy_tree(src: &Path, dst: &Path) {
    std::fs::create_dir_all(dst).unwrap();
    for e in std::fs::read_dir(src).unwrap() {
        let e = e.unwrap();
        let to = dst.join(e.file_name());
        let ft = e.file_type().unwrap();
        if ft.is_symlink() {
            let target = std::fs::read_link(e.path()).unwrap();
            std::os::unix::fs::symlink(target, &to).unwrap();
        } else if ft.is_dir() {
            copy_tree(&e.path(), &to);
        } else {
            std::fs::copy(e.path(), &to).unwrap();
        }
    }
}

fn regular_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for e in std::fs::read_dir(dir).unwrap() {
        let e = e.unwrap();
        let ft = e.file_type().unwrap();
        if ft.is_dir() {
            regular_files(&e.path(), out);
        } else if ft.is_file() {
            out.push(e.path());
        }
    }
}

/// `fix-modules: debian` for one file's text.
fn fix_modules(text: &str) -> String {
    let mut out = String::new();
    for line in text.split_inclusive('\n') {
        let t = line.trim_start();
        let words: Vec<&str> = t.split_whitespace().collect();
        if words.len() == 3 && words[0].eq_ignore_ascii_case("LoadModule") {
            let indent = &line[..line.len() - t.len()];
            let file = Path::new(words[2])
                .file_name()
                .unwrap()
                .to_string_lossy()
                .into_owned();
            let deb = Path::new("/usr/lib/apache2/modules").join(&file);
            let nl = if line.ends_with('\n') { "\n" } else { "" };
            if deb.is_file() {
                out.push_str(&format!(
                    "{indent}LoadModule {} {}{nl}",
                    words[1],
                    deb.display()
                ));
            } else {
                out.push_str(&format!("{indent}#{}{nl}", t.trim_end_matches('\n')));
            }
            continue;
        }
        out.push_str(line);
    }
    out
}

/// Modules the scaffold enables beyond Debian's defaults (certbot's own
/// test script enables ssl, rewrite, macro, deflate, userdir, version,
/// mime, setenvif; wsgi is not packaged here).
const SCAFFOLD_MODS: &[&str] = &[
    "ssl.load",
    "ssl.conf",
    "socache_shmcb.load",
    "rewrite.load",
    "headers.load",
    "macro.load",
    "userdir.load",
    "userdir.conf",
    "proxy.load",
    "proxy.conf",
    "proxy_http.load",
    "expires.load",
    "include.load",
    "cgid.load",
    "cgid.conf",
];

struct Prepared {
    _tmp: tempfile::TempDir,
    copy: PathBuf,
    main: PathBuf,
    server_root: Option<PathBuf>,
    run: PathBuf,
}

fn prepare(tree: &Tree, r: &RootMeta) -> Prepared {
    let tmp = tempfile::Builder::new()
        .prefix("tlslint-apache-")
        .tempdir()
        .unwrap();
    let base = tmp.path().canonicalize().unwrap();
    let copy = base.join("t");
    let main = if r.scaffold {
        copy_tree(&repo().join("fixtures/apache/debian-etc-apache2"), &copy);
        for m in SCAFFOLD_MODS {
            let link = copy.join("mods-enabled").join(m);
            if !link.exists() && copy.join("mods-available").join(m).is_file() {
                std::os::unix::fs::symlink(format!("../mods-available/{m}"), &link).unwrap();
            }
        }
        let frag = tree.dir.join(&r.main);
        let name = frag.file_name().unwrap();
        std::fs::copy(&frag, copy.join("sites-enabled").join(name)).unwrap();
        copy.join("apache2.conf")
    } else {
        copy_tree(&tree.dir, &copy);
        let _ = std::fs::remove_file(copy.join("fixture.meta"));
        copy.join(&r.main)
    };
    if !r.rewrites.is_empty() || r.fix_modules {
        let mut files = Vec::new();
        regular_files(&copy, &mut files);
        for f in files {
            let Ok(mut text) = std::fs::read_to_string(&f) else {
                continue;
            };
            let before = text.clone();
            for (a, b) in &r.rewrites {
                text = text.replace(a, &b.replace("{COPY}", &copy.display().to_string()));
            }
            if r.fix_modules {
                text = fix_modules(&text);
            }
            if text != before {
                std::fs::write(&f, text).unwrap();
            }
        }
    }
    for (f, line) in &r.appends {
        let path = copy.join(f);
        let mut text = std::fs::read_to_string(&path).unwrap();
        if !text.ends_with('\n') {
            text.push('\n');
        }
        text.push_str(line);
        text.push('\n');
        std::fs::write(&path, text).unwrap();
    }
    for d in &r.mkdirs {
        std::fs::create_dir_all(copy.join(d)).unwrap();
    }
    for (link, target) in &r.symlinks {
        std::os::unix::fs::symlink(target, copy.join(link)).unwrap();
    }
    let run = base.join("run");
    for d in ["run", "lock", "log"] {
        std::fs::create_dir_all(run.join(d)).unwrap();
    }
    let server_root = r.server_root.as_ref().map(|s| copy.join(s));
    Prepared {
        _tmp: tmp,
        copy,
        main,
        server_root,
        run,
    }
}

struct Output {
    status: Option<i32>,
    stdout: String,
    stderr: String,
}

fn run(mut cmd: Command, timeout: Duration) -> Output {
    cmd.stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let mut child = cmd.spawn().expect("spawn");
    let start = Instant::now();
    loop {
        match child.try_wait() {
            Ok(Some(_)) => break,
            Ok(None) if start.elapsed() > timeout => {
                let _ = child.kill();
                break;
            }
            Ok(None) => std::thread::sleep(Duration::from_millis(10)),
            Err(_) => break,
        }
    }
    let out = child.wait_with_output().expect("wait");
    Output {
        status: out.status.code(),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

fn run_httpd(apache2: &Path, p: &Prepared, r: &RootMeta) -> Output {
    let main_dir = p.main.parent().unwrap();
    let root = p
        .server_root
        .clone()
        .unwrap_or_else(|| main_dir.to_path_buf());
    let mut args: Vec<String> = vec![
        "-d".into(),
        root.display().to_string(),
        "-f".into(),
        p.main.display().to_string(),
        "-t".into(),
        "-D".into(),
        "DUMP_INCLUDES".into(),
        "-D".into(),
        "DUMP_VHOSTS".into(),
    ];
    for d in r.defines.iter().chain(&r.httpd_defines) {
        args.push("-D".into());
        args.push(d.clone());
    }
    let mut script = String::new();
    if main_dir.join("envvars").is_file() {
        script.push_str(". ./envvars; ");
    }
    script.push_str(&format!(
        "export APACHE_RUN_DIR={0}/run APACHE_LOCK_DIR={0}/lock APACHE_LOG_DIR={0}/log APACHE_PID_FILE={0}/run/pid; exec \"$0\" \"$@\"",
        p.run.display()
    ));
    let mut cmd = Command::new("sh");
    cmd.arg("-c").arg(script).arg(apache2).args(&args);
    cmd.current_dir(main_dir);
    cmd.env_clear();
    cmd.env("PATH", "/usr/sbin:/usr/bin:/sbin:/bin");
    cmd.env("LANG", "C");
    run(cmd, Duration::from_secs(60))
}

fn run_tlslint(p: &Prepared, r: &RootMeta, format: &str) -> Output {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_tlslint"));
    cmd.arg("parse")
        .arg(&p.main)
        .arg("--server")
        .arg("apache")
        .arg("--format")
        .arg(format);
    if let Some(s) = &p.server_root {
        cmd.arg("--server-root").arg(s);
    }
    for d in &r.defines {
        cmd.arg("-D").arg(d);
    }
    run(cmd, Duration::from_secs(60))
}

/// httpd's include tree (`Included configuration files:` and its lines).
fn httpd_dump(stdout: &str) -> String {
    let mut out = String::new();
    let mut on = false;
    for l in stdout.lines() {
        if l == "Included configuration files:" {
            on = true;
        } else if on && !l.starts_with("  ") {
            on = false;
        }
        if on {
            out.push_str(l);
            out.push('\n');
        }
    }
    out
}

/// The innermost "Syntax error on line N of FILE: MESSAGE" of httpd's
/// stderr: read-phase errors (`apache2: ...` on one line) or walk-phase ones
/// (`AH00526: Syntax error on line N of FILE:` then the message).
#[derive(Debug, Clone, PartialEq)]
struct HttpdError {
    /// httpd cut the message short (deeply nested includes): `file` and
    /// `line` are those of the last level it printed whole, not the
    /// innermost, and `message` is unknown.
    truncated: bool,
    read_phase: bool,
    file: String,
    line: u32,
    message: String,
}

fn httpd_error(stderr: &str) -> Option<HttpdError> {
    let lines: Vec<&str> = stderr.lines().collect();
    for (i, l) in lines.iter().enumerate() {
        let (read_phase, rest) = if let Some(r) = l.strip_prefix("apache2: ") {
            (true, r)
        } else if let Some(r) = l.strip_prefix("AH00526: ") {
            (false, r)
        } else {
            continue;
        };
        if let Some(m) = rest.strip_prefix("Could not open configuration file ") {
            // the main file itself
            return Some(HttpdError {
                truncated: false,
                read_phase,
                file: m.split(':').next().unwrap_or("").into(),
                line: 0,
                message: rest.into(),
            });
        }
        if !rest.starts_with("Syntax error on line ") {
            continue;
        }
        // the innermost of the nested "Syntax error on line N of F: "
        let mut cur = rest;
        let mut last: Option<(u32, String, String)> = None;
        let mut truncated = false;
        const P: &str = "Syntax error on line ";
        while let Some(r) = cur.strip_prefix(P) {
            let Some((num, r2)) = r.split_once(" of ") else {
                break;
            };
            let Ok(n) = num.parse::<u32>() else { break };
            // FILE ends at the ':' that follows it (paths and macro names
            // have no ": "); a message httpd cut short ends the chain
            let (file, msg) = match r2.find(": ") {
                Some(k) => (&r2[..k], &r2[k + 2..]),
                None if read_phase => {
                    truncated = true;
                    break;
                }
                None => (r2.trim_end_matches(':'), ""),
            };
            last = Some((n, file.into(), msg.into()));
            cur = msg;
        }
        let (line, file, mut message) = last?;
        // the chain goes on but was cut short
        if read_phase
            && (message.starts_with(P) || (!message.is_empty() && P.starts_with(message.as_str())))
        {
            truncated = true;
        }
        if !read_phase {
            message = lines.get(i + 1).copied().unwrap_or("").into();
        }
        return Some(HttpdError {
            truncated,
            read_phase,
            file,
            line,
            message,
        });
    }
    None
}

/// tlslint's first `error: FILE:LINE:COL: MESSAGE`.
fn tlslint_error(stderr: &str) -> Option<(String, u32, String)> {
    for l in stderr.lines() {
        let Some(rest) = l.strip_prefix("error: ") else {
            continue;
        };
        // FILE may contain ':' (macro names): find ":LINE:COL: " from the left
        let b = rest.as_bytes();
        let mut i = 0;
        while let Some(k) = rest[i..].find(':') {
            let at = i + k;
            let tail = &rest[at + 1..];
            let digits: String = tail.chars().take_while(|c| c.is_ascii_digit()).collect();
            if !digits.is_empty() && tail[digits.len()..].starts_with(':') {
                let t2 = &tail[digits.len() + 1..];
                let d2: String = t2.chars().take_while(|c| c.is_ascii_digit()).collect();
                if !d2.is_empty() && t2[d2.len()..].starts_with(": ") {
                    return Some((
                        rest[..at].into(),
                        digits.parse().unwrap_or(0),
                        t2[d2.len() + 2..].into(),
                    ));
                }
            }
            i = at + 1;
            if i >= b.len() {
                break;
            }
        }
        return Some((rest.into(), 0, rest.into()));
    }
    None
}

/// httpd words some messages with more than tlslint shows: they agree if
/// tlslint's message starts with one of httpd's lines (without the
/// `FILE:LINE: ` of "was not closed" lines), or the other way round.
/// httpd's `\n\tcontents error: ` is `: contents error: ` in tlslint's.
fn messages_agree(httpd: &str, ours: &str) -> bool {
    let h = httpd.replace("\\n\\tcontents error: ", ": contents error: ");
    let h = h.replace("\n\tcontents error: ", ": contents error: ");
    h.split("\\n").flat_map(|s| s.split('\n')).any(|seg| {
        let seg = match seg.rfind(": <") {
            Some(k) if seg.ends_with("was not closed.") => &seg[k + 2..],
            _ => seg,
        };
        !seg.is_empty() && (ours.starts_with(seg) || seg.starts_with(ours))
    })
}

/// The kinds of errors httpd finds after reading that tlslint models too.
fn modelled_after_reading(message: &str) -> bool {
    message.ends_with("directive missing closing '>'")
        || message.ends_with("directive requires additional arguments")
        || message.ends_with("cannot occur within <VirtualHost> section")
}

/// httpd's error and tlslint's first agree: same file and line and
/// message (only the file when httpd cut its message short).
fn errors_agree(he: &HttpdError, t: &(String, u32, String)) -> bool {
    let (tf, tl, tm) = t;
    if he.truncated {
        return *tf == he.file;
    }
    *tf == he.file && *tl == he.line && messages_agree(&he.message, tm)
}

/// DUMP_VHOSTS: (file, line) of each virtual host, with its address.
fn httpd_vhosts(stdout: &str) -> Vec<(String, String, u32)> {
    let mut out = Vec::new();
    let mut on = false;
    let mut addr = String::new();
    for l in stdout.lines() {
        if l == "VirtualHost configuration:" {
            on = true;
            continue;
        }
        if !on {
            continue;
        }
        if !l.starts_with(' ') {
            addr = l.split_whitespace().next().unwrap_or("").to_string();
        }
        if let (Some(a), Some(b)) = (l.rfind('('), l.rfind(')')) {
            let inner = &l[a + 1..b];
            if let Some((f, n)) = inner.rsplit_once(':') {
                if let Ok(n) = n.parse() {
                    out.push((addr.clone(), f.to_string(), n));
                }
            }
        }
    }
    out
}

/// tlslint's `--format vhosts`: (addresses, file, line).
fn tlslint_vhosts(stdout: &str) -> Vec<(Vec<String>, String, u32)> {
    let mut out = Vec::new();
    for l in stdout.lines() {
        if l.starts_with(' ') {
            continue;
        }
        let (Some(a), Some(b)) = (l.rfind('('), l.rfind(')')) else {
            continue;
        };
        let inner = &l[a + 1..b];
        let Some((f, n)) = inner.rsplit_once(':') else {
            continue;
        };
        let head: Vec<String> = l[..a].split_whitespace().map(String::from).collect();
        let addrs = head[..head.len().saturating_sub(1)].to_vec();
        out.push((addrs, f.to_string(), n.parse().unwrap_or(0)));
    }
    out
}

/// Whether httpd's printed address (`*:443`, `127.0.0.1:80`, `[::1]:443`)
/// is one of a virtual host's written addresses (IP addresses compared as
/// addresses: `[0000::2]` is `[::2]`).
fn address_matches(printed: &str, written: &[String]) -> bool {
    fn split(a: &str) -> (String, String) {
        let a = a.trim();
        let (host, port) = if let Some(rest) = a.strip_prefix('[') {
            match rest.split_once(']') {
                Some((h, p)) => (h.to_string(), p.trim_start_matches(':').to_string()),
                None => (rest.to_string(), String::new()),
            }
        } else {
            match a.rsplit_once(':') {
                Some((h, p)) if !h.contains(':') => (h.to_string(), p.to_string()),
                _ => (a.to_string(), String::new()),
            }
        };
        let host = match host.as_str() {
            "_default_" | "*" => "*".to_string(),
            h => h
                .parse::<std::net::IpAddr>()
                .map(|ip| ip.to_string())
                .unwrap_or_else(|_| h.to_string()),
        };
        let port = if port.is_empty() {
            "*".to_string()
        } else {
            port
        };
        (host, port)
    }
    let (ph, pp) = split(printed);
    written.iter().any(|w| {
        let (h, p) = split(w);
        (h == ph || h == "*" || ph == "*") && (p == pp || p == "*" || pp == "*")
    })
}

enum Verdict {
    Agree(String),
    Skipped(String),
}

fn check_root(apache2: &Path, tree: &Tree, r: &RootMeta) -> Result<Verdict, String> {
    if let Expect::Skip(why) = &r.expect {
        return Ok(Verdict::Skipped(format!("{}: {why}", r.name)));
    }
    let p = prepare(tree, r);
    let h = run_httpd(apache2, &p, r);
    let t = run_tlslint(&p, r, "includes");
    let hdump = httpd_dump(&h.stdout);
    let herr = httpd_error(&h.stderr);
    let terr = tlslint_error(&t.stderr);
    let ctx = |what: &str| -> String {
        format!(
            "{}: {what}\n--- httpd (exit {:?}) stdout:\n{}--- httpd stderr:\n{}--- tlslint (exit {:?}) stdout:\n{}--- tlslint stderr:\n{}",
            r.name, h.status, h.stdout, h.stderr, t.status, t.stdout, t.stderr
        )
    };
    let local = |f: &str| f.replace(&p.copy.display().to_string(), "COPY");
    if hdump.is_empty() && herr.is_none() {
        return Err(ctx("httpd printed neither an include tree nor an error"));
    }
    // the include trees agree, up to where httpd stopped
    if hdump != t.stdout {
        return Err(ctx("the include trees differ"));
    }
    match herr {
        Some(he) if he.read_phase => {
            if r.expect != Expect::ReadError {
                return Err(ctx(&format!(
                    "httpd stopped reading (expected {:?})",
                    r.expect
                )));
            }
            let Some((tf, tl, tm)) = terr else {
                return Err(ctx("httpd reports a syntax error, tlslint none"));
            };
            if !errors_agree(&he, &(tf.clone(), tl, tm.clone())) {
                return Err(ctx(&format!(
                    "errors differ: httpd {}:{}: {} / tlslint {}:{}: {}",
                    he.file, he.line, he.message, tf, tl, tm
                )));
            }
            if t.status != Some(2) {
                return Err(ctx("tlslint did not exit 2"));
            }
            Ok(Verdict::Agree(format!(
                "{}: both stop at {}:{}: {}",
                r.name,
                local(&he.file),
                he.line,
                he.message
            )))
        }
        Some(he) => {
            // httpd read the whole tree, then rejected it
            if let Some((tf, tl, tm)) = &terr {
                if !errors_agree(&he, &(tf.clone(), *tl, tm.clone())) {
                    return Err(ctx(&format!(
                        "errors differ: httpd (after reading) {}:{}: {} / tlslint {}:{}: {}",
                        he.file, he.line, he.message, tf, tl, tm
                    )));
                }
            }
            match &r.expect {
                Expect::WalkError => {
                    if terr.is_none() {
                        return Err(ctx(
                            "httpd rejects the tree after reading it, tlslint finds nothing",
                        ));
                    }
                    Ok(Verdict::Agree(format!(
                        "{}: same include tree; both reject {}:{}: {}",
                        r.name,
                        local(&he.file),
                        he.line,
                        he.message
                    )))
                }
                Expect::RejectsLater(why) => {
                    if t.stderr.lines().any(|l| l.starts_with("error: ")) && terr.is_some() {
                        // tlslint found the same error: fine too
                    }
                    Ok(Verdict::Agree(format!(
                        "{}: same include tree ({} files); httpd then rejects {}:{}: {} ({why})",
                        r.name,
                        t.stdout.lines().count().saturating_sub(1),
                        local(&he.file),
                        he.line,
                        he.message
                    )))
                }
                other => Err(ctx(&format!(
                    "httpd rejects the tree after reading it (expected {other:?})"
                ))),
            }
        }
        None => {
            if h.status != Some(0) {
                // an error after reading that is not a syntax error (no MPM, ...)
                return match &r.expect {
                    Expect::RejectsLater(why) => Ok(Verdict::Agree(format!(
                        "{}: same include tree; httpd then fails ({why})",
                        r.name
                    ))),
                    _ => Err(ctx("httpd failed without a syntax error")),
                };
            }
            if r.expect != Expect::Accept {
                return Err(ctx(&format!(
                    "httpd accepts the tree (expected {:?})",
                    r.expect
                )));
            }
            if t.status != Some(0) {
                return Err(ctx("httpd accepts the tree, tlslint does not"));
            }
            // virtual hosts
            let hv = httpd_vhosts(&h.stdout);
            let tv_out = run_tlslint(&p, r, "vhosts");
            let tv = tlslint_vhosts(&tv_out.stdout);
            let mut hset: Vec<(String, u32)> = hv.iter().map(|(_, f, n)| (f.clone(), *n)).collect();
            hset.sort();
            hset.dedup();
            let mut tset: Vec<(String, u32)> = tv.iter().map(|(_, f, n)| (f.clone(), *n)).collect();
            tset.sort();
            tset.dedup();
            if hset != tset {
                return Err(ctx(&format!(
                    "virtual hosts differ: httpd {hset:?} / tlslint {tset:?}\n--- tlslint vhosts:\n{}",
                    tv_out.stdout
                )));
            }
            for (addr, f, n) in &hv {
                let Some((addrs, _, _)) = tv.iter().find(|(_, tf, tn)| tf == f && tn == n) else {
                    continue;
                };
                if !address_matches(addr, addrs) {
                    return Err(ctx(&format!(
                        "virtual host {f}:{n}: httpd lists it on {addr}, tlslint has {addrs:?}"
                    )));
                }
            }
            Ok(Verdict::Agree(format!(
                "{}: accepted; same include tree ({} files) and virtual hosts ({})",
                r.name,
                t.stdout.lines().count().saturating_sub(1),
                hset.len()
            )))
        }
    }
}

#[test]
fn httpd_agrees_on_includes_errors_and_vhosts() {
    let trees = trees();
    assert!(trees.len() >= 40, "only {} fixture trees", trees.len());
    let Some(apache2) = apache2() else {
        skip_or_fail(
            "apache oracle",
            "apache2 is not installed (apt-get install apache2)",
        );
        return;
    };
    let (mut agree, mut skipped, mut failures) = (Vec::new(), Vec::new(), Vec::new());
    let (mut accepted, mut read_errors, mut later) = (0, 0, 0);
    for tree in &trees {
        for r in &tree.roots {
            match check_root(&apache2, tree, r) {
                Ok(Verdict::Agree(s)) => {
                    match &r.expect {
                        Expect::Accept => accepted += 1,
                        Expect::ReadError => read_errors += 1,
                        _ => later += 1,
                    }
                    agree.push(s)
                }
                Ok(Verdict::Skipped(s)) => skipped.push(s),
                Err(e) => failures.push(e),
            }
        }
    }
    for s in &agree {
        say(&format!("  agree: {s}"));
    }
    for s in &skipped {
        say(&format!("  skipped: {s}"));
    }
    say(&format!(
        "apache oracle: {} roots agree ({accepted} accepted, {read_errors} stopped at a syntax error, {later} rejected after reading), {} skipped, {} disagree",
        agree.len(),
        skipped.len(),
        failures.len()
    ));
    let summary: Vec<&str> = failures
        .iter()
        .map(|f| f.lines().next().unwrap_or(""))
        .collect();
    assert!(
        failures.is_empty(),
        "{} disagreements with httpd:\n{}\n\n{}",
        failures.len(),
        summary.join("\n"),
        failures.join("\n==========\n")
    );
    assert!(accepted >= 20, "only {accepted} accepted roots");
    assert!(read_errors >= 20, "only {read_errors} syntax-error roots");
}

/// The readers of httpd's and tlslint's output, on fixed samples.
#[test]
fn message_readers() {
    let e = httpd_error("apache2: Syntax error on line 6 of /t/a.conf: Syntax error on line 2 of /t/b c.conf: Expected </X> but saw </Y>\n").unwrap();
    assert_eq!(
        (e.file.as_str(), e.line, e.message.as_str(), e.read_phase),
        ("/t/b c.conf", 2, "Expected </X> but saw </Y>", true)
    );
    let e = httpd_error("AH00526: Syntax error on line 7 of /t/h.conf:\n<VirtualHost> directive missing closing '>'\n").unwrap();
    assert_eq!(
        (e.file.as_str(), e.line, e.message.as_str(), e.read_phase),
        (
            "/t/h.conf",
            7,
            "<VirtualHost> directive missing closing '>'",
            false
        )
    );
    let e = httpd_error("apache2: Syntax error on line 1 of macro 'm' (defined on line 7 of \"/t/h.conf\") used on line 10 of \"/t/h.conf\": recursive use of macro 'm' is invalid\n").unwrap();
    assert_eq!(
        e.file,
        "macro 'm' (defined on line 7 of \"/t/h.conf\") used on line 10 of \"/t/h.conf\""
    );
    assert_eq!(e.line, 1);
    assert_eq!(
        tlslint_error("note: x\nerror: macro 'm' (defined on line 7 of \"/t/h.conf\") used on line 10 of \"/t/h.conf\":1:3: recursive use\n"),
        Some(("macro 'm' (defined on line 7 of \"/t/h.conf\") used on line 10 of \"/t/h.conf\"".into(), 1, "recursive use".into()))
    );
    assert!(messages_agree(
        "/t/a.conf:6: <VirtualHost> was not closed.",
        "<VirtualHost> was not closed."
    ));
    assert!(messages_agree(
        "/t/a.conf:7: <Directory> was not closed.\\n/t/a.conf:6: <VirtualHost> was not closed.",
        "<VirtualHost> was not closed. <Directory> (line 7) was not closed."
    ));
    assert_eq!(
        httpd_vhosts("VirtualHost configuration:\n*:80                   a (/t/a.conf:1)\n*:443                  is a NameVirtualHost\n         default server b (/t/b.conf:2)\n         port 443 namevhost b (/t/b.conf:2)\n"),
        vec![("*:80".into(), "/t/a.conf".into(), 1), ("*:443".into(), "/t/b.conf".into(), 2), ("*:443".into(), "/t/b.conf".into(), 2)]
    );
    assert!(address_matches("*:443", &["*:443".into()]));
    assert!(address_matches("*:443", &["_default_:443".into()]));
    assert!(address_matches(
        "[::1]:80",
        &["*:80".into(), "[::1]:80".into()]
    ));
    assert!(!address_matches("*:80", &["*:443".into()]));
}

/// Nested sections that mostly balance, for the fuzzer.
fn balanced(s: &mut String, n: usize, depth: usize, next: &mut dyn FnMut() -> u64) {
    const OPEN: &[(&str, &str)] = &[
        ("<VirtualHost *:80>", "</VirtualHost>"),
        ("<Directory /srv>", "</Directory>"),
        ("<IfModule mpm_event_module>", "</IfModule>"),
        ("<IfModule !mpm_event_module>", "</IfModule>"),
        ("<IfDefine X>", "</IfDefine>"),
        ("<IfDefine !X>", "</IfDefine>"),
        ("<IfVersion < 2.4>", "</IfVersion>"),
        ("<ifmodule nope.c>", "</IFMODULE>"),
        ("<Location />", "</Location>"),
        ("<Files \\\n x>", "</Files>"),
    ];
    const SIMPLE: &[&str] = &[
        "Options None",
        "Define X",
        "UnDefine X",
        "Include inc/a.conf",
        "IncludeOptional inc/*.conf",
        "Include ${D}/b.conf",
        "Define D inc",
        "# comment \\",
        "Options \\\n  None",
        "ServerAdmin \"a b\"",
    ];
    const STRAY: &[&str] = &[
        "</Directory>",
        "</IfModule>",
        "</IfModule> x",
        "<VirtualHost *:80",
        "</IfDefine>",
    ];
    for _ in 0..n {
        let r = next() % 100;
        if r < 45 && depth < 4 {
            let (o, c) = OPEN[(next() % OPEN.len() as u64) as usize];
            s.push_str(o);
            s.push('\n');
            let k = (next() % 4) as usize;
            balanced(s, k, depth + 1, next);
            if !next().is_multiple_of(25) {
                s.push_str(c);
                s.push('\n');
            }
        } else if r < 95 {
            s.push_str(SIMPLE[(next() % SIMPLE.len() as u64) as usize]);
            s.push('\n');
        } else {
            s.push_str(STRAY[(next() % STRAY.len() as u64) as usize]);
            s.push('\n');
        }
    }
}

/// Differential fuzzing against httpd: random soups of section tags,
/// conditionals, defines, includes, continuations and comments (a fixed
/// seed, so every run checks the same cases). Where httpd stops reading at
/// a syntax error, tlslint must stop at the same file and line; otherwise
/// the include trees must be the same, and an error tlslint finds after
/// reading must be httpd's.
#[test]
fn differential_fuzz_against_httpd() {
    let Some(apache2) = apache2() else {
        skip_or_fail("apache differential fuzz", "apache2 is not installed");
        return;
    };
    const PIECES: &[&str] = &[
        "<VirtualHost *:80>",
        "</VirtualHost>",
        "<Directory /srv>",
        "</Directory>",
        "</Directory",
        "<IfModule mpm_event_module>",
        "<IfModule !mpm_event_module>",
        "<IfModule nope_module>",
        "</IfModule>",
        "</IfModule> # x",
        "<IfDefine X>",
        "<IfDefine !X>",
        "</IfDefine>",
        "<IfVersion >= 2.4>",
        "</IfVersion>",
        "Define X",
        "UnDefine X",
        "Define D inc",
        "Include inc/a.conf",
        "Include ${D}/b.conf",
        "IncludeOptional inc/*.conf",
        "IncludeOptional nothing/*.conf",
        "Include inc/*.none",
        "Include missing.conf",
        "Options None",
        "Options \\",
        "# a comment \\",
        "# plain comment",
        "",
        "  <Files x>",
        "  </Files>",
        "<VirtualHost *:80",
        "<Else>",
        "\"<IfDefine\" X>",
        "<Nope>",
        "</Nope>",
        "<Macro M $a>",
        "</Macro>",
        "</macro>",
        "Use M inc/a.conf",
        "Use M",
        "  Include $a",
        "UndefMacro M",
        "<IfFile inc/a.conf>",
        "<IfFile !missing>",
        "</IfFile>",
        "<If \"true\">",
        "</If>",
        "<IfDirective SSLEngine>",
        "</IfDirective>",
        "Define V \"a b\"",
        "<VirtualHost ${V}>",
    ];
    let mut seed: u64 = 0x7a11_5eed_2026_0001;
    let mut next = move || {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        seed
    };
    let cases: usize = std::env::var("TLSLINT_APACHE_FUZZ")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(150);
    let mut failures = Vec::new();
    let (mut read_err, mut clean) = (0, 0);
    for case in 0..cases {
        let soup = |n: usize, next: &mut dyn FnMut() -> u64| -> String {
            // half the cases: a token soup; the others: nested sections that
            // mostly balance, with a rare stray piece
            let mut s = String::new();
            if next().is_multiple_of(2) {
                for _ in 0..n {
                    s.push_str(PIECES[(next() % PIECES.len() as u64) as usize]);
                    s.push('\n');
                }
            } else {
                balanced(&mut s, n, 0, next);
            }
            s
        };
        let main_body = soup(1 + (next() % 10) as usize, &mut next);
        let a = soup((next() % 5) as usize, &mut next);
        let b = soup((next() % 3) as usize, &mut next);
        let tmp = tempfile::Builder::new()
            .prefix("tlslint-apache-fuzz-")
            .tempdir()
            .unwrap();
        let dir = tmp.path().canonicalize().unwrap();
        std::fs::create_dir_all(dir.join("inc")).unwrap();
        let main = dir.join("httpd.conf");
        std::fs::write(
            &main,
            format!("LoadModule mpm_event_module /usr/lib/apache2/modules/mod_mpm_event.so\nLoadModule macro_module /usr/lib/apache2/modules/mod_macro.so\nServerName localhost\nErrorLog /dev/null\n{main_body}"),
        )
        .unwrap();
        std::fs::write(dir.join("inc/a.conf"), &a).unwrap();
        std::fs::write(dir.join("inc/b.conf"), &b).unwrap();
        let r = RootMeta {
            name: format!("fuzz case {case}"),
            main: "httpd.conf".into(),
            scaffold: false,
            expect: Expect::Accept,
            fix_modules: false,
            rewrites: vec![],
            appends: vec![],
            mkdirs: vec![],
            symlinks: vec![],
            server_root: None,
            defines: vec![],
            httpd_defines: vec![],
        };
        let run_dir = dir.join("run");
        for d in ["run", "lock", "log"] {
            std::fs::create_dir_all(run_dir.join(d)).unwrap();
        }
        let p = Prepared {
            _tmp: tmp,
            copy: dir.clone(),
            main: main.clone(),
            server_root: None,
            run: run_dir,
        };
        let h = run_httpd(&apache2, &p, &r);
        let t = run_tlslint(&p, &r, "includes");
        let herr = httpd_error(&h.stderr);
        let terr = tlslint_error(&t.stderr);
        let show = || {
            format!(
                "fuzz case {case}:\n--- httpd.conf (after 4 lines):\n{main_body}--- inc/a.conf:\n{a}--- inc/b.conf:\n{b}--- httpd:\n{}{}--- tlslint:\n{}{}",
                h.stdout, h.stderr, t.stdout, t.stderr
            )
        };
        if httpd_dump(&h.stdout) != t.stdout {
            failures.push(format!("include trees differ\n{}", show()));
            continue;
        }
        match (&herr, &terr) {
            (Some(he), Some(te)) => {
                // after reading, httpd may first find an error tlslint does
                // not model (a directive in the wrong context)
                if (he.read_phase || modelled_after_reading(&he.message)) && !errors_agree(he, te) {
                    failures.push(format!(
                        "errors differ: httpd {}:{}: {} / tlslint {}:{}: {}\n{}",
                        he.file,
                        he.line,
                        he.message,
                        te.0,
                        te.1,
                        te.2,
                        show()
                    ));
                    continue;
                }
                if he.read_phase {
                    read_err += 1;
                }
            }
            (Some(he), None) if he.read_phase || modelled_after_reading(&he.message) => {
                failures.push(format!(
                    "httpd rejects the tree, tlslint does not\n{}",
                    show()
                ));
            }
            (Some(_), None) => {}
            (None, Some(_)) => {
                failures.push(format!("tlslint reports an error, httpd none\n{}", show()));
            }
            (None, None) => clean += 1,
        }
    }
    say(&format!(
        "apache differential fuzz: {cases} cases, {read_err} stopped at the same syntax error, {clean} clean, {} disagree",
        failures.len()
    ));
    assert!(
        failures.is_empty(),
        "{} disagreements with httpd:\n\n{}",
        failures.len(),
        failures.join("\n==========\n")
    );
}
