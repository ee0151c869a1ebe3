/* The result model and its result.json form (QIR's schema plus quire's keys); see result.h. */
#include "report/result.h"

#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

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

static void slot_clear(slot *sl)
{
    free(sl->cell.explanation);
    free(sl->cell.log);
    free(sl->meas.details);
    free(sl->meas.unit);
    free(sl->meas.explanation);
    free(sl->meas.log);
    slot_init(sl);
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
                for (size_t t = 0; t < r->ntests; t++) slot_clear(slot_at(r, s, c, t));
    free(r->cells_);
    for (size_t i = 0; i < r->nservers; i++) {
        free(r->servers[i].name);
        free(r->servers[i].url);
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
    while (cs < ns) cs *= 2;
    while (cc < nc) cc *= 2;
    while (ct < nt) ct *= 2;
    /* A bound on the grid, so a hostile result file cannot ask for gigabytes: 2^21 slots is
     * 100 times a 20 x 20 x 25 matrix. */
    if (cs > 65536 || cc > 65536 || ct > 65536 || cs * cc * ct > ((size_t)1 << 21))
        return QUIRE_ERR_INVALID;
    slot *g = malloc(cs * cc * ct * sizeof(slot));
    if (!g) return QUIRE_ERR_NOMEM;
    for (size_t i = 0; i < cs * cc * ct; i++) slot_init(&g[i]);
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

int quire_result_add_test(quire_result *r, quire_test_kind kind, const char *abbr,
                          const char *name, const char *desc, const char *unit)
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

const quire_result_cell *quire_result_cell_get(const quire_result *r, size_t s, size_t c,
                                               size_t t)
{
    if (s >= r->nservers || c >= r->nclients || t >= r->ntests) return NULL;
    if (r->tests[t].kind != QUIRE_TEST_CASE) return NULL;
    return &slot_at(r, s, c, t)->cell;
}

const quire_result_meas *quire_result_meas_get(const quire_result *r, size_t s, size_t c,
                                               size_t t)
{
    if (s >= r->nservers || c >= r->nclients || t >= r->ntests) return NULL;
    if (r->tests[t].kind != QUIRE_TEST_MEASUREMENT) return NULL;
    return &slot_at(r, s, c, t)->meas;
}

static int locate(const quire_result *r, const char *server, const char *client,
                  const char *test, quire_test_kind kind, slot **out)
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

int quire_result_set(quire_result *r, const char *server, const char *client, const char *test,
                     quire_verdict v, const char *explanation, double duration, const char *log)
{
    slot *sl;
    int rv = locate(r, server, client, test, QUIRE_TEST_CASE, &sl);
    if (rv) return rv;
    if (!verdict_ok(v)) return QUIRE_ERR_INVALID;
    char *e = dupstr(explanation), *l = dupstr(log);
    if ((explanation && !e) || (log && !l)) {
        free(e);
        free(l);
        return QUIRE_ERR_NOMEM;
    }
    free(sl->cell.explanation);
    free(sl->cell.log);
    sl->cell.verdict = v;
    sl->cell.explanation = e;
    sl->cell.log = l;
    sl->cell.duration = isfinite(duration) && duration >= 0 ? duration : -1;
    return 0;
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
        for (size_t i = 0; i < nvalues; i++) sum += values[i];
        m.mean = sum / (double)nvalues;
        for (size_t i = 0; i < nvalues; i++) sq += (values[i] - m.mean) * (values[i] - m.mean);
        m.stdev = nvalues > 1 ? sqrt(sq / (double)(nvalues - 1)) : 0;
        m.has_stats = 1;
        m.details = format_details(m.mean, m.stdev, unit);
    } else {
        m.details = strdup("");
    }
    m.unit = dupstr(unit);
    m.explanation = dupstr(explanation);
    m.log = dupstr(log);
    if (!m.details || (unit && !m.unit) || (explanation && !m.explanation) || (log && !m.log)) {
        free(m.details);
        free(m.unit);
        free(m.explanation);
        free(m.log);
        return QUIRE_ERR_NOMEM;
    }
    free(sl->meas.details);
    free(sl->meas.unit);
    free(sl->meas.explanation);
    free(sl->meas.log);
    sl->meas = m;
    return 0;
}

int quire_result_cell_put(quire_result *r, size_t s, size_t c, size_t t,
                          const quire_result_cell *src)
{
    if (s >= r->nservers || c >= r->nclients || t >= r->ntests) return QUIRE_ERR_NOTFOUND;
    if (r->tests[t].kind != QUIRE_TEST_CASE || !verdict_ok(src->verdict)) return QUIRE_ERR_INVALID;
    quire_result_cell *d = &slot_at(r, s, c, t)->cell;
    char *e = dupstr(src->explanation), *l = dupstr(src->log);
    if ((src->explanation && !e) || (src->log && !l)) {
        free(e);
        free(l);
        return QUIRE_ERR_NOMEM;
    }
    free(d->explanation);
    free(d->log);
    d->verdict = src->verdict;
    d->explanation = e;
    d->log = l;
    d->duration = src->duration;
    return 0;
}

int quire_result_meas_put(quire_result *r, size_t s, size_t c, size_t t,
                          const quire_result_meas *src)
{
    if (s >= r->nservers || c >= r->nclients || t >= r->ntests) return QUIRE_ERR_NOTFOUND;
    if (r->tests[t].kind != QUIRE_TEST_MEASUREMENT || !verdict_ok(src->verdict))
        return QUIRE_ERR_INVALID;
    quire_result_meas m = *src;
    m.details = dupstr(src->details);
    m.unit = dupstr(src->unit);
    m.explanation = dupstr(src->explanation);
    m.log = dupstr(src->log);
    if ((src->details && !m.details) || (src->unit && !m.unit) ||
        (src->explanation && !m.explanation) || (src->log && !m.log)) {
        free(m.details);
        free(m.unit);
        free(m.explanation);
        free(m.log);
        return QUIRE_ERR_NOMEM;
    }
    quire_result_meas *d = &slot_at(r, s, c, t)->meas;
    free(d->details);
    free(d->unit);
    free(d->explanation);
    free(d->log);
    *d = m;
    return 0;
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
                case QUIRE_VERDICT_SUCCEEDED: n->succeeded++; break;
                case QUIRE_VERDICT_FAILED: n->failed++; break;
                case QUIRE_VERDICT_UNSUPPORTED: n->unsupported++; break;
                default: n->none++; break;
                }
            }
}

