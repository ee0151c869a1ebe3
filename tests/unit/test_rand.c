/* Unit tests for util/rand: reproducibility, independent streams, bounds and rough uniformity. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "util/rand.h"

static void test_same_seed_same_sequence(void **state)
{
    (void)state;
    quire_rand a, b, c;
    quire_rand_init(&a, 42, 1);
    quire_rand_init(&b, 42, 1);
    quire_rand_init(&c, 43, 1);
    int differ = 0;
    for (int i = 0; i < 1000; i++) {
        uint64_t x = quire_rand_u64(&a);
        assert_int_equal(x, quire_rand_u64(&b));
        differ += x != quire_rand_u64(&c);
    }
    assert_true(differ > 990);
}

static void test_streams_differ(void **state)
{
    (void)state;
    quire_rand a, b;
    quire_rand_init(&a, 0, 1);
    quire_rand_init(&b, 0, 2);
    int same = 0;
    for (int i = 0; i < 1000; i++)
        same += quire_rand_u64(&a) == quire_rand_u64(&b);
    assert_true(same < 2);
}

static void test_below_bounds_and_uniformity(void **state)
{
    (void)state;
    quire_rand r;
    unsigned hist[10] = {0};
    quire_rand_init(&r, 7, 0);
    for (int i = 0; i < 100000; i++) {
        uint64_t v = quire_rand_below(&r, 10);
        assert_true(v < 10);
        hist[v]++;
    }
    /* Expected 10000 each, standard deviation ~95: 6 sigma bounds. */
    for (int i = 0; i < 10; i++) {
        assert_true(hist[i] > 9430);
        assert_true(hist[i] < 10570);
    }
    assert_int_equal(quire_rand_below(&r, 0), 0);
    assert_int_equal(quire_rand_below(&r, 1), 0);
}

static void test_double_range(void **state)
{
    (void)state;
    quire_rand r;
    double sum = 0;
    quire_rand_init(&r, 99, 5);
    for (int i = 0; i < 100000; i++) {
        double d = quire_rand_double(&r);
        assert_true(d >= 0.0 && d < 1.0);
        sum += d;
    }
    /* Mean 0.5, standard error 0.0009. */
    assert_true(sum / 100000 > 0.494 && sum / 100000 < 0.506);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_same_seed_same_sequence),
        cmocka_unit_test(test_streams_differ),
        cmocka_unit_test(test_below_bounds_and_uniformity),
        cmocka_unit_test(test_double_range),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
