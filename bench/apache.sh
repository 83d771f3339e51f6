#!/usr/bin/env bash
# Benchmark: read, resolve and check a generated Apache httpd tree of 20,000
# TLS virtual hosts in 2,000 files, beside `apache2 -t` (httpd's own
# configuration test) on the same tree.
#
#   bash bench/apache.sh [--vhosts N] [--files N] [--runs N] [--keep]
#
# Prints the median wall time of --runs timed runs (after a warm-up run) and
# peak RSS (GNU time) of: `tlslint parse --format json` (read), `tlslint
# parse --format endpoints` (read + resolve), `tlslint PATH --format json`
# (the full check) and `apache2 -t`. Uses target/release/tlslint (built
# here). Results are also written to bench/out/apache.md.
set -euo pipefail

vhosts=20000
files=2000
runs=5
keep=0
while [ $# -gt 0 ]; do
    case "$1" in
        --vhosts) vhosts=$2; shift 2 ;;
        --files) files=$2; shift 2 ;;
        --runs) runs=$2; shift 2 ;;
        --keep) keep=1; shift ;;
        -h|--help) sed -n '2,12p' "$0"; exit 0 ;;
        *) echo "unknown argument: $1" >&2; exit 2 ;;
    esac
done
if [ $((vhosts % files)) -ne 0 ]; then
    echo "--vhosts must be a multiple of --files" >&2; exit 2
fi

repo=$(cd "$(dirname "$0")/.." && pwd)
cd "$repo"
cargo build --release --quiet
tlslint="$repo/target/release/tlslint"
httpd=$(command -v apache2 || command -v httpd || ls /usr/sbin/apache2 2>/dev/null || true)
[ -n "$httpd" ] || echo "note: apache2 not found (apt-get install apache2): timing tlslint only" >&2
gnutime=/usr/bin/time
"$gnutime" -f '%M' true >/dev/null 2>&1 || gnutime=""
mods=/usr/lib/apache2/modules

work=$(mktemp -d "${TMPDIR:-/tmp}/tlslint-bench-apache.XXXXXX")
[ "$keep" -eq 1 ] || trap 'rm -rf "$work"' EXIT
tree="$work/apache2"
mkdir -p "$tree/sites-enabled" "$tree/certs" "$tree/logs" "$tree/run"

# ten certificate/key pairs shared by the virtual hosts (httpd -t checks the files exist)
for i in $(seq 0 9); do
    openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 90 \
        -subj "/CN=cert$i.example.com" -addext "subjectAltName=DNS:*.example.com" \
        -keyout "$tree/certs/$i.key" -out "$tree/certs/$i.pem" 2>/dev/null
done

cat >"$tree/apache2.conf" <<EOF
ServerRoot "$tree"
ServerName bench.example.com
PidFile "$tree/run/httpd.pid"
DefaultRuntimeDir "$tree/run"
ErrorLog "$tree/logs/error.log"
LoadModule mpm_event_module $mods/mod_mpm_event.so
LoadModule authz_core_module $mods/mod_authz_core.so
LoadModule ssl_module $mods/mod_ssl.so
LoadModule socache_shmcb_module $mods/mod_socache_shmcb.so
LoadModule headers_module $mods/mod_headers.so
LoadModule rewrite_module $mods/mod_rewrite.so
Listen 80
Listen 443
<IfModule ssl_module>
    SSLProtocol -all +TLSv1.2 +TLSv1.3
    SSLCipherSuite ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256:ECDHE-ECDSA-AES256-GCM-SHA384:ECDHE-RSA-AES256-GCM-SHA384:ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-RSA-CHACHA20-POLY1305
    SSLHonorCipherOrder off
    SSLSessionTickets off
    SSLUseStapling on
    SSLStaplingCache "shmcb:$tree/run/ssl_stapling(32768)"
