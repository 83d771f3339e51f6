//! Reading a whole Apache httpd tree as httpd does (`ap_build_config` and
//! the `EXEC_ON_READ` directives of server/config.c, server/core.c,
//! mod_so, mod_version and mod_macro): in order, with an environment.
//!
//! - Lines are read one after the other; `${VAR}` is substituted in each
//!   line of an active region before it is split into words.
//! - `Define`/`UnDefine`, `LoadModule`, `ServerRoot`, `Include`,
//!   `IncludeOptional`, `<IfDefine>`, `<IfModule>`, `<IfVersion>`,
//!   `<IfFile>`, `<IfDirective>`, `<IfSection>`, `<Macro>`, `Use` and
//!   `UndefMacro` act as they are read, whatever section they are in.
//! - The content of a true conditional section is read as its own scope
//!   (a plain section opened inside must close inside; its own `</IfX>` must
//!   be the whole line; the file may end before it). The content of a false
//!   one is skipped as httpd skips it: only `<...` and `</...` lines count,
//!   and each `</X>` must close the innermost `<X`.
//! - An included file (or a macro expansion) is its own scope, read in
//!   place; each read of a file is a new instance (its own [`FileId`]), as
//!   its conditionals and variables may come out differently each time.
//! - The first error of the read phase stops the read (httpd stops there).
//!   Errors httpd finds only when it later walks the tree (a `<VirtualHost`
//!   without `>`, an `Error` directive) are reported when reading succeeded.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use crate::apache::ast::{ConfFile, Directive, Node, Quote, Section, Word};
use crate::apache::env::{self, Env, Module};
use crate::apache::parser::{self, LogicalLine, Tok};
use crate::error::Error;
use crate::fsx::{self, Fs, Kind};
use crate::paths::Mapped;
use crate::source::{FileId, SourceMap, Span};
use crate::version::Version;

/// httpd's AP_MAX_INCLUDE_DEPTH.
pub const MAX_INCLUDE_DEPTH: usize = 128;
/// httpd's AP_MAX_FNMATCH_DIR_DEPTH (directories below an included one).
pub const MAX_DIR_DEPTH: usize = 128;
/// Sections nested deeper than this, counting those around the `Include`
/// and `Use` lines that lead to them, are refused (a tlslint bound).
pub const MAX_NESTING: usize = 200;
/// File reads and macro expansions in one tree (a tlslint bound).
pub const MAX_SOURCES: usize = 100_000;
/// Bytes read from files in one tree (a tlslint bound).
pub const MAX_TOTAL_BYTES: u64 = 1024 * 1024 * 1024;
/// Macro uses nested in macro expansions (a tlslint bound).
pub const MAX_MACRO_DEPTH: usize = 64;
/// Bytes of macro expansions in one tree (a tlslint bound).
pub const MAX_EXPANSION_BYTES: usize = 64 * 1024 * 1024;
/// Lines (directives, sections, comments) read in one tree, counting each
/// read of a file and each macro expansion: a bound on the tree's size in
/// memory (a tlslint bound; real trees have thousands).
pub const MAX_LINES_READ: usize = 2_000_000;
/// Bytes of `Define` values in one tree (a tlslint bound).
pub const MAX_DEFINED_BYTES: usize = 64 * 1024 * 1024;
/// mod_macro's line buffer (MAX_STRING_LEN).
const MACRO_LINE_MAX: usize = 8192;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LoadErrorKind {
    /// httpd's "Syntax error on line N of FILE": structure, arguments of the
    /// directives acted on while reading, conditions.
    Syntax,
    /// A file that an `Include` names cannot be opened or read (or the main
    /// file).
    Open {
        path: PathBuf,
        os_error: String,
        errno: Option<i32>,
    },
    /// `Include` of a wildcard that matches nothing, a directory that cannot
    /// be read, include depth exceeded.
    Include,
    /// A bound of tlslint's (size, nesting, expansion).
    Limit,
}

/// When httpd finds the error.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Phase {
    /// While reading (httpd stops at the first).
    Read,
    /// While walking the tree after reading (reported after every read error).
    Walk,
}

/// An error, located where httpd locates it.
#[derive(Debug, Clone)]
pub struct LoadError {
    pub kind: LoadErrorKind,
    pub phase: Phase,
    /// httpd's wording (without its "Syntax error on line N of FILE:").
    pub message: String,
    pub file: Option<FileId>,
    pub path: PathBuf,
    /// httpd's line (the last physical line of the directive's line).
    pub line: u32,
    pub col: u32,
    pub span: Option<Span>,
}

impl LoadError {
    pub fn to_error(&self) -> Error {
        Error::located(
            self.message.clone(),
            self.path.clone(),
            self.line,
            self.col,
            self.span,
        )
    }
}

/// A warning httpd would log while reading (`${VAR}` not defined, a module
/// loaded twice, ...).
#[derive(Debug, Clone)]
pub struct Warning {
    pub message: String,
    pub file: Option<FileId>,
    pub path: PathBuf,
    pub line: u32,
}

/// One line of `apache2 -t -D DUMP_INCLUDES`: a file httpd opened.
#[derive(Debug, Clone)]
pub struct DumpEntry {
    /// Includes being executed when the file was opened (0: the main file).
    pub depth: usize,
    /// The line httpd prints: that of the last `Include` executed anywhere
    /// (`None`, printed `*`, before the first).
    pub line: Option<u32>,
    pub path: PathBuf,
    pub file: FileId,
}

/// Where a source (a [`FileId`]) came from.
#[derive(Debug, Clone)]
pub enum SourceKind {
    /// A read of a file.
    File,
    /// A `Use` of a macro: its text is the macro's body with the arguments
    /// substituted; its "path" is httpd's name for it (`macro 'x' (defined
    /// on line N of "F") used on line M of "G"`).
    Macro(MacroExpansion),
}

#[derive(Debug, Clone)]
pub struct MacroExpansion {
    /// The macro's name (lower case, as httpd keeps it).
    pub name: String,
    /// Where `<Macro` is.
    pub defined_in: FileId,
    pub defined_line: u32,
    /// Where `Use` is.
    pub used_in: FileId,
    pub used_line: u32,
    /// For each line of the expansion (1-based index - 1): the source and
    /// the physical line of the body line it came from.
    pub lines: Vec<(FileId, u32)>,
}

/// A loaded Apache tree.
#[derive(Debug)]
pub struct Tree {
    pub sources: SourceMap,
    /// Parsed sources by `FileId`.
    pub files: Vec<Option<ConfFile>>,
    pub kinds: Vec<SourceKind>,
    pub root: FileId,
    /// The server root relative paths were resolved against at the start.
    pub server_root: PathBuf,
    /// The read error (httpd stops at the first), or else the errors httpd
    /// would find when it walks the tree, in its order.
    pub errors: Vec<LoadError>,
    pub warnings: Vec<Warning>,
    /// What tlslint assumed, for the user.
    pub notes: Vec<String>,
    /// The files httpd opens, in order (`-D DUMP_INCLUDES`).
    pub dump: Vec<DumpEntry>,
    /// The environment at the end of the read (defines, variables, modules).
    pub env: Env,
}

/// Where Debian's `envvars` comes from.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub enum Envvars {
    /// `envvars` beside a main file named `apache2.conf` (Debian), and the
    /// `-D` options of `APACHE2_OPTS` in `../conf.d/apache2` for a main file
    /// `apache2/httpd.conf` (Gentoo), if there are.
    #[default]
    Auto,
    /// None.
    Off,
    /// This file.
    File(PathBuf),
}

#[derive(Debug, Clone, Default)]
pub struct LoadOptions {
    /// `--server-root`: relative paths are resolved against it, whatever
    /// `ServerRoot` the tree names. Default: the main file's directory, then
    /// the tree's `ServerRoot` (see [`load`]).
    pub server_root: Option<PathBuf>,
    /// The server root the layout implies (`/etc/httpd` for
    /// `/etc/httpd/conf/httpd.conf`), used instead of the main file's
    /// directory; `ServerRoot` in the tree still changes it.
    pub default_root: Option<PathBuf>,
    /// `-D NAME`.
    pub defines: Vec<String>,
    /// `--apache-version` (default [`env::DEFAULT_VERSION`]).
    pub version: Option<Version>,
    pub envvars: Envvars,
}

/// A macro definition.
#[derive(Debug, Clone)]
struct Macro {
    name: String,
    params: Vec<String>,
    /// Body lines (raw text) with the source and physical line they are on.
    body: Vec<(String, FileId, u32)>,
    location: String,
    defined_in: FileId,
    defined_line: u32,
}

#[derive(Debug)]
enum FrameKind {
    /// A source's own scope.
    Root,
    /// `<VirtualHost>`, `<Directory>`, ... and unknown sections.
    Section,
    /// A true conditional section: its content is a scope of its own.
    Cond,
    /// A false conditional section, or a section inside one.
    Soak {
        /// The name to be closed, with `<` (`<IfModule`, `<VirtualHost`).
        expect: String,
        /// The conditional section whose test failed (errors inside are
        /// reported at its line).
        top: bool,
    },
    /// A `<Macro>` body being collected.
    Macro(Box<MacroState>),
}

#[derive(Debug)]
struct MacroState {
    name: String,
    params: Vec<String>,
    location: String,
    body: Vec<(String, FileId, u32)>,
    nesting: i32,
    /// display structure of the body: open sections
    disp: Vec<(Directive, Vec<Node>)>,
}

#[derive(Debug)]
struct Frame {
    kind: FrameKind,
    head: Option<Directive>,
    items: Vec<Node>,
    /// The section name for messages (canonical for known sections).
    msg: String,
}

/// Stop reading: the error has been recorded.
struct Stop;

/// The Include (or Use) being acted on: for errors.
#[derive(Clone, Copy)]
struct At {
    file: FileId,
    span: Span,
    line: u32,
}

