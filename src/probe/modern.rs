//! Complete handshakes with rustls (ring provider): the certificate chain as
//! served (with and without SNI), the stapled OCSP response, ALPN, TLS 1.3
//! session tickets, a CertificateRequest, and an HTTP `GET /` for the HSTS
//! header. The verifier records what the server sends instead of judging it;
//! the chain is checked afterwards (`cert.rs`), so an untrusted chain is a
//! fact in the report, not an aborted probe.

use std::io::{Read, Write};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};

use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::client::ResolvesClientCert;
use rustls::crypto::CryptoProvider;
use rustls::pki_types::{CertificateDer, ServerName, UnixTime};
use rustls::sign::CertifiedKey;
use rustls::{ClientConfig, ClientConnection, DigitallySignedStruct, SignatureScheme};

use super::wire::{self, Bounded, MAX_FLIGHT};
use super::Ctx;

/// The ring provider with everything it has enabled.
pub fn provider() -> Arc<CryptoProvider> {
    Arc::new(rustls::crypto::ring::default_provider())
}

/// The code points of the suites every rustls handshake offers (TLS 1.3
/// and 1.2: AES-GCM and ChaCha20-Poly1305 with ECDHE only).
pub fn offered_suites() -> Vec<u16> {
    provider()
        .cipher_suites
        .iter()
        .map(|s| u16::from(s.suite()))
        .collect()
}

/// The code points of the key exchange groups every rustls handshake offers.
pub fn offered_groups() -> Vec<u16> {
    provider()
        .kx_groups
        .iter()
        .map(|g| u16::from(g.name()))
        .collect()
}

#[derive(Debug, Default)]
struct Captured {
    chain: Vec<Vec<u8>>,
    ocsp: Vec<u8>,
}

/// Records the chain and OCSP response; accepts any chain (the probe sends
/// nothing secret unless given a client certificate, which the user chose to
/// present to this server).
#[derive(Debug)]
struct Recorder {
    got: Mutex<Captured>,
    provider: Arc<CryptoProvider>,
    /// The signature algorithms offered (None: all the provider verifies).
    only: Option<&'static [SignatureScheme]>,
}

impl ServerCertVerifier for Recorder {
    fn verify_server_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        intermediates: &[CertificateDer<'_>],
        _server_name: &ServerName<'_>,
        ocsp_response: &[u8],
        _now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        if let Ok(mut g) = self.got.lock() {
            g.chain = std::iter::once(end_entity)
                .chain(intermediates)
                .map(|c| c.as_ref().to_vec())
                .collect();
            g.ocsp = ocsp_response.to_vec();
        }
        Ok(ServerCertVerified::assertion())
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls12_signature(
            message,
            cert,
            dss,
            &self.provider.signature_verification_algorithms,
        )
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls13_signature(
            message,
            cert,
            dss,
            &self.provider.signature_verification_algorithms,
        )
    }

    /// What the ClientHello's signature_algorithms lists: a server with
    /// several certificates picks the one these can verify.
    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        let all = self
            .provider
            .signature_verification_algorithms
            .supported_schemes();
        match self.only {
            Some(only) => all.into_iter().filter(|s| only.contains(s)).collect(),
            None => all,
        }
    }
}

/// Notes a CertificateRequest (TLS 1.3 sends it encrypted: only a complete
/// handshake sees it) and answers with the client certificate, if any.
#[derive(Debug)]
struct ClientAuth {
    key: Option<Arc<CertifiedKey>>,
    asked: AtomicBool,
}

impl ResolvesClientCert for ClientAuth {
    fn resolve(
        &self,
        _root_hint_subjects: &[&[u8]],
        _sigschemes: &[SignatureScheme],
    ) -> Option<Arc<CertifiedKey>> {
        self.asked.store(true, Ordering::Relaxed);
        self.key.clone()
    }
    fn has_certs(&self) -> bool {
        true
    }
}

/// Load `--client-cert` / `--client-key` (PEM) for mTLS servers.
pub fn load_client_identity(
    cert: &std::path::Path,
    key: &std::path::Path,
) -> Result<Arc<CertifiedKey>, String> {
    use rustls::pki_types::pem::PemObject;
    use rustls::pki_types::PrivateKeyDer;
    let certs: Vec<CertificateDer<'static>> = CertificateDer::pem_file_iter(cert)
        .map_err(|e| format!("{}: {e}", cert.display()))?
        .collect::<Result<_, _>>()
        .map_err(|e| format!("{}: {e}", cert.display()))?;
    if certs.is_empty() {
        return Err(format!("{}: no certificate", cert.display()));
    }
    let k = PrivateKeyDer::from_pem_file(key).map_err(|e| format!("{}: {e}", key.display()))?;
    CertifiedKey::from_der(certs, k, &provider())
        .map(Arc::new)
        .map_err(|e| format!("{}: {e}", key.display()))
}

