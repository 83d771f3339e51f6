//! Confinement (issue 13, item 1): run as a CI gate on an untrusted pull
//! request, tlslint never shows bytes of a file that is not a configuration
//! file the server reads as such (`/proc`, devices, FIFOs, binaries, files
//! outside the tree), never blocks on one, refuses settings, profile and
//! baseline files that are not regular, too large, or (named by a settings
//! file, or through a symlink) outside their repository, uses no `envvars`
//! from outside the tree, redacts inline keys in every format, and writes
//! no file through a symlink.

mod common;

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Duration;

/// A generous bound: every case here ends in well under a second.
const LIMIT: Duration = Duration::from_secs(30);

/// In the environment of every run: it must never be printed.
const SECRET: &str = "s3cr3t-token-of-the-ci-job";

fn tlslint(args: &[&str], cwd: &Path) -> common::Out {
    let mut c = Command::new(common::tlslint());
    c.args(args)
        .current_dir(cwd)
        .env("TLSLINT_CI_TOKEN", SECRET)
        .env_remove("COLUMNS");
    common::run(&mut c, LIMIT).unwrap_or_else(|e| panic!("{e}"))
}

/// Everything a run printed.
fn all(o: &common::Out) -> String {
    format!("{}\n{}", o.stdout_str(), o.stderr)
}

fn mkfifo(p: &Path) -> bool {
    let ok = Command::new("mkfifo")
        .arg(p)
        .status()
        .is_ok_and(|s| s.success());
    if !ok {
        common::skip_or_fail("FIFO cases", "mkfifo is not available");
    }
    ok
}

const CHECK_FORMATS: &[&str] = &["human", "concise", "json", "sarif", "github"];
const NGINX_PARSE_FORMATS: &[&str] = &["crossplane", "json", "files", "endpoints"];
const APACHE_PARSE_FORMATS: &[&str] = &["json", "files", "includes", "vhosts", "endpoints"];

fn nginx_including(dir: &Path, target: &str) -> PathBuf {
    let main = dir.join("nginx.conf");
    std::fs::write(
        &main,
        format!("events {{}}\nhttp {{\n    include {target};\n}}\n"),
    )
    .unwrap();
    main
}

/// The output names `FILE:LINE` as its format does.
fn names_line(out: &str, at: &str) -> bool {
    let (file, line) = at.rsplit_once(':').unwrap();
    out.contains(at)
        || out.contains(&format!("file={file},line={line},"))
        || (out.contains(&format!("\"{file}\""))
            && (out.contains(&format!("\"line\": {line},"))
                || out.contains(&format!("\"startLine\": {line},"))))
}

/// Every format of check and parse: exit 2, an error at the include line,
/// nothing of `leak` anywhere.
fn refused_everywhere(
    dir: &Path,
    main: &str,
    leak: &str,
    extra: &[&str],
    at: &str,
    parse: &[&str],
) {
    for f in CHECK_FORMATS {
        let mut args = vec![main, "--format", f];
        args.extend(extra);
        let o = tlslint(&args, dir);
        let out = all(&o);
        assert_eq!(o.code, Some(2), "{args:?}: {out}");
        assert!(!out.contains(leak), "{args:?} shows {leak}: {out}");
        assert!(names_line(&out, at), "{args:?}: no error at {at}: {out}");
    }
    for f in parse {
        for more in [&[][..], &["--include-comments", "--pretty"][..]] {
            let mut args = vec!["parse", main, "--format", f];
            args.extend(more);
            let o = tlslint(&args, dir);
            let out = all(&o);
            assert_eq!(o.code, Some(2), "{args:?}: {out}");
            assert!(!out.contains(leak), "{args:?} shows {leak}: {out}");
        }
    }
}

#[test]
fn an_include_of_proc_self_environ_is_an_error_that_shows_nothing_of_it() {
    let d = tempfile::tempdir().unwrap();
    nginx_including(d.path(), "/proc/self/environ");
    // as a tree elsewhere (the path is not read from this machine) and as
    // the machine's own (--root /: read where it is, refused as /proc)
    refused_everywhere(
        d.path(),
        "nginx.conf",
        SECRET,
        &[],
        "nginx.conf:3",
        NGINX_PARSE_FORMATS,
    );
    refused_everywhere(
        d.path(),
        "nginx.conf",
        SECRET,
        &["--root", "/"],
        "nginx.conf:3",
        &[],
    );
    let o = tlslint(&["nginx.conf", "--root", "/"], d.path());
    assert!(o.stderr.contains("kernel interface") || o.stdout_str().contains("kernel interface"));
}

#[test]
fn an_apache_include_of_proc_self_environ_is_an_error_that_shows_nothing_of_it() {
    let d = tempfile::tempdir().unwrap();
    std::fs::write(
        d.path().join("apache2.conf"),
        "ServerName x\nListen 443\nInclude /proc/self/environ\n",
    )
    .unwrap();
    refused_everywhere(
        d.path(),
        "apache2.conf",
        SECRET,
        &[],
        "apache2.conf:3",
        APACHE_PARSE_FORMATS,
    );
    refused_everywhere(
        d.path(),
        "apache2.conf",
        SECRET,
        &["--root", "/"],
        "apache2.conf:3",
        &[],
    );
}

