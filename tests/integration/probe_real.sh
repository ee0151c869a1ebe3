#!/usr/bin/env bash
# quire probe against real servers: each installed server (endpoints/<impl>/run_endpoint,
# ROLE=server) runs in its own network namespace (only loopback) and private mount namespace,
# as the endpoint contract says; `quire probe` runs in the same namespace against
# 127.0.0.1:443, twice. Checks: the handshake case passes, both runs give the same verdict for
# every case, `quire trace` decodes the probe's own capture with its key log, and the server
# is still running afterwards (or the script says which case stopped it).
# QUIRE_PROBE_IMPLS="aioquic ngtcp2" names the servers (default: the four that answer quickly,
# about 90 s for both runs of all four; quiche, tquic, openssl and caddy stay silent on many
# cases, so each case waits out --wait and a run of theirs takes 1-4 min: name them for the
# full table of docs/probe.md); QUIRE_ENDPOINTS_DIR points at an
# endpoints/ folder with installed implementations (default: this checkout's);
# QUIRE_PROBE_OUT=DIR keeps the JSON results there; QUIRE_PROBE_CASES=a,b runs only those cases
# (handshake among them, for the check). Exit 77 when not root or no server is
# installed.
set -u
. "$(dirname "$0")/lib.inc"
[ "$(id -u)" = 0 ] || skip "needs root (network namespaces)"
for t in ip unshare openssl ss jq; do command -v "$t" >/dev/null || skip "$t not installed"; done
QUIRE=${QUIRE_BIN:-$SRC/build/quire}
[ -x "$QUIRE" ] || skip "quire binary $QUIRE not built"
EPDIR=${QUIRE_ENDPOINTS_DIR:-$SRC/endpoints}
impls=${QUIRE_PROBE_IMPLS:-aioquic ngtcp2 quic-go quinn}

avail=()
for i in $impls; do
    [ -x "$EPDIR/$i/run_endpoint" ] || continue
    if [ -x "$EPDIR/$i/available" ] && ! "$EPDIR/$i/available" >/dev/null 2>&1; then continue; fi
    avail+=("$i")
