#!/usr/bin/env bash
# Builds Tencent's TQUIC tools (tquic_client, tquic_server) from crates.io into
# endpoints/tquic/dist/bin with `cargo install --locked` (the crate's own Cargo.lock pins
# tquic 1.6.0 and its vendored BoringSSL, built with cmake + perl + g++; no Go needed).
# Idempotent: cargo install skips the build when the pinned version is already installed;
# offline once the crates are in cargo's cache.
set -euo pipefail
cd "$(dirname "$0")"

version=1.6.0
. ../cargo.inc
cargo=$(find_cargo)
if [ -z "$cargo" ]; then
    echo "tquic/install.sh: cargo not found (install Rust >= 1.70 with rustup, or set CARGO)" >&2
    exit 1
fi
for tool in cmake perl g++; do
    command -v "$tool" >/dev/null || { echo "tquic/install.sh: $tool missing (apt-get install cmake perl g++)" >&2; exit 1; }
done
# rustup's cargo finds rustc next to itself only through PATH.
export PATH="$(dirname "$cargo"):$PATH"

if [ -x dist/bin/tquic_client ] && [ -x dist/bin/tquic_server ] &&
   grep -q "tquic_tools $version" dist/.crates.toml 2>/dev/null; then
    echo "tquic/install.sh: tquic_tools $version already in dist/"
    exit 0
fi

# A test tool, not a product: no LTO, no debug info, parallel codegen keep the from-scratch
# build cheap on CI's 2 cores (the crate sets no profile of its own).
export CARGO_PROFILE_RELEASE_LTO=false CARGO_PROFILE_RELEASE_DEBUG=0 \
       CARGO_PROFILE_RELEASE_CODEGEN_UNITS=16 CARGO_PROFILE_RELEASE_INCREMENTAL=false
jobs=${QUIRE_JOBS:-2}
# BoringSSL's cmake build honours CMAKE_BUILD_PARALLEL_LEVEL; keep it at the same -j.
export CMAKE_BUILD_PARALLEL_LEVEL=$jobs
# cargo install builds in a temporary target dir it deletes afterwards: nothing but dist/ stays.
args=(install tquic_tools --version "$version" --locked --root "$PWD/dist" -j"$jobs" --force)
echo "tquic/install.sh: $cargo ${args[*]}"
if ! "$cargo" "${args[@]}"; then
    echo "tquic/install.sh: online build failed, trying --offline" >&2
    "$cargo" "${args[@]}" --offline
fi
test -x dist/bin/tquic_client && test -x dist/bin/tquic_server
