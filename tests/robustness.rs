//! Never a panic, never a hang.
//!
//! - Property tests feed the parser and the include loader (library API,
//!   in-memory file system) random bytes, random token soup, and random
//!   mutations (flips, insertions, deletions of `{};"'#\$` and friends) of
//!   the real fixture trees. Each run must return a tree or errors, and every
//!   error must point into the file it names (1 <= line <= lines in file).
//!   The crossplane payload and the tree walk must also survive the result.
//! - Through the CLI: a 100,000-deep nesting, a 50 MB file (valid, and three
//!   pathological ones), include cycles, a self-include, a symlink loop, a
//!   directory included as a file: each ends within a time limit with exit
//!   code 0 or 2 (never a signal), and errors name FILE:LINE.

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

use proptest::prelude::*;
use tlslint::fsx::MemFs;
use tlslint::nginx::loader::{self, LoadOptions, Tree};
use tlslint::nginx::{crossplane, parser};
use tlslint::source::{FileId, SourceFile};

// ------------------------------------------------------------ invariants

/// Parse one text; errors must lie inside it.
fn parse_ok(bytes: &[u8]) -> Result<(), TestCaseError> {
    let text = String::from_utf8_lossy(bytes).into_owned();
    let src = SourceFile::new(PathBuf::from("/t/nginx.conf"), text.clone());
    if let Err(e) = parser::parse(&src, FileId(0)) {
        prop_assert!(
            e.line >= 1 && e.line <= src.last_line(),
            "line {} of {} lines: {}",
            e.line,
            src.last_line(),
            e.message
        );
        prop_assert!(e.col >= 1, "column {}: {}", e.col, e.message);
        prop_assert!(
            e.offset <= text.len(),
            "offset {} past {} bytes",
            e.offset,
            text.len()
        );
        prop_assert!(!e.message.is_empty());
    }
    Ok(())
}

/// Everything a loaded tree must satisfy, whatever the input.
fn tree_ok(tree: &Tree) -> Result<(), TestCaseError> {
    for e in &tree.errors {
        prop_assert!(!e.message.is_empty());
        if let Some(f) = e.file {
            let src = tree.sources.get(f);
            prop_assert_eq!(&src.path, &e.path);
            prop_assert!(
                e.line >= 1 && e.line <= src.last_line(),
                "{}:{} but the file has {} lines: {}",
                e.path.display(),
                e.line,
                src.last_line(),
                e.message
            );
        }
    }
    // the consumers of a tree survive it too
    let p = crossplane::payload(tree, true);
    prop_assert_eq!(p.status == "ok", tree.errors.is_empty());
    serde_json::to_string(&p).map_err(|e| TestCaseError::fail(e.to_string()))?;
    let mut n = 0usize;
    tree.walk(&mut |_, parents| {
        n += 1;
        parents.len() < 10_000
    });
    Ok(())
}

fn load_mem(fs: &MemFs, main: &Path) -> Tree {
    loader::load(
        fs,
        main,
        &LoadOptions {
            prefix: None,
            keep_going: true,
        },
    )
}

// ------------------------------------------------------------ the corpus

/// Every fixture tree, as (main file, in-memory file system rooted at /fx/TREE).
fn corpus() -> &'static Vec<(PathBuf, MemFs, Vec<PathBuf>)> {
    static C: std::sync::OnceLock<Vec<(PathBuf, MemFs, Vec<PathBuf>)>> = std::sync::OnceLock::new();
    C.get_or_init(|| {
        let mut out = Vec::new();
        for f in common::fixtures() {
            let mut fs = MemFs::new();
            let mut files = Vec::new();
            for e in walkdir::WalkDir::new(&f.dir)
                .follow_links(true)
                .into_iter()
                .filter_map(|e| e.ok())
            {
                if !e.file_type().is_file() {
                    continue;
                }
                let rel = e.path().strip_prefix(&f.dir).expect("under the tree");
                let p = Path::new("/fx").join(&f.name).join(rel);
                fs.insert(
                    p.clone(),
                    std::fs::read(e.path()).expect("readable fixture"),
                );
                files.push(p);
            }
            for r in &f.roots {
                out.push((
                    Path::new("/fx").join(&f.name).join(&r.file),
                    fs.clone(),
                    files.clone(),
                ));
            }
        }
        assert!(out.len() >= 30);
        out
    })
}

