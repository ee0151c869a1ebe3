/* Experiment outputs: experiment_summary.json (every run: sweep point, iteration, scenario,
 * services with their command, exit and output files, metrics, each assertion's verdict and
 * evidence; per sweep point min/median/max of the metrics; totals) and report.md, the same for
 * people. Both are written atomically into the output directory. */
#ifndef QUIRE_SUMMARY_H
#define QUIRE_SUMMARY_H

#include <stddef.h>

#include "experiment/runner.h"

typedef struct quire_summary_totals {
    size_t runs, skipped, errors;
    size_t passed, failed; /* assertions */
} quire_summary_totals;

void quire_summary_totals_of(const quire_xrun *runs, size_t n, quire_summary_totals *t);

/* Writes both files; returns 0 or a negative QUIRE_ERR_* with err set. */
int quire_summary_write(const quire_experiment *x, const quire_xrun *runs, size_t n,
                        const char *out_dir, char *err, size_t errlen);

/* The Markdown report alone, into a malloc'ed string (tests). */
char *quire_summary_markdown(const quire_experiment *x, const quire_xrun *runs, size_t n);

#endif
