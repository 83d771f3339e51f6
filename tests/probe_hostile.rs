//! `tlslint probe` against hostile servers (tiny TcpListeners on 127.0.0.1
//! in this test): silence, garbage, plain HTTP, an SSL 2.0 SERVER-HELLO, a
//! record cut short, a 16 MB record, handshake message and Certificate,
//! HelloRetryRequests again and again, one-byte fragments, thousands of tiny
//! records, absurd extension lengths, endless warning alerts, another
//! version than offered, a port nobody listens on; a TLS 1.2 server that
//! answers slowly (suites enumerated in parallel), resets connections
//! (retried once, else reported); a rustls server whose HTTP answer has a
//! huge header, an endless chunked body or a head cut short. The probe must
//! end in bounded time with a clear message, never hang or panic.
#![cfg(feature = "probe")]

mod common;

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::time::{Duration, Instant};

/// Serve every connection with `f` on its own thread; returns the port.
/// The threads live as long as the test process.
fn serve(f: fn(TcpStream)) -> u16 {
    let l = TcpListener::bind("127.0.0.1:0").expect("bind");
    let port = l.local_addr().expect("addr").port();
    std::thread::spawn(move || {
        for s in l.incoming().flatten() {
            std::thread::spawn(move || f(s));
        }
    });
    port
}

/// Read the client's first record (its ClientHello), so that closing does
/// not reset the connection.
fn read_some(s: &mut TcpStream) {
    let _ = s.set_read_timeout(Some(Duration::from_secs(5)));
    let mut head = [0u8; 5];
    if s.read_exact(&mut head).is_ok() {
        let mut body = vec![0u8; u16::from_be_bytes([head[3], head[4]]) as usize];
        let _ = s.read_exact(&mut body);
    }
}

fn probe(port: u16, timeout: &str) -> common::Out {
    let mut c = std::process::Command::new(common::tlslint());
    c.args(["probe", &format!("127.0.0.1:{port}"), "--timeout", timeout]);
    common::run(&mut c, Duration::from_secs(60)).expect("tlslint probe ends")
}

fn assert_fails_fast(o: &common::Out, within: Duration, says: &str) {
    assert_eq!(o.code, Some(2), "stderr: {}", o.stderr);
    assert!(o.elapsed < within, "took {:?}", o.elapsed);
    assert!(o.stderr.starts_with("error: "), "{}", o.stderr);
    assert!(o.stderr.contains(says), "want {says:?} in: {}", o.stderr);
    assert!(!o.stderr.contains("panicked"), "{}", o.stderr);
}

#[test]
fn silent_server_times_out() {
    let port = serve(|mut s| {
        read_some(&mut s);
        std::thread::sleep(Duration::from_secs(30));
    });
    let t = Instant::now();
    let o = probe(port, "1");
    assert_fails_fast(&o, Duration::from_secs(10), "no answer before the timeout");
    assert!(
        t.elapsed() >= Duration::from_millis(900),
        "the timeout was waited for"
    );
}

#[test]
fn garbage_is_not_tls() {
    let port = serve(|mut s| {
        read_some(&mut s);
        let _ = s.write_all(b"HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n");
    });
    let o = probe(port, "5");
    assert_fails_fast(&o, Duration::from_secs(10), "not TLS");
}

#[test]
fn close_in_the_middle_of_a_record() {
    let port = serve(|mut s| {
        read_some(&mut s);
        // a handshake record announcing 100 bytes, then 10 of them, then close
        let _ = s.write_all(&[22, 3, 3, 0, 100, 2, 0, 0, 96, 3, 3, 1, 2, 3, 4]);
    });
    let o = probe(port, "5");
    assert_fails_fast(&o, Duration::from_secs(10), "closed");
}

