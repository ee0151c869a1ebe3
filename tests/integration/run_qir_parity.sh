#!/usr/bin/env bash
# quire run's QIR parity in a real run (quic-go against quic-go, with the simulator):
# - the saved captures in sim/ hold the key log (testcase.py _inject_keylog_if_possible): same
#   names, pcapng, and tshark decrypts STREAM frames with no key log option;
# - the compliance pre-check (interop.py _check_impl_is_compliant): compliant implementations
#   are announced, a non-compliant one's pairs are not run (cells empty), and
#   --no-compliance-check runs them anyway.
. "$(dirname "$0")/../endpoints/run_common.bash"
require_root
require_quicgo
"$quire" sim --help >/dev/null 2>&1 || skip "no simulator in this build (no captures)"
command -v tshark >/dev/null || skip "tshark not installed"
setup_run parity
qrun -s quic-go -c quic-go,noncompliant -t transfer
[ "$run_rc" = 0 ] || fail "quire run exited $run_rc (a skipped pair is no failure, as in QIR)"
r=$tmp/logs/result.json
expect_verdict "$r" quic-go quic-go DC succeeded
grep -q "quic-go server compliant" "$tmp/out" || fail "server pre-check not announced"
grep -q "quic-go client compliant" "$tmp/out" || fail "client pre-check not announced"
grep -q "noncompliant client not compliant, skipping its pairs: exit code 1 for the unknown" \
    "$tmp/out" || fail "non-compliant client not reported"
[ "$(verdict "$r" quic-go noncompliant DC)" = "None | " ] ||
    fail "the non-compliant pair has a verdict: $(verdict "$r" quic-go noncompliant DC)"
[ ! -e "$tmp/logs/quic-go_noncompliant" ] || fail "the skipped pair has a log directory"
ls /tmp | grep -q "^quire-compliance-" && fail "compliance temp dirs left in /tmp"
# the captures: QIR's names, pcapng (magic 0a0d0d0a), decrypted without a key log
mkdir -p "$tmp/home" # no user preferences (a key log set there would hide a failure)
for side in left right; do
    f=$tmp/logs/quic-go_quic-go/transfer/sim/trace_node_$side.pcap
    [ -s "$f" ] || fail "no $side capture"
    [ "$(head -c 4 "$f" | od -An -tx1 | tr -d ' ')" = 0a0d0d0a ] || fail "$f is not pcapng"
    streams() { HOME=$tmp/home tshark -r "$1" -Y quic.stream.stream_id 2>/dev/null | grep -c . || true; }
    n=$(streams "$f")
    [ "$n" -gt 0 ] || fail "tshark decrypts no STREAM frame in trace_node_$side.pcap"
    echo "ok: trace_node_$side.pcap: $n packets with decrypted STREAM frames"
    # control: without the secrets block the same capture shows none
    if command -v editcap >/dev/null; then
        editcap --discard-all-secrets "$f" "$tmp/bare.pcapng"
        [ "$(streams "$tmp/bare.pcapng")" = 0 ] || fail "STREAM frames seen without the secrets"
    fi
done
grep -q "key log client/keys.log written into 2 capture(s)" \
    "$tmp/logs/quic-go_quic-go/transfer/output.txt" || fail "no injection line in output.txt"
expect_no_leftovers
# --no-compliance-check: the pair runs and fails (the client exits 1)
rm -rf "$tmp/logs"
qrun -s quic-go -c noncompliant -t handshake --no-compliance-check
[ "$run_rc" = 1 ] || fail "with --no-compliance-check: exit $run_rc, expected 1"
expect_verdict "$tmp/logs/result.json" quic-go noncompliant H failed
! grep -qE "(server|client) (not )?compliant" "$tmp/out" || fail "pre-check ran despite --no-compliance-check"
expect_no_leftovers
