//! Loader and parser bounds (issue 13, item 2): a limit that is reached is
//! an error naming the limit at file:line with exit code 2, never a silent
//! stop nor an abort; time is linear in line length and in word count.
//!
//! Where memory is the point, tlslint runs as a child under an address-space
//! limit (`setrlimit(RLIMIT_AS)` in `pre_exec`): an allocation failure would
//! abort it (signal 6), which the tests tell apart from exit code 2. Time
//! bounds are generous (the fixed code meets them by a factor of 10 or more
//! in a debug build); they catch a hang or a quadratic, not a slowdown.

mod common;

use std::os::unix::process::CommandExt;
use std::path::Path;
use std::process::Command;
use std::time::Duration;

use common::{run, tlslint, Out};

const GIB: u64 = 1024 * 1024 * 1024;

/// Run `tlslint ARGS` with at most `memory` bytes of address space.
fn tlslint_limited(args: &[&str], memory: u64, limit: Duration) -> Out {
    let mut cmd = Command::new(tlslint());
    cmd.args(args).env("NO_COLOR", "1").env("COLUMNS", "100");
    // SAFETY: setrlimit is async-signal-safe; nothing else runs in the child
    unsafe {
        cmd.pre_exec(move || {
            let lim = libc::rlimit {
                rlim_cur: memory,
                rlim_max: memory,
            };
            if libc::setrlimit(libc::RLIMIT_AS, &lim) != 0 {
                return Err(std::io::Error::last_os_error());
            }
            Ok(())
        });
    }
    run(&mut cmd, limit).unwrap_or_else(|e| panic!("{e}"))
}

fn write(dir: &Path, name: &str, text: &str) {
    std::fs::write(dir.join(name), text).unwrap();
}

/// The error output with miette's wrapping undone (`│` margins, line
/// breaks), so that a message can be looked for whole.
fn flat(s: &str) -> String {
    s.split_whitespace()
        .filter(|w| *w != "│")
        .collect::<Vec<_>>()
        .join(" ")
}

/// Exit code 2 with `wanted` in the error output, located at `at`.
fn assert_refused(out: &Out, wanted: &str, at: &str) {
    assert_eq!(
        out.code,
        Some(2),
        "expected exit 2 (not an abort), got {:?}; stderr: {}",
        out.code,
        &out.stderr[..out.stderr.len().min(3000)]
    );
    assert!(
        flat(&out.stderr).contains(wanted),
        "no {wanted:?} in: {}",
        &out.stderr[..out.stderr.len().min(3000)]
    );
    assert!(
        out.stderr.contains(at),
        "not located at {at:?}: {}",
        &out.stderr[..out.stderr.len().min(3000)]
    );
}

fn nginx_main(includes: &str) -> String {
    format!(
        "events {{}}\nhttp {{\n  server {{\n    listen 443 ssl;\n    server_name a.example;\n    \
         ssl_certificate /etc/ssl/certs/ssl-cert-snakeoil.pem;\n    \
         ssl_certificate_key /etc/ssl/private/ssl-cert-snakeoil.key;\n{includes}\n  }}\n}}\n"
    )
}

// ---------------------------------------------------------------- 1. diamonds

#[test]
fn nginx_include_diamond_is_an_error_at_the_include() {
    // 30 files, each including the next twice: 2^29 spliced directives
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "nginx.conf",
        &nginx_main("    location / { include d1.conf; }"),
    );
    for i in 1..30 {
        let n = i + 1;
        write(
            dir.path(),
            &format!("d{i}.conf"),
            &format!("include d{n}.conf;\ninclude d{n}.conf;\n"),
        );
    }
    write(dir.path(), "d30.conf", "add_header X-A b;\n");
    let main = dir.path().join("nginx.conf");
    let out = tlslint_limited(&[main.to_str().unwrap()], GIB, Duration::from_secs(60));
    // 2^22 > 4,000,000: d8.conf's second include is the first to cross
    assert_refused(
        &out,
        "past 4000000 directives once includes are spliced in (a tlslint limit",
        "d8.conf:2:1",
    );
    // reported once, not once per file of the chain
    assert_eq!(
        flat(&out.stderr).matches("(a tlslint limit").count(),
        1,
        "{}",
        out.stderr
    );
}