struct Loader<'a> {
    fs: &'a dyn Fs,
    env: Env,
    server_root: PathBuf,
    root_fixed: bool,
    main: PathBuf,
    sources: SourceMap,
    files: Vec<Option<ConfFile>>,
    kinds: Vec<SourceKind>,
    read_error: Option<LoadError>,
    walk_errors: Vec<LoadError>,
    warnings: Vec<Warning>,
    notes: Vec<String>,
    dump: Vec<DumpEntry>,
    include_depth: usize,
    last_include_line: Option<u32>,
    /// Files being included (identities), for the cycle note.
    chain: Vec<PathBuf>,
    macros: HashMap<String, Macro>,
    macros_seen: bool,
    macro_depth: usize,
    expansion_bytes: usize,
    total_bytes: u64,
    /// Names of the plain sections enclosing the current point, across
    /// includes and expansions.
    context: Vec<String>,
    saw_if: bool,
    /// The Include being read (the related location of a file reached
    /// through a symlink).
    include_at: Option<Span>,
    /// Sections open in the sources whose `Include` or `Use` is being read
    /// (the nesting a new section adds to).
    outer_nesting: usize,
    /// Bytes of the values `Define` has set (each `Define` counts).
    defined_bytes: usize,
    /// The first read of each file (later reads share its text).
    read_before: HashMap<PathBuf, FileId>,
    /// Lines read in the tree (each read of a file and each macro
    /// expansion counts), bounded by [`MAX_LINES_READ`].
    lines_read: usize,
}

/// `apr_fnmatch_test`: `*` or `?`, or `[` with a later `]`; `\` escapes.
pub fn fnmatch_test(s: &str) -> bool {
    let b = s.as_bytes();
    let mut nesting = 0;
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            b'?' | b'*' => return true,
            b'\\' => {
                i += 1;
                if i >= b.len() {
                    return false;
                }
            }
            b'[' => nesting += 1,
            b']' if nesting > 0 => return true,
            _ => {}
        }
        i += 1;
    }
    false
}

fn os_error_text(e: &std::io::Error) -> String {
    let s = e.to_string();
    match s.find(" (os error") {
        Some(i) => s[..i].to_string(),
        None => s,
    }
}

/// `ap_make_full_path`.
fn full_path(dir: &str, name: &str) -> String {
    if dir.is_empty() {
        name.to_string()
    } else if dir.ends_with('/') {
        format!("{dir}{name}")
    } else {
        format!("{dir}/{name}")
    }
}

/// The last `>` of a section's argument text, as the section handlers find
/// it (`ap_strrchr_c(arg, '>')`).
fn last_gt(s: &str) -> Option<usize> {
    s.rfind('>')
}

/// Drop the last character of a string.
fn drop_last(s: &str) -> &str {
    match s.char_indices().last() {
        Some((i, _)) => &s[..i],
        None => s,
    }
}

/// The default message httpd gives for a wrong number of arguments.
fn takes(name: &str) -> &'static str {
    match name {
        "include" => "Include takes one argument, Name(s) of the config file(s) to be included; fails if the wildcard does not match at least one file",
        "includeoptional" => "IncludeOptional takes one argument, Name or pattern of the config file(s) to be included; ignored if the file does not exist or the pattern does not match any files",
        "define" => "Define takes 1-2 arguments, Define a variable, optionally to a value.  Same as passing -D to the command line.",
        "undefine" => "UnDefine takes one argument, Undefine the existence of a variable. Undo a Define.",
        "serverroot" => "ServerRoot takes one argument, Common directory of server-related files (logs, confs, etc.)",
        "loadmodule" => "LoadModule takes two arguments, a module name and the name of a shared object file to load it from",
        "undefmacro" => "UndefMacro takes one argument, Remove a macro definition.",
        _ => "wrong number of arguments",
    }
}

/// Which sections require arguments (httpd: "<X> directive requires
/// additional arguments", found when walking the tree).
const NEED_ARGS: &[&str] = &[
    "VirtualHost",
    "Directory",
    "DirectoryMatch",
    "Files",
    "FilesMatch",
    "Location",
    "LocationMatch",
    "Limit",
    "LimitExcept",
    "If",
    "ElseIf",
];

impl<'a> Loader<'a> {
    fn stopped(&self) -> bool {
        self.read_error.is_some()
    }

    fn path_of(&self, file: FileId) -> PathBuf {
        self.sources.path(file).to_path_buf()
    }

    /// httpd's name of a source: the path, or the macro expansion's name.
    fn source_name(&self, file: FileId) -> String {
        self.sources.path(file).display().to_string()
    }

    fn error(&mut self, kind: LoadErrorKind, message: String, file: FileId, span: Span, line: u32) {
        if self.read_error.is_some() {
            return;
        }
        self.read_error = Some(LoadError {
            kind,
            phase: Phase::Read,
            message,
            file: Some(file),
            path: self.path_of(file),
            line,
            col: span.col,
            span: Some(span),
        });
    }

    fn syntax(&mut self, message: String, file: FileId, span: Span, line: u32) -> Stop {
        self.error(LoadErrorKind::Syntax, message, file, span, line);
        Stop
    }

    fn walk_error(&mut self, message: String, file: FileId, span: Span, line: u32) {
        if self.walk_errors.len() >= 1000 {
            return;
        }
        self.walk_errors.push(LoadError {
            kind: LoadErrorKind::Syntax,
            phase: Phase::Walk,
            message,
            file: Some(file),
            path: self.path_of(file),
            line,
            col: span.col,
            span: Some(span),
        });
    }

    fn warn(&mut self, message: String, file: FileId, line: u32) {
        if self.warnings.len() < 10_000 {
            self.warnings.push(Warning {
                message,
                file: Some(file),
                path: self.path_of(file),
                line,
            });
        }
    }

    /// `ap_server_root_relative`: absolute paths stay, others are joined to
    /// the server root; `.`, `..` and `//` are resolved lexically.
    fn root_relative(&self, name: &str) -> PathBuf {
        let p = Path::new(name);
        if p.is_absolute() {
            fsx::lexical_normal(p)
        } else {
            fsx::lexical_normal(&self.server_root.join(p))
        }
    }

    /// [`Self::root_relative`], an absolute path being mapped to the local
    /// file it means (`crate::paths`); None: not read from this machine.
    fn server_path(&self, name: &str) -> Option<PathBuf> {
        let p = self.root_relative(name);
        if !Path::new(name).is_absolute() {
            return Some(p);
        }
        match self.fs.map_config(&p) {
            Mapped::Local(l) => Some(fsx::lexical_normal(&l)),
            Mapped::NotRead(why) => {
                self.fs.skipped(&p, &why);
                None
            }
        }
    }

    // ----- building nodes

    fn word(&self, line: &LogicalLine, tok: &Tok, file: FileId) -> Word {
        parser::word(line, tok, &self.sources, file)
    }

    /// A directive node for a line: name and arguments as written.
    fn directive(&self, line: &LogicalLine, toks: &[Tok], file: FileId, active: bool) -> Directive {
        let name = toks
            .first()
            .map(|t| self.word(line, t, file))
            .unwrap_or_else(|| Word {
                raw: String::new(),
                quote: Quote::None,
                span: line.whole(&self.sources, file),
            });
        Directive {
            name,
            args: toks
                .iter()
                .skip(1)
                .map(|t| self.word(line, t, file))
                .collect(),
            span: line.whole(&self.sources, file),
            line: line.line,
            active,
            resolved: None,
            block: None,
            includes: Vec::new(),
        }
    }

    /// A section node for an opening line: the name without `<` (and `>`),
    /// the words before the last `>`.
    fn section(&self, line: &LogicalLine, file: FileId, active: bool) -> Directive {
        let text = &line.text;
        let all = parser::tokenize(text);
        let mut d = self.directive(line, &[], file, active);
        if let Some(first) = all.first() {
            let mut w = self.word(line, first, file);
            if let Some(r) = w.raw.strip_prefix('<') {
                w.raw = r.to_string();
                if w.quote == Quote::None {
                    w.span = self.sources.span(
                        file,
                        (w.span.start + 1).min(w.span.end) as usize,
                        w.span.end as usize,
                    );
                }
            }
            let name_had_gt = w.raw.ends_with('>');
            if name_had_gt {
                w.raw.pop();
                if w.quote == Quote::None && w.span.end > w.span.start {
                    w.span =
                        self.sources
                            .span(file, w.span.start as usize, (w.span.end - 1) as usize);
                }
            }
            d.name = w;
            // the argument text runs from after the first word to the last `>`
            let rest_start = first.end;
            let rest = &text[rest_start..];
            if let Some(gt) = last_gt(rest) {
                let inner = &text[..rest_start + gt];
                d.args = parser::tokenize(inner)
                    .into_iter()
                    .filter(|t| t.start >= rest_start)
                    .map(|t| self.word(line, &t, file))
                    .collect();
            } else {
                d.args = all
                    .iter()
                    .skip(1)
                    .map(|t| self.word(line, t, file))
                    .collect();
            }
        }
        d.block = Some(Section {
            items: Vec::new(),
            close: None,
            condition: None,
        });
        d
    }

    fn push_node(stack: &mut [Frame], node: Node) {
        if let Some(top) = stack.last_mut() {
            top.items.push(node);
        }
    }

    /// Pop the top frame and attach its section to the frame below.
    fn close_top(&mut self, stack: &mut Vec<Frame>, close: Option<Span>) {
        let Some(frame) = stack.pop() else { return };
        if matches!(frame.kind, FrameKind::Section) {
            self.context.pop();
        }
        if let Some(mut d) = frame.head {
            if let Some(b) = d.block.as_mut() {
                b.items = frame.items;
                b.close = close;
            }
            Self::push_node(stack, Node::Directive(d));
        }
    }

    // ----- reading a source

