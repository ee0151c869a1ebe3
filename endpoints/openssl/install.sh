#!/usr/bin/env bash
# Builds quire's OpenSSL QUIC endpoint: OpenSSL 4.0.3 from the openssl-src crate's source
# (crates.io, pinned in source/Cargo.toml and source/Cargo.lock) as static libraries into dist/,
# then the C adapter src/*.c into bin/quire-openssl, linked statically against them.
# Idempotent: OpenSSL is built once (dist/.stamp records version and options); the adapter is
# recompiled every time (a few seconds). Offline once the crate is in cargo's cache.
set -euo pipefail
cd "$(dirname "$0")"
here=$(pwd)
jobs=${QUIRE_JOBS:-2}

# Libraries only, without what a QUIC endpoint over TLS 1.3 never uses: this halves the
# compile (the build is most of the install's time). unstable-qlog: qlog into $QLOGDIR.
options=(no-shared no-docs no-tests no-apps no-demos no-h3demo no-hqinterop no-dso no-module
    no-legacy no-fips no-comp no-srp no-gost no-idea no-mdc2 no-rc2 no-rc4 no-rc5 no-md2 no-md4
    no-seed no-sm2 no-sm3 no-sm4 no-camellia no-aria no-cast no-bf no-whirlpool no-cms no-ts
    no-ocsp no-cmp no-ct no-srtp no-sctp no-dtls no-ssl3 no-tls1 no-tls1_1 no-slh-dsa no-lms
    no-ec2m no-siv no-ocb no-scrypt no-argon2 no-sshkdf no-snmpkdf no-srtpkdf no-krb5kdf
    no-pvkkdf no-rfc3779 no-ui-console enable-unstable-qlog)
crate_version=400.0.2+4.0.3
stamp="$crate_version ${options[*]}"

. ../cargo.inc
cargo=$(find_cargo)

if [ ! -f dist/.stamp ] || [ "$(cat dist/.stamp)" != "$stamp" ] ||
    [ ! -f dist/lib/libssl.a ] || [ ! -f dist/lib/libcrypto.a ]; then
    if [ -z "$cargo" ]; then
        echo "openssl/install.sh: cargo not found (needed to fetch the openssl-src crate; set CARGO)" >&2
        exit 1
    fi
    export PATH="$(dirname "$cargo"):$PATH"
    echo "openssl/install.sh: $cargo fetch (openssl-src $crate_version)"
    (cd source && { "$cargo" fetch --locked || "$cargo" fetch --locked --offline; })
    manifest=$(cd source && "$cargo" metadata --format-version 1 --locked --offline |
        python3 -c 'import json, sys
print(next(p["manifest_path"] for p in json.load(sys.stdin)["packages"] if p["name"] == "openssl-src"))')
    src="$(dirname "$manifest")/openssl"
    test -x "$src/Configure"
    command -v perl >/dev/null || { echo "openssl/install.sh: perl is needed to configure OpenSSL" >&2; exit 1; }
    rm -rf build dist
    mkdir -p build
    start=$(date +%s)
    echo "openssl/install.sh: Configure ${options[*]} (log: build/configure.log)"
    # Out of tree: the registry's copy stays untouched. -O2 without -g keeps objects small.
    (cd build && "$src/Configure" linux-x86_64 --prefix="$here/dist" --libdir=lib \
        "${options[@]}" -O2 >configure.log 2>&1) || { tail -20 build/configure.log >&2; exit 1; }
    echo "openssl/install.sh: make -j$jobs build_libs install_dev (log: build/make.log)"
    (cd build && make -j"$jobs" build_libs >make.log 2>&1 && make install_dev >>make.log 2>&1) ||
        { tail -30 build/make.log >&2; exit 1; }
    echo "$stamp" >dist/.stamp
    rm -rf build
    echo "openssl/install.sh: OpenSSL built in $(($(date +%s) - start)) s"
fi

cc=${CC:-cc}
mkdir -p bin
echo "openssl/install.sh: $cc src/*.c -> bin/quire-openssl"
"$cc" -std=c11 -O2 -Wall -Wextra -Idist/include -o bin/quire-openssl.tmp src/*.c \
    dist/lib/libssl.a dist/lib/libcrypto.a -pthread
mv bin/quire-openssl.tmp bin/quire-openssl
