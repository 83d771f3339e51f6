//! `tlslint completions SHELL` and `tlslint man [SUBCOMMAND]`: generated from
//! the same clap definitions that parse the command line (`crate::cli::Cli`),
//! so they list exactly the flags and subcommands this build has.

use std::io::Write;

use clap::CommandFactory;

/// The whole command line, built (subcommands know their full names).
fn command() -> clap::Command {
    let mut cmd = crate::cli::Cli::command();
    cmd.build();
    cmd
}

/// A completion script for `shell` on `out`.
pub fn completions(shell: clap_complete::Shell, out: &mut dyn Write) -> i32 {
    let mut cmd = command();
    let name = cmd.get_name().to_string();
    let mut buf = Vec::new();
    clap_complete::generate(shell, &mut cmd, name, &mut buf);
    emit(&buf, out)
}

/// The manual page in roff: tlslint(1), or tlslint-SUBCOMMAND(1).
pub fn man(subcommand: Option<&str>, out: &mut dyn Write, err: &mut dyn Write) -> i32 {
    let cmd = command();
    let page = match subcommand {
        None => cmd,
        Some(name) => match cmd.find_subcommand(name) {
            Some(sub) if sub.get_name() != "help" => sub.clone(),
            _ => {
                let names: Vec<&str> = cmd
                    .get_subcommands()
                    .map(|s| s.get_name())
                    .filter(|n| *n != "help")
                    .collect();
                let _ = writeln!(
                    err,
                    "error: no subcommand {name:?}; one of: {}",
                    names.join(", ")
                );
                return crate::commands::EXIT_ERROR;
            }
        },
    };
    let mut buf = Vec::new();
    // the footer names the release for a subcommand's page too
    let source = format!("tlslint {}", env!("TLSLINT_VERSION"));
    if let Err(e) = clap_mangen::Man::new(page).source(source).render(&mut buf) {
        let _ = writeln!(err, "error: {e}");
        return crate::commands::EXIT_ERROR;
    }
    emit(&buf, out)
}

/// Write the generated text; a closed pipe (`| head`) is not an error of ours.
fn emit(buf: &[u8], out: &mut dyn Write) -> i32 {
    match out.write_all(buf).and_then(|()| out.flush()) {
        Ok(()) => crate::commands::EXIT_OK,
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => crate::commands::EXIT_OK,
        Err(_) => crate::commands::EXIT_ERROR,
    }
}
