/* result.json, the on-disk form of the result model (see result.h for the schema): writing
 * QIR's schema plus quire's keys, and reading both quire's and the QUIC Interop Runner's
 * files, with errors that name the file and the position. */
#include "report/resultjson.h"

#include <errno.h>
#include <jansson.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/err.h"
#include "util/fs.h"

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

/* quire's keys beside QIR's (QIR's readers ignore them); cpu_pressure: the machine's load
 * while the test ran (run/load.h). */
static void put_extras(json_t *o, const char *explanation, double duration, const char *log,
                       int has_load, double load, int *bad)
{
    if (explanation) put(o, "explanation", json_string(explanation), bad);
    if (duration >= 0) put(o, "duration", json_real(duration), bad);
    if (log) put(o, "log", json_string(log), bad);
    if (has_load) put(o, "cpu_pressure", json_real(load), bad);
}

/* "probe": {server: {...}} for the servers with a probe cell (result.h), or nothing. */
static void put_probes(json_t *root, const quire_result *r, int *bad)
{
    if (!quire_result_count_probes(r)) return;
    json_t *all = json_object();
    put(root, "probe", all, bad);
    if (*bad) return;
    for (size_t s = 0; s < r->nservers && !*bad; s++) {
        const quire_result_probe *p = r->servers[s].probe;
        if (!p) continue;
        json_t *o = json_object(), *names = json_array();
        put(all, r->servers[s].name, o, bad);
        if (*bad) break;
        put(o, "result", jstr_or_null(quire_verdict_name(p->verdict)), bad);
        put_extras(o, p->explanation, p->duration, p->log, 0, 0, bad);
        if (p->verdict == QUIRE_VERDICT_NONE) {
            json_decref(names);
            continue;
        }
        put(o, "passed", json_integer(p->passed), bad);
        put(o, "failed", json_integer(p->failed), bad);
        put(o, "not_applicable", json_integer(p->not_applicable), bad);
        put(o, "failed_cases", names, bad);
        if (*bad || !p->failed_cases) continue;
        const char *c = p->failed_cases;
        while (*c && !*bad) {
            size_t n = strcspn(c, ",");
            if (json_array_append_new(names, json_stringn(c, n))) *bad = 1;
            c += n + (c[n] == ',');
        }
    }
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
        put(o, "kind", json_string(t->kind == QUIRE_TEST_CASE ? "testcase" : "measurement"), &bad);
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
            if (json_array_append_new(results, rl) || json_array_append_new(meas, ml)) goto fail;
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
                    put_extras(o, cell->explanation, cell->duration, cell->log, cell->has_load, cell->load,
                               &bad);
                    /* the spec rules' verdict, kept as the JSON it was recorded as */
                    json_t *spec = cell->spec ? json_loads(cell->spec, 0, NULL) : NULL;
                    if (spec) put(o, "spec", spec, &bad);
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
                    put_extras(o, m->explanation, m->duration, m->log, m->has_load, m->load, &bad);
                }
                if (bad) goto fail;
            }
        }
    }
    put_probes(root, r, &bad);
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

