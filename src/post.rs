//! After the rules: the settings (rules enabled, severities, excluded
//! files), inline suppressions (with TLS906 for the bad ones) and the
//! baseline, in that order, over every tree of a run.

use std::collections::{BTreeSet, HashMap};
use std::path::PathBuf;

use crate::baseline::{self, Baseline};
use crate::config::Settings;
use crate::finding::Finding;
use crate::lint::{Checked, Post};
use crate::rules::tls906_suppression_invalid as tls906;
use crate::suppress::{self, Pragma, Suppressed};

/// Apply a tree's settings to its findings: drop disabled rules and
/// excluded files, override severities.
fn settle(c: &Checked, s: &Settings, items: Vec<(Finding, String)>) -> Vec<(Finding, String)> {
    items
        .into_iter()
        .filter(|(f, _)| s.enabled.contains(f.code))
        .filter(|(f, _)| {
            // a file reached through a symlink is excluded by either name
            let sm = c.tree.sources();
            !s.exclude.excludes(sm.path(f.span.file)) && !s.exclude.excludes(sm.shown(f.span.file))
        })
        .map(|(mut f, fp)| {
            if let Some(&sev) = s.severity.get(f.code) {
                f.severity = sev;
            }
            (f, fp)
        })
        .collect()
}

fn pragma_key(c: &Checked, p: &Pragma) -> (PathBuf, u32) {
    let path = c.tree.sources().path(p.span.file);
    let abs = std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf());
    (crate::fsx::lexical_normal(&abs), p.span.start)
}

/// Post-process every tree; `settings[i]` applies to `checked[i]`. With a
/// baseline, findings in it move to `Post.baselined`.
pub fn run(
    checked: &mut [Checked],
    settings: &[&Settings],
    baseline: Option<&mut Baseline>,
) -> Vec<Post> {
    let mut posts = Vec::with_capacity(checked.len());
    let mut pragmas: Vec<Vec<Pragma>> = Vec::with_capacity(checked.len());
    for (c, s) in checked.iter_mut().zip(settings) {
        let mut post = Post {
            config: s.config.clone(),
            fingerprints: Vec::new(),
            suppressed: Vec::new(),
            baselined: Vec::new(),
            baselined_fingerprints: Vec::new(),
            fail_on: s.fail_on,
        };
        if !c.ok() {
            posts.push(post);
            pragmas.push(Vec::new());
            continue;
        }
        let raw = std::mem::take(&mut c.findings);
        let fps = baseline::fingerprints(&c.tree, &raw);
        let items = settle(c, s, raw.into_iter().zip(fps).collect());
        let mut ps = if s.inline_ignores {
            suppress::pragmas_of(&c.tree)
        } else {
            Vec::new()
        };
        let (kept, gone) = suppress::apply(&mut ps, items, |t| &t.0);
        post.suppressed = gone
            .into_iter()
            .map(|((f, fingerprint), i)| Suppressed {
                finding: f,
                by: ps[i].span,
                reason: ps[i].parsed.reason.clone(),
                fingerprint,
            })
            .collect();
        let (f, fp): (Vec<Finding>, Vec<String>) = kept.into_iter().unzip();
        c.findings = f;
        post.fingerprints = fp;
        posts.push(post);
        pragmas.push(ps);
    }

    // TLS906: a suppression in a file several trees read is used if any tree
    // used it, and reported once, in the first tree that reads it.
    let mut used: HashMap<(PathBuf, u32), BTreeSet<&'static str>> = HashMap::new();
    let mut first: HashMap<(PathBuf, u32), (usize, usize)> = HashMap::new();
    for (i, ps) in pragmas.iter().enumerate() {
        for (j, p) in ps.iter().enumerate() {
            let k = pragma_key(&checked[i], p);
            used.entry(k.clone()).or_default().extend(&p.used);
            first.entry(k).or_insert((i, j));
        }
    }
    for (i, c) in checked.iter_mut().enumerate() {
        let s = settings[i];
        if !s.enabled.contains(tls906::META.code) {
            continue;
        }
        let mut new = Vec::new();
        for (j, p) in pragmas[i].iter().enumerate() {
            let k = pragma_key(c, p);
            if first.get(&k) != Some(&(i, j)) {
                continue;
            }
            let all_used = &used[&k];
            let unused: Vec<&'static str> = p
                .parsed
                .codes
                .iter()
                .copied()
                .filter(|code| *code != tls906::META.code)
                .filter(|code| s.enabled.contains(code) && !all_used.contains(code))
                .collect();
            new.extend(tls906::check(p, &unused));
        }
        if new.is_empty() {
            continue;
        }
        let fps = baseline::fingerprints(&c.tree, &new);
        let items = settle(c, s, new.into_iter().zip(fps).collect());
        let (kept, gone) = suppress::apply(&mut pragmas[i], items, |t| &t.0);
        for ((f, fingerprint), j) in gone {
            posts[i].suppressed.push(Suppressed {
                finding: f,
                by: pragmas[i][j].span,
                reason: pragmas[i][j].parsed.reason.clone(),
                fingerprint,
            });
        }
        for (f, fp) in kept {
            c.findings.push(f);
            posts[i].fingerprints.push(fp);
        }
    }

    if let Some(b) = baseline {
        for (c, post) in checked.iter_mut().zip(posts.iter_mut()) {
            let findings = std::mem::take(&mut c.findings);
            let fps = std::mem::take(&mut post.fingerprints);
            for (f, fp) in findings.into_iter().zip(fps) {
                if b.absorb(&c.label, &fp) {
                    post.baselined.push(f);
                    post.baselined_fingerprints.push(fp);
                } else {
                    c.findings.push(f);
                    post.fingerprints.push(fp);
                }
            }
        }
    }
    posts
}
