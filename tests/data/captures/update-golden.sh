#!/bin/bash
# Rewrites the golden outputs next to each capture: NAME.txt (text, with the key log) and,
# for handshake, handshake.frames.json (--json --frames). Review the diff before committing:
# the differential test against tshark (tests/integration/trace_tshark.sh) is what vouches
# for the packet and frame contents.
set -eu
dir=$(cd "$(dirname "$0")" && pwd)
bin=${1:-$dir/../../../build/quire}
cd "$dir"
for cap in *.pcap; do
    name=${cap%.pcap}
    "$bin" trace "$cap" --keylog "$name.keys" > "$name.txt" || true
done
"$bin" trace handshake.pcap --keylog handshake.keys --json --frames > handshake.frames.json || true
"$bin" trace retry.pcap --keylog retry.keys --frames > retry.frames.txt || true
