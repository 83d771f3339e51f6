//! Oracle: a real nginx on 127.0.0.1 sends, for each location, the
//! Strict-Transport-Security header tlslint resolves for it
//! (`Endpoint::hsts_blocks`, and the server level's for requests no
//! location matches): the first header of a 200 is the resolved value, and
//! a 404 carries one exactly when the header goes with every status
//! (`always`, `more_set_headers` without `-s`, or a `-s` list naming 404).
//! Covers add_header inheritance, `set`/`map` values, headers-more (when its
//! dynamic module is installed) and a `return 444` catch-all.
//!
//! Without nginx, openssl or curl the test prints why it skips; with
//! CI=true it fails.

mod common;

use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

use tlslint::fsx::RealFs;
use tlslint::model::Endpoint;
use tlslint::nginx::defaults::Target;
use tlslint::nginx::loader::{load, LoadOptions};

const MORE: &str = "/usr/lib/nginx/modules/ngx_http_headers_more_filter_module.so";

/// The status line and the Strict-Transport-Security values of a GET.
fn get(port: u16, path: &str) -> (String, Vec<String>) {
    let o = Command::new("curl")
        .args(["-k", "-s", "-o", "/dev/null", "-D", "-", "--max-time", "5"])
        .arg(format!("https://127.0.0.1:{port}{path}"))
        .output()
        .unwrap();
    common::sts_values(&String::from_utf8_lossy(&o.stdout))
}

/// Stops nginx when dropped, also when a check fails.
struct Running<'a> {
    nginx: &'a Path,
    dir: &'a Path,
}

impl Drop for Running<'_> {
    fn drop(&mut self) {
        let _ = Command::new(self.nginx)
            .arg("-p")
            .arg(self.dir)
            .args(["-c", "nginx.conf", "-s", "stop"])
            .output();
        std::thread::sleep(Duration::from_millis(300));
    }
}

/// (path, expected header of a 200, whether a 404 carries it) for every
/// prefix location of an endpoint, and a path no location matches.
fn expectations(ep: &Endpoint) -> Vec<(String, Option<String>, bool)> {
    let want = |h: Option<&tlslint::model::Hsts>| {
        (
            h.map(|h| h.value.clone()),
            h.is_some_and(|h| h.always || h.statuses.contains(&404)),
        )
    };
    let mut out = Vec::new();
    for b in &ep.hsts_blocks {
        let Some(path) = b.label.strip_prefix("location /") else {
            continue;
        };
        let (v, nf) = want(b.hsts.as_ref().map(|s| &s.value));
        out.push((format!("/{path}"), v, nf));
    }
    if !ep.hsts_blocks_cover_rest {
        let (v, nf) = want(ep.hsts.value.as_ref());
        out.push(("/elsewhere/".into(), v, nf));
    }
    out
}