int quire_result_save(const quire_result *r, const char *path)
{
    char *json;
    int rv = quire_result_to_json(r, &json);
    if (rv) return rv;
    rv = quire_fs_write_atomic(path, json, strlen(json), 0644);
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
    return fail(L, "%s: %s", what,
                rv == QUIRE_ERR_INVALID ? "invalid or too large" : quire_strerror(rv));
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
    json_array_foreach(a, i, v)
    {
        if (!json_is_string(v) || !json_string_length(v))
            return fail(L, "%s[%zu]: expected a non-empty string", key, i);
        const char *name = json_string_value(v);
        if ((server ? quire_result_find_server(L->r, name)
                    : quire_result_find_client(L->r, name)) >= 0)
            return fail(L, "%s[%zu]: \"%s\" is listed twice", key, i, name);
        json_t *u = urls ? json_object_get(urls, name) : NULL;
        if (u && !json_is_string(u) && !json_is_null(u))
            return fail(L, "urls.%s: expected a string", name);
        const char *url =
            u && json_is_string(u) && json_string_length(u) ? json_string_value(u) : NULL;
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
    json_array_foreach(results, i, l) json_array_foreach(l, j, o)
    {
        const char *a = json_string_value(json_object_get(o, "abbr"));
        if (a && !strcmp(a, abbr)) {
            u |= 1;
            goto meas;
        }
    }
meas:
    if (!meas) return u;
    json_array_foreach(meas, i, l) json_array_foreach(l, j, o)
    {
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
    json_array_foreach(a, i, l)
    {
        if (!json_is_array(l)) return fail(L, "%s[%zu]: expected an array", key, i);
        json_array_foreach(l, j, o)
        {
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
    if (tests) json_object_foreach(tests, abbr, t)
        {
            if (!json_is_object(t)) return fail(L, "tests.%s: expected an object", abbr);
            const char *name, *desc, *kind, *unit;
            int rv;
            if ((rv = opt_string(L, t, "name", abbr, &name)) ||
                (rv = opt_string(L, t, "desc", abbr, &desc)) ||
                (rv = opt_string(L, t, "kind", abbr, &kind)) ||
                (rv = opt_string(L, t, "unit", abbr, &unit)))
                return rv;
            int u = usage_of(results, meas, abbr);
            if (u == 3)
                return fail(L, "tests.%s: used both as a test case and as a measurement", abbr);
            quire_test_kind k;
            if (kind && !strcmp(kind, "testcase"))
                k = QUIRE_TEST_CASE;
            else if (kind && !strcmp(kind, "measurement"))
                k = QUIRE_TEST_MEASUREMENT;
            else if (kind)
                return fail(L, "tests.%s.kind: \"%s\" is neither testcase nor measurement", abbr,
                            kind);
            /* QIR lists every test case in every pair's results, so an abbreviation that is in
             * "tests" but in no results list is a measurement. */
            else
                k = u == 1                  ? QUIRE_TEST_CASE
                    : u == 2 || any_results ? QUIRE_TEST_MEASUREMENT
                                            : QUIRE_TEST_CASE;
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
        if (!strcmp(s, quire_verdict_name((quire_verdict)k))) {
            *v = (quire_verdict)k;
            return 0;
        }
    return fail(L,
                "%s[%zu][%zu].result: expected \"succeeded\", \"failed\", \"unsupported\" or null",
                key, i, j);
}

/* Fills one pair's list of "results" or "measurements". */
static int load_pair(loader *L, json_t *list, const char *key, size_t i, size_t s, size_t c)
{
    quire_test_kind want = !strcmp(key, "results") ? QUIRE_TEST_CASE : QUIRE_TEST_MEASUREMENT;
    size_t j;
    json_t *o;
    char where[64];
    json_array_foreach(list, j, o)
    {
        snprintf(where, sizeof where, "%s[%zu][%zu]", key, i, j);
        const char *abbr = json_string_value(json_object_get(o, "abbr"));
        const char *name, *expl, *log;
        double duration = -1, load = 0;
        int rv, has_load;
        if ((rv = opt_string(L, o, "name", where, &name)) ||
            (rv = opt_string(L, o, "explanation", where, &expl)) ||
            (rv = opt_string(L, o, "log", where, &log)) ||
            (rv = opt_number(L, o, "duration", where, &duration, NULL)) ||
            (rv = opt_number(L, o, "cpu_pressure", where, &load, &has_load)))
            return rv;
        has_load = has_load && isfinite(load) && load >= 0 && load <= 1;
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
        quire_result_outcome seen;
        quire_result_outcome_get(L->r, s, c, (size_t)t, &seen);
        if (seen.verdict != QUIRE_VERDICT_NONE)
            return fail(L, "%s: \"%s\" appears twice", where, abbr);
        if (want == QUIRE_TEST_CASE) {
            json_t *spec = json_object_get(o, "spec");
            char *spec_text = json_is_object(spec) ? json_dumps(spec, JSON_COMPACT) : NULL;
            quire_result_cell cell = {
                v,        (char *)expl, duration >= 0 && isfinite(duration) ? duration : -1,
                (char *)log, has_load,  has_load ? load : 0, spec_text};
            rv = quire_result_cell_put(L->r, s, c, (size_t)t, &cell);
            free(spec_text);
            if (rv) return fail_add(L, rv, where);
            continue;
        }
        quire_result_meas m;
        memset(&m, 0, sizeof m);
        const char *details, *unit;
        int hm, hs;
        if ((rv = opt_string(L, o, "details", where, &details)) ||
            (rv = opt_string(L, o, "unit", where, &unit)) ||
            (rv = opt_number(L, o, "mean", where, &m.mean, &hm)) ||
            (rv = opt_number(L, o, "stdev", where, &m.stdev, &hs)))
            return rv;
        m.verdict = v;
        m.duration = duration >= 0 && isfinite(duration) ? duration : -1;
        m.has_load = has_load;
        m.load = has_load ? load : 0;
        m.has_stats = hm && hs;
        if (!unit) unit = L->r->tests[t].unit;
        char ubuf[64];
        if (!m.has_stats && v == QUIRE_VERDICT_SUCCEEDED && details) {
            /* QIR's details: "{:.0f} (± {:.0f}) {unit}" */
            int n = sscanf(details, "%lf (\u00b1 %lf) %63s", &m.mean, &m.stdev, ubuf);
            if (n >= 2 && isfinite(m.mean) && isfinite(m.stdev)) {
                m.has_stats = 1;
                if (n == 3 && !unit) unit = ubuf;
            }
        }
        if (!m.has_stats) m.mean = m.stdev = 0;
        m.details = (char *)(details ? details : "");
        m.unit = (char *)unit;
        m.explanation = (char *)expl;
        m.log = (char *)log;
        if ((rv = quire_result_meas_put(L->r, s, c, (size_t)t, &m))) return fail_add(L, rv, where);
    }
    return 0;
}

/* A count of the probe's cases: absent is 0. */
static int probe_count(loader *L, json_t *o, const char *key, const char *server, unsigned *out)
{
    json_t *v = json_object_get(o, key);
    *out = 0;
    if (!v || json_is_null(v)) return 0;
    if (!json_is_integer(v) || json_integer_value(v) < 0 || json_integer_value(v) > 100000)
        return fail(L, "probe.%s.%s: expected a count", server, key);
    *out = (unsigned)json_integer_value(v);
    return 0;
}

/* "probe": {server: {...}} (result.h), each server one of "servers". */
static int load_probes(loader *L, json_t *root)
{
    json_t *all = json_object_get(root, "probe");
    if (!all || json_is_null(all)) return 0;
    if (!json_is_object(all)) return fail(L, "\"probe\": expected an object");
    const char *server;
    json_t *o;
    int rv;
    json_object_foreach(all, server, o)
    {
        if (quire_result_find_server(L->r, server) < 0)
            return fail(L, "probe.%s: not one of \"servers\"", server);
        if (!json_is_object(o)) return fail(L, "probe.%s: expected an object", server);
        char where[300];
        snprintf(where, sizeof where, "probe.%s", server);
        quire_result_probe p = {.duration = -1};
        json_t *x = json_object_get(o, "result");
        const char *vs = json_is_string(x) ? json_string_value(x) : NULL;
        for (int k = 1; vs && k < 4; k++)
            if (!strcmp(vs, quire_verdict_name((quire_verdict)k))) p.verdict = (quire_verdict)k;
        if (x && !json_is_null(x) && !p.verdict)
            return fail(L, "%s.result: expected \"succeeded\", \"failed\", \"unsupported\" "
                           "or null", where);
        const char *expl, *log;
        if ((rv = opt_string(L, o, "explanation", where, &expl)) ||
            (rv = opt_string(L, o, "log", where, &log)) ||
            (rv = opt_number(L, o, "duration", where, &p.duration, NULL)) ||
            (rv = probe_count(L, o, "passed", server, &p.passed)) ||
            (rv = probe_count(L, o, "failed", server, &p.failed)) ||
            (rv = probe_count(L, o, "not_applicable", server, &p.not_applicable)))
            return rv;
        p.explanation = (char *)expl;
        p.log = (char *)log;
        if (!p.verdict) { /* not run: no cases to count */
            p.passed = p.failed = p.not_applicable = 0;
            if ((rv = quire_result_set_probe(L->r, server, &p))) return fail_add(L, rv, where);
            continue;
        }
        json_t *names = json_object_get(o, "failed_cases");
        if (names && !json_is_null(names) && !json_is_array(names))
            return fail(L, "%s.failed_cases: expected an array", where);
        size_t i, len = 0;
        json_t *n;
        json_array_foreach(names, i, n)
        {
            if (!json_is_string(n) || !json_string_length(n) || strchr(json_string_value(n), ','))
                return fail(L, "%s.failed_cases[%zu]: expected a case name", where, i);
            len += json_string_length(n) + 1;
        }
        char *joined = len ? malloc(len) : NULL;
        if (len && !joined) return fail_add(L, QUIRE_ERR_NOMEM, where);
        size_t off = 0;
        json_array_foreach(names, i, n)
            off += (size_t)snprintf(joined + off, len - off, "%s%s", off ? "," : "",
                                    json_string_value(n));
        p.failed_cases = joined;
        rv = quire_result_set_probe(L->r, server, &p);
        free(joined);
        if (rv) return fail_add(L, rv, where);
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
        if (quire_result_set_quic_version(r, tmp))
            return fail_add(L, QUIRE_ERR_NOMEM, "quic_version");
    } else {
        if ((rv = opt_string(L, root, "quic_version", "top level", &qv))) return rv;
        if (quire_result_set_quic_version(r, qv))
            return fail_add(L, QUIRE_ERR_NOMEM, "quic_version");
    }
    v = json_object_get(root, "quic_draft");
    if (v && !json_is_null(v)) {
        if (json_is_integer(v) && json_integer_value(v) >= 0)
            r->quic_draft = (long)json_integer_value(v);
        else if (json_is_string(v) && sscanf(json_string_value(v), "%ld", &r->quic_draft) == 1 &&
                 r->quic_draft >= 0)
            ;
        else
            return fail(L, "quic_draft: expected a draft number");
    }
    if (quire_result_set_log_dir(r, log_dir && *log_dir ? log_dir : NULL))
        return fail_add(L, QUIRE_ERR_NOMEM, "log_dir");
    json_t *urls = json_object_get(root, "urls");
    if (urls && !json_is_object(urls)) return fail(L, "\"urls\": expected an object");
    if ((rv = load_impls(L, root, "servers", 1, urls)) ||
        (rv = load_impls(L, root, "clients", 0, urls)))
        return rv;
    size_t npairs = r->nservers * r->nclients;
    json_t *results = json_object_get(root, "results"),
           *meas = json_object_get(root, "measurements");
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
    if ((rv = load_tests(L, root, results, meas)) || (rv = load_probes(L, root))) goto out;
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

void quire_result_spec_read(const char *spec_json, quire_result_spec *out)
{
    memset(out, 0, sizeof *out);
    json_t *root = spec_json ? json_loads(spec_json, 0, NULL) : NULL;
    if (!json_is_object(root)) {
        json_decref(root);
        return;
    }
    json_t *clean = json_object_get(root, "clean"), *count = json_object_get(root, "count");
    out->known = json_is_boolean(clean);
    out->clean = json_is_true(clean);
    out->count = json_is_integer(count) && json_integer_value(count) > 0
                     ? (unsigned long long)json_integer_value(count)
                     : 0;
    size_t i, len = 0;
    json_t *v;
    json_array_foreach(json_object_get(root, "violations"), i, v)
    {
        const char *rule = json_string_value(json_object_get(v, "rule"));
        if (!rule) continue;
        /* each rule once */
        const char *p = out->rules;
        size_t rl = strlen(rule);
        int seen = 0;
        while (*p && !seen) {
            const char *e = strchr(p, ',');
            size_t n = e ? (size_t)(e - p) : strlen(p);
            seen = n == rl && !strncmp(p, rule, rl);
            p = e ? e + 1 : p + n;
        }
        if (seen || len + rl + 2 > sizeof out->rules) continue;
        len += (size_t)snprintf(out->rules + len, sizeof out->rules - len, "%s%s",
                                len ? "," : "", rule);
    }
    json_decref(root);
}
