#!/bin/bash
# Differential test of `quire trace` against tshark (issue 4): for every capture with a key
# log under tests/data/captures/, the QUIC packets per frame (count and type), the frame
# types of each frame, which packets decrypt, their packet numbers and key phases, STREAM
# stream IDs, ACK largest acknowledged, CRYPTO offsets and lengths, and the negotiated TLS
# cipher must be identical.
# Skipped (77) without tshark or python3.
set -eu
src=${QUIRE_SOURCE_DIR:-$(cd "$(dirname "$0")/../.." && pwd)}
bin=${QUIRE_BIN:-$src/build/quire}
command -v tshark >/dev/null || { echo "tshark missing: skipped"; exit 77; }
command -v python3 >/dev/null || { echo "python3 missing: skipped"; exit 77; }
tmp=$(mktemp -d /tmp/quire-trace-diff.$$.XXXX)
trap 'rm -rf "$tmp"' EXIT
fail=0 n=0
for cap in "$src"/tests/data/captures/*.pcap; do
    keys=${cap%.pcap}.keys
    [ -f "$keys" ] || continue
    # tshark 4.0 keeps the first ClientHello's random when a client answers a Retry with a
    # new ClientHello (aioquic does), so it decrypts nothing after the Retry; quire does
    # (tests/unit/test_trace.c checks that capture instead).
    # quicgo-c1-stuck is corrupted on purpose (handshakecorruption): tshark splits datagrams of
    # corrupted, unknown versions as if they were v1 and then fails on two client Initials that
    # quire authenticates (AEAD) and decrypts; tests/unit/test_facts.c checks it instead.
    case $(basename "$cap") in aioquic-retry.pcap | quicgo-c1-stuck.pcap) continue ;; esac
    n=$((n + 1))
    name=$(basename "$cap" .pcap)
    "$bin" trace "$cap" --keylog "$keys" --json --frames > "$tmp/$name.json" 2>/dev/null || true
    tshark -r "$cap" -o "tls.keylog_file:$keys" -Y quic -T fields -E separator='|' \
        -e frame.number -e quic.header_form -e quic.long.packet_type -e quic.version -e quic.long.packet_type_v2 \
        -e quic.frame_type -e quic.decryption_failed -e tls.handshake.ciphersuite \
        -e tls.handshake.type -e quic.packet_number -e quic.key_phase \
        -e quic.stream.stream_id -e quic.ack.largest_acknowledged -e quic.crypto.offset \
        -e quic.crypto.length > "$tmp/$name.tshark" 2>/dev/null
    if python3 - "$tmp/$name.json" "$tmp/$name.tshark" "$name" <<'PY'
import json, sys
ours = json.load(open(sys.argv[1]))
name = sys.argv[3]
FT = {0: "padding", 1: "ping", 2: "ack", 3: "ack", 4: "reset_stream", 5: "stop_sending", 6: "crypto",
      7: "new_token", 16: "max_data", 17: "max_stream_data", 18: "max_streams", 19: "max_streams",
      20: "data_blocked", 21: "stream_data_blocked", 22: "streams_blocked", 23: "streams_blocked",
      24: "new_connection_id", 25: "retire_connection_id", 26: "path_challenge", 27: "path_response",
      28: "connection_close", 29: "connection_close", 30: "handshake_done", 48: "datagram", 49: "datagram"}
for i in range(8, 16): FT[i] = "stream"
LT = {0: "initial", 1: "0rtt", 2: "handshake", 3: "retry"}
V2 = 0x6b3343cf
LT2 = {1: "initial", 2: "0rtt", 3: "handshake", 0: "retry"}  # RFC 9369 Section 3.2
KNOWN = {0x00000001, V2, 0xff00001d}
theirs, ciphers = {}, set()
for line in open(sys.argv[2]):
    f = line.rstrip("\n").split("|")
    frame = int(f[0])
    forms = [int(x) for x in f[1].split(",") if x]
    longs = [int(x) for x in f[2].split(",") if x]
    versions = [x for x in f[3].split(",") if x]
    longs2 = [int(x) for x in f[4].split(",") if x]
    types, unknown = [], 0
    for form in forms:
        if form == 0:
            types.append("1rtt")
        else:
            v = int((versions.pop(0) if versions else "") or "1", 16)
            lt = None
            if v == V2:
                lt = LT2[longs2.pop(0)] if longs2 else None
            elif v != 0 and longs:
                lt = LT[longs.pop(0)]
            if v == 0:
                types.append("version_negotiation")
            elif v not in KNOWN:
                # tshark decodes unknown versions as if they were v1; quire, like RFC 8999
                # asks, does not interpret them: an unknown_version packet, not decrypted
                types.append("unknown_version")
                unknown += 1
            else:
                types.append(lt)
    frames = [FT[int(x)] for x in f[5].split(",") if x] if not unknown else []
    failed = len([x for x in f[6].split(",") if x]) + unknown
    if f[7] and "2" in f[8].split(","):
        # the ServerHello's suite (the ClientHello lists several)
        ciphers.add(int(f[7].split(",")[-1], 16))
    pns = [int(x) for x in f[9].split(",") if x] if not unknown else []
    kps = [int(x in ("1", "True")) for x in f[10].split(",") if x]
    ints = lambda i: [int(x) for x in f[i].split(",") if x] if not unknown else []
    detail = (ints(11), ints(12), ints(13), ints(14))
    theirs[frame] = (types, frames, failed, pns, kps, detail)
mine = {}
for p in ours["packets"]:
    t, fr, fail, pns, kps, detail = mine.get(p["frame"], ([], [], 0, [], [], ([], [], [], [])))
    if "type" in p:
        t.append(p["type"])
        fr.extend(x["type"] for x in p["frames"])
        if not p["decrypted"] and p["type"] not in ("retry", "version_negotiation"):
            fail += 1
        if "pn" in p:
            pns.append(p["pn"])
        if "key_phase" in p:
            kps.append(p["key_phase"])
        for x in p["frames"]:
            if x["type"] == "stream": detail[0].append(x["stream_id"])
            if x["type"] == "ack": detail[1].append(x["largest"])
            if x["type"] == "crypto":
                detail[2].append(x["offset"])
                detail[3].append(x["length"])
    mine[p["frame"]] = (t, fr, fail, pns, kps, detail)
bad = 0
for frame in sorted(set(theirs) | set(mine)):
    a, b = theirs.get(frame), mine.get(frame)
    if a != b:
        bad += 1
        if bad <= 5: print(f"{name}: frame {frame}: tshark {a} quire {b}")
names = {0x1301: "TLS_AES_128_GCM_SHA256", 0x1302: "TLS_AES_256_GCM_SHA384", 0x1303: "TLS_CHACHA20_POLY1305_SHA256"}
if {names[c] for c in ciphers} != set(ours["summary"]["ciphers"]):
    bad += 1
    print(f"{name}: ciphers tshark {ciphers} quire {ours['summary']['ciphers']}")
pk = sum(len(v[0]) for v in theirs.values())
print(f"{name}: {len(theirs)} frames, {pk} QUIC packets, {'identical' if not bad else f'{bad} differences'}")
sys.exit(1 if bad else 0)
PY
    then :; else fail=1; fi
done
[ $n -gt 0 ] || { echo "no captures: skipped"; exit 77; }
exit $fail
