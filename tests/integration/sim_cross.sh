#!/usr/bin/env bash
# tcp-cross-traffic: the simulator makes its own two namespaces with an iperf3 TCP Reno bulk
# flow from behind the server side to behind the client side over the bottleneck; alone it
# fills the link, a competing download from the server shares it; the namespaces are gone
# after SIGTERM.
. "$(dirname "$0")/sim_common.inc"
need iperf3
setup_net
start_sim left right tcp-cross-traffic --delay=15ms --bandwidth=10Mbps --queue=25
n=$(ip netns list 2>/dev/null | grep -c "^quire-simx-$SIM_PID-")
[ "$n" = 2 ] || fail "expected the simulator's two cross-traffic namespaces, found $n"
sleep 5.5
ip netns exec $NSX iperf3 -s -1 -D -B 198.19.0.100 >/dev/null
sleep 0.3
down=$(ip netns exec $NSC timeout 30 iperf3 -c 198.19.0.100 -R -t 10 -f k |
    awk '/receiver/ { for (i = 1; i < NF; i++) if ($(i+1) == "Kbits/sec") print $i }')
pid=$SIM_PID
stop_sim
# iperf3's interval lines: "[  5]   0.00-5.00   sec  5.98 MBytes  10.0 Mbits/sec ..."
rate_at() { awk -v from="$1" '$3 ~ "^"from"-" { for (i = 1; i < NF; i++) if ($(i+1) ~ /bits\/sec/) {
    v = $i; if ($(i+1) ~ /^K/) v /= 1000; print v; exit } }' "$TMP/sim.log"; }
alone=$(rate_at 0.00); shared=$(rate_at 10.00)
echo "cross traffic alone: $alone Mbit/s, while competing: $shared Mbit/s; download: $down kbit/s"
awk -v a="$alone" 'BEGIN { exit !(a >= 8.5 && a <= 10.6) }' || fail "cross traffic alone: $alone Mbit/s"
awk -v s="$shared" -v a="$alone" 'BEGIN { exit !(s < a * 0.8) }' || fail "cross traffic did not yield"
awk -v d="$down" 'BEGIN { exit !(d > 1000 && d < 9800) }' || fail "download $down kbit/s"
n=$(ip netns list 2>/dev/null | grep -c "^quire-simx-$pid-")
[ "$n" = 0 ] || fail "cross-traffic namespaces left behind"
echo PASS
