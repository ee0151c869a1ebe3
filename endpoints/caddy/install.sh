#!/usr/bin/env bash
# caddy comes from Debian (scripts/deps/endpoints.list); nothing to build.
set -eu
"$(dirname "$0")/available"
echo "caddy: $(caddy version) installed"
