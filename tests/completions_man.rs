//! `tlslint completions SHELL`, `tlslint man` and `tlslint --version`: the
//! completion scripts load in the real shells and complete subcommands; the
//! manual page renders with `man -l` without warnings. bash is always there;
//! zsh, fish and man-db skip with a reason when missing, and are mandatory
//! with CI=true (.ci/run installs them).

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

fn tlslint(args: &[&str]) -> common::Out {
    let o = common::run(
        Command::new(common::tlslint()).args(args),
        Duration::from_secs(60),
    )
    .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(o.code, Some(0), "tlslint {args:?}: {}", o.stderr);
    o
}

/// A tool on PATH (or in /usr/bin), else skip (or fail with CI=true).
fn tool(name: &str, what: &str) -> Option<PathBuf> {
    let path = std::env::var_os("PATH").unwrap_or_default();
    let found = std::env::split_paths(&path)
        .chain([PathBuf::from("/usr/bin")])
        .map(|d| d.join(name))
        .find(|p| p.is_file());
    if found.is_none() {
        common::skip_or_fail(what, &format!("`{name}` is not installed"));
    }
    found
}

/// The completion script for `shell`, written to a file in `dir`.
fn script(shell: &str, dir: &Path) -> PathBuf {
    let o = tlslint(&["completions", shell]);
    assert!(!o.stdout.is_empty(), "{shell}: empty script");
    let p = dir.join(format!("tlslint.{shell}"));
    std::fs::write(&p, &o.stdout).unwrap();
    p
}

/// Run `shell -c code` (PATH finds the tlslint under test); its stdout.
fn shell(shell: &Path, pre: &[&str], code: &str) -> String {
    let bin_dir = common::tlslint().parent().unwrap().to_path_buf();
    let path = std::env::join_paths(std::iter::once(bin_dir).chain(std::env::split_paths(
        &std::env::var_os("PATH").unwrap_or_default(),
    )))
    .unwrap();
    let o = common::run(
        Command::new(shell)
            .args(pre)
            .arg("-c")
            .arg(code)
            .env("PATH", path)
            .env("HOME", std::env::temp_dir()),
        Duration::from_secs(60),
    )
    .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(
        o.code,
        Some(0),
        "{} -c {code:?}\nstdout: {}\nstderr: {}",
        shell.display(),
        o.stdout_str(),
        o.stderr
    );
    o.stdout_str()
}

#[test]
fn bash_loads_the_completions_and_completes_subcommands_and_flags() {
    let dir = tempfile::tempdir().unwrap();
    let f = script("bash", dir.path());
    let bash = Path::new("/bin/bash");
    // as the README says to load it
    let out = shell(
        bash,
        &[],
        "source <(tlslint completions bash) && complete -p tlslint",
    );
    assert!(out.contains("-F _tlslint tlslint"), "{out}");
    // what Tab offers: the completion function with the words typed so far
    let complete = |words: &str| {
        let code = format!(
            "source {f}; COMP_WORDS=({words}); COMP_CWORD=$((${{#COMP_WORDS[@]}} - 1)); \
             COMP_LINE=\"${{COMP_WORDS[*]}}\"; COMP_POINT=${{#COMP_LINE}}; \
             _tlslint tlslint \"${{COMP_WORDS[COMP_CWORD]}}\" \"${{COMP_WORDS[COMP_CWORD-1]}}\"; \
             printf '%s\\n' \"${{COMPREPLY[@]}}\"",
            f = f.display()
        );
        shell(bash, &[], &code)
    };
    let got = complete("tlslint pro");
    assert!(got.lines().any(|l| l == "probe"), "{got:?}");
    assert!(got.lines().all(|l| l.starts_with("pro")), "{got:?}");
    let got = complete("tlslint probe --ti");
    assert_eq!(got.trim(), "--timeout", "{got:?}");
    let got = complete("tlslint completions f");
    assert_eq!(got.trim(), "fish", "{got:?}");
    let got = complete("tlslint --format s");
    assert_eq!(got.trim(), "sarif", "{got:?}");
}

#[test]
fn zsh_loads_the_completions() {
    let Some(zsh) = tool("zsh", "zsh completions") else {
        return;
    };
    let out = shell(
        &zsh,
        &["-f"],
        "autoload -U compinit && compinit -u -D && source <(tlslint completions zsh) && \
         print -r -- $_comps[tlslint] && whence -w _tlslint",
    );
    assert_eq!(
        out.lines().collect::<Vec<_>>(),
        ["_tlslint", "_tlslint: function"],
        "{out}"
    );
}

#[test]
fn fish_loads_the_completions_and_completes_subcommands() {
    let Some(fish) = tool("fish", "fish completions") else {
        return;
    };
    let out = shell(
        &fish,
        &["--no-config"],
        "tlslint completions fish | source; complete -C 'tlslint pro'; \
         complete -C 'tlslint probe --ti'",
    );
    let words: Vec<&str> = out
        .lines()
        .map(|l| l.split('\t').next().unwrap_or(""))
        .collect();
    assert!(words.contains(&"probe"), "{out}");
    assert!(words.contains(&"--timeout"), "{out}");
}

