/* Merging and comparing result models (see merge.h). */
#include "report/merge.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/err.h"

static int streq(const char *a, const char *b)
{
    return (!a && !b) || (a && b && !strcmp(a, b));
}

static int say(char *buf, size_t len, int rv, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
static int say(char *buf, size_t len, int rv, const char *fmt, ...)
{
    if (buf && len) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(buf, len, fmt, ap);
        va_end(ap);
    }
    return rv;
}

static const char *vname(quire_verdict v)
{
    const char *n = quire_verdict_name(v);
    return n ? n : "not run";
}

/* The log path a cell gets in the merged model (see merge.h), log or rebased; NULL on
 * allocation failure. */
static char *merged_log(const quire_result *in, size_t s, size_t c, size_t t, const char *log,
                        int rebase)
{
    char *p = NULL;
    if (!rebase) return strdup(log);
    const char *name = in->tests[t].name ? in->tests[t].name : in->tests[t].abbr;
    const char *dir = in->log_dir && *in->log_dir ? in->log_dir : ".";
    int n = log ? asprintf(&p, "%s/%s", dir, log)
                : asprintf(&p, "%s/%s_%s/%s", dir, in->servers[s].name, in->clients[c].name, name);
    return n < 0 ? NULL : p;
}

static int union_names(const quire_result *in, const char *name, quire_result *out, char *errbuf,
                       size_t errlen)
{
    for (size_t i = 0; i < in->nservers; i++)
        if (quire_result_add_server(out, in->servers[i].name, in->servers[i].url) < 0)
            return say(errbuf, errlen, QUIRE_ERR_NOMEM, "%s: too many servers", name);
    for (size_t i = 0; i < in->nclients; i++)
        if (quire_result_add_client(out, in->clients[i].name, in->clients[i].url) < 0)
            return say(errbuf, errlen, QUIRE_ERR_NOMEM, "%s: too many clients", name);
    for (size_t i = 0; i < in->ntests; i++) {
        const quire_result_test *t = &in->tests[i];
        int rv = quire_result_add_test(out, t->kind, t->abbr, t->name, t->desc, t->unit);
        if (rv == QUIRE_ERR_INVALID)
            return say(errbuf, errlen, rv,
                       "%s: test \"%s\" is a %s here and a %s in an earlier file", name, t->abbr,
                       t->kind == QUIRE_TEST_CASE ? "test case" : "measurement",
                       t->kind == QUIRE_TEST_CASE ? "measurement" : "test case");
        if (rv < 0) return say(errbuf, errlen, rv, "%s: %s", name, quire_strerror(rv));
    }
    return 0;
}

/* Copies the cells input k ran into out, checking them against earlier inputs' (origin). */
static int merge_one(const quire_result *in, size_t k, const char *const *names,
                     quire_merge_policy policy, int rebase, quire_result *out, int *origin,
                     quire_buf *warnings, char *errbuf, size_t errlen)
{
    for (size_t c = 0; c < in->nclients; c++)
        for (size_t s = 0; s < in->nservers; s++)
            for (size_t t = 0; t < in->ntests; t++) {
                const quire_result_cell *x = quire_result_cell_get(in, s, c, t);
                const quire_result_meas *m = x ? NULL : quire_result_meas_get(in, s, c, t);
                quire_result_outcome ov;
                quire_result_outcome_get(in, s, c, t, &ov);
                quire_verdict v = ov.verdict;
                if (v == QUIRE_VERDICT_NONE) continue;
                size_t os = (size_t)quire_result_find_server(out, in->servers[s].name);
                size_t oc = (size_t)quire_result_find_client(out, in->clients[c].name);
                size_t ot = (size_t)quire_result_find_test(out, in->tests[t].abbr);
                int *o = &origin[(oc * out->nservers + os) * out->ntests + ot];
                if (*o >= 0) {
                    /* union_names made the kinds agree: n is there when m is */
                    const quire_result_meas *n = quire_result_meas_get(out, os, oc, ot);
                    quire_result_outcome ow;
                    quire_result_outcome_get(out, os, oc, ot, &ow);
                    quire_verdict w = ow.verdict;
                    int same = w == v && streq(ow.explanation, ov.explanation) &&
                               (x || streq(n->details, m->details));
                    if (!same && policy == QUIRE_MERGE_STRICT)
                        return say(
                            errbuf, errlen, QUIRE_ERR_INVALID,
                            "conflict for server %s, client %s, test %s: %s says %s, %s says %s "
                            "(use --last-wins to take the later file)",
                            in->servers[s].name, in->clients[c].name, in->tests[t].abbr, names[*o],
                            vname(w), names[k], vname(v));
                    if (same) continue;
                    if (warnings &&
                        quire_buf_printf(
                            warnings, "server %s, client %s, test %s: %s (%s) replaces %s (%s)\n",
                            in->servers[s].name, in->clients[c].name, in->tests[t].abbr, vname(v),
                            names[k], vname(w), names[*o]))
                        return QUIRE_ERR_NOMEM;
                }
                const char *log = ov.log;
                char *ml = NULL; /* the cell keeps no log path when it had none and none is made */
                if ((rebase || log) && !(ml = merged_log(in, s, c, t, log, rebase)))
                    return say(errbuf, errlen, QUIRE_ERR_NOMEM, "out of memory");
                int rv;
                if (x) {
                    quire_result_cell cell = *x;
                    cell.log = ml;
                    rv = quire_result_cell_put(out, os, oc, ot, &cell);
                } else {
                    quire_result_meas meas = *m;
                    meas.log = ml;
                    rv = quire_result_meas_put(out, os, oc, ot, &meas);
                }
                free(ml);
                if (rv) return say(errbuf, errlen, rv, "%s", quire_strerror(rv));
                *o = (int)k;
            }
    return 0;
}

