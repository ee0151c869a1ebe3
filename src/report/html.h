/* The result matrix as one self-contained HTML page (issue 9): inline CSS and JavaScript,
 * no network fetches, works offline from a file. Clients are rows and servers columns; each
 * (server, client) cell shows every test case as a coloured badge (succeeded, unsupported,
 * failed, not run) linking to its log directory; a second matrix shows the measurements as
 * mean ± stdev; a table lists every failure with its explanation and log link. Buttons filter
 * by server, client, test and verdict: the script only rewrites one style sheet, so filtering
 * costs the same for 1 pair or 400. */
#ifndef QUIRE_HTML_H
#define QUIRE_HTML_H

#include "report/result.h"
#include "util/buf.h"

typedef struct quire_html_options {
    const char *title;     /* page title; NULL: "quire interop results" */
    const char *logs_base; /* prefix of log links; NULL: the result's log_dir */
} quire_html_options;

/* Appends the page to out; opts may be NULL. 0 or QUIRE_ERR_NOMEM. */
int quire_html_write(const quire_result *r, const quire_html_options *opts, quire_buf *out);

/* The pieces the multi-run page (htmlruns.h) shares with this one. Each appends to out and
 * returns 0 or QUIRE_ERR_NOMEM. _head: doctype, the CSS (plus extra_css, may be NULL) and the
 * <h1>; _run_meta: the line of times and counts (ids n-ok<sfx>, n-f<sfx>, ...); _run_body: the
 * matrices (ids matrix<sfx>, measurements<sfx>) and the failure table (failures<sfx>). */
int quire_html_head(const char *title, const char *extra_css, quire_buf *out);
int quire_html_run_meta(const quire_result *r, const char *sfx, quire_buf *out);
int quire_html_run_body(const quire_result *r, const quire_html_options *opts, const char *sfx,
                        quire_buf *out);

/* Renders and writes the page to path atomically (temporary file + rename). */
int quire_html_save(const quire_result *r, const quire_html_options *opts, const char *path);

#endif
