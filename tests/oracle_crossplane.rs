//! Oracle: `tlslint parse --format crossplane` equals `crossplane parse` on
//! every root of every tree under fixtures/nginx/, with and without
//! `--include-comments`.
//!
//! Each tree is copied to a fresh temporary directory and both tools are run
//! on the copy, so absolute paths in the JSON (`file`, error texts) are the
//! same by construction. crossplane is found through `TLSLINT_CROSSPLANE`,
//! then `.venv/bin/crossplane` in the repository (what `.ci/run` makes),
//! then PATH. Without it the tests skip with a printed reason, and fail when
//! CI=true.
//!
//! Where crossplane is wrong, the root's `fixture.meta` says so, and the test
//! holds it to that: the outputs must differ (so a note cannot go stale
//! silently), and either the difference is undone exactly (`quirk`), or
//! nginx's behaviour is checked instead (`differs`, via `common::nginx_check`,
//! which then must be available). Every case, verified against nginx 1.22.1:
//!
//! `differs` (nginx decides):
//! - **include inside `if` / `limit_except`** (include-in-if): nginx's
//!   `include` is allowed in every context (NGX_ANY_CONF), crossplane's table
//!   leaves out `if` and `limit_except`, so crossplane reports `"include"
//!   directive is not allowed here` and drops the include and its file. The
//!   same file is included from two contexts (server and if): crossplane
//!   analyses an included file only in the first context it meets (its TODO
//!   "handle files included from multiple contexts"); nginx reads it at each
//!   include, and `nginx -T` prints it once, as tlslint lists it once.
//! - **syntax errors crossplane does not see**: a quoted word followed by
//!   another character (`"b"c`: crossplane splits it in two), `{` inside
//!   `map`, a `{` or `;` that no directive name precedes, `;` after a block,
//!   words of 4096 bytes and more (nginx's configuration buffer).
//! - **syntax errors crossplane places elsewhere**: it balances the braces of
//!   a whole file before parsing, so an unterminated quote or directive, or a
//!   `{` inside `types`, becomes `unexpected end of file, expecting "}"` at
//!   another line; at the end of a file it reports the line of the last token
//!   where nginx reports the line the file ends on; a directive cut off by
//!   the end of the file gives an empty error text with `line: null` (a bare
//!   StopIteration), and crossplane keeps the files it had queued; `a b }`
//!   is its own `not terminated by ";"` at the directive where nginx says
//!   `unexpected "}"` one line on; a failed `include` is reported at the
//!   line the directive starts, nginx at the line of its `;`.
//!
//! `quirk` (undone exactly, then equal):
//! - `final-comment`: a comment at the very end of a file without a newline
//!   is dropped by crossplane's lexer (`--include-comments` only).
//! - `crlf`: crossplane reads files with Python's universal newlines, so a
//!   CRLF inside a quoted word reaches it as LF; nginx keeps the bytes.
//! - `arg-comments`: without `--include-comments` crossplane still emits the
//!   comments found between a directive's arguments.
//!
//! `no-ctx-check` marks roots that are snippets for another context
//! (certbot's test files with `server` at the top level): crossplane's
//! context analysis rejects them there, as nginx would, so the parse is
//! compared with crossplane's parser run with `check_ctx=False`.

mod common;

use std::path::Path;
use std::process::Command;
use std::time::Duration;

use common::{Checked, CpExpect, Fixture, NginxExpect, RootSpec};
use serde_json::Value;

fn crossplane_json(cp: &Path, root: &Path, comments: bool, no_ctx: bool) -> Result<Value, String> {
    let out = if no_ctx {
        let py = common::crossplane_python(cp)
            .ok_or_else(|| format!("cannot find the Python interpreter of {}", cp.display()))?;
        common::run(
            Command::new(py)
                .arg("-c")
                .arg(
                    "import sys, json, crossplane\n\
                     print(json.dumps(crossplane.parse(sys.argv[1], comments=sys.argv[2] == '1', check_ctx=False), separators=(',', ':')))",
                )
                .arg(root)
                .arg(if comments { "1" } else { "0" }),
            Duration::from_secs(120),
        )?
    } else {
        let mut c = Command::new(cp);
        c.arg("parse");
        if comments {
            c.arg("--include-comments");
        }
        c.arg(root);
        common::run(&mut c, Duration::from_secs(120))?
    };
    if out.code != Some(0) {
        return Err(format!(
            "crossplane failed ({:?}): {}",
            out.code, out.stderr
        ));
    }
    serde_json::from_slice(&out.stdout).map_err(|e| format!("crossplane's output is not JSON: {e}"))
}

