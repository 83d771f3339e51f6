//! `tlslint probe HOST[:PORT]`: what a live server accepts, seen from the wire.
//!
//! - [`legacy`] (hand-built ClientHellos over [`wire`]): protocol versions,
//!   suites per version and the server's order, groups, DH prime size, and the
//!   TLS 1.2-and-below flight (certificates, CertificateRequest, tickets).
//! - [`modern`] (rustls + ring): complete handshakes for the chain with and
//!   without SNI, the OCSP staple, ALPN, TLS 1.3 tickets and the HSTS header.
//! - [`cert`]: the chains as facts (x509 via `crate::certs`).
//!
//! Connections run on a bounded pool of plain threads (`--jobs`), each with a
//! connect timeout and a deadline for its reads (`--timeout`); every read is
//! bounded (see [`wire`]). [`probe`] never fails: what could not be learnt is
//! in the report (`error`, `notes`), so `tlslint PATH --probe` can reuse it.

pub mod against;
pub mod cert;
mod interrupt;
pub mod legacy;
pub mod modern;
pub mod text;
pub mod verdict;
pub mod wire;

use std::collections::{BTreeMap, VecDeque};
use std::io::Write;
use std::net::{IpAddr, SocketAddr, ToSocketAddrs};
use std::path::PathBuf;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use serde::Serialize;

use wire::version;

// ------------------------------------------------------------------ target

/// What to probe: a host (name or address), a port, and the SNI to send.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProbeTarget {
    pub host: String,
    pub port: u16,
    /// The server name sent; None sends none (the default for an IP address).
    pub sni: Option<String>,
}

impl ProbeTarget {
    /// `HOST`, `HOST:PORT`, `[IPv6]`, `[IPv6]:PORT` or a bare IPv6 address;
    /// port 443 by default. The SNI is the host when it is a name.
    pub fn parse(s: &str, sni: Option<&str>) -> Result<ProbeTarget, String> {
        let s = s.trim();
        let bad_port = |p: &str| format!("{s:?}: bad port {p:?}");
        let (host, port) = if let Some(rest) = s.strip_prefix('[') {
            let (h, after) = rest
                .split_once(']')
                .ok_or_else(|| format!("{s:?}: missing `]`"))?;
            let port = match after {
                "" => 443,
                p => p
                    .strip_prefix(':')
                    .and_then(|p| p.parse().ok())
                    .ok_or_else(|| bad_port(after))?,
            };
            if h.parse::<std::net::Ipv6Addr>().is_err() {
                return Err(format!("{s:?}: {h:?} is not an IPv6 address"));
            }
            (h.to_string(), port)
        } else if s.parse::<std::net::Ipv6Addr>().is_ok() {
            (s.to_string(), 443)
        } else {
            match s.rsplit_once(':') {
                Some((h, p)) => (h.to_string(), p.parse().map_err(|_| bad_port(p))?),
                None => (s.to_string(), 443),
            }
        };
        if host.is_empty() {
            return Err(format!("{s:?}: no host"));
        }
        if port == 0 {
            return Err(format!("{s:?}: port 0"));
        }
        if host.chars().any(|c| c.is_whitespace() || c == '/') {
            return Err(format!("{s:?}: not a host name"));
        }
        let sni = match sni {
            Some("") => None,
            Some(n) => Some(n.to_string()),
            None if host.parse::<IpAddr>().is_ok() => None,
            None => Some(host.trim_end_matches('.').to_string()),
        };
        Ok(ProbeTarget { host, port, sni })
    }

    /// `host:port`, `[v6]:port`.
    pub fn display(&self) -> String {
        if self.host.contains(':') {
            format!("[{}]:{}", self.host, self.port)
        } else {
            format!("{}:{}", self.host, self.port)
        }
    }
}

/// How to probe.
#[derive(Clone)]
pub struct ProbeOptions {
    /// Connect timeout, and the deadline for each connection's reads.
    pub timeout: Duration,
    /// Connections at once.
    pub jobs: usize,
    /// Presented when a server asks for a client certificate.
    pub client_identity: Option<Arc<rustls::sign::CertifiedKey>>,
    /// Show a progress bar (on a terminal only: the caller decides).
    pub progress: bool,
    /// The roots the served chains are checked against (`--ca-file`);
    /// None: Mozilla's (webpki-roots).
    pub trust: Option<Arc<crate::certs::TrustStore>>,
    /// Only these addresses may be connected to (`tlslint PATH --probe`);
    /// None: any (`tlslint probe HOST`: the user named the target).
    pub allow: Option<against::Allow>,
}

impl Default for ProbeOptions {
    fn default() -> ProbeOptions {
        ProbeOptions {
            timeout: Duration::from_secs(5),
            jobs: 16,
            client_identity: None,
            progress: false,
            trust: None,
            allow: None,
        }
    }
}

// ------------------------------------------------------------------ report

/// One protocol version.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct VersionReport {
    pub accepted: bool,
    /// IANA names; in the server's order when it imposes one (`server_order`),
    /// else by code point.
    pub ciphers: Vec<String>,
    /// The server picks by its own order (None: fewer than two suites, or unknown).
    pub server_order: Option<bool>,
    /// Why the first ClientHello of this version got no ServerHello.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub refused: Option<String>,
    /// Why `ciphers` may lack suites the server accepts: the enumeration
    /// ended on something else than the server's refusal (a connection lost
    /// twice, a timeout, an unexpected answer).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub incomplete: Option<String>,
}

/// The chains served.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Chains {
    /// With the SNI (None: no SNI to send, or no handshake got a certificate).
    pub with_sni: Option<cert::ChainInfo>,
    pub without_sni: Option<cert::ChainInfo>,
    /// Every distinct chain served for the probe's SNI (none: without SNI),
    /// one per key type of the leaf: a server with several certificates
    /// (RSA and ECDSA) sends each to clients that can verify only its
    /// signatures. Asked with every signature algorithm (`any`, the chain
    /// above) and with only RSA, only ECDSA, only Ed25519 ones.
    pub by_key_type: Vec<cert::KeyedChain>,
    /// The signature algorithm families (`RSA`, `ECDSA`, `Ed25519`) that
    /// got no certificate, and why (the handshake failed).
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub not_served: BTreeMap<String, String>,
}

