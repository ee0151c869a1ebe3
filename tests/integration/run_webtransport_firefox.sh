#!/usr/bin/env bash
# quire run --protocol webtransport: headless Firefox's WebTransport API (endpoints/firefox/
# webtransport, neqo; the page script endpoints/wt_page.js) against aioquic's WebTransport
# server over QIR's seven WebTransport test cases in real namespaces: the six transfer cases
# succeed; handshake fails, explained, because Firefox sends no wt-available-protocols (the
# `protocols` option of `new WebTransport` is not implemented there), so it has no protocol to
# write to negotiated_protocol.txt. Nothing is left behind.
. "$(dirname "$0")/../endpoints/run_common.bash"
require_root
why=$("$src/endpoints/aioquic/webtransport/available" 2>&1) ||
    skip "aioquic WebTransport endpoint not runnable: $why"
why=$("$src/endpoints/firefox/webtransport/available" 2>&1) || skip "firefox not runnable: $why"
impls=$src/tests/endpoints/implementations_webtransport.json
setup_run wtfirefox
start=$(date +%s)
qrun -p webtransport -s aioquic -c firefox
echo "run took $(( $(date +%s) - start )) s"
[ "$run_rc" = 1 ] || fail "quire run -p webtransport exited $run_rc, expected 1 (handshake fails)"
for t in UR US BR BS DR DS; do
    expect_verdict "$tmp/logs/result.json" aioquic firefox $t succeeded
done
expect_verdict "$tmp/logs/result.json" aioquic firefox H failed
verdict "$tmp/logs/result.json" aioquic firefox H | grep -q "client's negotiated_protocol.txt" ||
    fail "H: not explained by the client's missing negotiated_protocol.txt"
grep -q "offered \[\]" "$tmp/logs/aioquic_firefox/handshake/server/stderr.log" ||
    fail "H: the server log does not show that Firefox offered no protocol"
expect_no_leftovers