#[test]
fn nginx_shared_include_many_times_is_fine() {
    // 5,000 servers sharing one snippet: the count stays far below the bound
    let dir = tempfile::tempdir().unwrap();
    let mut servers = String::new();
    for i in 0..5000 {
        servers.push_str(&format!(
            "  server {{ listen 443 ssl; server_name s{i}.example; include tls.conf; }}\n"
        ));
    }
    write(
        dir.path(),
        "nginx.conf",
        &format!("events {{}}\nhttp {{\n{servers}}}\n"),
    );
    write(
        dir.path(),
        "tls.conf",
        "ssl_certificate /etc/ssl/certs/ssl-cert-snakeoil.pem;\n\
         ssl_certificate_key /etc/ssl/private/ssl-cert-snakeoil.key;\n\
         ssl_protocols TLSv1.2 TLSv1.3;\n",
    );
    let main = dir.path().join("nginx.conf");
    let out = tlslint_limited(
        &["--format", "json", main.to_str().unwrap()],
        2 * GIB,
        Duration::from_secs(120),
    );
    assert_ne!(out.code, Some(2), "{}", out.stderr);
    assert!(!out.stderr.contains("tlslint limit"), "{}", out.stderr);
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let endpoints = json["summary"]["endpoints"]
        .as_u64()
        .or_else(|| json["endpoints"].as_array().map(|a| a.len() as u64));
    assert_eq!(
        endpoints,
        Some(5000),
        "{}",
        out.stdout_str().get(..2000).unwrap_or("")
    );
}

/// The Apache main file of the tests: `ServerRoot` is the directory.
fn apache_main(dir: &Path, body: &str) -> String {
    format!("ServerRoot {}\nListen 443\n{body}", dir.display())
}

#[test]
fn apache_include_diamond_is_an_error_under_a_memory_limit() {
    // each of 29 files includes the next twice and has 200 directives: the
    // equivalent of the nginx diamond that reached 6.6 GB
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "apache2.conf",
        &apache_main(
            dir.path(),
            "<VirtualHost *:443>\nServerName a.example\nInclude d1.conf\n</VirtualHost>\n",
        ),
    );
    for i in 1..30 {
        let n = i + 1;
        let mut text = format!("Include d{n}.conf\nInclude d{n}.conf\n");
        for k in 0..200 {
            text.push_str(&format!("Header set X-A{k} b\n"));
        }
        write(dir.path(), &format!("d{i}.conf"), &text);
    }
    write(dir.path(), "d30.conf", "Header set X-A b\n");
    let main = dir.path().join("apache2.conf");
    let out = tlslint_limited(&[main.to_str().unwrap()], 2 * GIB, Duration::from_secs(600));
    assert_refused(
        &out,
        "more than 2000000 lines read in one tree (a tlslint limit",
        "Include d",
    );
}

// ---------------------------------------------------------------- 2. Define

#[test]
fn apache_define_doubling_is_an_error_not_an_abort() {
    let dir = tempfile::tempdir().unwrap();
    let mut body = String::from("Define V1 xxxxxxxxxxxxxxxx\n");
    for i in 2..=40 {
        body.push_str(&format!("Define V{i} ${{V{}}}${{V{}}}\n", i - 1, i - 1));
    }
    write(dir.path(), "apache2.conf", &apache_main(dir.path(), &body));
    let main = dir.path().join("apache2.conf");
    let out = tlslint_limited(&[main.to_str().unwrap()], GIB, Duration::from_secs(60));
    // V21 is 16 MiB: its line is the first past the bound
    assert_refused(
        &out,
        "with ${VAR} substituted this line is longer than 16 MiB (a tlslint limit",
        "apache2.conf:23:1",
    );
}