/// What one rustls connection learnt.
#[derive(Debug, Clone, Default)]
pub struct Full {
    /// The handshake completed.
    pub completed: bool,
    pub error: Option<String>,
    pub version: Option<&'static str>,
    pub suite: Option<u16>,
    pub group: Option<u16>,
    pub alpn: Option<String>,
    pub chain: Vec<Vec<u8>>,
    /// Length of the stapled OCSP response (0: none).
    pub ocsp_len: usize,
    pub certificate_requested: bool,
    pub tls13_tickets: u32,
    /// The HTTP status line of `GET /`, when asked and answered.
    pub http_status: Option<String>,
    /// Why `GET /` got no whole response head (none, cut short, too long).
    pub http_error: Option<String>,
    pub hsts: Option<String>,
}

/// How to connect.
pub struct FullOptions<'a> {
    /// SNI to send (None: none).
    pub sni: Option<&'a str>,
    pub alpn: &'a [&'a str],
    /// Send `GET /` with this Host header after the handshake.
    pub http_host: Option<&'a str>,
    /// Offer only these signature algorithms (None: every one rustls verifies).
    pub sigalgs: Option<&'static [SignatureScheme]>,
}

/// A family of signature algorithms, offered alone to get the chain a
/// server holds for one key type (nginx: several `ssl_certificate`; httpd:
/// several `SSLCertificateFile`). OpenSSL picks the certificate by the
/// client's signature_algorithms in TLS 1.3 (`tls_choose_sigalg`) and by
/// the suite's authentication, among the certificates those algorithms can
/// verify (`tls1_check_chain`), below.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SigFamily {
    /// `RSA`, `ECDSA`, `Ed25519`: the key type (`KeyKind::label`) it asks for.
    pub key_type: &'static str,
    pub schemes: &'static [SignatureScheme],
}

/// RSA (PSS with an rsaEncryption key, and PKCS#1 v1.5), ECDSA (P-256 and
/// P-384: ring verifies no P-521, so a P-521 certificate is not asked for
/// in TLS 1.3) and Ed25519 — what rustls with ring verifies.
pub const SIG_FAMILIES: [SigFamily; 3] = [
    SigFamily {
        key_type: "RSA",
        schemes: &[
            SignatureScheme::RSA_PSS_SHA256,
            SignatureScheme::RSA_PSS_SHA384,
            SignatureScheme::RSA_PSS_SHA512,
            SignatureScheme::RSA_PKCS1_SHA256,
            SignatureScheme::RSA_PKCS1_SHA384,
            SignatureScheme::RSA_PKCS1_SHA512,
        ],
    },
    SigFamily {
        key_type: "ECDSA",
        schemes: &[
            SignatureScheme::ECDSA_NISTP256_SHA256,
            SignatureScheme::ECDSA_NISTP384_SHA384,
        ],
    },
    SigFamily {
        key_type: "Ed25519",
        schemes: &[SignatureScheme::ED25519],
    },
];

/// One rustls connection.
pub fn handshake(ctx: &Ctx, o: &FullOptions<'_>) -> Full {
    let r = handshake_inner(ctx, o);
    ctx.connection_done();
    r
}

fn handshake_inner(ctx: &Ctx, o: &FullOptions<'_>) -> Full {
    let mut out = Full::default();
    let provider = provider();
    let recorder = Arc::new(Recorder {
        got: Mutex::new(Captured::default()),
        provider: provider.clone(),
        only: o.sigalgs,
    });
    let auth = Arc::new(ClientAuth {
        key: ctx.client_identity.clone(),
        asked: AtomicBool::new(false),
    });
    let cfg =
        match ClientConfig::builder_with_provider(provider).with_safe_default_protocol_versions() {
            Ok(b) => b,
            Err(e) => {
                out.error = Some(e.to_string());
                return out;
            }
        };
    let mut cfg = cfg
        .dangerous()
        .with_custom_certificate_verifier(recorder.clone())
        .with_client_cert_resolver(auth.clone());
    cfg.alpn_protocols = o.alpn.iter().map(|a| a.as_bytes().to_vec()).collect();
    cfg.enable_sni = o.sni.is_some();
    let name: ServerName<'static> = match o.sni {
        Some(n) => match ServerName::try_from(n.to_string()) {
            Ok(n) => n,
            Err(e) => {
                out.error = Some(format!("SNI {n:?}: {e}"));
                return out;
            }
        },
        None => ServerName::IpAddress(ctx.addr.ip().into()),
    };
    let mut conn = match ClientConnection::new(Arc::new(cfg), name) {
        Ok(c) => c,
        Err(e) => {
            out.error = Some(e.to_string());
            return out;
        }
    };
    let stream = match wire::connect(&ctx.addr, ctx.timeout) {
        Ok(s) => s,
        Err(e) => {
            out.error = Some(e.to_string());
            return out;
        }
    };
    let mut sock = Bounded::new(stream, ctx.timeout, MAX_FLIGHT);
    let mut result = Ok(());
    while conn.is_handshaking() {
        if let Err(e) = conn.complete_io(&mut sock) {
            result = Err(e);
            break;
        }
    }
    out.certificate_requested = auth.asked.load(Ordering::Relaxed);
    if let Ok(g) = recorder.got.lock() {
        out.chain = g.chain.clone();
        out.ocsp_len = g.ocsp.len();
    }
    if let Err(e) = result {
        out.error = Some(e.to_string());
        return out;
    }
    out.completed = true;
    out.version = conn.protocol_version().map(|v| match v {
        rustls::ProtocolVersion::TLSv1_3 => "TLSv1.3",
        rustls::ProtocolVersion::TLSv1_2 => "TLSv1.2",
        _ => "other",
    });
    out.suite = conn.negotiated_cipher_suite().map(|s| u16::from(s.suite()));
    out.group = conn
        .negotiated_key_exchange_group()
        .map(|g| u16::from(g.name()));
    out.alpn = conn
        .alpn_protocol()
        .map(|a| crate::printable::escaped(&String::from_utf8_lossy(a)));
    if let Some(host) = o.http_host {
        sock.extend(ctx.timeout, MAX_FLIGHT);
        match http_get(&mut conn, &mut sock, host) {
            Ok(head) => {
                // what the server sent, shown without its control characters
                out.http_status = head.lines().next().map(crate::printable::escaped);
                out.hsts = header(&head, "strict-transport-security");
            }
            // an answer cut short or too long: the headers are unknown
            Err(HttpError::Head(e)) => out.http_error = Some(format!("GET /: {e}")),
            // no answer at all: the connection failed (TLS 1.3 servers that
            // require a client certificate refuse here, after the handshake)
            Err(HttpError::Connection(e)) => out.error = Some(format!("HTTP GET /: {e}")),
        }
        // a server that asks for a certificate only after the request
        // (renegotiation, post-handshake auth) is noted too
        out.certificate_requested |= auth.asked.load(Ordering::Relaxed);
    }
    out.tls13_tickets = conn.tls13_tickets_received();
    out
}

