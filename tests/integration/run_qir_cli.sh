#!/usr/bin/env bash
# QIR's own command lines with `quire run` in place of `python run.py` (quic-interop-runner's
# .github/workflows/interop-test.yml "Run tests" / "Run measurements" steps and its README),
# with local implementations: server quic-go, client hsonly (quic-go for handshake, 127 for
# the rest, so a whole selection takes seconds). Checks run.py's test selection (onlyTests =
# TESTCASES_QUIC, onlyMeasurements = MEASUREMENTS, no versionnegotiation), the files QIR writes
# (--json FILE, logs/<server>_<client>/<test>/{server,client,sim,output.txt}, no directory
# for unsupported tests) and QIR's verdicts.
. "$(dirname "$0")/../endpoints/run_common.bash"
require_root
require_quicgo
setup_run qircli
S=quic-go C=hsonly
cd "$tmp"
# run.py's lists, in testcases_quic.py's order (name abbreviation)
tests="handshake:H transfer:DC longrtt:LR chacha20:C20 multiplexing:M retry:S resumption:R
zerortt:Z http3:3 blackhole:B keyupdate:U ecn:E amplificationlimit:A handshakeloss:L1
transferloss:L2 handshakecorruption:C1 transfercorruption:C2 ipv6:6 v2:V2 rebind-port:BP
rebind-addr:BA connectionmigration:CM"
measurements="goodput:G crosstraffic:C"
q() { # quire run with QIR's flags only (plus the implementations file and the run id)
    set +e
    "$quire" run --implementations "$impls" --run-id "$run_id" "$@" >"$tmp/out" 2>&1
    run_rc=$?
    set -e
}
# the selection and the verdicts in a result file: expected "abbr:name..." list, kind
check_json() {
    python3 - "$@" <<'PY' || fail "$1: selection or verdicts differ from QIR's"
import json, sys
path, want_tests, want_meas = sys.argv[1], sys.argv[2].split(), sys.argv[3].split()
r = json.load(open(path))
pairs = [w.split(":") for w in want_tests + want_meas]
got = [(k, v["name"]) for k, v in r["tests"].items()]
assert got == [(a, n) for n, a in pairs], got
assert r["servers"] == ["quic-go"] and r["clients"] == ["hsonly"], (r["servers"], r["clients"])
assert len(r["results"]) == 1 and len(r["measurements"]) == 1
cells = r["results"][0]
assert [c["abbr"] for c in cells] == [w.split(":")[1] for w in want_tests], cells
for c in cells:
    # hsonly knows TESTCASE=handshake only: QIR's handshake, and longrtt (its testname() is
    # "handshake" too)
    want = "succeeded" if c["abbr"] in ("H", "LR") else "unsupported"
    assert c["result"] == want, c
meas = r["measurements"][0]
assert [m["abbr"] for m in meas] == [w.split(":")[1] for w in want_meas], meas
for m in meas:
    assert m["result"] == "unsupported" and m["details"] == "", m
PY
    echo "ok: $1: QIR's selection and verdicts"
}
# interop-test.yml, "Run tests" (CRON is set there)
CRON=true q --protocol quic --client $C --server $S --log-dir logs --json ${S}_${C}_results.json \
    -t onlyTests
[ "$run_rc" = 0 ] || fail "onlyTests: exit $run_rc"
check_json ${S}_${C}_results.json "$tests" ""
d=logs/${S}_${C}
for f in server client sim output.txt; do [ -e "$d/handshake/$f" ] || fail "no $d/handshake/$f"; done
[ -e "$d/longrtt/sim" ] || fail "no $d/longrtt/sim"
n=$(find "$d" -mindepth 1 -maxdepth 1 | wc -l)
[ "$n" = 2 ] || fail "$d has $n entries: QIR keeps only the logs of succeeded/failed tests"
# interop-test.yml, "Run measurements", and its clean-up of logs_measurement
CRON=true q --protocol quic --client $C --server $S --log-dir logs_measurement \
    --json ${S}_${C}_measurements.json -t onlyMeasurements
[ "$run_rc" = 0 ] || fail "onlyMeasurements: exit $run_rc"
check_json ${S}_${C}_measurements.json "" "$measurements"
[ ! -e logs_measurement/${S}_${C} ] || fail "logs of unsupported measurements kept: $(find logs_measurement/${S}_${C})"
# README: a pair and two test cases; the default log dir logs_<date>T<time> in the cwd
q -s $S -c $C -t handshake,transfer
[ "$run_rc" = 0 ] || fail "README command: exit $run_rc"
ls -d logs_*T*:*:* >/dev/null 2>&1 || fail "no logs_<date>T<time> directory"
l=$(ls -d logs_*T*:*:* | head -n 1)
[ -d "$l/${S}_${C}/handshake/sim" ] || fail "$l has no handshake logs"
expect_verdict "$l/result.json" $S $C H succeeded
expect_verdict "$l/result.json" $S $C DC unsupported
# versionnegotiation is not in QIR's default but runs by name; -p webtransport has no
# measurements (run_webtransport.sh runs that suite)
q -s $S -c $C -t versionnegotiation -l vn
expect_verdict vn/result.json $S $C V unsupported
q -p webtransport -s $S -c $C -t onlyMeasurements
[ "$run_rc" = 2 ] || fail "-p webtransport -t onlyMeasurements: exit $run_rc, expected 2"
expect_no_leftovers
