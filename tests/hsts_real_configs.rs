//! HSTS as servers really send it, through the command line: headers-more,
//! location-level headers (TLS509), `set`/`map` values, `return 444`
//! catch-alls, mod_headers' trailing colon, and messages that name the
//! directive as written. What nginx 1.22.1 (with the Debian headers-more
//! module 0.34) and httpd 2.4.71 send was checked with curl against real
//! servers on 127.0.0.1; each case says what they did.

mod common;

use std::path::Path;
use std::process::Command;

/// (code, message, line, help, endpoint count) of each finding.
type Found = Vec<(String, String, u64, String, usize)>;

fn lint_files(files: &[(&str, &str)]) -> Found {
    found(&lint_json(files))
}

/// The JSON report for a tree written to a temporary directory (the first
/// file is the main one).
fn lint_json(files: &[(&str, &str)]) -> serde_json::Value {
    let dir = tempfile::tempdir().unwrap();
    for (name, text) in files {
        std::fs::write(dir.path().join(name), text).unwrap();
    }
    run(&dir.path().join(files[0].0))
}

fn run(main: &Path) -> serde_json::Value {
    let o = Command::new(env!("CARGO_BIN_EXE_tlslint"))
        .arg(main)
        .args(["--format", "json"])
        .output()
        .unwrap();
    let v = common::report_of(&o);
    v
}

fn found(v: &serde_json::Value) -> Found {
    v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["code"].as_str().unwrap().starts_with("TLS50") || f["code"] == "TLS509")
        .map(|f| {
            (
                f["code"].as_str().unwrap().to_string(),
                f["message"].as_str().unwrap().to_string(),
                f["line"].as_u64().unwrap(),
                f["help"].as_str().unwrap_or_default().to_string(),
                f["endpoints"].as_array().map(|a| a.len()).unwrap_or(0),
            )
        })
        .filter(|f| !matches!(f.0.as_str(), "TLS505" | "TLS506" | "TLS507" | "TLS508"))
        .collect()
}

fn nginx(server_body: &str) -> Found {
    nginx_http("", server_body)
}

fn nginx_http(http: &str, server_body: &str) -> Found {
    let conf = format!(
        "events {{}}\nhttp {{\n{http}\nserver {{\nlisten 443 ssl;\nserver_name a.example;\nssl_certificate c.pem;\nssl_certificate_key k.pem;\n{server_body}\n}}\n}}\n"
    );
    lint_files(&[("nginx.conf", &conf)])
}

fn apache(vhost_body: &str) -> Found {
    let conf = format!(
        "Listen 443\nLoadModule ssl_module /usr/lib/apache2/modules/mod_ssl.so\nLoadModule headers_module /usr/lib/apache2/modules/mod_headers.so\n<VirtualHost *:443>\nServerName a.example\nSSLEngine on\nSSLCertificateFile /etc/ssl/a.pem\nSSLCertificateKeyFile /etc/ssl/a.key\n{vhost_body}\n</VirtualHost>\n"
    );
    lint_files(&[("apache2.conf", &conf)])
}

fn codes(f: &Found) -> Vec<&str> {
    f.iter().map(|x| x.0.as_str()).collect()
}

fn one<'a>(f: &'a Found, code: &str) -> &'a (String, String, u64, String, usize) {
    let v: Vec<_> = f.iter().filter(|x| x.0 == code).collect();
    assert_eq!(v.len(), 1, "{code} in {f:?}");
    v[0]
}

const GOOD: &str = "max-age=63072000; includeSubDomains";

#[test]
fn more_set_headers_is_hsts_on_every_status_and_survives_location_add_header() {
    // curl: a 404 carries it; `location /b { add_header X-B 1; }` keeps it
    let f = nginx(&format!(
        "more_set_headers \"Strict-Transport-Security: {GOOD}\";\nlocation /b {{ add_header X-B 1; }}"
    ));
    assert!(codes(&f).is_empty(), "{f:?}");
}

