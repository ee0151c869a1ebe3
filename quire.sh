#!/usr/bin/env bash
# The two set-up commands of the README:
#   ./quire.sh run [quire run options]   install dependencies and build if needed, run the matrix
#   ./quire.sh test                      install dependencies and build if needed, run every test
# Also: ./quire.sh build, ./quire.sh deps, ./quire.sh <any quire command> [args].
set -euo pipefail
top=$(cd "$(dirname "$0")" && pwd)
cd "$top"
build=${QUIRE_BUILD_DIR:-$top/build}
jobs=$(nproc)

deps() {
    # Re-run the install script when its inputs changed since the last successful run.
    local stamp="$build/.deps-stamp" sum
    sum=$(cat scripts/install-deps.sh scripts/deps/*.list endpoints/*/install.sh 2>/dev/null | sha256sum | cut -c1-16)
    if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$sum" ]; then return; fi
    bash scripts/install-deps.sh
    mkdir -p "$build"
    echo "$sum" >"$stamp"
}

build() {
    cmake -S . -B "$build" -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
    cmake --build "$build" -j "$jobs"
}

build_asan() {
    cmake -S . -B "$build-asan" -DCMAKE_BUILD_TYPE=Debug -DQUIRE_SANITIZE=ON >/dev/null
    cmake --build "$build-asan" -j "$jobs"
}

cmd=${1:-run}
[ $# -gt 0 ] && shift
case "$cmd" in
deps) deps ;;
build) deps; build ;;
test)
    deps
    build
    build_asan
    echo "== unit and fuzz-replay tests with ASan+UBSan"
    (cd "$build-asan" && ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1 \
        ctest --output-on-failure -L 'unit|fuzz' -j "$jobs")
    echo "== all tests (unit, fuzz replay, integration)"
    (cd "$build" && ctest --output-on-failure "$@")
    ;;
run)
    deps
    build
    # As many tests at a time as the machine's measured load allows (at least one per core),
    # unless told otherwise: each test has its own namespaces, and most wait on a 10 Mbit/s
    # link, not on a CPU (docs/matrix.md). The previous run's durations order the work.
    jobs=()
    case " $* " in
    *" --jobs"* | *" --qir-addresses"*) ;;
    *) jobs=(--jobs auto) ;;
    esac
    # Test cases a side supports only over HTTP/3 (ngtcp2's and the browsers' programs) run
    # over h3 where QIR's hq-interop finds no common protocol, marked "over h3".
    case " $* " in
    *" --alpn"*) ;;
    *) jobs+=(--alpn auto) ;;
    esac
    case " $* " in
    *" --durations"* | *" --resume"* | *" --rerun-failed"*) ;;
    *)
        # (|| true: on a fresh machine there is none, and ls fails under pipefail.)
        prev=$(ls -1d "${QUIRE_LOGS_PARENT:-.}"/logs_*/result.json 2>/dev/null | tail -n 1 || true)
        if [ -n "$prev" ]; then
            echo "quire.sh: the work is ordered by the durations in $prev" >&2
            jobs+=(--durations "$prev")
        fi
        ;;
    esac
    exec "$build/quire" run "${jobs[@]}" "$@"
    ;;
*)
    deps
    build
    exec "$build/quire" "$cmd" "$@"
    ;;
esac
