#!/bin/bash
# Makes the small reference captures under tests/data/captures/ with ngtcp2's gtlsserver and
# gtlsclient (Debian ngtcp2-server/ngtcp2-client) in two network namespaces joined by a veth
# pair (198.18.0.0/24, offloads off), captured with tcpdump and logged with SSLKEYLOGFILE.
# Needs root. Usage: make-captures.sh OUTDIR [NAME...]; names: handshake retry keyupdate
# chacha20 resumption ipv6 vn migration multiplex (the default set); v2 aioquic-retry (aioquic, see
# aqrun); go-handshake go-chacha20 go-transfer go-retry go-zerortt (quic-go, see gorun); large (50 MB, for benchmarks; not
# committed). Everything it creates carries its pid and is removed on exit.
set -euo pipefail
mkdir -p "$1"; out=$(realpath "$1"); shift
names=${*:-handshake retry keyupdate chacha20 resumption ipv6 vn migration multiplex}
id=$$
ns_c=quire-trc-$id-c ns_s=quire-trc-$id-s
tmp=$(mktemp -d /tmp/quire-trace-cap.$id.XXXX)
cleanup() {
    [ -n "${tpid:-}" ] && kill "$tpid" 2>/dev/null || true
    [ -n "${spid:-}" ] && kill "$spid" 2>/dev/null || true
    ip netns del "$ns_c" 2>/dev/null || true
    ip netns del "$ns_s" 2>/dev/null || true
    rm -rf "$tmp"
}
trap cleanup EXIT
ip netns add "$ns_c"; ip netns add "$ns_s"
ip link add qtc$id type veth peer name qts$id
ip link set qtc$id netns "$ns_c"; ip link set qts$id netns "$ns_s"
for x in c s; do
    ns=ns_$x; dev=qt$x$id
    ip -n "${!ns}" link set lo up
    ip -n "${!ns}" link set "$dev" up
    ip netns exec "${!ns}" ethtool -K "$dev" tx off tso off gso off gro off tx-udp-segmentation off >/dev/null 2>&1 || true
done
ip -n "$ns_c" addr add 198.18.0.100/24 dev qtc$id
ip -n "$ns_s" addr add 198.18.0.1/24 dev qts$id
ip -n "$ns_c" addr add 2001:2:0:1::100/64 dev qtc$id nodad
ip -n "$ns_s" addr add 2001:2:0:1::1/64 dev qts$id nodad
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 30 -subj /CN=server \
    -keyout "$tmp/key.pem" -out "$tmp/cert.pem" >/dev/null 2>&1
mkdir -p "$tmp/www"
head -c 3000 /dev/urandom > "$tmp/www/small"
head -c 40000 /dev/urandom > "$tmp/www/medium"

