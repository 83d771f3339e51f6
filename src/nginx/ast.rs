//! The nginx directive tree of one file, with spans.

use compact_str::CompactString;

use crate::source::{FileId, Span};

/// How a word was written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Quote {
    None,
    Single,
    Double,
    /// The raw body of a `*_by_lua_block { ... }` directive.
    LuaBlock,
}

/// One argument (or the directive name).
#[derive(Debug, Clone)]
pub struct Word {
    /// The text between the quotes (or the whole bare word), exactly as written
    /// (kept inline, without a heap allocation, up to 24 bytes).
    pub raw: CompactString,
    pub quote: Quote,
    /// The raw text has a backslash (its value differs from it).
    pub escaped: bool,
    pub span: Span,
}

impl Word {
    /// The value nginx sees: `\"`, `\'`, `\\` lose their backslash and `\t`,
    /// `\r`, `\n` become control characters (ngx_conf_read_token); every
    /// other backslash is kept. Lua block bodies are taken as they are.
    pub fn value(&self) -> String {
        if self.quote == Quote::LuaBlock || !self.escaped {
            return self.raw.to_string();
        }
        let b = self.raw.as_bytes();
        let mut out: Vec<u8> = Vec::with_capacity(b.len());
        let mut i = 0;
        while i < b.len() {
            if b[i] == b'\\' && i + 1 < b.len() {
                match b[i + 1] {
                    b'"' | b'\'' | b'\\' => {
                        out.push(b[i + 1]);
                        i += 2;
                        continue;
                    }
                    b't' => {
                        out.push(b'\t');
                        i += 2;
                        continue;
                    }
                    b'r' => {
                        out.push(b'\r');
                        i += 2;
                        continue;
                    }
                    b'n' => {
                        out.push(b'\n');
                        i += 2;
                        continue;
                    }
                    _ => {}
                }
            }
            out.push(b[i]);
            i += 1;
        }
        String::from_utf8_lossy(&out).into_owned()
    }

    /// The value crossplane reports: the raw text, with `\<quote>` turned into
    /// the quote inside a quoted word (crossplane keeps other escapes).
    pub fn crossplane_value(&self) -> String {
        match self.quote {
            Quote::Double => self.raw.replace("\\\"", "\""),
            Quote::Single => self.raw.replace("\\'", "'"),
            _ => self.raw.to_string(),
        }
    }

    /// True if the value contains an nginx variable (`$name` / `${name}`).
    pub fn has_variable(&self) -> bool {
        let b = self.raw.as_bytes();
        b.windows(2)
            .any(|w| w[0] == b'$' && (w[1] == b'{' || w[1].is_ascii_alphanumeric() || w[1] == b'_'))
    }
}

#[derive(Debug, Clone)]
pub struct Comment {
    /// The text after `#`, up to the end of the line.
    pub text: String,
    pub span: Span,
}

#[derive(Debug, Clone)]
pub struct Directive {
    pub name: Word,
    pub args: Vec<Word>,
    /// From the first character of the name to the terminating `;` or `{`.
    pub span: Span,
    pub block: Option<Box<Block>>,
    /// Comments that stood between the arguments of this directive.
    pub inner_comments: Vec<Comment>,
    /// For `include`: the files it includes, in the order nginx reads them
    /// (filled in by the loader).
    pub includes: Vec<FileId>,
}

impl Directive {
    pub fn name(&self) -> &str {
        &self.name.raw
    }
    pub fn arg_values(&self) -> Vec<String> {
        self.args.iter().map(|a| a.value()).collect()
    }
    /// True if this is directive `name`. nginx looks directives up by the
    /// word's value, so a quoted name (`"include" a.conf;`) is the same
    /// directive.
    pub fn is(&self, name: &str) -> bool {
        match self.name.quote {
            Quote::LuaBlock => false,
            _ if !self.name.escaped => self.name.raw == name,
            _ => self.name.value() == name,
        }
    }
}

#[derive(Debug, Clone)]
pub struct Block {
    pub items: Vec<Node>,
    /// The closing `}`.
    pub close: Span,
}

#[derive(Debug, Clone)]
pub enum Node {
    Directive(Directive),
    Comment(Comment),
}

/// One parsed file.
#[derive(Debug, Clone)]
pub struct ConfFile {
    pub file: FileId,
    pub items: Vec<Node>,
}

impl Node {
    pub fn as_directive(&self) -> Option<&Directive> {
        match self {
            Node::Directive(d) => Some(d),
            Node::Comment(_) => None,
        }
    }
}
