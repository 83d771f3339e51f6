//! Inline suppressions, written as nginx (and Apache) comments:
//!
//! ```nginx
//! # tlslint: ignore TLS101,TLS501 -- the legacy POS terminals need TLS 1.0 until 2026-06
//! ssl_protocols TLSv1 TLSv1.1 TLSv1.2;
//!
//! # tlslint: ignore-file hsts-missing -- internal names only, no browsers
//! ```
//!
//! - `ignore CODES -- reason` applies to the next directive; when that
//!   directive is a block (`server {`, `http {`, `location {`), to everything
//!   inside it too, and for an `include`, to the files it includes. A comment
//!   at the end of a directive's line (`ssl_protocols TLSv1; # tlslint: ...`)
//!   applies to that directive, and one on the line of a block's `{` to that
//!   block.
//! - `ignore-file CODES -- reason` applies to every finding in its file.
//! - CODES are rule codes or names, separated by commas or spaces
//!   (`ignore=TLS101` is accepted too).
//! - The reason after `--` is required: a suppression without one does not
//!   suppress. Missing reasons, unknown rules and suppressions that suppress
//!   nothing are TLS906 findings at the comment.
//!
//! A finding is matched by its primary span (where it points).

use std::collections::{BTreeSet, HashMap, HashSet};

use crate::finding::Finding;
use crate::nginx::ast::{Comment, Directive, Node};
use crate::nginx::loader::Tree;
use crate::source::{FileId, Span};

/// What a `# tlslint:` comment says, before it is placed in a tree.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Parsed {
    pub file_scope: bool,
    /// Known rules, as codes.
    pub codes: Vec<&'static str>,
    /// Names that are no rule.
    pub unknown: Vec<String>,
    /// The reason after `--` (empty: missing).
    pub reason: String,
    /// Not an `ignore`/`ignore-file` comment: what is wrong.
    pub malformed: Option<String>,
}

/// Parse the text of a comment (after `#`). `None` if it is not addressed to
/// tlslint.
pub fn parse_comment(text: &str) -> Option<Parsed> {
    let t = text.trim_start_matches('#').trim();
    let rest = t
        .strip_prefix("tlslint:")
        .or_else(|| t.strip_prefix("tlslint :"))?;
    let (head, reason) = match rest.find("--") {
        Some(i) => (&rest[..i], rest[i + 2..].trim()),
        None => (rest, ""),
    };
    let head = head.trim();
    // `ignore TLS101 - reason` (or an en/em dash): the reason separator is
    // mistyped; one finding that says so, not one per word of the reason
    if reason.is_empty() {
        let words: Vec<&str> = head.split_whitespace().collect();
        let dash = words
            .iter()
            .skip(1)
            .position(|w| matches!(*w, "-" | "\u{2013}" | "\u{2014}"));
        let kind = words.first().copied().unwrap_or("");
        if let (Some(d), true) = (dash, matches!(kind, "ignore" | "ignore-file")) {
            let codes = &words[1..1 + d];
            return Some(Parsed {
                file_scope: kind == "ignore-file",
                codes: Vec::new(),
                unknown: Vec::new(),
                reason: String::new(),
                malformed: Some(format!(
                    "use `--` before the reason: `# tlslint: {kind} {} -- reason`",
                    if codes.is_empty() {
                        "TLS101".to_string()
                    } else {
                        codes.join(" ")
                    }
                )),
            });
        }
    }
    // split at the first separator, whatever its width (U+00A0 is two bytes)
    let (kind, codes) = match head.split_once(|c: char| c.is_whitespace() || c == '=' || c == ':') {
        Some((k, rest)) => (k, rest.trim_start_matches(['=', ':'])),
        None => (head, ""),
    };
    let mut p = Parsed {
        file_scope: false,
        codes: Vec::new(),
        unknown: Vec::new(),
        reason: reason.to_string(),
        malformed: None,
    };
    match kind {
        "ignore" => {}
        "ignore-file" => p.file_scope = true,
        other => {
            p.malformed = Some(if other.is_empty() {
                "`# tlslint:` without `ignore` or `ignore-file`".to_string()
            } else {
                format!("`{other}` is not a tlslint comment: write `ignore` or `ignore-file`")
            });
            return Some(p);
        }
    }
    for c in codes
        .split(|c: char| c == ',' || c.is_whitespace())
        .filter(|s| !s.is_empty())
    {
        match crate::config::rule_by_name(c) {
            Some(m) => {
                if !p.codes.contains(&m.code) {
                    p.codes.push(m.code)
                }
            }
            None => p.unknown.push(c.to_string()),
        }
    }
    if p.codes.is_empty() && p.unknown.is_empty() {
        p.malformed = Some(format!(
            "`{kind}` names no rule: write `# tlslint: {kind} TLS101 -- reason`"
        ));
    }
    Some(p)
}

