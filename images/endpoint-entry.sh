#!/bin/sh
# Entry point of quire's endpoint images (images/build.sh): what QIR's endpoint base image does in
# its setup.sh before run_endpoint. Routes the simulated networks via the simulator on this side
# (QUIRE_GW4/QUIRE_GW6 via QUIRE_ROUTE4/QUIRE_ROUTE6, set by quire's container backend; the local
# /24 and /64 stay on-link), turns checksum and segmentation offloads off on eth0 so that the
# simulator and its captures see real datagrams with real checksums, then execs
# /endpoint/run_endpoint (the same wrapper the netns backend runs) with the contract's variables.
set -u
log() { echo "quire: endpoint-entry: $*"; }
if [ -n "${QUIRE_GW4:-}" ]; then
    ip route replace "${QUIRE_ROUTE4:?}" via "$QUIRE_GW4" || { log "cannot route $QUIRE_ROUTE4 via $QUIRE_GW4"; exit 1; }
fi
if [ -n "${QUIRE_GW6:-}" ]; then
    ip -6 route replace "${QUIRE_ROUTE6:?}" via "$QUIRE_GW6" || { log "cannot route $QUIRE_ROUTE6 via $QUIRE_GW6"; exit 1; }
fi
# The networks are not internal (see backend/container.c): no default route, nothing leaves.
ip route del default >/dev/null 2>&1
ip -6 route del default >/dev/null 2>&1
for f in tx tso gso gro tx-udp-segmentation; do
    ethtool -K eth0 "$f" off >/dev/null 2>&1
done
cd /endpoint || exit 1
# A run_endpoint that cannot start would exit 127, which means "unsupported test case": check
# the program and its interpreter first and fail plainly instead.
[ -x /endpoint/run_endpoint ] || { log "/endpoint/run_endpoint missing"; exit 1; }
read -r shebang </endpoint/run_endpoint
case "$shebang" in
'#!'*)
    interp=${shebang#\#!}
    interp=${interp# }
    interp=${interp%% *}
    [ -x "$interp" ] || { log "interpreter $interp of run_endpoint missing in the image"; exit 1; } ;;
esac
exec /endpoint/run_endpoint "$@"
