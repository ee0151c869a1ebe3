#!/usr/bin/env bash
# The container backend against the netns backend: the same pairs and test cases give the same
# verdicts. quic-go→quic-go handshake and transfer (both succeed) and ngtcp2→ngtcp2 handshake
# (unsupported: exit 127, ngtcp2 here speaks h3 only) under --backend netns and then
# --backend container with the images built here; the container run has the netns run's logs
# layout (output.txt, keys, both captures), and leaves no container or network. A pair that
# mixes an image-less implementation into a container run is a clear usage error.
. "$(dirname "$0")/../endpoints/run_common.bash"
. "$(dirname "$0")/container_common.inc"
require_root
require_quicgo
require_engine
"$src/endpoints/ngtcp2/available" >/dev/null 2>&1 || skip "ngtcp2 not installed"
setup_run ctpairs
build_images sim quic-go ngtcp2
impls=$real_impls

declare -A got
for backend in netns container; do
    run_id=t$$_$backend
    t0=$(date +%s)
    qrun --backend "$backend" -s quic-go -c quic-go -t handshake,transfer
    mv "$tmp/logs" "$tmp/logs-$backend-qg"; mv "$tmp/out" "$tmp/out-$backend-qg"
    qrun --backend "$backend" -s ngtcp2 -c ngtcp2 -t handshake --keep
    mv "$tmp/logs" "$tmp/logs-$backend-ng"; mv "$tmp/out" "$tmp/out-$backend-ng"
    echo "$backend: $(($(date +%s) - t0)) s for 3 tests"
    for t in H DC; do
        got[$backend-qg-$t]=$(verdict "$tmp/logs-$backend-qg/result.json" quic-go quic-go $t | cut -d' ' -f1)
    done
    got[$backend-ng-H]=$(verdict "$tmp/logs-$backend-ng/result.json" ngtcp2 ngtcp2 H | cut -d' ' -f1)
    [ "$backend" = container ] && expect_no_container_leftovers "$run_id"
    "$quire" clean --run "$run_id" >/dev/null 2>&1 || true
done
# ngtcp2: hq over its h09 programs under netns; its image has only the h3 programs (127)
[ "${got[netns-ng-H]}" = succeeded ] || fail "ngtcp2 handshake under netns: ${got[netns-ng-H]}"
for k in qg-H qg-DC; do
    echo "$k: netns ${got[netns-$k]}, container ${got[container-$k]}"
    [ -n "${got[netns-$k]}" ] && [ "${got[netns-$k]}" = "${got[container-$k]}" ] ||
        fail "$k: verdicts differ: netns '${got[netns-$k]}', container '${got[container-$k]}'"
done
[ "${got[container-qg-H]}" = succeeded ] && [ "${got[container-qg-DC]}" = succeeded ] ||
    fail "quic-go→quic-go did not succeed: $(cat "$tmp/out-container-qg")"
[ "${got[container-ng-H]}" = unsupported ] || fail "ngtcp2 handshake: expected unsupported"
d=$tmp/logs-container-qg/quic-go_quic-go/transfer
for f in output.txt server/keys.log client/keys.log sim/trace_node_left.pcap sim/trace_node_right.pcap; do
    [ -s "$d/$f" ] || fail "container run: $d/$f missing or empty"
done
for w in server_www client_downloads client_www server_downloads; do
    [ ! -e "$d/$w" ] || fail "$d/$w not removed"
done
grep -q "networks quire-t$$_container-" "$d/output.txt" || fail "no network line in output.txt"
grep -q "sim: to client: in" "$d/output.txt" || fail "the simulator's final counters are missing"
echo "ok: same verdicts under both backends; logs layout as netns"

# Mixed: quinn has no image: a clear error, exit 2, nothing started.
run_id=t$$_mixed
qrun --backend container -s quic-go -c quinn -t handshake
[ "$run_rc" = 2 ] || fail "mixed run: expected exit 2, got $run_rc"
grep -q 'no "image" for the container backend' "$tmp/out" || fail "mixed run: unclear error: $(cat "$tmp/out")"
echo "ok: mixed run refused: $(head -1 "$tmp/out")"
