#!/usr/bin/env bash
# Integration test of the netns backend (needs root): a testbed from bench_netns_testbed, ping
# and an iperf3 UDP transfer client -> server through the sim with kernel forwarding on, the
# offloads and sysctls as ethtool/sysctl report them, no default routes, nothing left after
# teardown; a live run is skipped by `quire clean`, and after SIGKILL of its owner
# `quire clean --run ID` removes its namespaces, the processes inside and its state directory.
set -u
BUILD=${QUIRE_BUILD_DIR:-build}
QUIRE=${QUIRE_BIN:-$BUILD/quire}
TB=$BUILD/bench_netns_testbed
RUN=it$$
skip() { echo "SKIP: $*"; exit 77; }
[ "$(id -u)" = 0 ] || skip "needs root"
[ -x "$TB" ] || skip "no $TB (build first)"
[ -x "$QUIRE" ] || skip "no $QUIRE"
for t in ip ethtool iperf3 ping; do command -v $t >/dev/null || skip "$t not installed"; done

fails=0
pids=()
cleanup() {
    for p in "${pids[@]}"; do kill -9 "$p" 2>/dev/null; done
    "$QUIRE" clean --run "$RUN" --force >/dev/null 2>&1
    "$QUIRE" clean --run "${RUN}x" --force >/dev/null 2>&1
}
trap cleanup EXIT
check() { # check DESCRIPTION COMMAND...
    local what=$1; shift
    if "$@" >/dev/null 2>&1; then echo "ok   $what"; else echo "FAIL $what"; fails=$((fails + 1)); fi
}
ns_count() { ip netns list | grep -c "^quire-$RUN-" ; }

C=quire-$RUN-1-client S=quire-$RUN-1-sim V=quire-$RUN-1-server
out=$("$TB" up "$RUN" 1 --forwarding) || { echo "FAIL create: $out"; exit 1; }
echo "$out"
check "three namespaces listed by ip netns" test "$(ns_count)" = 3
check "ping IPv4 client -> server via sim" ip netns exec $C ping -c 2 -i 0.2 -W 2 198.19.0.100
check "ping IPv6 client -> server via sim" ip netns exec $C ping -6 -c 2 -i 0.2 -W 2 2001:2:0:2::100
check "ping IPv4 server -> client via sim" ip netns exec $V ping -c 1 -W 2 198.18.0.100
check "no default route (client)" test -z "$(ip netns exec $C ip route show default)"
check "no default route (server)" test -z "$(ip netns exec $V ip -6 route show default)"
check "sim forwarding on" test "$(ip netns exec $S sysctl -n net.ipv4.ip_forward)" = 1
check "sim rp_filter off" test "$(ip netns exec $S sysctl -n net.ipv4.conf.all.rp_filter)" = 0
for pair in "$C eth0" "$S left" "$S right" "$V eth0"; do
    set -- $pair
    k=$(ip netns exec "$1" ethtool -k "$2")
    check "$1 $2: tx checksumming off" grep -q '^tx-checksumming: off' <<<"$k"
    check "$1 $2: tx-udp-segmentation off" grep -q 'tx-udp-segmentation: off' <<<"$k"
    check "$1 $2: GSO off" grep -q '^generic-segmentation-offload: off' <<<"$k"
    check "$1 $2: GRO off" grep -q '^generic-receive-offload: off' <<<"$k"
done

# UDP transfer (bounded: 2 Mbit/s for 1 s) from client to server.
ip netns exec $V iperf3 -s -1 -B 198.19.0.100 -p 5201 >/dev/null 2>&1 &
pids+=($!)
sleep 0.3
check "iperf3 UDP client -> server" ip netns exec $C timeout 10 iperf3 -c 198.19.0.100 -u -b 2M -t 1 -p 5201

"$TB" down "$RUN" 1
check "no namespaces after teardown" test "$(ns_count)" = 0
check "no state directory after teardown" test ! -e /run/quire/$RUN

# A live run is left alone by quire clean; SIGTERM makes its owner clean up itself.
"$TB" hold "$RUN" 2 > /tmp/quire-$RUN.hold &
hold=$!
pids+=($hold)
for i in $(seq 50); do grep -q ready /tmp/quire-$RUN.hold 2>/dev/null && break; sleep 0.1; done
check "hold: testbed up" test "$(ns_count)" = 3
"$QUIRE" clean --run "$RUN" > /tmp/quire-$RUN.clean
check "clean skips the live run" grep -q "skipped namespace quire-$RUN-2-client" /tmp/quire-$RUN.clean
check "live run still has its namespaces" test "$(ns_count)" = 3
kill -TERM $hold; wait $hold
check "owner removed its testbed on SIGTERM" test "$(ns_count)" = 0

# Another run whose id starts with ours (and whose owner is gone) must not be touched.
"$TB" up "${RUN}x" 1 >/dev/null
"$QUIRE" clean --run "$RUN" >/dev/null
check "clean --run $RUN leaves run ${RUN}x alone" test "$(ip netns list | grep -c "^quire-${RUN}x-")" = 3
"$QUIRE" clean --run "${RUN}x" >/dev/null
check "clean --run ${RUN}x removes it" test "$(ip netns list | grep -c "^quire-${RUN}x-")" = 0

# Killed run: SIGKILL the owner with a process still inside; quire clean --run removes it all.
"$TB" hold "$RUN" 3 > /tmp/quire-$RUN.hold &
hold=$!
pids+=($hold)
for i in $(seq 50); do grep -q ready /tmp/quire-$RUN.hold 2>/dev/null && break; sleep 0.1; done
ip netns exec quire-$RUN-3-server sleep 300 &
inside=$!
pids+=($inside)
sleep 0.2
kill -9 $hold; wait $hold 2>/dev/null
check "leftovers after SIGKILL" test "$(ns_count)" = 3
"$QUIRE" clean --run "$RUN" | tee /tmp/quire-$RUN.clean
check "clean reports the killed process" grep -q "killed 1 process" /tmp/quire-$RUN.clean
check "no namespaces after clean" test "$(ns_count)" = 0
check "no state directory after clean" test ! -e /run/quire/$RUN
sleep 0.2
check "process inside was killed" bash -c "! kill -0 $inside 2>/dev/null || grep -q '^State:.*Z' /proc/$inside/status"
rm -f /tmp/quire-$RUN.hold /tmp/quire-$RUN.clean
[ $fails = 0 ] && echo "netns_testbed: all checks passed" || echo "netns_testbed: $fails checks failed"
exit $((fails > 0))
