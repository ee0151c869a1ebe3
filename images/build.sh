#!/usr/bin/env bash
# Builds quire's container images offline: no registry, no base image. Each image is a minimal
# root filesystem made here from files of this machine — a static busybox (sh, ip and the
# usual tools), the programs the image needs and the shared libraries `ldd` names for them —
# packed into a reproducible tar (sorted names, fixed mtime and owners) and `docker import`ed.
# The tag is the tar's sha256 (quire/NAME:<12 hex>), also tagged quire/NAME:latest, so a rerun
# with unchanged inputs only packs the tar and finds the image already there (≈1 s).
#
#   images/build.sh [--engine docker|podman] [--quire PATH] [sim|ENDPOINT...]   (default: all)
#
# Images: sim (quire itself, running `quire sim` between its two interfaces; images/sim-entry.sh),
# host (busybox only, for programs of this machine whose /usr it mounts; images/host-entry.sh),
# quic-go and ngtcp2 (endpoints/<name>/ as /endpoint, images/endpoint-entry.sh as entry point).
# Everything carries the label `quire`, so `quire clean` finds it. Prints one line per image:
# "NAME IMAGE built|cached". Exit 0, 1 on a failure, 2 on bad usage.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
src=$(cd "$here/.." && pwd)
engine=${QUIRE_ENGINE:-docker}
quire_bin=${QUIRE_BIN:-}

usage() { echo "usage: images/build.sh [--engine docker|podman] [--quire PATH] [sim|host|quic-go|ngtcp2...]" >&2; exit 2; }
names=()
while [ $# -gt 0 ]; do
    case "$1" in
    --engine) [ $# -ge 2 ] || usage; engine=$2; shift 2 ;;
    --quire) [ $# -ge 2 ] || usage; quire_bin=$2; shift 2 ;;
    -h | --help) usage ;;
    -*) echo "images/build.sh: unknown option $1" >&2; usage ;;
    *) names+=("$1"); shift ;;
    esac
done
[ ${#names[@]} -gt 0 ] || names=(sim host quic-go ngtcp2)
case "$engine" in docker | podman) ;; *) echo "images/build.sh: engine must be docker or podman" >&2; exit 2 ;; esac
command -v "$engine" >/dev/null || { echo "images/build.sh: $engine not found" >&2; exit 1; }

busybox=
for b in /bin/busybox /usr/bin/busybox; do
    if [ -x "$b" ] && { ldd "$b" 2>&1 || true; } | grep -q 'not a dynamic'; then busybox=$b; break; fi
done
[ -n "$busybox" ] || { echo "images/build.sh: needs a static busybox (apt-get install busybox-static)" >&2; exit 1; }

work=$(mktemp -d "${TMPDIR:-/tmp}/quire-image-$$.XXXXXX")
trap 'rm -rf "$work"' EXIT

# put ROOT FILE [DEST]: copies FILE (following symlinks) to ROOT/DEST (default: the same path).
put() {
    local root=$1 f=$2 dest=${3:-$2}
    mkdir -p "$root$(dirname "$dest")"
    cp -L "$f" "$root$dest"
}

# putlibs ROOT PROGRAM: every shared library ldd finds for PROGRAM, at its path on this
# machine (the dynamic loader included).
putlibs() {
    local root=$1 lib
    while read -r lib; do
        if [ -n "$lib" ] && [ ! -e "$root$lib" ]; then put "$root" "$lib"; fi
    done < <(ldd "$2" 2>/dev/null | grep -oE '/[^ ]+' || true)
}

# putbin ROOT PROGRAM...: each program at its path, with its libraries.
putbin() {
    local root=$1 p
    shift
    for p in "$@"; do
        put "$root" "$p"
        putlibs "$root" "$p"
    done
}

# base ROOT: busybox with its applets in /bin (applets a real program shadows are skipped),
# /tmp, /etc/passwd, /etc/group, ethtool (offloads off, as QIR's endpoint setup does).
base() {
    local root=$1 a
    mkdir -p "$root"/{bin,etc,tmp,proc,sys,dev,root,www,downloads,certs,logs}
    chmod 1777 "$root/tmp"
    cp "$busybox" "$root/bin/busybox"
    for a in $("$busybox" --list); do
        [ -e "$root/bin/$a" ] || ln -s busybox "$root/bin/$a"
    done
    mkdir -p "$root/usr/bin"
    ln -s /bin/busybox "$root/usr/bin/env" # for #!/usr/bin/env scripts
    printf 'root:x:0:0:root:/root:/bin/sh\n' >"$root/etc/passwd"
    printf 'root:x:0:\n' >"$root/etc/group"
    putbin "$root" "$(command -v ethtool)"
}

