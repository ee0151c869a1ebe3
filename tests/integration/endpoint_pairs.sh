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
# QUIRE_ALPN is passed through (h3: hq test cases over HTTP/3 where an endpoint offers that);
# QUIRE_EPTEST_CAPTURE=1 captures each test on the client's interface and requires that tshark,
# given each side's SSLKEYLOGFILE alone, decrypts STREAM frames (checks the key log mapping), and
# that the trace shows what the test case is about (trace_check: Retry, resumption, 0-RTT, ...).
set -u
. "$(dirname "$0")/lib.inc"   # SRC, ns_pair, write_hosts, make_certs, endpoint
server_impl=${1:-quic-go}
client_impl=${2:-quic-go}
if [ $# -gt 2 ]; then
    shift 2
    tests=("$@")
else
    tests=(handshake transfer http3 retry resumption zerortt multiconnect chacha20 keyupdate versionnegotiation)
fi

say() { echo "endpoint_pairs: $*"; }
skip() { say "SKIP: $*"; exit 77; }   # lib.inc's, with our prefix

[ "$(id -u)" = 0 ] || skip "needs root (network namespaces)"
for t in ip unshare openssl ethtool cmp; do
    command -v "$t" >/dev/null 2>&1 || skip "missing tool $t"
done
if [ "${QUIRE_EPTEST_CAPTURE:-0}" = 1 ]; then
    for t in tcpdump tshark; do
        command -v "$t" >/dev/null 2>&1 || skip "missing tool $t"
    done
fi
for impl in "$server_impl" "$client_impl"; do
    d=$SRC/endpoints/$impl
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
TMP=$(mktemp -d "${TMPDIR:-/tmp}/quire-eptest-$id.XXXXXX")   # endpoint takes certs, hosts from it
server_pid=
client_pid=
CAPTURE_PID=

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
    # unshare ignores SIGTERM; SIGKILL makes the kernel kill its child and so the PID namespace.
    [ -n "$client_pid" ] && kill -KILL "$client_pid" 2>/dev/null && wait "$client_pid" 2>/dev/null
    stop_server
    [ -n "$CAPTURE_PID" ] && kill -KILL "$CAPTURE_PID" 2>/dev/null
    ip netns delete "$ns_c" 2>/dev/null
    ip netns delete "$ns_s" 2>/dev/null
    if [ "${QUIRE_EPTEST_KEEP:-0}" = 1 ]; then say "kept $TMP"; else rm -rf "$TMP"; fi
}
trap cleanup EXIT
trap 'exit 1' INT TERM

# --- network, hosts, certificates (lib.inc) --------------------------------------------------
ns_pair "$ns_c" "$ns_s" "$if_c" "$if_s"
case $? in 0) ;; 2) skip "cannot create namespaces" ;; *) exit 1 ;; esac
write_hosts "$TMP/hosts"
make_certs "$TMP/certs" || { say "openssl failed"; exit 1; }

mkdir -p /www /downloads /certs /logs || skip "cannot create mount points"

# run_in NS LOGDIR WWW DOWNLOADS ROLE TESTCASE REQUESTS IMPL: lib.inc's endpoint in place of
# this (background) shell, so that $! is unshare; output to LOGDIR/output.txt.
run_in() {
    EP_EXEC=exec endpoint "$1" "$5" "$SRC/endpoints/$8/run_endpoint" "$6" "$7" "$3" "$4" "$2" \
        >"$2/output.txt" 2>&1
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

# decrypted_streams PCAP KEYLOG: how many packets tshark finds STREAM frames in with that key log.
decrypted_streams() {
    [ -s "$2" ] || { echo 0; return; }
    count "$1" "$2" quic.stream.stream_id
}

# trace_check TESTCASE PCAP KEYLOG NFILES: what the test case asks of the trace, beyond the
# files (a short version of QIR's checks, for the harness only). Prints what is wrong.
trace_check() {
    local tc=$1 pcap=$2 keys=$3 nfiles=$4 ch sh
    ch=$(count "$pcap" "$keys" 'tls.handshake.type == 1')
    case "$tc" in
    handshake | transfer | http3 | chacha20 | keyupdate)
        [ "$ch" = 1 ] || echo "expected 1 ClientHello (one connection), saw $ch" ;;
    multiconnect)
        [ "$ch" = "$nfiles" ] || echo "expected $nfiles ClientHellos (one per file), saw $ch" ;;
    esac
    case "$tc" in
    handshake | transfer | http3 | chacha20 | keyupdate | multiconnect | resumption | zerortt)
        [ "$(count "$pcap" "$keys" 'quic.version == 1 && quic.long.packet_type == 3')" = 0 ] ||
            echo "Retry packet in a test without retry" ;;
    retry)
        [ "$(count "$pcap" "$keys" 'quic.version == 1 && quic.long.packet_type == 3')" -ge 1 ] ||
            echo "no Retry packet" ;;
    esac
    case "$tc" in
    chacha20)
        sh=$(count "$pcap" "$keys" 'tls.handshake.type == 2 && tls.handshake.ciphersuite == 0x1303')
        [ "$sh" -ge 1 ] || echo "ServerHello did not choose TLS_CHACHA20_POLY1305_SHA256" ;;
    keyupdate)
        [ "$(count "$pcap" "$keys" 'quic.key_phase == 1')" -ge 1 ] || echo "no packet with key phase 1" ;;
    resumption | zerortt)
        [ "$ch" = 2 ] || echo "expected 2 ClientHellos, saw $ch"
        sh=$(count "$pcap" "$keys" 'tls.handshake.type == 2 && tls.handshake.extension.type == 41')
        [ "$sh" -ge 1 ] || echo "no ServerHello accepting a pre_shared_key (no resumption)" ;;&
    zerortt)
        [ "$(count "$pcap" "$keys" 'quic.version == 1 && quic.long.packet_type == 1')" -ge 1 ] ||
            echo "no 0-RTT packet" ;;
    resumption)
        [ "$(count "$pcap" "$keys" 'quic.version == 1 && quic.long.packet_type == 1')" = 0 ] ||
            echo "0-RTT packet in the resumption test" ;;
    v2)
        [ "$(count "$pcap" "$keys" 'quic.version == 0x6b3343cf')" -ge 1 ] ||
            echo "no QUIC v2 (0x6b3343cf) packet" ;;
    versionnegotiation)
        [ "$(count "$pcap" "$keys" 'quic.version == 0')" -ge 1 ] ||
            echo "no Version Negotiation packet" ;;
    esac
}

