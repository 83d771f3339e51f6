//! `.tlslint.yaml`: the settings of a repository, found upward from each
//! linted path (up to the enclosing git checkout) or given with `--config`,
//! and merged with the command-line flags (flags win).
//!
//! ```yaml
//! profile: intermediate          # or modern, old, or a profile in profile_file
//! guidelines: "6.0"
//! profile_file: policy.yaml      # relative to this file
//! nginx_version: 1.24.0         # or auto: the installed nginx's (`nginx -V`)
//! openssl_version: "3.0"         # or auto: the OpenSSL the installed server runs with
//! apache_version: 2.4.62         # the modelled Apache httpd (Apache trees), or auto
//! rules:
//!   enable: [ALL]                # codes, names or code prefixes; default: every rule
//!   disable: [TLS507, hsts-missing]
//! severity:
//!   TLS101: warning              # error, warning or info
//! exclude: ["legacy/**", "*.disabled.conf"]
//! fail_on: warning               # error, warning, info or never
//! root: [/etc/nginx=./nginx]     # certificate flags: --root (relative to this file), --now,
//! now: 2026-01-01                #   --expiry-warn-days, --ca-file (relative to this file)
//! expiry_warn_days: 30
//! ca_file: pki/root.pem
//! probe_allow: [192.0.2.0/24]    # --probe-allow: addresses `PATH --probe` may connect to
//! ```
//!
//! Unknown keys, unknown rule codes and bad values are errors with the file's
//! line and column (exit code 2).

use std::collections::{BTreeSet, HashMap};
use std::path::{Path, PathBuf};

use serde::Deserialize;

use crate::error::Error;
use crate::finding::Severity;
use crate::rules::RULES;
use crate::yaml::Spanned;

/// The names a settings file may have, in the order they are looked for.
pub const FILE_NAMES: &[&str] = &[".tlslint.yaml", ".tlslint.yml"];

/// `--fail-on` / `fail_on`: the lowest severity that makes the exit code 1.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, clap::ValueEnum)]
#[serde(rename_all = "lowercase")]
pub enum FailOn {
    Error,
    Warning,
    Info,
    Never,
}

impl FailOn {
    /// True if a finding of severity `s` fails the run.
    pub fn fails(self, s: Severity) -> bool {
        match self {
            FailOn::Never => false,
            FailOn::Error => s >= Severity::Error,
            FailOn::Warning => s >= Severity::Warning,
            FailOn::Info => true,
        }
    }
    pub fn as_str(self) -> &'static str {
        match self {
            FailOn::Error => "error",
            FailOn::Warning => "warning",
            FailOn::Info => "info",
            FailOn::Never => "never",
        }
    }
}

#[derive(Debug, Clone, Copy, Deserialize)]
#[serde(rename_all = "lowercase")]
enum SeverityName {
    Error,
    Warning,
    Info,
}

