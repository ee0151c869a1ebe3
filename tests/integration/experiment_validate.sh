#!/usr/bin/env bash
# quire experiment on bad input: malformed YAML, unknown plugin, unknown version, missing
# required field, a value outside a plugin's choices. Each: FILE:LINE:COLUMN and the problem,
# exit 2, for `validate` and for `run` alike, and `run` starts nothing (no output directory,
# no test). The shipped example experiments validate; `quire list` shows plugin versions.
# Needs no root.
set -euo pipefail
src=${QUIRE_SOURCE_DIR:-$(cd "$(dirname "$0")/../.." && pwd)}
quire=${QUIRE_BIN:-$src/build/quire}
[ -x "$quire" ] || { echo "SKIP: $quire missing"; exit 77; }
tmp=$(mktemp -d "/tmp/quire-expval-$$-XXXXXX")
trap 'rm -rf "$tmp"' EXIT
cd "$tmp"
export QUIRE_SOURCE_DIR=$src

expect2() { # file pattern
    local f=$1 pat=$2 out rc act
    for act in validate run; do
        set +e
        if [ $act = run ]; then
            out=$("$quire" experiment run -o "$tmp/out-$f" "$f" 2>&1)
        else
            out=$("$quire" experiment validate "$f" 2>&1)
        fi
        rc=$?
        set -e
        [ "$rc" = 2 ] || { echo "FAIL: $act $f: exit $rc, expected 2"; echo "$out"; exit 1; }
        printf '%s\n' "$out" | grep -qF -- "$pat" || { echo "FAIL: $act $f: '$pat' not in:"; echo "$out"; exit 1; }
        printf '%s\n' "$out" | grep -q "nothing started" || { echo "FAIL: $act $f: no 'nothing started'"; exit 1; }
        [ ! -e "$tmp/out-$f" ] || { echo "FAIL: run $f created its output directory"; exit 1; }
        if printf '%s\n' "$out" | grep -q "^quire experiment: .* \.\.\.$"; then
            echo "FAIL: run $f started a test"
            exit 1
        fi
    done
    echo "ok: $(printf '%s\n' "$out" | grep -F -- "$pat" | head -n1)"
}

printf 'tests:\n  - name: a\n    services: {s: {implementation: quic-go, role: server\n' >malformed.yaml
expect2 malformed.yaml "malformed.yaml:4:1: did not find expected ',' or '}'"

printf 'tests:\n  - name: a\n    services:\n      s: {implementation: msquic, role: server}\n' >plugin.yaml
expect2 plugin.yaml "plugin.yaml:4:27: services.s: unknown implementation plugin 'msquic' (known: aioquic, caddy, chrome,"

printf 'tests:\n  - name: a\n    services:\n      s:\n        implementation: {name: quic/mvfst, version: draft30}\n        role: server\n' >version.yaml
expect2 version.yaml "version.yaml:5:53: services.s: plugin 'mvfst' has no version 'draft30' (versions: rfc9000, draft29, draft27-vuln1, draft27-vuln2)"

printf 'tests:\n  - name: a\n    services:\n      s:\n        implementation: quinn\n' >missing.yaml
expect2 missing.yaml "missing.yaml:4:7: services.s: missing required field 'role'"

printf 'tests:\n  - name: a\n    services:\n      s:\n        implementation: mvfst\n        role: server\n        config: {congestion_control: vegas}\n' >choice.yaml
expect2 choice.yaml "choice.yaml:7:38: services.s.config.congestion_control: 'vegas' is not allowed (choose from: cubic, newreno, bbr, copa, none)"

# several problems: all reported
printf 'tests:\n  - name: a\n    network_environment: {jitter: 5ms}\n    services:\n      s: {implementation: nope, role: server}\n    assertions: [{type: performance_threshold, metric: rtt, max: 1s}]\n' >many.yaml
set +e
out=$("$quire" experiment validate many.yaml 2>&1)
set -e
for pat in "many.yaml:3:35: network_environment.jitter" "many.yaml:5:27: services.s: unknown implementation plugin 'nope'" "many.yaml:6:56: performance_threshold: unknown metric 'rtt'" "3 errors, nothing started"; do
    printf '%s\n' "$out" | grep -qF -- "$pat" || { echo "FAIL: '$pat' not in:"; echo "$out"; exit 1; }
done
echo "ok: every error of many.yaml reported"

"$quire" experiment validate "$src"/experiments/*.yaml

# quire list shows the plugins with their versions; mvfst says why it cannot run here.
list=$(env -u QUIRE_MVFST_BIN "$quire" list implementations)
printf '%s\n' "$list" | grep -q "^  mvfst .*versions: rfc9000 (0x00000001), draft29 (0xff00001d), draft27-vuln1 (0xff00001b), draft27-vuln2 (0xff00001b); not available: requires '{{env:QUIRE_MVFST_BIN}}', which is not set" ||
    { echo "FAIL: quire list:"; echo "$list"; exit 1; }
printf '%s\n' "$list" | grep -q "^  ngtcp2 .*versions: rfc9000 (0x00000001), v2 (0x6b3343cf)" ||
    { echo "FAIL: quire list: no ngtcp2 versions"; exit 1; }
echo "PASS"
