//! A configuration from a pull request cannot write to the reader's
//! terminal or the CI log: control characters, bidirectional overrides and
//! newlines in quoted arguments, comments and file names are shown escaped
//! in every output format (`check` and `parse`), and no line of output is a
//! GitHub workflow command but tlslint's own annotations.
//!
//! nginx takes raw control bytes inside quoted arguments and comments, and
//! a glob include reads a file whose name holds a newline; the trees here
//! hold an OSC title sequence and BEL in a `server_name`, `ESC[2J` in a
//! comment, a CR and a newline followed by `::warning::` in a quoted cipher
//! string, U+202E in a server name and a path, and an included file named
//! `a\n::error::x.conf`.

mod common;

use std::path::Path;
use std::process::Command;
use std::time::Duration;

const NGINX_CONF: &str = "events {}\n\
http {\n\
\x20   # a comment \x1b[2J that clears the screen\n\
\x20   include conf.d/*.conf;\n\
\x20   server {\n\
\x20       listen 443 ssl;\n\
\x20       server_name \"a\x1b]0;pwned\x07b\" \"x\u{202e}y\"; ssl_protocols TLSv1 TLSv1.2;\n\
\x20       ssl_ciphers \"HIGH:\rMEDIUM:\n::warning::injected:%0A::error::pct\";\n\
\x20       ssl_certificate \"/nonexistent/a\x1b[31m\u{202e}.pem\";\n\
\x20       ssl_certificate_key \"/nonexistent/k.key\";\n\
\x20   }\n\
}\n";

/// The included file's name: a newline and a workflow command.
const INCLUDED: &str = "a\n::error::x.conf";

/// A tree that cannot be read: the error quotes a path with an escape
/// sequence, BEL and U+202E, after a comment with `ESC[2J` and a CRLF.
const BROKEN_CONF: &str = "events {}\n\
http { # \x1b[2J\r\n\
\x20   ssl_protocols TLSv1.2; include \"missing\x1b]0;t\x07\u{202e}.conf\";\n\
}\n";

fn tree(dir: &Path) {
    std::fs::create_dir_all(dir.join("t/conf.d")).unwrap();
    std::fs::write(dir.join("t/nginx.conf"), NGINX_CONF).unwrap();
    std::fs::write(
        dir.join("t/conf.d").join(INCLUDED),
        "server {\n    listen 8443 ssl;\n    ssl_protocols TLSv1.1;\n}\n",
    )
    .unwrap();
    std::fs::create_dir_all(dir.join("bad")).unwrap();
    std::fs::write(dir.join("bad/nginx.conf"), BROKEN_CONF).unwrap();
}

fn tlslint(dir: &Path, args: &[&str]) -> (String, String) {
    let mut c = Command::new(common::tlslint());
    c.current_dir(dir).env("COLUMNS", "120").args(args);
    let o = common::run(&mut c, Duration::from_secs(120)).expect("tlslint finishes");
    assert!(
        matches!(o.code, Some(0..=2)),
        "{args:?}: exit {:?}\n{}",
        o.code,
        o.stderr
    );
    (String::from_utf8_lossy(&o.stdout).into_owned(), o.stderr)
}

/// Nothing in `text` acts on a terminal or starts a workflow command.
fn assert_inert(what: &str, stream: &str, text: &str) {
    for bad in ['\x1b', '\x07', '\r', '\u{202e}', '\u{9b}'] {
        assert!(
            !text.contains(bad),
            "{what} {stream}: raw {bad:?} in\n{text}"
        );
    }
    for line in text.lines() {
        if !line.starts_with("::") {
            continue;
        }
        // tlslint's own annotations, and nothing else
        let own = ["::error file=", "::warning file=", "::notice file="]
            .iter()
            .any(|p| line.starts_with(p));
        assert!(own, "{what} {stream}: a workflow command: {line}");
        // the properties end at the first `::`: none holds a raw `:` or
        // a comma that is not a separator
        let rest = &line[2..];
        let props = &rest[rest.find(' ').unwrap() + 1..rest.find("::").unwrap()];
        for p in props.split(',') {
            let (k, v) = p.split_once('=').unwrap_or_else(|| panic!("{line}"));
            assert!(
                ["file", "line", "col", "endLine", "endColumn", "title"].contains(&k),
                "{what}: property {k:?} in {line}"
            );
            assert!(!v.contains(':'), "{what}: raw ':' in {p:?}: {line}");
        }
    }
}