/// Symlinks in the tree to what is no configuration, a FIFO nobody writes
/// to, a directory, a device: each an error at the include line at once
/// (stdout and stdin are pipes, as in CI: nothing blocks), with `--root /`
/// (links followed on this machine) and without.
#[test]
fn special_files_and_links_to_them_are_errors_at_the_line_never_a_blocked_read() {
    let d = tempfile::tempdir().unwrap();
    let t = d.path();
    let links = [
        ("environ.conf", "/proc/self/environ"),
        ("stdin.conf", "/dev/stdin"),
        ("stdout.conf", "/proc/self/fd/1"),
        ("zero.conf", "/dev/zero"),
    ];
    for (name, target) in links {
        std::os::unix::fs::symlink(target, t.join(name)).unwrap();
    }
    std::fs::create_dir(t.join("dir.conf")).unwrap();
    let mut names: Vec<&str> = links.iter().map(|(n, _)| *n).collect();
    names.extend(["dir.conf", "/dev/zero", "/dev/stdin", "/proc/self/fd/1"]);
    if mkfifo(&t.join("fifo.conf")) {
        names.push("fifo.conf");
    }
    for name in names {
        nginx_including(t, name);
        for root in [&[][..], &["--root", "/"][..]] {
            let mut args = vec!["nginx.conf", "--format", "concise"];
            args.extend(root);
            // stdin a pipe that stays open and empty, stdout a pipe
            let mut c = Command::new(common::tlslint());
            c.args(&args)
                .current_dir(t)
                .env("TLSLINT_CI_TOKEN", SECRET)
                .stdin(Stdio::piped())
                .stdout(Stdio::piped())
                .stderr(Stdio::piped());
            let mut child = c.spawn().unwrap();
            let stdin = child.stdin.take();
            let start = std::time::Instant::now();
            let status = loop {
                if let Some(s) = child.try_wait().unwrap() {
                    break s;
                }
                if start.elapsed() > LIMIT {
                    let _ = child.kill();
                    let _ = child.wait();
                    panic!("include {name} {root:?}: still running after {LIMIT:?}");
                }
                std::thread::sleep(Duration::from_millis(10));
            };
            drop(stdin);
            let o = child.wait_with_output().unwrap();
            let out = format!(
                "{}{}",
                String::from_utf8_lossy(&o.stdout),
                String::from_utf8_lossy(&o.stderr)
            );
            assert_eq!(status.code(), Some(2), "include {name} {root:?}: {out}");
            assert!(
                out.contains("nginx.conf:3:5:"),
                "include {name} {root:?}: {out}"
            );
            assert!(!out.contains(SECRET), "include {name} {root:?}: {out}");
        }
    }
}

/// An included file with binary data (a NUL byte) is not parsed: an error
/// at the include line, its bytes in no output (an error snippet would
/// have shown its first lines).
#[test]
fn a_binary_include_is_refused_and_never_shown() {
    let d = tempfile::tempdir().unwrap();
    std::fs::write(
        d.path().join("blob.conf"),
        b"ELF\x00\x01binary-secret-bytes\nmore\n",
    )
    .unwrap();
    nginx_including(d.path(), "blob.conf");
    refused_everywhere(
        d.path(),
        "nginx.conf",
        "binary-secret-bytes",
        &[],
        "nginx.conf:3",
        NGINX_PARSE_FORMATS,
    );
    let o = tlslint(&["nginx.conf"], d.path());
    assert!(all(&o).contains("binary data"), "{}", all(&o));
    // Apache alike
    std::fs::write(d.path().join("apache2.conf"), "Include blob.conf\n").unwrap();
    refused_everywhere(
        d.path(),
        "apache2.conf",
        "binary-secret-bytes",
        &[],
        "apache2.conf:1",
        APACHE_PARSE_FORMATS,
    );
}

// ------------------------------------------ relative paths out of a checkout

/// The first line of a file outside the checkout: a syntax error for both
/// servers, so a snippet would show it if the file were read.
const OUTSIDE: &str = "outside-secret-first-line {{{";

/// `d/secret.txt` (outside everything), `d/repo` (with `.git` when `git`)
/// holding `nginx/`, `apache2/` and `shared/tls.conf` (TLS 1.0 for nginx).
fn outside_layout(git: bool) -> (tempfile::TempDir, PathBuf) {
    let d = tempfile::tempdir().unwrap();
    std::fs::write(d.path().join("secret.txt"), format!("{OUTSIDE}\n")).unwrap();
    let repo = d.path().join("repo");
    for sub in ["nginx", "apache2", "shared"] {
        std::fs::create_dir_all(repo.join(sub)).unwrap();
    }
    if git {
        std::fs::create_dir(repo.join(".git")).unwrap();
    }
    std::fs::write(repo.join("shared/tls.conf"), "ssl_protocols TLSv1;\n").unwrap();
    (d, repo)
}

