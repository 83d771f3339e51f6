//! Turning command-line paths into loaded trees: files on disk, `nginx -T`
//! dumps (from a file or stdin), and the discovery of roots.

use std::io::Read;
use std::path::{Path, PathBuf};

use crate::error::Error;
use crate::fsx::{MemFs, RealFs};
use crate::nginx::dump;
use crate::nginx::loader::{self, LoadOptions, Tree};

/// Largest dump read from stdin.
const MAX_STDIN: u64 = 512 * 1024 * 1024;

/// Where a tree comes from.
#[derive(Debug, Clone)]
pub enum Root {
    /// A main file on disk.
    File(PathBuf),
    /// An `nginx -T` dump (its files are virtual).
    Dump {
        label: PathBuf,
        fs: MemFs,
        main: PathBuf,
    },
}

impl Root {
    pub fn label(&self) -> &Path {
        match self {
            Root::File(p) => p,
            Root::Dump { label, .. } => label,
        }
    }

    pub fn load(&self, prefix: Option<&Path>, keep_going: bool) -> Tree {
        let opts = LoadOptions {
            prefix: prefix.map(Path::to_path_buf),
            keep_going,
        };
        match self {
            Root::File(p) => loader::load(&RealFs, p, &opts),
            Root::Dump { fs, main, .. } => loader::load(fs, main, &opts),
        }
    }
}

/// Read `-` (stdin) or a file as a dump if it is one.
pub fn dump_root(path: &Path) -> Result<Option<Root>, Error> {
    if path == Path::new("-") {
        let mut buf = Vec::new();
        std::io::stdin()
            .take(MAX_STDIN)
            .read_to_end(&mut buf)
            .map_err(|e| Error::new(format!("cannot read standard input: {e}")))?;
        let text = String::from_utf8_lossy(&buf);
        return match dump::parse_dump(&text) {
            Some((fs, main)) => Ok(Some(Root::Dump {
                label: PathBuf::from("<stdin>"),
                fs,
                main,
            })),
            None => Err(Error::new(
                "standard input is not an `nginx -T` dump (no \"# configuration file PATH:\" line)",
            )),
        };
    }
    if !path.is_file() {
        return Ok(None);
    }
    // only look at the start of the file to decide
    let mut head = vec![0u8; 64 * 1024];
    let n = std::fs::File::open(path)
        .and_then(|mut f| f.read(&mut head))
        .unwrap_or(0);
    head.truncate(n);
    if !dump::is_dump(&String::from_utf8_lossy(&head)) {
        return Ok(None);
    }
    let bytes = std::fs::read(path)
        .map_err(|e| Error::new(format!("cannot read \"{}\": {e}", path.display())))?;
    let text = String::from_utf8_lossy(&bytes);
    Ok(dump::parse_dump(&text).map(|(fs, main)| Root::Dump {
        label: path.to_path_buf(),
        fs,
        main,
    }))
}

/// The root for `tlslint parse ROOT`: a dump, or a main file.
pub fn single_root(path: &Path) -> Result<Root, Error> {
    if let Some(r) = dump_root(path)? {
        return Ok(r);
    }
    if path.is_dir() {
        let main = path.join("nginx.conf");
        if main.is_file() {
            return Ok(Root::File(main));
        }
        return Err(Error::new(format!(
            "\"{}\" is a directory without nginx.conf",
            path.display()
        )));
    }
    if !path.exists() {
        return Err(Error::new(format!(
            "cannot read \"{}\": No such file or directory",
            path.display()
        )));
    }
    Ok(Root::File(path.to_path_buf()))
}
