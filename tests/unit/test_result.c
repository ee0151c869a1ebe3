/* Unit tests for report/result: building the model, measurement statistics, grid growth,
 * save/load round trips, reading a QIR-shaped result file (cross-checked against a direct
 * jansson read of the same file), and the error messages for bad files. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "report/result.h"
#include "util/err.h"

static const char *fixture(const char *name)
{
    static char path[4096];
    const char *dir = getenv("QUIRE_SOURCE_DIR");
    snprintf(path, sizeof path, "%s/tests/data/results/%s", dir ? dir : QUIRE_SOURCE_DIR, name);
    return path;
}

static void tmp_path(char *out, size_t n, const char *tag)
{
    snprintf(out, n, "/tmp/quire-test-result-%ld-%s.json", (long)getpid(), tag);
}

static int streq(const char *a, const char *b)
{
    return (!a && !b) || (a && b && !strcmp(a, b));
}

/* Field-by-field equality of two models (exact doubles: %.17g round-trips). */
static void assert_models_equal(const quire_result *a, const quire_result *b)
{
    assert_true(a->start_time == b->start_time && a->end_time == b->end_time);
    assert_true(streq(a->log_dir, b->log_dir));
    assert_true(streq(a->quic_version, b->quic_version));
    assert_int_equal(a->quic_draft, b->quic_draft);
    assert_int_equal(a->nservers, b->nservers);
    assert_int_equal(a->nclients, b->nclients);
    assert_int_equal(a->ntests, b->ntests);
    for (size_t i = 0; i < a->nservers; i++) {
        assert_string_equal(a->servers[i].name, b->servers[i].name);
        assert_true(streq(a->servers[i].url, b->servers[i].url));
    }
    for (size_t i = 0; i < a->nclients; i++) {
        assert_string_equal(a->clients[i].name, b->clients[i].name);
        assert_true(streq(a->clients[i].url, b->clients[i].url));
    }
    for (size_t t = 0; t < a->ntests; t++) {
        assert_string_equal(a->tests[t].abbr, b->tests[t].abbr);
        assert_true(streq(a->tests[t].name, b->tests[t].name));
        assert_true(streq(a->tests[t].unit, b->tests[t].unit));
        assert_int_equal(a->tests[t].kind, b->tests[t].kind);
    }
    for (size_t s = 0; s < a->nservers; s++)
        for (size_t c = 0; c < a->nclients; c++)
            for (size_t t = 0; t < a->ntests; t++) {
                const quire_result_cell *x = quire_result_cell_get(a, s, c, t),
                                        *y = quire_result_cell_get(b, s, c, t);
                if (x) {
                    assert_non_null(y);
                    assert_int_equal(x->verdict, y->verdict);
                    assert_true(streq(x->explanation, y->explanation));
                    assert_true(streq(x->log, y->log));
                    assert_true(x->duration == y->duration);
                    continue;
                }
                const quire_result_meas *m = quire_result_meas_get(a, s, c, t),
                                        *n = quire_result_meas_get(b, s, c, t);
                assert_non_null(m);
                assert_non_null(n);
                assert_int_equal(m->verdict, n->verdict);
                if (m->verdict == QUIRE_VERDICT_NONE) continue;
                assert_true(streq(m->details, n->details));
                assert_int_equal(m->has_stats, n->has_stats);
                assert_true(m->mean == n->mean && m->stdev == n->stdev);
                assert_true(streq(m->unit, n->unit));
                assert_true(streq(m->explanation, n->explanation));
                assert_true(m->duration == n->duration);
            }
}

