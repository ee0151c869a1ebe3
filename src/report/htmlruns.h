/* The multi-run HTML report (issue 17, QIR's results website as one file): a run selector
 * (newest first and selected; "?run=ID" or "#run=ID" selects another), the selected run's
 * matrix as rendered by html.h (every run's matrix is in the page, the others hidden), each
 * cell's history across runs (hover a badge, or "#cell=SERVER,CLIENT,ABBR"), and the changes
 * against a baseline run ("&base=ID"; default: the run before the selected one): regressions
 * and fixes, classified by diff.h's rule, are outlined and counted. Runs' names, verdicts and
 * dates go in as embedded JSON read by a small inline script; no network fetches. */
#ifndef QUIRE_HTMLRUNS_H
#define QUIRE_HTMLRUNS_H

#include "report/html.h"
#include "report/runs.h"
#include "util/buf.h"

/* Appends the page for rs (at least one run, sorted oldest first) to out. Log links are
 * <logs_base>/<run id>/<server>_<client>/<test> (logs_base NULL: relative to the page, i.e.
 * the page is written into the runs' directory as QIR's web is). 0, QUIRE_ERR_INVALID (no
 * runs) or QUIRE_ERR_NOMEM. */
int quire_htmlruns_write(const quire_runs *rs, const quire_html_options *opts, quire_buf *out);

#endif