#[test]
fn every_shell_gets_a_script_naming_every_subcommand() {
    for sh in ["bash", "zsh", "fish", "elvish", "powershell"] {
        let text = tlslint(&["completions", sh]).stdout_str();
        for sub in [
            "check",
            "parse",
            "ciphers",
            "rules",
            "explain",
            "completions",
            "man",
        ] {
            assert!(text.contains(sub), "{sh}: no {sub}");
        }
        #[cfg(feature = "probe")]
        assert!(text.contains("probe"), "{sh}: no probe");
    }
    // an unknown shell is bad usage
    let o = common::run(
        Command::new(common::tlslint()).args(["completions", "tcsh"]),
        Duration::from_secs(60),
    )
    .unwrap();
    assert_eq!(o.code, Some(2), "{}", o.stderr);
}

/// `man -l FILE` as a person reads it (no pager), with groff's warnings.
fn render(man: &Path, page: &Path) -> String {
    let o = common::run(
        Command::new(man)
            .args(["--warnings", "-l"])
            .arg(page)
            .env("MANPAGER", "cat")
            .env("PAGER", "cat")
            .env("MANWIDTH", "100")
            .env("LC_ALL", "C.UTF-8"),
        Duration::from_secs(60),
    )
    .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(o.code, Some(0), "man -l {}: {}", page.display(), o.stderr);
    assert!(
        o.stderr.trim().is_empty(),
        "warnings from man -l: {}",
        o.stderr
    );
    // words as a reader sees them: justified lines have runs of spaces
    o.stdout_str()
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

#[test]
fn man_renders_the_page_with_every_subcommand_and_flag() {
    let Some(man) = tool("man", "man page") else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let page = dir.path().join("tlslint.1");
    std::fs::write(&page, tlslint(&["man"]).stdout).unwrap();
    let text = render(&man, &page);
    for want in [
        "NAME",
        "tlslint - Lint the TLS side of nginx and Apache httpd configuration",
        "SYNOPSIS",
        "Exit codes:",
        "--fail-on",
        "--probe-timeout",
        "tlslint-probe(1)",
        "tlslint-completions(1)",
        "tlslint-man(1)",
    ] {
        assert!(text.contains(want), "no {want:?} in:\n{text}");
    }
    // the version with the commit, as --version prints it
    let version = tlslint(&["--version"]).stdout_str();
    let v = version.trim().strip_prefix("tlslint ").unwrap();
    assert!(text.contains(v), "no {v:?} in:\n{text}");

    // a subcommand's own page
    let page = dir.path().join("tlslint-probe.1");
    std::fs::write(&page, tlslint(&["man", "probe"]).stdout).unwrap();
    let text = render(&man, &page);
    assert!(
        text.contains("tlslint-probe - Probe a live server"),
        "{text}"
    );
    assert!(text.contains("--timeout"), "{text}");
    // not a subcommand
    let o = common::run(
        Command::new(common::tlslint()).args(["man", "nope"]),
        Duration::from_secs(60),
    )
    .unwrap();
    assert_eq!(o.code, Some(2));
    assert!(o.stderr.contains("one of: check, parse"), "{}", o.stderr);
}

#[test]
fn version_names_the_commit_of_a_git_checkout() {
    let out = tlslint(&["--version"]).stdout_str();
    let line = out.trim();
    let pkg = env!("CARGO_PKG_VERSION");
    let rest = line
        .strip_prefix(&format!("tlslint {pkg}"))
        .unwrap_or_else(|| panic!("{line:?}"));
    let repo = common::repo();
    let git = |args: &[&str]| {
        Command::new("git")
            .arg("-C")
            .arg(&repo)
            .args(args)
            .output()
            .ok()
            .filter(|o| o.status.success())
            .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_string())
    };
    let top = git(&["rev-parse", "--show-toplevel"]);
    let own_checkout = top
        .as_deref()
        .and_then(|t| Path::new(t).canonicalize().ok())
        .is_some_and(|t| repo.canonicalize().ok() == Some(t));
    if !own_checkout {
        // a tarball build: the plain version
        assert_eq!(rest, "", "{line:?}");
        common::say("version test: not a git checkout, checked the plain version");
        return;
    }
    // ` (HASH YYYY-MM-DD)`: a prefix of a commit this checkout has (HEAD
    // when the binary was built; later commits of a test run keep it an
    // ancestor), and that commit's date
    let inner = rest
        .strip_prefix(" (")
        .and_then(|r| r.strip_suffix(')'))
        .unwrap_or_else(|| panic!("{line:?}"));
    let (hash, date) = inner.split_once(' ').unwrap_or_else(|| panic!("{line:?}"));
    assert!(
        hash.len() >= 7 && hash.chars().all(|c| c.is_ascii_hexdigit()),
        "{line:?}"
    );
    let full = git(&["rev-parse", "--verify", &format!("{hash}^{{commit}}")])
        .unwrap_or_else(|| panic!("{hash} is not a commit of this checkout"));
    assert!(
        git(&["merge-base", "--is-ancestor", &full, "HEAD"]).is_some(),
        "{hash} is not HEAD or an ancestor"
    );
    assert_eq!(
        git(&["log", "-1", "--format=%cs", &full]).as_deref(),
        Some(date),
        "{line:?}"
    );
}
