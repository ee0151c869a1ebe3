/* The WebTransport test-case table (see testcase_wt.h). Names, abbreviations, descriptions,
 * TESTCASE values and file sizes are QIR's testcases_webtransport.py; the timeout is
 * testcase.py's default. */
#include "run/testcase_wt.h"

#include <stdio.h>
#include <string.h>

#include "checks/webtransport.h"
#include "run/testcase.h"
#include "util/err.h"
#include "util/words.h"

#define KiB 1024ull

/* QIR's names, abbreviations and descriptions, shared by table[] and rows[] */
#define NAME_0 "handshake"
#define ABBR_0 "H"
#define DESC_0 "Handshake completes successfully."
#define NAME_1 "transfer-unidirectional-receive"
#define ABBR_1 "UR"
#define DESC_1 "Server sends data to client using unidirectional streams"
#define NAME_2 "transfer-unidirectional-send"
#define ABBR_2 "US"
#define DESC_2 "Client sends data to server using unidirectional streams"
#define NAME_3 "transfer-bidirectional-receive"
#define ABBR_3 "BR"
#define DESC_3 "Server sends data to client using bidirectional streams"
#define NAME_4 "transfer-bidirectional-send"
#define ABBR_4 "BS"
#define DESC_4 "Client sends data to server using bidirectional streams"
#define NAME_5 "transfer-datagram-receive"
#define ABBR_5 "DR"
#define DESC_5 "Server sends data to client using datagrams"
#define NAME_6 "transfer-datagram-send"
#define ABBR_6 "DS"
#define DESC_6 "Client sends data to server using datagrams"

static const quire_wt_testcase table[] = {
    {NAME_0, ABBR_0, DESC_0, QUIRE_WT_HANDSHAKE, QUIRE_WT_NONE, 60},
    {NAME_1, ABBR_1, DESC_1, QUIRE_WT_UNIDIRECTIONAL, QUIRE_WT_RECEIVE, 60},
    {NAME_2, ABBR_2, DESC_2, QUIRE_WT_UNIDIRECTIONAL, QUIRE_WT_SEND, 60},
    {NAME_3, ABBR_3, DESC_3, QUIRE_WT_BIDIRECTIONAL, QUIRE_WT_RECEIVE, 60},
    {NAME_4, ABBR_4, DESC_4, QUIRE_WT_BIDIRECTIONAL, QUIRE_WT_SEND, 60},
    {NAME_5, ABBR_5, DESC_5, QUIRE_WT_DATAGRAM, QUIRE_WT_RECEIVE, 60},
    {NAME_6, ABBR_6, DESC_6, QUIRE_WT_DATAGRAM, QUIRE_WT_SEND, 60},
};
#define NTABLE (sizeof table / sizeof table[0])

static const uint64_t stream_sizes[] = {100 * KiB, 500 * KiB, 250 * KiB, 1024 * KiB, 2048 * KiB};
#define NDATAGRAMS 200

const quire_wt_testcase *quire_wt_table(size_t *n)
{
    *n = NTABLE;
    return table;
}

const quire_wt_testcase *quire_wt_find(const char *name_or_abbr)
{
    for (size_t i = 0; i < NTABLE; i++)
        if (!strcmp(table[i].name, name_or_abbr) || !strcmp(table[i].abbr, name_or_abbr))
            return &table[i];
    return NULL;
}

