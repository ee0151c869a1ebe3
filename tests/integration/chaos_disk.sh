#!/usr/bin/env bash
# Chaos: a client that writes 1 GiB into /downloads (tests/endpoints/diskfill). /downloads is a
# tmpfs of QUIRE_DOWNLOADS_MAX (default 512 MiB) while the endpoint runs: the write stops with
# ENOSPC, the verdict names the limit, the run goes on and quic-go's real transfer, whose files
# are copied back off the tmpfs, passes. A limit smaller than the transfer fails quic-go's
# client with the same explanation. Nothing is left (no tmpfs, no cgroup).
. "$(dirname "$0")/../endpoints/run_common.bash"
require_root
require_quicgo
setup_run disk
start=$(date +%s)
qrun -s quic-go -c diskfill,quic-go -t transfer --timeout 60 --jobs 1 -n quic-go,diskfill
took=$(( $(date +%s) - start ))
[ "$run_rc" = 1 ] || fail "quire run exited $run_rc, expected 1"
r=$tmp/logs/result.json
expect_verdict "$r" quic-go diskfill DC failed
verdict "$r" quic-go diskfill DC |
    grep -q "the client wrote more than the /downloads limit of 512 MiB (No space left on device)" ||
    fail "the full /downloads is not explained: $(verdict "$r" quic-go diskfill DC)"
grep -h "No space left\|diskfill: dd done" "$tmp/logs/quic-go_diskfill/transfer/output.txt" | sed 's/^/  /'
expect_verdict "$r" quic-go quic-go DC succeeded
echo "the 512 MiB run took $took s"
expect_no_leftovers
# a limit below the transfer's files: quic-go's own client runs into it
"$quire" clean --run "$run_id" >/dev/null 2>&1 || true
rm -rf "$tmp/logs"
QUIRE_DOWNLOADS_MAX=1M qrun -s quic-go -c quic-go -t transfer --timeout 60 --jobs 1 -n quic-go
[ "$run_rc" = 1 ] || fail "quire run with 1M exited $run_rc, expected 1"
expect_verdict "$r" quic-go quic-go DC failed
verdict "$r" quic-go quic-go DC | grep -q "the client wrote more than the /downloads limit of 1 MiB" ||
    fail "the 1 MiB limit is not explained: $(verdict "$r" quic-go quic-go DC)"
rm -rf "$tmp/logs"
QUIRE_DOWNLOADS_MAX=lots qrun -s quic-go -c quic-go -t handshake -n quic-go
grep -q "QUIRE_DOWNLOADS_MAX=lots: want a size" "$tmp/out" ||
    fail "a bad QUIRE_DOWNLOADS_MAX is not reported: $(tail -n 3 "$tmp/out")"
expect_no_leftovers
