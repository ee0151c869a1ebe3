/* `quire run --probe`: the probe column of the matrix (docs/probe.md, "In a run"). One test per
 * server, in a test bed like any other: the server runs the handshake test case, the
 * simulator captures both sides, and the client is `quire probe` itself, which connects once
 * per case to the server's address and writes its verdicts to the client's /logs/probe.json
 * after every case (so a server that dies mid-way still leaves the cases done before). The
 * test's verdict is the server's: succeeded when no case failed. The result keeps the counts
 * and the failed cases' names (quire_result_probe); the JSON file keeps the rest. */
#ifndef QUIRE_PROBEJOB_H
#define QUIRE_PROBEJOB_H

#include <stddef.h>

#include "checks/check.h"
#include "report/result.h"
#include "run/registry.h"
#include "run/testcase.h"

/* The client of every probe test: the implementation "quire-probe" (no endpoint directory). */
const quire_impl *quire_probe_job_client(void);

/* The probe's row: name "probe", abbreviation "PR", TESTCASE=handshake for the server, QIR's
 * scenario, one 1 KiB file for the handshake case to fetch; .probe is set. Not in the test-case
 * table: `-t` cannot select it, `--probe` adds it once per server. */
const quire_testcase *quire_probe_job_testcase(void);

/* The client's program: exe probe --role client -s ADDR:443 --alpn ALPN --get /FILE
 * --wait 1000 --json /logs/probe.json --keylog /logs/keys.log [-t handshake,CASES] (alpn
 * NULL: hq-interop; FILE: the path of the first URL of requests; cases NULL: all of them, else
 * a comma-separated list, preceded by "handshake" when it does not name it, since the verdict
 * needs it). Strings go into buf; argv gets max entries at most, NULL-terminated. Returns 0, or
 * QUIRE_ERR_INVALID when buf or argv is too small. */
int quire_probe_job_argv(const char *exe, const char *server_addr, const char *alpn,
                         const char *requests, const char *cases, char *buf, size_t buflen,
                         const char **argv, size_t max);

/* Checks a --probe-cases list: comma-separated names of quire probe's cases. Returns 0, or
 * QUIRE_ERR_INVALID with the first unknown (or empty) name in why. */
int quire_probe_job_check_cases(const char *cases, char *why, size_t whylen);

/* What the probe wrote: its file's counts and names. */
typedef struct quire_probe_summary {
    unsigned passed, failed, not_applicable;
    int handshake_passed;      /* the "handshake" case passed (the probe reached the server) */
    char handshake_why[200];   /* its detail when it did not */
    char last[64];             /* the last case in the file */
    char failed_cases[1800];   /* the failed cases' names, comma-separated (cut at a name) */
} quire_probe_summary;

/* Reads quire probe's --json file at path into s. Returns 0, or QUIRE_ERR_IO (cannot be read)
 * / QUIRE_ERR_MALFORMED (not the probe's JSON) with the reason in why. */
int quire_probe_summary_read(const char *path, quire_probe_summary *s, char *why, size_t whylen);

/* The verdict of a finished probe test, in place of the exit rules and the test case's check:
 * client killed at the timeout = failed; server exit 127 = unsupported; otherwise from
 * <ctx->client_log_dir>/probe.json: no file or no handshake = failed, a failed case = failed
 * ("N of M cases failed: a, b"), else succeeded; a server that ended by itself during the
 * probe is named with the case it ended in. Never fails: a problem is the explanation. */
quire_verdict quire_probe_job_judge(const quire_check_ctx *ctx, char *why, size_t whylen);

/* The server's probe cell after its test: the outcome's verdict, explanation, duration and
 * log, with the counts of <log_dir>/<log>/client/probe.json where it can be read. Returns
 * quire_result_set_probe's code. */
int quire_probe_job_record(quire_result *r, const char *log_dir, const char *server,
                           quire_verdict v, const char *explanation, double duration,
                           const char *log);

#endif