#[test]
fn every_check_format_is_inert() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    tree(dir);
    for format in ["human", "concise", "github", "json", "sarif"] {
        let (out, err) = tlslint(
            dir,
            &[
                "t/nginx.conf",
                "bad/nginx.conf",
                "--no-config",
                "--format",
                format,
            ],
        );
        let what = format!("--format {format}");
        assert_inert(&what, "stdout", &out);
        assert_inert(&what, "stderr", &err);
        let both = format!("{out}{err}");
        match format {
            "json" | "sarif" => {
                // the values are the configuration's, escaped as JSON
                assert!(
                    both.contains("\\u001b") && both.contains("\\u202e"),
                    "{what}:\n{both}"
                );
                let v: serde_json::Value = serde_json::from_str(&out).unwrap();
                let text = v.to_string();
                assert!(text.contains("\\u001b]0;pwned\\u0007b"), "{what}: {text}");
                let raw = serde_json::to_string(&v).unwrap();
                assert!(
                    raw.contains('\u{202e}'),
                    "{what}: U+202E is kept as a value"
                );
            }
            _ => {
                // what was there is still visible, escaped (only human
                // output names the endpoints, so the server names)
                let mut shown = vec![
                    "a\\n::error::x.conf",
                    "`HIGH:\\rMEDIUM:\\n::warning::injected:%",
                    "missing\\x1b]0;t\\x07\\u{202e}.conf",
                ];
                if format == "human" {
                    shown.extend(["a\\x1b]0;pwned\\x07b", "x\\u{202e}y"]);
                }
                for shown in shown {
                    assert!(both.contains(shown), "{what}: no {shown:?} in\n{both}");
                }
            }
        }
        if format == "github" {
            // the included file's findings are annotated on it, its name escaped
            assert!(
                out.lines()
                    .any(|l| l.contains("file=t/conf.d/a\\n%3A%3Aerror%3A%3Ax.conf,line=3")),
                "{out}"
            );
            // the message's own `%0A` is not a newline to GitHub
            assert!(out.contains("%250A"), "{out}");
        }
        if format == "human" {
            underlines_point_at_their_text(&out);
        }
    }
}

/// In the snippet of the line with escapes before `ssl_protocols`, the
/// underline starts under `ssl_protocols` (positions are on the escaped text),
/// and the header names the file's own column.
fn underlines_point_at_their_text(out: &str) {
    let lines: Vec<&str> = out.lines().collect();
    let i = lines
        .iter()
        .position(|l| l.contains("\\x07b\" \"x\\u{202e}y\"; ssl_protocols"))
        .unwrap_or_else(|| panic!("no snippet of line 7:\n{out}"));
    let col = |s: &str, pat: &str| s[..s.find(pat).unwrap()].chars().count();
    let under = lines[i + 1];
    let first = under
        .char_indices()
        .find(|(_, c)| matches!(c, '─' | '┬' | '╰' | '▲'))
        .map(|(b, _)| under[..b].chars().count())
        .unwrap_or_else(|| panic!("no underline: {under}"));
    assert_eq!(
        first,
        col(lines[i], "ssl_protocols"),
        "\n{}\n{under}",
        lines[i]
    );
    // the header above: nginx.conf:7:43, the column in the file (42 characters before)
    assert!(
        lines[i - 1].contains("nginx.conf:7:43]"),
        "{}",
        lines[i - 1]
    );
}

#[test]
fn error_snippets_point_at_their_text() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    tree(dir);
    let (_, err) = tlslint(dir, &["bad/nginx.conf", "--no-config"]);
    assert_inert("an unreadable tree", "stderr", &err);
    let lines: Vec<&str> = err.lines().collect();
    let i = lines
        .iter()
        .position(|l| l.contains("include \"missing\\x1b]0;t\\x07\\u{202e}.conf\";"))
        .unwrap_or_else(|| panic!("no snippet:\n{err}"));
    let under = lines[i + 1];
    let first = under.chars().position(|c| c == '─').unwrap();
    let at = lines[i][..lines[i].find("include").unwrap()]
        .chars()
        .count();
    assert_eq!(first, at, "\n{}\n{under}", lines[i]);
    // the file's own column (the escapes are after it)
    assert!(lines[i - 1].contains("bad/nginx.conf:3:28]"), "{err}");
}

#[test]
fn every_parse_format_is_inert() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    tree(dir);
    for format in ["crossplane", "json", "files", "endpoints"] {
        let (out, err) = tlslint(dir, &["parse", "t/nginx.conf", "--format", format]);
        let what = format!("parse --format {format}");
        assert_inert(&what, "stdout", &out);
        assert_inert(&what, "stderr", &err);
        match format {
            "crossplane" | "json" => {
                let v: serde_json::Value = serde_json::from_str(&out).unwrap();
                assert!(
                    v.to_string().contains("a\\u001b]0;pwned\\u0007b"),
                    "{what}: {out}"
                );
                assert!(out.contains("\\u202e"), "{what}: {out}");
            }
            "files" => assert!(out.contains("conf.d/a\\n::error::x.conf"), "{what}: {out}"),
            _ => assert!(out.contains("a\\x1b]0;pwned\\x07b"), "{what}: {out}"),
        }
        let (out, err) = tlslint(dir, &["parse", "bad/nginx.conf", "--format", format]);
        assert_inert(&what, "stdout (unreadable tree)", &out);
        assert_inert(&what, "stderr (unreadable tree)", &err);
    }
}