impl Chains {
    /// The chain served for the probe's SNI (or without SNI when it sends none).
    pub fn main(&self, sni: bool) -> Option<&cert::ChainInfo> {
        if sni {
            self.with_sni.as_ref()
        } else {
            self.without_sni.as_ref()
        }
    }

    /// The chain served for a key type (`RSA`, `ECDSA`, `Ed25519`).
    pub fn for_key_type(&self, key_type: &str) -> Option<&cert::KeyedChain> {
        self.by_key_type.iter().find(|k| k.key_type == key_type)
    }
}

/// Session resumption by ticket.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Tickets {
    /// TLS 1.2: the server answered the session_ticket extension.
    pub tls1_2: Option<bool>,
    /// TLS 1.3: the server sent NewSessionTicket.
    pub tls1_3: Option<bool>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Timings {
    pub total_ms: u64,
    pub versions_ms: u64,
    pub ciphers_ms: u64,
    pub extras_ms: u64,
    pub connections: usize,
}

/// Everything one probe learnt.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct ProbeReport {
    /// `host:port` as asked.
    pub target: String,
    /// The address connected to.
    pub address: Option<String>,
    pub sni: Option<String>,
    /// A TCP connection could be made.
    pub reachable: bool,
    /// The server answered in TLS (a ServerHello or an alert).
    pub speaks_tls: bool,
    /// Why nothing could be learnt (unreachable, not TLS).
    pub error: Option<String>,
    /// SSLv3, TLSv1, TLSv1.1, TLSv1.2, TLSv1.3.
    pub versions: BTreeMap<String, VersionReport>,
    /// Groups the server takes (OpenSSL's names), in code point order.
    pub groups: Vec<String>,
    /// How groups were tested.
    pub groups_method: Option<String>,
    /// The groups are exactly the default list of these OpenSSL versions
    /// (`OpenSSL 3.0 to 3.4`), as far as the method sees groups: what nginx's
    /// `ssl_ecdh_curve auto` (its default) and httpd without
    /// `SSLOpenSSLConfCmd Curves` take.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub groups_default: Option<String>,
    /// Size of the DH prime of the DHE suites (the smallest, when it depends on the suite).
    pub dh_bits: Option<u32>,
    pub certificate_chain: Chains,
    pub ocsp_stapled: Option<bool>,
    /// Protocols negotiated by ALPN (of h2 and http/1.1); None when no
    /// handshake completed to tell.
    pub alpn: Option<Vec<String>>,
    pub session_tickets: Tickets,
    /// The Strict-Transport-Security header of `GET /`.
    pub hsts: Option<String>,
    /// The status line of `GET /`.
    pub http_status: Option<String>,
    /// Why `GET /` got no whole response head (no answer, cut short, too
    /// long): the HSTS header is unknown, not absent.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub http_error: Option<String>,
    pub client_certificate_requested: bool,
    /// Negotiated by rustls on a complete handshake: `TLSv1.3 TLS_AES_256_GCM_SHA384 x25519`.
    pub full_handshake: Option<String>,
    /// Why the complete (rustls) handshake with the SNI failed, if it did.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub handshake_error: Option<String>,
    /// Things that went wrong on the way or limit the results.
    pub notes: Vec<String>,
    pub timings: Timings,
}

impl ProbeReport {
    /// Versions accepted, oldest first.
    pub fn accepted_versions(&self) -> Vec<&str> {
        self.versions
            .iter()
            .filter(|(_, v)| v.accepted)
            .map(|(k, _)| k.as_str())
            .collect()
    }
}

// ------------------------------------------------------------------ engine

/// What every connection needs.
pub struct Ctx {
    pub addr: SocketAddr,
    pub sni: Option<String>,
    pub timeout: Duration,
    /// An X25519 public key for TLS 1.3 ClientHellos (no handshake is completed with it).
    pub x25519_public: Vec<u8>,
    pub client_identity: Option<Arc<rustls::sign::CertifiedKey>>,
    connections: AtomicUsize,
    progress: indicatif::ProgressBar,
    rng: ring::rand::SystemRandom,
}

impl Ctx {
    /// A context for connections to `addr` (progress hidden).
    pub fn new(addr: SocketAddr, sni: Option<String>, timeout: Duration) -> Ctx {
        let rng = ring::rand::SystemRandom::new();
        let x25519_public =
            ring::agreement::EphemeralPrivateKey::generate(&ring::agreement::X25519, &rng)
                .and_then(|k| k.compute_public_key())
                .map(|p| p.as_ref().to_vec())
                .unwrap_or_else(|_| vec![9u8; 32]);
        Ctx {
            addr,
            sni,
            timeout,
            x25519_public,
            client_identity: None,
            connections: AtomicUsize::new(0),
            progress: indicatif::ProgressBar::hidden(),
            rng,
        }
    }
    pub fn random(&self) -> [u8; 32] {
        use ring::rand::SecureRandom;
        let mut b = [0u8; 32];
        if self.rng.fill(&mut b).is_err() {
            // not secret: any bytes do for a probe
            let t = std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map(|d| d.as_nanos())
                .unwrap_or(0);
            b[..16].copy_from_slice(&t.to_le_bytes());
        }
        b
    }
    pub fn connection_done(&self) {
        self.connections.fetch_add(1, Ordering::Relaxed);
        self.progress.inc(1);
    }
}

pub(crate) type Task<'a, T> = Box<dyn FnOnce() -> T + Send + 'a>;

