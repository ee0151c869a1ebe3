#!/usr/bin/env bash
# quire experiment run with real endpoints: the draft-29 vs RFC 9000 example (ngtcp2; every
# assertion passes), a wrong expectation (the version check must fail and show the version
# seen), and a small delay sweep (quic-go server, quinn client; the handshake time must grow
# with the delay: median at 100 ms one-way delay > 2 x 100 ms > median at 10 ms), and that run
# stopped by SIGTERM (cleaned up, reported as interrupted). Needs root,
# ngtcp2, quic-go and quinn built; otherwise skipped (77). About 10 s.
set -euo pipefail
src=${QUIRE_SOURCE_DIR:-$(cd "$(dirname "$0")/../.." && pwd)}
quire=${QUIRE_BIN:-$src/build/quire}
[ -x "$quire" ] || { echo "SKIP: $quire missing"; exit 77; }
[ "$(id -u)" = 0 ] || { echo "SKIP: needs root (network namespaces)"; exit 77; }
export QUIRE_SOURCE_DIR=$src
avail=$("$quire" experiment plugins)
for p in ngtcp2 quic-go quinn; do
    printf '%s\n' "$avail" | grep -qE "^  $p .*; available$" ||
        { echo "SKIP: plugin $p not available: $(printf '%s\n' "$avail" | grep "^  $p ")"; exit 77; }
done
tmp=$(mktemp -d "/tmp/quire-exprun-$$-XXXXXX")
trap 'rm -rf "$tmp"' EXIT

"$quire" experiment run -o "$tmp/ver" "$src/experiments/version-v2-vs-rfc9000.yaml"
grep -q "Assertions: \*\*8 passed, 0 failed\*\*" "$tmp/ver/report.md" || { cat "$tmp/ver/report.md"; echo "FAIL: version check"; exit 1; }
grep -q "use 0x6b3343cf (seen: 0x6b3343cf)" "$tmp/ver/report.md" || { echo "FAIL: no QUIC v2 evidence"; exit 1; }

# The same runs expecting the wrong versions: must fail, with the evidence.
sed -e 's/version: "0x00000001"/version: "SWAP"/' -e 's/version: "0x6b3343cf"}/version: "0x00000001"}/' -e 's/version: "SWAP"/version: "0x6b3343cf"/' \
    "$src/experiments/version-v2-vs-rfc9000.yaml" >"$tmp/wrong.yaml"
set +e
"$quire" experiment run -o "$tmp/wrong" "$tmp/wrong.yaml"
rc=$?
set -e
[ "$rc" = 1 ] || { echo "FAIL: wrong expectations: exit $rc, expected 1"; exit 1; }
if ! { grep -q "version_chosen | ❌ failed | 0 of 1 connection(s) use 0x6b3343cf (seen: 0x00000001)" "$tmp/wrong/report.md" &&
    grep -q "version_chosen | ❌ failed | 0 of 1 connection(s) use 0x00000001 (seen: 0x6b3343cf)" "$tmp/wrong/report.md"; }; then
    cat "$tmp/wrong/report.md"
    echo "FAIL: wrong version not reported"
    exit 1
fi

# Retry: the token is echoed; without Retry the check fails and says why.
set +e
"$quire" experiment run -o "$tmp/retry" "$src/experiments/retry-compliance.yaml"
rc=$?
set -e
[ "$rc" = 1 ] || { echo "FAIL: retry example: exit $rc, expected 1"; exit 1; }
if ! { grep -q "retry_token_echoed | ✅ passed | 1 Retry packet(s): token echoed in 1" "$tmp/retry/report.md" &&
    grep -q "retry_token_echoed | ❌ failed | no Retry packet in the capture" "$tmp/retry/report.md"; }; then
    cat "$tmp/retry/report.md"
    echo "FAIL: retry verdicts"
    exit 1
fi

cat >"$tmp/sweep.yaml" <<'YAML'
name: small sweep
tests:
  - name: sweep
    network_environment: {bandwidth: 10Mbps}
    sweep: {delay: [10ms, 100ms]}
    execution_environment: [{type: iterations, count: 2}]
    services:
      server: {implementation: quic-go, role: server, timeout: 20}
      client: {implementation: quinn, role: client, timeout: 20}
    assertions:
      - {type: data_integrity}
      - {type: service_exit, service: client}
      - {type: performance_threshold, metric: handshake_time, max: 2s}
YAML
"$quire" experiment run -o "$tmp/sweep" "$tmp/sweep.yaml"
python3 - "$tmp/sweep/experiment_summary.json" <<'PY'
import json, sys
s = json.load(open(sys.argv[1]))
pts = s["tests"][0]["points"]
m10, m100 = pts[0]["handshake_ms"]["median"], pts[1]["handshake_ms"]["median"]
print(f"median handshake: {m10:.1f} ms at 10 ms delay, {m100:.1f} ms at 100 ms delay")
assert pts[0]["handshake_ms"]["n"] == 2 and pts[1]["handshake_ms"]["n"] == 2
assert m100 > 200 > m10 > 20, "handshake time does not follow the delay"
assert s["totals"]["assertions_failed"] == 0 and s["totals"]["assertions_passed"] == 12
PY

# SIGTERM in the middle: exit 130, the run in progress reported as interrupted (not failed),
# its processes and namespaces gone, the report written.
sed -e 's/delay: \[10ms, 100ms\]/delay: [200ms]/' -e 's/count: 2/count: 10/' "$tmp/sweep.yaml" >"$tmp/int.yaml"
"$quire" experiment run -o "$tmp/int" "$tmp/int.yaml" >"$tmp/int.log" 2>&1 &
qpid=$!
sleep 2
kill -TERM $qpid
set +e
wait $qpid
rc=$?
set -e
[ "$rc" = 130 ] || { cat "$tmp/int.log"; echo "FAIL: interrupted run: exit $rc, expected 130"; exit 1; }
grep -q "interrupted by a signal" "$tmp/int/report.md" || { echo "FAIL: interruption not reported"; exit 1; }
grep -q "0 failed" "$tmp/int/report.md" || { echo "FAIL: the interrupted run counted as failed"; exit 1; }
if compgen -G "/run/netns/quire-r$qpid*" >/dev/null; then
    echo "FAIL: namespaces of the interrupted run left"
    exit 1
fi
echo "PASS"
