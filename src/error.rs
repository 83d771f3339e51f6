//! Errors that stop tlslint from reading a tree (exit code 2).

use std::fmt;
use std::path::PathBuf;

use crate::source::Span;

/// Where an error happened.
#[derive(Debug, Clone)]
pub struct Location {
    pub path: PathBuf,
    pub line: u32,
    pub col: u32,
    /// When the file is in the source map, the byte range for a snippet.
    pub span: Option<Span>,
}

/// A configuration tree that cannot be read or parsed, or bad usage.
#[derive(Debug, Clone)]
pub struct Error {
    pub message: String,
    pub location: Option<Location>,
}

impl Error {
    pub fn new(message: impl Into<String>) -> Error {
        Error {
            message: message.into(),
            location: None,
        }
    }
    pub fn at(message: impl Into<String>, path: impl Into<PathBuf>, line: u32, col: u32) -> Error {
        Error {
            message: message.into(),
            location: Some(Location {
                path: path.into(),
                line,
                col,
                span: None,
            }),
        }
    }
    /// An error at `path:line:col`, with the span for a snippet when known
    /// (what both servers' load errors turn into).
    pub fn located(
        message: impl Into<String>,
        path: impl Into<PathBuf>,
        line: u32,
        col: u32,
        span: Option<Span>,
    ) -> Error {
        let e = Error::at(message, path, line, col);
        match span {
            Some(s) => e.with_span(s),
            None => e,
        }
    }

    pub fn with_span(mut self, span: Span) -> Error {
        if let Some(l) = self.location.as_mut() {
            l.span = Some(span);
        }
        self
    }
}

/// Shown escaped: a path or a message may quote the configuration, whose
/// control characters must not act on a terminal or a CI log.
impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        use crate::printable::escape;
        match &self.location {
            Some(l) => write!(
                f,
                "{}:{}:{}: {}",
                escape(&l.path.display().to_string()),
                l.line,
                l.col,
                escape(&self.message)
            ),
            None => write!(f, "{}", escape(&self.message)),
        }
    }
}

impl std::error::Error for Error {}

pub type Result<T> = std::result::Result<T, Error>;
