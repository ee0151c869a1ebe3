/* Unit tests for experiment/summary: the Markdown report and experiment_summary.json of
 * hand-made runs (verdicts, evidence, skipped runs, per-point min/median/max, totals). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>
#include <jansson.h>

#include "experiment/summary.h"
#include "util/err.h"

static const char plugin_yaml[] = "name: p\nroles: [server, client]\n"
                                  "server: {command: [s]}\nclient: {command: [c]}\n"
                                  "versions: {v1: ~}\n";
static const char exp_yaml[] = "name: sum\n"
                               "tests:\n"
                               "  - name: t|1\n"
                               "    execution_environment: [{type: iterations, count: 2}]\n"
                               "    services:\n"
                               "      s: {implementation: p, role: server}\n"
                               "      c: {implementation: p, role: client}\n"
                               "    assertions:\n"
                               "      - {type: service_exit, service: c}\n";

static void make(quire_experiment *x, quire_xrun runs[3])
{
    quire_ydiag g = {0};
    memset(x, 0, sizeof *x);
    assert_int_equal(
        quire_plugins_add_buf(&x->plugins, plugin_yaml, strlen(plugin_yaml), "p.yaml", "/p", 0, &g),
        0);
    assert_int_equal(quire_plugins_resolve(&x->plugins, &g), 0);
    assert_int_equal(quire_experiment_parse_buf(x, exp_yaml, strlen(exp_yaml), "e.yaml", &g), 0);
    quire_ydiag_free(&g);
    memset(runs, 0, 3 * sizeof *runs);
    const quire_xtest *t = &x->tests[0];
    double hs[3] = {30.0, 10.0, -1};
    for (int i = 0; i < 3; i++) {
        quire_xrun *r = &runs[i];
        r->t = t;
        r->iteration = (unsigned)i + 1;
        snprintf(r->label, sizeof r->label, "#%d", i + 1);
        snprintf(r->rel, sizeof r->rel, "t/%d", i + 1);
        snprintf(r->dir, sizeof r->dir, "/nonexistent/t/%d", i + 1);
        r->handshake_ms = hs[i];
        r->ttfb_ms = r->goodput_bps = -1;
        r->nsvc = 2;
        for (size_t s = 0; s < 2; s++) {
            r->svc[s].svc = &t->services[s];
            snprintf(r->svc[s].dir, sizeof r->svc[s].dir, "/nonexistent");
        }
        r->verdicts = calloc(1, sizeof *r->verdicts);
        r->verdicts[0].pass = i == 0;
        snprintf(r->verdicts[0].evidence, sizeof r->verdicts[0].evidence, "evidence %d | x", i);
    }
    runs[2].skipped = 1;
    snprintf(runs[2].error, sizeof runs[2].error, "c (p) not available here: gone");
}

static void test_markdown(void **state)
{
    (void)state;
    quire_experiment x;
    quire_xrun runs[3];
    make(&x, runs);
    quire_summary_totals tt;
    quire_summary_totals_of(runs, 3, &tt);
    assert_int_equal(tt.runs, 3);
    assert_int_equal(tt.skipped, 1);
    assert_int_equal(tt.passed, 1);
    assert_int_equal(tt.failed, 1);
    char *md = quire_summary_markdown(&x, runs, 3);
    assert_non_null(md);
    assert_non_null(strstr(md, "# Experiment: sum"));
    assert_non_null(strstr(md, "Assertions: **1 passed, 1 failed**"));
    assert_non_null(strstr(md, "| #1 | service_exit (c) | ✅ passed | evidence 0 \\| x |"));
    assert_non_null(strstr(md, "| #2 | service_exit (c) | ❌ failed | evidence 1 \\| x |"));
    assert_non_null(strstr(md, "skipped: c (p) not available here: gone"));
    /* two measured iterations: min 10, median 20, max 30 */
    assert_non_null(strstr(md, "| 2 | 10.0 / 20.0 / 30.0 |"));
    free(md);
    for (int i = 0; i < 3; i++)
        free(runs[i].verdicts);
    quire_experiment_free(&x);
}

static void test_json(void **state)
{
    (void)state;
    quire_experiment x;
    quire_xrun runs[3];
    make(&x, runs);
    char dir[] = "/tmp/quire-test-summary-XXXXXX";
    assert_non_null(mkdtemp(dir));
    char err[256];
    assert_int_equal(quire_summary_write(&x, runs, 3, dir, err, sizeof err), 0);
    char path[256];
    snprintf(path, sizeof path, "%s/experiment_summary.json", dir);
    json_error_t je;
    json_t *j = json_load_file(path, 0, &je);
    assert_non_null(j);
    json_t *tot = json_object_get(j, "totals");
    assert_int_equal(json_integer_value(json_object_get(tot, "assertions_passed")), 1);
    assert_int_equal(json_integer_value(json_object_get(tot, "runs_skipped")), 1);
    json_t *t0 = json_array_get(json_object_get(j, "tests"), 0);
    assert_string_equal(json_string_value(json_object_get(t0, "name")), "t|1");
    json_t *r1 = json_array_get(json_object_get(t0, "runs"), 1);
    json_t *a0 = json_array_get(json_object_get(r1, "assertions"), 0);
    assert_string_equal(json_string_value(json_object_get(a0, "verdict")), "failed");
    assert_string_equal(json_string_value(json_object_get(a0, "type")), "service_exit");
    json_t *hs = json_object_get(
        json_object_get(json_array_get(json_object_get(t0, "points"), 0), "handshake_ms"),
        "median");
    assert_true(json_real_value(hs) > 19.99 && json_real_value(hs) < 20.01);
    assert_true(json_is_null(json_object_get(json_object_get(r1, "metrics"), "ttfb_ms")));
    json_decref(j);
    unlink(path);
    snprintf(path, sizeof path, "%s/report.md", dir);
    assert_int_equal(access(path, R_OK), 0);
    unlink(path);
    rmdir(dir);
    for (int i = 0; i < 3; i++)
        free(runs[i].verdicts);
    quire_experiment_free(&x);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_markdown),
        cmocka_unit_test(test_json),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