impl From<SeverityName> for Severity {
    fn from(s: SeverityName) -> Severity {
        match s {
            SeverityName::Error => Severity::Error,
            SeverityName::Warning => Severity::Warning,
            SeverityName::Info => Severity::Info,
        }
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawRules {
    enable: Option<Vec<Spanned<String>>>,
    #[serde(default)]
    disable: Vec<Spanned<String>>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct Raw {
    profile: Option<Spanned<String>>,
    guidelines: Option<String>,
    profile_file: Option<PathBuf>,
    nginx_version: Option<Spanned<String>>,
    openssl_version: Option<Spanned<String>>,
    apache_version: Option<Spanned<String>>,
    rules: Option<RawRules>,
    severity: Option<HashMap<Spanned<String>, SeverityName>>,
    #[serde(default)]
    exclude: Vec<Spanned<String>>,
    fail_on: Option<FailOn>,
    #[serde(default)]
    root: Vec<Spanned<String>>,
    now: Option<Spanned<String>>,
    expiry_warn_days: Option<u32>,
    ca_file: Option<PathBuf>,
    #[serde(default)]
    probe_allow: Vec<Spanned<String>>,
}

/// A loaded, validated settings file.
#[derive(Debug, Clone)]
pub struct Config {
    /// The file (absolute).
    pub path: PathBuf,
    pub profile: Option<String>,
    pub guidelines: Option<String>,
    /// Resolved against the file's directory.
    pub profile_file: Option<PathBuf>,
    pub nginx_version: Option<String>,
    pub openssl_version: Option<String>,
    pub apache_version: Option<String>,
    /// `rules.enable`, resolved to codes (`None`: every rule).
    pub enable: Option<BTreeSet<&'static str>>,
    pub disable: BTreeSet<&'static str>,
    pub severity: HashMap<&'static str, Severity>,
    pub exclude: Vec<String>,
    pub fail_on: Option<FailOn>,
    /// `root:` mappings (`--root`), local directories resolved against the
    /// file's directory.
    pub root: Vec<crate::certs::RootMap>,
    /// `now:` (`--now`), validated.
    pub now: Option<String>,
    pub expiry_warn_days: Option<u32>,
    /// `ca_file:` (`--ca-file`), resolved against the file's directory.
    pub ca_file: Option<PathBuf>,
    /// `probe_allow:` (`--probe-allow`): address ranges besides loopback
    /// that `PATH --probe` may connect to.
    pub probe_allow: Vec<crate::cidr::Cidr>,
}

impl Config {
    /// The directory that relative paths in the file are relative to.
    pub fn dir(&self) -> &Path {
        self.path.parent().unwrap_or(Path::new("/"))
    }
}

/// The rule with this code or name (codes case-insensitively).
pub fn rule_by_name(s: &str) -> Option<&'static crate::rules::RuleMeta> {
    RULES
        .iter()
        .map(|r| r.meta())
        .find(|m| m.code.eq_ignore_ascii_case(s) || m.name == s)
}

/// The codes a rule selector names: `ALL`, a code, a name, or a code prefix
/// (`TLS5` for every TLS5xx rule). `None` if it names no rule.
pub fn select(s: &str) -> Option<Vec<&'static str>> {
    let s = s.trim();
    if s.eq_ignore_ascii_case("all") {
        return Some(RULES.iter().map(|r| r.meta().code).collect());
    }
    if let Some(m) = rule_by_name(s) {
        return Some(vec![m.code]);
    }
    let up = s.to_ascii_uppercase();
    if up.len() < 3 || !up.starts_with("TLS") {
        return None;
    }
    let v: Vec<&'static str> = RULES
        .iter()
        .map(|r| r.meta().code)
        .filter(|c| c.starts_with(&up))
        .collect();
    if v.is_empty() {
        None
    } else {
        Some(v)
    }
}

/// `KEY: unknown rule "X"`, with the nearest code or name when X looks
/// like a typo of one.
pub fn unknown_rule(key: &str, s: &str) -> String {
    let names = RULES.iter().flat_map(|r| [r.meta().code, r.meta().name]);
    format!(
        "{key}: unknown rule \"{s}\"{}",
        crate::suggest::did_you_mean(s, names)
    )
}

fn spanned_err<T>(path: &Path, s: &Spanned<T>, message: String) -> Error {
    let (line, col) = crate::yaml::line_col(s);
    Error::at(message, path, line, col)
}

fn resolve_list(
    path: &Path,
    key: &str,
    list: &[Spanned<String>],
) -> Result<BTreeSet<&'static str>, Error> {
    let mut out = BTreeSet::new();
    for s in list {
        match select(&s.value) {
            Some(codes) => out.extend(codes),
            None => return Err(spanned_err(path, s, unknown_rule(key, &s.value))),
        }
    }
    Ok(out)
}

fn check_version(path: &Path, key: &str, v: &Option<Spanned<String>>) -> Result<(), Error> {
    if let Some(s) = v {
        if let Err(e) = crate::detect::Spec::parse(&s.value, crate::detect::Origin::Config, None) {
            return Err(spanned_err(path, s, format!("{key}: {e}")));
        }
    }
    Ok(())
}