fn nginx_tls_including(dir: &Path, target: &str) {
    std::fs::write(
        dir.join("nginx.conf"),
        format!(
            "events {{}}\nhttp {{\n    include {target};\n    server {{ listen 443 ssl; ssl_certificate c.pem; ssl_certificate_key k.pem; }}\n}}\n"
        ),
    )
    .unwrap();
}

/// A relative include leading out of the checkout (`include ../x;`,
/// Apache `Include ../x`), and a relative symlink in the tree leading out
/// of it, are not read: an error at the include line that names the path
/// and shows nothing of the file, in every format — with a repository
/// (its root is the boundary) and without one (the tree's directory is).
#[test]
fn relative_includes_and_links_out_of_a_checkout_are_errors_that_show_nothing() {
    for git in [true, false] {
        let (_d, repo) = outside_layout(git);
        let nginx = repo.join("nginx");
        let apache = repo.join("apache2");
        // a relative symlink in each tree, to the same file
        std::os::unix::fs::symlink("../../secret.txt", nginx.join("site.conf")).unwrap();
        std::os::unix::fs::symlink("../../secret.txt", apache.join("site.conf")).unwrap();
        for target in ["../../secret.txt", "site.conf"] {
            nginx_including(&nginx, target);
            std::fs::write(apache.join("apache2.conf"), format!("Include {target}\n")).unwrap();
            for (dir, main, at, parse) in [
                (&nginx, "nginx.conf", "nginx.conf:3", NGINX_PARSE_FORMATS),
                (
                    &apache,
                    "apache2.conf",
                    "apache2.conf:1",
                    APACHE_PARSE_FORMATS,
                ),
            ] {
                refused_everywhere(dir, main, "outside-secret", &[], at, parse);
                // the note names the path (a link: and where it leads)
                let o = tlslint(&[main], dir);
                let note = format!("{target} is not read: it is outside");
                assert!(all(&o).contains(&note), "git {git}: {}", all(&o));
                assert!(all(&o).contains("secret.txt"), "git {git}: {}", all(&o));
            }
        }
    }
}

/// A pattern leaves out what lies outside the checkout (a note names each
/// file), while `include ../shared/*.conf` within one repository is read as
/// the server reads it; without a repository the tree's directory is the
/// boundary, and `--root /` (this machine is the server) or `--prefix`
/// read from elsewhere again.
#[test]
fn patterns_skip_files_outside_the_checkout_and_the_repository_is_read_whole() {
    let (d, repo) = outside_layout(true);
    let nginx = repo.join("nginx");
    let apache = repo.join("apache2");
    let out = d.path().join("out");
    std::fs::create_dir(&out).unwrap();
    std::fs::write(out.join("a.conf"), format!("{OUTSIDE}\n")).unwrap();
    std::os::unix::fs::symlink("../../secret.txt", repo.join("shared/link.conf")).unwrap();
    // within the repository: read (TLS101 from shared/tls.conf); the link
    // in shared/ to a file outside: left out, said in a note
    nginx_tls_including(&nginx, "../shared/*.conf");
    let o = tlslint(&["nginx.conf", "--format", "json"], &nginx);
    assert_eq!(o.code, Some(1), "{}", all(&o));
    assert!(codes(&o).contains(&"TLS101".to_string()), "{}", all(&o));
    assert!(!all(&o).contains("outside-secret"), "{}", all(&o));
    assert!(
        all(&o).contains("link.conf is not read: it is outside the repository"),
        "{}",
        all(&o)
    );
    let o = tlslint(&["parse", "nginx.conf", "--format", "files"], &nginx);
    assert!(o.stdout_str().contains("../shared/tls.conf"), "{}", all(&o));
    assert!(!o.stdout_str().contains("link.conf"), "{}", all(&o));
    // a pattern out of the repository: nothing of it read, each file named
    nginx_tls_including(&nginx, "../../out/*.conf");
    for f in CHECK_FORMATS {
        let o = tlslint(&["nginx.conf", "--format", f], &nginx);
        assert_eq!(o.code, Some(1), "{f}: {}", all(&o));
        assert!(!all(&o).contains("outside-secret"), "{f}: {}", all(&o));
    }
    let o = tlslint(&["nginx.conf"], &nginx);
    assert!(
        all(&o).contains("../../out/a.conf is not read: it is outside the repository"),
        "{}",
        all(&o)
    );
    // Apache: Include ../shared/tls.conf within the repository is read
    std::fs::write(apache.join("apache2.conf"), "Include ../shared/tls.conf\n").unwrap();
    let o = tlslint(&["parse", "apache2.conf", "--format", "files"], &apache);
    assert_eq!(o.code, Some(0), "{}", all(&o));
    assert!(o.stdout_str().contains("shared/tls.conf"), "{}", all(&o));
    std::fs::write(
        apache.join("apache2.conf"),
        "IncludeOptional ../../out/*.conf\n",
    )
    .unwrap();
    let o = tlslint(&["parse", "apache2.conf", "--format", "files"], &apache);
    assert_eq!(o.code, Some(0), "{}", all(&o));
    assert!(
        !all(&o).contains("outside-secret") && !o.stdout_str().contains("a.conf"),
        "{}",
        all(&o)
    );
    assert!(
        all(&o).contains("../../out/a.conf is not read: it is outside the repository"),
        "{}",
        all(&o)
    );

    // without a repository: the tree's directory is the boundary
    std::fs::remove_dir(repo.join(".git")).unwrap();
    nginx_tls_including(&nginx, "../shared/tls.conf");
    let o = tlslint(&["nginx.conf", "--format", "json"], &nginx);
    assert_eq!(o.code, Some(2), "{}", all(&o));
    assert!(all(&o).contains("no repository around it"), "{}", all(&o));
    // --root /: this machine is the server, its files are read
    let o = tlslint(&["nginx.conf", "--format", "json", "--root", "/"], &nginx);
    assert_eq!(o.code, Some(1), "{}", all(&o));
    assert!(codes(&o).contains(&"TLS101".to_string()), "{}", all(&o));
    // a prefix named on the command line is read from
    nginx_tls_including(&nginx, "tls.conf");
    let o = tlslint(
        &["nginx.conf", "--format", "json", "--prefix", "../shared"],
        &nginx,
    );
    assert_eq!(o.code, Some(1), "{}", all(&o));
    assert!(codes(&o).contains(&"TLS101".to_string()), "{}", all(&o));
}

