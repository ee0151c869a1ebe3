#!/usr/bin/env bash
# --resume, --rerun-failed and --shard: a run interrupted in the middle is continued in its log
# dir (finished tests kept, the rest run); the failed tests of a result are re-run into a new
# log dir with the others' log paths pointing back into the old one; two shards cover the run.
. "$(dirname "$0")/../endpoints/run_common.bash"
require_root
require_quicgo
setup_run resume
set +e
"$quire" run --implementations "$impls" --run-id "$run_id" -l "$tmp/logs" -n quic-go,hang \
    -s quic-go -c quic-go,hang -t handshake --timeout 60 >"$tmp/out" 2>&1 &
pid=$!
for _ in $(seq 1 100); do
    grep -q "hang: client sleeping" "$tmp"/logs/quic-go_hang/*/output.txt 2>/dev/null && break
    sleep 0.1
done
kill -INT "$pid"
wait "$pid"
rc=$?
set -e
[ "$rc" = 130 ] || fail "interrupted run exited $rc"
expect_verdict "$tmp/logs/result.json" quic-go quic-go H succeeded
[ "$(verdict "$tmp/logs/result.json" quic-go hang H)" = "None | " ] || fail "interrupted test not null"
expect_no_leftovers
before=$(python3 -c "import json,sys; print(json.load(open(sys.argv[1]))['results'][0][0]['duration'])" "$tmp/logs/result.json")

set +e
"$quire" run --implementations "$impls" --run-id "$run_id" --resume "$tmp/logs" --timeout 2 \
    -n quic-go,hang >"$tmp/out" 2>&1
rc=$?
set -e
[ "$rc" = 1 ] || fail "resumed run exited $rc"
grep -q "^\[1/1\] quic-go→hang handshake" "$tmp/out" || fail "resume ran more than the missing test"
expect_verdict "$tmp/logs/result.json" quic-go hang H failed
after=$(python3 -c "import json,sys; print(json.load(open(sys.argv[1]))['results'][0][0]['duration'])" "$tmp/logs/result.json")
[ "$before" = "$after" ] || fail "finished test changed on resume ($before -> $after)"
expect_no_leftovers

set +e
"$quire" run --implementations "$impls" --run-id "$run_id" --rerun-failed "$tmp/logs/result.json" \
    -l "$tmp/rerun" --timeout 2 -n quic-go,hang >"$tmp/out" 2>&1
rc=$?
set -e
[ "$rc" = 1 ] || fail "rerun exited $rc"
grep -q "^\[1/1\] quic-go→hang handshake" "$tmp/out" || fail "rerun ran more than the failed test"
python3 - "$tmp/rerun/result.json" "$tmp" <<'PY' || fail "rerun result wrong"
import json, os, sys
r = json.load(open(sys.argv[1]))
kept = r["results"][0][0]
assert kept["result"] == "succeeded" and kept["log"] == "../logs/quic-go_quic-go/handshake", kept
assert os.path.isdir(os.path.join(sys.argv[2], "rerun", kept["log"]))
assert r["results"][1][0]["result"] == "failed"
PY
expect_no_leftovers

for k in 1 2; do
    set +e
    "$quire" run --implementations "$impls" --run-id "$run_id" -l "$tmp/shard$k" --shard $k/2 \
        -s quic-go -c quic-go,exit1 -t handshake >"$tmp/out" 2>&1
    set -e
    grep -c "^\[" "$tmp/out" | grep -qx 1 || fail "shard $k/2 did not run exactly one test"
done
expect_verdict "$tmp/shard1/result.json" quic-go quic-go H succeeded
expect_verdict "$tmp/shard2/result.json" quic-go exit1 H failed
[ "$(verdict "$tmp/shard1/result.json" quic-go exit1 H)" = "None | " ] || fail "shard 1 ran shard 2's test"
expect_no_leftovers

# Measurements resume too: a goodput whose first run fails (the client exits 1) is recorded;
# --resume of the finished run runs nothing, --rerun-failed runs the failed goodput again and
# keeps the succeeded handshake's log pointing back.
set +e
"$quire" run --implementations "$impls" --run-id "$run_id" -l "$tmp/meas" -s quic-go \
    -c quic-go,exit1 -t handshake,goodput -n quic-go,exit1 --timeout 30 >"$tmp/out" 2>&1
set -e
mfail=$(python3 -c "import json,sys; r=json.load(open(sys.argv[1])); print(r['measurements'][1][0]['result'])" "$tmp/meas/result.json")
[ "$mfail" = failed ] || fail "exit1 goodput: $mfail"
set +e
"$quire" run --implementations "$impls" --run-id "$run_id" --resume "$tmp/meas" >"$tmp/out" 2>&1
set -e
! grep -q "^\[" "$tmp/out" || fail "resume of a finished run with measurements ran: $(grep '^\[' "$tmp/out")"
set +e
"$quire" run --implementations "$impls" --run-id "$run_id" --rerun-failed "$tmp/meas/result.json" \
    -l "$tmp/meas2" -n quic-go,exit1 >"$tmp/out" 2>&1
set -e
grep -q "quic-go→exit1 goodput" "$tmp/out" || fail "rerun-failed skipped the failed measurement"
! grep -q "quic-go→quic-go goodput" "$tmp/out" || fail "rerun-failed reran a succeeded measurement"
python3 - "$tmp/meas2/result.json" <<'PY' || fail "rerun kept the wrong logs"
import json, sys
r = json.load(open(sys.argv[1]))
g = r["measurements"][0][0]
assert g["result"] == "succeeded" and g["log"].startswith("../meas/"), g
PY
expect_no_leftovers
