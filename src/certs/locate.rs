//! From a value as written (`ssl_certificate certs/a.pem;`) to the file to
//! read: relative paths against the configuration prefix (nginx) or
//! ServerRoot (Apache), `data:` values inline, values built from variables
//! not at all, and absolute paths through the `--root` mappings.

use std::path::{Path, PathBuf};

use crate::paths::PathMap;

/// One `--root` mapping: absolute paths under `server` are read from `local`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RootMap {
    pub server: PathBuf,
    pub local: PathBuf,
}

impl RootMap {
    /// `DIR` (the server's `/` is DIR) or `SERVERDIR=DIR`.
    pub fn parse(arg: &str) -> Result<RootMap, String> {
        match arg.split_once('=') {
            Some((server, local)) if server.starts_with('/') => {
                if local.is_empty() {
                    return Err(format!("--root {arg}: no directory after `=`"));
                }
                Ok(RootMap {
                    server: PathBuf::from(server),
                    local: PathBuf::from(local),
                })
            }
            _ => Ok(RootMap {
                server: PathBuf::from("/"),
                local: PathBuf::from(arg),
            }),
        }
    }
}

/// Where a configured file is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Where {
    /// A file to read.
    Path(PathBuf),
    /// `data:` followed by the PEM itself.
    Inline(String),
    /// Built from variables (`$ssl_server_name`): resolved per handshake.
    Variables(Vec<String>),
    /// An absolute path that no `--root` mapping covers.
    Unmapped(PathBuf),
    /// An empty value.
    Empty,
}

/// The variables a value uses (`$name`, `${name}`).
pub fn variables(value: &str) -> Vec<String> {
    let b = value.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'$' {
            let (start, end_brace) = if b.get(i + 1) == Some(&b'{') {
                (i + 2, true)
            } else {
                (i + 1, false)
            };
            let mut j = start;
            while j < b.len() && (b[j].is_ascii_alphanumeric() || b[j] == b'_') {
                j += 1;
            }
            if j > start && (!end_brace || b.get(j) == Some(&b'}')) {
                let name = format!("${}", &value[start..j]);
                if !out.contains(&name) {
                    out.push(name);
                }
                i = j;
                continue;
            }
        }
        i += 1;
    }
    out
}

/// Locate a configured value. `base` is the prefix / ServerRoot as read here
/// (already local); absolute paths go through the tree's path mapping
/// (`--root`, the inferred mapping: `crate::paths`). `literal`: the value is
/// a file name whatever it holds — Apache's, whose `${VAR}` the reader has
/// substituted (an undefined one stays in the name httpd opens) and which
/// has no `data:`.
pub fn locate(value: &str, base: &Path, map: &PathMap, literal: bool) -> Where {
    if value.is_empty() {
        return Where::Empty;
    }
    if !literal {
        if let Some(pem) = value.strip_prefix("data:") {
            return Where::Inline(pem.to_string());
        }
        let vars = variables(value);
        if !vars.is_empty() {
            return Where::Variables(vars);
        }
    }
    let p = Path::new(value);
    let local = if !p.is_absolute() {
        base.join(p)
    } else {
        match map.file(p) {
            Some(l) => l,
            None => return Where::Unmapped(p.to_path_buf()),
        }
    };
    // a symlink whose target is a server path (`ssl/a.pem ->
    // /etc/nginx/ssl/a-2026.pem` in a copy) is followed through the mapping,
    // not into this machine's /etc; links the system resolves alike stay
    match map.follow(&local) {
        Ok(Some(real)) => Where::Path(real),
        Ok(None) => Where::Path(local),
        Err(()) => Where::Unmapped(local),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn locate(value: &str, base: &Path, roots: &[RootMap], literal: bool) -> Where {
        super::locate(value, base, &PathMap::with_roots(roots.to_vec()), literal)
    }

    #[test]
    fn locates() {
        let base = Path::new("/srv/repo/nginx");
        assert_eq!(
            locate("a.pem", base, &[], false),
            Where::Path("/srv/repo/nginx/a.pem".into())
        );
        assert_eq!(
            locate("/etc/ssl/a.pem", base, &[], false),
            Where::Path("/etc/ssl/a.pem".into())
        );
        assert_eq!(
            locate("/etc/nginx/certs/$ssl_server_name.pem", base, &[], false),
            Where::Variables(vec!["$ssl_server_name".into()])
        );
        assert_eq!(
            locate("${host}.pem", base, &[], false),
            Where::Variables(vec!["$host".into()])
        );
        assert!(matches!(
            locate("data:-----BEGIN", base, &[], false),
            Where::Inline(_)
        ));
        let roots = vec![
            RootMap::parse("/etc/nginx=/srv/repo/nginx").unwrap(),
            RootMap::parse("/etc=/srv/repo/etc").unwrap(),
        ];
        assert_eq!(
            locate("/etc/nginx/ssl/a.pem", base, &roots, false),
            Where::Path("/srv/repo/nginx/ssl/a.pem".into())
        );
        assert_eq!(
            locate("/etc/ssl/../ssl/b.pem", base, &roots, false),
            Where::Path("/srv/repo/etc/ssl/b.pem".into())
        );
        assert_eq!(
            locate("/opt/x.pem", base, &roots, false),
            Where::Unmapped("/opt/x.pem".into())
        );
        let sysroot = vec![RootMap::parse("rootfs").unwrap()];
        assert_eq!(
            locate("/etc/ssl/a.pem", base, &sysroot, false),
            Where::Path("rootfs/etc/ssl/a.pem".into())
        );
        assert!(RootMap::parse("/etc/nginx=").is_err());
        // Apache: a file name whatever it holds (an undefined `${VAR}` stays
        // in the name httpd opens; no `data:`)
        assert_eq!(
            locate("${CERTDIR}/a.pem", base, &[], true),
            Where::Path("/srv/repo/nginx/${CERTDIR}/a.pem".into())
        );
        assert_eq!(
            locate("data:x", base, &[], true),
            Where::Path("/srv/repo/nginx/data:x".into())
        );
    }
}
