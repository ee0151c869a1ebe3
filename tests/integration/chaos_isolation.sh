#!/usr/bin/env bash
# Isolation: endpoints (tests/endpoints/escape, as client and as server) try to write outside
# their mounts (/etc, /tmp, /var/tmp, /dev/shm, /root, $HOME, their own folder, /, a host
# sysctl, and the read-only /www and /certs), to gain mounts and namespaces, to reach the
# host's unix sockets (docker.sock) and the host's addresses (its global addresses, the docker
# bridge, 127.0.0.1 and ::1) over TCP and UDP, where a listener in the root namespace counts
# what arrives. With isolation (the default) none may succeed and the endpoints hold QIR's
# capabilities (Docker's default set + NET_ADMIN = 0xa80435fb); a control run with
# QUIRE_ISOLATION=off shows the test sees escapes. The run goes on; nothing is left.
. "$(dirname "$0")/../endpoints/run_common.bash"
require_root
require_quicgo
setup_run isol
tag=$$$RANDOM
home=$(mktemp -d /var/lib/quire-chaos-XXXXXX) # not under /tmp or /run: endpoints see it
echo "$tag" >"$home/tag"
port=$((40000 + RANDOM % 20000))
listener=
finish() {
    local rc=$?
    [ -n "$listener" ] && kill "$listener" 2>/dev/null
    rm -rf "$home"
    for d in /etc /tmp /var/tmp /dev/shm /root / "$src/tests/endpoints/escape"; do
        rm -f "$d"/quire-escape-"$tag"-*
    done
    "$quire" clean --run "$run_id" >/dev/null 2>&1 || true
    rm -rf "$tmp"
    exit $rc
}
trap finish EXIT
# what reaches the host from the endpoints, one line per arrival
python3 - "$port" "$tmp/arrivals" <<'PY' &
import select, socket, sys
port, out = int(sys.argv[1]), sys.argv[2]
socks = []
for fam, addr in ((socket.AF_INET, "0.0.0.0"), (socket.AF_INET6, "::")):
    for typ in (socket.SOCK_STREAM, socket.SOCK_DGRAM):
        s = socket.socket(fam, typ)
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        if fam == socket.AF_INET6:
            s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 1)
        s.bind((addr, port))
        if typ == socket.SOCK_STREAM:
            s.listen(16)
        socks.append(s)
open(out, "w").close()
while True:
    for s in select.select(socks, [], [], 1)[0]:
        if s.type == socket.SOCK_STREAM:
            c, peer = s.accept()
            c.close()
        else:
            _, peer = s.recvfrom(2048)
        with open(out, "a") as f:
            f.write(f"{s.type} {peer}\n")
PY
listener=$!
sleep 0.5
{
    for a in $(ip -o addr show scope global | awk '{print $4}' | cut -d/ -f1); do
        label=host; ip -o addr show dev docker0 2>/dev/null | grep -q " $a/" && label=docker-bridge
        echo "tcp $a $port $label"; echo "udp $a $port $label"
    done
    for a in 127.0.0.1 ::1; do echo "tcp $a $port loopback"; echo "udp $a $port loopback"; done
} >"$home/targets"
echo "targets: $(awk '{print $1"/"$4"/"$2}' "$home/targets" | tr '\n' ' ')"
# the endpoints (and quire's real ones) see this HOME; the fakes read their targets from it
HOME=$home qrun -s quic-go,escape -c escape,quic-go -t handshake --timeout 20 --jobs 1 -f yes \
    -n quic-go,escape
[ "$run_rc" = 1 ] || fail "quire run exited $run_rc, expected 1"
r=$tmp/logs/result.json
expect_verdict "$r" quic-go escape H failed
expect_verdict "$r" escape quic-go H failed
expect_verdict "$r" quic-go quic-go H succeeded
tried=0 succeeded=0
for role in client server; do
    case $role in client) f=$tmp/logs/quic-go_escape/handshake/client/escape.txt ;;
    server) f=$tmp/logs/escape_quic-go/handshake/server/escape.txt ;; esac
    [ -s "$f" ] || fail "no record of the $role's tries ($f)"
    n=$(grep -vc '^Cap' "$f"); s=$(grep -c 'SUCCEEDED' "$f" || true)
    tried=$((tried + n)); succeeded=$((succeeded + s))
    echo "$role: $n tries, $s succeeded"
    grep -v '^Cap' "$f" | sed 's/^/  /'
    grep -q "^write /www/.*Read-only file system" "$f" || fail "$role: /www not read-only"
    grep -q "^write /certs/.*Read-only file system" "$f" || fail "$role: /certs not read-only"
    grep -q "^CapEff:.*00000000a80435fb$" "$f" || fail "$role: capabilities $(grep CapEff "$f")"
done
found=0
for d in /etc /tmp /var/tmp /dev/shm /root / "$home" "$src/tests/endpoints/escape"; do
    for x in "$d"/quire-escape-"$tag"-*; do [ -e "$x" ] && { echo "ESCAPED: $x"; found=$((found + 1)); }; done
done
arrived=$(grep -c . "$tmp/arrivals" || true)
echo "isolation: $tried tries, $succeeded succeeded by the endpoints' own account; on the host: $found files, $arrived arrivals at the listener"
[ "$succeeded" = 0 ] || fail "$succeeded escapes succeeded"
[ "$found" = 0 ] || fail "$found files written outside the mounts"
[ "$arrived" = 0 ] || fail "$arrived connections or datagrams reached the host"
expect_no_leftovers
# control: without isolation the same tries get out, and this test sees it
rm -rf "$tmp/logs"
HOME=$home QUIRE_ISOLATION=off qrun -s quic-go -c escape -t handshake --timeout 20 -f yes -n quic-go,escape
f=$tmp/logs/quic-go_escape/handshake/client/escape.txt
s=$(grep -c 'SUCCEEDED' "$f" || true)
found=0
for d in /etc /tmp /root "$home"; do [ -e "$d/quire-escape-$tag-client" ] && found=$((found + 1)); done
arrived=$(grep -c . "$tmp/arrivals" || true)
echo "control (QUIRE_ISOLATION=off): $s tries succeeded, $found of 4 host files found, $arrived arrivals"
[ "$s" -ge 4 ] && [ "$found" = 4 ] || fail "the control run did not show the escapes"
grep -q "^CapEff:.*000001ffffffffff$\|^CapEff:.*0000003fffffffff$\|^CapEff:.*000001fffeffffff$" "$f" ||
    echo "note: control CapEff $(grep CapEff "$f")"
expect_no_leftovers
