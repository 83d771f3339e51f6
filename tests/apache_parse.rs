//! The Apache reader through the library: the grammar (words, quotes,
//! continuations, comments, spans), the environment (Define, `${VAR}`,
//! envvars, `-D`, modules, versions), conditionals, includes, macros, the
//! walk API and the virtual host list, errors as httpd words them, bounds,
//! and `tlslint parse` on Apache trees. (`oracle_apache.rs` checks the same
//! against httpd itself.)

use std::path::{Path, PathBuf};
use std::process::Command;

use proptest::prelude::*;
use tlslint::apache::ast::{Directive, Node, Quote};
use tlslint::apache::loader::{self, Envvars, LoadOptions, Phase, Tree};
use tlslint::apache::vhosts;
use tlslint::fsx::MemFs;
use tlslint::version::Version;

fn mem(files: &[(&str, &str)]) -> MemFs {
    let mut m = MemFs::new();
    for (p, t) in files {
        m.insert(PathBuf::from(p), t.as_bytes().to_vec());
    }
    m
}

fn load(files: &[(&str, &str)]) -> Tree {
    load_with(files, &LoadOptions::default())
}

fn load_with(files: &[(&str, &str)], opts: &LoadOptions) -> Tree {
    let fs = mem(files);
    loader::load(&fs, Path::new(files[0].0), opts)
}

/// The active directives in walk order: `name|value|value` with the names
/// of the enclosing sections before them (`VirtualHost>ServerName|x`).
fn walked(t: &Tree) -> Vec<String> {
    let mut out = Vec::new();
    t.walk(&mut |d: &Directive, parents: &[&Directive]| {
        let mut s = String::new();
        for p in parents {
            s.push_str(p.name());
            s.push('>');
        }
        s.push_str(d.name());
        for v in d.values() {
            s.push('|');
            s.push_str(&v);
        }
        out.push(s);
        true
    });
    out
}

fn first_error(t: &Tree) -> (String, u32, String) {
    let e = t.errors.first().expect("an error");
    (e.path.display().to_string(), e.line, e.message.clone())
}

fn top(t: &Tree) -> &[Node] {
    &t.file(t.root).unwrap().items
}

#[test]
fn words_quotes_and_unescaping() {
    let t = load(&[(
        "/e/httpd.conf",
        "ServerAlias a \"b c\" 'd e' \"f \\\" g\" 'h \\' i' j\\\\k l\\m \"n\"o p\"q r\"\nServerAlias \"open quote runs on\n",
    )]);
    assert!(t.ok(), "{:?}", t.errors);
    let d = top(&t)[0].as_directive().unwrap();
    assert_eq!(
        d.values(),
        vec!["a", "b c", "d e", "f \" g", "h ' i", "j\\k", "l\\m", "n", "o", "p\"q", "r\""]
    );
    assert_eq!(d.args[1].quote, Quote::Double);
    assert_eq!(d.args[1].raw, "b c");
    assert_eq!(d.args[2].quote, Quote::Single);
    let d = top(&t)[1].as_directive().unwrap();
    assert_eq!(d.values(), vec!["open quote runs on"]);
}

#[test]
fn continuations_comments_and_spans() {
    let text = "# a comment \\\nInclude hidden-by-the-comment.conf\nServerAlias a \\\n   b\\\nc\n<VirtualHost \\\n *:80>\n  ServerName x # not a comment\n</VirtualHost>\r\n";
    let t = load(&[("/e/httpd.conf", text)]);
    assert!(t.ok(), "{:?}", t.errors);
    let items = top(&t);
    let Node::Comment(c) = &items[0] else {
        panic!("a comment first")
    };
    assert_eq!(c.text, " a comment Include hidden-by-the-comment.conf");
    assert_eq!((c.span.line, c.span.start), (1, 0));
    let alias = items[1].as_directive().unwrap();
    assert_eq!(alias.values(), vec!["a", "bc"]);
    // httpd counts the directive at its last physical line
    assert_eq!((alias.span.line, alias.line), (3, 5));
    // a word across a continuation spans it
    let w = &alias.args[1];
    assert_eq!(&text[w.span.start as usize..w.span.end as usize], "b\\\nc");
    let vh = items[2].as_directive().unwrap();
    assert!(vh.is("virtualhost") && vh.is_section());
    assert_eq!(vh.values(), vec!["*:80"]);
    assert_eq!(vh.line, 7);
    let inner = vh.items()[0].as_directive().unwrap();
    // no trailing comments in httpd: `#` and the rest are arguments
    assert_eq!(inner.values(), vec!["x", "#", "not", "a", "comment"]);
    let close = vh.block.as_ref().unwrap().close.unwrap();
    assert_eq!(close.line, 9);
    assert_eq!(
        &text[close.start as usize..close.end as usize],
        "</VirtualHost>"
    );
}

