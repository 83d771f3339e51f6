//! The subcommands, writing to the given streams and returning exit codes.

use std::io::Write;

use crate::cli::{CheckArgs, CiphersArgs, ParseArgs, ParseFormat};
use crate::input;
use crate::nginx::crossplane;
use crate::printable::escaped;

/// Exit code: nothing found.
pub const EXIT_OK: i32 = 0;
/// Exit code: findings at or above the threshold.
pub const EXIT_FINDINGS: i32 = 1;
/// Exit code: unreadable input or bad usage.
pub const EXIT_ERROR: i32 = 2;

fn fail(err: &mut dyn Write, e: &crate::error::Error) -> i32 {
    let _ = writeln!(err, "error: {e}");
    EXIT_ERROR
}

/// `tlslint parse ROOT --format crossplane`
pub fn parse(a: &ParseArgs, out: &mut dyn Write, err: &mut dyn Write) -> i32 {
    match input::apache_root(&a.root, a.server) {
        Ok(Some(r)) => return parse_apache(a, &r, out, err),
        Ok(None) => {}
        Err(e) => return fail(err, &e),
    }
    if matches!(a.format, ParseFormat::Includes | ParseFormat::Vhosts) {
        return fail(
            err,
            &crate::error::Error::new("--format includes and vhosts are for Apache trees"),
        );
    }
    let root = match input::single_root(&a.root) {
        Ok(r) => r,
        Err(e) => return fail(err, &e),
    };
    let map = root.path_map(Vec::new());
    let Some(tree) = root.load_nginx(a.prefix.as_deref(), &map) else {
        return fail(
            err,
            &crate::error::Error::new("not an nginx configuration root"),
        );
    };
    if a.format == ParseFormat::Files {
        for p in tree.read_order() {
            let _ = writeln!(out, "{}", escaped(&p.display().to_string()));
        }
        let code = report_load_errors(&tree, &map, err);
        std::mem::forget(tree);
        return code;
    }
    if a.format == ParseFormat::Endpoints {
        let mut w = std::io::BufWriter::new(out);
        if tree.errors.is_empty() {
            let target = crate::nginx::defaults::Target::default();
            let eps = crate::nginx::resolve::endpoints(&tree, &target);
            write_endpoint_lines(&mut w, &eps, &tree.sources);
        }
        let _ = w.flush();
        drop(w);
        let code = report_load_errors(&tree, &map, err);
        std::mem::forget(tree);
        return code;
    }
    let payload = crossplane::payload(&tree, a.include_comments);
    {
        let mut w = crate::printable::JsonSafe::new(std::io::BufWriter::new(&mut *out));
        let written = if a.pretty {
            serde_json::to_writer_pretty(&mut w, &payload)
        } else {
            serde_json::to_writer(&mut w, &payload)
        };
        if let Err(e) = written {
            return fail(err, &crate::error::Error::new(e.to_string()));
        }
        let _ = writeln!(w);
        let _ = w.flush();
    }
    std::mem::forget(payload);
    let code = report_load_errors(&tree, &map, err);
    std::mem::forget(tree);
    code
}

