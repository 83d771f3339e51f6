//! TLS on the wire, by hand: a ClientHello builder, a bounded record reader
//! with a deadline, and small nom-8 parsers for what a server sends in the
//! clear (records, ServerHello / HelloRetryRequest, Certificate,
//! CertificateStatus, ServerKeyExchange, Alert; a CertificateRequest is
//! recognised by its message type).
//!
//! Nothing here trusts the peer: every length is checked before use, a record
//! longer than 2^14 + 2048 bytes, a handshake message or flight larger than
//! [`MAX_FLIGHT`] and a read past the connection's deadline all end the
//! exchange with a [`WireError`]. Code points are from the IANA TLS
//! registries (TLS Parameters: ContentType, HandshakeType, ExtensionType,
//! SignatureScheme; RFC 8446 §4.1.3 for the HelloRetryRequest random).

use std::fmt;
use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::time::{Duration, Instant};

use nom::bytes::complete::take;
use nom::multi::length_data;
use nom::number::complete::{be_u16, be_u24, be_u8};
use nom::{IResult, Parser};

/// Largest record accepted: 2^14 plaintext + 2048 (RFC 5246 §6.2.3).
pub const MAX_RECORD: usize = (1 << 14) + 2048;
/// Most bytes read from one connection (a whole server flight).
pub const MAX_FLIGHT: usize = 512 * 1024;

pub mod content {
    pub const CHANGE_CIPHER_SPEC: u8 = 20;
    pub const ALERT: u8 = 21;
    pub const HANDSHAKE: u8 = 22;
    pub const APPLICATION_DATA: u8 = 23;
}

pub mod hs {
    pub const CLIENT_HELLO: u8 = 1;
    pub const SERVER_HELLO: u8 = 2;
    pub const CERTIFICATE: u8 = 11;
    pub const SERVER_KEY_EXCHANGE: u8 = 12;
    pub const CERTIFICATE_REQUEST: u8 = 13;
    pub const SERVER_HELLO_DONE: u8 = 14;
    pub const CERTIFICATE_STATUS: u8 = 22;
}

pub mod ext {
    pub const SERVER_NAME: u16 = 0;
    pub const STATUS_REQUEST: u16 = 5;
    pub const SUPPORTED_GROUPS: u16 = 10;
    pub const EC_POINT_FORMATS: u16 = 11;
    pub const SIGNATURE_ALGORITHMS: u16 = 13;
    pub const ALPN: u16 = 16;
    pub const EXTENDED_MASTER_SECRET: u16 = 23;
    pub const SESSION_TICKET: u16 = 35;
    pub const SUPPORTED_VERSIONS: u16 = 43;
    pub const PSK_KEY_EXCHANGE_MODES: u16 = 45;
    pub const KEY_SHARE: u16 = 51;
    pub const RENEGOTIATION_INFO: u16 = 0xff01;
}

/// Wire protocol versions.
pub mod version {
    pub const SSL3: u16 = 0x0300;
    pub const TLS1_0: u16 = 0x0301;
    pub const TLS1_1: u16 = 0x0302;
    pub const TLS1_2: u16 = 0x0303;
    pub const TLS1_3: u16 = 0x0304;
}

/// TLS_EMPTY_RENEGOTIATION_INFO_SCSV (RFC 5746).
pub const RENEGOTIATION_SCSV: u16 = 0x00ff;

/// SHA-256("HelloRetryRequest"), the ServerHello random that marks a HelloRetryRequest.
pub const HRR_RANDOM: [u8; 32] = [
    0xCF, 0x21, 0xAD, 0x74, 0xE5, 0x9A, 0x61, 0x11, 0xBE, 0x1D, 0x8C, 0x02, 0x1E, 0x65, 0xB8, 0x91,
    0xC2, 0xA2, 0x11, 0x16, 0x7A, 0xBB, 0x8C, 0x5E, 0x07, 0x9E, 0x09, 0xE2, 0xC8, 0xA8, 0x33, 0x9C,
];

