#!/usr/bin/env bash
# Benchmark: a full `tlslint probe` of one loopback endpoint, beside sslyze
# (every cipher-suite scan + certinfo) and testssl.sh (protocols, each
# cipher, server preference, server defaults) on the same server.
#
#   bash bench/probe.sh [--runs N] [--keep]
#
# The server is nginx (a temporary prefix, 127.0.0.1, TLS 1.0-1.3, Mozilla's
# Old cipher string at @SECLEVEL=0, 2048-bit DH), or `openssl s_server` when
# nginx is missing. Prints the median wall time of --runs runs of each tool
# and the ratios against the targets: tlslint at least 5x faster than sslyze
# and 30x faster than testssl.sh. Uses target/release/tlslint (built here).
# sslyze: $TLSLINT_SSLYZE, else /tmp/venv-sslyze/bin/sslyze, else PATH.
# testssl.sh: $TESTSSL, else `testssl` / `testssl.sh` on PATH (Debian:
# apt-get install testssl.sh), else a shallow git clone into bench/out/.
# Results are also written to bench/out/probe.md.
set -euo pipefail

runs=5
keep=0
while [ $# -gt 0 ]; do
    case "$1" in
        --runs) runs=$2; shift 2 ;;
        --keep) keep=1; shift ;;
        -h|--help) sed -n '2,16p' "$0"; exit 0 ;;
        *) echo "unknown argument: $1" >&2; exit 2 ;;
    esac
done

repo=$(cd "$(dirname "$0")/.." && pwd)
cd "$repo"
mkdir -p bench/out

# ---------------------------------------------------------------- tools
cargo build --release --quiet
tlslint="$repo/target/release/tlslint"

sslyze=${TLSLINT_SSLYZE:-}
if [ -z "$sslyze" ]; then
    if [ -x /tmp/venv-sslyze/bin/sslyze ]; then
        sslyze=/tmp/venv-sslyze/bin/sslyze
    else
        sslyze=$(command -v sslyze || true)
    fi
fi
[ -n "$sslyze" ] || echo "note: sslyze not found (python3 -m venv /tmp/venv-sslyze && /tmp/venv-sslyze/bin/pip install sslyze)" >&2

testssl=${TESTSSL:-}
if [ -z "$testssl" ]; then
    testssl=$(command -v testssl || command -v testssl.sh || true)
fi
if [ -z "$testssl" ]; then
    if [ ! -x bench/out/testssl.sh/testssl.sh ]; then
        git clone --quiet --depth 1 https://github.com/testssl/testssl.sh bench/out/testssl.sh 2>/dev/null || true
    fi
    if [ -x bench/out/testssl.sh/testssl.sh ]; then
        testssl="$repo/bench/out/testssl.sh/testssl.sh"
    fi
fi
[ -n "$testssl" ] || echo "note: testssl.sh not found (apt-get install testssl.sh, or set TESTSSL)" >&2

# ---------------------------------------------------------------- the server
work=$(mktemp -d "${TMPDIR:-/tmp}/tlslint-probe-bench.XXXXXX")
server_pid=""
cleanup() {
    if [ -n "$server_pid" ]; then kill "$server_pid" 2>/dev/null || true; wait "$server_pid" 2>/dev/null || true; fi
    if [ "$keep" -eq 0 ]; then rm -rf "$work"; else echo "kept $work" >&2; fi
}
trap cleanup EXIT

openssl req -x509 -newkey rsa:2048 -nodes -keyout "$work/key.pem" -out "$work/cert.pem" \
    -subj /CN=localhost -addext subjectAltName=DNS:localhost -days 30 2>/dev/null
