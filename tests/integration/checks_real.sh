#!/usr/bin/env bash
# The test-case checks on real runs: quic-go against quic-go for retry (a Retry whose token the
# client's next Initial carries) and versionnegotiation, aioquic against aioquic for v2 when
# aioquic is installed, and a failing check: a server that answers `retry` without a Retry
# (download intact, the trace check fails and names the capture). ~20 s.
. "$(dirname "$0")/../endpoints/run_common.bash"
require_root
require_quicgo
"$quire" sim --help >/dev/null 2>&1 || skip "no simulator in this build (no captures)"
impls=$src/tests/data/checks/endpoints/implementations.json
setup_run checks
qrun -s quic-go,noretry -c quic-go -t retry,handshake,versionnegotiation
[ "$run_rc" = 1 ] || fail "quire run exited $run_rc, not 1 (a test failed)"
r=$tmp/logs/result.json
expect_verdict "$r" quic-go quic-go S succeeded
verdict "$r" quic-go quic-go S | grep -q "token used by the Initial at frame" ||
    fail "retry explanation does not name the Initial"
expect_verdict "$r" quic-go quic-go H succeeded
expect_verdict "$r" noretry quic-go H succeeded
expect_verdict "$r" noretry quic-go S failed
verdict "$r" noretry quic-go S | grep -q "no Retry packet in trace_node_left.pcap" ||
    fail "failed retry check not explained: $(verdict "$r" noretry quic-go S)"
[ -s "$tmp/logs/quic-go_quic-go/retry/sim/keys.log" ] || fail "no merged key log next to the captures"
if "$src/endpoints/aioquic/available" >/dev/null 2>&1; then
    set +e
    "$quire" run --implementations "$impls" --run-id "${run_id}v2" -l "$tmp/logs2" \
        -s aioquic -c aioquic -t v2 >"$tmp/out" 2>&1
    set -e
    "$quire" clean --run "${run_id}v2" >/dev/null 2>&1 || true
    expect_verdict "$tmp/logs2/result.json" aioquic aioquic V2 succeeded
else
    echo "aioquic not installed: v2 not run"
fi
expect_no_leftovers
