//! A checkout is linted as itself: absolute paths in a tree that is not at
//! its server location (`include /etc/nginx/...`, Apache `ServerRoot`,
//! `Include`, `Define`d paths, absolute symlinks) are read from the tree or
//! the `--root` mappings, never silently from this machine's `/etc`; the
//! result does not depend on how the main file was named; findings behind a
//! symlink land on the real file; `--changed` skips unused snippets.
//!
//! The Debian trees are built from the committed copies
//! (fixtures/nginx/debian-etc-nginx, fixtures/apache/debian-etc-apache2),
//! put back to Debian 12's stock form: absolute includes in nginx.conf, the
//! absolute symlink `sites-enabled/default -> /etc/nginx/sites-available/default`
//! that Debian's nginx package makes. This machine has its own /etc/nginx and
//! /etc/apache2: a file read from them would show in `trees[].files`.

mod certgen;
mod common;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use serde_json::Value;

use common::repo;

fn tlslint(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_tlslint"))
        .current_dir(dir)
        .args(args)
        .args(["--no-config", "--now", "2026-06-01"])
        .env("NO_COLOR", "1")
        .output()
        .unwrap()
}

fn json(dir: &Path, args: &[&str]) -> (Value, Output) {
    let mut a = args.to_vec();
    a.extend(["--format", "json"]);
    let out = tlslint(dir, &a);
    let v: Value = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "{e}: {}\n{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        )
    });
    (v, out)
}

fn relink(link: &Path, target: &str) {
    let _ = std::fs::remove_file(link);
    std::os::unix::fs::symlink(target, link).unwrap();
}

/// Every file a tree read (as named and, behind symlinks, as read).
fn files_read(v: &Value) -> Vec<String> {
    let mut out = Vec::new();
    for t in v["trees"].as_array().unwrap() {
        for f in t["files"].as_array().unwrap() {
            out.push(f.as_str().unwrap().to_string());
        }
        for l in t["links"].as_array().into_iter().flatten() {
            out.push(l["real"].as_str().unwrap().to_string());
        }
    }
    out
}

fn assert_inside(v: &Value, dir: &Path, cwd: &Path) {
    let files = files_read(v);
    assert!(!files.is_empty());
    for f in &files {
        let abs = cwd.join(f);
        assert!(
            abs.starts_with(dir),
            "{f} read from outside the copy {}: {files:?}",
            dir.display()
        );
    }
}

/// (code, file, line) of each finding.
fn findings(v: &Value) -> Vec<(String, String, u64)> {
    let mut out: Vec<(String, String, u64)> = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["code"].as_str().unwrap().to_string(),
                f["file"].as_str().unwrap().to_string(),
                f["line"].as_u64().unwrap(),
            )
        })
        .collect();
    out.sort();
    out
}

/// [`findings`] with `prefix` taken off the file names.
fn strip(v: &Value, prefix: &str) -> Vec<(String, String, u64)> {
    findings(v)
        .into_iter()
        .map(|(c, f, l)| (c, f.strip_prefix(prefix).unwrap_or(&f).to_string(), l))
        .collect()
}

/// The subject of the first certificate of the endpoint named `name`.
fn subject(v: &Value, name: &str) -> Value {
    let e = v["endpoints"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["server_names"].to_string().contains(name))
        .unwrap();
    e["certificates"][0]["facts"]["subject"].clone()
}

fn notes(v: &Value) -> String {
    v["notes"].to_string()
}

/// Debian 12's /etc/nginx (stock absolute includes and symlink) with a TLS
/// site, at `x`. `certs`: generate the site's certificate (needs openssl).
fn debian_nginx(x: &Path, certs: bool) {
    common::copy_dir(&repo().join("fixtures/nginx/debian-etc-nginx"), x).unwrap();
    let conf = std::fs::read_to_string(x.join("nginx.conf")).unwrap();
    let stock = conf
        .replace(
            "include modules-enabled/*.conf;",
            "include /etc/nginx/modules-enabled/*.conf;",
        )
        .replace("include mime.types;", "include /etc/nginx/mime.types;")
        .replace(
            "include conf.d/*.conf;",
            "include /etc/nginx/conf.d/*.conf;",
        )
        .replace(
            "include sites-enabled/*;",
            "include /etc/nginx/sites-enabled/*;",
        );
    assert_eq!(stock.matches("include /etc/nginx/").count(), 4, "{stock}");
    std::fs::write(x.join("nginx.conf"), stock).unwrap();
    relink(
        &x.join("sites-enabled/default"),
        "/etc/nginx/sites-available/default",
    );
    // the TLS site: reached through an absolute symlink, with a snippet
    // and certificate named by absolute paths
    add_site(
        x,
        "/etc/nginx",
        "example.org",
        "server {\n    listen 443 ssl;\n    server_name example.org;\n    include /etc/nginx/snippets/tls-example.conf;\n    ssl_ciphers ALL;\n}\n",
        (
            "snippets/tls-example.conf",
            "ssl_certificate /etc/nginx/ssl/example.pem;\nssl_certificate_key /etc/nginx/ssl/example.key;\nssl_protocols TLSv1 TLSv1.2;\n",
        ),
        certs,
    );
}

