#!/usr/bin/env bash
# Builds quic-go's own QUIC Interop Runner endpoints (interop/server, interop/client) offline from
# Debian's source package golang-github-lucas-clemente-quic-go-dev with Debian's Go, into bin/.
# Idempotent: does nothing when both binaries are newer than every source file.
# One local fix, applied through `go build -overlay` (the Debian sources stay untouched): the
# client's versionnegotiation check looks for "No compatible QUIC version found" while quic-go
# 0.29 says "no compatible QUIC version found" (lower case), so the test could never pass.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
gocode=/usr/share/gocode
src=$gocode/src/github.com/lucas-clemente/quic-go
bin=$here/bin

if ! command -v go >/dev/null 2>&1 || [ ! -d "$src/interop" ]; then
    echo "quic-go: needs packages golang-go and golang-github-lucas-clemente-quic-go-dev" >&2
    exit 1
fi

# Up to date when both binaries exist and no source file under /usr/share/gocode is newer.
if [ -x "$bin/server" ] && [ -x "$bin/client" ] && [ "$here/install.sh" -ot "$bin/client" ]; then
    oldest=$bin/server
    [ "$bin/client" -nt "$bin/server" ] || oldest=$bin/client
    if [ -z "$(find -L "$gocode/src" -name '*.go' -newer "$oldest" -print -quit)" ]; then
        echo "quic-go: up to date ($bin)"
        exit 0
    fi
fi

tmp=$(mktemp -d "${TMPDIR:-/tmp}/quire-quicgo-build.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
mkdir -p "$bin" "$tmp/gopath" "$tmp/cache"

sed 's/"No compatible QUIC version found"/"no compatible QUIC version found"/' \
    "$src/interop/client/main.go" >"$tmp/client_main.go"
printf '{"Replace":{"%s":"%s"}}\n' "$src/interop/client/main.go" "$tmp/client_main.go" \
    >"$tmp/overlay.json"

export GO111MODULE=off GOPATH="$tmp/gopath:$gocode" GOPROXY=off GOFLAGS='' \
       GOCACHE="$tmp/cache" CGO_ENABLED=0
start=$(date +%s)
go build -trimpath -o "$bin/server.new" github.com/lucas-clemente/quic-go/interop/server
go build -trimpath -overlay "$tmp/overlay.json" -o "$bin/client.new" \
    github.com/lucas-clemente/quic-go/interop/client
mv -f "$bin/server.new" "$bin/server"
mv -f "$bin/client.new" "$bin/client"
echo "quic-go: built $bin/server and $bin/client in $(( $(date +%s) - start )) s"
