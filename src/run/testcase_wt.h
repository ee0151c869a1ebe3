/* The WebTransport test-case table (QIR's testcases_webtransport.py as data, run with
 * `quire run --protocol webtransport`): handshake (protocol negotiation through
 * PROTOCOLS_CLIENT / PROTOCOLS_SERVER) and transfer-{unidirectional,bidirectional,datagram}-
 * {receive,send}. "receive": the server sends files to the client; "send": the client sends
 * files to the server (QIR's direction names are the client's view). There are no
 * measurements in this mode, as in run.py. The QUIC table (testcase.h) is separate because a
 * WebTransport case's files are a list of sizes (the datagram cases: 200 distinct sizes) on
 * either side, not count × size groups served by the server. */
#ifndef QUIRE_TESTCASE_WT_H
#define QUIRE_TESTCASE_WT_H

#include <stddef.h>
#include <stdint.h>

typedef enum quire_wt_kind {
    QUIRE_WT_HANDSHAKE = 0,
    QUIRE_WT_UNIDIRECTIONAL,
    QUIRE_WT_BIDIRECTIONAL,
    QUIRE_WT_DATAGRAM,
} quire_wt_kind;

typedef enum quire_wt_direction {
    QUIRE_WT_NONE = 0, /* handshake: no file moves */
    QUIRE_WT_RECEIVE,  /* server → client; the client's TESTCASE is the full name */
    QUIRE_WT_SEND,     /* client → server; the server's TESTCASE is the full name */
} quire_wt_direction;

typedef struct quire_wt_testcase {
    const char *name; /* QIR's name() */
    const char *abbr; /* QIR's abbreviation(): H, UR, US, BR, BS, DR, DS */
    const char *desc; /* QIR's desc() */
    quire_wt_kind kind;
    quire_wt_direction dir;
    unsigned timeout_s; /* testcase.py's default, 60 s */
} quire_wt_testcase;

/* The whole table, in QIR's TESTCASES_WEBTRANSPORT order. */
const quire_wt_testcase *quire_wt_table(size_t *n);

/* A test case by name or abbreviation (case-sensitive, as QIR), NULL if unknown. */
const quire_wt_testcase *quire_wt_find(const char *name_or_abbr);

/* Parses a comma-separated list as quire_testcase_parse_list does (NULL or "onlyTests": every
 * case; "onlyMeasurements" and "": none, since this mode has no measurements). Returns 0, or
 * QUIRE_ERR_NOTFOUND / QUIRE_ERR_INVALID with a one-line message in err. */
int quire_wt_parse_list(const char *arg, const quire_wt_testcase **out, size_t max, size_t *n,
                        char *err, size_t errlen);

/* The TESTCASE value one role is given (QIR's testname(perspective)): the full name for the
 * role that receives in a transfer case ("receive": the client, "send": the server),
 * "transfer" for the other role, "handshake" for both in the handshake case. Never NULL. */
const char *quire_wt_testname(const quire_wt_testcase *tc, int is_client);

/* Number of files the case moves (handshake 0, stream cases 5, datagram cases 200) and the
 * size of file i in bytes (0 when i is out of range): stream cases 100, 500, 250, 1024, 2048
 * KiB; datagram cases 600 + 2i bytes. */
size_t quire_wt_nfiles(const quire_wt_testcase *tc);
uint64_t quire_wt_file_size(const quire_wt_testcase *tc, size_t i);

/* 1 if the server holds the source files (direction "receive"), 0 if the client does. */
int quire_wt_server_sends(const quire_wt_testcase *tc);

/* The protocol both sides must negotiate: the first of the client's space-separated protocols
 * that the server's list also holds, copied into out. Returns 1 when there is one, 0 when the
 * lists share none or a protocol does not fit in out (out is then ""). */
int quire_wt_common_protocol(const char *client, const char *server, char *out, size_t outlen);

/* The row of the run's test table (run/testcase.h) that runs tc through the lifecycle: QIR's
 * name, abbreviation, description and TESTCASE values, testcase.py's default scenario and
 * timeout, no QUIC files (the lifecycle asks run/wtrun.h for them) and wt = tc. Never NULL
 * for a row of quire_wt_table; NULL for anything else. */
struct quire_testcase;
const struct quire_testcase *quire_wt_row(const quire_wt_testcase *tc);

#endif