/// While the included file keeps changing between a regular file and a
/// FIFO nobody writes to, every run ends (the FIFO, whenever it is there
/// at the check or at the open, is refused without waiting for a writer):
/// never a blocked read.
#[test]
fn a_file_swapped_for_a_fifo_while_it_is_read_never_blocks() {
    let d = tempfile::tempdir().unwrap();
    let t = d.path().to_path_buf();
    if !mkfifo(&t.join("probe.fifo")) {
        return;
    }
    nginx_including(&t, "flip.conf");
    std::fs::write(t.join("flip.conf"), "server_tokens off;\n").unwrap();
    let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let flipper = {
        let (t, stop) = (t.clone(), stop.clone());
        std::thread::spawn(move || {
            let mut fifo = false;
            while !stop.load(std::sync::atomic::Ordering::Relaxed) {
                let tmp = t.join("flip.tmp");
                let _ = std::fs::remove_file(&tmp);
                if fifo {
                    let _ = Command::new("mkfifo").arg(&tmp).status();
                } else {
                    let _ = std::fs::write(&tmp, "server_tokens off;\n");
                }
                let _ = std::fs::rename(&tmp, t.join("flip.conf"));
                fifo = !fifo;
            }
        })
    };
    let mut codes = std::collections::BTreeSet::new();
    for _ in 0..40 {
        // tlslint() panics when a run outlasts LIMIT
        let o = tlslint(&["nginx.conf", "--format", "concise"], &t);
        assert!(matches!(o.code, Some(0 | 2)), "{}", all(&o));
        if o.code == Some(2) {
            assert!(all(&o).contains("nginx.conf:3"), "{}", all(&o));
        }
        codes.insert(o.code);
    }
    stop.store(true, std::sync::atomic::Ordering::Relaxed);
    flipper.join().unwrap();
    common::say(&format!("FIFO swap: exit codes seen {codes:?}"));
}

// ---------------------------------------------------------------- settings

/// A checkout (with `.git`) holding an nginx tree with findings, and a
/// directory outside it with a secret-looking file.
struct Checkout {
    _dir: tempfile::TempDir,
    repo: PathBuf,
    secret: PathBuf,
}

const SHADOW: &str = "root:$6$shadow-secret-hash:19000:0:99999:7:::";

fn checkout() -> Checkout {
    let d = tempfile::tempdir().unwrap();
    let repo = d.path().join("repo");
    std::fs::create_dir_all(repo.join(".git")).unwrap();
    std::fs::create_dir_all(repo.join("nginx")).unwrap();
    std::fs::write(
        repo.join("nginx/nginx.conf"),
        "events {}\nhttp { server { listen 80; } }\n",
    )
    .unwrap();
    let out = d.path().join("elsewhere");
    std::fs::create_dir_all(&out).unwrap();
    let secret = out.join("shadow");
    std::fs::write(&secret, format!("{SHADOW}\nprofile: modern\n")).unwrap();
    Checkout {
        _dir: d,
        repo,
        secret,
    }
}