/* The probe cells of input k (result.h) into out, as merge_one does the matrix's: porigin[s]
 * is the input that gave out's server s its probe verdict (-1: none yet). */
static int merge_probes(const quire_result *in, size_t k, const char *const *names,
                        quire_merge_policy policy, int rebase, quire_result *out, int *porigin,
                        quire_buf *warnings, char *errbuf, size_t errlen)
{
    for (size_t s = 0; s < in->nservers; s++) {
        const quire_result_probe *p = quire_result_probe_get(in, s);
        if (!p) continue;
        const char *server = in->servers[s].name;
        size_t os = (size_t)quire_result_find_server(out, server);
        int rv = quire_result_add_probe(out, server);
        if (rv) return say(errbuf, errlen, rv, "%s", quire_strerror(rv));
        if (p->verdict == QUIRE_VERDICT_NONE) continue;
        if (porigin[os] >= 0) {
            const quire_result_probe *w = quire_result_probe_get(out, os);
            int same = w->verdict == p->verdict && streq(w->explanation, p->explanation);
            if (!same && policy == QUIRE_MERGE_STRICT)
                return say(errbuf, errlen, QUIRE_ERR_INVALID,
                           "conflict for the probe of server %s: %s says %s, %s says %s (use "
                           "--last-wins to take the later file)",
                           server, names[porigin[os]], vname(w->verdict), names[k],
                           vname(p->verdict));
            if (same) continue;
            if (warnings && quire_buf_printf(warnings,
                                             "server %s, probe: %s (%s) replaces %s (%s)\n",
                                             server, vname(p->verdict), names[k],
                                             vname(w->verdict), names[porigin[os]]))
                return QUIRE_ERR_NOMEM;
        }
        quire_result_probe copy = *p;
        char *ml = NULL;
        const char *dir = in->log_dir && *in->log_dir ? in->log_dir : ".";
        if (rebase && p->log && asprintf(&ml, "%s/%s", dir, p->log) < 0)
            return say(errbuf, errlen, QUIRE_ERR_NOMEM, "out of memory");
        if (ml) copy.log = ml;
        rv = quire_result_set_probe(out, server, &copy);
        free(ml);
        if (rv) return say(errbuf, errlen, rv, "%s", quire_strerror(rv));
        porigin[os] = (int)k;
    }
    return 0;
}

