//! `--nginx-version auto`, `--apache-version auto`, `--openssl-version auto`
//! and the default rule (auto for the tree the installed server reads),
//! with fake `nginx` / `apache2` / `httpd` / `ldd` / `openssl` on PATH that
//! print the `-V` outputs of real packages (tests/data/server-versions, see
//! its README.md), and with the real binaries of this machine.
//! The summary line of every format names the versions and their origins.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::time::{Duration, Instant};

use serde_json::Value;
use tlslint::detect::{self, Detector, Origin, Spec, Specs};
use tlslint::model::ServerKind;

mod common;

fn data(name: &str) -> PathBuf {
    common::repo().join("tests/data/server-versions").join(name)
}

fn quote(p: &Path) -> String {
    format!("'{}'", p.display().to_string().replace('\'', "'\\''"))
}

/// A shell script `dir/name` that prints `out` on stdout and `err` on
/// stderr, then exits with `status`.
fn fake(dir: &Path, name: &str, out: Option<&Path>, err: Option<&Path>, status: i32) {
    let mut s = String::from("#!/bin/sh\n");
    if let Some(o) = out {
        s.push_str(&format!("cat {}\n", quote(o)));
    }
    if let Some(e) = err {
        s.push_str(&format!("cat {} >&2\n", quote(e)));
    }
    s.push_str(&format!("exit {status}\n"));
    script(dir, name, &s);
}

/// An executable `dir/name`; the script's own commands (cat, sleep) come
/// from /usr/bin and /bin, whatever PATH tlslint is given.
fn script(dir: &Path, name: &str, text: &str) {
    use std::os::unix::fs::PermissionsExt;
    std::fs::create_dir_all(dir).unwrap();
    let p = dir.join(name);
    let text = text.replacen("#!/bin/sh\n", "#!/bin/sh\nPATH=/usr/bin:/bin\n", 1);
    std::fs::write(&p, text).unwrap();
    std::fs::set_permissions(&p, std::fs::Permissions::from_mode(0o755)).unwrap();
}

fn write(p: &Path, text: &str) {
    std::fs::create_dir_all(p.parent().unwrap()).unwrap();
    std::fs::write(p, text).unwrap();
}

/// tlslint with PATH = `path` (and nothing else of the environment's PATH).
fn tlslint(cwd: &Path, path: &str, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_tlslint"))
        .current_dir(cwd)
        .args(args)
        .args(["--no-config"])
        .env("PATH", path)
        .env("NO_COLOR", "1")
        .output()
        .unwrap()
}

fn json(o: &Output) -> Value {
    assert_ne!(o.status.code(), Some(2), "{}", s(&o.stderr));
    serde_json::from_slice(&o.stdout).unwrap_or_else(|e| panic!("{e}: {}", s(&o.stdout)))
}

/// The summary line: the last line of stdout.
fn last_line(o: &Output) -> String {
    s(&o.stdout).lines().last().unwrap_or("").to_string()
}

/// tlslint with PATH = `bin` only.
fn tlslint_bin(cwd: &Path, bin: &Path, args: &[&str]) -> Output {
    tlslint(cwd, bin.to_str().unwrap(), args)
}

