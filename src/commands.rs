//! The subcommands, writing to the given streams and returning exit codes.

use std::io::Write;

use crate::cli::{CheckArgs, CiphersArgs, ParseArgs};
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
    if tree.errors.is_empty() {
        EXIT_OK
    } else {
        for e in &tree.errors {
            let _ = writeln!(err, "error: {}", e.to_error());
        }
        EXIT_ERROR
    }
}

/// `tlslint ciphers STRING`
pub fn ciphers(_a: &CiphersArgs, _out: &mut dyn Write, err: &mut dyn Write) -> i32 {
    let _ = writeln!(err, "error: the cipher engine is not built yet");
    EXIT_ERROR
}

/// `tlslint check PATH...`
pub fn check(_a: &CheckArgs, _out: &mut dyn Write, err: &mut dyn Write) -> i32 {
    let _ = writeln!(err, "error: not built yet");
    EXIT_ERROR
}
