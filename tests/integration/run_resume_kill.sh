#!/usr/bin/env bash
# Issue 9's acceptance: a run killed with SIGKILL in the middle and then resumed gives the same
# result.json as an uninterrupted run of the same selection (timings and log paths aside, as
# `quire merge --equal` compares), and the killed run leaves nothing that `quire clean --run`
# does not remove. (Clients with random file names in their explanations, like `corrupt`, are
# left out: those names differ from run to run.)
. "$(dirname "$0")/../endpoints/run_common.bash"
require_root
require_quicgo
setup_run kill
sel=(-s quic-go -c quic-go,exit1,unsupported -t handshake,transfer -n quic-go,exit1,unsupported)

# The reference: the same selection, uninterrupted.
"$quire" run --implementations "$impls" --run-id "$run_id" -l "$tmp/ref" "${sel[@]}" \
    >"$tmp/out" 2>&1 || true
python3 -c "import json,sys; r=json.load(open(sys.argv[1])); assert all(c['result'] for row in r['results'] for c in row)" \
    "$tmp/ref/result.json" || fail "the reference run left tests not run"

# The same run, SIGKILLed once at least one test is recorded and before all are.
"$quire" run --implementations "$impls" --run-id "$run_id" -l "$tmp/logs" "${sel[@]}" \
    >"$tmp/out" 2>&1 &
pid=$!
done_tests() {
    python3 -c "import json,sys; r=json.load(open(sys.argv[1])); print(sum(1 for row in r['results'] for c in row if c['result']))" \
        "$tmp/logs/result.json" 2>/dev/null || echo 0
}
for _ in $(seq 1 300); do
    [ "$(done_tests)" -ge 1 ] && break
    sleep 0.1
done
kill -KILL "$pid"
wait "$pid" 2>/dev/null || true
n=$(done_tests)
[ "$n" -ge 1 ] && [ "$n" -lt 6 ] || fail "kill did not land in the middle of the run ($n of 6 done)"
echo "ok: killed with $n of 6 tests recorded"
"$quire" clean --run "$run_id" >/dev/null
expect_no_leftovers

"$quire" run --implementations "$impls" --run-id "$run_id" --resume "$tmp/logs" \
    -n quic-go,exit1,unsupported >"$tmp/out" 2>&1 || true
ran=$(grep -c "^\[" "$tmp/out" || true)
[ "$ran" = $((6 - n)) ] || fail "resume ran $ran tests, expected the $((6 - n)) missing ones"
"$quire" merge "$tmp/logs/result.json" --equal "$tmp/ref/result.json" ||
    fail "resumed result differs from the uninterrupted run"
echo "ok: resumed result equals the uninterrupted run"
expect_no_leftovers
