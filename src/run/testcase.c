/* The test-case table (see testcase.h). Sizes, timeouts and scenarios are QIR's
 * (testcases_quic.py, testcase.py: default scenario "simple-p2p --delay=15ms --bandwidth=10Mbps
 * --queue=25", default timeout 60 s, certificate chain length 1). */
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
        .cert_chain_len = 1,
        .check = quire_check_handshake,
    },
    {
        .name = "transfer",
        .abbr = "DC",
        .desc = "Stream data is being sent and received correctly. Connection close completes "
                "with a zero error code.",
        .testcase_server = "transfer",
        .testcase_client = "transfer",
        .files = {{1, 2 * MiB}, {1, 3 * MiB}, {1, 5 * MiB}},
        .scenario = QIR_SCENARIO,
        .timeout_s = 60,
        .cert_chain_len = 1,
        .check = quire_check_transfer,
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
        if (!strcmp(table[i].name, s) || !strcmp(table[i].abbr, s)) return &table[i];
    return NULL;
}

int quire_testcase_parse_list(const char *arg, const quire_testcase **out, size_t max, size_t *n,
                              char *err, size_t errlen)
{
    *n = 0;
    if (!arg || !*arg) {
        for (size_t i = 0; i < sizeof table / sizeof table[0]; i++) {
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
            char known[512] = "";
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
