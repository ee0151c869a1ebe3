#!/usr/bin/env bash
# quire run --jobs auto: tests start as the measured load allows (at least one per CPU), a
# measurement's 5 runs go side by side once the first passed (logs <test>/1..5, one mean), and
# every result records the CPU pressure it ran under; --durations orders by an earlier run.
. "$(dirname "$0")/../endpoints/run_common.bash"
require_root
require_quicgo
setup_run jobsauto
qrun -s quic-go -c quic-go -t handshake,transfer,goodput --jobs auto:4
[ "$run_rc" = 0 ] || fail "quire run --jobs auto exited $run_rc"
grep -q "in parallel as the load allows, up to 4" "$tmp/out" || fail "no auto parallelism announced"
expect_verdict "$tmp/logs/result.json" quic-go quic-go H succeeded
expect_verdict "$tmp/logs/result.json" quic-go quic-go DC succeeded
for n in 1 2 3 4 5; do
    [ -s "$tmp/logs/quic-go_quic-go/goodput/$n/output.txt" ] || fail "goodput run $n has no log"
done
python3 - "$tmp/logs/result.json" <<'PY' || fail "result.json: measurement or load missing"
import json, sys
r = json.load(open(sys.argv[1]))
cells = r["results"][0] + r["measurements"][0]
for c in cells:
    p = c.get("cpu_pressure")
    assert p is not None and 0 <= p <= 1, c
g = r["measurements"][0][0]
assert g["abbr"] == "G" and g["result"] == "succeeded", g
assert "5 runs, mean" in g["explanation"], g["explanation"]
assert g["log"] == "quic-go_quic-go/goodput", g["log"]
PY
expect_no_leftovers
# the earlier result orders the next run: a bad file is a usage error naming it
cp "$tmp/logs/result.json" "$tmp/prev.json"
rm -rf "$tmp/logs"
printf '{"broken":' >"$tmp/bad.json"
qrun -s quic-go -c quic-go -t handshake --durations "$tmp/bad.json"
[ "$run_rc" = 2 ] || fail "--durations with a broken file: exit $run_rc, want 2"
grep -q "bad.json" "$tmp/out" || fail "--durations error does not name the file"
qrun -s quic-go -c quic-go -t handshake --durations "$tmp/prev.json" --jobs 1
[ "$run_rc" = 0 ] || fail "quire run --durations exited $run_rc"
expect_verdict "$tmp/logs/result.json" quic-go quic-go H succeeded
expect_no_leftovers
echo "PASS"
