#!/usr/bin/env bash
# Acceptance test of issue 9 for the HTML report: a report rendered by `quire report html`
# opens in headless Chromium; the DOM has one matrix cell per (client, server) pair, every
# badge, and the failure explanations; a URL fragment filter is applied by the page's script
# (so the script ran); a screenshot is saved. Then the same for a synthetic 20 x 20 x 25
# matrix, timing Chromium. Skipped (77) without chromium; needs no root.
set -u
BIN=${QUIRE_BIN:-build/quire}
SRC=${QUIRE_SOURCE_DIR:-$(cd "$(dirname "$0")/../.." && pwd)}
OUT=${QUIRE_BUILD_DIR:-/tmp}
CHROME=$(command -v chromium || command -v chromium-browser || true)
if [ -z "$CHROME" ]; then
    echo "report_html: chromium not installed (scripts/deps/reports.list): skipped"
    exit 77
fi
WORK=$(mktemp -d "/tmp/quire-report-html-$$-XXXXXX")
trap 'rm -rf "$WORK"' EXIT
fail() { echo "report_html: FAIL: $*" >&2; exit 1; }

n=0
chrome() { # chrome ARGS... URL: a fresh profile each time, no network
    n=$((n + 1))
    timeout 180 "$CHROME" --headless --no-sandbox --disable-gpu --disable-background-networking \
        --no-first-run --user-data-dir="$WORK/profile-$n" "$@" 2>>"$WORK/chrome.log"
}
count() { grep -o -- "$1" "$2" | wc -l; }

# 1. the quire fixture: 2 servers x 2 clients, 5 test cases, 1 measurement, 4 failures
"$BIN" report html "$SRC/tests/data/results/quire_2x2.json" -o "$WORK/report.html" || fail "quire report html"
chrome --dump-dom "file://$WORK/report.html" > "$WORK/dom.html" || fail "chromium --dump-dom (see $WORK/chrome.log)"
[ -s "$WORK/dom.html" ] || fail "empty DOM"
cells=$(count '<td class="s[0-9]*">' "$WORK/dom.html")
[ "$cells" -eq 8 ] || fail "expected 8 matrix cells (2 x 2, tests and measurements), DOM has $cells"
badges=$(count 'class="b \(ok\|f\|u\|n\) t[0-9]*"' "$WORK/dom.html")
[ "$badges" -eq 24 ] || fail "expected 24 badges (20 test cases + 4 measurements), DOM has $badges"
for text in "server chose TLS_AES_128_GCM_SHA256, expected TLS_CHACHA20_POLY1305_SHA256" \
            "no 0-RTT packets from the client in the trace" \
            'href="logs/ngtcp2_quic-go/chacha20"' "G: 9450 ± 62 kbps"; do
    grep -qF -- "$text" "$WORK/dom.html" || fail "not in the DOM: $text"
done
# the filters: a fragment hides server 1 and the failed badges when the script runs
chrome --dump-dom "file://$WORK/report.html#hide=s1,f" > "$WORK/dom2.html" || fail "chromium (filter)"
grep -qF '<style id="qf">.s1,.f{display:none}</style>' "$WORK/dom2.html" || fail "the filter script did not run"
grep -q '<button data-k="s1" class="off">' "$WORK/dom2.html" || fail "filter button not marked off"
chrome --window-size=1300,800 --screenshot="$WORK/report_html.png" "file://$WORK/report.html" >/dev/null ||
    fail "chromium --screenshot"
size=$(stat -c %s "$WORK/report_html.png" 2>/dev/null || echo 0)
[ "$size" -gt 10000 ] || fail "screenshot missing or blank ($size bytes)"
cp "$WORK/report_html.png" "$OUT/report_html.png" 2>/dev/null && echo "report_html: screenshot $OUT/report_html.png"

# 2. a QIR result file renders too
"$BIN" report html "$SRC/tests/data/results/qir_3x2.json" -o "$WORK/qir.html" || fail "report html (QIR file)"
chrome --dump-dom "file://$WORK/qir.html" > "$WORK/qir-dom.html" || fail "chromium (QIR file)"
cells=$(count '<td class="s[0-9]*">' "$WORK/qir-dom.html")
[ "$cells" -eq 12 ] || fail "QIR file: expected 12 matrix cells (3 x 2, twice), DOM has $cells"

# 3. a synthetic 20 x 20 x 25 matrix (23 test cases + 2 measurements): size and load time
if command -v python3 >/dev/null; then
    python3 - "$WORK/big.json" <<'PY' || fail "generating the synthetic matrix"
import json, random, sys
rng = random.Random(20)
impls = ["impl-%02d" % i for i in range(20)]
tests = ["T%d" % i for i in range(25)]
out = {"start_time": 1779000000, "end_time": 1779028800, "log_dir": "logs", "servers": impls,
       "clients": impls, "urls": {i: "https://example.org/" + i for i in impls}, "quic_version": "0x1",
       "tests": {t: {"name": "test%d" % i, "desc": "synthetic"} for i, t in enumerate(tests)},
       "results": [], "measurements": []}
for c in impls:
    for s in impls:
        rl = []
        for t in tests[:23]:
            r = rng.choice(["succeeded"] * 7 + ["failed", "unsupported"])
            o = {"abbr": t, "name": out["tests"][t]["name"], "result": r, "duration": rng.uniform(1, 30)}
            if r == "failed":
                o["explanation"] = "synthetic failure %d" % rng.randrange(1000)
            rl.append(o)
        out["results"].append(rl)
        out["measurements"].append([{"abbr": t, "name": out["tests"][t]["name"], "result": "succeeded",
                                     "details": "%d (\u00b1 %d) kbps" % (rng.randrange(8000, 9800), rng.randrange(300))}
                                    for t in tests[23:]])
json.dump(out, open(sys.argv[1], "w"))
PY
    "$BIN" report html "$WORK/big.json" -o "$WORK/big.html" || fail "report html (20 x 20 x 25)"
    t0=$(date +%s%N)
    chrome --dump-dom "file://$WORK/big.html" > "$WORK/big-dom.html" || fail "chromium (20 x 20 x 25)"
    t1=$(date +%s%N)
    badges=$(count 'class="b \(ok\|f\|u\|n\) t[0-9]*"' "$WORK/big-dom.html")
    [ "$badges" -eq 10000 ] || fail "20 x 20 x 25: expected 10000 badges, DOM has $badges"
    echo "report_html: 20 x 20 x 25: $(stat -c %s "$WORK/big.html") bytes of HTML, Chromium load + dump $(( (t1 - t0) / 1000000 )) ms"
    chrome --window-size=1600,1000 --screenshot="$WORK/big.png" "file://$WORK/big.html" >/dev/null &&
        cp "$WORK/big.png" "$OUT/report_html_400.png" 2>/dev/null
fi
echo "report_html: ok"
