//! What a person reads: the human output at 80 and 120 columns and the
//! concise form, as snapshots (insta; `INSTA_UPDATE=always cargo test --test
//! output` rewrites them under tests/snapshots/), and the properties every
//! width must keep: a suggested directive is never broken across lines, one
//! blank line between findings, related places inside the finding.

use std::path::Path;
use std::process::Command;

fn tlslint(args: &[&str], columns: Option<u32>) -> (i32, String, String) {
    let mut c = Command::new(env!("CARGO_BIN_EXE_tlslint"));
    c.args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .env("NO_COLOR", "1")
        .env_remove("CI");
    match columns {
        Some(w) => c.env("COLUMNS", w.to_string()),
        None => c.env_remove("COLUMNS"),
    };
    let o = c.output().unwrap();
    (
        o.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&o.stdout).into_owned(),
        String::from_utf8_lossy(&o.stderr).into_owned(),
    )
}

/// The trees the snapshots are taken of: the bundled examples and fixtures
/// with long cipher fixes.
const TREES: &[(&str, &str)] = &[
    ("examples_nginx", "examples/nginx"),
    ("examples_apache", "examples/apache"),
    ("tls201_nginx", "fixtures/rules/TLS201/nginx-bad"),
    ("tls201_apache", "fixtures/rules/TLS201/apache-bad"),
];

#[test]
fn human_at_80_and_120_columns() {
    for (name, tree) in TREES {
        for w in [80, 120] {
            let (code, out, _) = tlslint(&[tree], Some(w));
            assert_eq!(code, 1, "{tree}");
            insta::assert_snapshot!(format!("human_{name}_{w}"), out);
        }
    }
}

#[test]
fn concise_is_one_line_per_finding() {
    for (name, tree) in TREES {
        let (code, out, _) = tlslint(&[tree, "--format", "concise"], Some(80));
        assert_eq!(code, 1, "{tree}");
        let lines: Vec<&str> = out.lines().collect();
        let (summary, findings) = lines.split_last().unwrap();
        assert!(summary.starts_with("tlslint: "), "{summary}");
        assert!(!findings.is_empty());
        for l in findings {
            // path:line:col: CODE [severity] message
            let mut parts = l.splitn(4, ':');
            let (path, line, col, rest) = (
                parts.next().unwrap(),
                parts.next().unwrap(),
                parts.next().unwrap(),
                parts.next().unwrap(),
            );
            assert!(
                Path::new(env!("CARGO_MANIFEST_DIR")).join(path).is_file(),
                "{l}"
            );
            assert!(
                line.parse::<u32>().is_ok() && col.parse::<u32>().is_ok(),
                "{l}"
            );
            let rest = rest.trim_start();
            assert!(rest.starts_with("TLS"), "{l}");
            assert!(
                [" [error] ", " [warning] ", " [info] "]
                    .iter()
                    .any(|s| rest.contains(s)),
                "{l}"
            );
        }
        insta::assert_snapshot!(format!("concise_{name}"), out);
        // --quiet: the same findings, no summary
        let (_, quiet, qerr) = tlslint(&[tree, "--format", "concise", "--quiet"], Some(80));
        assert_eq!(quiet.lines().collect::<Vec<_>>(), findings.to_vec());
        assert!(!qerr.contains("note:"), "{qerr}");
    }
}

/// Every backtick-quoted fix in the human output appears whole on one line,
/// at every width: copied as printed, it is the directive.
#[test]
fn fixes_are_never_broken_across_lines() {
    for (_, tree) in TREES {
        let (_, concise, _) = tlslint(&[tree, "--format", "json"], None);
        let v: serde_json::Value = serde_json::from_str(&concise).unwrap();
        let fixes: Vec<String> = v["findings"]
            .as_array()
            .unwrap()
            .iter()
            .filter_map(|f| f["help"].as_str())
            .flat_map(|h| {
                h.split('`')
                    .skip(1)
                    .step_by(2)
                    .map(str::to_string)
                    .collect::<Vec<_>>()
            })
            .collect();
        assert!(!fixes.is_empty(), "{tree}");
        for w in [40, 60, 80, 120, 200] {
            let (_, out, _) = tlslint(&[tree], Some(w));
            for fix in &fixes {
                assert!(
                    out.lines().any(|l| l.contains(fix.as_str())),
                    "{tree} at {w} columns: `{fix}` is broken:\n{out}"
                );
            }
            // no line is wider than the terminal unless it holds an unbreakable fix,
            // a label or a code line (those are never wrapped); the summary is one line
            for l in out.lines().filter(|l| !l.starts_with("tlslint: ")) {
                let n = l.chars().count();
                if n > w as usize && !l.contains('`') && !l.contains('│') && !l.contains('·') {
                    let longest = l
                        .split_whitespace()
                        .map(|s| s.chars().count())
                        .max()
                        .unwrap_or(0);
                    assert!(longest + 10 > w as usize, "{tree} at {w}: {n} columns: {l}");
                }
            }
        }
    }
}

#[test]
fn findings_are_separated_by_one_blank_line_and_keep_related_places_inside() {
    let (_, out, _) = tlslint(&["examples/nginx"], Some(100));
    assert!(!out.contains("Advice:"), "{out}");
    assert!(!out.contains("\n\n\n"), "{out}");
    let blocks: Vec<&str> = out.trim_end().split("\n\n").collect();
    // each block but the summary starts with a finding header
    let (summary, findings) = blocks.split_last().unwrap();
    assert!(summary.starts_with("tlslint: "), "{summary}");
    for b in findings {
        assert!(b.contains(" TLS"), "{b}");
    }
    assert!(out.contains("note: the server that inherits it: "), "{out}");
}

/// `tlslint probe` on a port that answers in plain HTTP says so, not
/// "record header 48 54 54".
#[test]
fn a_plain_http_port_is_named() {
    use std::io::{Read, Write};
    let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = l.local_addr().unwrap().port();
    std::thread::spawn(move || {
        for s in l.incoming().take(64) {
            let Ok(mut s) = s else { continue };
            let mut buf = [0u8; 4096];
            let _ = s.read(&mut buf);
            let _ = s.write_all(b"HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n");
        }
    });
    let (code, _, err) = tlslint(
        &["probe", &format!("127.0.0.1:{port}"), "--timeout", "3"],
        None,
    );
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("answers in plain HTTP"), "{err}");
    assert!(!err.contains("record header"), "{err}");
}

/// Long suite lists name the first few and a count; `--verbose` lists all.
#[test]
fn verbose_lists_every_suite() {
    let tree = "fixtures/rules/TLS201/nginx-bad";
    let (_, short, _) = tlslint(&[tree, "--format", "concise"], None);
    let (_, long, _) = tlslint(&[tree, "--format", "concise", "--verbose"], None);
    let more = short
        .lines()
        .find(|l| l.contains(" TLS201 ") && l.contains(" more"))
        .expect(&short);
    let n: usize = more
        .split(" and ")
        .last()
        .and_then(|t| t.split_whitespace().next())
        .and_then(|t| t.parse().ok())
        .expect(more);
    let full = long.lines().find(|l| l.contains(" TLS201 ")).unwrap();
    assert!(!full.contains(" more"), "{full}");
    // the first few and the n more are all named
    let names = full.rsplit(": ").next().unwrap().split(", ").count();
    let shown = more
        .rsplit(": ")
        .next()
        .unwrap()
        .split(" and ")
        .next()
        .unwrap()
        .split(", ")
        .count();
    assert_eq!(names, shown + n, "{full}");
}
