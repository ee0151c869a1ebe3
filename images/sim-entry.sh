#!/bin/sh
# Entry point of quire's simulator image (images/build.sh): finds its two interfaces by the
# addresses quire's container backend gave it (QUIRE_SIM_LEFT4 on the client-side network,
# QUIRE_SIM_RIGHT4 on the server side: the engine names interfaces in an order of its own), turns
# their offloads off and execs `quire sim [ARGS...] LEFT RIGHT $SCENARIO` — SCENARIO is QIR's
# variable, split into words as QIR's simulator does.
set -u
log() { echo "quire: sim-entry: $*"; }
ifof() { ip -o -4 addr show | awk -v a="$1" '{split($4, p, "/"); if (p[1] == a) print $2}'; }
left=$(ifof "${QUIRE_SIM_LEFT4:?}")
right=$(ifof "${QUIRE_SIM_RIGHT4:?}")
if [ -z "$left" ] || [ -z "$right" ]; then
    log "no interface with $QUIRE_SIM_LEFT4 / $QUIRE_SIM_RIGHT4:"
    ip -o addr show
    exit 1
fi
# The networks are not internal (see backend/container.c): no default route, nothing leaves.
ip route del default >/dev/null 2>&1
ip -6 route del default >/dev/null 2>&1
for i in "$left" "$right"; do
    for f in tx tso gso gro tx-udp-segmentation; do
        ethtool -K "$i" "$f" off >/dev/null 2>&1
    done
done
# shellcheck disable=SC2086
exec /bin/quire sim "$@" "$left" "$right" ${SCENARIO:?}
