#!/usr/bin/env bash
# Integration test for endpoints/tquic (TQUIC 1.6 tools): TQUIC against itself and against
# quic-go and aioquic in both roles, over hq-interop and HTTP/3, with a decrypted capture that
# must show what each test case is about (endpoint_pairs.sh's trace_check: Retry, PSK, 0-RTT,
# one ClientHello per file for multiconnect, ...) and decrypt with either side's key log; then
# IPv6 and multiplexing (400 files) through lib.inc's pair harness, and the 127 answers for
# what TQUIC cannot do.
# Exit 0 pass, 1 fail, 77 skipped (not root, tool missing, tquic not built).
set -u
. "$(dirname "$0")/lib.inc"   # run_pairs, pair harness, SRC
pairs_require
"$SRC/endpoints/tquic/available" || skip "tquic not built"

peer_ok() { [ -x "$SRC/endpoints/$1/available" ] && "$SRC/endpoints/$1/available" >/dev/null 2>&1; }
both="handshake transfer http3 retry resumption zerortt multiconnect"
export QUIRE_EPTEST_CAPTURE=1
# shellcheck disable=SC2086
run_pairs tquic tquic $both
if peer_ok quic-go; then
    # shellcheck disable=SC2086
    run_pairs quic-go tquic $both
    # quic-go's client initiates key updates and starts with an unknown version.
    # shellcheck disable=SC2086
    run_pairs tquic quic-go $both keyupdate versionnegotiation
fi
if peer_ok aioquic; then
    # Few cases: aioquic is slow on a loaded 2-core box (CI budget); quic-go covers the rest.
    run_pairs aioquic tquic transfer zerortt
    run_pairs tquic aioquic transfer http3 retry keyupdate
    # QUIRE_ALPN=h3: the hq test cases over HTTP/3 (aioquic's server offers both).
    QUIRE_ALPN=h3 run_pairs aioquic tquic transfer resumption
fi
unset QUIRE_EPTEST_CAPTURE
# 127: ChaCha20-only, ECN, QUIC v2 (both roles); client key update and version negotiation.
QUIRE_EPTEST_EXPECT_UNSUPPORTED=1 run_pairs tquic tquic chacha20 ecn v2 keyupdate versionnegotiation
[ $rc = 0 ] || echo "endpoint_tquic: a run_pairs pair failed"

pairs_testbed
T=$SRC/endpoints/tquic/run_endpoint
CH='tls.handshake.type == 1'
MANY=$(for _ in $(seq 400); do printf '%d ' $((RANDOM % 2000 + 32)); done)  # QIR multiplexing
URL_HOST=server6 pair tquic-tquic-ipv6 "$T" "$T" transfer "1048576 5000" "$CH|-eq|1" "ip|-eq|0"
pair tquic-tquic-multiplexing "$T" "$T" transfer "$MANY" "$CH|-eq|1"
if peer_ok quic-go; then
    Q=$SRC/endpoints/quic-go/run_endpoint
    pair tquic-quicgo-multiplexing "$T" "$Q" transfer "$MANY" "$CH|-eq|1"
    URL_HOST=server6 pair quicgo-tquic-ipv6 "$Q" "$T" transfer "1048576 5000" "$CH|-eq|1" "ip|-eq|0"
fi
pairs_finish endpoint_tquic || rc=1
exit $rc