/// Signature schemes offered: every TLS 1.2/1.3 scheme in the IANA registry
/// that a server may sign with, SHA-1 and SHA-224 ones included, so that the
/// choice of suites and not the signature list decides what is accepted.
pub const SIGNATURE_SCHEMES: &[u16] = &[
    0x0403, 0x0503, 0x0603, // ecdsa_secp256r1_sha256, secp384r1_sha384, secp521r1_sha512
    0x0807, 0x0808, // ed25519, ed448
    0x0804, 0x0805, 0x0806, // rsa_pss_rsae_sha256/384/512
    0x0809, 0x080a, 0x080b, // rsa_pss_pss_sha256/384/512
    0x0401, 0x0501, 0x0601, // rsa_pkcs1_sha256/384/512
    0x081a, 0x081b, 0x081c, // ecdsa_brainpoolP256r1tls13_sha256 ...
    0x0303, 0x0301, 0x0302, // sha224 ecdsa, rsa, dsa
    0x0203, 0x0201, 0x0202, // sha1 ecdsa, rsa, dsa
    0x0402, 0x0502, 0x0602, // dsa sha256/384/512
];

/// Why an exchange ended without the answer looked for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum WireError {
    /// TCP connect failed (refused, unreachable, timed out).
    Connect(String),
    /// No (complete) answer before the deadline.
    Timeout,
    /// The server closed the connection.
    Eof,
    /// A read or write failed (reset ...).
    Io(String),
    /// Bytes that are not TLS.
    Malformed(String),
    /// A record, message or flight over the bounds.
    TooLarge(String),
}

impl fmt::Display for WireError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            WireError::Connect(e) => write!(f, "cannot connect: {e}"),
            WireError::Timeout => write!(f, "no answer before the timeout"),
            WireError::Eof => write!(f, "connection closed by the server"),
            WireError::Io(e) => write!(f, "connection error: {e}"),
            WireError::Malformed(e) => write!(f, "not TLS: {e}"),
            WireError::TooLarge(e) => write!(f, "oversized: {e}"),
        }
    }
}

fn io_error(e: std::io::Error) -> WireError {
    use std::io::ErrorKind::*;
    match e.kind() {
        WouldBlock | TimedOut => WireError::Timeout,
        UnexpectedEof => WireError::Eof,
        _ => WireError::Io(e.to_string()),
    }
}

/// Open a TCP connection with a connect timeout.
pub fn connect(addr: &SocketAddr, timeout: Duration) -> Result<TcpStream, WireError> {
    let s =
        TcpStream::connect_timeout(addr, timeout).map_err(|e| WireError::Connect(e.to_string()))?;
    let _ = s.set_nodelay(true);
    let _ = s.set_write_timeout(Some(timeout));
    Ok(s)
}

/// A socket with a deadline for every read and a cap on the bytes read; the
/// rustls handshakes go through it too.
pub struct Bounded {
    pub stream: TcpStream,
    deadline: Instant,
    left: usize,
}

impl Bounded {
    pub fn new(stream: TcpStream, timeout: Duration, cap: usize) -> Bounded {
        Bounded {
            stream,
            deadline: Instant::now() + timeout,
            left: cap,
        }
    }
    /// Give the connection a new deadline (e.g. after the handshake, for the HTTP request).
    pub fn extend(&mut self, timeout: Duration, cap: usize) {
        self.deadline = Instant::now() + timeout;
        self.left = cap;
    }
    fn remaining(&self) -> std::io::Result<Duration> {
        let now = Instant::now();
        if now >= self.deadline {
            return Err(std::io::Error::new(
                std::io::ErrorKind::TimedOut,
                "deadline passed",
            ));
        }
        Ok(self.deadline - now)
    }
}

impl Read for Bounded {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        if self.left == 0 {
            return Err(std::io::Error::other("too many bytes from the server"));
        }
        let rem = self.remaining()?;
        self.stream.set_read_timeout(Some(rem))?;
        let n = buf.len().min(self.left);
        let got = self.stream.read(&mut buf[..n])?;
        self.left -= got;
        Ok(got)
    }
}

impl Write for Bounded {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let rem = self.remaining()?;
        self.stream.set_write_timeout(Some(rem))?;
        self.stream.write(buf)
    }
    fn flush(&mut self) -> std::io::Result<()> {
        self.stream.flush()
    }
}

/// What arrives, one handshake message (reassembled across records) or
/// record at a time.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Event {
    Handshake { typ: u8, body: Vec<u8> },
    Alert { level: u8, description: u8 },
    ChangeCipherSpec,
    ApplicationData,
}