static void build_small(quire_result *r)
{
    quire_result_init(r);
    r->start_time = 1775000000.5;
    r->end_time = 1775000123.25;
    assert_int_equal(quire_result_set_log_dir(r, "logs"), 0);
    assert_int_equal(quire_result_set_quic_version(r, "0x1"), 0);
    assert_int_equal(quire_result_add_server(r, "quic-go", "https://q.example"), 0);
    assert_int_equal(quire_result_add_server(r, "ngtcp2", NULL), 1);
    assert_int_equal(quire_result_add_client(r, "ngtcp2", NULL), 0);
    assert_int_equal(
        quire_result_add_test(r, QUIRE_TEST_CASE, "H", "handshake", "Handshake.", NULL), 0);
    assert_int_equal(quire_result_add_test(r, QUIRE_TEST_CASE, "DC", "transfer", NULL, NULL), 1);
    assert_int_equal(
        quire_result_add_test(r, QUIRE_TEST_MEASUREMENT, "G", "goodput", "Goodput.", "kbps"), 2);
    assert_int_equal(quire_result_set(r, "quic-go", "ngtcp2", "H", QUIRE_VERDICT_SUCCEEDED, NULL,
                                      1.5, "quic-go_ngtcp2/handshake"),
                     0);
    assert_int_equal(quire_result_set(r, "quic-go", "ngtcp2", "transfer", QUIRE_VERDICT_FAILED,
                                      "file 1.bin: 1024 of 2048 bytes \"downloaded\"", 10.25, NULL),
                     0);
    assert_int_equal(
        quire_result_set(r, "ngtcp2", "ngtcp2", "H", QUIRE_VERDICT_UNSUPPORTED, NULL, -1, NULL), 0);
    const double v[] = {9000, 9100, 9200, 9300};
    assert_int_equal(quire_result_set_measurement(r, "quic-go", "ngtcp2", "G",
                                                  QUIRE_VERDICT_SUCCEEDED, v, 4, NULL, 42, NULL),
                     0);
    assert_int_equal(quire_result_set_measurement(r, "ngtcp2", "ngtcp2", "goodput",
                                                  QUIRE_VERDICT_FAILED, NULL, 0,
                                                  "client exited with 1", 3, NULL),
                     0);
}

static void test_build_and_lookup(void **state)
{
    (void)state;
    quire_result r;
    build_small(&r);
    /* adding again returns the existing index and fills what was missing */
    assert_int_equal(quire_result_add_server(&r, "ngtcp2", "https://n.example"), 1);
    assert_string_equal(r.servers[1].url, "https://n.example");
    assert_int_equal(quire_result_add_test(&r, QUIRE_TEST_MEASUREMENT, "H", NULL, NULL, NULL),
                     QUIRE_ERR_INVALID);
    assert_int_equal(quire_result_find_test(&r, "goodput"), 2);
    assert_int_equal(quire_result_find_client(&r, "quinn"), QUIRE_ERR_NOTFOUND);
    assert_int_equal(
        quire_result_set(&r, "quinn", "ngtcp2", "H", QUIRE_VERDICT_FAILED, NULL, 0, NULL),
        QUIRE_ERR_NOTFOUND);
    assert_int_equal(
        quire_result_set(&r, "quic-go", "ngtcp2", "G", QUIRE_VERDICT_FAILED, NULL, 0, NULL),
        QUIRE_ERR_INVALID);
    const quire_result_cell *c = quire_result_cell_get(&r, 0, 0, 1);
    assert_int_equal(c->verdict, QUIRE_VERDICT_FAILED);
    assert_string_equal(c->explanation, "file 1.bin: 1024 of 2048 bytes \"downloaded\"");
    assert_null(quire_result_cell_get(&r, 0, 0, 2));
    assert_null(quire_result_cell_get(&r, 0, 1, 0));
    const quire_result_meas *m = quire_result_meas_get(&r, 0, 0, 2);
    /* mean 9150, sample stdev sqrt(50000/3) = 129.099... */
    assert_true(fabs(m->mean - 9150) < 1e-9);
    assert_true(fabs(m->stdev - sqrt(50000.0 / 3)) < 1e-9);
    assert_string_equal(m->details, "9150 (\u00b1 129) kbps");
    assert_string_equal(quire_result_meas_get(&r, 1, 0, 2)->details, "");
    quire_result_counts n;
    quire_result_count(&r, &n);
    assert_int_equal(n.succeeded, 1);
    assert_int_equal(n.failed, 1);
    assert_int_equal(n.unsupported, 1);
    assert_int_equal(n.none, 1);
    assert_int_equal(quire_result_count_tests(&r, QUIRE_TEST_CASE), 2);
    assert_int_equal(quire_result_count_tests(&r, QUIRE_TEST_MEASUREMENT), 1);
    /* the outcome view: the cell's fields for a test case, the measurement's for one */
    quire_result_outcome o;
    assert_int_equal(quire_result_outcome_get(&r, 0, 0, 1, &o), 0);
    assert_int_equal(o.verdict, QUIRE_VERDICT_FAILED);
    assert_ptr_equal(o.explanation, c->explanation);
    assert_ptr_equal(o.log, c->log);
    assert_true(o.duration == c->duration);
    assert_int_equal(quire_result_outcome_get(&r, 0, 0, 2, &o), 0);
    assert_int_equal(o.verdict, m->verdict);
    assert_ptr_equal(o.explanation, m->explanation);
    assert_ptr_equal(o.log, m->log);
    assert_true(o.duration == m->duration);
    assert_int_equal(quire_result_outcome_get(&r, 0, 0, 3, &o), QUIRE_ERR_NOTFOUND);
    assert_int_equal(o.verdict, QUIRE_VERDICT_NONE);
    assert_null(o.explanation);
    assert_null(o.log);
    assert_true(o.duration < 0);
    assert_int_equal(quire_result_outcome_get(&r, 9, 0, 0, &o), QUIRE_ERR_NOTFOUND);
    /* set_log: a test case's and a measurement's, the rest kept */
    assert_int_equal(quire_result_set_log(&r, 0, 0, 0, "../old/quic-go_ngtcp2/handshake"), 0);
    assert_string_equal(quire_result_cell_get(&r, 0, 0, 0)->log, "../old/quic-go_ngtcp2/handshake");
    assert_int_equal(quire_result_cell_get(&r, 0, 0, 0)->verdict, QUIRE_VERDICT_SUCCEEDED);
    assert_int_equal(quire_result_set_log(&r, 0, 0, 2, "../old/quic-go_ngtcp2/goodput"), 0);
    assert_string_equal(m->log, "../old/quic-go_ngtcp2/goodput");
    assert_string_equal(m->details, "9150 (\u00b1 129) kbps");
    assert_int_equal(quire_result_set_log(&r, 0, 0, 2, NULL), 0);
    assert_null(m->log);
    assert_int_equal(quire_result_set_log(&r, 0, 0, 3, "x"), QUIRE_ERR_NOTFOUND);
    quire_result_free(&r);
}