    /// Read one source (a file instance or a macro expansion) in place.
    /// Returns what was read (up to an error, with open sections closed) and
    /// whether reading stopped.
    fn process(&mut self, file: FileId) -> (Vec<Node>, Result<(), Stop>) {
        let lines = match parser::logical_lines(self.sources.get(file)) {
            Ok(l) => l,
            Err((line, msg)) => {
                let span = self.sources.span(file, 0, 0);
                self.error(LoadErrorKind::Limit, msg, file, span, line);
                return (Vec::new(), Err(Stop));
            }
        };
        let mut stack: Vec<Frame> = vec![Frame {
            kind: FrameKind::Root,
            head: None,
            items: Vec::new(),
            msg: String::new(),
        }];
        let context_len = self.context.len();
        let mut result = Ok(());
        for line in &lines {
            if !line.is_blank() {
                self.lines_read += 1;
                if self.lines_read > MAX_LINES_READ {
                    self.too_many_lines(line, file);
                    result = Err(Stop);
                    break;
                }
            }
            let r = match stack.last().map(|f| &f.kind) {
                Some(FrameKind::Macro(_)) => self.macro_line(&mut stack, line, file),
                Some(FrameKind::Soak { .. }) => self.soak_line(&mut stack, line, file),
                _ => self.normal_line(&mut stack, line, file),
            };
            if r.is_err() || self.stopped() {
                result = Err(Stop);
                break;
            }
        }
        if result.is_ok() {
            result = self.end_of_source(&mut stack, file);
        }
        // fold what is still open (also after an error: the partial tree)
        while stack.len() > 1 {
            if let Some(FrameKind::Macro(_)) = stack.last().map(|f| &f.kind) {
                self.finish_macro_display(&mut stack);
            }
            self.close_top(&mut stack, None);
        }
        self.context.truncate(context_len);
        let items = stack.pop().map(|f| f.items).unwrap_or_default();
        (items, result)
    }

    /// More than [`MAX_LINES_READ`] lines: an error at the `Include` (or
    /// `Use`) that brought in the source being read, else at the line.
    fn too_many_lines(&mut self, line: &LogicalLine, file: FileId) {
        let message = format!(
            "more than {MAX_LINES_READ} lines read in one tree (a tlslint limit: a file counts each time it is included and a macro each time it is used, so files that include the same files several times multiply)"
        );
        let (file, span, line) = match self.include_at {
            Some(at) => (at.file, at, at.line),
            None => (file, line.whole(&self.sources, file), line.line),
        };
        self.error(LoadErrorKind::Limit, message, file, span, line);
    }

    /// The end of a source with sections still open.
    fn end_of_source(&mut self, stack: &mut [Frame], file: FileId) -> Result<(), Stop> {
        // an inactive section or a macro body: the innermost one reports
        if let Some(i) = stack
            .iter()
            .rposition(|f| matches!(f.kind, FrameKind::Soak { .. } | FrameKind::Macro(_)))
        {
            match &stack[i].kind {
                FrameKind::Soak { expect, .. } => {
                    let msg = format!(
                        "Expected </{}> before end of configuration",
                        expect.get(1..).unwrap_or("")
                    );
                    // reported at the conditional section whose test failed
                    let top = stack[..=i]
                        .iter()
                        .rposition(|f| matches!(f.kind, FrameKind::Soak { top: true, .. }))
                        .unwrap_or(i);
                    let (span, line) = stack[top]
                        .head
                        .as_ref()
                        .map(|d| (d.span, d.line))
                        .unwrap_or((self.sources.span(file, 0, 0), 0));
                    return Err(self.syntax(msg, file, span, line));
                }
                FrameKind::Macro(m) => {
                    let msg = format!(
                        "macro '{}' ({}): contents error: expected token not found: </Macro>",
                        m.name, m.location
                    );
                    let (span, line) = stack[i]
                        .head
                        .as_ref()
                        .map(|d| (d.span, d.line))
                        .unwrap_or((self.sources.span(file, 0, 0), 0));
                    return Err(self.syntax(msg, file, span, line));
                }
                _ => {}
            }
        }
        // plain sections of the source's own scope (those inside a true
        // conditional section are not checked: httpd does not)
        let scope_end = stack
            .iter()
            .position(|f| matches!(f.kind, FrameKind::Cond))
            .unwrap_or(stack.len());
        let open: Vec<&Frame> = stack[..scope_end]
            .iter()
            .filter(|f| matches!(f.kind, FrameKind::Section))
            .collect();
        if let Some(outer) = open.first() {
            let Some(d) = outer.head.as_ref() else {
                return Ok(());
            };
            let mut msg = format!("<{}> was not closed.", outer.msg);
            for inner in open.iter().skip(1) {
                if let Some(h) = inner.head.as_ref() {
                    msg.push_str(&format!(
                        " <{}> (line {}) was not closed.",
                        inner.msg, h.line
                    ));
                }
            }
            if matches!(self.kinds.get(file.0 as usize), Some(SourceKind::Macro(_))) {
                msg.push_str(
                    " (tlslint reads a section opened in a macro as closed by the macro; httpd would let the rest of the file close it)",
                );
            }
            let (span, line) = (d.span, d.line);
            return Err(self.syntax(msg, file, span, line));
        }
        Ok(())
    }

    fn normal_line(
        &mut self,
        stack: &mut Vec<Frame>,
        line: &LogicalLine,
        file: FileId,
    ) -> Result<(), Stop> {
        if line.is_blank() {
            return Ok(());
        }
        if line.is_comment() {
            let c = line.comment(&self.sources, file, true);
            Self::push_node(stack, Node::Comment(c));
            return Ok(());
        }
        // the end of a true conditional section: exactly `</Name>`
        if let Some(top) = stack.last() {
            if matches!(top.kind, FrameKind::Cond) {
                let want = format!("</{}>", top.msg);
                if line.text.len() == want.len() && line.text.eq_ignore_ascii_case(&want) {
                    let close = line.whole(&self.sources, file);
                    self.close_top(stack, Some(close));
                    return Ok(());
                }
            }
        }
        let Ok((resolved, undefined)) = self.env.resolve(&line.text, parser::MAX_LINE) else {
            let span = line.whole(&self.sources, file);
            self.error(
                LoadErrorKind::Limit,
                format!(
                    "with ${{VAR}} substituted this line is longer than {} MiB (a tlslint limit, httpd's for a line as read)",
                    parser::MAX_LINE / (1024 * 1024)
                ),
                file,
                span,
                line.line,
            );
            return Err(Stop);
        };
        for name in undefined {
            self.warn(
                format!("Config variable ${{{name}}} is not defined"),
                file,
                line.line,
            );
        }
        let (cmd_name, rest_at) = parser::first_word(&resolved);
        if cmd_name.is_empty() {
            return Ok(());
        }
        let changed = resolved != line.text;
        if cmd_name.starts_with("</") {
            return self.close_section(stack, line, file, &cmd_name);
        }
        if cmd_name.starts_with('<') {
            let mut name = cmd_name.clone();
            if name.ends_with('>') {
                name.pop();
            }
            let mut args_text = resolved[rest_at..].to_string();
            if args_text.is_empty() {
                args_text = ">".into();
            }
            return self.open_section(stack, line, file, &name[1..], &args_text, changed);
        }
        // a simple directive
        let toks = parser::tokenize(&line.text);
        let mut d = self.directive(line, &toks, file, true);
        let words = if changed {
            let w = parser::words(&resolved);
            d.resolved = Some(w.clone());
            w
        } else {
            toks.iter().map(Tok::value).collect()
        };
        let lname = cmd_name.to_ascii_lowercase();
        let args: Vec<String> = words.iter().skip(1).cloned().collect();
        let raw_args = &resolved[rest_at..];
        let at = At {
            file,
            span: d.span,
            line: d.line,
        };
        match lname.as_str() {
            "include" | "includeoptional" => {
                if args.len() != 1 || args[0].is_empty() {
                    return Err(self.syntax(takes(&lname).into(), file, d.span, d.line));
                }
                let optional = lname == "includeoptional";
                let mut incs = Vec::new();
                let outer = self.outer_nesting;
                self.outer_nesting += stack.len() - 1;
                let r = self.include(&args[0], optional, at, &mut incs);
                self.outer_nesting = outer;
                d.includes = incs;
                Self::push_node(stack, Node::Directive(d));
                return r;
            }
            "define" => {
                if args.is_empty() || args[0].is_empty() || args.len() > 2 {
                    return Err(self.syntax(takes(&lname).into(), file, d.span, d.line));
                }
                if args[0].contains(':') {
                    return Err(self.syntax(
                        "Variable name must not contain ':'".into(),
                        file,
                        d.span,
                        d.line,
                    ));
                }
                let value = args.get(1).filter(|v| !v.is_empty()).map(String::as_str);
                self.defined_bytes += value.map_or(0, str::len);
                if self.defined_bytes > MAX_DEFINED_BYTES {
                    self.error(
                        LoadErrorKind::Limit,
                        format!(
                            "the values of Define add up to more than {} MiB (a tlslint limit)",
                            MAX_DEFINED_BYTES / (1024 * 1024)
                        ),
                        file,
                        d.span,
                        d.line,
                    );
                    return Err(Stop);
                }
                self.env.define(&args[0], value);
            }
            "undefine" => {
                if args.len() != 1 || args[0].is_empty() {
                    return Err(self.syntax(takes(&lname).into(), file, d.span, d.line));
                }
                if args[0].contains(':') {
                    return Err(self.syntax(
                        "Variable name must not contain ':'".into(),
                        file,
                        d.span,
                        d.line,
                    ));
                }
                self.env.undefine(&args[0]);
            }
            "serverroot" => {
                if args.len() != 1 || args[0].is_empty() {
                    return Err(self.syntax(takes(&lname).into(), file, d.span, d.line));
                }
                self.server_root_directive(&args[0], file, d.line);
            }
            "loadmodule" => {
                if args.len() != 2 || args[0].is_empty() || args[1].is_empty() {
                    return Err(self.syntax(takes(&lname).into(), file, d.span, d.line));
                }
                let loaded = self.env.module(&args[0]).map(|m| m.file.is_some());
                if loaded == Some(true) {
                    self.warn(
                        format!("module {} is already loaded, skipping", args[0]),
                        file,
                        d.line,
                    );
                } else if loaded.is_none() {
                    self.env.modules.push(Module {
                        id: args[0].clone(),
                        source: env::source_name(&args[0]),
                        file: Some(args[1].clone()),
                        at: Some((file, d.line)),
                    });
                }
                // Some(false), a module of the modelled build's own: httpd
                // refuses the line where the module is built in (the resolver
                // reports it, per distribution) and loads it elsewhere; either
                // way it counts as loaded
            }
            "use" => {
                let mut incs = Vec::new();
                let outer = self.outer_nesting;
                self.outer_nesting += stack.len() - 1;
                let r = self.use_macro(raw_args, at, &mut incs);
                self.outer_nesting = outer;
                d.includes = incs;
                Self::push_node(stack, Node::Directive(d));
                return r;
            }
            "undefmacro" => {
                if args.len() != 1 || args[0].is_empty() {
                    return Err(self.syntax(takes(&lname).into(), file, d.span, d.line));
                }
                if !self.macros_seen {
                    return Err(self.syntax(
                        "no macro defined before UndefMacro".into(),
                        file,
                        d.span,
                        d.line,
                    ));
                }
                let name = args[0].to_ascii_lowercase();
                if self.macros.remove(&name).is_none() {
                    return Err(self.syntax(
                        format!("cannot remove undefined macro '{name}'"),
                        file,
                        d.span,
                        d.line,
                    ));
                }
            }
            "error" => {
                // found when httpd walks the tree
                let msg = generate_error(raw_args);
                self.walk_error(msg, file, d.span, d.line);
            }
            _ => {}
        }
        Self::push_node(stack, Node::Directive(d));
        Ok(())
    }