#[test]
fn the_fixture_trees_load_without_panic() {
    for (main, fs, _) in corpus() {
        let tree = load_mem(fs, main);
        tree_ok(&tree).unwrap_or_else(|e| panic!("{}: {e}", main.display()));
        assert!(tree.sources.len() >= 1, "{}", main.display());
    }
}

// ------------------------------------------------------------ properties

const SPECIAL: &[u8] = b"{};\"'#\\$ \n\t\r()";

#[derive(Debug, Clone)]
enum Mutation {
    Flip(usize, u8),
    Insert(usize, u8),
    Delete(usize),
    /// Duplicate a slice (repeats braces, quotes, includes).
    Dup(usize, usize),
}

fn mutation() -> impl Strategy<Value = Mutation> {
    let special = prop::sample::select(SPECIAL.to_vec());
    let any_byte = any::<u8>();
    prop_oneof![
        (any::<usize>(), special.clone()).prop_map(|(i, b)| Mutation::Flip(i, b)),
        (any::<usize>(), special).prop_map(|(i, b)| Mutation::Insert(i, b)),
        (any::<usize>(), any_byte).prop_map(|(i, b)| Mutation::Insert(i, b)),
        any::<usize>().prop_map(Mutation::Delete),
        (any::<usize>(), 0usize..64).prop_map(|(i, n)| Mutation::Dup(i, n)),
    ]
}

fn apply(data: &mut Vec<u8>, m: &Mutation) {
    let len = data.len();
    match *m {
        Mutation::Flip(i, b) if len > 0 => data[i % len] = b,
        Mutation::Insert(i, b) => data.insert(i % (len + 1), b),
        Mutation::Delete(i) if len > 0 => {
            data.remove(i % len);
        }
        Mutation::Dup(i, n) if len > 0 => {
            let s = i % len;
            let e = (s + n).min(len);
            let piece = data[s..e].to_vec();
            data.splice(s..s, piece);
        }
        _ => {}
    }
}

/// Words and punctuation that the grammar cares about.
fn token() -> impl Strategy<Value = String> {
    prop_oneof![
        prop::sample::select(vec![
            "{",
            "}",
            ";",
            "\"",
            "'",
            "#",
            "\\",
            "$",
            "${",
            "(",
            ")",
            " ",
            "\n",
            "\t",
            "\r\n",
            "include",
            "include a.conf;",
            "include *.conf;",
            "include sub/*;",
            "server",
            "http",
            "map $a $b",
            "types",
            "location",
            "if ($a)",
            "content_by_lua_block",
            "set_by_lua_block $x",
            "--[[",
            "]]",
            "[==[",
            "]==]",
            "-- c\n",
            "listen 443 ssl;",
            "ssl_protocols TLSv1.2;",
            "\\\"",
            "\\'",
        ])
        .prop_map(str::to_string),
        "[a-z_]{1,8}",
        "[ -~]{0,6}",
    ]
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn random_bytes_parse(bytes in prop::collection::vec(any::<u8>(), 0..2048)) {
        parse_ok(&bytes)?;
    }

    #[test]
    fn token_soup_parses(tokens in prop::collection::vec(token(), 0..200)) {
        parse_ok(tokens.concat().as_bytes())?;
    }

    /// Random files that include each other, by name and by glob.
    #[test]
    fn token_soup_trees_load(files in prop::collection::vec(prop::collection::vec(token(), 0..60), 1..6)) {
        let mut fs = MemFs::new();
        let names = ["nginx.conf", "a.conf", "b.conf", "sub/c.conf", "sub/d.conf", "e.conf"];
        for (i, f) in files.iter().enumerate() {
            fs.insert(Path::new("/r").join(names[i]), f.concat().into_bytes());
        }
        tree_ok(&load_mem(&fs, Path::new("/r/nginx.conf")))?;
    }

    /// Mutations of the real trees: one file of one root gets 1..8 mutations.
    #[test]
    fn mutated_fixture_trees_load(pick in any::<usize>(), file in any::<usize>(), muts in prop::collection::vec(mutation(), 1..8)) {
        let c = corpus();
        let (main, fs, files) = &c[pick % c.len()];
        // prefer the files this root really reads
        let read: Vec<PathBuf> = load_mem(fs, main).read_order().into_iter().map(Path::to_path_buf).collect();
        let pool = if read.is_empty() { files.clone() } else { read };
        let target = &pool[file % pool.len()];
        let mut data = tlslint::fsx::Fs::read(fs, target).expect("in the corpus");
        for m in &muts {
            apply(&mut data, m);
        }
        let mut fs = fs.clone();
        fs.insert(target.clone(), data.clone());
        tree_ok(&load_mem(&fs, main))?;
        parse_ok(&data)?;
    }
}

