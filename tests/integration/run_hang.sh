#!/usr/bin/env bash
# quire run with a client that hangs (and leaves a forked child): killed at the timeout, the
# test fails with that explanation, nothing is left. Also a server that hangs without ever
# listening (not ready within the timeout, failed) and endpoints that leave a daemon outside
# their process group and exit (failed; the daemon dies with their PID namespace).
. "$(dirname "$0")/../endpoints/run_common.bash"
require_root
require_quicgo
setup_run hang
start=$(date +%s)
qrun -s quic-go,hang,forkexit -c hang,forkexit -t handshake --timeout 3 --jobs 2 \
    -n quic-go,hang,forkexit
took=$(( $(date +%s) - start ))
[ "$run_rc" = 1 ] || fail "quire run exited $run_rc, expected 1"
expect_verdict "$tmp/logs/result.json" quic-go hang H failed
verdict "$tmp/logs/result.json" quic-go hang H | grep -q "killed at the 3 s timeout" ||
    fail "timeout not explained"
expect_verdict "$tmp/logs/result.json" hang hang H failed
verdict "$tmp/logs/result.json" hang hang H | grep -q "not ready" || fail "server hang not explained"
expect_verdict "$tmp/logs/result.json" quic-go forkexit H failed
verdict "$tmp/logs/result.json" quic-go forkexit H | grep -q "client exit code 1" || fail "forkexit"
expect_verdict "$tmp/logs/result.json" forkexit hang H failed
verdict "$tmp/logs/result.json" forkexit hang H | grep -q "server exit code 1 before it was ready" ||
    fail "forkexit server not explained"
[ "$took" -lt 30 ] || fail "took $took s for two 3 s timeouts"
expect_no_leftovers
