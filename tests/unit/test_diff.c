/* Unit tests for report/diff: regressions (succeeded or unsupported, then failed), fixes,
 * other changes, cells only in B (new) or only in A (gone), matched by names whatever the
 * order of servers, clients and tests in each file; measurements too. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "report/diff.h"
#include "report/result.h"

static void grid(quire_result *r, int swap)
{
    quire_result_init(r);
    quire_result_add_server(r, swap ? "quinn" : "quic-go", NULL);
    quire_result_add_server(r, swap ? "quic-go" : "quinn", NULL);
    quire_result_add_client(r, "quic-go", NULL);
    quire_result_add_test(r, QUIRE_TEST_CASE, swap ? "DC" : "H", swap ? "transfer" : "handshake",
                          NULL, NULL);
    quire_result_add_test(r, QUIRE_TEST_CASE, swap ? "H" : "DC", swap ? "handshake" : "transfer",
                          NULL, NULL);
}

static void test_diff(void **state)
{
    (void)state;
    quire_result a, b;
    grid(&a, 0);
    grid(&b, 1); /* other order: matched by names */
    quire_result_add_test(&b, QUIRE_TEST_CASE, "Z", "zerortt", NULL, NULL);
    quire_result_add_test(&b, QUIRE_TEST_MEASUREMENT, "G", "goodput", NULL, "kbps");
    quire_result_add_test(&a, QUIRE_TEST_MEASUREMENT, "G", "goodput", NULL, "kbps");
    quire_result_set(&a, "quic-go", "quic-go", "H", QUIRE_VERDICT_SUCCEEDED, NULL, 1, NULL);
    quire_result_set(&b, "quic-go", "quic-go", "H", QUIRE_VERDICT_SUCCEEDED, NULL, 1, NULL);
    quire_result_set(&a, "quic-go", "quic-go", "DC", QUIRE_VERDICT_SUCCEEDED, NULL, 1, NULL);
    quire_result_set(&b, "quic-go", "quic-go", "DC", QUIRE_VERDICT_FAILED, "missing file x", 1,
                     NULL);
    quire_result_set(&a, "quinn", "quic-go", "H", QUIRE_VERDICT_FAILED, "timeout", 1, NULL);
    quire_result_set(&b, "quinn", "quic-go", "H", QUIRE_VERDICT_SUCCEEDED, NULL, 1, NULL);
    quire_result_set(&a, "quinn", "quic-go", "DC", QUIRE_VERDICT_SUCCEEDED, NULL, 1, NULL);
    quire_result_set(&b, "quinn", "quic-go", "DC", QUIRE_VERDICT_UNSUPPORTED, "127", 1, NULL);
    quire_result_set(&b, "quinn", "quic-go", "Z", QUIRE_VERDICT_FAILED, "no 0-RTT", 1, NULL);
    double v[2] = {1000, 1100};
    quire_result_set_measurement(&a, "quic-go", "quic-go", "G", QUIRE_VERDICT_SUCCEEDED, v, 2,
                                 NULL, 1, NULL);
    quire_result_set_measurement(&b, "quic-go", "quic-go", "G", QUIRE_VERDICT_FAILED, NULL, 0,
                                 "run 1 of 5: slow", 1, NULL);
    quire_buf out;
    quire_buf_init(&out);
    quire_diff_counts c;
    assert_int_equal(quire_diff(&a, &b, &out, &c), 0);
    assert_int_equal(c.regressions, 2); /* DC and G of quic-go→quic-go */
    assert_int_equal(c.fixes, 1);
    assert_int_equal(c.changed, 1);
    assert_int_equal(c.added, 1);
    assert_int_equal(c.added_failed, 1);
    assert_int_equal(c.gone, 0);
    assert_int_equal(c.same, 1);
    quire_buf_append(&out, "", 1);
    const char *t = (const char *)out.data;
    const char *reg = strstr(t, "regression: quic-go→quic-go transfer (DC): succeeded → failed: "
                                "missing file x\n");
    assert_non_null(reg);
    assert_true(reg == t); /* regressions first */
    assert_non_null(strstr(t, "regression: quic-go→quic-go goodput (G): succeeded → failed"));
    assert_non_null(strstr(t, "fixed: quinn→quic-go handshake (H): failed → succeeded\n"));
    assert_non_null(strstr(t, "changed: quinn→quic-go transfer (DC): succeeded → unsupported"));
    assert_non_null(strstr(t, "new: quinn→quic-go zerortt (Z): not run → failed: no 0-RTT"));
    /* the other way round: the regressions are fixes, the fix a regression, the new cell gone */
    quire_buf_reset(&out);
    assert_int_equal(quire_diff(&b, &a, &out, &c), 0);
    assert_int_equal(c.regressions, 1);
    assert_int_equal(c.fixes, 2);
    assert_int_equal(c.gone, 1);
    quire_buf_append(&out, "", 1);
    assert_non_null(strstr((const char *)out.data, "gone: quinn→quic-go zerortt (Z): failed"));
    /* identical files: nothing */
    quire_buf_reset(&out);
    assert_int_equal(quire_diff(&a, &a, &out, &c), 0);
    assert_int_equal(out.len, 0);
    assert_int_equal(c.regressions + c.fixes + c.changed + c.added + c.gone, 0);
    quire_buf_free(&out);
    quire_result_free(&a);
    quire_result_free(&b);
}

/* The shared rule (the multi-run HTML report uses it too): every pair of verdicts. */
static void test_classify(void **state)
{
    (void)state;
    const quire_verdict N = QUIRE_VERDICT_NONE, S = QUIRE_VERDICT_SUCCEEDED,
                        F = QUIRE_VERDICT_FAILED, U = QUIRE_VERDICT_UNSUPPORTED;
    assert_int_equal(quire_diff_classify(S, F), QUIRE_DIFF_REGRESSION);
    assert_int_equal(quire_diff_classify(U, F), QUIRE_DIFF_REGRESSION);
    assert_int_equal(quire_diff_classify(F, S), QUIRE_DIFF_FIX);
    assert_int_equal(quire_diff_classify(F, U), QUIRE_DIFF_CHANGED);
    assert_int_equal(quire_diff_classify(S, U), QUIRE_DIFF_CHANGED);
    assert_int_equal(quire_diff_classify(N, F), QUIRE_DIFF_ADDED);
    assert_int_equal(quire_diff_classify(S, N), QUIRE_DIFF_GONE);
    for (int v = 0; v < 4; v++)
        assert_int_equal(quire_diff_classify((quire_verdict)v, (quire_verdict)v), QUIRE_DIFF_SAME);
    assert_string_equal(quire_diff_kind_name(QUIRE_DIFF_REGRESSION), "regression");
    assert_string_equal(quire_diff_kind_name(QUIRE_DIFF_FIX), "fixed");
    assert_string_equal(quire_diff_kind_name(QUIRE_DIFF_SAME), "same");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_diff),
        cmocka_unit_test(test_classify),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