fn tlslint_json(root: &Path, comments: bool) -> Result<(Value, Option<i32>), String> {
    let extra: &[&str] = if comments {
        &["--include-comments"]
    } else {
        &[]
    };
    let out = common::tlslint_parse(root, "crossplane", extra)?;
    let v: Value = serde_json::from_slice(&out.stdout)
        .map_err(|e| format!("tlslint's output is not JSON ({e}); stderr: {}", out.stderr))?;
    Ok((v, out.code))
}

/// Quirk `final-comment`: drop (from ours) the last top-level comment of
/// every file whose text ends in a comment without a newline; crossplane's
/// lexer loses that comment (its generator stops before yielding it).
fn drop_final_comments(v: &mut Value) -> usize {
    let mut dropped = 0;
    for cfg in v
        .get_mut("config")
        .and_then(Value::as_array_mut)
        .into_iter()
        .flatten()
    {
        let file = cfg
            .get("file")
            .and_then(Value::as_str)
            .unwrap_or("")
            .to_string();
        let text = std::fs::read(&file).unwrap_or_default();
        let last_line = text.rsplit(|&b| b == b'\n').next().unwrap_or(&[]);
        let ends_in_comment = !text.ends_with(b"\n")
            && String::from_utf8_lossy(last_line)
                .trim_start()
                .starts_with('#');
        if !ends_in_comment {
            continue;
        }
        if let Some(parsed) = cfg.get_mut("parsed").and_then(Value::as_array_mut) {
            if parsed
                .last()
                .and_then(|s| s.get("directive"))
                .and_then(Value::as_str)
                == Some("#")
            {
                parsed.pop();
                dropped += 1;
            }
        }
    }
    dropped
}

/// Quirk `crlf`: crossplane reads files in Python's universal-newline text
/// mode, so a `\r\n` (or lone `\r`) inside a quoted word reaches it as `\n`;
/// nginx keeps the bytes. Applied to our argument strings.
fn crlf_to_lf(v: &mut Value) -> usize {
    let mut n = 0;
    match v {
        Value::String(s) if s.contains('\r') => {
            *s = s.replace("\r\n", "\n").replace('\r', "\n");
            n += 1;
        }
        Value::Array(a) => a.iter_mut().for_each(|x| n += crlf_to_lf(x)),
        Value::Object(o) => o.iter_mut().for_each(|(_, x)| n += crlf_to_lf(x)),
        _ => {}
    }
    n
}

/// Quirk `arg-comments`: without `--include-comments` crossplane still emits
/// the comments it met between a directive's arguments (its parser appends
/// `comments_in_args` whatever the flag). Removed from crossplane's output.
fn drop_comment_stmts(v: &mut Value) -> usize {
    let mut n = 0;
    match v {
        Value::Array(a) => {
            let before = a.len();
            a.retain(|x| {
                x.get("directive").and_then(Value::as_str) != Some("#")
                    || x.get("comment").is_none()
            });
            n += before - a.len();
            a.iter_mut().for_each(|x| n += drop_comment_stmts(x));
        }
        Value::Object(o) => o.iter_mut().for_each(|(_, x)| n += drop_comment_stmts(x)),
        _ => {}
    }
    n
}

enum Outcome {
    Same,
    Documented(String),
}

/// nginx's verdict for a root crossplane gets wrong: on the root itself or,
/// when nginx stops earlier at a semantic error, on the tree named by `see:`.
fn nginx_instead(f: &Fixture, r: &RootSpec, label: &str, why: &str) -> Result<Outcome, String> {
    let checked = match (&r.nginx, &r.see) {
        (NginxExpect::Skip(_), Some(other)) => {
            let o = common::load_fixture(other);
            match o.roots.iter().find(|x| x.file == "nginx.conf").cloned() {
                Some(root) => common::nginx_check(&o, &root).map(|c| match c {
                    Checked::Agree(s) => Checked::Agree(format!("(same construct) {s}")),
                    other => other,
                }),
                None => Err(format!("{label}: see: {other} has no nginx.conf root")),
            }
        }
        _ => common::nginx_check(f, r),
    };
    // nginx cannot judge this root, and no other tree stands in for it
    let no_oracle = matches!(r.nginx, NginxExpect::Skip(_)) && r.see.is_none();
    match checked {
        Ok(Checked::Agree(s)) => Ok(Outcome::Documented(format!("{label}: {why}; nginx agrees with tlslint: {s}"))),
        Ok(Checked::Skipped(s)) if no_oracle => Err(format!(
            "{label}: crossplane is marked wrong but nginx cannot check this root ({s}): no oracle left"
        )),
        Ok(Checked::Skipped(s)) => {
            common::skip_or_fail(&format!("nginx check for {label}"), &s);
            Ok(Outcome::Documented(format!("{label}: {why}; nginx check skipped: {s}")))
        }
        Err(e) => Err(format!("{label}: crossplane is marked wrong, and nginx disagrees with tlslint too: {e}")),
    }
}

