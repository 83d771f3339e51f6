//! Enumeration with hand-built ClientHellos, so that every protocol version
//! and suite is seen whatever rustls speaks: which versions a server accepts,
//! which suites per version (offer all, take the server's pick out, repeat
//! until refused), whether it imposes its own order, which groups it takes
//! (TLS 1.3: a HelloRetryRequest to a ClientHello with an empty key_share and
//! one group; below: the ServerKeyExchange of an ECDHE suite), and the DH
//! prime of its DHE suites.
//!
//! Any alert, reset, EOF, timeout or garbage means "not accepted", whatever
//! the alert code: servers refuse old versions with protocol_version,
//! handshake_failure or internal_error alike.

use crate::openssl::{all_suites, suite_by_id, CipherSuite};

use super::wire::{self, hs, version, ClientHello, Event, KeyShare, ServerHello, WireError};
use super::Ctx;

/// Why a ClientHello got no ServerHello.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refusal {
    Alert(u8),
    Wire(WireError),
    /// A ServerHello for something not offered (another version or suite).
    Mismatch(String),
}

impl std::fmt::Display for Refusal {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Refusal::Alert(d) => write!(f, "alert {d} ({})", alert_name(*d)),
            Refusal::Wire(e) => write!(f, "{e}"),
            Refusal::Mismatch(m) => write!(f, "{m}"),
        }
    }
}

impl Refusal {
    /// The server spoke TLS (an alert or a ServerHello), as opposed to
    /// silence, a reset or garbage.
    pub fn speaks_tls(&self) -> bool {
        matches!(self, Refusal::Alert(_) | Refusal::Mismatch(_))
    }
}

/// Names of the common alerts (IANA TLS Alerts registry), for messages.
pub fn alert_name(d: u8) -> &'static str {
    match d {
        0 => "close_notify",
        10 => "unexpected_message",
        20 => "bad_record_mac",
        40 => "handshake_failure",
        42 => "bad_certificate",
        47 => "illegal_parameter",
        50 => "decode_error",
        51 => "decrypt_error",
        70 => "protocol_version",
        71 => "insufficient_security",
        80 => "internal_error",
        86 => "inappropriate_fallback",
        90 => "user_canceled",
        109 => "missing_extension",
        110 => "unsupported_extension",
        112 => "unrecognized_name",
        116 => "certificate_required",
        120 => "no_application_protocol",
        _ => "other",
    }
}

/// Warning alerts skipped before a ServerHello.
const MAX_WARNINGS: usize = 8;

/// What followed the ServerHello in a TLS 1.2-and-below flight.
#[derive(Debug, Clone, Default)]
pub struct Flight {
    pub certificates: Vec<Vec<u8>>,
    /// Length of a stapled OCSP response (CertificateStatus).
    pub ocsp_len: Option<usize>,
    pub dh_bits: Option<u32>,
    pub ec_group: Option<u16>,
    pub certificate_request: bool,
    /// ServerHelloDone seen.
    pub complete: bool,
    /// Why the flight could not be read to its end (oversized, not TLS);
    /// None when it ended with ServerHelloDone or the server stopped.
    pub error: Option<String>,
}

/// One ClientHello and what came back.
#[derive(Debug, Clone)]
pub struct Attempt {
    pub hello: Result<ServerHello, Refusal>,
    pub flight: Flight,
}

/// Send `hello`, read the ServerHello (and with `read_flight`, the rest of a
/// TLS 1.2-and-below flight up to ServerHelloDone).
pub fn attempt(ctx: &Ctx, hello: &ClientHello, read_flight: bool) -> Attempt {
    let r = attempt_inner(ctx, hello, read_flight);
    ctx.connection_done();
    r
}

