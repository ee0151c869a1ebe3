#!/usr/bin/env bash
# ngtcp2 comes from Debian (ngtcp2-server, ngtcp2-client in scripts/deps/endpoints.list);
# nothing to build. Fails when the programs are missing so install-deps reports it.
set -eu
"$(dirname "$0")/available"
echo "ngtcp2: $(dpkg-query -W -f='${Version}' ngtcp2-client 2>/dev/null) installed"
