//! Strings that come from outside tlslint's control — a served certificate's
//! subject, issuer and names, an HTTP header a server sent — shown without
//! their control characters acting on the reader's terminal or CI log.
//!
//! A newline in a certificate subject would start a new line of output (in
//! GitHub Actions, `\n::warning::...` is a workflow command, in stdout and
//! stderr alike), an escape sequence would recolour or rewrite the terminal,
//! and a bidirectional override would reorder what is shown. Each such
//! character is written as an escape instead: `\n`, `\r`, `\t`, `\x1b`
//! (other C0 controls and DEL), `\u{85}` (C1 controls), `\u{202e}`
//! (bidirectional formatting characters, zero-width joiners and the BOM).

use std::borrow::Cow;

fn needs_escape(c: char) -> bool {
    c.is_control()
        || matches!(c, '\u{200b}'..='\u{200f}' | '\u{2028}'..='\u{202e}' | '\u{2060}'..='\u{2069}' | '\u{feff}')
}

/// `s` with every control, bidirectional or invisible formatting character
/// escaped (borrowed when there is none).
pub fn escape(s: &str) -> Cow<'_, str> {
    if !s.chars().any(needs_escape) {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        match c {
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if (c as u32) < 0x80 && needs_escape(c) => {
                out.push_str(&format!("\\x{:02x}", c as u32))
            }
            c if needs_escape(c) => out.push_str(&format!("\\u{{{:x}}}", c as u32)),
            c => out.push(c),
        }
    }
    Cow::Owned(out)
}

/// [`escape`] into an owned string.
pub fn escaped(s: &str) -> String {
    escape(s).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn controls_are_shown_escaped() {
        assert_eq!(escape("CN=a.test"), "CN=a.test");
        assert!(matches!(escape("CN=a.test, O=Ünïcode"), Cow::Borrowed(_)));
        assert_eq!(
            escape("x\n::warning::pwned\x1b[31m\r\t\x00\x7f"),
            "x\\n::warning::pwned\\x1b[31m\\r\\t\\x00\\x7f"
        );
        assert_eq!(
            escape("a\u{85}b\u{202e}c\u{feff}"),
            "a\\u{85}b\\u{202e}c\\u{feff}"
        );
        // nothing that acts on a terminal or a log is left
        let e = escape("\u{1b}]0;title\u{7}\u{9b}2J");
        assert!(!e.chars().any(needs_escape), "{e}");
    }
}
