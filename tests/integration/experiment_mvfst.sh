#!/usr/bin/env bash
# mvfst through its plugin (endpoints/mvfst): runs experiments/mvfst-echo.yaml when a built
# echo sample is given in QUIRE_MVFST_BIN (or can be copied out of a local `mvfst` image, see
# endpoints/mvfst/Dockerfile); otherwise skipped (77) with that reason. quire's machines
# cannot build mvfst (no folly/fizz packages, no GitHub).
set -euo pipefail
src=${QUIRE_SOURCE_DIR:-$(cd "$(dirname "$0")/../.." && pwd)}
quire=${QUIRE_BIN:-$src/build/quire}
[ -x "$quire" ] || { echo "SKIP: $quire missing"; exit 77; }
tmp=$(mktemp -d "/tmp/quire-expmvfst-$$-XXXXXX")
trap 'rm -rf "$tmp"' EXIT

# run_mvfst itself (no mvfst needed): with a stand-in that lists gflags like the echo sample
# (--helpfull) and records its arguments, known flags pass and unknown ones are dropped.
cat >"$tmp/stub" <<'STUB'
#!/bin/sh
if [ "$1" = --helpfull ]; then
    printf '  Flags from quic/samples/echo/main.cpp:\n    -host (Echo server hostname/IP) type: string default: "::1"\n    -mode (Mode to run in) type: string default: "server"\n    -port (Echo server port) type: int32 default: 6666\n'
    exit 1
fi
echo "$@" >"$STUB_ARGS"
STUB
chmod +x "$tmp/stub"
STUB_ARGS=$tmp/args "$src/endpoints/mvfst/run_mvfst" "$tmp/stub" --mode=server --host=:: --port=6666 \
    --congestion=bbr --max_data=1 2>"$tmp/wrap.err"
[ "$(cat "$tmp/args")" = "--mode=server --host=:: --port=6666" ] ||
    { echo "FAIL: run_mvfst passed: $(cat "$tmp/args")"; exit 1; }
grep -q "has no flag --congestion: dropped" "$tmp/wrap.err" || { echo "FAIL: drop not reported"; exit 1; }
echo "ok: run_mvfst keeps the flags the binary has and drops the rest"
if [ -z "${QUIRE_MVFST_BIN:-}" ] && command -v docker >/dev/null 2>&1 &&
    docker image inspect mvfst >/dev/null 2>&1; then
    id=$(docker create mvfst)
    docker cp "$id:/opt/mvfst/echo" "$tmp/echo" && export QUIRE_MVFST_BIN=$tmp/echo
    docker rm "$id" >/dev/null
fi
if [ -z "${QUIRE_MVFST_BIN:-}" ] || [ ! -x "$QUIRE_MVFST_BIN" ]; then
    echo "SKIP: no mvfst: set QUIRE_MVFST_BIN to a built quic/samples/echo, or build the mvfst image (endpoints/mvfst/Dockerfile; needs GitHub access)"
    exit 77
fi
[ "$(id -u)" = 0 ] || { echo "SKIP: needs root (network namespaces)"; exit 77; }
export QUIRE_SOURCE_DIR=$src
"$quire" experiment run -o "$tmp/out" "$src/experiments/mvfst-echo.yaml"
cat "$tmp/out/report.md"
grep -q "0 skipped" "$tmp/out/report.md" || { echo "FAIL: runs skipped"; exit 1; }
echo "PASS"
