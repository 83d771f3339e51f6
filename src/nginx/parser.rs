//! The nginx configuration grammar, read exactly as `ngx_conf_read_token`
//! reads it (nginx src/core/ngx_conf_file.c), with spans for everything.
//!
//! The lexical pieces (white space, comments, quoted and bare words, Lua
//! bodies) are nom parsers; the block structure is an explicit stack, so
//! that deep nesting cannot overflow the call stack.
//!
//! Facts about nginx's reader that this module reproduces:
//! - words end at white space, `;` or `{`; `}` `"` `'` `#` inside a bare word
//!   are ordinary characters; `#` starts a comment only where a word could start;
//! - a backslash makes the next character literal (also a newline); after `$`,
//!   a `{` does not end the word (`${var}`);
//! - a quoted word must be followed by white space, `;`, `{` or `)`;
//! - a word of 4096 bytes or more that does not end the file is an error
//!   ("too long parameter", NGX_CONF_BUFFER);
//! - inside `types`, `map`, `geo`, `split_clients` and `charset_map` blocks a
//!   `{` is an error;
//! - errors are reported at the line nginx is on when it notices them.

use nom::bytes::complete::{take_till, take_while};
use nom::IResult;
use nom::Parser as _;

use crate::nginx::ast::{Block, Comment, ConfFile, Directive, Node, Quote, Word};
use crate::source::{FileId, SourceFile, Span};

/// nginx's configuration buffer (NGX_CONF_BUFFER).
pub const NGX_CONF_BUFFER: usize = 4096;

/// Blocks nested deeper than this are refused instead of risking the stack of
/// whatever walks the tree later.
pub const MAX_DEPTH: usize = 200;

/// A syntax error: message as nginx words it, and where.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SyntaxError {
    pub message: String,
    pub offset: usize,
    pub line: u32,
    pub col: u32,
}

/// nginx's block directives (NGX_CONF_BLOCK) in the open-source modules:
/// written without `{`, nginx says `directive "x" has not the opening "{"`.
pub(crate) const BLOCK_DIRECTIVES: &[&str] = &[
    "events",
    "http",
    "mail",
    "stream",
    "server",
    "location",
    "limit_except",
    "if",
    "upstream",
    "map",
    "geo",
    "split_clients",
    "types",
    "charset_map",
];

/// Well-known directives that take no block: written with `{`, nginx says
/// `directive "x" is not terminated by ";"`. (Directives tlslint does not
/// know are accepted either way, as third-party modules may define them.)
pub(crate) const SIMPLE_DIRECTIVES: &[&str] = &[
    "include",
    "listen",
    "server_name",
    "root",
    "alias",
    "index",
    "return",
    "rewrite",
    "set",
    "error_log",
    "access_log",
    "log_format",
    "error_page",
    "try_files",
    "add_header",
    "add_header_inherit",
    "default_type",
    "sendfile",
    "keepalive_timeout",
    "gzip",
    "client_max_body_size",
    "server_tokens",
    "charset",
    "expires",
    "allow",
    "deny",
    "internal",
    "autoindex",
    "http2",
    "http3",
    "resolver",
    "resolver_timeout",
    "user",
    "pid",
    "worker_processes",
    "worker_connections",
    "worker_rlimit_nofile",
    "proxy_pass",
    "proxy_set_header",
    "fastcgi_pass",
    "uwsgi_pass",
    "grpc_pass",
    "ssl",
    "ssl_certificate",
    "ssl_certificate_key",
    "ssl_certificate_cache",
    "ssl_password_file",
    "ssl_dhparam",
    "ssl_ecdh_curve",
    "ssl_protocols",
    "ssl_ciphers",
    "ssl_buffer_size",
    "ssl_verify_client",
    "ssl_verify_depth",
    "ssl_client_certificate",
    "ssl_trusted_certificate",
    "ssl_prefer_server_ciphers",
    "ssl_session_cache",
    "ssl_session_tickets",
    "ssl_session_ticket_key",
    "ssl_session_timeout",
    "ssl_crl",
    "ssl_ocsp",
    "ssl_ocsp_responder",
    "ssl_ocsp_cache",
    "ssl_stapling",
    "ssl_stapling_file",
    "ssl_stapling_responder",
    "ssl_stapling_verify",
    "ssl_early_data",
    "ssl_conf_command",
    "ssl_reject_handshake",
    "ssl_ech_file",
    "ssl_certificate_compression",
    "proxy_ssl",
    "proxy_ssl_verify",
    "proxy_ssl_trusted_certificate",
    "proxy_ssl_protocols",
    "proxy_ssl_ciphers",
    "proxy_ssl_name",
    "proxy_ssl_server_name",
    "proxy_ssl_certificate",
    "proxy_ssl_certificate_key",
    "proxy_ssl_verify_depth",
];

