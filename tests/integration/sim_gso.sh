#!/usr/bin/env bash
# Robustness against segmentation offload (notes/netns-pitfalls.md): with UDP GSO and checksum
# offload left on at the client, a QUIC-style batched send arrives at the simulator as one
# super-frame with a partial checksum; the simulator must split it into the real datagrams
# (for the link and the capture) and complete the checksums.
. "$(dirname "$0")/sim_common.inc"
TOOL=${QUIRE_BUILD_DIR:-$(dirname "$QUIRE_BIN")}/bench_simtool
[ -x "$TOOL" ] || { echo "skip: no $TOOL"; exit 77; }
command -v tcpdump >/dev/null || { echo "skip: no tcpdump"; exit 77; }
setup_net
ip netns exec $NSC ethtool -K eth0 tx on sg on tx-udp-segmentation on >/dev/null 2>&1 ||
    { echo "skip: cannot turn UDP segmentation offload on"; exit 77; }
start_sim left right simple-p2p --delay=5ms --bandwidth=100Mbps --queue=100
ip netns exec $NSX "$TOOL" sink 198.19.0.100 4433 1000 --list >"$TMP/sink.out" &
SINK=$!
sleep 0.3
ip netns exec $NSC "$TOOL" send 198.19.0.100 4433 100 1000 20000 --gso 10 >/dev/null
wait $SINK
stop_sim
grep -E "left:" "$TMP/sim.log"
read -r _ rx _ bad _ <"$TMP/sink.out"
[ "$rx" = 100 ] && [ "$bad" = 0 ] || fail "server received $rx datagrams ($bad corrupted), expected 100"
grep -q "left: .* [1-9][0-9]* GSO frames split" "$TMP/sim.log" ||
    echo "note: the kernel segmented before the simulator saw the frames (no GSO frames)"
n=$(tcpdump -nr "$TMP/pcap/trace_node_left.pcap" 'udp dst port 4433 and udp[4:2] = 1008' 2>/dev/null | wc -l)
[ "$n" = 100 ] || fail "left capture holds $n 1000-byte datagrams, expected 100"
echo PASS
