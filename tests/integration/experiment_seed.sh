#!/usr/bin/env bash
# PANTHER's own mvfst examples (experiments/seed/, the seed's "Usage Examples" unchanged):
# they validate as written (docker_compose); without QUIRE_MVFST_BIN a run stops with one line
# naming it. Then the files run for real with a stand-in in mvfst's place (QUIRE_MVFST_BIN: a
# Python echo server that lists gflags like the echo sample): with type: netns under
# gperf_cpu + gperf_heap (the seed's high-performance example plus the heap profiler) and gdb
# (the security example), and — where a Docker engine answers — the three files as written,
# every service a container of the container test bed (docker_compose), the security example
# under gdb. The profiles, their google-pprof --text summaries and gdb's backtrace must exist
# and be sensible.
set -euo pipefail
src=${QUIRE_SOURCE_DIR:-$(cd "$(dirname "$0")/../.." && pwd)}
quire=${QUIRE_BIN:-$src/build/quire}
[ -x "$quire" ] || { echo "SKIP: $quire missing"; exit 77; }
tmp=$(mktemp -d "/tmp/quire-expseed-$$-XXXXXX")
trap 'rm -rf "$tmp"' EXIT
export QUIRE_SOURCE_DIR=$src
seed=$src/experiments/seed
fail() { echo "FAIL: $*"; exit 1; }

for f in basic-server high-performance security-analysis; do
    out=$("$quire" experiment validate "$seed/$f.yaml" 2>&1) || fail "validate $f (unchanged): $out"
    sed 's/"docker_compose"/"netns"/' "$seed/$f.yaml" >"$tmp/$f.yaml"
    "$quire" experiment validate "$tmp/$f.yaml" >/dev/null || fail "$f with netns does not validate"
done
echo "ok: the seed's examples validate as written (docker_compose) and with netns"

# No mvfst: one clear line naming QUIRE_MVFST_BIN.
set +e
out=$(env -u QUIRE_MVFST_BIN "$quire" experiment run -o "$tmp/none" "$tmp/basic-server.yaml" 2>&1)
set -e
printf '%s\n' "$out" | grep -q "QUIRE_MVFST_BIN" || fail "no line naming QUIRE_MVFST_BIN: $out"
echo "ok: without QUIRE_MVFST_BIN: $(printf '%s\n' "$out" | grep -m1 QUIRE_MVFST_BIN)"

for t in gdb google-pprof; do
    command -v $t >/dev/null || { echo "SKIP: $t missing (scripts/deps/experiment.list)"; exit 77; }
done
[ -e /usr/lib/x86_64-linux-gnu/libprofiler.so.0 ] || [ -e /usr/lib/aarch64-linux-gnu/libprofiler.so.0 ] ||
    { echo "SKIP: libgoogle-perftools4 missing (scripts/deps/experiment.list)"; exit 77; }
[ "$(id -u)" = 0 ] || { echo "SKIP: needs root (network namespaces)"; exit 77; }
py=$(python3 -c 'import sys; print(sys.executable)' 2>/dev/null) || { echo "SKIP: no python3"; exit 77; }

cat >"$tmp/standin" <<STANDIN
#!$py
# mvfst's echo sample stand-in: --helpfull lists its gflags; as a server it burns CPU and
# a bounded 16 MB (for the profilers) for at most a second, then echoes UDP on --host/--port
# until SIGTERM, on which it exits normally (gperftools writes its profiles at exit).
import signal, socket, sys, time
args = dict(a[2:].split("=", 1) for a in sys.argv[1:] if a.startswith("--") and "=" in a)
if "--helpfull" in sys.argv:
    for f in ("host", "port", "mode", "congestion"):
        print('    -%s (%s) type: string default: ""' % (f, f))
    sys.exit(1)
signal.signal(signal.SIGTERM, lambda *a: sys.exit(0))
keep, t0 = [], time.time()
while time.time() - t0 < 1.0:
    if len(keep) < 20000:  # 800-byte strings: above pymalloc's 512, so malloc's
        keep.append(str(len(keep)).zfill(8) * 100)
    else:
        sum(i * i for i in range(1000))
host = args.get("host", "::")
s = socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET, socket.SOCK_DGRAM)
s.bind((host, int(args.get("port", "6666"))))
while True:
    data, peer = s.recvfrom(65536)
    s.sendto(data, peer)
STANDIN
chmod +x "$tmp/standin"
export QUIRE_MVFST_BIN=$tmp/standin

