/* The test-case table (see testcase.h). Names, abbreviations, descriptions, TESTCASE values,
 * files, sizes, timeouts and scenarios are QIR's (testcases_quic.py, testcase.py: default
 * scenario "simple-p2p --delay=15ms --bandwidth=10Mbps --queue=25", default timeout 60 s,
 * certificate chain length 1). QIR defines versionnegotiation but leaves it out of
 * TESTCASES_QUIC: quire runs it only when named (-t versionnegotiation or V).
 * crosstraffic uses the simulator's tcp-cross-traffic scenario for QIR's iperf containers. */
#include "run/testcase.h"

#include <stdio.h>
#include <string.h>

#include "util/err.h"

#define KiB 1024ull
#define MiB (1024ull * 1024ull)
#define QIR_SCENARIO "simple-p2p --delay=15ms --bandwidth=10Mbps --queue=25"

static const quire_testcase table[] = {
    {
        .name = "handshake",
        .abbr = "H",
        .desc = "Handshake completes successfully.",
        .testcase_server = "handshake",
        .testcase_client = "handshake",
        .files = {{1, 1 * KiB}},
        .scenario = QIR_SCENARIO,
        .timeout_s = 60,
        .expect_s = 2,
        .cert_chain_len = 1,
        .judge = quire_judge_handshake,
    },
    {
        .name = "transfer",
        .abbr = "DC",
        .desc = "Stream data is being sent and received correctly. Connection close completes with a zero error code.",
        .testcase_server = "transfer",
        .testcase_client = "transfer",
        .files = {{1, 2 * MiB}, {1, 3 * MiB}, {1, 5 * MiB}},
        .scenario = QIR_SCENARIO,
        .timeout_s = 60,
        .expect_s = 10,
        .cert_chain_len = 1,
        .judge = quire_judge_transfer,
    },
    {
        .name = "longrtt",
        .abbr = "LR",
        .desc = "Handshake completes when RTT is long.",
        .testcase_server = "handshake",
        .testcase_client = "handshake",
        .files = {{1, 1 * KiB}},
        .scenario = "simple-p2p --delay=750ms --bandwidth=10Mbps --queue=25",
        .timeout_s = 60,
        .expect_s = 6,
        .cert_chain_len = 1,
        .judge = quire_judge_longrtt,
    },
    {
        .name = "chacha20",
        .abbr = "C20",
        .desc = "Handshake completes using ChaCha20.",
        .testcase_server = "chacha20",
        .testcase_client = "chacha20",
        .files = {{1, 3 * MiB}},
        .scenario = QIR_SCENARIO,
        .timeout_s = 60,
        .expect_s = 4,
        .cert_chain_len = 1,
        .judge = quire_judge_chacha20,
    },
    {
        .name = "multiplexing",
        .abbr = "M",
        .desc = "Thousands of files are transferred over a single connection, and server increased stream limits to accomodate client requests.",
        .testcase_server = "transfer",
        .testcase_client = "transfer",
        .files = {{1999, 32}},
        .scenario = QIR_SCENARIO,
        .timeout_s = 60,
        .expect_s = 6,
        .cert_chain_len = 1,
        .judge = quire_judge_multiplexing,
    },
    {
        .name = "retry",
        .abbr = "S",
        .desc = "Server sends a Retry, and a subsequent connection using the Retry token completes successfully.",
        .testcase_server = "retry",
        .testcase_client = "retry",
        .files = {{1, 10 * KiB}},
        .scenario = QIR_SCENARIO,
        .timeout_s = 60,
        .expect_s = 2,
        .cert_chain_len = 1,
        .judge = quire_judge_retry,
    },
    {
        .name = "resumption",
        .abbr = "R",
        .desc = "Connection is established using TLS Session Resumption.",
        .testcase_server = "resumption",
        .testcase_client = "resumption",
        .files = {{1, 5 * KiB}, {1, 10 * KiB}},
        .scenario = QIR_SCENARIO,
        .timeout_s = 60,
        .expect_s = 3,
        .cert_chain_len = 1,
        .judge = quire_judge_resumption,
    },
    {
        .name = "zerortt",
        .abbr = "Z",
        .desc = "0-RTT data is being sent and acted on.",
        .testcase_server = "zerortt",
        .testcase_client = "zerortt",
        .files = {{40, 32}},
        .scenario = QIR_SCENARIO,
        .timeout_s = 60,
        .expect_s = 3,
        .cert_chain_len = 1,
        .judge = quire_judge_zerortt,
        .name_len = 250,
    },
    {
        .name = "http3",
        .abbr = "3",
        .desc = "An H3 transaction succeeded.",
        .testcase_server = "http3",
        .testcase_client = "http3",
        .files = {{1, 5 * KiB}, {1, 10 * KiB}, {1, 500 * KiB}},
        .scenario = QIR_SCENARIO,
        .timeout_s = 60,
        .expect_s = 3,
        .cert_chain_len = 1,
        .judge = quire_judge_transfer,
    },
    {
        .name = "blackhole",
        .abbr = "B",
        .desc = "Transfer succeeds despite underlying network blacking out for a few seconds.",
        .testcase_server = "transfer",
        .testcase_client = "transfer",
        .files = {{1, 10 * MiB}},
        .scenario = "blackhole --delay=15ms --bandwidth=10Mbps --queue=25 --on=5s --off=2s",
        .timeout_s = 60,
        .expect_s = 20,
        .cert_chain_len = 1,
        .judge = quire_judge_transfer,
    },
    {
        .name = "keyupdate",
        .abbr = "U",
        .desc = "One of the two endpoints updates keys and the peer responds correctly.",
        .testcase_server = "transfer",
        .testcase_client = "keyupdate",
        .files = {{1, 3 * MiB}},
        .scenario = QIR_SCENARIO,
        .timeout_s = 60,
        .expect_s = 4,
        .cert_chain_len = 1,
        .judge = quire_judge_keyupdate,
    },
    {
        .name = "ecn",
        .abbr = "E",
        .desc = "Handshake completes successfully.", /* QIR: inherited from handshake */
        .testcase_server = "ecn",
        .testcase_client = "ecn",
        .files = {{1, 100 * KiB}},
        .scenario = QIR_SCENARIO,
        .timeout_s = 60,
        .expect_s = 2,
        .cert_chain_len = 1,
        .judge = quire_judge_ecn,
    },
    {
        .name = "amplificationlimit",
        .abbr = "A",
        .desc = "The server obeys the 3x amplification limit.",
        .testcase_server = "transfer",
        .testcase_client = "transfer",
        .files = {{1, 5 * KiB}},
        .scenario = "droplist --delay=15ms --bandwidth=10Mbps --queue=25 --drops_to_server=2,3,4,5,6,7",
        .timeout_s = 60,
        .expect_s = 3,
        .cert_chain_len = 9,
        .judge = quire_judge_amplificationlimit,
    },
    {
        .name = "handshakeloss",
        .abbr = "L1",
        .desc = "Handshake completes under extreme packet loss.",
        .testcase_server = "multiconnect",
        .testcase_client = "multiconnect",
        .files = {{50, 1 * KiB}},
        .scenario = "drop-rate --delay=15ms --bandwidth=10Mbps --queue=25 --rate_to_server=30 --rate_to_client=30 --burst_to_server=3 --burst_to_client=3",
        .timeout_s = 300,
        .expect_s = 45,
        .cert_chain_len = 1,
        .judge = quire_judge_handshakeloss,
    },
    {
        .name = "transferloss",
        .abbr = "L2",
        .desc = "Transfer completes under moderate packet loss.",
        .testcase_server = "transfer",
        .testcase_client = "transfer",
        .files = {{1, 2 * MiB}},
        .scenario = "drop-rate --delay=15ms --bandwidth=10Mbps --queue=25 --rate_to_server=2 --rate_to_client=2 --burst_to_server=3 --burst_to_client=3",
        .timeout_s = 60,
        .expect_s = 8,
        .cert_chain_len = 1,
        .judge = quire_judge_transfer,
    },
    {
        .name = "handshakecorruption",
        .abbr = "C1",
        .desc = "Handshake completes under extreme packet corruption.",
        .testcase_server = "multiconnect",
        .testcase_client = "multiconnect",
        .files = {{50, 1 * KiB}},
        .scenario = "corrupt-rate --delay=15ms --bandwidth=10Mbps --queue=25 --rate_to_server=30 --rate_to_client=30 --burst_to_server=3 --burst_to_client=3",
        .timeout_s = 300,
        .expect_s = 45,
        .cert_chain_len = 1,
        .judge = quire_judge_handshakeloss,
    },
    {
        .name = "transfercorruption",
        .abbr = "C2",
        .desc = "Transfer completes under moderate packet corruption.",
        .testcase_server = "transfer",
        .testcase_client = "transfer",
        .files = {{1, 2 * MiB}},
        .scenario = "corrupt-rate --delay=15ms --bandwidth=10Mbps --queue=25 --rate_to_server=2 --rate_to_client=2 --burst_to_server=3 --burst_to_client=3",
        .timeout_s = 60,
        .expect_s = 8,
        .cert_chain_len = 1,
        .judge = quire_judge_transfer,
    },
    {
        .name = "ipv6",
        .abbr = "6",
        .desc = "A transfer across an IPv6-only network succeeded.",
        .testcase_server = "transfer",
        .testcase_client = "transfer",
        .files = {{1, 5 * KiB}, {1, 10 * KiB}},
        .scenario = QIR_SCENARIO,
        .timeout_s = 60,
        .expect_s = 2,
        .cert_chain_len = 1,
        .judge = quire_judge_ipv6,
        .host = "server6",
    },
    {
        .name = "v2",
        .abbr = "V2",
        .desc = "Server should select QUIC v2 in compatible version negotiation.",
        .testcase_server = "v2",
        .testcase_client = "v2",
        .files = {{1, 1 * KiB}},
        .scenario = QIR_SCENARIO,
        .timeout_s = 60,
        .expect_s = 2,
        .cert_chain_len = 1,
        .judge = quire_judge_v2,
    },
    {
        .name = "rebind-port",
        .abbr = "BP",
        .desc = "Transfer completes under frequent port rebindings on the client side.",
        .testcase_server = "transfer",
        .testcase_client = "transfer",
        .files = {{1, 10 * MiB}},
        .scenario = "rebind --delay=15ms --bandwidth=10Mbps --queue=25 --first-rebind=1s --rebind-freq=5s",
        .timeout_s = 60,
        .expect_s = 12,
        .cert_chain_len = 1,
        .judge = quire_judge_portrebinding,
        .alias = "portrebinding",
    },
    {
        .name = "rebind-addr",
        .abbr = "BA",
        .desc = "Transfer completes under frequent IP address and port rebindings on the client side.",
        .testcase_server = "transfer",
        .testcase_client = "transfer",
        .files = {{1, 10 * MiB}},
        .scenario = "rebind --delay=15ms --bandwidth=10Mbps --queue=25 --first-rebind=1s --rebind-freq=5s --rebind-addr",
        .timeout_s = 60,
        .expect_s = 12,
        .cert_chain_len = 1,
        .judge = quire_judge_addressrebinding,
        .alias = "addressrebinding",
    },
    {
        .name = "connectionmigration",
        .abbr = "CM",
        .desc = "A transfer succeeded during which the client performed an active migration.",
        .testcase_server = "connectionmigration",
        .testcase_client = "transfer",
        .files = {{1, 2 * MiB}},
        .scenario = QIR_SCENARIO,
        .timeout_s = 60,
        .expect_s = 5,
        .cert_chain_len = 1,
        .judge = quire_judge_connectionmigration,
        .host = "server46",
    },
    {
        .name = "versionnegotiation",
        .abbr = "V",
        .desc = "A version negotiation packet is elicited and acted on.",
        .testcase_server = "versionnegotiation",
        .testcase_client = "versionnegotiation",
        .scenario = QIR_SCENARIO,
        .timeout_s = 60,
        .expect_s = 2,
        .cert_chain_len = 1,
        .judge = quire_judge_versionnegotiation,
        .by_name_only = 1,
    },
    {
        .name = "goodput",
        .abbr = "G",
        .desc = "Measures connection goodput over a 10Mbps link.",
        .testcase_server = "transfer",
        .testcase_client = "transfer",
        .files = {{1, 10 * MiB}},
        .scenario = QIR_SCENARIO,
        .timeout_s = 60,
        .expect_s = 10,
        .cert_chain_len = 1,
        .judge = quire_judge_goodput,
        .repetitions = 5,
        .unit = "kbps",
    },
    {
        .name = "crosstraffic",
        .abbr = "C",
        .desc = "Measures goodput over a 10Mbps link when competing with a TCP (cubic) connection.",
        .testcase_server = "transfer",
        .testcase_client = "transfer",
        .files = {{1, 25 * MiB}},
        .scenario = "tcp-cross-traffic --delay=15ms --bandwidth=10Mbps --queue=25",
        .timeout_s = 180,
        .expect_s = 60,
        .cert_chain_len = 1,
        .judge = quire_judge_goodput,
        .repetitions = 5,
        .unit = "kbps",
    },
};

