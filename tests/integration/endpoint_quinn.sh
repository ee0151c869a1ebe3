#!/usr/bin/env bash
# Integration test for endpoints/quinn: runs the quinn endpoint against itself and against
# quic-go's interop endpoints (built from Debian's sources into a temp dir) in two network
# namespaces joined by a veth pair, each endpoint in its own mount+PID namespace with /www,
# /downloads, /certs, /logs and /etc/hosts bound as the endpoint contract says. Checks that
# the downloads are byte-identical and, from a decrypted capture (tshark + the client's key
# log), that each test case did what it claims (Retry packet, PSK, 0-RTT, key phase, cipher).
# Exit 0 pass, 1 fail, 77 skipped (not root, tool missing, quinn not buildable).
set -u

skip() { echo "SKIP: $*"; exit 77; }
[ "$(id -u)" = 0 ] || skip "needs root (network namespaces)"
for t in ip unshare openssl ethtool cmp tcpdump tshark ss setsid; do
    command -v "$t" >/dev/null || skip "$t not installed"
done
SRC=${QUIRE_SOURCE_DIR:-$(cd "$(dirname "$0")/../.." && pwd)}
QUINN=$SRC/endpoints/quinn
if [ ! -x "$QUINN/target/release/quire-quinn" ]; then
    bash "$QUINN/install.sh" >/dev/null 2>&1 || skip "quinn endpoint not built and install.sh failed"
fi

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

# --- quic-go's interop endpoints (Debian source), when Go and the source are present ---------
QGO=
QGO_SRC=/usr/share/gocode/src/github.com/lucas-clemente/quic-go/interop
if [ -x "$SRC/endpoints/quic-go/run_endpoint" ] && "$SRC/endpoints/quic-go/available" >/dev/null 2>&1; then
    QGO=$SRC/endpoints/quic-go/run_endpoint
elif command -v go >/dev/null && [ -d "$QGO_SRC" ]; then
    mkdir -p "$TMP/qgo/gopath" "$TMP/qgo/cache"
    ok=1
    for r in server client; do
        (cd "$TMP/qgo" && GO111MODULE=off GOPATH="$TMP/qgo/gopath:/usr/share/gocode" GOPROXY=off \
            GOCACHE="$TMP/qgo/cache" go build -o "qgo-$r" \
            "github.com/lucas-clemente/quic-go/interop/$r") >"$TMP/qgo/build-$r.log" 2>&1 || ok=0
    done
    if [ $ok = 1 ]; then
        # QIR's quic-go image passes the URLs as arguments.
        printf '#!/bin/sh\n[ "$ROLE" = client ] && exec "%s/qgo/qgo-client" $REQUESTS\nexec "%s/qgo/qgo-server"\n' \
            "$TMP" "$TMP" > "$TMP/qgo/run_endpoint"
        chmod +x "$TMP/qgo/run_endpoint"
        QGO=$TMP/qgo/run_endpoint
    else
        echo "note: quic-go interop build failed; skipping quic-go pairs"
    fi
fi

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
    for f in "$d"/s/www/*; do reqs="$reqs https://${URL_HOST:-server4}:443/$(basename "$f")"; done
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
    timeout 60 bash -c "$(declare -f endpoint); TMP='$TMP'; endpoint '$NSC' client '$crun' '$tc' '$reqs' '$d/c'" \
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
        if [[ $chk == qlog:* ]]; then   # qlog:c or qlog:s: that side wrote a non-empty qlog
            ls "$d/${chk#qlog:}"/logs/qlog/*.sqlog >/dev/null 2>&1 &&
                grep -q '"name":"transport:packet_sent"\|"name":"transport:packet_received"' \
                    "$d/${chk#qlog:}"/logs/qlog/*.sqlog ||
                { ok=0; why="$why; no qlog events from ${chk#qlog:}"; }
            continue
        fi
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

Q=$QUINN/run_endpoint
CH='tls.handshake.type == 1'               # ClientHello
PSK='tls.handshake.type == 2 && tls.handshake.extension.type == 41'
EARLY='tls.handshake.type == 8 && tls.handshake.extension.type == 42'
if [ -n "${QUIRE_ONLY:-}" ]; then pair() { if [[ $1 =~ ^($QUIRE_ONLY)$ ]]; then pair_run "$@"; fi; }; fi
pair quinn-quinn-handshake "$Q" "$Q" handshake "3000" "$CH|-eq|1" qlog:c qlog:s
URL_HOST=server6 pair quinn-quinn-ipv6 "$Q" "$Q" transfer "1048576 5000" "$CH|-eq|1" "ipv6|-ge|10"
pair quinn-quinn-transfer "$Q" "$Q" transfer "1048576 2097152 5000" "$CH|-eq|1" \
    "quic.frame_type == 0x11|-ge|1"      # MAX_STREAM_DATA: small windows got updated
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
    pair quicgo-quinn-transfer "$QGO" "$Q" transfer "1048576 2097152 5000" "$CH|-eq|1"
    pair quinn-quicgo-zerortt "$Q" "$QGO" zerortt "3000 4000" "quic.long.packet_type == 1|-ge|1"
    pair quicgo-quinn-retry "$QGO" "$Q" retry "4000" "quic.long.packet_type == 3|-eq|1"
fi

# An unsupported test case must answer 127.
rc=0
ROLE=client TESTCASE=http3 "$QUINN/target/release/quire-quinn" client >/dev/null 2>&1 || rc=$?
if [ "$rc" = 127 ]; then PASS=$((PASS + 1)); RESULTS="$RESULTS\nPASS unsupported-http3=127"
else FAIL=$((FAIL + 1)); RESULTS="$RESULTS\nFAIL unsupported-http3 exit $rc (want 127)"; fi

printf "%b\n" "$RESULTS"
echo "endpoint_quinn: $PASS passed, $FAIL failed"
[ "$FAIL" = 0 ]
