#!/usr/bin/env bash
# quire run --probe: the probe column. aioquic and ngtcp2 (the servers that answer the probe
# quickly) are each probed in a test bed of their own, beside a handshake matrix; a fake server
# that answers 127 gets an unsupported probe. Checks: the probe is a column, not a client;
# result.json's "probe" cells agree with each probe's own JSON (counts, failed names, the
# handshake case); the exit status says whether something failed; the capture decodes with the
# probe's key log; Markdown, HTML and JUnit show the column; nothing is left behind.
# Then `quire probe -s IMPL -t CASES` for one of them: only the probe runs, the cases asked for
# (after the handshake) are printed and written; an unknown implementation is named (exit 2).
. "$(dirname "$0")/../endpoints/run_common.bash"
require_root
servers=
for i in aioquic ngtcp2; do
    "$src/endpoints/$i/available" >/dev/null 2>&1 && servers=${servers:+$servers,}$i
done
[ -n "$servers" ] || skip "neither aioquic nor ngtcp2 is installed (scripts/install-deps)"
client=${servers%%,*}
setup_run probe
set +e
"$quire" run --implementations "$src/implementations.json" --run-id "$run_id" -l "$tmp/logs" \
    -s "$servers" -c "$client" -t handshake --probe --markdown --html "$tmp/r.html" \
    --junit "$tmp/j.xml" >"$tmp/out" 2>&1
run_rc=$?
set -e
[ "$run_rc" = 0 ] || [ "$run_rc" = 1 ] || fail "quire run exited $run_rc"
python3 - "$tmp/logs" "$servers" "$run_rc" <<'PY' || fail "the probe cells do not match the probes' files"
import json, os, sys
logs, servers, rc = sys.argv[1], sys.argv[2].split(","), int(sys.argv[3])
r = json.load(open(os.path.join(logs, "result.json")))
assert "quire-probe" not in r["clients"], r["clients"]
assert sorted(r["probe"]) == sorted(servers), r["probe"].keys()
failed = any(c["result"] == "failed" for row in r["results"] for c in row)
for s in servers:
    p = r["probe"][s]
    assert p["result"] in ("succeeded", "failed"), (s, p)
    cases = json.load(open(os.path.join(logs, p["log"], "client", "probe.json")))["cases"]
    by = {c["name"]: c["verdict"] for c in cases}
    assert by.get("handshake") == "passed", (s, "handshake", by.get("handshake"))
    names = [c["name"] for c in cases if c["verdict"] == "failed"]
    assert p["failed_cases"] == names, (s, p["failed_cases"], names)
    assert p["passed"] == sum(v == "passed" for v in by.values()), s
    assert p["not_applicable"] == sum(v == "not applicable" for v in by.values()), s
    assert p["passed"] + p["failed"] + p["not_applicable"] == len(cases), s
    assert (p["result"] == "succeeded") == (not names and "during the probe" not in p["explanation"]), (s, p)
    failed |= p["result"] == "failed"
    print(f"ok: {s}: {p['result']}, {p['passed']} passed, {p['failed']} failed, "
          f"{p['not_applicable']} n/a: {p['explanation']}")
assert rc == (1 if failed else 0), ("exit status", rc, failed)
PY
for s in ${servers//,/ }; do
    d=$tmp/logs/${s}_quire-probe/probe
    [ -s "$d/client/keys.log" ] || fail "$s: no key log from the probe"
    # exit 1 is expected: the spec rules see the probe's deliberate violations
    trc=0
    "$quire" trace "$d/sim/trace_node_left.pcap" --keylog "$d/client/keys.log" --json \
        >"$tmp/trace.json" 2>"$tmp/trace.err" || trc=$?
    [ "$trc" -le 1 ] || fail "$s: quire trace exited $trc: $(head -c 300 "$tmp/trace.err")"
    n=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["summary"]["decrypted"])' "$tmp/trace.json")
    [ "$n" -ge 10 ] || fail "$s: quire trace decrypted $n packets of the probe's capture"
    echo "ok: $s: the probe's capture decodes ($n packets decrypted)"
done
grep -q "^### Probe" "$tmp/logs/result.md" || fail "result.md has no probe table"
grep -q "| quire-probe |" "$tmp/logs/result.md" || fail "result.md's probe table has no row"
grep -q 'id="probe"' "$tmp/r.html" || fail "the HTML page has no probe table"
grep -q '<testsuite name="quire.probe"' "$tmp/j.xml" || fail "the JUnit file has no probe suite"
grep -q "quire: probe: " "$tmp/out" || fail "no probe summary line"
expect_no_leftovers

# a server that answers 127 to every test case: its probe is unsupported
mv "$tmp/logs" "$tmp/logs-probe"
run_id=${run_id}u
qrun -s unsupported -c unsupported -t handshake --probe
python3 - "$tmp/logs/result.json" <<'PY' || fail "the 127 server's probe is not unsupported"
import json, sys
p = json.load(open(sys.argv[1]))["probe"]["unsupported"]
assert p["result"] == "unsupported", p
PY
echo "ok: a server answering 127 has an unsupported probe"
expect_no_leftovers

# quire probe -s IMPL: the same test bed for one server and a few cases, nothing else run
run_id=${run_id}i
set +e
"$quire" probe -s "$client" -t tp_duplicate,vn_small --json "$tmp/p.json" -l "$tmp/logs-impl" \
    --implementations "$src/implementations.json" --run-id "$run_id" >"$tmp/pout" 2>"$tmp/perr"
prc=$?
set -e
[ "$prc" = 0 ] || [ "$prc" = 1 ] || fail "quire probe -s $client exited $prc: $(tail -3 "$tmp/perr")"
python3 - "$tmp/logs-impl/result.json" "$tmp/p.json" "$tmp/pout" "$client" "$prc" <<'PY' || fail "quire probe -s $client"
import json, sys
r, p, out, s, rc = json.load(open(sys.argv[1])), json.load(open(sys.argv[2])), open(sys.argv[3]).read(), sys.argv[4], int(sys.argv[5])
assert r["clients"] == [] and r["tests"] == {} and r["results"] == [], "the run ran more than the probe"
assert list(r["probe"]) == [s], r["probe"].keys()
names = [c["name"] for c in p["cases"]]
assert names == ["handshake", "tp_duplicate", "vn_small"], names
for c in p["cases"]:
    tag = {"passed": "PASS", "failed": "FAIL"}.get(c["verdict"], "N/A ")
    assert f"{tag} {c['name']}" in out, (c["name"], out)
failed = [c["name"] for c in p["cases"] if c["verdict"] == "failed"]
assert r["probe"][s]["failed_cases"] == failed, (r["probe"][s], failed)
assert rc == (1 if failed else 0), ("exit status", rc, failed)
print(f"ok: quire probe -s {s}: {', '.join(c['name'] + ' ' + c['verdict'] for c in p['cases'])}")
PY
expect_no_leftovers
set +e
"$quire" probe -s no-such-impl --implementations "$src/implementations.json" >/dev/null 2>"$tmp/perr"
prc=$?
set -e
[ "$prc" = 2 ] && grep -q "no-such-impl" "$tmp/perr" && grep -q "implementations.json" "$tmp/perr" \
    || fail "quire probe -s no-such-impl: exit $prc, $(cat "$tmp/perr")"
echo "ok: an unknown implementation is named, with the file, and exits 2"