fn attempt_inner(ctx: &Ctx, hello: &ClientHello, read_flight: bool) -> Attempt {
    let mut flight = Flight::default();
    let fail = |r: Refusal, flight: Flight| Attempt {
        hello: Err(r),
        flight,
    };
    let stream = match wire::connect(&ctx.addr, ctx.timeout) {
        Ok(s) => s,
        Err(e) => return fail(Refusal::Wire(e), flight),
    };
    let mut conn = wire::Conn::new(stream, ctx.timeout);
    if let Err(e) = conn.send(&hello.to_bytes()) {
        return fail(Refusal::Wire(e), flight);
    }
    // warning alerts (not close_notify) do not end a handshake: skip a
    // few, then call it what it is
    let mut warnings = 0;
    let first = loop {
        match conn.next_event() {
            Ok(Event::Alert {
                level: 1,
                description,
            }) if description != 0 => {
                warnings += 1;
                if warnings > MAX_WARNINGS {
                    let e = WireError::Malformed(format!(
                        "more than {MAX_WARNINGS} warning alerts ({}) and no ServerHello",
                        alert_name(description)
                    ));
                    return fail(Refusal::Wire(e), flight);
                }
            }
            other => break other,
        }
    };
    let sh = match first {
        Ok(Event::Handshake {
            typ: hs::SERVER_HELLO,
            body,
        }) => match wire::server_hello(&body) {
            Ok((_, sh)) => sh,
            Err(_) => {
                let e = WireError::Malformed("unreadable ServerHello".into());
                return fail(Refusal::Wire(e), flight);
            }
        },
        Ok(Event::Alert { description, .. }) => return fail(Refusal::Alert(description), flight),
        Ok(Event::Handshake { typ, .. }) => {
            let e = WireError::Malformed(format!("handshake message {typ} before ServerHello"));
            return fail(Refusal::Wire(e), flight);
        }
        Ok(_) => {
            let e = WireError::Malformed("no ServerHello".into());
            return fail(Refusal::Wire(e), flight);
        }
        Err(e) => return fail(Refusal::Wire(e), flight),
    };
    if !hello.suites.contains(&sh.suite) {
        return fail(
            Refusal::Mismatch(format!("server chose suite {:#06x}, not offered", sh.suite)),
            flight,
        );
    }
    if read_flight && sh.version <= version::TLS1_2 && !sh.hello_retry {
        let kx = suite_by_id(sh.suite).map(|s| s.kx).unwrap_or("");
        // a server may stop sending; whatever arrived is kept
        loop {
            let ev = match conn.next_event() {
                Ok(ev) => ev,
                Err(e @ (WireError::TooLarge(_) | WireError::Malformed(_))) => {
                    flight.error = Some(e.to_string());
                    break;
                }
                Err(_) => break,
            };
            let Event::Handshake { typ, body } = ev else {
                break;
            };
            match typ {
                hs::CERTIFICATE => {
                    if let Ok((_, list)) = wire::certificate_list(&body) {
                        flight.certificates = list;
                    }
                }
                hs::CERTIFICATE_STATUS => {
                    if let Ok((_, (1, len))) = wire::certificate_status(&body) {
                        flight.ocsp_len = Some(len);
                    }
                }
                hs::SERVER_KEY_EXCHANGE => match kx {
                    "DH" => flight.dh_bits = wire::ske_dh_prime_bits(&body).ok().map(|r| r.1),
                    "ECDH" => flight.ec_group = wire::ske_ec_group(&body).ok().and_then(|r| r.1),
                    _ => {}
                },
                hs::CERTIFICATE_REQUEST => flight.certificate_request = true,
                hs::SERVER_HELLO_DONE => {
                    flight.complete = true;
                    break;
                }
                _ => {}
            }
        }
    }
    Attempt {
        hello: Ok(sh),
        flight,
    }
}

/// Groups offered in TLS 1.2-and-below ClientHellos: the elliptic curves
/// (not the ffdhe groups: a server implementing RFC 7919 would refuse DHE
/// suites when none matched).
pub fn legacy_groups() -> Vec<u16> {
    let mut v: Vec<u16> = crate::openssl::all_groups()
        .iter()
        .filter(|g| g.kind == "ec" || g.kind == "ecx")
        .map(|g| g.id)
        .collect();
    // the usual ones first
    v.sort_by_key(|id| {
        (
            PREFERRED
                .iter()
                .position(|p| p == id)
                .unwrap_or(PREFERRED.len()),
            *id,
        )
    });
    v.dedup();
    v
}

/// The groups clients usually offer, in the order they offer them: x25519,
/// P-256, P-384, P-521, x448.
const PREFERRED: [u16; 5] = [29, 23, 24, 25, 30];

