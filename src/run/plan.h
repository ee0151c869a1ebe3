/* Helpers that decide which tests a run executes (issue 9's scale-out options): `--shard K/N`
 * (test number i, counting from 0 in the run's fixed order, belongs to shard (i mod N) + 1, as
 * docs/scale-out.md specifies), `--resume LOGDIR` and `--rerun-failed RESULT.json` (the selection
 * comes from an earlier result file; only its not-run, respectively failed, cells run again). */
#ifndef QUIRE_PLAN_H
#define QUIRE_PLAN_H

#include <stddef.h>

#include "report/result.h"

/* Parses "K/N" with 1 <= K <= N <= 100000. 0, or QUIRE_ERR_INVALID. */
int quire_plan_shard_parse(const char *s, unsigned *k, unsigned *n);

/* Whether test number i belongs to shard k of n. */
int quire_plan_in_shard(size_t i, unsigned k, unsigned n);

/* The comma-separated names of r's servers (which 0), clients (1) or tests (2: test cases and
 * measurements, by abbreviation), malloc'd; NULL when out of memory or the list is empty. */
char *quire_plan_names(const quire_result *r, int which);

/* The path of `to` relative to the directory `from` (both absolute, normalized) into out,
 * e.g. from /a/b/new to /a/b/old/x gives ../old/x. QUIRE_ERR_INVALID if a path is not
 * absolute or out is too small. */
int quire_plan_relpath(const char *from, const char *to, char *out, size_t outsize);

/* --rerun-failed: point the kept (not failed) cells' log paths of r, relative to r->log_dir,
 * into the new log dir new_dir (which need not exist yet); abs_new (PATH_MAX bytes) receives
 * new_dir's absolute name. On any path that cannot be resolved, leaves the cells as they are. */
void quire_plan_relink_logs(quire_result *r, char *abs_new, const char *new_dir);

#endif