/// Write `sites-available/NAME` (and `extra`), link it from `sites-enabled/`
/// by its absolute server path (`SERVERDIR/sites-available/NAME`), and with
/// `certs` make `ssl/example.pem` and its key.
fn add_site(
    dir: &Path,
    server_dir: &str,
    name: &str,
    text: &str,
    extra: (&str, &str),
    certs: bool,
) {
    let extra_path = dir.join(extra.0);
    std::fs::create_dir_all(extra_path.parent().unwrap()).unwrap();
    std::fs::write(extra_path, extra.1).unwrap();
    std::fs::write(dir.join("sites-available").join(name), text).unwrap();
    relink(
        &dir.join("sites-enabled").join(name),
        &format!("{server_dir}/sites-available/{name}"),
    );
    if certs {
        std::fs::create_dir_all(dir.join("ssl")).unwrap();
        certgen::setup(
            &dir.join("ssl"),
            "key example.key\ncert example.pem key=example.key san=DNS:example.org\n",
        );
        // the certificate behind a link to its server path (as a renewal
        // script leaves it): read from the copy, not this machine
        std::fs::rename(
            dir.join("ssl/example.pem"),
            dir.join("ssl/example-2026.pem"),
        )
        .unwrap();
        relink(
            &dir.join("ssl/example.pem"),
            &format!("{server_dir}/ssl/example-2026.pem"),
        );
    }
}

/// Lint the copy `base/name` (JSON): findings (exit 1), every file read
/// inside the copy, `want` among them.
fn lint_copy(base: &Path, name: &str, want: &[&str]) -> Value {
    let (v, out) = json(base, &[name]);
    assert_eq!(out.status.code(), Some(1), "{v}");
    assert_inside(&v, &base.join(name), base);
    let files = files_read(&v);
    for w in want {
        assert!(
            files.iter().any(|f| f.ends_with(&format!("{name}/{w}"))),
            "{w}: {files:?}"
        );
    }
    v
}

#[test]
fn debian_nginx_copy_is_read_from_itself() {
    let certs = certgen::require_openssl("the copy's certificate");
    let d = tempfile::tempdir().unwrap();
    let base = d.path().canonicalize().unwrap();
    let x = base.join("etc-nginx");
    debian_nginx(&x, certs);

    let v = lint_copy(
        &base,
        "etc-nginx",
        &[
            "mime.types",
            "sites-enabled/default",
            "sites-enabled/example.org",
            "snippets/tls-example.conf",
            "sites-available/example.org",
        ],
    );
    // the inferred mapping, said once
    let n = notes(&v);
    assert_eq!(
        n.matches("the tree is not at /etc/nginx here").count(),
        1,
        "{n}"
    );
    // findings behind the symlink are at the real file, the link related
    let f = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| {
            f["file"]
                .as_str()
                .unwrap()
                .ends_with("sites-available/example.org")
        })
        .unwrap_or_else(|| panic!("no finding in the real site file: {}", v["findings"]));
    let related = f["related"].to_string();
    assert!(related.contains("sites-enabled/example.org"), "{related}");
    assert!(related.contains("nginx.conf"), "{related}");
    // no finding names the link
    assert!(
        findings(&v)
            .iter()
            .all(|(_, file, _)| !file.contains("sites-enabled")),
        "{:?}",
        findings(&v)
    );
    // the certificate was read from the copy (the same mapping)
    if certs {
        assert_eq!(
            subject(&v, "example.org"),
            "CN=example",
            "{}",
            v["endpoints"]
        );
    }

    // SARIF lands on the real file as well
    let out = tlslint(&base, &["etc-nginx", "--format", "sarif"]);
    let s: Value = serde_json::from_slice(&out.stdout).unwrap();
    let uris: Vec<String> = s["runs"][0]["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
                .as_str()
                .unwrap()
                .to_string()
        })
        .collect();
    assert!(
        uris.iter()
            .any(|u| u.ends_with("sites-available/example.org")),
        "{uris:?}"
    );
    assert!(
        uris.iter().all(|u| !u.contains("sites-enabled")),
        "{uris:?}"
    );

    // named relatively or absolutely, from inside or outside: the same result
    let (va, _) = json(&base, &[x.join("nginx.conf").to_str().unwrap()]);
    assert_inside(&va, &x, &base);
    let (vi, _) = json(&x, &["nginx.conf"]);
    assert_inside(&vi, &x, &x);
    let want = strip(&v, "etc-nginx/");
    assert_eq!(strip(&va, &format!("{}/", x.display())), want);
    assert_eq!(strip(&vi, ""), want);
}

