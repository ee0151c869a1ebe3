#!/usr/bin/env bash
# Chaos: a client that floods UDP at the server for 5 s as fast as it can (tests/endpoints/
# flood). The simulator's queue and rate bound what passes; quire's memory (the run, its
# worker, the simulator: every process of this quire binary) stays flat, sampled every 0.1 s;
# the test gets a verdict, the run goes on (a good pair after it passes), nothing is left.
# QUIRE_FLOOD_SECONDS is not passed to endpoints: the flood lasts flood.py's 5 s.
. "$(dirname "$0")/../endpoints/run_common.bash"
require_root
require_quicgo
setup_run flood
exe=$(readlink -f "$quire")
set +e
"$quire" run --implementations "$impls" --run-id "$run_id" -l "$tmp/logs" -s quic-go \
    -c flood,quic-go -t handshake --timeout 30 --jobs 1 -n quic-go,flood >"$tmp/out" 2>&1 &
qpid=$!
# VmRSS (KiB) of every process of this binary with its subcommand (run: the run and its
# workers, sim: the simulator), every 0.1 s while the run lasts (60 s at most)
python3 - "$exe" "$qpid" "$tmp/rss" <<'PY'
import os, sys, time
exe, qpid, out = sys.argv[1], int(sys.argv[2]), open(sys.argv[3], "w")
end = time.monotonic() + 60
while time.monotonic() < end and os.path.exists(f"/proc/{qpid}"):
    for p in os.listdir("/proc"):
        if not p.isdigit():
            continue
        try:
            if os.readlink(f"/proc/{p}/exe") != exe:
                continue
            kind = open(f"/proc/{p}/cmdline").read().split("\0")[1]
            rss = [l.split()[1] for l in open(f"/proc/{p}/status") if l.startswith("VmRSS")][0]
        except (OSError, IndexError):
            continue
        out.write(f"{time.time():.3f} {p} {kind} {rss}\n")
    time.sleep(0.1)
PY
wait "$qpid"
run_rc=$?
set -e
[ "$run_rc" = 1 ] || fail "quire run exited $run_rc, expected 1"
r=$tmp/logs/result.json
expect_verdict "$r" quic-go flood H failed
verdict "$r" quic-go flood H | grep -q "client exit code 1" || fail "flood's end not explained"
expect_verdict "$r" quic-go quic-go H succeeded
grep -h "flood: sent" "$tmp/logs/quic-go_flood/handshake/output.txt" | sed 's/^/  /'
grep -hi "drop\|queue" "$tmp/logs/quic-go_flood/handshake/output.txt" | head -n 5 | sed 's/^/  /'
# per process: the first sample, the largest, the last (KiB)
python3 - "$tmp/rss" <<'PY' | tee "$tmp/rss.summary"
import sys
procs = {}
for line in open(sys.argv[1]):
    t, pid, kind, rss = line.split()
    procs.setdefault((pid, kind), []).append(int(rss))
for (pid, kind), v in sorted(procs.items(), key=lambda x: int(x[0][0])):
    print(f"rss {kind} pid {pid}: {len(v)} samples, first {v[0]} KiB, max {max(v)} KiB, last {v[-1]} KiB, growth {max(v) - v[0]} KiB")
PY
[ -s "$tmp/rss.summary" ] || fail "no RSS samples"
# flat: no process of quire grew by more than 16 MiB during the flood
if awk '{g=$(NF-1); if (g > 16384) bad=1} END {exit !bad}' "$tmp/rss.summary"; then
    fail "quire's memory grew by more than 16 MiB"
fi
expect_no_leftovers
