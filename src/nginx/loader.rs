//! Reading a whole nginx tree as nginx does (`ngx_conf_include`): a relative
//! include is relative to the prefix (the main file's directory unless
//! `--prefix` says otherwise), a pattern with `*?[` is expanded in sorted
//! order and may match nothing, a missing plain file is an error at the
//! `include` line, and included files are read depth-first, in place.
//!
//! Each file is read and parsed once; an `include` directive records the
//! files it brings in, so a file included from several contexts is spliced
//! into each of them by whoever walks the tree (see [`Tree::walk`]).

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use crate::error::Error;
use crate::fsx::{self, Fs};
use crate::nginx::ast::{ConfFile, Directive, Node};
use crate::nginx::parser::{self, SyntaxError};
use crate::paths::Mapped;
use crate::source::{FileId, SourceMap, Span};

/// How deep includes may nest before tlslint gives up (a chain this long is
/// a generated loop, not a configuration).
pub const MAX_INCLUDE_DEPTH: usize = 128;
/// How many files one tree may have.
pub const MAX_FILES: usize = 200_000;
/// How many directives the tree may have once every include is replaced by
/// what it includes (a file included from ten places counts ten times).
/// Real trees have thousands, the largest a few hundred thousand; files
/// that include the next one twice, thirty deep, would splice 2^30.
pub const MAX_SPLICED: u64 = 4_000_000;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LoadErrorKind {
    /// The file's text is not valid nginx syntax.
    Syntax,
    /// A plain include names a file that cannot be opened or read.
    Open {
        path: PathBuf,
        os_error: String,
        errno: Option<i32>,
    },
    /// An include would read a file that is already being read.
    Cycle,
    /// Anything else (argument count, limits).
    Other,
}

/// An error found while loading, located in the file that has it.
#[derive(Debug, Clone)]
pub struct LoadError {
    pub kind: LoadErrorKind,
    pub message: String,
    /// The file in which the error is (for include errors: the including file).
    pub file: Option<FileId>,
    pub path: PathBuf,
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

    /// The message crossplane would write for this error.
    pub fn crossplane_message(&self) -> String {
        match &self.kind {
            LoadErrorKind::Open {
                path,
                os_error,
                errno,
            } => match errno {
                Some(n) => format!("[Errno {n}] {os_error}: '{}'", path.display()),
                None => format!("{os_error}: '{}'", path.display()),
            },
            // crossplane words every other error as nginx does: `MESSAGE in FILE:LINE`
            _ => format!("{} in {}:{}", self.message, self.path.display(), self.line),
        }
    }
}

/// A loaded nginx configuration tree.
#[derive(Debug)]
pub struct Tree {
    pub sources: SourceMap,
    /// Parsed files by `FileId`; `None` for a file that did not parse.
    pub files: Vec<Option<ConfFile>>,
    pub root: FileId,
    pub prefix: PathBuf,
    /// Every error, in the order nginx would meet them.
    pub errors: Vec<LoadError>,
    /// Files with a syntax error: their trees hold only what precedes it.
    pub failed: Vec<FileId>,
}

#[derive(Debug, Clone, Default)]
pub struct LoadOptions {
    /// The configuration prefix; default: the main file's directory.
    pub prefix: Option<PathBuf>,
    /// Go on after an error (crossplane does); nginx stops at the first.
    pub keep_going: bool,
}

struct Loader<'a> {
    fs: &'a dyn Fs,
    prefix: PathBuf,
    keep_going: bool,
    sources: SourceMap,
    files: Vec<Option<ConfFile>>,
    by_path: HashMap<PathBuf, FileId>,
    errors: Vec<LoadError>,
    /// identities of the files being read (the include chain)
    active: Vec<PathBuf>,
    /// files with a syntax error (their trees are partial)
    failed: Vec<FileId>,
    /// by `FileId`: directives in the file with its includes spliced in (at
    /// most [`MAX_SPLICED`]), and the deepest nesting of blocks in it (at
    /// most `parser::MAX_DEPTH`), known once the file is read
    spliced: Vec<(u64, usize)>,
    /// an include went past [`MAX_SPLICED`] (reported once)
    spliced_over: bool,
    /// an include went past `parser::MAX_DEPTH` (reported once)
    nesting_over: bool,
}