// ------------------------------------------------------------ the CLI

/// Run `tlslint ARGS` on generated input; it must end within `limit` with
/// exit code 0 or 2 (no signal, no panic message).
fn cli(args: &[&std::ffi::OsStr], limit: Duration) -> common::Out {
    let out = common::run(Command::new(common::tlslint()).args(args), limit)
        .unwrap_or_else(|e| panic!("{e}"));
    assert!(
        matches!(out.code, Some(0) | Some(2)),
        "tlslint {args:?} ended with {:?} (a signal if None)\n{}",
        out.code,
        out.stderr
    );
    assert!(
        !out.stderr.contains("panicked"),
        "tlslint {args:?} panicked:\n{}",
        out.stderr
    );
    out
}

fn parse_files(main: &Path, limit: Duration) -> common::Out {
    cli(
        &[
            "parse".as_ref(),
            main.as_os_str(),
            "--format".as_ref(),
            "files".as_ref(),
        ],
        limit,
    )
}

fn first_error(out: &common::Out) -> (String, u32, String) {
    common::tlslint_first_error(&out.stderr)
        .unwrap_or_else(|| panic!("no `error: FILE:LINE:COL: MESSAGE` in:\n{}", out.stderr))
}

#[test]
fn hundred_thousand_deep_nesting() {
    let tmp = tempfile::tempdir().unwrap();
    let main = tmp.path().join("nginx.conf");
    let depth = 100_000;
    // nested blocks
    std::fs::write(&main, "a {".repeat(depth) + &"}".repeat(depth)).unwrap();
    let out = parse_files(&main, Duration::from_secs(60));
    assert_eq!(out.code, Some(2));
    let (file, line, msg) = first_error(&out);
    assert_eq!((file.as_str(), line), (main.to_str().unwrap(), 1));
    assert!(msg.contains("nested"), "{msg}");
    // the same through the crossplane output
    let out = cli(
        &["parse".as_ref(), main.as_os_str()],
        Duration::from_secs(60),
    );
    assert_eq!(out.code, Some(2));
    // unclosed: 100,000 opening braces and nothing else
    std::fs::write(&main, "a {\n".repeat(depth)).unwrap();
    let out = parse_files(&main, Duration::from_secs(60));
    assert_eq!(out.code, Some(2));
    // nested `if (` parentheses and `${` are not blocks
    std::fs::write(&main, format!("if {} {{ }}\n", "(".repeat(depth))).unwrap();
    parse_files(&main, Duration::from_secs(60));
    // a Lua block 100,000 braces deep (one argument, or an error)
    std::fs::write(
        &main,
        format!(
            "http {{ server {{ content_by_lua_block {{ {}{} }} }} }}\n",
            "{".repeat(depth),
            "}".repeat(depth)
        ),
    )
    .unwrap();
    parse_files(&main, Duration::from_secs(60));
}

#[test]
fn include_chain_deeper_than_the_limit() {
    let tmp = tempfile::tempdir().unwrap();
    let n = 1000;
    std::fs::write(
        tmp.path().join("nginx.conf"),
        "events {}\nhttp {\n    include c0.conf;\n}\n",
    )
    .unwrap();
    for i in 0..n {
        std::fs::write(
            tmp.path().join(format!("c{i}.conf")),
            format!("# {i}\ninclude c{}.conf;\n", i + 1),
        )
        .unwrap();
    }
    std::fs::write(tmp.path().join(format!("c{n}.conf")), "gzip on;\n").unwrap();
    let out = parse_files(&tmp.path().join("nginx.conf"), Duration::from_secs(60));
    assert_eq!(out.code, Some(2));
    let (file, line, msg) = first_error(&out);
    assert!(file.ends_with(".conf") && line == 2, "{file}:{line}: {msg}");
    assert!(msg.contains("nested deeper"), "{msg}");
}

