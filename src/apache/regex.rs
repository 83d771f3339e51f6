//! httpd's regular expressions (`<IfVersion ~ RE>`, `<IfVersion /RE/>`):
//! mod_version compiles them with `ap_pregcomp`, which is PCRE2 without UTF
//! mode (the pattern is bytes) and with httpd's default options
//! (`AP_REG_DEFAULT`: DOTALL and DOLLAR_ENDONLY).
//!
//! The pattern is read here as PCRE2 10.42 reads it (the version Debian's
//! httpd 2.4 links) and rewritten for the `regex` crate (bytes, ASCII
//! classes, linear-time matching, no recursion proportional to the
//! pattern), which gives the same yes/no answer for every construct kept.
//! Spellings whose meaning differs between the two are rewritten, not passed
//! through: a leading `]` in a class, `[[:]]`, POSIX classes, `{,n}` and other
//! `{` that are no quantifier (literal in PCRE2 10.42), `\e`, `\x{..}`, octal,
//! `\h`/`\v`/`\R`/`\N`, `\Q..\E`; every literal byte is written as `\xHH`.
//! `$`, `\Z` and `\z` are the same here: the text matched is a version
//! string, which holds no line feed.
//!
//! Two kinds of refusal, never a guess:
//! - [`Refusal::Invalid`]: PCRE2 refuses the pattern too (`apache2 -t` fails
//!   with "Unable to compile regular expression");
//! - [`Refusal::Unsupported`]: PCRE2 takes it but the `regex` crate has no
//!   equivalent (backreferences, lookaround, atomic groups and possessive
//!   quantifiers, recursion and subroutine calls, conditionals, backtracking
//!   verbs, `\p`, `\X`): tlslint cannot tell whether the section applies, so it
//!   says so rather than keep or drop the section.
//!
//! A compiled pattern larger than [`SIZE_LIMIT`] is refused naming the limit.

use regex::bytes::{Regex, RegexBuilder};

/// Largest compiled program (bytes of the `regex` crate's NFA) tlslint builds
/// for one pattern.
pub const SIZE_LIMIT: usize = 10 << 20;
/// PCRE2's default limit on nested parentheses (PARENS_NEST_LIMIT).
const NEST_LIMIT: usize = 250;
/// PCRE2's largest number in a `{m,n}` quantifier.
const MAX_REPEAT: u32 = 65535;

/// Why a pattern is not matched.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refusal {
    /// PCRE2 does not compile it either.
    Invalid(String),
    /// PCRE2 compiles it; tlslint does not evaluate it.
    Unsupported(String),
}

impl Refusal {
    /// A message for people, naming the problem.
    pub fn message(&self) -> String {
        match self {
            Refusal::Invalid(why) => format!("Unable to compile regular expression: {why}"),
            Refusal::Unsupported(why) => format!(
                "tlslint cannot evaluate this regular expression ({why}), so it cannot tell \
                 whether httpd reads the section; write it without that construct"
            ),
        }
    }
}

fn invalid<T>(why: impl Into<String>) -> Result<T, Refusal> {
    Err(Refusal::Invalid(why.into()))
}
fn unsupported<T>(why: impl Into<String>) -> Result<T, Refusal> {
    Err(Refusal::Unsupported(why.into()))
}

/// Whether `re` matches somewhere in `text`, as httpd's PCRE2 decides.
pub fn matches(re: &str, text: &str) -> Result<bool, Refusal> {
    Ok(compile(re)?.is_match(text.as_bytes()))
}

/// Compile a PCRE2 pattern (httpd's options) to an equivalent `regex`.
pub fn compile(re: &str) -> Result<Regex, Refusal> {
    let translated = translate(re.as_bytes())?;
    RegexBuilder::new(&translated)
        .unicode(false)
        .size_limit(SIZE_LIMIT)
        .dfa_size_limit(SIZE_LIMIT)
        .nest_limit(NEST_LIMIT as u32 + 2)
        .build()
        .or_else(|e| match e {
            regex::Error::CompiledTooBig(n) => unsupported(format!(
                "it compiles to more than tlslint's limit of {n} bytes (SIZE_LIMIT)"
            )),
            // what is written here is checked before; a rewrite the crate refuses is a bug
            // of the rewrite, reported rather than guessed about
            e => unsupported(format!("the rewrite for the regex crate failed: {e}")),
        })
}

