/* Markdown report in QIR's table layout (see markdown.h). */
#include "report/markdown.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/err.h"

/* Display width of UTF-8 text: code points, which is right for the ASCII names and the
 * one-column symbols (✓ ✕ ±) that appear here. */
static size_t width(const char *s, size_t len)
{
    size_t w = 0;
    for (size_t i = 0; i < len; i++)
        w += ((unsigned char)s[i] & 0xc0) != 0x80;
    return w;
}

/* A table of (1 + ncols) x (1 + nrows) cells; cell text is kept in one buffer each. */
typedef struct table {
    size_t ncols, nrows;
    quire_buf *cells; /* row-major, row 0 is the header */
} table;

static int table_init(table *t, size_t ncols, size_t nrows)
{
    t->ncols = ncols + 1;
    t->nrows = nrows + 1;
    t->cells = calloc(t->ncols * t->nrows, sizeof *t->cells);
    return t->cells ? 0 : QUIRE_ERR_NOMEM;
}

static void table_free(table *t)
{
    for (size_t i = 0; t->cells && i < t->ncols * t->nrows; i++)
        quire_buf_free(&t->cells[i]);
    free(t->cells);
}

static quire_buf *cell(table *t, size_t row, size_t col)
{
    return &t->cells[row * t->ncols + col];
}

/* Appends text with '|' escaped, so a name cannot split a Markdown cell. */
static int put_text(quire_buf *b, const char *s)
{
    for (; *s; s++) {
        if (*s == '|' && quire_buf_putc(b, '\\')) return QUIRE_ERR_NOMEM;
        if (quire_buf_putc(b, *s == '\n' ? ' ' : *s)) return QUIRE_ERR_NOMEM;
    }
    return 0;
}

static int pad(quire_buf *b, size_t n)
{
    while (n--)
        if (quire_buf_putc(b, ' ')) return QUIRE_ERR_NOMEM;
    return 0;
}

/* prettytable's centring: with an odd excess, the extra space goes right of odd-width text
 * and left of even-width text. */
static int centred(quire_buf *b, const quire_buf *text, size_t w)
{
    size_t tw = width(quire_buf_str(text), text->len), ex = w - tw, left = ex / 2;
    if (ex % 2 && tw % 2 == 0) left++;
    if (pad(b, left + 1) ||
        quire_buf_append(b, text->data ? text->data : (const uint8_t *)"", text->len) ||
        pad(b, ex - left + 1))
        return QUIRE_ERR_NOMEM;
    return 0;
}

static int table_print(table *t, quire_buf *out)
{
    size_t *w = calloc(t->ncols, sizeof *w);
    if (!w) return QUIRE_ERR_NOMEM;
    for (size_t c = 0; c < t->ncols; c++) {
        w[c] = 3; /* room for the ":-:" alignment marker */
        for (size_t r = 0; r < t->nrows; r++) {
            quire_buf *b = cell(t, r, c);
            size_t cw = width(quire_buf_str(b), b->len);
            if (cw > w[c]) w[c] = cw;
        }
    }
    int rv = 0;
    for (size_t r = 0; r < t->nrows && !rv; r++) {
        for (size_t c = 0; c < t->ncols && !rv; c++)
            rv =
                quire_buf_putc(out, '|') || centred(out, cell(t, r, c), w[c]) ? QUIRE_ERR_NOMEM : 0;
        rv = rv || quire_buf_append(out, "|\n", 2) ? QUIRE_ERR_NOMEM : 0;
        if (r || rv) continue;
        for (size_t c = 0; c < t->ncols && !rv; c++) {
            rv = quire_buf_append(out, "| :", 3) ? QUIRE_ERR_NOMEM : 0;
            for (size_t i = 0; i + 2 < w[c] && !rv; i++)
                rv = quire_buf_putc(out, '-');
            rv = rv || quire_buf_append(out, ": ", 2) ? QUIRE_ERR_NOMEM : 0;
        }
        rv = rv || quire_buf_append(out, "|\n", 2) ? QUIRE_ERR_NOMEM : 0;
    }
    free(w);
    return rv;
}

static int headers(const quire_result *r, table *t)
{
    for (size_t s = 0; s < r->nservers; s++)
        if (put_text(cell(t, 0, s + 1), r->servers[s].name)) return QUIRE_ERR_NOMEM;
    for (size_t c = 0; c < r->nclients; c++)
        if (put_text(cell(t, c + 1, 0), r->clients[c].name)) return QUIRE_ERR_NOMEM;
    return 0;
}

