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

mapfile -t want < <(cat scripts/deps/*.list | sed 's/#.*//' | tr -s ' \t' '\n' | grep -v '^$' | sort -u)
missing=()
for p in "${want[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
    echo "install-deps: installing ${missing[*]}"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

status=0
for script in endpoints/*/install.sh; do
    [ -f "$script" ] || continue
    name=$(basename "$(dirname "$script")")
    echo "install-deps: endpoint $name"
    if ! bash "$script"; then
        echo "install-deps: endpoint $name failed to install (it will be listed as not runnable)" >&2
        status=1
    fi
done
# An endpoint that cannot be installed is not fatal for quire itself.
exit 0
