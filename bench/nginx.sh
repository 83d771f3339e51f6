#!/usr/bin/env bash
# Benchmark: parse and resolve a generated nginx tree of 20,000 TLS server
# blocks in 2,000 files, beside `crossplane parse` of the same tree.
#
#   bash bench/nginx.sh [--servers N] [--files N] [--runs N] [--keep]
#
# Prints wall time (hyperfine when installed, else the median of --runs timed
# runs), peak RSS (GNU time, Debian package `time`), the tree's size, and the
# ratios against the targets: tlslint at least 20x faster than crossplane,
# peak memory under 3x the tree's size on disk. Uses target/release/tlslint
# (built here). crossplane: $TLSLINT_CROSSPLANE, else .venv/bin/crossplane,
# else PATH. Results are also written to bench/out/nginx.md.
set -euo pipefail

servers=20000
files=2000
runs=5
keep=0
while [ $# -gt 0 ]; do
    case "$1" in
        --servers) servers=$2; shift 2 ;;
        --files) files=$2; shift 2 ;;
        --runs) runs=$2; shift 2 ;;
        --keep) keep=1; shift ;;
        -h|--help) sed -n '2,13p' "$0"; exit 0 ;;
        *) echo "unknown argument: $1" >&2; exit 2 ;;
    esac
done
if [ $((servers % files)) -ne 0 ]; then
    echo "--servers must be a multiple of --files" >&2; exit 2
fi

repo=$(cd "$(dirname "$0")/.." && pwd)
cd "$repo"

# ---------------------------------------------------------------- tools
cargo build --release --quiet
tlslint="$repo/target/release/tlslint"

crossplane=${TLSLINT_CROSSPLANE:-}
if [ -z "$crossplane" ]; then
    if [ -x "$repo/.venv/bin/crossplane" ]; then
        crossplane="$repo/.venv/bin/crossplane"
    else
        crossplane=$(command -v crossplane || true)
    fi
fi
if [ -z "$crossplane" ]; then
    echo "note: crossplane not found (python3 -m venv .venv && .venv/bin/pip install crossplane==0.5.8); timing tlslint only" >&2
fi
gnutime=/usr/bin/time
if ! "$gnutime" -f '%M' true >/dev/null 2>&1; then
    echo "note: GNU time not found (apt-get install time): no peak memory figures" >&2
    gnutime=""
fi
hyperfine=$(command -v hyperfine || true)

# ---------------------------------------------------------------- the tree
work=$(mktemp -d "${TMPDIR:-/tmp}/tlslint-bench.XXXXXX")
if [ "$keep" -eq 0 ]; then
    trap 'rm -rf "$work"' EXIT
fi
tree="$work/nginx"
mkdir -p "$tree/sites-enabled" "$tree/conf.d" "$tree/snippets"

