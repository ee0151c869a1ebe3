/* JUnit XML report (see junit.h). */
#include "report/junit.h"

#include <string.h>
#include <time.h>

#include "report/markup.h"
#include "util/err.h"
#include "util/fs.h"

static int xesc(quire_buf *b, const char *s)
{
    return quire_markup_escape(b, s, QUIRE_MARKUP_XML);
}

static double dur(double d)
{
    return d > 0 ? d : 0;
}

typedef struct pair_stats {
    size_t tests, failures, skipped;
    double time;
} pair_stats;

static void pair_count(const quire_result *r, size_t s, size_t c, pair_stats *p)
{
    memset(p, 0, sizeof *p);
    for (size_t t = 0; t < r->ntests; t++) {
        quire_result_outcome o;
        quire_result_outcome_get(r, s, c, t, &o);
        p->tests++;
        p->time += dur(o.duration);
        if (o.verdict == QUIRE_VERDICT_FAILED)
            p->failures++;
        else if (o.verdict != QUIRE_VERDICT_SUCCEEDED)
            p->skipped++;
    }
}

/* One <testcase> "quire.<server>_<client>" / name with o's verdict; abbr and details (may be
 * NULL): a measurement's value as system-out. */
static int case_xml(const quire_result *r, const char *server, const char *client,
                    const char *name, const quire_result_outcome *o, const char *abbr,
                    const char *details, quire_buf *b)
{
    quire_verdict v = o->verdict;
    const char *expl = o->explanation, *log = o->log;
    if (quire_buf_printf(b, "    <testcase classname=\"quire.") || xesc(b, server) ||
        quire_buf_putc(b, '_') || xesc(b, client) || quire_buf_printf(b, "\" name=\"") ||
        xesc(b, name) || quire_buf_printf(b, "\" time=\"%.3f\"", dur(o->duration)))
        return QUIRE_ERR_NOMEM;
    if (v == QUIRE_VERDICT_SUCCEEDED && !details)
        return quire_buf_printf(b, "/>\n") ? QUIRE_ERR_NOMEM : 0;
    if (quire_buf_printf(b, ">\n")) return QUIRE_ERR_NOMEM;
    switch (v) {
    case QUIRE_VERDICT_FAILED:
        if (quire_buf_printf(b, "      <failure type=\"failed\" message=\"") ||
            xesc(b, expl && *expl ? expl : "failed") || quire_buf_printf(b, "\">") ||
            xesc(b, expl && *expl ? expl : "failed (no explanation recorded)"))
            return QUIRE_ERR_NOMEM;
        break;
    case QUIRE_VERDICT_UNSUPPORTED:
        if (quire_buf_printf(b, "      <skipped message=\"unsupported") ||
            (expl && *expl && (quire_buf_printf(b, ": ") || xesc(b, expl))) ||
            quire_buf_printf(b, "\"/>\n"))
            return QUIRE_ERR_NOMEM;
        break;
    case QUIRE_VERDICT_NONE:
        if (quire_buf_printf(b, "      <skipped message=\"not run\"/>\n")) return QUIRE_ERR_NOMEM;
        break;
    default:
        break;
    }
    if (v == QUIRE_VERDICT_FAILED) {
        /* the log directory helps whoever reads the failure in a CI page */
        if (log &&
            (quire_buf_printf(b, "\nlogs: ") ||
             (r->log_dir && (xesc(b, r->log_dir) || quire_buf_putc(b, '/'))) || xesc(b, log)))
            return QUIRE_ERR_NOMEM;
        if (quire_buf_printf(b, "</failure>\n")) return QUIRE_ERR_NOMEM;
    }
    if (details && v == QUIRE_VERDICT_SUCCEEDED &&
        (quire_buf_printf(b, "      <system-out>") || xesc(b, abbr) ||
         quire_buf_printf(b, ": ") || xesc(b, details) ||
         quire_buf_printf(b, "</system-out>\n")))
        return QUIRE_ERR_NOMEM;
    return quire_buf_printf(b, "    </testcase>\n") ? QUIRE_ERR_NOMEM : 0;
}

static int testcase(const quire_result *r, size_t s, size_t c, size_t t, quire_buf *b)
{
    const quire_result_test *tt = &r->tests[t];
    const quire_result_meas *m = quire_result_meas_get(r, s, c, t);
    quire_result_outcome o;
    quire_result_outcome_get(r, s, c, t, &o);
    return case_xml(r, r->servers[s].name, r->clients[c].name, tt->name ? tt->name : tt->abbr,
                    &o, tt->abbr, m ? (m->details ? m->details : "") : NULL, b);
}

/* The probe cells' counts, as pair_count's. */
static void probe_count(const quire_result *r, pair_stats *p)
{
    memset(p, 0, sizeof *p);
    for (size_t s = 0; s < r->nservers; s++) {
        const quire_result_probe *x = quire_result_probe_get(r, s);
        if (!x) continue;
        p->tests++;
        p->time += dur(x->duration);
        if (x->verdict == QUIRE_VERDICT_FAILED)
            p->failures++;
        else if (x->verdict != QUIRE_VERDICT_SUCCEEDED)
            p->skipped++;
    }
}

