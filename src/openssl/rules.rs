//! OpenSSL's cipher-string language, evaluated the way `ssl/ssl_ciph.c` does.
//!
//! The model (written from OpenSSL's documented behaviour and its source as a
//! reference, and checked against the real library by tests/openssl_diff.rs):
//!
//! - Every suite the build offers starts in one list, inactive, in descending
//!   code-point order, and is then put into OpenSSL's default preference order
//!   by a fixed series of rules (ECDHE first, AES-GCM and ChaCha20 preferred,
//!   strength sort, then AEAD and forward secrecy bumped to the front).
//! - The string is read item by item. An item is an optional operator (`!`
//!   kill, `-` delete, `+` move to the end, `@` command) and one or more words
//!   joined by `+` (all must match). A plain item appends the matching inactive
//!   suites at the end, in their current order. `-` deactivates them and moves
//!   them to the front (so a later add brings them back in the same order),
//!   `!` removes them for good.
//! - A word that is not a suite or alias name makes OpenSSL skip the item.
//! - A byte that cannot start a word is an error ("invalid command").

use std::collections::HashMap;
use std::sync::{Mutex, OnceLock};

use super::aliases::{Alias, ALIASES, RETIRED_WORDS};
use super::table::{all_suites, au, enc, kx, mac, proto, strength, CipherSuite};
use crate::version::Version;

/// OpenSSL's reason texts (`ERR_reason_error_string`).
pub(crate) const NO_CIPHER_MATCH: &str = "no cipher match";
pub(crate) const INVALID_COMMAND: &str = "invalid command";

#[derive(Clone, Copy)]
struct Entry {
    suite: &'static CipherSuite,
    active: bool,
}

/// What one rule selects (OpenSSL's `ssl_cipher_apply_rule` arguments).
#[derive(Clone, Copy, Default)]
struct Select {
    cipher_id: Option<u16>,
    kx: u32,
    au: u32,
    enc: u32,
    mac: u32,
    min_tls: u16,
    strength: u32,
    strength_bits: Option<u16>,
}

impl Select {
    fn matches(&self, s: &CipherSuite) -> bool {
        if let Some(bits) = self.strength_bits {
            return s.strength_bits == bits;
        }
        if let Some(id) = self.cipher_id {
            if s.id != id {
                return false;
            }
        }
        (self.kx == 0 || self.kx & s.kx_bits != 0)
            && (self.au == 0 || self.au & s.au_bits != 0)
            && (self.enc == 0 || self.enc & s.enc_bits != 0)
            && (self.mac == 0 || self.mac & s.mac_bits != 0)
            && (self.min_tls == 0 || self.min_tls == s.min_tls)
            && group_matches(self.strength, s.strength_mask, strength::STRONG_MASK)
            && group_matches(self.strength, s.strength_mask, strength::DEFAULT_MASK)
            && group_matches(self.strength, s.strength_mask, strength::EXP_MASK)
    }
}