/// `tlslint parse` of an Apache tree: read it as httpd does, print it in
/// the chosen format; notes (what was assumed), warnings (as httpd logs
/// them) and errors go to stderr.
fn parse_apache(
    a: &ParseArgs,
    root: &input::ApacheRoot,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> i32 {
    use crate::apache::{json, loader, vhosts};
    let version = match a.apache_version.as_deref().map(str::parse) {
        None => None,
        Some(Ok(v)) => Some(v),
        Some(Err(e)) => {
            return fail(
                err,
                &crate::error::Error::new(format!("--apache-version: {e}")),
            )
        }
    };
    let opts = loader::LoadOptions {
        server_root: a.server_root.clone().or_else(|| a.prefix.clone()),
        default_root: root.server_root.clone(),
        defines: a.defines.clone(),
        version,
        envvars: loader::Envvars::Auto,
    };
    let map = crate::paths::PathMap::apache(&root.main, root.server_root.as_deref(), Vec::new());
    if let Some(r) = &opts.server_root {
        map.allow(r);
    }
    let tree = loader::load(&crate::paths::MappedFs { map: &map }, &root.main, &opts);
    match a.format {
        ParseFormat::Files => {
            for p in tree.read_order() {
                let _ = writeln!(out, "{}", escaped(&p.display().to_string()));
            }
        }
        ParseFormat::Includes => {
            let _ = write!(out, "{}", tree.dump_includes());
        }
        ParseFormat::Vhosts => {
            let _ = write!(out, "{}", vhosts::render(&vhosts::list(&tree)));
        }
        ParseFormat::Endpoints => {
            if tree.errors.is_empty() {
                let target = crate::nginx::defaults::Target {
                    apache: tree.env.version,
                    ..Default::default()
                };
                let (eps, _) = crate::apache::resolve::resolve(&tree, &target);
                write_endpoint_lines(out, &eps, &tree.sources);
            }
        }
        ParseFormat::Crossplane | ParseFormat::Json => {
            let payload = json::payload(&tree, a.include_comments);
            let text = crate::printable::to_json(&payload, a.pretty);
            match text {
                Ok(t) => {
                    let _ = writeln!(out, "{t}");
                }
                Err(e) => return fail(err, &crate::error::Error::new(e.to_string())),
            }
        }
    }
    for n in tree.notes.iter().chain(&map.notes()) {
        let _ = writeln!(err, "note: {}", escaped(n));
    }
    for w in &tree.warnings {
        let _ = writeln!(
            err,
            "warning: {}:{}: {}",
            escaped(&w.path.display().to_string()),
            w.line,
            escaped(&w.message)
        );
    }
    if tree.errors.is_empty() {
        return EXIT_OK;
    }
    for e in &tree.errors {
        let _ = writeln!(err, "error: {}", e.to_error());
    }
    EXIT_ERROR
}

/// One line per endpoint: where, sockets, names, effective protocols and
/// ciphers with where they come from.
fn write_endpoint_lines(
    w: &mut dyn Write,
    eps: &[crate::model::Endpoint],
    sources: &crate::source::SourceMap,
) {
    for e in eps {
        let span = e.span;
        let sockets: Vec<String> = e.listen.iter().map(|l| l.socket()).collect();
        let path = |f| escaped(&sources.path(f).display().to_string());
        let from = |s: &crate::model::Source| {
            let sp = s.span();
            format!("{}:{}", path(sp.file), sp.line)
        };
        let p = e.effective_protocols();
        // fields from the configuration escaped: a tab or a newline in a
        // quoted server name neither adds a column nor starts a line
        let _ = writeln!(
            w,
            "{}:{}\t{}\t{}\tprotocols {} ({} {})\tciphers {} ({} {})",
            path(span.file),
            span.line,
            escaped(&sockets.join(",")),
            escaped(&e.server_names.join(",")),
            escaped(&p.value.join(" ")),
            p.source.kind(),
            from(&p.source),
            escaped(&e.ciphers.value),
            e.ciphers.source.kind(),
            from(&e.ciphers.source)
        );
    }
}

fn report_load_errors(
    tree: &crate::nginx::loader::Tree,
    map: &crate::paths::PathMap,
    err: &mut dyn Write,
) -> i32 {
    for n in map.notes() {
        let _ = writeln!(err, "note: {}", escaped(&n));
    }
    if tree.errors.is_empty() {
        return EXIT_OK;
    }
    for e in &tree.errors {
        let _ = writeln!(err, "error: {}", e.to_error());
    }
    EXIT_ERROR
}

/// `tlslint ciphers STRING`
pub fn ciphers(a: &CiphersArgs, out: &mut dyn Write, err: &mut dyn Write) -> i32 {
    crate::openssl::command::run(
        &a.string,
        a.verbose,
        a.profile.as_deref(),
        &a.openssl_version,
        out,
        err,
    )
}

/// `tlslint probe HOST[:PORT]` (the work is in `crate::probe`)
#[cfg(feature = "probe")]
pub fn probe(a: &crate::probe::ProbeArgs, out: &mut dyn Write, err: &mut dyn Write) -> i32 {
    crate::probe::command(a, out, err)
}

/// Which settings file governs each path: `--config`, none with
/// `--no-config`, else the one found upward from the path. Paths that share
/// a settings file are linted together, in the order given.
/// The paths one settings file (or none) governs.
type Group = (Option<crate::config::Config>, Vec<std::path::PathBuf>);

fn groups(a: &CheckArgs, notes: &mut Vec<String>) -> Result<Vec<Group>, crate::error::Error> {
    if a.no_config {
        return Ok(vec![(None, a.paths.clone())]);
    }
    if let Some(c) = &a.config {
        return Ok(vec![(Some(crate::config::load(c)?), a.paths.clone())]);
    }
    let mut out: Vec<(Option<std::path::PathBuf>, Vec<std::path::PathBuf>)> = Vec::new();
    for p in &a.paths {
        let c = crate::config::discover(p, notes);
        match out.iter_mut().find(|(k, _)| *k == c) {
            Some((_, v)) => v.push(p.clone()),
            None => out.push((c, vec![p.clone()])),
        }
    }
    out.into_iter()
        .map(|(c, paths)| {
            let cfg = match c {
                Some(f) => Some(crate::config::load(&f)?),
                None => None,
            };
            Ok((cfg, paths))
        })
        .collect()
}

/// `tlslint check PATH...`: settings → roots → lint → settings, suppressions
/// and baseline (`crate::post`) → report → exit code.
pub fn check(a: &CheckArgs, out: &mut dyn Write, err: &mut dyn Write) -> i32 {
    use crate::cli::OutputFormat;
    use std::io::IsTerminal;

    if a.paths.is_empty() {
        let _ = writeln!(
            err,
            "error: no PATH given (try `tlslint /etc/nginx` or `tlslint --help`)"
        );
        return EXIT_ERROR;
    }
    if a.verbose {
        crate::rules::cipher_facts::FULL_LISTS.store(true, std::sync::atomic::Ordering::Relaxed);
    }
    // notes for the user (what was assumed, what was not read)
    let mut notes = Vec::new();
    let groups = match groups(a, &mut notes) {
        Ok(g) => g,
        Err(e) => return fail(err, &e),
    };
    #[cfg(feature = "probe")]
    let config_probe = match probe_settings(&a.probe) {
        Ok(p) => p,
        Err(e) => return fail(err, &e),
    };
    #[cfg(not(feature = "probe"))]
    if a.probe.probe {
        return fail(
            err,
            &crate::error::Error::new("--probe: this tlslint is built without the probe feature"),
        );
    }
    // directories that could not be searched for trees: reported, exit 2
    let mut discovery_errors: Vec<String> = Vec::new();
    let mut all_settings = Vec::new();
    let mut checked = Vec::new();
    let mut tree_group = Vec::new();
    let mut first: Option<crate::profile::Profile> = None;
    let mut versions = Vec::new();
    // the installed nginx / httpd, run at most once each
    let detector = crate::detect::Detector::from_env();
    let mut linted = std::collections::HashSet::new();
    for (gi, (cfg, paths)) in groups.iter().enumerate() {
        let settings = match crate::config::settings(cfg.as_ref(), a) {
            Ok(s) => s,
            Err(e) => return fail(err, &e),
        };
        // certificate flags over the settings file's root / now / expiry_warn_days / ca_file
        let files = match crate::certs::FileOptions::from_args_and_config(&a.files, cfg.as_ref()) {
            Ok(f) => f,
            Err(e) => return fail(err, &e),
        };
        let loaded = match &settings.profile_file {
            Some(f) => crate::profile::Profile::from_file(
                f,
                &settings.profile,
                settings.guidelines.as_deref(),
            ),
            None => {
                crate::profile::Profile::builtin(&settings.profile, settings.guidelines.as_deref())
            }
        };
        let (profile, note) = match loaded {
            Ok(p) => p,
            Err(e) => return fail(err, &e),
        };
        if let Some(n) = note {
            if !notes.contains(&n) {
                notes.push(n);
            }
        }
        let how = crate::roots::Discovery {
            changed: a.changed,
            roots: files.roots.clone(),
        };
        let roots =
            match crate::roots::discover_with(paths, &mut notes, &mut discovery_errors, &how) {
                Ok(r) => r,
                Err(e) => return fail(err, &e),
            };
        let mut opts = crate::lint::LintOptions {
            target: Default::default(),
            profile,
            prefix: a.target.prefix.clone(),
            files: files.clone(),
            apache: crate::input::ApacheOptions {
                server_root: a.target.server_root.clone(),
                defines: a.target.defines.clone(),
                version: None,
            },
        };
        for r in &roots {
            if let crate::input::Root::File(p)
            | crate::input::Root::Apache(crate::input::ApacheRoot { main: p, .. }) = r
            {
                // a tree that two settings files' paths both lead to is linted once
                if !linted.insert(std::fs::canonicalize(p).unwrap_or_else(|_| p.clone())) {
                    continue;
                }
                if settings.exclude.excludes(p) {
                    notes.push(format!(
                        "{} is excluded by {}",
                        p.display(),
                        settings
                            .config
                            .as_deref()
                            .map(|c| c.display().to_string())
                            .unwrap_or_default()
                    ));
                    continue;
                }
            }
            let map = r.path_map(opts.files.roots.clone());
            let (tree, v) = load_with_versions(
                r,
                &map,
                &settings.versions,
                &detector,
                &mut opts,
                &mut notes,
            );
            #[allow(unused_mut)]
            let mut c = crate::lint::lint_loaded(r, tree, &map, &opts);
            #[cfg(feature = "probe")]
            if let Some(cp) = &config_probe {
                // the flags' ranges and this tree's settings file's
                let mut cp = cp.clone();
                if let Some(cfg) = cfg {
                    cp.allow.extend(cfg.probe_allow.iter().copied());
                }
                let probe_notes = crate::probe::against::run(&mut c, &opts, &cp);
                c.notes.extend(probe_notes);
            }
            for n in &c.notes {
                if !notes.contains(n) {
                    notes.push(n.clone());
                }
            }
            checked.push(c);
            versions.push(v);
            tree_group.push(gi);
        }
        match &first {
            None => first = Some(opts.profile),
            Some(p0) if p0.title() != opts.profile.title() && !roots.is_empty() => {
                notes.push(format!(
                    "the trees of {} are checked against profile {}",
                    paths
                        .iter()
                        .map(|p| p.display().to_string())
                        .collect::<Vec<_>>()
                        .join(", "),
                    opts.profile.title()
                ));
            }
            Some(_) => {}
        }
        all_settings.push(settings);
    }
    let mut baseline = match &a.baseline {
        Some(f) => match crate::baseline::Baseline::load(f) {
            Ok((b, note)) => {
                notes.extend(note);
                Some(b)
            }
            Err(e) => return fail(err, &e),
        },
        None => None,
    };
    let per_tree: Vec<&crate::config::Settings> =
        tree_group.iter().map(|&g| &all_settings[g]).collect();
    let mut posts = crate::post::run(&mut checked, &per_tree, baseline.as_mut());
    if let Some(path) = &a.write_baseline {
        if checked.iter().any(|c| !c.ok()) {
            // a baseline without the findings of an unreadable tree would let them in later
            for c in &checked {
                for e in &c.tree.errors() {
                    let _ = writeln!(err, "error: {}", e.to_error());
                }
            }
            let _ = writeln!(
                err,
                "error: not writing the baseline {}: a tree could not be read",
                path.display()
            );
            return EXIT_ERROR;
        }
        let rows: Vec<(&str, &crate::finding::Finding, &str, &std::path::Path)> = checked
            .iter()
            .zip(&posts)
            .flat_map(|(c, p)| {
                c.findings.iter().zip(&p.fingerprints).map(move |(f, fp)| {
                    (
                        c.label.as_str(),
                        f,
                        fp.as_str(),
                        c.tree.sources().path(f.span.file),
                    )
                })
            })
            .collect();
        match crate::baseline::write(path, &rows) {
            Ok(n) => notes.push(format!(
                "wrote {n} finding(s) to the baseline {}",
                path.display()
            )),
            Err(e) => return fail(err, &e),
        }
        for (c, p) in checked.iter_mut().zip(posts.iter_mut()) {
            p.baselined.append(&mut c.findings);
            p.baselined_fingerprints.append(&mut p.fingerprints);
        }
    }
    let profile = first.unwrap_or_else(|| {
        crate::profile::Profile::builtin("intermediate", None)
            .map(|(p, _)| p)
            .expect("the bundled intermediate profile")
    });
    let report = crate::lint::Report {
        checked,
        notes,
        profile,
        target: versions.first().cloned().unwrap_or_default().target(),
        versions,
        post: posts,
    };
    let color = a.format == OutputFormat::Human
        && std::io::stdout().is_terminal()
        && std::env::var_os("NO_COLOR").is_none();
    match a.format {
        OutputFormat::Human => crate::report::human::emit(
            &report,
            crate::report::human::Style {
                color,
                width: crate::report::human::width(),
                quiet: a.quiet,
            },
            out,
            err,
        ),
        OutputFormat::Concise => crate::report::human::emit_concise(&report, a.quiet, out, err),
        OutputFormat::Json => crate::report::json::emit(&report, out),
        OutputFormat::Sarif => {
            for n in &report.notes {
                let _ = writeln!(err, "note: {}", escaped(n));
            }
            crate::report::sarif::emit(&report, out)
        }
        OutputFormat::Github => crate::report::github::emit(&report, out, err),
    }
    let mut code = exit_code(&report);
    if !discovery_errors.is_empty() {
        for e in &discovery_errors {
            let _ = writeln!(err, "error: {e}");
        }
        code = EXIT_ERROR;
    }
    // the process ends now: freeing every tree, one allocation at a time,
    // would only cost time
    std::mem::forget(report);
    code
}

/// Choose the versions root `r` is checked with (`auto`: the installed
/// server's, see `crate::detect`), set them in `opts`, and load the tree.
fn load_with_versions(
    r: &crate::input::Root,
    map: &crate::paths::PathMap,
    specs: &crate::detect::Specs,
    detector: &crate::detect::Detector,
    opts: &mut crate::lint::LintOptions,
    notes: &mut Vec<String>,
) -> (crate::lint::Loaded, crate::detect::Versions) {
    use crate::input::Root;
    let (server, main) = match r {
        Root::File(p) => (crate::model::ServerKind::Nginx, Some(p)),
        Root::Dump { .. } => (crate::model::ServerKind::Nginx, None),
        Root::Apache(a) => (crate::model::ServerKind::Apache, Some(&a.main)),
    };
    let main = main.map(|p| std::path::absolute(p).unwrap_or_else(|_| p.clone()));
    let mut found = Vec::new();
    let (mut v, apache_ssl) =
        crate::detect::choose(specs, server, main.as_deref(), detector, &mut found);
    opts.target = v.target();
    opts.apache.version = Some(v.apache.version);
    let tree = r.load_with(opts.prefix.as_deref(), &opts.apache, map);
    if let (true, crate::lint::Loaded::Apache(t)) = (apache_ssl, &tree) {
        let module = t.env.module("ssl_module").and_then(|m| m.file.as_deref());
        crate::detect::apache_openssl(
            specs,
            &mut v,
            module,
            &t.server_root,
            main.as_deref().and_then(std::path::Path::parent),
            detector,
            &mut found,
        );
        opts.target = v.target();
    }
    for n in found {
        if !notes.contains(&n) {
            notes.push(n);
        }
    }
    (tree, v)
}

/// `--probe` and its flags, checked.
#[cfg(feature = "probe")]
fn probe_settings(
    f: &crate::cli::ProbeFlags,
) -> Result<Option<crate::probe::against::ConfigProbe>, crate::error::Error> {
    if !f.probe {
        return Ok(None);
    }
    let mut cp = crate::probe::against::ConfigProbe::default();
    if let Some(t) = f.probe_timeout {
        if !(t.is_finite() && t > 0.0 && t <= 3600.0) {
            return Err(crate::error::Error::new(
                "--probe-timeout must be between 0 and 3600 seconds",
            ));
        }
        cp.timeout = std::time::Duration::from_secs_f64(t);
    }
    if let Some(j) = f.probe_jobs {
        cp.jobs = j.clamp(1, 256);
    }
    if let (Some(c), Some(k)) = (&f.probe_client_cert, &f.probe_client_key) {
        cp.client_identity = Some(
            crate::probe::modern::load_client_identity(c, k)
                .map_err(|e| crate::error::Error::new(format!("--probe-client-cert: {e}")))?,
        );
    }
    if let Some(h) = &f.probe_host {
        let h = h.trim().trim_start_matches('[').trim_end_matches(']');
        if h.is_empty() || h.contains(['/', ' ']) {
            return Err(crate::error::Error::new(format!(
                "--probe-host: {h:?} is not an address or host name"
            )));
        }
        cp.host = Some(h.to_string());
    }
    for c in &f.probe_allow {
        cp.allow.push(
            crate::cidr::Cidr::parse(c)
                .map_err(|e| crate::error::Error::new(format!("--probe-allow: {e}")))?,
        );
    }
    Ok(Some(cp))
}

/// 2 if a tree could not be read; 1 if a finding is at or above its tree's
/// `fail_on`; else 0.
pub fn exit_code(report: &crate::lint::Report) -> i32 {
    if report.load_failed() {
        return EXIT_ERROR;
    }
    let fails = report.checked.iter().enumerate().any(|(i, c)| {
        let on = report
            .post
            .get(i)
            .map(|p| p.fail_on)
            .unwrap_or(crate::config::FailOn::Warning);
        c.findings.iter().any(|f| on.fails(f.severity))
    });
    if fails {
        EXIT_FINDINGS
    } else {
        EXIT_OK
    }
}
