#!/usr/bin/env bash
# Installs everything quire needs to build, test and run its endpoints, on Debian 12 as root.
# Idempotent and quick when nothing is missing. Package lists live in scripts/deps/*.list (one
# per component, '#' comments allowed); each endpoint's endpoints/<name>/install.sh then builds
# or installs that implementation (offline-safe once done).
set -euo pipefail
cd "$(dirname "$0")/.."

if [ "$(id -u)" != 0 ]; then
    echo "install-deps: must run as root (apt-get install)" >&2
    exit 2
fi

export DEBIAN_FRONTEND=noninteractive
apt_install() { apt-get -o DPkg::Lock::Timeout=900 install -y -qq --no-install-recommends "$@"; }
# list_pkgs FILE...: the package names of the lists ('#' comments, any whitespace).
list_pkgs() { cat "$@" | sed 's/#.*//' | tr -s ' \t' '\n' | grep -v '^$' | sort -u; }
# missing_pkgs PKG...: those not installed.
missing_pkgs() {
    local p
    for p in "$@"; do
        dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || echo "$p"
    done
}

# bookworm-backports (ngtcp2 1.11, Go 1.23, quic-go 0.46's dependencies): a deb822 source with
# the URI and keyring of the machine's bookworm source. Its default priority (100) keeps
# everything else on bookworm; only scripts/deps/backports.list is installed from it, with
# -t bookworm-backports (so their dependencies may come from there too). deb-src as well: the
# ngtcp2 endpoint builds its HTTP/0.9 example programs from the backports source.
bp_src=/etc/apt/sources.list.d/bookworm-backports.sources
if [ ! -f "$bp_src" ]; then
    # "URI KEYRING" of the first deb822 stanza whose Suites include plain bookworm.
    read -r uri key < <(awk '
        function out() { if (hit && u != "" && !done) { print u, k; done = 1; exit } hit = 0; u = k = "" }
        /^[[:space:]]*$/ { out(); next }
        $1 == "URIs:" { u = $2 }
        $1 == "Signed-By:" { k = $2 }
        $1 == "Suites:" { for (i = 2; i <= NF; i++) if ($i == "bookworm") hit = 1 }
        END { out() }' /etc/apt/sources.list.d/*.sources 2>/dev/null) || true
    printf 'Types: deb deb-src\nURIs: %s\nSuites: bookworm-backports\nComponents: main\nSigned-By: %s\n' \
        "${uri:-http://deb.debian.org/debian}" "${key:-/usr/share/keyrings/debian-archive-keyring.gpg}" \
        >"$bp_src"
    echo "install-deps: added $bp_src"
    apt-get -o DPkg::Lock::Timeout=900 update -qq
fi

mapfile -t bp < <(list_pkgs scripts/deps/backports.list)
mapfile -t want < <(list_pkgs $(ls scripts/deps/*.list | grep -v '/backports\.list$'))
mapfile -t missing < <(missing_pkgs "${want[@]}")
# A backports package counts as missing while the installed one is bookworm's (older) version.
mapfile -t bp_missing < <(for p in "${bp[@]}"; do
    # || true: this loop runs in a process substitution, which inherits set -e, and dpkg-query
    # fails for a package it has never seen (a fresh machine).
    v=$(dpkg-query -W -f='${Status} ${Version}' "$p" 2>/dev/null || true)
    case "$v" in "install ok installed "*bpo*) ;; *) echo "$p" ;; esac
done)
if [ ${#missing[@]} -gt 0 ] || [ ${#bp_missing[@]} -gt 0 ]; then
    apt-get -o DPkg::Lock::Timeout=900 update -qq
fi
if [ ${#missing[@]} -gt 0 ]; then
    echo "install-deps: installing ${missing[*]}"
    apt_install "${missing[@]}"
fi
if [ ${#bp_missing[@]} -gt 0 ]; then
    echo "install-deps: installing from bookworm-backports: ${bp_missing[*]}"
    apt_install -t bookworm-backports "${bp_missing[@]}"
fi

status=0
for script in endpoints/*/install.sh; do
    [ -f "$script" ] || continue
    name=$(basename "$(dirname "$script")")
    echo "install-deps: endpoint $name"
    t0=$SECONDS
    if ! bash "$script"; then
        echo "install-deps: endpoint $name failed to install (it will be listed as not runnable)" >&2
        status=1
    fi
    echo "install-deps: endpoint $name took $((SECONDS - t0)) s" # docs/endpoints.md's install times
done
# An endpoint that cannot be installed is not fatal for quire itself.
exit 0