#[test]
fn each_location_sends_the_resolved_hsts_header() {
    let (Some(nginx), Some(openssl)) = (common::nginx(), common::openssl()) else {
        return common::skip_or_fail("live nginx HSTS", "nginx or openssl not installed");
    };
    if Command::new("curl").arg("--version").output().is_err() {
        return common::skip_or_fail("live nginx HSTS", "curl not installed");
    }
    let more = Path::new(MORE).exists();
    if !more && common::ci() {
        panic!("live nginx HSTS: {MORE} missing (Debian libnginx-mod-http-headers-more-filter; .ci/run installs it): CI=true makes the headers-more cases mandatory");
    }
    if !more {
        common::say(&format!(
            "live nginx HSTS: {MORE} missing (Debian libnginx-mod-http-headers-more-filter): headers-more cases left out"
        ));
    }
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let ok = Command::new(&openssl)
        .args([
            "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
        ])
        .args(["-subj", "/CN=localhost", "-keyout"])
        .arg(d.join("k.pem"))
        .arg("-out")
        .arg(d.join("c.pem"))
        .output()
        .unwrap();
    assert!(ok.status.success());
    for sub in [
        "",
        "app",
        "api",
        "static",
        "img",
        "elsewhere",
        "s",
        "x",
        "y",
        "f",
    ] {
        std::fs::create_dir_all(d.join("html").join(sub)).unwrap();
        std::fs::write(d.join("html").join(sub).join("index.html"), "ok\n").unwrap();
    }
    let ports: Vec<u16> = (0..4).map(|_| common::free_port()).collect();
    let tls = |port: u16| {
        format!(
            "listen 127.0.0.1:{port} ssl;\nssl_certificate {0}/c.pem;\nssl_certificate_key {0}/k.pem;\nroot {0}/html;",
            d.display()
        )
    };
    let more_server = if more {
        format!(
            "server {{\n{}\nmore_set_headers \"Strict-Transport-Security: max-age=31536000\";\nlocation /x/ {{ add_header X-X 1; }}\nlocation /y/ {{ more_set_headers -s 200 \"Strict-Transport-Security: max-age=5\"; }}\nlocation /f/ {{ more_clear_headers Strict-Transport-Security; }}\n}}",
            tls(ports[1])
        )
    } else {
        String::new()
    };
    let conf = format!(
        "{load}pid {d}/nginx.pid;\nerror_log {d}/error.log;\nevents {{}}\nhttp {{\naccess_log off;\nclient_body_temp_path {d}/cb; proxy_temp_path {d}/pt; fastcgi_temp_path {d}/ft; uwsgi_temp_path {d}/ut; scgi_temp_path {d}/st;\nmap $scheme $hsts {{ https \"max-age=600\"; default \"\"; }}\n\
         server {{\n{a}\nlocation /app/ {{ add_header Strict-Transport-Security \"max-age=63072000\"; }}\nlocation /api/ {{ add_header Strict-Transport-Security $hsts always; }}\nlocation /static/ {{ }}\n}}\n\
         {more_server}\n\
         server {{\n{c}\nset $h \"max-age=7\";\nadd_header Strict-Transport-Security $h always;\nlocation /s/ {{ set $h \"max-age=8\"; }}\nlocation /img/ {{ add_header X-I 1; }}\nlocation / {{ }}\n}}\n\
         server {{\n{e}\nadd_header Strict-Transport-Security \"max-age=9\" always;\nreturn 444;\n}}\n}}\n",
        load = if more { format!("load_module {MORE};\n") } else { String::new() },
        d = d.display(),
        a = tls(ports[0]),
        c = tls(ports[2]),
        e = tls(ports[3]),
    );
    std::fs::write(d.join("nginx.conf"), &conf).unwrap();
    let start = Command::new(&nginx)
        .arg("-p")
        .arg(d)
        .args(["-c", "nginx.conf"])
        .output()
        .unwrap();
    assert!(
        start.status.success(),
        "nginx: {}",
        String::from_utf8_lossy(&start.stderr)
    );
    let _running = Running {
        nginx: &nginx,
        dir: d,
    };
    let t0 = Instant::now();
    // the headers-more server (ports[1]) only with its module
    while ports
        .iter()
        .enumerate()
        .filter(|(i, _)| more || *i != 1)
        .any(|(_, p)| std::net::TcpStream::connect(("127.0.0.1", *p)).is_err())
    {
        assert!(
            t0.elapsed() < Duration::from_secs(10),
            "nginx did not listen"
        );
        std::thread::sleep(Duration::from_millis(50));
    }

    let tree = load(&RealFs, &d.join("nginx.conf"), &LoadOptions::default());
    assert!(tree.errors.is_empty(), "{:?}", tree.errors);
    let target = Target {
        nginx: "1.22.1".parse().unwrap(),
        ..Target::default()
    };
    let eps = tlslint::nginx::resolve::endpoints(&tree, &target);
    let mut checked = 0;
    for ep in &eps {
        let port = ep.listen[0].port.unwrap();
        if ep.never_answers.is_some() {
            let (status, _) = get(port, "/");
            assert!(status.is_empty(), "return 444 answered: {status}");
            checked += 1;
            continue;
        }
        for (path, want, on_404) in expectations(ep) {
            let (status, got) = get(port, &path);
            assert!(status.contains(" 200"), "{port}{path}: {status}");
            assert_eq!(got.first(), want.as_ref(), "{port}{path}: 200 {got:?}");
            let (status, got) = get(port, &format!("{path}nope"));
            assert!(status.contains(" 404"), "{port}{path}nope: {status}");
            assert_eq!(!got.is_empty(), on_404, "{port}{path}nope: 404 {got:?}");
            checked += 1;
        }
    }
    assert_eq!(checked, if more { 12 } else { 8 }, "paths checked");
}
