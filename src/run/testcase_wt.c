/* The WebTransport test-case table (see testcase_wt.h). Names, abbreviations, descriptions,
 * TESTCASE values and file sizes are QIR's testcases_webtransport.py; the timeout is
 * testcase.py's default. */
#include "run/testcase_wt.h"

#include <stdio.h>
#include <string.h>

#include "checks/webtransport.h"
#include "run/testcase.h"
#include "util/err.h"

#define KiB 1024ull

static const quire_wt_testcase table[] = {
    {"handshake", "H", "Handshake completes successfully.", QUIRE_WT_HANDSHAKE, QUIRE_WT_NONE, 60},
    {"transfer-unidirectional-receive", "UR", "Server sends data to client using unidirectional streams",
     QUIRE_WT_UNIDIRECTIONAL, QUIRE_WT_RECEIVE, 60},
    {"transfer-unidirectional-send", "US", "Client sends data to server using unidirectional streams",
     QUIRE_WT_UNIDIRECTIONAL, QUIRE_WT_SEND, 60},
    {"transfer-bidirectional-receive", "BR", "Server sends data to client using bidirectional streams",
     QUIRE_WT_BIDIRECTIONAL, QUIRE_WT_RECEIVE, 60},
    {"transfer-bidirectional-send", "BS", "Client sends data to server using bidirectional streams",
     QUIRE_WT_BIDIRECTIONAL, QUIRE_WT_SEND, 60},
    {"transfer-datagram-receive", "DR", "Server sends data to client using datagrams",
     QUIRE_WT_DATAGRAM, QUIRE_WT_RECEIVE, 60},
    {"transfer-datagram-send", "DS", "Client sends data to server using datagrams",
     QUIRE_WT_DATAGRAM, QUIRE_WT_SEND, 60},
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

/* 1 if the space-separated list holds the word w (length wlen). */
static int list_has(const char *list, const char *w, size_t wlen)
{
    for (const char *p = list; *p;) {
        while (*p == ' ') p++;
        size_t len = strcspn(p, " ");
        if (len && len == wlen && !memcmp(p, w, len)) return 1;
        p += len;
    }
    return 0;
}

int quire_wt_common_protocol(const char *client, const char *server, char *out, size_t outlen)
{
    if (outlen) out[0] = 0;
    for (const char *p = client; *p;) {
        while (*p == ' ') p++;
        size_t len = strcspn(p, " ");
        if (len && list_has(server, p, len)) {
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

const quire_testcase *quire_wt_row(const quire_wt_testcase *tc)
{
    static quire_testcase rows[NTABLE];
    if (tc < table || tc >= table + NTABLE) return NULL;
    size_t i = (size_t)(tc - table);
    if (!rows[i].name) /* filled once, before the scheduler forks its workers */
        rows[i] = (quire_testcase){
            .name = tc->name,
            .abbr = tc->abbr,
            .desc = tc->desc,
            .testcase_server = quire_wt_testname(tc, 0),
            .testcase_client = quire_wt_testname(tc, 1),
            .scenario = WT_SCENARIO,
            .timeout_s = tc->timeout_s,
            .expect_s = tc->kind == QUIRE_WT_HANDSHAKE ? 2 : 6,
            .cert_chain_len = 1,
            .judge = quire_judge_webtransport,
            .wt = tc,
        };
    return &rows[i];
}