/// What the last item written can take.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Last {
    /// Nothing a quantifier may follow (start, `(`, `|`, an assertion).
    Nothing,
    /// An item a quantifier may follow.
    Item,
    /// A quantifier; `true`: a `?` (lazy) or `+` (possessive) may still
    /// follow it, as the next token whatever comments or `\Q\E` come
    /// between; another quantifier is an error.
    Quantifier(bool),
}

/// The character classes of PCRE2 (non-UTF, default tables): byte sets.
fn posix_class(name: &[u8]) -> Option<[bool; 256]> {
    let f: fn(u8) -> bool = match name {
        b"alpha" => |b| b.is_ascii_alphabetic(),
        b"digit" => |b| b.is_ascii_digit(),
        b"alnum" => |b| b.is_ascii_alphanumeric(),
        b"ascii" => |b| b < 0x80,
        b"blank" => |b| b == b' ' || b == b'\t',
        b"cntrl" => |b| b < 0x20 || b == 0x7f,
        b"graph" => |b| b.is_ascii_graphic(),
        b"lower" => |b| b.is_ascii_lowercase(),
        b"print" => |b| b.is_ascii_graphic() || b == b' ',
        b"punct" => |b| b.is_ascii_punctuation(),
        b"space" => |b| matches!(b, b'\t' | b'\n' | 0x0b | 0x0c | b'\r' | b' '),
        b"upper" => |b| b.is_ascii_uppercase(),
        b"word" => |b| b.is_ascii_alphanumeric() || b == b'_',
        b"xdigit" => |b| b.is_ascii_hexdigit(),
        _ => return None,
    };
    let mut s = [false; 256];
    for (b, x) in s.iter_mut().enumerate() {
        *x = f(b as u8);
    }
    Some(s)
}

/// `\d \D \w \W \s \S \h \H \v \V` as byte sets.
fn escape_class(e: u8) -> Option<[bool; 256]> {
    let (base, neg) = match e {
        b'd' | b'D' => (posix_class(b"digit")?, e == b'D'),
        b'w' | b'W' => (posix_class(b"word")?, e == b'W'),
        b's' | b'S' => (posix_class(b"space")?, e == b'S'),
        b'h' | b'H' => {
            let mut s = [false; 256];
            for b in [b'\t', b' ', 0xa0] {
                s[b as usize] = true;
            }
            (s, e == b'H')
        }
        b'v' | b'V' => {
            let mut s = [false; 256];
            for b in [b'\n', 0x0b, 0x0c, b'\r', 0x85] {
                s[b as usize] = true;
            }
            (s, e == b'V')
        }
        _ => return None,
    };
    Some(if neg { base.map(|x| !x) } else { base })
}

/// PCRE2's check_posix_syntax: at `[` followed by `:`, `.` or `=`, the
/// index of the terminator (`:]`) if this is a POSIX class, None if the `[`
/// is a literal.
fn posix_end(p: &[u8], i: usize) -> Option<usize> {
    let term = *p.get(i + 1)?;
    if !matches!(term, b':' | b'.' | b'=') {
        return None;
    }
    let mut j = i + 2;
    while j < p.len() {
        if p[j] == b'\\' && matches!(p.get(j + 1), Some(b']') | Some(b'\\')) {
            j += 1;
        } else if (p[j] == b'[' && p.get(j + 1) == Some(&term)) || p[j] == b']' {
            return None;
        } else if p[j] == term && p.get(j + 1) == Some(&b']') {
            return Some(j);
        }
        j += 1;
    }
    None
}

fn hex_val(b: u8) -> Option<u32> {
    (b as char).to_digit(16)
}

/// A literal written by an escape, or a class of bytes.
enum Esc {
    Byte(u8),
    Set([bool; 256]),
}

struct T<'a> {
    p: &'a [u8],
    i: usize,
    out: String,
}