# 127 is fine with QUIRE_EPTEST_ALLOW_UNSUPPORTED=1 or QUIRE_EPTEST_EXPECT_UNSUPPORTED=1.
unsupported_ok() {
    [ "${QUIRE_EPTEST_ALLOW_UNSUPPORTED:-0}" = 1 ] || [ "${QUIRE_EPTEST_EXPECT_UNSUPPORTED:-0}" = 1 ]
}

failed=0
for tc in "${tests[@]}"; do
    t=$TMP/$tc
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
    n_files=$n
    # Negative check: one URL names a file the server does not have; the client must fail.
    [ "${QUIRE_EPTEST_MISSING:-0}" = 1 ] && reqs="$reqs https://server4:443/missing-$RANDOM"
    start=$(date +%s%N)
    CAPTURE_PID=
    if [ "${QUIRE_EPTEST_CAPTURE:-0}" = 1 ]; then
        capture_start "$ns_c" "$if_c" "$t/trace.pcap" "$t/tcpdump.txt" udp
    fi
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
    # In the background, so that a signal to this script is handled at once (cleanup kills it).
    run_in "$ns_c" "$t/client" "$t/www" "$t/downloads" client "$tc" "$reqs" "$client_impl" &
    client_pid=$!
    deadline=$((SECONDS + ${QUIRE_EPTEST_TIMEOUT:-60}))
    while kill -0 "$client_pid" 2>/dev/null && [ $SECONDS -lt $deadline ]; do sleep 0.1; done
    if kill -0 "$client_pid" 2>/dev/null; then
        say "$server_impl->$client_impl $tc: client timed out after ${QUIRE_EPTEST_TIMEOUT:-60} s"
        kill -KILL "$client_pid" 2>/dev/null
    fi
    wait "$client_pid"
    rc=$?
    client_pid=
    stop_server || failed=1
    ms=$(( ($(date +%s%N) - start) / 1000000 ))
    cap_pid=$CAPTURE_PID
    if [ -n "$cap_pid" ]; then
        kill -INT "$cap_pid" 2>/dev/null
        wait "$cap_pid" 2>/dev/null
        CAPTURE_PID=
    fi
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
    if [ -n "$cap_pid" ] && [ "$rc" = 0 ] && [ -z "$bad" ]; then
        # Not for retry: aioquic sends a new ClientHello (new client random) after a Retry, at
        # CRYPTO offset 0 again; tshark 4.0 keeps the first one and so finds no secrets.
        if [ "$tc" != versionnegotiation ] && [ "$tc" != retry ]; then
            for side in client server; do
                n=$(decrypted_streams "$t/trace.pcap" "$t/$side/keys.log")
                [ "$n" -gt 0 ] || bad="$bad $side-keylog(no STREAM frame decrypted)"
            done
        fi
        why=$(trace_check "$tc" "$t/trace.pcap" "$t/client/keys.log" "$n_files")
        [ -z "$why" ] || bad="$bad trace($(echo "$why" | paste -sd ';'))"
    fi
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