#[test]
fn a_settings_file_linked_out_of_its_repository_is_refused_quoting_nothing() {
    let c = checkout();
    std::os::unix::fs::symlink(&c.secret, c.repo.join(".tlslint.yaml")).unwrap();
    for f in CHECK_FORMATS {
        let o = tlslint(&["nginx/nginx.conf", "--format", f], &c.repo);
        let out = all(&o);
        assert_eq!(o.code, Some(2), "{out}");
        assert!(out.contains("settings file"), "{out}");
        assert!(out.contains("outside"), "{out}");
        assert!(!out.contains("shadow-secret"), "{out}");
    }
    // named on the command line through the link: refused alike
    let o = tlslint(&["nginx/nginx.conf", "--config", ".tlslint.yaml"], &c.repo);
    assert_eq!(o.code, Some(2), "{}", all(&o));
    assert!(!all(&o).contains("shadow-secret"), "{}", all(&o));
    // a file the user names outside the checkout is the user's choice: read
    // (and here not a settings file, which the error says by position only)
    std::fs::remove_file(c.repo.join(".tlslint.yaml")).unwrap();
    let own = c.secret.with_file_name("mine.yaml");
    std::fs::write(&own, "fail_on: never\n").unwrap();
    let o = tlslint(
        &["nginx/nginx.conf", "--config", own.to_str().unwrap()],
        &c.repo,
    );
    assert_eq!(o.code, Some(0), "{}", all(&o));
}

#[test]
fn dev_zero_as_a_settings_file_is_refused_at_once() {
    let c = checkout();
    let o = tlslint(&["nginx/nginx.conf", "--config", "/dev/zero"], &c.repo);
    assert_eq!(o.code, Some(2), "{}", all(&o));
    assert!(o.stderr.contains("not a regular file"), "{}", o.stderr);
    std::os::unix::fs::symlink("/dev/zero", c.repo.join(".tlslint.yaml")).unwrap();
    let o = tlslint(&["nginx/nginx.conf"], &c.repo);
    assert_eq!(o.code, Some(2), "{}", all(&o));
    assert!(o.stderr.contains("settings file"), "{}", o.stderr);
    // a FIFO in the checkout, nobody writing to it
    std::fs::remove_file(c.repo.join(".tlslint.yaml")).unwrap();
    if mkfifo(&c.repo.join(".tlslint.yaml")) {
        let o = tlslint(&["nginx/nginx.conf"], &c.repo);
        assert_eq!(o.code, Some(2), "{}", all(&o));
        assert!(o.stderr.contains("not a regular file"), "{}", o.stderr);
    }
    // larger than the bound (a sparse file: the size is what counts)
    std::fs::remove_file(c.repo.join(".tlslint.yaml")).unwrap();
    let big = std::fs::File::create(c.repo.join(".tlslint.yaml")).unwrap();
    big.set_len(2 * 1024 * 1024).unwrap();
    let o = tlslint(&["nginx/nginx.conf"], &c.repo);
    assert_eq!(o.code, Some(2), "{}", all(&o));
    assert!(o.stderr.contains("larger than 1 MiB"), "{}", o.stderr);
}

/// A tree with findings in `dir/a/b` (no `.git` anywhere), and a settings
/// file in `dir` that would exclude everything.
fn excluded_everything(dir: &Path) -> PathBuf {
    let sub = dir.join("a/b");
    std::fs::create_dir_all(&sub).unwrap();
    std::fs::write(
        sub.join("nginx.conf"),
        "events {}\nhttp { server { listen 443 ssl; ssl_certificate c.pem; ssl_certificate_key k.pem; ssl_protocols TLSv1; } }\n",
    )
    .unwrap();
    std::fs::write(dir.join(".tlslint.yaml"), "exclude: [\"**\"]\n").unwrap();
    sub
}

fn codes(o: &common::Out) -> Vec<String> {
    let v: serde_json::Value =
        serde_json::from_slice(&o.stdout).unwrap_or_else(|e| panic!("{e}: {}", all(o)));
    common::finding_codes(&v)
}

#[test]
fn settings_in_a_world_writable_directory_do_not_apply() {
    use std::os::unix::fs::PermissionsExt;
    let d = tempfile::tempdir().unwrap();
    let shared = d.path().join("shared");
    std::fs::create_dir(&shared).unwrap();
    let sub = excluded_everything(&shared);
    // control: in a directory of one's own, the file applies (nothing linted)
    let o = tlslint(&["nginx.conf", "--format", "json"], &sub);
    assert!(!codes(&o).contains(&"TLS101".to_string()), "{}", all(&o));
    // world-writable, as /tmp: not looked in, nor above it
    std::fs::set_permissions(&shared, std::fs::Permissions::from_mode(0o1777)).unwrap();
    let o = tlslint(&["nginx.conf", "--format", "json"], &sub);
    assert_eq!(o.code, Some(1), "{}", all(&o));
    assert!(codes(&o).contains(&"TLS101".to_string()), "{}", all(&o));
}