/* QIR's get_letters(): symbol + "(" + comma-separated abbreviations + ")" */
static int letters(const quire_result *r, size_t s, size_t c, quire_verdict v, quire_buf *b)
{
    int first = 1;
    if (quire_buf_printf(b, "%s(", quire_verdict_symbol(v))) return QUIRE_ERR_NOMEM;
    for (size_t t = 0; t < r->ntests; t++) {
        const quire_result_cell *x = quire_result_cell_get(r, s, c, t);
        if (!x || x->verdict != v) continue;
        if ((!first && quire_buf_putc(b, ',')) || put_text(b, r->tests[t].abbr))
            return QUIRE_ERR_NOMEM;
        first = 0;
    }
    return quire_buf_putc(b, ')') ? QUIRE_ERR_NOMEM : 0;
}

/* The spec badge of a cell, when some of its tests have a spec verdict: "spec✓" when all are
 * clean, else "spec✕(" + the abbreviations of those with violations + ")". */
static int spec_badge(const quire_result *r, size_t s, size_t c, quire_buf *b)
{
    size_t known = 0, bad = 0;
    for (size_t t = 0; t < r->ntests; t++) {
        const quire_result_cell *x = quire_result_cell_get(r, s, c, t);
        quire_result_spec sp;
        quire_result_spec_read(x ? x->spec : NULL, &sp);
        known += sp.known != 0;
        bad += sp.known && !sp.clean;
    }
    if (!known) return 0;
    if (!bad) return quire_buf_printf(b, "<br>spec\u2713") ? QUIRE_ERR_NOMEM : 0;
    if (quire_buf_printf(b, "<br>spec\u2715(")) return QUIRE_ERR_NOMEM;
    int first = 1;
    for (size_t t = 0; t < r->ntests; t++) {
        const quire_result_cell *x = quire_result_cell_get(r, s, c, t);
        quire_result_spec sp;
        quire_result_spec_read(x ? x->spec : NULL, &sp);
        if (!sp.known || sp.clean) continue;
        if ((!first && quire_buf_putc(b, ',')) || put_text(b, r->tests[t].abbr))
            return QUIRE_ERR_NOMEM;
        first = 0;
    }
    return quire_buf_putc(b, ')') ? QUIRE_ERR_NOMEM : 0;
}

/* A test-case cell: QIR's succeeded, unsupported and failed letters, one per line, and the
 * spec badge. */
static int tests_cell(const quire_result *r, size_t s, size_t c, quire_buf *b)
{
    if (letters(r, s, c, QUIRE_VERDICT_SUCCEEDED, b) || quire_buf_append(b, "<br>", 4) ||
        letters(r, s, c, QUIRE_VERDICT_UNSUPPORTED, b) || quire_buf_append(b, "<br>", 4) ||
        letters(r, s, c, QUIRE_VERDICT_FAILED, b) || spec_badge(r, s, c, b))
        return QUIRE_ERR_NOMEM;
    return 0;
}

/* A measurement cell: each measurement that ran, with its details when it succeeded. */
static int measurements_cell(const quire_result *r, size_t s, size_t c, quire_buf *b)
{
    for (size_t i = 0; i < r->ntests; i++) {
        const quire_result_meas *m = quire_result_meas_get(r, s, c, i);
        if (!m || m->verdict == QUIRE_VERDICT_NONE) continue;
        /* QIR joins with "\n", which ends a Markdown row; "<br>" keeps it one cell */
        if ((b->len && quire_buf_append(b, "<br>", 4)) || put_text(b, r->tests[i].abbr) ||
            (m->verdict == QUIRE_VERDICT_SUCCEEDED &&
             (quire_buf_append(b, ": ", 2) || put_text(b, m->details ? m->details : ""))))
            return QUIRE_ERR_NOMEM;
    }
    return 0;
}

/* A clients x servers table whose cells fill_cell writes. */
static int matrix_table(const quire_result *r,
                        int (*fill_cell)(const quire_result *r, size_t s, size_t c, quire_buf *b),
                        quire_buf *out)
{
    table t;
    if (table_init(&t, r->nservers, r->nclients)) return QUIRE_ERR_NOMEM;
    int rv = headers(r, &t);
    for (size_t c = 0; c < r->nclients && !rv; c++)
        for (size_t s = 0; s < r->nservers && !rv; s++)
            rv = fill_cell(r, s, c, cell(&t, c + 1, s + 1));
    if (!rv) rv = table_print(&t, out);
    table_free(&t);
    return rv;
}

