//! `tlslint PATH --probe`: probe the sockets a configuration tree names and
//! compare what each answers with what the configuration says (TLS601–606).
//!
//! Every TLS listen socket of every endpoint is probed once per exact server
//! name (as SNI; wildcard and regex names and `_` are skipped) and once
//! without SNI (the socket's default server); each (address, port, SNI) once,
//! on a bounded pool. A wildcard address (`*`, `0.0.0.0`) is reached at
//! `--probe-host` (default 127.0.0.1; `[::]` at `::1` unless --probe-host is
//! given), a specific address at that address.
//!
//! Only loopback addresses, the `--probe-host` and the ranges of
//! `--probe-allow` / `probe_allow:` are connected to ([`Allow`]): the tree
//! may come from a pull request, and its `listen 10.0.0.1:443` must not make
//! a CI runner connect into its network. A socket elsewhere is skipped with
//! a note that says how to allow it.

use std::collections::HashMap;
use std::time::Duration;

use crate::finding::Finding;
use crate::lint::{Checked, LintOptions};
use crate::model::Endpoint;
use crate::rules::probe_facts::Observed;

use super::{modern, pool, probe, Ctx, ProbeOptions, ProbeReport, ProbeTarget, Task};

/// How `--probe` runs.
#[derive(Debug, Clone)]
pub struct ConfigProbe {
    /// Where wildcard listeners are reached (None: 127.0.0.1, and ::1 for `[::]`).
    pub host: Option<String>,
    pub timeout: Duration,
    /// Connections at once, over all probes.
    pub jobs: usize,
    /// Seconds before looking again for a missing OCSP staple (nginx).
    pub staple_wait: Duration,
    /// A client certificate for endpoints that require one (`--probe-client-cert`).
    pub client_identity: Option<std::sync::Arc<rustls::sign::CertifiedKey>>,
    /// Ranges besides loopback and `host` that may be connected to
    /// (`--probe-allow`, `probe_allow:`).
    pub allow: Vec<crate::cidr::Cidr>,
}

/// Where `tlslint PATH --probe` may connect: loopback addresses, the
/// `--probe-host` (named by the user: wildcard listeners are reached there)
/// and the allowed ranges.
#[derive(Debug, Clone, Default)]
pub struct Allow {
    pub host: Option<String>,
    pub ranges: Vec<crate::cidr::Cidr>,
}

impl Allow {
    /// Whether `ip`, an address of `host`, may be connected to.
    pub fn permits(&self, host: &str, ip: std::net::IpAddr) -> bool {
        ip.to_canonical().is_loopback()
            || self
                .host
                .as_deref()
                .is_some_and(|h| h.eq_ignore_ascii_case(host))
            || self.ranges.iter().any(|r| r.contains(ip))
    }

    /// Whether a planned probe of `host` may run: an address must be
    /// permitted, and a name must resolve only to permitted addresses.
    /// Err: why not (the addresses).
    fn check(&self, host: &str) -> Result<(), String> {
        use std::net::ToSocketAddrs;
        if let Ok(ip) = host.parse::<std::net::IpAddr>() {
            return if self.permits(host, ip) {
                Ok(())
            } else {
                Err(ip.to_string())
            };
        }
        if self
            .host
            .as_deref()
            .is_some_and(|h| h.eq_ignore_ascii_case(host))
        {
            return Ok(());
        }
        let ips: Vec<std::net::IpAddr> = (host, 443)
            .to_socket_addrs()
            .map(|a| a.map(|a| a.ip()).collect())
            .unwrap_or_default();
        let refused: Vec<String> = ips
            .iter()
            .filter(|ip| !self.permits(host, **ip))
            .map(|ip| ip.to_string())
            .collect();
        if ips.is_empty() || !refused.is_empty() {
            // a name that does not resolve is left to the probe's own error
            return if ips.is_empty() {
                Ok(())
            } else {
                Err(format!("{host} ({})", refused.join(", ")))
            };
        }
        Ok(())
    }
}