fn os_error_text(e: &std::io::Error) -> String {
    // "No such file or directory (os error 2)" -> "No such file or directory"
    let s = e.to_string();
    match s.find(" (os error") {
        Some(i) => s[..i].to_string(),
        None => s,
    }
}

impl<'a> Loader<'a> {
    fn stop(&self) -> bool {
        !self.keep_going && !self.errors.is_empty()
    }

    fn error_at(&mut self, kind: LoadErrorKind, message: String, file: FileId, span: Span) {
        let path = self.sources.path(file).to_path_buf();
        self.errors.push(LoadError {
            kind,
            message,
            file: Some(file),
            path,
            line: span.line,
            col: span.col,
            span: Some(span),
        });
    }

    /// An error found while acting on directive `d` (an `include`): nginx
    /// reports those at the line of the directive's terminator (`;`), where
    /// its reader stands when the handler runs. The span stays the whole
    /// directive, for the snippet; the column is the directive's when the
    /// terminator is on its first line, else the terminator's.
    fn directive_error(&mut self, kind: LoadErrorKind, message: String, file: FileId, span: Span) {
        let term = (span.end.max(span.start + 1) - 1) as usize;
        let at = self.sources.span(file, term, term + 1);
        self.error_at(kind, message, file, span);
        if let Some(e) = self.errors.last_mut() {
            if at.line != e.line {
                e.line = at.line;
                e.col = at.col;
            }
        }
    }

