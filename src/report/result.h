/* The result model of a run: which servers and clients were paired, which test cases and
 * measurements ran, and for every (server, client, test) the verdict, a one-line explanation,
 * the duration and the log directory. The runner fills it as tests finish and saves it after
 * each one; the reports (Markdown, HTML, JUnit) and `quire merge` read it.
 *
 * On disk it is the QUIC Interop Runner's result.json (interop.py, _export_results), so QIR
 * tooling reads quire's files and quire reads QIR's:
 *   {"start_time": unix s, "end_time": unix s, "log_dir": str, "servers": [...],
 *    "clients": [...], "urls": {name: url}, "tests": {abbr: {"name", "desc"}} (test cases and
 *    measurements), "quic_version": "0x1", ("quic_draft": int, older files),
 *    "results": [per (client, server), client-major: [{"abbr", "name", "result"}]],
 *    "measurements": [same order: [{"name", "abbr", "result", "details"}]]}
 * where "result" is "succeeded" | "failed" | "unsupported" | null (not run). quire adds keys
 * QIR readers ignore: in each result/measurement object "explanation", "duration" (s) and
 * "log" (directory relative to log_dir); in measurement objects "mean", "stdev", "unit";
 * in "tests" entries "kind" ("testcase" | "measurement") and "unit"; top level "quire"
 * ({"version"}); in result objects "spec", the RFC rules' verdict on the test's captures
 * (spec/spec.h).
 *
 * Reading and writing that file is in resultjson.h (included here).
 *
 * Storage is dense: the model owns a grid of cells indexed by (server, client, test) that
 * grows when implementations or tests are added, so adding at any time is allowed. The model
 * is not thread-safe: a runner with parallel tests serializes quire_result_set*() and
 * quire_result_save() with its own lock. */
#ifndef QUIRE_RESULT_H
#define QUIRE_RESULT_H

#include <stddef.h>

/* The verdict of one test, as QIR's TestResult plus "not run". */
typedef enum quire_verdict {
    QUIRE_VERDICT_NONE = 0,    /* not run (yet): JSON null */
    QUIRE_VERDICT_SUCCEEDED,   /* "succeeded" */
    QUIRE_VERDICT_FAILED,      /* "failed" */
    QUIRE_VERDICT_UNSUPPORTED, /* "unsupported" (endpoint exited 127) */
} quire_verdict;

/* "succeeded", "failed", "unsupported", or NULL for QUIRE_VERDICT_NONE. */
const char *quire_verdict_name(quire_verdict v);
/* QIR's symbols: ✓ ✕ ? ("" for none). */
const char *quire_verdict_symbol(quire_verdict v);

/* `quire run --probe`: quire probe's cases against one server (docs/probe.md), the server's
 * probe column beside the matrix. In the file: top-level "probe": {server: {"result",
 * "explanation", "duration", "log", "passed", "failed", "not_applicable", "failed_cases"}}. */
typedef struct quire_result_probe {
    quire_verdict verdict; /* NONE: not run (yet); SUCCEEDED: no case failed; FAILED: a case
                              failed or the probe did not get through; UNSUPPORTED: the server
                              does not run the handshake test case (exit 127) */
    char *explanation;     /* may be NULL */
    double duration;       /* seconds; < 0 when unknown */
    char *log;             /* the test directory relative to log_dir; may be NULL */
    unsigned passed, failed, not_applicable; /* the cases' verdicts (0 when none were read) */
    char *failed_cases;    /* the failed cases' names, comma-separated; may be NULL */
} quire_result_probe;

/* An implementation (server or client). */
typedef struct quire_result_impl {
    char *name;
    char *url; /* may be NULL */
    quire_result_probe *probe; /* servers: the probe column's cell; NULL: no probe asked for */
} quire_result_impl;

typedef enum quire_test_kind {
    QUIRE_TEST_CASE = 0,   /* pass/fail test case: goes to "results" */
    QUIRE_TEST_MEASUREMENT /* repeated measurement: goes to "measurements" */
} quire_test_kind;

/* A test case or measurement: QIR's abbreviation (the key), name and description. */
typedef struct quire_result_test {
    char *abbr; /* "H", "DC", "G", ... */
    char *name; /* "handshake", "chacha20", "goodput", ... (TESTCASE value); never NULL,
                   the abbreviation when not given */
    char *desc; /* may be NULL ("" in the file) */
    char *unit; /* measurements: "kbps", ...; may be NULL */
    quire_test_kind kind;
} quire_result_test;