# tcpdump can take seconds to attach on a loaded machine: wait until it says it listens.
# Immediate mode: without it packets of the last second can still sit in the kernel ring when
# tcpdump is stopped, and are lost.
start_tcpdump() { # file [port]
    : > "$tmp/tcpdump.err"
    ip netns exec "$ns_s" tcpdump -i qts$id --immediate-mode -U -s 0 -w "$1" udp port "${2:-4433}" 2>"$tmp/tcpdump.err" &
    tpid=$!
    for _ in $(seq 1 100); do grep -q listening "$tmp/tcpdump.err" && return; sleep 0.1; done
    echo "tcpdump did not start" >&2; return 1
}
run() { # name server-args client-args addr file [second client run]
    local name=$1 sargs=$2 cargs=$3 addr=$4 file=$5 twice=${6:-}
    rm -rf "$tmp/dl" "$tmp/keys" "$tmp/sess" "$tmp/tp"; mkdir -p "$tmp/dl"
    start_tcpdump "$out/$name.pcap"
    ip netns exec "$ns_s" gtlsserver -q $sargs -d "$tmp/www" "$addr" 4433 "$tmp/key.pem" "$tmp/cert.pem" >/dev/null 2>&1 &
    spid=$!
    sleep 0.3
    local url="https://$addr:4433/$file" f; [[ $addr == *:* ]] && url="https://[$addr]:4433/$file"
    [ "$file" = many ] && { url=; for f in $(seq 1 12); do url="$url https://$addr:4433/small"; done; file=small; }
    for i in $(seq 1 $(( twice ? 2 : 1 ))); do
        SSLKEYLOGFILE="$tmp/keys" timeout 10 ip netns exec "$ns_c" gtlsclient -q --exit-on-all-streams-close \
            --download "$tmp/dl" $cargs "$addr" 4433 $url >/dev/null 2>&1 || true
    done
    sleep 0.3
    kill "$spid"; wait "$spid" 2>/dev/null || true; spid=
    kill "$tpid"; wait "$tpid" 2>/dev/null || true; tpid=
    cp "$tmp/keys" "$out/$name.keys"
    cmp -s "$tmp/www/$file" "$tmp/dl/$file" && echo "$name: ok" || echo "$name: download differs"
}
# aioquic's example client and server (PyPI aioquic, examples/ from its source
# distribution, see shared/notes/endpoints.md): the only peer here with RFC 9369 QUIC v2.
# AIOQUIC_PY is the python that has aioquic, AIOQUIC_EXAMPLES the examples folder.
aqrun() { # name server-args client-args file
    local name=$1 sargs=$2 cargs=$3 file=$4 here
    here=$(cd "$(dirname "$0")" && pwd)
    rm -rf "$tmp/dl" "$tmp/keys" "$tmp/skeys"; mkdir -p "$tmp/dl"
    start_tcpdump "$out/$name.pcap"
    QUIRE_WWW=$tmp/www PYTHONPATH=$here ip netns exec "$ns_s" "${AIOQUIC_PY:?}" \
        "${AIOQUIC_EXAMPLES:?}/http3_server.py" --host 198.18.0.1 --port 4433 \
        --certificate "$tmp/cert.pem" --private-key "$tmp/key.pem" $sargs aioquic_app:app >/dev/null 2>&1 &
    spid=$!
    sleep 2
    timeout 10 ip netns exec "$ns_c" "$AIOQUIC_PY" "$AIOQUIC_EXAMPLES/http3_client.py" --insecure \
        --secrets-log "$tmp/keys" --output-dir "$tmp/dl" $cargs "https://198.18.0.1:4433/$file" >/dev/null 2>&1 || true
    sleep 0.3
    kill "$spid"; wait "$spid" 2>/dev/null || true; spid=
    kill "$tpid"; wait "$tpid" 2>/dev/null || true; tpid=
    cp "$tmp/keys" "$out/$name.keys"
    cmp -s "$tmp/www/$file" "$tmp/dl/$file" && echo "$name: ok" || echo "$name: download differs"
}
# quic-go's interop endpoints (QIR's quic-go image, hq-interop), built per
# shared/notes/endpoints.md into $QUICGO_DIR (server, client). Their paths are fixed (/www,
# /certs, /logs, /downloads, port 443), so each runs in a private mount namespace; the client
# takes the URLs as arguments (QIR's wrapper passes $REQUESTS).
gorun() { # name testcase file [second file]
    local name=$1 tc=$2 file=$3 more=${4:+https://198.18.0.1:443/$4} qd=${QUICGO_DIR:?set QUICGO_DIR to the built quic-go interop binaries}
    rm -rf "$tmp/dl" "$tmp/keys" "$tmp/slogs" "$tmp/clogs" "$tmp/certs"
    mkdir -p "$tmp/dl" "$tmp/slogs" "$tmp/clogs" "$tmp/certs"
    cp "$tmp/key.pem" "$tmp/certs/priv.key"; cp "$tmp/cert.pem" "$tmp/certs/cert.pem"
    start_tcpdump "$out/$name.pcap" 443
    ip netns exec "$ns_s" unshare -m sh -c "mount --make-rprivate / && mount --bind $tmp/www /www &&
        mount --bind $tmp/certs /certs && mount --bind $tmp/slogs /logs &&
        TESTCASE=$tc QLOGDIR=/logs exec $qd/server" >/dev/null 2>&1 &
    spid=$!
    sleep 1
    ip netns exec "$ns_c" unshare -m sh -c "mount --make-rprivate / && mount --bind $tmp/dl /downloads &&
        mount --bind $tmp/clogs /logs && mount --bind $tmp/certs /certs &&
        TESTCASE=$tc QLOGDIR=/logs SSLKEYLOGFILE=$tmp/keys \
        timeout 10 $qd/client https://198.18.0.1:443/$file $more" >/dev/null 2>&1 || true
    sleep 0.3
    kill "$spid"; wait "$spid" 2>/dev/null || true; spid=
    kill "$tpid"; wait "$tpid" 2>/dev/null || true; tpid=
    cp "$tmp/keys" "$out/$name.keys"
    cmp -s "$tmp/www/$file" "$tmp/dl/$file" && echo "$name: ok" || echo "$name: download differs"
}
for n in $names; do
    case $n in
    handshake) run handshake "" "" 198.18.0.1 small ;;
    retry) run retry "-V" "" 198.18.0.1 small ;;
    keyupdate) run keyupdate "" "--delay-stream=10ms --key-update=1ms" 198.18.0.1 medium ;;
    chacha20) run chacha20 "" "--ciphers=NORMAL:-VERS-ALL:+VERS-TLS1.3:-CIPHER-ALL:+CHACHA20-POLY1305" 198.18.0.1 small ;;
    resumption) run resumption "" "--session-file=$tmp/sess --tp-file=$tmp/tp" 198.18.0.1 small 1 ;;
    ipv6) run ipv6 "" "" 2001:2:0:1::1 small ;;
    multiplex) run multiplex "" "" 198.18.0.1 many ;;
    vn) run vn "" "-v 0xaaaaaaaa" 198.18.0.1 small ;;
    migration) run migration "" "--delay-stream=50ms --change-local-addr=10ms" 198.18.0.1 medium ;;
    v2) aqrun v2 "" "--negotiate-v2" small ;;
    aioquic-retry) aqrun aioquic-retry "--retry" "" small ;;
    go-handshake) gorun go-handshake handshake small ;;
    go-chacha20) gorun go-chacha20 chacha20 small ;;
    go-transfer) gorun go-transfer transfer medium ;;
    go-retry) gorun go-retry retry small ;;
    go-zerortt) gorun go-zerortt zerortt small medium ;;
    large) head -c 50000000 /dev/urandom > "$tmp/www/large"; run large "" "" 198.18.0.1 large ;;
    esac
done
