#!/usr/bin/env bash
# The endpoints' limits after a SIGKILL of quire run and of its worker mid-test (nobody tears
# the test bed down): the tmpfs /downloads and the pids cgroups are left, and `quire clean
# --run ID` removes them with the namespaces. Then nothing is left.
. "$(dirname "$0")/../endpoints/run_common.bash"
require_root
require_quicgo
setup_run clean
set +e
"$quire" run --implementations "$impls" --run-id "$run_id" -l "$tmp/logs" -s quic-go -c hang \
    -t transfer --timeout 30 --jobs 1 -n quic-go,hang >"$tmp/out" 2>&1 &
qpid=$!
for i in $(seq 1 100); do # the client runs: 10 s at most
    grep -q "starting client hang" "$tmp"/logs/quic-go_hang/transfer/output.txt 2>/dev/null && break
    sleep 0.1
done
sleep 0.5
kids=$(cat /proc/"$qpid"/task/*/children 2>/dev/null)
kill -KILL $kids "$qpid"
wait "$qpid" 2>/dev/null
set -e
tmpfs=$(grep -c " quire-${run_id}-" /proc/self/mountinfo || true)
cgs=$(find /sys/fs/cgroup -maxdepth 4 -type d -name "quire-${run_id}-*" 2>/dev/null | wc -l)
echo "left by the kill: $tmpfs tmpfs, $cgs cgroups"
[ "$tmpfs" = 2 ] || fail "expected the 2 tmpfs /downloads left, found $tmpfs"
if [ -n "$(grep -l pids /sys/fs/cgroup/cgroup.controllers 2>/dev/null)$(grep -w pids /proc/self/cgroup)" ]; then
    [ "$cgs" = 2 ] || fail "expected the 2 cgroups left, found $cgs"
fi
"$quire" clean --run "$run_id" | tee "$tmp/clean.out" | sed 's/^/  /'
grep -q "detached tmpfs .*client_downloads" "$tmp/clean.out" || fail "clean did not detach the tmpfs"
expect_no_leftovers