#[test]
fn apache_define_values_add_up_to_a_bound() {
    // many Defines of a large value: each line fits, the total does not
    let dir = tempfile::tempdir().unwrap();
    let big = "x".repeat(1024 * 1024);
    let mut body = format!("Define BIG {big}\n");
    for i in 0..80 {
        body.push_str(&format!("Define C{i} ${{BIG}}\n"));
    }
    write(dir.path(), "apache2.conf", &apache_main(dir.path(), &body));
    let main = dir.path().join("apache2.conf");
    let out = tlslint_limited(&[main.to_str().unwrap()], 2 * GIB, Duration::from_secs(120));
    assert_refused(
        &out,
        "the values of Define add up to more than 64 MiB (a tlslint limit)",
        "apache2.conf:",
    );
}

// ---------------------------------------------------------------- 3. mod_macro

#[test]
fn apache_macro_with_5000_parameters_is_linear() {
    let dir = tempfile::tempdir().unwrap();
    let n = 5000;
    let params: Vec<String> = (0..n).map(|i| format!("$p{i}")).collect();
    let mut body = String::new();
    for k in 0..50 {
        // in reverse order: the expansion's `v4999 v4998` is in no line as written
        let refs: Vec<&str> = (0..100)
            .map(|i| params[(k * 100 + 99 - i) % n].as_str())
            .collect();
        body.push_str(&format!("Header set X-{k} \"{}\"\n", refs.join(" ")));
    }
    let values: Vec<String> = (0..n).map(|i| format!("v{i}")).collect();
    let text = format!(
        "<Macro M {}>\n{body}</Macro>\nUse M {}\n",
        params.join(" "),
        values.join(" ")
    );
    write(dir.path(), "apache2.conf", &apache_main(dir.path(), &text));
    let main = dir.path().join("apache2.conf");
    // took 71 s (debug) before: the line was searched once per parameter
    // for every substitution; now well under a second
    let out = tlslint_limited(
        &["parse", main.to_str().unwrap()],
        2 * GIB,
        Duration::from_secs(30),
    );
    assert_eq!(out.code, Some(0), "{}", out.stderr);
    let parsed = out.stdout_str();
    // the substituted values are there (from the 50th line)
    assert!(
        parsed.contains("v4999 v4998"),
        "{}",
        &parsed[..parsed.len().min(2000)]
    );
}

#[test]
fn apache_macro_expansion_is_bounded() {
    // macros that use the next one twice, 30 deep: an error, not 2^30 copies
    let dir = tempfile::tempdir().unwrap();
    let mut text = String::from("<Macro M30>\nHeader set X-A b\n</Macro>\n");
    for i in (1..30).rev() {
        text.push_str(&format!(
            "<Macro M{i}>\nUse M{n}\nUse M{n}\n</Macro>\n",
            n = i + 1
        ));
    }
    text.push_str("Use M1\n");
    write(dir.path(), "apache2.conf", &apache_main(dir.path(), &text));
    let main = dir.path().join("apache2.conf");
    let out = tlslint_limited(&[main.to_str().unwrap()], 2 * GIB, Duration::from_secs(600));
    assert_eq!(out.code, Some(2), "{}", out.stderr);
    assert!(out.stderr.contains("(a tlslint limit"), "{}", out.stderr);
}

// ---------------------------------------------------------------- 4. include depth

