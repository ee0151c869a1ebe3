#!/usr/bin/env bash
# ngtcp2 1.11 comes from Debian bookworm-backports (scripts/deps/backports.list): gtlsserver and
# gtlsclient speak HTTP/3 only. ngtcp2's examples also hold HTTP/0.9 (hq-interop) programs,
# which Debian does not package and upstream's build system only links against wolfSSL; this
# script compiles them (h09server.cc / h09client.cc with the GnuTLS TLS glue, like
# gtlsserver/gtlsclient) from Debian's own source of the installed libngtcp2-dev, against
# Debian's libngtcp2, libngtcp2-crypto-gnutls, GnuTLS, libev and libnghttp3 (for its buffer
# helpers), into bin/h09gtlsserver and bin/h09gtlsclient. No configure run: the few HAVE_*
# macros the examples test are Linux facts, given below. Nothing of the source is kept.
# The GnuTLS session glue is switched from ALPN h3 to hq-interop first (see below).
# Idempotent: nothing to do when bin/ holds programs built from the installed version.
# Without the h09 programs the endpoint still runs its h3 test cases (hq ones answer 127).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
bin=$here/bin

"$here/available" || exit 1
ver=$(dpkg-query -W -f='${source:Version}' libngtcp2-dev 2>/dev/null) || ver=
for p in libngtcp2-dev libngtcp2-crypto-gnutls-dev libnghttp3-dev libev-dev libgnutls28-dev g++ xz-utils; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || {
        echo "ngtcp2: hq-interop programs not built: package $p missing" >&2
        exit 1
    }
done
if [ -x "$bin/h09gtlsserver" ] && [ -x "$bin/h09gtlsclient" ] && [ "$here/install.sh" -ot "$bin/h09gtlsclient" ] &&
    [ "$(cat "$bin/.source-version" 2>/dev/null)" = "$ver hq-interop" ]; then
    echo "ngtcp2: $ver installed, h09 programs up to date ($bin)"
    exit 0
fi

tmp=$(mktemp -d "${TMPDIR:-/tmp}/quire-ngtcp2-build.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
start=$(date +%s)
# --tar-only: upstream's tarball is all we need (no dpkg-source, no Debian patches to apply:
# they touch packaging only).
(cd "$tmp" && apt-get source -qq --download-only --tar-only "ngtcp2=$ver") >"$tmp/fetch.log" 2>&1 || {
    cat "$tmp/fetch.log" >&2
    echo "ngtcp2: apt-get source ngtcp2=$ver failed (needs a deb-src line for its suite)" >&2
    exit 1
}
tar -C "$tmp" -xf "$tmp"/ngtcp2_*.orig.tar.*
src=$(echo "$tmp"/ngtcp2-*/)
ex=$src/examples
# Upstream's GnuTLS session glue hard-codes the "h3" ALPN (client offers only h3, server accepts
# only h3), so GnuTLS-built h09 programs would speak HTTP/0.9 under ALPN h3 and no other
# implementation's hq-interop endpoint would talk to them. These objects go into the h09
# programs only, so switch both files to hq-interop (HQ_ALPN_V1, defined next to H3_ALPN_V1 in
# shared.h) before compiling; fail when the pattern is gone (a new upstream layout).
for f in tls_client_session_gnutls.cc tls_server_session_gnutls.cc; do
    grep -q 'H3_ALPN_V1' "$ex/$f" || { echo "ngtcp2: $f no longer names H3_ALPN_V1; ALPN switch needs a look" >&2; exit 1; }
    sed -i 's/H3_ALPN_V1/HQ_ALPN_V1/g' "$ex/$f"
done

defs=(-DWITH_EXAMPLE_GNUTLS -DENABLE_EXAMPLE_GNUTLS -DHAVE_ARPA_INET_H -DHAVE_NETINET_IN_H
      -DHAVE_NETINET_IP_H -DHAVE_NETINET_UDP_H -DHAVE_SYS_SOCKET_H -DHAVE_LINUX_NETLINK_H
      -DHAVE_LINUX_RTNETLINK_H -DHAVE_ASM_TYPES_H)
common=(debug util shared util_gnutls tls_session_base_gnutls)
client=(h09client client_base tls_client_context_gnutls tls_client_session_gnutls "${common[@]}")
server=(h09server server_base http siphash tls_server_context_gnutls tls_server_session_gnutls "${common[@]}")
mkdir -p "$tmp/o"
# Two compilers at a time (CI has 2 cores); -O2 without debug info.
printf '%s\n' "${client[@]}" "${server[@]}" | sort -u | xargs -P 2 -I{} \
    g++ -std=c++20 -O2 -g0 -w "${defs[@]}" -I"$src/third-party" -I"$src/third-party/urlparse" \
        -I"$ex" -c "$ex/{}.cc" -o "$tmp/o/{}.o"
gcc -O2 -g0 -c "$src/third-party/urlparse/urlparse.c" -o "$tmp/o/urlparse.o"
gcc -O2 -g0 -I"$src/third-party" -c "$src/third-party/http-parser/http_parser.c" -o "$tmp/o/http_parser.o"
libs=(-lngtcp2 -lngtcp2_crypto_gnutls -lgnutls -lev -lnghttp3)
objs() { local f; for f in "$@" urlparse http_parser; do echo "$tmp/o/$f.o"; done; }
mkdir -p "$bin"
# shellcheck disable=SC2046
g++ -o "$bin/h09gtlsclient.new" $(objs "${client[@]}") "${libs[@]}"
# shellcheck disable=SC2046
g++ -o "$bin/h09gtlsserver.new" $(objs "${server[@]}") "${libs[@]}"
mv -f "$bin/h09gtlsclient.new" "$bin/h09gtlsclient"
mv -f "$bin/h09gtlsserver.new" "$bin/h09gtlsserver"
echo "$ver hq-interop" >"$bin/.source-version"
echo "ngtcp2: $ver installed; built $bin/h09gtlsserver and h09gtlsclient in $(( $(date +%s) - start )) s"
