//! The rule pages as Markdown, made from the parsed `rules/<CODE>.yaml`:
//! [`page`] is `docs/rules/<CODE>.md`, [`index`] is `docs/rules/README.md`,
//! [`readme_table`] is the rule table of README.md between [`README_BEGIN`]
//! and [`README_END`], and [`help`] is the shorter text SARIF viewers show
//! with a result. `tests/docs_fresh.rs` fails when a committed file is not
//! what these make of the YAML; `UPDATE_DOCS=1 cargo test --test docs_fresh`
//! rewrites them.

use super::{Examples, RuleDoc};

/// The lines around the generated rule table in README.md.
pub const README_BEGIN: &str = "<!-- rules:begin -->";
pub const README_END: &str = "<!-- rules:end -->";

/// The command that regenerates every generated file.
pub const REGENERATE: &str = "UPDATE_DOCS=1 cargo test --test docs_fresh";

/// Where the rule pages are, relative to the repository's top.
pub const PAGES_DIR: &str = "docs/rules";

fn generated_note(from: &str) -> String {
    format!("<!-- generated from {from} by `{REGENERATE}`: edit the YAML, not this file -->\n")
}

/// How a page names a server kind of `examples` / `applies_to`.
fn server_title(kind: &str) -> &str {
    match kind {
        "nginx" => "nginx",
        "apache" => "Apache httpd",
        other => other,
    }
}

/// The examples by server kind: nginx, Apache httpd, then any other.
fn servers(d: &RuleDoc) -> Vec<(&str, &Examples)> {
    let mut v: Vec<(&str, &Examples)> = d.examples.iter().map(|(k, e)| (k.as_str(), e)).collect();
    v.sort_by_key(|(k, _)| (*k != "nginx", *k != "apache", *k));
    v
}

/// A fenced code block that no backtick run inside `code` can close.
fn fenced(lang: &str, code: &str) -> String {
    let longest = code.split(|c| c != '`').map(str::len).max().unwrap_or(0);
    let fence = "`".repeat(longest.max(2) + 1);
    format!("{fence}{lang}\n{}\n{fence}\n", code.trim_end())
}