#[test]
fn sections_nest_and_close_case_insensitively() {
    let t = load(&[(
        "/e/httpd.conf",
        "<virtualhost *:443 [::1]:443>\n <Directory \"/srv/x y\">\n  <Files x>\n  </FILES>\n </directory> extra words\n</VirtualHost>\n<Location />\n</Location>\n<Foo/>\n</Foo/>\n",
    )]);
    assert!(t.ok(), "{:?}", t.errors);
    assert_eq!(
        walked(&t),
        vec![
            "virtualhost|*:443|[::1]:443",
            "virtualhost>Directory|/srv/x y",
            "virtualhost>Directory>Files|x",
            "Location|/",
            "Foo/",
        ]
    );
}

#[test]
fn structure_errors_as_httpd_words_them() {
    let cases: &[(&str, u32, &str)] = &[
        ("<VirtualHost *:80>\n", 1, "<VirtualHost> was not closed."),
        ("<VirtualHost *:80>\n</Directory>\n", 2, "Expected </VirtualHost> but saw </Directory>"),
        ("</VirtualHost>\n", 1, "</VirtualHost> without matching <VirtualHost> section"),
        ("<Directory /x>\n</Directory\n", 2, "</Directory> directive missing closing '>'"),
        ("<IfModule nope>\n<VirtualHost *:80>\n</Directory>\n", 1, "Expected </VirtualHost> but saw </Directory>"),
        ("<IfDefine NOPE>\n<VirtualHost *:80>\n", 1, "Expected </VirtualHost> before end of configuration"),
        ("<IfModule so_module>\n</IfModule> # done\n", 2, "</IfModule> without matching <IfModule> section"),
        ("<IfModule>\n</IfModule>\n", 1, "<IfModule> directive requires additional arguments"),
        ("<IfDefine X\n</IfDefine>\n", 1, "<IfDefine> directive missing closing '>'"),
        ("Define a:b\n", 1, "Variable name must not contain ':'"),
        ("Define\n", 1, "Define takes 1-2 arguments"),
        ("Include\n", 1, "Include takes one argument"),
        ("Include a b\n", 1, "Include takes one argument"),
        ("<IfVersion >= x>\n</IfVersion>\n", 1, "Version appears to be invalid"),
        ("<IfVersion <> 2.4>\n</IfVersion>\n", 1, "unrecognized operator '<>'"),
        ("Include \\\n  missing.conf\n", 2, "Could not open configuration file /e/missing.conf: No such file or directory"),
        ("Use M\n", 1, "no macro defined before Use"),
        ("<Macro M $a>\n", 1, "macro 'm' (defined on line 1 of \"/e/httpd.conf\"): contents error: expected token not found: </Macro>"),
        ("<Macro M $a $a>\n</Macro>\n", 1, "argument name conflict in macro 'm'"),
        ("<Macro M $a>\n</Macro>\nUse M\n", 3, "macro 'm' (defined on line 1 of \"/e/httpd.conf\") used with 0 arguments instead of 1"),
        ("<Macro M>\n</Macro>\nUse N\n", 3, "macro 'n' undefined"),
    ];
    for (text, line, msg) in cases {
        let t = load(&[("/e/httpd.conf", text)]);
        let (f, l, m) = first_error(&t);
        assert_eq!((f.as_str(), l), ("/e/httpd.conf", *line), "{text:?}: {m}");
        assert!(
            m.starts_with(msg),
            "{text:?}: {m:?} does not start with {msg:?}"
        );
        assert_eq!(t.errors[0].phase, Phase::Read, "{text:?}");
        assert_eq!(t.errors.len(), 1, "{text:?}: httpd stops at the first");
    }
    // found when httpd walks the tree: only when reading succeeded
    let t = load(&[(
        "/e/httpd.conf",
        "<VirtualHost *:80\n</VirtualHost>\n<VirtualHost>\n</VirtualHost>\n<VirtualHost *:80>\n<VirtualHost *:81>\n</VirtualHost>\n</VirtualHost>\n<IfDefine !X>\nError \"X is needed\"\n</IfDefine>\n",
    )]);
    let got: Vec<(u32, &str, Phase)> = t
        .errors
        .iter()
        .map(|e| (e.line, e.message.as_str(), e.phase))
        .collect();
    assert_eq!(
        got,
        vec![
            (
                1,
                "<VirtualHost> directive missing closing '>'",
                Phase::Walk
            ),
            (
                3,
                "<VirtualHost> directive requires additional arguments",
                Phase::Walk
            ),
            (
                6,
                "<VirtualHost> cannot occur within <VirtualHost> section",
                Phase::Walk
            ),
            (10, "X is needed", Phase::Walk),
        ]
    );
}

#[test]
fn an_active_conditional_needs_no_closing_tag_at_the_end_of_a_file() {
    // httpd: the content of a true <IfModule> ends with the file; sections
    // opened inside are not checked either
    let t = load(&[(
        "/e/httpd.conf",
        "<IfModule so_module>\n<VirtualHost *:80>\nServerName a\n",
    )]);
    assert!(t.ok(), "{:?}", t.errors);
    assert_eq!(
        walked(&t),
        vec!["VirtualHost|*:80", "VirtualHost>ServerName|a"]
    );
}

