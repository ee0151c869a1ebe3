#!/usr/bin/env bash
# The aioquic wrapper against quic-go (hq-interop and h3, both roles), against ngtcp2 and caddy
# over HTTP/3, against itself for QUIC v2 (RFC 9369), and its 127 for what it cannot do.
pairs=$(dirname "$0")/endpoint_pairs.sh
rc=0
run() {
    bash "$pairs" "$@"
    local r=$?
    [ $r = 77 ] && exit 77
    [ $r = 0 ] || rc=1
}
all="handshake transfer http3 retry resumption zerortt multiconnect chacha20 keyupdate"
# shellcheck disable=SC2086
run quic-go aioquic $all
# shellcheck disable=SC2086
run aioquic quic-go $all versionnegotiation
run aioquic aioquic v2
run aioquic ngtcp2 http3 versionnegotiation
run ngtcp2 aioquic http3
QUIRE_ALPN=h3 run ngtcp2 aioquic handshake transfer resumption zerortt
QUIRE_ALPN=h3 run aioquic ngtcp2 retry chacha20 keyupdate multiconnect
# quic-go 0.29 has no QUIC v2; aioquic's client cannot start with an unknown version.
QUIRE_EPTEST_EXPECT_UNSUPPORTED=1 run quic-go aioquic v2
QUIRE_EPTEST_EXPECT_UNSUPPORTED=1 run aioquic aioquic versionnegotiation
exit $rc
