//! A CLI that helps: paths that are no configuration, typos of
//! subcommands, profiles, rule names and settings values, plain messages for
//! bad flag values, end-of-file syntax errors with their file:line.

use std::path::Path;
use std::process::{Command, Output};

fn run(args: &[&str], cwd: &Path) -> Output {
    Command::new(env!("CARGO_BIN_EXE_tlslint"))
        .args(args)
        .current_dir(cwd)
        .env_remove("COLUMNS")
        .output()
        .unwrap()
}

fn text(o: &Output) -> (String, String) {
    (
        String::from_utf8_lossy(&o.stdout).into_owned(),
        String::from_utf8_lossy(&o.stderr).into_owned(),
    )
}

#[test]
fn a_file_that_is_no_configuration_is_one_line_and_exit_2() {
    let d = tempfile::tempdir().unwrap();
    std::fs::write(
        d.path().join("passwd"),
        "root:x:0:0:root:/root:/bin/bash\ndaemon:x:1:1:daemon:/usr/sbin:/usr/sbin/nologin\n",
    )
    .unwrap();
    let mut bin = vec![0x7fu8, b'E', b'L', b'F', 2, 1, 1, 0];
    bin.extend((0..4096u32).map(|i| (i * 7 % 251) as u8));
    std::fs::write(d.path().join("prog"), &bin).unwrap();
    std::fs::write(
        d.path().join("nginx.conf"),
        "events {}\nhttp { server { listen 443 ssl; ssl_protocols TLSv1.2 TLSv1.3; } }\n",
    )
    .unwrap();
    for (file, why) in [
        ("passwd", "no directive nginx or httpd knows"),
        ("prog", "binary data"),
    ] {
        let o = run(&[file, "nginx.conf"], d.path());
        let (out, err) = text(&o);
        assert_eq!(o.status.code(), Some(2), "{file}: {err}");
        let lines: Vec<&str> = err.lines().filter(|l| l.contains(file)).collect();
        assert_eq!(
            lines,
            vec![format!(
                "error: \"{file}\" is not an nginx or Apache configuration ({why}{}",
                if why == "binary data" {
                    ")"
                } else {
                    " near its top)"
                }
            )
            .as_str()],
            "{err}"
        );
        // nothing of the file is shown, and the other tree is still linted
        assert!(!err.contains("root:x") && !err.contains("ELF"), "{err}");
        assert!(out.contains("1 tree(s)"), "{out}");
    }
    // bytes that are not UTF-8 (a comment saved in EUC-KR) are text to nginx
    let mut euc = b"server {\n    # ".to_vec();
    euc.extend([0xbe, 0xc8, 0xb3, 0xe7]);
    euc.extend(b"\n    listen 80;\n}\n");
    std::fs::write(d.path().join("kr.conf"), &euc).unwrap();
    let o = run(&["kr.conf"], d.path());
    assert!(!text(&o).1.contains("not an nginx"), "{}", text(&o).1);
    // a snippet of directives with no main file around it is a configuration
    std::fs::write(d.path().join("tls.inc"), "ssl_protocols TLSv1.2;\n").unwrap();
    let o = run(&["tls.inc"], d.path());
    assert!(!text(&o).1.contains("not an nginx"), "{}", text(&o).1);
    // an Apache file is one too
    std::fs::write(
        d.path().join("site.inc"),
        "<VirtualHost *:443>\n  SSLEngine on\n</VirtualHost>\n",
    )
    .unwrap();
    let o = run(&["site.inc"], d.path());
    assert!(!text(&o).1.contains("not an nginx"), "{}", text(&o).1);
}

#[test]
fn end_of_file_errors_show_file_line_and_the_line() {
    let d = tempfile::tempdir().unwrap();
    std::fs::write(d.path().join("nginx.conf"), "http {\n    server {\n").unwrap();
    let o = run(&["nginx.conf"], d.path());
    let (_, err) = text(&o);
    assert_eq!(o.status.code(), Some(2));
    assert!(err.contains("unexpected end of file"), "{err}");
    // the snippet shows the line left open (line 2), where the file ends
    assert!(err.contains("nginx.conf:2:1"), "{err}");
    assert!(err.contains("server {"), "{err}");
    assert!(
        !err.contains("OutOfBounds") && !err.contains("Failed to read"),
        "{err}"
    );
}

#[test]
fn typos_get_the_nearest_valid_word() {
    let d = tempfile::tempdir().unwrap();
    let cases: &[(&[&str], &str)] = &[
        (&["rule"], "did you mean `tlslint rules`?"),
        (&["expalin"], "did you mean `tlslint explain`?"),
        (&["explain", "hsts-mising"], "did you mean `hsts-missing`?"),
        (
            &["explain", "hsts"],
            "TLS501 hsts-missing, TLS502 hsts-too-short",
        ),
        (&["x.conf", "--profile", "moderm"], "did you mean `modern`?"),
        (&["x.conf", "--disable", "TLS1O1"], "did you mean `TLS101`?"),
    ];
    std::fs::write(d.path().join("x.conf"), "events {}\n").unwrap();
    for (args, want) in cases {
        let o = run(args, d.path());
        let (_, err) = text(&o);
        assert_eq!(o.status.code(), Some(2), "{args:?}: {err}");
        assert!(err.contains(want), "{args:?}: {err}");
    }
    // a word far from every subcommand gets no guess
    let o = run(&["zzzzzz"], d.path());
    assert!(!text(&o).1.contains("did you mean"), "{}", text(&o).1);
}

