#!/usr/bin/env bash
# Integration test for endpoints/quinn: runs the quinn endpoint against itself and against
# quic-go's interop endpoints (built from Debian's sources into a temp dir) in two network
# namespaces joined by a veth pair, each endpoint in its own mount+PID namespace with /www,
# /downloads, /certs, /logs and /etc/hosts bound as the endpoint contract says. Checks that
# the downloads are byte-identical and, from a decrypted capture (tshark + the client's key
# log), that each test case did what it claims (Retry packet, PSK, 0-RTT, key phase, cipher).
# Exit 0 pass, 1 fail, 77 skipped (not root, tool missing, quinn not buildable).
set -u

. "$(dirname "$0")/lib.inc"   # skip, SRC, the pair harness
pairs_require                 # root and tools, else exit 77
QUINN=$SRC/endpoints/quinn
if [ ! -x "$QUINN/target/release/quire-quinn" ]; then
    bash "$QUINN/install.sh" >/dev/null 2>&1 || skip "quinn endpoint not built and install.sh failed"
fi

pairs_testbed

# --- quic-go's interop endpoints (endpoints/quic-go, built by its install.sh), when available -
QGO=
if [ -x "$SRC/endpoints/quic-go/run_endpoint" ] && "$SRC/endpoints/quic-go/available" >/dev/null 2>&1; then
    QGO=$SRC/endpoints/quic-go/run_endpoint
else
    echo "note: quic-go endpoint not built; skipping quic-go pairs"
fi

Q=$QUINN/run_endpoint
CH='tls.handshake.type == 1'               # ClientHello
PSK='tls.handshake.type == 2 && tls.handshake.extension.type == 41'
EARLY='tls.handshake.type == 8 && tls.handshake.extension.type == 42'
pair quinn-quinn-handshake "$Q" "$Q" handshake "3000" "$CH|-eq|1" qlog:c qlog:s
URL_HOST=server6 pair quinn-quinn-ipv6 "$Q" "$Q" transfer "1048576 5000" "$CH|-eq|1" "ipv6|-ge|10"
pair quinn-quinn-transfer "$Q" "$Q" transfer "1048576 2097152 5000" "$CH|-eq|1" \
    "quic.frame_type == 0x11|-ge|1"      # MAX_STREAM_DATA: small windows got updated
MANY=$(for _ in $(seq 400); do printf '%d ' $((RANDOM % 2000 + 32)); done)  # QIR multiplexing
pair quinn-quinn-multiplexing "$Q" "$Q" transfer "$MANY" "$CH|-eq|1"
pair quinn-quinn-retry "$Q" "$Q" retry "4000" "quic.long.packet_type == 3|-eq|1" "$CH|-ge|1"
pair quinn-quinn-resumption "$Q" "$Q" resumption "3000 4000" "$CH|-eq|2" "$PSK|-eq|1"
pair quinn-quinn-zerortt "$Q" "$Q" zerortt "3000 4000 5000" "$CH|-eq|2" \
    "quic.long.packet_type == 1|-ge|1" "$EARLY|-eq|1"
pair quinn-quinn-keyupdate "$Q" "$Q" keyupdate "2097152" "quic.key_phase == 1|-ge|10"
pair quinn-quinn-chacha20 "$Q" "$Q" chacha20 "100000" "tls.handshake.ciphersuite == 0x1303|-ge|1" \
    "tls.handshake.ciphersuite == 0x1301|-eq|0"