/// Debian 12's /etc/apache2 with `ServerRoot "/etc/apache2"`, mod_ssl
/// enabled and a TLS site reached through an absolute symlink, which
/// includes a `Define`d absolute path.
fn debian_apache(y: &Path, certs: bool) {
    common::copy_dir(&repo().join("fixtures/apache/debian-etc-apache2"), y).unwrap();
    let conf = std::fs::read_to_string(y.join("apache2.conf")).unwrap();
    assert!(conf.contains("#ServerRoot \"/etc/apache2\""));
    std::fs::write(
        y.join("apache2.conf"),
        conf.replace(
            "#ServerRoot \"/etc/apache2\"",
            "ServerRoot \"/etc/apache2\"",
        ),
    )
    .unwrap();
    for m in ["ssl.load", "ssl.conf", "socache_shmcb.load"] {
        relink(
            &y.join("mods-enabled").join(m),
            &format!("../mods-available/{m}"),
        );
    }
    add_site(
        y,
        "/etc/apache2",
        "example-ssl.conf",
        "Define TLSCONF /etc/apache2/tls\n<VirtualHost *:443>\n    ServerName example.org\n    SSLEngine on\n    SSLCertificateFile /etc/apache2/ssl/example.pem\n    SSLCertificateKeyFile /etc/apache2/ssl/example.key\n    Include ${TLSCONF}/params.conf\n    SSLCipherSuite ALL\n</VirtualHost>\n",
        ("tls/params.conf", "SSLProtocol all\n"),
        certs,
    );
}

#[test]
fn debian_apache_copy_is_read_from_itself() {
    let certs = certgen::require_openssl("the copy's certificate");
    let d = tempfile::tempdir().unwrap();
    let base = d.path().canonicalize().unwrap();
    let y = base.join("etc-apache2");
    debian_apache(&y, certs);

    let v = lint_copy(
        &base,
        "etc-apache2",
        &[
            "ports.conf",
            "mods-enabled/ssl.conf",
            "tls/params.conf",
            "sites-available/example-ssl.conf",
        ],
    );
    let n = notes(&v);
    assert!(n.contains("the tree is not at /etc/apache2 here"), "{n}");
    // findings in the site are at the real file
    let sites: Vec<_> = findings(&v)
        .into_iter()
        .filter(|(_, f, _)| f.contains("example-ssl.conf"))
        .collect();
    assert!(!sites.is_empty(), "{:?}", findings(&v));
    assert!(
        sites
            .iter()
            .all(|(_, f, _)| f.ends_with("sites-available/example-ssl.conf")),
        "{sites:?}"
    );
    if certs {
        assert_eq!(
            subject(&v, "example.org"),
            "CN=example",
            "{}",
            v["endpoints"]
        );
    }
    // the same from inside the tree
    let (vi, _) = json(&y, &["apache2.conf"]);
    assert_inside(&vi, &y, &y);
    assert_eq!(strip(&vi, ""), strip(&v, "etc-apache2/"));
}

