#!/usr/bin/env bash
# Makes a packet capture of a real QUIC transfer and its TLS key log, for quire trace's benchmark
# and differential tests. Two network namespaces created here (quire-cap-<pid>-c/-s, deleted on
# exit, also on failure) joined by one veth pair; client 198.18.0.2, server 198.18.0.1 (the
# benchmarking range). Offloads are turned off on both ends (checksum, TSO/GSO/GRO, UDP
# segmentation) so the capture holds real datagrams (see notes/netns-pitfalls.md). tcpdump
# records on the server's side.
#
# Usage: make-quic-capture.sh IMPL SIZE OUTDIR [TESTCASE]
#   IMPL      ngtcp2  (Debian's gtlsserver/gtlsclient: HTTP/3, GnuTLS)
#             quic-go (quic-go 0.46 interop server/client: hq-interop, or h3 with TESTCASE=http3)
#   SIZE      bytes of the one file transferred (e.g. 52428800)
#   OUTDIR    receives capture.pcap, keys.log, server.log, client.log, tcpdump.log
#   TESTCASE  quic-go: transfer (default), keyupdate, chacha20, retry, http3;
#             ngtcp2: transfer (default), keyupdate, chacha20, retry
# env QUIRE_CAPTURE_RATE: token-bucket rate of the link (tc syntax, default 250mbit; 0: none).
# Exit: 0 done (file transferred intact), 1 failed, 2 usage, 77 not root or a tool is missing.
set -euo pipefail

usage() {
    sed -n '2,/^set -e/p' "$0" | sed '$d; s/^# \{0,1\}//' >&2
    exit 2
}
[ $# -ge 3 ] || usage
impl=$1 size=$2 out=$3 tc=${4:-transfer}
case "$impl" in ngtcp2 | quic-go) ;; *) usage ;; esac
case "$size" in '' | *[!0-9]*) usage ;; esac

[ "$(id -u)" -eq 0 ] || { echo "make-quic-capture: needs root (namespaces)" >&2; exit 77; }
for t in ip tcpdump ethtool openssl; do
    command -v "$t" >/dev/null || { echo "make-quic-capture: $t missing" >&2; exit 77; }
done
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/.." && pwd)

# quic-go binaries: the endpoint's install (endpoints/quic-go/install.sh builds quic-go 0.46
# offline into endpoints/quic-go/bin).
quicgo_bins() {
    qg_bin=$repo/endpoints/quic-go/bin
    [ -x "$qg_bin/server" ] && [ -x "$qg_bin/client" ] && return 0
    bash "$repo/endpoints/quic-go/install.sh" >&2 || {
        echo "make-quic-capture: quic-go not buildable (endpoints/quic-go/install.sh)" >&2
        exit 77
    }
}

case "$impl" in
ngtcp2)
    command -v gtlsserver >/dev/null && command -v gtlsclient >/dev/null ||
        { echo "make-quic-capture: ngtcp2-server/ngtcp2-client missing" >&2; exit 77; } ;;
quic-go) quicgo_bins ;;
esac

