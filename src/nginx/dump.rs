//! `nginx -T` dumps: each `# configuration file PATH:` section becomes the
//! file it was, so the tree can be loaded as if from disk.
//!
//! nginx writes, for every file in the order it first read it,
//! `# configuration file PATH:\n` + the file's bytes + `\n`
//! (ngx_conf_add_dump / ngx_dump_config). Lines before the first section
//! (`nginx: the configuration file ... syntax is ok`, when stderr was
//! captured too) are skipped.

use std::path::PathBuf;

use crate::fsx::MemFs;

const HEADER: &str = "# configuration file ";

/// True if the text looks like an `nginx -T` dump.
pub fn is_dump(text: &str) -> bool {
    text.lines()
        .take(50)
        .any(|l| l.starts_with(HEADER) && l.trim_end().ends_with(':'))
}

/// The files of a dump, and the path of the first (the main file).
pub fn parse_dump(text: &str) -> Option<(MemFs, PathBuf)> {
    let mut fs = MemFs::new();
    let mut main: Option<PathBuf> = None;
    let mut current: Option<(PathBuf, String)> = None;
    let finish = |cur: Option<(PathBuf, String)>, fs: &mut MemFs| {
        if let Some((path, mut body)) = cur {
            // nginx appends one newline after each file's content
            if body.ends_with('\n') {
                body.pop();
            }
            fs.insert(path, body.into_bytes());
        }
    };
    for line in text.split_inclusive('\n') {
        let bare = line.trim_end_matches(['\n', '\r']);
        if let Some(rest) = bare.strip_prefix(HEADER) {
            if let Some(path) = rest.strip_suffix(':') {
                finish(current.take(), &mut fs);
                let p = PathBuf::from(path);
                if main.is_none() {
                    main = Some(p.clone());
                }
                current = Some((p, String::new()));
                continue;
            }
        }
        if let Some((_, body)) = current.as_mut() {
            body.push_str(line);
        }
    }
    finish(current.take(), &mut fs);
    main.map(|m| (fs, m))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fsx::Fs;
    use std::path::Path;

    #[test]
    fn sections_become_files() {
        let t = "nginx: the configuration file /e/nginx.conf syntax is ok\n# configuration file /e/nginx.conf:\nevents {}\ninclude a.conf;\n\n# configuration file /e/a.conf:\n# hi\n";
        assert!(is_dump(t));
        let (fs, main) = parse_dump(t).unwrap();
        assert_eq!(main, PathBuf::from("/e/nginx.conf"));
        assert_eq!(
            fs.read(Path::new("/e/nginx.conf")).unwrap(),
            b"events {}\ninclude a.conf;\n"
        );
        assert_eq!(fs.read(Path::new("/e/a.conf")).unwrap(), b"# hi");
    }
}