    fn close_section(
        &mut self,
        stack: &mut Vec<Frame>,
        line: &LogicalLine,
        file: FileId,
        cmd_name: &str,
    ) -> Result<(), Stop> {
        let span = line.whole(&self.sources, file);
        let Some(top) = stack.last() else {
            return Ok(());
        };
        if !matches!(top.kind, FrameKind::Section) {
            let mut msg = format!(
                "{cmd_name} without matching <{} section",
                cmd_name.get(2..).unwrap_or("")
            );
            if matches!(top.kind, FrameKind::Root)
                && matches!(self.kinds.get(file.0 as usize), Some(SourceKind::Macro(_)))
            {
                msg.push_str(
                    " (tlslint reads a macro as closing only the sections it opens; httpd would let it close one of the file's)",
                );
            }
            return Err(self.syntax(msg, file, span, line.line));
        }
        let Some(inner) = cmd_name.strip_suffix('>') else {
            return Err(self.syntax(
                format!("{cmd_name}> directive missing closing '>'"),
                file,
                span,
                line.line,
            ));
        };
        let inner_name = inner.get(2..).unwrap_or("");
        if !inner_name.eq_ignore_ascii_case(&top.msg) {
            return Err(self.syntax(
                format!("Expected </{}> but saw {inner}>", top.msg),
                file,
                span,
                line.line,
            ));
        }
        self.close_top(stack, Some(span));
        Ok(())
    }

    /// A section opened on `line` would be nested deeper than
    /// [`MAX_NESTING`], counting the sections around the `Include`s and
    /// `Use`s that led here: an error (httpd reads deeper trees until its
    /// stack overflows; tlslint refuses them rather than leave a part out).
    fn nesting_limit(
        &mut self,
        stack: &[Frame],
        line: &LogicalLine,
        file: FileId,
    ) -> Result<(), Stop> {
        let depth = self.outer_nesting + stack.len();
        if depth <= MAX_NESTING {
            return Ok(());
        }
        let span = line.whole(&self.sources, file);
        let message = if self.outer_nesting > 0 {
            format!(
                "sections nested deeper than {MAX_NESTING} levels, counting those around the Include or Use lines that lead here (a tlslint limit: httpd reads deeper ones, tlslint refuses them rather than leave a part unchecked)"
            )
        } else {
            format!("sections nested deeper than {MAX_NESTING} levels (a tlslint limit)")
        };
        self.error(LoadErrorKind::Limit, message, file, span, line.line);
        Err(Stop)
    }

    fn open_section(
        &mut self,
        stack: &mut Vec<Frame>,
        line: &LogicalLine,
        file: FileId,
        name: &str,
        args_text: &str,
        changed: bool,
    ) -> Result<(), Stop> {
        self.nesting_limit(stack, line, file)?;
        let mut d = self.section(line, file, true);
        let gt = last_gt(args_text);
        if changed {
            let inner = gt.map(|g| &args_text[..g]).unwrap_or(args_text);
            let mut v = vec![format!("<{name}")];
            v.extend(parser::words(inner));
            d.resolved = Some(v);
        }
        let canon = env::canonical_section(name);
        let lname = name.to_ascii_lowercase();
        let span = d.span;
        match lname.as_str() {
            "ifmodule" | "ifdefine" | "iffile" | "ifdirective" | "ifsection" => {
                let canon = canon.unwrap_or(name);
                let Some(g) = gt else {
                    return Err(self.syntax(
                        format!("<{canon}> directive missing closing '>'"),
                        file,
                        span,
                        d.line,
                    ));
                };
                let arg = &args_text[..g];
                let not = arg.starts_with('!');
                let arg = if not { &arg[1..] } else { arg };
                let (arg1, _) = parser::first_word(arg);
                if arg1.is_empty() {
                    return Err(self.syntax(
                        format!("<{canon}> directive requires additional arguments"),
                        file,
                        span,
                        d.line,
                    ));
                }
                let result = match lname.as_str() {
                    "ifmodule" => self.env.has_module(&arg1),
                    "ifdefine" => self.env.is_defined(&arg1),
                    "iffile" => match self.server_path(&arg1) {
                        Some(p) => self.fs.kind(&p).is_some(),
                        // not read here: absent for the check (the note says why)
                        None => false,
                    },
                    "ifdirective" => self.env.has_directive(&arg1),
                    _ => self.env.has_directive(&format!("<{arg1}")),
                };
                self.open_cond(stack, d, canon, result != not);
                Ok(())
            }
            "ifversion" => {
                let words = parser::words(args_text);
                match env::if_version(self.env.version, &words) {
                    Ok(r) => {
                        self.open_cond(stack, d, "IfVersion", r);
                        Ok(())
                    }
                    Err(m) => Err(self.syntax(m, file, span, d.line)),
                }
            }
            "macro" => self.open_macro(stack, d, args_text, file),
            _ => {
                let canon_name = canon.unwrap_or(name).to_string();
                if let Some(c) = canon {
                    // what httpd finds when it walks the tree
                    match gt {
                        None => self.walk_error(
                            format!("<{c}> directive missing closing '>'"),
                            file,
                            span,
                            d.line,
                        ),
                        Some(g) => {
                            if NEED_ARGS.contains(&c) && args_text[..g].trim().is_empty() {
                                self.walk_error(
                                    format!("<{c}> directive requires additional arguments"),
                                    file,
                                    span,
                                    d.line,
                                );
                            }
                        }
                    }
                    if c == "VirtualHost" && self.context.iter().any(|n| n == "VirtualHost") {
                        self.walk_error(
                            "<VirtualHost> cannot occur within <VirtualHost> section".into(),
                            file,
                            span,
                            d.line,
                        );
                    }
                    if matches!(c, "If" | "ElseIf" | "Else") {
                        self.saw_if = true;
                    }
                }
                self.context.push(canon_name.clone());
                stack.push(Frame {
                    kind: FrameKind::Section,
                    head: Some(d),
                    items: Vec::new(),
                    msg: canon_name,
                });
                Ok(())
            }
        }
    }

    fn open_cond(&mut self, stack: &mut Vec<Frame>, mut d: Directive, canon: &str, result: bool) {
        if let Some(b) = d.block.as_mut() {
            b.condition = Some(result);
        }
        let kind = if result {
            FrameKind::Cond
        } else {
            FrameKind::Soak {
                expect: format!("<{canon}"),
                top: true,
            }
        };
        stack.push(Frame {
            kind,
            head: Some(d),
            items: Vec::new(),
            msg: canon.to_string(),
        });
    }

    /// A line inside a false conditional section (`ap_soak_end_container`).
    fn soak_line(
        &mut self,
        stack: &mut Vec<Frame>,
        line: &LogicalLine,
        file: FileId,
    ) -> Result<(), Stop> {
        if line.is_blank() {
            return Ok(());
        }
        let (cmd_name, rest_at) = parser::first_word(&line.text);
        if line.is_comment() && !cmd_name.starts_with('<') {
            let c = line.comment(&self.sources, file, false);
            Self::push_node(stack, Node::Comment(c));
            return Ok(());
        }
        if cmd_name.starts_with("</") {
            let stripped = drop_last(&cmd_name);
            let expect = match stack.last().map(|f| &f.kind) {
                Some(FrameKind::Soak { expect, .. }) => expect.clone(),
                _ => return Ok(()),
            };
            let want = expect.get(1..).unwrap_or("");
            if !stripped.get(2..).unwrap_or("").eq_ignore_ascii_case(want) {
                let top = stack
                    .iter()
                    .rposition(|f| matches!(f.kind, FrameKind::Soak { top: true, .. }))
                    .unwrap_or(stack.len() - 1);
                let (span, l) = stack[top]
                    .head
                    .as_ref()
                    .map(|d| (d.span, d.line))
                    .unwrap_or((line.whole(&self.sources, file), line.line));
                return Err(self.syntax(
                    format!("Expected </{want}> but saw {stripped}>"),
                    file,
                    span,
                    l,
                ));
            }
            let close = line.whole(&self.sources, file);
            self.close_top(stack, Some(close));
            return Ok(());
        }
        if cmd_name.starts_with('<') {
            self.nesting_limit(stack, line, file)?;
            let mut expect = cmd_name.clone();
            if rest_at >= line.text.len() && expect.ends_with('>') {
                expect.pop();
            }
            let d = self.section(line, file, false);
            let msg = d.name.raw.clone();
            stack.push(Frame {
                kind: FrameKind::Soak { expect, top: false },
                head: Some(d),
                items: Vec::new(),
                msg,
            });
            return Ok(());
        }
        let toks = parser::tokenize(&line.text);
        let d = self.directive(line, &toks, file, false);
        Self::push_node(stack, Node::Directive(d));
        Ok(())
    }