/// Read and validate a settings file. The files it names (`profile_file`,
/// `ca_file`, `root:` directories) must lie in its repository: a pull
/// request's settings cannot make tlslint read the runner's files.
pub fn load(path: &Path) -> Result<Config, Error> {
    let abs = std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf());
    let text = read_settings_text(path)?;
    let cfg = parse(&text, &abs)?;
    let repo = crate::fsx::repository(cfg.dir());
    let named = cfg
        .profile_file
        .iter()
        .map(|p| ("profile_file", p))
        .chain(cfg.ca_file.iter().map(|p| ("ca_file", p)))
        .chain(cfg.root.iter().map(|r| ("root", &r.local)));
    for (key, p) in named {
        if !crate::fsx::inside(p, &repo) {
            return Err(Error::new(format!(
                "{}: {key}: \"{}\" is outside the repository {} (a settings file names files of \
                 its own repository only; give a file elsewhere on the command line)",
                path.display(),
                crate::fsx::lexical_normal(p).display(),
                repo.display()
            )));
        }
    }
    Ok(cfg)
}

/// Largest settings file read.
const MAX_SETTINGS_BYTES: u64 = 1024 * 1024;

/// Why a file tlslint was given by path (`--config`, `--baseline`,
/// `--profile-file`, a settings file found upward) may not be read: its
/// real path, symlinks followed, is outside the repository its name lies in
/// (the nearest directory upward with `.git`, else its own directory). A
/// file named outside any checkout is the user's choice; a symlink in a
/// checkout that leads out of it (to `/etc/shadow`) is refused.
pub fn escapes_by_link(path: &Path) -> Option<String> {
    let abs = crate::fsx::absolute(path);
    let repo = crate::fsx::repository(abs.parent().unwrap_or(Path::new("/")));
    (!crate::fsx::inside(path, &repo)).then(|| {
        format!(
            "a symbolic link leads outside {} (not followed)",
            repo.display()
        )
    })
}

/// The text of a settings file, refused — with a message that quotes
/// nothing from it — when it is not a regular file, is larger than
/// [`MAX_SETTINGS_BYTES`], or a symlink leads out of its repository: a
/// pull request cannot make tlslint print `/etc/shadow` in a settings error.
fn read_settings_text(path: &Path) -> Result<String, Error> {
    let refuse = |why: &str| {
        Error::new(format!(
            "settings file \"{}\" not read: {why}",
            path.display()
        ))
    };
    if let Some(why) = escapes_by_link(path) {
        return Err(refuse(&why));
    }
    let bytes = crate::fsx::read_regular(path, MAX_SETTINGS_BYTES).map_err(|e| {
        if e.kind() == std::io::ErrorKind::Other {
            refuse(&e.to_string())
        } else {
            Error::new(format!(
                "cannot read settings file \"{}\": {e}",
                path.display()
            ))
        }
    })?;
    String::from_utf8(bytes).map_err(|_| refuse("it is not UTF-8 text"))
}

