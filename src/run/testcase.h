/* The table of test cases: one row per test, with everything the runner needs to run it
 * (QIR's testcases_quic.py as data): name, abbreviation, description, the TESTCASE value each
 * role is given, the files the server serves (count × size groups), the simulator scenario,
 * the timeout, the certificate chain length and the judge of its traces and files. Adding a test
 * case is one row here and one judge in checks/judge_<theme>.c (docs/checks.md). */
#ifndef QUIRE_TESTCASE_H
#define QUIRE_TESTCASE_H

#include <stddef.h>
#include <stdint.h>

#include "checks/check.h"

#define QUIRE_TESTCASE_MAX_FILE_GROUPS 4

typedef struct quire_file_group {
    uint32_t count;
    uint64_t size; /* bytes */
} quire_file_group;

typedef struct quire_testcase {
    const char *name;
    const char *abbr;
    const char *desc;
    const char *testcase_server; /* TESTCASE for the server (QIR's testname(SERVER)) */
    const char *testcase_client; /* TESTCASE for the client */
    quire_file_group files[QUIRE_TESTCASE_MAX_FILE_GROUPS]; /* ends at count == 0 */
    const char *scenario; /* simulator scenario and its arguments, space-separated */
    unsigned timeout_s;
    unsigned expect_s; /* a typical run's duration (one repetition), for the scheduler's order */
    unsigned cert_chain_len; /* 1 = leaf signed by the root; >1 adds intermediates */
    quire_judge_fn judge; /* decides the verdict once the exit statuses let it (check.h) */
    const char *host;    /* host of the request URLs: NULL = server4; server6, server46 */
    const char *alias;   /* another accepted name (quire's), or NULL */
    unsigned repetitions; /* measurements: > 0, runs whose values give mean and stdev */
    const char *unit;     /* measurements: unit of the value ("kbps") */
    unsigned name_len;    /* file names of exactly this length (zerortt: 250); 0 = slugs */
    int by_name_only;     /* not in the default selection (QIR's TESTCASES_QUIC lacks it) */
    /* WebTransport rows (run/testcase_wt.h's quire_wt_row): the lifecycle makes that case's
     * files, REQUESTS and PROTOCOLS (run/wtrun.h) and judges it with its checks; NULL: QUIC */
    const struct quire_wt_testcase *wt;
    /* the probe's row (run/probejob.h): the client is `quire probe`, the verdict its cases' */
    int probe;
} quire_testcase;

/* The whole table, in QIR's order: test cases, then measurements (repetitions > 0). */
const quire_testcase *quire_testcase_table(size_t *n);

/* A test case by name, alias or abbreviation (case-sensitive, as QIR), NULL if unknown. */
const quire_testcase *quire_testcase_find(const char *name_or_abbr);

/* Parses a comma-separated list of names/abbreviations into out[] (max entries, duplicates
 * dropped), with run.py's selectors: NULL selects QIR's default (every test case and
 * measurement but the by_name_only ones), "onlyTests" the default's test cases, and
 * "onlyMeasurements" its measurements; "" selects nothing (n = 0), as in run.py. Returns 0, or
 * QUIRE_ERR_NOTFOUND with a one-line message in err, or QUIRE_ERR_INVALID for an empty
 * element or too many entries. */
int quire_testcase_parse_list(const char *arg, const quire_testcase **out, size_t max, size_t *n,
                              char *err, size_t errlen);

/* Total number of files and bytes the test case's server serves. */
size_t quire_testcase_nfiles(const quire_testcase *tc);
uint64_t quire_testcase_nbytes(const quire_testcase *tc);

#endif
