#!/usr/bin/env bash
# The quic-go wrapper against ngtcp2 (HTTP/3 and version negotiation, both roles) and its 127
# for QUIC v2; quic-go against itself and against aioquic are in endpoint_pairs.sh (default
# run) and endpoint_aioquic.sh.
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
QUIRE_EPTEST_EXPECT_UNSUPPORTED=1 run quic-go quic-go v2 ecn
exit $rc
