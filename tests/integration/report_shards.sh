#!/usr/bin/env bash
# Issue 9's acceptance for sharding: a matrix run with `quire run` in one go and as 3 shards
# (`--shard K/3`, each in its own log directory) gives, after `quire merge`, the same
# result.json (modulo timings and log locations). Uses the runner's fake endpoints
# (tests/endpoints), so it needs root for the network namespaces; skipped (77) without them.
src=${QUIRE_SOURCE_DIR:-$(cd "$(dirname "$0")/../.." && pwd)}
if [ ! -f "$src/tests/endpoints/run_common.bash" ]; then
    echo "report_shards: the runner's test endpoints are not in this tree: skipped"
    exit 77
fi
. "$src/tests/endpoints/run_common.bash"
require_root
command -v python3 >/dev/null || skip "python3 missing"
"$quire" run --help 2>/dev/null | grep -q -- "--shard" || skip "quire run has no --shard"
setup_run shards
impls_sel=(-s exit1,unsupported,forkexit -c exit1,unsupported -t handshake,transfer
           -n exit1,unsupported,forkexit --timeout 10)

qrun "${impls_sel[@]}"
[ "$run_rc" = 1 ] || fail "unsharded run exited $run_rc"
for k in 1 2 3; do
    set +e
    "$quire" run --implementations "$impls" --run-id "$run_id" -l "$tmp/shard$k/logs" --shard $k/3 \
        "${impls_sel[@]}" >"$tmp/out" 2>&1
    rc=$?
    set -e
    [ "$rc" = 0 ] || [ "$rc" = 1 ] || fail "shard $k/3 exited $rc"
done
expect_no_leftovers
"$quire" merge "$tmp"/shard{1,2,3}/logs/result.json -o "$tmp/merged.json" || fail "quire merge"
"$quire" merge "$tmp/merged.json" --equal "$tmp/logs/result.json" || fail "3 merged shards differ from the unsharded run"
# each shard ran a third of the 12 tests, none twice, and logs point into the shards
python3 - "$tmp" <<'PY' || fail "shard contents"
import json, os, sys
tmp = sys.argv[1]
ran = []
for k in (1, 2, 3):
    r = json.load(open("%s/shard%d/logs/result.json" % (tmp, k)))
    ran.append(sum(1 for pair in r["results"] for o in pair if o["result"] is not None))
assert ran == [4, 4, 4], ran
m = json.load(open(tmp + "/merged.json"))
# the comparison means something: the run has more than one kind of outcome
kinds = {o["result"] for pair in m["results"] for o in pair}
assert {"failed", "unsupported"} <= kinds, kinds
logs = [o["log"] for pair in m["results"] for o in pair]
assert all("/shard" in l for l in logs), logs[:3]
PY
echo "report_shards: ok"
