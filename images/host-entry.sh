#!/bin/sh
# Entry point of the host image (images/build.sh host): runs a program of this machine — an
# experiment's service — in a container of quire's container test bed. The container backend
# mounts the host's /usr and the program's folders read-only; this script sets up the network
# as the endpoint images do (net-setup.inc: routes via the simulator, offloads off), then runs
# its arguments.
set -u
log() { echo "quire: host-entry: $*"; }
. /net-setup.inc
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