static void probe_outcome(const quire_result_probe *p, quire_result_outcome *o)
{
    memset(o, 0, sizeof *o);
    o->verdict = p->verdict;
    o->explanation = p->explanation;
    o->duration = p->duration;
    o->log = p->log;
}

/* `quire run --probe`: one suite "quire.probe", a testcase per server with a probe cell. */
static int probe_suite(const quire_result *r, const char *stamp, quire_buf *b)
{
    pair_stats p;
    probe_count(r, &p);
    if (!p.tests) return 0;
    if (quire_buf_printf(b,
                         "  <testsuite name=\"quire.probe\" tests=\"%zu\" failures=\"%zu\" "
                         "errors=\"0\" skipped=\"%zu\" time=\"%.3f\"",
                         p.tests, p.failures, p.skipped, p.time) ||
        (*stamp && quire_buf_printf(b, " timestamp=\"%s\"", stamp)) ||
        quire_buf_printf(b, ">\n"))
        return QUIRE_ERR_NOMEM;
    for (size_t s = 0; s < r->nservers; s++) {
        const quire_result_probe *x = quire_result_probe_get(r, s);
        quire_result_outcome o;
        if (!x) continue;
        probe_outcome(x, &o);
        if (case_xml(r, r->servers[s].name, "quire-probe", "probe", &o, NULL, NULL, b))
            return QUIRE_ERR_NOMEM;
    }
    return quire_buf_printf(b, "  </testsuite>\n") ? QUIRE_ERR_NOMEM : 0;
}

int quire_junit_write(const quire_result *r, quire_buf *b)
{
    pair_stats all = {0, 0, 0, 0}, p;
    for (size_t c = 0; c < r->nclients; c++)
        for (size_t s = 0; s < r->nservers; s++) {
            pair_count(r, s, c, &p);
            all.tests += p.tests;
            all.failures += p.failures;
            all.skipped += p.skipped;
            all.time += p.time;
        }
    probe_count(r, &p);
    all.tests += p.tests;
    all.failures += p.failures;
    all.skipped += p.skipped;
    all.time += p.time;
    char stamp[32] = "";
    if (quire_result_time_ok(r->start_time)) {
        time_t t = (time_t)r->start_time;
        struct tm tm;
        if (gmtime_r(&t, &tm)) strftime(stamp, sizeof stamp, "%Y-%m-%dT%H:%M:%S", &tm);
    }
    if (quire_buf_printf(b,
                         "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
                         "<testsuites name=\"quire\" tests=\"%zu\" failures=\"%zu\" errors=\"0\" "
                         "skipped=\"%zu\" time=\"%.3f\">\n",
                         all.tests, all.failures, all.skipped, all.time))
        return QUIRE_ERR_NOMEM;
    /* client-major, the order of result.json */
    for (size_t c = 0; c < r->nclients; c++)
        for (size_t s = 0; s < r->nservers; s++) {
            pair_count(r, s, c, &p);
            if (quire_buf_printf(b, "  <testsuite name=\"quire.") || xesc(b, r->servers[s].name) ||
                quire_buf_putc(b, '_') || xesc(b, r->clients[c].name) ||
                quire_buf_printf(b,
                                 "\" tests=\"%zu\" failures=\"%zu\" errors=\"0\" skipped=\"%zu\" "
                                 "time=\"%.3f\"",
                                 p.tests, p.failures, p.skipped, p.time) ||
                (*stamp && quire_buf_printf(b, " timestamp=\"%s\"", stamp)) ||
                quire_buf_printf(b,
                                 ">\n    <properties>\n      <property name=\"server\" value=\"") ||
                xesc(b, r->servers[s].name) ||
                quire_buf_printf(b, "\"/>\n      <property name=\"client\" value=\"") ||
                xesc(b, r->clients[c].name) || quire_buf_printf(b, "\"/>\n    </properties>\n"))
                return QUIRE_ERR_NOMEM;
            for (size_t t = 0; t < r->ntests; t++)
                if (testcase(r, s, c, t, b)) return QUIRE_ERR_NOMEM;
            if (quire_buf_printf(b, "  </testsuite>\n")) return QUIRE_ERR_NOMEM;
        }
    if (probe_suite(r, stamp, b)) return QUIRE_ERR_NOMEM;
    return quire_buf_printf(b, "</testsuites>\n") ? QUIRE_ERR_NOMEM : 0;
}

int quire_junit_save(const quire_result *r, const char *path)
{
    quire_buf b;
    quire_buf_init(&b);
    int rv = quire_junit_write(r, &b);
    if (!rv) rv = quire_fs_write_atomic(path, b.data, b.len, 0644);
    quire_buf_free(&b);
    return rv;
}
