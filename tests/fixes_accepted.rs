//! Every fix the human output suggests for the cipher-string and protocol
//! rules, copied as printed (the `quoted` text of a `help:` line, at 80
//! columns), is a directive the server accepts: written into a minimal
//! server with a certificate, `nginx -t` / `apache2 -t` pass. nginx or
//! apache2 missing: skipped with a reason (a failure under CI=true).

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;

/// The rules whose fixes are directives with cipher strings, suite lists,
/// groups or protocols.
const CODES: &[&str] = &[
    "TLS101", "TLS102", "TLS201", "TLS202", "TLS203", "TLS204", "TLS205", "TLS206", "TLS207",
    "TLS209",
];

/// The `quoted` fixes of the human output's help lines.
fn fixes(tree: &Path) -> Vec<String> {
    let o = Command::new(env!("CARGO_BIN_EXE_tlslint"))
        .arg(tree)
        .args(["--now", "2026-01-01"])
        .env("COLUMNS", "80")
        .env("NO_COLOR", "1")
        .output()
        .unwrap();
    let out = String::from_utf8_lossy(&o.stdout);
    let mut help = String::new();
    let mut in_help = false;
    for l in out.lines() {
        if let Some(rest) = l.strip_prefix("  help: ") {
            in_help = true;
            help.push_str(rest);
            help.push(' ');
        } else if in_help && l.starts_with("        ") {
            help.push_str(l.trim());
            help.push(' ');
        } else {
            in_help = false;
        }
    }
    help.split('`')
        .skip(1)
        .step_by(2)
        .map(str::to_string)
        .collect()
}

fn keypair(dir: &Path) -> Option<(PathBuf, PathBuf)> {
    let openssl = common::openssl()?;
    let (cert, key) = (dir.join("cert.pem"), dir.join("key.pem"));
    let ok = Command::new(openssl)
        .args([
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-days",
            "30",
            "-subj",
            "/CN=fix.test",
        ])
        .arg("-keyout")
        .arg(&key)
        .arg("-out")
        .arg(&cert)
        .output()
        .ok()?
        .status
        .success();
    ok.then_some((cert, key))
}

fn nginx_accepts(
    nginx: &Path,
    dir: &Path,
    cert: &Path,
    key: &Path,
    fix: &str,
) -> Result<(), String> {
    let conf = dir.join("nginx.conf");
    std::fs::write(
        &conf,
        format!(
            "pid {d}/nginx.pid;\nerror_log stderr;\nevents {{}}\nhttp {{\n    access_log off;\n    \
             server {{\n        listen 127.0.0.1:1 ssl;\n        ssl_certificate {c};\n        \
             ssl_certificate_key {k};\n        {fix}\n    }}\n}}\n",
            d = dir.display(),
            c = cert.display(),
            k = key.display(),
        ),
    )
    .unwrap();
    let o = Command::new(nginx)
        .args(["-t", "-q", "-e", "stderr", "-p"])
        .arg(format!("{}/", dir.display()))
        .arg("-c")
        .arg(&conf)
        .output()
        .unwrap();
    if o.status.success() {
        Ok(())
    } else {
        Err(String::from_utf8_lossy(&o.stderr).into_owned())
    }
}

fn apache_accepts(
    bin: &Path,
    dir: &Path,
    cert: &Path,
    key: &Path,
    fix: &str,
) -> Result<(), String> {
    let m = "/usr/lib/apache2/modules";
    let conf = dir.join("httpd.conf");
    std::fs::write(
        &conf,
        format!(
            "ServerRoot {d}\nServerName main.test\nPidFile {d}/httpd.pid\nDefaultRuntimeDir {d}\n\
             ErrorLog {d}/error.log\nLoadModule mpm_event_module {m}/mod_mpm_event.so\n\
             LoadModule authz_core_module {m}/mod_authz_core.so\n\
             LoadModule headers_module {m}/mod_headers.so\n\
             LoadModule rewrite_module {m}/mod_rewrite.so\n\
             LoadModule socache_shmcb_module {m}/mod_socache_shmcb.so\n\
             LoadModule ssl_module {m}/mod_ssl.so\nListen 127.0.0.1:1\n\
             <VirtualHost 127.0.0.1:1>\n    ServerName fix.test\n    SSLEngine on\n    \
             SSLCertificateFile {c}\n    SSLCertificateKeyFile {k}\n    {fix}\n</VirtualHost>\n",
            d = dir.display(),
            c = cert.display(),
            k = key.display(),
        ),
    )
    .unwrap();
    let o = Command::new(bin)
        .arg("-t")
        .arg("-f")
        .arg(&conf)
        .output()
        .unwrap();
    if o.status.success() {
        Ok(())
    } else {
        Err(format!(
            "{}{}",
            String::from_utf8_lossy(&o.stdout),
            String::from_utf8_lossy(&o.stderr)
        ))
    }
}

#[test]
fn printed_fixes_are_accepted_by_the_server() {
    let Some(nginx) = common::nginx() else {
        return common::skip_or_fail("fixes_accepted", "nginx is not installed");
    };
    let Some(apache) = ["/usr/sbin/apache2", "/usr/sbin/httpd"]
        .iter()
        .map(PathBuf::from)
        .find(|p| p.exists())
    else {
        return common::skip_or_fail("fixes_accepted", "apache2 is not installed");
    };
    let dir = tempfile::tempdir().unwrap();
    let Some((cert, key)) = keypair(dir.path()) else {
        return common::skip_or_fail("fixes_accepted", "openssl is not installed");
    };
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/rules");
    let mut checked = 0;
    let mut failures = Vec::new();
    for code in CODES {
        for (kind, server) in [("nginx-bad", "nginx"), ("apache-bad", "apache")] {
            let tree = root.join(code).join(kind);
            if !tree.is_dir() || tree.join("NOT-APPLICABLE").exists() {
                continue;
            }
            for fix in fixes(&tree) {
                let first = fix.split_whitespace().next().unwrap_or("");
                // a directive as written: nginx's ends with `;`, httpd's has arguments
                // (a bare name quoted in the text is not a fix to copy)
                let is_nginx = first.starts_with("ssl_") && fix.ends_with(';');
                let is_apache = first.starts_with("SSL") && fix.contains(' ');
                let res = match (server, is_nginx, is_apache) {
                    ("nginx", true, _) => nginx_accepts(&nginx, dir.path(), &cert, &key, &fix),
                    ("apache", _, true) => apache_accepts(&apache, dir.path(), &cert, &key, &fix),
                    // a word or value quoted in the text, not a directive
                    _ => continue,
                };
                checked += 1;
                if let Err(e) = res {
                    failures.push(format!("{code} {kind}: `{fix}`: {e}"));
                }
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    assert!(checked >= 10, "only {checked} fixes found");
    common::say(&format!(
        "fixes_accepted: {checked} printed fixes accepted by nginx -t / apache2 -t"
    ));
}