static void test_grid_growth_keeps_cells(void **state)
{
    (void)state;
    quire_result r;
    build_small(&r);
    char name[32];
    /* grow every dimension past its initial capacity after results exist */
    for (int i = 0; i < 40; i++) {
        snprintf(name, sizeof name, "s%d", i);
        assert_true(quire_result_add_server(&r, name, NULL) >= 0);
        snprintf(name, sizeof name, "c%d", i);
        assert_true(quire_result_add_client(&r, name, NULL) >= 0);
        snprintf(name, sizeof name, "T%d", i);
        assert_true(quire_result_add_test(&r, QUIRE_TEST_CASE, name, NULL, NULL, NULL) >= 0);
    }
    assert_int_equal(
        quire_result_set(&r, "s39", "c39", "T39", QUIRE_VERDICT_SUCCEEDED, NULL, 1, NULL), 0);
    assert_int_equal(quire_result_cell_get(&r, 0, 0, 0)->verdict, QUIRE_VERDICT_SUCCEEDED);
    assert_string_equal(quire_result_cell_get(&r, 0, 0, 1)->explanation,
                        "file 1.bin: 1024 of 2048 bytes \"downloaded\"");
    assert_int_equal(quire_result_cell_get(&r, 1, 0, 0)->verdict, QUIRE_VERDICT_UNSUPPORTED);
    assert_true(quire_result_meas_get(&r, 0, 0, 2)->has_stats);
    assert_int_equal(quire_result_cell_get(&r, 41, 40, 42)->verdict, QUIRE_VERDICT_SUCCEEDED);
    assert_int_equal(quire_result_cell_get(&r, 5, 5, 5)->verdict, QUIRE_VERDICT_NONE);
    quire_result_free(&r);
}

