#!/usr/bin/env bash
# Runs real endpoints against each other without quire's runner: two network namespaces on one
# veth link (client 198.18.0.100, server 198.18.0.200, 2001:2:0:1::100/::200), each endpoint in a
# private mount + PID namespace with /www, /downloads, /certs, /logs and /etc/hosts bind-mounted,
# certificates from openssl, random files, and a byte comparison of what the client downloaded.
#
# usage: endpoint_pairs.sh [SERVER CLIENT TESTCASE...]   (default: quic-go against itself, all
# the test cases it supports)
# Exit 0 when every test case succeeded (or was unsupported by both ends' contract, exit 127 —
# only allowed where QUIRE_EPTEST_ALLOW_UNSUPPORTED=1; required with
# QUIRE_EPTEST_EXPECT_UNSUPPORTED=1), 1 on a failure, 77 when it cannot run here
# (not root, tools or endpoints missing). QUIRE_EPTEST_KEEP=1 keeps the temporary directory;
# QUIRE_EPTEST_MISSING=1 adds a request for a file the server lacks and expects client exit 1;
# QUIRE_ALPN is passed through (h3: hq test cases over HTTP/3 where an endpoint offers that).
set -u
src=${QUIRE_SOURCE_DIR:-$(cd "$(dirname "$0")/../.." && pwd)}
server_impl=${1:-quic-go}
client_impl=${2:-quic-go}
if [ $# -gt 2 ]; then
    shift 2
    tests=("$@")
else
    tests=(handshake transfer http3 retry resumption zerortt multiconnect chacha20 keyupdate versionnegotiation)
fi

say() { echo "endpoint_pairs: $*"; }
skip() { say "SKIP: $*"; exit 77; }

[ "$(id -u)" = 0 ] || skip "needs root (network namespaces)"
for t in ip unshare openssl ethtool cmp; do
    command -v "$t" >/dev/null 2>&1 || skip "missing tool $t"
done
for impl in "$server_impl" "$client_impl"; do
    d=$src/endpoints/$impl
    [ -x "$d/run_endpoint" ] || skip "no endpoint $impl"
    if [ -x "$d/available" ] && ! why=$("$d/available" 2>&1); then
        skip "$impl not available: $why"
    fi
done

id=$$
ns_c=quire-eptest-$id-c
ns_s=quire-eptest-$id-s
if_c=qept$id-c
if_s=qept$id-s
[ ${#if_c} -le 15 ] || { if_c=qe${id: -8}c; if_s=qe${id: -8}s; }
work=$(mktemp -d "${TMPDIR:-/tmp}/quire-eptest-$id.XXXXXX")
server_pid=

# stop_server: SIGTERM to PID 1 of the server's PID namespace, as quire's runner does; an endpoint
# must stop within 2 s (PID 1 only gets signals it handles: the wrappers make sure SIGTERM works).
# Then SIGKILL to unshare (which ignores SIGTERM); its death kills the whole PID namespace.
# Returns 1 when the server needed SIGKILL.
stop_server() {
    [ -n "$server_pid" ] || return 0
    local init rc=0
    init=$(pgrep -P "$server_pid" | head -n 1)
    [ -n "$init" ] && kill -TERM "$init" 2>/dev/null
    for _ in $(seq 1 20); do
        kill -0 "$server_pid" 2>/dev/null || break
        sleep 0.1
    done
    if kill -0 "$server_pid" 2>/dev/null; then
        say "server $server_impl did not stop within 2 s of SIGTERM"
        rc=1
    fi
    kill -KILL "$server_pid" 2>/dev/null
    wait "$server_pid" 2>/dev/null
    server_pid=
    return $rc
}

cleanup() {
    stop_server
    ip netns delete "$ns_c" 2>/dev/null
    ip netns delete "$ns_s" 2>/dev/null
    if [ "${QUIRE_EPTEST_KEEP:-0}" = 1 ]; then say "kept $work"; else rm -rf "$work"; fi
}
trap cleanup EXIT
trap 'exit 1' INT TERM

# --- network --------------------------------------------------------------------------------
ip netns add "$ns_c" || skip "cannot create namespaces"
ip netns add "$ns_s" || exit 1
ip link add "$if_c" netns "$ns_c" type veth peer name "$if_s" netns "$ns_s" || exit 1
setup_ns() { # ns ifname v4 v6
    ip -n "$1" link set lo up
    ip netns exec "$1" sysctl -q -w net.ipv6.conf.all.disable_ipv6=0 net.ipv6.conf.default.disable_ipv6=0
    ip -n "$1" addr add "$3/24" dev "$2"
    ip -n "$1" addr add "$4/64" dev "$2" nodad
    ip -n "$1" link set "$2" up
    # Real datagrams on the wire: no checksum or segmentation offload (netns-pitfalls.md).
    ip netns exec "$1" ethtool -K "$2" tx off tso off gso off gro off tx-udp-segmentation off >/dev/null 2>&1
}
setup_ns "$ns_c" "$if_c" 198.18.0.100 2001:2:0:1::100 || exit 1
setup_ns "$ns_s" "$if_s" 198.18.0.200 2001:2:0:1::200 || exit 1
cat >"$work/hosts" <<HOSTS
127.0.0.1 localhost
::1 localhost
198.18.0.200 server server4
2001:2:0:1::200 server6
198.18.0.100 client client4
2001:2:0:1::100 client6
HOSTS

# --- certificates: CA + leaf for "server", chain in cert.pem -------------------------------
mkdir -p "$work/certs"
(
    cd "$work/certs" || exit 1
    openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 2 \
        -subj "/CN=quire test CA" -keyout ca.key -out ca.pem 2>/dev/null &&
    openssl req -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes \
        -subj "/CN=server" -keyout priv.key -out leaf.csr 2>/dev/null &&
    printf 'subjectAltName=DNS:server,DNS:server4,DNS:server6,IP:198.18.0.200,IP:2001:2:0:1::200\n' >ext &&
    openssl x509 -req -in leaf.csr -CA ca.pem -CAkey ca.key -CAcreateserial -days 2 \
        -extfile ext -out leaf.pem 2>/dev/null &&
    cat leaf.pem ca.pem >cert.pem
) || { say "openssl failed"; exit 1; }

mkdir -p /www /downloads /certs /logs || skip "cannot create mount points"

# run_in NS LOGDIR WWW DOWNLOADS ROLE TESTCASE REQUESTS IMPL: runs run_endpoint in a private
# mount + PID namespace; when unshare is killed, its child (PID 1 there) and thus all die.
run_in() {
    local ns=$1 logs=$2 www=$3 dl=$4 role=$5 tc=$6 req=$7 impl=$8
    exec ip netns exec "$ns" env -i PATH="$PATH" HOME=/root ROLE="$role" TESTCASE="$tc" \
        REQUESTS="$req" SSLKEYLOGFILE=/logs/keys.log QLOGDIR=/logs/qlog QUIRE_ALPN="${QUIRE_ALPN:-}" \
        QUIRE_EP="$src/endpoints/$impl/run_endpoint" \
        W="$www" D="$dl" C="$work/certs" L="$logs" H="$work/hosts" \
        unshare --mount --pid --fork --mount-proc --kill-child=SIGKILL sh -c '
            mount --make-rprivate / &&
            mount --bind "$W" /www && mount --bind "$D" /downloads &&
            mount --bind "$C" /certs && mount --bind "$L" /logs &&
            mount --bind "$H" /etc/hosts || exit 1
            exec "$QUIRE_EP"' >"$logs/output.txt" 2>&1
}

# QIR's file sizes per test case (bytes); http3 / multiconnect use several small files.
sizes_for() {
    case "$1" in
    transfer) echo "2097152 3145728 5242880" ;;
    http3 | keyupdate) echo "5120 10240 1048576" ;;
    resumption | zerortt) echo "5120 2048 3072" ;;
    multiconnect) echo "1024 1024 1024" ;;
    *) echo "1024" ;;
    esac
}