impl T<'_> {
    fn peek(&self) -> Option<u8> {
        self.p.get(self.i).copied()
    }

    /// Octal digits at `i` (at most `max`), as a byte (PCRE2 non-UTF:
    /// values above 0xff are an error).
    fn octal(&mut self, max: usize) -> Result<u8, Refusal> {
        let mut v: u32 = 0;
        let mut n = 0;
        while n < max {
            match self.peek() {
                Some(d @ b'0'..=b'7') => {
                    v = v * 8 + u32::from(d - b'0');
                    self.i += 1;
                    n += 1;
                }
                _ => break,
            }
        }
        u8::try_from(v)
            .or_else(|_| invalid("octal value is greater than \\377 in 8-bit non-UTF mode"))
    }

    /// After a backslash: the escapes that mean a byte or a set of bytes,
    /// in or out of a class. `e` is the letter, already consumed.
    fn common_escape(&mut self, e: u8, in_class: bool) -> Result<Option<Esc>, Refusal> {
        Ok(Some(match e {
            b'a' => Esc::Byte(0x07),
            b'e' => Esc::Byte(0x1b),
            b'f' => Esc::Byte(0x0c),
            b'n' => Esc::Byte(b'\n'),
            b'r' => Esc::Byte(b'\r'),
            b't' => Esc::Byte(b'\t'),
            b'0' => Esc::Byte(self.octal(2)?),
            b'1'..=b'7' if in_class => {
                self.i -= 1;
                Esc::Byte(self.octal(3)?)
            }
            b'o' => {
                if self.peek() != Some(b'{') {
                    return invalid("missing opening brace after \\o");
                }
                self.i += 1;
                let st = self.i;
                let mut v: u32 = 0;
                while let Some(d @ b'0'..=b'7') = self.peek() {
                    v = v.saturating_mul(8).saturating_add(u32::from(d - b'0'));
                    self.i += 1;
                }
                if self.peek() != Some(b'}') {
                    return invalid("non-octal character in \\o{} (closing brace missing?)");
                }
                if self.i == st {
                    return invalid("digits missing in \\x{} or \\o{} or \\N{U+}");
                }
                self.i += 1;
                Esc::Byte(u8::try_from(v).or_else(|_| {
                    invalid("character code point value in \\x{} or \\o{} is too large")
                })?)
            }
            b'x' => {
                if self.peek() == Some(b'{') {
                    let st = self.i + 1;
                    let mut j = st;
                    let mut v: u32 = 0;
                    while let Some(d) = self.p.get(j).copied().and_then(hex_val) {
                        v = v.saturating_mul(16).saturating_add(d);
                        j += 1;
                    }
                    if self.p.get(j) == Some(&b'}') && j > st {
                        self.i = j + 1;
                        Esc::Byte(u8::try_from(v).or_else(|_| {
                            invalid("character code point value in \\x{} or \\o{} is too large")
                        })?)
                    } else if self.p.get(j) == Some(&b'}') || j == st {
                        // `\x{}` or `\x{` then no hex digit: PCRE2 10.42 reads `\x` as NUL
                        // then `{` as a literal... only when no digit follows
                        return invalid("digits missing in \\x{} or \\o{} or \\N{U+}");
                    } else {
                        return invalid("missing terminating } in \\x{}");
                    }
                } else {
                    let mut v: u32 = 0;
                    for _ in 0..2 {
                        match self.peek().and_then(hex_val) {
                            Some(d) => {
                                v = v * 16 + d;
                                self.i += 1;
                            }
                            None => break,
                        }
                    }
                    Esc::Byte(v as u8)
                }
            }
            b'c' => {
                let Some(c) = self.peek() else {
                    return invalid("\\ at end of pattern");
                };
                if !(0x20..0x7f).contains(&c) {
                    return invalid("\\c must be followed by a printable ASCII character");
                }
                self.i += 1;
                Esc::Byte(c.to_ascii_uppercase() ^ 0x40)
            }
            b'd' | b'D' | b'w' | b'W' | b's' | b'S' | b'h' | b'H' | b'v' | b'V' => {
                Esc::Set(escape_class(e).expect("a class escape"))
            }
            b'p' | b'P' => return unsupported("Unicode properties \\p and \\P"),
            c if c.is_ascii_alphanumeric() => return Ok(None),
            c => Esc::Byte(c),
        }))
    }

    fn byte(&mut self, b: u8) {
        self.out.push_str(&format!("\\x{b:02X}"));
    }

    fn set(&mut self, s: &[bool; 256]) {
        self.class_of(s, false)
    }

    /// The bytes of `s` (`neg`: all others) as a class.
    fn class_of(&mut self, s: &[bool; 256], neg: bool) {
        let (all, none) = (s.iter().all(|&x| x), s.iter().all(|&x| !x));
        if (all && !neg) || (none && neg) {
            self.out.push_str("(?s-u:.)");
            return;
        }
        if all || none {
            // matches nothing
            self.out.push_str("[^\\x00-\\xFF]");
            return;
        }
        self.out.push_str(if neg { "[^" } else { "[" });
        let mut b = 0usize;
        while b < 256 {
            if s[b] {
                let st = b;
                while b + 1 < 256 && s[b + 1] {
                    b += 1;
                }
                self.out.push_str(&format!("\\x{st:02X}-\\x{b:02X}"));
            }
            b += 1;
        }
        self.out.push(']');
    }

    /// A bracket expression; `i` is after the `[`.
    fn class(&mut self) -> Result<(), Refusal> {
        let mut neg = false;
        if self.peek() == Some(b'^') {
            neg = true;
            self.i += 1;
        }
        let mut set = [false; 256];
        let mut first = true;
        // the last single byte added, a range may start at it
        let mut prev: Option<u8> = None;
        let mut quoted = false;
        loop {
            let Some(c) = self.peek() else {
                return invalid("missing terminating ] for character class");
            };
            if quoted {
                self.i += 1;
                if c == b'\\' && self.peek() == Some(b'E') {
                    self.i += 1;
                    quoted = false;
                    continue;
                }
                set[c as usize] = true;
                prev = Some(c);
                first = false;
                continue;
            }
            if c == b']' && !first {
                self.i += 1;
                break;
            }
            // a range `lo-hi`
            if c == b'-' && prev.is_some() && self.p.get(self.i + 1).is_some_and(|&n| n != b']') {
                let lo = prev.take().expect("checked");
                self.i += 1;
                let hi = match self.member()? {
                    Some(Esc::Byte(h)) => h,
                    Some(Esc::Set(_)) => return invalid("invalid range in character class"),
                    None => continue,
                };
                if hi < lo {
                    return invalid("range out of order in character class");
                }
                for b in lo..=hi {
                    set[b as usize] = true;
                }
                continue;
            }
            if c == b'\\' && self.p.get(self.i + 1) == Some(&b'Q') {
                self.i += 2;
                quoted = true;
                continue;
            }
            let m = self.member()?;
            // `\E` is nothing: a `]` after it is still the first character
            if m.is_some() {
                first = false;
            }
            match m {
                Some(Esc::Byte(b)) => {
                    set[b as usize] = true;
                    prev = Some(b);
                }
                Some(Esc::Set(s)) => {
                    if self.peek() == Some(b'-')
                        && self.p.get(self.i + 1).is_some_and(|&n| n != b']')
                    {
                        return invalid("invalid range in character class");
                    }
                    for (x, y) in set.iter_mut().zip(s) {
                        *x |= y;
                    }
                    prev = None;
                }
                None => {}
            }
        }
        // negated after case folding, as PCRE2 does: `(?i)[^a]` matches neither a nor A
        // (the regex crate folds a class before it negates it)
        self.class_of(&set, neg);
        Ok(())
    }

    /// One member of a class at `i`: a byte, a set, or nothing (`\E`).
    fn member(&mut self) -> Result<Option<Esc>, Refusal> {
        let Some(c) = self.peek() else {
            return invalid("missing terminating ] for character class");
        };
        if c == b'[' {
            if let Some(end) = posix_end(self.p, self.i) {
                let term = self.p[self.i + 1];
                if term != b':' {
                    return invalid("POSIX collating elements are not supported");
                }
                let mut name = &self.p[self.i + 2..end];
                let neg = name.first() == Some(&b'^');
                if neg {
                    name = &name[1..];
                }
                let Some(s) = posix_class(name) else {
                    return invalid("unknown POSIX class name");
                };
                self.i = end + 2;
                return Ok(Some(Esc::Set(if neg { s.map(|x| !x) } else { s })));
            }
        }
        self.i += 1;
        if c != b'\\' {
            return Ok(Some(Esc::Byte(c)));
        }
        let Some(e) = self.peek() else {
            return invalid("\\ at end of pattern");
        };
        self.i += 1;
        match e {
            b'b' => Ok(Some(Esc::Byte(0x08))),
            b'E' => Ok(None),
            _ => match self.common_escape(e, true)? {
                Some(x) => Ok(Some(x)),
                None if matches!(e, b'8' | b'9') => {
                    unsupported(format!("\\{} in a character class", e as char))
                }
                None => invalid("escape sequence is invalid in character class"),
            },
        }
    }

    /// A quantifier `{m}`, `{m,}`, `{m,n}` at `i` (the `{`): its text for the
    /// regex crate, or None when the `{` is a literal (PCRE2 10.42).
    fn braces(&mut self) -> Result<Option<String>, Refusal> {
        let p = self.p;
        let mut j = self.i + 1;
        let num = |j: &mut usize| -> Option<Result<u32, Refusal>> {
            let st = *j;
            while p.get(*j).is_some_and(u8::is_ascii_digit) {
                *j += 1;
            }
            if *j == st {
                return None;
            }
            let v: u64 = std::str::from_utf8(&p[st..*j])
                .ok()?
                .parse()
                .unwrap_or(u64::MAX);
            Some(if v > u64::from(MAX_REPEAT) {
                invalid("number too big in {} quantifier")
            } else {
                Ok(v as u32)
            })
        };
        let Some(m) = num(&mut j) else {
            return Ok(None);
        };
        let n = if p.get(j) == Some(&b',') {
            j += 1;
            if p.get(j) == Some(&b'}') {
                None
            } else {
                match num(&mut j) {
                    Some(n) => Some(n),
                    None => return Ok(None),
                }
            }
        } else {
            Some(m.clone())
        };
        if p.get(j) != Some(&b'}') {
            return Ok(None);
        }
        let m = m?;
        let n = n.transpose()?;
        if n.is_some_and(|n| n < m) {
            return invalid("numbers out of order in {} quantifier");
        }
        self.i = j + 1;
        Ok(Some(match n {
            None => format!("{{{m},}}"),
            Some(n) if n == m => format!("{{{m}}}"),
            Some(n) => format!("{{{m},{n}}}"),
        }))
    }

    /// Read a group's opening after `(`: writes its translation. Returns
    /// whether a group was opened (false: an option setting or comment,
    /// which opens nothing), and the extended flag inside it.
    fn group_open(
        &mut self,
        extended: &mut bool,
        names: &mut Vec<Vec<u8>>,
    ) -> Result<Option<bool>, Refusal> {
        if self.peek() == Some(b'*') {
            if self
                .p
                .get(self.i + 1)
                .is_some_and(|c| c.is_ascii_alphabetic() || *c == b':')
            {
                return unsupported("backtracking control verbs and (*...) options");
            }
            // `(*` is a quantifier with nothing before it
            return invalid("quantifier does not follow a repeatable item");
        }
        if self.peek() != Some(b'?') {
            self.out.push_str("(?:");
            return Ok(Some(*extended));
        }
        self.i += 1;
        let Some(c) = self.peek() else {
            return invalid("unrecognized character after (? or (?-");
        };
        match c {
            b':' | b'|' => {
                // branch reset `(?|` gives the same yes/no as a plain group
                self.i += 1;
                self.out.push_str("(?:");
                Ok(Some(*extended))
            }
            b'#' => {
                match self.p[self.i..].iter().position(|&b| b == b')') {
                    Some(e) => self.i += e + 1,
                    None => return invalid("missing ) after (?# comment"),
                }
                Ok(None)
            }
            b'=' | b'!' => unsupported("lookahead assertions"),
            b'>' => unsupported("atomic groups"),
            b'(' => unsupported("conditional groups"),
            b'R' | b'0'..=b'9' | b'+' | b'&' => unsupported("recursion and subroutine calls"),
            b'<' if matches!(self.p.get(self.i + 1), Some(b'=') | Some(b'!')) => {
                unsupported("lookbehind assertions")
            }
            b'P' if matches!(self.p.get(self.i + 1), Some(b'=') | Some(b'>')) => {
                unsupported("backreferences and subroutine calls")
            }
            b'<' | b'\'' | b'P' => {
                if c == b'P' {
                    self.i += 1;
                    if self.peek() != Some(b'<') {
                        return invalid("unrecognized character after (?P");
                    }
                }
                let close = if self.peek() == Some(b'\'') {
                    b'\''
                } else {
                    b'>'
                };
                self.i += 1;
                let st = self.i;
                while self
                    .peek()
                    .is_some_and(|b| b.is_ascii_alphanumeric() || b == b'_')
                {
                    self.i += 1;
                }
                let name = &self.p[st..self.i];
                if name.is_empty() {
                    return invalid("subpattern name expected");
                }
                if name[0].is_ascii_digit() {
                    return invalid("subpattern name must start with a non-digit");
                }
                if name.len() > 32 {
                    return invalid("subpattern name is too long (maximum 32 code units)");
                }
                if self.peek() != Some(close) {
                    return invalid("syntax error in subpattern name (missing terminator?)");
                }
                self.i += 1;
                if names.iter().any(|n| n == name) {
                    return invalid(
                        "two named subpatterns have the same name (PCRE2_DUPNAMES not set)",
                    );
                }
                names.push(name.to_vec());
                self.out.push_str("(?:");
                Ok(Some(*extended))
            }
            _ => self.flags(extended),
        }
    }

    /// `(?imsx-imsx)` or `(?imsx-imsx:` at `i` (after `(?`).
    fn flags(&mut self, extended: &mut bool) -> Result<Option<bool>, Refusal> {
        let mut on = String::new();
        let mut off = String::new();
        let mut negate = false;
        let mut x = *extended;
        if self.peek() == Some(b'^') {
            // `(?^`: unset imnsx first
            self.i += 1;
            off.push_str("ims");
            x = false;
        }
        loop {
            let Some(c) = self.peek() else {
                return invalid("missing ) at end of (?");
            };
            self.i += 1;
            match c {
                b'-' if !negate => negate = true,
                b'i' | b'm' | b's' | b'U' => {
                    let t = if negate { &mut off } else { &mut on };
                    t.push(c as char);
                }
                b'x' => {
                    if self.peek() == Some(b'x') {
                        return unsupported("the xx option");
                    }
                    x = !negate;
                }
                // no automatic capture, duplicate names: the same yes/no
                b'n' | b'J' => {}
                b')' | b':' => {
                    let flags = match (on.is_empty(), off.is_empty()) {
                        (true, true) => String::new(),
                        (false, true) => on.clone(),
                        (_, false) => format!("{on}-{off}"),
                    };
                    if c == b')' {
                        if !flags.is_empty() {
                            self.out.push_str(&format!("(?{flags})"));
                        }
                        *extended = x;
                        return Ok(None);
                    }
                    self.out.push_str(&format!("(?{flags}:"));
                    return Ok(Some(x));
                }
                _ => return invalid("unrecognized character after (? or (?-"),
            }
        }
    }
}

