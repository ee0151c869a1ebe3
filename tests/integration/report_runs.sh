#!/usr/bin/env bash
# Acceptance test of issue 17 (the multi-run HTML report, QIR's results website as one file):
# `quire report html DIR` over 3 result files (tests/data/results/quire_2x2.json and two
# modified copies: a regression and a fix in the newest run, a third verdict in the oldest) is
# rendered in headless Chromium, and the DOM must show: the selector with 3 runs, newest first
# and selected; only the newest run's matrix visible; the history of one cell (3 verdicts, in
# time order); 1 regression and 1 fix against the previous run, on the right badges; ?run= and
# #run= selecting older runs (with their own counts) and &base= another baseline. Then QIR's
# logs.json layout, 1 run, and the errors (no runs, malformed file). Skipped (77) without
# chromium or python3; needs no root.
set -u
BIN=${QUIRE_BIN:-build/quire}
SRC=${QUIRE_SOURCE_DIR:-$(cd "$(dirname "$0")/../.." && pwd)}
CHROME=$(command -v chromium || command -v chromium-browser || true)
if [ -z "$CHROME" ] || ! command -v python3 >/dev/null; then
    echo "report_runs: chromium or python3 not installed (scripts/deps/reports.list): skipped"
    exit 77
fi
WORK=$(mktemp -d "/tmp/quire-report-runs-$$-XXXXXX")
trap 'rm -rf "$WORK"' EXIT
fail() { echo "report_runs: FAIL: $*" >&2; exit 1; }

n=0
dom() { # dom URL OUT: the DOM after the page's scripts ran; a fresh profile, no network
    n=$((n + 1))
    timeout 180 "$CHROME" --headless --no-sandbox --disable-gpu --disable-background-networking \
        --no-first-run --user-data-dir="$WORK/profile-$n" --dump-dom "$1" >"$2" 2>>"$WORK/chrome.log" ||
        fail "chromium --dump-dom $1 (see $WORK/chrome.log)"
    [ -s "$2" ] || fail "empty DOM for $1"
}
has() { grep -qF -- "$1" "$2" || fail "${3:-$2}: not in the DOM: $1"; }
count() { grep -o -- "$1" "$2" | wc -l; }
# shown FILE ID: run ID's section is the only one not hidden
shown() {
    grep -q "<section class=\"run\" data-k=\"[0-9]*\" id=\"run-[0-9]*\" data-run=\"$2\">" "$1" ||
        fail "$1: run $2 is not the one shown"
    [ "$(grep -o '<section class="run"[^>]*>' "$1" | grep -vc 'hidden')" -eq 1 ] ||
        fail "$1: more than one run shown"
}
# counts FILE REG FIX: the numbers at the top and the outlined badges
counts() {
    has "<b id=\"n-reg\">$2</b> regressions, <b id=\"n-fix\">$3</b> fixed" "$1"
    local reg fix
    reg=$(count 'class="b [a-z]* t[0-9]*\( ov\)\? reg"' "$1")
    fix=$(count 'class="b [a-z]* t[0-9]*\( ov\)\? fix"' "$1")
    [ "$reg" -eq "$2" ] && [ "$fix" -eq "$3" ] || fail "$1: $reg badges outlined as regression, $fix as fixed (want $2, $3)"
}

# c-old (oldest): quic-go server, ngtcp2 client, DC unsupported; a-mid: the fixture;
# b-new (newest): ngtcp2/ngtcp2 H failed (regression), quic-go/ngtcp2 DC succeeded (fix).
# Names sort otherwise than the times, so the order must come from start_time.
python3 - "$SRC/tests/data/results/quire_2x2.json" "$WORK/runs" <<'PY' || fail "making the runs"
import copy, json, os, sys
src = json.load(open(sys.argv[1]))
def setv(d, i, abbr, v):
    for x in d["results"][i]:
        if x["abbr"] == abbr:
            x["result"] = v
            x.pop("explanation", None)
            if v == "failed":
                x["explanation"] = 'synthetic <b>failure</b> & "quoted"'
old = copy.deepcopy(src); setv(old, 1, "DC", "unsupported")
mid = copy.deepcopy(src)
mid["start_time"] += 86400; mid["end_time"] += 86400
new = copy.deepcopy(src)
new["start_time"] += 172800; new["end_time"] += 172800
setv(new, 0, "H", "failed"); setv(new, 1, "DC", "succeeded")
for name, r in (("c-old", old), ("a-mid", mid), ("b-new", new)):
    os.makedirs(os.path.join(sys.argv[2], name))
    json.dump(r, open(os.path.join(sys.argv[2], name, "result.json"), "w"))
PY
"$BIN" report html "$WORK/runs" -o "$WORK/runs/index.html" 2>"$WORK/err" || fail "quire report html DIR: $(cat "$WORK/err")"
grep -q "3 runs, newest b-new" "$WORK/err" || fail "no summary line: $(cat "$WORK/err")"
URL="file://$WORK/runs/index.html"