static void test_save_load_roundtrip(void **state)
{
    (void)state;
    quire_result r, back;
    build_small(&r);
    char path[256], err[512];
    tmp_path(path, sizeof path, "rt");
    assert_int_equal(quire_result_save(&r, path), 0);
    /* saving over an existing file works and leaves no temporary behind */
    assert_int_equal(quire_result_save(&r, path), 0);
    char tmp[300];
    snprintf(tmp, sizeof tmp, "%s.tmp.%ld", path, (long)getpid());
    assert_int_not_equal(access(tmp, F_OK), 0);
    quire_result_init(&back);
    assert_int_equal(quire_result_load(path, &back, err, sizeof err), 0);
    assert_models_equal(&r, &back);

    /* the file is QIR's shape: client-major results with every test case, measurements
     * without the ones that did not run */
    json_error_t je;
    json_t *root = json_load_file(path, 0, &je);
    assert_non_null(root);
    json_t *res = json_object_get(root, "results");
    assert_int_equal(json_array_size(res), 2);
    json_t *first = json_array_get(json_array_get(res, 0), 1);
    assert_string_equal(json_string_value(json_object_get(first, "abbr")), "DC");
    assert_string_equal(json_string_value(json_object_get(first, "result")), "failed");
    assert_true(json_is_null(json_object_get(json_array_get(json_array_get(res, 1), 1), "result")));
    assert_int_equal(json_array_size(json_array_get(json_object_get(root, "measurements"), 0)), 1);
    assert_string_equal(
        json_string_value(json_object_get(json_object_get(root, "urls"), "quic-go")),
        "https://q.example");
    assert_int_equal(json_object_size(json_object_get(root, "tests")), 3);
    json_decref(root);
    unlink(path);
    quire_result_free(&back);
    quire_result_free(&r);
}

/* The machine's load per test: set, saved as "cpu_pressure", read back, forgotten by a new
 * verdict; bad values and unknown tests refused. */
static void test_load_roundtrip(void **state)
{
    (void)state;
    quire_result r, back;
    build_small(&r);
    assert_int_equal(quire_result_set_load(&r, "quic-go", "ngtcp2", "DC", 0.4), 0);
    assert_int_equal(quire_result_set_load(&r, "quic-go", "ngtcp2", "G", 0.05), 0);
    assert_int_equal(quire_result_set_load(&r, "quic-go", "ngtcp2", "DC", 1.5),
                     QUIRE_ERR_INVALID);
    assert_int_equal(quire_result_set_load(&r, "quic-go", "ngtcp2", "nope", 0.1),
                     QUIRE_ERR_NOTFOUND);
    char path[256], err[512];
    tmp_path(path, sizeof path, "load");
    assert_int_equal(quire_result_save(&r, path), 0);
    quire_result_init(&back);
    assert_int_equal(quire_result_load(path, &back, err, sizeof err), 0);
    int s = quire_result_find_server(&back, "quic-go"), c = quire_result_find_client(&back, "ngtcp2");
    quire_result_outcome o;
    quire_result_outcome_get(&back, (size_t)s, (size_t)c, (size_t)quire_result_find_test(&back, "DC"), &o);
    assert_true(o.has_load);
    assert_float_equal(o.load, 0.4, 1e-9);
    assert_true(quire_result_overloaded(&o));
    quire_result_outcome_get(&back, (size_t)s, (size_t)c, (size_t)quire_result_find_test(&back, "G"), &o);
    assert_true(o.has_load && !quire_result_overloaded(&o));
    quire_result_outcome_get(&back, (size_t)s, (size_t)c, (size_t)quire_result_find_test(&back, "H"), &o);
    assert_false(o.has_load);
    /* a new verdict for the cell forgets the old run's load */
    quire_result_set(&back, "quic-go", "ngtcp2", "DC", QUIRE_VERDICT_SUCCEEDED, NULL, 1, NULL);
    quire_result_outcome_get(&back, (size_t)s, (size_t)c, (size_t)quire_result_find_test(&back, "DC"), &o);
    assert_false(o.has_load);
    unlink(path);
    quire_result_free(&back);
    quire_result_free(&r);
}

static quire_verdict verdict_of(json_t *v)
{
    const char *s = json_string_value(v);
    if (!s) return QUIRE_VERDICT_NONE;
    if (!strcmp(s, "succeeded")) return QUIRE_VERDICT_SUCCEEDED;
    if (!strcmp(s, "failed")) return QUIRE_VERDICT_FAILED;
    return QUIRE_VERDICT_UNSUPPORTED;
}