/// Rewrite a PCRE2 pattern as a `regex` crate pattern with the same
/// yes/no answer on a text without line feeds. Iterative: no recursion.
fn translate(p: &[u8]) -> Result<String, Refusal> {
    let mut t = T {
        p,
        i: 0,
        out: String::with_capacity(p.len() * 4),
    };
    // per open group: extended mode (`x`) when it opened
    let mut stack: Vec<bool> = Vec::new();
    let mut names: Vec<Vec<u8>> = Vec::new();
    let mut extended = false;
    let mut last = Last::Nothing;
    let mut quoted = false;
    while let Some(c) = t.peek() {
        if quoted {
            t.i += 1;
            if c == b'\\' && t.peek() == Some(b'E') {
                t.i += 1;
                quoted = false;
                continue;
            }
            t.byte(c);
            last = Last::Item;
            continue;
        }
        if extended {
            if matches!(c, b' ' | b'\t' | b'\n' | 0x0b | 0x0c | b'\r') {
                t.i += 1;
                continue;
            }
            if c == b'#' {
                while t.peek().is_some_and(|b| b != b'\n') {
                    t.i += 1;
                }
                continue;
            }
        }
        t.i += 1;
        match c {
            // after a quantifier: lazy (kept), possessive (refused)
            b'?' if last == Last::Quantifier(true) => {
                t.out.push('?');
                last = Last::Quantifier(false);
            }
            b'+' if last == Last::Quantifier(true) => {
                return unsupported("possessive quantifiers");
            }
            b'*' | b'+' | b'?' => {
                if last != Last::Item {
                    return invalid("quantifier does not follow a repeatable item");
                }
                t.out.push(c as char);
                last = Last::Quantifier(true);
            }
            b'{' => {
                t.i -= 1;
                match t.braces()? {
                    Some(q) => {
                        if last != Last::Item {
                            return invalid("quantifier does not follow a repeatable item");
                        }
                        t.out.push_str(&q);
                        last = Last::Quantifier(true);
                    }
                    None => {
                        t.i += 1;
                        t.byte(b'{');
                        last = Last::Item;
                    }
                }
            }
            b'^' | b'$' | b'|' => {
                t.out.push(c as char);
                last = Last::Nothing;
            }
            b'.' => {
                // httpd compiles with DOTALL; the text holds no line feed anyway
                t.out.push_str("(?s-u:.)");
                last = Last::Item;
            }
            b'(' => {
                if stack.len() >= NEST_LIMIT {
                    return invalid(format!(
                        "parentheses are too deeply nested (PCRE2's limit is {NEST_LIMIT})"
                    ));
                }
                let mut ext = extended;
                let is_comment = p[t.i..].starts_with(b"?#");
                match t.group_open(&mut ext, &mut names)? {
                    Some(inner) => {
                        stack.push(extended);
                        extended = inner;
                        last = Last::Nothing;
                    }
                    None => {
                        // an option setting applies to the rest of the group, and
                        // no quantifier may follow it (a comment changes nothing)
                        if !is_comment {
                            last = Last::Nothing;
                        }
                        extended = ext;
                    }
                }
            }
            b')' => {
                let Some(x) = stack.pop() else {
                    return invalid("unmatched closing parenthesis");
                };
                extended = x;
                t.out.push(')');
                last = Last::Item;
            }
            b'[' => {
                if posix_end(p, t.i - 1).is_some() {
                    return invalid("POSIX named classes are supported only within a class");
                }
                t.class()?;
                last = Last::Item;
            }
            b'\\' => {
                let Some(e) = t.peek() else {
                    return invalid("\\ at end of pattern");
                };
                t.i += 1;
                match e {
                    b'Q' => {
                        quoted = true;
                        continue;
                    }
                    b'E' => continue,
                    b'A' | b'G' => {
                        // \G: where the match attempt starts, the text's start for httpd's one call
                        t.out.push_str("\\A");
                        last = Last::Nothing;
                    }
                    b'z' | b'Z' => {
                        t.out.push_str("\\z");
                        last = Last::Nothing;
                    }
                    b'b' | b'B' => {
                        t.out
                            .push_str(if e == b'b' { "(?-u:\\b)" } else { "(?-u:\\B)" });
                        last = Last::Nothing;
                    }
                    b'K' => {
                        // resets the start of the match reported: the same yes/no
                        last = Last::Nothing;
                    }
                    b'N' => {
                        if t.peek() == Some(b'{') {
                            // a quantifier, or PCRE2's \N{U+hhhh} / \N{name}, refused
                            let at = t.i;
                            let q = t.braces()?;
                            t.i = at;
                            if q.is_none() {
                                return invalid(if p[at..].starts_with(b"{U+") {
                                    "\\N{U+dddd} is supported only in Unicode (UTF) mode"
                                } else {
                                    "PCRE2 does not support \\F, \\L, \\l, \\N{name}, \\U, or \\u"
                                });
                            }
                        }
                        t.out.push_str("[^\\n]");
                        last = Last::Item;
                    }
                    b'R' => {
                        t.out.push_str("(?:\\r\\n|[\\n\\x0B\\x0C\\r\\x85])");
                        last = Last::Item;
                    }
                    b'C' => {
                        t.out.push_str("(?s-u:.)");
                        last = Last::Item;
                    }
                    b'1'..=b'9' | b'g' | b'k' => {
                        return unsupported("backreferences and subroutine calls");
                    }
                    b'X' => return unsupported("\\X (extended grapheme clusters)"),
                    _ => match t.common_escape(e, false)? {
                        Some(Esc::Byte(b)) => {
                            t.byte(b);
                            last = Last::Item;
                        }
                        Some(Esc::Set(s)) => {
                            t.set(&s);
                            last = Last::Item;
                        }
                        None => return invalid("unrecognized character follows \\"),
                    },
                }
            }
            c => {
                t.byte(c);
                last = Last::Item;
            }
        }
    }
    if !stack.is_empty() {
        return invalid("missing closing parenthesis");
    }
    Ok(t.out)
}

