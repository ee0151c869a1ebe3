#!/usr/bin/env bash
# Builds the quire-quinn endpoint (hq-interop over quinn + rustls) from crates.io with cargo.
# Idempotent: cargo rebuilds only what changed; offline once the crates are in cargo's cache.
set -euo pipefail
cd "$(dirname "$0")"

. ../cargo.inc
cargo=$(find_cargo)
if [ -z "$cargo" ]; then
    echo "quinn/install.sh: cargo not found (install Rust >= 1.85 with rustup, or set CARGO)" >&2
    exit 1
fi
# rustup's cargo finds rustc next to itself only through PATH.
export PATH="$(dirname "$cargo"):$PATH"

jobs=${QUIRE_JOBS:-2}
echo "quinn/install.sh: $cargo build --release --locked -j$jobs"
if ! "$cargo" build --release --locked -j"$jobs"; then
    echo "quinn/install.sh: online build failed, trying --offline" >&2
    "$cargo" build --release --locked --offline -j"$jobs"
fi
test -x target/release/quire-quinn
