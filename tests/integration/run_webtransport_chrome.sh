#!/usr/bin/env bash
# quire run --protocol webtransport: headless Chromium's WebTransport API (endpoints/chrome/
# webtransport, the page's `new WebTransport(url, {protocols})`) against aioquic's WebTransport
# server over QIR's seven WebTransport test cases in real namespaces: every case succeeds (the
# browser negotiates the protocol, moves the files over its streams and datagrams, and keeps to
# one QUIC connection), and nothing is left behind.
. "$(dirname "$0")/../endpoints/run_common.bash"
require_root
why=$("$src/endpoints/aioquic/webtransport/available" 2>&1) ||
    skip "aioquic WebTransport endpoint not runnable: $why"
why=$("$src/endpoints/chrome/webtransport/available" 2>&1) || skip "chromium not runnable: $why"
impls=$src/tests/endpoints/implementations_webtransport.json
setup_run wtchrome
start=$(date +%s)
qrun -p webtransport -s aioquic -c chrome
echo "run took $(( $(date +%s) - start )) s"
[ "$run_rc" = 0 ] || fail "quire run -p webtransport exited $run_rc"
for t in H UR US BR BS DR DS; do
    expect_verdict "$tmp/logs/result.json" aioquic chrome $t succeeded
done
grep -q "negotiated protocol" "$tmp/logs/aioquic_chrome/handshake/output.txt" ||
    fail "the chrome client did not log the negotiated protocol"
expect_no_leftovers