/// `server` is a block in `http`, `stream` and `mail`, but a simple directive
/// in `upstream` (`server ADDRESS [PARAMS];`). Only where the enclosing block
/// is known to be one of the former is `server;` an error: at the top level
/// of a file the context is the include's, which may be an `upstream`.
fn server_must_be_block(parent: Option<&Frame>) -> bool {
    parent.and_then(|f| f.head.as_ref()).is_some_and(|h| {
        h.name.quote == Quote::None && matches!(h.name.raw.as_str(), "http" | "stream" | "mail")
    })
}

/// Inside `upstream`, `server` is the simple directive: `server {` is an error.
fn in_upstream(parent: Option<&Frame>) -> bool {
    parent
        .and_then(|f| f.head.as_ref())
        .is_some_and(|h| h.name.quote == Quote::None && h.name.raw == "upstream")
}

/// Blocks whose content nginx hands to a custom handler: no nested blocks.
const HANDLER_BLOCKS: &[&str] = &["types", "map", "geo", "split_clients", "charset_map"];

fn is_ws(c: u8) -> bool {
    matches!(c, b' ' | b'\t' | b'\r' | b'\n')
}

/// White space (possibly none).
fn ws(i: &[u8]) -> IResult<&[u8], &[u8]> {
    take_while(is_ws).parse(i)
}

/// A `#` comment up to (not including) the newline.
fn comment(i: &[u8]) -> IResult<&[u8], &[u8]> {
    let (rest, _) = nom::bytes::complete::tag(&b"#"[..]).parse(i)?;
    take_till(|c| c == b'\n').parse(rest)
}

/// The body of a quoted word, after the opening quote: everything up to the
/// matching unescaped quote. Returns `Err` when the file ends first.
fn quoted_body(q: u8) -> impl Fn(&[u8]) -> IResult<&[u8], &[u8]> {
    move |i: &[u8]| {
        let mut k = 0;
        while k < i.len() {
            let c = i[k];
            if c == b'\\' {
                k += 2;
                continue;
            }
            if c == q {
                return Ok((&i[k..], &i[..k]));
            }
            k += 1;
        }
        Err(nom::Err::Error(nom::error::Error::new(
            i,
            nom::error::ErrorKind::Eof,
        )))
    }
}

/// A bare word: up to white space, `;` or `{` (a `{` right after `$` is part
/// of the word). Returns `Err` when the file ends inside the word.
fn bare_word(i: &[u8]) -> IResult<&[u8], &[u8]> {
    let mut k = 0;
    let mut variable = false;
    while k < i.len() {
        let c = i[k];
        if k > 0 {
            if c == b'{' && variable {
                k += 1;
                continue;
            }
            variable = false;
            if is_ws(c) || c == b';' || c == b'{' {
                return Ok((&i[k..], &i[..k]));
            }
        }
        if c == b'\\' {
            k += 2;
            continue;
        }
        if c == b'$' {
            variable = true;
        }
        k += 1;
    }
    Err(nom::Err::Error(nom::error::Error::new(
        i,
        nom::error::ErrorKind::Eof,
    )))
}

