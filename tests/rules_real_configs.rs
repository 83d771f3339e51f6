//! Patterns of real configurations that used to pass unreported: nginx ≥
//! 1.23.2 without a shared session cache (TLS507), plain HTTP served beside
//! TLS for the same names (TLS508), words of a directive that override each
//! other (TLS908), addresses the server drops or refuses and LoadModule of a
//! built-in module (TLS907/TLS908). Each case states what nginx or httpd does
//! and how that was checked.

mod common;

/// (code, severity, message, line) of every finding for `main_name` holding `conf`.
fn lint_as(main_name: &str, conf: &str, args: &[&str]) -> Vec<(String, String, String, u64)> {
    let dir = tempfile::tempdir().unwrap();
    let main = dir.path().join(main_name);
    std::fs::write(&main, conf).unwrap();
    common::findings(&main, args)
}

fn nginx(conf: &str, args: &[&str]) -> Vec<(String, String, String, u64)> {
    lint_as("nginx.conf", conf, args)
}

fn apache(conf: &str, args: &[&str]) -> Vec<(String, String, String, u64)> {
    lint_as("apache2.conf", conf, args)
}

fn of<'a>(
    f: &'a [(String, String, String, u64)],
    code: &str,
) -> Vec<&'a (String, String, String, u64)> {
    f.iter().filter(|x| x.0 == code).collect()
}

const CERT: &str = "ssl_certificate c.pem;\n        ssl_certificate_key k.pem;";

fn tls_server(extra: &str) -> String {
    format!(
        "http {{\n    server {{\n        listen 443 ssl;\n        server_name www.example.org;\n        {CERT}\n{extra}\n    }}\n}}\n"
    )
}

// ---- TLS507: nginx ≥ 1.23.2 rotates ticket keys only in a shared cache ----
// (ngx_event_openssl.c: ngx_ssl_session_ticket_keys returns before setting
// the key callback when there are no key files and no shared zone;
// ngx_ssl_rotate_ticket_keys returns early for keys not marked shared. nginx
// 1.22.1 here predates rotation, so this is read from the source.)

#[test]
fn tickets_without_a_shared_cache_are_never_rotated() {
    let v = ["--nginx-version", "1.25.3"];
    // nginx's default cache is `none`
    let f = nginx(&tls_server(""), &v);
    let t = of(&f, "TLS507");
    assert_eq!(t.len(), 1, "{f:?}");
    assert_eq!(t[0].1, "warning");
    assert!(t[0].2.contains("no `ssl_session_cache`"), "{t:?}");
    assert!(t[0].2.contains("never rotates"), "{t:?}");
    // a built-in (per worker) cache does not hold ticket keys: points at it
    let f = nginx(&tls_server("        ssl_session_cache builtin:1000;"), &v);
    let t = of(&f, "TLS507");
    assert_eq!(t.len(), 1, "{f:?}");
    assert_eq!(t[0].3, 7, "{t:?}");
    assert!(t[0].2.contains("`ssl_session_cache builtin:1000`"), "{t:?}");
    // `off` too
    let f = nginx(&tls_server("        ssl_session_cache off;"), &v);
    assert_eq!(of(&f, "TLS507").len(), 1, "{f:?}");
    // a shared zone, alone or after builtin, inherited from http: rotated
    for cache in ["shared:SSL:10m", "builtin:1000 shared:SSL:10m"] {
        let conf = tls_server("").replace(
            "http {\n",
            &format!("http {{\n    ssl_session_cache {cache};\n"),
        );
        let f = nginx(&conf, &v);
        assert!(of(&f, "TLS507").is_empty(), "{cache}: {f:?}");
    }
    // tickets off: nothing to rotate
    let f = nginx(&tls_server("        ssl_session_tickets off;"), &v);
    assert!(of(&f, "TLS507").is_empty(), "{f:?}");
    // static key files stay reported as such, shared cache or not
    let f = nginx(
        &tls_server(
            "        ssl_session_cache shared:SSL:1m;\n        ssl_session_ticket_key t.key;",
        ),
        &v,
    );
    let t = of(&f, "TLS507");
    assert_eq!(t.len(), 1, "{f:?}");
    assert!(t[0].2.contains("static keys"), "{t:?}");
}

#[test]
fn tls13_only_without_a_shared_cache_is_info() {
    let v = ["--nginx-version", "1.25.3"];
    // Mozilla's Modern shape: TLS 1.3 only, no early data
    let f = nginx(&tls_server("        ssl_protocols TLSv1.3;"), &v);
    let t = of(&f, "TLS507");
    assert_eq!(t.len(), 1, "{f:?}");
    assert_eq!(t[0].1, "info");
    assert!(
        t[0].2.contains("stricter than Mozilla's generator"),
        "{t:?}"
    );
    // early data is encrypted with keys the ticket carries: a warning again
    let f = nginx(
        &tls_server("        ssl_protocols TLSv1.3;\n        ssl_early_data on;"),
        &v,
    );
    let t = of(&f, "TLS507");
    assert_eq!(t.len(), 1, "{f:?}");
    assert_eq!(t[0].1, "warning");
}

