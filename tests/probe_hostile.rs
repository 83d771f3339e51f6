//! `tlslint probe` against hostile servers (tiny TcpListeners on 127.0.0.1
//! in this test): silence, garbage, a record cut short, a 16 MB record and a
//! 16 MB handshake message, a port nobody listens on. The probe must end in
//! bounded time with a clear message and exit code 2, never hang or panic.
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
