#!/usr/bin/env bash
# The memcheck execution environment on quire's deliberately leaking test server
# (tests/endpoints/leaky): the experiment must fail, and the failed assertion must carry
# valgrind's finding (definitely lost, in leaky.c's remember()); the server's other assertion
# (it answers QUIC probes under valgrind) passes; valgrind's XML is among the outputs. Then the
# same server under strace: the strace log is written and no memcheck verdict is implied.
# Needs root (namespaces), valgrind, strace and a C compiler; otherwise skipped (77).
set -euo pipefail
src=${QUIRE_SOURCE_DIR:-$(cd "$(dirname "$0")/../.." && pwd)}
quire=${QUIRE_BIN:-$src/build/quire}
[ -x "$quire" ] || { echo "SKIP: $quire missing"; exit 77; }
[ "$(id -u)" = 0 ] || { echo "SKIP: needs root (network namespaces)"; exit 77; }
for t in valgrind strace cc; do
    command -v $t >/dev/null || { echo "SKIP: $t not installed (scripts/deps/experiment.list)"; exit 77; }
done
tmp=$(mktemp -d "/tmp/quire-expmem-$$-XXXXXX")
trap 'rm -rf "$tmp"' EXIT
export QUIRE_SOURCE_DIR=$src
cc -g -O0 -o "$tmp/leaky" "$src/tests/endpoints/leaky/leaky.c"
export QUIRE_LEAKY_BIN=$tmp/leaky

cat >"$tmp/leak.yaml" <<'YAML'
name: leaky server under memcheck
tests:
  - name: leaky memcheck
    network_environment: {type: netns, delay: 5ms}
    execution_environment: [{type: memcheck}]
    services:
      server: {implementation: leaky, role: server, timeout: 60}
    steps:
      - start: server
      - command: "ip -o -4 addr show dev eth0"
        in: client
      - wait: 300ms
      - stop: server
    assertions:
      - {type: service_responsive, service: server}
YAML
set +e
"$quire" experiment run -o "$tmp/out" "$tmp/leak.yaml"
rc=$?
set -e
[ "$rc" = 1 ] || { echo "FAIL: exit $rc, expected 1 (a failed assertion)"; exit 1; }
report=$tmp/out/report.md
cat "$report"
grep -q "service_responsive (server) | ✅ passed | answered a QUIC probe" "$report" ||
    { echo "FAIL: the leaky server should answer probes"; exit 1; }
grep -q "execution_environment_clean (server) | ❌ failed | valgrind memcheck: [0-9]* errors*: Leak_DefinitelyLost: .* bytes in .* blocks are definitely lost .* at remember (leaky.c:[0-9]*)" "$report" ||
    { echo "FAIL: no failed memcheck verdict with the leak"; exit 1; }
xml=$tmp/out/leaky-memcheck/1/server/memcheck.xml
grep -q "<kind>Leak_DefinitelyLost</kind>" "$xml" || { echo "FAIL: $xml has no leak"; exit 1; }
grep -q '"verdict": "failed"' "$tmp/out/experiment_summary.json" || { echo "FAIL: summary"; exit 1; }
grep -q '"memcheck.xml"' "$tmp/out/experiment_summary.json" || { echo "FAIL: outputs not listed"; exit 1; }
grep -q "198.18.0.100/24" "$tmp/out/leaky-memcheck/1/commands.log" ||
    { echo "FAIL: the command step did not run in the client namespace"; exit 1; }

sed -e 's/memcheck}/strace}/' -e 's/leaky memcheck/leaky strace/' "$tmp/leak.yaml" >"$tmp/strace.yaml"
"$quire" experiment run -o "$tmp/out2" "$tmp/strace.yaml"
grep -q "recvfrom" "$tmp/out2/leaky-strace/1/server/strace.log" || { echo "FAIL: no strace log"; exit 1; }
! grep -q "execution_environment_clean" "$tmp/out2/report.md" || { echo "FAIL: strace implies no memcheck verdict"; exit 1; }
echo "PASS"