// ---- TLS508: plain HTTP beside TLS for the same names ----
// (nginx 1.22.1 on 127.0.0.1: a server with `listen P; listen Q ssl;` answers
// `curl http://...:P/` with 200 over plain HTTP; with
// `if ($scheme = http) { return 308 https://$host$request_uri; }` it
// answers 308 there and 200 over TLS.)

fn tls508(conf: &str) -> Vec<(String, String, String, u64)> {
    let conf = format!("http {{\n    ssl_session_cache shared:SSL:1m;\n{conf}}}\n");
    nginx(&conf, &[])
        .into_iter()
        .filter(|x| x.0 == "TLS508")
        .collect()
}

const SITE: &str = "        server_name www.example.org;\n        ssl_certificate c.pem;\n        ssl_certificate_key k.pem;\n";

#[test]
fn one_server_on_a_plain_and_a_tls_port() {
    let f = tls508(&format!(
        "    server {{\n        listen 80;\n        listen 443 ssl;\n{SITE}    }}\n"
    ));
    assert_eq!(f.len(), 1, "{f:?}");
    assert_eq!(f[0].3, 4, "points at `listen 80`: {f:?}");
    assert!(f[0].2.contains("also listens on *:80 without TLS"), "{f:?}");
    // a redirect for plain requests, as people write it
    for redirect in [
        "if ($scheme = http) { return 308 https://$host$request_uri; }",
        "if ($scheme != \"https\") { return 301 https://$host$request_uri; }",
        "if ($https = \"\") { rewrite ^ https://$host$request_uri permanent; }",
    ] {
        let f = tls508(&format!(
            "    server {{\n        listen 80;\n        listen 443 ssl;\n{SITE}        {redirect}\n    }}\n"
        ));
        assert!(f.is_empty(), "{redirect}: {f:?}");
    }
    // `ssl on` makes every listen of the server TLS: nothing plain
    let f = tls508(&format!(
        "    server {{\n        listen 80;\n        listen 443;\n        ssl on;\n{SITE}    }}\n"
    ));
    assert!(f.is_empty(), "{f:?}");
}

#[test]
fn a_plain_server_for_the_same_names_on_another_port() {
    let tls = format!("    server {{\n        listen 443 ssl;\n{SITE}    }}\n");
    let f = tls508(&format!(
        "{tls}    server {{\n        listen 8080;\n        server_name www.example.org;\n    }}\n"
    ));
    assert_eq!(f.len(), 1, "{f:?}");
    assert!(f[0].2.contains("also served on port 8080"), "{f:?}");
    assert_eq!(f[0].3, 10, "points at `listen 8080`: {f:?}");
    // quiet: loopback only, a unix socket, a redirect, the ACME pattern,
    // a server for other names, a default server that does not list it
    for other in [
        "listen 127.0.0.1:8080;\n        server_name www.example.org;",
        "listen [::1]:8080;\n        server_name www.example.org;",
        "listen unix:/run/app.sock;\n        server_name www.example.org;",
        "listen 8080;\n        server_name www.example.org;\n        return 301 https://$host$request_uri;",
        "listen 8080;\n        server_name www.example.org;\n        location /.well-known/acme-challenge/ { root /var/www/acme; }\n        location / { return 301 https://$host$request_uri; }",
        "listen 8080;\n        server_name api.example.org;",
        "listen 8080 default_server;",
    ] {
        let f = tls508(&format!("{tls}    server {{\n        {other}\n    }}\n"));
        assert!(f.is_empty(), "{other}: {f:?}");
    }
    // a wildcard name lists it
    let f = tls508(&format!(
        "{tls}    server {{\n        listen 8080;\n        server_name *.example.org;\n    }}\n"
    ));
    assert_eq!(f.len(), 1, "{f:?}");
}

