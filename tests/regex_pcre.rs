//! Differential test: httpd's `<IfVersion ~ RE>` regular expressions as
//! tlslint reads them (src/apache/regex.rs, a rewrite for the `regex` crate)
//! against PCRE2 itself, through `pcre2test` (Debian: pcre2-utils), with the
//! options httpd compiles with (DOTALL and DOLLAR_ENDONLY, no UTF).
//!
//! For every random pattern: when tlslint matches it, PCRE2 compiles it and
//! gives the same yes/no on every text; when tlslint says PCRE2 refuses it,
//! PCRE2 refuses it; when PCRE2 refuses it, tlslint does not match it.
//! (Patterns tlslint declines to evaluate are counted, not compared.)
//!
//! `TLSLINT_REGEX_DIFF_COUNT` sets how many patterns (default 4,000),
//! `TLSLINT_REGEX_DIFF_SEED` the seed.

mod common;

use std::io::Write;
use std::process::{Command, Stdio};

use tlslint::apache::regex::{compile, Refusal};

/// Pieces of patterns: the syntax PCRE2 and the `regex` crate share, the
/// spellings where they differ, and errors.
const PIECES: &[&str] = &[
    "2",
    "4",
    ".",
    "7",
    "1",
    "0",
    "x",
    "a",
    "A",
    "b",
    "\\.",
    "\\d",
    "\\D",
    "\\w",
    "\\W",
    "\\s",
    "\\S",
    "\\b",
    "\\B",
    "\\x32",
    "\\x{2e}",
    "\\x{}",
    "\\x{100}",
    "\\x",
    "\\062",
    "\\0",
    "\\o{67}",
    "\\Q2.\\E",
    "\\Q",
    "\\E",
    "\\e",
    "\\h",
    "\\H",
    "\\v",
    "\\V",
    "\\N",
    "\\R",
    "\\Z",
    "\\z",
    "\\A",
    "\\G",
    "\\K",
    "\\c@",
    "\\cr",
    "\\i",
    "\\_",
    "\\-",
    "\\]",
    "\\{",
    "*",
    "+",
    "?",
    "{2}",
    "{1,3}",
    "{,2}",
    "{2,}",
    "{0}",
    "*?",
    "+?",
    "??",
    "{1,2}?",
    "{",
    "}",
    "{x}",
    "{3,1}",
    "]",
    "(",
    ")",
    "(?:",
    "(?i)",
    "(?-i)",
    "(?i:",
    "(?s)",
    "(?m)",
    "(?U)",
    "(?n)",
    "(?<n>",
    "(?P<m>",
    "(?'q'",
    "(?#c)",
    "(?x)",
    " ",
    "#",
    "|",
    "^",
    "$",
    "[0-9]",
    "[^.]",
    "[]a]",
    "[^]a]",
    "[[:digit:]]",
    "[[:]]",
    "[[:^alpha:]]",
    "[[:word:]]",
    "[[:punct:]]",
    "[[:nope:]]",
    "[[.a.]]",
    "[[=a=]]",
    "[:digit:]",
    "[\\d-z]",
    "[a-\\d]",
    "[.-9]",
    "[9-.]",
    "[\\Q]\\E]",
    "[\\x30-\\x{39}]",
    "[\\b]",
    "[\\e]",
    "[\\h]",
    "[\\N]",
    "[-a]",
    "[a-]",
    "[\\1]",
    "[",
    "[^",
    "[a-z",
    "[]",
    "[^]",
    "(?|",
    "(?P=n)",
];

/// Texts: version strings and others (no line feed: the version never has one).
const TEXTS: &[&str] = &[
    "2.4.71", "2.4.7", "2.2.34", "2.4", "1.3.0", "10.0.0", "x2.4", "aA", "A.b", "xx{,2}", "]a",
    "2{2}", "a:b", "0", ".", "x", "AB_1",
];

