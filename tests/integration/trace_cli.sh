#!/bin/bash
# `quire trace` as a command: documented exit codes (0 all decoded, 1 undecryptable or
# malformed or cut short, 2 bad usage or unusable input), error messages naming the file and
# the frame, --conn filtering, and the --export-pcapng round trip (the exported file decrypts
# without a key log, in quire and in tshark).
set -u
src=${QUIRE_SOURCE_DIR:-$(cd "$(dirname "$0")/../.." && pwd)}
bin=${QUIRE_BIN:-$src/build/quire}
caps=$src/tests/data/captures
tmp=$(mktemp -d /tmp/quire-trace-cli.$$.XXXX)
trap 'rm -rf "$tmp"' EXIT
fail=0
expect() { # expected-rc description command...
    local want=$1 what=$2; shift 2
    "$@" > "$tmp/out" 2> "$tmp/err"
    local rc=$?
    if [ $rc -ne "$want" ]; then
        echo "FAIL: $what: exit $rc, expected $want"; cat "$tmp/err"; fail=1
    else
        echo "ok: $what (exit $rc)"
    fi
}
has() { # pattern file description
    grep -q -- "$1" "$2" && echo "ok: $3" || { echo "FAIL: $3: no '$1' in:"; cat "$2"; fail=1; }
}
expect 0 "decodes with the key log" "$bin" trace "$caps/handshake.pcap" --keylog "$caps/handshake.keys"
expect 1 "without a key log" "$bin" trace "$caps/handshake.pcap"
has "undecryptable" "$tmp/err" "says what was not decrypted"
expect 2 "missing capture" "$bin" trace "$tmp/none.pcap"
has "none.pcap" "$tmp/err" "names the missing file"
head -c 5000 /dev/urandom > "$tmp/garbage.pcap"
expect 2 "garbage capture" "$bin" trace "$tmp/garbage.pcap"
has "not a readable pcap" "$tmp/err" "says it is not a capture"
expect 2 "missing key log" "$bin" trace "$caps/handshake.pcap" --keylog "$tmp/none.keys"
expect 2 "no capture given" "$bin" trace
expect 2 "unknown option" "$bin" trace "$caps/handshake.pcap" --bogus
expect 2 "bad --conn" "$bin" trace "$caps/handshake.pcap" --conn xyz
size=$(stat -c %s "$caps/keyupdate.pcap")
head -c $((size - 100)) "$caps/keyupdate.pcap" > "$tmp/cut.pcap"
expect 1 "capture cut inside a record" "$bin" trace "$tmp/cut.pcap" --keylog "$caps/keyupdate.keys"
has "frame 48" "$tmp/err" "names the frame where the file ends"
expect 0 "--conn by number" "$bin" trace "$caps/resumption.pcap" --keylog "$caps/resumption.keys" --conn 1 --json --frames
python3 -c "
import json,sys; d=json.load(open('$tmp/out'))
assert [c['index'] for c in d['connections']] == [1], d['connections']
assert d['packets'] and all(p.get('connection') == 1 for p in d['packets'])
" && echo "ok: --conn 1 keeps connection 1 only" || { echo "FAIL: --conn 1"; fail=1; }
cid=$(python3 -c "import json; print(json.load(open('$tmp/out'))['connections'][0]['server_cids'][-1])")
expect 0 "--conn by connection ID" "$bin" trace "$caps/resumption.pcap" --keylog "$caps/resumption.keys" --conn "$cid" --json
python3 -c "import json; d=json.load(open('$tmp/out')); assert [c['index'] for c in d['connections']] == [1]" \
    && echo "ok: --conn $cid selects connection 1" || { echo "FAIL: --conn CID"; fail=1; }
expect 0 "--export-pcapng" "$bin" trace "$caps/keyupdate.pcap" --keylog "$caps/keyupdate.keys" --export-pcapng "$tmp/x.pcapng"
expect 0 "exported file decrypts without --keylog" "$bin" trace "$tmp/x.pcapng"
if command -v tshark >/dev/null; then
    n=$(tshark -r "$tmp/x.pcapng" -Y "quic.decryption_failed" 2>/dev/null | wc -l)
    m=$(tshark -r "$tmp/x.pcapng" -Y "quic.frame_type >= 8 && quic.frame_type <= 15" 2>/dev/null | wc -l)
    [ "$n" -eq 0 ] && [ "$m" -gt 0 ] && echo "ok: tshark decrypts the export ($m packets with STREAM)" \
        || { echo "FAIL: tshark on the export: $n failed, $m with STREAM"; fail=1; }
fi
for cap in "$caps"/*.pcap; do
    "$bin" trace "$cap" --keylog "${cap%.pcap}.keys" --json --frames > "$tmp/all.json" 2>/dev/null
    python3 -c "
import json, sys
d = json.load(open('$tmp/all.json'))
s = d['summary']
assert s['quic_packets'] == len([p for p in d['packets'] if 'type' in p])
assert s['quic_packets'] == sum(s['long_types'].values()) + s['short']
assert s['decrypted'] + s['undecryptable'] + s['long_types']['retry'] + s['long_types']['version_negotiation'] == s['quic_packets']
assert sum(s['frames'].values()) == sum(len(p.get('frames', [])) for p in d['packets'])
" && echo "ok: $(basename "$cap"): JSON parses and its counts add up" \
      || { echo "FAIL: $(basename "$cap"): JSON"; fail=1; }
done
exit $fail