#[test]
fn settings_values_suggest_with_file_and_line() {
    let d = tempfile::tempdir().unwrap();
    std::fs::create_dir(d.path().join(".git")).unwrap();
    std::fs::write(d.path().join("nginx.conf"), "events {}\n").unwrap();
    for (yaml, line, want) in [
        (
            "fail_on: error\nprofile: moderm\n",
            2,
            "did you mean `modern`?",
        ),
        (
            "rules:\n  disable: [hsts-mising]\n",
            2,
            "did you mean `hsts-missing`?",
        ),
        ("severity:\n  TLS10l: info\n", 2, "did you mean `TLS101`?"),
    ] {
        std::fs::write(d.path().join(".tlslint.yaml"), yaml).unwrap();
        let o = run(&["nginx.conf"], d.path());
        let (_, err) = text(&o);
        assert_eq!(o.status.code(), Some(2), "{yaml}: {err}");
        assert!(err.contains(want), "{yaml}: {err}");
        assert!(
            err.contains(&format!(".tlslint.yaml:{line}")),
            "{yaml}: {err}"
        );
    }
}

#[test]
fn a_negative_number_of_days_gets_a_plain_message() {
    let d = tempfile::tempdir().unwrap();
    std::fs::write(d.path().join("nginx.conf"), "events {}\n").unwrap();
    let o = run(&["nginx.conf", "--expiry-warn-days", "-3"], d.path());
    let (_, err) = text(&o);
    assert_eq!(o.status.code(), Some(2));
    assert!(err.contains("cannot be negative"), "{err}");
    assert!(!err.contains("tip: to pass"), "{err}");
}

#[test]
fn one_dash_before_a_suppression_reason_is_one_tls906() {
    let d = tempfile::tempdir().unwrap();
    std::fs::write(
        d.path().join("nginx.conf"),
        "events {}\nhttp {\n    server {\n        listen 443 ssl;\n        \
         # tlslint: ignore TLS101 - the POS terminals need it\n        \
         ssl_protocols TLSv1 TLSv1.2;\n    }\n}\n",
    )
    .unwrap();
    let o = run(&["nginx.conf", "--format", "json"], d.path());
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let tls906: Vec<&serde_json::Value> = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["code"] == "TLS906")
        .collect();
    assert_eq!(tls906.len(), 1, "{tls906:#?}");
    let msg = tls906[0]["message"].as_str().unwrap();
    assert!(msg.contains("use `--` before the reason"), "{msg}");
    assert_eq!(tls906[0]["line"], 5, "{:#?}", tls906[0]);
    // and it does not suppress: TLS101 is still reported
    assert!(v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .any(|f| f["code"] == "TLS101"));
}

/// A snippet is only drawn from a configuration file: an include of a
/// /proc entry (a process's environment, tokens included) is an error at
/// the include line that shows nothing of it.
#[test]
fn kernel_interfaces_are_never_read_nor_shown() {
    let d = tempfile::tempdir().unwrap();
    std::fs::write(
        d.path().join("nginx.conf"),
        "events {}\nhttp {\n    include /proc/self/environ;\n}\n",
    )
    .unwrap();
    let o = Command::new(env!("CARGO_BIN_EXE_tlslint"))
        .arg("nginx.conf")
        .arg("--root")
        .arg("/")
        .current_dir(d.path())
        .env("TLSLINT_SECRET_TOKEN", "s3cr3t-value")
        .output()
        .unwrap();
    let (out, err) = text(&o);
    assert_eq!(o.status.code(), Some(2), "{err}");
    assert!(!out.contains("s3cr3t") && !err.contains("s3cr3t"), "{err}");
    assert!(err.contains("nginx.conf:3"), "{err}");
}

/// A finding on a line 70,000 columns long is shown as a window around
/// the directive, never the whole line (and never a panic).
#[test]
fn long_lines_are_shown_as_a_window() {
    let d = tempfile::tempdir().unwrap();
    std::fs::write(
        d.path().join("nginx.conf"),
        format!(
            "events {{}}\nhttp {{ server {{ listen 443 ssl;{}ssl_protocols TLSv1; # {}\n}} }}\n",
            " ".repeat(70_000),
            "\u{e9}".repeat(1_500)
        ),
    )
    .unwrap();
    let o = run(&["nginx.conf"], d.path());
    let (out, err) = text(&o);
    assert_eq!(o.status.code(), Some(1), "{err}");
    assert!(!err.contains("panicked"), "{err}");
    assert!(out.contains("ssl_protocols TLSv1;"), "{out}");
    let widest = out.lines().map(|l| l.chars().count()).max().unwrap_or(0);
    assert!(widest < 2_000, "a line of {widest} columns");
}
