/* The result model and its result.json form (QIR's schema plus quire's keys); see result.h. */
#include "report/result.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/err.h"

/* One grid slot holds both kinds; the test's kind says which half is used. */
typedef struct slot {
    quire_result_cell cell;
    quire_result_meas meas;
} slot;

static const char *const verdict_names[] = {NULL, "succeeded", "failed", "unsupported"};
static const char *const verdict_symbols[] = {"", "\u2713", "\u2715", "?"};

const char *quire_verdict_name(quire_verdict v)
{
    return (unsigned)v < 4 ? verdict_names[v] : NULL;
}

const char *quire_verdict_symbol(quire_verdict v)
{
    return (unsigned)v < 4 ? verdict_symbols[v] : "";
}

static char *dupstr(const char *s)
{
    return s ? strdup(s) : NULL;
}

/* Replaces *dst by a copy of src; 0 or QUIRE_ERR_NOMEM (then *dst is unchanged). */
static int setstr(char **dst, const char *src)
{
    char *c = NULL;
    if (src && !(c = strdup(src))) return QUIRE_ERR_NOMEM;
    free(*dst);
    *dst = c;
    return 0;
}

static size_t slot_index(const quire_result *r, size_t s, size_t c, size_t t)
{
    return (c * r->cap_servers_ + s) * r->cap_tests_ + t;
}

static slot *slot_at(const quire_result *r, size_t s, size_t c, size_t t)
{
    return (slot *)r->cells_ + slot_index(r, s, c, t);
}

static void slot_init(slot *sl)
{
    memset(sl, 0, sizeof *sl);
    sl->cell.duration = -1;
    sl->meas.duration = -1;
}

static void meas_strings_free(quire_result_meas *m)
{
    free(m->details);
    free(m->unit);
    free(m->explanation);
    free(m->log);
}

static void slot_clear(slot *sl)
{
    free(sl->cell.explanation);
    free(sl->cell.log);
    free(sl->cell.spec);
    meas_strings_free(&sl->meas);
    slot_init(sl);
}

static void probe_free(quire_result_probe *p)
{
    if (!p) return;
    free(p->explanation);
    free(p->log);
    free(p->failed_cases);
    free(p);
}

void quire_result_init(quire_result *r)
{
    memset(r, 0, sizeof *r);
    r->quic_draft = -1;
}

void quire_result_free(quire_result *r)
{
    if (r->cells_)
        for (size_t c = 0; c < r->nclients; c++)
            for (size_t s = 0; s < r->nservers; s++)
                for (size_t t = 0; t < r->ntests; t++)
                    slot_clear(slot_at(r, s, c, t));
    free(r->cells_);
    for (size_t i = 0; i < r->nservers; i++) {
        free(r->servers[i].name);
        free(r->servers[i].url);
        probe_free(r->servers[i].probe);
    }
    for (size_t i = 0; i < r->nclients; i++) {
        free(r->clients[i].name);
        free(r->clients[i].url);
    }
    for (size_t i = 0; i < r->ntests; i++) {
        free(r->tests[i].abbr);
        free(r->tests[i].name);
        free(r->tests[i].desc);
        free(r->tests[i].unit);
    }
    free(r->servers);
    free(r->clients);
    free(r->tests);
    free(r->log_dir);
    free(r->quic_version);
    quire_result_init(r);
}

/* Makes room in the grid for (ns, nc, nt) and moves the existing slots to the new layout. */
static int grid_reserve(quire_result *r, size_t ns, size_t nc, size_t nt)
{
    if (ns <= r->cap_servers_ && nc <= r->cap_clients_ && nt <= r->cap_tests_) return 0;
    size_t cs = r->cap_servers_ ? r->cap_servers_ : 4, cc = r->cap_clients_ ? r->cap_clients_ : 4,
           ct = r->cap_tests_ ? r->cap_tests_ : 8;
    while (cs < ns)
        cs *= 2;
    while (cc < nc)
        cc *= 2;
    while (ct < nt)
        ct *= 2;
    /* A bound on the grid, so a hostile result file cannot ask for gigabytes: 2^21 slots is
     * 100 times a 20 x 20 x 25 matrix. */
    if (cs > 65536 || cc > 65536 || ct > 65536 || cs * cc * ct > ((size_t)1 << 21))
        return QUIRE_ERR_INVALID;
    slot *g = malloc(cs * cc * ct * sizeof(slot));
    if (!g) return QUIRE_ERR_NOMEM;
    for (size_t i = 0; i < cs * cc * ct; i++)
        slot_init(&g[i]);
    for (size_t c = 0; c < r->nclients; c++)
        for (size_t s = 0; s < r->nservers; s++)
            for (size_t t = 0; t < r->ntests; t++)
                g[(c * cs + s) * ct + t] = *slot_at(r, s, c, t);
    free(r->cells_);
    r->cells_ = g;
    r->cap_servers_ = cs;
    r->cap_clients_ = cc;
    r->cap_tests_ = ct;
    return 0;
}