fn group_matches(want: u32, have: u32, group: u32) -> bool {
    want & group == 0 || want & group & have != 0
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Op {
    Add,
    Kill,
    Del,
    Ord,
    Bump,
}

struct List {
    entries: Vec<Entry>,
}

impl List {
    fn apply(&mut self, sel: &Select, op: Op) {
        let entries = std::mem::take(&mut self.entries);
        let mut moved = Vec::new();
        let mut rest = Vec::with_capacity(entries.len());
        for mut e in entries {
            if !sel.matches(e.suite) {
                rest.push(e);
                continue;
            }
            match op {
                Op::Kill => {}
                Op::Add if !e.active => {
                    e.active = true;
                    moved.push(e);
                }
                Op::Ord | Op::Bump if e.active => moved.push(e),
                Op::Del if e.active => {
                    e.active = false;
                    moved.push(e);
                }
                _ => rest.push(e),
            }
        }
        self.entries = match op {
            // moved to the end, in list order
            Op::Add | Op::Ord | Op::Kill => {
                rest.extend(moved);
                rest
            }
            // moved to the front, in list order
            Op::Del | Op::Bump => {
                moved.extend(rest);
                moved
            }
        };
    }

    /// `@STRENGTH`: active suites by descending strength bits, stable; inactive ones stay in front.
    fn strength_sort(&mut self) {
        let (mut inactive, mut active): (Vec<Entry>, Vec<Entry>) =
            self.entries.iter().partition(|e| !e.active);
        active.sort_by_key(|e| std::cmp::Reverse(e.suite.strength_bits));
        inactive.extend(active);
        self.entries = inactive;
    }
}

fn sel() -> Select {
    Select::default()
}

/// The starting list: the build's suites in OpenSSL's default preference order,
/// all inactive. Computed once per version.
fn initial_list(v: &Version) -> List {
    static CACHE: OnceLock<Mutex<HashMap<Version, Vec<Entry>>>> = OnceLock::new();
    let cache = CACHE.get_or_init(Default::default);
    let mut map = cache.lock().unwrap_or_else(|e| e.into_inner());
    let entries = map
        .entry(*v)
        .or_insert_with(|| build_initial_list(v).entries)
        .clone();
    List { entries }
}

fn build_initial_list(v: &Version) -> List {
    let mut entries: Vec<Entry> = all_suites()
        .iter()
        .filter(|s| !s.is_tls13() && s.available_in(v))
        .map(|suite| Entry {
            suite,
            active: false,
        })
        .collect();
    // OpenSSL walks its id-sorted table from the end
    entries.sort_by_key(|e| std::cmp::Reverse(e.suite.id));
    let mut l = List { entries };
    let ecdhe = Select {
        kx: kx::ECDHE,
        ..sel()
    };
    l.apply(
        &Select {
            au: au::ECDSA,
            ..ecdhe
        },
        Op::Add,
    );
    l.apply(&ecdhe, Op::Add);
    l.apply(&ecdhe, Op::Del);
    l.apply(
        &Select {
            enc: enc::AESGCM,
            ..sel()
        },
        Op::Add,
    );
    l.apply(
        &Select {
            enc: enc::CHACHA20POLY1305,
            ..sel()
        },
        Op::Add,
    );
    l.apply(
        &Select {
            enc: enc::AES ^ enc::AESGCM,
            ..sel()
        },
        Op::Add,
    );
    l.apply(&sel(), Op::Add);
    l.apply(
        &Select {
            mac: mac::MD5,
            ..sel()
        },
        Op::Ord,
    );
    l.apply(
        &Select {
            au: au::NULL,
            ..sel()
        },
        Op::Ord,
    );
    l.apply(
        &Select {
            kx: kx::RSA,
            ..sel()
        },
        Op::Ord,
    );
    l.apply(
        &Select {
            kx: kx::PSK,
            ..sel()
        },
        Op::Ord,
    );
    l.apply(
        &Select {
            enc: enc::RC4,
            ..sel()
        },
        Op::Ord,
    );
    l.strength_sort();
    l.apply(
        &Select {
            min_tls: proto::TLS1_2,
            ..sel()
        },
        Op::Bump,
    );
    l.apply(
        &Select {
            mac: mac::AEAD,
            ..sel()
        },
        Op::Bump,
    );
    let fs = Select {
        kx: kx::DHE | kx::ECDHE,
        ..sel()
    };
    l.apply(&fs, Op::Bump);
    l.apply(
        &Select {
            mac: mac::AEAD,
            ..fs
        },
        Op::Bump,
    );
    l.apply(&sel(), Op::Del);
    l
}

/// The `DEFAULT` rule string of a version (`OSSL_default_cipher_list`, `SSL_DEFAULT_CIPHER_LIST`).
pub(crate) fn default_rule(v: &Version) -> &'static str {
    if *v < Version::new(1, 1, 0) {
        "ALL:!EXPORT:!LOW:!aNULL:!eNULL:!SSLv2"
    } else {
        "ALL:!COMPLEMENTOFDEFAULT:!eNULL"
    }
}

/// The algorithms a version's default build cannot run (OpenSSL's
/// `disabled_*_mask`, from what the crypto library provides). An alias all of
/// whose algorithms in one class are disabled is not a word at all there: the
/// item it starts is skipped, rest included.
#[derive(Clone, Copy)]
pub(crate) struct Disabled {
    kx: u32,
    au: u32,
    enc: u32,
    mac: u32,
}

impl Disabled {
    pub(crate) fn of(v: &Version) -> Disabled {
        // no GOST engine or provider in a default build
        let mut d = Disabled {
            kx: kx::GOST,
            au: au::GOST01 | au::GOST12,
            enc: enc::GOST89 | enc::GOST89_12,
            mac: mac::GOST94 | mac::GOST89MAC | mac::GOST12_256 | mac::GOST89MAC12,
        };
        if *v >= Version::new(3, 0, 0) {
            // in the legacy provider, which is not loaded by default (IDEA: no-idea)
            d.enc |= enc::DES | enc::RC4 | enc::RC2 | enc::IDEA | enc::SEED;
        }
        d
    }

    pub(crate) fn keeps(&self, a: &Alias) -> bool {
        (a.kx == 0 || a.kx & !self.kx != 0)
            && (a.au == 0 || a.au & !self.au != 0)
            && (a.enc == 0 || a.enc & !self.enc != 0)
            && (a.mac == 0 || a.mac & !self.mac != 0)
    }
}

