#!/usr/bin/env bash
# JUnit output of `quire report junit` validates against tests/data/junit/junit.xsd (xmllint)
# and, read back with Python's XML parser the way JUnit readers walk it, has one testcase
# per (server, client, test) whose outcome matches the result file (read separately with
# Python's json). Skipped (77) without xmllint or python3; needs no root.
set -u
BIN=${QUIRE_BIN:-build/quire}
SRC=${QUIRE_SOURCE_DIR:-$(cd "$(dirname "$0")/../.." && pwd)}
for tool in xmllint python3; do
    command -v $tool >/dev/null || { echo "report_junit: $tool not installed: skipped"; exit 77; }
done
WORK=$(mktemp -d "/tmp/quire-report-junit-$$-XXXXXX")
trap 'rm -rf "$WORK"' EXIT
fail() { echo "report_junit: FAIL: $*" >&2; exit 1; }

for f in quire_2x2 qir_3x2; do
    "$BIN" report junit "$SRC/tests/data/results/$f.json" -o "$WORK/$f.xml" || fail "$f: quire report junit"
    xmllint --noout --schema "$SRC/tests/data/junit/junit.xsd" "$WORK/$f.xml" 2>"$WORK/xmllint.log" ||
        { cat "$WORK/xmllint.log" >&2; fail "$f: does not validate against junit.xsd"; }
    python3 - "$SRC/tests/data/results/$f.json" "$WORK/$f.xml" <<'PY' || fail "$f: read-back differs"
import json, sys
import xml.etree.ElementTree as ET
res = json.load(open(sys.argv[1]))
root = ET.parse(sys.argv[2]).getroot()
assert root.tag == "testsuites", root.tag
servers, clients, tests = res["servers"], res["clients"], res["tests"]
got = {}
for suite in root.findall("testsuite"):
    n = {"tests": 0, "failures": 0, "skipped": 0}
    for case in suite.findall("testcase"):
        n["tests"] += 1
        out = "succeeded"
        if case.find("failure") is not None:
            out = "failed"
            n["failures"] += 1
        elif case.find("skipped") is not None:
            out = case.find("skipped").get("message").split(":")[0]
            n["skipped"] += 1
        got[(case.get("classname"), case.get("name"))] = (out, case)
    for k, v in n.items():
        assert int(suite.get(k)) == v, (suite.get("name"), k, suite.get(k), v)
want = {}
for i, pair in enumerate(res["results"]):
    c, s = clients[i // len(servers)], servers[i % len(servers)]
    for o in pair + res["measurements"][i]:
        want[("quire.%s_%s" % (s, c), o["name"])] = (o["result"] or "not run", o)
# measurements that did not run are absent from the file but present as skipped testcases
for i in range(len(res["results"])):
    c, s = clients[i // len(servers)], servers[i % len(servers)]
    for abbr, t in tests.items():
        want.setdefault(("quire.%s_%s" % (s, c), t["name"]), ("not run", {}))
assert set(got) == set(want), set(got) ^ set(want)
for key, (out, o) in want.items():
    assert got[key][0] == out, (key, got[key][0], out)
    if out == "failed" and o.get("explanation"):
        assert got[key][1].find("failure").get("message") == o["explanation"], key
assert int(root.get("tests")) == len(want)
print("report_junit: %s: %d testcases agree with the result file" % (sys.argv[1].split("/")[-1], len(want)))
PY
done
echo "report_junit: ok"