/// Write a file of about 50 MB from a repeated piece.
fn write_big(path: &Path, head: &str, piece: &str, tail: &str) -> u64 {
    use std::io::Write;
    let target = 50 * 1024 * 1024;
    let mut w = std::io::BufWriter::new(std::fs::File::create(path).unwrap());
    w.write_all(head.as_bytes()).unwrap();
    let mut size = head.len();
    while size < target {
        w.write_all(piece.as_bytes()).unwrap();
        size += piece.len();
    }
    w.write_all(tail.as_bytes()).unwrap();
    w.flush().unwrap();
    std::fs::metadata(path).unwrap().len()
}

#[test]
fn fifty_megabyte_files() {
    let tmp = tempfile::tempdir().unwrap();
    let main = tmp.path().join("nginx.conf");
    let limit = Duration::from_secs(120);
    // valid: about 200,000 TLS server blocks
    let size = write_big(
        &main,
        "events {}\nhttp {\n",
        "server {\n    listen 443 ssl;\n    server_name a.example.com;\n    ssl_certificate c.pem;\n    ssl_certificate_key k.pem;\n    ssl_protocols TLSv1.2 TLSv1.3;\n    location / { return 200 \"ok\"; }\n}\n",
        "}\n",
    );
    assert!(size >= 50 * 1024 * 1024);
    let out = parse_files(&main, limit);
    assert_eq!(out.code, Some(0), "{}", out.stderr);
    assert_eq!(out.stdout_str().trim(), main.to_str().unwrap());

    // one comment line of 50 MB (nginx: too long parameter)
    write_big(&main, "events {}\n#", "x", "\n");
    let out = parse_files(&main, limit);
    assert_eq!(out.code, Some(2));
    assert!(first_error(&out).2.contains("too long"), "{}", out.stderr);

    // an unterminated quote followed by 50 MB
    write_big(&main, "events {}\nhttp { add_header X \"", "abc;}{\n", "");
    let out = parse_files(&main, limit);
    assert_eq!(out.code, Some(2));
    let (_, line, _) = first_error(&out);
    assert_eq!(line, 2, "{}", out.stderr);

    // 50 MB of blank lines, then a stray brace on the last line
    write_big(&main, "events {}\n", "\n", "}");
    let last_line = std::fs::read(&main)
        .unwrap()
        .iter()
        .filter(|&&b| b == b'\n')
        .count() as u32
        + 1;
    let out = parse_files(&main, limit);
    assert_eq!(out.code, Some(2));
    let (_, line, msg) = first_error(&out);
    assert_eq!(
        (line, msg.as_str()),
        (last_line, "unexpected \"}\""),
        "{}",
        out.stderr
    );
}

#[test]
fn include_cycles_are_errors_naming_file_and_line() {
    let tmp = tempfile::tempdir().unwrap();
    let d = tmp.path();
    // a.conf -> b.conf -> a.conf
    std::fs::write(
        d.join("nginx.conf"),
        "events {}\nhttp {\n    include a.conf;\n}\n",
    )
    .unwrap();
    std::fs::write(d.join("a.conf"), "# a\ninclude b.conf;\n").unwrap();
    std::fs::write(d.join("b.conf"), "# b\n\ninclude a.conf;\n").unwrap();
    let out = parse_files(&d.join("nginx.conf"), Duration::from_secs(30));
    assert_eq!(out.code, Some(2));
    let (file, line, msg) = first_error(&out);
    assert_eq!(
        (file.as_str(), line),
        (d.join("b.conf").to_str().unwrap(), 3),
        "{msg}"
    );
    assert!(msg.contains("cycle") && msg.contains("a.conf"), "{msg}");
    // the crossplane output still ends, with the error in the payload
    let out = cli(
        &["parse".as_ref(), d.join("nginx.conf").as_os_str()],
        Duration::from_secs(30),
    );
    assert_eq!(out.code, Some(2));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["status"], "failed");

    // a file that includes itself, through a glob
    std::fs::write(d.join("nginx.conf"), "events {}\ninclude self/*.conf;\n").unwrap();
    std::fs::create_dir(d.join("self")).unwrap();
    std::fs::write(d.join("self/me.conf"), "include self/*.conf;\n").unwrap();
    let out = parse_files(&d.join("nginx.conf"), Duration::from_secs(30));
    assert_eq!(out.code, Some(2));
    let (file, line, msg) = first_error(&out);
    assert_eq!(
        (file.as_str(), line),
        (d.join("self/me.conf").to_str().unwrap(), 1),
        "{msg}"
    );
    assert!(msg.contains("cycle"), "{msg}");
}

