#!/usr/bin/env bash
# Fails when an endpoint that has an install script is not runnable after install-deps.sh:
# its integration tests would otherwise only be skipped, and a broken build would go unseen.
# Prints one line per endpoint. Usage: scripts/check-endpoints.sh [QUIRE_BIN]
set -uo pipefail
cd "$(dirname "$0")/.."
quire=${1:-build/quire}
[ -x "$quire" ] || { echo "check-endpoints: $quire missing (build first)" >&2; exit 2; }
list=$("$quire" list 2>&1) || { echo "check-endpoints: quire list failed: $list" >&2; exit 2; }
bad=0
for script in endpoints/*/install.sh; do
    name=$(basename "$(dirname "$script")")
    line=$(printf '%s\n' "$list" | awk -v n="$name" '$1 == n && NF >= 3 { print; exit }')
    if [ -z "$line" ]; then
        echo "check-endpoints: $name has an install script but no entry in implementations.json" >&2
        bad=1
    elif printf '%s\n' "$line" | grep -q ' runnable$'; then
        echo "check-endpoints: $name runnable"
    else
        echo "check-endpoints: $name NOT runnable: $line" >&2
        bad=1
    fi
done
exit $bad