/// Length of a Lua long bracket opener `[==[` at the start of `i`, with its level.
fn long_bracket(i: &[u8]) -> Option<(usize, usize)> {
    if i.first() != Some(&b'[') {
        return None;
    }
    let mut k = 1;
    while i.get(k) == Some(&b'=') {
        k += 1;
    }
    if i.get(k) == Some(&b'[') {
        Some((k + 1, k - 1))
    } else {
        None
    }
}

fn skip_long(i: &[u8], level: usize) -> Option<usize> {
    let mut k = 0;
    while k < i.len() {
        if i[k] == b']' {
            let mut e = k + 1;
            while i.get(e) == Some(&b'=') {
                e += 1;
            }
            if e - k - 1 == level && i.get(e) == Some(&b']') {
                return Some(e + 1);
            }
        }
        k += 1;
    }
    None
}

/// The raw body of a `*_by_lua_block { ... }`, after its `{`: Lua strings,
/// long brackets and comments are skipped while braces are counted.
fn lua_body(i: &[u8]) -> IResult<&[u8], &[u8]> {
    let fail = || nom::Err::Error(nom::error::Error::new(i, nom::error::ErrorKind::Eof));
    let mut depth = 1usize;
    let mut k = 0;
    while k < i.len() {
        match i[k] {
            b'-' if i.get(k + 1) == Some(&b'-') => {
                if let Some((open, level)) = long_bracket(&i[k + 2..]) {
                    k += 2 + open;
                    k += skip_long(&i[k..], level).ok_or_else(fail)?;
                } else {
                    while k < i.len() && i[k] != b'\n' {
                        k += 1;
                    }
                }
                continue;
            }
            b'[' => {
                if let Some((open, level)) = long_bracket(&i[k..]) {
                    k += open;
                    k += skip_long(&i[k..], level).ok_or_else(fail)?;
                    continue;
                }
            }
            q @ (b'"' | b'\'') => {
                k += 1;
                while k < i.len() && i[k] != q {
                    if i[k] == b'\\' {
                        k += 1;
                    }
                    k += 1;
                }
                if k >= i.len() {
                    return Err(fail());
                }
            }
            b'{' => depth += 1,
            b'}' => {
                depth -= 1;
                if depth == 0 {
                    return Ok((&i[k..], &i[..k]));
                }
            }
            _ => {}
        }
        k += 1;
    }
    Err(fail())
}

struct Frame {
    /// The directive whose block this is (None for the file level).
    head: Option<Directive>,
    handler: bool,
    items: Vec<Node>,
}

struct Reader<'a> {
    text: &'a str,
    b: &'a [u8],
    src: &'a SourceFile,
    file: FileId,
    /// (offset, line, characters from the start of that line to the
    /// offset): spans are asked for in increasing order, so lines and
    /// columns are counted once, forward (linear in the line's length)
    cursor: std::cell::Cell<(usize, u32, u32)>,
}

impl<'a> Reader<'a> {
    fn line_col(&self, start: usize) -> (u32, u32) {
        let (at, mut line, mut col) = self.cursor.get();
        if start < at {
            return self.src.line_col(start as u32);
        }
        for &c in &self.b[at..start] {
            if c == b'\n' {
                line += 1;
                col = 0;
            } else if c & 0xC0 != 0x80 {
                // a character starts here (not a UTF-8 continuation byte)
                col += 1;
            }
        }
        self.cursor.set((start, line, col));
        (line, col + 1)
    }

    fn span(&self, start: usize, end: usize) -> Span {
        let (line, col) = self.line_col(start.min(self.b.len()));
        Span {
            file: self.file,
            start: start as u32,
            end: end as u32,
            line,
            col,
        }
    }

    fn err_at(&self, offset: usize, message: String) -> SyntaxError {
        let (line, col) = self.src.line_col(offset.min(self.b.len()) as u32);
        SyntaxError {
            message,
            offset,
            line,
            col,
        }
    }

    fn err_eof(&self, message: &str) -> SyntaxError {
        let (line, col) = self.src.line_col(self.b.len() as u32);
        SyntaxError {
            message: message.to_string(),
            offset: self.b.len(),
            line,
            col,
        }
    }