done
[ ${#avail[@]} -gt 0 ] || skip "no QUIC server installed under $EPDIR ($impls)"

TMP=$(mktemp -d /tmp/quire-probe.XXXXXX)
NS=quire-probe-$$
SERVER_PID=
cleanup() {
    [ -n "$SERVER_PID" ] && kill -KILL "$SERVER_PID" 2>/dev/null
    local p
    for p in $(ip netns pids "$NS" 2>/dev/null); do kill -KILL "$p" 2>/dev/null; done
    ip netns del "$NS" 2>/dev/null
    if [ -n "${QUIRE_KEEP:-}" ]; then echo "kept $TMP"; else rm -rf "$TMP"; fi
}
trap cleanup EXIT
trap 'exit 1' INT TERM HUP
make_certs "$TMP/certs" || { echo "FAIL: openssl could not make certificates"; exit 1; }
printf '127.0.0.1 localhost server server4\n::1 localhost6 server6\n' >"$TMP/hosts"
mkdir -p "$TMP/www" && head -c 4096 /dev/urandom >"$TMP/www/file"

# start_server IMPL: run_endpoint as the contract says, in $NS; SERVER_PID is unshare's.
start_server() {
    local tc=handshake
    [ "$1" = caddy ] && tc=http3
    mkdir -p "$TMP/$1/logs" "$TMP/$1/dl"
    ip netns exec "$NS" env -i PATH="$PATH" HOME=/root ROLE=server TESTCASE=$tc \
        SSLKEYLOGFILE=/logs/keys.log QLOGDIR=/logs/qlog Q_WWW="$TMP/www" Q_DL="$TMP/$1/dl" \
        Q_LOGS="$TMP/$1/logs" Q_CERTS="$TMP/certs" Q_HOSTS="$TMP/hosts" Q_RUN="$EPDIR/$1/run_endpoint" \
        unshare --mount --pid --fork --kill-child --mount-proc sh -c '
            mount --make-rprivate / &&
            mkdir -p /www /downloads /certs /logs &&
            mount --bind "$Q_WWW" /www && mount --bind "$Q_DL" /downloads &&
            mount --bind "$Q_CERTS" /certs && mount --bind "$Q_LOGS" /logs &&
            mount --bind "$Q_HOSTS" /etc/hosts &&
            exec "$Q_RUN"' >"$TMP/$1/server.txt" 2>&1 &
    SERVER_PID=$!
    wait_listening "$NS" "$SERVER_PID"
}

stop_server() {
    [ -n "$SERVER_PID" ] || return
    kill -TERM "$SERVER_PID" 2>/dev/null
    for _ in $(seq 20); do kill -0 "$SERVER_PID" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$SERVER_PID" 2>/dev/null
    wait "$SERVER_PID" 2>/dev/null
    SERVER_PID=
}

# probe IMPL RUN CASES: one quire probe run into $TMP/IMPL/RUN.{json,pcap,keys}.
probe() {
    local alpn=hq-interop
    [ "$1" = caddy ] && alpn=h3
    ip netns exec "$NS" timeout 300 "$QUIRE" probe --role client -s 127.0.0.1:443 -t "$3" --wait 1000 \
        --alpn $alpn --get /file --json "$TMP/$1/$2.json" --pcap "$TMP/$1/$2.pcap" \
        --keylog "$TMP/$1/$2.keys" >"$TMP/$1/$2.txt" 2>&1
}

fail=0
ran=0
for impl in "${avail[@]}"; do
    ip netns del "$NS" 2>/dev/null
    ip netns add "$NS" && ip -n "$NS" link set lo up || { echo "FAIL: cannot make $NS"; exit 1; }
    if ! start_server "$impl"; then
        wait "$SERVER_PID" 2>/dev/null
        if [ $? = 127 ]; then
            # installed, but not for this test case (e.g. ngtcp2 without its hq-interop build)
            echo "SKIP $impl: $(grep -m1 unsupported "$TMP/$impl/server.txt")"
            SERVER_PID=
            continue
        fi
        echo "FAIL $impl: the server did not listen on UDP 443 ($(tail -n 3 "$TMP/$impl/server.txt" | tr '\n' ' '))"
        fail=1
        stop_server
        continue
    fi
    ran=$((ran + 1))
    # Cases that stop a server (checked by hand, see docs/probe.md) run last, on their own.
    all=$("$QUIRE" probe --list | awk '{print $1}' | grep -vx tp_extension_missing | paste -sd, -)
    [ -n "${QUIRE_PROBE_CASES:-}" ] && all=$QUIRE_PROBE_CASES
    ok=1
    for run in 1 2; do
        probe "$impl" "run$run" "$all"
        if ! kill -0 "$SERVER_PID" 2>/dev/null; then
            echo "FAIL $impl: the server exited during run $run"
            ok=0
            start_server "$impl" || break
        fi
    done
    probe "$impl" last tp_extension_missing
    alive=yes
    kill -0 "$SERVER_PID" 2>/dev/null || alive="no (stopped by tp_extension_missing)"
    hs=$(jq -r '.cases[] | select(.name == "handshake") | .verdict' "$TMP/$impl/run1.json" 2>/dev/null)
    [ "$hs" = passed ] || { echo "FAIL $impl: handshake case: $hs ($(grep handshake "$TMP/$impl/run1.txt"))"; ok=0; }
    v1=$(jq -r '.cases[] | "\(.name) \(.verdict)"' "$TMP/$impl/run1.json" 2>/dev/null)
    v2=$(jq -r '.cases[] | "\(.name) \(.verdict)"' "$TMP/$impl/run2.json" 2>/dev/null)
    if [ -z "$v1" ] || [ "$v1" != "$v2" ]; then
        echo "FAIL $impl: verdicts differ between runs:"
        diff <(echo "$v1") <(echo "$v2") | sed 's/^/    /'
        ok=0
    fi
    # exit 1 is expected: the capture holds the cases' deliberate violations
    "$QUIRE" trace "$TMP/$impl/run1.pcap" --keylog "$TMP/$impl/run1.keys" --json >"$TMP/$impl/trace.json" 2>"$TMP/$impl/trace.err"
    if [ $? -gt 1 ] || [ "$(jq '.summary.decrypted' "$TMP/$impl/trace.json" 2>/dev/null || echo 0)" -lt 10 ]; then
        echo "FAIL $impl: quire trace on the probe's capture: $(head -c 300 "$TMP/$impl/trace.err")"
        ok=0
    fi
    s=$(jq -r '.summary | "\(.passed) passed, \(.failed) failed, \(.not_applicable) n/a"' "$TMP/$impl/run1.json")
    last=$(jq -r '.cases[0] | "\(.verdict)"' "$TMP/$impl/last.json" 2>/dev/null)
    echo "$([ $ok = 1 ] && echo PASS || echo FAIL) $impl: $s; tp_extension_missing $last; server alive afterwards: $alive"
    grep -E '^FAIL' "$TMP/$impl/run1.txt" "$TMP/$impl/last.txt" | sed "s/^[^:]*:/    /"
    [ -n "${QUIRE_PROBE_OUT:-}" ] && mkdir -p "$QUIRE_PROBE_OUT" &&
        cp "$TMP/$impl/run1.json" "$QUIRE_PROBE_OUT/$impl.json" &&
        cp "$TMP/$impl/last.json" "$QUIRE_PROBE_OUT/$impl-last.json"
    [ $ok = 1 ] || fail=1
    stop_server
    ip netns del "$NS" 2>/dev/null
done
[ $ran -gt 0 ] || [ $fail = 1 ] || skip "no installed server could run the handshake test case"
exit $fail
