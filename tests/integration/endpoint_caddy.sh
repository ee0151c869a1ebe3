#!/usr/bin/env bash
# The caddy wrapper (HTTP/3 server only) against the quic-go and ngtcp2 clients (and aioquic's
# when installed); hq test cases and the client role must answer 127.
dir=$(dirname "$0")
src=${QUIRE_SOURCE_DIR:-$(cd "$dir/../.." && pwd)}
pairs=$dir/endpoint_pairs.sh
rc=0
run() {
    bash "$pairs" "$@"
    local r=$?
    [ $r = 77 ] && exit 77
    [ $r = 0 ] || rc=1
}
run caddy quic-go http3
run caddy ngtcp2 http3
QUIRE_EPTEST_MISSING=1 run caddy ngtcp2 http3
if "$src/endpoints/aioquic/available" >/dev/null 2>&1; then run caddy aioquic http3; fi
QUIRE_EPTEST_EXPECT_UNSUPPORTED=1 run caddy quic-go handshake transfer
ROLE=client TESTCASE=http3 "$src/endpoints/caddy/run_endpoint" >/dev/null
r=$?
if [ $r != 127 ]; then echo "endpoint_caddy: FAIL ROLE=client exited $r, expected 127"; rc=1; fi
exit $rc
