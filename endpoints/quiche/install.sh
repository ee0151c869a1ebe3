#!/usr/bin/env bash
# Builds the quire-quiche endpoint (Cloudflare quiche 0.30 from crates.io, BoringSSL vendored
# by boring-sys and built with cmake; our adapter in src/) with cargo.
# Idempotent: cargo rebuilds only what changed; offline once the crates are in cargo's cache.
# Needs cmake, a C/C++ compiler and perl (BoringSSL), libclang (bindgen): scripts/deps.
set -euo pipefail
cd "$(dirname "$0")"

. ../cargo.inc
cargo=$(find_cargo)
if [ -z "$cargo" ]; then
    echo "quiche/install.sh: cargo not found (install Rust >= 1.88 with rustup, or set CARGO)" >&2
    exit 1
fi
for t in cmake c++ perl; do
    command -v "$t" >/dev/null || { echo "quiche/install.sh: $t not found (BoringSSL's build needs it)" >&2; exit 1; }
done
# rustup's cargo finds rustc next to itself only through PATH.
export PATH="$(dirname "$cargo"):$PATH"

jobs=${QUIRE_JOBS:-2}
# boring-sys runs cmake for BoringSSL: keep its parallelism at ours too.
export CMAKE_BUILD_PARALLEL_LEVEL=$jobs
echo "quiche/install.sh: $cargo build --release --locked -j$jobs"
if ! "$cargo" build --release --locked -j"$jobs"; then
    echo "quiche/install.sh: online build failed, trying --offline" >&2
    "$cargo" build --release --locked --offline -j"$jobs"
fi
test -x target/release/quire-quiche