# pack NAME ROOT CMD: the reproducible tar, its hash, the import unless present.
pack() {
    local name=$1 root=$2 cmd=$3 tar=$work/$1.tar hash tag
    tar --sort=name --mtime=@0 --owner=0 --group=0 --numeric-owner -C "$root" -cf "$tar" .
    hash=$( (sha256sum <"$tar"; printf '%s' "$cmd") | sha256sum | cut -c1-12)
    tag=quire/$name:$hash
    if "$engine" image inspect "$tag" >/dev/null 2>&1; then
        echo "$name $tag cached"
    else
        "$engine" import -c "LABEL quire=1" -c "LABEL quire.image=$name" -c "ENTRYPOINT $cmd" \
            -c "ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin" \
            "$tar" "$tag" >/dev/null
        echo "$name $tag built"
    fi
    "$engine" tag "$tag" "quire/$name:latest"
    # older builds of this image: untag them (their layers go when nothing uses them)
    local old
    for old in $("$engine" images "quire/$name" --format '{{.Tag}}'); do
        case "$old" in "$hash" | latest) ;; *) "$engine" rmi "quire/$name:$old" >/dev/null 2>&1 || true ;; esac
    done
}

build_sim() {
    local root=$work/sim q=$quire_bin
    [ -n "$q" ] || q=$(command -v quire || true)
    [ -n "$q" ] && [ -x "$q" ] || { echo "images/build.sh: sim needs the quire binary (--quire PATH)" >&2; return 1; }
    base "$root"
    put "$root" "$q" /bin/quire
    putlibs "$root" "$q"
    # tcp-cross-traffic runs iperf3 in namespaces of its own (ip from busybox).
    command -v iperf3 >/dev/null && putbin "$root" "$(command -v iperf3)"
    put "$root" "$here/sim-entry.sh" /sim-entry.sh
    chmod 755 "$root/sim-entry.sh"
    pack sim "$root" '["/sim-entry.sh"]'
}

# build_endpoint NAME PROGRAM...: endpoints/NAME/ as /endpoint plus bash and the programs.
build_endpoint() {
    local name=$1 root=$work/$1 d=$src/endpoints/$1
    shift
    [ -x "$d/run_endpoint" ] || { echo "images/build.sh: no $d/run_endpoint" >&2; return 1; }
    if [ -x "$d/available" ] && ! "$d/available" >&2; then
        echo "images/build.sh: $name is not available here (see above)" >&2
        return 1
    fi
    base "$root"
    putbin "$root" "$(command -v bash)" "$@"
    mkdir -p "$root/endpoint"
    cp -a "$d/." "$root/endpoint/"
    # wrappers source ../serve.inc (SIGTERM forwarding when they are PID 1)
    put "$root" "$src/endpoints/serve.inc" /serve.inc
    # the ngtcp2 image carries only Debian's h3 programs: its h09 programs (bin/) are not yet
    # checked in a container, so hq test cases stay unsupported there
    [ "$name" = ngtcp2 ] && rm -rf "$root/endpoint/bin"
    put "$root" "$here/endpoint-entry.sh" /endpoint-entry.sh
    put "$root" "$here/net-setup.inc" /net-setup.inc
    chmod 755 "$root/endpoint-entry.sh"
    pack "$name" "$root" '["/endpoint-entry.sh"]'
}

# build_host: the image of programs of this machine (experiments' docker_compose services):
# busybox and the route set-up only; the container backend mounts the host's /usr (and the
# program's own folders) read-only, so lib and lib64 point into it as on a merged-/usr Debian.
build_host() {
    local root=$work/host a
    mkdir -p "$root"/{bin,etc,tmp,proc,sys,dev,root,www,downloads,certs,logs,usr}
    chmod 1777 "$root/tmp"
    cp "$busybox" "$root/bin/busybox"
    for a in $("$busybox" --list); do [ -e "$root/bin/$a" ] || ln -s busybox "$root/bin/$a"; done
    ln -s usr/lib "$root/lib"
    ln -s usr/lib64 "$root/lib64"
    printf 'root:x:0:0:root:/root:/bin/sh\n' >"$root/etc/passwd"
    printf 'root:x:0:\n' >"$root/etc/group"
    put "$root" "$here/host-entry.sh" /host-entry.sh
    put "$root" "$here/net-setup.inc" /net-setup.inc
    chmod 755 "$root/host-entry.sh"
    pack host "$root" '["/host-entry.sh"]'
}

rc=0
for n in "${names[@]}"; do
    case "$n" in
    sim) build_sim || rc=1 ;;
    host) build_host || rc=1 ;;
    quic-go) build_endpoint quic-go || rc=1 ;;
    ngtcp2) build_endpoint ngtcp2 "$(command -v gtlsserver)" "$(command -v gtlsclient)" || rc=1 ;;
    *) echo "images/build.sh: no image recipe for '$n' (have: sim host quic-go ngtcp2)" >&2; rc=2 ;;
    esac
done
exit $rc
