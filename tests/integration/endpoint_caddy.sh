#!/usr/bin/env bash
# The caddy wrapper (HTTP/3 server only) against the quic-go and ngtcp2 clients (and aioquic's
# when installed); hq test cases and the client role must answer 127; with aioquic, h3-mode test
# cases through quire run.
. "$(dirname "$0")/lib.inc"   # run_pairs, SRC
QUIRE_EPTEST_CAPTURE=1 run_pairs caddy quic-go http3
run_pairs caddy ngtcp2 http3
QUIRE_EPTEST_MISSING=1 run_pairs caddy ngtcp2 http3
if "$SRC/endpoints/aioquic/available" >/dev/null 2>&1; then run_pairs caddy aioquic http3; fi
QUIRE_EPTEST_EXPECT_UNSUPPORTED=1 run_pairs caddy quic-go handshake transfer
# QUIRE_ALPN=h3 (quire run --alpn auto): the file-serving test cases over HTTP/3
if "$SRC/endpoints/aioquic/available" >/dev/null 2>&1; then
    RESULTS= PASS=0 FAIL=0
    quire_run_expect caddy-h3 "caddy aioquic M succeeded caddy aioquic L2 succeeded caddy aioquic U succeeded" \
        -- -s caddy -c aioquic -t multiplexing,transferloss,keyupdate --alpn auto
    pairs_finish endpoint_caddy-h3 || rc=1
fi
ROLE=client TESTCASE=http3 "$SRC/endpoints/caddy/run_endpoint" >/dev/null
r=$?
if [ $r != 127 ]; then echo "endpoint_caddy: FAIL ROLE=client exited $r, expected 127"; rc=1; fi
exit $rc
