/* Joining result files: shards of one run (quire run --shard K/N), reruns, and the QUIC
 * Interop Runner's result files. The merged model has the union of the servers, clients and
 * tests (in order of first appearance) and every cell that any input ran. Two inputs that
 * ran the same (server, client, test) with the same verdict and explanation agree; with a
 * different outcome they conflict: an error naming both files, or with
 * QUIRE_MERGE_LAST_WINS the later file's outcome and a warning.
 *
 * Log paths: when every input has the same log_dir, it is kept and cell logs are unchanged.
 * Otherwise the merged log_dir is empty and each cell's log becomes <its log_dir>/<its log>
 * (QIR's <server>_<client>/<test name> when the file had none), so links keep pointing at
 * each shard's own log directory.
 *
 * quire_merge_compare() tells whether two models hold the same results regardless of the
 * order of implementations and tests, optionally ignoring timings: it checks that merged
 * shards equal an unsharded run. */
#ifndef QUIRE_MERGE_H
#define QUIRE_MERGE_H

#include "report/result.h"
#include "util/buf.h"

typedef enum quire_merge_policy {
    QUIRE_MERGE_STRICT = 0,   /* a conflict is an error */
    QUIRE_MERGE_LAST_WINS = 1 /* a conflict is a warning; the later input wins */
} quire_merge_policy;

/* Merges in[0..n) (names[i] used in messages) into out, an initialized empty model.
 * Warnings, one per line, are appended to warnings (may be NULL). Returns 0, or
 * QUIRE_ERR_INVALID (conflict, or a test that is a measurement in one input and a test case
 * in another) with errbuf saying which cell in which files, or QUIRE_ERR_NOMEM. */
int quire_merge(const quire_result *const *in, const char *const *names, size_t n,
                quire_merge_policy policy, quire_result *out, quire_buf *warnings, char *errbuf,
                size_t errlen);

/* What to leave out of a comparison. */
enum {
    QUIRE_COMPARE_TIMES = 1, /* ignore start/end time and durations */
    QUIRE_COMPARE_LOGS = 2,  /* ignore log_dir and cell log paths */
};

/* 0 when a and b hold the same results (matched by name), else QUIRE_ERR_INVALID with the
 * first difference described in diff. */
int quire_merge_compare(const quire_result *a, const quire_result *b, int ignore, char *diff,
                        size_t difflen);

#endif