#[test]
fn sixteen_megabyte_record_is_refused() {
    // record lengths are 16 bits: the largest header claims 64 KiB; and a
    // handshake message header claims 16 MB inside a normal record, then
    // the server streams data
    let port = serve(|mut s| {
        read_some(&mut s);
        let _ = s.write_all(&[22, 3, 3, 0xff, 0xff]);
        let _ = s.write_all(&vec![0u8; 1 << 16]);
    });
    let o = probe(port, "5");
    assert_fails_fast(&o, Duration::from_secs(10), "oversized");
    let port = serve(|mut s| {
        read_some(&mut s);
        let mut first = vec![22, 3, 3, 0x40, 0x00, 2, 0xff, 0xff, 0xff];
        first.resize(5 + 0x4000, 0);
        if s.write_all(&first).is_err() {
            return;
        }
        let mut rec = vec![22, 3, 3, 0x40, 0x00];
        rec.resize(5 + 0x4000, 0);
        for _ in 0..1024 {
            if s.write_all(&rec).is_err() {
                return;
            }
        }
    });
    let o = probe(port, "5");
    assert_fails_fast(&o, Duration::from_secs(10), "oversized");
}

#[test]
fn slow_drip_is_bounded_by_the_deadline() {
    // one byte a second: each connection's deadline ends it, not each read
    let port = serve(|mut s| {
        read_some(&mut s);
        for b in [22u8, 3, 3, 0, 60, 2, 0, 0, 56] {
            if s.write_all(&[b]).is_err() {
                return;
            }
            std::thread::sleep(Duration::from_millis(700));
        }
        std::thread::sleep(Duration::from_secs(30));
    });
    let o = probe(port, "2");
    assert_fails_fast(&o, Duration::from_secs(12), "timeout");
}

#[test]
fn nobody_listening_is_a_clear_error() {
    let l = TcpListener::bind("127.0.0.1:0").expect("bind");
    let port = l.local_addr().expect("addr").port();
    drop(l);
    let o = probe(port, "2");
    assert_fails_fast(&o, Duration::from_secs(5), "cannot connect to 127.0.0.1");
    // as SARIF: an unsuccessful run that says why
    let mut c = std::process::Command::new(common::tlslint());
    c.args([
        "probe",
        &format!("127.0.0.1:{port}"),
        "--timeout",
        "2",
        "--format",
        "sarif",
    ]);
    let o = common::run(&mut c, Duration::from_secs(60)).expect("tlslint probe ends");
    assert_eq!(o.code, Some(2));
    let log: serde_json::Value = serde_json::from_slice(&o.stdout).expect("SARIF on stdout");
    let inv = &log["runs"][0]["invocations"][0];
    assert_eq!(inv["executionSuccessful"], false, "{inv}");
    let n = &inv["toolExecutionNotifications"][0];
    assert_eq!(n["level"], "error", "{inv}");
    assert!(
        n["message"]["text"]
            .as_str()
            .unwrap()
            .contains("cannot connect"),
        "{inv}"
    );
}

// ------------------------------------------------------------ fake TLS 1.2

/// The client's ClientHello: (client_version, offered suites, offers TLS 1.3).
fn read_hello(s: &mut TcpStream) -> Option<(u16, Vec<u16>, bool)> {
    let _ = s.set_read_timeout(Some(Duration::from_secs(10)));
    let mut head = [0u8; 5];
    s.read_exact(&mut head).ok()?;
    let mut rec = vec![0u8; u16::from_be_bytes([head[3], head[4]]) as usize];
    s.read_exact(&mut rec).ok()?;
    let be = |i: usize| rec.get(i..i + 2).map(|b| u16::from_be_bytes([b[0], b[1]]));
    let version = be(4)?;
    let mut i = 4 + 2 + 32;
    i += 1 + *rec.get(i)? as usize;
    let n = be(i)? as usize;
    let suites: Vec<u16> = (0..n / 2).filter_map(|k| be(i + 2 + 2 * k)).collect();
    let tls13 = suites.iter().any(|s| s >> 8 == 0x13);
    Some((version, suites, tls13))
}

/// A ServerHello record (no extensions) for `version` and `suite`.
fn server_hello(version: u16, suite: u16) -> Vec<u8> {
    let mut body = version.to_be_bytes().to_vec();
    body.extend_from_slice(&[7u8; 32]);
    body.push(0);
    body.extend_from_slice(&suite.to_be_bytes());
    body.push(0);
    let mut msg = vec![2, 0, 0, body.len() as u8];
    msg.extend_from_slice(&body);
    record(22, &msg)
}

