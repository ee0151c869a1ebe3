#!/usr/bin/env bash
# quire run --protocol webtransport with a broken peer (tests/endpoints/wtbroken: aioquic's
# WebTransport endpoint that corrupts the first file it sends, or, in the datagram cases, never
# answers one request): the receiving side's check fails on the corrupted file (server → client
# and client → server) and the unanswered datagram makes the requester time out. Each must be
# a failed verdict with its reason; the good direction (the broken peer receiving) still passes.
. "$(dirname "$0")/../endpoints/run_common.bash"
require_root
why=$("$src/endpoints/aioquic/webtransport/available" 2>&1) ||
    skip "aioquic WebTransport endpoint not runnable: $why"
impls=$src/tests/endpoints/implementations_webtransport.json
setup_run wtbroken
qrun -p webtransport -s wtbroken,aioquic -c aioquic,wtbroken -t UR,US,DR --timeout 20 \
    --no-auto-unsupported-rule
[ "$run_rc" = 1 ] || fail "quire run exited $run_rc, expected 1 (failed tests)"
r=$tmp/logs/result.json
expect_verdict "$r" wtbroken aioquic UR failed   # the server corrupts a file it sends
expect_verdict "$r" aioquic wtbroken US failed   # the client corrupts a file it sends
expect_verdict "$r" wtbroken aioquic DR failed   # the server never answers one datagram
expect_verdict "$r" aioquic aioquic UR succeeded
expect_verdict "$r" aioquic wtbroken UR succeeded # the broken peer only breaks what it sends
verdict "$r" wtbroken aioquic UR | grep -q "contents\|differ\|bytes" ||
    fail "UR: the explanation does not name the corrupted file: $(verdict "$r" wtbroken aioquic UR)"
verdict "$r" wtbroken aioquic DR | grep -q "timeout" ||
    fail "DR: the explanation does not name the timeout: $(verdict "$r" wtbroken aioquic DR)"
expect_no_leftovers
