#!/usr/bin/env bash
# quire run / quire list on bad input: unknown implementation or test, malformed
# implementations.json (file:line:column), bad flags, not root, an implementation that cannot
# run here: each a one-line error naming the problem, exit code 2, nothing created.
set -euo pipefail
src=${QUIRE_SOURCE_DIR:-$(cd "$(dirname "$0")/../.." && pwd)}
quire=${QUIRE_BIN:-$src/build/quire}
impls=$src/tests/endpoints/implementations.json
[ -x "$quire" ] || { echo "SKIP: $quire missing"; exit 77; }
tmp=$(mktemp -d "/tmp/quire-badinput-$$-XXXXXX")
trap 'rm -rf "$tmp"' EXIT
cd "$tmp"

expect2() { # pattern command...
    local pat=$1 out rc
    shift
    set +e
    out=$("$@" 2>&1)
    rc=$?
    set -e
    [ "$rc" = 2 ] || { echo "FAIL: exit $rc, expected 2: $*"; echo "$out"; exit 1; }
    [ "$(printf '%s\n' "$out" | wc -l)" = 1 ] || { echo "FAIL: not one line: $*"; echo "$out"; exit 1; }
    printf '%s\n' "$out" | grep -q -- "$pat" || { echo "FAIL: '$pat' not in: $out"; exit 1; }
    echo "ok: $out"
}

printf '{\n  "a": {"role": "both",\n        "path": "x",}\n}\n' >bad.json
expect2 "bad.json:3:21: " "$quire" run --implementations bad.json
expect2 "bad.json:3:21: " "$quire" list --implementations bad.json
expect2 "nosuch.json: No such file" "$quire" run --implementations nosuch.json
printf '{"a": {"role": "sometimes", "path": "x"}}' >role.json
expect2 "unknown role 'sometimes'" "$quire" run --implementations role.json
expect2 "server implementation 'nosuch' not found in" "$quire" run --implementations "$impls" -s nosuch
expect2 "client implementation 'nosuch' not found" "$quire" run --implementations "$impls" -c nosuch
expect2 "unknown test case 'nosuch' (known: handshake (H)" "$quire" run --implementations "$impls" -t H,nosuch
expect2 "'corrupt' is not a server" "$quire" run --implementations "$impls" -s corrupt
expect2 "server 'container-only' cannot run here: needs the container backend" \
    "$quire" run --implementations "$impls" -s container-only
expect2 "unknown option '--bogus'" "$quire" run --bogus
expect2 "unknown probe case 'nosuch'" "$quire" run -s x --probe-cases tp_duplicate,nosuch
expect2 "--probe-only runs no client and no test case" "$quire" run -s x --probe-only -c y
expect2 "--probe-only cannot --resume" "$quire" run -s x --probe-only --resume d
expect2 "server implementation 'nosuch' not found in" "$quire" probe -s nosuch --implementations "$impls"
expect2 "are for an address" "$quire" probe -s aioquic --wait 200
expect2 "are for -s IMPL" "$quire" probe -s 127.0.0.1:443 -l d
expect2 "option -s needs a value" "$quire" run -s
expect2 "--jobs expects a number" "$quire" run --jobs x
expect2 "--jobs must be at least 1" "$quire" run --jobs 0
expect2 "invalid --shard '3/2'" "$quire" run --shard 3/2
expect2 "invalid --run-id" "$quire" run --run-id a-b
expect2 "unknown protocol 'quic2' (quic or webtransport)" "$quire" run -p quic2
expect2 "replace: implementation 'zz' not found" "$quire" run --implementations "$impls" -r zz=img
expect2 "unexpected argument 'extra'" "$quire" run extra
expect2 "expected 'implementations' or 'tests'" "$quire" list bogus
if [ "$(id -u)" = 0 ] && command -v setpriv >/dev/null; then
    expect2 "needs root" setpriv --reuid=65534 --regid=65534 --clear-groups \
        "$quire" run --implementations "$impls" -s exit1 -c exit1 -t H -l "$tmp/logs"
elif [ "$(id -u)" != 0 ]; then
    expect2 "needs root" "$quire" run --implementations "$impls" -s exit1 -c exit1 -t H -l "$tmp/logs"
fi
[ ! -e "$tmp/logs" ] || { echo "FAIL: a log dir was created"; exit 1; }
"$quire" run --help | grep -q -- "--rerun-failed" || { echo "FAIL: --help"; exit 1; }
"$quire" list tests | grep -q "DC   transfer" || { echo "FAIL: list tests"; exit 1; }
echo "all bad inputs rejected"
