#!/usr/bin/env bash
# quire run --protocol webtransport: aioquic's WebTransport endpoint (endpoints/aioquic/
# webtransport) against itself over QIR's seven WebTransport test cases, in real namespaces with
# the simulator: every case succeeds, result.json has QIR's keys and the WebTransport test table,
# each test has QIR's log layout and an explained verdict, and nothing is left behind.
. "$(dirname "$0")/../endpoints/run_common.bash"
require_root
why=$("$src/endpoints/aioquic/webtransport/available" 2>&1) ||
    skip "aioquic WebTransport endpoint not runnable: $why"
impls=$src/tests/endpoints/implementations_webtransport.json
setup_run wt
start=$(date +%s)
qrun -p webtransport -s aioquic -c aioquic
echo "run took $(( $(date +%s) - start )) s"
[ "$run_rc" = 0 ] || fail "quire run -p webtransport exited $run_rc"
for t in H UR US BR BS DR DS; do
    expect_verdict "$tmp/logs/result.json" aioquic aioquic $t succeeded
done
python3 - "$tmp/logs/result.json" <<'PY' || fail "result.json lacks QIR's keys or the WebTransport tests"
import json, sys
r = json.load(open(sys.argv[1]))
for k in ("start_time", "end_time", "log_dir", "servers", "clients", "urls", "tests",
          "quic_version", "results", "measurements"):
    assert k in r, k
names = {a: t["name"] for a, t in r["tests"].items()}
assert names == {"H": "handshake", "UR": "transfer-unidirectional-receive",
                 "US": "transfer-unidirectional-send", "BR": "transfer-bidirectional-receive",
                 "BS": "transfer-bidirectional-send", "DR": "transfer-datagram-receive",
                 "DS": "transfer-datagram-send"}, names
assert r["measurements"] == [[]], r["measurements"]
for cell in r["results"][0]:
    print("  %-3s %-9s %5.1f s  %s" % (cell["abbr"], cell["result"], cell.get("duration", 0) or 0,
                                       cell.get("explanation", "")))
PY
d=$tmp/logs/aioquic_aioquic
for t in handshake transfer-unidirectional-receive transfer-datagram-send; do
    for f in output.txt server client sim; do [ -e "$d/$t/$f" ] || fail "$d/$t/$f missing"; done
    grep -q "result: succeeded" "$d/$t/output.txt" || fail "no verdict in $t/output.txt"
    [ ! -e "$d/$t/server_www" ] || fail "$t: server_www not removed"
done
# QIR's environment: PROTOCOLS per role, the server's REQUESTS in the "send" cases
grep -q "PROTOCOLS_CLIENT=.* .* .* .* .*, PROTOCOLS_SERVER=" "$d/handshake/output.txt" ||
    fail "handshake: five client protocols not logged"
grep -q "REQUESTS=[a-z0-9-]*/" "$d/transfer-unidirectional-send/output.txt" ||
    fail "transfer-unidirectional-send: no server REQUESTS logged"
grep -q "one handshake, both sides negotiated" "$tmp/out" "$d/handshake/output.txt" ||
    fail "handshake verdict does not explain itself"
expect_no_leftovers