/* ---- result.json: writing ---- */

/* json_object_set_new that remembers a failure, so building code stays linear. */
static void put(json_t *o, const char *key, json_t *v, int *bad)
{
    if (!v || json_object_set_new(o, key, v)) *bad = 1;
}

static json_t *jstr_or_null(const char *s)
{
    return s ? json_string(s) : json_null();
}

static void put_extras(json_t *o, const char *explanation, double duration, const char *log,
                       int *bad)
{
    if (explanation) put(o, "explanation", json_string(explanation), bad);
    if (duration >= 0) put(o, "duration", json_real(duration), bad);
    if (log) put(o, "log", json_string(log), bad);
}

static json_t *build_json(const quire_result *r)
{
    int bad = 0;
    json_t *root = json_object();
    if (!root) return NULL;
    put(root, "start_time", json_real(r->start_time), &bad);
    put(root, "end_time", json_real(r->end_time), &bad);
    put(root, "log_dir", json_string(r->log_dir ? r->log_dir : ""), &bad);
    json_t *servers = json_array(), *clients = json_array(), *urls = json_object();
    put(root, "servers", servers, &bad);
    put(root, "clients", clients, &bad);
    put(root, "urls", urls, &bad);
    if (bad) goto fail;
    for (size_t i = 0; i < r->nservers; i++)
        if (json_array_append_new(servers, json_string(r->servers[i].name))) bad = 1;
    for (size_t i = 0; i < r->nclients; i++)
        if (json_array_append_new(clients, json_string(r->clients[i].name))) bad = 1;
    /* QIR: {x: url for x in clients + servers} */
    for (size_t i = 0; i < r->nclients; i++)
        put(urls, r->clients[i].name, json_string(r->clients[i].url ? r->clients[i].url : ""),
            &bad);
    for (size_t i = 0; i < r->nservers; i++)
        put(urls, r->servers[i].name, json_string(r->servers[i].url ? r->servers[i].url : ""),
            &bad);
    json_t *tests = json_object();
    put(root, "tests", tests, &bad);
    if (bad) goto fail;
    for (size_t i = 0; i < r->ntests; i++) {
        const quire_result_test *t = &r->tests[i];
        json_t *o = json_object();
        put(tests, t->abbr, o, &bad);
        if (bad) goto fail;
        put(o, "name", json_string(t->name ? t->name : t->abbr), &bad);
        put(o, "desc", json_string(t->desc ? t->desc : ""), &bad);
        put(o, "kind", json_string(t->kind == QUIRE_TEST_CASE ? "testcase" : "measurement"),
            &bad);
        if (t->unit) put(o, "unit", json_string(t->unit), &bad);
    }
    if (r->quic_draft >= 0) put(root, "quic_draft", json_integer(r->quic_draft), &bad);
    if (r->quic_version) put(root, "quic_version", json_string(r->quic_version), &bad);
    json_t *results = json_array(), *meas = json_array();
    put(root, "results", results, &bad);
    put(root, "measurements", meas, &bad);
    if (bad) goto fail;
    /* QIR: for client in clients: for server in servers: (client-major) */
    for (size_t c = 0; c < r->nclients; c++) {
        for (size_t s = 0; s < r->nservers; s++) {
            json_t *rl = json_array(), *ml = json_array();
            if (json_array_append_new(results, rl) || json_array_append_new(meas, ml))
                goto fail;
            for (size_t t = 0; t < r->ntests; t++) {
                const quire_result_test *tt = &r->tests[t];
                const char *name = tt->name ? tt->name : tt->abbr;
                json_t *o = json_object();
                if (!o) goto fail;
                if (tt->kind == QUIRE_TEST_CASE) {
                    const quire_result_cell *cell = quire_result_cell_get(r, s, c, t);
                    if (json_array_append_new(rl, o)) goto fail;
                    put(o, "abbr", json_string(tt->abbr), &bad);
                    put(o, "name", json_string(name), &bad);
                    put(o, "result", jstr_or_null(quire_verdict_name(cell->verdict)), &bad);
                    put_extras(o, cell->explanation, cell->duration, cell->log, &bad);
                } else {
                    const quire_result_meas *m = quire_result_meas_get(r, s, c, t);
                    /* QIR leaves out measurements that did not run */
                    if (m->verdict == QUIRE_VERDICT_NONE) {
                        json_decref(o);
                        continue;
                    }
                    if (json_array_append_new(ml, o)) goto fail;
                    put(o, "name", json_string(name), &bad);
                    put(o, "abbr", json_string(tt->abbr), &bad);
                    put(o, "result", json_string(quire_verdict_name(m->verdict)), &bad);
                    put(o, "details", json_string(m->details ? m->details : ""), &bad);
                    if (m->has_stats) {
                        put(o, "mean", json_real(m->mean), &bad);
                        put(o, "stdev", json_real(m->stdev), &bad);
                    }
                    if (m->unit) put(o, "unit", json_string(m->unit), &bad);
                    put_extras(o, m->explanation, m->duration, m->log, &bad);
                }
                if (bad) goto fail;
            }
        }
    }
    json_t *q = json_object();
    put(root, "quire", q, &bad);
    if (!bad) put(q, "version", json_string(QUIRE_VERSION), &bad);
    if (bad) goto fail;
    return root;
fail:
    json_decref(root);
    return NULL;
}