#[test]
fn conditionals_with_defines_modules_versions_files_directives() {
    let conf = "\
<IfModule ssl_module>\nA ssl-by-id\n</IfModule>\n\
<IfModule mod_ssl.c>\nA ssl-by-file\n</IfModule>\n\
<IfModule !ssl_module>\nA no-ssl\n</IfModule>\n\
<IfModule version_module>\nA builtin\n</IfModule>\n\
LoadModule ssl_module modules/mod_ssl.so\n\
<IfModule ssl_module>\nA ssl-now\n</IfModule>\n\
<IfDirective SSLProtocol>\nA ssl-directive\n</IfDirective>\n\
<IfSection VirtualHost>\nA section\n</IfSection>\n\
<IfDefine CLI>\nA cli\n</IfDefine>\n\
<IfDefine !LATER>\nA not-yet\n</IfDefine>\n\
Define LATER\n\
<IfDefine LATER>\nA later\n</IfDefine>\n\
UnDefine LATER\n\
<IfDefine LATER>\nA gone\n</IfDefine>\n\
<IfVersion >= 2.4.30>\nA v-ge\n</IfVersion>\n\
<IfVersion < 2.4>\nA v-lt\n</IfVersion>\n\
<IfVersion ~ ^2\\.4\\.>\nA v-re\n</IfVersion>\n\
<IfFile conf.d/x.conf>\nA file\n</IfFile>\n\
<IfFile !/no/such>\nA no-file\n</IfFile>\n\
<IfModule nope_module>\n<Whatever>\nInclude not-read.conf\n</Whatever>\n</IfModule>\n";
    let opts = LoadOptions {
        defines: vec!["CLI".into()],
        ..Default::default()
    };
    let t = load_with(&[("/e/httpd.conf", conf), ("/e/conf.d/x.conf", "")], &opts);
    assert!(t.ok(), "{:?}", t.errors);
    let got: Vec<String> = walked(&t)
        .into_iter()
        .filter_map(|s| s.strip_prefix("A|").map(String::from))
        .collect();
    assert_eq!(
        got,
        vec![
            "no-ssl",
            "builtin",
            "ssl-now",
            "ssl-directive",
            "section",
            "cli",
            "not-yet",
            "later",
            "v-ge",
            "v-re",
            "file",
            "no-file"
        ]
    );
    assert!(t.env.has_module("mod_ssl.c"));
    // an older httpd
    let opts = LoadOptions {
        version: Some(Version::new(2, 2, 34)),
        ..Default::default()
    };
    let t = load_with(&[("/e/httpd.conf", conf), ("/e/conf.d/x.conf", "")], &opts);
    let got: Vec<String> = walked(&t)
        .into_iter()
        .filter(|s| s.starts_with("A|v-"))
        .collect();
    assert_eq!(got, vec!["A|v-lt"]);
    // the raw tree keeps the inactive parts, marked
    let last = top(&t).last().unwrap().as_directive().unwrap();
    assert!(last.is("IfModule") && last.active);
    assert_eq!(last.block.as_ref().unwrap().condition, Some(false));
    let inner = last.items()[0].as_directive().unwrap();
    assert!(inner.is("Whatever") && !inner.active);
    assert!(!inner.items()[0].as_directive().unwrap().active);
}

#[test]
fn variables_resolve_in_order_and_undefined_ones_stay() {
    let t = load(&[
        (
            "/e/httpd.conf",
            "Define DIR conf.d\nDefine HOSTS \"a.example b.example\"\nInclude ${DIR}/a.conf\n<VirtualHost ${ADDR}>\nServerAlias ${HOSTS}\nServerName ${NOPE}\n</VirtualHost>\nUnDefine DIR\nIncludeOptional ${DIR}/a.conf\n",
        ),
        ("/e/conf.d/a.conf", "Define ADDR *:443\n"),
    ]);
    assert!(t.ok(), "{:?}", t.errors);
    assert_eq!(
        walked(&t),
        vec![
            "Define|DIR|conf.d",
            "Define|HOSTS|a.example b.example",
            "Define|ADDR|*:443",
            "VirtualHost|*:443",
            "VirtualHost>ServerAlias|a.example|b.example",
            "VirtualHost>ServerName|${NOPE}",
            "UnDefine|DIR",
        ]
    );
    let w: Vec<(u32, &str)> = t
        .warnings
        .iter()
        .map(|w| (w.line, w.message.as_str()))
        .collect();
    assert_eq!(
        w,
        vec![
            (6, "Config variable ${NOPE} is not defined"),
            (9, "Config variable ${DIR} is not defined")
        ]
    );
    // the raw words are kept as written
    let vh = top(&t)
        .iter()
        .filter_map(Node::as_directive)
        .find(|d| d.is("VirtualHost"))
        .unwrap();
    assert_eq!(vh.raw_values(), vec!["${ADDR}"]);
    assert_eq!(vh.values(), vec!["*:443"]);
}

