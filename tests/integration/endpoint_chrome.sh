#!/usr/bin/env bash
# Integration test for endpoints/chrome: headless Chromium (driven over the DevTools pipe)
# downloads files over HTTP/3 from ngtcp2's gtlsserver and from caddy, in two network
# namespaces joined by a veth pair, each endpoint in its own mount+PID namespace with /www,
# /downloads, /certs, /logs and /etc/hosts bound as the endpoint contract says. Checks that
# the downloads are byte-identical and, from a decrypted capture (tshark + Chromium's key
# log), that everything went over exactly one QUIC connection with ALPN h3.
# Exit 0 pass, 1 fail, 77 skipped (not root, tool or Chromium missing).
set -u

skip() { echo "SKIP: $*"; exit 77; }
[ "$(id -u)" = 0 ] || skip "needs root (network namespaces)"
for t in ip unshare openssl ethtool cmp tcpdump tshark ss setsid; do
    command -v "$t" >/dev/null || skip "$t not installed"
done
SRC=${QUIRE_SOURCE_DIR:-$(cd "$(dirname "$0")/../.." && pwd)}
CHROME=$SRC/endpoints/chrome
"$CHROME/available" || skip "Chromium endpoint not available"

ID=$$
NSC=quire-qctest-$ID-c
NSS=quire-qctest-$ID-s
VC=qcc$ID
VS=qcs$ID
TMP=$(mktemp -d "/tmp/quire-qctest-$ID.XXXXXX")
SERVER_PGID=
CAPTURE_PID=

cleanup() {
    [ -n "$SERVER_PGID" ] && kill -KILL -- "-$SERVER_PGID" 2>/dev/null
    [ -n "$CAPTURE_PID" ] && kill -KILL "$CAPTURE_PID" 2>/dev/null
    ip netns del "$NSC" 2>/dev/null
    ip netns del "$NSS" 2>/dev/null
    if [ -n "${QUIRE_KEEP:-}" ]; then echo "kept $TMP"; else rm -rf "$TMP"; fi
}
trap cleanup EXIT
trap 'exit 1' INT TERM HUP

# --- network: client 198.18.0.100 / 2001:2:0:1::100, server .200 / ::200 ---------------------
ip netns add "$NSC" && ip netns add "$NSS" || exit 1
ip link add "$VC" netns "$NSC" type veth peer name "$VS" netns "$NSS" || exit 1
setup_side() { # ns dev v4 v6
    ip -n "$1" link set lo up
    ip -n "$1" addr add "$3/24" dev "$2"
    ip -n "$1" addr add "$4/64" dev "$2" nodad
    ip -n "$1" link set "$2" up
    ip netns exec "$1" ethtool -K "$2" tx off tso off gso off gro off tx-udp-segmentation off >/dev/null 2>&1
}
setup_side "$NSC" "$VC" 198.18.0.100 2001:2:0:1::100 || exit 1
setup_side "$NSS" "$VS" 198.18.0.200 2001:2:0:1::200 || exit 1
cat > "$TMP/hosts" <<HOSTS
127.0.0.1 localhost
198.18.0.200 server server4
2001:2:0:1::200 server6
198.18.0.100 client client4
2001:2:0:1::100 client6
HOSTS

# --- certificates: a CA and a leaf for "server"; cert.pem is the chain -------------------------
mkdir -p "$TMP/certs"
(
    cd "$TMP/certs" &&
    openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 2 \
        -subj /CN=quire-test-ca -keyout ca.key -out ca.pem &&
    openssl req -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -subj /CN=server \
        -keyout priv.key -out leaf.csr &&
    printf 'subjectAltName=DNS:server,DNS:server4,DNS:server6\n' > ext.cnf &&
    openssl x509 -req -in leaf.csr -CA ca.pem -CAkey ca.key -CAcreateserial -days 2 \
        -extfile ext.cnf -out leaf.pem &&
    cat leaf.pem ca.pem > cert.pem
) >/dev/null 2>&1 || { echo "FAIL: openssl could not make certificates"; exit 1; }

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
[ -n "$SERVERS" ] || skip "no h3 server (gtlsserver, caddy) installed"

# endpoint NS ROLE RUN_ENDPOINT TESTCASE REQUESTS DIR: runs RUN_ENDPOINT as the contract says,
# DIR holding www/ downloads/ logs/.
endpoint() {
    ip netns exec "$1" env -i PATH="$PATH" HOME=/root ROLE="$2" TESTCASE="$4" REQUESTS="$5" \
        SSLKEYLOGFILE=/logs/keys.log QLOGDIR=/logs/qlog \
        Q_DIR="$6" Q_CERTS="$TMP/certs" Q_HOSTS="$TMP/hosts" Q_RUN="$3" \
        unshare --mount --pid --fork --kill-child --mount-proc sh -c '
            mount --make-rprivate / &&
            mkdir -p /www /downloads /certs /logs &&
            mount --bind "$Q_DIR/www" /www && mount --bind "$Q_DIR/downloads" /downloads &&
            mount --bind "$Q_CERTS" /certs && mount --bind "$Q_DIR/logs" /logs &&
            mount --bind "$Q_HOSTS" /etc/hosts &&
            exec "$Q_RUN"'
}

# count PCAP KEYS FILTER: number of packets matching a tshark display filter
count() {
    tshark -r "$1" -o "tls.keylog_file:$2" -Y "$3" 2>/dev/null | wc -l
}