static int find_impl(const quire_result_impl *v, size_t n, const char *name)
{
    if (!name) return QUIRE_ERR_NOTFOUND;
    for (size_t i = 0; i < n; i++)
        if (!strcmp(v[i].name, name)) return (int)i;
    return QUIRE_ERR_NOTFOUND;
}

int quire_result_find_server(const quire_result *r, const char *name)
{
    return find_impl(r->servers, r->nservers, name);
}

int quire_result_find_client(const quire_result *r, const char *name)
{
    return find_impl(r->clients, r->nclients, name);
}

int quire_result_find_test(const quire_result *r, const char *key)
{
    if (!key) return QUIRE_ERR_NOTFOUND;
    for (size_t i = 0; i < r->ntests; i++)
        if (!strcmp(r->tests[i].abbr, key)) return (int)i;
    for (size_t i = 0; i < r->ntests; i++)
        if (r->tests[i].name && !strcmp(r->tests[i].name, key)) return (int)i;
    return QUIRE_ERR_NOTFOUND;
}

static int add_impl(quire_result *r, int server, const char *name, const char *url)
{
    quire_result_impl **v = server ? &r->servers : &r->clients;
    size_t *n = server ? &r->nservers : &r->nclients;
    if (!name || !*name) return QUIRE_ERR_INVALID;
    int i = find_impl(*v, *n, name);
    if (i >= 0) {
        if (!(*v)[i].url && url && setstr(&(*v)[i].url, url)) return QUIRE_ERR_NOMEM;
        return i;
    }
    if (*n >= 65536) return QUIRE_ERR_INVALID;
    int rv = server ? grid_reserve(r, *n + 1, r->nclients, r->ntests)
                    : grid_reserve(r, r->nservers, *n + 1, r->ntests);
    if (rv) return rv;
    quire_result_impl *nv = realloc(*v, (*n + 1) * sizeof **v);
    if (!nv) return QUIRE_ERR_NOMEM;
    *v = nv;
    nv[*n].name = strdup(name);
    nv[*n].url = dupstr(url);
    nv[*n].probe = NULL;
    if (!nv[*n].name || (url && !nv[*n].url)) {
        free(nv[*n].name);
        free(nv[*n].url);
        return QUIRE_ERR_NOMEM;
    }
    return (int)(*n)++;
}

int quire_result_add_server(quire_result *r, const char *name, const char *url)
{
    return add_impl(r, 1, name, url);
}

int quire_result_add_client(quire_result *r, const char *name, const char *url)
{
    return add_impl(r, 0, name, url);
}

int quire_result_add_test(quire_result *r, quire_test_kind kind, const char *abbr, const char *name,
                          const char *desc, const char *unit)
{
    if (!abbr || !*abbr) return QUIRE_ERR_INVALID;
    for (size_t i = 0; i < r->ntests; i++) {
        quire_result_test *t = &r->tests[i];
        if (strcmp(t->abbr, abbr)) continue;
        if (t->kind != kind) return QUIRE_ERR_INVALID;
        if ((name && !strcmp(t->name, t->abbr) && setstr(&t->name, name)) ||
            (!t->desc && desc && setstr(&t->desc, desc)) ||
            (!t->unit && unit && setstr(&t->unit, unit)))
            return QUIRE_ERR_NOMEM;
        return (int)i;
    }
    if (r->ntests >= 65536) return QUIRE_ERR_INVALID;
    int rv = grid_reserve(r, r->nservers, r->nclients, r->ntests + 1);
    if (rv) return rv;
    quire_result_test *nv = realloc(r->tests, (r->ntests + 1) * sizeof *nv);
    if (!nv) return QUIRE_ERR_NOMEM;
    r->tests = nv;
    quire_result_test *t = &nv[r->ntests];
    t->abbr = strdup(abbr);
    t->name = strdup(name ? name : abbr);
    t->desc = dupstr(desc);
    t->unit = dupstr(unit);
    t->kind = kind;
    if (!t->abbr || !t->name || (desc && !t->desc) || (unit && !t->unit)) {
        free(t->abbr);
        free(t->name);
        free(t->desc);
        free(t->unit);
        return QUIRE_ERR_NOMEM;
    }
    return (int)r->ntests++;
}