/// Groups offered in TLS 1.3 ClientHellos (x25519 first, with its key share).
pub fn tls13_groups() -> Vec<u16> {
    let mut v: Vec<u16> = crate::openssl::all_groups()
        .iter()
        .filter(|g| g.kind != "pq")
        .map(|g| g.id)
        .collect();
    v.sort_by_key(|id| {
        (
            PREFERRED
                .iter()
                .position(|p| p == id)
                .unwrap_or(PREFERRED.len()),
            *id,
        )
    });
    v.dedup();
    v
}

/// The suites to offer for a version: TLS 1.3's five, or every other suite
/// the table knows (the server decides which fit the version).
pub fn candidate_suites(v: u16) -> Vec<&'static CipherSuite> {
    all_suites()
        .iter()
        .filter(|s| s.is_tls13() == (v == version::TLS1_3))
        .collect()
}

/// A ClientHello for version `v` offering `suites`.
pub fn hello_for(ctx: &Ctx, v: u16, suites: Vec<u16>) -> ClientHello {
    let (groups, key_share) = if v == version::TLS1_3 {
        (
            tls13_groups(),
            KeyShare::Share(29, ctx.x25519_public.clone()),
        )
    } else {
        (legacy_groups(), KeyShare::None)
    };
    ClientHello {
        version: v,
        suites,
        sni: ctx.sni.clone(),
        groups,
        key_share,
        alpn: Vec::new(),
        random: ctx.random(),
        session_id: ctx.random(),
    }
}

/// Whether the ServerHello accepts version `v` (a HelloRetryRequest counts:
/// the server chose TLS 1.3 and a suite).
pub fn accepts(sh: &ServerHello, v: u16) -> bool {
    sh.version == v
}

/// The first probe of a version: all candidate suites offered.
pub fn probe_version(ctx: &Ctx, v: u16) -> Attempt {
    let suites = candidate_suites(v).iter().map(|s| s.id).collect();
    let hello = hello_for(ctx, v, suites);
    let mut a = attempt(ctx, &hello, true);
    // a lost connection is no refusal: once more
    if lost(&a.hello) {
        a = attempt(ctx, &hello, true);
    }
    if let Ok(sh) = &a.hello {
        if !accepts(sh, v) {
            a.hello = Err(Refusal::Mismatch(format!(
                "offered {}, the server answered with {}",
                version_name(v),
                wire_version(sh.version)
            )));
        }
    }
    a
}

/// A ClientHello that got no answer because the connection was lost (a
/// reset, a close before any answer, a failed connect), as opposed to an
/// alert or a ServerHello.
fn lost(r: &Result<ServerHello, Refusal>) -> bool {
    matches!(
        r,
        Err(Refusal::Wire(
            WireError::Eof | WireError::Io(_) | WireError::Connect(_)
        ))
    )
}

/// [`attempt`] without the flight, once more when the connection was lost.
pub fn attempt_retried(ctx: &Ctx, hello: &ClientHello) -> Result<ServerHello, Refusal> {
    let a = attempt(ctx, hello, false).hello;
    if lost(&a) {
        return attempt(ctx, hello, false).hello;
    }
    a
}

/// What one part of a version's suite enumeration found.
#[derive(Debug, Clone, Default)]
pub struct Part {
    /// In the order picked (the server's, when it imposes one).
    pub picked: Vec<u16>,
    /// Why the part may have stopped before the server refused its suites
    /// (a connection lost twice, a timeout, an unexpected answer).
    pub incomplete: Option<String>,
}

/// Suite enumeration of `offer` at version `v`: offer them all, take the
/// server's pick out, repeat until refused (an alert). A lost connection is
/// retried once; a second loss, a timeout or an unexpected answer ends the
/// part as incomplete, with the reason.
pub fn enumerate_part(ctx: &Ctx, v: u16, offer: Vec<u16>) -> Part {
    let mut left = offer;
    let mut part = Part::default();
    while !left.is_empty() {
        let hello = hello_for(ctx, v, left.clone());
        match attempt_retried(ctx, &hello) {
            Ok(sh) if accepts(&sh, v) => {
                part.picked.push(sh.suite);
                left.retain(|s| *s != sh.suite);
            }
            Ok(sh) => {
                part.incomplete = Some(format!(
                    "the server answered with {} while suites were left",
                    wire_version(sh.version)
                ));
                break;
            }
            Err(Refusal::Alert(_)) => break,
            Err(Refusal::Wire(e @ (WireError::Eof | WireError::Io(_) | WireError::Connect(_)))) => {
                part.incomplete = Some(format!(
                    "{e} on a ClientHello and again on its retry (a server that refuses by closing the connection looks the same)"
                ));
                break;
            }
            Err(e) => {
                part.incomplete = Some(e.to_string());
                break;
            }
        }
    }
    part
}