/// A byte range of one file (`end` may be `u32::MAX`: the rest of the file).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Range {
    pub file: FileId,
    pub start: u32,
    pub end: u32,
}

impl Range {
    fn whole(file: FileId) -> Range {
        Range {
            file,
            start: 0,
            end: u32::MAX,
        }
    }
    pub fn contains(&self, s: Span) -> bool {
        s.file == self.file && self.start <= s.start && s.start < self.end.max(self.start + 1)
    }
}

/// One suppression comment in a tree.
#[derive(Debug, Clone)]
pub struct Pragma {
    /// The comment.
    pub span: Span,
    pub parsed: Parsed,
    /// What it covers (empty: nothing follows it).
    pub scope: Vec<Range>,
    /// Codes it took a finding away for.
    pub used: BTreeSet<&'static str>,
}

impl Pragma {
    /// True if it suppresses at all: well-formed with a reason.
    pub fn valid(&self) -> bool {
        self.parsed.malformed.is_none() && !self.parsed.reason.is_empty()
    }
    /// What [`apply`]'s index answers, pragma by pragma (for tests).
    #[cfg(test)]
    fn covers(&self, f: &Finding) -> bool {
        self.valid()
            && self.parsed.codes.contains(&f.code)
            && self.scope.iter().any(|r| r.contains(f.span))
    }
}

/// A finding an inline suppression took away.
#[derive(Debug, Clone)]
pub struct Suppressed {
    pub finding: Finding,
    /// The suppression comment.
    pub by: Span,
    pub reason: String,
    /// The finding's baseline fingerprint (as `Post.fingerprints`).
    pub fingerprint: String,
}

/// Every `# tlslint:` comment of a tree, with what it covers.
pub fn pragmas(tree: &Tree) -> Vec<Pragma> {
    let mut out = Vec::new();
    for cf in tree.files.iter().flatten() {
        collect(tree, &cf.items, None, &mut out);
    }
    out
}

fn end_line(tree: &Tree, d: &Directive) -> u32 {
    let end = match &d.block {
        Some(b) => b.close.start,
        None => d.span.end.saturating_sub(1),
    };
    tree.sources.get(d.span.file).line_col(end).0
}

fn open_line(tree: &Tree, d: &Directive) -> u32 {
    tree.sources
        .get(d.span.file)
        .line_col(d.span.end.saturating_sub(1))
        .0
}

fn collect(tree: &Tree, items: &[Node], parent: Option<&Directive>, out: &mut Vec<Pragma>) {
    let mut prev: Option<&Directive> = None;
    for (i, node) in items.iter().enumerate() {
        match node {
            Node::Directive(d) => {
                for c in &d.inner_comments {
                    push(tree, c, Some(d), out);
                }
                if let Some(b) = &d.block {
                    collect(tree, &b.items, Some(d), out);
                }
                prev = Some(d);
            }
            Node::Comment(c) => {
                let target = if let Some(p) = prev.filter(|p| end_line(tree, p) == c.span.line) {
                    Some(p)
                } else if let Some(p) =
                    parent.filter(|p| prev.is_none() && open_line(tree, p) == c.span.line)
                {
                    Some(p)
                } else {
                    items[i + 1..].iter().find_map(Node::as_directive)
                };
                push(tree, c, target, out);
            }
        }
    }
}

fn push(tree: &Tree, c: &Comment, target: Option<&Directive>, out: &mut Vec<Pragma>) {
    let Some(parsed) = parse_comment(&c.text) else {
        return;
    };
    let scope = if parsed.file_scope {
        vec![Range::whole(c.span.file)]
    } else {
        target.map(|d| scope_of(tree, d)).unwrap_or_default()
    };
    out.push(Pragma {
        span: c.span,
        parsed,
        scope,
        used: BTreeSet::new(),
    });
}