int quire_result_to_json(const quire_result *r, char **out)
{
    *out = NULL;
    json_t *root = build_json(r);
    if (!root) return QUIRE_ERR_NOMEM;
    char *s = json_dumps(root, JSON_REAL_PRECISION(17));
    json_decref(root);
    if (!s) return QUIRE_ERR_NOMEM;
    size_t n = strlen(s);
    char *t = realloc(s, n + 2);
    if (!t) {
        free(s);
        return QUIRE_ERR_NOMEM;
    }
    t[n] = '\n';
    t[n + 1] = 0;
    *out = t;
    return 0;
}

int quire_result_write_atomic(const char *path, const void *data, size_t len)
{
    char *tmp = NULL;
    if (asprintf(&tmp, "%s.tmp.%ld", path, (long)getpid()) < 0) return QUIRE_ERR_NOMEM;
    int rv = QUIRE_ERR_IO;
    int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0) goto out;
    size_t off = 0;
    while (off < len) {
        ssize_t n = write(fd, (const char *)data + off, len - off);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) break;
        off += (size_t)n;
    }
    /* fsync before rename: after a crash the file is the old or the new one, never empty */
    int ok = off == len && fsync(fd) == 0;
    if (close(fd) != 0) ok = 0;
    if (!ok || rename(tmp, path) != 0) {
        int e = errno ? errno : EIO;
        unlink(tmp);
        errno = e;
        goto out;
    }
    rv = 0;