/// A raw TLS connection: send bytes, read events.
pub struct Conn {
    io: Bounded,
    hs: Vec<u8>,
    /// Bytes read from the socket and not yet used: reads take what is
    /// there (up to 16 KiB), so thousands of tiny records cost few calls.
    buf: Vec<u8>,
    pos: usize,
    filled: usize,
}

impl Conn {
    pub fn new(stream: TcpStream, timeout: Duration) -> Conn {
        Conn {
            io: Bounded::new(stream, timeout, MAX_FLIGHT),
            hs: Vec::new(),
            buf: vec![0u8; 1 << 14],
            pos: 0,
            filled: 0,
        }
    }

    pub fn send(&mut self, bytes: &[u8]) -> Result<(), WireError> {
        self.io.write_all(bytes).map_err(io_error)
    }

    fn read_exact(&mut self, buf: &mut [u8]) -> Result<(), WireError> {
        let mut got = 0;
        while got < buf.len() {
            if self.pos < self.filled {
                let n = (self.filled - self.pos).min(buf.len() - got);
                buf[got..got + n].copy_from_slice(&self.buf[self.pos..self.pos + n]);
                self.pos += n;
                got += n;
                continue;
            }
            match self.io.read(&mut self.buf) {
                Ok(0) => return Err(WireError::Eof),
                Ok(n) => {
                    self.pos = 0;
                    self.filled = n;
                }
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
                Err(e) if e.kind() == std::io::ErrorKind::Other => {
                    return Err(WireError::TooLarge(format!(
                        "the server sent more than {MAX_FLIGHT} bytes"
                    )))
                }
                Err(e) => return Err(io_error(e)),
            }
        }
        Ok(())
    }

    /// One record: (content type, payload).
    pub fn read_record(&mut self) -> Result<(u8, Vec<u8>), WireError> {
        let mut head = [0u8; 5];
        self.read_exact(&mut head)?;
        let (typ, ver, len) = match record_header(&head) {
            Ok((_, h)) => h,
            Err(_) => return Err(WireError::Malformed("short record header".into())),
        };
        if !(20..=24).contains(&typ) || ver >> 8 != 3 {
            return Err(WireError::Malformed(not_tls(&head)));
        }
        let len = len as usize;
        if len > MAX_RECORD {
            return Err(WireError::TooLarge(format!(
                "a record of {len} bytes (at most {MAX_RECORD} allowed)"
            )));
        }
        let mut payload = vec![0u8; len];
        self.read_exact(&mut payload)?;
        Ok((typ, payload))
    }

    /// The next event: a whole handshake message, an alert, CCS or application data.
    pub fn next_event(&mut self) -> Result<Event, WireError> {
        loop {
            if self.hs.len() >= 4 {
                let len = ((self.hs[1] as usize) << 16)
                    | ((self.hs[2] as usize) << 8)
                    | self.hs[3] as usize;
                if len > MAX_FLIGHT {
                    return Err(WireError::TooLarge(format!(
                        "a handshake message of {len} bytes"
                    )));
                }
                if self.hs.len() >= 4 + len {
                    let typ = self.hs[0];
                    let body = self.hs[4..4 + len].to_vec();
                    self.hs.drain(..4 + len);
                    return Ok(Event::Handshake { typ, body });
                }
            }
            let (typ, payload) = self.read_record()?;
            match typ {
                content::HANDSHAKE if payload.is_empty() => {
                    return Err(WireError::Malformed(
                        "an empty handshake record (RFC 5246 §6.2.1 and RFC 8446 §5.1 forbid them)"
                            .into(),
                    ))
                }
                content::HANDSHAKE => {
                    if self.hs.len() + payload.len() > MAX_FLIGHT {
                        return Err(WireError::TooLarge("handshake flight".into()));
                    }
                    self.hs.extend_from_slice(&payload);
                }
                content::ALERT if self.hs.is_empty() => {
                    return match alert(&payload) {
                        Ok((_, (level, description))) => Ok(Event::Alert { level, description }),
                        Err(_) => Err(WireError::Malformed("short alert".into())),
                    };
                }
                content::CHANGE_CIPHER_SPEC if self.hs.is_empty() => {
                    return Ok(Event::ChangeCipherSpec)
                }
                content::APPLICATION_DATA if self.hs.is_empty() => {
                    return Ok(Event::ApplicationData)
                }
                _ => {
                    return Err(WireError::Malformed(
                        "a record interleaved with a partial handshake message".into(),
                    ))
                }
            }
        }
    }
}