#[test]
fn more_set_headers_limited_by_status_is_named_as_written() {
    let f = nginx(&format!(
        "more_set_headers -s '200 301' \"Strict-Transport-Security: {GOOD}\";"
    ));
    let (_, msg, line, help, _) = one(&f, "TLS503");
    assert!(
        msg.starts_with("`more_set_headers -s` sends HSTS only with status 200, 301"),
        "{msg}"
    );
    assert_eq!(*line, 9);
    assert_eq!(
        help,
        &format!("write `more_set_headers \"Strict-Transport-Security: {GOOD}\";`")
    );
    assert!(!codes(&f).contains(&"TLS501"));
}

#[test]
fn more_clear_headers_in_a_location_drops_only_headers_more_hsts() {
    // curl: /f/ answers without the header set by more_set_headers
    let f = nginx(&format!(
        "more_set_headers \"Strict-Transport-Security: {GOOD}\";\nlocation /f/ {{\nmore_clear_headers Strict-Transport-Security;\n}}"
    ));
    let (_, msg, line, _, _) = one(&f, "TLS504");
    assert!(
        msg.starts_with("this `more_clear_headers` removes"),
        "{msg}"
    );
    assert_eq!(*line, 11);
    // curl: headers-more runs before add_header, so the add_header one stays
    let f = nginx(&format!(
        "add_header Strict-Transport-Security \"{GOOD}\" always;\nlocation /f/ {{\nmore_clear_headers Strict-Transport-Security;\n}}"
    ));
    assert!(codes(&f).is_empty(), "{f:?}");
}

#[test]
fn hsts_only_in_locations_is_partial_not_missing() {
    let f = nginx(&format!(
        "location /app {{\nadd_header Strict-Transport-Security \"{GOOD}\";\n}}\nlocation /api {{\nadd_header Strict-Transport-Security \"{GOOD}\" always;\n}}\nlocation /static {{ }}\nlocation @fallback {{ }}"
    ));
    assert!(!codes(&f).contains(&"TLS501"), "{f:?}");
    let (_, msg, line, help, _) = one(&f, "TLS509");
    assert_eq!(
        msg,
        "Strict-Transport-Security is sent only from `location /app` and `location /api`: requests handled by `location /static` and `location @fallback` go without it, and so do requests no location matches"
    );
    // at the server, where the fix goes
    assert_eq!(*line, 4);
    assert!(help.contains("at server level"), "{help}");
    // the location's own header is checked where it is written
    let (_, msg, line, _, _) = one(&f, "TLS503");
    assert!(msg.starts_with("`add_header` without `always`"), "{msg}");
    assert_eq!(*line, 10);
}

#[test]
fn location_root_covering_every_request_is_not_partial() {
    let f = nginx(&format!(
        "location / {{\nadd_header Strict-Transport-Security \"{GOOD}\" always;\n}}"
    ));
    assert!(codes(&f).is_empty(), "{f:?}");
    // a location of its own beside it goes without
    let f = nginx(&format!(
        "location / {{\nadd_header Strict-Transport-Security \"{GOOD}\" always;\n}}\nlocation /img/ {{ }}"
    ));
    let (_, msg, _, _, _) = one(&f, "TLS509");
    assert!(
        msg.ends_with("requests handled by `location /img/` go without it"),
        "{msg}"
    );
    // an inner block that drops the location's header is TLS504's alone
    let f = nginx(&format!(
        "location / {{\nadd_header Strict-Transport-Security \"{GOOD}\" always;\nif ($request_method = POST) {{\nadd_header X-A 1;\n}}\n}}"
    ));
    assert_eq!(codes(&f), ["TLS504"]);
    // `location = /` handles `/` alone
    let f = nginx(&format!(
        "location = / {{\nadd_header Strict-Transport-Security \"{GOOD}\" always;\n}}"
    ));
    assert!(one(&f, "TLS509")
        .1
        .ends_with("requests no location matches go without it"));
}

