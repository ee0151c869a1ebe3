/* Unit tests for run/scheduler: QIR's auto-unsupported post-processing (which cells change,
 * the exemptions, single client/server) and the order in which jobs start (the test cases'
 * expected durations, an earlier run's measured ones, unsupported first, stable ties). The
 * parallel runs themselves need root and are covered by tests/integration/run_*.sh; the load
 * rule of --jobs auto by test_load. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "run/scheduler.h"

static quire_verdict v(const quire_result *r, const char *s, const char *c, const char *t)
{
    return quire_result_cell_get(r, (size_t)quire_result_find_server(r, s),
                                 (size_t)quire_result_find_client(r, c),
                                 (size_t)quire_result_find_test(r, t))
        ->verdict;
}

static void note(const char *msg, void *arg)
{
    (*(int *)arg)++;
    assert_non_null(strstr(msg, "marking the entire test as \"unsupported\""));
}

/* servers s1, s2; clients c1, c2; test H. c1 fails against both servers; c2 passes on s1. */
static void build(quire_result *r)
{
    quire_result_init(r);
    quire_result_add_server(r, "s1", NULL);
    quire_result_add_server(r, "s2", NULL);
    quire_result_add_client(r, "c1", NULL);
    quire_result_add_client(r, "c2", NULL);
    quire_result_add_test(r, QUIRE_TEST_CASE, "H", "handshake", NULL, NULL);
    quire_result_add_test(r, QUIRE_TEST_CASE, "DC", "transfer", NULL, NULL);
    quire_result_set(r, "s1", "c1", "H", QUIRE_VERDICT_FAILED, "boom", 1, "s1_c1/handshake");
    quire_result_set(r, "s2", "c1", "H", QUIRE_VERDICT_UNSUPPORTED, "127", 1, NULL);
    quire_result_set(r, "s1", "c2", "H", QUIRE_VERDICT_SUCCEEDED, NULL, 1, NULL);
    quire_result_set(r, "s2", "c2", "H", QUIRE_VERDICT_FAILED, NULL, 1, NULL);
    quire_result_set(r, "s1", "c1", "DC", QUIRE_VERDICT_SUCCEEDED, NULL, 1, NULL);
    quire_result_set(r, "s2", "c1", "DC", QUIRE_VERDICT_SUCCEEDED, NULL, 1, NULL);
    quire_result_set(r, "s1", "c2", "DC", QUIRE_VERDICT_SUCCEEDED, NULL, 1, NULL);
    quire_result_set(r, "s2", "c2", "DC", QUIRE_VERDICT_SUCCEEDED, NULL, 1, NULL);
}

static void test_auto_unsupported(void **state)
{
    (void)state;
    quire_result r;
    build(&r);
    int notes = 0;
    /* c1 failed H against all servers; s2 failed H against all clients */
    size_t changed = quire_scheduler_auto_unsupported(&r, NULL, 0, note, &notes);
    assert_int_equal(notes, 2);
    assert_int_equal(changed, 2); /* s1/c1 and s2/c2; s2/c1 was unsupported already */
    assert_int_equal(v(&r, "s1", "c1", "H"), QUIRE_VERDICT_UNSUPPORTED);
    assert_int_equal(v(&r, "s2", "c2", "H"), QUIRE_VERDICT_UNSUPPORTED);
    assert_int_equal(v(&r, "s1", "c2", "H"), QUIRE_VERDICT_SUCCEEDED);
    assert_int_equal(v(&r, "s1", "c1", "DC"), QUIRE_VERDICT_SUCCEEDED);
    const quire_result_cell *c = quire_result_cell_get(&r, 0, 0, 0);
    assert_non_null(strstr(c->explanation, "boom; marked unsupported"));
    assert_string_equal(c->log, "s1_c1/handshake");
    quire_result_free(&r);
}