int quire_wt_parse_list(const char *arg, const quire_wt_testcase **out, size_t max, size_t *n,
                        char *err, size_t errlen)
{
    *n = 0;
    if (arg && (!*arg || !strcmp(arg, "onlyMeasurements"))) return 0;
    if (!arg || !strcmp(arg, "onlyTests")) {
        for (size_t i = 0; i < NTABLE; i++) {
            if (*n == max) goto too_many;
            out[(*n)++] = &table[i];
        }
        return 0;
    }
    for (const char *p = arg;;) {
        const char *comma = strchr(p, ',');
        size_t len = comma ? (size_t)(comma - p) : strlen(p);
        char name[64];
        if (len == 0 || len >= sizeof name) {
            snprintf(err, errlen, "invalid test list '%s': empty or overlong element", arg);
            return QUIRE_ERR_INVALID;
        }
        memcpy(name, p, len);
        name[len] = 0;
        const quire_wt_testcase *tc = quire_wt_find(name);
        if (!tc) {
            char known[512] = "";
            size_t off = 0;
            for (size_t i = 0; i < NTABLE && off < sizeof known; i++)
                off += (size_t)snprintf(known + off, sizeof known - off, "%s%s (%s)", i ? ", " : "",
                                        table[i].name, table[i].abbr);
            snprintf(err, errlen, "unknown WebTransport test case '%s' (known: %s)", name, known);
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

const char *quire_wt_testname(const quire_wt_testcase *tc, int is_client)
{
    if (tc->dir == QUIRE_WT_NONE) return tc->name;
    if (tc->dir == QUIRE_WT_RECEIVE) return is_client ? tc->name : "transfer";
    return is_client ? "transfer" : tc->name;
}

size_t quire_wt_nfiles(const quire_wt_testcase *tc)
{
    switch (tc->kind) {
    case QUIRE_WT_HANDSHAKE: return 0;
    case QUIRE_WT_DATAGRAM: return NDATAGRAMS;
    default: return sizeof stream_sizes / sizeof stream_sizes[0];
    }
}

uint64_t quire_wt_file_size(const quire_wt_testcase *tc, size_t i)
{
    if (i >= quire_wt_nfiles(tc)) return 0;
    return tc->kind == QUIRE_WT_DATAGRAM ? 600 + 2 * (uint64_t)i : stream_sizes[i];
}

int quire_wt_server_sends(const quire_wt_testcase *tc)
{
    return tc->dir == QUIRE_WT_RECEIVE;
}

int quire_wt_common_protocol(const char *client, const char *server, char *out, size_t outlen)
{
    if (outlen) out[0] = 0;
    for (const char *p = client; *p;) {
        while (*p == ' ') p++;
        size_t len = strcspn(p, " ");
        if (len && quire_words_has(server, " ", p, len)) {
            if (len >= outlen) return 0;
            memcpy(out, p, len);
            out[len] = 0;
            return 1;
        }
        p += len;
    }
    return 0;
}

/* testcase.py's default scenario (as the QUIC table's QIR_SCENARIO) */
#define WT_SCENARIO "simple-p2p --delay=15ms --bandwidth=10Mbps --queue=25"

/* The rows of the run's table, one per entry of table[] in the same order, constant (the
 * TESTCASE values are quire_wt_testname's, which unit/test_wtrun checks). */
#define ROW(i, server_tc, client_tc, expect)                                                    \
    {                                                                                          \
        .name = NAME_##i, .abbr = ABBR_##i, .desc = DESC_##i, .testcase_server = server_tc,    \
        .testcase_client = client_tc, .scenario = WT_SCENARIO, .timeout_s = 60,                \
        .expect_s = expect, .cert_chain_len = 1, .judge = quire_judge_webtransport,            \
        .wt = &table[i],                                                                       \
    }
static const quire_testcase rows[] = {
    ROW(0, "handshake", "handshake", 2),
    ROW(1, "transfer", NAME_1, 6),
    ROW(2, NAME_2, "transfer", 6),
    ROW(3, "transfer", NAME_3, 6),
    ROW(4, NAME_4, "transfer", 6),
    ROW(5, "transfer", NAME_5, 3),
    ROW(6, NAME_6, "transfer", 3),
};
_Static_assert(sizeof rows / sizeof rows[0] == NTABLE, "one row per WebTransport test case");

const quire_testcase *quire_wt_row(const quire_wt_testcase *tc)
{
    for (size_t i = 0; i < NTABLE; i++)
        if (tc == &table[i]) return &rows[i];
    return NULL;
}