    // ----- macros

    fn open_macro(
        &mut self,
        stack: &mut Vec<Frame>,
        d: Directive,
        args_text: &str,
        file: FileId,
    ) -> Result<(), Stop> {
        self.macros_seen = true;
        let span = d.span;
        let Some(g) = last_gt(args_text) else {
            return Err(self.syntax(
                "<Macro> directive missing closing '>'".into(),
                file,
                span,
                d.line,
            ));
        };
        if g == 0 {
            return Err(self.syntax(
                "<Macro macro definition: empty name".into(),
                file,
                span,
                d.line,
            ));
        }
        let toks = parser::words(&args_text[..g]);
        let name = toks
            .first()
            .cloned()
            .unwrap_or_default()
            .to_ascii_lowercase();
        if name.is_empty() {
            return Err(self.syntax(
                "<Macro macro definition: name not found".into(),
                file,
                span,
                d.line,
            ));
        }
        let location = format!(
            "defined on line {} of \"{}\"",
            d.line,
            self.source_name(file)
        );
        let params: Vec<String> = toks.into_iter().skip(1).collect();
        // each name's first and second place (mod_macro names the first
        // argument that has a later twin, and that twin)
        let mut places: HashMap<&str, (usize, Option<usize>)> = HashMap::new();
        for (i, p) in params.iter().enumerate() {
            places
                .entry(p.as_str())
                .and_modify(|e| {
                    e.1.get_or_insert(i);
                })
                .or_insert((i, None));
        }
        for (i, p) in params.iter().enumerate() {
            if p.is_empty() {
                return Err(self.syntax(
                    format!(
                        "macro '{name}' ({location}): empty argument #{} name",
                        i + 1
                    ),
                    file,
                    span,
                    d.line,
                ));
            }
            if let Some(&(first, Some(j))) = places.get(p.as_str()).filter(|e| e.0 == i) {
                return Err(self.syntax(
                    format!(
                        "argument name conflict in macro '{name}' ({location}): argument '{p}': #{} and #{}, change argument names!",
                        first + 1,
                        j + 1
                    ),
                    file,
                    span,
                    d.line,
                ));
            }
        }
        stack.push(Frame {
            kind: FrameKind::Macro(Box::new(MacroState {
                name,
                params,
                location,
                body: Vec::new(),
                nesting: 1,
                disp: Vec::new(),
            })),
            head: Some(d),
            items: Vec::new(),
            msg: "Macro".into(),
        });
        Ok(())
    }

    /// A line of a `<Macro>` body (`get_lines_till_end_token`).
    fn macro_line(
        &mut self,
        stack: &mut Vec<Frame>,
        line: &LogicalLine,
        file: FileId,
    ) -> Result<(), Stop> {
        if line.is_comment() {
            let c = line.comment(&self.sources, file, false);
            Self::macro_display(stack, Node::Comment(c));
            return Ok(());
        }
        let (first, _) = parser::first_word(&line.text);
        let done = {
            let Some(FrameKind::Macro(m)) = stack.last_mut().map(|f| &mut f.kind) else {
                return Ok(());
            };
            let mut done = false;
            if first.eq_ignore_ascii_case("</Macro>") {
                m.nesting -= 1;
                done = m.nesting == 0;
            } else if first.eq_ignore_ascii_case("<Macro") {
                m.nesting += 1;
            }
            if !done {
                m.body.push((line.text.clone(), file, line.first_line));
            }
            done
        };
        if done {
            self.finish_macro_display(stack);
            let close = line.whole(&self.sources, file);
            let Some(frame) = stack.last_mut() else {
                return Ok(());
            };
            if let FrameKind::Macro(m) = &mut frame.kind {
                let defined_line = frame.head.as_ref().map(|d| d.line).unwrap_or(line.line);
                let mac = Macro {
                    name: m.name.clone(),
                    params: std::mem::take(&mut m.params),
                    body: std::mem::take(&mut m.body),
                    location: m.location.clone(),
                    defined_in: file,
                    defined_line,
                };
                if let Some(old) = self.macros.get(&mac.name) {
                    let msg = format!(
                        "macro '{}' multiply defined: {}, redefined on line {} of \"{}\"",
                        old.name,
                        old.location,
                        defined_line,
                        self.source_name(file)
                    );
                    self.warn(msg, file, defined_line);
                }
                self.macros.insert(mac.name.clone(), mac);
            }
            self.close_top(stack, Some(close));
            return Ok(());
        }
        // the body as nodes, for display only (inactive)
        if first.starts_with("</") {
            if let Some(FrameKind::Macro(m)) = stack.last_mut().map(|f| &mut f.kind) {
                if let Some((mut d, items)) = m.disp.pop() {
                    if let Some(b) = d.block.as_mut() {
                        b.items = items;
                        b.close = None;
                    }
                    let node = Node::Directive(d);
                    match m.disp.last_mut() {
                        Some((_, it)) => it.push(node),
                        None => {
                            Self::push_node_frame_items(stack, node);
                        }
                    }
                }
            }
            return Ok(());
        }
        if line.is_blank() {
            return Ok(());
        }
        if first.starts_with('<') {
            let d = self.section(line, file, false);
            if let Some(FrameKind::Macro(m)) = stack.last_mut().map(|f| &mut f.kind) {
                if m.disp.len() < MAX_NESTING {
                    m.disp.push((d, Vec::new()));
                    return Ok(());
                }
            }
            Self::macro_display(stack, Node::Directive(d));
            return Ok(());
        }
        let toks = parser::tokenize(&line.text);
        let d = self.directive(line, &toks, file, false);
        Self::macro_display(stack, Node::Directive(d));
        Ok(())
    }

    fn push_node_frame_items(stack: &mut [Frame], node: Node) {
        if let Some(top) = stack.last_mut() {
            top.items.push(node);
        }
    }

    fn macro_display(stack: &mut [Frame], node: Node) {
        let Some(top) = stack.last_mut() else { return };
        if let FrameKind::Macro(m) = &mut top.kind {
            if let Some((_, items)) = m.disp.last_mut() {
                items.push(node);
                return;
            }
        }
        top.items.push(node);
    }

    /// Fold the open display sections of a macro body into its items.
    fn finish_macro_display(&mut self, stack: &mut [Frame]) {
        let Some(top) = stack.last_mut() else { return };
        if let FrameKind::Macro(m) = &mut top.kind {
            while let Some((mut d, items)) = m.disp.pop() {
                if let Some(b) = d.block.as_mut() {
                    b.items = items;
                }
                match m.disp.last_mut() {
                    Some((_, it)) => it.push(Node::Directive(d)),
                    None => top.items.push(Node::Directive(d)),
                }
            }
        }
    }

    /// `Use NAME ARGS...` (`use_macro`).
    fn use_macro(&mut self, raw_args: &str, at: At, out: &mut Vec<FileId>) -> Result<(), Stop> {
        let file = at.file;
        if !self.macros_seen {
            return Err(self.syntax("no macro defined before Use".into(), file, at.span, at.line));
        }
        let (name, rest) = parser::first_word(raw_args);
        let name = name.to_ascii_lowercase();
        if name.is_empty() {
            return Err(self.syntax(
                "no macro name specified with Use".into(),
                file,
                at.span,
                at.line,
            ));
        }
        let Some(mac) = self.macros.get(&name).cloned() else {
            return Err(self.syntax(format!("macro '{name}' undefined"), file, at.span, at.line));
        };
        let current = self.source_name(file);
        if current.contains(&format!("macro '{}'", mac.name)) {
            return Err(self.syntax(
                format!("recursive use of macro '{}' is invalid", mac.name),
                file,
                at.span,
                at.line,
            ));
        }
        let values = parser::words(&raw_args[rest..]);
        if values.len() != mac.params.len() {
            return Err(self.syntax(
                format!(
                    "macro '{}' ({}) used with {} arguments instead of {}",
                    mac.name,
                    mac.location,
                    values.len(),
                    mac.params.len()
                ),
                file,
                at.span,
                at.line,
            ));
        }
        let where_ = format!(
            "macro '{}' ({}) used on line {} of \"{}\"",
            mac.name, mac.location, at.line, current
        );
        for (i, v) in values.iter().enumerate() {
            if v.is_empty() {
                self.warn(
                    format!("{where_}: empty argument #{}", i + 1),
                    file,
                    at.line,
                );
            }
        }
        let mut text = String::new();
        let mut map = Vec::with_capacity(mac.body.len());
        let subst = Substitution::new(&mac.params);
        for (i, (l, f, pl)) in mac.body.iter().enumerate() {
            match subst.apply(l, &values) {
                Some(s) => {
                    text.push_str(&s);
                    text.push('\n');
                }
                None => {
                    return Err(self.syntax(
                        format!(
                            "{where_} error while substituting: while processing line {} of macro '{}' ({}) cannot substitute, buffer size too small",
                            i + 1,
                            mac.name,
                            mac.location
                        ),
                        file,
                        at.span,
                        at.line,
                    ));
                }
            }
            map.push((*f, *pl));
        }
        if self.macro_depth >= MAX_MACRO_DEPTH {
            self.error(
                LoadErrorKind::Limit,
                format!("macros used inside macros more than {MAX_MACRO_DEPTH} levels deep (a tlslint limit)"),
                file,
                at.span,
                at.line,
            );
            return Err(Stop);
        }
        self.expansion_bytes += text.len();
        if self.expansion_bytes > MAX_EXPANSION_BYTES || self.sources.len() >= MAX_SOURCES {
            self.error(
                LoadErrorKind::Limit,
                format!(
                    "macro expansions larger than {} MiB or more than {MAX_SOURCES} sources in one tree (a tlslint limit)",
                    MAX_EXPANSION_BYTES / (1024 * 1024)
                ),
                file,
                at.span,
                at.line,
            );
            return Err(Stop);
        }
        let id = self.sources.add(PathBuf::from(&where_), text);
        self.files.push(None);
        self.kinds.push(SourceKind::Macro(MacroExpansion {
            name: mac.name.clone(),
            defined_in: mac.defined_in,
            defined_line: mac.defined_line,
            used_in: file,
            used_line: at.line,
            lines: map,
        }));
        out.push(id);
        self.macro_depth += 1;
        let (items, _) = self.process(id);
        self.macro_depth -= 1;
        self.files[id.0 as usize] = Some(ConfFile { file: id, items });
        if self.stopped() {
            return Err(Stop);
        }
        Ok(())
    }