const quire_testcase *quire_testcase_table(size_t *n)
{
    *n = sizeof table / sizeof table[0];
    return table;
}

const quire_testcase *quire_testcase_find(const char *s)
{
    for (size_t i = 0; i < sizeof table / sizeof table[0]; i++)
        if (!strcmp(table[i].name, s) || !strcmp(table[i].abbr, s) ||
            (table[i].alias && !strcmp(table[i].alias, s)))
            return &table[i];
    return NULL;
}

int quire_testcase_parse_list(const char *arg, const quire_testcase **out, size_t max, size_t *n,
                              char *err, size_t errlen)
{
    *n = 0;
    if (arg && !*arg) return 0; /* run.py: `-t ""` runs no test */
    int tests = !arg || !strcmp(arg, "onlyTests"), meas = !arg || !strcmp(arg, "onlyMeasurements");
    if (tests || meas) {
        for (size_t i = 0; i < sizeof table / sizeof table[0]; i++) {
            if (table[i].by_name_only || !(table[i].repetitions ? meas : tests)) continue;
            if (*n == max) goto too_many;
            out[(*n)++] = &table[i];
        }
        return 0;
    }
    const char *p = arg;
    for (;;) {
        const char *comma = strchr(p, ',');
        size_t len = comma ? (size_t)(comma - p) : strlen(p);
        char name[64];
        if (len == 0 || len >= sizeof name) {
            snprintf(err, errlen, "invalid test list '%s': empty or overlong element", arg);
            return QUIRE_ERR_INVALID;
        }
        memcpy(name, p, len);
        name[len] = 0;
        const quire_testcase *tc = quire_testcase_find(name);
        if (!tc) {
            char known[1024] = "";
            size_t off = 0;
            for (size_t i = 0; i < sizeof table / sizeof table[0] && off < sizeof known; i++)
                off += (size_t)snprintf(known + off, sizeof known - off, "%s%s (%s)", i ? ", " : "",
                                        table[i].name, table[i].abbr);
            snprintf(err, errlen, "unknown test case '%s' (known: %s)", name, known);
            return QUIRE_ERR_NOTFOUND;
        }
        int dup = 0;
        for (size_t i = 0; i < *n; i++)
            dup |= out[i] == tc;
        if (!dup) {
            if (*n == max) goto too_many;
            out[(*n)++] = tc;
        }
        if (!comma) break;
        p = comma + 1;
    }
    return 0;
too_many:
    snprintf(err, errlen, "too many test cases (at most %zu)", max);
    return QUIRE_ERR_INVALID;
}

size_t quire_testcase_nfiles(const quire_testcase *tc)
{
    size_t n = 0;
    for (size_t i = 0; i < QUIRE_TESTCASE_MAX_FILE_GROUPS && tc->files[i].count; i++)
        n += tc->files[i].count;
    return n;
}

uint64_t quire_testcase_nbytes(const quire_testcase *tc)
{
    uint64_t n = 0;
    for (size_t i = 0; i < QUIRE_TESTCASE_MAX_FILE_GROUPS && tc->files[i].count; i++)
        n += tc->files[i].count * tc->files[i].size;
    return n;
}