#[test]
fn apache_plain_virtual_host_on_another_port() {
    let conf = |body: &str| {
        format!(
            "Listen 443\nListen 8080\nLoadModule ssl_module /usr/lib/apache2/modules/mod_ssl.so\nLoadModule alias_module /usr/lib/apache2/modules/mod_alias.so\nLoadModule rewrite_module /usr/lib/apache2/modules/mod_rewrite.so\n<VirtualHost *:443>\n    ServerName www.example.org\n    SSLEngine on\n    SSLCertificateFile /etc/ssl/c.pem\n    SSLCertificateKeyFile /etc/ssl/k.pem\n</VirtualHost>\n<VirtualHost *:8080>\n    ServerName www.example.org\n{body}\n</VirtualHost>\n"
        )
    };
    let f = apache(&conf(""), &[]);
    let t = of(&f, "TLS508");
    assert_eq!(t.len(), 1, "{f:?}");
    assert!(
        t[0].2
            .contains("also served on port 8080 by this virtual host"),
        "{t:?}"
    );
    assert_eq!(t[0].3, 12, "{t:?}");
    for body in [
        "    Redirect permanent / https://www.example.org/",
        "    RewriteEngine on\n    RewriteRule ^ https://%{HTTP_HOST}%{REQUEST_URI} [R=301,L]",
    ] {
        let f = apache(&conf(body), &[]);
        assert!(of(&f, "TLS508").is_empty(), "{body}: {f:?}");
    }
    // loopback only
    let f = apache(&conf("").replace("*:8080", "127.0.0.1:8080"), &[]);
    assert!(of(&f, "TLS508").is_empty(), "{f:?}");
}

// ---- TLS908: words httpd overrides or drops ----

const HEAD: &str = "Listen 443\nLoadModule ssl_module /usr/lib/apache2/modules/mod_ssl.so\n";

fn vhost(addr: &str, body: &str) -> String {
    format!(
        "<VirtualHost {addr}>\n    ServerName www.example.org\n    SSLEngine on\n    SSLCertificateFile /etc/ssl/c.pem\n    SSLCertificateKeyFile /etc/ssl/k.pem\n{body}\n</VirtualHost>\n"
    )
}

#[test]
fn bare_protocol_words_replace_the_ones_before() {
    // apache2 2.4.71: `SSLProtocol TLSv1.2 TLSv1.3` logs AH02532 for
    // 'TLSv1.3'; `openssl s_client -tls1_2` against it on 127.0.0.1 gets a
    // protocol_version alert, `-tls1_3` connects; with
    // `-all +TLSv1.2 +TLSv1.3` both connect
    let f = apache(
        &format!(
            "{HEAD}SSLProtocol TLSv1 TLSv1.1 TLSv1.2\n{}",
            vhost("*:443", "")
        ),
        &[],
    );
    let t = of(&f, "TLS908");
    assert_eq!(t.len(), 1, "{f:?}");
    assert_eq!(t[0].3, 3);
    assert!(t[0].2.contains("means TLSv1.2 only"), "{t:?}");
    assert!(
        t[0].2.contains("AH02532: SSLProtocol: Protocol 'TLSv1.1' overrides already set parameter(s). Check if a +/- prefix is missing.")
            && t[0].2.contains("Protocol 'TLSv1.2' overrides"),
        "{t:?}"
    );
    // the effective set already follows httpd: no TLSv1/TLSv1.1 finding
    assert!(!f.iter().any(|x| x.0 == "TLS101"), "{f:?}");
    // SSLProxyProtocol reads the same way
    let f = apache(
        &format!(
            "{HEAD}{}",
            vhost("*:443", "    SSLProxyProtocol TLSv1.2 TLSv1.3")
        ),
        &[],
    );
    let t = of(&f, "TLS908");
    assert_eq!(t.len(), 1, "{f:?}");
    assert!(
        t[0].2
            .contains("`SSLProxyProtocol TLSv1.2 TLSv1.3` means TLSv1.3 only"),
        "{t:?}"
    );
    // prefixes everywhere, or a bare word first: nothing overridden
    for line in [
        "SSLProtocol -all +TLSv1.2 +TLSv1.3",
        "SSLProtocol all -TLSv1 -TLSv1.1",
        "SSLProtocol -all TLSv1.2",
        "SSLProtocol TLSv1.2",
    ] {
        let f = apache(&format!("{HEAD}{line}\n{}", vhost("*:443", "")), &[]);
        assert!(of(&f, "TLS908").is_empty(), "{line}: {f:?}");
    }
}

#[test]
fn bare_option_words_replace_the_ones_before() {
    // ssl_cmd_SSLOptions: each word without a prefix sets the options to it
    let f = apache(
        &format!(
            "{HEAD}{}",
            vhost("*:443", "    <Location /secure>\n        SSLOptions StdEnvVars StrictRequire\n    </Location>")
        ),
        &[],
    );
    let t = of(&f, "TLS908");
    assert_eq!(t.len(), 1, "{f:?}");
    assert!(t[0].2.contains("sets only StrictRequire"), "{t:?}");
    let f = apache(
        &format!(
            "{HEAD}{}",
            vhost("*:443", "    SSLOptions StdEnvVars +StrictRequire")
        ),
        &[],
    );
    assert!(of(&f, "TLS908").is_empty(), "{f:?}");
}

