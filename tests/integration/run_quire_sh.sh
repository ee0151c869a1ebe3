#!/usr/bin/env bash
# The README's main command, `./quire.sh run`, as a new user runs it: on a machine with no
# earlier run (no logs_*/result.json: once a silent exit 2 under pipefail) it runs the matrix;
# a second run orders its work by the first one's durations. quic-go with itself, handshake.
. "$(dirname "$0")/../endpoints/run_common.bash"
require_root
require_quicgo
setup_run quiresh
mkdir "$tmp/empty"
set +e
QUIRE_LOGS_PARENT=$tmp/empty bash "$src/quire.sh" run --run-id "$run_id" -s quic-go -c quic-go \
    -t handshake -l "$tmp/logs_1" >"$tmp/out" 2>&1
r=$?
set -e
[ "$r" = 0 ] || fail "./quire.sh run with no earlier run exited $r"
expect_verdict "$tmp/logs_1/result.json" quic-go quic-go H succeeded
! grep -q "ordered by the durations" "$tmp/out" || fail "durations used with no earlier run"
set +e
QUIRE_LOGS_PARENT=$tmp bash "$src/quire.sh" run --run-id "$run_id" -s quic-go -c quic-go \
    -t handshake -l "$tmp/logs_2" >"$tmp/out" 2>&1
r=$?
set -e
[ "$r" = 0 ] || fail "./quire.sh run after a run exited $r"
grep -q "ordered by the durations in $tmp/logs_1/result.json" "$tmp/out" ||
    fail "the second run did not use the first one's durations"
expect_verdict "$tmp/logs_2/result.json" quic-go quic-go H succeeded
expect_no_leftovers
echo "PASS: ./quire.sh run with and without an earlier run"