fn record(typ: u8, payload: &[u8]) -> Vec<u8> {
    let mut r = vec![typ, 3, 3];
    r.extend_from_slice(&(payload.len() as u16).to_be_bytes());
    r.extend_from_slice(payload);
    r
}

/// The suites of the fake servers: ECDHE-RSA and RSA ones OpenSSL knows.
const SUITES: [u16; 12] = [
    0xc030, 0xc02f, 0xcca8, 0xc028, 0xc027, 0xc014, 0xc013, 0x009d, 0x009c, 0x003d, 0x003c, 0x0035,
];

#[derive(Clone)]
struct Fake {
    /// Wait this long before each answer.
    delay: Duration,
    /// Reset every Nth connection (0: never).
    reset_every: usize,
    /// Pick by the server's order (SUITES' order) instead of the client's.
    server_order: bool,
    /// Reset every ClientHello that offers fewer suites than the first.
    reset_enumeration: bool,
}

/// A TLS 1.2-only server that sends a ServerHello for a suite of SUITES
/// (and closes), a handshake_failure alert when none is offered, a
/// protocol_version alert below TLS 1.2.
fn fake(f: Fake) -> u16 {
    let l = TcpListener::bind("127.0.0.1:0").expect("bind");
    let port = l.local_addr().expect("addr").port();
    let count = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
    std::thread::spawn(move || {
        for s in l.incoming().flatten() {
            let f = f.clone();
            let n = count.fetch_add(1, std::sync::atomic::Ordering::SeqCst) + 1;
            std::thread::spawn(move || {
                // closing with the ClientHello unread resets the connection
                if f.reset_every > 0 && n.is_multiple_of(f.reset_every) {
                    std::thread::sleep(Duration::from_millis(50));
                    return;
                }
                let mut s = s;
                let Some((version, offered, tls13)) = read_hello(&mut s) else {
                    return;
                };
                std::thread::sleep(f.delay);
                if f.reset_enumeration && offered.len() < 100 && !tls13 {
                    // unread bytes make the close a reset
                    let _ = s.set_linger_zero();
                    return;
                }
                let reply = if version < 0x0303 {
                    record(21, &[2, 70])
                } else {
                    let pick = if f.server_order {
                        SUITES.iter().find(|x| offered.contains(x))
                    } else {
                        offered.iter().find(|x| SUITES.contains(x))
                    };
                    match pick {
                        Some(&p) if !tls13 => server_hello(0x0303, p),
                        _ => record(21, &[2, 40]),
                    }
                };
                let _ = s.write_all(&reply);
                let _ = s.shutdown(std::net::Shutdown::Write);
                let mut sink = [0u8; 4096];
                while matches!(s.read(&mut sink), Ok(n) if n > 0) {}
            });
        }
    });
    port
}

trait LingerZero {
    fn set_linger_zero(&self) -> std::io::Result<()>;
}

impl LingerZero for TcpStream {
    /// SO_LINGER 0: close sends a reset.
    fn set_linger_zero(&self) -> std::io::Result<()> {
        use std::os::fd::AsRawFd;
        let l = libc::linger {
            l_onoff: 1,
            l_linger: 0,
        };
        // SAFETY: a valid socket descriptor and a linger struct of the right size
        let r = unsafe {
            libc::setsockopt(
                self.as_raw_fd(),
                libc::SOL_SOCKET,
                libc::SO_LINGER,
                &l as *const libc::linger as *const libc::c_void,
                std::mem::size_of::<libc::linger>() as libc::socklen_t,
            )
        };
        if r == 0 {
            Ok(())
        } else {
            Err(std::io::Error::last_os_error())
        }
    }
}

fn probe_json(port: u16, extra: &[&str]) -> (common::Out, serde_json::Value) {
    let mut c = std::process::Command::new(common::tlslint());
    c.args(["probe", &format!("127.0.0.1:{port}"), "--format", "json"])
        .args(extra);
    let o = common::run(&mut c, Duration::from_secs(120)).expect("tlslint probe ends");
    let v = serde_json::from_slice(&o.stdout)
        .unwrap_or_else(|e| panic!("{e}: {}{}", o.stdout_str(), o.stderr));
    (o, v)
}

