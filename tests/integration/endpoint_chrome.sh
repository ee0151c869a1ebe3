#!/usr/bin/env bash
# Integration test for endpoints/chrome: headless Chromium (driven over the DevTools pipe)
# downloads files over HTTP/3 from ngtcp2's gtlsserver and from caddy, in two network
# namespaces joined by a veth pair, each endpoint in its own mount+PID namespace with /www,
# /downloads, /certs, /logs and /etc/hosts bound as the endpoint contract says. Checks that
# the downloads are byte-identical and, from a decrypted capture (tshark + Chromium's key
# log), that everything went over exactly one QUIC connection with ALPN h3; over 16 URLs
# (multiplexing) the driver fetches instead of clicking, also over that one connection.
# Exit 0 pass, 1 fail, 77 skipped (not root, tool or Chromium missing).
set -u

. "$(dirname "$0")/lib.inc"   # skip, SRC, the pair harness
pairs_require                 # root and tools, else exit 77
CHROME=$SRC/endpoints/chrome
"$CHROME/available" || skip "Chromium endpoint not available"

pairs_testbed

# --- h3 servers: ngtcp2's gtlsserver and caddy, as contract-style run_endpoint scripts --------
SERVERS=
if command -v gtlsserver >/dev/null; then
    cat > "$TMP/gtlsserver.sh" <<'SH'
#!/bin/sh
exec gtlsserver -q -d /www 198.18.0.200 443 /certs/priv.key /certs/cert.pem
SH
    chmod +x "$TMP/gtlsserver.sh"
    SERVERS="$SERVERS ngtcp2:$TMP/gtlsserver.sh"
fi
if command -v caddy >/dev/null; then
    cat > "$TMP/Caddyfile" <<'CADDY'
{
	admin off
	auto_https disable_redirects
}
https://:443 {
	tls /certs/cert.pem /certs/priv.key
	root * /www
	file_server
}
CADDY
    cat > "$TMP/caddy.sh" <<SH
#!/bin/sh
export HOME=$TMP/caddyhome XDG_DATA_HOME=$TMP/caddyhome XDG_CONFIG_HOME=$TMP/caddyhome
exec caddy run --adapter caddyfile --config $TMP/Caddyfile
SH
    chmod +x "$TMP/caddy.sh"
    SERVERS="$SERVERS caddy:$TMP/caddy.sh"
fi
# The project's own ngtcp2 endpoint (h3 only; hq test cases over h3 with QUIRE_ALPN=h3).
if [ -x "$SRC/endpoints/ngtcp2/run_endpoint" ] && command -v gtlsserver >/dev/null; then
    SERVERS="$SERVERS ngtcp2ep:$SRC/endpoints/ngtcp2/run_endpoint"
fi
[ -n "$SERVERS" ] || skip "no h3 server (gtlsserver, caddy) installed"

C=$CHROME/run_endpoint
PAIR_TIMEOUT=90                            # Chromium starts slowly
CH='tls.handshake.type == 1'               # ClientHello: one per connection
H3='tls.handshake.type == 1 && tls.handshake.extensions_alpn_str == "h3"'
# QUIRE_REPEAT=N repeats every pair N times (reliability runs).
for s in $SERVERS; do
  for rep in $(seq "${QUIRE_REPEAT:-1}"); do
    sname=${s%%:*}
    srun=${s#*:}
    pair "chrome-$sname-http3$([ "$rep" = 1 ] || echo "-$rep")" "$C" "$srun" http3 "5000 1048576 300000" "$CH|-eq|1" "$H3|-eq|1" "tcp|-eq|0"
    pair "chrome-$sname-http3-many$([ "$rep" = 1 ] || echo "-$rep")" "$C" "$srun" http3 \
        "1000 2000 3000 4000 5000 6000 7000 8000 9000 10000" "$CH|-eq|1" "tcp|-eq|0"
  done
  # quire's QUIRE_ALPN=h3 extension: handshake and transfer over HTTP/3.
  QUIRE_ALPN=h3 pair "chrome-$sname-h3-handshake" "$C" "$srun" handshake "2000" "$CH|-eq|1" "$H3|-eq|1" "tcp|-eq|0"
  QUIRE_ALPN=h3 pair "chrome-$sname-h3-transfer" "$C" "$srun" transfer "2097152 3145728 5242880" \
      "$CH|-eq|1" "$H3|-eq|1" "tcp|-eq|0"
  # more than the driver's MANY_URLS: fetched by the page's fetch(), still one connection
  QUIRE_ALPN=h3 pair "chrome-$sname-h3-many" "$C" "$srun" transfer "$(printf '32 %.0s' $(seq 100))" \
      "$CH|-eq|1" "$H3|-eq|1" "tcp|-eq|0"
done
if [[ $SERVERS == *ngtcp2ep:* ]]; then   # the wrapper maps retry onto gtlsserver -V
    QUIRE_ALPN=h3 pair "chrome-ngtcp2ep-h3-retry" "$C" "$SRC/endpoints/ngtcp2/run_endpoint" retry "4000" \
        "quic.long.packet_type == 3|-ge|1" "$H3|-ge|1" "tcp|-eq|0"
fi

# Through quire's runner and checks: cases the simulator makes (rebinding, IPv6, loss) with
# Chromium as the client over h3.
if "$SRC/endpoints/aioquic/available" >/dev/null 2>&1; then
    quire_run_expect chrome-sim-cases \
        "aioquic chrome 6 succeeded aioquic chrome BP succeeded aioquic chrome L2 succeeded" \
        -- -s aioquic -c chrome -t ipv6,rebind-port,transferloss --alpn auto
fi

# The driver's SPKI pin (computed from cert.pem by a small DER walk) must equal openssl's.
want=$(openssl x509 -in "$TMP/certs/cert.pem" -pubkey -noout | openssl pkey -pubin -outform der |
    openssl dgst -sha256 -binary | base64)
got=$(sed -n 's/.*--ignore-certificate-errors-spki-list=\([^ ]*\).*/\1/p' "$TMP"/run-*/client.out | sort -u)
if [ -n "$want" ] && [ "$got" = "$want" ]; then record PASS "SPKI pin = openssl's"
else record FAIL "SPKI pin '$got', openssl says '$want'"; fi

# Test cases Chromium cannot do, and the server role, must answer 127.
for args in "client handshake" "client transfer" "server http3" "client keyupdate h3" "client zerortt h3"; do
    set -- $args
    rc=0
    ROLE=$1 TESTCASE=$2 QUIRE_ALPN=${3:-} "$C" >/dev/null 2>&1 || rc=$?
    if [ "$rc" = 127 ]; then record PASS "$1 $2 ${3:-} = 127"
    else record FAIL "$1 $2: exit $rc (want 127)"; fi
done

pairs_finish endpoint_chrome