#[cfg(test)]
mod tests {
    use super::{matches, Refusal};

    fn m(re: &str, text: &str) -> Option<bool> {
        matches(re, text).ok()
    }

    #[test]
    fn basics() {
        assert_eq!(m(r"^2\.4\.", "2.4.71"), Some(true));
        assert_eq!(m(r"^2\.2", "2.4.71"), Some(false));
        assert_eq!(m(r"^2\.4\.(6|7)[0-9]$", "2.4.71"), Some(true));
        assert_eq!(m(r"^2\.4\.[[:digit:]]{2}$", "2.4.71"), Some(true));
        assert_eq!(m(r"7+1", "2.4.71"), Some(true));
        assert_eq!(m(r"^\d\.\d+\.\d+$", "2.4.71"), Some(true));
        assert_eq!(m(r"\s", "2.4.71"), Some(false));
        assert_eq!(m(r"x*$", "abc"), Some(true));
        assert_eq!(m(r"(a", "a"), None);
        // exponential backtracking in a backtracker; linear here
        assert_eq!(m(r"(a*)*b", &"a".repeat(40)), Some(false));
        assert_eq!(m(r"(a*)*b", &format!("{}b", "a".repeat(40))), Some(true));
    }

    #[test]
    fn broken_classes_do_not_panic() {
        // PCRE (httpd's `apache2 -t` says Syntax OK): `[` is a literal when no
        // `:]` closes a class name: `[[:]]` is the class {[, :} then `]`
        assert_eq!(m("[[:]]", "2.4.71"), Some(false));
        assert_eq!(m("[[:]]", "a:]"), Some(true));
        // and refuses these, as `apache2 -t` does ("Unable to compile regular expression")
        for re in ["[[:", "[[::]]", "[[:nope:]]", "[[:digit:]"] {
            assert!(
                matches!(matches(re, "2.4.71"), Err(Refusal::Invalid(_))),
                "{re}"
            );
        }
    }

