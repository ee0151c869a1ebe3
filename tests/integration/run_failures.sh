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
# CRON and CLIENT_PARAMS/SERVER_PARAMS pass through to the endpoints (QIR's compose file)
CRON=true CLIENT_PARAMS="-v --x" SERVER_PARAMS=srv \
    qrun -s quic-go,unsupported -c exit1,unsupported,corrupt -t handshake,transfer --jobs 2 -f yes \
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
# -f VALUE keeps the files of failed tests under QIR's names; unsupported tests leave no log
# directory (as QIR)
for d in server_www client_downloads client_www server_downloads; do
    [ -d "$tmp/logs/quic-go_corrupt/transfer/$d" ] || fail "-f did not keep $d"
done
# the client's /downloads is client_downloads, not the server's
[ -e "$tmp/logs/quic-go_exit1/handshake/client_downloads/exit1-client" ] ||
    fail "the client's /downloads is not client_downloads"
[ ! -e "$tmp/logs/quic-go_exit1/handshake/server_downloads/exit1-client" ] ||
    fail "client and server share /downloads"
[ ! -e "$tmp/logs/unsupported_exit1/handshake" ] || fail "log dir of an unsupported test kept"
# the exit1 endpoint saw the contract
grep -q "exit1: ROLE=client TESTCASE=handshake SSLKEYLOGFILE=/logs/keys.log QLOGDIR=/logs/qlog/" \
    "$tmp/logs/quic-go_exit1/handshake/output.txt" || fail "contract environment not seen"
grep -q "REQUESTS=https://server4:443/" "$tmp/logs/quic-go_exit1/handshake/output.txt" ||
    fail "REQUESTS not seen"
grep -q "exit1: QUIRE_ALPN=unset" "$tmp/logs/quic-go_exit1/handshake/output.txt" ||
    fail "QUIRE_ALPN set without --alpn"
grep -q "exit1: CRON=true SERVER_PARAMS=unset CLIENT_PARAMS=-v --x REQUESTS-set=yes PROTOCOLS=\$" \
    "$tmp/logs/quic-go_exit1/handshake/output.txt" || fail "client: CRON/CLIENT_PARAMS not seen"
expect_no_leftovers
# QIR's auto-unsupported rule: exit1 fails against both servers -> unsupported everywhere
rm -rf "$tmp/logs"
qrun -s quic-go,unsupported -c exit1,unsupported -t handshake
expect_verdict "$tmp/logs/result.json" quic-go exit1 H unsupported
grep -q "Client exit1 failed or did not support test handshake against all servers" "$tmp/out" ||
    fail "auto-unsupported not announced"
expect_no_leftovers
# run.py's -n replaces the default exemption (the only client): exit1, the only client, fails
# against both servers and stays failed by default, but -n quic-go leaves it unexempt
rm -rf "$tmp/logs"
qrun -s quic-go,unsupported -c exit1 -t handshake
expect_verdict "$tmp/logs/result.json" quic-go exit1 H failed
rm -rf "$tmp/logs"
qrun -s quic-go,unsupported -c exit1 -t handshake -n quic-go
expect_verdict "$tmp/logs/result.json" quic-go exit1 H unsupported
qrun -s quic-go -c exit1 -t handshake -n corrupt
[ "$run_rc" = 2 ] || fail "-n with an unselected implementation: exit $run_rc, expected 2"
grep -q "'corrupt' is not a selected client or server" "$tmp/out" || fail "no -n message"
expect_no_leftovers
# --no-auto-unsupported-rule switches the rule off for the whole run: the failure stays
rm -rf "$tmp/logs"
qrun -s quic-go,unsupported -c exit1,unsupported -t handshake --no-auto-unsupported-rule
expect_verdict "$tmp/logs/result.json" quic-go exit1 H failed
! grep -q "against all servers" "$tmp/out" || fail "the rule was applied although switched off"
expect_no_leftovers
# --alpn h3 hands QUIRE_ALPN=h3 to the endpoints (exit1 as the server shows its environment)
rm -rf "$tmp/logs"
# (and without CRON/SERVER_PARAMS set: empty, as compose's $VAR; REQUESTS empty too)
unset CRON SERVER_PARAMS
qrun -s exit1 -c quic-go -t handshake --alpn h3 -n exit1 -f 1
o=$tmp/logs/exit1_quic-go/handshake
grep -q "exit1: QUIRE_ALPN=h3" "$o/output.txt" || fail "--alpn h3 did not reach the server"
grep -q "exit1: CRON= SERVER_PARAMS= CLIENT_PARAMS=unset REQUESTS-set=yes PROTOCOLS=\$" \
    "$o/output.txt" || fail "server: CRON/SERVER_PARAMS not set empty"
grep -q "exit1: REQUESTS=\$" "$o/output.txt" || fail "server: REQUESTS not empty"
[ -e "$o/server_downloads/exit1-server" ] || fail "the server's /downloads is not server_downloads"
expect_no_leftovers