id=$$
ns_c=quire-cap-$id-c ns_s=quire-cap-$id-s
if_c=qcap${id}c if_s=qcap${id}s
work=$(mktemp -d /tmp/quire-cap-$id.XXXXXX)
pids=()
cleanup() {
    set +e
    for p in "${pids[@]}"; do kill -TERM "$p" 2>/dev/null; done
    sleep 0.2
    for p in "${pids[@]}"; do kill -KILL "$p" 2>/dev/null; wait "$p" 2>/dev/null; done
    ip netns del "$ns_c" 2>/dev/null
    ip netns del "$ns_s" 2>/dev/null
    rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 1' INT TERM

mkdir -p "$out" "$work/www" "$work/downloads" "$work/certs" "$work/logs" "$work/qlog"
out=$(cd "$out" && pwd)
rm -f "$out/capture.pcap" "$out/keys.log"
head -c "$size" /dev/urandom >"$work/www/file.bin"
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 2 \
    -keyout "$work/certs/priv.key" -out "$work/certs/cert.pem" -subj /CN=server \
    -addext subjectAltName=DNS:server,IP:198.18.0.1 2>/dev/null

ip netns add "$ns_c"
ip netns add "$ns_s"
ip link add "$if_c" netns "$ns_c" type veth peer name "$if_s" netns "$ns_s"
for side in c s; do
    ns=ns_$side ifc=if_$side
    addr=198.18.0.2
    [ $side = s ] && addr=198.18.0.1
    ip -n "${!ns}" addr add "$addr/24" dev "${!ifc}"
    ip -n "${!ns}" link set "${!ifc}" up
    ip -n "${!ns}" link set lo up
    ip netns exec "${!ns}" ethtool -K "${!ifc}" tx off rx off tso off gso off gro off \
        tx-udp-segmentation off >/dev/null 2>&1 || true
done

# A rate limit (token bucket, on both egresses) lets tcpdump keep up on a busy machine: at full
# veth speed the kernel drops packets before tcpdump reads them. QUIRE_CAPTURE_RATE=0: none.
rate=${QUIRE_CAPTURE_RATE:-250mbit}
if [ "$rate" != 0 ]; then
    ip netns exec "$ns_s" tc qdisc add dev "$if_s" root tbf rate "$rate" burst 256kb latency 100ms
    ip netns exec "$ns_c" tc qdisc add dev "$if_c" root tbf rate "$rate" burst 256kb latency 100ms
fi

ip netns exec "$ns_s" tcpdump -i "$if_s" -n -s 0 -B 65536 -U -w "$out/capture.pcap" udp \
    2>"$out/tcpdump.log" &
pids+=($!)
for _ in $(seq 50); do grep -q listening "$out/tcpdump.log" 2>/dev/null && break; sleep 0.1; done

url=https://198.18.0.1:443/file.bin
case "$impl" in
ngtcp2)
    srv_args=() cli_args=()
    case "$tc" in
    transfer) ;;
    retry) srv_args+=(-V) ;;
    keyupdate) cli_args+=(--delay-stream 10ms --key-update 1ms) ;;
    chacha20) cli_args+=("--ciphers=NORMAL:-VERS-ALL:+VERS-TLS1.3:-CIPHER-ALL:+CHACHA20-POLY1305") ;;
    *) echo "make-quic-capture: ngtcp2 does not do $tc here" >&2; exit 2 ;;
    esac
    ip netns exec "$ns_s" gtlsserver -q "${srv_args[@]}" -d "$work/www" 198.18.0.1 443 \
        "$work/certs/priv.key" "$work/certs/cert.pem" >"$out/server.log" 2>&1 &
    pids+=($!)
    sleep 0.3
    rc=0
    SSLKEYLOGFILE="$out/keys.log" timeout 300 ip netns exec "$ns_c" gtlsclient -q \
        --exit-on-all-streams-close "${cli_args[@]}" --download "$work/downloads" \
        198.18.0.1 443 "$url" >"$out/client.log" 2>&1 || rc=$?
    ;;
quic-go)
    # Its binaries use /www, /certs, /downloads, /logs and port 443: bind-mount our directories
    # there inside the mount namespace `ip netns exec` makes (mounts do not reach the host). The
    # mount points themselves are made when missing, as quire's own runner does.
    ip netns exec "$ns_s" env TESTCASE="$([ "$tc" = keyupdate ] && echo transfer || echo "$tc")" \
        QLOGDIR="$work/qlog" QUIC_GO_LOG_LEVEL=error sh -c \
        'mkdir -p /www /certs /logs && mount --bind "$1/logs" /logs &&
        mount --bind "$1/www" /www && mount --bind "$1/certs" /certs && exec "$2/server"' \
        sh "$work" "$qg_bin" >"$out/server.log" 2>&1 &
    pids+=($!)
    sleep 0.5
    rc=0
    timeout 300 ip netns exec "$ns_c" env TESTCASE="$tc" SSLKEYLOGFILE="$out/keys.log" \
        QLOGDIR="$work/qlog" QUIC_GO_LOG_LEVEL=error sh -c \
        'mkdir -p /downloads /logs && mount --bind "$1/logs" /logs &&
        mount --bind "$1/downloads" /downloads && exec "$2/client" "$3"' \
        sh "$work" "$qg_bin" "$url" >"$out/client.log" 2>&1 || rc=$?
    ;;
esac
# tcpdump reads the kernel's ring in blocks handed over at the latest after its 1 s timeout:
# wait that long, or the last block is lost at SIGINT. Then stop it (SIGINT flushes the file).
sleep 1.5
kill -INT "${pids[0]}" 2>/dev/null || true
wait "${pids[0]}" 2>/dev/null || true

if [ $rc -ne 0 ]; then
    echo "make-quic-capture: $impl client exited $rc (see $out/client.log)" >&2
    exit 1
fi
if ! cmp -s "$work/www/file.bin" "$work/downloads/file.bin"; then
    echo "make-quic-capture: downloaded file differs or is missing" >&2
    exit 1
fi
dropped=$(sed -n 's/^\([0-9]*\) packets\{0,1\} dropped by kernel/\1/p' "$out/tcpdump.log")
captured=$(sed -n 's/^\([0-9]*\) packets\{0,1\} captured/\1/p' "$out/tcpdump.log")
received=$(sed -n 's/^\([0-9]*\) packets\{0,1\} received by filter/\1/p' "$out/tcpdump.log")
if [ "${dropped:-0}" != 0 ] || [ "${captured:-0}" != "${received:-0}" ]; then
    echo "make-quic-capture: tcpdump lost packets ($(tr '\n' ' ' <"$out/tcpdump.log"))" >&2
    exit 1
fi
echo "make-quic-capture: $impl $tc $size bytes -> $out/capture.pcap ($(stat -c %s "$out/capture.pcap") bytes), $(grep -c . "$out/keys.log") key log lines"
