//! The one module that names the YAML library (serde-saphyr), so that it can
//! be swapped.

use std::path::Path;

use serde::de::DeserializeOwned;

use crate::error::Error;

/// A value with the line and column it was read from (for errors about
/// values that parse but mean nothing, such as an unknown rule code).
pub type Spanned<T> = serde_saphyr::Spanned<T>;

/// 1-based line and column of a [`Spanned`] value.
pub fn line_col<T>(s: &Spanned<T>) -> (u32, u32) {
    (
        (s.referenced.line() as u32).max(1),
        (s.referenced.column() as u32).max(1),
    )
}

/// Deserialize YAML; errors carry the file, line and column.
pub fn from_str<T: DeserializeOwned>(text: &str, path: &Path) -> Result<T, Error> {
    serde_saphyr::from_str(text).map_err(|e| {
        let (line, col) = e
            .location()
            .map(|l| (l.line() as u32, l.column() as u32))
            .unwrap_or((1, 1));
        let msg = e.to_string();
        // the library's text may carry its own snippet: keep its first line
        let mut first = msg
            .lines()
            .next()
            .unwrap_or("invalid YAML")
            .trim()
            .to_string();
        // drop the library's own "error: line N column M: " prefix: the
        // location is ours to print
        for prefix in ["error:", "Error:"] {
            if let Some(rest) = first.strip_prefix(prefix) {
                first = rest.trim().to_string();
            }
        }
        if let Some(rest) = first.strip_prefix("line ") {
            if let Some((_, m)) = rest.split_once(": ") {
                first = m.to_string();
            }
        }
        Error::at(first, path, line.max(1), col.max(1))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, serde::Deserialize)]
    #[serde(deny_unknown_fields)]
    #[allow(dead_code)]
    struct T {
        a: u32,
    }

    #[test]
    fn errors_have_lines() {
        let e = from_str::<T>("a: 1\nb: 2\n", Path::new("x.yaml")).unwrap_err();
        let l = e.location.unwrap();
        assert_eq!(l.line, 2, "{}", e.message);
        assert!(e.message.contains('b'), "{}", e.message);
        let ok: T = from_str("a: 3\n", Path::new("x.yaml")).unwrap();
        assert_eq!(ok.a, 3);
    }
}