fn check_root(cp: &Path, f: &Fixture, r: &RootSpec, comments: bool) -> Result<Outcome, String> {
    let label = f.label(r);
    let expect = if comments {
        &r.crossplane_comments
    } else {
        &r.crossplane
    };
    let copy = common::copy_fixture(f, false)?;
    let main = copy.root(r);
    let (mut ours, code) = tlslint_json(&main, comments)?;
    // the exit code agrees with the payload's status
    let status = ours
        .get("status")
        .and_then(Value::as_str)
        .unwrap_or("?")
        .to_string();
    let want_code = if status == "ok" { Some(0) } else { Some(2) };
    if code != want_code {
        return Err(format!(
            "{label}: tlslint exits {code:?} with status {status:?}"
        ));
    }
    let mut theirs = crossplane_json(
        cp,
        &main,
        comments,
        matches!(expect, CpExpect::NoCtxCheck(_)),
    )?;
    let diff = common::json_diff(&theirs, &ours);
    match expect {
        CpExpect::Same | CpExpect::NoCtxCheck(_) => match diff {
            Some(d) => Err(format!(
                "{label}: crossplane (left) and tlslint (right) differ at {d}"
            )),
            None => Ok(match expect {
                CpExpect::NoCtxCheck(why) => Outcome::Documented(format!(
                    "{label}: compared without context analysis: {why}"
                )),
                _ => Outcome::Same,
            }),
        },
        CpExpect::Quirk(names, why) => {
            if diff.is_none() {
                return Err(format!(
                    "{label}: fixture.meta names crossplane quirks {names:?}, but the outputs are equal: update fixture.meta"
                ));
            }
            for q in names {
                let touched = match q.as_str() {
                    "final-comment" => drop_final_comments(&mut ours),
                    "crlf" => crlf_to_lf(&mut ours),
                    "arg-comments" => drop_comment_stmts(&mut theirs),
                    other => unreachable!("unknown quirk {other}"),
                };
                if touched == 0 {
                    return Err(format!(
                        "{label}: quirk {q} does not apply here: update fixture.meta"
                    ));
                }
            }
            match common::json_diff(&theirs, &ours) {
                Some(d) => Err(format!(
                    "{label}: even with crossplane's quirks {names:?} undone, crossplane (left) and tlslint (right) differ at {d}"
                )),
                None => Ok(Outcome::Documented(format!("{label}: {why} (equal once {} undone)", names.join(" + ")))),
            }
        }
        CpExpect::Differs(why) => {
            if diff.is_none() {
                return Err(format!(
                    "{label}: fixture.meta says crossplane differs ({why}), but the outputs are equal: update fixture.meta"
                ));
            }
            nginx_instead(f, r, &label, why)
        }
    }
}

fn run_all(comments: bool) {
    let mode = if comments {
        "crossplane parse --include-comments"
    } else {
        "crossplane parse"
    };
    let fixtures = common::fixtures();
    assert!(
        fixtures.len() >= 30,
        "only {} fixture trees",
        fixtures.len()
    );
    let Some(cp) = common::crossplane() else {
        common::skip_or_fail(
            mode,
            "crossplane not found (TLSLINT_CROSSPLANE, .venv/bin/crossplane, PATH); `python3 -m venv .venv && .venv/bin/pip install crossplane==0.5.8`",
        );
        return;
    };
    let mut same = 0;
    let mut documented = Vec::new();
    let mut failures = Vec::new();
    for f in &fixtures {
        for r in &f.roots {
            match check_root(&cp, f, r, comments) {
                Ok(Outcome::Same) => same += 1,
                Ok(Outcome::Documented(s)) => documented.push(s),
                Err(e) => failures.push(e),
            }
        }
    }
    common::say(&format!(
        "{mode}: {} trees, {same} roots identical, {} documented differences, {} failures",
        fixtures.len(),
        documented.len(),
        failures.len()
    ));
    for d in &documented {
        common::say(&format!("  documented: {d}"));
    }
    assert!(same >= 30, "only {same} roots identical to crossplane");
    assert!(
        failures.is_empty(),
        "{} disagreements with {mode}:\n\n{}",
        failures.len(),
        failures.join("\n\n")
    );
}

#[test]
fn crossplane_parse_matches() {
    run_all(false);
}

#[test]
fn crossplane_parse_include_comments_matches() {
    run_all(true);
}
