# Sourced by the fake endpoints: the contract's exit 127 for a test case they do not know, as
# QIR's compliance pre-check (a random TESTCASE) expects of every endpoint.
case "${TESTCASE:-}" in
handshake | transfer | longrtt | chacha20 | multiplexing | retry | resumption | zerortt | \
    http3 | blackhole | keyupdate | ecn | amplificationlimit | handshakeloss | transferloss | \
    handshakecorruption | transfercorruption | ipv6 | v2 | rebind-port | rebind-addr | \
    connectionmigration | goodput | crosstraffic | versionnegotiation) ;;
*)
    echo "$(basename "$(dirname "$0")"): unknown test case '${TESTCASE:-}'"
    exit 127
    ;;
esac
