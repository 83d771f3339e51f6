//! The subcommands, writing to the given streams and returning exit codes.

use std::io::Write;

use crate::cli::{CheckArgs, CiphersArgs, ParseArgs, ParseFormat};
use crate::input;
use crate::nginx::crossplane;

/// Exit code: nothing found.
pub const EXIT_OK: i32 = 0;
/// Exit code: findings at or above the threshold.
pub const EXIT_FINDINGS: i32 = 1;
/// Exit code: unreadable input or bad usage.
pub const EXIT_ERROR: i32 = 2;

fn fail(err: &mut dyn Write, e: &crate::error::Error) -> i32 {
    let _ = writeln!(err, "error: {e}");
    EXIT_ERROR
}

/// `tlslint parse ROOT --format crossplane`
pub fn parse(a: &ParseArgs, out: &mut dyn Write, err: &mut dyn Write) -> i32 {
    let root = match input::single_root(&a.root) {
        Ok(r) => r,
        Err(e) => return fail(err, &e),
    };
    let tree = root.load(a.prefix.as_deref(), true);
    if a.format == ParseFormat::Files {
        for p in tree.read_order() {
            let _ = writeln!(out, "{}", p.display());
        }
        return report_load_errors(&tree, err);
    }
    let payload = crossplane::payload(&tree, a.include_comments);
    let text = if a.pretty {
        serde_json::to_string_pretty(&payload)
    } else {
        serde_json::to_string(&payload)
    };
    match text {
        Ok(t) => {
            let _ = writeln!(out, "{t}");
        }
        Err(e) => return fail(err, &crate::error::Error::new(e.to_string())),
    }
    report_load_errors(&tree, err)
}

fn report_load_errors(tree: &crate::nginx::loader::Tree, err: &mut dyn Write) -> i32 {
    if tree.errors.is_empty() {
        return EXIT_OK;
    }
    for e in &tree.errors {
        let _ = writeln!(err, "error: {}", e.to_error());
    }
    EXIT_ERROR
}

/// `tlslint ciphers STRING`
pub fn ciphers(_a: &CiphersArgs, _out: &mut dyn Write, err: &mut dyn Write) -> i32 {
    let _ = writeln!(err, "error: the cipher engine is not built yet");
    EXIT_ERROR
}

fn parse_version(what: &str, s: &str) -> Result<crate::version::Version, crate::error::Error> {
    s.parse()
        .map_err(|e: String| crate::error::Error::new(format!("--{what}-version: {e}")))
}

/// `tlslint check PATH...`
pub fn check(a: &CheckArgs, out: &mut dyn Write, err: &mut dyn Write) -> i32 {
    use crate::cli::OutputFormat;
    use crate::nginx::defaults::{Target, CURRENT_STABLE};
    use std::io::IsTerminal;

    if a.paths.is_empty() {
        let _ = writeln!(
            err,
            "error: no PATH given (try `tlslint /etc/nginx` or `tlslint --help`)"
        );
        return EXIT_ERROR;
    }
    let nginx = match a.target.nginx_version.as_deref() {
        Some(v) => match parse_version("nginx", v) {
            Ok(v) => v,
            Err(e) => return fail(err, &e),
        },
        None => CURRENT_STABLE,
    };
    let openssl = match parse_version("openssl", &a.target.openssl_version) {
        Ok(v) => v,
        Err(e) => return fail(err, &e),
    };
    let target = Target { nginx, openssl };
    let loaded = match &a.profile_file {
        Some(f) => crate::profile::Profile::from_file(f, &a.profile, a.guidelines.as_deref()),
        None => crate::profile::Profile::builtin(&a.profile, a.guidelines.as_deref()),
    };
    let (profile, note) = match loaded {
        Ok(p) => p,
        Err(e) => return fail(err, &e),
    };
    let mut notes = Vec::new();
    if let Some(n) = note {
        notes.push(n);
    }
    let roots = match crate::roots::discover(&a.paths, &mut notes) {
        Ok(r) => r,
        Err(e) => return fail(err, &e),
    };
    let opts = crate::lint::LintOptions {
        target,
        profile,
        prefix: a.target.prefix.clone(),
    };
    let checked = roots
        .iter()
        .map(|r| crate::lint::lint_root(r, &opts))
        .collect();
    let report = crate::lint::Report {
        checked,
        notes,
        profile: opts.profile,
        target,
    };
    let color = a.format == OutputFormat::Human
        && std::io::stdout().is_terminal()
        && std::env::var_os("NO_COLOR").is_none();
    match a.format {
        OutputFormat::Human => crate::report::human::emit(&report, color, out, err),
        OutputFormat::Json => crate::report::json::emit(&report, out),
    }
    if report.load_failed() {
        EXIT_ERROR
    } else if report.findings().next().is_some() {
        EXIT_FINDINGS
    } else {
        EXIT_OK
    }
}
