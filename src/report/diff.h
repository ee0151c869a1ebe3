/* What changed between two results of the same matrix (`quire diff A.json B.json`, for CI):
 * every (server, client, test) of B whose verdict differs from A's, matched by names (test by
 * abbreviation), test cases and measurements alike. A regression is a cell that did not fail
 * in A (succeeded, unsupported) and failed in B; a fix failed in A and succeeded in B; a cell
 * only one file has is "new" or "gone" (not a regression: a new pair or test case). */
#ifndef QUIRE_REPORT_DIFF_H
#define QUIRE_REPORT_DIFF_H

#include <stddef.h>

#include "report/result.h"
#include "util/buf.h"

typedef struct quire_diff_counts {
    size_t regressions, fixes, changed, added_failed, added, gone, same;
} quire_diff_counts;

/* How one cell changed from A's verdict to B's. */
typedef enum quire_diff_kind {
    QUIRE_DIFF_SAME = -1,      /* same verdict */
    QUIRE_DIFF_REGRESSION = 0, /* did not fail in A (succeeded, unsupported), failed in B */
    QUIRE_DIFF_FIX,            /* failed in A, succeeded in B */
    QUIRE_DIFF_CHANGED,        /* any other change between two verdicts that ran */
    QUIRE_DIFF_ADDED,          /* not run in A, run in B */
    QUIRE_DIFF_GONE,           /* run in A, not run in B */
} quire_diff_kind;

/* The kind of change from verdict a to b (the rule `quire diff` and the multi-run HTML report
 * share). Never fails. */
quire_diff_kind quire_diff_classify(quire_verdict a, quire_verdict b);
/* "regression", "fixed", "changed", "new", "gone", or "same". Never fails. */
const char *quire_diff_kind_name(quire_diff_kind k);

/* Appends one line per difference to out ("regression: quic-go→quinn transfer (DC):
 * succeeded → failed: <B's explanation>"), regressions first, then fixes, other changes, new
 * and gone cells, and fills *c. Returns 0 or QUIRE_ERR_NOMEM. */
int quire_diff(const quire_result *a, const quire_result *b, quire_buf *out,
               quire_diff_counts *c);

#endif