#[test]
fn virtual_host_address_httpd_drops() {
    // apache2 2.4.71: `<VirtualHost [00000::2]:18080>` logs "AH00547: Could
    // not resolve host name 00000::2 -- ignoring!", `apache2 -S` lists the
    // virtual host under its other addresses only, or not at all
    let f = apache(&format!("{HEAD}{}", vhost("[00000::2]:443 *:443", "")), &[]);
    let t = of(&f, "TLS908");
    assert_eq!(t.len(), 1, "{f:?}");
    assert!(
        t[0].2
            .contains("AH00547: Could not resolve host name 00000::2 -- ignoring!"),
        "{t:?}"
    );
    assert!(!t[0].2.contains("never selects it"), "{t:?}");
    let f = apache(
        &format!("{HEAD}{}", vhost("[0:0:0:0:0:0:0:00002]:443", "")),
        &[],
    );
    let t = of(&f, "TLS908");
    assert_eq!(t.len(), 1, "{f:?}");
    assert!(t[0].2.contains("never selects it"), "{t:?}");
    // a literal APR refuses stops httpd ("The address or port is invalid")
    let f = apache(&format!("{HEAD}{}", vhost("[1::2::3]:443", "")), &[]);
    let t = of(&f, "TLS907");
    assert_eq!(t.len(), 1, "{f:?}");
    assert!(t[0].2.contains("The address or port is invalid"), "{t:?}");
    // Listen: "Listen setup failed" / "Invalid address or port"
    for (listen, error) in [
        ("[00000::2]:443", "Listen setup failed"),
        ("[zz::1]:443", "Invalid address or port"),
    ] {
        let f = apache(
            &format!("Listen {listen}\n{HEAD}{}", vhost("*:443", "")),
            &[],
        );
        let t = of(&f, "TLS907");
        assert_eq!(t.len(), 1, "{listen}: {f:?}");
        assert!(t[0].2.contains(error) && t[0].3 == 1, "{t:?}");
    }
    // valid forms
    for addr in ["[::1]:443", "[2001:db8::1]:443 *:443", "[fe80::1%eth0]:443"] {
        let f = apache(&format!("{HEAD}{}", vhost(addr, "")), &[]);
        assert!(
            of(&f, "TLS907").is_empty() && of(&f, "TLS908").is_empty(),
            "{addr}: {f:?}"
        );
    }
}

#[test]
fn nginx_refuses_an_invalid_ipv6_listen() {
    // nginx 1.22.1 -t: invalid IPv6 address in "[00000::2]:443" of the
    // "listen" directive (also for a zone, `[fe80::1%lo]`)
    for (listen, bad) in [
        ("[00000::2]:443", true),
        ("[fe80::1%lo]:443", true),
        ("[1::2::3]:443", true),
        ("[::ffff:1.2.3.4]:443", false),
        ("[::]:443", false),
    ] {
        let f = nginx(
            &tls_server("").replace("listen 443 ssl;", &format!("listen {listen} ssl;")),
            &[],
        );
        let t = of(&f, "TLS907");
        if bad {
            assert_eq!(t.len(), 1, "{listen}: {f:?}");
            assert!(
                t[0].2.contains(&format!(
                    "invalid IPv6 address in \"{listen}\" of the \"listen\" directive"
                )),
                "{t:?}"
            );
        } else {
            assert!(t.is_empty(), "{listen}: {f:?}");
        }
    }
}

#[test]
fn load_module_of_a_built_in_module() {
    // apache2 2.4.71 -t: "Syntax error on line 6 of ...: module
    // version_module is built-in and can't be loaded" (also so_module)
    for m in ["version_module", "log_config_module", "so_module"] {
        let f = apache(
            &format!(
                "{HEAD}LoadModule {m} /usr/lib/apache2/modules/mod_x.so\n{}",
                vhost("*:443", "")
            ),
            &[],
        );
        let t = of(&f, "TLS907");
        assert_eq!(t.len(), 1, "{m}: {f:?}");
        assert_eq!(t[0].1, "error");
        assert_eq!(t[0].3, 3);
        assert!(
            t[0].2
                .contains(&format!("module {m} is built-in and can't be loaded")),
            "{t:?}"
        );
    }
    // another layout (httpd.conf: RHEL loads mod_version as a shared
    // object): only mod_so, built in everywhere, is reported
    let conf = |m: &str| {
        format!(
            "{HEAD}LoadModule {m} modules/mod_x.so\n{}",
            vhost("*:443", "")
        )
    };
    let f = lint_as("httpd.conf", &conf("version_module"), &[]);
    assert!(of(&f, "TLS907").is_empty(), "{f:?}");
    let f = lint_as("httpd.conf", &conf("so_module"), &[]);
    assert_eq!(of(&f, "TLS907").len(), 1, "{f:?}");
    // a shared module is fine
    let f = apache(&conf("headers_module"), &[]);
    assert!(of(&f, "TLS907").is_empty(), "{f:?}");
}