/// Parse the text of a settings file at `path` (absolute).
pub fn parse(text: &str, path: &Path) -> Result<Config, Error> {
    let raw: Raw = crate::yaml::from_str(text, path)?;
    let dir = path.parent().unwrap_or(Path::new("/"));
    check_version(path, "nginx_version", &raw.nginx_version)?;
    check_version(path, "openssl_version", &raw.openssl_version)?;
    check_version(path, "apache_version", &raw.apache_version)?;
    if let (Some(p), None) = (&raw.profile, &raw.profile_file) {
        let known = ["modern", "intermediate", "old"];
        if !known.contains(&p.value.as_str()) {
            return Err(spanned_err(
                path,
                p,
                format!(
                    "profile: no profile \"{}\" (the bundled ones: modern, intermediate, old; \
                     a policy of your own goes in profile_file){}",
                    p.value,
                    crate::suggest::did_you_mean(&p.value, known)
                ),
            ));
        }
    }
    let rules = raw.rules.unwrap_or_default();
    let enable = match &rules.enable {
        Some(l) => Some(resolve_list(path, "rules.enable", l)?),
        None => None,
    };
    let disable = resolve_list(path, "rules.disable", &rules.disable)?;
    let mut severity = HashMap::new();
    let mut entries: Vec<_> = raw.severity.unwrap_or_default().into_iter().collect();
    entries.sort_by_key(|(k, _)| crate::yaml::line_col(k));
    for (k, v) in entries {
        let Some(m) = rule_by_name(&k.value) else {
            return Err(spanned_err(path, &k, unknown_rule("severity", &k.value)));
        };
        severity.insert(m.code, Severity::from(v));
    }
    for g in &raw.exclude {
        if g.value.trim().is_empty() {
            return Err(spanned_err(path, g, "exclude: empty pattern".into()));
        }
    }
    let mut root = Vec::new();
    for r in &raw.root {
        let mut m = crate::certs::RootMap::parse(&r.value)
            .map_err(|e| spanned_err(path, r, e.replacen("--root ", "root: ", 1)))?;
        m.local = dir.join(&m.local);
        if !m.local.is_dir() {
            return Err(spanned_err(
                path,
                r,
                format!("root: \"{}\" is not a directory", m.local.display()),
            ));
        }
        root.push(m);
    }
    let mut probe_allow = Vec::new();
    for r in &raw.probe_allow {
        probe_allow.push(
            crate::cidr::Cidr::parse(&r.value)
                .map_err(|e| spanned_err(path, r, format!("probe_allow: {e}")))?,
        );
    }
    if let Some(n) = &raw.now {
        if let Err(e) = crate::certs::time::parse(&n.value) {
            return Err(spanned_err(path, n, format!("now: {e}")));
        }
    }
    Ok(Config {
        path: path.to_path_buf(),
        profile: raw.profile.map(|p| p.value),
        guidelines: raw.guidelines,
        profile_file: raw.profile_file.map(|p| dir.join(p)),
        nginx_version: raw.nginx_version.map(|s| s.value),
        openssl_version: raw.openssl_version.map(|s| s.value),
        apache_version: raw.apache_version.map(|s| s.value),
        enable,
        disable,
        severity,
        exclude: raw.exclude.into_iter().map(|s| s.value).collect(),
        fail_on: raw.fail_on,
        root,
        now: raw.now.map(|s| s.value),
        expiry_warn_days: raw.expiry_warn_days,
        ca_file: raw.ca_file.map(|p| dir.join(p)),
        probe_allow,
    })
}

/// The settings file that governs `path`: `.tlslint.yaml` or `.tlslint.yml`
/// in its directory (a file's parent; `-` is the current directory) or the
/// nearest ancestor, stopping after the directory that holds `.git` (the
/// repository root), after the user's home (`$HOME`), or at the file-system
/// root. A directory anyone may write to (world-writable, as `/tmp`) ends
/// the search before it is looked in: a settings file there is nobody's in
/// particular (one in `/tmp` with `exclude: ["**"]` would silently lint
/// nothing) — unless it is a repository root of the user's own (`.git`, and
/// owned by the user running tlslint: a checkout in a CI workspace of mode
/// 777 keeps its settings). A settings file the search stops short of (in a
/// world-writable directory or above it, or above `$HOME`) is named in a
/// note in `notes`, so that it is not lost silently.
pub fn discover(path: &Path, notes: &mut Vec<String>) -> Option<PathBuf> {
    let start = if path == Path::new("-") {
        PathBuf::from(".")
    } else if path.is_dir() {
        path.to_path_buf()
    } else {
        match path.parent() {
            Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
            _ => PathBuf::from("."),
        }
    };
    let abs = std::path::absolute(&start).ok()?;
    let abs = crate::fsx::lexical_normal(&abs);
    let home = std::env::var_os("HOME").map(PathBuf::from);
    let mut dir = Some(abs.as_path());
    while let Some(d) = dir {
        let repository = d.join(".git").exists();
        // a directory anyone can write to (/tmp, /var/tmp, /dev/shm) is
        // shared: a settings file there is nobody's, and neither is one above it
        if shared_dir(d) && !(repository && own_dir(d)) {
            note_unused(
                Some(d),
                notes,
                format!("{} is writable by everyone", d.display()),
            );
            return None;
        }
        if let Some(c) = settings_in(d) {
            return Some(c);
        }
        if repository {
            return None;
        }
        // no further than the user's home
        if home.as_deref() == Some(d) {
            note_unused(
                d.parent(),
                notes,
                format!("it is above the home directory {}", d.display()),
            );
            return None;
        }
        dir = d.parent();
    }
    None
}

