#!/usr/bin/env bash
# Integration test for endpoints/firefox: headless Firefox (neqo, driven over Marionette)
# downloads files over HTTP/3 from aioquic, quic-go and ngtcp2's gtlsserver (h3 servers), in two
# network namespaces joined by a veth pair, each endpoint in its own mount+PID namespace as the
# endpoint contract says. Checks that the downloads are byte-identical and, from the capture
# decrypted with Firefox's key log (NSS's SSLKEYLOGFILE), that everything went over exactly one
# QUIC connection with ALPN h3 (HANDSHAKE_DONE visible = the key log decrypts 1-RTT) and no TCP,
# and that Firefox's qlog reached QLOGDIR.
# Exit 0 pass, 1 fail, 77 skipped (not root, tool or Firefox missing).
set -u

. "$(dirname "$0")/lib.inc"   # skip, SRC, the pair harness
pairs_require
FIREFOX=$SRC/endpoints/firefox
"$FIREFOX/available" || skip "Firefox endpoint not available"

pairs_testbed

SERVERS=
AIOQUIC=$SRC/endpoints/aioquic
if "$AIOQUIC/available" >/dev/null 2>&1; then
    SERVERS="$SERVERS aioquic:$AIOQUIC/run_endpoint"
fi
QUICGO=$SRC/endpoints/quic-go
if "$QUICGO/available" >/dev/null 2>&1; then
    SERVERS="$SERVERS quic-go:$QUICGO/run_endpoint"   # h3 for TESTCASE=http3 only
fi
if command -v gtlsserver >/dev/null; then
    cat > "$TMP/gtlsserver.sh" <<'SH'
#!/bin/sh
exec gtlsserver -q -d /www 198.18.0.200 443 /certs/priv.key /certs/cert.pem
SH
    chmod +x "$TMP/gtlsserver.sh"
    SERVERS="$SERVERS ngtcp2:$TMP/gtlsserver.sh"
fi
[ -n "$SERVERS" ] || skip "no h3 server (aioquic, quic-go, gtlsserver) installed"

C=$FIREFOX/run_endpoint
PAIR_TIMEOUT=90                            # Firefox starts slowly on a loaded machine
CH='tls.handshake.type == 1'               # ClientHello: one per connection
H3='tls.handshake.type == 1 && tls.handshake.extensions_alpn_str == "h3"'
DONE='quic.frame_type == 0x1e'             # HANDSHAKE_DONE: 1-RTT, decrypted by the key log
for s in $SERVERS; do
    sname=${s%%:*}
    srun=${s#*:}
    pair "firefox-$sname-http3" "$C" "$srun" http3 "5000 1048576 300000" \
        "$CH|-eq|1" "$H3|-eq|1" "$DONE|-ge|1" "tcp|-eq|0" qlog:c
done
# quire's QUIRE_ALPN=h3 extension: hq test cases over HTTP/3 (aioquic serves them over h3).
if [[ $SERVERS == *aioquic:* ]]; then
    A=$AIOQUIC/run_endpoint
    QUIRE_ALPN=h3 pair "firefox-aioquic-h3-transfer" "$C" "$A" transfer "2097152 3145728 5242880" \
        "$CH|-eq|1" "$H3|-eq|1" "$DONE|-ge|1" "tcp|-eq|0"
    # many files (as multiplexing; aioquic's server takes that test case as transfer)
    QUIRE_ALPN=h3 pair "firefox-aioquic-h3-many" "$C" "$A" transfer "$(printf '32 %.0s' $(seq 300))" \
        "$CH|-eq|1" "$H3|-eq|1" "tcp|-eq|0"
    URL_HOST=server6 QUIRE_ALPN=h3 pair "firefox-aioquic-h3-ipv6" "$C" "$A" handshake "4000" \
        "ipv6 && $CH|-eq|1" "ip|-eq|0" "tcp|-eq|0"
fi

# Through quire's runner and checks: QUIC v2 by compatible version negotiation and ECN, the
# test cases Firefox's own preferences enable (firefox_client.py TESTCASE_PREFS), over h3.
if command -v gtlsserver >/dev/null && [[ $SERVERS == *aioquic:* ]]; then
    quire_run_expect firefox-v2-ecn \
        "aioquic firefox V2 succeeded ngtcp2 firefox V2 succeeded ngtcp2 firefox E succeeded" \
        -- -s aioquic,ngtcp2 -c firefox -t v2,ecn --alpn auto
fi
if [[ $SERVERS == *aioquic:* ]]; then # NAT rebinding is the simulator's: nothing for the client
    quire_run_expect firefox-rebind "aioquic firefox BA succeeded" \
        -- -s aioquic -c firefox -t rebind-addr --alpn auto
fi

# The server role and the test cases Firefox cannot do must answer 127 before starting it.
for args in "client handshake" "client transfer" "server http3" "client keyupdate h3" \
    "client chacha20 h3" "client zerortt h3"; do
    set -- $args
    rc=0
    ROLE=$1 TESTCASE=$2 QUIRE_ALPN=${3:-} "$C" >/dev/null 2>&1 || rc=$?
    if [ "$rc" = 127 ]; then record PASS "$1 $2 ${3:-} = 127"
    else record FAIL "$1 $2 ${3:-}: exit $rc (want 127)"; fi
done

pairs_finish endpoint_firefox
