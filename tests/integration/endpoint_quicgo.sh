#!/usr/bin/env bash
# The quic-go wrapper against ngtcp2 (HTTP/3 and version negotiation, both roles) and its 127
# for QUIC v2 and for hq test cases with QUIRE_ALPN=h3; quic-go against itself and against aioquic are in endpoint_pairs.sh (default
# run) and endpoint_aioquic.sh.
. "$(dirname "$0")/lib.inc"   # run_pairs, SRC
run_pairs quic-go ngtcp2 http3 versionnegotiation
run_pairs ngtcp2 quic-go http3 versionnegotiation
QUIRE_EPTEST_EXPECT_UNSUPPORTED=1 run_pairs quic-go quic-go v2 ecn
# QUIRE_ALPN=h3: hq test cases are not run over h3 by quic-go's binaries: 127, not an hq/h3 clash
QUIRE_ALPN=h3 QUIRE_EPTEST_EXPECT_UNSUPPORTED=1 run_pairs quic-go quic-go handshake
exit $rc