int quire_result_set_log_dir(quire_result *r, const char *log_dir)
{
    return setstr(&r->log_dir, log_dir);
}

int quire_result_set_quic_version(quire_result *r, const char *version)
{
    return setstr(&r->quic_version, version);
}

const quire_result_cell *quire_result_cell_get(const quire_result *r, size_t s, size_t c, size_t t)
{
    if (s >= r->nservers || c >= r->nclients || t >= r->ntests) return NULL;
    if (r->tests[t].kind != QUIRE_TEST_CASE) return NULL;
    return &slot_at(r, s, c, t)->cell;
}

const quire_result_meas *quire_result_meas_get(const quire_result *r, size_t s, size_t c, size_t t)
{
    if (s >= r->nservers || c >= r->nclients || t >= r->ntests) return NULL;
    if (r->tests[t].kind != QUIRE_TEST_MEASUREMENT) return NULL;
    return &slot_at(r, s, c, t)->meas;
}

int quire_result_outcome_get(const quire_result *r, size_t s, size_t c, size_t t,
                             quire_result_outcome *o)
{
    const quire_result_cell *x = quire_result_cell_get(r, s, c, t);
    const quire_result_meas *m = x ? NULL : quire_result_meas_get(r, s, c, t);
    if (x) {
        *o = (quire_result_outcome){x->verdict, x->explanation, x->duration,
                                    x->log,     x->has_load,    x->load};
    } else if (m) {
        *o = (quire_result_outcome){m->verdict, m->explanation, m->duration,
                                    m->log,     m->has_load,    m->load};
    } else {
        *o = (quire_result_outcome){QUIRE_VERDICT_NONE, NULL, -1, NULL, 0, 0};
        return QUIRE_ERR_NOTFOUND;
    }
    return 0;
}

static int locate(const quire_result *r, const char *server, const char *client, const char *test,
                  quire_test_kind kind, slot **out)
{
    int s = quire_result_find_server(r, server), c = quire_result_find_client(r, client),
        t = quire_result_find_test(r, test);
    if (s < 0 || c < 0 || t < 0) return QUIRE_ERR_NOTFOUND;
    if (r->tests[t].kind != kind) return QUIRE_ERR_INVALID;
    *out = slot_at(r, (size_t)s, (size_t)c, (size_t)t);
    return 0;
}

static int verdict_ok(quire_verdict v)
{
    return (unsigned)v <= QUIRE_VERDICT_UNSUPPORTED;
}

/* The two halves of a slot, replaced as a whole by deep copies: 0, or QUIRE_ERR_NOMEM and the
 * old contents kept. */
static int cell_store(quire_result_cell *d, quire_verdict v, const char *explanation,
                      double duration, const char *log)
{
    char *e = dupstr(explanation), *l = dupstr(log);
    if ((explanation && !e) || (log && !l)) {
        free(e);
        free(l);
        return QUIRE_ERR_NOMEM;
    }
    free(d->explanation);
    free(d->log);
    free(d->spec);
    d->spec = NULL;
    d->has_load = 0;
    d->verdict = v;
    d->explanation = e;
    d->log = l;
    d->duration = duration;
    return 0;
}

/* Takes the numbers (verdict, stats, duration) from num and copies of the four strings. */
static int meas_store(quire_result_meas *d, const quire_result_meas *num, const char *details,
                      const char *unit, const char *explanation, const char *log)
{
    quire_result_meas m = *num;
    m.details = dupstr(details);
    m.unit = dupstr(unit);
    m.explanation = dupstr(explanation);
    m.log = dupstr(log);
    if ((details && !m.details) || (unit && !m.unit) || (explanation && !m.explanation) ||
        (log && !m.log)) {
        meas_strings_free(&m);
        return QUIRE_ERR_NOMEM;
    }
    meas_strings_free(d);
    *d = m;
    return 0;
}

