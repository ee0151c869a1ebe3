#!/usr/bin/env bash
# Installs aioquic from PyPI into endpoints/aioquic/.venv (Debian's python3 -m venv), with the
# packages its example HTTP/3 server's demo app needs, and unpacks examples/ (http3_server.py,
# http3_client.py, demo.py, templates/) from aioquic's source distribution into
# .venv/share/aioquic-examples — the same programs QIR's aioquic image runs.
# Idempotent: nothing to do when that version is installed and the examples are in place.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
version=1.7.2
venv=$here/.venv
py=$venv/bin/python
examples=$venv/share/aioquic-examples
# The demo app of http3_server.py imports starlette, jinja2 and wsproto.
pkgs=("aioquic==$version" "starlette==1.10.0" "jinja2==3.1.6" "wsproto==1.3.2")

if [ -x "$py" ] && [ -f "$examples/http3_server.py" ] && [ -f "$examples/http3_client.py" ] &&
    [ "$("$py" -c 'import importlib.metadata as m; print(m.version("aioquic"))' 2>/dev/null)" = "$version" ] &&
    "$py" -c 'import aioquic, pylsqpack, starlette, jinja2, wsproto' 2>/dev/null; then
    echo "aioquic: $version up to date ($venv)"
    exit 0
fi

start=$(date +%s)
python3 -m venv "$venv" || { echo "aioquic: python3 -m venv failed (apt-get install python3-venv)" >&2; exit 1; }
"$venv/bin/pip" install -q --disable-pip-version-check "${pkgs[@]}"
tmp=$(mktemp -d "${TMPDIR:-/tmp}/quire-aioquic-sdist.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
"$venv/bin/pip" download -q --disable-pip-version-check --no-binary aioquic --no-deps \
    -d "$tmp" "aioquic==$version"
tar -xzf "$tmp/aioquic-$version.tar.gz" -C "$tmp"
rm -rf "$examples"
mkdir -p "$(dirname "$examples")"
cp -r "$tmp/aioquic-$version/examples" "$examples"
echo "aioquic: installed $version into $venv in $(( $(date +%s) - start )) s"
