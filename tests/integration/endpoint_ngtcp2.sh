#!/usr/bin/env bash
# The ngtcp2 wrapper against quic-go in both roles (http3, versionnegotiation), against itself
# over HTTP/3 for the hq test cases (QUIRE_ALPN=h3), and its own success judgment: a request
# for a missing file must make the wrapper fail although gtlsclient exits 0.
pairs=$(dirname "$0")/endpoint_pairs.sh
rc=0
run() {
    bash "$pairs" "$@"
    local r=$?
    [ $r = 77 ] && exit 77
    [ $r = 0 ] || rc=1
}
run quic-go ngtcp2 http3 versionnegotiation
run ngtcp2 quic-go http3 versionnegotiation
QUIRE_ALPN=h3 run ngtcp2 ngtcp2 handshake transfer retry resumption zerortt keyupdate chacha20 multiconnect
QUIRE_EPTEST_MISSING=1 run quic-go ngtcp2 http3
# Without QUIRE_ALPN=h3 the hq test cases are unsupported (127) on both sides.
QUIRE_EPTEST_EXPECT_UNSUPPORTED=1 run ngtcp2 ngtcp2 handshake v2
QUIRE_EPTEST_EXPECT_UNSUPPORTED=1 run quic-go ngtcp2 transfer
exit $rc