int quire_markdown_write_tables(const quire_result *r, quire_buf *out)
{
    size_t ncases = quire_result_count_tests(r, QUIRE_TEST_CASE);
    size_t nmeas = quire_result_count_tests(r, QUIRE_TEST_MEASUREMENT);
    int rv = 0;
    if (ncases) rv = matrix_table(r, tests_cell, out);
    if (!rv && ncases && nmeas && quire_buf_putc(out, '\n')) rv = QUIRE_ERR_NOMEM;
    if (!rv && nmeas) rv = matrix_table(r, measurements_cell, out);
    return rv;
}

/* Appends one failure line: "- server → client: H (handshake): explanation ([log](dir))",
 * with the machine's CPU pressure when it was overloaded. */
static int failure_line(const quire_result *r, size_t s, size_t c, size_t t,
                        const quire_result_outcome *o, quire_buf *out)
{
    const char *expl = o->explanation, *log = o->log;
    const quire_result_test *tt = &r->tests[t];
    if (quire_buf_append(out, "- ", 2) || put_text(out, r->servers[s].name) ||
        quire_buf_append(out, " (server) / ", 12) || put_text(out, r->clients[c].name) ||
        quire_buf_append(out, " (client): **", 13) || put_text(out, tt->abbr) ||
        quire_buf_append(out, "** ", 3) || put_text(out, tt->name ? tt->name : tt->abbr) ||
        quire_buf_append(out, ": ", 2) ||
        put_text(out, expl && *expl ? expl : "no explanation recorded"))
        return QUIRE_ERR_NOMEM;
    if (quire_result_overloaded(o) &&
        quire_buf_printf(out, " (taken on an overloaded machine: CPU pressure %.0f %%)",
                         o->load * 100))
        return QUIRE_ERR_NOMEM;
    /* QIR's layout is <log_dir>/<server>_<client>/<test name> */
    if (quire_buf_append(out, " ([log](", 8)) return QUIRE_ERR_NOMEM;
    if (r->log_dir && quire_buf_printf(out, "%s/", r->log_dir)) return QUIRE_ERR_NOMEM;
    if (log ? quire_buf_printf(out, "%s", log)
            : quire_buf_printf(out, "%s_%s/%s", r->servers[s].name, r->clients[c].name,
                               tt->name ? tt->name : tt->abbr))
        return QUIRE_ERR_NOMEM;
    return quire_buf_append(out, "))\n", 3) ? QUIRE_ERR_NOMEM : 0;
}

/* Lists the cells with verdict v under title; for "unsupported", only the failures that QIR's
 * auto-unsupported rule turned into it; for QUIRE_VERDICT_NONE, every result taken on an
 * overloaded machine, whatever its verdict. */
static int failure_list(const quire_result *r, quire_verdict v, const char *title, quire_buf *out)
{
    size_t n = 0;
    int rv = 0;
    for (size_t c = 0; c < r->nclients && !rv; c++)
        for (size_t s = 0; s < r->nservers && !rv; s++)
            for (size_t t = 0; t < r->ntests && !rv; t++) {
                quire_result_outcome o;
                quire_result_outcome_get(r, s, c, t, &o);
                if (v == QUIRE_VERDICT_NONE
                        ? o.verdict == QUIRE_VERDICT_NONE || !quire_result_overloaded(&o)
                        : o.verdict != v)
                    continue;
                if (v == QUIRE_VERDICT_UNSUPPORTED && !quire_result_rule_hidden(&o)) continue;
                if (!n++ && quire_buf_printf(out, "\n### %s\n\n", title)) rv = QUIRE_ERR_NOMEM;
                if (!rv) rv = failure_line(r, s, c, t, &o, out);
            }
    return rv;
}

/* Lists the tests whose captures broke spec rules: "- server (server) / client (client):
 * **H** handshake: 2 violations: rule,rule". */