fn env_num(name: &str, default: u64) -> u64 {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn pcre2test() -> Option<std::path::PathBuf> {
    let out = Command::new("pcre2test").arg("-version").output().ok()?;
    out.status.success().then(|| "pcre2test".into())
}

/// PCRE2's answers: per pattern, None (does not compile) or one
/// Some(yes/no) per text (None: a match error such as the match limit).
fn pcre2(patterns: &[String], texts: &[&str]) -> Vec<Option<Vec<Option<bool>>>> {
    let mut input = String::new();
    for p in patterns {
        let hex: Vec<String> = p.bytes().map(|b| format!("{b:02x}")).collect();
        input.push_str(&format!("/{}/hex,dotall,dollar_endonly\n", hex.join(" ")));
        for t in texts {
            input.push_str(t);
            input.push('\n');
        }
        input.push('\n');
    }
    let mut child = Command::new("pcre2test")
        .arg("-q")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .expect("pcre2test runs");
    let mut stdin = child.stdin.take().expect("stdin");
    let writer = std::thread::spawn(move || stdin.write_all(input.as_bytes()));
    let out = child.wait_with_output().expect("pcre2test output");
    writer.join().expect("writer").expect("write to pcre2test");
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    let mut lines = text.lines().peekable();
    let mut answers = Vec::new();
    for _ in patterns {
        // the echoed pattern
        let head = lines.next().expect("a pattern line");
        assert!(
            head.starts_with('/'),
            "pcre2test output out of step at {head:?}"
        );
        let failed = lines.peek().is_some_and(|l| l.starts_with("Failed:"));
        if failed {
            lines.next();
        }
        let mut per_text = Vec::new();
        for t in texts {
            let echo = lines.next().expect("an echoed text");
            assert_eq!(echo, *t, "pcre2test output out of step");
            let mut r = None;
            while let Some(l) = lines.peek() {
                if l.starts_with("No match") {
                    r = Some(false);
                } else if l.starts_with(' ')
                    && l.trim_start()
                        .split(':')
                        .next()
                        .is_some_and(|n| n.parse::<u32>().is_ok())
                {
                    r = r.or(Some(true));
                } else if l.starts_with("Error") || l.starts_with("Failed") {
                    r = None;
                } else {
                    break;
                }
                lines.next();
            }
            per_text.push(r);
        }
        assert_eq!(lines.next(), Some(""), "pcre2test output out of step");
        answers.push(if failed { None } else { Some(per_text) });
    }
    answers
}

#[test]
fn ifversion_regexes_agree_with_pcre2() {
    if pcre2test().is_none() {
        common::skip_or_fail(
            "regex differential",
            "pcre2test (pcre2-utils) is not installed",
        );
        return;
    }
    let count = env_num("TLSLINT_REGEX_DIFF_COUNT", 4000) as usize;
    let seed = env_num("TLSLINT_REGEX_DIFF_SEED", 0x5eed_1f0e) | 1;
    let mut rng = common::Rng(seed);
    let mut patterns: Vec<String> = vec![
        // the inputs of the issue
        "^(x?){2}2".into(),
        format!("{}y", "x?".repeat(3000)),
        "[[:]]".into(),
        // PCRE2 10.42 spellings the regex crate reads otherwise
        "^2{,1}\\.".into(),
        "[]2]\\.4".into(),
        "\\x{32}\\o{56}\\064".into(),
        "(?i)^X?2".into(),
    ];
    while patterns.len() < count {
        let n = 1 + rng.below(8);
        let p: String = (0..n).map(|_| PIECES[rng.below(PIECES.len())]).collect();
        // pcre2test trims the pattern line; a newline would end it
        if !p.contains('\n') {
            patterns.push(p);
        }
    }
    let oracle = pcre2(&patterns, TEXTS);
    let (mut compared, mut declined, mut both_refuse) = (0, 0, 0);
    let mut failures = Vec::new();
    for (p, want) in patterns.iter().zip(&oracle) {
        let compiled = compile(p);
        let ours: Vec<Result<bool, Refusal>> = TEXTS
            .iter()
            .map(|t| {
                compiled
                    .as_ref()
                    .map(|re| re.is_match(t.as_bytes()))
                    .map_err(Clone::clone)
            })
            .collect();
        match (&ours[0], want) {
            (Err(Refusal::Unsupported(_)), _) => declined += 1,
            (Err(Refusal::Invalid(why)), Some(_)) => failures.push(format!(
                "{p:?}: tlslint says PCRE2 refuses it ({why}), PCRE2 compiles it"
            )),
            (Err(Refusal::Invalid(_)), None) => both_refuse += 1,
            (Ok(_), None) => failures.push(format!("{p:?}: PCRE2 refuses it, tlslint matches it")),
            (Ok(_), Some(per_text)) => {
                for ((t, o), w) in TEXTS.iter().zip(&ours).zip(per_text) {
                    let Some(w) = w else { continue };
                    compared += 1;
                    if o.as_ref().ok() != Some(w) {
                        failures.push(format!("{p:?} on {t:?}: tlslint {o:?}, PCRE2 {w}"));
                    }
                }
            }
        }
    }
    common::say(&format!(
        "regex differential: {} patterns, {compared} matches compared, {both_refuse} refused by both, \
         {declined} declined by tlslint (seed {seed:#x})",
        patterns.len()
    ));
    assert!(
        failures.is_empty(),
        "{} disagreements with PCRE2 (seed {seed:#x}):\n{}",
        failures.len(),
        failures
            .iter()
            .take(40)
            .cloned()
            .collect::<Vec<_>>()
            .join("\n")
    );
    // the comparison is not vacuous
    assert!(compared > count, "only {compared} matches compared");
}
