#!/usr/bin/env bash
# quire sim's impairment scenarios with real UDP traffic through three namespaces of our own:
# drop-rate and corrupt-rate within statistical bounds (corrupted packets are delivered, with
# valid checksums), droplist exact, a blackhole window, rebinding seen by the server (several
# source ports) while the client keeps receiving the answers.
. "$(dirname "$0")/sim_common.inc"
need_simtool
setup_net
LINK="--delay=5ms --bandwidth=100Mbps --queue=1000"

# run_pair SINK_IDLE_MS SEND_ARGS...: sink (echoing) on the server, sender on the client;
# sets SINK_OUT and SEND_OUT.
SERVER=198.19.0.100
run_pair() {
    local idle=$1; shift
    ip netns exec $NSX "$TOOL" sink $SERVER 4433 $idle --echo --list >"$TMP/sink.out" &
    local sink=$!
    sleep 0.3
    SEND_OUT=$(ip netns exec $NSC "$TOOL" send $SERVER 4433 "$@")
    wait $sink
    SINK_OUT=$(cat "$TMP/sink.out")
}
field() { # field NAME TEXT: the number after NAME
    echo "$2" | tr ' ' '\n' | grep -A1 -x "$1" | tail -1
}
within() { # within VALUE LO HI WHAT
    [ "$1" -ge "$2" ] && [ "$1" -le "$3" ] || fail "$4: $1 not within [$2, $3]"
    echo "ok: $4 = $1 (bounds $2..$3)"
}

# drop-rate 10 % to the server, 20 % to the client; 3000 datagrams.
# Received ~ Binomial(3000, 0.9): mean 2700, sd 16.4; echoed ~ Binomial(received, 0.8).
start_sim --seed 1 left right drop-rate $LINK --rate_to_server=10 --rate_to_client=20
run_pair 1000 3000 200 200 --echo 1000
stop_sim
rx=$(field received "$SINK_OUT"); ec=$(field echoed "$SEND_OUT")
within "$rx" 2618 2782 "drop-rate: datagrams reaching the server of 3000"
lo=$(( rx * 8 / 10 - 5 * 21 )); hi=$(( rx * 8 / 10 + 5 * 21 ))
within "$ec" $lo $hi "drop-rate: echoes reaching the client of $rx"

# corrupt-rate 10 % to the server: every datagram arrives (the UDP checksum is fixed), about
# 300 of them corrupted; nothing corrupted towards the client.
start_sim --seed 2 left right corrupt-rate $LINK --rate_to_server=10 --rate_to_client=0
run_pair 1000 3000 200 200 --echo 1000
stop_sim
within "$(field received "$SINK_OUT")" 3000 3000 "corrupt-rate: datagrams delivered"
within "$(field corrupted "$SINK_OUT")" 218 382 "corrupt-rate: corrupted at the server"
ec=$(field echoed "$SEND_OUT")
within "$ec" 3000 3000 "corrupt-rate: echoes delivered"

# droplist: UDP datagrams 2, 3, 4 to the server and 1, 5 to the client (1-based, per direction).
start_sim left right droplist $LINK --drops_to_server=2,3,4 --drops_to_client=1,5
run_pair 1000 10 200 10000 --echo 500 --list
stop_sim
got_srv=$(echo "$SINK_OUT" | grep '^got:'); got_cli=$(echo "$SEND_OUT" | grep '^got:')
[ "$got_srv" = "got: 0 4 5 6 7 8 9" ] || fail "droplist: server got '$got_srv'"
[ "$got_cli" = "got: 4 5 6 8 9" ] || fail "droplist: client got '$got_cli'"
echo "ok: droplist exact"

# blackhole: on 0.6 s, off 0.5 s, once; 150 datagrams every 10 ms from about 0.1 s after the start.
start_sim left right blackhole $LINK --on=600ms --off=500ms --direction=toserver
run_pair 2000 150 200 10000 --list
stop_sim
got=$(echo "$SINK_OUT" | grep '^got:' | tr ' ' '\n' | grep -c '^[0-9]')
within "$got" 95 105 "blackhole: datagrams through of 150 (about 50 in the dark 0.5 s)"
# The lost ones are one contiguous run.
gaps=$(echo "$SINK_OUT" | grep '^got:' | tr ' ' '\n' | grep '^[0-9]' |
    awk 'NR>1 && $1 != prev+1 {gaps++} {prev=$1} END {print gaps+0}')
[ "$gaps" = 1 ] || fail "blackhole: $gaps gaps, expected one window"

# rebind: every 0.4 s from 0.4 s, with new addresses; 150 datagrams every 10 ms with echoes.
start_sim --seed 3 left right rebind $LINK --first-rebind=400ms --rebind-freq=400ms --rebind-addr
run_pair 1000 150 200 10000 --echo 500
stop_sim
src=$(field sources "$SINK_OUT")
within "$src" 3 6 "rebind: client addresses/ports seen by the server"
grep -q "rebinding [0-9]*: 198.18.0.100:" "$TMP/sim.log" || fail "rebind: no rebinding in the log"
within "$(field echoed "$SEND_OUT")" 140 150 "rebind: echoes reaching the client"

# The same over IPv6 (new last 16 bits of the client's address at each rebinding).
SERVER=2001:2:0:2::100
start_sim --seed 5 left right rebind $LINK --first-rebind=400ms --rebind-freq=400ms --rebind-addr
run_pair 1000 150 200 10000 --echo 500
stop_sim
within "$(field sources "$SINK_OUT")" 3 6 "rebind IPv6: client addresses/ports seen by the server"
grep -q "rebinding [0-9]*: \\[2001:2:0:1::100\\]:" "$TMP/sim.log" || fail "rebind IPv6: no rebinding logged"
within "$(field echoed "$SEND_OUT")" 140 150 "rebind IPv6: echoes reaching the client"
echo "PASS"
