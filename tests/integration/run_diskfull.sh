#!/usr/bin/env bash
# A disk that fills up under a run (issue 21): the log directory is a small tmpfs, and once the
# first test is recorded the rest of it is filled from outside. quire must not record the
# verdict of the test that ran into the full disk (an endpoint's failed write is no interop
# failure), stop with an error that names the file system or result.json, keep the last complete result.json (atomic replace: it
# still parses and holds the first verdict), leave no temporary file, namespace or process,
# and a --resume after space is freed must finish the run.
. "$(dirname "$0")/../endpoints/run_common.bash"
require_root
require_quicgo
setup_run diskfull
# the tmpfs is outside $tmp (expect_no_leftovers counts mounts under $tmp as leftovers)
fs=$(mktemp -d "/tmp/quire-diskfull-$$-XXXXXX")
mount -t tmpfs -o size=96m quire-diskfull "$fs" || { rmdir "$fs"; skip "cannot mount a tmpfs"; }
trap 'umount -l "$fs" 2>/dev/null; rmdir "$fs" 2>/dev/null; cleanup_run' EXIT
logs=$fs/logs
recorded() { # tests with a verdict in result.json (0 while it is missing or unreadable)
    python3 -c "import json,sys; r=json.load(open(sys.argv[1])); print(sum(1 for row in r['results'] for c in row if c['result']))" \
        "$logs/result.json" 2>/dev/null || echo 0
}
sel=(-s quic-go -c quic-go -t handshake,transfer,multiplexing,longrtt,chacha20 -n quic-go --jobs 1)
set +e
"$quire" run --implementations "$impls" --run-id "$run_id" -l "$logs" "${sel[@]}" \
    >"$tmp/out" 2>&1 &
pid=$!
for _ in $(seq 1 600); do # up to 60 s for the first verdict
    [ "$(recorded)" -ge 1 ] && break
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.1
done
first=$(recorded)
# fill what is left (dd stops at ENOSPC; bounded by the tmpfs's size)
dd if=/dev/zero of="$logs/fill" bs=1M count=200 status=none 2>/dev/null
wait "$pid"
rc=$?
set -e
[ "$first" -ge 1 ] || fail "no test recorded before the fill"
[ "$rc" = 1 ] || fail "quire run exited $rc on a full disk, expected 1"
grep -qE "no verdict: the file system of $logs was full|cannot write $logs/result.json: No space left on device" \
    "$tmp/out" || fail "the full disk is not named"
grep -q "stopping the run: the disk is full" "$tmp/out" || fail "the run did not stop"
grep -E "no verdict|cannot write|stopping the run" "$tmp/out" || true
n=$(recorded)
[ "$n" -ge "$first" ] && [ "$n" -lt 5 ] || fail "result.json has $n verdicts (first $first)"
expect_verdict "$logs/result.json" quic-go quic-go H succeeded
ls "$logs" | grep -q '\.tmp\.' && fail "temporary result files left: $(ls "$logs")"
expect_no_leftovers
[ "$(grep -c "$fs" /proc/self/mountinfo)" = 1 ] || fail "mounts under $fs left"
echo "ok: stopped on the full disk with $n of 5 verdicts kept"

rm -f "$logs/fill"
set +e
"$quire" run --implementations "$impls" --run-id "$run_id" --resume "$logs" -n quic-go \
    --jobs 1 >"$tmp/out" 2>&1
rc=$?
set -e
[ "$rc" = 0 ] || fail "resumed run exited $rc"
[ "$(recorded)" = 5 ] || fail "after --resume $(recorded) of 5 verdicts"
expect_no_leftovers
echo "ok: --resume finished the run"