/// IANA names, in the given order.
fn names(ids: &[u16]) -> Vec<String> {
    ids.iter()
        .map(|id| {
            tlslint::openssl::suite_by_id(*id)
                .map(|s| s.iana_name.to_string())
                .unwrap()
        })
        .collect()
}

#[test]
fn slow_server_suites_are_enumerated_in_parallel() {
    // every answer 400 ms late: one after the other, the 13 ClientHellos of
    // the TLS 1.2 enumeration alone would take 5.2 s
    let delay = Duration::from_millis(400);
    let port = fake(Fake {
        delay,
        reset_every: 0,
        server_order: false,
        reset_enumeration: false,
    });
    let (o, v) = probe_json(port, &["--timeout", "5"]);
    assert_eq!(o.code, Some(0), "{}", o.stderr);
    let tls12 = &v["versions"]["TLSv1.2"];
    // the client's order: listed by code point
    let mut ids = SUITES.to_vec();
    ids.sort_unstable();
    assert_eq!(tls12["ciphers"], serde_json::json!(names(&ids)), "{tls12}");
    assert_eq!(tls12["server_order"], false, "{tls12}");
    // one connection after the other: every connection's delay in turn
    let connections = v["timings"]["connections"].as_u64().unwrap() as u32;
    let sequential = delay * connections;
    let enumeration = Duration::from_millis(v["timings"]["ciphers_ms"].as_u64().unwrap());
    let sequential_enumeration = delay * (SUITES.len() as u32 + 1);
    common::say(&format!(
        "slow server (+{delay:?} per answer): whole probe {:?}, {connections} connections ({sequential:?} one after the other); \
         suites and order {enumeration:?} ({sequential_enumeration:?} for the TLS 1.2 enumeration one after the other)",
        o.elapsed
    ));
    assert!(
        o.elapsed < sequential / 3,
        "took {:?}, not well below {sequential:?}",
        o.elapsed
    );
    assert!(
        enumeration < sequential_enumeration,
        "suites took {enumeration:?}, not well below {sequential_enumeration:?}"
    );
}

#[test]
fn server_order_survives_parallel_enumeration() {
    let port = fake(Fake {
        delay: Duration::ZERO,
        reset_every: 0,
        server_order: true,
        reset_enumeration: false,
    });
    let (o, v) = probe_json(port, &["--timeout", "5"]);
    assert_eq!(o.code, Some(0), "{}", o.stderr);
    let tls12 = &v["versions"]["TLSv1.2"];
    assert_eq!(tls12["server_order"], true, "{tls12}");
    assert_eq!(
        tls12["ciphers"],
        serde_json::json!(names(&SUITES)),
        "in the server's order"
    );
}

#[test]
fn resets_are_retried_once_and_otherwise_reported() {
    // every third connection reset; one connection at a time, so the retry
    // of a reset one is never reset: the list is complete
    let port = fake(Fake {
        delay: Duration::ZERO,
        reset_every: 3,
        server_order: true,
        reset_enumeration: false,
    });
    let (o, v) = probe_json(port, &["--timeout", "5", "--jobs", "1"]);
    assert_eq!(o.code, Some(0), "{}", o.stderr);
    let tls12 = &v["versions"]["TLSv1.2"];
    assert_eq!(tls12["ciphers"], serde_json::json!(names(&SUITES)), "{v}");
    assert!(tls12.get("incomplete").is_none(), "{tls12}");

    // every enumeration connection reset: the list is one suite, and says
    // it may be incomplete
    let port = fake(Fake {
        delay: Duration::ZERO,
        reset_every: 0,
        server_order: false,
        reset_enumeration: true,
    });
    let (o, v) = probe_json(port, &["--timeout", "5"]);
    assert_eq!(o.code, Some(0), "{}", o.stderr);
    let tls12 = &v["versions"]["TLSv1.2"];
    assert_eq!(tls12["accepted"], true, "{tls12}");
    let why = tls12["incomplete"].as_str().unwrap_or_default();
    assert!(why.contains("and again on its retry"), "{tls12}");
    let notes = v["notes"].to_string();
    assert!(
        notes.contains("TLSv1.2: the suite list may be incomplete"),
        "{notes}"
    );
    let mut c = std::process::Command::new(common::tlslint());
    c.args(["probe", &format!("127.0.0.1:{port}"), "--timeout", "5"]);
    let o = common::run(&mut c, Duration::from_secs(120)).unwrap();
    assert!(
        o.stdout_str()
            .contains("(may be incomplete: see the notes)"),
        "{}",
        o.stdout_str()
    );
}