/// A tree with an nginx.conf that includes `include_line`, in a fresh
/// temporary directory.
fn small_nginx(include_line: &str) -> (tempfile::TempDir, PathBuf) {
    let d = tempfile::tempdir().unwrap();
    let base = d.path().canonicalize().unwrap();
    let x = base.join("nginx");
    std::fs::create_dir_all(&x).unwrap();
    std::fs::write(
        x.join("nginx.conf"),
        format!(
            "events {{}}\nhttp {{\n    {include_line}\n    server {{ listen 443 ssl; server_name a.example; ssl_certificate a.pem; ssl_certificate_key a.key; }}\n}}\n"
        ),
    )
    .unwrap();
    (d, base)
}

#[test]
fn absolute_include_outside_the_tree_is_not_read_from_the_host() {
    // this machine's own file: never read for a tree that is not at /etc/nginx
    let (_d, base) = small_nginx("include /etc/nginx/mime.types;");
    let (v, out) = json(&base, &["nginx"]);
    assert_eq!(out.status.code(), Some(2), "{v}");
    let err = v["errors"].to_string();
    assert!(err.contains("/etc/nginx/mime.types"), "{err}");
    assert!(err.contains("not read from this machine"), "{err}");
    assert!(
        notes(&v).contains("/etc/nginx/mime.types is not read"),
        "{}",
        notes(&v)
    );
    assert!(!files_read(&v).iter().any(|f| f.starts_with("/etc")));

    let (_d, base) = small_nginx("include /etc/letsencrypt/options-ssl-nginx.conf;");
    let (v, out) = json(&base, &["nginx"]);
    assert_eq!(out.status.code(), Some(2), "{v}");
    assert!(
        v["errors"].to_string().contains("--root"),
        "{}",
        v["errors"]
    );

    // --root maps includes as it maps certificates
    let le = base.join("letsencrypt");
    std::fs::create_dir_all(&le).unwrap();
    std::fs::write(le.join("options-ssl-nginx.conf"), "ssl_protocols TLSv1;\n").unwrap();
    let (v, out) = json(
        &base,
        &[
            "nginx",
            "--root",
            &format!("/etc/letsencrypt={}", le.display()),
        ],
    );
    assert_eq!(out.status.code(), Some(1), "{v}");
    assert!(files_read(&v)
        .iter()
        .any(|f| f.ends_with("letsencrypt/options-ssl-nginx.conf")));
    // ... and so does .tlslint.yaml `root:`
    std::fs::write(
        base.join(".tlslint.yaml"),
        "root:\n  - /etc/letsencrypt=letsencrypt\n",
    )
    .unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_tlslint"))
        .current_dir(&base)
        .args(["nginx", "--format", "json"])
        .output()
        .unwrap();
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(out.status.code(), Some(1), "{v}");
    assert!(files_read(&v)
        .iter()
        .any(|f| f.ends_with("letsencrypt/options-ssl-nginx.conf")));

    // a pattern outside matches nothing, with a note
    let (_d, base) = small_nginx("include /opt/nginx-extra/*.conf;");
    let (v, out) = json(&base, &["nginx"]);
    assert_eq!(out.status.code(), Some(1), "{v}");
    assert_eq!(v["trees"][0]["ok"], true);
    assert!(
        notes(&v).contains("/opt/nginx-extra/*.conf is not read"),
        "{}",
        notes(&v)
    );

    // an absolute path into the tree as it lies here is read as is
    let (_d, base) = small_nginx("include INNER;");
    let inner = base.join("nginx/inner.conf");
    std::fs::write(&inner, "ssl_protocols TLSv1.2;\n").unwrap();
    let conf = base.join("nginx/nginx.conf");
    let text = std::fs::read_to_string(&conf)
        .unwrap()
        .replace("INNER", inner.to_str().unwrap());
    std::fs::write(&conf, text).unwrap();
    let (v, out) = json(&base, &["nginx"]);
    assert_eq!(out.status.code(), Some(1), "{v}");
    assert_eq!(v["trees"][0]["ok"], true);
    assert!(files_read(&v).contains(&inner.display().to_string()));
}

