//! A small regular expression matcher for `<IfVersion ~ RE>` (mod_version
//! matches the version string, e.g. `2.4.71`, with `ap_pregcomp`, which is
//! PCRE). Supported: literals, `.`, bracket expressions (ranges, `^`
//! negation, `[:digit:]`-style classes), `^`, `$`, groups, `|`, `*`, `+`,
//! `?`, `{m}`, `{m,}`, `{m,n}`, `\d` `\w` `\s` (and negations), and `\`
//! escapes.
//! Matching backtracks with a step budget: a pattern that would take too
//! long is treated as not compiling rather than hanging.

#[derive(Debug, Clone)]
enum Node {
    Char(char),
    Any,
    Class(Vec<(char, char)>, bool),
    Start,
    End,
    Group(Box<Node>),
    Alt(Vec<Node>),
    Concat(Vec<Node>),
    Repeat(Box<Node>, u32, Option<u32>),
}

struct P<'a> {
    s: &'a [char],
    i: usize,
}

impl P<'_> {
    fn peek(&self) -> Option<char> {
        self.s.get(self.i).copied()
    }
    fn alt(&mut self, depth: u32) -> Option<Node> {
        if depth > 50 {
            return None;
        }
        let mut alts = vec![self.concat(depth)?];
        while self.peek() == Some('|') {
            self.i += 1;
            alts.push(self.concat(depth)?);
        }
        Some(if alts.len() == 1 {
            alts.pop()?
        } else {
            Node::Alt(alts)
        })
    }
    fn concat(&mut self, depth: u32) -> Option<Node> {
        let mut items = Vec::new();
        while let Some(c) = self.peek() {
            if c == '|' || c == ')' {
                break;
            }
            let atom = self.atom(depth)?;
            let atom = self.quant(atom)?;
            items.push(atom);
        }
        Some(Node::Concat(items))
    }
    fn quant(&mut self, mut atom: Node) -> Option<Node> {
        loop {
            match self.peek() {
                Some('*') => {
                    self.i += 1;
                    atom = Node::Repeat(Box::new(atom), 0, None);
                }
                Some('+') => {
                    self.i += 1;
                    atom = Node::Repeat(Box::new(atom), 1, None);
                }
                Some('?') => {
                    self.i += 1;
                    atom = Node::Repeat(Box::new(atom), 0, Some(1));
                }
                Some('{') => {
                    let save = self.i;
                    self.i += 1;
                    let num = |p: &mut Self| -> Option<u32> {
                        let st = p.i;
                        while p.peek().is_some_and(|c| c.is_ascii_digit()) {
                            p.i += 1;
                        }
                        if p.i == st {
                            return None;
                        }
                        p.s[st..p.i].iter().collect::<String>().parse().ok()
                    };
                    let Some(m) = num(self) else {
                        self.i = save;
                        return Some(atom);
                    };
                    let n = if self.peek() == Some(',') {
                        self.i += 1;
                        if self.peek() == Some('}') {
                            None
                        } else {
                            Some(num(self)?)
                        }
                    } else {
                        Some(m)
                    };
                    if self.peek() != Some('}') || m > 255 || n.is_some_and(|n| n < m || n > 255) {
                        return None;
                    }
                    self.i += 1;
                    atom = Node::Repeat(Box::new(atom), m, n);
                }
                _ => return Some(atom),
            }
        }
    }
    fn atom(&mut self, depth: u32) -> Option<Node> {
        let c = self.peek()?;
        self.i += 1;
        Some(match c {
            '.' => Node::Any,
            '^' => Node::Start,
            '$' => Node::End,
            '(' => {
                let inner = self.alt(depth + 1)?;
                if self.peek() != Some(')') {
                    return None;
                }
                self.i += 1;
                Node::Group(Box::new(inner))
            }
            '[' => self.class()?,
            '\\' => {
                let e = self.peek()?;
                self.i += 1;
                // httpd's regular expressions are PCRE: its class escapes too
                let digit = vec![('0', '9')];
                let word = vec![('a', 'z'), ('A', 'Z'), ('0', '9'), ('_', '_')];
                let space = vec![(' ', ' '), ('\t', '\r')];
                match e {
                    'd' => Node::Class(digit, false),
                    'D' => Node::Class(digit, true),
                    'w' => Node::Class(word, false),
                    'W' => Node::Class(word, true),
                    's' => Node::Class(space, false),
                    'S' => Node::Class(space, true),
                    c => Node::Char(c),
                }
            }
            '*' | '+' | '?' => return None,
            c => Node::Char(c),
        })
    }
    fn class(&mut self) -> Option<Node> {
        let mut neg = false;
        if self.peek() == Some('^') {
            neg = true;
            self.i += 1;
        }
        let mut ranges = Vec::new();
        let mut first = true;
        loop {
            let c = self.peek()?;
            self.i += 1;
            if c == ']' && !first {
                break;
            }
            first = false;
            // `[:name:]`: the closing `:]` comes after the opening `:`; without
            // one (`[[:]]`) PCRE reads the `[` as a literal (httpd accepts it)
            let posix_end = if c == '[' && self.peek() == Some(':') {
                let rest: String = self.s[self.i..].iter().collect();
                rest.get(1..)
                    .and_then(|r| r.find(":]"))
                    .map(|e| (rest, e + 1))
            } else {
                None
            };
            if let Some((rest, end)) = posix_end {
                let name = &rest[1..end];
                self.i += end + 2;
                let r: &[(char, char)] = match name {
                    "digit" => &[('0', '9')],
                    "alpha" => &[('a', 'z'), ('A', 'Z')],
                    "alnum" => &[('a', 'z'), ('A', 'Z'), ('0', '9')],
                    "upper" => &[('A', 'Z')],
                    "lower" => &[('a', 'z')],
                    "space" => &[(' ', ' '), ('\t', '\r')],
                    "xdigit" => &[('0', '9'), ('a', 'f'), ('A', 'F')],
                    "punct" => &[('!', '/'), (':', '@'), ('[', '`'), ('{', '~')],
                    _ => return None,
                };
                ranges.extend_from_slice(r);
                continue;
            }
            if self.peek() == Some('-') && self.s.get(self.i + 1).is_some_and(|&h| h != ']') {
                let hi = self.s[self.i + 1];
                self.i += 2;
                ranges.push((c, hi));
            } else {
                ranges.push((c, c));
            }
        }
        Some(Node::Class(ranges, neg))
    }
}

