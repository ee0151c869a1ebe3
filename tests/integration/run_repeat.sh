#!/usr/bin/env bash
# quire run --repeat: every run of a test case in its own directory, the pass rate in the
# explanation, succeeded only when all runs pass; the flaky fake client fails every second run.
# Measurements keep their own runs; a bad --repeat is a usage error; nothing left behind.
. "$(dirname "$0")/../endpoints/run_common.bash"
require_root
require_quicgo
setup_run repeat
mkdir -p "$tmp/home"
# flaky fails runs 2 and 4; quic-go's own client passes all 3
# flaky counts its runs in $HOME on the host, which isolated endpoints cannot write
HOME=$tmp/home QUIRE_ISOLATION=off qrun -s quic-go -c flaky,quic-go -t handshake --repeat 4 -n quic-go,flaky
[ "$run_rc" = 1 ] || fail "quire run exited $run_rc, expected 1 (flaky failed)"
r=$tmp/logs/result.json
expect_verdict "$r" quic-go flaky H failed
verdict "$r" quic-go flaky H | grep -q "2 of 4 runs passed; run 2: client exit code 1" ||
    fail "pass rate or first failure not explained: $(verdict "$r" quic-go flaky H)"
[ "$(cat "$tmp/home/quire-flaky.count")" = 4 ] || fail "flaky ran $(cat "$tmp/home/quire-flaky.count") times, not 4"
for n in 1 2 3 4; do
    [ -f "$tmp/logs/quic-go_flaky/handshake/$n/output.txt" ] || fail "no log directory for run $n"
done
grep -q "flaky: run 2 fails" "$tmp/logs/quic-go_flaky/handshake/2/output.txt" ||
    fail "run 2's log is not run 2's"
expect_verdict "$r" quic-go quic-go H succeeded
verdict "$r" quic-go quic-go H | grep -q "4 of 4 runs passed" || fail "no pass rate on success"
expect_no_leftovers
# bad values are usage errors
for bad in 0 x -1 1001; do
    qrun -s quic-go -c quic-go -t handshake --repeat "$bad"
    [ "$run_rc" = 2 ] || fail "--repeat $bad: exit $run_rc, expected 2"
    grep -q -- "--repeat" "$tmp/out" || fail "--repeat $bad: no message naming the flag"
done
echo "ok: run_repeat"
