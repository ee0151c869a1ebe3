#!/usr/bin/env bash
# quire run with misbehaving endpoints (tests/endpoints): a client that exits 1 (failed), a
# server and a client that exit 127 (unsupported), a client that corrupts a download (failed),
# all in one run with 2 tests in parallel; nothing left behind.
. "$(dirname "$0")/../endpoints/run_common.bash"
require_root
require_quicgo
setup_run fail
# -n: without it QIR's rule turns every failure here into "unsupported" (each client fails
# against every server), which run_failures checks separately at the end.
qrun -s quic-go,unsupported -c exit1,unsupported,corrupt -t handshake,transfer --jobs 2 -f \
    -n quic-go,unsupported,exit1,corrupt
[ "$run_rc" = 1 ] || fail "quire run exited $run_rc, expected 1 (failures)"
r=$tmp/logs/result.json
expect_verdict "$r" quic-go exit1 H failed
expect_verdict "$r" quic-go exit1 DC failed
grep -q "client exit code 1" "$r" || fail "no explanation for exit1"
expect_verdict "$r" quic-go unsupported H unsupported
expect_verdict "$r" unsupported exit1 H unsupported
expect_verdict "$r" unsupported corrupt DC unsupported
expect_verdict "$r" quic-go corrupt H failed
expect_verdict "$r" quic-go corrupt DC failed
verdict "$r" quic-go corrupt DC | grep -q "contents differ" || fail "corruption not explained"
# -f keeps the files of failed tests; unsupported tests leave no log directory (as QIR)
[ -d "$tmp/logs/quic-go_corrupt/transfer/downloads" ] || fail "-f did not keep downloads"
[ ! -e "$tmp/logs/unsupported_exit1/handshake" ] || fail "log dir of an unsupported test kept"
# the exit1 endpoint saw the contract
grep -q "exit1: ROLE=client TESTCASE=handshake SSLKEYLOGFILE=/logs/keys.log QLOGDIR=/logs/qlog/" \
    "$tmp/logs/quic-go_exit1/handshake/output.txt" || fail "contract environment not seen"
grep -q "REQUESTS=https://server4:443/" "$tmp/logs/quic-go_exit1/handshake/output.txt" ||
    fail "REQUESTS not seen"
grep -q "exit1: QUIRE_ALPN=unset" "$tmp/logs/quic-go_exit1/handshake/output.txt" ||
    fail "QUIRE_ALPN set without --alpn"
expect_no_leftovers
# QIR's auto-unsupported rule: exit1 fails against both servers -> unsupported everywhere
rm -rf "$tmp/logs"
qrun -s quic-go,unsupported -c exit1,unsupported -t handshake
expect_verdict "$tmp/logs/result.json" quic-go exit1 H unsupported
grep -q "Client exit1 failed or did not support test handshake against all servers" "$tmp/out" ||
    fail "auto-unsupported not announced"
expect_no_leftovers
# --no-auto-unsupported-rule switches the rule off for the whole run: the failure stays
rm -rf "$tmp/logs"
qrun -s quic-go,unsupported -c exit1,unsupported -t handshake --no-auto-unsupported-rule
expect_verdict "$tmp/logs/result.json" quic-go exit1 H failed
! grep -q "against all servers" "$tmp/out" || fail "the rule was applied although switched off"
expect_no_leftovers
# --alpn h3 hands QUIRE_ALPN=h3 to the endpoints (exit1 as the server shows its environment)
rm -rf "$tmp/logs"
qrun -s exit1 -c quic-go -t handshake --alpn h3 -n exit1
grep -q "exit1: QUIRE_ALPN=h3" "$tmp/logs/exit1_quic-go/handshake/output.txt" ||
    fail "--alpn h3 did not reach the server"
expect_no_leftovers