    /// Read and parse one file (once), then follow its includes depth-first.
    fn visit(&mut self, path: &Path, via: Option<Span>) -> Result<FileId, std::io::Error> {
        if let Some(&id) = self.by_path.get(path) {
            return Ok(id);
        }
        let bytes = self.fs.read(path)?;
        let identity = self
            .fs
            .identity(path)
            .unwrap_or_else(|_| fsx::lexical_normal(path));
        let text = String::from_utf8(bytes)
            .unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned());
        let id = self.sources.add(path.to_path_buf(), text);
        if let Some(real) = self.fs.real(path) {
            self.sources.set_link(id, real, via);
        }
        self.by_path.insert(path.to_path_buf(), id);
        self.files.push(None);
        self.spliced.push((0, 0));
        let (mut conf, err) = parser::parse_partial(self.sources.get(id), id);
        // what precedes a syntax error is acted on first, as nginx does
        self.active.push(identity);
        self.follow(&mut conf.items, id);
        self.active.pop();
        self.spliced[id.0 as usize] = self.count_spliced(&mut conf.items, id);
        self.files[id.0 as usize] = Some(conf);
        if let Some(SyntaxError {
            message,
            line,
            col,
            offset,
        }) = err
        {
            if !self.stop() {
                let src = self.sources.get(id);
                let end = (offset + 1).min(src.text.len());
                let span = Span {
                    file: id,
                    start: offset.min(src.text.len()) as u32,
                    end: end as u32,
                    line,
                    col,
                };
                self.error_at(LoadErrorKind::Syntax, message, id, span);
            }
            self.failed.push(id);
        }
        Ok(id)
    }

    /// Directives in `items` with includes spliced in, and the deepest
    /// nesting of blocks, from those of the files they include (read before
    /// this one ends). An include that would take the count past
    /// [`MAX_SPLICED`] or the nesting past `parser::MAX_DEPTH` is an error,
    /// and what it includes is left out, so that nothing walks the oversized
    /// tree (walks recurse into blocks).
    fn count_spliced(&mut self, items: &mut [Node], file: FileId) -> (u64, usize) {
        let mut total = 0u64;
        let mut deepest = 0usize;
        let mut stack: Vec<std::slice::IterMut<'_, Node>> = vec![items.iter_mut()];
        while let Some(top) = stack.last_mut() {
            let Some(node) = top.next() else {
                stack.pop();
                continue;
            };
            let Node::Directive(d) = node else { continue };
            // blocks around this directive in this file
            let level = stack.len() - 1;
            if !d.is("include") {
                total += 1;
            }
            let mut with = total;
            let mut depth = level + usize::from(d.block.is_some());
            for inc in &d.includes {
                let (count, inner) = self.spliced[inc.0 as usize];
                with = with.saturating_add(count);
                depth = depth.max(level + inner);
            }
            let over = if with > MAX_SPLICED {
                Some((
                    &mut self.spliced_over,
                    format!(
                        "this include takes the tree past {MAX_SPLICED} directives once includes are spliced in (a tlslint limit: a file counts each time it is included, so files that include the same files several times multiply)"
                    ),
                ))
            } else if depth > parser::MAX_DEPTH {
                Some((
                    &mut self.nesting_over,
                    format!(
                        "blocks here and in the files this include reads nest deeper than {} levels (a tlslint limit: nginx reads deeper ones, tlslint refuses them rather than leave a part unchecked)",
                        parser::MAX_DEPTH
                    ),
                ))
            } else {
                None
            };
            if let Some((reported, message)) = over {
                d.includes.clear();
                let span = d.span;
                // the files that include this one go past the limit too: the
                // first include that does is the one to report
                if !std::mem::replace(reported, true) && !self.stop() {
                    self.directive_error(LoadErrorKind::Other, message, file, span);
                }
                continue;
            }
            total = with;
            deepest = deepest.max(depth);
            if let Some(b) = d.block.as_mut() {
                stack.push(b.items.iter_mut());
            }
        }
        (total, deepest)
    }

    fn follow(&mut self, items: &mut [Node], file: FileId) {
        for node in items.iter_mut() {
            if self.stop() {
                return;
            }
            let Node::Directive(d) = node else { continue };
            if d.is("include") {
                self.include(d, file);
            }
            if let Some(b) = d.block.as_mut() {
                self.follow(&mut b.items, file);
            }
        }
    }

    fn include(&mut self, d: &mut Directive, file: FileId) {
        if d.args.len() != 1 {
            self.directive_error(
                LoadErrorKind::Other,
                "invalid number of arguments in \"include\" directive".into(),
                file,
                d.span,
            );
            return;
        }
        let arg = d.args[0].value();
        let full = if Path::new(&arg).is_absolute() {
            // a server path: the local file it means, or none (crate::paths)
            match self.fs.map_config(Path::new(&arg)) {
                Mapped::Local(l) => l,
                // a pattern matches nothing (the note says why)
                Mapped::NotRead(why) if fsx::has_magic(&arg) => {
                    self.fs.skipped(Path::new(&arg), &why);
                    return;
                }
                Mapped::NotRead(why) => {
                    self.fs.skipped(Path::new(&arg), &why);
                    self.directive_error(
                        LoadErrorKind::Open {
                            path: PathBuf::from(&arg),
                            os_error: "No such file or directory".into(),
                            errno: Some(2),
                        },
                        // worded as nginx words a missing file: it is one for the check
                        format!(
                            "open() \"{arg}\" failed (2: No such file or directory) (for the check: {why})"
                        ),
                        file,
                        d.span,
                    );
                    return;
                }
            }
        } else {
            self.prefix.join(&arg)
        };
        let targets = if fsx::has_magic(&arg) {
            fsx::glob(self.fs, &full.to_string_lossy())
        } else {
            vec![full]
        };
        for t in targets {
            if self.stop() {
                return;
            }
            if self.sources.len() >= MAX_FILES {
                self.directive_error(
                    LoadErrorKind::Other,
                    format!("more than {MAX_FILES} files in one tree"),
                    file,
                    d.span,
                );
                return;
            }
            if self.active.len() >= MAX_INCLUDE_DEPTH {
                self.directive_error(
                    LoadErrorKind::Other,
                    format!("includes nested deeper than {MAX_INCLUDE_DEPTH} levels"),
                    file,
                    d.span,
                );
                return;
            }
            match self.fs.identity(&t) {
                Ok(ident) => {
                    if let Some(pos) = self.active.iter().position(|a| *a == ident) {
                        let chain: Vec<String> = self.active[pos..]
                            .iter()
                            .map(|p| p.display().to_string())
                            .chain(std::iter::once(ident.display().to_string()))
                            .collect();
                        self.directive_error(
                            LoadErrorKind::Cycle,
                            format!("include cycle: {}", chain.join(" -> ")),
                            file,
                            d.span,
                        );
                        continue;
                    }
                }
                Err(e) if e.raw_os_error() == Some(40) => {
                    // ELOOP: a symlink loop
                    self.directive_error(
                        LoadErrorKind::Open {
                            path: t.clone(),
                            os_error: os_error_text(&e),
                            errno: e.raw_os_error(),
                        },
                        // as nginx words it: `open() "PATH" failed (40: Too many levels of symbolic links)`
                        format!(
                            "open() \"{}\" failed (40: {})",
                            t.display(),
                            os_error_text(&e)
                        ),
                        file,
                        d.span,
                    );
                    continue;
                }
                Err(_) => {}
            }
            match self.visit(&t, Some(d.span)) {
                Ok(id) => d.includes.push(id),
                // a file a pattern matched that links out of the tree to a
                // server path not read here (Debian's modules-enabled/*.conf
                // -> /usr/share/nginx/...): absent for the check, said in a note
                Err(e) if fsx::has_magic(&arg) && crate::paths::is_not_read(&e) => {}
                Err(e) => {
                    let errno = e.raw_os_error();
                    let text = os_error_text(&e);
                    let message = match errno {
                        Some(n) => format!("open() \"{}\" failed ({n}: {text})", t.display()),
                        None => format!("cannot read \"{}\": {text}", t.display()),
                    };
                    self.directive_error(
                        LoadErrorKind::Open {
                            path: t.clone(),
                            os_error: text,
                            errno,
                        },
                        message,
                        file,
                        d.span,
                    );
                }
            }
        }
    }
}

