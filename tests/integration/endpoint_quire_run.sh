#!/usr/bin/env bash
# The endpoints through quire's own runner (namespaces + simulator + checks): `quire run` with
# quic-go and aioquic as servers and clients on every test case the runner knows that both
# support, then the same for the HTTP/3 group (ngtcp2, caddy, aioquic, quic-go) on http3 when
# the runner has it. Every test of the run must succeed (exit 0 of quire run, and result.json
# must say "succeeded" for each pair).
set -u
src=${QUIRE_SOURCE_DIR:-$(cd "$(dirname "$0")/../.." && pwd)}
quire=${QUIRE_BIN:-$src/build/quire}
say() { echo "endpoint_quire_run: $*"; }
[ "$(id -u)" = 0 ] || { say "SKIP: needs root"; exit 77; }
[ -x "$quire" ] || { say "SKIP: no quire binary ($quire)"; exit 77; }
for e in quic-go aioquic; do
    "$src/endpoints/$e/available" >/dev/null 2>&1 || { say "SKIP: $e not installed"; exit 77; }
done
command -v python3 >/dev/null || { say "SKIP: no python3"; exit 77; }

work=$(mktemp -d "${TMPDIR:-/tmp}/quire-epqr-$$.XXXXXX")
trap 'rm -rf "$work"' EXIT
known=$("$quire" list 2>/dev/null | awk '/^Test cases:/ {t = 1; next} t && NF >= 2 {print $2}')
pick() { # names wanted, in the runner's list
    local out='' n
    for n in "$@"; do
        echo "$known" | grep -qx "$n" && out="$out${out:+,}$n"
    done
    echo "$out"
}

# check_run LOGDIR: every result in result.json must be "succeeded".
check_run() {
    python3 - "$1/result.json" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))
bad = [(t["log"], t["result"], t.get("explanation", "")) for row in r["results"] for t in row
       if t["result"] != "succeeded"]
n = sum(len(row) for row in r["results"])
for b in bad:
    print("endpoint_quire_run: not succeeded:", *b)
print(f"endpoint_quire_run: {n - len(bad)}/{n} succeeded")
sys.exit(1 if bad or n == 0 else 0)
PY
}

rc=0
hq=$(pick handshake transfer retry resumption zerortt chacha20 keyupdate multiconnect)
if [ -n "$hq" ]; then
    "$quire" run -s quic-go,aioquic -c quic-go,aioquic -t "$hq" -l "$work/hq" \
        --run-id "epqr$$hq" -n quic-go,aioquic >"$work/hq.out" 2>&1 || { tail -n 30 "$work/hq.out"; rc=1; }
    check_run "$work/hq" || rc=1
fi
h3=$(pick http3)
if [ -n "$h3" ]; then
    servers=quic-go,aioquic,caddy clients=quic-go,aioquic
    "$src/endpoints/ngtcp2/available" >/dev/null 2>&1 && { servers=$servers,ngtcp2; clients=$clients,ngtcp2; }
    "$quire" run -s "$servers" -c "$clients" -t "$h3" -l "$work/h3" --run-id "epqr$$h3" \
        -n "$servers,$clients" >"$work/h3.out" 2>&1 || { tail -n 30 "$work/h3.out"; rc=1; }
    check_run "$work/h3" || rc=1
fi
exit $rc