/// What a word names in a version.
enum Found {
    Suite(&'static CipherSuite),
    Alias(&'static Alias),
}

pub(crate) struct Evaluator<'a> {
    v: &'a Version,
    list: List,
    /// The suites a word can name: every suite the build offers, killed or not.
    names: Vec<&'static CipherSuite>,
    disabled: Disabled,
    pub seclevel: Option<u8>,
    case_insensitive: bool,
}

/// The bytes a word is made of (OpenSSL 3.0 does not take `_`, so IANA names never match).
pub(crate) fn word_byte(c: u8) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, b'-' | b'.' | b'=')
}

pub(crate) fn item_sep(c: u8) -> bool {
    matches!(c, b':' | b' ' | b';' | b',')
}

impl<'a> Evaluator<'a> {
    pub fn new(v: &'a Version) -> Evaluator<'a> {
        let list = initial_list(v);
        let names = list.entries.iter().map(|e| e.suite).collect();
        Evaluator {
            v,
            list,
            names,
            disabled: Disabled::of(v),
            seclevel: None,
            case_insensitive: *v >= Version::new(4, 0, 0),
        }
    }

    fn eq(&self, a: &[u8], b: &str) -> bool {
        if self.case_insensitive {
            a.eq_ignore_ascii_case(b.as_bytes())
        } else {
            a == b.as_bytes()
        }
    }

    fn lookup(&self, word: &[u8]) -> Option<Found> {
        // the build's suites first, then the aliases
        if let Some(s) = self.names.iter().find(|s| self.eq(word, s.openssl_name)) {
            return Some(Found::Suite(s));
        }
        ALIASES
            .iter()
            .find(|a| a.in_version(self.v) && self.disabled.keeps(a) && self.eq(word, a.name))
            .map(Found::Alias)
    }

    /// One rule string (OpenSSL's `ssl_cipher_process_rulestr`). `Err` = invalid command.
    pub fn process(&mut self, rule: &[u8]) -> Result<(), &'static str> {
        let mut ok = true;
        let mut i = 0;
        let at = |i: usize| rule.get(i).copied().unwrap_or(0);
        loop {
            let ch = at(i);
            if ch == 0 {
                break;
            }
            let op = match ch {
                b'-' => Some(Op::Del),
                b'+' => Some(Op::Ord),
                b'!' => Some(Op::Kill),
                b'@' => None,
                _ => Some(Op::Add),
            };
            if matches!(ch, b'-' | b'+' | b'!' | b'@') {
                i += 1;
            }
            if item_sep(ch) {
                i += 1;
                continue;
            }
            let mut select = Select::default();
            let mut found = false;
            let mut special: Option<&[u8]> = None;
            loop {
                let start = i;
                while word_byte(at(i)) {
                    i += 1;
                }
                if i == start {
                    // nothing OpenSSL can read here: no word, operator or separator
                    return Err(INVALID_COMMAND);
                }
                let word = &rule[start..i];
                if op.is_none() {
                    special = Some(word);
                    break;
                }
                let multi = at(i) == b'+';
                if multi {
                    i += 1;
                }
                found = match self.lookup(word) {
                    Some(f) => combine(&mut select, &f),
                    None => false,
                };
                if !found || !multi {
                    break;
                }
            }
            match (op, special) {
                (None, Some(cmd)) => {
                    if !self.command(cmd) {
                        ok = false;
                    }
                    // "@" takes no "+" combinations: skip to the next item
                    while at(i) != 0 && !item_sep(at(i)) {
                        i += 1;
                    }
                }
                (Some(op), _) if found => self.list.apply(&select, op),
                _ => {
                    while at(i) != 0 && !item_sep(at(i)) {
                        i += 1;
                    }
                }
            }
            if at(i) == 0 {
                break;
            }
        }
        if ok {
            Ok(())
        } else {
            Err(INVALID_COMMAND)
        }
    }

    /// `@STRENGTH`, `@SECLEVEL=n`; false for anything else.
    fn command(&mut self, cmd: &[u8]) -> bool {
        if cmd == b"STRENGTH" {
            self.list.strength_sort();
            true
        } else if cmd.len() == 10
            && cmd.starts_with(b"SECLEVEL=")
            && *self.v >= Version::new(1, 1, 0)
        {
            match cmd[9] {
                c @ b'0'..=b'5' => {
                    self.seclevel = Some(c - b'0');
                    true
                }
                _ => false,
            }
        } else {
            false
        }
    }