/// Run tasks on at most `jobs` threads; results in task order.
pub(crate) fn pool<'a, T: Send>(jobs: usize, tasks: Vec<Task<'a, T>>) -> Vec<T> {
    let n = tasks.len();
    let queue: Mutex<VecDeque<(usize, Task<'a, T>)>> =
        Mutex::new(tasks.into_iter().enumerate().collect());
    let results: Mutex<Vec<Option<T>>> = Mutex::new((0..n).map(|_| None).collect());
    let workers = jobs.clamp(1, n.max(1));
    std::thread::scope(|s| {
        for _ in 0..workers {
            s.spawn(|| loop {
                let next = match queue.lock() {
                    Ok(mut q) => q.pop_front(),
                    Err(_) => None,
                };
                let Some((i, task)) = next else { break };
                let r = task();
                if let Ok(mut res) = results.lock() {
                    res[i] = Some(r);
                }
            });
        }
    });
    results
        .into_inner()
        .unwrap_or_default()
        .into_iter()
        .flatten()
        .collect()
}

fn ms(d: Duration) -> u64 {
    d.as_millis().min(u64::MAX as u128) as u64
}

const VERSIONS: [u16; 5] = [
    version::SSL3,
    version::TLS1_0,
    version::TLS1_1,
    version::TLS1_2,
    version::TLS1_3,
];

fn suite_name(id: u16) -> String {
    crate::openssl::suite_by_id(id)
        .map(|s| s.iana_name.to_string())
        .unwrap_or_else(|| format!("0x{id:04X}"))
}

fn group_name(id: u16) -> String {
    crate::openssl::all_groups()
        .iter()
        .find(|g| g.id == id)
        .map(|g| g.group.to_string())
        .unwrap_or_else(|| format!("0x{id:04X}"))
}

/// Most parts one version's suites are enumerated in at once.
const MAX_PARTS: usize = 8;

/// Merge lists that are each in the server's order (a server that imposes
/// one) into one list in that order, by pairwise offers: each element of
/// one list finds its place in the other by binary search, every element at
/// once; pairs of lists are merged level by level. Err: an offer failed.
fn merge_in_server_order(
    ctx: &Ctx,
    v: u16,
    jobs: usize,
    mut lists: Vec<Vec<u16>>,
) -> Result<Vec<u16>, String> {
    lists.retain(|l| !l.is_empty());
    while lists.len() > 1 {
        let mut pairs: Vec<(Vec<u16>, Vec<u16>)> = Vec::new();
        let mut next: Vec<Vec<u16>> = Vec::new();
        let mut it = lists.into_iter();
        while let Some(a) = it.next() {
            match it.next() {
                Some(b) => pairs.push((a, b)),
                None => next.push(a),
            }
        }
        // for each element of each pair's first list: how many of the
        // second list the server prefers to it
        let mut tasks: Vec<Task<'_, Result<usize, String>>> = Vec::new();
        for (a, b) in &pairs {
            for &x in a {
                tasks.push(Box::new(move || {
                    let (mut lo, mut hi) = (0, b.len());
                    while lo < hi {
                        let mid = (lo + hi) / 2;
                        if legacy::prefers(ctx, v, x, b[mid])? {
                            hi = mid;
                        } else {
                            lo = mid + 1;
                        }
                    }
                    Ok(lo)
                }));
            }
        }
        let mut before = pool(jobs, tasks).into_iter();
        for (a, b) in pairs {
            let mut merged: Vec<Option<u16>> = vec![None; a.len() + b.len()];
            for (i, &x) in a.iter().enumerate() {
                let k = before.next().unwrap_or(Err("no result".into()))?;
                merged[i + k] = Some(x);
            }
            let mut rest = b.into_iter();
            for slot in merged.iter_mut().filter(|s| s.is_none()) {
                *slot = rest.next();
            }
            next.push(merged.into_iter().flatten().collect());
        }
        lists = next;
    }
    Ok(lists.pop().unwrap_or_default())
}

/// Probe a server. Never fails: see `error` and `notes`.
pub fn probe(target: &ProbeTarget, opts: &ProbeOptions) -> ProbeReport {
    let t0 = Instant::now();
    let mut rep = ProbeReport {
        target: target.display(),
        sni: target.sni.clone(),
        ..ProbeReport::default()
    };
    let addrs: Vec<SocketAddr> = match (target.host.as_str(), target.port).to_socket_addrs() {
        Ok(a) => a.take(16).collect(),
        Err(e) => {
            rep.error = Some(format!("cannot resolve {}: {e}", target.host));
            return rep;
        }
    };
    if addrs.is_empty() {
        rep.error = Some(format!("{}: no address", target.host));
        return rep;
    }
    // checked on the addresses connected to, not on the name: a name that
    // resolved to an allowed address when the probes were planned may
    // resolve elsewhere now
    let addrs: Vec<SocketAddr> = match &opts.allow {
        None => addrs,
        Some(allow) => {
            let (ok, refused): (Vec<SocketAddr>, Vec<SocketAddr>) = addrs
                .into_iter()
                .partition(|a| allow.permits(&target.host, a.ip()));
            if ok.is_empty() {
                rep.error = Some(format!(
                    "{} resolves to {}: not a loopback address, the --probe-host or an address --probe-allow allows",
                    target.host,
                    refused
                        .iter()
                        .map(|a| a.ip().to_string())
                        .collect::<Vec<_>>()
                        .join(", ")
                ));
                return rep;
            }
            ok
        }
    };
    // the first address that takes a connection (a name such as localhost
    // may resolve to ::1 first while the server listens on 127.0.0.1 only)
    let mut failed = Vec::new();
    let mut chosen = None;
    for a in &addrs {
        match wire::connect(a, opts.timeout) {
            Ok(_) => {
                chosen = Some(*a);
                break;
            }
            Err(wire::WireError::Connect(e)) => failed.push(format!("{a}: {e}")),
            Err(e) => failed.push(format!("{a}: {e}")),
        }
    }
    let Some(addr) = chosen else {
        rep.address = addrs.first().map(|a| a.to_string());
        rep.error = Some(format!("cannot connect to {}", failed.join("; ")));
        rep.timings.total_ms = ms(t0.elapsed());
        return rep;
    };
    rep.address = Some(addr.to_string());
    rep.reachable = true;
    // Ctrl-C while the bar is shown erases it before the process ends
    let interrupt = opts.progress.then(interrupt::Guard::install);
    let progress = if opts.progress {
        let pb = indicatif::ProgressBar::with_draw_target(None, interrupt::draw_target());
        pb.set_style(
            indicatif::ProgressStyle::with_template("{spinner} {msg} {pos} connections {elapsed}")
                .unwrap_or_else(|_| indicatif::ProgressStyle::default_spinner()),
        );
        pb.enable_steady_tick(Duration::from_millis(100));
        pb.set_message(format!("probing {}", target.display()));
        pb
    } else {
        indicatif::ProgressBar::hidden()
    };
    let mut ctx = Ctx::new(addr, target.sni.clone(), opts.timeout);
    ctx.client_identity = opts.client_identity.clone();
    ctx.progress = progress;
    // the reachability check above
    ctx.connections.store(1, Ordering::Relaxed);
    // a defect in the enumeration must not take the whole run down: it
    // becomes this target's error
    let ran = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        run(&ctx, target, opts, &mut rep)
    }));
    if ran.is_err() {
        rep.error = Some(format!(
            "internal error while probing {} (a tlslint defect; please report it)",
            target.display()
        ));
    }
    ctx.progress.finish_and_clear();
    drop(interrupt);
    rep.timings.connections = ctx.connections.load(Ordering::Relaxed);
    rep.timings.total_ms = ms(t0.elapsed());
    rep
}

