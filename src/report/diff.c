/* Differences between two results (see diff.h). */
#include "report/diff.h"

#include <string.h>

#include "util/err.h"

enum {
    REGRESSION = QUIRE_DIFF_REGRESSION,
    FIX = QUIRE_DIFF_FIX,
    CHANGED = QUIRE_DIFF_CHANGED,
    ADDED = QUIRE_DIFF_ADDED,
    GONE = QUIRE_DIFF_GONE,
    NKINDS
};

static const char *const kind_names[NKINDS] = {"regression", "fixed", "changed", "new", "gone"};

const char *quire_diff_kind_name(quire_diff_kind k)
{
    return k >= 0 && k < (int)NKINDS ? kind_names[k] : "same";
}

quire_diff_kind quire_diff_classify(quire_verdict a, quire_verdict b)
{
    if (a == b) return QUIRE_DIFF_SAME;
    if (b == QUIRE_VERDICT_NONE) return QUIRE_DIFF_GONE;
    if (a == QUIRE_VERDICT_NONE) return QUIRE_DIFF_ADDED;
    if (b == QUIRE_VERDICT_FAILED) return QUIRE_DIFF_REGRESSION;
    if (a == QUIRE_VERDICT_FAILED && b == QUIRE_VERDICT_SUCCEEDED) return QUIRE_DIFF_FIX;
    return QUIRE_DIFF_CHANGED;
}

/* The outcome of (server, client, test abbr) in r by names; "not run" when r lacks one. */
static int lookup(const quire_result *r, const char *s, const char *c, const char *t,
                  quire_result_outcome *o)
{
    int si = quire_result_find_server(r, s), ci = quire_result_find_client(r, c);
    int ti = quire_result_find_test(r, t);
    memset(o, 0, sizeof *o);
    o->verdict = QUIRE_VERDICT_NONE;
    if (si < 0 || ci < 0 || ti < 0) return 0;
    quire_result_outcome_get(r, (size_t)si, (size_t)ci, (size_t)ti, o);
    return 1;
}

static const char *vname(quire_verdict v)
{
    return v == QUIRE_VERDICT_NONE ? "not run" : quire_verdict_name(v);
}

static int line(quire_buf *out, int kind, const char *s, const char *c, const quire_result_test *t,
                const quire_result_outcome *oa, const quire_result_outcome *ob)
{
    int rc = quire_buf_printf(out, "%s: %s→%s %s (%s): %s → %s", kind_names[kind], s, c, t->name,
                              t->abbr, vname(oa->verdict), vname(ob->verdict));
    const char *why = kind == GONE ? oa->explanation : ob->explanation;
    if (!rc && why && *why) rc = quire_buf_printf(out, ": %s", why);
    return rc ? rc : quire_buf_printf(out, "\n");
}

/* One kind of difference over the union of the cells: B's, then (for GONE) A's alone. */
static int pass(const quire_result *a, const quire_result *b, int want, quire_buf *out,
                quire_diff_counts *c)
{
    const quire_result *outer = want == GONE ? a : b, *other = want == GONE ? b : a;
    for (size_t s = 0; s < outer->nservers; s++)
        for (size_t k = 0; k < outer->nclients; k++)
            for (size_t t = 0; t < outer->ntests; t++) {
                const char *sn = outer->servers[s].name, *cn = outer->clients[k].name;
                const quire_result_test *tt = &outer->tests[t];
                quire_result_outcome mine, theirs;
                quire_result_outcome_get(outer, s, k, t, &mine);
                int in_other = lookup(other, sn, cn, tt->abbr, &theirs);
                int kind;
                if (want == GONE) {
                    if (in_other && theirs.verdict != QUIRE_VERDICT_NONE) continue;
                    if (mine.verdict == QUIRE_VERDICT_NONE) continue;
                    kind = GONE;
                    c->gone++;
                    int rc = line(out, kind, sn, cn, tt, &mine, &theirs);
                    if (rc) return rc;
                    continue;
                }
                const quire_result_outcome *oa = &theirs, *ob = &mine;
                if (oa->verdict == ob->verdict) {
                    if (want == REGRESSION && ob->verdict != QUIRE_VERDICT_NONE) c->same++;
                    continue;
                }
                kind = (int)quire_diff_classify(oa->verdict, ob->verdict);
                if (kind == GONE) continue; /* not run in B: the GONE pass reports it */
                if (kind != want) continue;
                if (kind == REGRESSION)
                    c->regressions++;
                else if (kind == FIX)
                    c->fixes++;
                else if (kind == CHANGED)
                    c->changed++;
                else
                    c->added++, c->added_failed += ob->verdict == QUIRE_VERDICT_FAILED;
                int rc = line(out, kind, sn, cn, tt, oa, ob);
                if (rc) return rc;
            }
    return 0;
}

int quire_diff(const quire_result *a, const quire_result *b, quire_buf *out,
               quire_diff_counts *c)
{
    memset(c, 0, sizeof *c);
    for (int k = 0; k < NKINDS; k++) {
        int rc = pass(a, b, k, out, c);
        if (rc) return rc;
    }
    return 0;
}
