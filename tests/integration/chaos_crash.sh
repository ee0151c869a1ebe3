#!/usr/bin/env bash
# Chaos: endpoints that kill themselves with SIGSEGV, as server and as client. Each test fails
# with an explanation that names the signal; the run goes on (a good pair after them passes);
# nothing is left. docs/reliability.md, "Chaos endpoints and isolation".
. "$(dirname "$0")/../endpoints/run_common.bash"
require_root
require_quicgo
setup_run crash
qrun -s crash,quic-go -c crash,quic-go -t handshake --timeout 10 --jobs 1 -n crash,quic-go
[ "$run_rc" = 1 ] || fail "quire run exited $run_rc, expected 1"
r=$tmp/logs/result.json
expect_verdict "$r" quic-go crash H failed
verdict "$r" quic-go crash H | grep -q "client killed by signal 11 (SIGSEGV)" ||
    fail "client crash not explained: $(verdict "$r" quic-go crash H)"
expect_verdict "$r" crash quic-go H failed
verdict "$r" crash quic-go H | grep -q "server killed by signal 11 (SIGSEGV) before it was ready" ||
    fail "server crash not explained: $(verdict "$r" crash quic-go H)"
expect_verdict "$r" crash crash H failed
expect_verdict "$r" quic-go quic-go H succeeded
cores=$(find "$src/tests/endpoints/crash" "$tmp/logs" -name 'core*' | wc -l)
[ "$cores" = 0 ] || fail "$cores core files"
expect_no_leftovers