# High-performance example: gperf_cpu as written, gperf_heap added.
sed -i 's/^      - type: "gperf_cpu"$/&\n      - type: "gperf_heap"/' "$tmp/high-performance.yaml"
grep -q gperf_heap "$tmp/high-performance.yaml" || fail "could not add gperf_heap"
"$quire" experiment run -o "$tmp/perf" "$tmp/high-performance.yaml"
d=$tmp/perf/mvfst-performance-test/1/mvfst_server
fail() { echo "FAIL: $*"; echo "--- the run's files:"; ls -la "$d" || true; tail -n 20 "$d/../"*.log "$d"/*.log 2>/dev/null || true; exit 1; }
grep -q "0 skipped" "$tmp/perf/report.md" || fail "performance run skipped: $(cat "$tmp/perf/report.md")"
ls "$d"/gperf_cpu.prof* >/dev/null 2>&1 || fail "no CPU profile in $d"
ls "$d"/gperf_heap*.heap >/dev/null 2>&1 || fail "no heap profile in $d"
grep -q "^Total: [1-9][0-9]* samples" "$d/gperf_cpu.txt" || fail "gperf_cpu.txt: $(head -5 "$d/gperf_cpu.txt")"
grep -q "python" "$d/gperf_cpu.txt" || fail "gperf_cpu.txt not symbolised against the stand-in's python"
grep -q "^Total: [0-9.]* MB" "$d/gperf_heap.txt" || fail "gperf_heap.txt: $(head -5 "$d/gperf_heap.txt")"
[ "$(grep -c '%' "$d/gperf_heap.txt")" -ge 2 ] || fail "gperf_heap.txt has no allocation sites"
echo "ok: gperf_cpu: $(grep -m1 '^Total' "$d/gperf_cpu.txt"); gperf_heap: $(grep -m1 '^Total' "$d/gperf_heap.txt")"

# Security example under gdb (its draft27-vuln1 version is a patched build; the stand-in
# takes the plugin's rfc9000 place).
sed -e 's/^    services:$/    execution_environment: [{type: gdb}]\n&/' -e 's/draft27-vuln1/rfc9000/' \
    "$tmp/security-analysis.yaml" >"$tmp/sec-gdb.yaml"
"$quire" experiment run -o "$tmp/gdb" "$tmp/sec-gdb.yaml"
g=$tmp/gdb/mvfst-security-analysis/1/mvfst_vulnerable/gdb.log
[ -s "$g" ] || fail "no gdb.log"
grep -q "Program received signal SIGTERM" "$g" || fail "gdb did not see the stop: $(tail -5 "$g")"
grep -q '^Thread 1 .*"standin"' "$g" || fail "no thread backtrace of the stand-in: $(tail -5 "$g")"
grep -q "^#0 .* in " "$g" || fail "no frames in gdb.log"
echo "ok: gdb: $(grep -c '^#' "$g") frames of $(grep -c '^Thread ' "$g") thread(s)"

# docker_compose: the files as written, the services as containers.
if ! docker info >/dev/null 2>&1; then
    echo "SKIP: docker_compose part: no Docker engine answers (the netns part passed)"
    exit 77
fi
"$quire" image build sim host >"$tmp/images.log" 2>&1 || { cat "$tmp/images.log"; fail "quire image build sim host"; }
"$quire" experiment run -o "$tmp/dc-basic" "$seed/basic-server.yaml"
d=$tmp/dc-basic/mvfst-server-test/1/mvfst_server
grep -q "container test bed" "$d/../runner.log" || fail "basic-server: not on the container test bed: $(head -5 "$d/../runner.log")"
grep -q "mvfst_server ready after" "$d/../runner.log" || fail "basic-server: the server was not ready in its container"
grep -q "0 skipped" "$tmp/dc-basic/report.md" || fail "basic-server skipped: $(cat "$tmp/dc-basic/report.md")"
echo "ok: docker_compose basic-server: $(grep -m1 'ready after' "$d/../runner.log" | sed 's/^\[[0-9]*\] //')"
"$quire" experiment run -o "$tmp/dc-perf" "$seed/high-performance.yaml"
d=$tmp/dc-perf/mvfst-performance-test/1/mvfst_server
grep -q "container test bed" "$d/../runner.log" || fail "high-performance: not on the container test bed"
grep -q "^Total: [1-9][0-9]* samples" "$d/gperf_cpu.txt" || fail "docker_compose gperf_cpu.txt: $(head -5 "$d/gperf_cpu.txt" 2>&1)"
grep -q "python" "$d/gperf_cpu.txt" || fail "docker_compose gperf_cpu.txt not symbolised against the stand-in's python"
echo "ok: docker_compose gperf_cpu: $(grep -m1 '^Total' "$d/gperf_cpu.txt")"
sed -e 's/^    services:$/    execution_environment: [{type: gdb}]\n&/' "$seed/security-analysis.yaml" >"$tmp/dc-sec.yaml"
"$quire" experiment run -o "$tmp/dc-gdb" "$tmp/dc-sec.yaml"
d=$tmp/dc-gdb/mvfst-security-analysis/1/mvfst_vulnerable
g=$d/gdb.log
grep -q "container test bed" "$d/../runner.log" || fail "security-analysis: not on the container test bed"
[ -s "$g" ] || fail "docker_compose: no gdb.log"
grep -q "^#0 .* in " "$g" || fail "docker_compose: no frames in gdb.log: $(tail -5 "$g")"
echo "ok: docker_compose gdb: $(grep -c '^#' "$g") frames of $(grep -c '^Thread ' "$g") thread(s)"
echo PASS
