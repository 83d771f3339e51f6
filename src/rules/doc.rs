//! Rule pages: `rules/<CODE>.yaml` (metadata, rationale, references, bad and
//! good examples), embedded in the binary, for `tlslint rules` and
//! `tlslint explain`, and as Markdown pages ([`markdown`]) under
//! `docs/rules/` that SARIF links to ([`page_url`]).

pub mod markdown;

use std::collections::BTreeMap;
use std::path::Path;

use serde::Deserialize;

use crate::error::Error;

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AppliesTo {
    #[serde(default)]
    pub nginx: Vec<String>,
    #[serde(default)]
    pub apache: Vec<String>,
    #[serde(default)]
    pub probe: bool,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Examples {
    /// Extra command-line arguments for the examples (e.g. `--nginx-version 1.22.1`).
    #[serde(default)]
    pub args: Vec<String>,
    #[serde(default)]
    pub bad: Vec<String>,
    #[serde(default)]
    pub good: Vec<String>,
    /// Files the examples read (certificates, keys, DH parameters, CRLs): a
    /// script the test harness runs with the openssl CLI in the example's
    /// directory before each example (language: tests/certgen/mod.rs).
    /// Nothing with an expiry date is committed; the examples' `args` fix
    /// the clock with `--now`.
    #[serde(default)]
    pub setup: Option<String>,
    /// Why the rule can never fire for this server (then `bad` is empty):
    /// e.g. mod_ssl has no TLS 1.3 early data.
    #[serde(default)]
    pub not_applicable: Option<String>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RuleDoc {
    pub code: String,
    pub name: String,
    pub summary: String,
    pub default_severity: String,
    pub category: String,
    #[serde(default)]
    pub profile_keys: Vec<String>,
    pub applies_to: AppliesTo,
    pub rationale: String,
    #[serde(default)]
    pub references: Vec<String>,
    #[serde(default)]
    pub examples: BTreeMap<String, Examples>,
    /// The rule compares a running server with its configuration
    /// (`tlslint PATH --probe`), so no configuration alone is flagged or
    /// clean: instead of static examples, where the live tests that show it
    /// are (`tests/probe_config.rs ...`).
    #[serde(default)]
    pub probe_only: Option<String>,
}

macro_rules! docs {
    ($($code:literal),* $(,)?) => {
        /// Every rule page, as embedded.
        pub const DOCS: &[(&str, &str)] = &[
            $( ($code, include_str!(concat!("../../rules/", $code, ".yaml"))), )*
        ];
    };
}

docs!(
    "TLS101", "TLS102", "TLS103", "TLS201", "TLS202", "TLS203", "TLS204", "TLS205", "TLS206",
    "TLS207", "TLS208", "TLS209", "TLS301", "TLS302", "TLS303", "TLS304", "TLS305", "TLS306",
    "TLS307", "TLS308", "TLS309", "TLS310", "TLS311", "TLS312", "TLS401", "TLS402", "TLS403",
    "TLS404", "TLS405", "TLS501", "TLS502", "TLS503", "TLS504", "TLS505", "TLS506", "TLS507",
    "TLS508", "TLS509", "TLS601", "TLS602", "TLS603", "TLS604", "TLS605", "TLS606", "TLS901",
    "TLS902", "TLS903", "TLS904", "TLS905", "TLS906", "TLS907", "TLS908",
);

/// The parsed page of a rule.
pub fn doc(code: &str) -> Result<RuleDoc, Error> {
    let (_, text) = DOCS
        .iter()
        .find(|(c, _)| *c == code)
        .ok_or_else(|| Error::new(format!("no rule page for {code}")))?;
    parse(text, Path::new(&format!("rules/{code}.yaml")))
}

/// Parse the text of a rule page read from `path`.
pub fn parse(text: &str, path: &Path) -> Result<RuleDoc, Error> {
    crate::yaml::from_str(text, path)
}

/// Where the project is published: Cargo.toml's `repository` (empty when
/// it has none; then nothing links to the pages).
pub const REPOSITORY: &str = env!("CARGO_PKG_REPOSITORY");

/// The project's page for people (`homepage`, else `repository`); `None`
/// when Cargo.toml names neither.
pub fn home_url() -> Option<&'static str> {
    [env!("CARGO_PKG_HOMEPAGE"), REPOSITORY]
        .into_iter()
        .map(str::trim)
        .find(|u| !u.is_empty())
}

/// The address of a rule's page (`docs/rules/<CODE>.md`) in the repository
/// at `repository` (a GitHub-style web address: `<repo>/blob/HEAD/<path>`
/// is the file on the default branch); `None` when `repository` is empty.
pub fn page_url_in(repository: &str, code: &str) -> Option<String> {
    let base = repository.trim().trim_end_matches('/');
    let base = base.strip_suffix(".git").unwrap_or(base);
    (!base.is_empty()).then(|| format!("{base}/blob/HEAD/{}/{code}.md", markdown::PAGES_DIR))
}

/// The address of a rule's page in this project's [`REPOSITORY`].
pub fn page_url(code: &str) -> Option<String> {
    page_url_in(REPOSITORY, code)
}

/// Find a rule by code (`TLS101`, any case) or name (`protocol-outside-profile`).
pub fn find(query: &str) -> Option<&'static dyn super::Rule> {
    super::RULES
        .iter()
        .copied()
        .find(|r| r.meta().code.eq_ignore_ascii_case(query) || r.meta().name == query)
}

