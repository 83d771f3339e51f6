//! "Did you mean ...?": the nearest valid word to a mistyped one, as rustc
//! and cargo suggest (edit distance at most a third of the word's length,
//! at least 1; ties go to the first candidate).

/// Edit distance with adjacent transpositions (optimal string alignment:
/// `prase` is one edit from `parse`), over characters, compared
/// case-insensitively.
pub fn distance(a: &str, b: &str) -> usize {
    let a: Vec<char> = a.chars().flat_map(char::to_lowercase).collect();
    let b: Vec<char> = b.chars().flat_map(char::to_lowercase).collect();
    // three rows: i-2, i-1, i
    let mut before: Vec<usize> = vec![0; b.len() + 1];
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    let mut cur = vec![0; b.len() + 1];
    for i in 1..=a.len() {
        cur[0] = i;
        for j in 1..=b.len() {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            let mut d = (prev[j] + 1).min(cur[j - 1] + 1).min(prev[j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                d = d.min(before[j - 2] + 1);
            }
            cur[j] = d;
        }
        std::mem::swap(&mut before, &mut prev);
        std::mem::swap(&mut prev, &mut cur);
    }
    prev[b.len()]
}

/// The candidate nearest to `word`, if one is near enough to be a typo.
/// Words longer than 64 characters get no suggestion (the distance is
/// quadratic in length).
pub fn nearest<'c>(word: &str, candidates: impl IntoIterator<Item = &'c str>) -> Option<&'c str> {
    let n = word.chars().count();
    if n == 0 || n > 64 {
        return None;
    }
    let limit = (n / 3).max(1);
    let mut best: Option<(usize, &str)> = None;
    for c in candidates {
        if c.chars().count() > 64 {
            continue;
        }
        let d = distance(word, c);
        if d <= limit && best.is_none_or(|(bd, _)| d < bd) {
            best = Some((d, c));
        }
    }
    best.map(|(_, c)| c)
}

/// A candidate that starts with `word` (case-insensitively), when exactly
/// one does: `explain hsts-miss` for `hsts-missing`.
pub fn unique_prefix<'c>(
    word: &str,
    candidates: impl IntoIterator<Item = &'c str>,
) -> Option<&'c str> {
    let w = word.to_ascii_lowercase();
    let mut found = None;
    for c in candidates {
        if c.to_ascii_lowercase().starts_with(&w) {
            if found.is_some() {
                return None;
            }
            found = Some(c);
        }
    }
    found
}

/// `" (did you mean `X`?)"`, or nothing.
pub fn did_you_mean<'c>(word: &str, candidates: impl IntoIterator<Item = &'c str>) -> String {
    match nearest(word, candidates) {
        Some(c) => format!("; did you mean `{c}`?"),
        None => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn distances() {
        assert_eq!(distance("", ""), 0);
        assert_eq!(distance("rule", "rules"), 1);
        assert_eq!(distance("moderm", "modern"), 1);
        assert_eq!(distance("HGIH", "HIGH"), 1);
        assert_eq!(distance("HGIH", "HGHI"), 1);
        assert_eq!(distance("Modern", "modern"), 0);
        assert_eq!(distance("prase", "parse"), 1);
        assert_eq!(distance("ab", "ba"), 1);
        assert_eq!(distance("abc", ""), 3);
    }

    #[test]
    fn nearest_words() {
        let cmds = ["check", "parse", "ciphers", "rules", "probe", "explain"];
        assert_eq!(nearest("rule", cmds), Some("rules"));
        assert_eq!(nearest("prase", cmds), Some("parse"));
        assert_eq!(nearest("xyz", cmds), None);
        assert_eq!(nearest("nginx", cmds), None);
        assert_eq!(
            nearest("moderm", ["old", "intermediate", "modern"]),
            Some("modern")
        );
        assert_eq!(nearest(&"a".repeat(200), ["a"]), None);
    }

    #[test]
    fn prefixes() {
        let names = ["hsts-missing", "hsts-too-short", "ocsp-stapling-off"];
        assert_eq!(unique_prefix("hsts", names), None);
        assert_eq!(unique_prefix("hsts-m", names), Some("hsts-missing"));
        assert_eq!(unique_prefix("OCSP", names), Some("ocsp-stapling-off"));
    }
}
