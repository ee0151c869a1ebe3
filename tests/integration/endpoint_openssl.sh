#!/usr/bin/env bash
# Integration test for endpoints/openssl (OpenSSL 4.0's QUIC stack behind quire's C adapter):
# runs it against itself and against quic-go, quinn and aioquic (those that are installed), both
# directions, in two network namespaces (lib.inc's pair harness: mount + PID namespaces, the
# contract's paths). Checks byte-identical downloads and, in the decrypted capture (tshark +
# the client's key log), what each test case claims: one ClientHello per connection, a Retry
# packet, a PSK in the second ServerHello, key phase 1 packets, the ChaCha20 cipher suite.
# Exit 0 pass, 1 fail, 77 skipped (not root, tool missing, endpoint not installable).
set -u

. "$(dirname "$0")/lib.inc"   # skip, SRC, the pair harness
pairs_require                 # root and tools, else exit 77
OSSL=$SRC/endpoints/openssl
if ! "$OSSL/available" >/dev/null 2>&1; then
    bash "$OSSL/install.sh" >/dev/null 2>&1 || skip "openssl endpoint not built and install.sh failed"
fi
"$OSSL/available" >/dev/null 2>&1 || skip "$("$OSSL/available")"

pairs_testbed

O=$OSSL/run_endpoint
CH='tls.handshake.type == 1'               # ClientHello
PSK='tls.handshake.type == 2 && tls.handshake.extension.type == 41'
RETRY='quic.long.packet_type == 3'
KU='quic.key_phase == 1'
CHACHA='tls.handshake.ciphersuite == 0x1303'
MANY=$(for _ in $(seq 400); do printf '%d ' $((RANDOM % 2000 + 32)); done)  # QIR multiplexing

pair openssl-openssl-handshake "$O" "$O" handshake "3000" "$CH|-eq|1" qlog:c qlog:s
pair openssl-openssl-transfer "$O" "$O" transfer "1048576 2097152 5000" "$CH|-eq|1"
URL_HOST=server6 pair openssl-openssl-ipv6 "$O" "$O" transfer "1048576 5000" "$CH|-eq|1" "ipv6|-ge|10"
pair openssl-openssl-multiplexing "$O" "$O" transfer "$MANY" "$CH|-eq|1"
pair openssl-openssl-retry "$O" "$O" retry "4000" "$RETRY|-ge|1" "$CH|-ge|1"
pair openssl-openssl-resumption "$O" "$O" resumption "3000 4000" "$CH|-eq|2" "$PSK|-eq|1"
pair openssl-openssl-keyupdate "$O" "$O" keyupdate "2097152" "$KU|-ge|10"
pair openssl-openssl-chacha20 "$O" "$O" chacha20 "100000" "$CHACHA|-ge|1" \
    "tls.handshake.ciphersuite == 0x1301|-eq|0"
pair openssl-openssl-multiconnect "$O" "$O" multiconnect "1000 2000 3000" "$CH|-eq|3"

# Each installed peer, both directions; the test cases both ends support. QUIRE_PEERS_DIR: the
# peers' folder (default this checkout's endpoints/; e.g. another checkout's, already built).
PEERS=${QUIRE_PEERS_DIR:-$SRC/endpoints}
for peer in quic-go quinn aioquic; do
    P=$PEERS/$peer/run_endpoint
    if ! "$PEERS/$peer/available" >/dev/null 2>&1; then
        echo "note: $peer not installed; skipping its pairs"
        continue
    fi
    p=${peer//-/}
    pair "openssl-$p-transfer" "$O" "$P" transfer "1048576 2097152 5000" "$CH|-eq|1"
    pair "$p-openssl-transfer" "$P" "$O" transfer "1048576 2097152 5000" "$CH|-eq|1"
    pair "openssl-$p-retry" "$O" "$P" retry "4000" "$RETRY|-ge|1"
    pair "$p-openssl-retry" "$P" "$O" retry "4000" "$RETRY|-ge|1"
    pair "openssl-$p-resumption" "$O" "$P" resumption "3000 4000" "$CH|-eq|2" "$PSK|-eq|1"
    pair "$p-openssl-resumption" "$P" "$O" resumption "3000 4000" "$CH|-eq|2" "$PSK|-eq|1"
    pair "openssl-$p-chacha20" "$O" "$P" chacha20 "100000" "$CHACHA|-ge|1"
    pair "$p-openssl-chacha20" "$P" "$O" chacha20 "100000" "$CHACHA|-ge|1"
    pair "$p-openssl-multiconnect" "$P" "$O" multiconnect "1000 2000" "$CH|-eq|2"
    pair "openssl-$p-multiplexing" "$O" "$P" transfer "$MANY" "$CH|-eq|1"
    pair "$p-openssl-keyupdate" "$P" "$O" keyupdate "2097152" "$KU|-ge|10"
    # quic-go's server answers 127 to keyupdate.
    [ "$peer" = quic-go ] || pair "openssl-$p-keyupdate" "$O" "$P" keyupdate "2097152" "$KU|-ge|10"
done

# Unsupported test cases answer 127 before anything starts.
for tc in zerortt http3 ecn v2; do
    for role in client server; do
        rc=0
        ROLE=$role TESTCASE=$tc "$O" >/dev/null 2>&1 || rc=$?
        if [ "$rc" = 127 ]; then record PASS "unsupported-$role-$tc=127"
        else record FAIL "unsupported $role $tc exit $rc (want 127)"; fi
    done
done
rc=0
ROLE=client TESTCASE=handshake QUIRE_ALPN=h3 "$O" >/dev/null 2>&1 || rc=$?
if [ "$rc" = 127 ]; then record PASS "h3-handshake=127"
else record FAIL "QUIRE_ALPN=h3 handshake exit $rc (want 127)"; fi

pairs_finish endpoint_openssl