#[test]
fn debian_envvars_are_the_environment() {
    let files = [
        (
            "/etc/apache2/apache2.conf",
            "Include ${APACHE_CONFD}/*.conf\nErrorLog ${APACHE_LOG_DIR}/error.log\n",
        ),
        (
            "/etc/apache2/envvars",
            "if [ x ]; then\n  SUFFIX=-two\nfi\nexport APACHE_LOG_DIR=/var/log/apache2$SUFFIX\nBASE=conf\nexport APACHE_CONFD=${BASE}.d\n",
        ),
        ("/etc/apache2/conf.d/a.conf", "# a\n"),
    ];
    let t = load(&files);
    assert!(
        t.ok() && t.warnings.is_empty(),
        "{:?} {:?}",
        t.errors,
        t.warnings
    );
    assert_eq!(walked(&t), vec!["ErrorLog|/var/log/apache2/error.log"]);
    assert_eq!(t.read_order().len(), 2);
    // without envvars
    let opts = LoadOptions {
        envvars: Envvars::Off,
        ..Default::default()
    };
    let t = load_with(&files, &opts);
    let (_, line, msg) = first_error(&t);
    assert_eq!(line, 1);
    assert!(msg.contains("${APACHE_CONFD}"), "{msg}");
}

#[test]
fn includes_as_httpd_does_them() {
    let t = load(&[
        (
            "/e/httpd.conf",
            "Include conf.d\nInclude sites/*/site.conf\nIncludeOptional none/*.conf\nIncludeOptional missing.conf\nInclude conf.d/z.conf\nInclude ./conf.d/../conf.d//z.conf\n",
        ),
        ("/e/conf.d/z.conf", "A z\n"),
        ("/e/conf.d/B.conf", "A B\n"),
        ("/e/conf.d/.hidden", "A hidden\n"),
        ("/e/conf.d/sub/x", "A sub-x\n"),
        ("/e/sites/one/site.conf", "A one\n"),
        ("/e/sites/two/site.conf", "Include sites/one/site.conf\n"),
        ("/e/sites/.dot/site.conf", "A dot\n"),
        ("/e/sites/file", "A file\n"),
    ]);
    assert!(t.ok(), "{:?}", t.errors);
    assert_eq!(
        t.dump_includes(),
        "Included configuration files:\n  (*) /e/httpd.conf\n    (1) /e/conf.d/.hidden\n    (1) /e/conf.d/B.conf\n    (1) /e/conf.d/sub/x\n    (1) /e/conf.d/z.conf\n    (2) /e/sites/one/site.conf\n    (2) /e/sites/two/site.conf\n      (1) /e/sites/one/site.conf\n    (5) /e/conf.d/z.conf\n    (6) /e/conf.d/z.conf\n"
    );
    assert_eq!(
        walked(&t),
        vec!["A|hidden", "A|B", "A|sub-x", "A|z", "A|one", "A|one", "A|z", "A|z"]
    );
    // each read is its own instance: the same file, two FileIds
    let zs: Vec<_> = t
        .dump
        .iter()
        .filter(|d| d.path.ends_with("z.conf"))
        .map(|d| d.file)
        .collect();
    assert_eq!(zs.len(), 3);
    assert!(zs[0] != zs[1]);
    // Include of a wildcard that matches nothing is an error
    let t = load(&[
        ("/e/httpd.conf", "Include conf.d/*.conf\n"),
        ("/e/conf.d/x", ""),
    ]);
    assert_eq!(
        first_error(&t),
        (
            "/e/httpd.conf".into(),
            1,
            "Include/IncludeOptional: No matches for the wildcard '*.conf' in '/e/conf.d', failing"
                .into()
        )
    );
    // not followed inside a false conditional
    let t = load(&[(
        "/e/httpd.conf",
        "<IfDefine NOPE>\nInclude missing.conf\n</IfDefine>\n",
    )]);
    assert!(t.ok());
    assert_eq!(t.read_order().len(), 1);
    // IncludeOptional ignores a missing plain path from httpd 2.4.30 only
    let files = [("/e/httpd.conf", "IncludeOptional missing.conf\n")];
    let old = LoadOptions {
        version: Some("2.4.29".parse().unwrap()),
        ..LoadOptions::default()
    };
    let t = load_with(&files, &old);
    let (file, line, msg) = first_error(&t);
    assert_eq!((file.as_str(), line), ("/e/httpd.conf", 1), "{msg}");
    assert!(msg.contains("/e/missing.conf"), "{msg}");
    let new = LoadOptions {
        version: Some("2.4.30".parse().unwrap()),
        ..LoadOptions::default()
    };
    assert!(load_with(&files, &new).ok());
}

#[test]
fn server_root_from_the_tree_the_flag_or_the_main_file() {
    let files = [
        (
            "/copy/httpd/conf/httpd.conf",
            "ServerRoot \"/etc/httpd\"\nInclude conf.d/*.conf\n",
        ),
        ("/copy/httpd/conf.d/a.conf", "A a\n"),
        ("/other/conf.d/a.conf", "A other\n"),
    ];
    // /etc/httpd does not exist (in this MemFs): the main file's ancestor named httpd
    let t = load(&files);
    assert!(t.ok(), "{:?}", t.errors);
    assert_eq!(walked(&t).last().unwrap(), "A|a");
    assert!(
        t.notes.iter().any(|n| n.contains("does not exist here")),
        "{:?}",
        t.notes
    );
    // --server-root wins over the tree's ServerRoot
    let opts = LoadOptions {
        server_root: Some("/other".into()),
        ..Default::default()
    };
    let t = load_with(&files, &opts);
    assert!(t.ok(), "{:?}", t.errors);
    assert_eq!(walked(&t).last().unwrap(), "A|other");
    // a ServerRoot that exists is used
    let t = load(&[
        ("/a/httpd.conf", "ServerRoot /b\nInclude x.conf\n"),
        ("/b/x.conf", "A b\n"),
    ]);
    assert!(t.ok(), "{:?}", t.errors);
    assert_eq!(walked(&t).last().unwrap(), "A|b");
}

