#!/usr/bin/env bash
# Seed fuzz/corpus/ before a campaign: the repository's trees and directive arguments (through the
# replay test), plus certificate, key and TLS record inputs made here with openssl and python3.
# Usage: bash fuzz/seed.sh   (from anywhere; writes only below fuzz/corpus/)
set -euo pipefail
cd "$(dirname "$0")/.."
UPDATE_FUZZ_SEEDS=1 cargo test --quiet --test fuzz_replay every_corpus_and_regression_input_replays

c=fuzz/corpus
# the made-* seeds are committed: made once, kept (new keys each run would churn the corpus)
if [ -e "$c/probe_wire/made-certificate" ]; then
    for t in "$c"/*; do echo "$(basename "$t"): $(ls "$t" | wc -l) inputs"; done
    exit 0
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
mkdir -p "$c/pem_x509" "$c/key_decrypt" "$c/probe_wire"

# certificates and keys of each kind, a chain, DH parameters, a CRL-less CA file
openssl req -x509 -newkey rsa:2048 -nodes -keyout "$tmp/ca.key" -out "$tmp/ca.pem" -days 30 \
    -subj "/CN=Seed CA" -addext basicConstraints=critical,CA:TRUE 2>/dev/null
openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout "$tmp/leaf.key" \
    -out "$tmp/leaf.csr" -subj "/CN=seed.example" 2>/dev/null
openssl x509 -req -in "$tmp/leaf.csr" -CA "$tmp/ca.pem" -CAkey "$tmp/ca.key" -days 30 \
    -out "$tmp/leaf.pem" -extfile <(printf 'subjectAltName=DNS:seed.example,IP:127.0.0.1\n') 2>/dev/null
openssl genpkey -algorithm ed25519 -out "$tmp/ed.key" 2>/dev/null
openssl dhparam -dsaparam -out "$tmp/dh.pem" 1024 2>/dev/null
cat "$tmp/leaf.pem" "$tmp/ca.pem" >"$c/pem_x509/made-chain"
cat "$tmp/leaf.pem" "$tmp/leaf.key" >"$c/pem_x509/made-cert-and-key"
cp "$tmp/ca.key" "$c/pem_x509/made-rsa-key"
cp "$tmp/ed.key" "$c/pem_x509/made-ed25519-key"
cp "$tmp/dh.pem" "$c/pem_x509/made-dhparam"
openssl x509 -in "$tmp/leaf.pem" -outform DER -out "$c/pem_x509/made-der"

# encrypted keys: PKCS #8 with PBKDF2 (few iterations) and scrypt, legacy PEM; a pass file first
pk8() { openssl pkcs8 -topk8 -in "$tmp/leaf.key" -passout pass:seed "$@" 2>/dev/null; }
{ printf 'wrong\nseed\n\0'; pk8 -v2 aes-256-cbc -iter 16; } >"$c/key_decrypt/made-pbkdf2"
{ printf 'seed\n\0'; pk8 -v2 aes-128-cbc -v2prf hmacWithSHA1 -iter 8; } >"$c/key_decrypt/made-pbkdf2-sha1"
{ printf 'seed\n\0'; pk8 -scrypt -scrypt_N 16 -scrypt_r 1 -scrypt_p 1; } >"$c/key_decrypt/made-scrypt"
{ printf 'seed\n\0'; openssl rsa -in "$tmp/ca.key" -aes128 -passout pass:seed -traditional 2>/dev/null; } \
    >"$c/key_decrypt/made-legacy-aes"
{ printf 'seed\n\0'; openssl rsa -in "$tmp/ca.key" -des3 -passout pass:seed -traditional 2>/dev/null; } \
    >"$c/key_decrypt/made-legacy-des3"

# what a server sends: ServerHello (TLS 1.2, and 1.3 with supported_versions and key_share),
# a HelloRetryRequest, a Certificate message body, CertificateStatus, ServerKeyExchange, alerts
openssl x509 -in "$tmp/leaf.pem" -outform DER -out "$tmp/leaf.der"
openssl x509 -in "$tmp/ca.pem" -outform DER -out "$tmp/ca.der"
python3 - "$c/probe_wire" "$tmp/leaf.der" "$tmp/ca.der" <<'EOF'
import os, struct, sys
out, leaf, ca = sys.argv[1], open(sys.argv[2], 'rb').read(), open(sys.argv[3], 'rb').read()
u8 = lambda b: bytes([len(b)]) + b
u16 = lambda b: struct.pack('>H', len(b)) + b
u24 = lambda b: struct.pack('>I', len(b))[1:] + b
ext = lambda t, d: struct.pack('>H', t) + u16(d)
hrr = bytes.fromhex('cf21ad74e59a6111be1d8c021e65b891c2a211167abb8c5e079e09e2c8a8339c')
def hello(version, suite, exts, rnd=b'\x11' * 32):
    return struct.pack('>H', version) + rnd + u8(b'\x22' * 32) + struct.pack('>H', suite) + b'\x00' + (u16(exts) if exts is not None else b'')
seeds = {
    'sh-tls12': hello(0x0303, 0xc02f, ext(0xff01, b'\x00') + ext(0x0023, b'') + ext(0x0010, u16(u8(b'h2')))),
    'sh-tls12-bare': hello(0x0303, 0x009c, None),
    'sh-tls13': hello(0x0303, 0x1301, ext(0x002b, b'\x03\x04') + ext(0x0033, b'\x00\x1d' + u16(b'\x33' * 32))),
    'hrr': hello(0x0303, 0x1302, ext(0x002b, b'\x03\x04') + ext(0x0033, b'\x00\x17'), hrr),
    'certificate': u24(u24(leaf) + u24(ca)),
    'status': b'\x01' + u24(b'\x30\x03\x0a\x01\x00'),
    'ske-dh': u16(b'\xff' * 256) + u16(b'\x02') + u16(b'\x01' * 256) + b'\x04\x01' + u16(b'\x00' * 16),
    'ske-ec': b'\x03\x00\x17' + u8(b'\x04' + b'\x01' * 64) + b'\x04\x03' + u16(b'\x00' * 16),
    'alert': b'\x02\x28',
    'record': b'\x16\x03\x03\x00\x31',
}
for name, data in seeds.items():
    open(os.path.join(out, 'made-' + name), 'wb').write(data)
EOF
for t in "$c"/*; do echo "$(basename "$t"): $(ls "$t" | wc -l) inputs"; done