#[test]
fn set_and_map_values_are_resolved_where_static() {
    // curl: `set $h "max-age=7"` at server level gives max-age=7 in a location
    let f = nginx("set $hsts \"max-age=300\";\nadd_header Strict-Transport-Security $hsts always;");
    let (_, msg, line, _, _) = one(&f, "TLS502");
    assert!(msg.starts_with("max-age=300 is shorter than"), "{msg}");
    assert!(msg.ends_with("(`$hsts` is `max-age=300`)"), "{msg}");
    assert_eq!(*line, 10);
    // curl: `map $scheme $m2 { https "max-age=22"; default ""; }` gives max-age=22
    let f = nginx_http(
        "map $scheme $hsts { https \"max-age=600\"; default \"\"; }",
        "add_header Strict-Transport-Security $hsts always;",
    );
    assert!(one(&f, "TLS502").1.starts_with("max-age=600 "));
    let f = nginx_http(
        &format!("map $host $hsts {{ default \"{GOOD}\"; }}"),
        "add_header Strict-Transport-Security \"${hsts}\" always;",
    );
    assert!(codes(&f).is_empty(), "{f:?}");
    // a value that depends on the request is left alone
    let f = nginx_http(
        "map $host $hsts { default \"max-age=1\"; b.example \"max-age=2\"; }",
        "add_header Strict-Transport-Security $hsts always;",
    );
    assert!(codes(&f).is_empty(), "{f:?}");
    // set inside an `if`: not static
    let f = nginx("set $hsts \"max-age=1\";\nif ($host = b) { set $hsts \"max-age=2\"; }\nadd_header Strict-Transport-Security $hsts always;");
    assert!(codes(&f).is_empty(), "{f:?}");
}

#[test]
fn return_444_catch_all_needs_no_hsts() {
    // curl: the connection closes with no response at all
    let f = nginx("return 444;");
    assert!(codes(&f).is_empty(), "{f:?}");
    // only for some requests: it answers the others
    // curl: `location / { return 444; }` as the only location: the same
    let f = nginx("location / {\nreturn 444;\n}");
    assert!(codes(&f).is_empty(), "{f:?}");
    let f = nginx("if ($host = b) { return 444; }");
    assert_eq!(codes(&f), ["TLS501"]);
    let f = nginx("location / {\nreturn 444;\n}\nlocation /app { }");
    assert_eq!(codes(&f), ["TLS501"]);
    let f = nginx("location = / {\nreturn 444;\n}");
    assert_eq!(codes(&f), ["TLS501"]);
}

#[test]
fn shared_include_findings_point_at_the_header_once() {
    let server = |n: &str| {
        format!("server {{\nlisten 443 ssl;\nserver_name {n};\nssl_certificate c.pem;\nssl_certificate_key k.pem;\ninclude hsts.conf;\n}}\n")
    };
    let conf = format!(
        "events {{}}\nhttp {{\n{}{}}}\n",
        server("a.example"),
        server("b.example")
    );
    let f = lint_files(&[
        ("nginx.conf", &conf),
        (
            "hsts.conf",
            &format!("add_header Strict-Transport-Security \"{GOOD}\";\n"),
        ),
    ]);
    let (_, _, line, _, n) = one(&f, "TLS503");
    assert_eq!((*line, *n), (1, 2));
}

#[test]
fn apache_trailing_colon_is_the_same_header() {
    // curl against httpd 2.4.71: one `Strict-Transport-Security: max-age=63072000`
    let f = apache(&format!(
        "Header always set Strict-Transport-Security: \"{GOOD}\""
    ));
    assert!(codes(&f).is_empty(), "{f:?}");
}

#[test]
fn apache_messages_name_the_header_form_written() {
    let f = apache(&format!("Header add Strict-Transport-Security \"{GOOD}\""));
    let (_, msg, _, help, _) = one(&f, "TLS503");
    assert!(msg.starts_with("`Header add` without `always`"), "{msg}");
    assert_eq!(
        help,
        &format!("write `Header always set Strict-Transport-Security \"{GOOD}\"`")
    );
    let f = apache(&format!(
        "Header onsuccess merge Strict-Transport-Security \"{GOOD}\""
    ));
    assert!(one(&f, "TLS503")
        .1
        .starts_with("`Header onsuccess merge` without"));
}

