#!/bin/sh
# Entry point of quire's endpoint images (images/build.sh): what QIR's endpoint base image does in
# its setup.sh before run_endpoint (routes via the simulator, offloads off: net-setup.inc), then
# execs /endpoint/run_endpoint (the same wrapper the netns backend runs) with the contract's
# variables.
set -u
log() { echo "quire: endpoint-entry: $*"; }
. /net-setup.inc
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