int quire_result_set(quire_result *r, const char *server, const char *client, const char *test,
                     quire_verdict v, const char *explanation, double duration, const char *log)
{
    slot *sl;
    int rv = locate(r, server, client, test, QUIRE_TEST_CASE, &sl);
    if (rv) return rv;
    if (!verdict_ok(v)) return QUIRE_ERR_INVALID;
    return cell_store(&sl->cell, v, explanation,
                      isfinite(duration) && duration >= 0 ? duration : -1, log);
}

/* QIR: "{:.0f} (± {:.0f}) {}".format(mean, stdev, unit) */
static char *format_details(double mean, double stdev, const char *unit)
{
    char *s = NULL;
    if (asprintf(&s, "%.0f (\u00b1 %.0f) %s", mean, stdev, unit ? unit : "") < 0) return NULL;
    return s;
}

int quire_result_set_measurement(quire_result *r, const char *server, const char *client,
                                 const char *test, quire_verdict v, const double *values,
                                 size_t nvalues, const char *explanation, double duration,
                                 const char *log)
{
    slot *sl;
    int rv = locate(r, server, client, test, QUIRE_TEST_MEASUREMENT, &sl);
    if (rv) return rv;
    if (!verdict_ok(v)) return QUIRE_ERR_INVALID;
    if (v == QUIRE_VERDICT_SUCCEEDED && (!values || !nvalues)) return QUIRE_ERR_INVALID;
    const char *unit = r->tests[quire_result_find_test(r, test)].unit;
    quire_result_meas m;
    memset(&m, 0, sizeof m);
    m.verdict = v;
    m.duration = isfinite(duration) && duration >= 0 ? duration : -1;
    if (v == QUIRE_VERDICT_SUCCEEDED) {
        double sum = 0, sq = 0;
        for (size_t i = 0; i < nvalues; i++)
            sum += values[i];
        m.mean = sum / (double)nvalues;
        for (size_t i = 0; i < nvalues; i++)
            sq += (values[i] - m.mean) * (values[i] - m.mean);
        m.stdev = nvalues > 1 ? sqrt(sq / (double)(nvalues - 1)) : 0;
        m.has_stats = 1;
        m.details = format_details(m.mean, m.stdev, unit);
    } else {
        m.details = strdup("");
    }
    if (!m.details) return QUIRE_ERR_NOMEM;
    rv = meas_store(&sl->meas, &m, m.details, unit, explanation, log);
    free(m.details);
    return rv;
}

int quire_result_cell_put(quire_result *r, size_t s, size_t c, size_t t,
                          const quire_result_cell *src)
{
    if (s >= r->nservers || c >= r->nclients || t >= r->ntests) return QUIRE_ERR_NOTFOUND;
    if (r->tests[t].kind != QUIRE_TEST_CASE || !verdict_ok(src->verdict)) return QUIRE_ERR_INVALID;
    quire_result_cell *d = &slot_at(r, s, c, t)->cell;
    int rv = cell_store(d, src->verdict, src->explanation, src->duration, src->log);
    if (!rv) {
        d->has_load = src->has_load;
        d->load = src->load;
        if (src->spec && !(d->spec = dupstr(src->spec))) rv = QUIRE_ERR_NOMEM;
    }
    return rv;
}

int quire_result_set_spec(quire_result *r, const char *server, const char *client,
                          const char *test, const char *spec_json)
{
    slot *sl;
    int rv = locate(r, server, client, test, QUIRE_TEST_CASE, &sl);
    if (rv) return rv;
    char *j = dupstr(spec_json);
    if (spec_json && !j) return QUIRE_ERR_NOMEM;
    free(sl->cell.spec);
    sl->cell.spec = j;
    return 0;
}

int quire_result_set_log(quire_result *r, size_t s, size_t c, size_t t, const char *log)
{
    if (s >= r->nservers || c >= r->nclients || t >= r->ntests) return QUIRE_ERR_NOTFOUND;
    char *l = dupstr(log);
    if (log && !l) return QUIRE_ERR_NOMEM;
    slot *sl = slot_at(r, s, c, t);
    char **at = r->tests[t].kind == QUIRE_TEST_CASE ? &sl->cell.log : &sl->meas.log;
    free(*at);
    *at = l;
    return 0;
}