static void test_load_qir_file(void **state)
{
    (void)state;
    quire_result r, back;
    char err[512];
    quire_result_init(&r);
    int rv = quire_result_load(fixture("qir_3x2.json"), &r, err, sizeof err);
    if (rv) fprintf(stderr, "%s\n", err);
    assert_int_equal(rv, 0);
    json_error_t je;
    json_t *root = json_load_file(fixture("qir_3x2.json"), 0, &je);
    assert_non_null(root);
    json_t *servers = json_object_get(root, "servers"), *clients = json_object_get(root, "clients");
    assert_int_equal(r.nservers, json_array_size(servers));
    assert_int_equal(r.nclients, json_array_size(clients));
    assert_int_equal(r.ntests, json_object_size(json_object_get(root, "tests")));
    assert_string_equal(r.log_dir, json_string_value(json_object_get(root, "log_dir")));
    assert_string_equal(r.quic_version, "0x1");
    assert_true(r.start_time == json_real_value(json_object_get(root, "start_time")));
    assert_int_equal(r.quic_draft, -1);
    size_t nmeas = 0;
    for (size_t t = 0; t < r.ntests; t++)
        nmeas += r.tests[t].kind == QUIRE_TEST_MEASUREMENT;
    assert_int_equal(nmeas, 2); /* goodput and crosstraffic are in no "results" list */
    /* every cell agrees with the file read directly, index = client * nservers + server */
    size_t ns = r.nservers;
    for (size_t c = 0; c < r.nclients; c++)
        for (size_t s = 0; s < ns; s++) {
            assert_string_equal(r.servers[s].name, json_string_value(json_array_get(servers, s)));
            json_t *list = json_array_get(json_object_get(root, "results"), c * ns + s);
            size_t j;
            json_t *o;
            json_array_foreach(list, j, o)
            {
                int t = quire_result_find_test(&r, json_string_value(json_object_get(o, "abbr")));
                assert_true(t >= 0);
                assert_int_equal(quire_result_cell_get(&r, s, c, (size_t)t)->verdict,
                                 verdict_of(json_object_get(o, "result")));
            }
            list = json_array_get(json_object_get(root, "measurements"), c * ns + s);
            json_array_foreach(list, j, o)
            {
                int t = quire_result_find_test(&r, json_string_value(json_object_get(o, "abbr")));
                const quire_result_meas *m = quire_result_meas_get(&r, s, c, (size_t)t);
                assert_non_null(m);
                assert_int_equal(m->verdict, verdict_of(json_object_get(o, "result")));
                const char *details = json_string_value(json_object_get(o, "details"));
                assert_string_equal(m->details, details);
                if (m->verdict != QUIRE_VERDICT_SUCCEEDED) continue;
                /* the statistics were recovered from QIR's details string */
                assert_true(m->has_stats);
                assert_string_equal(m->unit, "kbps");
                char again[64];
                snprintf(again, sizeof again, "%.0f (\u00b1 %.0f) kbps", m->mean, m->stdev);
                assert_string_equal(again, details);
            }
        }
    json_decref(root);
    /* and what quire writes from it reads back the same */
    char path[256];
    tmp_path(path, sizeof path, "qir");
    assert_int_equal(quire_result_save(&r, path), 0);
    quire_result_init(&back);
    assert_int_equal(quire_result_load(path, &back, err, sizeof err), 0);
    assert_models_equal(&r, &back);
    unlink(path);
    quire_result_free(&back);
    quire_result_free(&r);
}

typedef struct bad_case {
    const char *json;
    const char *expect; /* substring of the message */
} bad_case;