/// A settings file passed over (in a world-writable directory, or above
/// `$HOME`) is named in a note, never silently lost; a world-writable
/// repository root of one's own (a checkout in a CI workspace of mode 777)
/// keeps its settings.
#[test]
fn settings_passed_over_are_named_in_a_note_and_a_writable_checkout_keeps_its_own() {
    use std::os::unix::fs::PermissionsExt;
    let d = tempfile::tempdir().unwrap();
    let shared = d.path().join("shared");
    std::fs::create_dir(&shared).unwrap();
    let sub = excluded_everything(&shared);
    std::fs::set_permissions(&shared, std::fs::Permissions::from_mode(0o777)).unwrap();
    let file = shared.join(".tlslint.yaml");
    let note = format!(
        "{} not used: {} is writable by everyone",
        file.display(),
        shared.display()
    );
    for f in ["human", "json"] {
        let o = tlslint(&["nginx.conf", "--format", f], &sub);
        assert_eq!(o.code, Some(1), "{}", all(&o));
        assert!(all(&o).contains(&note), "{f}: {}", all(&o));
    }
    // also from a directory below it (a.k.a. /tmp/x/y)
    std::fs::set_permissions(&shared, std::fs::Permissions::from_mode(0o755)).unwrap();
    std::fs::set_permissions(
        sub.parent().unwrap(),
        std::fs::Permissions::from_mode(0o777),
    )
    .unwrap();
    let o = tlslint(&["nginx.conf"], &sub);
    assert!(
        all(&o).contains(&format!("{} not used: ", file.display())),
        "{}",
        all(&o)
    );
    std::fs::set_permissions(
        sub.parent().unwrap(),
        std::fs::Permissions::from_mode(0o755),
    )
    .unwrap();
    // the world-writable directory is the repository root, ours: used
    std::fs::create_dir(shared.join(".git")).unwrap();
    std::fs::set_permissions(&shared, std::fs::Permissions::from_mode(0o777)).unwrap();
    let o = tlslint(&["nginx.conf", "--format", "json"], &sub);
    assert!(!codes(&o).contains(&"TLS101".to_string()), "{}", all(&o));
    assert!(!all(&o).contains("not used"), "{}", all(&o));
    // above $HOME (d/shared/a is home): named in a note
    std::fs::set_permissions(&shared, std::fs::Permissions::from_mode(0o755)).unwrap();
    std::fs::remove_dir(shared.join(".git")).unwrap();
    let home = shared.join("a");
    let mut c = Command::new(common::tlslint());
    c.args(["nginx.conf"]).current_dir(&sub).env("HOME", &home);
    let o = common::run(&mut c, LIMIT).unwrap();
    let note = format!(
        "{} not used: it is above the home directory {}",
        file.display(),
        home.display()
    );
    assert!(all(&o).contains(&note), "{}", all(&o));
}

#[test]
fn settings_are_not_looked_for_above_home() {
    let d = tempfile::tempdir().unwrap();
    let home = d.path().join("home");
    std::fs::create_dir(&home).unwrap();
    excluded_everything(d.path());
    // $HOME is d/a: the file in d is above it
    let mut c = Command::new(common::tlslint());
    c.args(["nginx.conf", "--format", "json"])
        .current_dir(d.path().join("a/b"))
        .env("HOME", d.path().join("a"));
    let o = common::run(&mut c, LIMIT).unwrap();
    assert!(codes(&o).contains(&"TLS101".to_string()), "{}", all(&o));
    // $HOME elsewhere: found and applied
    c.env("HOME", &home);
    let o = common::run(&mut c, LIMIT).unwrap();
    assert!(!codes(&o).contains(&"TLS101".to_string()), "{}", all(&o));
}

// --------------------------------------------------- profile and baseline

#[test]
fn a_profile_file_must_be_a_regular_bounded_file_of_the_repository() {
    let c = checkout();
    // named by the settings file: outside the repository is refused,
    // quoting nothing (the file's first line looks like a secret)
    let rel = Path::new("../elsewhere/shadow");
    for named in [rel, c.secret.as_path()] {
        std::fs::write(
            c.repo.join(".tlslint.yaml"),
            format!("profile_file: {}\n", named.display()),
        )
        .unwrap();
        let o = tlslint(&["nginx/nginx.conf"], &c.repo);
        assert_eq!(o.code, Some(2), "{}", all(&o));
        assert!(o.stderr.contains("outside the repository"), "{}", o.stderr);
        assert!(!all(&o).contains("shadow-secret"), "{}", all(&o));
    }
    // a link in the repository that leads out of it, named by the settings
    std::os::unix::fs::symlink(&c.secret, c.repo.join("policy.yaml")).unwrap();
    std::fs::write(c.repo.join(".tlslint.yaml"), "profile_file: policy.yaml\n").unwrap();
    let o = tlslint(&["nginx/nginx.conf"], &c.repo);
    assert_eq!(o.code, Some(2), "{}", all(&o));
    assert!(!all(&o).contains("shadow-secret"), "{}", all(&o));
    // and on the command line
    std::fs::remove_file(c.repo.join(".tlslint.yaml")).unwrap();
    let o = tlslint(
        &["nginx/nginx.conf", "--profile-file", "policy.yaml"],
        &c.repo,
    );
    assert_eq!(o.code, Some(2), "{}", all(&o));
    assert!(!all(&o).contains("shadow-secret"), "{}", all(&o));
    // a FIFO nobody writes to, from the settings file and the command line
    std::fs::remove_file(c.repo.join("policy.yaml")).unwrap();
    if mkfifo(&c.repo.join("policy.yaml")) {
        let o = tlslint(
            &["nginx/nginx.conf", "--profile-file", "policy.yaml"],
            &c.repo,
        );
        assert_eq!(o.code, Some(2), "{}", all(&o));
        assert!(o.stderr.contains("not a regular file"), "{}", o.stderr);
        std::fs::write(c.repo.join(".tlslint.yaml"), "profile_file: policy.yaml\n").unwrap();
        let o = tlslint(&["nginx/nginx.conf"], &c.repo);
        assert_eq!(o.code, Some(2), "{}", all(&o));
        assert!(o.stderr.contains("not a regular file"), "{}", o.stderr);
        std::fs::remove_file(c.repo.join(".tlslint.yaml")).unwrap();
        std::fs::remove_file(c.repo.join("policy.yaml")).unwrap();
    }
    let o = tlslint(
        &["nginx/nginx.conf", "--profile-file", "/dev/zero"],
        &c.repo,
    );
    assert_eq!(o.code, Some(2), "{}", all(&o));
    assert!(o.stderr.contains("not a regular file"), "{}", o.stderr);
    let big = std::fs::File::create(c.repo.join("policy.yaml")).unwrap();
    big.set_len(2 * 1024 * 1024).unwrap();
    let o = tlslint(
        &["nginx/nginx.conf", "--profile-file", "policy.yaml"],
        &c.repo,
    );
    assert_eq!(o.code, Some(2), "{}", all(&o));
    assert!(o.stderr.contains("larger than 1 MiB"), "{}", o.stderr);
}