/// Load the tree whose main file is `main`.
pub fn load(fs: &dyn Fs, main: &Path, opts: &LoadOptions) -> Tree {
    let prefix = opts
        .prefix
        .clone()
        .unwrap_or_else(|| main.parent().map(Path::to_path_buf).unwrap_or_default());
    let mut l = Loader {
        fs,
        prefix: prefix.clone(),
        keep_going: opts.keep_going,
        sources: SourceMap::new(),
        files: Vec::new(),
        by_path: HashMap::new(),
        errors: Vec::new(),
        active: Vec::new(),
        failed: Vec::new(),
        spliced: Vec::new(),
        spliced_over: false,
        nesting_over: false,
    };
    let root = match l.visit(main, None) {
        Ok(id) => id,
        Err(e) => {
            let text = os_error_text(&e);
            l.errors.push(LoadError {
                kind: LoadErrorKind::Open {
                    path: main.to_path_buf(),
                    os_error: text.clone(),
                    errno: e.raw_os_error(),
                },
                message: format!("cannot read \"{}\": {text}", main.display()),
                file: None,
                path: main.to_path_buf(),
                line: 0,
                col: 0,
                span: None,
            });
            FileId(u32::MAX)
        }
    };
    Tree {
        sources: l.sources,
        files: l.files,
        root,
        prefix,
        errors: l.errors,
        failed: l.failed,
    }
}

impl Tree {
    pub fn file(&self, id: FileId) -> Option<&ConfFile> {
        self.files.get(id.0 as usize).and_then(|f| f.as_ref())
    }

    /// Paths in the order nginx first reads them (what `nginx -T` prints).
    pub fn read_order(&self) -> Vec<&Path> {
        self.sources.iter().map(|(_, f)| f.path.as_path()).collect()
    }

    /// Walk the effective tree from the main file: `include` directives are
    /// replaced by the contents of the files they include, in place, as
    /// nginx splices them. The callback sees each directive with the chain
    /// of enclosing block directives; returning `false` skips its block.
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
        if depth > MAX_INCLUDE_DEPTH {
            return;
        }
        for node in items {
            let Node::Directive(d) = node else { continue };
            if d.is("include") {
                for &inc in &d.includes {
                    if let Some(cf) = self.file(inc) {
                        self.walk_items(&cf.items, parents, f, depth + 1);
                    }
                }
                continue;
            }
            let descend = f(d, parents);
            if descend {
                if let Some(b) = &d.block {
                    parents.push(d);
                    self.walk_items(&b.items, parents, f, depth);
                    parents.pop();
                }
            }
        }
    }
}