#[test]
fn macros_expand_with_httpd_substitution() {
    let conf = "<Macro VHost $name @admin %port>\n<VirtualHost *:%port>\n  # body comments are dropped\n\n  ServerName $name\n  ServerAdmin @admin\n  ServerAlias www.$name $nameless\n</VirtualHost>\n</Macro>\nUse VHost a.example \"x \\\"y\\\"\" 443\nUse vhost b.example z 80\nUndefMacro VHOST\n<Macro Unused>\nInclude never.conf\n</Macro>\n";
    let t = load(&[("/e/httpd.conf", conf)]);
    assert!(t.ok(), "{:?}", t.errors);
    assert_eq!(
        walked(&t),
        vec![
            "VirtualHost|*:443",
            "VirtualHost>ServerName|a.example",
            "VirtualHost>ServerAdmin|x \"y\"",
            "VirtualHost>ServerAlias|www.a.example|a.exampleless",
            "VirtualHost|*:80",
            "VirtualHost>ServerName|b.example",
            "VirtualHost>ServerAdmin|z",
            "VirtualHost>ServerAlias|www.b.example|b.exampleless",
            "UndefMacro|VHOST",
        ]
    );
    // an expansion is a source of its own, named as httpd names it, and
    // its lines map back to the macro body
    let use1 = top(&t)[1].as_directive().unwrap();
    assert!(use1.is("Use"));
    let exp = use1.includes[0];
    assert_eq!(
        t.sources.path(exp).display().to_string(),
        "macro 'vhost' (defined on line 1 of \"/e/httpd.conf\") used on line 10 of \"/e/httpd.conf\""
    );
    assert_eq!(&*t.sources.get(exp).text, "<VirtualHost *:443>\n\nServerName a.example\nServerAdmin \"x \\\"y\\\"\"\nServerAlias www.a.example a.exampleless\n</VirtualHost>\n");
    let vh = t.file(exp).unwrap().items[0].as_directive().unwrap();
    let name = vh.items()[0].as_directive().unwrap();
    assert_eq!(name.span.line, 3);
    assert_eq!(t.origin(name.span), (t.root, 5));
    let m = t.expansion(exp).unwrap();
    assert_eq!(
        (m.name.as_str(), m.defined_line, m.used_line),
        ("vhost", 1, 10)
    );
    // the definition is in the raw tree, inactive
    let def = top(&t)[0].as_directive().unwrap();
    assert!(def.is("Macro") && def.active);
    assert!(def
        .items()
        .iter()
        .filter_map(Node::as_directive)
        .all(|d| !d.active));
    // errors inside an expansion are located in it, as httpd does
    let t = load(&[(
        "/e/httpd.conf",
        "<Macro M $f>\nServerName x\nInclude $f\n</Macro>\nUse M nope.conf\n",
    )]);
    let (f, l, m) = first_error(&t);
    assert_eq!(
        (f.as_str(), l),
        ("macro 'm' (defined on line 1 of \"/e/httpd.conf\") used on line 5 of \"/e/httpd.conf\"", 2)
    );
    assert!(
        m.starts_with("Could not open configuration file /e/nope.conf"),
        "{m}"
    );
    // recursion
    let t = load(&[("/e/httpd.conf", "<Macro M>\nUse M\n</Macro>\nUse M\n")]);
    assert_eq!(first_error(&t).2, "recursive use of macro 'm' is invalid");
}

#[test]
fn a_macro_bomb_is_bounded() {
    // each macro uses the previous one twice: 2^40 lines if expanded
    let mut conf = String::from("<Macro M0>\nServerAlias x\n</Macro>\n");
    for i in 1..=40 {
        conf.push_str(&format!(
            "<Macro M{i}>\nUse M{p}\nUse M{p}\n</Macro>\n",
            p = i - 1
        ));
    }
    conf.push_str("Use M40\n");
    let start = std::time::Instant::now();
    let t = load(&[("/e/httpd.conf", &conf)]);
    assert!(start.elapsed().as_secs() < 60);
    assert!(!t.ok());
    assert!(
        first_error(&t).2.contains("tlslint limit"),
        "{:?}",
        t.errors
    );
}