impl Default for ConfigProbe {
    fn default() -> ConfigProbe {
        ConfigProbe {
            host: None,
            timeout: Duration::from_secs(5),
            jobs: 16,
            staple_wait: Duration::from_secs(1),
            client_identity: None,
            allow: Vec::new(),
        }
    }
}

/// One (address, port, SNI) to probe and whose settings apply.
#[derive(Debug, Clone)]
pub struct Job {
    pub host: String,
    pub port: u16,
    pub sni: Option<String>,
    /// The socket as configured.
    pub socket: String,
    /// The endpoint that answers (index into the tree's endpoints).
    pub ep: usize,
    /// The socket's default server.
    pub default_ep: usize,
}

impl Job {
    pub fn target(&self) -> String {
        ProbeTarget {
            host: self.host.clone(),
            port: self.port,
            sni: None,
        }
        .display()
    }
}

/// A name that is sent as SNI: exact names only.
pub use crate::model::exact_server_name as exact_name;

fn address(addr: &str, host: Option<&str>) -> String {
    let a = addr.trim_start_matches('[').trim_end_matches(']');
    match (a, host) {
        ("*" | "0.0.0.0" | "::", Some(h)) => h.to_string(),
        ("*" | "0.0.0.0", None) => "127.0.0.1".to_string(),
        ("::", None) => "::1".to_string(),
        (a, _) => a.to_string(),
    }
}

/// The probes a tree needs.
pub fn plan(endpoints: &[Endpoint], host: Option<&str>) -> Vec<Job> {
    let mut jobs: Vec<Job> = Vec::new();
    let on = |e: &Endpoint, socket: &str| e.listen.iter().any(|l| l.socket() == socket);
    for ep in endpoints {
        for l in &ep.listen {
            let Some(port) = l.port else { continue };
            if !l.ssl || l.quic || l.addr.starts_with("unix:") {
                continue;
            }
            let socket = l.socket();
            let default_ep = endpoints
                .iter()
                .position(|e| e.default_for.contains(&socket))
                .or_else(|| endpoints.iter().position(|e| on(e, &socket)))
                .unwrap_or(0);
            let h = address(&l.addr, host);
            let mut add = |sni: Option<String>, ep: usize| {
                if !jobs
                    .iter()
                    .any(|j| j.host == h && j.port == port && j.sni == sni)
                {
                    jobs.push(Job {
                        host: h.clone(),
                        port,
                        sni,
                        socket: socket.clone(),
                        ep,
                        default_ep,
                    });
                }
            };
            add(None, default_ep);
            for n in ep.server_names.iter().filter(|n| exact_name(n)) {
                let n = n.to_ascii_lowercase();
                // the first server on the socket with the exact name wins
                let owner = endpoints
                    .iter()
                    .position(|e| {
                        on(e, &socket) && e.server_names.iter().any(|x| x.eq_ignore_ascii_case(&n))
                    })
                    .unwrap_or(default_ep);
                add(Some(n), owner);
            }
        }
    }
    jobs
}

/// Stand-in for the probed (socket, SNI) in messages, replaced when
/// findings of several probes are merged (`127.0.0.1:443 with SNI a.test
/// and without SNI accepts ...`).
pub const WIRE: &str = "\u{1}wire\u{1}";