    // ----- includes

    /// `Include` / `IncludeOptional` (`include_config` and
    /// `ap_process_fnmatch_configs`).
    fn include(
        &mut self,
        name: &str,
        optional: bool,
        at: At,
        out: &mut Vec<FileId>,
    ) -> Result<(), Stop> {
        self.include_depth += 1;
        let r = self.include_inner(name, optional, at, out);
        self.include_depth -= 1;
        r
    }

    fn include_inner(
        &mut self,
        name: &str,
        optional: bool,
        at: At,
        out: &mut Vec<FileId>,
    ) -> Result<(), Stop> {
        if self.include_depth > MAX_INCLUDE_DEPTH {
            let mut msg = format!(
                "Exceeded maximum include depth of {MAX_INCLUDE_DEPTH}, There appears to be a recursion."
            );
            // name the cycle, if there is one
            if let Some(last) = self.chain.last() {
                if let Some(pos) = self.chain.iter().position(|p| p == last) {
                    let end = self.chain[pos + 1..]
                        .iter()
                        .position(|p| p == last)
                        .map(|e| pos + 1 + e);
                    if let Some(e) = end {
                        let cyc: Vec<String> = self.chain[pos..=e]
                            .iter()
                            .map(|p| p.display().to_string())
                            .collect();
                        msg.push_str(&format!(" (include cycle: {})", cyc.join(" -> ")));
                    }
                }
            }
            self.error(LoadErrorKind::Include, msg, at.file, at.span, at.line);
            return Err(Stop);
        }
        let conffile = if Path::new(name).is_absolute() {
            // a server path: the local file it means, or none (crate::paths)
            match self.fs.map_config(&fsx::lexical_normal(Path::new(name))) {
                Mapped::Local(l) => l,
                // as for a missing path: IncludeOptional ignores it (a plain
                // path only from 2.4.30, see dir_nofnmatch)
                Mapped::NotRead(why)
                    if optional
                        && (fnmatch_test(name) || self.env.version >= Version::new(2, 4, 30)) =>
                {
                    self.fs.skipped(Path::new(name), &why);
                    return Ok(());
                }
                Mapped::NotRead(why) => {
                    self.fs.skipped(Path::new(name), &why);
                    self.error(
                        LoadErrorKind::Open {
                            path: PathBuf::from(name),
                            os_error: "No such file or directory".into(),
                            errno: Some(2),
                        },
                        // worded as httpd words a missing file: it is one for the check
                        format!(
                            "Could not open configuration file {name}: No such file or directory (for the check: {why})"
                        ),
                        at.file,
                        at.span,
                        at.line,
                    );
                    return Err(Stop);
                }
            }
        } else {
            self.root_relative(name)
        };
        self.last_include_line = Some(at.line);
        let outer = self.include_at.replace(at.span);
        let r = self.include_path(&conffile, optional, at, out);
        self.include_at = outer;
        r
    }

    /// Read what `conffile` (a local path or pattern) names.
    fn include_path(
        &mut self,
        conffile: &Path,
        optional: bool,
        at: At,
        out: &mut Vec<FileId>,
    ) -> Result<(), Stop> {
        let fname = conffile.to_string_lossy().into_owned();
        let r = if !fnmatch_test(&fname) {
            let mut depth = 0;
            self.dir_nofnmatch(&fname, &mut depth, optional, out)
        } else {
            let (root, rest) = match fname.strip_prefix('/') {
                Some(r) => ("/".to_string(), r.to_string()),
                None => (String::new(), fname.clone()),
            };
            let mut depth = 0;
            self.dir_fnmatch(&root, &rest, &mut depth, optional, out)
        };
        match r {
            Ok(()) => Ok(()),
            Err(Some((kind, msg))) => {
                self.error(kind, msg, at.file, at.span, at.line);
                Err(Stop)
            }
            Err(None) => Err(Stop),
        }
    }

    /// `ap_dir_nofnmatch`: a directory is read recursively, in sorted order.
    fn dir_nofnmatch(
        &mut self,
        path: &str,
        depth: &mut usize,
        optional: bool,
        out: &mut Vec<FileId>,
    ) -> Result<(), Option<(LoadErrorKind, String)>> {
        let kind = self.fs.kind(Path::new(path));
        if kind == Some(Kind::Dir) {
            *depth += 1;
            if *depth > MAX_DIR_DEPTH {
                return Err(Some((
                    LoadErrorKind::Include,
                    format!(
                        "Include/IncludeOptional: Directory '{path}' exceeds the maximum include directory nesting level of {MAX_DIR_DEPTH}. You have probably a recursion somewhere."
                    ),
                )));
            }
            let mut names: Vec<String> = self
                .fs
                .list(Path::new(path))
                .into_iter()
                .filter(|n| n != "." && n != "..")
                .collect();
            names.sort_by(|a, b| a.as_bytes().cmp(b.as_bytes()));
            for n in names {
                self.dir_nofnmatch(&full_path(path, &n), depth, optional, out)?;
            }
            *depth -= 1;
            return Ok(());
        }
        // IncludeOptional ignores a path that does not exist from 2.4.30
        // ("Silently ignore a not existent file path"); before, only a
        // wildcard that matches nothing
        if optional && kind.is_none() && self.env.version >= Version::new(2, 4, 30) {
            return Ok(());
        }
        self.read_file(Path::new(path), out)
    }

    /// `ap_dir_fnmatch`: one component at a time; a wildcard component is
    /// matched (`*`, `?`, `[...]`, a leading `.` only literally) against
    /// the directory's entries, in sorted order.
    fn dir_fnmatch(
        &mut self,
        path: &str,
        fname: &str,
        depth: &mut usize,
        optional: bool,
        out: &mut Vec<FileId>,
    ) -> Result<(), Option<(LoadErrorKind, String)>> {
        let (first, rest) = match fname.find('/') {
            Some(i) => (&fname[..i], Some(&fname[i + 1..])),
            None => (fname, None),
        };
        if !fnmatch_test(first) {
            let p = if path.is_empty() {
                first.to_string()
            } else {
                full_path(path, first)
            };
            return match rest {
                None => self.dir_nofnmatch(&p, depth, optional, out),
                Some(r) => self.dir_fnmatch(&p, r, depth, optional, out),
            };
        }
        let dir = if path.is_empty() { "." } else { path };
        match self.fs.kind(Path::new(dir)) {
            Some(Kind::Dir) => {}
            k => {
                if k.is_none() && optional {
                    return Ok(());
                }
                let why = if k.is_none() {
                    "No such file or directory"
                } else {
                    "Not a directory"
                };
                return Err(Some((
                    LoadErrorKind::Include,
                    format!("Include/IncludeOptional: Could not open directory {path}: {why}"),
                )));
            }
        }
        let mut names: Vec<String> = self
            .fs
            .list(Path::new(dir))
            .into_iter()
            .filter(|n| n != "." && n != ".." && fsx::fnmatch(first.as_bytes(), n.as_bytes()))
            .collect();
        names.sort_by(|a, b| a.as_bytes().cmp(b.as_bytes()));
        let mut candidates = Vec::new();
        for n in names {
            let full = if path.is_empty() {
                n.clone()
            } else {
                full_path(path, &n)
            };
            if rest.is_some() && self.fs.kind(Path::new(&full)) != Some(Kind::Dir) {
                continue;
            }
            candidates.push(full);
        }
        if candidates.is_empty() {
            if !optional {
                return Err(Some((
                    LoadErrorKind::Include,
                    format!(
                        "Include/IncludeOptional: No matches for the wildcard '{first}' in '{path}', failing"
                    ),
                )));
            }
            return Ok(());
        }
        for c in candidates {
            // a match that links out of the tree to a server path not read
            // here: absent for the check, said in a note (as for nginx)
            if let Err(e) = self.fs.identity(Path::new(&c)) {
                if crate::paths::is_not_read(&e) {
                    continue;
                }
            }
            match rest {
                None => self.dir_nofnmatch(&c, depth, optional, out)?,
                Some(r) => self.dir_fnmatch(&c, r, depth, optional, out)?,
            }
        }
        Ok(())
    }