    fn unexpected(&self, offset: usize) -> SyntaxError {
        let ch = self.text[offset..].chars().next().unwrap_or('?');
        self.err_at(offset, format!("unexpected \"{ch}\""))
    }

    /// nginx keeps the bytes from `start` in its 4096-byte buffer while a
    /// word (or comment) is being read. Before it reads each further byte it
    /// checks whether the buffer is full; `last` is the last position where
    /// that check still sees this `start`. A full buffer that does not end the
    /// file is "too long parameter". `quote_close` is the position of the
    /// closing quote of a quoted word (None if unterminated or not quoted).
    fn check_too_long(
        &self,
        start: usize,
        last: usize,
        quote: Option<(u8, Option<usize>)>,
    ) -> Result<(), SyntaxError> {
        let at = start + NGX_CONF_BUFFER;
        if at <= last && at < self.b.len() {
            let message = match quote {
                Some((q, close)) if close.is_none_or(|c| at <= c) => format!(
                    "too long parameter, probably missing terminating \"{}\" character",
                    q as char
                ),
                _ => {
                    let head = String::from_utf8_lossy(&self.b[start..start + 10]);
                    format!("too long parameter \"{head}...\" started")
                }
            };
            return Err(self.err_at(start, message));
        }
        Ok(())
    }

    fn word(&self, start: usize, end: usize, raw: &[u8], quote: Quote) -> Word {
        Word {
            escaped: raw.contains(&b'\\'),
            raw: match std::str::from_utf8(raw) {
                Ok(s) => compact_str::CompactString::new(s),
                Err(_) => compact_str::CompactString::from(String::from_utf8_lossy(raw)),
            },
            quote,
            span: self.span(start, end),
        }
    }

    /// Parse; on a syntax error, also return what was read before it, with
    /// open blocks closed, because nginx has already acted on it (includes
    /// before the error are read before the error is reported).
    fn run(&self) -> (Vec<Node>, Option<SyntaxError>) {
        let mut stack: Vec<Frame> = vec![Frame {
            head: None,
            handler: false,
            items: Vec::new(),
        }];
        let err = self.run_stack(&mut stack).err();
        // fold the open blocks into their parents
        while stack.len() > 1 {
            let Some(frame) = stack.pop() else { break };
            if let (Some(mut d), Some(top)) = (frame.head, stack.last_mut()) {
                let end = d.span.end;
                let mut items = frame.items;
                items.shrink_to_fit();
                d.block = Some(Box::new(Block {
                    items,
                    close: self.span(end as usize, end as usize),
                }));
                top.items.push(Node::Directive(d));
            }
        }
        let mut items = stack.pop().map(|f| f.items).unwrap_or_default();
        items.shrink_to_fit();
        (items, err)
    }

