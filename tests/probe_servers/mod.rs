//! Real TLS servers on 127.0.0.1 for the probe tests: `openssl s_server` and
//! nginx (non-daemon, a temporary prefix), with certificates generated at
//! test time (`certgen`). Every server is killed when its handle drops.
//!
//! What a server should accept comes from OpenSSL itself: `openssl ciphers
//! -s -stdname -<version> STRING` lists, in the server's order, the suites
//! the same cipher string selects for that version; the probe tests keep the
//! ones the certificate can serve (RSA key: RSA-authenticated and anonymous).
#![allow(dead_code)]

use std::net::{SocketAddr, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use crate::certgen;
use crate::common;

/// A port nothing listens on right now.
pub fn free_port() -> u16 {
    let l = TcpListener::bind("127.0.0.1:0").expect("bind 127.0.0.1:0");
    l.local_addr().expect("local addr").port()
}

/// A running server process, killed on drop.
pub struct Server {
    child: Child,
    pub port: u16,
    pub name: String,
    log: PathBuf,
}

impl Server {
    pub fn target(&self) -> String {
        format!("127.0.0.1:{}", self.port)
    }
    pub fn log(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }
}

impl Drop for Server {
    /// SIGTERM first: nginx's master then stops its workers (SIGKILL would
    /// leave them running, listening); SIGKILL after 5 s.
    fn drop(&mut self) {
        let _ = Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status();
        let start = Instant::now();
        while start.elapsed() < Duration::from_secs(5) {
            if let Ok(Some(_)) = self.child.try_wait() {
                return;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Wait until 127.0.0.1:port accepts connections.
fn wait_port(child: &mut Child, port: u16, log: &Path, what: &str) {
    if let Err(e) = try_wait_port(child, port, log, what) {
        panic!("{e}");
    }
}

/// [`wait_port`], with the reason as an error (the child exited: its log).
fn try_wait_port(child: &mut Child, port: u16, log: &Path, what: &str) -> Result<(), String> {
    let addr: SocketAddr = ([127, 0, 0, 1], port).into();
    let start = Instant::now();
    loop {
        if TcpStream::connect_timeout(&addr, Duration::from_millis(200)).is_ok() {
            return Ok(());
        }
        if let Ok(Some(st)) = child.try_wait() {
            return Err(format!(
                "{what} exited ({st}) before listening on {port}:\n{}",
                std::fs::read_to_string(log).unwrap_or_default()
            ));
        }
        if start.elapsed() > Duration::from_secs(10) {
            let _ = child.kill();
            let _ = child.wait();
            return Err(format!("{what} did not listen on {port} within 10 s"));
        }
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// Certificates in `dir`: a CA, `cert.pem`/`key.pem` for localhost (RSA
/// 2048), `other.pem`/`other.key` (CN=default.test) and a client certificate
/// `client.pem`/`client.key` issued by the CA (valid until 2099: nginx checks it); DH parameters `dh1024.pem`
/// and `dh2048.pem`.
pub fn make_pki(dir: &Path) {
    make_pki_with(dir, "");
}

/// [`make_pki`], and the certificates of `more` (a `certgen` script that
/// may issue from `ca.pem`).
pub fn make_pki_with(dir: &Path, more: &str) {
    certgen::setup(
        dir,
        &(String::from("key ca.key rsa:2048\n\
         cert ca.pem key=ca.key ca cn=\"Probe Test CA\"\n\
         key key.pem rsa:2048\n\
         cert cert.pem key=key.pem issuer=ca.pem cn=localhost san=DNS:localhost\n\
         key other.key rsa:2048\n\
         cert other.pem key=other.key issuer=ca.pem cn=default.test san=DNS:default.test\n\
         key client.key ec:P-256\n\
         cert client.pem key=client.key issuer=ca.pem cn=probe-client from=2020-01-01 to=2099-12-31\n\
         dh dh1024.pem dsa:1024\n\
         dh dh2048.pem ffdhe2048\n")
            + more),
    );
}

/// `openssl s_server` with these extra arguments (cert.pem / key.pem served).
pub fn s_server(dir: &Path, name: &str, args: &[&str]) -> Server {
    let port = free_port();
    let log = dir.join(format!("{name}.log"));
    let out = std::fs::File::create(&log).expect("log file");
    let err = out.try_clone().expect("log file");
    let mut cmd = Command::new("openssl");
    cmd.current_dir(dir)
        .args(["s_server", "-accept"])
        .arg(format!("127.0.0.1:{port}"))
        .args(["-cert", "cert.pem", "-key", "key.pem", "-quiet", "-www"])
        .args(args)
        .stdin(Stdio::piped())
        .stdout(out)
        .stderr(err);
    start(cmd, port, log, name)
}

/// Spawn `cmd` and wait until it listens on `port`.
fn start(cmd: Command, port: u16, log: PathBuf, name: &str) -> Server {
    try_start(cmd, port, log, name).unwrap_or_else(|e| panic!("{e}"))
}

/// [`start`]; Err: the process exited first (or never listened), and why.
fn try_start(mut cmd: Command, port: u16, log: PathBuf, name: &str) -> Result<Server, String> {
    let mut child = cmd
        .spawn()
        .unwrap_or_else(|e| panic!("cannot run {name}: {e}"));
    try_wait_port(&mut child, port, &log, name)?;
    Ok(Server {
        child,
        port,
        name: name.to_string(),
        log,
    })
}

/// nginx (or None, skipped with a reason, when it is not installed).
pub fn nginx_bin(what: &str) -> Option<PathBuf> {
    let n = common::nginx();
    if n.is_none() {
        common::skip_or_fail(what, "nginx is not installed");
    }
    n
}

/// Run nginx in the foreground with `server_blocks` in its http block
/// (`{port}` and `{dir}` are replaced).
pub fn nginx(nginx: &Path, dir: &Path, name: &str, server_blocks: &str) -> Server {
    try_nginx(nginx, dir, name, server_blocks).unwrap_or_else(|e| panic!("{e}"))
}

/// [`nginx`]; Err: nginx refused the configuration (its error log).
pub fn try_nginx(
    nginx: &Path,
    dir: &Path,
    name: &str,
    server_blocks: &str,
) -> Result<Server, String> {
    let port = free_port();
    let prefix = dir.join(name);
    std::fs::create_dir_all(prefix.join("tmp")).expect("prefix");
    let user = if common::is_root() {
        "user root;\n"
    } else {
        ""
    };
    let conf = format!(
        "{user}worker_processes 1;\nevents {{ worker_connections 128; }}\nhttp {{\n  access_log off;\n  \
         client_body_temp_path {p}/tmp/body;\n  proxy_temp_path {p}/tmp/proxy;\n  fastcgi_temp_path {p}/tmp/fcgi;\n  \
         uwsgi_temp_path {p}/tmp/uwsgi;\n  scgi_temp_path {p}/tmp/scgi;\n{blocks}\n}}\n",
        p = prefix.display(),
        blocks = server_blocks
            .replace("{port}", &port.to_string())
            .replace("{dir}", &dir.display().to_string()),
    );
    let conf_path = prefix.join("nginx.conf");
    std::fs::write(&conf_path, conf).expect("write nginx.conf");
    let log = prefix.join("error.log");
    let mut cmd = Command::new(nginx);
    cmd.arg("-p")
        .arg(&prefix)
        .arg("-c")
        .arg(&conf_path)
        .arg("-e")
        .arg(&log)
        .arg("-g")
        .arg(format!(
            "daemon off; pid {}; error_log {} info;",
            prefix.join("nginx.pid").display(),
            log.display()
        ))
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null());
    try_start(cmd, port, log, name)
}

/// A server block on 127.0.0.1:{port} serving cert.pem for localhost, with HSTS
/// and `extra` directives.
pub fn server_block(extra: &str) -> String {
    format!(
        "  server {{\n    listen 127.0.0.1:{{port}} ssl;\n    server_name localhost;\n    \
         ssl_certificate {{dir}}/cert.pem;\n    ssl_certificate_key {{dir}}/key.pem;\n    \
         add_header Strict-Transport-Security \"max-age=63072000\" always;\n    \
         location / {{ return 200 \"ok\\n\"; }}\n{extra}\n  }}\n"
    )
}

/// `tlslint probe ARGS --format json`: (exit code, JSON, stderr).
pub fn probe_json(args: &[&str]) -> (Option<i32>, serde_json::Value, String) {
    let mut c = Command::new(common::tlslint());
    c.arg("probe").args(args).args(["--format", "json"]);
    let o = common::run(&mut c, Duration::from_secs(120)).expect("tlslint probe finishes");
    let v = serde_json::from_slice(&o.stdout).unwrap_or(serde_json::Value::Null);
    (o.code, v, o.stderr)
}

/// The suites OpenSSL selects with `cipher_string` for `version_flag`
/// (`-tls1`, `-tls1_1`, `-tls1_2`, `-tls1_3`), in order, IANA names, that an
/// RSA certificate can serve.
pub fn openssl_suites(version_flag: &str, cipher_string: &str) -> Vec<String> {
    let o = Command::new("openssl")
        .args([
            "ciphers",
            "-s",
            "-stdname",
            version_flag,
            "--",
            cipher_string,
        ])
        .output()
        .expect("openssl ciphers");
    assert!(
        o.status.success(),
        "openssl ciphers {version_flag} {cipher_string}"
    );
    String::from_utf8_lossy(&o.stdout)
        .lines()
        .filter(|l| {
            let au = l
                .split_whitespace()
                .find_map(|w| w.strip_prefix("Au="))
                .unwrap_or("");
            let kx = l
                .split_whitespace()
                .find_map(|w| w.strip_prefix("Kx="))
                .unwrap_or("");
            matches!(au, "RSA" | "None" | "any") && !kx.contains("PSK") && kx != "SRP"
        })
        .filter_map(|l| l.split_whitespace().next().map(str::to_string))
        .collect()
}

/// `versions.<v>.ciphers` of a probe report.
pub fn ciphers(v: &serde_json::Value, version: &str) -> Vec<String> {
    v["versions"][version]["ciphers"]
        .as_array()
        .map(|a| {
            a.iter()
                .filter_map(|x| x.as_str().map(str::to_string))
                .collect()
        })
        .unwrap_or_default()
}

/// The versions a probe report says are accepted.
pub fn accepted(v: &serde_json::Value) -> Vec<String> {
    v["versions"]
        .as_object()
        .map(|m| {
            m.iter()
                .filter(|(_, x)| x["accepted"] == serde_json::Value::Bool(true))
                .map(|(k, _)| k.clone())
                .collect()
        })
        .unwrap_or_default()
}

pub fn sorted(mut v: Vec<String>) -> Vec<String> {
    v.sort();
    v
}

/// The Mozilla "old" (5.7) cipher string, as the ssl-config generator writes it.
pub const OLD_CIPHERS: &str = "ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256:ECDHE-ECDSA-AES256-GCM-SHA384:ECDHE-RSA-AES256-GCM-SHA384:ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-RSA-CHACHA20-POLY1305:DHE-RSA-AES128-GCM-SHA256:DHE-RSA-AES256-GCM-SHA384:DHE-RSA-CHACHA20-POLY1305:ECDHE-ECDSA-AES128-SHA256:ECDHE-RSA-AES128-SHA256:ECDHE-ECDSA-AES128-SHA:ECDHE-RSA-AES128-SHA:ECDHE-ECDSA-AES256-SHA384:ECDHE-RSA-AES256-SHA384:ECDHE-ECDSA-AES256-SHA:ECDHE-RSA-AES256-SHA:DHE-RSA-AES128-SHA256:DHE-RSA-AES256-SHA256:AES128-GCM-SHA256:AES256-GCM-SHA384:AES128-SHA256:AES256-SHA256:AES128-SHA:AES256-SHA:DES-CBC3-SHA:@SECLEVEL=0";

/// The Mozilla "intermediate" (5.7) cipher string.
pub const INTERMEDIATE_CIPHERS: &str = "ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256:ECDHE-ECDSA-AES256-GCM-SHA384:ECDHE-RSA-AES256-GCM-SHA384:ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-RSA-CHACHA20-POLY1305:DHE-RSA-AES128-GCM-SHA256:DHE-RSA-AES256-GCM-SHA384:DHE-RSA-CHACHA20-POLY1305";

/// The nginx fixtures: (name, server block directives, protocols, cipher string).
pub fn nginx_fixtures() -> Vec<(&'static str, String, &'static [&'static str], &'static str)> {
    vec![
        (
            "modern",
            "    ssl_protocols TLSv1.3;\n    ssl_prefer_server_ciphers off;\n".to_string(),
            &["TLSv1.3"],
            "DEFAULT",
        ),
        (
            "intermediate",
            format!(
                "    ssl_protocols TLSv1.2 TLSv1.3;\n    ssl_ciphers {INTERMEDIATE_CIPHERS};\n    \
                 ssl_prefer_server_ciphers off;\n    ssl_dhparam {{dir}}/dh2048.pem;\n    \
                 ssl_ecdh_curve X25519:prime256v1:secp384r1;\n"
            ),
            &["TLSv1.2", "TLSv1.3"],
            INTERMEDIATE_CIPHERS,
        ),
        (
            "old",
            format!(
                "    ssl_protocols TLSv1 TLSv1.1 TLSv1.2 TLSv1.3;\n    ssl_ciphers {OLD_CIPHERS};\n    \
                 ssl_prefer_server_ciphers on;\n    ssl_dhparam {{dir}}/dh1024.pem;\n"
            ),
            &["TLSv1", "TLSv1.1", "TLSv1.2", "TLSv1.3"],
            OLD_CIPHERS,
        ),
    ]
}

/// The openssl flag of a version name.
pub fn version_flag(v: &str) -> &'static str {
    match v {
        "TLSv1" => "-tls1",
        "TLSv1.1" => "-tls1_1",
        "TLSv1.2" => "-tls1_2",
        "TLSv1.3" => "-tls1_3",
        _ => "-ssl3",
    }
}

// ------------------------------------------------------------------ Apache

pub fn apache_bin(what: &str) -> Option<PathBuf> {
    let p = ["/usr/sbin/apache2", "/usr/sbin/httpd"]
        .iter()
        .map(PathBuf::from)
        .find(|p| p.exists());
    if p.is_none() {
        common::skip_or_fail(what, "apache2 is not installed");
    }
    p
}

/// A running httpd, stopped (`-k stop`, then the port closes) on drop.
pub struct Httpd {
    bin: PathBuf,
    pub conf: PathBuf,
    pub port: u16,
}

impl Drop for Httpd {
    fn drop(&mut self) {
        let _ = Command::new(&self.bin)
            .arg("-f")
            .arg(&self.conf)
            .args(["-k", "stop"])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status();
        let start = Instant::now();
        while start.elapsed() < Duration::from_secs(10) {
            if TcpStream::connect(("127.0.0.1", self.port)).is_err() {
                // the pid file goes last
                let pid = self.conf.with_extension("pid");
                while pid.exists() && start.elapsed() < Duration::from_secs(10) {
                    std::thread::sleep(Duration::from_millis(20));
                }
                return;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    }
}

/// Start httpd on 127.0.0.1 with `vhosts` (`{port}` and `{dir}` replaced).
pub fn httpd(bin: &Path, dir: &Path, name: &str, vhosts: &str) -> Httpd {
    try_httpd(bin, dir, name, vhosts).unwrap_or_else(|e| panic!("{e}"))
}

/// [`httpd`]; Err: httpd refused the configuration (`-k start` failed or
/// nothing listened within 10 s), with its output and error log.
pub fn try_httpd(bin: &Path, dir: &Path, name: &str, vhosts: &str) -> Result<Httpd, String> {
    let port = free_port();
    let d = dir.display().to_string();
    let user = if common::is_root() {
        "User nobody\nGroup nogroup\n"
    } else {
        ""
    };
    let m = "/usr/lib/apache2/modules";
    let conf = dir.join(format!("{name}.conf"));
    let text = format!(
        "ServerRoot {d}\nServerName main.test\nPidFile {pid}\nDefaultRuntimeDir {d}\nErrorLog {d}/{name}-error.log\n{user}\
LoadModule mpm_event_module {m}/mod_mpm_event.so\n\
LoadModule authz_core_module {m}/mod_authz_core.so\n\
LoadModule headers_module {m}/mod_headers.so\n\
LoadModule socache_shmcb_module {m}/mod_socache_shmcb.so\n\
LoadModule ssl_module {m}/mod_ssl.so\n\
Listen 127.0.0.1:{port}\n{vhosts}",
        pid = conf.with_extension("pid").display(),
        vhosts = vhosts.replace("{port}", &port.to_string()).replace("{dir}", &d),
    );
    std::fs::write(&conf, text).unwrap();
    let o = Command::new(bin)
        .arg("-f")
        .arg(&conf)
        .args(["-k", "start"])
        .output()
        .unwrap();
    let why = || {
        format!(
            "httpd {name} did not start: {}{}{}",
            String::from_utf8_lossy(&o.stdout),
            String::from_utf8_lossy(&o.stderr),
            std::fs::read_to_string(dir.join(format!("{name}-error.log"))).unwrap_or_default()
        )
    };
    if !o.status.success() {
        return Err(why());
    }
    let h = Httpd {
        bin: bin.to_path_buf(),
        conf: conf.clone(),
        port,
    };
    let start = Instant::now();
    while TcpStream::connect(("127.0.0.1", port)).is_err() {
        if start.elapsed() > Duration::from_secs(10) {
            return Err(why()); // h stops whatever started
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    Ok(h)
}

/// A virtual host on 127.0.0.1:{port} for `name` with cert.pem and HSTS.
pub fn vhost(name: &str, extra: &str) -> String {
    format!(
        "<VirtualHost 127.0.0.1:{{port}}>\n    ServerName {name}\n    SSLEngine on\n    \
         SSLCertificateFile {{dir}}/cert.pem\n    SSLCertificateKeyFile {{dir}}/key.pem\n    \
         Header always set Strict-Transport-Security \"max-age=63072000\"\n{extra}</VirtualHost>\n"
    )
}

// ------------------------------------------------------------ `tlslint PATH --probe`

/// `openssl version` → `3.0.22`.
pub fn openssl_version() -> Option<String> {
    let v = certgen::openssl_version()?;
    v.split_whitespace().nth(1).map(|s| {
        s.chars()
            .take_while(|c| c.is_ascii_digit() || *c == '.')
            .collect()
    })
}

/// `nginx -v` → `1.22.1`.
pub fn nginx_version(nginx: &Path) -> Option<String> {
    let o = Command::new(nginx).arg("-v").output().ok()?;
    let s = String::from_utf8_lossy(&o.stderr).to_string();
    s.split("nginx/")
        .nth(1)
        .map(|v| v.split_whitespace().next().unwrap_or("").to_string())
}

/// `apache2 -v` → `2.4.71`.
pub fn apache_version(httpd: &Path) -> Option<String> {
    let o = Command::new(httpd).arg("-v").output().ok()?;
    let s = String::from_utf8_lossy(&o.stdout).to_string();
    s.split("Apache/")
        .nth(1)
        .map(|v| v.split_whitespace().next().unwrap_or("").to_string())
}

/// One probe finding: (code, line, message).
pub type Got = (String, u64, String);

/// `tlslint CONF --probe --format json` with the installed versions: the
/// TLS6xx findings, and every finding's evidence checked.
pub fn probe_findings(conf: &Path, versions: &[String]) -> Vec<Got> {
    let mut c = Command::new(common::tlslint());
    c.arg(conf)
        .args([
            "--probe",
            "--format",
            "json",
            "--no-config",
            "--probe-timeout",
            "3",
        ])
        .args(versions);
    let o = common::run(&mut c, Duration::from_secs(120)).expect("tlslint finishes");
    let v: serde_json::Value = serde_json::from_slice(&o.stdout)
        .unwrap_or_else(|e| panic!("{e}: {}{}", String::from_utf8_lossy(&o.stdout), o.stderr));
    assert!(
        v["errors"].as_array().is_some_and(|a| a.is_empty()),
        "{}: {}",
        conf.display(),
        v["errors"]
    );
    assert!(
        v["probes"].as_array().is_some_and(|a| !a.is_empty()),
        "{}: no probes in the JSON",
        conf.display()
    );
    let mut got = Vec::new();
    for f in v["findings"].as_array().unwrap() {
        let code = f["code"].as_str().unwrap().to_string();
        let probe = code.starts_with("TLS6");
        assert_eq!(f["evidence"], if probe { "probe" } else { "config" }, "{f}");
        if probe {
            got.push((
                code,
                f["line"].as_u64().unwrap(),
                f["message"].as_str().unwrap().to_string(),
            ));
        }
    }
    // exit code: findings at error level make it 1 (warnings too, by default)
    let errors = v["summary"]["error"].as_u64().unwrap_or(0);
    if errors > 0 {
        assert_eq!(o.code, Some(1), "{}", conf.display());
    } else {
        assert!(matches!(o.code, Some(0 | 1)), "{:?}", o.code);
    }
    got
}

/// The 1-based line of the first line containing `needle`.
pub fn line_of(text: &str, needle: &str) -> u64 {
    text.lines()
        .position(|l| l.contains(needle))
        .map(|i| i as u64 + 1)
        .unwrap_or_else(|| panic!("{needle:?} not in\n{text}"))
}

/// An edit of the tree a server runs and what `--probe` must then report:
/// (replace, with, [(code, the line holding this text)]).
pub type Edit = (&'static str, String, Vec<(&'static str, &'static str)>);

/// Write `conf` with the edit applied beside it, lint it, compare.
pub fn check_edit(conf: &Path, versions: &[String], edit: &Edit, failures: &mut Vec<String>) {
    let (from, to, want) = edit;
    let text = std::fs::read_to_string(conf).unwrap();
    assert!(text.contains(from), "{from:?} not in {}", conf.display());
    let edited = text.replacen(from, to, 1);
    let path = conf.with_file_name(format!(
        "edited-{}.conf",
        conf.file_stem().unwrap().to_string_lossy()
    ));
    std::fs::write(&path, &edited).unwrap();
    let mut want: Vec<(String, u64)> = want
        .iter()
        .map(|(c, needle)| (c.to_string(), line_of(&edited, needle)))
        .collect();
    want.sort();
    let got = probe_findings(&path, versions);
    if std::env::var_os("SHOW_FINDINGS").is_some() {
        common::say(&format!(
            "{} with {from:?} -> {to:?}:\n{got:#?}",
            conf.display()
        ));
    }
    let mut have: Vec<(String, u64)> = got.iter().map(|(c, l, _)| (c.clone(), *l)).collect();
    have.sort();
    if have != want {
        failures.push(format!(
            "{} with {from:?} -> {to:?}: want {want:?}, got {got:#?}",
            conf.display()
        ));
    }
}

pub fn assert_none(conf: &Path, versions: &[String], failures: &mut Vec<String>) {
    let got = probe_findings(conf, versions);
    if !got.is_empty() {
        failures.push(format!(
            "{}: the tree the server runs gives {got:#?}",
            conf.display()
        ));
    }
}

/// The server to test with and the installed versions as `tlslint` flags
/// (`--nginx-version V --openssl-version V`, or `--apache-version`), or
/// None when something is missing (skipped with the reason, or failed
/// under CI).
pub fn installed(what: &str, apache: bool) -> Option<(PathBuf, Vec<String>)> {
    let bin = if apache {
        apache_bin(what)?
    } else {
        nginx_bin(what)?
    };
    if !certgen::require_openssl(what) {
        return None;
    }
    let (flag, version) = if apache {
        ("--apache-version", apache_version(&bin))
    } else {
        ("--nginx-version", nginx_version(&bin))
    };
    let (Some(sv), Some(ov)) = (version, openssl_version()) else {
        common::skip_or_fail(what, "no server or openssl version");
        return None;
    };
    let versions = vec![flag.to_string(), sv, "--openssl-version".to_string(), ov];
    Some((bin, versions))
}
