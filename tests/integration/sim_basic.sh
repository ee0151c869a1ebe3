#!/usr/bin/env bash
# quire sim, simple-p2p and --kernel, in three namespaces of our own: the readiness probe
# (the simulator waits for the server's Version Negotiation answer before creating the ready
# file, then listens on TCP 57832), forwarding over IPv4 and IPv6 with the configured one-way
# delay, captures on both sides without the probe traffic, exit 0 on SIGTERM.
. "$(dirname "$0")/sim_common.inc"
need_simtool
need tcpdump
setup_net

# The sink answers probes; start it late to see that the simulator really waits for it.
( sleep 1; exec ip netns exec $NSX "$TOOL" sink 198.19.0.100 4433 3000 --echo ) >"$TMP/sink4" &
SINK=$!
t0=$(date +%s%N)
start_sim --seed 7 --wait-server 198.19.0.100:4433 --wait-timeout 5 \
    left right "simple-p2p --delay=15ms --bandwidth=10Mbps --queue=25"
waited=$(( ($(date +%s%N) - t0) / 1000000 ))
[ $waited -ge 900 ] || fail "ready after $waited ms, before the server was up"
grep -q "is up after" "$TMP/sim.log" || fail "no probe success in the log"
ip netns exec $NSC bash -c 'exec 3<>/dev/tcp/198.18.0.1/57832' || fail "TCP 57832 not listening"

out=$(ip netns exec $NSC "$TOOL" send 198.19.0.100 4433 50 200 20000 --echo 500)
echo "IPv4: $out"
set -- $out
[ "$4" = 50 ] || fail "IPv4: $4 of 50 echoed"
# RTT = 2 x 15 ms + 2 x serialization of 228 bytes at 10 Mbit/s (0.18 ms) + scheduling.
[ "$8" -ge 30000 ] && [ "$8" -le 31500 ] || fail "IPv4 min RTT ${8} us, expected 30.4 ms"
wait $SINK

ip netns exec $NSX "$TOOL" sink 2001:2:0:2::100 4433 2000 --echo >"$TMP/sink6" &
SINK=$!
sleep 0.3
out=$(ip netns exec $NSC "$TOOL" send 2001:2:0:2::100 4433 50 200 20000 --echo 500)
echo "IPv6: $out"
set -- $out
[ "$4" = 50 ] || fail "IPv6: $4 of 50 echoed"
[ "$8" -ge 30000 ] && [ "$8" -le 31500 ] || fail "IPv6 min RTT ${8} us"
wait $SINK
stop_sim

for side in left right; do
    f=$TMP/pcap/trace_node_$side.pcap
    [ -s "$f" ] || fail "no $f"
    n4=$(tcpdump -nr "$f" 'udp and host 198.19.0.100 and not host 198.19.0.1' 2>/dev/null | wc -l)
    n6=$(tcpdump -nr "$f" 'ip6 and udp' 2>/dev/null | wc -l)
    echo "$side: $n4 IPv4 and $n6 IPv6 UDP packets captured"
    [ "$n4" = 100 ] || fail "$side: $n4 IPv4 UDP packets in the capture, expected 100"
    [ "$n6" = 100 ] || fail "$side: $n6 IPv6 UDP packets in the capture, expected 100"
    probes=$(tcpdump -nr "$f" 'host 198.19.0.1 or host 198.18.0.1' 2>/dev/null | wc -l)
    [ "$probes" = 0 ] || fail "$side: $probes packets of the simulator's own in the capture"
done

# Kernel mode: the kernel forwards, the simulator captures.
start_sim --kernel left right simple-p2p --delay=15ms --bandwidth=10Mbps --queue=25
[ "$(ip netns exec $NSS sysctl -n net.ipv4.ip_forward)" = 1 ] || fail "kernel mode: forwarding off"
ip netns exec $NSX "$TOOL" sink 198.19.0.100 4433 1000 --echo >/dev/null &
SINK=$!
sleep 0.3
out=$(ip netns exec $NSC "$TOOL" send 198.19.0.100 4433 20 200 1000 --echo 300)
set -- $out
[ "$4" = 20 ] || fail "kernel mode: $4 of 20 echoed"
wait $SINK
stop_sim
[ "$(ip netns exec $NSS sysctl -n net.ipv4.ip_forward)" = 0 ] || fail "kernel mode: forwarding not restored"
n=$(tcpdump -nr "$TMP/pcap/trace_node_right.pcap" udp 2>/dev/null | wc -l)
[ "$n" = 40 ] || fail "kernel mode: $n UDP packets captured on the right, expected 40"

# No server: both probes share one --wait-timeout, then the simulator goes on.
t0=$(date +%s%N)
start_sim --wait-server 198.19.0.100:443 --wait-server [2001:2:0:2::100]:443 --wait-timeout 1 \
    left right simple-p2p --delay=15ms --bandwidth=10Mbps --queue=25
waited=$(( ($(date +%s%N) - t0) / 1000000 ))
stop_sim
[ $(grep -c "did not answer" "$TMP/sim.log") = 2 ] || fail "no probe timeouts logged"
[ $waited -ge 900 ] && [ $waited -le 2500 ] || fail "ready after $waited ms with a 1 s timeout"
echo "PASS"