#[test]
fn include_depth_is_an_error_in_both_servers() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "nginx.conf",
        &nginx_main("    include i0.conf;"),
    );
    for i in 0..200 {
        write(
            dir.path(),
            &format!("i{i}.conf"),
            &format!("include i{}.conf;\n", i + 1),
        );
        write(
            dir.path(),
            &format!("a{i}.conf"),
            &format!("Include a{}.conf\n", i + 1),
        );
    }
    let main = dir.path().join("nginx.conf");
    let out = tlslint_limited(&[main.to_str().unwrap()], GIB, Duration::from_secs(60));
    assert_refused(
        &out,
        "includes nested deeper than 128 levels",
        "i126.conf:1:1",
    );
    write(
        dir.path(),
        "apache2.conf",
        &apache_main(dir.path(), "Include a0.conf\n"),
    );
    let main = dir.path().join("apache2.conf");
    let out = tlslint_limited(&[main.to_str().unwrap()], GIB, Duration::from_secs(60));
    assert_refused(
        &out,
        "Exceeded maximum include depth of 128",
        "a127.conf:1:1",
    );
}

// ---------------------------------------------------------------- 5. deep nesting

#[test]
fn apache_virtualhost_nested_deep_across_includes_is_never_lost() {
    // nine included files, each wrapping the next include in 190
    // <IfModule> sections: httpd -t -D DUMP_VHOSTS lists the virtual host
    // (checked on httpd 2.4; it crashes near 19,000 levels). tlslint lost it
    // silently (0 endpoints, exit 0); now the depth is an error.
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "apache2.conf",
        &apache_main(
            dir.path(),
            "LoadModule ssl_module mod_ssl.so\nInclude f1.conf\n",
        ),
    );
    for i in 1..=9 {
        let inner = if i < 9 {
            format!("Include f{}.conf\n", i + 1)
        } else {
            "<VirtualHost *:443>\nServerName deep.example\nSSLEngine on\nSSLProtocol all\n\
             SSLCertificateFile /etc/ssl/certs/ssl-cert-snakeoil.pem\n\
             SSLCertificateKeyFile /etc/ssl/private/ssl-cert-snakeoil.key\n</VirtualHost>\n"
                .to_string()
        };
        let text = "<IfModule ssl_module>\n".repeat(190) + &inner + &"</IfModule>\n".repeat(190);
        write(dir.path(), &format!("f{i}.conf"), &text);
    }
    let main = dir.path().join("apache2.conf");
    let out = tlslint_limited(&[main.to_str().unwrap()], GIB, Duration::from_secs(60));
    assert_refused(
        &out,
        "sections nested deeper than 200 levels, counting those around the Include or Use lines that lead here (a tlslint limit",
        "f2.conf:11:1",
    );
}

#[test]
fn nginx_location_nested_deep_across_includes_is_never_lost() {
    // the same shape in nginx (nginx -t accepts 1,710 levels): the
    // proxy_pass https:// deepest down got no TLS405 and the exit code was 1
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "nginx.conf",
        &nginx_main("    include f1.conf;"),
    );
    for i in 1..=9 {
        let inner = if i < 9 {
            format!("include f{}.conf;\n", i + 1)
        } else {
            "proxy_pass https://127.0.0.1:9443;\n".to_string()
        };
        let text = "location /a {\n".repeat(190) + &inner + &"}\n".repeat(190);
        write(dir.path(), &format!("f{i}.conf"), &text);
    }
    let main = dir.path().join("nginx.conf");
    let out = tlslint_limited(&[main.to_str().unwrap()], GIB, Duration::from_secs(60));
    // f8.conf's 190 blocks and f9.conf's 190 are the first to add up past 200
    assert_refused(
        &out,
        "blocks here and in the files this include reads nest deeper than 200 levels (a tlslint limit",
        "f8.conf:191:1",
    );
}

// ---------------------------------------------------------------- 6. long lines

/// `n` words of 5 bytes and a space.
fn names(n: usize) -> String {
    let mut s = String::with_capacity(n * 6);
    for i in 0..n {
        s.push_str(&format!("a{:04} ", i % 10000));
    }
    s
}

