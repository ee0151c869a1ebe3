#!/usr/bin/env bash
# quire run: quic-go against quic-go, handshake and transfer, both pass; result.json, the logs
# layout (QIR's) and the Markdown report are written; nothing is left behind.
. "$(dirname "$0")/../endpoints/run_common.bash"
require_root
require_quicgo
setup_run pass
qrun -s quic-go -c quic-go -t handshake,transfer -j "$tmp/extra.json"
[ "$run_rc" = 0 ] || fail "quire run exited $run_rc"
expect_verdict "$tmp/logs/result.json" quic-go quic-go H succeeded
expect_verdict "$tmp/logs/result.json" quic-go quic-go DC succeeded
cmp -s "$tmp/logs/result.json" "$tmp/extra.json" || fail "-j file differs from DIR/result.json"
for t in handshake transfer; do
    d=$tmp/logs/quic-go_quic-go/$t
    for f in output.txt server client sim; do [ -e "$d/$f" ] || fail "$d/$f missing"; done
    [ -s "$d/server/keys.log" ] || fail "no server key log in $d/server"
    for w in server_www client_downloads client_www server_downloads; do
        [ ! -e "$d/$w" ] || fail "$d/$w not removed"
    done
    grep -q "result: succeeded" "$d/output.txt" || fail "no verdict in $d/output.txt"
done
python3 - "$tmp/logs/result.json" <<'PY' || fail "result.json does not have QIR's schema"
import json, sys
r = json.load(open(sys.argv[1]))
for k in ("start_time", "end_time", "log_dir", "servers", "clients", "urls", "tests",
          "quic_version", "results", "measurements"):
    assert k in r, k
assert r["tests"]["H"]["name"] == "handshake" and r["tests"]["DC"]["name"] == "transfer"
assert r["end_time"] >= r["start_time"]
PY
grep -q "quic-go" "$tmp/out" || fail "no matrix printed"
grep -q "✓(H,DC)" "$tmp/logs/result.md" || fail "result.md has no matrix"
# with the simulator in this build, both sides are captured (QIR's file names)
if "$quire" sim --help >/dev/null 2>&1; then
    for side in left right; do
        [ -s "$tmp/logs/quic-go_quic-go/transfer/sim/trace_node_$side.pcap" ] ||
            fail "no $side capture"
    done
fi
expect_no_leftovers
