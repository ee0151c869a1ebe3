#!/bin/bash
# Differential test of `quire trace` against tshark on captures made now by real endpoints
# (issue 4): ngtcp2 (h3: transfer, key update, ChaCha20, Retry) and quic-go (hq-interop:
# transfer, key update, ChaCha20, Retry), each through namespaces of its own
# (bench/make-quic-capture.sh). The comparison itself (per capture frame: QUIC packet types,
# frame types, decryption success; TLS cipher) is tests/integration/trace_tshark.sh's, run over
# these captures instead of the shipped ones. Then the pcapng export: tshark, given the exported
# file and no key log, must decrypt exactly as much as with the key log.
# Skipped (77) when not root, or tshark / python3 / both endpoints are missing.
set -u
src=${QUIRE_SOURCE_DIR:-$(cd "$(dirname "$0")/../.." && pwd)}
bin=${QUIRE_BIN:-$src/build/quire}
[ "$(id -u)" -eq 0 ] || { echo "not root: skipped"; exit 77; }
for t in tshark python3; do command -v $t >/dev/null || { echo "$t missing: skipped"; exit 77; }; done
[ -x "$bin" ] || { echo "$bin missing: skipped"; exit 77; }
[ -f "$src/tests/integration/trace_tshark.sh" ] || { echo "trace_tshark.sh missing: skipped"; exit 77; }

tmp=$(mktemp -d /tmp/quire-trace-live.$$.XXXX)
trap 'rm -rf "$tmp"' EXIT
caps=$tmp/src/tests/data/captures
mkdir -p "$caps"
made=0 fail=0
for spec in ngtcp2:transfer ngtcp2:keyupdate ngtcp2:chacha20 ngtcp2:retry \
            quic-go:transfer quic-go:keyupdate quic-go:chacha20 quic-go:retry; do
    impl=${spec%%:*} tc=${spec#*:}
    out=$tmp/run-$impl-$tc
    "$src/bench/make-quic-capture.sh" "$impl" 300000 "$out" "$tc" >"$tmp/make.log" 2>&1
    rc=$?
    if [ $rc -eq 77 ]; then
        echo "$impl $tc: endpoint missing, not tested ($(tail -1 "$tmp/make.log"))"
        continue
    elif [ $rc -ne 0 ]; then
        echo "$impl $tc: capture failed:"; tail -5 "$tmp/make.log"
        fail=1
        continue
    fi
    cp "$out/capture.pcap" "$caps/$impl-$tc.pcap"
    cp "$out/keys.log" "$caps/$impl-$tc.keys"
    made=$((made + 1))
done
[ $made -gt 0 ] || { echo "no endpoint could make a capture: skipped"; exit 77; }

# The shared comparison over the fresh captures.
QUIRE_SOURCE_DIR=$tmp/src QUIRE_BIN=$bin bash "$src/tests/integration/trace_tshark.sh" || fail=1

# pcapng with a Decryption Secrets Block: decrypts in tshark without a key log.
if "$bin" trace --help 2>&1 | grep -q -- --export-pcapng; then
    : >"$tmp/empty.keys"
    for cap in "$caps"/*.pcap; do
        name=$(basename "$cap" .pcap)
        "$bin" trace "$cap" --keylog "${cap%.pcap}.keys" --export-pcapng "$tmp/$name.pcapng" \
            >/dev/null 2>"$tmp/export.err"
        if [ ! -s "$tmp/$name.pcapng" ]; then
            echo "$name: --export-pcapng wrote nothing: $(cat "$tmp/export.err")"
            fail=1
            continue
        fi
        count() { # QUIC packets, decryption failures, frames with a QUIC frame type
            tshark -r "$1" -o "tls.keylog_file:$2" -T fields -E occurrence=a \
                -e quic.header_form -e quic.decryption_failed -e quic.frame_type 2>/dev/null |
                awk -F'\t' '{p += split($1, a, ","); if ($2 != "") f++; if ($3 != "") t++}
                            END {print p + 0, f + 0, t + 0}'
        }
        with_keys=$(count "$cap" "${cap%.pcap}.keys")
        from_dsb=$(count "$tmp/$name.pcapng" "$tmp/empty.keys")
        without=$(count "$cap" "$tmp/empty.keys")
        if [ "$with_keys" != "$from_dsb" ] || [ "${with_keys#* }" = "${without#* }" ]; then
            echo "$name: pcapng DSB: tshark with key log [$with_keys], from DSB [$from_dsb], none [$without]"
            fail=1
        else
            echo "$name: pcapng DSB decrypts like the key log [packets failures frames: $from_dsb]"
        fi
    done
else
    echo "quire trace has no --export-pcapng yet: export not tested here"
fi
exit $fail