/// The candidate suites of version `v` but `first` (the first probe's
/// pick), dealt into at most `parts` interleaved parts that are enumerated
/// at once: the connections of one version no longer follow each other,
/// so a slow server costs (suites / parts + 1) round trips, not suites + 1.
pub fn split_candidates(v: u16, first: u16, parts: usize) -> Vec<Vec<u16>> {
    let left: Vec<u16> = candidate_suites(v)
        .iter()
        .map(|s| s.id)
        .filter(|id| *id != first)
        .collect();
    let n = parts.clamp(1, left.len().max(1));
    let mut out: Vec<Vec<u16>> = vec![Vec::new(); n];
    for (i, id) in left.into_iter().enumerate() {
        out[i % n].push(id);
    }
    out.retain(|p| !p.is_empty());
    out
}

/// Whether a server that imposes its order prefers `a` to `b`: offer both.
pub fn prefers(ctx: &Ctx, v: u16, a: u16, b: u16) -> Result<bool, String> {
    match attempt_retried(ctx, &hello_for(ctx, v, vec![b, a])) {
        Ok(sh) if accepts(&sh, v) && (sh.suite == a || sh.suite == b) => Ok(sh.suite == a),
        Ok(sh) => Err(format!(
            "offered {} and {}, the server answered with {:#06x} version {:#06x}",
            suite_label(a),
            suite_label(b),
            sh.suite,
            sh.version
        )),
        Err(e) => Err(format!(
            "offered {} and {}: {e}",
            suite_label(a),
            suite_label(b)
        )),
    }
}

fn suite_label(id: u16) -> String {
    suite_by_id(id)
        .map(|s| s.iana_name.to_string())
        .unwrap_or_else(|| format!("{id:#06x}"))
}

/// Does the server impose its order? Offer the accepted suites forwards and
/// backwards: the same pick both times means yes. None with fewer than two
/// suites or when a probe fails.
pub fn server_order(ctx: &Ctx, v: u16, accepted: &[u16]) -> Option<bool> {
    if accepted.len() < 2 {
        return None;
    }
    let fwd = attempt_retried(ctx, &hello_for(ctx, v, accepted.to_vec()));
    let mut rev_list = accepted.to_vec();
    rev_list.reverse();
    let rev = attempt_retried(ctx, &hello_for(ctx, v, rev_list));
    match (fwd, rev) {
        (Ok(a), Ok(b)) if accepts(&a, v) && accepts(&b, v) => Some(a.suite == b.suite),
        _ => None,
    }
}

/// Whether a TLS 1.3 server takes group `g`: a ClientHello listing only `g`
/// with an empty key_share gets a HelloRetryRequest naming it (or, from a
/// server that does not mind the missing share, a ServerHello with it).
pub fn tls13_group(ctx: &Ctx, g: u16) -> bool {
    let suites = candidate_suites(version::TLS1_3)
        .iter()
        .map(|s| s.id)
        .collect();
    let mut hello = hello_for(ctx, version::TLS1_3, suites);
    hello.groups = vec![g];
    hello.key_share = KeyShare::Empty;
    match attempt(ctx, &hello, false).hello {
        Ok(sh) => sh.version == version::TLS1_3 && sh.key_share_group == Some(g),
        Err(_) => false,
    }
}

/// Whether a server takes curve `g` for ECDHE at version `v`: offer the
/// accepted ECDHE suites and only `g`; the ServerKeyExchange names the curve.
pub fn legacy_group(ctx: &Ctx, v: u16, ecdhe_suites: &[u16], g: u16) -> bool {
    let mut hello = hello_for(ctx, v, ecdhe_suites.to_vec());
    hello.groups = vec![g];
    let a = attempt(ctx, &hello, true);
    matches!(a.hello, Ok(ref sh) if accepts(sh, v)) && a.flight.ec_group == Some(g)
}

