/* A set of runs for the multi-run HTML report (issue 17): result files collected from a
 * directory, as QIR's results website lists them. The directory is either QIR's web layout,
 * with logs.json (a JSON array of run directory names) naming the runs, or any directory whose
 * subdirectories hold a result.json; a run's id is its subdirectory name. Runs are ordered by
 * start time, oldest first (ties by id). */
#ifndef QUIRE_REPORT_RUNS_H
#define QUIRE_REPORT_RUNS_H

#include <stddef.h>

#include "report/result.h"

typedef struct quire_run {
    char *id;   /* subdirectory name, e.g. "logs_2026-12-01T10:00" */
    char *path; /* its result.json */
    quire_result result;
} quire_run;

typedef struct quire_runs {
    quire_run *v;
    size_t n;
} quire_runs;

void quire_runs_init(quire_runs *rs);
void quire_runs_free(quire_runs *rs);

/* Loads path as run id and appends it (unsorted). 0, or QUIRE_ERR_IO / _MALFORMED / _NOMEM
 * with err saying "FILE:LINE:COLUMN: problem". */
int quire_runs_add(quire_runs *rs, const char *id, const char *path, char *err, size_t errlen);

/* Orders the runs by start time, oldest first; equal times by id. Never fails. */
void quire_runs_sort(quire_runs *rs);

/* Collects dir's runs (logs.json if present, else every DIR/<sub>/result.json; symlinks such
 * as QIR's "latest" are skipped) and sorts them. 0 runs is an error. 0, or QUIRE_ERR_IO /
 * _MALFORMED / _NOTFOUND (no runs) / _NOMEM with err naming the file and the problem. */
int quire_runs_load_dir(const char *dir, quire_runs *rs, char *err, size_t errlen);

#endif