    #[test]
    fn repeats_of_what_can_be_empty_match_as_pcre() {
        // the old engine never matched these; PCRE2 does
        assert_eq!(m("^(x?){2}2", "2.4.71"), Some(true));
        assert_eq!(m("^(x?)*2", "2.4.71"), Some(true));
        assert_eq!(m("^(|x){3}2\\.", "2.4.71"), Some(true));
    }

    #[test]
    fn long_patterns_need_no_deep_stack() {
        // thousands of x? then y: the old engine recursed per item and aborted
        let re = format!("{}y", "x?".repeat(5_000));
        assert_eq!(m(&re, "2.4.71"), Some(false));
        assert_eq!(m(&re, "xxy"), Some(true));
        let re = format!("{}2", "(?:x?)".repeat(2_000));
        assert_eq!(m(&re, "2.4.71"), Some(true));
    }

    #[test]
    fn pcre_spellings_are_rewritten() {
        // leading ] is a literal, {,n} is a literal in PCRE2 10.42
        assert_eq!(m("[]a]", "]"), Some(true));
        assert_eq!(m("^x{,3}$", "x{,3}"), Some(true));
        assert_eq!(m("^x{,3}$", "xx"), Some(false));
        assert_eq!(m(r"\e", "\x1b"), Some(true));
        assert_eq!(m(r"^\x{32}\x2e", "2.4"), Some(true));
        assert_eq!(m(r"^\062\o{56}", "2.4"), Some(true));
        assert_eq!(m(r"^\Q2.\E4", "2.4"), Some(true));
        assert_eq!(m(r"^\Q2.\E4", "224"), Some(false));
        assert_eq!(m(r"(?i)^A\.B$", "a.b"), Some(true));
        assert_eq!(m(r"(?x) ^ 2 \. 4 # comment", "2.4.71"), Some(true));
        assert_eq!(m(r"^\h", " "), Some(true));
        assert_eq!(m(r"^\v", "\x0b"), Some(true));
    }

    #[test]
    fn what_regex_lacks_is_refused_not_guessed() {
        for re in [
            r"(2)\1",
            r"(?=2)",
            r"(?<!x)2",
            r"(?>2)",
            r"2*+",
            r"(?(1)a|b)",
            r"(?R)",
            r"(*FAIL)",
            r"\p{Nd}",
            r"\k<n>",
        ] {
            assert!(
                matches!(matches(re, "2.4.71"), Err(Refusal::Unsupported(_))),
                "{re}: {:?}",
                matches(re, "2.4.71")
            );
        }
        for re in [
            r"\x{100}", "a**", "^*", "a{2}{3}", r"\i", "[z-a]", "a{3,2}", "x{65536}",
        ] {
            assert!(
                matches!(matches(re, "2.4.71"), Err(Refusal::Invalid(_))),
                "{re}: {:?}",
                matches(re, "2.4.71")
            );
        }
    }
}