#[test]
fn walk_skips_inactive_and_keeps_if_sections() {
    let t = load(&[(
        "/e/httpd.conf",
        "<IfModule so_module>\n<VirtualHost *:443>\n<If \"%{HTTP_HOST} == 'a'\">\nSSLProtocol TLSv1.3\n</If>\n<Else>\nSSLProtocol TLSv1.2\n</Else>\n<IfModule nope>\nSSLProtocol SSLv3\n</IfModule>\n</VirtualHost>\n</IfModule>\n",
    )]);
    assert!(t.ok(), "{:?}", t.errors);
    assert_eq!(
        walked(&t),
        vec![
            "VirtualHost|*:443",
            "VirtualHost>If|%{HTTP_HOST} == 'a'",
            "VirtualHost>If>SSLProtocol|TLSv1.3",
            "VirtualHost>Else",
            "VirtualHost>Else>SSLProtocol|TLSv1.2",
        ]
    );
    assert!(t.notes.iter().any(|n| n.contains("not evaluated")));
}

#[test]
fn virtual_hosts_are_listed_with_names_and_places() {
    let t = load(&[
        (
            "/e/httpd.conf",
            "Define P 443\n<VirtualHost *:80>\nServerName a.example\nServerAlias www.a.example\n</VirtualHost>\nInclude sites/*.conf\n<IfDefine NOPE>\n<VirtualHost *:81>\n</VirtualHost>\n</IfDefine>\n",
        ),
        (
            "/e/sites/b.conf",
            "<VirtualHost [::1]:${P} \\\n 127.0.0.1:${P}>\nServerName old\nServerName b.example\nServerAlias x y\nServerAlias z\n</VirtualHost>\n",
        ),
    ]);
    assert!(t.ok(), "{:?}", t.errors);
    let v = vhosts::list(&t);
    assert_eq!(v.len(), 2);
    assert_eq!(v[0].addresses, vec!["*:80"]);
    assert_eq!(v[0].server_name.as_deref(), Some("a.example"));
    assert_eq!(v[0].aliases, vec!["www.a.example"]);
    assert_eq!(
        (v[0].file.to_str().unwrap(), v[0].line),
        ("/e/httpd.conf", 2)
    );
    assert_eq!(v[1].addresses, vec!["[::1]:443", "127.0.0.1:443"]);
    assert_eq!(v[1].server_name.as_deref(), Some("b.example"));
    assert_eq!(v[1].aliases, vec!["x", "y", "z"]);
    // httpd's line of a continued <VirtualHost>: its last physical line
    assert_eq!(
        (v[1].file.to_str().unwrap(), v[1].line),
        ("/e/sites/b.conf", 2)
    );
    assert_eq!(v[1].span.line, 1);
}

#[test]
fn deep_nesting_is_an_error_not_a_crash() {
    let depth = 100_000;
    for open in [
        "<Directory /x>\n",
        "<IfModule so_module>\n",
        "<IfDefine NOPE>\n<X>\n",
    ] {
        let text = open.repeat(depth);
        let t = load(&[("/e/httpd.conf", &text)]);
        assert!(!t.ok(), "{open:?}");
        assert!(
            first_error(&t).2.contains("nested deeper"),
            "{open:?}: {:?}",
            t.errors
        );
    }
    // a long balanced file is fine
    let text = "<Directory /x>\n</Directory>\n".repeat(50_000);
    assert!(load(&[("/e/httpd.conf", &text)]).ok());
}

#[test]
fn include_recursion_stops_at_httpds_depth() {
    let t = load(&[
        ("/e/httpd.conf", "Include a.conf\n"),
        ("/e/a.conf", "# a\nInclude a.conf\n"),
    ]);
    let (f, l, m) = first_error(&t);
    assert_eq!((f.as_str(), l), ("/e/a.conf", 2));
    assert!(
        m.starts_with("Exceeded maximum include depth of 128, There appears to be a recursion."),
        "{m}"
    );
    assert!(m.contains("include cycle"), "{m}");
    // 1 main file + 128 reads of a.conf
    assert_eq!(t.read_order().len(), 129);
    // a once-guard is not a cycle
    let t = load(&[
        ("/e/httpd.conf", "Include a.conf\n"),
        (
            "/e/a.conf",
            "<IfDefine !ONCE>\nDefine ONCE\nInclude a.conf\n</IfDefine>\n",
        ),
    ]);
    assert!(t.ok(), "{:?}", t.errors);
    assert_eq!(t.read_order().len(), 3);
}

#[test]
fn symlink_loops_and_pipes_on_disk_end() {
    let tmp = tempfile::tempdir().unwrap();
    let d = tmp.path();
    std::fs::create_dir_all(d.join("conf.d/sub")).unwrap();
    std::fs::write(d.join("httpd.conf"), "Include conf.d\n").unwrap();
    std::fs::write(d.join("conf.d/a.conf"), "# a\n").unwrap();
    std::os::unix::fs::symlink("..", d.join("conf.d/sub/up")).unwrap();
    let start = std::time::Instant::now();
    let t = loader::load(
        &tlslint::fsx::RealFs,
        &d.join("httpd.conf"),
        &LoadOptions::default(),
    );
    assert!(start.elapsed().as_secs() < 60);
    // as httpd: the kernel's symlink limit ends the descent
    let (_, _, m) = first_error(&t);
    assert!(m.contains("Too many levels of symbolic links"), "{m}");
    // IncludeOptional skips what it cannot stat
    std::fs::write(d.join("httpd.conf"), "IncludeOptional conf.d\n").unwrap();
    let t = loader::load(
        &tlslint::fsx::RealFs,
        &d.join("httpd.conf"),
        &LoadOptions::default(),
    );
    assert!(t.ok(), "{:?}", t.errors);
    // a FIFO is not read (httpd would block on it)
    let d2 = tempfile::tempdir().unwrap();
    let fifo = d2.path().join("p.conf");
    let ok = Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .map(|s| s.success())
        .unwrap_or(false);
    if ok {
        std::fs::write(d2.path().join("httpd.conf"), "Include p.conf\n").unwrap();
        let t = loader::load(
            &tlslint::fsx::RealFs,
            &d2.path().join("httpd.conf"),
            &LoadOptions::default(),
        );
        assert!(
            first_error(&t).2.contains("not a regular file"),
            "{:?}",
            t.errors
        );
    }
}

