/* Unit tests for run/plan: shard syntax and membership (every test in exactly one shard),
 * relative paths, name lists from a result. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "run/plan.h"
#include "util/err.h"

static void test_shard(void **state)
{
    (void)state;
    unsigned k, n;
    assert_int_equal(quire_plan_shard_parse("1/4", &k, &n), 0);
    assert_int_equal(k, 1);
    assert_int_equal(n, 4);
    assert_int_equal(quire_plan_shard_parse("4/4", &k, &n), 0);
    static const char *const bad[] = {"0/4", "5/4",  "1/0",  "1",    "1/", "/4",
                                      "a/b", "1/4x", "-1/4", "1/-4", "",   "1/100001"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        assert_int_equal(quire_plan_shard_parse(bad[i], &k, &n), QUIRE_ERR_INVALID);
    /* docs/scale-out.md: test i belongs to shard (i mod N) + 1 */
    for (size_t i = 0; i < 103; i++) {
        int owners = 0;
        for (unsigned s = 1; s <= 7; s++)
            owners += quire_plan_in_shard(i, s, 7);
        assert_int_equal(owners, 1);
        assert_true(quire_plan_in_shard(i, (unsigned)(i % 7 + 1), 7));
    }
    assert_true(quire_plan_in_shard(5, 0, 0)); /* no sharding */
}

static void check_rel(const char *from, const char *to, const char *want)
{
    char out[256];
    assert_int_equal(quire_plan_relpath(from, to, out, sizeof out), 0);
    assert_string_equal(out, want);
}

static void test_relpath(void **state)
{
    (void)state;
    check_rel("/a/b/new", "/a/b/old/x", "../old/x");
    check_rel("/a/b", "/a/b/c", "c");
    check_rel("/a/b", "/a/b", ".");
    check_rel("/a/bc", "/a/b/x", "../b/x");
    check_rel("/x/y/z", "/q", "../../../q");
    check_rel("/a/b/c", "/a/b", "..");
    char out[8];
    assert_int_equal(quire_plan_relpath("a", "/b", out, sizeof out), QUIRE_ERR_INVALID);
    assert_int_equal(quire_plan_relpath("/a/b/c/d", "/x/yyyyyy", out, sizeof out),
                     QUIRE_ERR_INVALID);
}

static void test_names(void **state)
{
    (void)state;
    quire_result r;
    quire_result_init(&r);
    assert_null(quire_plan_names(&r, 0));
    quire_result_add_server(&r, "s1", NULL);
    quire_result_add_server(&r, "s2", NULL);
    quire_result_add_client(&r, "c1", NULL);
    quire_result_add_test(&r, QUIRE_TEST_CASE, "H", "handshake", NULL, NULL);
    quire_result_add_test(&r, QUIRE_TEST_MEASUREMENT, "G", "goodput", NULL, "kbps");
    quire_result_add_test(&r, QUIRE_TEST_CASE, "DC", "transfer", NULL, NULL);
    char *s = quire_plan_names(&r, 0), *c = quire_plan_names(&r, 1), *t = quire_plan_names(&r, 2);
    assert_string_equal(s, "s1,s2");
    assert_string_equal(c, "c1");
    assert_string_equal(t, "H,G,DC"); /* measurements too: --resume runs them */
    free(s);
    free(c);
    free(t);
    quire_result_free(&r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_shard),
        cmocka_unit_test(test_relpath),
        cmocka_unit_test(test_names),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