openssl genpkey -genparam -algorithm DH -pkeyopt group:ffdhe2048 -out "$work/dh.pem" 2>/dev/null
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
old='ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256:ECDHE-ECDSA-AES256-GCM-SHA384:ECDHE-RSA-AES256-GCM-SHA384:ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-RSA-CHACHA20-POLY1305:DHE-RSA-AES128-GCM-SHA256:DHE-RSA-AES256-GCM-SHA384:DHE-RSA-CHACHA20-POLY1305:ECDHE-ECDSA-AES128-SHA256:ECDHE-RSA-AES128-SHA256:ECDHE-ECDSA-AES128-SHA:ECDHE-RSA-AES128-SHA:ECDHE-ECDSA-AES256-SHA384:ECDHE-RSA-AES256-SHA384:ECDHE-ECDSA-AES256-SHA:ECDHE-RSA-AES256-SHA:DHE-RSA-AES128-SHA256:DHE-RSA-AES256-SHA256:AES128-GCM-SHA256:AES256-GCM-SHA384:AES128-SHA256:AES256-SHA256:AES128-SHA:AES256-SHA:DES-CBC3-SHA:@SECLEVEL=0'
nginx=${TLSLINT_NGINX:-$(command -v nginx || ls /usr/sbin/nginx 2>/dev/null || true)}
if [ -n "$nginx" ]; then
    server="nginx ($("$nginx" -v 2>&1 | sed 's/.*nginx\///'))"
    mkdir -p "$work/tmp"
    user=""
    [ "$(id -u)" -eq 0 ] && user="user root;"
    cat >"$work/nginx.conf" <<EOF
$user
worker_processes 2;
events { worker_connections 1024; }
http {
  access_log off;
  client_body_temp_path $work/tmp/body; proxy_temp_path $work/tmp/proxy;
  fastcgi_temp_path $work/tmp/fcgi; uwsgi_temp_path $work/tmp/uwsgi; scgi_temp_path $work/tmp/scgi;
  server {
    listen 127.0.0.1:$port ssl;
    server_name localhost;
    ssl_certificate $work/cert.pem;
    ssl_certificate_key $work/key.pem;
    ssl_protocols TLSv1 TLSv1.1 TLSv1.2 TLSv1.3;
    ssl_ciphers $old;
    ssl_prefer_server_ciphers on;
    ssl_dhparam $work/dh.pem;
    add_header Strict-Transport-Security "max-age=63072000" always;
    location / { return 200 "ok\n"; }
  }
}
EOF
    "$nginx" -p "$work" -c "$work/nginx.conf" -e "$work/error.log" \
        -g "daemon off; pid $work/nginx.pid; error_log $work/error.log;" &
    server_pid=$!
else
    server="openssl s_server ($(openssl version | cut -d' ' -f2))"
    openssl s_server -accept "127.0.0.1:$port" -cert "$work/cert.pem" -key "$work/key.pem" \
        -dhparam "$work/dh.pem" -cipher "$old" -serverpref -www -quiet </dev/null >/dev/null 2>&1 &
    server_pid=$!