struct M<'a> {
    t: &'a [char],
    steps: u64,
}

const BUDGET: u64 = 1_000_000;

impl M<'_> {
    /// Match `n` at `i`, then the continuation `k`.
    fn m(&mut self, n: &Node, i: usize, k: &mut dyn FnMut(&mut Self, usize) -> bool) -> bool {
        self.steps += 1;
        if self.steps > BUDGET {
            return false;
        }
        match n {
            Node::Char(c) => self.t.get(i) == Some(c) && k(self, i + 1),
            Node::Any => i < self.t.len() && k(self, i + 1),
            Node::Class(r, neg) => match self.t.get(i) {
                Some(&c) => (r.iter().any(|&(a, b)| a <= c && c <= b) != *neg) && k(self, i + 1),
                None => false,
            },
            Node::Start => i == 0 && k(self, i),
            Node::End => i == self.t.len() && k(self, i),
            Node::Group(g) => self.m(g, i, k),
            Node::Alt(v) => v.iter().any(|a| self.m(a, i, k)),
            Node::Concat(v) => self.seq(v, i, k),
            Node::Repeat(a, min, max) => self.rep(a, *min, *max, i, k),
        }
    }
    fn seq(&mut self, v: &[Node], i: usize, k: &mut dyn FnMut(&mut Self, usize) -> bool) -> bool {
        match v.split_first() {
            None => k(self, i),
            Some((h, t)) => self.m(h, i, &mut |s: &mut Self, j| s.seq(t, j, k)),
        }
    }
    fn rep(
        &mut self,
        a: &Node,
        min: u32,
        max: Option<u32>,
        i: usize,
        k: &mut dyn FnMut(&mut Self, usize) -> bool,
    ) -> bool {
        if self.steps > BUDGET {
            return false;
        }
        // greedy: one more first (if allowed and it consumes), then stop
        if max != Some(0) {
            let more = self.m(a, i, &mut |s: &mut Self, j| {
                j > i && s.rep(a, min.saturating_sub(1), max.map(|m| m - 1), j, k)
            });
            if more {
                return true;
            }
        }
        min == 0 && k(self, i)
    }
}

/// Whether `re` matches somewhere in `text`; None if `re` does not compile
/// (or needs too many steps).
pub fn matches(re: &str, text: &str) -> Option<bool> {
    let pat: Vec<char> = re.chars().collect();
    let mut p = P { s: &pat, i: 0 };
    let node = p.alt(0)?;
    if p.i != pat.len() {
        return None;
    }
    let t: Vec<char> = text.chars().collect();
    let mut m = M { t: &t, steps: 0 };
    for start in 0..=t.len() {
        if m.m(&node, start, &mut |_, _| true) {
            return Some(true);
        }
        if m.steps > BUDGET {
            return None;
        }
    }
    Some(false)
}

#[cfg(test)]
mod tests {
    use super::matches;

    #[test]
    fn basics() {
        assert_eq!(matches(r"^2\.4\.", "2.4.71"), Some(true));
        assert_eq!(matches(r"^2\.2", "2.4.71"), Some(false));
        assert_eq!(matches(r"^2\.4\.(6|7)[0-9]$", "2.4.71"), Some(true));
        assert_eq!(matches(r"^2\.4\.[[:digit:]]{2}$", "2.4.71"), Some(true));
        assert_eq!(matches(r"7+1", "2.4.71"), Some(true));
        assert_eq!(matches(r"^\d\.\d+\.\d+$", "2.4.71"), Some(true));
        assert_eq!(matches(r"\s", "2.4.71"), Some(false));
        assert_eq!(matches(r"x*$", "abc"), Some(true));
        assert_eq!(matches(r"(a", "a"), None);
        // exponential backtracking ends (as no match or as not compiling)
        assert_ne!(matches(r"(a*)*b", &"a".repeat(40)), Some(true));
    }

    #[test]
    fn broken_classes_do_not_panic() {
        // PCRE (httpd's `apache2 -t` says Syntax OK): `[` is a literal when no
        // `:]` closes a class name: `[[:]]` is the class {[, :} then `]`
        assert_eq!(matches("[[:]]", "2.4.71"), Some(false));
        assert_eq!(matches("[[:]]", "a:]"), Some(true));
        // and refuses these, as `apache2 -t` does ("Unable to compile regular expression")
        for re in ["[[:", "[[::]]", "[[:nope:]]", "[[:digit:]"] {
            assert_eq!(matches(re, "2.4.71"), None, "{re}");
        }
    }
}