// ------------------------------------------------------- more hostile ones

/// Answer each ClientHello with `reply(client_version, offered suites, TLS 1.3 offered)`.
fn answering(reply: fn(u16, &[u16], bool, &mut TcpStream)) -> u16 {
    let l = TcpListener::bind("127.0.0.1:0").expect("bind");
    let port = l.local_addr().expect("addr").port();
    std::thread::spawn(move || {
        for s in l.incoming().flatten() {
            std::thread::spawn(move || {
                let mut s = s;
                let _ = s.set_write_timeout(Some(Duration::from_secs(10)));
                if let Some((v, offered, tls13)) = read_hello(&mut s) {
                    reply(v, &offered, tls13, &mut s);
                }
            });
        }
    });
    port
}

/// `tlslint probe --timeout 2` (human): bounded by a generous 20 s, no panic.
fn probe_bounded(port: u16) -> common::Out {
    let o = probe(port, "2");
    assert!(o.elapsed < Duration::from_secs(20), "took {:?}", o.elapsed);
    assert!(!o.stderr.contains("panicked"), "{}", o.stderr);
    o
}

#[test]
fn hello_retry_request_again_and_again() {
    let port = answering(|_, _, _, s| {
        // a HelloRetryRequest for x25519 (TLS 1.3, TLS_AES_128_GCM_SHA256),
        // to every ClientHello, the second of a connection included
        let mut body = vec![3, 3];
        body.extend_from_slice(&[
            0xCF, 0x21, 0xAD, 0x74, 0xE5, 0x9A, 0x61, 0x11, 0xBE, 0x1D, 0x8C, 0x02, 0x1E, 0x65,
            0xB8, 0x91, 0xC2, 0xA2, 0x11, 0x16, 0x7A, 0xBB, 0x8C, 0x5E, 0x07, 0x9E, 0x09, 0xE2,
            0xC8, 0xA8, 0x33, 0x9C,
        ]);
        body.extend_from_slice(&[0, 0x13, 0x01, 0]);
        body.extend_from_slice(&[0, 12, 0, 43, 0, 2, 3, 4, 0, 51, 0, 2, 0, 0x1d]);
        let mut msg = vec![2, 0, 0, body.len() as u8];
        msg.extend_from_slice(&body);
        for _ in 0..50 {
            if s.write_all(&record(22, &msg)).is_err() {
                return;
            }
            let mut buf = [0u8; 4096];
            if !matches!(s.read(&mut buf), Ok(n) if n > 0) {
                return;
            }
        }
    });
    let o = probe_bounded(port);
    let out = o.stdout_str();
    // TLS 1.3 is answered (a HelloRetryRequest is the server's choice), no
    // handshake completes, and the report says why
    assert_eq!(o.code, Some(0), "{}", o.stderr);
    assert!(out.contains("TLSv1.3  yes"), "{out}");
    assert!(out.contains("note: rustls handshake:"), "{out}");
}

