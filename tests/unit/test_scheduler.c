/* Unit tests for run/scheduler: QIR's auto-unsupported post-processing (which cells change,
 * the exemptions, single client/server). The parallel runs themselves need root and are
 * covered by tests/integration/run_*.sh. */
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

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_auto_unsupported),
        cmocka_unit_test(test_exemptions),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
