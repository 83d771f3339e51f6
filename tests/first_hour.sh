#!/usr/bin/env bash
# A new user's first hour, from a clean clone: the README's install command, then its usage lines
# against the bundled examples, each expected to end with the exit code the README states.
#
# The lines are the README's, read from its code blocks marked for this script:
#
#     ```sh first-hour
#     cargo install --locked --path .
#     tlslint examples/nginx        # exit 1: ...
#     ```
#
# Each line is one command run by bash in the clone; `exit N` in its comment is the expected exit
# code (default 0); commands hold no `#`. A `cargo install` line is run as written plus
# `--root TMP` (nothing lands in ~/.cargo) and $FIRST_HOUR_INSTALL_ARGS (tests/first_hour.rs
# passes `--debug --offline` with its own CARGO_TARGET_DIR, to reuse the build `cargo test` made);
# the commands after it find the installed tlslint first on PATH.
#
#   bash tests/first_hour.sh            # from a checkout; clones its committed HEAD
set -euo pipefail

repo=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

git clone --quiet --no-hardlinks "$repo" "$work/clone"
cd "$work/clone"
root="$work/root"
export PATH="$root/bin:$PATH"

# the marked blocks' lines, in order
mapfile -t lines < <(awk '
    /^```sh first-hour[[:space:]]*$/ { inblock = 1; next }
    /^```/ { inblock = 0; next }
    inblock { print }
' README.md)

passed=0
failed=0
installs=0
examples=""
for line in "${lines[@]}"; do
    # blank lines and whole-line comments
    [[ "$line" =~ ^[[:space:]]*(#.*)?$ ]] && continue
    cmd="${line%%#*}"
    comment=""
    [[ "$line" == *"#"* ]] && comment="${line#*#}"
    want=0
    if [[ "$comment" =~ exit\ ([0-9]+) ]]; then
        want="${BASH_REMATCH[1]}"
    fi
    cmd="${cmd%"${cmd##*[![:space:]]}"}"
    if [[ "$cmd" =~ ^cargo\ install ]]; then
        # shellcheck disable=SC2086
        cmd="$cmd --root \"$root\" ${FIRST_HOUR_INSTALL_ARGS:-}"
        installs=$((installs + 1))
    fi
    for ex in examples/nginx examples/apache; do
        [[ "$cmd" == *"$ex"* ]] && examples="$examples $ex"
    done
    # every tlslint after the install is the one it installed
    if [ "$installs" -gt 0 ] && [[ "$cmd" =~ ^tlslint ]] \
        && [ "$(command -v tlslint)" != "$root/bin/tlslint" ]; then
        echo "FAIL tlslint on PATH is $(command -v tlslint), not the one installed"
        failed=$((failed + 1))
    fi
    set +e
    out=$(bash -c "$cmd" 2>&1)
    got=$?
    set -e
    if [ "$got" -eq "$want" ]; then
        echo "ok   (exit $got) $cmd"
        passed=$((passed + 1))
    else
        echo "FAIL (exit $got, README says $want) $cmd"
        printf '%s\n' "$out" | tail -n 40 | sed 's/^/    /'
        failed=$((failed + 1))
    fi
done

# the README must keep the install command and lines on both bundled examples
if [ "$installs" -eq 0 ]; then
    echo "FAIL the README's first-hour blocks have no cargo install line"
    failed=$((failed + 1))
fi
for ex in examples/nginx examples/apache; do
    if [[ "$examples" != *"$ex"* ]]; then
        echo "FAIL the README's first-hour blocks never run tlslint on $ex"
        failed=$((failed + 1))
    fi
done
echo "first-hour: $passed line(s) ended as the README says, $failed did not"
[ "$failed" -eq 0 ]