int quire_merge(const quire_result *const *in, const char *const *names, size_t n,
                quire_merge_policy policy, quire_result *out, quire_buf *warnings, char *errbuf,
                size_t errlen)
{
    int rv, rebase = 0;
    if (errbuf && errlen) errbuf[0] = 0;
    for (size_t k = 0; k < n; k++) {
        if ((rv = union_names(in[k], names[k], out, errbuf, errlen))) return rv;
        if (k && !streq(in[k]->log_dir, in[0]->log_dir)) rebase = 1;
    }
    for (size_t k = 0; k < n; k++) {
        const quire_result *r = in[k];
        if (r->start_time > 0 && (out->start_time <= 0 || r->start_time < out->start_time))
            out->start_time = r->start_time;
        if (r->end_time > out->end_time) out->end_time = r->end_time;
        if (out->quic_draft < 0) out->quic_draft = r->quic_draft;
        if (r->quic_version && !out->quic_version) {
            if (quire_result_set_quic_version(out, r->quic_version)) return QUIRE_ERR_NOMEM;
        } else if (r->quic_version && strcmp(r->quic_version, out->quic_version) && warnings &&
                   quire_buf_printf(warnings, "%s: QUIC version %s differs from %s; keeping %s\n",
                                    names[k], r->quic_version, out->quic_version,
                                    out->quic_version))
            return QUIRE_ERR_NOMEM;
    }
    if (n && !rebase && quire_result_set_log_dir(out, in[0]->log_dir)) return QUIRE_ERR_NOMEM;
    if (rebase && warnings &&
        quire_buf_printf(warnings, "the inputs have different log_dir values: each log path now "
                                   "includes its own file's log_dir\n"))
        return QUIRE_ERR_NOMEM;
    size_t cells = out->nservers * out->nclients * out->ntests;
    int *origin = malloc((cells ? cells : 1) * sizeof *origin);
    if (!origin) return say(errbuf, errlen, QUIRE_ERR_NOMEM, "out of memory");
    for (size_t i = 0; i < cells; i++)
        origin[i] = -1;
    rv = 0;
    for (size_t k = 0; k < n && !rv; k++)
        rv = merge_one(in[k], k, names, policy, rebase, out, origin, warnings, errbuf, errlen);
    free(origin);
    /* the probe cells' origins, one per server */
    int *porigin = malloc((out->nservers ? out->nservers : 1) * sizeof *porigin);
    if (!porigin && !rv) rv = say(errbuf, errlen, QUIRE_ERR_NOMEM, "out of memory");
    for (size_t i = 0; porigin && i < out->nservers; i++)
        porigin[i] = -1;
    for (size_t k = 0; k < n && !rv; k++)
        rv = merge_probes(in[k], k, names, policy, rebase, out, porigin, warnings, errbuf,
                          errlen);
    free(porigin);
    return rv;
}

/* ---- comparison ---- */

static int same_time(double a, double b, int ignore)
{
    return (ignore & QUIRE_COMPARE_TIMES) || a == b || (a < 0 && b < 0);
}

static int same_log(const char *a, const char *b, int ignore)
{
    return (ignore & QUIRE_COMPARE_LOGS) || streq(a, b);
}

static int names_match(const quire_result *a, const quire_result *b, char *diff, size_t len)
{
    if (a->nservers != b->nservers || a->nclients != b->nclients || a->ntests != b->ntests)
        return say(diff, len, QUIRE_ERR_INVALID, "sizes differ: %zu x %zu x %zu vs %zu x %zu x %zu",
                   a->nservers, a->nclients, a->ntests, b->nservers, b->nclients, b->ntests);
    for (size_t i = 0; i < a->nservers; i++) {
        int j = quire_result_find_server(b, a->servers[i].name);
        if (j < 0)
            return say(diff, len, QUIRE_ERR_INVALID, "server %s only in the first",
                       a->servers[i].name);
        if (!streq(a->servers[i].url, b->servers[j].url))
            return say(diff, len, QUIRE_ERR_INVALID, "server %s: urls differ", a->servers[i].name);
    }
    for (size_t i = 0; i < a->nclients; i++) {
        int j = quire_result_find_client(b, a->clients[i].name);
        if (j < 0)
            return say(diff, len, QUIRE_ERR_INVALID, "client %s only in the first",
                       a->clients[i].name);
        if (!streq(a->clients[i].url, b->clients[j].url))
            return say(diff, len, QUIRE_ERR_INVALID, "client %s: urls differ", a->clients[i].name);
    }
    for (size_t i = 0; i < a->ntests; i++) {
        const quire_result_test *x = &a->tests[i];
        int j = -1;
        for (size_t k = 0; k < b->ntests; k++)
            if (!strcmp(b->tests[k].abbr, x->abbr)) j = (int)k;
        if (j < 0) return say(diff, len, QUIRE_ERR_INVALID, "test %s only in the first", x->abbr);
        const quire_result_test *y = &b->tests[j];
        if (x->kind != y->kind || !streq(x->name, y->name) || !streq(x->desc, y->desc) ||
            !streq(x->unit, y->unit))
            return say(diff, len, QUIRE_ERR_INVALID, "test %s: definitions differ", x->abbr);
    }
    return 0;
}

