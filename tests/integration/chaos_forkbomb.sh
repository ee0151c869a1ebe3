#!/usr/bin/env bash
# Chaos: endpoints that try to fork 10,000 children (tests/endpoints/forkbomb). The pids limit
# per endpoint (a cgroup with pids.max, QUIRE_PIDS_MAX) stops them: the verdict names it, the
# machine's process count is back where it was, the run goes on, nothing is left.
. "$(dirname "$0")/../endpoints/run_common.bash"
require_root
require_quicgo
setup_run forkbomb
root=$(awk -F: '$2 ~ /(^|,)pids(,|$)/ {print $3}' /proc/self/cgroup)
[ -n "$root" ] || [ -n "$(grep -l pids /sys/fs/cgroup/cgroup.controllers 2>/dev/null)" ] ||
    skip "no cgroup hierarchy with the pids controller (quire falls back to RLIMIT_NPROC, which root ignores)"
# (a glob, not ls: a process that ends meanwhile would fail ls, and pipefail the test)
nprocs() { local p=(/proc/[0-9]*); echo "${#p[@]}"; }
before=$(nprocs)
start=$(date +%s)
QUIRE_PIDS_MAX=200 qrun -s quic-go,forkbomb -c forkbomb,quic-go -t handshake --timeout 40 --jobs 1 \
    -n quic-go,forkbomb
took=$(( $(date +%s) - start ))
[ "$run_rc" = 1 ] || fail "quire run exited $run_rc, expected 1"
r=$tmp/logs/result.json
expect_verdict "$r" quic-go forkbomb H failed
verdict "$r" quic-go forkbomb H | grep -Eq "the client reached the pids limit of 200 \([0-9]+ forks refused\)" ||
    fail "client's fork bomb not explained: $(verdict "$r" quic-go forkbomb H)"
expect_verdict "$r" forkbomb quic-go H failed
verdict "$r" forkbomb quic-go H | grep -Eq "the server reached the pids limit of 200" ||
    fail "server's fork bomb not explained: $(verdict "$r" forkbomb quic-go H)"
expect_verdict "$r" quic-go quic-go H succeeded
grep -h "forkbomb: .* forked" "$tmp"/logs/*/handshake/output.txt | sed 's/^/  /'
after=$(nprocs)
echo "processes on the machine: $before before, $after after; the run took $took s"
[ "$after" -lt $((before + 50)) ] || fail "$((after - before)) more processes after the run"
expect_no_leftovers