#[test]
fn a_4_mb_line_is_read_in_linear_time() {
    // a 0.8 MB line took 6 s (Apache) and over 2 minutes (nginx) in a debug
    // build: each word's column was counted from the start of its line
    let dir = tempfile::tempdir().unwrap();
    let words = names(4_000_000 / 6);
    write(
        dir.path(),
        "nginx.conf",
        &format!("events {{}}\nhttp {{ server {{ listen 443 ssl; server_name {words}; }} }}\n"),
    );
    write(
        dir.path(),
        "apache2.conf",
        &apache_main(
            dir.path(),
            &format!("<VirtualHost *:443>\nServerName a\nServerAlias {words}\n</VirtualHost>\n"),
        ),
    );
    for main in ["nginx.conf", "apache2.conf"] {
        let main = dir.path().join(main);
        let out = tlslint_limited(
            &["--format", "concise", main.to_str().unwrap()],
            2 * GIB,
            Duration::from_secs(180),
        );
        assert!(
            matches!(out.code, Some(0 | 1)),
            "{}: {:?} {}",
            main.display(),
            out.code,
            out.stderr
        );
    }
}

// ---------------------------------------------------------------- 7. cipher words

#[test]
fn cipher_string_of_150000_unknown_words_is_linear() {
    let dir = tempfile::tempdir().unwrap();
    let words: Vec<String> = (0..150_000).map(|i| format!("UNKNOWN{i}")).collect();
    let body = format!(
        "<VirtualHost *:443>\nServerName a.example\nSSLEngine on\n\
         SSLCertificateFile /etc/ssl/certs/ssl-cert-snakeoil.pem\n\
         SSLCertificateKeyFile /etc/ssl/private/ssl-cert-snakeoil.key\n\
         SSLCipherSuite \"HIGH:{}\"\n</VirtualHost>\n",
        words.join(":")
    );
    write(dir.path(), "apache2.conf", &apache_main(dir.path(), &body));
    let main = dir.path().join("apache2.conf");
    // over 100 s before (each word was looked up in the list of those seen)
    let out = tlslint_limited(
        &["--format", "concise", main.to_str().unwrap()],
        2 * GIB,
        Duration::from_secs(120),
    );
    assert_eq!(out.code, Some(1), "{}", out.stderr);
    let text = out.stdout_str();
    // the first 20 words one finding each, the rest in one
    assert!(
        text.contains("`UNKNOWN19` in `HIGH:UNKNOWN0:"),
        "{}",
        &text[..text.len().min(3000)]
    );
    assert!(!text.contains("`UNKNOWN20` in"));
    assert!(text.contains("149980 more words in `HIGH:UNKNOWN0:"));
    // no finding repeats the 1.4 MB string
    assert!(text.len() < 200_000, "{} bytes of output", text.len());
}

// ---------------------------------------------------------------- 8. snippets

#[test]
fn error_on_a_20_mb_line_shows_a_window_and_the_true_column() {
    let dir = tempfile::tempdir().unwrap();
    let words = names(20_000_000 / 6);
    let text = format!("events {{}}\nhttp {{ server {{ server_name {words};; }} }}\n");
    write(dir.path(), "nginx.conf", &text);
    let main = dir.path().join("nginx.conf");
    let out = tlslint_limited(&[main.to_str().unwrap()], 2 * GIB, Duration::from_secs(180));
    assert_eq!(
        out.code,
        Some(2),
        "{}",
        &out.stderr[..out.stderr.len().min(3000)]
    );
    assert!(out.stderr.contains("unexpected \";\""), "{}", out.stderr);
    assert!(
        out.stdout.len() + out.stderr.len() < 5000,
        "{} bytes of output",
        out.stdout.len() + out.stderr.len()
    );
    // the snippet's header names the column in the line, not in the window
    let col = text.lines().nth(1).unwrap().find(";;").unwrap() + 2;
    assert!(
        out.stderr.contains(&format!("nginx.conf:2:{col}]")),
        "column {col} not in: {}",
        out.stderr
    );
}