static void test_load_errors(void **state)
{
    (void)state;
    static const bad_case cases[] = {
        {"{\"servers\": [\"a\"],\n \"clients\": [\"b\"] \"results\": []}", "x.json:2:27: "},
        {"[1, 2]", "x.json: expected a JSON object"},
        {"{\"servers\": [\"a\"], \"clients\": [\"b\"]}", "\"results\": missing"},
        {"{\"servers\": [\"a\", \"a\"], \"clients\": [], \"results\": []}",
         "servers[1]: \"a\" is listed twice"},
        {"{\"servers\": [\"a\"], \"clients\": [\"b\", \"c\"], \"results\": [[]]}",
         "\"results\": 1 entries, expected clients x servers = 2"},
        {"{\"servers\": [\"a\"], \"clients\": [\"b\"], \"results\": [[{\"abbr\": \"H\", "
         "\"result\": \"ok\"}]]}",
         "results[0][0].result: expected"},
        {"{\"servers\": [\"a\"], \"clients\": [\"b\"], \"results\": [[{\"result\": null}]]}",
         "results[0][0].abbr: expected a non-empty string"},
        {"{\"servers\": [\"a\"], \"clients\": [\"b\"], \"results\": [[{\"abbr\": \"G\"}]],"
         " \"measurements\": [[{\"abbr\": \"G\", \"result\": \"failed\"}]], \"tests\": {\"G\": "
         "{}}}",
         "tests.G: used both"},
        {"{\"servers\": [\"a\"], \"clients\": [\"b\"], \"results\": [[]], \"start_time\": \"x\"}",
         "top level.start_time: expected a number"},
        {"{\"servers\": [\"a\"], \"clients\": [\"b\"], \"results\": [[{\"abbr\": \"H\", "
         "\"duration\": []}]]}",
         "results[0][0].duration: expected a number"},
        {"{\"servers\": [\"a\"], \"clients\": [\"b\"], \"results\": [[{\"abbr\": \"H\", "
         "\"result\": \"failed\"}, {\"abbr\": \"H\", \"result\": \"failed\"}]]}",
         "results[0][1]: \"H\" appears twice"},
        {"{\"servers\": [\"a\"], \"clients\": [\"b\"], \"results\": [[]], \"measurements\": "
         "[[{\"abbr\": \"G\", \"result\": null}, {\"abbr\": \"G\", \"result\": \"failed\"}, "
         "{\"abbr\": \"G\", \"result\": \"succeeded\"}]]}",
         "measurements[0][2]: \"G\" appears twice"},
        {"{\"servers\": [\"a\"], \"clients\": [\"b\"], \"results\": [[]], \"probe\": "
         "{\"z\": {\"result\": null}}}",
         "probe.z: not one of \"servers\""},
        {"{\"servers\": [\"a\"], \"clients\": [\"b\"], \"results\": [[]], \"probe\": "
         "{\"a\": {\"result\": \"ok\"}}}",
         "probe.a.result: expected"},
        {"{\"servers\": [\"a\"], \"clients\": [\"b\"], \"results\": [[]], \"probe\": "
         "{\"a\": {\"result\": \"failed\", \"failed\": -1}}}",
         "probe.a.failed: expected a count"},
        {"{\"servers\": [\"a\"], \"clients\": [\"b\"], \"results\": [[]], \"probe\": "
         "{\"a\": {\"result\": \"failed\", \"failed_cases\": [\"x,y\"]}}}",
         "probe.a.failed_cases[0]: expected a case name"},
        {"{\"servers\": [\"a\"], \"clients\": [\"b\"], \"results\": [[]], \"probe\": []}",
         "\"probe\": expected an object"},
    };
    char err[512];
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        quire_result r;
        quire_result_init(&r);
        int rv = quire_result_load_buf(cases[i].json, strlen(cases[i].json), "x.json", &r, err,
                                       sizeof err);
        if (rv != QUIRE_ERR_MALFORMED || !strstr(err, cases[i].expect))
            fail_msg("case %zu: rv %d, message \"%s\", expected \"%s\"", i, rv, err,
                     cases[i].expect);
        quire_result_free(&r);
    }
    quire_result r;
    quire_result_init(&r);
    assert_int_equal(quire_result_load("/nonexistent/quire/r.json", &r, err, sizeof err),
                     QUIRE_ERR_IO);
    assert_non_null(strstr(err, "/nonexistent/quire/r.json: "));
    quire_result_free(&r);
}

static void test_load_old_qir_draft(void **state)
{
    (void)state;
    /* older QIR files: "quic_draft" number, no log_dir, no urls, no measurements */
    const char *j =
        "{\"start_time\": 1600000000, \"end_time\": 1600000100, \"servers\": [\"s\"],"
        " \"clients\": [\"c\"], \"tests\": {\"H\": {\"name\": \"handshake\", \"desc\": \"\"}},"
        " \"quic_draft\": 29, \"quic_version\": \"0xff00001d\","
        " \"results\": [[{\"abbr\": \"H\", \"name\": \"handshake\", \"result\": \"succeeded\"}]]}";
    quire_result r;
    char err[256];
    quire_result_init(&r);
    assert_int_equal(quire_result_load_buf(j, strlen(j), "old.json", &r, err, sizeof err), 0);
    assert_int_equal(r.quic_draft, 29);
    assert_string_equal(r.quic_version, "0xff00001d");
    assert_null(r.log_dir);
    assert_null(r.servers[0].url);
    assert_int_equal(r.tests[0].kind, QUIRE_TEST_CASE);
    assert_int_equal(quire_result_cell_get(&r, 0, 0, 0)->verdict, QUIRE_VERDICT_SUCCEEDED);
    assert_true(quire_result_cell_get(&r, 0, 0, 0)->duration < 0);
    quire_result_free(&r);
}