#[test]
fn absolute_symlink_out_of_the_tree_is_not_followed() {
    // Debian's modules-enabled links point into /usr/share/nginx: outside
    // the copy, so not read (this machine may have those files)
    let d = tempfile::tempdir().unwrap();
    let base = d.path().canonicalize().unwrap();
    let x = base.join("etc-nginx");
    debian_nginx(&x, false);
    std::os::unix::fs::symlink(
        "/usr/share/nginx/modules-available/mod-stream.conf",
        x.join("modules-enabled/50-mod-stream.conf"),
    )
    .unwrap();
    let (v, out) = json(&base, &["etc-nginx"]);
    // a file the pattern matched that links out of the copy: absent for the
    // check, with a note; the rest of the tree is linted
    assert_ne!(out.status.code(), Some(2), "{v}");
    assert!(v["errors"].as_array().unwrap().is_empty(), "{v}");
    let n = notes(&v);
    assert!(n.contains("50-mod-stream.conf"), "{n}");
    assert!(n.contains("which is not read"), "{n}");
    assert!(!files_read(&v).iter().any(|f| f.starts_with("/usr/share")));
    assert_inside(&v, &x, &base);
    // mapped with --root, it is read from the copy
    let share = base.join("share");
    std::fs::create_dir_all(share.join("modules-available")).unwrap();
    std::fs::write(
        share.join("modules-available/mod-stream.conf"),
        "# stream\n",
    )
    .unwrap();
    let (v, out) = json(
        &base,
        &[
            "etc-nginx",
            "--root",
            &format!("/usr/share/nginx={}", share.display()),
        ],
    );
    assert_eq!(out.status.code(), Some(1), "{v}");
    assert!(files_read(&v)
        .iter()
        .any(|f| f.ends_with("share/modules-available/mod-stream.conf")));
}

#[test]
fn tree_at_its_location_reads_absolute_paths() {
    // linting this machine's /etc/nginx itself: its absolute includes and
    // links (into /usr/share/nginx) are the server's files
    let main = Path::new("/etc/nginx/nginx.conf");
    if !main.is_file() {
        // .ci/run installs nginx: mandatory there
        return common::skip_or_fail(
            "tree at its location",
            "no /etc/nginx/nginx.conf on this machine (apt-get install nginx)",
        );
    }
    let (v, _) = json(Path::new("/"), &["/etc/nginx/nginx.conf"]);
    assert!(!notes(&v).contains("not read"), "{}", notes(&v));
    assert!(!notes(&v).contains("the tree is not at"), "{}", notes(&v));
    assert!(!v["errors"]
        .to_string()
        .contains("not read from this machine"));
    assert!(files_read(&v).iter().any(|f| f == "/etc/nginx/mime.types"));
}

#[test]
fn gentoo_defines_do_not_depend_on_the_main_path() {
    let tree = repo().join("fixtures/apache/certbot-gentoo/apache");
    let (va, _) = json(
        Path::new("/"),
        &[tree.join("apache2/httpd.conf").to_str().unwrap()],
    );
    let (vr, _) = json(&tree.join("apache2"), &["httpd.conf"]);
    let (vp, _) = json(&tree, &["apache2/httpd.conf"]);
    for v in [&va, &vr, &vp] {
        assert!(
            notes(v).contains("APACHE2_OPTS"),
            "the Gentoo defines were not read: {}",
            notes(v)
        );
    }
    let codes = |v: &Value| -> Vec<(String, u64)> {
        findings(v).into_iter().map(|(c, _, l)| (c, l)).collect()
    };
    assert!(!codes(&va).is_empty());
    assert_eq!(codes(&va), codes(&vr));
    assert_eq!(codes(&va), codes(&vp));
}

#[test]
fn rhel_server_root_does_not_depend_on_the_main_path() {
    // conf/httpd.conf with ServerRoot "/etc/httpd": the tree above conf/
    let tree = repo().join("fixtures/apache/certbot-centos7/apache/httpd");
    let (va, _) = json(
        Path::new("/"),
        &[tree.join("conf/httpd.conf").to_str().unwrap()],
    );
    let (vr, _) = json(&tree.join("conf"), &["httpd.conf"]);
    let (vp, _) = json(&tree, &["conf/httpd.conf"]);
    let lines = |v: &Value| -> Vec<(String, String, u64)> {
        findings(v)
            .into_iter()
            // named from inside conf/, the paths are `../conf.d/...`: as named
            .map(|(c, f, l)| {
                let f = f.rsplit("httpd/").next().unwrap();
                (c, f.trim_start_matches("../").to_string(), l)
            })
            .collect()
    };
    for v in [&va, &vr, &vp] {
        assert_eq!(v["trees"][0]["ok"], true, "{}", v["errors"]);
        assert!(v["trees"][0]["files"].as_array().unwrap().len() > 1);
    }
    assert_eq!(
        va["trees"][0]["files"].as_array().unwrap().len(),
        vr["trees"][0]["files"].as_array().unwrap().len()
    );
    assert_eq!(lines(&va), lines(&vr));
    assert_eq!(lines(&va), lines(&vp));
}

