#!/usr/bin/env bash
# The ngtcp2 wrapper against quic-go in both roles (http3 with key-log check, versionnegotiation),
# against itself over HTTP/3 for the hq test cases (QUIRE_ALPN=h3), and its own success judgment: a request
# for a missing file must make the wrapper fail although gtlsclient exits 0.
. "$(dirname "$0")/lib.inc"   # run_pairs, SRC
QUIRE_EPTEST_CAPTURE=1 run_pairs quic-go ngtcp2 http3
run_pairs quic-go ngtcp2 versionnegotiation
QUIRE_EPTEST_CAPTURE=1 run_pairs ngtcp2 quic-go http3
run_pairs ngtcp2 quic-go versionnegotiation
QUIRE_ALPN=h3 run_pairs ngtcp2 ngtcp2 handshake transfer retry resumption zerortt keyupdate chacha20 multiconnect
QUIRE_EPTEST_MISSING=1 run_pairs quic-go ngtcp2 http3
# Without QUIRE_ALPN=h3 the hq test cases are unsupported (127) on both sides.
QUIRE_EPTEST_EXPECT_UNSUPPORTED=1 run_pairs ngtcp2 ngtcp2 handshake v2
QUIRE_EPTEST_EXPECT_UNSUPPORTED=1 run_pairs quic-go ngtcp2 transfer
exit $rc
