//! Command line: clap derive. `main.rs` only calls [`run`].

use std::ffi::OsString;
use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

#[derive(Debug, Parser)]
#[command(
    name = "tlslint",
    // the package version and, when built from a git checkout, the commit (build.rs)
    version = env!("TLSLINT_VERSION"),
    about = "Lint the TLS side of nginx and Apache httpd configuration",
    long_about = "Lint the TLS side of nginx and Apache httpd configuration trees \
against Mozilla/TLSRef profiles.\n\nWith no subcommand, `tlslint PATH...` checks the trees at PATH: \
a main file, a directory (every nginx.conf, apache2.conf, httpd.conf below it), an `nginx -T` dump \
(`-` reads stdin), or a file that a tree includes.\n\nSettings come from `.tlslint.yaml` (or `.tlslint.yml`), found upward \
from each PATH up to the repository root (the directory with `.git`), never above $HOME and never in a \
directory anyone may write to (such as /tmp; a note names a file passed over), or from --config; flags \
override it.\n\nExit codes: \
0 nothing at or above --fail-on, 1 findings at or above --fail-on (default: warning), 2 the tree could \
not be read or parsed, or bad usage.",
    args_conflicts_with_subcommands = true,
    subcommand_negates_reqs = true
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Option<Command>,
    #[command(flatten)]
    pub check: CheckArgs,
}