#[test]
fn settings_name_no_ca_file_or_root_outside_the_repository() {
    let c = checkout();
    for line in [
        format!("ca_file: {}\n", c.secret.display()),
        format!(
            "root: [/etc/nginx={}]\n",
            c.secret.parent().unwrap().display()
        ),
    ] {
        std::fs::write(c.repo.join(".tlslint.yaml"), &line).unwrap();
        let o = tlslint(&["nginx/nginx.conf"], &c.repo);
        assert_eq!(o.code, Some(2), "{line}: {}", all(&o));
        assert!(o.stderr.contains("outside the repository"), "{}", o.stderr);
    }
}

#[test]
fn a_baseline_must_be_a_regular_bounded_file() {
    let c = checkout();
    if mkfifo(&c.repo.join("baseline.json")) {
        let o = tlslint(
            &["nginx/nginx.conf", "--baseline", "baseline.json"],
            &c.repo,
        );
        assert_eq!(o.code, Some(2), "{}", all(&o));
        assert!(o.stderr.contains("not a regular file"), "{}", o.stderr);
        std::fs::remove_file(c.repo.join("baseline.json")).unwrap();
    }
    let o = tlslint(&["nginx/nginx.conf", "--baseline", "/dev/zero"], &c.repo);
    assert_eq!(o.code, Some(2), "{}", all(&o));
    assert!(o.stderr.contains("not a regular file"), "{}", o.stderr);
    let big = std::fs::File::create(c.repo.join("baseline.json")).unwrap();
    big.set_len(65 * 1024 * 1024).unwrap();
    let o = tlslint(
        &["nginx/nginx.conf", "--baseline", "baseline.json"],
        &c.repo,
    );
    assert_eq!(o.code, Some(2), "{}", all(&o));
    assert!(o.stderr.contains("larger than 64 MiB"), "{}", o.stderr);
    // a link out of the checkout
    std::fs::remove_file(c.repo.join("baseline.json")).unwrap();
    std::os::unix::fs::symlink(&c.secret, c.repo.join("baseline.json")).unwrap();
    let o = tlslint(
        &["nginx/nginx.conf", "--baseline", "baseline.json"],
        &c.repo,
    );
    assert_eq!(o.code, Some(2), "{}", all(&o));
    assert!(!all(&o).contains("shadow-secret"), "{}", all(&o));
}

#[test]
fn the_baseline_is_never_written_through_a_symlink() {
    let c = checkout();
    let before = std::fs::read(&c.secret).unwrap();
    std::os::unix::fs::symlink(&c.secret, c.repo.join("baseline.json")).unwrap();
    let o = tlslint(
        &["nginx/nginx.conf", "--write-baseline", "baseline.json"],
        &c.repo,
    );
    assert_eq!(o.code, Some(2), "{}", all(&o));
    assert!(o.stderr.contains("symbolic link"), "{}", o.stderr);
    assert_eq!(std::fs::read(&c.secret).unwrap(), before);
    assert!(std::fs::symlink_metadata(c.repo.join("baseline.json"))
        .unwrap()
        .file_type()
        .is_symlink());
    // a regular file is replaced whole, and no temporary file is left
    std::fs::remove_file(c.repo.join("baseline.json")).unwrap();
    std::fs::write(c.repo.join("baseline.json"), "old").unwrap();
    let o = tlslint(
        &["nginx/nginx.conf", "--write-baseline", "baseline.json"],
        &c.repo,
    );
    assert_eq!(o.code, Some(0), "{}", all(&o));
    let v: serde_json::Value =
        serde_json::from_slice(&std::fs::read(c.repo.join("baseline.json")).unwrap()).unwrap();
    assert_eq!(v["tool"], "tlslint");
    let names: Vec<String> = std::fs::read_dir(&c.repo)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert!(names.iter().all(|n| !n.ends_with(".tmp")), "{names:?}");
}