#[test]
fn the_debian_tree_reads_completely() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/apache/debian-etc-apache2");
    let t = loader::load(
        &tlslint::fsx::RealFs,
        &root.join("apache2.conf"),
        &LoadOptions::default(),
    );
    assert!(t.ok(), "{:?}", t.errors);
    assert!(t.warnings.is_empty(), "{:?}", t.warnings);
    assert_eq!(t.read_order().len(), 37);
    assert!(t.env.has_module("mpm_event_module"));
    assert!(!t.env.has_module("ssl_module"));
    assert_eq!(
        t.env.environ.get("APACHE_LOG_DIR").map(String::as_str),
        Some("/var/log/apache2")
    );
    let v = vhosts::list(&t);
    assert_eq!(v.len(), 1);
    assert_eq!(v[0].addresses, vec!["*:80"]);
    // a value with ${APACHE_LOG_DIR} resolved
    let mut logs = Vec::new();
    t.walk(&mut |d: &Directive, _: &[&Directive]| {
        if d.is("ErrorLog") {
            logs.push(d.values()[0].clone());
        }
        true
    });
    assert_eq!(logs[0], "/var/log/apache2/error.log");
}

fn tlslint(args: &[&str]) -> (Option<i32>, String, String) {
    let o = Command::new(env!("CARGO_BIN_EXE_tlslint"))
        .args(args)
        .output()
        .unwrap();
    (
        o.status.code(),
        String::from_utf8_lossy(&o.stdout).into_owned(),
        String::from_utf8_lossy(&o.stderr).into_owned(),
    )
}