static void test_exemptions(void **state)
{
    (void)state;
    quire_result r;
    build(&r);
    const char *no_auto[] = {"c1", "s2"};
    assert_int_equal(quire_scheduler_auto_unsupported(&r, no_auto, 2, NULL, NULL), 0);
    assert_int_equal(v(&r, "s1", "c1", "H"), QUIRE_VERDICT_FAILED);
    quire_result_free(&r);

    /* one server only: clients are not judged against "all servers" */
    quire_result_init(&r);
    quire_result_add_server(&r, "s1", NULL);
    quire_result_add_client(&r, "c1", NULL);
    quire_result_add_test(&r, QUIRE_TEST_CASE, "H", "handshake", NULL, NULL);
    quire_result_set(&r, "s1", "c1", "H", QUIRE_VERDICT_FAILED, NULL, 1, NULL);
    assert_int_equal(quire_scheduler_auto_unsupported(&r, NULL, 0, NULL, NULL), 0);
    assert_int_equal(v(&r, "s1", "c1", "H"), QUIRE_VERDICT_FAILED);
    quire_result_free(&r);
}

static quire_impl impl_a = {.name = "a", .url = ""}, impl_b = {.name = "b", .url = ""};

static quire_job job(const char *tc, quire_impl *server, size_t index)
{
    quire_job j = {server, &impl_a, quire_testcase_find(tc), index};
    assert_non_null(j.tc);
    return j;
}

static void test_order_expected(void **state)
{
    (void)state;
    /* QIR's order: H, DC, L1, crosstraffic, goodput; expected: 2, 10, 45, 2 x 60, 2 x 10 s */
    quire_job jobs[] = {job("H", &impl_a, 0), job("DC", &impl_a, 1), job("L1", &impl_a, 2),
                        job("C", &impl_a, 3), job("G", &impl_a, 4), job("E", &impl_a, 5)};
    size_t order[6];
    assert_int_equal(quire_scheduler_order(jobs, 6, NULL, order), 0);
    size_t want[] = {3, 2, 4, 1, 0, 5}; /* C, L1, G, DC, then H and E (2 s each) in their order */
    assert_memory_equal(order, want, sizeof want);
}

static void test_order_previous(void **state)
{
    (void)state;
    quire_job jobs[] = {job("H", &impl_a, 0), job("DC", &impl_a, 1), job("H", &impl_b, 2),
                        job("G", &impl_b, 3)};
    /* the earlier run: a/H took 30 s, a/DC 5 s, b/H was unsupported, b/G 5 runs in 25 s */
    quire_result prev;
    quire_result_init(&prev);
    quire_result_add_server(&prev, "a", NULL);
    quire_result_add_server(&prev, "b", NULL);
    quire_result_add_client(&prev, "a", NULL);
    quire_result_add_test(&prev, QUIRE_TEST_CASE, "H", "handshake", NULL, NULL);
    quire_result_add_test(&prev, QUIRE_TEST_CASE, "DC", "transfer", NULL, NULL);
    quire_result_add_test(&prev, QUIRE_TEST_MEASUREMENT, "G", "goodput", NULL, "kbps");
    quire_result_set(&prev, "a", "a", "H", QUIRE_VERDICT_SUCCEEDED, NULL, 30, NULL);
    quire_result_set(&prev, "a", "a", "DC", QUIRE_VERDICT_FAILED, NULL, 5, NULL);
    quire_result_set(&prev, "b", "a", "H", QUIRE_VERDICT_UNSUPPORTED, "127", 0.4, NULL);
    double v[5] = {9000, 9100, 9200, 9300, 9400};
    quire_result_set_measurement(&prev, "b", "a", "G", QUIRE_VERDICT_SUCCEEDED, v, 5, NULL, 25,
                                 NULL);
    size_t order[4];
    assert_int_equal(quire_scheduler_order(jobs, 4, &prev, order), 0);
    /* b/H first (unsupported), then a/H 30 s, b/G 2 x 5 s, a/DC 5 s */
    size_t want[] = {2, 0, 3, 1};
    assert_memory_equal(order, want, sizeof want);
    /* a failure that QIR's rule turned into "unsupported" ran for real: not first */
    quire_result_set(&prev, "b", "a", "H", QUIRE_VERDICT_UNSUPPORTED,
                     "boom" QUIRE_RESULT_RULE_MARK "servers", 0.4, NULL);
    assert_int_equal(quire_scheduler_order(jobs, 4, &prev, order), 0);
    size_t want2[] = {0, 3, 1, 2};
    assert_memory_equal(order, want2, sizeof want2);
    quire_result_free(&prev);
    /* nothing to order */
    assert_int_equal(quire_scheduler_order(jobs, 0, NULL, order), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_auto_unsupported),
        cmocka_unit_test(test_exemptions),
        cmocka_unit_test(test_order_expected),
        cmocka_unit_test(test_order_previous),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