/// Most bytes of an HTTP response head read.
const MAX_HEAD: usize = 64 * 1024;

/// Why `GET /` got no whole response head.
enum HttpError {
    /// No byte of an answer: the request or the connection failed.
    Connection(String),
    /// An answer, but not its whole head (cut short, or too long).
    Head(String),
}

fn http_get(
    conn: &mut ClientConnection,
    sock: &mut Bounded,
    host: &str,
) -> Result<String, HttpError> {
    let mut tls = rustls::Stream::new(conn, sock);
    let req = format!(
        "GET / HTTP/1.1\r\nHost: {host}\r\nUser-Agent: tlslint-probe\r\nAccept: */*\r\nConnection: close\r\n\r\n"
    );
    tls.write_all(req.as_bytes())
        .map_err(|e| HttpError::Connection(e.to_string()))?;
    let _ = tls.flush();
    let mut buf = Vec::new();
    let mut chunk = [0u8; 4096];
    // a head cut short (closed, reset, timed out before the empty line)
    // is reported as such: its headers may be the ones missing
    let cut = |buf: &[u8], why: String| {
        if buf.is_empty() {
            HttpError::Connection(format!("no answer ({why})"))
        } else {
            HttpError::Head(format!(
                "the response head was cut short after {} bytes, before the end of its headers ({why}): its headers are unknown",
                buf.len()
            ))
        }
    };
    loop {
        if let Some(end) = find(&buf, b"\r\n\r\n") {
            buf.truncate(end);
            break;
        }
        if buf.len() >= MAX_HEAD {
            return Err(HttpError::Head(format!(
                "no end of the response head in {MAX_HEAD} bytes (at most {MAX_HEAD} are read): its headers are unknown"
            )));
        }
        match tls.read(&mut chunk) {
            Ok(0) => return Err(cut(&buf, "the connection was closed".into())),
            Ok(n) => buf.extend_from_slice(&chunk[..n]),
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(e) => return Err(cut(&buf, e.to_string())),
        }
    }
    Ok(String::from_utf8_lossy(&buf).into_owned())
}

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}

/// The value of a response header (first occurrence, case-insensitive name).
pub fn header(head: &str, name: &str) -> Option<String> {
    head.lines().skip(1).find_map(|l| {
        let (k, v) = l.split_once(':')?;
        k.trim()
            .eq_ignore_ascii_case(name)
            .then(|| crate::printable::escaped(v.trim()))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_hsts_header_case_insensitively() {
        let head = "HTTP/1.1 200 OK\r\nServer: x\r\nstrict-Transport-Security:  max-age=63072000; includeSubDomains \r\nX: y";
        assert_eq!(
            header(head, "strict-transport-security").as_deref(),
            Some("max-age=63072000; includeSubDomains")
        );
        assert_eq!(
            header("HTTP/1.1 200 OK\r\nA: b", "strict-transport-security"),
            None
        );
        // a value with control characters is shown escaped
        assert_eq!(
            header(
                "HTTP/1.1 200 OK\r\nStrict-Transport-Security: max-age=1\x1b[31m\r::warning::x",
                "strict-transport-security"
            )
            .as_deref(),
            Some("max-age=1\\x1b[31m\\r::warning::x")
        );
        // the status line is not a header
        assert_eq!(
            header("strict-transport-security: x", "strict-transport-security"),
            None
        );
    }
}
