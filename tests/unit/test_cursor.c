/* Unit tests for util/cursor: integer reads, QUIC varints (RFC 9000 Appendix A.1 examples),
 * and that no read moves past the end. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "util/cursor.h"
#include "util/err.h"

static void test_ints(void **state)
{
    (void)state;
    const uint8_t in[] = {0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08, 0x09, 0x0a};
    quire_cursor c;
    quire_cursor_init(&c, in, sizeof in);
    uint8_t a;
    uint16_t b;
    uint32_t d;
    assert_int_equal(quire_cursor_u8(&c, &a), 0);
    assert_int_equal(a, 1);
    assert_int_equal(quire_cursor_u16(&c, &b), 0);
    assert_int_equal(b, 0x0203);
    assert_int_equal(quire_cursor_u24(&c, &d), 0);
    assert_int_equal(d, 0x040506);
    assert_int_equal(quire_cursor_u32(&c, &d), 0);
    assert_int_equal(d, 0x0708090a);
    assert_int_equal(quire_cursor_left(&c), 0);
    assert_int_equal(quire_cursor_u8(&c, &a), QUIRE_ERR_TRUNCATED);
}

/* RFC 9000, Appendix A.1: sample varint encodings. */
static const struct {
    uint8_t bytes[8];
    size_t len;
    uint64_t value;
} varints[] = {
    {{0xc2, 0x19, 0x7c, 0x5e, 0xff, 0x14, 0xe8, 0x8c}, 8, 151288809941952652ull},
    {{0x9d, 0x7f, 0x3e, 0x7d}, 4, 494878333},
    {{0x7b, 0xbd}, 2, 15293},
    {{0x25}, 1, 37},
    {{0x40, 0x25}, 2, 37},
};

static void test_varint(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof varints / sizeof varints[0]; i++) {
        quire_cursor c;
        uint64_t v;
        quire_cursor_init(&c, varints[i].bytes, varints[i].len);
        assert_int_equal(quire_cursor_varint(&c, &v), 0);
        assert_true(v == varints[i].value);
        assert_int_equal(quire_cursor_left(&c), 0);
        /* One byte short must fail and leave the cursor in place. */
        quire_cursor_init(&c, varints[i].bytes, varints[i].len - 1);
        assert_int_equal(quire_cursor_varint(&c, &v), QUIRE_ERR_TRUNCATED);
        assert_int_equal(quire_cursor_left(&c), varints[i].len - 1);
    }
}

static void test_varint_roundtrip(void **state)
{
    (void)state;
    const uint64_t values[] = {0, 63, 64, 16383, 16384, 1073741823, 1073741824,
                               4611686018427387903ull};
    for (size_t i = 0; i < sizeof values / sizeof values[0]; i++) {
        uint8_t out[8];
        size_t n = quire_varint_encode(out, values[i]);
        assert_int_equal(n, quire_varint_len(values[i]));
        quire_cursor c;
        uint64_t v;
        quire_cursor_init(&c, out, n);
        assert_int_equal(quire_cursor_varint(&c, &v), 0);
        assert_true(v == values[i]);
    }
    uint8_t out[8];
    assert_int_equal(quire_varint_encode(out, 4611686018427387904ull), 0);
}

static void test_bytes_and_sub(void **state)
{
    (void)state;
    const uint8_t in[] = {3, 'a', 'b', 'c', 9};
    quire_cursor c, sub;
    uint8_t n;
    const uint8_t *p;
    quire_cursor_init(&c, in, sizeof in);
    assert_int_equal(quire_cursor_u8(&c, &n), 0);
    assert_int_equal(quire_cursor_sub(&c, n, &sub), 0);
    assert_int_equal(quire_cursor_left(&sub), 3);
    assert_int_equal(quire_cursor_bytes(&sub, 3, &p), 0);
    assert_memory_equal(p, "abc", 3);
    assert_int_equal(quire_cursor_bytes(&c, 2, &p), QUIRE_ERR_TRUNCATED);
    assert_int_equal(quire_cursor_skip(&c, 1), 0);
    assert_int_equal(quire_cursor_left(&c), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_ints),
        cmocka_unit_test(test_varint),
        cmocka_unit_test(test_varint_roundtrip),
        cmocka_unit_test(test_bytes_and_sub),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
