#!/bin/sh
# Firefox comes from Debian (scripts/deps/firefox.list: firefox-esr, libnss3-tools); nothing to
# build. Checks that it is there and starts.
set -e
cd "$(dirname "$0")"
if ! ./available; then
    exit 1
fi
HOME=${TMPDIR:-/tmp} /usr/lib/firefox-esr/firefox-esr --version