int quire_merge_compare(const quire_result *a, const quire_result *b, int ignore, char *diff,
                        size_t len)
{
    if (diff && len) diff[0] = 0;
    if (!same_time(a->start_time, b->start_time, ignore) ||
        !same_time(a->end_time, b->end_time, ignore))
        return say(diff, len, QUIRE_ERR_INVALID, "start or end time differs");
    if (!same_log(a->log_dir, b->log_dir, ignore))
        return say(diff, len, QUIRE_ERR_INVALID, "log_dir differs");
    if (!streq(a->quic_version, b->quic_version) || a->quic_draft != b->quic_draft)
        return say(diff, len, QUIRE_ERR_INVALID, "QUIC version differs");
    int rv = names_match(a, b, diff, len);
    if (rv) return rv;
    for (size_t s = 0; s < a->nservers; s++) {
        const quire_result_probe *x = quire_result_probe_get(a, s);
        const quire_result_probe *y =
            quire_result_probe_get(b, (size_t)quire_result_find_server(b, a->servers[s].name));
        int same = !x == !y && (!x || (x->verdict == y->verdict &&
                                       streq(x->explanation, y->explanation) &&
                                       x->passed == y->passed && x->failed == y->failed &&
                                       x->not_applicable == y->not_applicable &&
                                       streq(x->failed_cases, y->failed_cases) &&
                                       same_time(x->duration, y->duration, ignore) &&
                                       same_log(x->log, y->log, ignore)));
        if (!same)
            return say(diff, len, QUIRE_ERR_INVALID, "server %s, probe: %s vs %s",
                       a->servers[s].name, x ? vname(x->verdict) : "none",
                       y ? vname(y->verdict) : "none");
    }
    for (size_t s = 0; s < a->nservers; s++)
        for (size_t c = 0; c < a->nclients; c++)
            for (size_t t = 0; t < a->ntests; t++) {
                size_t bs = (size_t)quire_result_find_server(b, a->servers[s].name);
                size_t bc = (size_t)quire_result_find_client(b, a->clients[c].name);
                size_t bt = (size_t)quire_result_find_test(b, a->tests[t].abbr);
                const quire_result_cell *x = quire_result_cell_get(a, s, c, t);
                const quire_result_cell *y = quire_result_cell_get(b, bs, bc, bt);
                const quire_result_meas *m = quire_result_meas_get(a, s, c, t);
                const quire_result_meas *n = quire_result_meas_get(b, bs, bc, bt);
                int same;
                if (x)
                    same = y && x->verdict == y->verdict && streq(x->explanation, y->explanation) &&
                           same_time(x->duration, y->duration, ignore) &&
                           same_log(x->log, y->log, ignore);
                else
                    same = n && m->verdict == n->verdict &&
                           (m->verdict == QUIRE_VERDICT_NONE ||
                            (streq(m->details, n->details) && m->has_stats == n->has_stats &&
                             (!m->has_stats || (m->mean == n->mean && m->stdev == n->stdev)) &&
                             streq(m->unit, n->unit) && streq(m->explanation, n->explanation) &&
                             same_time(m->duration, n->duration, ignore) &&
                             same_log(m->log, n->log, ignore)));
                if (!same)
                    return say(diff, len, QUIRE_ERR_INVALID,
                               "server %s, client %s, test %s: %s vs %s", a->servers[s].name,
                               a->clients[c].name, a->tests[t].abbr,
                               vname(x ? x->verdict : m->verdict),
                               vname(y   ? y->verdict
                                     : n ? n->verdict
                                         : QUIRE_VERDICT_NONE));
            }
    return 0;
}