fi
for _ in $(seq 100); do
    (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null && break
    sleep 0.05
done

# ---------------------------------------------------------------- timing
# median wall time in seconds of $runs runs of "$@"
median() {
    local times=() t0 t1
    for _ in $(seq "$runs"); do
        t0=$(date +%s.%N)
        "$@" >/dev/null 2>&1 || true
        t1=$(date +%s.%N)
        times+=("$(awk -v a="$t1" -v b="$t0" 'BEGIN { print a - b }')")
    done
    printf '%s\n' "${times[@]}" | sort -n | awk '{a[NR]=$1} END {m=(NR%2)?a[(NR+1)/2]:(a[NR/2]+a[NR/2+1])/2; printf "%.3f\n", m}'
}

echo "server: $server on 127.0.0.1:$port; $runs runs each, median wall time"
"$tlslint" probe "localhost:$port" --format json >"$work/tlslint.json"
summary=$(python3 -c '
import json,sys
d=json.load(open(sys.argv[1]))
v=d["versions"]
print(", ".join(k + " " + str(len(x["ciphers"])) for k, x in v.items() if x["accepted"]),
      "suites;", d["timings"]["connections"], "connections")' "$work/tlslint.json")
echo "tlslint found: $summary"

t_tlslint=$(median "$tlslint" probe "localhost:$port" --format json)
printf '%-10s %8ss   %s\n' tlslint "$t_tlslint" "$tlslint probe localhost:$port --format json"
out="bench/out/probe.md"
{
    echo "# tlslint probe benchmark ($(date -u +%Y-%m-%d))"
    echo
    echo "server: $server on loopback; $runs runs each, median wall time; tlslint found: $summary"
    echo
    echo "| tool | seconds | ratio | command |"
    echo "|---|---|---|---|"
    echo "| tlslint | $t_tlslint | 1 | \`tlslint probe localhost:PORT --format json\` |"
} >"$out"

if [ -n "$sslyze" ]; then
    cmd=("$sslyze" --quiet --sslv2 --sslv3 --tlsv1 --tlsv1_1 --tlsv1_2 --tlsv1_3 --certinfo
        --mozilla_config disable "--json_out=$work/sslyze.json" "localhost:$port{127.0.0.1}")
    t=$(median "${cmd[@]}")
    ratio=$(awk -v a="$t" -v b="$t_tlslint" 'BEGIN { print a / b }')
    printf '%-10s %8ss   %5.1fx slower than tlslint (target >= 5x)   %s\n' sslyze "$t" "$ratio" "${cmd[*]}"
    printf '| sslyze | %s | %.1fx | `%s` |\n' "$t" "$ratio" \
        "sslyze --sslv2 --sslv3 --tlsv1 --tlsv1_1 --tlsv1_2 --tlsv1_3 --certinfo --mozilla_config disable" >>"$out"
fi
# the same results: accepted versions and suites per version, tlslint vs sslyze
if [ -n "$sslyze" ] && [ -s "$work/sslyze.json" ]; then
    same=$(python3 -c '
import json, sys
ours = json.load(open(sys.argv[1]))["versions"]
theirs = json.load(open(sys.argv[2]))["server_scan_results"][0]["scan_result"]
keys = {"SSLv3": "ssl_3_0_cipher_suites", "TLSv1": "tls_1_0_cipher_suites",
        "TLSv1.1": "tls_1_1_cipher_suites", "TLSv1.2": "tls_1_2_cipher_suites",
        "TLSv1.3": "tls_1_3_cipher_suites"}
diff = []
for v, k in keys.items():
    a = sorted(ours.get(v, {}).get("ciphers", []) if ours.get(v, {}).get("accepted") else [])
    b = sorted(c["cipher_suite"]["name"] for c in (theirs[k]["result"] or {}).get("accepted_cipher_suites", []))
    if a != b:
        diff.append("%s: tlslint %d, sslyze %d" % (v, len(a), len(b)))
print("same versions and suites as sslyze" if not diff else "DIFFERENT from sslyze: " + "; ".join(diff))
' "$work/tlslint.json" "$work/sslyze.json")
    echo "results: $same"
    printf '\nResults: %s.\n' "$same" >>"$out"
fi
if [ -n "$testssl" ]; then
    tcmd=("$testssl" --quiet --color 0 --warnings off --ip 127.0.0.1 -p -e -P -S "localhost:$port")
    t=$(median "${tcmd[@]}")
    ratio=$(awk -v a="$t" -v b="$t_tlslint" 'BEGIN { print a / b }')
    printf '%-10s %8ss   %5.1fx slower than tlslint (target >= 30x)   %s\n' testssl.sh "$t" "$ratio" "${tcmd[*]}"
    printf '| testssl.sh | %s | %.1fx | `%s` |\n' "$t" "$ratio" "testssl --quiet --color 0 --warnings off --ip 127.0.0.1 -p -e -P -S localhost:PORT" >>"$out"
fi
echo "written: $out"
