#!/usr/bin/env bash
# quire run --alpn auto: a test case that a side does not support over hq-interop runs again
# over HTTP/3 and says so; a pair that supports it over hq stays on hq; a pair with no common
# protocol stays unsupported. Without --alpn auto the h3-only pair is unsupported (QIR's rule).
. "$(dirname "$0")/../endpoints/run_common.bash"
require_root
require_quicgo
setup_run alpnauto
qrun -s h3only,hqonly -c h3only,hqonly -t handshake --alpn auto --jobs 2
[ "$run_rc" = 0 ] || fail "quire run --alpn auto exited $run_rc"
r=$tmp/logs/result.json
expect_verdict "$r" h3only h3only H succeeded
expect_verdict "$r" hqonly hqonly H succeeded
expect_verdict "$r" h3only hqonly H unsupported
expect_verdict "$r" hqonly h3only H unsupported
python3 - "$r" <<'PY' || fail "explanations do not say which protocol"
import json, sys
r = json.load(open(sys.argv[1]))
S = r["servers"]
cell = {(S[i % len(S)], r["clients"][i // len(S)]): c for i, row in enumerate(r["results"]) for c in row}
assert cell[("h3only", "h3only")]["explanation"].startswith("over h3: "), cell[("h3only", "h3only")]
assert not cell[("hqonly", "hqonly")]["explanation"].startswith("over h3"), cell[("hqonly", "hqonly")]
PY
grep -q "QUIRE_ALPN=h3" "$tmp/logs/h3only_h3only/handshake/output.txt" ||
    fail "the h3 run's log does not show QUIRE_ALPN=h3"
expect_no_leftovers
rm -rf "$tmp/logs"
qrun -s h3only -c h3only -t handshake
expect_verdict "$tmp/logs/result.json" h3only h3only H unsupported
expect_no_leftovers
echo "PASS"