    /// `ap_process_resource_config`: open, note in the dump, read in place.
    fn read_file(
        &mut self,
        path: &Path,
        out: &mut Vec<FileId>,
    ) -> Result<(), Option<(LoadErrorKind, String)>> {
        if self.sources.len() >= MAX_SOURCES {
            return Err(Some((
                LoadErrorKind::Limit,
                format!("more than {MAX_SOURCES} file reads and macro expansions in one tree (a tlslint limit)"),
            )));
        }
        // a pipe or a device would block or never end (httpd would hang):
        // only regular files are read, and /dev/null
        if self.fs.kind(path) == Some(Kind::Other) && path != Path::new("/dev/null") {
            return Err(Some((
                LoadErrorKind::Open {
                    path: path.to_path_buf(),
                    os_error: "not a regular file".into(),
                    errno: None,
                },
                format!(
                    "Could not open configuration file {}: not a regular file (tlslint reads no pipes or devices)",
                    path.display()
                ),
            )));
        }
        let bytes = match self.fs.read(path) {
            Ok(b) => b,
            Err(e) => {
                let text = os_error_text(&e);
                return Err(Some((
                    LoadErrorKind::Open {
                        path: path.to_path_buf(),
                        os_error: text.clone(),
                        errno: e.raw_os_error(),
                    },
                    format!(
                        "Could not open configuration file {}: {text}",
                        path.display()
                    ),
                )));
            }
        };
        self.total_bytes += bytes.len() as u64;
        if self.total_bytes > MAX_TOTAL_BYTES {
            return Err(Some((
                LoadErrorKind::Limit,
                format!(
                    "more than {} MiB of configuration in one tree (a tlslint limit)",
                    MAX_TOTAL_BYTES / (1024 * 1024)
                ),
            )));
        }
        let id = self.add_file(path, bytes);
        self.read_before.entry(path.to_path_buf()).or_insert(id);
        if let Some(real) = self.fs.real(path) {
            self.sources.set_link(id, real, self.include_at);
        }
        out.push(id);
        let ident = self
            .fs
            .identity(path)
            .unwrap_or_else(|_| fsx::lexical_normal(path));
        self.chain.push(ident);
        let (items, r) = self.process(id);
        self.chain.pop();
        let failed = r.is_err();
        self.files[id.0 as usize] = Some(ConfFile { file: id, items });
        if failed || self.stopped() {
            return Err(None);
        }
        Ok(())
    }

    fn add_file(&mut self, path: &Path, bytes: Vec<u8>) -> FileId {
        let id = match self.read_before.get(path) {
            // the same bytes as the first read: shared, not copied
            Some(&first) if self.sources.get(first).text.as_bytes() == bytes.as_slice() => {
                self.sources.add_again(path.to_path_buf(), first)
            }
            _ => {
                let text = String::from_utf8(bytes)
                    .unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned());
                self.sources.add(path.to_path_buf(), text)
            }
        };
        self.files.push(None);
        self.kinds.push(SourceKind::File);
        self.dump.push(DumpEntry {
            depth: self.include_depth,
            line: self.last_include_line,
            path: path.to_path_buf(),
            file: id,
        });
        id
    }

    /// `ServerRoot DIR`: from here on, relative paths are resolved against
    /// DIR — unless `--server-root` was given. DIR is a server path, mapped
    /// like an include (`crate::paths`: a copy of `/etc/apache2` names its
    /// own directory, never this machine's); one that is not read here is
    /// replaced by the main file's nearest ancestor of the same name, if
    /// there is one.
    fn server_root_directive(&mut self, arg: &str, file: FileId, line: u32) {
        let at = format!("{}:{line}", self.source_name(file));
        if self.root_fixed {
            self.notes.push(format!(
                "ServerRoot \"{arg}\" ({at}) not used: --server-root {} was given",
                self.server_root.display()
            ));
            return;
        }
        // a server path, mapped as includes are (crate::paths)
        let named = fsx::lexical_normal(Path::new(arg));
        let (p, missing) = if named.is_absolute() {
            match self.fs.map_config(&named) {
                Mapped::Local(l) => (fsx::lexical_normal(&l), "does not exist here".to_string()),
                Mapped::NotRead(why) => (named, format!("is not read here ({why})")),
            }
        } else {
            (named, "does not exist here".to_string())
        };
        if self.fs.kind(&p) == Some(Kind::Dir) && !missing.starts_with("is not read") {
            if p != self.server_root {
                self.notes.push(format!(
                    "ServerRoot \"{arg}\" ({at}): relative paths from here on are read from {}",
                    p.display()
                ));
            }
            self.server_root = p;
            return;
        }
        let base = p.file_name().map(|s| s.to_os_string());
        // the ancestors of the absolute main path (however it was named),
        // shown relative to the current directory when it was named so
        let main = fsx::absolute(&self.main);
        let cwd = std::env::current_dir()
            .ok()
            .map(|c| fsx::lexical_normal(&c));
        let mut anc = main.parent();
        while let Some(a) = anc {
            if base.is_some() && a.file_name() == base.as_deref() {
                let shown = match &cwd {
                    Some(c) if self.main.is_relative() => a
                        .strip_prefix(c)
                        .map(Path::to_path_buf)
                        .unwrap_or_else(|_| a.to_path_buf()),
                    _ => a.to_path_buf(),
                };
                self.notes.push(format!(
                    "ServerRoot \"{arg}\" ({at}) {missing}; relative paths are read from {}, the main file's directory of that name (use --server-root to choose)",
                    if shown.as_os_str().is_empty() { Path::new(".") } else { &shown }.display()
                ));
                self.server_root = shown;
                return;
            }
            anc = a.parent();
        }
        self.notes.push(format!(
            "ServerRoot \"{arg}\" ({at}) {missing}; relative paths are still read from {} (use --server-root to choose)",
            self.server_root.display()
        ));
    }
}

/// `Error MESSAGE`: the message, without surrounding quotes.
fn generate_error(arg: &str) -> String {
    if arg.is_empty() {
        return "The Error directive was used with no message.".into();
    }
    let b = arg.as_bytes();
    if (b[0] == b'"' || b[0] == b'\'') && b.len() >= 2 && b[b.len() - 1] == b[0] {
        return arg[1..arg.len() - 1].to_string();
    }
    arg.to_string()
}

/// mod_macro's substitution of one body line: at each position the earliest
/// parameter name found (the longest on a tie) is replaced by its value;
/// a `@name` value is put in double quotes with `"` and `\` escaped.
/// Scanning goes on after the replacement. None if the line outgrows
/// mod_macro's buffer.
pub fn substitute(line: &str, params: &[String], values: &[String]) -> Option<String> {
    Substitution::new(params).apply(line, values)
}

/// A macro's parameters in a trie for [`substitute`]: the longest parameter
/// at a place in a line is found in as many steps as it has bytes, so a
/// line is read once, whatever the number of parameters.
pub struct Substitution<'p> {
    params: &'p [String],
    /// Nodes: the children by byte (sorted), and the parameter that ends here.
    nodes: Vec<(Vec<(u8, usize)>, Option<usize>)>,
}