/// What a suppression before `d` covers: the directive, its block, and the
/// files that includes in it bring in.
fn scope_of(tree: &Tree, d: &Directive) -> Vec<Range> {
    let end = d.block.as_ref().map(|b| b.close.end).unwrap_or(d.span.end);
    let mut v = vec![Range {
        file: d.span.file,
        start: d.span.start,
        end,
    }];
    let mut seen = HashSet::new();
    included(tree, &[d], &mut seen, &mut v);
    v
}

fn included(tree: &Tree, ds: &[&Directive], seen: &mut HashSet<FileId>, out: &mut Vec<Range>) {
    for d in ds {
        if d.is("include") {
            for &f in &d.includes {
                if seen.insert(f) {
                    out.push(Range::whole(f));
                    if let Some(cf) = tree.file(f) {
                        let inner: Vec<&Directive> =
                            cf.items.iter().filter_map(Node::as_directive).collect();
                        included(tree, &inner, seen, out);
                    }
                }
            }
        }
        if let Some(b) = &d.block {
            let inner: Vec<&Directive> = b.items.iter().filter_map(Node::as_directive).collect();
            included(tree, &inner, seen, out);
        }
    }
}

/// Take the findings that a valid suppression covers out of `items`; mark
/// the suppressions used. `finding` gets the finding out of an item.
///
/// The suppressions are indexed by (file, code), each list sorted by where
/// its ranges start with the farthest end reached so far: a finding looks
/// only at ranges of its file and code that start before it, from the
/// nearest back, and stops where no earlier range reaches it. 20,000
/// suppressions against 20,000 findings took ~18 s as a product; one range
/// or a few per finding now.
pub fn apply<T>(
    pragmas: &mut [Pragma],
    items: Vec<T>,
    finding: impl Fn(&T) -> &Finding,
) -> (Vec<T>, Vec<(T, usize)>) {
    // (start, end as Range::contains reads it, pragma)
    type Entry = (u32, u32, usize);
    let mut index: HashMap<(FileId, &'static str), (Vec<Entry>, Vec<u32>)> = HashMap::new();
    for (i, p) in pragmas.iter().enumerate().filter(|(_, p)| p.valid()) {
        for &code in &p.parsed.codes {
            for r in &p.scope {
                let end = r.end.max(r.start.saturating_add(1));
                index
                    .entry((r.file, code))
                    .or_default()
                    .0
                    .push((r.start, end, i));
            }
        }
    }
    for (entries, reach) in index.values_mut() {
        entries.sort_unstable();
        let mut far = 0;
        *reach = entries
            .iter()
            .map(|e| {
                far = far.max(e.1);
                far
            })
            .collect();
    }
    let mut kept = Vec::new();
    let mut gone = Vec::new();
    for it in items {
        let f = finding(&it);
        let x = f.span.start;
        // the innermost (last-starting) suppression that covers it gets the credit
        let mut by: Option<usize> = None;
        if let Some((entries, reach)) = index.get(&(f.span.file, f.code)) {
            let before = entries.partition_point(|e| e.0 <= x);
            for k in (0..before).rev() {
                if reach[k] <= x {
                    break;
                }
                let (_, end, i) = entries[k];
                if x < end {
                    let key = |i: usize| (!pragmas[i].parsed.file_scope, pragmas[i].span.start, i);
                    if by.is_none_or(|b| key(i) > key(b)) {
                        by = Some(i);
                    }
                }
            }
        }
        match by {
            Some(i) => {
                pragmas[i].used.insert(f.code);
                gone.push((it, i));
            }
            None => kept.push(it),
        }
    }
    (kept, gone)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn span(file: u32, start: u32) -> Span {
        Span {
            file: FileId(file),
            start,
            end: start + 1,
            line: 1,
            col: 1,
        }
    }

    fn finding(code: &'static str, at: Span) -> Finding {
        Finding {
            code,
            name: "",
            severity: crate::finding::Severity::Warning,
            message: String::new(),
            span: at,
            label: String::new(),
            related: Vec::new(),
            help: None,
            endpoints: Vec::new(),
            evidence: Default::default(),
        }
    }

    fn pragma(at: Span, file_scope: bool, codes: Vec<&'static str>, scope: Vec<Range>) -> Pragma {
        Pragma {
            span: at,
            parsed: Parsed {
                file_scope,
                codes,
                unknown: Vec::new(),
                reason: "a reason".into(),
                malformed: None,
            },
            scope,
            used: BTreeSet::new(),
        }
    }

    /// The product the index replaces: every suppression for every finding.
    fn by_product(pragmas: &[Pragma], f: &Finding) -> Option<usize> {
        pragmas
            .iter()
            .enumerate()
            .filter(|(_, p)| p.covers(f))
            .max_by_key(|(i, p)| (!p.parsed.file_scope, p.span.start, *i))
            .map(|(i, _)| i)
    }

    #[test]
    fn the_index_credits_the_suppression_the_product_credits() {
        // nested and overlapping ranges in two files, three codes, file scopes
        let mut rng = 0x2545_f491_u64;
        let mut next = |n: u32| {
            rng ^= rng << 13;
            rng ^= rng >> 7;
            rng ^= rng << 17;
            (rng % u64::from(n)) as u32
        };
        let codes = ["TLS101", "TLS201", "TLS501"];
        let mut pragmas = Vec::new();
        for _ in 0..300 {
            let file = next(2);
            let start = next(1000);
            let whole = next(10) == 0;
            let range = Range {
                file: FileId(file),
                start: if whole { 0 } else { start },
                end: if whole { u32::MAX } else { start + next(200) },
            };
            let cs = vec![codes[next(3) as usize]];
            pragmas.push(pragma(
                span(file, start.saturating_sub(1)),
                whole,
                cs,
                vec![range],
            ));
        }
        for _ in 0..3000 {
            let f = finding(codes[next(3) as usize], span(next(2), next(1300)));
            let want = by_product(&pragmas, &f);
            let (_, gone) = apply(&mut pragmas, vec![f], |f| f);
            assert_eq!(gone.first().map(|g| g.1), want);
        }
    }

    #[test]
    fn twenty_thousand_suppressions_are_not_a_product() {
        let n = 20_000u32;
        let mut pragmas: Vec<Pragma> = (0..n)
            .map(|i| {
                let r = Range {
                    file: FileId(0),
                    start: 10 * i + 5,
                    end: 10 * i + 9,
                };
                pragma(span(0, 10 * i), false, vec!["TLS101"], vec![r])
            })
            .collect();
        let findings: Vec<Finding> = (0..n)
            .map(|i| finding("TLS101", span(0, 10 * i + 6)))
            .collect();
        let t = std::time::Instant::now();
        let (kept, gone) = apply(&mut pragmas, findings, |f| f);
        assert!(kept.is_empty());
        assert!(gone.iter().enumerate().all(|(k, g)| g.1 == k));
        assert!(pragmas.iter().all(|p| p.used.contains("TLS101")));
        // 400 million range checks took ~18 s; the index takes milliseconds
        assert!(t.elapsed() < std::time::Duration::from_secs(10));
    }

    #[test]
    fn wide_separators_do_not_panic() {
        let p = super::parse_comment("# tlslint: ignore\u{a0}TLS101 -- a reason").unwrap();
        assert_eq!(p.codes, vec!["TLS101"]);
        for text in [
            "# tlslint: ignore\u{3000}",
            "# tlslint:\u{2003}",
            "# tlslint: ignore=\u{a0}é -- x",
        ] {
            let _ = super::parse_comment(text);
        }
    }

    #[test]
    fn comment_forms() {
        let p = parse_comment(" tlslint: ignore TLS101, protocol-outside-profile -- legacy POS")
            .unwrap();
        assert_eq!(p.codes, vec!["TLS101"]);
        assert_eq!(p.reason, "legacy POS");
        assert!(!p.file_scope && p.malformed.is_none());
        let p = parse_comment("tlslint: ignore-file=TLS101--x").unwrap();
        assert!(p.file_scope);
        assert_eq!(p.reason, "x");
        let p = parse_comment("tlslint: ignore TLS101").unwrap();
        assert_eq!(p.reason, "");
        let p = parse_comment("tlslint: ignore TLS999 TLS101 -- r").unwrap();
        assert_eq!(p.unknown, vec!["TLS999"]);
        assert_eq!(p.codes, vec!["TLS101"]);
        assert!(parse_comment("tlslint: disable TLS101 -- r")
            .unwrap()
            .malformed
            .is_some());
        assert!(parse_comment("tlslint: ignore -- r")
            .unwrap()
            .malformed
            .is_some());
        assert!(parse_comment(" a comment about tlslint").is_none());
    }

    #[test]
    fn one_dash_before_the_reason_is_one_mistake() {
        for text in [
            "tlslint: ignore TLS101 - POS terminals need it",
            "tlslint: ignore TLS101 \u{2014} POS terminals need it",
        ] {
            let p = parse_comment(text).unwrap();
            assert_eq!(
                p.malformed.as_deref(),
                Some("use `--` before the reason: `# tlslint: ignore TLS101 -- reason`"),
                "{text}"
            );
            assert!(p.unknown.is_empty() && p.codes.is_empty());
        }
        let p = parse_comment("tlslint: ignore-file TLS101 TLS501 - x").unwrap();
        assert!(p.file_scope);
        assert!(p
            .malformed
            .unwrap()
            .contains("ignore-file TLS101 TLS501 -- reason"));
        // a dash inside the reason after `--` is fine
        let p = parse_comment("tlslint: ignore TLS101 -- a - b").unwrap();
        assert!(p.malformed.is_none() && p.reason == "a - b");
        // a lone dash as the first word is no kind at all
        assert!(parse_comment("tlslint: - x").unwrap().malformed.is_some());
    }
}

/// The suppression comments of a tree, whichever the server.
pub fn pragmas_of(tree: &crate::lint::Loaded) -> Vec<Pragma> {
    match tree {
        crate::lint::Loaded::Nginx(t) => pragmas(t),
        crate::lint::Loaded::Apache(t) => apache_pragmas(t),
    }
}

/// Apache: httpd reads `#` only at the start of a line, so a suppression is a
/// comment line and covers the next directive or section (with the files
/// its includes read), or the whole file (`ignore-file`).
pub fn apache_pragmas(tree: &crate::apache::loader::Tree) -> Vec<Pragma> {
    use crate::apache::ast::Node as ANode;
    fn scope(tree: &crate::apache::loader::Tree, d: &crate::apache::ast::Directive) -> Vec<Range> {
        let end = d
            .block
            .as_ref()
            .and_then(|b| b.close.map(|c| c.end))
            .unwrap_or(d.span.end);
        let mut v = vec![Range {
            file: d.span.file,
            start: d.span.start,
            end,
        }];
        let mut seen = HashSet::new();
        let mut stack = vec![d];
        while let Some(d) = stack.pop() {
            for &f in &d.includes {
                if seen.insert(f) && seen.len() < 100_000 {
                    v.push(Range::whole(f));
                    if let Some(cf) = tree.file(f) {
                        stack.extend(cf.items.iter().filter_map(ANode::as_directive));
                    }
                }
            }
            stack.extend(d.items().iter().filter_map(ANode::as_directive));
        }
        v
    }
    fn walk(tree: &crate::apache::loader::Tree, items: &[ANode], out: &mut Vec<Pragma>) {
        for (i, node) in items.iter().enumerate() {
            match node {
                ANode::Directive(d) => walk(tree, d.items(), out),
                ANode::Comment(c) => {
                    let Some(parsed) = parse_comment(&c.text) else {
                        continue;
                    };
                    let scope = if parsed.file_scope {
                        vec![Range::whole(c.span.file)]
                    } else {
                        items[i + 1..]
                            .iter()
                            .find_map(ANode::as_directive)
                            .map(|d| scope(tree, d))
                            .unwrap_or_default()
                    };
                    out.push(Pragma {
                        span: c.span,
                        parsed,
                        scope,
                        used: BTreeSet::new(),
                    });
                }
            }
        }
    }
    let mut out = Vec::new();
    let mut seen = HashSet::new();
    for cf in tree.files.iter().flatten() {
        // a file read twice holds its comments once
        if seen.insert(cf.file) {
            walk(tree, &cf.items, &mut out);
        }
    }
    out
}