#[test]
fn apache_hsts_only_in_a_location_is_partial() {
    // curl: `<Location /app>`'s header goes only with /app requests
    let f = apache(&format!(
        "<Location \"/app\">\nHeader set Strict-Transport-Security \"{GOOD}\"\n</Location>"
    ));
    assert!(!codes(&f).contains(&"TLS501"), "{f:?}");
    let (_, msg, line, _, _) = one(&f, "TLS509");
    assert_eq!(
        msg,
        "Strict-Transport-Security is sent only from `<Location \"/app\">`: all other requests go without it"
    );
    assert_eq!(*line, 4);
    assert_eq!(one(&f, "TLS503").2, 10);
    // curl: `<Location "/">` and `<If "%{HTTPS} == 'on'">` headers go with
    // every response of a TLS virtual host, 404s included
    for section in ["Location \"/\"", "If \"%{HTTPS} == 'on'\""] {
        let name = section.split(' ').next().unwrap();
        let f = apache(&format!(
            "<{section}>\nHeader always set Strict-Transport-Security \"{GOOD}\"\n</{name}>"
        ));
        assert!(codes(&f).is_empty(), "{section}: {f:?}");
    }
    // any other condition covers only some requests
    let f = apache(&format!(
        "<If \"%{{HTTP_HOST}} == 'a.example'\">\nHeader always set Strict-Transport-Security \"{GOOD}\"\n</If>"
    ));
    assert!(
        one(&f, "TLS509")
            .1
            .contains("`<If \"%{HTTP_HOST} == 'a.example'\">`"),
        "{f:?}"
    );
}

#[test]
fn apache_main_server_sections_apply_to_every_virtual_host() {
    let conf = |section: &str| {
        format!(
            "Listen 443\nLoadModule ssl_module /usr/lib/apache2/modules/mod_ssl.so\nLoadModule headers_module /usr/lib/apache2/modules/mod_headers.so\n<Location \"{section}\">\nHeader always set Strict-Transport-Security \"{GOOD}\"\n</Location>\n<VirtualHost *:443>\nServerName a.example\nSSLEngine on\nSSLCertificateFile /etc/ssl/a.pem\nSSLCertificateKeyFile /etc/ssl/a.key\n</VirtualHost>\n"
        )
    };
    let f = lint_files(&[("apache2.conf", &conf("/"))]);
    assert!(codes(&f).is_empty(), "{f:?}");
    let f = lint_files(&[("apache2.conf", &conf("/app"))]);
    let (_, msg, line, _, _) = one(&f, "TLS509");
    assert!(msg.contains("`<Location \"/app\">`"), "{msg}");
    assert_eq!(*line, 7);
}

#[test]
fn a_shared_location_template_that_drops_hsts_names_the_server_and_its_include() {
    // a.example sends HSTS at server level, b.example sends none: the
    // template's add_header drops it in a.example only
    let server = |n: &str, hsts: &str| {
        format!("server {{\nlisten 443 ssl;\nserver_name {n};\nssl_certificate c.pem;\nssl_certificate_key k.pem;\n{hsts}\ninclude app.conf;\n}}\n")
    };
    let conf = format!(
        "events {{}}\nhttp {{\n{}{}}}\n",
        server(
            "a.example",
            &format!("add_header Strict-Transport-Security \"{GOOD}\" always;")
        ),
        server("b.example", "")
    );
    let v = lint_json(&[
        ("nginx.conf", &conf),
        (
            "app.conf",
            "location /app/ {\n    add_header X-Frame-Options DENY;\n}\n",
        ),
    ]);
    let f: Vec<&serde_json::Value> = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["code"] == "TLS504")
        .collect();
    assert_eq!(f.len(), 1, "{f:?}");
    let file = |v: &serde_json::Value| {
        let p = Path::new(v["file"].as_str().unwrap());
        p.file_name().unwrap().to_str().unwrap().to_string()
    };
    assert_eq!(
        (file(f[0]), f[0]["line"].as_u64()),
        ("app.conf".into(), Some(2))
    );
    let names: Vec<&str> = f[0]["endpoints"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["server_names"][0].as_str().unwrap())
        .collect();
    assert_eq!(names, ["a.example"]);
    let related: Vec<(String, u64)> = f[0]["related"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| (file(r), r["line"].as_u64().unwrap()))
        .collect();
    // the dropped header and a.example's include line
    assert_eq!(
        related,
        [("nginx.conf".into(), 8), ("nginx.conf".into(), 9)]
    );
    // b.example: no HSTS anywhere
    assert_eq!(codes(&found(&v)), ["TLS501", "TLS504"]);
}