out:
    free(tmp);
    return rv;
}

int quire_result_save(const quire_result *r, const char *path)
{
    char *json;
    int rv = quire_result_to_json(r, &json);
    if (rv) return rv;
    rv = quire_result_write_atomic(path, json, strlen(json));
    free(json);
    return rv;
}

/* ---- result.json: reading (quire's and QIR's files) ---- */

typedef struct loader {
    const char *name; /* file name for messages */
    char *errbuf;
    size_t errlen;
    quire_result *r;
} loader;

static int fail(loader *L, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int fail(loader *L, const char *fmt, ...)
{
    if (L->errbuf && L->errlen) {
        int n = snprintf(L->errbuf, L->errlen, "%s: ", L->name);
        if (n >= 0 && (size_t)n < L->errlen) {
            va_list ap;
            va_start(ap, fmt);
            vsnprintf(L->errbuf + n, L->errlen - (size_t)n, fmt, ap);
            va_end(ap);
        }
    }
    return QUIRE_ERR_MALFORMED;
}

/* Reports a model-building error: allocation, or a limit of the model. */
static int fail_add(loader *L, int rv, const char *what)
{
    if (rv == QUIRE_ERR_NOMEM) {
        if (L->errbuf && L->errlen) snprintf(L->errbuf, L->errlen, "%s: out of memory", L->name);
        return rv;
    }
    return fail(L, "%s: %s", what, rv == QUIRE_ERR_INVALID ? "invalid or too large" : quire_strerror(rv));
}

/* An optional string member: 0 if absent or null (*out = NULL), error if not a string. */
static int opt_string(loader *L, json_t *o, const char *key, const char *where, const char **out)
{
    json_t *v = json_object_get(o, key);
    *out = NULL;
    if (!v || json_is_null(v)) return 0;
    if (!json_is_string(v)) return fail(L, "%s.%s: expected a string", where, key);
    *out = json_string_value(v);
    return 0;
}

static int opt_number(loader *L, json_t *o, const char *key, const char *where, double *out,
                      int *present)
{
    json_t *v = json_object_get(o, key);
    if (present) *present = 0;
    if (!v || json_is_null(v)) return 0;
    if (!json_is_number(v)) return fail(L, "%s.%s: expected a number", where, key);
    *out = json_number_value(v);
    if (present) *present = 1;
    return 0;
}

static int load_impls(loader *L, json_t *root, const char *key, int server, json_t *urls)
{
    json_t *a = json_object_get(root, key);
    if (!json_is_array(a)) return fail(L, "\"%s\": missing or not an array", key);
    size_t i;
    json_t *v;
    json_array_foreach(a, i, v) {
        if (!json_is_string(v) || !json_string_length(v))
            return fail(L, "%s[%zu]: expected a non-empty string", key, i);
        const char *name = json_string_value(v);
        if ((server ? quire_result_find_server(L->r, name) : quire_result_find_client(L->r, name)) >= 0)
            return fail(L, "%s[%zu]: \"%s\" is listed twice", key, i, name);
        json_t *u = urls ? json_object_get(urls, name) : NULL;
        if (u && !json_is_string(u) && !json_is_null(u))
            return fail(L, "urls.%s: expected a string", name);
        const char *url = u && json_is_string(u) && json_string_length(u) ? json_string_value(u) : NULL;
        int rv = server ? quire_result_add_server(L->r, name, url)
                        : quire_result_add_client(L->r, name, url);
        if (rv < 0) return fail_add(L, rv, key);
    }
    return 0;
}

/* Where each abbreviation is used: bit 1 in "results", bit 2 in "measurements". */
static int usage_of(json_t *results, json_t *meas, const char *abbr)
{
    int u = 0;
    size_t i, j;
    json_t *l, *o;
    json_array_foreach(results, i, l) json_array_foreach(l, j, o) {
        const char *a = json_string_value(json_object_get(o, "abbr"));
        if (a && !strcmp(a, abbr)) {
            u |= 1;
            goto meas;
        }
    }
meas:
    if (!meas) return u;
    json_array_foreach(meas, i, l) json_array_foreach(l, j, o) {
        const char *a = json_string_value(json_object_get(o, "abbr"));
        if (a && !strcmp(a, abbr)) return u | 2;
    }
    return u;
}

/* Checks the shape of "results"/"measurements": n lists of objects with a string "abbr". */
static int check_lists(loader *L, json_t *a, const char *key, size_t n)
{
    if (!json_is_array(a)) return fail(L, "\"%s\": expected an array", key);
    if (json_array_size(a) != n && !(json_array_size(a) == 0 && !strcmp(key, "measurements")))
        return fail(L, "\"%s\": %zu entries, expected clients x servers = %zu", key,
                    json_array_size(a), n);
    size_t i, j;
    json_t *l, *o;
    json_array_foreach(a, i, l) {
        if (!json_is_array(l)) return fail(L, "%s[%zu]: expected an array", key, i);
        json_array_foreach(l, j, o) {
            if (!json_is_object(o)) return fail(L, "%s[%zu][%zu]: expected an object", key, i, j);
            json_t *ab = json_object_get(o, "abbr");
            if (!json_is_string(ab) || !json_string_length(ab))
                return fail(L, "%s[%zu][%zu].abbr: expected a non-empty string", key, i, j);
        }
    }
    return 0;
}

static int load_tests(loader *L, json_t *root, json_t *results, json_t *meas)
{
    json_t *tests = json_object_get(root, "tests");
    if (tests && !json_is_object(tests)) return fail(L, "\"tests\": expected an object");
    int any_results = 0;
    size_t i;
    json_t *l;
    json_array_foreach(results, i, l) if (json_array_size(l)) any_results = 1;
    const char *abbr;
    json_t *t;
    if (tests) json_object_foreach(tests, abbr, t) {
        if (!json_is_object(t)) return fail(L, "tests.%s: expected an object", abbr);
        const char *name, *desc, *kind, *unit;
        int rv;
        if ((rv = opt_string(L, t, "name", abbr, &name)) || (rv = opt_string(L, t, "desc", abbr, &desc)) ||
            (rv = opt_string(L, t, "kind", abbr, &kind)) || (rv = opt_string(L, t, "unit", abbr, &unit)))
            return rv;
        int u = usage_of(results, meas, abbr);
        if (u == 3) return fail(L, "tests.%s: used both as a test case and as a measurement", abbr);
        quire_test_kind k;
        if (kind && !strcmp(kind, "testcase")) k = QUIRE_TEST_CASE;
        else if (kind && !strcmp(kind, "measurement")) k = QUIRE_TEST_MEASUREMENT;
        else if (kind) return fail(L, "tests.%s.kind: \"%s\" is neither testcase nor measurement", abbr, kind);
        /* QIR lists every test case in every pair's results, so an abbreviation that is in
         * "tests" but in no results list is a measurement. */
        else k = u == 1 ? QUIRE_TEST_CASE : u == 2 || any_results ? QUIRE_TEST_MEASUREMENT : QUIRE_TEST_CASE;
        if ((k == QUIRE_TEST_CASE && u == 2) || (k == QUIRE_TEST_MEASUREMENT && u == 1))
            return fail(L, "tests.%s.kind: \"%s\" contradicts where it is used", abbr, kind);
        rv = quire_result_add_test(L->r, k, abbr, name, desc && *desc ? desc : NULL, unit);
        if (rv < 0) return fail_add(L, rv, "tests");
    }
    return 0;
}

static int parse_verdict(loader *L, json_t *o, const char *key, size_t i, size_t j,
                         quire_verdict *v)
{
    json_t *x = json_object_get(o, "result");
    *v = QUIRE_VERDICT_NONE;
    if (!x || json_is_null(x)) return 0;
    const char *s = json_string_value(x);
    for (int k = 1; s && k < 4; k++)
        if (!strcmp(s, verdict_names[k])) {
            *v = (quire_verdict)k;
            return 0;
        }
    return fail(L, "%s[%zu][%zu].result: expected \"succeeded\", \"failed\", \"unsupported\" or null", key, i, j);
}

/* Fills one pair's list of "results" or "measurements". */
static int load_pair(loader *L, json_t *list, const char *key, size_t i, size_t s, size_t c)
{
    quire_test_kind want = !strcmp(key, "results") ? QUIRE_TEST_CASE : QUIRE_TEST_MEASUREMENT;
    size_t j;
    json_t *o;
    char where[64];
    json_array_foreach(list, j, o) {
        snprintf(where, sizeof where, "%s[%zu][%zu]", key, i, j);
        const char *abbr = json_string_value(json_object_get(o, "abbr"));
        const char *name, *expl, *log;
        double duration = -1;
        int rv;
        if ((rv = opt_string(L, o, "name", where, &name)) || (rv = opt_string(L, o, "explanation", where, &expl)) ||
            (rv = opt_string(L, o, "log", where, &log)) || (rv = opt_number(L, o, "duration", where, &duration, NULL)))
            return rv;
        int t = -1;
        for (size_t k = 0; k < L->r->ntests; k++)
            if (!strcmp(L->r->tests[k].abbr, abbr)) t = (int)k;
        if (t < 0 && (t = quire_result_add_test(L->r, want, abbr, name, NULL, NULL)) < 0)
            return fail_add(L, t, where);
        if (L->r->tests[t].kind != want)
            return fail(L, "%s.abbr: \"%s\" is a %s", where, abbr,
                        want == QUIRE_TEST_CASE ? "measurement" : "test case");
        quire_verdict v;
        if ((rv = parse_verdict(L, o, key, i, j, &v))) return rv;
        slot *sl = slot_at(L->r, s, c, (size_t)t);
        if (sl->cell.verdict || sl->meas.verdict) return fail(L, "%s: \"%s\" appears twice", where, abbr);
        if (want == QUIRE_TEST_CASE) {
            sl->cell.verdict = v;
            sl->cell.duration = duration >= 0 && isfinite(duration) ? duration : -1;
            if (setstr(&sl->cell.explanation, expl) || setstr(&sl->cell.log, log)) return fail_add(L, QUIRE_ERR_NOMEM, where);
            continue;
        }
        quire_result_meas *m = &sl->meas;
        const char *details, *unit;
        int hm, hs;
        if ((rv = opt_string(L, o, "details", where, &details)) || (rv = opt_string(L, o, "unit", where, &unit)) ||
            (rv = opt_number(L, o, "mean", where, &m->mean, &hm)) || (rv = opt_number(L, o, "stdev", where, &m->stdev, &hs)))
            return rv;
        m->verdict = v;
        m->duration = duration >= 0 && isfinite(duration) ? duration : -1;
        m->has_stats = hm && hs;
        if (!unit) unit = L->r->tests[t].unit;
        char ubuf[64];
        if (!m->has_stats && v == QUIRE_VERDICT_SUCCEEDED && details) {
            /* QIR's details: "{:.0f} (± {:.0f}) {unit}" */
            int n = sscanf(details, "%lf (\u00b1 %lf) %63s", &m->mean, &m->stdev, ubuf);
            if (n >= 2 && isfinite(m->mean) && isfinite(m->stdev)) {
                m->has_stats = 1;
                if (n == 3 && !unit) unit = ubuf;
            }
        }
        if (!m->has_stats) m->mean = m->stdev = 0;
        if (setstr(&m->details, details ? details : "") || setstr(&m->unit, unit) ||
            setstr(&m->explanation, expl) || setstr(&m->log, log))
            return fail_add(L, QUIRE_ERR_NOMEM, where);
    }
    return 0;
}

static int load_root(loader *L, json_t *root)
{
    quire_result *r = L->r;
    int rv;
    if (!json_is_object(root)) return fail(L, "expected a JSON object at the top level");
    if ((rv = opt_number(L, root, "start_time", "top level", &r->start_time, NULL)) ||
        (rv = opt_number(L, root, "end_time", "top level", &r->end_time, NULL)))
        return rv;
    const char *log_dir, *qv;
    if ((rv = opt_string(L, root, "log_dir", "top level", &log_dir))) return rv;
    json_t *v = json_object_get(root, "quic_version");
    if (v && json_is_integer(v)) {
        char tmp[32];
        snprintf(tmp, sizeof tmp, "0x%llx", (unsigned long long)json_integer_value(v));
        if (setstr(&r->quic_version, tmp)) return fail_add(L, QUIRE_ERR_NOMEM, "quic_version");
    } else {
        if ((rv = opt_string(L, root, "quic_version", "top level", &qv))) return rv;
        if (setstr(&r->quic_version, qv)) return fail_add(L, QUIRE_ERR_NOMEM, "quic_version");
    }
    v = json_object_get(root, "quic_draft");
    if (v && !json_is_null(v)) {
        if (json_is_integer(v) && json_integer_value(v) >= 0) r->quic_draft = (long)json_integer_value(v);
        else if (json_is_string(v) && sscanf(json_string_value(v), "%ld", &r->quic_draft) == 1 && r->quic_draft >= 0) ;
        else return fail(L, "quic_draft: expected a draft number");
    }
    if (setstr(&r->log_dir, log_dir && *log_dir ? log_dir : NULL)) return fail_add(L, QUIRE_ERR_NOMEM, "log_dir");
    json_t *urls = json_object_get(root, "urls");
    if (urls && !json_is_object(urls)) return fail(L, "\"urls\": expected an object");
    if ((rv = load_impls(L, root, "servers", 1, urls)) || (rv = load_impls(L, root, "clients", 0, urls)))
        return rv;
    size_t npairs = r->nservers * r->nclients;
    json_t *results = json_object_get(root, "results"), *meas = json_object_get(root, "measurements");
    json_t *empty = NULL;
    if (!results) results = empty = json_array();
    if (!results) return fail_add(L, QUIRE_ERR_NOMEM, "results");
    if (empty && npairs) {
        json_decref(empty);
        return fail(L, "\"results\": missing");
    }
    if ((rv = check_lists(L, results, "results", npairs)) ||
        (meas && !json_is_null(meas) && (rv = check_lists(L, meas, "measurements", npairs))))
        goto out;
    if (meas && json_is_null(meas)) meas = NULL;
    if ((rv = load_tests(L, root, results, meas))) goto out;
    for (size_t i = 0; i < npairs; i++) {
        size_t c = i / r->nservers, s = i % r->nservers; /* client-major, as QIR writes */
        if ((rv = load_pair(L, json_array_get(results, i), "results", i, s, c))) goto out;
        if (meas && json_array_size(meas) &&
            (rv = load_pair(L, json_array_get(meas, i), "measurements", i, s, c)))
            goto out;
    }
out:
    json_decref(empty);
    return rv;
}

int quire_result_load_buf(const char *data, size_t len, const char *name, quire_result *r,
                          char *errbuf, size_t errlen)
{
    loader L = {name ? name : "<memory>", errbuf, errlen, r};
    json_error_t err;
    if (errbuf && errlen) errbuf[0] = 0;
    json_t *root = json_loadb(data, len, JSON_REJECT_DUPLICATES, &err);
    if (!root) {
        if (errbuf && errlen)
            snprintf(errbuf, errlen, "%s:%d:%d: %s", L.name, err.line, err.column, err.text);
        return QUIRE_ERR_MALFORMED;
    }
    int rv = load_root(&L, root);
    json_decref(root);
    return rv;
}

int quire_result_load(const char *path, quire_result *r, char *errbuf, size_t errlen)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        if (errbuf && errlen) snprintf(errbuf, errlen, "%s: %s", path, strerror(errno));
        return QUIRE_ERR_IO;
    }
    char *data = NULL;
    size_t len = 0, cap = 0;
    for (;;) {
        if (len == cap) {
            cap = cap ? cap * 2 : 65536;
            char *p = realloc(data, cap);
            if (!p) {
                free(data);
                fclose(f);
                if (errbuf && errlen) snprintf(errbuf, errlen, "%s: out of memory", path);
                return QUIRE_ERR_NOMEM;
            }
            data = p;
        }
        size_t n = fread(data + len, 1, cap - len, f);
        len += n;
        if (n == 0) break;
    }
    int ioerr = ferror(f);
    fclose(f);
    if (ioerr) {
        free(data);
        if (errbuf && errlen) snprintf(errbuf, errlen, "%s: read error", path);
        return QUIRE_ERR_IO;
    }
    int rv = quire_result_load_buf(data, len, path, r, errbuf, errlen);
    free(data);
    return rv;
}