</IfModule>
IncludeOptional sites-enabled/*.conf
EOF

awk -v vhosts="$vhosts" -v files="$files" -v dir="$tree/sites-enabled" 'BEGIN {
    per = vhosts / files
    n = 0
    for (f = 0; f < files; f++) {
        out = sprintf("%s/site-%05d.conf", dir, f)
        printf "# generated site file %d\n", f > out
        printf "<VirtualHost *:80>\n    ServerName site%d.example.com\n    RewriteEngine On\n    RewriteRule ^ https://%%{HTTP_HOST}%%{REQUEST_URI} [R=301,L]\n</VirtualHost>\n", f > out
        for (s = 0; s < per; s++) {
            host = sprintf("site%d-%d.example.com", f, s)
            printf "<VirtualHost *:443>\n" > out
            printf "    ServerName %s\n    ServerAlias www.%s\n", host, host > out
            printf "    DocumentRoot \"/var/www/%s\"\n", host > out
            printf "    SSLEngine on\n" > out
            printf "    SSLCertificateFile certs/%d.pem\n    SSLCertificateKeyFile certs/%d.key\n", n % 10, n % 10 > out
            if (n % 4 == 0) {
                printf "    SSLProtocol all -SSLv3\n    SSLCipherSuite HIGH:!aNULL\n" > out
            }
            printf "    Header always set Strict-Transport-Security \"max-age=63072000\"\n" > out
            printf "    <Directory \"/var/www/%s\">\n        Require all granted\n        AllowOverride None\n    </Directory>\n", host > out
            printf "</VirtualHost>\n" > out
            n++
        }
        close(out)
    }
}'

nfiles=$(find "$tree" -name '*.conf' -type f | wc -l)
bytes=$(find "$tree" -name '*.conf' -type f -printf '%s\n' | awk '{s += $1} END {print s}')
echo "tree: $tree"
echo "  $vhosts TLS virtual hosts (+$files port-80 redirects) in $nfiles files; $bytes bytes of configuration"

# agreement first: httpd reads the tree, and both see the same virtual hosts
if [ -n "$httpd" ]; then
    "$httpd" -t -f "$tree/apache2.conf" 2>&1 | tail -n1
    h=$("$httpd" -t -D DUMP_VHOSTS -f "$tree/apache2.conf" 2>/dev/null | grep -c 'namevhost' || true)
    t=$("$tlslint" parse "$tree/apache2.conf" --format vhosts | grep -vc '^ ' || true)
    echo "  virtual hosts: httpd $h, tlslint $t"
fi
e=$("$tlslint" parse "$tree/apache2.conf" --format endpoints | wc -l)
echo "  TLS endpoints resolved: $e"

names=("tlslint parse (read)" "tlslint parse+resolve" "tlslint check")
cmds=("'$tlslint' parse '$tree/apache2.conf' --format json"
      "'$tlslint' parse '$tree/apache2.conf' --format endpoints"
      "'$tlslint' '$tree/apache2.conf' --no-config --format json")
if [ -n "$httpd" ]; then
    names+=("apache2 -t")
    cmds+=("'$httpd' -t -f '$tree/apache2.conf'")
fi

now() { date +%s.%N; }
declare -A secs rss
for i in "${!names[@]}"; do
    name=${names[$i]}
    cmd="${cmds[$i]} >/dev/null 2>&1"
    bash -c "$cmd" || true
    t=()
    for _ in $(seq "$runs"); do
        s=$(now); bash -c "$cmd" || true; e=$(now)
        t+=("$(awk -v s="$s" -v e="$e" 'BEGIN {printf "%.4f", e - s}')")
    done
    secs[$name]=$(printf '%s\n' "${t[@]}" | sort -g | awk '{a[NR] = $1} END {print a[int((NR + 1) / 2)]}')
    rss[$name]=""
    if [ -n "$gnutime" ]; then
        "$gnutime" -f '%M' -o "$work/rss" bash -c "exec ${cmd}" || true
        rss[$name]=$(tail -n1 "$work/rss")
    fi
    echo "  $name: ${secs[$name]} s, ${rss[$name]:-?} KiB peak RSS"
done

report="$repo/bench/out/apache.md"
mkdir -p "$repo/bench/out"
{
    echo "Tree: $vhosts TLS virtual hosts in $files site files ($nfiles files), $bytes bytes ($((bytes / 1024)) KiB)."
    echo "Machine: $(nproc) cores, $(uname -sr); $("$tlslint" --version); ${httpd:+$("$httpd" -v | head -n1)}. Time: median of $runs runs after a warm-up run."
    echo
    echo "| command | wall time (s) | peak RSS (MiB) |"
    echo "|---|---:|---:|"
    for name in "${names[@]}"; do
        r=${rss[$name]}
        echo "| $name | ${secs[$name]} | $([ -n "$r" ] && awk -v r="$r" 'BEGIN {printf "%.1f", r / 1024}' || echo -) |"
    done
    if [ -n "$httpd" ]; then
        echo
        for name in "${names[@]}"; do
            [ "$name" = "apache2 -t" ] && continue
            echo "- $name vs apache2 -t: $(awk -v h="${secs[apache2 -t]}" -v t="${secs[$name]}" 'BEGIN {printf "%.2f", h / t}')x"
        done
    fi
} | tee "$report"
echo
echo "(written to $report)"
