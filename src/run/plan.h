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

/* The comma-separated names of r's servers (which 0), clients (1) or test cases (2, by
 * abbreviation), malloc'd; NULL when out of memory or the list is empty. */
char *quire_plan_names(const quire_result *r, int which);

/* The path of `to` relative to the directory `from` (both absolute, normalized) into out,
 * e.g. from /a/b/new to /a/b/old/x gives ../old/x. QUIRE_ERR_INVALID if a path is not
 * absolute or out is too small. */
int quire_plan_relpath(const char *from, const char *to, char *out, size_t outsize);

#endif