/// `a`, `b` as inline code.
fn code_list(items: &[String]) -> String {
    items
        .iter()
        .map(|i| format!("`{i}`"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// A reference as a list item: URLs as autolinks.
fn reference(r: &str) -> String {
    let r = r.trim();
    if r.starts_with("https://") || r.starts_with("http://") {
        format!("- <{r}>\n")
    } else {
        format!("- {r}\n")
    }
}

/// A table cell: one line, `|` escaped.
fn cell(s: &str) -> String {
    s.split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .replace('|', "\\|")
}

/// The summary as the tables show it: probe-only rules say `--probe`.
fn table_summary(d: &RuleDoc) -> String {
    if d.probe_only.is_some() {
        cell(&format!("`--probe`: {}", d.summary))
    } else {
        cell(&d.summary)
    }
}

const PROBE_ONLY: &str = "Reported by `tlslint PATH --probe`, which compares the running server \
with its configuration: no configuration alone is flagged or clean, so there are no static \
examples.";

/// The examples of one server kind: all of them with their arguments and
/// setup under `###` headings (`full`), or the first bad and the first good
/// one only.
fn examples(kind: &str, ex: &Examples, full: bool) -> String {
    let mut s = String::new();
    if let Some(why) = &ex.not_applicable {
        s.push_str(&format!("**Not applicable:** {}\n\n", why.trim()));
    }
    if full && !ex.args.is_empty() {
        s.push_str(&format!(
            "The examples are linted with `{}`.\n\n",
            ex.args.join(" ")
        ));
    }
    if let (true, Some(setup)) = (full, &ex.setup) {
        s.push_str(
            "The files they read are made by the tests with openssl (script language: \
             `tests/certgen/mod.rs`):\n\n",
        );
        s.push_str(&fenced("text", setup));
        s.push('\n');
    }
    let take = if full { usize::MAX } else { 1 };
    for (what, list) in [("Flagged", &ex.bad), ("Not flagged", &ex.good)] {
        let list: Vec<&String> = list.iter().take(take).collect();
        if list.is_empty() {
            continue;
        }
        s.push_str(&if full {
            format!("### {what}\n\n")
        } else {
            format!("{what}:\n\n")
        });
        for e in list {
            s.push_str(&fenced(kind, e));
            s.push('\n');
        }
    }
    s
}

/// `docs/rules/<CODE>.md`: everything the rule's YAML says, for people.
pub fn page(d: &RuleDoc) -> String {
    let mut s = generated_note(&format!("rules/{}.yaml", d.code));
    s.push_str(&format!("# {} {}\n\n", d.code, d.name));
    s.push_str(&format!("Reports: {}\n\n", d.summary.trim()));
    s.push_str(&format!("- **Code:** {}\n", d.code));
    s.push_str(&format!("- **Name:** `{}`\n", d.name));
    s.push_str(&format!("- **Default severity:** {}\n", d.default_severity));
    s.push_str(&format!("- **Category:** {}\n", d.category));
    if !d.profile_keys.is_empty() {
        s.push_str(&format!(
            "- **Profile keys:** {}\n",
            code_list(&d.profile_keys)
        ));
    }
    if d.probe_only.is_some() {
        s.push_str("- **Reported by:** `tlslint PATH --probe` only\n");
    }
    s.push_str(&format!("\n## Why\n\n{}\n", d.rationale.trim()));
    let reads: Vec<(&str, &Vec<String>)> = [
        ("nginx", &d.applies_to.nginx),
        ("apache", &d.applies_to.apache),
    ]
    .into_iter()
    .filter(|(_, l)| !l.is_empty())
    .collect();
    if !reads.is_empty() {
        s.push_str("\n## Directives read\n\n");
        for (kind, list) in reads {
            s.push_str(&format!("- {}: {}\n", server_title(kind), code_list(list)));
        }
    }
    if let Some(tests) = &d.probe_only {
        // the text starts with the test file (tests/rules_catalog.rs checks):
        // a link relative to this page
        let mut words = tests.split_whitespace();
        let file = words.next().unwrap_or_default();
        let rest = words.collect::<Vec<_>>().join(" ");
        s.push_str(&format!(
            "\n## Probe only\n\n{PROBE_ONLY} The live tests that show it: \
             [{file}](../../{file}) {rest}\n"
        ));
    }
    for (kind, ex) in servers(d) {
        s.push_str(&format!("\n## {}\n\n", server_title(kind)));
        s.push_str(&examples(kind, ex, true));
        s.truncate(s.trim_end().len());
        s.push('\n');
    }
    s.push_str(&format!(
        "\n## Configure\n\n\
         - Explain in the terminal: `tlslint explain {code}`\n\
         - Suppress one finding: `# tlslint: ignore {code} -- REASON` on the line before the \
         directive\n\
         - Turn off in `.tlslint.yaml`: `rules: {{disable: [{code}]}}`; change the severity: \
         `severity: {{{code}: warning}}`\n",
        code = d.code
    ));
    if !d.references.is_empty() {
        s.push_str("\n## References\n\n");
        for r in &d.references {
            s.push_str(&reference(r));
        }
    }
    s
}

/// `docs/rules/README.md`: every rule, linked to its page.
pub fn index(docs: &[RuleDoc]) -> String {
    let mut s = generated_note("rules/*.yaml");
    s.push_str(
        "# Rules\n\n\
         One page per rule, made from its `rules/<CODE>.yaml` (also printed by \
         `tlslint explain CODE`). Codes never change meaning and are never reused.\n\n\
         | code | name | severity | category | what |\n|---|---|---|---|---|\n",
    );
    for d in docs {
        s.push_str(&format!(
            "| [{c}]({c}.md) | {} | {} | {} | {} |\n",
            d.name,
            d.default_severity,
            d.category,
            table_summary(d),
            c = d.code
        ));
    }
    s
}

/// The rule table of README.md, with the marker lines around it.
pub fn readme_table(docs: &[RuleDoc]) -> String {
    let mut s = format!("{README_BEGIN}\n{}", generated_note("rules/*.yaml"));
    s.push_str("| code | name | severity | what |\n|---|---|---|---|\n");
    for d in docs {
        s.push_str(&format!(
            "| [{c}]({PAGES_DIR}/{c}.md) | {} | {} | {} |\n",
            d.name,
            d.default_severity,
            table_summary(d),
            c = d.code
        ));
    }
    s.push_str(README_END);
    s.push('\n');
    s
}

/// `text` with the lines from [`README_BEGIN`] to [`README_END`] replaced by
/// `table` (from [`readme_table`]); `None` without both markers, in order.
pub fn splice_readme(text: &str, table: &str) -> Option<String> {
    let begin = text.find(&format!("{README_BEGIN}\n"))?;
    let end = begin + text[begin..].find(&format!("{README_END}\n"))? + README_END.len() + 1;
    Some(format!("{}{table}{}", &text[..begin], &text[end..]))
}

/// The help SARIF viewers show with a result: summary, rationale, the
/// first bad and good example of each server kind, references and, when
/// there is one, the link to the full page.
pub fn help(d: &RuleDoc, page_url: Option<&str>) -> String {
    let mut s = format!("**{}** ({}): {}\n\n", d.code, d.name, d.summary);
    s.push_str(d.rationale.trim());
    s.push('\n');
    if d.probe_only.is_some() {
        s.push_str(&format!("\n{PROBE_ONLY}\n"));
    }
    for (kind, ex) in servers(d) {
        let ex = examples(kind, ex, false);
        if !ex.is_empty() {
            s.push_str(&format!("\n**{}**\n\n{}", server_title(kind), ex));
            s.truncate(s.trim_end().len());
            s.push('\n');
        }
    }
    if !d.references.is_empty() {
        s.push_str("\nReferences:\n\n");
        for r in &d.references {
            s.push_str(&reference(r));
        }
    }
    if let Some(url) = page_url {
        s.push_str(&format!("\nThe rule's page: <{url}>\n"));
    }
    s
}