/* The outcome of one (server, client, test case). */
typedef struct quire_result_cell {
    quire_verdict verdict;
    char *explanation; /* one line, why it failed / what it saw; may be NULL */
    double duration;   /* seconds; < 0 when unknown */
    char *log;         /* log directory relative to the model's log_dir; may be NULL */
    int has_load;      /* load is known */
    double load;       /* the machine's CPU pressure while it ran, 0..1 (load.h) */
    char *spec;        /* the spec rules' verdict on its captures, JSON text ("spec" in the
                          file: {"clean": bool, "count": n, "violations": [...]}); may be NULL */
} quire_result_cell;

/* The outcome of one (server, client, measurement). */
typedef struct quire_result_meas {
    quire_verdict verdict;
    char *details; /* QIR's "12345 (± 67) kbps"; "" when not succeeded; may be NULL */
    int has_stats; /* mean/stdev/unit are valid */
    double mean, stdev;
    char *unit;        /* may be NULL */
    char *explanation; /* may be NULL */
    double duration;   /* seconds; < 0 when unknown */
    char *log;         /* relative; may be NULL */
    int has_load;      /* load is known */
    double load;       /* CPU pressure while it ran (the highest of its runs), 0..1 */
} quire_result_meas;

typedef struct quire_result {
    double start_time, end_time; /* unix seconds; 0 when unknown */
    char *log_dir;               /* may be NULL */
    char *quic_version;          /* "0x1"; may be NULL */
    long quic_draft;             /* < 0 when absent (current QIR files have none) */

    quire_result_impl *servers;
    size_t nservers;
    quire_result_impl *clients;
    size_t nclients;
    quire_result_test *tests; /* test cases and measurements, in insertion order */
    size_t ntests;

    /* private: the grid, use the accessors below */
    void *cells_;
    size_t cap_servers_, cap_clients_, cap_tests_;
} quire_result;

/* Unix times a report can show as a date: after 1970 and before the year 10000 (a file's
 * 1e100 would overflow time_t). 1 or 0. */
#define QUIRE_RESULT_TIME_MAX 253402300800.0
#define quire_result_time_ok(t) ((t) > 0 && (t) < QUIRE_RESULT_TIME_MAX)

/* Caller storage; _free releases everything (safe after a failed _init or _load). */
void quire_result_init(quire_result *r);
void quire_result_free(quire_result *r);

/* Add an implementation or test; return its index (>= 0) or a QUIRE_ERR_*. Adding a name that
 * exists returns the existing index (and fills a missing url/desc/unit). */
int quire_result_add_server(quire_result *r, const char *name, const char *url);
int quire_result_add_client(quire_result *r, const char *name, const char *url);
int quire_result_add_test(quire_result *r, quire_test_kind kind, const char *abbr, const char *name,
                          const char *desc, const char *unit);

/* Index of a name, or QUIRE_ERR_NOTFOUND. Tests are found by abbreviation or by name. */
int quire_result_find_server(const quire_result *r, const char *name);
int quire_result_find_client(const quire_result *r, const char *name);
int quire_result_find_test(const quire_result *r, const char *abbr_or_name);

/* Scalar fields; strings are copied (NULL clears). */
int quire_result_set_log_dir(quire_result *r, const char *log_dir);
int quire_result_set_quic_version(quire_result *r, const char *version);

/* Record the outcome of a test case. explanation and log may be NULL; duration < 0 = unknown.
 * Returns 0, QUIRE_ERR_NOTFOUND (unknown name) or QUIRE_ERR_INVALID (test is a measurement). */
int quire_result_set(quire_result *r, const char *server, const char *client, const char *test,
                     quire_verdict v, const char *explanation, double duration, const char *log);

/* Record the outcome of a measurement from its repetitions' values (in the test's unit):
 * mean and sample standard deviation (0 for one value) and QIR's details string
 * "%.0f (± %.0f) unit". For a verdict other than succeeded, values may be NULL/0 and details
 * is "" as in QIR. */
int quire_result_set_measurement(quire_result *r, const char *server, const char *client,
                                 const char *test, quire_verdict v, const double *values,
                                 size_t nvalues, const char *explanation, double duration,
                                 const char *log);

/* Cells by index (NULL when out of range). For a measurement index, _cell returns NULL, and
 * for a test-case index, _meas returns NULL. */
const quire_result_cell *quire_result_cell_get(const quire_result *r, size_t server, size_t client,
                                               size_t test);