/// The settings file in directory `d`, if there is one: whatever is there
/// (a FIFO, a device, a dangling link) is the settings file, refused by
/// `load` with the reason, never skipped.
fn settings_in(d: &Path) -> Option<PathBuf> {
    FILE_NAMES
        .iter()
        .map(|n| d.join(n))
        .find(|c| std::fs::symlink_metadata(c).is_ok_and(|m| !m.is_dir()))
}

/// Note the nearest settings file from `from` upward (to the first
/// repository root) that the search did not use, and why (never its
/// contents: it is not read).
fn note_unused(from: Option<&Path>, notes: &mut Vec<String>, why: String) {
    let mut dir = from;
    while let Some(d) = dir {
        if let Some(c) = settings_in(d) {
            let n = format!(
                "{} not used: {} (settings files are looked for up to the repository root, never \
                 above $HOME nor in a directory anyone may write to; --config FILE names one)",
                c.display(),
                why
            );
            if !notes.contains(&n) {
                notes.push(n);
            }
            return;
        }
        if d.join(".git").exists() {
            return;
        }
        dir = d.parent();
    }
}

/// A directory others can write to (world-writable, as /tmp is).
fn shared_dir(d: &Path) -> bool {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::metadata(d).is_ok_and(|m| m.permissions().mode() & 0o002 != 0)
    }
    #[cfg(not(unix))]
    {
        let _ = d;
        false
    }
}

/// A directory owned by the user running tlslint.
fn own_dir(d: &Path) -> bool {
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        // SAFETY: geteuid has no preconditions and cannot fail
        let me = unsafe { libc::geteuid() };
        std::fs::metadata(d).is_ok_and(|m| m.uid() == me)
    }
    #[cfg(not(unix))]
    {
        let _ = d;
        true
    }
}

/// The effective settings of a run (or of the paths one settings file
/// governs): the file's, overridden by the flags.
#[derive(Debug, Clone)]
pub struct Settings {
    pub config: Option<PathBuf>,
    pub profile: String,
    pub guidelines: Option<String>,
    pub profile_file: Option<PathBuf>,
    /// The modelled versions: a version, `auto`, or unset.
    pub versions: crate::detect::Specs,
    pub enabled: BTreeSet<&'static str>,
    pub severity: HashMap<&'static str, Severity>,
    pub exclude: Excludes,
    pub fail_on: FailOn,
    pub inline_ignores: bool,
}

/// A version flag or setting: the flag wins over the file.
fn version_spec(
    what: &str,
    flag: &Option<String>,
    cfg: Option<&Config>,
    file: Option<&String>,
) -> Result<crate::detect::Spec, Error> {
    use crate::detect::{Origin, Spec};
    match (flag, cfg, file) {
        (Some(v), _, _) => Spec::parse(v, Origin::Flag, None)
            .map_err(|e| Error::new(format!("--{what}-version: {e}"))),
        (None, Some(c), Some(v)) => {
            Spec::parse(v, Origin::Config, Some(c.path.display().to_string()))
                .map_err(|e| Error::new(format!("{}: {what}_version: {e}", c.path.display())))
        }
        _ => Ok(Spec::Unset),
    }
}