#[test]
fn cli_parse_picks_the_apache_reader_and_prints_json() {
    let fx = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/apache");
    // a Debian directory
    let (code, out, err) = tlslint(&[
        "parse",
        fx.join("debian-etc-apache2").to_str().unwrap(),
        "--format",
        "files",
    ]);
    assert_eq!(code, Some(0), "{err}");
    assert_eq!(out.lines().count(), 37);
    assert!(err.contains("note: read as Apache httpd 2.4.71"), "{err}");
    // a RHEL layout by its directory: conf/httpd.conf, server root the directory
    let (code, out, err) = tlslint(&[
        "parse",
        fx.join("certbot-centos7/apache/httpd").to_str().unwrap(),
        "--format",
        "includes",
    ]);
    assert_eq!(code, Some(0), "{err}");
    assert!(
        out.contains("(56) ") && out.contains("conf.modules.d/00-base.conf"),
        "{out}"
    );
    // a fragment whose `</VirtualHost> </IfModule>` share a line: with
    // mod_ssl loaded httpd reads it (the active <IfModule> may end with the
    // file), alone it does not (skipping, httpd only looks at the first word)
    let frag = fx.join("certbot-conf-files/passing/two-blocks-one-line-1693.conf");
    let (code, _, err) = tlslint(&["parse", frag.to_str().unwrap()]);
    assert_eq!(code, Some(2));
    assert!(
        err.contains("1693.conf:1:1: Expected </IfModule> before end of configuration"),
        "{err}"
    );
    // a fragment, by its section tags
    let frag = fx.join("certbot-conf-files/passing/section-empty-continuations-2731.conf");
    let (code, out, err) = tlslint(&["parse", frag.to_str().unwrap(), "--format", "json"]);
    assert_eq!(code, Some(0), "{err}");
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["status"], "ok");
    let parsed = v["config"][0]["parsed"].as_array().unwrap();
    let ifm = parsed
        .iter()
        .find(|s| s["directive"] == "IfModule" && s["args"][0] == "mod_ssl.c")
        .expect("an IfModule mod_ssl.c");
    assert_eq!(ifm["args"], serde_json::json!(["mod_ssl.c"]));
    assert!(ifm.get("active").is_none());
    let vh = ifm["block"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["directive"] == "VirtualHost")
        .expect("a VirtualHost");
    // mod_ssl is not loaded by a fragment alone: the content is inactive
    assert_eq!(vh["active"], false);
    // JSON with includes as indices, macro expansions listed
    let (code, out, err) = tlslint(&[
        "parse",
        fx.join("macros/httpd.conf").to_str().unwrap(),
        "--include-comments",
    ]);
    assert_eq!(code, Some(0), "{err}");
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    let configs = v["config"].as_array().unwrap();
    assert!(configs
        .iter()
        .any(|c| c["file"].as_str().unwrap().starts_with("macro 'vhost'")));
    let uses: Vec<&serde_json::Value> = configs[0]["parsed"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|s| s["directive"] == "Use")
        .collect();
    let idx = uses[0]["includes"][0].as_u64().unwrap() as usize;
    assert!(configs[idx]["file"]
        .as_str()
        .unwrap()
        .starts_with("macro 'vhost'"));
    assert!(configs[0]["parsed"]
        .as_array()
        .unwrap()
        .iter()
        .any(|s| s["directive"] == "#"));
    // errors: exit 2, file:line:col, httpd's words
    let (code, out, err) = tlslint(&[
        "parse",
        fx.join("err-mismatch/httpd.conf").to_str().unwrap(),
    ]);
    assert_eq!(code, Some(2));
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["status"], "failed");
    assert_eq!(v["errors"][0]["line"], 6);
    assert!(
        err.contains("err-mismatch/httpd.conf:6:3: Expected </Directory> but saw </VirtualHost>"),
        "{err}"
    );
    // flags: -D, --apache-version, --server
    let cond = fx.join("conditionals/httpd.conf");
    let (code, out, _) = tlslint(&[
        "parse",
        cond.to_str().unwrap(),
        "--format",
        "files",
        "-D",
        "FROMCLI",
    ]);
    assert_eq!(code, Some(0));
    assert!(out.contains("conf.d/cli.conf"));
    let (_, out, _) = tlslint(&["parse", cond.to_str().unwrap(), "--format", "files"]);
    assert!(!out.contains("conf.d/cli.conf"));
    let (code, _, err) = tlslint(&["parse", cond.to_str().unwrap(), "--apache-version", "2.2.0"]);
    assert_eq!(
        code,
        Some(2),
        "an older httpd reads the <IfVersion < 2.4.0> include: {err}"
    );
    let (code, _, err) = tlslint(&["parse", cond.to_str().unwrap(), "--apache-version", "x"]);
    assert_eq!(code, Some(2));
    assert!(err.contains("--apache-version"));
    let (code, _, err) = tlslint(&["parse", cond.to_str().unwrap(), "--server", "nginx"]);
    assert_eq!(code, Some(2), "read as nginx it is not valid: {err}");
    // vhosts
    let (code, out, _) = tlslint(&[
        "parse",
        fx.join("sections/httpd.conf").to_str().unwrap(),
        "--format",
        "vhosts",
    ]);
    assert_eq!(code, Some(0));
    assert!(out.contains("*:80") && out.contains("b.example"), "{out}");
    // nginx trees are unchanged
    let (code, _, _) = tlslint(&[
        "parse",
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("fixtures/nginx/minimal/nginx.conf")
            .to_str()
            .unwrap(),
        "--format",
        "includes",
    ]);
    assert_eq!(code, Some(2));
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 300, ..ProptestConfig::default() })]

    /// Random bytes never make the reader panic.
    #[test]
    fn random_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..2000)) {
        let mut m = MemFs::new();
        m.insert(PathBuf::from("/e/httpd.conf"), bytes);
        m.insert(PathBuf::from("/e/a.conf"), b"<IfModule x>\n".to_vec());
        let t = loader::load(&m, Path::new("/e/httpd.conf"), &LoadOptions::default());
        let _ = tlslint::apache::json::payload(&t, true);
        let _ = vhosts::list(&t);
        let _ = t.dump_includes();
    }

    /// Mutations of a real configuration (tokens dropped, duplicated,
    /// swapped, cut anywhere) never make it panic.
    #[test]
    fn mutations_never_panic(ops in proptest::collection::vec((0u8..4, 0usize..400, 0usize..400), 0..12)) {
        let base = "Define A \"x y\"\n<IfModule so_module>\n<VirtualHost *:${A}>\n  ServerName a \\\n b\n  <Macro M $x @y>\n  ServerAlias $x @y\n  </Macro>\n  Use M one \"two\"\n  Include a.conf\n  <If \"true\">\n  </If>\n</VirtualHost>\n</IfModule>\n<IfVersion ~ ^2\\.(4|5)>\n# c \\\n</IfVersion>\n";
        let mut toks: Vec<String> = base.split_inclusive(|c: char| c.is_whitespace() || c == '>' || c == '"').map(String::from).collect();
        for (op, i, j) in ops {
            if toks.is_empty() { break; }
            let i = i % toks.len();
            let j = j % toks.len();
            match op {
                0 => { toks.remove(i); }
                1 => { let t = toks[i].clone(); toks.insert(j, t); }
                2 => toks.swap(i, j),
                _ => toks.truncate(i),
            }
        }
        let text = toks.concat();
        let mut m = MemFs::new();
        m.insert(PathBuf::from("/e/httpd.conf"), text.into_bytes());
        m.insert(PathBuf::from("/e/a.conf"), b"Include httpd.conf\n".to_vec());
        let t = loader::load(&m, Path::new("/e/httpd.conf"), &LoadOptions::default());
        let _ = tlslint::apache::json::payload(&t, true);
        let _ = vhosts::list(&t);
    }
}