/// `tlslint rules`
pub fn list(out: &mut dyn std::io::Write) {
    let _ = writeln!(
        out,
        "{:<8} {:<34} {:<8} summary",
        "code", "name", "severity"
    );
    for r in super::RULES {
        let m = r.meta();
        let _ = writeln!(
            out,
            "{:<8} {:<34} {:<8} {}",
            m.code,
            m.name,
            m.severity.as_str(),
            m.summary
        );
    }
}

/// The message for a rule query that names no rule: the rules whose code or
/// name contains it (`hsts`), else the nearest name or code (a typo), else
/// a pointer to the catalog.
fn not_found(query: &str) -> String {
    let q = query.to_ascii_lowercase();
    let matching: Vec<String> = super::RULES
        .iter()
        .map(|r| r.meta())
        .filter(|m| {
            !q.is_empty() && (m.name.contains(&q) || m.code.to_ascii_lowercase().starts_with(&q))
        })
        .map(|m| format!("{} {}", m.code, m.name))
        .collect();
    if !matching.is_empty() {
        return format!(
            "no rule \"{query}\"; rules that match: {} (`tlslint explain CODE`)",
            matching.join(", ")
        );
    }
    let names = super::RULES
        .iter()
        .flat_map(|r| [r.meta().name, r.meta().code]);
    match crate::suggest::nearest(query, names) {
        Some(n) => format!("no rule \"{query}\"; did you mean `{n}`?"),
        None => format!("no rule \"{query}\" (see `tlslint rules` for the catalog)"),
    }
}

/// `tlslint explain CODE|NAME`: the rule's page as text.
pub fn explain(query: &str) -> Result<String, Error> {
    let r = find(query).ok_or_else(|| Error::new(not_found(query)))?;
    let m = r.meta();
    let d = doc(m.code)?;
    let mut s = format!(
        "{} {} ({})\n\n{}\n\n",
        m.code,
        m.name,
        m.severity.as_str(),
        m.summary
    );
    s.push_str(d.rationale.trim_end());
    s.push('\n');
    if !d.profile_keys.is_empty() {
        s.push_str(&format!("\nProfile keys: {}\n", d.profile_keys.join(", ")));
    }
    if !d.applies_to.nginx.is_empty() {
        s.push_str(&format!(
            "nginx directives: {}\n",
            d.applies_to.nginx.join(", ")
        ));
    }
    if !d.applies_to.apache.is_empty() {
        s.push_str(&format!(
            "Apache directives: {}\n",
            d.applies_to.apache.join(", ")
        ));
    }
    if let Some(tests) = &d.probe_only {
        s.push_str(&format!(
            "\nProbe only: reported by `tlslint PATH --probe`, comparing the running server with \
             this configuration; no configuration alone is flagged or clean, so there are no \
             static examples. Live tests: {}\n",
            tests.trim()
        ));
    }
    for (server, ex) in &d.examples {
        if let Some(why) = &ex.not_applicable {
            s.push_str(&format!("\nNot applicable to {server}: {}\n", why.trim()));
        }
        if let Some(setup) = &ex.setup {
            s.push_str(&format!(
                "\nFiles the {server} examples read (generated by the tests with openssl):\n"
            ));
            for l in setup.lines().filter(|l| !l.trim().is_empty()) {
                s.push_str("    ");
                s.push_str(l);
                s.push('\n');
            }
        }
        for (what, list) in [("Bad", &ex.bad), ("Good", &ex.good)] {
            for e in list {
                s.push_str(&format!(
                    "\n{what} ({server}{}):\n",
                    if ex.args.is_empty() {
                        String::new()
                    } else {
                        format!(", {}", ex.args.join(" "))
                    }
                ));
                for l in e.lines() {
                    s.push_str("    ");
                    s.push_str(l);
                    s.push('\n');
                }
            }
        }
    }
    if !d.references.is_empty() {
        s.push_str("\nReferences:\n");
        for r in &d.references {
            s.push_str(&format!("  {r}\n"));
        }
    }
    Ok(s)
}