    fn run_stack(&self, stack: &mut Vec<Frame>) -> Result<(), SyntaxError> {
        let b = self.b;
        let len = b.len();
        let mut pos = 0usize;
        let mut words: Vec<Word> = Vec::new();
        let mut inner_comments: Vec<Comment> = Vec::new();

        loop {
            let rest = ws(&b[pos..]).map(|(r, _)| r).unwrap_or(&b[pos..]);
            pos = len - rest.len();
            if pos >= len {
                if !words.is_empty() {
                    return Err(self.err_eof("unexpected end of file, expecting \";\" or \"}\""));
                }
                if stack.len() > 1 {
                    return Err(self.err_eof("unexpected end of file, expecting \"}\""));
                }
                return Ok(());
            }
            let c = b[pos];
            match c {
                b'#' => {
                    let (rest, body) = comment(&b[pos..]).map_err(|_| self.unexpected(pos))?;
                    let end = len - rest.len();
                    self.check_too_long(pos, end, None)?;
                    let cm = Comment {
                        // the `\r` of a CRLF line end is not part of the comment
                        text: String::from_utf8_lossy(body.strip_suffix(b"\r").unwrap_or(body))
                            .into_owned(),
                        span: self.span(pos, end),
                    };
                    if words.is_empty() {
                        if let Some(top) = stack.last_mut() {
                            top.items.push(Node::Comment(cm));
                        }
                    } else {
                        inner_comments.push(cm);
                    }
                    pos = end;
                }
                b';' | b'{' if words.is_empty() => return Err(self.unexpected(pos)),
                b';' => {
                    let d = self.directive(
                        std::mem::take(&mut words),
                        pos,
                        std::mem::take(&mut inner_comments),
                    );
                    if d.name.quote == Quote::None
                        && BLOCK_DIRECTIVES.contains(&d.name.raw.as_str())
                        && !stack.last().is_some_and(|f| f.handler)
                        && !(d.name.raw == "server" && !server_must_be_block(stack.last()))
                    {
                        return Err(self.err_at(
                            pos,
                            format!("directive \"{}\" has not the opening \"{{\"", d.name.raw),
                        ));
                    }
                    if let Some(top) = stack.last_mut() {
                        top.items.push(Node::Directive(d));
                    }
                    pos += 1;
                }
                b'{' => {
                    if stack.last().is_some_and(|f| f.handler) {
                        return Err(self.unexpected(pos));
                    }
                    let d = self.directive(
                        std::mem::take(&mut words),
                        pos,
                        std::mem::take(&mut inner_comments),
                    );
                    if d.name.quote == Quote::None
                        && (SIMPLE_DIRECTIVES.contains(&d.name.raw.as_str())
                            || (d.name.raw == "server" && in_upstream(stack.last())))
                    {
                        return Err(self.err_at(
                            pos,
                            format!("directive \"{}\" is not terminated by \";\"", d.name.raw),
                        ));
                    }
                    if d.name.quote == Quote::None && d.name.raw.ends_with("_by_lua_block") {
                        let body_start = pos + 1;
                        let (rest, body) = lua_body(&b[body_start..])
                            .map_err(|_| self.err_eof("unexpected end of file, expecting \"}\""))?;
                        let close = len - rest.len();
                        let mut d = d;
                        d.args
                            .push(self.word(body_start, close, body, Quote::LuaBlock));
                        if let Some(top) = stack.last_mut() {
                            top.items.push(Node::Directive(d));
                        }
                        pos = close + 1;
                        continue;
                    }
                    if stack.len() > MAX_DEPTH {
                        return Err(self
                            .err_at(pos, format!("blocks nested deeper than {MAX_DEPTH} levels")));
                    }
                    let handler = d.name.quote == Quote::None
                        && HANDLER_BLOCKS.contains(&d.name.raw.as_str());
                    stack.push(Frame {
                        head: Some(d),
                        handler,
                        items: Vec::new(),
                    });
                    pos += 1;
                }
                b'}' => {
                    if !words.is_empty() || stack.len() == 1 {
                        return Err(self.unexpected(pos));
                    }
                    let Some(frame) = stack.pop() else {
                        return Err(self.unexpected(pos));
                    };
                    if let Some(mut d) = frame.head {
                        let mut items = frame.items;
                        items.shrink_to_fit();
                        d.block = Some(Box::new(Block {
                            items,
                            close: self.span(pos, pos + 1),
                        }));
                        if let Some(top) = stack.last_mut() {
                            top.items.push(Node::Directive(d));
                        }
                    }
                    pos += 1;
                }
                q @ (b'"' | b'\'') => {
                    let body_start = pos + 1;
                    match quoted_body(q)(&b[body_start..]) {
                        Ok((rest, body)) => {
                            let close = len - rest.len();
                            let quote = if q == b'"' {
                                Quote::Double
                            } else {
                                Quote::Single
                            };
                            words.push(self.word(pos, close + 1, body, quote));
                            let after = close + 1;
                            let quote_state = Some((q, Some(close)));
                            let last = match b.get(after) {
                                Some(&n) if is_ws(n) => after + 1,
                                Some(b';' | b'{' | b')') => after,
                                Some(_) => {
                                    self.check_too_long(body_start, after, quote_state)?;
                                    return Err(self.unexpected(after));
                                }
                                None => len,
                            };
                            self.check_too_long(body_start, last, quote_state)?;
                            pos = after;
                        }
                        Err(_) => {
                            self.check_too_long(body_start, len, Some((q, None)))?;
                            return Err(
                                self.err_eof("unexpected end of file, expecting \";\" or \"}\"")
                            );
                        }
                    }
                }
                _ => match bare_word(&b[pos..]) {
                    Ok((rest, raw)) => {
                        let end = len - rest.len();
                        let last = if is_ws(b[end]) { end + 1 } else { end };
                        self.check_too_long(pos, last, None)?;
                        words.push(self.word(pos, end, raw, Quote::None));
                        pos = end;
                    }
                    Err(_) => {
                        self.check_too_long(pos, len, None)?;
                        return Err(
                            self.err_eof("unexpected end of file, expecting \";\" or \"}\"")
                        );
                    }
                },
            }
        }
    }