impl<'p> Substitution<'p> {
    pub fn new(params: &'p [String]) -> Substitution<'p> {
        let mut nodes: Vec<(Vec<(u8, usize)>, Option<usize>)> = vec![(Vec::new(), None)];
        for (i, p) in params.iter().enumerate() {
            let mut at = 0;
            for &b in p.as_bytes() {
                at = match nodes[at].0.binary_search_by_key(&b, |c| c.0) {
                    Ok(k) => nodes[at].0[k].1,
                    Err(k) => {
                        let new = nodes.len();
                        nodes[at].0.insert(k, (b, new));
                        nodes.push((Vec::new(), None));
                        new
                    }
                };
            }
            // the first of two equal names is the one mod_macro finds; an
            // empty name is never found
            if at != 0 && nodes[at].1.is_none() {
                nodes[at].1 = Some(i);
            }
        }
        Substitution { params, nodes }
    }

    /// The parameter that starts `rest`, the longest if several do.
    fn at(&self, rest: &str) -> Option<usize> {
        let mut node = 0;
        let mut found = None;
        for &b in rest.as_bytes() {
            let children = &self.nodes[node].0;
            let Ok(k) = children.binary_search_by_key(&b, |c| c.0) else {
                break;
            };
            node = children[k].1;
            found = self.nodes[node].1.or(found);
        }
        found
    }

    /// mod_macro's `substitute_macro_args`: the earliest parameter in the
    /// line (the longest of those starting there) is replaced by its value,
    /// then the search goes on after it; a line that grows to mod_macro's
    /// buffer size is `None`.
    pub fn apply(&self, line: &str, values: &[String]) -> Option<String> {
        let mut out = String::with_capacity(line.len());
        let mut rest = line;
        while !rest.is_empty() {
            let Some(i) = self.at(rest) else {
                let c = rest.chars().next()?;
                out.push(c);
                rest = &rest[c.len_utf8()..];
                continue;
            };
            let v = &values[i];
            if self.params[i].starts_with('@') {
                out.push('"');
                for c in v.chars() {
                    if c == '"' || c == '\\' {
                        out.push('\\');
                    }
                    out.push(c);
                }
                out.push('"');
            } else {
                out.push_str(v);
            }
            rest = &rest[self.params[i].len()..];
            if out.len() + rest.len() >= MACRO_LINE_MAX {
                return None;
            }
        }
        if out.len() >= MACRO_LINE_MAX {
            return None;
        }
        Some(out)
    }
}

/// Load the tree whose main file is `main`.
///
/// The server root is `--server-root` if given (and then fixed), else the
/// main file's directory, changed by a `ServerRoot` directive as httpd does
/// (mapped by the file system's path mapping; one that is not read here, as
/// in a tree copied from elsewhere, is replaced by the main file's nearest
/// ancestor of that name).
/// With a main file named `apache2.conf` and an `envvars` file beside it
/// (Debian), the variables `envvars` exports are httpd's environment.
pub fn load(fs: &dyn Fs, main: &Path, opts: &LoadOptions) -> Tree {
    let main = fsx::lexical_normal(main);
    let main_dir = main.parent().map(Path::to_path_buf).unwrap_or_default();
    let version = opts.version.unwrap_or(env::DEFAULT_VERSION);
    let mut e = Env::new(version);
    for d in &opts.defines {
        e.define(d, None);
    }
    let mut notes = Vec::new();
    let envvars = match &opts.envvars {
        Envvars::Off => None,
        Envvars::File(p) => Some(p.clone()),
        Envvars::Auto => {
            let p = main_dir.join("envvars");
            (main.file_name().is_some_and(|n| n == "apache2.conf")
                && fs.kind(&p) == Some(Kind::File))
            .then_some(p)
        }
    };
    // an `envvars` that links out of the tree (and its --root mappings) is
    // not this tree's: its values would be the runner's, so it is not read
    let envvars = envvars.filter(|p| match fs.real(p).filter(|r| !fs.holds(r)) {
        Some(_) => {
            notes.push(format!(
                "environment: {} is not read: it is a symbolic link that leads outside the tree \
                 (its variables are left unset)",
                p.display()
            ));
            false
        }
        None => true,
    });
    if let Some(p) = envvars {
        match fs.read(&p) {
            Ok(b) => {
                e.environ = env::parse_envvars(&String::from_utf8_lossy(&b));
                notes.push(format!(
                    "environment: the {} variables {} exports",
                    e.environ.len(),
                    p.display()
                ));
            }
            Err(err) => notes.push(format!(
                "environment: cannot read {}: {}",
                p.display(),
                os_error_text(&err)
            )),
        }
    }
    // Gentoo: the init script passes APACHE2_OPTS from /etc/conf.d/apache2
    // (`-D SSL -D DEFAULT_VHOST ...`), on which its httpd.conf depends
    // (decided on the absolute path: `httpd.conf` named from inside
    // apache2/ is the same tree)
    if opts.envvars == Envvars::Auto
        && main.file_name().is_some_and(|n| n == "httpd.conf")
        && fsx::absolute(&main_dir)
            .file_name()
            .is_some_and(|n| n == "apache2")
    {
        if let Some(p) = Some(fsx::lexical_normal(
            &main_dir.join("..").join("conf.d").join("apache2"),
        )) {
            if fs.kind(&p) == Some(Kind::File) {
                if let Ok(b) = fs.read(&p) {
                    let defs = env::gentoo_defines(&String::from_utf8_lossy(&b));
                    for d in &defs {
                        e.define(d, None);
                    }
                    notes.push(format!(
                        "defines from {} (APACHE2_OPTS, as Gentoo's init script passes them): {}",
                        p.display(),
                        if defs.is_empty() {
                            "none".into()
                        } else {
                            defs.join(", ")
                        }
                    ));
                }
            }
        }
    }
    let (server_root, root_fixed) = match &opts.server_root {
        Some(r) => (fsx::lexical_normal(r), true),
        None => match &opts.default_root {
            Some(r) => (fsx::lexical_normal(r), false),
            None => (main_dir.clone(), false),
        },
    };
    let mut l = Loader {
        fs,
        env: e,
        server_root: server_root.clone(),
        root_fixed,
        main: main.clone(),
        sources: SourceMap::new(),
        files: Vec::new(),
        kinds: Vec::new(),
        read_error: None,
        walk_errors: Vec::new(),
        warnings: Vec::new(),
        notes,
        dump: Vec::new(),
        include_depth: 0,
        last_include_line: None,
        chain: Vec::new(),
        macros: HashMap::new(),
        macros_seen: false,
        macro_depth: 0,
        expansion_bytes: 0,
        total_bytes: 0,
        context: Vec::new(),
        saw_if: false,
        include_at: None,
        outer_nesting: 0,
        defined_bytes: 0,
        read_before: HashMap::new(),
        lines_read: 0,
    };
    let root = match fs.read(&main) {
        Ok(bytes) => {
            let id = l.add_file(&main, bytes);
            if let Some(real) = fs.real(&main) {
                l.sources.set_link(id, real, None);
            }
            let ident = fs
                .identity(&main)
                .unwrap_or_else(|_| fsx::lexical_normal(&main));
            l.chain.push(ident);
            let (items, _) = l.process(id);
            l.files[id.0 as usize] = Some(ConfFile { file: id, items });
            id
        }
        Err(err) => {
            let text = os_error_text(&err);
            l.read_error = Some(LoadError {
                kind: LoadErrorKind::Open {
                    path: main.clone(),
                    os_error: text.clone(),
                    errno: err.raw_os_error(),
                },
                phase: Phase::Read,
                message: format!(
                    "Could not open configuration file {}: {text}",
                    main.display()
                ),
                file: None,
                path: main.clone(),
                line: 0,
                col: 0,
                span: None,
            });
            FileId(u32::MAX)
        }
    };
    // httpd walks the tree only once it has read all of it: after a read
    // error, what it would have found later is not reported (it may come
    // from a tree cut short)
    let errors: Vec<LoadError> = match l.read_error.take() {
        Some(e) => vec![e],
        None => l.walk_errors,
    };
    let mut notes = l.notes;
    let builtin: Vec<&str> = env::BUILTIN_MODULES.iter().map(|(id, _)| *id).collect();
    notes.insert(
        0,
        format!(
            "read as Apache httpd {} with the modules built into Debian's apache2 ({}) and those LoadModule loads; server root {}",
            version,
            builtin.join(", "),
            if server_root.as_os_str().is_empty() {
                Path::new(".").display()
            } else {
                server_root.display()
            }
        ),
    );
    if l.saw_if {
        notes.push(
            "<If>/<ElseIf>/<Else> sections are read but not evaluated (httpd evaluates them per request): their directives count as possibly in force".into(),
        );
    }
    Tree {
        sources: l.sources,
        files: l.files,
        kinds: l.kinds,
        root,
        server_root,
        errors,
        warnings: l.warnings,
        notes,
        dump: l.dump,
        env: l.env,
    }
}

impl Tree {
    pub fn file(&self, id: FileId) -> Option<&ConfFile> {
        self.files.get(id.0 as usize).and_then(|f| f.as_ref())
    }

    /// True if no error was found.
    pub fn ok(&self) -> bool {
        self.errors.is_empty()
    }

    /// The files in the order httpd opens them (each read; a file included
    /// twice is listed twice), as `-D DUMP_INCLUDES` lists them.
    pub fn read_order(&self) -> Vec<&Path> {
        self.dump.iter().map(|d| d.path.as_path()).collect()
    }

    /// `apache2 -t -D DUMP_INCLUDES`'s output for this tree.
    pub fn dump_includes(&self) -> String {
        let mut s = String::from("Included configuration files:\n");
        for d in &self.dump {
            for _ in 0..=d.depth {
                s.push_str("  ");
            }
            match d.line {
                Some(l) if l > 0 => s.push_str(&format!("({l})")),
                _ => s.push_str("(*)"),
            }
            // one line per file, whatever its name holds
            s.push_str(&format!(
                " {}\n",
                crate::printable::escape(&d.path.display().to_string())
            ));
        }
        s
    }

    /// The macro expansion a source is, if it is one.
    pub fn expansion(&self, file: FileId) -> Option<&MacroExpansion> {
        match self.kinds.get(file.0 as usize) {
            Some(SourceKind::Macro(m)) => Some(m),
            _ => None,
        }
    }

    /// Where a span really is: for a line of a macro expansion, the body
    /// line of the macro definition it came from (file, physical line);
    /// otherwise the span's own file and line.
    pub fn origin(&self, span: Span) -> (FileId, u32) {
        let mut file = span.file;
        let mut line = span.line;
        for _ in 0..MAX_MACRO_DEPTH + 1 {
            match self.expansion(file) {
                Some(m) => match m.lines.get(line.saturating_sub(1) as usize) {
                    Some(&(f, l)) => {
                        file = f;
                        line = l;
                    }
                    None => return (m.defined_in, m.defined_line),
                },
                None => break,
            }
        }
        (file, line)
    }

    /// Walk the active tree from the main file, in httpd's order: includes
    /// and macro expansions are spliced in place; true conditional sections
    /// (`<IfModule>`, `<IfDefine>`, `<IfVersion>`, `<IfFile>`,
    /// `<IfDirective>`, `<IfSection>`) are transparent and false ones are
    /// skipped; `<Macro>` definitions are skipped; `<If>`/`<ElseIf>`/`<Else>`
    /// are ordinary sections (not evaluated). The callback sees each
    /// directive (values: [`Directive::values`], with `${VAR}` substituted)
    /// with the chain of enclosing sections; returning `false` skips a
    /// section's content.
    pub fn walk<'t>(&'t self, f: &mut dyn FnMut(&'t Directive, &[&'t Directive]) -> bool) {
        let Some(root) = self.file(self.root) else {
            return;
        };
        let mut parents: Vec<&'t Directive> = Vec::new();
        self.walk_items(&root.items, &mut parents, f, 0);
    }

    fn walk_items<'t>(
        &'t self,
        items: &'t [Node],
        parents: &mut Vec<&'t Directive>,
        f: &mut dyn FnMut(&'t Directive, &[&'t Directive]) -> bool,
        depth: usize,
    ) {
        // never reached: sections nest at most MAX_NESTING levels counting
        // across includes and macros (an error otherwise), includes and
        // macro uses at most MAX_INCLUDE_DEPTH and MAX_MACRO_DEPTH
        if depth > 4 * (MAX_INCLUDE_DEPTH + MAX_MACRO_DEPTH + MAX_NESTING) {
            return;
        }
        for node in items {
            let Node::Directive(d) = node else { continue };
            if !d.active {
                continue;
            }
            if d.is("Include") || d.is("IncludeOptional") || d.is("Use") {
                for &inc in &d.includes {
                    if let Some(cf) = self.file(inc) {
                        self.walk_items(&cf.items, parents, f, depth + 1);
                    }
                }
                continue;
            }
            let Some(sec) = &d.block else {
                f(d, parents);
                continue;
            };
            match sec.condition {
                Some(false) => continue,
                Some(true) => {
                    self.walk_items(&sec.items, parents, f, depth + 1);
                    continue;
                }
                None => {}
            }
            if d.is("Macro") {
                continue;
            }
            if f(d, parents) {
                parents.push(d);
                self.walk_items(&sec.items, parents, f, depth + 1);
                parents.pop();
            }
        }
    }
}
