#!/usr/bin/env bash
# The report and merge commands end to end: Markdown of a QIR file equals prettytable's
# rendering (tests/data/results/qir_3x2.tables.md); a QIR file cut into 3 shards (by
# (pair, test) index mod 3, cells outside a shard left unrun) merges back to the original;
# conflicting files fail naming both; bad input fails with exit 2 and file:line:column.
# Needs python3 to cut the shards (skipped, 77, without it); no root.
set -u
BIN=${QUIRE_BIN:-build/quire}
SRC=${QUIRE_SOURCE_DIR:-$(cd "$(dirname "$0")/../.." && pwd)}
D=$SRC/tests/data/results
command -v python3 >/dev/null || { echo "report_cli: python3 not installed: skipped"; exit 77; }
WORK=$(mktemp -d "/tmp/quire-report-cli-$$-XXXXXX")
trap 'rm -rf "$WORK"' EXIT
fail() { echo "report_cli: FAIL: $*" >&2; exit 1; }

"$BIN" report markdown --tables-only "$D/qir_3x2.json" > "$WORK/tables.md" || fail "report markdown"
diff -u "$D/qir_3x2.tables.md" "$WORK/tables.md" || fail "markdown differs from prettytable's"
"$BIN" report markdown "$D/quire_2x2.json" -o "$WORK/full.md" || fail "report markdown -o"
grep -qF "**Z** zerortt: no 0-RTT packets from the client in the trace ([log](logs/ngtcp2_quic-go/zerortt))" \
    "$WORK/full.md" || fail "failure list"

for f in qir_3x2 quire_2x2; do
    python3 - "$D/$f.json" "$WORK/$f" 3 <<'PY' || fail "cutting shards"
import json, sys
src, prefix, n = sys.argv[1], sys.argv[2], int(sys.argv[3])
res = json.load(open(src))
ntests = len(res["tests"])
for k in range(n):
    out = json.loads(json.dumps(res))
    for i, pair in enumerate(out["results"]):
        for j, o in enumerate(pair):
            if (i * ntests + j) % n != k:
                o["result"] = None
                for key in ("explanation", "duration", "log"):
                    o.pop(key, None)
    for i, pair in enumerate(out["measurements"]):
        out["measurements"][i] = [o for o in pair
                                  if (i * ntests + len(out["results"][i]) + pair.index(o)) % n == k]
    json.dump(out, open("%s.shard%d.json" % (prefix, k), "w"))
PY
    "$BIN" merge "$WORK/$f.shard0.json" "$WORK/$f.shard1.json" "$WORK/$f.shard2.json" -o "$WORK/$f.merged.json" ||
        fail "$f: merge"
    "$BIN" merge "$WORK/$f.merged.json" --equal "$D/$f.json" || fail "$f: 3 merged shards differ from the whole"
    # and a single shard does not equal the whole
    if "$BIN" merge "$WORK/$f.shard0.json" --equal "$D/$f.json" 2>/dev/null; then fail "$f: shard 0 equals the whole"; fi
done

# conflicts
python3 - "$D/quire_2x2.json" "$WORK/conflict.json" <<'PY'
import json, sys
res = json.load(open(sys.argv[1]))
res["results"][0][0]["result"] = "failed"
res["results"][0][0]["explanation"] = "changed"
json.dump(res, open(sys.argv[2], "w"))
PY
"$BIN" merge "$D/quire_2x2.json" "$WORK/conflict.json" -o "$WORK/x.json" 2>"$WORK/err.txt"
rc=$?
[ $rc -eq 2 ] || fail "conflict: exit $rc, expected 2"
grep -qF "test H: $D/quire_2x2.json says succeeded, $WORK/conflict.json says failed" "$WORK/err.txt" ||
    { cat "$WORK/err.txt" >&2; fail "conflict message"; }
"$BIN" merge --last-wins "$D/quire_2x2.json" "$WORK/conflict.json" -o "$WORK/x.json" 2>"$WORK/err.txt" ||
    fail "--last-wins"
grep -qF "replaces" "$WORK/err.txt" || fail "--last-wins warning"

# bad input
printf '{"servers": ["a"],\n "clients": [}\n' > "$WORK/bad.json"
"$BIN" report html "$WORK/bad.json" 2>"$WORK/err.txt" >/dev/null
rc=$?
[ $rc -eq 2 ] || fail "bad json: exit $rc"
grep -qF "$WORK/bad.json:2:14:" "$WORK/err.txt" || { cat "$WORK/err.txt" >&2; fail "bad json: no file:line:column"; }
"$BIN" report 2>/dev/null; [ $? -eq 2 ] || fail "usage: exit code"
"$BIN" report pdf "$D/qir_3x2.json" 2>/dev/null; [ $? -eq 2 ] || fail "unknown format: exit code"
# quire diff: a QIR file against itself is quiet (exit 0); one cell turned from succeeded into
# failed is a regression (exit 1) naming it, and the reverse a fix (exit 0)
"$BIN" diff "$D/qir_3x2.json" "$D/qir_3x2.json" > "$WORK/diff.txt" || fail "diff of a file with itself"
grep -q "^0 regressions, 0 fixed, 0 changed, 0 new (0 failed), 0 gone" "$WORK/diff.txt" ||
    fail "diff of a file with itself: $(cat "$WORK/diff.txt")"
python3 - "$D/qir_3x2.json" "$WORK/worse.json" <<'PY' > "$WORK/cell.txt" || fail "making worse.json"
import json, sys
r = json.load(open(sys.argv[1]))
for i, row in enumerate(r["results"]):
    for cell in row:
        if cell["result"] == "succeeded":
            cell["result"] = "failed"
            c, s = r["clients"][i // len(r["servers"])], r["servers"][i % len(r["servers"])]
            print(f"{s}→{c} {cell['name']} ({cell['abbr']})")
            json.dump(r, open(sys.argv[2], "w"))
            sys.exit(0)
sys.exit(1)
PY
"$BIN" diff "$D/qir_3x2.json" "$WORK/worse.json" > "$WORK/diff.txt"
[ $? -eq 1 ] || fail "diff with a regression: exit code"
grep -qF "regression: $(cat "$WORK/cell.txt"): succeeded → failed" "$WORK/diff.txt" ||
    fail "regression not named: $(cat "$WORK/diff.txt")"
"$BIN" diff "$WORK/worse.json" "$D/qir_3x2.json" > "$WORK/diff.txt" || fail "diff with a fix: exit code"
grep -qF "fixed: $(cat "$WORK/cell.txt"): failed → succeeded" "$WORK/diff.txt" || fail "fix not named"
"$BIN" diff "$D/qir_3x2.json" 2>/dev/null; [ $? -eq 2 ] || fail "diff usage: exit code"
"$BIN" diff "$D/qir_3x2.json" "$WORK/nope.json" 2>/dev/null; [ $? -eq 2 ] || fail "diff missing file"
echo "report_cli: ok"
