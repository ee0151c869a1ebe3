#!/usr/bin/env bash
# A real QUIC transfer through quire sim: ngtcp2's gtlsserver behind the simulator, the
# readiness probe answered by the real server (Version Negotiation), gtlsclient downloading a
# file over a lossy and a corrupting link; the file must arrive intact and tshark must find
# QUIC in both captures.
. "$(dirname "$0")/sim_common.inc"
need gtlsserver gtlsclient openssl tshark
setup_net
mkdir -p "$TMP/www" "$TMP/dl"
head -c 2000000 /dev/urandom >"$TMP/www/file"
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 1 \
    -subj /CN=server -keyout "$TMP/key.pem" -out "$TMP/cert.pem" 2>/dev/null || fail "openssl"
ip netns exec $NSX gtlsserver -q -d "$TMP/www" 198.19.0.100 443 "$TMP/key.pem" "$TMP/cert.pem" \
    >"$TMP/server.log" 2>&1 &
disown

for scen in "drop-rate --rate_to_server=5 --rate_to_client=5" \
            "corrupt-rate --rate_to_server=3 --rate_to_client=3"; do
    name=${scen%% *}
    start_sim --seed 4 --wait-server 198.19.0.100:443 left right \
        "$scen --delay=15ms --bandwidth=10Mbps --queue=25"
    grep -q "198.19.0.100:443 is up" "$TMP/sim.log" || fail "$name: probe not answered by gtlsserver"
    rm -f "$TMP/dl/file"
    ip netns exec $NSC timeout 60 gtlsclient -q --exit-on-all-streams-close --download "$TMP/dl" \
        198.19.0.100 443 https://server:443/file >"$TMP/client.log" 2>&1
    stop_sim
    cmp -s "$TMP/www/file" "$TMP/dl/file" || fail "$name: downloaded file differs or is missing"
    grep -E "to (server|client):" "$TMP/sim.log"
    grep -q "lost [1-9]\|corrupted [1-9]" "$TMP/sim.log" || fail "$name: nothing impaired"
    for side in left right; do
        n=$(tshark -r "$TMP/pcap/trace_node_$side.pcap" -Y quic 2>/dev/null | wc -l)
        [ "$n" -gt 100 ] || fail "$name: tshark sees $n QUIC packets on the $side"
    done
    echo "ok: $name: 2 MB through the simulator intact"
done
echo PASS
