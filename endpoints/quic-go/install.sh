#!/usr/bin/env bash
# Builds quic-go's own QUIC Interop Runner endpoints (interop/server, interop/client) offline with
# Debian's Go (1.23, bookworm-backports) from Debian's quic-go 0.46 (bookworm-backports package
# golang-github-lucas-clemente-quic-go-dev, import path github.com/quic-go/quic-go), into bin/.
# That package is not installed: it declares Breaks: caddy (<< 2.6.2-8~) and bookworm's caddy
# is older, so apt would remove caddy. It is fetched with `apt-get download` and unpacked into
# bin/gocode; its dependencies come from /usr/share/gocode (scripts/deps/*.list).
# Idempotent: does nothing when both binaries are newer than install.sh and the unpacked source.
# One local fix, applied through `go build -overlay` (the sources stay untouched): the client's
# versionnegotiation check looks for "No compatible QUIC version found" while quic-go (still in
# 0.46) says "no compatible QUIC version found" (lower case), so the test could never pass.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
bin=$here/bin
pkg=golang-github-lucas-clemente-quic-go-dev
gocode=$bin/gocode
src=$gocode/usr/share/gocode/src/github.com/quic-go/quic-go

command -v go >/dev/null 2>&1 || { echo "quic-go: needs golang-go (bookworm-backports)" >&2; exit 1; }
if [ ! -d "$src/interop" ]; then
    mkdir -p "$bin"
    dl=$(mktemp -d "${TMPDIR:-/tmp}/quire-quicgo-deb.XXXXXX")
    (cd "$dl" && apt-get download -qq "$pkg/bookworm-backports") >"$dl/log" 2>&1 &&
        rm -rf "$gocode" && dpkg-deb -x "$dl"/"$pkg"_*.deb "$gocode" || {
        cat "$dl/log" >&2; rm -rf "$dl"
        echo "quic-go: apt-get download $pkg/bookworm-backports failed" >&2
        exit 1
    }
    rm -rf "$dl"
fi

# Up to date when both binaries exist and are newer than install.sh and the unpacked source.
if [ -x "$bin/server" ] && [ -x "$bin/client" ] && [ "$here/install.sh" -ot "$bin/client" ] &&
    [ -z "$(find "$src" -name '*.go' -newer "$bin/server" -print -quit)" ]; then
    echo "quic-go: up to date ($bin)"
    exit 0
fi

tmp=$(mktemp -d "${TMPDIR:-/tmp}/quire-quicgo-build.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
mkdir -p "$bin" "$tmp/gopath" "$tmp/cache"

sed 's/"No compatible QUIC version found"/"no compatible QUIC version found"/' \
    "$src/interop/client/main.go" >"$tmp/client_main.go"
printf '{"Replace":{"%s":"%s"}}\n' "$src/interop/client/main.go" "$tmp/client_main.go" \
    >"$tmp/overlay.json"

export GO111MODULE=off GOPATH="$tmp/gopath:$gocode/usr/share/gocode:/usr/share/gocode" GOPROXY=off GOFLAGS='' \
       GOCACHE="$tmp/cache" CGO_ENABLED=0
start=$(date +%s)
go build -trimpath -o "$bin/server.new" github.com/quic-go/quic-go/interop/server
go build -trimpath -overlay "$tmp/overlay.json" -o "$bin/client.new" \
    github.com/quic-go/quic-go/interop/client
mv -f "$bin/server.new" "$bin/server"
mv -f "$bin/client.new" "$bin/client"
echo "quic-go: built $bin/server and $bin/client in $(( $(date +%s) - start )) s"