// ------------------------------------------------------------------ parsers

type R<'a, T> = IResult<&'a [u8], T>;

/// (content type, version, length)
pub fn record_header(i: &[u8]) -> R<'_, (u8, u16, u16)> {
    (be_u8, be_u16, be_u16).parse(i)
}

/// (level, description)
pub fn alert(i: &[u8]) -> R<'_, (u8, u8)> {
    (be_u8, be_u8).parse(i)
}

fn u8_vec(i: &[u8]) -> R<'_, &[u8]> {
    length_data(be_u8).parse(i)
}
fn u16_vec(i: &[u8]) -> R<'_, &[u8]> {
    length_data(be_u16).parse(i)
}
fn u24_vec(i: &[u8]) -> R<'_, &[u8]> {
    length_data(be_u24).parse(i)
}

/// A parsed ServerHello (or HelloRetryRequest).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServerHello {
    /// The negotiated version: `supported_versions` when present, else the legacy field.
    pub version: u16,
    pub legacy_version: u16,
    pub suite: u16,
    pub compression: u8,
    pub hello_retry: bool,
    /// The group named in key_share (HelloRetryRequest: the group asked for).
    pub key_share_group: Option<u16>,
    /// The server answered the session_ticket extension (TLS 1.2 and below).
    pub session_ticket: bool,
    /// The server answered status_request (it will send CertificateStatus).
    pub status_request: bool,
    pub alpn: Option<String>,
    pub extensions: Vec<u16>,
}

fn extension(i: &[u8]) -> R<'_, (u16, &[u8])> {
    (be_u16, u16_vec).parse(i)
}

pub fn server_hello(i: &[u8]) -> R<'_, ServerHello> {
    let (i, legacy_version) = be_u16(i)?;
    let (i, random) = take(32usize)(i)?;
    let (i, _session_id) = u8_vec(i)?;
    let (i, suite) = be_u16(i)?;
    let (mut i, compression) = be_u8(i)?;
    let mut sh = ServerHello {
        version: legacy_version,
        legacy_version,
        suite,
        compression,
        hello_retry: random == HRR_RANDOM,
        key_share_group: None,
        session_ticket: false,
        status_request: false,
        alpn: None,
        extensions: Vec::new(),
    };
    if !i.is_empty() {
        let (rest, mut exts) = u16_vec(i)?;
        i = rest;
        while !exts.is_empty() {
            let (rest, (typ, data)) = extension(exts)?;
            exts = rest;
            sh.extensions.push(typ);
            match typ {
                ext::SUPPORTED_VERSIONS => {
                    let (_, v) = be_u16(data)?;
                    sh.version = v;
                }
                ext::KEY_SHARE => {
                    let (_, g) = be_u16(data)?;
                    sh.key_share_group = Some(g);
                }
                ext::SESSION_TICKET => sh.session_ticket = true,
                ext::STATUS_REQUEST => sh.status_request = true,
                ext::ALPN => {
                    let (_, list) = u16_vec(data)?;
                    let (_, name) = u8_vec(list)?;
                    sh.alpn = Some(crate::printable::escaped(&String::from_utf8_lossy(name)));
                }
                _ => {}
            }
        }
    }
    Ok((i, sh))
}

/// The DER certificates of a TLS 1.2-and-below Certificate message.
pub fn certificate_list(i: &[u8]) -> R<'_, Vec<Vec<u8>>> {
    let (rest, mut list) = u24_vec(i)?;
    let mut out = Vec::new();
    while !list.is_empty() {
        let (r, der) = u24_vec(list)?;
        list = r;
        out.push(der.to_vec());
    }
    Ok((rest, out))
}

/// CertificateStatus: (status_type, OCSP response length).
pub fn certificate_status(i: &[u8]) -> R<'_, (u8, usize)> {
    let (i, typ) = be_u8(i)?;
    let (i, resp) = u24_vec(i)?;
    Ok((i, (typ, resp.len())))
}

/// ServerKeyExchange of a DHE (or anonymous DH) suite: the prime's size in bits.
pub fn ske_dh_prime_bits(i: &[u8]) -> R<'_, u32> {
    let (i, p) = u16_vec(i)?;
    let (i, _g) = u16_vec(i)?;
    let (i, _ys) = u16_vec(i)?;
    Ok((i, crate::certs::der::bit_len(p)))
}