#[test]
fn one_byte_handshake_fragments_and_thousands_of_tiny_records() {
    // the ServerHello, an (unreadable) Certificate of 6,000 bytes and
    // ServerHelloDone, each byte in a record of its own
    let port = answering(|v, offered, tls13, s| {
        if v < 0x0303 || tls13 || !offered.contains(&0xc02f) {
            let _ = s.write_all(&record(21, &[2, 40]));
            return;
        }
        let mut msgs = server_hello(0x0303, 0xc02f)[5..].to_vec();
        let mut cert = vec![11, 0, 0x17, 0x70];
        cert.resize(4 + 6000, 0);
        msgs.extend_from_slice(&cert);
        msgs.extend_from_slice(&[14, 0, 0, 0]);
        let mut out = Vec::new();
        for b in msgs {
            out.extend_from_slice(&record(22, &[b]));
        }
        let _ = s.write_all(&out);
    });
    let o = probe_bounded(port);
    let out = o.stdout_str();
    assert_eq!(o.code, Some(0), "{}", o.stderr);
    assert!(
        out.contains("TLSv1.2  yes  1 suites")
            && out.contains("TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256"),
        "{out}"
    );
    // one-byte records of a message without end: the cap on bytes read
    // ends it
    let port = answering(|_, _, _, s| {
        let _ = s.write_all(&record(22, &[2, 0xff, 0xff, 0xff]));
        let rec = record(22, &[0]).repeat(4096);
        while s.write_all(&rec).is_ok() {}
    });
    let o = probe_bounded(port);
    assert_eq!(o.code, Some(2), "{}", o.stderr);
    assert!(o.stderr.contains("oversized: "), "{}", o.stderr);
    // and empty handshake records, which TLS forbids
    let port = answering(|_, _, _, s| {
        let rec = record(22, &[]).repeat(4096);
        while s.write_all(&rec).is_ok() {}
    });
    let o = probe_bounded(port);
    assert_eq!(o.code, Some(2), "{}", o.stderr);
    assert!(
        o.stderr.contains("an empty handshake record"),
        "{}",
        o.stderr
    );
}

#[test]
fn absurd_extension_length() {
    let port = answering(|_, _, _, s| {
        let mut body = vec![3, 3];
        body.extend_from_slice(&[1; 32]);
        body.extend_from_slice(&[0, 0xc0, 0x2f, 0]);
        // extensions: 65,535 bytes announced, 4 sent
        body.extend_from_slice(&[0xff, 0xff, 0, 43, 0xff, 0xf0]);
        let mut msg = vec![2, 0, 0, body.len() as u8];
        msg.extend_from_slice(&body);
        let _ = s.write_all(&record(22, &msg));
    });
    let o = probe_bounded(port);
    assert_eq!(o.code, Some(2), "{}", o.stderr);
    assert!(
        o.stderr
            .contains("does not answer a TLS ClientHello: not TLS: unreadable ServerHello"),
        "{}",
        o.stderr
    );
}

#[test]
fn sixteen_megabyte_certificate_message_across_records() {
    let port = answering(|v, _, tls13, s| {
        if v < 0x0303 || tls13 {
            let _ = s.write_all(&record(21, &[2, 40]));
            return;
        }
        if s.write_all(&server_hello(0x0303, 0xc02f)).is_err() {
            return;
        }
        // Certificate: 16 MB announced, sent in 16 KiB records
        let mut first = vec![11, 0xff, 0xff, 0xff];
        first.resize(1 << 14, 0);
        if s.write_all(&record(22, &first)).is_err() {
            return;
        }
        let rec = record(22, &vec![0u8; 1 << 14]);
        for _ in 0..1024 {
            if s.write_all(&rec).is_err() {
                return;
            }
        }
    });
    let o = probe_bounded(port);
    let out = o.stdout_str();
    assert_eq!(o.code, Some(0), "{}", o.stderr);
    assert!(
        out.contains("note: TLSv1.2: the flight after the ServerHello could not be read: oversized: a handshake message of 16777215 bytes"),
        "{out}"
    );
}

#[test]
fn endless_warning_alerts() {
    let port = answering(|_, _, _, s| {
        let rec = record(21, &[1, 112]).repeat(64);
        while s.write_all(&rec).is_ok() {}
    });
    let o = probe_bounded(port);
    assert_eq!(o.code, Some(2), "{}", o.stderr);
    assert!(
        o.stderr
            .contains("more than 8 warning alerts (unrecognized_name) and no ServerHello"),
        "{}",
        o.stderr
    );
}