/// Probe the tree's sockets, compare, and add the findings to `c.findings`.
/// Returns notes for the run.
pub fn run(c: &mut Checked, opts: &LintOptions, cp: &ConfigProbe) -> Vec<String> {
    let mut notes = Vec::new();
    if !c.ok() {
        return notes;
    }
    let jobs = plan(&c.endpoints, cp.host.as_deref());
    let allow = Allow {
        host: cp.host.clone(),
        ranges: cp.allow.clone(),
    };
    let planned = !jobs.is_empty();
    let jobs = confine(c, jobs, &allow, &mut notes);
    if planned && jobs.is_empty() {
        return notes;
    }
    if jobs.is_empty() {
        notes.push(format!(
            "{}: --probe: no TLS socket to probe (no endpoint listens on an address and port)",
            c.label
        ));
        return notes;
    }
    let total = cp.jobs.max(1);
    let outer = (total / 8).clamp(1, jobs.len());
    let inner = (total / outer).max(1);
    let popts = ProbeOptions {
        timeout: cp.timeout,
        jobs: inner,
        client_identity: cp.client_identity.clone(),
        progress: false,
        // the chains are checked against the same roots as the files (--ca-file)
        trust: opts.files.trust.clone(),
        allow: Some(allow),
    };
    let tasks: Vec<Task<'_, ProbeReport>> = jobs
        .iter()
        .map(|j| {
            let popts = &popts;
            Box::new(move || {
                probe(
                    &ProbeTarget {
                        host: j.host.clone(),
                        port: j.port,
                        sni: j.sni.clone(),
                    },
                    popts,
                )
            }) as Task<'_, ProbeReport>
        })
        .collect();
    let reports = pool(outer, tasks);
    let retries = staple_retries(c, &jobs, &reports, cp);

    let plain: Vec<crate::model::PlainServer> = Vec::new();
    let plain_index = crate::rules::tls508_http_not_redirected::PlainIndex::new(&plain);
    let cx = crate::rules::Context {
        profile: &opts.profile,
        sources: c.tree.sources(),
        target: &opts.target,
        plain: &plain,
        plain_index: &plain_index,
        endpoints: &c.endpoints,
        files: &c.files,
    };
    // (finding with WIRE in its message, the wire description)
    let mut raw: Vec<(Finding, String)> = Vec::new();
    for ((j, r), retry) in jobs.iter().zip(&reports).zip(&retries) {
        let target = j.target();
        let o = Observed {
            socket: &j.socket,
            target: &target,
            sni: j.sni.as_deref(),
            report: r,
            ep: &c.endpoints[j.ep],
            default_ep: &c.endpoints[j.default_ep],
            label: Some(WIRE),
            staple_retry: *retry,
        };
        let wire = real_wire(&o);
        let mut out = Vec::new();
        compare_all(&cx, &o, &mut out);
        raw.extend(out.into_iter().map(|f| (f, wire.clone())));
    }
    let merged = merge_wires(raw);
    let mut all = std::mem::take(&mut c.findings);
    all.extend(crate::rules::merge(merged));
    all.sort_by(|a, b| {
        (a.span.file, a.span.line, a.span.col, a.code).cmp(&(
            b.span.file,
            b.span.line,
            b.span.col,
            b.code,
        ))
    });
    c.findings = all;
    for (j, r) in jobs.iter().zip(&reports) {
        c.probes.push(serde_json::json!({
            "socket": j.socket,
            "target": j.target(),
            "sni": j.sni,
            "endpoint": c.endpoints[j.ep].label(),
            "report": r,
        }));
    }
    notes.push(format!(
        "{}: --probe: {} probe(s) of {} socket(s), modelled as nginx {} / Apache {} with OpenSSL {} (set --nginx-version, --apache-version and --openssl-version to the running server's, or to auto)",
        c.label,
        jobs.len(),
        {
            let mut s: Vec<&str> = jobs.iter().map(|j| j.socket.as_str()).collect();
            s.sort();
            s.dedup();
            s.len()
        },
        opts.target.nginx,
        opts.target.apache,
        opts.target.openssl
    ));
    notes
}