/// ServerKeyExchange of an ECDHE suite: the named group (curve_type 3).
pub fn ske_ec_group(i: &[u8]) -> R<'_, Option<u16>> {
    let (i, curve_type) = be_u8(i)?;
    if curve_type != 3 {
        return Ok((i, None));
    }
    let (i, group) = be_u16(i)?;
    Ok((i, Some(group)))
}

// ------------------------------------------------------------------ builder

/// The key share offered in a TLS 1.3 ClientHello.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum KeyShare {
    /// No key_share extension (TLS 1.2 and below).
    None,
    /// An empty client_shares list: a server that supports a listed group
    /// answers with a HelloRetryRequest naming it.
    Empty,
    /// One share.
    Share(u16, Vec<u8>),
}

/// What a ClientHello offers.
#[derive(Debug, Clone)]
pub struct ClientHello {
    /// The highest version offered (TLS 1.3: sent as supported_versions).
    pub version: u16,
    pub suites: Vec<u16>,
    pub sni: Option<String>,
    pub groups: Vec<u16>,
    pub key_share: KeyShare,
    pub alpn: Vec<String>,
    pub random: [u8; 32],
    pub session_id: [u8; 32],
}

fn put_u16(out: &mut Vec<u8>, v: u16) {
    out.extend_from_slice(&v.to_be_bytes());
}

/// Append `body` prefixed with its length in `width` bytes.
fn put_vec(out: &mut Vec<u8>, width: usize, body: &[u8]) {
    let len = body.len() as u32;
    out.extend_from_slice(&len.to_be_bytes()[4 - width..]);
    out.extend_from_slice(body);
}

fn put_ext(out: &mut Vec<u8>, typ: u16, body: &[u8]) {
    put_u16(out, typ);
    put_vec(out, 2, body);
}

