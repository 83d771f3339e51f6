//! The Apache httpd directive tree of one file (or one macro expansion),
//! with spans, comments, and whether each directive is active.

use crate::source::{FileId, Span};

/// How a word was written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Quote {
    None,
    Single,
    Double,
}

/// One argument (or the directive name), as written.
#[derive(Debug, Clone)]
pub struct Word {
    /// The text between the quotes (or the whole bare word), exactly as
    /// written; a continuation (`\` + newline) inside it is removed.
    pub raw: String,
    pub quote: Quote,
    /// From the opening quote (or first character) to the closing quote (or
    /// last character). For a word that spans a continuation, the span
    /// covers the `\` + newline too.
    pub span: Span,
}

impl Word {
    /// The value httpd sees (`ap_getword_conf`): in a quoted word `\\` and
    /// `\` + the quote character lose their backslash; in a bare word only
    /// `\\` does. Every other backslash is kept.
    pub fn value(&self) -> String {
        let quote = match self.quote {
            Quote::None => None,
            Quote::Single => Some('\''),
            Quote::Double => Some('"'),
        };
        unescape(&self.raw, quote)
    }
}

/// `substring_conf`: `\\` → `\`, and `\q` → `q` for the quote character `q`.
pub fn unescape(raw: &str, quote: Option<char>) -> String {
    if !raw.contains('\\') {
        return raw.to_string();
    }
    let mut out = String::with_capacity(raw.len());
    let mut it = raw.chars().peekable();
    while let Some(c) = it.next() {
        if c == '\\' {
            if let Some(&n) = it.peek() {
                if n == '\\' || Some(n) == quote {
                    out.push(n);
                    it.next();
                    continue;
                }
            }
        }
        out.push(c);
    }
    out
}

/// A comment line (`#` first on a logical line; a continuation makes the
/// comment go on to the next line, as in httpd).
#[derive(Debug, Clone)]
pub struct Comment {
    /// The text after `#`, continuations joined.
    pub text: String,
    pub span: Span,
    /// False inside a false conditional section or a `<Macro>` body.
    pub active: bool,
}

/// A directive: `Name args...`, or a section `<Name args>` ... `</Name>`.
#[derive(Debug, Clone)]
pub struct Directive {
    /// The name as written, without `<` for a section (compare with
    /// [`Directive::is`], which ignores case as httpd does).
    pub name: Word,
    /// The arguments as written. For a section, those before its `>`.
    pub args: Vec<Word>,
    /// The whole logical line (a section: its opening line only).
    pub span: Span,
    /// The line httpd reports for this directive: the last physical line of
    /// its logical line (continuations make it later than `span.line`).
    pub line: u32,
    /// Read by httpd with the environment in force: outside inactive
    /// conditional sections and not in a macro body. Inactive directives
    /// are kept for `parse` and for suppressions, and skipped by walks.
    pub active: bool,
    /// The name and arguments after `${VAR}` substitution, when the
    /// substitution changed the line (httpd substitutes the whole line, then
    /// splits it into words). `None`: [`Directive::values`] are the words'
    /// values.
    pub resolved: Option<Vec<String>>,
    /// For a section: its content and closing line.
    pub block: Option<Section>,
    /// `Include` / `IncludeOptional`: the file instances read, in order;
    /// `Use`: the macro expansion. Filled by the loader.
    pub includes: Vec<FileId>,
}

/// The content of a `<Section>`.
#[derive(Debug, Clone)]
pub struct Section {
    pub items: Vec<Node>,
    /// The closing `</Name>` line; `None` when the file (or an active
    /// conditional section, which httpd does not require to be closed)
    /// ended first.
    pub close: Option<Span>,
    /// For `<IfModule>`, `<IfDefine>`, `<IfVersion>`, `<IfFile>`,
    /// `<IfDirective>` and `<IfSection>` read in an active region: whether
    /// the condition held (its content is active only then). `None` for
    /// every other section (`<If>` included: httpd evaluates it per request).
    pub condition: Option<bool>,
}

#[derive(Debug, Clone)]
pub enum Node {
    Directive(Directive),
    Comment(Comment),
}

impl Node {
    pub fn as_directive(&self) -> Option<&Directive> {
        match self {
            Node::Directive(d) => Some(d),
            Node::Comment(_) => None,
        }
    }
}

/// One read of one file (or one macro expansion).
#[derive(Debug, Clone)]
pub struct ConfFile {
    pub file: FileId,
    pub items: Vec<Node>,
}

impl Directive {
    /// The name as written (without `<` for a section).
    pub fn name(&self) -> &str {
        &self.name.raw
    }

    /// True if this directive (or section) is `name`, ignoring ASCII case
    /// (the name httpd looks up: after `${VAR}` substitution, unquoted).
    pub fn is(&self, name: &str) -> bool {
        match &self.resolved {
            Some(_) => self.effective_name().eq_ignore_ascii_case(name),
            None if self.name.raw.contains('\\') => self.name.value().eq_ignore_ascii_case(name),
            None => self.name.raw.eq_ignore_ascii_case(name),
        }
    }

    pub fn is_section(&self) -> bool {
        self.block.is_some()
    }

    /// The name httpd looks up: after `${VAR}` substitution and unquoting.
    pub fn effective_name(&self) -> String {
        match &self.resolved {
            Some(v) if !v.is_empty() => {
                let n = &v[0];
                let n = n.strip_prefix('<').unwrap_or(n);
                n.to_string()
            }
            _ => self.name.value(),
        }
    }

    /// The argument values as httpd uses them: `${VAR}` substituted (with
    /// the environment in force where the directive was read), unquoted.
    pub fn values(&self) -> Vec<String> {
        match &self.resolved {
            Some(v) => v.iter().skip(1).cloned().collect(),
            None => self.args.iter().map(|a| a.value()).collect(),
        }
    }

    /// The argument values as written (unquoted, no `${VAR}` substitution).
    pub fn raw_values(&self) -> Vec<String> {
        self.args.iter().map(|a| a.value()).collect()
    }

    /// The section's items (empty for a simple directive).
    pub fn items(&self) -> &[Node] {
        self.block
            .as_ref()
            .map(|b| b.items.as_slice())
            .unwrap_or(&[])
    }
}