fn s(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

const NGINX_TREE: &str = "events {}\nhttp {\n    server {\n        listen 443 ssl;\n        ssl_protocols TLSv1.2 TLSv1.3;\n    }\n}\n";

/// (file, nginx version, OpenSSL it runs with, the file it reads)
const NGINX: &[(&str, &str, &str, &str)] = &[
    (
        "nginx-debian12-1.22.1-9+deb12u12.txt",
        "1.22.1",
        "3.0.22",
        "/etc/nginx/nginx.conf",
    ),
    (
        "nginx-ubuntu2404-1.24.0-2ubuntu7.txt",
        "1.24.0",
        "3.0.13",
        "/etc/nginx/nginx.conf",
    ),
    (
        "nginx-ubuntu2004-1.18.0-0ubuntu1.4.txt",
        "1.18.0",
        "1.1.1f",
        "/etc/nginx/nginx.conf",
    ),
    (
        "nginx-rhel9-1.20.1-14.el9_2.1.txt",
        "1.20.1",
        "3.0.7",
        "/etc/nginx/nginx.conf",
    ),
    // built with 3.3.1, running with 3.3.2: the running one
    (
        "nginx-alpine320-1.26.2-r0.txt",
        "1.26.2",
        "3.3.2",
        "/etc/nginx/nginx.conf",
    ),
    (
        "nginx-org-1.26.2-1~bookworm.txt",
        "1.26.2",
        "3.0.14",
        "/etc/nginx/nginx.conf",
    ),
    // no --prefix, no --conf-path: configure's /usr/local/nginx/conf/nginx.conf
    (
        "nginx-source-1.27.3-configure-defaults.txt",
        "1.27.3",
        "3.0.15",
        "/usr/local/nginx/conf/nginx.conf",
    ),
];

#[test]
fn nginx_v_of_each_distribution_is_read() {
    for (file, v, ssl, conf) in NGINX {
        let text = std::fs::read_to_string(data(file)).unwrap();
        let i = detect::parse_nginx(&text).unwrap_or_else(|e| panic!("{file}: {e}"));
        assert_eq!(i.version_text, *v, "{file}");
        assert_eq!(i.openssl.as_ref().unwrap().1, *ssl, "{file}");
        assert_eq!(i.conf_path, Path::new(conf), "{file}");
    }
}

#[test]
fn nginx_auto_models_the_installed_nginx_and_its_openssl() {
    for (file, v, ssl, _) in NGINX {
        let d = tempfile::tempdir().unwrap();
        let bin = d.path().join("bin");
        // nginx prints -V on stderr
        fake(&bin, "nginx", None, Some(&data(file)), 0);
        write(&d.path().join("site/nginx.conf"), NGINX_TREE);
        let o = tlslint(
            d.path(),
            bin.to_str().unwrap(),
            &[
                "site",
                "--nginx-version",
                "auto",
                "--openssl-version",
                "auto",
                "--format",
                "json",
            ],
        );
        let j = json(&o);
        let from = format!("{} -V", bin.join("nginx").display());
        assert_eq!(j["target"]["nginx"]["version"], *v, "{file}");
        assert_eq!(j["target"]["nginx"]["origin"], "detected", "{file}");
        assert_eq!(j["target"]["nginx"]["from"], from.as_str(), "{file}");
        assert_eq!(j["target"]["openssl"]["version"], *ssl, "{file}");
        assert_eq!(j["target"]["openssl"]["origin"], "detected", "{file}");
        assert_eq!(j["trees"][0]["target"], j["target"], "{file}");
        // the human summary line says the same
        let o = tlslint(
            d.path(),
            bin.to_str().unwrap(),
            &[
                "site",
                "--nginx-version",
                "auto",
                "--openssl-version",
                "auto",
            ],
        );
        let last = last_line(&o);
        assert!(
            last.ends_with(&format!("; nginx {v} (detected), OpenSSL {ssl} (detected)")),
            "{file}: {last}"
        );
    }
}

/// `-V` with the file the binary reads moved to `conf` (the temporary
/// tree), the rest as the package prints it.
fn rewritten(file: &str, from: &str, to: &str, into: &Path) -> PathBuf {
    let text = std::fs::read_to_string(data(file)).unwrap();
    assert!(text.contains(from), "{file}");
    let p = into.join(file);
    write(&p, &text.replace(from, to));
    p
}

#[test]
fn the_tree_the_installed_nginx_reads_is_auto_by_default() {
    let d = tempfile::tempdir().unwrap();
    let p = d.path();
    let bin = p.join("bin");
    let conf = p.join("etc/nginx/nginx.conf");
    write(&conf, NGINX_TREE);
    write(&p.join("repo/nginx.conf"), NGINX_TREE);
    let file = "nginx-org-1.26.2-1~bookworm.txt";
    let v = rewritten(
        file,
        "/etc/nginx",
        &p.join("etc/nginx").display().to_string(),
        p,
    );
    fake(&bin, "nginx", None, Some(&v), 0);
    let path = bin.to_str().unwrap();
    // the server's own tree, given as its directory
    let o = tlslint(p, path, &["etc/nginx", "--format", "json"]);
    let j = json(&o);
    assert_eq!(j["target"]["nginx"]["version"], "1.26.2");
    assert_eq!(j["target"]["nginx"]["origin"], "detected");
    assert_eq!(j["target"]["openssl"]["version"], "3.0.14");
    assert!(
        j["notes"]
            .as_array()
            .unwrap()
            .iter()
            .any(|n| n.as_str().unwrap().contains("is the configuration")),
        "{}",
        j["notes"]
    );
    // a flag still wins, for that version only
    let j = json(&tlslint(
        p,
        path,
        &["etc/nginx", "--nginx-version", "1.24.0", "--format", "json"],
    ));
    assert_eq!(j["target"]["nginx"]["version"], "1.24.0");
    assert_eq!(j["target"]["nginx"]["origin"], "flag");
    assert_eq!(j["target"]["openssl"]["origin"], "detected");
    // another tree keeps the defaults, silently
    let o = tlslint(p, path, &["repo", "--format", "json"]);
    let j = json(&o);
    assert_eq!(j["target"]["nginx"]["origin"], "default");
    assert_eq!(j["target"]["openssl"]["version"], "3.0");
    assert_eq!(j["target"]["openssl"]["origin"], "default");
    assert!(!s(&o.stderr).contains("auto"), "{}", s(&o.stderr));
    // both: the summary line names each tree's versions
    let o = tlslint(p, path, &["etc/nginx", "repo"]);
    let last = last_line(&o);
    assert!(
        last.contains("etc/nginx/nginx.conf: nginx 1.26.2 (detected), OpenSSL 3.0.14 (detected); repo/nginx.conf: nginx 1.30.4 (default), OpenSSL 3.0 (default)"),
        "{last}"
    );
}

/// (binary name, -V file, stderr file, exit status, ldd file, openssl file,
/// httpd version, OpenSSL, HTTPD_ROOT, the file it reads)
type ApacheCase = (
    &'static str,
    &'static str,
    Option<&'static str>,
    i32,
    &'static str,
    &'static str,
    &'static str,
    &'static str,
    &'static str,
    &'static str,
);

const APACHE: &[ApacheCase] = &[
    // Debian's apache2 -V without /etc/apache2/envvars: exit 1 after the lines
    (
        "apache2",
        "apache2-debian12-2.4.71-1~deb12u1.txt",
        Some("apache2-debian12-2.4.71-1~deb12u1.stderr"),
        1,
        "ldd-debian12-mod_ssl.txt",
        "openssl-debian12-3.0.22-1~deb12u2.txt",
        "2.4.71",
        "3.0.22",
        "/etc/apache2",
        "/etc/apache2/apache2.conf",
    ),
    (
        "apache2",
        "apache2-ubuntu2404-2.4.58-1ubuntu8.txt",
        None,
        0,
        "ldd-ubuntu2404-mod_ssl.txt",
        "openssl-ubuntu2404-3.0.13-0ubuntu3.txt",
        "2.4.58",
        "3.0.13",
        "/etc/apache2",
        "/etc/apache2/apache2.conf",
    ),
    (
        "httpd",
        "httpd-rhel9-2.4.57-11.el9_4.txt",
        None,
        0,
        "ldd-rhel9-mod_ssl.txt",
        "openssl-rhel9-3.0.7-27.el9.txt",
        "2.4.57",
        "3.0.7",
        "/etc/httpd",
        "/etc/httpd/conf/httpd.conf",
    ),
    (
        "httpd",
        "httpd-alpine320-2.4.62-r0.txt",
        None,
        0,
        "ldd-alpine320-mod_ssl.txt",
        "openssl-alpine320-3.3.2-r1.txt",
        "2.4.62",
        "3.3.2",
        "/usr",
        "/etc/apache2/httpd.conf",
    ),
];

#[test]
fn apache_v_of_each_distribution_is_read() {
    for (_, file, _, _, ldd, openssl, v, ssl, root, conf) in APACHE {
        let i = detect::parse_apache(&std::fs::read_to_string(data(file)).unwrap()).unwrap();
        assert_eq!(i.version_text, *v, "{file}");
        assert_eq!(i.root, Path::new(root), "{file}");
        assert_eq!(i.conf_path, Path::new(conf), "{file}");
        let (series, soname) =
            detect::parse_ldd(&std::fs::read_to_string(data(ldd)).unwrap()).unwrap();
        assert_eq!((series.major, soname.as_str()), (3, "libssl.so.3"), "{ldd}");
        let (_, text) =
            detect::parse_openssl_version(&std::fs::read_to_string(data(openssl)).unwrap())
                .unwrap();
        assert_eq!(text, *ssl, "{openssl}");
    }
}

/// An Apache tree at `main` and an (empty) `module` it loads as mod_ssl.
fn apache_site(main: &Path, module: &Path) {
    write(module, "");
    apache_tree(main, module);
}

/// An Apache tree at `main` that loads mod_ssl from `module` (not written).
fn apache_tree(main: &Path, module: &Path) {
    write(
        main,
        &format!(
            "LoadModule ssl_module {}\nListen 443\n<VirtualHost *:443>\nServerName a.test\nSSLEngine on\nSSLProtocol -all +TLSv1.2 +TLSv1.3\n</VirtualHost>\n",
            module.display()
        ),
    );
}

#[test]
fn apache_auto_models_httpd_and_the_openssl_mod_ssl_links_to() {
    for (name, file, err, status, ldd, openssl, v, ssl, _, _) in APACHE {
        let d = tempfile::tempdir().unwrap();
        let p = d.path();
        let bin = p.join("bin");
        fake(
            &bin,
            name,
            Some(&data(file)),
            err.map(data).as_deref(),
            *status,
        );
        fake(&bin, "ldd", Some(&data(ldd)), None, 0);
        fake(&bin, "openssl", Some(&data(openssl)), None, 0);
        let module = p.join("modules/mod_ssl.so");
        apache_site(&p.join("site/apache2.conf"), &module);
        let j = json(&tlslint_bin(
            p,
            &bin,
            &[
                "site/apache2.conf",
                "--apache-version",
                "auto",
                "--openssl-version",
                "auto",
                "--format",
                "json",
            ],
        ));
        assert_eq!(j["target"]["apache"]["version"], *v, "{file}");
        assert_eq!(j["target"]["apache"]["origin"], "detected", "{file}");
        assert_eq!(
            j["target"]["apache"]["from"],
            format!("{} -V", bin.join(name).display()).as_str()
        );
        assert_eq!(j["target"]["openssl"]["version"], *ssl, "{file}");
        assert_eq!(j["target"]["openssl"]["origin"], "detected", "{file}");
        let from = j["target"]["openssl"]["from"].as_str().unwrap();
        assert!(
            from.contains(&format!("ldd {}: libssl.so.3", module.display())),
            "{from}"
        );
    }
}

#[test]
fn the_tree_the_installed_httpd_reads_is_auto_by_default() {
    let d = tempfile::tempdir().unwrap();
    let p = d.path();
    let bin = p.join("bin");
    let root = p.join("etc/apache2");
    let file = "apache2-debian12-2.4.71-1~deb12u1.txt";
    let v = rewritten(file, "/etc/apache2", &root.display().to_string(), p);
    fake(
        &bin,
        "apache2",
        Some(&v),
        Some(&data("apache2-debian12-2.4.71-1~deb12u1.stderr")),
        1,
    );
    fake(
        &bin,
        "ldd",
        Some(&data("ldd-debian12-mod_ssl.txt")),
        None,
        0,
    );
    // `openssl version` of another series than the libssl mod_ssl links to:
    // the series is modelled, with a note
    script(
        &bin,
        "openssl",
        "#!/bin/sh\necho 'OpenSSL 1.1.1w  11 Sep 2023'\n",
    );
    let module = p.join("usr/lib/apache2/modules/mod_ssl.so");
    apache_site(&root.join("apache2.conf"), &module);
    let o = tlslint_bin(p, &bin, &["etc/apache2", "--format", "json"]);
    let j = json(&o);
    assert_eq!(j["target"]["apache"]["version"], "2.4.71");
    assert_eq!(j["target"]["apache"]["origin"], "detected");
    assert_eq!(j["target"]["openssl"]["version"], "3.0");
    assert_eq!(j["target"]["openssl"]["origin"], "detected");
    let notes = j["notes"].to_string();
    assert!(
        notes.contains("links to libssl.so.3 but its exact release is unknown"),
        "{notes}"
    );
    // the GitHub format's closing line
    let o = tlslint_bin(p, &bin, &["etc/apache2", "--format", "github"]);
    let last = last_line(&o);
    assert!(
        last.ends_with("; Apache 2.4.71 (detected), OpenSSL 3.0 (detected)"),
        "{last}"
    );
}

/// Without a readable mod_ssl (ldd fails), `openssl version` alone, with a
/// note; with no `openssl` either, the default, with a note.
#[test]
fn apache_openssl_falls_back_to_openssl_version() {
    let d = tempfile::tempdir().unwrap();
    let p = d.path();
    let bin = p.join("bin");
    script(
        &bin,
        "ldd",
        "#!/bin/sh\necho '\tnot a dynamic executable'\nexit 1\n",
    );
    let module = p.join("modules/mod_ssl.so");
    apache_site(&p.join("site/apache2.conf"), &module);
    let args = [
        "site/apache2.conf",
        "--openssl-version",
        "auto",
        "--format",
        "json",
    ];
    fake(
        &bin,
        "openssl",
        Some(&data("openssl-rhel9-3.0.7-27.el9.txt")),
        None,
        0,
    );
    let j = json(&tlslint_bin(p, &bin, &args));
    assert_eq!(j["target"]["openssl"]["version"], "3.0.7");
    assert_eq!(
        j["target"]["openssl"]["from"],
        format!("{} version", bin.join("openssl").display()).as_str()
    );
    let notes = j["notes"].to_string();
    assert!(notes.contains("could not be read"), "{notes}");
    std::fs::remove_file(bin.join("openssl")).unwrap();
    // (an openssl in the sbin directories would still be found)
    if !["/usr/local/sbin", "/usr/sbin", "/sbin"]
        .iter()
        .any(|d| Path::new(d).join("openssl").exists())
    {
        let j = json(&tlslint_bin(p, &bin, &args));
        assert_eq!(j["target"]["openssl"]["origin"], "default");
        assert!(
            j["notes"]
                .to_string()
                .contains("--openssl-version auto: no openssl in"),
            "{}",
            j["notes"]
        );
    }
}

#[test]
fn a_failing_or_hanging_binary_under_auto_is_a_note() {
    let d = tempfile::tempdir().unwrap();
    let p = d.path();
    write(&p.join("site/nginx.conf"), NGINX_TREE);
    let bin = p.join("bin");
    script(
        &bin,
        "nginx",
        "#!/bin/sh\necho 'nginx: error while loading shared libraries: libssl.so.3: cannot open shared object file' >&2\nexit 127\n",
    );
    let o = tlslint_bin(
        p,
        &bin,
        &["site", "--nginx-version", "auto", "--format", "json"],
    );
    let j = json(&o);
    assert_eq!(j["target"]["nginx"]["origin"], "default");
    assert_eq!(j["target"]["nginx"]["version"], "1.30.4");
    let notes = j["notes"].to_string();
    assert!(notes.contains("--nginx-version auto:"), "{notes}");
    assert!(notes.contains("no \\\"nginx version:\\\" line"), "{notes}");
    // a binary that never answers is stopped
    script(&bin, "nginx", "#!/bin/sh\nexec sleep 60\n");
    let t = Instant::now();
    let o = tlslint_bin(p, &bin, &["site", "--nginx-version", "auto"]);
    assert!(t.elapsed() < Duration::from_secs(30), "{:?}", t.elapsed());
    assert_ne!(o.status.code(), Some(2));
    let err = s(&o.stderr);
    assert!(err.contains("did not answer within 5 s"), "{err}");
    let last = last_line(&o);
    assert!(
        last.ends_with("; nginx 1.30.4 (default), OpenSSL 3.0 (default)"),
        "{last}"
    );
}

#[test]
fn no_binary_from_the_tree_or_a_relative_path_is_run() {
    let d = tempfile::tempdir().unwrap();
    let p = d.path();
    write(&p.join("site/nginx.conf"), NGINX_TREE);
    let marker = p.join("ran");
    let evil = format!(
        "#!/bin/sh\ntouch {}\ncat {} >&2\n",
        quote(&marker),
        quote(&data("nginx-debian12-1.22.1-9+deb12u12.txt"))
    );
    // on PATH, but inside the linted tree's directory
    script(&p.join("site/bin"), "nginx", &evil);
    let o = tlslint(
        p,
        p.join("site/bin").to_str().unwrap(),
        &["site", "--nginx-version", "auto", "--format", "json"],
    );
    let j = json(&o);
    assert!(!marker.exists());
    assert!(
        j["notes"]
            .to_string()
            .contains("is inside the linted tree and is not run"),
        "{}",
        j["notes"]
    );
    assert_eq!(j["target"]["nginx"]["origin"], "default");
    // a relative PATH entry (the current directory's bin) is not searched
    script(&p.join("bin"), "nginx", &evil);
    let _ = tlslint(
        p,
        "bin",
        &["site", "--nginx-version", "auto", "--format", "json"],
    );
    assert!(!marker.exists());
}

#[test]
fn a_missing_binary_is_a_note_under_auto_and_nothing_otherwise() {
    let empty = tempfile::tempdir().unwrap();
    let det = Detector::with_dirs(vec![empty.path().to_path_buf()], detect::TIMEOUT);
    let main = empty.path().join("nginx.conf");
    let specs = Specs {
        nginx: Spec::Auto {
            origin: Origin::Flag,
            from: None,
        },
        ..Specs::default()
    };
    let mut notes = Vec::new();
    let (v, _) = detect::choose(&specs, ServerKind::Nginx, Some(&main), &det, &mut notes);
    assert_eq!(v.nginx.origin, Origin::Default);
    assert_eq!(notes.len(), 1, "{notes:?}");
    assert!(
        notes[0].starts_with("--nginx-version auto: no nginx in "),
        "{notes:?}"
    );
    let mut notes = Vec::new();
    let (v, ssl) = detect::choose(
        &Specs::default(),
        ServerKind::Apache,
        Some(&main),
        &det,
        &mut notes,
    );
    assert_eq!(v, detect::Versions::default());
    assert!(!ssl);
    assert!(notes.is_empty(), "{notes:?}");
}

#[test]
fn the_summary_names_flag_and_settings_file_origins_in_every_format() {
    let d = tempfile::tempdir().unwrap();
    let p = d.path();
    std::fs::create_dir(p.join(".git")).unwrap();
    write(&p.join("site/nginx.conf"), NGINX_TREE);
    write(&p.join(".tlslint.yaml"), "nginx_version: 1.24.0\n");
    let run = |args: &[&str]| {
        Command::new(env!("CARGO_BIN_EXE_tlslint"))
            .current_dir(p)
            .args(args)
            .env("PATH", "/nonexistent")
            .env("NO_COLOR", "1")
            .output()
            .unwrap()
    };
    let want = "; nginx 1.24.0 (.tlslint.yaml), OpenSSL 1.1.1 (flag)";
    let args = ["site", "--openssl-version", "1.1.1"];
    let o = run(&args);
    let last = last_line(&o);
    assert!(last.ends_with(want), "{last}");
    let o = run(&[&args[..], &["--format", "github"]].concat());
    let last = last_line(&o);
    assert!(last.ends_with(want), "{last}");
    let j = json(&run(&[&args[..], &["--format", "json"]].concat()));
    assert_eq!(j["target"]["nginx"]["origin"], "config");
    assert_eq!(
        j["target"]["nginx"]["from"],
        p.join(".tlslint.yaml").display().to_string().as_str()
    );
    assert_eq!(j["target"]["openssl"]["origin"], "flag");
    assert_eq!(j["target"]["apache"]["origin"], "default");
    let sarif = json(&run(&[&args[..], &["--format", "sarif"]].concat()));
    let props = &sarif["runs"][0]["properties"];
    assert!(
        props["summary"].as_str().unwrap().ends_with(want),
        "{props}"
    );
    assert_eq!(props["target"], j["target"]);
    assert_eq!(props["trees"][0]["target"], j["target"]);
    // `auto` in the settings file, and a bad value there is an error at its line
    write(
        &p.join(".tlslint.yaml"),
        "openssl_version: auto\nnginx_version: newest\n",
    );
    let o = run(&["site"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        s(&o.stderr).contains(".tlslint.yaml:2:"),
        "{}",
        s(&o.stderr)
    );
}

/// The real `nginx -V` and `apache2 -V` of this machine (Debian's
/// packages; mandatory in CI, skipped elsewhere when missing): the versions
/// detected are those dpkg and `openssl version` report.
#[test]
fn the_real_installed_servers_are_detected() {
    let dpkg = |pkg: &str| -> Option<String> {
        let o = Command::new("dpkg-query")
            .args(["-W", "-f", "${Version}", pkg])
            .output()
            .ok()?;
        let v = s(&o.stdout);
        // 1.22.1-9+deb12u12 -> 1.22.1; 2.4.71-1~deb12u1 -> 2.4.71
        let up = v
            .split(['-', '+', '~'])
            .next()?
            .split(':')
            .next_back()?
            .to_string();
        (o.status.success() && !up.is_empty()).then_some(up)
    };
    let library = || -> Option<String> {
        let o = Command::new("openssl").arg("version").output().ok()?;
        detect::parse_openssl_version(&s(&o.stdout))
            .ok()
            .map(|(_, t)| t)
    };
    let (Some(nv), Some(av), Some(ssl)) = (dpkg("nginx"), dpkg("apache2"), library()) else {
        common::skip_or_fail(
            "real nginx -V / apache2 -V",
            "nginx, apache2 or openssl not installed",
        );
        return;
    };
    let d = tempfile::tempdir().unwrap();
    let p = d.path();
    write(&p.join("site/nginx.conf"), NGINX_TREE);
    // the installed mod_ssl.so, read by ldd only
    apache_tree(
        &p.join("web/apache2.conf"),
        Path::new("/usr/lib/apache2/modules/mod_ssl.so"),
    );
    let path = std::env::var("PATH").unwrap_or_default();
    for (tree, server, version) in [("site", "nginx", nv), ("web/apache2.conf", "apache", av)] {
        let flag = format!("--{server}-version");
        let j = json(&tlslint(
            p,
            &path,
            &[
                tree,
                &flag,
                "auto",
                "--openssl-version",
                "auto",
                "--format",
                "json",
            ],
        ));
        let t = &j["target"];
        assert_eq!(t[server]["version"], version.as_str(), "{}", j["notes"]);
        assert_eq!(t[server]["origin"], "detected");
        assert_eq!(t["openssl"]["version"], ssl.as_str(), "{}", j["notes"]);
        assert_eq!(t["openssl"]["origin"], "detected");
    }
}