// ------------------------------------------------------------- envvars

#[test]
fn an_envvars_linked_out_of_the_tree_is_not_used_nor_shown() {
    let d = tempfile::tempdir().unwrap();
    let out = d.path().join("elsewhere");
    let tree = d.path().join("apache2");
    std::fs::create_dir_all(&out).unwrap();
    std::fs::create_dir_all(&tree).unwrap();
    std::fs::write(
        out.join("envvars"),
        "export APACHE_SERVER=envvars-secret-value.example\n",
    )
    .unwrap();
    std::fs::write(
        tree.join("apache2.conf"),
        "Listen 443\n<VirtualHost *:443>\nServerName ${APACHE_SERVER}\nSSLEngine on\nSSLProtocol all\n</VirtualHost>\n",
    )
    .unwrap();
    // control: the tree's own envvars is used
    std::fs::copy(out.join("envvars"), tree.join("envvars")).unwrap();
    let o = tlslint(&["apache2.conf", "--format", "json"], &tree);
    assert!(all(&o).contains("envvars-secret-value"), "{}", all(&o));
    // linked out of the tree, relatively and absolutely: not read
    for target in [Path::new("../elsewhere/envvars"), &out.join("envvars")] {
        std::fs::remove_file(tree.join("envvars")).unwrap();
        std::os::unix::fs::symlink(target, tree.join("envvars")).unwrap();
        for f in CHECK_FORMATS {
            let o = tlslint(&["apache2.conf", "--format", f], &tree);
            assert_eq!(o.code, Some(1), "{}", all(&o));
            assert!(!all(&o).contains("envvars-secret"), "{f}: {}", all(&o));
        }
        for f in APACHE_PARSE_FORMATS {
            let o = tlslint(&["parse", "apache2.conf", "--format", f], &tree);
            assert!(!all(&o).contains("envvars-secret"), "{f}: {}", all(&o));
        }
        let o = tlslint(&["apache2.conf"], &tree);
        assert!(all(&o).contains("envvars"), "{}", all(&o));
    }
}

// ---------------------------------------------------------- inline keys

#[test]
fn inline_private_keys_are_redacted_in_every_command_and_format() {
    let Some(openssl) = common::openssl() else {
        common::skip_or_fail("inline keys", "openssl is not installed");
        return;
    };
    let d = tempfile::tempdir().unwrap();
    let ok = Command::new(openssl)
        .args([
            "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-subj", "/CN=x",
        ])
        .args(["-days", "30", "-keyout", "k.pem", "-out", "c.pem"])
        .current_dir(d.path())
        .stderr(Stdio::null())
        .status()
        .unwrap()
        .success();
    assert!(ok);
    let key = std::fs::read_to_string(d.path().join("k.pem")).unwrap();
    let cert = std::fs::read_to_string(d.path().join("c.pem")).unwrap();
    // the lines of the key's body: none may appear anywhere
    let body: Vec<&str> = key
        .lines()
        .filter(|l| !l.starts_with("-----") && l.len() > 16)
        .collect();
    assert!(body.len() > 10);
    let cert_line = cert.lines().nth(1).unwrap();
    std::fs::write(
        d.path().join("nginx.conf"),
        format!(
            "events {{}}\nhttp {{\n  server {{\n    listen 443 ssl;\n    # a pasted key: {}\n    ssl_certificate \"data:{cert}\";\n    ssl_certificate_key \"data:{key}\";\n    ssl_protocols TLSv1;\n  }}\n}}\n",
            key.lines().collect::<Vec<_>>().join("\\n")
        ),
    )
    .unwrap();
    let leaks = |args: &[&str]| {
        let o = tlslint(args, d.path());
        let out = all(&o);
        assert!(matches!(o.code, Some(0..=2)), "{args:?}: {out}");
        if let Some(l) = body.iter().find(|l| out.contains(**l)) {
            panic!("{args:?} prints the key line {l}");
        }
        out
    };
    for f in CHECK_FORMATS {
        leaks(&["nginx.conf", "--format", f, "--verbose"]);
    }
    for f in NGINX_PARSE_FORMATS {
        for more in [&[][..], &["--include-comments", "--pretty"][..]] {
            let mut args = vec!["parse", "nginx.conf", "--format", f];
            args.extend(more);
            let out = leaks(&args);
            if *f == "crossplane" || *f == "json" {
                // the certificate stays; the key is there, masked
                assert!(out.contains(cert_line), "{args:?}: {out}");
                assert!(out.contains("BEGIN PRIVATE KEY"), "{args:?}: {out}");
                assert!(out.contains("****************"), "{args:?}: {out}");
            }
        }
    }
}