#[derive(Debug, Subcommand)]
#[allow(clippy::large_enum_variant)] // parsed once
pub enum Command {
    /// Check configuration trees (the default command).
    Check(CheckArgs),
    /// Print the parsed tree of one configuration root.
    Parse(ParseArgs),
    /// Expand an OpenSSL cipher string the way OpenSSL does.
    Ciphers(CiphersArgs),
    /// List the rule catalog.
    Rules,
    /// Probe a live server: protocols, suites and their order, groups, DH size, certificates,
    /// OCSP staple, ALPN, tickets, HSTS, client certificate request
    #[cfg(feature = "probe")]
    Probe(crate::probe::ProbeArgs),
    /// Print a rule's page: what it checks, why, examples.
    Explain {
        /// A rule code (TLS101) or name (protocol-outside-profile)
        #[arg(value_name = "CODE|NAME")]
        rule: String,
    },
    /// Print a shell completion script (e.g. `source <(tlslint completions bash)`)
    Completions {
        /// The shell to complete for
        #[arg(value_enum, value_name = "SHELL")]
        shell: clap_complete::Shell,
    },
    /// Print the manual page, roff (e.g. `tlslint man > tlslint.1; man -l tlslint.1`)
    Man {
        /// A subcommand's page (`tlslint man probe`: tlslint-probe(1)) instead of tlslint(1)
        #[arg(value_name = "SUBCOMMAND")]
        subcommand: Option<String>,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum OutputFormat {
    /// rustc-style diagnostics for people
    Human,
    /// one line per finding: `path:line:col: CODE [severity] message`
    Concise,
    /// one JSON object with `findings` and `endpoints`
    Json,
    /// SARIF 2.1.0 (GitHub code scanning and other SARIF viewers)
    Sarif,
    /// GitHub Actions workflow commands (`::error file=...,line=...::`)
    Github,
}

#[derive(Debug, Clone, Args)]
pub struct TargetArgs {
    /// Modelled nginx version (defaults change with it), or `auto`: the installed nginx's
    /// (`nginx -V`) [default: auto for the file the installed nginx reads, else current stable]
    #[arg(long, value_name = "VERSION|auto")]
    pub nginx_version: Option<String>,
    /// Modelled OpenSSL version, or `auto`: the one the installed nginx runs with, or that
    /// httpd's mod_ssl links to [default: auto for the installed server's own file, else 3.0]
    #[arg(long, value_name = "VERSION|auto")]
    pub openssl_version: Option<String>,
    /// Configuration prefix for relative include paths [default: the main file's directory]
    #[arg(long, value_name = "DIR")]
    pub prefix: Option<PathBuf>,
    /// Modelled Apache httpd version (defaults and <IfVersion> follow it), or `auto`: the
    /// installed httpd's (`apache2 -V` / `httpd -V`) [default: auto for the file the installed
    /// httpd reads, else 2.4.71]
    #[arg(long, value_name = "VERSION|auto")]
    pub apache_version: Option<String>,
    /// Apache: read relative paths from DIR, whatever ServerRoot the tree names [default: the
    /// layout's server root (the main file's directory; /etc/httpd for conf/httpd.conf)]
    #[arg(long, value_name = "DIR")]
    pub server_root: Option<PathBuf>,
    /// Apache: define NAME for <IfDefine>, as `httpd -D NAME` does (repeatable)
    #[arg(short = 'D', long = "define", value_name = "NAME")]
    pub defines: Vec<String>,
}

#[derive(Debug, Clone, Args)]
pub struct CheckArgs {
    /// Main files, directories, `nginx -T` dumps (`-` for stdin), or files a tree includes
    #[arg(value_name = "PATH")]
    pub paths: Vec<PathBuf>,
    /// Output format
    #[arg(long, value_enum, default_value_t = OutputFormat::Human)]
    pub format: OutputFormat,
    /// Profile to check against: modern, intermediate or old (or a profile in --profile-file)
    /// [default: intermediate]
    #[arg(long, value_name = "NAME")]
    pub profile: Option<String>,
    /// Mozilla/TLSRef guideline version: 5.7, 5.8 or 6.0 [default: the newest]
    #[arg(long, value_name = "VERSION")]
    pub guidelines: Option<String>,
    /// An organisation's policy: a tlslint YAML policy (`extends: intermediate` + overrides) or a
    /// Mozilla/TLSRef guideline JSON file as published
    #[arg(long, value_name = "FILE")]
    pub profile_file: Option<PathBuf>,
    #[command(flatten)]
    pub target: TargetArgs,
    /// Certificate, key and parameter files: --root, --now, --expiry-warn-days, --ca-file
    #[command(flatten)]
    pub files: crate::certs::CertArgs,
    /// Print findings only: no notes, no summary line
    #[arg(short, long)]
    pub quiet: bool,
    /// List every suite, group and name in messages (default: the first few and a count)
    #[arg(short, long)]
    pub verbose: bool,
    /// Exit with code 1 when a finding at or above this severity remains [default: warning]
    #[arg(long, value_enum, value_name = "SEVERITY")]
    pub fail_on: Option<crate::config::FailOn>,
    /// The settings file to use, instead of the `.tlslint.yaml` found upward from each PATH (up to
    /// the repository root, never above $HOME nor in world-writable directories)
    #[arg(long, value_name = "FILE", conflicts_with = "no_config")]
    pub config: Option<PathBuf>,
    /// Use no settings file: flags and built-in defaults only
    #[arg(long)]
    pub no_config: bool,
    /// Run only these rules (codes, names or code prefixes such as `TLS5`; comma-separated or
    /// repeated); replaces the settings file's `rules.enable`
    #[arg(long, value_name = "RULES", value_delimiter = ',')]
    pub enable: Vec<String>,
    /// Do not run these rules (codes, names or code prefixes); adds to the settings file's
    /// `rules.disable`
    #[arg(long, value_name = "RULES", value_delimiter = ',')]
    pub disable: Vec<String>,
    /// Ignore `# tlslint: ignore ...` and `# tlslint: ignore-file ...` comments
    #[arg(long)]
    pub no_inline_ignores: bool,
    /// The PATHs are changed files (a pre-commit hook's list): a file that no tree includes and
    /// that is no main file (an unused snippet) is skipped with a note instead of linted alone
    #[arg(long)]
    pub changed: bool,
    /// Report and fail only on findings that are not in this baseline file (see --write-baseline)
    #[arg(long, value_name = "FILE")]
    pub baseline: Option<PathBuf>,
    /// Write every finding of this run to FILE as the baseline, then exit 0 (unless a tree could
    /// not be read)
    #[arg(long, value_name = "FILE", conflicts_with = "baseline")]
    pub write_baseline: Option<PathBuf>,
    /// Live probe: --probe, --probe-host, --probe-allow, --probe-timeout, --probe-jobs,
    /// --probe-client-cert, --probe-client-key
    #[command(flatten)]
    pub probe: ProbeFlags,
}

/// `tlslint PATH --probe`: compare the running server with its configuration.
#[derive(Debug, Clone, Default, Args)]
pub struct ProbeFlags {
    /// Also probe every TLS socket the configuration names (each exact server name as SNI, and
    /// once without SNI) and report where the running server differs from the configuration
    /// (TLS601-TLS606, `evidence: probe`)
    #[arg(long)]
    pub probe: bool,
    /// Where to reach wildcard listeners (`listen 443`, `*:443`, `0.0.0.0`, `[::]`); a listener
    /// on a specific address is probed at that address [default: 127.0.0.1, and ::1 for [::]]
    #[arg(long, value_name = "ADDR", requires = "probe")]
    pub probe_host: Option<String>,
    /// Let --probe connect to these addresses too (CIDR, e.g. 10.0.0.0/8, or one address;
    /// repeatable): by default it connects only to loopback and --probe-host, so that an
    /// untrusted tree's `listen 10.0.0.1:443` cannot make the runner connect there
    #[arg(long, value_name = "CIDR", requires = "probe")]
    pub probe_allow: Vec<String>,
    /// Connect timeout and read deadline of each probe connection, in seconds
    #[arg(long, value_name = "SECONDS", requires = "probe")]
    pub probe_timeout: Option<f64>,
    /// Probe connections at once, over all sockets [default: 16]
    #[arg(long, value_name = "N", requires = "probe")]
    pub probe_jobs: Option<usize>,
    /// A client certificate (PEM) to present where the server asks for one, so that endpoints
    /// requiring client certificates complete their handshakes (with --probe-client-key)
    #[arg(long, value_name = "FILE", requires_all = ["probe", "probe_client_key"])]
    pub probe_client_cert: Option<std::path::PathBuf>,
    /// The private key (PEM) of --probe-client-cert
    #[arg(long, value_name = "FILE", requires_all = ["probe", "probe_client_cert"])]
    pub probe_client_key: Option<std::path::PathBuf>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ParseFormat {
    /// crossplane's `parse` JSON
    Crossplane,
    /// the same shape (alias kept for Apache trees)
    Json,
    /// the files read, one per line, in the order the server reads them (Apache: each read)
    Files,
    /// Apache: the include tree as `apache2 -t -D DUMP_INCLUDES` prints it
    Includes,
    /// Apache: the virtual hosts (addresses, ServerName, ServerAlias, file:line)
    Vhosts,
    /// the TLS endpoints, resolved: one line each with its sockets, names and
    /// effective protocols and ciphers (and where they come from)
    Endpoints,
}

#[derive(Debug, Clone, Args)]
pub struct ParseArgs {
    /// The main configuration file (nginx.conf, apache2.conf, httpd.conf), a directory holding
    /// one, or an `nginx -T` dump (`-` for stdin)
    #[arg(value_name = "ROOT")]
    pub root: PathBuf,
    /// Which server ROOT is for [default: apache for apache2.conf, httpd.conf, a directory
    /// holding one (or conf/httpd.conf), or a file with Apache section tags; else nginx]
    #[arg(long, value_enum, value_name = "SERVER")]
    pub server: Option<crate::input::ServerKind>,
    /// Apache: read relative paths from DIR, whatever ServerRoot the tree names [default: the
    /// main file's directory, then the tree's ServerRoot]
    #[arg(long, value_name = "DIR")]
    pub server_root: Option<PathBuf>,
    /// Apache: the httpd version <IfVersion> compares against [default: 2.4.71]
    #[arg(long, value_name = "VERSION")]
    pub apache_version: Option<String>,
    /// Apache: define NAME for <IfDefine>, as `httpd -D NAME` does (repeatable)
    #[arg(short = 'D', long = "define", value_name = "NAME")]
    pub defines: Vec<String>,
    #[arg(long, value_enum, default_value_t = ParseFormat::Crossplane)]
    pub format: ParseFormat,
    /// Include comments (crossplane's --include-comments)
    #[arg(long)]
    pub include_comments: bool,
    /// Indent the JSON
    #[arg(long)]
    pub pretty: bool,
    /// Configuration prefix for relative include paths [default: the main file's directory]
    #[arg(long, value_name = "DIR")]
    pub prefix: Option<PathBuf>,
}

#[derive(Debug, Clone, Args)]
pub struct CiphersArgs {
    /// The cipher string, as for `openssl ciphers`
    #[arg(value_name = "STRING", allow_hyphen_values = true)]
    pub string: String,
    /// Print a table: IANA name, protocol, kx, au, enc, mac
    #[arg(short, long)]
    pub verbose: bool,
    /// Mark the suites this profile does not allow
    #[arg(long, value_name = "NAME")]
    pub profile: Option<String>,
    /// Modelled OpenSSL version
    #[arg(long, value_name = "VERSION", default_value = "3.0")]
    pub openssl_version: String,
}

/// Run the command line; returns the process exit code.
pub fn run<I, T>(args: I) -> i32
where
    I: IntoIterator<Item = T>,
    T: Into<OsString> + Clone,
{
    let cli = match Cli::try_parse_from(args) {
        Ok(c) => c,
        Err(e) => {
            let code = if e.use_stderr() { 2 } else { 0 };
            let _ = e.print();
            return code;
        }
    };
    let mut out = std::io::stdout().lock();
    // stderr is shared: the probe's progress bar draws to it from its own
    // thread, so no lock may be held across the command (each write takes
    // it briefly); holding it made `tlslint probe` wait forever on a terminal
    let mut err = std::io::stderr();
    match cli.command {
        Some(Command::Parse(a)) => crate::commands::parse(&a, &mut out, &mut err),
        Some(Command::Ciphers(a)) => crate::commands::ciphers(&a, &mut out, &mut err),
        Some(Command::Check(a)) => crate::commands::check(&a, &mut out, &mut err),
        #[cfg(feature = "probe")]
        Some(Command::Probe(a)) => crate::commands::probe(&a, &mut out, &mut err),
        Some(Command::Rules) => {
            crate::rules::doc::list(&mut out);
            0
        }
        Some(Command::Explain { rule }) => match crate::rules::doc::explain(&rule) {
            Ok(text) => {
                use std::io::Write;
                let _ = write!(out, "{text}");
                0
            }
            Err(e) => {
                use std::io::Write;
                let _ = writeln!(err, "error: {e}");
                2
            }
        },
        Some(Command::Completions { shell }) => crate::generate::completions(shell, &mut out),
        Some(Command::Man { subcommand }) => {
            crate::generate::man(subcommand.as_deref(), &mut out, &mut err)
        }
        None => crate::commands::check(&cli.check, &mut out, &mut err),
    }
}