    fn directive(
        &self,
        mut words: Vec<Word>,
        term: usize,
        inner_comments: Vec<Comment>,
    ) -> Directive {
        let name = words.remove(0);
        words.shrink_to_fit();
        let span = self.span(name.span.start as usize, term + 1);
        Directive {
            name,
            args: words,
            span,
            block: None,
            inner_comments,
            includes: Vec::new(),
        }
    }
}

/// Parse one file's text. Includes are not followed here (see `loader`).
pub fn parse(src: &SourceFile, file: FileId) -> Result<ConfFile, SyntaxError> {
    match parse_partial(src, file) {
        (f, None) => Ok(f),
        (_, Some(e)) => Err(e),
    }
}

/// Parse one file; on a syntax error, also return the directives before it
/// (with open blocks closed), which nginx has acted on before it stops.
pub fn parse_partial(src: &SourceFile, file: FileId) -> (ConfFile, Option<SyntaxError>) {
    let text: &str = &src.text;
    let p = Reader {
        text,
        b: text.as_bytes(),
        src,
        file,
        cursor: std::cell::Cell::new((0, 1, 0)),
    };
    let (items, err) = p.run();
    (ConfFile { file, items }, err)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::PathBuf;

    fn p(text: &str) -> Result<ConfFile, SyntaxError> {
        let src = SourceFile::new(PathBuf::from("t.conf"), text.to_string());
        parse(&src, FileId(0))
    }

    fn names(items: &[Node]) -> Vec<String> {
        items
            .iter()
            .filter_map(|n| n.as_directive())
            .map(|d| {
                let mut s = d.name.raw.to_string();
                for a in &d.args {
                    s.push('|');
                    s.push_str(&a.value());
                }
                s
            })
            .collect()
    }

    #[test]
    fn words_quotes_and_escapes() {
        let f = p("a 'b c' \"d\\\"e\" f\\ g \\n ${x}y;").unwrap();
        assert_eq!(names(&f.items), vec!["a|b c|d\"e|f\\ g|\n|${x}y"]);
    }

    #[test]
    fn hash_inside_word_and_comments() {
        let f = p("# top\na b#c; # tail\nd 'x' # mid\n e;").unwrap();
        assert_eq!(names(&f.items), vec!["a|b#c", "d|x|e"]);
        let comments = f
            .items
            .iter()
            .filter(|n| matches!(n, Node::Comment(_)))
            .count();
        assert_eq!(comments, 2);
    }

    #[test]
    fn nested_blocks_and_lua() {
        let f = p("http { server { content_by_lua_block { local t = {1} -- }\n ngx.say('}') } listen 443 ssl; } }").unwrap();
        let http = f.items[0].as_directive().unwrap();
        let server = http.block.as_ref().unwrap().items[0]
            .as_directive()
            .unwrap();
        let inner = &server.block.as_ref().unwrap().items;
        let lua = inner[0].as_directive().unwrap();
        assert_eq!(lua.args.len(), 1);
        assert_eq!(lua.args[0].quote, Quote::LuaBlock);
        assert!(lua.args[0].raw.contains("ngx.say('}')"));
        assert_eq!(names(&inner[1..]), vec!["listen|443|ssl"]);
    }

    #[test]
    fn errors_like_nginx() {
        let e = p("events {}\nhttp {\n server {\n").unwrap_err();
        assert_eq!(
            (e.message.as_str(), e.line),
            ("unexpected end of file, expecting \"}\"", 4)
        );
        let e = p("events {}\n}\n").unwrap_err();
        assert_eq!((e.message.as_str(), e.line), ("unexpected \"}\"", 2));
        let e = p("http { server_tokens off }\n").unwrap_err();
        assert_eq!(e.message, "unexpected \"}\"");
        let e = p("http { a \"off\n}\n").unwrap_err();
        assert_eq!(
            (e.message.as_str(), e.line),
            ("unexpected end of file, expecting \";\" or \"}\"", 3)
        );
        let e = p("a \"b\"x;").unwrap_err();
        assert_eq!(e.message, "unexpected \"x\"");
        let e = p(";").unwrap_err();
        assert_eq!(e.message, "unexpected \";\"");
        let e = p("map $a $b { x { } }").unwrap_err();
        assert_eq!(e.message, "unexpected \"{\"");
        assert!(p("if ($a = \"x\") { return 404; }").is_ok());
        let e = p("http { server_tokens off {\n}}").unwrap_err();
        assert_eq!(
            e.message,
            "directive \"server_tokens\" is not terminated by \";\""
        );
        let e = p("http { server; }").unwrap_err();
        assert_eq!(e.message, "directive \"server\" has not the opening \"{\"");
        // inside map/types, words are data
        assert!(p("map $a $b { server 1; }").is_ok());
        // `server ADDRESS;` is the simple directive of upstream blocks, and a
        // file's top level may be included into one
        assert!(p("http { upstream u { server 127.0.0.1:80 weight=2; } }").is_ok());
        assert!(p("stream { upstream u { server 127.0.0.1:80; } }").is_ok());
        assert!(p("server 127.0.0.1:80 backup;").is_ok());
        let e = p("http { upstream u { server {").unwrap_err();
        assert_eq!(e.message, "directive \"server\" is not terminated by \";\"");
        let e = p("stream { server; }").unwrap_err();
        assert_eq!(e.message, "directive \"server\" has not the opening \"{\"");
    }

    #[test]
    fn crlf_comment_text() {
        let f = p("# a comment\r\nx; # tail\r\n").unwrap();
        let texts: Vec<&str> = f
            .items
            .iter()
            .filter_map(|n| match n {
                Node::Comment(c) => Some(c.text.as_str()),
                _ => None,
            })
            .collect();
        assert_eq!(texts, vec![" a comment", " tail"]);
    }

    #[test]
    fn too_long_words() {
        let long = "x".repeat(NGX_CONF_BUFFER);
        let e = p(&format!("a {long};\n")).unwrap_err();
        assert!(
            e.message
                .starts_with("too long parameter \"xxxxxxxxxx...\""),
            "{}",
            e.message
        );
        assert!(p(&format!("a {};\n", "x".repeat(NGX_CONF_BUFFER - 1))).is_ok());
        let e = p(&format!("a \"{long}\n;\n")).unwrap_err();
        assert!(
            e.message.starts_with("too long parameter, probably"),
            "{}",
            e.message
        );
        // measured on nginx 1.22.1: a quoted word of 4094 bytes is fine, 4095 is not
        assert!(p(&format!("a \"{}\";\n", "x".repeat(4094))).is_ok());
        let e = p(&format!("a \"{}\";\n", "x".repeat(4095))).unwrap_err();
        assert!(
            e.message
                .starts_with("too long parameter \"xxxxxxxxxx...\" started"),
            "{}",
            e.message
        );
    }

    #[test]
    fn deep_nesting_is_an_error_not_a_crash() {
        let depth = 100_000;
        let text = "a {".repeat(depth) + &"}".repeat(depth);
        let e = p(&text).unwrap_err();
        assert!(e.message.contains("nested deeper"));
    }
}