impl ClientHello {
    /// The record(s) carrying this ClientHello.
    pub fn to_bytes(&self) -> Vec<u8> {
        let tls13 = self.version >= version::TLS1_3;
        let legacy_version = self.version.min(version::TLS1_2);
        let mut body = Vec::with_capacity(1024);
        put_u16(&mut body, legacy_version);
        body.extend_from_slice(&self.random);
        put_vec(&mut body, 1, &self.session_id);
        let mut suites = Vec::with_capacity(self.suites.len() * 2 + 2);
        for s in &self.suites {
            put_u16(&mut suites, *s);
        }
        if !tls13 {
            put_u16(&mut suites, RENEGOTIATION_SCSV);
        }
        put_vec(&mut body, 2, &suites);
        put_vec(&mut body, 1, &[0]); // null compression
        if self.version > version::SSL3 {
            let mut exts = Vec::with_capacity(512);
            if let Some(name) = &self.sni {
                let mut entry = vec![0u8]; // host_name
                put_vec(&mut entry, 2, name.as_bytes());
                let mut list = Vec::new();
                put_vec(&mut list, 2, &entry);
                put_ext(&mut exts, ext::SERVER_NAME, &list);
            }
            put_ext(&mut exts, ext::STATUS_REQUEST, &[1, 0, 0, 0, 0]);
            if !self.groups.is_empty() {
                let mut g = Vec::new();
                for id in &self.groups {
                    put_u16(&mut g, *id);
                }
                let mut list = Vec::new();
                put_vec(&mut list, 2, &g);
                put_ext(&mut exts, ext::SUPPORTED_GROUPS, &list);
                put_ext(&mut exts, ext::EC_POINT_FORMATS, &[1, 0]);
            }
            if self.version >= version::TLS1_2 {
                let mut s = Vec::new();
                for id in SIGNATURE_SCHEMES {
                    put_u16(&mut s, *id);
                }
                let mut list = Vec::new();
                put_vec(&mut list, 2, &s);
                put_ext(&mut exts, ext::SIGNATURE_ALGORITHMS, &list);
            }
            if !self.alpn.is_empty() {
                let mut names = Vec::new();
                for a in &self.alpn {
                    put_vec(&mut names, 1, a.as_bytes());
                }
                let mut list = Vec::new();
                put_vec(&mut list, 2, &names);
                put_ext(&mut exts, ext::ALPN, &list);
            }
            put_ext(&mut exts, ext::EXTENDED_MASTER_SECRET, &[]);
            put_ext(&mut exts, ext::SESSION_TICKET, &[]);
            if tls13 {
                put_ext(&mut exts, ext::SUPPORTED_VERSIONS, &[2, 0x03, 0x04]);
                put_ext(&mut exts, ext::PSK_KEY_EXCHANGE_MODES, &[1, 1]);
                let mut shares = Vec::new();
                if let KeyShare::Share(group, key) = &self.key_share {
                    put_u16(&mut shares, *group);
                    put_vec(&mut shares, 2, key);
                }
                let mut list = Vec::new();
                put_vec(&mut list, 2, &shares);
                if self.key_share != KeyShare::None {
                    put_ext(&mut exts, ext::KEY_SHARE, &list);
                }
            } else {
                put_ext(&mut exts, ext::RENEGOTIATION_INFO, &[0]);
            }
            put_vec(&mut body, 2, &exts);
        }
        let mut msg = Vec::with_capacity(body.len() + 4);
        msg.push(hs::CLIENT_HELLO);
        put_vec(&mut msg, 3, &body);
        // records of at most 2^14 bytes; TLS 1.0 as the record version
        // (what most clients send, and what SSL 3.0-only servers accept)
        let record_version = if self.version == version::SSL3 {
            version::SSL3
        } else {
            version::TLS1_0
        };
        let mut out = Vec::with_capacity(msg.len() + 10);
        for chunk in msg.chunks(1 << 14) {
            out.push(content::HANDSHAKE);
            put_u16(&mut out, record_version);
            put_vec(&mut out, 2, chunk);
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hello(version: u16) -> ClientHello {
        ClientHello {
            version,
            suites: vec![0xc02f, 0x1301],
            sni: Some("example.test".into()),
            groups: vec![29, 23],
            key_share: KeyShare::Empty,
            alpn: vec!["h2".into()],
            random: [7; 32],
            session_id: [9; 32],
        }
    }

    #[test]
    fn client_hello_lengths_are_consistent() {
        for v in [
            version::SSL3,
            version::TLS1_0,
            version::TLS1_2,
            version::TLS1_3,
        ] {
            let b = hello(v).to_bytes();
            assert_eq!(b[0], content::HANDSHAKE);
            let rec_len = u16::from_be_bytes([b[3], b[4]]) as usize;
            assert_eq!(rec_len + 5, b.len());
            assert_eq!(b[5], hs::CLIENT_HELLO);
            let hs_len = ((b[6] as usize) << 16) | ((b[7] as usize) << 8) | b[8] as usize;
            assert_eq!(hs_len + 4, rec_len);
            // client_version
            assert_eq!(u16::from_be_bytes([b[9], b[10]]), v.min(version::TLS1_2));
        }
    }

    #[test]
    fn tls13_hello_carries_supported_versions_and_empty_key_share() {
        let b = hello(version::TLS1_3).to_bytes();
        let needle = [0x00, 0x2b, 0x00, 0x03, 0x02, 0x03, 0x04];
        assert!(b.windows(needle.len()).any(|w| w == needle));
        let ks = [0x00, 0x33, 0x00, 0x02, 0x00, 0x00];
        assert!(b.windows(ks.len()).any(|w| w == ks));
    }

    fn server_hello_bytes(random: [u8; 32], exts: &[(u16, Vec<u8>)]) -> Vec<u8> {
        let mut b = vec![0x03, 0x03];
        b.extend_from_slice(&random);
        b.push(0);
        b.extend_from_slice(&[0x13, 0x02, 0x00]);
        let mut e = Vec::new();
        for (t, d) in exts {
            put_ext(&mut e, *t, d);
        }
        put_vec(&mut b, 2, &e);
        b
    }

    #[test]
    fn parses_server_hello_and_hrr() {
        let b = server_hello_bytes(
            [1; 32],
            &[
                (ext::SUPPORTED_VERSIONS, vec![3, 4]),
                (ext::KEY_SHARE, vec![0, 29, 0, 1, 5]),
            ],
        );
        let (_, sh) = server_hello(&b).unwrap();
        assert_eq!(sh.version, version::TLS1_3);
        assert_eq!(sh.suite, 0x1302);
        assert!(!sh.hello_retry);
        assert_eq!(sh.key_share_group, Some(29));
        let b = server_hello_bytes(
            HRR_RANDOM,
            &[
                (ext::SUPPORTED_VERSIONS, vec![3, 4]),
                (ext::KEY_SHARE, vec![0x11, 0xec]),
            ],
        );
        let (_, sh) = server_hello(&b).unwrap();
        assert!(sh.hello_retry);
        assert_eq!(sh.key_share_group, Some(0x11ec));
    }

    #[test]
    fn parses_certificate_list_and_dh_params() {
        let mut certs = Vec::new();
        put_vec(&mut certs, 3, b"one");
        put_vec(&mut certs, 3, b"second");
        let mut msg = Vec::new();
        put_vec(&mut msg, 3, &certs);
        let (_, list) = certificate_list(&msg).unwrap();
        assert_eq!(list, vec![b"one".to_vec(), b"second".to_vec()]);
        let mut ske = Vec::new();
        let mut p = vec![0x80];
        p.extend_from_slice(&[0xff; 127]);
        put_vec(&mut ske, 2, &p);
        put_vec(&mut ske, 2, &[2]);
        put_vec(&mut ske, 2, &[5; 128]);
        assert_eq!(ske_dh_prime_bits(&ske).unwrap().1, 1024);
        assert_eq!(ske_ec_group(&[3, 0, 23, 65]).unwrap().1, Some(23));
    }

    #[test]
    fn truncated_inputs_are_errors_not_panics() {
        let b = server_hello_bytes([1; 32], &[(ext::ALPN, vec![0, 3, 2, b'h', b'2'])]);
        for n in 0..b.len() {
            let _ = server_hello(&b[..n]);
            let _ = certificate_list(&b[..n]);
            let _ = ske_dh_prime_bits(&b[..n]);
            let _ = certificate_status(&b[..n]);
        }
        assert_eq!(server_hello(&b).unwrap().1.alpn.as_deref(), Some("h2"));
    }

    proptest::proptest! {
        #[test]
        fn parsers_never_panic(bytes in proptest::collection::vec(proptest::num::u8::ANY, 0..600)) {
            let _ = server_hello(&bytes);
            let _ = certificate_list(&bytes);
            let _ = certificate_status(&bytes);
            let _ = ske_dh_prime_bits(&bytes);
            let _ = ske_ec_group(&bytes);
            let _ = record_header(&bytes);
            let _ = alert(&bytes);
        }
    }
}

/// What the first bytes of an answer that is no TLS record say: a plain
/// HTTP server answers `HTTP/1.1 400 ...` to a ClientHello, others send a
/// banner (SMTP, FTP) or nothing readable. Only printable ASCII of the
/// server's bytes is quoted.
fn not_tls(head: &[u8; 5]) -> String {
    // an SSL 2.0 record: a 2-byte header with the high bit set, then
    // SERVER-HELLO (4) (draft-hickman-netscape-ssl-00)
    if head[0] & 0x80 != 0 && head[2] == 4 {
        return "the server answers in SSL 2.0 (a SERVER-HELLO), not SSL 3.0 or TLS".to_string();
    }
    if head.starts_with(b"HTTP/") || head.starts_with(b"<") {
        return "the server answers in plain HTTP, not TLS (is this the TLS port?)".to_string();
    }
    if head.iter().all(|b| b.is_ascii_graphic() || *b == b' ') {
        return format!(
            "the server answers in plain text (\"{}...\"), not TLS (is this the TLS port?)",
            String::from_utf8_lossy(head)
        );
    }
    format!(
        "the server's answer is no TLS record (it starts {:02x} {:02x} {:02x})",
        head[0], head[1], head[2]
    )
}

#[cfg(test)]
mod not_tls_tests {
    #[test]
    fn plain_answers_are_named() {
        assert!(super::not_tls(b"HTTP/").contains("plain HTTP"));
        assert!(super::not_tls(b"<html").contains("plain HTTP"));
        assert!(super::not_tls(b"220 s").contains("plain text (\"220 s...\")"));
        assert!(super::not_tls(&[0x15, 0x02, 0x00, 0, 2]).contains("15 02 00"));
        assert!(super::not_tls(&[0x80, 0x2e, 0x04, 0, 1]).contains("SSL 2.0"));
        // control characters are never quoted
        assert!(!super::not_tls(b"\x1b[2Jx").contains('\x1b'));
    }
}