#[test]
fn symlink_loops_and_directories_are_errors_naming_file_and_line() {
    let tmp = tempfile::tempdir().unwrap();
    let d = tmp.path();
    std::os::unix::fs::symlink("loop2.conf", d.join("loop1.conf")).unwrap();
    std::os::unix::fs::symlink("loop1.conf", d.join("loop2.conf")).unwrap();
    std::fs::write(
        d.join("nginx.conf"),
        "events {}\nhttp {\n\n    include loop1.conf;\n}\n",
    )
    .unwrap();
    let out = parse_files(&d.join("nginx.conf"), Duration::from_secs(30));
    assert_eq!(out.code, Some(2));
    let (file, line, msg) = first_error(&out);
    assert_eq!(
        (file.as_str(), line),
        (d.join("nginx.conf").to_str().unwrap(), 4),
        "{msg}"
    );
    assert!(
        msg.contains("loop1.conf") && msg.contains("symbolic links"),
        "{msg}"
    );
    // through a glob
    std::fs::write(d.join("nginx.conf"), "events {}\ninclude loop*.conf;\n").unwrap();
    let out = parse_files(&d.join("nginx.conf"), Duration::from_secs(30));
    assert_eq!(out.code, Some(2));
    let (_, line, msg) = first_error(&out);
    assert_eq!(line, 2, "{msg}");
    assert!(msg.contains("symbolic links"), "{msg}");
    // a symlinked directory that contains a link to itself: globbing it ends
    std::fs::create_dir(d.join("dir")).unwrap();
    std::os::unix::fs::symlink("..", d.join("dir/up")).unwrap();
    std::fs::write(
        d.join("nginx.conf"),
        "events {}\ninclude dir/*/dir/*/dir/*.conf;\n",
    )
    .unwrap();
    assert_eq!(
        parse_files(&d.join("nginx.conf"), Duration::from_secs(30)).code,
        Some(0)
    );
    // a directory where a file is expected
    std::fs::write(d.join("nginx.conf"), "events {}\n\ninclude dir;\n").unwrap();
    let out = parse_files(&d.join("nginx.conf"), Duration::from_secs(30));
    assert_eq!(out.code, Some(2));
    let (file, line, _) = first_error(&out);
    assert_eq!(
        (file.as_str(), line),
        (d.join("nginx.conf").to_str().unwrap(), 3)
    );
}

/// The same loops, checked against nginx where it is installed: nginx
/// reports the symlink loop at the include line, as tlslint does. (nginx
/// has no include-cycle check of its own: it recurses until it crashes.)
#[test]
fn symlink_loop_agrees_with_nginx() {
    if let Some(why) = common::nginx_unavailable(&common::load_fixture("minimal")) {
        common::skip_or_fail("symlink loop vs nginx", &why);
        return;
    }
    let nginx = common::nginx().expect("checked");
    let tmp = tempfile::tempdir().unwrap();
    let d = tmp.path();
    std::os::unix::fs::symlink("loop2.conf", d.join("loop1.conf")).unwrap();
    std::os::unix::fs::symlink("loop1.conf", d.join("loop2.conf")).unwrap();
    let main = d.join("nginx.conf");
    std::fs::write(&main, "events {}\nhttp {\n\n    include loop1.conf;\n}\n").unwrap();
    let n = common::run(
        Command::new(nginx)
            .arg("-t")
            .arg("-q")
            .arg("-p")
            .arg(format!("{}/", d.display()))
            .arg("-c")
            .arg(&main)
            .args(["-e", "stderr"]),
        Duration::from_secs(30),
    )
    .unwrap();
    let (nf, nl, nm) =
        common::nginx_emerg(&n.stderr).unwrap_or_else(|| panic!("nginx said:\n{}", n.stderr));
    let out = parse_files(&main, Duration::from_secs(30));
    let (tf, tl, tm) = first_error(&out);
    assert_eq!((nf, nl, nm), (tf, tl, tm));
}
