#!/usr/bin/env bash
# quire sim's command line: usage errors and bad scenarios exit 2 with a message that names the
# problem; --help exits 0. Needs no root and creates nothing.
QUIRE_BIN=${QUIRE_BIN:-$(dirname "$0")/../../build/quire}
[ -x "$QUIRE_BIN" ] || { echo "skip: no quire binary"; exit 77; }
fails=0
expect() { # expect CODE PATTERN ARGS...
    local code=$1 pat=$2; shift 2
    out=$("$QUIRE_BIN" sim "$@" 2>&1); rc=$?
    if [ $rc != "$code" ] || ! echo "$out" | grep -q -- "$pat"; then
        echo "FAIL: quire sim $*: exit $rc (want $code), output: $out"; fails=1
    else
        echo "ok: quire sim $* -> $code"
    fi
}
P2P="simple-p2p --delay=15ms --bandwidth=10Mbps --queue=25"
expect 0 "usage: quire sim" --help
expect 2 "expected LEFT_IF RIGHT_IF SCENARIO"
expect 2 "expected LEFT_IF RIGHT_IF SCENARIO" left right
expect 2 "unknown scenario 'p2p'" left right p2p --delay=15ms
expect 2 "missing --queue" left right simple-p2p --delay=15ms --bandwidth=10Mbps
expect 2 "word 3: bad value '10Mbit' for --bandwidth" left right "simple-p2p --delay=15ms --bandwidth=10Mbit --queue=25"
expect 2 "drop-rate has no option --drops_to_client" left right drop-rate --delay=1ms --bandwidth=1Mbps --queue=5 --drops_to_client=1
expect 2 "--seed: 'x' is not a number" --seed x left right $P2P
expect 2 "--wait-timeout" --wait-timeout -1 left right $P2P
expect 2 "expected ADDR:PORT" --wait-server 198.19.0.100 left right $P2P
expect 2 "interface qnosuch0: not found" qnosuch0 qnosuch1 $P2P
expect 2 "name longer than 15" quire-no-such-if0 right $P2P
exit $fails