#[test]
fn sslv2_server_hello_and_plain_http() {
    let port = answering(|_, _, _, s| {
        // SSL 2.0 SERVER-HELLO: 2-byte header, type 4, ...
        let _ = s.write_all(&[0x80, 0x2e, 0x04, 0x00, 0x01, 0x00, 0x02]);
    });
    let o = probe_bounded(port);
    assert_eq!(o.code, Some(2), "{}", o.stderr);
    assert!(
        o.stderr
            .contains("the server answers in SSL 2.0 (a SERVER-HELLO), not SSL 3.0 or TLS"),
        "{}",
        o.stderr
    );
    let port = answering(|_, _, _, s| {
        let _ = s.write_all(b"HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n");
    });
    let o = probe_bounded(port);
    assert_eq!(o.code, Some(2), "{}", o.stderr);
    assert!(o.stderr.contains("plain HTTP, not TLS"), "{}", o.stderr);
}

#[test]
fn a_different_version_than_offered() {
    // TLS 1.0 to every ClientHello (with a suite offered)
    let port = answering(|_, offered, tls13, s| {
        let pick = if tls13 {
            offered.first()
        } else {
            offered.iter().find(|x| SUITES.contains(x))
        };
        let _ = match pick {
            Some(&p) => s.write_all(&server_hello(0x0301, p)),
            None => s.write_all(&record(21, &[2, 40])),
        };
    });
    let (o, v) = probe_json(port, &["--timeout", "2"]);
    assert!(o.elapsed < Duration::from_secs(20), "took {:?}", o.elapsed);
    assert_eq!(v["versions"]["TLSv1"]["accepted"], true, "{v}");
    for (name, wire) in [
        ("TLSv1.2", "TLSv1.2"),
        ("TLSv1.3", "TLSv1.3"),
        ("SSLv3", "SSLv3"),
    ] {
        assert_eq!(
            v["versions"][name]["refused"],
            format!("offered {wire}, the server answered with TLSv1 (0x0301)"),
            "{v}"
        );
    }
}

// ------------------------------------------------- HTTP over real TLS

type TlsStream = rustls::StreamOwned<rustls::ServerConnection, TcpStream>;

/// A rustls server on 127.0.0.1 (a self-signed P-256 certificate made by
/// `openssl req`) that reads `GET /` and answers with `respond`. None:
/// openssl is missing (skipped, or failed under CI=true).
fn tls_http_server(what: &str, respond: fn(&mut TlsStream)) -> Option<(u16, tempfile::TempDir)> {
    use rustls::pki_types::pem::PemObject;
    use rustls::pki_types::{CertificateDer, PrivateKeyDer};
    if common::openssl().is_none() {
        common::skip_or_fail(what, "openssl is not installed");
        return None;
    }
    let dir = tempfile::tempdir().unwrap();
    let o = std::process::Command::new("openssl")
        .current_dir(dir.path())
        .args([
            "req",
            "-x509",
            "-newkey",
            "ec",
            "-pkeyopt",
            "ec_paramgen_curve:P-256",
        ])
        .args(["-nodes", "-days", "30", "-subj", "/CN=localhost"])
        .args(["-keyout", "key.pem", "-out", "cert.pem"])
        .output()
        .expect("openssl req");
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let certs: Vec<CertificateDer<'static>> =
        CertificateDer::pem_file_iter(dir.path().join("cert.pem"))
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap();
    let key = PrivateKeyDer::from_pem_file(dir.path().join("key.pem")).unwrap();
    let cfg = rustls::ServerConfig::builder_with_provider(std::sync::Arc::new(
        rustls::crypto::ring::default_provider(),
    ))
    .with_safe_default_protocol_versions()
    .unwrap()
    .with_no_client_auth()
    .with_single_cert(certs, key)
    .unwrap();
    let cfg = std::sync::Arc::new(cfg);
    let l = TcpListener::bind("127.0.0.1:0").expect("bind");
    let port = l.local_addr().unwrap().port();
    std::thread::spawn(move || {
        for s in l.incoming().flatten() {
            let cfg = cfg.clone();
            std::thread::spawn(move || {
                let _ = s.set_read_timeout(Some(Duration::from_secs(10)));
                let _ = s.set_write_timeout(Some(Duration::from_secs(10)));
                let Ok(conn) = rustls::ServerConnection::new(cfg) else {
                    return;
                };
                let mut tls = rustls::StreamOwned::new(conn, s);
                let mut req = Vec::new();
                let mut b = [0u8; 1024];
                while !req.windows(4).any(|w| w == b"\r\n\r\n") {
                    match tls.read(&mut b) {
                        Ok(n) if n > 0 => req.extend_from_slice(&b[..n]),
                        _ => return,
                    }
                }
                respond(&mut tls);
            });
        }
    });
    Some((port, dir))
}

