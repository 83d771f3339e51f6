//! The rule documentation generated from rules/*.yaml is up to date: every
//! docs/rules/<CODE>.md, the index docs/rules/README.md and the rule table of
//! README.md (between `<!-- rules:begin -->` and `<!-- rules:end -->`), as
//! `tlslint::rules::doc::markdown` makes them from every rules/*.yaml found.
//!
//! To regenerate, no xtask and no other tool, just this test:
//!
//!     UPDATE_DOCS=1 cargo test --test docs_fresh
//!
//! It rewrites every generated file that differs and removes pages whose
//! YAML is gone. Edit rules/<CODE>.yaml, never the generated files.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use tlslint::rules::doc::{self, markdown, RuleDoc};

fn manifest() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// Every rules/*.yaml, parsed, in code order.
fn rule_docs() -> Vec<RuleDoc> {
    let mut docs = Vec::new();
    for e in std::fs::read_dir(manifest().join("rules"))
        .unwrap()
        .flatten()
    {
        let path = e.path();
        let Some(stem) = path
            .file_name()
            .and_then(|n| n.to_str())
            .and_then(|n| n.strip_suffix(".yaml"))
        else {
            continue;
        };
        let text = std::fs::read_to_string(&path).unwrap();
        let d = doc::parse(&text, &path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        assert_eq!(d.code, stem, "{}: code vs file name", path.display());
        docs.push(d);
    }
    docs.sort_by(|a, b| a.code.cmp(&b.code));
    assert!(docs.len() >= 50, "rules/*.yaml missing: {}", docs.len());
    docs
}

/// Every generated file (relative path -> content) as the YAML makes it.
fn generated(docs: &[RuleDoc]) -> BTreeMap<PathBuf, String> {
    let dir = Path::new(markdown::PAGES_DIR);
    let mut out = BTreeMap::new();
    for d in docs {
        out.insert(dir.join(format!("{}.md", d.code)), markdown::page(d));
    }
    out.insert(dir.join("README.md"), markdown::index(docs));
    let readme = std::fs::read_to_string(manifest().join("README.md")).unwrap();
    let spliced =
        markdown::splice_readme(&readme, &markdown::readme_table(docs)).unwrap_or_else(|| {
            panic!(
                "README.md has no line `{}` followed by a line `{}` around the rule table",
                markdown::README_BEGIN,
                markdown::README_END
            )
        });
    out.insert(PathBuf::from("README.md"), spliced);
    out
}

#[test]
fn generated_docs_are_fresh() {
    let docs = rule_docs();
    let want = generated(&docs);
    let update = std::env::var_os("UPDATE_DOCS").is_some_and(|v| !v.is_empty() && v != "0");
    let mut stale = Vec::new();
    for (rel, text) in &want {
        let path = manifest().join(rel);
        if std::fs::read_to_string(&path).ok().as_deref() == Some(text.as_str()) {
            continue;
        }
        if update {
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(&path, text).unwrap();
        }
        stale.push(rel.display().to_string());
    }
    // pages of rules that have no YAML any more
    let dir = manifest().join(markdown::PAGES_DIR);
    for e in std::fs::read_dir(&dir).into_iter().flatten().flatten() {
        let rel = Path::new(markdown::PAGES_DIR).join(e.file_name());
        if rel.extension().is_some_and(|x| x == "md") && !want.contains_key(&rel) {
            if update {
                std::fs::remove_file(e.path()).unwrap();
            }
            stale.push(format!("{} (no rules/*.yaml)", rel.display()));
        }
    }
    if update {
        if !stale.is_empty() {
            eprintln!("rewrote: {}", stale.join(", "));
        }
        return;
    }
    assert!(
        stale.is_empty(),
        "generated docs are stale: {}\nregenerate them from rules/*.yaml with:\n    {}",
        stale.join(", "),
        markdown::REGENERATE
    );
}

/// A page has everything its YAML says, examples as fenced blocks of
/// their server's language.
#[test]
fn pages_say_what_the_yaml_says() {
    for d in rule_docs() {
        let p = markdown::page(&d);
        let code = &d.code;
        assert!(p.contains(&format!("# {code} {}\n", d.name)), "{code}");
        assert!(p.contains(d.summary.trim()), "{code}: summary");
        assert!(
            p.contains(&format!("**Default severity:** {}", d.default_severity)),
            "{code}"
        );
        for para in d.rationale.split("\n\n") {
            assert!(p.contains(para.trim()), "{code}: rationale {para:?}");
        }
        for dir in d.applies_to.nginx.iter().chain(&d.applies_to.apache) {
            assert!(p.contains(&format!("`{dir}`")), "{code}: directive {dir}");
        }
        for r in &d.references {
            assert!(p.contains(r.trim()), "{code}: reference {r}");
        }
        if let Some(t) = &d.probe_only {
            assert!(p.contains("## Probe only"), "{code}");
            let first = t.split_whitespace().next().unwrap();
            assert!(p.contains(first), "{code}: live tests {first}");
        }
        for (kind, ex) in &d.examples {
            if let Some(why) = &ex.not_applicable {
                assert!(
                    p.contains(&format!("**Not applicable:** {}", why.trim())),
                    "{code}: {kind} not applicable"
                );
            }
            for e in ex.bad.iter().chain(&ex.good) {
                let block = format!("```{kind}\n{}\n```\n", e.trim_end());
                assert!(
                    p.contains(&block),
                    "{code}: {kind} example not fenced:\n{e}"
                );
            }
            if !ex.args.is_empty() {
                assert!(p.contains(&ex.args.join(" ")), "{code}: args");
            }
            if let Some(setup) = &ex.setup {
                assert!(p.contains(setup.trim_end()), "{code}: setup");
            }
            // bad examples come under "Flagged", good ones under "Not flagged"
            let section = &p[p.find(&format!("\n## {}\n", title(kind))).unwrap()..];
            let section = &section[..section[4..].find("\n## ").map_or(section.len(), |i| i + 4)];
            if let Some(bad) = ex.bad.first() {
                let at = section.find(bad.trim_end()).unwrap();
                assert!(section[..at].contains("### Flagged"), "{code}: {kind}");
                assert!(!section[..at].contains("### Not flagged"), "{code}: {kind}");
            }
            if let Some(good) = ex.good.first() {
                let at = section.find(good.trim_end()).unwrap();
                assert!(section[..at].contains("### Not flagged"), "{code}: {kind}");
            }
        }
    }
}

fn title(kind: &str) -> &str {
    match kind {
        "apache" => "Apache httpd",
        k => k,
    }
}

/// The tables list every rule once, linked to its page.
#[test]
fn tables_list_every_rule_once() {
    let docs = rule_docs();
    let index = markdown::index(&docs);
    let table = markdown::readme_table(&docs);
    assert!(table.starts_with(&format!("{}\n", markdown::README_BEGIN)));
    assert!(table.ends_with(&format!("{}\n", markdown::README_END)));
    for d in &docs {
        let c = &d.code;
        assert_eq!(
            index.matches(&format!("| [{c}]({c}.md) |")).count(),
            1,
            "{c}"
        );
        assert_eq!(
            table
                .matches(&format!(
                    "| [{c}](docs/rules/{c}.md) | {} | {} |",
                    d.name, d.default_severity
                ))
                .count(),
            1,
            "{c}"
        );
    }
    // one table: no blank line between the header and the last row
    let rows = table.lines().filter(|l| l.starts_with('|')).count();
    assert_eq!(rows, docs.len() + 2);
    let body: Vec<&str> = table.lines().skip_while(|l| !l.starts_with('|')).collect();
    assert!(body[..rows].iter().all(|l| l.starts_with('|')), "{table}");
    // probe-only rules say so in the tables
    let probe = docs.iter().find(|d| d.probe_only.is_some()).unwrap();
    assert!(index.contains(&format!("| `--probe`: {} |", probe.summary)));
}

#[test]
fn splice_replaces_only_the_marked_region() {
    let table = format!(
        "{}\nNEW\n{}\n",
        markdown::README_BEGIN,
        markdown::README_END
    );
    let text = format!(
        "before\n{}\nold 1\nold 2\n{}\nafter\n",
        markdown::README_BEGIN,
        markdown::README_END
    );
    assert_eq!(
        markdown::splice_readme(&text, &table).unwrap(),
        format!("before\n{table}after\n")
    );
    assert_eq!(markdown::splice_readme("no markers\n", &table), None);
    let reversed = format!("{}\n{}\n", markdown::README_END, markdown::README_BEGIN);
    assert_eq!(markdown::splice_readme(&reversed, &table), None);
}

#[test]
fn page_urls_are_under_the_repository() {
    assert_eq!(doc::page_url_in("", "TLS101"), None);
    assert_eq!(doc::page_url_in("  ", "TLS101"), None);
    for base in [
        "https://github.com/o/tlslint",
        "https://github.com/o/tlslint/",
        "https://github.com/o/tlslint.git",
    ] {
        assert_eq!(
            doc::page_url_in(base, "TLS101").as_deref(),
            Some("https://github.com/o/tlslint/blob/HEAD/docs/rules/TLS101.md"),
            "{base}"
        );
    }
    assert_eq!(
        doc::page_url("TLS101").is_some(),
        !env!("CARGO_PKG_REPOSITORY").trim().is_empty()
    );
}
