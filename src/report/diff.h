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

/* Appends one line per difference to out ("regression: quic-go→quinn transfer (DC):
 * succeeded → failed: <B's explanation>"), regressions first, then fixes, other changes, new
 * and gone cells, and fills *c. Returns 0 or QUIRE_ERR_NOMEM. */
int quire_diff(const quire_result *a, const quire_result *b, quire_buf *out,
               quire_diff_counts *c);

#endif