static int spec_list(const quire_result *r, quire_buf *out)
{
    size_t n = 0;
    for (size_t c = 0; c < r->nclients; c++)
        for (size_t s = 0; s < r->nservers; s++)
            for (size_t t = 0; t < r->ntests; t++) {
                const quire_result_cell *x = quire_result_cell_get(r, s, c, t);
                quire_result_spec sp;
                quire_result_spec_read(x ? x->spec : NULL, &sp);
                if (!sp.known || sp.clean) continue;
                const quire_result_test *tt = &r->tests[t];
                if ((!n++ && quire_buf_printf(out, "\n### Spec violations (docs/spec.md)\n\n")) ||
                    quire_buf_append(out, "- ", 2) || put_text(out, r->servers[s].name) ||
                    quire_buf_append(out, " (server) / ", 12) ||
                    put_text(out, r->clients[c].name) ||
                    quire_buf_append(out, " (client): **", 13) || put_text(out, tt->abbr) ||
                    quire_buf_append(out, "** ", 3) ||
                    put_text(out, tt->name ? tt->name : tt->abbr) ||
                    quire_buf_printf(out, ": %llu violation%s: ", sp.count,
                                     sp.count == 1 ? "" : "s") ||
                    put_text(out, sp.rules) || quire_buf_putc(out, '\n'))
                    return QUIRE_ERR_NOMEM;
            }
    return 0;
}

/* `quire run --probe`'s column (result.h): a table with the servers as the matrix has them and
 * one row, each cell "✓ 52/57" (verdict, passed of all cases), then one line per server whose
 * probe did not pass: "- server (server): explanation ([log](dir))". Nothing without probes. */
static int probe_section(const quire_result *r, quire_buf *out)
{
    if (!quire_result_count_probes(r)) return 0;
    table t;
    if (table_init(&t, r->nservers, 1)) return QUIRE_ERR_NOMEM;
    int rv = quire_buf_printf(out, "\n### Probe (quire probe's cases against each server, "
                                   "docs/probe.md)\n\n") ||
                     put_text(cell(&t, 1, 0), "quire-probe")
                 ? QUIRE_ERR_NOMEM
                 : 0;
    for (size_t s = 0; s < r->nservers && !rv; s++) {
        const quire_result_probe *p = quire_result_probe_get(r, s);
        quire_buf *b = cell(&t, 1, s + 1);
        if (put_text(cell(&t, 0, s + 1), r->servers[s].name) ||
            (p && p->verdict && quire_buf_printf(b, "%s", quire_verdict_symbol(p->verdict))) ||
            (p && p->passed + p->failed + p->not_applicable &&
             quire_buf_printf(b, " %u/%u", p->passed, p->passed + p->failed + p->not_applicable)))
            rv = QUIRE_ERR_NOMEM;
    }
    if (!rv) rv = table_print(&t, out);
    table_free(&t);
    for (size_t s = 0, n = 0; s < r->nservers && !rv; s++) {
        const quire_result_probe *p = quire_result_probe_get(r, s);
        if (!p || p->verdict == QUIRE_VERDICT_NONE || p->verdict == QUIRE_VERDICT_SUCCEEDED)
            continue;
        if ((!n++ && quire_buf_putc(out, '\n')) || quire_buf_append(out, "- ", 2) ||
            put_text(out, r->servers[s].name) || quire_buf_append(out, " (server): ", 11) ||
            put_text(out, p->explanation && *p->explanation ? p->explanation
                                                              : "no explanation recorded") ||
            (p->log && (quire_buf_append(out, " ([log](", 8) ||
                        (r->log_dir && quire_buf_printf(out, "%s/", r->log_dir)) ||
                        quire_buf_printf(out, "%s)", p->log) || quire_buf_putc(out, ')'))) ||
            quire_buf_putc(out, '\n'))
            rv = QUIRE_ERR_NOMEM;
    }
    return rv;
}

int quire_markdown_write(const quire_result *r, quire_buf *out)
{
    int rv = quire_markdown_write_tables(r, out);
    if (!rv) rv = probe_section(r, out);
    if (!rv) rv = failure_list(r, QUIRE_VERDICT_FAILED, "Failed tests", out);
    if (!rv)
        rv = failure_list(r, QUIRE_VERDICT_UNSUPPORTED,
                          "Failures marked unsupported by QIR's rule (failed against every peer)",
                          out);
    char title[128];
    snprintf(title, sizeof title,
             "Taken on an overloaded machine (CPU pressure above %.0f %%: timing may not be the "
             "peers')",
             QUIRE_RESULT_LOAD_HIGH * 100);
    if (!rv) rv = failure_list(r, QUIRE_VERDICT_NONE, title, out);
    if (!rv) rv = spec_list(r, out);
    return rv;
}