PASS=0
FAIL=0
RESULTS=
# pair NAME CLIENT_RUN SERVER_RUN TESTCASE "SIZE..." CHECK...: one test run; CHECK is
# "FILTER OP N" (e.g. "quic.long.packet_type == 3|-ge|1") evaluated on the decrypted capture.
pair() { pair_run "$@"; }
pair_run() {
    local name=$1 crun=$2 srun=$3 tc=$4 sizes=$5
    shift 5
    local d=$TMP/run-$name
    mkdir -p "$d/s/www" "$d/s/downloads" "$d/s/logs" "$d/c/www" "$d/c/downloads" "$d/c/logs"
    local reqs="" i=0 s
    for s in $sizes; do
        i=$((i + 1))
        head -c "$s" /dev/urandom > "$d/s/www/f$i-$RANDOM.bin"
    done
    for f in "$d"/s/www/*; do reqs="$reqs https://server4:443/$(basename "$f")"; done
    reqs=${reqs# }

    ip netns exec "$NSC" tcpdump -i "$VC" --immediate-mode -U -w "$d/trace.pcap" port 443 2>"$d/tcpdump.err" &
    CAPTURE_PID=$!
    for _ in $(seq 50); do grep -q "listening on" "$d/tcpdump.err" 2>/dev/null && break; sleep 0.1; done

    setsid bash -c "$(declare -f endpoint); TMP='$TMP'; endpoint '$NSS' server '$srun' '$tc' '' '$d/s'" \
        >"$d/server.out" 2>&1 &
    SERVER_PGID=$!
    for _ in $(seq 100); do
        ip netns exec "$NSS" ss -Huln 'sport = :443' 2>/dev/null | grep -q . && break
        sleep 0.1
    done
    local t0 t1 rc ok=1 why=""
    t0=$(date +%s.%N)
    timeout 90 bash -c "$(declare -f endpoint); TMP='$TMP'; endpoint '$NSC' client '$crun' '$tc' '$reqs' '$d/c'" \
        >"$d/client.out" 2>&1
    rc=$?
    t1=$(date +%s.%N)
    sleep 0.3
    kill -TERM -- "-$SERVER_PGID" 2>/dev/null; sleep 0.2; kill -KILL -- "-$SERVER_PGID" 2>/dev/null
    wait "$SERVER_PGID" 2>/dev/null
    SERVER_PGID=
    kill -INT "$CAPTURE_PID" 2>/dev/null; wait "$CAPTURE_PID" 2>/dev/null
    CAPTURE_PID=

    [ "$rc" = 0 ] || { ok=0; why="client exit $rc"; }
    for f in "$d"/s/www/*; do
        cmp -s "$f" "$d/c/downloads/$(basename "$f")" || { ok=0; why="$why; $(basename "$f") differs or missing"; }
    done
    [ -s "$d/c/logs/keys.log" ] || { ok=0; why="$why; no client key log"; }
    local chk filter op n got
    for chk in "$@"; do
        IFS='|' read -r filter op n <<<"$chk"
        got=$(count "$d/trace.pcap" "$d/c/logs/keys.log" "$filter")
        [ "$got" "$op" "$n" ] || { ok=0; why="$why; capture: $got x '$filter' (want $op $n)"; }
    done
    local secs
    secs=$(echo "$t1 - $t0" | bc 2>/dev/null || echo "?")
    if [ $ok = 1 ]; then
        PASS=$((PASS + 1)); RESULTS="$RESULTS\nPASS $name (${secs}s)"
    else
        FAIL=$((FAIL + 1)); RESULTS="$RESULTS\nFAIL $name:$why (${secs}s)"
        echo "--- $name: client output"; tail -n 30 "$d/client.out"
        echo "--- $name: server output"; tail -n 30 "$d/server.out"
    fi
}

C=$CHROME/run_endpoint
CH='tls.handshake.type == 1'               # ClientHello: one per connection
H3='tls.handshake.type == 1 && tls.handshake.extensions_alpn_str == "h3"'
if [ -n "${QUIRE_ONLY:-}" ]; then pair() { if [[ $1 =~ ^($QUIRE_ONLY)$ ]]; then pair_run "$@"; fi; }; fi
# QUIRE_REPEAT=N repeats every pair N times (reliability runs).
for s in $SERVERS; do
  for rep in $(seq "${QUIRE_REPEAT:-1}"); do
    sname=${s%%:*}
    srun=${s#*:}
    pair "chrome-$sname-http3$([ "$rep" = 1 ] || echo "-$rep")" "$C" "$srun" http3 "5000 1048576 300000" "$CH|-eq|1" "$H3|-eq|1" "tcp|-eq|0"
    pair "chrome-$sname-http3-many$([ "$rep" = 1 ] || echo "-$rep")" "$C" "$srun" http3 \
        "1000 2000 3000 4000 5000 6000 7000 8000 9000 10000" "$CH|-eq|1" "tcp|-eq|0"
  done
done

# Test cases Chromium cannot do, and the server role, must answer 127.
for args in "client handshake" "client transfer" "server http3"; do
    set -- $args
    rc=0
    ROLE=$1 TESTCASE=$2 "$C" >/dev/null 2>&1 || rc=$?
    if [ "$rc" = 127 ]; then PASS=$((PASS + 1)); RESULTS="$RESULTS\nPASS $1 $2 = 127"
    else FAIL=$((FAIL + 1)); RESULTS="$RESULTS\nFAIL $1 $2: exit $rc (want 127)"; fi
done

printf "%b\n" "$RESULTS"
echo "endpoint_chrome: $PASS passed, $FAIL failed"
[ "$FAIL" = 0 ]