    /// The active suites, in order.
    pub fn result(&self) -> Vec<&'static CipherSuite> {
        self.list
            .entries
            .iter()
            .filter(|e| e.active)
            .map(|e| e.suite)
            .collect()
    }
}

/// Narrow `select` by one word (OpenSSL ANDs each class it sets); false when
/// the combination can match nothing, which makes OpenSSL skip the item.
fn combine(select: &mut Select, f: &Found) -> bool {
    let (kx, au, enc, mac, st, min_tls, id) = match f {
        Found::Suite(s) => (
            s.kx_bits,
            s.au_bits,
            s.enc_bits,
            s.mac_bits,
            s.strength_mask,
            0,
            Some(s.id),
        ),
        Found::Alias(a) => (a.kx, a.au, a.enc, a.mac, a.strength, a.min_tls, None),
    };
    for (have, new) in [
        (&mut select.kx, kx),
        (&mut select.au, au),
        (&mut select.enc, enc),
        (&mut select.mac, mac),
    ] {
        if new != 0 {
            if *have != 0 {
                *have &= new;
                if *have == 0 {
                    return false;
                }
            } else {
                *have = new;
            }
        }
    }
    // OpenSSL assigns the strong class (dropping a DEFAULT bit set before:
    // "COMPLEMENTOFDEFAULT+HIGH" is all of HIGH) and ORs the DEFAULT bit in
    let strong = strength::STRONG_MASK;
    if st & strong != 0 {
        if select.strength & strong != 0 {
            select.strength &= (st & strong) | !strong;
            if select.strength & strong == 0 {
                return false;
            }
        } else {
            select.strength = st & strong;
        }
    }
    let exp = strength::EXP_MASK;
    if st & exp != 0 {
        if select.strength & exp != 0 {
            select.strength &= (st & exp) | !exp;
            if select.strength & exp == 0 {
                return false;
            }
        } else {
            select.strength |= st & exp;
        }
    }
    if st & strength::DEFAULT_MASK != 0 {
        if select.strength & strength::DEFAULT_MASK != 0 {
            select.strength &= (st & strength::DEFAULT_MASK) | !strength::DEFAULT_MASK;
            if select.strength & strength::DEFAULT_MASK == 0 {
                return false;
            }
        } else {
            select.strength |= st & strength::DEFAULT_MASK;
        }
    }
    match id {
        // an explicit suite: its protocol does not become part of the pattern
        Some(id) => select.cipher_id = Some(id),
        None => {
            if min_tls != 0 {
                if select.min_tls != 0 && select.min_tls != min_tls {
                    return false;
                }
                select.min_tls = min_tls;
            }
        }
    }
    true
}

/// The rule string a Suite B keyword at the very start replaces the whole string with.
pub(crate) fn suite_b(s: &str) -> Option<&'static str> {
    if s.starts_with("SUITEB128ONLY") {
        Some("ECDHE-ECDSA-AES128-GCM-SHA256")
    } else if s.starts_with("SUITEB128C2") || s.starts_with("SUITEB192") {
        Some("ECDHE-ECDSA-AES256-GCM-SHA384")
    } else if s.starts_with("SUITEB128") {
        Some("ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-ECDSA-AES256-GCM-SHA384")
    } else {
        None
    }
}

/// How a word of a cipher string fares in a version.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum WordClass {
    /// Selects something in this build.
    Known,
    /// A real suite or alias that this build lacks (or that selects nothing here).
    Unavailable,
    /// Not a word OpenSSL knows: ignored.
    Unknown,
}

/// Classify one word (no operator, no `+`).
pub(crate) fn classify(word: &str, v: &Version) -> WordClass {
    let ci = *v >= Version::new(4, 0, 0);
    let eq = |a: &str, b: &str| {
        if ci {
            a.eq_ignore_ascii_case(b)
        } else {
            a == b
        }
    };
    let le12 = || all_suites().iter().filter(|s| !s.is_tls13());
    if let Some(s) = le12().find(|s| eq(word, s.openssl_name)) {
        return if s.available_in(v) {
            WordClass::Known
        } else {
            WordClass::Unavailable
        };
    }
    if let Some(a) = ALIASES.iter().find(|a| a.in_version(v) && eq(word, a.name)) {
        let mut select = Select::default();
        if !combine(&mut select, &Found::Alias(a)) {
            return WordClass::Unavailable;
        }
        return if le12().any(|s| s.available_in(v) && select.matches(s)) {
            WordClass::Known
        } else {
            WordClass::Unavailable
        };
    }
    if ALIASES.iter().any(|a| eq(word, a.name)) || RETIRED_WORDS.iter().any(|w| eq(word, w)) {
        return WordClass::Unavailable;
    }
    WordClass::Unknown
}