const quire_result_meas *quire_result_meas_get(const quire_result *r, size_t server, size_t client,
                                               size_t test);

/* What a test reports whichever its kind: a view into its cell or measurement. */
typedef struct quire_result_outcome {
    quire_verdict verdict;
    const char *explanation; /* may be NULL */
    double duration;         /* seconds; < 0 when unknown */
    const char *log;         /* relative; may be NULL */
    int has_load;
    double load; /* CPU pressure while it ran, 0..1 */
} quire_result_outcome;

/* Above this CPU pressure (the share of the test's time in which some task waited for a CPU),
 * reports flag a result as taken on an overloaded machine: its timing may not be the peers'. */
#define QUIRE_RESULT_LOAD_HIGH 0.25

/* 1 when o was measured on an overloaded machine (QUIRE_RESULT_LOAD_HIGH). */
int quire_result_overloaded(const quire_result_outcome *o);

/* The outcome of test t for (server s, client c), test case or measurement. 0, or
 * QUIRE_ERR_NOTFOUND when an index is out of range (*o is then "not run"). */
int quire_result_outcome_get(const quire_result *r, size_t s, size_t c, size_t t,
                             quire_result_outcome *o);

/* QIR's auto-unsupported rule (scheduler.c) keeps a failed cell's explanation and appends this
 * mark plus "clients" or "servers" when it turns the failure into "unsupported". */
#define QUIRE_RESULT_RULE_MARK "; marked unsupported: failed against all "

/* 1 when o is a failure that the auto-unsupported rule turned into "unsupported". */
int quire_result_rule_hidden(const quire_result_outcome *o);

/* Records the machine's CPU pressure (0..1) while the test (case or measurement) ran; a later
 * quire_result_set* of the same test forgets it. 0, QUIRE_ERR_NOTFOUND or QUIRE_ERR_INVALID. */
int quire_result_set_load(quire_result *r, const char *server, const char *client,
                          const char *test, double load);

/* Replaces the log directory (copied; NULL: none) of test t of (server s, client c), a test
 * case or a measurement, keeping the rest. 0, QUIRE_ERR_NOTFOUND or QUIRE_ERR_NOMEM. */
int quire_result_set_log(quire_result *r, size_t s, size_t c, size_t t, const char *log);

/* Records the spec rules' verdict (JSON text of an object, copied) on a test case's captures;
 * a later quire_result_set of the same test forgets it. 0, QUIRE_ERR_NOTFOUND,
 * QUIRE_ERR_INVALID (a measurement) or QUIRE_ERR_NOMEM. */
int quire_result_set_spec(quire_result *r, const char *server, const char *client,
                          const char *test, const char *spec_json);

/* Copy a whole cell (deep) into the grid by index, e.g. when merging models. 0,
 * QUIRE_ERR_NOTFOUND (index out of range), QUIRE_ERR_INVALID (wrong kind) or NOMEM. */
int quire_result_cell_put(quire_result *r, size_t server, size_t client, size_t test,
                          const quire_result_cell *src);
int quire_result_meas_put(quire_result *r, size_t server, size_t client, size_t test,
                          const quire_result_meas *src);

/* Gives server a probe cell (not run) if it has none, so the run's file lists the probe as
 * asked for. 0, QUIRE_ERR_NOTFOUND or QUIRE_ERR_NOMEM. */
int quire_result_add_probe(quire_result *r, const char *server);

/* Records server's probe outcome (strings copied). 0, QUIRE_ERR_NOTFOUND or QUIRE_ERR_NOMEM
 * (the earlier record stays). */
int quire_result_set_probe(quire_result *r, const char *server, const quire_result_probe *p);

/* Server s's probe cell, or NULL (no probe asked for, or s out of range). */
const quire_result_probe *quire_result_probe_get(const quire_result *r, size_t s);

/* How many servers have a probe cell (run or not). */
size_t quire_result_count_probes(const quire_result *r);

/* Counts of verdicts over all test-case cells (not measurements). */
typedef struct quire_result_counts {
    size_t succeeded, failed, unsupported, none;
} quire_result_counts;
void quire_result_count(const quire_result *r, quire_result_counts *c);

/* Number of tests of one kind (test cases or measurements). */
size_t quire_result_count_tests(const quire_result *r, quire_test_kind kind);

/* Saving and loading result.json (quire_result_save, _load, _to_json) */
#include "report/resultjson.h"

#endif
