# Helpers for tests/integration/run_*.sh (sourced). Each test names its run (--run-id) and its
# directories after its own pid, and checks for leftovers of that run only.
set -euo pipefail
src=${QUIRE_SOURCE_DIR:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}
quire=${QUIRE_BIN:-$src/build/quire}
impls=$src/tests/endpoints/implementations.json
tmp=

skip() { echo "SKIP: $*"; exit 77; }
fail() { echo "FAIL: $*"; [ -n "$tmp" ] && [ -f "$tmp/out" ] && tail -n 30 "$tmp/out"; exit 1; }

require_root() {
    [ "$(id -u)" = 0 ] || skip "needs root (network namespaces)"
    [ -x "$quire" ] || skip "quire binary $quire missing"
}
require_quicgo() {
    local why
    why=$("$src/endpoints/quic-go/available" 2>&1) || skip "quic-go endpoint not runnable: $why"
}

# A fresh run id and temp dir for this test; removed (with anything the run left) on exit.
setup_run() {
    run_id=t$$_$1
    tmp=$(mktemp -d "/tmp/quire-runtest-$$-XXXXXX")
    trap 'cleanup_run' EXIT
}
cleanup_run() {
    local rc=$?
    "$quire" clean --run "$run_id" >/dev/null 2>&1 || true
    rm -rf "$tmp"
    exit $rc
}

# quire run with the test implementations; output to $tmp/out; exit code in $run_rc.
qrun() {
    set +e
    "$quire" run --implementations "$impls" --run-id "$run_id" -l "$tmp/logs" "$@" >"$tmp/out" 2>&1
    run_rc=$?
    set -e
}

# The verdict of (server, client, test) in a result.json.
verdict() {
    python3 - "$1" "$2" "$3" "$4" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))
s, c, t = sys.argv[2], sys.argv[3], sys.argv[4]
row = r["results"][r["clients"].index(c) * len(r["servers"]) + r["servers"].index(s)]
for cell in row:
    if cell["abbr"] == t or cell["name"] == t:
        print(cell["result"], "|", cell.get("explanation", ""))
        break
PY
}
expect_verdict() { # file server client test want
    local got
    got=$(verdict "$1" "$2" "$3" "$4")
    case "$got" in
    "$5 "*) echo "ok: $2→$3 $4: $got" ;;
    *) fail "$2→$3 $4: expected $5, got '$got'" ;;
    esac
}

# Nothing of this run left: no namespace, no state dir, no process running a fake endpoint
# of this source tree (found by its working directory), no mount of the test's directory.
expect_no_leftovers() {
    local ns procs
    ns=$(ip netns list 2>/dev/null | grep -c "^quire-${run_id}-" || true)
    [ "$ns" = 0 ] || fail "$ns namespaces of run $run_id left: $(ip netns list | grep "^quire-${run_id}-" | tr '\n' ' ')"
    [ ! -e "/run/quire/$run_id" ] || fail "state dir /run/quire/$run_id left"
    procs=$(for p in /proc/[0-9]*; do
        cwd=$(readlink "$p/cwd" 2>/dev/null) || continue
        case "$cwd" in "$src/tests/endpoints/"*) echo "${p#/proc/}" ;; esac
    done)
    [ -z "$procs" ] || fail "processes of the fake endpoints left: $procs"
    if grep -q "$tmp" /proc/self/mountinfo; then fail "mounts under $tmp left"; fi
    # the endpoints' limits: tmpfs /downloads and pids cgroups, named like the namespaces
    if grep -q " quire-${run_id}-" /proc/self/mountinfo; then fail "tmpfs of run $run_id left"; fi
    local cg
    cg=$(find /sys/fs/cgroup -maxdepth 4 -type d -name "quire-${run_id}-*" 2>/dev/null | head -n 3)
    [ -z "$cg" ] || fail "cgroups of run $run_id left: $cg"
    echo "ok: nothing left of run $run_id"
}
