#!/usr/bin/env bash
# The quic-go wrapper against ngtcp2 (HTTP/3 and version negotiation, both roles), ECN against
# quinn through quire's runner, h3-mode transfers, and its 127 for QUIC v2 and for the other
# test cases with QUIRE_ALPN=h3; quic-go against itself and against aioquic are in endpoint_pairs.sh (default
# run) and endpoint_aioquic.sh.
. "$(dirname "$0")/lib.inc"   # run_pairs, SRC
run_pairs quic-go ngtcp2 http3 versionnegotiation
run_pairs ngtcp2 quic-go http3 versionnegotiation
QUIRE_EPTEST_EXPECT_UNSUPPORTED=1 run_pairs quic-go quic-go v2
# ecn through quire's runner: the wrapper runs it as a transfer, quire's check wants ECT(0)
# datagrams and ACK_ECN from both sides (quinn marks too)
if "$SRC/endpoints/quinn/available" >/dev/null 2>&1; then
    RESULTS= PASS=0 FAIL=0
    quire_run_expect quicgo-ecn "quic-go quinn E succeeded quinn quic-go E succeeded" \
        -- -s quic-go,quinn -c quic-go,quinn -t ecn
    pairs_finish endpoint_quicgo-ecn || rc=1
fi
# QUIRE_ALPN=h3: the file-download test cases run as the binaries' http3 case; the others are
# 127 over h3, not an hq/h3 clash
QUIRE_ALPN=h3 run_pairs quic-go quic-go handshake transfer
QUIRE_ALPN=h3 QUIRE_EPTEST_EXPECT_UNSUPPORTED=1 run_pairs quic-go quic-go chacha20
exit $rc