enum P1 {
    Version(legacy::Attempt),
    Full(modern::Full),
    /// Only this family's signature algorithms offered.
    Keyed(&'static str, modern::Full),
}

fn run(ctx: &Ctx, target: &ProbeTarget, opts: &ProbeOptions, rep: &mut ProbeReport) {
    let jobs = opts.jobs.max(1);
    // ---- phase 1: each version with all its suites; the rustls handshakes
    let t1 = Instant::now();
    let host_header = {
        let h = ctx.sni.clone().unwrap_or_else(|| {
            if target.host.contains(':') {
                format!("[{}]", target.host)
            } else {
                target.host.clone()
            }
        });
        if target.port == 443 {
            h
        } else {
            format!("{h}:{}", target.port)
        }
    };
    let mut tasks: Vec<Task<'_, P1>> = Vec::new();
    for v in VERSIONS {
        tasks.push(Box::new(move || P1::Version(legacy::probe_version(ctx, v))));
    }
    let sni = ctx.sni.as_deref();
    let hh = host_header.as_str();
    tasks.push(Box::new(move || {
        P1::Full(modern::handshake(
            ctx,
            &modern::FullOptions {
                sni,
                alpn: &["http/1.1"],
                http_host: Some(hh),
                sigalgs: None,
            },
        ))
    }));
    tasks.push(Box::new(move || {
        P1::Full(modern::handshake(
            ctx,
            &modern::FullOptions {
                sni,
                alpn: &["h2"],
                http_host: None,
                sigalgs: None,
            },
        ))
    }));
    if sni.is_some() {
        tasks.push(Box::new(move || {
            P1::Full(modern::handshake(
                ctx,
                &modern::FullOptions {
                    sni: None,
                    alpn: &[],
                    http_host: None,
                    sigalgs: None,
                },
            ))
        }));
    }
    for fam in modern::SIG_FAMILIES {
        tasks.push(Box::new(move || {
            P1::Keyed(
                fam.key_type,
                modern::handshake(
                    ctx,
                    &modern::FullOptions {
                        sni,
                        alpn: &[],
                        http_host: None,
                        sigalgs: Some(fam.schemes),
                    },
                ),
            )
        }));
    }
    let mut attempts = Vec::new();
    let mut fulls = Vec::new();
    let mut keyed = Vec::new();
    for r in pool(jobs, tasks) {
        match r {
            P1::Version(a) => attempts.push(a),
            P1::Full(f) => fulls.push(f),
            P1::Keyed(k, f) => keyed.push((k, f)),
        }
    }
    rep.timings.versions_ms = ms(t1.elapsed());
    let main = fulls.first().cloned().unwrap_or_default();
    let h2 = fulls.get(1).cloned().unwrap_or_default();
    let nosni = fulls.get(2).cloned();

    let mut first_pick: Vec<(u16, u16)> = Vec::new();
    for (v, a) in VERSIONS.iter().zip(&attempts) {
        if let Some(e) = &a.flight.error {
            rep.notes.push(format!(
                "{}: the flight after the ServerHello could not be read: {e}",
                legacy::version_name(*v)
            ));
        }
        let mut vr = VersionReport::default();
        match &a.hello {
            Ok(sh) => {
                vr.accepted = true;
                first_pick.push((*v, sh.suite));
                rep.speaks_tls = true;
            }
            Err(r) => {
                rep.speaks_tls |= r.speaks_tls();
                vr.refused = Some(r.to_string());
            }
        }
        rep.versions
            .insert(legacy::version_name(*v).to_string(), vr);
    }
    rep.speaks_tls |= fulls.iter().any(|f| f.completed);
    if !rep.speaks_tls {
        let why = attempts
            .get(3)
            .and_then(|a| a.hello.as_ref().err())
            .map(|r| r.to_string())
            .unwrap_or_else(|| "no answer".into());
        rep.error = Some(format!(
            "{} does not answer a TLS ClientHello: {why}",
            target.display()
        ));
        return;
    }

    // ---- phase 2: every suite of each accepted version, in parts at once,
    // then its order; TLS 1.3 groups by HelloRetryRequest
    let t2 = Instant::now();
    enum P2 {
        Part(u16, legacy::Part),
        Group(u16, bool),
    }
    let parts_per_version = jobs.clamp(1, MAX_PARTS);
    let mut tasks: Vec<Task<'_, P2>> = Vec::new();
    for &(v, first) in &first_pick {
        for offer in legacy::split_candidates(v, first, parts_per_version) {
            tasks.push(Box::new(move || {
                P2::Part(v, legacy::enumerate_part(ctx, v, offer))
            }));
        }
    }
    let tls13 = first_pick.iter().any(|(v, _)| *v == version::TLS1_3);
    let mut group_ids: Vec<u16> = crate::openssl::all_groups().iter().map(|g| g.id).collect();
    group_ids.sort_unstable();
    group_ids.dedup();
    if tls13 {
        for &g in &group_ids {
            tasks.push(Box::new(move || P2::Group(g, legacy::tls13_group(ctx, g))));
        }
    }
    let mut parts: BTreeMap<u16, Vec<legacy::Part>> = BTreeMap::new();
    let mut groups13 = Vec::new();
    for r in pool(jobs, tasks) {
        match r {
            P2::Part(v, p) => parts.entry(v).or_default().push(p),
            P2::Group(g, true) => groups13.push(g),
            P2::Group(_, false) => {}
        }
    }
    // the order: the same pick for the list forwards and backwards means
    // the server imposes one (the versions at once)
    let accepted: Vec<(u16, Vec<u16>)> = first_pick
        .iter()
        .map(|&(v, first)| {
            let mut all = vec![first];
            for p in parts.get(&v).into_iter().flatten() {
                all.extend(&p.picked);
            }
            (v, all)
        })
        .collect();
    let order_tasks: Vec<Task<'_, Option<bool>>> = accepted
        .iter()
        .map(|(v, all)| {
            let v = *v;
            Box::new(move || legacy::server_order(ctx, v, all)) as Task<'_, Option<bool>>
        })
        .collect();
    let orders = pool(jobs, order_tasks);
    let mut suites: BTreeMap<u16, Vec<u16>> = BTreeMap::new();
    for ((v, all), mut order) in accepted.into_iter().zip(orders) {
        let name = legacy::version_name(v);
        let vparts = parts.remove(&v).unwrap_or_default();
        let mut picked = all;
        if order == Some(true) {
            // the first pick leads (all were offered); each part is in the
            // server's order already: merge them
            let lists: Vec<Vec<u16>> = vparts.iter().map(|p| p.picked.clone()).collect();
            match merge_in_server_order(ctx, v, jobs, lists) {
                Ok(rest) => picked = std::iter::once(picked[0]).chain(rest).collect(),
                Err(e) => {
                    rep.notes.push(format!(
                        "{name}: the server's suite order could not be established: {e}"
                    ));
                    order = None;
                }
            }
        }
        if order != Some(true) {
            picked.sort_unstable();
        }
        let mut why: Vec<String> = Vec::new();
        for p in &vparts {
            if let Some(w) = &p.incomplete {
                if !why.contains(w) {
                    why.push(w.clone());
                }
            }
        }
        if let Some(vr) = rep.versions.get_mut(name) {
            vr.ciphers = picked.iter().map(|&s| suite_name(s)).collect();
            vr.server_order = order;
            if !why.is_empty() {
                let w = why.join("; ");
                rep.notes.push(format!(
                    "{name}: the suite list may be incomplete ({} suites found): {w}",
                    picked.len()
                ));
                vr.incomplete = Some(w);
            }
        }
        suites.insert(v, picked);
    }
    rep.timings.ciphers_ms = ms(t2.elapsed());

    // ---- phase 3: DH prime, curves below TLS 1.3, the chain without SNI
    // when rustls could not get it
    let t3 = Instant::now();
    let top_legacy = suites
        .iter()
        .rfind(|(v, _)| **v <= version::TLS1_2)
        .map(|(v, s)| (*v, s.clone()));
    let kx_of = |id: &u16| crate::openssl::suite_by_id(*id).map(|s| s.kx).unwrap_or("");
    let dhe: Option<(u16, Vec<u16>)> = suites
        .iter()
        .filter(|(v, _)| **v <= version::TLS1_2)
        .map(|(v, s)| {
            (
                *v,
                s.iter()
                    .copied()
                    .filter(|id| kx_of(id) == "DH")
                    .collect::<Vec<_>>(),
            )
        })
        .rfind(|(_, s)| !s.is_empty());
    enum P3 {
        Dh(u16, Option<u32>),
        Curve(u16, bool),
        NoSniChain(legacy::Attempt),
    }
    let mut tasks: Vec<Task<'_, P3>> = Vec::new();
    if let Some((v, s)) = dhe {
        for suite in s {
            tasks.push(Box::new(move || {
                P3::Dh(suite, legacy::dh_bits(ctx, v, suite))
            }));
        }
    }
    if !tls13 {
        if let Some((v, s)) = &top_legacy {
            let ecdhe: Vec<u16> = s.iter().copied().filter(|id| kx_of(id) == "ECDH").collect();
            if !ecdhe.is_empty() {
                let ecdhe = Arc::new(ecdhe);
                for g in legacy::legacy_groups() {
                    let (v, e) = (*v, ecdhe.clone());
                    tasks.push(Box::new(move || {
                        P3::Curve(g, legacy::legacy_group(ctx, v, &e, g))
                    }));
                }
            }
        }
    }
    let nosni_missing = nosni.as_ref().is_some_and(|f| f.chain.is_empty());
    if nosni_missing {
        if let Some((v, s)) = &top_legacy {
            let (v, s) = (*v, s.clone());
            tasks.push(Box::new(move || {
                let mut h = legacy::hello_for(ctx, v, s);
                h.sni = None;
                P3::NoSniChain(legacy::attempt(ctx, &h, true))
            }));
        }
    }
    let mut curves12 = Vec::new();
    let mut legacy_nosni = None;
    let mut dh: Vec<(u32, u16)> = Vec::new();
    for r in pool(jobs, tasks) {
        match r {
            P3::Dh(suite, Some(b)) => dh.push((b, suite)),
            P3::Dh(_, None) => {}
            P3::Curve(g, true) => curves12.push(g),
            P3::Curve(_, false) => {}
            P3::NoSniChain(a) => legacy_nosni = Some(a),
        }
    }
    rep.timings.extras_ms = ms(t3.elapsed());
    dh.sort_unstable();
    rep.dh_bits = dh.first().map(|d| d.0);
    if let (Some(lo), Some(hi)) = (dh.first(), dh.last()) {
        if lo.0 != hi.0 {
            rep.notes.push(format!(
                "DH prime size depends on the suite: {} bits with {}, up to {} bits with {}",
                lo.0,
                suite_name(lo.1),
                hi.0,
                suite_name(hi.1)
            ));
        }
    }

    // ---- assemble
    if tls13 {
        groups13.sort_unstable();
        rep.groups = groups13.iter().map(|&g| group_name(g)).collect();
        rep.groups_method = Some("TLSv1.3 HelloRetryRequest (one group, empty key_share)".into());
    } else if !curves12.is_empty() {
        curves12.sort_unstable();
        rep.groups = curves12.iter().map(|&g| group_name(g)).collect();
        rep.groups_method = Some("ECDHE ServerKeyExchange (one curve offered)".into());
    }
    if rep.groups_method.is_some() {
        let seen: Vec<u16> = if tls13 {
            groups13.clone()
        } else {
            curves12.clone()
        };
        let tested: Vec<u16> = if tls13 {
            group_ids.clone()
        } else {
            legacy::legacy_groups()
        };
        rep.groups_default = openssl_default_list(&seen, &tested);
    }
    let store = opts
        .trust
        .clone()
        .unwrap_or_else(crate::certs::TrustStore::mozilla);
    // the TLS 1.2-and-below flight of the highest such version accepted
    let legacy_flight = VERSIONS
        .iter()
        .zip(&attempts)
        .filter(|(v, a)| **v <= version::TLS1_2 && a.hello.is_ok())
        .map(|(_, a)| a)
        .next_back();
    let main_chain = if !main.chain.is_empty() {
        Some(main.chain.clone())
    } else {
        legacy_flight
            .filter(|a| !a.flight.certificates.is_empty())
            .map(|a| a.flight.certificates.clone())
    };
    let main_info = main_chain
        .as_ref()
        .map(|c| cert::chain_info(sni_of(ctx), c, &store));
    let (by_key, not_served, key_notes) =
        cert::by_key_type(sni_of(ctx), main_info.as_ref(), &keyed, &store);
    rep.certificate_chain.by_key_type = by_key;
    rep.certificate_chain.not_served = not_served;
    rep.notes.extend(key_notes);
    if ctx.sni.is_some() {
        rep.certificate_chain.with_sni = main_info;
        let c = match &nosni {
            Some(f) if !f.chain.is_empty() => Some(f.chain.clone()),
            _ => legacy_nosni
                .filter(|a| !a.flight.certificates.is_empty())
                .map(|a| a.flight.certificates),
        };
        rep.certificate_chain.without_sni = c.map(|c| cert::chain_info(None, &c, &store));
    } else {
        rep.certificate_chain.without_sni = main_info;
    }
    if !main.chain.is_empty() {
        rep.ocsp_stapled = Some(main.ocsp_len > 0);
    } else if let Some(a) = legacy_flight.filter(|a| !a.flight.certificates.is_empty()) {
        rep.ocsp_stapled = Some(a.flight.ocsp_len.is_some_and(|n| n > 0));
    }
    if main.completed || h2.completed {
        let mut alpn = Vec::new();
        if h2.alpn.as_deref() == Some("h2") {
            alpn.push("h2".to_string());
        }
        if main.alpn.as_deref() == Some("http/1.1") {
            alpn.push("http/1.1".to_string());
        }
        rep.alpn = Some(alpn);
    }
    rep.session_tickets.tls1_2 = VERSIONS
        .iter()
        .zip(&attempts)
        .find(|(v, _)| **v == version::TLS1_2)
        .and_then(|(_, a)| a.hello.as_ref().ok())
        .map(|sh| sh.session_ticket);
    if main.version == Some("TLSv1.3") && main.http_status.is_some() {
        rep.session_tickets.tls1_3 = Some(main.tls13_tickets > 0);
    }
    rep.hsts = main.hsts.clone();
    rep.http_status = main.http_status.clone();
    rep.client_certificate_requested = attempts.iter().any(|a| a.flight.certificate_request)
        || fulls.iter().any(|f| f.certificate_requested);
    if main.completed {
        rep.full_handshake = Some(format!(
            "{} {} {}",
            main.version.unwrap_or("?"),
            main.suite.map(suite_name).unwrap_or_default(),
            main.group.map(group_name).unwrap_or_default()
        ));
    }
    if let Some(e) = &main.error {
        rep.notes.push(format!("rustls handshake: {e}"));
        rep.handshake_error = Some(e.clone());
    }
    rep.http_error = main.http_error.clone();
    if let Some(e) = &main.http_error {
        rep.notes.push(format!("HSTS unknown: {e}"));
    } else if rep.hsts.is_none() && rep.http_status.is_none() {
        rep.notes
            .push("HSTS unknown: no HTTP answer over a complete handshake".into());
    }
}

/// The OpenSSL versions whose default group list (`default_groups`),
/// restricted to the groups `tested`, is exactly `seen`.
pub fn openssl_default_list(seen: &[u16], tested: &[u16]) -> Option<String> {
    use crate::version::Version;
    let mut seen: Vec<u16> = seen.to_vec();
    seen.sort_unstable();
    seen.dedup();
    if seen.is_empty() {
        return None;
    }
    // (first version of a default list, first and last release names)
    let lists = [
        ((1, 1, 0), "1.1.0", "1.1.0"),
        ((1, 1, 1), "1.1.1", "1.1.1"),
        ((3, 0, 0), "3.0", "3.4"),
        ((3, 5, 0), "3.5", ""),
    ];
    let same: Vec<(&str, &str)> = lists
        .iter()
        .filter(|((a, b, c), _, _)| {
            let mut d: Vec<u16> = crate::openssl::default_groups(&Version::new(*a, *b, *c))
                .iter()
                .map(|g| g.id)
                .filter(|id| tested.contains(id))
                .collect();
            d.sort_unstable();
            d.dedup();
            d == seen
        })
        .map(|(_, from, to)| (*from, *to))
        .collect();
    let (first, last) = (same.first()?.0, same.last()?.1);
    Some(match last {
        "" => format!("OpenSSL {first} and later"),
        l if l == first => format!("OpenSSL {first}"),
        l => format!("OpenSSL {first} to {l}"),
    })
}

fn sni_of(ctx: &Ctx) -> Option<&str> {
    ctx.sni.as_deref()
}

// ------------------------------------------------------------------ command

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ProbeFormat {
    /// a readable report
    Human,
    /// one JSON object
    Json,
    /// the profile findings as SARIF 2.1.0 (located in `probe://HOST:PORT`)
    Sarif,
    /// the profile findings as GitHub Actions workflow commands
    Github,
}

/// `tlslint probe` flags.
#[derive(Debug, Clone, clap::Args)]
pub struct ProbeArgs {
    /// The server: HOST, HOST:PORT, [IPv6]:PORT (port 443 by default)
    #[arg(value_name = "HOST[:PORT]")]
    pub target: String,
    /// The server name to send [default: HOST when it is a name; none for an address]
    #[arg(long, value_name = "NAME")]
    pub sni: Option<String>,
    #[arg(long, value_enum, default_value_t = ProbeFormat::Human)]
    pub format: ProbeFormat,
    /// Connect timeout and read deadline of each connection, in seconds
    #[arg(long, value_name = "SECONDS", default_value_t = 5.0)]
    pub timeout: f64,
    /// Connections at once
    #[arg(long, value_name = "N", default_value_t = 16)]
    pub jobs: usize,
    /// Client certificate (PEM, leaf first) for servers that require one
    #[arg(long, value_name = "FILE", requires = "client_key")]
    pub client_cert: Option<PathBuf>,
    /// The client certificate's private key (PEM)
    #[arg(long, value_name = "FILE", requires = "client_cert")]
    pub client_key: Option<PathBuf>,
    /// The roots the served chains are checked against, for a private PKI (PEM; replaces
    /// Mozilla's root store, as `tlslint PATH --ca-file` does)
    #[arg(long, value_name = "FILE")]
    pub ca_file: Option<PathBuf>,
    /// The profile the evidence is checked against: modern, intermediate or old
    #[arg(long, value_name = "NAME", default_value = "intermediate")]
    pub profile: String,
    /// Mozilla/TLSRef guideline version: 5.7, 5.8 or 6.0 [default: the newest]
    #[arg(long, value_name = "VERSION")]
    pub guidelines: Option<String>,
    /// Exit with code 1 when a finding at or above this severity is reported [default: never:
    /// the exit code says only whether the server could be probed]
    #[arg(long, value_enum, value_name = "SEVERITY")]
    pub fail_on: Option<crate::config::FailOn>,
}

/// `tlslint probe HOST[:PORT]`: 0 when the server could be probed, 2 for bad
/// usage or a target that cannot be reached (or does not speak TLS).
pub fn command(a: &ProbeArgs, out: &mut dyn Write, err: &mut dyn Write) -> i32 {
    use std::io::IsTerminal;
    let target = match ProbeTarget::parse(&a.target, a.sni.as_deref()) {
        Ok(t) => t,
        Err(e) => {
            let _ = writeln!(err, "error: {e}");
            return 2;
        }
    };
    if !(a.timeout.is_finite() && a.timeout > 0.0 && a.timeout <= 3600.0) {
        let _ = writeln!(err, "error: --timeout must be between 0 and 3600 seconds");
        return 2;
    }
    let client_identity = match (&a.client_cert, &a.client_key) {
        (Some(c), Some(k)) => match modern::load_client_identity(c, k) {
            Ok(id) => Some(id),
            Err(e) => {
                let _ = writeln!(err, "error: client certificate: {e}");
                return 2;
            }
        },
        _ => None,
    };
    let trust = match &a.ca_file {
        None => None,
        Some(f) => {
            let args = crate::certs::CertArgs {
                root: Vec::new(),
                now: None,
                expiry_warn_days: None,
                ca_file: Some(f.clone()),
            };
            match crate::certs::FileOptions::from_args(&args) {
                Ok(o) => o.trust,
                Err(e) => {
                    let _ = writeln!(err, "error: {e}");
                    return 2;
                }
            }
        }
    };
    let opts = ProbeOptions {
        timeout: Duration::from_secs_f64(a.timeout),
        jobs: a.jobs.clamp(1, 256),
        client_identity,
        progress: std::io::stderr().is_terminal(),
        trust,
        allow: None,
    };
    let profile = match crate::profile::Profile::builtin(&a.profile, a.guidelines.as_deref()) {
        Ok((p, _)) => p,
        Err(e) => {
            let _ = writeln!(err, "error: {e}");
            return 2;
        }
    };
    let rep = probe(&target, &opts);
    // the profile on the evidence, located in the report's own text
    let (sm, file) = verdict::source(&rep);
    let findings = verdict::check(&rep, &sm, file, &profile, crate::certs::time::now());
    match a.format {
        ProbeFormat::Json => {
            let mut v = serde_json::to_value(&rep).unwrap_or_default();
            v["profile"] = serde_json::json!({
                "name": profile.name, "guideline": profile.guideline, "source": profile.source
            });
            v["findings"] = serde_json::Value::Array(
                findings
                    .iter()
                    .map(|f| crate::report::json::finding(&sm, f))
                    .collect(),
            );
            match crate::printable::to_json(&v, true) {
                Ok(s) => {
                    let _ = writeln!(out, "{s}");
                }
                Err(e) => {
                    let _ = writeln!(err, "error: {e}");
                    return 2;
                }
            }
        }
        ProbeFormat::Sarif => {
            let doc = crate::report::sarif::probe_document(
                &sm,
                &findings,
                &rep.notes,
                rep.error.as_deref(),
            );
            match crate::printable::to_json(&doc, true) {
                Ok(s) => {
                    let _ = writeln!(out, "{s}");
                }
                Err(e) => {
                    let _ = writeln!(err, "error: {e}");
                    return 2;
                }
            }
        }
        ProbeFormat::Github => {
            for f in &findings {
                let _ = writeln!(out, "{}", crate::report::github::annotation(&sm, f));
            }
        }
        ProbeFormat::Human => {
            if rep.error.is_none() {
                let _ = write!(out, "{}", text::render(&rep));
                let color =
                    std::io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none();
                if !findings.is_empty() {
                    let _ = writeln!(out);
                }
                for f in &findings {
                    crate::report::human::render(
                        out,
                        &crate::report::human::evidence_diag(&sm, f),
                        color,
                    );
                }
                let count = |s: crate::finding::Severity| {
                    findings.iter().filter(|f| f.severity == s).count()
                };
                let _ = writeln!(
                    out,
                    "tlslint probe: {} error(s), {} warning(s), {} info against profile {}",
                    count(crate::finding::Severity::Error),
                    count(crate::finding::Severity::Warning),
                    count(crate::finding::Severity::Info),
                    profile.title()
                );
            }
        }
    }
    if let Some(e) = &rep.error {
        let _ = writeln!(err, "error: {e}");
        return 2;
    }
    let fail_on = a.fail_on.unwrap_or(crate::config::FailOn::Never);
    if findings.iter().any(|f| fail_on.fails(f.severity)) {
        return 1;
    }
    0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_targets() {
        let t = ProbeTarget::parse("example.com", None).unwrap();
        assert_eq!(
            (t.host.as_str(), t.port, t.sni.as_deref()),
            ("example.com", 443, Some("example.com"))
        );
        let t = ProbeTarget::parse("127.0.0.1:8443", None).unwrap();
        assert_eq!(
            (t.host.as_str(), t.port, t.sni.as_deref()),
            ("127.0.0.1", 8443, None)
        );
        let t = ProbeTarget::parse("[::1]:8443", Some("localhost")).unwrap();
        assert_eq!(
            (t.host.as_str(), t.port, t.sni.as_deref()),
            ("::1", 8443, Some("localhost"))
        );
        assert_eq!(t.display(), "[::1]:8443");
        let t = ProbeTarget::parse("::1", None).unwrap();
        assert_eq!((t.host.as_str(), t.port), ("::1", 443));
        let t = ProbeTarget::parse("[::1]", None).unwrap();
        assert_eq!(t.port, 443);
        for bad in [
            "",
            ":443",
            "host:",
            "host:x",
            "host:70000",
            "[::1",
            "[nope]:1",
            "a b",
            "h:0",
        ] {
            assert!(ProbeTarget::parse(bad, None).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn default_group_lists_are_named() {
        let id = |n: &str| {
            crate::openssl::all_groups()
                .iter()
                .find(|g| g.group == n)
                .map(|g| g.id)
                .unwrap()
        };
        let all: Vec<u16> = crate::openssl::all_groups().iter().map(|g| g.id).collect();
        // what nginx 1.22.1 with OpenSSL 3.0.22 and `ssl_ecdh_curve auto` took over TLS 1.3
        let seen: Vec<u16> = [
            "secp256r1",
            "secp384r1",
            "secp521r1",
            "x25519",
            "x448",
            "ffdhe2048",
            "ffdhe3072",
            "ffdhe4096",
            "ffdhe6144",
            "ffdhe8192",
        ]
        .map(id)
        .to_vec();
        assert_eq!(
            openssl_default_list(&seen, &all).as_deref(),
            Some("OpenSSL 3.0 to 3.4")
        );
        // and over TLS 1.2 (EC curves only: 3.5 adds no EC curve)
        let ec = legacy::legacy_groups();
        let seen12: Vec<u16> = seen.iter().copied().filter(|g| ec.contains(g)).collect();
        assert_eq!(
            openssl_default_list(&seen12, &ec).as_deref(),
            Some("OpenSSL 1.1.1 and later")
        );
        // an explicit list is not a default one
        let explicit = ["x25519", "secp256r1", "secp384r1"].map(id).to_vec();
        assert_eq!(openssl_default_list(&explicit, &all), None);
        assert_eq!(openssl_default_list(&[], &all), None);
    }

    #[test]
    fn pool_keeps_order_and_bounds_threads() {
        let running = AtomicUsize::new(0);
        let peak = AtomicUsize::new(0);
        let tasks: Vec<Task<'_, usize>> = (0..20usize)
            .map(|i| {
                let (running, peak) = (&running, &peak);
                Box::new(move || {
                    let now = running.fetch_add(1, Ordering::SeqCst) + 1;
                    peak.fetch_max(now, Ordering::SeqCst);
                    std::thread::sleep(Duration::from_millis(2));
                    running.fetch_sub(1, Ordering::SeqCst);
                    i * 2
                }) as Task<'_, usize>
            })
            .collect();
        let r = pool(3, tasks);
        assert_eq!(r, (0..20usize).map(|i| i * 2).collect::<Vec<_>>());
        assert!(peak.load(Ordering::SeqCst) <= 3);
    }

    #[test]
    fn unreachable_target_is_an_error_not_a_panic() {
        // a port nothing listens on: bind, note the port, close
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let port = l.local_addr().unwrap().port();
        drop(l);
        let t = ProbeTarget::parse(&format!("127.0.0.1:{port}"), None).unwrap();
        let r = probe(&t, &ProbeOptions::default());
        assert!(!r.reachable);
        assert!(
            r.error.as_deref().unwrap_or("").contains("cannot connect"),
            "{:?}",
            r.error
        );
    }
}
