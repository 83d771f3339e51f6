//! The virtual hosts of an Apache tree: each active `<VirtualHost>` with
//! its addresses, `ServerName` and `ServerAlias`es, and where it is — what
//! `apache2 -t -D DUMP_VHOSTS` lists, before httpd resolves addresses and
//! fills in names a virtual host does not set.

use std::path::PathBuf;

use serde::Serialize;

use crate::apache::ast::Directive;
use crate::apache::loader::Tree;
use crate::source::Span;

#[derive(Debug, Clone, Serialize)]
pub struct VirtualHost {
    /// The `<VirtualHost>` arguments (`*:443`, `[::1]:443`, `_default_:443`),
    /// with `${VAR}` substituted.
    pub addresses: Vec<String>,
    /// The last `ServerName` inside (httpd keeps the last), if any.
    pub server_name: Option<String>,
    /// Every `ServerAlias` argument inside, in order.
    pub aliases: Vec<String>,
    /// The file (for a macro expansion: httpd's name for it) and the line
    /// httpd reports (the last physical line of `<VirtualHost ...>`).
    pub file: PathBuf,
    pub line: u32,
    #[serde(skip)]
    pub span: Span,
}

/// The virtual hosts of the active tree, in the order httpd reads them.
pub fn list(tree: &Tree) -> Vec<VirtualHost> {
    let mut out: Vec<VirtualHost> = Vec::new();
    tree.walk(&mut |d: &Directive, parents: &[&Directive]| {
        let inside = parents.iter().any(|p| p.is("VirtualHost"));
        if d.is_section() && d.is("VirtualHost") {
            if inside {
                // httpd refuses nested virtual hosts
                return false;
            }
            out.push(VirtualHost {
                addresses: d.values(),
                server_name: None,
                aliases: Vec::new(),
                file: tree.sources.path(d.span.file).to_path_buf(),
                line: d.line,
                span: d.span,
            });
            return true;
        }
        if !inside {
            return true;
        }
        // the walk is in order: the content of a virtual host follows it
        if let Some(v) = out.last_mut() {
            if d.is("ServerName") {
                if let Some(n) = d.values().into_iter().next() {
                    v.server_name = Some(n);
                }
            } else if d.is("ServerAlias") {
                v.aliases.extend(d.values());
            }
        }
        true
    });
    out
}

/// A plain-text listing: one line per virtual host,
/// `ADDRESSES NAME (FILE:LINE)`, then its aliases.
pub fn render(vhosts: &[VirtualHost]) -> String {
    let mut s = String::new();
    use crate::printable::escape;
    // names and paths from the configuration shown escaped
    for v in vhosts {
        s.push_str(&format!(
            "{:<22} {} ({}:{})\n",
            escape(&v.addresses.join(" ")),
            escape(v.server_name.as_deref().unwrap_or("-")),
            escape(&v.file.display().to_string()),
            v.line
        ));
        for a in &v.aliases {
            s.push_str(&format!("{:16} alias {}\n", "", escape(a)));
        }
    }
    s
}