/* The probe column: a cell per server asked for, recorded, saved and read back as it was; a
 * file without probes has none and writes no "probe" key. */
static void test_probe_cells(void **state)
{
    (void)state;
    quire_result r, back;
    quire_result_init(&r);
    quire_result_init(&back);
    assert_true(quire_result_add_server(&r, "aioquic", NULL) >= 0);
    assert_true(quire_result_add_server(&r, "ngtcp2", NULL) >= 0);
    assert_true(quire_result_add_server(&r, "quinn", NULL) >= 0);
    assert_true(quire_result_add_client(&r, "quic-go", NULL) >= 0);
    assert_true(quire_result_add_test(&r, QUIRE_TEST_CASE, "H", "handshake", NULL, NULL) >= 0);
    assert_int_equal(quire_result_count_probes(&r), 0);
    char *json = NULL;
    assert_int_equal(quire_result_to_json(&r, &json), 0);
    assert_null(strstr(json, "\"probe\""));
    free(json);
    assert_int_equal(quire_result_add_probe(&r, "nobody"), QUIRE_ERR_NOTFOUND);
    assert_int_equal(quire_result_add_probe(&r, "aioquic"), 0);
    assert_int_equal(quire_result_add_probe(&r, "ngtcp2"), 0);
    quire_result_probe p = {.verdict = QUIRE_VERDICT_FAILED,
                            .explanation = "2 of 57 cases failed: a, b",
                            .duration = 41.5,
                            .log = "ngtcp2_quire-probe/probe",
                            .passed = 52,
                            .failed = 2,
                            .not_applicable = 3,
                            .failed_cases = "frame_unknown,tp_extension_missing"};
    assert_int_equal(quire_result_set_probe(&r, "ngtcp2", &p), 0);
    assert_int_equal(quire_result_add_probe(&r, "ngtcp2"), 0); /* keeps the record */
    assert_int_equal(quire_result_count_probes(&r), 2);
    assert_null(quire_result_probe_get(&r, 2));
    assert_null(quire_result_probe_get(&r, 9));
    assert_int_equal(quire_result_probe_get(&r, 0)->verdict, QUIRE_VERDICT_NONE);
    assert_int_equal(quire_result_to_json(&r, &json), 0);
    char err[256];
    assert_int_equal(quire_result_load_buf(json, strlen(json), "p.json", &back, err, sizeof err),
                     0);
    free(json);
    assert_int_equal(quire_result_count_probes(&back), 2);
    const quire_result_probe *a = quire_result_probe_get(&back, 0),
                             *b = quire_result_probe_get(&back, 1);
    assert_non_null(a);
    assert_int_equal(a->verdict, QUIRE_VERDICT_NONE);
    assert_true(a->duration < 0);
    assert_non_null(b);
    assert_int_equal(b->verdict, QUIRE_VERDICT_FAILED);
    assert_string_equal(b->explanation, p.explanation);
    assert_string_equal(b->log, p.log);
    assert_string_equal(b->failed_cases, p.failed_cases);
    assert_true(b->duration == 41.5);
    assert_int_equal(b->passed, 52);
    assert_int_equal(b->failed, 2);
    assert_int_equal(b->not_applicable, 3);
    assert_null(quire_result_probe_get(&back, 2));
    quire_result_free(&r);
    quire_result_free(&back);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_build_and_lookup),    cmocka_unit_test(test_grid_growth_keeps_cells),
        cmocka_unit_test(test_save_load_roundtrip),
        cmocka_unit_test(test_load_roundtrip), cmocka_unit_test(test_load_qir_file),
        cmocka_unit_test(test_load_errors),         cmocka_unit_test(test_load_old_qir_draft),
        cmocka_unit_test(test_probe_cells),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