wait_listening() { # ns pid: wait up to 10 s for UDP port 443, or for the server to exit
    for _ in $(seq 1 100); do
        ip netns exec "$1" ss -Huln 'sport = :443' 2>/dev/null | grep -q . && return 0
        kill -0 "$2" 2>/dev/null || return 1
        sleep 0.1
    done
    return 1
}

# 127 is fine with QUIRE_EPTEST_ALLOW_UNSUPPORTED=1 or QUIRE_EPTEST_EXPECT_UNSUPPORTED=1.
unsupported_ok() {
    [ "${QUIRE_EPTEST_ALLOW_UNSUPPORTED:-0}" = 1 ] || [ "${QUIRE_EPTEST_EXPECT_UNSUPPORTED:-0}" = 1 ]
}

failed=0
for tc in "${tests[@]}"; do
    t=$work/$tc
    mkdir -p "$t/www" "$t/downloads" "$t/server" "$t/client"
    reqs=
    n=0
    for size in $(sizes_for "$tc"); do
        n=$((n + 1))
        f=f$n-$RANDOM$RANDOM
        head -c "$size" /dev/urandom >"$t/www/$f"
        reqs="$reqs https://server4:443/$f"
    done
    reqs=${reqs# }
    # Negative check: one URL names a file the server does not have; the client must fail.
    [ "${QUIRE_EPTEST_MISSING:-0}" = 1 ] && reqs="$reqs https://server4:443/missing-$RANDOM"
    start=$(date +%s%N)
    run_in "$ns_s" "$t/server" "$t/www" "$t/downloads" server "$tc" "" "$server_impl" &
    server_pid=$!
    if ! wait_listening "$ns_s" "$server_pid"; then
        wait "$server_pid"; src_rc=$?
        server_pid=
        if [ "$src_rc" = 127 ]; then
            say "$server_impl->$client_impl $tc: server says unsupported (127)"
            unsupported_ok || failed=1
            continue
        fi
        say "$server_impl->$client_impl $tc: FAIL server not listening (exit $src_rc)"
        tail -n 20 "$t/server/output.txt"
        failed=1
        continue
    fi
    timeout -s KILL "${QUIRE_EPTEST_TIMEOUT:-60}" \
        bash -c "$(declare -f run_in); src=$src work=$work; run_in \"\$@\"" _ \
        "$ns_c" "$t/client" "$t/www" "$t/downloads" client "$tc" "$reqs" "$client_impl"
    rc=$?
    stop_server || failed=1
    ms=$(( ($(date +%s%N) - start) / 1000000 ))
    if [ "$rc" = 127 ]; then
        say "$server_impl->$client_impl $tc: client says unsupported (127)"
        unsupported_ok || failed=1
        continue
    fi
    if [ "${QUIRE_EPTEST_EXPECT_UNSUPPORTED:-0}" = 1 ]; then
        say "$server_impl->$client_impl $tc: FAIL client exit $rc, expected 127 (unsupported)"
        failed=1
        continue
    fi
    if [ "${QUIRE_EPTEST_MISSING:-0}" = 1 ]; then
        if [ "$rc" = 1 ]; then
            say "$server_impl->$client_impl $tc: OK, client failed on a missing file as it must"
        else
            say "$server_impl->$client_impl $tc: FAIL client exit $rc although a file was missing"
            failed=1
        fi
        continue
    fi
    bad=
    for u in $reqs; do
        f=${u##*/}
        if [ "$tc" = versionnegotiation ]; then
            # The client must give up after the Version Negotiation packet: nothing downloaded.
            [ ! -e "$t/downloads/$f" ] || bad="$bad $f(downloaded)"
        else
            cmp -s "$t/www/$f" "$t/downloads/$f" || bad="$bad $f"
        fi
    done
    if [ "$rc" = 0 ] && [ -z "$bad" ]; then
        say "$server_impl->$client_impl $tc: OK (${ms} ms)"
    else
        say "$server_impl->$client_impl $tc: FAIL client exit $rc, wrong or missing:${bad:- none}"
        echo "--- client output"; tail -n 20 "$t/client/output.txt"
        echo "--- server output"; tail -n 20 "$t/server/output.txt"
        failed=1
    fi
done
exit $failed
