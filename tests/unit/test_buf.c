/* Unit tests for util/buf: appends, formatted output, growth past the initial capacity. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "util/buf.h"

static void test_append_printf(void **state)
{
    (void)state;
    quire_buf b;
    quire_buf_init(&b);
    assert_string_equal(quire_buf_str(&b), "");
    assert_int_equal(quire_buf_append(&b, "ab", 2), 0);
    assert_int_equal(quire_buf_printf(&b, "-%d-%s", 42, "x"), 0);
    assert_int_equal(quire_buf_putc(&b, '!'), 0);
    assert_string_equal(quire_buf_str(&b), "ab-42-x!");
    assert_int_equal(b.len, 8);
    quire_buf_reset(&b);
    assert_string_equal(quire_buf_str(&b), "");
    quire_buf_free(&b);
}

static void test_growth(void **state)
{
    (void)state;
    quire_buf b;
    quire_buf_init(&b);
    for (int i = 0; i < 10000; i++) assert_int_equal(quire_buf_printf(&b, "%04d", i % 10000), 0);
    assert_int_equal(b.len, 40000);
    assert_memory_equal(b.data + 4 * 9999, "9999", 4);
    quire_buf_free(&b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_append_printf),
        cmocka_unit_test(test_growth),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