pair quinn-quinn-multiconnect "$Q" "$Q" multiconnect "1000 2000 3000" "$CH|-eq|3"
pair quinn-quinn-rebind-port "$Q" "$Q" rebind-port "10000" "$CH|-eq|1"
if [ -n "$QGO" ]; then
    pair quinn-quicgo-handshake "$Q" "$QGO" handshake "3000" "$CH|-eq|1"
    pair quinn-quicgo-transfer "$Q" "$QGO" transfer "1048576 2097152 5000" "$CH|-eq|1"
    pair quicgo-quinn-handshake "$QGO" "$Q" handshake "3000" "$CH|-eq|1"
    pair quinn-quicgo-multiplexing "$Q" "$QGO" transfer "$MANY" "$CH|-eq|1"
    pair quicgo-quinn-transfer "$QGO" "$Q" transfer "1048576 2097152 5000" "$CH|-eq|1"
    pair quinn-quicgo-retry "$Q" "$QGO" retry "4000" "quic.long.packet_type == 3|-eq|1"
    pair quicgo-quinn-retry "$QGO" "$Q" retry "4000" "quic.long.packet_type == 3|-eq|1"
    pair quinn-quicgo-resumption "$Q" "$QGO" resumption "3000 4000" "$CH|-eq|2" "$PSK|-eq|1"
    pair quicgo-quinn-resumption "$QGO" "$Q" resumption "3000 4000" "$CH|-eq|2" "$PSK|-eq|1"
    pair quinn-quicgo-zerortt "$Q" "$QGO" zerortt "3000 4000" "$CH|-eq|2" \
        "quic.long.packet_type == 1|-ge|1" "$EARLY|-eq|1"
    pair quicgo-quinn-zerortt "$QGO" "$Q" zerortt "3000 4000" "$CH|-eq|2" \
        "quic.long.packet_type == 1|-ge|1" "$EARLY|-eq|1"
    pair quinn-quicgo-chacha20 "$Q" "$QGO" chacha20 "100000" "tls.handshake.ciphersuite == 0x1303|-ge|1"
    pair quicgo-quinn-chacha20 "$QGO" "$Q" chacha20 "100000" "tls.handshake.ciphersuite == 0x1303|-ge|1"
    pair quinn-quicgo-multiconnect "$Q" "$QGO" multiconnect "1000 2000 3000" "$CH|-eq|3"
    pair quicgo-quinn-multiconnect "$QGO" "$Q" multiconnect "1000 2000 3000" "$CH|-eq|3"
    # quic-go's server answers 127 to keyupdate; its client against ours:
    pair quicgo-quinn-keyupdate "$QGO" "$Q" keyupdate "2097152" "quic.key_phase == 1|-ge|10"
fi

# HTTP/3: quinn against itself, and against aioquic / ngtcp2 where those are installed.
H3='http3.frame_type == 1|-ge|3'         # HEADERS frames (requests and responses)
pair quinn-quinn-http3 "$Q" "$Q" http3 "5120 10240 512000" "$CH|-eq|1" "$H3"
QUIRE_ALPN=h3 pair quinn-quinn-h3-transfer "$Q" "$Q" transfer "1048576 5000" "$CH|-eq|1" "$H3"
QUIRE_ALPN=h3 pair quinn-quinn-h3-zerortt "$Q" "$Q" zerortt "3000 4000" "$CH|-eq|2" \
    "quic.long.packet_type == 1|-ge|1"
for peer in aioquic ngtcp2; do
    P=$SRC/endpoints/$peer/run_endpoint
    [ -x "$P" ] && "$SRC/endpoints/$peer/available" >/dev/null 2>&1 || continue
    pair "quinn-$peer-http3" "$Q" "$P" http3 "5120 10240 512000" "$CH|-eq|1" "$H3"
    [ $peer = aioquic ] && pair "aioquic-quinn-http3" "$P" "$Q" http3 "5120 10240 512000" "$CH|-eq|1" "$H3"
done

# Unsupported test cases must answer 127.
rc=0
ROLE=client TESTCASE=v2 "$QUINN/target/release/quire-quinn" client >/dev/null 2>&1 || rc=$?
if [ "$rc" = 127 ]; then record PASS "unsupported-v2=127"
else record FAIL "unsupported-v2 exit $rc (want 127)"; fi

pairs_finish endpoint_quinn
