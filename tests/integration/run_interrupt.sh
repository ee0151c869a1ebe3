#!/usr/bin/env bash
# Ctrl-C (SIGINT) and SIGTERM in the middle of a run: quire stops the endpoints, removes the
# testbeds, saves the results so far and exits 130 / 143; nothing is left.
. "$(dirname "$0")/../endpoints/run_common.bash"
require_root
require_quicgo
setup_run int
for sig in INT TERM; do
    rm -rf "$tmp/logs"
    set +e
    "$quire" run --implementations "$impls" --run-id "$run_id" -l "$tmp/logs" \
        -s quic-go -c quic-go,hang -t handshake,transfer --timeout 60 >"$tmp/out" 2>&1 &
    pid=$!
    # wait until the hanging client runs (the quic-go pair finishes first)
    for _ in $(seq 1 100); do
        grep -q "hang: client sleeping" "$tmp"/logs/quic-go_hang/*/output.txt 2>/dev/null && break
        sleep 0.1
    done
    kill -"$sig" "$pid"
    wait "$pid"
    rc=$?
    set -e
    want=$([ $sig = INT ] && echo 130 || echo 143)
    [ "$rc" = "$want" ] || fail "SIG$sig: quire exited $rc, expected $want"
    expect_verdict "$tmp/logs/result.json" quic-go quic-go H succeeded
    expect_no_leftovers
done

# SIGKILL of the runner: its workers get SIGTERM (PR_SET_PDEATHSIG) and tear their tests down;
# `quire clean --run` removes the rest (the run's state dir).
rm -rf "$tmp/logs"
"$quire" run --implementations "$impls" --run-id "$run_id" -l "$tmp/logs" \
    -s quic-go -c hang -t handshake --timeout 60 >"$tmp/out" 2>&1 &
pid=$!
for _ in $(seq 1 100); do
    grep -q "hang: client sleeping" "$tmp"/logs/quic-go_hang/*/output.txt 2>/dev/null && break
    sleep 0.1
done
kill -KILL "$pid"
wait "$pid" || true
for _ in $(seq 1 100); do
    ip netns list 2>/dev/null | grep -q "^quire-${run_id}-" || break
    sleep 0.1
done
! ip netns list 2>/dev/null | grep -q "^quire-${run_id}-" || fail "workers left their testbed"
"$quire" clean --run "$run_id" >>"$tmp/out" 2>&1 || fail "quire clean --run failed"
expect_no_leftovers
