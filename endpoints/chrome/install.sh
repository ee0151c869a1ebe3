#!/bin/sh
# Chromium comes from Debian (scripts/deps/quinn-chromium.list); nothing to build. Checks it.
set -e
cd "$(dirname "$0")"
if ! ./available; then
    exit 1
fi
/usr/lib/chromium/chromium --version