cat >"$tree/nginx.conf" <<'EOF'
user www-data;
worker_processes auto;
pid /run/nginx.pid;
events {
    worker_connections 1024;
}
http {
    sendfile on;
    tcp_nopush on;
    types_hash_max_size 2048;
    default_type application/octet-stream;
    ssl_protocols TLSv1.2 TLSv1.3;
    ssl_prefer_server_ciphers off;
    access_log /var/log/nginx/access.log;
    include conf.d/*.conf;
    include sites-enabled/*.conf;
}
EOF
cat >"$tree/conf.d/ssl.conf" <<'EOF'
# shared TLS settings (Mozilla intermediate)
ssl_session_cache shared:SSL:10m;
ssl_session_timeout 1d;
ssl_session_tickets off;
ssl_ecdh_curve X25519:prime256v1:secp384r1;
EOF
cat >"$tree/snippets/tls-intermediate.conf" <<'EOF'
ssl_protocols TLSv1.2 TLSv1.3;
ssl_ciphers ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256:ECDHE-ECDSA-AES256-GCM-SHA384:ECDHE-RSA-AES256-GCM-SHA384:ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-RSA-CHACHA20-POLY1305:DHE-RSA-AES128-GCM-SHA256:DHE-RSA-AES256-GCM-SHA384;
ssl_prefer_server_ciphers off;
add_header Strict-Transport-Security "max-age=63072000" always;
EOF

# every site file: servers/files TLS servers; some with their own ciphers,
# some old-style, a redirect server, locations, comments and quoting
awk -v servers="$servers" -v files="$files" -v dir="$tree/sites-enabled" 'BEGIN {
    per = servers / files
    n = 0
    for (f = 0; f < files; f++) {
        out = sprintf("%s/site-%05d.conf", dir, f)
        printf "# generated site file %d\n", f > out
        for (s = 0; s < per; s++) {
            host = sprintf("site%d-%d.example.com", f, s)
            printf "server {\n" > out
            printf "    listen 443 ssl http2;\n    listen [::]:443 ssl http2;\n" > out
            printf "    server_name %s www.%s;\n", host, host > out
            printf "    root /var/www/%s;  # document root\n", host > out
            printf "    ssl_certificate /etc/ssl/certs/%s.pem;\n", host > out
            printf "    ssl_certificate_key /etc/ssl/private/%s.key;\n", host > out
            if (n % 4 == 0) {
                printf "    ssl_protocols TLSv1 TLSv1.1 TLSv1.2;\n" > out
                printf "    ssl_ciphers \"HIGH:!aNULL:!MD5\";\n" > out
            } else {
                printf "    include snippets/tls-intermediate.conf;\n" > out
            }
            printf "    ssl_stapling on;\n    ssl_stapling_verify on;\n" > out
            printf "    location / {\n        try_files $uri $uri/ =404;\n    }\n" > out
            printf "    location ~ \\.php$ {\n        fastcgi_pass unix:/run/php/php-fpm.sock;\n        fastcgi_param SCRIPT_FILENAME $document_root$fastcgi_script_name;\n    }\n" > out
            printf "    if ($host != \"%s\") {\n        return 301 https://%s$request_uri;\n    }\n", host, host > out
            printf "}\n" > out
            n++
        }
        printf "server {\n    listen 80;\n    server_name site%d.example.com;\n    return 301 https://$host$request_uri;\n}\n", f > out
        close(out)
    }
}'

nfiles=$(find "$tree" -type f | wc -l)
bytes=$(find "$tree" -type f -printf '%s\n' | awk '{s += $1} END {print s}')
disk_kb=$(du -sk "$tree" | cut -f1)
echo "tree: $tree"
echo "  $servers TLS server blocks (+$files port-80 redirects) in $nfiles files; $bytes bytes of text, $disk_kb KiB on disk"

# ---------------------------------------------------------------- agreement
# both parsers must read the same tree the same way before timing means much
out_t="$work/tlslint.json"
out_c="$work/crossplane.json"
"$tlslint" parse "$tree/nginx.conf" --format crossplane >"$out_t"
if [ -n "$crossplane" ]; then
    "$crossplane" parse "$tree/nginx.conf" >"$out_c"
    if python3 -c 'import json,sys; a=json.load(open(sys.argv[1])); b=json.load(open(sys.argv[2])); sys.exit(0 if a==b else 1)' "$out_t" "$out_c"; then
        echo "  tlslint parse --format crossplane == crossplane parse on this tree"
    else
        echo "  WARNING: tlslint and crossplane disagree on this tree" >&2
    fi
fi

# does `tlslint PATH` (the full check) work yet?
set +e
"$tlslint" "$tree/nginx.conf" --format json >"$work/check.json" 2>"$work/check.err"
check_rc=$?
set -e
if [ "$check_rc" -le 1 ]; then
    check=1
    echo "  tlslint check: exit $check_rc, $(wc -c <"$work/check.json") bytes of JSON"
else
    check=0
    echo "  note: \`tlslint PATH --format json\` exits $check_rc ($(head -c 200 "$work/check.err")); timing parse only"
fi

# ---------------------------------------------------------------- timing
declare -A secs rss
names=("tlslint parse" "tlslint parse+resolve")
cmds=("'$tlslint' parse '$tree/nginx.conf' --format crossplane"
      "'$tlslint' parse '$tree/nginx.conf' --format endpoints")
if [ "$check" -eq 1 ]; then
    names+=("tlslint check")
    cmds+=("'$tlslint' '$tree/nginx.conf' --format json")
fi
if [ -n "$crossplane" ]; then
    names+=("crossplane parse")
    cmds+=("'$crossplane' parse '$tree/nginx.conf'")
fi

median() { sort -g | awk '{a[NR] = $1} END {if (NR % 2) print a[(NR + 1) / 2]; else print (a[NR / 2] + a[NR / 2 + 1]) / 2}'; }

now() { date +%s.%N; }
elapsed() { awk -v s="$1" -v e="$2" 'BEGIN {printf "%.4f", e - s}'; }
slow=()
for i in "${!names[@]}"; do
    name=${names[$i]}
    cmd="${cmds[$i]} >/dev/null"
    # the first run warms the caches; a command slower than 20 s is not repeated
    s=$(now); bash -c "$cmd" || true; e=$(now)
    first=$(elapsed "$s" "$e")
    if awk -v t="$first" 'BEGIN {exit !(t > 20)}'; then
        secs[$name]=$first
        slow+=("$name")
    elif [ -n "$hyperfine" ]; then
        json="$work/hyperfine-$i.json"
        "$hyperfine" --ignore-failure --runs "$runs" --style none --export-json "$json" "$cmd" >/dev/null
        secs[$name]=$(python3 -c 'import json,sys; print("%.4f" % json.load(open(sys.argv[1]))["results"][0]["median"])' "$json")
    else
        t=()
        for _ in $(seq "$runs"); do
            s=$(now); bash -c "$cmd" || true; e=$(now)
            t+=("$(elapsed "$s" "$e")")
        done
        secs[$name]=$(printf '%s\n' "${t[@]}" | median)
    fi
    if [ -n "$gnutime" ]; then
        "$gnutime" -f '%M' -o "$work/rss" bash -c "exec ${cmd}" || true
        rss[$name]=$(tail -n1 "$work/rss")
    else
        rss[$name]=""
    fi
    echo "  $name: ${secs[$name]} s, ${rss[$name]:-?} KiB peak RSS"
done

# ---------------------------------------------------------------- report
timer=$([ -n "$hyperfine" ] && echo "hyperfine, median of $runs runs after a warm-up run" || echo "median of $runs runs after a warm-up run")
if [ "${#slow[@]}" -gt 0 ]; then
    timer="$timer; one run for commands slower than 20 s (${slow[*]})"
fi
report="$repo/bench/out/nginx.md"
mkdir -p "$repo/bench/out"
{
    echo "Tree: $servers TLS server blocks in $files site files ($nfiles files), $bytes bytes ($((bytes / 1024)) KiB), $disk_kb KiB on disk."
    echo "Machine: $(nproc) cores, $(uname -sr); $("$tlslint" --version); ${crossplane:+$("$crossplane" --version 2>/dev/null | tr -d "\n")}. Time: $timer."
    echo
    echo "| command | wall time (s) | peak RSS (MiB) | RSS / tree bytes | RSS / tree on disk |"
    echo "|---|---:|---:|---:|---:|"
    for name in "${names[@]}"; do
        r=${rss[$name]}
        if [ -n "$r" ]; then
            mib=$(awk -v r="$r" 'BEGIN {printf "%.1f", r / 1024}')
            ratio=$(awk -v r="$r" -v b="$bytes" 'BEGIN {printf "%.2fx", r * 1024 / b}')
            dratio=$(awk -v r="$r" -v d="$disk_kb" 'BEGIN {printf "%.2fx", r / d}')
        else
            mib="-"; ratio="-"; dratio="-"
        fi
        echo "| $name | ${secs[$name]} | $mib | $ratio | $dratio |"
    done
    if [ -n "$crossplane" ]; then
        echo
        for name in "${names[@]}"; do
            [ "$name" = "crossplane parse" ] && continue
            echo "- crossplane parse / $name: $(awk -v c="${secs[crossplane parse]}" -v t="${secs[$name]}" 'BEGIN {printf "%.1f", c / t}')x faster (target: at least 20x)"
        done
    fi
} | tee "$report"
echo
echo "(written to $report)"