/// The jobs `allow` permits; a note for each socket skipped, with how to
/// allow it.
fn confine(c: &mut Checked, jobs: Vec<Job>, allow: &Allow, notes: &mut Vec<String>) -> Vec<Job> {
    let mut skipped: Vec<(String, String)> = Vec::new();
    let kept = jobs
        .into_iter()
        .filter(|j| match allow.check(&j.host) {
            Ok(()) => true,
            Err(why) => {
                let key = (j.target(), why);
                if !skipped.contains(&key) {
                    skipped.push(key);
                }
                false
            }
        })
        .collect();
    for (target, why) in skipped {
        if !c.probes_not_allowed.contains(&target) {
            c.probes_not_allowed.push(target.clone());
        }
        let range = match why.parse::<std::net::IpAddr>() {
            Ok(std::net::IpAddr::V6(_)) => format!("{why}/128"),
            Ok(_) => format!("{why}/32"),
            Err(_) => "CIDR".to_string(),
        };
        notes.push(format!(
            "{}: --probe: {target} not probed: {why} is not a loopback address nor the --probe-host (the tree may come from anyone: --probe connects elsewhere only when allowed); to probe it, pass --probe-allow {range} or set `probe_allow: [{range}]` in .tlslint.yaml",
            c.label
        ));
    }
    kept
}

fn real_wire(o: &Observed<'_>) -> String {
    match o.sni {
        Some(n) => format!("{} with SNI {n}", o.target),
        None => format!("{} without SNI", o.target),
    }
}

/// Every probe comparison, in code order.
pub fn compare_all<'a>(cx: &crate::rules::Context<'a>, o: &Observed<'a>, out: &mut Vec<Finding>) {
    crate::rules::tls601_probe_protocols_differ::compare(cx, o, out);
    crate::rules::tls602_probe_ciphers_differ::compare(cx, o, out);
    crate::rules::tls603_probe_certificate_differs::compare(cx, o, out);
    crate::rules::tls604_probe_handshake_failed::compare(cx, o, out);
    crate::rules::tls605_probe_groups_differ::compare(cx, o, out);
    crate::rules::tls606_probe_headers_differ::compare(cx, o, out);
}