#[test]
fn http_answers_huge_endless_or_cut_short() {
    // a header of 100 kB: the head is not read to its end, HSTS is unknown
    let Some((port, _d1)) = tls_http_server("http_answers_huge_endless_or_cut_short", |t| {
        let mut head = b"HTTP/1.1 200 OK\r\nX-Big: ".to_vec();
        head.resize(head.len() + 100_000, b'a');
        head.extend_from_slice(b"\r\nStrict-Transport-Security: max-age=63072000\r\n\r\n");
        let _ = t.write_all(&head);
        let _ = t.flush();
    }) else {
        return;
    };
    let (o, v) = probe_json(port, &["--timeout", "3"]);
    assert!(o.elapsed < Duration::from_secs(30), "took {:?}", o.elapsed);
    assert_eq!(v["hsts"], serde_json::Value::Null, "{v}");
    assert_eq!(v["http_status"], serde_json::Value::Null, "{v}");
    let e = v["http_error"].as_str().unwrap_or_default();
    assert!(
        e.contains("no end of the response head in 65536 bytes"),
        "{v}"
    );
    let codes = v["findings"].to_string();
    assert!(!codes.contains("TLS501"), "no 'no HSTS' claim: {codes}");

    // the head cut short by the server's close: reported as such
    let (port, _d2) = tls_http_server("", |t| {
        let _ = t.write_all(b"HTTP/1.1 200 OK\r\nServer: x\r\n");
        t.conn.send_close_notify();
        let _ = t.flush();
    })
    .unwrap();
    let (o, v) = probe_json(port, &["--timeout", "3"]);
    assert!(o.elapsed < Duration::from_secs(30), "took {:?}", o.elapsed);
    assert_eq!(v["hsts"], serde_json::Value::Null, "{v}");
    let e = v["http_error"].as_str().unwrap_or_default();
    assert!(
        e.contains("the response head was cut short after 28 bytes, before the end of its headers"),
        "{v}"
    );
    assert!(!v["findings"].to_string().contains("TLS501"), "{v}");
    let mut c = std::process::Command::new(common::tlslint());
    c.args(["probe", &format!("127.0.0.1:{port}"), "--timeout", "3"]);
    let o = common::run(&mut c, Duration::from_secs(60)).unwrap();
    assert!(
        o.stdout_str()
            .contains("HSTS:              unknown (GET /: the response head was cut short"),
        "{}",
        o.stdout_str()
    );

    // an endless chunked body: the head is read, the body never
    let (port, _d3) = tls_http_server("", |t| {
        let _ = t.write_all(
            b"HTTP/1.1 200 OK\r\nStrict-Transport-Security: max-age=63072000\r\nTransfer-Encoding: chunked\r\n\r\n",
        );
        let mut chunk = b"1000\r\n".to_vec();
        chunk.resize(chunk.len() + 0x1000, b'x');
        chunk.extend_from_slice(b"\r\n");
        while t.write_all(&chunk).is_ok() {}
    })
    .unwrap();
    let (o, v) = probe_json(port, &["--timeout", "3"]);
    assert!(o.elapsed < Duration::from_secs(30), "took {:?}", o.elapsed);
    assert_eq!(v["hsts"], "max-age=63072000", "{v}");
    assert!(v.get("http_error").is_none(), "{v}");
}