# 1. default: newest shown, baseline the previous run
dom "$URL#cell=quic-go,ngtcp2,DC" "$WORK/d1.html"
opts=$(grep -o '<select id="run">.*</select> baseline' "$WORK/d1.html" | grep -o '<option value="[0-9]*"[^>]*>[^<]*' )
[ "$(echo "$opts" | wc -l)" -eq 3 ] || fail "selector: expected 3 runs, got: $opts"
echo "$opts" | head -1 | grep -q '>b-new (2026-05-19' || fail "selector: newest run not first: $opts"
echo "$opts" | tail -1 | grep -q '>c-old (2026-05-17' || fail "selector: oldest run not last: $opts"
shown "$WORK/d1.html" b-new
has '<span id="base-name">a-mid</span>' "$WORK/d1.html"
counts "$WORK/d1.html" 1 1
has '<a class="b f t0 reg" href="b-new/ngtcp2_ngtcp2/handshake"' "$WORK/d1.html"
has '<a class="b ok t1 fix" href="b-new/quic-go_ngtcp2/transfer"' "$WORK/d1.html"
# the history of (quic-go server, ngtcp2 client, DC): ? then ✕ then ✓, oldest first
hist=$(grep -o '<div id="history"[^>]*>.*' "$WORK/d1.html" | sed 's|</div>.*||' | grep -o 'data-run="[^"]*" data-v="[a-z]*"' | tr '\n' ' ')
[ "$hist" = 'data-run="c-old" data-v="u" data-run="a-mid" data-v="f" data-run="b-new" data-v="ok" ' ] ||
    fail "history of quic-go/ngtcp2/DC: $hist"
has '<span class="b f">✕</span>2026-05-18' "$WORK/d1.html"
# explanations stay text
has 'title="handshake: failed – synthetic &lt;b&gt;failure&lt;/b&gt; &amp; &quot;quoted&quot;"' "$WORK/d1.html"

# 2. ?run= selects an older run (baseline: the one before it): DC unsupported -> failed
dom "$URL?run=a-mid" "$WORK/d2.html"
shown "$WORK/d2.html" a-mid
counts "$WORK/d2.html" 1 0
has '<a class="b f t1 reg" href="a-mid/quic-go_ngtcp2/transfer"' "$WORK/d2.html"

# 3. #run= the oldest: no baseline, nothing marked
dom "$URL#run=c-old" "$WORK/d3.html"
shown "$WORK/d3.html" c-old
counts "$WORK/d3.html" 0 0
has '<span id="base-name">(no baseline)</span>' "$WORK/d3.html"

# 4. another baseline: b-new against c-old: H regressed, DC unsupported -> succeeded is a change, not a fix
dom "$URL#run=b-new&base=c-old" "$WORK/d4.html"
shown "$WORK/d4.html" b-new
counts "$WORK/d4.html" 1 0
has '<span id="base-name">c-old</span>' "$WORK/d4.html"

# 5. QIR's web layout: logs.json names the runs (here 2 of 3 directories)
mkdir -p "$WORK/qir"
for d in logs_2026-04-01T00:00 logs_2026-04-02T00:00 logs_unlisted; do
    mkdir "$WORK/qir/$d" && cp "$SRC/tests/data/results/qir_3x2.json" "$WORK/qir/$d/result.json"
done
sed -i 's/"start_time": *1775000000[.0-9]*/"start_time": 1775086400/' "$WORK/qir/logs_2026-04-02T00:00/result.json"
grep -q '1775086400' "$WORK/qir/logs_2026-04-02T00:00/result.json" || fail "fixture: start_time not changed"
echo '["logs_2026-04-01T00:00", "logs_2026-04-02T00:00"]' >"$WORK/qir/logs.json"
"$BIN" report html "$WORK/qir" -o "$WORK/qir/index.html" 2>"$WORK/err" || fail "QIR layout: $(cat "$WORK/err")"
dom "file://$WORK/qir/index.html" "$WORK/d5.html"
[ "$(grep -o '<select id="run">.*</select> baseline' "$WORK/d5.html" | grep -o '<option value="[0-9]' | wc -l)" -eq 2 ] ||
    fail "QIR layout: expected 2 runs in the selector"
shown "$WORK/d5.html" "logs_2026-04-02T00:00"

# 6. one run works; no runs and a malformed file are errors naming the problem
mkdir -p "$WORK/one/r1" "$WORK/none" && cp "$SRC/tests/data/results/quire_2x2.json" "$WORK/one/r1/result.json"
"$BIN" report html "$WORK/one" -o "$WORK/one.html" 2>"$WORK/err" || fail "1 run: $(cat "$WORK/err")"
dom "file://$WORK/one.html" "$WORK/d6.html"
shown "$WORK/d6.html" r1
counts "$WORK/d6.html" 0 0
"$BIN" report html "$WORK/none" -o "$WORK/none.html" 2>"$WORK/err"; rc=$?
[ "$rc" -eq 2 ] && grep -q "none: no \*/result.json found" "$WORK/err" || fail "0 runs: exit $rc, $(cat "$WORK/err")"
[ ! -e "$WORK/none.html" ] || fail "0 runs: a page was written"
mkdir "$WORK/one/r2" && printf '{"start_time": 1,\n "servers": [}\n' >"$WORK/one/r2/result.json"
"$BIN" report html "$WORK/one" -o "$WORK/bad.html" 2>"$WORK/err"; rc=$?
[ "$rc" -eq 2 ] && grep -q "r2/result.json:2:" "$WORK/err" || fail "malformed: exit $rc, $(cat "$WORK/err")"
"$BIN" report markdown "$WORK/runs" 2>"$WORK/err"; rc=$?
[ "$rc" -eq 2 ] && grep -q "is a directory: only html" "$WORK/err" || fail "markdown DIR: exit $rc"
echo "report_runs: ok"
