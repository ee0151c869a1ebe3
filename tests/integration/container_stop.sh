#!/usr/bin/env bash
# The container backend stops and removes everything: (1) a test that hits its timeout (transfer
# with --timeout 3) fails with the timeout as its reason and leaves no container or network;
# (2) SIGINT while a test runs ends quire with 130 within seconds, and again nothing of the run
# is left (containers, networks, state directory); `quire clean` then finds nothing of it.
. "$(dirname "$0")/../endpoints/run_common.bash"
. "$(dirname "$0")/container_common.inc"
require_root
require_quicgo
require_engine
setup_run ctstop
build_images sim quic-go
impls=$real_impls

qrun --backend container -s quic-go -c quic-go -t transfer --timeout 3
[ "$run_rc" = 1 ] || fail "timeout run: expected exit 1, got $run_rc"
expect_verdict "$tmp/logs/result.json" quic-go quic-go DC failed
grep -q "timeout" "$tmp/logs/quic-go_quic-go/transfer/output.txt" || fail "no timeout in output.txt"
expect_no_container_leftovers "$run_id"

run_id=t$$_ctint
rm -rf "$tmp/logs"
"$quire" run --implementations "$impls" --backend container --run-id "$run_id" -l "$tmp/logs" \
    -s quic-go -c quic-go -t transfer >"$tmp/out" 2>&1 &
pid=$!
log=$tmp/logs/quic-go_quic-go/transfer/output.txt
for _ in $(seq 300); do
    grep -q "starting client" "$log" 2>/dev/null && break
    sleep 0.1
done
grep -q "starting client" "$log" || { kill -INT "$pid"; wait "$pid"; fail "the client never started"; }
t0=$(date +%s%N)
kill -INT "$pid"
set +e
wait "$pid"
rc=$?
set -e
ms=$((($(date +%s%N) - t0) / 1000000))
[ "$rc" = 130 ] || fail "SIGINT: expected exit 130, got $rc"
echo "ok: SIGINT ended the run in $ms ms (exit 130)"
expect_no_container_leftovers "$run_id"
[ ! -e "/run/quire/$run_id" ] || fail "state dir of $run_id left"
"$quire" clean --run "$run_id" --dry-run | grep -q "would remove 0" || fail "quire clean still finds something"
echo "ok: nothing left after SIGINT"

# (3) leftovers of a run whose quire died (made by hand here): `quire clean` removes them.
dead=t$$_ctdead
"$engine" network create --label quire --label "quire.run=$dead" "quire-$dead-0-leftnet" >/dev/null
"$engine" create --name "quire-$dead-0-sim" --label quire --label "quire.run=$dead" \
    quire/sim:latest >/dev/null
"$quire" clean --run "$dead" >"$tmp/clean" 2>&1 || fail "quire clean failed: $(cat "$tmp/clean")"
grep -q "removed container" "$tmp/clean" && grep -q "removed network" "$tmp/clean" ||
    fail "quire clean did not report the container and the network: $(cat "$tmp/clean")"
expect_no_container_leftovers "$dead"