/// The DH prime size with DHE suite `suite` at version `v` (servers with
/// automatic parameters size the prime by the suite's strength).
pub fn dh_bits(ctx: &Ctx, v: u16, suite: u16) -> Option<u32> {
    let a = attempt(ctx, &hello_for(ctx, v, vec![suite]), true);
    match a.hello {
        Ok(sh) if accepts(&sh, v) => a.flight.dh_bits,
        _ => None,
    }
}

/// `TLSv1.2 (0x0303)`, `0x7f17`: a version as the server sent it.
pub fn wire_version(v: u16) -> String {
    match version_name(v) {
        "unknown" => format!("version {v:#06x}"),
        n => format!("{n} ({v:#06x})"),
    }
}

pub fn version_name(v: u16) -> &'static str {
    match v {
        version::SSL3 => "SSLv3",
        version::TLS1_0 => "TLSv1",
        version::TLS1_1 => "TLSv1.1",
        version::TLS1_2 => "TLSv1.2",
        version::TLS1_3 => "TLSv1.3",
        _ => "unknown",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::{Read, Write};
    use std::time::Duration;

    /// The extensions of a ClientHello record: (type, data).
    fn hello_extensions(rec: &[u8]) -> Vec<(u16, Vec<u8>)> {
        let be = |b: &[u8], i: usize| u16::from_be_bytes([b[i], b[i + 1]]) as usize;
        let body = &rec[5 + 4..];
        let mut i = 2 + 32;
        i += 1 + body[i] as usize; // session id
        i += 2 + be(body, i); // suites
        i += 1 + body[i] as usize; // compression
        let end = i + 2 + be(body, i);
        i += 2;
        let mut out = Vec::new();
        while i < end {
            let (t, n) = (be(body, i) as u16, be(body, i + 2));
            out.push((t, body[i + 4..i + 4 + n].to_vec()));
            i += 4 + n;
        }
        out
    }

    /// A server that supports only X25519MLKEM768 (0x11EC) and answers a
    /// ClientHello with no usable share by a HelloRetryRequest naming it.
    fn mlkem_only_server() -> std::net::SocketAddr {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let addr = l.local_addr().unwrap();
        std::thread::spawn(move || {
            for mut s in l.incoming().flatten() {
                let mut head = [0u8; 5];
                if s.read_exact(&mut head).is_err() {
                    continue;
                }
                let mut rec = head.to_vec();
                rec.resize(5 + u16::from_be_bytes([head[3], head[4]]) as usize, 0);
                if s.read_exact(&mut rec[5..]).is_err() {
                    continue;
                }
                let exts = hello_extensions(&rec);
                let groups = exts.iter().find(|e| e.0 == wire::ext::SUPPORTED_GROUPS);
                let offers_mlkem =
                    groups.is_some_and(|g| g.1.chunks(2).skip(1).any(|c| c == [0x11, 0xec]));
                let reply: Vec<u8> = if offers_mlkem {
                    let mut sh = vec![2, 0, 0, 0, 3, 3];
                    sh.extend_from_slice(&wire::HRR_RANDOM);
                    sh.extend_from_slice(&[0, 0x13, 0x01, 0]);
                    sh.extend_from_slice(&[0, 12, 0, 43, 0, 2, 3, 4, 0, 51, 0, 2, 0x11, 0xec]);
                    let n = sh.len() - 4;
                    sh[3] = n as u8;
                    let mut r = vec![22, 3, 3, 0, sh.len() as u8];
                    r.extend_from_slice(&sh);
                    r
                } else {
                    vec![21, 3, 3, 0, 2, 2, 40]
                };
                let _ = s.write_all(&reply);
            }
        });
        addr
    }

    #[test]
    fn hybrid_group_is_detected_by_hello_retry_request() {
        let ctx = Ctx::new(
            mlkem_only_server(),
            Some("localhost".into()),
            Duration::from_secs(5),
        );
        assert!(tls13_group(&ctx, 0x11ec));
        assert!(!tls13_group(&ctx, 29));
        // and TLS 1.3 counts as accepted on the HelloRetryRequest
        let a = probe_version(&ctx, version::TLS1_3);
        let sh = a.hello.expect("accepted");
        assert!(sh.hello_retry);
        assert_eq!(sh.suite, 0x1301);
    }
}