/// Merge a settings file (if any) with the flags.
pub fn settings(cfg: Option<&Config>, a: &crate::cli::CheckArgs) -> Result<Settings, Error> {
    let versions = crate::detect::Specs {
        nginx: version_spec(
            "nginx",
            &a.target.nginx_version,
            cfg,
            cfg.and_then(|c| c.nginx_version.as_ref()),
        )?,
        openssl: version_spec(
            "openssl",
            &a.target.openssl_version,
            cfg,
            cfg.and_then(|c| c.openssl_version.as_ref()),
        )?,
        apache: version_spec(
            "apache",
            &a.target.apache_version,
            cfg,
            cfg.and_then(|c| c.apache_version.as_ref()),
        )?,
    };
    let mut cli_enable = BTreeSet::new();
    for s in &a.enable {
        cli_enable.extend(select(s).ok_or_else(|| Error::new(unknown_rule("--enable", s)))?);
    }
    let mut cli_disable = BTreeSet::new();
    for s in &a.disable {
        cli_disable.extend(select(s).ok_or_else(|| Error::new(unknown_rule("--disable", s)))?);
    }
    let all: BTreeSet<&'static str> = RULES.iter().map(|r| r.meta().code).collect();
    let mut enabled = if !cli_enable.is_empty() {
        cli_enable.clone()
    } else {
        cfg.and_then(|c| c.enable.clone()).unwrap_or(all)
    };
    if let Some(c) = cfg {
        // a rule the command line enables by name runs even if the file disables it
        for d in &c.disable {
            if !cli_enable.contains(d) {
                enabled.remove(d);
            }
        }
    }
    for d in &cli_disable {
        enabled.remove(d);
    }
    let profile_file = a
        .profile_file
        .clone()
        .or_else(|| cfg.and_then(|c| c.profile_file.clone()));
    Ok(Settings {
        config: cfg.map(|c| c.path.clone()),
        profile: a
            .profile
            .clone()
            .or_else(|| cfg.and_then(|c| c.profile.clone()))
            .unwrap_or_else(|| "intermediate".into()),
        guidelines: a
            .guidelines
            .clone()
            .or_else(|| cfg.and_then(|c| c.guidelines.clone())),
        profile_file,
        versions,
        enabled,
        severity: cfg.map(|c| c.severity.clone()).unwrap_or_default(),
        exclude: match cfg {
            Some(c) => Excludes::new(c.dir(), &c.exclude),
            None => Excludes::default(),
        },
        fail_on: a
            .fail_on
            .or_else(|| cfg.and_then(|c| c.fail_on))
            .unwrap_or(FailOn::Warning),
        inline_ignores: !a.no_inline_ignores,
    })
}

/// `exclude:` patterns, relative to the settings file's directory.
///
/// A pattern with a `/` is matched against the path below that directory
/// (`legacy/**`, `sites/old-*.conf`); one without a `/` against every path
/// component (`*.bak`, `vendor`). A pattern that matches a directory excludes
/// everything below it. `*` and `?` stay within a component, `**` spans any
/// number of them, `[...]` is a character class.
#[derive(Debug, Clone, Default)]
pub struct Excludes {
    base: PathBuf,
    patterns: Vec<Vec<String>>,
    anchored: Vec<bool>,
}

impl Excludes {
    pub fn new(base: &Path, patterns: &[String]) -> Excludes {
        let mut e = Excludes {
            base: crate::fsx::lexical_normal(base),
            ..Excludes::default()
        };
        for p in patterns {
            let t = p.trim().trim_start_matches("./").trim_end_matches('/');
            let anchored = t.contains('/');
            e.patterns.push(
                t.trim_start_matches('/')
                    .split('/')
                    .filter(|s| !s.is_empty())
                    .map(str::to_string)
                    .collect(),
            );
            e.anchored.push(anchored);
        }
        e
    }

    pub fn is_empty(&self) -> bool {
        self.patterns.is_empty()
    }

    /// True if `path` (as the loader holds it: relative to the current
    /// directory, or absolute) is excluded.
    pub fn excludes(&self, path: &Path) -> bool {
        if self.patterns.is_empty() {
            return false;
        }
        let abs = std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf());
        let abs = crate::fsx::lexical_normal(&abs);
        let Ok(rel) = abs.strip_prefix(&self.base) else {
            return false;
        };
        let comps: Vec<String> = rel
            .components()
            .map(|c| c.as_os_str().to_string_lossy().into_owned())
            .collect();
        for (pat, &anchored) in self.patterns.iter().zip(&self.anchored) {
            if anchored {
                // the path or any directory above it
                let ends = match_components(pat, &comps);
                if ends[1..].iter().any(|&e| e) {
                    return true;
                }
            } else if let [one] = pat.as_slice() {
                if comps.iter().any(|c| glob_component(one, c)) {
                    return true;
                }
            }
        }
        false
    }
}