int quire_result_meas_put(quire_result *r, size_t s, size_t c, size_t t,
                          const quire_result_meas *src)
{
    if (s >= r->nservers || c >= r->nclients || t >= r->ntests) return QUIRE_ERR_NOTFOUND;
    if (r->tests[t].kind != QUIRE_TEST_MEASUREMENT || !verdict_ok(src->verdict))
        return QUIRE_ERR_INVALID;
    return meas_store(&slot_at(r, s, c, t)->meas, src, src->details, src->unit, src->explanation,
                      src->log);
}

size_t quire_result_count_tests(const quire_result *r, quire_test_kind kind)
{
    size_t n = 0;
    for (size_t t = 0; t < r->ntests; t++)
        n += r->tests[t].kind == kind;
    return n;
}

void quire_result_count(const quire_result *r, quire_result_counts *n)
{
    memset(n, 0, sizeof *n);
    for (size_t c = 0; c < r->nclients; c++)
        for (size_t s = 0; s < r->nservers; s++)
            for (size_t t = 0; t < r->ntests; t++) {
                const quire_result_cell *cell = quire_result_cell_get(r, s, c, t);
                if (!cell) continue;
                switch (cell->verdict) {
                case QUIRE_VERDICT_SUCCEEDED:
                    n->succeeded++;
                    break;
                case QUIRE_VERDICT_FAILED:
                    n->failed++;
                    break;
                case QUIRE_VERDICT_UNSUPPORTED:
                    n->unsupported++;
                    break;
                default:
                    n->none++;
                    break;
                }
            }
}

int quire_result_rule_hidden(const quire_result_outcome *o)
{
    return o->verdict == QUIRE_VERDICT_UNSUPPORTED && o->explanation &&
           strstr(o->explanation, QUIRE_RESULT_RULE_MARK) != NULL;
}

int quire_result_set_load(quire_result *r, const char *server, const char *client,
                          const char *test, double load)
{
    int t = quire_result_find_test(r, test);
    if (t < 0) return QUIRE_ERR_NOTFOUND;
    if (!isfinite(load) || load < 0 || load > 1) return QUIRE_ERR_INVALID;
    slot *sl;
    int rv = locate(r, server, client, test, r->tests[t].kind, &sl);
    if (rv) return rv;
    if (r->tests[t].kind == QUIRE_TEST_CASE) {
        sl->cell.has_load = 1;
        sl->cell.load = load;
    } else {
        sl->meas.has_load = 1;
        sl->meas.load = load;
    }
    return 0;
}

int quire_result_overloaded(const quire_result_outcome *o)
{
    return o->has_load && o->load > QUIRE_RESULT_LOAD_HIGH;
}

int quire_result_add_probe(quire_result *r, const char *server)
{
    int s = quire_result_find_server(r, server);
    if (s < 0) return s;
    if (r->servers[s].probe) return 0;
    quire_result_probe *p = calloc(1, sizeof *p);
    if (!p) return QUIRE_ERR_NOMEM;
    p->duration = -1;
    r->servers[s].probe = p;
    return 0;
}

int quire_result_set_probe(quire_result *r, const char *server, const quire_result_probe *src)
{
    int s = quire_result_find_server(r, server);
    if (s < 0) return s;
    quire_result_probe *p = calloc(1, sizeof *p);
    if (!p) return QUIRE_ERR_NOMEM;
    *p = *src;
    p->explanation = dupstr(src->explanation);
    p->log = dupstr(src->log);
    p->failed_cases = dupstr(src->failed_cases);
    if ((src->explanation && !p->explanation) || (src->log && !p->log) ||
        (src->failed_cases && !p->failed_cases)) {
        probe_free(p);
        return QUIRE_ERR_NOMEM;
    }
    probe_free(r->servers[s].probe);
    r->servers[s].probe = p;
    return 0;
}

const quire_result_probe *quire_result_probe_get(const quire_result *r, size_t s)
{
    return s < r->nservers ? r->servers[s].probe : NULL;
}

size_t quire_result_count_probes(const quire_result *r)
{
    size_t n = 0;
    for (size_t s = 0; s < r->nservers; s++)
        n += r->servers[s].probe != NULL;
    return n;
}