/// Findings that differ only in the probe they come from become one, with
/// the probes listed: `127.0.0.1:443 with SNI a.test and without SNI ...`.
fn merge_wires(raw: Vec<(Finding, String)>) -> Vec<Finding> {
    let mut order: Vec<(Finding, Vec<String>)> = Vec::new();
    let mut index: HashMap<(&'static str, crate::source::Span, String), usize> = HashMap::new();
    for (f, w) in raw {
        let k = (f.code, f.span, f.message.clone());
        match index.get(&k) {
            Some(&i) => {
                if !order[i].1.contains(&w) {
                    order[i].1.push(w);
                }
                for e in f.endpoints {
                    if !order[i].0.endpoints.contains(&e) {
                        order[i].0.endpoints.push(e);
                    }
                }
            }
            None => {
                index.insert(k, order.len());
                order.push((f, vec![w]));
            }
        }
    }
    order
        .into_iter()
        .map(|(mut f, wires)| {
            f.message = f.message.replace(WIRE, &join_wires(&wires));
            f
        })
        .collect()
}

/// `A:1 with SNI x, with SNI y and without SNI` (same target shortened).
fn join_wires(wires: &[String]) -> String {
    let mut parts: Vec<String> = Vec::new();
    let mut last_target = "";
    for w in wires {
        let (t, rest) = match w.find(" with") {
            Some(i) => w.split_at(i),
            None => (w.as_str(), ""),
        };
        if t == last_target {
            parts.push(rest.trim_start().to_string());
        } else {
            parts.push(w.clone());
            last_target = t;
        }
    }
    match parts.len() {
        0 => String::new(),
        1 => parts.remove(0),
        n => format!("{} and {}", parts[..n - 1].join(", "), parts[n - 1]),
    }
}

/// nginx fetches OCSP responses lazily: where the configuration expects a
/// staple and the probe saw none, look again once, a moment later.
fn staple_retries(
    c: &Checked,
    jobs: &[Job],
    reports: &[ProbeReport],
    cp: &ConfigProbe,
) -> Vec<Option<bool>> {
    let wanted: Vec<bool> = jobs
        .iter()
        .zip(reports)
        .map(|(j, r)| {
            let ep = &c.endpoints[j.ep];
            ep.server == crate::model::ServerKind::Nginx
                && ep.stapling.value
                && r.ocsp_stapled == Some(false)
                && crate::rules::probe_facts::can_staple(&c.files, ep)
        })
        .collect();
    if !wanted.iter().any(|w| *w) {
        return vec![None; jobs.len()];
    }
    std::thread::sleep(cp.staple_wait);
    jobs.iter()
        .zip(reports)
        .zip(&wanted)
        .map(|((j, r), w)| {
            if !*w {
                return None;
            }
            let addr = r.address.as_deref()?.parse().ok()?;
            let ctx = Ctx::new(addr, j.sni.clone(), cp.timeout);
            let f = modern::handshake(
                &ctx,
                &modern::FullOptions {
                    sni: j.sni.as_deref(),
                    alpn: &[],
                    http_host: None,
                    sigalgs: None,
                },
            );
            Some(f.ocsp_len > 0)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exact_names_only() {
        for n in ["a.test", "www.example.org", "localhost"] {
            assert!(exact_name(n), "{n}");
        }
        for n in [
            "",
            "_",
            "*.example.org",
            ".example.org",
            "~^www\\d+",
            "www.*",
        ] {
            assert!(!exact_name(n), "{n}");
        }
    }

    #[test]
    fn wildcard_addresses_go_to_the_probe_host() {
        assert_eq!(address("*", None), "127.0.0.1");
        assert_eq!(address("0.0.0.0", None), "127.0.0.1");
        assert_eq!(address("[::]", None), "::1");
        assert_eq!(address("[::]", Some("10.0.0.1")), "10.0.0.1");
        assert_eq!(address("192.0.2.1", Some("10.0.0.1")), "192.0.2.1");
        assert_eq!(address("[::1]", None), "::1");
    }

    #[test]
    fn wires_are_joined() {
        let w = |s: &str| s.to_string();
        assert_eq!(
            join_wires(&[w("127.0.0.1:1 with SNI a"), w("127.0.0.1:1 without SNI")]),
            "127.0.0.1:1 with SNI a and without SNI"
        );
        assert_eq!(
            join_wires(&[w("127.0.0.1:1 with SNI a"), w("127.0.0.1:2 without SNI")]),
            "127.0.0.1:1 with SNI a and 127.0.0.1:2 without SNI"
        );
    }
}

#[cfg(test)]
mod allow_tests {
    use super::*;

    #[test]
    fn only_loopback_the_probe_host_and_allowed_ranges() {
        let none = Allow::default();
        assert!(none.check("127.0.0.1").is_ok());
        assert!(none.check("127.3.4.5").is_ok());
        assert!(none.check("::1").is_ok());
        assert!(none.check("::ffff:127.0.0.1").is_ok());
        assert_eq!(none.check("10.0.0.1"), Err("10.0.0.1".into()));
        assert_eq!(none.check("2001:db8::1"), Err("2001:db8::1".into()));
        let a = Allow {
            host: Some("192.0.2.10".into()),
            ranges: vec![crate::cidr::Cidr::parse("10.0.0.0/8").unwrap()],
        };
        assert!(a.check("192.0.2.10").is_ok());
        assert!(a.check("10.9.8.7").is_ok());
        assert!(a.check("192.0.2.11").is_err());
        // a name given as --probe-host is allowed whatever it resolves to
        let h = Allow {
            host: Some("server.internal".into()),
            ranges: vec![],
        };
        assert!(h.check("server.internal").is_ok());
        assert!(h.permits("server.internal", "198.51.100.1".parse().unwrap()));
        assert!(!h.permits("other.internal", "198.51.100.1".parse().unwrap()));
        // localhost resolves to loopback only
        assert!(none.check("localhost").is_ok());
    }
}
