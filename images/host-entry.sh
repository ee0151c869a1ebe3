#!/bin/sh
# Entry point of the host image (images/build.sh host): runs a program of this machine — an
# experiment's service — in a container of quire's container test bed. The container backend
# mounts the host's /usr and the program's folders read-only; this script routes the other
# side via the simulator (QUIRE_GW4/QUIRE_GW6 via QUIRE_ROUTE4/QUIRE_ROUTE6, as the endpoint
# images do), drops the default routes, turns eth0's offloads off, then runs its arguments.
set -u
log() { echo "quire: host-entry: $*"; }
if [ -n "${QUIRE_GW4:-}" ]; then
    ip route replace "${QUIRE_ROUTE4:?}" via "$QUIRE_GW4" || { log "cannot route $QUIRE_ROUTE4 via $QUIRE_GW4"; exit 1; }
fi
if [ -n "${QUIRE_GW6:-}" ]; then
    ip -6 route replace "${QUIRE_ROUTE6:?}" via "$QUIRE_GW6" || { log "cannot route $QUIRE_ROUTE6 via $QUIRE_GW6"; exit 1; }
fi
ip route del default >/dev/null 2>&1
ip -6 route del default >/dev/null 2>&1
for f in tx tso gso gro tx-udp-segmentation; do
    ethtool -K eth0 "$f" off >/dev/null 2>&1
done
[ $# -gt 0 ] || { log "no program to run"; exit 1; }
# As PID 1, do what quire's own PID-namespace init does: a stop signal goes to every process
# in the container (a debugger's or profiler's program too, not only the program itself),
# then the program's exit status is the container's.
"$@" &
child=$!
trap 'kill -s TERM -1 2>/dev/null' TERM INT
while :; do
    wait "$child"
    rc=$?
    kill -0 "$child" 2>/dev/null || break # ended (a signal only interrupts wait)
done
exit "$rc"
