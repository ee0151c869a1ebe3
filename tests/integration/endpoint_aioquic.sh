#!/usr/bin/env bash
# The aioquic wrapper against quic-go (hq-interop and h3, both roles), against ngtcp2 and caddy
# over HTTP/3, against itself for QUIC v2 (RFC 9369), and its 127 for what it cannot do.
. "$(dirname "$0")/lib.inc"   # run_pairs, SRC
all="handshake transfer http3 retry resumption zerortt multiconnect chacha20 keyupdate"
# shellcheck disable=SC2086
run_pairs quic-go aioquic $all
# shellcheck disable=SC2086
run_pairs aioquic quic-go $all versionnegotiation
run_pairs aioquic aioquic v2
# Key logs: tshark decrypts STREAM frames with either side's SSLKEYLOGFILE.
QUIRE_EPTEST_CAPTURE=1 run_pairs quic-go aioquic handshake chacha20
QUIRE_EPTEST_CAPTURE=1 run_pairs aioquic quic-go handshake
run_pairs aioquic ngtcp2 http3 versionnegotiation
run_pairs ngtcp2 aioquic http3
QUIRE_ALPN=h3 run_pairs ngtcp2 aioquic handshake transfer resumption zerortt
QUIRE_ALPN=h3 run_pairs aioquic ngtcp2 retry chacha20 keyupdate multiconnect
# quic-go's interop programs have no v2 test case (0.46 neither); aioquic's client cannot start with an unknown version.
QUIRE_EPTEST_EXPECT_UNSUPPORTED=1 run_pairs quic-go aioquic v2
QUIRE_EPTEST_EXPECT_UNSUPPORTED=1 run_pairs aioquic aioquic versionnegotiation
exit $rc