#[test]
fn changed_unused_snippet_is_skipped_with_a_note() {
    let d = tempfile::tempdir().unwrap();
    let base = d.path().canonicalize().unwrap();
    let x = base.join("etc-nginx");
    debian_nginx(&x, false);
    std::fs::write(x.join("snippets/unused.conf"), "ssl_protocols TLSv1;\n").unwrap();
    // a changed site reached through the absolute include and symlink: its tree
    let out = tlslint(
        &base,
        &[
            "--changed",
            "etc-nginx/sites-available/example.org",
            "etc-nginx/snippets/unused.conf",
        ],
    );
    let err = String::from_utf8_lossy(&out.stderr);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "{stdout}\n{err}");
    assert!(
        err.contains("etc-nginx/sites-available/example.org is included by")
            && err.contains("etc-nginx/nginx.conf\n"),
        "{err}"
    );
    assert!(
        err.contains("etc-nginx/snippets/unused.conf: skipped: no tree includes it"),
        "{err}"
    );
    // its certificates under /etc/nginx are the copy's (absent here), never
    // this machine's /etc/nginx/ssl
    assert!(
        err.contains("etc-nginx/ssl/example.pem")
            && !err.contains(" /etc/nginx/ssl/")
            && !err.contains("(/etc/nginx/ssl/"),
        "{err}"
    );
    // a changed link (its target is a server path) maps to its tree too
    let out = tlslint(&base, &["--changed", "etc-nginx/sites-enabled/example.org"]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("etc-nginx/sites-enabled/example.org is included by"),
        "{err}"
    );
    // only unused snippets: nothing to lint, exit 0
    let out = tlslint(&base, &["--changed", "etc-nginx/snippets/unused.conf"]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{err}");
    assert!(err.contains("skipped"), "{err}");
    // a main file with another name is still linted on its own
    std::fs::write(
        base.join("alone.conf"),
        "events {}\nhttp { server { listen 443 ssl; ssl_certificate a.pem; ssl_certificate_key a.key; ssl_protocols TLSv1; } }\n",
    )
    .unwrap();
    let out = tlslint(&base, &["--changed", "alone.conf"]);
    assert_eq!(
        out.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    // without --changed, a file no tree includes is linted alone, as before
    let out = tlslint(&base, &["etc-nginx/snippets/unused.conf"]);
    assert!(!String::from_utf8_lossy(&out.stderr).contains("skipped"));
}

#[test]
fn apache_absolute_paths_outside_the_copy_are_not_read_from_the_host() {
    let d = tempfile::tempdir().unwrap();
    let base = d.path().canonicalize().unwrap();
    let y = base.join("apache2");
    std::fs::create_dir_all(&y).unwrap();
    let main = |body: &str| {
        std::fs::write(
            y.join("apache2.conf"),
            format!("Listen 443\n{body}\n<VirtualHost *:443>\nServerName a.example\nSSLEngine on\nSSLProtocol all\n</VirtualHost>\n"),
        )
        .unwrap()
    };
    // a plain Include: the file is missing for the check, said why
    main("Include /etc/letsencrypt/options-ssl-apache.conf");
    let (v, out) = json(&base, &["apache2"]);
    assert_eq!(out.status.code(), Some(2), "{v}");
    let err = v["errors"].to_string();
    assert!(
        err.contains("No such file or directory (for the check: it is outside the tree"),
        "{err}"
    );
    // IncludeOptional and <IfFile> of this machine's files: nothing, with a note
    main(
        "IncludeOptional /etc/letsencrypt/*.conf\n<IfFile /etc/passwd>\nSSLProtocol TLSv1.3\n</IfFile>",
    );
    let (v, out) = json(&base, &["apache2"]);
    assert_eq!(out.status.code(), Some(1), "{v}");
    assert_inside(&v, &y, &base);
    let n = notes(&v);
    assert!(n.contains("/etc/letsencrypt/*.conf is not read"), "{n}");
    assert!(n.contains("/etc/passwd is not read"), "{n}");
    // SSLProtocol all stays: the <IfFile> section was false
    assert!(
        findings(&v).iter().any(|(c, _, _)| c == "TLS101"),
        "{:?}",
        findings(&v)
    );
}