fn glob_component(pat: &str, name: &str) -> bool {
    crate::fsx::fnmatch(pat.as_bytes(), name.as_bytes())
}

/// Where `pat` (components, `**` any number of them) can end in `path`:
/// `ends[n]` is whether it matches the first `n` components. A table over
/// (pattern component, path position), filled left to right: time
/// pattern × path, however many `**` (a walk over every way to split the
/// path among 30 `**` would never end).
fn match_components(pat: &[String], path: &[String]) -> Vec<bool> {
    let mut cur = vec![false; path.len() + 1];
    cur[0] = true;
    for p in pat {
        let mut next = vec![false; path.len() + 1];
        if p == "**" {
            let mut reached = false;
            for (n, x) in next.iter_mut().enumerate() {
                reached |= cur[n];
                *x = reached;
            }
        } else {
            for (n, c) in path.iter().enumerate() {
                next[n + 1] = cur[n] && glob_component(p, c);
            }
        }
        cur = next;
    }
    cur
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn excludes_match_like_gitignore() {
        let e = Excludes::new(
            Path::new("/repo"),
            &[
                "legacy/**".into(),
                "*.bak".into(),
                "sites/old-*.conf".into(),
                "vendor".into(),
            ],
        );
        assert!(e.excludes(Path::new("/repo/legacy/a/b.conf")));
        assert!(e.excludes(Path::new("/repo/x/y.bak")));
        assert!(e.excludes(Path::new("/repo/sites/old-shop.conf")));
        assert!(!e.excludes(Path::new("/repo/sites/new.conf")));
        assert!(!e.excludes(Path::new("/repo/x/sites/old-shop.conf")));
        assert!(e.excludes(Path::new("/repo/a/vendor/nginx.conf")));
        assert!(!e.excludes(Path::new("/elsewhere/legacy/a.conf")));
        let d = Excludes::new(
            Path::new("/repo"),
            &["conf.d/".into(), "a/**/z.conf".into()],
        );
        assert!(d.excludes(Path::new("/repo/conf.d/x.conf")));
        assert!(d.excludes(Path::new("/repo/a/z.conf")));
        assert!(d.excludes(Path::new("/repo/a/b/c/z.conf")));
        assert!(!d.excludes(Path::new("/repo/b/z.conf")));
    }

    #[test]
    fn many_double_stars_match_in_polynomial_time() {
        // `**/**/…/x` against a deep path that does not end in x: every way of
        // splitting 40 components among 40 `**` was tried before (never ending)
        let pat = format!("{}x", "**/".repeat(40));
        let e = Excludes::new(Path::new("/repo"), &[pat]);
        let deep = format!("/repo/{}y.conf", "d/".repeat(40));
        let t = std::time::Instant::now();
        assert!(!e.excludes(Path::new(&deep)));
        assert!(e.excludes(Path::new(&format!("/repo/{}x/y.conf", "d/".repeat(40)))));
        assert!(t.elapsed() < std::time::Duration::from_secs(10));
    }

    #[test]
    fn unknown_keys_and_rules_have_lines() {
        let p = Path::new("/r/.tlslint.yaml");
        let e = parse("profile: modern\nprofil: old\n", p).unwrap_err();
        assert_eq!(e.location.unwrap().line, 2, "{}", e.message);
        let e = parse("rules:\n  disable:\n    - TLS101\n    - TLS999\n", p).unwrap_err();
        assert_eq!(e.location.as_ref().unwrap().line, 4);
        assert!(e.message.contains("TLS999"), "{}", e.message);
        let e = parse("severity:\n  TLS101: warning\n  nope: info\n", p).unwrap_err();
        assert_eq!(e.location.unwrap().line, 3);
        let e = parse("severity:\n  TLS101: loud\n", p).unwrap_err();
        assert_eq!(e.location.unwrap().line, 2);
        let e = parse("nginx_version: one\n", p).unwrap_err();
        assert_eq!(e.location.unwrap().line, 1);
        let c = parse(
            "guidelines: 6.0\nopenssl_version: 3.0\nprofile_file: p.yaml\nrules: {disable: [protocol-outside-profile, TLS90]}\nseverity: {TLS101: info}\nfail_on: never\n",
            p,
        )
        .unwrap();
        assert_eq!(c.guidelines.as_deref(), Some("6.0"));
        assert_eq!(c.openssl_version.as_deref(), Some("3.0"));
        assert_eq!(c.profile_file.as_deref(), Some(Path::new("/r/p.yaml")));
        assert!(c.disable.contains("TLS101"));
        assert!(c.disable.contains("TLS906"));
        assert_eq!(c.severity["TLS101"], Severity::Info);
        assert_eq!(c.fail_on, Some(FailOn::Never));
        assert!(parse("", p).is_ok());
    }

    #[test]
    fn certificate_keys_resolve_against_the_file_and_yield_to_flags() {
        let d = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(d.path().join("copy/nginx")).unwrap();
        let p = d.path().join(".tlslint.yaml");
        let c = parse(
            "root: [copy, /etc/nginx=copy/nginx]\nnow: 2026-01-01\nexpiry_warn_days: 14\nca_file: pki/root.pem\n",
            &p,
        )
        .unwrap();
        assert_eq!(c.root.len(), 2);
        assert_eq!(c.root[0].server, Path::new("/"));
        assert_eq!(c.root[0].local, d.path().join("copy"));
        assert_eq!(c.root[1].server, Path::new("/etc/nginx"));
        assert_eq!(c.root[1].local, d.path().join("copy/nginx"));
        assert_eq!(c.now.as_deref(), Some("2026-01-01"));
        assert_eq!(c.expiry_warn_days, Some(14));
        assert_eq!(
            c.ca_file.as_deref(),
            Some(d.path().join("pki/root.pem").as_path())
        );
        // bad values: the line of the value
        let e = parse("profile: modern\nnow: yesterday\n", &p).unwrap_err();
        assert_eq!(e.location.as_ref().unwrap().line, 2, "{}", e.message);
        assert!(e.message.starts_with("now: invalid date"), "{}", e.message);
        let e = parse("root:\n  - copy\n  - missing-dir\n", &p).unwrap_err();
        assert_eq!(e.location.as_ref().unwrap().line, 3, "{}", e.message);
        assert!(e.message.contains("is not a directory"), "{}", e.message);
        assert!(parse("expiry_warn_days: soon\n", &p).is_err());
        // the file's values apply; flags win
        let mut a = crate::certs::CertArgs {
            root: Vec::new(),
            now: None,
            expiry_warn_days: None,
            ca_file: None,
        };
        let c = parse("root: [copy]\nnow: 2026-01-01\nexpiry_warn_days: 14\n", &p).unwrap();
        let o = crate::certs::FileOptions::from_args_and_config(&a, Some(&c)).unwrap();
        assert_eq!(o.roots, c.root);
        assert_eq!(o.now, Some(1767225600));
        assert_eq!(o.expiry_warn_days, 14);
        a.now = Some("2026-02-01".into());
        a.expiry_warn_days = Some(60);
        a.root = vec![d.path().join("copy/nginx").display().to_string()];
        let o = crate::certs::FileOptions::from_args_and_config(&a, Some(&c)).unwrap();
        assert_eq!(o.now, Some(1769904000));
        assert_eq!(o.expiry_warn_days, 60);
        assert_eq!(o.roots[0].local, d.path().join("copy/nginx"));
        let o = crate::certs::FileOptions::from_args_and_config(&a, None).unwrap();
        assert_eq!(o.expiry_warn_days, 60);
        // a ca_file that is not there names the settings file
        let c = parse("ca_file: nope.pem\n", &p).unwrap();
        a.ca_file = None;
        let e = crate::certs::FileOptions::from_args_and_config(&a, Some(&c)).unwrap_err();
        assert!(e.message.contains("ca_file: cannot read"), "{}", e.message);
        assert!(e.message.contains(".tlslint.yaml"), "{}", e.message);
    }
}
